/* test-stac-staf.c — stafd and stacd together in one process, on a private bus, over one
 * fake fabric: the real get_all_log_pages(true) payload and signals between them.
 *   a log page with I/O subsystems → stacd connects them                     [STAC-1]
 *   an entry added on the DC → AEN → stafd → log_pages_changed → stacd connects [D-73]
 *   an entry removed → stacd disconnects it (authoritative, current)           [STAC-4]
 *   stafd stopped → nothing disconnected; a change meanwhile is applied only once
 *   the restarted stafd refreshed its cache (cached is not authoritative)    [STAC-3] [D-33] */
#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "fake-fabrics.h"
#include "stas-log.h"
#include "stas-paths.h"
#include "stas-stac-private.h"
#include "stas-staf-private.h"
#include "test-util.h"

#define DISC "nqn.2014-08.org.nvmexpress.discovery"
#define NQN(x) "nqn.2023-01.com.example:" x

typedef struct
{
  StasTestBus *bus;
  GDBusConnection *staf_conn;
  GDBusConnection *stac_conn;
  guint staf_name;
  StasFakeFabrics *fake;
  StasFakeTarget *dc;
  StasService *staf;
  StasService *stac;
  char *staf_conf;
  char *stac_conf;
} Fixture;

static StasDlpeSpec
io_entry (const char *nqn)
{
  return (StasDlpeSpec){ .trtype = STAS_DLP_TRTYPE_TCP,
                         .adrfam = STAS_DLP_ADRFAM_IPV4,
                         .subtype = STAS_DLP_SUBTYPE_NVME,
                         .portid = 1,
                         .cntlid = 0xffff,
                         .asqsz = 32,
                         .trsvcid = "4420",
                         .subnqn = nqn,
                         .traddr = "192.168.1.20" };
}

static void
start_staf (Fixture *fx)
{
  fx->staf = STAS_SERVICE (stas_staf_new (STAS_FABRICS (fx->fake)));
  stas_test_service_start (fx->staf, fx->staf_conf, stas_staf_get_soak (STAS_STAF (fx->staf)),
                           fx->staf_conn);
  fx->staf_name =
      g_bus_own_name_on_connection (fx->staf_conn, STAS_STAFD_BUS_NAME,
                                    G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE, NULL, NULL, NULL, NULL);
  stas_service_activate (fx->staf);
}

static void
start_stac (Fixture *fx)
{
  fx->stac = STAS_SERVICE (stas_stac_new (STAS_FABRICS (fx->fake)));
  stas_test_service_start (fx->stac, fx->stac_conf, stas_stac_get_soak (STAS_STAC (fx->stac)),
                           fx->stac_conn);
  stas_service_activate (fx->stac);
}

/* SIGTERM, and the object is gone */
static void
stop (StasService **service)
{
  GObject *weak = G_OBJECT (*service);

  g_object_add_weak_pointer (weak, (gpointer *) &weak);
  stas_test_service_stop (service);
  STAS_TEST_WAIT_FOR (weak == NULL);
}

static void
stop_staf (Fixture *fx)
{
  g_bus_unown_name (fx->staf_name);
  fx->staf_name = 0;
  stop (&fx->staf);
}

static void
setup (Fixture *fx, gconstpointer data)
{
  g_autofree char *cmd =
      g_strdup_printf ("rm -rf '%s/stafd' '%s/stacd'", stas_path_rundir (), stas_path_rundir ());
  StasDlpeSpec page[] = { io_entry (NQN ("a")), io_entry (NQN ("b")) };
  StasFakeTarget *io;

  stas_test_write_host_identity ();
  g_assert_cmpint (system (cmd), ==, 0);
  fx->staf_conf = g_build_filename (stas_path_sysconfdir (), "stafd-pair.conf", NULL);
  fx->stac_conf = g_build_filename (stas_path_sysconfdir (), "stacd-pair.conf", NULL);
  stas_test_write_file (fx->staf_conf,
                        "[Controllers]\ncontroller = transport=tcp;traddr=192.168.1.10\n");
  stas_test_write_file (fx->stac_conf, "");

  fx->fake = stas_fake_fabrics_new ();
  fx->dc = stas_fake_fabrics_add_target (fx->fake, "tcp", "192.168.1.10", "8009");
  stas_fake_fabrics_add_discovery_subsystem (fx->fake, fx->dc, DISC, STAS_FAKE_DCTYPE_DDC);
  stas_fake_fabrics_set_dlp (fx->fake, fx->dc, page, G_N_ELEMENTS (page));
  io = stas_fake_fabrics_add_target (fx->fake, "tcp", "192.168.1.20", "4420");
  stas_fake_fabrics_add_io_subsystem (fx->fake, io, NQN ("a"), 1);
  stas_fake_fabrics_add_io_subsystem (fx->fake, io, NQN ("b"), 1);
  stas_fake_fabrics_add_io_subsystem (fx->fake, io, NQN ("c"), 1);
  stas_controller_set_time_scale (0.001);

  stas_test_bus_up (&fx->bus, &fx->staf_conn, &fx->stac_conn);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  if (fx->stac != NULL)
    stop (&fx->stac);
  if (fx->staf != NULL)
    stop_staf (fx);
  stas_test_bus_down (&fx->bus, &fx->staf_conn, &fx->stac_conn);
  g_clear_object (&fx->fake);
  g_free (fx->staf_conf);
  g_free (fx->stac_conf);
}

static StacEntry *
find (Fixture *fx, const char *nqn)
{
  GPtrArray *entries = stas_stac_get_entries (STAS_STAC (fx->stac));

  for (guint i = 0; i < entries->len; i++)
    {
      StacEntry *e = g_ptr_array_index (entries, i);
      if (g_strcmp0 (stas_tid_get_subsysnqn (stas_controller_get_tid (STAS_CONTROLLER (e->ioc))),
                     nqn) == 0)
        return e;
    }
  return NULL;
}

static gboolean
connected (Fixture *fx, const char *nqn)
{
  StacEntry *e = find (fx, nqn);
  return e != NULL &&
         stas_controller_get_state (STAS_CONTROLLER (e->ioc)) == STAS_CONTROLLER_CONNECTED;
}

static guint
n_io_devices (Fixture *fx)
{
  g_auto (GStrv) devices = stas_fake_fabrics_list_devices (fx->fake);
  guint n = 0;

  for (guint i = 0; devices[i] != NULL; i++)
    {
      g_autoptr (StasKernelCtrl) k = stas_fake_fabrics_get_device (fx->fake, devices[i]);
      if (g_strcmp0 (k->cntrltype, "io") == 0)
        n++;
    }
  return n;
}

static guint
n_disconnects (Fixture *fx)
{
  return stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DISCONNECT, NULL);
}

static void
test_together (Fixture *fx, gconstpointer data)
{
  StasDlpeSpec c = io_entry (NQN ("c"));
  StacEntry *e;

  /* stacd first, stafd later [D-34] */
  start_stac (fx);
  stas_test_run_for (50);
  g_assert_cmpuint (stas_stac_get_entries (STAS_STAC (fx->stac))->len, ==, 0);
  start_staf (fx);
  STAS_TEST_WAIT_FOR (connected (fx, NQN ("a")) && connected (fx, NQN ("b")));
  STAS_TEST_WAIT_FOR (stas_stac_get_stafd_data (STAS_STAC (fx->stac)) == STAS_STAFD_DATA_COMPLETE);
  e = find (fx, NQN ("a"));
  g_assert_cmpint (stas_ioc_get_origin (e->ioc), ==, STAS_IOC_ORIGIN_DISCOVERED);
  g_assert_cmpuint (stas_ioc_get_sources (e->ioc)->len, ==, 1);
  g_assert_cmpstr (stas_tid_get_traddr (g_ptr_array_index (stas_ioc_get_sources (e->ioc), 0)), ==,
                   "192.168.1.10");

  /* the whole chain: DLP change → AEN → stafd → signal → stacd */
  stas_fake_fabrics_add_entry (fx->fake, fx->dc, &c);
  STAS_TEST_WAIT_FOR (connected (fx, NQN ("c")));

  stas_fake_fabrics_remove_entries (fx->fake, fx->dc, NULL, NULL, NQN ("a"));
  STAS_TEST_WAIT_FOR (find (fx, NQN ("a")) == NULL && n_io_devices (fx) == 2);
  g_assert_cmpuint (n_disconnects (fx), ==, 1);

  /* stafd stopped: nothing is disconnected, even when the fabric changes meanwhile */
  stop_staf (fx);
  STAS_TEST_WAIT_FOR (stas_stac_get_stafd_owner (STAS_STAC (fx->stac)) == NULL);
  stas_fake_fabrics_remove_entries (fx->fake, fx->dc, NULL, NULL, NQN ("b"));
  stas_service_reload (fx->stac); /* a pass without stafd */
  stas_test_run_for (100);
  g_assert_cmpuint (n_io_devices (fx), ==, 2);
  g_assert_cmpint (stas_stac_get_stafd_data (STAS_STAC (fx->stac)), ==, STAS_STAFD_DATA_STALE);

  /* stafd back: its restored cache still lists b (cached, not authoritative); once it
   * re-read the log page, b goes */
  start_staf (fx);
  STAS_TEST_WAIT_FOR (find (fx, NQN ("b")) == NULL && n_io_devices (fx) == 1);
  g_assert_true (connected (fx, NQN ("c")));
  g_assert_cmpuint (n_disconnects (fx), ==, 2);
}

/* stacd restarted while stafd runs: every IOC re-adopted, none dropped or duplicated */
static void
test_stacd_restart (Fixture *fx, gconstpointer data)
{
  guint connects;

  start_staf (fx);
  start_stac (fx);
  STAS_TEST_WAIT_FOR (connected (fx, NQN ("a")) && connected (fx, NQN ("b")));
  connects = stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL);
  stop (&fx->stac);
  g_assert_cmpuint (n_io_devices (fx), ==, 2);
  start_stac (fx);
  STAS_TEST_WAIT_FOR (connected (fx, NQN ("a")) && connected (fx, NQN ("b")));
  STAS_TEST_WAIT_FOR (stas_stac_get_stafd_data (STAS_STAC (fx->stac)) == STAS_STAFD_DATA_COMPLETE);
  stas_test_run_for (50);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL), ==,
                    connects);
  g_assert_cmpuint (n_io_devices (fx), ==, 2);
  g_assert_cmpuint (n_disconnects (fx), ==, 0);
}

int
main (int argc, char **argv)
{
  g_autofree char *root = g_dir_make_tmp ("stas-stac-staf-test-XXXXXX", NULL);
  int status;

  g_setenv ("STAS_TEST_ROOT", root, TRUE);
  g_unsetenv ("RUNTIME_DIRECTORY");
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/stac-staf/together", Fixture, NULL, setup, test_together, teardown);
  g_test_add ("/stac-staf/stacd-restart", Fixture, NULL, setup, test_stacd_restart, teardown);
  status = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
    (void) !system (cmd);
  }
  return status;
}
