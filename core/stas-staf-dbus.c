/* stas-staf-dbus.c — the org.nvmexpress.staf and .debug members of stafd (spec/dbus.md §3.1,
 * §3.2, §5). Replies are built from in-memory state only (no sysfs, no blocking call). */
#include "config.h"

#include "stas-staf-private.h"

#include "stas-payload.h"
#include "stas-state.h"

/* dbus-daemon's default maximum message size on the system bus is 32 MiB; keep a margin
 * for the header. */
#define MAX_REPLY_BYTES (30 * 1024 * 1024)

/* Strings a StasCtrlInfo points to, freed together. */
typedef struct
{
  StasCtrlInfo info;
  char *retry_timer;
  char *connect_op;
  char *log_page_op;
  char *register_op;
  char *supported_op;
  char *unresponsive_timer;
} CtrlInfo;

static void
ctrl_info_clear (CtrlInfo *c)
{
  g_free (c->retry_timer);
  g_free (c->connect_op);
  g_free (c->log_page_op);
  g_free (c->register_op);
  g_free (c->supported_op);
  g_free (c->unresponsive_timer);
}

static StasStateOrigin
state_origin (StasDcOrigin origin)
{
  return origin == STAS_DC_ORIGIN_REFERRAL     ? STAS_STATE_ORIGIN_REFERRAL
         : origin == STAS_DC_ORIGIN_DISCOVERED ? STAS_STATE_ORIGIN_DISCOVERED
                                               : STAS_STATE_ORIGIN_CONFIGURED;
}

static StasStateLogPages
state_log_pages (StasDlpState state)
{
  return state == STAS_DLP_STATE_NONE     ? STAS_STATE_LOG_PAGES_NONE
         : state == STAS_DLP_STATE_CACHED ? STAS_STATE_LOG_PAGES_CACHED
                                          : STAS_STATE_LOG_PAGES_CURRENT;
}

/* @entry: NULL for a DC awaiting disposal */
static void
fill_info (StasStaf *self, StasDc *dc, StafEntry *entry, CtrlInfo *c)
{
  const StasConfigController *ctrl = entry != NULL ? entry->ctrl : NULL;
  StasController *base = STAS_CONTROLLER (dc);
  const StasKernelCtrl *k = stas_controller_get_kernel_entry (base);
  StasCtrlInfo *info = &c->info;

  memset (c, 0, sizeof *c);
  c->retry_timer = stas_controller_dup_retry_timer_string (base);
  c->connect_op = stas_controller_dup_connect_operation_string (base);
  c->log_page_op = stas_dc_dup_get_log_page_operation_string (dc);
  c->register_op = stas_dc_dup_register_operation_string (dc);
  c->supported_op = stas_dc_dup_supported_log_pages_operation_string (dc);

  info->kind = STAS_DAEMON_STAFD;
  info->tid = stas_controller_get_tid (base);
  info->params = ctrl != NULL ? ctrl->params : NULL;
  info->device = stas_controller_get_device (base);
  info->connect_attempts = stas_controller_get_connect_attempts (base);
  info->retry_connect_timer = c->retry_timer;
  info->connect_operation = c->connect_op;
  info->origin = state_origin (stas_dc_get_origin (dc));
  info->get_log_page_operation = c->log_page_op;
  info->register_operation = c->register_op;
  info->get_supported_log_page_operation = c->supported_op;
  info->log_pages_state = state_log_pages (stas_dc_get_log_pages_state (dc));
  info->log_pages_dropped = stas_dc_get_log_pages_dropped (dc);
  info->referral_depth = stas_dc_get_referral_depth (dc);
  if (stas_dc_get_origin (dc) == STAS_DC_ORIGIN_DISCOVERED)
    {
      /* [ZC-6] the mDNS removal policy, visible */
      double remaining = 0;
      gboolean aging = entry != NULL && stas_staf_entry_aging_timer (entry, &remaining);

      c->unresponsive_timer =
          stas_payload_timer_string (aging ? entry->persistence : 0, aging, remaining);
      info->unresponsive_timeout =
          stas_config_get_zeroconf_persistence (stas_service_get_config (STAS_SERVICE (self)));
      info->unresponsive = entry != NULL && entry->unresponsive;
      info->unresponsive_since = entry != NULL ? entry->unresponsive_since : 0;
      info->mdns_advertised = stas_staf_is_advertised (self, info->tid);
      if (info->unresponsive)
        info->unresponsive_timeout = entry->persistence;
    }
  info->unresponsive_timer = c->unresponsive_timer != NULL ? c->unresponsive_timer : "";
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
}

static GArray *
collect_infos (StasStaf *self)
{
  GPtrArray *entries = stas_staf_get_entries (self);
  GArray *infos = g_array_sized_new (FALSE, TRUE, sizeof (CtrlInfo), entries->len);

  g_array_set_clear_func (infos, (GDestroyNotify) ctrl_info_clear);
  g_array_set_size (infos, entries->len);
  for (guint i = 0; i < entries->len; i++)
    {
      StafEntry *entry = g_ptr_array_index (entries, i);
      fill_info (self, entry->dc, entry, &g_array_index (infos, CtrlInfo, i));
    }
  return infos;
}

/* [DBUS-13]: the DC the 7 strings designate, or NULL */
static StafEntry *
lookup (StasStaf *self,
        const char *transport,
        const char *traddr,
        const char *trsvcid,
        const char *subsysnqn,
        const char *host_traddr,
        const char *host_iface,
        const char *host_nqn)
{
  GPtrArray *entries = stas_staf_get_entries (self);
  StasTidDefaults defaults;
  g_autoptr (StasTid) key = NULL;
  StafEntry *first = NULL;

  stas_service_get_tid_defaults (STAS_SERVICE (self), &defaults);
  key = stas_tid_new_lookup (&defaults, transport, traddr, trsvcid, subsysnqn, host_traddr,
                             host_iface, host_nqn);
  for (guint i = 0; key != NULL && i < entries->len; i++)
    {
      StafEntry *entry = g_ptr_array_index (entries, i);
      StasTid *tid = stas_controller_get_tid (STAS_CONTROLLER (entry->dc));

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
handle_list_controllers (StasDBusStaf *skeleton,
                         GDBusMethodInvocation *invocation,
                         gboolean detailed,
                         StasStaf *self)
{
  g_autoptr (GArray) infos = collect_infos (self);
  g_autofree const StasCtrlInfo **ptrs = g_new0 (const StasCtrlInfo *, infos->len + 1);

  for (guint i = 0; i < infos->len; i++)
    ptrs[i] = &g_array_index (infos, CtrlInfo, i).info;
  stas_dbus_staf_complete_list_controllers (
      skeleton, invocation, stas_payload_controller_list (ptrs, infos->len, detailed));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* A full (non-floating) reference: the generated complete function does not take it. */
static GVariant *
log_pages_of (StafEntry *entry)
{
  if (entry == NULL || stas_dc_get_log_pages_state (entry->dc) == STAS_DLP_STATE_NONE)
    return g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("a{ss}"), NULL, 0));
  return g_variant_ref (stas_dc_get_log_pages_variant (entry->dc)); /* cached */
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
  StafEntry *entry =
      lookup (self, transport, traddr, trsvcid, subsysnqn, host_traddr, host_iface, host_nqn);
  g_autoptr (GVariant) pages = log_pages_of (entry);

  stas_dbus_staf_complete_get_log_pages (skeleton, invocation, pages);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_all_log_pages (StasDBusStaf *skeleton,
                          GDBusMethodInvocation *invocation,
                          gboolean detailed,
                          StasStaf *self)
{
  GPtrArray *entries = stas_staf_get_entries (self);
  g_autoptr (GArray) infos = collect_infos (self);
  g_autofree StasDcLogPages *dcs = g_new0 (StasDcLogPages, entries->len + 1);
  g_autofree char *json = NULL;

  for (guint i = 0; i < entries->len; i++)
    {
      StafEntry *entry = g_ptr_array_index (entries, i);

      dcs[i].ctrl = &g_array_index (infos, CtrlInfo, i).info;
      if (stas_dc_get_log_pages_state (entry->dc) != STAS_DLP_STATE_NONE)
        dcs[i].log_pages_json = stas_dc_get_log_pages_json (entry->dc); /* cached */
    }
  json = stas_payload_all_log_pages_json (dcs, entries->len, detailed);
  if (strlen (json) > MAX_REPLY_BYTES)
    {
      /* the system bus disconnects a sender of an oversized message: answer with an error
       * instead of losing the bus name */
      g_dbus_method_invocation_return_error (
          invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
          "get_all_log_pages: the reply (%zu bytes) exceeds the bus message limit; use "
          "get_log_pages per discovery controller",
          strlen (json));
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  stas_dbus_staf_complete_get_all_log_pages (skeleton, invocation, json);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_controller_info (StasDBusStafDebug *skeleton,
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
  StafEntry *entry =
      lookup (self, transport, traddr, trsvcid, subsysnqn, host_traddr, host_iface, host_nqn);
  g_autofree char *json = NULL;

  if (entry != NULL)
    {
      CtrlInfo c;
      fill_info (self, entry->dc, entry, &c);
      json = stas_payload_controller_info_json (&c.info);
      ctrl_info_clear (&c);
    }
  stas_dbus_staf_debug_complete_controller_info (skeleton, invocation, json ? json : "{}");
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static char *
timer_string (double remaining)
{
  return stas_payload_timer_string (remaining, remaining >= 0, MAX (remaining, 0));
}

static gboolean
handle_process_info (StasDBusStafDebug *skeleton, GDBusMethodInvocation *invocation, StasStaf *self)
{
  StasService *service = STAS_SERVICE (self);
  StasSysConf *sysconf = stas_service_get_sysconf (service);
  const StasKernelCaps *caps = stas_service_get_kernel_caps (service);
  StasKernel *kernel = stas_service_get_kernel (service);
  GPtrArray *disposals = stas_staf_get_disposals (self);
  g_autoptr (GArray) terminating = g_array_new (FALSE, TRUE, sizeof (CtrlInfo));
  g_autofree const StasCtrlInfo **ptrs = g_new0 (const StasCtrlInfo *, disposals->len + 1);
  g_autofree char *state_file = stas_state_path (STAS_DAEMON_STAFD);
  g_autofree char *soak_timer = timer_string (stas_soak_remaining (stas_staf_get_soak (self)));
  g_autofree char *resync_timer = stas_payload_timer_string (
      STAS_SYSFS_RESYNC_PERIOD_S, TRUE, stas_kernel_get_resync_remaining (kernel));
  g_autofree char *json = NULL;
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  StasAvahiInfo avahi;
  StasProcessInfo info = {
    .kind = STAS_DAEMON_STAFD,
    .tron = stas_service_get_tron (service),
    .host_nqn = stas_sysconf_get_host_nqn (sysconf),
    .host_id = stas_sysconf_get_host_id (sysconf),
    .has_host_key = stas_sysconf_get_host_key (sysconf) != NULL,
    .symname = stas_sysconf_get_symname (sysconf),
    .state_file = state_file,
    .config_soak_timer = soak_timer,
    .tp8013 = caps->discovery,
    .host_iface = caps->host_iface,
    .audit_timer = "",
    .dhchap_secret = caps->dhchap_secret,
    .dhchap_ctrl_secret = caps->dhchap_ctrl_secret,
    .sysfs_resync_timer = resync_timer,
    .udev_overflows = stas_kernel_get_overflows (kernel),
  };

  g_array_set_clear_func (terminating, (GDestroyNotify) ctrl_info_clear);
  g_array_set_size (terminating, disposals->len);
  for (guint i = 0; i < disposals->len; i++)
    {
      fill_info (self, g_ptr_array_index (disposals, i), NULL,
                 &g_array_index (terminating, CtrlInfo, i));
      ptrs[i] = &g_array_index (terminating, CtrlInfo, i).info;
    }
  if (stas_staf_get_avahi (self) != NULL)
    {
      stas_avahi_fill_info (stas_staf_get_avahi (self), &avahi, keep);
      info.avahi = &avahi;
    }
  info.terminating = ptrs;
  info.n_terminating = disposals->len;
  json = stas_payload_process_info_json (&info);
  stas_dbus_staf_debug_complete_process_info (skeleton, invocation, json);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

void
stas_staf_connect_debug_handlers (StasStaf *self, StasDBusStafDebug *skeleton)
{
  g_signal_connect_object (skeleton, "handle-process-info", G_CALLBACK (handle_process_info), self,
                           0);
  g_signal_connect_object (skeleton, "handle-controller-info", G_CALLBACK (handle_controller_info),
                           self, 0);
}

void
stas_staf_connect_main_handlers (StasStaf *self, StasDBusStaf *skeleton)
{
  g_signal_connect_object (skeleton, "handle-list-controllers",
                           G_CALLBACK (handle_list_controllers), self, 0);
  g_signal_connect_object (skeleton, "handle-get-log-pages", G_CALLBACK (handle_get_log_pages),
                           self, 0);
  g_signal_connect_object (skeleton, "handle-get-all-log-pages",
                           G_CALLBACK (handle_get_all_log_pages), self, 0);
}
