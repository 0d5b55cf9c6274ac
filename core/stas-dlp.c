/* stas-dlp.c — Discovery Log Page Entries: record layout, validation, D-Bus dictionary
 * (spec/dbus.md §5.4 [DBUS-33]), referral/IOC derivation (behaviour §6.3, §7.3). */
#include "config.h"

#include "stas-dlp.h"

#include <string.h>

#include "stas-ip.h"
#include "stas-log.h"

G_DEFINE_QUARK (stas - dlp - error - quark, stas_dlp_error)

/* Byte offsets in a record (NVMe base specification, Discovery Log Page Entry). */
enum
{
  OFF_TRTYPE = 0,
  OFF_ADRFAM = 1,
  OFF_SUBTYPE = 2,
  OFF_TREQ = 3,
  OFF_PORTID = 4,
  OFF_CNTLID = 6,
  OFF_ASQSZ = 8,
  OFF_EFLAGS = 10,
  OFF_TRSVCID = 32,
  OFF_SUBNQN = 256,
  OFF_TRADDR = 512,
  OFF_TSAS = 768,
};

/* Per-entry DEBUG reasons are capped so a hostile page cannot flood the log. */
#define MAX_DROP_DETAILS 8

/* ---- code values ------------------------------------------------------------------------ */

typedef struct
{
  guint8 code;
  const char *name;
} CodeName;

static const CodeName trtype_names[] = {
  { STAS_DLP_TRTYPE_UNSPECIFIED, "unspecified" },
  { STAS_DLP_TRTYPE_RDMA, "rdma" },
  { STAS_DLP_TRTYPE_FC, "fc" },
  { STAS_DLP_TRTYPE_TCP, "tcp" },
  { STAS_DLP_TRTYPE_LOOP, "loop" },
  { 0, NULL },
};

static const CodeName adrfam_names[] = {
  { STAS_DLP_ADRFAM_PCI, "pci" },   { STAS_DLP_ADRFAM_IPV4, "ipv4" },
  { STAS_DLP_ADRFAM_IPV6, "ipv6" }, { STAS_DLP_ADRFAM_IB, "infiniband" },
  { STAS_DLP_ADRFAM_FC, "fc" },     { 0, NULL },
};

static const CodeName subtype_names[] = {
  { STAS_DLP_SUBTYPE_REFERRAL, "referral" },
  { STAS_DLP_SUBTYPE_NVME, "nvme" },
  { STAS_DLP_SUBTYPE_DISCOVERY, "discovery" },
  { 0, NULL },
};

/* treq is mapped on its exact value, not bit by bit (as the libnvme 1.3 binding does). */
static const CodeName treq_names[] = {
  { STAS_DLP_TREQ_NOT_SPECIFIED, "not specified" },
  { STAS_DLP_TREQ_REQUIRED, "required" },
  { STAS_DLP_TREQ_NOT_REQUIRED, "not required" },
  { STAS_DLP_TREQ_DISABLE_SQFLOW, "disable sqflow" },
  { 0, NULL },
};

static const char *
code_name (const CodeName *table, guint8 code)
{
  for (; table->name != NULL; table++)
    if (table->code == code)
      return table->name;
  return NULL;
}

static const char *
code_to_string (const CodeName *table, guint8 code, char buf[STAS_DLP_CODE_BUF])
{
  const char *name = code_name (table, code);

  if (name != NULL)
    return name;
  g_snprintf (buf, STAS_DLP_CODE_BUF, "%u", (guint) code);
  return buf;
}

/* Decimal without sign, at most @max; no empty text, no leading '+' or spaces. */
static gboolean
parse_decimal (const char *text, guint max, guint *value)
{
  guint v = 0;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      v = v * 10 + (guint) (*p - '0');
      if (v > max)
        return FALSE;
    }
  *value = v;
  return TRUE;
}

static gboolean
code_from_string (const CodeName *table, const char *text, guint8 *code)
{
  guint v;

  if (text == NULL)
    return FALSE;
  for (; table->name != NULL; table++)
    if (strcmp (table->name, text) == 0)
      {
        *code = table->code;
        return TRUE;
      }
  if (!parse_decimal (text, G_MAXUINT8, &v))
    return FALSE;
  *code = (guint8) v;
  return TRUE;
}

const char *
stas_dlp_trtype_to_string (guint8 trtype, char buf[STAS_DLP_CODE_BUF])
{
  return code_to_string (trtype_names, trtype, buf);
}

const char *
stas_dlp_adrfam_to_string (guint8 adrfam, char buf[STAS_DLP_CODE_BUF])
{
  return code_to_string (adrfam_names, adrfam, buf);
}

const char *
stas_dlp_subtype_to_string (guint8 subtype, char buf[STAS_DLP_CODE_BUF])
{
  return code_to_string (subtype_names, subtype, buf);
}

const char *
stas_dlp_treq_to_string (guint8 treq, char buf[STAS_DLP_CODE_BUF])
{
  return code_to_string (treq_names, treq, buf);
}

gboolean
stas_dlp_trtype_from_string (const char *text, guint8 *trtype)
{
  return code_from_string (trtype_names, text, trtype);
}

gboolean
stas_dlp_adrfam_from_string (const char *text, guint8 *adrfam)
{
  return code_from_string (adrfam_names, text, adrfam);
}

gboolean
stas_dlp_subtype_from_string (const char *text, guint8 *subtype)
{
  return code_from_string (subtype_names, text, subtype);
}

gboolean
stas_dlp_treq_from_string (const char *text, guint8 *treq)
{
  return code_from_string (treq_names, text, treq);
}

/* ---- one record ------------------------------------------------------------------------- */

static guint16
get_le16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static void
put_le16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) (v & 0xff);
  p[1] = (guint8) (v >> 8);
}

/* Copies @len bytes of text (up to a NUL) into @out (size @len + 1), strips surrounding
 * whitespace and checks that what is left is printable ASCII. */
static gboolean
take_text (const char *name, const guint8 *field, gsize len, char *out, GError **error)
{
  gsize n = 0;
  gsize start = 0;

  while (n < len && field[n] != '\0')
    n++;
  while (start < n && g_ascii_isspace (field[start]))
    start++;
  while (n > start && g_ascii_isspace (field[n - 1]))
    n--;
  for (gsize i = start; i < n; i++)
    if (field[i] < 0x20 || field[i] > 0x7e)
      {
        g_set_error (error, STAS_DLP_ERROR, STAS_DLP_ERROR_MALFORMED,
                     "non-printable byte 0x%02x in %s", (guint) field[i], name);
        out[0] = '\0';
        return FALSE;
      }
  memcpy (out, field + start, n - start);
  out[n - start] = '\0';
  return TRUE;
}

gboolean
stas_dlpe_parse (const guint8 record[STAS_DLPE_SIZE], StasDlpe *out, GError **error)
{
  g_return_val_if_fail (record != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out, 0, sizeof *out);
  out->trtype = record[OFF_TRTYPE];
  out->adrfam = record[OFF_ADRFAM];
  out->subtype = record[OFF_SUBTYPE];
  out->treq = record[OFF_TREQ];
  out->portid = get_le16 (record + OFF_PORTID);
  out->cntlid = get_le16 (record + OFF_CNTLID);
  out->asqsz = get_le16 (record + OFF_ASQSZ);
  out->eflags = get_le16 (record + OFF_EFLAGS);
  return take_text ("traddr", record + OFF_TRADDR, STAS_DLPE_TRADDR_LEN, out->traddr, error) &&
         take_text ("trsvcid", record + OFF_TRSVCID, STAS_DLPE_TRSVCID_LEN, out->trsvcid, error) &&
         take_text ("subnqn", record + OFF_SUBNQN, STAS_DLPE_SUBNQN_LEN, out->subnqn, error);
}

gboolean
stas_dlpe_is_published (const StasDlpe *dlpe)
{
  g_return_val_if_fail (dlpe != NULL, FALSE);

  if (dlpe->trtype == STAS_DLP_TRTYPE_LOOP)
    return TRUE;
  /* exact texts, as the reference compares them */
  return strcmp (dlpe->traddr, "") != 0 && strcmp (dlpe->traddr, "0.0.0.0") != 0 &&
         strcmp (dlpe->traddr, "::") != 0;
}

/* ---- a whole page ----------------------------------------------------------------------- */

GArray *
stas_dlp_parse_page (
    const StasDlpRaw *raw, const char *dc_tid, const char *device, guint *dropped, GPtrArray *diags)
{
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (StasDlpe));
  const guint8 *data = NULL;
  gsize size = 0;
  guint64 present;
  guint64 missing = 0;
  guint n_dropped = 0;
  guint n_hidden = 0;
  const char *dev = device != NULL && *device != '\0' ? device : "nvme?";
  const char *tid = dc_tid != NULL ? dc_tid : "";

  if (dropped != NULL)
    *dropped = 0;
  g_return_val_if_fail (raw != NULL, entries);

  if (raw->entries != NULL)
    data = g_bytes_get_data (raw->entries, &size);
  present = MIN (raw->numrec, size / STAS_DLPE_SIZE);
  if (raw->numrec > present)
    {
      missing = raw->numrec - present;
      stas_diags_add (diags, STAS_LOG_DEBUG,
                      "%s | %s - Log page announces %" G_GUINT64_FORMAT
                      " records but holds %" G_GUINT64_FORMAT,
                      tid, dev, raw->numrec, present);
    }

  for (guint64 i = 0; i < present; i++)
    {
      g_autoptr (GError) error = NULL;
      StasDlpe dlpe;

      if (!stas_dlpe_parse (data + i * STAS_DLPE_SIZE, &dlpe, &error))
        {
          if (n_dropped < MAX_DROP_DETAILS)
            stas_diags_add (diags, STAS_LOG_DEBUG,
                            "%s | %s - Discovery log page entry %" G_GUINT64_FORMAT " dropped: %s",
                            tid, dev, i, error->message);
          n_dropped++;
          continue;
        }
      if (!stas_dlpe_is_published (&dlpe))
        {
          n_hidden++;
          continue;
        }
      g_array_append_val (entries, dlpe);
    }

  /* a short page counts as malformed: its consumers must not treat it as complete */
  n_dropped += (guint) MIN (missing, (guint64) G_MAXUINT - n_dropped);
  if (n_hidden > 0)
    stas_diags_add (diags, STAS_LOG_DEBUG,
                    "%s | %s - %u discovery log page entries with an invalid address not "
                    "published",
                    tid, dev, n_hidden);
  if (n_dropped > 0)
    stas_diags_add (diags, STAS_LOG_WARNING,
                    "%s | %s - Dropped %u malformed discovery log page entries", tid, dev,
                    n_dropped);
  if (dropped != NULL)
    *dropped = n_dropped;
  return entries;
}

/* ---- the D-Bus dictionary --------------------------------------------------------------- */

/* Keys in publishing order; the values are produced by dlpe_values(). */
enum
{
  K_TRTYPE,
  K_ADRFAM,
  K_TRADDR,
  K_TRSVCID,
  K_SUBNQN,
  K_SUBTYPE,
  K_TREQ,
  K_PORTID,
  K_CNTLID,
  K_ASQSZ,
  K_EFLAGS,
  N_KEYS,
};

static const char *const dlpe_keys[N_KEYS] = {
  "trtype", "adrfam", "traddr", "trsvcid", "subnqn", "subtype",
  "treq",   "portid", "cntlid", "asqsz",   "eflags",
};

typedef struct
{
  char code[4][STAS_DLP_CODE_BUF];
  char num[4][STAS_DLP_CODE_BUF];
  const char *value[N_KEYS];
} DlpeValues;

static void
dlpe_values (const StasDlpe *dlpe, DlpeValues *v)
{
  v->value[K_TRTYPE] = stas_dlp_trtype_to_string (dlpe->trtype, v->code[0]);
  v->value[K_ADRFAM] = stas_dlp_adrfam_to_string (dlpe->adrfam, v->code[1]);
  v->value[K_TRADDR] = dlpe->traddr;
  v->value[K_TRSVCID] = dlpe->trsvcid;
  v->value[K_SUBNQN] = dlpe->subnqn;
  v->value[K_SUBTYPE] = stas_dlp_subtype_to_string (dlpe->subtype, v->code[2]);
  v->value[K_TREQ] = stas_dlp_treq_to_string (dlpe->treq, v->code[3]);
  g_snprintf (v->num[0], STAS_DLP_CODE_BUF, "%u", (guint) dlpe->portid);
  g_snprintf (v->num[1], STAS_DLP_CODE_BUF, "%u", (guint) dlpe->cntlid);
  g_snprintf (v->num[2], STAS_DLP_CODE_BUF, "%u", (guint) dlpe->asqsz);
  g_snprintf (v->num[3], STAS_DLP_CODE_BUF, "%u", (guint) dlpe->eflags);
  v->value[K_PORTID] = v->num[0];
  v->value[K_CNTLID] = v->num[1];
  v->value[K_ASQSZ] = v->num[2];
  v->value[K_EFLAGS] = v->num[3];
}

GVariant *
stas_dlpe_to_variant (const StasDlpe *dlpe)
{
  GVariantBuilder builder;
  DlpeValues v;

  g_return_val_if_fail (dlpe != NULL, NULL);

  dlpe_values (dlpe, &v);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < N_KEYS; i++)
    g_variant_builder_add (&builder, "{ss}", dlpe_keys[i], v.value[i]);
  return g_variant_builder_end (&builder);
}

/* Appends @text as a JSON string; DLPE text is printable ASCII (validated at parse time),
 * so only the quote and the backslash need escaping. */
static void
append_json_ascii (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

void
stas_dlp_append_json (GString *out, const GArray *entries)
{
  g_string_append_c (out, '[');
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      DlpeValues v;

      dlpe_values (&g_array_index (entries, StasDlpe, i), &v);
      g_string_append (out, i > 0 ? ", {" : "{");
      for (guint k = 0; k < N_KEYS; k++)
        {
          if (k > 0)
            g_string_append (out, ", ");
          append_json_ascii (out, dlpe_keys[k]);
          g_string_append (out, ": ");
          append_json_ascii (out, v.value[k]);
        }
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
}

GVariant *
stas_dlp_to_variant (const GArray *entries)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{ss}"));
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    g_variant_builder_add_value (&builder,
                                 stas_dlpe_to_variant (&g_array_index (entries, StasDlpe, i)));
  return g_variant_builder_end (&builder);
}

static gboolean
malformed (GError **error, const char *key, const char *value)
{
  g_set_error (error, STAS_DLP_ERROR, STAS_DLP_ERROR_MALFORMED, "invalid %s \"%s\"", key, value);
  return FALSE;
}

static gboolean
text_from_string (const char *key, const char *value, char *out, gsize len, GError **error)
{
  if (strlen (value) > len)
    {
      g_set_error (error, STAS_DLP_ERROR, STAS_DLP_ERROR_MALFORMED,
                   "%s longer than %" G_GSIZE_FORMAT " bytes", key, len);
      return FALSE;
    }
  /* same rules as on the wire; the bound check above keeps the copy within @out */
  return take_text (key, (const guint8 *) value, strlen (value), out, error);
}

static gboolean
u16_from_string (const char *key, const char *value, guint16 *out, GError **error)
{
  guint v;

  if (!parse_decimal (value, G_MAXUINT16, &v))
    return malformed (error, key, value);
  *out = (guint16) v;
  return TRUE;
}

gboolean
stas_dlpe_from_variant (GVariant *dict, StasDlpe *out, GError **error)
{
  const char *value[N_KEYS];

  g_return_val_if_fail (dict != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (!g_variant_is_of_type (dict, G_VARIANT_TYPE ("a{ss}")))
    {
      g_set_error (error, STAS_DLP_ERROR, STAS_DLP_ERROR_MALFORMED,
                   "log page entry has type %s, expected a{ss}", g_variant_get_type_string (dict));
      return FALSE;
    }
  for (guint i = 0; i < N_KEYS; i++)
    if (!g_variant_lookup (dict, dlpe_keys[i], "&s", &value[i]))
      {
        g_set_error (error, STAS_DLP_ERROR, STAS_DLP_ERROR_MALFORMED,
                     "log page entry has no \"%s\" key", dlpe_keys[i]);
        return FALSE;
      }

  if (!stas_dlp_trtype_from_string (value[K_TRTYPE], &out->trtype))
    return malformed (error, "trtype", value[K_TRTYPE]);
  if (!stas_dlp_adrfam_from_string (value[K_ADRFAM], &out->adrfam))
    return malformed (error, "adrfam", value[K_ADRFAM]);
  if (!stas_dlp_subtype_from_string (value[K_SUBTYPE], &out->subtype))
    return malformed (error, "subtype", value[K_SUBTYPE]);
  if (!stas_dlp_treq_from_string (value[K_TREQ], &out->treq))
    return malformed (error, "treq", value[K_TREQ]);
  return u16_from_string ("portid", value[K_PORTID], &out->portid, error) &&
         u16_from_string ("cntlid", value[K_CNTLID], &out->cntlid, error) &&
         u16_from_string ("asqsz", value[K_ASQSZ], &out->asqsz, error) &&
         u16_from_string ("eflags", value[K_EFLAGS], &out->eflags, error) &&
         text_from_string ("traddr", value[K_TRADDR], out->traddr, STAS_DLPE_TRADDR_LEN, error) &&
         text_from_string ("trsvcid", value[K_TRSVCID], out->trsvcid, STAS_DLPE_TRSVCID_LEN,
                           error) &&
         text_from_string ("subnqn", value[K_SUBNQN], out->subnqn, STAS_DLPE_SUBNQN_LEN, error);
}

char *
stas_dlpe_to_repr (const StasDlpe *dlpe)
{
  GString *out = g_string_new ("{");
  DlpeValues v;

  g_return_val_if_fail (dlpe != NULL, NULL);

  dlpe_values (dlpe, &v);
  for (guint i = 0; i < N_KEYS; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      g_string_append_printf (out, "'%s': '", dlpe_keys[i]);
      for (const char *p = v.value[i]; *p != '\0'; p++)
        {
          if (*p == '\\' || *p == '\'')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '\'');
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* ---- what an entry means ---------------------------------------------------------------- */

gboolean
stas_dlpe_is_referral (const StasDlpe *dlpe)
{
  return dlpe->subtype == STAS_DLP_SUBTYPE_REFERRAL;
}

gboolean
stas_dlpe_is_nvme (const StasDlpe *dlpe)
{
  return dlpe->subtype == STAS_DLP_SUBTYPE_NVME;
}

gboolean
stas_dlpe_is_discovery (const StasDlpe *dlpe)
{
  return dlpe->subtype == STAS_DLP_SUBTYPE_DISCOVERY;
}

gboolean
stas_dlpe_has_ncc (const StasDlpe *dlpe)
{
  return (dlpe->eflags & STAS_DLP_EFLAGS_NCC) != 0;
}

const char *
stas_dlpe_transport (const StasDlpe *dlpe)
{
  switch (dlpe->trtype)
    {
    case STAS_DLP_TRTYPE_TCP:
    case STAS_DLP_TRTYPE_RDMA:
    case STAS_DLP_TRTYPE_FC:
    case STAS_DLP_TRTYPE_LOOP:
      return code_name (trtype_names, dlpe->trtype);
    default:
      return NULL;
    }
}

gboolean
stas_dlpe_same_transport (const StasDlpe *dlpe, const StasTid *dc)
{
  const char *transport = stas_dlpe_transport (dlpe);

  return transport != NULL && strcmp (transport, stas_tid_get_transport (dc)) == 0;
}

static gboolean
is_ip_transport (const char *transport)
{
  return strcmp (transport, "tcp") == 0 || strcmp (transport, "rdma") == 0;
}

/* Port texts compared as numbers ("08009" = "8009"); both empty is equal. */
static gboolean
same_port (const char *a, const char *b)
{
  guint pa, pb;

  if (*a == '\0' || *b == '\0')
    return *a == '\0' && *b == '\0';
  return parse_decimal (a, G_MAXUINT16, &pa) && parse_decimal (b, G_MAXUINT16, &pb) && pa == pb;
}

gboolean
stas_dlpe_is_self_referral (const StasDlpe *dlpe, const StasTid *dc)
{
  const char *transport = stas_tid_get_transport (dc);
  gboolean same_addr;

  if (!stas_dlpe_same_transport (dlpe, dc))
    return FALSE;
  if (is_ip_transport (transport))
    same_addr = stas_ip_equal (dlpe->traddr, stas_tid_get_traddr (dc));
  else
    same_addr = g_ascii_strcasecmp (dlpe->traddr, stas_tid_get_traddr (dc)) == 0;
  if (!same_addr)
    return FALSE;
  /* fc/loop TIDs carry no port: the entry's port does not matter there */
  if (is_ip_transport (transport) && !same_port (dlpe->trsvcid, stas_tid_get_trsvcid (dc)))
    return FALSE;
  return strcmp (dlpe->subnqn, stas_tid_get_subsysnqn (dc)) == 0 ||
         strcmp (dlpe->subnqn, STAS_WELL_KNOWN_DISC_NQN) == 0;
}

void
stas_dlpe_tid_fields (const StasDlpe *dlpe, const StasTid *dc, StasTidFields *fields)
{
  const char *transport = stas_dlpe_transport (dlpe);

  *fields = (StasTidFields){
    .transport = transport != NULL ? transport : "",
    .traddr = dlpe->traddr,
    .trsvcid = dlpe->trsvcid,
    .subsysnqn = dlpe->subnqn,
    .host_traddr = stas_tid_get_host_traddr (dc),
    .host_iface = stas_tid_get_host_iface (dc),
    .host_nqn = stas_tid_get_host_nqn (dc),
    .host_id = stas_tid_get_host_id (dc),
  };
}

static StasTid *
invalid (GError **error, const char *what, const char *value, const char *problem)
{
  g_set_error (error, STAS_DLP_ERROR, STAS_DLP_ERROR_INVALID, "%s \"%s\" %s", what, value, problem);
  return NULL;
}

StasTid *
stas_dlpe_to_tid (const StasDlpe *dlpe,
                  const StasTid *dc,
                  const StasTidDefaults *defaults,
                  GError **error)
{
  g_autoptr (GError) local = NULL;
  StasTidFields fields;
  StasTid *tid;
  char buf[STAS_DLP_CODE_BUF];
  guint port;

  g_return_val_if_fail (dlpe != NULL && dc != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!stas_dlpe_same_transport (dlpe, dc))
    {
      g_set_error (error, STAS_DLP_ERROR, STAS_DLP_ERROR_CROSS_TRANSPORT,
                   "transport %s differs from the DC's transport %s",
                   stas_dlp_trtype_to_string (dlpe->trtype, buf), stas_tid_get_transport (dc));
      return NULL;
    }
  if (is_ip_transport (stas_tid_get_transport (dc)))
    {
      if (!stas_ip_is_literal (dlpe->traddr))
        return invalid (error, "traddr", dlpe->traddr, "is not a valid IP address");
      /* an empty port would be defaulted by the TID rules; from a DLPE it is an error */
      if (!parse_decimal (dlpe->trsvcid, G_MAXUINT16, &port) || port == 0)
        return invalid (error, "trsvcid", dlpe->trsvcid, "is not a port number 1..65535");
    }
  if (!stas_nqn_is_valid (dlpe->subnqn))
    return invalid (error, "subnqn", dlpe->subnqn, "is not a valid NQN");

  stas_dlpe_tid_fields (dlpe, dc, &fields);
  tid = stas_tid_new (defaults, &fields, &local);
  if (tid == NULL)
    {
      g_set_error_literal (error, STAS_DLP_ERROR, STAS_DLP_ERROR_INVALID, local->message);
      return NULL;
    }
  return tid;
}

/* ---- building records ------------------------------------------------------------------- */

static void
put_text (guint8 *field, gsize len, const char *text)
{
  if (text != NULL)
    memcpy (field, text, MIN (strlen (text), len));
}

void
stas_dlp_build_entry_into (const StasDlpeSpec *spec, guint8 record[STAS_DLPE_SIZE])
{
  g_return_if_fail (spec != NULL && record != NULL);

  memset (record, 0, STAS_DLPE_SIZE);
  record[OFF_TRTYPE] = spec->trtype;
  record[OFF_ADRFAM] = spec->adrfam;
  record[OFF_SUBTYPE] = spec->subtype;
  record[OFF_TREQ] = spec->treq;
  put_le16 (record + OFF_PORTID, spec->portid);
  put_le16 (record + OFF_CNTLID, spec->cntlid);
  put_le16 (record + OFF_ASQSZ, spec->asqsz);
  put_le16 (record + OFF_EFLAGS, spec->eflags);
  put_text (record + OFF_TRSVCID, STAS_DLPE_TRSVCID_LEN, spec->trsvcid);
  put_text (record + OFF_SUBNQN, STAS_DLPE_SUBNQN_LEN, spec->subnqn);
  put_text (record + OFF_TRADDR, STAS_DLPE_TRADDR_LEN, spec->traddr);
  if (spec->tsas != NULL)
    memcpy (record + OFF_TSAS, spec->tsas, STAS_DLPE_TSAS_LEN);
}

GBytes *
stas_dlp_build_entry (const StasDlpeSpec *spec)
{
  guint8 *record = g_malloc (STAS_DLPE_SIZE);

  stas_dlp_build_entry_into (spec, record);
  return g_bytes_new_take (record, STAS_DLPE_SIZE);
}

StasDlpRaw *
stas_dlp_build_page (guint64 genctr, const StasDlpeSpec *specs, gsize n_specs)
{
  StasDlpRaw *raw = g_new0 (StasDlpRaw, 1);
  guint8 *data = g_malloc0 (MAX (n_specs, 1) * STAS_DLPE_SIZE);

  for (gsize i = 0; i < n_specs; i++)
    stas_dlp_build_entry_into (&specs[i], data + i * STAS_DLPE_SIZE);
  raw->genctr = genctr;
  raw->numrec = n_specs;
  raw->recfmt = 0;
  raw->entries = g_bytes_new_take (data, n_specs * STAS_DLPE_SIZE);
  return raw;
}
