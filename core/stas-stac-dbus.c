/* stas-stac-dbus.c — the org.nvmexpress.stac and .debug members of stacd (spec/dbus.md §3.1,
 * §3.3, §5). Replies are built from in-memory state only (no sysfs, no blocking call). */
#include "config.h"

#include "stas-stac-private.h"

#include "stas-daemon-common.h"

#include "stas-state.h"

static StasStateOrigin
state_origin (StasIocOrigin origin)
{
  return origin == STAS_IOC_ORIGIN_DISCOVERED ? STAS_STATE_ORIGIN_DISCOVERED
         : origin == STAS_IOC_ORIGIN_EXTERNAL ? STAS_STATE_ORIGIN_EXTERNAL
                                              : STAS_STATE_ORIGIN_CONFIGURED;
}

static void
fill_info (StasIoc *ioc, const StasConfigController *ctrl, StasCtrlInfoStore *c)
{
  stas_ctrl_info_store_fill (c, STAS_DAEMON_STACD, STAS_CONTROLLER (ioc), ctrl);
  c->info.origin = state_origin (stas_ioc_get_origin (ioc));
  c->info.unresponsive_timer = "";
  c->info.unresponsive_timeout = -1;
  c->info.dlpe = stas_ioc_get_dlpe (ioc);
}

/* An entry's controller, for the [DBUS-13] look-up of the 7 strings. */
static StasController *
controller_of (gconstpointer entry)
{
  return STAS_CONTROLLER (((const StacEntry *) entry)->ioc);
}

static gboolean
handle_list_controllers (StasDBusStac *skeleton,
                         GDBusMethodInvocation *invocation,
                         gboolean detailed,
                         StasStac *self)
{
  GPtrArray *entries = stas_stac_get_entries (self);
  g_autoptr (GArray) infos = stas_ctrl_info_array_new (entries->len);
  g_autofree const StasCtrlInfo **ptrs = stas_ctrl_info_array_ptrs (infos);

  for (guint i = 0; i < entries->len; i++)
    {
      StacEntry *entry = g_ptr_array_index (entries, i);
      fill_info (entry->ioc, entry->ctrl, &g_array_index (infos, StasCtrlInfoStore, i));
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
      stas_daemon_lookup (STAS_SERVICE (self), stas_stac_get_entries (self), controller_of,
                          transport, traddr, trsvcid, subsysnqn, host_traddr, host_iface, host_nqn);
  g_autofree char *json = NULL;

  if (entry != NULL)
    {
      StasCtrlInfoStore c;
      fill_info (entry->ioc, entry->ctrl, &c);
      json = stas_payload_controller_info_json (&c.info);
      stas_ctrl_info_store_clear (&c);
    }
  stas_dbus_stac_debug_complete_controller_info (skeleton, invocation, json ? json : "{}");
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_process_info (StasDBusStacDebug *skeleton, GDBusMethodInvocation *invocation, StasStac *self)
{
  GPtrArray *disposals = stas_stac_get_disposals (self);
  g_autofree char *audit_timer = stas_payload_timer_string (STAS_DISPOSAL_AUDIT_PERIOD_S, FALSE, 0);
  g_autofree char *json = NULL;
  StasProcessInfoStore p;

  stas_process_info_store_init (&p, STAS_SERVICE (self), stas_stac_get_soak_interval (self),
                                stas_soak_remaining (stas_stac_get_soak (self)), disposals->len);
  p.info.audit_timer = audit_timer;
  p.info.stafd_data = stas_stac_get_stafd_data (self);
  p.info.stafd_name_owner =
      stas_stac_get_stafd_owner (self) ? stas_stac_get_stafd_owner (self) : "";
  for (guint i = 0; i < disposals->len; i++)
    fill_info (g_ptr_array_index (disposals, i), NULL,
               &g_array_index (p.terminating, StasCtrlInfoStore, i));
  json = stas_payload_process_info_json (&p.info);
  stas_process_info_store_clear (&p);
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
