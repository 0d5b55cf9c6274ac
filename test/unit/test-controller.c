/* test-controller.c — StasController, the connection state machine of spec/behaviour.md §3
 * ([CONN-1]…[CONN-6], [ARCH-3], [ARCH-4], [ARCH-8], [D-19], [D-40], [D-53], [D-57]) on the
 * fake fabrics, with timers scaled down to milliseconds. */
#include "config.h"

#include <errno.h>

#include "fake-fabrics.h"
#include "stas-controller.h"
#include "stas-log.h"
#include "test-util.h"

#define HOSTNQN STAS_TEST_HOST_NQN
#define HOSTID STAS_TEST_HOST_ID
#define DC_NQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"
#define IO_NQN "nqn.2023-01.com.example:array1"
#define TIME_SCALE 0.001 /* 3 s → 3 ms, 60 s → 60 ms */

/* ---- a minimal subclass recording its vfunc calls ---------------------------------------- */

#define TEST_TYPE_CTRL (test_ctrl_get_type ())
G_DECLARE_FINAL_TYPE (TestCtrl, test_ctrl, TEST, CTRL, StasController)

struct _TestCtrl
{
  StasController parent_instance;
  guint n_connected;
  guint n_lost;
  guint n_disposing;
  guint n_changed;
  gboolean retry;
};

G_DEFINE_FINAL_TYPE (TestCtrl, test_ctrl, STAS_TYPE_CONTROLLER)

static void
test_ctrl_connected (StasController *ctl)
{
  TEST_CTRL (ctl)->n_connected++;
}

static void
test_ctrl_device_lost (StasController *ctl)
{
  TEST_CTRL (ctl)->n_lost++;
}

static void
test_ctrl_disposing (StasController *ctl)
{
  TEST_CTRL (ctl)->n_disposing++;
}

static void
test_ctrl_device_changed (StasController *ctl, const StasUevent *event)
{
  TEST_CTRL (ctl)->n_changed++;
}

static gboolean
test_ctrl_should_retry (StasController *ctl)
{
  return TEST_CTRL (ctl)->retry;
}

static void
test_ctrl_class_init (TestCtrlClass *klass)
{
  StasControllerClass *ctl_class = STAS_CONTROLLER_CLASS (klass);

  ctl_class->connected = test_ctrl_connected;
  ctl_class->device_lost = test_ctrl_device_lost;
  ctl_class->disposing = test_ctrl_disposing;
  ctl_class->device_changed = test_ctrl_device_changed;
  ctl_class->should_retry = test_ctrl_should_retry;
}

static void
test_ctrl_init (TestCtrl *self)
{
  self->retry = TRUE;
}

/* ---- fixture -------------------------------------------------------------------------- */

typedef struct
{
  StasTestWorld w;
  StasFakeTarget *dc_target; /* tcp 192.168.1.10 8009: a DDC */
  StasFakeTarget *io_target; /* tcp 192.168.1.20 4420: IO_NQN */
  guint n_failed;            /* "connect-failed" emissions */
} Fixture;

static void
setup (Fixture *fx, gconstpointer data)
{
  stas_test_world_init (&fx->w, TIME_SCALE, FALSE);
  fx->dc_target = stas_fake_fabrics_add_target (fx->w.fake, "tcp", "192.168.1.10", "8009");
  stas_fake_fabrics_add_discovery_subsystem (fx->w.fake, fx->dc_target, DC_NQN,
                                             STAS_FAKE_DCTYPE_DDC);
  fx->io_target = stas_fake_fabrics_add_target (fx->w.fake, "tcp", "192.168.1.20", "4420");
  stas_fake_fabrics_add_io_subsystem (fx->w.fake, fx->io_target, IO_NQN, 1);
  stas_test_world_start (&fx->w);
}

static void
teardown (Fixture *fx, gconstpointer data)
{
  stas_test_world_clear (&fx->w);
}

static gboolean
is_connecting (gpointer ctl)
{
  return stas_controller_get_state (ctl) == STAS_CONTROLLER_CONNECTING;
}

static gboolean
is_idle_no_op (gpointer ctl)
{
  return stas_controller_get_state (ctl) == STAS_CONTROLLER_IDLE &&
         !stas_controller_is_op_in_flight (ctl);
}

static void
on_connect_failed (StasController *ctl, guint attempts, const char *reason, Fixture *fx)
{
  fx->n_failed++;
}

static TestCtrl *
new_ctrl_full (Fixture *fx, gboolean dc, const StasConnParams *params)
{
  g_autoptr (StasTid) tid = dc ? stas_test_tid (STAS_DAEMON_STAFD, "192.168.1.10", "8009", NULL)
                               : stas_test_tid (STAS_DAEMON_STAFD, "192.168.1.20", "4420", IO_NQN);
  StasConnectRequest request = { .tid = tid, .discovery = dc };
  TestCtrl *ctl;

  if (params != NULL)
    request.params = *params;
  ctl = g_object_new (TEST_TYPE_CTRL, "fabrics", fx->w.fabrics, "kernel", fx->w.kernel, "request",
                      &request, NULL);
  g_signal_connect (ctl, "connect-failed", G_CALLBACK (on_connect_failed), fx);
  return ctl;
}

static TestCtrl *
new_ctrl (Fixture *fx, gboolean dc)
{
  return new_ctrl_full (fx, dc, NULL);
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} DisposeResult;

static void
on_disposed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DisposeResult *r = user_data;

  r->ok = stas_controller_dispose_finish (STAS_CONTROLLER (source), result, &r->error);
  r->done = TRUE;
}

static gboolean
dispose_done (gpointer data)
{
  return ((DisposeResult *) data)->done;
}

static void
dispose_wait (StasController *ctl, gboolean keep)
{
  DisposeResult r = { 0 };

  stas_controller_dispose_async (ctl, keep, on_disposed, &r);
  stas_test_wait_until (dispose_done, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_true (stas_controller_is_disposed (ctl));
}

/* Disposes @ctl and drops the test's reference. */
static void
dispose_and_wait (StasController *ctl, gboolean keep)
{
  dispose_wait (ctl, keep);
  g_assert_finalize_object (ctl);
}

/* ---- [CONN-1] connect ------------------------------------------------------------------- */

/* [CONN-1] [CONN-3] created → connect on the next iteration → CONNECTED, device claimed,
 * INFO text exact, attempts 0 */
static void
test_connect_success (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  g_autofree char *expected = NULL;
  g_autofree char *timer = NULL;

  stas_controller_start (c);
  g_assert_cmpint (stas_controller_get_state (c), ==, STAS_CONTROLLER_IDLE);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 0);
  stas_test_wait_until (is_connecting, c);
  g_assert_cmpuint (stas_controller_get_connect_attempts (c), ==, 1);
  g_assert_null (stas_controller_get_device (c));
  stas_test_wait_until (stas_test_is_connected, c);

  g_assert_cmpstr (stas_controller_get_device (c), ==, "nvme0");
  g_assert_true (stas_kernel_get_owner (fx->w.kernel, "nvme0") == c);
  g_assert_cmpuint (stas_controller_get_connect_attempts (c), ==, 0);
  g_assert_cmpuint (ctl->n_connected, ==, 1);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 1);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_ADOPT, NULL), ==, 0);
  expected =
      g_strdup_printf ("%s | nvme0 - Connection established!", stas_controller_get_tid_string (c));
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, expected), ==, 1);
  timer = stas_controller_dup_retry_timer_string (c);
  g_assert_cmpstr (timer, ==, "60.0s [off]");
  g_assert_null (stas_controller_dup_connect_operation_string (c));

  /* [CONN-3] the identity recorded once the table knows the device */
  stas_test_flush ();
  g_assert_nonnull (stas_controller_get_identity (c));
  g_assert_cmpstr (stas_controller_get_identity (c)->subsysnqn, ==, IO_NQN);
  g_assert_nonnull (stas_controller_get_kernel_entry (c));
  dispose_and_wait (c, TRUE);
}

/* [CONN-1] failure: 3 s after attempt 1, 60 s after 2+, ERROR exactly once (attempt 2) */
static void
test_connect_retry_periods (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  g_autofree char *error_text = NULL;
  double interval;

  stas_fake_fabrics_fail_connect (fx->w.fake, fx->io_target, ECONNREFUSED, 3);
  stas_controller_start (c);

  while (fx->n_failed < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (stas_controller_get_retry_timer (c, &interval, NULL));
  g_assert_cmpfloat (interval, ==, 3.0);
  g_assert_cmpuint (stas_controller_get_connect_attempts (c), ==, 1);
  error_text =
      g_strdup_printf ("%s Failed to connect to controller. ", stas_controller_get_tid_string (c));
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_ERROR, error_text), ==, 0);

  while (fx->n_failed < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (stas_controller_get_retry_timer (c, &interval, NULL));
  g_assert_cmpfloat (interval, ==, 60.0);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_ERROR, error_text), ==, 1);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_ERROR, "Connection refused"), ==,
                    1);

  while (fx->n_failed < 3)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (stas_controller_get_retry_timer (c, &interval, NULL));
  g_assert_cmpfloat (interval, ==, 60.0);
  g_assert_cmpuint (stas_controller_get_connect_attempts (c), ==, 3);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_ERROR, error_text), ==,
                    1); /* no more */

  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_cmpuint (stas_controller_get_connect_attempts (c), ==, 0);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 4);
  dispose_and_wait (c, FALSE);
}

/* [CONN-1] should_retry FALSE: IDLE with the timer stopped; connect_now restarts */
static void
test_connect_no_retry (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  g_autofree char *timer = NULL;

  ctl->retry = FALSE;
  stas_fake_fabrics_fail_connect (fx->w.fake, fx->io_target, ECONNREFUSED, 1);
  stas_controller_start (c);
  while (fx->n_failed < 1)
    g_main_context_iteration (NULL, TRUE);
  stas_test_run_for (20);
  g_assert_cmpint (stas_controller_get_state (c), ==, STAS_CONTROLLER_IDLE);
  g_assert_false (stas_controller_get_retry_timer (c, NULL, NULL));
  timer = stas_controller_dup_retry_timer_string (c);
  g_assert_cmpstr (timer, ==, "3.0s [off]");
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 1);

  /* NCC cleared: attempts reset, connect now */
  stas_controller_connect_now (c, TRUE);
  g_assert_cmpuint (stas_controller_get_connect_attempts (c), ==, 0);
  stas_test_wait_until (stas_test_is_connected, c);
  dispose_and_wait (c, FALSE);
}

/* the connect operation string exists only while the connect is in flight */
static void
test_connect_operation_string (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  g_autofree char *op = NULL;

  stas_fake_fabrics_set_delay (fx->w.fake, fx->io_target, STAS_FAKE_OP_CONNECT, STAS_FAKE_HOLD);
  stas_controller_start (c);
  stas_test_wait_until (is_connecting, c);
  op = stas_controller_dup_connect_operation_string (c);
  g_assert_cmpstr (op, ==, "{'fail count': 0, 'completed': False, 'alive': True}");
  g_assert_true (stas_controller_is_op_in_flight (c));
  stas_fake_fabrics_release (fx->w.fake, fx->io_target, STAS_FAKE_OP_CONNECT);
  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_null (stas_controller_dup_connect_operation_string (c));
  dispose_and_wait (c, FALSE);
}

/* ---- [CONN-4] reuse ------------------------------------------------------------------------ */

/* [CONN-4] an existing matching device is adopted: no duplicate connect */
static void
test_adopt_existing (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasTid) tid = stas_test_tid (STAS_DAEMON_STAFD, "192.168.1.10", "8009", NULL);
  const char *ext = stas_fake_fabrics_connect_external (fx->w.fake, tid, TRUE, NULL);
  TestCtrl *ctl;
  StasController *c;
  g_autofree char *name = g_strdup (ext);

  stas_test_flush (); /* the table learns the device from its uevent */
  ctl = new_ctrl (fx, TRUE);
  c = STAS_CONTROLLER (ctl);
  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_cmpstr (stas_controller_get_device (c), ==, name);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_ADOPT, name), ==, 1);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 0);
  g_assert_true (stas_kernel_get_owner (fx->w.kernel, name) == c);
  dispose_and_wait (c, FALSE);
  g_assert_false (stas_fake_fabrics_has_device (fx->w.fake, name));
}

/* [CONN-4] rows 2 and 3: a deleting device and a device owned by another object are not
 * adopted */
static void
test_no_adopt_deleting_or_owned (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasTid) tid = stas_test_tid (STAS_DAEMON_STAFD, "192.168.1.10", "8009", NULL);
  g_autofree char *dying =
      g_strdup (stas_fake_fabrics_connect_external (fx->w.fake, tid, TRUE, NULL));
  g_autofree char *owned =
      g_strdup (stas_fake_fabrics_connect_external (fx->w.fake, tid, TRUE, NULL));
  int other_owner;
  TestCtrl *ctl;
  StasController *c;

  stas_fake_fabrics_set_device_state (fx->w.fake, dying, "deleting");
  stas_test_flush ();
  stas_kernel_claim (fx->w.kernel, owned, &other_owner);
  ctl = new_ctrl (fx, TRUE);
  c = STAS_CONTROLLER (ctl);
  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_ADOPT, NULL), ==, 0);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 1);
  g_assert_cmpstr (stas_controller_get_device (c), !=, dying);
  g_assert_cmpstr (stas_controller_get_device (c), !=, owned);
  g_assert_true (stas_kernel_get_owner (fx->w.kernel, owned) == &other_owner);
  dispose_and_wait (c, FALSE);
  stas_kernel_release (fx->w.kernel, owned, &other_owner);
}

/* [KT-4] a resync that finds a matching device while IDLE adopts it at once */
static void
test_resync_adopts (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, TRUE);
  StasController *c = STAS_CONTROLLER (ctl);
  g_autoptr (StasTid) tid = stas_test_tid (STAS_DAEMON_STAFD, "192.168.1.10", "8009", NULL);

  stas_controller_set_time_scale (1.0); /* the retry timer must not fire during the test */
  stas_fake_fabrics_fail_connect (fx->w.fake, fx->dc_target, ECONNREFUSED, 1);
  stas_controller_start (c);
  while (fx->n_failed < 1)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (stas_controller_get_retry_timer (c, NULL, NULL));
  stas_fake_fabrics_set_drop_uevents (fx->w.fake, TRUE); /* the table misses the device */
  g_assert_nonnull (stas_fake_fabrics_connect_external (fx->w.fake, tid, TRUE, NULL));
  stas_fake_fabrics_set_drop_uevents (fx->w.fake, FALSE);
  stas_kernel_resync (fx->w.kernel, FALSE);
  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_ADOPT, NULL), ==, 1);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 1);
  dispose_and_wait (c, FALSE);
}

static void
on_resynced_count (StasKernel *kernel, gboolean after_overflow, guint *n)
{
  (*n)++;
}

/* [KT-4] [CONN-3] connected while the table did not know the device yet (its "add" not read,
 * as when sysfs is not initialised at "add"): the claim's identity is unknown, not another
 * controller's, so a later resync keeps the connection (found on the real kernel with 200
 * IOCs: the 60 s resync synthesised "remove" for live connections) */
static void
test_resync_keeps_unread_claim (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  g_autofree char *device = NULL;
  guint resyncs = 0;
  gulong id = g_signal_connect (fx->w.kernel, "resynced", G_CALLBACK (on_resynced_count), &resyncs);

  stas_fake_fabrics_set_drop_uevents (fx->w.fake, TRUE); /* the table misses the device */
  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  stas_test_flush ();
  stas_fake_fabrics_set_drop_uevents (fx->w.fake, FALSE);
  device = g_strdup (stas_controller_get_device (c));
  g_assert_null (stas_kernel_lookup (fx->w.kernel, device));

  for (guint i = 1; i <= 2; i++)
    {
      stas_kernel_resync (fx->w.kernel, FALSE);
      while (resyncs < i)
        g_main_context_iteration (NULL, TRUE);
      stas_test_flush ();
      g_assert_nonnull (stas_kernel_lookup (fx->w.kernel, device));
      g_assert_cmpint (stas_controller_get_state (c), ==, STAS_CONTROLLER_CONNECTED);
      g_assert_cmpstr (stas_controller_get_device (c), ==, device);
      g_assert_cmpuint (ctl->n_lost, ==, 0);
      g_assert_cmpuint (
          stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, "Received \"remove\" event"), ==, 0);
    }
  g_signal_handler_disconnect (fx->w.kernel, id);
  dispose_and_wait (c, FALSE);
}

/* [KT-4] a resync that reads the claimed device while its attributes are not all set (a field
 * empty) does not take it for another controller */
static void
test_resync_keeps_half_read_device (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  g_autoptr (StasKernelCtrl) fields = NULL;
  g_autofree char *device = NULL;
  guint resyncs = 0;
  gulong id = g_signal_connect (fx->w.kernel, "resynced", G_CALLBACK (on_resynced_count), &resyncs);

  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  stas_test_flush ();
  device = g_strdup (stas_controller_get_device (c));
  fields = stas_fake_fabrics_get_device (fx->w.fake, device);
  g_free (fields->subsysnqn);
  fields->subsysnqn = g_strdup ("");
  stas_fake_fabrics_set_drop_uevents (fx->w.fake, TRUE); /* sysfs changes behind the table */
  g_assert_true (stas_fake_fabrics_remove_device (fx->w.fake, device));
  g_assert_cmpstr (stas_fake_fabrics_add_device (fx->w.fake, fields), ==, device);
  stas_fake_fabrics_set_drop_uevents (fx->w.fake, FALSE);

  stas_kernel_resync (fx->w.kernel, FALSE);
  while (resyncs < 1)
    g_main_context_iteration (NULL, TRUE);
  stas_test_flush ();
  g_assert_cmpint (stas_controller_get_state (c), ==, STAS_CONTROLLER_CONNECTED);
  g_assert_cmpstr (stas_controller_get_device (c), ==, device);
  g_assert_cmpuint (ctl->n_lost, ==, 0);
  g_signal_handler_disconnect (fx->w.kernel, id);
  dispose_and_wait (c, FALSE);
}

/* ---- [CONN-6] loss of the device ------------------------------------------------------------- */

/* [CONN-6] [D-40] remove → INFO, IDLE, attempts 0, retry after 3 s, reconnect */
static void
test_remove_reconnects (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  g_autofree char *expected = NULL;
  double interval;

  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  stas_test_flush ();
  stas_controller_set_time_scale (1.0); /* observe the timer before it fires */
  stas_fake_fabrics_remove_device (fx->w.fake, "nvme0");
  while (stas_controller_get_state (c) == STAS_CONTROLLER_CONNECTED)
    g_main_context_iteration (NULL, TRUE);

  expected = g_strdup_printf ("%s | nvme0 - Received \"remove\" event",
                              stas_controller_get_tid_string (c));
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, expected), ==, 1);
  g_assert_cmpint (stas_controller_get_state (c), ==, STAS_CONTROLLER_IDLE);
  g_assert_null (stas_controller_get_device (c));
  g_assert_cmpuint (stas_controller_get_connect_attempts (c), ==, 0);
  g_assert_true (stas_controller_get_retry_timer (c, &interval, NULL));
  g_assert_cmpfloat (interval, ==, 3.0);
  g_assert_cmpuint (ctl->n_lost, ==, 1);

  stas_controller_connect_now (c, FALSE); /* instead of waiting 3 real seconds */
  stas_controller_set_time_scale (TIME_SCALE);
  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_cmpuint (ctl->n_connected, ==, 2);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 2);
  dispose_and_wait (c, FALSE);
}

/* [D-40] the 3 s retry after a remove fires by itself */
static void
test_remove_retry_fires (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);

  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  stas_test_flush ();
  stas_fake_fabrics_remove_device (fx->w.fake, "nvme0");
  while (ctl->n_lost == 0)
    g_main_context_iteration (NULL, TRUE);
  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_cmpuint (ctl->n_connected, ==, 2);
  dispose_and_wait (c, FALSE);
}

/* change uevents of the owned device reach the subclass; other devices' do not */
static void
test_change_routed (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, TRUE);
  StasController *c = STAS_CONTROLLER (ctl);
  g_autoptr (StasTid) tid = stas_test_tid (STAS_DAEMON_STAFD, "192.168.1.10", "8009", NULL);
  g_autofree char *other = NULL;
  guint before;

  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  stas_test_flush ();
  other = g_strdup (stas_fake_fabrics_connect_external (fx->w.fake, tid, TRUE, NULL));
  stas_test_flush ();
  before = ctl->n_changed;
  stas_fake_fabrics_emit_aen (fx->w.fake, other, STAS_DLP_CHANGED_AEN);
  stas_test_flush ();
  g_assert_cmpuint (ctl->n_changed, ==, before);
  stas_fake_fabrics_emit_aen (fx->w.fake, stas_controller_get_device (c), STAS_DLP_CHANGED_AEN);
  stas_test_flush ();
  g_assert_cmpuint (ctl->n_changed, ==, before + 1);
  dispose_and_wait (c, FALSE);
}

/* ---- [ARCH-3] [ARCH-8] the operation slot ----------------------------------------------- */

typedef struct
{
  gboolean done;
  gboolean current;
  guint token;
} SubOp;

static void
on_sub_op_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SubOp *op = user_data;
  g_autoptr (StasDlpRaw) raw =
      stas_fabrics_get_discovery_log_finish (STAS_FABRICS (source), result, NULL);
  op->done = TRUE;
}

/* [ARCH-8] a subclass result overtaken by a remove is stale; [ARCH-3] the reconnect waits
 * for it (one operation at a time) */
static void
test_stale_result_discarded (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, TRUE);
  StasController *c = STAS_CONTROLLER (ctl);
  GCancellable *cancellable = NULL;
  SubOp op = { 0 };

  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  stas_test_flush ();
  stas_fake_fabrics_set_delay (fx->w.fake, fx->dc_target, STAS_FAKE_OP_GET_DISCOVERY_LOG,
                               STAS_FAKE_HOLD);
  op.token = stas_controller_begin_op (c, &cancellable);
  g_assert_cmpuint (op.token, >, 0);
  g_assert_nonnull (cancellable);
  g_assert_cmpuint (stas_controller_begin_op (c, NULL), ==, 0); /* one at a time */
  stas_fabrics_get_discovery_log_async (fx->w.fabrics, stas_controller_get_fabrics_ctrl (c), 0,
                                        cancellable, on_sub_op_done, &op);
  stas_test_run_for (5);
  stas_fake_fabrics_remove_device (fx->w.fake, "nvme0");
  while (ctl->n_lost == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_cancellable_is_cancelled (cancellable));

  /* the 3 ms retry expires, but no connect starts while the stale operation runs */
  stas_test_run_for (30);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 1);
  g_assert_cmpint (stas_controller_get_state (c), ==, STAS_CONTROLLER_IDLE);

  stas_fake_fabrics_release (fx->w.fake, fx->dc_target, STAS_FAKE_OP_GET_DISCOVERY_LOG);
  while (!op.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (stas_controller_end_op (c, op.token)); /* stale: discard */
  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 2);
  dispose_and_wait (c, FALSE);
}

/* [ARCH-4] dropping the last reference while an operation is in flight: the handle is
 * freed only after the worker returned (the fake g_critical()s otherwise) */
static void
test_handle_outlives_worker (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  GWeakRef weak;

  stas_fake_fabrics_set_delay (fx->w.fake, fx->io_target, STAS_FAKE_OP_CONNECT, STAS_FAKE_HOLD);
  stas_controller_start (c);
  stas_test_wait_until (is_connecting, c);
  g_weak_ref_init (&weak, c);
  g_object_unref (c);
  g_assert_cmpuint (stas_fake_fabrics_count_ctrls (fx->w.fake), ==, 1);
  stas_fake_fabrics_release (fx->w.fake, fx->io_target, STAS_FAKE_OP_CONNECT);
  while (stas_fake_fabrics_count_pending (fx->w.fake) > 0)
    g_main_context_iteration (NULL, TRUE);
  stas_test_flush ();
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
  g_assert_cmpuint (stas_fake_fabrics_count_ctrls (fx->w.fake), ==, 0);
  /* the connection it made is left to the kernel (stacd keeps IOCs at exit) */
  g_assert_true (stas_fake_fabrics_has_device (fx->w.fake, "nvme0"));
  g_assert_null (stas_kernel_get_owner (fx->w.kernel, "nvme0"));
}

/* ---- [CONN-5] disposal ------------------------------------------------------------------ */

/* [CONN-5] keep_connection FALSE: "Disconnect initiated", device gone, claim released */
static void
test_dispose_disconnects (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  g_autofree char *expected = NULL;

  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  stas_test_flush ();
  expected =
      g_strdup_printf ("%s | nvme0 - Disconnect initiated", stas_controller_get_tid_string (c));
  dispose_wait (c, FALSE);
  g_assert_cmpuint (ctl->n_disposing, ==, 1);
  g_assert_cmpint (stas_controller_get_state (c), ==, STAS_CONTROLLER_DISPOSING);
  g_assert_finalize_object (c);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, expected), ==, 1);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_DISCONNECT, NULL), ==,
                    1);
  g_assert_false (stas_fake_fabrics_has_device (fx->w.fake, "nvme0"));
  g_assert_null (stas_kernel_get_owner (fx->w.kernel, "nvme0"));
}

/* [CONN-5] keep_connection TRUE: no disconnect, device released */
static void
test_dispose_keeps_connection (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);

  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  stas_test_flush ();
  dispose_and_wait (c, TRUE);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_DISCONNECT, NULL), ==,
                    0);
  g_assert_true (stas_fake_fabrics_has_device (fx->w.fake, "nvme0"));
  g_assert_null (stas_kernel_get_owner (fx->w.kernel, "nvme0"));
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, "Disconnect initiated"), ==,
                    0);
}

/* [CONN-5] step 2: a disconnect never overtakes a pending connect */
static void
test_dispose_waits_for_connect (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  DisposeResult r = { 0 };

  stas_fake_fabrics_set_delay (fx->w.fake, fx->io_target, STAS_FAKE_OP_CONNECT, STAS_FAKE_HOLD);
  stas_controller_start (c);
  stas_test_wait_until (is_connecting, c);
  stas_controller_dispose_async (c, FALSE, on_disposed, &r);
  g_assert_true (stas_controller_is_disposing (c));
  stas_test_run_for (20);
  g_assert_false (r.done);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_DISCONNECT, NULL), ==,
                    0);
  stas_fake_fabrics_release (fx->w.fake, fx->io_target, STAS_FAKE_OP_CONNECT);
  stas_test_wait_until (dispose_done, &r);
  g_assert_true (r.ok);
  /* the connection that completed meanwhile was disconnected, never reported connected */
  g_assert_cmpuint (ctl->n_connected, ==, 0);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_DISCONNECT, NULL), ==,
                    1);
  g_assert_false (stas_fake_fabrics_has_device (fx->w.fake, "nvme0"));
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, "Connection established!"),
                    ==, 0);
  g_assert_finalize_object (c);
}

/* [CONN-5] a failed disconnect: WARNING with the reason, disposal completes */
static void
test_dispose_disconnect_fails (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  g_autofree char *expected = NULL;

  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  expected =
      g_strdup_printf ("%s | nvme0 - Disconnect failed: ", stas_controller_get_tid_string (c));
  stas_fake_fabrics_fail_errno (fx->w.fake, fx->io_target, STAS_FAKE_OP_DISCONNECT, EIO, 1);
  dispose_and_wait (c, FALSE);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_WARNING, expected), ==, 1);
}

/* [D-57] re-wanted before the disconnect started: disposal cancelled, object resumes */
static void
test_dispose_cancelled (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  DisposeResult r = { 0 };

  stas_fake_fabrics_set_delay (fx->w.fake, fx->io_target, STAS_FAKE_OP_CONNECT, STAS_FAKE_HOLD);
  stas_controller_start (c);
  stas_test_wait_until (is_connecting, c);
  stas_controller_dispose_async (c, FALSE, on_disposed, &r);
  g_assert_true (stas_controller_cancel_dispose (c));
  g_assert_false (r.done); /* never re-entrant */
  stas_test_wait_until (dispose_done, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
  g_assert_false (stas_controller_is_disposing (c));
  stas_fake_fabrics_release (fx->w.fake, fx->io_target, STAS_FAKE_OP_CONNECT);
  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_DISCONNECT, NULL), ==,
                    0);
  g_assert_cmpuint (ctl->n_connected, ==, 1);

  /* connected: cancelled again → the subclass is told it is connected again */
  memset (&r, 0, sizeof r);
  stas_controller_dispose_async (c, FALSE, on_disposed, &r);
  g_assert_true (stas_controller_cancel_dispose (c));
  stas_test_wait_until (dispose_done, &r);
  g_clear_error (&r.error);
  while (ctl->n_connected < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (stas_controller_get_state (c), ==, STAS_CONTROLLER_CONNECTED);
  g_assert_true (stas_fake_fabrics_has_device (fx->w.fake, "nvme0"));
  dispose_and_wait (c, FALSE);
}

/* [D-57] once the disconnect started the disposal cannot be cancelled */
static void
test_dispose_too_late_to_cancel (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  DisposeResult r = { 0 };

  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  stas_fake_fabrics_set_delay (fx->w.fake, fx->io_target, STAS_FAKE_OP_DISCONNECT, STAS_FAKE_HOLD);
  stas_controller_dispose_async (c, FALSE, on_disposed, &r);
  while (!stas_controller_is_disconnect_started (c))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (stas_controller_cancel_dispose (c));
  stas_fake_fabrics_release (fx->w.fake, fx->io_target, STAS_FAKE_OP_DISCONNECT);
  stas_test_wait_until (dispose_done, &r);
  g_assert_true (r.ok);
  g_assert_finalize_object (c);
}

/* [CONN-1] an IDLE object waiting for its retry, cancelled disposal: retries again */
static void
test_dispose_cancelled_idle (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, FALSE);
  StasController *c = STAS_CONTROLLER (ctl);
  DisposeResult r = { 0 };

  stas_fake_fabrics_fail_connect (fx->w.fake, fx->io_target, ECONNREFUSED, 1);
  stas_controller_start (c);
  while (fx->n_failed < 1)
    g_main_context_iteration (NULL, TRUE);
  stas_controller_dispose_async (c, FALSE, on_disposed, &r);
  g_assert_false (stas_controller_get_retry_timer (c, NULL, NULL)); /* step 1 */
  g_assert_true (stas_controller_cancel_dispose (c));
  stas_test_wait_until (dispose_done, &r);
  g_clear_error (&r.error);
  stas_test_wait_until (stas_test_is_connected, c);
  dispose_and_wait (c, FALSE);
}

/* ---- [D-53] restored objects ------------------------------------------------------------------
 */

/* [D-53] restored: no device → wait for confirmation, no connect; confirm → connect */
static void
test_restored_waits_for_confirm (Fixture *fx, gconstpointer data)
{
  TestCtrl *ctl = new_ctrl (fx, TRUE);
  StasController *c = STAS_CONTROLLER (ctl);

  stas_controller_start_restored (c);
  stas_test_run_for (20);
  g_assert_cmpint (stas_controller_get_state (c), ==, STAS_CONTROLLER_IDLE);
  g_assert_false (stas_controller_is_confirmed (c));
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 0);
  stas_controller_confirm (c);
  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 1);
  dispose_and_wait (c, FALSE);
}

/* [D-53] restored: a matching device is adopted at once, before any confirmation */
static void
test_restored_adopts (Fixture *fx, gconstpointer data)
{
  g_autoptr (StasTid) tid = stas_test_tid (STAS_DAEMON_STAFD, "192.168.1.10", "8009", NULL);
  TestCtrl *ctl;
  StasController *c;

  g_assert_nonnull (stas_fake_fabrics_connect_external (fx->w.fake, tid, TRUE, NULL));
  stas_test_flush ();
  ctl = new_ctrl (fx, TRUE);
  c = STAS_CONTROLLER (ctl);
  stas_controller_start_restored (c);
  g_assert_cmpint (stas_controller_get_state (c), ==, STAS_CONTROLLER_CONNECTING);
  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_ADOPT, NULL), ==, 1);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 0);

  /* not yet confirmed: after a loss only a device to adopt would be used */
  stas_fake_fabrics_remove_device (fx->w.fake, stas_controller_get_device (c));
  stas_test_run_for (30);
  stas_test_wait_until (is_idle_no_op, c);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 0);
  stas_controller_confirm (c);
  stas_test_wait_until (stas_test_is_connected, c);
  dispose_and_wait (c, FALSE);
}

/* ---- [D-19] parameters, formats
 * ------------------------------------------------------------------ */

/* [D-19] SIGHUP parameter change: applies to the next connect */
static void
test_update_request (Fixture *fx, gconstpointer data)
{
  StasConnParams params = { .kato = { .set = TRUE, .value = 30 } };
  TestCtrl *ctl = new_ctrl_full (fx, FALSE, &params);
  StasController *c = STAS_CONTROLLER (ctl);
  StasConnectRequest request = *stas_controller_get_request (c);

  stas_controller_start (c);
  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_cmpint (
      stas_fake_fabrics_get_last_call (fx->w.fake, STAS_FAKE_OP_CONNECT)->params.kato.value, ==,
      30);
  request.params.kato.value = 60;
  request.params.dhchap_secret = "DHHC-1:00:secret:";
  stas_controller_update_request (c, &request);
  g_assert_cmpint (stas_controller_get_request (c)->params.kato.value, ==, 60);
  stas_test_flush ();
  stas_fake_fabrics_remove_device (fx->w.fake, "nvme0");
  while (ctl->n_lost == 0)
    g_main_context_iteration (NULL, TRUE);
  stas_test_wait_until (stas_test_is_connected, c);
  g_assert_cmpint (
      stas_fake_fabrics_get_last_call (fx->w.fake, STAS_FAKE_OP_CONNECT)->params.kato.value, ==,
      60);
  g_assert_cmpstr (
      stas_fake_fabrics_get_last_call (fx->w.fake, STAS_FAKE_OP_CONNECT)->params.dhchap_secret, ==,
      "DHHC-1:00:secret:");
  /* [SEC-1] never logged */
  for (guint i = 0; i < fx->w.logs->len; i++)
    g_assert_null (strstr (g_ptr_array_index (fx->w.logs, i), "secret"));
  dispose_and_wait (c, FALSE);
}

/* spec/dbus.md §5.5 timer and operation strings */
static void
test_formats (void)
{
  StasOpStatus op;
  struct
  {
    double interval;
    gboolean running;
    double remaining;
    const char *text;
  } timers[] = {
    { 60, FALSE, 0, "60.0s [off]" },   { 1.5, TRUE, 0.998271, "1.5s [0.998271s]" },
    { 3, TRUE, 2.5, "3.0s [2.5s]" },   { 259200, TRUE, 259197.43, "259200.0s [259197.43s]" },
    { 20, TRUE, 0, "20.0s [0s]" },     { 0.5, FALSE, 0, "0.5s [off]" },
    { 0.1, TRUE, 0.1, "0.1s [0.1s]" },
  };
  g_autofree char *fresh = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *ok = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (timers); i++)
    {
      g_autofree char *text =
          stas_timer_string (timers[i].interval, timers[i].running, timers[i].remaining);
      g_assert_cmpstr (text, ==, timers[i].text);
    }

  stas_op_status_init (&op);
  fresh = stas_op_status_to_string (&op);
  g_assert_cmpstr (fresh, ==, "{'fail count': 0, 'completed': None, 'alive': True}");
  stas_op_status_started (&op);
  stas_op_status_failed (&op, "it's \\ broken");
  stas_op_status_retry (&op, 20.0, 1000.0);
  failed = stas_op_status_to_string (&op);
  g_assert_true (g_str_has_prefix (
      failed, "{'fail count': 1, 'completed': True, 'alive': True, 'retry timer': '20.0s ["));
  g_assert_true (g_str_has_suffix (failed, "s]', 'error': 'it\\'s \\\\ broken'}"));
  op.retry_deadline_us = 0;
  stas_op_status_started (&op);
  stas_op_status_succeeded (&op);
  ok = stas_op_status_to_string (&op);
  g_assert_cmpstr (
      ok, ==, "{'fail count': 0, 'completed': True, 'alive': True, 'retry timer': '20.0s [off]'}");
  stas_op_status_clear (&op);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add ("/controller/" path, Fixture, NULL, setup, fn, teardown)
  ADD ("connect/success", test_connect_success);
  ADD ("connect/retry-periods", test_connect_retry_periods);
  ADD ("connect/no-retry", test_connect_no_retry);
  ADD ("connect/operation-string", test_connect_operation_string);
  ADD ("reuse/adopt-existing", test_adopt_existing);
  ADD ("reuse/not-deleting-or-owned", test_no_adopt_deleting_or_owned);
  ADD ("reuse/resync-adopts", test_resync_adopts);
  ADD ("reuse/resync-keeps-unread-claim", test_resync_keeps_unread_claim);
  ADD ("reuse/resync-keeps-half-read-device", test_resync_keeps_half_read_device);
  ADD ("loss/remove-reconnects", test_remove_reconnects);
  ADD ("loss/remove-retry-fires", test_remove_retry_fires);
  ADD ("loss/change-routed", test_change_routed);
  ADD ("slot/stale-result-discarded", test_stale_result_discarded);
  ADD ("slot/handle-outlives-worker", test_handle_outlives_worker);
  ADD ("dispose/disconnects", test_dispose_disconnects);
  ADD ("dispose/keeps-connection", test_dispose_keeps_connection);
  ADD ("dispose/waits-for-connect", test_dispose_waits_for_connect);
  ADD ("dispose/disconnect-fails", test_dispose_disconnect_fails);
  ADD ("dispose/cancelled", test_dispose_cancelled);
  ADD ("dispose/too-late-to-cancel", test_dispose_too_late_to_cancel);
  ADD ("dispose/cancelled-idle", test_dispose_cancelled_idle);
  ADD ("restored/waits-for-confirm", test_restored_waits_for_confirm);
  ADD ("restored/adopts", test_restored_adopts);
  ADD ("params/update-request", test_update_request);
#undef ADD
  g_test_add_func ("/controller/formats", test_formats);
  return g_test_run ();
}
