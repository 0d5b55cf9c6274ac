/* stas-version.h — the version text of spec/cli.md §1.3 [CLI-3]. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "stas <VERSION> (nvme-stas 2.4.1 compatible)" */
const char *stas_version_text (void);

G_END_DECLS
