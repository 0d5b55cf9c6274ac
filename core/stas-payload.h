/* stas-payload.h — the payloads of the D-Bus replies (spec/dbus.md §5) built from plain
 * input structs: controller dictionaries (§5.1–§5.3), get_all_log_pages (§3.2),
 * process_info (§5.6), and the value formats of §5.5.
 *
 * Pure functions: no clock, no daemon objects. The daemon fills the structs from its state
 * (timers and operations already rendered as strings, e.g. with the helpers below) and
 * gets the exact key order and value texts of the specification. Secrets never appear:
 * parameters render as "<redacted>", the host key as "<redacted>" or null [D-25]. */
#pragma once

#include <glib.h>

#include "stas-config.h"
#include "stas-dlp.h"
#include "stas-state.h"
#include "stas-tid.h"

G_BEGIN_DECLS

/* ---- value formats (§5.5) ------------------------------------------------------------- */

/* Timer string: "<interval>s [off]" when stopped, else "<interval>s [<remaining>s]" with
 * @remaining_s at microsecond resolution, trailing zeros removed but one decimal kept
 * ("0.998271", "2.5", "3.0"), or "0" when due (<= 0): "20.0s [0s]". @interval_s in Python
 * float repr ("60.0", "1.5"). */
/* Remaining times beyond this many seconds (~292 000 years; the largest whole number of
 * seconds whose microseconds fit a gint64) are shown as this value. */
#define STAS_PAYLOAD_TIMER_MAX_S (G_MAXINT64 / G_USEC_PER_SEC - 1)
char *stas_payload_timer_string (gdouble interval_s, gboolean running, gdouble remaining_s);

typedef enum
{
  STAS_OP_NOT_RUN,   /* 'completed': None — before the first run */
  STAS_OP_IN_FLIGHT, /* 'completed': False */
  STAS_OP_FINISHED,  /* 'completed': True */
} StasOpCompletion;

/* What an operation string shows. */
typedef struct
{
  guint fail_count;
  StasOpCompletion completed;
  gboolean alive;          /* FALSE once cancelled */
  const char *retry_timer; /* timer string, once a retry was ever scheduled; else NULL */
  const char *error;       /* text of the last failure; NULL when the last run succeeded */
} StasOperationInfo;

/* "{'fail count': 0, 'completed': True, 'alive': True[, 'retry timer': '…'][, 'error': '…']}" */
char *stas_payload_operation_string (const StasOperationInfo *op);

/* Python repr form of a string: single quotes, \ and ' escaped by a backslash. */
void stas_payload_append_repr_string (GString *out, const char *text);
/* Python repr form of an a{ss} dictionary, entries in order: "{'k': 'v', ...}". */
char *stas_payload_repr_dict (GVariant *dict);
/* C asctime() of @unix_time in local time, without the newline: "Tue Mar  4 10:15:02 2025".
 * English names whatever the locale. */
char *stas_payload_asctime (gint64 unix_time);
/* "unresponsive timeout": "259200 sec", "0.5 sec" (integral values without decimals
 * [D-72]), "forever" when negative. */
char *stas_payload_timeout_string (gdouble seconds);

/* ---- controllers (§5.1–§5.3) ------------------------------------------------------------ */

/* One DC (kind STAS_DAEMON_STAFD) or IOC (STAS_DAEMON_STACD). String fields: NULL is ''
 * unless stated otherwise. */
typedef struct
{
  StasDaemonKind kind;

  /* §5.1 controller ID */
  const StasTid *tid;      /* (not nullable) */
  const GPtrArray *params; /* StasConfigParam of the controller= entry, in entry order;
                            * NULL (or empty) for controllers that do not come from one */
  const char *device;      /* "nvme3"; NULL or '' → "nvme?" */

  /* §5.2 info, both daemons */
  guint connect_attempts;
  const char *retry_connect_timer; /* timer string */
  const char *connect_operation;   /* operation string; NULL: no connect/adopt exists */
  StasStateOrigin origin;          /* DC: configured/referral/discovered;
                                    * IOC: configured/discovered/external */

  /* §5.2 DC with origin discovered */
  const char *unresponsive_timer; /* timer string of the aging timer */
  gdouble unresponsive_timeout;   /* effective zeroconf-connections-persistence, seconds;
                                   * negative = forever */
  gboolean unresponsive;          /* found unresponsive (since unresponsive_since) */
  gint64 unresponsive_since;      /* UNIX time, seconds */
  gboolean mdns_advertised;

  /* §5.2 DC; operation strings, NULL: not started on the current connection */
  const char *get_log_page_operation;
  const char *register_operation;
  const char *get_supported_log_page_operation;
  StasStateLogPages log_pages_state;
  guint log_pages_dropped;
  guint referral_depth;

  /* §5.3 details: kernel attributes of the device (NULL / '' when there is none) */
  const char *hostid;
  const char *hostnqn;
  const char *model;
  const char *serial;
  const char *dctype;
  const char *cntrltype;
  gboolean connected;
  const StasDlpe *dlpe; /* IOC: the last DLPE associated with it; NULL → "None" */
} StasCtrlInfo;

/* a{ss} dictionaries, keys in the order of the specification. Floating references. */
GVariant *stas_payload_controller_id (const StasCtrlInfo *ctrl);      /* §5.1 */
GVariant *stas_payload_controller_info (const StasCtrlInfo *ctrl);    /* §5.2 */
GVariant *stas_payload_controller_details (const StasCtrlInfo *ctrl); /* §5.3 */
/* aa{ss} of list_controllers(@detailed). */
GVariant *
stas_payload_controller_list (const StasCtrlInfo *const *ctrls, guint n_ctrls, gboolean detailed);
/* controller_info reply [DBUS-36]: the info dictionary as JSON, "{}" for NULL. */
char *stas_payload_controller_info_json (const StasCtrlInfo *ctrl);

/* ---- get_all_log_pages (§3.2 [DBUS-11]) ------------------------------------------------ */

typedef struct
{
  const StasCtrlInfo *ctrl;   /* (not nullable) */
  GVariant *log_pages;        /* aa{ss} DLPE dictionaries in log-page order; NULL = [] */
  const char *log_pages_json; /* the same list already rendered as compact JSON
                               * (stas_dlp_append_json); used instead of @log_pages */
} StasDcLogPages;

/* "[{"discovery-controller": {…}, "log-pages": [{…}, …]}, …]", the controller as ID
 * (or, @detailed, details) dictionary. */
char *stas_payload_all_log_pages_json (const StasDcLogPages *dcs, guint n_dcs, gboolean detailed);

/* ---- process_info (§5.6 [DBUS-35]) ----------------------------------------------------- */

typedef struct
{
  const char *ifname;   /* "eth1" */
  const char *protocol; /* "IPv4" or "IPv6" */
  const char *name;     /* service name "SFSS" */
  const char *domain;   /* "local" */
  const char *stype;    /* "_nvme-disc._tcp" */
  gboolean identified;  /* resolved and identified: the five fields below are shown */
  const char *transport;
  const char *traddr;
  const char *trsvcid;
  const char *host_iface;
  const char *subsysnqn;
  gboolean reachable;
  const char *check_timer; /* timer string of the reachability re-check */
} StasAvahiServiceInfo;

typedef struct
{
  const char *wake_up_timer;            /* timer string */
  const char *const *service_types;     /* NULL-terminated, any order (shown sorted);
                                         * NULL when zeroconf is disabled */
  const StasAvahiServiceInfo *services; /* in the order to show */
  guint n_services;
} StasAvahiInfo;

typedef enum
{
  STAS_STAFD_DATA_NONE,
  STAS_STAFD_DATA_STALE,
  STAS_STAFD_DATA_PARTIAL,
  STAS_STAFD_DATA_COMPLETE,
} StasStafdData;

typedef struct
{
  StasDaemonKind kind;
  gboolean tron;
  const char *host_nqn;
  const char *host_id;
  gboolean has_host_key; /* shown as "<redacted>", else null */
  const char *symname;   /* NULL → null */
  const char *state_file;
  const char *config_soak_timer; /* timer strings */
  gboolean tp8013;
  gboolean host_iface;
  const char *audit_timer;
  const StasCtrlInfo *const *terminating; /* controllers awaiting disposal */
  guint n_terminating;
  const StasAvahiInfo *avahi; /* stafd; NULL = nothing browsed, wake-up timer "" */
  gboolean dhchap_secret;
  gboolean dhchap_ctrl_secret;
  const char *sysfs_resync_timer;
  guint64 udev_overflows;
  StasStafdData stafd_data;     /* stacd */
  const char *stafd_name_owner; /* stacd */
} StasProcessInfo;

/* The process_info JSON object [DBUS-35] [DBUS-36]. */
char *stas_payload_process_info_json (const StasProcessInfo *info);

G_END_DECLS
