/* fuzz-state.c — the run-time state file "last known config" (spec/system.md §3,
 * spec/bad-input.md §8), read by stafd and by stacd; what is read is written again and read
 * back unchanged.
 *
 * Input: the file's text. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "stas-log.h"
#include "stas-state.h"

static void
read_as (StasDaemonKind daemon, const StasTidDefaults *defaults, const char *text, gsize len)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StasState) state = NULL;
  g_autoptr (StasState) again = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_from_unix_utc (1741079702);
  g_autofree char *written = NULL;

  state = stas_state_from_json (text, len, daemon, defaults, "fuzz.json", diags, &error);
  if (state == NULL)
    {
      g_assert_true (g_error_matches (error, STAS_STATE_ERROR, STAS_STATE_ERROR_INVALID));
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpint (state->daemon, ==, daemon);
  for (guint i = 0; i < state->records->len; i++)
    {
      const StasStateRecord *rec = g_ptr_array_index (state->records, i);

      g_assert_nonnull (rec->tid);
      g_assert_nonnull (rec->device);
      g_assert_nonnull (rec->log_pages);
      g_assert_nonnull (rec->sources);
      (void) stas_state_origin_to_string (rec->origin);
      (void) stas_state_log_pages_to_string (rec->log_pages_state);
    }

  /* written back (as at shutdown) and read again: the same records */
  written = stas_state_to_json (state, now);
  again =
      stas_state_from_json (written, strlen (written), daemon, defaults, "fuzz.json", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_cmpuint (again->records->len, ==, state->records->len);
  for (guint i = 0; i < state->records->len; i++)
    {
      const StasStateRecord *a = g_ptr_array_index (state->records, i);
      const StasStateRecord *b = g_ptr_array_index (again->records, i);

      g_assert_true (stas_tid_equal (a->tid, b->tid));
      g_assert_cmpint (a->origin, ==, b->origin);
      g_assert_cmpstr (a->device, ==, b->device);
      g_assert_true (g_variant_equal (a->log_pages, b->log_pages));
      g_assert_cmpuint (a->sources->len, ==, b->sources->len);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  read_as (STAS_DAEMON_STAFD, &fuzz_stafd_defaults, (const char *) data, size);
  read_as (STAS_DAEMON_STACD, &fuzz_stacd_defaults, (const char *) data, size);
  read_as (STAS_DAEMON_STACD, NULL, (const char *) data, size);
  return 0;
}
