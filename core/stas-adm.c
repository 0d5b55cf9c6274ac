/* stas-adm.c — host NQN / host ID generation and sys.conf editing for stasadm
 * (spec/cli.md §5). */
#include "config.h"

#include "stas-adm.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stas-ini.h"
#include "stas-ip.h"

#define FILE_PREFIX "file://"
#define HOST_SECTION "Host"
#define APP_KEY "$nvmexpress.org$"

/* ---- UUID sources (§5.2) --------------------------------------------------------- */

static char *
format_uuid (const guint8 b[16])
{
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                          b[12], b[13], b[14], b[15]);
}

char *
stas_adm_machine_app_uuid (const char *machine_id)
{
  guint8 id[16];
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  GHmac *hmac;

  if (machine_id == NULL || strlen (machine_id) != 32)
    return NULL;
  for (int i = 0; i < 16; i++)
    {
      int hi = g_ascii_xdigit_value (machine_id[2 * i]);
      int lo = g_ascii_xdigit_value (machine_id[2 * i + 1]);
      if (hi < 0 || lo < 0)
        return NULL;
      id[i] = (guint8) (hi << 4 | lo);
    }

  /* keyed with the application ID, as nvme-stas does */
  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) APP_KEY, strlen (APP_KEY));
  g_hmac_update (hmac, id, sizeof id);
  g_hmac_get_digest (hmac, digest, &digest_len);
  g_hmac_unref (hmac);

  digest[6] = (digest[6] & 0x0f) | 0x40; /* version 4 */
  digest[8] = (digest[8] & 0x3f) | 0x80; /* RFC 4122 variant */
  return format_uuid (digest);
}

char *
stas_adm_dmi_uuid_swap (const char *dmi_uuid)
{
  static const int order[] = { 6, 7, 4, 5, 2, 3, 0, 1, 8, 11, 12, 9, 10, 13, 16, 17, 14, 15 };
  GString *out;

  if (!stas_uuid_is_valid (dmi_uuid))
    return NULL;
  out = g_string_sized_new (36);
  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    g_string_append_c (out, dmi_uuid[order[i]]);
  g_string_append (out, dmi_uuid + 18);
  return g_string_free (out, FALSE);
}

/* The first line of @path, trimmed; NULL if unreadable. */
static char *
read_first_line (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;
  int errnum;

  if (path == NULL || !stas_ini_read_file (path, &data, &len, &errnum))
    return NULL;
  /* device-tree strings end with a NUL, which ends the C string too */
  data[strcspn (data, "\n")] = '\0';
  return g_strdup (g_strstrip (data));
}

static char *
uuid_from_file (const char *path)
{
  g_autofree char *text = read_first_line (path);
  return stas_uuid_is_valid (text) ? g_steal_pointer (&text) : NULL;
}

static char *
set_source (StasAdmUuidSource *source, StasAdmUuidSource value, char *uuid)
{
  if (source != NULL)
    *source = value;
  return uuid;
}

char *
stas_adm_system_uuid (const StasAdmSystem *sys, StasAdmUuidSource *source, GError **error)
{
  g_autofree char *machine_id = read_first_line (sys->machine_id);
  g_autofree char *dmi = NULL;
  char *uuid;

  uuid = stas_adm_machine_app_uuid (machine_id);
  if (uuid != NULL)
    return set_source (source, STAS_ADM_UUID_MACHINE_ID, uuid);

  if (!sys->is_root)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           STAS_ADM_NOT_ROOT_MESSAGE);
      return NULL;
    }

  dmi = uuid_from_file (sys->product_uuid);
  uuid = stas_adm_dmi_uuid_swap (dmi);
  if (uuid != NULL)
    return set_source (source, STAS_ADM_UUID_DMI, uuid);

  uuid = uuid_from_file (sys->partition_uuid);
  if (uuid != NULL)
    return set_source (source, STAS_ADM_UUID_PARTITION, uuid);

  return set_source (source, STAS_ADM_UUID_RANDOM, g_uuid_string_random ());
}

char *
stas_adm_host_nqn_new (const StasAdmSystem *sys, GError **error)
{
  g_autofree char *uuid = stas_adm_system_uuid (sys, NULL, error);
  return uuid != NULL ? g_strconcat (STAS_ADM_NQN_UUID_PREFIX, uuid, NULL) : NULL;
}

/* ---- the current host NQN ---------------------------------------------------------- */

static void
set_file_error (GError **error, const char *path, int errnum)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errnum), "%s: %s", path,
               g_strerror (errnum));
}

/* Reads @path; a missing file is empty contents with *@missing set. */
static gboolean
read_conf (const char *path, char **data, gsize *len, gboolean *missing, GError **error)
{
  int errnum;

  *missing = FALSE;
  if (stas_ini_read_file (path, data, len, &errnum))
    return TRUE;
  if (errnum != ENOENT)
    {
      set_file_error (error, path, errnum);
      return FALSE;
    }
  *missing = TRUE;
  *data = g_strdup ("");
  *len = 0;
  return TRUE;
}

static GPtrArray *
parse_host_entries (const char *data, gsize len)
{
  static const char *const sections[] = { HOST_SECTION, NULL };
  g_autoptr (StasIniDiags) diags = stas_ini_diags_new ("sys.conf");
  GPtrArray *entries = stas_ini_parse (data, len, sections, NULL, diags);

  stas_ini_diags_flush (diags, NULL); /* the daemons report these, not stasadm */
  return entries;
}

/* The [Host] nqn value of @conf_file (last one wins), NULL if none. */
static gboolean
conf_host_nqn (const char *conf_file, char **value, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  gboolean missing;
  gsize len;

  *value = NULL;
  if (conf_file == NULL || *conf_file == '\0')
    return TRUE;
  if (!read_conf (conf_file, &data, &len, &missing, error))
    return FALSE;
  entries = parse_host_entries (data, len);
  for (guint i = 0; i < entries->len; i++)
    {
      const StasIniEntry *e = g_ptr_array_index (entries, i);
      if (!e->continuation && strcmp (e->key, "nqn") == 0)
        {
          g_free (*value);
          *value = g_strdup (e->value);
        }
    }
  return TRUE;
}

/* The UUID of a ...:uuid:<UUID> host NQN given as a sys.conf value (spec/config.md §5.2). */
static char *
uuid_of_host_nqn (const char *value)
{
  g_autofree char *nqn = NULL;
  const char *uuid;

  if (g_str_has_prefix (value, FILE_PREFIX))
    {
      nqn = read_first_line (value + strlen (FILE_PREFIX));
      if (nqn == NULL)
        return NULL;
      nqn[strcspn (nqn, " \t\r\v\f")] = '\0'; /* the first word */
    }
  else
    nqn = g_strdup (value);

  if (!g_str_has_prefix (nqn, STAS_ADM_NQN_UUID_PREFIX))
    return NULL;
  uuid = nqn + strlen (STAS_ADM_NQN_UUID_PREFIX);
  return stas_uuid_is_valid (uuid) ? g_strdup (uuid) : NULL;
}

char *
stas_adm_host_id_new (const StasAdmSystem *sys,
                      const char *conf_file,
                      const char *hostnqn_file,
                      StasAdmUuidSource *source,
                      GError **error)
{
  g_autofree char *value = NULL;
  g_autoptr (GError) local = NULL;
  char *uuid;

  if (!conf_host_nqn (conf_file, &value, error))
    return NULL;
  if (value == NULL && hostnqn_file != NULL)
    value = g_strconcat (FILE_PREFIX, hostnqn_file, NULL);
  if (value != NULL && (uuid = uuid_of_host_nqn (value)) != NULL)
    return set_source (source, STAS_ADM_UUID_HOST_NQN, uuid);

  /* not root and no machine ID: a random ID rather than a failure (nvme-stas always
   * generated a random one) */
  uuid = stas_adm_system_uuid (sys, source, &local);
  if (uuid != NULL)
    return uuid;
  return set_source (source, STAS_ADM_UUID_RANDOM, g_uuid_string_random ());
}

gboolean
stas_adm_symname_is_valid (const char *symname)
{
  if (symname == NULL || *symname == '\0' || !g_utf8_validate (symname, -1, NULL))
    return FALSE;
  for (const char *p = symname; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isprint (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* ---- in-place editing (§5.3, D-65) --------------------------------------------------- */

typedef struct
{
  gsize start;    /* offset of the line */
  gsize text_len; /* without the terminator ("\n" or "\r\n") */
  gsize full_len; /* with it */
  gboolean header;
  gboolean host; /* a [Host] header (case-insensitive, as the parser accepts it) */
} Line;

/* Classifies a line the way stas_ini_parse() does: only valid lines that start with '['
 * after whitespace are headers. */
static void
classify_line (Line *line, const char *data, gboolean first)
{
  g_autofree char *text = NULL;
  const char *close;
  gsize skip = 0;

  if (first && line->text_len >= 3 && memcmp (data + line->start, "\xEF\xBB\xBF", 3) == 0)
    skip = 3;
  if (memchr (data + line->start, '\0', line->text_len) != NULL)
    return;
  text = g_strndup (data + line->start + skip, line->text_len - skip);
  if (!g_utf8_validate (text, -1, NULL))
    return;
  g_strstrip (text);
  if (*text != '[')
    return;
  line->header = TRUE;
  close = strchr (text, ']');
  line->host = close != NULL && (gsize) (close - text - 1) == strlen (HOST_SECTION) &&
               g_ascii_strncasecmp (text + 1, HOST_SECTION, strlen (HOST_SECTION)) == 0;
}

static GArray *
split_lines (const char *data, gsize len)
{
  GArray *lines = g_array_new (FALSE, TRUE, sizeof (Line));
  gsize pos = 0;

  while (pos < len)
    {
      const char *nl = memchr (data + pos, '\n', len - pos);
      Line line = { .start = pos };

      line.full_len = nl != NULL ? (gsize) (nl - (data + pos)) + 1 : len - pos;
      line.text_len = line.full_len - (nl != NULL ? 1 : 0);
      if (line.text_len > 0 && data[pos + line.text_len - 1] == '\r')
        line.text_len--;
      classify_line (&line, data, pos == 0);
      g_array_append_val (lines, line);
      pos += line.full_len;
    }
  return lines;
}

static gsize
indent_len (const char *text, gsize len)
{
  gsize n = 0;
  while (n < len && g_ascii_isspace (text[n]))
    n++;
  return n;
}

static gboolean
line_is_blank (const char *data, const Line *line)
{
  return indent_len (data + line->start, line->text_len) == line->text_len;
}

/* "<indent><key> = <value><terminator>" */
static void
append_key_line (GString *out,
                 const char *indent,
                 gsize indent_n,
                 const char *key,
                 const char *value,
                 const char *term)
{
  g_string_append_len (out, indent, indent_n);
  g_string_append_printf (out, "%s = %s%s", key, value, term);
}

typedef struct
{
  guint first_host;    /* 1-based line of the first [Host] header, 0 if none */
  guint first_end;     /* first line after that section */
  guint target;        /* the key line to replace, 0 if none */
  guint last_entry;    /* last entry line of the first [Host] section, 0 if none */
  guint last_key_line; /* its key line */
  gboolean *drop;      /* [line] to remove, 1-based */
} EditPlan;

static void
plan_edit (EditPlan *plan, GArray *lines, GPtrArray *entries, const char *key)
{
  guint n = lines->len;

  for (guint i = 0; i < n; i++)
    {
      const Line *l = &g_array_index (lines, Line, i);
      if (!l->header)
        continue;
      if (plan->first_host != 0)
        {
          plan->first_end = i + 1;
          break;
        }
      if (l->host)
        {
          plan->first_host = i + 1;
          plan->first_end = n + 1;
        }
    }

  for (guint i = 0; i < entries->len; i++)
    {
      const StasIniEntry *e = g_ptr_array_index (entries, i);
      gboolean in_first = e->line > plan->first_host && e->line < plan->first_end;

      if (in_first)
        {
          plan->last_entry = e->line;
          plan->last_key_line = e->key_line;
        }
      if (strcmp (e->key, key) != 0)
        continue;
      if (!e->continuation && in_first && plan->target == 0)
        plan->target = e->line;
      else if (e->continuation || e->key_line != plan->target)
        plan->drop[e->line] = TRUE; /* later lines and every continuation line */
    }
}

char *
stas_adm_edit_host_key (
    const char *data, gsize len, const char *key, const char *value, gsize *out_len)
{
  g_autoptr (GArray) lines = split_lines (data, len);
  g_autoptr (GPtrArray) entries = parse_host_entries (data, len);
  g_autofree gboolean *drop = g_new0 (gboolean, lines->len + 2);
  EditPlan plan = { .drop = drop };
  GString *out = g_string_sized_new (len + 64);

  plan_edit (&plan, lines, entries, key);
  if (value == NULL && plan.target != 0)
    drop[plan.target] = TRUE;

  for (guint i = 1; i <= lines->len; i++)
    {
      const Line *l = &g_array_index (lines, Line, i - 1);
      const char *text = data + l->start;
      const char *term = text + l->text_len;
      gsize term_n = l->full_len - l->text_len;

      if (drop[i])
        continue;
      if (value != NULL && i == plan.target)
        {
          g_autofree char *t = g_strndup (term, term_n);
          append_key_line (out, text, indent_len (text, l->text_len), key, value, t);
          continue;
        }
      g_string_append_len (out, text, l->full_len);
      if (value != NULL && plan.target == 0 && plan.first_host != 0 &&
          i == (plan.last_entry != 0 ? plan.last_entry : plan.first_host))
        {
          /* after the last entry, indented like its key line so nothing changes meaning */
          const char *indent = "";
          gsize indent_n = 0;

          if (plan.last_entry != 0)
            {
              const Line *kl = &g_array_index (lines, Line, plan.last_key_line - 1);
              indent = data + kl->start;
              indent_n = indent_len (indent, kl->text_len);
            }
          if (term_n == 0)
            g_string_append (out, "\n");
          append_key_line (out, indent, indent_n, key, value, term_n == 2 ? "\r\n" : "\n");
        }
    }

  if (value != NULL && plan.first_host == 0)
    {
      if (lines->len > 0)
        {
          const Line *last = &g_array_index (lines, Line, lines->len - 1);
          if (last->full_len == last->text_len)
            g_string_append (out, "\n");
          if (!line_is_blank (data, last))
            g_string_append (out, "\n");
        }
      g_string_append (out, "[" HOST_SECTION "]\n");
      append_key_line (out, "", 0, key, value, "\n");
    }

  *out_len = out->len;
  return g_string_free (out, FALSE);
}

/* ---- atomic writes --------------------------------------------------------------- */

static gboolean
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      ssize_t w = write (fd, data, len);
      if (w < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      data += w;
      len -= (gsize) w;
    }
  return TRUE;
}

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

/* Writes the temporary file @tmp (open on @fd) and gives it the mode and owner. */
static gboolean
fill_temp (int fd, const char *data, gsize len, const struct stat *old)
{
  struct stat st;

  if (!write_all (fd, data, len))
    return FALSE;
  if (fchmod (fd, old != NULL ? (old->st_mode & 07777) : 0644) < 0)
    return FALSE;
  if (old != NULL && fstat (fd, &st) == 0 && (st.st_uid != old->st_uid || st.st_gid != old->st_gid))
    {
      if (fchown (fd, old->st_uid, old->st_gid) < 0)
        return FALSE;
      /* chown may clear set-id bits */
      if (fchmod (fd, old->st_mode & 07777) < 0)
        return FALSE;
    }
  return fsync (fd) == 0;
}

gboolean
stas_adm_write_file (const char *path, const char *data, gsize len, GError **error)
{
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  struct stat st;
  gboolean exists;
  int fd;

  /* write through a symbolic link rather than replace it */
  target = realpath (path, NULL);
  if (target == NULL)
    target = g_strdup (path);

  exists = stat (target, &st) == 0;
  if (exists && !S_ISREG (st.st_mode))
    {
      set_file_error (error, path, S_ISDIR (st.st_mode) ? EISDIR : EINVAL);
      return FALSE;
    }

  dir = g_path_get_dirname (target);
  base = g_path_get_basename (target);
  tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_file_error (error, path, errno);
      return FALSE;
    }

  if (!fill_temp (fd, data, len, exists ? &st : NULL))
    {
      int errnum = errno;
      close (fd);
      unlink (tmp);
      set_file_error (error, path, errnum);
      return FALSE;
    }
  if (close (fd) < 0 || rename (tmp, target) < 0)
    {
      int errnum = errno;
      unlink (tmp);
      set_file_error (error, path, errnum);
      return FALSE;
    }
  sync_dir (dir);
  return TRUE;
}

/* ---- save (§5.1) ------------------------------------------------------------------- */

/* Serialises read-modify-write cycles of the configuration file (stas-config@hostnqn and
 * stas-config@hostid run in parallel). The lock is on the directory because the file is
 * replaced by rename. Best effort: returns -1 when the directory cannot be opened (the
 * write then reports the problem). */
static int
lock_dir_of (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    while (flock (fd, LOCK_EX) < 0 && errno == EINTR)
      ;
  return fd;
}

static gboolean
save_locked (
    const char *conf_file, const char *key, const char *value, const char *file, GError **error)
{
  g_autofree char *data = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *conf_value = NULL;
  gboolean missing = TRUE;
  gboolean update = FALSE;
  gsize len = 0, edited_len = 0;

  if (conf_file != NULL)
    {
      /* read first: an unreadable configuration file fails before anything is written */
      if (!read_conf (conf_file, &data, &len, &missing, error))
        return FALSE;
      conf_value = file != NULL ? g_strconcat (FILE_PREFIX, file, NULL) : g_strdup (value);
      edited = stas_adm_edit_host_key (data, len, key, conf_value, &edited_len);
      /* clear-symname does not create a missing file */
      update = (missing && value != NULL) || edited_len != len || memcmp (edited, data, len) != 0;
    }

  if (file != NULL && value != NULL)
    {
      g_autofree char *content = g_strconcat (value, "\n", NULL);
      if (!stas_adm_write_file (file, content, strlen (content), error))
        return FALSE;
    }
  if (update)
    return stas_adm_write_file (conf_file, edited, edited_len, error);
  return TRUE;
}

gboolean
stas_adm_save (
    const char *conf_file, const char *key, const char *value, const char *file, GError **error)
{
  gboolean ok;
  int lock = -1;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (value != NULL || file == NULL, FALSE);

  if (conf_file != NULL && *conf_file == '\0')
    conf_file = NULL;
  if (conf_file != NULL)
    lock = lock_dir_of (conf_file);
  ok = save_locked (conf_file, key, value, file, error);
  if (lock >= 0)
    close (lock);
  return ok;
}
