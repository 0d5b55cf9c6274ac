/* stas-kernel.h — StasKernel: the in-memory table of the kernel's fabrics controllers
 * (behaviour §2, [ARCH-6]): one scan at start, kept current from uevents, resynchronised
 * periodically and after a udev overflow. Connection reuse (§3.4) and controller details
 * are served from it; there is no sysfs scan per connect. */
#pragma once

#include "stas-fabrics.h"
#include "stas-tid.h"

G_BEGIN_DECLS

#define STAS_ADD_EVENT_SOAK_MS 1000
#define STAS_SYSFS_RESYNC_PERIOD_S 60
#define STAS_OVERFLOW_RESYNC_DELAY_MS 500

typedef enum
{
  STAS_CTRL_CLASS_NONE, /* e.g. cntrltype=admin: never adopted or audited */
  STAS_CTRL_CLASS_DC,
  STAS_CTRL_CLASS_IOC,
} StasCtrlClass;

/* [KT-3] DC / IOC classification (cntrltype authoritative when present, D-23). */
StasCtrlClass stas_kernel_ctrl_classify (const StasKernelCtrl *ctrl);

/* Addresses of the host's interfaces, for the legacy host-iface/host-traddr rules of
 * §3.4 row 10: interface name -> addresses in kernel order (first = primary). */
typedef struct _StasIfAddrs StasIfAddrs;
StasIfAddrs *stas_if_addrs_new_from_system (void);
StasIfAddrs *stas_if_addrs_new (void); /* empty, for tests */
void stas_if_addrs_add (StasIfAddrs *addrs, const char *ifname, const char *address);
void stas_if_addrs_free (StasIfAddrs *addrs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasIfAddrs, stas_if_addrs_free)
/* The interface that owns @address, or NULL. */
const char *stas_if_addrs_owner (const StasIfAddrs *addrs, const char *address);

/* [CONN-4] TRUE when kernel device @ctrl may be adopted for candidate @tid (rows 1, 2, 4–12;
 * row 3 — ownership — is the table's business). @addrs may be NULL when no row-10 look-up
 * is needed. */
gboolean stas_kernel_ctrl_matches (const StasKernelCtrl *ctrl,
                                   const StasTid *tid,
                                   StasCtrlClass want,
                                   const StasIfAddrs *addrs);

#define STAS_TYPE_KERNEL (stas_kernel_get_type ())
G_DECLARE_FINAL_TYPE (StasKernel, stas_kernel, STAS, KERNEL, GObject)

StasKernel *stas_kernel_new (StasFabrics *fabrics);

/* Starts the monitor, then scans (behaviour §2.1 order). Fails when the monitor cannot be
 * created ([CLI-2] step 7). */
gboolean stas_kernel_start (StasKernel *self, GError **error);
void stas_kernel_stop (StasKernel *self);

/* The current entry of device @name, or NULL. */
const StasKernelCtrl *stas_kernel_lookup (StasKernel *self, const char *name);
/* Every entry, sorted by instance (of const StasKernelCtrl *; free the array only). */
GPtrArray *stas_kernel_list (StasKernel *self);
guint stas_kernel_get_overflows (StasKernel *self);
/* Seconds until the next periodic resync (for process_info). */
double stas_kernel_get_resync_remaining (StasKernel *self);

/* Ownership (row 3 of §3.4, event routing §2.5). An owner's events reach it through @func
 * (called before "device-event" is emitted), so that a device event costs one call however
 * many controllers exist [NFR-3]; stas_kernel_claim() registers no function. */
typedef void (*StasKernelOwnerFunc) (gpointer owner,
                                     const StasUevent *event,
                                     const StasKernelCtrl *entry);
void stas_kernel_claim (StasKernel *self, const char *name, gpointer owner);
void stas_kernel_claim_full (StasKernel *self,
                             const char *name,
                             gpointer owner,
                             StasKernelOwnerFunc func);
void stas_kernel_release (StasKernel *self, const char *name, gpointer owner);
gpointer stas_kernel_get_owner (StasKernel *self, const char *name);

/* [CONN-4] The lowest-instance unowned device matching @tid, or NULL. */
const StasKernelCtrl *
stas_kernel_find_match (StasKernel *self, const StasTid *tid, StasCtrlClass want);

/* Requests a full resync now (tests, SIGHUP-free recovery). */
void stas_kernel_resync (StasKernel *self, gboolean after_overflow);

/* Signals:
 *  "device-event" (const StasUevent *event, const StasKernelCtrl *entry_or_NULL, gpointer owner)
 *      after the table was updated; @owner is the claimed owner or NULL. Synthesised by a
 *      resync too (remove for owned devices that vanished or changed identity; add for new
 *      devices).
 *  "resynced" (gboolean after_overflow) after every full resync. */

G_END_DECLS
