/* test-templates.c — the shipped configuration templates (spec/config.md §8 [CFG-40]):
 * conf/stafd.conf, conf/stacd.conf and conf/sys.conf.doc load without a single
 * diagnostic and leave every option at its default; every option of the daemon is
 * documented by a commented "#key=value" line; and uncommenting all of those lines at
 * once still gives no WARNING and the documented defaults (so the values written in the
 * templates are the real defaults, and the example exclude= comments are valid). */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "stas-config.h"
#include "stas-log.h"

#define STAFD STAS_DAEMON_STAFD
#define STACD STAS_DAEMON_STACD

static char *
template_path (const char *name)
{
  const char *src = g_getenv ("STAS_SRC_DIR");

  g_assert_nonnull (src); /* set by ctest */
  return g_build_filename (src, "conf", name, NULL);
}

static char *
read_template (const char *name)
{
  g_autofree char *path = template_path (name);
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Fails on any diagnostic at WARNING or above; with @none, on any diagnostic at all. */
static void
assert_clean (GPtrArray *diags, gboolean none)
{
  for (guint i = 0; i < diags->len; i++)
    {
      StasDiag *d = g_ptr_array_index (diags, i);
      if (none || d->level <= STAS_LOG_WARNING)
        g_error ("unexpected diagnostic (level %d): %s", d->level, d->text);
    }
}

/* The text with every "#key=..." line (a '#' directly followed by an option name and
 * '=') uncommented; explanation lines ("# ...") are left alone. */
static char *
uncomment (const char *text)
{
  g_autoptr (GRegex) re = g_regex_new ("^#([a-z][a-z-]*[ \\t]*=)", G_REGEX_MULTILINE, 0, NULL);

  g_assert_nonnull (re);
  return g_regex_replace (re, text, -1, 0, "\\1", 0, NULL);
}

static void
assert_int (StasOptInt v, gboolean set, gint64 value)
{
  g_assert_cmpint (v.set, ==, set);
  if (set)
    g_assert_cmpint (v.value, ==, value);
}

/* No difference between @config and the built-in defaults of its daemon. */
static void
assert_same_as_defaults (const StasConfig *config)
{
  g_autoptr (StasConfig) defaults = stas_config_new_defaults (stas_config_get_kind (config));
  g_auto (GStrv) changes = stas_config_describe_changes (defaults, config);

  for (guint i = 0; changes[i]; i++)
    g_test_message ("differs from the defaults: %s", changes[i]);
  g_assert_cmpuint (g_strv_length (changes), ==, 0);
}

/* Every "#key=" line of the template, as a set of keys. */
static GHashTable *
documented_keys (const char *text)
{
  g_autoptr (GRegex) re = g_regex_new ("^#([a-z][a-z-]*)[ \\t]*=", G_REGEX_MULTILINE, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  GHashTable *keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_regex_match (re, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_hash_table_add (keys, g_match_info_fetch (match, 1));
      g_match_info_next (match, NULL);
    }
  return keys;
}

static void
assert_documents (const char *text, const char *const *keys)
{
  g_autoptr (GHashTable) found = documented_keys (text);

  for (guint i = 0; keys[i]; i++)
    if (!g_hash_table_contains (found, keys[i]))
      g_error ("option %s has no commented \"#%s=\" line in the template", keys[i], keys[i]);
}

static const char *const global_keys[] = {
  "tron",          "hdr-digest",     "data-digest",  "kato",      "queue-size", "reconnect-delay",
  "ctrl-loss-tmo", "disable-sqflow", "ignore-iface", "ip-family", NULL
};
static const char *const stafd_keys[] = {
  "pleo",    "zeroconf", "persistent-connections", "zeroconf-connections-persistence", "controller",
  "exclude", NULL
};
static const char *const stacd_keys[] = { "nr-io-queues",
                                          "nr-write-queues",
                                          "nr-poll-queues",
                                          "disconnect-scope",
                                          "disconnect-trtypes",
                                          "connect-attempts-on-ncc",
                                          "controller",
                                          "exclude",
                                          NULL };

/* The defaults both templates must show (spec/config.md §3.1). */
static void
assert_common_defaults (const StasConfig *config)
{
  g_assert_false (stas_config_get_tron (config));
  g_assert_false (stas_config_get_hdr_digest (config));
  g_assert_false (stas_config_get_data_digest (config));
  g_assert_false (stas_config_get_ignore_iface (config));
  g_assert_cmpint (stas_config_get_ip_family (config), ==, STAS_IP_FAMILY_BOTH);
}

static void
assert_stafd_defaults (const StasConfig *config)
{
  assert_common_defaults (config);
  assert_int (stas_config_get_kato (config), TRUE, 30);
  g_assert_true (stas_config_get_pleo (config));
  g_assert_true (stas_config_get_zeroconf (config));
  g_assert_true (stas_config_get_persistent_connections (config));
  g_assert_cmpfloat (stas_config_get_zeroconf_persistence (config), ==, 259200.0);
}

static void
assert_stacd_defaults (const StasConfig *config)
{
  assert_common_defaults (config);
  g_assert_cmpint (stas_config_get_disconnect_scope (config), ==,
                   STAS_DISCONNECT_ONLY_STAS_CONNECTIONS);
  g_assert_cmpint (stas_config_get_disconnect_trtypes (config), ==, STAS_TRTYPE_TCP);
  g_assert_cmpuint (stas_config_get_connect_attempts_on_ncc (config), ==, 0);
}

/* ---- the templates as shipped -------------------------------------------------------- */

static void
test_stafd_as_shipped (void)
{
  g_autofree char *path = template_path ("stafd.conf");
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasConfig) config = stas_config_load (STAFD, path, TRUE, NULL, diags);

  assert_clean (diags, TRUE);
  g_assert_cmpstr (stas_config_get_path (config), ==, path);
  assert_same_as_defaults (config);
  assert_stafd_defaults (config);
  /* not set: nothing passed to the kernel */
  assert_int (stas_config_get_reconnect_delay (config), FALSE, 0);
  assert_int (stas_config_get_ctrl_loss_tmo (config), FALSE, 0);
  assert_int (stas_config_get_disable_sqflow (config), FALSE, 0);
  g_assert_cmpuint (stas_config_get_controllers (config)->len, ==, 0);
  g_assert_cmpuint (stas_config_get_excludes (config)->len, ==, 0);
  g_assert_false (stas_config_has_invalid_controllers (config));
}

static void
test_stacd_as_shipped (void)
{
  g_autofree char *path = template_path ("stacd.conf");
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasConfig) config = stas_config_load (STACD, path, TRUE, NULL, diags);

  assert_clean (diags, TRUE);
  assert_same_as_defaults (config);
  assert_stacd_defaults (config);
  /* [D-17]: stacd passes none of these unless they are set */
  assert_int (stas_config_get_kato (config), FALSE, 0);
  assert_int (stas_config_get_queue_size (config), FALSE, 0);
  assert_int (stas_config_get_nr_io_queues (config), FALSE, 0);
  assert_int (stas_config_get_nr_write_queues (config), FALSE, 0);
  assert_int (stas_config_get_nr_poll_queues (config), FALSE, 0);
  assert_int (stas_config_get_reconnect_delay (config), FALSE, 0);
  assert_int (stas_config_get_ctrl_loss_tmo (config), FALSE, 0);
  assert_int (stas_config_get_disable_sqflow (config), FALSE, 0);
  g_assert_cmpuint (stas_config_get_controllers (config)->len, ==, 0);
  g_assert_cmpuint (stas_config_get_excludes (config)->len, ==, 0);
}

/* ---- every option documented ---------------------------------------------------------- */

static void
test_every_option_documented (void)
{
  g_autofree char *fd = read_template ("stafd.conf");
  g_autofree char *cd = read_template ("stacd.conf");

  assert_documents (fd, global_keys);
  assert_documents (fd, stafd_keys);
  assert_documents (cd, global_keys);
  assert_documents (cd, stacd_keys);
  /* the syntax line uses ';' separators only (spec/config.md §8) */
  g_assert_nonnull (strstr (fd, "#   controller = transport=<trtype>;traddr=<traddr>;"));
  g_assert_nonnull (strstr (cd, "#   controller = transport=<trtype>;traddr=<traddr>;"));
  g_assert_null (strstr (fd, ",nqn="));
  g_assert_null (strstr (cd, ",nqn="));
}

/* ---- uncommented: the written values are the real defaults -------------------------- */

static void
assert_exclude (const StasConfigExclude *e,
                const char *transport,
                const char *traddr,
                const char *subsysnqn,
                const char *host_iface)
{
  g_assert_cmpstr (e->transport, ==, transport);
  g_assert_cmpstr (e->traddr, ==, traddr);
  g_assert_cmpstr (e->subsysnqn, ==, subsysnqn);
  g_assert_cmpstr (e->host_iface, ==, host_iface);
  g_assert_null (e->trsvcid);
}

static void
test_stafd_uncommented (void)
{
  g_autofree char *text = read_template ("stafd.conf");
  g_autofree char *active = uncomment (text);
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasConfig) config = NULL;
  GPtrArray *ctrls, *excls;

  g_assert_cmpstr (active, !=, text);
  config = stas_config_load_from_data (STAFD, "/etc/stas/stafd.conf", active, strlen (active), NULL,
                                       diags);
  assert_clean (diags, FALSE);
  assert_stafd_defaults (config);
  /* "not set" options show the kernel/libnvme default */
  assert_int (stas_config_get_reconnect_delay (config), TRUE, 10);
  assert_int (stas_config_get_ctrl_loss_tmo (config), TRUE, 600);
  assert_int (stas_config_get_disable_sqflow (config), TRUE, FALSE);

  ctrls = stas_config_get_controllers (config);
  g_assert_cmpuint (ctrls->len, ==, 2);
  g_assert_false (stas_config_has_invalid_controllers (config));
  const StasConfigController *c0 = g_ptr_array_index (ctrls, 0);
  g_assert_cmpstr (c0->traddr, ==, "192.168.10.30");
  g_assert_cmpstr (c0->host_iface, ==, "eth1");
  g_assert_cmpstr (c0->subsysnqn, ==, STAS_WELL_KNOWN_DISC_NQN);

  /* the trailing comments of the exclude= examples are stripped (spec/config.md §2.2) */
  excls = stas_config_get_excludes (config);
  g_assert_cmpuint (excls->len, ==, 2);
  assert_exclude (g_ptr_array_index (excls, 0), "tcp", "fe80::2c6e:dee7:857:26bb", NULL, NULL);
  assert_exclude (g_ptr_array_index (excls, 1), NULL, NULL, NULL, "eth9");
}

static void
test_stacd_uncommented (void)
{
  g_autofree char *text = read_template ("stacd.conf");
  g_autofree char *active = uncomment (text);
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasConfig) config = NULL;
  GPtrArray *ctrls, *excls;

  config = stas_config_load_from_data (STACD, "/etc/stas/stacd.conf", active, strlen (active), NULL,
                                       diags);
  assert_clean (diags, FALSE);
  assert_stacd_defaults (config);
  /* "not set" options show the kernel default, or an example where none can be written */
  assert_int (stas_config_get_kato (config), TRUE, 5);
  assert_int (stas_config_get_queue_size (config), TRUE, 128);
  assert_int (stas_config_get_reconnect_delay (config), TRUE, 10);
  assert_int (stas_config_get_ctrl_loss_tmo (config), TRUE, 600);
  assert_int (stas_config_get_disable_sqflow (config), TRUE, FALSE);
  g_assert_true (stas_config_get_nr_io_queues (config).set);
  g_assert_true (stas_config_get_nr_write_queues (config).set);
  g_assert_true (stas_config_get_nr_poll_queues (config).set);

  ctrls = stas_config_get_controllers (config);
  g_assert_cmpuint (ctrls->len, ==, 2);
  g_assert_false (stas_config_has_invalid_controllers (config));
  const StasConfigController *c1 = g_ptr_array_index (ctrls, 1);
  g_assert_cmpstr (c1->transport, ==, "rdma");
  g_assert_nonnull (stas_config_controller_get_param (c1, "queue-size"));

  excls = stas_config_get_excludes (config);
  g_assert_cmpuint (excls->len, ==, 2);
  assert_exclude (g_ptr_array_index (excls, 0), "tcp", "fe80::2c6e:dee7:857:26bb", NULL, NULL);
  assert_exclude (g_ptr_array_index (excls, 1), NULL, NULL, "nqn.2023-01.com.example:array9", NULL);
}

/* stafd.conf documents no stacd-only option and vice versa (the daemon would warn). */
static void
test_no_foreign_options (void)
{
  g_autofree char *fd = read_template ("stafd.conf");
  g_autofree char *cd = read_template ("stacd.conf");
  g_autoptr (GHashTable) fkeys = documented_keys (fd);
  g_autoptr (GHashTable) ckeys = documented_keys (cd);

  for (guint i = 0; stacd_keys[i]; i++)
    if (strcmp (stacd_keys[i], "controller") && strcmp (stacd_keys[i], "exclude"))
      g_assert_false (g_hash_table_contains (fkeys, stacd_keys[i]));
  for (guint i = 0; stafd_keys[i]; i++)
    if (strcmp (stafd_keys[i], "controller") && strcmp (stafd_keys[i], "exclude"))
      g_assert_false (g_hash_table_contains (ckeys, stafd_keys[i]));
}

/* ---- sys.conf.doc ---------------------------------------------------------------------- */

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOSTID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"

static char *
make_nvme_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("stas-templates-XXXXXX", &error);
  g_autofree char *nqn = NULL, *id = NULL;

  g_assert_no_error (error);
  nqn = g_build_filename (dir, "hostnqn", NULL);
  id = g_build_filename (dir, "hostid", NULL);
  g_file_set_contents (nqn, HOSTNQN "\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (id, HOSTID "\n", -1, &error);
  g_assert_no_error (error);
  return dir;
}

static void
remove_nvme_dir (const char *dir)
{
  g_autofree char *nqn = g_build_filename (dir, "hostnqn", NULL);
  g_autofree char *id = g_build_filename (dir, "hostid", NULL);
  g_autofree char *sc = g_build_filename (dir, "sys.conf", NULL);

  g_unlink (nqn);
  g_unlink (id);
  g_unlink (sc);
  g_rmdir (dir);
}

static void
test_sysconf_doc (void)
{
  g_autofree char *path = template_path ("sys.conf.doc");
  g_autofree char *nvme = make_nvme_dir ();
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StasSysConf) sc = stas_sysconf_load (path, nvme, diags, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sc);
  /* the only diagnostic allowed is the DEBUG note about the absent host key */
  assert_clean (diags, FALSE);
  for (guint i = 0; i < diags->len; i++)
    g_assert_cmpint (((StasDiag *) g_ptr_array_index (diags, i))->level, ==, STAS_LOG_DEBUG);
  g_assert_cmpstr (stas_sysconf_get_host_nqn (sc), ==, HOSTNQN);
  g_assert_cmpstr (stas_sysconf_get_host_id (sc), ==, HOSTID);
  g_assert_null (stas_sysconf_get_host_key (sc));
  g_assert_null (stas_sysconf_get_symname (sc));
  remove_nvme_dir (nvme);
}

/* Uncommented (with /etc/nvme pointed at a temporary directory), the documented values
 * are the defaults: same identity, still no key and no symbolic name. */
static void
test_sysconf_doc_uncommented (void)
{
  g_autofree char *text = read_template ("sys.conf.doc");
  g_autofree char *nvme = make_nvme_dir ();
  g_autofree char *active = uncomment (text);
  g_autofree char *from = g_strdup ("file:///etc/nvme/");
  g_autofree char *to = g_strdup_printf ("file://%s/", nvme);
  g_auto (GStrv) parts = g_strsplit (active, from, -1);
  g_autofree char *relocated = g_strjoinv (to, parts);
  g_autofree char *sc_path = g_build_filename (nvme, "sys.conf", NULL);
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StasSysConf) sc = NULL;

  g_assert_cmpuint (g_strv_length (parts), ==, 4); /* nqn, id, key + the text before */
  g_file_set_contents (sc_path, relocated, -1, &error);
  g_assert_no_error (error);
  sc = stas_sysconf_load (sc_path, "/nonexistent", diags, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sc);
  assert_clean (diags, FALSE);
  g_assert_cmpstr (stas_sysconf_get_host_nqn (sc), ==, HOSTNQN);
  g_assert_cmpstr (stas_sysconf_get_host_id (sc), ==, HOSTID);
  g_assert_null (stas_sysconf_get_host_key (sc));
  g_assert_null (stas_sysconf_get_symname (sc));
  remove_nvme_dir (nvme);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/templates/stafd/as-shipped", test_stafd_as_shipped);
  g_test_add_func ("/templates/stacd/as-shipped", test_stacd_as_shipped);
  g_test_add_func ("/templates/every-option-documented", test_every_option_documented);
  g_test_add_func ("/templates/no-foreign-options", test_no_foreign_options);
  g_test_add_func ("/templates/stafd/uncommented", test_stafd_uncommented);
  g_test_add_func ("/templates/stacd/uncommented", test_stacd_uncommented);
  g_test_add_func ("/templates/sys.conf.doc/as-shipped", test_sysconf_doc);
  g_test_add_func ("/templates/sys.conf.doc/uncommented", test_sysconf_doc_uncommented);
  return g_test_run ();
}
