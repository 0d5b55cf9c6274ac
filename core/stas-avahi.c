/* stas-avahi.c — StasAvahi: stafd's mDNS browser on avahi-client (spec/behaviour.md §8). */
#include "config.h"

#include "stas-avahi.h"

#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/address.h>
#include <avahi-common/error.h>
#include <avahi-common/strlst.h>
#include <avahi-glib/glib-watch.h>
#include <net/if.h>
#include <sys/socket.h>

#include "stas-ip.h"
#include "stas-log.h"

#define AVAHI_BUS_NAME "org.freedesktop.Avahi"
#define SERVICE_NAME_MAX 63 /* DNS-SD instance name: one DNS label */
#define DOMAIN_MAX 255
/* A client that fails again this soon after being re-created waits for the wake-up timer
 * (no busy loop when the bus keeps refusing us). */
#define RECREATE_MIN_INTERVAL_US (1 * G_USEC_PER_SEC)

static const char *const service_types[] = { STAS_ZC_STYPE_TCP, STAS_ZC_STYPE_UDP, NULL };
#define N_TYPES (G_N_ELEMENTS (service_types) - 1)

typedef enum
{
  AVAIL_UNKNOWN,
  AVAIL_YES,
  AVAIL_NO,
} Availability;

typedef struct
{
  StasAvahi *owner; /* (unowned) NULL once dropped */
  int ifindex;      /* service key: interface, protocol, name, type, domain */
  int family;       /* 4 or 6: the protocol the service was seen on */
  char *name;
  char *stype;
  char *domain;
  char *ifname;                   /* for display; the index as text if unknown */
  AvahiServiceResolver *resolver; /* (nullable) kept open until the item is removed */
  gboolean identified;
  StasZcIdentity id;
  gboolean reachable;
  /* TCP check [ZC-4] */
  guint failures;         /* consecutive failed checks */
  guint check_interval_s; /* nominal interval of the re-check timer */
  guint retry_timer;      /* re-check pending */
  gint64 retry_deadline;  /* monotonic µs */
  GCancellable *check;    /* (nullable) the check in flight */
  guint check_timeout;    /* TCP_CHECK_TIMEOUT */
  gboolean check_timed_out;
} Service;

typedef struct
{
  StasAvahi *owner;
  const char *stype;
  AvahiServiceBrowser *browser; /* (nullable) */
  gboolean failed;              /* a Failure event: re-created at the next wake-up */
} Browser;

struct _StasAvahi
{
  GObject parent_instance;

  GDBusConnection *bus; /* (nullable) for GetVersionString */
  gboolean use_client;
  gboolean tp8013;
  gboolean enabled;
  gboolean started;
  gboolean stopped;
  double scale;

  AvahiGLibPoll *poll; /* (nullable) */
  AvahiClient *client; /* (nullable) */
  gint64 client_created;
  Availability available;
  Browser browsers[N_TYPES];
  gboolean test_available; /* use_client FALSE */

  GPtrArray *services; /* Service (refcounted), discovery order */
  guint sync_idle;
  guint wakeup_timer;
  gint64 wakeup_deadline;
  GCancellable *cancellable; /* wake-up calls */
};

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (StasAvahi, stas_avahi, G_TYPE_OBJECT)

static void schedule_sync (StasAvahi *self);
static void start_check (Service *svc);

/* ---- services ---------------------------------------------------------------------------- */

static void
service_clear (Service *svc)
{
  g_free (svc->name);
  g_free (svc->stype);
  g_free (svc->domain);
  g_free (svc->ifname);
  stas_zc_identity_clear (&svc->id);
  g_clear_object (&svc->check);
}

static Service *
service_ref (Service *svc)
{
  return g_rc_box_acquire (svc);
}

static void
service_unref (Service *svc)
{
  g_rc_box_release_full (svc, (GDestroyNotify) service_clear);
}

static char *
service_string (const Service *svc)
{
  return stas_zc_service_string (svc->ifname, svc->family, svc->name, svc->domain, svc->stype);
}

static void
emit_changed (StasAvahi *self)
{
  if (!self->stopped)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
cancel_check (Service *svc)
{
  g_clear_handle_id (&svc->retry_timer, g_source_remove);
  g_clear_handle_id (&svc->check_timeout, g_source_remove);
  if (svc->check != NULL)
    {
      g_cancellable_cancel (svc->check);
      g_clear_object (&svc->check);
    }
}

/* Frees the resolver, cancels the check, forgets the service (the caller emits). */
static void
drop_service (StasAvahi *self, Service *svc)
{
  svc->owner = NULL;
  if (svc->resolver != NULL)
    {
      avahi_service_resolver_free (svc->resolver);
      svc->resolver = NULL;
    }
  cancel_check (svc);
  g_ptr_array_remove (self->services, svc); /* unrefs */
}

/* Drops the services of @stype (NULL: all). TRUE if one of them was reachable. */
static gboolean
drop_services (StasAvahi *self, const char *stype)
{
  gboolean reachable = FALSE;

  for (guint i = self->services->len; i-- > 0;)
    {
      Service *svc = g_ptr_array_index (self->services, i);
      if (stype != NULL && strcmp (svc->stype, stype) != 0)
        continue;
      reachable |= svc->reachable;
      drop_service (self, svc);
    }
  return reachable;
}

static Service *
find_service (StasAvahi *self,
              int ifindex,
              int family,
              const char *name,
              const char *stype,
              const char *domain)
{
  for (guint i = 0; i < self->services->len; i++)
    {
      Service *svc = g_ptr_array_index (self->services, i);
      if (svc->ifindex == ifindex && svc->family == family && strcmp (svc->name, name) == 0 &&
          strcmp (svc->stype, stype) == 0 && strcmp (svc->domain, domain) == 0)
        return svc;
    }
  return NULL;
}

/* ---- TCP reachability pre-check [ZC-4] --------------------------------------------------- */

typedef struct
{
  Service *svc;        /* (owned) */
  GCancellable *check; /* (owned) identifies this check */
  char *ifname;        /* (owned) SO_BINDTODEVICE */
} Check;

static void
check_free (Check *check)
{
  service_unref (check->svc);
  g_object_unref (check->check);
  g_free (check->ifname);
  g_free (check);
}

static guint
scaled_ms (StasAvahi *self, double seconds)
{
  double ms = seconds * 1000.0 * self->scale;
  return ms < 1.0 ? 1 : (guint) MIN (ms, (double) G_MAXUINT);
}

static void
on_client_event (GSocketClient *client,
                 GSocketClientEvent event,
                 GSocketConnectable *connectable,
                 GIOStream *connection,
                 gpointer user_data)
{
  const char *ifname = user_data;
  GSocket *socket;

  if (event != G_SOCKET_CLIENT_CONNECTING || !G_IS_SOCKET_CONNECTION (connection))
    return;
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection));
  /* bound to the interface the advert came in on */
  if (setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_BINDTODEVICE, ifname,
                  (socklen_t) strlen (ifname)) != 0)
    stas_debug ("TCP check: cannot bind to %s: %s", ifname, g_strerror (errno));
}

static gboolean
on_retry (gpointer user_data)
{
  Service *svc = user_data;

  svc->retry_timer = 0;
  start_check (svc);
  return G_SOURCE_REMOVE;
}

static gboolean
on_check_timeout (gpointer user_data)
{
  Service *svc = user_data;

  svc->check_timeout = 0;
  svc->check_timed_out = TRUE;
  if (svc->check != NULL)
    g_cancellable_cancel (svc->check);
  return G_SOURCE_REMOVE;
}

static void
on_check_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Check *check = user_data;
  Service *svc = check->svc;
  StasAvahi *self = svc->owner;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) connection =
      g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);

  if (self == NULL || svc->check != check->check)
    {
      /* dropped, or superseded by a new identity */
      check_free (check);
      return;
    }
  g_clear_handle_id (&svc->check_timeout, g_source_remove);
  g_clear_object (&svc->check);
  if (connection != NULL)
    {
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      stas_debug ("TCP connectivity verified - (%s, %s, %s)",
                  svc->id.host_iface[0] != '\0' ? svc->id.host_iface : svc->ifname, svc->id.traddr,
                  svc->id.trsvcid);
      svc->reachable = TRUE;
      check_free (check);
      emit_changed (self);
      return;
    }
  svc->failures++;
  if (svc->failures == 1)
    stas_info ("Unable to verify TCP connectivity  - (%s, %s, %s): %s", svc->ifname, svc->id.traddr,
               svc->id.trsvcid, svc->check_timed_out ? g_strerror (ETIMEDOUT) : error->message);
  else
    stas_debug ("TCP connectivity still not verified - (%s, %s, %s): %s (attempt %u)", svc->ifname,
                svc->id.traddr, svc->id.trsvcid,
                svc->check_timed_out ? g_strerror (ETIMEDOUT) : error->message, svc->failures);
  svc->check_interval_s = stas_zc_backoff_s (svc->failures);
  svc->retry_deadline =
      g_get_monotonic_time () + (gint64) scaled_ms (self, svc->check_interval_s) * 1000;
  svc->retry_timer = g_timeout_add (scaled_ms (self, svc->check_interval_s), on_retry, svc);
  check_free (check);
}

static void
start_check (Service *svc)
{
  StasAvahi *self = svc->owner;
  g_autoptr (GSocketClient) client = NULL;
  g_autoptr (GInetAddress) address = NULL;
  g_autoptr (GSocketAddress) target = NULL;
  Check *check;
  guint scope = 0;

  cancel_check (svc);
  if (strcmp (svc->id.transport, "tcp") != 0)
    {
      /* rdma: reachable at once [ZC-3] */
      svc->reachable = TRUE;
      emit_changed (self);
      return;
    }
  address = g_inet_address_new_from_string (svc->id.traddr);
  if (address == NULL)
    return; /* cannot happen: identified addresses are IP literals */
  if (g_inet_address_get_is_link_local (address) &&
      g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    scope = (guint) svc->ifindex; /* IPv6 link-local: the interface is the scope */
  target =
      g_object_new (G_TYPE_INET_SOCKET_ADDRESS, "address", address, "port",
                    (guint) g_ascii_strtoull (svc->id.trsvcid, NULL, 10), "scope-id", scope, NULL);
  client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (client, FALSE);
  svc->check = g_cancellable_new ();
  svc->check_timed_out = FALSE;
  check = g_new0 (Check, 1);
  check->svc = service_ref (svc);
  check->check = g_object_ref (svc->check);
  check->ifname = g_strdup (svc->ifname);
  g_signal_connect (client, "event", G_CALLBACK (on_client_event), check->ifname);
  svc->check_timeout =
      g_timeout_add (scaled_ms (self, STAS_TCP_CHECK_TIMEOUT_S), on_check_timeout, svc);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (target), svc->check, on_check_done,
                                 check);
}

/* ---- browse events (avahi-client or tests) ----------------------------------------------- */

static gboolean
type_is_browsed (StasAvahi *self, const char *stype)
{
  if (!self->enabled || self->stopped)
    return FALSE;
  for (guint i = 0; i < N_TYPES; i++)
    if (strcmp (service_types[i], stype) == 0)
      return self->use_client ? self->browsers[i].browser != NULL : self->test_available;
  return FALSE;
}

static void on_resolver_event (AvahiServiceResolver *resolver,
                               AvahiIfIndex interface,
                               AvahiProtocol protocol,
                               AvahiResolverEvent event,
                               const char *name,
                               const char *type,
                               const char *domain,
                               const char *host_name,
                               const AvahiAddress *address,
                               uint16_t port,
                               AvahiStringList *txt,
                               AvahiLookupResultFlags flags,
                               void *user_data);

static void
item_new (StasAvahi *self,
          int ifindex,
          int family,
          const char *name,
          const char *stype,
          const char *domain)
{
  Service *svc;
  char ifname[IF_NAMESIZE];

  if (!type_is_browsed (self, stype))
    return;
  /* strings from the network [D-50] */
  if (!stas_zc_name_is_valid (name, SERVICE_NAME_MAX) ||
      !stas_zc_name_is_valid (domain, DOMAIN_MAX) || ifindex <= 0)
    {
      stas_debug ("Ignoring mDNS service with an invalid name, domain or interface (type %s)",
                  stype);
      return;
    }
  if (find_service (self, ifindex, family, name, stype, domain) != NULL)
    return;
  svc = g_rc_box_new0 (Service);
  svc->owner = self;
  svc->ifindex = ifindex;
  svc->family = family;
  svc->name = g_strdup (name);
  svc->stype = g_strdup (stype);
  svc->domain = g_strdup (domain);
  if (if_indextoname ((unsigned) ifindex, ifname) != NULL)
    svc->ifname = g_strdup (ifname);
  else
    svc->ifname = g_strdup_printf ("%d", ifindex);
  svc->check_interval_s = stas_zc_backoff_s (0);
  g_ptr_array_add (self->services, svc);
  {
    g_autofree char *text = service_string (svc);
    stas_debug ("mDNS service found: %s", text);
  }
  if (self->use_client && self->client != NULL)
    {
      svc->resolver = avahi_service_resolver_new (
          self->client, ifindex, family == 6 ? AVAHI_PROTO_INET6 : AVAHI_PROTO_INET, name, stype,
          domain, AVAHI_PROTO_UNSPEC, AVAHI_LOOKUP_USE_MULTICAST, on_resolver_event, svc);
      if (svc->resolver == NULL)
        {
          g_autofree char *text = service_string (svc);
          stas_warning ("Failed to create resolver - %s: %s", text,
                        avahi_strerror (avahi_client_errno (self->client)));
        }
    }
}

static void
item_remove (StasAvahi *self,
             int ifindex,
             int family,
             const char *name,
             const char *stype,
             const char *domain)
{
  Service *svc = NULL;

  if (name != NULL && stype != NULL && domain != NULL)
    svc = find_service (self, ifindex, family, name, stype, domain);
  if (svc == NULL)
    {
      stas_debug ("Ignoring removal of an unknown mDNS service"); /* [D-50] */
      return;
    }
  {
    g_autofree char *text = service_string (svc);
    stas_debug ("mDNS service removed: %s", text);
  }
  drop_service (self, svc);
  emit_changed (self); /* [STAF-1]: a removed service restarts the soak */
}

static void
check_duplicates (StasAvahi *self)
{
  g_autoptr (GArray) entries = g_array_new (FALSE, TRUE, sizeof (StasZcAddrIf));
  g_autoptr (GPtrArray) diags = stas_diags_new ();

  for (guint i = 0; i < self->services->len; i++)
    {
      Service *svc = g_ptr_array_index (self->services, i);
      StasZcAddrIf e = { .address = svc->id.traddr, .ifname = svc->ifname };
      if (svc->identified)
        g_array_append_val (entries, e);
    }
  stas_zc_check_duplicates ((const StasZcAddrIf *) (const void *) entries->data, entries->len,
                            diags);
  stas_log_diags (diags);
}

/* [ZC-3]: a Found event */
static void
service_found (Service *svc, int address_family, const char *address, guint port, StasZcTxt *txt)
{
  StasAvahi *self = svc->owner;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  char ifname[IF_NAMESIZE];
  StasZcResult result = {
    .ifname = if_indextoname ((unsigned) svc->ifindex, ifname),
    .family = address_family,
    .address = address,
    .port = port,
    .txt = txt,
  };
  StasZcIdentity id;
  gboolean was_reachable = svc->reachable;

  if (!stas_zc_identify (&result, self->tp8013, &id, diags))
    {
      /* a Found that fails a check leaves an identified service unchanged
       * (spec/bad-input.md §5: WARNING, previous identity kept) */
      stas_log_diags (diags);
      if (svc->identified)
        {
          g_autofree char *text = service_string (svc);

          stas_warning ("mDNS service %s: invalid update ignored; keeping %s %s %s %s %s", text,
                        svc->id.transport, svc->id.traddr, svc->id.trsvcid, svc->id.host_iface,
                        svc->id.subsysnqn);
        }
      return;
    }
  stas_log_diags (diags);
  if (result.ifname != NULL && strcmp (result.ifname, svc->ifname) != 0)
    {
      g_free (svc->ifname);
      svc->ifname = g_strdup (result.ifname);
    }
  if (!svc->identified || !stas_zc_identity_equal (&svc->id, &id))
    {
      g_autofree char *text = service_string (svc);

      stas_debug ("mDNS service %s identified: %s %s %s %s %s", text, id.transport, id.traddr,
                  id.trsvcid, id.host_iface, id.subsysnqn);
      stas_zc_identity_clear (&svc->id);
      svc->id = id;
      svc->identified = TRUE;
      svc->reachable = FALSE;
      svc->failures = 0;
      svc->check_interval_s = stas_zc_backoff_s (0);
      if (was_reachable)
        emit_changed (self); /* the previous identity is no longer advertised */
      start_check (svc);
    }
  else
    stas_zc_identity_clear (&id);
  check_duplicates (self);
}

/* ---- avahi-client callbacks -------------------------------------------------------------- */

static int
family_of_proto (AvahiProtocol protocol)
{
  return protocol == AVAHI_PROTO_INET ? 4 : protocol == AVAHI_PROTO_INET6 ? 6 : 0;
}

static void
on_resolver_event (AvahiServiceResolver *resolver,
                   AvahiIfIndex interface,
                   AvahiProtocol protocol,
                   AvahiResolverEvent event,
                   const char *name,
                   const char *type,
                   const char *domain,
                   const char *host_name,
                   const AvahiAddress *address,
                   uint16_t port,
                   AvahiStringList *txt,
                   AvahiLookupResultFlags flags,
                   void *user_data)
{
  Service *svc = user_data;

  if (svc->owner == NULL)
    return;
  if (event == AVAHI_RESOLVER_FOUND && address != NULL)
    {
      char text[AVAHI_ADDRESS_STR_MAX] = "";
      g_autoptr (GPtrArray) records =
          g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_autoptr (StasZcTxt) parsed = NULL;
      g_autoptr (GPtrArray) diags = stas_diags_new ();

      avahi_address_snprint (text, sizeof text, address);
      for (AvahiStringList *l = txt; l != NULL; l = avahi_string_list_get_next (l))
        g_ptr_array_add (
            records, g_bytes_new (avahi_string_list_get_text (l), avahi_string_list_get_size (l)));
      parsed = stas_zc_txt_parse ((GBytes *const *) records->pdata, records->len, diags);
      stas_log_diags (diags);
      service_found (svc, family_of_proto (address->proto), text, port, parsed);
    }
  else if (event == AVAHI_RESOLVER_FAILURE)
    {
      int error = avahi_client_errno (avahi_service_resolver_get_client (resolver));
      g_autofree char *text = service_string (svc);

      if (error == AVAHI_ERR_TIMEOUT)
        stas_debug ("Avahi failure - resolver %s: %s", text, avahi_strerror (error));
      else
        stas_error ("Avahi failure - resolver %s: %s", text, avahi_strerror (error));
    }
}

static void
on_browser_event (AvahiServiceBrowser *browser,
                  AvahiIfIndex interface,
                  AvahiProtocol protocol,
                  AvahiBrowserEvent event,
                  const char *name,
                  const char *type,
                  const char *domain,
                  AvahiLookupResultFlags flags,
                  void *user_data)
{
  Browser *b = user_data;
  StasAvahi *self = b->owner;
  int family = family_of_proto (protocol);

  switch (event)
    {
    case AVAHI_BROWSER_NEW:
      if (family != 0 && type != NULL && strcmp (type, b->stype) == 0)
        item_new (self, interface, family, name, type, domain);
      break;
    case AVAHI_BROWSER_REMOVE:
      item_remove (self, interface, family, name, type, domain);
      break;
    case AVAHI_BROWSER_FAILURE:
      stas_error ("Avahi failure - browser %s: %s", b->stype,
                  avahi_strerror (avahi_client_errno (avahi_service_browser_get_client (browser))));
      b->failed = TRUE; /* freed from the idle, re-created at the next wake-up */
      schedule_sync (self);
      break;
    case AVAHI_BROWSER_ALL_FOR_NOW:
    case AVAHI_BROWSER_CACHE_EXHAUSTED:
    default:
      break;
    }
}

static void
on_client_state (AvahiClient *client, AvahiClientState state, void *user_data)
{
  /* may run inside avahi_client_new() or Avahi's dispatch: act from an idle */
  schedule_sync (user_data);
}

/* ---- availability [ZC-1] ----------------------------------------------------------------- */

static void do_wakeup (StasAvahi *self);

static gboolean
on_wakeup (gpointer user_data)
{
  StasAvahi *self = user_data;

  self->wakeup_deadline = g_get_monotonic_time () + STAS_AVAHI_WAKEUP_PERIOD_S * G_USEC_PER_SEC;
  do_wakeup (self);
  return G_SOURCE_CONTINUE;
}

static void
start_wakeup (StasAvahi *self)
{
  if (self->wakeup_timer != 0 || self->stopped)
    return;
  stas_debug ("Avahi wake-up timer started (%d s)", STAS_AVAHI_WAKEUP_PERIOD_S);
  self->wakeup_deadline = g_get_monotonic_time () + STAS_AVAHI_WAKEUP_PERIOD_S * G_USEC_PER_SEC;
  self->wakeup_timer = g_timeout_add_seconds (STAS_AVAHI_WAKEUP_PERIOD_S, on_wakeup, self);
}

static void
stop_wakeup (StasAvahi *self)
{
  if (self->wakeup_timer != 0)
    stas_debug ("Avahi wake-up timer stopped");
  g_clear_handle_id (&self->wakeup_timer, g_source_remove);
}

static void
free_browser (Browser *b)
{
  if (b->browser != NULL)
    avahi_service_browser_free (b->browser);
  b->browser = NULL;
}

/* Avahi went away: drop everything it reported, tell once, wait for it. */
static void
set_unavailable (StasAvahi *self)
{
  gboolean reachable = drop_services (self, NULL);
  Availability was = self->available;

  for (guint i = 0; i < N_TYPES; i++)
    free_browser (&self->browsers[i]);
  self->available = AVAIL_NO;
  if (was != AVAIL_NO)
    stas_warning ("avahi-daemon not available, zeroconf not supported.");
  start_wakeup (self);
  if (reachable || was == AVAIL_YES)
    emit_changed (self); /* [STAF-1]: Avahi becoming unavailable restarts the soak */
}

static void
set_available (StasAvahi *self)
{
  if (self->available != AVAIL_YES)
    stas_info ("avahi-daemon service available, zeroconf supported.");
  self->available = AVAIL_YES;
  stop_wakeup (self);
}

/* Browsers for the enabled service types; the others freed with their services. */
static void
sync_browsers (StasAvahi *self)
{
  gboolean changed = FALSE;

  for (guint i = 0; i < N_TYPES; i++)
    {
      Browser *b = &self->browsers[i];

      if (b->failed && b->browser != NULL)
        {
          free_browser (b);
          changed |= drop_services (self, b->stype);
          start_wakeup (self);
        }
      if (!self->enabled && b->browser != NULL)
        {
          free_browser (b);
          changed |= drop_services (self, b->stype);
        }
      if (self->enabled && b->browser == NULL && !b->failed && self->client != NULL)
        {
          b->browser = avahi_service_browser_new (self->client, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                  b->stype, STAS_ZC_DOMAIN,
                                                  AVAHI_LOOKUP_USE_MULTICAST, on_browser_event, b);
          if (b->browser == NULL)
            {
              stas_debug ("Cannot browse %s: %s", b->stype,
                          avahi_strerror (avahi_client_errno (self->client)));
              stas_warning ("avahi-daemon not available, operating w/o mDNS discovery.");
              b->failed = TRUE;
              start_wakeup (self);
            }
        }
    }
  if (changed)
    emit_changed (self);
}

static void
free_client (StasAvahi *self)
{
  for (guint i = 0; i < self->services->len; i++)
    {
      Service *svc = g_ptr_array_index (self->services, i);
      if (svc->resolver != NULL)
        avahi_service_resolver_free (svc->resolver);
      svc->resolver = NULL;
    }
  for (guint i = 0; i < N_TYPES; i++)
    free_browser (&self->browsers[i]);
  if (self->client != NULL)
    {
      avahi_client_free (self->client);
      /* avahi-glib's dispatch runs the callback of a watch whose fd was ready even when the
       * watch was freed earlier in the same main-loop iteration (dbus_watch_handle() on a
       * freed DBusWatch: valgrind showed it when SIGTERM and Avahi's fd were ready together).
       * A destroyed GSource is not dispatched: the poll goes with its client (every caller
       * is outside Avahi's dispatch), a new one serves the next client. */
      avahi_glib_poll_free (self->poll);
      self->poll = avahi_glib_poll_new (NULL, G_PRIORITY_DEFAULT);
    }
  self->client = NULL;
}

static void
create_client (StasAvahi *self)
{
  int error = 0;

  if (!self->use_client || self->client != NULL || self->stopped || !self->enabled)
    return;
  self->client_created = g_get_monotonic_time ();
  self->client = avahi_client_new (avahi_glib_poll_get (self->poll), AVAHI_CLIENT_NO_FAIL,
                                   on_client_state, self, &error);
  if (self->client == NULL)
    {
      stas_debug ("Cannot create the Avahi client: %s", avahi_strerror (error));
      set_unavailable (self);
      return;
    }
  schedule_sync (self);
}

static gboolean
on_sync (gpointer user_data)
{
  StasAvahi *self = user_data;

  self->sync_idle = 0;
  if (self->stopped || !self->use_client)
    return G_SOURCE_REMOVE;
  if (self->client == NULL)
    return G_SOURCE_REMOVE;
  stas_debug ("Avahi client state %d", (int) avahi_client_get_state (self->client));
  switch (avahi_client_get_state (self->client))
    {
    case AVAHI_CLIENT_S_RUNNING:
    case AVAHI_CLIENT_S_REGISTERING:
    case AVAHI_CLIENT_S_COLLISION:
      set_available (self);
      sync_browsers (self);
      break;
    case AVAHI_CLIENT_CONNECTING:
      set_unavailable (self);
      break;
    case AVAHI_CLIENT_FAILURE:
    default:
      stas_debug ("Avahi client failure: %s", avahi_strerror (avahi_client_errno (self->client)));
      set_unavailable (self);
      free_client (self);
      /* a dead client is re-created here, outside Avahi's dispatch */
      if (g_get_monotonic_time () - self->client_created >= RECREATE_MIN_INTERVAL_US)
        create_client (self);
      break;
    }
  return G_SOURCE_REMOVE;
}

static void
schedule_sync (StasAvahi *self)
{
  if (self->sync_idle == 0 && !self->stopped)
    self->sync_idle = g_idle_add (on_sync, self);
}

static void
on_version (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StasAvahi) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply =
      g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        stas_debug ("avahi-daemon wake-up call failed: %s", error->message);
      return;
    }
  if (self->stopped)
    return;
  {
    const char *version = NULL;
    g_variant_get (reply, "(&s)", &version);
    stas_debug ("avahi-daemon wake-up: %s", version);
  }
  stop_wakeup (self);
  create_client (self);
  schedule_sync (self);
}

static void
do_wakeup (StasAvahi *self)
{
  if (self->stopped)
    return;
  for (guint i = 0; i < N_TYPES; i++)
    self->browsers[i].failed = FALSE;
  if (self->bus != NULL && !g_dbus_connection_is_closed (self->bus))
    g_dbus_connection_call (self->bus, AVAHI_BUS_NAME, "/", "org.freedesktop.Avahi.Server",
                            "GetVersionString", NULL, G_VARIANT_TYPE ("(s)"),
                            G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_version,
                            g_object_ref (self));
  if (self->client == NULL)
    create_client (self);
  else
    schedule_sync (self);
}

/* ---- public ------------------------------------------------------------------------------ */

StasAvahi *
stas_avahi_new (GDBusConnection *bus, gboolean use_client, gboolean tp8013)
{
  StasAvahi *self = g_object_new (STAS_TYPE_AVAHI, NULL);

  self->bus = bus != NULL ? g_object_ref (bus) : NULL;
  self->use_client = use_client;
  self->tp8013 = tp8013;
  if (use_client)
    self->poll = avahi_glib_poll_new (NULL, G_PRIORITY_DEFAULT);
  return self;
}

void
stas_avahi_set_enabled (StasAvahi *self, gboolean enabled)
{
  g_return_if_fail (STAS_IS_AVAHI (self));

  if (self->enabled == enabled)
    return;
  self->enabled = enabled;
  if (!self->started)
    return;
  if (self->use_client)
    {
      if (enabled)
        create_client (self);
      else
        {
          /* zeroconf disabled: no Avahi at all (no client, no warnings, no wake-up) */
          gboolean reachable = drop_services (self, NULL);

          free_client (self);
          stop_wakeup (self);
          g_clear_handle_id (&self->sync_idle, g_source_remove);
          self->available = AVAIL_UNKNOWN;
          if (reachable)
            emit_changed (self);
        }
      return;
    }
  if (!enabled && drop_services (self, NULL))
    emit_changed (self);
}

gboolean
stas_avahi_get_enabled (StasAvahi *self)
{
  return self->enabled;
}

void
stas_avahi_start (StasAvahi *self)
{
  g_return_if_fail (STAS_IS_AVAHI (self));

  if (self->started)
    return;
  self->started = TRUE;
  if (self->use_client)
    create_client (self);
}

void
stas_avahi_stop (StasAvahi *self)
{
  g_return_if_fail (STAS_IS_AVAHI (self));

  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->sync_idle, g_source_remove);
  stop_wakeup (self);
  free_client (self);
  drop_services (self, NULL);
}

void
stas_avahi_kick (StasAvahi *self)
{
  g_return_if_fail (STAS_IS_AVAHI (self));

  if (self->wakeup_timer == 0)
    return;
  stop_wakeup (self);
  start_wakeup (self);
  do_wakeup (self);
}

gboolean
stas_avahi_is_available (StasAvahi *self)
{
  return self->available == AVAIL_YES;
}

GPtrArray *
stas_avahi_get_reachable (StasAvahi *self)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < self->services->len; i++)
    {
      Service *svc = g_ptr_array_index (self->services, i);
      if (svc->identified && svc->reachable)
        g_ptr_array_add (out, &svc->id);
    }
  return out;
}

static const char *
keep_str (GPtrArray *keep, char *text)
{
  g_ptr_array_add (keep, text);
  return text;
}

void
stas_avahi_fill_info (StasAvahi *self, StasAvahiInfo *info, GPtrArray *keep)
{
  gint64 now = g_get_monotonic_time ();
  StasAvahiServiceInfo *services;

  memset (info, 0, sizeof *info);
  info->wake_up_timer = keep_str (
      keep,
      stas_payload_timer_string (STAS_AVAHI_WAKEUP_PERIOD_S, self->wakeup_timer != 0,
                                 MAX (0, (double) (self->wakeup_deadline - now) / G_USEC_PER_SEC)));
  info->service_types = self->enabled ? service_types : NULL;
  services = g_new0 (StasAvahiServiceInfo, self->services->len + 1);
  g_ptr_array_add (keep, services);
  for (guint i = 0; i < self->services->len; i++)
    {
      Service *svc = g_ptr_array_index (self->services, i);
      StasAvahiServiceInfo *s = &services[i];
      double remaining =
          svc->retry_timer != 0
              ? MAX (0, (double) (svc->retry_deadline - now) / G_USEC_PER_SEC / self->scale)
              : 0;

      s->ifname = svc->ifname;
      s->protocol = svc->family == 6 ? "IPv6" : "IPv4";
      s->name = svc->name;
      s->domain = svc->domain;
      s->stype = svc->stype;
      s->identified = svc->identified;
      s->transport = svc->id.transport;
      s->traddr = svc->id.traddr;
      s->trsvcid = svc->id.trsvcid;
      s->host_iface = svc->id.host_iface;
      s->subsysnqn = svc->id.subsysnqn;
      s->reachable = svc->reachable;
      s->check_timer =
          keep_str (keep, stas_payload_timer_string (svc->check_interval_s, svc->retry_timer != 0,
                                                     remaining));
    }
  info->services = services;
  info->n_services = self->services->len;
}

gboolean
stas_avahi_get_check_state (StasAvahi *self,
                            int ifindex,
                            int family,
                            const char *name,
                            const char *stype,
                            guint *failures,
                            double *retry_in_s)
{
  Service *svc = find_service (self, ifindex, family, name, stype, STAS_ZC_DOMAIN);

  if (svc == NULL)
    return FALSE;
  if (failures != NULL)
    *failures = svc->failures;
  if (retry_in_s != NULL)
    *retry_in_s = svc->retry_timer != 0 ? svc->check_interval_s : -1.0;
  return TRUE;
}

void
stas_avahi_set_time_scale (StasAvahi *self, double scale)
{
  self->scale = scale > 0 ? scale : 1.0;
}

/* ---- tests ------------------------------------------------------------------------------- */

void
stas_avahi_test_set_available (StasAvahi *self, gboolean available)
{
  g_return_if_fail (!self->use_client);

  self->test_available = available;
  if (available)
    set_available (self);
  else
    set_unavailable (self);
}

void
stas_avahi_test_item_new (StasAvahi *self,
                          int ifindex,
                          int family,
                          const char *name,
                          const char *stype,
                          const char *domain)
{
  g_return_if_fail (!self->use_client);
  item_new (self, ifindex, family, name, stype, domain);
}

void
stas_avahi_test_item_remove (StasAvahi *self,
                             int ifindex,
                             int family,
                             const char *name,
                             const char *stype,
                             const char *domain)
{
  g_return_if_fail (!self->use_client);
  item_remove (self, ifindex, family, name, stype, domain);
}

void
stas_avahi_test_resolved (StasAvahi *self,
                          int ifindex,
                          int family,
                          const char *name,
                          const char *stype,
                          const char *domain,
                          int address_family,
                          const char *address,
                          guint port,
                          const char *const *txt)
{
  Service *svc;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (StasZcTxt) parsed = NULL;

  g_return_if_fail (!self->use_client);
  svc = find_service (self, ifindex, family, name, stype, domain);
  if (svc == NULL)
    return;
  parsed = stas_zc_txt_parse_strv (txt, diags);
  stas_log_diags (diags);
  service_found (svc, address_family, address, port, parsed);
}

/* ---- GObject ----------------------------------------------------------------------------- */

static void
stas_avahi_dispose (GObject *object)
{
  StasAvahi *self = STAS_AVAHI (object);

  if (!self->stopped)
    stas_avahi_stop (self);
  g_clear_object (&self->bus);
  G_OBJECT_CLASS (stas_avahi_parent_class)->dispose (object);
}

static void
stas_avahi_finalize (GObject *object)
{
  StasAvahi *self = STAS_AVAHI (object);

  g_ptr_array_unref (self->services);
  g_clear_object (&self->cancellable);
  if (self->poll != NULL)
    avahi_glib_poll_free (self->poll);
  G_OBJECT_CLASS (stas_avahi_parent_class)->finalize (object);
}

static void
stas_avahi_class_init (StasAvahiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stas_avahi_dispose;
  object_class->finalize = stas_avahi_finalize;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
stas_avahi_init (StasAvahi *self)
{
  self->services = g_ptr_array_new_with_free_func ((GDestroyNotify) service_unref);
  self->cancellable = g_cancellable_new ();
  self->scale = 1.0;
  self->available = AVAIL_UNKNOWN;
  for (guint i = 0; i < N_TYPES; i++)
    {
      self->browsers[i].owner = self;
      self->browsers[i].stype = service_types[i];
    }
}
