/* stas-stac-dbus.c — the org.nvmexpress.stac and .debug members of stacd (spec/dbus.md §3.1,
 * §3.3, §5). Replies are built from in-memory state only (no sysfs, no blocking call). */
#include "config.h"

#include "stas-stac-private.h"

#include "stas-state.h"

/* Strings a StasCtrlInfo points to, freed together. */
typedef struct
{
  StasCtrlInfo info;
  char *retry_timer;
  char *connect_op;
} CtrlInfo;

static void
ctrl_info_clear (CtrlInfo *c)
{
  g_free (c->retry_timer);
  g_free (c->connect_op);
}

static StasStateOrigin
state_origin (StasIocOrigin origin)
{
  return origin == STAS_IOC_ORIGIN_DISCOVERED ? STAS_STATE_ORIGIN_DISCOVERED
         : origin == STAS_IOC_ORIGIN_EXTERNAL ? STAS_STATE_ORIGIN_EXTERNAL
                                              : STAS_STATE_ORIGIN_CONFIGURED;
}

static void
fill_info (StasIoc *ioc, const StasConfigController *ctrl, CtrlInfo *c)
{
  StasController *base = STAS_CONTROLLER (ioc);
  const StasKernelCtrl *k = stas_controller_get_kernel_entry (base);
  StasCtrlInfo *info = &c->info;

  memset (c, 0, sizeof *c);
  c->retry_timer = stas_controller_dup_retry_timer_string (base);
  c->connect_op = stas_controller_dup_connect_operation_string (base);

  info->kind = STAS_DAEMON_STACD;
  info->tid = stas_controller_get_tid (base);
  info->params = ctrl != NULL ? ctrl->params : NULL;
  info->device = stas_controller_get_device (base);
  info->connect_attempts = stas_controller_get_connect_attempts (base);
  info->retry_connect_timer = c->retry_timer;
  info->connect_operation = c->connect_op;
  info->origin = state_origin (stas_ioc_get_origin (ioc));
  info->unresponsive_timer = "";
  info->unresponsive_timeout = -1;
  if (k != NULL)
    {
      info->hostid = k->hostid;
      info->hostnqn = k->hostnqn;
      info->model = k->model;
      info->serial = k->serial;
      info->dctype = k->dctype;
      info->cntrltype = k->cntrltype;
    }
  info->connected = stas_controller_get_state (base) == STAS_CONTROLLER_CONNECTED;
  info->dlpe = stas_ioc_get_dlpe (ioc);
}

/* [DBUS-13]: the IOC the 7 strings designate, or NULL */
static StacEntry *
lookup (StasStac *self,
        const char *transport,
        const char *traddr,
        const char *trsvcid,
        const char *subsysnqn,
        const char *host_traddr,
        const char *host_iface,
        const char *host_nqn)
{
  GPtrArray *entries = stas_stac_get_entries (self);
  StasTidDefaults defaults;
  g_autoptr (StasTid) key = NULL;
  StacEntry *first = NULL;

  stas_service_get_tid_defaults (STAS_SERVICE (self), &defaults);
  key = stas_tid_new_lookup (&defaults, transport, traddr, trsvcid, subsysnqn, host_traddr,
                             host_iface, host_nqn);
  for (guint i = 0; key != NULL && i < entries->len; i++)
    {
      StacEntry *entry = g_ptr_array_index (entries, i);
      StasTid *tid = stas_controller_get_tid (STAS_CONTROLLER (entry->ioc));

      if (!stas_tid_matches_lookup (tid, key))
        continue;
      if (stas_tid_equal (tid, key))
        return entry; /* the sys.conf host ID wins */
      if (first == NULL)
        first = entry;
    }
  return first;
}

static gboolean
handle_list_controllers (StasDBusStac *skeleton,
                         GDBusMethodInvocation *invocation,
                         gboolean detailed,
                         StasStac *self)
{
  GPtrArray *entries = stas_stac_get_entries (self);
  g_autoptr (GArray) infos = g_array_sized_new (FALSE, TRUE, sizeof (CtrlInfo), entries->len);
  g_autofree const StasCtrlInfo **ptrs = g_new0 (const StasCtrlInfo *, entries->len + 1);

  g_array_set_clear_func (infos, (GDestroyNotify) ctrl_info_clear);
  g_array_set_size (infos, entries->len);
  for (guint i = 0; i < entries->len; i++)
    {
      StacEntry *entry = g_ptr_array_index (entries, i);
      fill_info (entry->ioc, entry->ctrl, &g_array_index (infos, CtrlInfo, i));
      ptrs[i] = &g_array_index (infos, CtrlInfo, i).info;
    }
  stas_dbus_stac_complete_list_controllers (
      skeleton, invocation, stas_payload_controller_list (ptrs, infos->len, detailed));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_controller_info (StasDBusStacDebug *skeleton,
                        GDBusMethodInvocation *invocation,
                        const char *transport,
                        const char *traddr,
                        const char *trsvcid,
                        const char *subsysnqn,
                        const char *host_traddr,
                        const char *host_iface,
                        const char *host_nqn,
                        StasStac *self)
{
  StacEntry *entry =
      lookup (self, transport, traddr, trsvcid, subsysnqn, host_traddr, host_iface, host_nqn);
  g_autofree char *json = NULL;

  if (entry != NULL)
    {
      CtrlInfo c;
      fill_info (entry->ioc, entry->ctrl, &c);
      json = stas_payload_controller_info_json (&c.info);
      ctrl_info_clear (&c);
    }
  stas_dbus_stac_debug_complete_controller_info (skeleton, invocation, json ? json : "{}");
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_process_info (StasDBusStacDebug *skeleton, GDBusMethodInvocation *invocation, StasStac *self)
{
  StasService *service = STAS_SERVICE (self);
  StasSysConf *sysconf = stas_service_get_sysconf (service);
  const StasKernelCaps *caps = stas_service_get_kernel_caps (service);
  StasKernel *kernel = stas_service_get_kernel (service);
  GPtrArray *disposals = stas_stac_get_disposals (self);
  double soak_remaining = stas_soak_remaining (stas_stac_get_soak (self));
  g_autoptr (GArray) terminating = g_array_new (FALSE, TRUE, sizeof (CtrlInfo));
  g_autofree const StasCtrlInfo **ptrs = g_new0 (const StasCtrlInfo *, disposals->len + 1);
  g_autofree char *state_file = stas_state_path (STAS_DAEMON_STACD);
  g_autofree char *soak_timer = stas_payload_timer_string (
      stas_stac_get_soak_interval (self), soak_remaining >= 0, MAX (soak_remaining, 0));
  g_autofree char *audit_timer = stas_payload_timer_string (STAS_DISPOSAL_AUDIT_PERIOD_S, FALSE, 0);
  g_autofree char *resync_timer = stas_payload_timer_string (
      STAS_SYSFS_RESYNC_PERIOD_S, TRUE, stas_kernel_get_resync_remaining (kernel));
  g_autofree char *json = NULL;
  StasProcessInfo info = {
    .kind = STAS_DAEMON_STACD,
    .tron = stas_service_get_tron (service),
    .host_nqn = stas_sysconf_get_host_nqn (sysconf),
    .host_id = stas_sysconf_get_host_id (sysconf),
    .has_host_key = stas_sysconf_get_host_key (sysconf) != NULL,
    .symname = stas_sysconf_get_symname (sysconf),
    .state_file = state_file,
    .config_soak_timer = soak_timer,
    .tp8013 = caps->discovery,
    .host_iface = caps->host_iface,
    .audit_timer = audit_timer,
    .dhchap_secret = caps->dhchap_secret,
    .dhchap_ctrl_secret = caps->dhchap_ctrl_secret,
    .sysfs_resync_timer = resync_timer,
    .udev_overflows = stas_kernel_get_overflows (kernel),
    .stafd_data = stas_stac_get_stafd_data (self),
    .stafd_name_owner = stas_stac_get_stafd_owner (self) ? stas_stac_get_stafd_owner (self) : "",
  };

  g_array_set_clear_func (terminating, (GDestroyNotify) ctrl_info_clear);
  g_array_set_size (terminating, disposals->len);
  for (guint i = 0; i < disposals->len; i++)
    {
      fill_info (g_ptr_array_index (disposals, i), NULL, &g_array_index (terminating, CtrlInfo, i));
      ptrs[i] = &g_array_index (terminating, CtrlInfo, i).info;
    }
  info.terminating = ptrs;
  info.n_terminating = disposals->len;
  json = stas_payload_process_info_json (&info);
  stas_dbus_stac_debug_complete_process_info (skeleton, invocation, json);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

void
stas_stac_connect_debug_handlers (StasStac *self, StasDBusStacDebug *skeleton)
{
  g_signal_connect_object (skeleton, "handle-process-info", G_CALLBACK (handle_process_info), self,
                           0);
  g_signal_connect_object (skeleton, "handle-controller-info", G_CALLBACK (handle_controller_info),
                           self, 0);
}

void
stas_stac_connect_main_handlers (StasStac *self, StasDBusStac *skeleton)
{
  g_signal_connect_object (skeleton, "handle-list-controllers",
                           G_CALLBACK (handle_list_controllers), self, 0);
}
