/* stas-client.h — what stafctl and stacctl share: sub-command dispatch over a table, GNU
 * option parsing, the D-Bus calls, the error texts of spec/cli.md §2.2 and JSON output
 * (§2.1). Every sub-command prints its result only after all of its calls succeeded. */
#pragma once

#include <gio/gio.h>

#include "stas-names.h"

G_BEGIN_DECLS

typedef struct _StasClient StasClient;

typedef int (*StasClientCommandFunc) (StasClient *client, int argc, char **argv);

typedef struct
{
  const char *name;
  StasClientCommandFunc func;
  const char *synopsis; /* options after the name in usage lines: "[-d]" */
  const char *summary;
  const char *options; /* help text of the options (lines), or NULL */
} StasClientCommand;

/* Runs the client personality @prog ("stafctl") talking to daemon @kind: global options
 * -h/--help and -v/--version, then one sub-command of @commands with its own options.
 * Returns the exit status: 0 success, 1 D-Bus failure or invalid reply, 2 usage error. */
int stas_client_main (const char *prog,
                      StasDaemonKind kind,
                      const StasClientCommand *commands,
                      gsize n_commands,
                      int argc,
                      char **argv);

/* Sub-commands. @argv[0] is the sub-command name. */
int stas_client_cmd_tron (StasClient *client, int argc, char **argv);   /* both */
int stas_client_cmd_troff (StasClient *client, int argc, char **argv);  /* both */
int stas_client_cmd_ls (StasClient *client, int argc, char **argv);     /* both */
int stas_client_cmd_status (StasClient *client, int argc, char **argv); /* both */
int stas_client_cmd_dlp (StasClient *client, int argc, char **argv);    /* stafctl */
int stas_client_cmd_adlp (StasClient *client, int argc, char **argv);   /* stafctl */

G_END_DECLS
