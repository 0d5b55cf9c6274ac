/* stas-fabrics.h — StasFabrics, the only door to the kernel's NVMe fabrics.
 *
 * The shipped binary links the libnvme implementation (stas-fabrics-nvme.c); stas-fake
 * and the tests link the scripted fake (test/fake-fabrics.c). Both provide
 * stas_fabrics_new_default(). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define STAS_TYPE_FABRICS (stas_fabrics_get_type ())
G_DECLARE_INTERFACE (StasFabrics, stas_fabrics, STAS, FABRICS, GObject)

struct _StasFabricsInterface
{
  GTypeInterface parent_iface;

  /* TRUE when the kernel's fabrics interface (/dev/nvme-fabrics) is usable. */
  gboolean (*check_kernel) (StasFabrics *self, GError **error);
  /* Version of the fabrics library ("1.3"), newly allocated. */
  char *(*get_library_version) (StasFabrics *self);
};

gboolean stas_fabrics_check_kernel (StasFabrics *self, GError **error);
char *stas_fabrics_get_library_version (StasFabrics *self);

/* The implementation linked into this executable. */
StasFabrics *stas_fabrics_new_default (void);

G_END_DECLS
