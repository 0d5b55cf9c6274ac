/* stas-daemon.h — the life cycle stafd and stacd share (spec/cli.md §1, behaviour §10–§12):
 * options, privilege and kernel checks, logging, configuration, bus name, signals,
 * sd_notify, main loop. */
#pragma once

#include "stas-names.h"

G_BEGIN_DECLS

/* Runs daemon @kind with its command line; returns the process exit status. */
int stas_daemon_main (StasDaemonKind kind, int argc, char **argv);

G_END_DECLS
