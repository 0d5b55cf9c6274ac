/* stas-paths-common.c — paths derived from the base directories of stas-paths.h. */
#include "config.h"

#include "stas-paths.h"

char *
stas_path_stas_conf (const char *name)
{
  return g_build_filename (stas_path_sysconfdir (), "stas", name, NULL);
}

char *
stas_path_nvme_file (const char *name)
{
  return g_build_filename (stas_path_sysconfdir (), "nvme", name, NULL);
}
