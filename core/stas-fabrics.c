/* stas-fabrics.c — the StasFabrics interface. */
#include "config.h"

#include "stas-fabrics.h"

G_DEFINE_INTERFACE (StasFabrics, stas_fabrics, G_TYPE_OBJECT)

static void
stas_fabrics_default_init (StasFabricsInterface *iface)
{
}

gboolean
stas_fabrics_check_kernel (StasFabrics *self, GError **error)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), FALSE);
  return STAS_FABRICS_GET_IFACE (self)->check_kernel (self, error);
}

char *
stas_fabrics_get_library_version (StasFabrics *self)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), NULL);
  return STAS_FABRICS_GET_IFACE (self)->get_library_version (self);
}
