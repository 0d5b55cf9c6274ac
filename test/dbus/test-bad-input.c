/* test-bad-input.c — stafd's service object on a private bus, fed hostile input by the fake
 * fabrics and by D-Bus callers (spec/bad-input.md §1.3 secrets, §4, §6): every case checks
 * the message the user sees and that nothing connected is lost. [BAD-0] [DC-1] [DC-5] [REF-1]
 * [D-41] [D-70] [SEC-1]
 *
 * The small helpers below (bus connection, call, WAIT_FOR, log capture) repeat the pattern of
 * test-staf.c; they should move to test/test-util.[ch] once that file is free to edit. */
#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <net/if.h>
#include <string.h>

#include "fake-fabrics.h"
#include "stas-dbus-generated.h"
#include "stas-log.h"
#include "stas-paths.h"
#include "stas-avahi.h"
#include "stas-staf-private.h"
#include "test-util.h"

#define DISC "nqn.2014-08.org.nvmexpress.discovery"
#define TRTYPE_RDMA 1
#define TRTYPE_TCP 3
#define ADRFAM_IPV4 1
#define SUBTYPE_REFERRAL 1
#define SUBTYPE_NVME 2
#define DC1_TID "(tcp, 192.168.1.10, 8009, " DISC ")"
#define DC2_TID "(tcp, 192.168.1.11, 8009, " DISC ")"
/* an invalid DH-HMAC-CHAP secret (no trailing ':'): its value must never be shown */
#define SECRET_TEXT "c2VjcmV0LXZhbHVlLXNlY3JldC12YWx1ZQ"
#define BAD_SECRET "DHHC-1:00:" SECRET_TEXT
#define ZC_NQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"

typedef struct
{
  StasTestBus *bus;
  GDBusConnection *server;
  GDBusConnection *client;
  StasFakeFabrics *fake;
  StasFakeTarget *t1;
  StasService *service;
  char *conf;
  GPtrArray *logs;           /* of StasDiag: everything stafd logged */
  StasAvahi *avahi;          /* "zeroconf" fixtures: Avahi in test mode */
  GSocketListener *listener; /* the mDNS DC's port on 127.0.0.1 (TCP check) */
  guint16 port;
} Fixture;

static void
on_log (StasLogLevel level, const char *text, gpointer user_data)
{
  Fixture *fx = user_data;

  /* [SEC-1] secrets never reach the log, whatever the input */
  g_assert_null (strstr (text, SECRET_TEXT));
  g_ptr_array_add (fx->logs, stas_diag_new (level, text));
}

/* How many messages at @level are exactly @text. */
static guint
count_logs (Fixture *fx, StasLogLevel level, const char *text)
{
  guint n = 0;

  for (guint i = 0; i < fx->logs->len; i++)
    {
      StasDiag *d = g_ptr_array_index (fx->logs, i);
      n += d->level == level && strcmp (d->text, text) == 0;
    }
  return n;
}

/* Shows what was logged (when an assertion is about to fail). */
static void
dump_logs (Fixture *fx)
{
  for (guint i = 0; i < fx->logs->len; i++)
    g_test_message ("log %d: %s", ((StasDiag *) g_ptr_array_index (fx->logs, i))->level,
                    ((StasDiag *) g_ptr_array_index (fx->logs, i))->text);
}

/* How many messages at @level or more severe. */
static guint
count_level (Fixture *fx, StasLogLevel level)
{
  guint n = 0;

  for (guint i = 0; i < fx->logs->len; i++)
    n += ((StasDiag *) g_ptr_array_index (fx->logs, i))->level <= level;
  return n;
}

static void
write_file (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

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
on_shutdown (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
setup (Fixture *fx, gconstpointer data)
{
  g_autofree char *hostnqn = stas_path_nvme_file ("hostnqn");
  g_autofree char *hostid = stas_path_nvme_file ("hostid");
  g_autofree char *state = g_build_filename (stas_path_rundir (), "stafd", NULL);
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s' '%s'", state, stas_path_firmware_tables ());
  g_autoptr (GError) error = NULL;
  StasFakeTarget *t2;
  StasDlpeSpec page1[] = { nvme_entry ("192.168.1.20", "nqn.2023-01.com.example:a"),
                           referral_entry ("192.168.1.11", "8009") };
  StasDlpeSpec page2[] = { nvme_entry ("192.168.1.21", "nqn.2023-01.com.example:c") };

  write_file (hostnqn, "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a\n");
  write_file (hostid, "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a\n");
  g_assert_cmpint (system (rm), ==, 0);
  fx->conf = g_build_filename (stas_path_sysconfdir (), "stafd-bad-input.conf", NULL);
  /* §1.3: a malformed secret is a parameter problem, the entry is used */
  write_file (fx->conf,
              "[Controllers]\n"
              "controller = transport=tcp;traddr=192.168.1.10;dhchap-secret=" BAD_SECRET "\n");
  if (g_strcmp0 (data, "zeroconf") == 0)
    {
      /* an mDNS-discovered CDC on the loopback, reachable (the TCP check is real) */
      g_autoptr (GInetAddress) lo = g_inet_address_new_from_string ("127.0.0.1");
      g_autoptr (GSocketAddress) want = g_inet_socket_address_new (lo, 0);
      g_autoptr (GSocketAddress) got = NULL;
      g_autofree char *port = NULL;
      StasFakeTarget *t;
      StasDlpeSpec io[] = { nvme_entry ("127.0.0.1", "nqn.2023-01.com.example:z") };

      fx->listener = g_socket_listener_new ();
      g_assert_true (g_socket_listener_add_address (fx->listener, want, G_SOCKET_TYPE_STREAM,
                                                    G_SOCKET_PROTOCOL_TCP, NULL, &got, NULL));
      fx->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (got));
      port = g_strdup_printf ("%u", fx->port);
      write_file (fx->conf, "[Service Discovery]\nzeroconf = enabled\n");
      fx->fake = stas_fake_fabrics_new ();
      t = stas_fake_fabrics_add_target (fx->fake, "tcp", "127.0.0.1", port);
      stas_fake_fabrics_add_discovery_subsystem (fx->fake, t, ZC_NQN, STAS_FAKE_DCTYPE_CDC);
      stas_fake_fabrics_set_dlp (fx->fake, t, io, G_N_ELEMENTS (io));
    }

  fx->logs = stas_diags_new ();
  stas_log_set_handler (on_log, fx);
  if (fx->fake == NULL)
    fx->fake = stas_fake_fabrics_new ();
  fx->t1 = stas_fake_fabrics_add_target (fx->fake, "tcp", "192.168.1.10", "8009");
  stas_fake_fabrics_add_discovery_subsystem (fx->fake, fx->t1, DISC, STAS_FAKE_DCTYPE_DDC);
  stas_fake_fabrics_set_dlp (fx->fake, fx->t1, page1, G_N_ELEMENTS (page1));
  t2 = stas_fake_fabrics_add_target (fx->fake, "tcp", "192.168.1.11", "8009");
  stas_fake_fabrics_add_discovery_subsystem (fx->fake, t2, DISC, STAS_FAKE_DCTYPE_DDC);
  stas_fake_fabrics_set_dlp (fx->fake, t2, page2, G_N_ELEMENTS (page2));
  stas_controller_set_time_scale (0.001);

  fx->bus = stas_test_bus_new ();
  fx->server = stas_test_bus_connection (fx->bus);
  fx->client = stas_test_bus_connection (fx->bus);

  fx->service = STAS_SERVICE (stas_staf_new (STAS_FABRICS (fx->fake)));
  g_assert_true (stas_service_start (fx->service, fx->conf, TRUE, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (stas_service_startup (fx->service, &error));
  g_assert_no_error (error);
  stas_soak_set_scale (stas_staf_get_soak (STAS_STAF (fx->service)), 0.01);
  g_assert_true (stas_service_export (fx->service, fx->server, &error));
  g_assert_no_error (error);
  if (fx->listener != NULL)
    {
      fx->avahi = stas_avahi_new (NULL, FALSE, TRUE);
      stas_avahi_set_time_scale (fx->avahi, 0.01);
      stas_staf_set_avahi (STAS_STAF (fx->service), fx->avahi);
    }
  stas_service_activate (fx->service);
  if (fx->avahi != NULL)
    stas_avahi_test_set_available (fx->avahi, TRUE);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  gboolean done = FALSE;

  if (fx->service != NULL)
    {
      stas_service_shutdown_async (fx->service, on_shutdown, &done);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
      stas_service_unexport (fx->service);
      g_clear_object (&fx->service);
    }
  g_clear_object (&fx->avahi);
  if (fx->listener != NULL)
    g_socket_listener_close (fx->listener);
  g_clear_object (&fx->listener);
  g_dbus_connection_close_sync (fx->client, NULL, NULL);
  g_dbus_connection_close_sync (fx->server, NULL, NULL);
  g_clear_object (&fx->client);
  g_clear_object (&fx->server);
  g_clear_pointer (&fx->bus, stas_test_bus_free);
  g_clear_object (&fx->fake);
  stas_log_set_handler (NULL, NULL);
  g_ptr_array_unref (fx->logs);
  g_free (fx->conf);
}

typedef struct
{
  GMainLoop *loop;
  GVariant *reply;
  GError *error;
} CallData;

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CallData *data = user_data;

  data->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

/* Calls @method; returns the reply or NULL with @error set. */
static GVariant *
try_call (Fixture *fx,
          const char *iface,
          const char *method,
          GVariant *params,
          const char *type,
          GError **error)
{
  CallData data = { .loop = g_main_loop_new (NULL, FALSE) };

  g_dbus_connection_call (fx->client, g_dbus_connection_get_unique_name (fx->server),
                          "/org/nvmexpress/staf", iface, method, params,
                          type != NULL ? G_VARIANT_TYPE (type) : NULL, G_DBUS_CALL_FLAGS_NONE,
                          20000, NULL, on_call_done, &data);
  g_main_loop_run (data.loop);
  g_main_loop_unref (data.loop);
  if (data.error != NULL)
    g_propagate_error (error, data.error);
  return data.reply;
}

static GVariant *
call (Fixture *fx, const char *iface, const char *method, GVariant *params, const char *type)
{
  g_autoptr (GError) error = NULL;
  GVariant *reply = try_call (fx, iface, method, params, type, &error);

  g_assert_no_error (error);
  return reply;
}

/* [SEC-1] the secret is never on D-Bus either */
static void
assert_no_secret (GVariant *reply)
{
  g_autofree char *text = g_variant_print (reply, FALSE);

  g_assert_null (strstr (text, SECRET_TEXT));
}

static GVariant *
list_controllers (Fixture *fx)
{
  g_autoptr (GVariant) reply =
      call (fx, "org.nvmexpress.staf", "list_controllers", g_variant_new ("(b)", TRUE), "(aa{ss})");

  assert_no_secret (reply);
  return g_variant_get_child_value (reply, 0);
}

/* The value of @key of the controller at @traddr in list_controllers, or NULL. */
static char *
controller_value (Fixture *fx, const char *traddr, const char *key)
{
  g_autoptr (GVariant) list = list_controllers (fx);

  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr (GVariant) ctrl = g_variant_get_child_value (list, i);
      const char *value = NULL;

      if (g_variant_lookup (ctrl, "traddr", "&s", &value) && strcmp (value, traddr) == 0)
        return g_variant_lookup (ctrl, key, "&s", &value) ? g_strdup (value) : NULL;
    }
  return NULL;
}

static gboolean
value_is (Fixture *fx, const char *traddr, const char *key, const char *expected)
{
  g_autofree char *value = controller_value (fx, traddr, key);

  return g_strcmp0 (value, expected) == 0;
}

static gboolean
connected (Fixture *fx, const char *traddr)
{
  return value_is (fx, traddr, "connected", "True");
}

static GVariant *
log_pages (Fixture *fx, const char *traddr)
{
  g_autoptr (GVariant) reply =
      call (fx, "org.nvmexpress.staf", "get_log_pages",
            g_variant_new ("(sssssss)", "tcp", traddr, "8009", DISC, "", "", ""), "(aa{ss})");

  return g_variant_get_child_value (reply, 0);
}

static guint
n_log_pages (Fixture *fx, const char *traddr)
{
  g_autoptr (GVariant) list = log_pages (fx, traddr);

  return (guint) g_variant_n_children (list);
}

static guint
n_controllers (Fixture *fx)
{
  g_autoptr (GVariant) list = list_controllers (fx);

  return (guint) g_variant_n_children (list);
}

static guint
n_calls (Fixture *fx, StasFakeOp op)
{
  return stas_fake_fabrics_count_calls (fx->fake, op, NULL);
}

/* Runs the main loop until @cond holds (bounded: the assertion after it tells). */
#define WAIT_FOR(cond)                                                                             \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gint64 _end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;                                   \
    while (!(cond) && g_get_monotonic_time () < _end)                                              \
      g_main_context_iteration (NULL, FALSE);                                                      \
    if (!(cond))                                                                                   \
      dump_logs (fx);                                                                              \
    g_assert_true (cond);                                                                          \
  }                                                                                                \
  G_STMT_END

/* Iterates the main loop for @ms of wall time (lets a wrong reaction happen). */
static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* Both DCs connected with their pages: the state every test starts from. */
static void
wait_steady (Fixture *fx)
{
  WAIT_FOR (n_log_pages (fx, "192.168.1.10") == 2 && n_log_pages (fx, "192.168.1.11") == 1 &&
            connected (fx, "192.168.1.10") && connected (fx, "192.168.1.11"));
  g_assert_cmpuint (n_controllers (fx), ==, 2);
}

static const char *
dc1_device (Fixture *fx)
{
  static char device[32];
  g_autofree char *value = controller_value (fx, "192.168.1.10", "device");

  g_assert_nonnull (value);
  g_strlcpy (device, value, sizeof device);
  return device;
}

/* Asserts the DLPE dictionary at @index of @pages has @key = @expected. */
static void
assert_dlpe (GVariant *pages, gsize index, const char *key, const char *expected)
{
  g_autoptr (GVariant) dlpe = g_variant_get_child_value (pages, index);
  const char *value = NULL;

  g_assert_true (g_variant_lookup (dlpe, key, "&s", &value));
  g_assert_cmpstr (value, ==, expected);
}

/* ---- §1.3 / [SEC-1] ----------------------------------------------------------------------- */

/* A malformed dhchap-secret: WARNING with <redacted>, the entry still used (connected), the
 * value nowhere in the log (on_log) or on D-Bus (list_controllers, controller_info). */
static void
test_bad_secret_redacted (Fixture *fx, gconstpointer data)
{
  g_autofree char *warning = NULL;
  g_autoptr (GVariant) info = NULL;

  wait_steady (fx);
  warning = g_strdup_printf ("%s:2: [Controllers] controller: invalid dhchap-secret "
                             "\"<redacted>\" (expected DHHC-1:<2 hex>:<base64>:), ignored",
                             fx->conf);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_WARNING, warning), ==, 1);
  g_assert_null (stas_fake_fabrics_get_last_call (fx->fake, STAS_FAKE_OP_CONNECT)->host_key);
  info = call (fx, "org.nvmexpress.staf.debug", "controller_info",
               g_variant_new ("(sssssss)", "tcp", "192.168.1.10", "8009", DISC, "", "", ""), "(s)");
  assert_no_secret (info);
}

/* A resolver answering from a table: names that do not resolve without a network. */
#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, GResolver)

struct _TestResolver
{
  GResolver parent;
  GHashTable *names; /* name → address text */
};

G_DEFINE_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static GList *
resolver_lookup (TestResolver *self, const char *name, GError **error)
{
  const char *address = g_hash_table_lookup (self->names, name);

  if (address == NULL)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "Name not found");
      return NULL;
    }
  return g_list_append (NULL, g_inet_address_new_from_string (address));
}

static GList *
resolver_lookup_by_name (GResolver *resolver,
                         const char *name,
                         GCancellable *cancellable,
                         GError **error)
{
  return resolver_lookup (TEST_RESOLVER (resolver), name, error);
}

static void
resolver_lookup_by_name_async (GResolver *resolver,
                               const char *name,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *addresses = resolver_lookup (TEST_RESOLVER (resolver), name, &error);

  if (addresses != NULL)
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
  else
    g_task_return_error (task, error);
}

static GList *
resolver_lookup_by_name_finish (GResolver *resolver, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_resolver_finalize (GObject *object)
{
  g_hash_table_unref (TEST_RESOLVER (object)->names);
  G_OBJECT_CLASS (test_resolver_parent_class)->finalize (object);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_resolver_finalize;
  resolver_class->lookup_by_name = resolver_lookup_by_name;
  resolver_class->lookup_by_name_async = resolver_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = resolver_lookup_by_name_finish;
}

static void
test_resolver_init (TestResolver *self)
{
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* [D-37] §1.3: a configured host name that stops resolving keeps its previous address (the
 * DC stays connected); one that never resolved gives no controller; both say why. */
static void
test_host_name_unresolvable (Fixture *fx, gconstpointer data)
{
  g_autoptr (GResolver) previous = g_resolver_get_default ();
  g_autoptr (TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);

  wait_steady (fx);
  g_hash_table_insert (resolver->names, g_strdup ("dc11.example"), g_strdup ("192.168.1.11"));
  g_resolver_set_default (G_RESOLVER (resolver));
  write_file (fx->conf, "[Controllers]\n"
                        "controller = transport=tcp;traddr=192.168.1.10\n"
                        "controller = transport=tcp;traddr=dc11.example\n"
                        "controller = transport=tcp;traddr=nowhere.example\n");
  stas_service_reload (fx->service);
  WAIT_FOR (value_is (fx, "192.168.1.11", "origin", "configured"));
  WAIT_FOR (count_logs (fx, STAS_LOG_WARNING, "Cannot resolve nowhere.example: Name not found") ==
            1);

  /* DNS outage */
  g_hash_table_remove_all (resolver->names);
  g_ptr_array_set_size (fx->logs, 0);
  stas_service_reload (fx->service);
  WAIT_FOR (count_logs (fx, STAS_LOG_WARNING,
                        "Cannot resolve dc11.example: Name not found; keeping 192.168.1.11") == 1);
  WAIT_FOR (count_logs (fx, STAS_LOG_WARNING, "Cannot resolve nowhere.example: Name not found") ==
            1);
  run_for (200);
  g_resolver_set_default (previous);
  /* every lookup gave its reference back (no leak per pass) */
  g_assert_cmpuint (G_OBJECT (resolver)->ref_count, ==, 1);
  g_assert_cmpuint (n_controllers (fx), ==, 2);
  g_assert_true (connected (fx, "192.168.1.11"));
  g_assert_true (connected (fx, "192.168.1.10"));
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_DISCONNECT), ==, 0);
}

/* ---- §5 mDNS ------------------------------------------------------------------------------ */

static void
resolved (Fixture *fx, const char *name, const char *address, guint port, const char *const *txt)
{
  stas_avahi_test_resolved (fx->avahi, (int) if_nametoindex ("lo"), 4, name, STAS_ZC_STYPE_TCP,
                            "local", 4, address, port, txt);
}

/* [BAD-0] [ZC-3] an identified, connected mDNS DC whose next Found fails validation
 * (unknown protocol, port 0, an address of the wrong family), and the removal of a service
 * never seen: the reference messages, the previous identity kept, still advertised and
 * connected, nothing disconnected. */
static void
test_mdns_bad_updates (Fixture *fx, gconstpointer data)
{
  const char *good[] = { "p=tcp", "NQN=" ZC_NQN, NULL };
  const char *walmart[] = { "p=walmart", "NQN=" ZC_NQN, NULL };
  int lo = (int) if_nametoindex ("lo");
  guint connects;

  g_assert_cmpint (lo, >, 0);
  stas_avahi_test_item_new (fx->avahi, lo, 4, "dc1", STAS_ZC_STYPE_TCP, "local");
  resolved (fx, "dc1", "127.0.0.1", fx->port, good);
  WAIT_FOR (connected (fx, "127.0.0.1") && value_is (fx, "127.0.0.1", "mdns advertised", "True"));
  connects = n_calls (fx, STAS_FAKE_OP_CONNECT);
  g_ptr_array_set_size (fx->logs, 0);

  resolved (fx, "dc1", "127.0.0.1", fx->port, walmart);
  resolved (fx, "dc1", "127.0.0.1", 0, good);
  resolved (fx, "dc1", "::1", fx->port, good);
  stas_avahi_test_item_remove (fx->avahi, lo, 4, "never-seen", STAS_ZC_STYPE_TCP, "local");
  run_for (300); /* passes (soak 15 ms) and TCP checks (time-scaled) */

  g_assert_cmpuint (count_logs (fx, STAS_LOG_ERROR,
                                "Received invalid/undefined protocol in mDNS TXT field: "
                                "address=127.0.0.1, iface=lo, TXT={'p': 'walmart', 'nqn': '" ZC_NQN
                                "'}"),
                    ==, 1);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_WARNING,
                                "Invalid port 0 from mDNS: address=127.0.0.1, iface=lo; ignored"),
                    ==, 1);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_WARNING,
                                "Invalid IPv4 address \"::1\" from mDNS (iface=lo); ignored"),
                    ==, 1);
  /* each rejected update also names the identity kept (bad-input.md §5, last rows) */
  {
    g_autofree char *kept = g_strdup_printf ("mDNS service (lo, IPv4, dc1.local, _nvme-disc._tcp): "
                                             "invalid update ignored; keeping tcp 127.0.0.1 %u "
                                             "lo " ZC_NQN,
                                             fx->port);
    g_assert_cmpuint (count_logs (fx, STAS_LOG_WARNING, kept), ==, 3);
  }
  g_assert_cmpuint (count_level (fx, STAS_LOG_WARNING), ==, 6); /* the unknown removal: DEBUG */
  g_assert_true (value_is (fx, "127.0.0.1", "mdns advertised", "True"));
  g_assert_true (connected (fx, "127.0.0.1"));
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_CONNECT), ==, connects);
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_DISCONNECT), ==, 0);
}

/* ---- §6 hostile log page entries --------------------------------------------------------- */

/* An unterminated subnqn: 256 printable bytes, no NUL (read up to the field size). */
#define LONG_NQN_HEAD "nqn.2023-01.com.example:"

static char *
unterminated_nqn (void)
{
  GString *nqn = g_string_new (LONG_NQN_HEAD);

  while (nqn->len < 256)
    g_string_append_c (nqn, 'x');
  return g_string_free (nqn, FALSE);
}

/* [BAD-0] [DC-5] [D-70] [REF-1] [D-41] padded, unterminated, non-printable, invalid and
 * cross-transport entries: the good ones published (stripped), the non-printable one
 * dropped with one WARNING and counted, the malformed referral warned about and the DC's
 * previous referral kept (still connected), the cross-transport referral an INFO; a re-read
 * of the same page warns about nothing again (rate limit) and nothing is disconnected. */
static void
test_hostile_entries (Fixture *fx, gconstpointer data)
{
  g_autofree char *nqn = unterminated_nqn ();
  g_autofree char *dropped = NULL;
  g_autofree char *dropped_warning = NULL;
  g_autoptr (GVariant) pages = NULL;
  StasDlpeSpec page[] = {
    nvme_entry ("  192.168.1.20  ", "nqn.2023-01.com.example:a   "),
    nvme_entry ("192.168.1.22", nqn),
    nvme_entry ("192.168.1.\00123", "nqn.2023-01.com.example:d"),
    referral_entry ("555.555.555.555", "8009"),
    referral_entry ("192.168.1.12", "8009"),
  };
  const char *dev;
  guint connects, reads;

  page[4].trtype = TRTYPE_RDMA;
  wait_steady (fx);
  dev = dc1_device (fx);
  connects = n_calls (fx, STAS_FAKE_OP_CONNECT);
  g_ptr_array_set_size (fx->logs, 0);

  /* the referral to 192.168.1.11 is gone from this page, but the page is not clean */
  stas_fake_fabrics_set_dlp (fx->fake, fx->t1, page, G_N_ELEMENTS (page));
  WAIT_FOR (n_log_pages (fx, "192.168.1.10") == 4);
  run_for (200); /* a wrong removal would happen at the next pass (soak 15 ms) */

  pages = log_pages (fx, "192.168.1.10");
  assert_dlpe (pages, 0, "traddr", "192.168.1.20"); /* spaces stripped */
  assert_dlpe (pages, 0, "subnqn", "nqn.2023-01.com.example:a");
  assert_dlpe (pages, 1, "subnqn", nqn); /* read up to the field size */
  assert_dlpe (pages, 2, "traddr", "555.555.555.555");
  assert_dlpe (pages, 3, "trtype", "rdma");

  dropped_warning =
      g_strdup_printf (DC1_TID " | %s - Dropped 1 malformed discovery log page entries", dev);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_WARNING, dropped_warning), ==, 1);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_WARNING,
                                DC1_TID " - Ignoring malformed referral entry 2: traddr "
                                        "\"555.555.555.555\" is not a valid IP address"),
                    ==, 1);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_INFO,
                                DC1_TID " - Ignoring referral 192.168.1.12:8009 (transport rdma "
                                        "differs from the DC's transport tcp)"),
                    ==, 1);
  dropped = controller_value (fx, "192.168.1.10", "log pages dropped");
  g_assert_cmpstr (dropped, ==, "1");

  /* nothing connected lost: the previous referral is kept, nothing disconnected or added */
  g_assert_cmpuint (n_controllers (fx), ==, 2);
  g_assert_true (connected (fx, "192.168.1.11"));
  g_assert_true (connected (fx, "192.168.1.10"));
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_DISCONNECT), ==, 0);
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_CONNECT), ==, connects);

  /* rate limit: the same page read again warns about nothing again */
  reads = n_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG);
  stas_fake_fabrics_emit_aen (fx->fake, dev, 0x70f002);
  WAIT_FOR (n_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG) > reads &&
            stas_fake_fabrics_count_pending (fx->fake) == 0);
  run_for (200);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_WARNING, dropped_warning), ==, 1);
  g_assert_cmpuint (count_level (fx, STAS_LOG_WARNING), ==, 2);
  g_assert_cmpuint (n_controllers (fx), ==, 2);
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_DISCONNECT), ==, 0);
}

/* [BAD-0] [DC-1] a DLP header with more than 16384 records: ERROR naming the count, the
 * previous cache kept (stacd keeps seeing the last good data), nothing disconnected. */
static void
test_numrec_too_large (Fixture *fx, gconstpointer data)
{
  g_autofree StasDlpeSpec *page = g_new (StasDlpeSpec, STAS_MAX_DLP_RECORDS + 1);
  g_autofree char *error_text = NULL;
  const char *dev;
  guint reads;

  for (guint i = 0; i <= STAS_MAX_DLP_RECORDS; i++)
    page[i] = nvme_entry ("192.168.1.20", "nqn.2023-01.com.example:a");
  wait_steady (fx);
  dev = dc1_device (fx);
  reads = n_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG);
  g_ptr_array_set_size (fx->logs, 0);
  stas_fake_fabrics_set_dlp (fx->fake, fx->t1, page, STAS_MAX_DLP_RECORDS + 1);
  error_text = g_strdup_printf (DC1_TID " | %s - Discovery log page too large (%u records)", dev,
                                STAS_MAX_DLP_RECORDS + 1);
  WAIT_FOR (count_logs (fx, STAS_LOG_ERROR, error_text) == 1);
  /* retried (every 20 s, scaled) without a second ERROR */
  WAIT_FOR (n_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG) >= reads + 3);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_ERROR, error_text), ==, 1);
  g_assert_cmpuint (count_level (fx, STAS_LOG_ERROR), ==, 1);
  g_assert_cmpuint (n_log_pages (fx, "192.168.1.10"), ==, 2);
  g_assert_cmpuint (n_controllers (fx), ==, 2);
  g_assert_true (connected (fx, "192.168.1.11"));
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_DISCONNECT), ==, 0);
}

/* [BAD-0] [DC-1] GENCTR changing under every read: ERROR "genctr mismatch" once for the
 * streak, the previous cache kept meanwhile; the next clean read replaces it. */
static void
test_genctr_churn (Fixture *fx, gconstpointer data)
{
  g_autofree char *error_text = NULL;
  StasDlpeSpec page[] = { nvme_entry ("192.168.1.20", "nqn.2023-01.com.example:a"),
                          nvme_entry ("192.168.1.20", "nqn.2023-01.com.example:b"),
                          referral_entry ("192.168.1.11", "8009") };
  const char *dev;
  guint reads;

  wait_steady (fx);
  dev = dc1_device (fx);
  g_ptr_array_set_size (fx->logs, 0);
  /* STAS_DLP_GENCTR_RETRIES reads per retrieval: three failed retrievals */
  stas_fake_fabrics_set_genctr_churn (fx->fake, fx->t1, 3 * STAS_DLP_GENCTR_RETRIES);
  reads = n_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG);
  stas_fake_fabrics_set_dlp (fx->fake, fx->t1, page, G_N_ELEMENTS (page)); /* AEN */
  error_text =
      g_strdup_printf (DC1_TID " | %s - Failed to retrieve log pages. genctr mismatch", dev);
  WAIT_FOR (count_logs (fx, STAS_LOG_ERROR, error_text) == 1);
  g_assert_cmpuint (n_log_pages (fx, "192.168.1.10"), ==, 2); /* previous cache */
  WAIT_FOR (n_log_pages (fx, "192.168.1.10") == 3);
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG), >=, reads + 4);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_ERROR, error_text), ==, 1);
  g_assert_cmpuint (count_level (fx, STAS_LOG_ERROR), ==, 1);
  g_assert_cmpuint (n_controllers (fx), ==, 2);
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_DISCONNECT), ==, 0);
}

/* ---- §6 referral depth, Supported Log Pages rejected ---------------------------------------- */

/* [REF-1] a referral chain deeper than 4: WARNING once for the DC at the limit, the referral
 * beyond it not followed; everything up to the limit connected. */
static void
test_referral_too_deep (Fixture *fx, gconstpointer data)
{
  static const char *const addr[] = { "192.168.1.11", "192.168.1.12", "192.168.1.13",
                                      "192.168.1.14", "192.168.1.15" };
  g_autofree char *warning = NULL;
  guint reads;

  wait_steady (fx);
  /* .11 → .12 → .13 → .14 → .15, from the last one backwards (each page an AEN) */
  for (guint i = G_N_ELEMENTS (addr) - 1; i > 0; i--)
    {
      StasFakeTarget *t = stas_fake_fabrics_find_target (fx->fake, "tcp", addr[i], "8009");
      gboolean last = i == G_N_ELEMENTS (addr) - 1;
      StasDlpeSpec page[] = { nvme_entry ("192.168.1.20", "nqn.2023-01.com.example:a"),
                              referral_entry (last ? "192.168.1.16" : addr[i + 1], "8009") };

      if (t == NULL)
        {
          t = stas_fake_fabrics_add_target (fx->fake, "tcp", addr[i], "8009");
          stas_fake_fabrics_add_discovery_subsystem (fx->fake, t, DISC, STAS_FAKE_DCTYPE_DDC);
        }
      stas_fake_fabrics_set_dlp (fx->fake, t, page, last ? 1 : 2);
    }
  {
    StasFakeTarget *t11 = stas_fake_fabrics_find_target (fx->fake, "tcp", addr[0], "8009");
    StasDlpeSpec page[] = { nvme_entry ("192.168.1.21", "nqn.2023-01.com.example:c"),
                            referral_entry (addr[1], "8009") };

    stas_fake_fabrics_set_dlp (fx->fake, t11, page, G_N_ELEMENTS (page));
  }
  /* .10 is depth 0, .14 depth 4: its referral to .15 is not followed */
  warning = g_strdup ("(tcp, 192.168.1.14, 8009, " DISC ") - Referral depth limit (4) reached, "
                      "not following 1 referrals");
  WAIT_FOR (connected (fx, "192.168.1.14") && n_log_pages (fx, "192.168.1.14") == 2 &&
            count_logs (fx, STAS_LOG_WARNING, warning) == 1);
  reads = n_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG);
  stas_service_reload (fx->service); /* a few more passes */
  WAIT_FOR (n_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG) >= reads + 5 &&
            stas_fake_fabrics_count_pending (fx->fake) == 0);
  run_for (100);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_WARNING, warning), ==, 1);
  g_assert_cmpuint (n_controllers (fx), ==, 5);
  g_assert_true (value_is (fx, "192.168.1.15", "connected", NULL));
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_DISCONNECT), ==, 0);
}

/* [DC-1] Supported Log Pages rejected by the DC: DEBUG only, PLEO not used, the chain goes
 * on (the log page is still retrieved) and nothing is disconnected. */
static void
test_supported_log_pages_rejected (Fixture *fx, gconstpointer data)
{
  const char *dev;
  g_autofree char *debug = NULL;

  wait_steady (fx);
  dev = dc1_device (fx);
  stas_log_set_debug (TRUE);
  g_ptr_array_set_size (fx->logs, 0);
  stas_fake_fabrics_fail_status (fx->fake, fx->t1, STAS_FAKE_OP_SUPPORTED_LOG_PAGES, 0x2,
                                 STAS_FAKE_FOREVER);
  stas_fake_fabrics_reconnect_device (fx->fake, dev); /* the chain runs again */
  debug = g_strdup_printf (DC1_TID " | %s - Supported Log Pages rejected (Status:0x0002 - Invalid "
                                   "Field in Command): "
                                   "PLEO not used",
                           dev);
  WAIT_FOR (count_logs (fx, STAS_LOG_DEBUG, debug) == 1);
  WAIT_FOR (stas_fake_fabrics_count_pending (fx->fake) == 0 &&
            n_log_pages (fx, "192.168.1.10") == 2);
  stas_log_set_debug (FALSE);
  g_assert_cmpuint (count_level (fx, STAS_LOG_WARNING), ==, 0);
  g_assert_true (connected (fx, "192.168.1.10"));
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_DISCONNECT), ==, 0);
}

/* ---- §7 udev monitor overflow ------------------------------------------------------------ */

/* [BAD-0] [D-39] overflow: the WARNING, the counter, a resync; nothing connected lost */
static void
test_udev_overflow (Fixture *fx, gconstpointer data)
{
  g_autoptr (GVariant) info = NULL;
  const char *json = NULL;

  wait_steady (fx);
  g_ptr_array_set_size (fx->logs, 0);
  stas_fake_fabrics_overflow (fx->fake);
  WAIT_FOR (count_logs (fx, STAS_LOG_WARNING,
                        "udev monitor overflow: events were lost, resynchronising with sysfs") ==
            1);
  WAIT_FOR (stas_fake_fabrics_count_pending (fx->fake) == 0);
  run_for (100);
  info = call (fx, "org.nvmexpress.staf.debug", "process_info", NULL, "(s)");
  g_variant_get (info, "(&s)", &json);
  g_assert_nonnull (strstr (json, "\"udev overflows\": \"1\""));
  g_assert_cmpuint (count_level (fx, STAS_LOG_WARNING), ==, 1);
  g_assert_cmpuint (n_controllers (fx), ==, 2);
  g_assert_true (connected (fx, "192.168.1.10") && connected (fx, "192.168.1.11"));
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_DISCONNECT), ==, 0);
}

/* [BAD-0] [D-39] a device name re-used by another controller while uevents were lost: at
 * the resync the DC sees it as a "remove" (INFO) and reconnects; the new device, someone
 * else's I/O connection, is never touched. */
static void
test_device_name_reused (Fixture *fx, gconstpointer data)
{
  g_autofree char *dev = NULL;
  g_autofree char *info = NULL;
  g_autoptr (StasKernelCtrl) other = NULL;
  StasKernelCtrl fields = { .transport = "tcp",
                            .traddr = "192.168.1.20",
                            .trsvcid = "4420",
                            .subsysnqn = "nqn.2023-01.com.example:a" };
  guint connects;

  wait_steady (fx);
  dev = g_strdup (dc1_device (fx));
  connects = n_calls (fx, STAS_FAKE_OP_CONNECT);
  fields.name = dev;
  stas_fake_fabrics_set_drop_uevents (fx->fake, TRUE);
  g_assert_true (stas_fake_fabrics_remove_device (fx->fake, dev));
  g_assert_cmpstr (stas_fake_fabrics_add_device (fx->fake, &fields), ==, dev);
  stas_fake_fabrics_set_drop_uevents (fx->fake, FALSE);
  g_ptr_array_set_size (fx->logs, 0);
  stas_fake_fabrics_overflow (fx->fake);

  info = g_strdup_printf (DC1_TID " | %s - Received \"remove\" event", dev);
  WAIT_FOR (count_logs (fx, STAS_LOG_INFO, info) == 1);
  WAIT_FOR (n_calls (fx, STAS_FAKE_OP_CONNECT) > connects && connected (fx, "192.168.1.10") &&
            n_log_pages (fx, "192.168.1.10") == 2);
  g_assert_false (value_is (fx, "192.168.1.10", "device", dev));
  other = stas_fake_fabrics_get_device (fx->fake, dev);
  g_assert_nonnull (other);
  g_assert_cmpstr (other->subsysnqn, ==, "nqn.2023-01.com.example:a");
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DISCONNECT, dev), ==, 0);
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_DISCONNECT), ==, 0);
  g_assert_true (connected (fx, "192.168.1.11"));
}

/* ---- §4 D-Bus ------------------------------------------------------------------------------ */

static void
assert_invalid_args (Fixture *fx, const char *iface, const char *method, GVariant *params)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = try_call (fx, iface, method, params, NULL, &error);

  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
}

/* [BAD-0] [DBUS-11] wrong argument types or counts → InvalidArgs, no state change */
static void
test_dbus_bad_arguments (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) tron = NULL;
  guint connects;

  wait_steady (fx);
  connects = n_calls (fx, STAS_FAKE_OP_CONNECT);
  g_ptr_array_set_size (fx->logs, 0);
  assert_invalid_args (fx, "org.nvmexpress.staf", "list_controllers", g_variant_new ("(s)", "x"));
  assert_invalid_args (fx, "org.nvmexpress.staf", "list_controllers", NULL);
  assert_invalid_args (fx, "org.nvmexpress.staf", "get_log_pages",
                       g_variant_new ("(ssssss)", "tcp", "192.168.1.10", "8009", DISC, "", ""));
  assert_invalid_args (
      fx, "org.nvmexpress.staf", "get_log_pages",
      g_variant_new ("(sssssssb)", "tcp", "192.168.1.10", "8009", DISC, "", "", "", TRUE));
  assert_invalid_args (fx, "org.nvmexpress.staf", "get_log_pages",
                       g_variant_new ("(iiiiiii)", 1, 2, 3, 4, 5, 6, 7));
  assert_invalid_args (fx, "org.nvmexpress.staf", "get_all_log_pages",
                       g_variant_new ("(s)", "true"));
  assert_invalid_args (fx, "org.nvmexpress.staf.debug", "controller_info",
                       g_variant_new ("(b)", TRUE));
  /* tron set with a non-boolean; log_level is read-only */
  assert_invalid_args (
      fx, "org.freedesktop.DBus.Properties", "Set",
      g_variant_new ("(ssv)", "org.nvmexpress.staf.debug", "tron", g_variant_new_string ("true")));
  assert_invalid_args (fx, "org.freedesktop.DBus.Properties", "Set",
                       g_variant_new ("(ssv)", "org.nvmexpress.staf.debug", "log_level",
                                      g_variant_new_string ("DEBUG")));
  tron = call (fx, "org.freedesktop.DBus.Properties", "Get",
               g_variant_new ("(ss)", "org.nvmexpress.staf.debug", "tron"), "(v)");
  {
    g_autoptr (GVariant) v = g_variant_get_child_value (tron, 0);
    g_autoptr (GVariant) b = g_variant_get_variant (v);
    g_assert_false (g_variant_get_boolean (b));
  }
  g_assert_false (stas_log_get_debug ());

  /* no state change */
  g_assert_cmpuint (n_controllers (fx), ==, 2);
  g_assert_cmpuint (n_log_pages (fx, "192.168.1.10"), ==, 2);
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_CONNECT), ==, connects);
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_DISCONNECT), ==, 0);
  g_assert_cmpuint (count_level (fx, STAS_LOG_INFO), ==, 0);
}

/* [BAD-0] [DBUS-13] 7-string look-ups with unknown or unparsable values (bad IP, empty
 * transport, control characters, 1 MB strings) → [] / {}, no error, nothing logged above
 * DEBUG, no state change */
static void
test_dbus_garbage_lookups (Fixture *fx, gconstpointer data)
{
  g_autofree char *huge = g_strnfill (1024 * 1024, 'a');
  const char *const cases[][7] = {
    { "tcp", "not-an-ip", "8009", DISC, "", "", "" },
    { "", "", "", "", "", "", "" },
    { "", "192.168.1.10", "8009", DISC, "", "", "" },
    { "tcp", "192.168.1.10", "99999", DISC, "", "", "" },
    { "tcp", "192.168.1.10", "8009", "\001\002", "", "", "" },
    { "pcie", "0000:00:01.0", "", "", "", "", "" },
    { huge, huge, huge, huge, huge, huge, huge },
    { "tcp", huge, "8009", DISC, "", "", "" },
  };
  guint connects;

  wait_steady (fx);
  connects = n_calls (fx, STAS_FAKE_OP_CONNECT);
  g_ptr_array_set_size (fx->logs, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *const *c = cases[i];
      g_autoptr (GVariant) pages =
          call (fx, "org.nvmexpress.staf", "get_log_pages",
                g_variant_new ("(sssssss)", c[0], c[1], c[2], c[3], c[4], c[5], c[6]), "(aa{ss})");
      g_autoptr (GVariant) info =
          call (fx, "org.nvmexpress.staf.debug", "controller_info",
                g_variant_new ("(sssssss)", c[0], c[1], c[2], c[3], c[4], c[5], c[6]), "(s)");
      g_autoptr (GVariant) list = g_variant_get_child_value (pages, 0);
      const char *json = NULL;

      g_test_message ("case %u", i);
      g_assert_cmpuint (g_variant_n_children (list), ==, 0);
      g_variant_get (info, "(&s)", &json);
      g_assert_cmpstr (json, ==, "{}");
    }
  g_assert_cmpuint (count_level (fx, STAS_LOG_INFO), ==, 0);
  g_assert_cmpuint (n_controllers (fx), ==, 2);
  g_assert_cmpuint (n_log_pages (fx, "192.168.1.10"), ==, 2);
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_CONNECT), ==, connects);
  g_assert_cmpuint (n_calls (fx, STAS_FAKE_OP_DISCONNECT), ==, 0);
}

/* [SIG-1] calls during shutdown are answered (no error) until the name is released: here
 * while a disconnect (persistent-connections=false) is still in flight. */
static void
test_calls_during_shutdown (Fixture *fx, gconstpointer data)
{
  gboolean done = FALSE;
  guint dims;

  wait_steady (fx);
  write_file (fx->conf, "[Discovery controller connection management]\n"
                        "persistent-connections = false\n"
                        "[Controllers]\n"
                        "controller = transport=tcp;traddr=192.168.1.10\n");
  stas_service_reload (fx->service);
  run_for (100);
  stas_fake_fabrics_set_delay (fx->fake, fx->t1, STAS_FAKE_OP_DIM, STAS_FAKE_HOLD);
  stas_fake_fabrics_set_delay (fx->fake, fx->t1, STAS_FAKE_OP_DISCONNECT, STAS_FAKE_HOLD);
  dims = stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DIM, NULL);
  stas_service_shutdown_async (fx->service, on_shutdown, &done);
  /* the deregistration is in flight (not just any operation: a pass may have one too) */
  WAIT_FOR (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DIM, NULL) > dims);
  {
    g_autoptr (GVariant) list = call (fx, "org.nvmexpress.staf", "list_controllers",
                                      g_variant_new ("(b)", TRUE), "(aa{ss})");
    g_autoptr (GVariant) pages =
        call (fx, "org.nvmexpress.staf", "get_all_log_pages", g_variant_new ("(b)", TRUE), "(s)");
    g_autoptr (GVariant) info = call (fx, "org.nvmexpress.staf.debug", "process_info", NULL, "(s)");
  }
  g_assert_false (done);
  /* the deregistration (DIM) held the shutdown; then the disconnect */
  /* (a release also clears the hold: the DIM completes whether or not its worker had
   * started yet) */
  stas_fake_fabrics_release (fx->fake, fx->t1, STAS_FAKE_OP_DIM);
  WAIT_FOR (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DISCONNECT, NULL) > 0);
  stas_fake_fabrics_release (fx->fake, fx->t1, STAS_FAKE_OP_DISCONNECT);
  WAIT_FOR (done);
  stas_service_unexport (fx->service);
  g_clear_object (&fx->service);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/bad-input/1.3/SEC-1/bad-secret-redacted", Fixture, NULL, setup,
              test_bad_secret_redacted, teardown);
  g_test_add ("/bad-input/1.3/D-37/host-name-unresolvable", Fixture, NULL, setup,
              test_host_name_unresolvable, teardown);
  g_test_add ("/bad-input/5/BAD-0/mdns-bad-updates", Fixture, "zeroconf", setup,
              test_mdns_bad_updates, teardown);
  g_test_add ("/bad-input/6/BAD-0/hostile-entries", Fixture, NULL, setup, test_hostile_entries,
              teardown);
  g_test_add ("/bad-input/6/BAD-0/numrec-too-large", Fixture, NULL, setup, test_numrec_too_large,
              teardown);
  g_test_add ("/bad-input/6/BAD-0/genctr-churn", Fixture, NULL, setup, test_genctr_churn, teardown);
  g_test_add ("/bad-input/6/REF-1/referral-too-deep", Fixture, NULL, setup, test_referral_too_deep,
              teardown);
  g_test_add ("/bad-input/6/DC-1/supported-log-pages-rejected", Fixture, NULL, setup,
              test_supported_log_pages_rejected, teardown);
  g_test_add ("/bad-input/7/BAD-0/udev-overflow", Fixture, NULL, setup, test_udev_overflow,
              teardown);
  g_test_add ("/bad-input/7/BAD-0/device-name-reused", Fixture, NULL, setup,
              test_device_name_reused, teardown);
  g_test_add ("/bad-input/4/BAD-0/bad-arguments", Fixture, NULL, setup, test_dbus_bad_arguments,
              teardown);
  g_test_add ("/bad-input/4/BAD-0/garbage-lookups", Fixture, NULL, setup, test_dbus_garbage_lookups,
              teardown);
  g_test_add ("/bad-input/4/SIG-1/calls-during-shutdown", Fixture, NULL, setup,
              test_calls_during_shutdown, teardown);
  return g_test_run ();
}
