/* stas-staf.h — StasStaf: the stafd service object; owns the org.nvmexpress.staf skeletons. */
#pragma once

#include "stas-service.h"

G_BEGIN_DECLS

#define STAS_TYPE_STAF (stas_staf_get_type ())
G_DECLARE_FINAL_TYPE (StasStaf, stas_staf, STAS, STAF, StasService)

StasStaf *stas_staf_new (StasFabrics *fabrics);

G_END_DECLS
