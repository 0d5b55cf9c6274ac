/* stas-ini.h — the INI line parser shared by stafd.conf, stacd.conf and sys.conf
 * (spec/config.md §2.1–§2.3). GKeyFile is not usable: it rejects ';' comments and bare
 * keys and cannot return repeated keys. */
#pragma once

#include <glib.h>

#include "stas-log.h"

G_BEGIN_DECLS

/* Diagnostics collected while a file is processed. They are kept with the line they refer
 * to and handed over sorted by line (stable), so the caller sees them in file order
 * whatever pass produced them. */
typedef struct _StasIniDiags StasIniDiags;

StasIniDiags *stas_ini_diags_new (const char *file);
void stas_ini_diags_free (StasIniDiags *diags);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasIniDiags, stas_ini_diags_free)
const char *stas_ini_diags_get_file (const StasIniDiags *diags);
/* "<file>:<line>: " + text */
void stas_ini_diags_add (StasIniDiags *diags, guint line, StasLogLevel level, const char *fmt, ...)
    G_GNUC_PRINTF (4, 5);
/* text as is, sorted as if it were at @line (0: before every line) */
void
stas_ini_diags_add_plain (StasIniDiags *diags, guint line, StasLogLevel level, const char *fmt, ...)
    G_GNUC_PRINTF (4, 5);
/* Appends everything, sorted by line, to @out (a StasDiag array) and empties @diags. */
void stas_ini_diags_flush (StasIniDiags *diags, GPtrArray *out);

/* One key line, or one continuation line of a key, in a known section. */
typedef struct
{
  char *section;  /* canonical name from the caller's table */
  char *key;      /* trimmed, lower-case */
  char *value;    /* trimmed, inline comment removed (§2.2) */
  guint line;     /* 1-based line of this text */
  guint key_line; /* line of the key this continues (== line for key lines) */
  gboolean continuation;
  gboolean continued; /* key lines: at least one continuation line follows */
} StasIniEntry;

void stas_ini_entry_free (StasIniEntry *entry);

/* Parses @data (@len bytes). @sections: the known section names (NULL-terminated).
 * @list_keys: keys whose values are ';'-separated field lists (controller, exclude,
 * blacklist): inline comments there start only at whitespace + '#'. Syntax problems are
 * added to @diags. Returns the entries of the known sections in file order
 * (StasIniEntry, owned). */
GPtrArray *stas_ini_parse (const char *data,
                           gsize len,
                           const char *const *sections,
                           const char *const *list_keys,
                           StasIniDiags *diags);

/* Removes an inline comment (§2.2) from the trimmed value @value, in place. A list value
 * that starts with '#' is all comment. */
void stas_ini_strip_comment (char *value, gboolean list_value);

/* Reads a whole file. On failure returns FALSE and the errno value in @errnum
 * (ENOENT for a missing file, EISDIR for a directory, EFBIG above 16 MiB). */
gboolean stas_ini_read_file (const char *path, char **data, gsize *len, int *errnum);

G_END_DECLS
