/* stas-json.h — JSON values: a small strict parser (RFC 8259, UTF-8, bounded nesting) and
 * the two text forms stas writes:
 *   pretty:  Python's json.dumps(v, indent=2, sort_keys=True, ensure_ascii=False), the
 *            output of the clients [CLI-10];
 *   compact: Python's json.dumps(v) with default arguments, the JSON text of the D-Bus
 *            replies [DBUS-36] (members in insertion order, non-ASCII as \uXXXX). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define STAS_JSON_ERROR (stas_json_error_quark ())
GQuark stas_json_error_quark (void);

typedef enum
{
  STAS_JSON_ERROR_INVALID, /* not a JSON text; the message says what and at which offset */
} StasJsonError;

/* Nesting limit of stas_json_parse() when 0 is given. */
#define STAS_JSON_DEFAULT_MAX_DEPTH 512

typedef enum
{
  STAS_JSON_NULL,
  STAS_JSON_BOOL,
  STAS_JSON_INT,
  STAS_JSON_REAL,
  STAS_JSON_STRING,
  STAS_JSON_ARRAY,
  STAS_JSON_OBJECT,
} StasJsonKind;

/* A JSON value. The fields may be read directly; change values only with the functions
 * below. */
typedef struct _StasJson StasJson;
struct _StasJson
{
  StasJsonKind kind;
  gboolean boolean;  /* BOOL */
  gint64 integer;    /* INT: the value (clamped to the gint64 range, see string) */
  gdouble real;      /* INT, REAL: the value as a double */
  char *string;      /* (owned) STRING: the text; INT: the literal when it does not fit
                      * in a gint64 (Python keeps such integers exact), else NULL */
  GPtrArray *items;  /* (owned) ARRAY: StasJson elements; OBJECT: the member values */
  GPtrArray *keys;   /* (owned) OBJECT: member names (char *), parallel to items, unique */
  GHashTable *index; /* (owned) OBJECT: private look-up table */
};

/* Parses a whole document of @length bytes: valid UTF-8 without NUL, exactly one value
 * and nothing but whitespace around it. More than @max_depth nested values (scalars
 * count: "[[1]]" is 3 deep; 0: the default) fails. A repeated member name keeps its first position
 * and its last value (as Python's json.loads() builds a dict). \u0000 and unpaired surrogates are
 * rejected. Fails with STAS_JSON_ERROR_INVALID and messages such as "expected ',' or ']' at offset
 * 8" or "invalid UTF-8 or NUL byte at offset 7". */
StasJson *stas_json_parse (const char *text, gsize length, guint max_depth, GError **error);

void stas_json_free (StasJson *json);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasJson, stas_json_free)
StasJson *stas_json_copy (const StasJson *json);

StasJson *stas_json_new_null (void);
StasJson *stas_json_new_bool (gboolean value);
StasJson *stas_json_new_int (gint64 value);
StasJson *stas_json_new_real (gdouble value);
StasJson *stas_json_new_string (const char *text); /* NULL gives null */
StasJson *stas_json_new_array (void);
StasJson *stas_json_new_object (void);

/* Appends @item (transfer full) to @array. */
void stas_json_array_add (StasJson *array, StasJson *item);
/* Sets member @key of @object to @value (transfer full): a present member keeps its
 * position, a new one is appended. */
void stas_json_object_set (StasJson *object, const char *key, StasJson *value);
/* Python's dict.update(): copies every member of @src into @dst with set semantics. */
void stas_json_object_merge (StasJson *dst, const StasJson *src);
/* The member @key of @object; NULL when absent or @object is NULL or not an object. */
StasJson *stas_json_object_get (const StasJson *object, const char *key);
/* The text of member @key when it is a string, else NULL. */
const char *stas_json_object_get_string (const StasJson *object, const char *key);
/* Number of members / elements; 0 for scalars. */
guint stas_json_get_length (const StasJson *json);

/* Converts a GVariant: dictionaries with string keys (a{s*}) become objects (entry order,
 * repeated keys: first position, last value), other arrays, tuples and maybes with a value
 * become arrays / the value, strings and object paths strings, booleans and numbers
 * themselves, an empty maybe null, variants are unwrapped. Anything else is null. */
StasJson *stas_json_new_from_variant (GVariant *value);

/* The pretty form [CLI-10], without the trailing newline. */
char *stas_json_to_pretty (const StasJson *json);
/* The compact form [DBUS-36]. */
char *stas_json_to_compact (const StasJson *json);
/* The same, straight from a GVariant (see stas_json_new_from_variant()). */
char *stas_json_from_variant (GVariant *value);
char *stas_json_compact_from_variant (GVariant *value);

/* Appends a JSON string literal (quotes included) for @text: ensure_ascii=False escaping
 * (", \, control characters; UTF-8 kept). Invalid UTF-8 is written as U+FFFD. */
void stas_json_append_string (GString *out, const char *text);
/* The same with ensure_ascii=True escaping (everything outside 0x20..0x7E as \uXXXX,
 * surrogate pairs above U+FFFF). */
void stas_json_append_string_ascii (GString *out, const char *text);
/* Appends Python's repr() of a float: shortest round-trip digits, "60.0", "0.5", "1e+16",
 * "1e-05", "inf", "nan". */
void stas_json_append_float_repr (GString *out, gdouble value);

G_END_DECLS
