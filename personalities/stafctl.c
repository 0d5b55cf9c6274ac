/* stafctl.c — command-line client of stafd (spec/cli.md §3). */
#include "config.h"

#include "personalities.h"
#include "stas-client.h"

static const StasClientCommand commands[] = {
  { "tron", stas_client_cmd_tron, "Trace ON (debug logging in stafd)" },
  { "troff", stas_client_cmd_troff, "Trace OFF" },
  { "status", stas_client_cmd_not_implemented, "Show stafd status" },
  { "ls", stas_client_cmd_ls, "List discovery controllers (-d: detailed)" },
  { "dlp", stas_client_cmd_not_implemented, "Show the log pages of one discovery controller" },
  { "adlp", stas_client_cmd_not_implemented, "Show the log pages of every discovery controller" },
};

int
stas_stafctl_main (int argc, char **argv)
{
  return stas_client_main ("stafctl", STAS_DAEMON_STAFD, commands, G_N_ELEMENTS (commands), argc,
                           argv);
}
