/* stas-log.c — logging destinations and threshold (spec/behaviour.md §12). */
#include "config.h"

#include "stas-log.h"

#include <stdio.h>
#include <syslog.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

typedef enum
{
  SINK_STDOUT,  /* plain text lines */
  SINK_JOURNAL, /* native journal protocol */
  SINK_SYSLOG,  /* syslog(3) */
} Sink;

static GMutex log_lock;
static Sink log_sink = SINK_STDOUT;
static char *log_ident; /* (owned) */
static gboolean log_debug;
static StasLogHandler log_handler;
static gpointer log_handler_data;

StasDiag *
stas_diag_new (StasLogLevel level, const char *text)
{
  StasDiag *diag = g_new0 (StasDiag, 1);
  diag->level = level;
  diag->text = g_strdup (text);
  return diag;
}

void
stas_diag_free (StasDiag *diag)
{
  if (diag == NULL)
    return;
  g_free (diag->text);
  g_free (diag);
}

GPtrArray *
stas_diags_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) stas_diag_free);
}

void
stas_diags_add (GPtrArray *diags, StasLogLevel level, const char *fmt, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  if (diags == NULL)
    return;
  va_start (args, fmt);
  text = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_ptr_array_add (diags, stas_diag_new (level, text));
}

static gboolean
journal_socket_present (void)
{
  return g_file_test ("/run/systemd/journal/socket", G_FILE_TEST_EXISTS);
}

static GLogWriterOutput
glib_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *message = NULL;
  StasLogLevel ours;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
  if (message == NULL)
    return G_LOG_WRITER_UNHANDLED;

  if (level & G_LOG_LEVEL_ERROR)
    ours = STAS_LOG_CRITICAL;
  else if (level & G_LOG_LEVEL_CRITICAL)
    ours = STAS_LOG_ERROR;
  else if (level & G_LOG_LEVEL_WARNING)
    ours = STAS_LOG_WARNING;
  else if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
    ours = STAS_LOG_INFO;
  else
    ours = STAS_LOG_DEBUG;
  stas_log (ours, "%s", message);
  return G_LOG_WRITER_HANDLED;
}

void
stas_log_init (const char *ident, StasLogDest dest)
{
  g_mutex_lock (&log_lock);
  g_free (log_ident);
  log_ident = g_strdup (ident);
  if (dest == STAS_LOG_TO_SYSLOG)
    log_sink = journal_socket_present () ? SINK_JOURNAL : SINK_SYSLOG;
  else if (g_log_writer_is_journald (fileno (stdout)))
    log_sink = SINK_JOURNAL; /* started by systemd without -s: keep the priorities */
  else
    log_sink = SINK_STDOUT;
  if (log_sink == SINK_SYSLOG)
    openlog (log_ident, LOG_PID, LOG_DAEMON);
  setvbuf (stdout, NULL, _IOLBF, 0);
  g_mutex_unlock (&log_lock);

  g_log_set_writer_func (glib_writer, NULL, NULL);
}

void
stas_log_set_debug (gboolean debug)
{
  g_atomic_int_set (&log_debug, debug ? 1 : 0);
}

gboolean
stas_log_get_debug (void)
{
  return g_atomic_int_get (&log_debug) != 0;
}

const char *
stas_log_level_name (void)
{
  return stas_log_get_debug () ? "DEBUG" : "INFO";
}

void
stas_log_set_handler (StasLogHandler handler, gpointer user_data)
{
  g_mutex_lock (&log_lock);
  log_handler = handler;
  log_handler_data = user_data;
  g_mutex_unlock (&log_lock);
}

void
stas_logv (StasLogLevel level, const char *fmt, va_list args)
{
  g_autofree char *text = NULL;

  if (level == STAS_LOG_DEBUG && !stas_log_get_debug ())
    return;
  text = g_strdup_vprintf (fmt, args);

  g_mutex_lock (&log_lock);
  if (log_handler != NULL)
    log_handler (level, text, log_handler_data);
  else if (log_sink == SINK_JOURNAL)
    sd_journal_send ("MESSAGE=%s", text, "PRIORITY=%d", (int) level, "SYSLOG_IDENTIFIER=%s",
                     log_ident ? log_ident : g_get_prgname (), NULL);
  else if (log_sink == SINK_SYSLOG)
    syslog ((int) level, "%s", text);
  else
    {
      fputs (text, stdout);
      fputc ('\n', stdout);
    }
  g_mutex_unlock (&log_lock);
}

void
stas_log (StasLogLevel level, const char *fmt, ...)
{
  va_list args;

  va_start (args, fmt);
  stas_logv (level, fmt, args);
  va_end (args);
}

void
stas_log_diags (GPtrArray *diags)
{
  if (diags == NULL)
    return;
  for (guint i = 0; i < diags->len; i++)
    {
      const StasDiag *diag = g_ptr_array_index (diags, i);
      stas_log (diag->level, "%s", diag->text);
    }
}
