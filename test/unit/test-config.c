/* test-config.c — stafd.conf / stacd.conf (spec/config.md §1–§4, §7; departures §1;
 * bad-input §1). */
#include "config.h"

#include "test-util.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "stas-config.h"
#include "stas-log.h"

#define FPATH "/etc/stas/stafd.conf"
#define CPATH "/etc/stas/stacd.conf"
#define STAFD STAS_DAEMON_STAFD
#define STACD STAS_DAEMON_STACD
#define INVALID_ENTRIES                                                                            \
  ": [Controllers] contains invalid entries; controllers configured earlier will not be "          \
  "removed until the file is corrected"
#define SECRET "DHHC-1:02:BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Og==:"
#define SECRET2 "DHHC-1:00:YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=:"

/* ---- helpers --------------------------------------------------------------------------- */

static void
assert_no_secret (GPtrArray *diags)
{
  for (guint i = 0; i < diags->len; i++)
    {
      StasDiag *d = g_ptr_array_index (diags, i);
      g_assert_null (strstr (d->text, "DHHC-1"));
    }
}

static const char *
path_of (StasDaemonKind kind)
{
  return kind == STAFD ? FPATH : CPATH;
}

static StasConfig *
load (StasDaemonKind kind, const char *text, const StasConfig *previous, GPtrArray **diags)
{
  *diags = stas_diags_new ();
  return stas_config_load_from_data (kind, path_of (kind), text, strlen (text), previous, *diags);
}

static char *
opt_int_str (StasOptInt v)
{
  return v.set ? g_strdup_printf ("%" G_GINT64_FORMAT, v.value) : g_strdup ("not set");
}

static char *
bool_str (gboolean b)
{
  return g_strdup (b ? "true" : "false");
}

/* The effective value of @key as the public accessors report it. */
static char *
effective (const StasConfig *c, const char *key)
{
  if (strcmp (key, "tron") == 0)
    return bool_str (stas_config_get_tron (c));
  if (strcmp (key, "hdr-digest") == 0)
    return bool_str (stas_config_get_hdr_digest (c));
  if (strcmp (key, "data-digest") == 0)
    return bool_str (stas_config_get_data_digest (c));
  if (strcmp (key, "kato") == 0)
    return opt_int_str (stas_config_get_kato (c));
  if (strcmp (key, "queue-size") == 0)
    return opt_int_str (stas_config_get_queue_size (c));
  if (strcmp (key, "nr-io-queues") == 0)
    return opt_int_str (stas_config_get_nr_io_queues (c));
  if (strcmp (key, "nr-write-queues") == 0)
    return opt_int_str (stas_config_get_nr_write_queues (c));
  if (strcmp (key, "nr-poll-queues") == 0)
    return opt_int_str (stas_config_get_nr_poll_queues (c));
  if (strcmp (key, "reconnect-delay") == 0)
    return opt_int_str (stas_config_get_reconnect_delay (c));
  if (strcmp (key, "ctrl-loss-tmo") == 0)
    return opt_int_str (stas_config_get_ctrl_loss_tmo (c));
  if (strcmp (key, "disable-sqflow") == 0)
    {
      StasOptInt v = stas_config_get_disable_sqflow (c);
      return v.set ? bool_str (v.value != 0) : g_strdup ("not set");
    }
  if (strcmp (key, "ignore-iface") == 0)
    return bool_str (stas_config_get_ignore_iface (c));
  if (strcmp (key, "ip-family") == 0)
    return g_strdup (stas_ip_family_to_string (stas_config_get_ip_family (c)));
  if (strcmp (key, "pleo") == 0)
    return g_strdup (stas_config_get_pleo (c) ? "enabled" : "disabled");
  if (strcmp (key, "zeroconf") == 0)
    return g_strdup (stas_config_get_zeroconf (c) ? "enabled" : "disabled");
  if (strcmp (key, "persistent-connections") == 0)
    return bool_str (stas_config_get_persistent_connections (c));
  if (strcmp (key, "zeroconf-connections-persistence") == 0)
    return g_strdup_printf ("%g", stas_config_get_zeroconf_persistence (c));
  if (strcmp (key, "disconnect-scope") == 0)
    return g_strdup (stas_disconnect_scope_to_string (stas_config_get_disconnect_scope (c)));
  if (strcmp (key, "disconnect-trtypes") == 0)
    {
      StasTrtypes t = stas_config_get_disconnect_trtypes (c);
      return g_strdup_printf ("%s%s%s", t & STAS_TRTYPE_TCP ? "tcp " : "",
                              t & STAS_TRTYPE_RDMA ? "rdma " : "", t & STAS_TRTYPE_FC ? "fc " : "");
    }
  if (strcmp (key, "connect-attempts-on-ncc") == 0)
    return g_strdup_printf ("%u", stas_config_get_connect_attempts_on_ncc (c));
  g_error ("no accessor for %s", key);
}

static void
assert_effective (const StasConfig *c, const char *key, const char *expected)
{
  g_autofree char *got = effective (c, key);
  if (g_strcmp0 (got, expected) != 0)
    g_error ("%s: effective \"%s\", expected \"%s\"", key, got, expected);
}

static const StasConfigController *
ctrl_at (const StasConfig *c, guint i)
{
  GPtrArray *list = stas_config_get_controllers (c);
  g_assert_cmpuint (i, <, list->len);
  return g_ptr_array_index (list, i);
}

static const StasConfigExclude *
excl_at (const StasConfig *c, guint i)
{
  GPtrArray *list = stas_config_get_excludes (c);
  g_assert_cmpuint (i, <, list->len);
  return g_ptr_array_index (list, i);
}

static guint
n_ctrls (const StasConfig *c)
{
  return stas_config_get_controllers (c)->len;
}

static guint
n_excls (const StasConfig *c)
{
  return stas_config_get_excludes (c)->len;
}

/* ---- defaults ([CFG-10]..[CFG-13], [D-17]) ------------------------------------------------ */

typedef struct
{
  const char *key;
  const char *stafd;
  const char *stacd;
} DefaultRow;

static const DefaultRow defaults[] = {
  { "tron", "false", "false" },
  { "hdr-digest", "false", "false" },
  { "data-digest", "false", "false" },
  { "kato", "30", "not set" }, /* D-17: stacd kato is not set */
  { "queue-size", "not set", "not set" },
  { "nr-io-queues", "not set", "not set" },
  { "nr-write-queues", "not set", "not set" },
  { "nr-poll-queues", "not set", "not set" },
  { "reconnect-delay", "not set", "not set" },
  { "ctrl-loss-tmo", "not set", "not set" },
  { "disable-sqflow", "not set", "not set" },
  { "ignore-iface", "false", "false" },
  { "ip-family", "ipv4+ipv6", "ipv4+ipv6" },
  { "pleo", "enabled", "enabled" },
  { "zeroconf", "enabled", "enabled" },
  { "persistent-connections", "true", "true" },
  { "zeroconf-connections-persistence", "259200", "259200" },
  { "disconnect-scope", "only-stas-connections", "only-stas-connections" },
  { "disconnect-trtypes", "tcp ", "tcp " },
  { "connect-attempts-on-ncc", "0", "0" },
};

/* [CFG-10]..[CFG-13] [D-17] every option's default, for both daemons, from an empty file
 * and from stas_config_new_defaults(). */
static void
test_defaults (void)
{
  for (int kind = STAFD; kind <= STACD; kind++)
    {
      g_autoptr (GPtrArray) diags = NULL;
      g_autoptr (StasConfig) c = load (kind, "", NULL, &diags);
      g_autoptr (StasConfig) d = stas_config_new_defaults (kind);

      ASSERT_NO_DIAGS (diags);
      g_assert_cmpint (stas_config_get_kind (c), ==, kind);
      g_assert_cmpstr (stas_config_get_path (c), ==, path_of (kind));
      g_assert_null (stas_config_get_path (d));
      for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
        {
          const char *want = kind == STAFD ? defaults[i].stafd : defaults[i].stacd;
          assert_effective (c, defaults[i].key, want);
          assert_effective (d, defaults[i].key, want);
        }
      g_assert_cmpuint (n_ctrls (c), ==, 0);
      g_assert_cmpuint (n_excls (c), ==, 0);
      g_assert_false (stas_config_has_invalid_controllers (c));
    }
}

/* ---- values ([CFG-5], [CFG-7]) ------------------------------------------------------------ */

typedef struct
{
  StasDaemonKind kind;
  const char *section;
  const char *key;
  const char *text;
  const char *effective;
  const char *diag; /* after "<file>:2: " ; NULL: none */
} ValueRow;

#define G "Global"
#define SD "Service Discovery"
#define DCM "Discovery controller connection management"
#define IOM "I/O controller connection management"

static const ValueRow values[] = {
  /* booleans: true/false, case-insensitive, nothing else */
  { STAFD, G, "tron", "true", "true", NULL },
  { STAFD, G, "tron", "TRUE", "true", NULL },
  { STACD, G, "tron", "False", "false", NULL },
  { STAFD, G, "tron", "yes", "false",
    "W [Global] tron: invalid value \"yes\" (expected true or false); using the default "
    "(false)" },
  { STAFD, G, "tron", "1", "false",
    "W [Global] tron: invalid value \"1\" (expected true or false); using the default (false)" },
  { STAFD, G, "tron", "on", "false",
    "W [Global] tron: invalid value \"on\" (expected true or false); using the default (false)" },
  { STAFD, G, "tron", "", "false",
    "W [Global] tron: invalid value \"\" (expected true or false); using the default (false)" },
  { STAFD, G, "hdr-digest", "true", "true", NULL },
  { STACD, G, "hdr-digest", "x", "false",
    "W [Global] hdr-digest: invalid value \"x\" (expected true or false); using the default "
    "(false)" },
  { STACD, G, "data-digest", "true", "true", NULL },
  { STAFD, G, "data-digest", "no", "false",
    "W [Global] data-digest: invalid value \"no\" (expected true or false); using the default "
    "(false)" },
  { STACD, G, "disable-sqflow", "true", "true", NULL },
  { STAFD, G, "disable-sqflow", "false", "false", NULL },
  { STAFD, G, "disable-sqflow", "maybe", "not set",
    "W [Global] disable-sqflow: invalid value \"maybe\" (expected true or false); using the "
    "default (not set)" },
  { STACD, G, "ignore-iface", "true", "true", NULL },
  { STAFD, G, "ignore-iface", "0", "false",
    "W [Global] ignore-iface: invalid value \"0\" (expected true or false); using the default "
    "(false)" },
  /* integers with ranges (D-12) */
  { STAFD, G, "kato", "0", "0", NULL },
  { STAFD, G, "kato", "+45", "45", NULL },
  { STAFD, G, "kato", "4294967", "4294967", NULL },
  { STACD, G, "kato", "120", "120", NULL },
  { STAFD, G, "kato", "4294968", "30",
    "W [Global] kato: invalid value \"4294968\" (expected an integer in 0..4294967); using the "
    "default (30)" },
  { STAFD, G, "kato", "-1", "30",
    "W [Global] kato: invalid value \"-1\" (expected an integer in 0..4294967); using the default "
    "(30)" },
  { STACD, G, "kato", "abc", "not set",
    "W [Global] kato: invalid value \"abc\" (expected an integer in 0..4294967); using the "
    "default (not set)" },
  { STAFD, G, "kato", "1_0", "30",
    "W [Global] kato: invalid value \"1_0\" (expected an integer in 0..4294967); using the "
    "default (30)" },
  { STAFD, G, "kato", "1 0", "30",
    "W [Global] kato: invalid value \"1 0\" (expected an integer in 0..4294967); using the "
    "default (30)" },
  { STAFD, G, "kato", "\xd9\xa3", "30",
    "W [Global] kato: invalid value \"\xd9\xa3\" (expected an integer in 0..4294967); using the "
    "default (30)" },
  { STAFD, G, "kato", "", "30",
    "W [Global] kato: invalid value \"\" (expected an integer in 0..4294967); using the default "
    "(30)" },
  { STAFD, G, "kato", "99999999999999999999999", "30",
    "W [Global] kato: invalid value \"99999999999999999999999\" (expected an integer in "
    "0..4294967); using the default (30)" },
  { STAFD, G, "queue-size", "16", "16", NULL },
  { STACD, G, "queue-size", "1024", "1024", NULL },
  { STACD, G, "queue-size", "2000000", "not set",
    "W [Global] queue-size: invalid value \"2000000\" (expected an integer in 16..1024); using "
    "the default (not set)" },
  { STACD, G, "queue-size", "15", "not set",
    "W [Global] queue-size: invalid value \"15\" (expected an integer in 16..1024); using the "
    "default (not set)" },
  { STACD, G, "nr-io-queues", "8", "8", NULL },
  { STACD, G, "nr-io-queues", "0", "not set",
    "W [Global] nr-io-queues: invalid value \"0\" (expected an integer in 1..65535); using the "
    "default (not set)" },
  { STACD, G, "nr-write-queues", "65535", "65535", NULL },
  { STACD, G, "nr-write-queues", "65536", "not set",
    "W [Global] nr-write-queues: invalid value \"65536\" (expected an integer in 1..65535); using "
    "the default (not set)" },
  { STACD, G, "nr-poll-queues", "1", "1", NULL },
  { STACD, G, "nr-poll-queues", "-4", "not set",
    "W [Global] nr-poll-queues: invalid value \"-4\" (expected an integer in 1..65535); using "
    "the default (not set)" },
  { STAFD, G, "reconnect-delay", "10", "10", NULL },
  { STACD, G, "reconnect-delay", "NaN", "not set",
    "W [Global] reconnect-delay: invalid value \"NaN\" (expected an integer in 1..2147483647); "
    "using the default (not set)" },
  { STACD, G, "reconnect-delay", "0", "not set",
    "W [Global] reconnect-delay: invalid value \"0\" (expected an integer in 1..2147483647); "
    "using the default (not set)" },
  { STACD, G, "ctrl-loss-tmo", "-1", "-1", NULL },
  { STAFD, G, "ctrl-loss-tmo", "0", "0", NULL },
  { STACD, G, "ctrl-loss-tmo", "600", "600", NULL },
  { STACD, G, "ctrl-loss-tmo", "-2", "not set",
    "W [Global] ctrl-loss-tmo: invalid value \"-2\" (expected an integer in -1..2147483647); "
    "using the default (not set)" },
  /* keywords, case-insensitive (D-11) */
  { STAFD, G, "ip-family", "ipv4", "ipv4", NULL },
  { STAFD, G, "ip-family", "IPv6", "ipv6", NULL },
  { STACD, G, "ip-family", "ipv6+ipv4", "ipv4+ipv6", NULL },
  { STACD, G, "ip-family", "ipv4 + ipv6", "ipv4+ipv6", NULL },
  { STAFD, G, "ip-family", "ipv5", "ipv4+ipv6",
    "W [Global] ip-family: invalid value \"ipv5\" (expected one of ipv4, ipv6, ipv4+ipv6, "
    "ipv6+ipv4); using the default (ipv4+ipv6)" },
  { STAFD, G, "pleo", "Enabled", "enabled", NULL },
  { STAFD, G, "pleo", "disabled", "disabled", NULL },
  { STAFD, G, "pleo", "off", "enabled",
    "W [Global] pleo: invalid value \"off\" (expected one of enabled, disabled); using the "
    "default (enabled)" },
  { STAFD, SD, "zeroconf", "disabled", "disabled", NULL },
  { STAFD, SD, "zeroconf", "DISABLED", "disabled", NULL },
  { STAFD, SD, "zeroconf", "true", "enabled",
    "W [Service Discovery] zeroconf: invalid value \"true\" (expected one of enabled, disabled); "
    "using the default (enabled)" },
  { STAFD, DCM, "persistent-connections", "false", "false", NULL },
  { STAFD, DCM, "persistent-connections", "True", "true", NULL },
  { STAFD, DCM, "persistent-connections", "nope", "true",
    "W [Discovery controller connection management] persistent-connections: invalid value "
    "\"nope\" (expected true or false); using the default (true)" },
  /* time spans (CFG-6, D-09) */
  { STAFD, DCM, "zeroconf-connections-persistence", "3 days 5 hours", "277200", NULL },
  { STAFD, DCM, "zeroconf-connections-persistence", "72hours", "259200", NULL },
  { STAFD, DCM, "zeroconf-connections-persistence", "-1", "-1", NULL },
  { STAFD, DCM, "zeroconf-connections-persistence", "0", "0", NULL },
  { STAFD, DCM, "zeroconf-connections-persistence", "1:01", "61", NULL },
  { STAFD, DCM, "zeroconf-connections-persistence", "0.5", "0.5", NULL },
  { STAFD, DCM, "zeroconf-connections-persistence", "soon", "259200",
    "W [Discovery controller connection management] zeroconf-connections-persistence: invalid "
    "value \"soon\" (expected a time span such as 72hours, 3 days 5 hours or -1); using the "
    "default (259200 seconds)" },
  { STAFD, DCM, "zeroconf-connections-persistence", "nan", "259200",
    "W [Discovery controller connection management] zeroconf-connections-persistence: invalid "
    "value \"nan\" (expected a time span such as 72hours, 3 days 5 hours or -1); using the "
    "default (259200 seconds)" },
  { STAFD, DCM, "zeroconf-connections-persistence", "inf", "259200",
    "W [Discovery controller connection management] zeroconf-connections-persistence: invalid "
    "value \"inf\" (expected a time span such as 72hours, 3 days 5 hours or -1); using the "
    "default (259200 seconds)" },
  { STAFD, DCM, "zeroconf-connections-persistence", "1e3", "259200",
    "W [Discovery controller connection management] zeroconf-connections-persistence: invalid "
    "value \"1e3\" (expected a time span such as 72hours, 3 days 5 hours or -1); using the "
    "default (259200 seconds)" },
  /* stacd's [I/O controller connection management] */
  { STACD, IOM, "disconnect-scope", "no-disconnect", "no-disconnect", NULL },
  { STACD, IOM, "disconnect-scope", "All-Connections-Matching-Disconnect-Trtypes",
    "all-connections-matching-disconnect-trtypes", NULL },
  { STACD, IOM, "disconnect-scope", "everything", "only-stas-connections",
    "W [I/O controller connection management] disconnect-scope: invalid value \"everything\" "
    "(expected one of only-stas-connections, all-connections-matching-disconnect-trtypes, "
    "no-disconnect); using the default (only-stas-connections)" },
  { STACD, IOM, "disconnect-trtypes", "rdma", "rdma ", NULL },
  { STACD, IOM, "disconnect-trtypes", "tcp + rdma", "tcp rdma ", NULL },
  { STACD, IOM, "disconnect-trtypes", "fc+TCP+fc", "tcp fc ", NULL },
  { STACD, IOM, "disconnect-trtypes", "", "tcp ",
    "W [I/O controller connection management] disconnect-trtypes: invalid value \"\" (expected a "
    "+-separated list of tcp, rdma, fc); using the default (tcp)" },
  { STACD, IOM, "connect-attempts-on-ncc", "0", "0", NULL },
  { STACD, IOM, "connect-attempts-on-ncc", "2", "2", NULL },
  { STACD, IOM, "connect-attempts-on-ncc", "7", "7", NULL },
  { STACD, IOM, "connect-attempts-on-ncc", "1", "2",
    "I connect-attempts-on-ncc=1 is not allowed, using 2" },
  { STACD, IOM, "connect-attempts-on-ncc", "-3", "0",
    "W [I/O controller connection management] connect-attempts-on-ncc: invalid value \"-3\" "
    "(expected 0 or an integer >= 2); using the default (0)" },
  { STACD, IOM, "connect-attempts-on-ncc", "two", "0",
    "W [I/O controller connection management] connect-attempts-on-ncc: invalid value \"two\" "
    "(expected 0 or an integer >= 2); using the default (0)" },
};

/* [CFG-5] [CFG-7] [D-09] [D-10] [D-11] [D-12] [D-14]: every key with valid and invalid
 * values at start-up: the effective value and the exact message. */
static void
test_values (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      const ValueRow *r = &values[i];
      g_autofree char *text = g_strdup_printf ("[%s]\n%s = %s\n", r->section, r->key, r->text);
      g_autoptr (GPtrArray) diags = NULL;
      g_autoptr (StasConfig) c = load (r->kind, text, NULL, &diags);

      g_test_message ("row %u: %s = %s", i, r->key, r->text);
      assert_effective (c, r->key, r->effective);
      if (r->diag == NULL)
        ASSERT_NO_DIAGS (diags);
      else
        {
          g_autofree char *want =
              g_strdup_printf ("%c %s:2: %s", r->diag[0], path_of (r->kind), r->diag + 2);
          ASSERT_DIAGS (diags, want);
        }
    }
}

/* [CFG-5] [D-11] a list item that is invalid is dropped with its own warning. */
static void
test_list_items (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c =
      load (STACD, "[" IOM "]\ndisconnect-trtypes = tcp+xyz+pcie\n", NULL, &diags);
  g_autoptr (GPtrArray) diags2 = NULL;
  g_autoptr (StasConfig) c2 =
      load (STACD, "[" IOM "]\ndisconnect-trtypes = xyz + \n", NULL, &diags2);

  ASSERT_DIAGS (diags, "W " CPATH ":2: [" IOM "] disconnect-trtypes: invalid item \"xyz\" ignored",
                "W " CPATH ":2: [" IOM "] disconnect-trtypes: invalid item \"pcie\" ignored");
  g_assert_cmpint (stas_config_get_disconnect_trtypes (c), ==, STAS_TRTYPE_TCP);
  g_assert_true (stas_config_transport_in_disconnect_trtypes (c, "TCP"));
  g_assert_false (stas_config_transport_in_disconnect_trtypes (c, "rdma"));
  g_assert_false (stas_config_transport_in_disconnect_trtypes (c, "loop"));
  g_assert_false (stas_config_transport_in_disconnect_trtypes (c, NULL));

  /* no valid item left: the whole value is invalid */
  ASSERT_DIAGS (diags2, "W " CPATH ":2: [" IOM "] disconnect-trtypes: invalid item \"xyz\" ignored",
                "W " CPATH ":2: [" IOM "] disconnect-trtypes: invalid item \"\" ignored",
                "W " CPATH ":2: [" IOM "] disconnect-trtypes: invalid value \"xyz +\" (expected a "
                "+-separated list of tcp, rdma, fc); using the default (tcp)");
  g_assert_cmpint (stas_config_get_disconnect_trtypes (c2), ==, STAS_TRTYPE_TCP);
}

typedef struct
{
  StasDaemonKind kind;
  const char *section;
  const char *key;
  const char *before;
  const char *after;
  const char *effective;
  const char *kept; /* how the kept value is shown */
} ReloadRow;

static const ReloadRow reloads[] = {
  { STACD, IOM, "disconnect-scope", "no-disconnect", "no-disconect", "no-disconnect",
    "no-disconnect" },
  { STAFD, G, "ip-family", "ipv6", "ipv7", "ipv6", "ipv6" },
  { STAFD, G, "kato", "60", "6O", "60", "60" },
  { STACD, G, "kato", "60", "", "60", "60" },
  { STAFD, G, "tron", "true", "ja", "true", "true" },
  { STACD, G, "queue-size", "64", "5", "64", "64" },
  { STAFD, SD, "zeroconf", "disabled", "off", "disabled", "disabled" },
  { STAFD, DCM, "zeroconf-connections-persistence", "1 day", "1 dya", "86400", "86400 seconds" },
  { STACD, IOM, "disconnect-trtypes", "rdma+fc", "nvme", "rdma fc ", "rdma+fc" },
  { STACD, IOM, "connect-attempts-on-ncc", "5", "-1", "5", "5" },
  { STACD, G, "ctrl-loss-tmo", "-1", "forever", "-1", "-1" },
};

/* [CFG-7] [D-14] [BAD-2] on SIGHUP an invalid value keeps the previously effective value. */
static void
test_reload_keeps_previous (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (reloads); i++)
    {
      const ReloadRow *r = &reloads[i];
      g_autofree char *t1 = g_strdup_printf ("[%s]\n%s = %s\n", r->section, r->key, r->before);
      g_autofree char *t2 = g_strdup_printf ("[%s]\n%s = %s\n", r->section, r->key, r->after);
      g_autofree char *want = g_strdup_printf ("W %s:2: [%s] %s: invalid value \"%s\" (",
                                               path_of (r->kind), r->section, r->key, r->after);
      g_autofree char *want_end = g_strdup_printf ("); using the previous value (%s)", r->kept);
      g_autoptr (GPtrArray) d1 = NULL;
      g_autoptr (GPtrArray) d2 = NULL;
      g_autoptr (StasConfig) c1 = load (r->kind, t1, NULL, &d1);
      g_autoptr (StasConfig) c2 = NULL;
      StasDiag *diag;
      g_autofree char *got = NULL;

      g_test_message ("row %u: %s", i, r->key);
      g_assert_cmpuint (d1->len, ==, 0);
      c2 = load (r->kind, t2, c1, &d2);
      assert_effective (c2, r->key, r->effective);
      /* an invalid list also reports its items first */
      g_assert_cmpuint (d2->len, ==, strcmp (r->key, "disconnect-trtypes") == 0 ? 2 : 1);
      diag = g_ptr_array_index (d2, d2->len - 1);
      got = g_strdup_printf ("W %s", diag->text);
      g_assert_true (g_str_has_prefix (got, want));
      g_assert_true (g_str_has_suffix (got, want_end));
    }
}

/* [CFG-7] a key removed from the file on SIGHUP returns to its default, silently; the same
 * invalid value at start-up uses the default. */
static void
test_reload_removed_key (void)
{
  g_autoptr (GPtrArray) d1 = NULL;
  g_autoptr (GPtrArray) d2 = NULL;
  g_autoptr (GPtrArray) d3 = NULL;
  g_autoptr (StasConfig) c1 =
      load (STACD, "[Global]\nkato = 60\n[" IOM "]\ndisconnect-scope = no-disconnect\n", NULL, &d1);
  g_autoptr (StasConfig) c2 = load (STACD, "[Global]\n", c1, &d2);
  g_autoptr (StasConfig) c3 = load (STACD, "[Global]\nkato = x\n", NULL, &d3);

  ASSERT_NO_DIAGS (d2);
  assert_effective (c2, "kato", "not set");
  assert_effective (c2, "disconnect-scope", "only-stas-connections");
  assert_effective (c3, "kato", "not set");
  ASSERT_DIAGS (d3, "W " CPATH ":2: [Global] kato: invalid value \"x\" (expected an integer in "
                    "0..4294967); using the default (not set)");
}

/* [CFG-7] secrets are never echoed, even when typed into another key. */
static void
test_secret_not_echoed (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STAFD, "[Global]\nkato = " SECRET "\n", NULL, &diags);

  ASSERT_DIAGS (diags, "W " FPATH ":2: [Global] kato: invalid value \"<redacted>\" (expected an "
                       "integer in 0..4294967); using the default (30)");
  assert_effective (c, "kato", "30");
}

/* ---- keys and sections ([CFG-2], [CFG-4], [CFG-15]) ------------------------------------ */

/* [CFG-2] an unknown key in a known section is reported and ignored. */
static void
test_unknown_option (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (
      STAFD, "[Global]\nkatoo = 5\n[Controllers]\nkato = 5\n[" SD "]\nzeroconff=x\n", NULL, &diags);

  ASSERT_DIAGS (diags, "W " FPATH ":2: [Global] unknown option \"katoo\", ignored",
                "W " FPATH ":4: [Controllers] unknown option \"kato\", ignored",
                "W " FPATH ":6: [Service Discovery] unknown option \"zeroconff\", ignored");
  assert_effective (c, "kato", "30");
}

/* [CFG-2] [D-13] keys of the other daemon are reported and not used. */
static void
test_other_daemon (void)
{
  g_autoptr (GPtrArray) d1 = NULL;
  g_autoptr (GPtrArray) d2 = NULL;
  g_autoptr (StasConfig) f = load (STAFD,
                                   "[Global]\nnr-io-queues = 4\n"
                                   "[" IOM "]\ndisconnect-scope = no-disconnect\n",
                                   NULL, &d1);
  g_autoptr (StasConfig) c = load (STACD,
                                   "[Global]\npleo = disabled\npersistent-connections=false\n"
                                   "[" SD "]\nzeroconf = disabled\n"
                                   "[" DCM "]\npersistent-connections = false\n"
                                   "zeroconf-connections-persistence = 1\n",
                                   NULL, &d2);
  StasConnParams params;

  ASSERT_DIAGS (d1,
                "W " FPATH ":2: [Global] option \"nr-io-queues\" does not apply to stafd, ignored",
                "W " FPATH ":4: [" IOM "] option \"disconnect-scope\" does not apply to stafd, "
                "ignored");
  assert_effective (f, "nr-io-queues", "not set");
  assert_effective (f, "disconnect-scope", "only-stas-connections");
  stas_config_get_conn_params (f, NULL, &params);
  g_assert_false (params.nr_io_queues.set);

  ASSERT_DIAGS (d2, "W " CPATH ":2: [Global] option \"pleo\" does not apply to stacd, ignored",
                "W " CPATH ":3: [Global] option \"persistent-connections\" does not apply to "
                "stacd, ignored",
                "W " CPATH ":5: [" SD "] option \"zeroconf\" does not apply to stacd, ignored",
                "W " CPATH ":7: [" DCM "] option \"persistent-connections\" does not apply to "
                "stacd, ignored",
                "W " CPATH ":8: [" DCM "] option \"zeroconf-connections-persistence\" does not "
                "apply to stacd, ignored");
  assert_effective (c, "pleo", "enabled");
  assert_effective (c, "zeroconf", "enabled");
  assert_effective (c, "zeroconf-connections-persistence", "259200");
}

/* [CFG-15] obsolete keys are reported with their replacement and ignored. */
static void
test_obsolete_keys (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STACD,
                                   "[Global]\nudev-rule = enabled\nsticky-connections = true\n"
                                   "duplicate-connect = true\n",
                                   NULL, &diags);

  ASSERT_DIAGS (diags,
                "W " CPATH ":2: [Global] \"udev-rule\" is obsolete and ignored (stafd manages the "
                "nvme-cli udev rule)",
                "W " CPATH ":3: [Global] \"sticky-connections\" is obsolete and ignored, see "
                "disconnect-scope",
                "W " CPATH ":4: [Global] \"duplicate-connect\" is obsolete and ignored");
  assert_effective (c, "disconnect-scope", "only-stas-connections");
}

typedef struct
{
  const char *global; /* [Global] persistent-connections, NULL: absent */
  const char *dcm;    /* [DCM] persistent-connections, NULL: absent */
  gboolean effective;
} PersistentRow;

/* [CFG-15] the deprecated [Global] persistent-connections, with nvme-stas 2.4.1 semantics:
 * neither set → true; else true if either is true. */
static void
test_persistent_connections (void)
{
  static const PersistentRow rows[] = {
    { NULL, NULL, TRUE },      { "false", NULL, FALSE },    { "true", NULL, TRUE },
    { NULL, "false", FALSE },  { NULL, "true", TRUE },      { "true", "false", TRUE },
    { "false", "true", TRUE }, { "false", "false", FALSE }, { "bad", NULL, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (GString) text = g_string_new (NULL);
      g_autoptr (GPtrArray) diags = NULL;
      g_autoptr (StasConfig) c = NULL;
      gboolean warned = FALSE;

      if (rows[i].global != NULL)
        g_string_append_printf (text, "[Global]\npersistent-connections = %s\n", rows[i].global);
      if (rows[i].dcm != NULL)
        g_string_append_printf (text, "[" DCM "]\npersistent-connections = %s\n", rows[i].dcm);
      c = load (STAFD, text->str, NULL, &diags);
      g_assert_cmpint (stas_config_get_persistent_connections (c), ==, rows[i].effective);
      for (guint j = 0; j < diags->len; j++)
        {
          StasDiag *d = g_ptr_array_index (diags, j);
          if (strcmp (d->text, FPATH ":2: [Global] persistent-connections is deprecated, use "
                                     "[Discovery controller connection management] "
                                     "persistent-connections") == 0)
            warned = TRUE;
        }
      g_assert_cmpint (warned, ==, rows[i].global != NULL);
    }
}

/* [CFG-4] a repeated single-valued key: the last one wins (also across repeated sections),
 * with INFO naming the line it overrides; only the winning value is validated. */
static void
test_repeated_key (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STAFD,
                                   "[Global]\nkato = 10\nkato = junk\n[" SD "]\n[Global]\n"
                                   "KATO = 20\n",
                                   NULL, &diags);

  ASSERT_DIAGS (diags, "I " FPATH ":3: [Global] kato overrides the value at line 2",
                "I " FPATH ":6: [Global] kato overrides the value at line 3");
  assert_effective (c, "kato", "20");
}

/* [CFG-4] continuation lines: ignored with a warning for single-valued keys; one more entry
 * each for controller= and exclude=. */
static void
test_continuation (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STACD,
                                   "[Global]\n"
                                   "kato = 10\n"
                                   "   20\n"
                                   "bogus = 1\n"
                                   "   2\n"
                                   "[Controllers]\n"
                                   "controller =\n"
                                   "    transport=tcp;traddr=10.0.0.1;nqn=nqn.a:1\n"
                                   "    # comment inside\n"
                                   "    transport=tcp;traddr=10.0.0.2;nqn=nqn.a:2\n"
                                   "exclude = traddr=10.0.0.3\n"
                                   "  traddr=10.0.0.4\n",
                                   NULL, &diags);

  ASSERT_DIAGS (diags, "W " CPATH ":3: continuation line for single-valued option \"kato\" ignored",
                "W " CPATH ":4: [Global] unknown option \"bogus\", ignored");
  assert_effective (c, "kato", "10");
  g_assert_cmpuint (n_ctrls (c), ==, 2);
  g_assert_cmpstr (ctrl_at (c, 0)->traddr, ==, "10.0.0.1");
  g_assert_cmpuint (ctrl_at (c, 0)->line, ==, 8);
  g_assert_cmpstr (ctrl_at (c, 1)->traddr, ==, "10.0.0.2");
  g_assert_cmpuint (ctrl_at (c, 1)->line, ==, 10);
  g_assert_cmpuint (n_excls (c), ==, 2);
  g_assert_cmpstr (excl_at (c, 1)->traddr, ==, "10.0.0.4");
  g_assert_false (stas_config_has_invalid_controllers (c));
}

/* [CFG-3] [D-02] inline comments are stripped before validation. */
static void
test_inline_comments (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STAFD,
                                   "[Global]\nkato = 30  # comment\nip-family = ipv6 ; v6 only\n"
                                   "[Controllers]\n"
                                   "exclude = traddr=10.0.0.9 # a comment\n",
                                   NULL, &diags);

  ASSERT_NO_DIAGS (diags);
  assert_effective (c, "kato", "30");
  assert_effective (c, "ip-family", "ipv6");
  g_assert_true (stas_config_is_excluded (c, "tcp", "10.0.0.9", "8009", "nqn.x", "", "", ""));
}

/* [D-11] a section in the wrong case is used, with a warning. */
static void
test_section_case (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STACD,
                                   "[controllers]\ncontroller = transport=tcp;traddr=1.2.3.4;"
                                   "nqn=nqn.x:y\n[unknown]\nkato=1\n",
                                   NULL, &diags);

  ASSERT_DIAGS (diags, "W " CPATH ":1: section [controllers] should be spelled [Controllers]",
                "W " CPATH ":3: unknown section [unknown], its entries are ignored");
  g_assert_cmpuint (n_ctrls (c), ==, 1);
  assert_effective (c, "kato", "not set");
}

/* [D-03] [D-06] bad lines are reported and the rest of the file is used. */
static void
test_bad_lines_rest_used (void)
{
  static const char text[] = "tron = true\n[Global]\nkato\n\xc3\x28 = 1\n= 5\nkato = 40\n";
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasConfig) c =
      stas_config_load_from_data (STAFD, FPATH, text, sizeof text - 1, NULL, diags);

  ASSERT_DIAGS (diags, "W " FPATH ":1: entry outside of any section, ignored",
                "W " FPATH ":3: \"kato\" is not a key=value pair, ignored",
                "W " FPATH ":4: invalid UTF-8, line ignored",
                "W " FPATH ":5: missing key name, line ignored");
  assert_effective (c, "kato", "40");
  assert_effective (c, "tron", "false");
}

/* ---- controller= ([CFG-20]..[CFG-23]) -------------------------------------------------- */

typedef struct
{
  StasDaemonKind kind;
  const char *value;
  const char *diag; /* after "<file>:2: [Controllers] controller: " */
} RejectRow;

static const RejectRow rejects[] = {
  { STACD, "transport=tcp;traddr=1.2.3.4;4420;nqn=nqn.a:b", "malformed field \"4420\"" },
  { STACD, "transport=tcp;=x;traddr=1.2.3.4;nqn=nqn.a:b", "malformed field \"=x\"" },
  { STACD, "transport=tcp;traddr=192.168.10.32;nqn=nqn.a:b;trsvid=4420",
    "unknown field \"trsvid\"" },
  { STAFD, "transport=tcp;traddr=1.2.3.4;foo=bar", "unknown field \"foo\"" },
  { STAFD, "traddr=1.2.3.4", "missing transport" },
  { STAFD, "transport=;traddr=1.2.3.4", "missing transport" },
  { STAFD, "transport=pcie;traddr=1.2.3.4", "invalid transport \"pcie\"" },
  { STAFD, "transport=tcp", "missing traddr" },
  { STAFD, "transport=rdma;traddr=", "missing traddr" },
  { STAFD, "transport=fc;host-traddr=nn-0x20000090fa8d1234:pn-0x10000090fa8d1234",
    "missing traddr" },
  { STAFD, "transport=tcp;traddr=555.555.555.555", "invalid traddr \"555.555.555.555\"" },
  { STAFD, "transport=tcp;traddr=!@#$", "invalid traddr \"!@#$\"" },
  { STAFD, "transport=tcp;traddr=fe80::1%eth0", "invalid traddr \"fe80::1%eth0\"" },
  { STAFD,
    "transport=fc;traddr=nn-0x1234:pn-0x5678;host-traddr=nn-0x20000090fa8d1234:pn-"
    "0x10000090fa8d1234",
    "invalid fc address \"nn-0x1234:pn-0x5678\" (expected nn-0x<16 hex>:pn-0x<16 hex>)" },
  { STAFD, "transport=fc;traddr=nn-0x204600a098cbcac6:pn-0x204700a098cbcac6",
    "fc requires host-traddr" },
  { STAFD, "transport=fc;traddr=nn-0x204600a098cbcac6:pn-0x204700a098cbcac6;host-traddr=1.2.3.4",
    "invalid fc address \"1.2.3.4\" (expected nn-0x<16 hex>:pn-0x<16 hex>)" },
  { STAFD, "transport=tcp;traddr=1.2.3.4;trsvcid=0", "invalid trsvcid \"0\"" },
  { STAFD, "transport=tcp;traddr=1.2.3.4;trsvcid=65536", "invalid trsvcid \"65536\"" },
  { STAFD, "transport=tcp;traddr=1.2.3.4;trsvcid=abc", "invalid trsvcid \"abc\"" },
  { STAFD, "transport=tcp;traddr=1.2.3.4;trsvcid=+80", "invalid trsvcid \"+80\"" },
  { STACD, "transport=tcp;traddr=1.2.3.4", "missing nqn" },
  { STAFD, "transport=tcp;traddr=1.2.3.4;nqn=iqn.2001:x", "invalid nqn \"iqn.2001:x\"" },
  { STACD, "transport=tcp;traddr=1.2.3.4;subsysnqn=nqn.a\tb", "invalid nqn \"nqn.a\tb\"" },
  { STAFD, "transport=tcp;traddr=1.2.3.4;host-traddr=eth0", "invalid host-traddr \"eth0\"" },
  { STAFD, "transport=tcp;traddr=1.2.3.4;host-iface=averyveryverylongname",
    "invalid host-iface \"averyveryverylongname\"" },
  { STAFD, "transport=tcp;traddr=1.2.3.4;host-iface=eth0/1", "invalid host-iface \"eth0/1\"" },
  /* a ',' typed instead of ';' is caught by the value check */
  { STACD, "transport=tcp;traddr=1.2.3.4;host-iface=eth0,nqn=nqn.a:b",
    "invalid host-iface \"eth0,nqn=nqn.a:b\"" },
  { STAFD, "transport=tcp;traddr=1.2.3.4;host-id=1234", "invalid host-id \"1234\"" },
  { STAFD, "transport=tcp;traddr=1.2.3.4;host-nqn=host", "invalid host-nqn \"host\"" },
};

/* [CFG-20] [CFG-23] [D-16] bad-input §1.3: every reason an entry is ignored, with the
 * "contains invalid entries" warning once. */
static void
test_controller_rejects (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rejects); i++)
    {
      const RejectRow *r = &rejects[i];
      g_autofree char *text = g_strdup_printf ("[Controllers]\ncontroller = %s\n", r->value);
      g_autofree char *want = g_strdup_printf (
          "W %s:2: [Controllers] controller: %s, entry ignored", path_of (r->kind), r->diag);
      g_autofree char *want2 = g_strdup_printf ("W %s" INVALID_ENTRIES, path_of (r->kind));
      g_autoptr (GPtrArray) diags = NULL;
      g_autoptr (StasConfig) c = load (r->kind, text, NULL, &diags);

      g_test_message ("row %u: %s", i, r->value);
      ASSERT_DIAGS (diags, want, want2);
      g_assert_cmpuint (n_ctrls (c), ==, 0);
      g_assert_true (stas_config_has_invalid_controllers (c));
    }
}

/* [CFG-23] [D-15] the "contains invalid entries" warning comes once; valid entries are kept. */
static void
test_invalid_entries_once (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STAFD,
                                   "[Controllers]\n"
                                   "controller = transport=tcp;traddr=1.1.1.1\n"
                                   "controller = transport=xyz\n"
                                   "controller =\n"
                                   "controller = transport=tcp;traddr=2.2.2.2\n",
                                   NULL, &diags);

  ASSERT_DIAGS (diags,
                "W " FPATH ":3: [Controllers] controller: invalid transport \"xyz\", entry ignored",
                "W " FPATH INVALID_ENTRIES, "W " FPATH ":4: empty controller entry ignored");
  g_assert_true (stas_config_has_invalid_controllers (c));
  g_assert_cmpuint (n_ctrls (c), ==, 2);
}

/* [CFG-20] fields are trimmed, keys lower-cased, empty fields skipped, a value keeps its
 * further '=' (D-01); stafd fills in the well-known NQN. */
static void
test_controller_tokenise (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STAFD,
                                   "[Controllers]\n"
                                   "controller = ;Transport = TCP ;; TRADDR=cdc.example.com ;"
                                   " dhchap-secret=" SECRET " ;\n",
                                   NULL, &diags);
  const StasConfigController *ctrl;
  const StasConfigParam *p;

  ASSERT_NO_DIAGS (diags);
  g_assert_cmpuint (n_ctrls (c), ==, 1);
  ctrl = ctrl_at (c, 0);
  g_assert_cmpstr (ctrl->transport, ==, "tcp");
  g_assert_cmpstr (ctrl->traddr, ==, "cdc.example.com");
  g_assert_null (ctrl->trsvcid);
  g_assert_cmpstr (ctrl->subsysnqn, ==, "nqn.2014-08.org.nvmexpress.discovery");
  g_assert_null (ctrl->host_traddr);
  g_assert_null (ctrl->host_iface);
  g_assert_null (ctrl->host_nqn);
  g_assert_null (ctrl->host_id);
  p = stas_config_controller_get_param (ctrl, "dhchap-secret");
  g_assert_nonnull (p);
  g_assert_cmpint (p->type, ==, STAS_CONFIG_PARAM_SECRET);
  g_assert_cmpstr (p->secret, ==, SECRET); /* '==' padding kept */
  g_assert_null (stas_config_controller_get_param (ctrl, "kato"));
}

/* [CFG-20] step 4/5: nqn wins over subsysnqn; a key given twice keeps the last value. */
static void
test_controller_twice (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STACD,
                                   "[Controllers]\n"
                                   "controller = transport=tcp;traddr=1.1.1.1;subsysnqn=nqn.b:1;"
                                   "nqn=nqn.a:1;traddr=1.1.1.2;kato=5;kato=6\n",
                                   NULL, &diags);
  const StasConfigController *ctrl;

  ASSERT_DIAGS (
      diags,
      "W " CPATH ":2: [Controllers] controller: \"traddr\" given twice, using the last value",
      "W " CPATH ":2: [Controllers] controller: \"kato\" given twice, using the last value",
      "W " CPATH ":2: [Controllers] controller: both nqn and subsysnqn given, using nqn");
  ctrl = ctrl_at (c, 0);
  g_assert_cmpstr (ctrl->traddr, ==, "1.1.1.2");
  g_assert_cmpstr (ctrl->subsysnqn, ==, "nqn.a:1");
  g_assert_cmpint (stas_config_controller_get_param (ctrl, "kato")->int_value, ==, 6);
  g_assert_cmpuint (ctrl->params->len, ==, 1);
}

/* [CFG-20] step 6 [D-16]: [Global]-only keys are dropped, the entry stays; [CFG-21] I/O
 * queue parameters do not apply to discovery controllers. */
static void
test_controller_dropped_fields (void)
{
  g_autoptr (GPtrArray) d1 = NULL;
  g_autoptr (GPtrArray) d2 = NULL;
  g_autoptr (StasConfig) f = load (STAFD,
                                   "[Controllers]\n"
                                   "controller = transport=tcp;traddr=1.1.1.1;tron=true;pleo=x;"
                                   "ip-family=ipv4;ignore-iface=true;queue-size=64;"
                                   "nr-io-queues=2;nr-write-queues=2;nr-poll-queues=2\n",
                                   NULL, &d1);
  g_autoptr (StasConfig) c = load (STACD,
                                   "[Controllers]\n"
                                   "controller = transport=tcp;traddr=1.1.1.1;nqn=nqn.a:b;"
                                   "queue-size=64;nr-io-queues=2;nr-write-queues=3;"
                                   "nr-poll-queues=4\n",
                                   NULL, &d2);

#define DROP(k)                                                                                    \
  "W " FPATH ":2: [Controllers] controller: \"" k "\" cannot be set per controller, ignored"
#define NODC(k)                                                                                    \
  "W " FPATH ":2: [Controllers] controller: \"" k                                                  \
  "\" does not apply to discovery controllers, ignored"
  ASSERT_DIAGS (d1, DROP ("tron"), DROP ("pleo"), DROP ("ip-family"), DROP ("ignore-iface"),
                NODC ("queue-size"), NODC ("nr-io-queues"), NODC ("nr-write-queues"),
                NODC ("nr-poll-queues"));
#undef DROP
#undef NODC
  g_assert_cmpuint (n_ctrls (f), ==, 1);
  g_assert_cmpuint (ctrl_at (f, 0)->params->len, ==, 0);
  g_assert_false (stas_config_has_invalid_controllers (f));

  ASSERT_NO_DIAGS (d2);
  g_assert_cmpuint (ctrl_at (c, 0)->params->len, ==, 4);
}

/* [CFG-21] [D-05] valid fc and loop entries are used. */
static void
test_controller_fc_loop (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STACD,
                                   "[Controllers]\n"
                                   "controller = transport=FC;traddr=nn-0x204600A098CBCAC6:"
                                   "pn-0x204700a098cbcac6;host-traddr=nn-0x20000090fa8d1234:"
                                   "pn-0x10000090fa8d1234;nqn=nqn.a:fc;trsvcid=4420;"
                                   "host-iface=eth0\n"
                                   "controller = transport=loop;nqn=nqn.a:loop;traddr=x;"
                                   "trsvcid=1\n",
                                   NULL, &diags);
  const StasConfigController *fc, *loop;

  ASSERT_DIAGS (diags,
                "W " CPATH ":2: [Controllers] controller: trsvcid does not apply to fc, ignored",
                "W " CPATH ":2: [Controllers] controller: host-iface applies to tcp only, ignored",
                "W " CPATH ":3: [Controllers] controller: trsvcid does not apply to loop, ignored");
  g_assert_cmpuint (n_ctrls (c), ==, 2);
  fc = ctrl_at (c, 0);
  g_assert_cmpstr (fc->transport, ==, "fc");
  g_assert_cmpstr (fc->traddr, ==, "nn-0x204600A098CBCAC6:pn-0x204700a098cbcac6");
  g_assert_null (fc->trsvcid);
  g_assert_null (fc->host_iface);
  g_assert_cmpstr (fc->host_traddr, ==, "nn-0x20000090fa8d1234:pn-0x10000090fa8d1234");
  loop = ctrl_at (c, 1);
  g_assert_cmpstr (loop->transport, ==, "loop");
  g_assert_null (loop->traddr);
  g_assert_null (loop->trsvcid);
  g_assert_cmpstr (loop->subsysnqn, ==, "nqn.a:loop");
}

/* [CFG-21] tcp/rdma addresses: IP literals (v4, v6) and host names; host-iface only for tcp
 * [D-21]; a valid host-id [D-20] and host-nqn. Nothing is resolved or canonicalised here. */
static void
test_controller_addresses (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STAFD,
                                   "[Controllers]\n"
                                   "controller = transport=tcp;traddr=2001:0db8::1;trsvcid=04420;"
                                   "host-traddr=::ffff:10.0.0.1;host-iface=eth1;"
                                   "host-nqn=nqn.2014-08.org.nvmexpress:uuid:x;"
                                   "host-id=9D1A8B3E-2c4f-4e6a-9b7d-1f2e3d4c5b6a\n"
                                   "controller = transport=rdma;traddr=storage-1.example.com;"
                                   "host-iface=ib0\n",
                                   NULL, &diags);
  const StasConfigController *a, *b;

  ASSERT_DIAGS (diags,
                "W " FPATH ":3: [Controllers] controller: host-iface applies to tcp only, ignored");
  a = ctrl_at (c, 0);
  g_assert_cmpstr (a->traddr, ==, "2001:0db8::1");
  g_assert_cmpstr (a->trsvcid, ==, "04420");
  g_assert_cmpstr (a->host_traddr, ==, "::ffff:10.0.0.1");
  g_assert_cmpstr (a->host_iface, ==, "eth1");
  g_assert_cmpstr (a->host_nqn, ==, "nqn.2014-08.org.nvmexpress:uuid:x");
  g_assert_cmpstr (a->host_id, ==, "9D1A8B3E-2c4f-4e6a-9b7d-1f2e3d4c5b6a");
  g_assert_cmpuint (a->line, ==, 2);
  b = ctrl_at (c, 1);
  g_assert_cmpstr (b->transport, ==, "rdma");
  g_assert_cmpstr (b->traddr, ==, "storage-1.example.com");
  g_assert_null (b->host_iface);
}

/* [CFG-22] [D-08] an invalid parameter is dropped, the entry stays, the [Global] value
 * applies; secrets are redacted in the message. */
static void
test_controller_bad_params (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STACD,
                                   "[Global]\nkato = 50\n[Controllers]\n"
                                   "controller = transport=tcp;traddr=1.1.1.1;nqn=nqn.a:b;"
                                   "kato=xyz;queue-size=5;hdr-digest=yes;"
                                   "dhchap-secret=DHHC-1:zz:abc:;dhchap-ctrl-secret=secret\n",
                                   NULL, &diags);
  StasConnParams params;

#define P(t) "W " CPATH ":4: [Controllers] controller: " t
  ASSERT_DIAGS (
      diags,
      P ("invalid kato \"xyz\" (expected an integer in 0..4294967), the [Global] value is used"),
      P ("invalid queue-size \"5\" (expected an integer in 16..1024), the [Global] value is used"),
      P ("invalid hdr-digest \"yes\" (expected true or false), the [Global] value is used"),
      P ("invalid dhchap-secret \"<redacted>\" (expected DHHC-1:<2 hex>:<base64>:), ignored"),
      P ("invalid dhchap-ctrl-secret \"<redacted>\" (expected DHHC-1:<2 hex>:<base64>:), "
         "ignored"));
#undef P
  g_assert_cmpuint (n_ctrls (c), ==, 1);
  g_assert_false (stas_config_has_invalid_controllers (c));
  g_assert_cmpuint (ctrl_at (c, 0)->params->len, ==, 0);
  stas_config_get_conn_params (c, ctrl_at (c, 0), &params);
  g_assert_true (params.kato.set);
  g_assert_cmpint (params.kato.value, ==, 50);
  g_assert_null (params.dhchap_secret);
}

/* [CFG-22] parameters keep entry order and render as True/False, decimal, <redacted>. */
static void
test_controller_params_render (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STACD,
                                   "[Controllers]\n"
                                   "controller = transport=tcp;traddr=192.168.10.31;trsvcid=4420;"
                                   "dhchap-ctrl-secret=" SECRET2 ";kato=120;nqn=nqn.a:1;"
                                   "hdr-digest=TRUE;data-digest=false;ctrl-loss-tmo=-1;"
                                   "reconnect-delay=+7;disable-sqflow=true;dhchap-secret=" SECRET
                                   ";queue-size=128;nr-io-queues=8;nr-write-queues=1;"
                                   "nr-poll-queues=2\n",
                                   NULL, &diags);
  static const char *const keys[] = {
    "dhchap-ctrl-secret", "kato",           "hdr-digest",    "data-digest", "ctrl-loss-tmo",
    "reconnect-delay",    "disable-sqflow", "dhchap-secret", "queue-size",  "nr-io-queues",
    "nr-write-queues",    "nr-poll-queues"
  };
  static const char *const shown[] = { "<redacted>", "120",        "True", "False", "-1", "7",
                                       "True",       "<redacted>", "128",  "8",     "1",  "2" };
  const StasConfigController *ctrl;
  g_autofree char *str = NULL;

  ASSERT_NO_DIAGS (diags);
  ctrl = ctrl_at (c, 0);
  g_assert_cmpuint (ctrl->params->len, ==, G_N_ELEMENTS (keys));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const StasConfigParam *p = g_ptr_array_index (ctrl->params, i);
      g_autofree char *v = stas_config_param_to_string (p);
      g_assert_cmpstr (p->key, ==, keys[i]);
      g_assert_cmpstr (v, ==, shown[i]);
    }
  str = stas_config_controller_to_string (ctrl);
  g_assert_cmpstr (str, ==,
                   "transport=tcp;traddr=192.168.10.31;trsvcid=4420;nqn=nqn.a:1;"
                   "dhchap-ctrl-secret=<redacted>;kato=120;hdr-digest=True;data-digest=False;"
                   "ctrl-loss-tmo=-1;reconnect-delay=7;disable-sqflow=True;"
                   "dhchap-secret=<redacted>;queue-size=128;nr-io-queues=8;nr-write-queues=1;"
                   "nr-poll-queues=2");
}

/* [CFG-10] [D-18] connection parameters: [Global] overridden per controller; stafd never
 * passes the I/O queue parameters; kato 0 is not passed. */
static void
test_conn_params (void)
{
  g_autoptr (GPtrArray) d1 = NULL;
  g_autoptr (GPtrArray) d2 = NULL;
  g_autoptr (StasConfig) f = load (STAFD,
                                   "[Global]\nqueue-size = 64\nhdr-digest=true\n"
                                   "reconnect-delay=3\n[Controllers]\n"
                                   "controller = transport=tcp;traddr=1.1.1.1;kato=0;"
                                   "hdr-digest=false;dhchap-secret=" SECRET "\n",
                                   NULL, &d1);
  g_autoptr (StasConfig) c = load (STACD,
                                   "[Global]\nqueue-size = 64\nnr-io-queues=4\nctrl-loss-tmo=-1\n"
                                   "disable-sqflow=true\ndata-digest=true\n[Controllers]\n"
                                   "controller = transport=tcp;traddr=1.1.1.1;nqn=nqn.a:b;"
                                   "queue-size=32;kato=10\n",
                                   NULL, &d2);
  StasConnParams p;

  ASSERT_NO_DIAGS (d1);
  ASSERT_NO_DIAGS (d2);

  stas_config_get_conn_params (f, NULL, &p);
  g_assert_true (p.kato.set);
  g_assert_cmpint (p.kato.value, ==, 30);
  g_assert_false (p.queue_size.set);
  g_assert_true (p.hdr_digest);
  g_assert_true (p.reconnect_delay.set);
  g_assert_cmpint (p.reconnect_delay.value, ==, 3);
  g_assert_false (p.ctrl_loss_tmo.set);
  g_assert_null (p.dhchap_secret);

  stas_config_get_conn_params (f, ctrl_at (f, 0), &p);
  g_assert_false (p.kato.set); /* 0 is not passed */
  g_assert_false (p.hdr_digest);
  g_assert_cmpstr (p.dhchap_secret, ==, SECRET);
  g_assert_null (p.dhchap_ctrl_secret);

  stas_config_get_conn_params (c, NULL, &p);
  g_assert_false (p.kato.set);
  g_assert_true (p.queue_size.set);
  g_assert_cmpint (p.queue_size.value, ==, 64);
  g_assert_cmpint (p.nr_io_queues.value, ==, 4);
  g_assert_false (p.nr_write_queues.set);
  g_assert_cmpint (p.ctrl_loss_tmo.value, ==, -1);
  g_assert_true (p.disable_sqflow);
  g_assert_true (p.data_digest);
  g_assert_false (p.hdr_digest);

  stas_config_get_conn_params (c, ctrl_at (c, 0), &p);
  g_assert_cmpint (p.queue_size.value, ==, 32);
  g_assert_cmpint (p.kato.value, ==, 10);
  g_assert_cmpint (p.nr_io_queues.value, ==, 4);
}

/* ---- exclude= ([CFG-24]) --------------------------------------------------------------- */

/* [CFG-24] [D-04] bad-input §1.5: empty entries, unknown/malformed fields, host-traddr. */
static void
test_exclude_rejects (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STAFD,
                                   "[Controllers]\n"
                                   "exclude =\n"
                                   "exclude = # only a comment\n"
                                   "exclude = host-traddr=1.2.3.4\n"
                                   "exclude = transport=tcp;kato=5\n"
                                   "exclude = traddr=1.2.3.4;bogus\n"
                                   "exclude = traddr=1.2.3.5;host-traddr=1.1.1.1\n"
                                   "exclude = ;;\n",
                                   NULL, &diags);

  ASSERT_DIAGS (
      diags, "W " FPATH ":2: empty exclude entry ignored (it would exclude every controller)",
      "W " FPATH ":3: empty exclude entry ignored (it would exclude every controller)",
      "W " FPATH ":4: [Controllers] exclude: host-traddr does not apply to exclude=, ignored",
      "W " FPATH ":4: empty exclude entry ignored (it would exclude every controller)",
      "W " FPATH ":5: [Controllers] exclude: unknown field \"kato\", entry ignored",
      "W " FPATH ":6: [Controllers] exclude: malformed field \"bogus\", entry ignored",
      "W " FPATH ":7: [Controllers] exclude: host-traddr does not apply to exclude=, ignored",
      "W " FPATH ":8: empty exclude entry ignored (it would exclude every controller)");
  g_assert_cmpuint (n_excls (c), ==, 1);
  g_assert_cmpstr (excl_at (c, 0)->traddr, ==, "1.2.3.5");
  g_assert_false (stas_config_has_invalid_controllers (c));
  /* nothing else is excluded */
  g_assert_false (stas_config_is_excluded (c, "tcp", "9.9.9.9", "8009", "nqn.x", "eth0", "h", "i"));
  g_assert_true (stas_config_is_excluded (c, "tcp", "1.2.3.5", "8009", "nqn.x", "eth0", "h", "i"));
}

/* [CFG-14] blacklist is a deprecated alias of exclude. */
static void
test_blacklist (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STACD,
                                   "[Controllers]\nexclude = traddr=1.1.1.1\n"
                                   "blacklist = traddr=2.2.2.2 # old name\n"
                                   "  traddr=3.3.3.3\n",
                                   NULL, &diags);

  ASSERT_DIAGS (diags, "W " CPATH ":3: \"blacklist\" is deprecated, use \"exclude\"");
  g_assert_cmpuint (n_excls (c), ==, 3);
  g_assert_cmpstr (excl_at (c, 1)->traddr, ==, "2.2.2.2");
  g_assert_cmpuint (excl_at (c, 1)->line, ==, 3);
  g_assert_cmpstr (excl_at (c, 2)->traddr, ==, "3.3.3.3");
}

#define EXCLUDED(c, ...) stas_config_is_excluded ((c), __VA_ARGS__)

/* [CFG-24] [D-22] match rules: minimal match, IP-aware traddr, fc case-insensitive,
 * numeric trsvcid, exact NQN/iface/host-nqn, case-insensitive transport and host-id. */
static void
test_exclude_matching (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STACD,
                                   "[Controllers]\n"
                                   "exclude = host-iface=enp0s8\n"
                                   "exclude = transport=TCP;traddr=2001:0db8::1\n"
                                   "exclude = traddr=::ffff:10.0.0.7;trsvcid=04420\n"
                                   "exclude = traddr=NN-0x204600a098cbcac6:pn-0x204700a098cbcac6\n"
                                   "exclude = subsysnqn=nqn.a:b\n"
                                   "exclude = host-id=9D1A8B3E-2C4F-4E6A-9B7D-1F2E3D4C5B6A;"
                                   "host-nqn=nqn.h:1\n"
                                   "exclude = traddr=array.example.com\n"
                                   "exclude = transport=loop;trsvcid=\n",
                                   NULL, &diags);
  const StasConfigExclude *e;

  ASSERT_NO_DIAGS (diags);
  g_assert_cmpuint (n_excls (c), ==, 8);

  /* minimal match: everything on enp0s8 */
  g_assert_true (EXCLUDED (c, "rdma", "1.1.1.1", "4420", "nqn.x", "enp0s8", NULL, NULL));
  e = stas_config_find_exclude (c, "tcp", "1.1.1.1", "4420", "nqn.x", "enp0s8", NULL, NULL);
  g_assert_nonnull (e);
  g_assert_cmpuint (e->line, ==, 2);
  g_assert_false (EXCLUDED (c, "tcp", "1.1.1.1", "4420", "nqn.x", "enp0s9", NULL, NULL));
  g_assert_null (
      stas_config_find_exclude (c, "tcp", "1.1.1.1", "4420", "nqn.x", "enp0s9", NULL, NULL));

  /* IP-aware traddr, transport case-insensitive */
  g_assert_true (EXCLUDED (c, "tcp", "2001:db8::1", "4420", "nqn.x", "", NULL, NULL));
  g_assert_false (EXCLUDED (c, "rdma", "2001:db8::1", "4420", "nqn.x", "", NULL, NULL));
  g_assert_true (EXCLUDED (c, "rdma", "10.0.0.7", "4420", "nqn.x", "", NULL, NULL));
  g_assert_false (EXCLUDED (c, "rdma", "10.0.0.7", "8009", "nqn.x", "", NULL, NULL));

  /* fc addresses case-insensitive */
  g_assert_true (EXCLUDED (c, "fc", "nn-0x204600a098cbcac6:pn-0x204700A098CBCAC6", "", "nqn.x", "",
                           NULL, NULL));
  /* ... but not for other transports */
  g_assert_false (EXCLUDED (c, "loop", "nn-0x204600a098cbcac6:pn-0x204700A098CBCAC6", "x", "nqn.x",
                            "", NULL, NULL));

  /* subsystem NQN exact */
  g_assert_true (EXCLUDED (c, "tcp", "9.9.9.9", "4420", "nqn.a:b", "", NULL, NULL));
  g_assert_false (EXCLUDED (c, "tcp", "9.9.9.9", "4420", "nqn.a:B", "", NULL, NULL));

  /* host-id case-insensitive, host-nqn exact, both needed */
  g_assert_true (EXCLUDED (c, "tcp", "9.9.9.9", "4420", "nqn.x", "", "nqn.h:1",
                           "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"));
  g_assert_false (EXCLUDED (c, "tcp", "9.9.9.9", "4420", "nqn.x", "", "nqn.h:2",
                            "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"));
  g_assert_false (EXCLUDED (c, "tcp", "9.9.9.9", "4420", "nqn.x", "", "nqn.h:1", NULL));

  /* a host name compares exactly (the caller also tries the resolved address) */
  g_assert_true (EXCLUDED (c, "tcp", "array.example.com", "4420", "nqn.x", "", NULL, NULL));
  g_assert_false (EXCLUDED (c, "tcp", "Array.example.com", "4420", "nqn.x", "", NULL, NULL));

  /* an empty value matches an empty field */
  g_assert_true (EXCLUDED (c, "loop", NULL, NULL, "nqn.x", NULL, NULL, NULL));
  g_assert_false (EXCLUDED (c, "loop", NULL, "1", "nqn.x", NULL, NULL, NULL));
}

/* [CFG-24] exclude on host-iface never matches with ignore-iface=true, with a warning once. */
static void
test_exclude_ignore_iface (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STAFD,
                                   "[Controllers]\nexclude = traddr=1.1.1.1\n"
                                   "exclude = host-iface=eth9\nexclude = host-iface=eth8\n"
                                   "[Global]\nignore-iface = true\n",
                                   NULL, &diags);

  ASSERT_DIAGS (diags,
                "W " FPATH ":3: exclude on host-iface has no effect because ignore-iface=true");
  g_assert_false (EXCLUDED (c, "tcp", "2.2.2.2", "8009", "nqn.x", "eth9", NULL, NULL));
  g_assert_false (EXCLUDED (c, "tcp", "2.2.2.2", "8009", "nqn.x", "", NULL, NULL));
  g_assert_true (EXCLUDED (c, "tcp", "1.1.1.1", "8009", "nqn.x", "", NULL, NULL));
}

/* [CFG-24] nqn and subsysnqn in exclude=: nqn wins. */
static void
test_exclude_nqn (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c =
      load (STAFD, "[Controllers]\nexclude = subsysnqn=nqn.b:1;nqn=nqn.a:1\n", NULL, &diags);
  g_autofree char *s = NULL;

  ASSERT_DIAGS (diags,
                "W " FPATH ":2: [Controllers] exclude: both nqn and subsysnqn given, using nqn");
  g_assert_cmpstr (excl_at (c, 0)->subsysnqn, ==, "nqn.a:1");
  s = stas_config_exclude_to_string (excl_at (c, 0));
  g_assert_cmpstr (s, ==, "nqn=nqn.a:1");
}

/* ---- ip-family helper --------------------------------------------------------------------- */

static void
test_ip_family_allowed (void)
{
  g_autoptr (GPtrArray) d = NULL;
  g_autoptr (StasConfig) v4 = load (STAFD, "[Global]\nip-family=ipv4\n", NULL, &d);
  g_autoptr (StasConfig) both = stas_config_new_defaults (STAFD);

  g_assert_true (stas_config_ip_family_allowed (v4, 4));
  g_assert_false (stas_config_ip_family_allowed (v4, 6));
  g_assert_false (stas_config_ip_family_allowed (v4, 0));
  g_assert_true (stas_config_ip_family_allowed (both, 4));
  g_assert_true (stas_config_ip_family_allowed (both, 6));
  g_assert_cmpstr (stas_ip_family_to_string (STAS_IP_FAMILY_IPV6), ==, "ipv6");
  g_assert_cmpstr (stas_disconnect_scope_to_string (STAS_DISCONNECT_ALL_MATCHING_TRTYPES), ==,
                   "all-connections-matching-disconnect-trtypes");
}

/* ---- SIGHUP change description ------------------------------------------------------------ */

/* [D-19] changed options and added/removed entries are described, secrets redacted; a
 * parameter change of the same controller shows up. */
static void
test_describe_changes (void)
{
  g_autoptr (GPtrArray) d1 = NULL;
  g_autoptr (GPtrArray) d2 = NULL;
  g_autoptr (StasConfig) a = load (STAFD,
                                   "[Global]\nkato=30\n[Controllers]\n"
                                   "controller=transport=tcp;traddr=1.1.1.1;kato=5\n"
                                   "controller=transport=tcp;traddr=2.2.2.2\n"
                                   "exclude=traddr=9.9.9.9\n",
                                   NULL, &d1);
  g_autoptr (StasConfig) b = load (STAFD,
                                   "[Global]\nkato=60\nip-family=ipv6\n[Controllers]\n"
                                   "controller=transport=tcp;traddr=1.1.1.1;kato=6;"
                                   "dhchap-secret=" SECRET "\n"
                                   "controller=transport=tcp;traddr=2.2.2.2\n",
                                   NULL, &d2);
  g_auto (GStrv) changes = stas_config_describe_changes (a, b);
  g_auto (GStrv) none = stas_config_describe_changes (a, a);
  g_autoptr (GPtrArray) d3 = NULL;
  g_autoptr (StasConfig) p1 = stas_config_new_defaults (STAFD);
  g_autoptr (StasConfig) p2 = load (STAFD, "[" DCM "]\npersistent-connections=true\n", NULL, &d3);
  g_auto (GStrv) same = stas_config_describe_changes (p1, p2);

  g_assert_nonnull (none);
  g_assert_null (none[0]);
  g_assert_null (same[0]); /* default true → explicit true is no change */
  g_assert_cmpuint (g_strv_length (changes), ==, 5);
  g_assert_cmpstr (changes[0], ==, "[Global] kato changed from 30 to 60");
  g_assert_cmpstr (changes[1], ==, "[Global] ip-family changed from ipv4+ipv6 to ipv6");
  g_assert_cmpstr (changes[2], ==,
                   "[Controllers] controller removed: transport=tcp;traddr=1.1.1.1;"
                   "nqn=nqn.2014-08.org.nvmexpress.discovery;kato=5");
  g_assert_cmpstr (changes[3], ==,
                   "[Controllers] controller added: transport=tcp;traddr=1.1.1.1;"
                   "nqn=nqn.2014-08.org.nvmexpress.discovery;kato=6;dhchap-secret=<redacted>");
  g_assert_cmpstr (changes[4], ==, "[Controllers] exclude removed: traddr=9.9.9.9");
}

/* ---- files ([CFG-1]) ---------------------------------------------------------------------- */

typedef struct
{
  char *dir;
} TmpDir;

static void
tmpdir_setup (TmpDir *t, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  t->dir = g_dir_make_tmp ("stas-config-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
tmpdir_teardown (TmpDir *t, gconstpointer data)
{
  rm_rf (t->dir);
  g_free (t->dir);
}

/* [CFG-1] a missing file: defaults, silent for the default path, INFO with -f. */
static void
test_file_missing (TmpDir *t, gconstpointer data)
{
  g_autofree char *path = g_build_filename (t->dir, "stafd.conf", NULL);
  g_autofree char *want =
      g_strdup_printf ("I Configuration file %s not found, using defaults", path);
  g_autoptr (GPtrArray) d1 = stas_diags_new ();
  g_autoptr (GPtrArray) d2 = stas_diags_new ();
  g_autoptr (StasConfig) c1 = stas_config_load (STAFD, path, FALSE, NULL, d1);
  g_autoptr (StasConfig) c2 = stas_config_load (STAFD, path, TRUE, NULL, d2);
  g_autoptr (StasConfig) c3 = stas_config_load (STACD, NULL, FALSE, NULL, d1);

  ASSERT_NO_DIAGS (d1);
  ASSERT_DIAGS (d2, want);
  g_assert_cmpstr (stas_config_get_path (c1), ==, path);
  g_assert_null (stas_config_get_path (c3));
  assert_effective (c1, "kato", "30");
  assert_effective (c2, "kato", "30");
  assert_effective (c3, "kato", "not set");
}

/* [CFG-1] [BAD-2] an unreadable file: WARNING; defaults at start-up, the previous
 * configuration unchanged on SIGHUP. */
static void
test_file_unreadable (TmpDir *t, gconstpointer data)
{
  g_autofree char *path = g_build_filename (t->dir, "stacd.conf", NULL);
  g_autofree char *want =
      g_strdup_printf ("W %s: cannot read configuration file: %s", path, g_strerror (EISDIR));
  g_autoptr (GPtrArray) d1 = stas_diags_new ();
  g_autoptr (GPtrArray) d2 = stas_diags_new ();
  g_autoptr (GPtrArray) d3 = stas_diags_new ();
  g_autoptr (StasConfig) prev = NULL;
  g_autoptr (StasConfig) c1 = NULL;
  g_autoptr (StasConfig) c2 = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "[Global]\nkato = 77\n", -1, &error));
  prev = stas_config_load (STACD, path, TRUE, NULL, d1);
  ASSERT_NO_DIAGS (d1);
  assert_effective (prev, "kato", "77");
  g_assert_cmpstr (stas_config_get_path (prev), ==, path);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_mkdir (path, 0700), ==, 0); /* a directory cannot be read */

  c1 = stas_config_load (STACD, path, TRUE, NULL, d2);
  ASSERT_DIAGS (d2, want);
  assert_effective (c1, "kato", "not set");

  c2 = stas_config_load (STACD, path, TRUE, prev, d3);
  ASSERT_DIAGS (d3, want);
  g_assert_true (c2 == prev);
}

/* ---- worked examples (§7.1, §7.2) --------------------------------------------------------- */

static const char example_stafd[] =
    "# /etc/stas/stafd.conf\n"
    "[Global]\n"
    "tron = false\n"
    "kato = 30            # keep-alive for DCs; this comment is stripped\n"
    "ip-family = ipv4     ; IPv4 only, comment stripped too\n"
    "pleo = Enabled\n"
    "\n"
    "[Service Discovery]\n"
    "zeroconf = enabled\n"
    "\n"
    "[Discovery controller connection management]\n"
    "persistent-connections = true\n"
    "zeroconf-connections-persistence = 3 days 5 hours\n"
    "\n"
    "[Controllers]\n"
    "# A DDC reached through eth1, default port 8009, well-known NQN\n"
    "controller = transport=tcp;traddr=192.168.10.30;host-iface=eth1\n"
    "# A CDC with its unique NQN (TP8013) and a DH-HMAC-CHAP secret that ends in '='\n"
    "controller = transport=tcp ; traddr=cdc.example.com ; "
    "nqn=nqn.1988-11.com.dell:SFSS:1:20221122170722e8 ; dhchap-secret=" SECRET "\n"
    "# Fibre Channel DC\n"
    "controller = transport=fc;traddr=nn-0x204600a098cbcac6:pn-0x204700a098cbcac6;"
    "host-traddr=nn-0x20000090fa8d1234:pn-0x10000090fa8d1234\n"
    "exclude = transport=tcp;traddr=fe80::2c6e:dee7:857:26bb   # eliminate a specific address\n"
    "exclude = host-iface=eth9                                  # everything seen on eth9\n"
    "exclude =\n"
    "kato\n";

/* §7.1: effective values and the exact diagnostics of the stafd.conf example. */
static void
test_example_stafd (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STAFD, example_stafd, NULL, &diags);
  const StasConfigController *ctrl;

  ASSERT_DIAGS (
      diags,
      "W /etc/stas/stafd.conf:24: empty exclude entry ignored (it would exclude every controller)",
      "W /etc/stas/stafd.conf:25: \"kato\" is not a key=value pair, ignored");
  assert_no_secret (diags);
  assert_effective (c, "kato", "30");
  g_assert_cmpint (stas_config_get_ip_family (c), ==, STAS_IP_FAMILY_IPV4);
  g_assert_true (stas_config_get_pleo (c));
  g_assert_true (stas_config_get_zeroconf (c));
  g_assert_true (stas_config_get_persistent_connections (c));
  g_assert_cmpfloat (stas_config_get_zeroconf_persistence (c), ==, 277200);
  g_assert_false (stas_config_has_invalid_controllers (c));

  g_assert_cmpuint (n_ctrls (c), ==, 3);
  ctrl = ctrl_at (c, 0);
  g_assert_cmpstr (ctrl->transport, ==, "tcp");
  g_assert_cmpstr (ctrl->traddr, ==, "192.168.10.30");
  g_assert_null (ctrl->trsvcid); /* the TID applies 8009 */
  g_assert_cmpstr (ctrl->subsysnqn, ==, "nqn.2014-08.org.nvmexpress.discovery");
  g_assert_cmpstr (ctrl->host_iface, ==, "eth1");
  ctrl = ctrl_at (c, 1);
  g_assert_cmpstr (ctrl->traddr, ==, "cdc.example.com");
  g_assert_cmpstr (ctrl->subsysnqn, ==, "nqn.1988-11.com.dell:SFSS:1:20221122170722e8");
  g_assert_cmpstr (stas_config_controller_get_param (ctrl, "dhchap-secret")->secret, ==, SECRET);
  ctrl = ctrl_at (c, 2);
  g_assert_cmpstr (ctrl->transport, ==, "fc");
  g_assert_null (ctrl->trsvcid);

  g_assert_cmpuint (n_excls (c), ==, 2);
  g_assert_true (
      EXCLUDED (c, "tcp", "fe80::2c6e:dee7:857:26bb", "8009", "nqn.x", "eth1", NULL, NULL));
  g_assert_true (EXCLUDED (c, "tcp", "10.0.0.1", "8009", "nqn.x", "eth9", NULL, NULL));
  g_assert_false (EXCLUDED (c, "tcp", "192.168.10.30", "8009",
                            "nqn.2014-08.org.nvmexpress.discovery", "eth1", NULL, NULL));
}

static const char example_stacd[] =
    "# /etc/stas/stacd.conf\n"
    "[Global]\n"
    "ignore-iface = false\n"
    "queue-size = 256\n"
    "nr-io-queues = 8\n"
    "ctrl-loss-tmo = -1\n"
    "kato = abc\n"
    "\n"
    "[I/O controller connection management]\n"
    "disconnect-scope = all-connections-matching-disconnect-trtypes\n"
    "disconnect-trtypes = tcp + rdma\n"
    "connect-attempts-on-ncc = 1\n"
    "\n"
    "[Controllers]\n"
    "controller = transport=tcp;traddr=192.168.10.31;trsvcid=4420;"
    "nqn=nqn.2023-01.com.example:array1;kato=120;hdr-digest=true\n"
    "controller = transport=rdma;traddr=10.1.1.5;nqn=nqn.2023-01.com.example:array2;"
    "host-iface=ib0\n"
    "controller = transport=tcp;traddr=192.168.10.32;nqn=nqn.2023-01.com.example:array3;"
    "trsvid=4420\n"
    "controller = transport=loop;nqn=nqn.2023-01.com.example:loop-test\n"
    "exclude = nqn=nqn.2023-01.com.example:array9\n";

/* §7.2: effective values and the exact diagnostics of the stacd.conf example. */
static void
test_example_stacd (void)
{
  g_autoptr (GPtrArray) diags = NULL;
  g_autoptr (StasConfig) c = load (STACD, example_stacd, NULL, &diags);
  const StasConfigController *ctrl;
  StasConnParams p;
  g_autofree char *kato = NULL;
  g_autofree char *hdr = NULL;

  ASSERT_DIAGS (diags,
                "W /etc/stas/stacd.conf:7: [Global] kato: invalid value \"abc\" (expected an "
                "integer in 0..4294967); using the default (not set)",
                "I /etc/stas/stacd.conf:12: connect-attempts-on-ncc=1 is not allowed, using 2",
                "W /etc/stas/stacd.conf:16: [Controllers] controller: host-iface applies to tcp "
                "only, ignored",
                "W /etc/stas/stacd.conf:17: [Controllers] controller: unknown field \"trsvid\", "
                "entry ignored",
                "W /etc/stas/stacd.conf" INVALID_ENTRIES);
  assert_effective (c, "queue-size", "256");
  assert_effective (c, "ctrl-loss-tmo", "-1");
  assert_effective (c, "kato", "not set");
  assert_effective (c, "disconnect-scope", "all-connections-matching-disconnect-trtypes");
  g_assert_cmpint (stas_config_get_disconnect_trtypes (c), ==, STAS_TRTYPE_TCP | STAS_TRTYPE_RDMA);
  g_assert_cmpuint (stas_config_get_connect_attempts_on_ncc (c), ==, 2);
  g_assert_true (stas_config_has_invalid_controllers (c));

  g_assert_cmpuint (n_ctrls (c), ==, 3);
  ctrl = ctrl_at (c, 0);
  g_assert_cmpstr (ctrl->trsvcid, ==, "4420");
  g_assert_cmpstr (ctrl->subsysnqn, ==, "nqn.2023-01.com.example:array1");
  g_assert_cmpuint (ctrl->params->len, ==, 2);
  kato = stas_config_param_to_string (g_ptr_array_index (ctrl->params, 0));
  hdr = stas_config_param_to_string (g_ptr_array_index (ctrl->params, 1));
  g_assert_cmpstr (kato, ==, "120");
  g_assert_cmpstr (hdr, ==, "True");
  stas_config_get_conn_params (c, ctrl, &p);
  g_assert_cmpint (p.queue_size.value, ==, 256);
  g_assert_cmpint (p.nr_io_queues.value, ==, 8);
  g_assert_cmpint (p.kato.value, ==, 120);
  ctrl = ctrl_at (c, 1);
  g_assert_cmpstr (ctrl->transport, ==, "rdma");
  g_assert_null (ctrl->host_iface);
  ctrl = ctrl_at (c, 2);
  g_assert_cmpstr (ctrl->transport, ==, "loop");
  g_assert_cmpuint (n_excls (c), ==, 1);
  g_assert_true (
      EXCLUDED (c, "tcp", "1.1.1.1", "4420", "nqn.2023-01.com.example:array9", "", NULL, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/CFG-10/D-17/defaults", test_defaults);
  g_test_add_func ("/config/CFG-5/CFG-7/values", test_values);
  g_test_add_func ("/config/CFG-5/list-items", test_list_items);
  g_test_add_func ("/config/CFG-7/D-14/reload-keeps-previous", test_reload_keeps_previous);
  g_test_add_func ("/config/CFG-7/reload-removed-key", test_reload_removed_key);
  g_test_add_func ("/config/CFG-7/secret-not-echoed", test_secret_not_echoed);
  g_test_add_func ("/config/CFG-2/unknown-option", test_unknown_option);
  g_test_add_func ("/config/CFG-2/D-13/other-daemon", test_other_daemon);
  g_test_add_func ("/config/CFG-15/obsolete-keys", test_obsolete_keys);
  g_test_add_func ("/config/CFG-15/persistent-connections", test_persistent_connections);
  g_test_add_func ("/config/CFG-4/repeated-key", test_repeated_key);
  g_test_add_func ("/config/CFG-4/continuation", test_continuation);
  g_test_add_func ("/config/CFG-3/D-02/inline-comments", test_inline_comments);
  g_test_add_func ("/config/CFG-2/D-11/section-case", test_section_case);
  g_test_add_func ("/config/CFG-2/D-03/D-06/bad-lines", test_bad_lines_rest_used);
  g_test_add_func ("/config/CFG-23/D-16/controller-rejects", test_controller_rejects);
  g_test_add_func ("/config/CFG-23/D-15/invalid-entries-once", test_invalid_entries_once);
  g_test_add_func ("/config/CFG-20/D-01/controller-tokenise", test_controller_tokenise);
  g_test_add_func ("/config/CFG-20/controller-twice", test_controller_twice);
  g_test_add_func ("/config/CFG-20/D-16/controller-dropped-fields", test_controller_dropped_fields);
  g_test_add_func ("/config/CFG-21/D-05/controller-fc-loop", test_controller_fc_loop);
  g_test_add_func ("/config/CFG-21/D-21/controller-addresses", test_controller_addresses);
  g_test_add_func ("/config/CFG-22/D-08/controller-bad-params", test_controller_bad_params);
  g_test_add_func ("/config/CFG-22/controller-params-render", test_controller_params_render);
  g_test_add_func ("/config/CFG-10/D-18/conn-params", test_conn_params);
  g_test_add_func ("/config/CFG-24/D-04/exclude-rejects", test_exclude_rejects);
  g_test_add_func ("/config/CFG-14/blacklist", test_blacklist);
  g_test_add_func ("/config/CFG-24/D-22/exclude-matching", test_exclude_matching);
  g_test_add_func ("/config/CFG-24/exclude-ignore-iface", test_exclude_ignore_iface);
  g_test_add_func ("/config/CFG-24/exclude-nqn", test_exclude_nqn);
  g_test_add_func ("/config/CFG-10/ip-family-allowed", test_ip_family_allowed);
  g_test_add_func ("/config/D-19/describe-changes", test_describe_changes);
  g_test_add ("/config/CFG-1/file-missing", TmpDir, NULL, tmpdir_setup, test_file_missing,
              tmpdir_teardown);
  g_test_add ("/config/CFG-1/file-unreadable", TmpDir, NULL, tmpdir_setup, test_file_unreadable,
              tmpdir_teardown);
  g_test_add_func ("/config/example-7.1-stafd", test_example_stafd);
  g_test_add_func ("/config/example-7.2-stacd", test_example_stacd);

  return g_test_run ();
}
