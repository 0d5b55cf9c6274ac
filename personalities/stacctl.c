/* stacctl.c — command-line client of stacd (spec/cli.md §4). */
#include "config.h"

#include "personalities.h"
#include "stas-client.h"

static const StasClientCommand commands[] = {
  { "tron", stas_client_cmd_tron, "Trace ON (debug logging in stacd)" },
  { "troff", stas_client_cmd_troff, "Trace OFF" },
  { "status", stas_client_cmd_not_implemented, "Show stacd status" },
  { "ls", stas_client_cmd_ls, "List I/O controllers (-d: detailed)" },
};

int
stas_stacctl_main (int argc, char **argv)
{
  return stas_client_main ("stacctl", STAS_DAEMON_STACD, commands, G_N_ELEMENTS (commands), argc,
                           argv);
}
