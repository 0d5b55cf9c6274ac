/* stas-daemon.c — the shared daemon life cycle (spec/cli.md §1.2, behaviour §10–§12). */
#include "config.h"

#include "stas-daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>
#include <glib-unix.h>
#include <systemd/sd-daemon.h>

#include "stas-fabrics.h"
#include "stas-idl.h"
#include "stas-log.h"
#include "stas-paths.h"
#include "stas-service.h"
#include "stas-staf.h"
#include "stas-stac.h"
#include "stas-version.h"

/* D-Bus RequestName flags and replies */
#define NAME_FLAG_DO_NOT_QUEUE 4
#define NAME_REPLY_PRIMARY_OWNER 1
#define NAME_REPLY_ALREADY_OWNER 4

typedef struct
{
  StasDaemonKind kind;
  const char *name; /* "stafd" / "stacd" */
  char *conf_path;  /* (owned) */
  gboolean conf_path_given;
  gboolean syslog;
  gboolean tron;
  char *idl_path; /* (owned) (nullable) */
} Options;

typedef struct
{
  Options *opts;
  StasService *service;        /* (owned) */
  GDBusConnection *connection; /* (owned) */
  GMainLoop *loop;             /* (owned) */
  guint name_lost_sub;
  gboolean stopping;
  int exit_status;
} Daemon;

StasService *
stas_service_new_for_kind (StasDaemonKind kind, StasFabrics *fabrics)
{
  if (kind == STAS_DAEMON_STAFD)
    return STAS_SERVICE (stas_staf_new (fabrics));
  return STAS_SERVICE (stas_stac_new (fabrics));
}

static const char *
bus_name_for_kind (StasDaemonKind kind)
{
  return kind == STAS_DAEMON_STAFD ? STAS_STAFD_BUS_NAME : STAS_STACD_BUS_NAME;
}

static void
print_usage (FILE *out, const char *name)
{
  fprintf (out, "Usage: %s [-h] [-v] [-f FILE] [-s] [--tron] [--idl FILE]\n", name);
}

static void
print_help (const Options *opts)
{
  print_usage (stdout, opts->name);
  printf ("\n%s\n\n",
          opts->kind == STAS_DAEMON_STAFD
              ? "STorage Appliance Finder (STAF). Must be root to run this program."
              : "STorage Appliance Connector (STAC). Must be root to run this program.");
  printf ("Options:\n"
          "  -h, --help            Show this help message and exit.\n"
          "  -v, --version         Print the version and exit.\n"
          "  -f, --conf-file FILE  Configuration file (default: %s).\n"
          "  -s, --syslog          Send messages to the journal/syslog instead of stdout.\n"
          "  --tron                Trace ON (debug logging).\n"
          "  --idl FILE            Write the D-Bus IDL to FILE ('-' = stdout) and exit.\n",
          opts->conf_path);
}

static int
usage_error (const Options *opts, const char *error)
{
  fprintf (stderr, "%s: %s\n", opts->name, error);
  print_usage (stderr, opts->name);
  return 2;
}

static int
print_version (StasService *service)
{
  g_autoptr (StasFabrics) fabrics = stas_fabrics_new_default ();
  g_autofree char *libversion = stas_fabrics_get_library_version (fabrics);

  printf ("%s\nlibnvme %s\n", stas_version_text (), libversion);
  return 0;
}

static gboolean
write_all (int fd, const char *text)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      ssize_t n = write (fd, text, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      text += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* --idl=FILE: exit 0, or 1 with "<prog>: cannot write <FILE>: <strerror>" [CLI-1] */
static int
write_idl (const Options *opts)
{
  const char *text = stas_idl_for_kind (opts->kind);
  gboolean to_stdout = g_strcmp0 (opts->idl_path, "-") == 0;
  int fd = to_stdout ? STDOUT_FILENO
                     : open (opts->idl_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int errsv;

  if (fd >= 0 && write_all (fd, text) && (to_stdout || close (fd) == 0))
    return 0;
  errsv = errno;
  if (fd >= 0 && !to_stdout)
    close (fd);
  fprintf (stderr, "%s: cannot write %s: %s\n", opts->name, opts->idl_path, g_strerror (errsv));
  return 1;
}

/* Returns -1 to continue, else the exit status. */
static int
parse_options (Options *opts, int argc, char **argv)
{
  enum
  {
    OPT_TRON = 0x100,
    OPT_IDL
  };
  static const struct option longopts[] = {
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'v' },
    { "conf-file", required_argument, NULL, 'f' },
    { "syslog", no_argument, NULL, 's' },
    { "tron", no_argument, NULL, OPT_TRON },
    { "idl", required_argument, NULL, OPT_IDL },
    { NULL, 0, NULL, 0 },
  };
  int c;

  opterr = 0; /* our own messages */
  optind = 1;
  while ((c = getopt_long (argc, argv, ":hvf:s", longopts, NULL)) != -1)
    {
      switch (c)
        {
        case 'h':
          print_help (opts);
          return 0;
        case 'v':
          return print_version (NULL);
        case 'f':
          g_free (opts->conf_path);
          opts->conf_path = g_strdup (optarg);
          opts->conf_path_given = TRUE;
          break;
        case 's':
          opts->syslog = TRUE;
          break;
        case OPT_TRON:
          opts->tron = TRUE;
          break;
        case OPT_IDL:
          g_free (opts->idl_path);
          opts->idl_path = g_strdup (optarg);
          break;
        case ':':
          {
            g_autofree char *msg =
                g_strdup_printf ("option '%s' requires an argument", argv[optind - 1]);
            return usage_error (opts, msg);
          }
        default:
          {
            g_autofree char *msg = g_strdup_printf ("unrecognized option '%s'", argv[optind - 1]);
            return usage_error (opts, msg);
          }
        }
    }
  if (optind < argc)
    {
      g_autofree char *msg = g_strdup_printf ("unexpected argument '%s'", argv[optind]);
      return usage_error (opts, msg);
    }
  if (opts->idl_path != NULL)
    return write_idl (opts);
  return -1;
}

static void
on_shutdown_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Daemon *d = user_data;

  g_main_loop_quit (d->loop);
}

/* [SIG-1]: the service winds down (state file, disposals, in-flight operations) before the
 * name is released; D-Bus methods keep answering meanwhile. */
static void
daemon_quit (Daemon *d, int status)
{
  if (d->stopping)
    return;
  d->stopping = TRUE;
  d->exit_status = status;
  sd_notify (0, "STOPPING=1");
  stas_service_shutdown_async (d->service, on_shutdown_done, d);
}

static gboolean
on_sigterm (gpointer user_data)
{
  Daemon *d = user_data;

  if (d->stopping)
    {
      /* [SIG-1]: a second signal during shutdown exits at once */
      stas_log (STAS_LOG_INFO, "%s: second termination signal, exiting now", d->opts->name);
      _exit (0);
    }
  stas_log (STAS_LOG_INFO, "%s: termination signal received, shutting down", d->opts->name);
  daemon_quit (d, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sighup (gpointer user_data)
{
  Daemon *d = user_data;

  sd_notify (0, "RELOADING=1");
  stas_service_reload (d->service);
  sd_notify (0, "READY=1");
  return G_SOURCE_CONTINUE;
}

static void
on_name_lost (GDBusConnection *connection,
              const char *sender,
              const char *path,
              const char *iface,
              const char *signal,
              GVariant *params,
              gpointer user_data)
{
  Daemon *d = user_data;
  const char *name = NULL;

  g_variant_get (params, "(&s)", &name);
  if (g_strcmp0 (name, bus_name_for_kind (d->opts->kind)) != 0)
    return;
  stas_log (STAS_LOG_ERROR, "Lost D-Bus name %s", name);
  daemon_quit (d, 1);
}

static void
on_connection_closed (GDBusConnection *connection,
                      gboolean remote_peer_vanished,
                      GError *error,
                      gpointer user_data)
{
  Daemon *d = user_data;

  stas_log (STAS_LOG_ERROR, "Lost D-Bus name %s (bus connection closed)",
            bus_name_for_kind (d->opts->kind));
  daemon_quit (d, 1);
}

/* Export first, then own the name, without queueing or replacement [DBUS-2]. */
static gboolean
acquire_bus (Daemon *d)
{
  const char *name = bus_name_for_kind (d->opts->kind);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  guint32 result = 0;

  d->connection = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (d->connection == NULL)
    {
      stas_log (STAS_LOG_ERROR, "Cannot connect to the system D-Bus: %s", error->message);
      return FALSE;
    }
  g_dbus_connection_set_exit_on_close (d->connection, FALSE);
  if (!stas_service_export (d->service, d->connection, &error))
    {
      stas_log (STAS_LOG_ERROR, "Cannot acquire D-Bus name %s: %s", name, error->message);
      return FALSE;
    }
  d->name_lost_sub = g_dbus_connection_signal_subscribe (
      d->connection, "org.freedesktop.DBus", "org.freedesktop.DBus", "NameLost",
      "/org/freedesktop/DBus", name, G_DBUS_SIGNAL_FLAGS_NONE, on_name_lost, d, NULL);

  reply = g_dbus_connection_call_sync (
      d->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "RequestName", g_variant_new ("(su)", name, NAME_FLAG_DO_NOT_QUEUE), G_VARIANT_TYPE ("(u)"),
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      stas_log (STAS_LOG_ERROR, "Cannot acquire D-Bus name %s: %s", name, error->message);
      return FALSE;
    }
  g_variant_get (reply, "(u)", &result);
  if (result != NAME_REPLY_PRIMARY_OWNER && result != NAME_REPLY_ALREADY_OWNER)
    {
      stas_log (STAS_LOG_ERROR, "Cannot acquire D-Bus name %s: %s", name,
                "the name is already owned by another process");
      return FALSE;
    }
  g_signal_connect (d->connection, "closed", G_CALLBACK (on_connection_closed), d);
  return TRUE;
}

static void
release_bus (Daemon *d)
{
  if (d->connection == NULL)
    return;
  g_signal_handlers_disconnect_by_data (d->connection, d);
  if (d->name_lost_sub != 0)
    g_dbus_connection_signal_unsubscribe (d->connection, d->name_lost_sub);
  stas_service_unexport (d->service);
  if (!g_dbus_connection_is_closed (d->connection))
    {
      GVariant *reply = g_dbus_connection_call_sync (
          d->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
          "ReleaseName", g_variant_new ("(s)", bus_name_for_kind (d->opts->kind)), NULL,
          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);

      g_clear_pointer (&reply, g_variant_unref);
      g_dbus_connection_flush_sync (d->connection, NULL, NULL);
    }
  g_clear_object (&d->connection);
}

static int
run (Options *opts)
{
  Daemon d = { .opts = opts, .exit_status = 0 };
  g_autoptr (StasFabrics) fabrics = NULL;
  g_autoptr (GError) error = NULL;

  /* [CLI-2] step 2 */
  if (geteuid () != 0)
    {
      fprintf (stderr, "Permission denied. You need root privileges to run %s.\n", opts->name);
      return 1;
    }
  /* step 3 */
  fabrics = stas_fabrics_new_default ();
  if (!stas_fabrics_check_kernel (fabrics, &error))
    {
      fprintf (stderr, "Fatal error: missing nvme-tcp kernel module\n");
      return 1;
    }
  /* step 4 */
  g_set_prgname (opts->name);
  stas_log_init (opts->name, opts->syslog ? STAS_LOG_TO_SYSLOG : STAS_LOG_TO_STDOUT);
  stas_log_set_debug (opts->tron);

  /* steps 5, 6 */
  d.service = stas_service_new_for_kind (opts->kind, fabrics);
  if (!stas_service_start (d.service, opts->conf_path, opts->conf_path_given, opts->tron, &error))
    {
      stas_log (STAS_LOG_ERROR, "%s", error->message);
      fprintf (stderr, "%s\n", error->message);
      g_object_unref (d.service);
      return 1;
    }

  /* steps 7, 8 */
  if (!stas_service_startup (d.service, &error))
    {
      stas_log (STAS_LOG_ERROR, "%s", error->message);
      g_object_unref (d.service);
      return 1;
    }

  /* step 10 */
  d.loop = g_main_loop_new (NULL, FALSE);
  if (!acquire_bus (&d))
    {
      release_bus (&d);
      g_object_unref (d.service);
      g_main_loop_unref (d.loop);
      return 1;
    }

  /* step 12 */
  g_unix_signal_add (SIGTERM, on_sigterm, &d);
  g_unix_signal_add (SIGINT, on_sigterm, &d);
  g_unix_signal_add (SIGHUP, on_sighup, &d);
  stas_log (STAS_LOG_INFO, "%s: %s started", opts->name, stas_version_text ());
  sd_notify (0, "READY=1");
  stas_service_activate (d.service);

  g_main_loop_run (d.loop);

  release_bus (&d);
  stas_log (STAS_LOG_INFO, "%s: exiting", opts->name);
  g_object_unref (d.service);
  g_main_loop_unref (d.loop);
  return d.exit_status;
}

int
stas_daemon_main (StasDaemonKind kind, int argc, char **argv)
{
  g_autofree char *conf_name = g_strdup_printf ("%s.conf", stas_daemon_kind_name (kind));
  Options opts = {
    .kind = kind,
    .name = stas_daemon_kind_name (kind),
    .conf_path = stas_path_stas_conf (conf_name),
  };
  int status = parse_options (&opts, argc, argv);

  if (status < 0)
    status = run (&opts);
  g_free (opts.conf_path);
  g_free (opts.idl_path);
  return status;
}
