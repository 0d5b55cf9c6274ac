/* stas-stac.h — StasStac: the stacd service object; owns the org.nvmexpress.stac skeletons. */
#pragma once

#include "stas-service.h"

G_BEGIN_DECLS

#define STAS_TYPE_STAC (stas_stac_get_type ())
G_DECLARE_FINAL_TYPE (StasStac, stas_stac, STAS, STAC, StasService)

StasStac *stas_stac_new (StasFabrics *fabrics);

G_END_DECLS
