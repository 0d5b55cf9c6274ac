/* test-adm.c — stasadm logic: system UUID sources and host ID [CLI-31] [D-66], in-place
 * editing of sys.conf and atomic writes [CLI-32] [D-65] (spec/cli.md §5). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "stas-adm.h"
#include "stas-ini.h"
#include "stas-ip.h"

#define MACHINE_ID "0123456789abcdef0123456789abcdef"
#define MACHINE_UUID "f2782346-4809-484a-9a8b-952a04b57ba4" /* its app-specific UUID */
#define DMI_UUID "4C4C4544-0035-4410-8051-B4C04F4E4D32"
#define DMI_SWAPPED "44454C4C-3500-1044-8051-B4C04F4E4D32"
#define PARTITION_UUID "3a0b2c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d"
#define NQN_UUID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOSTNQN STAS_ADM_NQN_UUID_PREFIX NQN_UUID

typedef struct
{
  char *dir;
  StasAdmSystem sys;
  char *machine_id;
  char *product_uuid;
  char *partition_uuid;
  char *conf;
  char *hostnqn;
} Fixture;

static char *
path_in (Fixture *f, const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static void
put (const char *path, const char *text, gssize len)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_set_contents (path, text, len, &error));
  g_assert_no_error (error);
}

static char *
get (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("stas-adm-XXXXXX", &error);
  g_assert_no_error (error);
  f->machine_id = path_in (f, "machine-id");
  f->product_uuid = path_in (f, "product_uuid");
  f->partition_uuid = path_in (f, "ibm,partition-uuid");
  f->conf = path_in (f, "sys.conf");
  f->hostnqn = path_in (f, "hostnqn");
  f->sys.machine_id = f->machine_id;
  f->sys.product_uuid = f->product_uuid;
  f->sys.partition_uuid = f->partition_uuid;
  f->sys.is_root = TRUE;
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *p = path_in (f, name);
      if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
        g_rmdir (p);
      else
        g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->machine_id);
  g_free (f->product_uuid);
  g_free (f->partition_uuid);
  g_free (f->conf);
  g_free (f->hostnqn);
}

static int
cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names in the fixture directory, sorted and joined by spaces. */
static char *
dir_listing (Fixture *f)
{
  g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, cmp_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* ---- UUID derivations ---------------------------------------------------------------- */

static void
test_machine_app_uuid (void)
{
  g_autofree char *a = stas_adm_machine_app_uuid (MACHINE_ID);
  g_autofree char *b = stas_adm_machine_app_uuid ("0123456789ABCDEF0123456789ABCDEF");
  /* the same derivation as nvme-stas stasadm.py, checked against Python's hmac */
  g_autofree char *c = stas_adm_machine_app_uuid ("3d1219c7c4c5404aaa1f6d2a48adfda4");

  g_assert_cmpstr (a, ==, MACHINE_UUID);
  g_assert_cmpstr (b, ==, MACHINE_UUID);
  g_assert_cmpstr (c, ==, "fc337778-3c44-4938-aaaf-501ded981e7b");
  g_assert_null (stas_adm_machine_app_uuid ("uninitialized"));
  g_assert_null (stas_adm_machine_app_uuid ("0123456789abcdef0123456789abcde"));
  g_assert_null (stas_adm_machine_app_uuid ("0123456789abcdef0123456789abcdeg"));
  g_assert_null (stas_adm_machine_app_uuid (NULL));
}

static void
test_dmi_swap (void)
{
  g_autofree char *a = stas_adm_dmi_uuid_swap (DMI_UUID);
  g_autofree char *b = stas_adm_dmi_uuid_swap ("00112233-4455-6677-8899-aabbccddeeff");

  g_assert_cmpstr (a, ==, DMI_SWAPPED);
  g_assert_cmpstr (b, ==, "33221100-5544-7766-8899-aabbccddeeff");
  g_assert_null (stas_adm_dmi_uuid_swap ("Not Settable"));
  g_assert_null (stas_adm_dmi_uuid_swap (NULL));
}

static void
assert_v4 (const char *uuid)
{
  g_assert_true (stas_uuid_is_valid (uuid));
  g_assert_cmpint (uuid[14], ==, '4');
  g_assert_nonnull (strchr ("89ab", uuid[19]));
}

/* [CLI-31] the sources in order: machine-id, DMI (root), device tree (root), random */
static void
test_system_uuid_order (Fixture *f, gconstpointer data)
{
  StasAdmUuidSource src = -1;
  char *uuid;
  GError *error = NULL;

  put (f->machine_id, MACHINE_ID "\n", -1);
  put (f->product_uuid, DMI_UUID "\n", -1);
  put (f->partition_uuid, PARTITION_UUID, sizeof PARTITION_UUID); /* NUL-terminated, as in DT */

  uuid = stas_adm_system_uuid (&f->sys, &src, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uuid, ==, MACHINE_UUID);
  g_assert_cmpint (src, ==, STAS_ADM_UUID_MACHINE_ID);
  g_free (uuid);

  /* a machine ID works without root */
  f->sys.is_root = FALSE;
  uuid = stas_adm_system_uuid (&f->sys, &src, &error);
  g_assert_cmpstr (uuid, ==, MACHINE_UUID);
  g_free (uuid);

  /* an unusable machine ID ("uninitialized" at first boot) is skipped */
  put (f->machine_id, "uninitialized\n", -1);
  f->sys.is_root = TRUE;
  uuid = stas_adm_system_uuid (&f->sys, &src, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uuid, ==, DMI_SWAPPED);
  g_assert_cmpint (src, ==, STAS_ADM_UUID_DMI);
  g_free (uuid);

  g_unlink (f->machine_id);
  put (f->product_uuid, "Not Settable\n", -1);
  uuid = stas_adm_system_uuid (&f->sys, &src, &error);
  g_assert_cmpstr (uuid, ==, PARTITION_UUID);
  g_assert_cmpint (src, ==, STAS_ADM_UUID_PARTITION);
  g_free (uuid);

  g_unlink (f->product_uuid);
  uuid = stas_adm_system_uuid (&f->sys, &src, &error);
  g_assert_cmpstr (uuid, ==, PARTITION_UUID);
  g_free (uuid);

  g_unlink (f->partition_uuid);
  uuid = stas_adm_system_uuid (&f->sys, &src, &error);
  g_assert_no_error (error);
  g_assert_cmpint (src, ==, STAS_ADM_UUID_RANDOM);
  assert_v4 (uuid);
  g_free (uuid);

  /* the root-only sources need root, whether they exist or not */
  put (f->product_uuid, DMI_UUID "\n", -1);
  f->sys.is_root = FALSE;
  g_assert_null (stas_adm_system_uuid (&f->sys, &src, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "Permission denied. Root privileges required.");
  g_clear_error (&error);
}

static void
test_host_nqn (Fixture *f, gconstpointer data)
{
  g_autofree char *nqn = NULL;
  GError *error = NULL;

  put (f->machine_id, MACHINE_ID "\n", -1);
  nqn = stas_adm_host_nqn_new (&f->sys, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nqn, ==, STAS_ADM_NQN_UUID_PREFIX MACHINE_UUID);

  g_unlink (f->machine_id);
  f->sys.is_root = FALSE;
  g_assert_null (stas_adm_host_nqn_new (&f->sys, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
}

static char *
host_id (Fixture *f, const char *conf, StasAdmUuidSource expected)
{
  StasAdmUuidSource src = -1;
  GError *error = NULL;
  char *id = stas_adm_host_id_new (&f->sys, conf, f->hostnqn, &src, &error);

  g_assert_no_error (error);
  g_assert_true (stas_uuid_is_valid (id));
  g_assert_cmpint (src, ==, expected);
  return id;
}

/* [D-66] the host ID follows the host NQN, else the system UUID, else random */
static void
test_host_id (Fixture *f, gconstpointer data)
{
  g_autofree char *other = path_in (f, "other-nqn");
  g_autofree char *lit = g_strdup_printf ("[Host]\nnqn = %s\n", HOSTNQN);
  g_autofree char *ref = g_strdup_printf ("[Host]\nnqn = file://%s # comment\n", other);
  char *id;

  put (f->machine_id, MACHINE_ID "\n", -1);

  /* default host NQN file, sys.conf absent */
  put (f->hostnqn, HOSTNQN "\n", -1);
  id = host_id (f, f->conf, STAS_ADM_UUID_HOST_NQN);
  g_assert_cmpstr (id, ==, NQN_UUID);
  g_free (id);
  /* -c '' : no configuration file, still the default host NQN file */
  id = host_id (f, "", STAS_ADM_UUID_HOST_NQN);
  g_assert_cmpstr (id, ==, NQN_UUID);
  g_free (id);

  /* sys.conf's nqn wins over the default file: a literal ... */
  put (f->hostnqn, "nqn.1988-11.com.dell:SFSS:1:xyz\n", -1);
  put (f->conf, lit, -1);
  id = host_id (f, f->conf, STAS_ADM_UUID_HOST_NQN);
  g_assert_cmpstr (id, ==, NQN_UUID);
  g_free (id);
  /* ... or a file:// reference (first word of the first line) */
  put (other, "nqn.2014-08.org.nvmexpress:uuid:00112233-4455-6677-8899-aabbccddeeff x\n", -1);
  put (f->conf, ref, -1);
  id = host_id (f, f->conf, STAS_ADM_UUID_HOST_NQN);
  g_assert_cmpstr (id, ==, "00112233-4455-6677-8899-aabbccddeeff");
  g_free (id);

  /* a host NQN without a UUID: the system UUID, the same as hostnqn would use */
  put (f->conf, "[Host]\n", -1);
  id = host_id (f, f->conf, STAS_ADM_UUID_MACHINE_ID);
  g_assert_cmpstr (id, ==, MACHINE_UUID);
  g_free (id);
  put (f->hostnqn, STAS_ADM_NQN_UUID_PREFIX "not-a-uuid\n", -1);
  id = host_id (f, f->conf, STAS_ADM_UUID_MACHINE_ID);
  g_free (id);
  g_unlink (f->hostnqn);
  id = host_id (f, f->conf, STAS_ADM_UUID_MACHINE_ID);
  g_free (id);

  /* nothing usable and not root: random, not an error */
  g_unlink (f->machine_id);
  f->sys.is_root = FALSE;
  id = host_id (f, f->conf, STAS_ADM_UUID_RANDOM);
  assert_v4 (id);
  g_free (id);
}

static void
test_host_id_unreadable_conf (Fixture *f, gconstpointer data)
{
  g_autofree char *msg = g_strdup_printf ("%s: Is a directory", f->conf);
  GError *error = NULL;

  g_assert_cmpint (g_mkdir (f->conf, 0700), ==, 0);
  g_assert_null (stas_adm_host_id_new (&f->sys, f->conf, f->hostnqn, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_cmpstr (error->message, ==, msg);
  g_clear_error (&error);
}

static void
test_symname_valid (void)
{
  g_assert_true (stas_adm_symname_is_valid ("rack4-host17 (lab)"));
  g_assert_true (stas_adm_symname_is_valid ("h\xc3\xb4te"));
  g_assert_false (stas_adm_symname_is_valid (""));
  g_assert_false (stas_adm_symname_is_valid (NULL));
  g_assert_false (stas_adm_symname_is_valid ("a\tb"));
  g_assert_false (stas_adm_symname_is_valid ("a\nb"));
  g_assert_false (stas_adm_symname_is_valid ("a\x7f"));
  g_assert_false (stas_adm_symname_is_valid ("\xff\xfe"));
}

/* ---- in-place editing [CLI-32] [D-65] ------------------------------------------------- */

typedef struct
{
  const char *name;
  const char *key;
  const char *value; /* NULL: remove */
  const char *in;
  const char *out;
} EditCase;

static const EditCase edit_cases[] = {
  { "present", "nqn", "N", "# top\n[Host]\nnqn = old\nid = x\n",
    "# top\n[Host]\nnqn = N\nid = x\n" },
  { "present-inline-comment", "id", "V", "[Host]\nid = a # old\n", "[Host]\nid = V\n" },
  { "present-case", "id", "V", "[Host]\nID=a\n", "[Host]\nid = V\n" },
  { "absent", "id", "V", "[Host]\nnqn = a\n# c\n\n[Other]\nk = 1\n",
    "[Host]\nnqn = a\nid = V\n# c\n\n[Other]\nk = 1\n" },
  { "commented", "id", "V", "[Host]\n#id = old\n; id = older\nnqn = a\n",
    "[Host]\n#id = old\n; id = older\nnqn = a\nid = V\n" },
  { "duplicated", "id", "V", "[Host]\nid = a\nnqn = n\nID = b\n[Host]\nid = c\n# end\n",
    "[Host]\nid = V\nnqn = n\n[Host]\n# end\n" },
  { "only-in-second-host", "id", "V", "[Host]\nnqn = a\n\n[Other]\n[Host]\nid = old\n",
    "[Host]\nnqn = a\nid = V\n\n[Other]\n[Host]\n" },
  { "empty-host-section", "id", "V", "[Host]\n\n[Other]\nid = z\n",
    "[Host]\nid = V\n\n[Other]\nid = z\n" },
  { "other-section-untouched", "id", "V", "[Global]\nid = z\n[Host]\n",
    "[Global]\nid = z\n[Host]\nid = V\n" },
  { "section-absent", "id", "V", "# only a comment\n", "# only a comment\n\n[Host]\nid = V\n" },
  { "section-absent-no-newline", "id", "V", "# c", "# c\n\n[Host]\nid = V\n" },
  { "section-absent-blank-end", "id", "V", "# c\n\n", "# c\n\n[Host]\nid = V\n" },
  { "section-absent-other", "id", "V", "[Other]\nk = 1\n", "[Other]\nk = 1\n\n[Host]\nid = V\n" },
  { "empty-file", "nqn", "N", "", "[Host]\nnqn = N\n" },
  { "continuation", "symname", "S", "[Host]\nsymname = a\n   b\n# c\n   d\nnqn = x\n",
    "[Host]\nsymname = S\n# c\nnqn = x\n" },
  { "after-continuation", "id", "V", "[Host]\nnqn = a\n   b\n# c\n",
    "[Host]\nnqn = a\n   b\nid = V\n# c\n" },
  { "indented-replace", "nqn", "N", "[Host]\n  nqn = a\n  id = b\n",
    "[Host]\n  nqn = N\n  id = b\n" },
  { "indented-insert", "symname", "S", "[Host]\n  nqn = a\n  id = b\n",
    "[Host]\n  nqn = a\n  id = b\n  symname = S\n" },
  { "crlf-insert", "id", "V", "[Host]\r\nnqn = a\r\n", "[Host]\r\nnqn = a\r\nid = V\r\n" },
  { "crlf-replace", "nqn", "N", "[Host]\r\nnqn = a\r\n", "[Host]\r\nnqn = N\r\n" },
  { "no-final-newline-insert", "id", "V", "[Host]\nnqn = a", "[Host]\nnqn = a\nid = V\n" },
  { "no-final-newline-header", "id", "V", "[Host]", "[Host]\nid = V\n" },
  { "no-final-newline-replace", "nqn", "N", "[Host]\nnqn = a", "[Host]\nnqn = N" },
  { "lower-case-section", "id", "V", "[host]\nnqn = a\n", "[host]\nnqn = a\nid = V\n" },
  { "header-comment", "id", "V", "[Host] # main\n", "[Host] # main\nid = V\n" },
  { "bom", "id", "V", "\xEF\xBB\xBF[Host]\nnqn = a\n", "\xEF\xBB\xBF[Host]\nnqn = a\nid = V\n" },
  { "outside-section", "id", "V", "id = z\n[Host]\n", "id = z\n[Host]\nid = V\n" },
  { "bad-lines-kept", "id", "V", "[Host]\nnqn = a\nbare\n\xff\xfe\n",
    "[Host]\nnqn = a\nid = V\nbare\n\xff\xfe\n" },
  { "not-host", "id", "V", "[Hosts]\nid = a\n", "[Hosts]\nid = a\n\n[Host]\nid = V\n" },
  { "remove", "symname", NULL, "[Host]\nnqn = a\nsymname = s # c\n# keep\nsymname = t\n   u\n",
    "[Host]\nnqn = a\n# keep\n" },
  { "remove-all-hosts", "symname", NULL, "[Host]\nsymname = a\n[Host]\nSYMNAME = b\n",
    "[Host]\n[Host]\n" },
  { "remove-absent", "symname", NULL, "# c\n[Host]\nnqn = a\n", "# c\n[Host]\nnqn = a\n" },
  { "remove-commented", "symname", NULL, "[Host]\n#symname = a\n", "[Host]\n#symname = a\n" },
  { "remove-empty", "symname", NULL, "", "" },
};

/* What the daemons will read back: the last [Host] value of @key, NULL if none. */
static char *
read_back (const char *data, const char *key)
{
  static const char *const sections[] = { "Host", NULL };
  g_autoptr (StasIniDiags) diags = stas_ini_diags_new ("t");
  g_autoptr (GPtrArray) entries = stas_ini_parse (data, strlen (data), sections, NULL, diags);
  char *value = NULL;

  stas_ini_diags_flush (diags, NULL);
  for (guint i = 0; i < entries->len; i++)
    {
      const StasIniEntry *e = g_ptr_array_index (entries, i);
      g_assert_false (e->continuation && strcmp (e->key, key) == 0);
      if (strcmp (e->key, key) == 0)
        {
          g_free (value);
          value = g_strdup (e->value);
        }
    }
  return value;
}

static void
test_edit (gconstpointer data)
{
  const EditCase *c = data;
  gsize len = 0;
  g_autofree char *out = stas_adm_edit_host_key (c->in, strlen (c->in), c->key, c->value, &len);
  g_autofree char *back = read_back (out, c->key);

  g_assert_cmpuint (len, ==, strlen (out));
  g_assert_cmpstr (out, ==, c->out);
  g_assert_cmpstr (back, ==, c->value);
}

/* the worked example of spec/config.md §7.3 keeps its comments */
static void
test_edit_worked_example (void)
{
  static const char in[] = "# /etc/stas/sys.conf\n"
                           "[Host]\n"
                           "nqn = file:///etc/nvme/hostnqn\n"
                           "id = file:///etc/nvme/hostid\n"
                           "#key = file:///etc/nvme/hostkey\n";
  static const char out[] = "# /etc/stas/sys.conf\n"
                            "[Host]\n"
                            "nqn = file:///etc/nvme/hostnqn\n"
                            "id = file:///etc/nvme/hostid\n"
                            "symname = rack4-host17 (lab)\n"
                            "#key = file:///etc/nvme/hostkey\n";
  gsize len;
  g_autofree char *a =
      stas_adm_edit_host_key (in, strlen (in), "symname", "rack4-host17 (lab)", &len);
  g_autofree char *b = stas_adm_edit_host_key (a, len, "symname", NULL, &len);

  g_assert_cmpstr (a, ==, out);
  g_assert_cmpstr (b, ==, in);
}

/* ---- files ------------------------------------------------------------------------ */

static mode_t
mode_of (const char *path)
{
  struct stat st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static void
save_ok (const char *conf, const char *key, const char *value, const char *file)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (stas_adm_save (conf, key, value, file, &error));
  g_assert_no_error (error);
}

static void
test_save_creates (Fixture *f, gconstpointer data)
{
  mode_t old = umask (077); /* a new file is 0644 whatever the umask */
  g_autofree char *conf = NULL;
  g_autofree char *names = NULL;

  save_ok (f->conf, "nqn", HOSTNQN, NULL);
  umask (old);
  conf = get (f->conf);
  g_assert_cmpstr (conf, ==, "[Host]\nnqn = " HOSTNQN "\n");
  g_assert_cmpuint (mode_of (f->conf), ==, 0644);
  names = dir_listing (f);
  g_assert_cmpstr (names, ==, "sys.conf");
}

/* the §5.4 flow: hostnqn -f, hostid -f, set-symname */
static void
test_save_files (Fixture *f, gconstpointer data)
{
  g_autofree char *hostid = path_in (f, "hostid");
  g_autofree char *nqn = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *names = NULL;
  GError *error = NULL;

  put (f->machine_id, MACHINE_ID "\n", -1);
  nqn = stas_adm_host_nqn_new (&f->sys, &error);
  g_assert_no_error (error);
  save_ok (f->conf, "nqn", nqn, f->hostnqn);
  id = stas_adm_host_id_new (&f->sys, f->conf, "/nonexistent/hostnqn", NULL, &error);
  g_assert_no_error (error);
  save_ok (f->conf, "id", id, hostid);
  save_ok (f->conf, "symname", "rack4-host17 (lab)", NULL);

  text = get (f->hostnqn);
  g_assert_cmpstr (text, ==, STAS_ADM_NQN_UUID_PREFIX MACHINE_UUID "\n");
  g_free (text);
  text = get (hostid);
  g_assert_cmpstr (text, ==, MACHINE_UUID "\n"); /* [D-66] consistent pair */
  g_free (text);
  text = get (f->conf);
  expected = g_strdup_printf ("[Host]\nnqn = file://%s\nid = file://%s\n"
                              "symname = rack4-host17 (lab)\n",
                              f->hostnqn, hostid);
  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpuint (mode_of (f->hostnqn), ==, 0644);

  /* clear-symname removes it; again is no error */
  save_ok (f->conf, "symname", NULL, NULL);
  save_ok (f->conf, "symname", NULL, NULL);
  g_free (text);
  text = get (f->conf);
  g_assert_true (g_str_has_suffix (text, "hostid\n"));

  /* no temporary file is left behind */
  names = dir_listing (f);
  g_assert_cmpstr (names, ==, "hostid hostnqn machine-id sys.conf");
}

static void
test_save_keeps_mode_and_replaces (Fixture *f, gconstpointer data)
{
  struct stat before, after;
  g_autofree char *text = NULL;

  put (f->conf, "# mine\n[Host]\nnqn = a\n", -1);
  g_assert_cmpint (g_chmod (f->conf, 0600), ==, 0);
  g_assert_cmpint (g_stat (f->conf, &before), ==, 0);
  save_ok (f->conf, "id", "x", NULL);
  g_assert_cmpint (g_stat (f->conf, &after), ==, 0);
  g_assert_cmpuint (after.st_mode & 07777, ==, 0600);
  g_assert_cmpuint (after.st_uid, ==, before.st_uid);
  g_assert_cmpuint (after.st_gid, ==, before.st_gid);
  /* replaced by rename, not rewritten in place: a reader never sees a torn file */
  g_assert_cmpuint (after.st_ino, !=, before.st_ino);
  text = get (f->conf);
  g_assert_cmpstr (text, ==, "# mine\n[Host]\nnqn = a\nid = x\n");

  /* an unchanged file is left alone */
  g_assert_cmpint (g_stat (f->conf, &before), ==, 0);
  save_ok (f->conf, "id", "x", NULL);
  g_assert_cmpint (g_stat (f->conf, &after), ==, 0);
  g_assert_cmpuint (after.st_ino, ==, before.st_ino);
}

static void
test_save_no_conf (Fixture *f, gconstpointer data)
{
  g_autofree char *text = NULL;
  g_autofree char *names = NULL;

  /* -c '': only the -f file */
  save_ok ("", "nqn", HOSTNQN, f->hostnqn);
  save_ok (NULL, "symname", "x", NULL);
  text = get (f->hostnqn);
  g_assert_cmpstr (text, ==, HOSTNQN "\n");
  /* clear-symname does not create a missing file */
  save_ok (f->conf, "symname", NULL, NULL);
  names = dir_listing (f);
  g_assert_cmpstr (names, ==, "hostnqn");
}

static void
test_save_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = path_in (f, "no-such-dir/hostnqn");
  g_autofree char *msg = g_strdup_printf ("%s: No such file or directory", missing);
  g_autofree char *msg2 = g_strdup_printf ("%s: Is a directory", f->conf);
  g_autofree char *names = NULL;
  GError *error = NULL;

  /* an unwritable -f file */
  g_assert_false (stas_adm_save (f->conf, "nqn", HOSTNQN, missing, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_cmpstr (error->message, ==, msg);
  g_clear_error (&error);
  g_assert_false (g_file_test (f->conf, G_FILE_TEST_EXISTS)); /* nothing half done */

  /* an unreadable configuration file: fails before the -f file is written */
  g_assert_cmpint (g_mkdir (f->conf, 0700), ==, 0);
  g_assert_false (stas_adm_save (f->conf, "nqn", HOSTNQN, f->hostnqn, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_cmpstr (error->message, ==, msg2);
  g_clear_error (&error);
  g_assert_false (g_file_test (f->hostnqn, G_FILE_TEST_EXISTS));

  /* writing over a directory */
  g_assert_false (stas_adm_write_file (f->conf, "x", 1, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_clear_error (&error);

  names = dir_listing (f);
  g_assert_cmpstr (names, ==, "sys.conf");
}

static void
test_save_unwritable_dir (Fixture *f, gconstpointer data)
{
  g_autofree char *sub = path_in (f, "ro");
  g_autofree char *conf = g_build_filename (sub, "sys.conf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *listing = NULL;
  g_autoptr (GDir) dir = NULL;
  GError *error = NULL;

  if (geteuid () == 0)
    {
      /* root writes anyway; the failure path is covered by test_save_errors */
      g_test_message ("running as root: permission failure not observable");
      return;
    }
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  put (conf, "[Host]\nnqn = a\n", -1);
  g_assert_cmpint (g_chmod (sub, 0500), ==, 0);
  g_assert_false (stas_adm_save (conf, "id", "x", NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES);
  g_clear_error (&error);
  g_assert_cmpint (g_chmod (sub, 0700), ==, 0);
  text = get (conf);
  g_assert_cmpstr (text, ==, "[Host]\nnqn = a\n");
  dir = g_dir_open (sub, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (dir), ==, "sys.conf");
  g_assert_null (g_dir_read_name (dir));
  g_unlink (conf);
}

static void
test_save_symlink (Fixture *f, gconstpointer data)
{
  g_autofree char *real = path_in (f, "real.conf");
  g_autofree char *text = NULL;

  put (real, "[Host]\n", -1);
  g_assert_cmpint (symlink ("real.conf", f->conf), ==, 0);
  save_ok (f->conf, "id", "x", NULL);
  g_assert_true (g_file_test (f->conf, G_FILE_TEST_IS_SYMLINK));
  text = get (real);
  g_assert_cmpstr (text, ==, "[Host]\nid = x\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define FIXTURE_TEST(path, fn)                                                                     \
  g_test_add ("/adm/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

  g_test_add_func ("/adm/uuid/machine-app-specific", test_machine_app_uuid);
  g_test_add_func ("/adm/uuid/dmi-swap", test_dmi_swap);
  FIXTURE_TEST ("uuid/system-order", test_system_uuid_order);
  FIXTURE_TEST ("uuid/host-nqn", test_host_nqn);
  FIXTURE_TEST ("uuid/host-id", test_host_id);
  FIXTURE_TEST ("uuid/host-id-unreadable-conf", test_host_id_unreadable_conf);
  g_test_add_func ("/adm/symname-valid", test_symname_valid);
  for (gsize i = 0; i < G_N_ELEMENTS (edit_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/adm/edit/%s", edit_cases[i].name);
      g_test_add_data_func (path, &edit_cases[i], test_edit);
    }
  g_test_add_func ("/adm/edit/worked-example", test_edit_worked_example);
  FIXTURE_TEST ("save/creates", test_save_creates);
  FIXTURE_TEST ("save/files", test_save_files);
  FIXTURE_TEST ("save/keeps-mode", test_save_keeps_mode_and_replaces);
  FIXTURE_TEST ("save/no-conf", test_save_no_conf);
  FIXTURE_TEST ("save/errors", test_save_errors);
  FIXTURE_TEST ("save/unwritable-dir", test_save_unwritable_dir);
  FIXTURE_TEST ("save/symlink", test_save_symlink);

  return g_test_run ();
}
