/* bench-stac-reconcile.c — stacd's reconciliation at scale (DESIGN.md §4, bench level): the
 * real StasStac in-process on a GTestDBus bus with the fake fabrics, and a stand-in stafd
 * (a second connection owning org.nvmexpress.staf) whose get_all_log_pages(true) lists N
 * I/O controllers. Prints figures; asserts nothing.
 *
 *   initial       start → every IOC connected (fake connects complete at once)
 *   pass          stafd reply received → reconciliation pass finished: parse the JSON,
 *                 derive the TIDs, compare with N objects (what stacd adds to the AEN path)
 *   longest block how long a high-priority callback waited for the main loop at most (a
 *                 probe thread asks every millisecond) [NFR-3]
 *   RSS           /proc/self/status
 *
 * Usage: bench-stac-reconcile [--iocs N] [--dcs D] [--iterations K] */
#include "config.h"

#include <malloc.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "fake-fabrics.h"
#include "stas-idl.h"
#include "stas-log.h"
#include "stas-paths.h"
#include "stas-stac-private.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOSTID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define DISC "nqn.2014-08.org.nvmexpress.discovery"
#define WAIT_S 600
#define IOC_TRADDR "10.0.0.1"
#define SETTLE_MS 2500

static int opt_iocs = 1000;
static int opt_dcs = 1;
static int opt_iterations = 20;

typedef struct
{
  GTestDBus *bus;
  GDBusConnection *staf; /* the stand-in stafd */
  GDBusConnection *stac;
  GDBusNodeInfo *node;
  guint object;
  StasFakeFabrics *fake;
  StasService *service;
  char *conf;
  char *reply;      /* the JSON stafd answers */
  gint64 t_replied; /* when the last reply was queued */
  guint n_calls;
  GMutex probe_lock;
  gint64 longest_block; /* (locked-by probe_lock) */
  gint probe_answered;  /* (atomic) */
  gint probe_stop;      /* (atomic) */
  guint warnings;
} Bench;

static void
write_file (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0 || !g_file_set_contents (path, text, -1, &error))
    g_error ("cannot write %s: %s", path, error != NULL ? error->message : g_strerror (errno));
}

static void
on_log (StasLogLevel level, const char *text, gpointer user_data)
{
  Bench *b = user_data;

  if (level <= STAS_LOG_WARNING)
    b->warnings++;
}

/* The reply: DC d lists the IOCs i with i % dcs == d; @skip (or -1) is left out. */
static char *
build_reply (int skip)
{
  GString *out = g_string_new ("[");

  for (int d = 0; d < opt_dcs; d++)
    {
      gboolean first = TRUE;

      g_string_append_printf (
          out,
          "%s{\"discovery-controller\": {\"traddr\": \"192.168.%d.%d\", \"trsvcid\": \"8009\", "
          "\"transport\": \"tcp\", \"subsysnqn\": \"" DISC "\", \"host-iface\": \"\", "
          "\"host-traddr\": \"\", \"host-nqn\": \"" HOSTNQN "\", \"host-id\": \"" HOSTID "\", "
          "\"device\": \"nvme%d\", \"log pages state\": \"current\", \"log pages dropped\": "
          "\"0\"}, "
          "\"log-pages\": [",
          d > 0 ? ", " : "", d / 250, 1 + d % 250, d);
      for (int i = d; i < opt_iocs; i += opt_dcs)
        {
          if (i == skip)
            continue;
          g_string_append_printf (
              out,
              "%s{\"trtype\": \"tcp\", \"adrfam\": \"ipv4\", \"traddr\": \"" IOC_TRADDR
              "\", \"trsvcid\": \"4420\", \"subnqn\": \"nqn.2023-01.com.example:bench%d\", "
              "\"subtype\": \"nvme\", \"treq\": \"not specified\", \"portid\": \"1\", "
              "\"cntlid\": \"65535\", \"asqsz\": \"32\", \"eflags\": \"0\"}",
              first ? "" : ", ", i);
          first = FALSE;
        }
      g_string_append (out, "]}");
    }
  g_string_append (out, "]");
  return g_string_free (out, FALSE);
}

static void
staf_method_call (GDBusConnection *connection,
                  const char *sender,
                  const char *path,
                  const char *iface,
                  const char *method,
                  GVariant *params,
                  GDBusMethodInvocation *invocation,
                  gpointer user_data)
{
  Bench *b = user_data;

  if (g_strcmp0 (method, "get_all_log_pages") != 0)
    {
      g_dbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.DBus.Error.Failed",
                                                  "not in this stand-in");
      return;
    }
  b->n_calls++;
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", b->reply));
  b->t_replied = g_get_monotonic_time ();
}

static const GDBusInterfaceVTable staf_vtable = { .method_call = staf_method_call };

/* The probe: a thread that, every millisecond, asks the main loop to run a high-priority
 * callback and measures how long that takes — what any new event (a uevent, a D-Bus call)
 * would wait [NFR-3]. */
static gboolean
on_probe (gpointer user_data)
{
  Bench *b = user_data;

  g_atomic_int_set (&b->probe_answered, 1);
  return G_SOURCE_REMOVE;
}

static gpointer
probe_thread (gpointer user_data)
{
  Bench *b = user_data;

  while (!g_atomic_int_get (&b->probe_stop))
    {
      gint64 t0 = g_get_monotonic_time (), wait;

      g_atomic_int_set (&b->probe_answered, 0);
      g_main_context_invoke_full (NULL, G_PRIORITY_HIGH, on_probe, b, NULL);
      while (!g_atomic_int_get (&b->probe_answered) && !g_atomic_int_get (&b->probe_stop))
        g_usleep (100);
      wait = g_get_monotonic_time () - t0;
      g_mutex_lock (&b->probe_lock);
      if (wait > b->longest_block)
        b->longest_block = wait;
      g_mutex_unlock (&b->probe_lock);
      g_usleep (1000);
    }
  return NULL;
}

static gint64
take_longest_block (Bench *b)
{
  gint64 v;

  g_mutex_lock (&b->probe_lock);
  v = b->longest_block;
  b->longest_block = 0;
  g_mutex_unlock (&b->probe_lock);
  return v;
}

static guint
n_connected (Bench *b)
{
  GPtrArray *entries = stas_stac_get_entries (STAS_STAC (b->service));
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    if (stas_controller_get_state (STAS_CONTROLLER (
            ((StacEntry *) g_ptr_array_index (entries, i))->ioc)) == STAS_CONTROLLER_CONNECTED)
      n++;
  return n;
}

static gint64
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *p;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL) &&
      (p = strstr (status, "VmRSS:")) != NULL)
    return g_ascii_strtoll (p + 6, NULL, 10);
  return 0;
}

static int
cmp_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* One pass triggered by log_pages_changed with @reply; its time from the reply to the end
 * of the pass, in µs. */
static gint64
timed_pass (Bench *b, char *reply)
{
  StasSoak *soak = stas_stac_get_soak (STAS_STAC (b->service));
  guint calls = b->n_calls;
  g_autoptr (GError) error = NULL;

  g_free (b->reply);
  b->reply = reply;
  g_dbus_connection_emit_signal (
      b->staf, NULL, STAS_STAFD_OBJECT_PATH, "org.nvmexpress.staf", "log_pages_changed",
      g_variant_new ("(ssssssss)", "tcp", "192.168.0.1", "8009", DISC, "", "", HOSTNQN, "nvme0"),
      &error);
  while (b->n_calls == calls)
    g_main_context_iteration (NULL, TRUE);
  while (stas_soak_is_running (soak))
    g_main_context_iteration (NULL, TRUE);
  return g_get_monotonic_time () - b->t_replied;
}

static void
print_stats (const char *what, gint64 *us, int n)
{
  qsort (us, (size_t) n, sizeof *us, cmp_gint64);
  g_print ("  %-40s min %8.2f  med %8.2f  max %8.2f ms\n", what, us[0] / 1000.0, us[n / 2] / 1000.0,
           us[n - 1] / 1000.0);
}

static void
run (Bench *b)
{
  g_autofree gint64 *steady = g_new0 (gint64, opt_iterations);
  g_autofree gint64 *change = g_new0 (gint64, opt_iterations);
  g_autoptr (GError) error = NULL;
  gint64 t0, t_connected, rss_base, rss_connected, block_initial, block_passes;
  GThread *probe;
  guint connected;

  rss_base = rss_kib ();
  probe = g_thread_new ("probe", probe_thread, b);
  t0 = g_get_monotonic_time ();
  b->service = STAS_SERVICE (stas_stac_new (STAS_FABRICS (b->fake)));
  if (!stas_service_start (b->service, b->conf, TRUE, FALSE, &error) ||
      !stas_service_startup (b->service, &error))
    g_error ("%s", error->message);
  stas_soak_set_scale (stas_stac_get_soak (STAS_STAC (b->service)), 0.001);
  if (!stas_service_export (b->service, b->stac, &error))
    g_error ("%s", error->message);
  stas_service_activate (b->service);
  while (n_connected (b) < (guint) opt_iocs &&
         g_get_monotonic_time () - t0 < (gint64) WAIT_S * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  t_connected = g_get_monotonic_time ();
  connected = n_connected (b);
  /* settle: the kernel table re-reads every new device ADD_EVENT_SOAK (1 s) after its "add",
   * and the first state file is written 1 s after the first pass */
  while (g_get_monotonic_time () - t_connected < SETTLE_MS * 1000)
    g_main_context_iteration (NULL, TRUE);
  rss_connected = rss_kib ();
  block_initial = take_longest_block (b);

  for (int i = 0; i < opt_iterations; i++)
    steady[i] = timed_pass (b, build_reply (-1));
  for (int i = 0; i < opt_iterations; i++)
    {
      /* one IOC leaves the log page, then comes back: a disconnect and a connect per pair */
      change[i] = timed_pass (b, build_reply (i % 2 == 0 ? i : -1));
    }
  block_passes = take_longest_block (b);
  g_atomic_int_set (&b->probe_stop, 1);
  g_thread_join (probe);

  g_print ("stacd in-process, fake fabrics: %d I/O controllers from %d DC(s), %d passes each\n",
           opt_iocs, opt_dcs, opt_iterations);
  g_print ("  start to every IOC connected: %.1f ms (%u connected; soak scaled to 1.5 ms)\n",
           (t_connected - t0) / 1000.0, connected);
  g_print ("  reply size: %.2f MiB\n", strlen (b->reply) / 1048576.0);
  print_stats ("pass, nothing changed (reply -> done)", steady, opt_iterations);
  print_stats ("pass, one IOC removed/added (reply -> done)", change, opt_iterations);
  g_print ("  longest main-loop wait: %.2f ms during start-up (+%d ms settling), %.2f ms "
           "during the passes\n",
           block_initial / 1000.0, SETTLE_MS, block_passes / 1000.0);
  g_print ("  RSS: %.1f MiB before stacd, %.1f MiB with %d IOCs, %.1f MiB after the passes\n",
           rss_base / 1024.0, rss_connected / 1024.0, opt_iocs, rss_kib () / 1024.0);
  if (b->warnings > 0)
    g_print ("  stacd logged %u warnings/errors\n", b->warnings);
}

static void
on_shutdown (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *root = g_dir_make_tmp ("stas-bench-stac-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new ("- stacd reconciliation at scale");
  GOptionEntry entries[] = {
    { "iocs", 0, 0, G_OPTION_ARG_INT, &opt_iocs, "I/O controllers listed (1000)", "N" },
    { "dcs", 0, 0, G_OPTION_ARG_INT, &opt_dcs, "Discovery controllers listing them (1)", "D" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &opt_iterations, "Timed passes of each kind (20)",
      "K" },
    { NULL },
  };
  Bench b = { 0 };
  StasFakeTarget *t = NULL;
  gboolean done = FALSE;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_iocs < 1 || opt_iocs > 60000 ||
      opt_dcs < 1 || opt_dcs > 1000 || opt_iterations < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "invalid option value");
      return 2;
    }
  g_setenv ("STAS_TEST_ROOT", root, TRUE);
  g_unsetenv ("RUNTIME_DIRECTORY");
  g_mutex_init (&b.probe_lock);
  stas_log_set_handler (on_log, &b);
  {
    g_autofree char *hostnqn = stas_path_nvme_file ("hostnqn");
    g_autofree char *hostid = stas_path_nvme_file ("hostid");
    write_file (hostnqn, HOSTNQN "\n");
    write_file (hostid, HOSTID "\n");
  }
  b.conf = g_build_filename (stas_path_sysconfdir (), "stacd-bench.conf", NULL);
  write_file (b.conf, "");
  stas_controller_set_time_scale (0.001);
  b.fake = stas_fake_fabrics_new ();
  /* one port with every subsystem: the fake's target look-up is linear in the number of
   * targets, which would be measured instead of stacd */
  t = stas_fake_fabrics_add_target (b.fake, "tcp", IOC_TRADDR, "4420");
  for (int i = 0; i < opt_iocs; i++)
    {
      g_autofree char *nqn = g_strdup_printf ("nqn.2023-01.com.example:bench%d", i);
      stas_fake_fabrics_add_io_subsystem (b.fake, t, nqn, 1);
    }
  b.reply = build_reply (-1);

  b.bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (b.bus);
  b.staf =
      g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (b.bus),
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, &error);
  b.stac =
      g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (b.bus),
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, &error);
  if (b.staf == NULL || b.stac == NULL)
    g_error ("%s", error->message);
  b.node = g_dbus_node_info_new_for_xml (stas_idl_stafd, &error);
  b.object = g_dbus_connection_register_object (
      b.staf, STAS_STAFD_OBJECT_PATH,
      g_dbus_node_info_lookup_interface (b.node, "org.nvmexpress.staf"), &staf_vtable, &b, NULL,
      &error);
  if (b.object == 0)
    g_error ("%s", error->message);
  g_bus_own_name_on_connection (b.staf, STAS_STAFD_BUS_NAME, G_BUS_NAME_OWNER_FLAGS_NONE, NULL,
                                NULL, NULL, NULL);

  run (&b);

  stas_service_shutdown_async (b.service, on_shutdown, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  stas_service_unexport (b.service);
  g_clear_object (&b.service);
  g_dbus_connection_unregister_object (b.staf, b.object);
  g_dbus_connection_close_sync (b.staf, NULL, NULL);
  g_dbus_connection_close_sync (b.stac, NULL, NULL);
  g_clear_object (&b.staf);
  g_clear_object (&b.stac);
  g_test_dbus_down (b.bus);
  g_clear_object (&b.bus);
  g_dbus_node_info_unref (b.node);
  g_clear_object (&b.fake);
  g_free (b.reply);
  g_free (b.conf);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
    (void) !system (cmd);
  }
  return 0;
}
