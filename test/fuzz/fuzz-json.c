/* fuzz-json.c — the JSON parser (stas-json.h) that reads the state file and stafd's
 * get_all_log_pages reply in stacd (spec/bad-input.md §4, §8): what parses is written in
 * both forms, and the compact form parses back to the same text.
 *
 * Input: the document. It is parsed with the default nesting limit and with a limit of 4. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fuzz-common.h"
#include "stas-json.h"

static gboolean
has_infinity (const StasJson *json)
{
  if (json->kind == STAS_JSON_REAL || json->kind == STAS_JSON_INT)
    return !isfinite (json->real);
  for (guint i = 0; json->items != NULL && i < json->items->len; i++)
    if (has_infinity (g_ptr_array_index (json->items, i)))
      return TRUE;
  return FALSE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StasJson) json = NULL;
  g_autoptr (StasJson) copy = NULL;
  g_autoptr (StasJson) again = NULL;
  g_autofree char *compact = NULL;
  g_autofree char *pretty = NULL;
  g_autofree char *compact2 = NULL;
  g_autoptr (StasJson) shallow = stas_json_parse ((const char *) data, size, 4, NULL);

  json = stas_json_parse ((const char *) data, size, 0, &error);
  if (json == NULL)
    {
      g_assert_true (g_error_matches (error, STAS_JSON_ERROR, STAS_JSON_ERROR_INVALID));
      g_assert_null (shallow);
      return 0;
    }
  g_assert_no_error (error);
  (void) stas_json_get_length (json);
  if (json->kind == STAS_JSON_OBJECT)
    {
      g_assert_cmpuint (json->keys->len, ==, json->items->len);
      for (guint i = 0; i < json->keys->len; i++)
        g_assert_true (stas_json_object_get (json, g_ptr_array_index (json->keys, i)) ==
                       g_ptr_array_index (json->items, i));
    }

  compact = stas_json_to_compact (json);
  pretty = stas_json_to_pretty (json);
  g_assert_true (g_utf8_validate (pretty, -1, NULL));
  copy = stas_json_copy (json);
  compact2 = stas_json_to_compact (copy);
  g_assert_cmpstr (compact, ==, compact2);
  g_clear_pointer (&compact2, g_free);

  /* the compact text (ASCII, as stafd sends it) is JSON that gives the same text again —
   * unless a number overflowed to infinity: Python writes that as Infinity, not JSON */
  if (has_infinity (json))
    return 0;
  again = stas_json_parse (compact, strlen (compact), 0, &error);
  g_assert_no_error (error);
  compact2 = stas_json_to_compact (again);
  g_assert_cmpstr (compact, ==, compact2);
  return 0;
}
