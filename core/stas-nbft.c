/* stas-nbft.c — stas' own NBFT parser (spec/config.md §6 [CFG-30], bad-input §9, D-69).
 *
 * Written from the NVMe Boot Specification 1.0 table layout. All multi-byte fields are
 * little-endian and read byte-wise (no packed structs, no alignment assumptions). Every
 * offset is checked with 64-bit arithmetic before the bytes behind it are touched. */
#include "config.h"

#include "stas-nbft.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <string.h>

#include "stas-ip.h"
#include "stas-log.h"
#include "stas-names.h"

G_DEFINE_QUARK (stas - nbft - error - quark, stas_nbft_error)

/* ---- layout (offsets within each structure) --------------------------------------------- */

enum
{
  DESC_CONTROL = 1,
  DESC_HOST = 2,
  DESC_HFI = 3,
  DESC_SSNS = 4,
  DESC_DISCOVERY = 6,
  DESC_HFI_TRINFO = 7,
};

#define TRTYPE_TCP 3
#define FLAG_VALID 0x01

/* ACPI header + NBFT fields: 64 bytes; the control descriptor follows it. */
#define HDR_SIZE 64
#define HDR_LENGTH 4
#define HDR_MAJOR 8
#define HDR_OEM_ID 10
#define HDR_OEM_TABLE_ID 16
#define HDR_HEAP_OFFSET 36
#define HDR_HEAP_LENGTH 40
#define HDR_DRIVER_SIG 44
#define HDR_MINOR 50

/* Control descriptor; fields up to the discovery list count are needed (48 bytes). */
#define CTRL_OFFSET HDR_SIZE
#define CTRL_MIN 48
#define CTRL_CSL 4
#define CTRL_FLAGS 6
#define CTRL_HDESC 8 /* offset (4) + length (2) */
#define CTRL_HFI 16  /* each list: offset (4), element length (2), version (1), count (1) */
#define CTRL_SSNS 24
#define CTRL_SEC 32
#define CTRL_DISC 40

/* Host descriptor: id, flags, host ID[16], host NQN heap object. */
#define HOST_MIN 24
#define HOST_FLAGS 1
#define HOST_ID 2
#define HOST_NQN 18
#define HOST_HOSTID_CONFIGURED 0x02
#define HOST_HOSTNQN_CONFIGURED 0x04

/* HFI descriptor: id, index, flags, trtype, reserved, transport info heap object. */
#define HFI_MIN 22
#define HFI_INDEX 1
#define HFI_FLAGS 2
#define HFI_TRTYPE 3
#define HFI_TRINFO 16

/* HFI transport info (TCP), a heap object. The MAC is needed (17 bytes); the IP
 * configuration is read when the object covers it up to the host name object. */
#define TRINFO_MIN 17
#define TRINFO_FULL 110
#define TRINFO_TRTYPE 2
#define TRINFO_FLAGS 6
#define TRINFO_MAC 11
#define TRINFO_VLAN 17
#define TRINFO_IP_ORIGIN 19
#define TRINFO_IPADDR 20
#define TRINFO_PREFIX 36
#define TRINFO_GATEWAY 37
#define TRINFO_HOST_NAME 104

/* Discovery descriptor: id, flags, index, HFI index, security index, URI, NQN. */
#define DISC_MIN 18
#define DISC_FLAGS 1
#define DISC_INDEX 2
#define DISC_HFI_INDEX 3
#define DISC_SEC_INDEX 4
#define DISC_URI 6
#define DISC_NQN 12

/* Subsystem namespace descriptor, up to the subsystem NQN object (60 bytes). */
#define SSNS_MIN 60
#define SSNS_INDEX 1
#define SSNS_FLAGS 3
#define SSNS_TRTYPE 5
#define SSNS_TRFLAGS 6
#define SSNS_PDISC 8
#define SSNS_TRADDR 10
#define SSNS_TRSVCID 16
#define SSNS_PORT_ID 22
#define SSNS_NSID 24
#define SSNS_PHFI 46
#define SSNS_SEC_HFI 48
#define SSNS_NQN 54
#define SSNS_EXT_INFO 60 /* read only when the element is that long */

#define DEFAULT_TCP_DISC_PORT "8009"

/* ---- byte access ----------------------------------------------------------------------- */

static guint
le16 (const guint8 *p)
{
  return (guint) p[0] | ((guint) p[1] << 8);
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

/* [off, off+len) inside [start, end) — no overflow: all operands are 64-bit and < 2^33. */
static gboolean
in_range (guint64 off, guint64 len, guint64 start, guint64 end)
{
  return off >= start && off <= end && len <= end - off;
}

static gboolean fail (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError **error, const char *fmt, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, fmt);
  text = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error_literal (error, STAS_NBFT_ERROR, STAS_NBFT_ERROR_INVALID, text);
  return FALSE;
}

typedef struct
{
  const guint8 *data;
  guint64 len; /* table length from the header (checked <= buffer size) */
  guint64 heap_start;
  guint64 heap_end;
} Table;

typedef struct
{
  guint32 off;
  guint len;
} HeapObj;

/* Reads the heap object reference at @field (6 bytes already known to be in the table)
 * and checks it lies inside the heap. An empty object (length 0) means "absent". */
static gboolean
heap_obj (const Table *t, const guint8 *field, const char *what, HeapObj *obj, GError **error)
{
  obj->off = le32 (field);
  obj->len = le16 (field + 4);
  if (obj->len == 0)
    return TRUE;
  if (!in_range (obj->off, obj->len, t->heap_start, t->heap_end))
    return fail (error,
                 "%s: heap object (offset %" G_GUINT32_FORMAT ", length %u) outside the heap", what,
                 obj->off, obj->len);
  return TRUE;
}

/* A heap string ends at its first NUL, or must be followed by a NUL still inside the heap
 * (the object length does not count the terminator). Empty strings are returned as NULL. */
static gboolean
heap_string (const Table *t, const guint8 *field, const char *what, char **out, GError **error)
{
  HeapObj obj;
  const guint8 *p;
  const guint8 *nul;
  gsize n;

  *out = NULL;
  if (!heap_obj (t, field, what, &obj, error))
    return FALSE;
  if (obj.len == 0)
    return TRUE;

  p = t->data + obj.off;
  nul = memchr (p, '\0', obj.len);
  if (nul != NULL)
    n = (gsize) (nul - p);
  else if ((guint64) obj.off + obj.len < t->heap_end && p[obj.len] == '\0')
    n = obj.len;
  else
    return fail (error, "%s: string not terminated", what);

  if (n > 0)
    *out = g_strndup ((const char *) p, n);
  return TRUE;
}

/* 16-byte address field: IPv4-mapped addresses as dotted IPv4; all-zero → NULL. */
static char *
ip_text (const guint8 *b)
{
  static const guint8 v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  char buf[INET6_ADDRSTRLEN];
  gboolean zero = TRUE;

  for (guint i = 0; i < 16; i++)
    zero = zero && b[i] == 0;
  if (zero)
    return NULL;
  if (memcmp (b, v4mapped, sizeof v4mapped) == 0)
    return g_strdup (inet_ntop (AF_INET, b + 12, buf, sizeof buf));
  return g_strdup (inet_ntop (AF_INET6, b, buf, sizeof buf));
}

/* ---- descriptor lists ------------------------------------------------------------------ */

typedef struct
{
  guint32 offset;
  guint elen;
  guint count;
} List;

/* Reads a list reference of the control descriptor and checks that all @count elements
 * of @elen bytes lie in the table after the header. */
static gboolean
list_ref (const Table *t,
          const guint8 *field,
          const char *what,
          guint min_len,
          List *list,
          GError **error)
{
  list->offset = le32 (field);
  list->elen = le16 (field + 4);
  list->count = field[7];
  if (list->count == 0)
    return TRUE;
  if (list->elen < min_len)
    return fail (error, "%s descriptor length %u is too small", what, list->elen);
  if (!in_range (list->offset, (guint64) list->count * list->elen, HDR_SIZE, t->len))
    return fail (
        error, "%s descriptor list (offset %" G_GUINT32_FORMAT ", %u x %u bytes) outside the table",
        what, list->offset, list->count, list->elen);
  return TRUE;
}

static const guint8 *
list_item (const Table *t, const List *list, guint i)
{
  return t->data + list->offset + (gsize) i * list->elen;
}

static gboolean
check_id (const guint8 *desc, guint id, const char *what, GError **error)
{
  if (desc[0] != id)
    return fail (error, "%s: structure ID %u, expected %u", what, desc[0], id);
  return TRUE;
}

/* ---- descriptors ----------------------------------------------------------------------- */

static gboolean
parse_host (const Table *t, const guint8 *ctrl, StasNbftHost *host, GError **error)
{
  guint32 off = le32 (ctrl + CTRL_HDESC);
  guint len = le16 (ctrl + CTRL_HDESC + 4);
  const guint8 *d;
  const guint8 *id;

  if (len == 0)
    return TRUE;
  if (len < HOST_MIN)
    return fail (error, "host descriptor length %u is too small", len);
  if (!in_range (off, len, HDR_SIZE, t->len))
    return fail (error,
                 "host descriptor (offset %" G_GUINT32_FORMAT ", length %u) outside the table", off,
                 len);

  d = t->data + off;
  host->present = TRUE;
  if (!(d[HOST_FLAGS] & FLAG_VALID))
    return TRUE;
  if (!check_id (d, DESC_HOST, "host descriptor", error))
    return FALSE;

  host->valid = TRUE;
  host->host_id_configured = (d[HOST_FLAGS] & HOST_HOSTID_CONFIGURED) != 0;
  host->host_nqn_configured = (d[HOST_FLAGS] & HOST_HOSTNQN_CONFIGURED) != 0;
  host->primary_admin = (d[HOST_FLAGS] >> 3) & 0x3;
  memcpy (host->host_id, d + HOST_ID, sizeof host->host_id);
  id = host->host_id;
  host->host_id_text =
      g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                       "%02x%02x%02x%02x%02x%02x",
                       id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10],
                       id[11], id[12], id[13], id[14], id[15]);
  return heap_string (t, d + HOST_NQN, "host descriptor: host NQN", &host->host_nqn, error);
}

static void
hfi_free (StasNbftHfi *hfi)
{
  g_free (hfi->mac_text);
  g_free (hfi->ipaddr);
  g_free (hfi->gateway);
  g_free (hfi->host_name);
  g_free (hfi);
}

static gboolean
parse_trinfo (
    const Table *t, const guint8 *desc, const char *what, StasNbftHfi *hfi, GError **error)
{
  g_autofree char *what_info = g_strdup_printf ("%s: transport info", what);
  HeapObj obj;
  const guint8 *p;
  const guint8 *mac;

  if (!heap_obj (t, desc + HFI_TRINFO, what_info, &obj, error))
    return FALSE;
  if (obj.len == 0 || hfi->trtype != TRTYPE_TCP)
    return TRUE;
  if (obj.len < TRINFO_MIN)
    return fail (error, "%s length %u is too small", what_info, obj.len);

  p = t->data + obj.off;
  if (!check_id (p, DESC_HFI_TRINFO, what_info, error))
    return FALSE;
  if (!(p[TRINFO_FLAGS] & FLAG_VALID) || p[TRINFO_TRTYPE] != TRTYPE_TCP)
    return TRUE;

  mac = p + TRINFO_MAC;
  if ((mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0)
    return TRUE; /* "shall be non-zero": unusable for the interface look-up */
  memcpy (hfi->mac, mac, sizeof hfi->mac);
  hfi->mac_text = g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                                   mac[4], mac[5]);
  hfi->has_tcp_info = TRUE;

  if (obj.len < TRINFO_FULL)
    return TRUE;
  hfi->vlan = le16 (p + TRINFO_VLAN);
  hfi->ip_origin = p[TRINFO_IP_ORIGIN];
  hfi->ipaddr = ip_text (p + TRINFO_IPADDR);
  hfi->prefix = p[TRINFO_PREFIX];
  hfi->gateway = ip_text (p + TRINFO_GATEWAY);
  {
    g_autofree char *what_name = g_strdup_printf ("%s: host name", what_info);
    return heap_string (t, p + TRINFO_HOST_NAME, what_name, &hfi->host_name, error);
  }
}

static gboolean
parse_hfis (const Table *t, const guint8 *ctrl, StasNbft *nbft, GError **error)
{
  List list;

  if (!list_ref (t, ctrl + CTRL_HFI, "HFI", HFI_MIN, &list, error))
    return FALSE;
  for (guint i = 0; i < list.count; i++)
    {
      const guint8 *d = list_item (t, &list, i);
      g_autofree char *what = g_strdup_printf ("HFI descriptor %u", i + 1);
      StasNbftHfi *hfi;

      if (!(d[HFI_FLAGS] & FLAG_VALID))
        continue;
      if (!check_id (d, DESC_HFI, what, error))
        return FALSE;
      hfi = g_new0 (StasNbftHfi, 1);
      g_ptr_array_add (nbft->hfis, hfi);
      hfi->index = d[HFI_INDEX];
      hfi->trtype = d[HFI_TRTYPE];
      if (!parse_trinfo (t, d, what, hfi, error))
        return FALSE;
    }
  return TRUE;
}

static void
discovery_free (StasNbftDiscovery *disc)
{
  g_free (disc->uri);
  g_free (disc->nqn);
  g_free (disc);
}

static gboolean
parse_discoveries (const Table *t, const guint8 *ctrl, StasNbft *nbft, GError **error)
{
  List list;

  if (!list_ref (t, ctrl + CTRL_DISC, "discovery", DISC_MIN, &list, error))
    return FALSE;
  for (guint i = 0; i < list.count; i++)
    {
      const guint8 *d = list_item (t, &list, i);
      g_autofree char *what = g_strdup_printf ("discovery descriptor %u", i + 1);
      g_autofree char *what_uri = NULL;
      g_autofree char *what_nqn = NULL;
      StasNbftDiscovery *disc;

      if (!(d[DISC_FLAGS] & FLAG_VALID))
        continue;
      if (!check_id (d, DESC_DISCOVERY, what, error))
        return FALSE;
      disc = g_new0 (StasNbftDiscovery, 1);
      g_ptr_array_add (nbft->discoveries, disc);
      disc->index = d[DISC_INDEX];
      disc->hfi_index = d[DISC_HFI_INDEX];
      disc->sec_index = d[DISC_SEC_INDEX];
      what_uri = g_strdup_printf ("%s: URI", what);
      what_nqn = g_strdup_printf ("%s: NQN", what);
      if (!heap_string (t, d + DISC_URI, what_uri, &disc->uri, error) ||
          !heap_string (t, d + DISC_NQN, what_nqn, &disc->nqn, error))
        return FALSE;
    }
  return TRUE;
}

/* TRUE if the 16 bytes hold a NUL-terminated IP literal text rather than an address. */
static gboolean
text_ip16 (const guint8 *b)
{
  char buf[17];

  memcpy (buf, b, 16);
  buf[16] = '\0';
  return stas_ip_is_literal (buf);
}

static void
ssns_free (StasNbftSsns *ssns)
{
  g_free (ssns->traddr);
  g_free (ssns->trsvcid);
  g_free (ssns->nqn);
  g_free (ssns);
}

static gboolean
parse_one_ssns (const Table *t,
                const guint8 *d,
                guint elen,
                const char *what,
                StasNbftSsns *ssns,
                GError **error)
{
  g_autofree char *what_traddr = g_strdup_printf ("%s: traddr", what);
  g_autofree char *what_trsvcid = g_strdup_printf ("%s: trsvcid", what);
  g_autofree char *what_nqn = g_strdup_printf ("%s: NQN", what);
  g_autofree char *what_other = g_strdup_printf ("%s: secondary HFI associations", what);
  HeapObj obj;

  ssns->index = le16 (d + SSNS_INDEX);
  ssns->flags = le16 (d + SSNS_FLAGS);
  ssns->trtype = d[SSNS_TRTYPE];
  ssns->trflags = le16 (d + SSNS_TRFLAGS);
  ssns->primary_discovery_index = d[SSNS_PDISC];
  ssns->port_id = le16 (d + SSNS_PORT_ID);
  ssns->nsid = le32 (d + SSNS_NSID);
  ssns->primary_hfi_index = d[SSNS_PHFI];

  /* A TCP address may be a 16-byte binary IP address rather than text. */
  if (!heap_obj (t, d + SSNS_TRADDR, what_traddr, &obj, error))
    return FALSE;
  if (ssns->trtype == TRTYPE_TCP && obj.len == 16 && !text_ip16 (t->data + obj.off))
    ssns->traddr = ip_text (t->data + obj.off);
  else if (!heap_string (t, d + SSNS_TRADDR, what_traddr, &ssns->traddr, error))
    return FALSE;

  if (!heap_string (t, d + SSNS_TRSVCID, what_trsvcid, &ssns->trsvcid, error) ||
      !heap_string (t, d + SSNS_NQN, what_nqn, &ssns->nqn, error) ||
      !heap_obj (t, d + SSNS_SEC_HFI, what_other, &obj, error))
    return FALSE;
  if (elen >= SSNS_EXT_INFO + 6)
    {
      g_autofree char *what_ext = g_strdup_printf ("%s: extended info", what);
      return heap_obj (t, d + SSNS_EXT_INFO, what_ext, &obj, error);
    }
  return TRUE;
}

static gboolean
parse_ssns_list (const Table *t, const guint8 *ctrl, StasNbft *nbft, GError **error)
{
  List list;

  if (!list_ref (t, ctrl + CTRL_SSNS, "subsystem namespace", SSNS_MIN, &list, error))
    return FALSE;
  for (guint i = 0; i < list.count; i++)
    {
      const guint8 *d = list_item (t, &list, i);
      g_autofree char *what = g_strdup_printf ("subsystem namespace descriptor %u", i + 1);
      StasNbftSsns *ssns;

      if (!(le16 (d + SSNS_FLAGS) & FLAG_VALID))
        continue;
      if (!check_id (d, DESC_SSNS, what, error))
        return FALSE;
      ssns = g_new0 (StasNbftSsns, 1);
      g_ptr_array_add (nbft->ssns, ssns);
      if (!parse_one_ssns (t, d, list.elen, what, ssns, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- header and control ---------------------------------------------------------------- */

static gboolean
parse_header (const guint8 *data, gsize size, Table *t, StasNbft *nbft, GError **error)
{
  guint64 len;
  guint8 sum = 0;
  HeapObj obj;

  if (size < 8)
    return fail (error, "table too short (%" G_GSIZE_FORMAT " bytes)", size);
  if (memcmp (data, "NBFT", 4) != 0)
    return fail (error, "bad signature");

  len = le32 (data + HDR_LENGTH);
  if (len < CTRL_OFFSET + CTRL_MIN)
    return fail (error, "table length %" G_GUINT64_FORMAT " is too small", len);
  if (len > size)
    return fail (error,
                 "truncated table (length %" G_GUINT64_FORMAT ", %" G_GSIZE_FORMAT " bytes read)",
                 len, size);
  for (gsize i = 0; i < len; i++)
    sum += data[i];
  if (sum != 0)
    return fail (error, "bad checksum");

  nbft->major_revision = data[HDR_MAJOR];
  nbft->minor_revision = data[HDR_MINOR];
  if (nbft->major_revision != 1)
    return fail (error, "unsupported major revision %u", nbft->major_revision);
  memcpy (nbft->oem_id, data + HDR_OEM_ID, 6);
  memcpy (nbft->oem_table_id, data + HDR_OEM_TABLE_ID, 8);

  t->data = data;
  t->len = len;
  t->heap_start = le32 (data + HDR_HEAP_OFFSET);
  t->heap_end = t->heap_start + le32 (data + HDR_HEAP_LENGTH);
  if (t->heap_end > t->heap_start &&
      !in_range (t->heap_start, t->heap_end - t->heap_start, HDR_SIZE, len))
    return fail (error,
                 "heap (offset %" G_GUINT64_FORMAT ", length %" G_GUINT64_FORMAT
                 ") outside the table",
                 t->heap_start, t->heap_end - t->heap_start);
  return heap_obj (t, data + HDR_DRIVER_SIG, "driver signature", &obj, error);
}

StasNbft *
stas_nbft_parse (const guint8 *data, gsize size, GError **error)
{
  g_autoptr (StasNbft) nbft = g_new0 (StasNbft, 1);
  Table t = { 0 };
  const guint8 *ctrl;
  guint csl;
  List sec;

  g_return_val_if_fail (data != NULL || size == 0, NULL);

  nbft->hfis = g_ptr_array_new_with_free_func ((GDestroyNotify) hfi_free);
  nbft->discoveries = g_ptr_array_new_with_free_func ((GDestroyNotify) discovery_free);
  nbft->ssns = g_ptr_array_new_with_free_func ((GDestroyNotify) ssns_free);

  if (!parse_header (data, size, &t, nbft, error))
    return NULL;

  ctrl = data + CTRL_OFFSET;
  csl = le16 (ctrl + CTRL_CSL);
  if (!check_id (ctrl, DESC_CONTROL, "control descriptor", error))
    return NULL;
  if (csl < CTRL_MIN || !in_range (CTRL_OFFSET, csl, CTRL_OFFSET, t.len))
    {
      fail (error, "control descriptor length %u is invalid", csl);
      return NULL;
    }
  nbft->control_valid = (ctrl[CTRL_FLAGS] & FLAG_VALID) != 0;
  if (!nbft->control_valid)
    return g_steal_pointer (&nbft);

  if (!parse_host (&t, ctrl, &nbft->host, error) || !parse_hfis (&t, ctrl, nbft, error) ||
      !parse_ssns_list (&t, ctrl, nbft, error) ||
      !list_ref (&t, ctrl + CTRL_SEC, "security", 1, &sec, error) ||
      !parse_discoveries (&t, ctrl, nbft, error))
    return NULL;
  return g_steal_pointer (&nbft);
}

void
stas_nbft_free (StasNbft *nbft)
{
  if (nbft == NULL)
    return;
  g_free (nbft->host.host_id_text);
  g_free (nbft->host.host_nqn);
  g_clear_pointer (&nbft->hfis, g_ptr_array_unref);
  g_clear_pointer (&nbft->discoveries, g_ptr_array_unref);
  g_clear_pointer (&nbft->ssns, g_ptr_array_unref);
  g_free (nbft);
}

const StasNbftHfi *
stas_nbft_find_hfi (const StasNbft *nbft, guint hfi_index)
{
  for (guint i = 0; i < nbft->hfis->len; i++)
    {
      const StasNbftHfi *hfi = g_ptr_array_index (nbft->hfis, i);
      if (hfi->index == hfi_index)
        return hfi;
    }
  return NULL;
}

/* ---- discovery URI --------------------------------------------------------------------- */

static gboolean
uri_fail (GError **error, const char *reason)
{
  g_set_error_literal (error, STAS_NBFT_ERROR, STAS_NBFT_ERROR_URI, reason);
  return FALSE;
}

/* "1".."65535" without sign; normalised (no leading zeros) into @out. */
static gboolean
parse_port (const char *text, gsize n, char **out)
{
  guint port = 0;

  if (n == 0 || n > 5)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      port = port * 10 + (guint) (text[i] - '0');
    }
  if (port < 1 || port > 65535)
    return FALSE;
  *out = g_strdup_printf ("%u", port);
  return TRUE;
}

gboolean
stas_nbft_parse_uri (
    const char *uri, char **transport, char **traddr, char **trsvcid, GError **error)
{
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *port = NULL;
  const char *sep;
  const char *auth;
  const char *auth_end;
  const char *tr;
  const char *port_text = NULL;

  if (uri == NULL || *uri == '\0')
    return uri_fail (error, "empty URI");
  sep = strstr (uri, "://");
  if (sep == NULL)
    return uri_fail (error, "no scheme");
  scheme = g_ascii_strdown (uri, sep - uri);
  if (!g_str_has_prefix (scheme, "nvme+"))
    return uri_fail (error, "scheme is not nvme+<transport>");
  tr = scheme + strlen ("nvme+");
  if (strcmp (tr, "tcp") != 0 && strcmp (tr, "rdma") != 0)
    return uri_fail (error, "unsupported transport");

  auth = sep + 3;
  auth_end = auth + strcspn (auth, "/?#");
  if (*auth_end != '\0' && strcmp (auth_end, "/") != 0)
    return uri_fail (error, "unexpected path, query or fragment");
  if (memchr (auth, '@', auth_end - auth) != NULL)
    return uri_fail (error, "user information not allowed");

  if (*auth == '[')
    {
      const char *close = memchr (auth, ']', auth_end - auth);
      if (close == NULL)
        return uri_fail (error, "unterminated IPv6 address");
      host = g_strndup (auth + 1, close - auth - 1);
      if (strchr (host, ':') == NULL || !stas_ip_is_literal (host))
        return uri_fail (error, "invalid IPv6 address");
      if (close + 1 < auth_end)
        {
          if (close[1] != ':')
            return uri_fail (error, "garbage after IPv6 address");
          port_text = close + 2;
        }
    }
  else
    {
      const char *colon = memchr (auth, ':', auth_end - auth);
      host = g_strndup (auth, (colon ? colon : auth_end) - auth);
      if (colon != NULL)
        {
          if (memchr (colon + 1, ':', auth_end - colon - 1) != NULL)
            return uri_fail (error, "IPv6 address without brackets");
          port_text = colon + 1;
        }
      if (*host == '\0')
        return uri_fail (error, "no host");
      if (!stas_ip_is_literal (host) && !stas_hostname_is_valid (host))
        return uri_fail (error, "invalid host");
    }

  if (port_text != NULL && port_text < auth_end)
    {
      if (!parse_port (port_text, auth_end - port_text, &port))
        return uri_fail (error, "invalid port");
    }
  else
    port = g_strdup (strcmp (tr, "tcp") == 0 ? DEFAULT_TCP_DISC_PORT : "");

  if (transport != NULL)
    *transport = g_strdup (tr);
  if (traddr != NULL)
    *traddr = g_steal_pointer (&host);
  if (trsvcid != NULL)
    *trsvcid = g_steal_pointer (&port);
  return TRUE;
}

/* ---- candidates ------------------------------------------------------------------------ */

void
stas_nbft_candidate_free (StasNbftCandidate *c)
{
  if (c == NULL)
    return;
  g_free (c->path);
  g_free (c->uri);
  g_free (c->transport);
  g_free (c->traddr);
  g_free (c->trsvcid);
  g_free (c->subsysnqn);
  g_free (c->hfi_mac);
  g_free (c->host_nqn);
  g_free (c->host_id);
  g_free (c);
}

/* Table strings come from firmware: escape them before they reach a log line. */
static char *
escaped (const char *text)
{
  return g_strescape (text != NULL ? text : "", NULL);
}

static void
host_identity (const StasNbft *nbft, const char *where, GPtrArray *diags, char **nqn, char **id)
{
  static const guint8 zero[16] = { 0 };
  const StasNbftHost *host = &nbft->host;

  *nqn = *id = NULL;
  if (!host->valid || !host->host_nqn_configured)
    return;
  if (host->host_nqn == NULL || !stas_nqn_is_valid (host->host_nqn))
    {
      g_autofree char *text = escaped (host->host_nqn);
      stas_diags_add (diags, STAS_LOG_WARNING,
                      "%s: NBFT host NQN \"%s\" is not valid, using the sys.conf host identity",
                      where, text);
      return;
    }
  *nqn = g_strdup (host->host_nqn);
  if (memcmp (host->host_id, zero, sizeof zero) != 0)
    *id = g_strdup (host->host_id_text);
}

static StasNbftCandidate *
make_candidate (const StasNbft *nbft,
                const StasNbftDiscovery *disc,
                const char *where,
                GPtrArray *diags)
{
  g_autoptr (StasNbftCandidate) c = g_new0 (StasNbftCandidate, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *uri_text = escaped (disc->uri);
  const StasNbftHfi *hfi;

  if (disc->uri == NULL)
    {
      stas_diags_add (diags, STAS_LOG_WARNING, "%s: NBFT discovery descriptor %u: no URI, skipped",
                      where, disc->index);
      return NULL;
    }
  if (!stas_nbft_parse_uri (disc->uri, &c->transport, &c->traddr, &c->trsvcid, &error))
    {
      stas_diags_add (diags, STAS_LOG_WARNING,
                      "%s: NBFT discovery descriptor %u: invalid URI \"%s\" (%s), skipped", where,
                      disc->index, uri_text, error->message);
      return NULL;
    }

  c->subsysnqn = g_strstrip (g_strdup (disc->nqn != NULL ? disc->nqn : ""));
  if (*c->subsysnqn == '\0')
    {
      g_free (c->subsysnqn);
      c->subsysnqn = g_strdup (STAS_WELL_KNOWN_DISC_NQN);
    }
  if (!stas_nqn_is_valid (c->subsysnqn))
    {
      g_autofree char *nqn_text = escaped (disc->nqn);
      stas_diags_add (diags, STAS_LOG_WARNING,
                      "%s: NBFT discovery descriptor %u: invalid NQN \"%s\", skipped", where,
                      disc->index, nqn_text);
      return NULL;
    }

  hfi = stas_nbft_find_hfi (nbft, disc->hfi_index);
  if (hfi != NULL && hfi->has_tcp_info)
    c->hfi_mac = g_strdup (hfi->mac_text);
  else if (strcmp (c->transport, "tcp") == 0)
    stas_diags_add (diags, STAS_LOG_WARNING,
                    "%s: NBFT discovery descriptor %u: no HFI %u with a MAC address, "
                    "host-iface not set",
                    where, disc->index, disc->hfi_index);

  c->path = g_strdup (where);
  c->index = disc->index;
  c->uri = g_strdup (disc->uri);
  return g_steal_pointer (&c);
}

GPtrArray *
stas_nbft_candidates (const StasNbft *nbft, const char *path, GPtrArray *diags)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_nbft_candidate_free);
  const char *where = path != NULL ? path : "NBFT";
  g_autofree char *host_nqn = NULL;
  g_autofree char *host_id = NULL;

  g_return_val_if_fail (nbft != NULL, out);

  host_identity (nbft, where, diags, &host_nqn, &host_id);
  for (guint i = 0; i < nbft->discoveries->len; i++)
    {
      StasNbftCandidate *c =
          make_candidate (nbft, g_ptr_array_index (nbft->discoveries, i), where, diags);
      if (c == NULL)
        continue;
      c->host_nqn = g_strdup (host_nqn);
      c->host_id = g_strdup (host_id);
      g_ptr_array_add (out, c);
    }
  return out;
}

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
stas_nbft_load_dir (const char *dir, GPtrArray *diags)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_nbft_candidate_free);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) list = g_string_new ("[");
  GDir *d;
  const char *name;

  if (dir == NULL)
    dir = STAS_NBFT_DEFAULT_DIR;
  d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return out;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "NBFT"))
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  g_dir_close (d);
  if (paths->len == 0)
    return out;

  g_ptr_array_sort (paths, compare_paths);
  for (guint i = 0; i < paths->len; i++)
    g_string_append_printf (list, "%s'%s'", i ? ", " : "", (char *) g_ptr_array_index (paths, i));
  g_string_append_c (list, ']');
  stas_diags_add (diags, STAS_LOG_INFO, "NBFT location(s): %s", list->str);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr (GError) error = NULL;
      g_autofree char *contents = NULL;
      g_autoptr (StasNbft) nbft = NULL;
      gsize size = 0;

      if (!g_file_get_contents (path, &contents, &size, &error) ||
          (nbft = stas_nbft_parse ((const guint8 *) contents, size, &error)) == NULL)
        {
          stas_diags_add (diags, STAS_LOG_WARNING, "%s: cannot parse NBFT: %s", path,
                          error->message);
          continue;
        }
      g_ptr_array_extend_and_steal (out, stas_nbft_candidates (nbft, path, diags));
    }
  return out;
}

/* ---- HFI MAC → interface --------------------------------------------------------------- */

/* Exactly six ':'-separated pairs of hex digits. */
static gboolean
parse_mac (const char *text, guint8 mac[6])
{
  if (text == NULL || strlen (text) != 17)
    return FALSE;
  for (guint i = 0; i < 6; i++)
    {
      const char *p = text + i * 3;
      if (!g_ascii_isxdigit (p[0]) || !g_ascii_isxdigit (p[1]) || (i < 5 && p[2] != ':'))
        return FALSE;
      mac[i] = (guint8) (g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
    }
  return TRUE;
}

char *
stas_nbft_mac_to_iface (const char *mac, const StasNbftLink *links, gsize n_links, GPtrArray *diags)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new ();
  g_autofree char *names = NULL;
  guint8 want[6];
  guint8 have[6];

  if (!parse_mac (mac, want))
    {
      g_autofree char *text = escaped (mac);
      stas_diags_add (diags, STAS_LOG_WARNING,
                      "NBFT: invalid MAC address \"%s\", host-iface not set", text);
      return NULL;
    }
  for (gsize i = 0; i < n_links; i++)
    if (links[i].is_ethernet_or_loopback && links[i].ifname != NULL &&
        parse_mac (links[i].mac, have) && memcmp (have, want, sizeof want) == 0)
      g_ptr_array_add (found, (gpointer) links[i].ifname);

  if (found->len == 1)
    return g_strdup (g_ptr_array_index (found, 0));
  if (found->len == 0)
    {
      stas_diags_add (diags, STAS_LOG_WARNING,
                      "NBFT: no interface has MAC address %s, host-iface not set", mac);
      return NULL;
    }
  g_ptr_array_add (found, NULL);
  names = g_strjoinv (", ", (char **) found->pdata);
  stas_diags_add (diags, STAS_LOG_WARNING,
                  "NBFT: several interfaces (%s) have MAC address %s, host-iface not set", names,
                  mac);
  return NULL;
}
