/* stas-service.c — StasService: configuration, identity, the .debug interface, reload. */
#include "config.h"

#include "stas-service.h"

#include <string.h>

#include "stas-error.h"
#include "stas-log.h"
#include "stas-paths.h"

typedef struct
{
  StasDaemonKind kind;
  StasFabrics *fabrics; /* (owned) */
  StasConfig *config;   /* (owned) (nullable) */
  StasSysConf *sysconf; /* (owned) (nullable) */
  char *conf_path;      /* (owned) */
  gboolean conf_path_given;
  GDBusInterfaceSkeleton *debug_skeleton; /* (owned) */
  GDBusInterfaceSkeleton *main_skeleton;  /* (owned) */
  StasKernel *kernel;                     /* (owned) */
  StasKernelCaps caps;
  gulong resynced_handler;
} StasServicePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (StasService, stas_service, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_KIND,
  PROP_FABRICS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void
apply_tron (StasService *self, gboolean tron)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);

  stas_log_set_debug (tron);
  /* The skeleton emits PropertiesChanged for both ([D-29]); set only on change so that
   * nothing is emitted for a no-op. */
  if (priv->debug_skeleton != NULL)
    {
      gboolean current = FALSE;
      g_autofree char *level = NULL;

      g_object_get (priv->debug_skeleton, "tron", &current, "log-level", &level, NULL);
      if (current != tron)
        g_object_set (priv->debug_skeleton, "tron", tron, NULL);
      if (g_strcmp0 (level, stas_log_level_name ()) != 0)
        g_object_set (priv->debug_skeleton, "log-level", stas_log_level_name (), NULL);
    }
}

static void
on_debug_skeleton_notify_tron (GObject *skeleton, GParamSpec *pspec, StasService *self)
{
  gboolean tron = FALSE;

  g_object_get (skeleton, "tron", &tron, NULL);
  if (tron != stas_log_get_debug ())
    stas_log (STAS_LOG_INFO, "Trace %s (set over D-Bus)", tron ? "ON" : "OFF");
  apply_tron (self, tron);
  if (STAS_SERVICE_GET_CLASS (self)->tron_changed != NULL)
    STAS_SERVICE_GET_CLASS (self)->tron_changed (self, stas_service_get_tron (self));
}

void
stas_service_return_not_implemented (StasService *self, GDBusMethodInvocation *invocation)
{
  g_dbus_method_invocation_return_error (
      invocation, STAS_ERROR, STAS_ERROR_NOT_IMPLEMENTED, "%s.%s is not implemented yet in stas %s",
      g_dbus_method_invocation_get_interface_name (invocation),
      g_dbus_method_invocation_get_method_name (invocation), PACKAGE_VERSION);
}

static gboolean
on_debug_skeleton_handle_not_implemented (GDBusInterfaceSkeleton *skeleton,
                                          GDBusMethodInvocation *invocation,
                                          StasService *self)
{
  stas_service_return_not_implemented (self, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
stas_service_constructed (GObject *object)
{
  StasService *self = STAS_SERVICE (object);
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  StasServiceClass *klass = STAS_SERVICE_GET_CLASS (self);

  G_OBJECT_CLASS (stas_service_parent_class)->constructed (object);

  if (priv->fabrics == NULL)
    priv->fabrics = stas_fabrics_new_default ();
  priv->kernel = stas_kernel_new (priv->fabrics);

  priv->debug_skeleton = klass->create_debug_skeleton (self);
  priv->main_skeleton = klass->create_main_skeleton (self);
  g_object_set (priv->debug_skeleton, "tron", stas_log_get_debug (), "log-level",
                stas_log_level_name (), NULL);
  g_signal_connect_object (priv->debug_skeleton, "notify::tron",
                           G_CALLBACK (on_debug_skeleton_notify_tron), self, 0);
  /* Both .debug interfaces have the same members; their handlers are connected here. */
  g_signal_connect_object (priv->debug_skeleton, "handle-process-info",
                           G_CALLBACK (on_debug_skeleton_handle_not_implemented), self, 0);
  g_signal_connect_object (priv->debug_skeleton, "handle-controller-info",
                           G_CALLBACK (on_debug_skeleton_handle_not_implemented), self, 0);
}

static void
stas_service_dispose (GObject *object)
{
  StasService *self = STAS_SERVICE (object);
  StasServicePrivate *priv = stas_service_get_instance_private (self);

  stas_service_unexport (self);
  if (priv->kernel != NULL)
    g_clear_signal_handler (&priv->resynced_handler, priv->kernel);
  g_clear_object (&priv->kernel);
  g_clear_object (&priv->debug_skeleton);
  g_clear_object (&priv->main_skeleton);
  g_clear_object (&priv->fabrics);
  G_OBJECT_CLASS (stas_service_parent_class)->dispose (object);
}

static void
stas_service_finalize (GObject *object)
{
  StasServicePrivate *priv = stas_service_get_instance_private (STAS_SERVICE (object));

  g_clear_pointer (&priv->config, stas_config_unref);
  g_clear_pointer (&priv->sysconf, stas_sysconf_unref);
  g_free (priv->conf_path);
  G_OBJECT_CLASS (stas_service_parent_class)->finalize (object);
}

static void
stas_service_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  StasServicePrivate *priv = stas_service_get_instance_private (STAS_SERVICE (object));

  switch (prop_id)
    {
    case PROP_KIND:
      priv->kind = g_value_get_int (value);
      break;
    case PROP_FABRICS:
      priv->fabrics = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stas_service_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StasServicePrivate *priv = stas_service_get_instance_private (STAS_SERVICE (object));

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_int (value, priv->kind);
      break;
    case PROP_FABRICS:
      g_value_set_object (value, priv->fabrics);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stas_service_class_init (StasServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = stas_service_constructed;
  object_class->dispose = stas_service_dispose;
  object_class->finalize = stas_service_finalize;
  object_class->set_property = stas_service_set_property;
  object_class->get_property = stas_service_get_property;

  props[PROP_KIND] =
      g_param_spec_int ("kind", NULL, NULL, STAS_DAEMON_STAFD, STAS_DAEMON_STACD, STAS_DAEMON_STAFD,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_FABRICS] =
      g_param_spec_object ("fabrics", NULL, NULL, STAS_TYPE_FABRICS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
stas_service_init (StasService *self)
{
}

static StasSysConf *
load_sysconf (GPtrArray *diags, GError **error)
{
  g_autofree char *path = stas_path_stas_conf ("sys.conf");
  g_autofree char *nvme_dir = g_build_filename (stas_path_sysconfdir (), "nvme", NULL);

  return stas_sysconf_load (path, nvme_dir, diags, error);
}

gboolean
stas_service_start (StasService *self,
                    const char *conf_path,
                    gboolean conf_path_given,
                    gboolean cmdline_tron,
                    GError **error)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasSysConf) sysconf = NULL;

  sysconf = load_sysconf (diags, error);
  stas_log_diags (diags);
  if (sysconf == NULL)
    return FALSE;

  g_ptr_array_set_size (diags, 0);
  g_free (priv->conf_path);
  priv->conf_path = g_strdup (conf_path);
  priv->conf_path_given = conf_path_given;
  g_clear_pointer (&priv->config, stas_config_unref);
  priv->config = stas_config_load (priv->kind, conf_path, conf_path_given, NULL, diags);
  stas_log_diags (diags);

  g_clear_pointer (&priv->sysconf, stas_sysconf_unref);
  priv->sysconf = g_steal_pointer (&sysconf);

  apply_tron (self, cmdline_tron || stas_config_get_tron (priv->config));
  if (STAS_SERVICE_GET_CLASS (self)->config_changed != NULL)
    STAS_SERVICE_GET_CLASS (self)->config_changed (self);
  return TRUE;
}

static void
reload_sysconf (StasService *self)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StasSysConf) sysconf = load_sysconf (diags, &error);
  const char *old_nqn, *old_id, *new_nqn, *new_id;

  stas_log_diags (diags);
  if (sysconf == NULL)
    {
      /* [SYS-3]: the previous identity is kept */
      stas_log (STAS_LOG_ERROR, "%s", error->message);
      return;
    }
  old_nqn = stas_sysconf_get_host_nqn (priv->sysconf);
  old_id = stas_sysconf_get_host_id (priv->sysconf);
  new_nqn = stas_sysconf_get_host_nqn (sysconf);
  new_id = stas_sysconf_get_host_id (sysconf);
  if (g_strcmp0 (old_nqn, new_nqn) != 0 || g_strcmp0 (old_id, new_id) != 0)
    stas_log (STAS_LOG_INFO, "Host identity changed from %s/%s to %s/%s", old_nqn, old_id, new_nqn,
              new_id);
  if (g_strcmp0 (stas_sysconf_get_symname (priv->sysconf), stas_sysconf_get_symname (sysconf)) != 0)
    stas_log (STAS_LOG_INFO, "Host symbolic name changed");
  if (g_strcmp0 (stas_sysconf_get_host_key (priv->sysconf), stas_sysconf_get_host_key (sysconf)) !=
      0)
    stas_log (STAS_LOG_INFO, "Host key changed"); /* [SEC-1]: never the value */
  g_clear_pointer (&priv->sysconf, stas_sysconf_unref);
  priv->sysconf = g_steal_pointer (&sysconf);
}

void
stas_service_reload (StasService *self)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasConfig) config = NULL;
  g_auto (GStrv) changes = NULL;

  g_return_if_fail (priv->config != NULL && priv->sysconf != NULL);

  stas_log (STAS_LOG_INFO, "Reloading configuration (SIGHUP)");
  reload_sysconf (self);

  config =
      stas_config_load (priv->kind, priv->conf_path, priv->conf_path_given, priv->config, diags);
  stas_log_diags (diags);
  changes = stas_config_describe_changes (priv->config, config);
  if (changes == NULL || changes[0] == NULL)
    stas_log (STAS_LOG_INFO, "%s: configuration unchanged", priv->conf_path);
  for (guint i = 0; changes != NULL && changes[i] != NULL; i++)
    stas_log (STAS_LOG_INFO, "%s: %s", priv->conf_path, changes[i]);

  g_clear_pointer (&priv->config, stas_config_unref);
  priv->config = g_steal_pointer (&config);

  /* [SIG-2]: tron comes from the file, replacing --tron and any D-Bus setting */
  apply_tron (self, stas_config_get_tron (priv->config));
  if (STAS_SERVICE_GET_CLASS (self)->config_changed != NULL)
    STAS_SERVICE_GET_CLASS (self)->config_changed (self);
}

static void
on_kernel_resynced (StasKernel *kernel, gboolean after_overflow, StasService *self)
{
  if (STAS_SERVICE_GET_CLASS (self)->kernel_resynced != NULL)
    STAS_SERVICE_GET_CLASS (self)->kernel_resynced (self, after_overflow);
}

gboolean
stas_service_startup (StasService *self, GError **error)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  StasFabricsInterface *iface = STAS_FABRICS_GET_IFACE (priv->fabrics);
  g_autoptr (GError) local_error = NULL;

  /* [GEN-4] capabilities are detected once, at start */
  iface->get_kernel_caps (priv->fabrics, &priv->caps);
  if (!priv->caps.host_iface || !priv->caps.discovery)
    stas_log (STAS_LOG_WARNING,
              "Kernel does not appear to support all the options needed to run this program. "
              "Consider updating to a later kernel version.");
  if (!stas_kernel_start (priv->kernel, &local_error))
    {
      g_set_error (error, STAS_ERROR, STAS_ERROR_FAILED, "Cannot create udev monitor: %s",
                   local_error->message);
      return FALSE;
    }
  priv->resynced_handler =
      g_signal_connect (priv->kernel, "resynced", G_CALLBACK (on_kernel_resynced), self);
  if (STAS_SERVICE_GET_CLASS (self)->startup != NULL)
    STAS_SERVICE_GET_CLASS (self)->startup (self);
  return TRUE;
}

void
stas_service_activate (StasService *self)
{
  if (STAS_SERVICE_GET_CLASS (self)->activate != NULL)
    STAS_SERVICE_GET_CLASS (self)->activate (self);
}

void
stas_service_shutdown_async (StasService *self, GAsyncReadyCallback callback, gpointer user_data)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);

  if (STAS_SERVICE_GET_CLASS (self)->shutdown_async != NULL)
    {
      STAS_SERVICE_GET_CLASS (self)->shutdown_async (self, callback, user_data);
      return;
    }
  stas_kernel_stop (priv->kernel);
  {
    g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
    g_task_return_boolean (task, TRUE);
  }
}

StasKernel *
stas_service_get_kernel (StasService *self)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  return priv->kernel;
}

const StasKernelCaps *
stas_service_get_kernel_caps (StasService *self)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  return &priv->caps;
}

void
stas_service_get_tid_defaults (StasService *self, StasTidDefaults *defaults)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);

  defaults->kind = priv->kind;
  defaults->ignore_iface = priv->config != NULL && stas_config_get_ignore_iface (priv->config);
  defaults->host_nqn = priv->sysconf != NULL ? stas_sysconf_get_host_nqn (priv->sysconf) : NULL;
  defaults->host_id = priv->sysconf != NULL ? stas_sysconf_get_host_id (priv->sysconf) : NULL;
}

void
stas_service_build_request (StasService *self,
                            StasTid *tid,
                            const StasConfigController *ctrl,
                            StasConnectRequest *request)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  const StasKernelCaps *caps = &priv->caps;
  gboolean is_tcp = g_strcmp0 (stas_tid_get_transport (tid), "tcp") == 0;

  memset (request, 0, sizeof *request);
  request->tid = tid;
  request->discovery = priv->kind == STAS_DAEMON_STAFD;
  request->pass_host_iface = is_tcp && caps->host_iface &&
                             !stas_config_get_ignore_iface (priv->config) &&
                             *stas_tid_get_host_iface (tid) != '\0';
  stas_config_get_conn_params (priv->config, ctrl, &request->params);
  if (caps->dhchap_secret && request->params.dhchap_secret == NULL &&
      g_strcmp0 (stas_tid_get_host_nqn (tid), stas_sysconf_get_host_nqn (priv->sysconf)) == 0)
    request->host_key = stas_sysconf_get_host_key (priv->sysconf);
  if (!caps->dhchap_secret)
    request->params.dhchap_secret = NULL;
  if (!caps->dhchap_ctrl_secret)
    request->params.dhchap_ctrl_secret = NULL;
  request->symname = stas_sysconf_get_symname (priv->sysconf);
}

gboolean
stas_service_export (StasService *self, GDBusConnection *connection, GError **error)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  const char *path =
      priv->kind == STAS_DAEMON_STAFD ? STAS_STAFD_OBJECT_PATH : STAS_STACD_OBJECT_PATH;

  if (!g_dbus_interface_skeleton_export (priv->debug_skeleton, connection, path, error))
    return FALSE;
  if (!g_dbus_interface_skeleton_export (priv->main_skeleton, connection, path, error))
    {
      g_dbus_interface_skeleton_unexport (priv->debug_skeleton);
      return FALSE;
    }
  return TRUE;
}

void
stas_service_unexport (StasService *self)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);

  if (priv->debug_skeleton != NULL &&
      g_dbus_interface_skeleton_get_connection (priv->debug_skeleton) != NULL)
    g_dbus_interface_skeleton_unexport (priv->debug_skeleton);
  if (priv->main_skeleton != NULL &&
      g_dbus_interface_skeleton_get_connection (priv->main_skeleton) != NULL)
    g_dbus_interface_skeleton_unexport (priv->main_skeleton);
}

StasDaemonKind
stas_service_get_kind (StasService *self)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  return priv->kind;
}

const char *
stas_service_get_name (StasService *self)
{
  return stas_daemon_kind_name (stas_service_get_kind (self));
}

StasFabrics *
stas_service_get_fabrics (StasService *self)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  return priv->fabrics;
}

StasConfig *
stas_service_get_config (StasService *self)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  return priv->config;
}

StasSysConf *
stas_service_get_sysconf (StasService *self)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  return priv->sysconf;
}

GDBusInterfaceSkeleton *
stas_service_get_debug_skeleton (StasService *self)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  return priv->debug_skeleton;
}

GDBusInterfaceSkeleton *
stas_service_get_main_skeleton (StasService *self)
{
  StasServicePrivate *priv = stas_service_get_instance_private (self);
  return priv->main_skeleton;
}

gboolean
stas_service_get_tron (StasService *self)
{
  return stas_log_get_debug ();
}

void
stas_service_set_tron (StasService *self, gboolean tron)
{
  apply_tron (self, tron);
}
