/* test-ioc.c — StasIoc (behaviour §3 for I/O controllers, §9 [NCC-1]) on the fake fabrics,
 * and the parser of stafd's get_all_log_pages reply that stacd's reconciliation works on
 * (behaviour §7.3 [STAC-3], spec/dbus.md §8 [DBUS-40], bad-input.md §4). */
#include "config.h"

#include <errno.h>

#include "fake-fabrics.h"
#include "stas-ioc.h"
#include "stas-json.h"
#include "stas-log.h"
#include "stas-stac-private.h"
#include "test-util.h"

#define HOSTNQN STAS_TEST_HOST_NQN
#define HOSTID STAS_TEST_HOST_ID
#define IO_NQN "nqn.2023-01.com.example:array1"
#define DISC "nqn.2014-08.org.nvmexpress.discovery"
#define TIME_SCALE 0.001 /* 3 s → 3 ms, 60 s → 60 ms */

typedef struct
{
  StasTestWorld w;
  StasFakeTarget *io_target; /* tcp 192.168.1.20 4420: IO_NQN */
} Fixture;

static void
setup (Fixture *fx, gconstpointer data)
{
  stas_test_world_init (&fx->w, TIME_SCALE, TRUE);
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
has_given_up (gpointer ioc)
{
  return stas_ioc_has_given_up (ioc) && !stas_controller_is_op_in_flight (ioc);
}

static gboolean
attempts_reach_4 (gpointer ctl)
{
  return stas_controller_get_connect_attempts (ctl) >= 4;
}

static StasIoc *
new_ioc (Fixture *fx, guint attempts_on_ncc)
{
  g_autoptr (StasTid) tid = stas_test_tid (STAS_DAEMON_STACD, "192.168.1.20", "4420", IO_NQN);
  StasConnectRequest request = { .tid = tid, .discovery = FALSE };

  return stas_ioc_new (fx->w.fabrics, fx->w.kernel, &request, attempts_on_ncc);
}

static StasDlpe
dlpe_with_eflags (guint16 eflags)
{
  StasDlpe dlpe = { .trtype = STAS_DLP_TRTYPE_TCP,
                    .adrfam = STAS_DLP_ADRFAM_IPV4,
                    .subtype = STAS_DLP_SUBTYPE_NVME,
                    .portid = 1,
                    .cntlid = 0xffff,
                    .asqsz = 32,
                    .eflags = eflags };

  g_strlcpy (dlpe.traddr, "192.168.1.20", sizeof dlpe.traddr);
  g_strlcpy (dlpe.trsvcid, "4420", sizeof dlpe.trsvcid);
  g_strlcpy (dlpe.subnqn, IO_NQN, sizeof dlpe.subnqn);
  return dlpe;
}

static void
on_disposed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(gboolean *) user_data = stas_controller_dispose_finish (STAS_CONTROLLER (source), result, NULL);
}

/* Disposes (keeping the connection) and drops @ioc. */
static void
drop_ioc (StasIoc *ioc)
{
  gboolean done = FALSE;

  stas_controller_dispose_async (STAS_CONTROLLER (ioc), TRUE, on_disposed, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (ioc);
}

/* ---- StasIoc ------------------------------------------------------------------------------ */

/* [CONN-2] an I/O controller connect (no discovery flag); owner fields */
static void
test_connects (Fixture *fx, gconstpointer data)
{
  StasIoc *ioc = new_ioc (fx, 0);
  const StasFakeCall *call;
  StasDlpe dlpe = dlpe_with_eflags (0);
  g_autoptr (GPtrArray) sources = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_tid_unref);

  g_assert_cmpint (stas_ioc_get_origin (ioc), ==, STAS_IOC_ORIGIN_CONFIGURED);
  g_assert_null (stas_ioc_get_dlpe (ioc));
  g_assert_false (stas_ioc_get_ncc (ioc));
  g_assert_cmpuint (stas_ioc_get_sources (ioc)->len, ==, 0);

  stas_ioc_set_origin (ioc, STAS_IOC_ORIGIN_DISCOVERED);
  stas_ioc_set_dlpe (ioc, &dlpe);
  g_ptr_array_add (sources, stas_test_tid (STAS_DAEMON_STACD, "192.168.1.10", "8009", DISC));
  stas_ioc_set_sources (ioc, sources);
  g_assert_cmpstr (stas_ioc_origin_to_string (stas_ioc_get_origin (ioc)), ==, "discovered");
  g_assert_cmpstr (stas_ioc_origin_to_string (STAS_IOC_ORIGIN_EXTERNAL), ==, "external");
  g_assert_nonnull (stas_ioc_get_dlpe (ioc));
  g_assert_cmpuint (stas_ioc_get_sources (ioc)->len, ==, 1);
  g_assert_cmpuint (stas_ioc_get_connect_attempts_on_ncc (ioc), ==, 0);

  stas_controller_start (STAS_CONTROLLER (ioc));
  stas_test_wait_until (stas_test_is_connected, ioc);
  call = stas_fake_fabrics_get_last_call (fx->w.fake, STAS_FAKE_OP_CONNECT);
  g_assert_nonnull (call);
  g_assert_false (call->discovery);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, "Connection established!"),
                    ==, 1);

  stas_ioc_set_dlpe (ioc, NULL);
  g_assert_null (stas_ioc_get_dlpe (ioc));
  drop_ioc (ioc);
}

/* [NCC-1] NCC set, connect-attempts-on-ncc=2: two attempts, then it gives up */
static void
test_ncc_gives_up (Fixture *fx, gconstpointer data)
{
  StasIoc *ioc = new_ioc (fx, 2);
  StasDlpe dlpe = dlpe_with_eflags (STAS_DLP_EFLAGS_NCC);
  g_autofree char *timer = NULL;

  stas_fake_fabrics_fail_connect (fx->w.fake, fx->io_target, ECONNREFUSED, STAS_FAKE_FOREVER);
  stas_ioc_set_dlpe (ioc, &dlpe);
  g_assert_true (stas_ioc_get_ncc (ioc));
  stas_controller_start (STAS_CONTROLLER (ioc));
  stas_test_wait_until (has_given_up, ioc);
  stas_test_run_for (200); /* 60 s retries would be 60 ms: none comes */
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 2);
  g_assert_cmpuint (stas_controller_get_connect_attempts (STAS_CONTROLLER (ioc)), ==, 2);
  g_assert_cmpuint (
      stas_test_world_count_logs (&fx->w, STAS_LOG_INFO,
                                  "Giving up after 2 connect attempts while the NCC bit is set"),
      ==, 1);
  timer = stas_controller_dup_retry_timer_string (STAS_CONTROLLER (ioc));
  g_assert_true (g_str_has_suffix (timer, "[off]"));

  /* [SIG-2] a kick (SIGHUP) tries once more, and gives up again */
  stas_ioc_kick (ioc);
  g_assert_false (stas_ioc_has_given_up (ioc));
  stas_test_wait_until (has_given_up, ioc);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_CONNECT, NULL), ==, 3);

  /* [NCC-1] the NCC bit cleared: attempts reset, connect now */
  stas_fake_fabrics_fail_connect (fx->w.fake, fx->io_target, 0, 0);
  dlpe = dlpe_with_eflags (0);
  stas_ioc_set_dlpe (ioc, &dlpe);
  g_assert_cmpuint (stas_controller_get_connect_attempts (STAS_CONTROLLER (ioc)), ==, 0);
  stas_test_wait_until (stas_test_is_connected, ioc);
  g_assert_false (stas_ioc_has_given_up (ioc));
  drop_ioc (ioc);
}

/* [NCC-1] connect-attempts-on-ncc=0 ignores NCC; without NCC the limit does not apply */
static void
test_ncc_limit_applies_only_with_ncc (Fixture *fx, gconstpointer data)
{
  StasIoc *ignore = new_ioc (fx, 0);
  StasDlpe ncc = dlpe_with_eflags (STAS_DLP_EFLAGS_NCC);

  stas_fake_fabrics_fail_connect (fx->w.fake, fx->io_target, ECONNREFUSED, STAS_FAKE_FOREVER);
  stas_ioc_set_dlpe (ignore, &ncc);
  stas_controller_start (STAS_CONTROLLER (ignore));
  stas_test_wait_until (attempts_reach_4, ignore);
  g_assert_false (stas_ioc_has_given_up (ignore));
  drop_ioc (ignore);

  {
    StasIoc *plain = new_ioc (fx, 2); /* no DLPE: never NCC */
    stas_controller_start (STAS_CONTROLLER (plain));
    stas_test_wait_until (attempts_reach_4, plain);
    g_assert_false (stas_ioc_has_given_up (plain));
    /* a kick while a retry is pending does nothing */
    stas_ioc_kick (plain);
    g_assert_true (stas_controller_get_retry_timer (STAS_CONTROLLER (plain), NULL, NULL) ||
                   stas_controller_is_op_in_flight (STAS_CONTROLLER (plain)));
    drop_ioc (plain);
  }
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, "Giving up"), ==, 0);
}

/* [NCC-1] SIGHUP lowers connect-attempts-on-ncc: the next failure gives up */
static void
test_ncc_limit_changed (Fixture *fx, gconstpointer data)
{
  StasIoc *ioc = new_ioc (fx, 0);
  StasDlpe ncc = dlpe_with_eflags (STAS_DLP_EFLAGS_NCC);

  stas_fake_fabrics_fail_connect (fx->w.fake, fx->io_target, ECONNREFUSED, STAS_FAKE_FOREVER);
  stas_ioc_set_dlpe (ioc, &ncc);
  stas_controller_start (STAS_CONTROLLER (ioc));
  stas_test_wait_until (attempts_reach_4, ioc);
  stas_ioc_set_connect_attempts_on_ncc (ioc, 2);
  g_assert_cmpuint (stas_ioc_get_connect_attempts_on_ncc (ioc), ==, 2);
  stas_test_wait_until (has_given_up, ioc);
  drop_ioc (ioc);
}

/* [CONN-1] an AEN on an I/O controller is logged and otherwise ignored */
static void
test_aen_logged (Fixture *fx, gconstpointer data)
{
  StasIoc *ioc = new_ioc (fx, 0);
  const char *device;
  StasUevent bad = { .action = STAS_UEVENT_CHANGE, .nvme_aen = (char *) "zz" };

  stas_controller_start (STAS_CONTROLLER (ioc));
  stas_test_wait_until (stas_test_is_connected, ioc);
  device = stas_controller_get_device (STAS_CONTROLLER (ioc));
  stas_fake_fabrics_emit_aen (fx->w.fake, device, 0x10203);
  bad.name = (char *) device;
  stas_fake_fabrics_emit_uevent (fx->w.fake, &bad);
  stas_test_run_for (20);
  g_assert_cmpuint (stas_test_world_count_logs (&fx->w, STAS_LOG_INFO, "- Received AEN: 0x010203"),
                    ==, 1);
  g_assert_cmpuint (
      stas_test_world_count_logs (&fx->w, STAS_LOG_DEBUG, "Ignoring malformed NVME_AEN \"zz\""), ==,
      1);
  g_assert_true (stas_test_is_connected (ioc));
  drop_ioc (ioc);
}

/* spec/system.md §4.3: nvme-cli connected the same controller while our connect was in
 * flight; the kernel refuses the duplicate and the IOC adopts nvme-cli's connection */
static gboolean
has_pending_op (gpointer fake)
{
  return stas_fake_fabrics_count_pending (fake) > 0;
}

static void
test_adopts_concurrent_connection (Fixture *fx, gconstpointer data)
{
  StasIoc *ioc = new_ioc (fx, 0);
  g_autoptr (StasTid) tid = stas_test_tid (STAS_DAEMON_STACD, "192.168.1.20", "4420", IO_NQN);
  g_autoptr (GError) error = NULL;
  const char *external;

  stas_fake_fabrics_set_delay (fx->w.fake, fx->io_target, STAS_FAKE_OP_CONNECT, STAS_FAKE_HOLD);
  stas_controller_start (STAS_CONTROLLER (ioc));
  /* our connect is in flight: started, then held once the loop has nothing else to do */
  stas_test_wait_until (has_pending_op, fx->w.fake);
  stas_test_flush ();
  external = stas_fake_fabrics_connect_external (fx->w.fake, tid, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stas_fake_fabrics_release (fx->w.fake, fx->io_target, STAS_FAKE_OP_CONNECT), ==,
                    1);
  stas_test_wait_until (stas_test_is_connected, ioc);
  g_assert_cmpstr (stas_controller_get_device (STAS_CONTROLLER (ioc)), ==, external);
  g_assert_cmpuint (stas_fake_fabrics_count_calls (fx->w.fake, STAS_FAKE_OP_ADOPT, NULL), ==, 1);
  drop_ioc (ioc);
  g_assert_true (stas_fake_fabrics_has_device (fx->w.fake, external)); /* kept */
}

/* ---- the stafd snapshot [STAC-3] --------------------------------------------------------- */

#define DC_JSON(traddr, extra)                                                                     \
  "{\"traddr\": \"" traddr "\", \"trsvcid\": \"8009\", \"transport\": \"tcp\", "                   \
  "\"subsysnqn\": \"" DISC "\", \"host-iface\": \"eth1\", \"host-traddr\": \"\", "                 \
  "\"host-nqn\": \"" HOSTNQN "\"" extra "}"
#define ENTRY_JSON(trtype, traddr, trsvcid, subnqn, eflags)                                        \
  "{\"trtype\": \"" trtype "\", \"adrfam\": \"ipv4\", \"traddr\": \"" traddr                       \
  "\", \"trsvcid\": \"" trsvcid "\", \"subnqn\": \"" subnqn "\", \"subtype\": \"nvme\", "          \
  "\"treq\": \"not specified\", \"portid\": \"1\", \"cntlid\": \"65535\", \"asqsz\": \"32\", "     \
  "\"eflags\": \"" eflags "\"}"

static StasStafSnapshot *
parse (const char *json, GPtrArray *diags, gboolean ignore_iface, GError **error)
{
  StasTidDefaults ioc = {
    .kind = STAS_DAEMON_STACD, .ignore_iface = ignore_iface, .host_nqn = HOSTNQN, .host_id = HOSTID
  };
  StasTidDefaults dc = { .kind = STAS_DAEMON_STAFD, .host_nqn = HOSTNQN, .host_id = HOSTID };
  g_autoptr (GHashTable) warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return stas_staf_snapshot_parse (json, &ioc, &dc, warned, diags, error);
}

static void
test_snapshot_complete (void)
{
  const char *json = "[{\"discovery-controller\": " DC_JSON (
      "192.168.10.30",
      ", \"log pages state\": \"current\", "
      "\"log pages dropped\": \"0\"") ", "
                                      "\"log-pages\": [" ENTRY_JSON (
                                          "tcp", "192.168.10.31", "4420",
                                          "nqn.2023-01.com.example:a1",
                                          "0") ", "
                                               "{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", "
                                               "\"traddr\": \"192.168.10.30\", \"trsvcid\": "
                                               "\"8009\", \"subnqn\": \"" DISC
                                               "\", \"subtype\": \"discovery\", \"treq\": \"not "
                                               "specified\", "
                                               "\"portid\": \"1\", \"cntlid\": \"65535\", "
                                               "\"asqsz\": \"32\", \"eflags\": \"0\"}]}, "
                                               /* nvme-stas' stafd: no state keys, no host-id:
                                                  current, sys.conf host ID [DBUS-40] */
                                               "{\"discovery-controller\": " DC_JSON (
                                                   "192.168.10.20",
                                                   ", \"reachable\": \"True\"") ", "
                                                                                "\"log-pages\": "
                                                                                "[" ENTRY_JSON (
                                                                                    "tcp",
                                                                                    "192.168.10.31",
                                                                                    "4420",
                                                                                    "nqn.2023-01."
                                                                                    "com.example:"
                                                                                    "a1",
                                                                                    "0") ","
                                                                                         " " ENTRY_JSON (
                                                                                             "tcp",
                                                                                             "192."
                                                                                             "168."
                                                                                             "10."
                                                                                             "32",
                                                                                             "4420",
                                                                                             "nqn."
                                                                                             "2023-"
                                                                                             "01."
                                                                                             "com."
                                                                                             "examp"
                                                                                             "le:"
                                                                                             "a2",
                                                                                             "4") "]}]";
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StasStafSnapshot) snap = parse (json, diags, FALSE, &error);
  StasSnapIoc *a1, *a2;

  g_assert_no_error (error);
  g_assert_nonnull (snap);
  ASSERT_NO_DIAGS (diags);
  g_assert_true (snap->complete);
  g_assert_cmpuint (snap->dcs->len, ==, 2);
  g_assert_cmpuint (snap->iocs->len, ==, 2); /* the same TID from both DCs is one candidate */
  a1 = g_ptr_array_index (snap->iocs, 0);
  a2 = g_ptr_array_index (snap->iocs, 1);
  g_assert_cmpuint (a1->sources->len, ==, 2);
  g_assert_cmpstr (stas_tid_get_host_iface (a1->tid), ==, "eth1"); /* inherited [HOST-2] */
  g_assert_cmpstr (stas_tid_get_host_nqn (a1->tid), ==, HOSTNQN);
  g_assert_cmpstr (stas_tid_get_host_id (a1->tid), ==, HOSTID);
  g_assert_cmpstr (stas_tid_get_host_id (((StasSnapDc *) g_ptr_array_index (snap->dcs, 1))->tid),
                   ==, HOSTID);
  g_assert_true (stas_dlpe_has_ncc (&a2->dlpe));
  g_assert_nonnull (stas_staf_snapshot_find_dc (snap, a2->sources->pdata[0]));
}

/* a DC that is not authoritative: cached, dropped entries, a malformed entry */
static void
test_snapshot_partial (void)
{
  const char *json = "[{\"discovery-controller\": " DC_JSON (
      "192.168.10.30",
      ", \"log pages state\": \"cached\"") ", "
                                           "\"log-pages\": []}, "
                                           "{\"discovery-controller\": " DC_JSON (
                                               "192.168.10.20",
                                               ", \"log pages dropped\": "
                                               "\"2\"") ", "
                                                        "\"log-pages\": []}, "
                                                        "{\"discovery-"
                                                        "controller\":"
                                                        " " DC_JSON (
                                                            "192.168.10.21",
                                                            "") ", "
                                                                "\"log-"
                                                                "pages\": "
                                                                "[" ENTRY_JSON ("tcp", "not-an-ip", "4420", "nqn.2023-01.com.example:a1", "0") ", " ENTRY_JSON (
                                                                    "tcp",
                                                                    "192.168."
                                                                    "10.33",
                                                                    "4420",
                                                                    "nqn.2023-"
                                                                    "01.com."
                                                                    "example:"
                                                                    "a3",
                                                                    "0") "]}, "
                                                                         "{\"d"
                                                                         "isco"
                                                                         "very"
                                                                         "-con"
                                                                         "trol"
                                                                         "ler"
                                                                         "\":"
                                                                         " " DC_JSON (
                                                                             "192.168.10.22",
                                                                             ", \"log pages "
                                                                             "state\": "
                                                                             "\"current\"") ", "
                                                                                            "\""
                                                                                            "lo"
                                                                                            "g-"
                                                                                            "pa"
                                                                                            "ge"
                                                                                            "s"
                                                                                            "\""
                                                                                            ": "
                                                                                            "[" ENTRY_JSON (
                                                                                                "f"
                                                                                                "c",
                                                                                                "nn"
                                                                                                "-0"
                                                                                                "x1"
                                                                                                ":p"
                                                                                                "n-"
                                                                                                "0x"
                                                                                                "2",
                                                                                                "",
                                                                                                "nq"
                                                                                                "n."
                                                                                                "20"
                                                                                                "23"
                                                                                                "-0"
                                                                                                "1."
                                                                                                "co"
                                                                                                "m."
                                                                                                "ex"
                                                                                                "am"
                                                                                                "pl"
                                                                                                "e:"
                                                                                                "f"
                                                                                                "1",
                                                                                                "0") "]}]";
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StasStafSnapshot) snap = parse (json, diags, TRUE, &error);

  g_assert_no_error (error);
  g_assert_false (snap->complete);
  g_assert_cmpuint (snap->dcs->len, ==, 4);
  g_assert_false (((StasSnapDc *) g_ptr_array_index (snap->dcs, 0))->authoritative);
  g_assert_false (((StasSnapDc *) g_ptr_array_index (snap->dcs, 1))->authoritative);
  g_assert_false (((StasSnapDc *) g_ptr_array_index (snap->dcs, 2))->authoritative);
  /* cross-transport does not affect authority [D-41] */
  g_assert_true (((StasSnapDc *) g_ptr_array_index (snap->dcs, 3))->authoritative);
  g_assert_cmpuint (snap->iocs->len, ==, 1);
  /* ignore-iface applies to the derived TIDs */
  g_assert_cmpstr (stas_tid_get_host_iface (((StasSnapIoc *) snap->iocs->pdata[0])->tid), ==, "");
  g_assert_cmpuint (diags->len, ==, 2);
  g_assert_true (strstr (((StasDiag *) diags->pdata[0])->text,
                         "Ignoring malformed discovery log page entry from (tcp, 192.168.10.21") !=
                 NULL);
  g_assert_cmpint (((StasDiag *) diags->pdata[0])->level, ==, STAS_LOG_WARNING);
  g_assert_cmpstr (((StasDiag *) diags->pdata[1])->text, ==,
                   "Ignoring nqn.2023-01.com.example:f1 at nn-0x1:pn-0x2:: transport fc differs "
                   "from the DC's transport tcp");
  g_assert_cmpint (((StasDiag *) diags->pdata[1])->level, ==, STAS_LOG_INFO);
}

/* spec/dbus.md §8: malformed elements are skipped (partial); not an array: unavailable */
static void
test_snapshot_malformed (void)
{
  const char *json =
      "[1, {\"discovery-controller\": {\"traddr\": 5}, \"log-pages\": []}, "
      "{\"discovery-controller\": " DC_JSON (
          "192.168.10.30", "") ", "
                               "\"log-pages\": [{\"trtype\": 3}]}, "
                               "{\"discovery-controller\": " DC_JSON (
                                   "192.168.10.31", "") "}, "
                                                        "{\"discovery-controller\": " DC_JSON (
                                                            "192.168.10.32",
                                                            "") ", "
                                                                "\"log-pages\": []}]";
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StasStafSnapshot) snap = parse (json, diags, FALSE, &error);
  StasStafSnapshot *none;

  g_assert_no_error (error);
  ASSERT_DIAGS (
      diags, "W Ignoring malformed entry 0 from stafd", "W Ignoring malformed entry 1 from stafd",
      "W Ignoring malformed entry 2 from stafd", "W Ignoring malformed entry 3 from stafd");
  g_assert_cmpuint (snap->malformed, ==, 4);
  g_assert_cmpuint (snap->dcs->len, ==, 1);
  g_assert_false (snap->complete);

  none = parse ("{\"not\": \"an array\"}", diags, FALSE, &error);
  g_assert_null (none);
  g_assert_error (error, STAS_JSON_ERROR, STAS_JSON_ERROR_INVALID);
  g_clear_error (&error);
  none = parse ("[{", diags, FALSE, &error);
  g_assert_null (none);
  g_assert_error (error, STAS_JSON_ERROR, STAS_JSON_ERROR_INVALID);
}

/* an empty array is available and complete: stafd with no DC at all */
static void
test_snapshot_empty (void)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasStafSnapshot) snap = parse ("[]", diags, FALSE, NULL);

  g_assert_nonnull (snap);
  g_assert_true (snap->complete);
  g_assert_cmpuint (snap->iocs->len, ==, 0);
}

/* The fast JSON path gives what stas_dlpe_from_variant() gives, for good and bad entries */
static void
test_snapshot_entry_conversion (void)
{
  static const char *const cases[] = {
    /* published form */
    "{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": \"192.168.1.2\", \"trsvcid\": "
    "\"4420\", \"subnqn\": \"nqn.x:y\", \"subtype\": \"nvme\", \"treq\": \"not specified\", "
    "\"portid\": \"1\", \"cntlid\": \"65535\", \"asqsz\": \"32\", \"eflags\": \"4\"}",
    /* codes in decimal, whitespace around text, extra keys */
    "{\"trtype\": \"3\", \"adrfam\": \"254\", \"traddr\": \"  10.0.0.1 \", \"trsvcid\": "
    "\"4420\", \"subnqn\": \"nqn.x:y\", \"subtype\": \"2\", \"treq\": \"5\", \"portid\": "
    "\"0\", \"cntlid\": \"1\", \"asqsz\": \"0\", \"eflags\": \"0\", \"tsas\": \"x\"}",
    /* bad number, too large number, missing key, non-printable text, unknown code name */
    "{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": \"a\", \"trsvcid\": \"1\", "
    "\"subnqn\": \"n\", \"subtype\": \"nvme\", \"treq\": \"0\", \"portid\": \"-1\", "
    "\"cntlid\": \"1\", \"asqsz\": \"1\", \"eflags\": \"0\"}",
    "{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": \"a\", \"trsvcid\": \"1\", "
    "\"subnqn\": \"n\", \"subtype\": \"nvme\", \"treq\": \"0\", \"portid\": \"1\", "
    "\"cntlid\": \"65536\", \"asqsz\": \"1\", \"eflags\": \"0\"}",
    "{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": \"a\", \"trsvcid\": \"1\", "
    "\"subnqn\": \"n\", \"subtype\": \"nvme\", \"treq\": \"0\", \"portid\": \"1\", "
    "\"cntlid\": \"1\", \"asqsz\": \"1\"}",
    "{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": \"a\\u0007\", \"trsvcid\": \"1\", "
    "\"subnqn\": \"n\", \"subtype\": \"nvme\", \"treq\": \"0\", \"portid\": \"1\", "
    "\"cntlid\": \"1\", \"asqsz\": \"1\", \"eflags\": \"0\"}",
    "{\"trtype\": \"tcp\", \"adrfam\": \"ipv9\", \"traddr\": \"a\", \"trsvcid\": \"1\", "
    "\"subnqn\": \"n\", \"subtype\": \"nvme\", \"treq\": \"0\", \"portid\": \"1\", "
    "\"cntlid\": \"1\", \"asqsz\": \"1\", \"eflags\": \"0\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (StasJson) json = stas_json_parse (cases[i], strlen (cases[i]), 0, NULL);
      g_autoptr (GError) e1 = NULL;
      g_autoptr (GError) e2 = NULL;
      g_autoptr (GVariant) dict = NULL;
      GVariantBuilder b;
      StasDlpe fast, canonical;
      gboolean ok1, ok2;

      g_assert_nonnull (json);
      g_variant_builder_init (&b, G_VARIANT_TYPE ("a{ss}"));
      for (guint k = 0; k < json->keys->len; k++)
        g_variant_builder_add (&b, "{ss}", (const char *) g_ptr_array_index (json->keys, k),
                               ((StasJson *) g_ptr_array_index (json->items, k))->string);
      dict = g_variant_ref_sink (g_variant_builder_end (&b));
      ok1 = stas_staf_snapshot_entry_to_dlpe (json, &fast, &e1);
      ok2 = stas_dlpe_from_variant (dict, &canonical, &e2);
      g_assert_cmpint (ok1, ==, ok2);
      if (ok1)
        g_assert_cmpmem (&fast, sizeof fast, &canonical, sizeof canonical);
      else
        g_assert_cmpstr (e1->message, ==, e2->message);
      g_assert_cmpint (ok1, ==, i < 2);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/ioc/connects", Fixture, NULL, setup, test_connects, teardown);
  g_test_add ("/ioc/ncc-gives-up", Fixture, NULL, setup, test_ncc_gives_up, teardown);
  g_test_add ("/ioc/ncc-limit-only-with-ncc", Fixture, NULL, setup,
              test_ncc_limit_applies_only_with_ncc, teardown);
  g_test_add ("/ioc/ncc-limit-changed", Fixture, NULL, setup, test_ncc_limit_changed, teardown);
  g_test_add ("/ioc/aen-logged", Fixture, NULL, setup, test_aen_logged, teardown);
  g_test_add ("/ioc/adopts-concurrent-connection", Fixture, NULL, setup,
              test_adopts_concurrent_connection, teardown);
  g_test_add_func ("/stac-snapshot/complete", test_snapshot_complete);
  g_test_add_func ("/stac-snapshot/partial", test_snapshot_partial);
  g_test_add_func ("/stac-snapshot/malformed", test_snapshot_malformed);
  g_test_add_func ("/stac-snapshot/empty", test_snapshot_empty);
  g_test_add_func ("/stac-snapshot/entry-conversion", test_snapshot_entry_conversion);
  return g_test_run ();
}
