/* test-state.c — the run-time state file: spec/system.md §3 [STATE-1] (location, atomic
 * write, format), SPEC [SEC-1] [SEC-2] (no secrets, 0600 in 0700), spec/bad-input.md §8
 * (every row), [D-52] [D-54]. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stas-dlp.h"
#include "stas-log.h"
#include "stas-state.h"

#define HOST_NQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOST_ID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define DELL_NQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"
#define ARRAY1 "nqn.2023-01.com.example:array1"
#define DISC_NQN "nqn.2014-08.org.nvmexpress.discovery"

static const StasTidDefaults stafd_defaults = {
  .kind = STAS_DAEMON_STAFD,
  .host_nqn = HOST_NQN,
  .host_id = HOST_ID,
};

static const StasTidDefaults stacd_defaults = {
  .kind = STAS_DAEMON_STACD,
  .host_nqn = HOST_NQN,
  .host_id = HOST_ID,
};

/* JSON fragments of the spec/system.md §3.3 example. */
#define TID_DC2                                                                                    \
  "{\"transport\": \"tcp\", \"traddr\": \"192.168.10.20\", \"trsvcid\": \"8009\", "                \
  "\"subsysnqn\": \"" DELL_NQN "\", \"host-traddr\": \"\", \"host-iface\": \"eth1\", "             \
  "\"host-nqn\": \"" HOST_NQN "\", \"host-id\": \"" HOST_ID "\"}"
#define TID_IOC1                                                                                   \
  "{\"transport\": \"tcp\", \"traddr\": \"192.168.10.31\", \"trsvcid\": \"4420\", "                \
  "\"subsysnqn\": \"" ARRAY1 "\", \"host-traddr\": \"\", \"host-iface\": \"eth1\", "               \
  "\"host-nqn\": \"" HOST_NQN "\", \"host-id\": \"" HOST_ID "\"}"
#define DLPE_ARRAY1                                                                                \
  "{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": \"192.168.10.31\", "                    \
  "\"trsvcid\": \"4420\", \"subnqn\": \"" ARRAY1 "\", \"subtype\": \"nvme\", "                     \
  "\"treq\": \"not specified\", \"portid\": \"1\", \"cntlid\": \"65535\", "                        \
  "\"asqsz\": \"32\", \"eflags\": \"0\"}"
#define HEAD(daemon)                                                                               \
  "{\"format\": \"stas-last-known-config\", \"version\": 1, \"daemon\": \"" daemon "\", "          \
  "\"written\": \"2025-03-04T09:15:02Z\", \"host\": {\"nqn\": \"" HOST_NQN "\", "                  \
  "\"id\": \"" HOST_ID "\"}, \"controllers\": ["
#define GOOD_STAFD_RECORD                                                                          \
  "{\"tid\": " TID_DC2 ", \"origin\": \"discovered\", \"referral-depth\": 0, "                     \
  "\"device\": \"nvme1\", \"log-pages-state\": \"current\", \"log-pages\": [" DLPE_ARRAY1          \
  "], \"unresponsive-since\": null}"
#define GOOD_STACD_RECORD                                                                          \
  "{\"tid\": " TID_IOC1 ", \"origin\": \"discovered\", \"sources\": [" TID_DC2 "], "               \
  "\"dlpe\": " DLPE_ARRAY1 ", \"device\": \"nvme2\"}"

typedef struct
{
  char *dir;  /* (owned) temporary directory */
  char *path; /* (owned) <dir>/run/last-known-config.json */
  GPtrArray *diags;
} Fixture;

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fx->dir = g_dir_make_tmp ("stas-state-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "run", STAS_STATE_FILE_NAME, NULL);
  fx->diags = stas_diags_new ();
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
  remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
  g_ptr_array_unref (fx->diags);
}

static StasTid *
tid_new (const StasTidDefaults *defaults,
         const char *traddr,
         const char *trsvcid,
         const char *nqn,
         const char *iface)
{
  g_autoptr (GError) error = NULL;
  StasTidFields f = {
    .transport = "tcp",
    .traddr = traddr,
    .trsvcid = trsvcid,
    .subsysnqn = nqn,
    .host_iface = iface,
  };
  StasTid *tid = stas_tid_new (defaults, &f, &error);

  g_assert_no_error (error);
  return tid;
}

static GVariant *
dlp_variant (void)
{
  static const StasDlpeSpec specs[] = {
    { .trtype = 3,
      .adrfam = 1,
      .subtype = 2,
      .portid = 1,
      .cntlid = 65535,
      .asqsz = 32,
      .trsvcid = "4420",
      .subnqn = ARRAY1,
      .traddr = "192.168.10.31" },
    { .trtype = 3,
      .adrfam = 1,
      .subtype = 1,
      .portid = 2,
      .cntlid = 65535,
      .asqsz = 32,
      .trsvcid = "8009",
      .subnqn = DISC_NQN,
      .traddr = "192.168.10.40" },
  };
  g_autoptr (StasDlpRaw) raw = stas_dlp_build_page (1, specs, G_N_ELEMENTS (specs));
  g_autoptr (GArray) entries = stas_dlp_parse_page (raw, "", "", NULL, NULL);

  return stas_dlp_to_variant (entries);
}

static GDateTime *
fixed_time (void)
{
  return g_date_time_new_utc (2025, 3, 4, 9, 15, 2);
}

static void
write_text (const char *path, const char *text, gssize length)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text, length, &error);
  g_assert_no_error (error);
}

static guint
count_diags (GPtrArray *diags, StasLogLevel level)
{
  guint n = 0;

  for (guint i = 0; i < diags->len; i++)
    if (((StasDiag *) g_ptr_array_index (diags, i))->level == level)
      n++;
  return n;
}

static const char *
diag_text (GPtrArray *diags, StasLogLevel level)
{
  for (guint i = 0; i < diags->len; i++)
    if (((StasDiag *) g_ptr_array_index (diags, i))->level == level)
      return ((StasDiag *) g_ptr_array_index (diags, i))->text;
  return NULL;
}

/* ---- writing and round trips ------------------------------------------------------------ */

static StasState *
make_stafd_state (void)
{
  StasState *state = stas_state_new (STAS_DAEMON_STAFD, HOST_NQN, HOST_ID);
  g_autoptr (StasTid) dc1 = tid_new (&stafd_defaults, "192.168.10.30", NULL, NULL, "eth1");
  g_autoptr (StasTid) dc2 = tid_new (&stafd_defaults, "192.168.10.20", NULL, DELL_NQN, "eth1");
  g_autoptr (StasTid) ref = tid_new (&stafd_defaults, "192.168.10.40", NULL, NULL, "eth1");
  StasStateRecord *record;

  record = stas_state_record_new (dc1, STAS_STATE_ORIGIN_CONFIGURED);
  stas_state_record_set_device (record, "nvme0");
  stas_state_add_record (state, record);

  record = stas_state_record_new (dc2, STAS_STATE_ORIGIN_DISCOVERED);
  stas_state_record_set_device (record, "nvme1");
  record->log_pages_state = STAS_STATE_LOG_PAGES_CURRENT;
  stas_state_record_set_log_pages (record, dlp_variant ());
  record->has_unresponsive_since = TRUE;
  record->unresponsive_since = 1741079702.25;
  stas_state_add_record (state, record);

  record = stas_state_record_new (ref, STAS_STATE_ORIGIN_REFERRAL);
  record->referral_depth = 2;
  record->log_pages_state = STAS_STATE_LOG_PAGES_CACHED;
  stas_state_add_record (state, record);
  return state;
}

/* [STATE-1] spec/system.md §3.3: the exact document (keys, order, types). */
static void
test_format_stafd (void)
{
  g_autoptr (StasState) state = make_stafd_state ();
  g_autoptr (GDateTime) when = fixed_time ();
  g_autofree char *text = stas_state_to_json (state, when);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  g_assert_cmpstr (lines[0], ==, HEAD ("stafd"));
  g_assert_cmpstr (
      lines[1], ==,
      "{\"tid\": {\"transport\": \"tcp\", \"traddr\": \"192.168.10.30\", \"trsvcid\": \"8009\", "
      "\"subsysnqn\": \"" DISC_NQN "\", \"host-traddr\": \"\", \"host-iface\": \"eth1\", "
      "\"host-nqn\": \"" HOST_NQN "\", \"host-id\": \"" HOST_ID "\"}, \"origin\": "
      "\"configured\", \"referral-depth\": 0, \"device\": \"nvme0\", \"log-pages-state\": "
      "\"none\", \"log-pages\": [], \"unresponsive-since\": null},");
  g_assert_true (g_str_has_prefix (lines[2], "{\"tid\": " TID_DC2 ", \"origin\": \"discovered\", "
                                             "\"referral-depth\": 0, \"device\": \"nvme1\", "
                                             "\"log-pages-state\": \"current\", \"log-pages\": "
                                             "[" DLPE_ARRAY1 ", {"));
  g_assert_true (g_str_has_suffix (lines[2], "}], \"unresponsive-since\": 1741079702.25},"));
  g_assert_true (g_str_has_suffix (lines[3], "\"origin\": \"referral\", \"referral-depth\": 2, "
                                             "\"device\": \"\", \"log-pages-state\": \"cached\", "
                                             "\"log-pages\": [], \"unresponsive-since\": null}"));
  g_assert_cmpstr (lines[4], ==, "]}");
  g_assert_cmpstr (lines[5], ==, "");
  /* [SEC-1] nothing but the specified keys: no secrets, no parameters */
  g_assert_null (strstr (text, "dhchap"));
  g_assert_null (strstr (text, "kato"));
}

/* Text that is not UTF-8 never makes the written file unreadable. */
static void
test_format_not_utf8 (void)
{
  g_autoptr (StasState) state = stas_state_new (STAS_DAEMON_STAFD, "nqn.bad\xff", HOST_ID);
  g_autoptr (StasState) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = stas_state_to_json (state, NULL);

  back = stas_state_from_json (text, strlen (text), STAS_DAEMON_STAFD, NULL, "f", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->host_nqn, ==, "nqn.bad\xef\xbf\xbd");
}

/* An empty state is a document with an empty controllers array. */
static void
test_format_empty (void)
{
  g_autoptr (StasState) state = stas_state_new (STAS_DAEMON_STACD, HOST_NQN, HOST_ID);
  g_autoptr (GDateTime) when = fixed_time ();
  g_autofree char *text = stas_state_to_json (state, when);

  g_assert_cmpstr (text, ==, HEAD ("stacd") "]}\n");
}

static void
assert_same_state (const StasState *a, const StasState *b)
{
  g_assert_cmpint (a->daemon, ==, b->daemon);
  g_assert_cmpstr (a->host_nqn, ==, b->host_nqn);
  g_assert_cmpstr (a->host_id, ==, b->host_id);
  g_assert_cmpuint (a->records->len, ==, b->records->len);
  for (guint i = 0; i < a->records->len; i++)
    {
      const StasStateRecord *x = g_ptr_array_index (a->records, i);
      const StasStateRecord *y = g_ptr_array_index (b->records, i);

      g_assert_true (stas_tid_equal (x->tid, y->tid));
      g_assert_cmpint (x->origin, ==, y->origin);
      g_assert_cmpstr (x->device, ==, y->device);
      g_assert_cmpuint (x->referral_depth, ==, y->referral_depth);
      g_assert_cmpint (x->log_pages_state, ==, y->log_pages_state);
      g_assert_true (g_variant_equal (x->log_pages, y->log_pages));
      g_assert_cmpint (x->has_unresponsive_since, ==, y->has_unresponsive_since);
      g_assert_cmpfloat (x->unresponsive_since, ==, y->unresponsive_since);
      g_assert_cmpuint (x->sources->len, ==, y->sources->len);
      for (guint j = 0; j < x->sources->len; j++)
        g_assert_true (
            stas_tid_equal (g_ptr_array_index (x->sources, j), g_ptr_array_index (y->sources, j)));
      g_assert_true ((x->dlpe == NULL) == (y->dlpe == NULL));
      if (x->dlpe != NULL)
        g_assert_true (g_variant_equal (x->dlpe, y->dlpe));
    }
}

/* [STATE-1] write → read gives the same state (stafd). */
static void
test_round_trip_stafd (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasState) state = make_stafd_state ();
  g_autoptr (StasState) back = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (stas_state_write (state, fx->path, &error));
  g_assert_no_error (error);
  back = stas_state_read (fx->path, STAS_DAEMON_STAFD, &stafd_defaults, fx->diags);
  g_assert_cmpuint (count_diags (fx->diags, STAS_LOG_WARNING), ==, 0);
  assert_same_state (state, back);
  g_assert_nonnull (back->written);
  g_assert_true (g_str_has_suffix (back->written, "Z"));
}

/* [STATE-1] write → read gives the same state (stacd: sources, dlpe, external). */
static void
test_round_trip_stacd (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasState) state = stas_state_new (STAS_DAEMON_STACD, HOST_NQN, HOST_ID);
  g_autoptr (StasState) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (StasTid) dc1 = tid_new (&stafd_defaults, "192.168.10.30", NULL, NULL, "eth1");
  g_autoptr (StasTid) dc2 = tid_new (&stafd_defaults, "192.168.10.20", NULL, DELL_NQN, "eth1");
  g_autoptr (StasTid) ioc1 = tid_new (&stacd_defaults, "192.168.10.31", NULL, ARRAY1, "eth1");
  g_autoptr (StasTid) ext = tid_new (&stacd_defaults, "10.9.9.9", "4421", ARRAY1, "");
  g_autoptr (GVariant) pages = g_variant_ref_sink (dlp_variant ());
  StasStateRecord *record;

  record = stas_state_record_new (ioc1, STAS_STATE_ORIGIN_DISCOVERED);
  stas_state_record_add_source (record, dc1);
  stas_state_record_add_source (record, dc2);
  stas_state_record_set_dlpe (record, g_variant_get_child_value (pages, 0));
  g_variant_unref (record->dlpe); /* get_child_value returned a full reference */
  stas_state_record_set_device (record, "nvme2");
  stas_state_add_record (state, record);
  record = stas_state_record_new (ext, STAS_STATE_ORIGIN_EXTERNAL);
  stas_state_record_set_device (record, "nvme7");
  stas_state_add_record (state, record);

  g_assert_true (stas_state_write (state, fx->path, &error));
  g_assert_no_error (error);
  back = stas_state_read (fx->path, STAS_DAEMON_STACD, &stacd_defaults, fx->diags);
  g_assert_cmpuint (fx->diags->len, ==, 0);
  assert_same_state (state, back);
}

/* The pretty-printed examples of spec/system.md §3.3 are accepted. */
static void
test_spec_examples (void)
{
  static const char stafd_doc[] =
      "{\n  \"format\": \"stas-last-known-config\",\n  \"version\": 1,\n"
      "  \"daemon\": \"stafd\",\n  \"written\": \"2025-03-04T09:15:02Z\",\n"
      "  \"host\": {\n    \"nqn\": \"" HOST_NQN "\",\n    \"id\": \"" HOST_ID "\"\n  },\n"
      "  \"controllers\": [\n    {\n      \"tid\": {\n"
      "        \"transport\": \"tcp\", \"traddr\": \"192.168.10.20\", \"trsvcid\": \"8009\",\n"
      "        \"subsysnqn\": \"" DELL_NQN "\",\n"
      "        \"host-traddr\": \"\", \"host-iface\": \"eth1\",\n"
      "        \"host-nqn\": \"" HOST_NQN "\",\n        \"host-id\": \"" HOST_ID "\"\n      },\n"
      "      \"origin\": \"discovered\",\n      \"referral-depth\": 0,\n"
      "      \"device\": \"nvme1\",\n      \"log-pages-state\": \"current\",\n"
      "      \"log-pages\": [\n        " DLPE_ARRAY1 "\n      ],\n"
      "      \"unresponsive-since\": null\n    }\n  ]\n}\n";
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StasState) staf =
      stas_state_from_json (stafd_doc, strlen (stafd_doc), STAS_DAEMON_STAFD, &stafd_defaults,
                            "/run/stafd/x", diags, &error);
  g_autoptr (StasState) stac = NULL;
  g_autofree char *stacd_doc = g_strconcat (HEAD ("stacd"), GOOD_STACD_RECORD, "]}", NULL);
  const StasStateRecord *r;
  g_autofree char *dlpe_text = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (diags->len, ==, 0);
  g_assert_cmpuint (staf->records->len, ==, 1);
  r = g_ptr_array_index (staf->records, 0);
  g_assert_cmpstr (stas_tid_to_string (r->tid), ==,
                   "(tcp, 192.168.10.20, 8009, " DELL_NQN ", eth1)");
  g_assert_cmpint (r->origin, ==, STAS_STATE_ORIGIN_DISCOVERED);
  g_assert_cmpint (r->log_pages_state, ==, STAS_STATE_LOG_PAGES_CURRENT);
  g_assert_cmpuint (g_variant_n_children (r->log_pages), ==, 1);
  g_assert_false (r->has_unresponsive_since);
  g_assert_cmpstr (staf->written, ==, "2025-03-04T09:15:02Z");
  g_assert_cmpstr (staf->host_nqn, ==, HOST_NQN);
  g_assert_cmpstr (staf->host_id, ==, HOST_ID);

  stac = stas_state_from_json (stacd_doc, strlen (stacd_doc), STAS_DAEMON_STACD, &stacd_defaults,
                               "/run/stacd/x", diags, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (diags->len, ==, 0);
  r = g_ptr_array_index (stac->records, 0);
  g_assert_cmpuint (r->sources->len, ==, 1);
  g_assert_cmpstr (r->device, ==, "nvme2");
  dlpe_text = g_variant_print (r->dlpe, FALSE);
  g_assert_cmpstr (dlpe_text, ==,
                   "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.168.10.31', 'trsvcid': "
                   "'4420', 'subnqn': 'nqn.2023-01.com.example:array1', 'subtype': 'nvme', "
                   "'treq': 'not specified', 'portid': '1', 'cntlid': '65535', 'asqsz': '32', "
                   "'eflags': '0'}");
}

/* [STATE-1] [SEC-2] [D-54]: the directory is created 0700, the file is 0600, no temporary
 * file is left, the file is replaced by rename (new inode). */
static void
test_write_atomic_mode (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasState) state = make_stafd_state ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (fx->path);
  g_autofree char *tmp = g_strconcat (fx->path, ".tmp", NULL);
  g_autofree char *text = NULL;
  GStatBuf st;
  ino_t first;
  mode_t old_umask = umask (0);

  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_true (stas_state_write (state, fx->path, &error));
  umask (old_umask);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (g_stat (fx->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  first = st.st_ino;

  g_assert_true (stas_state_write (state, fx->path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (fx->path, &st), ==, 0);
  g_assert_cmpuint (st.st_ino, !=, first);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_true (g_file_get_contents (fx->path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "{\"format\": \"stas-last-known-config\""));
}

/* A symbolic link planted at the temporary name is not followed. */
static void
test_write_tmp_symlink (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasState) state = make_stafd_state ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (fx->path);
  g_autofree char *tmp = g_strconcat (fx->path, ".tmp", NULL);
  g_autofree char *victim = g_build_filename (fx->dir, "victim", NULL);
  g_autofree char *text = NULL;

  write_text (victim, "precious", -1);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (symlink (victim, tmp), ==, 0);
  g_assert_true (stas_state_write (state, fx->path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (victim, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "precious");
  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
}

/* Write failures leave the previous file untouched and report a reason. */
static void
test_write_failure (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasState) state = make_stafd_state ();
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = g_strconcat (fx->path, ".tmp", NULL);
  g_autofree char *blocker = g_build_filename (tmp, "x", NULL);
  g_autofree char *file_parent = g_build_filename (fx->dir, "plain", NULL);
  g_autofree char *under_file = g_build_filename (file_parent, "sub", STAS_STATE_FILE_NAME, NULL);
  g_autofree char *text = NULL;

  write_text (fx->path, "old", -1);
  write_text (blocker, "x", -1); /* the temporary name is a non-empty directory */
  g_assert_false (stas_state_write (state, fx->path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_nonnull (strstr (error->message, tmp));
  g_assert_true (g_file_get_contents (fx->path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "old");
  g_clear_error (&error);

  write_text (file_parent, "x", -1);
  g_assert_false (stas_state_write (state, under_file, &error));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "cannot create directory "));
}

/* spec/system.md §3.1: $RUNTIME_DIRECTORY (first of several), else <rundir>/<daemon>. */
static void
test_location (void)
{
  g_autofree char *def = NULL;
  g_autofree char *def_path = NULL;
  g_autofree char *env = NULL;
  g_autofree char *env_path = NULL;
  g_autofree char *two = NULL;

  g_unsetenv ("RUNTIME_DIRECTORY");
  def = stas_state_dir (STAS_DAEMON_STAFD);
  g_assert_true (g_str_has_suffix (def, "/run/stafd"));
  def_path = stas_state_path (STAS_DAEMON_STACD);
  g_assert_true (g_str_has_suffix (def_path, "/run/stacd/last-known-config.json"));

  g_setenv ("RUNTIME_DIRECTORY", "/run/custom", TRUE);
  env = stas_state_dir (STAS_DAEMON_STAFD);
  g_assert_cmpstr (env, ==, "/run/custom");
  env_path = stas_state_path (STAS_DAEMON_STAFD);
  g_assert_cmpstr (env_path, ==, "/run/custom/last-known-config.json");
  g_setenv ("RUNTIME_DIRECTORY", "/run/a:/run/b", TRUE);
  two = stas_state_dir (STAS_DAEMON_STAFD);
  g_assert_cmpstr (two, ==, "/run/a");
  g_unsetenv ("RUNTIME_DIRECTORY");
}

/* ---- reading: bad-input §8 ---------------------------------------------------------------- */

/* bad-input §8 "Missing": DEBUG, empty state, nothing created. */
static void
test_read_missing (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasState) state =
      stas_state_read (fx->path, STAS_DAEMON_STAFD, &stafd_defaults, fx->diags);
  g_autofree char *invalid = g_strconcat (fx->path, ".invalid", NULL);

  g_assert_nonnull (state);
  g_assert_cmpuint (state->records->len, ==, 0);
  g_assert_cmpuint (fx->diags->len, ==, 1);
  g_assert_cmpint (((StasDiag *) g_ptr_array_index (fx->diags, 0))->level, ==, STAS_LOG_DEBUG);
  g_assert_false (g_file_test (invalid, G_FILE_TEST_EXISTS));
}

static void
assert_document_rejected (Fixture *fx, const char *text, gssize length, const char *reason)
{
  g_autoptr (StasState) state = NULL;
  g_autofree char *invalid = g_strconcat (fx->path, ".invalid", NULL);
  g_autofree char *expected =
      g_strdup_printf ("Ignoring last known config %s: %s", fx->path, reason);
  g_autofree char *moved = NULL;
  gsize moved_len = 0;

  g_ptr_array_set_size (fx->diags, 0);
  write_text (fx->path, text, length);
  state = stas_state_read (fx->path, STAS_DAEMON_STAFD, &stafd_defaults, fx->diags);
  g_assert_nonnull (state);
  g_assert_cmpuint (state->records->len, ==, 0);
  g_assert_cmpuint (count_diags (fx->diags, STAS_LOG_WARNING), ==, 1);
  g_assert_cmpstr (diag_text (fx->diags, STAS_LOG_WARNING), ==, expected);
  /* renamed to .invalid, replacing an older one */
  g_assert_false (g_file_test (fx->path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (invalid, &moved, &moved_len, NULL));
  g_assert_cmpmem (moved, moved_len, text, length < 0 ? strlen (text) : (gsize) length);
}

/* bad-input §8 "not JSON, wrong format/daemon/version": WARNING, renamed, empty state. */
static void
test_read_bad_document (Fixture *fx, gconstpointer data)
{
  g_autofree char *deep = NULL;
  GString *nested = g_string_new (NULL);

  assert_document_rejected (fx, "", -1, "not JSON: unexpected end of text at offset 0");
  assert_document_rejected (fx, "garbage", -1, "not JSON: unexpected character at offset 0");
  assert_document_rejected (fx, "{\"a\": [1", -1, "not JSON: expected ',' or ']' at offset 8");
  assert_document_rejected (fx, "{\"a\": \"x", -1, "not JSON: unterminated string at offset 8");
  assert_document_rejected (fx, "{\"a\": 1} x", -1,
                            "not JSON: text after the JSON value at offset 9");
  assert_document_rejected (fx, "{\"a\": \"\xff\"}", -1,
                            "not JSON: invalid UTF-8 or NUL byte at offset 7");
  assert_document_rejected (fx, "{\"a\": 1}\0", 9,
                            "not JSON: invalid UTF-8 or NUL byte at offset 8");
  assert_document_rejected (fx, "{\"a\": \"\\u0000\"}", -1,
                            "not JSON: invalid \\u escape at offset 7");
  assert_document_rejected (fx, "{\"a\": \"\\ud800\"}", -1,
                            "not JSON: unpaired surrogate at offset 7");
  assert_document_rejected (fx, "{\"a\": 01}", -1, "not JSON: expected ',' or '}' at offset 7");
  assert_document_rejected (fx, "{\"a\": [1,]}", -1, "not JSON: unexpected character at offset 9");
  assert_document_rejected (fx, "{\"a\": tru}", -1, "not JSON: invalid literal at offset 6");
  assert_document_rejected (fx, "{\"a\": -}", -1, "not JSON: invalid number at offset 7");
  assert_document_rejected (fx, "{'a': 1}", -1, "not JSON: expected a string key at offset 1");
  assert_document_rejected (fx, "{\"a\": \"x\ny\"}", -1,
                            "not JSON: control character in string at offset 8");
  assert_document_rejected (fx, "[]", -1, "not a JSON object");
  assert_document_rejected (fx, "{\"format\": \"nvme-stas\", \"version\": 1}", -1,
                            "wrong or missing \"format\"");
  assert_document_rejected (fx, HEAD ("stacd") "]}", -1, "wrong or missing \"daemon\"");
  assert_document_rejected (
      fx, "{\"format\": \"stas-last-known-config\", \"version\": 2, \"daemon\": \"stafd\"}", -1,
      "unsupported version 2");
  assert_document_rejected (
      fx, "{\"format\": \"stas-last-known-config\", \"version\": \"1\", \"daemon\": \"stafd\"}", -1,
      "missing \"version\"");
  assert_document_rejected (
      fx, "{\"format\": \"stas-last-known-config\", \"version\": 1.0, \"daemon\": \"stafd\"}", -1,
      "missing \"version\"");
  assert_document_rejected (
      fx, "{\"format\": \"stas-last-known-config\", \"version\": 1, \"daemon\": \"stafd\"}", -1,
      "no \"controllers\" array");
  assert_document_rejected (fx,
                            "{\"format\": \"stas-last-known-config\", \"version\": 1, "
                            "\"daemon\": \"stafd\", \"controllers\": {}}",
                            -1, "no \"controllers\" array");

  /* hostile nesting cannot exhaust the stack */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (nested, '[');
  deep = g_string_free (nested, FALSE);
  assert_document_rejected (fx, deep, -1, "not JSON: nested too deeply at offset 32");
}

/* bad-input §8 "Unreadable": WARNING, set aside, empty state. */
static void
test_read_unreadable (Fixture *fx, gconstpointer data)
{
  g_autofree char *inside = g_build_filename (fx->path, "x", NULL);
  g_autofree char *invalid = g_strconcat (fx->path, ".invalid", NULL);
  g_autoptr (StasState) state = NULL;
  g_autofree char *prefix = g_strdup_printf ("Ignoring last known config %s: ", fx->path);

  write_text (inside, "x", -1); /* the state file is a directory */
  state = stas_state_read (fx->path, STAS_DAEMON_STAFD, &stafd_defaults, fx->diags);
  g_assert_cmpuint (state->records->len, ==, 0);
  g_assert_cmpuint (count_diags (fx->diags, STAS_LOG_WARNING), ==, 1);
  g_assert_true (g_str_has_prefix (diag_text (fx->diags, STAS_LOG_WARNING), prefix));
  g_assert_true (g_file_test (invalid, G_FILE_TEST_IS_DIR));
}

/* bad-input §8 "nvme-stas pickle present": INFO, left untouched. */
static void
test_read_pickle (Fixture *fx, gconstpointer data)
{
  g_autofree char *dir = g_path_get_dirname (fx->path);
  g_autofree char *pickle = g_build_filename (dir, STAS_STATE_PICKLE_NAME, NULL);
  g_autofree char *expected = g_strdup_printf ("Ignoring nvme-stas state file %s", pickle);
  g_autoptr (StasState) state = NULL;
  g_autofree char *text = NULL;

  write_text (pickle, "\x80\x04pickle", -1);
  state = stas_state_read (fx->path, STAS_DAEMON_STAFD, &stafd_defaults, fx->diags);
  g_assert_cmpuint (state->records->len, ==, 0);
  g_assert_cmpuint (count_diags (fx->diags, STAS_LOG_INFO), ==, 1);
  g_assert_cmpstr (diag_text (fx->diags, STAS_LOG_INFO), ==, expected);
  g_assert_true (g_file_get_contents (pickle, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "\x80\x04pickle");
}

typedef struct
{
  const char *record; /* JSON text of the record */
  const char *reason;
} BadRecord;

#define TID_BAD_ADDR                                                                               \
  "{\"transport\": \"tcp\", \"traddr\": \"nope\", \"trsvcid\": \"8009\", "                         \
  "\"subsysnqn\": \"" DELL_NQN "\", \"host-traddr\": \"\", \"host-iface\": \"eth1\", "             \
  "\"host-nqn\": \"" HOST_NQN "\", \"host-id\": \"" HOST_ID "\"}"
#define STAFD_TAIL                                                                                 \
  ", \"referral-depth\": 0, \"device\": \"nvme1\", \"log-pages-state\": \"current\", "             \
  "\"log-pages\": [], \"unresponsive-since\": null}"
#define STAFD_REC(origin, rest) "{\"tid\": " TID_DC2 ", \"origin\": \"" origin "\"" rest "}"

/* bad-input §8 "Invalid record": each is skipped with a WARNING naming the record and the
 * reason; the good records around it are used. */
static void
test_read_bad_records_stafd (Fixture *fx, gconstpointer data)
{
  static const BadRecord rows[] = {
    { "42", "not an object" },
    { "{\"origin\": \"configured\"}", "tid: not an object" },
    { "{\"tid\": {\"transport\": \"tcp\"}, \"origin\": \"configured\"}",
      "tid: TID has no \"traddr\" key" },
    { "{\"tid\": {\"transport\": 6}, \"origin\": \"configured\"}",
      "tid: \"transport\" is not a string" },
    { "{\"tid\": " TID_BAD_ADDR ", \"origin\": \"configured\"}",
      "tid: traddr \"nope\" is not a valid IP address" },
    { "{\"tid\": " TID_DC2 "}", "no \"origin\" string" },
    { STAFD_REC ("manual", ""), "unknown origin \"manual\"" },
    { STAFD_REC ("external", ""), "unknown origin \"external\"" },
    { STAFD_REC ("configured", ", \"referral-depth\": -1"),
      "\"referral-depth\" is not an integer >= 0" },
    { STAFD_REC ("configured", ", \"referral-depth\": \"1\""),
      "\"referral-depth\" is not an integer >= 0" },
    { STAFD_REC ("configured", ", \"referral-depth\": 1.5"),
      "\"referral-depth\" is not an integer >= 0" },
    { STAFD_REC ("configured", ", \"referral-depth\": 0"), "no \"device\" string" },
    { STAFD_REC ("configured", ", \"referral-depth\": 0, \"device\": \"../../etc\""),
      "invalid device \"../../etc\"" },
    { STAFD_REC ("configured", ", \"referral-depth\": 0, \"device\": \"nvme\""),
      "invalid device \"nvme\"" },
    { STAFD_REC ("configured", ", \"referral-depth\": 0, \"device\": \"\", "
                               "\"log-pages-state\": \"stale\""),
      "\"log-pages-state\" is not none, cached or current" },
    { STAFD_REC ("configured", ", \"referral-depth\": 0, \"device\": \"\", "
                               "\"log-pages-state\": \"cached\", \"log-pages\": {}"),
      "no \"log-pages\" array" },
    { STAFD_REC ("configured", ", \"referral-depth\": 0, \"device\": \"\", "
                               "\"log-pages-state\": \"none\", \"log-pages\": [" DLPE_ARRAY1
                               "], \"unresponsive-since\": null"),
      "log pages with \"log-pages-state\" none" },
    { STAFD_REC ("configured", ", \"referral-depth\": 0, \"device\": \"\", "
                               "\"log-pages-state\": \"cached\", \"log-pages\": [" DLPE_ARRAY1
                               ", {\"trtype\": \"tcp\"}]"),
      "log page entry 1: log page entry has no \"adrfam\" key" },
    { STAFD_REC ("configured", ", \"referral-depth\": 0, \"device\": \"\", "
                               "\"log-pages-state\": \"cached\", \"log-pages\": [7]"),
      "log page entry 0: not an object" },
    { STAFD_REC ("configured",
                 ", \"referral-depth\": 0, \"device\": \"\", "
                 "\"log-pages-state\": \"cached\", \"log-pages\": [{\"trtype\": \"tcp\", "
                 "\"adrfam\": \"ipv4\", \"traddr\": \"1.2.3.4\", \"trsvcid\": \"4420\", "
                 "\"subnqn\": \"nqn.x\", \"subtype\": \"nvme\", \"treq\": \"0\", \"portid\": "
                 "\"1\", \"cntlid\": \"1\", \"asqsz\": \"1\", \"eflags\": \"x\"}]"),
      "log page entry 0: invalid eflags \"x\"" },
    { STAFD_REC ("configured", ", \"referral-depth\": 0, \"device\": \"\", "
                               "\"log-pages-state\": \"cached\", \"log-pages\": []"),
      "no \"unresponsive-since\"" },
    { STAFD_REC ("discovered", ", \"referral-depth\": 0, \"device\": \"\", "
                               "\"log-pages-state\": \"cached\", \"log-pages\": [], "
                               "\"unresponsive-since\": \"yesterday\""),
      "\"unresponsive-since\" is not a time" },
    { STAFD_REC ("discovered", ", \"referral-depth\": 0, \"device\": \"\", "
                               "\"log-pages-state\": \"cached\", \"log-pages\": [], "
                               "\"unresponsive-since\": -5"),
      "\"unresponsive-since\" is not a time" },
    { STAFD_REC ("discovered", ", \"referral-depth\": 0, \"device\": \"\", "
                               "\"log-pages-state\": \"cached\", \"log-pages\": [], "
                               "\"unresponsive-since\": 1e999"),
      "\"unresponsive-since\" is not a time" },
    { GOOD_STAFD_RECORD, "duplicate controller (tcp, 192.168.10.20, 8009, " DELL_NQN ", eth1)" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *doc = g_strconcat (HEAD ("stafd"), GOOD_STAFD_RECORD, ", ", rows[i].record,
                                          ", {\"tid\": " TID_IOC1 ", \"origin\": \"referral\"",
                                          STAFD_TAIL, "]}", NULL);
      g_autofree char *expected =
          g_strdup_printf ("Ignoring invalid record 1 in %s: %s", fx->path, rows[i].reason);
      g_autoptr (StasState) state = NULL;
      const StasStateRecord *last;

      g_ptr_array_set_size (fx->diags, 0);
      write_text (fx->path, doc, -1);
      state = stas_state_read (fx->path, STAS_DAEMON_STAFD, &stafd_defaults, fx->diags);
      g_assert_cmpuint (fx->diags->len, ==, 1);
      g_assert_cmpstr (diag_text (fx->diags, STAS_LOG_WARNING), ==, expected);
      g_assert_cmpuint (state->records->len, ==, 2);
      last = g_ptr_array_index (state->records, 1);
      g_assert_cmpint (last->origin, ==, STAS_STATE_ORIGIN_REFERRAL);
      /* the file itself is kept */
      g_assert_true (g_file_test (fx->path, G_FILE_TEST_EXISTS));
    }
}

#define STACD_REC(rest) "{\"tid\": " TID_IOC1 ", \"origin\": \"discovered\"" rest "}"

static void
test_read_bad_records_stacd (Fixture *fx, gconstpointer data)
{
  static const BadRecord rows[] = {
    { "{\"tid\": " TID_IOC1 ", \"origin\": \"referral\"}", "unknown origin \"referral\"" },
    { STACD_REC (""), "no \"sources\" array" },
    { STACD_REC (", \"sources\": [1]"), "source 0: not an object" },
    { STACD_REC (", \"sources\": [" TID_DC2 ", " TID_BAD_ADDR "]"),
      "source 1: traddr \"nope\" is not a valid IP address" },
    { STACD_REC (", \"sources\": []"), "no \"dlpe\"" },
    { STACD_REC (", \"sources\": [], \"dlpe\": []"), "dlpe: not an object" },
    { STACD_REC (", \"sources\": [], \"dlpe\": {\"trtype\": \"tcp\"}"),
      "dlpe: log page entry has no \"adrfam\" key" },
    { STACD_REC (", \"sources\": [], \"dlpe\": null"), "no \"device\" string" },
    { STACD_REC (", \"sources\": [], \"dlpe\": null, \"device\": 2"), "no \"device\" string" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *doc =
          g_strconcat (HEAD ("stacd"), rows[i].record, ", ", GOOD_STACD_RECORD, "]}", NULL);
      g_autofree char *expected =
          g_strdup_printf ("Ignoring invalid record 0 in %s: %s", fx->path, rows[i].reason);
      g_autoptr (StasState) state = NULL;

      g_ptr_array_set_size (fx->diags, 0);
      write_text (fx->path, doc, -1);
      state = stas_state_read (fx->path, STAS_DAEMON_STACD, &stacd_defaults, fx->diags);
      g_assert_cmpuint (fx->diags->len, ==, 1);
      g_assert_cmpstr (diag_text (fx->diags, STAS_LOG_WARNING), ==, expected);
      g_assert_cmpuint (state->records->len, ==, 1);
    }
}

/* Restored values are normalised again and DLPEs re-rendered in the published form; the
 * host identity in the file does not matter (system §3.2); JSON details: escapes,
 * repeated keys (last wins), unknown keys ignored. */
static void
test_read_normalises (void)
{
  static const char doc[] =
      "{\"format\": \"stas-last-known-config\", \"version\": 1, \"daemon\": \"stafd\", "
      "\"host\": {\"nqn\": \"nqn.other\\u00e9\\ud83d\\ude00\", \"id\": 5}, \"extra\": [1, "
      "true, false, null, -0.5e+3, {}], \"controllers\": [{\"tid\": {\"transport\": \"TCP\", "
      "\"traddr\": \"FE80:0::1\", \"trsvcid\": \"08009\", \"subsysnqn\": \"\", "
      "\"host-traddr\": \"\", \"host-iface\": \"eth1\", \"host-nqn\": \"\", \"host-id\": \"\", "
      "\"cfg\": \"secret\"}, \"origin\": \"configured\", \"origin\": \"discovered\", "
      "\"referral-depth\": 0, \"device\": \"\", \"log-pages-state\": \"cached\", "
      "\"log-pages\": [{\"trtype\": \"3\", \"adrfam\": \"ipv4\", \"traddr\": \" 10.0.0.1 \", "
      "\"trsvcid\": \"4420\", \"subnqn\": \"nqn.a\\/b\", \"subtype\": \"nvme\", \"treq\": \"0\", "
      "\"portid\": \"1\", \"cntlid\": \"2\", \"asqsz\": \"3\", \"eflags\": \"4\", \"tsas\": "
      "\"x\"}, {\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": \"0.0.0.0\", \"trsvcid\": "
      "\"4420\", \"subnqn\": \"nqn.a\", \"subtype\": \"nvme\", \"treq\": \"0\", \"portid\": "
      "\"1\", \"cntlid\": \"2\", \"asqsz\": \"3\", \"eflags\": \"4\"}], "
      "\"unresponsive-since\": 1741079702}]}";
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StasState) state = stas_state_from_json (doc, strlen (doc), STAS_DAEMON_STAFD,
                                                      &stafd_defaults, "f", diags, &error);
  const StasStateRecord *r;
  g_autofree char *pages = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (diags->len, ==, 0);
  g_assert_cmpstr (state->host_nqn, ==, "nqn.other\xc3\xa9\xf0\x9f\x98\x80");
  g_assert_null (state->host_id);
  g_assert_null (state->written);
  r = g_ptr_array_index (state->records, 0);
  g_assert_cmpint (r->origin, ==, STAS_STATE_ORIGIN_DISCOVERED);
  g_assert_cmpstr (stas_tid_get_traddr (r->tid), ==, "fe80::1");
  g_assert_cmpstr (stas_tid_get_trsvcid (r->tid), ==, "8009");
  g_assert_cmpstr (stas_tid_get_subsysnqn (r->tid), ==, DISC_NQN);
  g_assert_cmpstr (stas_tid_get_host_nqn (r->tid), ==, HOST_NQN);
  g_assert_cmpstr (stas_tid_get_host_id (r->tid), ==, HOST_ID);
  g_assert_true (r->has_unresponsive_since);
  g_assert_cmpfloat (r->unresponsive_since, ==, 1741079702.0);
  pages = g_variant_print (r->log_pages, FALSE);
  g_assert_cmpstr (pages, ==,
                   "[{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '10.0.0.1', 'trsvcid': "
                   "'4420', 'subnqn': 'nqn.a/b', 'subtype': 'nvme', 'treq': 'not specified', "
                   "'portid': '1', 'cntlid': '2', 'asqsz': '3', 'eflags': '4'}]");
}

/* Write failure message for the daemon: "Unable to save last known config: <reason>". */
static void
test_write_failure_text (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasState) state = stas_state_new (STAS_DAEMON_STAFD, NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *file_parent = g_build_filename (fx->dir, "f", NULL);
  g_autofree char *path = g_build_filename (file_parent, STAS_STATE_FILE_NAME, NULL);
  g_autofree char *expected = NULL;

  write_text (file_parent, "x", -1);
  g_assert_false (stas_state_write (state, path, &error));
  expected = g_strdup_printf ("cannot create directory %s: %s", file_parent, g_strerror (ENOTDIR));
  g_assert_cmpstr (error->message, ==, expected);
}

static void
add_fixture_test (const char *name, void (*func) (Fixture *, gconstpointer))
{
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/state/format/stafd-STATE-1-SEC-1", test_format_stafd);
  g_test_add_func ("/state/format/empty", test_format_empty);
  g_test_add_func ("/state/format/not-utf8", test_format_not_utf8);
  g_test_add_func ("/state/format/spec-examples", test_spec_examples);
  g_test_add_func ("/state/location", test_location);
  add_fixture_test ("/state/round-trip/stafd", test_round_trip_stafd);
  add_fixture_test ("/state/round-trip/stacd", test_round_trip_stacd);
  add_fixture_test ("/state/write/atomic-mode-SEC-2-D-54", test_write_atomic_mode);
  add_fixture_test ("/state/write/tmp-symlink", test_write_tmp_symlink);
  add_fixture_test ("/state/write/failure", test_write_failure);
  add_fixture_test ("/state/write/failure-text", test_write_failure_text);
  add_fixture_test ("/state/read/bad-input-8-missing", test_read_missing);
  add_fixture_test ("/state/read/bad-input-8-document", test_read_bad_document);
  add_fixture_test ("/state/read/bad-input-8-unreadable", test_read_unreadable);
  add_fixture_test ("/state/read/bad-input-8-pickle-D-52", test_read_pickle);
  add_fixture_test ("/state/read/bad-input-8-record-stafd", test_read_bad_records_stafd);
  add_fixture_test ("/state/read/bad-input-8-record-stacd", test_read_bad_records_stacd);
  g_test_add_func ("/state/read/normalises", test_read_normalises);

  return g_test_run ();
}
