/* test-stac.c — stacd's service object on a private bus with the fake fabrics, and a
 * GtDBusQueue (libglib-testing) playing stafd: the test decides what each
 * get_all_log_pages(true) call gets (a JSON reply, an error, no answer) and emits
 * log_pages_changed / dc_removed from stafd's connection.
 *
 * Covered: IOCs from log pages and from controller= [STAC-1] [STAC-3]; "no data is not an
 * empty list" — stafd absent at start, gone, restarting, call error, time-out, non-JSON,
 * DCs without authoritative log pages [STAC-3] [STAC-4] [D-33]; evidence by dc_removed and
 * by STAFD_ORPHAN_GRACE; the disconnect policy [STAC-5] [D-36]; the audit of external
 * connections and leaving it [STAC-6] [D-35]; NCC [NCC-1]; the freeze rule [BAD-1];
 * ip-family; cross-transport entries [D-41]; CONF_LONG_SOAK after stafd came back [STAC-2];
 * warm restart [STAC-7] and SIGTERM [SIG-1]; the org.nvmexpress.stac members [DBUS-12]
 * [DBUS-13] [DBUS-35].
 *
 * No fixed-time waits (the test runs under valgrind too): WAIT_FOR waits for a condition;
 * that something did NOT happen is checked once stacd has processed the input and settled
 * (settled(): no pass running or scheduled, no disposal in flight). */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <libglib-testing/dbus-queue.h>

#include "fake-fabrics.h"
#include "stas-dbus-generated.h"
#include "stas-idl.h"
#include "stas-log.h"
#include "stas-paths.h"
#include "stas-stac-private.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOSTID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define DISC "nqn.2014-08.org.nvmexpress.discovery"
#define NQN(x) "nqn.2023-01.com.example:" x
/* the pass's DEBUG texts for c and e kept without evidence */
#define KEEPING_C "Keeping (tcp, 192.168.1.21, 4420, " NQN ("c") "): no authoritative data"
#define KEEPING_E "Keeping (tcp, 192.168.1.21, 4420, " NQN ("e") "): stafd data is not complete"

/* The fabric: DC1 (192.168.1.10) lists a and b at 192.168.1.20, DC2 (192.168.1.11) lists c
 * at 192.168.1.21; d (192.168.1.20) is not listed at first. */
#define WORLD                                                                                      \
  "192.168.1.10 current 0 tcp:192.168.1.20:a:0 tcp:192.168.1.20:b:0",                              \
      "192.168.1.11 current 0 tcp:192.168.1.21:c:0"

typedef enum
{
  REPLY_JSON,
  REPLY_ERROR,
  REPLY_HOLD,
} ReplyMode;

typedef struct
{
  const char *conf; /* stacd.conf text */
  gboolean stafd_up;
  gboolean nvme_cli_c; /* c connected beforehand by someone else, src_addr 127.0.0.1 */
} Params;

typedef struct
{
  GtDBusQueue *queue;
  GDBusNodeInfo *node;
  guint staf_name;         /* 0 while "stafd" is not on the bus */
  GDBusConnection *server; /* stafd's connection, known after the first call */
  GDBusConnection *tester; /* calls stacd */
  StasFakeFabrics *fake;
  StasService *service;
  char *conf;
  char *reply; /* the JSON get_all_log_pages answers */
  ReplyMode mode;
  GPtrArray *held; /* invocations not answered (REPLY_HOLD) */
  guint n_calls;
  GPtrArray *logs; /* "<level> <text>" */
} Fixture;

/* ---- helpers -------------------------------------------------------------------------- */

static void
write_file (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
on_log (StasLogLevel level, const char *text, gpointer user_data)
{
  Fixture *fx = user_data;

  g_ptr_array_add (fx->logs, g_strdup_printf ("%d %s", level, text));
  if (g_getenv ("STAS_TEST_VERBOSE") != NULL)
    g_printerr ("%d %s\n", level, text);
}

static guint
count_logs (Fixture *fx, StasLogLevel level, const char *text)
{
  g_autofree char *prefix = g_strdup_printf ("%d ", level);
  guint n = 0;

  for (guint i = 0; i < fx->logs->len; i++)
    {
      const char *line = g_ptr_array_index (fx->logs, i);
      if (g_str_has_prefix (line, prefix) && strstr (line, text) != NULL)
        n++;
    }
  return n;
}

/* One DC element: "<traddr> <state|-> <dropped|-> <trtype>:<traddr>:<nqn suffix>:<eflags> ..."
 * ('-': the key is left out, as nvme-stas' stafd does). */
static void
append_dc (GString *out, const char *spec)
{
  g_auto (GStrv) words = g_strsplit (spec, " ", -1);

  g_string_append_printf (out,
                          "{\"discovery-controller\": {\"traddr\": \"%s\", \"trsvcid\": \"8009\", "
                          "\"transport\": \"tcp\", \"subsysnqn\": \"" DISC "\", "
                          "\"host-iface\": \"\", \"host-traddr\": \"\", \"host-nqn\": \"" HOSTNQN
                          "\", \"host-id\": \"" HOSTID "\", \"device\": \"nvme0\"",
                          words[0]);
  if (g_strcmp0 (words[1], "-") != 0)
    g_string_append_printf (out, ", \"log pages state\": \"%s\"", words[1]);
  if (g_strcmp0 (words[2], "-") != 0)
    g_string_append_printf (out, ", \"log pages dropped\": \"%s\"", words[2]);
  g_string_append (out, "}, \"log-pages\": [");
  for (guint i = 3; words[i] != NULL; i++)
    {
      g_auto (GStrv) e = g_strsplit (words[i], ":", 4);
      g_string_append_printf (
          out,
          "%s{\"trtype\": \"%s\", \"adrfam\": \"ipv4\", \"traddr\": \"%s\", \"trsvcid\": \"4420\", "
          "\"subnqn\": \"" NQN ("%s") "\", \"subtype\": \"nvme\", \"treq\": \"not specified\", "
                                      "\"portid\": \"1\", \"cntlid\": \"65535\", \"asqsz\": "
                                      "\"32\", \"eflags\": \"%s\"}",
          i > 3 ? ", " : "", e[0], e[1], e[2], e[3]);
    }
  g_string_append (out, "]}");
}

/* The reply text for the DC specs given (NULL-terminated). */
static char *
reply_json_v (const char *const *dcs)
{
  GString *out = g_string_new ("[");

  for (guint i = 0; dcs[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      append_dc (out, dcs[i]);
    }
  g_string_append (out, "]");
  return g_string_free (out, FALSE);
}

#define SET_REPLY(fx, ...)                                                                         \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_free ((fx)->reply);                                                                          \
    (fx)->reply = reply_json_v ((const char *const[]){ __VA_ARGS__, NULL });                       \
    (fx)->mode = REPLY_JSON;                                                                       \
  }                                                                                                \
  G_STMT_END

/* Answers the calls stacd made to "stafd" per the current mode. */
static void
serve (Fixture *fx)
{
  GDBusMethodInvocation *invocation = NULL;

  /* (gt_dbus_queue_try_pop_message() of libglib-testing 0.1 never pops: pop only what is
   * there) */
  while (gt_dbus_queue_get_n_messages (fx->queue) > 0 &&
         gt_dbus_queue_pop_message (fx->queue, &invocation))
    {
      g_assert_true (gt_dbus_queue_match_client_message (
          fx->queue, invocation, STAS_STAFD_OBJECT_PATH, "org.nvmexpress.staf", "get_all_log_pages",
          "(true,)"));
      fx->n_calls++;
      if (fx->server == NULL)
        fx->server = g_object_ref (g_dbus_method_invocation_get_connection (invocation));
      switch (fx->mode)
        {
        case REPLY_JSON:
          g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", fx->reply));
          g_object_unref (invocation);
          break;
        case REPLY_ERROR:
          g_dbus_method_invocation_return_dbus_error (
              invocation, "org.freedesktop.DBus.Error.Failed", "stafd is busy");
          g_object_unref (invocation);
          break;
        case REPLY_HOLD:
        default:
          g_ptr_array_add (fx->held, invocation);
          break;
        }
      invocation = NULL;
    }
}

static gboolean
on_tick (gpointer data)
{
  return G_SOURCE_CONTINUE; /* wakes the loop up */
}

/* Runs the loop (serving stafd calls) until @cond holds. The limit is generous: nothing
 * here depends on speed (valgrind, a loaded machine), a wait only ends early. */
#define WAIT_LIMIT_S 120
#define WAIT_FOR(fx, cond)                                                                         \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gint64 _end = g_get_monotonic_time () + WAIT_LIMIT_S * G_USEC_PER_SEC;                         \
    guint _tick = g_timeout_add (5, on_tick, NULL);                                                \
    serve (fx);                                                                                    \
    while (!(cond) && g_get_monotonic_time () < _end)                                              \
      {                                                                                            \
        g_main_context_iteration (NULL, TRUE);                                                     \
        serve (fx);                                                                                \
      }                                                                                            \
    g_source_remove (_tick);                                                                       \
    g_assert_true (cond);                                                                          \
  }                                                                                                \
  G_STMT_END

static StasStac *
stac (Fixture *fx)
{
  return STAS_STAC (fx->service);
}

static StacEntry *
find (Fixture *fx, const char *traddr, const char *nqn)
{
  GPtrArray *entries = stas_stac_get_entries (stac (fx));

  for (guint i = 0; i < entries->len; i++)
    {
      StacEntry *e = g_ptr_array_index (entries, i);
      StasTid *tid = stas_controller_get_tid (STAS_CONTROLLER (e->ioc));
      if (g_strcmp0 (stas_tid_get_traddr (tid), traddr) == 0 &&
          g_strcmp0 (stas_tid_get_subsysnqn (tid), nqn) == 0)
        return e;
    }
  return NULL;
}

static guint
n_entries (Fixture *fx)
{
  return stas_stac_get_entries (stac (fx))->len;
}

static guint
n_connected (Fixture *fx)
{
  GPtrArray *entries = stas_stac_get_entries (stac (fx));
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    if (stas_controller_get_state (STAS_CONTROLLER (
            ((StacEntry *) g_ptr_array_index (entries, i))->ioc)) == STAS_CONTROLLER_CONNECTED)
      n++;
  return n;
}

static guint
n_devices (Fixture *fx)
{
  g_auto (GStrv) devices = stas_fake_fabrics_list_devices (fx->fake);
  return g_strv_length (devices);
}

static guint
n_disconnects (Fixture *fx)
{
  return stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DISCONNECT, NULL);
}

/* Every IOC's device is in stacd's kernel table (the "add" uevent may come after the
 * connect's result). */
static gboolean
all_in_table (Fixture *fx)
{
  GPtrArray *entries = stas_stac_get_entries (stac (fx));

  for (guint i = 0; i < entries->len; i++)
    if (stas_controller_get_kernel_entry (
            STAS_CONTROLLER (((StacEntry *) g_ptr_array_index (entries, i))->ioc)) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
is_connected (StacEntry *e)
{
  return e != NULL &&
         stas_controller_get_state (STAS_CONTROLLER (e->ioc)) == STAS_CONTROLLER_CONNECTED;
}

/* Nothing left to do in stacd: no reconciliation pass running or scheduled, no controller
 * being disposed (a finished disposal schedules a pass). What a pass decides is decided
 * once this holds after the input that triggered it was processed; the tests check that
 * something did NOT happen only at this point, never after a fixed time. */
static gboolean
settled (Fixture *fx)
{
  StasSoak *soak = stas_stac_get_soak (stac (fx));

  return !stas_soak_is_running (soak) && !stas_soak_is_scheduled (soak) &&
         stas_stac_get_disposals (stac (fx))->len == 0;
}

typedef struct
{
  gboolean done;
  GVariant *reply;
  GError *error;
} CallData;

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CallData *data = user_data;

  data->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &data->error);
  data->done = TRUE;
}

/* A call to stacd from another connection, like stacctl. */
static GVariant *
call (Fixture *fx, const char *iface, const char *method, GVariant *params, const char *type)
{
  CallData data = { 0 };

  g_dbus_connection_call (
      fx->tester,
      g_dbus_connection_get_unique_name (gt_dbus_queue_get_client_connection (fx->queue)),
      STAS_STACD_OBJECT_PATH, iface, method, params, G_VARIANT_TYPE (type), G_DBUS_CALL_FLAGS_NONE,
      5000, NULL, on_call_done, &data);
  WAIT_FOR (fx, data.done);
  g_assert_no_error (data.error);
  return data.reply;
}

static char *
process_info (Fixture *fx)
{
  g_autoptr (GVariant) reply = call (fx, "org.nvmexpress.stac.debug", "process_info", NULL, "(s)");
  char *text = NULL;

  g_variant_get (reply, "(s)", &text);
  return text;
}

static gboolean
info_has (Fixture *fx, const char *text)
{
  g_autofree char *info = process_info (fx);
  return strstr (info, text) != NULL;
}

static void
stafd_up (Fixture *fx)
{
  g_assert_cmpuint (fx->staf_name, ==, 0);
  fx->staf_name = gt_dbus_queue_own_name (fx->queue, STAS_STAFD_BUS_NAME);
}

static void
stafd_down (Fixture *fx)
{
  g_assert_cmpuint (fx->staf_name, !=, 0);
  gt_dbus_queue_unown_name (fx->queue, fx->staf_name);
  fx->staf_name = 0;
}

static void
emit (Fixture *fx, const char *signal, GVariant *params)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;

  g_assert_nonnull (fx->server);
  g_dbus_connection_emit_signal (fx->server, NULL, STAS_STAFD_OBJECT_PATH, "org.nvmexpress.staf",
                                 signal, params, &error);
  g_assert_no_error (error);
  /* a round trip to the bus from the same connection: the bus has routed the signal (or
   * dropped it), so stacd sees it before any later call from fx->tester */
  reply = g_dbus_connection_call_sync (
      fx->server, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId",
      NULL, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static void
emit_changed (Fixture *fx)
{
  emit (
      fx, "log_pages_changed",
      g_variant_new ("(ssssssss)", "tcp", "192.168.1.10", "8009", DISC, "", "", HOSTNQN, "nvme0"));
}

/* log_pages_changed, then the pass it triggers has asked stafd and finished. */
static void
changed_and_settle (Fixture *fx)
{
  guint calls = fx->n_calls;

  emit_changed (fx);
  WAIT_FOR (fx, fx->n_calls > calls && settled (fx));
}

static void
start_service (Fixture *fx)
{
  g_autoptr (GError) error = NULL;

  fx->service = STAS_SERVICE (stas_stac_new (STAS_FABRICS (fx->fake)));
  g_assert_true (stas_service_start (fx->service, fx->conf, TRUE, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (stas_service_startup (fx->service, &error));
  g_assert_no_error (error);
  stas_log_set_debug (TRUE); /* the DEBUG texts are checked too */
  stas_soak_set_scale (stas_stac_get_soak (stac (fx)), 0.01);
  stas_stac_set_call_timeout (stac (fx), 2000);
  g_assert_true (
      stas_service_export (fx->service, gt_dbus_queue_get_client_connection (fx->queue), &error));
  g_assert_no_error (error);
  stas_service_activate (fx->service);
}

static void
on_shutdown (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* SIGTERM */
static void
stop_service (Fixture *fx)
{
  gboolean done = FALSE;
  GObject *weak;

  stas_service_shutdown_async (fx->service, on_shutdown, &done);
  WAIT_FOR (fx, done);
  stas_service_unexport (fx->service);
  weak = G_OBJECT (fx->service);
  g_object_add_weak_pointer (weak, (gpointer *) &weak);
  g_clear_object (&fx->service);
  WAIT_FOR (fx, weak == NULL); /* a cancelled stafd call still held it */
}

static void
reload (Fixture *fx, const char *conf)
{
  write_file (fx->conf, conf);
  stas_service_reload (fx->service);
  stas_log_set_debug (TRUE);
}

static void
setup (Fixture *fx, gconstpointer data)
{
  const Params *params = data;
  g_autofree char *hostnqn = stas_path_nvme_file ("hostnqn");
  g_autofree char *hostid = stas_path_nvme_file ("hostid");
  g_autofree char *state = g_build_filename (stas_path_rundir (), "stacd", NULL);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", state);
  g_autoptr (GError) error = NULL;
  StasKernelCaps caps = { .host_iface = TRUE,
                          .discovery = TRUE,
                          .dhchap_secret = TRUE,
                          .dhchap_ctrl_secret = TRUE,
                          .cntrltype = TRUE,
                          .src_addr = TRUE,
                          .from_options = TRUE };
  StasFakeTarget *t;

  fx->logs = g_ptr_array_new_with_free_func (g_free);
  stas_log_set_handler (on_log, fx);
  stas_log_set_debug (TRUE);
  write_file (hostnqn, HOSTNQN "\n");
  write_file (hostid, HOSTID "\n");
  g_assert_cmpint (system (cmd), ==, 0);
  fx->conf = g_build_filename (stas_path_sysconfdir (), "stacd-test.conf", NULL);
  write_file (fx->conf, params->conf != NULL ? params->conf : "");

  fx->fake = stas_fake_fabrics_new ();
  stas_fake_fabrics_set_kernel_caps (fx->fake, &caps);
  t = stas_fake_fabrics_add_target (fx->fake, "tcp", "192.168.1.20", "4420");
  stas_fake_fabrics_add_io_subsystem (fx->fake, t, NQN ("a"), 1);
  stas_fake_fabrics_add_io_subsystem (fx->fake, t, NQN ("b"), 1);
  stas_fake_fabrics_add_io_subsystem (fx->fake, t, NQN ("d"), 1);
  t = stas_fake_fabrics_add_target (fx->fake, "tcp", "192.168.1.21", "4420");
  stas_fake_fabrics_add_io_subsystem (fx->fake, t, NQN ("c"), 1);
  stas_fake_fabrics_add_io_subsystem (fx->fake, t, NQN ("e"), 1);
  stas_controller_set_time_scale (0.001);

  fx->held = g_ptr_array_new ();
  SET_REPLY (fx, WORLD);
  fx->queue = gt_dbus_queue_new ();
  g_assert_true (gt_dbus_queue_connect (fx->queue, &error));
  g_assert_no_error (error);
  fx->node = g_dbus_node_info_new_for_xml (stas_idl_stafd, &error);
  g_assert_no_error (error);
  gt_dbus_queue_export_object (fx->queue, STAS_STAFD_OBJECT_PATH,
                               g_dbus_node_info_lookup_interface (fx->node, "org.nvmexpress.staf"),
                               &error);
  g_assert_no_error (error);
  fx->tester =
      g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, &error);
  g_assert_no_error (error);
  if (params->stafd_up)
    stafd_up (fx);
  if (params->nvme_cli_c)
    {
      StasKernelCtrl c = { .transport = (char *) "tcp",
                           .traddr = (char *) "192.168.1.21",
                           .trsvcid = (char *) "4420",
                           .src_addr = (char *) "127.0.0.1",
                           .subsysnqn = (char *) NQN ("c"),
                           .hostnqn = (char *) HOSTNQN,
                           .hostid = (char *) HOSTID };
      g_assert_nonnull (stas_fake_fabrics_add_device (fx->fake, &c));
    }
  start_service (fx);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  if (fx->service != NULL)
    stop_service (fx);
  for (guint i = 0; i < fx->held->len; i++)
    {
      GDBusMethodInvocation *invocation = g_ptr_array_index (fx->held, i);
      g_dbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.DBus.Error.Failed",
                                                  "test over");
      g_object_unref (invocation);
    }
  g_ptr_array_set_size (fx->held, 0);
  fx->mode = REPLY_ERROR;
  serve (fx);
  g_dbus_connection_close_sync (fx->tester, NULL, NULL);
  g_clear_object (&fx->tester);
  g_clear_object (&fx->server);
  gt_dbus_queue_disconnect (fx->queue, TRUE);
  g_clear_pointer (&fx->queue, gt_dbus_queue_free);
  g_dbus_node_info_unref (fx->node);
  g_ptr_array_unref (fx->held);
  g_clear_object (&fx->fake);
  g_free (fx->conf);
  g_free (fx->reply);
  stas_log_set_handler (NULL, NULL);
  stas_log_set_debug (FALSE);
  g_ptr_array_unref (fx->logs);
}

/* The world's three IOCs connected. */
static void
wait_world (Fixture *fx)
{
  WAIT_FOR (fx, n_entries (fx) == 3 && n_connected (fx) == 3);
}

/* ---- log pages → I/O controllers ------------------------------------------------------- */

/* [STAC-1] [STAC-3] [HOST-2] [DBUS-12] [DBUS-13] [DBUS-35] */
static void
test_discovered (Fixture *fx, gconstpointer data)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) list = NULL;
  g_autoptr (GVariant) first = NULL;
  g_autofree char *info = NULL;
  g_autofree char *owner = NULL;
  const char *value = NULL;
  const StasFakeCall *connect;

  wait_world (fx);
  WAIT_FOR (fx, all_in_table (fx));
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL), ==, 3);
  connect = stas_fake_fabrics_get_last_call (fx->fake, STAS_FAKE_OP_CONNECT);
  g_assert_false (connect->discovery);
  g_assert_cmpstr (stas_tid_get_host_nqn (connect->tid), ==, HOSTNQN); /* the DC's [HOST-1] */

  reply =
      call (fx, "org.nvmexpress.stac", "list_controllers", g_variant_new ("(b)", TRUE), "(aa{ss})");
  list = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (list), ==, 3);
  first = g_variant_get_child_value (list, 0);
  g_assert_true (g_variant_lookup (first, "subsysnqn", "&s", &value));
  g_assert_cmpstr (value, ==, NQN ("a"));
  g_assert_true (g_variant_lookup (first, "trsvcid", "&s", &value));
  g_assert_cmpstr (value, ==, "4420");
  g_assert_true (g_variant_lookup (first, "origin", "&s", &value));
  g_assert_cmpstr (value, ==, "discovered");
  g_assert_true (g_variant_lookup (first, "connected", "&s", &value));
  g_assert_cmpstr (value, ==, "True");
  g_assert_true (g_variant_lookup (first, "dlpe.eflags.ncc", "&s", &value));
  g_assert_cmpstr (value, ==, "False");
  g_assert_true (g_variant_lookup (first, "dlpe", "&s", &value));
  g_assert_true (g_str_has_prefix (value, "{'trtype': 'tcp', 'adrfam': 'ipv4'"));
  g_assert_true (g_variant_lookup (first, "cntrltype", "&s", &value));
  g_assert_cmpstr (value, ==, "io");
  g_clear_pointer (&reply, g_variant_unref);

  /* controller_info: found with an empty host NQN and trsvcid [D-24]; else {} */
  reply =
      call (fx, "org.nvmexpress.stac.debug", "controller_info",
            g_variant_new ("(sssssss)", "TCP", "192.168.1.21", "", NQN ("c"), "", "", ""), "(s)");
  g_variant_get (reply, "(&s)", &value);
  g_assert_nonnull (strstr (value, "\"origin\": \"discovered\""));
  g_assert_nonnull (strstr (value, "\"connect attempts\": \"0\""));
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (fx, "org.nvmexpress.stac.debug", "controller_info",
                g_variant_new ("(sssssss)", "tcp", "bad ip", "4420", NQN ("c"), "", "", ""), "(s)");
  g_variant_get (reply, "(&s)", &value);
  g_assert_cmpstr (value, ==, "{}");

  info = process_info (fx);
  owner = g_strdup_printf ("\"stafd name owner\": \"%s\"",
                           g_dbus_connection_get_unique_name (fx->server));
  g_assert_nonnull (strstr (info, "\"stafd data\": \"complete\""));
  g_assert_nonnull (strstr (info, owner));
  g_assert_nonnull (strstr (info, "\"last known config file\": \""));
  g_assert_nonnull (strstr (info, "/stacd/last-known-config.json\""));
  g_assert_nonnull (strstr (info, "\"terminator.audit timer\": \"30.0s [off]\""));
}

/* [STAC-1] [D-73] a log_pages_changed signal: the new IOC is connected, a removed one
 * disconnected (DC1 authoritative) */
static void
test_signal_reconciles (Fixture *fx, gconstpointer data)
{
  guint calls;

  wait_world (fx);
  calls = fx->n_calls;
  SET_REPLY (fx, "192.168.1.10 current 0 tcp:192.168.1.20:b:0 tcp:192.168.1.20:d:0",
             "192.168.1.11 current 0 tcp:192.168.1.21:c:0");
  emit_changed (fx);
  WAIT_FOR (fx, is_connected (find (fx, "192.168.1.20", NQN ("d"))));
  g_assert_cmpuint (fx->n_calls, >, calls);
  WAIT_FOR (fx, find (fx, "192.168.1.20", NQN ("a")) == NULL && n_disconnects (fx) == 1);
  WAIT_FOR (fx, n_devices (fx) == 3);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_INFO,
                                "no longer in any discovery log page: "
                                "disconnecting"),
                    ==, 1);
}

/* ---- "no data" is not "empty" [STAC-3] [STAC-4] [D-33] ------------------------------------ */

/* stafd not on the bus: the configured IOC connects, nothing else happens */
static void
test_stafd_absent_at_start (Fixture *fx, gconstpointer data)
{
  WAIT_FOR (fx, is_connected (find (fx, "192.168.1.21", NQN ("e"))));
  WAIT_FOR (fx, settled (fx));
  g_assert_cmpuint (count_logs (fx, STAS_LOG_DEBUG, "stafd is not on the bus: no log page data"),
                    >=, 1);
  g_assert_cmpuint (n_entries (fx), ==, 1);
  g_assert_cmpuint (fx->n_calls, ==, 0);
  g_assert_true (info_has (fx, "\"stafd data\": \"none\""));
  g_assert_true (info_has (fx, "\"stafd name owner\": \"\""));

  /* stacd started before stafd: it connects once stafd appears */
  stafd_up (fx);
  WAIT_FOR (fx, n_connected (fx) == 4);
  g_assert_true (info_has (fx, "\"stafd data\": \"complete\""));
  g_assert_cmpuint (n_disconnects (fx), ==, 0);
}

/* stafd leaves the bus and comes back: nothing is disconnected meanwhile; the pass after its
 * return waits CONF_LONG_SOAK, then reconciles */
static void
test_stafd_restarts (Fixture *fx, gconstpointer data)
{
  guint calls, no_stafd;

  wait_world (fx);
  stafd_down (fx);
  WAIT_FOR (fx, stas_stac_get_stafd_owner (stac (fx)) == NULL);
  emit (fx, "dc_removed", NULL); /* not the owner any more: ignored by the bus match */
  g_assert_true (info_has (fx, "\"stafd name owner\": \"\"")); /* after the signal, if any */
  g_assert_cmpuint (count_logs (fx, STAS_LOG_DEBUG, "a discovery controller was removed"), ==, 0);
  /* a pass without stafd (SIGHUP): no data, nothing removed */
  no_stafd = count_logs (fx, STAS_LOG_DEBUG, "stafd is not on the bus: no log page data");
  reload (fx, "");
  WAIT_FOR (fx, count_logs (fx, STAS_LOG_DEBUG, "stafd is not on the bus: no log page data") >
                        no_stafd &&
                    settled (fx));
  g_assert_true (info_has (fx, "\"stafd data\": \"stale\""));
  g_assert_cmpuint (n_entries (fx), ==, 3);
  g_assert_cmpuint (n_disconnects (fx), ==, 0);

  calls = fx->n_calls;
  /* the restarted stafd has not refreshed DC1 yet and does not list DC2 yet */
  SET_REPLY (fx, "192.168.1.10 cached 0 tcp:192.168.1.20:a:0");
  stafd_up (fx);
  WAIT_FOR (fx, stas_stac_get_stafd_owner (stac (fx)) != NULL);
  g_assert_true (info_has (fx, "\"config soak timer\": \"10.0s"));
  WAIT_FOR (fx, fx->n_calls > calls && settled (fx));
  g_assert_cmpuint (n_entries (fx), ==, 3); /* cached: not authoritative; DC2: no evidence */
  g_assert_true (info_has (fx, "\"stafd data\": \"partial\""));
  g_assert_true (info_has (fx, "\"config soak timer\": \"1.5s"));
  g_assert_cmpuint (count_logs (fx, STAS_LOG_DEBUG, "Keeping (tcp, 192.168.1.20, 4420, " NQN ("b")),
                    >=, 1);

  /* refreshed: DC1 current without b → b removed; c stays (DC2 not yet back, no evidence) */
  SET_REPLY (fx, "192.168.1.10 current 0 tcp:192.168.1.20:a:0");
  emit_changed (fx);
  WAIT_FOR (fx, find (fx, "192.168.1.20", NQN ("b")) == NULL && settled (fx));
  g_assert_nonnull (find (fx, "192.168.1.21", NQN ("c")));
  g_assert_cmpuint (n_disconnects (fx), ==, 1);
}

/* the call fails, times out or returns no JSON array: nothing removed, nothing added */
static void
test_unavailable_replies (Fixture *fx, gconstpointer data)
{
  guint calls;

  wait_world (fx);

  fx->mode = REPLY_ERROR;
  calls = fx->n_calls;
  emit_changed (fx);
  WAIT_FOR (fx, fx->n_calls > calls);
  WAIT_FOR (
      fx, count_logs (fx, STAS_LOG_WARNING, "Cannot get log pages from stafd: stafd is busy") >= 1);
  WAIT_FOR (fx, info_has (fx, "\"stafd data\": \"stale\""));

  g_free (fx->reply);
  fx->reply = g_strdup ("{\"not\": \"an array\"}");
  fx->mode = REPLY_JSON;
  calls = fx->n_calls;
  emit_changed (fx);
  WAIT_FOR (fx, fx->n_calls > calls);
  WAIT_FOR (fx, count_logs (fx, STAS_LOG_WARNING, "not a JSON array") >= 1);

  stas_stac_set_call_timeout (stac (fx), 100);
  fx->mode = REPLY_HOLD; /* no answer within DBUS_CALL_TIMEOUT */
  calls = fx->n_calls;
  emit_changed (fx);
  WAIT_FOR (fx, fx->n_calls > calls);
  WAIT_FOR (fx, count_logs (fx, STAS_LOG_WARNING, "Cannot get log pages from stafd") >= 3);
  g_assert_cmpuint (n_entries (fx), ==, 3);
  g_assert_cmpuint (n_connected (fx), ==, 3);
  g_assert_cmpuint (n_disconnects (fx), ==, 0);
  g_assert_true (info_has (fx, "\"stafd data\": \"stale\""));
}

/* a DC without authoritative data keeps its IOCs: cached, dropped entries, a malformed
 * entry, a malformed element; absent without evidence */
static void
test_not_authoritative (Fixture *fx, gconstpointer data)
{
  wait_world (fx);

  SET_REPLY (fx, "192.168.1.10 none 0", "192.168.1.11 current 0 tcp:192.168.1.21:c:0");
  changed_and_settle (fx);
  g_assert_cmpuint (n_entries (fx), ==, 3);
  SET_REPLY (fx, "192.168.1.10 current 2 tcp:192.168.1.20:a:0",
             "192.168.1.11 current 0 tcp:192.168.1.21:c:0");
  changed_and_settle (fx);
  g_assert_cmpuint (n_entries (fx), ==, 3);
  SET_REPLY (fx, "192.168.1.10 current 0 tcp:not-an-ip:a:0",
             "192.168.1.11 current 0 tcp:192.168.1.21:c:0");
  changed_and_settle (fx);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_WARNING,
                                "Ignoring malformed discovery log page entry from (tcp, "
                                "192.168.1.10, 8009"),
                    ==, 1);
  g_assert_cmpuint (n_entries (fx), ==, 3);

  /* DC1 absent from the reply: no evidence until dc_removed */
  SET_REPLY (fx, "192.168.1.11 current 0 tcp:192.168.1.21:c:0");
  changed_and_settle (fx);
  g_assert_cmpuint (n_entries (fx), ==, 3);
  g_assert_cmpuint (n_disconnects (fx), ==, 0);
  g_assert_true (info_has (fx, "\"stafd data\": \"complete\""));

  /* [STAC-4] (b): stafd removed DC1 */
  emit (fx, "dc_removed", NULL);
  WAIT_FOR (fx, n_entries (fx) == 1 && n_disconnects (fx) == 2);
  g_assert_nonnull (find (fx, "192.168.1.21", NQN ("c")));
}

/* [STAC-4] (c): a DC absent from every snapshot for STAFD_ORPHAN_GRACE */
static void
test_orphan_grace (Fixture *fx, gconstpointer data)
{
  wait_world (fx);
  stas_stac_set_orphan_grace (stac (fx), 300);
  SET_REPLY (fx, "192.168.1.10 current 0 tcp:192.168.1.20:a:0 tcp:192.168.1.20:b:0");
  emit_changed (fx);
  /* the pass that first finds DC2 absent keeps c (checked in the loop iteration that ran
   * it: the grace timer it scheduled cannot have fired yet) */
  WAIT_FOR (fx, count_logs (fx, STAS_LOG_DEBUG, KEEPING_C) >= 1);
  g_assert_nonnull (find (fx, "192.168.1.21", NQN ("c")));
  /* no further trigger: the grace timer runs the pass */
  WAIT_FOR (fx, find (fx, "192.168.1.21", NQN ("c")) == NULL);
  WAIT_FOR (fx, n_disconnects (fx) == 1);
}

/* cross-transport entries are skipped [D-41]; an empty but complete list removes */
static void
test_cross_transport_and_empty (Fixture *fx, gconstpointer data)
{
  wait_world (fx);
  SET_REPLY (
      fx, "192.168.1.10 current 0 tcp:192.168.1.20:a:0 tcp:192.168.1.20:b:0 rdma:192.168.1.20:d:0",
      "192.168.1.11 current 0 tcp:192.168.1.21:c:0");
  emit_changed (fx);
  WAIT_FOR (fx, count_logs (fx, STAS_LOG_INFO,
                            "transport rdma differs from the DC's transport tcp") == 1 &&
                    settled (fx));
  g_assert_cmpuint (n_entries (fx), ==, 3);
  g_assert_true (info_has (fx, "\"stafd data\": \"complete\""));

  SET_REPLY (fx, "192.168.1.10 current 0", "192.168.1.11 current 0");
  emit_changed (fx);
  WAIT_FOR (fx, n_entries (fx) == 0 && n_devices (fx) == 0);
}

/* ---- disconnect policy [STAC-5] ------------------------------------------------------------- */

static void
test_scope_no_disconnect (Fixture *fx, gconstpointer data)
{
  wait_world (fx);
  SET_REPLY (fx, "192.168.1.10 current 0 tcp:192.168.1.20:b:0",
             "192.168.1.11 current 0 tcp:192.168.1.21:c:0");
  emit_changed (fx);
  WAIT_FOR (fx, find (fx, "192.168.1.20", NQN ("a")) == NULL && settled (fx));
  g_assert_cmpuint (n_devices (fx), ==, 3); /* sticky */
  g_assert_cmpuint (n_disconnects (fx), ==, 0);
  g_assert_cmpuint (
      count_logs (fx, STAS_LOG_INFO, "connection kept (disconnect-scope=no-disconnect)"), ==, 1);

  /* [D-36] exclude= disconnects under every scope */
  reload (fx, "[I/O controller connection management]\ndisconnect-scope = no-disconnect\n"
              "[Controllers]\nexclude = transport=tcp;traddr=192.168.1.21\n");
  WAIT_FOR (fx, find (fx, "192.168.1.21", NQN ("c")) == NULL && n_disconnects (fx) == 1);
  WAIT_FOR (fx, settled (fx)); /* the pass after the disconnect finished [D-57] */
  g_assert_null (find (fx, "192.168.1.21", NQN ("c"))); /* excluded: not created again */
}

static void
test_scope_trtypes (Fixture *fx, gconstpointer data)
{
  wait_world (fx);
  SET_REPLY (fx, "192.168.1.10 current 0 tcp:192.168.1.20:b:0",
             "192.168.1.11 current 0 tcp:192.168.1.21:c:0");
  emit_changed (fx);
  WAIT_FOR (fx, find (fx, "192.168.1.20", NQN ("a")) == NULL && settled (fx));
  g_assert_cmpuint (n_devices (fx), ==, 3); /* tcp is not in disconnect-trtypes=rdma */
  g_assert_cmpuint (n_disconnects (fx), ==, 0);
}

/* [D-36] ip-family: existing IOCs of the disabled family are removed per policy */
static void
test_ip_family (Fixture *fx, gconstpointer data)
{
  wait_world (fx);
  reload (fx, "[Global]\nip-family = ipv6\n");
  WAIT_FOR (fx, n_entries (fx) == 0 && n_disconnects (fx) == 3);
  WAIT_FOR (fx, settled (fx)); /* the pass after the disconnects finished [D-57] */
  g_assert_cmpuint (n_entries (fx), ==, 0);
}

/* ---- audit of external connections [STAC-6] ---------------------------------------------- */

static void
test_audit (Fixture *fx, gconstpointer data)
{
  StasTidDefaults defaults = { .kind = STAS_DAEMON_STACD, .host_nqn = HOSTNQN, .host_id = HOSTID };
  StasTidFields fields = {
    .transport = "tcp", .traddr = "192.168.1.21", .trsvcid = "4420", .subsysnqn = NQN ("e")
  };
  g_autoptr (StasTid) tid = stas_tid_new (&defaults, &fields, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *external = NULL; /* (the fake frees its name with the device) */
  StacEntry *e;

  /* stafd has nothing complete yet: DC2 cached */
  SET_REPLY (fx, "192.168.1.10 current 0 tcp:192.168.1.20:a:0 tcp:192.168.1.20:b:0",
             "192.168.1.11 cached 0 tcp:192.168.1.21:c:0");
  WAIT_FOR (fx, n_connected (fx) == 3);
  external = g_strdup (stas_fake_fabrics_connect_external (fx->fake, tid, FALSE, &error));
  g_assert_no_error (error);
  WAIT_FOR (fx, (e = find (fx, "192.168.1.21", NQN ("e"))) != NULL && is_connected (e));
  g_assert_cmpstr (stas_controller_get_device (STAS_CONTROLLER (e->ioc)), ==, external);
  g_assert_cmpint (stas_ioc_get_origin (e->ioc), ==, STAS_IOC_ORIGIN_EXTERNAL);
  /* the pass the adoption triggered */
  WAIT_FOR (fx, count_logs (fx, STAS_LOG_DEBUG, KEEPING_E) >= 1 && settled (fx));
  g_assert_nonnull (find (fx, "192.168.1.21", NQN ("e"))); /* partial: kept */
  g_assert_cmpuint (n_disconnects (fx), ==, 0);

  /* complete and not listed: disconnected */
  SET_REPLY (fx, WORLD);
  emit_changed (fx);
  WAIT_FOR (fx, find (fx, "192.168.1.21", NQN ("e")) == NULL && n_disconnects (fx) == 1);
  WAIT_FOR (fx, !stas_fake_fabrics_has_device (fx->fake, external));

  /* [D-35] an external connection adopted, then the scope changes: released, kept */
  g_free (external);
  external = g_strdup (stas_fake_fabrics_connect_external (fx->fake, tid, FALSE, &error));
  g_assert_no_error (error);
  SET_REPLY (fx, "192.168.1.10 current 0 tcp:192.168.1.20:a:0 tcp:192.168.1.20:b:0",
             "192.168.1.11 cached 0 tcp:192.168.1.21:c:0");
  emit_changed (fx);
  WAIT_FOR (fx, is_connected (find (fx, "192.168.1.21", NQN ("e"))));
  reload (fx, "");
  WAIT_FOR (fx, find (fx, "192.168.1.21", NQN ("e")) == NULL && settled (fx));
  g_assert_true (stas_fake_fabrics_has_device (fx->fake, external));
  g_assert_cmpuint (n_disconnects (fx), ==, 1);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_INFO, "audit mode left"), ==, 1);
}

/* an nvme-cli connection the audit adopted under its sysfs identity (host-iface from
 * src_addr) that a log page lists with an empty host-iface (a wildcard, §3.4): handed over
 * to the listed IOC, never disconnected */
static void
test_audit_handover (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasKernelCtrl) k = NULL;
  StacEntry *e;

  wait_world (fx);
  e = find (fx, "192.168.1.21", NQN ("c"));
  g_assert_cmpint (stas_ioc_get_origin (e->ioc), ==, STAS_IOC_ORIGIN_DISCOVERED);
  g_assert_cmpstr (stas_tid_get_host_iface (stas_controller_get_tid (STAS_CONTROLLER (e->ioc))), ==,
                   "");
  k = stas_fake_fabrics_get_device (fx->fake,
                                    stas_controller_get_device (STAS_CONTROLLER (e->ioc)));
  g_assert_cmpstr (k->src_addr, ==, "127.0.0.1"); /* nvme-cli's connection */
  WAIT_FOR (fx, settled (fx));
  g_assert_cmpuint (n_disconnects (fx), ==, 0);
  g_assert_cmpuint (n_devices (fx), ==, 3);
  g_assert_cmpuint (n_entries (fx), ==, 3);
}

/* ---- NCC [NCC-1] --------------------------------------------------------------------------- */

static void
test_ncc (Fixture *fx, gconstpointer data)
{
  StasFakeTarget *t = stas_fake_fabrics_find_target (fx->fake, "tcp", "192.168.1.21", "4420");
  StacEntry *e;

  wait_world (fx);
  stas_fake_fabrics_fail_connect (fx->fake, t, ECONNREFUSED, STAS_FAKE_FOREVER);
  SET_REPLY (fx, "192.168.1.10 current 0 tcp:192.168.1.20:a:0 tcp:192.168.1.20:b:0",
             "192.168.1.11 current 0 tcp:192.168.1.21:c:0 tcp:192.168.1.21:e:4");
  emit_changed (fx);
  WAIT_FOR (fx,
            (e = find (fx, "192.168.1.21", NQN ("e"))) != NULL && stas_ioc_has_given_up (e->ioc));
  g_assert_cmpuint (stas_controller_get_connect_attempts (STAS_CONTROLLER (e->ioc)), ==, 2);
  g_assert_true (stas_ioc_get_ncc (e->ioc));
  g_assert_cmpuint (
      count_logs (fx, STAS_LOG_INFO, "Giving up after 2 connect attempts while the NCC bit is set"),
      ==, 1);

  /* NCC cleared in the next log page: connect now */
  stas_fake_fabrics_fail_connect (fx->fake, t, 0, 0);
  SET_REPLY (fx, "192.168.1.10 current 0 tcp:192.168.1.20:a:0 tcp:192.168.1.20:b:0",
             "192.168.1.11 current 0 tcp:192.168.1.21:c:0 tcp:192.168.1.21:e:0");
  emit_changed (fx);
  WAIT_FOR (fx, is_connected (find (fx, "192.168.1.21", NQN ("e"))));
}

/* ---- configuration ------------------------------------------------------------------------- */

/* a controller= IOC with no DC at all; the freeze rule [BAD-1]; removal when fixed */
static void
test_configured_and_freeze (Fixture *fx, gconstpointer data)
{
  StacEntry *e;

  WAIT_FOR (fx, n_connected (fx) == 4);
  e = find (fx, "192.168.1.21", NQN ("e"));
  g_assert_true (is_connected (e));
  g_assert_cmpint (stas_ioc_get_origin (e->ioc), ==, STAS_IOC_ORIGIN_CONFIGURED);
  {
    g_autoptr (GVariant) reply = call (fx, "org.nvmexpress.stac", "list_controllers",
                                       g_variant_new ("(b)", FALSE), "(aa{ss})");
    g_autoptr (GVariant) list = g_variant_get_child_value (reply, 0);
    g_autoptr (GVariant) first = g_variant_get_child_value (list, 0);
    const char *value = NULL;
    g_assert_true (g_variant_lookup (first, "subsysnqn", "&s", &value));
    g_assert_cmpstr (value, ==, NQN ("e")); /* configured first, parameters shown */
    g_assert_true (g_variant_lookup (first, "kato", "&s", &value));
    g_assert_cmpstr (value, ==, "33");
    g_assert_false (g_variant_lookup (first, "origin", "&s", &value)); /* not in the ID dict */
  }

  reload (fx, "[Controllers]\ncontroller = transport=tcp;traddr=192.168.1.21;trsvid=4420;"
              "nqn=" NQN ("x") "\n");
  WAIT_FOR (fx, count_logs (fx, STAS_LOG_WARNING, "no longer configured but") == 1 && settled (fx));
  g_assert_true (is_connected (find (fx, "192.168.1.21", NQN ("e"))));

  reload (fx, "[Controllers]\n");
  WAIT_FOR (fx, find (fx, "192.168.1.21", NQN ("e")) == NULL && n_disconnects (fx) == 1);
  g_assert_cmpuint (count_logs (fx, STAS_LOG_INFO, "controller= entry removed: disconnecting"), ==,
                    1);
}

/* ---- warm restart [STAC-7] [SIG-1] ------------------------------------------------------- */

static void
test_warm_restart (Fixture *fx, gconstpointer data)
{
  g_autofree char *path =
      g_build_filename (stas_path_rundir (), "stacd", STAS_STATE_FILE_NAME, NULL);
  g_autofree char *text = NULL;
  g_autofree char *device = NULL;
  StacEntry *e;

  wait_world (fx);
  stop_service (fx); /* SIGTERM keeps every IOC */
  g_assert_cmpuint (n_devices (fx), ==, 3);
  g_assert_cmpuint (n_disconnects (fx), ==, 0);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"origin\": \"discovered\""));
  g_assert_nonnull (
      strstr (text, "\"sources\": [{\"transport\": \"tcp\", \"traddr\": \"192.168.1.10\""));

  /* restarted while stafd is away: re-adopted, nothing connected twice, nothing dropped */
  stafd_down (fx);
  start_service (fx);
  g_assert_cmpuint (n_entries (fx), ==, 3); /* restored before the first pass */
  WAIT_FOR (fx, n_connected (fx) == 3);
  WAIT_FOR (fx, count_logs (fx, STAS_LOG_DEBUG, "stafd is not on the bus: no log page data") >= 1 &&
                    settled (fx)); /* the first pass */
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_ADOPT, NULL), ==, 3);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL), ==, 3);
  g_assert_cmpuint (n_devices (fx), ==, 3);
  e = find (fx, "192.168.1.21", NQN ("c"));
  g_assert_cmpint (stas_ioc_get_origin (e->ioc), ==, STAS_IOC_ORIGIN_DISCOVERED);
  g_assert_cmpuint (stas_ioc_get_sources (e->ioc)->len, ==, 1);
  g_assert_nonnull (stas_ioc_get_dlpe (e->ioc));

  /* stafd back with the same data: reconciled, still nothing new */
  stafd_up (fx);
  WAIT_FOR (fx, info_has (fx, "\"stafd data\": \"complete\"") && settled (fx));
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL), ==, 3);
  g_assert_cmpuint (n_disconnects (fx), ==, 0);
  g_assert_cmpuint (n_entries (fx), ==, 3);

  /* restarted after a device was deleted behind its back: that IOC is not restored */
  device = g_strdup (stas_controller_get_device (STAS_CONTROLLER (e->ioc)));
  stop_service (fx);
  g_assert_true (stas_fake_fabrics_remove_device (fx->fake, device));
  stafd_down (fx);
  start_service (fx);
  g_assert_cmpuint (n_entries (fx), ==, 2);
}

static const Params world = { .stafd_up = TRUE };
static const Params absent = {
  .conf = "[Controllers]\ncontroller = transport=tcp;traddr=192.168.1.21;nqn=" NQN ("e") "\n"
};
static const Params no_disconnect = {
  .conf = "[I/O controller connection management]\ndisconnect-scope = no-disconnect\n",
  .stafd_up = TRUE
};
static const Params trtypes = {
  .conf = "[I/O controller connection management]\n"
          "disconnect-scope = all-connections-matching-disconnect-trtypes\n"
          "disconnect-trtypes = rdma\n",
  .stafd_up = TRUE
};
static const Params audit = { .conf =
                                  "[I/O controller connection management]\n"
                                  "disconnect-scope = all-connections-matching-disconnect-trtypes\n"
                                  "disconnect-trtypes = tcp\n",
                              .stafd_up = TRUE };
static const Params audit_handover = {
  .conf = "[I/O controller connection management]\n"
          "disconnect-scope = all-connections-matching-disconnect-trtypes\n"
          "disconnect-trtypes = tcp\n",
  .stafd_up = TRUE,
  .nvme_cli_c = TRUE
};
static const Params ncc = {
  .conf = "[I/O controller connection management]\nconnect-attempts-on-ncc = 2\n", .stafd_up = TRUE
};
static const Params configured = {
  .conf =
      "[Controllers]\ncontroller = transport=tcp;traddr=192.168.1.21;nqn=" NQN ("e") ";kato=33\n",
  .stafd_up = TRUE
};

int
main (int argc, char **argv)
{
  g_autofree char *root = g_dir_make_tmp ("stas-stac-test-XXXXXX", NULL);
  int status;

  g_setenv ("STAS_TEST_ROOT", root, TRUE);
  g_unsetenv ("RUNTIME_DIRECTORY");
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/stac/discovered", Fixture, &world, setup, test_discovered, teardown);
  g_test_add ("/stac/signal-reconciles", Fixture, &world, setup, test_signal_reconciles, teardown);
  g_test_add ("/stac/no-data/stafd-absent-at-start", Fixture, &absent, setup,
              test_stafd_absent_at_start, teardown);
  g_test_add ("/stac/no-data/stafd-restarts", Fixture, &world, setup, test_stafd_restarts,
              teardown);
  g_test_add ("/stac/no-data/unavailable-replies", Fixture, &world, setup, test_unavailable_replies,
              teardown);
  g_test_add ("/stac/no-data/not-authoritative", Fixture, &world, setup, test_not_authoritative,
              teardown);
  g_test_add ("/stac/no-data/orphan-grace", Fixture, &world, setup, test_orphan_grace, teardown);
  g_test_add ("/stac/cross-transport-and-empty", Fixture, &world, setup,
              test_cross_transport_and_empty, teardown);
  g_test_add ("/stac/scope/no-disconnect", Fixture, &no_disconnect, setup, test_scope_no_disconnect,
              teardown);
  g_test_add ("/stac/scope/trtypes", Fixture, &trtypes, setup, test_scope_trtypes, teardown);
  g_test_add ("/stac/scope/ip-family", Fixture, &world, setup, test_ip_family, teardown);
  g_test_add ("/stac/audit", Fixture, &audit, setup, test_audit, teardown);
  g_test_add ("/stac/audit-handover", Fixture, &audit_handover, setup, test_audit_handover,
              teardown);
  g_test_add ("/stac/ncc", Fixture, &ncc, setup, test_ncc, teardown);
  g_test_add ("/stac/configured-and-freeze", Fixture, &configured, setup,
              test_configured_and_freeze, teardown);
  g_test_add ("/stac/warm-restart", Fixture, &world, setup, test_warm_restart, teardown);
  status = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
    (void) !system (cmd);
  }
  return status;
}
