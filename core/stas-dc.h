/* stas-dc.h — StasDc: a discovery controller connection (stafd), spec/behaviour.md §5.
 *
 * On entering CONNECTED the post-connect chain runs [DC-1], one step at a time in the
 * controller's operation slot:
 *   DIM register     when dctype is ddc/cdc (dctype unknown: ask registration_supported)
 *                    and the transport is tcp; NVMe status / not applicable → WARNING,
 *                    continue; transport error → ERROR (first of a streak), retry in 5 s
 *   Supported LPs    when pleo is enabled and dctype != cdc; lsp = PLEO (0x2) if PLEOS;
 *                    NVMe status → lsp 0; transport error → ERROR, retry in 5 s
 *   Get DLP (lsp)    failure → ERROR (first of a streak), retry in 20 s
 *   READY
 * DLP requests (AENs, overflow resync) and chain restarts (NVME_EVENT=connected|
 * rediscover, SIGHUP) are coalesced per [DC-7]: never dropped, never two retrievals at once.
 *
 * The DLP cache: the published entries (StasDlpe) of the last retrieval, its state
 * none/cached/current and the count of dropped malformed entries. A loss of the device
 * keeps the entries as "cached".
 *
 * Signals:
 *   "log-pages-changed" () after every successful retrieval, even when unchanged [DC-5].
 * Properties: "origin" (int StasDcOrigin), "referral-depth" (uint), "pleo" (boolean),
 * all read-write, set by the owner. */
#pragma once

#include "stas-controller.h"

G_BEGIN_DECLS

#define STAS_REGISTRATION_RETRY_S 5.0
#define STAS_GET_SUPPORTED_RETRY_S 5.0
#define STAS_GET_LOG_PAGE_RETRY_S 20.0
#define STAS_DLP_LSP_PLEO 0x2
#define STAS_LOG_PAGE_OPTION_PLEOS 0x2

typedef enum
{
  STAS_DC_ORIGIN_CONFIGURED,
  STAS_DC_ORIGIN_REFERRAL,
  STAS_DC_ORIGIN_DISCOVERED,
} StasDcOrigin;

const char *stas_dc_origin_to_string (StasDcOrigin origin); /* "configured", ... */

typedef enum
{
  STAS_DLP_STATE_NONE,    /* no DLP obtained and none restored */
  STAS_DLP_STATE_CACHED,  /* restored, or kept across a loss of the device */
  STAS_DLP_STATE_CURRENT, /* retrieved on the present connection */
} StasDlpState;

const char *stas_dlp_state_to_string (StasDlpState state); /* "none", "cached", "current" */

#define STAS_TYPE_DC (stas_dc_get_type ())
G_DECLARE_FINAL_TYPE (StasDc, stas_dc, STAS, DC, StasController)

/* @request->discovery must be TRUE. @pleo: the pleo configuration option. Call
 * stas_controller_start() or stas_controller_start_restored() next. */
StasDc *stas_dc_new (StasFabrics *fabrics,
                     StasKernel *kernel,
                     const StasConnectRequest *request,
                     gboolean pleo);

/* ---- triggers ---------------------------------------------------------------------- */

/* Requests a DLP retrieval (udev overflow resync [D-39]); coalesced per [DC-7]. Nothing
 * to do when not connected (the chain after the connect ends with a retrieval). */
void stas_dc_request_dlp (StasDc *self);
/* Restarts the chain from its first applicable step (SIGHUP); coalesced per [DC-7]. */
void stas_dc_restart_chain (StasDc *self);

/* ---- owner fields ------------------------------------------------------------------ */

void stas_dc_set_origin (StasDc *self, StasDcOrigin origin);
StasDcOrigin stas_dc_get_origin (StasDc *self);
void stas_dc_set_referral_depth (StasDc *self, guint depth);
guint stas_dc_get_referral_depth (StasDc *self);
/* pleo option (SIGHUP): used from the next chain (re)start. */
void stas_dc_set_pleo (StasDc *self, gboolean pleo);
gboolean stas_dc_get_pleo (StasDc *self);

/* ---- the DLP cache ------------------------------------------------------------------- */

/* The cached entries (GArray of StasDlpe, published entries only, log-page order); never
 * NULL (empty when state is none). Owned by @self; replaced on the next retrieval. */
const GArray *stas_dc_get_log_pages (StasDc *self);
StasDlpState stas_dc_get_log_pages_state (StasDc *self);
/* Malformed entries dropped from the last retrieval (or the restored value). */
guint stas_dc_get_log_pages_dropped (StasDc *self);
/* Restored from the state file: entries copied, state "cached". No signal. */
/* The log pages as aa{ss} (transfer none) and as compact JSON (transfer none), both
 * cached until the log pages change. */
GVariant *stas_dc_get_log_pages_variant (StasDc *self);
const char *stas_dc_get_log_pages_json (StasDc *self);
void stas_dc_set_cached_log_pages (StasDc *self, const GArray *entries, guint dropped);

/* ---- state for D-Bus (spec/dbus.md §5.2) ---------------------------------------------- */

/* TRUE when DIM registration succeeded on the current connection. */
gboolean stas_dc_is_registered (StasDc *self);
/* The lsp in use on this connection (0 or STAS_DLP_LSP_PLEO). */
guint8 stas_dc_get_lsp (StasDc *self);
/* Operation strings (spec/dbus.md §5.5), NULL when the operation was not started on the
 * current connection: "get log page operation", "register operation",
 * "get supported log page operation". */
char *stas_dc_dup_get_log_page_operation_string (StasDc *self);
char *stas_dc_dup_register_operation_string (StasDc *self);
char *stas_dc_dup_supported_log_pages_operation_string (StasDc *self);

G_END_DECLS
