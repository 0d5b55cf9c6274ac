/* stas-zeroconf.c — the pure rules of stafd's zeroconf (spec/behaviour.md §8.3–§8.5). */
#include "config.h"

#include "stas-zeroconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "stas-ip.h"
#include "stas-log.h"

/* ---- TXT records ------------------------------------------------------------------------- */

typedef struct
{
  char *key;
  char *value;
} TxtPair;

struct _StasZcTxt
{
  GArray *pairs; /* TxtPair */
};

static void
txt_pair_clear (TxtPair *pair)
{
  g_free (pair->key);
  g_free (pair->value);
}

static StasZcTxt *
txt_new (void)
{
  StasZcTxt *txt = g_new0 (StasZcTxt, 1);

  txt->pairs = g_array_new (FALSE, TRUE, sizeof (TxtPair));
  g_array_set_clear_func (txt->pairs, (GDestroyNotify) txt_pair_clear);
  return txt;
}

void
stas_zc_txt_free (StasZcTxt *txt)
{
  if (txt == NULL)
    return;
  g_array_unref (txt->pairs);
  g_free (txt);
}

/* Printable text of raw bytes for a log line: non-printable bytes as \xHH. */
static char *
escape_bytes (const guint8 *data, gsize len)
{
  GString *out = g_string_sized_new (len + 2);

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] >= 0x20 && data[i] <= 0x7e && data[i] != '\\')
        g_string_append_c (out, (char) data[i]);
      else
        g_string_append_printf (out, "\\x%02x", data[i]);
    }
  return g_string_free (out, FALSE);
}

static void
txt_add_record (StasZcTxt *txt, const guint8 *data, gsize len, GPtrArray *diags)
{
  const guint8 *eq = NULL;
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;

  for (gsize i = 0; i < len; i++)
    if (data[i] < 0x20 || data[i] > 0x7e)
      {
        g_autofree char *shown = escape_bytes (data, len);
        if (diags != NULL)
          stas_diags_add (diags, STAS_LOG_DEBUG,
                          "Ignoring mDNS TXT record \"%s\": not printable ASCII", shown);
        return;
      }
  eq = memchr (data, '=', len);
  if (eq == NULL)
    {
      g_autofree char *shown = escape_bytes (data, len);
      if (diags != NULL)
        stas_diags_add (diags, STAS_LOG_DEBUG, "Ignoring mDNS TXT record \"%s\": no '='", shown);
      return;
    }
  key = g_strstrip (g_strndup ((const char *) data, (gsize) (eq - data)));
  value = g_strstrip (g_strndup ((const char *) eq + 1, len - (gsize) (eq - data) - 1));
  if (*key == '\0')
    {
      g_autofree char *shown = escape_bytes (data, len);
      if (diags != NULL)
        stas_diags_add (diags, STAS_LOG_DEBUG, "Ignoring mDNS TXT record \"%s\": empty key", shown);
      return;
    }
  {
    g_autofree char *lower = g_ascii_strdown (key, -1);
    for (guint i = 0; i < txt->pairs->len; i++)
      {
        TxtPair *pair = &g_array_index (txt->pairs, TxtPair, i);
        if (strcmp (pair->key, lower) == 0)
          {
            /* a later duplicate key wins */
            g_free (pair->value);
            pair->value = g_steal_pointer (&value);
            return;
          }
      }
    {
      TxtPair pair = { .key = g_steal_pointer (&lower), .value = g_steal_pointer (&value) };
      g_array_append_val (txt->pairs, pair);
    }
  }
}

StasZcTxt *
stas_zc_txt_parse (GBytes *const *records, guint n_records, GPtrArray *diags)
{
  StasZcTxt *txt = txt_new ();

  for (guint i = 0; i < n_records; i++)
    {
      gsize len = 0;
      const guint8 *data = records[i] != NULL ? g_bytes_get_data (records[i], &len) : NULL;

      if (data == NULL && len == 0)
        data = (const guint8 *) "";
      txt_add_record (txt, data, len, diags);
    }
  return txt;
}

StasZcTxt *
stas_zc_txt_parse_strv (const char *const *records, GPtrArray *diags)
{
  StasZcTxt *txt = txt_new ();

  for (guint i = 0; records != NULL && records[i] != NULL; i++)
    txt_add_record (txt, (const guint8 *) records[i], strlen (records[i]), diags);
  return txt;
}

const char *
stas_zc_txt_lookup (const StasZcTxt *txt, const char *key)
{
  for (guint i = 0; txt != NULL && i < txt->pairs->len; i++)
    {
      const TxtPair *pair = &g_array_index (txt->pairs, TxtPair, i);
      if (strcmp (pair->key, key) == 0)
        return pair->value;
    }
  return NULL;
}

guint
stas_zc_txt_size (const StasZcTxt *txt)
{
  return txt != NULL ? txt->pairs->len : 0;
}

static void
append_repr (GString *out, const char *text)
{
  g_string_append_c (out, '\'');
  for (const char *p = text; *p; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

char *
stas_zc_txt_to_string (const StasZcTxt *txt)
{
  GString *out = g_string_new ("{");

  for (guint i = 0; txt != NULL && i < txt->pairs->len; i++)
    {
      const TxtPair *pair = &g_array_index (txt->pairs, TxtPair, i);
      if (i > 0)
        g_string_append (out, ", ");
      append_repr (out, pair->key);
      g_string_append (out, ": ");
      append_repr (out, pair->value);
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

const char *
stas_zc_transport_from_p (const char *p)
{
  g_autofree char *value = NULL;

  if (p == NULL)
    return NULL;
  value = g_ascii_strdown (p, -1);
  g_strstrip (value);
  if (strcmp (value, "tcp") == 0)
    return "tcp";
  if (strcmp (value, "roce") == 0 || strcmp (value, "iwarp") == 0 || strcmp (value, "rdma") == 0)
    return "rdma";
  return NULL;
}

/* ---- identification ---------------------------------------------------------------------- */

void
stas_zc_identity_clear (StasZcIdentity *id)
{
  g_clear_pointer (&id->transport, g_free);
  g_clear_pointer (&id->traddr, g_free);
  g_clear_pointer (&id->trsvcid, g_free);
  g_clear_pointer (&id->host_iface, g_free);
  g_clear_pointer (&id->subsysnqn, g_free);
}

void
stas_zc_identity_copy (const StasZcIdentity *src, StasZcIdentity *dst)
{
  dst->transport = g_strdup (src->transport);
  dst->traddr = g_strdup (src->traddr);
  dst->trsvcid = g_strdup (src->trsvcid);
  dst->host_iface = g_strdup (src->host_iface);
  dst->subsysnqn = g_strdup (src->subsysnqn);
}

gboolean
stas_zc_identity_equal (const StasZcIdentity *a, const StasZcIdentity *b)
{
  return g_strcmp0 (a->transport, b->transport) == 0 && g_strcmp0 (a->traddr, b->traddr) == 0 &&
         g_strcmp0 (a->trsvcid, b->trsvcid) == 0 && g_strcmp0 (a->host_iface, b->host_iface) == 0 &&
         g_strcmp0 (a->subsysnqn, b->subsysnqn) == 0;
}

/* @text (trimmed) is an IP literal of @family (no IPv4-mapped IPv6 for 6). Canonical text
 * in @canonical. */
static gboolean
address_of_family (const char *text, int family, char **canonical)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  struct in_addr v4;
  struct in6_addr v6;

  if (family == 4 && inet_pton (AF_INET, trimmed, &v4) == 1)
    ;
  else if (family == 6 && inet_pton (AF_INET6, trimmed, &v6) == 1 && !IN6_IS_ADDR_V4MAPPED (&v6))
    ;
  else
    return FALSE;
  *canonical = stas_ip_canonical (trimmed);
  return *canonical != NULL;
}

gboolean
stas_zc_identify (const StasZcResult *result,
                  gboolean tp8013,
                  StasZcIdentity *identity,
                  GPtrArray *diags)
{
  g_autofree char *traddr = NULL;
  g_autofree char *txt_text = NULL;
  const char *transport;
  const char *nqn;
  g_autofree char *subsysnqn = NULL;
  g_autofree char *printable = NULL;
  const char *address = result->address != NULL ? result->address : "";

  memset (identity, 0, sizeof *identity);
  printable = escape_bytes ((const guint8 *) address, strlen (address));
  if (result->ifname == NULL)
    {
      stas_diags_add (diags, STAS_LOG_WARNING,
                      "mDNS service at %s resolved on an interface that no longer exists; "
                      "ignored",
                      printable);
      return FALSE;
    }
  if (!address_of_family (address, result->family, &traddr))
    {
      stas_diags_add (diags, STAS_LOG_WARNING,
                      "Invalid IPv%d address \"%s\" from mDNS (iface=%s); ignored",
                      result->family == 6 ? 6 : 4, printable, result->ifname);
      return FALSE;
    }
  if (result->port < 1 || result->port > 65535)
    {
      stas_diags_add (diags, STAS_LOG_WARNING,
                      "Invalid port %u from mDNS: address=%s, iface=%s; ignored", result->port,
                      traddr, result->ifname);
      return FALSE;
    }
  transport = stas_zc_transport_from_p (stas_zc_txt_lookup (result->txt, "p"));
  if (transport == NULL)
    {
      txt_text = stas_zc_txt_to_string (result->txt);
      stas_diags_add (diags, STAS_LOG_ERROR,
                      "Received invalid/undefined protocol in mDNS TXT field: address=%s, "
                      "iface=%s, TXT=%s",
                      traddr, result->ifname, txt_text);
      return FALSE;
    }
  nqn = stas_zc_txt_lookup (result->txt, "nqn");
  if (tp8013 && nqn != NULL)
    {
      if (stas_nqn_is_valid (nqn))
        subsysnqn = g_strdup (nqn);
      else
        stas_diags_add (diags, STAS_LOG_WARNING,
                        "Invalid NQN \"%s\" in mDNS TXT field: address=%s, iface=%s; using "
                        "%s",
                        nqn, traddr, result->ifname, STAS_WELL_KNOWN_DISC_NQN);
    }
  if (subsysnqn == NULL)
    subsysnqn = g_strdup (STAS_WELL_KNOWN_DISC_NQN);

  identity->transport = g_strdup (transport);
  identity->traddr = g_steal_pointer (&traddr);
  identity->trsvcid = g_strdup_printf ("%u", result->port);
  /* no host-iface for RDMA: the kernel rejects it */
  identity->host_iface = g_strdup (strcmp (transport, "tcp") == 0 ? result->ifname : "");
  identity->subsysnqn = g_steal_pointer (&subsysnqn);
  return TRUE;
}

StasTid *
stas_zc_identity_to_tid (const StasTidDefaults *defaults, const StasZcIdentity *identity)
{
  StasTidFields fields = {
    .transport = identity->transport,
    .traddr = identity->traddr,
    .trsvcid = identity->trsvcid,
    .subsysnqn = identity->subsysnqn,
    .host_iface = identity->host_iface,
  };

  return stas_tid_new (defaults, &fields, NULL);
}

/* ---- back-off ---------------------------------------------------------------------------- */

guint
stas_zc_backoff_s (guint failures)
{
  static const guint backoff[] = { 2, 5, 10, 30, 60, 300, 600 };

  if (failures == 0)
    return backoff[0];
  return backoff[MIN (failures - 1, G_N_ELEMENTS (backoff) - 1)];
}

/* ---- duplicates -------------------------------------------------------------------------- */

void
stas_zc_check_duplicates (const StasZcAddrIf *entries, guint n_entries, GPtrArray *diags)
{
  g_autoptr (GHashTable) done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < n_entries; i++)
    {
      char *ip = stas_ip_canonical (entries[i].address);
      g_autoptr (GPtrArray) ifs = NULL;
      g_autofree char *list = NULL;

      if (ip == NULL || g_hash_table_contains (done, ip))
        {
          g_free (ip);
          continue;
        }
      g_hash_table_add (done, ip);
      ifs = g_ptr_array_new ();
      for (guint j = i; j < n_entries; j++)
        {
          gboolean known = FALSE;

          if (!stas_ip_equal (entries[j].address, ip) || entries[j].ifname == NULL)
            continue;
          for (guint k = 0; k < ifs->len && !known; k++)
            known = strcmp (g_ptr_array_index (ifs, k), entries[j].ifname) == 0;
          if (!known)
            g_ptr_array_add (ifs, (gpointer) entries[j].ifname);
        }
      if (ifs->len < 2)
        continue;
      g_ptr_array_add (ifs, NULL);
      list = g_strjoinv (",", (char **) ifs->pdata);
      stas_diags_add (diags, STAS_LOG_ERROR, "IP address %s was found on multiple interfaces: %s",
                      ip, list);
    }
}

/* ---- names ------------------------------------------------------------------------------- */

char *
stas_zc_service_string (
    const char *ifname, int family, const char *name, const char *domain, const char *stype)
{
  return g_strdup_printf ("(%s, %s, %s.%s, %s)", ifname != NULL ? ifname : "?",
                          family == 6 ? "IPv6" : "IPv4", name, domain, stype);
}

gboolean
stas_zc_name_is_valid (const char *text, gsize max_len)
{
  gsize len;

  if (text == NULL)
    return FALSE;
  len = strlen (text);
  if (len == 0 || len > max_len || !g_utf8_validate (text, (gssize) len, NULL))
    return FALSE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}
