/* stas-error.h — the STAS_ERROR domain, registered for D-Bus. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define STAS_ERROR (stas_error_quark ())

typedef enum
{
  STAS_ERROR_FAILED,          /* org.nvmexpress.stas.Error.Failed */
  STAS_ERROR_NOT_IMPLEMENTED, /* org.nvmexpress.stas.Error.NotImplemented */
  STAS_ERROR_IDENTITY,        /* host NQN / host ID unusable */
} StasError;

GQuark stas_error_quark (void);

G_END_DECLS
