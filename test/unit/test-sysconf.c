/* test-sysconf.c — sys.conf and the /etc/nvme host files (spec/config.md §5, §7.3;
 * departures D-30, D-31; bad-input §2). */
#include "config.h"

#include "test-util.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "stas-config.h"
#include "stas-log.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOSTID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOSTKEY "DHHC-1:00:YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=:"

typedef struct
{
  char *dir;     /* temporary root */
  char *nvme;    /* <dir>/nvme */
  char *sysconf; /* <dir>/sys.conf */
  GPtrArray *diags;
} Fixture;

static void
put (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static char *
nvme_file (Fixture *f, const char *name)
{
  return g_build_filename (f->nvme, name, NULL);
}

static void
put_nvme (Fixture *f, const char *name, const char *text)
{
  g_autofree char *path = nvme_file (f, name);
  put (path, text);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("stas-sysconf-XXXXXX", &error);
  g_assert_no_error (error);
  f->nvme = g_build_filename (f->dir, "nvme", NULL);
  g_assert_cmpint (g_mkdir (f->nvme, 0700), ==, 0);
  f->sysconf = g_build_filename (f->dir, "sys.conf", NULL);
  f->diags = stas_diags_new ();
  put_nvme (f, "hostnqn", HOSTNQN "\n");
  put_nvme (f, "hostid", HOSTID "\n");
}

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->nvme);
  g_free (f->sysconf);
  g_ptr_array_unref (f->diags);
}

static StasSysConf *
load_ok (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  StasSysConf *sc = stas_sysconf_load (f->sysconf, f->nvme, f->diags, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sc);
  return sc;
}

static void
load_fails (Fixture *f, const char *message)
{
  g_autoptr (GError) error = NULL;
  StasSysConf *sc = stas_sysconf_load (f->sysconf, f->nvme, f->diags, &error);
  g_assert_null (sc);
  g_assert_error (error, G_FILE_ERROR, error->code);
  g_assert_cmpstr (error->message, ==, message);
}

static char *
no_key_diag (Fixture *f)
{
  g_autofree char *path = nvme_file (f, "hostkey");
  return g_strdup_printf ("D Host key undefined: %s: %s", path, g_strerror (ENOENT));
}

/* [SYS-1] [SYS-2] no sys.conf: nqn and id from <nvme_dir>/hostnqn and hostid, no key (DEBUG),
 * no symname. */
static void
test_defaults (Fixture *f, gconstpointer data)
{
  g_autoptr (StasSysConf) sc = load_ok (f);
  g_autofree char *nokey = no_key_diag (f);
  StasSysConf *ref = stas_sysconf_ref (sc);

  g_assert_true (ref == sc);
  stas_sysconf_unref (ref);
  ASSERT_DIAGS (f->diags, nokey);
  g_assert_cmpstr (stas_sysconf_get_host_nqn (sc), ==, HOSTNQN);
  g_assert_cmpstr (stas_sysconf_get_host_id (sc), ==, HOSTID);
  g_assert_null (stas_sysconf_get_host_key (sc));
  g_assert_null (stas_sysconf_get_symname (sc));
}

/* §7.3: the worked example (comments preserved, symname with spaces and parentheses). */
static void
test_example (Fixture *f, gconstpointer data)
{
  g_autofree char *text = g_strdup_printf ("# /etc/stas/sys.conf  (as written by stasadm)\n"
                                           "[Host]\n"
                                           "nqn = file://%s/hostnqn\n"
                                           "id = file://%s/hostid\n"
                                           "symname = rack4-host17 (lab)\n"
                                           "#key = file://%s/hostkey\n",
                                           f->nvme, f->nvme, f->nvme);
  g_autoptr (StasSysConf) sc = NULL;

  put (f->sysconf, text);
  put_nvme (f, "hostkey", HOSTKEY "\n");
  sc = load_ok (f);
  ASSERT_NO_DIAGS (f->diags);
  g_assert_cmpstr (stas_sysconf_get_host_nqn (sc), ==, HOSTNQN);
  g_assert_cmpstr (stas_sysconf_get_host_id (sc), ==, HOSTID);
  g_assert_cmpstr (stas_sysconf_get_symname (sc), ==, "rack4-host17 (lab)");
  g_assert_cmpstr (stas_sysconf_get_host_key (sc), ==, HOSTKEY); /* the default file */
}

/* [SYS-2] literal values; inline comments stripped. */
static void
test_literal_values (Fixture *f, gconstpointer data)
{
  g_autoptr (StasSysConf) sc = NULL;

  put (f->sysconf, "[Host]\nnqn = nqn.2014-08.com.example:host1   # the host\n"
                   "id = 11111111-2222-3333-4444-555555555555\nkey = " HOSTKEY "\n"
                   "symname = rack#4\n");
  sc = load_ok (f);
  ASSERT_NO_DIAGS (f->diags);
  g_assert_cmpstr (stas_sysconf_get_host_nqn (sc), ==, "nqn.2014-08.com.example:host1");
  g_assert_cmpstr (stas_sysconf_get_host_id (sc), ==, "11111111-2222-3333-4444-555555555555");
  g_assert_cmpstr (stas_sysconf_get_host_key (sc), ==, HOSTKEY);
  g_assert_cmpstr (stas_sysconf_get_symname (sc), ==, "rack#4");
}

/* [SYS-2] [D-30] file://: the first word of the first line for nqn/id/key, the whole first
 * line (trimmed) for symname. */
static void
test_file_values (Fixture *f, gconstpointer data)
{
  g_autofree char *text = NULL;
  g_autoptr (StasSysConf) sc = NULL;

  put_nvme (f, "n", "  " HOSTNQN " trailing words\nsecond line\n");
  put_nvme (f, "i", HOSTID "\tx\n");
  put_nvme (f, "k", HOSTKEY " comment\n");
  put_nvme (f, "s", "  my host name (lab 2)  \nsecond\n");
  text = g_strdup_printf ("[Host]\nnqn=file://%s/n\nid=file://%s/i\nkey=file://%s/k\n"
                          "symname=file://%s/s\n",
                          f->nvme, f->nvme, f->nvme, f->nvme);
  put (f->sysconf, text);
  sc = load_ok (f);
  ASSERT_NO_DIAGS (f->diags);
  g_assert_cmpstr (stas_sysconf_get_host_nqn (sc), ==, HOSTNQN);
  g_assert_cmpstr (stas_sysconf_get_host_id (sc), ==, HOSTID);
  g_assert_cmpstr (stas_sysconf_get_host_key (sc), ==, HOSTKEY);
  g_assert_cmpstr (stas_sysconf_get_symname (sc), ==, "my host name (lab 2)");
}

/* [SYS-3] host NQN missing / empty: fatal with the reason. */
static void
test_nqn_missing (Fixture *f, gconstpointer data)
{
  g_autofree char *path = nvme_file (f, "hostnqn");
  g_autofree char *m1 = g_strdup_printf (
      "Error reading mandatory Host NQN (see stasadm --help): %s: %s", path, g_strerror (ENOENT));
  g_autofree char *m2 =
      g_strdup_printf ("Error reading mandatory Host NQN (see stasadm --help): %s is empty", path);

  g_assert_cmpint (g_unlink (path), ==, 0);
  load_fails (f, m1);
  put_nvme (f, "hostnqn", "\n");
  load_fails (f, m2);
  put (f->sysconf, "[Host]\nnqn =\n");
  load_fails (f, "Error reading mandatory Host NQN (see stasadm --help): empty value");
}

/* [SYS-3] [D-31] host NQN prefix and length. */
static void
test_nqn_invalid (Fixture *f, gconstpointer data)
{
  g_autofree char *n223 = g_strnfill (223 - 4, 'a');
  g_autofree char *ok = g_strconcat ("nqn.", n223, "\n", NULL);
  g_autofree char *toolong = g_strconcat ("nqn.", n223, "b\n", NULL);
  g_autoptr (StasSysConf) sc = NULL;

  put_nvme (f, "hostnqn", "iqn.2001-04.com.example:host\n");
  load_fails (f, "Error Host NQN \"iqn.2001-04.com.example:host\" should start with \"nqn.\"");
  put_nvme (f, "hostnqn", toolong);
  load_fails (f, "Error Host NQN is too long (224 chars, max 223 per NVMe spec)");
  put_nvme (f, "hostnqn", ok);
  sc = load_ok (f);
  g_assert_cmpuint (strlen (stas_sysconf_get_host_nqn (sc)), ==, 223);
}

/* [SYS-3] [D-31] host ID missing or not a UUID. */
static void
test_id_invalid (Fixture *f, gconstpointer data)
{
  g_autofree char *path = nvme_file (f, "hostid");
  g_autofree char *m1 = g_strdup_printf (
      "Error reading mandatory Host ID (see stasadm --help): %s: %s", path, g_strerror (ENOENT));

  g_assert_cmpint (g_unlink (path), ==, 0);
  load_fails (f, m1);
  put_nvme (f, "hostid", "9d1a8b3e2c4f4e6a9b7d1f2e3d4c5b6a\n");
  load_fails (f, "Error Host ID \"9d1a8b3e2c4f4e6a9b7d1f2e3d4c5b6a\" is not a valid UUID");
  put_nvme (f, "hostid", "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6g\n");
  load_fails (f, "Error Host ID \"9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6g\" is not a valid UUID");
}

/* [SYS-3] the host key: missing → DEBUG; malformed → WARNING without the value. */
static void
test_host_key (Fixture *f, gconstpointer data)
{
  g_autoptr (StasSysConf) sc = NULL;
  g_autoptr (StasSysConf) sc2 = NULL;

  put_nvme (f, "hostkey", "DHHC-1:xyz:secretsecret:\n");
  sc = load_ok (f);
  ASSERT_DIAGS (f->diags, "W sys.conf: host key has an invalid format, ignored");
  g_assert_null (stas_sysconf_get_host_key (sc));

  g_ptr_array_set_size (f->diags, 0);
  put (f->sysconf, "[Host]\nkey = DHHC-1:00:abc\n");
  sc2 = load_ok (f);
  ASSERT_DIAGS (f->diags, "W sys.conf: host key has an invalid format, ignored");
  g_assert_null (stas_sysconf_get_host_key (sc2));
}

/* [SYS-3] symname: unreadable → WARNING; non-printable → WARNING; empty file → undefined. */
static void
test_symname (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = nvme_file (f, "nosuch");
  g_autofree char *text = g_strdup_printf ("[Host]\nsymname = file://%s\n", missing);
  g_autofree char *want =
      g_strdup_printf ("W Error reading host symbolic name (will remain undefined): %s: %s",
                       missing, g_strerror (ENOENT));
  g_autofree char *text2 = g_strdup_printf ("[Host]\nsymname = file://%s/s\n", f->nvme);
  g_autoptr (StasSysConf) a = NULL;
  g_autoptr (StasSysConf) b = NULL;
  g_autoptr (StasSysConf) c = NULL;

  put_nvme (f, "hostkey", HOSTKEY);
  put (f->sysconf, text);
  a = load_ok (f);
  ASSERT_DIAGS (f->diags, want);
  g_assert_null (stas_sysconf_get_symname (a));

  g_ptr_array_set_size (f->diags, 0);
  put (f->sysconf, text2);
  put_nvme (f, "s", "bad\tname\n");
  b = load_ok (f);
  ASSERT_DIAGS (f->diags, "W sys.conf: symname contains non-printable characters, ignored");
  g_assert_null (stas_sysconf_get_symname (b));

  g_ptr_array_set_size (f->diags, 0);
  put_nvme (f, "s", "");
  c = load_ok (f);
  ASSERT_NO_DIAGS (f->diags);
  g_assert_null (stas_sysconf_get_symname (c));
}

/* bad-input §2: unknown sections and keys, syntax errors, repeated and continued keys. */
static void
test_syntax (Fixture *f, gconstpointer data)
{
  g_autofree char *nokey = no_key_diag (f);
  g_autofree char *w1 =
      g_strdup_printf ("W %s:1: entry outside of any section, ignored", f->sysconf);
  g_autofree char *w2 =
      g_strdup_printf ("W %s:2: section [host] should be spelled [Host]", f->sysconf);
  g_autofree char *w3 =
      g_strdup_printf ("W %s:3: [Host] unknown option \"hostnqn\", ignored", f->sysconf);
  g_autofree char *w5 = g_strdup_printf (
      "W %s:5: continuation line for single-valued option \"symname\" ignored", f->sysconf);
  g_autofree char *i6 =
      g_strdup_printf ("I %s:6: [Host] symname overrides the value at line 4", f->sysconf);
  g_autofree char *w7 =
      g_strdup_printf ("W %s:7: \"id\" is not a key=value pair, ignored", f->sysconf);
  g_autofree char *w8 =
      g_strdup_printf ("W %s:8: unknown section [Other], its entries are ignored", f->sysconf);
  g_autoptr (StasSysConf) sc = NULL;

  put (f->sysconf, "nqn = x\n[host]\nhostnqn = x\nsymname = a\n   b\nsymname = c\nid\n"
                   "[Other]\nnqn = nqn.other:x\n");
  sc = load_ok (f);
  ASSERT_DIAGS (f->diags, w1, w2, w3, w5, i6, w7, w8, nokey);
  g_assert_cmpstr (stas_sysconf_get_symname (sc), ==, "c");
  g_assert_cmpstr (stas_sysconf_get_host_nqn (sc), ==, HOSTNQN);
}

/* An unreadable sys.conf is reported; the defaults apply. */
static void
test_unreadable (Fixture *f, gconstpointer data)
{
  g_autofree char *nokey = no_key_diag (f);
  g_autofree char *want =
      g_strdup_printf ("W %s: cannot read configuration file: %s", f->sysconf, g_strerror (EISDIR));
  g_autoptr (StasSysConf) sc = NULL;

  g_assert_cmpint (g_mkdir (f->sysconf, 0700), ==, 0);
  sc = load_ok (f);
  ASSERT_DIAGS (f->diags, want, nokey);
  g_assert_cmpstr (stas_sysconf_get_host_nqn (sc), ==, HOSTNQN);
}

/* [SYS-4] identity change detection (re-read on SIGHUP, D-30). */
static void
test_identity_changed (Fixture *f, gconstpointer data)
{
  g_autoptr (StasSysConf) a = load_ok (f);
  g_autoptr (StasSysConf) b = NULL;
  g_autoptr (StasSysConf) c = NULL;

  put (f->sysconf, "[Host]\nsymname = new name\n");
  b = load_ok (f);
  g_assert_false (stas_sysconf_identity_changed (a, b));
  g_assert_cmpstr (stas_sysconf_get_symname (b), ==, "new name");
  put_nvme (f, "hostid", "00000000-0000-0000-0000-000000000001\n");
  c = load_ok (f);
  g_assert_true (stas_sysconf_identity_changed (a, c));
  g_assert_cmpstr (stas_sysconf_get_host_id (c), ==, "00000000-0000-0000-0000-000000000001");
}

#define ADD(name, fn) g_test_add (name, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/sysconf/SYS-1/defaults", test_defaults);
  ADD ("/sysconf/example-7.3", test_example);
  ADD ("/sysconf/SYS-2/literal-values", test_literal_values);
  ADD ("/sysconf/SYS-2/D-30/file-values", test_file_values);
  ADD ("/sysconf/SYS-3/nqn-missing", test_nqn_missing);
  ADD ("/sysconf/SYS-3/D-31/nqn-invalid", test_nqn_invalid);
  ADD ("/sysconf/SYS-3/D-31/id-invalid", test_id_invalid);
  ADD ("/sysconf/SYS-3/host-key", test_host_key);
  ADD ("/sysconf/SYS-3/symname", test_symname);
  ADD ("/sysconf/syntax", test_syntax);
  ADD ("/sysconf/unreadable", test_unreadable);
  ADD ("/sysconf/SYS-4/identity-changed", test_identity_changed);

  return g_test_run ();
}
