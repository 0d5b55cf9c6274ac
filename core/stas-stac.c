/* stas-stac.c — StasStac: the stacd service object. I/O controllers from stafd's cached log
 * pages and from stacd.conf (behaviour §7), the stafd D-Bus client (spec/dbus.md §8), the
 * disconnect policy and the audit of external connections, NCC (§9), the warm-restart state
 * file and the org.nvmexpress.stac API.
 *
 * "No data is not an empty list" [STAC-3] [D-33]: whatever stafd does (absent, restarting,
 * not started yet, no log page fetched yet, a call failing or timing out, a malformed reply)
 * never removes an I/O controller that came from a log page; removing one needs evidence for
 * every DC that listed it (§7.4). */
#include "config.h"

#include "stas-stac.h"

#include "stas-dbus-generated.h"
#include "stas-dlp.h"
#include "stas-ip.h"
#include "stas-json.h"
#include "stas-log.h"
#include "stas-soak.h"
#include "stas-stac-private.h"
#include "stas-state.h"

#define STATE_WRITE_DEBOUNCE_MS 1000
#define SHUTDOWN_GRACE_S 20

/* What stacd knows about one DC across snapshots (evidence rules (b) and (c) of §7.4). */
typedef struct
{
  guint64 present_seq;    /* sequence number of the last snapshot that listed it; 0: never */
  gint64 absent_since_us; /* monotonic time of the first snapshot (of the current stafd owner)
                           * without it after it was last present; 0: not absent */
} DcTrack;

struct _StasStac
{
  StasService parent_instance;

  GPtrArray *entries;   /* (owned) StacEntry, creation order */
  GHashTable *index;    /* StasTid (the IOC's) -> StacEntry of @entries */
  GPtrArray *disposals; /* (owned) StasIoc being disposed */
  StasSoak *soak;       /* (owned) */
  guint soak_interval_ms;
  GHashTable *resolved; /* host name -> last address (D-37) */
  GHashTable *warned;   /* texts logged once (snapshot diagnostics) */
  GCancellable *cancellable;

  /* following stafd [STAC-2] */
  GDBusConnection *connection; /* (owned) (nullable) */
  guint watch_id;
  guint signal_id;
  char *stafd_owner;       /* unique name, or NULL */
  gboolean stafd_vanished; /* stafd left the bus earlier in this run */
  gboolean have_snapshot;  /* an available snapshot was received in this run */
  StasStafdData stafd_data;
  guint call_timeout_ms;
  guint orphan_grace_ms;
  guint64 seq;            /* orders snapshots (at call time) and dc_removed signals */
  guint64 dc_removed_seq; /* of the last dc_removed */
  GHashTable *tracks;     /* StasTid (DC) -> DcTrack */
  char *track_owner;      /* stafd owner the absence times refer to */
  guint orphan_timer;

  /* audit [STAC-6] */
  gboolean audit_active;
  guint audit_timer;
  gulong device_event_handler;

  guint state_timer;
  gboolean state_writing; /* a write runs in a worker */
  gboolean state_dirty;   /* another write is wanted after it */
  StasState *final_state; /* (owned) (nullable) shutdown: written after the one in flight */
  gboolean state_error_logged;
  gboolean started;
  gboolean shutting_down;
  GTask *shutdown_task; /* (owned) (nullable) */
  guint shutdown_timer;
};

G_DEFINE_FINAL_TYPE (StasStac, stas_stac, STAS_TYPE_SERVICE)

static void reconcile (StasSoak *soak, gpointer user_data);
static void stacd_schedule_state_write (StasStac *self);
static void run_audit (StasStac *self);

/* ==== the stafd snapshot (behaviour §7.3, spec/dbus.md §8) ================================ */

static void
snap_dc_free (StasSnapDc *dc)
{
  stas_tid_unref (dc->tid);
  g_free (dc);
}

static void
snap_ioc_free (StasSnapIoc *ioc)
{
  stas_tid_unref (ioc->tid);
  g_ptr_array_unref (ioc->sources);
  g_free (ioc);
}

void
stas_staf_snapshot_free (StasStafSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_hash_table_unref (snapshot->index);
  g_hash_table_unref (snapshot->dc_index);
  g_ptr_array_unref (snapshot->iocs);
  g_ptr_array_unref (snapshot->dcs);
  g_free (snapshot);
}

StasSnapDc *
stas_staf_snapshot_find_dc (const StasStafSnapshot *snapshot, const StasTid *dc)
{
  return snapshot != NULL ? g_hash_table_lookup (snapshot->dc_index, dc) : NULL;
}

static void
diag_once (GHashTable *warned, GPtrArray *diags, StasLogLevel level, char *text /* owned */)
{
  if (warned == NULL || g_hash_table_add (warned, g_strdup (text)))
    stas_diags_add (diags, level, "%s", text);
  g_free (text);
}

static gboolean
is_string (const StasJson *object, const char *key)
{
  const StasJson *value = stas_json_object_get (object, key);
  return value != NULL && value->kind == STAS_JSON_STRING;
}

/* A string member, or absent; anything else is FALSE. */
static gboolean
optional_string (const StasJson *object, const char *key, const char **out)
{
  const StasJson *value = stas_json_object_get (object, key);

  *out = NULL;
  if (value == NULL)
    return TRUE;
  if (value->kind != STAS_JSON_STRING)
    return FALSE;
  *out = value->string;
  return TRUE;
}

/* spec/dbus.md §8: the structure one element must have */
static gboolean
element_valid (const StasJson *element)
{
  static const char *const keys[] = { "transport", "traddr",      "trsvcid",
                                      "subsysnqn", "host-traddr", "host-iface" };
  const StasJson *dc = stas_json_object_get (element, "discovery-controller");
  const StasJson *pages = stas_json_object_get (element, "log-pages");

  if (element->kind != STAS_JSON_OBJECT || dc == NULL || dc->kind != STAS_JSON_OBJECT ||
      pages == NULL || pages->kind != STAS_JSON_ARRAY)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!is_string (dc, keys[i]))
      return FALSE;
  for (guint i = 0; i < pages->items->len; i++)
    {
      const StasJson *entry = g_ptr_array_index (pages->items, i);
      if (entry->kind != STAS_JSON_OBJECT)
        return FALSE;
      for (guint j = 0; j < entry->items->len; j++)
        if (((const StasJson *) g_ptr_array_index (entry->items, j))->kind != STAS_JSON_STRING)
          return FALSE;
    }
  return TRUE;
}

static GVariant *entry_to_variant (const StasJson *entry);

/* The published DLPE keys, in the order of spec/dbus.md §5.4. */
static const char *const dlpe_keys[] = { "trtype", "adrfam",  "traddr", "trsvcid",
                                         "subnqn", "subtype", "treq",   "portid",
                                         "cntlid", "asqsz",   "eflags" };

static gboolean
u16_text (const char *text, guint16 *out)
{
  guint v = 0;

  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      v = v * 10 + (guint) (*p - '0');
      if (v > G_MAXUINT16)
        return FALSE;
    }
  *out = (guint16) v;
  return TRUE;
}

static gboolean
text_field (const char *text, char *out, gsize size)
{
  gsize n = strlen (text), start = 0;

  if (n > size)
    return FALSE;
  while (start < n && g_ascii_isspace (text[start]))
    start++;
  while (n > start && g_ascii_isspace (text[n - 1]))
    n--;
  for (gsize i = start; i < n; i++)
    if ((guchar) text[i] < 0x20 || (guchar) text[i] > 0x7e)
      return FALSE;
  memcpy (out, text + start, n - start);
  out[n - start] = '\0';
  return TRUE;
}

/* A fast path of stas_dlpe_from_variant() straight from the JSON object, under the same
 * rules (stas-dlp.h): FALSE for anything it does not accept, and the caller lets the
 * canonical conversion decide and say why (test-ioc.c compares both). */
static gboolean
dlpe_from_json (const StasJson *entry, StasDlpe *out)
{
  const char *v[G_N_ELEMENTS (dlpe_keys)];

  memset (out, 0, sizeof *out);
  for (guint i = 0; i < G_N_ELEMENTS (dlpe_keys); i++)
    if ((v[i] = stas_json_object_get_string (entry, dlpe_keys[i])) == NULL)
      return FALSE;
  return stas_dlp_trtype_from_string (v[0], &out->trtype) &&
         stas_dlp_adrfam_from_string (v[1], &out->adrfam) &&
         text_field (v[2], out->traddr, STAS_DLPE_TRADDR_LEN) &&
         text_field (v[3], out->trsvcid, STAS_DLPE_TRSVCID_LEN) &&
         text_field (v[4], out->subnqn, STAS_DLPE_SUBNQN_LEN) &&
         stas_dlp_subtype_from_string (v[5], &out->subtype) &&
         stas_dlp_treq_from_string (v[6], &out->treq) && u16_text (v[7], &out->portid) &&
         u16_text (v[8], &out->cntlid) && u16_text (v[9], &out->asqsz) &&
         u16_text (v[10], &out->eflags);
}

gboolean
stas_staf_snapshot_entry_to_dlpe (const StasJson *entry, StasDlpe *out, GError **error)
{
  g_autoptr (GVariant) dict = NULL;

  if (dlpe_from_json (entry, out))
    return TRUE;
  dict = entry_to_variant (entry);
  return stas_dlpe_from_variant (dict, out, error);
}

static GVariant *
entry_to_variant (const StasJson *entry)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{ss}"));
  for (guint i = 0; i < entry->keys->len; i++)
    g_variant_builder_add (&b, "{ss}", (const char *) g_ptr_array_index (entry->keys, i),
                           ((const StasJson *) g_ptr_array_index (entry->items, i))->string);
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

static void
snapshot_add_ioc (StasStafSnapshot *snapshot, StasTid *tid, const StasDlpe *dlpe, StasTid *dc)
{
  StasSnapIoc *ioc = g_hash_table_lookup (snapshot->index, tid);

  if (ioc == NULL)
    {
      ioc = g_new0 (StasSnapIoc, 1);
      ioc->tid = stas_tid_ref (tid);
      ioc->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_tid_unref);
      g_ptr_array_add (snapshot->iocs, ioc);
      g_hash_table_insert (snapshot->index, ioc->tid, ioc);
    }
  ioc->dlpe = *dlpe; /* the last DC in reply order wins */
  for (guint i = 0; i < ioc->sources->len; i++)
    if (stas_tid_equal (g_ptr_array_index (ioc->sources, i), dc))
      return;
  g_ptr_array_add (ioc->sources, stas_tid_ref (dc));
}

/* One element: its DC and the I/O controllers of its log page. */
static gboolean
parse_element (StasStafSnapshot *snapshot,
               const StasJson *element,
               const StasTidDefaults *ioc_defaults,
               const StasTidDefaults *dc_defaults,
               GHashTable *warned,
               GPtrArray *diags)
{
  const StasJson *dc = stas_json_object_get (element, "discovery-controller");
  const StasJson *pages = stas_json_object_get (element, "log-pages");
  const char *host_nqn, *host_id, *state, *dropped;
  g_autoptr (StasTid) dc_tid = NULL;
  gboolean authoritative;
  StasSnapDc *known;

  if (!element_valid (element) || !optional_string (dc, "host-nqn", &host_nqn) ||
      !optional_string (dc, "host-id", &host_id))
    return FALSE;
  {
    StasTidFields fields = {
      .transport = stas_json_object_get_string (dc, "transport"),
      .traddr = stas_json_object_get_string (dc, "traddr"),
      .trsvcid = stas_json_object_get_string (dc, "trsvcid"),
      .subsysnqn = stas_json_object_get_string (dc, "subsysnqn"),
      .host_traddr = stas_json_object_get_string (dc, "host-traddr"),
      .host_iface = stas_json_object_get_string (dc, "host-iface"),
      .host_nqn = host_nqn,
      .host_id = host_id,
    };
    dc_tid = stas_tid_new (dc_defaults, &fields, NULL);
  }
  if (dc_tid == NULL)
    return FALSE;

  /* a DC dictionary without these keys comes from nvme-stas' stafd: current, 0 [DBUS-40] */
  authoritative = optional_string (dc, "log pages state", &state) &&
                  optional_string (dc, "log pages dropped", &dropped) &&
                  (state == NULL || g_strcmp0 (state, "current") == 0) &&
                  (dropped == NULL || g_strcmp0 (dropped, "0") == 0);

  for (guint i = 0; i < pages->items->len; i++)
    {
      const StasJson *entry = g_ptr_array_index (pages->items, i);
      g_autoptr (GError) error = NULL;
      g_autoptr (StasTid) tid = NULL;
      StasDlpe dlpe;

      if (!stas_staf_snapshot_entry_to_dlpe (entry, &dlpe, &error))
        {
          diag_once (warned, diags, STAS_LOG_WARNING,
                     g_strdup_printf ("Ignoring malformed discovery log page entry from %s: %s",
                                      stas_tid_to_string (dc_tid), error->message));
          authoritative = FALSE;
          continue;
        }
      if (!stas_dlpe_is_nvme (&dlpe))
        continue; /* referrals and TP8014 self entries are stafd's business */
      tid = stas_dlpe_to_tid (&dlpe, dc_tid, ioc_defaults, &error);
      if (g_error_matches (error, STAS_DLP_ERROR, STAS_DLP_ERROR_CROSS_TRANSPORT))
        {
          char code[STAS_DLP_CODE_BUF];
          /* [D-41]: not an error, the DC stays authoritative */
          diag_once (warned, diags, STAS_LOG_INFO,
                     g_strdup_printf ("Ignoring %s at %s:%s: transport %s differs from the DC's "
                                      "transport %s",
                                      dlpe.subnqn, dlpe.traddr, dlpe.trsvcid,
                                      stas_dlp_trtype_to_string (dlpe.trtype, code),
                                      stas_tid_get_transport (dc_tid)));
          continue;
        }
      if (tid == NULL)
        {
          diag_once (warned, diags, STAS_LOG_WARNING,
                     g_strdup_printf ("Ignoring malformed discovery log page entry from %s: %s",
                                      stas_tid_to_string (dc_tid),
                                      error != NULL ? error->message : "invalid entry"));
          authoritative = FALSE;
          continue;
        }
      snapshot_add_ioc (snapshot, tid, &dlpe, dc_tid);
    }

  known = stas_staf_snapshot_find_dc (snapshot, dc_tid);
  if (known != NULL)
    known->authoritative = known->authoritative && authoritative;
  else
    {
      StasSnapDc *d = g_new0 (StasSnapDc, 1);
      d->tid = g_steal_pointer (&dc_tid);
      d->authoritative = authoritative;
      g_ptr_array_add (snapshot->dcs, d);
      g_hash_table_insert (snapshot->dc_index, d->tid, d);
    }
  return TRUE;
}

StasStafSnapshot *
stas_staf_snapshot_parse (const char *json,
                          const StasTidDefaults *ioc_defaults,
                          const StasTidDefaults *dc_defaults,
                          GHashTable *warned,
                          GPtrArray *diags,
                          GError **error)
{
  g_autoptr (StasJson) root = NULL;
  StasStafSnapshot *snapshot;

  g_return_val_if_fail (json != NULL, NULL);
  root = stas_json_parse (json, strlen (json), 0, error);
  if (root == NULL)
    return NULL;
  if (root->kind != STAS_JSON_ARRAY)
    {
      g_set_error_literal (error, STAS_JSON_ERROR, STAS_JSON_ERROR_INVALID,
                           "the reply is not a JSON array");
      return NULL;
    }
  snapshot = g_new0 (StasStafSnapshot, 1);
  snapshot->dcs = g_ptr_array_new_with_free_func ((GDestroyNotify) snap_dc_free);
  snapshot->iocs = g_ptr_array_new_with_free_func ((GDestroyNotify) snap_ioc_free);
  snapshot->index = g_hash_table_new (stas_tid_hash, stas_tid_equal);
  snapshot->dc_index = g_hash_table_new (stas_tid_hash, stas_tid_equal);
  for (guint i = 0; i < root->items->len; i++)
    if (!parse_element (snapshot, g_ptr_array_index (root->items, i), ioc_defaults, dc_defaults,
                        warned, diags))
      {
        stas_diags_add (diags, STAS_LOG_WARNING, "Ignoring malformed entry %u from stafd", i);
        snapshot->malformed++;
      }
  snapshot->complete = snapshot->malformed == 0;
  for (guint i = 0; i < snapshot->dcs->len; i++)
    if (!((StasSnapDc *) g_ptr_array_index (snapshot->dcs, i))->authoritative)
      snapshot->complete = FALSE;
  return snapshot;
}

/* ==== entries ============================================================================= */

static void
stac_entry_free (StacEntry *entry)
{
  if (entry->ioc != NULL)
    g_signal_handlers_disconnect_by_data (entry->ioc, entry);
  g_clear_object (&entry->ioc);
  g_clear_pointer (&entry->config, stas_config_unref);
  g_clear_pointer (&entry->warned, g_hash_table_unref);
  g_free (entry);
}

static StasTid *
entry_tid (StacEntry *entry)
{
  return stas_controller_get_tid (STAS_CONTROLLER (entry->ioc));
}

StacEntry *
stas_stac_find_entry (StasStac *self, const StasTid *tid)
{
  return g_hash_table_lookup (self->index, tid);
}

static void
warn_once (StacEntry *entry, StasLogLevel level, const char *text)
{
  if (entry->warned == NULL)
    entry->warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_add (entry->warned, g_strdup (text)))
    stas_log (level, "%s", text);
}

static void
on_ioc_device_notify (StasIoc *ioc, GParamSpec *pspec, StacEntry *entry)
{
  stacd_schedule_state_write (entry->owner); /* the device hint of the state file */
}

static StacEntry *
add_entry (StasStac *self, StasIoc *ioc)
{
  StacEntry *entry = g_new0 (StacEntry, 1);

  entry->owner = self;
  entry->ioc = ioc;
  g_signal_connect (ioc, "notify::device", G_CALLBACK (on_ioc_device_notify), entry);
  stas_controller_set_tron (STAS_CONTROLLER (ioc), stas_service_get_tron (STAS_SERVICE (self)));
  g_ptr_array_add (self->entries, entry);
  g_hash_table_insert (self->index, entry_tid (entry), entry);
  return entry;
}

/* The connect request of an I/O controller (behaviour §3.2, [D-32]); @ctrl: its controller=
 * entry or NULL. */
static void
build_request (StasStac *self,
               StasTid *tid,
               const StasConfigController *ctrl,
               StasConnectRequest *request)
{
  StasService *service = STAS_SERVICE (self);
  StasConfig *config = stas_service_get_config (service);
  StasSysConf *sysconf = stas_service_get_sysconf (service);
  const StasKernelCaps *caps = stas_service_get_kernel_caps (service);
  gboolean is_tcp = g_strcmp0 (stas_tid_get_transport (tid), "tcp") == 0;

  memset (request, 0, sizeof *request);
  request->tid = tid;
  request->discovery = FALSE;
  request->pass_host_iface = is_tcp && caps->host_iface && !stas_config_get_ignore_iface (config) &&
                             *stas_tid_get_host_iface (tid) != '\0';
  stas_config_get_conn_params (config, ctrl, &request->params);
  if (caps->dhchap_secret && request->params.dhchap_secret == NULL &&
      g_strcmp0 (stas_tid_get_host_nqn (tid), stas_sysconf_get_host_nqn (sysconf)) == 0)
    request->host_key = stas_sysconf_get_host_key (sysconf);
  if (!caps->dhchap_secret)
    request->params.dhchap_secret = NULL;
  if (!caps->dhchap_ctrl_secret)
    request->params.dhchap_ctrl_secret = NULL;
  request->symname = stas_sysconf_get_symname (sysconf);
}

static StasIoc *
new_ioc (StasStac *self, StasTid *tid, const StasConfigController *ctrl, StasIocOrigin origin)
{
  StasConfig *config = stas_service_get_config (STAS_SERVICE (self));
  StasConnectRequest request;
  StasIoc *ioc;

  build_request (self, tid, ctrl, &request);
  ioc = stas_ioc_new (stas_service_get_fabrics (STAS_SERVICE (self)),
                      stas_service_get_kernel (STAS_SERVICE (self)), &request,
                      stas_config_get_connect_attempts_on_ncc (config));
  stas_ioc_set_origin (ioc, origin);
  return ioc;
}

/* ==== the state file (spec/system.md §3, [STAC-7]) ========================================= */

static StasStateOrigin
origin_to_state (StasIocOrigin origin)
{
  switch (origin)
    {
    case STAS_IOC_ORIGIN_DISCOVERED:
      return STAS_STATE_ORIGIN_DISCOVERED;
    case STAS_IOC_ORIGIN_EXTERNAL:
      return STAS_STATE_ORIGIN_EXTERNAL;
    case STAS_IOC_ORIGIN_CONFIGURED:
    default:
      return STAS_STATE_ORIGIN_CONFIGURED;
    }
}

static StasIocOrigin
origin_from_state (StasStateOrigin origin)
{
  switch (origin)
    {
    case STAS_STATE_ORIGIN_DISCOVERED:
      return STAS_IOC_ORIGIN_DISCOVERED;
    case STAS_STATE_ORIGIN_EXTERNAL:
      return STAS_IOC_ORIGIN_EXTERNAL;
    default:
      return STAS_IOC_ORIGIN_CONFIGURED;
    }
}

static StasState *
build_state (StasStac *self)
{
  StasSysConf *sysconf = stas_service_get_sysconf (STAS_SERVICE (self));
  StasState *state = stas_state_new (STAS_DAEMON_STACD, stas_sysconf_get_host_nqn (sysconf),
                                     stas_sysconf_get_host_id (sysconf));

  for (guint i = 0; i < self->entries->len; i++)
    {
      StacEntry *entry = g_ptr_array_index (self->entries, i);
      StasController *ctrl = STAS_CONTROLLER (entry->ioc);
      GPtrArray *sources = stas_ioc_get_sources (entry->ioc);
      const StasDlpe *dlpe = stas_ioc_get_dlpe (entry->ioc);
      StasStateRecord *record = stas_state_record_new (
          stas_controller_get_tid (ctrl), origin_to_state (stas_ioc_get_origin (entry->ioc)));

      stas_state_record_set_device (record, stas_controller_get_device (ctrl));
      for (guint j = 0; j < sources->len; j++)
        stas_state_record_add_source (record, g_ptr_array_index (sources, j));
      if (dlpe != NULL)
        stas_state_record_set_dlpe (record, stas_dlpe_to_variant (dlpe));
      stas_state_add_record (state, record);
    }
  return state;
}

static void
state_write_result (StasStac *self, gboolean ok, const GError *error)
{
  if (ok)
    self->state_error_logged = FALSE;
  else if (!self->state_error_logged)
    {
      stas_error ("Unable to save last known config: %s", error->message);
      self->state_error_logged = TRUE;
    }
}

static void
write_state_sync (StasStac *self, const StasState *state)
{
  g_autofree char *path = stas_state_path (STAS_DAEMON_STACD);
  g_autoptr (GError) error = NULL;
  gboolean ok = stas_state_write (state, path, &error);

  state_write_result (self, ok, error);
}

typedef struct
{
  StasState *state;
  char *path;
} StateWrite;

static void
state_write_free (StateWrite *w)
{
  stas_state_free (w->state);
  g_free (w->path);
  g_free (w);
}

/* The JSON and the atomic write (fsync included) of thousands of records take long enough
 * to be kept off the main loop [NFR-3]; one write at a time. */
static void
state_write_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  StateWrite *w = data;
  GError *error = NULL;

  if (stas_state_write (w->state, w->path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void maybe_finish_shutdown (StasStac *self);

static void
on_state_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StasStac *self = STAS_STAC (source);
  g_autoptr (GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  self->state_writing = FALSE;
  state_write_result (self, ok, error);
  if (self->final_state != NULL)
    {
      /* SIGTERM came meanwhile: its state is the last word */
      write_state_sync (self, self->final_state);
      g_clear_pointer (&self->final_state, stas_state_free);
      maybe_finish_shutdown (self);
    }
  else if (self->state_dirty)
    {
      self->state_dirty = FALSE;
      stacd_schedule_state_write (self);
    }
}

static void
write_state_async (StasStac *self)
{
  StateWrite *w;
  g_autoptr (GTask) task = NULL;

  if (self->state_writing)
    {
      self->state_dirty = TRUE;
      return;
    }
  w = g_new0 (StateWrite, 1);
  w->state = build_state (self);
  w->path = stas_state_path (STAS_DAEMON_STACD);
  task = g_task_new (self, NULL, on_state_written, NULL);
  g_task_set_task_data (task, w, (GDestroyNotify) state_write_free);
  self->state_writing = TRUE;
  g_task_run_in_thread (task, state_write_thread);
}

static gboolean
on_state_timer (gpointer user_data)
{
  StasStac *self = user_data;

  self->state_timer = 0;
  write_state_async (self);
  return G_SOURCE_REMOVE;
}

static void
stacd_schedule_state_write (StasStac *self)
{
  if (self->state_timer == 0 && !self->shutting_down && self->started)
    self->state_timer = g_timeout_add (STATE_WRITE_DEBOUNCE_MS, on_state_timer, self);
}

/* [STAC-7]: an IOC comes back only when a matching kernel device exists; it adopts it. */
static void
restore_state (StasStac *self)
{
  g_autofree char *path = stas_state_path (STAS_DAEMON_STACD);
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasState) state = NULL;
  StasKernel *kernel = stas_service_get_kernel (STAS_SERVICE (self));
  StasTidDefaults defaults;

  stas_service_get_tid_defaults (STAS_SERVICE (self), &defaults);
  state = stas_state_read (path, STAS_DAEMON_STACD, &defaults, diags);
  stas_log_diags (diags);
  for (guint i = 0; state != NULL && i < state->records->len; i++)
    {
      StasStateRecord *record = g_ptr_array_index (state->records, i);
      StasIoc *ioc;

      if (stas_stac_find_entry (self, record->tid) != NULL)
        continue;
      if (stas_kernel_find_match (kernel, record->tid, STAS_CTRL_CLASS_IOC) == NULL)
        {
          stas_debug ("%s - not restored: no matching kernel connection",
                      stas_tid_to_string (record->tid));
          continue;
        }
      ioc = new_ioc (self, record->tid, NULL, origin_from_state (record->origin));
      stas_ioc_set_sources (ioc, record->sources);
      if (record->dlpe != NULL)
        {
          StasDlpe dlpe;
          if (stas_dlpe_from_variant (record->dlpe, &dlpe, NULL))
            stas_ioc_set_dlpe (ioc, &dlpe);
        }
      add_entry (self, ioc);
      stas_info ("%s - restored from %s", stas_tid_to_string (record->tid), path);
      stas_controller_start_restored (STAS_CONTROLLER (ioc));
    }
}

/* ==== following stafd (behaviour §7.2) ==================================================== */

static void
on_staf_signal (GDBusConnection *connection,
                const char *sender,
                const char *path,
                const char *iface,
                const char *signal,
                GVariant *params,
                gpointer user_data)
{
  StasStac *self = user_data;

  /* bad-input.md §4: only the owner of the name speaks for stafd (the bus matched the
   * well-known name; before the owner is known the signal can only come from it) */
  if (self->stafd_owner != NULL && g_strcmp0 (sender, self->stafd_owner) != 0)
    {
      stas_debug ("Ignoring %s from %s: not the owner of %s", signal, sender, STAS_STAFD_BUS_NAME);
      return;
    }
  if (self->shutting_down)
    return;
  if (g_strcmp0 (signal, "log_pages_changed") == 0)
    {
      const char *device = NULL;
      if (g_variant_is_of_type (params, G_VARIANT_TYPE ("(ssssssss)")))
        g_variant_get_child (params, 7, "&s", &device);
      stas_debug ("stafd: log pages of %s changed", device != NULL ? device : "a DC");
      stas_soak_trigger (self->soak);
    }
  else if (g_strcmp0 (signal, "dc_removed") == 0)
    {
      stas_debug ("stafd: a discovery controller was removed");
      self->dc_removed_seq = ++self->seq;
      stas_soak_trigger (self->soak);
    }
}

static void
set_soak_interval (StasStac *self, guint ms)
{
  self->soak_interval_ms = ms;
  if (self->started && !self->shutting_down)
    stas_soak_restart (self->soak, ms);
}

static void
on_stafd_appeared (GDBusConnection *connection,
                   const char *name,
                   const char *owner,
                   gpointer user_data)
{
  StasStac *self = user_data;

  if (g_strcmp0 (owner, self->stafd_owner) == 0)
    return;
  g_free (self->stafd_owner);
  self->stafd_owner = g_strdup (owner);
  /* "give stafd time to refresh its log pages" when it came back [STAC-2] */
  stas_info ("stafd is on the bus (%s)%s", owner,
             self->stafd_vanished ? ": reconciling after its log pages were refreshed" : "");
  set_soak_interval (self, self->stafd_vanished ? STAS_CONF_LONG_SOAK_MS : STAS_CONF_SOAK_MS);
}

static void
on_stafd_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  StasStac *self = user_data;

  if (self->stafd_owner == NULL)
    return; /* not there at start-up: not a disappearance */
  stas_info ("stafd left the bus: keeping every I/O controller (stafd data is stale)");
  g_clear_pointer (&self->stafd_owner, g_free);
  self->stafd_vanished = TRUE;
  self->soak_interval_ms = STAS_CONF_LONG_SOAK_MS;
  if (self->have_snapshot)
    self->stafd_data = STAS_STAFD_DATA_STALE;
}

static void
follow_stafd (StasStac *self)
{
  GDBusConnection *connection = g_dbus_interface_skeleton_get_connection (
      stas_service_get_main_skeleton (STAS_SERVICE (self)));

  if (connection == NULL || self->connection != NULL)
    return;
  self->connection = g_object_ref (connection);
  /* subscribed before stafd appears: nothing it emits after acquiring its name is missed */
  self->signal_id = g_dbus_connection_signal_subscribe (
      connection, STAS_STAFD_BUS_NAME, "org.nvmexpress.staf", NULL, STAS_STAFD_OBJECT_PATH, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_staf_signal, self, NULL);
  self->watch_id = g_bus_watch_name_on_connection (connection, STAS_STAFD_BUS_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE, on_stafd_appeared,
                                                   on_stafd_vanished, self, NULL);
}

static void
unfollow_stafd (StasStac *self)
{
  if (self->connection == NULL)
    return;
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  if (self->signal_id != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->signal_id);
  self->signal_id = 0;
  g_clear_object (&self->connection);
}

/* ==== reconciliation (behaviour §7.1) ====================================================== */

typedef struct
{
  const StasConfigController *ctrl; /* (unowned) in pass->config */
  char *traddr;                     /* (owned) resolved address, or as written */
} Configured;

typedef struct
{
  StasStac *self;
  StasConfig *config;         /* (owned) the configuration this pass works on */
  GArray *configured;         /* Configured */
  guint pending;              /* host-name look-ups and the stafd call in flight */
  gboolean asked;             /* the stafd call was made */
  StasStafSnapshot *snapshot; /* (owned) (nullable) NULL: unavailable */
  char *owner;                /* (owned) stafd owner asked */
  guint64 seq;
} Pass;

typedef struct
{
  StasTid *tid;                     /* (owned) */
  const StasConfigController *ctrl; /* configured: its entry */
  StasSnapIoc *snap;                /* in the snapshot: its DLPE and sources */
} Listed;

static void
configured_clear (Configured *c)
{
  g_free (c->traddr);
}

static void
listed_clear (Listed *l)
{
  g_clear_pointer (&l->tid, stas_tid_unref);
}

static void
pass_free (Pass *pass)
{
  stas_config_unref (pass->config);
  g_array_unref (pass->configured);
  stas_staf_snapshot_free (pass->snapshot);
  g_free (pass->owner);
  g_object_unref (pass->self);
  g_free (pass);
}

static void continue_pass (Pass *pass);

static void
pass_step_done (Pass *pass)
{
  if (--pass->pending == 0)
    continue_pass (pass);
}

typedef struct
{
  Pass *pass;
  guint index;
} Lookup;

/* [STAF-2] (same rules for stacd): the first IPv4 address when IPv4 is enabled, else IPv6 */
static char *
choose_address (StasConfig *config, GList *addresses)
{
  for (int family = 4; family <= 6; family += 2)
    {
      if (!stas_config_ip_family_allowed (config, family))
        continue;
      for (GList *l = addresses; l != NULL; l = l->next)
        {
          GInetAddress *addr = l->data;
          int f = g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV4 ? 4 : 6;
          if (f == family)
            return g_inet_address_to_string (addr);
        }
    }
  return NULL;
}

static void
on_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;
  Pass *pass = lookup->pass;
  Configured *c = &g_array_index (pass->configured, Configured, lookup->index);
  g_autoptr (GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  const char *name = c->ctrl->traddr;

  g_free (lookup);
  g_clear_pointer (&c->traddr, g_free);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    stas_debug ("Resolution of %s cancelled", name);
  else
    {
      char *address = addresses != NULL ? choose_address (pass->config, addresses) : NULL;
      const char *previous = g_hash_table_lookup (pass->self->resolved, name);

      if (address != NULL)
        {
          g_hash_table_replace (pass->self->resolved, g_strdup (name), g_strdup (address));
          c->traddr = address;
        }
      else if (previous != NULL)
        {
          /* [D-37]: a DNS outage must not disconnect storage */
          stas_warning ("Cannot resolve %s: %s; keeping %s", name,
                        error != NULL ? error->message : "no usable address", previous);
          c->traddr = g_strdup (previous);
        }
      else
        stas_warning ("Cannot resolve %s: %s", name,
                      error != NULL ? error->message : "no usable address");
    }
  g_resolver_free_addresses (addresses);
  pass_step_done (pass);
}

static void
tid_defaults_for_dcs (StasStac *self, StasTidDefaults *defaults)
{
  stas_service_get_tid_defaults (STAS_SERVICE (self), defaults);
  defaults->kind = STAS_DAEMON_STAFD; /* DC identities as stafd normalised them */
  defaults->ignore_iface = FALSE;
}

static void
on_log_pages (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pass *pass = user_data;
  StasStac *self = pass->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply =
      g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        stas_debug ("Call to stafd cancelled");
      else
        {
          g_dbus_error_strip_remote_error (error);
          stas_warning ("Cannot get log pages from stafd: %s", error->message);
        }
    }
  else
    {
      g_autoptr (GPtrArray) diags = stas_diags_new ();
      StasTidDefaults ioc_defaults, dc_defaults;
      const char *json = NULL;

      stas_service_get_tid_defaults (STAS_SERVICE (self), &ioc_defaults);
      tid_defaults_for_dcs (self, &dc_defaults);
      g_variant_get (reply, "(&s)", &json);
      pass->snapshot =
          stas_staf_snapshot_parse (json, &ioc_defaults, &dc_defaults, self->warned, diags, &error);
      stas_log_diags (diags);
      if (pass->snapshot == NULL)
        stas_warning ("Cannot get log pages from stafd: %s", error->message);
    }
  pass_step_done (pass);
}

static void
reconcile (StasSoak *soak, gpointer user_data)
{
  StasStac *self = user_data;
  Pass *pass = g_new0 (Pass, 1);
  GPtrArray *controllers;

  pass->self = g_object_ref (self);
  pass->config = stas_config_ref (stas_service_get_config (STAS_SERVICE (self)));
  pass->configured = g_array_new (FALSE, TRUE, sizeof (Configured));
  g_array_set_clear_func (pass->configured, (GDestroyNotify) configured_clear);
  controllers = stas_config_get_controllers (pass->config);
  self->soak_interval_ms = STAS_CONF_SOAK_MS; /* later triggers: 1.5 s again [STAC-2] */

  /* step 1: configured entries, minus those excluded in their host-name form */
  for (guint i = 0; controllers != NULL && i < controllers->len; i++)
    {
      const StasConfigController *ctrl = g_ptr_array_index (controllers, i);
      Configured c = { .ctrl = ctrl, .traddr = g_strdup (ctrl->traddr) };

      if (stas_config_is_excluded (pass->config, ctrl->transport, ctrl->traddr, ctrl->trsvcid,
                                   ctrl->subsysnqn, ctrl->host_iface, ctrl->host_nqn,
                                   ctrl->host_id))
        {
          g_free (c.traddr);
          continue;
        }
      g_array_append_val (pass->configured, c);
    }

  pass->pending = 1;
  /* step 2: the snapshot — every call to stafd is asynchronous [DBUS-40] */
  if (self->connection != NULL && self->stafd_owner != NULL)
    {
      pass->asked = TRUE;
      pass->owner = g_strdup (self->stafd_owner);
      pass->seq = ++self->seq;
      pass->pending++;
      g_dbus_connection_call (self->connection, pass->owner, STAS_STAFD_OBJECT_PATH,
                              "org.nvmexpress.staf", "get_all_log_pages",
                              g_variant_new ("(b)", TRUE), G_VARIANT_TYPE ("(s)"),
                              G_DBUS_CALL_FLAGS_NO_AUTO_START, (int) self->call_timeout_ms,
                              self->cancellable, on_log_pages, pass);
    }
  else
    stas_debug ("stafd is not on the bus: no log page data this pass");

  /* host names, in parallel with the call */
  for (guint i = 0; i < pass->configured->len; i++)
    {
      g_autoptr (GResolver) resolver = g_resolver_get_default (); /* a new reference */
      Configured *c = &g_array_index (pass->configured, Configured, i);
      gboolean ip_transport =
          g_strcmp0 (c->ctrl->transport, "tcp") == 0 || g_strcmp0 (c->ctrl->transport, "rdma") == 0;
      Lookup *lookup;

      if (!ip_transport || c->traddr == NULL || stas_ip_is_literal (c->traddr))
        continue;
      lookup = g_new0 (Lookup, 1);
      lookup->pass = pass;
      lookup->index = i;
      pass->pending++;
      g_resolver_lookup_by_name_async (resolver, c->traddr, self->cancellable, on_resolved, lookup);
    }
  pass_step_done (pass);
}

/* What a pass lists, in order, with an index by TID. */
typedef struct
{
  GArray *items;     /* Listed */
  GHashTable *index; /* StasTid (unowned, the item's) -> index + 1 */
} ListedSet;

static void
listed_set_clear (ListedSet *set)
{
  g_clear_pointer (&set->index, g_hash_table_unref);
  g_clear_pointer (&set->items, g_array_unref);
}

static Listed *
find_listed (ListedSet *set, const StasTid *tid)
{
  guint i = GPOINTER_TO_UINT (g_hash_table_lookup (set->index, tid));
  return i > 0 ? &g_array_index (set->items, Listed, i - 1) : NULL;
}

/* @l: its TID reference is taken over */
static void
add_listed (ListedSet *set, Listed *l)
{
  g_array_append_val (set->items, *l);
  g_hash_table_insert (set->index, l->tid, GUINT_TO_POINTER (set->items->len));
}

/* step 5: not excluded, family allowed (§6.1 step 6 messages) */
static gboolean
is_excluded (StasConfig *config, const StasTid *tid)
{
  return stas_config_is_excluded (config, stas_tid_get_transport (tid), stas_tid_get_traddr (tid),
                                  stas_tid_get_trsvcid (tid), stas_tid_get_subsysnqn (tid),
                                  stas_tid_get_host_iface (tid), stas_tid_get_host_nqn (tid),
                                  stas_tid_get_host_id (tid));
}

static gboolean
is_filtered (StasConfig *config, const StasTid *tid, gboolean log)
{
  const char *transport = stas_tid_get_transport (tid);
  int family;

  if (g_strcmp0 (transport, "tcp") != 0 && g_strcmp0 (transport, "rdma") != 0)
    return FALSE;
  family = stas_ip_family (stas_tid_get_traddr (tid));
  if (stas_config_ip_family_allowed (config, family))
    return FALSE;
  if (log)
    stas_debug ("%s ignored because IPv%d is disabled in %s", stas_tid_to_string (tid), family,
                stas_config_get_path (config) ? stas_config_get_path (config) : "the defaults");
  return TRUE;
}

/* ---- evidence for removals (§7.4) ------------------------------------------------------- */

static DcTrack *
track_get (StasStac *self, StasTid *dc)
{
  DcTrack *track = g_hash_table_lookup (self->tracks, dc);

  if (track == NULL)
    {
      track = g_new0 (DcTrack, 1);
      g_hash_table_insert (self->tracks, stas_tid_ref (dc), track);
    }
  return track;
}

/* An available snapshot arrived: who was present, since when is who absent. */
static void
update_tracks (StasStac *self, Pass *pass, gint64 now)
{
  GHashTableIter iter;
  gpointer key, value;

  if (g_strcmp0 (pass->owner, self->track_owner) != 0)
    {
      /* (c) counts absence in snapshots of the same stafd owner */
      g_hash_table_iter_init (&iter, self->tracks);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        ((DcTrack *) value)->absent_since_us = 0;
      g_free (self->track_owner);
      self->track_owner = g_strdup (pass->owner);
    }
  for (guint i = 0; i < self->entries->len; i++)
    {
      GPtrArray *sources =
          stas_ioc_get_sources (((StacEntry *) g_ptr_array_index (self->entries, i))->ioc);
      for (guint j = 0; j < sources->len; j++)
        track_get (self, g_ptr_array_index (sources, j));
    }
  for (guint i = 0; i < pass->snapshot->dcs->len; i++)
    {
      StasSnapDc *dc = g_ptr_array_index (pass->snapshot->dcs, i);
      DcTrack *track = track_get (self, dc->tid);
      track->present_seq = pass->seq;
      track->absent_since_us = 0;
    }
  g_hash_table_iter_init (&iter, self->tracks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      DcTrack *track = value;
      if (track->present_seq != pass->seq && track->absent_since_us == 0)
        track->absent_since_us = now;
    }
}

/* Tracks of DCs neither in the last snapshot nor a source of any IOC are dropped. */
static void
prune_tracks (StasStac *self, Pass *pass)
{
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr (GHashTable) used = g_hash_table_new (stas_tid_hash, stas_tid_equal);

  for (guint i = 0; i < self->entries->len; i++)
    {
      GPtrArray *sources =
          stas_ioc_get_sources (((StacEntry *) g_ptr_array_index (self->entries, i))->ioc);
      for (guint j = 0; j < sources->len; j++)
        g_hash_table_add (used, g_ptr_array_index (sources, j));
    }
  g_hash_table_iter_init (&iter, self->tracks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((DcTrack *) value)->present_seq != pass->seq && !g_hash_table_contains (used, key))
      g_hash_table_iter_remove (&iter);
}

/* Does the available snapshot of @pass prove that DC @dc no longer lists what it is not
 * listing? (a) in the snapshot and authoritative; (b) absent after a dc_removed that came
 * after the last snapshot it was in; (c) absent for STAFD_ORPHAN_GRACE from every snapshot
 * of the same stafd owner. *@deadline_us: the earliest time (c) will hold, when it may. */
static gboolean
dc_has_evidence (StasStac *self, Pass *pass, StasTid *dc, gint64 now, gint64 *deadline_us)
{
  StasSnapDc *snap = stas_staf_snapshot_find_dc (pass->snapshot, dc);
  DcTrack *track;

  if (snap != NULL)
    return snap->authoritative;
  track = g_hash_table_lookup (self->tracks, dc);
  if (track == NULL)
    return FALSE;
  if (track->present_seq != 0 && self->dc_removed_seq > track->present_seq)
    return TRUE;
  if (track->absent_since_us != 0)
    {
      gint64 deadline = track->absent_since_us + (gint64) self->orphan_grace_ms * 1000;
      if (now >= deadline)
        return TRUE;
      if (*deadline_us == 0 || deadline < *deadline_us)
        *deadline_us = deadline;
    }
  return FALSE;
}

/* The first source of @ioc without evidence, or NULL when every source has some. */
static StasTid *
source_without_evidence (StasStac *self, Pass *pass, StasIoc *ioc, gint64 now, gint64 *deadline_us)
{
  GPtrArray *sources = stas_ioc_get_sources (ioc);

  for (guint i = 0; i < sources->len; i++)
    if (!dc_has_evidence (self, pass, g_ptr_array_index (sources, i), now, deadline_us))
      return g_ptr_array_index (sources, i);
  return NULL;
}

typedef enum
{
  REMOVE_EXCLUDED,  /* exclude= */
  REMOVE_FILTERED,  /* ip-family */
  REMOVE_DLPE_GONE, /* no longer in any log page, with evidence */
  REMOVE_CONFIG,    /* controller= entry removed */
  REMOVE_EXTERNAL,  /* external connection not listed (audit) */
  REMOVE_RELEASE,   /* external, audit mode left [D-35] */
  REMOVE_HANDOVER,  /* external, but a listed TID designates its device (§3.4) */
} RemoveReason;

static const char *
reason_text (RemoveReason reason)
{
  switch (reason)
    {
    case REMOVE_EXCLUDED:
      return "excluded by exclude=";
    case REMOVE_FILTERED:
      return "filtered by ip-family";
    case REMOVE_DLPE_GONE:
      return "no longer in any discovery log page";
    case REMOVE_CONFIG:
      return "controller= entry removed";
    case REMOVE_EXTERNAL:
      return "external connection not listed";
    case REMOVE_HANDOVER:
      return "external connection listed under another identity: handed over";
    case REMOVE_RELEASE:
    default:
      return "audit mode left";
    }
}

/* [STAC-5] TRUE: the kernel connection stays. */
static gboolean
keep_connection_for (StasConfig *config, RemoveReason reason, const char *transport)
{
  switch (reason)
    {
    case REMOVE_EXCLUDED: /* [D-36] under every scope */
    case REMOVE_EXTERNAL: /* in disconnect-trtypes by construction */
      return FALSE;
    case REMOVE_RELEASE: /* [D-35] */
    case REMOVE_HANDOVER:
      return TRUE;
    default:
      break;
    }
  switch (stas_config_get_disconnect_scope (config))
    {
    case STAS_DISCONNECT_ALL_MATCHING_TRTYPES:
      return !stas_config_transport_in_disconnect_trtypes (config, transport);
    case STAS_DISCONNECT_NO_DISCONNECT:
      return TRUE;
    case STAS_DISCONNECT_ONLY_STAS_CONNECTIONS:
    default:
      return FALSE;
    }
}

static void
on_disposed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StasStac *self = user_data;
  StasController *ctrl = STAS_CONTROLLER (source);

  stas_controller_dispose_finish (ctrl, result, NULL);
  g_ptr_array_remove (self->disposals, ctrl);
  if (!self->shutting_down)
    stas_soak_trigger (self->soak); /* a re-wanted TID may be created now [D-57] */
  else
    maybe_finish_shutdown (self);
  g_object_unref (self);
}

/* [SIG-1]: done when every disposal finished and the final state file is written */
static void
maybe_finish_shutdown (StasStac *self)
{
  GTask *task;

  if (self->shutdown_task == NULL || self->disposals->len > 0 || self->final_state != NULL)
    return;
  task = g_steal_pointer (&self->shutdown_task);
  g_clear_handle_id (&self->shutdown_timer, g_source_remove);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
dispose_entry (StasStac *self, StacEntry *entry, gboolean keep_connection)
{
  StasIoc *ioc = g_object_ref (entry->ioc);

  g_ptr_array_add (self->disposals, ioc);
  g_hash_table_remove (self->index, entry_tid (entry));
  g_ptr_array_remove (self->entries, entry); /* frees the entry */
  stas_controller_dispose_async (STAS_CONTROLLER (ioc), keep_connection, on_disposed,
                                 g_object_ref (self));
}

static void
remove_entry (StasStac *self, StasConfig *config, StacEntry *entry, RemoveReason reason)
{
  StasTid *tid = entry_tid (entry);
  gboolean keep = keep_connection_for (config, reason, stas_tid_get_transport (tid));
  const char *device = stas_controller_get_device (STAS_CONTROLLER (entry->ioc));

  if (device == NULL || reason == REMOVE_RELEASE || reason == REMOVE_HANDOVER)
    stas_info ("%s - %s: removed%s", stas_tid_to_string (tid), reason_text (reason),
               device != NULL ? " (the connection is kept, no longer managed)" : "");
  else if (keep)
    stas_info ("%s - %s: connection kept (disconnect-scope=%s)", stas_tid_to_string (tid),
               reason_text (reason),
               stas_disconnect_scope_to_string (stas_config_get_disconnect_scope (config)));
  else
    stas_info ("%s - %s: disconnecting", stas_tid_to_string (tid), reason_text (reason));
  dispose_entry (self, entry, keep);
}

/* A TID being disposed is taken back when the disconnect has not started [D-57]. */
static StasIoc *
reclaim_disposal (StasStac *self, const StasTid *tid)
{
  for (guint i = 0; i < self->disposals->len; i++)
    {
      StasIoc *ioc = g_ptr_array_index (self->disposals, i);
      if (stas_tid_equal (stas_controller_get_tid (STAS_CONTROLLER (ioc)), tid) &&
          stas_controller_cancel_dispose (STAS_CONTROLLER (ioc)))
        return ioc;
    }
  return NULL;
}

static gboolean
tid_pending_disposal (StasStac *self, const StasTid *tid)
{
  for (guint i = 0; i < self->disposals->len; i++)
    if (stas_tid_equal (
            stas_controller_get_tid (STAS_CONTROLLER (g_ptr_array_index (self->disposals, i))),
            tid))
      return TRUE;
  return FALSE;
}

static gboolean
on_orphan_timer (gpointer user_data)
{
  StasStac *self = user_data;

  self->orphan_timer = 0;
  stas_soak_trigger (self->soak);
  return G_SOURCE_REMOVE;
}

static void
schedule_orphan_check (StasStac *self, gint64 deadline_us, gint64 now)
{
  g_clear_handle_id (&self->orphan_timer, g_source_remove);
  if (deadline_us == 0 || self->shutting_down)
    return;
  self->orphan_timer =
      g_timeout_add ((guint) MAX (1, (deadline_us - now + 999) / 1000), on_orphan_timer, self);
}

/* The source set of a listed IOC: the DCs listing it now, plus former sources for which the
 * snapshot has no evidence that they stopped listing it. */
static GPtrArray *
merged_sources (StasStac *self, Pass *pass, StasIoc *ioc, StasSnapIoc *snap, gint64 now)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_tid_unref);
  GPtrArray *old = stas_ioc_get_sources (ioc);
  gint64 ignored = 0;

  for (guint i = 0; snap != NULL && i < snap->sources->len; i++)
    g_ptr_array_add (out, stas_tid_ref (g_ptr_array_index (snap->sources, i)));
  for (guint i = 0; i < old->len; i++)
    {
      StasTid *dc = g_ptr_array_index (old, i);
      gboolean known = FALSE;

      for (guint j = 0; j < out->len && !known; j++)
        known = stas_tid_equal (g_ptr_array_index (out, j), dc);
      if (!known && !dc_has_evidence (self, pass, dc, now, &ignored))
        g_ptr_array_add (out, stas_tid_ref (dc));
    }
  return out;
}

/* The audit built the TID of an external connection from sysfs (host-iface from src_addr);
 * a listed TID may still designate the same device by the reuse rules (§3.4: its empty
 * fields are wildcards). Then the connection is wanted: the listed object adopts it rather
 * than the external one being disconnected and the listed one connecting anew. */
static gboolean
listed_designates_device (ListedSet *listed, StacEntry *entry, StasConfig *config)
{
  const StasKernelCtrl *k = stas_controller_get_kernel_entry (STAS_CONTROLLER (entry->ioc));
  g_autoptr (StasIfAddrs) addrs = NULL;

  if (k == NULL)
    return FALSE;
  for (guint i = 0; i < listed->items->len; i++)
    {
      Listed *l = &g_array_index (listed->items, Listed, i);

      if (is_excluded (config, l->tid) || is_filtered (config, l->tid, FALSE))
        continue;
      if (addrs == NULL)
        addrs = stas_if_addrs_new_from_system ();
      if (stas_kernel_ctrl_matches (k, l->tid, STAS_CTRL_CLASS_IOC, addrs))
        return TRUE;
    }
  return FALSE;
}

static void
continue_pass (Pass *pass)
{
  StasStac *self = pass->self;
  StasConfig *config = pass->config;
  StasTidDefaults defaults;
  ListedSet set = { g_array_new (FALSE, TRUE, sizeof (Listed)),
                    g_hash_table_new (stas_tid_hash, stas_tid_equal) };
  ListedSet *listed = &set;
  gboolean invalid_controllers = stas_config_has_invalid_controllers (config);
  gint64 now = g_get_monotonic_time ();
  gint64 orphan_deadline = 0;
  guint i;

  g_array_set_clear_func (set.items, (GDestroyNotify) listed_clear);
  if (self->shutting_down)
    {
      listed_set_clear (&set);
      pass_free (pass);
      return;
    }
  stas_service_get_tid_defaults (STAS_SERVICE (self), &defaults);

  /* what is known of stafd now [STAC-3] */
  if (pass->snapshot != NULL)
    {
      self->have_snapshot = TRUE;
      self->stafd_data =
          pass->snapshot->complete ? STAS_STAFD_DATA_COMPLETE : STAS_STAFD_DATA_PARTIAL;
      update_tracks (self, pass, now);
    }
  else
    self->stafd_data = self->have_snapshot ? STAS_STAFD_DATA_STALE : STAS_STAFD_DATA_NONE;

  /* step 1: configured */
  for (i = 0; i < pass->configured->len; i++)
    {
      Configured *c = &g_array_index (pass->configured, Configured, i);
      g_autoptr (GError) error = NULL;
      g_autoptr (StasTid) tid = NULL;
      StasTidFields fields = {
        .transport = c->ctrl->transport,
        .traddr = c->traddr,
        .trsvcid = c->ctrl->trsvcid,
        .subsysnqn = c->ctrl->subsysnqn,
        .host_traddr = c->ctrl->host_traddr,
        .host_iface = c->ctrl->host_iface,
        .host_nqn = c->ctrl->host_nqn,
        .host_id = c->ctrl->host_id,
      };

      if (c->traddr == NULL && c->ctrl->traddr != NULL)
        continue; /* unresolved, never resolved before */
      tid = stas_tid_new (&defaults, &fields, &error);
      if (tid == NULL)
        {
          g_autofree char *text = stas_tid_fields_to_string (&defaults, &fields);
          if (g_error_matches (error, STAS_TID_ERROR, STAS_TID_ERROR_TRANSPORT))
            stas_warning ("Invalid transport %s", c->ctrl->transport);
          else
            stas_warning ("%s IP address is not valid", text);
          continue;
        }
      if (stas_ip_is_literal (c->ctrl->traddr != NULL ? c->ctrl->traddr : "") &&
          !stas_config_ip_family_allowed (config, stas_ip_family (c->ctrl->traddr)))
        {
          stas_warning ("Excluding configured IP address %s based on \"ip-family\" setting",
                        c->ctrl->traddr);
          continue;
        }
      if (find_listed (listed, tid) == NULL)
        {
          Listed l = { .tid = g_steal_pointer (&tid), .ctrl = c->ctrl };
          add_listed (listed, &l);
        }
    }
  /* steps 2–4: discovered, from an available snapshot only */
  for (i = 0; pass->snapshot != NULL && i < pass->snapshot->iocs->len; i++)
    {
      StasSnapIoc *snap = g_ptr_array_index (pass->snapshot->iocs, i);
      Listed *known = find_listed (listed, snap->tid);

      if (known != NULL)
        known->snap = snap; /* configured parameters, the DLPE attached */
      else
        {
          Listed l = { .tid = stas_tid_ref (snap->tid), .snap = snap };
          add_listed (listed, &l);
        }
    }

  /* step 7: objects that are not candidates — removed only with evidence (§7.4) */
  for (i = self->entries->len; i-- > 0;)
    {
      StacEntry *entry = g_ptr_array_index (self->entries, i);
      StasTid *tid = entry_tid (entry);
      StasIocOrigin origin = stas_ioc_get_origin (entry->ioc);
      Listed *l = find_listed (listed, tid);
      StasTid *missing;

      if (is_excluded (config, tid))
        {
          remove_entry (self, config, entry, REMOVE_EXCLUDED);
          continue;
        }
      if (is_filtered (config, tid, TRUE))
        {
          remove_entry (self, config, entry, REMOVE_FILTERED);
          continue;
        }
      if (l != NULL)
        continue; /* a candidate */

      if (origin == STAS_IOC_ORIGIN_EXTERNAL)
        {
          if (!self->audit_active)
            remove_entry (self, config, entry, REMOVE_RELEASE);
          else if (listed_designates_device (listed, entry, config))
            remove_entry (self, config, entry, REMOVE_HANDOVER);
          else if (pass->snapshot != NULL && pass->snapshot->complete && !invalid_controllers)
            remove_entry (self, config, entry, REMOVE_EXTERNAL);
          else
            stas_debug ("Keeping %s: stafd data is not complete", stas_tid_to_string (tid));
          continue;
        }
      if (origin == STAS_IOC_ORIGIN_CONFIGURED && invalid_controllers)
        {
          /* [BAD-1] freeze rule */
          g_autofree char *text = g_strdup_printf (
              "%s no longer configured but %s has invalid [Controllers] entries; not removing it",
              stas_tid_to_string (tid),
              stas_config_get_path (config) ? stas_config_get_path (config) : "the configuration");
          warn_once (entry, STAS_LOG_WARNING, text);
          continue;
        }
      if (origin == STAS_IOC_ORIGIN_CONFIGURED && stas_ioc_get_sources (entry->ioc)->len == 0)
        {
          remove_entry (self, config, entry, REMOVE_CONFIG);
          continue;
        }
      /* discovered (or configured and also listed by a log page before): evidence needed */
      if (pass->snapshot == NULL)
        {
          stas_debug ("Keeping %s: no data from stafd", stas_tid_to_string (tid));
          continue;
        }
      if (stas_ioc_get_sources (entry->ioc)->len == 0 && !pass->snapshot->complete)
        {
          stas_debug ("Keeping %s: stafd data is not complete", stas_tid_to_string (tid));
          continue;
        }
      missing = source_without_evidence (self, pass, entry->ioc, now, &orphan_deadline);
      if (missing != NULL)
        {
          stas_debug ("Keeping %s: no authoritative data from %s", stas_tid_to_string (tid),
                      stas_tid_to_string (missing));
          continue;
        }
      remove_entry (self, config, entry,
                    origin == STAS_IOC_ORIGIN_CONFIGURED ? REMOVE_CONFIG : REMOVE_DLPE_GONE);
    }

  /* steps 6 and 8: create, update */
  for (i = 0; i < listed->items->len; i++)
    {
      Listed *l = &g_array_index (listed->items, Listed, i);
      StasIocOrigin origin =
          l->ctrl != NULL ? STAS_IOC_ORIGIN_CONFIGURED : STAS_IOC_ORIGIN_DISCOVERED;
      StacEntry *entry;

      if (is_excluded (config, l->tid) || is_filtered (config, l->tid, FALSE))
        continue;
      entry = stas_stac_find_entry (self, l->tid);
      if (entry == NULL)
        {
          StasIoc *ioc = reclaim_disposal (self, l->tid);

          if (ioc == NULL && tid_pending_disposal (self, l->tid))
            continue; /* the disconnect started: created after it finished [D-57] */
          if (ioc != NULL)
            {
              g_ptr_array_remove (self->disposals, ioc); /* the reference moves to the entry */
              entry = add_entry (self, ioc);
              stas_controller_confirm (STAS_CONTROLLER (ioc));
            }
          else
            {
              ioc = new_ioc (self, l->tid, l->ctrl, origin);
              entry = add_entry (self, ioc);
              if (l->snap != NULL)
                {
                  stas_ioc_set_dlpe (ioc, &l->snap->dlpe);
                  stas_ioc_set_sources (ioc, l->snap->sources);
                }
              stas_controller_start (STAS_CONTROLLER (ioc));
            }
        }
      else
        {
          StasConnectRequest request;

          build_request (self, l->tid, l->ctrl, &request);
          stas_controller_update_request (STAS_CONTROLLER (entry->ioc), &request); /* [D-19] */
          stas_ioc_set_connect_attempts_on_ncc (entry->ioc,
                                                stas_config_get_connect_attempts_on_ncc (config));
          if (!stas_controller_is_confirmed (STAS_CONTROLLER (entry->ioc)))
            stas_controller_confirm (STAS_CONTROLLER (entry->ioc));
        }
      stas_ioc_set_origin (entry->ioc, origin);
      if (pass->snapshot != NULL)
        {
          g_autoptr (GPtrArray) sources = merged_sources (self, pass, entry->ioc, l->snap, now);

          stas_ioc_set_sources (entry->ioc, sources);
          if (l->snap != NULL)
            stas_ioc_set_dlpe (entry->ioc, &l->snap->dlpe); /* NCC update [NCC-1] */
          else if (sources->len == 0)
            stas_ioc_set_dlpe (entry->ioc, NULL);
        }
      g_clear_pointer (&entry->config, stas_config_unref);
      entry->ctrl = NULL;
      if (l->ctrl != NULL)
        {
          entry->config = stas_config_ref (config);
          entry->ctrl = l->ctrl;
        }
    }

  listed_set_clear (&set);
  if (pass->snapshot != NULL)
    prune_tracks (self, pass);
  schedule_orphan_check (self, orphan_deadline, now);
  stacd_schedule_state_write (self);
  pass_free (pass);
  stas_soak_pass_done (self->soak);
}

/* ==== the audit of external connections (behaviour §7.6) ================================== */

static gboolean
audit_transport (StasConfig *config, const char *transport)
{
  /* never pcie or loop: only the fabrics transports disconnect-trtypes can name [D-41] */
  return (g_strcmp0 (transport, "tcp") == 0 || g_strcmp0 (transport, "rdma") == 0 ||
          g_strcmp0 (transport, "fc") == 0) &&
         stas_config_transport_in_disconnect_trtypes (config, transport);
}

/* An object without device whose TID designates @k (a connect of ours may be in flight). */
static gboolean
wanted_by_connecting_object (StasStac *self, const StasKernelCtrl *k, const StasIfAddrs *addrs)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      StacEntry *entry = g_ptr_array_index (self->entries, i);
      if (stas_controller_get_device (STAS_CONTROLLER (entry->ioc)) == NULL &&
          stas_kernel_ctrl_matches (k, entry_tid (entry), STAS_CTRL_CLASS_IOC, addrs))
        return TRUE;
    }
  return FALSE;
}

static void
run_audit (StasStac *self)
{
  StasService *service = STAS_SERVICE (self);
  StasConfig *config = stas_service_get_config (service);
  StasKernel *kernel = stas_service_get_kernel (service);
  g_autoptr (GPtrArray) table = NULL;
  g_autoptr (StasIfAddrs) addrs = NULL;
  StasTidDefaults defaults;
  guint adopted = 0;

  if (!self->audit_active || !self->started || self->shutting_down)
    return;
  stas_service_get_tid_defaults (service, &defaults);
  table = stas_kernel_list (kernel);
  for (guint i = 0; i < table->len; i++)
    {
      const StasKernelCtrl *k = g_ptr_array_index (table, i);
      g_autoptr (StasTid) tid = NULL;
      const char *host_iface = k->host_iface;
      StasIoc *ioc;

      if (stas_kernel_ctrl_classify (k) != STAS_CTRL_CLASS_IOC ||
          !audit_transport (config, k->transport) ||
          (k->state != NULL && g_str_has_prefix (k->state, "deleting")) ||
          g_strcmp0 (k->state, "dead") == 0 || stas_kernel_get_owner (kernel, k->name) != NULL)
        continue;
      if (addrs == NULL)
        addrs = stas_if_addrs_new_from_system ();
      if ((host_iface == NULL || *host_iface == '\0') && g_strcmp0 (k->transport, "tcp") == 0 &&
          k->src_addr != NULL && *k->src_addr != '\0')
        host_iface = stas_if_addrs_owner (addrs, k->src_addr); /* [HOST-2] sysfs row */
      {
        StasTidFields fields = {
          .transport = k->transport,
          .traddr = k->traddr,
          .trsvcid = k->trsvcid,
          .subsysnqn = k->subsysnqn,
          .host_traddr = k->host_traddr,
          .host_iface = host_iface,
          .host_nqn = k->hostnqn,
          .host_id = k->hostid,
        };
        tid = stas_tid_new (&defaults, &fields, NULL);
      }
      if (tid == NULL || stas_stac_find_entry (self, tid) != NULL ||
          tid_pending_disposal (self, tid) || wanted_by_connecting_object (self, k, addrs))
        continue;
      ioc = new_ioc (self, tid, NULL, STAS_IOC_ORIGIN_EXTERNAL);
      add_entry (self, ioc);
      stas_info ("%s | %s - external connection: adopted for the audit", stas_tid_to_string (tid),
                 k->name);
      stas_controller_start_restored (STAS_CONTROLLER (ioc)); /* adopts, never connects */
      adopted++;
    }
  if (adopted > 0)
    stas_soak_trigger (self->soak);
}

static gboolean
on_audit_timer (gpointer user_data)
{
  StasStac *self = user_data;

  self->audit_timer = 0;
  run_audit (self);
  return G_SOURCE_REMOVE;
}

static void
on_device_event (StasKernel *kernel,
                 const StasUevent *event,
                 const StasKernelCtrl *entry,
                 gpointer owner,
                 StasStac *self)
{
  double scale = stas_controller_get_time_scale ();

  if (event->action != STAS_UEVENT_ADD || !self->audit_active || self->shutting_down)
    return;
  /* ADD_EVENT_SOAK: the sysfs attributes settle (and a connect of ours claims its device) */
  g_clear_handle_id (&self->audit_timer, g_source_remove);
  self->audit_timer =
      g_timeout_add ((guint) MAX (1, STAS_ADD_EVENT_SOAK_MS * scale), on_audit_timer, self);
}

/* [STAC-6] entering / leaving the audit mode */
static void
update_audit_mode (StasStac *self)
{
  StasConfig *config = stas_service_get_config (STAS_SERVICE (self));
  gboolean active =
      stas_config_get_disconnect_scope (config) == STAS_DISCONNECT_ALL_MATCHING_TRTYPES;

  if (active == self->audit_active)
    return;
  self->audit_active = active;
  if (!self->started)
    return;
  if (active)
    {
      stas_info ("Auditing external I/O controller connections (disconnect-scope=%s)",
                 stas_disconnect_scope_to_string (STAS_DISCONNECT_ALL_MATCHING_TRTYPES));
      run_audit (self);
      return;
    }
  g_clear_handle_id (&self->audit_timer, g_source_remove);
  for (guint i = self->entries->len; i-- > 0;)
    {
      StacEntry *entry = g_ptr_array_index (self->entries, i);
      if (stas_ioc_get_origin (entry->ioc) == STAS_IOC_ORIGIN_EXTERNAL)
        remove_entry (self, config, entry, REMOVE_RELEASE); /* [D-35] */
    }
}

/* ==== service hooks ========================================================================== */

static void
stas_stac_startup (StasService *service)
{
  StasStac *self = STAS_STAC (service);

  self->device_event_handler = g_signal_connect (stas_service_get_kernel (service), "device-event",
                                                 G_CALLBACK (on_device_event), self);
  restore_state (self);
}

static void
stas_stac_activate (StasService *service)
{
  StasStac *self = STAS_STAC (service);

  self->started = TRUE;
  follow_stafd (self);
  if (self->audit_active)
    run_audit (self);
  stas_soak_restart (self->soak, self->soak_interval_ms); /* start-up keeps CONF_SOAK */
}

static void
stas_stac_config_changed (StasService *service)
{
  StasStac *self = STAS_STAC (service);
  StasConfig *config = stas_service_get_config (service);
  gboolean tron = stas_service_get_tron (service);

  update_audit_mode (self);
  for (guint i = 0; i < self->entries->len; i++)
    {
      StacEntry *entry = g_ptr_array_index (self->entries, i);
      stas_controller_set_tron (STAS_CONTROLLER (entry->ioc), tron);
      stas_ioc_set_connect_attempts_on_ncc (entry->ioc,
                                            stas_config_get_connect_attempts_on_ncc (config));
      if (self->started)
        stas_ioc_kick (entry->ioc); /* [SIG-2] [NCC-1] not connected, no retry pending */
    }
  if (self->started)
    stas_soak_restart (self->soak, STAS_CONF_SOAK_MS);
}

static void
stas_stac_kernel_resynced (StasService *service, gboolean after_overflow)
{
  run_audit (STAS_STAC (service)); /* [STAC-6] after every resync */
}

static gboolean
on_shutdown_grace (gpointer user_data)
{
  StasStac *self = user_data;
  GTask *task = g_steal_pointer (&self->shutdown_task);

  self->shutdown_timer = 0;
  for (guint i = 0; i < self->disposals->len; i++)
    stas_warning ("%s - operation still in progress at exit",
                  stas_controller_get_tid_string (g_ptr_array_index (self->disposals, i)));
  if (task != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

/* [SIG-1]: every IOC connection is kept; in-flight operations are awaited ≤ SHUTDOWN_GRACE */
static void
stas_stac_shutdown_async (StasService *service, GAsyncReadyCallback callback, gpointer user_data)
{
  StasStac *self = STAS_STAC (service);
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);

  self->shutting_down = TRUE;
  stas_soak_stop (self->soak);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->state_timer, g_source_remove);
  g_clear_handle_id (&self->audit_timer, g_source_remove);
  g_clear_handle_id (&self->orphan_timer, g_source_remove);
  unfollow_stafd (self);
  /* step 2: the final state file, at once unless a write is in flight */
  if (self->state_writing)
    self->final_state = build_state (self);
  else
    {
      g_autoptr (StasState) state = build_state (self);
      write_state_sync (self, state);
    }
  stas_kernel_stop (stas_service_get_kernel (service));

  while (self->entries->len > 0)
    dispose_entry (self, g_ptr_array_index (self->entries, self->entries->len - 1), TRUE);
  self->shutdown_task = g_steal_pointer (&task);
  self->shutdown_timer = g_timeout_add_seconds (SHUTDOWN_GRACE_S, on_shutdown_grace, self);
  maybe_finish_shutdown (self);
}

/* ==== D-Bus ================================================================================== */

static void
on_debug_tron (GObject *skeleton, GParamSpec *pspec, StasStac *self)
{
  gboolean tron = stas_service_get_tron (STAS_SERVICE (self));

  for (guint i = 0; i < self->entries->len; i++)
    stas_controller_set_tron (
        STAS_CONTROLLER (((StacEntry *) g_ptr_array_index (self->entries, i))->ioc), tron);
}

static GDBusInterfaceSkeleton *
stas_stac_create_debug_skeleton (StasService *service)
{
  StasDBusStacDebug *skeleton = stas_dbus_stac_debug_skeleton_new ();

  g_signal_connect_object (skeleton, "notify::tron", G_CALLBACK (on_debug_tron), service,
                           G_CONNECT_AFTER);
  stas_stac_connect_debug_handlers (STAS_STAC (service), skeleton);
  return G_DBUS_INTERFACE_SKELETON (skeleton);
}

static GDBusInterfaceSkeleton *
stas_stac_create_main_skeleton (StasService *service)
{
  StasDBusStac *skeleton = stas_dbus_stac_skeleton_new ();

  stas_stac_connect_main_handlers (STAS_STAC (service), skeleton);
  return G_DBUS_INTERFACE_SKELETON (skeleton);
}

static void
stas_stac_dispose (GObject *object)
{
  StasStac *self = STAS_STAC (object);

  g_cancellable_cancel (self->cancellable);
  unfollow_stafd (self);
  g_clear_handle_id (&self->state_timer, g_source_remove);
  g_clear_handle_id (&self->shutdown_timer, g_source_remove);
  g_clear_handle_id (&self->audit_timer, g_source_remove);
  g_clear_handle_id (&self->orphan_timer, g_source_remove);
  if (self->device_event_handler != 0 && stas_service_get_kernel (STAS_SERVICE (self)) != NULL)
    g_clear_signal_handler (&self->device_event_handler,
                            stas_service_get_kernel (STAS_SERVICE (self)));
  g_clear_pointer (&self->soak, stas_soak_free);
  if (self->index != NULL)
    g_hash_table_remove_all (self->index);
  if (self->entries != NULL)
    g_ptr_array_set_size (self->entries, 0);
  G_OBJECT_CLASS (stas_stac_parent_class)->dispose (object);
}

static void
stas_stac_finalize (GObject *object)
{
  StasStac *self = STAS_STAC (object);

  g_ptr_array_unref (self->entries);
  g_hash_table_unref (self->index);
  g_ptr_array_unref (self->disposals);
  g_hash_table_unref (self->resolved);
  g_hash_table_unref (self->warned);
  g_hash_table_unref (self->tracks);
  g_free (self->stafd_owner);
  g_free (self->track_owner);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->shutdown_task);
  g_clear_pointer (&self->final_state, stas_state_free);
  G_OBJECT_CLASS (stas_stac_parent_class)->finalize (object);
}

static void
stas_stac_class_init (StasStacClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  StasServiceClass *service_class = STAS_SERVICE_CLASS (klass);

  object_class->dispose = stas_stac_dispose;
  object_class->finalize = stas_stac_finalize;
  service_class->create_debug_skeleton = stas_stac_create_debug_skeleton;
  service_class->create_main_skeleton = stas_stac_create_main_skeleton;
  service_class->startup = stas_stac_startup;
  service_class->activate = stas_stac_activate;
  service_class->config_changed = stas_stac_config_changed;
  service_class->kernel_resynced = stas_stac_kernel_resynced;
  service_class->shutdown_async = stas_stac_shutdown_async;
}

static void
stas_stac_init (StasStac *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) stac_entry_free);
  self->index = g_hash_table_new (stas_tid_hash, stas_tid_equal);
  self->disposals = g_ptr_array_new_with_free_func (g_object_unref);
  self->soak = stas_soak_new (reconcile, self);
  self->soak_interval_ms = STAS_CONF_SOAK_MS;
  self->resolved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->tracks = g_hash_table_new_full (stas_tid_hash, stas_tid_equal,
                                        (GDestroyNotify) stas_tid_unref, g_free);
  self->cancellable = g_cancellable_new ();
  self->stafd_data = STAS_STAFD_DATA_NONE;
  self->call_timeout_ms = STAS_STAFD_CALL_TIMEOUT_MS;
  self->orphan_grace_ms = STAS_STAFD_ORPHAN_GRACE_MS;
}

StasStac *
stas_stac_new (StasFabrics *fabrics)
{
  return g_object_new (STAS_TYPE_STAC, "kind", STAS_DAEMON_STACD, "fabrics", fabrics, NULL);
}

/* ==== accessors ============================================================================== */

GPtrArray *
stas_stac_get_entries (StasStac *self)
{
  return self->entries;
}

GPtrArray *
stas_stac_get_disposals (StasStac *self)
{
  return self->disposals;
}

StasSoak *
stas_stac_get_soak (StasStac *self)
{
  return self->soak;
}

double
stas_stac_get_soak_interval (StasStac *self)
{
  return self->soak_interval_ms / 1000.0;
}

StasStafdData
stas_stac_get_stafd_data (StasStac *self)
{
  return self->stafd_data;
}

const char *
stas_stac_get_stafd_owner (StasStac *self)
{
  return self->stafd_owner;
}

void
stas_stac_set_call_timeout (StasStac *self, guint ms)
{
  self->call_timeout_ms = ms;
}

void
stas_stac_set_orphan_grace (StasStac *self, guint ms)
{
  self->orphan_grace_ms = ms;
}
