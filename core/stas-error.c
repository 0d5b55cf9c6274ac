/* stas-error.c */
#include "config.h"

#include "stas-error.h"

#include <gio/gio.h>

static const GDBusErrorEntry stas_error_entries[] = {
  { STAS_ERROR_FAILED, "org.nvmexpress.stas.Error.Failed" },
  { STAS_ERROR_NOT_IMPLEMENTED, "org.nvmexpress.stas.Error.NotImplemented" },
  { STAS_ERROR_IDENTITY, "org.nvmexpress.stas.Error.Identity" },
};

GQuark
stas_error_quark (void)
{
  static gsize quark;

  g_dbus_error_register_error_domain ("stas-error-quark", &quark, stas_error_entries,
                                      G_N_ELEMENTS (stas_error_entries));
  return (GQuark) quark;
}
