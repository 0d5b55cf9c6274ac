/* stas-staf.c — StasStaf: the stafd service object. Discovery controllers, log pages and
 * their D-Bus API arrive with the stafd issue; until then the members answer with the
 * "not implemented yet" error. */
#include "config.h"

#include "stas-staf.h"

#include "stas-dbus-generated.h"

struct _StasStaf
{
  StasService parent_instance;
};

G_DEFINE_FINAL_TYPE (StasStaf, stas_staf, STAS_TYPE_SERVICE)

static gboolean
handle_list_controllers (StasDBusStaf *skeleton,
                         GDBusMethodInvocation *invocation,
                         gboolean detailed,
                         StasStaf *self)
{
  stas_service_return_not_implemented (STAS_SERVICE (self), invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_log_pages (StasDBusStaf *skeleton,
                      GDBusMethodInvocation *invocation,
                      const char *transport,
                      const char *traddr,
                      const char *trsvcid,
                      const char *subsysnqn,
                      const char *host_traddr,
                      const char *host_iface,
                      const char *host_nqn,
                      StasStaf *self)
{
  stas_service_return_not_implemented (STAS_SERVICE (self), invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_all_log_pages (StasDBusStaf *skeleton,
                          GDBusMethodInvocation *invocation,
                          gboolean detailed,
                          StasStaf *self)
{
  stas_service_return_not_implemented (STAS_SERVICE (self), invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static GDBusInterfaceSkeleton *
stas_staf_create_debug_skeleton (StasService *service)
{
  return G_DBUS_INTERFACE_SKELETON (stas_dbus_staf_debug_skeleton_new ());
}

static GDBusInterfaceSkeleton *
stas_staf_create_main_skeleton (StasService *service)
{
  StasDBusStaf *skeleton = stas_dbus_staf_skeleton_new ();

  g_signal_connect_object (skeleton, "handle-list-controllers",
                           G_CALLBACK (handle_list_controllers), service, 0);
  g_signal_connect_object (skeleton, "handle-get-log-pages", G_CALLBACK (handle_get_log_pages),
                           service, 0);
  g_signal_connect_object (skeleton, "handle-get-all-log-pages",
                           G_CALLBACK (handle_get_all_log_pages), service, 0);
  return G_DBUS_INTERFACE_SKELETON (skeleton);
}

static void
stas_staf_class_init (StasStafClass *klass)
{
  StasServiceClass *service_class = STAS_SERVICE_CLASS (klass);

  service_class->create_debug_skeleton = stas_staf_create_debug_skeleton;
  service_class->create_main_skeleton = stas_staf_create_main_skeleton;
}

static void
stas_staf_init (StasStaf *self)
{
}

StasStaf *
stas_staf_new (StasFabrics *fabrics)
{
  return g_object_new (STAS_TYPE_STAF, "kind", STAS_DAEMON_STAFD, "fabrics", fabrics, NULL);
}
