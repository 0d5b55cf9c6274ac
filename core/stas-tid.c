/* stas-tid.c — the Transport Identifier value type (SPEC §4) [TID-1] [TID-2]. */
#include "config.h"

#include "stas-tid.h"

#include <string.h>

#include "stas-ip.h"

enum
{
  F_TRANSPORT,
  F_TRADDR,
  F_TRSVCID,
  F_SUBSYSNQN,
  F_HOST_TRADDR,
  F_HOST_IFACE,
  F_HOST_NQN,
  F_HOST_ID, /* must stay last: the look-up compares every field before it */
  N_FIELDS,
};

/* Variant / state-file key names, in field order. */
static const char *const field_keys[N_FIELDS] = {
  "transport", "traddr", "trsvcid", "subsysnqn", "host-traddr", "host-iface", "host-nqn", "host-id",
};

struct _StasTid
{
  gatomicrefcount ref;
  guint hash;
  char *field[N_FIELDS]; /* (owned) never NULL */
  char *string;          /* (owned) SPEC §4.2 form */
};

G_DEFINE_QUARK (stas - tid - error - quark, stas_tid_error)
G_DEFINE_BOXED_TYPE (StasTid, stas_tid, stas_tid_ref, stas_tid_unref)

typedef enum
{
  TRANSPORT_TCP,
  TRANSPORT_RDMA,
  TRANSPORT_FC,
  TRANSPORT_LOOP,
  TRANSPORT_OTHER,
} Transport;

static Transport
transport_from_string (const char *transport)
{
  if (strcmp (transport, "tcp") == 0)
    return TRANSPORT_TCP;
  if (strcmp (transport, "rdma") == 0)
    return TRANSPORT_RDMA;
  if (strcmp (transport, "fc") == 0)
    return TRANSPORT_FC;
  if (strcmp (transport, "loop") == 0)
    return TRANSPORT_LOOP;
  return TRANSPORT_OTHER;
}

/* g_set_str() is GLib 2.76; we are pinned to 2.74. */
static void
set_str (char **field, const char *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

static char *
trimmed (const char *text)
{
  return g_strstrip (g_strdup (text != NULL ? text : ""));
}

/* Port text → decimal without leading zeros, or NULL if not a port 1..65535. */
static char *
canonical_port (const char *text)
{
  const char *p = text;
  guint value = 0;

  if (*p == '\0')
    return NULL;
  for (; *p; p++)
    {
      if (!g_ascii_isdigit (*p))
        return NULL;
      value = value * 10 + (guint) (*p - '0');
      if (value > 65535)
        return NULL;
    }
  if (value == 0)
    return NULL;
  return g_strdup_printf ("%u", value);
}

static const char *
default_port (const StasTidDefaults *defaults, Transport transport)
{
  if (defaults == NULL)
    return NULL;
  if (transport == TRANSPORT_TCP && defaults->kind == STAS_DAEMON_STAFD)
    return "8009";
  return "4420"; /* stacd tcp [D-07], rdma for both */
}

/* Applies SPEC §4.1 to @fields, filling @out (all owned, never NULL on success).
 * @best_effort: never fail; keep what cannot be normalised as given (for log texts). */
static gboolean
normalise (const StasTidDefaults *defaults,
           const StasTidFields *fields,
           gboolean best_effort,
           char *out[N_FIELDS],
           GError **error)
{
  const char *in[N_FIELDS] = {
    fields->transport,   fields->traddr,     fields->trsvcid,  fields->subsysnqn,
    fields->host_traddr, fields->host_iface, fields->host_nqn, fields->host_id,
  };
  Transport transport;
  char *tmp;

  for (guint i = 0; i < N_FIELDS; i++)
    out[i] = trimmed (in[i]);

  tmp = out[F_TRANSPORT];
  out[F_TRANSPORT] = g_ascii_strdown (tmp, -1);
  g_free (tmp);
  transport = transport_from_string (out[F_TRANSPORT]);
  if (transport == TRANSPORT_OTHER && !best_effort)
    {
      g_set_error (error, STAS_TID_ERROR, STAS_TID_ERROR_TRANSPORT, "Invalid transport %s",
                   out[F_TRANSPORT]);
      goto fail;
    }

  switch (transport)
    {
    case TRANSPORT_TCP:
    case TRANSPORT_RDMA:
      tmp = stas_ip_canonical (out[F_TRADDR]);
      if (tmp == NULL && !best_effort)
        {
          g_set_error (error, STAS_TID_ERROR, STAS_TID_ERROR_TRADDR,
                       "traddr \"%s\" is not a valid IP address", out[F_TRADDR]);
          goto fail;
        }
      if (tmp != NULL)
        set_str (&out[F_TRADDR], tmp);
      g_free (tmp);

      if (out[F_HOST_TRADDR][0] != '\0')
        {
          tmp = stas_ip_canonical (out[F_HOST_TRADDR]);
          if (tmp == NULL && !best_effort)
            {
              g_set_error (error, STAS_TID_ERROR, STAS_TID_ERROR_HOST_TRADDR,
                           "host-traddr \"%s\" is not a valid IP address", out[F_HOST_TRADDR]);
              goto fail;
            }
          if (tmp != NULL)
            set_str (&out[F_HOST_TRADDR], tmp);
          g_free (tmp);
        }

      if (out[F_TRSVCID][0] == '\0' && default_port (defaults, transport) != NULL)
        set_str (&out[F_TRSVCID], default_port (defaults, transport));
      tmp = canonical_port (out[F_TRSVCID]);
      if (tmp == NULL && !best_effort)
        {
          g_set_error (error, STAS_TID_ERROR, STAS_TID_ERROR_TRSVCID,
                       "trsvcid \"%s\" is not a port number 1..65535", out[F_TRSVCID]);
          goto fail;
        }
      if (tmp != NULL)
        set_str (&out[F_TRSVCID], tmp);
      g_free (tmp);
      break;

    case TRANSPORT_FC:
      tmp = out[F_TRADDR];
      out[F_TRADDR] = g_ascii_strdown (tmp, -1);
      g_free (tmp);
      tmp = out[F_HOST_TRADDR];
      out[F_HOST_TRADDR] = g_ascii_strdown (tmp, -1);
      g_free (tmp);
      set_str (&out[F_TRSVCID], "");
      break;

    case TRANSPORT_LOOP:
      set_str (&out[F_TRSVCID], "");
      break;

    case TRANSPORT_OTHER:
    default:
      break;
    }

  if (out[F_SUBSYSNQN][0] == '\0' && defaults != NULL && defaults->kind == STAS_DAEMON_STAFD)
    set_str (&out[F_SUBSYSNQN], STAS_WELL_KNOWN_DISC_NQN);

  /* [D-21] the kernel takes host_iface for tcp only */
  if (transport != TRANSPORT_TCP || (defaults != NULL && defaults->ignore_iface))
    set_str (&out[F_HOST_IFACE], "");

  if (out[F_HOST_NQN][0] == '\0' && defaults != NULL && defaults->host_nqn != NULL)
    {
      g_free (out[F_HOST_NQN]);
      out[F_HOST_NQN] = trimmed (defaults->host_nqn);
    }
  if (out[F_HOST_ID][0] == '\0' && defaults != NULL && defaults->host_id != NULL)
    {
      g_free (out[F_HOST_ID]);
      out[F_HOST_ID] = trimmed (defaults->host_id);
    }
  tmp = out[F_HOST_ID];
  out[F_HOST_ID] = g_ascii_strdown (tmp, -1);
  g_free (tmp);

  return TRUE;

fail:
  for (guint i = 0; i < N_FIELDS; i++)
    g_clear_pointer (&out[i], g_free);
  return FALSE;
}

static char *
format_string (char *const field[N_FIELDS])
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "(%s, %s, %s", field[F_TRANSPORT], field[F_TRADDR], field[F_TRSVCID]);
  if (field[F_SUBSYSNQN][0] != '\0')
    g_string_append_printf (s, ", %s", field[F_SUBSYSNQN]);
  if (field[F_HOST_IFACE][0] != '\0')
    g_string_append_printf (s, ", %s", field[F_HOST_IFACE]);
  if (field[F_HOST_TRADDR][0] != '\0')
    g_string_append_printf (s, ", %s", field[F_HOST_TRADDR]);
  g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

StasTid *
stas_tid_new (const StasTidDefaults *defaults, const StasTidFields *fields, GError **error)
{
  StasTid *tid;
  char *out[N_FIELDS];
  guint hash = 17;

  g_return_val_if_fail (fields != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!normalise (defaults, fields, FALSE, out, error))
    return NULL;

  tid = g_new0 (StasTid, 1);
  g_atomic_ref_count_init (&tid->ref);
  for (guint i = 0; i < N_FIELDS; i++)
    {
      tid->field[i] = out[i];
      hash = hash * 31 + g_str_hash (out[i]);
    }
  tid->hash = hash;
  tid->string = format_string (tid->field);
  return tid;
}

char *
stas_tid_fields_to_string (const StasTidDefaults *defaults, const StasTidFields *fields)
{
  char *out[N_FIELDS];
  char *string;

  g_return_val_if_fail (fields != NULL, NULL);

  normalise (defaults, fields, TRUE, out, NULL);
  string = format_string (out);
  for (guint i = 0; i < N_FIELDS; i++)
    g_free (out[i]);
  return string;
}

StasTid *
stas_tid_ref (StasTid *tid)
{
  g_return_val_if_fail (tid != NULL, NULL);

  g_atomic_ref_count_inc (&tid->ref);
  return tid;
}

void
stas_tid_unref (StasTid *tid)
{
  g_return_if_fail (tid != NULL);

  if (!g_atomic_ref_count_dec (&tid->ref))
    return;
  for (guint i = 0; i < N_FIELDS; i++)
    g_free (tid->field[i]);
  g_free (tid->string);
  g_free (tid);
}

const char *
stas_tid_get_transport (const StasTid *tid)
{
  g_return_val_if_fail (tid != NULL, NULL);
  return tid->field[F_TRANSPORT];
}

const char *
stas_tid_get_traddr (const StasTid *tid)
{
  g_return_val_if_fail (tid != NULL, NULL);
  return tid->field[F_TRADDR];
}

const char *
stas_tid_get_trsvcid (const StasTid *tid)
{
  g_return_val_if_fail (tid != NULL, NULL);
  return tid->field[F_TRSVCID];
}

const char *
stas_tid_get_subsysnqn (const StasTid *tid)
{
  g_return_val_if_fail (tid != NULL, NULL);
  return tid->field[F_SUBSYSNQN];
}

const char *
stas_tid_get_host_traddr (const StasTid *tid)
{
  g_return_val_if_fail (tid != NULL, NULL);
  return tid->field[F_HOST_TRADDR];
}

const char *
stas_tid_get_host_iface (const StasTid *tid)
{
  g_return_val_if_fail (tid != NULL, NULL);
  return tid->field[F_HOST_IFACE];
}

const char *
stas_tid_get_host_nqn (const StasTid *tid)
{
  g_return_val_if_fail (tid != NULL, NULL);
  return tid->field[F_HOST_NQN];
}

const char *
stas_tid_get_host_id (const StasTid *tid)
{
  g_return_val_if_fail (tid != NULL, NULL);
  return tid->field[F_HOST_ID];
}

static gboolean
fields_equal (const StasTid *a, const StasTid *b, guint n_fields)
{
  for (guint i = 0; i < n_fields; i++)
    if (strcmp (a->field[i], b->field[i]) != 0)
      return FALSE;
  return TRUE;
}

gboolean
stas_tid_equal (gconstpointer a, gconstpointer b)
{
  const StasTid *ta = a;
  const StasTid *tb = b;

  if (ta == tb)
    return TRUE;
  if (ta == NULL || tb == NULL || ta->hash != tb->hash)
    return FALSE;
  return fields_equal (ta, tb, N_FIELDS);
}

guint
stas_tid_hash (gconstpointer tid)
{
  g_return_val_if_fail (tid != NULL, 0);
  return ((const StasTid *) tid)->hash;
}

const char *
stas_tid_to_string (const StasTid *tid)
{
  g_return_val_if_fail (tid != NULL, NULL);
  return tid->string;
}

GVariant *
stas_tid_to_variant (const StasTid *tid)
{
  GVariantBuilder builder;

  g_return_val_if_fail (tid != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < N_FIELDS; i++)
    g_variant_builder_add (&builder, "{ss}", field_keys[i], tid->field[i]);
  return g_variant_builder_end (&builder);
}

StasTid *
stas_tid_from_variant (GVariant *variant, const StasTidDefaults *defaults, GError **error)
{
  const char *value[N_FIELDS];
  StasTidFields fields;

  g_return_val_if_fail (variant != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE ("a{ss}")))
    {
      g_set_error (error, STAS_TID_ERROR, STAS_TID_ERROR_VARIANT, "TID has type %s, expected a{ss}",
                   g_variant_get_type_string (variant));
      return NULL;
    }
  for (guint i = 0; i < N_FIELDS; i++)
    if (!g_variant_lookup (variant, field_keys[i], "&s", &value[i]))
      {
        g_set_error (error, STAS_TID_ERROR, STAS_TID_ERROR_VARIANT, "TID has no \"%s\" key",
                     field_keys[i]);
        return NULL;
      }

  fields = (StasTidFields){
    .transport = value[F_TRANSPORT],
    .traddr = value[F_TRADDR],
    .trsvcid = value[F_TRSVCID],
    .subsysnqn = value[F_SUBSYSNQN],
    .host_traddr = value[F_HOST_TRADDR],
    .host_iface = value[F_HOST_IFACE],
    .host_nqn = value[F_HOST_NQN],
    .host_id = value[F_HOST_ID],
  };
  return stas_tid_new (defaults, &fields, error);
}

StasTid *
stas_tid_new_lookup (const StasTidDefaults *defaults,
                     const char *transport,
                     const char *traddr,
                     const char *trsvcid,
                     const char *subsysnqn,
                     const char *host_traddr,
                     const char *host_iface,
                     const char *host_nqn)
{
  StasTidFields fields = {
    .transport = transport,
    .traddr = traddr,
    .trsvcid = trsvcid,
    .subsysnqn = subsysnqn,
    .host_traddr = host_traddr,
    .host_iface = host_iface,
    .host_nqn = host_nqn,
    .host_id = NULL, /* → the sys.conf host ID */
  };

  return stas_tid_new (defaults, &fields, NULL);
}

gboolean
stas_tid_matches_lookup (const StasTid *tid, const StasTid *key)
{
  g_return_val_if_fail (tid != NULL, FALSE);

  if (key == NULL)
    return FALSE;
  return fields_equal (tid, key, F_HOST_ID);
}
