/* test-avahi-stop.c — StasAvahi's real Avahi client (on a private bus playing the system bus,
 * no avahi-daemon: the client waits in CONNECTING) stopped by a main-loop source that is
 * dispatched in the same iteration as, and before, the client's ready D-Bus fd — what stafd's
 * SIGTERM handler does when a bus peer comes or goes at that moment ([SIG-1] [ZC-1]).
 * avahi-glib then still dispatched the freed watch (dbus_watch_handle() on freed memory: an
 * invalid read for memcheck, an abort in libdbus at times); StasAvahi now frees the poll
 * with its client. The failure is a memory error: this test fails under `make
 * check-valgrind` without the fix. */
#include "config.h"

#include <dirent.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <gio/gio.h>

#include "stas-avahi.h"
#include "test-util.h"

typedef struct
{
  GSource source;
  gboolean armed;
  StasAvahi *avahi;
  gboolean stopped;
} Trigger;

static gboolean
trigger_prepare (GSource *source, gint *timeout)
{
  *timeout = -1;
  return ((Trigger *) source)->armed;
}

static gboolean
trigger_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  Trigger *t = (Trigger *) source;

  t->armed = FALSE;
  stas_avahi_stop (t->avahi); /* like stafd's SIGTERM handler */
  t->stopped = TRUE;
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs trigger_funcs = { trigger_prepare, NULL, trigger_dispatch, NULL, NULL, NULL };

/* The open sockets of this process. */
static GHashTable *
sockets (void)
{
  GHashTable *set = g_hash_table_new (NULL, NULL);
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *d;

  g_assert_nonnull (dir);
  while ((d = readdir (dir)) != NULL)
    {
      struct stat st;
      int fd = atoi (d->d_name);

      if (d->d_name[0] != '.' && fd != dirfd (dir) && fstat (fd, &st) == 0 && S_ISSOCK (st.st_mode))
        g_hash_table_add (set, GINT_TO_POINTER (fd));
    }
  closedir (dir);
  return set;
}

static void
test_stop_while_ready (void)
{
  g_autoptr (StasTestBus) bus = stas_test_bus_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) peer = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GHashTable) before = NULL;
  g_autoptr (GHashTable) after = NULL;
  g_autoptr (StasAvahi) avahi = NULL;
  GHashTableIter iter;
  gpointer key;
  int client_fd = -1;
  struct pollfd pfd;
  Trigger *trigger;

  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", stas_test_bus_get_address (bus), TRUE);

  /* attached first: among the ready sources of one priority it is dispatched first */
  trigger = (Trigger *) g_source_new (&trigger_funcs, sizeof (Trigger));
  g_source_attach (&trigger->source, NULL);

  before = sockets ();
  avahi = stas_avahi_new (NULL, TRUE, FALSE);
  trigger->avahi = avahi;
  stas_avahi_set_enabled (avahi, TRUE);
  stas_avahi_start (avahi);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  /* the Avahi client's bus connection: the one socket it opened */
  after = sockets ();
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (before, key))
      {
        g_assert_cmpint (client_fd, ==, -1);
        client_fd = GPOINTER_TO_INT (key);
      }
  g_assert_cmpint (client_fd, >=, 0);

  /* a peer comes: the bus sends NameOwnerChanged, which the client subscribed to */
  peer = g_dbus_connection_new_for_address_sync (stas_test_bus_get_address (bus),
                                                 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                 NULL, NULL, &error);
  g_assert_no_error (error);
  pfd = (struct pollfd){ .fd = client_fd, .events = POLLIN };
  g_assert_cmpint (poll (&pfd, 1, 60000), ==, 1); /* generous: only a limit */
  g_assert_true (pfd.revents & POLLIN);

  /* one iteration: the trigger stops the client, then Avahi's ready source would run */
  trigger->armed = TRUE;
  g_main_context_iteration (NULL, FALSE);
  g_assert_true (trigger->stopped);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_source_destroy (&trigger->source);
  g_source_unref (&trigger->source);
  g_dbus_connection_close_sync (peer, NULL, NULL);
  g_clear_object (&avahi);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/avahi/stop-while-ready", test_stop_while_ready);
  return g_test_run ();
}
