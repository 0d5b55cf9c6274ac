/* stas-json.c — Python-compatible JSON output (spec/cli.md §2.1). */
#include "config.h"

#include "stas-json.h"

#include <string.h>

void
stas_json_append_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p); /* UTF-8 kept (ensure_ascii=False) */
        }
    }
  g_string_append_c (out, '"');
}

static void
indent (GString *out, guint depth)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static int
compare_keys (gconstpointer a, gconstpointer b)
{
  /* byte order of UTF-8 = code point order */
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void append_value (GString *out, GVariant *value, guint depth);

static void
append_dict (GString *out, GVariant *dict, guint depth)
{
  gsize n = g_variant_n_children (dict);
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  g_autoptr (GHashTable) values =
      g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_variant_unref);

  if (n == 0)
    {
      g_string_append (out, "{}");
      return;
    }
  for (gsize i = 0; i < n; i++)
    {
      GVariant *entry = g_variant_get_child_value (dict, i);
      GVariant *key = g_variant_get_child_value (entry, 0);
      const char *k = g_variant_get_string (key, NULL);

      /* the key string stays alive as long as @dict does */
      if (!g_hash_table_contains (values, k))
        g_ptr_array_add (keys, (gpointer) k);
      g_hash_table_replace (values, (gpointer) k, g_variant_get_child_value (entry, 1));
      g_variant_unref (key);
      g_variant_unref (entry);
    }
  g_ptr_array_sort (keys, compare_keys);
  g_string_append_c (out, '{');
  for (guint i = 0; i < keys->len; i++)
    {
      const char *k = g_ptr_array_index (keys, i);
      if (i > 0)
        g_string_append_c (out, ',');
      indent (out, depth + 1);
      stas_json_append_string (out, k);
      g_string_append (out, ": ");
      append_value (out, g_hash_table_lookup (values, k), depth + 1);
    }
  indent (out, depth);
  g_string_append_c (out, '}');
}

static void
append_array (GString *out, GVariant *array, guint depth)
{
  gsize n = g_variant_n_children (array);

  if (n == 0)
    {
      g_string_append (out, "[]");
      return;
    }
  g_string_append_c (out, '[');
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) child = g_variant_get_child_value (array, i);
      if (i > 0)
        g_string_append_c (out, ',');
      indent (out, depth + 1);
      append_value (out, child, depth + 1);
    }
  indent (out, depth);
  g_string_append_c (out, ']');
}

static void
append_value (GString *out, GVariant *value, guint depth)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr (GVariant) inner = g_variant_get_variant (value);
      append_value (out, inner, depth);
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE ("a{s*}")))
    append_dict (out, value, depth);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_ARRAY) ||
           g_variant_is_of_type (value, G_VARIANT_TYPE_TUPLE))
    append_array (out, value, depth);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ||
           g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH))
    stas_json_append_string (out, g_variant_get_string (value, NULL));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    g_string_append (out, g_variant_get_boolean (value) ? "true" : "false");
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    g_string_append_printf (out, "%.17g", g_variant_get_double (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    g_string_append_printf (out, "%" G_GINT64_FORMAT, g_variant_get_int64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_variant_get_uint64 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    g_string_append_printf (out, "%d", g_variant_get_int32 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    g_string_append_printf (out, "%u", g_variant_get_uint32 (value));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_MAYBE))
    {
      g_autoptr (GVariant) inner = g_variant_get_maybe (value);
      if (inner == NULL)
        g_string_append (out, "null");
      else
        append_value (out, inner, depth);
    }
  else
    g_string_append (out, "null");
}

char *
stas_json_from_variant (GVariant *value)
{
  GString *out = g_string_new (NULL);

  append_value (out, value, 0);
  return g_string_free (out, FALSE);
}
