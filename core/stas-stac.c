/* stas-stac.c — StasStac: the stacd service object. I/O controllers and their D-Bus API
 * arrive with the stacd issue; until then list_controllers answers with the
 * "not implemented yet" error. */
#include "config.h"

#include "stas-stac.h"

#include "stas-dbus-generated.h"

struct _StasStac
{
  StasService parent_instance;
};

G_DEFINE_FINAL_TYPE (StasStac, stas_stac, STAS_TYPE_SERVICE)

static gboolean
handle_list_controllers (StasDBusStac *skeleton,
                         GDBusMethodInvocation *invocation,
                         gboolean detailed,
                         StasStac *self)
{
  stas_service_return_not_implemented (STAS_SERVICE (self), invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static GDBusInterfaceSkeleton *
stas_stac_create_debug_skeleton (StasService *service)
{
  return G_DBUS_INTERFACE_SKELETON (stas_dbus_stac_debug_skeleton_new ());
}

static GDBusInterfaceSkeleton *
stas_stac_create_main_skeleton (StasService *service)
{
  StasDBusStac *skeleton = stas_dbus_stac_skeleton_new ();

  g_signal_connect_object (skeleton, "handle-list-controllers",
                           G_CALLBACK (handle_list_controllers), service, 0);
  return G_DBUS_INTERFACE_SKELETON (skeleton);
}

static void
stas_stac_class_init (StasStacClass *klass)
{
  StasServiceClass *service_class = STAS_SERVICE_CLASS (klass);

  service_class->create_debug_skeleton = stas_stac_create_debug_skeleton;
  service_class->create_main_skeleton = stas_stac_create_main_skeleton;
}

static void
stas_stac_init (StasStac *self)
{
}

StasStac *
stas_stac_new (StasFabrics *fabrics)
{
  return g_object_new (STAS_TYPE_STAC, "kind", STAS_DAEMON_STACD, "fabrics", fabrics, NULL);
}
