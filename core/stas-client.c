/* stas-client.c — shared client plumbing of stafctl and stacctl (spec/cli.md §2–§4). */
#include "config.h"

#include "stas-client.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "stas-config.h"
#include "stas-json.h"
#include "stas-log.h"
#include "stas-paths.h"
#include "stas-version.h"

#define DBUS_CALL_TIMEOUT_MS (25 * 1000)
#define PROPERTIES_IFACE "org.freedesktop.DBus.Properties"

struct _StasClient
{
  const char *prog;
  StasDaemonKind kind;
  const StasClientCommand *commands;
  gsize n_commands;
  const StasClientCommand *command; /* (unowned) the sub-command running */
  GDBusConnection *connection;      /* (owned) (nullable) */
};

/* ---- names ------------------------------------------------------------------------------- */

static const char *
daemon_name (StasClient *client)
{
  return stas_daemon_kind_name (client->kind);
}

static const char *
bus_name (StasClient *client)
{
  return client->kind == STAS_DAEMON_STAFD ? STAS_STAFD_BUS_NAME : STAS_STACD_BUS_NAME;
}

static const char *
object_path (StasClient *client)
{
  return client->kind == STAS_DAEMON_STAFD ? STAS_STAFD_OBJECT_PATH : STAS_STACD_OBJECT_PATH;
}

static const char *
debug_iface (StasClient *client)
{
  return client->kind == STAS_DAEMON_STAFD ? STAS_STAFD_DEBUG_IFACE : STAS_STACD_DEBUG_IFACE;
}

static const char *
main_iface (StasClient *client)
{
  return client->kind == STAS_DAEMON_STAFD ? STAS_STAFD_IFACE : STAS_STACD_IFACE;
}

/* ---- usage ------------------------------------------------------------------------------- */

static void
print_usage (StasClient *client, FILE *out)
{
  const StasClientCommand *cmd = client->command;

  if (cmd != NULL)
    {
      fprintf (out, "Usage: %s %s [-h]%s%s\n", client->prog, cmd->name,
               cmd->synopsis != NULL ? " " : "", cmd->synopsis != NULL ? cmd->synopsis : "");
      return;
    }
  fprintf (out, "Usage: %s [-h] [-v] {", client->prog);
  for (gsize i = 0; i < client->n_commands; i++)
    fprintf (out, "%s%s", i ? "," : "", client->commands[i].name);
  fprintf (out, "} ...\n");
}

static void
print_help (StasClient *client)
{
  const StasClientCommand *cmd = client->command;

  print_usage (client, stdout);
  if (cmd != NULL)
    {
      printf ("\n%s\n\nOptions:\n  -h, --help     Show this help message and exit.\n",
              cmd->summary);
      if (cmd->options != NULL)
        printf ("%s", cmd->options);
      return;
    }
  printf ("\n%s: command line interface of %s (output is JSON).\n\nCommands:\n", client->prog,
          daemon_name (client));
  for (gsize i = 0; i < client->n_commands; i++)
    printf ("  %-10s %s\n", client->commands[i].name, client->commands[i].summary);
  printf ("\nOptions:\n"
          "  -h, --help     Show this help message and exit.\n"
          "  -v, --version  Print the version and exit.\n");
}

static int usage_error (StasClient *client, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* [CLI-*] "<personality>: <error>" and the usage text on stderr, status 2 */
static int
usage_error (StasClient *client, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "%s: %s\n", client->prog, message);
  print_usage (client, stderr);
  return 2;
}

/* ---- GNU option parsing ------------------------------------------------------------------ */

enum
{
  OPT_END = -1,
  OPT_EXIT = -2, /* *status holds the exit status */
};

/* getopt_long() with the messages and the -h/--help of every sub-command. @optstring must
 * start with ":h". Call with optind = 0 before the first option. */
static int
next_option (StasClient *client,
             int argc,
             char **argv,
             const char *optstring,
             const struct option *longopts,
             int *status)
{
  int c;

  opterr = 0;
  c = getopt_long (argc, argv, optstring, longopts, NULL);
  switch (c)
    {
    case 'h':
      print_help (client);
      *status = 0;
      return OPT_EXIT;
    case '?':
      if (optopt != 0)
        *status = usage_error (client, "invalid option -- '%c'", optopt);
      else
        *status = usage_error (client, "unrecognized option '%s'", argv[optind - 1]);
      return OPT_EXIT;
    case ':':
      if (g_str_has_prefix (argv[optind - 1], "--"))
        *status = usage_error (client, "option '%s' requires an argument", argv[optind - 1]);
      else
        *status = usage_error (client, "option requires an argument -- '%c'", optopt);
      return OPT_EXIT;
    default:
      return c;
    }
}

/* Positional arguments are not accepted by any sub-command. */
static int
check_no_arguments (StasClient *client, int argc, char **argv)
{
  g_autofree char *rest = NULL;

  if (optind >= argc)
    return 0;
  rest = g_strjoinv (" ", argv + optind);
  return usage_error (client, "unrecognized arguments: %s", rest);
}

static const struct option help_only_options[] = {
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

/* For the sub-commands without options: -1 to go on, else the exit status. */
static int
parse_no_options (StasClient *client, int argc, char **argv)
{
  int status = -1;
  int c;

  optind = 0;
  while ((c = next_option (client, argc, argv, ":h", help_only_options, &status)) != OPT_END)
    if (c == OPT_EXIT)
      return status;
  status = check_no_arguments (client, argc, argv);
  return status != 0 ? status : -1;
}

static const struct option detailed_options[] = {
  { "detailed", no_argument, NULL, 'd' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

/* ls and adlp: [-d]. -1 to go on (*@detailed set), else the exit status. */
static int
parse_detailed (StasClient *client, int argc, char **argv, gboolean *detailed)
{
  int status = -1;
  int c;

  *detailed = FALSE;
  optind = 0;
  while ((c = next_option (client, argc, argv, ":hd", detailed_options, &status)) != OPT_END)
    {
      if (c == OPT_EXIT)
        return status;
      *detailed = TRUE;
    }
  status = check_no_arguments (client, argc, argv);
  return status != 0 ? status : -1;
}

/* ---- D-Bus ------------------------------------------------------------------------------- */

/* [CLI-11]: the error texts the user sees */
static void
report_error (StasClient *client, GError *error)
{
  g_autofree char *remote = g_dbus_error_get_remote_error (error);

  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
    fprintf (stderr, "Access denied by the D-Bus policy of %s (setting tron requires root)\n",
             bus_name (client));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
    fprintf (stderr, "Invalid reply from %s: %s\n", daemon_name (client), error->message);
  else if (remote != NULL && g_str_has_prefix (remote, "org.nvmexpress.stas."))
    {
      /* stas' own errors (e.g. a member not implemented) say what happened */
      g_dbus_error_strip_remote_error (error);
      fprintf (stderr, "%s: %s\n", client->prog, error->message);
    }
  else
    fprintf (stderr, "Unable to communicate with %s over D-Bus. Is %s running?\n",
             daemon_name (client), daemon_name (client));
}

/* Calls @method; the reply must have @reply_type. NULL with the error printed on failure. */
static GVariant *
call (StasClient *client,
      const char *iface,
      const char *method,
      GVariant *params,
      const GVariantType *reply_type)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;

  if (params != NULL)
    g_variant_ref_sink (params);
  if (client->connection == NULL)
    client->connection = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  /* never auto-start: stas daemons are not D-Bus activatable */
  if (client->connection != NULL)
    reply = g_dbus_connection_call_sync (
        client->connection, bus_name (client), object_path (client), iface, method, params, NULL,
        G_DBUS_CALL_FLAGS_NO_AUTO_START, DBUS_CALL_TIMEOUT_MS, NULL, &error);
  if (params != NULL)
    g_variant_unref (params);
  if (reply != NULL && !g_variant_is_of_type (reply, reply_type))
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "%s returned type '%s', expected '%s'", method, g_variant_get_type_string (reply),
                 g_variant_type_peek_string (reply_type));
  if (error != NULL)
    {
      report_error (client, error);
      return NULL;
    }
  return g_steal_pointer (&reply);
}

/* A method returning one string of JSON (process_info, controller_info,
 * get_all_log_pages), parsed; it must be of @kind (object or array). */
static StasJson *
call_json (
    StasClient *client, const char *iface, const char *method, GVariant *params, StasJsonKind kind)
{
  g_autoptr (GVariant) reply = call (client, iface, method, params, G_VARIANT_TYPE ("(s)"));
  g_autoptr (GError) error = NULL;
  g_autoptr (StasJson) json = NULL;
  const char *text;

  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(&s)", &text);
  json = stas_json_parse (text, strlen (text), 0, &error);
  if (json == NULL)
    {
      fprintf (stderr, "Invalid reply from %s: %s: not JSON: %s\n", daemon_name (client), method,
               error->message);
      return NULL;
    }
  if (json->kind != kind)
    {
      fprintf (stderr, "Invalid reply from %s: %s: not a JSON %s\n", daemon_name (client), method,
               kind == STAS_JSON_OBJECT ? "object" : "array");
      return NULL;
    }
  return g_steal_pointer (&json);
}

/* ---- output ------------------------------------------------------------------------------ */

/* [CLI-10] one JSON document and a newline on stdout */
static int
print_json (StasClient *client, const StasJson *json)
{
  g_autofree char *text = stas_json_to_pretty (json);

  if (fputs (text, stdout) < 0 || fputc ('\n', stdout) < 0 || fflush (stdout) != 0)
    {
      fprintf (stderr, "%s: cannot write the output: %s\n", client->prog, g_strerror (errno));
      return 1;
    }
  return 0;
}

static int
print_variant (StasClient *client, GVariant *value)
{
  g_autoptr (StasJson) json = stas_json_new_from_variant (value);
  return print_json (client, json);
}

/* ---- tron / troff ------------------------------------------------------------------------ */

static int
set_tron (StasClient *client, gboolean tron)
{
  g_autoptr (GVariant) set = NULL;
  g_autoptr (GVariant) get = NULL;
  g_autoptr (GVariant) value = NULL;
  g_autoptr (StasJson) out = NULL;

  set = call (client, PROPERTIES_IFACE, "Set",
              g_variant_new ("(ssv)", debug_iface (client), "tron", g_variant_new_boolean (tron)),
              G_VARIANT_TYPE_UNIT);
  if (set == NULL)
    return 1;
  get = call (client, PROPERTIES_IFACE, "Get", g_variant_new ("(ss)", debug_iface (client), "tron"),
              G_VARIANT_TYPE ("(v)"));
  if (get == NULL)
    return 1;
  g_variant_get (get, "(v)", &value);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    {
      fprintf (stderr, "Invalid reply from %s: tron is of type '%s', expected 'b'\n",
               daemon_name (client), g_variant_get_type_string (value));
      return 1;
    }
  /* [D-59] the value read back */
  out = stas_json_new_object ();
  stas_json_object_set (out, "tron", stas_json_new_bool (g_variant_get_boolean (value)));
  return print_json (client, out);
}

int
stas_client_cmd_tron (StasClient *client, int argc, char **argv)
{
  int status = parse_no_options (client, argc, argv);
  return status >= 0 ? status : set_tron (client, TRUE);
}

int
stas_client_cmd_troff (StasClient *client, int argc, char **argv)
{
  int status = parse_no_options (client, argc, argv);
  return status >= 0 ? status : set_tron (client, FALSE);
}

/* ---- ls ---------------------------------------------------------------------------------- */

static GVariant *
list_controllers (StasClient *client, gboolean detailed)
{
  g_autoptr (GVariant) reply = call (client, main_iface (client), "list_controllers",
                                     g_variant_new ("(b)", detailed), G_VARIANT_TYPE ("(aa{ss})"));

  return reply != NULL ? g_variant_get_child_value (reply, 0) : NULL;
}

int
stas_client_cmd_ls (StasClient *client, int argc, char **argv)
{
  g_autoptr (GVariant) list = NULL;
  gboolean detailed;
  int status = parse_detailed (client, argc, argv, &detailed);

  if (status >= 0)
    return status;
  list = list_controllers (client, detailed);
  return list != NULL ? print_variant (client, list) : 1;
}

/* ---- status ------------------------------------------------------------------------------ */

/* The 7 strings identifying @ctrl in controller_info / get_log_pages (IDL order). */
static GVariant *
controller_args (GVariant *ctrl)
{
  static const char *const keys[] = { "transport",   "traddr",     "trsvcid", "subsysnqn",
                                      "host-traddr", "host-iface", "host-nqn" };
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("(sssssss)"));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *value = NULL;

      if (!g_variant_lookup (ctrl, keys[i], "&s", &value))
        value = "";
      g_variant_builder_add (&b, "s", value);
    }
  return g_variant_builder_end (&b);
}

/* One element of "controllers": the detailed dictionary, stafd's log pages as "log_pages",
 * then the controller_info object merged over it. */
static StasJson *
status_controller (StasClient *client, GVariant *ctrl)
{
  g_autoptr (GVariant) args = g_variant_ref_sink (controller_args (ctrl));
  g_autoptr (StasJson) element = stas_json_new_from_variant (ctrl);
  g_autoptr (StasJson) info = NULL;

  if (client->kind == STAS_DAEMON_STAFD)
    {
      g_autoptr (GVariant) reply =
          call (client, main_iface (client), "get_log_pages", args, G_VARIANT_TYPE ("(aa{ss})"));
      g_autoptr (GVariant) pages = NULL;

      if (reply == NULL)
        return NULL;
      pages = g_variant_get_child_value (reply, 0);
      stas_json_object_set (element, "log_pages", stas_json_new_from_variant (pages));
    }
  info = call_json (client, debug_iface (client), "controller_info", args, STAS_JSON_OBJECT);
  if (info == NULL)
    return NULL;
  stas_json_object_merge (element, info);
  return g_steal_pointer (&element);
}

int
stas_client_cmd_status (StasClient *client, int argc, char **argv)
{
  g_autoptr (StasJson) info = NULL;
  g_autoptr (GVariant) list = NULL;
  g_autoptr (StasJson) controllers = stas_json_new_array ();
  GVariantIter iter;
  GVariant *ctrl;
  int status = parse_no_options (client, argc, argv);

  if (status >= 0)
    return status;
  info = call_json (client, debug_iface (client), "process_info", NULL, STAS_JSON_OBJECT);
  if (info == NULL)
    return 1;
  list = list_controllers (client, TRUE);
  if (list == NULL)
    return 1;
  g_variant_iter_init (&iter, list);
  while ((ctrl = g_variant_iter_next_value (&iter)) != NULL)
    {
      StasJson *element = status_controller (client, ctrl);

      g_variant_unref (ctrl);
      if (element == NULL)
        return 1;
      stas_json_array_add (controllers, element);
    }
  stas_json_object_set (info, "controllers", g_steal_pointer (&controllers));
  return print_json (client, info);
}

/* ---- dlp --------------------------------------------------------------------------------- */

/* [D-61] the sys.conf host NQN, or '' when it cannot be determined (the daemon then
 * uses its own, spec/dbus.md §3.4) */
static char *
default_host_nqn (void)
{
  g_autofree char *path = stas_path_stas_conf ("sys.conf");
  g_autofree char *nvme_dir = g_build_filename (stas_path_sysconfdir (), "nvme", NULL);
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasSysConf) sysconf = stas_sysconf_load (path, nvme_dir, diags, NULL);

  return g_strdup (sysconf != NULL ? stas_sysconf_get_host_nqn (sysconf) : "");
}

int
stas_client_cmd_dlp (StasClient *client, int argc, char **argv)
{
  static const struct option options[] = {
    { "transport", required_argument, NULL, 't' },
    { "traddr", required_argument, NULL, 'a' },
    { "trsvcid", required_argument, NULL, 's' },
    { "host-traddr", required_argument, NULL, 'w' },
    { "host-iface", required_argument, NULL, 'f' },
    { "host-nqn", required_argument, NULL, 'q' },
    { "nqn", required_argument, NULL, 'n' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  static const char *const transports[] = { "tcp", "rdma", "fc", "loop", NULL };
  const char *transport = "tcp", *traddr = NULL, *trsvcid = NULL, *host_traddr = "";
  const char *host_iface = "", *host_nqn = NULL, *nqn = STAS_WELL_KNOWN_DISC_NQN;
  g_autofree char *sysconf_nqn = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) pages = NULL;
  int status = -1;
  int c;

  optind = 0;
  while ((c = next_option (client, argc, argv, ":ht:a:s:w:f:q:n:", options, &status)) != OPT_END)
    {
      switch (c)
        {
        case OPT_EXIT:
          return status;
        case 't':
          if (!g_strv_contains (transports, optarg))
            return usage_error (client,
                                "argument -t/--transport: invalid choice: '%s' (choose from "
                                "'tcp', 'rdma', 'fc', 'loop')",
                                optarg);
          transport = optarg;
          break;
        case 'a':
          traddr = optarg;
          break;
        case 's':
          trsvcid = optarg;
          break;
        case 'w':
          host_traddr = optarg;
          break;
        case 'f':
          host_iface = optarg;
          break;
        case 'q':
          host_nqn = optarg;
          break;
        case 'n':
          nqn = optarg;
          break;
        default:
          g_assert_not_reached ();
        }
    }
  status = check_no_arguments (client, argc, argv);
  if (status != 0)
    return status;
  if (traddr == NULL || trsvcid == NULL)
    return usage_error (
        client, "the following arguments are required: %s%s%s", traddr == NULL ? "-a/--traddr" : "",
        traddr == NULL && trsvcid == NULL ? ", " : "", trsvcid == NULL ? "-s/--trsvcid" : "");
  if (host_nqn == NULL)
    host_nqn = sysconf_nqn = default_host_nqn ();

  reply = call (client, main_iface (client), "get_log_pages",
                g_variant_new ("(sssssss)", transport, traddr, trsvcid, nqn, host_traddr,
                               host_iface, host_nqn),
                G_VARIANT_TYPE ("(aa{ss})"));
  if (reply == NULL)
    return 1;
  pages = g_variant_get_child_value (reply, 0);
  return print_variant (client, pages);
}

/* ---- adlp -------------------------------------------------------------------------------- */

int
stas_client_cmd_adlp (StasClient *client, int argc, char **argv)
{
  g_autoptr (StasJson) all = NULL;
  gboolean detailed;
  int status = parse_detailed (client, argc, argv, &detailed);

  if (status >= 0)
    return status;
  all = call_json (client, main_iface (client), "get_all_log_pages",
                   g_variant_new ("(b)", detailed), STAS_JSON_ARRAY);
  return all != NULL ? print_json (client, all) : 1;
}

/* ---- main -------------------------------------------------------------------------------- */

int
stas_client_main (const char *prog,
                  StasDaemonKind kind,
                  const StasClientCommand *commands,
                  gsize n_commands,
                  int argc,
                  char **argv)
{
  static const struct option options[] = {
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  StasClient client = {
    .prog = prog, .kind = kind, .commands = commands, .n_commands = n_commands
  };
  int status = -1;
  int c;

  /* global options come before the sub-command ("+": stop at the first non-option) */
  optind = 0;
  while ((c = next_option (&client, argc, argv, "+:hv", options, &status)) != OPT_END)
    {
      if (c == OPT_EXIT)
        return status;
      printf ("%s\n", stas_version_text ());
      return 0;
    }
  if (optind >= argc)
    return usage_error (&client, "a sub-command is required"); /* [D-60] */

  for (gsize i = 0; i < n_commands; i++)
    if (strcmp (commands[i].name, argv[optind]) == 0)
      {
        client.command = &commands[i];
        status = commands[i].func (&client, argc - optind, argv + optind);
        g_clear_object (&client.connection);
        return status;
      }
  return usage_error (&client, "invalid command '%s'", argv[optind]);
}
