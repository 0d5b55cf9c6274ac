/* stas-json.h — JSON text exactly as Python's
 * json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) writes it [CLI-10]. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @value: dictionaries (a{s*}) become objects with sorted keys, arrays become
 * arrays, strings, booleans and numbers as themselves, variants are unwrapped. No trailing
 * newline. */
char *stas_json_from_variant (GVariant *value);
/* Appends a JSON string literal (quotes included) for @text. */
void stas_json_append_string (GString *out, const char *text);

G_END_DECLS
