/* test-util.h — helpers shared by the in-process tests. */
#pragma once

#include <gio/gio.h>

#include "fake-fabrics.h"
#include "stas-kernel.h"
#include "stas-log.h"
#include "stas-service.h"
#include "stas-soak.h"

G_BEGIN_DECLS

/* Asserts that @diags holds exactly @expected ("W text", "I text", "E text", "D text"; a
 * NULL-terminated list), in order, and that no diagnostic shows a secret value ("DHHC-1:0..."). */
void stas_test_assert_diags (GPtrArray *diags, const char *const *expected);

#define ASSERT_DIAGS(diags, ...)                                                                   \
  stas_test_assert_diags ((diags), (const char *const[]){ __VA_ARGS__, NULL })

#define ASSERT_NO_DIAGS(diags) stas_test_assert_diags ((diags), (const char *const[]){ NULL })

/* ---- files ----------------------------------------------------------------------------- */

#define STAS_TEST_HOST_ID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define STAS_TEST_HOST_NQN "nqn.2014-08.org.nvmexpress:uuid:" STAS_TEST_HOST_ID

/* Writes @text to @path (its directory created). */
void stas_test_write_file (const char *path, const char *text);
/* The host identity of the test root: STAS_TEST_HOST_NQN and STAS_TEST_HOST_ID. */
void stas_test_write_host_identity (void);

/* ---- the main loop ---------------------------------------------------------------------- */

/* Runs the default main context until @cond holds (bounded, 10 s: the assertion after it
 * tells). */
#define STAS_TEST_WAIT_FOR(cond)                                                                   \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gint64 _end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;                                   \
    while (!(cond) && g_get_monotonic_time () < _end)                                              \
      g_main_context_iteration (NULL, FALSE);                                                      \
    g_assert_true (cond);                                                                          \
  }                                                                                                \
  G_STMT_END

/* Runs the default main context for @ms (for "nothing happens" checks). */
void stas_test_run_for (guint ms);

/* Runs the default main context until @cond (@data) holds; fails after 5 s. */
void stas_test_wait_until (gboolean (*cond) (gpointer data), gpointer data);
/* Dispatches what is ready, without blocking. */
void stas_test_flush (void);

/* ---- controller tests: the fake fabrics, a kernel table, the log captured --------------- */

typedef struct
{
  StasFakeFabrics *fake; /* (owned) */
  StasFabrics *fabrics;  /* the same object */
  StasKernel *kernel;    /* (owned) */
  GPtrArray *logs;       /* "<level> <text>" */
} StasTestWorld;

/* Controller timers scaled by @time_scale, the log captured (debug messages with @debug),
 * empty fake fabrics: add the targets, then stas_test_world_start(). */
void stas_test_world_init (StasTestWorld *world, double time_scale, gboolean debug);
/* The kernel table, started. */
void stas_test_world_start (StasTestWorld *world);
/* Asserts that nothing is pending and [ARCH-4] every handle was freed, then finalizes the
 * kernel table and the fake fabrics. */
void stas_test_world_clear (StasTestWorld *world);
/* A TCP TID of a @kind daemon with the test host identity (@trsvcid, @nqn may be NULL). */
StasTid *
stas_test_tid (StasDaemonKind kind, const char *traddr, const char *trsvcid, const char *nqn);
/* Conditions of stas_test_wait_until() on a StasController. */
gboolean stas_test_is_connected (gpointer controller);
/* Messages logged at @level containing @text. */
guint stas_test_world_count_logs (StasTestWorld *world, StasLogLevel level, const char *text);

/* ---- D-Bus (a private bus) -------------------------------------------------------------- */

/* A private dbus-daemon of our own (GLib 2.74's GTestDBus now and then never reads the
 * daemon's address when the test runs under ctest, and the test hangs in g_test_dbus_up()). */
typedef struct _StasTestBus StasTestBus;
/* Starts a dbus-daemon (session-type policy, a socket in /tmp) and waits for its address. */
StasTestBus *stas_test_bus_new (void);
const char *stas_test_bus_get_address (StasTestBus *bus);
/* Stops the daemon (SIGTERM) and waits for it; NULL is ignored. */
void stas_test_bus_free (StasTestBus *bus);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasTestBus, stas_test_bus_free)

/* A private bus and two message-bus connections to it (a service's, a client's). */
void stas_test_bus_up (StasTestBus **bus, GDBusConnection **server, GDBusConnection **client);
/* Closes and releases what stas_test_bus_up() made. */
void stas_test_bus_down (StasTestBus **bus, GDBusConnection **server, GDBusConnection **client);
/* A message-bus connection to @bus. */
GDBusConnection *stas_test_bus_connection (StasTestBus *bus);
/* @method of @path on @server's unique name, called from @client. The service answers on
 * this thread's main context: the call is asynchronous and the context is spun until the
 * reply (or @timeout_ms). Returns it, or NULL with @error (@error NULL: asserts the call
 * succeeded). */
GVariant *stas_test_call_full (GDBusConnection *client,
                               GDBusConnection *server,
                               const char *path,
                               const char *iface,
                               const char *method,
                               GVariant *params,
                               const char *reply_type,
                               int timeout_ms,
                               GError **error);
/* stas_test_call_full() with a timeout of 5 s. */
#define stas_test_call(client, server, path, iface, method, params, reply_type, error)             \
  stas_test_call_full ((client), (server), (path), (iface), (method), (params), (reply_type),      \
                       5000, (error))

/* A daemon's service object up to its activation: start (@conf), startup, the soak timer
 * scaled by 0.01, exported on @server. */
void stas_test_service_start (StasService *service,
                              const char *conf,
                              StasSoak *soak,
                              GDBusConnection *server);
/* SIGTERM: shuts *@service down (waiting for it), unexports and releases it. */
void stas_test_service_stop (StasService **service);

G_END_DECLS
