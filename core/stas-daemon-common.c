/* stas-daemon-common.c — what stafd and stacd share: configured controllers and their host
 * names, disposals, the shutdown grace, the debounced state-file write. */
#include "config.h"

#include "stas-daemon-common.h"

#include "stas-ip.h"
#include "stas-log.h"
#include "stas-state.h"

#define STATE_WRITE_DEBOUNCE_MS 1000
#define SHUTDOWN_GRACE_S 20

/* ---- configured controllers ------------------------------------------------------------- */

static void
configured_clear (StasConfigured *c)
{
  g_free (c->traddr);
}

GArray *
stas_configured_new (void)
{
  GArray *configured = g_array_new (FALSE, TRUE, sizeof (StasConfigured));

  g_array_set_clear_func (configured, (GDestroyNotify) configured_clear);
  return configured;
}

void
stas_configured_add (GArray *configured, StasConfig *config, GPtrArray *controllers)
{
  for (guint i = 0; controllers != NULL && i < controllers->len; i++)
    {
      const StasConfigController *ctrl = g_ptr_array_index (controllers, i);
      StasConfigured c = { .ctrl = ctrl, .traddr = NULL };

      if (stas_config_is_excluded (config, ctrl->transport, ctrl->traddr, ctrl->trsvcid,
                                   ctrl->subsysnqn, ctrl->host_iface, ctrl->host_nqn,
                                   ctrl->host_id))
        continue;
      c.traddr = g_strdup (ctrl->traddr);
      g_array_append_val (configured, c);
    }
}

typedef struct
{
  GArray *configured;   /* (owned) */
  guint index;          /* in @configured */
  StasConfig *config;   /* (owned) */
  GHashTable *resolved; /* (owned) */
  void (*done) (gpointer data);
  gpointer data;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_array_unref (lookup->configured);
  stas_config_unref (lookup->config);
  g_hash_table_unref (lookup->resolved);
  g_free (lookup);
}

/* [STAF-2] (same rules for stacd): the first IPv4 address when IPv4 is enabled, else IPv6 */
static char *
choose_address (StasConfig *config, GList *addresses)
{
  for (int family = 4; family <= 6; family += 2)
    {
      if (!stas_config_ip_family_allowed (config, family))
        continue;
      for (GList *l = addresses; l != NULL; l = l->next)
        {
          GInetAddress *addr = l->data;
          int f = g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV4 ? 4 : 6;
          if (f == family)
            return g_inet_address_to_string (addr);
        }
    }
  return NULL;
}

static void
on_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;
  StasConfigured *c = &g_array_index (lookup->configured, StasConfigured, lookup->index);
  g_autoptr (GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  const char *name = c->ctrl->traddr;

  g_clear_pointer (&c->traddr, g_free);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    stas_debug ("Resolution of %s cancelled", name);
  else
    {
      char *address = addresses != NULL ? choose_address (lookup->config, addresses) : NULL;
      const char *previous = g_hash_table_lookup (lookup->resolved, name);

      if (address != NULL)
        {
          g_hash_table_replace (lookup->resolved, g_strdup (name), g_strdup (address));
          c->traddr = address;
        }
      else if (previous != NULL)
        {
          /* [D-37]: a DNS outage must not disconnect storage */
          stas_warning ("Cannot resolve %s: %s; keeping %s", name,
                        error != NULL ? error->message : "no usable address", previous);
          c->traddr = g_strdup (previous);
        }
      else
        stas_warning ("Cannot resolve %s: %s", name,
                      error != NULL ? error->message : "no usable address");
    }
  g_resolver_free_addresses (addresses);
  lookup->done (lookup->data);
  lookup_free (lookup);
}

guint
stas_configured_resolve (GArray *configured,
                         StasConfig *config,
                         GHashTable *resolved,
                         GCancellable *cancellable,
                         void (*done) (gpointer data),
                         gpointer data)
{
  guint started = 0;

  for (guint i = 0; i < configured->len; i++)
    {
      g_autoptr (GResolver) resolver = NULL; /* g_resolver_get_default() gives a reference */
      StasConfigured *c = &g_array_index (configured, StasConfigured, i);
      gboolean ip_transport =
          g_strcmp0 (c->ctrl->transport, "tcp") == 0 || g_strcmp0 (c->ctrl->transport, "rdma") == 0;
      Lookup *lookup;

      if (!ip_transport || c->traddr == NULL || stas_ip_is_literal (c->traddr))
        continue;
      lookup = g_new0 (Lookup, 1);
      lookup->configured = g_array_ref (configured);
      lookup->index = i;
      lookup->config = stas_config_ref (config);
      lookup->resolved = g_hash_table_ref (resolved);
      lookup->done = done;
      lookup->data = data;
      started++;
      resolver = g_resolver_get_default ();
      g_resolver_lookup_by_name_async (resolver, c->traddr, cancellable, on_resolved, lookup);
    }
  return started;
}

StasTid *
stas_configured_to_tid (const StasConfigured *c,
                        const StasTidDefaults *defaults,
                        StasConfig *config)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StasTid) tid = NULL;
  StasTidFields fields = {
    .transport = c->ctrl->transport,
    .traddr = c->traddr,
    .trsvcid = c->ctrl->trsvcid,
    .subsysnqn = c->ctrl->subsysnqn,
    .host_traddr = c->ctrl->host_traddr,
    .host_iface = c->ctrl->host_iface,
    .host_nqn = c->ctrl->host_nqn,
    .host_id = c->ctrl->host_id,
  };

  if (c->traddr == NULL && c->ctrl->traddr != NULL)
    return NULL; /* unresolved, never resolved before */
  tid = stas_tid_new (defaults, &fields, &error);
  if (tid == NULL)
    {
      g_autofree char *text = stas_tid_fields_to_string (defaults, &fields);
      if (g_error_matches (error, STAS_TID_ERROR, STAS_TID_ERROR_TRANSPORT))
        stas_warning ("Invalid transport %s", c->ctrl->transport);
      else
        stas_warning ("%s IP address is not valid", text);
      return NULL;
    }
  if (stas_ip_is_literal (c->ctrl->traddr != NULL ? c->ctrl->traddr : "") &&
      !stas_config_ip_family_allowed (config, stas_ip_family (c->ctrl->traddr)))
    {
      stas_warning ("Excluding configured IP address %s based on \"ip-family\" setting",
                    c->ctrl->traddr);
      return NULL;
    }
  return g_steal_pointer (&tid);
}

/* ---- disposals ------------------------------------------------------------------------- */

void
stas_disposals_start (GPtrArray *disposals,
                      StasController *ctrl,
                      gboolean keep_connection,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  g_ptr_array_add (disposals, ctrl);
  stas_controller_dispose_async (ctrl, keep_connection, callback, user_data);
}

void
stas_disposals_finish (GPtrArray *disposals, GObject *source, GAsyncResult *result)
{
  StasController *ctrl = STAS_CONTROLLER (source);

  stas_controller_dispose_finish (ctrl, result, NULL);
  g_ptr_array_remove (disposals, ctrl);
}

StasController *
stas_disposals_reclaim (GPtrArray *disposals, const StasTid *tid)
{
  for (guint i = 0; i < disposals->len; i++)
    {
      StasController *ctrl = g_ptr_array_index (disposals, i);
      if (stas_tid_equal (stas_controller_get_tid (ctrl), tid) &&
          stas_controller_cancel_dispose (ctrl))
        return g_ptr_array_steal_index (disposals, i);
    }
  return NULL;
}

gboolean
stas_disposals_contain (GPtrArray *disposals, const StasTid *tid)
{
  for (guint i = 0; i < disposals->len; i++)
    if (stas_tid_equal (stas_controller_get_tid (g_ptr_array_index (disposals, i)), tid))
      return TRUE;
  return FALSE;
}

/* ---- the shutdown grace ----------------------------------------------------------------- */

static gboolean
on_shutdown_grace (gpointer user_data)
{
  StasShutdown *shutdown = user_data;
  GTask *task = g_steal_pointer (&shutdown->task);

  shutdown->timer = 0;
  for (guint i = 0; i < shutdown->disposals->len; i++)
    stas_warning ("%s - operation still in progress at exit",
                  stas_controller_get_tid_string (g_ptr_array_index (shutdown->disposals, i)));
  if (task != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

void
stas_shutdown_wait (StasShutdown *shutdown, GPtrArray *disposals, GTask *task)
{
  g_return_if_fail (shutdown->task == NULL);

  shutdown->task = task;
  shutdown->disposals = disposals;
  shutdown->timer = g_timeout_add_seconds (SHUTDOWN_GRACE_S, on_shutdown_grace, shutdown);
}

void
stas_shutdown_complete (StasShutdown *shutdown)
{
  GTask *task = g_steal_pointer (&shutdown->task);

  if (task == NULL)
    return;
  g_clear_handle_id (&shutdown->timer, g_source_remove);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* ---- the debounced state-file write ------------------------------------------------------ */

static gboolean
on_debounce_timer (gpointer user_data)
{
  StasDebounce *debounce = user_data;

  debounce->timer = 0;
  debounce->write (debounce->data);
  return G_SOURCE_REMOVE;
}

void
stas_debounce_schedule (StasDebounce *debounce)
{
  if (debounce->timer == 0)
    debounce->timer = g_timeout_add (STATE_WRITE_DEBOUNCE_MS, on_debounce_timer, debounce);
}

void
stas_debounce_cancel (StasDebounce *debounce)
{
  g_clear_handle_id (&debounce->timer, g_source_remove);
}

/* ---- D-Bus replies ---------------------------------------------------------------------- */

void
stas_ctrl_info_store_fill (StasCtrlInfoStore *c,
                           StasDaemonKind kind,
                           StasController *controller,
                           const StasConfigController *ctrl)
{
  const StasKernelCtrl *k = stas_controller_get_kernel_entry (controller);
  StasCtrlInfo *info = &c->info;

  memset (c, 0, sizeof *c);
  c->retry_timer = stas_controller_dup_retry_timer_string (controller);
  c->connect_op = stas_controller_dup_connect_operation_string (controller);

  info->kind = kind;
  info->tid = stas_controller_get_tid (controller);
  info->params = ctrl != NULL ? ctrl->params : NULL;
  info->device = stas_controller_get_device (controller);
  info->connect_attempts = stas_controller_get_connect_attempts (controller);
  info->retry_connect_timer = c->retry_timer;
  info->connect_operation = c->connect_op;
  if (k != NULL)
    {
      info->hostid = k->hostid;
      info->hostnqn = k->hostnqn;
      info->model = k->model;
      info->serial = k->serial;
      info->dctype = k->dctype;
      info->cntrltype = k->cntrltype;
    }
  info->connected = stas_controller_get_state (controller) == STAS_CONTROLLER_CONNECTED;
}

void
stas_ctrl_info_store_clear (StasCtrlInfoStore *c)
{
  g_free (c->retry_timer);
  g_free (c->connect_op);
  g_free (c->log_page_op);
  g_free (c->register_op);
  g_free (c->supported_op);
  g_free (c->unresponsive_timer);
}

GArray *
stas_ctrl_info_array_new (guint n)
{
  GArray *infos = g_array_sized_new (FALSE, TRUE, sizeof (StasCtrlInfoStore), n);

  g_array_set_clear_func (infos, (GDestroyNotify) stas_ctrl_info_store_clear);
  g_array_set_size (infos, n);
  return infos;
}

const StasCtrlInfo **
stas_ctrl_info_array_ptrs (GArray *infos)
{
  const StasCtrlInfo **ptrs = g_new0 (const StasCtrlInfo *, infos->len + 1);

  for (guint i = 0; i < infos->len; i++)
    ptrs[i] = &g_array_index (infos, StasCtrlInfoStore, i).info;
  return ptrs;
}

gpointer
stas_daemon_lookup (StasService *service,
                    GPtrArray *entries,
                    StasController *(*controller_of) (gconstpointer entry),
                    const char *transport,
                    const char *traddr,
                    const char *trsvcid,
                    const char *subsysnqn,
                    const char *host_traddr,
                    const char *host_iface,
                    const char *host_nqn)
{
  StasTidDefaults defaults;
  g_autoptr (StasTid) key = NULL;
  gpointer first = NULL;

  stas_service_get_tid_defaults (service, &defaults);
  key = stas_tid_new_lookup (&defaults, transport, traddr, trsvcid, subsysnqn, host_traddr,
                             host_iface, host_nqn);
  for (guint i = 0; key != NULL && i < entries->len; i++)
    {
      gpointer entry = g_ptr_array_index (entries, i);
      StasTid *tid = stas_controller_get_tid (controller_of (entry));

      if (!stas_tid_matches_lookup (tid, key))
        continue;
      if (stas_tid_equal (tid, key))
        return entry; /* the sys.conf host ID wins */
      if (first == NULL)
        first = entry;
    }
  return first;
}

void
stas_process_info_store_init (StasProcessInfoStore *p,
                              StasService *service,
                              double soak_interval,
                              double soak_remaining,
                              guint n_disposals)
{
  StasSysConf *sysconf = stas_service_get_sysconf (service);
  const StasKernelCaps *caps = stas_service_get_kernel_caps (service);
  StasKernel *kernel = stas_service_get_kernel (service);
  StasProcessInfo *info = &p->info;

  memset (p, 0, sizeof *p);
  p->state_file = stas_state_path (stas_service_get_kind (service));
  p->soak_timer =
      stas_payload_timer_string (soak_interval, soak_remaining >= 0, MAX (soak_remaining, 0));
  p->resync_timer = stas_payload_timer_string (STAS_SYSFS_RESYNC_PERIOD_S, TRUE,
                                               stas_kernel_get_resync_remaining (kernel));
  p->terminating = stas_ctrl_info_array_new (n_disposals);
  p->terminating_ptrs = stas_ctrl_info_array_ptrs (p->terminating);

  info->kind = stas_service_get_kind (service);
  info->tron = stas_service_get_tron (service);
  info->host_nqn = stas_sysconf_get_host_nqn (sysconf);
  info->host_id = stas_sysconf_get_host_id (sysconf);
  info->has_host_key = stas_sysconf_get_host_key (sysconf) != NULL;
  info->symname = stas_sysconf_get_symname (sysconf);
  info->state_file = p->state_file;
  info->config_soak_timer = p->soak_timer;
  info->tp8013 = caps->discovery;
  info->host_iface = caps->host_iface;
  info->audit_timer = "";
  info->dhchap_secret = caps->dhchap_secret;
  info->dhchap_ctrl_secret = caps->dhchap_ctrl_secret;
  info->sysfs_resync_timer = p->resync_timer;
  info->udev_overflows = stas_kernel_get_overflows (kernel);
  info->terminating = p->terminating_ptrs;
  info->n_terminating = n_disposals;
}

void
stas_process_info_store_clear (StasProcessInfoStore *p)
{
  g_free (p->state_file);
  g_free (p->soak_timer);
  g_free (p->resync_timer);
  g_clear_pointer (&p->terminating, g_array_unref);
  g_clear_pointer (&p->terminating_ptrs, g_free);
}
