/* fake-stafd.c — a stand-in for stafd or stacd on a (private) system bus, for the client
 * tests (test-clients.sh): it owns org.nvmexpress.staf / org.nvmexpress.stac with the IDL of
 * spec/dbus.md §2 and answers with the worked replies of spec/dbus.md §7, so the output of
 * stafctl and stacctl can be compared with the worked outputs of spec/cli.md §6. Options make
 * it misbehave (error replies, invalid replies, no reply) and record the calls it gets.
 *
 *   fake-stafd --kind=stafd|stacd [--calls=FILE] [--deny-tron] [--tron-type=s]
 *              [--fail=M] [--stas-error=M] [--exit-on=M] [--hang-on=M] [--bad-type=M]
 * [--bad-json=M]
 *              [--wrong-kind=M]
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "stas-idl.h"
#include "stas-json.h"
#include "stas-names.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOSTID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define DELL_NQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"
#define OP_DONE "\"{'fail count': 0, 'completed': True, 'alive': True}\""

/* ---- the scenario of spec/dbus.md §7 (GVariant text) ---------------------------------- */

#define ID_KEYS(traddr, trsvcid, nqn, params, device)                                              \
  "'traddr': '" traddr "', 'trsvcid': '" trsvcid "', 'transport': 'tcp', "                         \
  "'subsysnqn': '" nqn "', 'host-iface': 'eth1', 'host-traddr': '', " params                       \
  "'host-nqn': '" HOSTNQN "', 'host-id': '" HOSTID "', 'device': '" device "'"

#define DC1_ID                                                                                     \
  ID_KEYS ("192.168.10.30", "8009", STAS_WELL_KNOWN_DISC_NQN, "'kato': '60', ", "nvme0")
#define DC2_ID ID_KEYS ("192.168.10.20", "8009", DELL_NQN, "", "nvme1")
#define IOC1_ID ID_KEYS ("192.168.10.31", "4420", "nqn.2023-01.com.example:array1", "", "nvme2")
#define IOC2_ID ID_KEYS ("192.168.10.32", "4420", "nqn.2023-01.com.example:array2", "", "nvme?")

#define DC1_INFO                                                                                   \
  DC1_ID ", 'connect attempts': '0', 'retry connect timer': '60.0s [off]', "                       \
         "'origin': 'configured', 'get log page operation': " OP_DONE ", "                         \
         "'register operation': " OP_DONE ", 'get supported log page operation': " OP_DONE         \
         ", 'log pages state': 'current', 'log pages dropped': '0', 'referral depth': '0'"
#define DC2_INFO                                                                                   \
  DC2_ID ", 'connect attempts': '0', 'retry connect timer': '60.0s [off]', "                       \
         "'origin': 'discovered', 'unresponsive timer': '0.0s [off]', "                            \
         "'unresponsive timeout': '259200 sec', 'unresponsive time': '---', "                      \
         "'get log page operation': " OP_DONE ", 'register operation': " OP_DONE ", "              \
         "'log pages state': 'current', 'log pages dropped': '0', 'referral depth': '0', "         \
         "'mdns advertised': 'True', 'unresponsive removal time': '---'"
#define IOC1_INFO                                                                                  \
  IOC1_ID ", 'connect attempts': '0', 'retry connect timer': '60.0s [off]', "                      \
          "'origin': 'discovered'"
#define IOC2_INFO                                                                                  \
  IOC2_ID ", 'connect attempts': '7', 'retry connect timer': '60.0s [42.3s]', "                    \
          "'origin': 'discovered'"

#define KERNEL(model, serial, dctype, cntrltype)                                                   \
  "'hostid': '" HOSTID "', 'hostnqn': '" HOSTNQN "', 'model': '" model "', "                       \
  "'serial': '" serial "', 'dctype': '" dctype "', 'cntrltype': '" cntrltype "', "                 \
  "'connected': 'True'"
#define DLPE(traddr, trsvcid, nqn, subtype, portid, eflags)                                        \
  "'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '" traddr "', 'trsvcid': '" trsvcid "', "          \
  "'subnqn': '" nqn "', 'subtype': '" subtype "', 'treq': 'not specified', "                       \
  "'portid': '" portid "', 'cntlid': '65535', 'asqsz': '32', 'eflags': '" eflags "'"
#define ARRAY1 DLPE ("192.168.10.31", "4420", "nqn.2023-01.com.example:array1", "nvme", "1", "0")
#define ARRAY2 DLPE ("192.168.10.32", "4420", "nqn.2023-01.com.example:array2", "nvme", "2", "4")
#define SELF DLPE ("192.168.10.20", "8009", DELL_NQN, "discovery", "1", "0")

#define DC1_DETAILS DC1_INFO ", " KERNEL ("Example-DDC", "DDC0001", "ddc", "discovery")
#define DC2_DETAILS                                                                                \
  DC2_INFO ", " KERNEL ("SmartFabric Storage Software", "SFSS0001", "cdc", "discovery")
#define IOC1_DETAILS                                                                               \
  IOC1_INFO ", " KERNEL ("Example-Array", "ARR1-0001", "none",                                     \
                         "io") ", 'dlpe': \"{" ARRAY1 "}\", 'dlpe.eflags.ncc': 'False'"
#define IOC2_DETAILS                                                                               \
  IOC2_INFO ", 'hostid': '', 'hostnqn': '', 'model': '', 'serial': '', 'dctype': '', "             \
            "'cntrltype': '', 'connected': 'False', 'dlpe': \"{" ARRAY2 "}\", "                    \
            "'dlpe.eflags.ncc': 'True'"

/* spec/dbus.md §7.6 and §7.8 */
static const char stafd_process_info[] =
    "{\"tron\": false, \"log-level\": \"INFO\", \"hostnqn\": \"" HOSTNQN "\", \"hostid\": \"" HOSTID
    "\", \"hostkey\": null, \"symname\": null, \"last known config file\": "
    "\"/run/stafd/last-known-config.json\", \"config soak timer\": \"1.5s [off]\", "
    "\"kernel support.TP8013\": \"True\", \"kernel support.host_iface\": \"True\", "
    "\"terminator.audit timer\": \"30.0s [off]\", \"avahi\": {\"avahi wake up timer\": "
    "\"60.0s [off]\", \"service types\": [\"_nvme-disc._tcp\", \"_nvme-disc._udp\"], "
    "\"services\": {\"(eth1, IPv4, SFSS.local, _nvme-disc._tcp)\": {\"transport\": \"tcp\", "
    "\"traddr\": \"192.168.10.20\", \"trsvcid\": \"8009\", \"host-iface\": \"eth1\", "
    "\"subsysnqn\": \"" DELL_NQN "\", \"reachable\": \"True\", \"check timer\": \"2.0s [off]\"}}}, "
    "\"kernel support.dhchap_secret\": \"True\", \"kernel support.dhchap_ctrl_secret\": \"True\", "
    "\"sysfs resync timer\": \"60.0s [41.7s]\", \"udev overflows\": \"0\"}";
static const char stacd_process_info[] =
    "{\"tron\": false, \"log-level\": \"INFO\", \"hostnqn\": \"" HOSTNQN "\", \"hostid\": \"" HOSTID
    "\", \"hostkey\": null, \"symname\": null, \"last known config file\": "
    "\"/run/stacd/last-known-config.json\", \"config soak timer\": \"1.5s [off]\", "
    "\"kernel support.TP8013\": \"True\", \"kernel support.host_iface\": \"True\", "
    "\"terminator.audit timer\": \"30.0s [off]\", \"kernel support.dhchap_secret\": \"True\", "
    "\"kernel support.dhchap_ctrl_secret\": \"True\", \"sysfs resync timer\": \"60.0s [12.0s]\", "
    "\"udev overflows\": \"0\", \"stafd data\": \"complete\", \"stafd name owner\": \":1.17\"}";

typedef struct
{
  const char *id;
  const char *info;
  const char *details;
  const char *log_pages;
} Ctrl;

static const Ctrl dcs[] = {
  { "{" DC1_ID "}", "{" DC1_INFO "}", "{" DC1_DETAILS "}", "[{" ARRAY1 "}]" },
  { "{" DC2_ID "}", "{" DC2_INFO "}", "{" DC2_DETAILS "}",
    "[{" ARRAY1 "}, {" ARRAY2 "}, {" SELF "}]" },
};
static const Ctrl iocs[] = {
  { "{" IOC1_ID "}", "{" IOC1_INFO "}", "{" IOC1_DETAILS "}", NULL },
  { "{" IOC2_ID "}", "{" IOC2_INFO "}", "{" IOC2_DETAILS "}", NULL },
};

/* ---- options ------------------------------------------------------------------------------ */

static char *opt_kind = NULL;
static char *opt_calls = NULL;
static gboolean opt_deny_tron = FALSE;
static char *opt_tron_type = NULL;
static char *opt_fail = NULL;
static char *opt_stas_error = NULL;
static char *opt_exit_on = NULL;
static char *opt_hang_on = NULL;
static char *opt_bad_type = NULL;
static char *opt_bad_json = NULL;
static char *opt_wrong_kind = NULL;

static const GOptionEntry entries[] = {
  { "kind", 0, 0, G_OPTION_ARG_STRING, &opt_kind, "stafd or stacd", NULL },
  { "calls", 0, 0, G_OPTION_ARG_FILENAME, &opt_calls, "append every call to FILE", NULL },
  { "deny-tron", 0, 0, G_OPTION_ARG_NONE, &opt_deny_tron, "Set tron: AccessDenied", NULL },
  { "tron-type", 0, 0, G_OPTION_ARG_STRING, &opt_tron_type, "Get tron: 's' value", NULL },
  { "fail", 0, 0, G_OPTION_ARG_STRING, &opt_fail, "method: Error.Failed", NULL },
  { "stas-error", 0, 0, G_OPTION_ARG_STRING, &opt_stas_error, "method: stas error", NULL },
  { "exit-on", 0, 0, G_OPTION_ARG_STRING, &opt_exit_on, "method: exit without a reply", NULL },
  { "hang-on", 0, 0, G_OPTION_ARG_STRING, &opt_hang_on, "method: never reply", NULL },
  { "bad-type", 0, 0, G_OPTION_ARG_STRING, &opt_bad_type, "method: reply of a wrong type", NULL },
  { "bad-json", 0, 0, G_OPTION_ARG_STRING, &opt_bad_json, "method: reply that is not JSON", NULL },
  { "wrong-kind", 0, 0, G_OPTION_ARG_STRING, &opt_wrong_kind, "method: JSON of another kind",
    NULL },
  { NULL },
};

static gboolean is_stafd;
static gboolean tron;

static void G_GNUC_NORETURN G_GNUC_PRINTF (1, 2) die (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fputs ("fake-stafd: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  exit (1);
}

/* ---- replies ------------------------------------------------------------------------------ */

static GVariant *
parse (const char *text, const char *type)
{
  g_autoptr (GError) error = NULL;
  GVariant *value = g_variant_parse (G_VARIANT_TYPE (type), text, NULL, NULL, &error);

  if (value == NULL)
    die ("bad scenario text: %s\n%s", error->message, text);
  return value;
}

static const Ctrl *
controllers (guint *n)
{
  *n = is_stafd ? G_N_ELEMENTS (dcs) : G_N_ELEMENTS (iocs);
  return is_stafd ? dcs : iocs;
}

static GVariant *
controller_list (gboolean detailed)
{
  GVariantBuilder b;
  guint n;
  const Ctrl *ctrls = controllers (&n);

  g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{ss}"));
  for (guint i = 0; i < n; i++)
    g_variant_builder_add_value (&b, parse (detailed ? ctrls[i].details : ctrls[i].id, "a{ss}"));
  return g_variant_builder_end (&b);
}

/* §3.4, simplified: the four identifying strings, an empty host NQN means the host's */
static const Ctrl *
find (GVariant *params)
{
  const char *transport, *traddr, *trsvcid, *nqn, *host_traddr, *host_iface, *host_nqn;
  guint n;
  const Ctrl *ctrls = controllers (&n);

  g_variant_get (params, "(&s&s&s&s&s&s&s)", &transport, &traddr, &trsvcid, &nqn, &host_traddr,
                 &host_iface, &host_nqn);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GVariant) id = parse (ctrls[i].id, "a{ss}");
      const char *t, *a, *s, *q;

      g_variant_lookup (id, "transport", "&s", &t);
      g_variant_lookup (id, "traddr", "&s", &a);
      g_variant_lookup (id, "trsvcid", "&s", &s);
      g_variant_lookup (id, "subsysnqn", "&s", &q);
      if (strcmp (t, transport) == 0 && strcmp (a, traddr) == 0 && strcmp (s, trsvcid) == 0 &&
          strcmp (q, nqn) == 0 && (*host_nqn == '\0' || strcmp (host_nqn, HOSTNQN) == 0) &&
          (*host_iface == '\0' || strcmp (host_iface, "eth1") == 0) && *host_traddr == '\0')
        return &ctrls[i];
    }
  return NULL;
}

static char *
json_of (GVariant *value)
{
  g_autoptr (GVariant) sunk = g_variant_ref_sink (value);
  return stas_json_compact_from_variant (sunk);
}

static char *
all_log_pages (gboolean detailed)
{
  GString *out = g_string_new ("[");

  for (guint i = 0; i < G_N_ELEMENTS (dcs); i++)
    {
      g_autofree char *dc = json_of (parse (detailed ? dcs[i].details : dcs[i].id, "a{ss}"));
      g_autofree char *pages = json_of (parse (dcs[i].log_pages, "aa{ss}"));

      g_string_append_printf (out, "%s{\"discovery-controller\": %s, \"log-pages\": %s}",
                              i > 0 ? ", " : "", dc, pages);
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

/* The normal reply of @method (NULL: unknown). */
static GVariant *
reply_for (const char *method, GVariant *params)
{
  if (strcmp (method, "list_controllers") == 0)
    {
      gboolean detailed;
      g_variant_get (params, "(b)", &detailed);
      return g_variant_new_tuple ((GVariant *[]){ controller_list (detailed) }, 1);
    }
  if (strcmp (method, "process_info") == 0)
    return g_variant_new ("(s)", is_stafd ? stafd_process_info : stacd_process_info);
  if (strcmp (method, "controller_info") == 0)
    {
      const Ctrl *ctrl = find (params);
      g_autofree char *json =
          ctrl != NULL ? json_of (parse (ctrl->info, "a{ss}")) : g_strdup ("{}");
      return g_variant_new ("(s)", json);
    }
  if (strcmp (method, "get_log_pages") == 0)
    {
      const Ctrl *ctrl = find (params);
      return g_variant_new_tuple (
          (GVariant *[]){ ctrl != NULL ? parse (ctrl->log_pages, "aa{ss}")
                                       : g_variant_new_array (G_VARIANT_TYPE ("a{ss}"), NULL, 0) },
          1);
    }
  if (strcmp (method, "get_all_log_pages") == 0)
    {
      gboolean detailed;
      g_autofree char *json = NULL;

      g_variant_get (params, "(b)", &detailed);
      json = all_log_pages (detailed);
      return g_variant_new ("(s)", json);
    }
  return NULL;
}

static void
record (const char *what, GVariant *params)
{
  g_autofree char *args = params != NULL ? g_variant_print (params, FALSE) : g_strdup ("()");
  FILE *f;

  if (opt_calls == NULL)
    return;
  f = fopen (opt_calls, "a");
  if (f == NULL)
    return;
  fprintf (f, "%s %s\n", what, args);
  fclose (f);
}

static gboolean
matches (const char *option, const char *method)
{
  return option != NULL && strcmp (option, method) == 0;
}

static void
method_call (GDBusConnection *connection,
             const char *sender,
             const char *object_path,
             const char *interface_name,
             const char *method,
             GVariant *params,
             GDBusMethodInvocation *invocation,
             gpointer user_data)
{
  GVariant *reply;

  record (method, params);
  if (matches (opt_exit_on, method))
    exit (0);
  if (matches (opt_hang_on, method))
    {
      g_object_ref (invocation); /* kept forever: the caller times out */
      return;
    }
  if (matches (opt_fail, method))
    {
      g_dbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.DBus.Error.Failed",
                                                  "internal failure");
      return;
    }
  if (matches (opt_stas_error, method))
    {
      g_dbus_method_invocation_return_dbus_error (
          invocation, "org.nvmexpress.stas.Error.NotImplemented", "not implemented yet");
      return;
    }
  if (matches (opt_bad_type, method))
    {
      /* sent as a raw message: the invocation would check the type against the IDL */
      g_autoptr (GDBusMessage) message =
          g_dbus_message_new_method_reply (g_dbus_method_invocation_get_message (invocation));

      g_dbus_message_set_body (message, g_variant_new ("(u)", 42));
      g_dbus_connection_send_message (connection, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL,
                                      NULL);
      g_object_unref (invocation);
      return;
    }
  if (matches (opt_bad_json, method))
    {
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", "{\"a\": [1,}"));
      return;
    }
  if (matches (opt_wrong_kind, method))
    {
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", "\"text\""));
      return;
    }
  reply = reply_for (method, params);
  if (reply == NULL)
    g_dbus_method_invocation_return_dbus_error (
        invocation, "org.freedesktop.DBus.Error.UnknownMethod", "unknown method");
  else
    g_dbus_method_invocation_return_value (invocation, reply);
}

static GVariant *
get_property (GDBusConnection *connection,
              const char *sender,
              const char *object_path,
              const char *interface_name,
              const char *property,
              GError **error,
              gpointer user_data)
{
  record (property, NULL);
  if (strcmp (property, "tron") == 0)
    return opt_tron_type != NULL ? g_variant_new_string (tron ? "yes" : "no")
                                 : g_variant_new_boolean (tron);
  return g_variant_new_string (tron ? "DEBUG" : "INFO");
}

static gboolean
set_property (GDBusConnection *connection,
              const char *sender,
              const char *object_path,
              const char *interface_name,
              const char *property,
              GVariant *value,
              GError **error,
              gpointer user_data)
{
  record ("set-tron", value);
  if (opt_deny_tron)
    {
      /* what the bus policy does for a non-root caller */
      g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                           "Rejected send message");
      return FALSE;
    }
  tron = g_variant_get_boolean (value);
  return TRUE;
}

static const GDBusInterfaceVTable vtable = { method_call, get_property, set_property, { 0 } };

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- stand-in for stafd/stacd");
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GDBusNodeInfo) node = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  GVariant *owned;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_kind == NULL)
    {
      fprintf (stderr, "fake-stafd: %s\n", error != NULL ? error->message : "--kind missing");
      return 2;
    }
  is_stafd = strcmp (opt_kind, "stafd") == 0;

  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (bus == NULL)
    die ("%s", error->message);
  node = g_dbus_node_info_new_for_xml (is_stafd ? stas_idl_stafd : stas_idl_stacd, &error);
  if (node == NULL)
    die ("%s", error->message);
  for (guint i = 0; node->interfaces[i] != NULL; i++)
    if (g_dbus_connection_register_object (
            bus, is_stafd ? STAS_STAFD_OBJECT_PATH : STAS_STACD_OBJECT_PATH, node->interfaces[i],
            &vtable, NULL, NULL, &error) == 0)
      die ("%s", error->message);
  owned = g_dbus_connection_call_sync (
      bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
      g_variant_new ("(su)", is_stafd ? STAS_STAFD_BUS_NAME : STAS_STACD_BUS_NAME,
                     4 /* no queue */),
      G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  if (owned == NULL)
    die ("%s", error->message);
  g_variant_unref (owned);

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);
  return 0;
}
