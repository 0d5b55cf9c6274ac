/* stas-soak.h — StasSoak: the reconciliation soak timer of both daemons (behaviour §6.1,
 * §7.1) with the leading edge of [D-73]: a lone trigger runs the pass after
 * FIRST_EVENT_SOAK; triggers during a pass or within CONF_SOAK after it coalesce into
 * exactly one further pass at the end of that window. Passes never overlap. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define STAS_CONF_SOAK_MS 1500
#define STAS_FIRST_EVENT_SOAK_MS 50
#define STAS_CONF_LONG_SOAK_MS 10000

typedef struct _StasSoak StasSoak;

/* @run starts a pass; the owner calls stas_soak_pass_done() when it finished (a pass may
 * be asynchronous, e.g. host-name resolution). */
typedef void (*StasSoakRun) (StasSoak *soak, gpointer user_data);

StasSoak *stas_soak_new (StasSoakRun run, gpointer user_data);
void stas_soak_free (StasSoak *soak);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasSoak, stas_soak_free)

/* Tests: scale every period (1.0 = the specified values). */
void stas_soak_set_scale (StasSoak *soak, double scale);

/* An event wants a pass (leading edge). */
void stas_soak_trigger (StasSoak *soak);
/* Start-up, SIGHUP, CONF_LONG_SOAK: (re)start the timer with @ms, replacing a pending one. */
void stas_soak_restart (StasSoak *soak, guint ms);
void stas_soak_pass_done (StasSoak *soak);
/* Stops the timer; no more passes start (shutdown). */
void stas_soak_stop (StasSoak *soak);

gboolean stas_soak_is_running (const StasSoak *soak);
gboolean stas_soak_is_scheduled (const StasSoak *soak);
/* Seconds until the scheduled pass, or a negative value when none is scheduled. */
double stas_soak_remaining (const StasSoak *soak);

G_END_DECLS
