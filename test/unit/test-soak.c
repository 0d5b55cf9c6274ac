/* test-soak.c — [STAF-1] [D-73] leading-edge soak: a lone trigger runs after
 * FIRST_EVENT_SOAK, bursts coalesce, passes never overlap. Periods scaled down 100×. */
#include "config.h"

#include "stas-soak.h"

#define SCALE 0.1 /* CONF_SOAK 150 ms, FIRST_EVENT_SOAK 5 ms */
#define FIRST_S (STAS_FIRST_EVENT_SOAK_MS * SCALE / 1000.0)

typedef struct
{
  guint passes;
  gboolean hold; /* the pass stays "running" until released */
  StasSoak *soak;
} Counter;

static void
on_run (StasSoak *soak, gpointer user_data)
{
  Counter *c = user_data;

  c->passes++;
  if (!c->hold)
    stas_soak_pass_done (soak);
}

static void
spin_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* Runs the main loop until @c saw @n passes (bounded: a hang fails the count check). */
static void
wait_passes (Counter *c, guint n)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (c->passes < n && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

/* a lone event is acted on at once (leading edge), not after CONF_SOAK */
static void
test_leading_edge (void)
{
  Counter c = { 0 };
  g_autoptr (StasSoak) soak = stas_soak_new (on_run, &c);

  stas_soak_set_scale (soak, SCALE);
  stas_soak_trigger (soak);
  g_assert_true (stas_soak_is_scheduled (soak));
  g_assert_cmpfloat (stas_soak_remaining (soak), <=, FIRST_S);
  wait_passes (&c, 1);
  g_assert_cmpuint (c.passes, ==, 1);
  g_assert_false (stas_soak_is_scheduled (soak));
}

/* a burst right after a pass is coalesced into exactly one pass at the end of the window */
static void
test_burst_coalesced (void)
{
  Counter c = { 0 };
  g_autoptr (StasSoak) soak = stas_soak_new (on_run, &c);

  stas_soak_set_scale (soak, SCALE);
  stas_soak_trigger (soak);
  wait_passes (&c, 1);
  g_assert_cmpuint (c.passes, ==, 1);
  for (int i = 0; i < 50; i++)
    stas_soak_trigger (soak);
  g_assert_true (stas_soak_is_scheduled (soak));
  /* not the leading edge: the end of the CONF_SOAK window after the pass */
  g_assert_cmpfloat (stas_soak_remaining (soak), >, FIRST_S);
  wait_passes (&c, 2);
  spin_ms (20);
  g_assert_cmpuint (c.passes, ==, 2); /* 50 triggers, one pass */
  /* quiet again: the next lone event is leading-edge */
  spin_ms (160);
  stas_soak_trigger (soak);
  g_assert_cmpfloat (stas_soak_remaining (soak), <=, FIRST_S);
  wait_passes (&c, 3);
  g_assert_cmpuint (c.passes, ==, 3);
}

/* triggers during a running pass give exactly one more pass; passes never overlap */
static void
test_no_overlap (void)
{
  Counter c = { .hold = TRUE };
  g_autoptr (StasSoak) soak = stas_soak_new (on_run, &c);

  stas_soak_set_scale (soak, SCALE);
  stas_soak_trigger (soak);
  wait_passes (&c, 1);
  g_assert_cmpuint (c.passes, ==, 1);
  g_assert_true (stas_soak_is_running (soak));
  for (int i = 0; i < 10; i++)
    stas_soak_trigger (soak);
  stas_soak_restart (soak, STAS_CONF_SOAK_MS);    /* SIGHUP during a pass */
  g_assert_false (stas_soak_is_scheduled (soak)); /* still running: nothing new starts */
  c.hold = FALSE;
  stas_soak_pass_done (soak);
  g_assert_true (stas_soak_is_scheduled (soak));
  wait_passes (&c, 2);
  spin_ms (20);
  g_assert_cmpuint (c.passes, ==, 2);
  g_assert_false (stas_soak_is_scheduled (soak));
}

/* start-up and SIGHUP keep the full CONF_SOAK; stop prevents further passes */
static void
test_restart_and_stop (void)
{
  Counter c = { 0 };
  g_autoptr (StasSoak) soak = stas_soak_new (on_run, &c);

  stas_soak_set_scale (soak, SCALE);
  stas_soak_restart (soak, STAS_CONF_SOAK_MS);
  g_assert_cmpfloat (stas_soak_remaining (soak), >, FIRST_S);
  stas_soak_trigger (soak); /* coalesced into the scheduled pass */
  wait_passes (&c, 1);
  spin_ms (20);
  g_assert_cmpuint (c.passes, ==, 1);
  stas_soak_restart (soak, STAS_CONF_SOAK_MS);
  stas_soak_stop (soak);
  stas_soak_trigger (soak);
  g_assert_false (stas_soak_is_scheduled (soak));
  spin_ms (200);
  g_assert_cmpuint (c.passes, ==, 1);
  g_assert_cmpfloat (stas_soak_remaining (soak), <, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/soak/leading-edge", test_leading_edge);
  g_test_add_func ("/soak/burst-coalesced", test_burst_coalesced);
  g_test_add_func ("/soak/no-overlap", test_no_overlap);
  g_test_add_func ("/soak/restart-and-stop", test_restart_and_stop);
  return g_test_run ();
}
