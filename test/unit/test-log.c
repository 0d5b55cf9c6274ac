/* test-log.c — [LOG-2] threshold and tron, diagnostics lists. */
#include "config.h"

#include "stas-log.h"

typedef struct
{
  GPtrArray *lines; /* "<level>:<text>" */
} Capture;

static void
capture (StasLogLevel level, const char *text, gpointer user_data)
{
  Capture *cap = user_data;
  g_ptr_array_add (cap->lines, g_strdup_printf ("%d:%s", level, text));
}

/* [LOG-2] INFO threshold; DEBUG only with tron; log_level names the threshold */
static void
test_threshold (void)
{
  Capture cap = { g_ptr_array_new_with_free_func (g_free) };

  stas_log_set_handler (capture, &cap);
  stas_log_set_debug (FALSE);
  g_assert_cmpstr (stas_log_level_name (), ==, "INFO");
  stas_debug ("hidden %d", 1);
  stas_info ("shown %d", 2);
  stas_warning ("warned");
  stas_error ("failed");
  g_assert_cmpuint (cap.lines->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (cap.lines, 0), ==, "6:shown 2");
  g_assert_cmpstr (g_ptr_array_index (cap.lines, 1), ==, "4:warned");
  g_assert_cmpstr (g_ptr_array_index (cap.lines, 2), ==, "3:failed");

  stas_log_set_debug (TRUE);
  g_assert_true (stas_log_get_debug ());
  g_assert_cmpstr (stas_log_level_name (), ==, "DEBUG");
  stas_debug ("now shown");
  g_assert_cmpuint (cap.lines->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (cap.lines, 3), ==, "7:now shown");

  stas_log_set_debug (FALSE);
  stas_log_set_handler (NULL, NULL);
  g_ptr_array_unref (cap.lines);
}

/* Parser diagnostics are kept in order and logged at their level. */
static void
test_diags (void)
{
  Capture cap = { g_ptr_array_new_with_free_func (g_free) };
  g_autoptr (GPtrArray) diags = stas_diags_new ();

  stas_diags_add (diags, STAS_LOG_WARNING, "%s:%d: bad", "f.conf", 3);
  stas_diags_add (diags, STAS_LOG_INFO, "note");
  stas_diags_add (diags, STAS_LOG_DEBUG, "detail");
  stas_diags_add (NULL, STAS_LOG_WARNING, "ignored");
  g_assert_cmpuint (diags->len, ==, 3);

  stas_log_set_handler (capture, &cap);
  stas_log_diags (diags);
  stas_log_diags (NULL);
  stas_log_set_handler (NULL, NULL);
  g_assert_cmpuint (cap.lines->len, ==, 2); /* DEBUG is below the threshold */
  g_assert_cmpstr (g_ptr_array_index (cap.lines, 0), ==, "4:f.conf:3: bad");
  g_assert_cmpstr (g_ptr_array_index (cap.lines, 1), ==, "6:note");
  g_ptr_array_unref (cap.lines);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/log/threshold", test_threshold);
  g_test_add_func ("/log/diags", test_diags);
  return g_test_run ();
}
