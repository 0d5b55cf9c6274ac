/* stas-service.h — StasService: what stafd and stacd share (configuration, host identity,
 * the .debug interface, reload). */
#pragma once

#include <gio/gio.h>

#include "stas-config.h"
#include "stas-fabrics.h"
#include "stas-kernel.h"
#include "stas-names.h"

G_BEGIN_DECLS

#define STAS_TYPE_SERVICE (stas_service_get_type ())
G_DECLARE_DERIVABLE_TYPE (StasService, stas_service, STAS, SERVICE, GObject)

struct _StasServiceClass
{
  GObjectClass parent_class;

  /* The generated skeletons of this daemon's two interfaces (called once). */
  GDBusInterfaceSkeleton *(*create_debug_skeleton) (StasService *self);
  GDBusInterfaceSkeleton *(*create_main_skeleton) (StasService *self);
  /* Called after a configuration (re)load was applied. */
  void (*config_changed) (StasService *self);
  /* [CLI-2] step 8 (state file), after the kernel table was started; never fatal. */
  void (*startup) (StasService *self);
  /* After the bus name was acquired: start working (the first reconciliation pass). */
  void (*activate) (StasService *self);
  /* [SIG-1] steps 1–5; @callback runs when the daemon may exit. */
  void (*shutdown_async) (StasService *self, GAsyncReadyCallback callback, gpointer user_data);
  /* The trace setting of the .debug interface changed: applied to every controller. */
  void (*tron_changed) (StasService *self, gboolean tron);
  /* The kernel table was updated or resynchronised. */
  void (*kernel_resynced) (StasService *self, gboolean after_overflow);
};

/* Loads the host identity and the configuration (start-up). Fails only when the host
 * identity is unusable (spec/config.md §5.3): the message then says what to do. */
gboolean stas_service_start (StasService *self,
                             const char *conf_path,
                             gboolean conf_path_given,
                             gboolean cmdline_tron,
                             GError **error);
/* [CLI-2] steps 7–8: the kernel table (udev monitor, then scan) and the subclass'
 * start-up. Fails only when the udev monitor cannot be created. */
gboolean stas_service_startup (StasService *self, GError **error);
/* After the bus name was acquired. */
void stas_service_activate (StasService *self);
/* SIGTERM / SIGINT: @callback runs when the daemon may exit (≤ SHUTDOWN_GRACE). */
void
stas_service_shutdown_async (StasService *self, GAsyncReadyCallback callback, gpointer user_data);
StasKernel *stas_service_get_kernel (StasService *self);
const StasKernelCaps *stas_service_get_kernel_caps (StasService *self);
/* TID defaults of this daemon from the current configuration and identity. */
void stas_service_get_tid_defaults (StasService *self, StasTidDefaults *defaults);

/* The connect request for @tid (behaviour §3.2, [D-32]): a DC for stafd, an I/O controller
 * for stacd; @ctrl is its controller= entry or NULL. */
void stas_service_build_request (StasService *self,
                                 StasTid *tid,
                                 const StasConfigController *ctrl,
                                 StasConnectRequest *request);

/* SIGHUP: re-reads sys.conf and the configuration, logs what changed, keeps what was
 * effective where the new input is invalid. */
void stas_service_reload (StasService *self);

gboolean stas_service_export (StasService *self, GDBusConnection *connection, GError **error);
void stas_service_unexport (StasService *self);

StasDaemonKind stas_service_get_kind (StasService *self);
const char *stas_service_get_name (StasService *self);
StasFabrics *stas_service_get_fabrics (StasService *self);
StasConfig *stas_service_get_config (StasService *self);
StasSysConf *stas_service_get_sysconf (StasService *self);
GDBusInterfaceSkeleton *stas_service_get_debug_skeleton (StasService *self);
GDBusInterfaceSkeleton *stas_service_get_main_skeleton (StasService *self);

gboolean stas_service_get_tron (StasService *self);
void stas_service_set_tron (StasService *self, gboolean tron);

/* Replies with the "not implemented yet" error (members whose issue has not landed). */
void stas_service_return_not_implemented (StasService *self, GDBusMethodInvocation *invocation);

/* The daemon object of @kind (StasStaf or StasStac). */
StasService *stas_service_new_for_kind (StasDaemonKind kind, StasFabrics *fabrics);

G_END_DECLS
