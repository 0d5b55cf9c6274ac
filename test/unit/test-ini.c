/* test-ini.c — the INI line parser (spec/config.md §2.1–§2.3, [CFG-2]..[CFG-4]). */
#include "config.h"

#include "test-util.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "stas-ini.h"
#include "stas-log.h"

#define FILE_NAME "/etc/stas/test.conf"

static const char *const sections[] = { "Global", "Controllers",
                                        "I/O controller connection management", NULL };
static const char *const list_keys[] = { "controller", "exclude", "blacklist", NULL };

typedef struct
{
  GPtrArray *entries;
  GPtrArray *diags;
} Parsed;

static void
parsed_clear (Parsed *p)
{
  g_clear_pointer (&p->entries, g_ptr_array_unref);
  g_clear_pointer (&p->diags, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parsed, parsed_clear)

static void
parse_len (Parsed *p, const char *text, gsize len)
{
  g_autoptr (StasIniDiags) d = stas_ini_diags_new (FILE_NAME);
  p->entries = stas_ini_parse (text, len, sections, list_keys, d);
  p->diags = stas_diags_new ();
  stas_ini_diags_flush (d, p->diags);
}

static void
parse (Parsed *p, const char *text)
{
  parse_len (p, text, strlen (text));
}

static StasIniEntry *
entry (Parsed *p, guint i)
{
  g_assert_cmpuint (i, <, p->entries->len);
  return g_ptr_array_index (p->entries, i);
}

static void
assert_entry (
    Parsed *p, guint i, const char *section, const char *key, const char *value, guint line)
{
  StasIniEntry *e = entry (p, i);
  g_assert_cmpstr (e->section, ==, section);
  g_assert_cmpstr (e->key, ==, key);
  g_assert_cmpstr (e->value, ==, value);
  g_assert_cmpuint (e->line, ==, line);
}

/* [CFG-2] comment lines: '#' or ';' as first non-blank character, also indented. */
static void
test_comment_lines (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "# comment\n; comment\n[Global]\n   # indented\n\t; tab\nkato = 30\n");
  ASSERT_NO_DIAGS (p.diags);
  g_assert_cmpuint (p.entries->len, ==, 1);
  assert_entry (&p, 0, "Global", "kato", "30", 6);
}

/* [CFG-2] blank lines are ignored; CR before LF is removed; a final line without LF. */
static void
test_blank_and_crlf (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[Global]\r\n\r\n   \r\nkato = 30\r\ntron=true");
  ASSERT_NO_DIAGS (p.diags);
  g_assert_cmpuint (p.entries->len, ==, 2);
  assert_entry (&p, 0, "Global", "kato", "30", 4);
  assert_entry (&p, 1, "Global", "tron", "true", 5);
}

/* [CFG-2] a section name is taken verbatim (inner spaces), surrounded by whitespace. */
static void
test_section_verbatim (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "  [I/O controller connection management]  \ndisconnect-scope=no-disconnect\n");
  ASSERT_NO_DIAGS (p.diags);
  assert_entry (&p, 0, "I/O controller connection management", "disconnect-scope", "no-disconnect",
                2);
}

/* [CFG-2] [D-11] a section matching only case-insensitively is used, with a warning. */
static void
test_section_case (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[controllers]\ncontroller=transport=tcp\n");
  ASSERT_DIAGS (p.diags,
                "W " FILE_NAME ":1: section [controllers] should be spelled [Controllers]");
  assert_entry (&p, 0, "Controllers", "controller", "transport=tcp", 2);
}

/* [CFG-2] an unknown section: warning, its entries (and their continuations) ignored. */
static void
test_section_unknown (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[Foo]\na=1\n  continued\n[Global]\nkato=1\n");
  ASSERT_DIAGS (p.diags, "W " FILE_NAME ":1: unknown section [Foo], its entries are ignored");
  g_assert_cmpuint (p.entries->len, ==, 1);
  assert_entry (&p, 0, "Global", "kato", "1", 5);
}

/* [CFG-2] repeated sections are merged in file order. */
static void
test_section_repeated (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[Global]\nkato=1\n[Controllers]\ncontroller=a=1\n[Global]\ntron=true\n");
  ASSERT_NO_DIAGS (p.diags);
  g_assert_cmpuint (p.entries->len, ==, 3);
  assert_entry (&p, 0, "Global", "kato", "1", 2);
  assert_entry (&p, 1, "Controllers", "controller", "a=1", 4);
  assert_entry (&p, 2, "Global", "tron", "true", 6);
}

/* [CFG-2] text after ']' is a warning and ignored; a comment after it is a comment. */
static void
test_section_trailing_text (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[Global] junk\nkato=1\n[Controllers]   # a comment\n");
  ASSERT_DIAGS (p.diags,
                "W " FILE_NAME ":1: unexpected text \"junk\" after section header, ignored");
  assert_entry (&p, 0, "Global", "kato", "1", 2);
}

/* [CFG-2] a header without ']' ignores its section. */
static void
test_section_malformed (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[Global\nkato=1\n");
  ASSERT_DIAGS (p.diags,
                "W " FILE_NAME ":1: malformed section header \"[Global\", its entries are ignored");
  g_assert_cmpuint (p.entries->len, ==, 0);
}

/* [CFG-2] key split at the first '=', trimmed, lower-cased; value trimmed. */
static void
test_key_split (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[Global]\n  KATO   =   a=b=c  \nIP-Family=IPv4\n");
  ASSERT_NO_DIAGS (p.diags);
  assert_entry (&p, 0, "Global", "kato", "a=b=c", 2);
  assert_entry (&p, 1, "Global", "ip-family", "IPv4", 3);
}

/* [CFG-2] no interpolation: '%' and '$' are plain characters. */
static void
test_no_interpolation (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[Global]\nx = %(kato)s ${y} 100%\n");
  ASSERT_NO_DIAGS (p.diags);
  assert_entry (&p, 0, "Global", "x", "%(kato)s ${y} 100%", 2);
}

/* [CFG-2] [D-06] a key before any section: warning, the rest of the file is used. */
static void
test_outside_section (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "kato=30\nbare\n[Global]\ntron=true\n");
  ASSERT_DIAGS (p.diags, "W " FILE_NAME ":1: entry outside of any section, ignored",
                "W " FILE_NAME ":2: entry outside of any section, ignored");
  g_assert_cmpuint (p.entries->len, ==, 1);
  assert_entry (&p, 0, "Global", "tron", "true", 4);
}

/* [CFG-2] [D-03] a bare key is a warning, never a value. */
static void
test_bare_key (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[Global]\nkato\n  tron  \nx=1\n");
  ASSERT_DIAGS (p.diags, "W " FILE_NAME ":2: \"kato\" is not a key=value pair, ignored",
                "W " FILE_NAME ":3: \"tron\" is not a key=value pair, ignored");
  g_assert_cmpuint (p.entries->len, ==, 1);
  assert_entry (&p, 0, "Global", "x", "1", 4);
}

/* [CFG-2] "= value": missing key name. */
static void
test_empty_key (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[Global]\n  = 30\n");
  ASSERT_DIAGS (p.diags, "W " FILE_NAME ":2: missing key name, line ignored");
  g_assert_cmpuint (p.entries->len, ==, 0);
}

/* [CFG-2] [D-06] a line that is not valid UTF-8 (or holds a NUL) is ignored, the rest used. */
static void
test_invalid_utf8 (void)
{
  static const char text[] = "[Global]\nkato=\xff\xfe\ntron=true\nx=a\0b\nsymname=caf\xc3\xa9\n";
  g_auto (Parsed) p = { 0 };

  parse_len (&p, text, sizeof text - 1);
  ASSERT_DIAGS (p.diags, "W " FILE_NAME ":2: invalid UTF-8, line ignored",
                "W " FILE_NAME ":4: invalid UTF-8, line ignored");
  g_assert_cmpuint (p.entries->len, ==, 2);
  assert_entry (&p, 0, "Global", "tron", "true", 3);
  assert_entry (&p, 1, "Global", "symname", "caf\xc3\xa9", 5);
}

/* A UTF-8 byte order mark does not break the first section header. */
static void
test_bom (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "\xEF\xBB\xBF[Global]\nkato=1\n");
  ASSERT_NO_DIAGS (p.diags);
  assert_entry (&p, 0, "Global", "kato", "1", 2);
}

/* [CFG-3] [D-02] single-valued keys: '#' or ';' preceded by whitespace starts a comment. */
static void
test_inline_comment_single (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[Global]\n"
             "kato = 30            # keep-alive\n"
             "ip-family = ipv4     ; IPv4 only\n"
             "symname=rack#4\n"
             "a = x;y\n"
             "b = #4\n"
             "c = ;4 ; x\n"
             "d = v\t#tab\n");
  ASSERT_NO_DIAGS (p.diags);
  assert_entry (&p, 0, "Global", "kato", "30", 2);
  assert_entry (&p, 1, "Global", "ip-family", "ipv4", 3);
  assert_entry (&p, 2, "Global", "symname", "rack#4", 4);
  assert_entry (&p, 3, "Global", "a", "x;y", 5);
  assert_entry (&p, 4, "Global", "b", "#4", 6);
  assert_entry (&p, 5, "Global", "c", ";4", 7);
  assert_entry (&p, 6, "Global", "d", "v", 8);
}

/* [CFG-3] controller/exclude/blacklist: only whitespace + '#'; ';' separates fields. */
static void
test_inline_comment_list (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[Controllers]\n"
             "controller = transport=tcp ; traddr=1.2.3.4   # comment\n"
             "exclude = host-iface=eth9 # everything on eth9\n"
             "blacklist = a=1 ;b=2\n"
             "exclude = # only a comment\n");
  ASSERT_NO_DIAGS (p.diags);
  assert_entry (&p, 0, "Controllers", "controller", "transport=tcp ; traddr=1.2.3.4", 2);
  assert_entry (&p, 1, "Controllers", "exclude", "host-iface=eth9", 3);
  assert_entry (&p, 2, "Controllers", "blacklist", "a=1 ;b=2", 4);
  assert_entry (&p, 3, "Controllers", "exclude", "", 5);
}

static void
test_strip_comment (void)
{
  char a[] = "x # y";
  char b[] = "x ; y";
  char c[] = "x ; y";
  char d[] = "#x";
  char e[] = "";
  char f[] = "# x";

  stas_ini_strip_comment (a, TRUE);
  stas_ini_strip_comment (b, TRUE);
  stas_ini_strip_comment (c, FALSE);
  stas_ini_strip_comment (d, FALSE);
  stas_ini_strip_comment (e, FALSE);
  stas_ini_strip_comment (f, TRUE);
  g_assert_cmpstr (a, ==, "x");
  g_assert_cmpstr (b, ==, "x ; y");
  g_assert_cmpstr (c, ==, "x");
  g_assert_cmpstr (d, ==, "#x");
  g_assert_cmpstr (e, ==, "");
  g_assert_cmpstr (f, ==, ""); /* a list value never starts with '#' */
}

/* [CFG-4] a line indented more than its key line continues it; comments in between are
 * skipped; a blank line ends the value; a line at the same indentation is a new key. */
static void
test_continuation (void)
{
  g_auto (Parsed) p = { 0 };
  StasIniEntry *e;

  parse (&p, "[Controllers]\n"
             "controller = transport=tcp;traddr=1.1.1.1\n"
             "    transport=tcp;traddr=2.2.2.2   # second\n"
             "# a comment line\n"
             "  transport=tcp;traddr=3.3.3.3\n"
             "\n"
             "  exclude = traddr=4.4.4.4\n"
             "  x=1\n"
             "     transport=tcp\n");
  ASSERT_NO_DIAGS (p.diags);
  g_assert_cmpuint (p.entries->len, ==, 6);
  e = entry (&p, 0);
  g_assert_false (e->continuation);
  g_assert_true (e->continued);
  assert_entry (&p, 1, "Controllers", "controller", "transport=tcp;traddr=2.2.2.2", 3);
  e = entry (&p, 1);
  g_assert_true (e->continuation);
  g_assert_cmpuint (e->key_line, ==, 2);
  assert_entry (&p, 2, "Controllers", "controller", "transport=tcp;traddr=3.3.3.3", 5);
  /* the blank line ended the value: an indented key line is a key line */
  assert_entry (&p, 3, "Controllers", "exclude", "traddr=4.4.4.4", 7);
  g_assert_false (entry (&p, 3)->continued);
  assert_entry (&p, 4, "Controllers", "x", "1", 8);
  e = entry (&p, 5);
  g_assert_true (e->continuation);
  g_assert_cmpstr (e->key, ==, "x");
  g_assert_cmpuint (e->key_line, ==, 8);
}

/* [CFG-4] a section header always starts a section, even indented after a key. */
static void
test_continuation_header (void)
{
  g_auto (Parsed) p = { 0 };

  parse (&p, "[Global]\nkato=1\n  [Controllers]\ncontroller=a=1\n");
  ASSERT_NO_DIAGS (p.diags);
  g_assert_cmpuint (p.entries->len, ==, 2);
  assert_entry (&p, 1, "Controllers", "controller", "a=1", 4);
}

/* Diagnostics come out sorted by line, stable for equal lines. */
static void
test_diags_sorted (void)
{
  g_autoptr (StasIniDiags) d = stas_ini_diags_new ("f");
  g_autoptr (GPtrArray) out = stas_diags_new ();

  stas_ini_diags_add (d, 5, STAS_LOG_WARNING, "five");
  stas_ini_diags_add (d, 2, STAS_LOG_INFO, "two-a");
  stas_ini_diags_add_plain (d, 2, STAS_LOG_WARNING, "plain two");
  stas_ini_diags_add_plain (d, 0, STAS_LOG_WARNING, "zero");
  stas_ini_diags_flush (d, out);
  ASSERT_DIAGS (out, "W zero", "I f:2: two-a", "W plain two", "W f:5: five");
  g_assert_cmpstr (stas_ini_diags_get_file (d), ==, "f");
  /* flushing empties the collection */
  g_ptr_array_set_size (out, 0);
  stas_ini_diags_flush (d, out);
  ASSERT_NO_DIAGS (out);
}

static void
test_read_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("stas-ini-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  int errnum = 0;

  g_assert_no_error (error);
  path = g_build_filename (dir, "f.conf", NULL);
  missing = g_build_filename (dir, "missing.conf", NULL);
  g_assert_true (g_file_set_contents (path, "a\0b", 3, &error));

  g_assert_true (stas_ini_read_file (path, &data, &len, &errnum));
  g_assert_cmpuint (len, ==, 3);
  g_assert_cmpmem (data, len, "a\0b", 3);
  g_assert_cmpint (data[3], ==, '\0');
  g_clear_pointer (&data, g_free);

  g_assert_false (stas_ini_read_file (missing, &data, &len, &errnum));
  g_assert_cmpint (errnum, ==, ENOENT);
  g_assert_null (data);

  g_assert_false (stas_ini_read_file (dir, &data, &len, &errnum));
  g_assert_cmpint (errnum, ==, EISDIR);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ini/CFG-2/comment-lines", test_comment_lines);
  g_test_add_func ("/ini/CFG-2/blank-and-crlf", test_blank_and_crlf);
  g_test_add_func ("/ini/CFG-2/section-verbatim", test_section_verbatim);
  g_test_add_func ("/ini/CFG-2/D-11/section-case", test_section_case);
  g_test_add_func ("/ini/CFG-2/section-unknown", test_section_unknown);
  g_test_add_func ("/ini/CFG-2/section-repeated", test_section_repeated);
  g_test_add_func ("/ini/CFG-2/section-trailing-text", test_section_trailing_text);
  g_test_add_func ("/ini/CFG-2/section-malformed", test_section_malformed);
  g_test_add_func ("/ini/CFG-2/key-split", test_key_split);
  g_test_add_func ("/ini/CFG-2/no-interpolation", test_no_interpolation);
  g_test_add_func ("/ini/CFG-2/D-06/outside-section", test_outside_section);
  g_test_add_func ("/ini/CFG-2/D-03/bare-key", test_bare_key);
  g_test_add_func ("/ini/CFG-2/empty-key", test_empty_key);
  g_test_add_func ("/ini/CFG-2/D-06/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/ini/CFG-2/bom", test_bom);
  g_test_add_func ("/ini/CFG-3/D-02/inline-comment-single", test_inline_comment_single);
  g_test_add_func ("/ini/CFG-3/D-02/inline-comment-list", test_inline_comment_list);
  g_test_add_func ("/ini/CFG-3/strip-comment", test_strip_comment);
  g_test_add_func ("/ini/CFG-4/continuation", test_continuation);
  g_test_add_func ("/ini/CFG-4/continuation-header", test_continuation_header);
  g_test_add_func ("/ini/diags-sorted", test_diags_sorted);
  g_test_add_func ("/ini/read-file", test_read_file);

  return g_test_run ();
}
