/* stas-staf.c — StasStaf: the stafd service object. Discovery controllers from the
 * configuration, from referrals and from mDNS (behaviour §6, §8), their log pages, the
 * warm-restart state file and the org.nvmexpress.staf API. */
#include "config.h"

#include "stas-staf.h"

#include <ifaddrs.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>

#include "stas-avahi.h"
#include "stas-daemon-common.h"
#include "stas-dbus-generated.h"
#include "stas-dc.h"
#include "stas-dlp.h"
#include "stas-ip.h"
#include "stas-log.h"
#include "stas-nbft.h"
#include "stas-paths.h"
#include "stas-payload.h"
#include "stas-soak.h"
#include "stas-staf-private.h"
#include "stas-state.h"

#define MAX_REFERRAL_DEPTH 4
/* The aging timer re-arms at most this far ahead (persistence may be days). */
#define AGING_TIMER_MAX_S (24 * 3600)

struct _StasStaf
{
  StasService parent_instance;

  GPtrArray *entries;   /* (owned) StafEntry, creation order */
  GPtrArray *disposals; /* (owned) StasDc being disposed */
  StasSoak *soak;       /* (owned) */
  GHashTable *resolved; /* host name -> last address (D-37) */
  GPtrArray *nbft;      /* (owned) StasNbftConfigured: DCs from NBFT tables [CFG-30] */
  StasAvahi *avahi;     /* (owned) (nullable) mDNS browser, from activation on */
  GCancellable *cancellable;
  StasDebounce state_write;
  gboolean state_error_logged;
  gboolean started;
  gboolean shutting_down;
  StasShutdown shutdown;
};

G_DEFINE_FINAL_TYPE (StasStaf, stas_staf, STAS_TYPE_SERVICE)

static void stafd_schedule_state_write (StasStaf *self);
static void reconcile (StasSoak *soak, gpointer user_data);

/* ---- entries ---------------------------------------------------------------------------- */

static void
staf_entry_free (StafEntry *entry)
{
  g_clear_handle_id (&entry->aging_timer, g_source_remove);
  if (entry->dc != NULL)
    g_signal_handlers_disconnect_by_data (entry->dc, entry);
  g_clear_object (&entry->dc);
  g_clear_pointer (&entry->config, stas_config_unref);
  g_clear_pointer (&entry->referrals, g_ptr_array_unref);
  g_clear_pointer (&entry->warned, g_hash_table_unref);
  g_free (entry);
}

StafEntry *
stas_staf_find_entry (StasStaf *self, const StasTid *tid)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      StafEntry *entry = g_ptr_array_index (self->entries, i);
      if (stas_tid_equal (stas_controller_get_tid (STAS_CONTROLLER (entry->dc)), tid))
        return entry;
    }
  return NULL;
}

GPtrArray *
stas_staf_get_entries (StasStaf *self)
{
  return self->entries;
}

/* Logs @text once per entry (network-input diagnostics are rate-limited, bad-input.md). */
static void
warn_once (StafEntry *entry, StasLogLevel level, const char *text)
{
  if (entry->warned == NULL)
    entry->warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_add (entry->warned, g_strdup (text)))
    stas_log (level, "%s", text);
}

/* [REF-1]: the referral TIDs a DC's cached log page yields (duplicates removed). */
static GPtrArray *
derive_referrals (StasStaf *self, StafEntry *entry, gboolean *malformed)
{
  StasTid *dc_tid = stas_controller_get_tid (STAS_CONTROLLER (entry->dc));
  const GArray *pages = stas_dc_get_log_pages (entry->dc);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_tid_unref);
  StasTidDefaults defaults;

  *malformed = stas_dc_get_log_pages_dropped (entry->dc) > 0;
  stas_service_get_tid_defaults (STAS_SERVICE (self), &defaults);
  for (guint i = 0; pages != NULL && i < pages->len; i++)
    {
      const StasDlpe *dlpe = &g_array_index (pages, StasDlpe, i);
      g_autoptr (GError) error = NULL;
      g_autoptr (StasTid) tid = NULL;
      g_autofree char *text = NULL;
      gboolean dup = FALSE;

      if (!stas_dlpe_is_referral (dlpe))
        continue;
      if (stas_dlpe_is_self_referral (dlpe, dc_tid))
        {
          stas_debug ("%s - Ignoring self-referral entry %u", stas_tid_to_string (dc_tid), i);
          continue;
        }
      tid = stas_dlpe_to_tid (dlpe, dc_tid, &defaults, &error);
      if (g_error_matches (error, STAS_DLP_ERROR, STAS_DLP_ERROR_CROSS_TRANSPORT))
        {
          text = g_strdup_printf ("%s - Ignoring referral %s:%s (transport %s differs from the "
                                  "DC's transport %s)",
                                  stas_tid_to_string (dc_tid), dlpe->traddr, dlpe->trsvcid,
                                  stas_dlpe_transport (dlpe), stas_tid_get_transport (dc_tid));
          warn_once (entry, STAS_LOG_INFO, text);
          continue;
        }
      if (tid == NULL)
        {
          /* enough context to fix it (bad-input.md): which entry, and why */
          text = g_strdup_printf ("%s - Ignoring malformed referral entry %u: %s",
                                  stas_tid_to_string (dc_tid), i,
                                  error != NULL ? error->message : "invalid entry");
          warn_once (entry, STAS_LOG_WARNING, text);
          *malformed = TRUE;
          continue;
        }
      for (guint j = 0; j < out->len && !dup; j++)
        dup = stas_tid_equal (g_ptr_array_index (out, j), tid);
      if (!dup)
        g_ptr_array_add (out, g_steal_pointer (&tid));
    }
  return out;
}

static gboolean
tid_sets_equal (GPtrArray *a, GPtrArray *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      gboolean found = FALSE;
      for (guint j = 0; j < b->len && !found; j++)
        found = stas_tid_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, j));
      if (!found)
        return FALSE;
    }
  return TRUE;
}

/* [DC-5] step 4 and [REF-1] re-evaluation after every retrieval */
static void
on_dc_log_pages_changed (StasDc *dc, StafEntry *entry)
{
  StasStaf *self = entry->owner;
  StasController *ctrl = STAS_CONTROLLER (dc);
  StasTid *tid = stas_controller_get_tid (ctrl);
  StasDBusStaf *skeleton = STAS_DBUS_STAF (stas_service_get_main_skeleton (STAS_SERVICE (self)));
  gboolean malformed = FALSE;
  g_autoptr (GPtrArray) referrals = derive_referrals (self, entry, &malformed);
  gboolean missing = FALSE;

  stas_dbus_staf_emit_log_pages_changed (
      skeleton, stas_tid_get_transport (tid), stas_tid_get_traddr (tid), stas_tid_get_trsvcid (tid),
      stas_tid_get_subsysnqn (tid), stas_tid_get_host_traddr (tid), stas_tid_get_host_iface (tid),
      stas_tid_get_host_nqn (tid), stas_controller_get_device_or_unknown (ctrl));

  for (guint i = 0; i < referrals->len && !missing; i++)
    missing = stas_staf_find_entry (self, g_ptr_array_index (referrals, i)) == NULL;
  if (missing || !tid_sets_equal (referrals, entry->referrals))
    stas_soak_trigger (self->soak);
  /* malformed data: the referrals derived before stay in the set [REF-1] */
  if (!malformed || entry->referrals == NULL)
    {
      g_clear_pointer (&entry->referrals, g_ptr_array_unref);
      entry->referrals = g_steal_pointer (&referrals);
    }
  else
    for (guint i = 0; i < referrals->len; i++)
      {
        StasTid *t = g_ptr_array_index (referrals, i);
        gboolean known = FALSE;
        for (guint j = 0; j < entry->referrals->len && !known; j++)
          known = stas_tid_equal (g_ptr_array_index (entry->referrals, j), t);
        if (!known)
          g_ptr_array_add (entry->referrals, stas_tid_ref (t));
      }
  stafd_schedule_state_write (self);
}

static StasDcOrigin
origin_from_state (StasStateOrigin origin)
{
  switch (origin)
    {
    case STAS_STATE_ORIGIN_REFERRAL:
      return STAS_DC_ORIGIN_REFERRAL;
    case STAS_STATE_ORIGIN_DISCOVERED:
      return STAS_DC_ORIGIN_DISCOVERED;
    default:
      return STAS_DC_ORIGIN_CONFIGURED;
    }
}

static StasStateOrigin
origin_to_state (StasDcOrigin origin)
{
  switch (origin)
    {
    case STAS_DC_ORIGIN_REFERRAL:
      return STAS_STATE_ORIGIN_REFERRAL;
    case STAS_DC_ORIGIN_DISCOVERED:
      return STAS_STATE_ORIGIN_DISCOVERED;
    default:
      return STAS_STATE_ORIGIN_CONFIGURED;
    }
}

/* ---- zeroconf: discovered TIDs and the mDNS removal policy (behaviour §8.5, §8.6) ------- */

/* [ZC-5]: the TIDs of the services Avahi reports identified and reachable */
static GPtrArray *
discovered_tids (StasStaf *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_tid_unref);
  g_autoptr (GPtrArray) reachable = NULL;
  StasTidDefaults defaults;

  if (self->avahi == NULL || !stas_avahi_get_enabled (self->avahi))
    return out;
  stas_service_get_tid_defaults (STAS_SERVICE (self), &defaults);
  reachable = stas_avahi_get_reachable (self->avahi);
  for (guint i = 0; i < reachable->len; i++)
    {
      StasTid *tid = stas_zc_identity_to_tid (&defaults, g_ptr_array_index (reachable, i));
      if (tid != NULL)
        g_ptr_array_add (out, tid);
    }
  return out;
}

gboolean
stas_staf_is_advertised (StasStaf *self, const StasTid *tid)
{
  g_autoptr (GPtrArray) tids = discovered_tids (self);

  for (guint i = 0; i < tids->len; i++)
    if (stas_tid_equal (g_ptr_array_index (tids, i), tid))
      return TRUE;
  return FALSE;
}

/* The persistence in whole seconds, saturated: any finite value is accepted by the
 * configuration, and converting a double beyond gint64 is undefined behaviour. */
/* Persistences from this many seconds (~31 700 years) on never expire. */
#define AGING_NEVER_S 1e12

static gint64
persistence_s (double persistence)
{
  return persistence >= STAS_PAYLOAD_TIMER_MAX_S ? STAS_PAYLOAD_TIMER_MAX_S : (gint64) persistence;
}

static gint64
aging_deadline (const StafEntry *entry)
{
  if (entry->persistence >= AGING_NEVER_S)
    return G_MAXINT64; /* never, in practice (and no overflow) */
  return entry->unresponsive_mono + (gint64) (entry->persistence * G_USEC_PER_SEC);
}

gboolean
stas_staf_entry_aging_timer (StafEntry *entry, double *remaining_s)
{
  gboolean running = entry->unresponsive && entry->persistence >= 0;

  if (remaining_s != NULL)
    *remaining_s =
        running
            ? MAX (0, (double) (aging_deadline (entry) - g_get_monotonic_time ()) / G_USEC_PER_SEC)
            : 0;
  return running;
}

/* Aging ran out: the next pass removes the DC (§6.1 step 8). */
static gboolean
aging_expired (const StafEntry *entry)
{
  return entry->unresponsive && entry->persistence >= 0 &&
         g_get_monotonic_time () >= aging_deadline (entry);
}

static void
stop_aging (StafEntry *entry)
{
  g_clear_handle_id (&entry->aging_timer, g_source_remove);
  entry->unresponsive = FALSE;
}

static gboolean on_aging_timer (gpointer user_data);

static void
arm_aging_timer (StafEntry *entry)
{
  gint64 left_us;

  g_clear_handle_id (&entry->aging_timer, g_source_remove);
  if (!entry->unresponsive || entry->persistence < 0)
    return;
  left_us = MAX (0, aging_deadline (entry) - g_get_monotonic_time ());
  if (left_us > (gint64) AGING_TIMER_MAX_S * G_USEC_PER_SEC)
    entry->aging_timer = g_timeout_add_seconds (AGING_TIMER_MAX_S, on_aging_timer, entry);
  else
    entry->aging_timer = g_timeout_add ((guint) ((left_us + 999) / 1000), on_aging_timer, entry);
}

static gboolean
on_aging_timer (gpointer user_data)
{
  StafEntry *entry = user_data;

  entry->aging_timer = 0;
  if (aging_expired (entry))
    stas_soak_trigger (entry->owner->soak);
  else
    arm_aging_timer (entry);
  return G_SOURCE_REMOVE;
}

/* [ZC-6] [D-48]: at every pass, after every failed connect attempt and on SIGHUP */
static void
evaluate_aging (StasStaf *self, StafEntry *entry)
{
  StasController *ctrl = STAS_CONTROLLER (entry->dc);
  double persistence =
      stas_config_get_zeroconf_persistence (stas_service_get_config (STAS_SERVICE (self)));

  if (stas_dc_get_origin (entry->dc) != STAS_DC_ORIGIN_DISCOVERED ||
      stas_controller_get_state (ctrl) == STAS_CONTROLLER_CONNECTED)
    {
      stop_aging (entry);
      return;
    }
  if (stas_staf_is_advertised (self, stas_controller_get_tid (ctrl)))
    {
      /* advertised (and reachable) again while unresponsive: aging cancelled, and no
       * reason to wait for the retry timer */
      if (entry->unresponsive && stas_controller_get_state (ctrl) == STAS_CONTROLLER_IDLE)
        stas_controller_connect_now (ctrl, FALSE);
      stop_aging (entry);
      return;
    }
  entry->persistence = persistence; /* SIGHUP may change it */
  if (!entry->unresponsive)
    {
      entry->unresponsive = TRUE;
      entry->unresponsive_since = g_get_real_time () / G_USEC_PER_SEC;
      entry->unresponsive_mono = g_get_monotonic_time ();
      if (persistence >= 0)
        {
          g_autofree char *when =
              stas_payload_asctime (entry->unresponsive_since + persistence_s (persistence));
          stas_info ("%s | %s - Controller is not responding. Will be removed by %s unless "
                     "restored",
                     stas_controller_get_tid_string (ctrl),
                     stas_controller_get_device_or_unknown (ctrl), when);
        }
      else
        stas_info ("%s | %s - Controller not responding. Retrying...",
                   stas_controller_get_tid_string (ctrl),
                   stas_controller_get_device_or_unknown (ctrl));
    }
  arm_aging_timer (entry);
}

static void
on_dc_connect_failed (StasDc *dc, guint attempts, const char *reason, StafEntry *entry)
{
  evaluate_aging (entry->owner, entry);
}

static void
on_dc_state (StasDc *dc, GParamSpec *pspec, StafEntry *entry)
{
  /* connected again: aging cancelled */
  if (entry->unresponsive &&
      stas_controller_get_state (STAS_CONTROLLER (dc)) == STAS_CONTROLLER_CONNECTED)
    stop_aging (entry);
}

static void
on_avahi_changed (StasAvahi *avahi, StasStaf *self)
{
  /* [STAF-1]: a service removed or reachable, or Avahi gone */
  if (!self->shutting_down)
    stas_soak_trigger (self->soak);
}

static StafEntry *
add_entry (StasStaf *self, StasDc *dc)
{
  StafEntry *entry = g_new0 (StafEntry, 1);

  entry->owner = self;
  entry->dc = dc;
  g_signal_connect (dc, "log-pages-changed", G_CALLBACK (on_dc_log_pages_changed), entry);
  g_signal_connect (dc, "connect-failed", G_CALLBACK (on_dc_connect_failed), entry);
  g_signal_connect (dc, "notify::state", G_CALLBACK (on_dc_state), entry);
  stas_controller_set_tron (STAS_CONTROLLER (dc), stas_service_get_tron (STAS_SERVICE (self)));
  g_ptr_array_add (self->entries, entry);
  return entry;
}

/* ---- NBFT (spec/config.md §6) ------------------------------------------------------------- */

/* An NBFT discovery descriptor as a configured entry: the pass treats it like a controller=
 * line (origin configured, exclude= applies, host names resolved). */
static void
nbft_entry_free (StasConfigController *ctrl)
{
  g_free (ctrl->transport);
  g_free (ctrl->traddr);
  g_free (ctrl->trsvcid);
  g_free (ctrl->subsysnqn);
  g_free (ctrl->host_traddr);
  g_free (ctrl->host_iface);
  g_free (ctrl->host_nqn);
  g_free (ctrl->host_id);
  g_ptr_array_unref (ctrl->params);
  g_free (ctrl);
}

/* The host's links and their MAC addresses, for the HFI -> host-iface look-up. */
static GArray *
system_links (GPtrArray *keep)
{
  GArray *links = g_array_new (FALSE, TRUE, sizeof (StasNbftLink));
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) != 0)
    return links;
  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
    {
      const struct sockaddr_ll *ll;
      StasNbftLink link;
      GString *mac;

      if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_PACKET)
        continue;
      ll = (const struct sockaddr_ll *) (const void *) ifa->ifa_addr;
      mac = g_string_new (NULL);
      for (int i = 0; i < ll->sll_halen; i++)
        g_string_append_printf (mac, "%s%02x", i ? ":" : "", ll->sll_addr[i]);
      g_ptr_array_add (keep, g_strdup (ifa->ifa_name));
      link.ifname = g_ptr_array_index (keep, keep->len - 1);
      g_ptr_array_add (keep, g_string_free (mac, FALSE));
      link.mac = g_ptr_array_index (keep, keep->len - 1);
      link.is_ethernet_or_loopback =
          ll->sll_hatype == ARPHRD_ETHER || ll->sll_hatype == ARPHRD_LOOPBACK;
      g_array_append_val (links, link);
    }
  freeifaddrs (list);
  return links;
}

/* [CFG-30]: read once at start-up (never on SIGHUP) */
static void
load_nbft (StasStaf *self)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) candidates = stas_nbft_load_dir (stas_path_firmware_tables (), diags);
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) links = NULL;

  for (guint i = 0; candidates != NULL && i < candidates->len; i++)
    {
      const StasNbftCandidate *c = g_ptr_array_index (candidates, i);
      StasConfigController *ctrl = g_new0 (StasConfigController, 1);

      if (links == NULL)
        links = system_links (keep);
      ctrl->params = g_ptr_array_new (); /* an NBFT entry has no per-controller parameters */
      ctrl->transport = g_strdup (c->transport);
      ctrl->traddr = g_strdup (c->traddr);
      ctrl->trsvcid = g_strdup (c->trsvcid);
      ctrl->subsysnqn = g_strdup (c->subsysnqn);
      if (c->hfi_mac != NULL && g_strcmp0 (c->transport, "tcp") == 0)
        ctrl->host_iface = stas_nbft_mac_to_iface (c->hfi_mac, (const StasNbftLink *) links->data,
                                                   links->len, diags);
      ctrl->host_nqn = g_strdup (c->host_nqn);
      ctrl->host_id = g_strdup (c->host_id);
      g_ptr_array_add (self->nbft, ctrl);
    }
  stas_log_diags (diags);
}

/* ---- the state file (spec/system.md §3, [STAF-3]) --------------------------------------- */

static void
write_state_now (StasStaf *self)
{
  StasSysConf *sysconf = stas_service_get_sysconf (STAS_SERVICE (self));
  g_autoptr (StasState) state = stas_state_new (
      STAS_DAEMON_STAFD, stas_sysconf_get_host_nqn (sysconf), stas_sysconf_get_host_id (sysconf));
  g_autofree char *path = stas_state_path (STAS_DAEMON_STAFD);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < self->entries->len; i++)
    {
      StafEntry *entry = g_ptr_array_index (self->entries, i);
      StasController *ctrl = STAS_CONTROLLER (entry->dc);
      StasStateRecord *record = stas_state_record_new (
          stas_controller_get_tid (ctrl), origin_to_state (stas_dc_get_origin (entry->dc)));
      StasDlpState dlp_state = stas_dc_get_log_pages_state (entry->dc);

      stas_state_record_set_device (record, stas_controller_get_device (ctrl));
      record->referral_depth = stas_dc_get_referral_depth (entry->dc);
      record->log_pages_state = dlp_state == STAS_DLP_STATE_NONE     ? STAS_STATE_LOG_PAGES_NONE
                                : dlp_state == STAS_DLP_STATE_CACHED ? STAS_STATE_LOG_PAGES_CACHED
                                                                     : STAS_STATE_LOG_PAGES_CURRENT;
      if (dlp_state != STAS_DLP_STATE_NONE)
        stas_state_record_set_log_pages (record, stas_dc_get_log_pages_variant (entry->dc));
      stas_state_add_record (state, record);
    }
  if (stas_state_write (state, path, &error))
    self->state_error_logged = FALSE;
  else if (!self->state_error_logged)
    {
      stas_error ("Unable to save last known config: %s", error->message);
      self->state_error_logged = TRUE;
    }
}

static void
stafd_schedule_state_write (StasStaf *self)
{
  if (!self->shutting_down)
    stas_debounce_schedule (&self->state_write);
}

static void
restore_state (StasStaf *self)
{
  g_autofree char *path = stas_state_path (STAS_DAEMON_STAFD);
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasState) state = NULL;
  StasTidDefaults defaults;

  stas_service_get_tid_defaults (STAS_SERVICE (self), &defaults);
  state = stas_state_read (path, STAS_DAEMON_STAFD, &defaults, diags);
  stas_log_diags (diags);
  for (guint i = 0; state != NULL && i < state->records->len; i++)
    {
      StasStateRecord *record = g_ptr_array_index (state->records, i);
      StasConnectRequest request;
      g_autoptr (GArray) pages = g_array_new (FALSE, TRUE, sizeof (StasDlpe));
      StafEntry *entry;
      StasDc *dc;
      GVariantIter iter;
      GVariant *dict;

      if (stas_staf_find_entry (self, record->tid) != NULL)
        continue;
      stas_service_build_request (STAS_SERVICE (self), record->tid, NULL, &request);
      dc = stas_dc_new (stas_service_get_fabrics (STAS_SERVICE (self)),
                        stas_service_get_kernel (STAS_SERVICE (self)), &request,
                        stas_config_get_pleo (stas_service_get_config (STAS_SERVICE (self))));
      stas_dc_set_origin (dc, origin_from_state (record->origin));
      stas_dc_set_referral_depth (dc, record->referral_depth);
      if (record->log_pages_state != STAS_STATE_LOG_PAGES_NONE)
        {
          g_variant_iter_init (&iter, record->log_pages);
          while ((dict = g_variant_iter_next_value (&iter)) != NULL)
            {
              StasDlpe dlpe;
              if (stas_dlpe_from_variant (dict, &dlpe, NULL))
                g_array_append_val (pages, dlpe);
              g_variant_unref (dict);
            }
          stas_dc_set_cached_log_pages (dc, pages, 0);
        }
      entry = add_entry (self, dc);
      if (record->log_pages_state != STAS_STATE_LOG_PAGES_NONE)
        {
          /* [REF-1] the referrals of the cached page: a pass before this DC's first
           * retrieval (slow or unreachable) keeps the DCs it refers to [STAF-3] */
          gboolean malformed = FALSE;
          entry->referrals = derive_referrals (self, entry, &malformed);
        }
      stas_info ("%s - restored from %s", stas_tid_to_string (record->tid), path);
      stas_controller_start_restored (STAS_CONTROLLER (dc));
    }
}

/* ---- reconciliation (behaviour §6.1) ---------------------------------------------------- */

typedef struct
{
  StasStaf *self;
  StasConfig *config; /* (owned) the configuration this pass works on */
  GArray *configured; /* StasConfigured */
  guint pending;      /* host-name look-ups in flight */
} Pass;

static void
pass_free (Pass *pass)
{
  stas_config_unref (pass->config);
  g_array_unref (pass->configured);
  g_free (pass);
}

static void continue_pass (Pass *pass);

static void
pass_step_done (gpointer data)
{
  Pass *pass = data;

  if (--pass->pending == 0)
    continue_pass (pass);
}

static void
reconcile (StasSoak *soak, gpointer user_data)
{
  StasStaf *self = user_data;
  Pass *pass = g_new0 (Pass, 1);
  GPtrArray *controllers;

  pass->self = self;
  pass->config = stas_config_ref (stas_service_get_config (STAS_SERVICE (self)));
  pass->configured = stas_configured_new ();
  controllers = stas_config_get_controllers (pass->config);

  /* step 1: configured entries, minus those excluded in their host-name form; NBFT DCs are
   * configured DCs too (exclude= applies) */
  stas_configured_add (pass->configured, pass->config, controllers);
  stas_configured_add (pass->configured, pass->config, self->nbft);
  /* step 2: host names, in parallel */
  pass->pending = 1;
  pass->pending += stas_configured_resolve (pass->configured, pass->config, self->resolved,
                                            self->cancellable, pass_step_done, pass);
  pass_step_done (pass);
}

typedef struct
{
  StasTid *tid; /* (owned) */
  StasDcOrigin origin;
  guint depth;
  const StasConfigController *ctrl; /* configured only */
} Listed;

static void
listed_clear (Listed *l)
{
  g_clear_pointer (&l->tid, stas_tid_unref);
}

static Listed *
find_listed (GArray *listed, const StasTid *tid)
{
  for (guint i = 0; i < listed->len; i++)
    {
      Listed *l = &g_array_index (listed, Listed, i);
      if (stas_tid_equal (l->tid, tid))
        return l;
    }
  return NULL;
}

static void
add_listed (GArray *listed,
            StasTid *tid,
            StasDcOrigin origin,
            guint depth,
            const StasConfigController *ctrl)
{
  Listed *known = find_listed (listed, tid);
  Listed l = { .tid = stas_tid_ref (tid), .origin = origin, .depth = depth, .ctrl = ctrl };

  if (known != NULL)
    {
      /* origin precedence configured > referral > discovered; the smallest depth */
      if (origin < known->origin)
        {
          known->origin = origin;
          known->ctrl = ctrl;
        }
      known->depth = MIN (known->depth, depth);
      stas_tid_unref (l.tid);
      return;
    }
  g_array_append_val (listed, l);
}

/* [REF-1]: referrals of every DC, breadth-first by depth, capped at MAX_REFERRAL_DEPTH */
static void
collect_referrals (StasStaf *self, GArray *listed)
{
  for (guint depth = 0; depth < MAX_REFERRAL_DEPTH; depth++)
    for (guint i = 0; i < self->entries->len; i++)
      {
        StafEntry *entry = g_ptr_array_index (self->entries, i);
        StasTid *tid = stas_controller_get_tid (STAS_CONTROLLER (entry->dc));
        Listed *l = find_listed (listed, tid);

        if (l == NULL || l->depth != depth || entry->referrals == NULL)
          continue;
        for (guint j = 0; j < entry->referrals->len; j++)
          add_listed (listed, g_ptr_array_index (entry->referrals, j), STAS_DC_ORIGIN_REFERRAL,
                      depth + 1, NULL);
      }
  for (guint i = 0; i < self->entries->len; i++)
    {
      StafEntry *entry = g_ptr_array_index (self->entries, i);
      Listed *l = find_listed (listed, stas_controller_get_tid (STAS_CONTROLLER (entry->dc)));
      if (l != NULL && l->depth >= MAX_REFERRAL_DEPTH && entry->referrals != NULL &&
          entry->referrals->len > 0)
        {
          g_autofree char *text = g_strdup_printf (
              "%s - Referral depth limit (%d) reached, not following %u referrals",
              stas_tid_to_string (l->tid), MAX_REFERRAL_DEPTH, entry->referrals->len);
          warn_once (entry, STAS_LOG_WARNING, text);
        }
    }
}

static gboolean
is_candidate (StasStaf *self, StasConfig *config, const StasTid *tid)
{
  const char *transport = stas_tid_get_transport (tid);
  int family;

  if (stas_config_is_excluded (config, transport, stas_tid_get_traddr (tid),
                               stas_tid_get_trsvcid (tid), stas_tid_get_subsysnqn (tid),
                               stas_tid_get_host_iface (tid), stas_tid_get_host_nqn (tid),
                               stas_tid_get_host_id (tid)))
    return FALSE;
  family = stas_ip_family (stas_tid_get_traddr (tid));
  if ((g_strcmp0 (transport, "tcp") == 0 || g_strcmp0 (transport, "rdma") == 0) &&
      !stas_config_ip_family_allowed (config, family))
    {
      stas_debug ("%s ignored because IPv%d is disabled in %s", stas_tid_to_string (tid), family,
                  stas_config_get_path (config) ? stas_config_get_path (config) : "the defaults");
      return FALSE;
    }
  return TRUE;
}

static void
on_disposed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StasStaf *self = user_data;

  stas_disposals_finish (self->disposals, source, result);
  if (!self->shutting_down)
    stas_soak_trigger (self->soak); /* a re-wanted TID may be created now [D-57] */
  else if (self->disposals->len == 0)
    stas_shutdown_complete (&self->shutdown);
  g_object_unref (self);
}

static void
dispose_entry (StasStaf *self, StafEntry *entry, gboolean keep_connection)
{
  StasDc *dc = g_object_ref (entry->dc);

  g_ptr_array_remove (self->entries, entry); /* frees the entry */
  stas_disposals_start (self->disposals, STAS_CONTROLLER (dc), keep_connection, on_disposed,
                        g_object_ref (self));
}

static void
continue_pass (Pass *pass)
{
  StasStaf *self = pass->self;
  StasConfig *config = pass->config;
  StasTidDefaults defaults;
  g_autoptr (GArray) listed = g_array_new (FALSE, TRUE, sizeof (Listed));
  gboolean removed = FALSE;
  guint i;

  g_array_set_clear_func (listed, (GDestroyNotify) listed_clear);
  if (self->shutting_down)
    {
      pass_free (pass);
      return;
    }
  stas_service_get_tid_defaults (STAS_SERVICE (self), &defaults);

  /* configured TIDs (steps 1–2) */
  for (i = 0; i < pass->configured->len; i++)
    {
      const StasConfigured *c = &g_array_index (pass->configured, StasConfigured, i);
      g_autoptr (StasTid) tid = stas_configured_to_tid (c, &defaults, config);

      if (tid != NULL)
        add_listed (listed, tid, STAS_DC_ORIGIN_CONFIGURED, 0, c->ctrl);
    }
  /* step 3: discovered (before step 4, so that their referrals are followed too) */
  if (stas_config_get_zeroconf (config))
    {
      g_autoptr (GPtrArray) discovered = discovered_tids (self);
      for (i = 0; i < discovered->len; i++)
        add_listed (listed, g_ptr_array_index (discovered, i), STAS_DC_ORIGIN_DISCOVERED, 0, NULL);
    }
  /* step 4 */
  collect_referrals (self, listed);

  /* steps 6–10: remove what is no longer wanted */
  for (i = self->entries->len; i-- > 0;)
    {
      StafEntry *entry = g_ptr_array_index (self->entries, i);
      StasTid *tid = stas_controller_get_tid (STAS_CONTROLLER (entry->dc));
      Listed *l = find_listed (listed, tid);
      gboolean candidate = l != NULL && is_candidate (self, config, tid);

      if (candidate)
        continue;
      if (l == NULL && stas_dc_get_origin (entry->dc) == STAS_DC_ORIGIN_CONFIGURED &&
          stas_config_has_invalid_controllers (config))
        {
          /* [BAD-1] freeze rule */
          g_autofree char *text = g_strdup_printf (
              "%s no longer configured but %s has invalid [Controllers] entries; not removing it",
              stas_tid_to_string (tid),
              stas_config_get_path (config) ? stas_config_get_path (config) : "the configuration");
          warn_once (entry, STAS_LOG_WARNING, text);
          continue;
        }
      if (l == NULL && stas_dc_get_origin (entry->dc) == STAS_DC_ORIGIN_DISCOVERED)
        {
          StasController *ctrl = STAS_CONTROLLER (entry->dc);

          /* step 8: zeroconf disabled [D-47], or aging ran out [ZC-6] */
          if (!stas_config_get_zeroconf (config))
            stas_debug ("%s - zeroconf is disabled: removing the mDNS-discovered controller",
                        stas_controller_get_tid_string (ctrl));
          else if (aging_expired (entry) &&
                   stas_controller_get_state (ctrl) != STAS_CONTROLLER_CONNECTED)
            stas_debug ("%s - not advertised and not connected since %" G_GINT64_FORMAT
                        " s: removing it",
                        stas_controller_get_tid_string (ctrl),
                        g_get_real_time () / G_USEC_PER_SEC - entry->unresponsive_since);
          else
            {
              /* step 9: an mDNS DC that merely disappeared is kept until aging removes
               * it; a restored one connects normally [STAF-3] */
              if (!stas_controller_is_confirmed (ctrl))
                stas_controller_confirm (ctrl);
              continue;
            }
        }
      dispose_entry (self, entry, FALSE);
      removed = TRUE;
    }

  /* steps 11–12: create (configured, referrals, discovered) and update */
  for (guint n = 0; n < 3 * listed->len; n++)
    {
      /* three rounds over listed, one per origin */
      Listed *l = &g_array_index (listed, Listed, n % listed->len);
      StafEntry *entry;

      if ((guint) l->origin != n / listed->len || !is_candidate (self, config, l->tid))
        continue;
      entry = stas_staf_find_entry (self, l->tid);
      if (entry == NULL)
        {
          StasDc *dc = (StasDc *) stas_disposals_reclaim (self->disposals, l->tid);
          StasConnectRequest request;

          if (dc == NULL && stas_disposals_contain (self->disposals, l->tid))
            continue; /* the disconnect started: created after it finished [D-57] */
          if (dc != NULL)
            entry = add_entry (self, dc); /* with the reference the disposals held */
          else
            {
              stas_service_build_request (STAS_SERVICE (self), l->tid, l->ctrl, &request);
              dc = stas_dc_new (stas_service_get_fabrics (STAS_SERVICE (self)),
                                stas_service_get_kernel (STAS_SERVICE (self)), &request,
                                stas_config_get_pleo (config));
              entry = add_entry (self, dc);
              stas_dc_set_origin (dc, l->origin);
              stas_dc_set_referral_depth (dc, l->depth);
              stas_controller_start (STAS_CONTROLLER (dc));
            }
        }
      else
        {
          StasConnectRequest request;

          stas_service_build_request (STAS_SERVICE (self), l->tid, l->ctrl, &request);
          stas_controller_update_request (STAS_CONTROLLER (entry->dc), &request); /* [D-19] */
          if (!stas_controller_is_confirmed (STAS_CONTROLLER (entry->dc)))
            stas_controller_confirm (STAS_CONTROLLER (entry->dc));
        }
      stas_dc_set_origin (entry->dc, l->origin);
      stas_dc_set_referral_depth (entry->dc, l->depth);
      stas_dc_set_pleo (entry->dc, stas_config_get_pleo (config));
      g_clear_pointer (&entry->config, stas_config_unref);
      entry->ctrl = NULL;
      if (l->origin == STAS_DC_ORIGIN_CONFIGURED && l->ctrl != NULL)
        {
          entry->config = stas_config_ref (config);
          entry->ctrl = l->ctrl;
        }
    }

  /* step 12: the aging evaluation of every discovered DC [ZC-6] */
  for (i = 0; i < self->entries->len; i++)
    evaluate_aging (self, g_ptr_array_index (self->entries, i));

  if (removed)
    {
      /* [DBUS-11] after the removed DCs left the lists; one more pass for orphaned
       * referrals [D-56] */
      stas_dbus_staf_emit_dc_removed (
          STAS_DBUS_STAF (stas_service_get_main_skeleton (STAS_SERVICE (self))));
    }
  stafd_schedule_state_write (self);
  pass_free (pass);
  stas_soak_pass_done (self->soak);
  if (removed)
    stas_soak_trigger (self->soak);
}

/* ---- service hooks ------------------------------------------------------------------------ */

static void
stas_staf_startup (StasService *service)
{
  load_nbft (STAS_STAF (service));
  restore_state (STAS_STAF (service));
}

static void
stas_staf_activate (StasService *service)
{
  StasStaf *self = STAS_STAF (service);

  /* [CLI-2] step 11: Avahi browsing (if zeroconf is enabled) */
  if (self->avahi == NULL)
    {
      GDBusInterfaceSkeleton *skeleton = stas_service_get_main_skeleton (service);
      GDBusConnection *bus =
          skeleton != NULL ? g_dbus_interface_skeleton_get_connection (skeleton) : NULL;
      g_autoptr (StasAvahi) avahi =
          stas_avahi_new (bus, TRUE, stas_service_get_kernel_caps (service)->discovery);

      stas_staf_set_avahi (self, avahi);
    }
  stas_avahi_set_enabled (self->avahi,
                          stas_config_get_zeroconf (stas_service_get_config (service)));
  stas_avahi_start (self->avahi);
  self->started = TRUE;
  stas_soak_restart (self->soak, STAS_CONF_SOAK_MS); /* start-up keeps CONF_SOAK */
}

static void
stas_staf_config_changed (StasService *service)
{
  StasStaf *self = STAS_STAF (service);
  gboolean tron = stas_service_get_tron (service);

  if (self->started && self->avahi != NULL)
    {
      /* [ZC-1] [SIG-2]: wake-up kick, service types */
      stas_avahi_kick (self->avahi);
      stas_avahi_set_enabled (self->avahi,
                              stas_config_get_zeroconf (stas_service_get_config (service)));
    }
  for (guint i = 0; i < self->entries->len; i++)
    {
      StafEntry *entry = g_ptr_array_index (self->entries, i);
      stas_controller_set_tron (STAS_CONTROLLER (entry->dc), tron);
      if (!self->started)
        continue;
      evaluate_aging (self, entry);      /* [D-48] */
      stas_dc_restart_chain (entry->dc); /* [SIG-2]: DIM re-registration, PLEO, DLP */
    }
  if (self->started)
    stas_soak_restart (self->soak, STAS_CONF_SOAK_MS);
}

static void
stas_staf_kernel_resynced (StasService *service, gboolean after_overflow)
{
  StasStaf *self = STAS_STAF (service);

  if (!after_overflow)
    return;
  /* [D-39]: an AEN may have been lost with the events */
  for (guint i = 0; i < self->entries->len; i++)
    {
      StafEntry *entry = g_ptr_array_index (self->entries, i);
      if (stas_controller_get_state (STAS_CONTROLLER (entry->dc)) == STAS_CONTROLLER_CONNECTED)
        stas_dc_request_dlp (entry->dc);
    }
}

/* [SIG-1] */
static void
stas_staf_shutdown_async (StasService *service, GAsyncReadyCallback callback, gpointer user_data)
{
  StasStaf *self = STAS_STAF (service);
  StasConfig *config = stas_service_get_config (service);
  gboolean keep = stas_config_get_persistent_connections (config);
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);

  self->shutting_down = TRUE;
  stas_soak_stop (self->soak);
  if (self->avahi != NULL)
    stas_avahi_stop (self->avahi); /* [SIG-1] step 1 */
  g_cancellable_cancel (self->cancellable);
  stas_debounce_cancel (&self->state_write);
  write_state_now (self);
  stas_kernel_stop (stas_service_get_kernel (service));

  /* persistent-connections=true keeps every DC connection (no DIM); false deregisters and
   * disconnects. Either way in-flight operations are awaited, at most SHUTDOWN_GRACE. */
  while (self->entries->len > 0)
    dispose_entry (self, g_ptr_array_index (self->entries, self->entries->len - 1), keep);
  stas_shutdown_wait (&self->shutdown, self->disposals, g_steal_pointer (&task));
  if (self->disposals->len == 0)
    stas_shutdown_complete (&self->shutdown);
}

/* ---- D-Bus ------------------------------------------------------------------------------ */

static void
stas_staf_tron_changed (StasService *service, gboolean tron)
{
  StasStaf *self = STAS_STAF (service);

  for (guint i = 0; i < self->entries->len; i++)
    stas_controller_set_tron (
        STAS_CONTROLLER (((StafEntry *) g_ptr_array_index (self->entries, i))->dc), tron);
}

static GDBusInterfaceSkeleton *
stas_staf_create_debug_skeleton (StasService *service)
{
  StasDBusStafDebug *skeleton = stas_dbus_staf_debug_skeleton_new ();

  stas_staf_connect_debug_handlers (STAS_STAF (service), skeleton);
  return G_DBUS_INTERFACE_SKELETON (skeleton);
}

static GDBusInterfaceSkeleton *
stas_staf_create_main_skeleton (StasService *service)
{
  StasDBusStaf *skeleton = stas_dbus_staf_skeleton_new ();

  stas_staf_connect_main_handlers (STAS_STAF (service), skeleton);
  return G_DBUS_INTERFACE_SKELETON (skeleton);
}

static void
stas_staf_dispose (GObject *object)
{
  StasStaf *self = STAS_STAF (object);

  g_cancellable_cancel (self->cancellable);
  stas_debounce_cancel (&self->state_write);
  g_clear_handle_id (&self->shutdown.timer, g_source_remove);
  g_clear_pointer (&self->soak, stas_soak_free);
  if (self->entries != NULL)
    g_ptr_array_set_size (self->entries, 0);
  if (self->avahi != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->avahi, self);
      stas_avahi_stop (self->avahi);
      g_clear_object (&self->avahi);
    }
  G_OBJECT_CLASS (stas_staf_parent_class)->dispose (object);
}

static void
stas_staf_finalize (GObject *object)
{
  StasStaf *self = STAS_STAF (object);

  g_ptr_array_unref (self->entries);
  g_ptr_array_unref (self->disposals);
  g_hash_table_unref (self->resolved);
  g_ptr_array_unref (self->nbft);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->shutdown.task);
  G_OBJECT_CLASS (stas_staf_parent_class)->finalize (object);
}

static void
stas_staf_class_init (StasStafClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  StasServiceClass *service_class = STAS_SERVICE_CLASS (klass);

  object_class->dispose = stas_staf_dispose;
  object_class->finalize = stas_staf_finalize;
  service_class->create_debug_skeleton = stas_staf_create_debug_skeleton;
  service_class->create_main_skeleton = stas_staf_create_main_skeleton;
  service_class->startup = stas_staf_startup;
  service_class->activate = stas_staf_activate;
  service_class->config_changed = stas_staf_config_changed;
  service_class->kernel_resynced = stas_staf_kernel_resynced;
  service_class->tron_changed = stas_staf_tron_changed;
  service_class->shutdown_async = stas_staf_shutdown_async;
}

static void
stas_staf_init (StasStaf *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) staf_entry_free);
  self->disposals = g_ptr_array_new_with_free_func (g_object_unref);
  self->soak = stas_soak_new (reconcile, self);
  self->resolved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->nbft = g_ptr_array_new_with_free_func ((GDestroyNotify) nbft_entry_free);
  self->cancellable = g_cancellable_new ();
  self->state_write.write = (void (*) (gpointer)) write_state_now;
  self->state_write.data = self;
}

StasStaf *
stas_staf_new (StasFabrics *fabrics)
{
  return g_object_new (STAS_TYPE_STAF, "kind", STAS_DAEMON_STAFD, "fabrics", fabrics, NULL);
}

StasSoak *
stas_staf_get_soak (StasStaf *self)
{
  return self->soak;
}

GPtrArray *
stas_staf_get_disposals (StasStaf *self)
{
  return self->disposals;
}

StasAvahi *
stas_staf_get_avahi (StasStaf *self)
{
  return self->avahi;
}

void
stas_staf_set_avahi (StasStaf *self, StasAvahi *avahi)
{
  g_return_if_fail (self->avahi == NULL);

  self->avahi = g_object_ref (avahi);
  g_signal_connect (avahi, "changed", G_CALLBACK (on_avahi_changed), self);
}
