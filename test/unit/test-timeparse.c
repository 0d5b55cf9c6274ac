/* test-timeparse.c — time-span grammar, spec/config.md §2.5 [CFG-6], [D-09]. */
#include "config.h"

#include <glib.h>

#include "stas-timeparse.h"

typedef struct
{
  const char *text;
  double seconds;
} Case;

static void
check_valid (const Case *cases, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      double v = -12345.0;

      if (!stas_timeparse (cases[i].text, &v))
        g_error ("\"%s\" should be valid", cases[i].text);
      g_assert_cmpfloat_with_epsilon (v, cases[i].seconds, 1e-9);
    }
}

/* [CFG-6] every example row of the table in spec/config.md §2.5 */
static void
test_spec_examples (void)
{
  static const Case cases[] = {
    { "1", 1 },
    { "0.5", 0.5 },
    { "-1", -1 },
    { "1:01", 61 },
    { ":22", 22 },
    { "1 day", 86400 },
    { "72hours", 259200 },
    { "3 days 5 hours", 277200 },
    { "1 minute, 24 secs", 84 },
    { "1m24s", 84 },
    { "1.2 minutes", 72 },
    { "1.2 seconds", 1.2 },
    { "- 1 minute", -60 },
    { "+ 1 minute", 60 },
  };

  check_valid (cases, G_N_ELEMENTS (cases));
}

/* [CFG-6] number = digits ["." [digits]] | "." digits, with optional sign */
static void
test_plain_numbers (void)
{
  static const Case cases[] = {
    { "0", 0 },   { "259200", 259200 }, { "1.", 1 },       { ".5", 0.5 },
    { "+2", 2 },  { "-0.25", -0.25 },   { "  7  ", 7 },    { "-  3", -3 },
    { "007", 7 }, { "\t10\n", 10 },     { "1.250", 1.25 }, { "+.5", 0.5 },
  };

  check_valid (cases, G_N_ELEMENTS (cases));
}

/* [CFG-6] every unit spelling, case-insensitive, order D H M S, separators , and / */
static void
test_units (void)
{
  static const Case cases[] = {
    { "2d", 172800 },
    { "2dy", 172800 },
    { "2dys", 172800 },
    { "2day", 172800 },
    { "2days", 172800 },
    { "3h", 10800 },
    { "3hr", 10800 },
    { "3hrs", 10800 },
    { "3hour", 10800 },
    { "3hours", 10800 },
    { "4m", 240 },
    { "4min", 240 },
    { "4mins", 240 },
    { "4minute", 240 },
    { "4minutes", 240 },
    { "5s", 5 },
    { "5sec", 5 },
    { "5secs", 5 },
    { "5second", 5 },
    { "5seconds", 5 },
    { "1 DAY", 86400 },
    { "72HOURS", 259200 },
    { "1 Minute, 24 Secs", 84 },
    { "1d2h3m4s", 93784 },
    { "1 d, 2 h, 3 m, 4 s", 93784 },
    { "1d/2h/3m/4s", 93784 },
    { "1 day / 4 s", 86404 },
    { "1d,2h", 93600 },
    { "1 day,", 86400 },
    { "1.5 days", 129600 },
    { "0.5h", 1800 },
    { "-1d", -86400 },
    { "- 1 h 30 m", -5400 },
    { "  2 hours  ", 7200 },
  };

  check_valid (cases, G_N_ELEMENTS (cases));
}

/* [CFG-6] clock forms MM:SS, H:MM:SS, D:HH:MM:SS, :SS and n D [sep] H:MM:SS */
static void
test_clock (void)
{
  static const Case cases[] = {
    { "0:00", 0 },
    { "01:01", 61 },
    { "59:59", 3599 },
    { ":05", 5 },
    { ":05.5", 5.5 },
    { "1:01.25", 61.25 },
    { "1:02:03", 3723 },
    { "100:00:00", 360000 },
    { "1:02:03.5", 3723.5 },
    { "1:02:03:04", 93784 },
    { "10:00:00:00", 864000 },
    { "1 day 2:03:04", 93784 },
    { "1d, 2:03:04", 93784 },
    { "1 days/10:00:00", 122400 },
    { "-1:00", -60 },
    { "+ :30", 30 },
  };

  check_valid (cases, G_N_ELEMENTS (cases));
}

/* [CFG-6] [D-09] invalid texts, including nan, inf, exponents and the empty string */
static void
test_invalid (void)
{
  static const char *const bad[] = {
    "blah",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "infinity",
    "1e3",
    "1E3",
    "1e-3",
    "0x10",
    "",
    " ",
    "+",
    "-",
    "--1",
    "+-1",
    ".",
    "1..2",
    "1.2.3",
    "1 2",
    "1,000",
    "1 days 1 day",
    "1h 1d",
    "1s 1m",
    "1s,",
    "1 fortnight",
    "1 w",
    "1 weeks",
    "day",
    "1 ms",
    "1.h",
    ".5h",
    "1 dayss",
    "1:1",
    "1:001",
    "123:45",
    "1:2:03",
    "1:02:3",
    "1::03",
    "1:02:03:04:05",
    "1:02:03:4",
    "1:2:03:04",
    ":5",
    "::05",
    "1:01.",
    "1 day 1:01",
    "1 day 1:02:03:04",
    "1 hour 1:02:03",
    "1:02:03 1 day",
    "1 : 01",
    "1d 2h 3:04:05",
    "1 min 30",
    "5 s 3",
    "1 / 2",
    "/1d",
    ",1d",
    "1d,,2h",
    "1 ::",
    "1:01 s",
    "- - 1",
    "1-",
    "١",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      double v = 42.0;

      if (stas_timeparse (bad[i], &v))
        g_error ("\"%s\" should be invalid, parsed as %g", bad[i], v);
      g_assert_cmpfloat (v, ==, 42.0); /* untouched on failure */
    }
  g_assert_false (stas_timeparse (NULL, NULL));
}

/* [CFG-6] [D-09] numbers too large for a double are not a duration */
static void
test_overflow (void)
{
  g_autofree char *huge = g_strnfill (400, '9');
  g_autofree char *huge_days = g_strconcat (huge, " days", NULL);
  double v = 0;

  g_assert_false (stas_timeparse (huge, &v));
  g_assert_false (stas_timeparse (huge_days, &v));
  g_assert_true (stas_timeparse ("99999999999", &v));
  g_assert_cmpfloat (v, ==, 99999999999.0);
}

/* [CFG-6] the value pointer is optional */
static void
test_null_result (void)
{
  g_assert_true (stas_timeparse ("72 hours", NULL));
  g_assert_false (stas_timeparse ("nan", NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/timeparse/spec-examples", test_spec_examples);
  g_test_add_func ("/timeparse/plain-numbers", test_plain_numbers);
  g_test_add_func ("/timeparse/units", test_units);
  g_test_add_func ("/timeparse/clock", test_clock);
  g_test_add_func ("/timeparse/invalid", test_invalid);
  g_test_add_func ("/timeparse/overflow", test_overflow);
  g_test_add_func ("/timeparse/null-result", test_null_result);

  return g_test_run ();
}
