/* stas-paths.c — file locations from the build settings (linked by the shipped binary). */
#include "config.h"

#include "stas-paths.h"

const char *
stas_path_sysconfdir (void)
{
  return STAS_SYSCONFDIR;
}

const char *
stas_path_rundir (void)
{
  return STAS_RUNDIR;
}

const char *
stas_path_datadir (void)
{
  return STAS_DATADIR;
}

const char *
stas_path_firmware_tables (void)
{
  return "/sys/firmware/acpi/tables";
}
