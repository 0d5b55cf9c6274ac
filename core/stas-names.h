/* stas-names.h — the single source of bus names, object paths, interface names and
 * default file names. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define STAS_COMPAT_TEXT "nvme-stas 2.4.1 compatible"

#define STAS_STAFD_BUS_NAME "org.nvmexpress.staf"
#define STAS_STAFD_OBJECT_PATH "/org/nvmexpress/staf"
#define STAS_STAFD_IFACE "org.nvmexpress.staf"
#define STAS_STAFD_DEBUG_IFACE "org.nvmexpress.staf.debug"

#define STAS_STACD_BUS_NAME "org.nvmexpress.stac"
#define STAS_STACD_OBJECT_PATH "/org/nvmexpress/stac"
#define STAS_STACD_IFACE "org.nvmexpress.stac"
#define STAS_STACD_DEBUG_IFACE "org.nvmexpress.stac.debug"

#define STAS_WELL_KNOWN_DISC_NQN "nqn.2014-08.org.nvmexpress.discovery"
#define STAS_NQN_MAX_LEN 223

/* Which daemon a configuration, a TID default or a D-Bus object belongs to. */
typedef enum
{
  STAS_DAEMON_STAFD,
  STAS_DAEMON_STACD,
} StasDaemonKind;

const char *stas_daemon_kind_name (StasDaemonKind kind);

G_END_DECLS
