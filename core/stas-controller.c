/* stas-controller.c — StasController: connect / retry / loss / disposal state machine
 * (spec/behaviour.md §3). */
#include "config.h"

#include "stas-controller.h"

#include <string.h>

#include "stas-log.h"
#include "stas-payload.h"

static double time_scale = 1.0;

typedef enum
{
  OP_NONE,
  OP_CONNECT,
  OP_ADOPT,
  OP_SUBCLASS,
  OP_PRE_DISCONNECT,
  OP_DISCONNECT,
} OpKind;

typedef struct
{
  StasFabrics *fabrics; /* (owned) */
  StasKernel *kernel;   /* (owned) */
  gulong resynced_id;

  /* the request in effect: a deep copy */
  StasConnectRequest request;
  StasTid *tid;             /* (owned) == request.tid */
  char *host_key;           /* (owned) */
  char *symname;            /* (owned) */
  char *dhchap_secret;      /* (owned) */
  char *dhchap_ctrl_secret; /* (owned) */

  StasFabricsCtrl *handle;  /* (owned) (nullable); freed only with no operation in flight */
  gboolean handle_outdated; /* the request changed: new handle before the next attempt */
  gboolean tron;
  gboolean tron_pending;

  StasControllerState state;
  char *device;             /* (owned) (nullable) */
  char *reported_device;    /* (owned) (nullable) last value notified */
  StasKernelCtrl *identity; /* (owned) (nullable) */
  gboolean claim_complete;  /* FALSE: the device was not in the table when claimed */
  gboolean started;
  gboolean confirmed;
  guint attempts;
  gboolean adopt_lost; /* the device being adopted was removed */

  double retry_interval; /* nominal seconds */
  guint retry_id;
  gint64 retry_deadline_us;
  guint attempt_id;          /* attempt scheduled for the next iteration */
  gboolean attempt_pending;  /* attempt once the (stale) operation in flight completed */
  gboolean resume_connected; /* call `connected` once the slot is free */

  /* the operation slot [ARCH-3] */
  OpKind op_kind;
  guint op_token;
  guint next_token;
  gboolean op_stale;
  GCancellable *op_cancellable; /* (owned) (nullable) */
  StasOpStatus connect_op;

  /* disposal [CONN-5] */
  GTask *dispose_task; /* (owned) (nullable) */
  gboolean keep_connection;
  gboolean pre_disconnect_done;
  gboolean disconnect_started;
  gboolean disposed;
  char *disconnect_device; /* (owned) for the log texts */

  guint kick_id;
} StasControllerPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (StasController, stas_controller, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_FABRICS,
  PROP_KERNEL,
  PROP_REQUEST,
  PROP_STATE,
  PROP_DEVICE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIGNAL_CONNECT_FAILED,
  SIGNAL_DISPOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void attempt (StasController *self);
static void sync_reported_device (StasController *self);
static void schedule_kick (StasController *self);

#define PRIV(self) ((StasControllerPrivate *) stas_controller_get_instance_private (self))

/* ---- small helpers ------------------------------------------------------------------ */

void
stas_controller_set_time_scale (double scale)
{
  time_scale = scale > 0 ? scale : 1.0;
}

double
stas_controller_get_time_scale (void)
{
  return time_scale;
}

const char *
stas_controller_state_to_string (StasControllerState state)
{
  switch (state)
    {
    case STAS_CONTROLLER_IDLE:
      return "idle";
    case STAS_CONTROLLER_CONNECTING:
      return "connecting";
    case STAS_CONTROLLER_CONNECTED:
      return "connected";
    case STAS_CONTROLLER_DISPOSING:
      return "disposing";
    }
  return "?";
}

static guint
scaled_ms (double seconds)
{
  double ms = seconds * time_scale * 1000.0;
  return ms < 1.0 ? 1 : (guint) ms;
}

static void
set_state (StasController *self, StasControllerState state)
{
  StasControllerPrivate *priv = PRIV (self);

  if (priv->state == state)
    return;
  stas_debug ("%s | %s - state %s -> %s", stas_controller_get_tid_string (self),
              stas_controller_get_device_or_unknown (self),
              stas_controller_state_to_string (priv->state),
              stas_controller_state_to_string (state));
  priv->state = state;
  sync_reported_device (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
}

/* "device" is notified when what stas_controller_get_device() reports changes */
static void
sync_reported_device (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);
  const char *now = stas_controller_get_device (self);

  if (g_strcmp0 (priv->reported_device, now) == 0)
    return;
  g_free (priv->reported_device);
  priv->reported_device = g_strdup (now);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DEVICE]);
}

static void
set_device (StasController *self, const char *device)
{
  StasControllerPrivate *priv = PRIV (self);

  if (g_strcmp0 (priv->device, device) == 0)
    return;
  g_free (priv->device);
  priv->device = g_strdup (device);
  sync_reported_device (self);
}

/* [CONN-3] From the table; a device just created may not be there yet (its "add" uevent
 * comes later): then its attributes are read once (one device, no scan). */
static void
record_identity (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);
  const StasKernelCtrl *entry = stas_kernel_lookup (priv->kernel, priv->device);

  g_clear_pointer (&priv->identity, stas_kernel_ctrl_free);
  priv->claim_complete = entry != NULL;
  if (entry != NULL)
    priv->identity = stas_kernel_ctrl_copy (entry);
  else
    priv->identity = stas_fabrics_read_controller (priv->fabrics, priv->device);
  if (priv->identity == NULL)
    priv->identity = stas_kernel_ctrl_copy (&(StasKernelCtrl){ .name = priv->device });
}

/* Claims the device (routing its events to us) and records its identity [CONN-3]. */
static void on_device_event (gpointer owner, const StasUevent *event, const StasKernelCtrl *entry);

static void
claim_device (StasController *self, const char *device)
{
  StasControllerPrivate *priv = PRIV (self);

  set_device (self, device);
  stas_kernel_claim_full (priv->kernel, device, self, on_device_event);
  record_identity (self);
}

static void
release_device (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  if (priv->device != NULL)
    stas_kernel_release (priv->kernel, priv->device, self);
  g_clear_pointer (&priv->identity, stas_kernel_ctrl_free);
  set_device (self, NULL);
}

/* ---- the request ------------------------------------------------------------------- */

static void
request_clear (StasControllerPrivate *priv)
{
  g_clear_pointer (&priv->tid, stas_tid_unref);
  g_clear_pointer (&priv->host_key, g_free);
  g_clear_pointer (&priv->symname, g_free);
  g_clear_pointer (&priv->dhchap_secret, g_free);
  g_clear_pointer (&priv->dhchap_ctrl_secret, g_free);
  memset (&priv->request, 0, sizeof priv->request);
}

static void
request_set (StasControllerPrivate *priv, const StasConnectRequest *request)
{
  StasTid *tid = stas_tid_ref (request->tid);

  request_clear (priv);
  priv->tid = tid;
  priv->request = *request;
  priv->request.tid = tid;
  priv->host_key = g_strdup (request->host_key);
  priv->symname = g_strdup (request->symname);
  priv->dhchap_secret = g_strdup (request->params.dhchap_secret);
  priv->dhchap_ctrl_secret = g_strdup (request->params.dhchap_ctrl_secret);
  priv->request.host_key = priv->host_key;
  priv->request.symname = priv->symname;
  priv->request.params.dhchap_secret = priv->dhchap_secret;
  priv->request.params.dhchap_ctrl_secret = priv->dhchap_ctrl_secret;
}

static gboolean
opt_equal (StasOptInt a, StasOptInt b)
{
  return a.set == b.set && (!a.set || a.value == b.value);
}

static gboolean
request_equal (const StasConnectRequest *a, const StasConnectRequest *b)
{
  const StasConnParams *p = &a->params, *q = &b->params;

  return a->discovery == b->discovery && a->pass_host_iface == b->pass_host_iface &&
         g_strcmp0 (a->host_key, b->host_key) == 0 && g_strcmp0 (a->symname, b->symname) == 0 &&
         opt_equal (p->kato, q->kato) && opt_equal (p->queue_size, q->queue_size) &&
         opt_equal (p->nr_io_queues, q->nr_io_queues) &&
         opt_equal (p->nr_write_queues, q->nr_write_queues) &&
         opt_equal (p->nr_poll_queues, q->nr_poll_queues) &&
         opt_equal (p->reconnect_delay, q->reconnect_delay) &&
         opt_equal (p->ctrl_loss_tmo, q->ctrl_loss_tmo) && p->hdr_digest == q->hdr_digest &&
         p->data_digest == q->data_digest && p->disable_sqflow == q->disable_sqflow &&
         g_strcmp0 (p->dhchap_secret, q->dhchap_secret) == 0 &&
         g_strcmp0 (p->dhchap_ctrl_secret, q->dhchap_ctrl_secret) == 0;
}

static void
ensure_handle (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  g_assert (priv->op_kind == OP_NONE);
  if (priv->handle != NULL && priv->handle_outdated)
    stas_fabrics_ctrl_free (priv->fabrics, g_steal_pointer (&priv->handle));
  if (priv->handle == NULL)
    {
      priv->handle = stas_fabrics_ctrl_new (priv->fabrics, &priv->request);
      stas_fabrics_set_log_level (priv->fabrics, priv->handle, priv->tron);
      priv->tron_pending = FALSE;
    }
  priv->handle_outdated = FALSE;
}

static void
free_handle (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  g_assert (priv->op_kind == OP_NONE);
  if (priv->handle != NULL)
    stas_fabrics_ctrl_free (priv->fabrics, g_steal_pointer (&priv->handle));
}

/* ---- the operation slot ------------------------------------------------------------- */

typedef struct
{
  StasController *self; /* (owned): keeps the handle alive until the worker returned */
  guint token;
} OpCall;

static OpCall *
op_call_new (StasController *self, guint token)
{
  OpCall *call = g_new0 (OpCall, 1);

  call->self = g_object_ref (self);
  call->token = token;
  return call;
}

static void
op_call_free (OpCall *call)
{
  g_object_unref (call->self);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpCall, op_call_free)

static guint
op_reserve (StasController *self, OpKind kind)
{
  StasControllerPrivate *priv = PRIV (self);

  g_assert (priv->op_kind == OP_NONE);
  if (++priv->next_token == 0)
    priv->next_token = 1;
  priv->op_token = priv->next_token;
  priv->op_kind = kind;
  priv->op_stale = FALSE;
  g_clear_object (&priv->op_cancellable);
  priv->op_cancellable = g_cancellable_new ();
  return priv->op_token;
}

/* Frees the slot; TRUE when the result is current. */
static gboolean
op_release (StasController *self, guint token)
{
  StasControllerPrivate *priv = PRIV (self);
  gboolean current;

  if (token == 0 || token != priv->op_token)
    {
      g_critical ("stas_controller: operation token %u is not the one in flight (%u)", token,
                  priv->op_token);
      return FALSE;
    }
  current = !priv->op_stale;
  priv->op_kind = OP_NONE;
  priv->op_token = 0;
  priv->op_stale = FALSE;
  g_clear_object (&priv->op_cancellable);
  if (priv->tron_pending && priv->handle != NULL)
    {
      stas_fabrics_set_log_level (priv->fabrics, priv->handle, priv->tron);
      priv->tron_pending = FALSE;
    }
  if (!current || priv->dispose_task != NULL || priv->attempt_pending || priv->resume_connected)
    schedule_kick (self);
  return current;
}

/* The result of the operation in flight must be discarded [ARCH-8]. */
static void
op_make_stale (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  if (priv->op_kind == OP_NONE)
    return;
  priv->op_stale = TRUE;
  if (priv->op_cancellable != NULL)
    g_cancellable_cancel (priv->op_cancellable);
}

/* ---- retry timer ---------------------------------------------------------------------- */

static void
stop_retry (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  g_clear_handle_id (&priv->retry_id, g_source_remove);
  priv->retry_deadline_us = 0;
}

static gboolean
on_retry (gpointer user_data)
{
  StasController *self = user_data;
  StasControllerPrivate *priv = PRIV (self);

  priv->retry_id = 0;
  priv->retry_deadline_us = 0;
  attempt (self);
  return G_SOURCE_REMOVE;
}

static void
start_retry (StasController *self, double interval)
{
  StasControllerPrivate *priv = PRIV (self);
  guint ms = scaled_ms (interval);

  stop_retry (self);
  priv->retry_interval = interval;
  priv->retry_deadline_us = g_get_monotonic_time () + (gint64) ms * 1000;
  priv->retry_id = g_timeout_add (ms, on_retry, self);
  stas_debug ("%s - retry connect in %g s", stas_controller_get_tid_string (self), interval);
}

static gboolean
on_attempt (gpointer user_data)
{
  StasController *self = user_data;

  PRIV (self)->attempt_id = 0;
  attempt (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_attempt (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  stop_retry (self);
  if (priv->attempt_id == 0)
    priv->attempt_id = g_idle_add (on_attempt, self);
}

/* ---- connect / adopt ------------------------------------------------------------------ */

static gboolean
should_retry (StasController *self)
{
  StasControllerClass *klass = STAS_CONTROLLER_GET_CLASS (self);

  return klass->should_retry == NULL || klass->should_retry (self);
}

static void
connect_failed (StasController *self, const char *reason)
{
  StasControllerPrivate *priv = PRIV (self);
  const char *tid = stas_controller_get_tid_string (self);

  stas_op_status_failed (&priv->connect_op, reason);
  set_state (self, STAS_CONTROLLER_IDLE);
  if (priv->attempts <= 1)
    {
      priv->retry_interval = STAS_FAST_CONNECT_RETRY_PERIOD_S;
      stas_debug ("%s Failed to connect to controller. %s", tid, reason);
    }
  else
    {
      priv->retry_interval = STAS_CONNECT_RETRY_PERIOD_S;
      if (priv->attempts == 2)
        stas_error ("%s Failed to connect to controller. %s", tid, reason);
      else
        stas_debug ("%s Failed to connect to controller. %s", tid, reason);
    }
  g_signal_emit (self, signals[SIGNAL_CONNECT_FAILED], 0, priv->attempts, reason);
  if (priv->state != STAS_CONTROLLER_IDLE || priv->op_kind != OP_NONE)
    return; /* a signal handler changed the course (disposal, attempt) */
  if (!priv->confirmed)
    stas_debug ("%s - restored, not confirmed: no retry", tid);
  else if (should_retry (self))
    start_retry (self, priv->retry_interval);
}

static void
connect_succeeded (StasController *self, const char *device)
{
  StasControllerPrivate *priv = PRIV (self);
  StasControllerClass *klass = STAS_CONTROLLER_GET_CLASS (self);

  if (g_strcmp0 (priv->device, device) != 0)
    {
      release_device (self);
      claim_device (self, device);
    }
  priv->attempts = 0;
  stas_op_status_succeeded (&priv->connect_op);
  set_state (self, STAS_CONTROLLER_CONNECTED);
  stas_info ("%s | %s - Connection established!", stas_controller_get_tid_string (self), device);
  if (klass->connected != NULL)
    klass->connected (self);
}

static void
on_connect_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (OpCall) call = user_data;
  StasController *self = call->self;
  StasControllerPrivate *priv = PRIV (self);
  g_autoptr (GError) error = NULL;
  g_autofree char *device = NULL;
  gboolean adopt = priv->op_kind == OP_ADOPT;
  gboolean lost = priv->adopt_lost;

  if (adopt)
    device = stas_fabrics_adopt_finish (priv->fabrics, result, &error);
  else
    device = stas_fabrics_connect_finish (priv->fabrics, result, &error);
  op_release (self, call->token);
  priv->adopt_lost = FALSE;
  if (device != NULL && lost)
    {
      g_clear_pointer (&device, g_free);
      g_set_error_literal (&error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NO_DEVICE,
                           "The device was removed");
    }

  if (priv->state == STAS_CONTROLLER_DISPOSING)
    {
      /* the result only tells whether a device now exists [CONN-5] */
      if (device != NULL)
        {
          if (g_strcmp0 (priv->device, device) != 0)
            {
              release_device (self);
              claim_device (self, device);
            }
          priv->attempts = 0;
          stas_op_status_succeeded (&priv->connect_op);
        }
      else
        {
          if (adopt)
            release_device (self);
          stas_op_status_failed (&priv->connect_op, error != NULL ? error->message : "");
        }
      return;
    }
  if (device != NULL)
    connect_succeeded (self, device);
  else
    {
      if (adopt)
        release_device (self);
      connect_failed (self, error->message);
    }
}

static void
attempt (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);
  const StasKernelCtrl *match;
  guint token;

  if (priv->state == STAS_CONTROLLER_DISPOSING || priv->disposed)
    return;
  if (priv->op_kind != OP_NONE)
    {
      priv->attempt_pending = TRUE; /* a stale operation must finish first [ARCH-3] */
      return;
    }
  if (priv->state != STAS_CONTROLLER_IDLE)
    return;
  stop_retry (self);
  g_clear_handle_id (&priv->attempt_id, g_source_remove);
  priv->attempt_pending = FALSE;

  /* [CONN-4] reuse before creating a duplicate */
  match = stas_kernel_find_match (
      priv->kernel, priv->tid, priv->request.discovery ? STAS_CTRL_CLASS_DC : STAS_CTRL_CLASS_IOC);
  if (match == NULL && !priv->confirmed)
    {
      stas_debug ("%s - restored: no device to adopt, waiting for confirmation",
                  stas_controller_get_tid_string (self));
      return;
    }

  priv->attempts++;
  ensure_handle (self);
  stas_op_status_started (&priv->connect_op);
  set_state (self, STAS_CONTROLLER_CONNECTING);
  if (match != NULL)
    {
      g_autofree char *name = g_strdup (match->name);

      token = op_reserve (self, OP_ADOPT);
      claim_device (self, name); /* nobody else adopts it meanwhile */
      stas_debug ("%s Found existing control device: %s", stas_controller_get_tid_string (self),
                  name);
      stas_fabrics_adopt_async (priv->fabrics, priv->handle, name, priv->op_cancellable,
                                on_connect_done, op_call_new (self, token));
    }
  else
    {
      token = op_reserve (self, OP_CONNECT);
      stas_debug ("%s Connecting to nvme control (attempt %u)",
                  stas_controller_get_tid_string (self), priv->attempts);
      stas_fabrics_connect_async (priv->fabrics, priv->handle, priv->op_cancellable,
                                  on_connect_done, op_call_new (self, token));
    }
}

/* ---- device events ----------------------------------------------------------------------- */

static void
device_removed (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);
  StasControllerClass *klass = STAS_CONTROLLER_GET_CLASS (self);

  switch (priv->state)
    {
    case STAS_CONTROLLER_CONNECTING:
      priv->adopt_lost = TRUE; /* the adopt in flight will fail */
      g_clear_pointer (&priv->identity, stas_kernel_ctrl_free);
      set_device (self, NULL);
      break;
    case STAS_CONTROLLER_DISPOSING:
      g_clear_pointer (&priv->identity, stas_kernel_ctrl_free);
      set_device (self, NULL);
      if (priv->op_kind == OP_SUBCLASS)
        op_make_stale (self);
      schedule_kick (self);
      break;
    case STAS_CONTROLLER_CONNECTED:
      stas_info ("%s | %s - Received \"remove\" event", stas_controller_get_tid_string (self),
                 priv->device);
      g_clear_pointer (&priv->identity, stas_kernel_ctrl_free);
      set_device (self, NULL);
      op_make_stale (self);
      priv->attempts = 0;
      priv->resume_connected = FALSE;
      set_state (self, STAS_CONTROLLER_IDLE);
      if (klass->device_lost != NULL)
        klass->device_lost (self);
      if (priv->state == STAS_CONTROLLER_IDLE)
        start_retry (self, STAS_FAST_CONNECT_RETRY_PERIOD_S); /* [D-40] */
      break;
    case STAS_CONTROLLER_IDLE:
      break;
    }
}

/* The owner's events only: routed by StasKernel through the claim [NFR-3]. */
static void
on_device_event (gpointer owner, const StasUevent *event, const StasKernelCtrl *entry)
{
  g_autoptr (StasController) self = g_object_ref (STAS_CONTROLLER (owner));
  StasControllerPrivate *priv = PRIV (self);
  StasControllerClass *klass = STAS_CONTROLLER_GET_CLASS (self);

  if (g_strcmp0 (event->name, priv->device) != 0)
    return;
  if (event->action == STAS_UEVENT_REMOVE)
    {
      device_removed (self);
      return;
    }
  /* claimed before the table knew the device: the claim's identity is recorded now, so
   * that a resync does not mistake the device for another one [CONN-3] */
  if (!priv->claim_complete && entry != NULL)
    {
      stas_kernel_claim_full (priv->kernel, priv->device, self, on_device_event);
      record_identity (self);
    }
  if (event->action == STAS_UEVENT_CHANGE && priv->state == STAS_CONTROLLER_CONNECTED &&
      klass->device_changed != NULL)
    klass->device_changed (self, event);
}

/* A resync may reveal a device to adopt [KT-4]. */
static void
on_resynced (StasKernel *kernel, gboolean after_overflow, StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  if (!priv->started || priv->state != STAS_CONTROLLER_IDLE || priv->op_kind != OP_NONE ||
      priv->attempt_id != 0)
    return;
  if (stas_kernel_find_match (priv->kernel, priv->tid,
                              priv->request.discovery ? STAS_CTRL_CLASS_DC : STAS_CTRL_CLASS_IOC) !=
      NULL)
    schedule_attempt (self);
}

/* ---- disposal -------------------------------------------------------------------------- */

static gboolean
on_return_cancelled (gpointer user_data)
{
  GTask *task = user_data;

  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "Disposal cancelled: the controller is wanted again");
  return G_SOURCE_REMOVE;
}

/* GTask completes synchronously when created in an earlier iteration: defer, so that the
 * caller of stas_controller_cancel_dispose() is never re-entered [CONN-5]. */
static void
complete_task_cancelled (GTask *task)
{
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, on_return_cancelled, task, g_object_unref);
}

static void
on_pre_disconnect_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (OpCall) call = user_data;
  StasController *self = call->self;
  StasControllerClass *klass = STAS_CONTROLLER_GET_CLASS (self);

  klass->pre_disconnect_finish (self, result);
  PRIV (self)->pre_disconnect_done = TRUE;
  op_release (self, call->token);
  schedule_kick (self);
}

static void
on_disconnect_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (OpCall) call = user_data;
  StasController *self = call->self;
  StasControllerPrivate *priv = PRIV (self);
  g_autoptr (GError) error = NULL;

  if (!stas_fabrics_disconnect_finish (priv->fabrics, result, &error))
    stas_warning ("%s | %s - Disconnect failed: %s", stas_controller_get_tid_string (self),
                  priv->disconnect_device, error->message);
  op_release (self, call->token);
  schedule_kick (self);
}

static void
dispose_finish_now (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);
  GTask *task = g_steal_pointer (&priv->dispose_task);

  release_device (self);
  free_handle (self);
  priv->disposed = TRUE;
  stas_debug ("%s - disposed", stas_controller_get_tid_string (self));
  g_signal_emit (self, signals[SIGNAL_DISPOSED], 0);
  g_task_return_boolean (task, TRUE); /* called from an idle: never re-entrant */
  g_object_unref (task);
}

static void
dispose_advance (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);
  StasControllerClass *klass = STAS_CONTROLLER_GET_CLASS (self);
  guint token;

  if (priv->op_kind != OP_NONE)
    return; /* step 2: wait for the operation in flight */
  if (priv->device != NULL && !priv->keep_connection)
    {
      if (!priv->pre_disconnect_done && klass->pre_disconnect_async != NULL)
        {
          token = op_reserve (self, OP_PRE_DISCONNECT);
          klass->pre_disconnect_async (self, priv->op_cancellable, on_pre_disconnect_done,
                                       op_call_new (self, token));
          return;
        }
      if (!priv->disconnect_started)
        {
          priv->disconnect_started = TRUE;
          g_free (priv->disconnect_device);
          priv->disconnect_device = g_strdup (priv->device);
          stas_info ("%s | %s - Disconnect initiated", stas_controller_get_tid_string (self),
                     priv->device);
          token = op_reserve (self, OP_DISCONNECT);
          stas_fabrics_disconnect_async (priv->fabrics, priv->handle, NULL, on_disconnect_done,
                                         op_call_new (self, token));
          return;
        }
    }
  dispose_finish_now (self);
}

static gboolean
on_kick (gpointer user_data)
{
  StasController *self = user_data;
  StasControllerPrivate *priv = PRIV (self);
  StasControllerClass *klass = STAS_CONTROLLER_GET_CLASS (self);

  priv->kick_id = 0;
  if (priv->op_kind != OP_NONE || priv->disposed)
    return G_SOURCE_REMOVE;
  if (priv->dispose_task != NULL)
    dispose_advance (self);
  else if (priv->resume_connected)
    {
      priv->resume_connected = FALSE;
      if (priv->state == STAS_CONTROLLER_CONNECTED && klass->connected != NULL)
        klass->connected (self);
    }
  else if (priv->attempt_pending)
    {
      priv->attempt_pending = FALSE;
      attempt (self);
    }
  return G_SOURCE_REMOVE;
}

static void
schedule_kick (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  if (priv->kick_id == 0)
    priv->kick_id = g_idle_add (on_kick, self);
}

void
stas_controller_dispose_async (StasController *self,
                               gboolean keep_connection,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  StasControllerPrivate *priv;
  StasControllerClass *klass;

  g_return_if_fail (STAS_IS_CONTROLLER (self));
  priv = PRIV (self);
  g_return_if_fail (priv->dispose_task == NULL && !priv->disposed);
  klass = STAS_CONTROLLER_GET_CLASS (self);

  priv->dispose_task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (priv->dispose_task, stas_controller_dispose_async);
  priv->keep_connection = keep_connection;
  priv->pre_disconnect_done = FALSE;
  priv->disconnect_started = FALSE;

  /* step 1: no timers, nothing new */
  stop_retry (self);
  g_clear_handle_id (&priv->attempt_id, g_source_remove);
  priv->attempt_pending = FALSE;
  priv->resume_connected = FALSE;
  set_state (self, STAS_CONTROLLER_DISPOSING);
  if (priv->op_kind == OP_SUBCLASS)
    op_make_stale (self);
  if (klass->disposing != NULL)
    klass->disposing (self);
  schedule_kick (self);
}

gboolean
stas_controller_dispose_finish (StasController *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
stas_controller_cancel_dispose (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);
  GTask *task;

  if (priv->dispose_task == NULL || priv->disconnect_started || priv->disposed)
    return FALSE;
  task = g_steal_pointer (&priv->dispose_task);
  stas_debug ("%s - disposal cancelled: wanted again", stas_controller_get_tid_string (self));

  if (priv->op_kind == OP_CONNECT || priv->op_kind == OP_ADOPT)
    set_state (self, STAS_CONTROLLER_CONNECTING); /* its result is used normally */
  else if (priv->device != NULL)
    {
      set_state (self, STAS_CONTROLLER_CONNECTED);
      priv->resume_connected = TRUE;
      schedule_kick (self);
    }
  else
    {
      set_state (self, STAS_CONTROLLER_IDLE);
      if (priv->op_kind != OP_NONE)
        priv->attempt_pending = priv->confirmed;
      else if (priv->confirmed && priv->attempts == 0)
        schedule_attempt (self);
      else if (priv->confirmed && should_retry (self))
        start_retry (self, priv->retry_interval);
    }
  complete_task_cancelled (task);
  return TRUE;
}

gboolean
stas_controller_is_disposing (StasController *self)
{
  return PRIV (self)->dispose_task != NULL;
}

gboolean
stas_controller_is_disconnect_started (StasController *self)
{
  return PRIV (self)->disconnect_started;
}

gboolean
stas_controller_is_disposed (StasController *self)
{
  return PRIV (self)->disposed;
}

/* ---- public life cycle -------------------------------------------------------------------- */

void
stas_controller_start (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  g_return_if_fail (!priv->disposed && priv->dispose_task == NULL);
  priv->started = TRUE;
  priv->confirmed = TRUE;
  if (priv->state == STAS_CONTROLLER_IDLE)
    schedule_attempt (self);
}

void
stas_controller_start_restored (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  g_return_if_fail (!priv->disposed && priv->dispose_task == NULL);
  priv->started = TRUE;
  priv->confirmed = FALSE;
  attempt (self); /* adopts now, or waits for stas_controller_confirm() [D-53] */
}

void
stas_controller_confirm (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  if (priv->confirmed)
    return;
  priv->confirmed = TRUE;
  priv->started = TRUE;
  if (priv->state == STAS_CONTROLLER_IDLE && priv->op_kind == OP_NONE && priv->retry_id == 0)
    schedule_attempt (self);
}

gboolean
stas_controller_is_confirmed (StasController *self)
{
  return PRIV (self)->confirmed;
}

void
stas_controller_connect_now (StasController *self, gboolean reset_attempts)
{
  StasControllerPrivate *priv = PRIV (self);

  if (priv->dispose_task != NULL || priv->disposed || priv->state != STAS_CONTROLLER_IDLE)
    return;
  if (reset_attempts)
    priv->attempts = 0;
  priv->started = TRUE;
  if (priv->op_kind != OP_NONE)
    {
      stop_retry (self);
      priv->attempt_pending = TRUE;
      return;
    }
  schedule_attempt (self);
}

void
stas_controller_update_request (StasController *self, const StasConnectRequest *request)
{
  StasControllerPrivate *priv = PRIV (self);

  g_return_if_fail (request != NULL && stas_tid_equal (request->tid, priv->tid));
  if (request_equal (&priv->request, request))
    return;
  request_set (priv, request);
  priv->handle_outdated = TRUE; /* the next attempt builds a handle with the new request */
}

void
stas_controller_set_tron (StasController *self, gboolean tron)
{
  StasControllerPrivate *priv = PRIV (self);

  priv->tron = tron;
  if (priv->handle != NULL && priv->op_kind == OP_NONE)
    stas_fabrics_set_log_level (priv->fabrics, priv->handle, tron);
  else
    priv->tron_pending = TRUE;
}

/* ---- getters ---------------------------------------------------------------------------- */

StasTid *
stas_controller_get_tid (StasController *self)
{
  return PRIV (self)->tid;
}

const char *
stas_controller_get_tid_string (StasController *self)
{
  return stas_tid_to_string (PRIV (self)->tid);
}

const StasConnectRequest *
stas_controller_get_request (StasController *self)
{
  return &PRIV (self)->request;
}

StasControllerState
stas_controller_get_state (StasController *self)
{
  return PRIV (self)->state;
}

const char *
stas_controller_get_device (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  /* while adopting, the device is claimed but not yet ours to report */
  return priv->state == STAS_CONTROLLER_CONNECTING ? NULL : priv->device;
}

const char *
stas_controller_get_device_or_unknown (StasController *self)
{
  const char *device = PRIV (self)->device;
  return device != NULL ? device : "nvme?";
}

const StasKernelCtrl *
stas_controller_get_kernel_entry (StasController *self)
{
  const char *device = stas_controller_get_device (self);
  return device != NULL ? stas_kernel_lookup (PRIV (self)->kernel, device) : NULL;
}

const StasKernelCtrl *
stas_controller_get_identity (StasController *self)
{
  return stas_controller_get_device (self) != NULL ? PRIV (self)->identity : NULL;
}

guint
stas_controller_get_connect_attempts (StasController *self)
{
  return PRIV (self)->attempts;
}

gboolean
stas_controller_get_retry_timer (StasController *self, double *interval_s, double *remaining_s)
{
  StasControllerPrivate *priv = PRIV (self);
  gint64 left = priv->retry_deadline_us - g_get_monotonic_time ();

  if (interval_s != NULL)
    *interval_s = priv->retry_interval;
  if (remaining_s != NULL)
    *remaining_s = priv->retry_id != 0 && left > 0 ? (double) left / G_USEC_PER_SEC : 0.0;
  return priv->retry_id != 0;
}

char *
stas_controller_dup_retry_timer_string (StasController *self)
{
  double interval, remaining;
  gboolean running = stas_controller_get_retry_timer (self, &interval, &remaining);

  return stas_timer_string (interval, running, remaining);
}

char *
stas_controller_dup_connect_operation_string (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  if (priv->op_kind != OP_CONNECT && priv->op_kind != OP_ADOPT)
    return NULL;
  return stas_op_status_to_string (&priv->connect_op);
}

gboolean
stas_controller_is_op_in_flight (StasController *self)
{
  return PRIV (self)->op_kind != OP_NONE;
}

StasFabrics *
stas_controller_get_fabrics (StasController *self)
{
  return PRIV (self)->fabrics;
}

StasKernel *
stas_controller_get_kernel (StasController *self)
{
  return PRIV (self)->kernel;
}

/* ---- for subclasses --------------------------------------------------------------------- */

StasFabricsCtrl *
stas_controller_get_fabrics_ctrl (StasController *self)
{
  return PRIV (self)->handle;
}

guint
stas_controller_begin_op (StasController *self, GCancellable **cancellable)
{
  StasControllerPrivate *priv = PRIV (self);
  guint token;

  if (cancellable != NULL)
    *cancellable = NULL;
  if (priv->op_kind != OP_NONE || priv->state != STAS_CONTROLLER_CONNECTED ||
      priv->dispose_task != NULL || priv->handle == NULL)
    return 0;
  token = op_reserve (self, OP_SUBCLASS);
  if (cancellable != NULL)
    *cancellable = priv->op_cancellable;
  return token;
}

gboolean
stas_controller_end_op (StasController *self, guint token)
{
  return op_release (self, token);
}

/* ---- formats (spec/dbus.md §5.5) ------------------------------------------------------------ */

char *
stas_timer_string (double interval_s, gboolean running, double remaining_s)
{
  return stas_payload_timer_string (interval_s, running, remaining_s);
}

void
stas_op_status_init (StasOpStatus *op)
{
  memset (op, 0, sizeof *op);
  op->completed = -1;
  op->alive = TRUE;
}

void
stas_op_status_clear (StasOpStatus *op)
{
  g_clear_pointer (&op->error, g_free);
  stas_op_status_init (op);
}

void
stas_op_status_started (StasOpStatus *op)
{
  op->completed = 0;
  op->alive = TRUE;
  op->retry_deadline_us = 0;
}

void
stas_op_status_succeeded (StasOpStatus *op)
{
  op->completed = 1;
  op->fail_count = 0;
  g_clear_pointer (&op->error, g_free);
}

void
stas_op_status_failed (StasOpStatus *op, const char *error)
{
  op->completed = 1;
  op->fail_count++;
  g_free (op->error);
  op->error = g_strdup (error);
}

void
stas_op_status_retry (StasOpStatus *op, double interval_s, double scaled_s)
{
  op->retry_ever = TRUE;
  op->retry_interval_s = interval_s;
  op->retry_deadline_us = g_get_monotonic_time () + (gint64) (scaled_s * G_USEC_PER_SEC);
}

char *
stas_op_status_to_string (const StasOpStatus *op)
{
  g_autofree char *timer = NULL;
  StasOperationInfo info = {
    .fail_count = op->fail_count,
    .completed = op->completed < 0    ? STAS_OP_NOT_RUN
                 : op->completed == 0 ? STAS_OP_IN_FLIGHT
                                      : STAS_OP_FINISHED,
    .alive = op->alive,
    .error = op->error,
  };

  if (op->retry_ever)
    {
      gint64 left = op->retry_deadline_us - g_get_monotonic_time ();
      timer = stas_payload_timer_string (op->retry_interval_s, op->retry_deadline_us != 0,
                                         left > 0 ? (double) left / G_USEC_PER_SEC : 0.0);
      info.retry_timer = timer;
    }
  return stas_payload_operation_string (&info);
}

/* ---- GObject ------------------------------------------------------------------------------ */

static void
stas_controller_constructed (GObject *object)
{
  StasController *self = STAS_CONTROLLER (object);
  StasControllerPrivate *priv = PRIV (self);

  G_OBJECT_CLASS (stas_controller_parent_class)->constructed (object);
  g_assert (priv->fabrics != NULL && priv->kernel != NULL && priv->tid != NULL);
  priv->resynced_id = g_signal_connect (priv->kernel, "resynced", G_CALLBACK (on_resynced), self);
}

static void
stas_controller_set_property (GObject *object,
                              guint prop_id,
                              const GValue *value,
                              GParamSpec *pspec)
{
  StasControllerPrivate *priv = PRIV (STAS_CONTROLLER (object));

  switch (prop_id)
    {
    case PROP_FABRICS:
      priv->fabrics = g_value_dup_object (value);
      break;
    case PROP_KERNEL:
      priv->kernel = g_value_dup_object (value);
      break;
    case PROP_REQUEST:
      if (g_value_get_pointer (value) != NULL)
        request_set (priv, g_value_get_pointer (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stas_controller_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StasController *self = STAS_CONTROLLER (object);
  StasControllerPrivate *priv = PRIV (self);

  switch (prop_id)
    {
    case PROP_FABRICS:
      g_value_set_object (value, priv->fabrics);
      break;
    case PROP_KERNEL:
      g_value_set_object (value, priv->kernel);
      break;
    case PROP_REQUEST:
      g_value_set_pointer (value, &priv->request);
      break;
    case PROP_STATE:
      g_value_set_int (value, priv->state);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, stas_controller_get_device (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stas_controller_dispose (GObject *object)
{
  StasController *self = STAS_CONTROLLER (object);
  StasControllerPrivate *priv = PRIV (self);

  if (priv->kernel != NULL)
    {
      g_clear_signal_handler (&priv->resynced_id, priv->kernel);
      /* dropped without disposal (e.g. at exit): leave the connection, unclaimed */
      release_device (self);
    }
  stop_retry (self);
  g_clear_handle_id (&priv->attempt_id, g_source_remove);
  g_clear_handle_id (&priv->kick_id, g_source_remove);
  G_OBJECT_CLASS (stas_controller_parent_class)->dispose (object);
}

static void
stas_controller_finalize (GObject *object)
{
  StasController *self = STAS_CONTROLLER (object);
  StasControllerPrivate *priv = PRIV (self);

  /* every operation callback holds a reference: no worker uses the handle now [ARCH-4] */
  g_assert (priv->op_kind == OP_NONE);
  free_handle (self);
  g_clear_object (&priv->op_cancellable);
  g_clear_pointer (&priv->device, g_free);
  g_clear_pointer (&priv->reported_device, g_free);
  g_clear_pointer (&priv->disconnect_device, g_free);
  g_clear_pointer (&priv->identity, stas_kernel_ctrl_free);
  stas_op_status_clear (&priv->connect_op);
  request_clear (priv);
  g_clear_object (&priv->kernel);
  g_clear_object (&priv->fabrics);
  G_OBJECT_CLASS (stas_controller_parent_class)->finalize (object);
}

static void
stas_controller_class_init (StasControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = stas_controller_constructed;
  object_class->set_property = stas_controller_set_property;
  object_class->get_property = stas_controller_get_property;
  object_class->dispose = stas_controller_dispose;
  object_class->finalize = stas_controller_finalize;

  props[PROP_FABRICS] =
      g_param_spec_object ("fabrics", NULL, NULL, STAS_TYPE_FABRICS,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_KERNEL] =
      g_param_spec_object ("kernel", NULL, NULL, STAS_TYPE_KERNEL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_REQUEST] = g_param_spec_pointer (
      "request", NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_STATE] = g_param_spec_int (
      "state", NULL, NULL, STAS_CONTROLLER_IDLE, STAS_CONTROLLER_DISPOSING, STAS_CONTROLLER_IDLE,
      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_DEVICE] =
      g_param_spec_string ("device", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  signals[SIGNAL_CONNECT_FAILED] =
      g_signal_new ("connect-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  signals[SIGNAL_DISPOSED] = g_signal_new ("disposed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
stas_controller_init (StasController *self)
{
  StasControllerPrivate *priv = PRIV (self);

  priv->retry_interval = STAS_CONNECT_RETRY_PERIOD_S;
  stas_op_status_init (&priv->connect_op);
}
