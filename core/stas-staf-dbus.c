/* stas-staf-dbus.c — the org.nvmexpress.staf and .debug members of stafd (spec/dbus.md §3.1,
 * §3.2, §5). Replies are built from in-memory state only (no sysfs, no blocking call). */
#include "config.h"

#include "stas-staf-private.h"

#include "stas-daemon-common.h"
#include "stas-payload.h"
#include "stas-state.h"

/* dbus-daemon's default maximum message size on the system bus is 32 MiB; keep a margin
 * for the header. */
#define MAX_REPLY_BYTES (30 * 1024 * 1024)

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
fill_info (StasStaf *self, StasDc *dc, StafEntry *entry, StasCtrlInfoStore *c)
{
  StasCtrlInfo *info = &c->info;

  stas_ctrl_info_store_fill (c, STAS_DAEMON_STAFD, STAS_CONTROLLER (dc),
                             entry != NULL ? entry->ctrl : NULL);
  c->log_page_op = stas_dc_dup_get_log_page_operation_string (dc);
  c->register_op = stas_dc_dup_register_operation_string (dc);
  c->supported_op = stas_dc_dup_supported_log_pages_operation_string (dc);

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
}

static GArray *
collect_infos (StasStaf *self)
{
  GPtrArray *entries = stas_staf_get_entries (self);
  GArray *infos = stas_ctrl_info_array_new (entries->len);

  for (guint i = 0; i < entries->len; i++)
    {
      StafEntry *entry = g_ptr_array_index (entries, i);
      fill_info (self, entry->dc, entry, &g_array_index (infos, StasCtrlInfoStore, i));
    }
  return infos;
}

/* An entry's controller, for the [DBUS-13] look-up of the 7 strings. */
static StasController *
controller_of (gconstpointer entry)
{
  return STAS_CONTROLLER (((const StafEntry *) entry)->dc);
}

static gboolean
handle_list_controllers (StasDBusStaf *skeleton,
                         GDBusMethodInvocation *invocation,
                         gboolean detailed,
                         StasStaf *self)
{
  g_autoptr (GArray) infos = collect_infos (self);
  g_autofree const StasCtrlInfo **ptrs = stas_ctrl_info_array_ptrs (infos);

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
      stas_daemon_lookup (STAS_SERVICE (self), stas_staf_get_entries (self), controller_of,
                          transport, traddr, trsvcid, subsysnqn, host_traddr, host_iface, host_nqn);
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

      dcs[i].ctrl = &g_array_index (infos, StasCtrlInfoStore, i).info;
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
      stas_daemon_lookup (STAS_SERVICE (self), stas_staf_get_entries (self), controller_of,
                          transport, traddr, trsvcid, subsysnqn, host_traddr, host_iface, host_nqn);
  g_autofree char *json = NULL;

  if (entry != NULL)
    {
      StasCtrlInfoStore c;
      fill_info (self, entry->dc, entry, &c);
      json = stas_payload_controller_info_json (&c.info);
      stas_ctrl_info_store_clear (&c);
    }
  stas_dbus_staf_debug_complete_controller_info (skeleton, invocation, json ? json : "{}");
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_process_info (StasDBusStafDebug *skeleton, GDBusMethodInvocation *invocation, StasStaf *self)
{
  GPtrArray *disposals = stas_staf_get_disposals (self);
  double soak_remaining = stas_soak_remaining (stas_staf_get_soak (self));
  g_autofree char *json = NULL;
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  StasAvahiInfo avahi;
  StasProcessInfoStore p;

  stas_process_info_store_init (&p, STAS_SERVICE (self), soak_remaining, soak_remaining,
                                disposals->len);
  for (guint i = 0; i < disposals->len; i++)
    fill_info (self, g_ptr_array_index (disposals, i), NULL,
               &g_array_index (p.terminating, StasCtrlInfoStore, i));
  if (stas_staf_get_avahi (self) != NULL)
    {
      stas_avahi_fill_info (stas_staf_get_avahi (self), &avahi, keep);
      p.info.avahi = &avahi;
    }
  json = stas_payload_process_info_json (&p.info);
  stas_process_info_store_clear (&p);
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
