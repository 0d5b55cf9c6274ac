/* test-json.c — the JSON tree, its strict parser and the two Python-compatible writers
 * (spec/cli.md §2.1 [CLI-10], spec/dbus.md §5.7 [DBUS-36]). Expected texts were produced by
 * Python 3: json.dumps(json.loads(input), indent=2, sort_keys=True, ensure_ascii=False)
 * and json.dumps(json.loads(input)). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "stas-json.h"

typedef struct
{
  const char *input;
  const char *pretty;
  const char *compact;
} Case;

static const Case cases[] = {
  { "{}", "{}", "{}" },
  { "[]", "[]", "[]" },
  { "{\"a\": {}, \"b\": []}",
    "{\n"
    "  \"a\": {},\n"
    "  \"b\": []\n"
    "}",
    "{\"a\": {}, \"b\": []}" },
  { "[[], [[]], {\"x\": []}]",
    "[\n"
    "  [],\n"
    "  [\n"
    "    []\n"
    "  ],\n"
    "  {\n"
    "    \"x\": []\n"
    "  }\n"
    "]",
    "[[], [[]], {\"x\": []}]" },
  { "\"plain\"", "\"plain\"", "\"plain\"" },
  { "true", "true", "true" },
  { "false", "false", "false" },
  { "null", "null", "null" },
  { "0", "0", "0" },
  { "-0", "0", "0" },
  { "42", "42", "42" },
  { "-17", "-17", "-17" },
  { "9223372036854775807", "9223372036854775807", "9223372036854775807" },
  { "-9223372036854775808", "-9223372036854775808", "-9223372036854775808" },
  { "123456789012345678901234567890", "123456789012345678901234567890",
    "123456789012345678901234567890" },
  { "-123456789012345678901234567890", "-123456789012345678901234567890",
    "-123456789012345678901234567890" },
  { "1.0", "1.0", "1.0" },
  { "-0.0", "-0.0", "-0.0" },
  { "0.5", "0.5", "0.5" },
  { "2.50", "2.5", "2.5" },
  { "1e5", "100000.0", "100000.0" },
  { "1E+2", "100.0", "100.0" },
  { "1.5e-7", "1.5e-07", "1.5e-07" },
  { "0.0001", "0.0001", "0.0001" },
  { "0.00001", "1e-05", "1e-05" },
  { "1e16", "1e+16", "1e+16" },
  { "1e15", "1000000000000000.0", "1000000000000000.0" },
  { "123456789.0", "123456789.0", "123456789.0" },
  { "0.1", "0.1", "0.1" },
  { "1e400", "Infinity", "Infinity" },
  { "-1e400", "-Infinity", "-Infinity" },
  { "3.141592653589793", "3.141592653589793", "3.141592653589793" },
  { "1e-320", "1e-320", "1e-320" },
  { "\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\"esc \\\" \\\\ / \\b \\f \\n \\r \\t\"",
    "\"esc \\\" \\\\ / \\b \\f \\n \\r \\t\"" },
  { "\"\\u0001\\u001f\\u007f \\u00e9 \\u2028 \\ud83d\\ude00\"",
    "\"\\u0001\\u001f\177 \303\251 \342\200\250 \360\237\230\200\"",
    "\"\\u0001\\u001f\\u007f \\u00e9 \\u2028 \\ud83d\\ude00\"" },
  { "\"caf\303\251 \303\274 \344\270\255\"", "\"caf\303\251 \303\274 \344\270\255\"",
    "\"caf\\u00e9 \\u00fc \\u4e2d\"" },
  { "{\"b\": 1, \"a\": 2, \"B\": 3, \"\303\251\": 4, \"aa\": 5, \"a b\": 6, \"\": 7}",
    "{\n"
    "  \"\": 7,\n"
    "  \"B\": 3,\n"
    "  \"a\": 2,\n"
    "  \"a b\": 6,\n"
    "  \"aa\": 5,\n"
    "  \"b\": 1,\n"
    "  \"\303\251\": 4\n"
    "}",
    "{\"b\": 1, \"a\": 2, \"B\": 3, \"\\u00e9\": 4, \"aa\": 5, \"a b\": 6, \"\": 7}" },
  { "{\"dup\": 1, \"x\": 2, \"dup\": 3}",
    "{\n"
    "  \"dup\": 3,\n"
    "  \"x\": 2\n"
    "}",
    "{\"dup\": 3, \"x\": 2}" },
  { "  {\"nested\": {\"z\": [1, {\"y\": null, \"x\": [true, false]}], \"a\": \"s\"}, \"list\": [3, "
    "2, 1]}  ",
    "{\n"
    "  \"list\": [\n"
    "    3,\n"
    "    2,\n"
    "    1\n"
    "  ],\n"
    "  \"nested\": {\n"
    "    \"a\": \"s\",\n"
    "    \"z\": [\n"
    "      1,\n"
    "      {\n"
    "        \"x\": [\n"
    "          true,\n"
    "          false\n"
    "        ],\n"
    "        \"y\": null\n"
    "      }\n"
    "    ]\n"
    "  }\n"
    "}",
    "{\"nested\": {\"z\": [1, {\"y\": null, \"x\": [true, false]}], \"a\": \"s\"}, \"list\": [3, "
    "2, 1]}" },
  { "[1, \"two\", 3.0, null, true, {\"k\": \"v\"}, []]",
    "[\n"
    "  1,\n"
    "  \"two\",\n"
    "  3.0,\n"
    "  null,\n"
    "  true,\n"
    "  {\n"
    "    \"k\": \"v\"\n"
    "  },\n"
    "  []\n"
    "]",
    "[1, \"two\", 3.0, null, true, {\"k\": \"v\"}, []]" },
};

static StasJson *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  StasJson *json = stas_json_parse (text, strlen (text), 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (json);
  return json;
}

/* [CLI-10] [DBUS-36] escapes, unicode, nesting, empty containers, numbers, literals */
static void
test_reemit (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (StasJson) json = parse_ok (cases[i].input);
      g_autofree char *pretty = stas_json_to_pretty (json);
      g_autofree char *compact = stas_json_to_compact (json);
      g_autoptr (StasJson) copy = stas_json_copy (json);
      g_autofree char *copy_pretty = stas_json_to_pretty (copy);

      g_test_message ("case %u: %s", i, cases[i].input);
      g_assert_cmpstr (pretty, ==, cases[i].pretty);
      g_assert_cmpstr (compact, ==, cases[i].compact);
      g_assert_cmpstr (copy_pretty, ==, cases[i].pretty);
    }
}

/* Python's float repr, also used for timer intervals (spec/dbus.md §5.5). */
static void
test_float_repr (void)
{
  static const struct
  {
    double value;
    const char *repr;
  } floats[] = {
    { 60.0, "60.0" },
    { 1.5, "1.5" },
    { 259200.0, "259200.0" },
    { 0.0, "0.0" },
    { -0.0, "-0.0" },
    { 0.1, "0.1" },
    { 0.1 + 0.2, "0.30000000000000004" },
    { 1e16, "1e+16" },
    { 1e15, "1000000000000000.0" },
    { 1e-5, "1e-05" },
    { 1e-4, "0.0001" },
    { 1.5e-7, "1.5e-07" },
    { 1e22, "1e+22" },
    { 1.2345678901234568e+20, "1.2345678901234568e+20" },
    { 5e-324, "5e-324" },
    { 1.7976931348623157e308, "1.7976931348623157e+308" },
    { -2.5, "-2.5" },
    { 123456789.0, "123456789.0" },
    { INFINITY, "inf" },
    { -INFINITY, "-inf" },
    { NAN, "nan" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (floats); i++)
    {
      g_autoptr (GString) out = g_string_new (NULL);

      stas_json_append_float_repr (out, floats[i].value);
      g_assert_cmpstr (out->str, ==, floats[i].repr);
    }
}

static void
assert_rejected (const char *text, gssize length, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StasJson) json =
      stas_json_parse (text, length < 0 ? strlen (text) : (gsize) length, 0, &error);

  g_assert_null (json);
  g_assert_error (error, STAS_JSON_ERROR, STAS_JSON_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, message);
}

/* RFC 8259 only: what Python would also refuse, plus NUL and lone surrogates. */
static void
test_parse_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StasJson) ok = NULL;
  g_autofree char *deep = NULL;

  assert_rejected ("", -1, "unexpected end of text at offset 0");
  assert_rejected ("   ", -1, "unexpected end of text at offset 3");
  assert_rejected ("garbage", -1, "unexpected character at offset 0");
  assert_rejected ("[1", -1, "expected ',' or ']' at offset 2");
  assert_rejected ("{\"a\" 1}", -1, "expected ':' at offset 5");
  assert_rejected ("{\"a\": 1,}", -1, "expected a string key at offset 8");
  assert_rejected ("\"abc", -1, "unterminated string at offset 4");
  assert_rejected ("\"ab\\", -1, "unterminated string at offset 3");
  assert_rejected ("\"\\x\"", -1, "invalid escape at offset 1");
  assert_rejected ("\"\\u12\"", -1, "invalid \\u escape at offset 1");
  assert_rejected ("\"\\u0000\"", -1, "invalid \\u escape at offset 1");
  assert_rejected ("\"\\udc00\"", -1, "invalid \\u escape at offset 1");
  assert_rejected ("\"\\ud800x\"", -1, "unpaired surrogate at offset 1");
  assert_rejected ("\"a\tb\"", -1, "control character in string at offset 2");
  assert_rejected ("\"\xc3\"", -1, "invalid UTF-8 or NUL byte at offset 1");
  assert_rejected ("[1]\0", 4, "invalid UTF-8 or NUL byte at offset 3");
  assert_rejected ("01", -1, "text after the JSON value at offset 1");
  assert_rejected ("1.", -1, "invalid number at offset 2");
  assert_rejected ("1e", -1, "invalid number at offset 2");
  assert_rejected ("-", -1, "invalid number at offset 1");
  assert_rejected (".5", -1, "unexpected character at offset 0");
  assert_rejected ("NaN", -1, "unexpected character at offset 0");
  assert_rejected ("Infinity", -1, "unexpected character at offset 0");
  assert_rejected ("nul", -1, "invalid literal at offset 0");
  assert_rejected ("[1] [2]", -1, "text after the JSON value at offset 4");
  assert_rejected ("{'a': 1}", -1, "expected a string key at offset 1");

  /* nesting is bounded; the limit is the caller's */
  deep = g_strnfill (100000, '[');
  assert_rejected (deep, -1, "nested too deeply at offset 512");
  ok = stas_json_parse ("[[[1]]]", 7, 4, &error); /* scalars count */
  g_assert_no_error (error);
  g_assert_nonnull (ok);
  g_clear_pointer (&ok, stas_json_free);
  ok = stas_json_parse ("[[[1]]]", 7, 3, &error);
  g_assert_error (error, STAS_JSON_ERROR, STAS_JSON_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "nested too deeply at offset 3");
}

/* Values as read: kinds, numbers, repeated keys (first position, last value). */
static void
test_parse_values (void)
{
  g_autoptr (StasJson) json =
      parse_ok ("{\"i\": -5, \"r\": 2.5, \"big\": 99999999999999999999, \"s\": \"x\", "
                "\"n\": null, \"b\": true, \"a\": [1, 2], \"i\": 7}");
  StasJson *v;

  g_assert_cmpint (json->kind, ==, STAS_JSON_OBJECT);
  g_assert_cmpuint (stas_json_get_length (json), ==, 7);
  g_assert_cmpstr (g_ptr_array_index (json->keys, 0), ==, "i");
  v = stas_json_object_get (json, "i");
  g_assert_cmpint (v->kind, ==, STAS_JSON_INT);
  g_assert_cmpint (v->integer, ==, 7);
  g_assert_null (v->string);
  v = stas_json_object_get (json, "r");
  g_assert_cmpint (v->kind, ==, STAS_JSON_REAL);
  g_assert_cmpfloat (v->real, ==, 2.5);
  v = stas_json_object_get (json, "big");
  g_assert_cmpint (v->kind, ==, STAS_JSON_INT);
  g_assert_cmpint (v->integer, ==, G_MAXINT64);
  g_assert_cmpstr (v->string, ==, "99999999999999999999");
  g_assert_cmpfloat (v->real, ==, 1e20);
  g_assert_cmpstr (stas_json_object_get_string (json, "s"), ==, "x");
  g_assert_null (stas_json_object_get_string (json, "b"));
  g_assert_cmpint (stas_json_object_get (json, "n")->kind, ==, STAS_JSON_NULL);
  g_assert_true (stas_json_object_get (json, "b")->boolean);
  g_assert_cmpuint (stas_json_get_length (stas_json_object_get (json, "a")), ==, 2);
  g_assert_null (stas_json_object_get (json, "missing"));
  g_assert_null (stas_json_object_get (stas_json_object_get (json, "a"), "x"));
  g_assert_null (stas_json_object_get (NULL, "x"));
  g_assert_cmpuint (stas_json_get_length (stas_json_object_get (json, "s")), ==, 0);
}

/* Building and merging (the clients' status output, [CLI-20]). */
static void
test_build_merge (void)
{
  g_autoptr (StasJson) dst = stas_json_new_object ();
  g_autoptr (StasJson) src = parse_ok ("{\"b\": \"new\", \"c\": [1, {\"d\": null}]}");
  g_autoptr (StasJson) list = stas_json_new_array ();
  g_autofree char *compact = NULL;
  g_autofree char *pretty = NULL;

  stas_json_object_set (dst, "b", stas_json_new_string ("old"));
  stas_json_object_set (dst, "a", stas_json_new_int (-3));
  stas_json_object_set (dst, "z", stas_json_new_string (NULL));
  stas_json_array_add (list, stas_json_new_bool (FALSE));
  stas_json_array_add (list, stas_json_new_real (0.5));
  stas_json_object_set (dst, "l", g_steal_pointer (&list));
  stas_json_object_merge (dst, src);
  compact = stas_json_to_compact (dst);
  g_assert_cmpstr (compact, ==,
                   "{\"b\": \"new\", \"a\": -3, \"z\": null, \"l\": [false, 0.5], "
                   "\"c\": [1, {\"d\": null}]}");
  pretty = stas_json_to_pretty (dst);
  g_assert_cmpstr (pretty, ==,
                   "{\n  \"a\": -3,\n  \"b\": \"new\",\n  \"c\": [\n    1,\n    {\n"
                   "      \"d\": null\n    }\n  ],\n  \"l\": [\n    false,\n    0.5\n  ],\n"
                   "  \"z\": null\n}");
}

/* GVariant → JSON: the D-Bus replies the clients print ([CLI-10]: aa{ss} become arrays of
 * objects of strings). */
static void
test_from_variant (void)
{
  g_autoptr (GVariant) list = g_variant_ref_sink (
      g_variant_new_parsed ("[{'traddr': '192.168.10.30', 'device': 'nvme0', 'kato': '60'},"
                            " {'traddr': 'caf\u00e9', 'device': 'nvme?'}]"));
  g_autoptr (GVariant) empty = g_variant_ref_sink (g_variant_new_parsed ("@aa{ss} []"));
  g_autoptr (GVariant) mixed = g_variant_ref_sink (g_variant_new_parsed (
      "{'tron': <true>, 'n': <@mi nothing>, 'm': <@mi just 4>, 'x': <int64 -9>, "
      "'t': <uint64 18446744073709551615>, 'd': <2.0>, 'y': <byte 7>, 'q': <uint16 9>, "
      "'o': <objectpath '/a'>, 'tuple': <(1, 'x')>, 'nested': <{'k': <[1, 2]>}>, "
      "'dup': <1>, 'dup': <2>}"));
  g_autofree char *a = stas_json_from_variant (list);
  g_autofree char *b = stas_json_from_variant (empty);
  g_autofree char *c = stas_json_compact_from_variant (mixed);
  g_autofree char *d = stas_json_compact_from_variant (list);

  g_assert_cmpstr (a, ==,
                   "[\n  {\n    \"device\": \"nvme0\",\n    \"kato\": \"60\",\n"
                   "    \"traddr\": \"192.168.10.30\"\n  },\n  {\n    \"device\": \"nvme?\",\n"
                   "    \"traddr\": \"caf\u00e9\"\n  }\n]");
  g_assert_cmpstr (b, ==, "[]");
  g_assert_cmpstr (c, ==,
                   "{\"tron\": true, \"n\": null, \"m\": 4, \"x\": -9, "
                   "\"t\": 18446744073709551615, \"d\": 2.0, \"y\": 7, \"q\": 9, \"o\": \"/a\", "
                   "\"tuple\": [1, \"x\"], \"nested\": {\"k\": [1, 2]}, \"dup\": 2}");
  g_assert_cmpstr (d, ==,
                   "[{\"traddr\": \"192.168.10.30\", \"device\": \"nvme0\", \"kato\": \"60\"}, "
                   "{\"traddr\": \"caf\\u00e9\", \"device\": \"nvme?\"}]");
}

/* Strings that did not come through a validator are written, never crash the writer. */
static void
test_string_escapes (void)
{
  g_autoptr (GString) loose = g_string_new (NULL);
  g_autoptr (GString) ascii = g_string_new (NULL);

  stas_json_append_string (loose, "a\xff"
                                  "b\x7f\x01\xf0\x9f\x98\x80");
  g_assert_cmpstr (loose->str, ==,
                   "\"a\xef\xbf\xbd"
                   "b\x7f\\u0001\xf0\x9f\x98\x80\"");
  stas_json_append_string_ascii (ascii, "a\xff"
                                        "b\x7f\x01\xf0\x9f\x98\x80'");
  g_assert_cmpstr (ascii->str, ==, "\"a\\ufffdb\\u007f\\u0001\\ud83d\\ude00'\"");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/reemit", test_reemit);
  g_test_add_func ("/json/float-repr", test_float_repr);
  g_test_add_func ("/json/parse-errors", test_parse_errors);
  g_test_add_func ("/json/parse-values", test_parse_values);
  g_test_add_func ("/json/build-merge", test_build_merge);
  g_test_add_func ("/json/from-variant", test_from_variant);
  g_test_add_func ("/json/string-escapes", test_string_escapes);
  return g_test_run ();
}
