/* stas-zeroconf.h — the pure rules of stafd's zeroconf (spec/behaviour.md §8): DNS-SD TXT
 * parsing, service identification, the TCP check back-off, duplicate addresses, the
 * service key and the service → TID step. No Avahi, no I/O: StasAvahi (stas-avahi.h)
 * feeds these with what avahi-daemon reported. [ZC-3] [ZC-4] [ZC-5] [D-49] [D-50] */
#pragma once

#include <glib.h>

#include "stas-tid.h"

G_BEGIN_DECLS

#define STAS_ZC_STYPE_TCP "_nvme-disc._tcp"
#define STAS_ZC_STYPE_UDP "_nvme-disc._udp"
#define STAS_ZC_DOMAIN "local"
#define STAS_TCP_CHECK_TIMEOUT_S 10

/* ---- TXT records [ZC-3] ------------------------------------------------------------------ */

/* Parsed TXT records: keys lower-cased and trimmed, values trimmed, in the order of their
 * first appearance; a later duplicate key replaces the value. */
typedef struct _StasZcTxt StasZcTxt;

/* Parses the raw records (GBytes each, as received). A record that is not printable
 * ASCII, has no '=' or an empty key is ignored (DEBUG diagnostic in @diags, may be NULL).
 * Split at the first '=' [D-50]. */
StasZcTxt *stas_zc_txt_parse (GBytes *const *records, guint n_records, GPtrArray *diags);
/* Convenience for C strings (tests, injected results). */
StasZcTxt *stas_zc_txt_parse_strv (const char *const *records, GPtrArray *diags);
void stas_zc_txt_free (StasZcTxt *txt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasZcTxt, stas_zc_txt_free)

/* The value of @key (lower-case), or NULL. */
const char *stas_zc_txt_lookup (const StasZcTxt *txt, const char *key);
guint stas_zc_txt_size (const StasZcTxt *txt);
/* "{'p': 'tcp', 'nqn': 'nqn...'}" (as the reference logs it). */
char *stas_zc_txt_to_string (const StasZcTxt *txt);

/* The `p` rule: trimmed, lower-cased; "tcp" → "tcp"; "roce", "iwarp", "rdma" → "rdma";
 * anything else (or NULL) → NULL. */
const char *stas_zc_transport_from_p (const char *p);

/* ---- identification [ZC-3] -------------------------------------------------------------- */

/* What a resolver reported, already converted to text. */
typedef struct
{
  const char *ifname;   /* if_indextoname() of the service's interface, NULL if gone */
  int family;           /* 4 or 6: the address protocol of the result */
  const char *address;  /* the address as text */
  guint port;           /* as reported (0..65535) */
  const StasZcTxt *txt; /* (nullable) */
} StasZcResult;

/* A service identified from its TXT records and address. */
typedef struct
{
  char *transport;  /* "tcp" or "rdma" */
  char *traddr;     /* canonical IP text */
  char *trsvcid;    /* decimal port */
  char *host_iface; /* ifname for tcp, '' for rdma */
  char *subsysnqn;
} StasZcIdentity;

void stas_zc_identity_clear (StasZcIdentity *id);
void stas_zc_identity_copy (const StasZcIdentity *src, StasZcIdentity *dst);
gboolean stas_zc_identity_equal (const StasZcIdentity *a, const StasZcIdentity *b);

/* The identity of a resolved service, or FALSE with the reason logged through @diags:
 * interface gone → WARNING; address not an IP literal of @result->family → WARNING; port
 * outside 1..65535 → WARNING; `p` missing or unknown → ERROR "Received invalid/undefined
 * protocol in mDNS TXT field: ..."; an invalid `nqn` (only looked at when @tp8013) →
 * WARNING and the well-known NQN is used (the identity is still returned). */
gboolean stas_zc_identify (const StasZcResult *result,
                           gboolean tp8013,
                           StasZcIdentity *identity,
                           GPtrArray *diags);

/* [ZC-5] The TID of an identified service (stafd defaults: ignore-iface, host NQN/ID).
 * NULL only if the identity cannot form a TID (never for one stas_zc_identify() built). */
StasTid *stas_zc_identity_to_tid (const StasTidDefaults *defaults, const StasZcIdentity *identity);

/* ---- TCP reachability back-off [ZC-4] [D-49] ------------------------------------------- */

/* Seconds before the re-check after the @failures-th consecutive failure (1-based):
 * 2, 5, 10, 30, 60, 300, 600, then 600. @failures 0 gives the first value (2). */
guint stas_zc_backoff_s (guint failures);

/* ---- duplicate addresses [ZC-3] --------------------------------------------------------- */

/* One identified service's address and interface. */
typedef struct
{
  const char *address;
  const char *ifname;
} StasZcAddrIf;

/* For every IP address reported on two or more distinct interfaces, one ERROR diagnostic
 * "IP address <ip> was found on multiple interfaces: <if1>,<if2>" (interfaces in order of
 * appearance). Addresses compare IP-aware. */
void stas_zc_check_duplicates (const StasZcAddrIf *entries, guint n_entries, GPtrArray *diags);

/* ---- names from the network ------------------------------------------------------------- */

/* The service key shown by process_info: "(<ifname>, <IPv4|IPv6>, <name>.<domain>, <stype>)"
 * — the payload builder formats it; this is for log messages. */
char *stas_zc_service_string (
    const char *ifname, int family, const char *name, const char *domain, const char *stype);
/* A service name/domain from the network is usable: valid UTF-8, 1..@max_len bytes, no
 * control characters. */
gboolean stas_zc_name_is_valid (const char *text, gsize max_len);

G_END_DECLS
