/* stafd.c — the stafd personality: the shared daemon life cycle with the stafd service. */
#include "config.h"

#include "personalities.h"
#include "stas-daemon.h"

int
stas_stafd_main (int argc, char **argv)
{
  return stas_daemon_main (STAS_DAEMON_STAFD, argc, argv);
}
