/* stas-avahi.h — StasAvahi: stafd's mDNS browser (spec/behaviour.md §8) on avahi-client
 * with the avahi-glib poll adapter, every call made from the main thread.
 *
 * Availability [ZC-1]: the client is created with AVAHI_CLIENT_NO_FAIL, so stafd starts
 * without avahi-daemon and picks it up when the name org.freedesktop.Avahi gets an owner.
 * Connected → INFO "avahi-daemon service available, zeroconf supported.", browsers created,
 * wake-up timer stopped. Daemon gone (client CONNECTING, or FAILURE when a connected
 * daemon stopped or restarted) → every service dropped, WARNING "avahi-daemon not
 * available, zeroconf not supported.", wake-up timer started; a failed client is freed and
 * re-created from an idle callback, never inside Avahi's dispatch. The wake-up timer
 * (AVAHI_WAKEUP_PERIOD, 60 s, repeating) calls org.freedesktop.Avahi.Server.GetVersionString
 * (bus activation) and re-creates a missing client; it stops when the call succeeds.
 *
 * Browsing [ZC-2]: _nvme-disc._tcp and _nvme-disc._udp while enabled, interface and
 * protocol UNSPEC, domain "local", LOOKUP_USE_MULTICAST. One resolver per service key
 * (interface, protocol, name, type, domain), kept open until the item is removed.
 * Resolution [ZC-3] and the TCP reachability pre-check [ZC-4] (asynchronous GSocketClient
 * bound to the service's interface, 10 s time-out, back-off 2, 5, 10, 30, 60, 300, 600 s).
 *
 * Signal "changed" (): a service was removed, became identified and reachable, changed
 * its identity, or avahi-daemon became unavailable — stafd restarts its soak timer. */
#pragma once

#include <gio/gio.h>

#include "stas-payload.h"
#include "stas-zeroconf.h"

G_BEGIN_DECLS

#define STAS_AVAHI_WAKEUP_PERIOD_S 60

#define STAS_TYPE_AVAHI (stas_avahi_get_type ())
G_DECLARE_FINAL_TYPE (StasAvahi, stas_avahi, STAS, AVAHI, GObject)

/* @bus: the system bus for the wake-up call (nullable: then only the client is
 * re-created). @use_client FALSE: no avahi-client at all, the events come from the
 * stas_avahi_test_*() functions (tests). @tp8013: the kernel supports unique discovery
 * NQNs (the TXT `nqn` is used). */
StasAvahi *stas_avahi_new (GDBusConnection *bus, gboolean use_client, gboolean tp8013);

/* zeroconf=enabled|disabled: browse the two service types, or nothing at all: disabled,
 * the client, browsers and services are freed (no Avahi warnings, no wake-up timer);
 * enabled again, the client is created anew. */
void stas_avahi_set_enabled (StasAvahi *self, gboolean enabled);
gboolean stas_avahi_get_enabled (StasAvahi *self);
/* Creates the client (start-up, step 11 of [CLI-2]). */
void stas_avahi_start (StasAvahi *self);
/* Shutdown: browsers, resolvers, checks and the client freed; no more signals. */
void stas_avahi_stop (StasAvahi *self);
/* SIGHUP: if the wake-up timer runs, fire it now. */
void stas_avahi_kick (StasAvahi *self);
gboolean stas_avahi_is_available (StasAvahi *self);

/* The identities of the services that are identified and reachable, in discovery order
 * (StasZcIdentity, (transfer none), valid until the next main-loop iteration). */
GPtrArray *stas_avahi_get_reachable (StasAvahi *self);

/* process_info's avahi object [DBUS-35]; strings and the services array are kept alive by
 * @keep (a GPtrArray with g_free as free function). */
void stas_avahi_fill_info (StasAvahi *self, StasAvahiInfo *info, GPtrArray *keep);

/* Tests only: the service key's seconds until the TCP re-check (negative: none pending),
 * and the number of failed checks. */
gboolean stas_avahi_get_check_state (StasAvahi *self,
                                     int ifindex,
                                     int family,
                                     const char *name,
                                     const char *stype,
                                     guint *failures,
                                     double *retry_in_s);

/* ---- tests without avahi-daemon (use_client FALSE) ---------------------------------------- */

/* The daemon appeared (TRUE) or went away (FALSE). */
void stas_avahi_test_set_available (StasAvahi *self, gboolean available);
/* A browser reported a new item / its removal (@family 4 or 6 is the service protocol). */
void stas_avahi_test_item_new (StasAvahi *self,
                               int ifindex,
                               int family,
                               const char *name,
                               const char *stype,
                               const char *domain);
void stas_avahi_test_item_remove (StasAvahi *self,
                                  int ifindex,
                                  int family,
                                  const char *name,
                                  const char *stype,
                                  const char *domain);
/* Its resolver reported Found (@address_family: the address protocol, 4 or 6). */
void stas_avahi_test_resolved (StasAvahi *self,
                               int ifindex,
                               int family,
                               const char *name,
                               const char *stype,
                               const char *domain,
                               int address_family,
                               const char *address,
                               guint port,
                               const char *const *txt);
/* Seconds scale of the TCP check back-off and time-out (tests, default 1.0). */
void stas_avahi_set_time_scale (StasAvahi *self, double scale);

G_END_DECLS
