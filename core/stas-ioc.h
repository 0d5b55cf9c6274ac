/* stas-ioc.h — StasIoc: an I/O controller connection of stacd (spec/behaviour.md §3, §9).
 *
 * The connection state machine is StasController's; StasIoc adds what stacd knows about the
 * controller: where it came from (origin), the discovery controllers whose log page listed
 * it (sources), its last Discovery Log Page Entry and the NCC rule [NCC-1]:
 *
 *   ncc    = the DLPE has eflags bit 2 (an IOC without DLPE never has NCC)
 *   limit  = connect-attempts-on-ncc when ncc, else 0
 *   retry while limit == 0 or connect attempts < limit; when it stops:
 *            INFO "<tid> - Giving up after <n> connect attempts while the NCC bit is set"
 *   a new DLPE that clears NCC while not connected: connect attempts = 0, connect now.
 *
 * A "change" uevent carrying NVME_AEN is logged at INFO "<tid> | <dev> - Received AEN: <value>"
 * and otherwise ignored. When a connect fails while the kernel table already shows a matching
 * device (someone else — nvme-cli's udev rule, an administrator — connected it meanwhile,
 * spec/system.md §4.3), the IOC adopts it at once instead of waiting for the retry timer. */
#pragma once

#include "stas-controller.h"
#include "stas-dlp.h"

G_BEGIN_DECLS

typedef enum
{
  STAS_IOC_ORIGIN_CONFIGURED, /* a controller= entry of stacd.conf */
  STAS_IOC_ORIGIN_DISCOVERED, /* a DLPE of a DC stafd serves */
  STAS_IOC_ORIGIN_EXTERNAL,   /* adopted by the audit of external connections [STAC-6] */
} StasIocOrigin;

const char *stas_ioc_origin_to_string (StasIocOrigin origin); /* "configured", ... */

#define STAS_TYPE_IOC (stas_ioc_get_type ())
G_DECLARE_FINAL_TYPE (StasIoc, stas_ioc, STAS, IOC, StasController)

/* @request->discovery must be FALSE. @connect_attempts_on_ncc: the configuration value
 * (0 = ignore NCC). Call stas_controller_start() or stas_controller_start_restored() next. */
StasIoc *stas_ioc_new (StasFabrics *fabrics,
                       StasKernel *kernel,
                       const StasConnectRequest *request,
                       guint connect_attempts_on_ncc);

/* SIGHUP: the new connect-attempts-on-ncc (applies from the next failed attempt). */
void stas_ioc_set_connect_attempts_on_ncc (StasIoc *self, guint limit);
guint stas_ioc_get_connect_attempts_on_ncc (StasIoc *self);

/* The last DLPE associated with the IOC (copied), or NULL for none. Clearing NCC while not
 * connected resets "connect attempts" and connects now [NCC-1]. */
void stas_ioc_set_dlpe (StasIoc *self, const StasDlpe *dlpe);
const StasDlpe *stas_ioc_get_dlpe (StasIoc *self); /* NULL: none */
gboolean stas_ioc_get_ncc (StasIoc *self);

void stas_ioc_set_origin (StasIoc *self, StasIocOrigin origin);
StasIocOrigin stas_ioc_get_origin (StasIoc *self);

/* DCs whose log page last listed this IOC (StasTid). @sources may be NULL (none); the TIDs
 * are referenced, the array is not kept. */
void stas_ioc_set_sources (StasIoc *self, GPtrArray *sources);
GPtrArray *stas_ioc_get_sources (StasIoc *self); /* (transfer none) never NULL */

/* TRUE after the NCC rule stopped the retries (until the next attempt). */
gboolean stas_ioc_has_given_up (StasIoc *self);

/* [NCC-1] [SIG-2]: not connected and no retry pending (e.g. given up) → connect now. */
void stas_ioc_kick (StasIoc *self);

G_END_DECLS
