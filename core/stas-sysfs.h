/* stas-sysfs.h — pure readers of the kernel's NVMe sysfs view (spec/behaviour.md §2.2
 * [KT-2]) and of the kernel's fabrics capabilities (SPEC §2.3 [GEN-4]).
 *
 * Every reader takes the sysfs root directory ("/sys" on a real system, a fake tree in
 * the tests). Nothing here blocks on the network; the readers may run in any thread. */
#pragma once

#include <glib.h>

#include "stas-fabrics.h"

G_BEGIN_DECLS

#define STAS_SYSFS_ROOT "/sys"

/* The fields of a controller's `address` attribute ("traddr=..,trsvcid=..,src_addr=..,
 * host_traddr=..,host_iface=.."). Missing items, and the value `none` (any case) or
 * `(efault)`, are ''. Never NULL after stas_sysfs_parse_address(). */
typedef struct
{
  char *traddr;
  char *trsvcid;
  char *host_traddr;
  char *host_iface;
  char *src_addr;
} StasSysfsAddress;

void stas_sysfs_parse_address (const char *address, StasSysfsAddress *out);
void stas_sysfs_address_clear (StasSysfsAddress *address);

/* An attribute value as stored in the table: trimmed, invalid UTF-8 sequences replaced by
 * U+FFFD; `none` (any case) and `(efault)` become ''. NULL gives ''. Newly allocated. */
char *stas_sysfs_clean_value (const char *value);

/* TRUE for "tcp", "rdma", "fc", "loop" (the transports the table keeps, [D-41]). */
gboolean stas_sysfs_is_fabrics_transport (const char *transport);

/* "nvme<N>" → N; -1 for anything else ("nvme-fabrics", "nvme0n1", "nvme", ...). */
int stas_sysfs_ctrl_instance (const char *name);

/* Reads <sysfs_root>/class/nvme/<name>. NULL when the device does not exist, @name is
 * not "nvme<N>", or its transport is not a fabrics transport (pcie, apple-nvme, ...).
 * An attribute that cannot be read is ''. @sysfs_root NULL means "/sys". */
StasKernelCtrl *stas_sysfs_read_ctrl (const char *sysfs_root, const char *name);

/* Every fabrics controller under <sysfs_root>/class/nvme, sorted by instance; a GPtrArray
 * of StasKernelCtrl (free func set). A missing class/nvme directory (no nvme module) is an
 * empty list; other directory errors fail with G_FILE_ERROR. */
GPtrArray *stas_sysfs_scan (const char *sysfs_root, GError **error);

/* ---- kernel capabilities (SPEC §2.3) ------------------------------------------------- */

/* Parses the first line of /dev/nvme-fabrics (comma-separated `option[=%x]` tokens) into
 * the option-based capabilities host_iface, discovery, dhchap_secret, dhchap_ctrl_secret
 * and sets from_options. Returns FALSE (and leaves @caps alone) when @line is NULL or
 * holds no option. */
gboolean stas_kernel_caps_parse_options (const char *line, StasKernelCaps *caps);

/* Sets every capability from the kernel release (`uname -r`, e.g. "6.1.0-18-amd64") and
 * the thresholds of SPEC §2.3; from_options = FALSE. An unparsable release counts as
 * 0.0 (nothing supported). */
void stas_kernel_caps_from_release (const char *release, StasKernelCaps *caps);

/* The detection rule: the release thresholds for everything, then, when @options_line
 * holds options, the four option-based capabilities from it (cntrltype and src_addr are
 * sysfs/uevent features and always come from the release). */
void stas_kernel_caps_detect (const char *options_line, const char *release, StasKernelCaps *caps);

G_END_DECLS
