/* stas-stac-private.h — StasStac internals shared by stas-stac.c (reconciliation, stafd
 * client, audit, state) and stas-stac-dbus.c (the org.nvmexpress.stac members), and the
 * parser of stafd's get_all_log_pages reply (behaviour §7.3, spec/dbus.md §8), exposed for
 * the tests. */
#pragma once

#include "stas-dbus-generated.h"
#include "stas-ioc.h"
#include "stas-json.h"
#include "stas-payload.h"
#include "stas-soak.h"
#include "stas-stac.h"

G_BEGIN_DECLS

#define STAS_STAFD_BUS_NAME "org.nvmexpress.staf"
#define STAS_STAFD_CALL_TIMEOUT_MS 25000  /* DBUS_CALL_TIMEOUT */
#define STAS_STAFD_ORPHAN_GRACE_MS 600000 /* STAFD_ORPHAN_GRACE */
#define STAS_DISPOSAL_AUDIT_PERIOD_S 30.0 /* shown as "terminator.audit timer" */

/* ---- the stafd snapshot [STAC-3] ------------------------------------------------------- */

/* One DC element of the reply. */
typedef struct
{
  StasTid *tid; /* (owned) the DC's identity, host-id defaulted to the sys.conf one */
  gboolean authoritative;
} StasSnapDc;

/* One I/O controller derived from the reply. */
typedef struct
{
  StasTid *tid;       /* (owned) normalised with stacd's defaults */
  StasDlpe dlpe;      /* from the last DC (reply order) that lists it */
  GPtrArray *sources; /* (owned) StasTid of the DCs that list it, reply order */
} StasSnapIoc;

typedef struct
{
  GPtrArray *dcs;       /* (owned) StasSnapDc, reply order (a DC listed twice: merged) */
  GPtrArray *iocs;      /* (owned) StasSnapIoc, first-seen order */
  GHashTable *index;    /* StasTid -> StasSnapIoc (unowned) */
  GHashTable *dc_index; /* StasTid -> StasSnapDc (unowned) */
  guint malformed;      /* elements skipped as malformed */
  gboolean complete;    /* every DC authoritative and no malformed element */
} StasStafSnapshot;

/* Parses a get_all_log_pages(true) reply. Fails (NULL, @error) when the text is not a JSON
 * array: the snapshot is then unavailable. Element checks of spec/dbus.md §8 (WARNING
 * "Ignoring malformed entry <n> from stafd", partial), DLPE checks of behaviour §7.3 (INFO
 * cross-transport, WARNING "Ignoring malformed discovery log page entry from <DC tid>:
 * <reason>"; both once per text: @warned is the set of texts already logged, may be NULL).
 * @ioc_defaults: stacd's TID defaults (ignore-iface, sys.conf host NQN/ID); @dc_defaults:
 * the defaults DC identities are completed with (stafd's kind, no ignore-iface). */
StasStafSnapshot *stas_staf_snapshot_parse (const char *json,
                                            const StasTidDefaults *ioc_defaults,
                                            const StasTidDefaults *dc_defaults,
                                            GHashTable *warned,
                                            GPtrArray *diags,
                                            GError **error);
void stas_staf_snapshot_free (StasStafSnapshot *snapshot);
/* One log page entry of the reply (a JSON object of strings) as a DLPE: the rules and the
 * error texts of stas_dlpe_from_variant(). */
gboolean stas_staf_snapshot_entry_to_dlpe (const StasJson *entry, StasDlpe *out, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasStafSnapshot, stas_staf_snapshot_free)
StasSnapDc *stas_staf_snapshot_find_dc (const StasStafSnapshot *snapshot, const StasTid *dc);

/* ---- the service -------------------------------------------------------------------------- */

/* One I/O controller of stacd. */
typedef struct
{
  StasStac *owner;                  /* (unowned) */
  StasIoc *ioc;                     /* (owned) */
  StasConfig *config;               /* (owned) (nullable) the configuration of @ctrl */
  const StasConfigController *ctrl; /* (unowned) (nullable) its controller= entry */
  GHashTable *warned;               /* (owned) (nullable) texts already logged once */
} StacEntry;

/* Entries in creation order (of StacEntry). */
GPtrArray *stas_stac_get_entries (StasStac *self);
StacEntry *stas_stac_find_entry (StasStac *self, const StasTid *tid);
/* Controllers awaiting disposal (of StasIoc). */
GPtrArray *stas_stac_get_disposals (StasStac *self);
StasSoak *stas_stac_get_soak (StasStac *self);
/* Nominal interval of the soak timer now (1.5 s, or 10 s after stafd came back). */
double stas_stac_get_soak_interval (StasStac *self);
StasStafdData stas_stac_get_stafd_data (StasStac *self);
/* Unique name of the org.nvmexpress.staf owner, or NULL. */
const char *stas_stac_get_stafd_owner (StasStac *self);

/* Tests: shorter DBUS_CALL_TIMEOUT and STAFD_ORPHAN_GRACE. */
void stas_stac_set_call_timeout (StasStac *self, guint ms);
void stas_stac_set_orphan_grace (StasStac *self, guint ms);

/* stas-stac-dbus.c */
void stas_stac_connect_debug_handlers (StasStac *self, StasDBusStacDebug *skeleton);
void stas_stac_connect_main_handlers (StasStac *self, StasDBusStac *skeleton);

G_END_DECLS
