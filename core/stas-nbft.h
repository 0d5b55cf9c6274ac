/* stas-nbft.h — the NVMe Boot Firmware Table as a source of discovery controllers
 * (spec/config.md §6 [CFG-30], spec/bad-input.md §9, departure D-69).
 *
 * stas' own parser of the ACPI NBFT (NVMe Boot Specification 1.0 layout; 1.1 tables are
 * read through their 1.0-compatible fields). It is self-contained and defensive: every
 * offset and length is checked against the table length and the heap before it is used,
 * so a hostile or corrupt table yields an error, never an out-of-bounds read. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define STAS_NBFT_DEFAULT_DIR "/sys/firmware/acpi/tables"

#define STAS_NBFT_ERROR (stas_nbft_error_quark ())
GQuark stas_nbft_error_quark (void);

typedef enum
{
  STAS_NBFT_ERROR_INVALID, /* the table is malformed (signature, length, checksum, bounds...) */
  STAS_NBFT_ERROR_URI,     /* a discovery URI is not nvme+<transport>://host[:port]/ */
} StasNbftError;

/* ---- the parsed table ------------------------------------------------------------------ */

typedef struct
{
  gboolean present; /* the control descriptor references a host descriptor */
  gboolean valid;   /* its "descriptor valid" flag; nothing below is set otherwise */
  gboolean host_id_configured;
  gboolean host_nqn_configured;
  guint primary_admin; /* flags bits 4:3 — 0 not indicated, 1 unselected, 2 selected */
  guint8 host_id[16];  /* raw */
  char *host_id_text;  /* (owned) UUID text, lower-case 8-4-4-4-12 */
  char *host_nqn;      /* (owned) NULL when the table has none */
} StasNbftHost;

typedef struct
{
  guint index;           /* HFI Descriptor Index, referenced by discovery descriptors */
  guint trtype;          /* 3 = NVMe/TCP (the only one NBFT 1.0 defines) */
  gboolean has_tcp_info; /* a valid TCP transport info descriptor with a non-zero MAC */
  guint8 mac[6];
  char *mac_text;  /* (owned) "aa:bb:cc:dd:ee:ff", NULL without TCP info */
  guint vlan;      /* 0 = none */
  guint ip_origin; /* the fields below are only set for a full-size transport info */
  char *ipaddr;    /* (owned) NULL when zero */
  guint prefix;
  char *gateway;   /* (owned) NULL when zero */
  char *host_name; /* (owned) NULL when absent */
} StasNbftHfi;

typedef struct
{
  guint index;
  guint hfi_index; /* HFI Descriptor Index of the associated HFI */
  guint sec_index;
  char *uri; /* (owned) NULL when absent */
  char *nqn; /* (owned) NULL when absent */
} StasNbftDiscovery;

/* Subsystem namespace descriptor: parsed and checked, not used by the daemons (stacd gets
 * nothing from NBFT, as in the reference). */
typedef struct
{
  guint index;
  guint flags;
  guint trtype;
  guint trflags;
  guint primary_discovery_index;
  guint primary_hfi_index;
  char *traddr;  /* (owned) tcp 16-byte address objects are rendered as IP text */
  char *trsvcid; /* (owned) */
  guint port_id;
  guint32 nsid;
  char *nqn; /* (owned) */
} StasNbftSsns;

typedef struct
{
  guint major_revision;
  guint minor_revision;
  char oem_id[7]; /* NUL-terminated copies of the header fields */
  char oem_table_id[9];
  gboolean control_valid; /* FALSE: the table carries no descriptors (all lists empty) */
  StasNbftHost host;
  GPtrArray *hfis;        /* (owned) of StasNbftHfi: descriptors flagged valid, table order */
  GPtrArray *discoveries; /* (owned) of StasNbftDiscovery, likewise */
  GPtrArray *ssns;        /* (owned) of StasNbftSsns, likewise */
} StasNbft;

/* Parses one NBFT image of @size bytes. Fails with STAS_NBFT_ERROR_INVALID and a short
 * reason (e.g. "bad checksum", "discovery descriptor 1: URI: heap object outside the
 * heap") when the table is malformed. Descriptors whose "valid" flag is clear are
 * skipped. Heap strings end at the first NUL inside the object, or must be followed by a
 * NUL inside the heap (the object length then excludes the terminator). */
StasNbft *stas_nbft_parse (const guint8 *data, gsize size, GError **error);
void stas_nbft_free (StasNbft *nbft);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasNbft, stas_nbft_free)

/* The first valid HFI whose index is @hfi_index, or NULL. */
const StasNbftHfi *stas_nbft_find_hfi (const StasNbft *nbft, guint hfi_index);

/* Splits a discovery URI nvme+<transport>://<host>[:<port>][/] (scheme case-insensitive,
 * transport tcp or rdma, host an IPv4 literal, a bracketed IPv6 literal or a host name,
 * port 1..65535; no user info, path, query or fragment). @traddr gets the host without
 * brackets, @trsvcid the port without leading zeros, or "8009" for tcp / "" for rdma when
 * the port is absent [D-69]. Fails with STAS_NBFT_ERROR_URI. */
gboolean stas_nbft_parse_uri (
    const char *uri, char **transport, char **traddr, char **trsvcid, GError **error);

/* ---- discovery candidates (spec/config.md §6) ------------------------------------------ */

typedef struct
{
  char *path;      /* (owned) table it came from */
  guint index;     /* discovery descriptor index */
  char *uri;       /* (owned) as found in the table */
  char *transport; /* (owned) "tcp" or "rdma" */
  char *traddr;    /* (owned) IP literal or host name (to be resolved by the caller) */
  char *trsvcid;   /* (owned) see stas_nbft_parse_uri() */
  char *subsysnqn; /* (owned) descriptor NQN, the well-known NQN when empty */
  char *hfi_mac;   /* (owned) MAC of the descriptor's HFI for the host-iface look-up, or
                    * NULL (no usable HFI: a WARNING was added) */
  char *host_nqn;  /* (owned) table host NQN when flagged configured and valid, else NULL */
  char *host_id;   /* (owned) table host ID with it (NULL when all-zero), else NULL */
} StasNbftCandidate;

void stas_nbft_candidate_free (StasNbftCandidate *candidate);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasNbftCandidate, stas_nbft_candidate_free)

/* The discovery candidates of a parsed table, in descriptor order: a GPtrArray of
 * StasNbftCandidate (free func set). Descriptors without URI, with an invalid URI or an
 * invalid NQN are skipped with a WARNING `<path>: NBFT discovery descriptor <n>: ...`; an
 * invalid configured host NQN gives a WARNING and no host identity (sys.conf is used).
 * @diags: GPtrArray of StasDiag, may be NULL. */
GPtrArray *stas_nbft_candidates (const StasNbft *nbft, const char *path, GPtrArray *diags);

/* Reads every NBFT* file of @dir (NULL: STAS_NBFT_DEFAULT_DIR) in name order, once.
 * Adds INFO `NBFT location(s): ['<path>', ...]` when there are any and WARNING
 * `<path>: cannot parse NBFT: <reason>` per unreadable or malformed file, which
 * contributes nothing. A missing directory is not an error. Returns the candidates of
 * all tables (never NULL). */
GPtrArray *stas_nbft_load_dir (const char *dir, GPtrArray *diags);

/* ---- HFI MAC → interface --------------------------------------------------------------- */

typedef struct
{
  const char *ifname;
  const char *mac; /* "aa:bb:cc:dd:ee:ff" (any case), as in /sys/class/net/<if>/address */
  gboolean is_ethernet_or_loopback;
} StasNbftLink;

/* The interface whose MAC equals @mac among the Ethernet and loopback entries of @links.
 * Returns a newly allocated name, or NULL with a WARNING in @diags (may be NULL) when no
 * interface or several interfaces match (no host-iface then). Pure: no system access. */
char *stas_nbft_mac_to_iface (const char *mac,
                              const StasNbftLink *links,
                              gsize n_links,
                              GPtrArray *diags);

G_END_DECLS
