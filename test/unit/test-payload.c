/* test-payload.c — the D-Bus payloads (spec/dbus.md §5): the worked replies of §7
 * reproduced byte for byte from the scenario's inputs, the value formats of §5.5, and the
 * optional keys. The SPEC_* texts are the blocks of spec/dbus.md §7 as printed there
 * (HOSTNQN / HOSTID placeholders, wrapped lines). */
#include "config.h"

#include <string.h>

#include "stas-json.h"
#include "stas-payload.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOSTID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define DELL_NQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"
#define ARRAY1_NQN "nqn.2023-01.com.example:array1"
#define ARRAY2_NQN "nqn.2023-01.com.example:array2"
#define OP_DONE "{'fail count': 0, 'completed': True, 'alive': True}"

static const char SPEC_7_1[] =
    "$ gdbus call --system --dest org.nvmexpress.staf --object-path /org/nvmexpress/staf \\\n"
    "      --method org.nvmexpress.staf.list_controllers false\n"
    "([{'traddr': '192.168.10.30', 'trsvcid': '8009', 'transport': 'tcp',\n"
    "   'subsysnqn': 'nqn.2014-08.org.nvmexpress.discovery', 'host-iface': 'eth1', 'host-traddr': "
    "'',\n"
    "   'kato': '60', 'host-nqn': 'HOSTNQN', 'host-id': 'HOSTID', 'device': 'nvme0'},\n"
    "  {'traddr': '192.168.10.20', 'trsvcid': '8009', 'transport': 'tcp',\n"
    "   'subsysnqn': 'nqn.1988-11.com.dell:SFSS:1:20221122170722e8', 'host-iface': 'eth1', "
    "'host-traddr': '',\n"
    "   'host-nqn': 'HOSTNQN', 'host-id': 'HOSTID', 'device': 'nvme1'}],)";

static const char SPEC_7_2[] =
    "{'traddr': '192.168.10.20', 'trsvcid': '8009', 'transport': 'tcp',\n"
    " 'subsysnqn': 'nqn.1988-11.com.dell:SFSS:1:20221122170722e8', 'host-iface': 'eth1', "
    "'host-traddr': '',\n"
    " 'host-nqn': 'HOSTNQN', 'host-id': 'HOSTID', 'device': 'nvme1',\n"
    " 'connect attempts': '0', 'retry connect timer': '60.0s [off]',\n"
    " 'origin': 'discovered', 'unresponsive timer': '0.0s [off]', 'unresponsive timeout': '259200 "
    "sec',\n"
    " 'unresponsive time': '---',\n"
    " 'get log page operation': \"{'fail count': 0, 'completed': True, 'alive': True}\",\n"
    " 'register operation': \"{'fail count': 0, 'completed': True, 'alive': True}\",\n"
    " 'log pages state': 'current', 'log pages dropped': '0', 'referral depth': '0',\n"
    " 'mdns advertised': 'True', 'unresponsive removal time': '---',\n"
    " 'hostid': 'HOSTID', 'hostnqn': 'HOSTNQN', 'model': 'SmartFabric Storage Software', 'serial': "
    "'SFSS0001',\n"
    " 'dctype': 'cdc', 'cntrltype': 'discovery', 'connected': 'True'}";

static const char SPEC_7_3[] =
    "$ gdbus call --system --dest org.nvmexpress.staf --object-path /org/nvmexpress/staf \\\n"
    "      --method org.nvmexpress.staf.get_log_pages tcp 192.168.10.20 8009 \\\n"
    "      nqn.1988-11.com.dell:SFSS:1:20221122170722e8 '' eth1 ''\n"
    "([{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.168.10.31', 'trsvcid': '4420',\n"
    "   'subnqn': 'nqn.2023-01.com.example:array1', 'subtype': 'nvme', 'treq': 'not specified',\n"
    "   'portid': '1', 'cntlid': '65535', 'asqsz': '32', 'eflags': '0'},\n"
    "  {'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.168.10.32', 'trsvcid': '4420',\n"
    "   'subnqn': 'nqn.2023-01.com.example:array2', 'subtype': 'nvme', 'treq': 'not specified',\n"
    "   'portid': '2', 'cntlid': '65535', 'asqsz': '32', 'eflags': '4'},\n"
    "  {'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.168.10.20', 'trsvcid': '8009',\n"
    "   'subnqn': 'nqn.1988-11.com.dell:SFSS:1:20221122170722e8', 'subtype': 'discovery',\n"
    "   'treq': 'not specified', 'portid': '1', 'cntlid': '65535', 'asqsz': '32', 'eflags': "
    "'0'}],)";

static const char SPEC_7_4_FALSE[] =
    "[{\"discovery-controller\": {\"traddr\": \"192.168.10.30\", \"trsvcid\": \"8009\", "
    "\"transport\": \"tcp\",\n"
    "\"subsysnqn\": \"nqn.2014-08.org.nvmexpress.discovery\", \"host-iface\": \"eth1\", "
    "\"host-traddr\": \"\",\n"
    "\"kato\": \"60\", \"host-nqn\": \"HOSTNQN\", \"host-id\": \"HOSTID\", \"device\": "
    "\"nvme0\"},\n"
    "\"log-pages\": [{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": \"192.168.10.31\", "
    "\"trsvcid\": \"4420\",\n"
    "\"subnqn\": \"nqn.2023-01.com.example:array1\", \"subtype\": \"nvme\", \"treq\": \"not "
    "specified\",\n"
    "\"portid\": \"1\", \"cntlid\": \"65535\", \"asqsz\": \"32\", \"eflags\": \"0\"}]},\n"
    "{\"discovery-controller\": {\"traddr\": \"192.168.10.20\", \"trsvcid\": \"8009\", "
    "\"transport\": \"tcp\",\n"
    "\"subsysnqn\": \"nqn.1988-11.com.dell:SFSS:1:20221122170722e8\", \"host-iface\": \"eth1\",\n"
    "\"host-traddr\": \"\", \"host-nqn\": \"HOSTNQN\", \"host-id\": \"HOSTID\", \"device\": "
    "\"nvme1\"},\n"
    "\"log-pages\": [ ...the three entries of 7.3... ]}]";

static const char SPEC_7_4_TRUE_DC2[] =
    "{\"discovery-controller\": {\"traddr\": \"192.168.10.20\", \"trsvcid\": \"8009\", "
    "\"transport\": \"tcp\",\n"
    "\"subsysnqn\": \"nqn.1988-11.com.dell:SFSS:1:20221122170722e8\", \"host-iface\": \"eth1\",\n"
    "\"host-traddr\": \"\", \"host-nqn\": \"HOSTNQN\", \"host-id\": \"HOSTID\", \"device\": "
    "\"nvme1\",\n"
    "\"connect attempts\": \"0\", \"retry connect timer\": \"60.0s [off]\", \"origin\": "
    "\"discovered\",\n"
    "\"unresponsive timer\": \"0.0s [off]\", \"unresponsive timeout\": \"259200 sec\", "
    "\"unresponsive time\": \"---\",\n"
    "\"get log page operation\": \"{'fail count': 0, 'completed': True, 'alive': True}\",\n"
    "\"register operation\": \"{'fail count': 0, 'completed': True, 'alive': True}\",\n"
    "\"log pages state\": \"current\", \"log pages dropped\": \"0\", \"referral depth\": \"0\",\n"
    "\"mdns advertised\": \"True\", \"unresponsive removal time\": \"---\", \"hostid\": "
    "\"HOSTID\",\n"
    "\"hostnqn\": \"HOSTNQN\", \"model\": \"SmartFabric Storage Software\", \"serial\": "
    "\"SFSS0001\",\n"
    "\"dctype\": \"cdc\", \"cntrltype\": \"discovery\", \"connected\": \"True\"},\n"
    "\"log-pages\": [ ...the three entries of 7.3... ]}";

static const char SPEC_7_5[] =
    "$ gdbus call --system --dest org.nvmexpress.staf --object-path /org/nvmexpress/staf \\\n"
    "      --method org.nvmexpress.staf.debug.controller_info tcp 192.168.10.30 8009 \\\n"
    "      nqn.2014-08.org.nvmexpress.discovery '' eth1 HOSTNQN\n"
    "('{\"traddr\": \"192.168.10.30\", \"trsvcid\": \"8009\", \"transport\": \"tcp\", "
    "\"subsysnqn\": \"nqn.2014-08.org.nvmexpress.discovery\", \"host-iface\": \"eth1\", "
    "\"host-traddr\": \"\", \"kato\": \"60\", \"host-nqn\": \"HOSTNQN\", \"host-id\": \"HOSTID\", "
    "\"device\": \"nvme0\", \"connect attempts\": \"0\", \"retry connect timer\": \"60.0s [off]\", "
    "\"origin\": \"configured\", \"get log page operation\": \"{\\'fail count\\': 0, "
    "\\'completed\\': True, \\'alive\\': True}\", \"register operation\": \"{\\'fail count\\': 0, "
    "\\'completed\\': True, \\'alive\\': True}\", \"get supported log page operation\": \"{\\'fail "
    "count\\': 0, \\'completed\\': True, \\'alive\\': True}\", \"log pages state\": \"current\", "
    "\"log pages dropped\": \"0\", \"referral depth\": \"0\"}',)";

static const char SPEC_7_6[] =
    "{\"tron\": false, \"log-level\": \"INFO\", \"hostnqn\": \"HOSTNQN\", \"hostid\": \"HOSTID\", "
    "\"hostkey\": null,\n"
    "\"symname\": null, \"last known config file\": \"/run/stafd/last-known-config.json\",\n"
    "\"config soak timer\": \"1.5s [off]\", \"kernel support.TP8013\": \"True\", \"kernel "
    "support.host_iface\": \"True\",\n"
    "\"terminator.audit timer\": \"30.0s [off]\",\n"
    "\"avahi\": {\"avahi wake up timer\": \"60.0s [off]\", \"service types\": "
    "[\"_nvme-disc._tcp\", \"_nvme-disc._udp\"],\n"
    "\"services\": {\"(eth1, IPv4, SFSS.local, _nvme-disc._tcp)\": {\"transport\": \"tcp\", "
    "\"traddr\": \"192.168.10.20\",\n"
    "\"trsvcid\": \"8009\", \"host-iface\": \"eth1\", \"subsysnqn\": "
    "\"nqn.1988-11.com.dell:SFSS:1:20221122170722e8\",\n"
    "\"reachable\": \"True\", \"check timer\": \"2.0s [off]\"}}},\n"
    "\"kernel support.dhchap_secret\": \"True\", \"kernel support.dhchap_ctrl_secret\": \"True\",\n"
    "\"sysfs resync timer\": \"60.0s [41.7s]\", \"udev overflows\": \"0\"}";

static const char SPEC_7_7_FALSE[] =
    "([{'traddr': '192.168.10.31', 'trsvcid': '4420', 'transport': 'tcp',\n"
    "   'subsysnqn': 'nqn.2023-01.com.example:array1', 'host-iface': 'eth1', 'host-traddr': '',\n"
    "   'host-nqn': 'HOSTNQN', 'host-id': 'HOSTID', 'device': 'nvme2'},\n"
    "  {'traddr': '192.168.10.32', 'trsvcid': '4420', 'transport': 'tcp',\n"
    "   'subsysnqn': 'nqn.2023-01.com.example:array2', 'host-iface': 'eth1', 'host-traddr': '',\n"
    "   'host-nqn': 'HOSTNQN', 'host-id': 'HOSTID', 'device': 'nvme?'}],)";

static const char SPEC_7_7_TRUE_IOC2[] =
    "{'traddr': '192.168.10.32', 'trsvcid': '4420', 'transport': 'tcp',\n"
    " 'subsysnqn': 'nqn.2023-01.com.example:array2', 'host-iface': 'eth1', 'host-traddr': '',\n"
    " 'host-nqn': 'HOSTNQN', 'host-id': 'HOSTID', 'device': 'nvme?',\n"
    " 'connect attempts': '7', 'retry connect timer': '60.0s [42.3s]', 'origin': 'discovered',\n"
    " 'hostid': '', 'hostnqn': '', 'model': '', 'serial': '', 'dctype': '', 'cntrltype': '',\n"
    " 'connected': 'False',\n"
    " 'dlpe': \"{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.168.10.32', 'trsvcid': '4420', "
    "'subnqn': 'nqn.2023-01.com.example:array2', 'subtype': 'nvme', 'treq': 'not specified', "
    "'portid': '2', 'cntlid': '65535', 'asqsz': '32', 'eflags': '4'}\",\n"
    " 'dlpe.eflags.ncc': 'True'}";

static const char SPEC_7_7B[] =
    "$ gdbus call --system --dest org.nvmexpress.stac --object-path /org/nvmexpress/stac \\\n"
    "      --method org.nvmexpress.stac.debug.controller_info tcp 192.168.10.31 4420 \\\n"
    "      nqn.2023-01.com.example:array1 '' eth1 ''\n"
    "('{\"traddr\": \"192.168.10.31\", \"trsvcid\": \"4420\", \"transport\": \"tcp\", "
    "\"subsysnqn\": \"nqn.2023-01.com.example:array1\", \"host-iface\": \"eth1\", \"host-traddr\": "
    "\"\", \"host-nqn\": \"HOSTNQN\", \"host-id\": \"HOSTID\", \"device\": \"nvme2\", \"connect "
    "attempts\": \"0\", \"retry connect timer\": \"60.0s [off]\", \"origin\": \"discovered\"}',)";

static const char SPEC_7_8[] =
    "{\"tron\": false, \"log-level\": \"INFO\", \"hostnqn\": \"HOSTNQN\", \"hostid\": \"HOSTID\", "
    "\"hostkey\": null,\n"
    "\"symname\": null, \"last known config file\": \"/run/stacd/last-known-config.json\",\n"
    "\"config soak timer\": \"1.5s [off]\", \"kernel support.TP8013\": \"True\", \"kernel "
    "support.host_iface\": \"True\",\n"
    "\"terminator.audit timer\": \"30.0s [off]\", \"kernel support.dhchap_secret\": \"True\",\n"
    "\"kernel support.dhchap_ctrl_secret\": \"True\", \"sysfs resync timer\": \"60.0s [12.0s]\",\n"
    "\"udev overflows\": \"0\", \"stafd data\": \"complete\", \"stafd name owner\": \":1.17\"}";

/* ---- helpers ------------------------------------------------------------------------------ */

/* A spec block with the placeholders replaced. */
static char *
spec_text (const char *block)
{
  g_autoptr (GString) s = g_string_new (block);

  g_string_replace (s, "HOSTNQN", HOSTNQN, 0);
  g_string_replace (s, "HOSTID", HOSTID, 0);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* A wrapped one-line JSON text of the spec: lines are joined by the space of ", ". */
static char *
spec_json (const char *block)
{
  g_autoptr (GString) s = g_string_new (NULL);
  g_autofree char *text = spec_text (block);

  g_string_append (s, text);
  g_string_replace (s, "\n", " ", 0);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The GVariant a gdbus call prints (the command lines before it are skipped). */
static GVariant *
spec_variant (const char *block, const char *type)
{
  g_autofree char *text = spec_text (block);
  const char *start = text;
  g_autoptr (GError) error = NULL;
  GVariant *value;

  while (*start != '(' && *start != '{' && *start != '[')
    {
      start = strchr (start, '\n');
      g_assert_nonnull (start);
      start++;
    }
  value = g_variant_parse (G_VARIANT_TYPE (type), start, NULL, NULL, &error);
  g_assert_no_error (error);
  return value;
}

static void
assert_variant (GVariant *actual, GVariant *expected)
{
  g_autofree char *a = g_variant_print (actual, FALSE);
  g_autofree char *e = g_variant_print (expected, FALSE);

  g_assert_cmpstr (a, ==, e);
  g_assert_true (g_variant_equal (actual, expected));
}

/* ---- the scenario of spec/dbus.md §7 ------------------------------------------------------- */

typedef struct
{
  StasTid *tids[4];
  GPtrArray *dc1_params;
  StasConfigParam kato;
  StasDlpe entries[3];
  char *op_done;
  char *ioc2_timer;
  StasCtrlInfo dc1, dc2, ioc1, ioc2;
  GVariant *dc1_pages, *dc2_pages;
  StasAvahiServiceInfo service;
  StasAvahiInfo avahi;
  StasProcessInfo stafd, stacd;
} Scenario;

static StasTid *
tid (const char *traddr, const char *trsvcid, const char *subsysnqn)
{
  StasTidFields fields = { .transport = "tcp",
                           .traddr = traddr,
                           .trsvcid = trsvcid,
                           .subsysnqn = subsysnqn,
                           .host_iface = "eth1",
                           .host_nqn = HOSTNQN,
                           .host_id = HOSTID };
  g_autoptr (GError) error = NULL;
  StasTid *t = stas_tid_new (NULL, &fields, &error);

  g_assert_no_error (error);
  return t;
}

static void
entry (StasDlpe *e,
       const char *traddr,
       const char *trsvcid,
       const char *subnqn,
       guint8 subtype,
       guint16 portid,
       guint16 eflags)
{
  memset (e, 0, sizeof *e);
  e->trtype = STAS_DLP_TRTYPE_TCP;
  e->adrfam = STAS_DLP_ADRFAM_IPV4;
  e->subtype = subtype;
  e->treq = STAS_DLP_TREQ_NOT_SPECIFIED;
  e->portid = portid;
  e->cntlid = 65535;
  e->asqsz = 32;
  e->eflags = eflags;
  g_strlcpy (e->traddr, traddr, sizeof e->traddr);
  g_strlcpy (e->trsvcid, trsvcid, sizeof e->trsvcid);
  g_strlcpy (e->subnqn, subnqn, sizeof e->subnqn);
}

static GVariant *
pages (const StasDlpe *e, guint n)
{
  g_autoptr (GArray) array = g_array_new (FALSE, FALSE, sizeof (StasDlpe));

  g_array_append_vals (array, e, n);
  return g_variant_ref_sink (stas_dlp_to_variant (array));
}

static const char *const service_types[] = { "_nvme-disc._udp", "_nvme-disc._tcp", NULL };

static void
scenario_init (Scenario *s, gconstpointer data)
{
  StasOperationInfo done = { .completed = STAS_OP_FINISHED, .alive = TRUE };

  memset (s, 0, sizeof *s);
  s->tids[0] = tid ("192.168.10.30", "8009", "nqn.2014-08.org.nvmexpress.discovery");
  s->tids[1] = tid ("192.168.10.20", "8009", DELL_NQN);
  s->tids[2] = tid ("192.168.10.31", "4420", ARRAY1_NQN);
  s->tids[3] = tid ("192.168.10.32", "4420", ARRAY2_NQN);
  s->op_done = stas_payload_operation_string (&done);
  g_assert_cmpstr (s->op_done, ==, OP_DONE);
  s->ioc2_timer = stas_payload_timer_string (60, TRUE, 42.3);

  s->kato =
      (StasConfigParam){ .key = (char *) "kato", .type = STAS_CONFIG_PARAM_INT, .int_value = 60 };
  s->dc1_params = g_ptr_array_new ();
  g_ptr_array_add (s->dc1_params, &s->kato);

  entry (&s->entries[0], "192.168.10.31", "4420", ARRAY1_NQN, STAS_DLP_SUBTYPE_NVME, 1, 0);
  entry (&s->entries[1], "192.168.10.32", "4420", ARRAY2_NQN, STAS_DLP_SUBTYPE_NVME, 2, 4);
  entry (&s->entries[2], "192.168.10.20", "8009", DELL_NQN, STAS_DLP_SUBTYPE_DISCOVERY, 1, 0);
  s->dc1_pages = pages (s->entries, 1);
  s->dc2_pages = pages (s->entries, 3);

  s->dc1 = (StasCtrlInfo){
    .kind = STAS_DAEMON_STAFD,
    .tid = s->tids[0],
    .params = s->dc1_params,
    .device = "nvme0",
    .retry_connect_timer = "60.0s [off]",
    .origin = STAS_STATE_ORIGIN_CONFIGURED,
    .get_log_page_operation = s->op_done,
    .register_operation = s->op_done,
    .get_supported_log_page_operation = s->op_done,
    .log_pages_state = STAS_STATE_LOG_PAGES_CURRENT,
    .hostid = HOSTID,
    .hostnqn = HOSTNQN,
    .model = "Example-DDC",
    .serial = "DDC0001",
    .dctype = "ddc",
    .cntrltype = "discovery",
    .connected = TRUE,
  };
  s->dc2 = (StasCtrlInfo){
    .kind = STAS_DAEMON_STAFD,
    .tid = s->tids[1],
    .device = "nvme1",
    .retry_connect_timer = "60.0s [off]",
    .origin = STAS_STATE_ORIGIN_DISCOVERED,
    .unresponsive_timer = "0.0s [off]",
    .unresponsive_timeout = 259200,
    .mdns_advertised = TRUE,
    .get_log_page_operation = s->op_done,
    .register_operation = s->op_done,
    .log_pages_state = STAS_STATE_LOG_PAGES_CURRENT,
    .hostid = HOSTID,
    .hostnqn = HOSTNQN,
    .model = "SmartFabric Storage Software",
    .serial = "SFSS0001",
    .dctype = "cdc",
    .cntrltype = "discovery",
    .connected = TRUE,
  };
  s->ioc1 = (StasCtrlInfo){
    .kind = STAS_DAEMON_STACD,
    .tid = s->tids[2],
    .device = "nvme2",
    .retry_connect_timer = "60.0s [off]",
    .origin = STAS_STATE_ORIGIN_DISCOVERED,
    .hostid = HOSTID,
    .hostnqn = HOSTNQN,
    .model = "Example-Array",
    .serial = "ARR1-0001",
    .dctype = "none",
    .cntrltype = "io",
    .connected = TRUE,
    .dlpe = &s->entries[0],
  };
  s->ioc2 = (StasCtrlInfo){
    .kind = STAS_DAEMON_STACD,
    .tid = s->tids[3],
    .connect_attempts = 7,
    .retry_connect_timer = s->ioc2_timer,
    .origin = STAS_STATE_ORIGIN_DISCOVERED,
    .dlpe = &s->entries[1],
  };

  s->service = (StasAvahiServiceInfo){
    .ifname = "eth1",
    .protocol = "IPv4",
    .name = "SFSS",
    .domain = "local",
    .stype = "_nvme-disc._tcp",
    .identified = TRUE,
    .transport = "tcp",
    .traddr = "192.168.10.20",
    .trsvcid = "8009",
    .host_iface = "eth1",
    .subsysnqn = DELL_NQN,
    .reachable = TRUE,
    .check_timer = "2.0s [off]",
  };
  s->avahi = (StasAvahiInfo){
    .wake_up_timer = "60.0s [off]",
    .service_types = service_types,
    .services = &s->service,
    .n_services = 1,
  };
  s->stafd = (StasProcessInfo){
    .kind = STAS_DAEMON_STAFD,
    .host_nqn = HOSTNQN,
    .host_id = HOSTID,
    .state_file = "/run/stafd/last-known-config.json",
    .config_soak_timer = "1.5s [off]",
    .tp8013 = TRUE,
    .host_iface = TRUE,
    .audit_timer = "30.0s [off]",
    .avahi = &s->avahi,
    .dhchap_secret = TRUE,
    .dhchap_ctrl_secret = TRUE,
    .sysfs_resync_timer = "60.0s [41.7s]",
  };
  s->stacd = s->stafd;
  s->stacd.kind = STAS_DAEMON_STACD;
  s->stacd.avahi = NULL;
  s->stacd.state_file = "/run/stacd/last-known-config.json";
  s->stacd.sysfs_resync_timer = "60.0s [12.0s]";
  s->stacd.stafd_data = STAS_STAFD_DATA_COMPLETE;
  s->stacd.stafd_name_owner = ":1.17";
}

static void
scenario_clear (Scenario *s, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (s->tids); i++)
    stas_tid_unref (s->tids[i]);
  g_ptr_array_unref (s->dc1_params);
  g_free (s->op_done);
  g_free (s->ioc2_timer);
  g_variant_unref (s->dc1_pages);
  g_variant_unref (s->dc2_pages);
}

/* ---- the worked replies ------------------------------------------------------------------- */

/* §7.1 [DBUS-30] */
static void
test_stafd_list (Scenario *s, gconstpointer data)
{
  const StasCtrlInfo *dcs[] = { &s->dc1, &s->dc2 };
  g_autoptr (GVariant) expected = spec_variant (SPEC_7_1, "(aa{ss})");
  g_autoptr (GVariant) list = g_variant_ref_sink (stas_payload_controller_list (dcs, 2, FALSE));
  g_autoptr (GVariant) reply = g_variant_ref_sink (g_variant_new_tuple (&list, 1));

  assert_variant (reply, expected);
}

/* §7.2 [DBUS-31] [DBUS-32] */
static void
test_stafd_details (Scenario *s, gconstpointer data)
{
  g_autoptr (GVariant) expected = spec_variant (SPEC_7_2, "a{ss}");
  g_autoptr (GVariant) details = g_variant_ref_sink (stas_payload_controller_details (&s->dc2));
  g_autoptr (GVariant) dc1 = g_variant_ref_sink (stas_payload_controller_details (&s->dc1));
  const char *value = NULL;

  assert_variant (details, expected);
  /* DC 1: the PLEO operation, origin configured, no unresponsive keys */
  g_assert_true (g_variant_lookup (dc1, "get supported log page operation", "&s", &value));
  g_assert_cmpstr (value, ==, OP_DONE);
  g_assert_true (g_variant_lookup (dc1, "origin", "&s", &value));
  g_assert_cmpstr (value, ==, "configured");
  g_assert_false (g_variant_lookup (dc1, "unresponsive timer", "&s", &value));
  g_assert_false (g_variant_lookup (dc1, "unresponsive timeout", "&s", &value));
  g_assert_false (g_variant_lookup (dc1, "unresponsive time", "&s", &value));
  g_assert_false (g_variant_lookup (dc1, "mdns advertised", "&s", &value));
  g_assert_false (g_variant_lookup (dc1, "unresponsive removal time", "&s", &value));
  g_assert_false (g_variant_lookup (dc1, "dlpe", "&s", &value));
}

/* §7.3 [DBUS-33]: the DLPE dictionaries the log pages are made of */
static void
test_stafd_log_pages (Scenario *s, gconstpointer data)
{
  g_autoptr (GVariant) expected = spec_variant (SPEC_7_3, "(aa{ss})");
  g_autoptr (GVariant) reply = g_variant_ref_sink (g_variant_new_tuple (&s->dc2_pages, 1));

  assert_variant (reply, expected);
}

/* §7.4 [DBUS-11] [DBUS-36] */
static void
test_stafd_all_log_pages (Scenario *s, gconstpointer data)
{
  const StasDcLogPages dcs[] = { { &s->dc1, s->dc1_pages }, { &s->dc2, s->dc2_pages } };
  g_autoptr (GVariant) dc2_entries = spec_variant (SPEC_7_3, "(aa{ss})");
  g_autoptr (GVariant) entries = g_variant_get_child_value (dc2_entries, 0);
  g_autofree char *entries_json = stas_json_compact_from_variant (entries);
  g_autofree char *plain = spec_json (SPEC_7_4_FALSE);
  g_autofree char *detailed_dc2 = spec_json (SPEC_7_4_TRUE_DC2);
  g_autoptr (GString) expected = g_string_new (plain);
  g_autoptr (GString) expected_dc2 = g_string_new (detailed_dc2);
  g_autofree char *actual = stas_payload_all_log_pages_json (dcs, 2, FALSE);
  g_autofree char *actual_detailed = stas_payload_all_log_pages_json (dcs, 2, TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (StasJson) parsed = NULL;
  g_autofree char *second = NULL;
  g_autofree char *empty = stas_payload_all_log_pages_json (NULL, 0, TRUE);
  const StasDcLogPages none[] = { { &s->dc2, NULL } };
  g_autofree char *no_pages = stas_payload_all_log_pages_json (none, 1, FALSE);

  g_string_replace (expected, "[ ...the three entries of 7.3... ]", entries_json, 0);
  g_string_replace (expected_dc2, "[ ...the three entries of 7.3... ]", entries_json, 0);
  g_assert_cmpstr (actual, ==, expected->str);

  /* detailed: the second element is shown in the spec */
  parsed = stas_json_parse (actual_detailed, strlen (actual_detailed), 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stas_json_get_length (parsed), ==, 2);
  second = stas_json_to_compact (g_ptr_array_index (parsed->items, 1));
  g_assert_cmpstr (second, ==, expected_dc2->str);

  g_assert_cmpstr (empty, ==, "[]");
  g_assert_true (g_str_has_suffix (no_pages, "\"device\": \"nvme1\"}, \"log-pages\": []}]"));
}

/* §7.5 [DBUS-31] [DBUS-36] */
static void
test_stafd_controller_info (Scenario *s, gconstpointer data)
{
  g_autoptr (GVariant) expected = spec_variant (SPEC_7_5, "(s)");
  g_autofree char *json = stas_payload_controller_info_json (&s->dc1);
  g_autofree char *none = stas_payload_controller_info_json (NULL);
  const char *text = NULL;

  g_variant_get (expected, "(&s)", &text);
  g_assert_cmpstr (json, ==, text);
  g_assert_cmpstr (none, ==, "{}");
}

/* §7.6 [DBUS-35] */
static void
test_stafd_process_info (Scenario *s, gconstpointer data)
{
  g_autofree char *expected = spec_json (SPEC_7_6);
  g_autofree char *json = stas_payload_process_info_json (&s->stafd);

  g_assert_cmpstr (json, ==, expected);
}

/* §7.7 [DBUS-12] */
static void
test_stacd_list (Scenario *s, gconstpointer data)
{
  const StasCtrlInfo *iocs[] = { &s->ioc1, &s->ioc2 };
  g_autoptr (GVariant) expected = spec_variant (SPEC_7_7_FALSE, "(aa{ss})");
  g_autoptr (GVariant) expected_ioc2 = spec_variant (SPEC_7_7_TRUE_IOC2, "a{ss}");
  g_autoptr (GVariant) list = g_variant_ref_sink (stas_payload_controller_list (iocs, 2, FALSE));
  g_autoptr (GVariant) reply = g_variant_ref_sink (g_variant_new_tuple (&list, 1));
  g_autoptr (GVariant) detailed = g_variant_ref_sink (stas_payload_controller_list (iocs, 2, TRUE));
  g_autoptr (GVariant) ioc2 = g_variant_get_child_value (detailed, 1);

  assert_variant (reply, expected);
  assert_variant (ioc2, expected_ioc2);
}

/* §7.7b */
static void
test_stacd_controller_info (Scenario *s, gconstpointer data)
{
  g_autoptr (GVariant) expected = spec_variant (SPEC_7_7B, "(s)");
  g_autofree char *json = stas_payload_controller_info_json (&s->ioc1);
  const char *text = NULL;

  g_variant_get (expected, "(&s)", &text);
  g_assert_cmpstr (json, ==, text);
}

/* §7.8 [DBUS-35] */
static void
test_stacd_process_info (Scenario *s, gconstpointer data)
{
  g_autofree char *expected = spec_json (SPEC_7_8);
  g_autofree char *json = stas_payload_process_info_json (&s->stacd);

  g_assert_cmpstr (json, ==, expected);
}

/* ---- optional keys and edge values -------------------------------------------------------- */

static void
assert_value (GVariant *dict, const char *key, const char *expected)
{
  const char *value = NULL;

  if (!g_variant_lookup (dict, key, "&s", &value))
    value = NULL;
  g_assert_cmpstr (value, ==, expected);
}

static char *
keys_of (GVariant *dict)
{
  g_autoptr (GString) s = g_string_new (NULL);
  GVariantIter iter;
  const char *key;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, NULL))
    g_string_append_printf (s, "%s%s", s->len ? "|" : "", key);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* [DBUS-30] [D-25] parameters in entry order, rendered, secrets redacted */
static void
test_params (Scenario *s, gconstpointer data)
{
  StasConfigParam params[] = {
    { .key = (char *) "hdr-digest", .type = STAS_CONFIG_PARAM_BOOL, .bool_value = TRUE },
    { .key = (char *) "dhchap-secret",
      .type = STAS_CONFIG_PARAM_SECRET,
      .secret = (char *) "DHHC-1:00:secret" },
    { .key = (char *) "nr-io-queues", .type = STAS_CONFIG_PARAM_INT, .int_value = 4 },
    { .key = (char *) "data-digest", .type = STAS_CONFIG_PARAM_BOOL, .bool_value = FALSE },
  };
  g_autoptr (GPtrArray) list = g_ptr_array_new ();
  g_autoptr (GVariant) id = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *printed = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    g_ptr_array_add (list, &params[i]);
  s->ioc1.params = list;
  id = g_variant_ref_sink (stas_payload_controller_id (&s->ioc1));
  keys = keys_of (id);
  g_assert_cmpstr (keys, ==,
                   "traddr|trsvcid|transport|subsysnqn|host-iface|host-traddr|hdr-digest|"
                   "dhchap-secret|nr-io-queues|data-digest|host-nqn|host-id|device");
  printed = g_variant_print (id, FALSE);
  g_assert_nonnull (strstr (printed, "'hdr-digest': 'True', 'dhchap-secret': '<redacted>', "
                                     "'nr-io-queues': '4', 'data-digest': 'False'"));
  g_assert_null (strstr (printed, "DHHC"));
}

/* [DBUS-31] connect operation, unresponsive DC, referral, external IOC without DLPE */
static void
test_optional_keys (Scenario *s, gconstpointer data)
{
  StasOperationInfo connecting = { .fail_count = 3, .completed = STAS_OP_IN_FLIGHT, .alive = TRUE };
  g_autofree char *connect_op = stas_payload_operation_string (&connecting);
  g_autoptr (GVariant) dc2 = NULL;
  g_autoptr (GVariant) referral = NULL;
  g_autoptr (GVariant) ioc = NULL;
  g_autofree char *keys = NULL;

  g_assert_cmpstr (connect_op, ==, "{'fail count': 3, 'completed': False, 'alive': True}");
  s->dc2.connect_operation = connect_op;
  s->dc2.connect_attempts = 3;
  s->dc2.unresponsive = TRUE;
  s->dc2.unresponsive_since = 1741083302;
  s->dc2.mdns_advertised = FALSE;
  s->dc2.device = "";
  s->dc2.connected = FALSE;
  dc2 = g_variant_ref_sink (stas_payload_controller_details (&s->dc2));
  keys = keys_of (dc2);
  g_assert_cmpstr (keys, ==,
                   "traddr|trsvcid|transport|subsysnqn|host-iface|host-traddr|host-nqn|host-id|"
                   "device|connect attempts|retry connect timer|connect operation|origin|"
                   "unresponsive timer|unresponsive timeout|unresponsive time|"
                   "get log page operation|register operation|log pages state|"
                   "log pages dropped|referral depth|mdns advertised|unresponsive removal time|"
                   "hostid|hostnqn|model|serial|dctype|cntrltype|connected");
  assert_value (dc2, "connect operation", connect_op);
  assert_value (dc2, "device", "nvme?");
  assert_value (dc2, "connect attempts", "3");
  assert_value (dc2, "unresponsive time", "Tue Mar  4 10:15:02 2025");
  assert_value (dc2, "unresponsive removal time", "Fri Mar  7 10:15:02 2025");
  assert_value (dc2, "mdns advertised", "False");
  assert_value (dc2, "connected", "False");
  g_clear_pointer (&dc2, g_variant_unref);

  /* a negative persistence: kept forever */
  s->dc2.unresponsive_timeout = -1;
  dc2 = g_variant_ref_sink (stas_payload_controller_info (&s->dc2));
  assert_value (dc2, "unresponsive timeout", "forever");
  assert_value (dc2, "unresponsive removal time", "never");

  /* referral: no discovered-only keys, its depth */
  s->dc1.origin = STAS_STATE_ORIGIN_REFERRAL;
  s->dc1.referral_depth = 2;
  s->dc1.log_pages_state = STAS_STATE_LOG_PAGES_CACHED;
  s->dc1.log_pages_dropped = 5;
  s->dc1.get_log_page_operation = NULL;
  s->dc1.register_operation = NULL;
  s->dc1.get_supported_log_page_operation = NULL;
  s->dc1.params = NULL;
  referral = g_variant_ref_sink (stas_payload_controller_info (&s->dc1));
  g_clear_pointer (&keys, g_free);
  keys = keys_of (referral);
  g_assert_cmpstr (keys, ==,
                   "traddr|trsvcid|transport|subsysnqn|host-iface|host-traddr|host-nqn|host-id|"
                   "device|connect attempts|retry connect timer|origin|log pages state|"
                   "log pages dropped|referral depth");
  assert_value (referral, "origin", "referral");
  assert_value (referral, "referral depth", "2");
  assert_value (referral, "log pages state", "cached");
  assert_value (referral, "log pages dropped", "5");

  /* an adopted IOC without a DLPE [D-28] */
  s->ioc2.origin = STAS_STATE_ORIGIN_EXTERNAL;
  s->ioc2.dlpe = NULL;
  ioc = g_variant_ref_sink (stas_payload_controller_details (&s->ioc2));
  assert_value (ioc, "origin", "external");
  assert_value (ioc, "dlpe", "None");
  assert_value (ioc, "dlpe.eflags.ncc", "False");
  assert_value (ioc, "connected", "False");
}

/* [DBUS-35] host key, symname, terminator entries, no avahi data, non-ASCII [DBUS-36] */
static void
test_process_info_variants (Scenario *s, gconstpointer data)
{
  const StasCtrlInfo *terminating[] = { &s->ioc2 };
  g_autoptr (GVariant) info = g_variant_ref_sink (stas_payload_controller_info (&s->ioc2));
  g_autofree char *repr = stas_payload_repr_dict (info);
  g_autoptr (StasJson) parsed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *key = NULL;
  g_autofree char *stafd = NULL;

  s->stacd.has_host_key = TRUE;
  s->stacd.symname = "rack4 \u00e9";
  s->stacd.tron = TRUE;
  s->stacd.udev_overflows = 12;
  s->stacd.stafd_data = STAS_STAFD_DATA_STALE;
  s->stacd.stafd_name_owner = NULL;
  s->stacd.terminating = terminating;
  s->stacd.n_terminating = 1;
  json = stas_payload_process_info_json (&s->stacd);
  g_assert_true (g_str_has_prefix (json, "{\"tron\": true, \"log-level\": \"DEBUG\", "));
  g_assert_nonnull (strstr (json, "\"hostkey\": \"<redacted>\", \"symname\": \"rack4 \\u00e9\""));
  g_assert_nonnull (strstr (json, "\"udev overflows\": \"12\", \"stafd data\": \"stale\", "
                                  "\"stafd name owner\": \"\"}"));
  parsed = stas_json_parse (json, strlen (json), 0, &error);
  g_assert_no_error (error);
  key = g_strconcat ("terminator.controller.", stas_tid_to_string (s->ioc2.tid), NULL);
  g_assert_cmpstr (key, ==,
                   "terminator.controller.(tcp, 192.168.10.32, 4420, " ARRAY2_NQN ", eth1)");
  g_assert_cmpstr (stas_json_object_get_string (parsed, key), ==, repr);
  g_assert_true (g_str_has_prefix (repr, "{'traddr': '192.168.10.32', 'trsvcid': '4420', "));
  g_assert_true (
      g_str_has_suffix (repr, "'retry connect timer': '60.0s [42.3s]', 'origin': 'discovered'}"));
  /* keys in order: the terminator entry right after the audit timer */
  g_assert_cmpstr (g_ptr_array_index (parsed->keys, 10), ==, "terminator.audit timer");
  g_assert_cmpstr (g_ptr_array_index (parsed->keys, 11), ==, key);
  g_assert_cmpstr (g_ptr_array_index (parsed->keys, 12), ==, "kernel support.dhchap_secret");

  /* stafd without Avahi data: the object is still there, empty */
  s->stafd.avahi = NULL;
  stafd = stas_payload_process_info_json (&s->stafd);
  g_assert_nonnull (strstr (stafd, "\"avahi\": {\"avahi wake up timer\": \"\", "
                                   "\"service types\": [], \"services\": {}}, "));
}

/* A service not yet identified shows only reachable and the check timer. */
static void
test_avahi_unidentified (Scenario *s, gconstpointer data)
{
  g_autofree char *json = NULL;

  s->service.identified = FALSE;
  s->service.reachable = FALSE;
  s->service.protocol = "IPv6";
  json = stas_payload_process_info_json (&s->stafd);
  g_assert_nonnull (strstr (json, "\"services\": {\"(eth1, IPv6, SFSS.local, _nvme-disc._tcp)\": "
                                  "{\"reachable\": \"False\", \"check timer\": \"2.0s [off]\"}}}"));
}

/* ---- §5.5 value formats ------------------------------------------------------------------ */

static void
test_timer_strings (void)
{
  static const struct
  {
    double interval;
    gboolean running;
    double remaining;
    const char *text;
  } timers[] = {
    { 60, FALSE, 0, "60.0s [off]" },
    { 1.5, TRUE, 0.998271, "1.5s [0.998271s]" },
    { 3, TRUE, 2.5, "3.0s [2.5s]" },
    { 259200, TRUE, 259197.43, "259200.0s [259197.43s]" },
    { 20, TRUE, 0, "20.0s [0s]" },
    { 20, TRUE, -1, "20.0s [0s]" },
    { 60, TRUE, 42.3, "60.0s [42.3s]" },
    { 60, TRUE, 12, "60.0s [12.0s]" },
    { 60, TRUE, 0.000001, "60.0s [0.000001s]" },
    { 60, TRUE, 0.0000004, "60.0s [0s]" },
    { 0.5, TRUE, 59.9999996, "0.5s [60.0s]" },
    { 0, FALSE, 5, "0.0s [off]" },
    /* any finite persistence is valid configuration: huge remaining times are clamped,
     * never converted beyond gint64 (undefined behaviour) */
    { 1e13, TRUE, 9223372036853.0, "10000000000000.0s [9223372036853.0s]" },
    { 1e13, TRUE, 1e13, "10000000000000.0s [9223372036853.0s]" },
    { 1e300, TRUE, 1e300, "1e+300s [9223372036853.0s]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (timers); i++)
    {
      g_autofree char *text =
          stas_payload_timer_string (timers[i].interval, timers[i].running, timers[i].remaining);
      g_assert_cmpstr (text, ==, timers[i].text);
    }
}

static void
test_operation_strings (void)
{
  StasOperationInfo op = { .completed = STAS_OP_NOT_RUN, .alive = TRUE };
  g_autofree char *a = stas_payload_operation_string (&op);
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  g_assert_cmpstr (a, ==, "{'fail count': 0, 'completed': None, 'alive': True}");
  op = (StasOperationInfo){ .fail_count = 2,
                            .completed = STAS_OP_FINISHED,
                            .alive = TRUE,
                            .retry_timer = "20.0s [13.2s]",
                            .error = "Failed to retrieve log pages: Connection timed out" };
  b = stas_payload_operation_string (&op);
  g_assert_cmpstr (b, ==,
                   "{'fail count': 2, 'completed': True, 'alive': True, 'retry timer': "
                   "'20.0s [13.2s]', 'error': 'Failed to retrieve log pages: Connection timed "
                   "out'}");
  op = (StasOperationInfo){ .completed = STAS_OP_IN_FLIGHT, .alive = FALSE, .error = "it's a\\b" };
  c = stas_payload_operation_string (&op);
  g_assert_cmpstr (
      c, ==, "{'fail count': 0, 'completed': False, 'alive': False, 'error': 'it\\'s a\\\\b'}");
}

static void
test_other_formats (void)
{
  static const struct
  {
    double seconds;
    const char *text;
  } timeouts[] = {
    { 259200, "259200 sec" }, { 100, "100 sec" }, { 0.5, "0.5 sec" },  { 0, "0 sec" },
    { 72.25, "72.25 sec" },   { -1, "forever" },  { -0.5, "forever" },
  };
  g_autoptr (GVariant) dict = g_variant_ref_sink (
      g_variant_new_parsed ("{'a': 'x', 'q\\'': 'it\\'s', 'b': 'back\\\\slash', 'e': ''}"));
  g_autofree char *repr = stas_payload_repr_dict (dict);
  g_autofree char *t1 = stas_payload_asctime (1741083302);
  g_autofree char *t2 = stas_payload_asctime (0);
  g_autofree char *t3 = stas_payload_asctime (1735603200 + 3600 * 23 + 59 * 60 + 59);

  for (guint i = 0; i < G_N_ELEMENTS (timeouts); i++)
    {
      g_autofree char *text = stas_payload_timeout_string (timeouts[i].seconds);
      g_assert_cmpstr (text, ==, timeouts[i].text);
    }
  g_assert_cmpstr (repr, ==, "{'a': 'x', 'q\\'': 'it\\'s', 'b': 'back\\\\slash', 'e': ''}");
  g_assert_cmpstr (t1, ==, "Tue Mar  4 10:15:02 2025");
  g_assert_cmpstr (t2, ==, "Thu Jan  1 00:00:00 1970");
  g_assert_cmpstr (t3, ==, "Tue Dec 31 23:59:59 2024");
}

int
main (int argc, char **argv)
{
  /* asctime is local time: make it UTC */
  g_setenv ("TZ", "UTC", TRUE);
  tzset ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func)                                                                            \
  g_test_add ("/payload/" path, Scenario, NULL, scenario_init, func, scenario_clear)
  ADD ("7.1-stafd-list", test_stafd_list);
  ADD ("7.2-stafd-details", test_stafd_details);
  ADD ("7.3-stafd-log-pages", test_stafd_log_pages);
  ADD ("7.4-stafd-all-log-pages", test_stafd_all_log_pages);
  ADD ("7.5-stafd-controller-info", test_stafd_controller_info);
  ADD ("7.6-stafd-process-info", test_stafd_process_info);
  ADD ("7.7-stacd-list", test_stacd_list);
  ADD ("7.7b-stacd-controller-info", test_stacd_controller_info);
  ADD ("7.8-stacd-process-info", test_stacd_process_info);
  ADD ("params", test_params);
  ADD ("optional-keys", test_optional_keys);
  ADD ("process-info-variants", test_process_info_variants);
  ADD ("avahi-unidentified", test_avahi_unidentified);
#undef ADD
  g_test_add_func ("/payload/timer-strings", test_timer_strings);
  g_test_add_func ("/payload/operation-strings", test_operation_strings);
  g_test_add_func ("/payload/other-formats", test_other_formats);
  return g_test_run ();
}
