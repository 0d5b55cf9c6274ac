/* stas-names.c */
#include "config.h"

#include "stas-names.h"

const char *
stas_daemon_kind_name (StasDaemonKind kind)
{
  return kind == STAS_DAEMON_STAFD ? "stafd" : "stacd";
}
