/* test-util.c — helpers shared by the in-process tests. */
#include "config.h"

#include "test-util.h"

#include <string.h>

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
on_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
stas_test_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

GDBusConnection *
stas_test_bus_connection (GTestDBus *bus)
{
  g_autoptr (GError) error = NULL;
  GDBusConnection *c =
      g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, &error);

  g_assert_no_error (error);
  return c;
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
stas_test_call (GDBusConnection *client,
                GDBusConnection *server,
                const char *path,
                const char *iface,
                const char *method,
                GVariant *params,
                const char *reply_type,
                GError **error)
{
  return stas_test_call_full (client, server, path, iface, method, params, reply_type, 5000, error);
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
