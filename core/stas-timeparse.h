/* stas-timeparse.h — time-span grammar of spec/config.md §2.5 [CFG-6]. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses @text (case-insensitive, whitespace between tokens allowed). Returns TRUE and
 * stores the seconds (may be fractional or negative) in @seconds on success; FALSE for
 * invalid text (including "nan", "inf", exponents and the empty string). */
gboolean stas_timeparse (const char *text, double *seconds);

G_END_DECLS
