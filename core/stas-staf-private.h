/* stas-staf-private.h — StasStaf internals shared by stas-staf.c (reconciliation, state)
 * and stas-staf-dbus.c (the org.nvmexpress.staf members). */
#pragma once

#include "stas-avahi.h"
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
  /* mDNS removal policy, origin discovered [ZC-6] */
  gboolean unresponsive;     /* not advertised and not connected since... */
  gint64 unresponsive_since; /* wall clock, seconds (display) */
  gint64 unresponsive_mono;  /* monotonic µs (the deadline) */
  double persistence;        /* zeroconf-connections-persistence in effect, s; < 0 forever */
  guint aging_timer;         /* running while aging with persistence >= 0 */
} StafEntry;

/* Entries in creation order (of StafEntry). */
GPtrArray *stas_staf_get_entries (StasStaf *self);
StafEntry *stas_staf_find_entry (StasStaf *self, const StasTid *tid);
StasSoak *stas_staf_get_soak (StasStaf *self);
/* Controllers awaiting disposal (of StasDc). */
GPtrArray *stas_staf_get_disposals (StasStaf *self);

/* zeroconf (behaviour §8). The browser: created at activation unless a test set one
 * before (stas_avahi_new (NULL, FALSE, ...)); NULL before. */
StasAvahi *stas_staf_get_avahi (StasStaf *self);
void stas_staf_set_avahi (StasStaf *self, StasAvahi *avahi);
/* "mdns advertised": Avahi reports a reachable service with this TID. */
gboolean stas_staf_is_advertised (StasStaf *self, const StasTid *tid);
/* The aging timer of a discovered DC: TRUE while running, with the seconds left. */
gboolean stas_staf_entry_aging_timer (StafEntry *entry, double *remaining_s);

/* stas-staf-dbus.c */
void stas_staf_connect_debug_handlers (StasStaf *self, StasDBusStafDebug *skeleton);
void stas_staf_connect_main_handlers (StasStaf *self, StasDBusStaf *skeleton);

G_END_DECLS
