/* stas-tid.h — the controller identity, the Transport Identifier (SPEC §4) [TID-1] [TID-2].
 *
 * A StasTid is immutable and atomically reference counted (it may be handed to worker
 * threads). It holds only normalised values: transport lower-case, tcp/rdma addresses in
 * canonical IP text, a defaulted trsvcid, host NQN/ID filled from the sys.conf defaults.
 * Host names are resolved before a TID is built; a TID never holds a host name. */
#pragma once

#include <glib-object.h>

#include "stas-names.h"

G_BEGIN_DECLS

#define STAS_TID_ERROR (stas_tid_error_quark ())
GQuark stas_tid_error_quark (void);

typedef enum
{
  STAS_TID_ERROR_TRANSPORT,   /* not tcp, rdma, fc or loop */
  STAS_TID_ERROR_TRADDR,      /* tcp/rdma traddr is not an IP literal */
  STAS_TID_ERROR_TRSVCID,     /* tcp/rdma trsvcid not a port 1..65535 (or missing) */
  STAS_TID_ERROR_HOST_TRADDR, /* tcp/rdma host-traddr given but not an IP literal */
  STAS_TID_ERROR_VARIANT,     /* stas_tid_from_variant(): wrong type or missing key */
} StasTidError;

typedef struct _StasTid StasTid;

#define STAS_TYPE_TID (stas_tid_get_type ())
GType stas_tid_get_type (void); /* boxed type (ref/unref) */

/* Raw field values as found in a source (config entry, DLPE, mDNS, sysfs, D-Bus call).
 * NULL means ''. Surrounding whitespace is ignored. Use designated initialisers. */
typedef struct
{
  const char *transport;
  const char *traddr;
  const char *trsvcid;
  const char *subsysnqn;
  const char *host_traddr;
  const char *host_iface;
  const char *host_nqn;
  const char *host_id;
} StasTidFields;

/* Daemon-wide inputs of the normalisation (SPEC §4.1). */
typedef struct
{
  StasDaemonKind kind;   /* trsvcid defaults; stafd fills an empty subsysnqn */
  gboolean ignore_iface; /* TRUE: host-iface is always '' */
  const char *host_nqn;  /* sys.conf host NQN, used when a TID's host NQN is empty */
  const char *host_id;   /* sys.conf host ID, used when a TID's host ID is empty */
} StasTidDefaults;

/* Builds a normalised TID (SPEC §4.1). @defaults may be NULL: then nothing is defaulted
 * (an empty tcp/rdma trsvcid is an error, empty subsysnqn/host-nqn/host-id stay empty)
 * and host-iface is kept for tcp.
 * Fails (NULL + STAS_TID_ERROR) when the transport is not tcp/rdma/fc/loop, a tcp/rdma
 * traddr is not an IP literal (resolve host names first), a tcp/rdma trsvcid is not a
 * decimal port 1..65535, or a non-empty tcp/rdma host-traddr is not an IP literal.
 * Nothing else is validated (NQN syntax, UUID syntax, fc address syntax, interface name
 * syntax are the source's checks): fc/loop addresses and the other strings are kept as
 * given apart from trimming and the case rules. */
StasTid *
stas_tid_new (const StasTidDefaults *defaults, const StasTidFields *fields, GError **error);

/* String form (SPEC §4.2) of what stas_tid_new() would build, computed best-effort for
 * fields that may not form a valid TID (e.g. to log "<tid> IP address is not valid").
 * Never fails; newly allocated. */
char *stas_tid_fields_to_string (const StasTidDefaults *defaults, const StasTidFields *fields);

StasTid *stas_tid_ref (StasTid *tid);
void stas_tid_unref (StasTid *tid);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasTid, stas_tid_unref)

/* Normalised fields; never NULL (empty fields are ""). Owned by @tid. */
const char *stas_tid_get_transport (const StasTid *tid);
const char *stas_tid_get_traddr (const StasTid *tid);
const char *stas_tid_get_trsvcid (const StasTid *tid);
const char *stas_tid_get_subsysnqn (const StasTid *tid);
const char *stas_tid_get_host_traddr (const StasTid *tid);
const char *stas_tid_get_host_iface (const StasTid *tid);
const char *stas_tid_get_host_nqn (const StasTid *tid);
const char *stas_tid_get_host_id (const StasTid *tid);

/* [TID-2] All eight fields equal byte-wise. GEqualFunc/GHashFunc compatible, so a
 * GHashTable keyed by TIDs is g_hash_table_new_full (stas_tid_hash, stas_tid_equal,
 * (GDestroyNotify) stas_tid_unref, ...). */
gboolean stas_tid_equal (gconstpointer a, gconstpointer b);
guint stas_tid_hash (gconstpointer tid);

/* [TID-2] "(<transport>, <traddr>, <trsvcid>[, <subsysnqn>][, <host-iface>][, <host-traddr>])".
 * Owned by @tid (computed once), valid as long as @tid. */
const char *stas_tid_to_string (const StasTid *tid);

/* GVariant form: a{ss} with the eight keys "transport", "traddr", "trsvcid", "subsysnqn",
 * "host-traddr", "host-iface", "host-nqn", "host-id" in that order — the key names of the
 * state file's `tid` object (spec/system.md §3.3). Floating reference. */
GVariant *stas_tid_to_variant (const StasTid *tid);
/* Inverse of stas_tid_to_variant(). Requires type a{ss} with all eight keys (other keys
 * are ignored) and re-applies the normalisation of stas_tid_new() with @defaults (may be
 * NULL, see there), so a hand-edited or stale value cannot smuggle in a non-canonical
 * TID. Fails with STAS_TID_ERROR. */
StasTid *stas_tid_from_variant (GVariant *variant, const StasTidDefaults *defaults, GError **error);

/* ---- D-Bus 7-string look-up (spec/dbus.md §3.4) [DBUS-13] ---------------------------- */

/* Builds the look-up key of controller_info / get_log_pages from the method arguments
 * with the normalisation of stas_tid_new() and @defaults (an empty @host_nqn becomes the
 * sys.conf host NQN [D-24]; host-id is set to the sys.conf host ID). Returns NULL when the
 * arguments cannot be normalised: such a look-up matches nothing and is not an error. */
StasTid *stas_tid_new_lookup (const StasTidDefaults *defaults,
                              const char *transport,
                              const char *traddr,
                              const char *trsvcid,
                              const char *subsysnqn,
                              const char *host_traddr,
                              const char *host_iface,
                              const char *host_nqn);
/* TRUE if @tid equals @key in every field except host-id. FALSE when @key is NULL.
 * Among several matching controllers the caller prefers the one for which
 * stas_tid_equal (tid, key) holds (its host ID is the sys.conf host ID), else the oldest. */
gboolean stas_tid_matches_lookup (const StasTid *tid, const StasTid *key);

G_END_DECLS
