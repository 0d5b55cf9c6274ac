/* stas-paths.h — build-time file locations.
 *
 * The shipped binary links stas-paths.c (paths from the build settings); the test
 * binaries link test/test-paths.c, which places everything under a test root. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "/etc" by default */
const char *stas_path_sysconfdir (void);
/* "/run" by default */
const char *stas_path_rundir (void);
/* "/usr/share" by default */
const char *stas_path_datadir (void);

/* "/sys/firmware/acpi/tables" by default: where NBFT tables are found */
const char *stas_path_firmware_tables (void);

/* <sysconfdir>/stas/<name>, e.g. stas_path_stas_conf ("stafd.conf") */
char *stas_path_stas_conf (const char *name);
/* <sysconfdir>/nvme/<name>, e.g. stas_path_nvme_file ("hostnqn") */
char *stas_path_nvme_file (const char *name);

G_END_DECLS
