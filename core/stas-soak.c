/* stas-soak.c — leading-edge soak timer (behaviour §6.1, [D-73]). */
#include "config.h"

#include "stas-soak.h"

struct _StasSoak
{
  StasSoakRun run;
  gpointer user_data;
  double scale;
  guint timer;
  gint64 deadline_us;
  gint64 last_end_us; /* 0: no pass yet */
  gboolean running;
  gboolean pending;
  gboolean stopped;
};

StasSoak *
stas_soak_new (StasSoakRun run, gpointer user_data)
{
  StasSoak *soak = g_new0 (StasSoak, 1);

  soak->run = run;
  soak->user_data = user_data;
  soak->scale = 1.0;
  return soak;
}

void
stas_soak_free (StasSoak *soak)
{
  if (soak == NULL)
    return;
  g_clear_handle_id (&soak->timer, g_source_remove);
  g_free (soak);
}

void
stas_soak_set_scale (StasSoak *soak, double scale)
{
  soak->scale = scale;
}

static gint64
scaled_us (const StasSoak *soak, guint ms)
{
  return (gint64) (ms * soak->scale * 1000.0);
}

static gboolean
on_timer (gpointer user_data)
{
  StasSoak *soak = user_data;

  soak->timer = 0;
  soak->running = TRUE;
  soak->run (soak, soak->user_data);
  return G_SOURCE_REMOVE;
}

static void
schedule_us (StasSoak *soak, gint64 delay_us)
{
  g_clear_handle_id (&soak->timer, g_source_remove);
  if (soak->stopped)
    return;
  if (delay_us < 0)
    delay_us = 0;
  soak->deadline_us = g_get_monotonic_time () + delay_us;
  soak->timer = g_timeout_add ((guint) ((delay_us + 999) / 1000), on_timer, soak);
}

void
stas_soak_trigger (StasSoak *soak)
{
  gint64 now = g_get_monotonic_time ();
  gint64 window = scaled_us (soak, STAS_CONF_SOAK_MS);

  if (soak->stopped)
    return;
  if (soak->running)
    {
      soak->pending = TRUE; /* one more pass at the end of the window */
      return;
    }
  if (soak->timer != 0)
    return; /* coalesced into the scheduled pass */
  if (soak->last_end_us == 0 || now - soak->last_end_us >= window)
    schedule_us (soak, scaled_us (soak, STAS_FIRST_EVENT_SOAK_MS)); /* quiet: leading edge */
  else
    schedule_us (soak, soak->last_end_us + window - now); /* end of the window */
}

void
stas_soak_restart (StasSoak *soak, guint ms)
{
  if (soak->running)
    {
      soak->pending = TRUE;
      return;
    }
  schedule_us (soak, scaled_us (soak, ms));
}

void
stas_soak_pass_done (StasSoak *soak)
{
  g_return_if_fail (soak->running);
  soak->running = FALSE;
  soak->last_end_us = g_get_monotonic_time ();
  if (soak->pending)
    {
      soak->pending = FALSE;
      schedule_us (soak, scaled_us (soak, STAS_CONF_SOAK_MS));
    }
}

void
stas_soak_stop (StasSoak *soak)
{
  soak->stopped = TRUE;
  soak->pending = FALSE;
  g_clear_handle_id (&soak->timer, g_source_remove);
}

gboolean
stas_soak_is_running (const StasSoak *soak)
{
  return soak->running;
}

gboolean
stas_soak_is_scheduled (const StasSoak *soak)
{
  return soak->timer != 0;
}

double
stas_soak_remaining (const StasSoak *soak)
{
  if (soak->timer == 0)
    return -1.0;
  return MAX (0, soak->deadline_us - g_get_monotonic_time ()) / (double) G_USEC_PER_SEC;
}
