/* test-staf.c — stafd's service object on a private bus with the fake fabrics:
 * configured DCs connect, log pages are served by every org.nvmexpress.staf member, AENs
 * refresh them with log_pages_changed, referrals are followed (and a loop terminates),
 * SIGHUP removal emits dc_removed, a restart re-adopts from the state file.
 * [STAF-1] [STAF-3] [REF-1] [DC-5] [DBUS-11] [DBUS-13] [D-24] [D-56] */
#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "fake-fabrics.h"
#include "stas-dbus-generated.h"
#include "stas-log.h"
#include "stas-paths.h"
#include "stas-staf-private.h"
#include "test-util.h"

#define DISC "nqn.2014-08.org.nvmexpress.discovery"
#define TRTYPE_TCP 3
#define ADRFAM_IPV4 1
#define SUBTYPE_REFERRAL 1
#define SUBTYPE_NVME 2
#define NBFT_DC_NQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"

typedef struct
{
  StasTestBus *bus;
  GDBusConnection *server;
  GDBusConnection *client;
  StasFakeFabrics *fake;
  StasService *service;
  char *conf;
  guint changed;
  guint removed;
  guint sub_changed;
  guint sub_removed;
} Fixture;

static StasDlpeSpec
nvme_entry (const char *traddr, const char *subnqn)
{
  return (StasDlpeSpec){ .trtype = TRTYPE_TCP,
                         .adrfam = ADRFAM_IPV4,
                         .subtype = SUBTYPE_NVME,
                         .portid = 1,
                         .cntlid = 0xffff,
                         .asqsz = 32,
                         .trsvcid = "4420",
                         .subnqn = subnqn,
                         .traddr = traddr };
}

static StasDlpeSpec
referral_entry (const char *traddr, const char *trsvcid)
{
  return (StasDlpeSpec){ .trtype = TRTYPE_TCP,
                         .adrfam = ADRFAM_IPV4,
                         .subtype = SUBTYPE_REFERRAL,
                         .portid = 2,
                         .cntlid = 0xffff,
                         .asqsz = 32,
                         .trsvcid = trsvcid,
                         .subnqn = DISC,
                         .traddr = traddr };
}

static void
on_signal (GDBusConnection *connection,
           const char *sender,
           const char *path,
           const char *iface,
           const char *signal,
           GVariant *params,
           gpointer user_data)
{
  Fixture *fx = user_data;

  if (g_strcmp0 (signal, "log_pages_changed") == 0)
    fx->changed++;
  else if (g_strcmp0 (signal, "dc_removed") == 0)
    fx->removed++;
}

static void
start_service (Fixture *fx)
{
  fx->service = STAS_SERVICE (stas_staf_new (STAS_FABRICS (fx->fake)));
  stas_test_service_start (fx->service, fx->conf, stas_staf_get_soak (STAS_STAF (fx->service)),
                           fx->server);
  stas_service_activate (fx->service);
}

static void
setup (Fixture *fx, gconstpointer data)
{
  StasKernelCaps caps = { .host_iface = TRUE,
                          .discovery = TRUE,
                          .dhchap_secret = TRUE,
                          .dhchap_ctrl_secret = TRUE,
                          .cntrltype = TRUE,
                          .src_addr = TRUE,
                          .from_options = TRUE };
  StasFakeTarget *t1, *t2;
  StasDlpeSpec page1[] = { nvme_entry ("192.168.1.20", "nqn.2023-01.com.example:a"),
                           nvme_entry ("192.168.1.20", "nqn.2023-01.com.example:b"),
                           referral_entry ("192.168.1.11", "8009") };
  StasDlpeSpec page2[] = { nvme_entry ("192.168.1.21", "nqn.2023-01.com.example:c"),
                           referral_entry ("192.168.1.10", "8009") /* a loop back */ };

  stas_test_write_host_identity ();
  fx->conf = g_build_filename (stas_path_sysconfdir (), "stafd-test.conf", NULL);
  {
    g_autofree char *tables = g_strdup (stas_path_firmware_tables ());
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tables);
    g_assert_cmpint (system (cmd), ==, 0);
  }
  if (g_strcmp0 (data, "nbft") == 0)
    {
      /* [CFG-30]: the DC comes from the firmware table, not from the configuration */
      g_autofree char *src =
          g_build_filename (g_getenv ("STAS_SRC_DIR"), "test", "data", "nbft", "NBFT-one", NULL);
      g_autofree char *dst = g_build_filename (stas_path_firmware_tables (), "NBFT1", NULL);
      g_autofree char *table = NULL;
      gsize len = 0;

      g_assert_true (g_file_get_contents (src, &table, &len, NULL));
      g_assert_cmpint (g_mkdir_with_parents (stas_path_firmware_tables (), 0755), ==, 0);
      g_assert_true (g_file_set_contents (dst, table, (gssize) len, NULL));
      stas_test_write_file (fx->conf, "[Controllers]\n");
    }
  else
    stas_test_write_file (fx->conf, "[Controllers]\n"
                                    "controller = transport=tcp;traddr=192.168.1.10;kato=45\n");
  {
    g_autofree char *state = g_build_filename (stas_path_rundir (), "stafd", NULL);
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", state);
    g_assert_cmpint (system (cmd), ==, 0);
  }

  fx->fake = stas_fake_fabrics_new ();
  stas_fake_fabrics_set_kernel_caps (fx->fake, &caps);
  t1 = stas_fake_fabrics_add_target (fx->fake, "tcp", "192.168.1.10", "8009");
  stas_fake_fabrics_add_discovery_subsystem (fx->fake, t1, DISC, STAS_FAKE_DCTYPE_DDC);
  stas_fake_fabrics_set_dlp (fx->fake, t1, page1, G_N_ELEMENTS (page1));
  t2 = stas_fake_fabrics_add_target (fx->fake, "tcp", "192.168.1.11", "8009");
  stas_fake_fabrics_add_discovery_subsystem (fx->fake, t2, DISC, STAS_FAKE_DCTYPE_DDC);
  stas_fake_fabrics_set_dlp (fx->fake, t2, page2, G_N_ELEMENTS (page2));
  /* the discovery controller NBFT-one names */
  t2 = stas_fake_fabrics_add_target (fx->fake, "tcp", "192.168.1.10", "4420");
  stas_fake_fabrics_add_discovery_subsystem (fx->fake, t2, NBFT_DC_NQN, STAS_FAKE_DCTYPE_CDC);
  stas_fake_fabrics_set_dlp (fx->fake, t2, page2, 1);
  stas_controller_set_time_scale (0.001);

  stas_test_bus_up (&fx->bus, &fx->server, &fx->client);
  fx->sub_changed = g_dbus_connection_signal_subscribe (
      fx->client, NULL, "org.nvmexpress.staf", NULL, "/org/nvmexpress/staf", NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_signal, fx, NULL);
  start_service (fx);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  if (fx->service != NULL)
    stas_test_service_stop (&fx->service);
  g_dbus_connection_signal_unsubscribe (fx->client, fx->sub_changed);
  stas_test_bus_down (&fx->bus, &fx->server, &fx->client);
  g_clear_object (&fx->fake);
  g_free (fx->conf);
}

static GVariant *
call (Fixture *fx, const char *iface, const char *method, GVariant *params, const char *type)
{
  return stas_test_call (fx->client, fx->server, "/org/nvmexpress/staf", iface, method, params,
                         type, NULL);
}

static guint
n_controllers (Fixture *fx)
{
  g_autoptr (GVariant) reply = call (fx, "org.nvmexpress.staf", "list_controllers",
                                     g_variant_new ("(b)", FALSE), "(aa{ss})");
  g_autoptr (GVariant) list = g_variant_get_child_value (reply, 0);
  return (guint) g_variant_n_children (list);
}

static guint
n_log_pages (Fixture *fx, const char *traddr)
{
  g_autoptr (GVariant) reply =
      call (fx, "org.nvmexpress.staf", "get_log_pages",
            g_variant_new ("(sssssss)", "tcp", traddr, "8009", DISC, "", "", ""), "(aa{ss})");
  g_autoptr (GVariant) list = g_variant_get_child_value (reply, 0);
  return (guint) g_variant_n_children (list);
}

static gboolean
dlp_count_is (Fixture *fx, const char *traddr, guint n)
{
  return n_log_pages (fx, traddr) == n;
}

/* [STAF-1] [REF-1] configured DC + its referral; the loop back terminates */
static void
test_configured_and_referral (Fixture *fx, gconstpointer data)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) list = NULL;
  g_autoptr (GVariant) first = NULL;
  const char *value = NULL;

  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.10", 3));
  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.11", 2));
  STAS_TEST_WAIT_FOR (fx->changed >= 2);
  g_assert_cmpuint (n_controllers (fx), ==, 2); /* the referral back is de-duplicated */
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL), ==, 2);

  reply =
      call (fx, "org.nvmexpress.staf", "list_controllers", g_variant_new ("(b)", TRUE), "(aa{ss})");
  list = g_variant_get_child_value (reply, 0);
  first = g_variant_get_child_value (list, 0);
  g_assert_true (g_variant_lookup (first, "traddr", "&s", &value));
  g_assert_cmpstr (value, ==, "192.168.1.10");
  g_assert_true (g_variant_lookup (first, "kato", "&s", &value)); /* [DBUS-30] parameters */
  g_assert_cmpstr (value, ==, "45");
  g_assert_true (g_variant_lookup (first, "origin", "&s", &value));
  g_assert_cmpstr (value, ==, "configured");
  g_assert_true (g_variant_lookup (first, "log pages state", "&s", &value));
  g_assert_cmpstr (value, ==, "current");
  g_assert_true (g_variant_lookup (first, "connected", "&s", &value));
  g_assert_cmpstr (value, ==, "True");
  {
    g_autoptr (GVariant) second = g_variant_get_child_value (list, 1);
    g_assert_true (g_variant_lookup (second, "origin", "&s", &value));
    g_assert_cmpstr (value, ==, "referral");
    g_assert_true (g_variant_lookup (second, "referral depth", "&s", &value));
    g_assert_cmpstr (value, ==, "1");
  }
}

/* [DBUS-11] [DBUS-13] get_all_log_pages, controller_info, process_info, look-ups */
static void
test_all_members (Fixture *fx, gconstpointer data)
{
  g_autoptr (GVariant) reply = NULL;
  const char *text = NULL;

  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.11", 2));

  reply =
      call (fx, "org.nvmexpress.staf", "get_all_log_pages", g_variant_new ("(b)", FALSE), "(s)");
  g_variant_get (reply, "(&s)", &text);
  g_assert_nonnull (strstr (text, "\"discovery-controller\""));
  g_assert_nonnull (strstr (text, "nqn.2023-01.com.example:c"));
  g_clear_pointer (&reply, g_variant_unref);

  reply = call (fx, "org.nvmexpress.staf.debug", "controller_info",
                g_variant_new ("(sssssss)", "TCP", "192.168.1.10", "", "", "", "", ""), "(s)");
  g_variant_get (reply, "(&s)", &text);
  g_assert_nonnull (strstr (text, "\"connect attempts\": \"0\""));
  g_clear_pointer (&reply, g_variant_unref);

  /* no match and unnormalisable arguments: {} / [], never an error [DBUS-20] */
  reply = call (fx, "org.nvmexpress.staf.debug", "controller_info",
                g_variant_new ("(sssssss)", "tcp", "not-an-ip", "8009", "", "", "", ""), "(s)");
  g_variant_get (reply, "(&s)", &text);
  g_assert_cmpstr (text, ==, "{}");
  g_clear_pointer (&reply, g_variant_unref);
  g_assert_cmpuint (n_log_pages (fx, "192.168.9.9"), ==, 0);

  reply = call (fx, "org.nvmexpress.staf.debug", "process_info", NULL, "(s)");
  g_variant_get (reply, "(&s)", &text);
  g_assert_nonnull (strstr (text, "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e"));
  g_assert_null (strstr (text, "DHHC-1")); /* [SEC-1] */
}

/* [DC-2] [DC-5] an AEN refreshes the log page and signals it */
static void
test_aen_refresh (Fixture *fx, gconstpointer data)
{
  StasFakeTarget *t1 = stas_fake_fabrics_find_target (fx->fake, "tcp", "192.168.1.10", "8009");
  StasDlpeSpec extra = nvme_entry ("192.168.1.22", "nqn.2023-01.com.example:d");
  guint before;

  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.11", 2));
  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.10", 3));
  before = fx->changed;
  stas_fake_fabrics_add_entry (fx->fake, t1, &extra); /* AEN to the DC's device */
  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.10", 4));
  STAS_TEST_WAIT_FOR (fx->changed > before);
}

/* [SIG-2] [DBUS-11] [D-56] the controller= line removed: both DCs go, dc_removed is sent */
static void
test_reload_removes (Fixture *fx, gconstpointer data)
{
  STAS_TEST_WAIT_FOR (n_controllers (fx) == 2);
  stas_test_write_file (fx->conf, "[Controllers]\n");
  stas_service_reload (fx->service);
  STAS_TEST_WAIT_FOR (n_controllers (fx) == 0);
  STAS_TEST_WAIT_FOR (fx->removed >= 1);
  STAS_TEST_WAIT_FOR (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DISCONNECT, NULL) == 2);
}

/* [D-57] the controller= line removed and put back before the DC's disconnect started (its
 * DIM deregistration is held): the DC is taken back and stays listed and connected once its
 * cancelled disposal completed; it is never disconnected */
static void
test_reload_reclaims (Fixture *fx, gconstpointer data)
{
  StasFakeTarget *t1 = stas_fake_fabrics_find_target (fx->fake, "tcp", "192.168.1.10", "8009");
  g_autofree char *conf = NULL;

  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.11", 2));
  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.10", 3));
  g_assert_true (g_file_get_contents (fx->conf, &conf, NULL, NULL));
  stas_fake_fabrics_set_delay (fx->fake, t1, STAS_FAKE_OP_DIM, STAS_FAKE_HOLD);
  stas_test_write_file (fx->conf, "[Controllers]\n");
  stas_service_reload (fx->service);
  STAS_TEST_WAIT_FOR (n_controllers (fx) == 0);
  stas_test_write_file (fx->conf, conf);
  stas_service_reload (fx->service);
  STAS_TEST_WAIT_FOR (n_controllers (fx) == 1);
  stas_test_run_for (100); /* the cancelled disposal completes (an idle) */
  g_assert_cmpuint (n_log_pages (fx, "192.168.1.10"), ==, 3);
  stas_fake_fabrics_release (fx->fake, t1, STAS_FAKE_OP_DIM);
  STAS_TEST_WAIT_FOR (n_controllers (fx) == 2); /* its referral again */
  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.10", 3));
  /* only the referral was disconnected */
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DISCONNECT, NULL), ==, 1);
}

/* [STAF-3] [D-52] stafd stopped and started again: the DCs are re-adopted, the cache is
 * served at once, nothing is connected twice */
static void
test_restart_readopts (Fixture *fx, gconstpointer data)
{
  g_auto (GStrv) devices = NULL;

  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.11", 2));
  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.10", 3));
  stas_test_service_stop (&fx->service); /* persistent-connections=true: connections stay */
  devices = stas_fake_fabrics_list_devices (fx->fake);
  g_assert_cmpuint (g_strv_length (devices), ==, 2);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DISCONNECT, NULL), ==, 0);

  start_service (fx);
  /* served from the restored cache before any new retrieval */
  g_assert_cmpuint (n_log_pages (fx, "192.168.1.10"), ==, 3);
  STAS_TEST_WAIT_FOR (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_ADOPT, NULL) == 2);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL), ==, 2);
}

/* [KT-4] [D-38] [D-39] [NFR-2] events lost in a udev overflow: a DC removed behind
 * stafd's back is found by the resync and reconnected, and every connected DC re-reads its
 * log page (an AEN may have been lost) */
static void
test_overflow_resync (Fixture *fx, gconstpointer data)
{
  g_auto (GStrv) devices = NULL;
  guint reads, connects;

  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.11", 2));
  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.10", 3));
  devices = stas_fake_fabrics_list_devices (fx->fake);
  g_assert_cmpuint (g_strv_length (devices), ==, 2);
  reads = stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_GET_DISCOVERY_LOG, NULL);
  connects = stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL);

  stas_fake_fabrics_set_drop_uevents (fx->fake, TRUE);
  g_assert_true (stas_fake_fabrics_remove_device (fx->fake, devices[0])); /* "remove" lost */
  stas_fake_fabrics_set_drop_uevents (fx->fake, FALSE);
  stas_fake_fabrics_overflow (fx->fake);

  /* the lost DC is reconnected (3 s retry, time-scaled) and the other one re-reads */
  STAS_TEST_WAIT_FOR (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL) >
                      connects);
  STAS_TEST_WAIT_FOR (
      stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_GET_DISCOVERY_LOG, NULL) >= reads + 2);
  STAS_TEST_WAIT_FOR (dlp_count_is (fx, "192.168.1.10", 3));
  g_assert_cmpuint (stas_kernel_get_overflows (stas_service_get_kernel (fx->service)), ==, 1);
  g_assert_cmpuint (n_controllers (fx), ==, 2);
}

/* [CFG-30] [D-69] a DC from the NBFT table: origin configured, connected, log page served */
static void
test_nbft_dc (Fixture *fx, gconstpointer data)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) list = NULL;
  g_autoptr (GVariant) first = NULL;
  const char *value = NULL;

  STAS_TEST_WAIT_FOR (n_controllers (fx) == 1);
  reply =
      call (fx, "org.nvmexpress.staf", "list_controllers", g_variant_new ("(b)", TRUE), "(aa{ss})");
  list = g_variant_get_child_value (reply, 0);
  first = g_variant_get_child_value (list, 0);
  g_assert_true (g_variant_lookup (first, "trsvcid", "&s", &value));
  g_assert_cmpstr (value, ==, "4420");
  g_assert_true (g_variant_lookup (first, "subsysnqn", "&s", &value));
  g_assert_cmpstr (value, ==, NBFT_DC_NQN);
  g_assert_true (g_variant_lookup (first, "origin", "&s", &value));
  g_assert_cmpstr (value, ==, "configured");
  STAS_TEST_WAIT_FOR (
      stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_GET_DISCOVERY_LOG, NULL) >= 1);
}

int
main (int argc, char **argv)
{
  g_autofree char *root = g_dir_make_tmp ("stas-staf-test-XXXXXX", NULL);
  int status;

  g_setenv ("STAS_TEST_ROOT", root, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/staf/configured-and-referral", Fixture, NULL, setup, test_configured_and_referral,
              teardown);
  g_test_add ("/staf/all-members", Fixture, NULL, setup, test_all_members, teardown);
  g_test_add ("/staf/aen-refresh", Fixture, NULL, setup, test_aen_refresh, teardown);
  g_test_add ("/staf/reload-removes", Fixture, NULL, setup, test_reload_removes, teardown);
  g_test_add ("/staf/reload-reclaims", Fixture, NULL, setup, test_reload_reclaims, teardown);
  g_test_add ("/staf/restart-readopts", Fixture, NULL, setup, test_restart_readopts, teardown);
  g_test_add ("/staf/nbft-dc", Fixture, "nbft", setup, test_nbft_dc, teardown);
  g_test_add ("/staf/overflow-resync", Fixture, NULL, setup, test_overflow_resync, teardown);
  status = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
    (void) !system (cmd);
  }
  return status;
}
