/* stacctl.c — command-line client of stacd (spec/cli.md §4). */
#include "config.h"

#include "personalities.h"
#include "stas-client.h"

static const StasClientCommand commands[] = {
  { "tron", stas_client_cmd_tron, NULL, "Trace ON (debug logging in stacd)", NULL },
  { "troff", stas_client_cmd_troff, NULL, "Trace OFF", NULL },
  { "status", stas_client_cmd_status, NULL, "Show stacd status", NULL },
  { "ls", stas_client_cmd_ls, "[-d]", "List I/O controllers",
    "  -d, --detailed Show the details of every controller.\n" },
};

int
stas_stacctl_main (int argc, char **argv)
{
  return stas_client_main ("stacctl", STAS_DAEMON_STACD, commands, G_N_ELEMENTS (commands), argc,
                           argv);
}
