/* test-fake-fabrics.c — the scripted fake fabrics behaves as documented in fake-fabrics.h:
 * connect/adopt/disconnect against the fake kernel, uevents and AENs, failure injection,
 * DLP retrieval (PLEO, genctr churn), scripts and control commands. */
#include "config.h"

#include <errno.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "fake-fabrics.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOSTID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define DISC STAS_WELL_KNOWN_DISC_NQN
#define DC_NQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"
#define IO_NQN "nqn.2023-01.com.example:array1"

typedef struct
{
  StasFakeFabrics *fake;
  StasFabrics *fabrics;
  StasFabricsInterface *iface;
  GPtrArray *events; /* of StasUevent, received */
  guint overflows;
  StasFakeTarget *dc_target; /* tcp 192.168.1.10 8009: a DDC with PLEOS */
  StasFakeTarget *io_target; /* tcp 192.168.1.20 4420: IO_NQN */
} Fixture;

static void
on_uevent (StasFabrics *fabrics, const StasUevent *event, Fixture *fx)
{
  g_ptr_array_add (fx->events, stas_uevent_copy (event));
}

static void
on_overflow (StasFabrics *fabrics, Fixture *fx)
{
  fx->overflows++;
}

static void
setup (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fx->fake = stas_fake_fabrics_new ();
  fx->fabrics = STAS_FABRICS (fx->fake);
  fx->iface = STAS_FABRICS_GET_IFACE (fx->fabrics);
  fx->events = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_uevent_free);
  g_signal_connect (fx->fabrics, "uevent", G_CALLBACK (on_uevent), fx);
  g_signal_connect (fx->fabrics, "overflow", G_CALLBACK (on_overflow), fx);
  g_assert_true (fx->iface->start_monitor (fx->fabrics, &error));
  g_assert_no_error (error);

  fx->dc_target = stas_fake_fabrics_add_target (fx->fake, "tcp", "192.168.1.10", "8009");
  stas_fake_fabrics_add_discovery_subsystem (fx->fake, fx->dc_target, DC_NQN, STAS_FAKE_DCTYPE_DDC);
  stas_fake_fabrics_set_log_page_options (fx->fake, fx->dc_target, 0x3);
  fx->io_target = stas_fake_fabrics_add_target (fx->fake, "tcp", "192.168.1.20", "4420");
  stas_fake_fabrics_add_io_subsystem (fx->fake, fx->io_target, IO_NQN, 2);
}

static void
flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  flush ();
  g_assert_cmpuint (stas_fake_fabrics_count_pending (fx->fake), ==, 0);
  g_assert_cmpuint (stas_fake_fabrics_count_ctrls (fx->fake), ==, 0);
  fx->iface->stop_monitor (fx->fabrics);
  g_ptr_array_unref (fx->events);
  g_assert_finalize_object (fx->fake);
}

/* ---- helpers: TIDs, handles, synchronous wrappers ------------------------------------------ */

static StasTid *
make_tid (const char *traddr, const char *trsvcid, const char *subsysnqn, const char *host_iface)
{
  StasTidDefaults defaults = { .kind = STAS_DAEMON_STAFD, .host_nqn = HOSTNQN, .host_id = HOSTID };
  StasTidFields fields = { .transport = "tcp",
                           .traddr = traddr,
                           .trsvcid = trsvcid,
                           .subsysnqn = subsysnqn,
                           .host_iface = host_iface };
  g_autoptr (GError) error = NULL;
  StasTid *tid = stas_tid_new (&defaults, &fields, &error);

  g_assert_no_error (error);
  return tid;
}

static StasFabricsCtrl *
new_ctrl (Fixture *fx, const char *traddr, const char *trsvcid, const char *nqn, gboolean dc)
{
  g_autoptr (StasTid) tid = make_tid (traddr, trsvcid, nqn, NULL);
  StasConnectRequest request = { .tid = tid, .discovery = dc };

  return fx->iface->ctrl_new (fx->fabrics, &request);
}

static StasFabricsCtrl *
dc_ctrl (Fixture *fx)
{
  return new_ctrl (fx, "192.168.1.10", "8009", DISC, TRUE);
}

static StasFabricsCtrl *
io_ctrl (Fixture *fx)
{
  return new_ctrl (fx, "192.168.1.20", "4420", IO_NQN, FALSE);
}

static void
free_ctrl (Fixture *fx, StasFabricsCtrl *ctrl)
{
  fx->iface->ctrl_free (fx->fabrics, ctrl);
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static char *
do_connect (Fixture *fx, StasFabricsCtrl *ctrl, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  fx->iface->connect_async (fx->fabrics, ctrl, NULL, on_done, &result);
  g_assert_null (result); /* never completes re-entrantly */
  return fx->iface->connect_finish (fx->fabrics, wait_result (&result), error);
}

static char *
do_adopt (Fixture *fx, StasFabricsCtrl *ctrl, const char *device, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  fx->iface->adopt_async (fx->fabrics, ctrl, device, NULL, on_done, &result);
  g_assert_null (result);
  return fx->iface->adopt_finish (fx->fabrics, wait_result (&result), error);
}

static gboolean
do_disconnect (Fixture *fx, StasFabricsCtrl *ctrl, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  fx->iface->disconnect_async (fx->fabrics, ctrl, NULL, on_done, &result);
  g_assert_null (result);
  return fx->iface->disconnect_finish (fx->fabrics, wait_result (&result), error);
}

static gboolean
do_dim (Fixture *fx, StasFabricsCtrl *ctrl, StasDimTas tas, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  fx->iface->dim_async (fx->fabrics, ctrl, tas, NULL, on_done, &result);
  g_assert_null (result);
  return fx->iface->dim_finish (fx->fabrics, wait_result (&result), error);
}

static gboolean
do_registration_supported (Fixture *fx, StasFabricsCtrl *ctrl, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  fx->iface->registration_supported_async (fx->fabrics, ctrl, NULL, on_done, &result);
  return fx->iface->registration_supported_finish (fx->fabrics, wait_result (&result), error);
}

static gboolean
do_supported (Fixture *fx, StasFabricsCtrl *ctrl, guint32 *options, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  fx->iface->supported_log_pages_async (fx->fabrics, ctrl, NULL, on_done, &result);
  return fx->iface->supported_log_pages_finish (fx->fabrics, wait_result (&result), options, error);
}

static StasDlpRaw *
do_dlp (Fixture *fx, StasFabricsCtrl *ctrl, guint8 lsp, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  fx->iface->get_discovery_log_async (fx->fabrics, ctrl, lsp, NULL, on_done, &result);
  g_assert_null (result);
  return fx->iface->get_discovery_log_finish (fx->fabrics, wait_result (&result), error);
}

static char *
connect_ok (Fixture *fx, StasFabricsCtrl *ctrl)
{
  g_autoptr (GError) error = NULL;
  char *name = do_connect (fx, ctrl, &error);

  g_assert_no_error (error);
  g_assert_nonnull (name);
  return name;
}

/* The received events as "add nvme0", "change nvme0 NVME_EVENT=connected", ... */
static char *
events_text (Fixture *fx)
{
  static const char *const actions[] = { "add", "remove", "change" };
  g_autoptr (GString) s = g_string_new (NULL);

  flush ();
  for (guint i = 0; i < fx->events->len; i++)
    {
      const StasUevent *e = g_ptr_array_index (fx->events, i);
      if (s->len > 0)
        g_string_append (s, "; ");
      g_string_append_printf (s, "%s %s", actions[e->action], e->name);
      if (e->nvme_event != NULL)
        g_string_append_printf (s, " NVME_EVENT=%s", e->nvme_event);
      if (e->nvme_aen != NULL)
        g_string_append_printf (s, " NVME_AEN=%s", e->nvme_aen);
    }
  g_ptr_array_set_size (fx->events, 0);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
discard_events (Fixture *fx)
{
  g_free (events_text (fx));
}

static void
assert_events (Fixture *fx, const char *expected)
{
  g_autofree char *text = events_text (fx);

  g_assert_cmpstr (text, ==, expected);
}

static GArray *
parse_page (const StasDlpRaw *raw)
{
  guint dropped = 0;
  GArray *entries = stas_dlp_parse_page (raw, "dc", "nvme0", &dropped, NULL);

  g_assert_cmpuint (dropped, ==, 0);
  return entries;
}

static const StasDlpeSpec entry_a = { .trtype = STAS_DLP_TRTYPE_TCP,
                                      .adrfam = STAS_DLP_ADRFAM_IPV4,
                                      .subtype = STAS_DLP_SUBTYPE_NVME,
                                      .portid = 1,
                                      .cntlid = 0xffff,
                                      .asqsz = 32,
                                      .traddr = "192.168.1.20",
                                      .trsvcid = "4420",
                                      .subnqn = IO_NQN };
static const StasDlpeSpec entry_b = { .trtype = STAS_DLP_TRTYPE_TCP,
                                      .adrfam = STAS_DLP_ADRFAM_IPV4,
                                      .subtype = STAS_DLP_SUBTYPE_NVME,
                                      .eflags = STAS_DLP_EFLAGS_NCC,
                                      .traddr = "192.168.1.21",
                                      .trsvcid = "4420",
                                      .subnqn = "nqn.2023-01.com.example:array2" };

/* ---- the kernel -------------------------------------------------------------------------- */

/* connect: a device nvme<lowest free> with the sysfs view; add, then change connected */
static void
test_connect_creates_device (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *dc = dc_ctrl (fx);
  StasFabricsCtrl *io = io_ctrl (fx);
  g_autofree char *dc_name = connect_ok (fx, dc);
  g_autofree char *io_name = connect_ok (fx, io);
  g_autoptr (GPtrArray) table = fx->iface->scan_controllers (fx->fabrics, NULL);
  g_autoptr (StasKernelCtrl) kc = fx->iface->read_controller (fx->fabrics, "nvme0");
  const StasFakeCall *call;

  g_assert_cmpstr (dc_name, ==, "nvme0");
  g_assert_cmpstr (io_name, ==, "nvme1");
  assert_events (fx, "add nvme0; change nvme0 NVME_EVENT=connected; "
                     "add nvme1; change nvme1 NVME_EVENT=connected");
  g_assert_cmpuint (table->len, ==, 2);
  g_assert_nonnull (kc);
  g_assert_cmpint (kc->instance, ==, 0);
  g_assert_cmpstr (kc->transport, ==, "tcp");
  g_assert_cmpstr (kc->traddr, ==, "192.168.1.10");
  g_assert_cmpstr (kc->trsvcid, ==, "8009");
  g_assert_cmpstr (kc->subsysnqn, ==, DC_NQN); /* TP8013: the DC's unique NQN */
  g_assert_cmpstr (kc->hostnqn, ==, HOSTNQN);
  g_assert_cmpstr (kc->hostid, ==, HOSTID);
  g_assert_cmpstr (kc->cntrltype, ==, "discovery");
  g_assert_cmpstr (kc->dctype, ==, "ddc");
  g_assert_cmpstr (kc->state, ==, "live");
  g_assert_false (kc->has_namespaces);
  g_clear_pointer (&kc, stas_kernel_ctrl_free);
  kc = fx->iface->read_controller (fx->fabrics, "nvme1");
  g_assert_cmpstr (kc->cntrltype, ==, "io");
  g_assert_cmpstr (kc->dctype, ==, "none");
  g_assert_true (kc->has_namespaces);
  g_assert_null (fx->iface->read_controller (fx->fabrics, "nvme7"));

  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL), ==, 2);
  call = stas_fake_fabrics_get_last_call (fx->fake, STAS_FAKE_OP_CONNECT);
  g_assert_cmpstr (stas_tid_get_subsysnqn (call->tid), ==, IO_NQN);
  g_assert_null (call->device); /* no device yet when connect is called */
  g_assert_false (call->discovery);
  free_ctrl (fx, dc);
  free_ctrl (fx, io);
}

/* disconnect: remove; the instance is reused (lowest free) */
static void
test_disconnect_removes_device (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *a = dc_ctrl (fx);
  StasFabricsCtrl *b = dc_ctrl (fx);
  StasFabricsCtrl *c = dc_ctrl (fx);
  g_autoptr (GError) error = NULL;
  g_autofree char *na = connect_ok (fx, a);
  g_autofree char *nb = connect_ok (fx, b); /* DCs: duplicates allowed */
  g_autofree char *nc = NULL;

  g_assert_cmpstr (nb, ==, "nvme1");
  g_assert_true (do_disconnect (fx, a, &error));
  g_assert_no_error (error);
  g_assert_false (stas_fake_fabrics_has_device (fx->fake, "nvme0"));
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DISCONNECT, "nvme0"), ==,
                    1);
  discard_events (fx);
  nc = connect_ok (fx, c);
  g_assert_cmpstr (nc, ==, "nvme0");
  g_assert_true (do_disconnect (fx, b, &error));
  assert_events (fx, "add nvme0; change nvme0 NVME_EVENT=connected; remove nvme1");
  /* disconnecting again: the device is gone */
  g_assert_false (do_disconnect (fx, b, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (do_disconnect (fx, c, &error));
  free_ctrl (fx, a);
  free_ctrl (fx, b);
  free_ctrl (fx, c);
}

/* what the kernel refuses: no target, unknown subsystem, duplicate I/O connection */
static void
test_connect_refused (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *nobody = new_ctrl (fx, "192.168.1.99", "8009", DISC, TRUE);
  StasFabricsCtrl *unknown = new_ctrl (fx, "192.168.1.20", "4420", "nqn.2023-01.x:none", FALSE);
  StasFabricsCtrl *io1 = io_ctrl (fx);
  StasFabricsCtrl *io2 = io_ctrl (fx);
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;

  g_assert_null (do_connect (fx, nobody, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, g_strerror (ECONNREFUSED));
  g_clear_error (&error);
  g_assert_null (do_connect (fx, unknown, &error));
  g_assert_cmpstr (error->message, ==, g_strerror (EIO));
  g_clear_error (&error);
  name = connect_ok (fx, io1);
  g_assert_null (do_connect (fx, io2, &error));
  g_assert_cmpstr (error->message, ==, g_strerror (EALREADY));
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_CONNECT, NULL), ==, 4);
  g_assert_true (do_disconnect (fx, io1, NULL));
  free_ctrl (fx, nobody);
  free_ctrl (fx, unknown);
  free_ctrl (fx, io1);
  free_ctrl (fx, io2);
}

/* kernel caps shape the sysfs view, the events and the accepted options */
static void
test_kernel_caps (Fixture *fx, gconstpointer data)
{
  StasKernelCaps old = { .host_iface = FALSE, .discovery = TRUE, .from_options = FALSE };
  StasKernelCaps got;
  g_autoptr (StasTid) tid = make_tid ("192.168.1.10", "8009", DISC, "eth1");
  StasConnectRequest request = { .tid = tid, .discovery = TRUE, .pass_host_iface = TRUE };
  StasFabricsCtrl *with_iface = fx->iface->ctrl_new (fx->fabrics, &request);
  StasFabricsCtrl *dc = dc_ctrl (fx);
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  g_autoptr (StasKernelCtrl) kc = NULL;
  g_autofree char *first = connect_ok (fx, with_iface);
  g_autofree char *second = NULL;

  /* host_iface reaches the kernel only when it supports the option */
  kc = fx->iface->read_controller (fx->fabrics, first);
  g_assert_cmpstr (kc->host_iface, ==, "eth1");
  g_assert_cmpstr (stas_fake_fabrics_get_last_call (fx->fake, STAS_FAKE_OP_CONNECT)->host_iface, ==,
                   "eth1");
  g_clear_pointer (&kc, stas_kernel_ctrl_free);
  g_assert_true (do_disconnect (fx, with_iface, NULL));

  stas_fake_fabrics_set_kernel_caps (fx->fake, &old);
  fx->iface->get_kernel_caps (fx->fabrics, &got);
  g_assert_false (got.cntrltype);
  g_assert_true (got.discovery);
  second = connect_ok (fx, with_iface);
  kc = fx->iface->read_controller (fx->fabrics, second);
  g_assert_cmpstr (kc->host_iface, ==, "");
  g_assert_null (stas_fake_fabrics_get_last_call (fx->fake, STAS_FAKE_OP_CONNECT)->host_iface);
  g_clear_pointer (&kc, stas_kernel_ctrl_free);
  g_assert_true (do_disconnect (fx, with_iface, NULL));
  discard_events (fx);

  /* < 5.18: no cntrltype/dctype attributes, no NVME_EVENT=connected */
  name = connect_ok (fx, dc);
  kc = fx->iface->read_controller (fx->fabrics, name);
  g_assert_cmpstr (kc->cntrltype, ==, "");
  g_assert_cmpstr (kc->dctype, ==, "");
  g_assert_cmpstr (kc->src_addr, ==, "");
  assert_events (fx, "add nvme0");
  g_assert_true (do_disconnect (fx, dc, NULL));

  stas_fake_fabrics_set_kernel_available (fx->fake, FALSE);
  g_assert_false (stas_fabrics_check_kernel (fx->fabrics, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  free_ctrl (fx, with_iface);
  free_ctrl (fx, dc);
}

/* devices made behind stas' back: nvme-cli connections, pcie, removals */
static void
test_external_devices (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasTid) tid = make_tid ("192.168.1.20", "4420", IO_NQN, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) table = NULL;
  g_autoptr (StasKernelCtrl) kc = NULL;
  g_auto (GStrv) names = NULL;
  const char *pcie, *ext, *manual;

  pcie = stas_fake_fabrics_add_device (fx->fake, &(StasKernelCtrl){ .transport = "pcie" });
  ext = stas_fake_fabrics_connect_external (fx->fake, tid, FALSE, &error);
  g_assert_no_error (error);
  manual = stas_fake_fabrics_add_device (fx->fake, &(StasKernelCtrl){ .name = "nvme5",
                                                                      .transport = "tcp",
                                                                      .traddr = "192.168.1.10",
                                                                      .trsvcid = "8009",
                                                                      .subsysnqn = DC_NQN,
                                                                      .hostnqn = HOSTNQN });
  g_assert_cmpstr (pcie, ==, "nvme0");
  g_assert_cmpstr (ext, ==, "nvme1");
  g_assert_cmpstr (manual, ==, "nvme5");
  g_assert_null (stas_fake_fabrics_add_device (fx->fake, &(StasKernelCtrl){ .name = "nvme5" }));
  /* the same duplicate rule as a connect */
  g_assert_null (stas_fake_fabrics_connect_external (fx->fake, tid, FALSE, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED);

  names = stas_fake_fabrics_list_devices (fx->fake);
  g_assert_cmpstrv (names, ((const char *const[]){ "nvme0", "nvme1", "nvme5", NULL }));
  /* only fabrics transports are reported, like the sysfs reader */
  table = fx->iface->scan_controllers (fx->fabrics, NULL);
  g_assert_cmpuint (table->len, ==, 2);
  g_assert_null (fx->iface->read_controller (fx->fabrics, "nvme0"));
  /* defaults from the addressed subsystem */
  kc = fx->iface->read_controller (fx->fabrics, "nvme5");
  g_assert_cmpstr (kc->cntrltype, ==, "discovery");
  g_assert_cmpstr (kc->dctype, ==, "ddc");
  g_assert_cmpint (kc->instance, ==, 5);

  g_assert_true (stas_fake_fabrics_remove_device (fx->fake, "nvme1"));
  g_assert_false (stas_fake_fabrics_remove_device (fx->fake, "nvme1"));
  assert_events (fx, "add nvme0; add nvme1; change nvme1 NVME_EVENT=connected; add nvme5; "
                     "remove nvme1");
}

/* adopt an existing device; a missing one is NO_DEVICE; ops on a vanished device fail */
static void
test_adopt (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasTid) tid = make_tid ("192.168.1.10", "8009", DISC, NULL);
  StasFabricsCtrl *dc = dc_ctrl (fx);
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  const char *ext = stas_fake_fabrics_connect_external (fx->fake, tid, TRUE, NULL);

  g_assert_null (do_adopt (fx, dc, "nvme4", &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NO_DEVICE);
  g_clear_error (&error);
  name = do_adopt (fx, dc, ext, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "nvme0");
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_ADOPT, "nvme0"), ==, 1);
  g_assert_true (do_registration_supported (fx, dc, &error));

  stas_fake_fabrics_set_device_state (fx->fake, name, "connecting");
  g_assert_false (do_dim (fx, dc, STAS_DIM_REGISTER, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED);
  g_clear_error (&error);
  stas_fake_fabrics_remove_device (fx->fake, name);
  g_assert_null (do_dlp (fx, dc, 0, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "/dev/nvme0: "));
  g_clear_error (&error);
  /* Identify fails on a vanished device: not supported (as libnvme answers) */
  g_assert_false (do_registration_supported (fx, dc, &error));
  g_assert_no_error (error);
  /* disconnecting it fails; afterwards the handle is not connected */
  g_assert_false (do_disconnect (fx, dc, &error));
  g_clear_error (&error);
  g_assert_false (do_dim (fx, dc, STAS_DIM_REGISTER, &error));
  g_assert_cmpstr (error->message, ==, "Not connected to a controller");
  free_ctrl (fx, dc);
}

/* ---- uevents ------------------------------------------------------------------------------ */

/* no monitor, no events; explicit AEN, raw events, overflow, lost events */
static void
test_uevents (Fixture *fx, gconstpointer data)
{
  StasUevent raw = { .action = STAS_UEVENT_CHANGE, .name = "nvme0", .nvme_aen = "bogus" };
  const StasUevent *got;
  const char *name;

  fx->iface->stop_monitor (fx->fabrics);
  name = stas_fake_fabrics_add_device (fx->fake, &(StasKernelCtrl){ .transport = "tcp" });
  assert_events (fx, "");
  g_assert_true (fx->iface->start_monitor (fx->fabrics, NULL));

  stas_fake_fabrics_emit_aen (fx->fake, name, 0x70f002);
  stas_fake_fabrics_emit_uevent (fx->fake, &raw);
  g_assert_cmpuint (fx->events->len, ==, 0); /* later, on the main context */
  flush ();
  got = g_ptr_array_index (fx->events, 0);
  g_assert_cmpstr (g_hash_table_lookup (got->props, "NVME_AEN"), ==, "0x70f002");
  g_assert_cmpstr (g_hash_table_lookup (got->props, "ACTION"), ==, "change");
  g_assert_cmpstr (g_hash_table_lookup (got->props, "NVME_HOST_TRADDR"), ==, "none");
  assert_events (fx, "change nvme0 NVME_AEN=0x70f002; change nvme0 NVME_AEN=bogus");

  stas_fake_fabrics_set_drop_uevents (fx->fake, TRUE);
  stas_fake_fabrics_remove_device (fx->fake, name);
  stas_fake_fabrics_overflow (fx->fake);
  stas_fake_fabrics_set_drop_uevents (fx->fake, FALSE);
  assert_events (fx, "");
  g_assert_cmpuint (fx->overflows, ==, 1);
}

/* the kernel reconnects a DC: connected, then rediscover (6.1) */
static void
test_reconnect_events (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *dc = dc_ctrl (fx);
  g_autofree char *name = connect_ok (fx, dc);

  stas_fake_fabrics_set_device_state (fx->fake, name, "connecting");
  discard_events (fx);
  g_assert_true (stas_fake_fabrics_reconnect_device (fx->fake, name));
  assert_events (fx, "change nvme0 NVME_EVENT=connected; change nvme0 NVME_EVENT=rediscover");
  g_assert_false (stas_fake_fabrics_reconnect_device (fx->fake, "nvme9"));
  g_assert_true (do_disconnect (fx, dc, NULL));
  free_ctrl (fx, dc);
}

/* ---- discovery controllers ----------------------------------------------------------------- */

/* DLP retrieval: the entries, genctr, PLEO hides remote entries, the call's lsp */
static void
test_dlp (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *dc = dc_ctrl (fx);
  StasFabricsCtrl *io = io_ctrl (fx);
  g_autofree char *dc_name = connect_ok (fx, dc);
  g_autofree char *io_name = connect_ok (fx, io);
  g_autoptr (StasDlpRaw) raw = NULL;
  g_autoptr (StasDlpRaw) pleo = NULL;
  g_autoptr (StasDlpRaw) empty_raw = NULL;
  g_autoptr (GArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  guint32 options = 0;

  empty_raw = do_dlp (fx, dc, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (empty_raw->numrec, ==, 0);

  stas_fake_fabrics_set_dlp (fx->fake, fx->dc_target, &entry_a, 1);
  stas_fake_fabrics_add_remote_entry (fx->fake, fx->dc_target, &entry_b);
  g_assert_cmpuint (stas_fake_fabrics_get_genctr (fx->fake, fx->dc_target), ==, 2);

  g_assert_true (do_supported (fx, dc, &options, &error));
  g_assert_cmpuint (options, ==, 0x3);
  raw = do_dlp (fx, dc, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (raw->genctr, ==, 2);
  g_assert_cmpuint (raw->numrec, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (raw->entries), ==, 2 * STAS_DLPE_SIZE);
  entries = parse_page (raw);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (g_array_index (entries, StasDlpe, 0).traddr, ==, "192.168.1.20");
  g_assert_cmpstr (g_array_index (entries, StasDlpe, 0).subnqn, ==, IO_NQN);
  g_assert_cmpuint (g_array_index (entries, StasDlpe, 0).portid, ==, 1);
  g_assert_cmpuint (g_array_index (entries, StasDlpe, 1).eflags, ==, STAS_DLP_EFLAGS_NCC);

  pleo = do_dlp (fx, dc, 0x2, &error);
  g_assert_cmpuint (pleo->numrec, ==, 1);
  g_assert_cmpuint (stas_fake_fabrics_get_last_call (fx->fake, STAS_FAKE_OP_GET_DISCOVERY_LOG)->lsp,
                    ==, 0x2);
  g_assert_cmpuint (
      stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_GET_DISCOVERY_LOG, dc_name), ==, 3);

  g_assert_cmpuint (
      stas_fake_fabrics_remove_entries (fx->fake, fx->dc_target, "192.168.1.21", NULL, NULL), ==,
      1);

  /* an I/O controller has no DLP and no DIM */
  g_assert_null (do_dlp (fx, io, 0, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NVME_STATUS);
  g_assert_cmpstr (error->message, ==, "Status:0x0109 - Invalid Log Page");
  g_clear_error (&error);
  g_assert_false (do_registration_supported (fx, io, &error));
  g_assert_no_error (error);

  g_assert_true (do_disconnect (fx, dc, NULL));
  g_assert_true (do_disconnect (fx, io, NULL));
  free_ctrl (fx, dc);
  free_ctrl (fx, io);
}

/* DLP changes send an AEN, masked until the host reads the log (RAE=0) */
static void
test_aen_on_dlp_change (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *dc = dc_ctrl (fx);
  g_autofree char *name = connect_ok (fx, dc);
  g_autoptr (StasDlpRaw) raw = NULL;

  discard_events (fx);
  stas_fake_fabrics_add_entry (fx->fake, fx->dc_target, &entry_a);
  stas_fake_fabrics_add_entry (fx->fake, fx->dc_target, &entry_b);
  assert_events (fx, "change nvme0 NVME_AEN=0x70f002");
  raw = do_dlp (fx, dc, 0, NULL);
  g_assert_cmpuint (raw->numrec, ==, 2);
  stas_fake_fabrics_remove_entries (fx->fake, fx->dc_target, NULL, NULL, IO_NQN);
  assert_events (fx, "change nvme0 NVME_AEN=0x70f002");
  g_assert_true (do_disconnect (fx, dc, NULL));
  free_ctrl (fx, dc);
}

/* DIM: register/deregister, rejected, not applicable, transport error */
static void
test_dim (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *dc = dc_ctrl (fx);
  g_autofree char *name = connect_ok (fx, dc);
  g_autoptr (GError) error = NULL;

  g_assert_true (do_dim (fx, dc, STAS_DIM_REGISTER, &error));
  g_assert_no_error (error);
  g_assert_true (stas_fake_fabrics_is_registered (fx->fake, fx->dc_target, HOSTNQN));
  g_assert_cmpint (stas_fake_fabrics_get_last_call (fx->fake, STAS_FAKE_OP_DIM)->tas, ==,
                   STAS_DIM_REGISTER);

  stas_fake_fabrics_fail_status (fx->fake, fx->dc_target, STAS_FAKE_OP_DIM, 0x2, 1);
  g_assert_false (do_dim (fx, dc, STAS_DIM_UPDATE, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NVME_STATUS);
  g_assert_cmpstr (error->message, ==, "Result:0x0000, Status:0x0002 - Invalid Field in Command");
  g_clear_error (&error);
  stas_fake_fabrics_fail_errno (fx->fake, fx->dc_target, STAS_FAKE_OP_DIM, EOPNOTSUPP, 1);
  g_assert_false (do_dim (fx, dc, STAS_DIM_UPDATE, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NOT_APPLICABLE);
  g_assert_true (g_str_has_prefix (error->message, "Status:95 - "));
  g_clear_error (&error);
  stas_fake_fabrics_fail_errno (fx->fake, fx->dc_target, STAS_FAKE_OP_DIM, ETIMEDOUT, 1);
  g_assert_false (do_dim (fx, dc, STAS_DIM_UPDATE, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED);
  g_clear_error (&error);

  g_assert_true (do_dim (fx, dc, STAS_DIM_DEREGISTER, &error));
  g_assert_false (stas_fake_fabrics_is_registered (fx->fake, fx->dc_target, HOSTNQN));
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_DIM, name), ==, 5);

  /* a DC without DIM (dctype none) rejects the command */
  stas_fake_fabrics_add_discovery_subsystem (fx->fake, fx->dc_target, DC_NQN,
                                             STAS_FAKE_DCTYPE_NONE);
  g_assert_false (do_registration_supported (fx, dc, &error));
  g_assert_false (do_dim (fx, dc, STAS_DIM_REGISTER, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NVME_STATUS);
  g_assert_true (do_disconnect (fx, dc, NULL));
  free_ctrl (fx, dc);
}

/* ---- failure injection ------------------------------------------------------------------- */

/* refused twice, then connected; Supported Log Pages rejected; DLP errors */
static void
test_failures (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *dc = dc_ctrl (fx);
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  g_autoptr (StasDlpRaw) raw = NULL;
  guint32 options = 7;

  stas_fake_fabrics_fail_connect (fx->fake, fx->dc_target, ECONNREFUSED, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_null (do_connect (fx, dc, &error));
      g_assert_cmpstr (error->message, ==, g_strerror (ECONNREFUSED));
      g_clear_error (&error);
    }
  name = connect_ok (fx, dc);

  stas_fake_fabrics_fail_status (fx->fake, fx->dc_target, STAS_FAKE_OP_SUPPORTED_LOG_PAGES, 0x2,
                                 STAS_FAKE_FOREVER);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_false (do_supported (fx, dc, &options, &error));
      g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NVME_STATUS);
      g_clear_error (&error);
    }
  stas_fake_fabrics_fail_status (fx->fake, fx->dc_target, STAS_FAKE_OP_SUPPORTED_LOG_PAGES, 0, 0);
  g_assert_true (do_supported (fx, dc, &options, &error));
  g_assert_cmpuint (options, ==, 0x3);

  stas_fake_fabrics_fail_errno (fx->fake, fx->dc_target, STAS_FAKE_OP_GET_DISCOVERY_LOG, EIO, 1);
  g_assert_null (do_dlp (fx, dc, 0, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_FAILED);
  g_clear_error (&error);
  raw = do_dlp (fx, dc, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (raw);
  g_assert_true (do_disconnect (fx, dc, NULL));
  free_ctrl (fx, dc);
}

/* genctr churn: retried within one call; too much churn is GENCTR; too large a log */
static void
test_genctr_and_size (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *dc = dc_ctrl (fx);
  g_autofree char *name = connect_ok (fx, dc);
  g_autoptr (GError) error = NULL;
  g_autoptr (StasDlpRaw) raw = NULL;
  g_autofree StasDlpeSpec *many = g_new0 (StasDlpeSpec, STAS_MAX_DLP_RECORDS + 1);

  stas_fake_fabrics_set_dlp (fx->fake, fx->dc_target, &entry_a, 1);
  stas_fake_fabrics_set_genctr_churn (fx->fake, fx->dc_target, 2);
  raw = do_dlp (fx, dc, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (raw->genctr, ==, 3);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->fake, STAS_FAKE_OP_GET_DISCOVERY_LOG, NULL),
                    ==, 1);

  stas_fake_fabrics_set_genctr_churn (fx->fake, fx->dc_target, STAS_DLP_GENCTR_RETRIES);
  g_assert_null (do_dlp (fx, dc, 0, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_GENCTR);
  g_clear_error (&error);

  for (guint i = 0; i <= STAS_MAX_DLP_RECORDS; i++)
    many[i] = entry_a;
  stas_fake_fabrics_set_dlp (fx->fake, fx->dc_target, many, STAS_MAX_DLP_RECORDS + 1);
  g_assert_null (do_dlp (fx, dc, 0, &error));
  g_assert_error (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_TOO_LARGE);
  g_assert_true (do_disconnect (fx, dc, NULL));
  free_ctrl (fx, dc);
}

/* held operations complete only when released, with the state at completion */
static void
test_hold_and_delay (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *dc = dc_ctrl (fx);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  g_autoptr (StasDlpRaw) raw = NULL;
  gint64 start;

  stas_fake_fabrics_set_delay (fx->fake, fx->dc_target, STAS_FAKE_OP_CONNECT, STAS_FAKE_HOLD);
  fx->iface->connect_async (fx->fabrics, dc, NULL, on_done, &result);
  flush ();
  g_assert_null (result);
  g_assert_cmpuint (stas_fake_fabrics_count_pending (fx->fake), ==, 1);
  g_assert_false (stas_fake_fabrics_has_device (fx->fake, "nvme0"));
  g_assert_cmpuint (stas_fake_fabrics_release (fx->fake, fx->dc_target, STAS_FAKE_OP_CONNECT), ==,
                    1);
  name = fx->iface->connect_finish (fx->fabrics, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "nvme0");

  /* a delayed read returns the log as it is when it completes (stale results) */
  stas_fake_fabrics_set_delay (fx->fake, fx->dc_target, STAS_FAKE_OP_GET_DISCOVERY_LOG, 50);
  g_clear_object (&result);
  start = g_get_monotonic_time ();
  fx->iface->get_discovery_log_async (fx->fabrics, dc, 0, NULL, on_done, &result);
  stas_fake_fabrics_add_entry (fx->fake, fx->dc_target, &entry_a);
  raw = fx->iface->get_discovery_log_finish (fx->fabrics, wait_result (&result), &error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 50 * 1000);
  g_assert_cmpuint (raw->numrec, ==, 1);
  g_assert_true (do_disconnect (fx, dc, NULL));
  free_ctrl (fx, dc);
}

/* cancelled before the worker starts: CANCELLED, no effect; after: the real result */
static void
test_cancellation (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *dc = dc_ctrl (fx);
  g_autoptr (GCancellable) early = g_cancellable_new ();
  g_autoptr (GCancellable) late = g_cancellable_new ();
  g_autoptr (GAsyncResult) r1 = NULL;
  g_autoptr (GAsyncResult) r2 = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;

  fx->iface->connect_async (fx->fabrics, dc, early, on_done, &r1);
  g_cancellable_cancel (early);
  g_assert_null (fx->iface->connect_finish (fx->fabrics, wait_result (&r1), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (stas_fake_fabrics_has_device (fx->fake, "nvme0"));

  stas_fake_fabrics_set_delay (fx->fake, fx->dc_target, STAS_FAKE_OP_CONNECT, STAS_FAKE_HOLD);
  fx->iface->connect_async (fx->fabrics, dc, late, on_done, &r2);
  flush (); /* the blocking part has started */
  g_cancellable_cancel (late);
  stas_fake_fabrics_release (fx->fake, fx->dc_target, STAS_FAKE_OP_CONNECT);
  name = fx->iface->connect_finish (fx->fabrics, wait_result (&r2), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "nvme0");
  g_assert_true (do_disconnect (fx, dc, NULL));
  free_ctrl (fx, dc);
}

/* [ARCH-3] a second operation in flight on one handle is a critical */
static void
test_contract_checked (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *dc = dc_ctrl (fx);
  g_autoptr (GAsyncResult) r1 = NULL;
  g_autoptr (GAsyncResult) r2 = NULL;

  fx->iface->connect_async (fx->fabrics, dc, NULL, on_done, &r1);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*ARCH-3*");
  fx->iface->get_discovery_log_async (fx->fabrics, dc, 0, NULL, on_done, &r2);
  g_test_assert_expected_messages ();
  wait_result (&r1);
  wait_result (&r2);
  flush ();
  g_assert_true (do_disconnect (fx, dc, NULL));
  free_ctrl (fx, dc);
}

/* ---- scripts and commands ------------------------------------------------------------------- */

static const char script[] =
    "[kernel]\n"
    "caps = host_iface;discovery;cntrltype\n"
    "library-version = 1.3\n"
    "[target tcp 192.168.2.10 8009]\n"
    "discovery =\n"
    "dctype = cdc\n"
    "log-page-options = 0x2\n"
    "entry1 = traddr=192.168.2.20 trsvcid=4420 subnqn=" IO_NQN " portid=3 eflags=4\n"
    "entry2 = trtype=rdma traddr=fe80::1 trsvcid=4420 subnqn=nqn.x:y remote=1\n"
    "entry3 = subtype=referral traddr=192.168.2.11 trsvcid=8009 subnqn=" DISC "\n"
    "fail-connect = ECONNREFUSED 1\n"
    "delay-dim = 10\n"
    "[target tcp 192.168.2.20 4420]\n"
    "io = " IO_NQN ";nqn.2023-01.com.example:other\n"
    "io-namespaces = 0\n"
    "[device nvme3]\n"
    "transport = tcp\n"
    "traddr = 192.168.2.10\n"
    "trsvcid = 8009\n"
    "subsysnqn = " DISC "\n"
    "hostnqn = " HOSTNQN "\n"
    "[device nvme0]\n"
    "transport = pcie\n";

static void
test_script (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasFakeFabrics) fake = stas_fake_fabrics_new ();
  StasFabrics *fabrics = STAS_FABRICS (fake);
  StasFabricsInterface *iface = STAS_FABRICS_GET_IFACE (fabrics);
  g_autoptr (GError) error = NULL;
  g_autoptr (StasKernelCtrl) kc = NULL;
  g_auto (GStrv) names = NULL;
  g_autofree char *version = NULL;
  StasFakeTarget *t;
  StasKernelCaps caps;

  g_assert_true (stas_fake_fabrics_load_script_data (fake, script, &error));
  g_assert_no_error (error);
  version = stas_fabrics_get_library_version (fabrics);
  g_assert_cmpstr (version, ==, "1.3");
  iface->get_kernel_caps (fabrics, &caps);
  g_assert_true (caps.host_iface && caps.discovery && caps.cntrltype);
  g_assert_false (caps.src_addr || caps.dhchap_secret || caps.dhchap_ctrl_secret);

  t = stas_fake_fabrics_find_target (fake, "tcp", "192.168.2.10", "8009");
  g_assert_nonnull (t);
  g_assert_cmpuint (stas_fake_fabrics_get_genctr (fake, t), ==, 1);
  g_assert_nonnull (stas_fake_fabrics_find_target (fake, NULL, "192.168.2.20", "4420"));
  names = stas_fake_fabrics_list_devices (fake);
  g_assert_cmpstrv (names, ((const char *const[]){ "nvme0", "nvme3", NULL }));
  kc = iface->read_controller (fabrics, "nvme3");
  g_assert_cmpstr (kc->cntrltype, ==, "discovery");
  g_assert_cmpstr (kc->dctype, ==, "cdc");

  /* the script's failure and entries take effect through the interface */
  {
    g_autoptr (StasTid) tid = make_tid ("192.168.2.10", "8009", DISC, NULL);
    StasConnectRequest request = { .tid = tid, .discovery = TRUE };
    StasFabricsCtrl *ctrl = iface->ctrl_new (fabrics, &request);
    g_autoptr (GAsyncResult) r1 = NULL;
    g_autoptr (GAsyncResult) r2 = NULL;
    g_autoptr (GAsyncResult) r3 = NULL;
    g_autofree char *name = NULL;
    g_autoptr (StasDlpRaw) raw = NULL;
    g_autoptr (GArray) entries = NULL;

    iface->connect_async (fabrics, ctrl, NULL, on_done, &r1);
    g_assert_null (iface->connect_finish (fabrics, wait_result (&r1), &error));
    g_assert_cmpstr (error->message, ==, g_strerror (ECONNREFUSED));
    g_clear_error (&error);
    iface->connect_async (fabrics, ctrl, NULL, on_done, &r2);
    name = iface->connect_finish (fabrics, wait_result (&r2), &error);
    g_assert_cmpstr (name, ==, "nvme1");
    iface->get_discovery_log_async (fabrics, ctrl, 0, NULL, on_done, &r3);
    raw = iface->get_discovery_log_finish (fabrics, wait_result (&r3), &error);
    g_assert_no_error (error);
    entries = parse_page (raw);
    g_assert_cmpuint (entries->len, ==, 3);
    g_assert_cmpuint (g_array_index (entries, StasDlpe, 0).portid, ==, 3);
    g_assert_cmpuint (g_array_index (entries, StasDlpe, 0).eflags, ==, 4);
    g_assert_cmpuint (g_array_index (entries, StasDlpe, 0).adrfam, ==, STAS_DLP_ADRFAM_IPV4);
    g_assert_cmpuint (g_array_index (entries, StasDlpe, 1).trtype, ==, STAS_DLP_TRTYPE_RDMA);
    g_assert_cmpuint (g_array_index (entries, StasDlpe, 1).adrfam, ==, STAS_DLP_ADRFAM_IPV6);
    g_assert_cmpuint (g_array_index (entries, StasDlpe, 2).subtype, ==, STAS_DLP_SUBTYPE_REFERRAL);
    iface->ctrl_free (fabrics, ctrl);
  }

  /* bad scripts are errors, not guesses */
  g_assert_false (stas_fake_fabrics_load_script_data (fake, "[targt tcp 1.2.3.4 1]\n", &error));
  g_clear_error (&error);
  g_assert_false (stas_fake_fabrics_load_script_data (
      fake, "[target tcp 1.2.3.4 1]\nfail-connect = EWHAT\n", &error));
  g_assert_nonnull (strstr (error->message, "EWHAT"));
  g_clear_error (&error);
  g_assert_false (stas_fake_fabrics_load_script_data (
      fake, "[target tcp 1.2.3.4 1]\nentry1 = traddr=1.2.3.5 colour=blue\n", &error));
  g_assert_nonnull (strstr (error->message, "colour"));
}

static void
assert_reply (Fixture *fx, const char *command, const char *expected)
{
  g_autofree char *reply = stas_fake_fabrics_run_command (fx->fake, command);

  g_assert_cmpstr (reply, ==, expected);
}

static void
test_commands (Fixture *fx, gconstpointer data)
{
  StasFabricsCtrl *dc = dc_ctrl (fx);
  g_autofree char *name = connect_ok (fx, dc);
  g_autoptr (GError) error = NULL;
  g_autoptr (StasDlpRaw) raw = NULL;
  g_autoptr (GArray) entries = NULL;

  discard_events (fx);
  assert_reply (fx, "ping", "ok");
  assert_reply (fx, "add-entry 192.168.1.10 8009 traddr=192.168.1.30 trsvcid=4420 subnqn=nqn.a:b",
                "ok");
  assert_reply (fx, "add-entry 192.168.1.10 8009 traddr=bad\\001 trsvcid=4420 subnqn=nqn.a:c",
                "ok");
  assert_reply (fx, "genctr 192.168.1.10 8009", "ok 2");
  assert_events (fx, "change nvme0 NVME_AEN=0x70f002");
  assert_reply (fx, "aen 192.168.1.10 8009", "ok 1");
  assert_reply (fx, "aen nvme0 0x70f00a", "ok 1");
  assert_events (fx, "change nvme0 NVME_AEN=0x70f002; change nvme0 NVME_AEN=0x70f00a");

  raw = do_dlp (fx, dc, 0, &error);
  {
    guint dropped = 0;
    entries = stas_dlp_parse_page (raw, "dc", name, &dropped, NULL);
    g_assert_cmpuint (entries->len, ==, 1);
    g_assert_cmpuint (dropped, ==, 1); /* the non-printable traddr */
  }
  assert_reply (fx, "remove-entry 192.168.1.10 8009 subnqn=nqn.a:c", "ok 1");
  assert_reply (fx, "clear-entries 192.168.1.10 8009", "ok");
  assert_events (fx, "change nvme0 NVME_AEN=0x70f002"); /* one: the read re-armed it once */
  assert_reply (fx, "count get-discovery-log", "ok 1");
  assert_reply (fx, "count get-discovery-log nvme0", "ok 1");
  assert_reply (fx, "count connect nvme0", "ok 0");

  assert_reply (fx, "fail-connect 192.168.1.10 8009 ETIMEDOUT 1", "ok");
  assert_reply (fx, "fail dim 192.168.1.10 8009 status:0x2", "ok");
  assert_reply (fx, "fail dim 192.168.1.10 8009 none", "ok");
  assert_reply (fx, "delay get-discovery-log 192.168.1.10 8009 hold", "ok");
  assert_reply (fx, "release get-discovery-log 192.168.1.10 8009", "ok 0");
  assert_reply (fx, "churn 192.168.1.10 8009 1", "ok");
  assert_reply (fx, "registered 192.168.1.10 8009 " HOSTNQN, "ok no");

  assert_reply (
      fx,
      "add-device name=nvme4 transport=tcp traddr=192.168.1.20 trsvcid=4420 subsysnqn=" IO_NQN
      " namespaces=1",
      "ok nvme4");
  assert_reply (fx, "add-device transport=fc traddr=nn-0x1:pn-0x2", "ok nvme1");
  assert_reply (fx, "devices", "ok nvme0 nvme1 nvme4");
  assert_reply (fx, "set-state nvme4 connecting", "ok");
  assert_reply (fx, "reconnect-device nvme4", "ok");
  assert_reply (fx, "remove-device nvme4", "ok");
  assert_reply (fx, "remove-device nvme4", "error no device nvme4");
  assert_events (fx, "add nvme4; add nvme1; change nvme4 NVME_EVENT=connected; remove nvme4");
  assert_reply (fx, "drop-uevents on", "ok");
  assert_reply (fx, "remove-device nvme1", "ok");
  assert_reply (fx, "drop-uevents off", "ok");
  assert_reply (fx, "overflow", "ok");
  assert_events (fx, "");
  g_assert_cmpuint (fx->overflows, ==, 1);

  assert_reply (fx, "aen 10.0.0.1 8009", "error no target 10.0.0.1 8009");
  assert_reply (fx, "fail frobnicate 192.168.1.10 8009 EIO",
                "error unknown operation \"frobnicate\"");
  assert_reply (fx, "launch", "error unknown command \"launch\"");
  assert_reply (fx, "", "error empty command");

  g_assert_true (do_disconnect (fx, dc, NULL));
  free_ctrl (fx, dc);
}

/* The control socket: a client thread talks while the main context serves. */
typedef struct
{
  char *path;
  GPtrArray *replies;
  gboolean done;
} ClientData;

static gpointer
client_thread (gpointer user_data)
{
  ClientData *cd = user_data;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (cd->path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn =
      g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_autoptr (GDataInputStream) in = NULL;
  const char *lines = "ping\naen nvme0\ncount connect\n";
  GOutputStream *out;

  g_assert_no_error (error);
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  g_assert_true (g_output_stream_write_all (out, lines, strlen (lines), NULL, NULL, &error));
  for (guint i = 0; i < 3; i++)
    {
      char *line = g_data_input_stream_read_line (in, NULL, NULL, &error);
      g_assert_no_error (error);
      g_ptr_array_add (cd->replies, line);
    }
  g_atomic_int_set (&cd->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
test_control_socket (Fixture *fx, gconstpointer data)
{
  g_autofree char *dir = g_dir_make_tmp ("stas-fake-XXXXXX", NULL);
  ClientData cd = { .path = g_build_filename (dir, "control", NULL),
                    .replies = g_ptr_array_new_with_free_func (g_free) };
  g_autoptr (GError) error = NULL;
  GThread *thread;
  StasFabricsCtrl *dc = dc_ctrl (fx);
  g_autofree char *name = connect_ok (fx, dc);

  discard_events (fx);
  g_assert_true (stas_fake_fabrics_listen (fx->fake, cd.path, &error));
  g_assert_no_error (error);
  thread = g_thread_new ("client", client_thread, &cd);
  while (!g_atomic_int_get (&cd.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);

  g_assert_cmpuint (cd.replies->len, ==, 3);
  g_assert_cmpstr (cd.replies->pdata[0], ==, "ok");
  g_assert_cmpstr (cd.replies->pdata[1], ==, "ok 1");
  g_assert_cmpstr (cd.replies->pdata[2], ==, "ok 1");
  assert_events (fx, "change nvme0 NVME_AEN=0x70f002");

  g_assert_true (do_disconnect (fx, dc, NULL));
  free_ctrl (fx, dc);
  g_ptr_array_unref (cd.replies);
  g_object_run_dispose (G_OBJECT (fx->fake)); /* closes and unlinks the socket */
  g_assert_false (g_file_test (cd.path, G_FILE_TEST_EXISTS));
  g_free (cd.path);
  g_rmdir (dir);
}

/* stas_fabrics_new_default(): one fake per process, configured from the environment */
static void
test_new_default (void)
{
  g_autofree char *dir = g_dir_make_tmp ("stas-fake-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "script", NULL);
  g_autofree char *sock = g_build_filename (dir, "control", NULL);
  StasFabrics *a, *b;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, script, -1, NULL));
  g_setenv ("STAS_FAKE_SCRIPT", path, TRUE);
  g_setenv ("STAS_FAKE_CONTROL", sock, TRUE);
  g_setenv ("STAS_FAKE_NO_KERNEL", "1", TRUE);
  a = stas_fabrics_new_default ();
  b = stas_fabrics_new_default ();
  g_unsetenv ("STAS_FAKE_SCRIPT");
  g_unsetenv ("STAS_FAKE_CONTROL");
  g_unsetenv ("STAS_FAKE_NO_KERNEL");

  g_assert_true (a == b);
  g_assert_true (STAS_IS_FAKE_FABRICS (a));
  g_assert_false (stas_fabrics_check_kernel (a, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (stas_fake_fabrics_has_device (STAS_FAKE_FABRICS (a), "nvme3"));
  g_assert_true (g_file_test (sock, G_FILE_TEST_EXISTS));
  g_object_unref (b);
  g_assert_finalize_object (a);
  g_assert_false (g_file_test (sock, G_FILE_TEST_EXISTS));

  /* the next one is new, and without the environment a plain fake */
  a = stas_fabrics_new_default ();
  g_assert_true (stas_fabrics_check_kernel (a, NULL));
  g_assert_false (stas_fake_fabrics_has_device (STAS_FAKE_FABRICS (a), "nvme3"));
  g_assert_finalize_object (a);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/fake-fabrics/" path, Fixture, NULL, setup, fn, teardown)
  ADD ("kernel/connect", test_connect_creates_device);
  ADD ("kernel/disconnect", test_disconnect_removes_device);
  ADD ("kernel/refused", test_connect_refused);
  ADD ("kernel/caps", test_kernel_caps);
  ADD ("kernel/external-devices", test_external_devices);
  ADD ("kernel/adopt", test_adopt);
  ADD ("uevents/basic", test_uevents);
  ADD ("uevents/reconnect", test_reconnect_events);
  ADD ("dc/dlp", test_dlp);
  ADD ("dc/aen-on-dlp-change", test_aen_on_dlp_change);
  ADD ("dc/dim", test_dim);
  ADD ("inject/failures", test_failures);
  ADD ("inject/genctr-and-size", test_genctr_and_size);
  ADD ("inject/hold-and-delay", test_hold_and_delay);
  ADD ("contract/one-op-in-flight", test_contract_checked);
  ADD ("contract/cancellation", test_cancellation);
  ADD ("script/load", test_script);
  ADD ("control/commands", test_commands);
  ADD ("control/socket", test_control_socket);
#undef ADD
  g_test_add_func ("/fake-fabrics/new-default", test_new_default);
  return g_test_run ();
}
