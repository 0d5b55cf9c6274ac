/* stas-config.c — stafd.conf / stacd.conf: options, values, loading (spec/config.md §1–§3). */
#include "config.h"

#include "stas-config.h"

#include <errno.h>
#include <string.h>

#include "stas-config-private.h"
#include "stas-ini.h"
#include "stas-ip.h"
#include "stas-log.h"
#include "stas-timeparse.h"

/* ---- the option table ----------------------------------------------------------- */

enum
{
  SEC_GLOBAL,
  SEC_SERVICE_DISCOVERY,
  SEC_DC_MGMT,
  SEC_IOC_MGMT,
  SEC_CONTROLLERS,
};

static const char *const section_names[] = {
  "Global",
  "Service Discovery",
  "Discovery controller connection management",
  "I/O controller connection management",
  "Controllers",
  NULL,
};

static const char *const list_keys[] = { "controller", "exclude", "blacklist", NULL };

typedef enum
{
  T_BOOL,
  T_KEYWORD,
  T_INT,
  T_SPAN,
  T_TRTYPES,
  T_NCC,
} OptType;

typedef enum
{
  OPT_TRON,
  OPT_HDR_DIGEST,
  OPT_DATA_DIGEST,
  OPT_KATO,
  OPT_QUEUE_SIZE,
  OPT_NR_IO_QUEUES,
  OPT_NR_WRITE_QUEUES,
  OPT_NR_POLL_QUEUES,
  OPT_RECONNECT_DELAY,
  OPT_CTRL_LOSS_TMO,
  OPT_DISABLE_SQFLOW,
  OPT_IGNORE_IFACE,
  OPT_IP_FAMILY,
  OPT_PLEO,
  OPT_GLOBAL_PERSISTENT, /* deprecated location */
  OPT_ZEROCONF,
  OPT_PERSISTENT,
  OPT_ZC_PERSISTENCE,
  OPT_DISCONNECT_SCOPE,
  OPT_DISCONNECT_TRTYPES,
  OPT_NCC,
  N_OPTS
} OptId;

typedef struct
{
  gboolean set;
  gint64 i; /* bool 0/1, keyword index, integer, trtype flags */
  double d; /* time spans */
} OptValue;

#define F (1u << STAS_DAEMON_STAFD)
#define C (1u << STAS_DAEMON_STACD)

typedef struct
{
  int section;
  const char *key;
  OptType type;
  guint daemons;
  gboolean param; /* also a per-controller parameter (§4.2) */
  gint64 min, max;
  const char *const *keywords;
  OptValue def[2]; /* indexed by StasDaemonKind */
  const char *expected;
  const char *unset_text; /* how "not set" is shown (NULL: "not set") */
} OptDesc;

static const char *const kw_ip_family[] = { "ipv4", "ipv6", "ipv4+ipv6", "ipv6+ipv4", NULL };
static const char *const kw_enabled[] = { "enabled", "disabled", NULL };
static const char *const kw_scope[] = { "only-stas-connections",
                                        "all-connections-matching-disconnect-trtypes",
                                        "no-disconnect", NULL };

#define UNSET                                                                                      \
  {                                                                                                \
    { FALSE, 0, 0 },                                                                               \
    {                                                                                              \
      FALSE, 0, 0                                                                                  \
    }                                                                                              \
  }
#define BOTH(v)                                                                                    \
  {                                                                                                \
    { TRUE, (v), 0 },                                                                              \
    {                                                                                              \
      TRUE, (v), 0                                                                                 \
    }                                                                                              \
  }
#define EXP_BOOL "expected true or false"

static const OptDesc opts[N_OPTS] = {
  [OPT_TRON] = { SEC_GLOBAL, "tron", T_BOOL, F | C, FALSE, 0, 0, NULL, BOTH (0), EXP_BOOL, NULL },
  [OPT_HDR_DIGEST] = { SEC_GLOBAL, "hdr-digest", T_BOOL, F | C, TRUE, 0, 0, NULL, BOTH (0),
                       EXP_BOOL, NULL },
  [OPT_DATA_DIGEST] = { SEC_GLOBAL, "data-digest", T_BOOL, F | C, TRUE, 0, 0, NULL, BOTH (0),
                        EXP_BOOL, NULL },
  [OPT_KATO] = { SEC_GLOBAL,
                 "kato",
                 T_INT,
                 F | C,
                 TRUE,
                 0,
                 4294967,
                 NULL,
                 { { TRUE, 30, 0 }, { FALSE, 0, 0 } },
                 "expected an integer in 0..4294967",
                 NULL },
  [OPT_QUEUE_SIZE] = { SEC_GLOBAL, "queue-size", T_INT, F | C, TRUE, 16, 1024, NULL, UNSET,
                       "expected an integer in 16..1024", NULL },
  [OPT_NR_IO_QUEUES] = { SEC_GLOBAL, "nr-io-queues", T_INT, C, TRUE, 1, 65535, NULL, UNSET,
                         "expected an integer in 1..65535", NULL },
  [OPT_NR_WRITE_QUEUES] = { SEC_GLOBAL, "nr-write-queues", T_INT, C, TRUE, 1, 65535, NULL, UNSET,
                            "expected an integer in 1..65535", NULL },
  [OPT_NR_POLL_QUEUES] = { SEC_GLOBAL, "nr-poll-queues", T_INT, C, TRUE, 1, 65535, NULL, UNSET,
                           "expected an integer in 1..65535", NULL },
  [OPT_RECONNECT_DELAY] = { SEC_GLOBAL, "reconnect-delay", T_INT, F | C, TRUE, 1, G_MAXINT32, NULL,
                            UNSET, "expected an integer in 1..2147483647", NULL },
  [OPT_CTRL_LOSS_TMO] = { SEC_GLOBAL, "ctrl-loss-tmo", T_INT, F | C, TRUE, -1, G_MAXINT32, NULL,
                          UNSET, "expected an integer in -1..2147483647", NULL },
  [OPT_DISABLE_SQFLOW] = { SEC_GLOBAL, "disable-sqflow", T_BOOL, F | C, TRUE, 0, 0, NULL, UNSET,
                           EXP_BOOL, NULL },
  [OPT_IGNORE_IFACE] = { SEC_GLOBAL, "ignore-iface", T_BOOL, F | C, FALSE, 0, 0, NULL, BOTH (0),
                         EXP_BOOL, NULL },
  [OPT_IP_FAMILY] = { SEC_GLOBAL, "ip-family", T_KEYWORD, F | C, FALSE, 0, 0, kw_ip_family,
                      BOTH (2), "expected one of ipv4, ipv6, ipv4+ipv6, ipv6+ipv4", NULL },
  [OPT_PLEO] = { SEC_GLOBAL, "pleo", T_KEYWORD, F, FALSE, 0, 0, kw_enabled, BOTH (0),
                 "expected one of enabled, disabled", NULL },
  [OPT_GLOBAL_PERSISTENT] = { SEC_GLOBAL, "persistent-connections", T_BOOL, F, FALSE, 0, 0, NULL,
                              UNSET, EXP_BOOL, NULL },
  [OPT_ZEROCONF] = { SEC_SERVICE_DISCOVERY, "zeroconf", T_KEYWORD, F, FALSE, 0, 0, kw_enabled,
                     BOTH (0), "expected one of enabled, disabled", NULL },
  [OPT_PERSISTENT] = { SEC_DC_MGMT, "persistent-connections", T_BOOL, F, FALSE, 0, 0, NULL, UNSET,
                       EXP_BOOL, "true" },
  [OPT_ZC_PERSISTENCE] = { SEC_DC_MGMT,
                           "zeroconf-connections-persistence",
                           T_SPAN,
                           F,
                           FALSE,
                           0,
                           0,
                           NULL,
                           { { TRUE, 0, 259200 }, { TRUE, 0, 259200 } },
                           "expected a time span such as 72hours, 3 days 5 hours or -1",
                           NULL },
  [OPT_DISCONNECT_SCOPE] = { SEC_IOC_MGMT, "disconnect-scope", T_KEYWORD, C, FALSE, 0, 0, kw_scope,
                             BOTH (0),
                             "expected one of only-stas-connections, "
                             "all-connections-matching-disconnect-trtypes, no-disconnect",
                             NULL },
  [OPT_DISCONNECT_TRTYPES] = { SEC_IOC_MGMT, "disconnect-trtypes", T_TRTYPES, C, FALSE, 0, 0, NULL,
                               BOTH (STAS_TRTYPE_TCP),
                               "expected a +-separated list of tcp, rdma, fc", NULL },
  [OPT_NCC] = { SEC_IOC_MGMT, "connect-attempts-on-ncc", T_NCC, C, FALSE, 0, G_MAXINT32, NULL,
                BOTH (0), "expected 0 or an integer >= 2", NULL },
};

/* Obsolete [Global] keys (§3.6): accepted by nobody, reported with their replacement. */
static const struct
{
  const char *key;
  const char *why;
} obsolete[] = {
  { "udev-rule", "is obsolete and ignored (stafd manages the nvme-cli udev rule)" },
  { "sticky-connections", "is obsolete and ignored, see disconnect-scope" },
  { "duplicate-connect", "is obsolete and ignored" },
};

struct _StasConfig
{
  gatomicrefcount ref;
  StasDaemonKind kind;
  char *path; /* (owned) (nullable) */
  OptValue values[N_OPTS];
  GPtrArray *controllers; /* StasConfigController (owned) */
  GPtrArray *excludes;    /* StasConfigExclude (owned) */
  gboolean has_invalid_controllers;
};

static const char *
daemon_name (StasDaemonKind kind)
{
  return kind == STAS_DAEMON_STAFD ? "stafd" : "stacd";
}

static gboolean
opt_applies (const OptDesc *desc, StasDaemonKind kind)
{
  return (desc->daemons & (1u << kind)) != 0;
}

static int
find_opt (int section, const char *key)
{
  for (int i = 0; i < N_OPTS; i++)
    if (opts[i].section == section && strcmp (opts[i].key, key) == 0)
      return i;
  return -1;
}

static int
section_index (const char *name)
{
  for (int i = 0; section_names[i] != NULL; i++)
    if (strcmp (section_names[i], name) == 0)
      return i;
  return -1;
}

/* ---- secrets ------------------------------------------------------------------------ */

gboolean
stas_config_key_is_secret (const char *key)
{
  return g_strcmp0 (key, "key") == 0 || g_strcmp0 (key, "dhchap-secret") == 0 ||
         g_strcmp0 (key, "dhchap-ctrl-secret") == 0;
}

const char *
stas_config_shown (const char *key, const char *text)
{
  if (stas_config_key_is_secret (key) || (text != NULL && strstr (text, "DHHC-1:") != NULL))
    return STAS_REDACTED;
  return text;
}

/* ---- value parsing -------------------------------------------------------------------- */

gboolean
stas_config_parse_int (const char *text, gint64 *value)
{
  const char *p = text;
  gboolean neg = FALSE;
  guint64 v = 0;

  if (*p == '+' || *p == '-')
    neg = *p++ == '-';
  if (*p == '\0')
    return FALSE;
  for (; *p != '\0'; p++)
    {
      if (*p < '0' || *p > '9')
        return FALSE;
      if (v > ((guint64) G_MAXINT64 + 1 - (guint64) (*p - '0')) / 10)
        return FALSE;
      v = v * 10 + (guint64) (*p - '0');
    }
  if (!neg && v > (guint64) G_MAXINT64)
    return FALSE;
  *value = neg ? (gint64) (0 - v) : (gint64) v;
  return TRUE;
}

/* Lower-case; whitespace around '+' removed ("ipv4 + ipv6"). */
static char *
normalise_keyword (const char *text)
{
  GString *s = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        {
          const char *q = p;
          while (g_ascii_isspace (*q))
            q++;
          if ((s->len > 0 && s->str[s->len - 1] == '+') || *q == '+')
            {
              p = q - 1;
              continue;
            }
        }
      g_string_append_c (s, g_ascii_tolower (*p));
    }
  return g_string_free (s, FALSE);
}

/* Where item warnings and the connect-attempts-on-ncc INFO go. */
typedef struct
{
  StasIniDiags *diags;
  guint line;
  const char *section;
  const char *key;
} ValueCtx;

static gboolean
parse_trtypes (const char *text, gint64 *flags, const ValueCtx *vc)
{
  g_auto (GStrv) items = g_strsplit (text, "+", -1);
  gint64 result = 0;

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = g_strstrip (items[i]);
      if (g_ascii_strcasecmp (item, "tcp") == 0)
        result |= STAS_TRTYPE_TCP;
      else if (g_ascii_strcasecmp (item, "rdma") == 0)
        result |= STAS_TRTYPE_RDMA;
      else if (g_ascii_strcasecmp (item, "fc") == 0)
        result |= STAS_TRTYPE_FC;
      else if (vc != NULL)
        stas_ini_diags_add (vc->diags, vc->line, STAS_LOG_WARNING,
                            "[%s] %s: invalid item \"%s\" ignored", vc->section, vc->key, item);
    }
  *flags = result;
  return result != 0;
}

static gboolean
opt_parse (const OptDesc *desc, const char *text, OptValue *out, const ValueCtx *vc)
{
  OptValue v = { TRUE, 0, 0 };

  if (*text == '\0')
    return FALSE;

  switch (desc->type)
    {
    case T_BOOL:
      if (g_ascii_strcasecmp (text, "true") == 0)
        v.i = 1;
      else if (g_ascii_strcasecmp (text, "false") != 0)
        return FALSE;
      break;

    case T_KEYWORD:
      {
        g_autofree char *word = normalise_keyword (text);
        gint64 i;
        for (i = 0; desc->keywords[i] != NULL; i++)
          if (strcmp (desc->keywords[i], word) == 0)
            break;
        if (desc->keywords[i] == NULL)
          return FALSE;
        v.i = i;
      }
      break;

    case T_INT:
      if (!stas_config_parse_int (text, &v.i) || v.i < desc->min || v.i > desc->max)
        return FALSE;
      break;

    case T_SPAN:
      if (!stas_timeparse (text, &v.d))
        return FALSE;
      break;

    case T_TRTYPES:
      if (!parse_trtypes (text, &v.i, vc))
        return FALSE;
      break;

    case T_NCC:
      if (!stas_config_parse_int (text, &v.i) || v.i < 0 || v.i > desc->max)
        return FALSE;
      if (v.i == 1)
        {
          v.i = 2;
          if (vc != NULL)
            stas_ini_diags_add (vc->diags, vc->line, STAS_LOG_INFO,
                                "connect-attempts-on-ncc=1 is not allowed, using 2");
        }
      break;

    default:
      g_assert_not_reached ();
    }

  *out = v;
  return TRUE;
}

static char *
opt_render (const OptDesc *desc, const OptValue *v)
{
  if (!v->set)
    return g_strdup (desc->unset_text != NULL ? desc->unset_text : "not set");

  switch (desc->type)
    {
    case T_BOOL:
      return g_strdup (v->i ? "true" : "false");
    case T_KEYWORD:
      return g_strdup (desc->keywords[v->i]);
    case T_INT:
    case T_NCC:
      return g_strdup_printf ("%" G_GINT64_FORMAT, v->i);
    case T_SPAN:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup_printf ("%s seconds", g_ascii_formatd (buf, sizeof buf, "%.15g", v->d));
      }
    case T_TRTYPES:
      {
        g_autoptr (GPtrArray) items = g_ptr_array_new ();
        if (v->i & STAS_TRTYPE_TCP)
          g_ptr_array_add (items, (gpointer) "tcp");
        if (v->i & STAS_TRTYPE_RDMA)
          g_ptr_array_add (items, (gpointer) "rdma");
        if (v->i & STAS_TRTYPE_FC)
          g_ptr_array_add (items, (gpointer) "fc");
        g_ptr_array_add (items, NULL);
        return g_strjoinv ("+", (char **) items->pdata);
      }
    default:
      g_assert_not_reached ();
    }
}

static gboolean
opt_value_equal (const OptValue *a, const OptValue *b)
{
  if (a->set != b->set)
    return FALSE;
  return !a->set || (a->i == b->i && a->d == b->d);
}

/* ---- per-controller parameters ------------------------------------------------------ */

gboolean
stas_config_key_is_param (const char *key)
{
  int opt = find_opt (SEC_GLOBAL, key);
  return (opt >= 0 && opts[opt].param) || g_strcmp0 (key, "dhchap-secret") == 0 ||
         g_strcmp0 (key, "dhchap-ctrl-secret") == 0;
}

gboolean
stas_config_key_is_io_queue_param (const char *key)
{
  int opt = find_opt (SEC_GLOBAL, key);
  return opt == OPT_QUEUE_SIZE || opt == OPT_NR_IO_QUEUES || opt == OPT_NR_WRITE_QUEUES ||
         opt == OPT_NR_POLL_QUEUES;
}

StasConfigParam *
stas_config_param_parse (const char *key, const char *text, const char **expected)
{
  StasConfigParam *param;
  int opt;

  if (stas_config_key_is_secret (key))
    {
      if (!stas_dhchap_secret_is_valid (text))
        {
          *expected = "expected DHHC-1:<2 hex>:<base64>:";
          return NULL;
        }
      param = g_new0 (StasConfigParam, 1);
      param->key = g_strdup (key);
      param->type = STAS_CONFIG_PARAM_SECRET;
      param->secret = g_strdup (text);
      return param;
    }

  opt = find_opt (SEC_GLOBAL, key);
  g_return_val_if_fail (opt >= 0 && opts[opt].param, NULL);
  {
    OptValue v;
    if (!opt_parse (&opts[opt], text, &v, NULL))
      {
        *expected = opts[opt].expected;
        return NULL;
      }
    param = g_new0 (StasConfigParam, 1);
    param->key = g_strdup (key);
    if (opts[opt].type == T_BOOL)
      {
        param->type = STAS_CONFIG_PARAM_BOOL;
        param->bool_value = v.i != 0;
      }
    else
      {
        param->type = STAS_CONFIG_PARAM_INT;
        param->int_value = v.i;
      }
  }
  return param;
}

void
stas_config_param_free (StasConfigParam *param)
{
  if (param == NULL)
    return;
  g_free (param->key);
  if (param->secret != NULL)
    memset (param->secret, 0, strlen (param->secret));
  g_free (param->secret);
  g_free (param);
}

char *
stas_config_param_to_string (const StasConfigParam *param)
{
  switch (param->type)
    {
    case STAS_CONFIG_PARAM_BOOL:
      return g_strdup (param->bool_value ? "True" : "False");
    case STAS_CONFIG_PARAM_INT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, param->int_value);
    case STAS_CONFIG_PARAM_SECRET:
    default:
      return g_strdup (STAS_REDACTED);
    }
}

/* ---- construction ------------------------------------------------------------------- */

StasConfig *
stas_config_new_defaults (StasDaemonKind kind)
{
  StasConfig *config = g_new0 (StasConfig, 1);

  g_atomic_ref_count_init (&config->ref);
  config->kind = kind;
  for (int i = 0; i < N_OPTS; i++)
    config->values[i] = opts[i].def[kind];
  config->controllers =
      g_ptr_array_new_with_free_func ((GDestroyNotify) stas_config_controller_free);
  config->excludes = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_config_exclude_free);
  return config;
}

StasConfig *
stas_config_ref (StasConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);
  g_atomic_ref_count_inc (&config->ref);
  return config;
}

void
stas_config_unref (StasConfig *config)
{
  if (config == NULL || !g_atomic_ref_count_dec (&config->ref))
    return;
  g_ptr_array_unref (config->controllers);
  g_ptr_array_unref (config->excludes);
  g_free (config->path);
  g_free (config);
}

/* ---- loading ---------------------------------------------------------------------------- */

typedef struct
{
  StasConfig *config;
  const StasConfig *previous;
  StasIniDiags *diags;
  const StasIniEntry *last[N_OPTS]; /* the occurrence that wins */
  guint first_invalid_line;         /* first rejected controller= entry, 0: none */
} Loader;

static void
load_controller (Loader *l, const StasIniEntry *e)
{
  StasConfigController *ctrl =
      stas_config_controller_parse (l->diags, l->config->kind, e->line, e->value);

  if (ctrl != NULL)
    {
      g_ptr_array_add (l->config->controllers, ctrl);
      return;
    }
  if (!l->config->has_invalid_controllers)
    stas_ini_diags_add_plain (l->diags, e->line, STAS_LOG_WARNING,
                              "%s: [Controllers] contains invalid entries; controllers "
                              "configured earlier will not be removed until the file is "
                              "corrected",
                              stas_ini_diags_get_file (l->diags));
  l->config->has_invalid_controllers = TRUE;
}

static void
load_exclude (Loader *l, const StasIniEntry *e)
{
  StasConfigExclude *excl = stas_config_exclude_parse (l->diags, e->line, e->value);
  if (excl != NULL)
    g_ptr_array_add (l->config->excludes, excl);
}

static gboolean
is_list_key (const char *key)
{
  return g_strv_contains (list_keys, key);
}

static void
load_controllers_entry (Loader *l, const StasIniEntry *e)
{
  if (!is_list_key (e->key))
    {
      stas_ini_diags_add (l->diags, e->line, STAS_LOG_WARNING,
                          "[Controllers] unknown option \"%s\", ignored", e->key);
      return;
    }
  /* "controller =" followed by continuation lines only introduces them */
  if (!e->continuation && e->continued && *e->value == '\0')
    return;
  if (strcmp (e->key, "blacklist") == 0 && !e->continuation)
    stas_ini_diags_add (l->diags, e->line, STAS_LOG_WARNING,
                        "\"blacklist\" is deprecated, use \"exclude\"");
  if (strcmp (e->key, "controller") == 0)
    load_controller (l, e);
  else
    load_exclude (l, e);
}

static void
load_entry (Loader *l, const StasIniEntry *e)
{
  int section = section_index (e->section);
  int opt;

  if (section == SEC_CONTROLLERS)
    {
      if (!e->continuation || is_list_key (e->key))
        load_controllers_entry (l, e);
      return;
    }

  opt = find_opt (section, e->key);
  if (e->continuation)
    {
      if (opt >= 0 && opt_applies (&opts[opt], l->config->kind))
        stas_ini_diags_add (l->diags, e->line, STAS_LOG_WARNING,
                            "continuation line for single-valued option \"%s\" ignored", e->key);
      return; /* unknown keys were reported at their key line */
    }

  if (section == SEC_GLOBAL)
    for (guint i = 0; i < G_N_ELEMENTS (obsolete); i++)
      if (strcmp (obsolete[i].key, e->key) == 0)
        {
          stas_ini_diags_add (l->diags, e->line, STAS_LOG_WARNING, "[Global] \"%s\" %s", e->key,
                              obsolete[i].why);
          return;
        }

  if (opt < 0)
    {
      stas_ini_diags_add (l->diags, e->line, STAS_LOG_WARNING,
                          "[%s] unknown option \"%s\", ignored", e->section, e->key);
      return;
    }
  if (!opt_applies (&opts[opt], l->config->kind))
    {
      stas_ini_diags_add (l->diags, e->line, STAS_LOG_WARNING,
                          "[%s] option \"%s\" does not apply to %s, ignored", e->section, e->key,
                          daemon_name (l->config->kind));
      return;
    }
  if (opt == OPT_GLOBAL_PERSISTENT)
    stas_ini_diags_add (l->diags, e->line, STAS_LOG_WARNING,
                        "[Global] persistent-connections is deprecated, use [Discovery "
                        "controller connection management] persistent-connections");
  if (l->last[opt] != NULL)
    stas_ini_diags_add (l->diags, e->line, STAS_LOG_INFO, "[%s] %s overrides the value at line %u",
                        e->section, e->key, l->last[opt]->line);
  l->last[opt] = e;
}

static void
load_values (Loader *l)
{
  for (int opt = 0; opt < N_OPTS; opt++)
    {
      const StasIniEntry *e = l->last[opt];
      const OptDesc *desc = &opts[opt];
      ValueCtx vc;
      OptValue *v = &l->config->values[opt];
      g_autofree char *shown = NULL;

      if (e == NULL)
        continue; /* absent (or removed on reload): the default */
      vc = (ValueCtx){ l->diags, e->line, e->section, e->key };
      if (opt_parse (desc, e->value, v, &vc))
        continue;

      if (l->previous != NULL)
        *v = l->previous->values[opt];
      shown = opt_render (desc, v);
      stas_ini_diags_add (l->diags, e->line, STAS_LOG_WARNING,
                          "[%s] %s: invalid value \"%s\" (%s); using %s (%s)", e->section, e->key,
                          stas_config_shown (e->key, e->value), desc->expected,
                          l->previous != NULL ? "the previous value" : "the default", shown);
    }
}

static void
check_iface_excludes (Loader *l)
{
  if (!stas_config_get_ignore_iface (l->config))
    return;
  for (guint i = 0; i < l->config->excludes->len; i++)
    {
      const StasConfigExclude *excl = g_ptr_array_index (l->config->excludes, i);
      if (excl->host_iface != NULL)
        {
          stas_ini_diags_add (l->diags, excl->line, STAS_LOG_WARNING,
                              "exclude on host-iface has no effect because ignore-iface=true");
          return;
        }
    }
}

static StasConfig *
config_parse (StasDaemonKind kind,
              const char *path,
              const char *data,
              gsize len,
              const StasConfig *previous,
              StasIniDiags *diags)
{
  Loader l = { 0 };
  g_autoptr (GPtrArray) entries = NULL;

  l.config = stas_config_new_defaults (kind);
  l.config->path = g_strdup (path);
  l.previous = previous;
  l.diags = diags;

  entries = stas_ini_parse (data, len, section_names, list_keys, diags);
  for (guint i = 0; i < entries->len; i++)
    load_entry (&l, g_ptr_array_index (entries, i));
  load_values (&l);
  check_iface_excludes (&l);
  return l.config;
}

StasConfig *
stas_config_load_from_data (StasDaemonKind kind,
                            const char *path,
                            const char *data,
                            gsize len,
                            const StasConfig *previous,
                            GPtrArray *diags)
{
  g_autoptr (StasIniDiags) d = stas_ini_diags_new (path);
  StasConfig *config = config_parse (kind, path, data, len, previous, d);
  stas_ini_diags_flush (d, diags);
  return config;
}

StasConfig *
stas_config_load (StasDaemonKind kind,
                  const char *path,
                  gboolean path_given,
                  const StasConfig *previous,
                  GPtrArray *diags)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  int errnum = 0;

  if (path == NULL)
    return stas_config_new_defaults (kind);

  if (!stas_ini_read_file (path, &data, &len, &errnum))
    {
      StasConfig *config;

      if (errnum == ENOENT)
        {
          if (path_given && diags != NULL)
            stas_diags_add (diags, STAS_LOG_INFO, "Configuration file %s not found, using defaults",
                            path);
        }
      else
        {
          if (diags != NULL)
            stas_diags_add (diags, STAS_LOG_WARNING, "%s: cannot read configuration file: %s", path,
                            g_strerror (errnum));
          if (previous != NULL)
            return stas_config_ref ((StasConfig *) previous);
        }
      config = stas_config_new_defaults (kind);
      config->path = g_strdup (path);
      return config;
    }

  return stas_config_load_from_data (kind, path, data, len, previous, diags);
}

/* ---- accessors ------------------------------------------------------------------------ */

StasDaemonKind
stas_config_get_kind (const StasConfig *config)
{
  return config->kind;
}

const char *
stas_config_get_path (const StasConfig *config)
{
  return config->path;
}

static gboolean
get_bool (const StasConfig *config, OptId opt)
{
  return config->values[opt].set && config->values[opt].i != 0;
}

static StasOptInt
get_opt_int (const StasConfig *config, OptId opt)
{
  StasOptInt r = { config->values[opt].set, config->values[opt].set ? config->values[opt].i : 0 };
  return r;
}

gboolean
stas_config_get_tron (const StasConfig *config)
{
  return get_bool (config, OPT_TRON);
}

gboolean
stas_config_get_hdr_digest (const StasConfig *config)
{
  return get_bool (config, OPT_HDR_DIGEST);
}

gboolean
stas_config_get_data_digest (const StasConfig *config)
{
  return get_bool (config, OPT_DATA_DIGEST);
}

StasOptInt
stas_config_get_kato (const StasConfig *config)
{
  return get_opt_int (config, OPT_KATO);
}

StasOptInt
stas_config_get_queue_size (const StasConfig *config)
{
  return get_opt_int (config, OPT_QUEUE_SIZE);
}

StasOptInt
stas_config_get_nr_io_queues (const StasConfig *config)
{
  return get_opt_int (config, OPT_NR_IO_QUEUES);
}

StasOptInt
stas_config_get_nr_write_queues (const StasConfig *config)
{
  return get_opt_int (config, OPT_NR_WRITE_QUEUES);
}

StasOptInt
stas_config_get_nr_poll_queues (const StasConfig *config)
{
  return get_opt_int (config, OPT_NR_POLL_QUEUES);
}

StasOptInt
stas_config_get_reconnect_delay (const StasConfig *config)
{
  return get_opt_int (config, OPT_RECONNECT_DELAY);
}

StasOptInt
stas_config_get_ctrl_loss_tmo (const StasConfig *config)
{
  return get_opt_int (config, OPT_CTRL_LOSS_TMO);
}

StasOptInt
stas_config_get_disable_sqflow (const StasConfig *config)
{
  return get_opt_int (config, OPT_DISABLE_SQFLOW);
}

gboolean
stas_config_get_ignore_iface (const StasConfig *config)
{
  return get_bool (config, OPT_IGNORE_IFACE);
}

StasIpFamily
stas_config_get_ip_family (const StasConfig *config)
{
  switch (config->values[OPT_IP_FAMILY].i)
    {
    case 0:
      return STAS_IP_FAMILY_IPV4;
    case 1:
      return STAS_IP_FAMILY_IPV6;
    default:
      return STAS_IP_FAMILY_BOTH;
    }
}

gboolean
stas_config_ip_family_allowed (const StasConfig *config, int family)
{
  StasIpFamily f = stas_config_get_ip_family (config);
  if (family == 4)
    return (f & STAS_IP_FAMILY_IPV4) != 0;
  if (family == 6)
    return (f & STAS_IP_FAMILY_IPV6) != 0;
  return FALSE;
}

const char *
stas_ip_family_to_string (StasIpFamily family)
{
  switch (family)
    {
    case STAS_IP_FAMILY_IPV4:
      return "ipv4";
    case STAS_IP_FAMILY_IPV6:
      return "ipv6";
    case STAS_IP_FAMILY_BOTH:
    default:
      return "ipv4+ipv6";
    }
}

gboolean
stas_config_get_pleo (const StasConfig *config)
{
  return config->values[OPT_PLEO].i == 0;
}

gboolean
stas_config_get_zeroconf (const StasConfig *config)
{
  return config->values[OPT_ZEROCONF].i == 0;
}

gboolean
stas_config_get_persistent_connections (const StasConfig *config)
{
  /* nvme-stas 2.4.1 SvcConf.persistent_connections: neither set → true, else either. */
  const OptValue *cur = &config->values[OPT_PERSISTENT];
  const OptValue *legacy = &config->values[OPT_GLOBAL_PERSISTENT];

  if (!cur->set && !legacy->set)
    return TRUE;
  return (cur->set && cur->i != 0) || (legacy->set && legacy->i != 0);
}

double
stas_config_get_zeroconf_persistence (const StasConfig *config)
{
  return config->values[OPT_ZC_PERSISTENCE].d;
}

StasDisconnectScope
stas_config_get_disconnect_scope (const StasConfig *config)
{
  return (StasDisconnectScope) config->values[OPT_DISCONNECT_SCOPE].i;
}

const char *
stas_disconnect_scope_to_string (StasDisconnectScope scope)
{
  g_return_val_if_fail ((guint) scope < G_N_ELEMENTS (kw_scope) - 1, NULL);
  return kw_scope[scope];
}

StasTrtypes
stas_config_get_disconnect_trtypes (const StasConfig *config)
{
  return (StasTrtypes) config->values[OPT_DISCONNECT_TRTYPES].i;
}

gboolean
stas_config_transport_in_disconnect_trtypes (const StasConfig *config, const char *transport)
{
  StasTrtypes t = stas_config_get_disconnect_trtypes (config);

  if (transport == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (transport, "tcp") == 0)
    return (t & STAS_TRTYPE_TCP) != 0;
  if (g_ascii_strcasecmp (transport, "rdma") == 0)
    return (t & STAS_TRTYPE_RDMA) != 0;
  if (g_ascii_strcasecmp (transport, "fc") == 0)
    return (t & STAS_TRTYPE_FC) != 0;
  return FALSE;
}

guint
stas_config_get_connect_attempts_on_ncc (const StasConfig *config)
{
  return (guint) config->values[OPT_NCC].i;
}

GPtrArray *
stas_config_get_controllers (const StasConfig *config)
{
  return config->controllers;
}

GPtrArray *
stas_config_get_excludes (const StasConfig *config)
{
  return config->excludes;
}

gboolean
stas_config_has_invalid_controllers (const StasConfig *config)
{
  return config->has_invalid_controllers;
}

const StasConfigExclude *
stas_config_find_exclude (const StasConfig *config,
                          const char *transport,
                          const char *traddr,
                          const char *trsvcid,
                          const char *subsysnqn,
                          const char *host_iface,
                          const char *host_nqn,
                          const char *host_id)
{
  gboolean ignore_iface = stas_config_get_ignore_iface (config);

  for (guint i = 0; i < config->excludes->len; i++)
    {
      const StasConfigExclude *excl = g_ptr_array_index (config->excludes, i);
      if (stas_config_exclude_matches (excl, ignore_iface, transport, traddr, trsvcid, subsysnqn,
                                       host_iface, host_nqn, host_id))
        return excl;
    }
  return NULL;
}

gboolean
stas_config_is_excluded (const StasConfig *config,
                         const char *transport,
                         const char *traddr,
                         const char *trsvcid,
                         const char *subsysnqn,
                         const char *host_iface,
                         const char *host_nqn,
                         const char *host_id)
{
  return stas_config_find_exclude (config, transport, traddr, trsvcid, subsysnqn, host_iface,
                                   host_nqn, host_id) != NULL;
}

void
stas_config_get_conn_params (const StasConfig *config,
                             const StasConfigController *ctrl,
                             StasConnParams *params)
{
  memset (params, 0, sizeof *params);
  params->kato = get_opt_int (config, OPT_KATO);
  params->queue_size = get_opt_int (config, OPT_QUEUE_SIZE);
  params->nr_io_queues = get_opt_int (config, OPT_NR_IO_QUEUES);
  params->nr_write_queues = get_opt_int (config, OPT_NR_WRITE_QUEUES);
  params->nr_poll_queues = get_opt_int (config, OPT_NR_POLL_QUEUES);
  params->reconnect_delay = get_opt_int (config, OPT_RECONNECT_DELAY);
  params->ctrl_loss_tmo = get_opt_int (config, OPT_CTRL_LOSS_TMO);
  params->hdr_digest = get_bool (config, OPT_HDR_DIGEST);
  params->data_digest = get_bool (config, OPT_DATA_DIGEST);
  params->disable_sqflow = get_bool (config, OPT_DISABLE_SQFLOW);

  for (guint i = 0; ctrl != NULL && i < ctrl->params->len; i++)
    {
      const StasConfigParam *p = g_ptr_array_index (ctrl->params, i);
      StasOptInt iv = { TRUE, p->int_value };

      if (strcmp (p->key, "dhchap-secret") == 0)
        params->dhchap_secret = p->secret;
      else if (strcmp (p->key, "dhchap-ctrl-secret") == 0)
        params->dhchap_ctrl_secret = p->secret;
      else if (strcmp (p->key, "hdr-digest") == 0)
        params->hdr_digest = p->bool_value;
      else if (strcmp (p->key, "data-digest") == 0)
        params->data_digest = p->bool_value;
      else if (strcmp (p->key, "disable-sqflow") == 0)
        params->disable_sqflow = p->bool_value;
      else if (strcmp (p->key, "kato") == 0)
        params->kato = iv;
      else if (strcmp (p->key, "queue-size") == 0)
        params->queue_size = iv;
      else if (strcmp (p->key, "nr-io-queues") == 0)
        params->nr_io_queues = iv;
      else if (strcmp (p->key, "nr-write-queues") == 0)
        params->nr_write_queues = iv;
      else if (strcmp (p->key, "nr-poll-queues") == 0)
        params->nr_poll_queues = iv;
      else if (strcmp (p->key, "reconnect-delay") == 0)
        params->reconnect_delay = iv;
      else if (strcmp (p->key, "ctrl-loss-tmo") == 0)
        params->ctrl_loss_tmo = iv;
    }

  if (config->kind == STAS_DAEMON_STAFD)
    {
      /* queue-size is accepted in stafd.conf but ignored for discovery controllers */
      StasOptInt unset = { FALSE, 0 };
      params->queue_size = unset;
      params->nr_io_queues = unset;
      params->nr_write_queues = unset;
      params->nr_poll_queues = unset;
    }
  /* libnvme treats a kato of 0 as "not set" */
  if (params->kato.set && params->kato.value == 0)
    params->kato.set = FALSE;
}

/* ---- SIGHUP change description ---------------------------------------------------------- */

static void
describe_entries (GPtrArray *lines,
                  const char *what,
                  GPtrArray *old_list,
                  GPtrArray *new_list,
                  char *(*to_string) (gconstpointer))
{
  g_autoptr (GPtrArray) old_s = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) new_s = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < old_list->len; i++)
    g_ptr_array_add (old_s, to_string (g_ptr_array_index (old_list, i)));
  for (guint i = 0; i < new_list->len; i++)
    g_ptr_array_add (new_s, to_string (g_ptr_array_index (new_list, i)));

  /* multiset difference: each old entry cancels one equal new entry */
  for (guint i = 0; i < old_s->len; i++)
    {
      guint j;
      for (j = 0; j < new_s->len; j++)
        if (g_ptr_array_index (new_s, j) != NULL &&
            strcmp (g_ptr_array_index (old_s, i), g_ptr_array_index (new_s, j)) == 0)
          break;
      if (j < new_s->len)
        {
          g_clear_pointer (&g_ptr_array_index (new_s, j), g_free);
          continue;
        }
      g_ptr_array_add (lines, g_strdup_printf ("[Controllers] %s removed: %s", what,
                                               (char *) g_ptr_array_index (old_s, i)));
    }
  for (guint j = 0; j < new_s->len; j++)
    if (g_ptr_array_index (new_s, j) != NULL)
      g_ptr_array_add (lines, g_strdup_printf ("[Controllers] %s added: %s", what,
                                               (char *) g_ptr_array_index (new_s, j)));
}

static char *
ctrl_to_string (gconstpointer p)
{
  return stas_config_controller_to_string (p);
}

static char *
excl_to_string (gconstpointer p)
{
  return stas_config_exclude_to_string (p);
}

GStrv
stas_config_describe_changes (const StasConfig *old, const StasConfig *new)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  for (int opt = 0; opt < N_OPTS; opt++)
    {
      const OptDesc *desc = &opts[opt];
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;

      if (!opt_applies (desc, new->kind) || opt_value_equal (&old->values[opt], &new->values[opt]))
        continue;
      a = opt_render (desc, &old->values[opt]);
      b = opt_render (desc, &new->values[opt]);
      if (strcmp (a, b) == 0)
        continue; /* e.g. persistent-connections: not set (true) → true */
      g_ptr_array_add (lines, g_strdup_printf ("[%s] %s changed from %s to %s",
                                               section_names[desc->section], desc->key, a, b));
    }
  describe_entries (lines, "controller", old->controllers, new->controllers, ctrl_to_string);
  describe_entries (lines, "exclude", old->excludes, new->excludes, excl_to_string);
  g_ptr_array_add (lines, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&lines), FALSE);
}
