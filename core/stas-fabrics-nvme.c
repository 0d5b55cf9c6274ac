/* stas-fabrics-nvme.c — StasFabrics on libnvme: the only file that includes <libnvme.h>.
 *
 * Threading [ARCH-2] [ARCH-4]: every blocking libnvme call runs in a GTask worker thread.
 * A StasFabricsCtrl's libnvme objects (its own root, host and controller) are created and
 * used only by the operation in flight (the caller guarantees one at a time [ARCH-3]) and
 * freed by ctrl_free once no operation is in flight. The main thread only touches the
 * atomic log level. Each connect/adopt builds a fresh root, so a long-lived controller
 * object does not accumulate libnvme subsystem objects across reconnects. */
#include "config.h"

#include "stas-fabrics.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <libnvme.h>

#include "stas-log.h"
#include "stas-sysfs.h"
#include "stas-udev.h"

#define NVME_FABRICS_DEV "/dev/nvme-fabrics"
#define DLP_HEADER_SIZE 1024
#define DLP_ENTRY_SIZE 1024
#define DLP_MAX_TRANSFER 4096 /* the smallest MDTS: no need to know the controller's */

#define STAS_TYPE_NVME_FABRICS (stas_nvme_fabrics_get_type ())
G_DECLARE_FINAL_TYPE (StasNvmeFabrics, stas_nvme_fabrics, STAS, NVME_FABRICS, GObject)

struct _StasNvmeFabrics
{
  GObject parent_instance;
  GMutex caps_lock;
  gboolean caps_detected;
  StasKernelCaps caps;
  StasUdevMonitor *monitor; /* (owned) (nullable) */
};

struct _StasFabricsCtrl
{
  StasTid *tid; /* (owned) */
  gboolean discovery;
  gboolean pass_host_iface;
  StasConnParams params; /* secrets point to the copies below */
  char *dhchap_secret;   /* (owned) (nullable) */
  char *dhchap_ctrl_secret;
  char *host_key;
  char *symname;
  StasKernelCaps caps;
  int log_level; /* atomic: LOG_DEBUG (tron) or LOG_ERR; applied by each operation */

  /* libnvme log stream → stas_log; used by the operation in flight only */
  FILE *log_fp;
  GString *log_partial;

  /* libnvme state: touched only by the operation in flight (or ctrl_free) */
  nvme_root_t root;
  nvme_host_t host;
  nvme_ctrl_t ctrl; /* connected or adopted controller, else NULL */
};

static void stas_nvme_fabrics_iface_init (StasFabricsInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StasNvmeFabrics,
                               stas_nvme_fabrics,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (STAS_TYPE_FABRICS,
                                                      stas_nvme_fabrics_iface_init))

/* ---- kernel and library -------------------------------------------------------------------- */

static gboolean
nvme_check_kernel (StasFabrics *fabrics, GError **error)
{
  if (access (NVME_FABRICS_DEV, F_OK) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s: %s", NVME_FABRICS_DEV,
                   g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static char *
nvme_get_library_version (StasFabrics *fabrics)
{
#if HAVE_NVME_GET_VERSION
  return g_strdup (nvme_get_version (NVME_VERSION_PROJECT));
#else
  return g_strdup (NVME_BUILD_VERSION);
#endif
}

/* The first line of /dev/nvme-fabrics (kernel ≥ 5.17), or NULL; *failed when it could not
 * be opened or read (as opposed to being empty). */
static char *
read_fabrics_options (gboolean *failed)
{
  char buf[4096];
  ssize_t n;
  int fd;

  *failed = FALSE;
  fd = open (NVME_FABRICS_DEV, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      *failed = TRUE;
      return NULL;
    }
  do
    n = read (fd, buf, sizeof (buf) - 1);
  while (n < 0 && errno == EINTR);
  close (fd);
  if (n < 0)
    {
      *failed = TRUE;
      return NULL;
    }
  buf[n] = '\0';
  buf[strcspn (buf, "\n")] = '\0';
  return g_strdup (buf);
}

/* Once, at the first use (SPEC §2.3, [D-67]: not on SIGHUP). */
static void
ensure_caps (StasNvmeFabrics *self)
{
  g_autofree char *line = NULL;
  struct utsname u;
  gboolean failed;

  g_mutex_lock (&self->caps_lock);
  if (!self->caps_detected)
    {
      line = read_fabrics_options (&failed);
      if (failed)
        stas_warning ("Cannot determine which NVMe options the kernel supports");
      if (uname (&u) != 0)
        u.release[0] = '\0';
      stas_kernel_caps_detect (line, u.release, &self->caps);
      self->caps_detected = TRUE;
      stas_debug ("Kernel capabilities (%s): host_iface=%d discovery=%d dhchap_secret=%d "
                  "dhchap_ctrl_secret=%d cntrltype=%d src_addr=%d",
                  self->caps.from_options ? NVME_FABRICS_DEV : u.release, self->caps.host_iface,
                  self->caps.discovery, self->caps.dhchap_secret, self->caps.dhchap_ctrl_secret,
                  self->caps.cntrltype, self->caps.src_addr);
    }
  g_mutex_unlock (&self->caps_lock);
}

static void
nvme_get_kernel_caps (StasFabrics *fabrics, StasKernelCaps *caps)
{
  StasNvmeFabrics *self = STAS_NVME_FABRICS (fabrics);

  ensure_caps (self);
  *caps = self->caps;
}

/* ---- kernel controller table sources --------------------------------------------------------- */

static GPtrArray *
nvme_scan_controllers (StasFabrics *fabrics, GError **error)
{
  return stas_sysfs_scan (STAS_SYSFS_ROOT, error);
}

static StasKernelCtrl *
nvme_read_controller (StasFabrics *fabrics, const char *name)
{
  return stas_sysfs_read_ctrl (STAS_SYSFS_ROOT, name);
}

static void
on_monitor_event (const StasUevent *event, gpointer user_data)
{
  g_signal_emit_by_name (user_data, "uevent", event);
}

static void
on_monitor_overflow (gpointer user_data)
{
  g_signal_emit_by_name (user_data, "overflow");
}

static gboolean
nvme_start_monitor (StasFabrics *fabrics, GError **error)
{
  StasNvmeFabrics *self = STAS_NVME_FABRICS (fabrics);

  if (self->monitor != NULL)
    return TRUE;
  self->monitor = stas_udev_monitor_new (on_monitor_event, on_monitor_overflow, self, error);
  return self->monitor != NULL;
}

static void
nvme_stop_monitor (StasFabrics *fabrics)
{
  StasNvmeFabrics *self = STAS_NVME_FABRICS (fabrics);

  g_clear_pointer (&self->monitor, stas_udev_monitor_free);
}

/* ---- libnvme log stream [LOG-3] ------------------------------------------------------------ */

/* Replaces the value after @key (up to , ' " or white space) with <redacted>. */
static void
redact_after (GString *line, const char *key)
{
  gsize from = 0;
  char *hit;

  while ((hit = strstr (line->str + from, key)) != NULL)
    {
      gsize start = (gsize) (hit - line->str) + strlen (key);
      gsize end = start;

      while (end < line->len && strchr (",'\" \t", line->str[end]) == NULL)
        end++;
      g_string_erase (line, (gssize) start, (gssize) (end - start));
      g_string_insert (line, (gssize) start, "<redacted>");
      from = start + strlen ("<redacted>");
    }
}

/* Secrets never reach the log [SEC-1]: libnvme prints the connect options at DEBUG. */
static void
forward_log_line (const char *text, gsize len)
{
  g_autoptr (GString) line = g_string_new_len (text, (gssize) len);

  redact_after (line, "dhchap_secret=");
  redact_after (line, "dhchap_ctrl_secret=");
  redact_after (line, "DHHC-1:");
  while (line->len > 0 && g_ascii_isspace (line->str[line->len - 1]))
    g_string_truncate (line, line->len - 1);
  if (line->len > 0)
    stas_info ("libnvme: %s", line->str);
}

static ssize_t
log_stream_write (void *cookie, const char *buf, size_t size)
{
  StasFabricsCtrl *ctrl = cookie;
  const char *nl;

  g_string_append_len (ctrl->log_partial, buf, (gssize) size);
  while ((nl = memchr (ctrl->log_partial->str, '\n', ctrl->log_partial->len)) != NULL)
    {
      gsize n = (gsize) (nl - ctrl->log_partial->str);

      forward_log_line (ctrl->log_partial->str, n);
      g_string_erase (ctrl->log_partial, 0, (gssize) n + 1);
    }
  return (ssize_t) size;
}

static int
log_stream_close (void *cookie)
{
  StasFabricsCtrl *ctrl = cookie;

  if (ctrl->log_partial->len > 0)
    forward_log_line (ctrl->log_partial->str, ctrl->log_partial->len);
  g_string_truncate (ctrl->log_partial, 0);
  return 0;
}

/* ---- per-connection handles ------------------------------------------------------------------ */

static StasFabricsCtrl *
nvme_ctrl_new (StasFabrics *fabrics, const StasConnectRequest *request)
{
  StasNvmeFabrics *self = STAS_NVME_FABRICS (fabrics);
  StasFabricsCtrl *ctrl = g_new0 (StasFabricsCtrl, 1);
  const cookie_io_functions_t log_funcs = {
    .write = log_stream_write,
    .close = log_stream_close,
  };

  ensure_caps (self);
  ctrl->caps = self->caps;
  ctrl->tid = stas_tid_ref (request->tid);
  ctrl->discovery = request->discovery;
  ctrl->pass_host_iface = request->pass_host_iface;
  ctrl->params = request->params;
  ctrl->dhchap_secret = g_strdup (request->params.dhchap_secret);
  ctrl->dhchap_ctrl_secret = g_strdup (request->params.dhchap_ctrl_secret);
  ctrl->params.dhchap_secret = ctrl->dhchap_secret;
  ctrl->params.dhchap_ctrl_secret = ctrl->dhchap_ctrl_secret;
  ctrl->host_key = g_strdup (request->host_key);
  ctrl->symname = g_strdup (request->symname);
  ctrl->log_level = stas_log_get_debug () ? LOG_DEBUG : LOG_ERR;
  ctrl->log_partial = g_string_new (NULL);
  ctrl->log_fp = fopencookie (ctrl, "w", log_funcs);
  if (ctrl->log_fp != NULL)
    setvbuf (ctrl->log_fp, NULL, _IOLBF, 0);

  /* once per controller object */
  if (ctrl->dhchap_secret != NULL && !ctrl->caps.dhchap_secret)
    stas_warning ("%s - kernel does not support dhchap_secret, secret not used",
                  stas_tid_to_string (ctrl->tid));
  if (ctrl->dhchap_ctrl_secret != NULL && !ctrl->caps.dhchap_ctrl_secret)
    stas_warning ("%s - kernel does not support dhchap_ctrl_secret, secret not used",
                  stas_tid_to_string (ctrl->tid));
  return ctrl;
}

/* Frees the libnvme tree (controller, host, root). */
static void
free_tree (StasFabricsCtrl *ctrl)
{
  if (ctrl->ctrl != NULL)
    {
      nvme_free_ctrl (ctrl->ctrl); /* unlinks it; closes its fd */
      ctrl->ctrl = NULL;
    }
  ctrl->host = NULL;
  g_clear_pointer (&ctrl->root, nvme_free_tree);
}

static void
nvme_ctrl_free (StasFabrics *fabrics, StasFabricsCtrl *ctrl)
{
  if (ctrl == NULL)
    return;
  free_tree (ctrl);
  if (ctrl->log_fp != NULL)
    fclose (ctrl->log_fp);
  g_string_free (ctrl->log_partial, TRUE);
  if (ctrl->dhchap_secret != NULL)
    memset (ctrl->dhchap_secret, 0, strlen (ctrl->dhchap_secret));
  if (ctrl->dhchap_ctrl_secret != NULL)
    memset (ctrl->dhchap_ctrl_secret, 0, strlen (ctrl->dhchap_ctrl_secret));
  if (ctrl->host_key != NULL)
    memset (ctrl->host_key, 0, strlen (ctrl->host_key));
  g_free (ctrl->dhchap_secret);
  g_free (ctrl->dhchap_ctrl_secret);
  g_free (ctrl->host_key);
  g_free (ctrl->symname);
  stas_tid_unref (ctrl->tid);
  g_free (ctrl);
}

static void
nvme_set_log_level (StasFabrics *fabrics, StasFabricsCtrl *ctrl, gboolean tron)
{
  /* applied by the next operation, in its worker: the root belongs to it [ARCH-4] */
  g_atomic_int_set (&ctrl->log_level, tron ? LOG_DEBUG : LOG_ERR);
}

/* ---- worker side ----------------------------------------------------------------------------- */

static const char *
nonempty (const char *s)
{
  return s != NULL && s[0] != '\0' ? s : NULL;
}

/* A fresh root and host for a new connection (worker). */
static gboolean
new_tree (StasFabricsCtrl *ctrl, GError **error)
{
  free_tree (ctrl);
  ctrl->root = nvme_create_root (ctrl->log_fp, g_atomic_int_get (&ctrl->log_level));
  if (ctrl->root == NULL)
    {
      g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED, "%s", g_strerror (ENOMEM));
      return FALSE;
    }
  /* the TID's host identity, not the sys.conf one [D-20] */
  ctrl->host = nvme_lookup_host (ctrl->root, stas_tid_get_host_nqn (ctrl->tid),
                                 nonempty (stas_tid_get_host_id (ctrl->tid)));
  if (ctrl->host == NULL)
    {
      g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED,
                   "Cannot create the host object (host NQN \"%s\")",
                   stas_tid_get_host_nqn (ctrl->tid));
      return FALSE;
    }
  if (ctrl->symname != NULL)
    nvme_host_set_hostsymname (ctrl->host, ctrl->symname);
  if (ctrl->host_key != NULL && ctrl->caps.dhchap_secret)
    nvme_host_set_dhchap_key (ctrl->host, ctrl->host_key);
  return TRUE;
}

/* An unconnected controller with the TID's address [CONN-2]. */
static nvme_ctrl_t
create_ctrl (StasFabricsCtrl *ctrl, GError **error)
{
  const StasTid *tid = ctrl->tid;
  const char *host_iface = NULL;
  nvme_ctrl_t c;

  if (strcmp (stas_tid_get_transport (tid), "tcp") == 0 && ctrl->pass_host_iface &&
      ctrl->caps.host_iface)
    host_iface = nonempty (stas_tid_get_host_iface (tid));
  errno = 0;
  c = nvme_create_ctrl (ctrl->root, stas_tid_get_subsysnqn (tid), stas_tid_get_transport (tid),
                        nonempty (stas_tid_get_traddr (tid)),
                        nonempty (stas_tid_get_host_traddr (tid)), host_iface,
                        nonempty (stas_tid_get_trsvcid (tid)));
  if (c == NULL)
    {
      int errsv = errno != 0 ? errno : ENOMEM;
      g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED, "%s", g_strerror (errsv));
      return NULL;
    }
  if (ctrl->discovery)
    nvme_ctrl_set_discovery_ctrl (c, true);
  if (ctrl->dhchap_secret != NULL && ctrl->caps.dhchap_secret)
    nvme_ctrl_set_dhchap_host_key (c, ctrl->dhchap_secret);
  if (ctrl->dhchap_ctrl_secret != NULL && ctrl->caps.dhchap_ctrl_secret)
    nvme_ctrl_set_dhchap_key (c, ctrl->dhchap_ctrl_secret);
  return c;
}

static void
fill_config (const StasFabricsCtrl *ctrl, struct nvme_fabrics_config *cfg)
{
  const StasConnParams *p = &ctrl->params;

  nvmf_default_config (cfg);
  if (p->kato.set)
    cfg->keep_alive_tmo = (int) p->kato.value;
  if (p->reconnect_delay.set)
    cfg->reconnect_delay = (int) p->reconnect_delay.value;
  if (p->ctrl_loss_tmo.set)
    cfg->ctrl_loss_tmo = (int) p->ctrl_loss_tmo.value;
  cfg->hdr_digest = p->hdr_digest;
  cfg->data_digest = p->data_digest;
  cfg->disable_sqflow = p->disable_sqflow;
  if (!ctrl->discovery)
    {
      if (p->queue_size.set)
        cfg->queue_size = (int) p->queue_size.value;
      if (p->nr_io_queues.set)
        cfg->nr_io_queues = (int) p->nr_io_queues.value;
      if (p->nr_write_queues.set)
        cfg->nr_write_queues = (int) p->nr_write_queues.value;
      if (p->nr_poll_queues.set)
        cfg->nr_poll_queues = (int) p->nr_poll_queues.value;
    }
}

static char *
config_to_string (const StasFabricsCtrl *ctrl, const struct nvme_fabrics_config *cfg)
{
#define PYBOOL(b) ((b) ? "True" : "False")
  return g_strdup_printf (
      "{'host_traddr': '%s', 'host_iface': '%s', 'queue_size': %d, 'nr_io_queues': %d, "
      "'reconnect_delay': %d, 'ctrl_loss_tmo': %d, 'keep_alive_tmo': %d, "
      "'nr_write_queues': %d, 'nr_poll_queues': %d, 'duplicate_connect': %s, "
      "'disable_sqflow': %s, 'hdr_digest': %s, 'data_digest': %s, 'dhchap_secret': %s, "
      "'dhchap_ctrl_secret': %s}",
      stas_tid_get_host_traddr (ctrl->tid), stas_tid_get_host_iface (ctrl->tid), cfg->queue_size,
      cfg->nr_io_queues, cfg->reconnect_delay, cfg->ctrl_loss_tmo, cfg->keep_alive_tmo,
      cfg->nr_write_queues, cfg->nr_poll_queues, PYBOOL (cfg->duplicate_connect),
      PYBOOL (cfg->disable_sqflow), PYBOOL (cfg->hdr_digest), PYBOOL (cfg->data_digest),
      ctrl->dhchap_secret != NULL ? "'<redacted>'" : "None",
      ctrl->dhchap_ctrl_secret != NULL ? "'<redacted>'" : "None");
#undef PYBOOL
}

/* <reason> of a failed connect: libnvme's text for its own codes, else strerror(). */
static const char *
connect_reason (int errsv)
{
  if (errsv >= ENVME_CONNECT_RESOLVE)
    return nvme_errno_to_string (errsv);
  return g_strerror (errsv);
}

static char *
do_connect (StasFabricsCtrl *ctrl, GError **error)
{
  struct nvme_fabrics_config cfg;
  g_autofree char *cfg_text = NULL;
  nvme_ctrl_t c;
  int ret;

  if (!new_tree (ctrl, error))
    return NULL;
  c = create_ctrl (ctrl, error);
  if (c == NULL)
    return NULL;
  fill_config (ctrl, &cfg);
  cfg_text = config_to_string (ctrl, &cfg);
  stas_debug ("%s Connecting to nvme control with cfg=%s", stas_tid_to_string (ctrl->tid),
              cfg_text);
  errno = 0;
  ret = nvmf_add_ctrl (ctrl->host, c, &cfg);
  if (ret != 0 || nvme_ctrl_get_name (c) == NULL)
    {
      int errsv = errno != 0 ? errno : EIO;

      nvme_free_ctrl (c);
      g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED, "%s",
                   connect_reason (errsv));
      return NULL;
    }
  ctrl->ctrl = c;
  return g_strdup (nvme_ctrl_get_name (c));
}

static char *
do_adopt (StasFabricsCtrl *ctrl, const char *device, GError **error)
{
  g_autofree char *dir = NULL;
  int instance = stas_sysfs_ctrl_instance (device);
  nvme_ctrl_t c;
  int ret;

  if (instance < 0)
    {
      g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NO_DEVICE,
                   "Not a controller device: %s", device);
      return NULL;
    }
  dir = g_build_filename (STAS_SYSFS_ROOT, "class", "nvme", device, NULL);
  if (access (dir, F_OK) != 0)
    {
      g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NO_DEVICE, "%s: %s", device,
                   g_strerror (ENODEV));
      return NULL;
    }
  if (!new_tree (ctrl, error))
    return NULL;
  c = create_ctrl (ctrl, error);
  if (c == NULL)
    return NULL;
  stas_debug ("%s Found existing control device: %s", stas_tid_to_string (ctrl->tid), device);
  errno = 0;
  ret = nvme_init_ctrl (ctrl->host, c, instance);
  if (ret != 0)
    {
      int errsv = errno != 0 ? errno : EIO;
      gboolean gone =
          errsv == ENODEV || errsv == ENOENT || errsv == ENXIO || access (dir, F_OK) != 0;

      nvme_free_ctrl (c);
      g_set_error (error, STAS_FABRICS_ERROR,
                   gone ? STAS_FABRICS_ERROR_NO_DEVICE : STAS_FABRICS_ERROR_FAILED, "%s: %s",
                   device, connect_reason (errsv));
      return NULL;
    }
  ctrl->ctrl = c;
  return g_strdup (device);
}

static gboolean
require_connected (StasFabricsCtrl *ctrl, GError **error)
{
  if (ctrl->ctrl != NULL && nvme_ctrl_get_name (ctrl->ctrl) != NULL)
    return TRUE;
  g_set_error_literal (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED,
                       "Not connected to a controller");
  return FALSE;
}

static int
require_fd (StasFabricsCtrl *ctrl, GError **error)
{
  int fd;

  if (!require_connected (ctrl, error))
    return -1;
  errno = 0;
  fd = nvme_ctrl_get_fd (ctrl->ctrl);
  if (fd < 0)
    {
      int errsv = errno != 0 ? errno : ENODEV;
      g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED, "/dev/%s: %s",
                   nvme_ctrl_get_name (ctrl->ctrl), g_strerror (errsv));
    }
  return fd;
}

static gboolean
do_disconnect (StasFabricsCtrl *ctrl, GError **error)
{
  if (!require_connected (ctrl, error))
    return FALSE;
  errno = 0;
  if (nvme_disconnect_ctrl (ctrl->ctrl) != 0)
    {
      int errsv = errno != 0 ? errno : EIO;
      g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED, "%s", g_strerror (errsv));
      return FALSE;
    }
  /* the controller object is deconfigured; freed by the next connect or ctrl_free */
  return TRUE;
}

static gboolean
do_registration_supported (StasFabricsCtrl *ctrl, gboolean *supported, GError **error)
{
  if (!require_connected (ctrl, error))
    return FALSE;
  *supported = nvmf_is_registration_supported (ctrl->ctrl);
  return TRUE;
}

/* [DC-3] NVMe status → NVME_STATUS "Result:0x<result>, Status:0x<status> - <text>";
 * ENOTSUP/EOPNOTSUPP/EINVAL → NOT_APPLICABLE "Status:<errno> - <text>"; else FAILED. */
static gboolean
do_dim (StasFabricsCtrl *ctrl, StasDimTas tas, GError **error)
{
  __u32 result = 0;
  int ret, errsv;

  if (!require_connected (ctrl, error))
    return FALSE;
  errno = 0;
  ret = nvmf_register_ctrl (ctrl->ctrl, (enum nvmf_dim_tas) tas, &result);
  if (ret == 0)
    return TRUE;
  if (ret > 0)
    {
      g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NVME_STATUS,
                   "Result:0x%04x, Status:0x%04x - %s", result, (unsigned) ret,
                   nvme_status_to_string (ret, false));
      return FALSE;
    }
  errsv = errno != 0 ? errno : EIO;
  if (errsv == ENOTSUP || errsv == EOPNOTSUPP || errsv == EINVAL)
    g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NOT_APPLICABLE, "Status:%d - %s",
                 errsv, g_strerror (errsv));
  else
    g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED, "%s", g_strerror (errsv));
  return FALSE;
}

/* One Get Log Page command: no splitting, so @rae is exactly what goes on the wire (libnvme
 * 1.3's nvme_get_log_page() overrides RAE on all but the last chunk). */
static gboolean
get_log (int fd,
         guint8 lid,
         guint8 lsp,
         guint64 offset,
         void *buf,
         guint32 len,
         gboolean rae,
         GError **error)
{
  struct nvme_get_log_args args = {
    .lpo = offset,
    .result = NULL,
    .log = buf,
    .args_size = sizeof (args),
    .fd = fd,
    .timeout = 0, /* the kernel's default admin timeout */
    .lid = (enum nvme_cmd_get_log_lid) lid,
    .len = len,
    .nsid = NVME_NSID_NONE,
    .csi = NVME_CSI_NVM,
    .lsi = NVME_LOG_LSI_NONE,
    .lsp = lsp,
    .uuidx = NVME_UUID_NONE,
    .rae = rae,
    .ot = false,
  };
  int ret;

  errno = 0;
  ret = nvme_get_log (&args);
  if (ret == 0)
    return TRUE;
  if (ret > 0)
    g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NVME_STATUS, "Status:0x%04x - %s",
                 (unsigned) ret, nvme_status_to_string (ret, false));
  else
    g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED, "%s",
                 g_strerror (errno != 0 ? errno : EIO));
  return FALSE;
}

/* [DC-4] Supported Log Pages: the LID 0x70 options. RAE=1, as the reference: LID 0 has no
 * asynchronous event of its own, so nothing can be lost either way. */
static gboolean
do_supported_log_pages (StasFabricsCtrl *ctrl, guint32 *options, GError **error)
{
  struct nvme_supported_log_pages pages;
  int fd = require_fd (ctrl, error);

  if (fd < 0)
    return FALSE;
  memset (&pages, 0, sizeof (pages));
  if (!get_log (fd, NVME_LOG_LID_SUPPORTED_LOG_PAGES, 0, 0, &pages, sizeof (pages), TRUE, error))
    return FALSE;
  *options = le32toh (pages.lid_support[NVME_LOG_LID_DISCOVER]) >> 16;
  return TRUE;
}

static gboolean
read_dlp_header (
    int fd, guint8 lsp, guint64 *genctr, guint64 *numrec, guint16 *recfmt, GError **error)
{
  g_autofree guint8 *hdr = g_malloc0 (DLP_HEADER_SIZE);
  guint64 v64;
  guint16 v16;

  if (!get_log (fd, NVME_LOG_LID_DISCOVER, lsp, 0, hdr, DLP_HEADER_SIZE, FALSE, error))
    return FALSE;
  memcpy (&v64, hdr, sizeof (v64));
  *genctr = le64toh (v64);
  memcpy (&v64, hdr + 8, sizeof (v64));
  *numrec = le64toh (v64);
  memcpy (&v16, hdr + 16, sizeof (v16));
  *recfmt = le16toh (v16);
  return TRUE;
}

/* [DC-6] The retrieval procedure; RAE=0 on every command, also for an empty log, so that
 * the DC re-arms its Discovery Log Page Change AEN [D-43]. */
static StasDlpRaw *
do_get_discovery_log (StasFabricsCtrl *ctrl, guint8 lsp, GError **error)
{
  int fd = require_fd (ctrl, error);

  if (fd < 0)
    return NULL;
  for (int attempt = 1; attempt <= STAS_DLP_GENCTR_RETRIES; attempt++)
    {
      guint64 genctr, numrec, genctr2, numrec2;
      guint16 recfmt, recfmt2;
      g_autofree guint8 *entries = NULL;
      gsize size;

      if (!read_dlp_header (fd, lsp, &genctr, &numrec, &recfmt, error))
        return NULL;
      if (numrec > STAS_MAX_DLP_RECORDS)
        {
          g_set_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_TOO_LARGE,
                       "Discovery log page too large (%" G_GUINT64_FORMAT " records)", numrec);
          return NULL;
        }
      size = (gsize) numrec * DLP_ENTRY_SIZE;
      entries = g_malloc0 (MAX (size, 1));
      for (gsize off = 0; off < size; off += DLP_MAX_TRANSFER)
        {
          guint32 len = (guint32) MIN ((gsize) DLP_MAX_TRANSFER, size - off);

          if (!get_log (fd, NVME_LOG_LID_DISCOVER, lsp, DLP_HEADER_SIZE + off, entries + off, len,
                        FALSE, error))
            return NULL;
        }
      if (!read_dlp_header (fd, lsp, &genctr2, &numrec2, &recfmt2, error))
        return NULL;
      if (genctr2 == genctr && numrec2 == numrec)
        {
          StasDlpRaw *dlp = g_new0 (StasDlpRaw, 1);

          dlp->genctr = genctr;
          dlp->numrec = numrec;
          dlp->recfmt = recfmt;
          dlp->entries = g_bytes_new_take (g_steal_pointer (&entries), size);
          return dlp;
        }
      stas_debug ("%s | %s - Discovery log page changed while read (genctr %" G_GUINT64_FORMAT
                  " -> %" G_GUINT64_FORMAT ", attempt %d)",
                  stas_tid_to_string (ctrl->tid), nvme_ctrl_get_name (ctrl->ctrl), genctr, genctr2,
                  attempt);
    }
  g_set_error_literal (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_GENCTR, "genctr mismatch");
  return NULL;
}

/* ---- GTask plumbing ----------------------------------------------------------------------------
 */

typedef enum
{
  OP_CONNECT,
  OP_ADOPT,
  OP_DISCONNECT,
  OP_REGISTRATION_SUPPORTED,
  OP_DIM,
  OP_SUPPORTED_LOG_PAGES,
  OP_GET_DISCOVERY_LOG,
} OpKind;

typedef struct
{
  OpKind kind;
  StasFabricsCtrl *ctrl; /* (unowned) the caller keeps it until completion [ARCH-4] */
  char *device;
  StasDimTas tas;
  guint8 lsp;
} Op;

static void
op_free (Op *op)
{
  g_free (op->device);
  g_free (op);
}

/* libnvme's log lines reach stas' logger before the result does: once the task returned,
 * the main thread may free @ctrl. */
static void
flush_log (StasFabricsCtrl *ctrl)
{
  if (ctrl->log_fp != NULL)
    fflush (ctrl->log_fp);
}

static void
op_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  Op *op = task_data;
  StasFabricsCtrl *ctrl = op->ctrl;
  GError *error = NULL;

  /* not started yet: honour the cancellation; once started, the real result is reported
   * (the caller needs to know whether a kernel device now exists) */
  if (g_task_return_error_if_cancelled (task))
    return;
  if (ctrl->root != NULL)
    nvme_init_logging (ctrl->root, g_atomic_int_get (&ctrl->log_level), false, false);

  switch (op->kind)
    {
    case OP_CONNECT:
    case OP_ADOPT:
      {
        char *device = op->kind == OP_CONNECT ? do_connect (ctrl, &error)
                                              : do_adopt (ctrl, op->device, &error);
        if (device != NULL)
          flush_log (ctrl), g_task_return_pointer (task, device, g_free);
        else
          flush_log (ctrl), g_task_return_error (task, error);
        break;
      }
    case OP_DISCONNECT:
      if (do_disconnect (ctrl, &error))
        flush_log (ctrl), g_task_return_boolean (task, TRUE);
      else
        flush_log (ctrl), g_task_return_error (task, error);
      break;
    case OP_REGISTRATION_SUPPORTED:
      {
        gboolean supported = FALSE;

        if (do_registration_supported (ctrl, &supported, &error))
          flush_log (ctrl), g_task_return_boolean (task, supported);
        else
          flush_log (ctrl), g_task_return_error (task, error);
        break;
      }
    case OP_DIM:
      if (do_dim (ctrl, op->tas, &error))
        flush_log (ctrl), g_task_return_boolean (task, TRUE);
      else
        flush_log (ctrl), g_task_return_error (task, error);
      break;
    case OP_SUPPORTED_LOG_PAGES:
      {
        guint32 options = 0;

        if (do_supported_log_pages (ctrl, &options, &error))
          flush_log (ctrl), g_task_return_int (task, (gssize) options);
        else
          flush_log (ctrl), g_task_return_error (task, error);
        break;
      }
    case OP_GET_DISCOVERY_LOG:
      {
        StasDlpRaw *dlp = do_get_discovery_log (ctrl, op->lsp, &error);

        if (dlp != NULL)
          flush_log (ctrl), g_task_return_pointer (task, dlp, (GDestroyNotify) stas_dlp_raw_free);
        else
          flush_log (ctrl), g_task_return_error (task, error);
        break;
      }
    }
}

/* SPEC §3 / §6: blocking libnvme calls run in a pool of WORKER_THREADS threads. */
#define WORKER_THREADS 8

static void
pool_run (gpointer data, gpointer user_data)
{
  GTask *task = data; /* (owned) */

  op_thread (task, g_task_get_source_object (task), g_task_get_task_data (task),
             g_task_get_cancellable (task));
  g_object_unref (task);
}

static GThreadPool *
worker_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (pool_run, NULL, WORKER_THREADS, FALSE, NULL));
  return pool;
}

static void
start_op (StasFabrics *fabrics,
          Op *op,
          gpointer source_tag,
          GCancellable *cancellable,
          GAsyncReadyCallback callback,
          gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (fabrics, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  g_thread_pool_push (worker_pool (), g_steal_pointer (&task), NULL);
}

static Op *
op_new (OpKind kind, StasFabricsCtrl *ctrl)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->ctrl = ctrl;
  return op;
}

static void
nvme_connect_async (StasFabrics *fabrics,
                    StasFabricsCtrl *ctrl,
                    GCancellable *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer user_data)
{
  start_op (fabrics, op_new (OP_CONNECT, ctrl), nvme_connect_async, cancellable, callback,
            user_data);
}

static char *
nvme_connect_finish (StasFabrics *fabrics, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, fabrics), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
nvme_adopt_async (StasFabrics *fabrics,
                  StasFabricsCtrl *ctrl,
                  const char *device,
                  GCancellable *cancellable,
                  GAsyncReadyCallback callback,
                  gpointer user_data)
{
  Op *op = op_new (OP_ADOPT, ctrl);

  op->device = g_strdup (device);
  start_op (fabrics, op, nvme_adopt_async, cancellable, callback, user_data);
}

static char *
nvme_adopt_finish (StasFabrics *fabrics, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, fabrics), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
nvme_disconnect_async (StasFabrics *fabrics,
                       StasFabricsCtrl *ctrl,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data)
{
  start_op (fabrics, op_new (OP_DISCONNECT, ctrl), nvme_disconnect_async, cancellable, callback,
            user_data);
}

static gboolean
nvme_boolean_finish (StasFabrics *fabrics, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, fabrics), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
nvme_registration_supported_async (StasFabrics *fabrics,
                                   StasFabricsCtrl *ctrl,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  start_op (fabrics, op_new (OP_REGISTRATION_SUPPORTED, ctrl), nvme_registration_supported_async,
            cancellable, callback, user_data);
}

static void
nvme_dim_async (StasFabrics *fabrics,
                StasFabricsCtrl *ctrl,
                StasDimTas tas,
                GCancellable *cancellable,
                GAsyncReadyCallback callback,
                gpointer user_data)
{
  Op *op = op_new (OP_DIM, ctrl);

  op->tas = tas;
  start_op (fabrics, op, nvme_dim_async, cancellable, callback, user_data);
}

static void
nvme_supported_log_pages_async (StasFabrics *fabrics,
                                StasFabricsCtrl *ctrl,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  start_op (fabrics, op_new (OP_SUPPORTED_LOG_PAGES, ctrl), nvme_supported_log_pages_async,
            cancellable, callback, user_data);
}

static gboolean
nvme_supported_log_pages_finish (StasFabrics *fabrics,
                                 GAsyncResult *result,
                                 guint32 *options,
                                 GError **error)
{
  GError *local_error = NULL;
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, fabrics), FALSE);
  value = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (options != NULL)
    *options = (guint32) value;
  return TRUE;
}

static void
nvme_get_discovery_log_async (StasFabrics *fabrics,
                              StasFabricsCtrl *ctrl,
                              guint8 lsp,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  Op *op = op_new (OP_GET_DISCOVERY_LOG, ctrl);

  op->lsp = lsp;
  start_op (fabrics, op, nvme_get_discovery_log_async, cancellable, callback, user_data);
}

static StasDlpRaw *
nvme_get_discovery_log_finish (StasFabrics *fabrics, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, fabrics), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- type -------------------------------------------------------------------------------------
 */

static void
stas_nvme_fabrics_iface_init (StasFabricsInterface *iface)
{
  iface->check_kernel = nvme_check_kernel;
  iface->get_library_version = nvme_get_library_version;
  iface->get_kernel_caps = nvme_get_kernel_caps;
  iface->scan_controllers = nvme_scan_controllers;
  iface->read_controller = nvme_read_controller;
  iface->start_monitor = nvme_start_monitor;
  iface->stop_monitor = nvme_stop_monitor;
  iface->ctrl_new = nvme_ctrl_new;
  iface->ctrl_free = nvme_ctrl_free;
  iface->set_log_level = nvme_set_log_level;
  iface->connect_async = nvme_connect_async;
  iface->connect_finish = nvme_connect_finish;
  iface->adopt_async = nvme_adopt_async;
  iface->adopt_finish = nvme_adopt_finish;
  iface->disconnect_async = nvme_disconnect_async;
  iface->disconnect_finish = nvme_boolean_finish;
  iface->registration_supported_async = nvme_registration_supported_async;
  iface->registration_supported_finish = nvme_boolean_finish;
  iface->dim_async = nvme_dim_async;
  iface->dim_finish = nvme_boolean_finish;
  iface->supported_log_pages_async = nvme_supported_log_pages_async;
  iface->supported_log_pages_finish = nvme_supported_log_pages_finish;
  iface->get_discovery_log_async = nvme_get_discovery_log_async;
  iface->get_discovery_log_finish = nvme_get_discovery_log_finish;
}

static void
stas_nvme_fabrics_dispose (GObject *object)
{
  StasNvmeFabrics *self = STAS_NVME_FABRICS (object);

  g_clear_pointer (&self->monitor, stas_udev_monitor_free);
  G_OBJECT_CLASS (stas_nvme_fabrics_parent_class)->dispose (object);
}

static void
stas_nvme_fabrics_finalize (GObject *object)
{
  StasNvmeFabrics *self = STAS_NVME_FABRICS (object);

  g_mutex_clear (&self->caps_lock);
  G_OBJECT_CLASS (stas_nvme_fabrics_parent_class)->finalize (object);
}

static void
stas_nvme_fabrics_class_init (StasNvmeFabricsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stas_nvme_fabrics_dispose;
  object_class->finalize = stas_nvme_fabrics_finalize;
}

static void
stas_nvme_fabrics_init (StasNvmeFabrics *self)
{
  g_mutex_init (&self->caps_lock);
}

StasFabrics *
stas_fabrics_new_default (void)
{
  return g_object_new (STAS_TYPE_NVME_FABRICS, NULL);
}
