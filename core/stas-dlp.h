/* stas-dlp.h — Discovery Log Page Entries (DLPEs): parsing the 1024-byte records a DC
 * returns, validating them (spec/bad-input.md §6), their D-Bus dictionary
 * (spec/dbus.md §5.4 [DBUS-33]) and what a consumer derives from them
 * (spec/behaviour.md §6.3 [REF-1], §7.3 [STAC-3], SPEC §4.3).
 *
 * A StasDlpe is a plain value (no pointers): copy it with `=`, keep arrays of them in a
 * GArray. Its text fields hold the published form: the bytes of the record field up to
 * the first NUL (at most the field size), surrounding whitespace removed, printable ASCII
 * only. */
#pragma once

#include <glib.h>

#include "stas-fabrics.h"
#include "stas-tid.h"

G_BEGIN_DECLS

#define STAS_DLPE_SIZE 1024      /* one record of the log page */
#define STAS_DLPE_TRSVCID_LEN 32 /* field sizes in the record */
#define STAS_DLPE_SUBNQN_LEN 256
#define STAS_DLPE_TRADDR_LEN 256
#define STAS_DLPE_TSAS_LEN 256

/* Code values of the record (NVMe base specification). */
#define STAS_DLP_TRTYPE_UNSPECIFIED 0
#define STAS_DLP_TRTYPE_RDMA 1
#define STAS_DLP_TRTYPE_FC 2
#define STAS_DLP_TRTYPE_TCP 3
#define STAS_DLP_TRTYPE_LOOP 254
#define STAS_DLP_ADRFAM_PCI 0
#define STAS_DLP_ADRFAM_IPV4 1
#define STAS_DLP_ADRFAM_IPV6 2
#define STAS_DLP_ADRFAM_IB 3
#define STAS_DLP_ADRFAM_FC 4
#define STAS_DLP_SUBTYPE_REFERRAL 1
#define STAS_DLP_SUBTYPE_NVME 2
#define STAS_DLP_SUBTYPE_DISCOVERY 3
#define STAS_DLP_TREQ_NOT_SPECIFIED 0
#define STAS_DLP_TREQ_REQUIRED 1
#define STAS_DLP_TREQ_NOT_REQUIRED 2
#define STAS_DLP_TREQ_DISABLE_SQFLOW 4
#define STAS_DLP_EFLAGS_NCC 0x0004 /* "Not Connected to CDC" (behaviour §9) */

#define STAS_DLP_ERROR (stas_dlp_error_quark ())
GQuark stas_dlp_error_quark (void);

typedef enum
{
  STAS_DLP_ERROR_MALFORMED,       /* record / dictionary cannot be a published DLPE */
  STAS_DLP_ERROR_CROSS_TRANSPORT, /* entry trtype differs from the DC's transport */
  STAS_DLP_ERROR_INVALID,         /* unusable for a connection: bad IP, port, NQN */
} StasDlpError;

typedef struct
{
  guint8 trtype;
  guint8 adrfam;
  guint8 subtype;
  guint8 treq;
  guint16 portid;
  guint16 cntlid;
  guint16 asqsz;
  guint16 eflags;
  char trsvcid[STAS_DLPE_TRSVCID_LEN + 1];
  char subnqn[STAS_DLPE_SUBNQN_LEN + 1];
  char traddr[STAS_DLPE_TRADDR_LEN + 1];
} StasDlpe;

/* ---- code values as text (spec/dbus.md §5.4) -------------------------------------- */

/* Buffer for the decimal form of a code: "65535" + NUL. */
#define STAS_DLP_CODE_BUF 8

/* The published text of a code: its name ("tcp", "ipv4", "referral", "not specified") or,
 * for codes without a name, the decimal value written into @buf (which is returned). */
const char *stas_dlp_trtype_to_string (guint8 trtype, char buf[STAS_DLP_CODE_BUF]);
const char *stas_dlp_adrfam_to_string (guint8 adrfam, char buf[STAS_DLP_CODE_BUF]);
const char *stas_dlp_subtype_to_string (guint8 subtype, char buf[STAS_DLP_CODE_BUF]);
const char *stas_dlp_treq_to_string (guint8 treq, char buf[STAS_DLP_CODE_BUF]);
/* Inverse: a name or a decimal 0..255. FALSE for anything else. */
gboolean stas_dlp_trtype_from_string (const char *text, guint8 *trtype);
gboolean stas_dlp_adrfam_from_string (const char *text, guint8 *adrfam);
gboolean stas_dlp_subtype_from_string (const char *text, guint8 *subtype);
gboolean stas_dlp_treq_from_string (const char *text, guint8 *treq);

/* ---- one record --------------------------------------------------------------------- */

/* Parses one 1024-byte record. Text fields are read up to the first NUL or the field size
 * (unterminated fields are accepted), then stripped of surrounding ASCII whitespace.
 * Fails with STAS_DLP_ERROR_MALFORMED ("non-printable byte 0x07 in subnqn") when a
 * stripped traddr, trsvcid or subnqn has a byte outside 0x20..0x7E [D-70]. Unknown code
 * values are not errors (they are published in decimal). */
gboolean stas_dlpe_parse (const guint8 record[STAS_DLPE_SIZE], StasDlpe *out, GError **error);

/* FALSE for entries that the reference filter hides (not published, not cached, not
 * counted): traddr '', "0.0.0.0" or "::" with a trtype other than loop [D-42]. */
gboolean stas_dlpe_is_published (const StasDlpe *dlpe);

/* ---- a whole log page (spec/behaviour.md §5.5 [DC-5]) ----------------------------------- */

/* Parses the min(numrec, size/1024) records of @raw in log-page order and returns the
 * published entries (GArray of StasDlpe). *@dropped (may be NULL) receives the number of
 * malformed entries, plus the records numrec announces but @raw does not hold (a short
 * page is never mistaken for an authoritative one). Diagnostics appended to @diags (may
 * be NULL), prefixed "<dc_tid> | <device> - " (device NULL → "nvme?"):
 *   WARNING "Dropped <n> malformed discovery log page entries" once per call when n > 0;
 *   DEBUG  the reason for each dropped entry (the first 8) and the count of entries not
 *          published because of their address. */
GArray *stas_dlp_parse_page (const StasDlpRaw *raw,
                             const char *dc_tid,
                             const char *device,
                             guint *dropped,
                             GPtrArray *diags);

/* ---- the D-Bus dictionary [DBUS-33] ---------------------------------------------------- */

/* a{ss} with the keys trtype, adrfam, traddr, trsvcid, subnqn, subtype, treq, portid,
 * cntlid, asqsz, eflags in that order. Floating reference. */
GVariant *stas_dlpe_to_variant (const StasDlpe *dlpe);
/* aa{ss} of a GArray of StasDlpe (NULL = empty). Floating reference. */
GVariant *stas_dlp_to_variant (const GArray *entries);
/* Appends the same list as compact JSON (the form of get_all_log_pages, spec/dbus.md §5.7),
 * written directly: no GVariant on the way. */
void stas_dlp_append_json (GString *out, const GArray *entries);
/* Inverse of stas_dlpe_to_variant() for dictionaries read back (state file, stafd's
 * get_all_log_pages reply): type a{ss} with at least the eleven keys (others ignored);
 * codes as names or decimal, numbers decimal 0..65535, text under the rules of
 * stas_dlpe_parse() (whitespace stripped, printable ASCII, at most the field size).
 * Fails with STAS_DLP_ERROR_MALFORMED naming the key. */
gboolean stas_dlpe_from_variant (GVariant *dict, StasDlpe *out, GError **error);
/* Python repr form of the dictionary (spec/dbus.md §5.5), e.g. the IOC `dlpe` key:
 * "{'trtype': 'tcp', 'adrfam': 'ipv4', ...}". */
char *stas_dlpe_to_repr (const StasDlpe *dlpe);

/* ---- what an entry means ------------------------------------------------------------- */

gboolean stas_dlpe_is_referral (const StasDlpe *dlpe);  /* subtype 1 */
gboolean stas_dlpe_is_nvme (const StasDlpe *dlpe);      /* subtype 2: an I/O subsystem */
gboolean stas_dlpe_is_discovery (const StasDlpe *dlpe); /* subtype 3: TP8014 self entry */
gboolean stas_dlpe_has_ncc (const StasDlpe *dlpe);      /* eflags bit 2 */

/* Transport name of the entry ("tcp", "rdma", "fc", "loop"), NULL for any other trtype
 * (unspecified, pcie, numeric): such entries are never used for connections. */
const char *stas_dlpe_transport (const StasDlpe *dlpe);
/* [D-41] TRUE if the entry's trtype is the DC's transport. */
gboolean stas_dlpe_same_transport (const StasDlpe *dlpe, const StasTid *dc);
/* [REF-1] The entry points back at @dc: same transport, IP-equal traddr (string-equal
 * ignoring case for fc/loop), same port, and subnqn equal to the DC's subsysnqn or the
 * well-known discovery NQN. */
gboolean stas_dlpe_is_self_referral (const StasDlpe *dlpe, const StasTid *dc);

/* SPEC §4.3: the raw TID fields an entry yields under DC @dc — transport = trtype name
 * ("" when it has none), traddr, trsvcid, subsysnqn = subnqn, and host-traddr, host-iface,
 * host-nqn, host-id of @dc. The strings point into @dlpe and @dc. */
void stas_dlpe_tid_fields (const StasDlpe *dlpe, const StasTid *dc, StasTidFields *fields);
/* [REF-1] [STAC-3] The TID of the controller an entry describes, normalised with
 * @defaults (the consumer's: ignore-iface applies). Checks, in this order:
 *   STAS_DLP_ERROR_CROSS_TRANSPORT  trtype is not @dc's transport (INFO for the caller);
 *   STAS_DLP_ERROR_INVALID          tcp/rdma traddr not an IP literal, tcp/rdma trsvcid
 *                                   not 1..65535 (an empty one is not defaulted), subnqn
 *                                   not a valid NQN; the message is the reason. */
StasTid *stas_dlpe_to_tid (const StasDlpe *dlpe,
                           const StasTid *dc,
                           const StasTidDefaults *defaults,
                           GError **error);

/* ---- building records (tests, fake fabrics) ------------------------------------------ */

/* Field values of a record to build. Text is copied up to the field size: a text of
 * exactly the field size is left without a terminating NUL, longer text is truncated;
 * NULL is an empty field. Bytes are copied as given (no validation), so tests can build
 * malformed records. @tsas: STAS_DLPE_TSAS_LEN bytes or NULL (zeros). */
typedef struct
{
  guint8 trtype;
  guint8 adrfam;
  guint8 subtype;
  guint8 treq;
  guint16 portid;
  guint16 cntlid;
  guint16 asqsz;
  guint16 eflags;
  const char *trsvcid;
  const char *subnqn;
  const char *traddr;
  const guint8 *tsas;
} StasDlpeSpec;

/* Writes the 1024-byte record of @spec into @record (little-endian, reserved bytes 0). */
void stas_dlp_build_entry_into (const StasDlpeSpec *spec, guint8 record[STAS_DLPE_SIZE]);
/* The same as a new 1024-byte GBytes. */
GBytes *stas_dlp_build_entry (const StasDlpeSpec *spec);
/* A whole page: numrec = @n_specs, the records in order. Free with stas_dlp_raw_free(). */
StasDlpRaw *stas_dlp_build_page (guint64 genctr, const StasDlpeSpec *specs, gsize n_specs);

G_END_DECLS
