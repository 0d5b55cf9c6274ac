/* fake-fabrics.h — the scripted fake fabrics: a StasFabrics over an in-memory kernel and
 * fabric (tests only; linked into stas-fake and every unit/dbus test).
 *
 * THE MODEL
 *   Fabric: targets (ports) named by transport/traddr/trsvcid. A target hosts at most one
 *   discovery subsystem (DC: dctype, Supported Log Pages options, a DLP, DIM registrations)
 *   and any number of I/O subsystems. Failures, delays and genctr churn are injected per
 *   target and operation.
 *   Kernel: devices nvme<N> (lowest free instance) with the sysfs view StasKernelCtrl. A
 *   connect creates one ("add" uevent, then "change" NVME_EVENT=connected when the caps
 *   have cntrltype); a disconnect deletes it ("remove"). Devices may also be pre-created
 *   (as if by nvme-cli) or removed behind stas' back. scan_controllers/read_controller
 *   report fabrics transports only (tcp, rdma, fc, loop), like the real sysfs reader.
 *   Uevents are emitted from the context that called start_monitor(), in order, after
 *   the change that caused them; while no monitor runs they are lost.
 *   AEN: a DLP change (set_dlp, add_entry, remove_entry) sends "change" NVME_AEN=0x70f002
 *   to every live device connected to that DC unless its AEN is masked: as on a real DC,
 *   an AEN masks the next ones until the host reads the DLP (always RAE=0 here).
 *   Operations: every *_async completes later on the caller's thread-default context,
 *   never re-entrantly. Its "worker" starts on the next iteration (a cancellable
 *   cancelled by then gives G_IO_ERROR_CANCELLED and no effect); the blocking part then
 *   lasts the target's delay for that operation (or until released) and its real result
 *   is reported, computed at completion. Every call is recorded when made. The contract
 *   of stas-fabrics.h is checked: a second operation in flight on one StasFabricsCtrl, or
 *   freeing one with an operation in flight, is a g_critical().
 *   Connect options as stas-fabrics-nvme.c passes them: host_iface only for tcp when
 *   requested and in the caps; secrets are recorded, never refused.
 *   Errors (texts of stas-fabrics-nvme.c): FAILED "<strerror>" for OS/transport errors;
 *   NVME_STATUS "Status:0x<sc> - <text>" (DIM: "Result:0x0000, Status:0x<sc> - <text>");
 *   DIM ENOTSUP/EOPNOTSUPP/EINVAL: NOT_APPLICABLE "Status:<errno> - <text>"; adopt of a
 *   missing device NO_DEVICE; a connect to no target ECONNREFUSED, to an unknown
 *   subsystem EIO, a duplicate I/O connect EALREADY; a handle without device "Not
 *   connected to a controller"; admin commands on a device that is gone or not live
 *   "/dev/nvmeN: <strerror>" (Identify: "not supported"); DIM on an I/O or dctype-none
 *   controller status 0x1, DLP on an I/O controller 0x109; more than STAS_MAX_DLP_RECORDS
 *   entries TOO_LARGE; churn on STAS_DLP_GENCTR_RETRIES reads GENCTR.
 *
 * PROCESS TESTS (stas-fake). stas_fabrics_new_default() returns one shared fake per
 * process configured from the environment (never read by the shipped binary):
 *   STAS_FAKE_NO_KERNEL=1    check_kernel fails (no /dev/nvme-fabrics)
 *   STAS_FAKE_SCRIPT=<file>  script loaded at start-up (format below)
 *   STAS_FAKE_CONTROL=<path> unix stream socket for run-time commands (below)
 *
 * SCRIPT (GKeyFile; lists are ';'-separated; all groups and keys optional):
 *   [kernel]
 *   available = false                      # as STAS_FAKE_NO_KERNEL=1
 *   caps = host_iface;discovery;cntrltype  # exactly these (default: all six)
 *   library-version = 1.3                  # default "fake"
 *   [target tcp 192.168.1.10 8009]         # one port: [target <transport> <traddr> <trsvcid>]
 *   discovery = nqn.2014-08.org.nvmexpress.discovery  # hosts a DC ('' = well-known NQN)
 *   dctype = ddc                           # none (default) | ddc | cdc
 *   log-page-options = 0x3                 # Supported Log Pages LID 0x70 options
 *   entry1 = traddr=192.168.1.20 trsvcid=4420 subnqn=nqn.2023-01.com.example:a1
 *   entry2 = ...                           # keys entry* in file order: the DLP (ENTRY below)
 *   io = nqn.2023-01.com.example:a1;...    # I/O subsystems
 *   io-namespaces = 1                      # namespaces of each (default 1)
 *   fail-<op> = <failure> [<count>]        # e.g. fail-connect = ECONNREFUSED 2
 *   delay-<op> = <ms> | hold
 *   genctr-churn = <n>
 *   [device nvme5]                         # pre-existing kernel device
 *   transport=, traddr=, trsvcid=, subsysnqn=, hostnqn=, hostid=, host-traddr=,
 *   host-iface=, src-addr=, cntrltype=, dctype=, state=, model=, serial=, namespaces=<bool>
 *   (cntrltype/dctype default from the target's subsystem, as a connect would set them)
 *
 * <op>: connect adopt disconnect registration-supported dim supported-log-pages
 *       get-discovery-log.
 * <failure>: an errno name (ECONNREFUSED, ETIMEDOUT, EIO, ...) or number; status:<sc>
 *       (NVMe status, hex or decimal); none (clears). <count> default: forever.
 * ENTRY: space-separated key=value: trtype (default tcp), adrfam (default from traddr),
 *       traddr, trsvcid, subnqn, subtype (default nvme), treq, portid, cntlid, asqsz,
 *       eflags, remote=1 (hidden by PLEO). Codes as names or decimal; values may use
 *       C escapes (\t, \001) to build malformed entries; no spaces in values.
 *
 * CONTROL COMMANDS (one per line; reply one line "ok[ <data>]" or "error <message>").
 * <target> is "<traddr> <trsvcid>" ('-' for an empty trsvcid), any transport.
 *   ping
 *   aen <device> [<value>]            change NVME_AEN=<value> (default 0x70f002)
 *   aen <target> [<value>]            the same on every live device of that DC
 *   add-entry <target> <ENTRY>        adds a DLP entry (AEN rules above)
 *   remove-entry <target> <key=value>...  removes entries matching traddr=/trsvcid=/subnqn=
 *   clear-entries <target>
 *   add-device <key=value>...         keys as [device]; name=nvmeN optional → "ok nvmeN"
 *   remove-device <device>            deleted behind stas' back ("remove" uevent)
 *   reconnect-device <device>         kernel reconnect: NVME_EVENT=connected (+rediscover)
 *   set-state <device> <state>
 *   overflow                          the "overflow" signal
 *   drop-uevents on|off               lose uevents (then: overflow)
 *   fail <op> <target> <failure> [<count>]
 *   fail-connect <target> <failure> [<count>]
 *   delay <op> <target> <ms>|hold
 *   release <op> <target>             completes held operations → "ok <n>"
 *   churn <target> <n>
 *   count <op> [<device>]             recorded calls → "ok <n>"
 *   clear-calls
 *   devices                           → "ok nvme0 nvme2 ..."
 *   registered <target> <hostnqn>     → "ok yes" | "ok no"
 *   genctr <target>                   → "ok <genctr>"
 */
#pragma once

#include "stas-dlp.h"
#include "stas-fabrics.h"

G_BEGIN_DECLS

#define STAS_FAKE_FOREVER G_MAXUINT /* failure count: until cleared */
#define STAS_FAKE_HOLD G_MAXUINT    /* delay: until stas_fake_fabrics_release() */

typedef enum
{
  STAS_FAKE_OP_CONNECT,
  STAS_FAKE_OP_ADOPT,
  STAS_FAKE_OP_DISCONNECT,
  STAS_FAKE_OP_REGISTRATION_SUPPORTED,
  STAS_FAKE_OP_DIM,
  STAS_FAKE_OP_SUPPORTED_LOG_PAGES,
  STAS_FAKE_OP_GET_DISCOVERY_LOG,
  STAS_FAKE_N_OPS,
} StasFakeOp;

const char *stas_fake_op_to_string (StasFakeOp op);
gboolean stas_fake_op_from_string (const char *text, StasFakeOp *op);

typedef enum
{
  STAS_FAKE_DCTYPE_NONE,
  STAS_FAKE_DCTYPE_DDC,
  STAS_FAKE_DCTYPE_CDC,
} StasFakeDcType;

/* One recorded call. */
typedef struct
{
  StasFakeOp op;
  StasTid *tid;          /* the StasFabricsCtrl's TID */
  char *device;          /* its device when called (adopt: the argument), or NULL */
  guint8 lsp;            /* GET_DISCOVERY_LOG */
  StasDimTas tas;        /* DIM */
  gboolean discovery;    /* CONNECT: request->discovery */
  char *host_iface;      /* CONNECT: host_iface passed to the kernel, or NULL */
  StasConnParams params; /* CONNECT: a copy (secrets owned by the call) */
  char *host_key;        /* CONNECT: the request's host_key, or NULL */
} StasFakeCall;

typedef struct _StasFakeTarget StasFakeTarget; /* owned by the fake, lives as long */

#define STAS_TYPE_FAKE_FABRICS (stas_fake_fabrics_get_type ())
G_DECLARE_FINAL_TYPE (StasFakeFabrics, stas_fake_fabrics, STAS, FAKE_FABRICS, GObject)

/* A fake with no target, no device, every capability, a usable kernel. */
StasFakeFabrics *stas_fake_fabrics_new (void);

/* ---- scripts and commands (format above) ------------------------------------------ */

gboolean stas_fake_fabrics_load_script (StasFakeFabrics *self, const char *path, GError **error);
gboolean
stas_fake_fabrics_load_script_data (StasFakeFabrics *self, const char *data, GError **error);
/* Runs one control command; returns the reply ("ok ...", "error ..."). */
char *stas_fake_fabrics_run_command (StasFakeFabrics *self, const char *line);
/* Serves control commands on a unix stream socket at @path (replaced if it exists). */
gboolean stas_fake_fabrics_listen (StasFakeFabrics *self, const char *path, GError **error);

/* ---- the kernel --------------------------------------------------------------------- */

void stas_fake_fabrics_set_kernel_available (StasFakeFabrics *self, gboolean available);
void stas_fake_fabrics_set_kernel_caps (StasFakeFabrics *self, const StasKernelCaps *caps);
void stas_fake_fabrics_set_library_version (StasFakeFabrics *self, const char *version);

/* Creates a device from @fields (StasKernelCtrl as sysfs shows it): name NULL → lowest
 * free nvme<N>; NULL strings → ''; state NULL → "live"; cntrltype/dctype NULL → what a
 * connect to the addressed subsystem would show (given the caps). Emits "add". Returns
 * the name (owned by the fake) or NULL if the name is taken. */
const char *stas_fake_fabrics_add_device (StasFakeFabrics *self, const StasKernelCtrl *fields);
/* A connection made by someone else (nvme-cli): exactly what a connect of @tid would
 * create, synchronously. NULL + error as a connect would fail. */
const char *stas_fake_fabrics_connect_external (StasFakeFabrics *self,
                                                const StasTid *tid,
                                                gboolean discovery,
                                                GError **error);
/* Deleted behind stas' back: "remove". FALSE if there is no such device. */
gboolean stas_fake_fabrics_remove_device (StasFakeFabrics *self, const char *name);
gboolean
stas_fake_fabrics_set_device_state (StasFakeFabrics *self, const char *name, const char *state);
/* The kernel reconnected the device: state live, "change" NVME_EVENT=connected (caps
 * cntrltype) and, for a DC, NVME_EVENT=rediscover (caps src_addr). */
gboolean stas_fake_fabrics_reconnect_device (StasFakeFabrics *self, const char *name);
gboolean stas_fake_fabrics_has_device (StasFakeFabrics *self, const char *name);
/* A copy of the device's sysfs view (every transport), or NULL. */
StasKernelCtrl *stas_fake_fabrics_get_device (StasFakeFabrics *self, const char *name);
/* Device names sorted by instance. */
GStrv stas_fake_fabrics_list_devices (StasFakeFabrics *self);

/* ---- uevents -------------------------------------------------------------------------- */

/* "change" NVME_AEN=0x<aen> on device @name (whatever its AEN mask). */
void stas_fake_fabrics_emit_aen (StasFakeFabrics *self, const char *name, guint32 aen);
/* Any event, e.g. a malformed NVME_AEN. */
void stas_fake_fabrics_emit_uevent (StasFakeFabrics *self, const StasUevent *event);
/* While TRUE, uevents are lost (as in a receive-buffer overflow). */
void stas_fake_fabrics_set_drop_uevents (StasFakeFabrics *self, gboolean drop);
/* Emits "overflow" (later, on the monitor's context). */
void stas_fake_fabrics_overflow (StasFakeFabrics *self);

/* ---- the fabric ----------------------------------------------------------------------- */

StasFakeTarget *stas_fake_fabrics_add_target (StasFakeFabrics *self,
                                              const char *transport,
                                              const char *traddr,
                                              const char *trsvcid);
/* @transport NULL: any. tcp/rdma addresses compare as IP addresses. */
StasFakeTarget *stas_fake_fabrics_find_target (StasFakeFabrics *self,
                                               const char *transport,
                                               const char *traddr,
                                               const char *trsvcid);
/* @nqn NULL or '' = the well-known discovery NQN; a connect to the well-known NQN reaches
 * the target's DC whatever its NQN (TP8013). Replaces the target's DC if it has one. */
void stas_fake_fabrics_add_discovery_subsystem (StasFakeFabrics *self,
                                                StasFakeTarget *target,
                                                const char *nqn,
                                                StasFakeDcType dctype);
void stas_fake_fabrics_add_io_subsystem (StasFakeFabrics *self,
                                         StasFakeTarget *target,
                                         const char *nqn,
                                         guint n_namespaces);
/* Supported Log Pages: LID 0x70 options (PLEOS = 0x2). */
void stas_fake_fabrics_set_log_page_options (StasFakeFabrics *self,
                                             StasFakeTarget *target,
                                             guint32 options);
/* The DC's DLP (genctr + 1, AEN). Entries are copied. */
void stas_fake_fabrics_set_dlp (StasFakeFabrics *self,
                                StasFakeTarget *target,
                                const StasDlpeSpec *entries,
                                gsize n_entries);
void stas_fake_fabrics_add_entry (StasFakeFabrics *self,
                                  StasFakeTarget *target,
                                  const StasDlpeSpec *entry);
/* An entry that is not port-local: hidden when read with LSP PLEO (0x2). */
void stas_fake_fabrics_add_remote_entry (StasFakeFabrics *self,
                                         StasFakeTarget *target,
                                         const StasDlpeSpec *entry);
/* Removes the entries matching every non-NULL field; returns how many. */
guint stas_fake_fabrics_remove_entries (StasFakeFabrics *self,
                                        StasFakeTarget *target,
                                        const char *traddr,
                                        const char *trsvcid,
                                        const char *subnqn);
guint64 stas_fake_fabrics_get_genctr (StasFakeFabrics *self, StasFakeTarget *target);
/* TRUE when @host_nqn is registered (DIM) with the target's DC. */
gboolean stas_fake_fabrics_is_registered (StasFakeFabrics *self,
                                          StasFakeTarget *target,
                                          const char *host_nqn);

/* ---- failure injection ---------------------------------------------------------------- */

/* The next @count operations @op on @target fail with errno @err (count 0 clears). */
void stas_fake_fabrics_fail_errno (
    StasFakeFabrics *self, StasFakeTarget *target, StasFakeOp op, int err, guint count);
/* ... are rejected with NVMe status @status. */
void stas_fake_fabrics_fail_status (
    StasFakeFabrics *self, StasFakeTarget *target, StasFakeOp op, guint16 status, guint count);
/* Connects to @target are refused @count times, then succeed. */
void stas_fake_fabrics_fail_connect (StasFakeFabrics *self,
                                     StasFakeTarget *target,
                                     int err,
                                     guint count);
/* Operations @op on @target complete @ms later (STAS_FAKE_HOLD: when released). */
void stas_fake_fabrics_set_delay (StasFakeFabrics *self,
                                  StasFakeTarget *target,
                                  StasFakeOp op,
                                  guint ms);
/* Clears a hold and completes the held operations (later); returns how many. */
guint stas_fake_fabrics_release (StasFakeFabrics *self, StasFakeTarget *target, StasFakeOp op);
/* The next @reads DLP reads see genctr change under them. */
void
stas_fake_fabrics_set_genctr_churn (StasFakeFabrics *self, StasFakeTarget *target, guint reads);

/* ---- recorded calls --------------------------------------------------------------------- */

/* In call order (of const StasFakeCall *; owned by the fake). */
GPtrArray *stas_fake_fabrics_get_calls (StasFakeFabrics *self);
/* @device NULL: any. */
guint stas_fake_fabrics_count_calls (StasFakeFabrics *self, StasFakeOp op, const char *device);
/* The last call of @op, or NULL. */
const StasFakeCall *stas_fake_fabrics_get_last_call (StasFakeFabrics *self, StasFakeOp op);
void stas_fake_fabrics_clear_calls (StasFakeFabrics *self);
/* StasFabricsCtrl handles alive (ctrl_new minus ctrl_free): leak checks. */
guint stas_fake_fabrics_count_ctrls (StasFakeFabrics *self);
/* Operations started and not yet completed. */
guint stas_fake_fabrics_count_pending (StasFakeFabrics *self);

G_END_DECLS
