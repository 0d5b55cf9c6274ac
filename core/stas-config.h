/* stas-config.h — stafd.conf / stacd.conf / sys.conf parsing and validation
 * (spec/config.md). */
#pragma once

#include <glib.h>

#include "stas-names.h"

G_BEGIN_DECLS

/* ---- value types ------------------------------------------------------------------ */

/* An integer option that may be "not set" (then nothing is passed to libnvme). */
typedef struct
{
  gboolean set;
  gint64 value;
} StasOptInt;

/* ip-family: which address families may be connected. */
typedef enum
{
  STAS_IP_FAMILY_IPV4 = 1 << 0,
  STAS_IP_FAMILY_IPV6 = 1 << 1,
  STAS_IP_FAMILY_BOTH = STAS_IP_FAMILY_IPV4 | STAS_IP_FAMILY_IPV6,
} StasIpFamily;

typedef enum
{
  STAS_DISCONNECT_ONLY_STAS_CONNECTIONS,
  STAS_DISCONNECT_ALL_MATCHING_TRTYPES,
  STAS_DISCONNECT_NO_DISCONNECT,
} StasDisconnectScope;

/* disconnect-trtypes */
typedef enum
{
  STAS_TRTYPE_TCP = 1 << 0,
  STAS_TRTYPE_RDMA = 1 << 1,
  STAS_TRTYPE_FC = 1 << 2,
} StasTrtypes;

/* "ipv4", "ipv6", "ipv4+ipv6" */
const char *stas_ip_family_to_string (StasIpFamily family);
/* "only-stas-connections", ... */
const char *stas_disconnect_scope_to_string (StasDisconnectScope scope);

/* ---- controller= and exclude= entries (spec/config.md §4) ------------------------ */

typedef enum
{
  STAS_CONFIG_PARAM_BOOL,
  STAS_CONFIG_PARAM_INT,
  STAS_CONFIG_PARAM_SECRET,
} StasConfigParamType;

/* A per-controller parameter (§4.3), already validated and converted. */
typedef struct
{
  char *key; /* "kato", "hdr-digest", "dhchap-secret", ... */
  StasConfigParamType type;
  gboolean bool_value;
  gint64 int_value;
  char *secret; /* STAS_CONFIG_PARAM_SECRET only */
} StasConfigParam;

/* Renders a parameter value as in D-Bus dictionaries: "True"/"False", decimal integers,
 * "<redacted>" for secrets. */
char *stas_config_param_to_string (const StasConfigParam *param);

/* A valid controller= entry as written (no host-name resolution, no TID defaults).
 * Fields not given are NULL. Invariants after validation: transport is lower-case
 * tcp/rdma/fc/loop; traddr is set for tcp/rdma/fc (an IP literal or a host name for
 * tcp/rdma), NULL for loop; trsvcid only for tcp/rdma (digits, 1..65535); subsysnqn is
 * set (stafd fills in the well-known discovery NQN); host_iface only for tcp; host_traddr
 * set for fc. */
typedef struct
{
  char *transport;
  char *traddr;
  char *trsvcid;
  char *subsysnqn;
  char *host_traddr;
  char *host_iface;
  char *host_nqn;
  char *host_id;
  GPtrArray *params; /* StasConfigParam, in entry order */
  guint line;        /* source line */
} StasConfigController;

const StasConfigParam *stas_config_controller_get_param (const StasConfigController *ctrl,
                                                         const char *key);
/* "transport=tcp;traddr=...;kato=30;dhchap-secret=<redacted>" — for logs. */
char *stas_config_controller_to_string (const StasConfigController *ctrl);

/* A valid exclude= (or blacklist=) entry: the fields given (others NULL); at least one. */
typedef struct
{
  char *transport;
  char *traddr;
  char *trsvcid;
  char *subsysnqn;
  char *host_iface;
  char *host_nqn;
  char *host_id;
  guint line;
} StasConfigExclude;

char *stas_config_exclude_to_string (const StasConfigExclude *excl);

/* ---- daemon configuration (stafd.conf / stacd.conf) ---------------------------- */

typedef struct _StasConfig StasConfig; /* immutable once loaded, reference counted */

/* Loads @path for daemon @kind.
 * @path_given: the path came from -f (a missing file then logs INFO).
 * @previous: the configuration in effect (SIGHUP) or NULL (start-up); invalid values keep
 *   the previous value, an unreadable file returns a new reference to @previous.
 * @diags: StasDiag array the messages are appended to (file:line texts of spec/config.md).
 * Never fails: bad input gives diagnostics and defaults. */
StasConfig *stas_config_load (StasDaemonKind kind,
                              const char *path,
                              gboolean path_given,
                              const StasConfig *previous,
                              GPtrArray *diags);
/* Same as stas_config_load() on in-memory text; @path is used in messages only. */
StasConfig *stas_config_load_from_data (StasDaemonKind kind,
                                        const char *path,
                                        const char *data,
                                        gsize len,
                                        const StasConfig *previous,
                                        GPtrArray *diags);
/* Every option at its default, no controllers. */
StasConfig *stas_config_new_defaults (StasDaemonKind kind);
StasConfig *stas_config_ref (StasConfig *config);
void stas_config_unref (StasConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasConfig, stas_config_unref)

StasDaemonKind stas_config_get_kind (const StasConfig *config);
const char *stas_config_get_path (const StasConfig *config); /* NULL for defaults */

/* [Global] */
gboolean stas_config_get_tron (const StasConfig *config);
gboolean stas_config_get_hdr_digest (const StasConfig *config);
gboolean stas_config_get_data_digest (const StasConfig *config);
StasOptInt stas_config_get_kato (const StasConfig *config);
StasOptInt stas_config_get_queue_size (const StasConfig *config);
StasOptInt stas_config_get_nr_io_queues (const StasConfig *config);
StasOptInt stas_config_get_nr_write_queues (const StasConfig *config);
StasOptInt stas_config_get_nr_poll_queues (const StasConfig *config);
StasOptInt stas_config_get_reconnect_delay (const StasConfig *config);
StasOptInt stas_config_get_ctrl_loss_tmo (const StasConfig *config);
/* disable-sqflow: not set = libnvme default (FALSE) */
StasOptInt stas_config_get_disable_sqflow (const StasConfig *config);
gboolean stas_config_get_ignore_iface (const StasConfig *config);
StasIpFamily stas_config_get_ip_family (const StasConfig *config);
/* TRUE if addresses of @family (4 or 6, as stas_ip_family()) may be connected */
gboolean stas_config_ip_family_allowed (const StasConfig *config, int family);
gboolean stas_config_get_pleo (const StasConfig *config); /* stafd */

/* [Service Discovery] zeroconf (stafd) */
gboolean stas_config_get_zeroconf (const StasConfig *config);

/* [Discovery controller connection management] (stafd). Effective value of §3.6 (the
 * deprecated [Global] key included). */
gboolean stas_config_get_persistent_connections (const StasConfig *config);
/* seconds; negative = forever */
double stas_config_get_zeroconf_persistence (const StasConfig *config);

/* [I/O controller connection management] (stacd) */
StasDisconnectScope stas_config_get_disconnect_scope (const StasConfig *config);
StasTrtypes stas_config_get_disconnect_trtypes (const StasConfig *config);
/* TRUE if @transport ("tcp", ...) is one of disconnect-trtypes */
gboolean stas_config_transport_in_disconnect_trtypes (const StasConfig *config,
                                                      const char *transport);
/* 0 = ignore NCC; else >= 2 */
guint stas_config_get_connect_attempts_on_ncc (const StasConfig *config);

/* [Controllers]: valid entries in file order (StasConfigController / StasConfigExclude,
 * owned by @config). */
GPtrArray *stas_config_get_controllers (const StasConfig *config);
GPtrArray *stas_config_get_excludes (const StasConfig *config);
/* TRUE if at least one controller= entry was rejected (freeze rule, bad-input §1.4). */
gboolean stas_config_has_invalid_controllers (const StasConfig *config);

/* §4.5: the first exclude= entry that matches a controller with these values, or NULL.
 * Compare with the TID values (trsvcid after defaulting); NULL arguments are ''. For
 * configured controllers call it with the host name and again with the resolved address. */
const StasConfigExclude *stas_config_find_exclude (const StasConfig *config,
                                                   const char *transport,
                                                   const char *traddr,
                                                   const char *trsvcid,
                                                   const char *subsysnqn,
                                                   const char *host_iface,
                                                   const char *host_nqn,
                                                   const char *host_id);
gboolean stas_config_is_excluded (const StasConfig *config,
                                  const char *transport,
                                  const char *traddr,
                                  const char *trsvcid,
                                  const char *subsysnqn,
                                  const char *host_iface,
                                  const char *host_nqn,
                                  const char *host_id);

/* Connection parameters to pass to libnvme for a connect (§3.1): [Global] values
 * overridden by the parameters of @ctrl (may be NULL). For stafd the I/O queue parameters
 * are never set; a kato of 0 is "not set". The secrets point into @config / @ctrl. */
typedef struct
{
  StasOptInt kato;
  StasOptInt queue_size;
  StasOptInt nr_io_queues;
  StasOptInt nr_write_queues;
  StasOptInt nr_poll_queues;
  StasOptInt reconnect_delay;
  StasOptInt ctrl_loss_tmo;
  gboolean hdr_digest;
  gboolean data_digest;
  gboolean disable_sqflow;
  const char *dhchap_secret;      /* may be NULL */
  const char *dhchap_ctrl_secret; /* may be NULL */
} StasConnParams;

void stas_config_get_conn_params (const StasConfig *config,
                                  const StasConfigController *ctrl,
                                  StasConnParams *params);

/* Human-readable lines describing what differs between @old and @new (one per changed
 * option / added or removed controller= or exclude= entry), secrets redacted; empty when
 * nothing changed. */
GStrv stas_config_describe_changes (const StasConfig *old, const StasConfig *new);

/* ---- sys.conf and the host identity ------------------------------------------- */

typedef struct _StasSysConf StasSysConf;

/* Loads sys.conf at @path; default file:// values are built from @nvme_dir ("/etc/nvme").
 * Returns NULL and sets @error (G_FILE_ERROR domain; message exactly as spec/config.md
 * §5.3) when the host NQN or host ID is missing or invalid; other problems are @diags.
 * A missing sys.conf is not an error (defaults). */
StasSysConf *
stas_sysconf_load (const char *path, const char *nvme_dir, GPtrArray *diags, GError **error);
StasSysConf *stas_sysconf_ref (StasSysConf *sysconf);
void stas_sysconf_unref (StasSysConf *sysconf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasSysConf, stas_sysconf_unref)

const char *stas_sysconf_get_host_nqn (const StasSysConf *sysconf);
const char *stas_sysconf_get_host_id (const StasSysConf *sysconf);
const char *stas_sysconf_get_host_key (const StasSysConf *sysconf); /* secret; may be NULL */
const char *stas_sysconf_get_symname (const StasSysConf *sysconf);  /* may be NULL */

/* TRUE if host NQN or host ID differ (spec/config.md §5.4). */
gboolean stas_sysconf_identity_changed (const StasSysConf *old, const StasSysConf *new);

G_END_DECLS
