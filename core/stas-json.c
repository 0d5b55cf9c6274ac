/* stas-json.c — JSON values: strict parser, Python-compatible writers (spec/cli.md §2.1,
 * spec/dbus.md §5.7). */
#include "config.h"

#include "stas-json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (stas - json - error - quark, stas_json_error)

/* ---- values ------------------------------------------------------------------------------- */

static StasJson *
json_new (StasJsonKind kind)
{
  StasJson *json = g_new0 (StasJson, 1);

  json->kind = kind;
  if (kind == STAS_JSON_ARRAY || kind == STAS_JSON_OBJECT)
    json->items = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_json_free);
  if (kind == STAS_JSON_OBJECT)
    {
      json->keys = g_ptr_array_new_with_free_func (g_free);
      /* key → position + 1; the keys are owned by json->keys */
      json->index = g_hash_table_new (g_str_hash, g_str_equal);
    }
  return json;
}

void
stas_json_free (StasJson *json)
{
  if (json == NULL)
    return;
  g_free (json->string);
  g_clear_pointer (&json->index, g_hash_table_unref);
  g_clear_pointer (&json->items, g_ptr_array_unref);
  g_clear_pointer (&json->keys, g_ptr_array_unref);
  g_free (json);
}

StasJson *
stas_json_new_null (void)
{
  return json_new (STAS_JSON_NULL);
}

StasJson *
stas_json_new_bool (gboolean value)
{
  StasJson *json = json_new (STAS_JSON_BOOL);

  json->boolean = value ? TRUE : FALSE;
  return json;
}

StasJson *
stas_json_new_int (gint64 value)
{
  StasJson *json = json_new (STAS_JSON_INT);

  json->integer = value;
  json->real = (gdouble) value;
  return json;
}

StasJson *
stas_json_new_real (gdouble value)
{
  StasJson *json = json_new (STAS_JSON_REAL);

  json->real = value;
  return json;
}

StasJson *
stas_json_new_string (const char *text)
{
  StasJson *json;

  if (text == NULL)
    return stas_json_new_null ();
  json = json_new (STAS_JSON_STRING);
  json->string = g_strdup (text);
  return json;
}

StasJson *
stas_json_new_array (void)
{
  return json_new (STAS_JSON_ARRAY);
}

StasJson *
stas_json_new_object (void)
{
  return json_new (STAS_JSON_OBJECT);
}

void
stas_json_array_add (StasJson *array, StasJson *item)
{
  g_return_if_fail (array != NULL && array->kind == STAS_JSON_ARRAY && item != NULL);
  g_ptr_array_add (array->items, item);
}

void
stas_json_object_set (StasJson *object, const char *key, StasJson *value)
{
  gpointer pos;
  char *copy;

  g_return_if_fail (object != NULL && object->kind == STAS_JSON_OBJECT);
  g_return_if_fail (key != NULL && value != NULL);

  pos = g_hash_table_lookup (object->index, key);
  if (pos != NULL)
    {
      guint i = GPOINTER_TO_UINT (pos) - 1;
      stas_json_free (object->items->pdata[i]);
      object->items->pdata[i] = value;
      return;
    }
  copy = g_strdup (key);
  g_ptr_array_add (object->keys, copy);
  g_ptr_array_add (object->items, value);
  g_hash_table_insert (object->index, copy, GUINT_TO_POINTER (object->keys->len));
}

StasJson *
stas_json_object_get (const StasJson *object, const char *key)
{
  gpointer pos;

  if (object == NULL || object->kind != STAS_JSON_OBJECT || key == NULL)
    return NULL;
  pos = g_hash_table_lookup (object->index, key);
  return pos != NULL ? g_ptr_array_index (object->items, GPOINTER_TO_UINT (pos) - 1) : NULL;
}

const char *
stas_json_object_get_string (const StasJson *object, const char *key)
{
  StasJson *value = stas_json_object_get (object, key);

  return value != NULL && value->kind == STAS_JSON_STRING ? value->string : NULL;
}

guint
stas_json_get_length (const StasJson *json)
{
  return json != NULL && json->items != NULL ? json->items->len : 0;
}

StasJson *
stas_json_copy (const StasJson *json)
{
  StasJson *copy;

  g_return_val_if_fail (json != NULL, NULL);

  copy = json_new (json->kind);
  copy->boolean = json->boolean;
  copy->integer = json->integer;
  copy->real = json->real;
  copy->string = g_strdup (json->string);
  for (guint i = 0; json->items != NULL && i < json->items->len; i++)
    {
      StasJson *item = stas_json_copy (g_ptr_array_index (json->items, i));

      if (json->kind == STAS_JSON_OBJECT)
        stas_json_object_set (copy, g_ptr_array_index (json->keys, i), item);
      else
        g_ptr_array_add (copy->items, item);
    }
  return copy;
}

void
stas_json_object_merge (StasJson *dst, const StasJson *src)
{
  g_return_if_fail (dst != NULL && dst->kind == STAS_JSON_OBJECT);
  g_return_if_fail (src != NULL && src->kind == STAS_JSON_OBJECT);

  for (guint i = 0; i < src->keys->len; i++)
    stas_json_object_set (dst, g_ptr_array_index (src->keys, i),
                          stas_json_copy (g_ptr_array_index (src->items, i)));
}

/* ---- from GVariant ------------------------------------------------------------------------ */

static StasJson *
json_from_uint64 (guint64 value)
{
  StasJson *json;

  if (value <= G_MAXINT64)
    return stas_json_new_int ((gint64) value);
  json = json_new (STAS_JSON_INT);
  json->integer = G_MAXINT64;
  json->real = (gdouble) value;
  json->string = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
  return json;
}

StasJson *
stas_json_new_from_variant (GVariant *value)
{
  const GVariantType *type;

  g_return_val_if_fail (value != NULL, NULL);

  type = g_variant_get_type (value);
  if (g_variant_type_equal (type, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr (GVariant) inner = g_variant_get_variant (value);
      return stas_json_new_from_variant (inner);
    }
  if (g_variant_type_is_maybe (type))
    {
      g_autoptr (GVariant) inner = g_variant_get_maybe (value);
      return inner != NULL ? stas_json_new_from_variant (inner) : stas_json_new_null ();
    }
  if (g_variant_type_is_subtype_of (type, G_VARIANT_TYPE ("a{s*}")) ||
      g_variant_type_is_subtype_of (type, G_VARIANT_TYPE ("a{o*}")))
    {
      StasJson *object = stas_json_new_object ();
      gsize n = g_variant_n_children (value);

      for (gsize i = 0; i < n; i++)
        {
          g_autoptr (GVariant) entry = g_variant_get_child_value (value, i);
          g_autoptr (GVariant) key = g_variant_get_child_value (entry, 0);
          g_autoptr (GVariant) member = g_variant_get_child_value (entry, 1);

          stas_json_object_set (object, g_variant_get_string (key, NULL),
                                stas_json_new_from_variant (member));
        }
      return object;
    }
  if (g_variant_type_is_array (type) || g_variant_type_is_tuple (type))
    {
      StasJson *array = stas_json_new_array ();
      gsize n = g_variant_n_children (value);

      for (gsize i = 0; i < n; i++)
        {
          g_autoptr (GVariant) child = g_variant_get_child_value (value, i);
          stas_json_array_add (array, stas_json_new_from_variant (child));
        }
      return array;
    }

  switch (g_variant_classify (value))
    {
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      return stas_json_new_string (g_variant_get_string (value, NULL));
    case G_VARIANT_CLASS_BOOLEAN:
      return stas_json_new_bool (g_variant_get_boolean (value));
    case G_VARIANT_CLASS_BYTE:
      return stas_json_new_int (g_variant_get_byte (value));
    case G_VARIANT_CLASS_INT16:
      return stas_json_new_int (g_variant_get_int16 (value));
    case G_VARIANT_CLASS_UINT16:
      return stas_json_new_int (g_variant_get_uint16 (value));
    case G_VARIANT_CLASS_INT32:
      return stas_json_new_int (g_variant_get_int32 (value));
    case G_VARIANT_CLASS_UINT32:
      return stas_json_new_int (g_variant_get_uint32 (value));
    case G_VARIANT_CLASS_HANDLE:
      return stas_json_new_int (g_variant_get_handle (value));
    case G_VARIANT_CLASS_INT64:
      return stas_json_new_int (g_variant_get_int64 (value));
    case G_VARIANT_CLASS_UINT64:
      return json_from_uint64 (g_variant_get_uint64 (value));
    case G_VARIANT_CLASS_DOUBLE:
      return stas_json_new_real (g_variant_get_double (value));
    default:
      return stas_json_new_null ();
    }
}

/* ---- writing ------------------------------------------------------------------------------ */

/* The next character of @p (advanced); invalid UTF-8 is one byte read as U+FFFD. */
static gunichar
next_char (const char **p)
{
  gunichar c = g_utf8_get_char_validated (*p, -1);

  if (c == (gunichar) -1 || c == (gunichar) -2)
    {
      (*p)++;
      return 0xfffd;
    }
  *p = g_utf8_next_char (*p);
  return c;
}

/* Python's json escapes: the short forms, then \u00XX for the other control characters. */
static gboolean
append_short_escape (GString *out, gunichar c)
{
  switch (c)
    {
    case '"':
      g_string_append (out, "\\\"");
      return TRUE;
    case '\\':
      g_string_append (out, "\\\\");
      return TRUE;
    case '\n':
      g_string_append (out, "\\n");
      return TRUE;
    case '\r':
      g_string_append (out, "\\r");
      return TRUE;
    case '\t':
      g_string_append (out, "\\t");
      return TRUE;
    case '\b':
      g_string_append (out, "\\b");
      return TRUE;
    case '\f':
      g_string_append (out, "\\f");
      return TRUE;
    default:
      return FALSE;
    }
}

static void
append_string (GString *out, const char *text, gboolean ascii)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0';)
    {
      gunichar c = next_char (&p);

      if (append_short_escape (out, c))
        continue;
      if (c < 0x20 || (ascii && c > 0x7e))
        {
          if (c >= 0x10000)
            {
              gunichar v = c - 0x10000;
              g_string_append_printf (out, "\\u%04x\\u%04x", 0xd800 + (v >> 10),
                                      0xdc00 + (v & 0x3ff));
            }
          else
            g_string_append_printf (out, "\\u%04x", c);
        }
      else
        g_string_append_unichar (out, c);
    }
  g_string_append_c (out, '"');
}

void
stas_json_append_string (GString *out, const char *text)
{
  append_string (out, text, FALSE);
}

void
stas_json_append_string_ascii (GString *out, const char *text)
{
  append_string (out, text, TRUE);
}

void
stas_json_append_float_repr (GString *out, gdouble value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char digits[32];
  gsize ndigits = 0;
  int exponent, decpt;
  const char *p;

  if (isnan (value))
    {
      g_string_append (out, "nan");
      return;
    }
  if (isinf (value))
    {
      g_string_append (out, value > 0 ? "inf" : "-inf");
      return;
    }
  if (value == 0)
    {
      g_string_append (out, signbit (value) ? "-0.0" : "0.0");
      return;
    }

  /* the shortest %e form that reads back as the same double */
  for (int prec = 0; prec <= 17; prec++)
    {
      char fmt[8];

      g_snprintf (fmt, sizeof fmt, "%%.%de", prec);
      g_ascii_formatd (buf, sizeof buf, fmt, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }

  p = buf;
  if (*p == '-')
    {
      g_string_append_c (out, '-');
      p++;
    }
  for (; *p != 'e' && *p != '\0'; p++)
    if (g_ascii_isdigit (*p) && ndigits < sizeof digits - 1)
      digits[ndigits++] = *p;
  while (ndigits > 1 && digits[ndigits - 1] == '0')
    ndigits--;
  digits[ndigits] = '\0';
  exponent = *p == 'e' ? atoi (p + 1) : 0;
  decpt = exponent + 1;

  /* Python's float_repr_style 'r': exponent form outside 1e-4 <= |v| < 1e16 */
  if (decpt <= -4 || decpt > 16)
    {
      g_string_append_c (out, digits[0]);
      if (ndigits > 1)
        {
          g_string_append_c (out, '.');
          g_string_append (out, digits + 1);
        }
      g_string_append_printf (out, "e%c%02d", exponent < 0 ? '-' : '+', ABS (exponent));
    }
  else if (decpt <= 0)
    {
      g_string_append (out, "0.");
      for (int i = decpt; i < 0; i++)
        g_string_append_c (out, '0');
      g_string_append (out, digits);
    }
  else if ((gsize) decpt < ndigits)
    {
      g_string_append_len (out, digits, decpt);
      g_string_append_c (out, '.');
      g_string_append (out, digits + decpt);
    }
  else
    {
      g_string_append (out, digits);
      for (gsize i = ndigits; i < (gsize) decpt; i++)
        g_string_append_c (out, '0');
      g_string_append (out, ".0");
    }
}

static void
append_number (GString *out, const StasJson *json)
{
  if (json->kind == STAS_JSON_INT)
    {
      if (json->string != NULL)
        g_string_append (out, json->string);
      else
        g_string_append_printf (out, "%" G_GINT64_FORMAT, json->integer);
    }
  else if (isnan (json->real))
    g_string_append (out, "NaN");
  else if (isinf (json->real))
    g_string_append (out, json->real > 0 ? "Infinity" : "-Infinity");
  else
    stas_json_append_float_repr (out, json->real);
}

static gboolean
append_scalar (GString *out, const StasJson *json, gboolean ascii)
{
  switch (json->kind)
    {
    case STAS_JSON_NULL:
      g_string_append (out, "null");
      return TRUE;
    case STAS_JSON_BOOL:
      g_string_append (out, json->boolean ? "true" : "false");
      return TRUE;
    case STAS_JSON_INT:
    case STAS_JSON_REAL:
      append_number (out, json);
      return TRUE;
    case STAS_JSON_STRING:
      append_string (out, json->string, ascii);
      return TRUE;
    case STAS_JSON_ARRAY:
    case STAS_JSON_OBJECT:
    default:
      return FALSE;
    }
}

static void
newline (GString *out, guint depth)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static int
compare_members (gconstpointer a, gconstpointer b, gpointer keys)
{
  guint ia = *(const guint *) a, ib = *(const guint *) b;

  /* byte order of UTF-8 is code point order, Python's sort order of str */
  return strcmp (g_ptr_array_index ((GPtrArray *) keys, ia),
                 g_ptr_array_index ((GPtrArray *) keys, ib));
}

static void
append_pretty (GString *out, const StasJson *json, guint depth)
{
  guint n = stas_json_get_length (json);
  g_autofree guint *order = NULL;

  if (append_scalar (out, json, FALSE))
    return;
  if (n == 0)
    {
      g_string_append (out, json->kind == STAS_JSON_OBJECT ? "{}" : "[]");
      return;
    }

  order = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    order[i] = i;
  if (json->kind == STAS_JSON_OBJECT)
    g_qsort_with_data (order, (gint) n, sizeof *order, compare_members, json->keys);

  g_string_append_c (out, json->kind == STAS_JSON_OBJECT ? '{' : '[');
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      newline (out, depth + 1);
      if (json->kind == STAS_JSON_OBJECT)
        {
          append_string (out, g_ptr_array_index (json->keys, order[i]), FALSE);
          g_string_append (out, ": ");
        }
      append_pretty (out, g_ptr_array_index (json->items, order[i]), depth + 1);
    }
  newline (out, depth);
  g_string_append_c (out, json->kind == STAS_JSON_OBJECT ? '}' : ']');
}

static void
append_compact (GString *out, const StasJson *json)
{
  if (append_scalar (out, json, TRUE))
    return;
  g_string_append_c (out, json->kind == STAS_JSON_OBJECT ? '{' : '[');
  for (guint i = 0; i < json->items->len; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      if (json->kind == STAS_JSON_OBJECT)
        {
          append_string (out, g_ptr_array_index (json->keys, i), TRUE);
          g_string_append (out, ": ");
        }
      append_compact (out, g_ptr_array_index (json->items, i));
    }
  g_string_append_c (out, json->kind == STAS_JSON_OBJECT ? '}' : ']');
}

char *
stas_json_to_pretty (const StasJson *json)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (json != NULL, NULL);
  append_pretty (out, json, 0);
  return g_string_free (out, FALSE);
}

char *
stas_json_to_compact (const StasJson *json)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (json != NULL, NULL);
  append_compact (out, json);
  return g_string_free (out, FALSE);
}

char *
stas_json_from_variant (GVariant *value)
{
  g_autoptr (StasJson) json = stas_json_new_from_variant (value);
  return stas_json_to_pretty (json);
}

char *
stas_json_compact_from_variant (GVariant *value)
{
  g_autoptr (StasJson) json = stas_json_new_from_variant (value);
  return stas_json_to_compact (json);
}

/* ---- parsing ------------------------------------------------------------------------------ */

typedef struct
{
  const char *start;
  const char *p;
  const char *end;
  guint depth;
  guint max_depth;
  char *error; /* (owned) the first error */
} Parser;

static StasJson *
parse_fail (Parser *ps, const char *what)
{
  if (ps->error == NULL)
    ps->error =
        g_strdup_printf ("%s at offset %" G_GSIZE_FORMAT, what, (gsize) (ps->p - ps->start));
  return NULL;
}

static void
skip_ws (Parser *ps)
{
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static int
hex4 (const char *p)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);
      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

/* At a backslash followed by 'u'; appends the character. FALSE on error. */
static gboolean
parse_unicode_escape (Parser *ps, GString *out)
{
  const char *esc = ps->p;
  int cp, lo;

  if (ps->end - ps->p < 6 || (cp = hex4 (ps->p + 2)) < 0)
    {
      parse_fail (ps, "invalid \\u escape");
      return FALSE;
    }
  ps->p += 6;
  if (cp >= 0xd800 && cp <= 0xdbff)
    {
      if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
          (lo = hex4 (ps->p + 2)) < 0xdc00 || lo > 0xdfff)
        {
          ps->p = esc;
          parse_fail (ps, "unpaired surrogate");
          return FALSE;
        }
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      ps->p += 6;
    }
  else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0)
    {
      /* NUL cannot live in a C string; lone low surrogates are not text */
      ps->p = esc;
      parse_fail (ps, "invalid \\u escape");
      return FALSE;
    }
  g_string_append_unichar (out, (gunichar) cp);
  return TRUE;
}

/* At the opening quote. Returns the decoded UTF-8 text, NULL on error. */
static char *
parse_string_text (Parser *ps)
{
  g_autoptr (GString) out = g_string_new (NULL);
  static const char simple[] = "\"\\/bfnrt";
  static const char decoded[] = "\"\\/\b\f\n\r\t";

  ps->p++; /* opening quote */
  while (TRUE)
    {
      unsigned char c;
      const char *which;

      if (ps->p >= ps->end)
        return (char *) parse_fail (ps, "unterminated string");
      c = (unsigned char) *ps->p;
      if (c == '"')
        {
          ps->p++;
          return g_string_free (g_steal_pointer (&out), FALSE);
        }
      if (c < 0x20)
        return (char *) parse_fail (ps, "control character in string");
      if (c != '\\')
        {
          g_string_append_c (out, (char) c);
          ps->p++;
          continue;
        }
      if (ps->end - ps->p < 2)
        return (char *) parse_fail (ps, "unterminated string");
      if (ps->p[1] == 'u')
        {
          if (!parse_unicode_escape (ps, out))
            return NULL;
          continue;
        }
      which = strchr (simple, ps->p[1]);
      if (ps->p[1] == '\0' || which == NULL)
        return (char *) parse_fail (ps, "invalid escape"); /* reported at the backslash */
      g_string_append_c (out, decoded[which - simple]);
      ps->p += 2;
    }
}

static gboolean
skip_digits (Parser *ps)
{
  if (ps->p >= ps->end || !g_ascii_isdigit (*ps->p))
    return FALSE;
  while (ps->p < ps->end && g_ascii_isdigit (*ps->p))
    ps->p++;
  return TRUE;
}

static StasJson *
parse_number (Parser *ps)
{
  const char *begin = ps->p;
  gboolean integral = TRUE;
  g_autofree char *text = NULL;
  StasJson *json;

  if (ps->p < ps->end && *ps->p == '-')
    ps->p++;
  if (ps->p < ps->end && *ps->p == '0')
    ps->p++;
  else if (!skip_digits (ps))
    return parse_fail (ps, "invalid number");
  if (ps->p < ps->end && *ps->p == '.')
    {
      integral = FALSE;
      ps->p++;
      if (!skip_digits (ps))
        return parse_fail (ps, "invalid number");
    }
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E'))
    {
      integral = FALSE;
      ps->p++;
      if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
        ps->p++;
      if (!skip_digits (ps))
        return parse_fail (ps, "invalid number");
    }

  text = g_strndup (begin, (gsize) (ps->p - begin));
  if (integral)
    {
      char *endp;
      gint64 v;

      errno = 0;
      v = g_ascii_strtoll (text, &endp, 10);
      json = stas_json_new_int (v);
      if (errno != 0 || *endp != '\0')
        {
          /* beyond gint64: the literal is kept, as Python keeps the exact integer */
          json->real = g_ascii_strtod (text, NULL);
          json->string = g_steal_pointer (&text);
        }
      return json;
    }
  return stas_json_new_real (g_ascii_strtod (text, NULL));
}

static StasJson *parse_value (Parser *ps);

static StasJson *
parse_array (Parser *ps)
{
  g_autoptr (StasJson) json = stas_json_new_array ();

  ps->p++;
  skip_ws (ps);
  if (ps->p < ps->end && *ps->p == ']')
    {
      ps->p++;
      return g_steal_pointer (&json);
    }
  while (TRUE)
    {
      StasJson *item = parse_value (ps);

      if (item == NULL)
        return NULL;
      g_ptr_array_add (json->items, item);
      skip_ws (ps);
      if (ps->p < ps->end && *ps->p == ',')
        {
          ps->p++;
          continue;
        }
      if (ps->p < ps->end && *ps->p == ']')
        {
          ps->p++;
          return g_steal_pointer (&json);
        }
      return parse_fail (ps, "expected ',' or ']'");
    }
}

static StasJson *
parse_object (Parser *ps)
{
  g_autoptr (StasJson) json = stas_json_new_object ();

  ps->p++;
  skip_ws (ps);
  if (ps->p < ps->end && *ps->p == '}')
    {
      ps->p++;
      return g_steal_pointer (&json);
    }
  while (TRUE)
    {
      g_autofree char *key = NULL;
      StasJson *value;

      skip_ws (ps);
      if (ps->p >= ps->end || *ps->p != '"')
        return parse_fail (ps, "expected a string key");
      key = parse_string_text (ps);
      if (key == NULL)
        return NULL;
      skip_ws (ps);
      if (ps->p >= ps->end || *ps->p != ':')
        return parse_fail (ps, "expected ':'");
      ps->p++;
      value = parse_value (ps);
      if (value == NULL)
        return NULL;
      stas_json_object_set (json, key, value);
      skip_ws (ps);
      if (ps->p < ps->end && *ps->p == ',')
        {
          ps->p++;
          continue;
        }
      if (ps->p < ps->end && *ps->p == '}')
        {
          ps->p++;
          return g_steal_pointer (&json);
        }
      return parse_fail (ps, "expected ',' or '}'");
    }
}

static gboolean
take_literal (Parser *ps, const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (ps->end - ps->p) < n || memcmp (ps->p, word, n) != 0)
    return FALSE;
  ps->p += n;
  return TRUE;
}

static StasJson *
parse_literal (Parser *ps)
{
  if (take_literal (ps, "true"))
    return stas_json_new_bool (TRUE);
  if (take_literal (ps, "false"))
    return stas_json_new_bool (FALSE);
  if (take_literal (ps, "null"))
    return stas_json_new_null ();
  return parse_fail (ps, "invalid literal");
}

static StasJson *
parse_value (Parser *ps)
{
  StasJson *json = NULL;

  skip_ws (ps);
  if (ps->p >= ps->end)
    return parse_fail (ps, "unexpected end of text");
  if (++ps->depth > ps->max_depth)
    return parse_fail (ps, "nested too deeply");

  switch (*ps->p)
    {
    case '{':
      json = parse_object (ps);
      break;
    case '[':
      json = parse_array (ps);
      break;
    case '"':
      {
        char *text = parse_string_text (ps);
        if (text != NULL)
          {
            json = json_new (STAS_JSON_STRING);
            json->string = text;
          }
        break;
      }
    case 't':
    case 'f':
    case 'n':
      json = parse_literal (ps);
      break;
    default:
      if (*ps->p == '-' || g_ascii_isdigit (*ps->p))
        json = parse_number (ps);
      else
        parse_fail (ps, "unexpected character");
    }
  ps->depth--;
  return json;
}

StasJson *
stas_json_parse (const char *text, gsize length, guint max_depth, GError **error)
{
  Parser ps = { 0 };
  g_autoptr (StasJson) json = NULL;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (text == NULL)
    text = "";
  ps.start = ps.p = text;
  ps.end = text + length;
  ps.max_depth = max_depth > 0 ? max_depth : STAS_JSON_DEFAULT_MAX_DEPTH;
  if (!g_utf8_validate_len (text, length, &ps.p))
    {
      g_set_error (error, STAS_JSON_ERROR, STAS_JSON_ERROR_INVALID,
                   "invalid UTF-8 or NUL byte at offset %" G_GSIZE_FORMAT, (gsize) (ps.p - text));
      return NULL;
    }
  ps.p = text;
  json = parse_value (&ps);
  if (json != NULL)
    {
      skip_ws (&ps);
      if (ps.p != ps.end)
        {
          g_clear_pointer (&json, stas_json_free);
          parse_fail (&ps, "text after the JSON value");
        }
    }
  if (json == NULL)
    {
      g_set_error_literal (error, STAS_JSON_ERROR, STAS_JSON_ERROR_INVALID, ps.error);
      g_free (ps.error);
    }
  return g_steal_pointer (&json);
}
