/* stas-log.h — logging (spec/behaviour.md §12).
 *
 * Destinations: stdout (default, message text only), or the journal / syslog(3) with
 * -s. Threshold INFO, DEBUG when tron is on. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  STAS_LOG_CRITICAL = 2,
  STAS_LOG_ERROR = 3,
  STAS_LOG_WARNING = 4,
  STAS_LOG_INFO = 6,
  STAS_LOG_DEBUG = 7,
} StasLogLevel; /* values are syslog priorities */

typedef enum
{
  STAS_LOG_TO_STDOUT,
  STAS_LOG_TO_SYSLOG, /* journal native protocol, else syslog(3) */
} StasLogDest;

/* A diagnostic produced by a parser: logged by the caller, inspected by tests. */
typedef struct
{
  StasLogLevel level;
  char *text; /* (owned) */
} StasDiag;

StasDiag *stas_diag_new (StasLogLevel level, const char *text);
void stas_diag_free (StasDiag *diag);
/* Appends a formatted StasDiag to @diags (a GPtrArray with stas_diag_free as free func). */
void stas_diags_add (GPtrArray *diags, StasLogLevel level, const char *fmt, ...)
    G_GNUC_PRINTF (3, 4);
/* A new empty GPtrArray of StasDiag. */
GPtrArray *stas_diags_new (void);

void stas_log_init (const char *ident, StasLogDest dest);
void stas_log_set_debug (gboolean debug);
gboolean stas_log_get_debug (void);
/* "DEBUG" or "INFO" */
const char *stas_log_level_name (void);

void stas_log (StasLogLevel level, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
void stas_logv (StasLogLevel level, const char *fmt, va_list args) G_GNUC_PRINTF (2, 0);
/* Logs every diagnostic of @diags (may be NULL). */
void stas_log_diags (GPtrArray *diags);

/* Tests: receive every message that passes the threshold instead of the destination. */
typedef void (*StasLogHandler) (StasLogLevel level, const char *text, gpointer user_data);
void stas_log_set_handler (StasLogHandler handler, gpointer user_data);

#define stas_debug(...) stas_log (STAS_LOG_DEBUG, __VA_ARGS__)
#define stas_info(...) stas_log (STAS_LOG_INFO, __VA_ARGS__)
#define stas_warning(...) stas_log (STAS_LOG_WARNING, __VA_ARGS__)
#define stas_error(...) stas_log (STAS_LOG_ERROR, __VA_ARGS__)

G_END_DECLS
