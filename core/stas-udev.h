/* stas-udev.h — the nvme uevent monitor (spec/behaviour.md §2.1 [KT-1], §2.5 [KT-5]).
 *
 * A libudev monitor on the "udev" source, subsystem nvme, with a large receive buffer
 * (UDEV_RCVBUF, [ARCH-7]), dispatched by a GSource on the thread-default main context of
 * the creator and drained completely on every wake-up. All libudev calls happen on that
 * context's thread [ARCH-9]. */
#pragma once

#include <glib.h>

#include "stas-fabrics.h"

G_BEGIN_DECLS

#define STAS_UDEV_RCVBUF_MIN (8 * 1024 * 1024) /* less: WARNING */
#define STAS_UDEV_ERROR_LOG_THROTTLE_S 2

/* A handled event (add/remove/change of an "nvme<N>" device); the event is only valid
 * during the call. */
typedef void (*StasUdevEventFunc) (const StasUevent *event, gpointer user_data);
/* The kernel dropped events (ENOBUFS): called at most once per wake-up, after the events
 * received in that wake-up. The consumer counts, logs and resynchronises. */
typedef void (*StasUdevOverflowFunc) (gpointer user_data);

typedef struct _StasUdevMonitor StasUdevMonitor;

/* Creates the monitor, enlarges its receive buffer (WARNING `udev monitor receive buffer
 * is only <n> bytes` when the effective size is below 8 MiB), enables receiving and
 * attaches its source to the thread-default main context. Fails with G_IO_ERROR. */
StasUdevMonitor *stas_udev_monitor_new (StasUdevEventFunc event_func,
                                        StasUdevOverflowFunc overflow_func,
                                        gpointer user_data,
                                        GError **error);
/* Detaches the source and frees the monitor. NULL is ignored. */
void stas_udev_monitor_free (StasUdevMonitor *monitor);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StasUdevMonitor, stas_udev_monitor_free)

/* The effective receive buffer size (getsockopt SO_RCVBUF) in bytes. */
int stas_udev_monitor_get_rcvbuf (StasUdevMonitor *monitor);

/* ---- pure helpers ---------------------------------------------------------------------- */

/* Builds a StasUevent from an action and device name plus its properties (@props: (transfer
 * full) string → string, or NULL). NVME_AEN / NVME_EVENT are taken from @props. Returns
 * NULL (and frees @props) for actions other than add/remove/change and for names that are
 * not "nvme<N>". */
StasUevent *stas_uevent_new (const char *action, const char *name, GHashTable *props);

/* Parses an NVME_AEN value: hexadecimal with or without a 0x/0X prefix, surrounding
 * whitespace ignored, at most 32 bits ("0x70f002", "70f002"). FALSE if malformed. */
gboolean stas_nvme_aen_parse (const char *text, guint32 *value);

G_END_DECLS
