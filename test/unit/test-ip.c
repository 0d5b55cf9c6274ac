/* test-ip.c — IP and identifier syntax helpers: SPEC §4.1 [TID-1], spec/config.md §4.4
 * [CFG-23], §4.5 [CFG-24] / [D-22]. */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "stas-ip.h"

/* [TID-1] [D-22] canonical IP text: inet_ntop form, IPv6 lower-case compressed,
 * IPv4-mapped IPv6 → dotted IPv4. */
static void
test_canonical (void)
{
  static const struct
  {
    const char *in;
    const char *out;
  } cases[] = {
    { "192.168.10.20", "192.168.10.20" },
    { "0.0.0.0", "0.0.0.0" },
    { "255.255.255.255", "255.255.255.255" },
    { "2001:db8::1", "2001:db8::1" },
    { "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
    { "2001:0db8::0001", "2001:db8::1" },
    { "FE80::ABCD", "fe80::abcd" },
    { "::", "::" },
    { "::1", "::1" },
    { "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
    { "::ffff:192.168.1.2", "192.168.1.2" },
    { "::FFFF:c0a8:0102", "192.168.1.2" },
    { "0:0:0:0:0:ffff:10.0.0.1", "10.0.0.1" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *c = stas_ip_canonical (cases[i].in);

      g_assert_cmpstr (c, ==, cases[i].out);
      g_assert_true (stas_ip_is_literal (cases[i].in));
    }
}

/* [TID-1] [CFG-23] what is not an IP literal */
static void
test_not_literal (void)
{
  static const char *const bad[] = {
    "",         "host.example.com", "192.168.1",     "192.168.1.256", "192.168.01.1",   "1.2.3.4.5",
    " 1.2.3.4", "1.2.3.4 ",         "[2001:db8::1]", "fe80::1%eth0",  "2001:db8::1::2", "12345::1",
    "gggg::1",
  };

  g_assert_null (stas_ip_canonical (NULL));
  g_assert_false (stas_ip_is_literal (NULL));
  g_assert_cmpint (stas_ip_family (NULL), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *c = stas_ip_canonical (bad[i]);

      g_assert_null (c);
      g_assert_false (stas_ip_is_literal (bad[i]));
      g_assert_cmpint (stas_ip_family (bad[i]), ==, 0);
    }
}

/* [TID-1] [D-22] IPv4-mapped counts as IPv4 (ip-family filtering) */
static void
test_family (void)
{
  g_assert_cmpint (stas_ip_family ("10.1.2.3"), ==, 4);
  g_assert_cmpint (stas_ip_family ("::ffff:10.1.2.3"), ==, 4);
  g_assert_cmpint (stas_ip_family ("2001:db8::1"), ==, 6);
  g_assert_cmpint (stas_ip_family ("::"), ==, 6);
  g_assert_cmpint (stas_ip_family ("fe80::1"), ==, 6);
}

/* [CFG-24] [D-22] IP-aware comparison */
static void
test_equal (void)
{
  g_assert_true (stas_ip_equal ("2001:db8::1", "2001:0DB8:0::0001"));
  g_assert_true (stas_ip_equal ("::ffff:192.168.1.2", "192.168.1.2"));
  g_assert_true (stas_ip_equal ("10.0.0.1", "10.0.0.1"));
  g_assert_false (stas_ip_equal ("10.0.0.1", "10.0.0.2"));
  g_assert_false (stas_ip_equal ("::1", "127.0.0.1"));
  g_assert_false (stas_ip_equal ("host", "host"));
  g_assert_false (stas_ip_equal ("10.0.0.1", "host"));
  g_assert_false (stas_ip_equal (NULL, "10.0.0.1"));
}

/* [CFG-23] host name syntax: 1..253 of [A-Za-z0-9.-] */
static void
test_hostname (void)
{
  g_autofree char *max = g_strnfill (253, 'a');
  g_autofree char *too_long = g_strnfill (254, 'a');

  g_assert_true (stas_hostname_is_valid ("cdc.example.com"));
  g_assert_true (stas_hostname_is_valid ("A-1.b"));
  g_assert_true (stas_hostname_is_valid ("192.168.1.1"));
  g_assert_true (stas_hostname_is_valid (max));
  g_assert_false (stas_hostname_is_valid (too_long));
  g_assert_false (stas_hostname_is_valid (""));
  g_assert_false (stas_hostname_is_valid (NULL));
  g_assert_false (stas_hostname_is_valid ("a_b"));
  g_assert_false (stas_hostname_is_valid ("a b"));
  g_assert_false (stas_hostname_is_valid ("2001:db8::1"));
}

/* [CFG-21] interface name syntax */
static void
test_ifname (void)
{
  g_assert_true (stas_ifname_is_valid ("eth1"));
  g_assert_true (stas_ifname_is_valid ("enp0s8"));
  g_assert_true (stas_ifname_is_valid ("a"));
  g_assert_true (stas_ifname_is_valid ("123456789012345"));
  g_assert_true (stas_ifname_is_valid ("br-lan.10"));
  g_assert_false (stas_ifname_is_valid ("1234567890123456"));
  g_assert_false (stas_ifname_is_valid (""));
  g_assert_false (stas_ifname_is_valid (NULL));
  g_assert_false (stas_ifname_is_valid ("."));
  g_assert_false (stas_ifname_is_valid (".."));
  g_assert_false (stas_ifname_is_valid ("eth/1"));
  g_assert_false (stas_ifname_is_valid ("eth:1"));
  g_assert_false (stas_ifname_is_valid ("eth1,nqn=x"));
  g_assert_false (stas_ifname_is_valid ("eth=1"));
  g_assert_false (stas_ifname_is_valid ("eth 1"));
  g_assert_false (stas_ifname_is_valid ("eth\t1"));
}

/* [CFG-23] host-id is a UUID */
static void
test_uuid (void)
{
  g_assert_true (stas_uuid_is_valid ("9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"));
  g_assert_true (stas_uuid_is_valid ("9D1A8B3E-2C4F-4E6A-9B7D-1F2E3D4C5B6A"));
  g_assert_false (stas_uuid_is_valid ("9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6"));
  g_assert_false (stas_uuid_is_valid ("9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6aa"));
  g_assert_false (stas_uuid_is_valid ("9d1a8b3e2c4f-4e6a-9b7d-1f2e3d4c5b6a0"));
  g_assert_false (stas_uuid_is_valid ("9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6g"));
  g_assert_false (stas_uuid_is_valid ("{9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a}"));
  g_assert_false (stas_uuid_is_valid (""));
  g_assert_false (stas_uuid_is_valid (NULL));
}

/* [CFG-23] NQN: "nqn." prefix, ≤ 223 bytes, printable ASCII */
static void
test_nqn (void)
{
  g_autofree char *x219 = g_strnfill (219, 'x');
  g_autofree char *max = g_strconcat ("nqn.", x219, NULL);
  g_autofree char *too_long = g_strconcat (max, "x", NULL);

  g_assert_true (stas_nqn_is_valid ("nqn.2014-08.org.nvmexpress.discovery"));
  g_assert_true (stas_nqn_is_valid ("nqn.1988-11.com.dell:SFSS:1:20221122170722e8"));
  g_assert_true (stas_nqn_is_valid ("nqn.with space~"));
  g_assert_cmpuint (strlen (max), ==, 223);
  g_assert_true (stas_nqn_is_valid (max));
  g_assert_false (stas_nqn_is_valid (too_long));
  g_assert_false (stas_nqn_is_valid ("NQN.2014-08.org.nvmexpress.discovery"));
  g_assert_false (stas_nqn_is_valid ("nqn"));
  g_assert_false (stas_nqn_is_valid (""));
  g_assert_false (stas_nqn_is_valid (NULL));
  g_assert_false (stas_nqn_is_valid ("nqn.tab\there"));
  g_assert_false (stas_nqn_is_valid ("nqn.del\x7f"));
  g_assert_false (stas_nqn_is_valid ("nqn.caf\xc3\xa9"));
}

/* [CFG-23] fc address nn-0x<16 hex>:pn-0x<16 hex> */
static void
test_fc_addr (void)
{
  g_assert_true (stas_fc_addr_is_valid ("nn-0x20000090fae0b5f5:pn-0x10000090fae0b5f5"));
  g_assert_true (stas_fc_addr_is_valid ("nn-0x20000090FAE0B5F5:pn-0x10000090FAE0B5F5"));
  g_assert_false (stas_fc_addr_is_valid ("nn-0x20000090fae0b5f:pn-0x10000090fae0b5f5"));
  g_assert_false (stas_fc_addr_is_valid ("nn-0x20000090fae0b5f5:pn-0x10000090fae0b5f5:"));
  g_assert_false (stas_fc_addr_is_valid ("nn-0x20000090fae0b5f5-pn-0x10000090fae0b5f5"));
  g_assert_false (stas_fc_addr_is_valid ("pn-0x20000090fae0b5f5:nn-0x10000090fae0b5f5"));
  g_assert_false (stas_fc_addr_is_valid ("nn-0x20000090fae0b5fz:pn-0x10000090fae0b5f5"));
  g_assert_false (stas_fc_addr_is_valid (""));
  g_assert_false (stas_fc_addr_is_valid (NULL));
}

/* [CFG-22] [SEC-1] DH-HMAC-CHAP secret DHHC-1:<2 hex>:<base64>: */
static void
test_dhchap (void)
{
  g_assert_true (stas_dhchap_secret_is_valid (
      "DHHC-1:02:BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Og==:"));
  g_assert_true (stas_dhchap_secret_is_valid ("DHHC-1:02:abcd==:"));
  g_assert_true (stas_dhchap_secret_is_valid ("DHHC-1:00:ab+/cd:"));
  g_assert_false (stas_dhchap_secret_is_valid ("DHHC-1:02:abcd=="));
  g_assert_false (stas_dhchap_secret_is_valid ("DHHC-1:02::"));
  g_assert_false (stas_dhchap_secret_is_valid ("DHHC-1:2:abcd:"));
  g_assert_false (stas_dhchap_secret_is_valid ("DHHC-1:0g:abcd:"));
  g_assert_false (stas_dhchap_secret_is_valid ("DHHC-2:02:abcd:"));
  g_assert_false (stas_dhchap_secret_is_valid ("DHHC-1:02:ab=cd:"));
  g_assert_false (stas_dhchap_secret_is_valid ("DHHC-1:02:abcd===:"));
  g_assert_false (stas_dhchap_secret_is_valid ("DHHC-1:02:ab cd:"));
  g_assert_false (stas_dhchap_secret_is_valid ("DHHC-1:02:abcd:x"));
  g_assert_false (stas_dhchap_secret_is_valid (""));
  g_assert_false (stas_dhchap_secret_is_valid (NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ip/canonical", test_canonical);
  g_test_add_func ("/ip/not-literal", test_not_literal);
  g_test_add_func ("/ip/family", test_family);
  g_test_add_func ("/ip/equal", test_equal);
  g_test_add_func ("/syntax/hostname", test_hostname);
  g_test_add_func ("/syntax/ifname", test_ifname);
  g_test_add_func ("/syntax/uuid", test_uuid);
  g_test_add_func ("/syntax/nqn", test_nqn);
  g_test_add_func ("/syntax/fc-addr", test_fc_addr);
  g_test_add_func ("/syntax/dhchap-secret", test_dhchap);

  return g_test_run ();
}
