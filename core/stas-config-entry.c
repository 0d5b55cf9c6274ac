/* stas-config-entry.c — controller= and exclude= entries (spec/config.md §4). */
#include "config.h"

#include <string.h>

#include "stas-config-private.h"
#include "stas-ip.h"
#include "stas-names.h"

/* ---- tokenisation (§4.1) ---------------------------------------------------------- */

typedef struct
{
  char *key;
  char *value;
} Field;

static void
field_free (Field *f)
{
  g_free (f->key);
  g_free (f->value);
  g_free (f);
}

static Field *
fields_lookup (GPtrArray *fields, const char *key)
{
  for (guint i = 0; i < fields->len; i++)
    {
      Field *f = g_ptr_array_index (fields, i);
      if (strcmp (f->key, key) == 0)
        return f;
    }
  return NULL;
}

static void
fields_remove (GPtrArray *fields, const char *key)
{
  for (guint i = 0; i < fields->len; i++)
    {
      Field *f = g_ptr_array_index (fields, i);
      if (strcmp (f->key, key) == 0)
        {
          g_ptr_array_remove_index (fields, i);
          return;
        }
    }
}

/* Splits @value into key=value fields in entry order; a key given twice keeps its first
 * position and its last value. NULL (with a warning) when a field is malformed. */
static GPtrArray *
tokenise (StasIniDiags *diags, guint line, const char *what, const char *value)
{
  g_auto (GStrv) parts = g_strsplit (value, ";", -1);
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func ((GDestroyNotify) field_free);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *text = g_strstrip (parts[i]);
      const char *eq;
      g_autofree char *key = NULL;
      Field *f;

      if (*text == '\0')
        continue;
      eq = strchr (text, '=');
      if (eq != NULL)
        key = g_strstrip (g_ascii_strdown (text, eq - text));
      if (key == NULL || *key == '\0')
        {
          stas_ini_diags_add (diags, line, STAS_LOG_WARNING,
                              "[Controllers] %s: malformed field \"%s\", entry ignored", what,
                              stas_config_shown (NULL, text));
          return NULL;
        }

      f = fields_lookup (fields, key);
      if (f != NULL)
        {
          stas_ini_diags_add (diags, line, STAS_LOG_WARNING,
                              "[Controllers] %s: \"%s\" given twice, using the last value", what,
                              key);
          g_free (f->value);
          f->value = g_strstrip (g_strdup (eq + 1));
          continue;
        }
      f = g_new0 (Field, 1);
      f->key = g_steal_pointer (&key);
      f->value = g_strstrip (g_strdup (eq + 1));
      g_ptr_array_add (fields, f);
    }
  return g_steal_pointer (&fields);
}

/* nqn and subsysnqn name the same thing; nqn wins. Returns the value (unowned) or NULL. */
static const char *
subsys_nqn (StasIniDiags *diags, guint line, const char *what, GPtrArray *fields)
{
  Field *nqn = fields_lookup (fields, "nqn");
  Field *subsysnqn = fields_lookup (fields, "subsysnqn");

  if (nqn != NULL && subsysnqn != NULL)
    stas_ini_diags_add (diags, line, STAS_LOG_WARNING,
                        "[Controllers] %s: both nqn and subsysnqn given, using nqn", what);
  if (nqn != NULL)
    return nqn->value;
  return subsysnqn != NULL ? subsysnqn->value : NULL;
}

/* "" counts as not given for the optional identity fields (as in the reference TID). */
static char *
dup_nonempty (const char *s)
{
  return s != NULL && *s != '\0' ? g_strdup (s) : NULL;
}

static const char *
field_value (GPtrArray *fields, const char *key)
{
  Field *f = fields_lookup (fields, key);
  return f != NULL ? f->value : NULL;
}

/* ---- controller= (§4.2–§4.4) -------------------------------------------------------- */

static const char *const ctrl_tid_keys[] = {
  "transport",   "traddr",     "trsvcid",  "nqn",     "subsysnqn",
  "host-traddr", "host-iface", "host-nqn", "host-id", NULL,
};

static const char *const global_only_keys[] = { "tron", "pleo", "ip-family", "ignore-iface", NULL };

void
stas_config_controller_free (StasConfigController *ctrl)
{
  if (ctrl == NULL)
    return;
  g_free (ctrl->transport);
  g_free (ctrl->traddr);
  g_free (ctrl->trsvcid);
  g_free (ctrl->subsysnqn);
  g_free (ctrl->host_traddr);
  g_free (ctrl->host_iface);
  g_free (ctrl->host_nqn);
  g_free (ctrl->host_id);
  if (ctrl->params != NULL)
    g_ptr_array_unref (ctrl->params);
  g_free (ctrl);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasConfigController, stas_config_controller_free)

#define CTRL_WARN(...) stas_ini_diags_add (diags, line, STAS_LOG_WARNING, __VA_ARGS__)
#define REJECT(fmt, ...)                                                                           \
  do                                                                                               \
    {                                                                                              \
      CTRL_WARN ("[Controllers] controller: " fmt ", entry ignored", ##__VA_ARGS__);               \
      return FALSE;                                                                                \
    }                                                                                              \
  while (0)

/* Sorts the fields into identity fields and parameters; rejects unknown keys. */
static gboolean
classify_fields (
    StasIniDiags *diags, guint line, StasDaemonKind kind, GPtrArray *fields, GPtrArray *raw_params)
{
  for (guint i = 0; i < fields->len; i++)
    {
      Field *f = g_ptr_array_index (fields, i);

      if (g_strv_contains (ctrl_tid_keys, f->key))
        continue;
      if (g_strv_contains (global_only_keys, f->key))
        CTRL_WARN ("[Controllers] controller: \"%s\" cannot be set per controller, ignored",
                   f->key);
      else if (kind == STAS_DAEMON_STAFD && stas_config_key_is_io_queue_param (f->key))
        CTRL_WARN ("[Controllers] controller: \"%s\" does not apply to discovery controllers, "
                   "ignored",
                   f->key);
      else if (stas_config_key_is_param (f->key))
        g_ptr_array_add (raw_params, f);
      else
        REJECT ("unknown field \"%s\"", f->key);
    }
  return TRUE;
}

static gboolean
is_fc_or_loop (const char *transport)
{
  return strcmp (transport, "fc") == 0 || strcmp (transport, "loop") == 0;
}

/* tcp/rdma traddr: an IP literal or a syntactically valid host name. A dotted all-digit
 * name (555.555.555.555) is a broken IPv4 address, not a host name. */
static gboolean
ip_traddr_is_valid (const char *text)
{
  if (stas_ip_is_literal (text))
    return TRUE;
  if (strspn (text, "0123456789.") == strlen (text))
    return FALSE;
  return stas_hostname_is_valid (text);
}

static gboolean
check_transport_fields (StasIniDiags *diags, guint line, GPtrArray *fields, StasConfigController *c)
{
  const char *transport = field_value (fields, "transport");
  const char *traddr = field_value (fields, "traddr");
  const char *trsvcid = field_value (fields, "trsvcid");
  const char *host_traddr = field_value (fields, "host-traddr");
  const char *host_iface = field_value (fields, "host-iface");

  if (transport == NULL || *transport == '\0')
    REJECT ("missing transport");
  c->transport = g_ascii_strdown (transport, -1);
  if (!g_strv_contains ((const char *const[]){ "tcp", "rdma", "fc", "loop", NULL }, c->transport))
    REJECT ("invalid transport \"%s\"", transport);

  if (is_fc_or_loop (c->transport) && trsvcid != NULL)
    {
      CTRL_WARN ("[Controllers] controller: trsvcid does not apply to %s, ignored", c->transport);
      trsvcid = NULL;
    }
  if (strcmp (c->transport, "tcp") != 0 && host_iface != NULL)
    {
      CTRL_WARN ("[Controllers] controller: host-iface applies to tcp only, ignored");
      host_iface = NULL;
    }

  if (strcmp (c->transport, "loop") == 0)
    traddr = NULL; /* optional for loop and not used */
  else if (traddr == NULL || *traddr == '\0')
    REJECT ("missing traddr");
  else if (strcmp (c->transport, "fc") == 0 && !stas_fc_addr_is_valid (traddr))
    REJECT ("invalid fc address \"%s\" (expected nn-0x<16 hex>:pn-0x<16 hex>)", traddr);
  else if (strcmp (c->transport, "fc") != 0 && !ip_traddr_is_valid (traddr))
    REJECT ("invalid traddr \"%s\"", traddr);
  c->traddr = g_strdup (traddr);

  if (trsvcid != NULL && *trsvcid != '\0')
    {
      gint64 port;
      if (strspn (trsvcid, "0123456789") != strlen (trsvcid) ||
          !stas_config_parse_int (trsvcid, &port) || port < 1 || port > 65535)
        REJECT ("invalid trsvcid \"%s\"", trsvcid);
      c->trsvcid = g_strdup (trsvcid);
    }

  if (strcmp (c->transport, "fc") == 0)
    {
      if (host_traddr == NULL || *host_traddr == '\0')
        REJECT ("fc requires host-traddr");
      if (!stas_fc_addr_is_valid (host_traddr))
        REJECT ("invalid fc address \"%s\" (expected nn-0x<16 hex>:pn-0x<16 hex>)", host_traddr);
    }
  else if (strcmp (c->transport, "loop") != 0 && host_traddr != NULL && *host_traddr != '\0' &&
           !stas_ip_is_literal (host_traddr))
    REJECT ("invalid host-traddr \"%s\"", host_traddr);
  c->host_traddr = dup_nonempty (host_traddr);

  if (host_iface != NULL && *host_iface != '\0' && !stas_ifname_is_valid (host_iface))
    REJECT ("invalid host-iface \"%s\"", host_iface);
  c->host_iface = dup_nonempty (host_iface);
  return TRUE;
}

static gboolean
check_identity_fields (StasIniDiags *diags,
                       guint line,
                       StasDaemonKind kind,
                       const char *nqn,
                       GPtrArray *fields,
                       StasConfigController *c)
{
  const char *host_nqn = field_value (fields, "host-nqn");
  const char *host_id = field_value (fields, "host-id");

  if (nqn == NULL || *nqn == '\0')
    {
      if (kind == STAS_DAEMON_STACD)
        REJECT ("missing nqn");
      nqn = STAS_WELL_KNOWN_DISC_NQN;
    }
  if (!stas_nqn_is_valid (nqn))
    REJECT ("invalid nqn \"%s\"", nqn);
  c->subsysnqn = g_strdup (nqn);

  if (host_nqn != NULL && *host_nqn != '\0' && !stas_nqn_is_valid (host_nqn))
    REJECT ("invalid host-nqn \"%s\"", host_nqn);
  c->host_nqn = dup_nonempty (host_nqn);

  if (host_id != NULL && *host_id != '\0' && !stas_uuid_is_valid (host_id))
    REJECT ("invalid host-id \"%s\"", host_id);
  c->host_id = dup_nonempty (host_id);
  return TRUE;
}

/* Invalid parameter values are dropped; the entry stays valid (D-08). */
static void
check_params (StasIniDiags *diags, guint line, GPtrArray *raw_params, StasConfigController *c)
{
  for (guint i = 0; i < raw_params->len; i++)
    {
      Field *f = g_ptr_array_index (raw_params, i);
      const char *expected = NULL;
      StasConfigParam *p = stas_config_param_parse (f->key, f->value, &expected);

      if (p != NULL)
        g_ptr_array_add (c->params, p);
      else if (stas_config_key_is_secret (f->key))
        CTRL_WARN ("[Controllers] controller: invalid %s \"%s\" (%s), ignored", f->key,
                   STAS_REDACTED, expected);
      else
        CTRL_WARN ("[Controllers] controller: invalid %s \"%s\" (%s), the [Global] value is used",
                   f->key, stas_config_shown (f->key, f->value), expected);
    }
}

StasConfigController *
stas_config_controller_parse (StasIniDiags *diags,
                              StasDaemonKind kind,
                              guint line,
                              const char *value)
{
  g_autoptr (GPtrArray) fields = tokenise (diags, line, "controller", value);
  g_autoptr (GPtrArray) raw_params = g_ptr_array_new ();
  g_autoptr (StasConfigController) c = NULL;
  const char *nqn;

  if (fields == NULL)
    return NULL;
  if (fields->len == 0)
    {
      stas_ini_diags_add (diags, line, STAS_LOG_WARNING, "empty controller entry ignored");
      return NULL;
    }
  if (!classify_fields (diags, line, kind, fields, raw_params))
    return NULL;

  c = g_new0 (StasConfigController, 1);
  c->line = line;
  c->params = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_config_param_free);
  nqn = subsys_nqn (diags, line, "controller", fields);
  if (!check_transport_fields (diags, line, fields, c) ||
      !check_identity_fields (diags, line, kind, nqn, fields, c))
    return NULL;
  check_params (diags, line, raw_params, c);
  return g_steal_pointer (&c);
}

const StasConfigParam *
stas_config_controller_get_param (const StasConfigController *ctrl, const char *key)
{
  for (guint i = 0; i < ctrl->params->len; i++)
    {
      const StasConfigParam *p = g_ptr_array_index (ctrl->params, i);
      if (strcmp (p->key, key) == 0)
        return p;
    }
  return NULL;
}

static void
append_field (GString *s, const char *key, const char *value)
{
  if (value == NULL)
    return;
  if (s->len > 0)
    g_string_append_c (s, ';');
  g_string_append_printf (s, "%s=%s", key, value);
}

/* The identity fields of a controller= or exclude= entry (NULL: absent), in entry order. */
static GString *
identity_to_string (const char *transport,
                    const char *traddr,
                    const char *trsvcid,
                    const char *subsysnqn,
                    const char *host_traddr,
                    const char *host_iface,
                    const char *host_nqn,
                    const char *host_id)
{
  GString *s = g_string_new (NULL);

  append_field (s, "transport", transport);
  append_field (s, "traddr", traddr);
  append_field (s, "trsvcid", trsvcid);
  append_field (s, "nqn", subsysnqn);
  append_field (s, "host-traddr", host_traddr);
  append_field (s, "host-iface", host_iface);
  append_field (s, "host-nqn", host_nqn);
  append_field (s, "host-id", host_id);
  return s;
}

char *
stas_config_controller_to_string (const StasConfigController *ctrl)
{
  GString *s =
      identity_to_string (ctrl->transport, ctrl->traddr, ctrl->trsvcid, ctrl->subsysnqn,
                          ctrl->host_traddr, ctrl->host_iface, ctrl->host_nqn, ctrl->host_id);

  for (guint i = 0; i < ctrl->params->len; i++)
    {
      const StasConfigParam *p = g_ptr_array_index (ctrl->params, i);
      g_autofree char *v = stas_config_param_to_string (p);
      append_field (s, p->key, v);
    }
  return g_string_free (s, FALSE);
}

/* ---- exclude= (§4.5) --------------------------------------------------------------- */

static const char *const exclude_keys[] = {
  "transport", "traddr", "trsvcid", "nqn", "subsysnqn", "host-iface", "host-nqn", "host-id", NULL,
};

void
stas_config_exclude_free (StasConfigExclude *excl)
{
  if (excl == NULL)
    return;
  g_free (excl->transport);
  g_free (excl->traddr);
  g_free (excl->trsvcid);
  g_free (excl->subsysnqn);
  g_free (excl->host_iface);
  g_free (excl->host_nqn);
  g_free (excl->host_id);
  g_free (excl);
}

StasConfigExclude *
stas_config_exclude_parse (StasIniDiags *diags, guint line, const char *value)
{
  g_autoptr (GPtrArray) fields = tokenise (diags, line, "exclude", value);
  StasConfigExclude *excl;

  if (fields == NULL)
    return NULL;
  for (guint i = 0; i < fields->len; i++)
    {
      Field *f = g_ptr_array_index (fields, i);
      if (!g_strv_contains (exclude_keys, f->key) && strcmp (f->key, "host-traddr") != 0)
        {
          stas_ini_diags_add (diags, line, STAS_LOG_WARNING,
                              "[Controllers] exclude: unknown field \"%s\", entry ignored", f->key);
          return NULL;
        }
    }
  if (fields_lookup (fields, "host-traddr") != NULL)
    {
      /* documented reference behaviour: the rest of the entry still applies */
      stas_ini_diags_add (diags, line, STAS_LOG_WARNING,
                          "[Controllers] exclude: host-traddr does not apply to exclude=, "
                          "ignored");
      fields_remove (fields, "host-traddr");
    }
  if (fields->len == 0)
    {
      stas_ini_diags_add (diags, line, STAS_LOG_WARNING,
                          "empty exclude entry ignored (it would exclude every controller)");
      return NULL;
    }

  excl = g_new0 (StasConfigExclude, 1);
  excl->line = line;
  excl->subsysnqn = g_strdup (subsys_nqn (diags, line, "exclude", fields));
  excl->transport = g_strdup (field_value (fields, "transport"));
  excl->traddr = g_strdup (field_value (fields, "traddr"));
  excl->trsvcid = g_strdup (field_value (fields, "trsvcid"));
  excl->host_iface = g_strdup (field_value (fields, "host-iface"));
  excl->host_nqn = g_strdup (field_value (fields, "host-nqn"));
  excl->host_id = g_strdup (field_value (fields, "host-id"));
  return excl;
}

char *
stas_config_exclude_to_string (const StasConfigExclude *excl)
{
  GString *s = identity_to_string (excl->transport, excl->traddr, excl->trsvcid, excl->subsysnqn,
                                   NULL, excl->host_iface, excl->host_nqn, excl->host_id);

  return g_string_free (s, FALSE);
}

static const char *
nn (const char *s)
{
  return s != NULL ? s : "";
}

static gboolean
is_ip_transport (const char *transport)
{
  return g_ascii_strcasecmp (transport, "tcp") == 0 || g_ascii_strcasecmp (transport, "rdma") == 0;
}

static gboolean
traddr_matches (const char *want, const char *transport, const char *traddr)
{
  if (stas_ip_is_literal (want) && stas_ip_is_literal (traddr))
    return stas_ip_equal (want, traddr);
  if (g_ascii_strcasecmp (transport, "fc") == 0)
    return g_ascii_strcasecmp (want, traddr) == 0;
  return strcmp (want, traddr) == 0;
}

static gboolean
trsvcid_matches (const char *want, const char *transport, const char *trsvcid)
{
  gint64 a, b;

  if (is_ip_transport (transport) && strspn (want, "0123456789") == strlen (want) &&
      strspn (trsvcid, "0123456789") == strlen (trsvcid) && stas_config_parse_int (want, &a) &&
      stas_config_parse_int (trsvcid, &b))
    return a == b;
  return strcmp (want, trsvcid) == 0;
}

gboolean
stas_config_exclude_matches (const StasConfigExclude *excl,
                             gboolean ignore_iface,
                             const char *transport,
                             const char *traddr,
                             const char *trsvcid,
                             const char *subsysnqn,
                             const char *host_iface,
                             const char *host_nqn,
                             const char *host_id)
{
  transport = nn (transport);

  if (excl->transport != NULL && g_ascii_strcasecmp (excl->transport, transport) != 0)
    return FALSE;
  if (excl->traddr != NULL && !traddr_matches (excl->traddr, transport, nn (traddr)))
    return FALSE;
  if (excl->trsvcid != NULL && !trsvcid_matches (excl->trsvcid, transport, nn (trsvcid)))
    return FALSE;
  if (excl->subsysnqn != NULL && strcmp (excl->subsysnqn, nn (subsysnqn)) != 0)
    return FALSE;
  if (excl->host_iface != NULL)
    {
      /* with ignore-iface=true every TID has host-iface '': such exclusions never match */
      if (ignore_iface || strcmp (excl->host_iface, nn (host_iface)) != 0)
        return FALSE;
    }
  if (excl->host_nqn != NULL && strcmp (excl->host_nqn, nn (host_nqn)) != 0)
    return FALSE;
  if (excl->host_id != NULL && g_ascii_strcasecmp (excl->host_id, nn (host_id)) != 0)
    return FALSE;
  return TRUE;
}
