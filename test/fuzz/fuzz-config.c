/* fuzz-config.c — stafd.conf / stacd.conf text (spec/config.md, spec/bad-input.md §1):
 * loaded for both daemons at start-up, then reloaded (SIGHUP) over a previous configuration.
 *
 * Input: a configuration file. A line "%%" splits it into the configuration in effect and
 * the edited file that SIGHUP loads over it; without one the file is reloaded over itself. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "stas-config.h"
#include "stas-log.h"

#define SEPARATOR "\n%%\n"

static void
check_changes (const StasConfig *old, const StasConfig *new)
{
  g_auto (GStrv) changes = stas_config_describe_changes (old, new);

  for (guint i = 0; changes[i] != NULL; i++)
    g_assert_true (g_utf8_validate (changes[i], -1, NULL));
}

static void
load (StasDaemonKind kind, const char *before, gsize before_len, const char *after, gsize after_len)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasConfig) previous = NULL;
  g_autoptr (StasConfig) reloaded = NULL;
  g_auto (GStrv) same = NULL;

  previous =
      stas_config_load_from_data (kind, "/etc/stas/fuzz.conf", before, before_len, NULL, diags);
  fuzz_exercise_config (previous);
  reloaded =
      stas_config_load_from_data (kind, "/etc/stas/fuzz.conf", after, after_len, previous, diags);
  fuzz_exercise_config (reloaded);
  check_changes (previous, reloaded);
  same = stas_config_describe_changes (reloaded, reloaded);
  g_assert_cmpuint (g_strv_length (same), ==, 0);

  for (guint i = 0; i < diags->len; i++)
    {
      const StasDiag *d = g_ptr_array_index (diags, i);
      g_assert_true (g_utf8_validate (d->text, -1, NULL));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  const char *sep = memmem (data, size, SEPARATOR, strlen (SEPARATOR));
  const char *after = text;
  gsize before_len = size;
  gsize after_len = size;

  if (sep != NULL)
    {
      before_len = (gsize) (sep - text) + 1;
      after = sep + strlen (SEPARATOR);
      after_len = size - (gsize) (after - text);
    }
  load (STAS_DAEMON_STAFD, text, before_len, after, after_len);
  load (STAS_DAEMON_STACD, text, before_len, after, after_len);
  return 0;
}
