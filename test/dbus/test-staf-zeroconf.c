/* test-staf-zeroconf.c — stafd with mDNS-discovered DCs, without avahi-daemon: a StasAvahi
 * in test mode is fed the events avahi-client would deliver, the TCP reachability
 * pre-check runs for real against listeners on the loopback, the DCs live on the fake
 * fabrics, and everything is read back over a private bus.
 * [STAF-1] [ZC-1] [ZC-3] [ZC-4] [ZC-5] [ZC-6] [SIG-2] [D-47] [D-48] [D-49] [DBUS-31]
 * [DBUS-35] */
#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <net/if.h>

#include "fake-fabrics.h"
#include "stas-avahi.h"
#include "stas-log.h"
#include "stas-paths.h"
#include "stas-staf-private.h"
#include "test-util.h"

#define DISC "nqn.2014-08.org.nvmexpress.discovery"
#define CDC_NQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"
#define TRTYPE_TCP 3
#define ADRFAM_IPV4 1
#define SUBTYPE_NVME 2
#define TCP STAS_ZC_STYPE_TCP

typedef struct
{
  StasTestBus *bus;
  GDBusConnection *server;
  GDBusConnection *client;
  StasFakeFabrics *fake;
  StasService *service;
  StasAvahi *avahi;
  char *conf;
  int lo;                     /* if_nametoindex ("lo") */
  GSocketListener *listener4; /* 127.0.0.1:port4 */
  guint16 port4;
  guint16 port6; /* ::1, 0 when the host has no IPv6 loopback */
  GSocketListener *listener6;
  StasFakeTarget *target4;
  guint removed;
  guint sub;
  GPtrArray *logs; /* every message logged (INFO and above) */
} Fixture;

static void
on_log (StasLogLevel level, const char *text, gpointer user_data)
{
  Fixture *fx = user_data;

  g_ptr_array_add (fx->logs, g_strdup (text));
  g_test_message ("log: %s", text);
}

static guint
logs_with (Fixture *fx, const char *text)
{
  guint n = 0;

  for (guint i = 0; i < fx->logs->len; i++)
    n += strstr (g_ptr_array_index (fx->logs, i), text) != NULL;
  return n;
}

static void
write_conf (Fixture *fx, const char *text)
{
  stas_test_write_file (fx->conf, text);
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

  if (g_strcmp0 (signal, "dc_removed") == 0)
    fx->removed++;
}

/* A TCP listener on @address (port chosen by the kernel, or @port). NULL if the address
 * does not exist here. */
static GSocketListener *
listen_on (const char *address, guint16 *port)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr (GSocketAddress) want = g_inet_socket_address_new (inet, *port);
  g_autoptr (GSocketAddress) got = NULL;
  g_autoptr (GError) error = NULL;

  if (!g_socket_listener_add_address (listener, want, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &got, &error))
    {
      g_test_message ("cannot listen on %s: %s", address, error->message);
      return NULL;
    }
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (got));
  return g_steal_pointer (&listener);
}

static StasDlpeSpec
nvme_entry (const char *subnqn)
{
  return (StasDlpeSpec){ .trtype = TRTYPE_TCP,
                         .adrfam = ADRFAM_IPV4,
                         .subtype = SUBTYPE_NVME,
                         .portid = 1,
                         .cntlid = 0xffff,
                         .asqsz = 32,
                         .trsvcid = "4420",
                         .subnqn = subnqn,
                         .traddr = "127.0.0.1" };
}

static void
start_service (Fixture *fx)
{
  fx->service = STAS_SERVICE (stas_staf_new (STAS_FABRICS (fx->fake)));
  stas_test_service_start (fx->service, fx->conf, stas_staf_get_soak (STAS_STAF (fx->service)),
                           fx->server);
  fx->avahi = stas_avahi_new (NULL, FALSE, TRUE);
  stas_avahi_set_time_scale (fx->avahi, 0.01);
  stas_staf_set_avahi (STAS_STAF (fx->service), fx->avahi);
  stas_service_activate (fx->service);
  stas_avahi_test_set_available (fx->avahi, TRUE);
}

static void
setup (Fixture *fx, gconstpointer data)
{
  g_autofree char *state = g_build_filename (stas_path_rundir (), "stafd", NULL);
  g_autofree char *port = NULL;
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", state);
  StasKernelCaps caps = { .host_iface = TRUE,
                          .discovery = TRUE,
                          .dhchap_secret = TRUE,
                          .dhchap_ctrl_secret = TRUE,
                          .cntrltype = TRUE,
                          .src_addr = TRUE,
                          .from_options = TRUE };
  StasDlpeSpec page[] = { nvme_entry ("nqn.2023-01.com.example:a"),
                          nvme_entry ("nqn.2023-01.com.example:b") };

  stas_test_write_host_identity ();
  g_assert_cmpint (system (cmd), ==, 0);
  fx->conf = g_build_filename (stas_path_sysconfdir (), "stafd-zeroconf-test.conf", NULL);
  fx->logs = g_ptr_array_new_with_free_func (g_free);
  stas_log_set_handler (on_log, fx);
  fx->lo = (int) if_nametoindex ("lo");
  g_assert_cmpint (fx->lo, >, 0);

  fx->listener4 = listen_on ("127.0.0.1", &fx->port4);
  g_assert_nonnull (fx->listener4);
  fx->listener6 = listen_on ("::1", &fx->port6);
  port = g_strdup_printf ("%u", fx->port4);

  fx->fake = stas_fake_fabrics_new ();
  stas_fake_fabrics_set_kernel_caps (fx->fake, &caps);
  fx->target4 = stas_fake_fabrics_add_target (fx->fake, "tcp", "127.0.0.1", port);
  stas_fake_fabrics_add_discovery_subsystem (fx->fake, fx->target4, CDC_NQN, STAS_FAKE_DCTYPE_CDC);
  stas_fake_fabrics_set_dlp (fx->fake, fx->target4, page, G_N_ELEMENTS (page));
  if (fx->listener6 != NULL)
    {
      g_autofree char *port6 = g_strdup_printf ("%u", fx->port6);
      StasFakeTarget *t6 = stas_fake_fabrics_add_target (fx->fake, "tcp", "::1", port6);
      stas_fake_fabrics_add_discovery_subsystem (fx->fake, t6, DISC, STAS_FAKE_DCTYPE_DDC);
      stas_fake_fabrics_set_dlp (fx->fake, t6, page, 1);
    }
  stas_controller_set_time_scale (0.001);

  stas_test_bus_up (&fx->bus, &fx->server, &fx->client);
  fx->sub = g_dbus_connection_signal_subscribe (fx->client, NULL, "org.nvmexpress.staf", NULL,
                                                "/org/nvmexpress/staf", NULL,
                                                G_DBUS_SIGNAL_FLAGS_NONE, on_signal, fx, NULL);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  if (fx->service != NULL)
    stas_test_service_stop (&fx->service);
  g_clear_object (&fx->avahi);
  g_dbus_connection_signal_unsubscribe (fx->client, fx->sub);
  stas_test_bus_down (&fx->bus, &fx->server, &fx->client);
  g_clear_object (&fx->fake);
  if (fx->listener4 != NULL)
    g_socket_listener_close (fx->listener4);
  if (fx->listener6 != NULL)
    g_socket_listener_close (fx->listener6);
  g_clear_object (&fx->listener4);
  g_clear_object (&fx->listener6);
  stas_log_set_handler (NULL, NULL);
  g_ptr_array_unref (fx->logs);
  g_free (fx->conf);
}

static GVariant *
call (Fixture *fx, const char *iface, const char *method, GVariant *params, const char *type)
{
  return stas_test_call (fx->client, fx->server, "/org/nvmexpress/staf", iface, method, params,
                         type, NULL);
}

/* list_controllers (detailed): the value of @key of the controller at @traddr, or NULL
 * (newly allocated) */
static char *
dc_value (Fixture *fx, const char *traddr, const char *key)
{
  g_autoptr (GVariant) reply =
      call (fx, "org.nvmexpress.staf", "list_controllers", g_variant_new ("(b)", TRUE), "(aa{ss})");
  g_autoptr (GVariant) list = g_variant_get_child_value (reply, 0);

  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr (GVariant) dc = g_variant_get_child_value (list, i);
      const char *value = NULL;

      if (g_variant_lookup (dc, "traddr", "&s", &value) && g_strcmp0 (value, traddr) == 0 &&
          g_variant_lookup (dc, key, "&s", &value))
        return g_strdup (value);
    }
  return NULL;
}

/* TRUE when stafd lists no DC with @traddr */
static gboolean
dc_absent (Fixture *fx, const char *traddr)
{
  g_autofree char *value = dc_value (fx, traddr, "connected");
  return value == NULL;
}

static gboolean
dc_value_is (Fixture *fx, const char *traddr, const char *key, const char *expected)
{
  g_autofree char *value = dc_value (fx, traddr, key);
  return g_strcmp0 (value, expected) == 0;
}

static guint
n_controllers (Fixture *fx)
{
  g_autoptr (GVariant) reply = call (fx, "org.nvmexpress.staf", "list_controllers",
                                     g_variant_new ("(b)", FALSE), "(aa{ss})");
  g_autoptr (GVariant) list = g_variant_get_child_value (reply, 0);
  return (guint) g_variant_n_children (list);
}

static char *
process_info (Fixture *fx)
{
  g_autoptr (GVariant) reply = call (fx, "org.nvmexpress.staf.debug", "process_info", NULL, "(s)");
  char *json = NULL;

  g_variant_get (reply, "(s)", &json);
  return json;
}

static gboolean
process_info_has (Fixture *fx, const char *text)
{
  g_autofree char *json = process_info (fx);
  return strstr (json, text) != NULL;
}

static void
advertise (Fixture *fx, const char *name, int address_family, const char *address, guint port)
{
  const char *txt[] = { "p=tcp", "NQN=" CDC_NQN, NULL };

  stas_avahi_test_item_new (fx->avahi, fx->lo, 4, name, TCP, "local");
  stas_avahi_test_resolved (fx->avahi, fx->lo, 4, name, TCP, "local", address_family, address, port,
                            txt);
}

static void
withdraw (Fixture *fx, const char *name)
{
  stas_avahi_test_item_remove (fx->avahi, fx->lo, 4, name, TCP, "local");
}

static gboolean
dc4_connected (Fixture *fx)
{
  return dc_value_is (fx, "127.0.0.1", "connected", "True") &&
         dc_value_is (fx, "127.0.0.1", "log pages state", "current");
}

#define CONF_HEAD "[Global]\nkato = 30\n"

/* [ZC-3] [ZC-5] [ZC-6]: advertised → checked → connected, pinned to the interface; the
 * advert withdrawn: kept while connected; lost and unreachable: aged, then removed */
static void
test_discovered_and_aged (Fixture *fx, gconstpointer data)
{
  g_autofree char *key = NULL;
  const StasFakeCall *connect;

  write_conf (fx, CONF_HEAD "[Discovery controller connection management]\n"
                            "zeroconf-connections-persistence = 1.5\n");
  start_service (fx);
  g_assert_true (process_info_has (fx, "\"service types\": [\"_nvme-disc._tcp\", "
                                       "\"_nvme-disc._udp\"]"));
  advertise (fx, "dc1", 4, "127.0.0.1", fx->port4);
  STAS_TEST_WAIT_FOR (dc4_connected (fx));
  connect = stas_fake_fabrics_get_last_call (fx->fake, STAS_FAKE_OP_CONNECT);
  g_assert_nonnull (connect);
  g_assert_cmpstr (connect->host_iface, ==, "lo"); /* pinned to the advert's interface */
  g_assert_cmpstr (stas_tid_get_subsysnqn (connect->tid), ==, CDC_NQN); /* TXT NQN= */
  g_assert_true (dc_value_is (fx, "127.0.0.1", "origin", "discovered"));
  g_assert_true (dc_value_is (fx, "127.0.0.1", "host-iface", "lo"));
  g_assert_true (dc_value_is (fx, "127.0.0.1", "mdns advertised", "True"));
  g_assert_true (dc_value_is (fx, "127.0.0.1", "unresponsive time", "---"));
  g_assert_true (dc_value_is (fx, "127.0.0.1", "unresponsive removal time", "---"));
  g_assert_true (dc_value_is (fx, "127.0.0.1", "unresponsive timeout", "1.5 sec"));
  g_assert_true (dc_value_is (fx, "127.0.0.1", "unresponsive timer", "0.0s [off]"));
  key = g_strdup_printf ("\"(lo, IPv4, dc1.local, _nvme-disc._tcp)\": {\"transport\": \"tcp\", "
                         "\"traddr\": \"127.0.0.1\", \"trsvcid\": \"%u\", \"host-iface\": \"lo\", "
                         "\"subsysnqn\": \"%s\", \"reachable\": \"True\", \"check timer\": "
                         "\"2.0s [off]\"}",
                         fx->port4, CDC_NQN);
  g_assert_true (process_info_has (fx, key));
  g_assert_true (process_info_has (fx, "\"avahi wake up timer\": \"60.0s [off]\""));

  /* goodbye: kept and still used while connected */
  withdraw (fx, "dc1");
  STAS_TEST_WAIT_FOR (dc_value_is (fx, "127.0.0.1", "mdns advertised", "False"));
  stas_test_run_for (100);
  g_assert_true (dc4_connected (fx));
  g_assert_true (dc_value_is (fx, "127.0.0.1", "unresponsive time", "---"));
  g_assert_cmpuint (fx->removed, ==, 0);
  g_assert_false (process_info_has (fx, "dc1.local"));

  /* the connection lost, reconnects refused: aging, visible, then removal */
  stas_fake_fabrics_fail_connect (fx->fake, fx->target4, ECONNREFUSED, STAS_FAKE_FOREVER);
  {
    g_auto (GStrv) devices = stas_fake_fabrics_list_devices (fx->fake);
    g_assert_nonnull (devices[0]);
    g_assert_true (stas_fake_fabrics_remove_device (fx->fake, devices[0]));
  }
  STAS_TEST_WAIT_FOR (logs_with (fx, "Controller is not responding. Will be removed by") == 1);
  g_assert_false (dc_value_is (fx, "127.0.0.1", "unresponsive time", "---"));
  g_assert_false (dc_value_is (fx, "127.0.0.1", "unresponsive removal time", "---"));
  g_assert_false (dc_value_is (fx, "127.0.0.1", "unresponsive timer", "0.0s [off]"));
  g_assert_true (dc_value_is (fx, "127.0.0.1", "connected", "False"));
  STAS_TEST_WAIT_FOR (n_controllers (fx) == 0);
  g_assert_cmpuint (fx->removed, >=, 1);
  g_assert_cmpuint (logs_with (fx, "Controller is not responding"), ==, 1);
}

/* [ZC-4] [D-49]: an advert where nothing listens yet: retried with back-off (INFO once),
 * never connected until the port listens */
static void
test_backoff_until_listening (Fixture *fx, gconstpointer data)
{
  guint16 port = fx->port4;
  guint failures = 0;
  double retry = 0;

  write_conf (fx, CONF_HEAD);
  /* the port of the fake target, nobody listening */
  g_socket_listener_close (fx->listener4);
  g_clear_object (&fx->listener4);
  start_service (fx);
  advertise (fx, "dc1", 4, "127.0.0.1", port);
  STAS_TEST_WAIT_FOR (
      stas_avahi_get_check_state (fx->avahi, fx->lo, 4, "dc1", TCP, &failures, &retry) &&
      failures >= 3);
  g_assert_cmpuint (logs_with (fx, "Unable to verify TCP connectivity  - (lo, 127.0.0.1, "), ==, 1);
  g_assert_cmpuint (n_controllers (fx), ==, 0);
  g_assert_true (process_info_has (fx, "\"reachable\": \"False\""));
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL), ==, 0);
  /* 2, 5, 10, ... (scaled) */
  g_assert_cmpfloat (retry, ==, stas_zc_backoff_s (failures));

  fx->listener4 = listen_on ("127.0.0.1", &port);
  g_assert_nonnull (fx->listener4);
  STAS_TEST_WAIT_FOR (dc4_connected (fx));
  g_assert_cmpuint (logs_with (fx, "Unable to verify TCP connectivity"), ==, 1);
  g_assert_true (process_info_has (fx, "\"reachable\": \"True\""));
}

/* [ZC-5]: ip-family and exclude= apply to discovered DCs in the pass */
static void
test_ip_family_exclude (Fixture *fx, gconstpointer data)
{
  write_conf (fx, CONF_HEAD "ip-family = ipv6\n");
  start_service (fx);
  advertise (fx, "dc1", 4, "127.0.0.1", fx->port4);
  STAS_TEST_WAIT_FOR (process_info_has (fx, "\"reachable\": \"True\""));
  stas_test_run_for (200);
  g_assert_cmpuint (n_controllers (fx), ==, 0); /* IPv4 advert ignored */
  if (fx->listener6 != NULL)
    {
      stas_avahi_test_item_new (fx->avahi, fx->lo, 6, "dc6", TCP, "local");
      stas_avahi_test_resolved (fx->avahi, fx->lo, 6, "dc6", TCP, "local", 6, "::1", fx->port6,
                                (const char *const[]){ "p=tcp", NULL });
      STAS_TEST_WAIT_FOR (dc_value_is (fx, "::1", "connected", "True"));
      g_assert_cmpuint (n_controllers (fx), ==, 1);
    }

  /* SIGHUP: both families; then exclude= of the advertised DC disconnects it */
  write_conf (fx, CONF_HEAD "ip-family = ipv4+ipv6\n");
  stas_service_reload (fx->service);
  STAS_TEST_WAIT_FOR (dc4_connected (fx));
  write_conf (fx, CONF_HEAD "ip-family = ipv4+ipv6\n[Controllers]\nexclude = traddr=127.0.0.1\n");
  stas_service_reload (fx->service);
  STAS_TEST_WAIT_FOR (dc_absent (fx, "127.0.0.1"));
  STAS_TEST_WAIT_FOR (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DISCONNECT, NULL) == 1);
  g_assert_cmpuint (fx->removed, >=, 1);
  /* exclude on the interface: everything on lo */
  write_conf (fx, CONF_HEAD "[Controllers]\nexclude = host-iface=lo\n");
  stas_service_reload (fx->service);
  STAS_TEST_WAIT_FOR (n_controllers (fx) == 0);
}

/* [D-47] [ZC-1]: zeroconf=disabled removes the discovered DC even though it is connected;
 * enabled again, browsing resumes */
static void
test_disabled_by_sighup (Fixture *fx, gconstpointer data)
{
  write_conf (fx, CONF_HEAD);
  start_service (fx);
  advertise (fx, "dc1", 4, "127.0.0.1", fx->port4);
  STAS_TEST_WAIT_FOR (dc4_connected (fx));

  write_conf (fx, CONF_HEAD "[Service Discovery]\nzeroconf = disabled\n");
  stas_service_reload (fx->service);
  STAS_TEST_WAIT_FOR (n_controllers (fx) == 0);
  STAS_TEST_WAIT_FOR (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DISCONNECT, NULL) == 1);
  g_assert_true (process_info_has (fx, "\"service types\": [], \"services\": {}"));

  write_conf (fx, CONF_HEAD "[Service Discovery]\nzeroconf = enabled\n");
  stas_service_reload (fx->service);
  g_assert_true (process_info_has (fx, "\"_nvme-disc._udp\""));
  advertise (fx, "dc1", 4, "127.0.0.1", fx->port4); /* the browser reports it again */
  STAS_TEST_WAIT_FOR (dc4_connected (fx));
}

/* [ZC-1] [ZC-6]: avahi-daemon restarted: services dropped, nothing connected is dropped;
 * browsing resumes */
static void
test_avahi_restart (Fixture *fx, gconstpointer data)
{
  write_conf (fx, CONF_HEAD);
  start_service (fx);
  advertise (fx, "dc1", 4, "127.0.0.1", fx->port4);
  STAS_TEST_WAIT_FOR (dc4_connected (fx));

  stas_avahi_test_set_available (fx->avahi, FALSE);
  g_assert_cmpuint (logs_with (fx, "avahi-daemon not available, zeroconf not supported."), ==, 1);
  STAS_TEST_WAIT_FOR (dc_value_is (fx, "127.0.0.1", "mdns advertised", "False"));
  g_assert_false (process_info_has (fx, "\"avahi wake up timer\": \"60.0s [off]\""));
  stas_test_run_for (100);
  g_assert_true (dc4_connected (fx));
  g_assert_true (dc_value_is (fx, "127.0.0.1", "unresponsive time", "---"));
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DISCONNECT, NULL), ==, 0);

  stas_avahi_test_set_available (fx->avahi, TRUE);
  g_assert_cmpuint (logs_with (fx, "avahi-daemon service available, zeroconf supported."), ==, 2);
  advertise (fx, "dc1", 4, "127.0.0.1", fx->port4);
  STAS_TEST_WAIT_FOR (dc_value_is (fx, "127.0.0.1", "mdns advertised", "True"));
  g_assert_true (process_info_has (fx, "\"avahi wake up timer\": \"60.0s [off]\""));
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL), ==, 1);
}

/* [ZC-6]: a negative persistence keeps an unresponsive DC forever; a bad TXT never
 * connects; an unknown removal is ignored [D-50] */
static void
test_forever_and_bad_input (Fixture *fx, gconstpointer data)
{
  write_conf (fx, CONF_HEAD "[Discovery controller connection management]\n"
                            "zeroconf-connections-persistence = -1\n");
  start_service (fx);
  stas_avahi_test_item_new (fx->avahi, fx->lo, 4, "bad", TCP, "local");
  stas_avahi_test_resolved (fx->avahi, fx->lo, 4, "bad", TCP, "local", 4, "127.0.0.1", fx->port4,
                            (const char *const[]){ "p=walmart", NULL });
  g_assert_cmpuint (logs_with (fx, "Received invalid/undefined protocol in mDNS TXT field: "
                                   "address=127.0.0.1, iface=lo, TXT={'p': 'walmart'}"),
                    ==, 1);
  withdraw (fx, "never-seen");
  stas_test_run_for (100);
  g_assert_cmpuint (n_controllers (fx), ==, 0);

  stas_fake_fabrics_fail_connect (fx->fake, fx->target4, ECONNREFUSED, STAS_FAKE_FOREVER);
  advertise (fx, "dc1", 4, "127.0.0.1", fx->port4);
  STAS_TEST_WAIT_FOR (n_controllers (fx) == 1);
  withdraw (fx, "dc1");
  STAS_TEST_WAIT_FOR (logs_with (fx, "Controller not responding. Retrying...") == 1);
  g_assert_true (dc_value_is (fx, "127.0.0.1", "unresponsive timeout", "forever"));
  g_assert_true (dc_value_is (fx, "127.0.0.1", "unresponsive removal time", "never"));
  g_assert_false (dc_value_is (fx, "127.0.0.1", "unresponsive time", "---"));
  stas_test_run_for (200);
  g_assert_cmpuint (n_controllers (fx), ==, 1);
  /* advertised again: aging cancelled */
  advertise (fx, "dc1", 4, "127.0.0.1", fx->port4);
  STAS_TEST_WAIT_FOR (dc_value_is (fx, "127.0.0.1", "unresponsive time", "---"));
}

/* [BAD-0] [ZC-3] [ZC-6]: an update (Found) of an identified service that fails validation:
 * WARNING, the previous identity kept, nothing disconnected (spec/bad-input.md §5) */
static void
test_invalid_update (Fixture *fx, gconstpointer data)
{
  write_conf (fx, CONF_HEAD);
  start_service (fx);
  advertise (fx, "upd", 4, "127.0.0.1", fx->port4);
  STAS_TEST_WAIT_FOR (n_controllers (fx) == 1 && dc4_connected (fx));
  stas_avahi_test_resolved (fx->avahi, fx->lo, 4, "upd", TCP, "local", 4, "127.0.0.1", fx->port4,
                            (const char *const[]){ "p=walmart", "upd=1", NULL });
  {
    g_autofree char *warning = g_strdup_printf (
        "mDNS service (lo, IPv4, upd.local, _nvme-disc._tcp): invalid update ignored; keeping "
        "tcp 127.0.0.1 %u lo " CDC_NQN,
        fx->port4);
    g_assert_cmpuint (logs_with (fx, warning), ==, 1);
  }
  stas_test_run_for (100);
  g_assert_true (dc4_connected (fx));
  g_assert_true (dc_value_is (fx, "127.0.0.1", "mdns advertised", "True"));
  withdraw (fx, "upd");
  STAS_TEST_WAIT_FOR (dc_value_is (fx, "127.0.0.1", "mdns advertised", "False"));
  g_assert_true (dc4_connected (fx));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/staf-zeroconf/discovered-and-aged", Fixture, NULL, setup, test_discovered_and_aged,
              teardown);
  g_test_add ("/staf-zeroconf/backoff-until-listening", Fixture, NULL, setup,
              test_backoff_until_listening, teardown);
  g_test_add ("/staf-zeroconf/ip-family-exclude", Fixture, NULL, setup, test_ip_family_exclude,
              teardown);
  g_test_add ("/staf-zeroconf/disabled-by-sighup", Fixture, NULL, setup, test_disabled_by_sighup,
              teardown);
  g_test_add ("/staf-zeroconf/avahi-restart", Fixture, NULL, setup, test_avahi_restart, teardown);
  g_test_add ("/staf-zeroconf/forever-and-bad-input", Fixture, NULL, setup,
              test_forever_and_bad_input, teardown);
  g_test_add ("/staf-zeroconf/invalid-update", Fixture, NULL, setup, test_invalid_update, teardown);
  return g_test_run ();
}
