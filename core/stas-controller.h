/* stas-controller.h — StasController: the connection state machine shared by discovery
 * controllers (StasDc) and I/O controllers (StasIoc) (spec/behaviour.md §3).
 *
 * States [CONN-1]:
 *   IDLE        no kernel device, no connect/adopt in flight; the retry timer may run
 *   CONNECTING  a connect or adopt is in flight in a worker
 *   CONNECTED   the object owns (has claimed in the StasKernel table) a device nvmeN
 *   DISPOSING   stas_controller_dispose_async() was called: no new operation starts
 *
 * One operation is in flight per object at a time [ARCH-3]: connect, adopt, disconnect and
 * the subclass operations (DC chain steps, DIM deregistration) share one slot (see "for
 * subclasses" below). Every operation callback holds a reference on the object, so the
 * StasFabricsCtrl handle is freed only after the worker returned [ARCH-4]; results of an
 * operation overtaken by a device loss or a disposal are discarded [ARCH-8].
 *
 * Logging: the texts of spec/behaviour.md §12.4, prefixed "<tid> | <dev> - " (dev "nvme?"
 * when none). Secrets are never logged.
 *
 * Timers: FAST_CONNECT_RETRY_PERIOD (3 s) after the first failed attempt and after a kernel
 * "remove" [D-40], CONNECT_RETRY_PERIOD (60 s) after later failures. Tests shorten every
 * timer of this file and stas-dc.h with stas_controller_set_time_scale(). */
#pragma once

#include <gio/gio.h>

#include "stas-fabrics.h"
#include "stas-kernel.h"
#include "stas-tid.h"

G_BEGIN_DECLS

#define STAS_FAST_CONNECT_RETRY_PERIOD_S 3.0
#define STAS_CONNECT_RETRY_PERIOD_S 60.0

typedef enum
{
  STAS_CONTROLLER_IDLE,
  STAS_CONTROLLER_CONNECTING,
  STAS_CONTROLLER_CONNECTED,
  STAS_CONTROLLER_DISPOSING,
} StasControllerState;

const char *stas_controller_state_to_string (StasControllerState state); /* "idle", ... */

#define STAS_TYPE_CONTROLLER (stas_controller_get_type ())
G_DECLARE_DERIVABLE_TYPE (StasController, stas_controller, STAS, CONTROLLER, GObject)

struct _StasControllerClass
{
  GObjectClass parent_class;

  /* Entered CONNECTED: after a successful connect/adopt, or when a cancelled disposal
   * finds the device still there. DC: start the post-connect chain. */
  void (*connected) (StasController *self);
  /* Left CONNECTED because the kernel device is gone ("remove" event or resync). Results
   * of the subclass operation in flight will be stale. DC: stop the chain, keep the cache
   * as "cached". */
  void (*device_lost) (StasController *self);
  /* Disposal started (step 1): stop timers, start nothing new. */
  void (*disposing) (StasController *self);
  /* A "change" uevent on the owned device (CONNECTED only). */
  void (*device_changed) (StasController *self, const StasUevent *event);
  /* After a failed connect attempt: TRUE (default) starts the retry timer, FALSE leaves
   * the object IDLE with the timer stopped ("given up", IOC NCC rule). */
  gboolean (*should_retry) (StasController *self);
  /* Disposal step 3, only when connected and keep_connection is FALSE; runs in the
   * operation slot (the base class reserved it). The result is ignored apart from being
   * awaited (log failures in the implementation). NULL: no step 3. */
  void (*pre_disconnect_async) (StasController *self,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
  void (*pre_disconnect_finish) (StasController *self, GAsyncResult *result);

  gpointer padding[8];
};

/* Process-wide factor applied to every timer period of StasController and StasDc when the
 * timer is started (default 1.0; tests use e.g. 0.001). Displayed intervals stay nominal. */
void stas_controller_set_time_scale (double scale);
double stas_controller_get_time_scale (void);

/* ---- life cycle --------------------------------------------------------------------- */

/* Construct properties (all construct-only):
 *   "fabrics"  StasFabrics *
 *   "kernel"   StasKernel *
 *   "request"  const StasConnectRequest * (G_TYPE_POINTER): deep-copied (TID referenced,
 *              strings and secrets duplicated); request->discovery selects the device
 *              class looked for when adopting (DC or IOC).
 * Subclasses provide their own _new(). */

/* Created by a reconciliation pass: connect attempt on the next main-loop iteration. */
void stas_controller_start (StasController *self);
/* Restored from the state file [D-53]: adopt a matching kernel device now if one exists
 * (§3.4), else stay IDLE until stas_controller_confirm(). Until confirmed, attempts only
 * adopt, never connect, and a failure starts no retry timer. */
void stas_controller_start_restored (StasController *self);
/* The first reconciliation pass wants this restored object: from now on it behaves as if
 * started with stas_controller_start() (connect on the next iteration if IDLE without a
 * running retry timer). No-op when already confirmed. */
void stas_controller_confirm (StasController *self);
gboolean stas_controller_is_confirmed (StasController *self);

/* Attempt now (next main-loop iteration) instead of waiting for the retry timer: a
 * matching device was found, SIGHUP for a given-up IOC, NCC cleared. Cancels a pending
 * retry. No effect unless IDLE (or while an operation is still in flight after a device
 * loss: the attempt follows its completion). @reset_attempts: "connect attempts" = 0
 * first (NCC cleared). */
void stas_controller_connect_now (StasController *self, gboolean reset_attempts);

/* SIGHUP changed this controller's parameters [D-19]: @request replaces the current one
 * (deep copy; its TID must equal the current TID). Applies to the next connect; existing
 * kernel connections are never modified. No effect when nothing changed. */
void stas_controller_update_request (StasController *self, const StasConnectRequest *request);

/* tron/troff: libnvme log level of this connection ([LOG-3]); applied when no operation
 * is in flight (else at the end of the current one). */
void stas_controller_set_tron (StasController *self, gboolean tron);

/* ---- disposal [CONN-5] -------------------------------------------------------------- */

/* Removes the object (behaviour §3.5): state DISPOSING, timers stopped, the in-flight
 * operation awaited (its result only tells whether a device now exists); then, if
 * connected and !@keep_connection: pre_disconnect (DC: DIM deregistration [D-45]), INFO
 * "Disconnect initiated", disconnect (WARNING "Disconnect failed: <reason>" on failure);
 * the device is released from the kernel table. Completes (never re-entrantly) with TRUE,
 * or with G_IO_ERROR_CANCELLED when stas_controller_cancel_dispose() won. Call once; the
 * caller keeps its reference until completion (the task holds one as well). */
void stas_controller_dispose_async (StasController *self,
                                    gboolean keep_connection,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean
stas_controller_dispose_finish (StasController *self, GAsyncResult *result, GError **error);
/* [D-57] The TID is wanted again. TRUE: the disposal was cancelled (the disconnect had not
 * started); the object resumes (CONNECTED → `connected` vfunc again; IDLE → retry timer or
 * connect as before) and dispose_async completes with G_IO_ERROR_CANCELLED. FALSE: too
 * late (or not disposing): wait for the disposal to complete. */
gboolean stas_controller_cancel_dispose (StasController *self);
gboolean stas_controller_is_disposing (StasController *self);
/* TRUE once disposal step 4 (disconnect) started: cancel_dispose() would fail. */
gboolean stas_controller_is_disconnect_started (StasController *self);
/* TRUE once the disposal finished (the object may be dropped). */
gboolean stas_controller_is_disposed (StasController *self);

/* ---- state for the owner and for D-Bus (spec/dbus.md §5.2) ---------------------------- */

StasTid *stas_controller_get_tid (StasController *self); /* (transfer none) */
const char *stas_controller_get_tid_string (StasController *self);
/* The connect request in effect (owned by @self; changes with update_request). */
const StasConnectRequest *stas_controller_get_request (StasController *self);
StasControllerState stas_controller_get_state (StasController *self);
/* "nvme3" while a device is owned (CONNECTED, or DISPOSING with a device), else NULL. */
const char *stas_controller_get_device (StasController *self);
/* The device's current kernel table entry (details dictionary), or NULL. */
const StasKernelCtrl *stas_controller_get_kernel_entry (StasController *self);
/* Identity recorded when the device was claimed [CONN-3], or NULL. */
const StasKernelCtrl *stas_controller_get_identity (StasController *self);
/* "connect attempts": since the last success, including one in flight. */
guint stas_controller_get_connect_attempts (StasController *self);
/* Retry timer: TRUE while running; @interval_s (nominal) and @remaining_s may be NULL. */
gboolean
stas_controller_get_retry_timer (StasController *self, double *interval_s, double *remaining_s);
/* "retry connect timer": timer string (spec/dbus.md §5.5), newly allocated. */
char *stas_controller_dup_retry_timer_string (StasController *self);
/* "connect operation": operation string while a connect/adopt is in flight, else NULL. */
char *stas_controller_dup_connect_operation_string (StasController *self);
/* TRUE while any operation (connect, adopt, subclass step, disconnect) is in flight. */
gboolean stas_controller_is_op_in_flight (StasController *self);

StasFabrics *stas_controller_get_fabrics (StasController *self); /* (transfer none) */
StasKernel *stas_controller_get_kernel (StasController *self);   /* (transfer none) */

/* Properties (read-only, notify): "state" (int StasControllerState), "device" (string).
 * Signals:
 *  "connect-failed" (guint attempts, const char *reason) after every failed attempt
 *      (stafd: aging evaluation of discovered DCs, §8.6).
 *  "disposed" () when the disposal finished (before dispose_async completes). */

/* ---- formats of spec/dbus.md §5.5 ---------------------------------------------------- */

/* The timer string; same as stas_payload_timer_string(). */
char *stas_timer_string (double interval_s, gboolean running, double remaining_s);

/* Bookkeeping of one operation for its operation string. */
typedef struct
{
  guint fail_count;
  int completed;            /* -1 before the first run (None), 0 in flight, 1 finished */
  gboolean alive;           /* FALSE once cancelled */
  gboolean retry_ever;      /* a retry was ever scheduled: the 'retry timer' key appears */
  double retry_interval_s;  /* nominal */
  gint64 retry_deadline_us; /* monotonic time of the retry, 0 when no retry is pending */
  char *error;              /* (owned) (nullable) error of the last run */
} StasOpStatus;

void stas_op_status_init (StasOpStatus *op); /* completed -1, alive TRUE */
void stas_op_status_clear (StasOpStatus *op);
void stas_op_status_started (StasOpStatus *op);
void stas_op_status_succeeded (StasOpStatus *op);
void stas_op_status_failed (StasOpStatus *op, const char *error);
void stas_op_status_retry (StasOpStatus *op, double interval_s, double scaled_s);
/* "{'fail count': 0, 'completed': True, 'alive': True[, 'retry timer': '...'][, 'error': '...']}"
 */
char *stas_op_status_to_string (const StasOpStatus *op);

/* ---- for subclasses ------------------------------------------------------------------- */

/* The per-object libnvme handle (NULL before the first attempt). Use only inside an
 * operation slot. */
StasFabricsCtrl *stas_controller_get_fabrics_ctrl (StasController *self);
/* Reserves the operation slot for a subclass operation. Returns a token (> 0), or 0 when
 * the slot is busy, the object is not CONNECTED, or it is disposing. *@cancellable
 * (may be NULL) receives the slot's cancellable (transfer none), cancelled when the
 * device is lost or the object disposed. */
guint stas_controller_begin_op (StasController *self, GCancellable **cancellable);
/* Frees the slot. TRUE: the result is current, process it. FALSE: it is stale (device
 * lost, disposal, cancelled) — discard it; the base class continues its own pending work
 * (disposal, reconnect) on the next iteration. */
gboolean stas_controller_end_op (StasController *self, guint token);
/* "<tid> | <dev> - " prefix helper: "<dev>" or "nvme?". */
const char *stas_controller_get_device_or_unknown (StasController *self);

G_END_DECLS
