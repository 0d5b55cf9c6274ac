/* fuzz-common.c — see fuzz-common.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "stas-log.h"

const StasTidDefaults fuzz_stafd_defaults = {
  .kind = STAS_DAEMON_STAFD,
  .host_nqn = FUZZ_HOST_NQN,
  .host_id = FUZZ_HOST_ID,
};

const StasTidDefaults fuzz_stacd_defaults = {
  .kind = STAS_DAEMON_STACD,
  .host_nqn = FUZZ_HOST_NQN,
  .host_id = FUZZ_HOST_ID,
};

static void
swallow (StasLogLevel level, const char *text, gpointer user_data)
{
}

/* GLib criticals and warnings abort(): libFuzzer catches SIGABRT (not the SIGTRAP of
 * G_DEBUG=fatal-criticals) and saves the input. */
static void
fatal_glib_message (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  g_log_default_handler (domain, level, message, data);
  if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) != 0)
    abort ();
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  stas_log_set_handler (swallow, NULL);
  stas_log_set_debug (TRUE); /* build every DEBUG message too */
  g_log_set_default_handler (fatal_glib_message, NULL);
  return 0;
}

void
fuzz_reader_init (FuzzReader *r, const uint8_t *data, size_t size)
{
  r->data = data;
  r->size = size;
  r->pos = 0;
}

static guint64
read_le (FuzzReader *r, guint n)
{
  guint64 v = 0;

  for (guint i = 0; i < n; i++)
    {
      guint64 b = r->pos < r->size ? r->data[r->pos++] : 0;
      v |= b << (8 * i);
    }
  return v;
}

guint8
fuzz_read_u8 (FuzzReader *r)
{
  return (guint8) read_le (r, 1);
}

guint16
fuzz_read_u16 (FuzzReader *r)
{
  return (guint16) read_le (r, 2);
}

guint32
fuzz_read_u32 (FuzzReader *r)
{
  return (guint32) read_le (r, 4);
}

guint64
fuzz_read_u64 (FuzzReader *r)
{
  return read_le (r, 8);
}

char *
fuzz_read_string (FuzzReader *r)
{
  const uint8_t *start = r->data + r->pos;
  size_t left = r->size - r->pos;
  const uint8_t *nul = left > 0 ? memchr (start, '\0', left) : NULL;
  size_t len = nul != NULL ? (size_t) (nul - start) : left;

  r->pos += nul != NULL ? len + 1 : len;
  return g_strndup ((const char *) start, len);
}

char *
fuzz_read_utf8 (FuzzReader *r)
{
  g_autofree char *raw = fuzz_read_string (r);

  return g_utf8_make_valid (raw, -1);
}

char **
fuzz_split (const uint8_t *data, size_t size, guint max)
{
  GPtrArray *parts = g_ptr_array_new ();
  FuzzReader r;

  fuzz_reader_init (&r, data, size);
  while (r.pos < r.size && parts->len < max)
    g_ptr_array_add (parts, fuzz_read_string (&r));
  g_ptr_array_add (parts, NULL);
  return (char **) g_ptr_array_free (parts, FALSE);
}

static char *tmpdir;

static void
remove_tmpdir (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);

  if (system (cmd) != 0)
    g_printerr ("fuzz: could not remove %s\n", tmpdir);
}

const char *
fuzz_tmpdir (void)
{
  if (tmpdir == NULL)
    {
      g_autoptr (GError) error = NULL;

      tmpdir = g_dir_make_tmp ("stas-fuzz-XXXXXX", &error);
      g_assert_no_error (error);
      atexit (remove_tmpdir);
    }
  return tmpdir;
}

void
fuzz_write_file (const char *path, const void *data, gsize len)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const char *p = data;

  g_assert_cmpint (fd, >=, 0);
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      p += n;
      len -= (gsize) n;
    }
  g_assert_cmpint (close (fd), ==, 0);
}

void
fuzz_exercise_config (const StasConfig *config)
{
  GPtrArray *ctrls = stas_config_get_controllers (config);
  GPtrArray *excls = stas_config_get_excludes (config);
  StasConnParams params;
  StasTrtypes trtypes;

  (void) stas_config_get_kind (config);
  (void) stas_config_get_path (config);
  (void) stas_config_get_tron (config);
  (void) stas_config_get_hdr_digest (config);
  (void) stas_config_get_data_digest (config);
  (void) stas_config_get_kato (config);
  (void) stas_config_get_queue_size (config);
  (void) stas_config_get_nr_io_queues (config);
  (void) stas_config_get_nr_write_queues (config);
  (void) stas_config_get_nr_poll_queues (config);
  (void) stas_config_get_reconnect_delay (config);
  (void) stas_config_get_ctrl_loss_tmo (config);
  (void) stas_config_get_disable_sqflow (config);
  (void) stas_config_get_ignore_iface (config);
  (void) stas_ip_family_to_string (stas_config_get_ip_family (config));
  (void) stas_config_ip_family_allowed (config, 4);
  (void) stas_config_ip_family_allowed (config, 6);
  (void) stas_config_get_pleo (config);
  (void) stas_config_get_zeroconf (config);
  (void) stas_config_get_persistent_connections (config);
  (void) stas_config_get_zeroconf_persistence (config);
  (void) stas_disconnect_scope_to_string (stas_config_get_disconnect_scope (config));
  trtypes = stas_config_get_disconnect_trtypes (config);
  g_assert_cmpuint (trtypes & ~(guint) (STAS_TRTYPE_TCP | STAS_TRTYPE_RDMA | STAS_TRTYPE_FC), ==,
                    0);
  (void) stas_config_transport_in_disconnect_trtypes (config, "tcp");
  (void) stas_config_get_connect_attempts_on_ncc (config);
  (void) stas_config_has_invalid_controllers (config);

  stas_config_get_conn_params (config, NULL, &params);
  for (guint i = 0; i < ctrls->len; i++)
    {
      const StasConfigController *c = g_ptr_array_index (ctrls, i);
      g_autofree char *text = stas_config_controller_to_string (c);
      g_autoptr (StasTid) tid = NULL;
      const StasTidDefaults *defaults = stas_config_get_kind (config) == STAS_DAEMON_STAFD
                                            ? &fuzz_stafd_defaults
                                            : &fuzz_stacd_defaults;
      StasTidFields fields = {
        .transport = c->transport,
        .traddr = c->traddr,
        .trsvcid = c->trsvcid,
        .subsysnqn = c->subsysnqn,
        .host_traddr = c->host_traddr,
        .host_iface = c->host_iface,
        .host_nqn = c->host_nqn,
        .host_id = c->host_id,
      };

      /* the documented invariants of a valid entry */
      g_assert_nonnull (c->transport);
      g_assert_nonnull (c->subsysnqn);
      g_assert_true (g_utf8_validate (text, -1, NULL));
      stas_config_get_conn_params (config, c, &params);
      for (guint j = 0; c->params != NULL && j < c->params->len; j++)
        {
          const StasConfigParam *p = g_ptr_array_index (c->params, j);
          g_autofree char *value = stas_config_param_to_string (p);

          g_assert_true (g_utf8_validate (value, -1, NULL));
          g_assert_true (stas_config_controller_get_param (c, p->key) != NULL);
        }
      /* host names are resolved by the daemon first; IP literals make a TID here */
      tid = stas_tid_new (defaults, &fields, NULL);
      if (tid != NULL)
        {
          g_autoptr (GVariant) v = g_variant_ref_sink (stas_tid_to_variant (tid));
          g_autoptr (StasTid) back = stas_tid_from_variant (v, defaults, NULL);

          g_assert_nonnull (back);
          g_assert_true (stas_tid_equal (tid, back));
          (void) stas_config_is_excluded (config, stas_tid_get_transport (tid),
                                          stas_tid_get_traddr (tid), stas_tid_get_trsvcid (tid),
                                          stas_tid_get_subsysnqn (tid),
                                          stas_tid_get_host_iface (tid),
                                          stas_tid_get_host_nqn (tid), stas_tid_get_host_id (tid));
        }
      (void) stas_config_find_exclude (config, c->transport, c->traddr, c->trsvcid, c->subsysnqn,
                                       c->host_iface, c->host_nqn, c->host_id);
    }
  for (guint i = 0; i < excls->len; i++)
    {
      const StasConfigExclude *e = g_ptr_array_index (excls, i);
      g_autofree char *text = stas_config_exclude_to_string (e);

      g_assert_true (g_utf8_validate (text, -1, NULL));
      (void) stas_config_find_exclude (config, e->transport, e->traddr, e->trsvcid, e->subsysnqn,
                                       e->host_iface, e->host_nqn, e->host_id);
    }
}
