/* stafctl.c — command-line client of stafd (spec/cli.md §3). */
#include "config.h"

#include "personalities.h"
#include "stas-client.h"

#define DETAILED_HELP "  -d, --detailed Show the details of every controller.\n"

static const StasClientCommand commands[] = {
  { "tron", stas_client_cmd_tron, NULL, "Trace ON (debug logging in stafd)", NULL },
  { "troff", stas_client_cmd_troff, NULL, "Trace OFF", NULL },
  { "status", stas_client_cmd_status, NULL, "Show stafd status", NULL },
  { "ls", stas_client_cmd_ls, "[-d]", "List discovery controllers", DETAILED_HELP },
  { "dlp", stas_client_cmd_dlp,
    "[-t <trtype>] -a <traddr> -s <trsvcid> [-w <traddr>] [-f <iface>] [-q <nqn>] [-n <nqn>]",
    "Show the cached log pages of one discovery controller",
    "  -t, --transport <trtype>   tcp (default), rdma, fc or loop\n"
    "  -a, --traddr <traddr>      address of the discovery controller (required)\n"
    "  -s, --trsvcid <trsvcid>    port of the discovery controller (required)\n"
    "  -w, --host-traddr <traddr> local address of the connection (default: '')\n"
    "  -f, --host-iface <iface>   local interface of the connection (default: '')\n"
    "  -q, --host-nqn <nqn>       host NQN of the connection (default: the one of sys.conf)\n"
    "  -n, --nqn <nqn>            subsystem NQN (default: " STAS_WELL_KNOWN_DISC_NQN ")\n" },
  { "adlp", stas_client_cmd_adlp, "[-d]", "Show the log pages of every discovery controller",
    DETAILED_HELP },
};

int
stas_stafctl_main (int argc, char **argv)
{
  return stas_client_main ("stafctl", STAS_DAEMON_STAFD, commands, G_N_ELEMENTS (commands), argc,
                           argv);
}
