/* stasadm.c — host NQN / host ID / sys.conf administration (spec/cli.md §5): options and
 * dispatch; the work is done by core/stas-adm.c. */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "personalities.h"
#include "stas-adm.h"
#include "stas-paths.h"
#include "stas-version.h"

#define PROG "stasadm"
#define USAGE "usage: stasadm [-h] [-v] [-c FILE] {hostnqn,hostid,set-symname,clear-symname} ...\n"

typedef enum
{
  CMD_HOSTNQN,
  CMD_HOSTID,
  CMD_SET_SYMNAME,
  CMD_CLEAR_SYMNAME,
} Command;

typedef struct
{
  const char *name;
  Command cmd;
  const char *args; /* after the name in its usage line */
  const char *summary;
} CommandInfo;

static const CommandInfo commands[] = {
  { "hostnqn", CMD_HOSTNQN, " [-f FILE]", "Generate the host NQN and save it under [Host] nqn" },
  { "hostid", CMD_HOSTID, " [-f FILE]", "Generate the host ID and save it under [Host] id" },
  { "set-symname", CMD_SET_SYMNAME, " [-f FILE] SYMNAME",
    "Save the host symbolic name under [Host] symname" },
  { "clear-symname", CMD_CLEAR_SYMNAME, "", "Remove [Host] symname" },
};

typedef struct
{
  const char *conf_file; /* "" disables updating a configuration file */
  const CommandInfo *command;
  const char *file;    /* -f */
  const char *symname; /* set-symname's positional argument */
} Args;

static void
print_help (const char *conf_file)
{
  fputs (USAGE, stdout);
  printf ("\nConfiguration utility of stas: generates the host NQN and host ID and edits the\n"
          "[Host] section of the configuration file.\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *synopsis = g_strconcat (commands[i].name, commands[i].args, NULL);
      printf ("  %-29s %s\n", synopsis, commands[i].summary);
    }
  printf ("\nOptions:\n"
          "  -h, --help                    Show this help message and exit.\n"
          "  -v, --version                 Print the version and exit.\n"
          "  -c, --conf-file FILE          Configuration file (default %s);\n"
          "                                an empty FILE updates no configuration file.\n"
          "  -f, --file FILE               Save the value in FILE and refer to it as\n"
          "                                file://FILE in the configuration file.\n",
          conf_file);
}

static int usage_error (const CommandInfo *command, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static int
usage_error (const CommandInfo *command, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  fprintf (stderr, PROG ": %s\n", msg);
  if (command != NULL)
    fprintf (stderr, "usage: " PROG " %s%s\n", command->name, command->args);
  else
    fputs (USAGE, stderr);
  return 2;
}

/* Matches a value-taking option at argv[*i] (-x VALUE, -xVALUE, --name VALUE, --name=VALUE,
 * or an unambiguous prefix of --name). Returns 1 and the value, 0 if not this option,
 * -1 when the value is missing. */
static int
match_value_option (
    int argc, char **argv, int *i, char short_name, const char *long_name, const char **value)
{
  const char *arg = argv[*i];
  const char *eq;
  gsize n;

  if (arg[0] == '-' && arg[1] == short_name)
    {
      if (arg[2] != '\0')
        {
          *value = arg + 2;
          return 1;
        }
    }
  else if (g_str_has_prefix (arg, "--") && arg[2] != '\0')
    {
      eq = strchr (arg, '=');
      n = eq != NULL ? (gsize) (eq - arg - 2) : strlen (arg + 2);
      if (n > strlen (long_name) || strncmp (arg + 2, long_name, n) != 0)
        return 0;
      if (eq != NULL)
        {
          *value = eq + 1;
          return 1;
        }
    }
  else
    return 0;

  if (*i + 1 >= argc)
    return -1;
  *value = argv[++*i];
  return 1;
}

static gboolean
is_flag (const char *arg, const char *short_form, const char *long_name)
{
  return strcmp (arg, short_form) == 0 ||
         (g_str_has_prefix (arg, "--") && arg[2] != '\0' && g_str_has_prefix (long_name, arg + 2));
}

/* Global options, up to the sub-command. Returns -1 to go on, else the exit status. */
static int
parse_global (int argc, char **argv, int *i, Args *args)
{
  for (; *i < argc; (*i)++)
    {
      const char *arg = argv[*i];
      int m;

      if (strcmp (arg, "--") == 0)
        {
          (*i)++;
          break;
        }
      if (arg[0] != '-' || arg[1] == '\0')
        break;
      if (is_flag (arg, "-h", "help"))
        {
          print_help (args->conf_file);
          return 0;
        }
      if (is_flag (arg, "-v", "version"))
        {
          printf ("%s\n", stas_version_text ());
          return 0;
        }
      m = match_value_option (argc, argv, i, 'c', "conf-file", &args->conf_file);
      if (m < 0)
        return usage_error (NULL, "option '%s' requires an argument", arg);
      if (m == 0)
        return usage_error (NULL, "unrecognized option '%s'", arg);
    }
  return -1;
}

/* The sub-command, its options and its positional argument. */
static int
parse_command (int argc, char **argv, int i, Args *args)
{
  const CommandInfo *c = NULL;
  gboolean options = TRUE;
  int n_pos = 0;

  if (i >= argc)
    return usage_error (NULL, "a sub-command is required"); /* [D-60] */
  for (gsize k = 0; k < G_N_ELEMENTS (commands); k++)
    if (strcmp (argv[i], commands[k].name) == 0)
      c = &commands[k];
  if (c == NULL)
    return usage_error (NULL, "invalid command '%s'", argv[i]);
  args->command = c;

  for (i++; i < argc; i++)
    {
      const char *arg = argv[i];

      if (options && strcmp (arg, "--") == 0)
        options = FALSE;
      else if (options && arg[0] == '-' && arg[1] != '\0')
        {
          int m = c->cmd == CMD_CLEAR_SYMNAME
                      ? 0
                      : match_value_option (argc, argv, &i, 'f', "file", &args->file);
          if (is_flag (arg, "-h", "help"))
            {
              print_help (args->conf_file);
              return 0;
            }
          if (m < 0)
            return usage_error (c, "option '%s' requires an argument", arg);
          if (m == 0)
            return usage_error (c, "unrecognized option '%s'", arg);
        }
      else if (c->cmd == CMD_SET_SYMNAME && n_pos++ == 0)
        args->symname = arg;
      else
        return usage_error (c, "unexpected argument '%s'", arg);
    }

  if (c->cmd == CMD_SET_SYMNAME && args->symname == NULL)
    return usage_error (c, "%s: SYMNAME is required", c->name);
  if (args->file != NULL && *args->file == '\0')
    return usage_error (c, "option '-f' requires a file name");
  return -1;
}

static gboolean
run (const Args *args, GError **error)
{
  StasAdmSystem sys = {
    .product_uuid = "/sys/class/dmi/id/product_uuid",
    .partition_uuid = "/proc/device-tree/ibm,partition-uuid",
    .is_root = geteuid () == 0,
  };
  g_autofree char *machine_id = g_build_filename (stas_path_sysconfdir (), "machine-id", NULL);
  g_autofree char *hostnqn_file = stas_path_nvme_file ("hostnqn");
  g_autofree char *value = NULL;

  sys.machine_id = machine_id;
  switch (args->command->cmd)
    {
    case CMD_HOSTNQN:
      value = stas_adm_host_nqn_new (&sys, error);
      return value != NULL && stas_adm_save (args->conf_file, "nqn", value, args->file, error);
    case CMD_HOSTID:
      value = stas_adm_host_id_new (&sys, args->conf_file, hostnqn_file, NULL, error);
      return value != NULL && stas_adm_save (args->conf_file, "id", value, args->file, error);
    case CMD_SET_SYMNAME:
      return stas_adm_save (args->conf_file, "symname", args->symname, args->file, error);
    case CMD_CLEAR_SYMNAME:
    default:
      return stas_adm_save (args->conf_file, "symname", NULL, NULL, error);
    }
}

int
stas_stasadm_main (int argc, char **argv)
{
  g_autofree char *default_conf = stas_path_stas_conf ("sys.conf");
  g_autoptr (GError) error = NULL;
  Args args = { .conf_file = default_conf };
  int i = 1;
  int status;

  if ((status = parse_global (argc, argv, &i, &args)) >= 0)
    return status;
  if ((status = parse_command (argc, argv, i, &args)) >= 0)
    return status;

  if (args.command->cmd == CMD_SET_SYMNAME && !stas_adm_symname_is_valid (args.symname))
    {
      fputs (PROG ": invalid symbolic name\n", stderr);
      return 2;
    }

  if (!run (&args, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
        fprintf (stderr, "%s\n", error->message);
      else
        fprintf (stderr, PROG ": %s\n", error->message);
      return 1;
    }
  return 0;
}
