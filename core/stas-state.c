/* stas-state.c — the "last known config" state file (spec/system.md §3 [STATE-1],
 * spec/bad-input.md §8).
 *
 * Written with an ordered writer of our own (key order of the specification), read with
 * the strict parser of stas-json.h (RFC 8259, UTF-8, nesting bounded to MAX_DEPTH). */
#include "config.h"

#include "stas-state.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "stas-dlp.h"
#include "stas-json.h"
#include "stas-log.h"
#include "stas-paths.h"

G_DEFINE_QUARK (stas - state - error - quark, stas_state_error)

/* A hostile or corrupt file must not exhaust the stack or the CPU. */
#define MAX_DEPTH 32
#define MAX_DICT_KEYS 64

/* ---- enums ------------------------------------------------------------------------------- */

static const char *const origin_names[] = {
  [STAS_STATE_ORIGIN_CONFIGURED] = "configured",
  [STAS_STATE_ORIGIN_REFERRAL] = "referral",
  [STAS_STATE_ORIGIN_DISCOVERED] = "discovered",
  [STAS_STATE_ORIGIN_EXTERNAL] = "external",
};

static const char *const log_pages_names[] = {
  [STAS_STATE_LOG_PAGES_NONE] = "none",
  [STAS_STATE_LOG_PAGES_CACHED] = "cached",
  [STAS_STATE_LOG_PAGES_CURRENT] = "current",
};

const char *
stas_state_origin_to_string (StasStateOrigin origin)
{
  g_return_val_if_fail ((guint) origin < G_N_ELEMENTS (origin_names), "");
  return origin_names[origin];
}

static gboolean
origin_allowed (StasDaemonKind daemon, StasStateOrigin origin)
{
  if (origin == STAS_STATE_ORIGIN_REFERRAL)
    return daemon == STAS_DAEMON_STAFD;
  if (origin == STAS_STATE_ORIGIN_EXTERNAL)
    return daemon == STAS_DAEMON_STACD;
  return TRUE;
}

gboolean
stas_state_origin_from_string (StasDaemonKind daemon, const char *text, StasStateOrigin *origin)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (origin_names); i++)
    if (strcmp (text, origin_names[i]) == 0 && origin_allowed (daemon, (StasStateOrigin) i))
      {
        *origin = (StasStateOrigin) i;
        return TRUE;
      }
  return FALSE;
}

const char *
stas_state_log_pages_to_string (StasStateLogPages state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (log_pages_names), "");
  return log_pages_names[state];
}

static gboolean
log_pages_from_string (const char *text, StasStateLogPages *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (log_pages_names); i++)
    if (strcmp (text, log_pages_names[i]) == 0)
      {
        *state = (StasStateLogPages) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- records and states ------------------------------------------------------------------- */

StasStateRecord *
stas_state_record_new (StasTid *tid, StasStateOrigin origin)
{
  StasStateRecord *record;

  g_return_val_if_fail (tid != NULL, NULL);

  record = g_new0 (StasStateRecord, 1);
  record->tid = stas_tid_ref (tid);
  record->origin = origin;
  record->device = g_strdup ("");
  record->log_pages_state = STAS_STATE_LOG_PAGES_NONE;
  record->log_pages = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("a{ss}"), NULL, 0));
  record->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_tid_unref);
  return record;
}

void
stas_state_record_free (StasStateRecord *record)
{
  if (record == NULL)
    return;
  g_clear_pointer (&record->tid, stas_tid_unref);
  g_free (record->device);
  g_clear_pointer (&record->log_pages, g_variant_unref);
  g_clear_pointer (&record->sources, g_ptr_array_unref);
  g_clear_pointer (&record->dlpe, g_variant_unref);
  g_free (record);
}

void
stas_state_record_set_device (StasStateRecord *record, const char *device)
{
  char *copy = g_strdup (device != NULL ? device : "");

  g_free (record->device);
  record->device = copy;
}

void
stas_state_record_set_log_pages (StasStateRecord *record, GVariant *log_pages)
{
  GVariant *value;

  g_return_if_fail (log_pages == NULL ||
                    g_variant_is_of_type (log_pages, G_VARIANT_TYPE ("aa{ss}")));

  value = log_pages != NULL
              ? g_variant_ref_sink (log_pages)
              : g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("a{ss}"), NULL, 0));
  g_variant_unref (record->log_pages);
  record->log_pages = value;
}

void
stas_state_record_set_dlpe (StasStateRecord *record, GVariant *dlpe)
{
  g_return_if_fail (dlpe == NULL || g_variant_is_of_type (dlpe, G_VARIANT_TYPE ("a{ss}")));

  if (dlpe != NULL)
    g_variant_ref_sink (dlpe);
  g_clear_pointer (&record->dlpe, g_variant_unref);
  record->dlpe = dlpe;
}

void
stas_state_record_add_source (StasStateRecord *record, StasTid *dc)
{
  g_return_if_fail (dc != NULL);
  g_ptr_array_add (record->sources, stas_tid_ref (dc));
}

StasState *
stas_state_new (StasDaemonKind daemon, const char *host_nqn, const char *host_id)
{
  StasState *state = g_new0 (StasState, 1);

  state->daemon = daemon;
  state->host_nqn = g_strdup (host_nqn);
  state->host_id = g_strdup (host_id);
  state->records = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_state_record_free);
  return state;
}

void
stas_state_free (StasState *state)
{
  if (state == NULL)
    return;
  g_free (state->host_nqn);
  g_free (state->host_id);
  g_free (state->written);
  g_clear_pointer (&state->records, g_ptr_array_unref);
  g_free (state);
}

void
stas_state_add_record (StasState *state, StasStateRecord *record)
{
  g_return_if_fail (state != NULL && record != NULL);
  g_ptr_array_add (state->records, record);
}

/* ---- location ---------------------------------------------------------------------------- */

char *
stas_state_dir (StasDaemonKind daemon)
{
  const char *env = g_getenv ("RUNTIME_DIRECTORY");

  if (env != NULL && *env != '\0' && *env != ':')
    {
      const char *colon = strchr (env, ':');
      return colon != NULL ? g_strndup (env, (gsize) (colon - env)) : g_strdup (env);
    }
  return g_build_filename (stas_path_rundir (), stas_daemon_kind_name (daemon), NULL);
}

char *
stas_state_path (StasDaemonKind daemon)
{
  g_autofree char *dir = stas_state_dir (daemon);
  return g_build_filename (dir, STAS_STATE_FILE_NAME, NULL);
}

/* ---- writing ----------------------------------------------------------------------------- */

/* A JSON string. Text that is not UTF-8 (it must not happen: every source validates)
 * would make the whole file unreadable, so it is repaired rather than written. */
static void
append_text (GString *out, const char *text)
{
  if (text == NULL)
    text = "";
  if (g_utf8_validate (text, -1, NULL))
    stas_json_append_string (out, text);
  else
    {
      g_autofree char *valid = g_utf8_make_valid (text, -1);
      stas_json_append_string (out, valid);
    }
}

/* a{ss} as a JSON object, keys in the variant's order. */
static void
append_string_dict (GString *out, GVariant *dict)
{
  GVariantIter iter;
  const char *key, *value;
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    {
      if (!first)
        g_string_append (out, ", ");
      first = FALSE;
      append_text (out, key);
      g_string_append (out, ": ");
      append_text (out, value);
    }
  g_string_append_c (out, '}');
}

static void
append_tid (GString *out, const StasTid *tid)
{
  g_autoptr (GVariant) dict = g_variant_ref_sink (stas_tid_to_variant (tid));
  append_string_dict (out, dict);
}

static void
append_key (GString *out, const char *key)
{
  g_string_append (out, ", ");
  stas_json_append_string (out, key);
  g_string_append (out, ": ");
}

static void
append_record (GString *out, StasDaemonKind daemon, const StasStateRecord *record)
{
  g_string_append (out, "{\"tid\": ");
  append_tid (out, record->tid);
  append_key (out, "origin");
  stas_json_append_string (out, stas_state_origin_to_string (record->origin));

  if (daemon == STAS_DAEMON_STAFD)
    {
      GVariantIter iter;
      GVariant *dict;
      gboolean first = TRUE;

      append_key (out, "referral-depth");
      g_string_append_printf (out, "%u", record->referral_depth);
      append_key (out, "device");
      append_text (out, record->device);
      append_key (out, "log-pages-state");
      stas_json_append_string (out, stas_state_log_pages_to_string (record->log_pages_state));
      append_key (out, "log-pages");
      g_string_append_c (out, '[');
      if (record->log_pages != NULL)
        {
          g_variant_iter_init (&iter, record->log_pages);
          while ((dict = g_variant_iter_next_value (&iter)) != NULL)
            {
              if (!first)
                g_string_append (out, ", ");
              first = FALSE;
              append_string_dict (out, dict);
              g_variant_unref (dict);
            }
        }
      g_string_append_c (out, ']');
      append_key (out, "unresponsive-since");
      if (record->has_unresponsive_since && isfinite (record->unresponsive_since))
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          g_string_append (out, g_ascii_dtostr (buf, sizeof buf, record->unresponsive_since));
        }
      else
        g_string_append (out, "null");
    }
  else
    {
      append_key (out, "sources");
      g_string_append_c (out, '[');
      for (guint i = 0; record->sources != NULL && i < record->sources->len; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          append_tid (out, g_ptr_array_index (record->sources, i));
        }
      g_string_append_c (out, ']');
      append_key (out, "dlpe");
      if (record->dlpe != NULL)
        append_string_dict (out, record->dlpe);
      else
        g_string_append (out, "null");
      append_key (out, "device");
      append_text (out, record->device);
    }
  g_string_append_c (out, '}');
}

char *
stas_state_to_json (const StasState *state, GDateTime *written)
{
  GString *out = g_string_new (NULL);
  g_autoptr (GDateTime) now = NULL;
  g_autoptr (GDateTime) utc = NULL;
  g_autofree char *stamp = NULL;

  g_return_val_if_fail (state != NULL, NULL);

  if (written == NULL)
    written = now = g_date_time_new_now_utc ();
  utc = g_date_time_to_utc (written);
  stamp = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");

  g_string_append (out, "{\"format\": ");
  stas_json_append_string (out, STAS_STATE_FORMAT);
  g_string_append_printf (out, ", \"version\": %d", STAS_STATE_VERSION);
  append_key (out, "daemon");
  stas_json_append_string (out, stas_daemon_kind_name (state->daemon));
  append_key (out, "written");
  stas_json_append_string (out, stamp);
  g_string_append (out, ", \"host\": {\"nqn\": ");
  append_text (out, state->host_nqn);
  g_string_append (out, ", \"id\": ");
  append_text (out, state->host_id);
  g_string_append (out, "}, \"controllers\": [");
  for (guint i = 0; i < state->records->len; i++)
    {
      g_string_append (out, i > 0 ? ",\n" : "\n");
      append_record (out, state->daemon, g_ptr_array_index (state->records, i));
    }
  g_string_append (out, state->records->len > 0 ? "\n]}\n" : "]}\n");
  return g_string_free (out, FALSE);
}

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s %s: %s", what, path,
               g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int fd, const char *data, gsize size)
{
  while (size > 0)
    {
      ssize_t n = write (fd, data, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      data += n;
      size -= (gsize) n;
    }
  return TRUE;
}

/* A crash right after rename() must not lose the new directory entry. */
static void
sync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      (void) fsync (fd);
      close (fd);
    }
}

gboolean
stas_state_write (const StasState *state, const char *path, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *text = NULL;
  int fd;

  g_return_val_if_fail (state != NULL && path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dir = g_path_get_dirname (path);
  tmp = g_strconcat (path, ".tmp", NULL);
  text = stas_state_to_json (state, NULL);

  /* [D-54] create the directory (0700 [SEC-2]); an existing one is left as it is */
  if (g_mkdir_with_parents (dir, 0700) != 0)
    return set_errno_error (error, errno, "cannot create directory", dir);

  /* A left-over temporary file (or a symbolic link planted there) is removed first; the
   * new one is created exclusively, so the data never goes through a link. */
  if (unlink (tmp) != 0 && errno != ENOENT)
    return set_errno_error (error, errno, "cannot remove", tmp);
  fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_errno_error (error, errno, "cannot create", tmp);
  if (fchmod (fd, 0600) != 0 || !write_all (fd, text, strlen (text)) || fsync (fd) != 0)
    {
      int saved = errno;
      close (fd);
      unlink (tmp);
      return set_errno_error (error, saved, "cannot write", tmp);
    }
  if (close (fd) != 0)
    {
      int saved = errno;
      unlink (tmp);
      return set_errno_error (error, saved, "cannot write", tmp);
    }
  if (rename (tmp, path) != 0)
    {
      int saved = errno;
      unlink (tmp);
      return set_errno_error (error, saved, "cannot rename to", path);
    }
  sync_dir (dir);
  return TRUE;
}

/* An object whose values are all strings → a{ss} (repeated keys: the last one, as
 * stas_json_parse() keeps it). */
static GVariant *
json_to_string_dict (const StasJson *object, char **reason)
{
  GVariantBuilder builder;

  if (object == NULL || object->kind != STAS_JSON_OBJECT)
    {
      *reason = g_strdup ("not an object");
      return NULL;
    }
  if (object->keys->len > MAX_DICT_KEYS)
    {
      *reason = g_strdup ("too many keys");
      return NULL;
    }
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < object->keys->len; i++)
    {
      const char *key = g_ptr_array_index (object->keys, i);
      StasJson *value = g_ptr_array_index (object->items, i);

      if (value->kind != STAS_JSON_STRING)
        {
          g_variant_builder_clear (&builder);
          *reason = g_strdup_printf ("\"%s\" is not a string", key);
          return NULL;
        }
      g_variant_builder_add (&builder, "{ss}", key, value->string);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* ---- reading: records ----------------------------------------------------------------------- */

static StasTid *
tid_from_json (const StasJson *object, const StasTidDefaults *defaults, char **reason)
{
  g_autoptr (GVariant) dict = json_to_string_dict (object, reason);
  g_autoptr (GError) error = NULL;
  StasTid *tid;

  if (dict == NULL)
    return NULL;
  tid = stas_tid_from_variant (dict, defaults, &error);
  if (tid == NULL)
    *reason = g_strdup (error->message);
  return tid;
}

/* DLPE object → canonical a{ss} (and the parsed entry in @dlpe). */
static GVariant *
dlpe_from_json (const StasJson *object, StasDlpe *dlpe, char **reason)
{
  g_autoptr (GVariant) dict = json_to_string_dict (object, reason);
  g_autoptr (GError) error = NULL;

  if (dict == NULL)
    return NULL;
  if (!stas_dlpe_from_variant (dict, dlpe, &error))
    {
      *reason = g_strdup (error->message);
      return NULL;
    }
  return g_variant_ref_sink (stas_dlpe_to_variant (dlpe));
}

static gboolean
device_is_valid (const char *device)
{
  if (*device == '\0')
    return TRUE;
  if (!g_str_has_prefix (device, "nvme") || device[4] == '\0' || strlen (device) > 16)
    return FALSE;
  for (const char *p = device + 4; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
record_fail (char **reason, char *text)
{
  *reason = text;
  return FALSE;
}

static gboolean
read_device (const StasJson *object, StasStateRecord *record, char **reason)
{
  const char *device = stas_json_object_get_string (object, "device");

  if (device == NULL)
    return record_fail (reason, g_strdup ("no \"device\" string"));
  if (!device_is_valid (device))
    return record_fail (reason, g_strdup_printf ("invalid device \"%s\"", device));
  stas_state_record_set_device (record, device);
  return TRUE;
}

static gboolean
read_stafd_fields (const StasJson *object, StasStateRecord *record, char **reason)
{
  StasJson *depth = stas_json_object_get (object, "referral-depth");
  StasJson *pages = stas_json_object_get (object, "log-pages");
  StasJson *since = stas_json_object_get (object, "unresponsive-since");
  const char *lp_state = stas_json_object_get_string (object, "log-pages-state");
  GVariantBuilder builder;

  if (depth == NULL || depth->kind != STAS_JSON_INT || depth->integer < 0 ||
      depth->integer > G_MAXINT)
    return record_fail (reason, g_strdup ("\"referral-depth\" is not an integer >= 0"));
  record->referral_depth = (guint) depth->integer;
  if (!read_device (object, record, reason))
    return FALSE;
  if (lp_state == NULL || !log_pages_from_string (lp_state, &record->log_pages_state))
    return record_fail (reason, g_strdup ("\"log-pages-state\" is not none, cached or current"));
  if (pages == NULL || pages->kind != STAS_JSON_ARRAY)
    return record_fail (reason, g_strdup ("no \"log-pages\" array"));
  if (pages->items->len > STAS_MAX_DLP_RECORDS)
    return record_fail (reason, g_strdup ("too many log page entries"));
  if (record->log_pages_state == STAS_STATE_LOG_PAGES_NONE && pages->items->len > 0)
    return record_fail (reason, g_strdup ("log pages with \"log-pages-state\" none"));

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{ss}"));
  for (guint i = 0; i < pages->items->len; i++)
    {
      char *why = NULL;
      StasDlpe dlpe;
      GVariant *dict = dlpe_from_json (g_ptr_array_index (pages->items, i), &dlpe, &why);

      if (dict == NULL)
        {
          g_variant_builder_clear (&builder);
          *reason = g_strdup_printf ("log page entry %u: %s", i, why);
          g_free (why);
          return FALSE;
        }
      /* the cache never holds what would not have been published [DBUS-33] */
      if (stas_dlpe_is_published (&dlpe))
        g_variant_builder_add_value (&builder, dict);
      g_variant_unref (dict);
    }
  stas_state_record_set_log_pages (record, g_variant_builder_end (&builder));

  if (since == NULL)
    return record_fail (reason, g_strdup ("no \"unresponsive-since\""));
  if (since->kind != STAS_JSON_NULL)
    {
      if ((since->kind != STAS_JSON_INT && since->kind != STAS_JSON_REAL) ||
          !isfinite (since->real) || since->real < 0)
        return record_fail (reason, g_strdup ("\"unresponsive-since\" is not a time"));
      record->has_unresponsive_since = TRUE;
      record->unresponsive_since = since->real;
    }
  return TRUE;
}

static gboolean
read_stacd_fields (const StasJson *object, StasStateRecord *record, char **reason)
{
  StasJson *sources = stas_json_object_get (object, "sources");
  StasJson *dlpe = stas_json_object_get (object, "dlpe");

  if (sources == NULL || sources->kind != STAS_JSON_ARRAY)
    return record_fail (reason, g_strdup ("no \"sources\" array"));
  for (guint i = 0; i < sources->items->len; i++)
    {
      char *why = NULL;
      /* DC TIDs come normalised by stafd; no stacd defaults apply to them */
      StasTid *tid = tid_from_json (g_ptr_array_index (sources->items, i), NULL, &why);

      if (tid == NULL)
        {
          *reason = g_strdup_printf ("source %u: %s", i, why);
          g_free (why);
          return FALSE;
        }
      g_ptr_array_add (record->sources, tid);
    }

  if (dlpe == NULL)
    return record_fail (reason, g_strdup ("no \"dlpe\""));
  if (dlpe->kind != STAS_JSON_NULL)
    {
      char *why = NULL;
      StasDlpe entry;
      GVariant *dict = dlpe_from_json (dlpe, &entry, &why);

      if (dict == NULL)
        {
          *reason = g_strdup_printf ("dlpe: %s", why);
          g_free (why);
          return FALSE;
        }
      stas_state_record_set_dlpe (record, dict);
      g_variant_unref (dict);
    }
  return read_device (object, record, reason);
}

static StasStateRecord *
record_from_json (const StasJson *object,
                  StasDaemonKind daemon,
                  const StasTidDefaults *defaults,
                  char **reason)
{
  g_autoptr (StasStateRecord) record = NULL;
  g_autoptr (StasTid) tid = NULL;
  const char *origin_text;
  StasStateOrigin origin;
  char *why = NULL;
  gboolean ok;

  if (object->kind != STAS_JSON_OBJECT)
    {
      *reason = g_strdup ("not an object");
      return NULL;
    }
  tid = tid_from_json (stas_json_object_get (object, "tid"), defaults, &why);
  if (tid == NULL)
    {
      *reason = g_strdup_printf ("tid: %s", why);
      g_free (why);
      return NULL;
    }
  origin_text = stas_json_object_get_string (object, "origin");
  if (origin_text == NULL)
    {
      *reason = g_strdup ("no \"origin\" string");
      return NULL;
    }
  if (!stas_state_origin_from_string (daemon, origin_text, &origin))
    {
      *reason = g_strdup_printf ("unknown origin \"%s\"", origin_text);
      return NULL;
    }

  record = stas_state_record_new (tid, origin);
  if (daemon == STAS_DAEMON_STAFD)
    ok = read_stafd_fields (object, record, reason);
  else
    ok = read_stacd_fields (object, record, reason);
  return ok ? g_steal_pointer (&record) : NULL;
}

/* ---- reading: the document --------------------------------------------------------------------
 */

static StasState *
invalid_document (GError **error, char *reason)
{
  g_set_error_literal (error, STAS_STATE_ERROR, STAS_STATE_ERROR_INVALID, reason);
  g_free (reason);
  return NULL;
}

StasState *
stas_state_from_json (const char *text,
                      gsize length,
                      StasDaemonKind daemon,
                      const StasTidDefaults *defaults,
                      const char *path,
                      GPtrArray *diags,
                      GError **error)
{
  g_autoptr (StasJson) doc = NULL;
  g_autoptr (GError) json_error = NULL;
  g_autoptr (StasState) state = NULL;
  g_autoptr (GHashTable) seen = NULL;
  char *reason = NULL;
  const char *format, *daemon_name;
  StasJson *version, *controllers, *host;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  doc = stas_json_parse (text, length, MAX_DEPTH, &json_error);
  if (doc == NULL)
    return invalid_document (error, g_strdup_printf ("not JSON: %s", json_error->message));
  if (doc->kind != STAS_JSON_OBJECT)
    return invalid_document (error, g_strdup ("not a JSON object"));
  format = stas_json_object_get_string (doc, "format");
  if (g_strcmp0 (format, STAS_STATE_FORMAT) != 0)
    return invalid_document (error, g_strdup ("wrong or missing \"format\""));
  daemon_name = stas_json_object_get_string (doc, "daemon");
  if (g_strcmp0 (daemon_name, stas_daemon_kind_name (daemon)) != 0)
    return invalid_document (error, g_strdup ("wrong or missing \"daemon\""));
  version = stas_json_object_get (doc, "version");
  if (version == NULL || version->kind != STAS_JSON_INT)
    return invalid_document (error, g_strdup ("missing \"version\""));
  if (version->integer != STAS_STATE_VERSION)
    return invalid_document (
        error, g_strdup_printf ("unsupported version %" G_GINT64_FORMAT, version->integer));
  controllers = stas_json_object_get (doc, "controllers");
  if (controllers == NULL || controllers->kind != STAS_JSON_ARRAY)
    return invalid_document (error, g_strdup ("no \"controllers\" array"));

  /* informative only: kept when well-formed, never a reason to reject the file */
  host = stas_json_object_get (doc, "host");
  state = stas_state_new (daemon, stas_json_object_get_string (host, "nqn"),
                          stas_json_object_get_string (host, "id"));
  state->written = g_strdup (stas_json_object_get_string (doc, "written"));

  seen = g_hash_table_new (stas_tid_hash, stas_tid_equal);
  for (guint i = 0; i < controllers->items->len; i++)
    {
      StasStateRecord *record;

      reason = NULL;
      record =
          record_from_json (g_ptr_array_index (controllers->items, i), daemon, defaults, &reason);
      if (record != NULL && g_hash_table_contains (seen, record->tid))
        {
          reason = g_strdup_printf ("duplicate controller %s", stas_tid_to_string (record->tid));
          g_clear_pointer (&record, stas_state_record_free);
        }
      if (record == NULL)
        {
          stas_diags_add (diags, STAS_LOG_WARNING, "Ignoring invalid record %u in %s: %s", i,
                          path != NULL ? path : "state file", reason);
          g_free (reason);
          continue;
        }
      g_hash_table_add (seen, record->tid);
      stas_state_add_record (state, record);
    }
  return g_steal_pointer (&state);
}

static void
set_aside (const char *path, GPtrArray *diags)
{
  g_autofree char *invalid = g_strconcat (path, ".invalid", NULL);

  if (rename (path, invalid) != 0 && errno != ENOENT)
    stas_diags_add (diags, STAS_LOG_DEBUG, "Cannot rename %s to %s: %s", path, invalid,
                    g_strerror (errno));
}

StasState *
stas_state_read (const char *path,
                 StasDaemonKind daemon,
                 const StasTidDefaults *defaults,
                 GPtrArray *diags)
{
  g_autofree char *dir = NULL;
  g_autofree char *pickle = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  gsize length = 0;
  StasState *state;

  g_return_val_if_fail (path != NULL, NULL);

  dir = g_path_get_dirname (path);
  pickle = g_build_filename (dir, STAS_STATE_PICKLE_NAME, NULL);
  if (g_file_test (pickle, G_FILE_TEST_EXISTS))
    stas_diags_add (diags, STAS_LOG_INFO, "Ignoring nvme-stas state file %s", pickle);

  if (!g_file_get_contents (path, &text, &length, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        stas_diags_add (diags, STAS_LOG_DEBUG, "No last known config %s", path);
      else
        {
          stas_diags_add (diags, STAS_LOG_WARNING, "Ignoring last known config %s: %s", path,
                          error->message);
          set_aside (path, diags);
        }
      return stas_state_new (daemon, NULL, NULL);
    }

  state = stas_state_from_json (text, length, daemon, defaults, path, diags, &error);
  if (state == NULL)
    {
      stas_diags_add (diags, STAS_LOG_WARNING, "Ignoring last known config %s: %s", path,
                      error->message);
      set_aside (path, diags);
      return stas_state_new (daemon, NULL, NULL);
    }
  return state;
}
