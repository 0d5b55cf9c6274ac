/* test-staf-restore.c — stafd's service object (not exported: no bus needed) restarted while
 * the configured DC that refers to a second DC cannot be reached: the referral comes from the
 * restored cache, so the first pass keeps the referred DC (adopted, never disconnected and
 * connected again) [REF-1] ("source: the cached DLPEs, state current or cached") [STAF-3].
 * Before the fix, a restored DC had no referral set until its first retrieval after the
 * restart, and a pass that ran before it (a slow or unreachable referring DC; valgrind's
 * slowdown showed it) disposed of the referred DC. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "fake-fabrics.h"
#include "stas-log.h"
#include "stas-paths.h"
#include "stas-staf-private.h"

#define DISC "nqn.2014-08.org.nvmexpress.discovery"
#define TRTYPE_TCP 3
#define ADRFAM_IPV4 1
#define SUBTYPE_REFERRAL 1
#define SUBTYPE_NVME 2

/* Runs the main loop until @cond holds; the limit is generous (valgrind, a loaded machine). */
#define WAIT_FOR(cond)                                                                             \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gint64 _end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;                                  \
    while (!(cond) && g_get_monotonic_time () < _end)                                              \
      g_main_context_iteration (NULL, FALSE);                                                      \
    g_assert_true (cond);                                                                          \
  }                                                                                                \
  G_STMT_END

static void
write_file (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static StasService *
start_service (StasFakeFabrics *fake, const char *conf)
{
  g_autoptr (GError) error = NULL;
  StasService *service = STAS_SERVICE (stas_staf_new (STAS_FABRICS (fake)));

  g_assert_true (stas_service_start (service, conf, TRUE, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (stas_service_startup (service, &error));
  g_assert_no_error (error);
  stas_soak_set_scale (stas_staf_get_soak (STAS_STAF (service)), 0.01);
  stas_service_activate (service);
  return service;
}

static void
on_shutdown (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* SIGTERM: persistent connections stay, the state file is written */
static void
stop_service (StasService **service)
{
  gboolean done = FALSE;

  stas_service_shutdown_async (*service, on_shutdown, &done);
  WAIT_FOR (done);
  g_clear_object (service);
}

static StafEntry *
find_dc (StasService *service, const char *traddr)
{
  GPtrArray *entries = stas_staf_get_entries (STAS_STAF (service));

  for (guint i = 0; i < entries->len; i++)
    {
      StafEntry *e = g_ptr_array_index (entries, i);
      if (g_strcmp0 (stas_tid_get_traddr (stas_controller_get_tid (STAS_CONTROLLER (e->dc))),
                     traddr) == 0)
        return e;
    }
  return NULL;
}

static gboolean
is_connected (StasService *service, const char *traddr)
{
  StafEntry *e = find_dc (service, traddr);
  return e != NULL &&
         stas_controller_get_state (STAS_CONTROLLER (e->dc)) == STAS_CONTROLLER_CONNECTED;
}

/* No pass running or scheduled, no DC being disposed. */
static gboolean
settled (StasService *service)
{
  StasSoak *soak = stas_staf_get_soak (STAS_STAF (service));

  return !stas_soak_is_running (soak) && !stas_soak_is_scheduled (soak) &&
         stas_staf_get_disposals (STAS_STAF (service))->len == 0;
}

static void
test_referral_kept_from_cache (void)
{
  g_autofree char *hostnqn = stas_path_nvme_file ("hostnqn");
  g_autofree char *hostid = stas_path_nvme_file ("hostid");
  g_autofree char *conf = g_build_filename (stas_path_sysconfdir (), "stafd-test.conf", NULL);
  g_autoptr (StasFakeFabrics) fake = stas_fake_fabrics_new ();
  g_autoptr (StasService) service = NULL;
  g_autofree char *device = NULL;
  StasKernelCaps caps = { .host_iface = TRUE,
                          .discovery = TRUE,
                          .dhchap_secret = TRUE,
                          .dhchap_ctrl_secret = TRUE,
                          .cntrltype = TRUE,
                          .src_addr = TRUE,
                          .from_options = TRUE };
  StasDlpeSpec page1[] = { { .trtype = TRTYPE_TCP,
                             .adrfam = ADRFAM_IPV4,
                             .subtype = SUBTYPE_REFERRAL,
                             .portid = 2,
                             .cntlid = 0xffff,
                             .asqsz = 32,
                             .trsvcid = "8009",
                             .subnqn = DISC,
                             .traddr = "192.168.1.11" } };
  StasDlpeSpec page2[] = { { .trtype = TRTYPE_TCP,
                             .adrfam = ADRFAM_IPV4,
                             .subtype = SUBTYPE_NVME,
                             .portid = 1,
                             .cntlid = 0xffff,
                             .asqsz = 32,
                             .trsvcid = "4420",
                             .subnqn = "nqn.2023-01.com.example:c",
                             .traddr = "192.168.1.21" } };
  StasFakeTarget *t1, *t2;
  guint connects;

  write_file (hostnqn, "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a\n");
  write_file (hostid, "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a\n");
  write_file (conf, "[Controllers]\ncontroller = transport=tcp;traddr=192.168.1.10\n"
                    "[Service Discovery]\nzeroconf = disabled\n");
  stas_fake_fabrics_set_kernel_caps (fake, &caps);
  t1 = stas_fake_fabrics_add_target (fake, "tcp", "192.168.1.10", "8009");
  stas_fake_fabrics_add_discovery_subsystem (fake, t1, DISC, STAS_FAKE_DCTYPE_DDC);
  stas_fake_fabrics_set_dlp (fake, t1, page1, G_N_ELEMENTS (page1));
  t2 = stas_fake_fabrics_add_target (fake, "tcp", "192.168.1.11", "8009");
  stas_fake_fabrics_add_discovery_subsystem (fake, t2, DISC, STAS_FAKE_DCTYPE_DDC);
  stas_fake_fabrics_set_dlp (fake, t2, page2, G_N_ELEMENTS (page2));
  stas_controller_set_time_scale (0.001);

  /* the configured DC and its referral, both connected, the referral's page read */
  service = start_service (fake, conf);
  WAIT_FOR (is_connected (service, "192.168.1.10") && is_connected (service, "192.168.1.11") &&
            stas_dc_get_log_pages (find_dc (service, "192.168.1.11")->dc)->len == 1);
  device = g_strdup (
      stas_controller_get_device (STAS_CONTROLLER (find_dc (service, "192.168.1.10")->dc)));
  stop_service (&service);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fake, STAS_FAKE_OP_DISCONNECT, NULL), ==, 0);

  /* the referring DC is gone and cannot be reached again: only its cached page is left */
  g_assert_true (stas_fake_fabrics_remove_device (fake, device));
  stas_fake_fabrics_fail_connect (fake, t1, ECONNREFUSED, STAS_FAKE_FOREVER);
  connects = stas_fake_fabrics_count_calls (fake, STAS_FAKE_OP_CONNECT, NULL);
  service = start_service (fake, conf);
  g_assert_nonnull (find_dc (service, "192.168.1.11")); /* restored */
  /* the first pass confirmed the referring DC (it tried to connect) and everything settled */
  WAIT_FOR (stas_fake_fabrics_count_calls (fake, STAS_FAKE_OP_CONNECT, NULL) > connects &&
            settled (service));
  g_assert_true (is_connected (service, "192.168.1.11")); /* adopted, kept */
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fake, STAS_FAKE_OP_DISCONNECT, NULL), ==, 0);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fake, STAS_FAKE_OP_ADOPT, NULL), ==, 1);
  stop_service (&service);
}

int
main (int argc, char **argv)
{
  g_autofree char *root = g_dir_make_tmp ("stas-staf-restore-XXXXXX", NULL);
  int status;

  g_setenv ("STAS_TEST_ROOT", root, TRUE);
  g_unsetenv ("RUNTIME_DIRECTORY");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/staf/restore/referral-kept-from-cache", test_referral_kept_from_cache);
  status = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
    (void) !system (cmd);
  }
  return status;
}
