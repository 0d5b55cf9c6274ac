/* stas-ini.c — INI line parser (spec/config.md §2.1–§2.3). */
#include "config.h"

#include "stas-ini.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILE_SIZE (16 * 1024 * 1024)

/* ---- diagnostics -------------------------------------------------------------- */

typedef struct
{
  guint line;
  StasLogLevel level;
  char *text; /* (owned) */
} LineDiag;

struct _StasIniDiags
{
  char *file;   /* (owned) */
  GArray *list; /* LineDiag */
};

static void
line_diag_clear (gpointer data)
{
  LineDiag *d = data;
  g_free (d->text);
}

StasIniDiags *
stas_ini_diags_new (const char *file)
{
  StasIniDiags *diags = g_new0 (StasIniDiags, 1);
  diags->file = g_strdup (file);
  diags->list = g_array_new (FALSE, FALSE, sizeof (LineDiag));
  g_array_set_clear_func (diags->list, line_diag_clear);
  return diags;
}

void
stas_ini_diags_free (StasIniDiags *diags)
{
  if (diags == NULL)
    return;
  g_array_unref (diags->list);
  g_free (diags->file);
  g_free (diags);
}

const char *
stas_ini_diags_get_file (const StasIniDiags *diags)
{
  return diags->file;
}

static void
diags_append (StasIniDiags *diags, guint line, StasLogLevel level, char *text)
{
  LineDiag d = { line, level, text };
  g_array_append_val (diags->list, d);
}

void
stas_ini_diags_add (StasIniDiags *diags, guint line, StasLogLevel level, const char *fmt, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  diags_append (diags, line, level, g_strdup_printf ("%s:%u: %s", diags->file, line, msg));
}

void
stas_ini_diags_add_plain (StasIniDiags *diags, guint line, StasLogLevel level, const char *fmt, ...)
{
  va_list args;

  va_start (args, fmt);
  diags_append (diags, line, level, g_strdup_vprintf (fmt, args));
  va_end (args);
}

static gint
cmp_line_diag (gconstpointer a, gconstpointer b)
{
  const LineDiag *da = a;
  const LineDiag *db = b;
  return (da->line > db->line) - (da->line < db->line);
}

void
stas_ini_diags_flush (StasIniDiags *diags, GPtrArray *out)
{
  /* g_array_sort() is a stable merge sort */
  g_array_sort (diags->list, cmp_line_diag);
  for (guint i = 0; i < diags->list->len; i++)
    {
      LineDiag *d = &g_array_index (diags->list, LineDiag, i);
      if (out != NULL)
        g_ptr_array_add (out, stas_diag_new (d->level, d->text));
    }
  g_array_set_size (diags->list, 0);
}

/* ---- entries -------------------------------------------------------------------- */

void
stas_ini_entry_free (StasIniEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->section);
  g_free (entry->key);
  g_free (entry->value);
  g_free (entry);
}

void
stas_ini_strip_comment (char *value, gboolean list_value)
{
  /* A comment starts at '#' (or ';' for single-valued keys) preceded by whitespace; the
   * first character is never "preceded by whitespace" (symname = #4), except that a list
   * value cannot start with '#' ("exclude = # comment" is an empty entry, §4.5). */
  if (list_value && *value == '#')
    {
      *value = '\0';
      return;
    }
  for (char *p = value + (*value != '\0' ? 1 : 0); *p != '\0'; p++)
    {
      if ((*p == '#' || (*p == ';' && !list_value)) && g_ascii_isspace (p[-1]))
        {
          *p = '\0';
          break;
        }
    }
  g_strchomp (value);
}

static gboolean
is_list_key (const char *key, const char *const *list_keys)
{
  return list_keys != NULL && g_strv_contains (list_keys, key);
}

static guint
indent_of (const char *line)
{
  guint n = 0;
  while (line[n] != '\0' && g_ascii_isspace (line[n]))
    n++;
  return n;
}

typedef struct
{
  const char *const *sections;
  const char *const *list_keys;
  StasIniDiags *diags;
  GPtrArray *entries;

  gboolean in_section;     /* a section header was seen */
  const char *section;     /* canonical name, NULL when the section is unknown */
  gboolean have_key;       /* the previous key line may take continuation lines */
  guint key_indent;        /* indentation of that key line */
  guint key_line;          /* its line */
  char *key;               /* its key (owned) */
  StasIniEntry *key_entry; /* its entry (unowned), NULL when not kept */
} Parser;

static void
parser_end_key (Parser *p)
{
  p->have_key = FALSE;
  g_clear_pointer (&p->key, g_free);
  p->key_entry = NULL;
}

static const char *
match_section (Parser *p, const char *name, gboolean *exact)
{
  for (guint i = 0; p->sections[i] != NULL; i++)
    if (strcmp (p->sections[i], name) == 0)
      {
        *exact = TRUE;
        return p->sections[i];
      }
  for (guint i = 0; p->sections[i] != NULL; i++)
    if (g_ascii_strcasecmp (p->sections[i], name) == 0)
      {
        *exact = FALSE;
        return p->sections[i];
      }
  return NULL;
}

static void
parse_header (Parser *p, guint lineno, const char *text)
{
  const char *close = strchr (text, ']');
  g_autofree char *name = NULL;
  gboolean exact = FALSE;

  parser_end_key (p);
  p->in_section = TRUE;
  if (close == NULL)
    {
      stas_ini_diags_add (p->diags, lineno, STAS_LOG_WARNING,
                          "malformed section header \"%s\", its entries are ignored", text);
      p->section = NULL;
      return;
    }

  name = g_strndup (text + 1, close - text - 1);
  {
    const char *rest = close + 1;
    while (g_ascii_isspace (*rest))
      rest++;
    /* a comment after the header is a comment (§2.2), anything else is an error */
    if (*rest != '\0' && !((*rest == '#' || *rest == ';') && rest != close + 1))
      stas_ini_diags_add (p->diags, lineno, STAS_LOG_WARNING,
                          "unexpected text \"%s\" after section header, ignored", rest);
  }

  p->section = match_section (p, name, &exact);
  if (p->section == NULL)
    stas_ini_diags_add (p->diags, lineno, STAS_LOG_WARNING,
                        "unknown section [%s], its entries are ignored", name);
  else if (!exact)
    stas_ini_diags_add (p->diags, lineno, STAS_LOG_WARNING, "section [%s] should be spelled [%s]",
                        name, p->section);
}

static void
parse_continuation (Parser *p, guint lineno, const char *text)
{
  StasIniEntry *entry;

  if (p->key_entry == NULL)
    return; /* continues an entry that is not kept */

  entry = g_new0 (StasIniEntry, 1);
  entry->section = g_strdup (p->key_entry->section);
  entry->key = g_strdup (p->key);
  entry->value = g_strdup (text);
  stas_ini_strip_comment (entry->value, is_list_key (p->key, p->list_keys));
  entry->line = lineno;
  entry->key_line = p->key_line;
  entry->continuation = TRUE;
  p->key_entry->continued = TRUE;
  g_ptr_array_add (p->entries, entry);
}

static void
parse_key_line (Parser *p, guint lineno, const char *line, const char *text)
{
  const char *eq;
  g_autofree char *key = NULL;
  StasIniEntry *entry;

  parser_end_key (p);
  if (!p->in_section)
    {
      stas_ini_diags_add (p->diags, lineno, STAS_LOG_WARNING,
                          "entry outside of any section, ignored");
      return;
    }
  if (p->section == NULL)
    {
      /* unknown section: its entries (and their continuations) are ignored silently */
      p->have_key = TRUE;
      p->key_indent = indent_of (line);
      p->key_line = lineno;
      return;
    }

  eq = strchr (text, '=');
  if (eq == NULL)
    {
      stas_ini_diags_add (p->diags, lineno, STAS_LOG_WARNING,
                          "\"%s\" is not a key=value pair, ignored", text);
      return;
    }
  key = g_strstrip (g_ascii_strdown (text, eq - text));
  if (*key == '\0')
    {
      stas_ini_diags_add (p->diags, lineno, STAS_LOG_WARNING, "missing key name, line ignored");
      return;
    }

  entry = g_new0 (StasIniEntry, 1);
  entry->section = g_strdup (p->section);
  entry->key = g_strdup (key);
  entry->value = g_strstrip (g_strdup (eq + 1));
  stas_ini_strip_comment (entry->value, is_list_key (key, p->list_keys));
  entry->line = lineno;
  entry->key_line = lineno;
  g_ptr_array_add (p->entries, entry);

  p->have_key = TRUE;
  p->key_indent = indent_of (line);
  p->key_line = lineno;
  p->key = g_steal_pointer (&key);
  p->key_entry = entry;
}

static void
parse_line (Parser *p, guint lineno, char *line)
{
  g_autofree char *text = NULL;

  if (!g_utf8_validate (line, -1, NULL))
    {
      stas_ini_diags_add (p->diags, lineno, STAS_LOG_WARNING, "invalid UTF-8, line ignored");
      return;
    }

  text = g_strstrip (g_strdup (line));
  if (*text == '\0')
    {
      parser_end_key (p); /* a blank line ends a multi-line value */
      return;
    }
  if (*text == '#' || *text == ';')
    return; /* comment lines do not end a multi-line value */

  if (*text == '[')
    parse_header (p, lineno, text);
  else if (p->have_key && indent_of (line) > p->key_indent)
    parse_continuation (p, lineno, text);
  else
    parse_key_line (p, lineno, line, text);
}

GPtrArray *
stas_ini_parse (const char *data,
                gsize len,
                const char *const *sections,
                const char *const *list_keys,
                StasIniDiags *diags)
{
  Parser p = { 0 };
  gsize pos = 0;
  guint lineno = 0;

  p.sections = sections;
  p.list_keys = list_keys;
  p.diags = diags;
  p.entries = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_ini_entry_free);

  /* a UTF-8 byte order mark is not part of the first line */
  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    pos = 3;

  while (pos < len)
    {
      const char *start = data + pos;
      const char *nl = memchr (start, '\n', len - pos);
      gsize n = nl != NULL ? (gsize) (nl - start) : len - pos;
      g_autofree char *line = NULL;

      lineno++;
      pos += n + (nl != NULL ? 1 : 0);
      if (n > 0 && start[n - 1] == '\r')
        n--;
      if (memchr (start, '\0', n) != NULL)
        {
          stas_ini_diags_add (diags, lineno, STAS_LOG_WARNING, "invalid UTF-8, line ignored");
          continue;
        }
      line = g_strndup (start, n);
      parse_line (&p, lineno, line);
    }

  parser_end_key (&p);
  return p.entries;
}

/* ---- files ---------------------------------------------------------------------- */

gboolean
stas_ini_read_file (const char *path, char **data, gsize *len, int *errnum)
{
  g_autoptr (GByteArray) buf = NULL;
  int fd;

  *data = NULL;
  *len = 0;
  *errnum = 0;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      *errnum = errno;
      return FALSE;
    }

  buf = g_byte_array_new ();
  for (;;)
    {
      guint8 chunk[8192];
      ssize_t r = read (fd, chunk, sizeof chunk);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          *errnum = errno;
          close (fd);
          return FALSE;
        }
      if (r == 0)
        break;
      if (buf->len + (gsize) r > MAX_FILE_SIZE)
        {
          *errnum = EFBIG;
          close (fd);
          return FALSE;
        }
      g_byte_array_append (buf, chunk, (guint) r);
    }
  close (fd);

  *len = buf->len;
  g_byte_array_append (buf, (const guint8 *) "", 1);
  *data = (char *) g_byte_array_free (g_steal_pointer (&buf), FALSE);
  return TRUE;
}
