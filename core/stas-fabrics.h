/* stas-fabrics.h — StasFabrics, the only door to the kernel's NVMe fabrics.
 *
 * The shipped binary links the libnvme/libudev/sysfs implementation (stas-fabrics-nvme.c and
 * the sysfs/udev helpers it uses); stas-fake and the tests link the scripted fake
 * (test/fake-fabrics.c). Both provide stas_fabrics_new_default().
 *
 * Threading (SPEC §3): every *_async operation runs its blocking part in a worker thread
 * and completes on the thread-default main context of the caller. The caller guarantees at
 * most one operation in flight per StasFabricsCtrl [ARCH-3]; a StasFabricsCtrl is freed only
 * when no operation is in flight [ARCH-4]. Signals are emitted on the main context.
 * A @cancellable cancelled before the worker starts gives G_IO_ERROR_CANCELLED; once the
 * blocking call started, its real result is reported (the caller discards it [ARCH-8]).
 * Error messages are the <reason> texts of the log catalogue (DIM: the <detail>). */
#pragma once

#include <gio/gio.h>

#include "stas-config.h"
#include "stas-tid.h"

G_BEGIN_DECLS

/* ---- errors ------------------------------------------------------------------------- */

#define STAS_FABRICS_ERROR (stas_fabrics_error_quark ())
GQuark stas_fabrics_error_quark (void);

typedef enum
{
  STAS_FABRICS_ERROR_FAILED,         /* transport / OS error: retry later */
  STAS_FABRICS_ERROR_NVME_STATUS,    /* the controller rejected the command (NVMe status) */
  STAS_FABRICS_ERROR_NOT_APPLICABLE, /* ENOTSUP / EOPNOTSUPP / EINVAL for DIM */
  STAS_FABRICS_ERROR_GENCTR,         /* the log page kept changing while read */
  STAS_FABRICS_ERROR_TOO_LARGE,      /* numrec > MAX_DLP_RECORDS */
  STAS_FABRICS_ERROR_NO_DEVICE,      /* adopt: the device is gone */
} StasFabricsError;

#define STAS_MAX_DLP_RECORDS 16384
#define STAS_DLP_GENCTR_RETRIES 6
#define STAS_DLP_CHANGED_AEN 0x70f002

/* ---- kernel capabilities (SPEC §2.3) --------------------------------------------------- */

typedef struct
{
  gboolean host_iface;
  gboolean discovery;
  gboolean dhchap_secret;
  gboolean dhchap_ctrl_secret;
  gboolean cntrltype;    /* sysfs cntrltype/dctype, NVME_EVENT=connected (5.18) */
  gboolean src_addr;     /* src_addr in sysfs address, NVME_EVENT=rediscover (6.1) */
  gboolean from_options; /* TRUE: read from /dev/nvme-fabrics; FALSE: version thresholds */
} StasKernelCaps;

/* ---- the kernel's view of one fabrics controller (behaviour §2.2) ---------------------- */

typedef struct
{
  char *name; /* "nvme3" */
  int instance;
  char *transport;
  char *traddr;
  char *trsvcid;
  char *host_traddr;
  char *host_iface;
  char *src_addr;
  char *subsysnqn;
  char *hostnqn;
  char *hostid;
  char *cntrltype; /* "" when absent */
  char *dctype;    /* "" when absent */
  char *state;
  char *model;
  char *serial;
  gboolean has_namespaces;
} StasKernelCtrl;

StasKernelCtrl *stas_kernel_ctrl_copy (const StasKernelCtrl *ctrl);
void stas_kernel_ctrl_free (StasKernelCtrl *ctrl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasKernelCtrl, stas_kernel_ctrl_free)

/* ---- uevents (behaviour §2.1, §2.5) --------------------------------------------------- */

typedef enum
{
  STAS_UEVENT_ADD,
  STAS_UEVENT_REMOVE,
  STAS_UEVENT_CHANGE,
} StasUeventAction;

typedef struct
{
  StasUeventAction action;
  char *name;        /* "nvme3" */
  char *nvme_aen;    /* NVME_AEN property or NULL */
  char *nvme_event;  /* NVME_EVENT property or NULL */
  GHashTable *props; /* every property, (owned) strings; may be NULL */
} StasUevent;

StasUevent *stas_uevent_copy (const StasUevent *event);
void stas_uevent_free (StasUevent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasUevent, stas_uevent_free)

/* ---- one controller connection's operations -------------------------------------------- */

/* What a connect needs (behaviour §3.2). Strings are copied by stas_fabrics_ctrl_new(). */
typedef struct
{
  StasTid *tid;
  gboolean discovery; /* a DC: nvme_ctrl_set_discovery_ctrl() */
  gboolean pass_host_iface;
  StasConnParams params;
  const char *host_key; /* sys.conf key when it applies (D-32), else NULL */
  const char *symname;  /* sys.conf symname or NULL */
} StasConnectRequest;

typedef struct _StasFabricsCtrl StasFabricsCtrl; /* per controller object; owns libnvme state */

/* A raw discovery log page (behaviour §5.6): @entries holds numrec × 1024-byte records. */
typedef struct
{
  guint64 genctr;
  guint64 numrec;
  guint16 recfmt;
  GBytes *entries;
} StasDlpRaw;

void stas_dlp_raw_free (StasDlpRaw *dlp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasDlpRaw, stas_dlp_raw_free)

typedef enum
{
  STAS_DIM_REGISTER = 0,
  STAS_DIM_DEREGISTER = 1,
  STAS_DIM_UPDATE = 2,
} StasDimTas;

/* ---- the interface -------------------------------------------------------------------- */

#define STAS_TYPE_FABRICS (stas_fabrics_get_type ())
G_DECLARE_INTERFACE (StasFabrics, stas_fabrics, STAS, FABRICS, GObject)

struct _StasFabricsInterface
{
  GTypeInterface parent_iface;

  /* TRUE when the kernel's fabrics interface (/dev/nvme-fabrics) is usable. */
  gboolean (*check_kernel) (StasFabrics *self, GError **error);
  /* Version of the fabrics library ("1.3"), newly allocated. */
  char *(*get_library_version) (StasFabrics *self);
  /* Detected once at start (SPEC §2.3). */
  void (*get_kernel_caps) (StasFabrics *self, StasKernelCaps *caps);

  /* Kernel controller table sources. Both may be called from a worker thread. */
  GPtrArray *(*scan_controllers) (StasFabrics *self, GError **error); /* of StasKernelCtrl */
  StasKernelCtrl *(*read_controller) (StasFabrics *self, const char *name);
  /* Starts the uevent monitor (created before the first scan, behaviour §2.1); then the
   * "uevent" and "overflow" signals are emitted from the main context. */
  gboolean (*start_monitor) (StasFabrics *self, GError **error);
  void (*stop_monitor) (StasFabrics *self);

  /* Per-connection handles. */
  StasFabricsCtrl *(*ctrl_new) (StasFabrics *self, const StasConnectRequest *request);
  void (*ctrl_free) (StasFabrics *self, StasFabricsCtrl *ctrl);
  void (*set_log_level) (StasFabrics *self, StasFabricsCtrl *ctrl, gboolean tron);

  /* connect: result = device name ("nvme3"); adopt: attach to an existing device. */
  void (*connect_async) (StasFabrics *self,
                         StasFabricsCtrl *ctrl,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data);
  char *(*connect_finish) (StasFabrics *self, GAsyncResult *result, GError **error);
  void (*adopt_async) (StasFabrics *self,
                       StasFabricsCtrl *ctrl,
                       const char *device,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data);
  char *(*adopt_finish) (StasFabrics *self, GAsyncResult *result, GError **error);
  void (*disconnect_async) (StasFabrics *self,
                            StasFabricsCtrl *ctrl,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data);
  gboolean (*disconnect_finish) (StasFabrics *self, GAsyncResult *result, GError **error);

  /* Discovery controllers (behaviour §5). */
  void (*registration_supported_async) (StasFabrics *self,
                                        StasFabricsCtrl *ctrl,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
  gboolean (*registration_supported_finish) (StasFabrics *self,
                                             GAsyncResult *result,
                                             GError **error);
  /* DIM: NVME_STATUS / NOT_APPLICABLE / FAILED errors; the message is the <detail>. */
  void (*dim_async) (StasFabrics *self,
                     StasFabricsCtrl *ctrl,
                     StasDimTas tas,
                     GCancellable *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer user_data);
  gboolean (*dim_finish) (StasFabrics *self, GAsyncResult *result, GError **error);
  /* Supported Log Pages: the LID 0x70 options (le32 >> 16), or NVME_STATUS error. */
  void (*supported_log_pages_async) (StasFabrics *self,
                                     StasFabricsCtrl *ctrl,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
  gboolean (*supported_log_pages_finish) (StasFabrics *self,
                                          GAsyncResult *result,
                                          guint32 *options,
                                          GError **error);
  /* The DLP, read with RAE=0 on every command (behaviour §5.6). */
  void (*get_discovery_log_async) (StasFabrics *self,
                                   StasFabricsCtrl *ctrl,
                                   guint8 lsp,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
  StasDlpRaw *(*get_discovery_log_finish) (StasFabrics *self, GAsyncResult *result, GError **error);
};

/* Wrappers: one per vfunc, same contract as the vfunc. */
gboolean stas_fabrics_check_kernel (StasFabrics *self, GError **error);
char *stas_fabrics_get_library_version (StasFabrics *self);
void stas_fabrics_get_kernel_caps (StasFabrics *self, StasKernelCaps *caps);
GPtrArray *stas_fabrics_scan_controllers (StasFabrics *self, GError **error);
StasKernelCtrl *stas_fabrics_read_controller (StasFabrics *self, const char *name);
gboolean stas_fabrics_start_monitor (StasFabrics *self, GError **error);
void stas_fabrics_stop_monitor (StasFabrics *self);
StasFabricsCtrl *stas_fabrics_ctrl_new (StasFabrics *self, const StasConnectRequest *request);
void stas_fabrics_ctrl_free (StasFabrics *self, StasFabricsCtrl *ctrl);
void stas_fabrics_set_log_level (StasFabrics *self, StasFabricsCtrl *ctrl, gboolean tron);
void stas_fabrics_connect_async (StasFabrics *self,
                                 StasFabricsCtrl *ctrl,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
char *stas_fabrics_connect_finish (StasFabrics *self, GAsyncResult *result, GError **error);
void stas_fabrics_adopt_async (StasFabrics *self,
                               StasFabricsCtrl *ctrl,
                               const char *device,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
char *stas_fabrics_adopt_finish (StasFabrics *self, GAsyncResult *result, GError **error);
void stas_fabrics_disconnect_async (StasFabrics *self,
                                    StasFabricsCtrl *ctrl,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean stas_fabrics_disconnect_finish (StasFabrics *self, GAsyncResult *result, GError **error);
void stas_fabrics_registration_supported_async (StasFabrics *self,
                                                StasFabricsCtrl *ctrl,
                                                GCancellable *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer user_data);
gboolean stas_fabrics_registration_supported_finish (StasFabrics *self,
                                                     GAsyncResult *result,
                                                     GError **error);
void stas_fabrics_dim_async (StasFabrics *self,
                             StasFabricsCtrl *ctrl,
                             StasDimTas tas,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
gboolean stas_fabrics_dim_finish (StasFabrics *self, GAsyncResult *result, GError **error);
void stas_fabrics_supported_log_pages_async (StasFabrics *self,
                                             StasFabricsCtrl *ctrl,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
gboolean stas_fabrics_supported_log_pages_finish (StasFabrics *self,
                                                  GAsyncResult *result,
                                                  guint32 *options,
                                                  GError **error);
void stas_fabrics_get_discovery_log_async (StasFabrics *self,
                                           StasFabricsCtrl *ctrl,
                                           guint8 lsp,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
StasDlpRaw *
stas_fabrics_get_discovery_log_finish (StasFabrics *self, GAsyncResult *result, GError **error);

/* The implementation linked into this executable. */
StasFabrics *stas_fabrics_new_default (void);

G_END_DECLS
