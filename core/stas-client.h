/* stas-client.h — what stafctl and stacctl share: sub-command dispatch over a table, the
 * D-Bus calls, the error texts of spec/cli.md §2.2 and JSON output. */
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
  const char *summary;
} StasClientCommand;

/* Runs the client personality @prog ("stafctl") talking to daemon @kind. */
int stas_client_main (const char *prog,
                      StasDaemonKind kind,
                      const StasClientCommand *commands,
                      gsize n_commands,
                      int argc,
                      char **argv);

/* Calls @method of @iface on the daemon's object; NULL and the error printed (exit 1 is then
 * the caller's) on failure. */
GVariant *stas_client_call (StasClient *client,
                            const char *iface,
                            const char *method,
                            GVariant *params,
                            const GVariantType *reply_type);
/* Prints @value as JSON on stdout followed by a newline; returns 0. */
int stas_client_print_json (GVariant *value);

/* Sub-commands both clients have. */
int stas_client_cmd_tron (StasClient *client, int argc, char **argv);
int stas_client_cmd_troff (StasClient *client, int argc, char **argv);
int stas_client_cmd_ls (StasClient *client, int argc, char **argv);
/* A sub-command that is not implemented yet: says so on stderr, exit 1. */
int stas_client_cmd_not_implemented (StasClient *client, int argc, char **argv);

G_END_DECLS
