/* fuzz-dbus-args.c — D-Bus method arguments and the replies built around them
 * (spec/dbus.md §3.4 [DBUS-13], §5, spec/bad-input.md §4): the 7-string look-up of
 * controller_info / get_log_pages for both daemons, and the payload builders (controller
 * dictionaries, get_all_log_pages, process_info, the §5.5 value formats) fed with
 * arbitrary strings where the daemon puts names, timers, kernel attributes and mDNS data.
 *
 * Input: NUL-separated strings (made valid UTF-8, as the bus delivers them): the seven
 * look-up arguments, then the strings for the payloads; a few bytes at the end choose the
 * numbers. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fuzz-common.h"
#include "stas-dlp.h"
#include "stas-json.h"
#include "stas-payload.h"

#define N_STRINGS 24
#define MAX_SECONDS 1e9
#define MAX_UNIX_TIME G_GUINT64_CONSTANT (253402300799) /* 9999-12-31 23:59:59 */

static void
lookups (char **s, const StasTid *existing)
{
  const StasTidDefaults *defaults[] = { &fuzz_stafd_defaults, &fuzz_stacd_defaults };

  for (gsize i = 0; i < G_N_ELEMENTS (defaults); i++)
    {
      g_autoptr (StasTid) key =
          stas_tid_new_lookup (defaults[i], s[0], s[1], s[2], s[3], s[4], s[5], s[6]);

      (void) stas_tid_matches_lookup (existing, key);
      if (key == NULL)
        continue;
      g_assert_true (stas_tid_matches_lookup (key, key));
      g_assert_cmpstr (stas_tid_get_host_id (key), ==, FUZZ_HOST_ID);
      g_assert_true (g_utf8_validate (stas_tid_to_string (key), -1, NULL));
    }
}

/* A StasDlpe text field holds printable ASCII only (stas_dlpe_parse()). */
static void
ascii_field (char *field, const char *text, gsize size)
{
  g_strlcpy (field, text, size);
  for (char *p = field; *p != '\0'; p++)
    if (*p < 0x20 || *p > 0x7e)
      *p = '?';
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *s[N_STRINGS];
  FuzzReader r;
  StasTidFields existing_fields = {
    .transport = "tcp",
    .traddr = "192.168.10.31",
    .trsvcid = "4420",
    .subsysnqn = "nqn.2023-01.com.example:array1",
    .host_iface = "eth1",
  };
  g_autoptr (StasTid) existing = stas_tid_new (&fuzz_stacd_defaults, &existing_fields, NULL);
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  StasConfigParam param_int = { .key = NULL, .type = STAS_CONFIG_PARAM_INT };
  StasConfigParam param_secret = { .key = NULL, .type = STAS_CONFIG_PARAM_SECRET };
  StasCtrlInfo ctrl = { 0 };
  const StasCtrlInfo *ctrls[1] = { &ctrl };
  StasDcLogPages dcs[1] = { { 0 } };
  StasAvahiServiceInfo services[2] = { { 0 } };
  const char *stypes[3];
  StasAvahiInfo avahi = { 0 };
  StasProcessInfo process = { 0 };
  StasOperationInfo op = { 0 };
  StasDlpe dlpe = { 0 };
  g_autoptr (GVariant) id = NULL;
  g_autoptr (GVariant) list = NULL;
  g_autoptr (GVariant) dict = NULL;
  g_autoptr (GVariantBuilder) b = NULL;
  g_autofree char *json = NULL;
  g_autofree char *all = NULL;
  g_autofree char *proc = NULL;
  g_autofree char *opstr = NULL;
  g_autofree char *timer = NULL;
  g_autofree char *timeout = NULL;
  g_autofree char *asct = NULL;
  g_autofree char *repr = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  guint64 bits;
  gdouble d1;
  gdouble d2;

  fuzz_reader_init (&r, data, size);
  for (guint i = 0; i < N_STRINGS; i++)
    s[i] = fuzz_read_utf8 (&r);
  bits = fuzz_read_u64 (&r);
  memcpy (&d1, (guint64[]){ fuzz_read_u64 (&r) }, sizeof d1);
  memcpy (&d2, (guint64[]){ fuzz_read_u64 (&r) }, sizeof d2);
  /* the daemon's numbers: finite seconds, UNIX times of years 1970..9999. Seconds are kept
   * within ±1e9 (31 years): stas_payload_timer_string() converts the remaining time to
   * microseconds in a gint64, which a zeroconf-connections-persistence of 10^8 days or more
   * overflows (reported, not fixed here). */
  if (!isfinite (d1) || fabs (d1) > MAX_SECONDS)
    d1 = -1;
  if (!isfinite (d2) || fabs (d2) > MAX_SECONDS)
    d2 = 0.5;

  lookups (s, existing);

  /* §5.5 value formats */
  timer = stas_payload_timer_string (d1, (bits & 1) != 0, d2);
  timeout = stas_payload_timeout_string (d1);
  asct = stas_payload_asctime ((gint64) ((bits >> 8) % MAX_UNIX_TIME));
  stas_payload_append_repr_string (out, s[7]);
  stas_json_append_string (out, s[8]);
  stas_json_append_string_ascii (out, s[8]);
  stas_json_append_float_repr (out, d2);
  op.fail_count = (guint) (bits >> 16);
  op.completed = (StasOpCompletion) ((bits >> 1) % 3);
  op.alive = (bits & 8) != 0;
  op.retry_timer = (bits & 16) != 0 ? s[9] : NULL;
  op.error = (bits & 32) != 0 ? s[10] : NULL;
  opstr = stas_payload_operation_string (&op);

  b = g_variant_builder_new (G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (b, "{ss}", s[11], s[12]);
  g_variant_builder_add (b, "{ss}", s[12], s[11]);
  dict = g_variant_ref_sink (g_variant_builder_end (b));
  repr = stas_payload_repr_dict (dict);

  /* controller dictionaries of both daemons */
  param_int.key = s[13];
  param_int.int_value = (gint64) bits;
  param_secret.key = s[14];
  param_secret.secret = s[15];
  g_ptr_array_add (params, &param_int);
  g_ptr_array_add (params, &param_secret);
  ascii_field (dlpe.traddr, s[16], sizeof dlpe.traddr);
  ascii_field (dlpe.subnqn, s[17], sizeof dlpe.subnqn);
  ascii_field (dlpe.trsvcid, s[18], sizeof dlpe.trsvcid);
  ctrl.kind = (bits & 64) != 0 ? STAS_DAEMON_STAFD : STAS_DAEMON_STACD;
  ctrl.tid = existing;
  ctrl.params = params;
  ctrl.device = s[9];
  ctrl.connect_attempts = (guint) bits;
  ctrl.retry_connect_timer = timer;
  ctrl.connect_operation = opstr;
  ctrl.origin = (StasStateOrigin) ((bits >> 2) % 4);
  ctrl.unresponsive_timer = s[10];
  ctrl.unresponsive_timeout = d1;
  ctrl.unresponsive = (bits & 128) != 0;
  ctrl.unresponsive_since = (gint64) ((bits >> 20) % MAX_UNIX_TIME);
  ctrl.mdns_advertised = (bits & 256) != 0;
  ctrl.get_log_page_operation = opstr;
  ctrl.log_pages_state = (StasStateLogPages) ((bits >> 3) % 3);
  ctrl.log_pages_dropped = (guint) (bits >> 32);
  ctrl.referral_depth = (guint) (bits >> 40);
  ctrl.hostid = s[19];
  ctrl.hostnqn = s[20];
  ctrl.model = s[21];
  ctrl.serial = s[22];
  ctrl.dctype = s[23];
  ctrl.cntrltype = s[7];
  ctrl.connected = (bits & 512) != 0;
  ctrl.dlpe = (bits & 1024) != 0 ? &dlpe : NULL;
  id = g_variant_ref_sink (stas_payload_controller_id (&ctrl));
  list = g_variant_ref_sink (stas_payload_controller_list (ctrls, 1, (bits & 2048) != 0));
  json = stas_payload_controller_info_json (&ctrl);
  g_assert_true (g_utf8_validate (json, -1, NULL));

  dcs[0].ctrl = &ctrl;
  dcs[0].log_pages = NULL;
  all = stas_payload_all_log_pages_json (dcs, 1, (bits & 4096) != 0);

  /* process_info with mDNS services named from the network */
  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      services[i].ifname = s[7 + i];
      services[i].protocol = (bits & (8192u << i)) != 0 ? "IPv6" : "IPv4";
      services[i].name = s[9 + i];
      services[i].domain = s[11 + i];
      services[i].stype = s[13 + i];
      services[i].identified = (bits & (32768u << i)) != 0;
      services[i].transport = "tcp";
      services[i].traddr = s[15 + i];
      services[i].trsvcid = s[17 + i];
      services[i].host_iface = s[19 + i];
      services[i].subsysnqn = s[21 + i];
      services[i].reachable = (bits & (131072u << i)) != 0;
      services[i].check_timer = timer;
    }
  stypes[0] = s[14];
  stypes[1] = s[15];
  stypes[2] = NULL;
  avahi.wake_up_timer = timer;
  avahi.service_types = (bits & 524288) != 0 ? stypes : NULL;
  avahi.services = services;
  avahi.n_services = G_N_ELEMENTS (services);
  process.kind = ctrl.kind;
  process.tron = (bits & 1048576) != 0;
  process.host_nqn = s[20];
  process.host_id = s[19];
  process.has_host_key = TRUE;
  process.symname = (bits & 2097152) != 0 ? s[16] : NULL;
  process.state_file = s[17];
  process.config_soak_timer = timer;
  process.audit_timer = timer;
  process.terminating = ctrls;
  process.n_terminating = 1;
  process.avahi = (bits & 4194304) != 0 ? &avahi : NULL;
  process.sysfs_resync_timer = timer;
  process.udev_overflows = bits;
  process.stafd_data = (StasStafdData) ((bits >> 4) % 4);
  process.stafd_name_owner = s[18];
  proc = stas_payload_process_info_json (&process);
  g_assert_true (g_utf8_validate (proc, -1, NULL));
  {
    g_autoptr (StasJson) parsed = stas_json_parse (proc, strlen (proc), 0, NULL);
    g_assert_nonnull (parsed);
  }

  for (guint i = 0; i < N_STRINGS; i++)
    g_free (s[i]);
  return 0;
}
