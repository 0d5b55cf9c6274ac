/* test-tid.c — the Transport Identifier: SPEC §4.1 [TID-1], §4.2 [TID-2], the D-Bus
 * 7-string look-up spec/dbus.md §3.4 [DBUS-13], and the state-file form spec/system.md §3.3. */
#include "config.h"

#include <glib-object.h>
#include <stdarg.h>

#include "stas-tid.h"

#define HOST_NQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOST_ID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define DELL_NQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"
#define IOC_NQN "nqn.2023-01.com.example:array1"
#define FC_ADDR "nn-0x20000090fae0b5f5:pn-0x10000090fae0b5f5"
#define FC_HOST "nn-0x20000090fae0b5f6:pn-0x10000090fae0b5f6"

static const StasTidDefaults stafd_defaults = {
  .kind = STAS_DAEMON_STAFD,
  .ignore_iface = FALSE,
  .host_nqn = HOST_NQN,
  .host_id = HOST_ID,
};

static const StasTidDefaults stacd_defaults = {
  .kind = STAS_DAEMON_STACD,
  .ignore_iface = FALSE,
  .host_nqn = HOST_NQN,
  .host_id = HOST_ID,
};

static StasTid *
new_ok (const StasTidDefaults *defaults, const StasTidFields *fields)
{
  g_autoptr (GError) error = NULL;
  StasTid *tid = stas_tid_new (defaults, fields, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tid);
  return tid;
}

static void
assert_fails (const StasTidDefaults *defaults, const StasTidFields *fields, StasTidError code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StasTid) tid = stas_tid_new (defaults, fields, &error);

  g_assert_null (tid);
  g_assert_error (error, STAS_TID_ERROR, (gint) code);
  g_assert_nonnull (error->message);
}

/* [TID-1] transport is lower-cased; anything but tcp/rdma/fc/loop is rejected */
static void
test_transport (void)
{
  StasTidFields f = { .transport = "TCP", .traddr = "10.0.0.1" };
  g_autoptr (StasTid) tid = new_ok (&stacd_defaults, &f);
  g_autoptr (StasTid) rdma = NULL;

  g_assert_cmpstr (stas_tid_get_transport (tid), ==, "tcp");

  f.transport = " RdMa ";
  rdma = new_ok (&stacd_defaults, &f);
  g_assert_cmpstr (stas_tid_get_transport (rdma), ==, "rdma");

  f.transport = "pcie";
  assert_fails (&stacd_defaults, &f, STAS_TID_ERROR_TRANSPORT);
  f.transport = "";
  assert_fails (&stacd_defaults, &f, STAS_TID_ERROR_TRANSPORT);
  f.transport = NULL;
  assert_fails (&stacd_defaults, &f, STAS_TID_ERROR_TRANSPORT);
  f.transport = "tcpx";
  assert_fails (&stacd_defaults, &f, STAS_TID_ERROR_TRANSPORT);
}

/* [TID-1] [D-22] tcp/rdma traddr: canonical IP text (IPv6 lower-case compressed,
 * IPv4-mapped → IPv4) */
static void
test_traddr_canonical (void)
{
  static const struct
  {
    const char *transport, *in, *out;
  } cases[] = {
    { "tcp", "192.168.10.20", "192.168.10.20" },
    { "tcp", "2001:0DB8:0000::0001", "2001:db8::1" },
    { "tcp", "FE80::1", "fe80::1" },
    { "tcp", "::ffff:192.168.10.20", "192.168.10.20" },
    { "rdma", "2001:db8:0:0:0:0:0:2", "2001:db8::2" },
    { "rdma", "::FFFF:10.0.0.7", "10.0.0.7" },
    { "tcp", "  10.0.0.1  ", "10.0.0.1" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      StasTidFields f = { .transport = cases[i].transport, .traddr = cases[i].in };
      g_autoptr (StasTid) tid = new_ok (&stafd_defaults, &f);

      g_assert_cmpstr (stas_tid_get_traddr (tid), ==, cases[i].out);
    }
}

/* [TID-1] a TID holds addresses, never host names: tcp/rdma traddr must be an IP literal */
static void
test_traddr_invalid (void)
{
  static const char *const bad[] = { "cdc.example.com", "", "10.0.0.256", "fe80::1%eth0",
                                     "[2001:db8::1]" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      StasTidFields f = { .transport = "tcp", .traddr = bad[i] };

      assert_fails (&stafd_defaults, &f, STAS_TID_ERROR_TRADDR);
      f.transport = "rdma";
      assert_fails (&stacd_defaults, &f, STAS_TID_ERROR_TRADDR);
    }
}

/* [TID-1] [D-07] trsvcid defaults: stafd tcp 8009, stacd tcp 4420, rdma 4420 for both */
static void
test_trsvcid_defaults (void)
{
  StasTidFields f = { .transport = "tcp", .traddr = "10.0.0.1" };
  g_autoptr (StasTid) staf_tcp = new_ok (&stafd_defaults, &f);
  g_autoptr (StasTid) stac_tcp = new_ok (&stacd_defaults, &f);
  g_autoptr (StasTid) staf_rdma = NULL;
  g_autoptr (StasTid) stac_rdma = NULL;
  g_autoptr (StasTid) given = NULL;

  g_assert_cmpstr (stas_tid_get_trsvcid (staf_tcp), ==, "8009");
  g_assert_cmpstr (stas_tid_get_trsvcid (stac_tcp), ==, "4420");

  f.transport = "rdma";
  staf_rdma = new_ok (&stafd_defaults, &f);
  stac_rdma = new_ok (&stacd_defaults, &f);
  g_assert_cmpstr (stas_tid_get_trsvcid (staf_rdma), ==, "4420");
  g_assert_cmpstr (stas_tid_get_trsvcid (stac_rdma), ==, "4420");

  f.transport = "tcp";
  f.trsvcid = "4421";
  given = new_ok (&stafd_defaults, &f);
  g_assert_cmpstr (stas_tid_get_trsvcid (given), ==, "4421");

  /* without daemon defaults an empty tcp/rdma port is an error */
  f.trsvcid = "";
  assert_fails (NULL, &f, STAS_TID_ERROR_TRSVCID);
}

/* [TID-1] trsvcid: decimal without leading zeros; a port 1..65535 */
static void
test_trsvcid_canonical (void)
{
  static const struct
  {
    const char *in, *out;
  } good[] = {
    { "08009", "8009" },  { "0004420", "4420" }, { "1", "1" },
    { "65535", "65535" }, { " 4420 ", "4420" },  { "000000000000000000008009", "8009" },
  };
  static const char *const bad[] = { "0",   "00000", "65536", "99999999999999999999",
                                     "-1",  "+8009", "80 09", "0x10",
                                     "abc", "8009a" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      StasTidFields f = { .transport = "tcp", .traddr = "10.0.0.1", .trsvcid = good[i].in };
      g_autoptr (StasTid) tid = new_ok (&stacd_defaults, &f);

      g_assert_cmpstr (stas_tid_get_trsvcid (tid), ==, good[i].out);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      StasTidFields f = { .transport = "rdma", .traddr = "10.0.0.1", .trsvcid = bad[i] };

      assert_fails (&stacd_defaults, &f, STAS_TID_ERROR_TRSVCID);
    }
}

/* [TID-1] [D-05] fc: addresses lower-case, trsvcid always '' */
static void
test_fc (void)
{
  StasTidFields f = {
    .transport = "FC",
    .traddr = "NN-0x20000090FAE0B5F5:PN-0x10000090FAE0B5F5",
    .trsvcid = "4420",
    .subsysnqn = IOC_NQN,
    .host_traddr = "nn-0x20000090FAE0B5F6:pn-0x10000090FAE0B5F6",
    .host_iface = "eth1",
  };
  g_autoptr (StasTid) tid = new_ok (&stacd_defaults, &f);

  g_assert_cmpstr (stas_tid_get_transport (tid), ==, "fc");
  g_assert_cmpstr (stas_tid_get_traddr (tid), ==, FC_ADDR);
  g_assert_cmpstr (stas_tid_get_host_traddr (tid), ==, FC_HOST);
  g_assert_cmpstr (stas_tid_get_trsvcid (tid), ==, "");
  g_assert_cmpstr (stas_tid_get_host_iface (tid), ==, "");
}

/* [TID-1] [D-05] loop: traddr as given (may be empty), trsvcid '' */
static void
test_loop (void)
{
  StasTidFields f = { .transport = "loop", .trsvcid = "8009", .subsysnqn = IOC_NQN };
  g_autoptr (StasTid) empty = new_ok (&stacd_defaults, &f);
  g_autoptr (StasTid) given = NULL;

  g_assert_cmpstr (stas_tid_get_traddr (empty), ==, "");
  g_assert_cmpstr (stas_tid_get_trsvcid (empty), ==, "");

  f.traddr = "SomeAddr";
  f.host_traddr = "Host-Addr";
  f.host_iface = "lo";
  given = new_ok (&stacd_defaults, &f);
  g_assert_cmpstr (stas_tid_get_traddr (given), ==, "SomeAddr");
  g_assert_cmpstr (stas_tid_get_host_traddr (given), ==, "Host-Addr");
  g_assert_cmpstr (stas_tid_get_host_iface (given), ==, "");
}

/* [TID-1] subsysnqn trimmed; stafd fills an empty one with the well-known discovery NQN,
 * stacd does not */
static void
test_subsysnqn (void)
{
  StasTidFields f = { .transport = "tcp", .traddr = "10.0.0.1" };
  g_autoptr (StasTid) staf = new_ok (&stafd_defaults, &f);
  g_autoptr (StasTid) stac = new_ok (&stacd_defaults, &f);
  g_autoptr (StasTid) trimmed = NULL;
  g_autoptr (StasTid) fc = NULL;

  g_assert_cmpstr (stas_tid_get_subsysnqn (staf), ==, "nqn.2014-08.org.nvmexpress.discovery");
  g_assert_cmpstr (stas_tid_get_subsysnqn (stac), ==, "");

  f.subsysnqn = "  " DELL_NQN "\t";
  trimmed = new_ok (&stafd_defaults, &f);
  g_assert_cmpstr (stas_tid_get_subsysnqn (trimmed), ==, DELL_NQN);

  f = (StasTidFields){ .transport = "fc", .traddr = FC_ADDR, .host_traddr = FC_HOST };
  fc = new_ok (&stafd_defaults, &f);
  g_assert_cmpstr (stas_tid_get_subsysnqn (fc), ==, "nqn.2014-08.org.nvmexpress.discovery");
}

/* [TID-1] host-traddr: tcp/rdma canonical IP text, must be an IP literal when given */
static void
test_host_traddr (void)
{
  StasTidFields f = { .transport = "tcp", .traddr = "2001:db8::1", .host_traddr = "2001:DB8::05" };
  g_autoptr (StasTid) v6 = new_ok (&stacd_defaults, &f);
  g_autoptr (StasTid) mapped = NULL;
  g_autoptr (StasTid) none = NULL;

  g_assert_cmpstr (stas_tid_get_host_traddr (v6), ==, "2001:db8::5");

  f.transport = "rdma";
  f.host_traddr = "::ffff:192.168.10.5";
  mapped = new_ok (&stacd_defaults, &f);
  g_assert_cmpstr (stas_tid_get_host_traddr (mapped), ==, "192.168.10.5");

  f.host_traddr = NULL;
  none = new_ok (&stacd_defaults, &f);
  g_assert_cmpstr (stas_tid_get_host_traddr (none), ==, "");

  f.host_traddr = "myhost";
  assert_fails (&stacd_defaults, &f, STAS_TID_ERROR_HOST_TRADDR);
  f.transport = "tcp";
  f.host_traddr = "192.168.10.300";
  assert_fails (&stacd_defaults, &f, STAS_TID_ERROR_HOST_TRADDR);
}

/* [TID-1] [D-21] host-iface: kept for tcp only; '' when ignore-iface=true */
static void
test_host_iface (void)
{
  StasTidDefaults ignore = stafd_defaults;
  StasTidFields f = { .transport = "tcp", .traddr = "10.0.0.1", .host_iface = " eth1 " };
  g_autoptr (StasTid) tcp = new_ok (&stafd_defaults, &f);
  g_autoptr (StasTid) tcp_ignored = NULL;
  g_autoptr (StasTid) rdma = NULL;
  g_autoptr (StasTid) no_defaults = NULL;

  g_assert_cmpstr (stas_tid_get_host_iface (tcp), ==, "eth1");

  ignore.ignore_iface = TRUE;
  tcp_ignored = new_ok (&ignore, &f);
  g_assert_cmpstr (stas_tid_get_host_iface (tcp_ignored), ==, "");

  f.transport = "rdma";
  rdma = new_ok (&stafd_defaults, &f);
  g_assert_cmpstr (stas_tid_get_host_iface (rdma), ==, "");

  f.transport = "tcp";
  f.trsvcid = "4420";
  no_defaults = new_ok (NULL, &f);
  g_assert_cmpstr (stas_tid_get_host_iface (no_defaults), ==, "eth1");
}

/* [TID-1] [HOST-1] host NQN / host ID default to sys.conf; host ID lower-case */
static void
test_host_identity (void)
{
  StasTidDefaults upper = stacd_defaults;
  StasTidFields f = { .transport = "tcp", .traddr = "10.0.0.1", .subsysnqn = IOC_NQN };
  g_autoptr (StasTid) dflt = new_ok (&stacd_defaults, &f);
  g_autoptr (StasTid) own = NULL;
  g_autoptr (StasTid) upper_default = NULL;
  g_autoptr (StasTid) no_defaults = NULL;

  g_assert_cmpstr (stas_tid_get_host_nqn (dflt), ==, HOST_NQN);
  g_assert_cmpstr (stas_tid_get_host_id (dflt), ==, HOST_ID);

  f.host_nqn = "nqn.2014-08.org.nvmexpress:uuid:other";
  f.host_id = "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0";
  own = new_ok (&stacd_defaults, &f);
  g_assert_cmpstr (stas_tid_get_host_nqn (own), ==, "nqn.2014-08.org.nvmexpress:uuid:other");
  g_assert_cmpstr (stas_tid_get_host_id (own), ==, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

  upper.host_id = "9D1A8B3E-2C4F-4E6A-9B7D-1F2E3D4C5B6A";
  f.host_nqn = NULL;
  f.host_id = "";
  upper_default = new_ok (&upper, &f);
  g_assert_cmpstr (stas_tid_get_host_id (upper_default), ==, HOST_ID);

  f.trsvcid = "4420";
  no_defaults = new_ok (NULL, &f);
  g_assert_cmpstr (stas_tid_get_host_nqn (no_defaults), ==, "");
  g_assert_cmpstr (stas_tid_get_host_id (no_defaults), ==, "");
}

/* [TID-2] string form: (<transport>, <traddr>, <trsvcid>[, <subsysnqn>][, <host-iface>]
 * [, <host-traddr>]); host NQN and host ID never printed */
static void
test_to_string (void)
{
  static const struct
  {
    const StasTidDefaults *defaults;
    StasTidFields fields;
    const char *text;
  } cases[] = {
    { &stafd_defaults,
      { .transport = "tcp",
        .traddr = "192.168.10.20",
        .subsysnqn = DELL_NQN,
        .host_iface = "eth1" },
      "(tcp, 192.168.10.20, 8009, " DELL_NQN ", eth1)" },
    { &stafd_defaults,
      { .transport = "tcp", .traddr = "192.168.10.20" },
      "(tcp, 192.168.10.20, 8009, nqn.2014-08.org.nvmexpress.discovery)" },
    { &stacd_defaults, { .transport = "tcp", .traddr = "10.0.0.1" }, "(tcp, 10.0.0.1, 4420)" },
    { &stacd_defaults,
      { .transport = "tcp",
        .traddr = "2001:DB8::1",
        .trsvcid = "04421",
        .subsysnqn = IOC_NQN,
        .host_iface = "eth1",
        .host_traddr = "2001:db8::0005" },
      "(tcp, 2001:db8::1, 4421, " IOC_NQN ", eth1, 2001:db8::5)" },
    { &stacd_defaults,
      { .transport = "rdma", .traddr = "10.0.0.1", .host_traddr = "10.0.0.2", .host_iface = "ib0" },
      "(rdma, 10.0.0.1, 4420, 10.0.0.2)" },
    { &stacd_defaults,
      { .transport = "fc", .traddr = FC_ADDR, .subsysnqn = IOC_NQN, .host_traddr = FC_HOST },
      "(fc, " FC_ADDR ", , " IOC_NQN ", " FC_HOST ")" },
    { &stacd_defaults, { .transport = "loop" }, "(loop, , )" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (StasTid) tid = new_ok (cases[i].defaults, &cases[i].fields);
      g_autofree char *fields_text =
          stas_tid_fields_to_string (cases[i].defaults, &cases[i].fields);

      g_assert_cmpstr (stas_tid_to_string (tid), ==, cases[i].text);
      /* the best-effort form agrees with the TID for valid fields */
      g_assert_cmpstr (fields_text, ==, cases[i].text);
    }
}

/* [TID-2] best-effort string form for fields that are no valid TID (log texts such as
 * "<tid> IP address is not valid", behaviour §6.1) */
static void
test_fields_to_string_invalid (void)
{
  StasTidFields host = { .transport = "TCP", .traddr = "cdc.example.com", .host_iface = "eth1" };
  StasTidFields port = { .transport = "tcp", .traddr = "::FFFF:10.0.0.1", .trsvcid = "99999" };
  StasTidFields xprt = { .transport = "Pcie", .traddr = "0000:00:1f.0", .trsvcid = "1" };
  g_autofree char *a = stas_tid_fields_to_string (&stafd_defaults, &host);
  g_autofree char *b = stas_tid_fields_to_string (&stacd_defaults, &port);
  g_autofree char *c = stas_tid_fields_to_string (&stacd_defaults, &xprt);

  g_assert_cmpstr (a, ==,
                   "(tcp, cdc.example.com, 8009, nqn.2014-08.org.nvmexpress.discovery, eth1)");
  g_assert_cmpstr (b, ==, "(tcp, 10.0.0.1, 99999)");
  g_assert_cmpstr (c, ==, "(pcie, 0000:00:1f.0, 1)");
}

/* [TID-2] equality: all eight normalised fields byte-wise; hash consistent with it */
static void
test_equal_hash (void)
{
  StasTidFields base = {
    .transport = "tcp",
    .traddr = "2001:db8::1",
    .trsvcid = "4420",
    .subsysnqn = IOC_NQN,
    .host_traddr = "2001:db8::5",
    .host_iface = "eth1",
    .host_nqn = HOST_NQN,
    .host_id = HOST_ID,
  };
  StasTidFields spelled = {
    .transport = "TCP",
    .traddr = "2001:0DB8::0001",
    .trsvcid = "04420",
    .subsysnqn = " " IOC_NQN,
    .host_traddr = "2001:db8:0::5",
    .host_iface = "eth1",
    .host_nqn = NULL,
    .host_id = "9D1A8B3E-2C4F-4E6A-9B7D-1F2E3D4C5B6A",
  };
  g_autoptr (StasTid) a = new_ok (&stacd_defaults, &base);
  g_autoptr (StasTid) b = new_ok (&stacd_defaults, &spelled);
  g_autoptr (GHashTable) table = NULL;

  g_assert_true (a != b);
  g_assert_true (stas_tid_equal (a, b));
  g_assert_true (stas_tid_equal (a, a));
  g_assert_cmpuint (stas_tid_hash (a), ==, stas_tid_hash (b));
  g_assert_false (stas_tid_equal (a, NULL));

  /* each field on its own makes a difference */
  for (guint i = 0; i < 8; i++)
    {
      StasTidFields f = base;
      g_autoptr (StasTid) other = NULL;

      switch (i)
        {
        case 0:
          f.transport = "rdma";
          f.host_iface = NULL;
          break;
        case 1:
          f.traddr = "2001:db8::2";
          break;
        case 2:
          f.trsvcid = "4421";
          break;
        case 3:
          f.subsysnqn = "nqn.2023-01.com.example:array2";
          break;
        case 4:
          f.host_traddr = "2001:db8::6";
          break;
        case 5:
          f.host_iface = "eth2";
          break;
        case 6:
          f.host_nqn = "nqn.2014-08.org.nvmexpress:uuid:other";
          break;
        case 7:
          f.host_id = "00000000-0000-0000-0000-000000000000";
          break;
        default:
          g_assert_not_reached ();
        }
      other = new_ok (&stacd_defaults, &f);
      g_assert_false (stas_tid_equal (a, other));
      g_assert_false (stas_tid_equal (other, a));
    }

  /* rdma vs tcp differ even though host-iface is dropped for rdma */
  {
    StasTidFields f = base;
    g_autoptr (StasTid) r1 = NULL;
    g_autoptr (StasTid) r2 = NULL;

    f.transport = "rdma";
    r1 = new_ok (&stacd_defaults, &f);
    f.host_iface = "eth9";
    r2 = new_ok (&stacd_defaults, &f);
    g_assert_true (stas_tid_equal (r1, r2)); /* host-iface is not part of an rdma TID */
  }

  table =
      g_hash_table_new_full (stas_tid_hash, stas_tid_equal, (GDestroyNotify) stas_tid_unref, NULL);
  g_hash_table_add (table, stas_tid_ref (a));
  g_assert_true (g_hash_table_contains (table, b));
  g_assert_false (g_hash_table_add (table, stas_tid_ref (b))); /* de-duplicated */
  g_assert_cmpuint (g_hash_table_size (table), ==, 1);
}

/* [TID-2] a stafd and a stacd TID of the same spelling differ by their defaults [D-07] */
static void
test_daemon_defaults_differ (void)
{
  StasTidFields f = { .transport = "tcp", .traddr = "10.0.0.1", .subsysnqn = IOC_NQN };
  g_autoptr (StasTid) staf = new_ok (&stafd_defaults, &f);
  g_autoptr (StasTid) stac = new_ok (&stacd_defaults, &f);

  g_assert_false (stas_tid_equal (staf, stac));
}

/* spec/system.md §3.3: a{ss} with the state file's key names, in order; round trip */
static void
test_variant_round_trip (void)
{
  static const char *const keys[] = { "transport",   "traddr",     "trsvcid",  "subsysnqn",
                                      "host-traddr", "host-iface", "host-nqn", "host-id" };
  StasTidFields f = {
    .transport = "tcp",
    .traddr = "192.168.10.20",
    .subsysnqn = DELL_NQN,
    .host_iface = "eth1",
  };
  g_autoptr (StasTid) tid = new_ok (&stafd_defaults, &f);
  g_autoptr (GVariant) v = g_variant_ref_sink (stas_tid_to_variant (tid));
  g_autoptr (StasTid) back = NULL;
  g_autoptr (StasTid) back_no_defaults = NULL;
  g_autoptr (GError) error = NULL;
  GVariantIter iter;
  const char *key, *value;
  guint i = 0;

  g_assert_cmpstr (g_variant_get_type_string (v), ==, "a{ss}");
  g_assert_cmpuint (g_variant_n_children (v), ==, 8);
  g_variant_iter_init (&iter, v);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    g_assert_cmpstr (key, ==, keys[i++]);
  g_assert_cmpuint (i, ==, 8);
  g_assert_true (g_variant_lookup (v, "trsvcid", "&s", &value));
  g_assert_cmpstr (value, ==, "8009");
  g_assert_true (g_variant_lookup (v, "host-id", "&s", &value));
  g_assert_cmpstr (value, ==, HOST_ID);

  back = stas_tid_from_variant (v, &stafd_defaults, &error);
  g_assert_no_error (error);
  g_assert_true (stas_tid_equal (tid, back));
  g_assert_cmpstr (stas_tid_to_string (back), ==, stas_tid_to_string (tid));

  /* stored TIDs are complete: no defaults needed */
  back_no_defaults = stas_tid_from_variant (v, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (stas_tid_equal (tid, back_no_defaults));
}

/* Builds an a{ss} from key, value, ..., NULL. */
static GVariant *
make_dict (const char *first_key, ...)
{
  GVariantBuilder builder;
  va_list ap;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  va_start (ap, first_key);
  for (const char *key = first_key; key != NULL; key = va_arg (ap, const char *))
    g_variant_builder_add (&builder, "{ss}", key, va_arg (ap, const char *));
  va_end (ap);
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* spec/system.md §3.2: a stored TID is re-normalised and validated on reading */
static void
test_variant_invalid (void)
{
  StasTidDefaults ignore = stacd_defaults;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) wrong_type = g_variant_ref_sink (g_variant_new ("(ss)", "a", "b"));
  g_autoptr (GVariant) asv = NULL;
  g_autoptr (GVariant) missing = NULL;
  g_autoptr (GVariant) bad_ip = NULL;
  g_autoptr (GVariant) sloppy = NULL;
  g_autoptr (StasTid) tid = NULL;
  GVariantDict dict;

  tid = stas_tid_from_variant (wrong_type, NULL, &error);
  g_assert_null (tid);
  g_assert_error (error, STAS_TID_ERROR, STAS_TID_ERROR_VARIANT);
  g_clear_error (&error);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "transport", "s", "tcp");
  asv = g_variant_ref_sink (g_variant_dict_end (&dict));
  tid = stas_tid_from_variant (asv, NULL, &error);
  g_assert_null (tid);
  g_assert_error (error, STAS_TID_ERROR, STAS_TID_ERROR_VARIANT);
  g_clear_error (&error);

  missing =
      make_dict ("transport", "tcp", "traddr", "10.0.0.1", "trsvcid", "4420", "subsysnqn", IOC_NQN,
                 "host-traddr", "", "host-iface", "", "host-nqn", HOST_NQN, NULL); /* no host-id */
  tid = stas_tid_from_variant (missing, NULL, &error);
  g_assert_null (tid);
  g_assert_error (error, STAS_TID_ERROR, STAS_TID_ERROR_VARIANT);
  g_clear_error (&error);

  bad_ip = make_dict ("transport", "tcp", "traddr", "not-an-ip", "trsvcid", "4420", "subsysnqn",
                      IOC_NQN, "host-traddr", "", "host-iface", "", "host-nqn", HOST_NQN, "host-id",
                      HOST_ID, NULL);
  tid = stas_tid_from_variant (bad_ip, NULL, &error);
  g_assert_null (tid);
  g_assert_error (error, STAS_TID_ERROR, STAS_TID_ERROR_TRADDR);
  g_clear_error (&error);

  /* non-canonical spelling, unknown extra key, ignore-iface now on */
  sloppy =
      make_dict ("future-key", "x", "host-id", "9D1A8B3E-2C4F-4E6A-9B7D-1F2E3D4C5B6A", "transport",
                 "TCP", "traddr", "::ffff:10.0.0.1", "trsvcid", "04420", "subsysnqn", IOC_NQN,
                 "host-traddr", "", "host-iface", "eth1", "host-nqn", HOST_NQN, NULL);
  ignore.ignore_iface = TRUE;
  tid = stas_tid_from_variant (sloppy, &ignore, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tid);
  g_assert_cmpstr (stas_tid_get_transport (tid), ==, "tcp");
  g_assert_cmpstr (stas_tid_get_traddr (tid), ==, "10.0.0.1");
  g_assert_cmpstr (stas_tid_get_trsvcid (tid), ==, "4420");
  g_assert_cmpstr (stas_tid_get_host_iface (tid), ==, "");
  g_assert_cmpstr (stas_tid_get_host_id (tid), ==, HOST_ID);
}

/* [DBUS-13] [D-24] look-up: same normalisation, empty host_nqn = sys.conf host NQN,
 * every field but host-id compared */
static void
test_lookup (void)
{
  StasTidFields dc_fields = {
    .transport = "tcp",
    .traddr = "2001:db8::20",
    .subsysnqn = DELL_NQN,
    .host_iface = "eth1",
    .host_id = "11111111-2222-3333-4444-555555555555",
  };
  g_autoptr (StasTid) dc = new_ok (&stafd_defaults, &dc_fields);
  g_autoptr (StasTid) key = NULL;

  /* different spelling, defaulted port, empty host NQN, host-id not compared */
  key = stas_tid_new_lookup (&stafd_defaults, "TCP", "2001:DB8:0::0020", "", DELL_NQN, "", "eth1",
                             "");
  g_assert_nonnull (key);
  g_assert_true (stas_tid_matches_lookup (dc, key));
  g_assert_cmpstr (stas_tid_get_host_id (key), ==, HOST_ID);
  g_assert_false (stas_tid_equal (dc, key)); /* host ID differs from sys.conf's */
  g_clear_pointer (&key, stas_tid_unref);

  /* explicit host NQN equal to sys.conf's, explicit port with leading zero */
  key = stas_tid_new_lookup (&stafd_defaults, "tcp", "2001:db8::20", "08009", DELL_NQN, NULL,
                             "eth1", HOST_NQN);
  g_assert_true (stas_tid_matches_lookup (dc, key));
  g_clear_pointer (&key, stas_tid_unref);

  /* any other field differing: no match */
  key = stas_tid_new_lookup (&stafd_defaults, "tcp", "2001:db8::20", "8009", DELL_NQN, "", "eth2",
                             "");
  g_assert_false (stas_tid_matches_lookup (dc, key));
  g_clear_pointer (&key, stas_tid_unref);
  key = stas_tid_new_lookup (&stafd_defaults, "tcp", "2001:db8::20", "8009", DELL_NQN, "", "eth1",
                             "nqn.2014-08.org.nvmexpress:uuid:other");
  g_assert_false (stas_tid_matches_lookup (dc, key));
  g_clear_pointer (&key, stas_tid_unref);
  key = stas_tid_new_lookup (&stafd_defaults, "tcp", "2001:db8::20", "4420", DELL_NQN, "", "eth1",
                             "");
  g_assert_false (stas_tid_matches_lookup (dc, key));
  g_clear_pointer (&key, stas_tid_unref);
  key = stas_tid_new_lookup (&stafd_defaults, "tcp", "2001:db8::20", "", "", "", "eth1", "");
  g_assert_false (stas_tid_matches_lookup (dc, key)); /* well-known NQN ≠ DELL_NQN */
  g_clear_pointer (&key, stas_tid_unref);
  key = stas_tid_new_lookup (&stafd_defaults, "tcp", "2001:db8::20", "", DELL_NQN, "2001:db8::5",
                             "eth1", "");
  g_assert_false (stas_tid_matches_lookup (dc, key));
  g_clear_pointer (&key, stas_tid_unref);
}

/* [DBUS-13] ignore-iface and non-tcp transports: host_iface argument is ignored */
static void
test_lookup_iface (void)
{
  StasTidDefaults ignore = stafd_defaults;
  StasTidFields f = { .transport = "tcp", .traddr = "10.0.0.1" };
  g_autoptr (StasTid) dc = NULL;
  g_autoptr (StasTid) rdma = NULL;
  g_autoptr (StasTid) key = NULL;

  ignore.ignore_iface = TRUE;
  dc = new_ok (&ignore, &f);
  key = stas_tid_new_lookup (&ignore, "tcp", "10.0.0.1", "8009", "", "", "eth7", "");
  g_assert_true (stas_tid_matches_lookup (dc, key));
  g_assert_true (stas_tid_equal (dc, key)); /* same host ID too: the preferred match */
  g_clear_pointer (&key, stas_tid_unref);

  f.transport = "rdma";
  rdma = new_ok (&stacd_defaults, &f);
  key = stas_tid_new_lookup (&stacd_defaults, "rdma", "10.0.0.1", "", "", "", "ib0", "");
  g_assert_true (stas_tid_matches_lookup (rdma, key));
  g_clear_pointer (&key, stas_tid_unref);
}

/* [DBUS-13] arguments that cannot be normalised match nothing (no error) */
static void
test_lookup_invalid (void)
{
  StasTidFields f = { .transport = "tcp", .traddr = "10.0.0.1" };
  g_autoptr (StasTid) dc = new_ok (&stafd_defaults, &f);
  StasTid *key;

  key = stas_tid_new_lookup (&stafd_defaults, "tcp", "not-an-ip", "", "", "", "", "");
  g_assert_null (key);
  key = stas_tid_new_lookup (&stafd_defaults, "xyz", "10.0.0.1", "", "", "", "", "");
  g_assert_null (key);
  key = stas_tid_new_lookup (&stafd_defaults, "tcp", "10.0.0.1", "70000", "", "", "", "");
  g_assert_null (key);
  key = stas_tid_new_lookup (&stafd_defaults, "tcp", "10.0.0.1", "", "", "bad", "", "");
  g_assert_null (key);
  key = stas_tid_new_lookup (&stafd_defaults, "", "", "", "", "", "", "");
  g_assert_null (key);
  g_assert_false (stas_tid_matches_lookup (dc, NULL));
}

/* [DBUS-13] fc look-up: case-insensitive addresses, any trsvcid ignored */
static void
test_lookup_fc (void)
{
  StasTidFields f = {
    .transport = "fc",
    .traddr = FC_ADDR,
    .subsysnqn = IOC_NQN,
    .host_traddr = FC_HOST,
  };
  g_autoptr (StasTid) ioc = new_ok (&stacd_defaults, &f);
  g_autoptr (StasTid) key =
      stas_tid_new_lookup (&stacd_defaults, "FC", "nn-0x20000090FAE0B5F5:pn-0x10000090FAE0B5F5",
                           "4420", IOC_NQN, "NN-0X20000090FAE0B5F6:PN-0X10000090FAE0B5F6", "", "");

  g_assert_nonnull (key);
  g_assert_true (stas_tid_matches_lookup (ioc, key));
}

/* reference counting and the boxed type */
static void
test_ref_boxed (void)
{
  StasTidFields f = { .transport = "tcp", .traddr = "10.0.0.1" };
  StasTid *tid = new_ok (&stafd_defaults, &f);
  StasTid *copy;
  GValue value = G_VALUE_INIT;

  g_assert_true (G_TYPE_IS_BOXED (STAS_TYPE_TID));
  g_assert_cmpstr (g_type_name (STAS_TYPE_TID), ==, "StasTid");

  copy = g_boxed_copy (STAS_TYPE_TID, tid);
  g_assert_true (copy == tid); /* immutable: a copy is a reference */
  g_boxed_free (STAS_TYPE_TID, copy);

  g_value_init (&value, STAS_TYPE_TID);
  g_value_set_boxed (&value, tid);
  g_assert_true (g_value_get_boxed (&value) == tid);
  g_value_unset (&value);

  g_assert_true (stas_tid_ref (tid) == tid);
  stas_tid_unref (tid);
  g_assert_cmpstr (stas_tid_get_traddr (tid), ==, "10.0.0.1");
  stas_tid_unref (tid);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tid/normalise/transport", test_transport);
  g_test_add_func ("/tid/normalise/traddr-canonical", test_traddr_canonical);
  g_test_add_func ("/tid/normalise/traddr-invalid", test_traddr_invalid);
  g_test_add_func ("/tid/normalise/trsvcid-defaults", test_trsvcid_defaults);
  g_test_add_func ("/tid/normalise/trsvcid-canonical", test_trsvcid_canonical);
  g_test_add_func ("/tid/normalise/fc", test_fc);
  g_test_add_func ("/tid/normalise/loop", test_loop);
  g_test_add_func ("/tid/normalise/subsysnqn", test_subsysnqn);
  g_test_add_func ("/tid/normalise/host-traddr", test_host_traddr);
  g_test_add_func ("/tid/normalise/host-iface", test_host_iface);
  g_test_add_func ("/tid/normalise/host-identity", test_host_identity);
  g_test_add_func ("/tid/string/format", test_to_string);
  g_test_add_func ("/tid/string/fields-invalid", test_fields_to_string_invalid);
  g_test_add_func ("/tid/equal-hash", test_equal_hash);
  g_test_add_func ("/tid/daemon-defaults-differ", test_daemon_defaults_differ);
  g_test_add_func ("/tid/variant/round-trip", test_variant_round_trip);
  g_test_add_func ("/tid/variant/invalid", test_variant_invalid);
  g_test_add_func ("/tid/lookup/match", test_lookup);
  g_test_add_func ("/tid/lookup/iface", test_lookup_iface);
  g_test_add_func ("/tid/lookup/invalid", test_lookup_invalid);
  g_test_add_func ("/tid/lookup/fc", test_lookup_fc);
  g_test_add_func ("/tid/ref-boxed", test_ref_boxed);

  return g_test_run ();
}
