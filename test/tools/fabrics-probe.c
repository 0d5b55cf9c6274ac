/* fabrics-probe.c — exercises the real StasFabrics (libnvme, sysfs, udev) against a real
 * NVMe/TCP target; run by test/vm/scenarios/fabrics-probe.sh as root in the VM.
 *
 * It connects a persistent discovery controller, reads its DLP with the stas procedure
 * (RAE=0 on every command, behaviour §5.6 [DC-6]), then, for each cycle, prints
 * "PROBE ready <i>" and waits for the DLP-change AEN (uevent NVME_AEN=0x70f002 on its
 * device) that the scenario provokes by changing the target, and re-reads the DLP. An AEN
 * arriving in every cycle proves that the log was read with RAE=0 (the DC masks further
 * AENs until then). Finally it tests adopt, disconnect and the "remove" uevent.
 *
 * Every result is a line "PROBE <what> ..." on stdout; the exit status is 0 only if every
 * step succeeded. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "stas-fabrics.h"
#include "stas-log.h"
#include "stas-udev.h"

static char *opt_transport = "tcp";
static char *opt_traddr = "127.0.0.1";
static char *opt_trsvcid = "8009";
static char *opt_subsysnqn = "nqn.2014-08.org.nvmexpress.discovery";
static char *opt_hostnqn;
static char *opt_hostid;
static int opt_kato = 30;
static int opt_cycles = 3;
static int opt_timeout = 30;
static char *opt_bad_trsvcid;
static gboolean opt_tron;
static char *opt_ioc_nqn;
static char *opt_ioc_trsvcid = "4420";
static char *opt_ioc_secret_file;
static char *ioc_secret;

static GOptionEntry entries[] = {
  { "transport", 't', 0, G_OPTION_ARG_STRING, &opt_transport, "Transport (tcp)", "T" },
  { "traddr", 'a', 0, G_OPTION_ARG_STRING, &opt_traddr, "DC address (127.0.0.1)", "A" },
  { "trsvcid", 's', 0, G_OPTION_ARG_STRING, &opt_trsvcid, "DC port (8009)", "S" },
  { "nqn", 'n', 0, G_OPTION_ARG_STRING, &opt_subsysnqn, "DC NQN (well-known)", "NQN" },
  { "hostnqn", 'q', 0, G_OPTION_ARG_STRING, &opt_hostnqn, "Host NQN (/etc/nvme/hostnqn)", "NQN" },
  { "hostid", 'I', 0, G_OPTION_ARG_STRING, &opt_hostid, "Host ID (/etc/nvme/hostid)", "ID" },
  { "kato", 'k', 0, G_OPTION_ARG_INT, &opt_kato, "Keep-alive timeout (30)", "S" },
  { "cycles", 'c', 0, G_OPTION_ARG_INT, &opt_cycles, "AEN cycles (3)", "N" },
  { "timeout", 'T', 0, G_OPTION_ARG_INT, &opt_timeout, "Seconds to wait for an event (30)", "S" },
  { "bad-trsvcid", 0, 0, G_OPTION_ARG_STRING, &opt_bad_trsvcid,
    "Also try a connect to this (closed) port and expect a failure", "S" },
  { "tron", 0, 0, G_OPTION_ARG_NONE, &opt_tron, "Debug logs (libnvme LOG_DEBUG)", NULL },
  { "ioc-nqn", 0, 0, G_OPTION_ARG_STRING, &opt_ioc_nqn,
    "Also connect and disconnect this I/O subsystem (same traddr)", "NQN" },
  { "ioc-trsvcid", 0, 0, G_OPTION_ARG_STRING, &opt_ioc_trsvcid, "Its port (4420)", "S" },
  { "ioc-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_ioc_secret_file,
    "File holding a dhchap-secret for the I/O controller (must never be logged)", "FILE" },
  { NULL },
};

typedef struct
{
  StasFabrics *fabrics;
  const char *device; /* the DC's device, while connected */
  guint aens;         /* DLP-change AENs on device */
  guint other_events;
  gboolean removed; /* "remove" on device */
} Probe;

static int failures;

#define PROBE(...)                                                                                 \
  G_STMT_START                                                                                     \
  {                                                                                                \
    printf ("PROBE " __VA_ARGS__);                                                                 \
    putchar ('\n');                                                                                \
    fflush (stdout);                                                                               \
  }                                                                                                \
  G_STMT_END

static void
fail (const char *what, const GError *error)
{
  failures++;
  PROBE ("FAIL %s: %s", what, error != NULL ? error->message : "");
}

static const char *
error_code_name (const GError *error)
{
  static const char *const names[] = {
    "FAILED", "NVME_STATUS", "NOT_APPLICABLE", "GENCTR", "TOO_LARGE", "NO_DEVICE",
  };

  if (error->domain == STAS_FABRICS_ERROR && error->code >= 0 &&
      (gsize) error->code < G_N_ELEMENTS (names))
    return names[error->code];
  return g_quark_to_string (error->domain);
}

/* ---- waiting ----------------------------------------------------------------------------- */

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Spins the main loop until *counter reaches @target or the timeout. */
static gboolean
wait_count (guint *counter, guint target)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds ((guint) opt_timeout, on_timeout, &timed_out);

  while (*counter < target && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return *counter >= target;
}

static void
on_uevent (StasFabrics *fabrics, const StasUevent *event, Probe *probe)
{
  static const char *const actions[] = { "add", "remove", "change" };
  guint32 aen = 0;
  gboolean mine = probe->device != NULL && g_strcmp0 (event->name, probe->device) == 0;

  PROBE ("uevent %s %s NVME_AEN=%s NVME_EVENT=%s", actions[event->action], event->name,
         event->nvme_aen != NULL ? event->nvme_aen : "-",
         event->nvme_event != NULL ? event->nvme_event : "-");
  if (!mine)
    return;
  if (event->action == STAS_UEVENT_CHANGE && event->nvme_aen != NULL &&
      stas_nvme_aen_parse (event->nvme_aen, &aen) && aen == STAS_DLP_CHANGED_AEN)
    probe->aens++;
  else if (event->action == STAS_UEVENT_REMOVE)
    probe->removed = TRUE;
  else
    probe->other_events++;
}

static void
on_overflow (StasFabrics *fabrics, Probe *probe)
{
  PROBE ("overflow");
}

/* ---- operations --------------------------------------------------------------------------- */

static char *
do_connect (Probe *probe, StasFabricsCtrl *ctrl, GError **error)
{
  GAsyncResult *res = NULL;
  char *device;

  stas_fabrics_connect_async (probe->fabrics, ctrl, NULL, on_done, &res);
  device = stas_fabrics_connect_finish (probe->fabrics, wait_result (&res), error);
  g_object_unref (res);
  return device;
}

static StasDlpRaw *
read_dlp (Probe *probe, StasFabricsCtrl *ctrl, const char *label)
{
  g_autoptr (GError) error = NULL;
  GAsyncResult *res = NULL;
  StasDlpRaw *dlp;
  gint64 start = g_get_monotonic_time ();

  stas_fabrics_get_discovery_log_async (probe->fabrics, ctrl, 0, NULL, on_done, &res);
  dlp = stas_fabrics_get_discovery_log_finish (probe->fabrics, wait_result (&res), &error);
  g_object_unref (res);
  if (dlp == NULL)
    {
      fail (label, error);
      return NULL;
    }
  PROBE ("dlp %s genctr=%" G_GUINT64_FORMAT " numrec=%" G_GUINT64_FORMAT
         " recfmt=%u bytes=%" G_GSIZE_FORMAT " ms=%" G_GINT64_FORMAT,
         label, dlp->genctr, dlp->numrec, dlp->recfmt, g_bytes_get_size (dlp->entries),
         (g_get_monotonic_time () - start) / 1000);
  for (guint64 i = 0; i < dlp->numrec; i++)
    {
      const guint8 *e = (const guint8 *) g_bytes_get_data (dlp->entries, NULL) + i * 1024;
      /* struct nvmf_disc_log_entry: subtype @2, trsvcid @32 (32), subnqn @256 (256),
       * traddr @512 (256) */
      g_autofree char *trsvcid = g_strndup ((const char *) e + 32, 32);
      g_autofree char *subnqn = g_strndup ((const char *) e + 256, 256);
      g_autofree char *traddr = g_strndup ((const char *) e + 512, 256);

      PROBE ("dlpe %s %" G_GUINT64_FORMAT " subtype=%u traddr=%s trsvcid=%s subnqn=%s", label, i,
             e[2], g_strstrip (traddr), g_strstrip (trsvcid), subnqn);
    }
  return dlp;
}

static void
dc_info (Probe *probe, StasFabricsCtrl *ctrl)
{
  g_autoptr (GError) error = NULL;
  GAsyncResult *res = NULL;
  gboolean supported;
  guint32 options = 0;

  stas_fabrics_registration_supported_async (probe->fabrics, ctrl, NULL, on_done, &res);
  supported =
      stas_fabrics_registration_supported_finish (probe->fabrics, wait_result (&res), &error);
  g_clear_object (&res);
  if (error != NULL)
    fail ("registration-supported", error);
  else
    PROBE ("registration-supported %d", supported);
  g_clear_error (&error);

  /* nvmet is not a TP8010 DC: DIM must classify as NOT_APPLICABLE (ENOTSUP) */
  stas_fabrics_dim_async (probe->fabrics, ctrl, STAS_DIM_REGISTER, NULL, on_done, &res);
  if (stas_fabrics_dim_finish (probe->fabrics, wait_result (&res), &error))
    PROBE ("dim ok");
  else
    PROBE ("dim error %s %s", error_code_name (error), error->message);
  g_clear_object (&res);
  g_clear_error (&error);

  /* nvmet's discovery controller rejects LID 0 with an NVMe status */
  stas_fabrics_supported_log_pages_async (probe->fabrics, ctrl, NULL, on_done, &res);
  if (stas_fabrics_supported_log_pages_finish (probe->fabrics, wait_result (&res), &options,
                                               &error))
    PROBE ("supported-log-pages options=0x%04x", options);
  else
    PROBE ("supported-log-pages error %s %s", error_code_name (error), error->message);
  g_clear_object (&res);
}

static void
adopt_test (Probe *probe, const StasConnectRequest *request, const char *device)
{
  g_autoptr (GError) error = NULL;
  GAsyncResult *res = NULL;
  StasFabricsCtrl *other = stas_fabrics_ctrl_new (probe->fabrics, request);
  g_autofree char *adopted = NULL;
  g_autoptr (StasKernelCtrl) still = NULL;

  stas_fabrics_adopt_async (probe->fabrics, other, device, NULL, on_done, &res);
  adopted = stas_fabrics_adopt_finish (probe->fabrics, wait_result (&res), &error);
  g_clear_object (&res);
  if (adopted == NULL)
    fail ("adopt", error);
  else
    {
      g_autoptr (StasDlpRaw) dlp = NULL;

      PROBE ("adopted %s", adopted);
      dlp = read_dlp (probe, other, "adopted");
    }
  g_clear_error (&error);
  /* freeing an adopted handle never disconnects */
  stas_fabrics_ctrl_free (probe->fabrics, other);
  still = stas_fabrics_read_controller (probe->fabrics, device);
  PROBE ("after-adopt-free %s %s", device, still != NULL ? still->state : "gone");
  if (still == NULL)
    failures++;

  /* a device that does not exist */
  g_clear_pointer (&adopted, g_free);
  other = stas_fabrics_ctrl_new (probe->fabrics, request);
  stas_fabrics_adopt_async (probe->fabrics, other, "nvme999", NULL, on_done, &res);
  adopted = stas_fabrics_adopt_finish (probe->fabrics, wait_result (&res), &error);
  g_clear_object (&res);
  if (adopted == NULL && g_error_matches (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NO_DEVICE))
    PROBE ("adopt-missing NO_DEVICE %s", error->message);
  else
    fail ("adopt-missing", error);
  stas_fabrics_ctrl_free (probe->fabrics, other);
}

static void
bad_connect_test (Probe *probe, StasConnectRequest *request)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StasTid) tid = NULL;
  StasTidFields f = {
    .transport = opt_transport,
    .traddr = opt_traddr,
    .trsvcid = opt_bad_trsvcid,
    .subsysnqn = opt_subsysnqn,
    .host_nqn = opt_hostnqn,
    .host_id = opt_hostid,
  };
  StasConnectRequest bad = *request;
  StasFabricsCtrl *ctrl;
  g_autofree char *device = NULL;

  tid = stas_tid_new (NULL, &f, &error);
  g_assert_no_error (error);
  bad.tid = tid;
  ctrl = stas_fabrics_ctrl_new (probe->fabrics, &bad);
  device = do_connect (probe, ctrl, &error);
  if (device == NULL && g_error_matches (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED))
    PROBE ("connect-fail %s: %s", stas_tid_to_string (tid), error->message);
  else
    {
      failures++;
      PROBE ("FAIL connect-fail: %s", device != NULL ? device : error->message);
    }
  stas_fabrics_ctrl_free (probe->fabrics, ctrl);
}

/* An I/O controller with a dhchap-secret: connect, namespaces, disconnect. */
static void
ioc_test (Probe *probe)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StasTid) tid = NULL;
  StasTidFields f = {
    .transport = opt_transport,
    .traddr = opt_traddr,
    .trsvcid = opt_ioc_trsvcid,
    .subsysnqn = opt_ioc_nqn,
    .host_nqn = opt_hostnqn,
    .host_id = opt_hostid,
  };
  StasConnectRequest request = { 0 };
  StasFabricsCtrl *ctrl;
  g_autofree char *device = NULL;
  GAsyncResult *res = NULL;

  tid = stas_tid_new (NULL, &f, &error);
  g_assert_no_error (error);
  request.tid = tid;
  request.discovery = FALSE;
  request.pass_host_iface = TRUE;
  request.params.ctrl_loss_tmo.set = TRUE;
  request.params.ctrl_loss_tmo.value = 10;
  request.params.dhchap_secret = ioc_secret;
  ctrl = stas_fabrics_ctrl_new (probe->fabrics, &request);
  stas_fabrics_set_log_level (probe->fabrics, ctrl, opt_tron);
  device = do_connect (probe, ctrl, &error);
  if (device == NULL)
    {
      fail ("ioc-connect", error);
      stas_fabrics_ctrl_free (probe->fabrics, ctrl);
      return;
    }
  PROBE ("ioc-connected %s %s", device, stas_tid_to_string (tid));
  {
    g_autoptr (StasKernelCtrl) entry = NULL;

    for (int i = 0; i < 100; i++) /* namespaces show up shortly after the connect */
      {
        g_clear_pointer (&entry, stas_kernel_ctrl_free);
        entry = stas_fabrics_read_controller (probe->fabrics, device);
        if (entry == NULL || entry->has_namespaces)
          break;
        g_usleep (100 * 1000);
      }
    if (entry == NULL)
      fail ("ioc-read-controller", NULL);
    else
      PROBE ("ioc-entry %s cntrltype=%s subsysnqn=%s has_namespaces=%d", entry->name,
             entry->cntrltype, entry->subsysnqn, entry->has_namespaces);
  }
  stas_fabrics_disconnect_async (probe->fabrics, ctrl, NULL, on_done, &res);
  if (stas_fabrics_disconnect_finish (probe->fabrics, wait_result (&res), &error))
    PROBE ("ioc-disconnected %s", device);
  else
    fail ("ioc-disconnect", error);
  g_clear_object (&res);
  stas_fabrics_ctrl_free (probe->fabrics, ctrl);
}

static char *
read_host_file (const char *name)
{
  g_autofree char *path = g_build_filename ("/etc/nvme", name, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return g_strstrip (text);
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- StasFabrics VM probe");
  g_autoptr (GError) error = NULL;
  g_autoptr (StasTid) tid = NULL;
  g_autofree char *libversion = NULL;
  g_autofree char *device = NULL;
  g_autoptr (GPtrArray) table = NULL;
  g_autoptr (StasKernelCtrl) entry = NULL;
  StasKernelCaps caps;
  StasConnectRequest request = { 0 };
  StasFabricsCtrl *ctrl;
  Probe probe = { 0 };
  GAsyncResult *res = NULL;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  stas_log_init ("fabrics-probe", STAS_LOG_TO_STDOUT);
  stas_log_set_debug (opt_tron);
  if (opt_hostnqn == NULL)
    opt_hostnqn = read_host_file ("hostnqn");
  if (opt_hostid == NULL)
    opt_hostid = read_host_file ("hostid");
  if (opt_ioc_secret_file != NULL)
    {
      if (!g_file_get_contents (opt_ioc_secret_file, &ioc_secret, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
      g_strstrip (ioc_secret);
    }

  probe.fabrics = stas_fabrics_new_default ();
  if (!stas_fabrics_check_kernel (probe.fabrics, &error))
    {
      PROBE ("FAIL check-kernel: %s", error->message);
      return 1;
    }
  libversion = stas_fabrics_get_library_version (probe.fabrics);
  stas_fabrics_get_kernel_caps (probe.fabrics, &caps);
  PROBE ("library %s caps from_options=%d host_iface=%d discovery=%d dhchap_secret=%d "
         "dhchap_ctrl_secret=%d cntrltype=%d src_addr=%d",
         libversion, caps.from_options, caps.host_iface, caps.discovery, caps.dhchap_secret,
         caps.dhchap_ctrl_secret, caps.cntrltype, caps.src_addr);

  /* the monitor first, then the scan [KT-1] */
  g_signal_connect (probe.fabrics, "uevent", G_CALLBACK (on_uevent), &probe);
  g_signal_connect (probe.fabrics, "overflow", G_CALLBACK (on_overflow), &probe);
  if (!stas_fabrics_start_monitor (probe.fabrics, &error))
    {
      PROBE ("FAIL monitor: %s", error->message);
      return 1;
    }
  table = stas_fabrics_scan_controllers (probe.fabrics, &error);
  g_assert_no_error (error);
  PROBE ("scan %u controllers", table->len);

  {
    StasTidFields f = {
      .transport = opt_transport,
      .traddr = opt_traddr,
      .trsvcid = opt_trsvcid,
      .subsysnqn = opt_subsysnqn,
      .host_nqn = opt_hostnqn,
      .host_id = opt_hostid,
    };
    tid = stas_tid_new (NULL, &f, &error);
    if (tid == NULL)
      {
        PROBE ("FAIL tid: %s", error->message);
        return 2;
      }
  }
  request.tid = tid;
  request.discovery = TRUE;
  request.pass_host_iface = TRUE;
  request.params.kato.set = opt_kato > 0;
  request.params.kato.value = opt_kato;

  if (opt_bad_trsvcid != NULL)
    bad_connect_test (&probe, &request);
  if (opt_ioc_nqn != NULL)
    ioc_test (&probe);

  ctrl = stas_fabrics_ctrl_new (probe.fabrics, &request);
  stas_fabrics_set_log_level (probe.fabrics, ctrl, opt_tron);
  device = do_connect (&probe, ctrl, &error);
  if (device == NULL)
    {
      PROBE ("FAIL connect %s: %s", stas_tid_to_string (tid), error->message);
      return 1;
    }
  probe.device = device;
  PROBE ("connected %s %s", device, stas_tid_to_string (tid));
  entry = stas_fabrics_read_controller (probe.fabrics, device);
  if (entry == NULL)
    fail ("read-controller", NULL);
  else
    PROBE ("kernel-entry %s transport=%s traddr=%s trsvcid=%s subsysnqn=%s cntrltype=%s "
           "dctype=%s state=%s hostnqn=%s src_addr=%s has_namespaces=%d",
           entry->name, entry->transport, entry->traddr, entry->trsvcid, entry->subsysnqn,
           entry->cntrltype, entry->dctype, entry->state, entry->hostnqn, entry->src_addr,
           entry->has_namespaces);

  dc_info (&probe, ctrl);
  {
    g_autoptr (StasDlpRaw) dlp = read_dlp (&probe, ctrl, "0");
  }

  for (int i = 1; i <= opt_cycles; i++)
    {
      g_autoptr (StasDlpRaw) dlp = NULL;
      g_autofree char *label = g_strdup_printf ("%d", i);
      guint before = probe.aens;

      PROBE ("ready %d", i);
      if (!wait_count (&probe.aens, before + 1))
        {
          failures++;
          PROBE ("FAIL aen %d: no DLP-change AEN on %s within %d s", i, device, opt_timeout);
          break;
        }
      PROBE ("aen %d %s", i, device);
      dlp = read_dlp (&probe, ctrl, label);
    }

  adopt_test (&probe, &request, device);

  PROBE ("disconnecting %s", device);
  stas_fabrics_disconnect_async (probe.fabrics, ctrl, NULL, on_done, &res);
  if (!stas_fabrics_disconnect_finish (probe.fabrics, wait_result (&res), &error))
    fail ("disconnect", error);
  g_clear_object (&res);
  g_clear_error (&error);
  /* wait for the "remove" uevent */
  {
    gboolean timed_out = FALSE;
    guint id = g_timeout_add_seconds ((guint) opt_timeout, on_timeout, &timed_out);

    while (!probe.removed && !timed_out)
      g_main_context_iteration (NULL, TRUE);
    if (!timed_out)
      g_source_remove (id);
  }
  if (probe.removed)
    PROBE ("removed %s", device);
  else
    {
      failures++;
      PROBE ("FAIL remove: no remove uevent for %s", device);
    }
  /* the handle is no longer connected */
  {
    stas_fabrics_disconnect_async (probe.fabrics, ctrl, NULL, on_done, &res);
    if (stas_fabrics_disconnect_finish (probe.fabrics, wait_result (&res), &error))
      fail ("second disconnect succeeded", NULL);
    else
      PROBE ("second-disconnect %s %s", error_code_name (error), error->message);
    g_clear_object (&res);
    g_clear_error (&error);
  }

  stas_fabrics_ctrl_free (probe.fabrics, ctrl);
  stas_fabrics_stop_monitor (probe.fabrics);
  g_object_unref (probe.fabrics);
  PROBE ("done aens=%u other_events=%u failures=%d", probe.aens, probe.other_events, failures);
  return failures == 0 ? 0 : 1;
}
