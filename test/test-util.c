/* test-util.c — helpers shared by the in-process tests. */
#include "config.h"

#include "test-util.h"

#include <string.h>

static char
level_letter (StasLogLevel level)
{
  switch (level)
    {
    case STAS_LOG_ERROR:
      return 'E';
    case STAS_LOG_WARNING:
      return 'W';
    case STAS_LOG_INFO:
      return 'I';
    case STAS_LOG_DEBUG:
      return 'D';
    default:
      return '?';
    }
}

void
stas_test_assert_diags (GPtrArray *diags, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < diags->len; i++)
    {
      StasDiag *d = g_ptr_array_index (diags, i);
      g_autofree char *got = g_strdup_printf ("%c %s", level_letter (d->level), d->text);

      g_assert_null (strstr (d->text, "DHHC-1:0")); /* secret values are never shown */
      if (i >= n)
        g_error ("unexpected diagnostic: %s", got);
      g_assert_cmpstr (got, ==, expected[i]);
    }
  g_assert_cmpuint (diags->len, ==, n);
}
