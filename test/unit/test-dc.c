/* test-dc.c — StasDc: the post-connect chain, DIM, PLEO, DLP retrieval and cache, AEN and
 * restart coalescing, deregistration (spec/behaviour.md §5, [DC-1]…[DC-7], [D-43], [D-45],
 * [ARCH-3], [ARCH-8]) on the fake fabrics, with timers scaled down to milliseconds. */
#include "config.h"

#include <errno.h>

#include "fake-fabrics.h"
#include "stas-dc.h"
#include "stas-log.h"
#include "test-util.h"

#define HOSTNQN STAS_TEST_HOST_NQN
#define HOSTID STAS_TEST_HOST_ID
#define DC_NQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"
#define TIME_SCALE 0.001 /* 5 s → 5 ms, 20 s → 20 ms */
#define OP_DONE "{'fail count': 0, 'completed': True, 'alive': True}"

static const StasDlpeSpec entries[] = {
  { .trtype = STAS_DLP_TRTYPE_TCP,
    .adrfam = STAS_DLP_ADRFAM_IPV4,
    .subtype = STAS_DLP_SUBTYPE_NVME,
    .portid = 1,
    .cntlid = 0xffff,
    .asqsz = 32,
    .traddr = "192.168.1.20",
    .trsvcid = "4420",
    .subnqn = "nqn.2023-01.com.example:array1" },
  { .trtype = STAS_DLP_TRTYPE_TCP,
    .adrfam = STAS_DLP_ADRFAM_IPV4,
    .subtype = STAS_DLP_SUBTYPE_NVME,
    .portid = 2,
    .eflags = STAS_DLP_EFLAGS_NCC,
    .traddr = "192.168.1.21",
    .trsvcid = "4420",
    .subnqn = "nqn.2023-01.com.example:array2" },
};

typedef struct
{
  StasTestWorld w;
  StasFakeTarget *target; /* tcp 192.168.1.10 8009: the DC */
  StasDc *dc;
  guint n_changed; /* "log-pages-changed" */
} Fixture;

typedef gboolean (*Condition) (Fixture *fx);

static void
wait_for (Fixture *fx, Condition cond)
{
  stas_test_wait_until ((gboolean (*) (gpointer)) cond, fx);
}

static guint
count (Fixture *fx, StasFakeOp op)
{
  return stas_fake_fabrics_count_calls (fx->w.fake, op, NULL);
}

/* The recorded operations in order, e.g. "connect dim get-discovery-log". */
static char *
calls_text (Fixture *fx)
{
  GPtrArray *calls = stas_fake_fabrics_get_calls (fx->w.fake);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < calls->len; i++)
    {
      const StasFakeCall *c = g_ptr_array_index (calls, i);
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, stas_fake_op_to_string (c->op));
      if (c->op == STAS_FAKE_OP_DIM && c->tas == STAS_DIM_DEREGISTER)
        g_string_append (s, "(deregister)");
    }
  return g_string_free (s, FALSE);
}

static void
assert_calls (Fixture *fx, const char *expected)
{
  g_autofree char *text = calls_text (fx);

  g_assert_cmpstr (text, ==, expected);
}

static void
on_log_pages_changed (StasDc *dc, Fixture *fx)
{
  fx->n_changed++;
}

static StasDc *
new_dc (Fixture *fx, const char *transport, const char *traddr, gboolean pleo)
{
  StasTidDefaults defaults = { .kind = STAS_DAEMON_STAFD, .host_nqn = HOSTNQN, .host_id = HOSTID };
  StasTidFields fields = { .transport = transport, .traddr = traddr };
  g_autoptr (GError) error = NULL;
  g_autoptr (StasTid) tid = stas_tid_new (&defaults, &fields, &error);
  StasConnectRequest request = { .tid = tid, .discovery = TRUE };
  StasDc *dc;

  g_assert_no_error (error);
  dc = stas_dc_new (fx->w.fabrics, fx->w.kernel, &request, pleo);
  g_signal_connect (dc, "log-pages-changed", G_CALLBACK (on_log_pages_changed), fx);
  return dc;
}

static void
setup (Fixture *fx, gconstpointer data)
{
  stas_test_world_init (&fx->w, TIME_SCALE, FALSE);
  fx->target = stas_fake_fabrics_add_target (fx->w.fake, "tcp", "192.168.1.10", "8009");
  stas_fake_fabrics_add_discovery_subsystem (fx->w.fake, fx->target, DC_NQN, STAS_FAKE_DCTYPE_DDC);
  stas_fake_fabrics_set_log_page_options (fx->w.fake, fx->target, 0x3);
  stas_fake_fabrics_set_dlp (fx->w.fake, fx->target, entries, G_N_ELEMENTS (entries));
  stas_test_world_start (&fx->w);
}

typedef struct
{
  gboolean done;
  gboolean ok;
} DisposeResult;

static void
on_disposed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DisposeResult *r = user_data;

  r->ok = stas_controller_dispose_finish (STAS_CONTROLLER (source), result, NULL);
  r->done = TRUE;
}

static void
dispose_dc (Fixture *fx, gboolean keep)
{
  DisposeResult r = { 0 };

  stas_controller_dispose_async (STAS_CONTROLLER (fx->dc), keep, on_disposed, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (r.ok);
  g_assert_finalize_object (g_steal_pointer (&fx->dc));
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  if (fx->dc != NULL)
    dispose_dc (fx, FALSE);
  stas_test_world_clear (&fx->w);
}

static gboolean
is_ready (Fixture *fx)
{
  return stas_controller_get_state (STAS_CONTROLLER (fx->dc)) == STAS_CONTROLLER_CONNECTED &&
         stas_dc_get_log_pages_state (fx->dc) == STAS_DLP_STATE_CURRENT &&
         !stas_controller_is_op_in_flight (STAS_CONTROLLER (fx->dc));
}

static gboolean
is_idle (Fixture *fx)
{
  return stas_controller_get_state (STAS_CONTROLLER (fx->dc)) == STAS_CONTROLLER_IDLE;
}

/* Creates the DC, connects, waits until the chain is READY. */
static void
start_ready (Fixture *fx)
{
  fx->dc = new_dc (fx, "tcp", "192.168.1.10", TRUE);
  stas_controller_start (STAS_CONTROLLER (fx->dc));
  wait_for (fx, is_ready);
  stas_test_run_for (5); /* late uevents of the connect */
}

static void
wait_calls (Fixture *fx, StasFakeOp op, guint n)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (count (fx, op) < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Lets every pending step run to completion (no op in flight, no short retry pending). */
static void
settle (void)
{
  stas_test_run_for (60);
}

static const char *
tid_str (Fixture *fx)
{
  return stas_controller_get_tid_string (STAS_CONTROLLER (fx->dc));
}

/* ---- [DC-1] the chain -------------------------------------------------------------------- */

/* [DC-1] [DC-3] [DC-4] [DC-5] DDC over tcp with PLEOS: DIM, Supported LPs, DLP with PLEO */
static void
test_chain_order (Fixture *fx, gconstpointer data)
{
  g_autofree char *info = NULL;
  g_autofree char *op = NULL;
  const GArray *pages;

  start_ready (fx);
  assert_calls (fx, "connect dim supported-log-pages get-discovery-log");
  g_assert_cmpuint (stas_fake_fabrics_get_last_call (fx->w.fake, STAS_FAKE_OP_DIM)->tas, ==,
                    STAS_DIM_REGISTER);
  g_assert_cmpuint (
      stas_fake_fabrics_get_last_call (fx->w.fake, STAS_FAKE_OP_GET_DISCOVERY_LOG)->lsp, ==,
      STAS_DLP_LSP_PLEO);
  g_assert_cmpuint (stas_dc_get_lsp (fx->dc), ==, STAS_DLP_LSP_PLEO);
  g_assert_true (stas_dc_is_registered (fx->dc));
  g_assert_true (stas_fake_fabrics_is_registered (fx->w.fake, fx->target, HOSTNQN));

  pages = stas_dc_get_log_pages (fx->dc);
  g_assert_cmpuint (pages->len, ==, 2);
  g_assert_cmpstr (g_array_index (pages, StasDlpe, 1).traddr, ==, "192.168.1.21");
  g_assert_cmpuint (stas_dc_get_log_pages_dropped (fx->dc), ==, 0);
  g_assert_cmpuint (fx->n_changed, ==, 1);
  info =
      g_strdup_printf ("%s | nvme0 - Received discovery log pages (num records=2).", tid_str (fx));
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, info), ==, 1);

  op = stas_dc_dup_register_operation_string (fx->dc);
  g_assert_cmpstr (op, ==, OP_DONE);
  g_clear_pointer (&op, g_free);
  op = stas_dc_dup_supported_log_pages_operation_string (fx->dc);
  g_assert_cmpstr (op, ==, OP_DONE);
  g_clear_pointer (&op, g_free);
  op = stas_dc_dup_get_log_page_operation_string (fx->dc);
  g_assert_cmpstr (op, ==, OP_DONE);
}

/* [DC-4] a CDC: no Supported Log Pages, lsp 0 */
static void
test_pleo_cdc (Fixture *fx, gconstpointer data)
{
  stas_fake_fabrics_add_discovery_subsystem (fx->w.fake, fx->target, DC_NQN, STAS_FAKE_DCTYPE_CDC);
  stas_fake_fabrics_set_dlp (fx->w.fake, fx->target, entries, 1);
  start_ready (fx);
  assert_calls (fx, "connect dim get-discovery-log");
  g_assert_cmpuint (
      stas_fake_fabrics_get_last_call (fx->w.fake, STAS_FAKE_OP_GET_DISCOVERY_LOG)->lsp, ==, 0);
  g_assert_null (stas_dc_dup_supported_log_pages_operation_string (fx->dc));
}

/* [DC-4] pleo=disabled: no Supported Log Pages */
static void
test_pleo_disabled (Fixture *fx, gconstpointer data)
{
  fx->dc = new_dc (fx, "tcp", "192.168.1.10", FALSE);
  g_assert_false (stas_dc_get_pleo (fx->dc));
  stas_controller_start (STAS_CONTROLLER (fx->dc));
  wait_for (fx, is_ready);
  assert_calls (fx, "connect dim get-discovery-log");
  g_assert_cmpuint (stas_dc_get_lsp (fx->dc), ==, 0);
}

/* [DC-4] PLEOS not supported → lsp 0; the command rejected → lsp 0, continue quietly */
static void
test_pleo_not_supported (Fixture *fx, gconstpointer data)
{
  stas_fake_fabrics_set_log_page_options (fx->w.fake, fx->target, 0x1);
  start_ready (fx);
  assert_calls (fx, "connect dim supported-log-pages get-discovery-log");
  g_assert_cmpuint (stas_dc_get_lsp (fx->dc), ==, 0);
  dispose_dc (fx, FALSE);

  stas_fake_fabrics_clear_calls (fx->w.fake);
  stas_fake_fabrics_set_log_page_options (fx->w.fake, fx->target, 0x3);
  stas_fake_fabrics_fail_status (fx->w.fake, fx->target, STAS_FAKE_OP_SUPPORTED_LOG_PAGES, 0x2, 1);
  start_ready (fx);
  assert_calls (fx, "connect dim supported-log-pages get-discovery-log");
  g_assert_cmpuint (stas_dc_get_lsp (fx->dc), ==, 0);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_ERROR, ""), ==, 0);
}

/* [DC-4] transport error: ERROR once per streak, retry after 5 s */
static void
test_pleo_transport_error (Fixture *fx, gconstpointer data)
{
  g_autofree char *error_text = NULL;
  g_autofree char *op = NULL;

  stas_fake_fabrics_fail_errno (fx->w.fake, fx->target, STAS_FAKE_OP_SUPPORTED_LOG_PAGES, ETIMEDOUT,
                                2);
  start_ready (fx);
  error_text = g_strdup_printf (
      "%s | nvme0 - Failed to Get supported log pages from Discovery Controller. ", tid_str (fx));
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_ERROR, error_text), ==, 1);
  g_assert_cmpuint (count (fx, STAS_FAKE_OP_SUPPORTED_LOG_PAGES), ==, 3);
  g_assert_cmpuint (count (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG), ==, 1);
  g_assert_cmpuint (stas_dc_get_lsp (fx->dc), ==, STAS_DLP_LSP_PLEO);
  op = stas_dc_dup_supported_log_pages_operation_string (fx->dc);
  g_assert_cmpstr (
      op, ==, "{'fail count': 0, 'completed': True, 'alive': True, 'retry timer': '5.0s [off]'}");
}

/* ---- [DC-3] DIM ---------------------------------------------------------------------------- */

/* [DC-3] dctype none: no DIM */
static void
test_dim_dctype_none (Fixture *fx, gconstpointer data)
{
  stas_fake_fabrics_add_discovery_subsystem (fx->w.fake, fx->target, DC_NQN, STAS_FAKE_DCTYPE_NONE);
  stas_fake_fabrics_set_log_page_options (fx->w.fake, fx->target, 0x3);
  stas_fake_fabrics_set_dlp (fx->w.fake, fx->target, entries, 1);
  start_ready (fx);
  assert_calls (fx, "connect supported-log-pages get-discovery-log");
  g_assert_false (stas_dc_is_registered (fx->dc));
  g_assert_null (stas_dc_dup_register_operation_string (fx->dc));
}

/* [DC-3] dctype unknown (kernel < 5.18): ask registration_supported first */
static void
test_dim_dctype_unknown (Fixture *fx, gconstpointer data)
{
  StasKernelCaps caps = { .host_iface = TRUE, .discovery = TRUE };

  stas_fake_fabrics_set_kernel_caps (fx->w.fake, &caps);
  start_ready (fx);
  g_assert_cmpstr (stas_controller_get_kernel_entry (STAS_CONTROLLER (fx->dc))->dctype, ==, "");
  assert_calls (fx, "connect registration-supported dim supported-log-pages get-discovery-log");
  g_assert_true (stas_dc_is_registered (fx->dc));
}

/* [DC-3] [D-46] only tcp DCs register */
static void
test_dim_tcp_only (Fixture *fx, gconstpointer data)
{
  StasFakeTarget *rdma = stas_fake_fabrics_add_target (fx->w.fake, "rdma", "192.168.2.10", "4420");

  stas_fake_fabrics_add_discovery_subsystem (fx->w.fake, rdma, DC_NQN, STAS_FAKE_DCTYPE_DDC);
  stas_fake_fabrics_set_log_page_options (fx->w.fake, rdma, 0x3);
  fx->dc = new_dc (fx, "rdma", "192.168.2.10", TRUE);
  stas_controller_start (STAS_CONTROLLER (fx->dc));
  wait_for (fx, is_ready);
  assert_calls (fx, "connect supported-log-pages get-discovery-log");
}

/* [DC-3] rejected (NVMe status): WARNING with the detail, continue without retry */
static void
test_dim_rejected (Fixture *fx, gconstpointer data)
{
  g_autofree char *warning = NULL;

  stas_fake_fabrics_fail_status (fx->w.fake, fx->target, STAS_FAKE_OP_DIM, 0x2, 1);
  start_ready (fx);
  settle ();
  warning = g_strdup_printf ("%s | nvme0 - Registration error. Result:0x0000, Status:0x0002 - "
                             "Invalid Field in Command.",
                             tid_str (fx));
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_WARNING, warning), ==, 1);
  assert_calls (fx, "connect dim supported-log-pages get-discovery-log");
  g_assert_false (stas_dc_is_registered (fx->dc));

  /* not applicable (EOPNOTSUPP) is handled the same way */
  stas_fake_fabrics_fail_errno (fx->w.fake, fx->target, STAS_FAKE_OP_DIM, EOPNOTSUPP, 1);
  stas_dc_restart_chain (fx->dc);
  settle ();
  g_assert_cmpuint (
      stas_test_world_count_logs (&fx->w, STAS_LOG_WARNING, "Registration error. Status:95 - "), ==,
      1);
  g_assert_cmpuint (count (fx, STAS_FAKE_OP_DIM), ==, 2);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_ERROR, ""), ==, 0);
}

/* [DC-3] transport error: ERROR once per streak, retry after 5 s, the chain waits */
static void
test_dim_transport_error (Fixture *fx, gconstpointer data)
{
  g_autofree char *error_text = NULL;

  stas_fake_fabrics_fail_errno (fx->w.fake, fx->target, STAS_FAKE_OP_DIM, ETIMEDOUT, 3);
  start_ready (fx);
  error_text =
      g_strdup_printf ("%s | nvme0 - Failed to register with Discovery Controller. ", tid_str (fx));
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_ERROR, error_text), ==, 1);
  assert_calls (fx, "connect dim dim dim dim supported-log-pages get-discovery-log");
  g_assert_true (stas_dc_is_registered (fx->dc));

  /* a new streak logs again */
  stas_fake_fabrics_fail_errno (fx->w.fake, fx->target, STAS_FAKE_OP_DIM, ETIMEDOUT, 1);
  stas_dc_restart_chain (fx->dc);
  wait_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG, 2);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_ERROR, error_text), ==, 2);
}

/* ---- [DC-5] [DC-6] retrieval ------------------------------------------------------------------
 */

/* [DC-1] retrieval failures: ERROR once per streak, retry after 20 s; cache untouched */
static void
test_dlp_retry (Fixture *fx, gconstpointer data)
{
  g_autofree char *error_text = NULL;

  stas_fake_fabrics_fail_errno (fx->w.fake, fx->target, STAS_FAKE_OP_GET_DISCOVERY_LOG, EIO, 2);
  fx->dc = new_dc (fx, "tcp", "192.168.1.10", TRUE);
  stas_controller_start (STAS_CONTROLLER (fx->dc));
  wait_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG, 1);
  stas_test_run_for (2);
  g_assert_cmpint (stas_dc_get_log_pages_state (fx->dc), ==, STAS_DLP_STATE_NONE);
  wait_for (fx, is_ready);
  error_text = g_strdup_printf ("%s | nvme0 - Failed to retrieve log pages. ", tid_str (fx));
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_ERROR, error_text), ==, 1);
  g_assert_cmpuint (count (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG), ==, 3);
  g_assert_cmpuint (fx->n_changed, ==, 1);
}

/* [DC-5] [D-70] malformed entries are dropped and counted */
static void
test_dlp_malformed_dropped (Fixture *fx, gconstpointer data)
{
  StasDlpeSpec bad = entries[0];

  bad.traddr = "192.168.1.\001";
  stas_fake_fabrics_add_entry (fx->w.fake, fx->target, &bad);
  start_ready (fx);
  g_assert_cmpuint (stas_dc_get_log_pages (fx->dc)->len, ==, 2);
  g_assert_cmpuint (stas_dc_get_log_pages_dropped (fx->dc), ==, 1);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_WARNING, "Dropped 1 malformed"),
                    ==, 1);
}

/* [DC-5] log-pages-changed after every successful retrieval, even when unchanged */
static void
test_dlp_signal_every_time (Fixture *fx, gconstpointer data)
{
  start_ready (fx);
  stas_dc_request_dlp (fx->dc); /* overflow resync [D-39] */
  wait_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG, 2);
  wait_for (fx, is_ready);
  g_assert_cmpuint (fx->n_changed, ==, 2);
}

/* ---- [DC-7] AEN and restart coalescing ------------------------------------------------------ */

/* [DC-7] [D-43] [ARCH-3] N AENs during a retrieval → exactly one more Get Log Page */
static void
test_aen_coalesced (Fixture *fx, gconstpointer data)
{
  g_autofree char *info = NULL;
  const char *dev;

  start_ready (fx);
  dev = stas_controller_get_device (STAS_CONTROLLER (fx->dc));
  stas_fake_fabrics_set_delay (fx->w.fake, fx->target, STAS_FAKE_OP_GET_DISCOVERY_LOG,
                               STAS_FAKE_HOLD);
  stas_fake_fabrics_emit_aen (fx->w.fake, dev, STAS_DLP_CHANGED_AEN);
  wait_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG, 2);
  for (guint i = 0; i < 5; i++)
    stas_fake_fabrics_emit_aen (fx->w.fake, dev, STAS_DLP_CHANGED_AEN);
  stas_test_run_for (10);
  g_assert_cmpuint (count (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG), ==, 2); /* never two at once */
  stas_fake_fabrics_release (fx->w.fake, fx->target, STAS_FAKE_OP_GET_DISCOVERY_LOG);
  settle ();
  wait_for (fx, is_ready);
  g_assert_cmpuint (count (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG), ==, 3);
  g_assert_cmpuint (fx->n_changed, ==, 3);
  info = g_strdup_printf ("%s | %s - Received AEN: 0x70f002", tid_str (fx), dev);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, info), ==, 6);
}

/* [DC-7] AENs while the chain is in DIM or PLEO are served by the chain's retrieval */
static void
test_aen_during_dim_and_pleo (Fixture *fx, gconstpointer data)
{
  const char *dev;

  stas_fake_fabrics_set_delay (fx->w.fake, fx->target, STAS_FAKE_OP_DIM, STAS_FAKE_HOLD);
  stas_fake_fabrics_set_delay (fx->w.fake, fx->target, STAS_FAKE_OP_SUPPORTED_LOG_PAGES,
                               STAS_FAKE_HOLD);
  fx->dc = new_dc (fx, "tcp", "192.168.1.10", TRUE);
  stas_controller_start (STAS_CONTROLLER (fx->dc));
  wait_calls (fx, STAS_FAKE_OP_DIM, 1);
  stas_test_run_for (5);
  dev = stas_controller_get_device (STAS_CONTROLLER (fx->dc));
  for (guint i = 0; i < 3; i++)
    stas_fake_fabrics_emit_aen (fx->w.fake, dev, STAS_DLP_CHANGED_AEN);
  stas_dc_request_dlp (fx->dc);
  stas_test_run_for (5);
  stas_fake_fabrics_release (fx->w.fake, fx->target, STAS_FAKE_OP_DIM);
  wait_calls (fx, STAS_FAKE_OP_SUPPORTED_LOG_PAGES, 1);
  stas_fake_fabrics_emit_aen (fx->w.fake, dev, STAS_DLP_CHANGED_AEN);
  stas_test_run_for (5);
  g_assert_cmpuint (count (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG), ==, 0);
  stas_fake_fabrics_release (fx->w.fake, fx->target, STAS_FAKE_OP_SUPPORTED_LOG_PAGES);
  wait_for (fx, is_ready);
  settle ();
  g_assert_cmpuint (count (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG), ==, 1);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, "Received AEN: 0x70f002"),
                    ==, 4);
  assert_calls (fx, "connect dim supported-log-pages get-discovery-log");
}

/* [DC-7] an AEN while a retry is pending: retrieve now, replacing the 20 s retry */
static void
test_aen_cancels_retry (Fixture *fx, gconstpointer data)
{
  start_ready (fx);
  stas_controller_set_time_scale (1.0); /* a real 20 s retry */
  stas_fake_fabrics_fail_errno (fx->w.fake, fx->target, STAS_FAKE_OP_GET_DISCOVERY_LOG, EIO, 1);
  stas_dc_request_dlp (fx->dc);
  wait_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG, 2);
  stas_test_run_for (10);
  g_assert_cmpuint (
      stas_test_world_count_logs (&fx->w, STAS_LOG_ERROR, "Failed to retrieve log pages."), ==, 1);
  stas_fake_fabrics_emit_aen (fx->w.fake, stas_controller_get_device (STAS_CONTROLLER (fx->dc)),
                              STAS_DLP_CHANGED_AEN);
  wait_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG, 3);
  wait_for (fx, is_ready);
  g_assert_cmpuint (fx->n_changed, ==, 2);
}

/* [DC-2] other AEN values are logged only; malformed ones ignored with DEBUG */
static void
test_aen_other_values (Fixture *fx, gconstpointer data)
{
  const char *dev;
  StasUevent raw = { .action = STAS_UEVENT_CHANGE, .nvme_aen = "bogus" };
  g_autofree char *info = NULL;

  start_ready (fx);
  stas_log_set_debug (TRUE);
  dev = stas_controller_get_device (STAS_CONTROLLER (fx->dc));
  raw.name = (char *) dev;
  stas_fake_fabrics_emit_aen (fx->w.fake, dev, 0x12345);
  stas_fake_fabrics_emit_uevent (fx->w.fake, &raw);
  settle ();
  info = g_strdup_printf ("%s | %s - Received AEN: 0x012345", tid_str (fx), dev);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, info), ==, 1);
  g_assert_cmpuint (
      stas_test_world_count_logs (&fx->w, STAS_LOG_DEBUG, "Ignoring malformed NVME_AEN \"bogus\""),
      ==, 1);
  g_assert_cmpuint (count (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG), ==, 1);
}

/* [DC-7] restart requests while the chain runs coalesce into one restart, which also
 * serves pending retrievals */
static void
test_restart_coalesced (Fixture *fx, gconstpointer data)
{
  const char *dev;

  start_ready (fx);
  dev = stas_controller_get_device (STAS_CONTROLLER (fx->dc));
  stas_fake_fabrics_set_delay (fx->w.fake, fx->target, STAS_FAKE_OP_DIM, STAS_FAKE_HOLD);
  stas_dc_restart_chain (fx->dc); /* SIGHUP */
  wait_calls (fx, STAS_FAKE_OP_DIM, 2);
  stas_fake_fabrics_reconnect_device (fx->w.fake, dev); /* connected + rediscover */
  stas_dc_restart_chain (fx->dc);
  stas_dc_restart_chain (fx->dc);
  stas_fake_fabrics_emit_aen (fx->w.fake, dev, STAS_DLP_CHANGED_AEN);
  stas_test_run_for (10);
  stas_fake_fabrics_release (fx->w.fake, fx->target, STAS_FAKE_OP_DIM);
  settle ();
  wait_for (fx, is_ready);
  assert_calls (fx, "connect dim supported-log-pages get-discovery-log "
                    "dim dim supported-log-pages get-discovery-log");
}

/* [DC-2] NVME_EVENT=connected / rediscover on a READY DC restarts the chain */
static void
test_connected_event_restarts (Fixture *fx, gconstpointer data)
{
  start_ready (fx);
  stas_fake_fabrics_reconnect_device (fx->w.fake,
                                      stas_controller_get_device (STAS_CONTROLLER (fx->dc)));
  settle ();
  wait_for (fx, is_ready);
  /* "connected" restarts the chain; "rediscover", arriving while its DIM runs, coalesces
   * into one more restart after that step */
  assert_calls (fx, "connect dim supported-log-pages get-discovery-log "
                    "dim dim supported-log-pages get-discovery-log");
}

/* [DC-7] a retrieval request without connection does nothing: the chain will retrieve */
static void
test_request_not_connected (Fixture *fx, gconstpointer data)
{
  fx->dc = new_dc (fx, "tcp", "192.168.1.10", TRUE);
  stas_dc_request_dlp (fx->dc);
  stas_dc_restart_chain (fx->dc);
  stas_test_flush ();
  g_assert_cmpuint (count (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG), ==, 0);
  stas_controller_start (STAS_CONTROLLER (fx->dc));
  wait_for (fx, is_ready);
  settle ();
  g_assert_cmpuint (count (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG), ==, 1);
}

/* ---- the cache ------------------------------------------------------------------------------ */

/* log pages state: none → current → cached across a loss → current again; restored */
static void
test_cache_states (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasDc) restored = NULL;
  GArray *copy;

  fx->dc = new_dc (fx, "tcp", "192.168.1.10", TRUE);
  g_assert_cmpint (stas_dc_get_log_pages_state (fx->dc), ==, STAS_DLP_STATE_NONE);
  g_assert_cmpuint (stas_dc_get_log_pages (fx->dc)->len, ==, 0);
  g_assert_cmpstr (stas_dlp_state_to_string (STAS_DLP_STATE_NONE), ==, "none");
  stas_controller_start (STAS_CONTROLLER (fx->dc));
  wait_for (fx, is_ready);
  stas_test_run_for (5);

  stas_fake_fabrics_remove_device (fx->w.fake,
                                   stas_controller_get_device (STAS_CONTROLLER (fx->dc)));
  wait_for (fx, is_idle);
  g_assert_cmpint (stas_dc_get_log_pages_state (fx->dc), ==, STAS_DLP_STATE_CACHED);
  g_assert_cmpuint (stas_dc_get_log_pages (fx->dc)->len, ==, 2);
  g_assert_null (stas_dc_dup_get_log_page_operation_string (fx->dc));
  g_assert_false (stas_dc_is_registered (fx->dc));
  wait_for (fx, is_ready);
  g_assert_cmpuint (fx->n_changed, ==, 2);

  /* restored from the state file */
  copy = g_array_copy ((GArray *) stas_dc_get_log_pages (fx->dc));
  restored = new_dc (fx, "tcp", "192.168.1.99", TRUE);
  stas_dc_set_cached_log_pages (restored, copy, 3);
  g_array_unref (copy);
  g_assert_cmpint (stas_dc_get_log_pages_state (restored), ==, STAS_DLP_STATE_CACHED);
  g_assert_cmpuint (stas_dc_get_log_pages (restored)->len, ==, 2);
  g_assert_cmpuint (stas_dc_get_log_pages_dropped (restored), ==, 3);
  g_assert_cmpuint (fx->n_changed, ==, 2);
}

/* [ARCH-8] a retrieval overtaken by the loss of the device is discarded */
static void
test_cache_stale_discarded (Fixture *fx, gconstpointer data)
{
  start_ready (fx);
  stas_fake_fabrics_set_delay (fx->w.fake, fx->target, STAS_FAKE_OP_GET_DISCOVERY_LOG,
                               STAS_FAKE_HOLD);
  stas_dc_request_dlp (fx->dc);
  wait_calls (fx, STAS_FAKE_OP_GET_DISCOVERY_LOG, 2);
  stas_fake_fabrics_remove_entries (fx->w.fake, fx->target, NULL, NULL, NULL);
  stas_fake_fabrics_remove_device (fx->w.fake,
                                   stas_controller_get_device (STAS_CONTROLLER (fx->dc)));
  wait_for (fx, is_idle);
  stas_fake_fabrics_set_delay (fx->w.fake, fx->target, STAS_FAKE_OP_CONNECT, STAS_FAKE_HOLD);
  stas_fake_fabrics_release (fx->w.fake, fx->target, STAS_FAKE_OP_GET_DISCOVERY_LOG);
  stas_test_run_for (20);
  g_assert_cmpuint (fx->n_changed, ==, 1);
  g_assert_cmpint (stas_dc_get_log_pages_state (fx->dc), ==, STAS_DLP_STATE_CACHED);
  g_assert_cmpuint (stas_dc_get_log_pages (fx->dc)->len, ==, 2);
  stas_fake_fabrics_release (fx->w.fake, fx->target, STAS_FAKE_OP_CONNECT);
  wait_for (fx, is_ready);
  g_assert_cmpuint (stas_dc_get_log_pages (fx->dc)->len, ==, 0);
}

/* ---- [CONN-5] [D-45] deregistration ------------------------------------------------------------
 */

/* [D-45] registered in this connection, removed: deregister, then disconnect */
static void
test_dispose_deregisters (Fixture *fx, gconstpointer data)
{
  start_ready (fx);
  stas_fake_fabrics_clear_calls (fx->w.fake);
  dispose_dc (fx, FALSE);
  assert_calls (fx, "dim(deregister) disconnect");
  g_assert_false (stas_fake_fabrics_is_registered (fx->w.fake, fx->target, HOSTNQN));
}

/* [D-45] never deregistered when the connection is kept */
static void
test_dispose_keep_no_deregister (Fixture *fx, gconstpointer data)
{
  start_ready (fx);
  stas_fake_fabrics_clear_calls (fx->w.fake);
  dispose_dc (fx, TRUE);
  assert_calls (fx, "");
  g_assert_true (stas_fake_fabrics_is_registered (fx->w.fake, fx->target, HOSTNQN));
}

/* [D-45] not registered in this connection (rejected): no deregistration */
static void
test_dispose_unregistered (Fixture *fx, gconstpointer data)
{
  stas_fake_fabrics_fail_status (fx->w.fake, fx->target, STAS_FAKE_OP_DIM, 0x2, 1);
  start_ready (fx);
  stas_fake_fabrics_clear_calls (fx->w.fake);
  dispose_dc (fx, FALSE);
  assert_calls (fx, "disconnect");
}

/* [CONN-5] step 3: a failed deregistration is a WARNING; the disconnect follows */
static void
test_dispose_deregister_fails (Fixture *fx, gconstpointer data)
{
  g_autofree char *warning = NULL;

  start_ready (fx);
  warning = g_strdup_printf ("%s | nvme0 - Deregistration error. ", tid_str (fx));
  stas_fake_fabrics_fail_errno (fx->w.fake, fx->target, STAS_FAKE_OP_DIM, EIO, 1);
  stas_fake_fabrics_clear_calls (fx->w.fake);
  dispose_dc (fx, FALSE);
  assert_calls (fx, "dim(deregister) disconnect");
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_WARNING, warning), ==, 1);
}

/* [D-57] disposal cancelled while the chain ran: the chain restarts */
static void
test_dispose_cancelled_restarts_chain (Fixture *fx, gconstpointer data)
{
  DisposeResult r = { 0 };

  stas_fake_fabrics_set_delay (fx->w.fake, fx->target, STAS_FAKE_OP_SUPPORTED_LOG_PAGES,
                               STAS_FAKE_HOLD);
  fx->dc = new_dc (fx, "tcp", "192.168.1.10", TRUE);
  stas_controller_start (STAS_CONTROLLER (fx->dc));
  wait_calls (fx, STAS_FAKE_OP_SUPPORTED_LOG_PAGES, 1);
  stas_controller_dispose_async (STAS_CONTROLLER (fx->dc), FALSE, on_disposed, &r);
  g_assert_true (stas_controller_cancel_dispose (STAS_CONTROLLER (fx->dc)));
  stas_fake_fabrics_release (fx->w.fake, fx->target, STAS_FAKE_OP_SUPPORTED_LOG_PAGES);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (r.ok);
  wait_for (fx, is_ready);
  assert_calls (fx, "connect dim supported-log-pages dim supported-log-pages get-discovery-log");
}

/* origin and referral depth are plain owner fields */
static void
test_owner_fields (Fixture *fx, gconstpointer data)
{
  fx->dc = new_dc (fx, "tcp", "192.168.1.10", TRUE);
  g_assert_cmpint (stas_dc_get_origin (fx->dc), ==, STAS_DC_ORIGIN_CONFIGURED);
  stas_dc_set_origin (fx->dc, STAS_DC_ORIGIN_REFERRAL);
  stas_dc_set_referral_depth (fx->dc, 2);
  g_assert_cmpstr (stas_dc_origin_to_string (stas_dc_get_origin (fx->dc)), ==, "referral");
  g_assert_cmpuint (stas_dc_get_referral_depth (fx->dc), ==, 2);
  g_object_set (fx->dc, "origin", STAS_DC_ORIGIN_DISCOVERED, NULL);
  g_assert_cmpstr (stas_dc_origin_to_string (stas_dc_get_origin (fx->dc)), ==, "discovered");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add ("/dc/" path, Fixture, NULL, setup, fn, teardown)
  ADD ("chain/order", test_chain_order);
  ADD ("pleo/cdc", test_pleo_cdc);
  ADD ("pleo/disabled", test_pleo_disabled);
  ADD ("pleo/not-supported", test_pleo_not_supported);
  ADD ("pleo/transport-error", test_pleo_transport_error);
  ADD ("dim/dctype-none", test_dim_dctype_none);
  ADD ("dim/dctype-unknown", test_dim_dctype_unknown);
  ADD ("dim/tcp-only", test_dim_tcp_only);
  ADD ("dim/rejected", test_dim_rejected);
  ADD ("dim/transport-error", test_dim_transport_error);
  ADD ("dlp/retry", test_dlp_retry);
  ADD ("dlp/malformed-dropped", test_dlp_malformed_dropped);
  ADD ("dlp/signal-every-time", test_dlp_signal_every_time);
  ADD ("aen/coalesced", test_aen_coalesced);
  ADD ("aen/during-dim-and-pleo", test_aen_during_dim_and_pleo);
  ADD ("aen/cancels-retry", test_aen_cancels_retry);
  ADD ("aen/other-values", test_aen_other_values);
  ADD ("restart/coalesced", test_restart_coalesced);
  ADD ("restart/connected-event", test_connected_event_restarts);
  ADD ("request/not-connected", test_request_not_connected);
  ADD ("cache/states", test_cache_states);
  ADD ("cache/stale-discarded", test_cache_stale_discarded);
  ADD ("dispose/deregisters", test_dispose_deregisters);
  ADD ("dispose/keep-no-deregister", test_dispose_keep_no_deregister);
  ADD ("dispose/unregistered", test_dispose_unregistered);
  ADD ("dispose/deregister-fails", test_dispose_deregister_fails);
  ADD ("dispose/cancelled-restarts-chain", test_dispose_cancelled_restarts_chain);
  ADD ("owner-fields", test_owner_fields);
#undef ADD
  return g_test_run ();
}
