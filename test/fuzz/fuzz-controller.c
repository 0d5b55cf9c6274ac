/* fuzz-controller.c — one `controller=` / `exclude=` / `blacklist=` value (spec/config.md §4,
 * spec/bad-input.md §1.3, §1.5), through the configuration loader of either daemon.
 *
 * Input: byte 0 chooses the daemon (bit 0) and the key (bits 1-2); the rest is the value
 * (newlines included: they make continuation lines). */
#include "config.h"

#include "fuzz-common.h"
#include "stas-config.h"
#include "stas-log.h"

static const char *const keys[] = { "controller", "exclude", "blacklist", "controller" };

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GString) text = g_string_new ("[Global]\nkato = 30\n[Controllers]\n");
  g_autoptr (StasConfig) config = NULL;
  g_autoptr (StasConfig) reloaded = NULL;
  StasDaemonKind kind;

  if (size == 0)
    return 0;
  kind = (data[0] & 1) != 0 ? STAS_DAEMON_STACD : STAS_DAEMON_STAFD;
  g_string_append_printf (text, "%s = ", keys[(data[0] >> 1) & 3]);
  g_string_append_len (text, (const char *) data + 1, (gssize) size - 1);
  g_string_append_c (text, '\n');

  config = stas_config_load_from_data (kind, "fuzz.conf", text->str, text->len, NULL, diags);
  fuzz_exercise_config (config);
  /* the same entry once more on SIGHUP: nothing changes */
  reloaded = stas_config_load_from_data (kind, "fuzz.conf", text->str, text->len, config, diags);
  fuzz_exercise_config (reloaded);
  {
    g_auto (GStrv) changes = stas_config_describe_changes (config, reloaded);
    g_assert_cmpuint (g_strv_length (changes), ==, 0);
  }
  return 0;
}
