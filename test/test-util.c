/* test-util.c — helpers shared by the in-process tests. */
#include "config.h"

#include "test-util.h"

#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "stas-controller.h"
#include "stas-paths.h"

static char
level_letter (StasLogLevel level)
{
  switch (level)
    {
    case STAS_LOG_ERROR:
      return 'E';
    case STAS_LOG_WARNING:
      return 'W';
    case STAS_LOG_INFO:
      return 'I';
    case STAS_LOG_DEBUG:
      return 'D';
    default:
      return '?';
    }
}

void
stas_test_assert_diags (GPtrArray *diags, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < diags->len; i++)
    {
      StasDiag *d = g_ptr_array_index (diags, i);
      g_autofree char *got = g_strdup_printf ("%c %s", level_letter (d->level), d->text);

      g_assert_null (strstr (d->text, "DHHC-1:0")); /* secret values are never shown */
      if (i >= n)
        g_error ("unexpected diagnostic: %s", got);
      g_assert_cmpstr (got, ==, expected[i]);
    }
  g_assert_cmpuint (diags->len, ==, n);
}

void
stas_test_write_file (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

void
stas_test_write_host_identity (void)
{
  g_autofree char *hostnqn = stas_path_nvme_file ("hostnqn");
  g_autofree char *hostid = stas_path_nvme_file ("hostid");

  stas_test_write_file (hostnqn, STAS_TEST_HOST_NQN "\n");
  stas_test_write_file (hostid, STAS_TEST_HOST_ID "\n");
}

static gboolean
on_timed_out (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
stas_test_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timed_out, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

void
stas_test_wait_until (gboolean (*cond) (gpointer data), gpointer data)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (120000, on_timed_out, &timed_out); /* only a limit (valgrind) */

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
}

void
stas_test_flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
on_world_log (StasLogLevel level, const char *text, gpointer user_data)
{
  StasTestWorld *world = user_data;

  g_ptr_array_add (world->logs, g_strdup_printf ("%d %s", level, text));
}

void
stas_test_world_init (StasTestWorld *world, double time_scale, gboolean debug)
{
  stas_controller_set_time_scale (time_scale);
  world->logs = g_ptr_array_new_with_free_func (g_free);
  stas_log_set_debug (debug);
  stas_log_set_handler (on_world_log, world);
  world->fake = stas_fake_fabrics_new ();
  world->fabrics = STAS_FABRICS (world->fake);
}

void
stas_test_world_start (StasTestWorld *world)
{
  g_autoptr (GError) error = NULL;

  world->kernel = stas_kernel_new (world->fabrics);
  g_assert_true (stas_kernel_start (world->kernel, &error));
  g_assert_no_error (error);
}

void
stas_test_world_clear (StasTestWorld *world)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  stas_test_flush ();
  g_assert_cmpuint (stas_fake_fabrics_count_pending (world->fake), ==, 0);
  g_assert_cmpuint (stas_fake_fabrics_count_ctrls (world->fake), ==, 0); /* [ARCH-4] */
  stas_kernel_stop (world->kernel);
  /* A resync's worker thread may drop its reference on the table a little after the
   * callback ran: wait for it, so that the table is finalized here, on the main thread. */
  while (g_atomic_int_get (&G_OBJECT (world->kernel)->ref_count) > 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_finalize_object (g_steal_pointer (&world->kernel));
  g_assert_finalize_object (g_steal_pointer (&world->fake));
  world->fabrics = NULL;
  stas_log_set_handler (NULL, NULL);
  stas_log_set_debug (FALSE);
  g_clear_pointer (&world->logs, g_ptr_array_unref);
}

StasTid *
stas_test_tid (StasDaemonKind kind, const char *traddr, const char *trsvcid, const char *nqn)
{
  StasTidDefaults defaults = { .kind = kind,
                               .host_nqn = STAS_TEST_HOST_NQN,
                               .host_id = STAS_TEST_HOST_ID };
  StasTidFields fields = {
    .transport = "tcp", .traddr = traddr, .trsvcid = trsvcid, .subsysnqn = nqn
  };
  g_autoptr (GError) error = NULL;
  StasTid *tid = stas_tid_new (&defaults, &fields, &error);

  g_assert_no_error (error);
  return tid;
}

gboolean
stas_test_is_connected (gpointer controller)
{
  return stas_controller_get_state (controller) == STAS_CONTROLLER_CONNECTED;
}

guint
stas_test_world_count_logs (StasTestWorld *world, StasLogLevel level, const char *text)
{
  g_autofree char *prefix = g_strdup_printf ("%d ", level);
  guint n = 0;

  for (guint i = 0; i < world->logs->len; i++)
    {
      const char *line = g_ptr_array_index (world->logs, i);
      if (g_str_has_prefix (line, prefix) && strstr (line, text) != NULL)
        n++;
    }
  return n;
}

struct _StasTestBus
{
  GSubprocess *daemon; /* (owned) */
  char *config;        /* (owned) the configuration file */
  char *address;       /* (owned) */
};

#define TEST_BUS_CONFIG                                                                            \
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"           \
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"                            \
  "<busconfig>\n"                                                                                  \
  "  <type>session</type>\n"                                                                       \
  "  <listen>unix:tmpdir=/tmp</listen>\n"                                                          \
  "  <policy context=\"default\">\n"                                                               \
  "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"                                       \
  "    <allow eavesdrop=\"true\"/>\n"                                                              \
  "    <allow own=\"*\"/>\n"                                                                       \
  "  </policy>\n"                                                                                  \
  "</busconfig>\n"

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

StasTestBus *
stas_test_bus_new (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree char *config_arg = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  StasTestBus *bus = g_new0 (StasTestBus, 1);
  int fd = g_file_open_tmp ("stas-test-bus-XXXXXX.conf", &bus->config, &error);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (bus->config, TEST_BUS_CONFIG, -1, &error));
  g_assert_no_error (error);
  close (fd);
  config_arg = g_strdup_printf ("--config-file=%s", bus->config);
  /* the address on the daemon's own stdout (a pipe GSubprocess sets up as fd 1); its stderr
   * silenced and its life tied to the test's, so that a daemon left behind by a test that
   * ended early never holds ctest's output pipe open (ctest would wait for it until the
   * time-out) */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  bus->daemon = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", config_arg,
                                             "--nofork", "--nopidfile", "--print-address=1", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bus->daemon));
  bus->address = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bus->address);
  g_strstrip (bus->address);
  g_assert_true (g_str_has_prefix (bus->address, "unix:"));
  return bus;
}

const char *
stas_test_bus_get_address (StasTestBus *bus)
{
  return bus->address;
}

void
stas_test_bus_free (StasTestBus *bus)
{
  if (bus == NULL)
    return;
  if (bus->daemon != NULL)
    {
      g_subprocess_send_signal (bus->daemon, SIGTERM);
      g_subprocess_wait (bus->daemon, NULL, NULL);
      g_object_unref (bus->daemon);
    }
  if (bus->config != NULL)
    g_unlink (bus->config);
  g_free (bus->config);
  g_free (bus->address);
  g_free (bus);
}

GDBusConnection *
stas_test_bus_connection (StasTestBus *bus)
{
  g_autoptr (GError) error = NULL;
  GDBusConnection *c =
      g_dbus_connection_new_for_address_sync (stas_test_bus_get_address (bus),
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, &error);

  g_assert_no_error (error);
  return c;
}

void
stas_test_bus_up (StasTestBus **bus, GDBusConnection **server, GDBusConnection **client)
{
  *bus = stas_test_bus_new ();
  *server = stas_test_bus_connection (*bus);
  *client = stas_test_bus_connection (*bus);
}

void
stas_test_bus_down (StasTestBus **bus, GDBusConnection **server, GDBusConnection **client)
{
  g_dbus_connection_close_sync (*client, NULL, NULL);
  g_dbus_connection_close_sync (*server, NULL, NULL);
  g_clear_object (client);
  g_clear_object (server);
  g_clear_pointer (bus, stas_test_bus_free);
}

typedef struct
{
  GMainLoop *loop;
  GVariant *reply; /* (owned) */
  GError *error;   /* (owned) */
} CallData;

static void
on_call_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CallData *data = user_data;

  data->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &data->error);
  g_main_loop_quit (data->loop);
}

GVariant *
stas_test_call_full (GDBusConnection *client,
                     GDBusConnection *server,
                     const char *path,
                     const char *iface,
                     const char *method,
                     GVariant *params,
                     const char *reply_type,
                     int timeout_ms,
                     GError **error)
{
  CallData data = { .loop = g_main_loop_new (NULL, FALSE) };

  g_dbus_connection_call (client, g_dbus_connection_get_unique_name (server), path, iface, method,
                          params, reply_type ? G_VARIANT_TYPE (reply_type) : NULL,
                          G_DBUS_CALL_FLAGS_NONE, timeout_ms, NULL, on_call_done, &data);
  g_main_loop_run (data.loop);
  g_main_loop_unref (data.loop);
  if (error == NULL)
    g_assert_no_error (data.error);
  else if (data.error != NULL)
    g_propagate_error (error, data.error);
  return data.reply;
}

void
stas_test_service_start (StasService *service,
                         const char *conf,
                         StasSoak *soak,
                         GDBusConnection *server)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (stas_service_start (service, conf, TRUE, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (stas_service_startup (service, &error));
  g_assert_no_error (error);
  stas_soak_set_scale (soak, 0.01);
  g_assert_true (stas_service_export (service, server, &error));
  g_assert_no_error (error);
}

static void
on_shutdown (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

void
stas_test_service_stop (StasService **service)
{
  gboolean done = FALSE;

  stas_service_shutdown_async (*service, on_shutdown, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  stas_service_unexport (*service);
  g_clear_object (service);
}
