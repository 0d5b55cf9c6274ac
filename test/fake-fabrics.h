/* fake-fabrics.h — domain API of the scripted fake fabrics (tests only). */
#pragma once

#include "stas-fabrics.h"

G_BEGIN_DECLS

#define STAS_TYPE_FAKE_FABRICS (stas_fake_fabrics_get_type ())
G_DECLARE_FINAL_TYPE (StasFakeFabrics, stas_fake_fabrics, STAS, FAKE_FABRICS, GObject)

void stas_fake_fabrics_set_kernel_available (StasFakeFabrics *self, gboolean available);

G_END_DECLS
