/* stacd.c — the stacd personality: the shared daemon life cycle with the stacd service. */
#include "config.h"

#include "personalities.h"
#include "stas-daemon.h"

int
stas_stacd_main (int argc, char **argv)
{
  return stas_daemon_main (STAS_DAEMON_STACD, argc, argv);
}
