/* bench-startup.c — start-up to bus name owned (DESIGN.md §4, bench level): runs a daemon
 * command @runs times on the system bus ($DBUS_SYSTEM_BUS_ADDRESS, a private one in
 * test/bench/bench-stafd-process.sh) and times each run from just before the spawn to the
 * NameOwnerChanged signal that gives it @name (stamped by the bus worker thread), then
 * stops it with SIGTERM. Prints "runs=N ok=N min=MS median=MS max=MS". No assertion.
 *
 * Usage: bench-startup [--runs N] [--name NAME] [--log FILE] -- COMMAND ARGS... */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <gio/gio.h>

#define TIMEOUT_S 20

static int opt_runs = 10;
static char *opt_name = NULL;
static char *opt_log = NULL;

typedef struct
{
  const char *name;
  GMutex lock;
  gint64 t_owned; /* 0 until the name was given to someone (under @lock) */
  gboolean exited;
} Watch;

static void
set_owned (Watch *w, gint64 t)
{
  g_mutex_lock (&w->lock);
  w->t_owned = t;
  g_mutex_unlock (&w->lock);
}

static gint64
get_owned (Watch *w)
{
  gint64 t;

  g_mutex_lock (&w->lock);
  t = w->t_owned;
  g_mutex_unlock (&w->lock);
  return t;
}

static GDBusMessage *
filter (GDBusConnection *connection, GDBusMessage *message, gboolean incoming, gpointer user_data)
{
  Watch *w = user_data;
  GVariant *body = g_dbus_message_get_body (message);
  const char *name = NULL, *owner = NULL;

  if (incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_SIGNAL &&
      g_strcmp0 (g_dbus_message_get_member (message), "NameOwnerChanged") == 0 && body != NULL &&
      g_variant_is_of_type (body, G_VARIANT_TYPE ("(sss)")))
    {
      g_variant_get (body, "(&s&s&s)", &name, NULL, &owner);
      if (g_strcmp0 (name, w->name) == 0 && owner[0] != '\0')
        set_owned (w, g_get_monotonic_time ());
    }
  return message;
}

/* Wakes the main loop; the time was taken by filter(). */
static void
on_owner_changed (GDBusConnection *connection,
                  const char *sender,
                  const char *path,
                  const char *iface,
                  const char *signal,
                  GVariant *params,
                  gpointer user_data)
{
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
on_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Watch *w = user_data;

  (void) g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  w->exited = TRUE;
}

static gboolean
name_has_owner (GDBusConnection *bus, const char *name)
{
  g_autoptr (GVariant) reply = g_dbus_connection_call_sync (
      bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
      g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
      NULL);
  gboolean owned = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

/* One run: milliseconds to name owned, or a negative value. */
static double
one_run (GDBusConnection *bus, GSubprocessLauncher *launcher, Watch *w, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) child = NULL;
  gint64 t0, end, owned;
  gboolean timed_out = FALSE;
  guint timer;
  double ms = -1;

  for (end = g_get_monotonic_time () + TIMEOUT_S * G_USEC_PER_SEC;
       name_has_owner (bus, w->name) && g_get_monotonic_time () < end;)
    g_usleep (10000);
  set_owned (w, 0);
  w->exited = FALSE;
  t0 = g_get_monotonic_time ();
  child = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv, &error);
  if (child == NULL)
    {
      g_printerr ("bench-startup: %s\n", error->message);
      return -1;
    }
  g_subprocess_wait_async (child, NULL, on_exited, w);
  timer = g_timeout_add_seconds (TIMEOUT_S, on_timeout, &timed_out);
  while ((owned = get_owned (w)) == 0 && !w->exited && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timer);
  if (owned != 0)
    ms = (owned - t0) / 1000.0;
  else
    g_printerr ("bench-startup: %s did not own %s\n", argv[0], w->name);
  if (!w->exited)
    g_subprocess_send_signal (child, SIGTERM);
  while (!w->exited)
    g_main_context_iteration (NULL, TRUE);
  return ms;
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new ("-- COMMAND [ARGS...]");
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autofree double *ms = NULL;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &opt_runs, "Runs (10)", "N" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &opt_name, "Bus name (org.nvmexpress.staf)", "NAME" },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &opt_log, "Daemon output (appended)", "FILE" },
    { NULL },
  };
  Watch w = { 0 };
  guint ok = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2 || opt_runs < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: bench-startup -- COMMAND");
      return 2;
    }
  if (g_strcmp0 (argv[1], "--") == 0)
    argv++, argc--;
  if (argc < 2)
    {
      g_printerr ("usage: bench-startup [OPTION...] -- COMMAND [ARGS...]\n");
      return 2;
    }
  w.name = opt_name != NULL ? opt_name : "org.nvmexpress.staf";
  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (bus == NULL)
    {
      g_printerr ("bench-startup: %s\n", error->message);
      return 1;
    }
  g_dbus_connection_add_filter (bus, filter, &w, NULL);
  g_dbus_connection_signal_subscribe (bus, "org.freedesktop.DBus", "org.freedesktop.DBus",
                                      "NameOwnerChanged", "/org/freedesktop/DBus", w.name,
                                      G_DBUS_SIGNAL_FLAGS_NONE, on_owner_changed, NULL, NULL);
  (void) name_has_owner (bus, w.name); /* a round trip: the match rule is in place */

  launcher = g_subprocess_launcher_new (opt_log != NULL ? G_SUBPROCESS_FLAGS_STDERR_MERGE
                                                        : G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                              G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  if (opt_log != NULL)
    {
      int fd = open (opt_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

      if (fd < 0)
        {
          g_printerr ("bench-startup: %s: %s\n", opt_log, g_strerror (errno));
          return 1;
        }
      g_subprocess_launcher_take_stdout_fd (launcher, fd); /* every run appends to it */
    }

  ms = g_new0 (double, opt_runs);
  for (int i = 0; i < opt_runs; i++)
    {
      double t = one_run (bus, launcher, &w, argv + 1);
      if (t >= 0)
        ms[ok++] = t;
    }
  if (ok == 0)
    {
      g_print ("runs=%d ok=0\n", opt_runs);
      return 1;
    }
  qsort (ms, ok, sizeof *ms, cmp_double);
  g_print ("runs=%d ok=%u min=%.1f median=%.1f max=%.1f\n", opt_runs, ok, ms[0],
           ok % 2 ? ms[ok / 2] : (ms[ok / 2 - 1] + ms[ok / 2]) / 2, ms[ok - 1]);
  return 0;
}
