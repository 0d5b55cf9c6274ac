/* stas-client.c — shared client plumbing of stafctl and stacctl (spec/cli.md §2–§4). */
#include "config.h"

#include "stas-client.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "stas-json.h"
#include "stas-version.h"

#define DBUS_CALL_TIMEOUT_MS (25 * 1000)

struct _StasClient
{
  const char *prog;
  StasDaemonKind kind;
  const StasClientCommand *commands;
  gsize n_commands;
  GDBusConnection *connection; /* (owned) (nullable) */
};

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

static void
print_usage (StasClient *client, FILE *out)
{
  fprintf (out, "Usage: %s [-h] [-v] {", client->prog);
  for (gsize i = 0; i < client->n_commands; i++)
    fprintf (out, "%s%s", i ? "," : "", client->commands[i].name);
  fprintf (out, "} ...\n");
}

static void
print_help (StasClient *client)
{
  print_usage (client, stdout);
  printf ("\n%s: command line interface of %s (output is JSON).\n\nCommands:\n", client->prog,
          daemon_name (client));
  for (gsize i = 0; i < client->n_commands; i++)
    printf ("  %-10s %s\n", client->commands[i].name, client->commands[i].summary);
  printf ("\nOptions:\n"
          "  -h, --help     Show this help message and exit.\n"
          "  -v, --version  Print the version and exit.\n");
}

static int
usage_error (StasClient *client, const char *error)
{
  if (error != NULL)
    fprintf (stderr, "%s: %s\n", client->prog, error);
  print_usage (client, stderr);
  return 2;
}

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
      g_dbus_error_strip_remote_error (error);
      fprintf (stderr, "%s: %s\n", client->prog, error->message);
    }
  else
    fprintf (stderr, "Unable to communicate with %s over D-Bus. Is %s running?\n",
             daemon_name (client), daemon_name (client));
}

static gboolean
ensure_connection (StasClient *client, GError **error)
{
  if (client->connection == NULL)
    client->connection = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, error);
  return client->connection != NULL;
}

static GVariant *
call_raw (StasClient *client,
          const char *iface,
          const char *method,
          GVariant *params,
          const GVariantType *reply_type,
          GError **error)
{
  if (!ensure_connection (client, error))
    {
      if (params != NULL)
        g_variant_unref (g_variant_ref_sink (params));
      return NULL;
    }
  /* never auto-start: stas daemons are not D-Bus activatable */
  return g_dbus_connection_call_sync (
      client->connection, bus_name (client), object_path (client), iface, method, params,
      reply_type, G_DBUS_CALL_FLAGS_NO_AUTO_START, DBUS_CALL_TIMEOUT_MS, NULL, error);
}

GVariant *
stas_client_call (StasClient *client,
                  const char *iface,
                  const char *method,
                  GVariant *params,
                  const GVariantType *reply_type)
{
  g_autoptr (GError) error = NULL;
  GVariant *reply = call_raw (client, iface, method, params, reply_type, &error);

  if (reply == NULL)
    report_error (client, error);
  return reply;
}

int
stas_client_print_json (GVariant *value)
{
  g_autofree char *text = stas_json_from_variant (value);

  printf ("%s\n", text);
  return 0;
}

static int
set_tron (StasClient *client, gboolean tron)
{
  g_autoptr (GVariant) set = NULL;
  g_autoptr (GVariant) get = NULL;
  g_autoptr (GVariant) value = NULL;
  g_autoptr (GVariant) out = NULL;
  GVariantDict dict;

  set = stas_client_call (
      client, "org.freedesktop.DBus.Properties", "Set",
      g_variant_new ("(ssv)", debug_iface (client), "tron", g_variant_new_boolean (tron)), NULL);
  if (set == NULL)
    return 1;
  get = stas_client_call (client, "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", debug_iface (client), "tron"),
                          G_VARIANT_TYPE ("(v)"));
  if (get == NULL)
    return 1;
  g_variant_get (get, "(v)", &value);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    {
      fprintf (stderr, "Invalid reply from %s: tron is not a boolean\n", daemon_name (client));
      return 1;
    }
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "tron", value);
  out = g_variant_ref_sink (g_variant_dict_end (&dict));
  return stas_client_print_json (out);
}

int
stas_client_cmd_tron (StasClient *client, int argc, char **argv)
{
  if (argc > 1)
    return usage_error (client, "tron takes no arguments");
  return set_tron (client, TRUE);
}

int
stas_client_cmd_troff (StasClient *client, int argc, char **argv)
{
  if (argc > 1)
    return usage_error (client, "troff takes no arguments");
  return set_tron (client, FALSE);
}

int
stas_client_cmd_ls (StasClient *client, int argc, char **argv)
{
  static const struct option longopts[] = {
    { "detailed", no_argument, NULL, 'd' },
    { NULL, 0, NULL, 0 },
  };
  gboolean detailed = FALSE;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) list = NULL;
  int c;

  opterr = 0;
  optind = 1;
  while ((c = getopt_long (argc, argv, "d", longopts, NULL)) != -1)
    {
      if (c != 'd')
        return usage_error (client, "ls: unrecognized option");
      detailed = TRUE;
    }
  if (optind < argc)
    return usage_error (client, "ls: unexpected argument");
  reply = stas_client_call (client, main_iface (client), "list_controllers",
                            g_variant_new ("(b)", detailed), G_VARIANT_TYPE ("(aa{ss})"));
  if (reply == NULL)
    return 1;
  list = g_variant_get_child_value (reply, 0);
  return stas_client_print_json (list);
}

int
stas_client_cmd_not_implemented (StasClient *client, int argc, char **argv)
{
  fprintf (stderr, "%s: %s: not implemented yet in stas %s\n", client->prog, argv[0],
           PACKAGE_VERSION);
  return 1;
}

int
stas_client_main (const char *prog,
                  StasDaemonKind kind,
                  const StasClientCommand *commands,
                  gsize n_commands,
                  int argc,
                  char **argv)
{
  StasClient client = {
    .prog = prog, .kind = kind, .commands = commands, .n_commands = n_commands
  };
  int status = -1;
  int i;

  /* global options come before the sub-command */
  for (i = 1; i < argc && argv[i][0] == '-' && status < 0; i++)
    {
      if (strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "--help") == 0)
        {
          print_help (&client);
          status = 0;
        }
      else if (strcmp (argv[i], "-v") == 0 || strcmp (argv[i], "--version") == 0)
        {
          printf ("%s\n", stas_version_text ());
          status = 0;
        }
      else
        {
          g_autofree char *msg = g_strdup_printf ("unrecognized option '%s'", argv[i]);
          status = usage_error (&client, msg);
        }
    }
  if (status >= 0)
    return status;
  if (i >= argc)
    return usage_error (&client, "a command is required"); /* [D-60] */

  for (gsize c = 0; c < n_commands; c++)
    if (strcmp (commands[c].name, argv[i]) == 0)
      {
        status = commands[c].func (&client, argc - i, argv + i);
        g_clear_object (&client.connection);
        return status;
      }
  {
    g_autofree char *msg = g_strdup_printf ("invalid command '%s'", argv[i]);
    return usage_error (&client, msg);
  }
}
