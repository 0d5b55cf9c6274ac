/* stas-payload.c — D-Bus reply payloads (spec/dbus.md §5). */
#include "config.h"

#include "stas-payload.h"

#include <string.h>
#include <time.h>

#include "stas-json.h"

/* ---- value formats ------------------------------------------------------------------------ */

char *
stas_payload_timer_string (gdouble interval_s, gboolean running, gdouble remaining_s)
{
  GString *out = g_string_new (NULL);
  gint64 us = 0;

  /* clamped before the conversion: a double beyond gint64 is undefined behaviour, and the
   * configuration accepts any finite persistence (spec/config.md §2.5) */
  if (running && remaining_s > 0)
    us = remaining_s >= STAS_PAYLOAD_TIMER_MAX_S ? STAS_PAYLOAD_TIMER_MAX_S * G_USEC_PER_SEC
                                                 : (gint64) (remaining_s * G_USEC_PER_SEC + 0.5);

  stas_json_append_float_repr (out, interval_s);
  if (!running)
    g_string_append (out, "s [off]");
  else if (us <= 0)
    g_string_append (out, "s [0s]");
  else
    {
      char frac[8];
      int len;

      /* microseconds, trailing zeros removed, at least one decimal digit */
      len = g_snprintf (frac, sizeof frac, "%06d", (int) (us % G_USEC_PER_SEC));
      while (len > 1 && frac[len - 1] == '0')
        frac[--len] = '\0';
      g_string_append_printf (out, "s [%" G_GINT64_FORMAT ".%ss]", us / G_USEC_PER_SEC, frac);
    }
  return g_string_free (out, FALSE);
}

void
stas_payload_append_repr_string (GString *out, const char *text)
{
  g_string_append_c (out, '\'');
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      if (*p == '\\' || *p == '\'')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

char *
stas_payload_operation_string (const StasOperationInfo *op)
{
  static const char *const completed[] = {
    [STAS_OP_NOT_RUN] = "None",
    [STAS_OP_IN_FLIGHT] = "False",
    [STAS_OP_FINISHED] = "True",
  };
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (op != NULL && (guint) op->completed < G_N_ELEMENTS (completed), NULL);

  g_string_append_printf (out, "{'fail count': %u, 'completed': %s, 'alive': %s", op->fail_count,
                          completed[op->completed], op->alive ? "True" : "False");
  if (op->retry_timer != NULL)
    {
      g_string_append (out, ", 'retry timer': ");
      stas_payload_append_repr_string (out, op->retry_timer);
    }
  if (op->error != NULL)
    {
      g_string_append (out, ", 'error': ");
      stas_payload_append_repr_string (out, op->error);
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

char *
stas_payload_repr_dict (GVariant *dict)
{
  GString *out = g_string_new ("{");
  GVariantIter iter;
  const char *key, *value;
  gboolean first = TRUE;

  g_return_val_if_fail (dict != NULL && g_variant_is_of_type (dict, G_VARIANT_TYPE ("a{ss}")),
                        NULL);

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    {
      if (!first)
        g_string_append (out, ", ");
      first = FALSE;
      stas_payload_append_repr_string (out, key);
      g_string_append (out, ": ");
      stas_payload_append_repr_string (out, value);
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

char *
stas_payload_asctime (gint64 unix_time)
{
  static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  time_t t = (time_t) unix_time;
  struct tm tm;

  if (localtime_r (&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
      tm.tm_mon > 11)
    return g_strdup ("---");
  return g_strdup_printf ("%s %s%3d %.2d:%.2d:%.2d %d", days[tm.tm_wday], months[tm.tm_mon],
                          tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

char *
stas_payload_timeout_string (gdouble seconds)
{
  GString *out;

  if (seconds < 0)
    return g_strdup ("forever");
  out = g_string_new (NULL);
  if (seconds < 1e15 && seconds == (gdouble) (gint64) seconds)
    g_string_append_printf (out, "%.0f", seconds);
  else
    stas_json_append_float_repr (out, seconds);
  g_string_append (out, " sec");
  return g_string_free (out, FALSE);
}

/* ---- controllers -------------------------------------------------------------------------- */

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

static void
add (GVariantBuilder *b, const char *key, const char *value)
{
  g_variant_builder_add (b, "{ss}", key, or_empty (value));
}

static void
add_take (GVariantBuilder *b, const char *key, char *value)
{
  add (b, key, value);
  g_free (value);
}

static const char *
py_bool (gboolean value)
{
  return value ? "True" : "False";
}

static void
add_id (GVariantBuilder *b, const StasCtrlInfo *ctrl)
{
  const StasTid *tid = ctrl->tid;

  add (b, "traddr", stas_tid_get_traddr (tid));
  add (b, "trsvcid", stas_tid_get_trsvcid (tid));
  add (b, "transport", stas_tid_get_transport (tid));
  add (b, "subsysnqn", stas_tid_get_subsysnqn (tid));
  add (b, "host-iface", stas_tid_get_host_iface (tid));
  add (b, "host-traddr", stas_tid_get_host_traddr (tid));
  for (guint i = 0; ctrl->params != NULL && i < ctrl->params->len; i++)
    {
      const StasConfigParam *param = g_ptr_array_index (ctrl->params, i);
      add_take (b, param->key, stas_config_param_to_string (param));
    }
  add (b, "host-nqn", stas_tid_get_host_nqn (tid));
  add (b, "host-id", stas_tid_get_host_id (tid));
  add (b, "device", ctrl->device != NULL && *ctrl->device != '\0' ? ctrl->device : "nvme?");
}

static void
add_dc_info (GVariantBuilder *b, const StasCtrlInfo *ctrl)
{
  gboolean discovered = ctrl->origin == STAS_STATE_ORIGIN_DISCOVERED;

  add (b, "origin", stas_state_origin_to_string (ctrl->origin));
  if (discovered)
    {
      add (b, "unresponsive timer", ctrl->unresponsive_timer);
      add_take (b, "unresponsive timeout",
                stas_payload_timeout_string (ctrl->unresponsive_timeout));
      if (ctrl->unresponsive)
        add_take (b, "unresponsive time", stas_payload_asctime (ctrl->unresponsive_since));
      else
        add (b, "unresponsive time", "---");
    }
  if (ctrl->get_log_page_operation != NULL)
    add (b, "get log page operation", ctrl->get_log_page_operation);
  if (ctrl->register_operation != NULL)
    add (b, "register operation", ctrl->register_operation);
  if (ctrl->get_supported_log_page_operation != NULL)
    add (b, "get supported log page operation", ctrl->get_supported_log_page_operation);
  add (b, "log pages state", stas_state_log_pages_to_string (ctrl->log_pages_state));
  add_take (b, "log pages dropped", g_strdup_printf ("%u", ctrl->log_pages_dropped));
  add_take (b, "referral depth", g_strdup_printf ("%u", ctrl->referral_depth));
  if (discovered)
    {
      add (b, "mdns advertised", py_bool (ctrl->mdns_advertised));
      if (!ctrl->unresponsive)
        add (b, "unresponsive removal time", "---");
      else if (ctrl->unresponsive_timeout < 0)
        add (b, "unresponsive removal time", "never");
      else
        add_take (
            b, "unresponsive removal time",
            stas_payload_asctime (ctrl->unresponsive_since + (gint64) ctrl->unresponsive_timeout));
    }
}

static void
add_info (GVariantBuilder *b, const StasCtrlInfo *ctrl)
{
  add_id (b, ctrl);
  add_take (b, "connect attempts", g_strdup_printf ("%u", ctrl->connect_attempts));
  add (b, "retry connect timer", ctrl->retry_connect_timer);
  if (ctrl->connect_operation != NULL)
    add (b, "connect operation", ctrl->connect_operation);
  if (ctrl->kind == STAS_DAEMON_STAFD)
    add_dc_info (b, ctrl);
  else
    add (b, "origin", stas_state_origin_to_string (ctrl->origin));
}

static void
add_details (GVariantBuilder *b, const StasCtrlInfo *ctrl)
{
  add_info (b, ctrl);
  add (b, "hostid", ctrl->hostid);
  add (b, "hostnqn", ctrl->hostnqn);
  add (b, "model", ctrl->model);
  add (b, "serial", ctrl->serial);
  add (b, "dctype", ctrl->dctype);
  add (b, "cntrltype", ctrl->cntrltype);
  add (b, "connected", py_bool (ctrl->connected));
  if (ctrl->kind == STAS_DAEMON_STACD)
    {
      if (ctrl->dlpe != NULL)
        add_take (b, "dlpe", stas_dlpe_to_repr (ctrl->dlpe));
      else
        add (b, "dlpe", "None");
      add (b, "dlpe.eflags.ncc", py_bool (ctrl->dlpe != NULL && stas_dlpe_has_ncc (ctrl->dlpe)));
    }
}

typedef void (*AddFunc) (GVariantBuilder *b, const StasCtrlInfo *ctrl);

static GVariant *
build_dict (const StasCtrlInfo *ctrl, AddFunc func)
{
  GVariantBuilder b;

  g_return_val_if_fail (ctrl != NULL && ctrl->tid != NULL, NULL);

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{ss}"));
  func (&b, ctrl);
  return g_variant_builder_end (&b);
}

GVariant *
stas_payload_controller_id (const StasCtrlInfo *ctrl)
{
  return build_dict (ctrl, add_id);
}

GVariant *
stas_payload_controller_info (const StasCtrlInfo *ctrl)
{
  return build_dict (ctrl, add_info);
}

GVariant *
stas_payload_controller_details (const StasCtrlInfo *ctrl)
{
  return build_dict (ctrl, add_details);
}

GVariant *
stas_payload_controller_list (const StasCtrlInfo *const *ctrls, guint n_ctrls, gboolean detailed)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{ss}"));
  for (guint i = 0; i < n_ctrls; i++)
    g_variant_builder_add_value (&b, detailed ? stas_payload_controller_details (ctrls[i])
                                              : stas_payload_controller_id (ctrls[i]));
  return g_variant_builder_end (&b);
}

char *
stas_payload_controller_info_json (const StasCtrlInfo *ctrl)
{
  g_autoptr (GVariant) info = NULL;

  if (ctrl == NULL)
    return g_strdup ("{}");
  info = g_variant_ref_sink (stas_payload_controller_info (ctrl));
  return stas_json_compact_from_variant (info);
}

/* ---- get_all_log_pages -------------------------------------------------------------------- */

char *
stas_payload_all_log_pages_json (const StasDcLogPages *dcs, guint n_dcs, gboolean detailed)
{
  GString *out = g_string_new ("[");

  /* assembled as text: the log pages (most of the reply) are usually pre-rendered */
  for (guint i = 0; i < n_dcs; i++)
    {
      g_autoptr (GVariant) dc =
          g_variant_ref_sink (detailed ? stas_payload_controller_details (dcs[i].ctrl)
                                       : stas_payload_controller_id (dcs[i].ctrl));
      g_autoptr (StasJson) dc_json = stas_json_new_from_variant (dc);
      g_autofree char *dc_text = stas_json_to_compact (dc_json);

      g_string_append (out,
                       i > 0 ? ", {\"discovery-controller\": " : "{\"discovery-controller\": ");
      g_string_append (out, dc_text);
      g_string_append (out, ", \"log-pages\": ");
      if (dcs[i].log_pages_json != NULL)
        g_string_append (out, dcs[i].log_pages_json);
      else if (dcs[i].log_pages != NULL)
        {
          g_autoptr (StasJson) pages = stas_json_new_from_variant (dcs[i].log_pages);
          g_autofree char *text = stas_json_to_compact (pages);
          g_string_append (out, text);
        }
      else
        g_string_append (out, "[]");
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

/* ---- process_info ------------------------------------------------------------------------- */

static void
set_string (StasJson *object, const char *key, const char *value)
{
  stas_json_object_set (object, key, stas_json_new_string (or_empty (value)));
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static StasJson *
avahi_service (const StasAvahiServiceInfo *svc)
{
  StasJson *object = stas_json_new_object ();

  if (svc->identified)
    {
      set_string (object, "transport", svc->transport);
      set_string (object, "traddr", svc->traddr);
      set_string (object, "trsvcid", svc->trsvcid);
      set_string (object, "host-iface", svc->host_iface);
      set_string (object, "subsysnqn", svc->subsysnqn);
    }
  set_string (object, "reachable", py_bool (svc->reachable));
  set_string (object, "check timer", svc->check_timer);
  return object;
}

static StasJson *
avahi_object (const StasAvahiInfo *avahi)
{
  static const StasAvahiInfo none = { 0 };
  StasJson *object = stas_json_new_object ();
  StasJson *types = stas_json_new_array ();
  StasJson *services = stas_json_new_object ();
  g_autoptr (GPtrArray) sorted = g_ptr_array_new ();

  if (avahi == NULL)
    avahi = &none;
  set_string (object, "avahi wake up timer", avahi->wake_up_timer);
  for (guint i = 0; avahi->service_types != NULL && avahi->service_types[i] != NULL; i++)
    g_ptr_array_add (sorted, (gpointer) avahi->service_types[i]);
  g_ptr_array_sort (sorted, compare_strings);
  for (guint i = 0; i < sorted->len; i++)
    stas_json_array_add (types, stas_json_new_string (g_ptr_array_index (sorted, i)));
  stas_json_object_set (object, "service types", types);
  for (guint i = 0; i < avahi->n_services; i++)
    {
      const StasAvahiServiceInfo *svc = &avahi->services[i];
      g_autofree char *key =
          g_strdup_printf ("(%s, %s, %s.%s, %s)", or_empty (svc->ifname), or_empty (svc->protocol),
                           or_empty (svc->name), or_empty (svc->domain), or_empty (svc->stype));

      stas_json_object_set (services, key, avahi_service (svc));
    }
  stas_json_object_set (object, "services", services);
  return object;
}

static const char *
stafd_data_string (StasStafdData data)
{
  switch (data)
    {
    case STAS_STAFD_DATA_STALE:
      return "stale";
    case STAS_STAFD_DATA_PARTIAL:
      return "partial";
    case STAS_STAFD_DATA_COMPLETE:
      return "complete";
    case STAS_STAFD_DATA_NONE:
    default:
      return "none";
    }
}

char *
stas_payload_process_info_json (const StasProcessInfo *info)
{
  g_autoptr (StasJson) object = stas_json_new_object ();
  g_autofree char *overflows = NULL;

  g_return_val_if_fail (info != NULL, NULL);

  stas_json_object_set (object, "tron", stas_json_new_bool (info->tron));
  set_string (object, "log-level", info->tron ? "DEBUG" : "INFO");
  set_string (object, "hostnqn", info->host_nqn);
  set_string (object, "hostid", info->host_id);
  /* [D-25] never the key itself */
  stas_json_object_set (object, "hostkey",
                        info->has_host_key ? stas_json_new_string ("<redacted>")
                                           : stas_json_new_null ());
  stas_json_object_set (object, "symname", stas_json_new_string (info->symname));
  set_string (object, "last known config file", info->state_file);
  set_string (object, "config soak timer", info->config_soak_timer);
  set_string (object, "kernel support.TP8013", py_bool (info->tp8013));
  set_string (object, "kernel support.host_iface", py_bool (info->host_iface));
  set_string (object, "terminator.audit timer", info->audit_timer);
  for (guint i = 0; info->terminating != NULL && i < info->n_terminating; i++)
    {
      const StasCtrlInfo *ctrl = info->terminating[i];
      g_autoptr (GVariant) dict = g_variant_ref_sink (stas_payload_controller_info (ctrl));
      g_autofree char *key =
          g_strconcat ("terminator.controller.", stas_tid_to_string (ctrl->tid), NULL);

      g_autofree char *repr = stas_payload_repr_dict (dict);

      set_string (object, key, repr);
    }
  if (info->kind == STAS_DAEMON_STAFD)
    stas_json_object_set (object, "avahi", avahi_object (info->avahi));
  set_string (object, "kernel support.dhchap_secret", py_bool (info->dhchap_secret));
  set_string (object, "kernel support.dhchap_ctrl_secret", py_bool (info->dhchap_ctrl_secret));
  set_string (object, "sysfs resync timer", info->sysfs_resync_timer);
  overflows = g_strdup_printf ("%" G_GUINT64_FORMAT, info->udev_overflows);
  set_string (object, "udev overflows", overflows);
  if (info->kind == STAS_DAEMON_STACD)
    {
      set_string (object, "stafd data", stafd_data_string (info->stafd_data));
      set_string (object, "stafd name owner", info->stafd_name_owner);
    }
  return stas_json_to_compact (object);
}
