/* bench-staf-dbus.c — stafd's replies at scale (DESIGN.md §4, bench level): the real
 * StasStaf in-process on a private bus with the fake fabrics, N discovery controllers
 * of M log page entries each. Once every DLP is current, times the org.nvmexpress.staf
 * members called from a second connection on the same bus, and prints figures. It never
 * fails on a figure: a benchmark, not a test.
 *
 *   round trip   client call → reply decoded on the client (main loop spinning)
 *   daemon       call read by the server's GDBus worker → reply serialised and queued
 *                (a filter on the server connection)
 *   handler      the handle-* signal emitted → reply queued (an emission hook): the
 *                reply built from stafd's state, completed and serialised
 *
 * Usage: bench-staf-dbus [--dcs N] [--entries M] [--iterations K] */
#include "config.h"

#include <malloc.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "fake-fabrics.h"
#include "stas-dbus-generated.h"
#include "stas-log.h"
#include "stas-paths.h"
#include "stas-staf-private.h"
#include "stas-state.h"
#include "test-util.h"

#define DISC "nqn.2014-08.org.nvmexpress.discovery"
#define TRTYPE_TCP 3
#define ADRFAM_IPV4 1
#define SUBTYPE_NVME 2
#define TREQ_NOT_REQUIRED 2
#define STAF_PATH "/org/nvmexpress/staf"
#define STAF_IFACE "org.nvmexpress.staf"
#define SETTLE_MS 1500 /* > the state file's write debounce (1 s) */
#define WAIT_S 600

static int opt_dcs = 100;
static int opt_entries = 1024;
static int opt_iterations = 20;

/* Server-side timestamps of the call in flight (one at a time). */
typedef struct
{
  GMutex lock;
  guint32 serial;
  gint64 t_in;      /* read by the server's worker thread */
  gint64 t_handler; /* handle-* emitted (main thread) */
  gint64 t_out;     /* reply queued to the worker */
} ServerClock;

typedef struct
{
  StasTestBus *bus;
  GDBusConnection *server;
  GDBusConnection *client;
  StasFakeFabrics *fake;
  StasService *service;
  char *conf;
  ServerClock clock;
  guint warnings;
} Bench;

typedef struct
{
  gint64 rss_kib;
  gint64 hwm_kib;
  gint64 heap_bytes; /* malloc'ed and in use (arena + mmapped chunks) */
} Mem;

/* ---- set-up -------------------------------------------------------------------------- */

static char *
dc_traddr (guint i)
{
  return g_strdup_printf ("10.0.%u.%u", i / 200, i % 200 + 1);
}

static void
on_log (StasLogLevel level, const char *text, gpointer user_data)
{
  Bench *b = user_data;

  if (level <= STAS_LOG_WARNING)
    {
      if (b->warnings++ < 5)
        g_printerr ("  stafd: %s\n", text);
    }
}

/* DC i: a DDC at 10.0.x.y:8009 with @n_entries NVMe entries of distinct subsystems. */
static void
add_dc (Bench *b, guint i, guint n_entries)
{
  g_autofree char *traddr = dc_traddr (i);
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree StasDlpeSpec *specs = g_new0 (StasDlpeSpec, MAX (n_entries, 1));
  StasFakeTarget *t = stas_fake_fabrics_add_target (b->fake, "tcp", traddr, "8009");

  stas_fake_fabrics_add_discovery_subsystem (b->fake, t, DISC, STAS_FAKE_DCTYPE_DDC);
  for (guint j = 0; j < n_entries; j++)
    {
      char *subnqn = g_strdup_printf ("nqn.2023-01.com.example:dc%03u.subsys%04u", i, j);
      char *addr = g_strdup_printf ("172.16.%u.%u", j / 250, j % 250 + 1);

      g_ptr_array_add (texts, subnqn);
      g_ptr_array_add (texts, addr);
      specs[j] = (StasDlpeSpec){ .trtype = TRTYPE_TCP,
                                 .adrfam = ADRFAM_IPV4,
                                 .subtype = SUBTYPE_NVME,
                                 .treq = TREQ_NOT_REQUIRED,
                                 .portid = (guint16) (j % 8 + 1),
                                 .cntlid = 0xffff,
                                 .asqsz = 32,
                                 .trsvcid = "4420",
                                 .subnqn = subnqn,
                                 .traddr = addr };
    }
  stas_fake_fabrics_set_dlp (b->fake, t, specs, n_entries);
}

/* ---- server-side clock --------------------------------------------------------------- */

static GDBusMessage *
server_filter (GDBusConnection *connection,
               GDBusMessage *message,
               gboolean incoming,
               gpointer user_data)
{
  ServerClock *clock = user_data;
  GDBusMessageType type = g_dbus_message_get_message_type (message);
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&clock->lock);
  if (incoming && type == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
      g_strcmp0 (g_dbus_message_get_path (message), STAF_PATH) == 0)
    {
      clock->serial = g_dbus_message_get_serial (message);
      clock->t_in = now;
      clock->t_handler = clock->t_out = 0;
    }
  else if (!incoming &&
           (type == G_DBUS_MESSAGE_TYPE_METHOD_RETURN || type == G_DBUS_MESSAGE_TYPE_ERROR) &&
           g_dbus_message_get_reply_serial (message) == clock->serial)
    clock->t_out = now;
  g_mutex_unlock (&clock->lock);
  return message;
}

static gboolean
on_handle_emitted (GSignalInvocationHint *hint,
                   guint n_params,
                   const GValue *params,
                   gpointer user_data)
{
  ServerClock *clock = user_data;

  g_mutex_lock (&clock->lock);
  clock->t_handler = g_get_monotonic_time ();
  g_mutex_unlock (&clock->lock);
  return TRUE; /* stay installed */
}

static void
hook_handlers (Bench *b)
{
  static const char *const signals[] = { "handle-list-controllers", "handle-get-log-pages",
                                         "handle-get-all-log-pages" };
  gpointer iface = g_type_default_interface_ref (STAS_DBUS_TYPE_STAF);

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    g_signal_add_emission_hook (g_signal_lookup (signals[i], STAS_DBUS_TYPE_STAF), 0,
                                on_handle_emitted, &b->clock, NULL);
  g_type_default_interface_unref (iface);
}

/* ---- the service ------------------------------------------------------------------- */

static void
start_service (Bench *b)
{
  b->service = STAS_SERVICE (stas_staf_new (STAS_FABRICS (b->fake)));
  stas_test_service_start (b->service, b->conf, stas_staf_get_soak (STAS_STAF (b->service)),
                           b->server);
  stas_service_activate (b->service);
}

static gboolean
all_current (Bench *b)
{
  GPtrArray *entries = stas_staf_get_entries (STAS_STAF (b->service));

  if (entries->len != (guint) opt_dcs)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    {
      StafEntry *entry = g_ptr_array_index (entries, i);
      const GArray *pages = stas_dc_get_log_pages (entry->dc);

      if (stas_dc_get_log_pages_state (entry->dc) != STAS_DLP_STATE_CURRENT || pages == NULL ||
          pages->len != (guint) opt_entries)
        return FALSE;
    }
  return TRUE;
}

/* ---- figures ------------------------------------------------------------------------- */

static Mem
mem_now (void)
{
  Mem m = { 0 };
  g_autofree char *status = NULL;
  struct mallinfo2 mi = mallinfo2 ();

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    {
      const char *p;

      if ((p = strstr (status, "VmRSS:")) != NULL)
        m.rss_kib = g_ascii_strtoll (p + 6, NULL, 10);
      if ((p = strstr (status, "VmHWM:")) != NULL)
        m.hwm_kib = g_ascii_strtoll (p + 6, NULL, 10);
    }
  m.heap_bytes = (gint64) (mi.uordblks + mi.hblkhd);
  return m;
}

static void
print_mem (const char *what, const Mem *m)
{
  g_print ("  %-34s RSS %7.1f MiB  peak RSS %7.1f MiB  heap in use %7.1f MiB\n", what,
           m->rss_kib / 1024.0, m->hwm_kib / 1024.0, m->heap_bytes / 1048576.0);
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* "min / median / max" of @v (sorted in place). */
static char *
stats (double *v, guint n)
{
  if (n == 0)
    return g_strdup ("-");
  qsort (v, n, sizeof *v, cmp_double);
  return g_strdup_printf ("%7.2f %7.2f %7.2f", v[0],
                          n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[n - 1]);
}

/* ---- calls --------------------------------------------------------------------------- */

/* One call; *@rt_ms etc. receive the times. NULL (and a message) on error. */
static GVariant *
timed_call (Bench *b,
            const char *method,
            GVariant *params,
            const char *type,
            double *rt_ms,
            double *daemon_ms,
            double *handler_ms)
{
  g_autoptr (GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  GVariant *reply = stas_test_call_full (b->client, b->server, STAF_PATH, STAF_IFACE, method,
                                         params, type, WAIT_S * 1000, &error);

  *rt_ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_mutex_lock (&b->clock.lock);
  *daemon_ms = (b->clock.t_out - b->clock.t_in) / 1000.0;
  *handler_ms = (b->clock.t_out - b->clock.t_handler) / 1000.0;
  g_mutex_unlock (&b->clock.lock);
  if (error != NULL)
    g_print ("  %s: ERROR %s\n", method, error->message);
  return reply;
}

/* Entries in the reply: aa{ss} children, or "subnqn" keys of the JSON text. */
static guint
count_entries (GVariant *reply)
{
  g_autoptr (GVariant) child = g_variant_get_child_value (reply, 0);
  guint n = 0;

  if (!g_variant_is_of_type (child, G_VARIANT_TYPE_STRING))
    return (guint) g_variant_n_children (child);
  for (const char *p = g_variant_get_string (child, NULL); (p = strstr (p, "\"subnqn\"")) != NULL;
       p++)
    n++;
  return n;
}

static void
bench_call (Bench *b, const char *label, const char *method, GVariant *params, const char *type)
{
  g_autofree double *rt = g_new0 (double, opt_iterations);
  g_autofree double *dm = g_new0 (double, opt_iterations);
  g_autofree double *hd = g_new0 (double, opt_iterations);
  g_autofree char *s_rt = NULL, *s_dm = NULL, *s_hd = NULL;
  gsize size = 0;
  guint entries = 0;
  double unused[3];

  g_variant_ref_sink (params);
  /* warm-up, and the size of the reply */
  {
    g_autoptr (GVariant) reply =
        timed_call (b, method, params, type, &unused[0], &unused[1], &unused[2]);
    if (reply == NULL)
      {
        g_variant_unref (params);
        return;
      }
    size = g_variant_get_size (reply);
    entries = count_entries (reply);
  }
  for (int i = 0; i < opt_iterations; i++)
    {
      g_autoptr (GVariant) reply = timed_call (b, method, params, type, &rt[i], &dm[i], &hd[i]);
    }
  g_variant_unref (params);
  s_rt = stats (rt, opt_iterations);
  s_dm = stats (dm, opt_iterations);
  s_hd = stats (hd, opt_iterations);
  g_print ("  %-26s %7u %9.2f  %s   %s   %s\n", label, entries, size / 1048576.0, s_rt, s_dm, s_hd);
}

/* ---- main ---------------------------------------------------------------------------- */

static void
run (Bench *b)
{
  g_autofree char *dc50 = dc_traddr ((guint) opt_dcs / 2);
  g_autofree char *state_path = stas_state_path (STAS_DAEMON_STAFD);
  GStatBuf st;
  Mem base, settled, after, trimmed;
  gint64 t0, t_current;
  guint filter;

  filter = g_dbus_connection_add_filter (b->server, server_filter, &b->clock, NULL);
  base = mem_now ();
  t0 = g_get_monotonic_time ();
  start_service (b);
  hook_handlers (b);
  while (!all_current (b) && g_get_monotonic_time () - t0 < WAIT_S * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  t_current = g_get_monotonic_time ();
  if (!all_current (b))
    g_print ("  WARNING: not every DLP is current after %d s\n", WAIT_S);
  stas_test_run_for (SETTLE_MS);
  settled = mem_now ();

  g_print ("stafd in-process, fake fabrics: %d DCs x %d entries = %d entries, %d calls each\n",
           opt_dcs, opt_entries, opt_dcs * opt_entries, opt_iterations);
  g_print ("  start to every DLP current: %.1f ms (soak scaled to 15 ms)\n",
           (t_current - t0) / 1000.0);
  if (g_stat (state_path, &st) == 0)
    g_print ("  state file: %.1f MiB\n", st.st_size / 1048576.0);
  g_print ("  %-26s %7s %9s  %-23s   %-23s   %-23s\n", "call", "entries", "reply MiB",
           "round trip ms min/med/max", "daemon ms min/med/max", "handler ms min/med/max");
  bench_call (b, "get_all_log_pages(false)", "get_all_log_pages", g_variant_new ("(b)", FALSE),
              "(s)");
  bench_call (b, "get_all_log_pages(true)", "get_all_log_pages", g_variant_new ("(b)", TRUE),
              "(s)");
  bench_call (b, "list_controllers(false)", "list_controllers", g_variant_new ("(b)", FALSE),
              "(aa{ss})");
  bench_call (b, "list_controllers(true)", "list_controllers", g_variant_new ("(b)", TRUE),
              "(aa{ss})");
  bench_call (b, "get_log_pages(one DC)", "get_log_pages",
              g_variant_new ("(sssssss)", "tcp", dc50, "8009", DISC, "", "", ""), "(aa{ss})");
  after = mem_now ();
  malloc_trim (0); /* what of the RSS is freed memory that malloc keeps */
  trimmed = mem_now ();
  print_mem ("before stafd (bus + fake fabrics)", &base);
  print_mem ("settled (every DLP current)", &settled);
  print_mem ("after the calls", &after);
  print_mem ("after the calls + malloc_trim(0)", &trimmed);
  g_print ("  heap held by stafd's state: %.1f MiB (%.0f bytes per entry%s)\n",
           (settled.heap_bytes - base.heap_bytes) / 1048576.0,
           (double) (settled.heap_bytes - base.heap_bytes) / MAX (opt_dcs * opt_entries, 1),
           g_strcmp0 (g_getenv ("G_SLICE"), "always-malloc") == 0 ? ""
                                                                  : ", GSlice caches included");
  if (b->warnings > 0)
    g_print ("  stafd logged %u warnings/errors\n", b->warnings);
  g_dbus_connection_remove_filter (b->server, filter);
}

int
main (int argc, char **argv)
{
  g_autofree char *root = g_dir_make_tmp ("stas-bench-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new ("- stafd D-Bus replies at scale");
  g_autoptr (GString) conf = g_string_new ("[Controllers]\n");
  GOptionEntry entries[] = {
    { "dcs", 0, 0, G_OPTION_ARG_INT, &opt_dcs, "Discovery controllers (100)", "N" },
    { "entries", 0, 0, G_OPTION_ARG_INT, &opt_entries, "Log page entries per DC (1024)", "M" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &opt_iterations, "Timed calls of each member (20)",
      "K" },
    { NULL },
  };
  Bench b = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_dcs < 1 ||
      opt_dcs > 200 * 250 || opt_entries < 0 || opt_entries > 62500 || opt_iterations < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "invalid option value");
      return 2;
    }
  g_setenv ("STAS_TEST_ROOT", root, TRUE);
  g_mutex_init (&b.clock.lock);
  stas_log_set_handler (on_log, &b);

  stas_test_write_host_identity ();
  b.fake = stas_fake_fabrics_new ();
  for (int i = 0; i < opt_dcs; i++)
    {
      g_autofree char *traddr = dc_traddr ((guint) i);
      add_dc (&b, (guint) i, (guint) opt_entries);
      g_string_append_printf (conf, "controller = transport=tcp;traddr=%s;trsvcid=8009\n", traddr);
    }
  b.conf = g_build_filename (stas_path_sysconfdir (), "stafd-bench.conf", NULL);
  stas_test_write_file (b.conf, conf->str);

  stas_test_bus_up (&b.bus, &b.server, &b.client);

  run (&b);

  stas_test_service_stop (&b.service);
  stas_test_bus_down (&b.bus, &b.server, &b.client);
  g_clear_object (&b.fake);
  g_free (b.conf);
  g_mutex_clear (&b.clock.lock);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
    (void) !system (cmd);
  }
  return 0;
}
