/* test-service-bus.c — the D-Bus objects of stafd and stacd on a private bus (a dbus-daemon of the
 * test's own): [DBUS-1]/[DBUS-3] wire-identical introspection, [DBUS-10] tron/log_level with
 * PropertiesChanged ([D-29]), and the "not implemented yet" replies. */
#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "fake-fabrics.h"
#include "stas-dbus-generated.h"
#include "stas-error.h"
#include "stas-idl.h"
#include "stas-log.h"
#include "stas-paths.h"
#include "stas-service.h"
#include "test-util.h"

typedef struct
{
  StasTestBus *bus;
  GDBusConnection *server;
  GDBusConnection *client;
  StasService *service;
  StasDaemonKind kind;
  const char *path;
  char *conf;
} Fixture;

static void
setup (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fx->kind = GPOINTER_TO_INT (data);
  fx->path = fx->kind == STAS_DAEMON_STAFD ? "/org/nvmexpress/staf" : "/org/nvmexpress/stac";
  stas_test_write_host_identity ();
  fx->conf = g_build_filename (stas_path_sysconfdir (), "test.conf", NULL);
  stas_test_write_file (fx->conf, "[Global]\ntron=false\n");

  stas_test_bus_up (&fx->bus, &fx->server, &fx->client);

  {
    g_autoptr (StasFabrics) fabrics = stas_fabrics_new_default ();
    fx->service = stas_service_new_for_kind (fx->kind, fabrics);
  }
  g_assert_true (stas_service_start (fx->service, fx->conf, TRUE, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (stas_service_export (fx->service, fx->server, &error));
  g_assert_no_error (error);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->service);
  stas_test_bus_down (&fx->bus, &fx->server, &fx->client);
  g_free (fx->conf);
}

static GVariant *
call (Fixture *fx,
      const char *iface,
      const char *method,
      GVariant *params,
      const char *reply_type,
      GError **error)
{
  return stas_test_call (fx->client, fx->server, fx->path, iface, method, params, reply_type,
                         error);
}

static const char *
debug_iface (Fixture *fx)
{
  return fx->kind == STAS_DAEMON_STAFD ? "org.nvmexpress.staf.debug" : "org.nvmexpress.stac.debug";
}

static void
assert_args_equal (GDBusArgInfo **expected, GDBusArgInfo **actual, const char *where)
{
  guint i;

  for (i = 0; expected != NULL && expected[i] != NULL; i++)
    {
      g_assert_nonnull (actual);
      g_assert_nonnull (actual[i]);
      g_assert_cmpstr (actual[i]->name, ==, expected[i]->name);
      g_assert_cmpstr (actual[i]->signature, ==, expected[i]->signature);
    }
  g_assert_true (actual == NULL || actual[i] == NULL);
  (void) where;
}

static guint
count (gpointer *array)
{
  guint n = 0;
  while (array != NULL && array[n] != NULL)
    n++;
  return n;
}

/* [DBUS-1] [DBUS-3]: the exported object has exactly the members of the IDL */
static void
test_introspection_matches_idl (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusNodeInfo) idl =
      g_dbus_node_info_new_for_xml (stas_idl_for_kind (fx->kind), &error);
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GDBusNodeInfo) live = NULL;
  const char *xml = NULL;

  g_assert_no_error (error);
  reply = call (fx, "org.freedesktop.DBus.Introspectable", "Introspect", NULL, "(s)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &xml);
  live = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (count ((gpointer *) idl->interfaces), ==, 2);
  for (guint i = 0; idl->interfaces[i] != NULL; i++)
    {
      GDBusInterfaceInfo *want = idl->interfaces[i];
      GDBusInterfaceInfo *got = g_dbus_node_info_lookup_interface (live, want->name);

      g_test_message ("interface %s", want->name);
      g_assert_nonnull (got);
      g_assert_cmpuint (count ((gpointer *) got->methods), ==, count ((gpointer *) want->methods));
      g_assert_cmpuint (count ((gpointer *) got->signals), ==, count ((gpointer *) want->signals));
      g_assert_cmpuint (count ((gpointer *) got->properties), ==,
                        count ((gpointer *) want->properties));
      for (guint m = 0; want->methods != NULL && want->methods[m] != NULL; m++)
        {
          GDBusMethodInfo *gm = g_dbus_interface_info_lookup_method (got, want->methods[m]->name);
          g_assert_nonnull (gm);
          assert_args_equal (want->methods[m]->in_args, gm->in_args, gm->name);
          assert_args_equal (want->methods[m]->out_args, gm->out_args, gm->name);
        }
      for (guint s = 0; want->signals != NULL && want->signals[s] != NULL; s++)
        {
          GDBusSignalInfo *gs = g_dbus_interface_info_lookup_signal (got, want->signals[s]->name);
          g_assert_nonnull (gs);
          assert_args_equal (want->signals[s]->args, gs->args, gs->name);
        }
      for (guint p = 0; want->properties != NULL && want->properties[p] != NULL; p++)
        {
          GDBusPropertyInfo *gp =
              g_dbus_interface_info_lookup_property (got, want->properties[p]->name);
          g_assert_nonnull (gp);
          g_assert_cmpstr (gp->signature, ==, want->properties[p]->signature);
          g_assert_cmpint (gp->flags, ==, want->properties[p]->flags);
        }
    }
  /* no ObjectManager [DBUS-2] */
  g_assert_null (g_dbus_node_info_lookup_interface (live, "org.freedesktop.DBus.ObjectManager"));
}

typedef struct
{
  GMainLoop *loop;
  GVariant *changed; /* (owned) */
} ChangedData;

static void
on_properties_changed (GDBusConnection *connection,
                       const char *sender,
                       const char *path,
                       const char *iface,
                       const char *signal,
                       GVariant *params,
                       gpointer user_data)
{
  ChangedData *data = user_data;

  g_clear_pointer (&data->changed, g_variant_unref);
  data->changed = g_variant_get_child_value (params, 1);
  g_main_loop_quit (data->loop);
}

static gboolean
on_timeout (gpointer user_data)
{
  ChangedData *data = user_data;

  g_main_loop_quit (data->loop);
  return G_SOURCE_REMOVE;
}

/* [DBUS-10] [LOG-2] [D-29]: setting tron changes the threshold, log_level follows, and
 * PropertiesChanged carries both */
static void
test_tron_roundtrip (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) value = NULL;
  ChangedData changed = { .loop = g_main_loop_new (NULL, FALSE) };
  gboolean tron = FALSE;
  const char *level = NULL;
  guint sub, timeout;

  g_assert_false (stas_log_get_debug ());
  sub = g_dbus_connection_signal_subscribe (
      fx->client, NULL, "org.freedesktop.DBus.Properties", "PropertiesChanged", fx->path, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_properties_changed, &changed, NULL);
  /* the bus handles messages in order: once this reply arrived, the AddMatch of the
   * subscription is in place and the signal cannot be missed */
  reply = g_dbus_connection_call_sync (fx->client, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetId", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);

  reply = call (fx, "org.freedesktop.DBus.Properties", "Set",
                g_variant_new ("(ssv)", debug_iface (fx), "tron", g_variant_new_boolean (TRUE)),
                NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);

  if (changed.changed == NULL)
    {
      timeout = g_timeout_add_seconds (5, on_timeout, &changed);
      g_main_loop_run (changed.loop);
      if (changed.changed != NULL)
        g_source_remove (timeout);
    }
  g_assert_nonnull (changed.changed);
  g_assert_true (g_variant_lookup (changed.changed, "tron", "b", &tron));
  g_assert_true (tron);
  g_assert_true (g_variant_lookup (changed.changed, "log_level", "&s", &level));
  g_assert_cmpstr (level, ==, "DEBUG");
  g_assert_true (stas_log_get_debug ());

  reply = call (fx, "org.freedesktop.DBus.Properties", "Get",
                g_variant_new ("(ss)", debug_iface (fx), "log_level"), "(v)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "DEBUG");
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_pointer (&value, g_variant_unref);

  /* back off: the property and the logger agree again */
  reply = call (fx, "org.freedesktop.DBus.Properties", "Set",
                g_variant_new ("(ssv)", debug_iface (fx), "tron", g_variant_new_boolean (FALSE)),
                NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (fx, "org.freedesktop.DBus.Properties", "Get",
                g_variant_new ("(ss)", debug_iface (fx), "log_level"), "(v)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "INFO");
  g_assert_false (stas_log_get_debug ());

  /* log_level is read-only [DBUS-20] */
  g_clear_pointer (&reply, g_variant_unref);
  reply =
      call (fx, "org.freedesktop.DBus.Properties", "Set",
            g_variant_new ("(ssv)", debug_iface (fx), "log_level", g_variant_new_string ("DEBUG")),
            NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);

  g_dbus_connection_signal_unsubscribe (fx->client, sub);
  g_clear_pointer (&changed.changed, g_variant_unref);
  g_main_loop_unref (changed.loop);
}

/* Wrong argument types are the library's InvalidArgs [DBUS-20]. */
static void
test_invalid_args (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  const char *main_iface =
      fx->kind == STAS_DAEMON_STAFD ? "org.nvmexpress.staf" : "org.nvmexpress.stac";

  reply = call (fx, main_iface, "list_controllers", g_variant_new ("(s)", "x"), NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
}

int
main (int argc, char **argv)
{
  g_autofree char *root = g_dir_make_tmp ("stas-dbus-test-XXXXXX", NULL);
  int status;

  g_setenv ("STAS_TEST_ROOT", root, TRUE);
  g_test_init (&argc, &argv, NULL);

  for (int k = STAS_DAEMON_STAFD; k <= STAS_DAEMON_STACD; k++)
    {
      const char *name = stas_daemon_kind_name (k);
      g_autofree char *p1 = g_strdup_printf ("/%s/introspection-matches-idl", name);
      g_autofree char *p2 = g_strdup_printf ("/%s/tron-roundtrip", name);
      g_autofree char *p3 = g_strdup_printf ("/%s/invalid-args", name);

      g_test_add (p1, Fixture, GINT_TO_POINTER (k), setup, test_introspection_matches_idl,
                  teardown);
      g_test_add (p2, Fixture, GINT_TO_POINTER (k), setup, test_tron_roundtrip, teardown);
      /* the members themselves: test-staf.c, test-stac.c */
      g_test_add (p3, Fixture, GINT_TO_POINTER (k), setup, test_invalid_args, teardown);
    }
  status = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
    (void) !system (cmd);
  }
  return status;
}
