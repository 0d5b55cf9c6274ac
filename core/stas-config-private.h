/* stas-config-private.h — shared between the stas-config*.c files; not a public API. */
#pragma once

#include <glib.h>

#include "stas-config.h"
#include "stas-ini.h"

G_BEGIN_DECLS

#define STAS_REDACTED "<redacted>"

/* TRUE for the keys whose values are secrets (never shown). */
gboolean stas_config_key_is_secret (const char *key);
/* @text, or "<redacted>" when @key is a secret or @text looks like one. */
const char *stas_config_shown (const char *key, const char *text);

/* Per-controller parameters (§4.2): the [Global] connection options plus the secrets. */
gboolean stas_config_key_is_param (const char *key);
/* TRUE for queue-size and nr-*-queues (not for discovery controllers). */
gboolean stas_config_key_is_io_queue_param (const char *key);
/* Converts @text for parameter @key; on failure returns NULL and the <expected> text. */
StasConfigParam *stas_config_param_parse (const char *key, const char *text, const char **expected);
void stas_config_param_free (StasConfigParam *param);

/* Parses and checks one controller= value (§4.1–§4.4), warnings to @diags. NULL when the
 * entry is ignored (always an invalid entry for the freeze rule). */
StasConfigController *stas_config_controller_parse (StasIniDiags *diags,
                                                    StasDaemonKind kind,
                                                    guint line,
                                                    const char *value);
void stas_config_controller_free (StasConfigController *ctrl);

/* Parses one exclude= value (§4.5); NULL when the entry is ignored. */
StasConfigExclude *stas_config_exclude_parse (StasIniDiags *diags, guint line, const char *value);
void stas_config_exclude_free (StasConfigExclude *excl);
/* TRUE if @excl matches a controller with these values (NULL = ''). */
gboolean stas_config_exclude_matches (const StasConfigExclude *excl,
                                      gboolean ignore_iface,
                                      const char *transport,
                                      const char *traddr,
                                      const char *trsvcid,
                                      const char *subsysnqn,
                                      const char *host_iface,
                                      const char *host_nqn,
                                      const char *host_id);

/* Strict decimal integer: optional sign, digits only; FALSE on overflow. */
gboolean stas_config_parse_int (const char *text, gint64 *value);

G_END_DECLS
