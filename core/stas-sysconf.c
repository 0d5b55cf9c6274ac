/* stas-sysconf.c — sys.conf and the /etc/nvme host files (spec/config.md §5). */
#include "config.h"

#include "stas-config.h"

#include <errno.h>
#include <string.h>

#include "stas-config-private.h"
#include "stas-ini.h"
#include "stas-ip.h"
#include "stas-log.h"

struct _StasSysConf
{
  gatomicrefcount ref;
  char *host_nqn; /* (owned) */
  char *host_id;  /* (owned) */
  char *host_key; /* (owned) (nullable) secret */
  char *symname;  /* (owned) (nullable) */
};

enum
{
  KEY_NQN,
  KEY_ID,
  KEY_KEY,
  KEY_SYMNAME,
  N_KEYS
};

static const char *const host_keys[N_KEYS] = { "nqn", "id", "key", "symname" };
static const char *const default_files[N_KEYS] = { "hostnqn", "hostid", "hostkey", NULL };
static const char *const sections[] = { "Host", NULL };

#define FILE_PREFIX "file://"

StasSysConf *
stas_sysconf_ref (StasSysConf *sysconf)
{
  g_return_val_if_fail (sysconf != NULL, NULL);
  g_atomic_ref_count_inc (&sysconf->ref);
  return sysconf;
}

void
stas_sysconf_unref (StasSysConf *sysconf)
{
  if (sysconf == NULL || !g_atomic_ref_count_dec (&sysconf->ref))
    return;
  g_free (sysconf->host_nqn);
  g_free (sysconf->host_id);
  if (sysconf->host_key != NULL)
    memset (sysconf->host_key, 0, strlen (sysconf->host_key));
  g_free (sysconf->host_key);
  g_free (sysconf->symname);
  g_free (sysconf);
}

const char *
stas_sysconf_get_host_nqn (const StasSysConf *sysconf)
{
  return sysconf->host_nqn;
}

const char *
stas_sysconf_get_host_id (const StasSysConf *sysconf)
{
  return sysconf->host_id;
}

const char *
stas_sysconf_get_host_key (const StasSysConf *sysconf)
{
  return sysconf->host_key;
}

const char *
stas_sysconf_get_symname (const StasSysConf *sysconf)
{
  return sysconf->symname;
}

gboolean
stas_sysconf_identity_changed (const StasSysConf *old, const StasSysConf *new)
{
  return g_strcmp0 (old->host_nqn, new->host_nqn) != 0 ||
         g_strcmp0 (old->host_id, new->host_id) != 0;
}

/* Reads the [Host] values of sys.conf; absent keys stay NULL. */
static void
read_sysconf (const char *path, StasIniDiags *d, char *values[N_KEYS])
{
  g_autofree char *data = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  guint lines[N_KEYS] = { 0 };
  gsize len;
  int errnum;

  if (!stas_ini_read_file (path, &data, &len, &errnum))
    {
      if (errnum != ENOENT)
        stas_ini_diags_add_plain (d, 0, STAS_LOG_WARNING, "%s: cannot read configuration file: %s",
                                  path, g_strerror (errnum));
      return;
    }

  entries = stas_ini_parse (data, len, sections, NULL, d);
  for (guint i = 0; i < entries->len; i++)
    {
      const StasIniEntry *e = g_ptr_array_index (entries, i);
      int k;

      for (k = 0; k < N_KEYS; k++)
        if (strcmp (host_keys[k], e->key) == 0)
          break;
      if (e->continuation)
        {
          if (k < N_KEYS)
            stas_ini_diags_add (d, e->line, STAS_LOG_WARNING,
                                "continuation line for single-valued option \"%s\" ignored",
                                e->key);
          continue;
        }
      if (k == N_KEYS)
        {
          stas_ini_diags_add (d, e->line, STAS_LOG_WARNING, "[%s] unknown option \"%s\", ignored",
                              e->section, e->key);
          continue;
        }
      if (values[k] != NULL)
        stas_ini_diags_add (d, e->line, STAS_LOG_INFO, "[%s] %s overrides the value at line %u",
                            e->section, e->key, lines[k]);
      g_free (values[k]);
      values[k] = g_strdup (e->value);
      lines[k] = e->line;
    }
}

/* Resolves a value (§5.2). Returns NULL ("undefined") with @reason set. */
static char *
resolve (const char *value, gboolean whole_line, char **reason)
{
  g_autofree char *data = NULL;
  gsize len;
  int errnum;
  const char *path;
  char *result;

  if (!g_str_has_prefix (value, FILE_PREFIX))
    {
      if (*value == '\0')
        {
          *reason = g_strdup ("empty value");
          return NULL;
        }
      return g_strdup (value);
    }

  path = value + strlen (FILE_PREFIX);
  if (!stas_ini_read_file (path, &data, &len, &errnum))
    {
      *reason = g_strdup_printf ("%s: %s", path, g_strerror (errnum));
      return NULL;
    }
  data[strcspn (data, "\n")] = '\0';
  if (!g_utf8_validate (data, -1, NULL))
    {
      *reason = g_strdup_printf ("%s: invalid UTF-8", path);
      return NULL;
    }
  g_strstrip (data);
  if (!whole_line)
    data[strcspn (data, " \t\r\v\f")] = '\0';
  if (*data == '\0')
    {
      *reason = g_strdup_printf ("%s is empty", path);
      return NULL;
    }
  result = g_steal_pointer (&data);
  return result;
}

static gboolean
is_printable (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isprint (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static gboolean
check_identity (StasSysConf *sc, char *values[N_KEYS], GError **error)
{
  g_autofree char *reason = NULL;

  sc->host_nqn = resolve (values[KEY_NQN], FALSE, &reason);
  if (sc->host_nqn == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "Error reading mandatory Host NQN (see stasadm --help): %s", reason);
      return FALSE;
    }
  if (!g_str_has_prefix (sc->host_nqn, "nqn."))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "Error Host NQN \"%s\" should start with \"nqn.\"", sc->host_nqn);
      return FALSE;
    }
  if (strlen (sc->host_nqn) > STAS_NQN_MAX_LEN)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "Error Host NQN is too long (%zu chars, max %d per NVMe spec)",
                   strlen (sc->host_nqn), STAS_NQN_MAX_LEN);
      return FALSE;
    }

  sc->host_id = resolve (values[KEY_ID], FALSE, &reason);
  if (sc->host_id == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "Error reading mandatory Host ID (see stasadm --help): %s", reason);
      return FALSE;
    }
  if (!stas_uuid_is_valid (sc->host_id))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "Error Host ID \"%s\" is not a valid UUID", sc->host_id);
      return FALSE;
    }
  return TRUE;
}

static void
load_optional (StasSysConf *sc, char *values[N_KEYS], StasIniDiags *d)
{
  g_autofree char *reason = NULL;
  char *key;

  key = resolve (values[KEY_KEY], FALSE, &reason);
  if (key == NULL)
    stas_ini_diags_add_plain (d, G_MAXUINT, STAS_LOG_DEBUG, "Host key undefined: %s", reason);
  else if (!stas_dhchap_secret_is_valid (key))
    {
      stas_ini_diags_add_plain (d, G_MAXUINT, STAS_LOG_WARNING,
                                "sys.conf: host key has an invalid format, ignored");
      memset (key, 0, strlen (key));
      g_free (key);
    }
  else
    sc->host_key = key;

  g_clear_pointer (&reason, g_free);
  if (values[KEY_SYMNAME] == NULL)
    return;
  sc->symname = resolve (values[KEY_SYMNAME], TRUE, &reason);
  if (sc->symname == NULL)
    {
      /* an empty value or empty file is simply "undefined" */
      if (g_str_has_prefix (values[KEY_SYMNAME], FILE_PREFIX) &&
          !g_str_has_suffix (reason, " is empty"))
        stas_ini_diags_add_plain (d, G_MAXUINT, STAS_LOG_WARNING,
                                  "Error reading host symbolic name (will remain undefined): %s",
                                  reason);
    }
  else if (!is_printable (sc->symname))
    {
      stas_ini_diags_add_plain (d, G_MAXUINT, STAS_LOG_WARNING,
                                "sys.conf: symname contains non-printable characters, ignored");
      g_clear_pointer (&sc->symname, g_free);
    }
}

StasSysConf *
stas_sysconf_load (const char *path, const char *nvme_dir, GPtrArray *diags, GError **error)
{
  g_autoptr (StasIniDiags) d = stas_ini_diags_new (path);
  g_autoptr (StasSysConf) sc = g_new0 (StasSysConf, 1);
  char *values[N_KEYS] = { NULL };
  gboolean ok;

  g_atomic_ref_count_init (&sc->ref);
  if (path != NULL)
    read_sysconf (path, d, values);
  for (int k = 0; k < N_KEYS; k++)
    if (values[k] == NULL && default_files[k] != NULL)
      values[k] = g_strdup_printf (FILE_PREFIX "%s/%s", nvme_dir, default_files[k]);

  ok = check_identity (sc, values, error);
  if (ok)
    load_optional (sc, values, d);

  for (int k = 0; k < N_KEYS; k++)
    {
      if (k == KEY_KEY && values[k] != NULL)
        memset (values[k], 0, strlen (values[k]));
      g_free (values[k]);
    }
  stas_ini_diags_flush (d, diags);
  return ok ? g_steal_pointer (&sc) : NULL;
}
