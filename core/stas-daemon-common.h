/* stas-daemon-common.h — logic stafd (StasStaf) and stacd (StasStac) share, one
 * implementation for both: the configured controllers of a reconciliation pass and their host
 * names, the controllers being disposed, the shutdown grace and the debounced state-file write. */
#pragma once

#include <gio/gio.h>

#include "stas-config.h"
#include "stas-controller.h"
#include "stas-payload.h"
#include "stas-service.h"

G_BEGIN_DECLS

/* ---- configured controllers of a pass (behaviour §6.1 and §7.1, steps 1–2) --------------- */

typedef struct
{
  const StasConfigController *ctrl; /* (unowned) in the pass' configuration */
  char *traddr;                     /* (owned) resolved address, or as written */
} StasConfigured;

/* An empty array of StasConfigured (cleared on removal). */
GArray *stas_configured_new (void);
/* Appends the entries of @controllers (may be NULL) that @config does not exclude in their
 * host-name form. */
void stas_configured_add (GArray *configured, StasConfig *config, GPtrArray *controllers);
/* Resolves the host names of @configured (IP transports only) in parallel: [STAF-2] the first
 * IPv4 address when IPv4 is enabled, else the first IPv6; [D-37] a failed look-up keeps the
 * address in @resolved (host name -> last address, updated). @done (@data) runs once per
 * look-up when it finished (also when cancelled, the entry then has no address). Returns the
 * number of look-ups started. */
guint stas_configured_resolve (GArray *configured,
                               StasConfig *config,
                               GHashTable *resolved,
                               GCancellable *cancellable,
                               void (*done) (gpointer data),
                               gpointer data);
/* The TID of a configured entry, NULL (logged) when it has no address yet, is invalid or has
 * an IP family @config excludes. */
StasTid *stas_configured_to_tid (const StasConfigured *c,
                                 const StasTidDefaults *defaults,
                                 StasConfig *config);

/* ---- controllers being disposed ([D-57], [SIG-1]) ----------------------------------------- */

/* Starts disposing @ctrl (transfer full: @disposals keeps the reference); @callback gets
 * @user_data. */
void stas_disposals_start (GPtrArray *disposals,
                           StasController *ctrl,
                           gboolean keep_connection,
                           GAsyncReadyCallback callback,
                           gpointer user_data);
/* In a dispose callback: finishes the disposal of @source and drops it from @disposals. */
void stas_disposals_finish (GPtrArray *disposals, GObject *source, GAsyncResult *result);
/* A TID being disposed is taken back when the disconnect has not started [D-57]: the
 * controller (transfer full: removed from @disposals with its reference), or NULL. */
StasController *stas_disposals_reclaim (GPtrArray *disposals, const StasTid *tid);
/* Whether a controller of @tid is being disposed. */
gboolean stas_disposals_contain (GPtrArray *disposals, const StasTid *tid);

/* ---- the shutdown grace ([SIG-1]: in-flight operations are awaited ≤ SHUTDOWN_GRACE) ----- */

typedef struct
{
  GTask *task;          /* (owned) (nullable) */
  guint timer;          /* the grace timer */
  GPtrArray *disposals; /* (unowned) listed when the grace runs out */
} StasShutdown;

/* Keeps @task (transfer full) until stas_shutdown_complete() or the grace runs out (each
 * controller still in @disposals is then logged). */
void stas_shutdown_wait (StasShutdown *shutdown, GPtrArray *disposals, GTask *task);
/* Returns the awaited task (if any) and stops the grace timer. */
void stas_shutdown_complete (StasShutdown *shutdown);

/* ---- the debounced state-file write (spec/system.md §3) --------------------------------- */

typedef struct
{
  guint timer;
  void (*write) (gpointer data);
  gpointer data;
} StasDebounce;

/* @write (@data) runs once STATE_WRITE_DEBOUNCE (1 s) after the first of the calls. */
void stas_debounce_schedule (StasDebounce *debounce);
void stas_debounce_cancel (StasDebounce *debounce);

/* ---- D-Bus replies (spec/dbus.md §3, §5): from in-memory state only ------------------------ */

/* A StasCtrlInfo with the strings it points to, freed together. */
typedef struct
{
  StasCtrlInfo info;
  char *retry_timer;
  char *connect_op;
  char *log_page_op;
  char *register_op;
  char *supported_op;
  char *unresponsive_timer;
} StasCtrlInfoStore;

/* Fills what every controller has (identity, device, connection, kernel entry) and resets
 * the rest; @ctrl: its controller= entry or NULL. */
void stas_ctrl_info_store_fill (StasCtrlInfoStore *c,
                                StasDaemonKind kind,
                                StasController *controller,
                                const StasConfigController *ctrl);
void stas_ctrl_info_store_clear (StasCtrlInfoStore *c);
/* @n zeroed StasCtrlInfoStore (cleared with the array). */
GArray *stas_ctrl_info_array_new (guint n);
/* The NULL-terminated StasCtrlInfo pointers of @infos (of StasCtrlInfoStore). */
const StasCtrlInfo **stas_ctrl_info_array_ptrs (GArray *infos);

/* [DBUS-13]: the entry of @entries whose controller (@controller_of) the 7 strings designate
 * (the one with the sys.conf host ID first), or NULL. */
gpointer stas_daemon_lookup (StasService *service,
                             GPtrArray *entries,
                             StasController *(*controller_of) (gconstpointer entry),
                             const char *transport,
                             const char *traddr,
                             const char *trsvcid,
                             const char *subsysnqn,
                             const char *host_traddr,
                             const char *host_iface,
                             const char *host_nqn);

/* process_info: the StasProcessInfo with the strings it points to. */
typedef struct
{
  StasProcessInfo info;
  char *state_file;
  char *soak_timer;
  char *resync_timer;
  GArray *terminating; /* StasCtrlInfoStore, to be filled by the caller */
  const StasCtrlInfo **terminating_ptrs;
} StasProcessInfoStore;

/* Fills what both daemons report; @terminating gets @n_disposals zeroed entries. */
void stas_process_info_store_init (StasProcessInfoStore *p,
                                   StasService *service,
                                   double soak_interval,
                                   double soak_remaining,
                                   guint n_disposals);
void stas_process_info_store_clear (StasProcessInfoStore *p);

G_END_DECLS
