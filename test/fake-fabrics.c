/* fake-fabrics.c — the scripted fake fabrics linked into stas-fake and the tests (the model,
 * the script format and the control commands are described in fake-fabrics.h). */
#include "config.h"

#include "fake-fabrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gio/gunixsocketaddress.h>

#define AEN_DLP_CHANGED STAS_DLP_CHANGED_AEN
#define STATUS_INVALID_OPCODE 0x1
#define STATUS_INVALID_LOG_PAGE 0x109
#define LSP_PLEO 0x2

/* ---- model types ----------------------------------------------------------------------- */

typedef struct
{
  gboolean is_status;
  int err;
  guint16 status;
  guint remaining; /* STAS_FAKE_FOREVER: until cleared */
} Failure;

typedef struct
{
  StasDlpeSpec spec; /* text fields point at the copies below */
  char *traddr;
  char *trsvcid;
  char *subnqn;
  gboolean remote;
} Entry;

typedef struct
{
  char *nqn;
  guint n_namespaces;
} IoSubsys;

struct _StasFakeTarget
{
  char *transport;
  char *traddr; /* canonical IP text for tcp/rdma */
  char *trsvcid;
  /* the discovery subsystem */
  gboolean has_dc;
  char *dc_nqn;
  StasFakeDcType dctype;
  guint32 log_page_options;
  GPtrArray *entries; /* of Entry */
  guint64 genctr;
  GHashTable *registered; /* host NQNs registered with DIM */
  GPtrArray *io;          /* of IoSubsys */
  /* injected behaviour */
  Failure failures[STAS_FAKE_N_OPS];
  guint delays[STAS_FAKE_N_OPS];
  guint churn;
};

typedef struct
{
  StasKernelCtrl *kc;
  gboolean aen_masked;
} Device;

struct _StasFabricsCtrl
{
  StasTid *tid;
  gboolean discovery;
  gboolean pass_host_iface;
  StasConnParams params; /* secrets point at the copies below */
  char *dhchap_secret;
  char *dhchap_ctrl_secret;
  char *host_key;
  char *symname;
  char *device;
  gboolean tron;
  gboolean busy;
  gboolean freed; /* ctrl_free() came while busy: free at completion */
};

typedef struct
{
  StasFakeOp op;
  StasFabricsCtrl *ctrl;  /* (unowned) alive while in flight [ARCH-4] */
  StasFakeTarget *target; /* (unowned) of the TID, may be NULL */
  char *device;           /* adopt */
  guint8 lsp;
  StasDimTas tas;
} OpData;

typedef struct
{
  gboolean overflow;
  StasUevent *event;
} QueuedEvent;

struct _StasFakeFabrics
{
  GObject parent_instance;

  gboolean kernel_available;
  StasKernelCaps caps;
  char *library_version;
  GPtrArray *targets; /* of StasFakeTarget */

  GMutex lock;        /* devices: scan_controllers/read_controller run in workers */
  GPtrArray *devices; /* of Device, sorted by instance */

  GMainContext *monitor_context; /* (owned) NULL while no monitor runs */
  GQueue events;                 /* of QueuedEvent */
  GSource *events_source;
  gboolean drop_uevents;

  GPtrArray *calls; /* of StasFakeCall */
  GPtrArray *held;  /* of GTask */
  guint n_ctrls;
  guint n_pending;

  GSocketService *control;
  char *control_path;
  GCancellable *control_cancellable;
};

static void stas_fake_fabrics_iface_init (StasFabricsInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StasFakeFabrics,
                               stas_fake_fabrics,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (STAS_TYPE_FABRICS,
                                                      stas_fake_fabrics_iface_init))

static const char *const op_names[STAS_FAKE_N_OPS] = {
  "connect",
  "adopt",
  "disconnect",
  "registration-supported",
  "dim",
  "supported-log-pages",
  "get-discovery-log",
};

const char *
stas_fake_op_to_string (StasFakeOp op)
{
  g_return_val_if_fail (op < STAS_FAKE_N_OPS, "?");
  return op_names[op];
}

gboolean
stas_fake_op_from_string (const char *text, StasFakeOp *op)
{
  for (guint i = 0; i < STAS_FAKE_N_OPS; i++)
    if (g_strcmp0 (text, op_names[i]) == 0)
      {
        *op = (StasFakeOp) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- small helpers ----------------------------------------------------------------------- */

static gboolean
empty (const char *s)
{
  return s == NULL || *s == '\0';
}

static gboolean
is_ip_transport (const char *transport)
{
  return g_strcmp0 (transport, "tcp") == 0 || g_strcmp0 (transport, "rdma") == 0;
}

static char *
canonical_addr (const char *transport, const char *traddr)
{
  g_autoptr (GInetAddress) ip = NULL;

  if (is_ip_transport (transport) && traddr != NULL)
    ip = g_inet_address_new_from_string (traddr);
  return ip != NULL ? g_inet_address_to_string (ip) : g_strdup (traddr != NULL ? traddr : "");
}

static gboolean
addr_equal (const char *transport, const char *a, const char *b)
{
  g_autofree char *ca = canonical_addr (transport, a);
  g_autofree char *cb = canonical_addr (transport, b);

  return g_ascii_strcasecmp (ca, cb) == 0;
}

static gboolean
target_has_address (const StasFakeTarget *t,
                    const char *transport,
                    const char *traddr,
                    const char *trsvcid)
{
  return (transport == NULL || g_strcmp0 (t->transport, transport) == 0) &&
         addr_equal (t->transport, t->traddr, traddr) &&
         g_strcmp0 (t->trsvcid, trsvcid != NULL ? trsvcid : "") == 0;
}

static gboolean
is_dc_nqn (const StasFakeTarget *t, const char *nqn)
{
  return t->has_dc &&
         (g_strcmp0 (nqn, t->dc_nqn) == 0 || g_strcmp0 (nqn, STAS_WELL_KNOWN_DISC_NQN) == 0);
}

static IoSubsys *
find_io (const StasFakeTarget *t, const char *nqn)
{
  for (guint i = 0; i < t->io->len; i++)
    {
      IoSubsys *io = g_ptr_array_index (t->io, i);
      if (g_strcmp0 (io->nqn, nqn) == 0)
        return io;
    }
  return NULL;
}

static const char *
dctype_name (StasFakeDcType dctype)
{
  switch (dctype)
    {
    case STAS_FAKE_DCTYPE_DDC:
      return "ddc";
    case STAS_FAKE_DCTYPE_CDC:
      return "cdc";
    case STAS_FAKE_DCTYPE_NONE:
    default:
      return "none";
    }
}

static const char *
status_text (guint16 status)
{
  switch (status & 0x7ff)
    {
    case 0x1:
      return "Invalid Command Opcode";
    case 0x2:
      return "Invalid Field in Command";
    case 0x6:
      return "Internal Error";
    case 0x109:
      return "Invalid Log Page";
    case 0x182:
      return "Connect Invalid Parameters";
    default:
      return "Unknown status";
    }
}

static GError *
errno_error (int err)
{
  return g_error_new_literal (STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED, g_strerror (err));
}

/* The texts of stas-fabrics-nvme.c: DIM reports the result dword, Get Log Page does not. */
static GError *
status_error (StasFakeOp op, guint16 status)
{
  if (op == STAS_FAKE_OP_DIM)
    return g_error_new (STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NVME_STATUS,
                        "Result:0x0000, Status:0x%04x - %s", status, status_text (status));
  return g_error_new (STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NVME_STATUS, "Status:0x%04x - %s",
                      status, status_text (status));
}

/* ---- records -------------------------------------------------------------------------- */

static void
entry_free (Entry *e)
{
  g_free (e->traddr);
  g_free (e->trsvcid);
  g_free (e->subnqn);
  g_free (e);
}

static Entry *
entry_new (const StasDlpeSpec *spec, gboolean remote)
{
  Entry *e = g_new0 (Entry, 1);

  e->spec = *spec;
  e->traddr = g_strdup (spec->traddr);
  e->trsvcid = g_strdup (spec->trsvcid);
  e->subnqn = g_strdup (spec->subnqn);
  e->spec.traddr = e->traddr;
  e->spec.trsvcid = e->trsvcid;
  e->spec.subnqn = e->subnqn;
  e->spec.tsas = NULL;
  e->remote = remote;
  return e;
}

static void
io_free (IoSubsys *io)
{
  g_free (io->nqn);
  g_free (io);
}

static void
target_free (StasFakeTarget *t)
{
  g_free (t->transport);
  g_free (t->traddr);
  g_free (t->trsvcid);
  g_free (t->dc_nqn);
  g_ptr_array_unref (t->entries);
  g_hash_table_unref (t->registered);
  g_ptr_array_unref (t->io);
  g_free (t);
}

static void
device_free (Device *d)
{
  stas_kernel_ctrl_free (d->kc);
  g_free (d);
}

static void
call_free (StasFakeCall *call)
{
  g_clear_pointer (&call->tid, stas_tid_unref);
  g_free (call->device);
  g_free (call->host_iface);
  g_free ((char *) call->params.dhchap_secret);
  g_free ((char *) call->params.dhchap_ctrl_secret);
  g_free (call->host_key);
  g_free (call);
}

static void
queued_event_free (QueuedEvent *q)
{
  g_clear_pointer (&q->event, stas_uevent_free);
  g_free (q);
}

/* ---- uevents ----------------------------------------------------------------------------- */

static gboolean
on_events_ready (gpointer user_data)
{
  StasFakeFabrics *self = user_data;
  QueuedEvent *q;

  g_object_ref (self);
  g_clear_pointer (&self->events_source, g_source_unref);
  while ((q = g_queue_pop_head (&self->events)) != NULL)
    {
      if (q->overflow)
        g_signal_emit_by_name (self, "overflow");
      else
        g_signal_emit_by_name (self, "uevent", q->event);
      queued_event_free (q);
    }
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
queue_item (StasFakeFabrics *self, QueuedEvent *q)
{
  if (self->monitor_context == NULL || (self->drop_uevents && !q->overflow))
    {
      queued_event_free (q);
      return;
    }
  g_queue_push_tail (&self->events, q);
  if (self->events_source == NULL)
    {
      self->events_source = g_idle_source_new ();
      g_source_set_callback (self->events_source, on_events_ready, self, NULL);
      g_source_attach (self->events_source, self->monitor_context);
    }
}

static void
queue_uevent (StasFakeFabrics *self,
              const StasKernelCtrl *kc,
              StasUeventAction action,
              const char *aen,
              const char *nvme_event)
{
  static const char *const actions[] = { "add", "remove", "change" };
  QueuedEvent *q = g_new0 (QueuedEvent, 1);
  StasUevent *ev = g_new0 (StasUevent, 1);
  GHashTable *p = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  ev->action = action;
  ev->name = g_strdup (kc->name);
  ev->nvme_aen = g_strdup (aen);
  ev->nvme_event = g_strdup (nvme_event);
  g_hash_table_insert (p, g_strdup ("ACTION"), g_strdup (actions[action]));
  g_hash_table_insert (p, g_strdup ("SUBSYSTEM"), g_strdup ("nvme"));
  g_hash_table_insert (p, g_strdup ("DEVNAME"), g_strdup_printf ("/dev/%s", kc->name));
  g_hash_table_insert (p, g_strdup ("NVME_TRTYPE"), g_strdup (kc->transport));
  g_hash_table_insert (p, g_strdup ("NVME_TRADDR"), g_strdup (kc->traddr));
  g_hash_table_insert (p, g_strdup ("NVME_TRSVCID"), g_strdup (kc->trsvcid));
  g_hash_table_insert (p, g_strdup ("NVME_HOST_TRADDR"),
                       g_strdup (empty (kc->host_traddr) ? "none" : kc->host_traddr));
  g_hash_table_insert (p, g_strdup ("NVME_HOST_IFACE"),
                       g_strdup (empty (kc->host_iface) ? "none" : kc->host_iface));
  if (aen != NULL)
    g_hash_table_insert (p, g_strdup ("NVME_AEN"), g_strdup (aen));
  if (nvme_event != NULL)
    g_hash_table_insert (p, g_strdup ("NVME_EVENT"), g_strdup (nvme_event));
  ev->props = p;
  q->event = ev;
  queue_item (self, q);
}

static void
queue_aen (StasFakeFabrics *self, const StasKernelCtrl *kc, guint32 aen)
{
  g_autofree char *text = g_strdup_printf ("0x%06x", aen);

  queue_uevent (self, kc, STAS_UEVENT_CHANGE, text, NULL);
}

/* ---- the device table (under self->lock) -------------------------------------------------- */

static Device *
find_device_locked (StasFakeFabrics *self, const char *name)
{
  for (guint i = 0; i < self->devices->len; i++)
    {
      Device *d = g_ptr_array_index (self->devices, i);
      if (g_strcmp0 (d->kc->name, name) == 0)
        return d;
    }
  return NULL;
}

/* Inserts @kc (name filled in when NULL; instance from the name). FALSE if taken. */
static gboolean
insert_device_locked (StasFakeFabrics *self, StasKernelCtrl *kc)
{
  Device *d;
  guint pos;

  if (kc->name == NULL)
    {
      int instance = 0;
      for (guint i = 0; i < self->devices->len; i++)
        {
          Device *o = g_ptr_array_index (self->devices, i);
          if (o->kc->instance == instance)
            instance++;
          else if (o->kc->instance > instance)
            break;
        }
      kc->instance = instance;
      kc->name = g_strdup_printf ("nvme%d", instance);
    }
  else
    {
      if (find_device_locked (self, kc->name) != NULL)
        return FALSE;
      kc->instance = g_str_has_prefix (kc->name, "nvme") ? atoi (kc->name + 4) : -1;
    }
  for (pos = 0; pos < self->devices->len; pos++)
    {
      Device *o = g_ptr_array_index (self->devices, pos);
      if (o->kc->instance > kc->instance)
        break;
    }
  d = g_new0 (Device, 1);
  d->kc = kc;
  g_ptr_array_insert (self->devices, (gint) pos, d);
  return TRUE;
}

static gboolean
is_fabrics_transport (const char *transport)
{
  return is_ip_transport (transport) || g_strcmp0 (transport, "fc") == 0 ||
         g_strcmp0 (transport, "loop") == 0;
}

/* ---- the fabric ---------------------------------------------------------------------------- */

StasFakeTarget *
stas_fake_fabrics_find_target (StasFakeFabrics *self,
                               const char *transport,
                               const char *traddr,
                               const char *trsvcid)
{
  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self), NULL);

  for (guint i = 0; i < self->targets->len; i++)
    {
      StasFakeTarget *t = g_ptr_array_index (self->targets, i);
      if (target_has_address (t, transport, traddr, trsvcid))
        return t;
    }
  return NULL;
}

StasFakeTarget *
stas_fake_fabrics_add_target (StasFakeFabrics *self,
                              const char *transport,
                              const char *traddr,
                              const char *trsvcid)
{
  StasFakeTarget *t;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self), NULL);
  g_return_val_if_fail (transport != NULL && traddr != NULL, NULL);

  t = stas_fake_fabrics_find_target (self, transport, traddr, trsvcid);
  if (t != NULL)
    return t;
  t = g_new0 (StasFakeTarget, 1);
  t->transport = g_ascii_strdown (transport, -1);
  t->traddr = canonical_addr (t->transport, traddr);
  t->trsvcid = g_strdup (trsvcid != NULL ? trsvcid : "");
  t->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  t->registered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->io = g_ptr_array_new_with_free_func ((GDestroyNotify) io_free);
  g_ptr_array_add (self->targets, t);
  return t;
}

void
stas_fake_fabrics_add_discovery_subsystem (StasFakeFabrics *self,
                                           StasFakeTarget *target,
                                           const char *nqn,
                                           StasFakeDcType dctype)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL);

  target->has_dc = TRUE;
  g_free (target->dc_nqn);
  target->dc_nqn = g_strdup (empty (nqn) ? STAS_WELL_KNOWN_DISC_NQN : nqn);
  target->dctype = dctype;
}

void
stas_fake_fabrics_add_io_subsystem (StasFakeFabrics *self,
                                    StasFakeTarget *target,
                                    const char *nqn,
                                    guint n_namespaces)
{
  IoSubsys *io;

  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL && nqn != NULL);

  io = find_io (target, nqn);
  if (io == NULL)
    {
      io = g_new0 (IoSubsys, 1);
      io->nqn = g_strdup (nqn);
      g_ptr_array_add (target->io, io);
    }
  io->n_namespaces = n_namespaces;
}

void
stas_fake_fabrics_set_log_page_options (StasFakeFabrics *self,
                                        StasFakeTarget *target,
                                        guint32 options)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL);
  target->log_page_options = options;
}

static gboolean
device_is_dc_of (const StasKernelCtrl *kc, const StasFakeTarget *t)
{
  return target_has_address (t, kc->transport, kc->traddr, kc->trsvcid) &&
         is_dc_nqn (t, kc->subsysnqn);
}

/* The DLP changed: new genctr; an AEN to each live DC device whose AEN is not masked. */
static void
dlp_changed (StasFakeFabrics *self, StasFakeTarget *target)
{
  g_autoptr (GPtrArray) notify =
      g_ptr_array_new_with_free_func ((GDestroyNotify) stas_kernel_ctrl_free);

  target->genctr++;
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->devices->len; i++)
    {
      Device *d = g_ptr_array_index (self->devices, i);
      if (device_is_dc_of (d->kc, target) && g_strcmp0 (d->kc->state, "live") == 0 &&
          !d->aen_masked)
        {
          d->aen_masked = TRUE;
          g_ptr_array_add (notify, stas_kernel_ctrl_copy (d->kc));
        }
    }
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < notify->len; i++)
    queue_aen (self, g_ptr_array_index (notify, i), AEN_DLP_CHANGED);
}

void
stas_fake_fabrics_set_dlp (StasFakeFabrics *self,
                           StasFakeTarget *target,
                           const StasDlpeSpec *entries,
                           gsize n_entries)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL);

  g_ptr_array_set_size (target->entries, 0);
  for (gsize i = 0; i < n_entries; i++)
    g_ptr_array_add (target->entries, entry_new (&entries[i], FALSE));
  dlp_changed (self, target);
}

void
stas_fake_fabrics_add_entry (StasFakeFabrics *self,
                             StasFakeTarget *target,
                             const StasDlpeSpec *entry)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL && entry != NULL);

  g_ptr_array_add (target->entries, entry_new (entry, FALSE));
  dlp_changed (self, target);
}

void
stas_fake_fabrics_add_remote_entry (StasFakeFabrics *self,
                                    StasFakeTarget *target,
                                    const StasDlpeSpec *entry)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL && entry != NULL);

  g_ptr_array_add (target->entries, entry_new (entry, TRUE));
  dlp_changed (self, target);
}

guint
stas_fake_fabrics_remove_entries (StasFakeFabrics *self,
                                  StasFakeTarget *target,
                                  const char *traddr,
                                  const char *trsvcid,
                                  const char *subnqn)
{
  guint removed = 0;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL, 0);

  for (guint i = target->entries->len; i-- > 0;)
    {
      Entry *e = g_ptr_array_index (target->entries, i);
      if ((traddr == NULL || g_strcmp0 (e->traddr, traddr) == 0) &&
          (trsvcid == NULL || g_strcmp0 (e->trsvcid, trsvcid) == 0) &&
          (subnqn == NULL || g_strcmp0 (e->subnqn, subnqn) == 0))
        {
          g_ptr_array_remove_index (target->entries, i);
          removed++;
        }
    }
  if (removed > 0)
    dlp_changed (self, target);
  return removed;
}

guint64
stas_fake_fabrics_get_genctr (StasFakeFabrics *self, StasFakeTarget *target)
{
  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL, 0);
  return target->genctr;
}

gboolean
stas_fake_fabrics_is_registered (StasFakeFabrics *self,
                                 StasFakeTarget *target,
                                 const char *host_nqn)
{
  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL, FALSE);
  return g_hash_table_contains (target->registered, host_nqn);
}

/* ---- failure injection ------------------------------------------------------------------ */

void
stas_fake_fabrics_fail_errno (
    StasFakeFabrics *self, StasFakeTarget *target, StasFakeOp op, int err, guint count)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL && op < STAS_FAKE_N_OPS);
  target->failures[op] = (Failure){ .is_status = FALSE, .err = err, .remaining = count };
}

void
stas_fake_fabrics_fail_status (
    StasFakeFabrics *self, StasFakeTarget *target, StasFakeOp op, guint16 status, guint count)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL && op < STAS_FAKE_N_OPS);
  target->failures[op] = (Failure){ .is_status = TRUE, .status = status, .remaining = count };
}

void
stas_fake_fabrics_fail_connect (StasFakeFabrics *self, StasFakeTarget *target, int err, guint count)
{
  stas_fake_fabrics_fail_errno (self, target, STAS_FAKE_OP_CONNECT, err, count);
}

void
stas_fake_fabrics_set_delay (StasFakeFabrics *self, StasFakeTarget *target, StasFakeOp op, guint ms)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL && op < STAS_FAKE_N_OPS);
  target->delays[op] = ms;
}

void
stas_fake_fabrics_set_genctr_churn (StasFakeFabrics *self, StasFakeTarget *target, guint reads)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL);
  target->churn = reads;
}

/* The injected failure of the next @op on @target, if any (consumes one). */
static GError *
take_failure (StasFakeTarget *target, StasFakeOp op)
{
  Failure *f;

  if (target == NULL)
    return NULL;
  f = &target->failures[op];
  if (f->remaining == 0)
    return NULL;
  if (f->remaining != STAS_FAKE_FOREVER)
    f->remaining--;
  if (f->is_status)
    return status_error (op, f->status);
  if (op == STAS_FAKE_OP_DIM && (f->err == ENOTSUP || f->err == EOPNOTSUPP || f->err == EINVAL))
    return g_error_new (STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NOT_APPLICABLE, "Status:%d - %s",
                        f->err, g_strerror (f->err));
  return errno_error (f->err);
}

/* ---- connect ---------------------------------------------------------------------------- */

typedef struct
{
  const StasTid *tid;
  gboolean discovery;
  const char *host_iface; /* passed to the kernel, or NULL */
} ConnectArgs;

static char *
fake_serial (const StasFakeTarget *t, const char *nqn)
{
  g_autofree char *key = g_strdup_printf ("%s/%s/%s/%s", t->transport, t->traddr, t->trsvcid, nqn);

  return g_strdup_printf ("fake%08x", g_str_hash (key));
}

/* The kernel's side of a connect (nvmf_add_ctrl): the new device's name (owned by the
 * table) or NULL. Queues the uevents. */
static char *
kernel_connect (StasFakeFabrics *self, const ConnectArgs *args, GError **error)
{
  const StasTid *tid = args->tid;
  const char *transport = stas_tid_get_transport (tid);
  const char *nqn = stas_tid_get_subsysnqn (tid);
  StasFakeTarget *t = stas_fake_fabrics_find_target (self, transport, stas_tid_get_traddr (tid),
                                                     stas_tid_get_trsvcid (tid));
  IoSubsys *io = NULL;
  gboolean dc;
  StasKernelCtrl *kc;
  g_autoptr (StasKernelCtrl) copy = NULL;

  if (t == NULL)
    {
      g_propagate_error (error, errno_error (ECONNREFUSED));
      return NULL;
    }
  dc = is_dc_nqn (t, nqn) || (args->discovery && empty (nqn) && t->has_dc);
  if (!dc && (io = find_io (t, nqn)) == NULL)
    {
      g_propagate_error (error, errno_error (EIO));
      return NULL;
    }

  kc = g_new0 (StasKernelCtrl, 1);
  kc->transport = g_strdup (transport);
  kc->traddr = g_strdup (stas_tid_get_traddr (tid));
  kc->trsvcid = g_strdup (stas_tid_get_trsvcid (tid));
  kc->host_traddr = g_strdup (stas_tid_get_host_traddr (tid));
  kc->host_iface = g_strdup (args->host_iface != NULL ? args->host_iface : "");
  kc->src_addr =
      g_strdup (self->caps.src_addr && is_ip_transport (transport) ? kc->host_traddr : "");
  kc->subsysnqn = g_strdup (dc ? t->dc_nqn : io->nqn);
  kc->hostnqn = g_strdup (stas_tid_get_host_nqn (tid));
  kc->hostid = g_strdup (stas_tid_get_host_id (tid));
  kc->cntrltype = g_strdup (!self->caps.cntrltype ? "" : dc ? "discovery" : "io");
  kc->dctype =
      g_strdup (!self->caps.cntrltype ? "" : dctype_name (dc ? t->dctype : STAS_FAKE_DCTYPE_NONE));
  kc->state = g_strdup ("live");
  kc->model = g_strdup ("stas fake");
  kc->serial = fake_serial (t, kc->subsysnqn);
  kc->has_namespaces = !dc && io->n_namespaces > 0;

  g_mutex_lock (&self->lock);
  if (!dc)
    for (guint i = 0; i < self->devices->len; i++)
      {
        const StasKernelCtrl *o = ((Device *) g_ptr_array_index (self->devices, i))->kc;
        /* the kernel refuses a duplicate I/O connection (no duplicate_connect) */
        /* (the address comparison, which parses both, last: it dominated a 1000-IOC start) */
        if (g_strcmp0 (o->subsysnqn, kc->subsysnqn) == 0 &&
            g_strcmp0 (o->transport, kc->transport) == 0 &&
            g_strcmp0 (o->trsvcid, kc->trsvcid) == 0 && g_strcmp0 (o->hostnqn, kc->hostnqn) == 0 &&
            g_strcmp0 (o->host_traddr, kc->host_traddr) == 0 &&
            g_strcmp0 (o->host_iface, kc->host_iface) == 0 &&
            !g_str_has_prefix (o->state, "deleting") && g_strcmp0 (o->state, "dead") != 0 &&
            addr_equal (o->transport, o->traddr, kc->traddr))
          {
            g_mutex_unlock (&self->lock);
            stas_kernel_ctrl_free (kc);
            g_propagate_error (error, errno_error (EALREADY));
            return NULL;
          }
      }
  insert_device_locked (self, kc);
  copy = stas_kernel_ctrl_copy (kc);
  g_mutex_unlock (&self->lock);

  queue_uevent (self, copy, STAS_UEVENT_ADD, NULL, NULL);
  if (self->caps.cntrltype)
    queue_uevent (self, copy, STAS_UEVENT_CHANGE, NULL, "connected");
  return g_strdup (copy->name);
}

const char *
stas_fake_fabrics_connect_external (StasFakeFabrics *self,
                                    const StasTid *tid,
                                    gboolean discovery,
                                    GError **error)
{
  const char *iface = stas_tid_get_host_iface (tid);
  ConnectArgs args = { .tid = tid,
                       .discovery = discovery,
                       .host_iface = empty (iface) || !self->caps.host_iface ? NULL : iface };
  g_autofree char *name = NULL;
  const char *result = NULL;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self) && tid != NULL, NULL);

  name = kernel_connect (self, &args, error);
  if (name == NULL)
    return NULL;
  g_mutex_lock (&self->lock);
  result = find_device_locked (self, name)->kc->name;
  g_mutex_unlock (&self->lock);
  return result;
}

/* ---- devices ----------------------------------------------------------------------------- */

const char *
stas_fake_fabrics_add_device (StasFakeFabrics *self, const StasKernelCtrl *f)
{
  StasKernelCtrl *kc;
  StasFakeTarget *t;
  gboolean dc;
  g_autoptr (StasKernelCtrl) copy = NULL;
  const char *name;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self) && f != NULL, NULL);

  kc = g_new0 (StasKernelCtrl, 1);
  kc->name = g_strdup (f->name);
  kc->transport = g_strdup (f->transport != NULL ? f->transport : "");
  kc->traddr = g_strdup (f->traddr != NULL ? f->traddr : "");
  kc->trsvcid = g_strdup (f->trsvcid != NULL ? f->trsvcid : "");
  kc->host_traddr = g_strdup (f->host_traddr != NULL ? f->host_traddr : "");
  kc->host_iface = g_strdup (f->host_iface != NULL ? f->host_iface : "");
  kc->src_addr = g_strdup (f->src_addr != NULL ? f->src_addr : "");
  kc->subsysnqn = g_strdup (f->subsysnqn != NULL ? f->subsysnqn : "");
  kc->hostnqn = g_strdup (f->hostnqn != NULL ? f->hostnqn : "");
  kc->hostid = g_strdup (f->hostid != NULL ? f->hostid : "");
  kc->state = g_strdup (f->state != NULL ? f->state : "live");
  kc->model = g_strdup (f->model != NULL ? f->model : "");
  kc->serial = g_strdup (f->serial != NULL ? f->serial : "");
  kc->has_namespaces = f->has_namespaces;

  t = stas_fake_fabrics_find_target (self, kc->transport, kc->traddr, kc->trsvcid);
  dc = t != NULL ? is_dc_nqn (t, kc->subsysnqn)
                 : g_strcmp0 (kc->subsysnqn, STAS_WELL_KNOWN_DISC_NQN) == 0;
  if (f->cntrltype != NULL)
    kc->cntrltype = g_strdup (f->cntrltype);
  else
    kc->cntrltype = g_strdup (!self->caps.cntrltype ? "" : dc ? "discovery" : "io");
  if (f->dctype != NULL)
    kc->dctype = g_strdup (f->dctype);
  else
    kc->dctype = g_strdup (!self->caps.cntrltype
                               ? ""
                               : dctype_name (dc && t != NULL ? t->dctype : STAS_FAKE_DCTYPE_NONE));

  g_mutex_lock (&self->lock);
  if (!insert_device_locked (self, kc))
    {
      g_mutex_unlock (&self->lock);
      stas_kernel_ctrl_free (kc);
      return NULL;
    }
  copy = stas_kernel_ctrl_copy (kc);
  name = kc->name;
  g_mutex_unlock (&self->lock);

  queue_uevent (self, copy, STAS_UEVENT_ADD, NULL, NULL);
  return name;
}

/* Takes device @name out of the table; its last view, or NULL. Queues "remove". */
static StasKernelCtrl *
kernel_remove (StasFakeFabrics *self, const char *name)
{
  StasKernelCtrl *kc = NULL;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->devices->len; i++)
    {
      Device *d = g_ptr_array_index (self->devices, i);
      if (g_strcmp0 (d->kc->name, name) == 0)
        {
          kc = g_steal_pointer (&d->kc);
          g_ptr_array_remove_index (self->devices, i);
          break;
        }
    }
  g_mutex_unlock (&self->lock);
  if (kc != NULL)
    queue_uevent (self, kc, STAS_UEVENT_REMOVE, NULL, NULL);
  return kc;
}

gboolean
stas_fake_fabrics_remove_device (StasFakeFabrics *self, const char *name)
{
  g_autoptr (StasKernelCtrl) kc = NULL;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self), FALSE);
  kc = kernel_remove (self, name);
  return kc != NULL;
}

gboolean
stas_fake_fabrics_set_device_state (StasFakeFabrics *self, const char *name, const char *state)
{
  Device *d;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self) && state != NULL, FALSE);
  g_mutex_lock (&self->lock);
  d = find_device_locked (self, name);
  if (d != NULL)
    {
      g_free (d->kc->state);
      d->kc->state = g_strdup (state);
    }
  g_mutex_unlock (&self->lock);
  return d != NULL;
}

gboolean
stas_fake_fabrics_reconnect_device (StasFakeFabrics *self, const char *name)
{
  g_autoptr (StasKernelCtrl) copy = NULL;
  Device *d;
  gboolean dc;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self), FALSE);
  g_mutex_lock (&self->lock);
  d = find_device_locked (self, name);
  if (d != NULL)
    {
      g_free (d->kc->state);
      d->kc->state = g_strdup ("live");
      d->aen_masked = FALSE; /* a new association */
      copy = stas_kernel_ctrl_copy (d->kc);
    }
  g_mutex_unlock (&self->lock);
  if (copy == NULL)
    return FALSE;
  dc = g_strcmp0 (copy->cntrltype, "discovery") == 0 ||
       g_strcmp0 (copy->subsysnqn, STAS_WELL_KNOWN_DISC_NQN) == 0;
  for (guint i = 0; !dc && i < self->targets->len; i++)
    dc = device_is_dc_of (copy, g_ptr_array_index (self->targets, i));
  if (self->caps.cntrltype)
    queue_uevent (self, copy, STAS_UEVENT_CHANGE, NULL, "connected");
  if (dc && self->caps.src_addr)
    queue_uevent (self, copy, STAS_UEVENT_CHANGE, NULL, "rediscover");
  return TRUE;
}

gboolean
stas_fake_fabrics_has_device (StasFakeFabrics *self, const char *name)
{
  gboolean found;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self), FALSE);
  g_mutex_lock (&self->lock);
  found = find_device_locked (self, name) != NULL;
  g_mutex_unlock (&self->lock);
  return found;
}

StasKernelCtrl *
stas_fake_fabrics_get_device (StasFakeFabrics *self, const char *name)
{
  StasKernelCtrl *copy = NULL;
  Device *d;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self), NULL);
  g_mutex_lock (&self->lock);
  d = find_device_locked (self, name);
  if (d != NULL)
    copy = stas_kernel_ctrl_copy (d->kc);
  g_mutex_unlock (&self->lock);
  return copy;
}

GStrv
stas_fake_fabrics_list_devices (StasFakeFabrics *self)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self), NULL);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->devices->len; i++)
    g_strv_builder_add (b, ((Device *) g_ptr_array_index (self->devices, i))->kc->name);
  g_mutex_unlock (&self->lock);
  return g_strv_builder_end (b);
}

/* ---- uevents (domain) --------------------------------------------------------------------- */

void
stas_fake_fabrics_emit_aen (StasFakeFabrics *self, const char *name, guint32 aen)
{
  g_autoptr (StasKernelCtrl) kc = NULL;

  g_return_if_fail (STAS_IS_FAKE_FABRICS (self));
  kc = stas_fake_fabrics_get_device (self, name);
  if (kc == NULL)
    {
      g_critical ("fake fabrics: emit_aen: no device %s", name);
      return;
    }
  queue_aen (self, kc, aen);
}

void
stas_fake_fabrics_emit_uevent (StasFakeFabrics *self, const StasUevent *event)
{
  QueuedEvent *q;

  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && event != NULL);
  q = g_new0 (QueuedEvent, 1);
  q->event = stas_uevent_copy (event);
  queue_item (self, q);
}

void
stas_fake_fabrics_set_drop_uevents (StasFakeFabrics *self, gboolean drop)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self));
  self->drop_uevents = drop;
}

void
stas_fake_fabrics_overflow (StasFakeFabrics *self)
{
  QueuedEvent *q;

  g_return_if_fail (STAS_IS_FAKE_FABRICS (self));
  q = g_new0 (QueuedEvent, 1);
  q->overflow = TRUE;
  queue_item (self, q);
}

/* ---- kernel settings and calls -------------------------------------------------------------- */

void
stas_fake_fabrics_set_kernel_available (StasFakeFabrics *self, gboolean available)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self));
  self->kernel_available = available;
}

void
stas_fake_fabrics_set_kernel_caps (StasFakeFabrics *self, const StasKernelCaps *caps)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && caps != NULL);
  self->caps = *caps;
}

void
stas_fake_fabrics_set_library_version (StasFakeFabrics *self, const char *version)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self) && version != NULL);
  g_free (self->library_version);
  self->library_version = g_strdup (version);
}

GPtrArray *
stas_fake_fabrics_get_calls (StasFakeFabrics *self)
{
  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self), NULL);
  return self->calls;
}

guint
stas_fake_fabrics_count_calls (StasFakeFabrics *self, StasFakeOp op, const char *device)
{
  guint n = 0;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self), 0);
  for (guint i = 0; i < self->calls->len; i++)
    {
      const StasFakeCall *c = g_ptr_array_index (self->calls, i);
      if (c->op == op && (device == NULL || g_strcmp0 (c->device, device) == 0))
        n++;
    }
  return n;
}

const StasFakeCall *
stas_fake_fabrics_get_last_call (StasFakeFabrics *self, StasFakeOp op)
{
  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self), NULL);
  for (guint i = self->calls->len; i-- > 0;)
    {
      const StasFakeCall *c = g_ptr_array_index (self->calls, i);
      if (c->op == op)
        return c;
    }
  return NULL;
}

void
stas_fake_fabrics_clear_calls (StasFakeFabrics *self)
{
  g_return_if_fail (STAS_IS_FAKE_FABRICS (self));
  g_ptr_array_set_size (self->calls, 0);
}

guint
stas_fake_fabrics_count_ctrls (StasFakeFabrics *self)
{
  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self), 0);
  return self->n_ctrls;
}

guint
stas_fake_fabrics_count_pending (StasFakeFabrics *self)
{
  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self), 0);
  return self->n_pending;
}

/* ---- StasFabricsCtrl ------------------------------------------------------------------------ */

/* What reaches the kernel [CONN-2]: tcp, asked for, and supported by the kernel. */
static const char *
passed_host_iface (StasFakeFabrics *self, StasFabricsCtrl *ctrl)
{
  const char *iface = stas_tid_get_host_iface (ctrl->tid);

  if (!ctrl->pass_host_iface || !self->caps.host_iface || empty (iface) ||
      g_strcmp0 (stas_tid_get_transport (ctrl->tid), "tcp") != 0)
    return NULL;
  return iface;
}

static StasFabricsCtrl *
fake_ctrl_new (StasFabrics *fabrics, const StasConnectRequest *request)
{
  StasFakeFabrics *self = STAS_FAKE_FABRICS (fabrics);
  StasFabricsCtrl *ctrl = g_new0 (StasFabricsCtrl, 1);

  ctrl->tid = stas_tid_ref (request->tid);
  ctrl->discovery = request->discovery;
  ctrl->pass_host_iface = request->pass_host_iface;
  ctrl->params = request->params;
  ctrl->dhchap_secret = g_strdup (request->params.dhchap_secret);
  ctrl->dhchap_ctrl_secret = g_strdup (request->params.dhchap_ctrl_secret);
  ctrl->params.dhchap_secret = ctrl->dhchap_secret;
  ctrl->params.dhchap_ctrl_secret = ctrl->dhchap_ctrl_secret;
  ctrl->host_key = g_strdup (request->host_key);
  ctrl->symname = g_strdup (request->symname);
  self->n_ctrls++;
  return ctrl;
}

static void
ctrl_destroy (StasFabricsCtrl *ctrl)
{
  stas_tid_unref (ctrl->tid);
  g_free (ctrl->dhchap_secret);
  g_free (ctrl->dhchap_ctrl_secret);
  g_free (ctrl->host_key);
  g_free (ctrl->symname);
  g_free (ctrl->device);
  g_free (ctrl);
}

static void
fake_ctrl_free (StasFabrics *fabrics, StasFabricsCtrl *ctrl)
{
  StasFakeFabrics *self = STAS_FAKE_FABRICS (fabrics);

  if (ctrl == NULL)
    return;
  self->n_ctrls--;
  if (ctrl->busy)
    {
      g_critical ("fake fabrics: [ARCH-4] %s freed with an operation in flight",
                  stas_tid_to_string (ctrl->tid));
      ctrl->freed = TRUE;
      return;
    }
  ctrl_destroy (ctrl);
}

static void
fake_set_log_level (StasFabrics *fabrics, StasFabricsCtrl *ctrl, gboolean tron)
{
  ctrl->tron = tron;
}

/* ---- operations ------------------------------------------------------------------------------ */

static void
op_data_free (OpData *d)
{
  g_free (d->device);
  g_free (d);
}

static void
record_call (StasFakeFabrics *self, const OpData *d)
{
  StasFakeCall *c = g_new0 (StasFakeCall, 1);
  StasFabricsCtrl *ctrl = d->ctrl;

  c->op = d->op;
  c->tid = stas_tid_ref (ctrl->tid);
  c->device = g_strdup (d->op == STAS_FAKE_OP_ADOPT ? d->device : ctrl->device);
  c->lsp = d->lsp;
  c->tas = d->tas;
  if (d->op == STAS_FAKE_OP_CONNECT)
    {
      c->discovery = ctrl->discovery;
      c->host_iface = g_strdup (passed_host_iface (self, ctrl));
      c->params = ctrl->params;
      c->params.dhchap_secret = g_strdup (ctrl->dhchap_secret);
      c->params.dhchap_ctrl_secret = g_strdup (ctrl->dhchap_ctrl_secret);
      c->host_key = g_strdup (ctrl->host_key);
    }
  else
    {
      c->params.dhchap_secret = NULL;
      c->params.dhchap_ctrl_secret = NULL;
    }
  g_ptr_array_add (self->calls, c);
}

static gboolean on_op_ready (gpointer user_data);

static void
schedule_completion (GTask *task, guint ms)
{
  GSource *source = ms > 0 ? g_timeout_source_new (ms) : g_idle_source_new ();

  g_source_set_callback (source, on_op_ready, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

/* The "worker" starts: cancelled before → CANCELLED, no effect; else the blocking part runs
 * for the target's delay (or until released) and its real result is reported. */
static gboolean
on_op_start (gpointer user_data)
{
  GTask *task = user_data;
  StasFakeFabrics *self = g_task_get_source_object (task);
  OpData *d = g_task_get_task_data (task);
  guint delay = d->target != NULL ? d->target->delays[d->op] : 0;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)) && !d->ctrl->freed)
    {
      d->ctrl->busy = FALSE;
      self->n_pending--;
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
    }
  else if (delay == STAS_FAKE_HOLD)
    g_ptr_array_add (self->held, g_object_ref (task));
  else if (delay > 0)
    schedule_completion (task, delay);
  else
    on_op_ready (task);
  return G_SOURCE_REMOVE;
}

/* Starts an operation: checks [ARCH-3], records the call, schedules its start. */
static void
start_op (StasFakeFabrics *self,
          StasFabricsCtrl *ctrl,
          OpData *d,
          GCancellable *cancellable,
          GAsyncReadyCallback callback,
          gpointer user_data,
          gpointer source_tag)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GSource *source;

  g_task_set_source_tag (task, source_tag);
  g_task_set_check_cancellable (task, FALSE);
  d->ctrl = ctrl;
  d->target = stas_fake_fabrics_find_target (self, stas_tid_get_transport (ctrl->tid),
                                             stas_tid_get_traddr (ctrl->tid),
                                             stas_tid_get_trsvcid (ctrl->tid));
  g_task_set_task_data (task, d, (GDestroyNotify) op_data_free);
  if (ctrl->busy)
    g_critical ("fake fabrics: [ARCH-3] %s: %s while another operation is in flight",
                stas_tid_to_string (ctrl->tid), stas_fake_op_to_string (d->op));
  ctrl->busy = TRUE;
  record_call (self, d);
  self->n_pending++;

  source = g_idle_source_new ();
  g_source_set_callback (source, on_op_start, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

guint
stas_fake_fabrics_release (StasFakeFabrics *self, StasFakeTarget *target, StasFakeOp op)
{
  guint n = 0;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self) && target != NULL, 0);

  if (target->delays[op] == STAS_FAKE_HOLD)
    target->delays[op] = 0;
  for (guint i = 0; i < self->held->len;)
    {
      GTask *task = g_ptr_array_index (self->held, i);
      OpData *d = g_task_get_task_data (task);
      if (d->target == target && d->op == op)
        {
          schedule_completion (task, 0);
          g_ptr_array_remove_index (self->held, i); /* drops the held reference */
          n++;
        }
      else
        i++;
    }
  return n;
}

/* The live device of @ctrl and the target DC it belongs to (NULL when the device is an
 * I/O controller or its target is unknown). */
static gboolean
ctrl_device (StasFakeFabrics *self,
             StasFabricsCtrl *ctrl,
             Device **device,
             StasFakeTarget **dc_target,
             GError **error)
{
  Device *d;

  *dc_target = NULL;
  if (ctrl->device == NULL)
    {
      g_set_error_literal (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED,
                           "Not connected to a controller");
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  d = find_device_locked (self, ctrl->device);
  g_mutex_unlock (&self->lock);
  if (d == NULL || g_strcmp0 (d->kc->state, "live") != 0)
    {
      g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED, "/dev/%s: %s",
                   ctrl->device, g_strerror (d == NULL ? ENODEV : ENOTCONN));
      return FALSE;
    }
  for (guint i = 0; i < self->targets->len; i++)
    {
      StasFakeTarget *t = g_ptr_array_index (self->targets, i);
      if (device_is_dc_of (d->kc, t))
        *dc_target = t;
    }
  *device = d;
  return TRUE;
}

static void
complete_connect (StasFakeFabrics *self, GTask *task, OpData *d)
{
  GError *error = take_failure (d->target, d->op);
  ConnectArgs args = { .tid = d->ctrl->tid,
                       .discovery = d->ctrl->discovery,
                       .host_iface = passed_host_iface (self, d->ctrl) };
  char *name = NULL;

  if (error == NULL)
    name = kernel_connect (self, &args, &error);
  if (name == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_free (d->ctrl->device);
  d->ctrl->device = g_strdup (name);
  g_task_return_pointer (task, name, g_free);
}

static void
complete_adopt (StasFakeFabrics *self, GTask *task, OpData *d)
{
  GError *error = take_failure (d->target, d->op);

  if (error == NULL && !stas_fake_fabrics_has_device (self, d->device))
    error = g_error_new (STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NO_DEVICE, "%s: %s", d->device,
                         g_strerror (ENODEV));
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_free (d->ctrl->device);
  d->ctrl->device = g_strdup (d->device);
  g_task_return_pointer (task, g_strdup (d->device), g_free);
}

static void
complete_disconnect (StasFakeFabrics *self, GTask *task, OpData *d)
{
  GError *error = take_failure (d->target, d->op);
  g_autoptr (StasKernelCtrl) kc = NULL;

  if (error == NULL && d->ctrl->device == NULL)
    error = g_error_new_literal (STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED,
                                 "Not connected to a controller");
  else if (error == NULL)
    {
      kc = kernel_remove (self, d->ctrl->device);
      if (kc == NULL)
        error = errno_error (ENODEV);
      g_clear_pointer (&d->ctrl->device, g_free);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
complete_registration_supported (StasFakeFabrics *self, GTask *task, OpData *d)
{
  GError *error = take_failure (d->target, d->op);
  Device *dev = NULL;
  StasFakeTarget *dc = NULL;

  /* a device that is gone or not live fails Identify: "not supported", as libnvme says */
  if (error == NULL && !ctrl_device (self, d->ctrl, &dev, &dc, &error) && d->ctrl->device != NULL)
    g_clear_error (&error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, dc != NULL && dc->dctype != STAS_FAKE_DCTYPE_NONE);
}

static void
complete_dim (StasFakeFabrics *self, GTask *task, OpData *d)
{
  GError *error = take_failure (d->target, d->op);
  Device *dev = NULL;
  StasFakeTarget *dc = NULL;

  if (error == NULL && ctrl_device (self, d->ctrl, &dev, &dc, &error) &&
      (dc == NULL || dc->dctype == STAS_FAKE_DCTYPE_NONE))
    error = status_error (STAS_FAKE_OP_DIM, STATUS_INVALID_OPCODE);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (d->tas == STAS_DIM_DEREGISTER)
    g_hash_table_remove (dc->registered, stas_tid_get_host_nqn (d->ctrl->tid));
  else
    g_hash_table_add (dc->registered, g_strdup (stas_tid_get_host_nqn (d->ctrl->tid)));
  g_task_return_boolean (task, TRUE);
}

static void
complete_supported_log_pages (StasFakeFabrics *self, GTask *task, OpData *d)
{
  GError *error = take_failure (d->target, d->op);
  Device *dev = NULL;
  StasFakeTarget *dc = NULL;
  guint32 *options;

  if (error == NULL)
    ctrl_device (self, d->ctrl, &dev, &dc, &error); /* sets @error on failure */
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  options = g_new (guint32, 1);
  *options = dc != NULL ? dc->log_page_options : 0;
  g_task_return_pointer (task, options, g_free);
}

/* The whole retrieval procedure (behaviour §5.6) against the DC's current log. */
static void
complete_get_discovery_log (StasFakeFabrics *self, GTask *task, OpData *d)
{
  GError *error = take_failure (d->target, d->op);
  Device *dev = NULL;
  StasFakeTarget *dc = NULL;
  g_autoptr (GArray) specs = NULL;

  if (error == NULL && ctrl_device (self, d->ctrl, &dev, &dc, &error) && dc == NULL)
    error = status_error (STAS_FAKE_OP_GET_DISCOVERY_LOG, STATUS_INVALID_LOG_PAGE);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_mutex_lock (&self->lock);
  dev->aen_masked = FALSE; /* RAE=0: the DC re-arms the DLP change AEN */
  g_mutex_unlock (&self->lock);

  specs = g_array_new (FALSE, FALSE, sizeof (StasDlpeSpec));
  for (guint i = 0; i < dc->entries->len; i++)
    {
      const Entry *e = g_ptr_array_index (dc->entries, i);
      if (!(e->remote && (d->lsp & LSP_PLEO)))
        g_array_append_val (specs, e->spec);
    }
  if (specs->len > STAS_MAX_DLP_RECORDS)
    {
      g_task_return_new_error (task, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_TOO_LARGE,
                               "Discovery log page too large (%u records)", specs->len);
      return;
    }
  for (guint attempt = 0; attempt < STAS_DLP_GENCTR_RETRIES; attempt++)
    {
      if (dc->churn > 0)
        {
          dc->churn--;
          dc->genctr++;
          continue;
        }
      g_task_return_pointer (
          task, stas_dlp_build_page (dc->genctr, (const StasDlpeSpec *) specs->data, specs->len),
          (GDestroyNotify) stas_dlp_raw_free);
      return;
    }
  g_task_return_new_error (task, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_GENCTR, "genctr mismatch");
}

static gboolean
on_op_ready (gpointer user_data)
{
  GTask *task = user_data;
  StasFakeFabrics *self = g_task_get_source_object (task);
  OpData *d = g_task_get_task_data (task);
  StasFabricsCtrl *ctrl = d->ctrl;
  gboolean freed = ctrl->freed;

  ctrl->busy = FALSE;
  self->n_pending--;
  if (freed)
    {
      /* nobody owns the handle any more: finish quietly */
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "handle freed");
      ctrl_destroy (ctrl);
      return G_SOURCE_REMOVE;
    }
  switch (d->op)
    {
    case STAS_FAKE_OP_CONNECT:
      complete_connect (self, task, d);
      break;
    case STAS_FAKE_OP_ADOPT:
      complete_adopt (self, task, d);
      break;
    case STAS_FAKE_OP_DISCONNECT:
      complete_disconnect (self, task, d);
      break;
    case STAS_FAKE_OP_REGISTRATION_SUPPORTED:
      complete_registration_supported (self, task, d);
      break;
    case STAS_FAKE_OP_DIM:
      complete_dim (self, task, d);
      break;
    case STAS_FAKE_OP_SUPPORTED_LOG_PAGES:
      complete_supported_log_pages (self, task, d);
      break;
    case STAS_FAKE_OP_GET_DISCOVERY_LOG:
    case STAS_FAKE_N_OPS:
    default:
      complete_get_discovery_log (self, task, d);
      break;
    }
  return G_SOURCE_REMOVE;
}

static OpData *
op_data_new (StasFakeOp op)
{
  OpData *d = g_new0 (OpData, 1);

  d->op = op;
  return d;
}

static void
fake_connect_async (StasFabrics *fabrics,
                    StasFabricsCtrl *ctrl,
                    GCancellable *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer user_data)
{
  start_op (STAS_FAKE_FABRICS (fabrics), ctrl, op_data_new (STAS_FAKE_OP_CONNECT), cancellable,
            callback, user_data, fake_connect_async);
}

static char *
fake_connect_finish (StasFabrics *fabrics, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, fabrics), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
fake_adopt_async (StasFabrics *fabrics,
                  StasFabricsCtrl *ctrl,
                  const char *device,
                  GCancellable *cancellable,
                  GAsyncReadyCallback callback,
                  gpointer user_data)
{
  OpData *d = op_data_new (STAS_FAKE_OP_ADOPT);

  d->device = g_strdup (device);
  start_op (STAS_FAKE_FABRICS (fabrics), ctrl, d, cancellable, callback, user_data,
            fake_adopt_async);
}

static char *
fake_adopt_finish (StasFabrics *fabrics, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, fabrics), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
fake_disconnect_async (StasFabrics *fabrics,
                       StasFabricsCtrl *ctrl,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data)
{
  start_op (STAS_FAKE_FABRICS (fabrics), ctrl, op_data_new (STAS_FAKE_OP_DISCONNECT), cancellable,
            callback, user_data, fake_disconnect_async);
}

static gboolean
fake_boolean_finish (StasFabrics *fabrics, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, fabrics), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
fake_registration_supported_async (StasFabrics *fabrics,
                                   StasFabricsCtrl *ctrl,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  start_op (STAS_FAKE_FABRICS (fabrics), ctrl, op_data_new (STAS_FAKE_OP_REGISTRATION_SUPPORTED),
            cancellable, callback, user_data, fake_registration_supported_async);
}

static void
fake_dim_async (StasFabrics *fabrics,
                StasFabricsCtrl *ctrl,
                StasDimTas tas,
                GCancellable *cancellable,
                GAsyncReadyCallback callback,
                gpointer user_data)
{
  OpData *d = op_data_new (STAS_FAKE_OP_DIM);

  d->tas = tas;
  start_op (STAS_FAKE_FABRICS (fabrics), ctrl, d, cancellable, callback, user_data, fake_dim_async);
}

static void
fake_supported_log_pages_async (StasFabrics *fabrics,
                                StasFabricsCtrl *ctrl,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  start_op (STAS_FAKE_FABRICS (fabrics), ctrl, op_data_new (STAS_FAKE_OP_SUPPORTED_LOG_PAGES),
            cancellable, callback, user_data, fake_supported_log_pages_async);
}

static gboolean
fake_supported_log_pages_finish (StasFabrics *fabrics,
                                 GAsyncResult *result,
                                 guint32 *options,
                                 GError **error)
{
  g_autofree guint32 *value = NULL;

  g_return_val_if_fail (g_task_is_valid (result, fabrics), FALSE);
  value = g_task_propagate_pointer (G_TASK (result), error);
  if (value == NULL)
    return FALSE;
  if (options != NULL)
    *options = *value;
  return TRUE;
}

static void
fake_get_discovery_log_async (StasFabrics *fabrics,
                              StasFabricsCtrl *ctrl,
                              guint8 lsp,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  OpData *d = op_data_new (STAS_FAKE_OP_GET_DISCOVERY_LOG);

  d->lsp = lsp;
  start_op (STAS_FAKE_FABRICS (fabrics), ctrl, d, cancellable, callback, user_data,
            fake_get_discovery_log_async);
}

static StasDlpRaw *
fake_get_discovery_log_finish (StasFabrics *fabrics, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, fabrics), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the kernel side of the interface ------------------------------------------------------ */

static gboolean
fake_check_kernel (StasFabrics *fabrics, GError **error)
{
  StasFakeFabrics *self = STAS_FAKE_FABRICS (fabrics);

  if (!self->kernel_available)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "/dev/nvme-fabrics: No such file or directory (fake)");
      return FALSE;
    }
  return TRUE;
}

static char *
fake_get_library_version (StasFabrics *fabrics)
{
  return g_strdup (STAS_FAKE_FABRICS (fabrics)->library_version);
}

static void
fake_get_kernel_caps (StasFabrics *fabrics, StasKernelCaps *caps)
{
  *caps = STAS_FAKE_FABRICS (fabrics)->caps;
}

static GPtrArray *
fake_scan_controllers (StasFabrics *fabrics, GError **error)
{
  StasFakeFabrics *self = STAS_FAKE_FABRICS (fabrics);
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_kernel_ctrl_free);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->devices->len; i++)
    {
      const Device *d = g_ptr_array_index (self->devices, i);
      if (is_fabrics_transport (d->kc->transport))
        g_ptr_array_add (list, stas_kernel_ctrl_copy (d->kc));
    }
  g_mutex_unlock (&self->lock);
  return list;
}

static StasKernelCtrl *
fake_read_controller (StasFabrics *fabrics, const char *name)
{
  StasFakeFabrics *self = STAS_FAKE_FABRICS (fabrics);
  StasKernelCtrl *copy = NULL;
  Device *d;

  g_mutex_lock (&self->lock);
  d = find_device_locked (self, name);
  if (d != NULL && is_fabrics_transport (d->kc->transport))
    copy = stas_kernel_ctrl_copy (d->kc);
  g_mutex_unlock (&self->lock);
  return copy;
}

static gboolean
fake_start_monitor (StasFabrics *fabrics, GError **error)
{
  StasFakeFabrics *self = STAS_FAKE_FABRICS (fabrics);

  if (self->monitor_context == NULL)
    self->monitor_context = g_main_context_ref_thread_default ();
  return TRUE;
}

static void
fake_stop_monitor (StasFabrics *fabrics)
{
  StasFakeFabrics *self = STAS_FAKE_FABRICS (fabrics);

  if (self->events_source != NULL)
    {
      g_source_destroy (self->events_source);
      g_clear_pointer (&self->events_source, g_source_unref);
    }
  g_queue_clear_full (&self->events, (GDestroyNotify) queued_event_free);
  g_clear_pointer (&self->monitor_context, g_main_context_unref);
}

static void
stas_fake_fabrics_iface_init (StasFabricsInterface *iface)
{
  iface->check_kernel = fake_check_kernel;
  iface->get_library_version = fake_get_library_version;
  iface->get_kernel_caps = fake_get_kernel_caps;
  iface->scan_controllers = fake_scan_controllers;
  iface->read_controller = fake_read_controller;
  iface->start_monitor = fake_start_monitor;
  iface->stop_monitor = fake_stop_monitor;
  iface->ctrl_new = fake_ctrl_new;
  iface->ctrl_free = fake_ctrl_free;
  iface->set_log_level = fake_set_log_level;
  iface->connect_async = fake_connect_async;
  iface->connect_finish = fake_connect_finish;
  iface->adopt_async = fake_adopt_async;
  iface->adopt_finish = fake_adopt_finish;
  iface->disconnect_async = fake_disconnect_async;
  iface->disconnect_finish = fake_boolean_finish;
  iface->registration_supported_async = fake_registration_supported_async;
  iface->registration_supported_finish = fake_boolean_finish;
  iface->dim_async = fake_dim_async;
  iface->dim_finish = fake_boolean_finish;
  iface->supported_log_pages_async = fake_supported_log_pages_async;
  iface->supported_log_pages_finish = fake_supported_log_pages_finish;
  iface->get_discovery_log_async = fake_get_discovery_log_async;
  iface->get_discovery_log_finish = fake_get_discovery_log_finish;
}

/* ---- text forms: numbers, errnos, failures, entries, devices ------------------------------- */

static const struct
{
  const char *name;
  int value;
} errno_names[] = {
  { "EPERM", EPERM },
  { "ENOENT", ENOENT },
  { "EINTR", EINTR },
  { "EIO", EIO },
  { "ENXIO", ENXIO },
  { "EAGAIN", EAGAIN },
  { "ENOMEM", ENOMEM },
  { "EACCES", EACCES },
  { "EBUSY", EBUSY },
  { "EEXIST", EEXIST },
  { "ENODEV", ENODEV },
  { "EINVAL", EINVAL },
  { "ENOSPC", ENOSPC },
  { "EPROTO", EPROTO },
  { "ENOTSUP", ENOTSUP },
  { "EOPNOTSUPP", EOPNOTSUPP },
  { "EADDRINUSE", EADDRINUSE },
  { "EADDRNOTAVAIL", EADDRNOTAVAIL },
  { "ENETDOWN", ENETDOWN },
  { "ENETUNREACH", ENETUNREACH },
  { "ECONNABORTED", ECONNABORTED },
  { "ECONNRESET", ECONNRESET },
  { "ENOBUFS", ENOBUFS },
  { "ENOTCONN", ENOTCONN },
  { "ETIMEDOUT", ETIMEDOUT },
  { "ECONNREFUSED", ECONNREFUSED },
  { "EHOSTDOWN", EHOSTDOWN },
  { "EHOSTUNREACH", EHOSTUNREACH },
  { "EALREADY", EALREADY },
  { "EKEYREJECTED", EKEYREJECTED },
};

static gboolean
parse_number (const char *text, guint64 max, guint64 *out, GError **error)
{
  guint base = 10;

  if (text != NULL && (g_str_has_prefix (text, "0x") || g_str_has_prefix (text, "0X")))
    {
      text += 2;
      base = 16;
    }
  if (text == NULL || !g_ascii_string_to_unsigned (text, base, 0, max, out, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad number \"%s\"",
                   text != NULL ? text : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_errno (const char *text, int *err, GError **error)
{
  guint64 n;

  for (gsize i = 0; i < G_N_ELEMENTS (errno_names); i++)
    if (g_ascii_strcasecmp (text, errno_names[i].name) == 0)
      {
        *err = errno_names[i].value;
        return TRUE;
      }
  if (!parse_number (text, 4095, &n, NULL) || n == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad errno \"%s\"", text);
      return FALSE;
    }
  *err = (int) n;
  return TRUE;
}

/* "<failure> [<count>]" in @argv (1 or 2 words): applies it to @op on @target. */
static gboolean
apply_failure (StasFakeFabrics *self,
               StasFakeTarget *target,
               StasFakeOp op,
               char **argv,
               guint argc,
               GError **error)
{
  guint64 count = STAS_FAKE_FOREVER;

  if (argc < 1 || argc > 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "expected <failure> [<count>]");
      return FALSE;
    }
  if (argc == 2 && !parse_number (argv[1], G_MAXUINT - 1, &count, error))
    return FALSE;
  if (g_strcmp0 (argv[0], "none") == 0)
    stas_fake_fabrics_fail_errno (self, target, op, 0, 0);
  else if (g_str_has_prefix (argv[0], "status:"))
    {
      guint64 status;
      if (!parse_number (argv[0] + 7, G_MAXUINT16, &status, error))
        return FALSE;
      stas_fake_fabrics_fail_status (self, target, op, (guint16) status, (guint) count);
    }
  else
    {
      int err;
      if (!parse_errno (argv[0], &err, error))
        return FALSE;
      stas_fake_fabrics_fail_errno (self, target, op, err, (guint) count);
    }
  return TRUE;
}

static gboolean
parse_delay (const char *text, guint *ms, GError **error)
{
  guint64 n;

  if (g_strcmp0 (text, "hold") == 0)
    {
      *ms = STAS_FAKE_HOLD;
      return TRUE;
    }
  if (!parse_number (text, G_MAXUINT - 1, &n, error))
    return FALSE;
  *ms = (guint) n;
  return TRUE;
}

static gboolean
parse_code (const char *key,
            const char *value,
            gboolean (*from_string) (const char *, guint8 *),
            guint8 *out,
            GError **error)
{
  if (!from_string (value, out))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad %s \"%s\"", key, value);
      return FALSE;
    }
  return TRUE;
}

static guint8
default_adrfam (guint8 trtype, const char *traddr)
{
  g_autoptr (GInetAddress) ip = NULL;

  if (trtype == STAS_DLP_TRTYPE_FC)
    return STAS_DLP_ADRFAM_FC;
  if (trtype == STAS_DLP_TRTYPE_LOOP)
    return 254;
  ip = traddr != NULL ? g_inet_address_new_from_string (traddr) : NULL;
  if (ip != NULL && g_inet_address_get_family (ip) == G_SOCKET_FAMILY_IPV6)
    return STAS_DLP_ADRFAM_IPV6;
  return STAS_DLP_ADRFAM_IPV4;
}

/* ENTRY words (key=value) → a spec whose text points into @strings. */
static gboolean
parse_entry (char **words,
             guint n_words,
             StasDlpeSpec *spec,
             gboolean *remote,
             GPtrArray *strings,
             GError **error)
{
  gboolean have_adrfam = FALSE;

  *spec = (StasDlpeSpec){ .trtype = STAS_DLP_TRTYPE_TCP, .subtype = STAS_DLP_SUBTYPE_NVME };
  *remote = FALSE;
  for (guint i = 0; i < n_words; i++)
    {
      const char *eq = strchr (words[i], '=');
      g_autofree char *key = NULL;
      char *value;
      guint64 n = 0;

      if (eq == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "entry: expected key=value, got \"%s\"", words[i]);
          return FALSE;
        }
      key = g_strndup (words[i], (gsize) (eq - words[i]));
      value = g_strcompress (eq + 1);
      g_ptr_array_add (strings, value);
      if (g_str_equal (key, "traddr"))
        spec->traddr = value;
      else if (g_str_equal (key, "trsvcid"))
        spec->trsvcid = value;
      else if (g_str_equal (key, "subnqn"))
        spec->subnqn = value;
      else if (g_str_equal (key, "trtype"))
        {
          if (!parse_code (key, value, stas_dlp_trtype_from_string, &spec->trtype, error))
            return FALSE;
        }
      else if (g_str_equal (key, "adrfam"))
        {
          if (!parse_code (key, value, stas_dlp_adrfam_from_string, &spec->adrfam, error))
            return FALSE;
          have_adrfam = TRUE;
        }
      else if (g_str_equal (key, "subtype"))
        {
          if (!parse_code (key, value, stas_dlp_subtype_from_string, &spec->subtype, error))
            return FALSE;
        }
      else if (g_str_equal (key, "treq"))
        {
          if (!parse_code (key, value, stas_dlp_treq_from_string, &spec->treq, error))
            return FALSE;
        }
      else if (g_str_equal (key, "remote"))
        *remote = g_strcmp0 (value, "1") == 0 || g_ascii_strcasecmp (value, "true") == 0;
      else if (g_str_equal (key, "portid") || g_str_equal (key, "cntlid") ||
               g_str_equal (key, "asqsz") || g_str_equal (key, "eflags"))
        {
          if (!parse_number (value, G_MAXUINT16, &n, error))
            return FALSE;
          if (g_str_equal (key, "portid"))
            spec->portid = (guint16) n;
          else if (g_str_equal (key, "cntlid"))
            spec->cntlid = (guint16) n;
          else if (g_str_equal (key, "asqsz"))
            spec->asqsz = (guint16) n;
          else
            spec->eflags = (guint16) n;
        }
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "entry: unknown key \"%s\"",
                       key);
          return FALSE;
        }
    }
  if (!have_adrfam)
    spec->adrfam = default_adrfam (spec->trtype, spec->traddr);
  return TRUE;
}

static gboolean
parse_bool (const char *text, gboolean *out, GError **error)
{
  if (g_ascii_strcasecmp (text, "true") == 0 || g_strcmp0 (text, "1") == 0 ||
      g_ascii_strcasecmp (text, "yes") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (text, "false") == 0 || g_strcmp0 (text, "0") == 0 ||
           g_ascii_strcasecmp (text, "no") == 0)
    *out = FALSE;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad boolean \"%s\"", text);
      return FALSE;
    }
  return TRUE;
}

/* One device key ([device] group, add-device word) into @kc (owned strings). */
static gboolean
set_device_field (StasKernelCtrl *kc, const char *key, const char *value, GError **error)
{
  static const struct
  {
    const char *key;
    gsize offset;
  } fields[] = {
    { "name", G_STRUCT_OFFSET (StasKernelCtrl, name) },
    { "transport", G_STRUCT_OFFSET (StasKernelCtrl, transport) },
    { "traddr", G_STRUCT_OFFSET (StasKernelCtrl, traddr) },
    { "trsvcid", G_STRUCT_OFFSET (StasKernelCtrl, trsvcid) },
    { "host-traddr", G_STRUCT_OFFSET (StasKernelCtrl, host_traddr) },
    { "host-iface", G_STRUCT_OFFSET (StasKernelCtrl, host_iface) },
    { "src-addr", G_STRUCT_OFFSET (StasKernelCtrl, src_addr) },
    { "subsysnqn", G_STRUCT_OFFSET (StasKernelCtrl, subsysnqn) },
    { "hostnqn", G_STRUCT_OFFSET (StasKernelCtrl, hostnqn) },
    { "hostid", G_STRUCT_OFFSET (StasKernelCtrl, hostid) },
    { "cntrltype", G_STRUCT_OFFSET (StasKernelCtrl, cntrltype) },
    { "dctype", G_STRUCT_OFFSET (StasKernelCtrl, dctype) },
    { "state", G_STRUCT_OFFSET (StasKernelCtrl, state) },
    { "model", G_STRUCT_OFFSET (StasKernelCtrl, model) },
    { "serial", G_STRUCT_OFFSET (StasKernelCtrl, serial) },
  };

  if (g_str_equal (key, "namespaces"))
    return parse_bool (value, &kc->has_namespaces, error);
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_str_equal (key, fields[i].key))
      {
        char **field = G_STRUCT_MEMBER_P (kc, fields[i].offset);
        g_free (*field);
        *field = g_strdup (value);
        return TRUE;
      }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "device: unknown key \"%s\"", key);
  return FALSE;
}

/* ---- scripts --------------------------------------------------------------------------------- */

static gboolean
load_kernel_group (StasFakeFabrics *self, GKeyFile *kf, const char *group, GError **error)
{
  g_auto (GStrv) keys = g_key_file_get_keys (kf, group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *value = g_key_file_get_string (kf, group, keys[i], NULL);

      if (g_str_equal (keys[i], "available"))
        {
          gboolean available;
          if (!parse_bool (value, &available, error))
            return FALSE;
          stas_fake_fabrics_set_kernel_available (self, available);
        }
      else if (g_str_equal (keys[i], "library-version"))
        stas_fake_fabrics_set_library_version (self, value);
      else if (g_str_equal (keys[i], "caps"))
        {
          g_auto (GStrv) caps = g_key_file_get_string_list (kf, group, keys[i], NULL, NULL);
          StasKernelCaps c = { .from_options = TRUE };
          for (guint j = 0; caps != NULL && caps[j] != NULL; j++)
            {
              const char *cap = g_strstrip (caps[j]);
              if (g_str_equal (cap, "host_iface"))
                c.host_iface = TRUE;
              else if (g_str_equal (cap, "discovery"))
                c.discovery = TRUE;
              else if (g_str_equal (cap, "dhchap_secret"))
                c.dhchap_secret = TRUE;
              else if (g_str_equal (cap, "dhchap_ctrl_secret"))
                c.dhchap_ctrl_secret = TRUE;
              else if (g_str_equal (cap, "cntrltype"))
                c.cntrltype = TRUE;
              else if (g_str_equal (cap, "src_addr"))
                c.src_addr = TRUE;
              else if (*cap != '\0')
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "[kernel] unknown capability \"%s\"", cap);
                  return FALSE;
                }
            }
          stas_fake_fabrics_set_kernel_caps (self, &c);
        }
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "[kernel] unknown key \"%s\"", keys[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
load_target_key (StasFakeFabrics *self,
                 StasFakeTarget *t,
                 GKeyFile *kf,
                 const char *group,
                 const char *key,
                 GArray *specs,
                 GPtrArray *remote,
                 GPtrArray *strings,
                 GError **error)
{
  g_autofree char *value = g_key_file_get_value (kf, group, key, NULL);
  g_auto (GStrv) words = g_strsplit_set (g_strstrip (value), " \t", -1);
  guint n_words = 0;
  StasFakeOp op;
  guint64 n;

  /* drop the empty words between repeated blanks */
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      words[n_words++] = words[i];
    else
      g_free (words[i]);
  words[n_words] = NULL;

  if (g_str_equal (key, "discovery") || g_str_equal (key, "dctype") || g_str_equal (key, "io") ||
      g_str_equal (key, "io-namespaces"))
    return TRUE; /* handled by load_target_group() */
  if (g_str_equal (key, "log-page-options"))
    {
      if (!parse_number (value, G_MAXUINT32, &n, error))
        return FALSE;
      stas_fake_fabrics_set_log_page_options (self, t, (guint32) n);
    }
  else if (g_str_equal (key, "genctr-churn"))
    {
      if (!parse_number (value, G_MAXUINT, &n, error))
        return FALSE;
      stas_fake_fabrics_set_genctr_churn (self, t, (guint) n);
    }
  else if (g_str_has_prefix (key, "entry"))
    {
      StasDlpeSpec spec;
      gboolean is_remote;
      if (!parse_entry (words, n_words, &spec, &is_remote, strings, error))
        return FALSE;
      g_array_append_val (specs, spec);
      g_ptr_array_add (remote, GINT_TO_POINTER (is_remote));
    }
  else if (g_str_has_prefix (key, "fail-") && stas_fake_op_from_string (key + 5, &op))
    return apply_failure (self, t, op, words, n_words, error);
  else if (g_str_has_prefix (key, "delay-") && stas_fake_op_from_string (key + 6, &op))
    {
      guint ms;
      if (!parse_delay (value, &ms, error))
        return FALSE;
      stas_fake_fabrics_set_delay (self, t, op, ms);
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown key \"%s\"", key);
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_target_group (StasFakeFabrics *self, GKeyFile *kf, const char *group, GError **error)
{
  g_auto (GStrv) name = g_strsplit (group, " ", -1);
  g_auto (GStrv) keys = g_key_file_get_keys (kf, group, NULL, NULL);
  g_autoptr (GArray) specs = g_array_new (FALSE, FALSE, sizeof (StasDlpeSpec));
  g_autoptr (GPtrArray) remote = g_ptr_array_new ();
  g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  StasFakeTarget *t;
  guint n_parts = g_strv_length (name);

  if (n_parts < 3 || n_parts > 4)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "[%s]: expected [target <transport> <traddr> <trsvcid>]", group);
      return FALSE;
    }
  t = stas_fake_fabrics_add_target (self, name[1], name[2], n_parts == 4 ? name[3] : "");

  if (g_key_file_has_key (kf, group, "discovery", NULL))
    {
      g_autofree char *nqn = g_key_file_get_string (kf, group, "discovery", NULL);
      g_autofree char *dctype = g_key_file_get_string (kf, group, "dctype", NULL);
      StasFakeDcType type = STAS_FAKE_DCTYPE_NONE;

      if (g_strcmp0 (dctype, "ddc") == 0)
        type = STAS_FAKE_DCTYPE_DDC;
      else if (g_strcmp0 (dctype, "cdc") == 0)
        type = STAS_FAKE_DCTYPE_CDC;
      else if (dctype != NULL && g_strcmp0 (dctype, "none") != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "[%s] bad dctype \"%s\"",
                       group, dctype);
          return FALSE;
        }
      stas_fake_fabrics_add_discovery_subsystem (self, t, g_strstrip (nqn), type);
    }
  if (g_key_file_has_key (kf, group, "io", NULL))
    {
      g_auto (GStrv) nqns = g_key_file_get_string_list (kf, group, "io", NULL, NULL);
      guint64 n_ns = 1;
      g_autofree char *ns = g_key_file_get_string (kf, group, "io-namespaces", NULL);

      if (ns != NULL && !parse_number (ns, G_MAXUINT, &n_ns, error))
        return FALSE;
      for (guint i = 0; nqns != NULL && nqns[i] != NULL; i++)
        if (*g_strstrip (nqns[i]) != '\0')
          stas_fake_fabrics_add_io_subsystem (self, t, nqns[i], (guint) n_ns);
    }
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (!load_target_key (self, t, kf, group, keys[i], specs, remote, strings, error))
      {
        g_prefix_error (error, "[%s] %s: ", group, keys[i]);
        return FALSE;
      }
  if (specs->len > 0)
    {
      g_ptr_array_set_size (t->entries, 0);
      for (guint i = 0; i < specs->len; i++)
        g_ptr_array_add (t->entries, entry_new (&g_array_index (specs, StasDlpeSpec, i),
                                                GPOINTER_TO_INT (remote->pdata[i])));
      dlp_changed (self, t);
    }
  return TRUE;
}

static gboolean
load_device_group (StasFakeFabrics *self, GKeyFile *kf, const char *group, GError **error)
{
  g_autoptr (StasKernelCtrl) kc = g_new0 (StasKernelCtrl, 1);
  g_auto (GStrv) keys = g_key_file_get_keys (kf, group, NULL, NULL);

  kc->name = g_strdup (group + strlen ("device "));
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *value = g_key_file_get_string (kf, group, keys[i], NULL);

      if (g_str_equal (keys[i], "name"))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "[%s] unknown key \"name\"",
                       group);
          return FALSE;
        }
      if (!set_device_field (kc, keys[i], value, error))
        {
          g_prefix_error (error, "[%s] ", group);
          return FALSE;
        }
    }
  if (stas_fake_fabrics_add_device (self, kc) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "[%s] device exists", group);
      return FALSE;
    }
  return TRUE;
}

gboolean
stas_fake_fabrics_load_script_data (StasFakeFabrics *self, const char *data, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_auto (GStrv) groups = NULL;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self) && data != NULL, FALSE);

  if (!g_key_file_load_from_data (kf, data, (gsize) -1, G_KEY_FILE_NONE, error))
    return FALSE;
  groups = g_key_file_get_groups (kf, NULL);
  /* the fabric first: a device's defaults come from its target */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; groups[i] != NULL; i++)
      {
        const char *g = groups[i];
        gboolean ok = TRUE;

        if (pass == 0 && g_str_equal (g, "kernel"))
          ok = load_kernel_group (self, kf, g, error);
        else if (pass == 0 && g_str_has_prefix (g, "target "))
          ok = load_target_group (self, kf, g, error);
        else if (pass == 1 && g_str_has_prefix (g, "device "))
          ok = load_device_group (self, kf, g, error);
        else if (pass == 0 && !g_str_has_prefix (g, "device "))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown group [%s]", g);
            ok = FALSE;
          }
        if (!ok)
          return FALSE;
      }
  return TRUE;
}

gboolean
stas_fake_fabrics_load_script (StasFakeFabrics *self, const char *path, GError **error)
{
  g_autofree char *data = NULL;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self) && path != NULL, FALSE);
  if (!g_file_get_contents (path, &data, NULL, error))
    return FALSE;
  if (!stas_fake_fabrics_load_script_data (self, data, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  return TRUE;
}

/* ---- control commands ------------------------------------------------------------------------ */

typedef char *(*CommandFunc) (StasFakeFabrics *self, char **argv, guint argc, GError **error);

static gboolean
bad_usage (GError **error, const char *usage)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "usage: %s", usage);
  return FALSE;
}

/* argv[i], argv[i + 1] = "<traddr> <trsvcid>" ('-' = empty trsvcid) */
static StasFakeTarget *
command_target (StasFakeFabrics *self, char **argv, guint argc, guint i, GError **error)
{
  StasFakeTarget *t;
  const char *trsvcid;

  if (i + 1 >= argc)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "expected <traddr> <trsvcid>");
      return NULL;
    }
  trsvcid = g_str_equal (argv[i + 1], "-") ? "" : argv[i + 1];
  t = stas_fake_fabrics_find_target (self, NULL, argv[i], trsvcid);
  if (t == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no target %s %s", argv[i], argv[i + 1]);
  return t;
}

static gboolean
command_op (const char *text, StasFakeOp *op, GError **error)
{
  if (stas_fake_op_from_string (text, op))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown operation \"%s\"", text);
  return FALSE;
}

static char *
cmd_ping (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  return g_strdup ("");
}

static char *
cmd_aen (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  guint64 aen = AEN_DLP_CHANGED;
  StasFakeTarget *t;
  guint n = 0;

  if (argc < 2 || argc > 4)
    return bad_usage (error, "aen <device>|<traddr> <trsvcid> [<value>]"), NULL;
  if (stas_fake_fabrics_has_device (self, argv[1]) && argc <= 3)
    {
      if (argc == 3 && !parse_number (argv[2], G_MAXUINT32, &aen, error))
        return NULL;
      stas_fake_fabrics_emit_aen (self, argv[1], (guint32) aen);
      return g_strdup ("1");
    }
  if ((t = command_target (self, argv, argc, 1, error)) == NULL)
    return NULL;
  if (argc == 4 && !parse_number (argv[3], G_MAXUINT32, &aen, error))
    return NULL;
  {
    g_auto (GStrv) names = stas_fake_fabrics_list_devices (self);
    for (guint i = 0; names[i] != NULL; i++)
      {
        g_autoptr (StasKernelCtrl) kc = stas_fake_fabrics_get_device (self, names[i]);
        if (device_is_dc_of (kc, t) && g_strcmp0 (kc->state, "live") == 0)
          {
            queue_aen (self, kc, (guint32) aen);
            n++;
          }
      }
  }
  return g_strdup_printf ("%u", n);
}

static char *
cmd_add_entry (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  StasFakeTarget *t = command_target (self, argv, argc, 1, error);
  StasDlpeSpec spec;
  gboolean remote;

  if (t == NULL || !parse_entry (argv + 3, argc - 3, &spec, &remote, strings, error))
    return NULL;
  if (remote)
    stas_fake_fabrics_add_remote_entry (self, t, &spec);
  else
    stas_fake_fabrics_add_entry (self, t, &spec);
  return g_strdup ("");
}

static char *
cmd_remove_entry (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  StasFakeTarget *t = command_target (self, argv, argc, 1, error);
  const char *traddr = NULL, *trsvcid = NULL, *subnqn = NULL;

  if (t == NULL)
    return NULL;
  if (argc < 4)
    return bad_usage (error, "remove-entry <traddr> <trsvcid> traddr=|trsvcid=|subnqn=..."), NULL;
  for (guint i = 3; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "traddr="))
        traddr = argv[i] + 7;
      else if (g_str_has_prefix (argv[i], "trsvcid="))
        trsvcid = argv[i] + 8;
      else if (g_str_has_prefix (argv[i], "subnqn="))
        subnqn = argv[i] + 7;
      else
        return bad_usage (error, "remove-entry <traddr> <trsvcid> traddr=|trsvcid=|subnqn=..."),
               NULL;
    }
  return g_strdup_printf ("%u",
                          stas_fake_fabrics_remove_entries (self, t, traddr, trsvcid, subnqn));
}

static char *
cmd_clear_entries (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  StasFakeTarget *t = command_target (self, argv, argc, 1, error);

  if (t == NULL)
    return NULL;
  stas_fake_fabrics_set_dlp (self, t, NULL, 0);
  return g_strdup ("");
}

static char *
cmd_add_device (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  g_autoptr (StasKernelCtrl) kc = g_new0 (StasKernelCtrl, 1);
  const char *name;

  for (guint i = 1; i < argc; i++)
    {
      const char *eq = strchr (argv[i], '=');
      g_autofree char *key = eq != NULL ? g_strndup (argv[i], (gsize) (eq - argv[i])) : NULL;

      if (key == NULL)
        return bad_usage (error, "add-device key=value..."), NULL;
      if (!set_device_field (kc, key, eq + 1, error))
        return NULL;
    }
  name = stas_fake_fabrics_add_device (self, kc);
  if (name == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s exists", kc->name);
  return g_strdup (name);
}

static char *
cmd_device (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  gboolean ok;

  if (g_str_equal (argv[0], "set-state"))
    {
      if (argc != 3)
        return bad_usage (error, "set-state <device> <state>"), NULL;
      ok = stas_fake_fabrics_set_device_state (self, argv[1], argv[2]);
    }
  else if (argc != 2)
    return bad_usage (error, "<command> <device>"), NULL;
  else if (g_str_equal (argv[0], "remove-device"))
    ok = stas_fake_fabrics_remove_device (self, argv[1]);
  else
    ok = stas_fake_fabrics_reconnect_device (self, argv[1]);
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no device %s", argv[1]);
  return ok ? g_strdup ("") : NULL;
}

static char *
cmd_overflow (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  stas_fake_fabrics_overflow (self);
  return g_strdup ("");
}

static char *
cmd_drop_uevents (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  gboolean drop;

  if (argc != 2)
    return bad_usage (error, "drop-uevents on|off"), NULL;
  drop = g_str_equal (argv[1], "on");
  if (!drop && !g_str_equal (argv[1], "off"))
    return bad_usage (error, "drop-uevents on|off"), NULL;
  stas_fake_fabrics_set_drop_uevents (self, drop);
  return g_strdup ("");
}

static char *
cmd_fail (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  StasFakeOp op = STAS_FAKE_OP_CONNECT;
  guint first = 1;
  StasFakeTarget *t;

  if (g_str_equal (argv[0], "fail"))
    {
      if (argc < 2)
        return bad_usage (error, "fail <op> <traddr> <trsvcid> <failure> [<count>]"), NULL;
      if (!command_op (argv[1], &op, error))
        return NULL;
      first = 2;
    }
  if ((t = command_target (self, argv, argc, first, error)) == NULL)
    return NULL;
  if (!apply_failure (self, t, op, argv + first + 2, argc - first - 2, error))
    return NULL;
  return g_strdup ("");
}

static char *
cmd_delay (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  StasFakeOp op;
  StasFakeTarget *t;
  guint ms;

  if (argc != 5)
    return bad_usage (error, "delay <op> <traddr> <trsvcid> <ms>|hold"), NULL;
  if (!command_op (argv[1], &op, error) ||
      (t = command_target (self, argv, argc, 2, error)) == NULL ||
      !parse_delay (argv[4], &ms, error))
    return NULL;
  stas_fake_fabrics_set_delay (self, t, op, ms);
  return g_strdup ("");
}

static char *
cmd_release (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  StasFakeOp op;
  StasFakeTarget *t;

  if (argc != 4)
    return bad_usage (error, "release <op> <traddr> <trsvcid>"), NULL;
  if (!command_op (argv[1], &op, error) ||
      (t = command_target (self, argv, argc, 2, error)) == NULL)
    return NULL;
  return g_strdup_printf ("%u", stas_fake_fabrics_release (self, t, op));
}

static char *
cmd_churn (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  StasFakeTarget *t;
  guint64 n;

  if (argc != 4)
    return bad_usage (error, "churn <traddr> <trsvcid> <n>"), NULL;
  if ((t = command_target (self, argv, argc, 1, error)) == NULL ||
      !parse_number (argv[3], G_MAXUINT, &n, error))
    return NULL;
  stas_fake_fabrics_set_genctr_churn (self, t, (guint) n);
  return g_strdup ("");
}

static char *
cmd_count (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  StasFakeOp op;

  if (argc < 2 || argc > 3)
    return bad_usage (error, "count <op> [<device>]"), NULL;
  if (!command_op (argv[1], &op, error))
    return NULL;
  return g_strdup_printf ("%u",
                          stas_fake_fabrics_count_calls (self, op, argc == 3 ? argv[2] : NULL));
}

static char *
cmd_clear_calls (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  stas_fake_fabrics_clear_calls (self);
  return g_strdup ("");
}

static char *
cmd_devices (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  g_auto (GStrv) names = stas_fake_fabrics_list_devices (self);

  return g_strjoinv (" ", names);
}

static char *
cmd_registered (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  StasFakeTarget *t;

  if (argc != 4)
    return bad_usage (error, "registered <traddr> <trsvcid> <hostnqn>"), NULL;
  if ((t = command_target (self, argv, argc, 1, error)) == NULL)
    return NULL;
  return g_strdup (stas_fake_fabrics_is_registered (self, t, argv[3]) ? "yes" : "no");
}

static char *
cmd_genctr (StasFakeFabrics *self, char **argv, guint argc, GError **error)
{
  StasFakeTarget *t = command_target (self, argv, argc, 1, error);

  if (t == NULL)
    return NULL;
  return g_strdup_printf ("%" G_GUINT64_FORMAT, stas_fake_fabrics_get_genctr (self, t));
}

static const struct
{
  const char *name;
  CommandFunc func;
} commands[] = {
  { "ping", cmd_ping },
  { "aen", cmd_aen },
  { "add-entry", cmd_add_entry },
  { "remove-entry", cmd_remove_entry },
  { "clear-entries", cmd_clear_entries },
  { "add-device", cmd_add_device },
  { "remove-device", cmd_device },
  { "reconnect-device", cmd_device },
  { "set-state", cmd_device },
  { "overflow", cmd_overflow },
  { "drop-uevents", cmd_drop_uevents },
  { "fail", cmd_fail },
  { "fail-connect", cmd_fail },
  { "delay", cmd_delay },
  { "release", cmd_release },
  { "churn", cmd_churn },
  { "count", cmd_count },
  { "clear-calls", cmd_clear_calls },
  { "devices", cmd_devices },
  { "registered", cmd_registered },
  { "genctr", cmd_genctr },
};

char *
stas_fake_fabrics_run_command (StasFakeFabrics *self, const char *line)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) words = NULL;
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self) && line != NULL, NULL);

  words = g_strsplit_set (line, " \t\r\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      g_ptr_array_add (argv, g_strdup (words[i]));
  if (argv->len == 0)
    return g_strdup ("error empty command");
  g_ptr_array_add (argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv->pdata[0], commands[i].name))
      {
        g_autofree char *reply =
            commands[i].func (self, (char **) argv->pdata, argv->len - 1, &error);
        if (reply == NULL)
          return g_strdup_printf ("error %s", error != NULL ? error->message : "failed");
        return *reply != '\0' ? g_strdup_printf ("ok %s", reply) : g_strdup ("ok");
      }
  return g_strdup_printf ("error unknown command \"%s\"", (char *) argv->pdata[0]);
}

/* ---- the control socket ------------------------------------------------------------------------
 */

typedef struct
{
  StasFakeFabrics *fake; /* (unowned) valid until the cancellable is cancelled */
  GSocketConnection *connection;
  GDataInputStream *input;
  GCancellable *cancellable;
} Client;

static void
client_free (Client *c)
{
  g_io_stream_close (G_IO_STREAM (c->connection), NULL, NULL);
  g_object_unref (c->connection);
  g_object_unref (c->input);
  g_object_unref (c->cancellable);
  g_free (c);
}

static void on_client_line (GObject *source, GAsyncResult *result, gpointer user_data);

static void
client_read (Client *c)
{
  g_data_input_stream_read_line_async (c->input, G_PRIORITY_DEFAULT, c->cancellable, on_client_line,
                                       c);
}

static void
on_client_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Client *c = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish (c->input, result, NULL, &error);
  g_autofree char *reply = NULL;
  GOutputStream *out;

  if (line == NULL || g_cancellable_is_cancelled (c->cancellable))
    {
      client_free (c);
      return;
    }
  reply = stas_fake_fabrics_run_command (c->fake, line);
  out = g_io_stream_get_output_stream (G_IO_STREAM (c->connection));
  if (!g_output_stream_write_all (out, reply, strlen (reply), NULL, NULL, NULL) ||
      !g_output_stream_write_all (out, "\n", 1, NULL, NULL, NULL))
    {
      client_free (c);
      return;
    }
  client_read (c);
}

static gboolean
on_control_incoming (GSocketService *service,
                     GSocketConnection *connection,
                     GObject *source,
                     gpointer user_data)
{
  StasFakeFabrics *self = user_data;
  Client *c = g_new0 (Client, 1);

  c->fake = self;
  c->connection = g_object_ref (connection);
  c->input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (c->input, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  c->cancellable = g_object_ref (self->control_cancellable);
  client_read (c);
  return TRUE;
}

gboolean
stas_fake_fabrics_listen (StasFakeFabrics *self, const char *path, GError **error)
{
  g_autoptr (GSocketAddress) address = NULL;

  g_return_val_if_fail (STAS_IS_FAKE_FABRICS (self) && path != NULL, FALSE);
  g_return_val_if_fail (self->control == NULL, FALSE);

  (void) unlink (path);
  address = g_unix_socket_address_new (path);
  self->control = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->control), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL,
                                      error))
    {
      g_clear_object (&self->control);
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  self->control_path = g_strdup (path);
  g_signal_connect (self->control, "incoming", G_CALLBACK (on_control_incoming), self);
  g_socket_service_start (self->control);
  return TRUE;
}

/* ---- the object ---------------------------------------------------------------------------------
 */

static void
stas_fake_fabrics_dispose (GObject *object)
{
  StasFakeFabrics *self = STAS_FAKE_FABRICS (object);

  fake_stop_monitor (STAS_FABRICS (self));
  g_cancellable_cancel (self->control_cancellable);
  if (self->control != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->control, self);
      g_socket_service_stop (self->control);
      g_socket_listener_close (G_SOCKET_LISTENER (self->control));
      g_clear_object (&self->control);
      (void) unlink (self->control_path);
    }
  g_ptr_array_set_size (self->held, 0);
  G_OBJECT_CLASS (stas_fake_fabrics_parent_class)->dispose (object);
}

static void
stas_fake_fabrics_finalize (GObject *object)
{
  StasFakeFabrics *self = STAS_FAKE_FABRICS (object);

  g_free (self->library_version);
  g_ptr_array_unref (self->targets);
  g_ptr_array_unref (self->devices);
  g_mutex_clear (&self->lock);
  g_ptr_array_unref (self->calls);
  g_ptr_array_unref (self->held);
  g_free (self->control_path);
  g_object_unref (self->control_cancellable);
  G_OBJECT_CLASS (stas_fake_fabrics_parent_class)->finalize (object);
}

static void
stas_fake_fabrics_class_init (StasFakeFabricsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stas_fake_fabrics_dispose;
  object_class->finalize = stas_fake_fabrics_finalize;
}

static void
stas_fake_fabrics_init (StasFakeFabrics *self)
{
  self->kernel_available = TRUE;
  self->caps = (StasKernelCaps){ TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE };
  self->library_version = g_strdup ("fake");
  self->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) target_free);
  g_mutex_init (&self->lock);
  self->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) device_free);
  g_queue_init (&self->events);
  self->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) call_free);
  self->held = g_ptr_array_new_with_free_func (g_object_unref);
  self->control_cancellable = g_cancellable_new ();
}

StasFakeFabrics *
stas_fake_fabrics_new (void)
{
  return g_object_new (STAS_TYPE_FAKE_FABRICS, NULL);
}

/* One fake per process, configured from the environment (process tests); every caller
 * (the daemon's kernel check, its service) gets the same kernel and fabric. */
static StasFakeFabrics *default_fake;

StasFabrics *
stas_fabrics_new_default (void)
{
  StasFakeFabrics *self;
  const char *script = g_getenv ("STAS_FAKE_SCRIPT");
  const char *control = g_getenv ("STAS_FAKE_CONTROL");
  g_autoptr (GError) error = NULL;

  if (default_fake != NULL)
    return g_object_ref (STAS_FABRICS (default_fake));

  self = stas_fake_fabrics_new ();
  if (g_strcmp0 (g_getenv ("STAS_FAKE_NO_KERNEL"), "1") == 0)
    self->kernel_available = FALSE;
  if (script != NULL && *script != '\0' && !stas_fake_fabrics_load_script (self, script, &error))
    {
      g_printerr ("stas-fake: STAS_FAKE_SCRIPT: %s\n", error->message);
      exit (2);
    }
  if (control != NULL && *control != '\0' && !stas_fake_fabrics_listen (self, control, &error))
    {
      g_printerr ("stas-fake: STAS_FAKE_CONTROL: %s\n", error->message);
      exit (2);
    }
  default_fake = self;
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &default_fake);
  return STAS_FABRICS (self);
}
