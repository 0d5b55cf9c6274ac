/* stas-state.h — the run-time state file "last known config" of stafd and stacd
 * (spec/system.md §3 [STATE-1], spec/bad-input.md §8, SPEC [SEC-1] [SEC-2]).
 *
 * The daemon fills a StasState with one StasStateRecord per controller object, in creation
 * order, and hands it to stas_state_write(); at start-up stas_state_read() gives it back,
 * validated. Both are plain structs: the daemon reads and sets the fields directly.
 * A state never holds secrets or per-controller parameters; there is no field for them. */
#pragma once

#include <glib.h>

#include "stas-names.h"
#include "stas-tid.h"

G_BEGIN_DECLS

#define STAS_STATE_FILE_NAME "last-known-config.json"
#define STAS_STATE_PICKLE_NAME "last-known-config.pickle" /* nvme-stas' file, never read */
#define STAS_STATE_FORMAT "stas-last-known-config"
#define STAS_STATE_VERSION 1

#define STAS_STATE_ERROR (stas_state_error_quark ())
GQuark stas_state_error_quark (void);

typedef enum
{
  STAS_STATE_ERROR_INVALID, /* the document is not a state file this daemon can use */
} StasStateError;

typedef enum
{
  STAS_STATE_ORIGIN_CONFIGURED, /* both daemons */
  STAS_STATE_ORIGIN_REFERRAL,   /* stafd only */
  STAS_STATE_ORIGIN_DISCOVERED, /* both daemons */
  STAS_STATE_ORIGIN_EXTERNAL,   /* stacd only */
} StasStateOrigin;

typedef enum
{
  STAS_STATE_LOG_PAGES_NONE,
  STAS_STATE_LOG_PAGES_CACHED,
  STAS_STATE_LOG_PAGES_CURRENT,
} StasStateLogPages;

/* "configured", "referral", "discovered", "external" */
const char *stas_state_origin_to_string (StasStateOrigin origin);
/* Only the origins of @daemon are accepted (stafd: configured/referral/discovered; stacd:
 * configured/discovered/external). */
gboolean
stas_state_origin_from_string (StasDaemonKind daemon, const char *text, StasStateOrigin *origin);
/* "none", "cached", "current" */
const char *stas_state_log_pages_to_string (StasStateLogPages state);

/* One controller object. Fields marked stafd/stacd are written only for that daemon. */
typedef struct
{
  StasTid *tid; /* (owned) */
  StasStateOrigin origin;
  char *device; /* (owned) last known device "nvme3" or "" — a hint only; never NULL */

  /* stafd */
  guint referral_depth;
  StasStateLogPages log_pages_state; /* a restored cache is served as "cached" unless none */
  GVariant *log_pages;               /* (owned) aa{ss} DLPE dictionaries; never NULL */
  gboolean has_unresponsive_since;   /* FALSE: null in the file */
  gdouble unresponsive_since;        /* wall-clock UNIX time aging started */

  /* stacd */
  GPtrArray *sources; /* (owned) StasTid of the DCs that last listed it; never NULL */
  GVariant *dlpe;     /* (owned) a{ss} of the last DLPE, or NULL */
} StasStateRecord;

/* A record with @tid (a new reference is taken), @origin, device "", no log pages, no
 * sources, no DLPE. */
StasStateRecord *stas_state_record_new (StasTid *tid, StasStateOrigin origin);
void stas_state_record_free (StasStateRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasStateRecord, stas_state_record_free)
void stas_state_record_set_device (StasStateRecord *record, const char *device);
/* @log_pages: aa{ss} (floating references are sunk); NULL = none. */
void stas_state_record_set_log_pages (StasStateRecord *record, GVariant *log_pages);
/* @dlpe: a{ss} (floating references are sunk) or NULL. */
void stas_state_record_set_dlpe (StasStateRecord *record, GVariant *dlpe);
/* Appends a source DC (a new reference is taken). */
void stas_state_record_add_source (StasStateRecord *record, StasTid *dc);

typedef struct
{
  StasDaemonKind daemon;
  char *host_nqn;     /* (owned) sys.conf identity at writing time; may be NULL */
  char *host_id;      /* (owned) may be NULL */
  char *written;      /* (owned) read: the file's time stamp (NULL if absent); not written */
  GPtrArray *records; /* (owned) of StasStateRecord, controller creation order */
} StasState;

StasState *stas_state_new (StasDaemonKind daemon, const char *host_nqn, const char *host_id);
void stas_state_free (StasState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasState, stas_state_free)
/* Appends @record; the state takes ownership. */
void stas_state_add_record (StasState *state, StasStateRecord *record);

/* ---- location (spec/system.md §3.1) ----------------------------------------------------- */

/* The first path of $RUNTIME_DIRECTORY when set and not empty, else <rundir>/<daemon>
 * ("/run/stafd"). Newly allocated. */
char *stas_state_dir (StasDaemonKind daemon);
/* <stas_state_dir()>/last-known-config.json. Newly allocated. */
char *stas_state_path (StasDaemonKind daemon);

/* ---- writing --------------------------------------------------------------------------- */

/* The document (spec/system.md §3.3), one controller per line, ending with a newline.
 * @written: the time stamp to write (NULL = now). */
char *stas_state_to_json (const StasState *state, GDateTime *written);
/* Atomic write [STATE-1] [SEC-2]: creates the directory of @path with mode 0700 when it
 * is missing, writes <path>.tmp (mode 0600, never through a symbolic link), fsync()s it,
 * renames it over @path and fsync()s the directory. On failure @path is untouched, the
 * temporary file is removed and @error (G_FILE_ERROR) says what failed; the caller logs
 * ERROR "Unable to save last known config: <message>". */
gboolean stas_state_write (const StasState *state, const char *path, GError **error);

/* ---- reading (spec/system.md §3.2, spec/bad-input.md §8) -------------------------------- */

/* Parses and validates a document for @daemon. Document-level problems (not JSON, not an
 * object, wrong `format`/`daemon`, unsupported `version`, no `controllers` array) fail with
 * STAS_STATE_ERROR_INVALID and the reason as message. An invalid record is skipped with
 * WARNING "Ignoring invalid record <n> in <path>: <reason>" in @diags (n = index in the
 * `controllers` array, from 0). TIDs are normalised again: a record's own TID with
 * @defaults (the daemon's, may be NULL), the stacd `sources` with none (they are DC TIDs
 * normalised by stafd). DLPE dictionaries are re-rendered in the published form; stafd
 * log-page entries that would not be published are left out. */
StasState *stas_state_from_json (const char *text,
                                 gsize length,
                                 StasDaemonKind daemon,
                                 const StasTidDefaults *defaults,
                                 const char *path,
                                 GPtrArray *diags,
                                 GError **error);
/* Reads @path; never fails: returns an empty state (no records) when there is nothing
 * usable. Diagnostics in @diags (may be NULL):
 *   DEBUG   file missing;
 *   WARNING "Ignoring last known config <path>: <reason>" for an unreadable or invalid
 *           file, which is then renamed to <path>.invalid (replacing an older one);
 *   WARNING per invalid record (see stas_state_from_json());
 *   INFO    "Ignoring nvme-stas state file <dir>/last-known-config.pickle" when that
 *           file exists (it is left untouched). */
StasState *stas_state_read (const char *path,
                            StasDaemonKind daemon,
                            const StasTidDefaults *defaults,
                            GPtrArray *diags);

G_END_DECLS
