/* stas-udev.c — libudev nvme monitor as a GSource [KT-1] [ARCH-7] [ARCH-9]. */
#include "config.h"

#include "stas-udev.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <glib-unix.h>
#include <libudev.h>

#include "stas-log.h"
#include "stas-sysfs.h"

/* UDEV_RCVBUF, requested with SO_RCVBUFFORCE [ARCH-7]: the build setting STAS_UDEV_RCVBUF
 * (config.h, 128 MiB by default); the tests' stas-tinybuf defines it on the command line */
#ifndef STAS_UDEV_RCVBUF
#define STAS_UDEV_RCVBUF STAS_UDEV_RCVBUF_CONFIGURED
#endif

struct _StasUdevMonitor
{
  struct udev *udev;
  struct udev_monitor *monitor;
  GSource *source;
  StasUdevEventFunc event_func;
  StasUdevOverflowFunc overflow_func;
  gpointer user_data;
  /* receive errors other than overflow: DEBUG at most once per 2 s */
  gint64 last_error_log_us;
  guint errors_suppressed;
};

/* ---- pure helpers ----------------------------------------------------------------------- */

gboolean
stas_nvme_aen_parse (const char *text, guint32 *value)
{
  g_autofree char *t = NULL;
  const char *p;
  guint64 v = 0;

  if (text == NULL)
    return FALSE;
  t = g_strstrip (g_strdup (text));
  p = t;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    p += 2;
  if (*p == '\0')
    return FALSE;
  for (; *p != '\0'; p++)
    {
      int d = g_ascii_xdigit_value (*p);

      if (d < 0)
        return FALSE;
      v = (v << 4) | (guint64) d;
      if (v > G_MAXUINT32)
        return FALSE;
    }
  if (value != NULL)
    *value = (guint32) v;
  return TRUE;
}

StasUevent *
stas_uevent_new (const char *action, const char *name, GHashTable *props)
{
  StasUevent *event;
  StasUeventAction a;

  if (g_strcmp0 (action, "add") == 0)
    a = STAS_UEVENT_ADD;
  else if (g_strcmp0 (action, "remove") == 0)
    a = STAS_UEVENT_REMOVE;
  else if (g_strcmp0 (action, "change") == 0)
    a = STAS_UEVENT_CHANGE;
  else
    goto ignored; /* bind, unbind, move, online, offline, ... */
  if (stas_sysfs_ctrl_instance (name) < 0)
    goto ignored;

  event = g_new0 (StasUevent, 1);
  event->action = a;
  event->name = g_strdup (name);
  event->props = props;
  if (props != NULL)
    {
      event->nvme_aen = g_strdup (g_hash_table_lookup (props, "NVME_AEN"));
      event->nvme_event = g_strdup (g_hash_table_lookup (props, "NVME_EVENT"));
    }
  return event;

ignored:
  if (props != NULL)
    g_hash_table_unref (props);
  return NULL;
}

/* ---- the monitor -------------------------------------------------------------------------- */

static void
handle_device (StasUdevMonitor *self, struct udev_device *dev)
{
  GHashTable *props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  struct udev_list_entry *entry;
  g_autoptr (StasUevent) event = NULL;

  udev_list_entry_foreach (entry, udev_device_get_properties_list_entry (dev))
  {
    const char *value = udev_list_entry_get_value (entry);

    g_hash_table_replace (props, g_strdup (udev_list_entry_get_name (entry)),
                          g_strdup (value != NULL ? value : ""));
  }
  event = stas_uevent_new (udev_device_get_action (dev), udev_device_get_sysname (dev), props);
  if (event != NULL && self->event_func != NULL)
    self->event_func (event, self->user_data);
}

static void
log_receive_error (StasUdevMonitor *self, int errsv)
{
  gint64 now = g_get_monotonic_time ();

  if (self->last_error_log_us != 0 &&
      now - self->last_error_log_us < STAS_UDEV_ERROR_LOG_THROTTLE_S * G_USEC_PER_SEC)
    {
      self->errors_suppressed++;
      return;
    }
  if (self->errors_suppressed > 0)
    stas_debug ("udev monitor receive error: %s (%u similar messages suppressed)",
                g_strerror (errsv), self->errors_suppressed);
  else
    stas_debug ("udev monitor receive error: %s", g_strerror (errsv));
  self->last_error_log_us = now;
  self->errors_suppressed = 0;
}

/* Drains the socket completely [ARCH-7]. */
static gboolean
on_monitor_readable (int fd, GIOCondition condition, gpointer user_data)
{
  StasUdevMonitor *self = user_data;
  gboolean overflow = FALSE;
  guint errors = 0;

  for (;;)
    {
      struct udev_device *dev;
      int errsv;

      errno = 0;
      dev = udev_monitor_receive_device (self->monitor);
      if (dev != NULL)
        {
          handle_device (self, dev);
          udev_device_unref (dev);
          continue;
        }
      errsv = errno;
      if (errsv == 0 || errsv == EAGAIN || errsv == EWOULDBLOCK)
        break; /* empty */
      if (errsv == EINTR)
        continue;
      if (errsv == ENOBUFS)
        {
          overflow = TRUE; /* the error is reported once; the queue still holds events */
          continue;
        }
      log_receive_error (self, errsv);
      /* a message that cannot be parsed is consumed: go on, but never spin on a
       * persistent error (the source fires again while the socket is readable) */
      if (++errors >= 64)
        break;
    }
  if (overflow && self->overflow_func != NULL)
    self->overflow_func (self->user_data);
  return G_SOURCE_CONTINUE;
}

int
stas_udev_monitor_get_rcvbuf (StasUdevMonitor *self)
{
  int size = 0;
  socklen_t len = sizeof (size);

  if (getsockopt (udev_monitor_get_fd (self->monitor), SOL_SOCKET, SO_RCVBUF, &size, &len) < 0)
    return 0;
  return size;
}

StasUdevMonitor *
stas_udev_monitor_new (StasUdevEventFunc event_func,
                       StasUdevOverflowFunc overflow_func,
                       gpointer user_data,
                       GError **error)
{
  g_autoptr (StasUdevMonitor) self = g_new0 (StasUdevMonitor, 1);
  int r, rcvbuf;

  self->event_func = event_func;
  self->overflow_func = overflow_func;
  self->user_data = user_data;
  self->udev = udev_new ();
  if (self->udev == NULL)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "udev_new: %s",
                   g_strerror (errsv));
      return NULL;
    }
  self->monitor = udev_monitor_new_from_netlink (self->udev, "udev");
  if (self->monitor == NULL)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create the udev monitor: %s", g_strerror (errsv));
      return NULL;
    }
  r = udev_monitor_filter_add_match_subsystem_devtype (self->monitor, "nvme", NULL);
  if (r < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (-r),
                   "Cannot filter the udev monitor: %s", g_strerror (-r));
      return NULL;
    }
  /* SO_RCVBUFFORCE (root); then the effective size decides [ARCH-7] */
  r = udev_monitor_set_receive_buffer_size (self->monitor, STAS_UDEV_RCVBUF);
  if (r < 0)
    stas_debug ("udev monitor: cannot set the receive buffer size: %s", g_strerror (-r));
  r = udev_monitor_enable_receiving (self->monitor);
  if (r < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (-r),
                   "Cannot start the udev monitor: %s", g_strerror (-r));
      return NULL;
    }
  rcvbuf = stas_udev_monitor_get_rcvbuf (self);
  if (rcvbuf < STAS_UDEV_RCVBUF_MIN)
    stas_warning ("udev monitor receive buffer is only %d bytes", rcvbuf);

  self->source =
      g_unix_fd_source_new (udev_monitor_get_fd (self->monitor), G_IO_IN | G_IO_ERR | G_IO_HUP);
  g_source_set_callback (self->source, G_SOURCE_FUNC (on_monitor_readable), self, NULL);
  g_source_set_static_name (self->source, "[stas] udev monitor");
  g_source_attach (self->source, g_main_context_get_thread_default ());
  return g_steal_pointer (&self);
}

void
stas_udev_monitor_free (StasUdevMonitor *self)
{
  if (self == NULL)
    return;
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_source_unref (self->source);
    }
  if (self->monitor != NULL)
    udev_monitor_unref (self->monitor);
  if (self->udev != NULL)
    udev_unref (self->udev);
  g_free (self);
}
