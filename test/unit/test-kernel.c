/* test-kernel.c — [KT-3] classification and [CONN-4] reuse matching of kernel devices. */
#include "config.h"

#include "stas-kernel.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOSTID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define DISC STAS_WELL_KNOWN_DISC_NQN

static StasKernelCtrl
dc_device (void)
{
  return (StasKernelCtrl){
    .name = "nvme0",
    .instance = 0,
    .transport = "tcp",
    .traddr = "192.168.1.10",
    .trsvcid = "8009",
    .host_traddr = "",
    .host_iface = "",
    .src_addr = "192.168.1.5",
    .subsysnqn = DISC,
    .hostnqn = HOSTNQN,
    .hostid = HOSTID,
    .cntrltype = "discovery",
    .dctype = "ddc",
    .state = "live",
    .model = "",
    .serial = "",
  };
}

static StasTid *
tid (StasDaemonKind kind, const StasTidFields *fields)
{
  StasTidDefaults defaults = { .kind = kind, .host_nqn = HOSTNQN, .host_id = HOSTID };
  g_autoptr (GError) error = NULL;
  StasTid *t = stas_tid_new (&defaults, fields, &error);

  g_assert_no_error (error);
  return t;
}

/* [KT-3] every row of the classification table, D-23 */
static void
test_classify (void)
{
  StasKernelCtrl c = dc_device ();

  c.cntrltype = "discovery";
  g_assert_cmpint (stas_kernel_ctrl_classify (&c), ==, STAS_CTRL_CLASS_DC);
  c.cntrltype = "io";
  c.has_namespaces = FALSE; /* cntrltype is authoritative, namespaces or not */
  g_assert_cmpint (stas_kernel_ctrl_classify (&c), ==, STAS_CTRL_CLASS_IOC);
  c.cntrltype = "admin";
  g_assert_cmpint (stas_kernel_ctrl_classify (&c), ==, STAS_CTRL_CLASS_NONE);
  c.cntrltype = "";
  c.subsysnqn = DISC;
  c.has_namespaces = TRUE;
  g_assert_cmpint (stas_kernel_ctrl_classify (&c), ==, STAS_CTRL_CLASS_DC);
  c.subsysnqn = "nqn.2023-01.com.example:array1";
  g_assert_cmpint (stas_kernel_ctrl_classify (&c), ==, STAS_CTRL_CLASS_IOC);
  c.has_namespaces = FALSE;
  g_assert_cmpint (stas_kernel_ctrl_classify (&c), ==, STAS_CTRL_CLASS_DC);
  c.cntrltype = NULL;
  g_assert_cmpint (stas_kernel_ctrl_classify (&c), ==, STAS_CTRL_CLASS_DC);
}

/* [CONN-4] rows 1–9 */
static void
test_match_basic (void)
{
  StasKernelCtrl c = dc_device ();
  g_autoptr (StasTid) t =
      tid (STAS_DAEMON_STAFD, &(StasTidFields){ .transport = "tcp", .traddr = "192.168.1.10" });
  g_autoptr (StasTid) other_port =
      tid (STAS_DAEMON_STAFD,
           &(StasTidFields){ .transport = "tcp", .traddr = "192.168.1.10", .trsvcid = "8010" });
  g_autoptr (StasTid) other_host =
      tid (STAS_DAEMON_STAFD, &(StasTidFields){ .transport = "tcp",
                                                .traddr = "192.168.1.10",
                                                .host_nqn = "nqn.2014-08.org.other:host" });
  g_autoptr (StasTid) other_id = tid (
      STAS_DAEMON_STAFD, &(StasTidFields){ .transport = "tcp",
                                           .traddr = "192.168.1.10",
                                           .host_id = "11111111-2222-3333-4444-555555555555" });
  g_autoptr (StasTid) unique_nqn =
      tid (STAS_DAEMON_STAFD, &(StasTidFields){ .transport = "tcp",
                                                .traddr = "192.168.1.10",
                                                .subsysnqn = "nqn.1988-11.com.dell:SFSS:1" });

  g_assert_true (stas_kernel_ctrl_matches (&c, t, STAS_CTRL_CLASS_DC, NULL));
  /* 1: class */
  g_assert_false (stas_kernel_ctrl_matches (&c, t, STAS_CTRL_CLASS_IOC, NULL));
  /* 2: dying devices are never adopted (stas) */
  c.state = "deleting";
  g_assert_false (stas_kernel_ctrl_matches (&c, t, STAS_CTRL_CLASS_DC, NULL));
  c.state = "deleting (noio)";
  g_assert_false (stas_kernel_ctrl_matches (&c, t, STAS_CTRL_CLASS_DC, NULL));
  c.state = "dead";
  g_assert_false (stas_kernel_ctrl_matches (&c, t, STAS_CTRL_CLASS_DC, NULL));
  c.state = "connecting"; /* the kernel is reconnecting: still ours to adopt */
  g_assert_true (stas_kernel_ctrl_matches (&c, t, STAS_CTRL_CLASS_DC, NULL));
  /* 5: port, numerically */
  g_assert_false (stas_kernel_ctrl_matches (&c, other_port, STAS_CTRL_CLASS_DC, NULL));
  c.trsvcid = "08009";
  g_assert_true (stas_kernel_ctrl_matches (&c, t, STAS_CTRL_CLASS_DC, NULL));
  /* 6, 7: host identity (D-20) */
  g_assert_false (stas_kernel_ctrl_matches (&c, other_host, STAS_CTRL_CLASS_DC, NULL));
  g_assert_false (stas_kernel_ctrl_matches (&c, other_id, STAS_CTRL_CLASS_DC, NULL));
  c.hostid = "9D1A8B3E-2C4F-4E6A-9B7D-1F2E3D4C5B6A";
  g_assert_true (stas_kernel_ctrl_matches (&c, t, STAS_CTRL_CLASS_DC, NULL));
  c.hostid = ""; /* not reported by the kernel: not compared */
  g_assert_true (stas_kernel_ctrl_matches (&c, other_id, STAS_CTRL_CLASS_DC, NULL));
  /* 8: a TP8013 DC reports its unique NQN although connected with the well-known one */
  c.subsysnqn = "nqn.1988-11.com.dell:SFSS:1";
  g_assert_true (stas_kernel_ctrl_matches (&c, t, STAS_CTRL_CLASS_DC, NULL));
  g_assert_true (stas_kernel_ctrl_matches (&c, unique_nqn, STAS_CTRL_CLASS_DC, NULL));
  c.subsysnqn = DISC;
  g_assert_false (stas_kernel_ctrl_matches (&c, unique_nqn, STAS_CTRL_CLASS_DC, NULL));
  /* 9: traddr compared as IP (IPv4-mapped = IPv4) */
  c.traddr = "::ffff:192.168.1.10";
  g_assert_true (stas_kernel_ctrl_matches (&c, t, STAS_CTRL_CLASS_DC, NULL));
  c.traddr = "192.168.1.11";
  g_assert_false (stas_kernel_ctrl_matches (&c, t, STAS_CTRL_CLASS_DC, NULL));
}

/* [CONN-4] row 10 with src_addr (kernel ≥ 6.1) and the legacy rules */
static void
test_match_host_iface (void)
{
  StasKernelCtrl c = dc_device ();
  g_autoptr (StasIfAddrs) addrs = stas_if_addrs_new ();
  g_autoptr (StasTid) by_iface =
      tid (STAS_DAEMON_STAFD,
           &(StasTidFields){ .transport = "tcp", .traddr = "192.168.1.10", .host_iface = "eth1" });
  g_autoptr (StasTid) by_traddr =
      tid (STAS_DAEMON_STAFD, &(StasTidFields){ .transport = "tcp",
                                                .traddr = "192.168.1.10",
                                                .host_traddr = "192.168.1.5" });

  stas_if_addrs_add (addrs, "eth0", "10.0.0.1");
  stas_if_addrs_add (addrs, "eth1", "192.168.1.5");
  stas_if_addrs_add (addrs, "eth1", "fe80::1");
  g_assert_cmpstr (stas_if_addrs_owner (addrs, "192.168.1.5"), ==, "eth1");
  g_assert_null (stas_if_addrs_owner (addrs, "192.168.9.9"));

  /* src_addr decides */
  g_assert_true (stas_kernel_ctrl_matches (&c, by_iface, STAS_CTRL_CLASS_DC, addrs));
  g_assert_true (stas_kernel_ctrl_matches (&c, by_traddr, STAS_CTRL_CLASS_DC, addrs));
  c.src_addr = "10.0.0.1";
  g_assert_false (stas_kernel_ctrl_matches (&c, by_iface, STAS_CTRL_CLASS_DC, addrs));
  g_assert_false (stas_kernel_ctrl_matches (&c, by_traddr, STAS_CTRL_CLASS_DC, addrs));

  /* legacy: no src_addr */
  c.src_addr = "";
  c.host_iface = "eth1";
  g_assert_true (stas_kernel_ctrl_matches (&c, by_iface, STAS_CTRL_CLASS_DC, addrs));
  g_assert_true (stas_kernel_ctrl_matches (&c, by_traddr, STAS_CTRL_CLASS_DC, addrs));
  c.host_iface = "eth0";
  g_assert_false (stas_kernel_ctrl_matches (&c, by_iface, STAS_CTRL_CLASS_DC, addrs));
  g_assert_false (stas_kernel_ctrl_matches (&c, by_traddr, STAS_CTRL_CLASS_DC, addrs));
  c.host_iface = "";
  c.host_traddr = "192.168.1.5";
  g_assert_true (stas_kernel_ctrl_matches (&c, by_iface, STAS_CTRL_CLASS_DC, addrs));
  c.host_traddr = "10.0.0.1";
  g_assert_false (stas_kernel_ctrl_matches (&c, by_iface, STAS_CTRL_CLASS_DC, addrs));
  /* nothing recorded at all: assume a match */
  c.host_traddr = "";
  g_assert_true (stas_kernel_ctrl_matches (&c, by_iface, STAS_CTRL_CLASS_DC, addrs));
  g_assert_true (stas_kernel_ctrl_matches (&c, by_traddr, STAS_CTRL_CLASS_DC, addrs));
}

/* [CONN-4] rows 9, 11 (fc) and 12 (rdma) */
static void
test_match_fc_rdma (void)
{
  StasKernelCtrl c = dc_device ();
  g_autoptr (StasTid) fc =
      tid (STAS_DAEMON_STACD,
           &(StasTidFields){ .transport = "fc",
                             .traddr = "nn-0x204600a098cbcac6:pn-0x204700a098cbcac6",
                             .host_traddr = "nn-0x20000090fa8d1234:pn-0x10000090fa8d1234",
                             .subsysnqn = "nqn.2023-01.com.example:a" });
  g_autoptr (StasTid) rdma =
      tid (STAS_DAEMON_STACD, &(StasTidFields){ .transport = "rdma",
                                                .traddr = "10.1.1.5",
                                                .host_traddr = "10.1.1.1",
                                                .subsysnqn = "nqn.2023-01.com.example:a" });

  c.cntrltype = "io";
  c.transport = "fc";
  c.subsysnqn = "nqn.2023-01.com.example:a";
  c.traddr = "NN-0x204600A098CBCAC6:PN-0x204700A098CBCAC6";
  c.trsvcid = "";
  c.host_traddr = "nn-0x20000090FA8D1234:pn-0x10000090FA8D1234";
  g_assert_true (stas_kernel_ctrl_matches (&c, fc, STAS_CTRL_CLASS_IOC, NULL));
  c.host_traddr = "nn-0x20000090fa8d9999:pn-0x10000090fa8d1234";
  g_assert_false (stas_kernel_ctrl_matches (&c, fc, STAS_CTRL_CLASS_IOC, NULL));

  c.transport = "rdma";
  c.traddr = "10.1.1.5";
  c.trsvcid = "4420";
  c.host_traddr = "10.1.1.1";
  g_assert_true (stas_kernel_ctrl_matches (&c, rdma, STAS_CTRL_CLASS_IOC, NULL));
  c.host_traddr = "10.1.1.2";
  g_assert_false (stas_kernel_ctrl_matches (&c, rdma, STAS_CTRL_CLASS_IOC, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kernel/classify", test_classify);
  g_test_add_func ("/kernel/match/basic", test_match_basic);
  g_test_add_func ("/kernel/match/host-iface", test_match_host_iface);
  g_test_add_func ("/kernel/match/fc-rdma", test_match_fc_rdma);
  return g_test_run ();
}
