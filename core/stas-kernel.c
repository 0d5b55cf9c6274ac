/* stas-kernel.c — the kernel controller table (behaviour §2). */
#include "config.h"

#include "stas-kernel.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "stas-ip.h"
#include "stas-log.h"
#include "stas-names.h"

/* ---- classification [KT-3] --------------------------------------------------------------- */

StasCtrlClass
stas_kernel_ctrl_classify (const StasKernelCtrl *ctrl)
{
  const char *type = ctrl->cntrltype != NULL ? ctrl->cntrltype : "";

  if (g_strcmp0 (type, "discovery") == 0)
    return STAS_CTRL_CLASS_DC;
  if (g_strcmp0 (type, "io") == 0)
    return STAS_CTRL_CLASS_IOC;
  if (*type != '\0')
    return STAS_CTRL_CLASS_NONE;
  if (g_strcmp0 (ctrl->subsysnqn, STAS_WELL_KNOWN_DISC_NQN) == 0)
    return STAS_CTRL_CLASS_DC;
  return ctrl->has_namespaces ? STAS_CTRL_CLASS_IOC : STAS_CTRL_CLASS_DC;
}

/* ---- interface addresses ------------------------------------------------------------------ */

struct _StasIfAddrs
{
  GPtrArray *ifnames;   /* (owned) char* */
  GPtrArray *addresses; /* (owned) GPtrArray of canonical address strings, per ifname */
};

StasIfAddrs *
stas_if_addrs_new (void)
{
  StasIfAddrs *addrs = g_new0 (StasIfAddrs, 1);

  addrs->ifnames = g_ptr_array_new_with_free_func (g_free);
  addrs->addresses = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  return addrs;
}

void
stas_if_addrs_free (StasIfAddrs *addrs)
{
  if (addrs == NULL)
    return;
  g_ptr_array_unref (addrs->ifnames);
  g_ptr_array_unref (addrs->addresses);
  g_free (addrs);
}

void
stas_if_addrs_add (StasIfAddrs *addrs, const char *ifname, const char *address)
{
  g_autofree char *canonical = stas_ip_canonical (address);
  GPtrArray *list = NULL;

  if (canonical == NULL)
    return;
  for (guint i = 0; i < addrs->ifnames->len && list == NULL; i++)
    if (g_strcmp0 (g_ptr_array_index (addrs->ifnames, i), ifname) == 0)
      list = g_ptr_array_index (addrs->addresses, i);
  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (addrs->ifnames, g_strdup (ifname));
      g_ptr_array_add (addrs->addresses, list);
    }
  g_ptr_array_add (list, g_steal_pointer (&canonical));
}

StasIfAddrs *
stas_if_addrs_new_from_system (void)
{
  StasIfAddrs *addrs = stas_if_addrs_new ();
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) != 0)
    return addrs;
  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
    {
      char text[INET6_ADDRSTRLEN];
      const void *raw;

      if (ifa->ifa_addr == NULL)
        continue;
      if (ifa->ifa_addr->sa_family == AF_INET)
        raw = &((const struct sockaddr_in *) (const void *) ifa->ifa_addr)->sin_addr;
      else if (ifa->ifa_addr->sa_family == AF_INET6)
        raw = &((const struct sockaddr_in6 *) (const void *) ifa->ifa_addr)->sin6_addr;
      else
        continue;
      if (inet_ntop (ifa->ifa_addr->sa_family, raw, text, sizeof text) != NULL)
        stas_if_addrs_add (addrs, ifa->ifa_name, text);
    }
  freeifaddrs (list);
  return addrs;
}

const char *
stas_if_addrs_owner (const StasIfAddrs *addrs, const char *address)
{
  g_autofree char *canonical = address != NULL ? stas_ip_canonical (address) : NULL;

  if (addrs == NULL || canonical == NULL)
    return NULL;
  for (guint i = 0; i < addrs->ifnames->len; i++)
    {
      GPtrArray *list = g_ptr_array_index (addrs->addresses, i);
      for (guint j = 0; j < list->len; j++)
        if (g_strcmp0 (g_ptr_array_index (list, j), canonical) == 0)
          return g_ptr_array_index (addrs->ifnames, i);
    }
  return NULL;
}

/* The primary (first) address of @family (4/6) on @ifname, or NULL. */
static const char *
if_addrs_primary (const StasIfAddrs *addrs, const char *ifname, int family)
{
  if (addrs == NULL)
    return NULL;
  for (guint i = 0; i < addrs->ifnames->len; i++)
    {
      GPtrArray *list;
      if (g_strcmp0 (g_ptr_array_index (addrs->ifnames, i), ifname) != 0)
        continue;
      list = g_ptr_array_index (addrs->addresses, i);
      for (guint j = 0; j < list->len; j++)
        if (stas_ip_family (g_ptr_array_index (list, j)) == family)
          return g_ptr_array_index (list, j);
    }
  return NULL;
}

/* ---- matching [CONN-4] ------------------------------------------------------------------- */

static gboolean
empty (const char *s)
{
  return s == NULL || *s == '\0';
}

static gboolean
port_equal (const char *a, const char *b)
{
  gint64 x, y;

  if (empty (a) || empty (b))
    return empty (a) && empty (b);
  x = g_ascii_strtoll (a, NULL, 10);
  y = g_ascii_strtoll (b, NULL, 10);
  return x == y;
}

/* Row 10, legacy kernels without src_addr. */
static gboolean
tcp_legacy_matches (const StasKernelCtrl *ctrl, const StasTid *tid, const StasIfAddrs *addrs)
{
  const char *want_traddr = stas_tid_get_host_traddr (tid);
  const char *want_iface = stas_tid_get_host_iface (tid);

  if (!empty (want_traddr))
    {
      if (!empty (ctrl->host_traddr))
        {
          if (!stas_ip_equal (want_traddr, ctrl->host_traddr))
            return FALSE;
        }
      else if (!empty (ctrl->host_iface))
        {
          const char *primary =
              if_addrs_primary (addrs, ctrl->host_iface, stas_ip_family (want_traddr));
          if (primary != NULL && !stas_ip_equal (want_traddr, primary))
            return FALSE;
        }
      else
        stas_debug ("Not enough info. Assume \"match\" but this could be wrong.");
    }
  if (!empty (want_iface))
    {
      if (!empty (ctrl->host_iface))
        {
          if (g_strcmp0 (want_iface, ctrl->host_iface) != 0)
            return FALSE;
        }
      else if (!empty (ctrl->host_traddr))
        {
          if (g_strcmp0 (want_iface, stas_if_addrs_owner (addrs, ctrl->host_traddr)) != 0)
            return FALSE;
        }
      else
        stas_debug ("Not enough info. Assume \"match\" but this could be wrong.");
    }
  return TRUE;
}

gboolean
stas_kernel_ctrl_matches (const StasKernelCtrl *ctrl,
                          const StasTid *tid,
                          StasCtrlClass want,
                          const StasIfAddrs *addrs)
{
  const char *transport = stas_tid_get_transport (tid);
  const char *traddr = stas_tid_get_traddr (tid);
  const char *subsysnqn = stas_tid_get_subsysnqn (tid);
  gboolean ip = g_strcmp0 (transport, "tcp") == 0 || g_strcmp0 (transport, "rdma") == 0;

  /* 1, 2 */
  if (stas_kernel_ctrl_classify (ctrl) != want)
    return FALSE;
  if (g_strcmp0 (ctrl->state, "deleting") == 0 || g_strcmp0 (ctrl->state, "deleting (noio)") == 0 ||
      g_strcmp0 (ctrl->state, "dead") == 0)
    return FALSE;
  /* 4, 5 */
  if (g_strcmp0 (ctrl->transport, transport) != 0)
    return FALSE;
  if (ip && !port_equal (ctrl->trsvcid, stas_tid_get_trsvcid (tid)))
    return FALSE;
  /* 6, 7 */
  if (g_strcmp0 (ctrl->hostnqn, stas_tid_get_host_nqn (tid)) != 0)
    return FALSE;
  if (!empty (ctrl->hostid) && g_ascii_strcasecmp (ctrl->hostid, stas_tid_get_host_id (tid)) != 0)
    return FALSE;
  /* 8 */
  if (g_strcmp0 (subsysnqn, STAS_WELL_KNOWN_DISC_NQN) != 0 &&
      g_strcmp0 (ctrl->subsysnqn, subsysnqn) != 0)
    return FALSE;
  /* 9 */
  if (ip)
    {
      if (!stas_ip_equal (ctrl->traddr, traddr))
        return FALSE;
    }
  else if (g_strcmp0 (transport, "fc") == 0)
    {
      if (g_ascii_strcasecmp (ctrl->traddr != NULL ? ctrl->traddr : "", traddr) != 0)
        return FALSE;
    }
  else if (!empty (traddr) && g_strcmp0 (ctrl->traddr, traddr) != 0)
    return FALSE;

  /* 10 */
  if (g_strcmp0 (transport, "tcp") == 0 &&
      (!empty (stas_tid_get_host_traddr (tid)) || !empty (stas_tid_get_host_iface (tid))))
    {
      if (!empty (ctrl->src_addr))
        {
          if (!empty (stas_tid_get_host_traddr (tid)) &&
              !stas_ip_equal (stas_tid_get_host_traddr (tid), ctrl->src_addr))
            return FALSE;
          if (!empty (stas_tid_get_host_iface (tid)) &&
              g_strcmp0 (stas_tid_get_host_iface (tid),
                         stas_if_addrs_owner (addrs, ctrl->src_addr)) != 0)
            return FALSE;
        }
      else if (!tcp_legacy_matches (ctrl, tid, addrs))
        return FALSE;
    }
  /* 11 */
  if (g_strcmp0 (transport, "fc") == 0 &&
      g_ascii_strcasecmp (ctrl->host_traddr != NULL ? ctrl->host_traddr : "",
                          stas_tid_get_host_traddr (tid)) != 0)
    return FALSE;
  /* 12 */
  if (g_strcmp0 (transport, "rdma") == 0 && !empty (stas_tid_get_host_traddr (tid)) &&
      !stas_ip_equal (stas_tid_get_host_traddr (tid), ctrl->host_traddr))
    return FALSE;
  return TRUE;
}

/* ---- the table --------------------------------------------------------------------------- */

typedef struct
{
  gpointer owner;
  StasKernelOwnerFunc func; /* (nullable) the owner's event handler */
  StasKernelCtrl *identity; /* (owned) the entry when it was claimed [CONN-3] */
} Claim;

static void
claim_free (Claim *claim)
{
  stas_kernel_ctrl_free (claim->identity);
  g_free (claim);
}

struct _StasKernel
{
  GObject parent_instance;

  StasFabrics *fabrics; /* (owned) */
  GHashTable *table;    /* name -> StasKernelCtrl (owned) */
  GHashTable *claims;   /* name -> Claim (owned) */
  GHashTable *add_soak; /* name -> source id */
  gulong uevent_handler;
  gulong overflow_handler;
  gboolean monitoring;

  guint resync_timer;
  guint overflow_timer;
  gint64 next_resync_us;
  gint64 last_overflow_log_us;
  guint overflows;
  GCancellable *cancellable; /* (owned) */
  gboolean scanning;
  gboolean rescan_pending;
  gboolean rescan_after_overflow;

  StasIfAddrs *if_addrs; /* (owned) (nullable) cached for ≤ 1 s */
  gint64 if_addrs_time_us;
};

G_DEFINE_FINAL_TYPE (StasKernel, stas_kernel, G_TYPE_OBJECT)

enum
{
  SIGNAL_DEVICE_EVENT,
  SIGNAL_RESYNCED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static StasKernelCtrl *
read_one (StasKernel *self, const char *name)
{
  return STAS_FABRICS_GET_IFACE (self->fabrics)->read_controller (self->fabrics, name);
}

static void
emit_event (StasKernel *self, const StasUevent *event)
{
  const StasKernelCtrl *entry = g_hash_table_lookup (self->table, event->name);
  Claim *claim = g_hash_table_lookup (self->claims, event->name);
  gpointer owner = claim != NULL ? claim->owner : NULL;
  StasKernelOwnerFunc func = claim != NULL ? claim->func : NULL;

  if (event->action == STAS_UEVENT_REMOVE)
    g_hash_table_remove (self->claims, event->name); /* the device is gone: no owner */
  /* [NFR-3] routed to the owner only; the signal is for the daemon-wide listeners */
  if (func != NULL)
    {
      g_object_ref (self);
      func (owner, event, entry);
      entry = g_hash_table_lookup (self->table, event->name); /* the owner may resync */
      g_signal_emit (self, signals[SIGNAL_DEVICE_EVENT], 0, event, entry, owner);
      g_object_unref (self);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_DEVICE_EVENT], 0, event, entry, owner);
}

/* A claim records the device's identity when it is claimed [CONN-3]; a field that was empty
 * then (sysfs attributes not initialised yet at "add", or the device not read at all) is
 * unknown, not different: it is filled in from the first complete reading, and until then it
 * matches anything. Likewise a field that a scan reads empty (a device being set up while
 * the scan runs) is unknown. Otherwise a resync would take a live connection for a re-used
 * name and synthesise a "remove" for it [KT-4]. */
static void
fill_field (char **field, const char *value)
{
  if ((*field == NULL || **field == '\0') && value != NULL && *value != '\0')
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

static void
claim_fill (Claim *claim, const StasKernelCtrl *entry)
{
  fill_field (&claim->identity->transport, entry->transport);
  fill_field (&claim->identity->traddr, entry->traddr);
  fill_field (&claim->identity->trsvcid, entry->trsvcid);
  fill_field (&claim->identity->subsysnqn, entry->subsysnqn);
  fill_field (&claim->identity->hostnqn, entry->hostnqn);
}

static gboolean
known_same (const char *claimed, const char *now)
{
  return claimed == NULL || *claimed == '\0' || now == NULL || *now == '\0' ||
         g_strcmp0 (claimed, now) == 0;
}

static gboolean
claim_matches (const Claim *claim, const StasKernelCtrl *now)
{
  const StasKernelCtrl *c = claim->identity;

  return known_same (c->transport, now->transport) && known_same (c->traddr, now->traddr) &&
         known_same (c->trsvcid, now->trsvcid) && known_same (c->subsysnqn, now->subsysnqn) &&
         known_same (c->hostnqn, now->hostnqn);
}

static void
refresh_entry (StasKernel *self, const char *name)
{
  StasKernelCtrl *entry = read_one (self, name);
  Claim *claim = g_hash_table_lookup (self->claims, name);

  if (entry != NULL)
    {
      if (claim != NULL)
        claim_fill (claim, entry);
      g_hash_table_replace (self->table, g_strdup (name), entry);
    }
  else
    g_hash_table_remove (self->table, name);
}

typedef struct
{
  StasKernel *self; /* (unowned) the table outlives its soak timers */
  char *name;
  guint id;
} AddSoak;

static void
add_soak_free (AddSoak *soak)
{
  if (soak->id != 0)
    g_source_remove (soak->id);
  g_free (soak->name);
  g_free (soak);
}

static gboolean
on_add_soak (gpointer user_data)
{
  AddSoak *soak = user_data;
  StasKernel *self = soak->self;

  soak->id = 0;
  /* sysfs attributes are not always initialised at "add" [KT-4]; also when the device
   * could not be read at all then */
  refresh_entry (self, soak->name);
  g_hash_table_remove (self->add_soak, soak->name);
  return G_SOURCE_REMOVE;
}

static void
schedule_add_soak (StasKernel *self, const char *name)
{
  AddSoak *soak = g_new0 (AddSoak, 1);

  soak->self = self;
  soak->name = g_strdup (name);
  soak->id = g_timeout_add (STAS_ADD_EVENT_SOAK_MS, on_add_soak, soak);
  g_hash_table_replace (self->add_soak, g_strdup (name), soak);
}

static void
on_fabrics_uevent (StasFabrics *fabrics, const StasUevent *event, StasKernel *self)
{
  switch (event->action)
    {
    case STAS_UEVENT_ADD:
      refresh_entry (self, event->name);
      schedule_add_soak (self, event->name);
      break;
    case STAS_UEVENT_CHANGE:
      refresh_entry (self, event->name);
      break;
    case STAS_UEVENT_REMOVE:
      g_hash_table_remove (self->table, event->name);
      g_hash_table_remove (self->add_soak, event->name);
      break;
    }
  emit_event (self, event);
}

static void start_scan (StasKernel *self, gboolean after_overflow);

static gboolean
on_overflow_timer (gpointer user_data)
{
  StasKernel *self = user_data;

  self->overflow_timer = 0;
  start_scan (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_fabrics_overflow (StasFabrics *fabrics, StasKernel *self)
{
  gint64 now = g_get_monotonic_time ();

  self->overflows++;
  if (self->last_overflow_log_us == 0 || now - self->last_overflow_log_us >= 10 * G_USEC_PER_SEC)
    {
      stas_warning ("udev monitor overflow: events were lost, resynchronising with sysfs");
      self->last_overflow_log_us = now;
    }
  /* repeated overflows within the delay are coalesced */
  if (self->overflow_timer == 0)
    self->overflow_timer = g_timeout_add (STAS_OVERFLOW_RESYNC_DELAY_MS, on_overflow_timer, self);
}

static void
scan_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  StasFabrics *fabrics = task_data;
  GError *error = NULL;
  GPtrArray *list = STAS_FABRICS_GET_IFACE (fabrics)->scan_controllers (fabrics, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

static gboolean
same_identity (const StasKernelCtrl *a, const StasKernelCtrl *b)
{
  return g_strcmp0 (a->transport, b->transport) == 0 && g_strcmp0 (a->traddr, b->traddr) == 0 &&
         g_strcmp0 (a->trsvcid, b->trsvcid) == 0 && g_strcmp0 (a->subsysnqn, b->subsysnqn) == 0 &&
         g_strcmp0 (a->hostnqn, b->hostnqn) == 0;
}

static void
emit_synthesised (StasKernel *self, StasUeventAction action, const char *name)
{
  StasUevent event = { .action = action, .name = (char *) name };

  emit_event (self, &event);
}

/* [KT-4]: compare the new scan with the table and the claims; synthesise what was missed */
static void
apply_scan (StasKernel *self, GPtrArray *list, gboolean after_overflow)
{
  g_autoptr (GHashTable) fresh = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) stas_kernel_ctrl_free);
  g_autoptr (GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) added = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < list->len; i++)
    {
      StasKernelCtrl *entry = g_ptr_array_index (list, i);
      g_hash_table_replace (fresh, g_strdup (entry->name), stas_kernel_ctrl_copy (entry));
    }

  /* claimed devices that vanished or now are another controller */
  g_hash_table_iter_init (&iter, self->claims);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Claim *claim = value;
      const StasKernelCtrl *now = g_hash_table_lookup (fresh, key);
      if (now == NULL || !claim_matches (claim, now))
        g_ptr_array_add (gone, g_strdup (key));
      else
        claim_fill (claim, now);
    }
  /* devices that appeared (or re-appeared under a re-used name) */
  g_hash_table_iter_init (&iter, fresh);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const StasKernelCtrl *old = g_hash_table_lookup (self->table, key);
      if (old == NULL || !same_identity (old, value))
        g_ptr_array_add (added, g_strdup (key));
    }

  g_hash_table_remove_all (self->table);
  g_hash_table_iter_init (&iter, fresh);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_hash_table_replace (self->table, g_strdup (key), value);
      g_hash_table_iter_steal (&iter);
      g_free (key);
    }

  for (guint i = 0; i < gone->len; i++)
    {
      const char *name = g_ptr_array_index (gone, i);
      /* the entry (if the name was re-used) must not be seen by the old owner */
      StasKernelCtrl *reused = NULL;
      gpointer stolen_key = NULL;
      if (g_hash_table_steal_extended (self->table, name, &stolen_key, (gpointer *) &reused))
        g_free (stolen_key);
      emit_synthesised (self, STAS_UEVENT_REMOVE, name);
      if (reused != NULL)
        g_hash_table_replace (self->table, g_strdup (name), reused);
    }
  for (guint i = 0; i < added->len; i++)
    emit_synthesised (self, STAS_UEVENT_ADD, g_ptr_array_index (added, i));
  g_signal_emit (self, signals[SIGNAL_RESYNCED], 0, after_overflow);
}

static void
on_scan_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StasKernel *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = g_task_propagate_pointer (G_TASK (result), &error);
  gboolean after_overflow = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "overflow"));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  self->scanning = FALSE;
  if (list != NULL)
    apply_scan (self, list, after_overflow);
  else
    stas_warning ("Cannot scan the kernel's NVMe controllers: %s", error->message);

  if (self->rescan_pending)
    {
      gboolean overflow = self->rescan_after_overflow;
      self->rescan_pending = FALSE;
      self->rescan_after_overflow = FALSE;
      start_scan (self, overflow);
    }
  g_object_unref (self);
}

static void
start_scan (StasKernel *self, gboolean after_overflow)
{
  g_autoptr (GTask) task = NULL;

  if (self->scanning)
    {
      self->rescan_pending = TRUE;
      self->rescan_after_overflow |= after_overflow;
      return;
    }
  self->scanning = TRUE;
  task = g_task_new (self, self->cancellable, on_scan_done, g_object_ref (self));
  g_task_set_task_data (task, g_object_ref (self->fabrics), g_object_unref);
  g_object_set_data (G_OBJECT (task), "overflow", GINT_TO_POINTER (after_overflow));
  g_task_run_in_thread (task, scan_thread);
}

static gboolean
on_resync_timer (gpointer user_data)
{
  StasKernel *self = user_data;

  self->next_resync_us = g_get_monotonic_time () + STAS_SYSFS_RESYNC_PERIOD_S * G_USEC_PER_SEC;
  start_scan (self, FALSE);
  return G_SOURCE_CONTINUE;
}

gboolean
stas_kernel_start (StasKernel *self, GError **error)
{
  StasFabricsInterface *iface = STAS_FABRICS_GET_IFACE (self->fabrics);
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) scan_error = NULL;

  g_return_val_if_fail (!self->monitoring, TRUE);
  /* the monitor first, so that no event between scan and monitor start is lost */
  if (!iface->start_monitor (self->fabrics, error))
    return FALSE;
  self->monitoring = TRUE;
  self->uevent_handler =
      g_signal_connect (self->fabrics, "uevent", G_CALLBACK (on_fabrics_uevent), self);
  self->overflow_handler =
      g_signal_connect (self->fabrics, "overflow", G_CALLBACK (on_fabrics_overflow), self);
  /* the start-up scan is synchronous: the daemon needs the table before anything else */
  list = iface->scan_controllers (self->fabrics, &scan_error);
  if (list != NULL)
    for (guint i = 0; i < list->len; i++)
      {
        const StasKernelCtrl *entry = g_ptr_array_index (list, i);
        g_hash_table_replace (self->table, g_strdup (entry->name), stas_kernel_ctrl_copy (entry));
      }
  else
    stas_warning ("Cannot scan the kernel's NVMe controllers: %s", scan_error->message);

  self->next_resync_us = g_get_monotonic_time () + STAS_SYSFS_RESYNC_PERIOD_S * G_USEC_PER_SEC;
  self->resync_timer = g_timeout_add_seconds (STAS_SYSFS_RESYNC_PERIOD_S, on_resync_timer, self);
  return TRUE;
}

void
stas_kernel_stop (StasKernel *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->resync_timer, g_source_remove);
  g_clear_handle_id (&self->overflow_timer, g_source_remove);
  g_clear_signal_handler (&self->uevent_handler, self->fabrics);
  g_clear_signal_handler (&self->overflow_handler, self->fabrics);
  if (self->monitoring)
    STAS_FABRICS_GET_IFACE (self->fabrics)->stop_monitor (self->fabrics);
  self->monitoring = FALSE;
  g_hash_table_remove_all (self->add_soak);
}

void
stas_kernel_resync (StasKernel *self, gboolean after_overflow)
{
  start_scan (self, after_overflow);
}

const StasKernelCtrl *
stas_kernel_lookup (StasKernel *self, const char *name)
{
  return name != NULL ? g_hash_table_lookup (self->table, name) : NULL;
}

static int
compare_instance (gconstpointer a, gconstpointer b)
{
  const StasKernelCtrl *x = *(const StasKernelCtrl *const *) a;
  const StasKernelCtrl *y = *(const StasKernelCtrl *const *) b;
  return (x->instance > y->instance) - (x->instance < y->instance);
}

GPtrArray *
stas_kernel_list (StasKernel *self)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort (list, compare_instance);
  return list;
}

guint
stas_kernel_get_overflows (StasKernel *self)
{
  return self->overflows;
}

double
stas_kernel_get_resync_remaining (StasKernel *self)
{
  gint64 left = self->next_resync_us - g_get_monotonic_time ();
  return left > 0 ? (double) left / G_USEC_PER_SEC : 0.0;
}

void
stas_kernel_claim (StasKernel *self, const char *name, gpointer owner)
{
  stas_kernel_claim_full (self, name, owner, NULL);
}

void
stas_kernel_claim_full (StasKernel *self,
                        const char *name,
                        gpointer owner,
                        StasKernelOwnerFunc func)
{
  const StasKernelCtrl *entry = g_hash_table_lookup (self->table, name);
  Claim *claim = g_new0 (Claim, 1);
  StasKernelCtrl blank = { .name = (char *) name };

  claim->owner = owner;
  claim->func = func;
  claim->identity = stas_kernel_ctrl_copy (entry != NULL ? entry : &blank);
  g_hash_table_replace (self->claims, g_strdup (name), claim);
}

void
stas_kernel_release (StasKernel *self, const char *name, gpointer owner)
{
  Claim *claim = name != NULL ? g_hash_table_lookup (self->claims, name) : NULL;

  if (claim != NULL && claim->owner == owner)
    g_hash_table_remove (self->claims, name);
}

gpointer
stas_kernel_get_owner (StasKernel *self, const char *name)
{
  Claim *claim = name != NULL ? g_hash_table_lookup (self->claims, name) : NULL;
  return claim != NULL ? claim->owner : NULL;
}

static const StasIfAddrs *
current_if_addrs (StasKernel *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->if_addrs == NULL || now - self->if_addrs_time_us > G_USEC_PER_SEC)
    {
      stas_if_addrs_free (self->if_addrs);
      self->if_addrs = stas_if_addrs_new_from_system ();
      self->if_addrs_time_us = now;
    }
  return self->if_addrs;
}

const StasKernelCtrl *
stas_kernel_find_match (StasKernel *self, const StasTid *tid, StasCtrlClass want)
{
  g_autoptr (GPtrArray) list = stas_kernel_list (self);
  const StasIfAddrs *addrs = NULL;

  if (g_strcmp0 (stas_tid_get_transport (tid), "tcp") == 0)
    addrs = current_if_addrs (self);
  for (guint i = 0; i < list->len; i++)
    {
      const StasKernelCtrl *entry = g_ptr_array_index (list, i);
      if (!g_hash_table_contains (self->claims, entry->name) &&
          stas_kernel_ctrl_matches (entry, tid, want, addrs))
        return entry;
    }
  return NULL;
}

static void
stas_kernel_dispose (GObject *object)
{
  StasKernel *self = STAS_KERNEL (object);

  if (self->fabrics != NULL)
    stas_kernel_stop (self);
  g_clear_object (&self->fabrics);
  G_OBJECT_CLASS (stas_kernel_parent_class)->dispose (object);
}

static void
stas_kernel_finalize (GObject *object)
{
  StasKernel *self = STAS_KERNEL (object);

  g_hash_table_unref (self->table);
  g_hash_table_unref (self->claims);
  g_hash_table_unref (self->add_soak);
  g_clear_object (&self->cancellable);
  stas_if_addrs_free (self->if_addrs);
  G_OBJECT_CLASS (stas_kernel_parent_class)->finalize (object);
}

static void
stas_kernel_class_init (StasKernelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stas_kernel_dispose;
  object_class->finalize = stas_kernel_finalize;

  signals[SIGNAL_DEVICE_EVENT] =
      g_signal_new ("device-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 3, G_TYPE_POINTER, G_TYPE_POINTER, G_TYPE_POINTER);
  signals[SIGNAL_RESYNCED] = g_signal_new ("resynced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
stas_kernel_init (StasKernel *self)
{
  self->table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) stas_kernel_ctrl_free);
  self->claims =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) claim_free);
  self->add_soak =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) add_soak_free);
  self->cancellable = g_cancellable_new ();
}

StasKernel *
stas_kernel_new (StasFabrics *fabrics)
{
  StasKernel *self = g_object_new (STAS_TYPE_KERNEL, NULL);

  self->fabrics = g_object_ref (fabrics);
  return self;
}
