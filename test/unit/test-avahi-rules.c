/* test-avahi-rules.c — the pure zeroconf rules of stas-zeroconf.h: TXT parsing, service
 * identification and its diagnostics, the service → TID step (ip-family and exclude= apply
 * later, in the pass), the TCP check back-off, duplicate addresses, network names.
 * [ZC-3] [ZC-4] [ZC-5] [D-49] [D-50] bad-input.md §5 */
#include "config.h"

#include <glib.h>

#include "stas-zeroconf.h"
#include "test-util.h"

#define HOST_NQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOST_ID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define DISC "nqn.2014-08.org.nvmexpress.discovery"
#define SFSS_NQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"

static StasZcTxt *
parse (GPtrArray *diags, const char *const *records)
{
  return stas_zc_txt_parse_strv (records, diags);
}

/* keys case-insensitive, trimmed; split at the first '='; later duplicates win */
static void
test_txt_basic (void)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  const char *records[] = { "NQN=" SFSS_NQN, " p = TCP ", "opaque=a=b=c", "p=roce", NULL };
  g_autoptr (StasZcTxt) txt = parse (diags, records);
  g_autofree char *text = stas_zc_txt_to_string (txt);

  ASSERT_NO_DIAGS (diags);
  g_assert_cmpuint (stas_zc_txt_size (txt), ==, 3);
  g_assert_cmpstr (stas_zc_txt_lookup (txt, "nqn"), ==, SFSS_NQN);
  g_assert_cmpstr (stas_zc_txt_lookup (txt, "p"), ==, "roce"); /* the later one */
  g_assert_cmpstr (stas_zc_txt_lookup (txt, "opaque"), ==, "a=b=c");
  g_assert_null (stas_zc_txt_lookup (txt, "NQN"));
  g_assert_cmpstr (text, ==, "{'nqn': '" SFSS_NQN "', 'p': 'roce', 'opaque': 'a=b=c'}");
}

/* non-printable, no '=', empty key: ignored with DEBUG */
static void
test_txt_ignored (void)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  const char *records[] = { "novalue",
                            "=tcp",
                            " =x",
                            "p=t\x01"
                            "cp",
                            "p=\xc3\xa9",
                            "",
                            "ok=1",
                            NULL };
  g_autoptr (StasZcTxt) txt = parse (diags, records);

  ASSERT_DIAGS (diags, "D Ignoring mDNS TXT record \"novalue\": no '='",
                "D Ignoring mDNS TXT record \"=tcp\": empty key",
                "D Ignoring mDNS TXT record \" =x\": empty key",
                "D Ignoring mDNS TXT record \"p=t\\x01cp\": not printable ASCII",
                "D Ignoring mDNS TXT record \"p=\\xc3\\xa9\": not printable ASCII",
                "D Ignoring mDNS TXT record \"\": no '='");
  g_assert_cmpuint (stas_zc_txt_size (txt), ==, 1);
  g_assert_cmpstr (stas_zc_txt_lookup (txt, "ok"), ==, "1");
}

/* raw records as avahi hands them over (a NUL byte inside is not printable) */
static void
test_txt_bytes (void)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GBytes) a = g_bytes_new ("p=tcp", 5);
  g_autoptr (GBytes) b = g_bytes_new ("nqn=x\0y", 7);
  GBytes *records[] = { a, b };
  g_autoptr (StasZcTxt) txt = stas_zc_txt_parse (records, 2, diags);

  ASSERT_DIAGS (diags, "D Ignoring mDNS TXT record \"nqn=x\\x00y\": not printable ASCII");
  g_assert_cmpstr (stas_zc_txt_lookup (txt, "p"), ==, "tcp");
  g_assert_null (stas_zc_txt_lookup (txt, "nqn"));
}

static void
test_transport_from_p (void)
{
  g_assert_cmpstr (stas_zc_transport_from_p ("tcp"), ==, "tcp");
  g_assert_cmpstr (stas_zc_transport_from_p (" TCP "), ==, "tcp");
  g_assert_cmpstr (stas_zc_transport_from_p ("RoCE"), ==, "rdma");
  g_assert_cmpstr (stas_zc_transport_from_p ("iwarp"), ==, "rdma");
  g_assert_cmpstr (stas_zc_transport_from_p ("rdma"), ==, "rdma");
  g_assert_null (stas_zc_transport_from_p ("walmart"));
  g_assert_null (stas_zc_transport_from_p (""));
  g_assert_null (stas_zc_transport_from_p (NULL));
}

typedef struct
{
  const char *ifname;
  int family;
  const char *address;
  guint port;
  const char *records[4];
  gboolean tp8013;
} Case;

static gboolean
identify (const Case *c, StasZcIdentity *id, GPtrArray *diags)
{
  g_autoptr (StasZcTxt) txt = parse (NULL, c->records);
  StasZcResult result = {
    .ifname = c->ifname, .family = c->family, .address = c->address, .port = c->port, .txt = txt
  };

  return stas_zc_identify (&result, c->tp8013, id, diags);
}

/* [ZC-3] identity: tcp pinned to the interface, rdma without host-iface */
static void
test_identify_ok (void)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  StasZcIdentity id;
  Case tcp = { "eth1", 4, " 192.168.10.20 ", 8009, { "p=tcp", "NQN=" SFSS_NQN }, TRUE };
  Case roce = { "eth2", 6, "FE80::1", 4420, { "p=RoCE" }, TRUE };

  g_assert_true (identify (&tcp, &id, diags));
  ASSERT_NO_DIAGS (diags);
  g_assert_cmpstr (id.transport, ==, "tcp");
  g_assert_cmpstr (id.traddr, ==, "192.168.10.20");
  g_assert_cmpstr (id.trsvcid, ==, "8009");
  g_assert_cmpstr (id.host_iface, ==, "eth1");
  g_assert_cmpstr (id.subsysnqn, ==, SFSS_NQN);
  stas_zc_identity_clear (&id);

  g_assert_true (identify (&roce, &id, diags));
  ASSERT_NO_DIAGS (diags);
  g_assert_cmpstr (id.transport, ==, "rdma");
  g_assert_cmpstr (id.traddr, ==, "fe80::1");
  g_assert_cmpstr (id.host_iface, ==, ""); /* the kernel rejects host_iface for rdma */
  g_assert_cmpstr (id.subsysnqn, ==, DISC);
  stas_zc_identity_clear (&id);
}

/* nqn: only with TP8013; invalid → WARNING and the well-known NQN */
static void
test_identify_nqn (void)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  StasZcIdentity id;
  Case no_tp8013 = { "eth1", 4, "10.0.0.1", 8009, { "p=tcp", "nqn=" SFSS_NQN }, FALSE };
  Case invalid = { "eth1", 4, "10.0.0.1", 8009, { "p=tcp", "nqn=bogus" }, TRUE };

  g_assert_true (identify (&no_tp8013, &id, diags));
  ASSERT_NO_DIAGS (diags);
  g_assert_cmpstr (id.subsysnqn, ==, DISC);
  stas_zc_identity_clear (&id);

  g_assert_true (identify (&invalid, &id, diags));
  ASSERT_DIAGS (diags, "W Invalid NQN \"bogus\" in mDNS TXT field: address=10.0.0.1, iface=eth1; "
                       "using nqn.2014-08.org.nvmexpress.discovery");
  g_assert_cmpstr (id.subsysnqn, ==, DISC);
  stas_zc_identity_clear (&id);
}

/* bad-input.md §5: what is never identified */
static void
test_identify_rejects (void)
{
  static const struct
  {
    Case c;
    const char *diag;
  } cases[] = {
    { { "eth1", 4, "10.0.0.1", 8009, { "p=walmart" }, TRUE },
      "E Received invalid/undefined protocol in mDNS TXT field: address=10.0.0.1, iface=eth1, "
      "TXT={'p': 'walmart'}" },
    { { "eth1", 4, "10.0.0.1", 8009, { "nqn=" SFSS_NQN }, TRUE },
      "E Received invalid/undefined protocol in mDNS TXT field: address=10.0.0.1, iface=eth1, "
      "TXT={'nqn': '" SFSS_NQN "'}" },
    { { "eth1", 4, "10.0.0.1", 0, { "p=tcp" }, TRUE },
      "W Invalid port 0 from mDNS: address=10.0.0.1, iface=eth1; ignored" },
    { { "eth1", 4, "10.0.0.1", 65536, { "p=tcp" }, TRUE },
      "W Invalid port 65536 from mDNS: address=10.0.0.1, iface=eth1; ignored" },
    { { "eth1", 4, "fe80::1", 8009, { "p=tcp" }, TRUE },
      "W Invalid IPv4 address \"fe80::1\" from mDNS (iface=eth1); ignored" },
    { { "eth1", 6, "10.0.0.1", 8009, { "p=tcp" }, TRUE },
      "W Invalid IPv6 address \"10.0.0.1\" from mDNS (iface=eth1); ignored" },
    { { "eth1", 6, "::ffff:10.0.0.1", 8009, { "p=tcp" }, TRUE },
      "W Invalid IPv6 address \"::ffff:10.0.0.1\" from mDNS (iface=eth1); ignored" },
    { { "eth1", 4, "host.local", 8009, { "p=tcp" }, TRUE },
      "W Invalid IPv4 address \"host.local\" from mDNS (iface=eth1); ignored" },
    { { "eth1", 4, "10.0.0.1\n", 8009, { "p=tcp" }, TRUE }, NULL }, /* trimmed: accepted */
    { { NULL, 4, "10.0.0.1", 8009, { "p=tcp" }, TRUE },
      "W mDNS service at 10.0.0.1 resolved on an interface that no longer exists; ignored" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) diags = stas_diags_new ();
      StasZcIdentity id;
      gboolean ok = identify (&cases[i].c, &id, diags);

      g_test_message ("case %u", i);
      if (cases[i].diag == NULL)
        {
          g_assert_true (ok);
          ASSERT_NO_DIAGS (diags);
          stas_zc_identity_clear (&id);
          continue;
        }
      g_assert_false (ok);
      ASSERT_DIAGS (diags, cases[i].diag);
      g_assert_null (id.transport);
    }
}

/* [ZC-5] service → TID: host-iface pinned unless ignore-iface; host NQN/ID defaulted */
static void
test_identity_to_tid (void)
{
  StasZcIdentity id = { .transport = "tcp",
                        .traddr = "192.168.10.20",
                        .trsvcid = "8009",
                        .host_iface = "eth1",
                        .subsysnqn = SFSS_NQN };
  StasTidDefaults defaults = { .kind = STAS_DAEMON_STAFD,
                               .host_nqn = HOST_NQN,
                               .host_id = HOST_ID };
  g_autoptr (StasTid) tid = stas_zc_identity_to_tid (&defaults, &id);
  g_autoptr (StasTid) unpinned = NULL;
  StasZcIdentity copy;

  g_assert_nonnull (tid);
  g_assert_cmpstr (stas_tid_get_host_iface (tid), ==, "eth1");
  g_assert_cmpstr (stas_tid_get_host_nqn (tid), ==, HOST_NQN);
  g_assert_cmpstr (stas_tid_get_subsysnqn (tid), ==, SFSS_NQN);
  g_assert_cmpstr (stas_tid_to_string (tid), ==, "(tcp, 192.168.10.20, 8009, " SFSS_NQN ", eth1)");

  defaults.ignore_iface = TRUE;
  unpinned = stas_zc_identity_to_tid (&defaults, &id);
  g_assert_cmpstr (stas_tid_get_host_iface (unpinned), ==, "");

  stas_zc_identity_copy (&id, &copy);
  g_assert_true (stas_zc_identity_equal (&id, &copy));
  g_free (copy.host_iface);
  copy.host_iface = g_strdup ("eth2"); /* same DC on another interface: another identity */
  g_assert_false (stas_zc_identity_equal (&id, &copy));
  stas_zc_identity_clear (&copy);
}

/* [ZC-4] [D-49]: 2, 5, 10, 30, 60, 300, 600, then 600 */
static void
test_backoff (void)
{
  static const guint expected[] = { 2, 2, 5, 10, 30, 60, 300, 600, 600, 600 };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpuint (stas_zc_backoff_s (i), ==, expected[i]);
  g_assert_cmpuint (stas_zc_backoff_s (G_MAXUINT), ==, 600);
}

/* [ZC-3] the same IP on several interfaces */
static void
test_duplicates (void)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  const StasZcAddrIf entries[] = {
    { "192.168.1.5", "eth1" }, { "192.168.1.5", "eth1" }, /* IPv4 and IPv6 service: fine */
    { "fe80::1", "eth1" },     { "192.168.1.5", "eth2" }, { "FE80::1", "eth3" },
    { "10.0.0.1", "eth1" },    { "192.168.1.5", "eth4" },
  };

  stas_zc_check_duplicates (entries, G_N_ELEMENTS (entries), diags);
  ASSERT_DIAGS (diags, "E IP address 192.168.1.5 was found on multiple interfaces: eth1,eth2,eth4",
                "E IP address fe80::1 was found on multiple interfaces: eth1,eth3");
  g_ptr_array_set_size (diags, 0);
  stas_zc_check_duplicates (entries, 2, diags);
  ASSERT_NO_DIAGS (diags);
}

/* names from the network; the key shown by process_info */
static void
test_names (void)
{
  g_autofree char *key = stas_zc_service_string ("eth1", 4, "SFSS", "local", "_nvme-disc._tcp");
  g_autofree char *long_name = g_strnfill (64, 'a');

  g_assert_cmpstr (key, ==, "(eth1, IPv4, SFSS.local, _nvme-disc._tcp)");
  g_assert_true (stas_zc_name_is_valid ("SFSS storage (2)", 63));
  g_assert_true (stas_zc_name_is_valid ("St\xc3\xa9phane's DC", 63)); /* UTF-8 */
  g_assert_false (stas_zc_name_is_valid ("", 63));
  g_assert_false (stas_zc_name_is_valid (NULL, 63));
  g_assert_false (stas_zc_name_is_valid ("bad\nname", 63));
  g_assert_false (stas_zc_name_is_valid ("\xff\xfe", 63));
  g_assert_false (stas_zc_name_is_valid (long_name, 63));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/avahi-rules/txt/basic", test_txt_basic);
  g_test_add_func ("/avahi-rules/txt/ignored", test_txt_ignored);
  g_test_add_func ("/avahi-rules/txt/bytes", test_txt_bytes);
  g_test_add_func ("/avahi-rules/transport-from-p", test_transport_from_p);
  g_test_add_func ("/avahi-rules/identify/ok", test_identify_ok);
  g_test_add_func ("/avahi-rules/identify/nqn", test_identify_nqn);
  g_test_add_func ("/avahi-rules/identify/rejects", test_identify_rejects);
  g_test_add_func ("/avahi-rules/identity-to-tid", test_identity_to_tid);
  g_test_add_func ("/avahi-rules/backoff", test_backoff);
  g_test_add_func ("/avahi-rules/duplicates", test_duplicates);
  g_test_add_func ("/avahi-rules/names", test_names);
  return g_test_run ();
}
