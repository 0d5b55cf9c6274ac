/* stas-staf-private.h — StasStaf internals shared by stas-staf.c (reconciliation, state)
 * and stas-staf-dbus.c (the org.nvmexpress.staf members). */
#pragma once

#include "stas-dbus-generated.h"
#include "stas-dc.h"
#include "stas-soak.h"
#include "stas-staf.h"

G_BEGIN_DECLS

/* One discovery controller of stafd. */
typedef struct
{
  StasStaf *owner;                  /* (unowned) */
  StasDc *dc;                       /* (owned) */
  StasConfig *config;               /* (owned) (nullable) the configuration of @ctrl */
  const StasConfigController *ctrl; /* (unowned) (nullable) its controller= entry */
  GPtrArray *referrals;             /* (owned) (nullable) StasTid derived from the last retrieval */
  GHashTable *warned;               /* (owned) (nullable) texts already logged once */
} StafEntry;

/* Entries in creation order (of StafEntry). */
GPtrArray *stas_staf_get_entries (StasStaf *self);
StafEntry *stas_staf_find_entry (StasStaf *self, const StasTid *tid);
StasSoak *stas_staf_get_soak (StasStaf *self);
/* Controllers awaiting disposal (of StasDc). */
GPtrArray *stas_staf_get_disposals (StasStaf *self);

/* stas-staf-dbus.c */
void stas_staf_connect_debug_handlers (StasStaf *self, StasDBusStafDebug *skeleton);
void stas_staf_connect_main_handlers (StasStaf *self, StasDBusStaf *skeleton);

G_END_DECLS
