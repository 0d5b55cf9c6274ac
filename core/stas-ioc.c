/* stas-ioc.c — StasIoc: an I/O controller connection of stacd (behaviour §3, §9 [NCC-1]). */
#include "config.h"

#include "stas-ioc.h"

#include <errno.h>

#include "stas-log.h"

struct _StasIoc
{
  StasController parent_instance;

  StasIocOrigin origin;
  GPtrArray *sources; /* (owned) StasTid */
  gboolean has_dlpe;
  StasDlpe dlpe;
  guint attempts_on_ncc;
  gboolean given_up;
  gboolean quick_adopt_tried; /* once per failure streak: never a tight adopt loop */
};

G_DEFINE_FINAL_TYPE (StasIoc, stas_ioc, STAS_TYPE_CONTROLLER)

const char *
stas_ioc_origin_to_string (StasIocOrigin origin)
{
  switch (origin)
    {
    case STAS_IOC_ORIGIN_DISCOVERED:
      return "discovered";
    case STAS_IOC_ORIGIN_EXTERNAL:
      return "external";
    case STAS_IOC_ORIGIN_CONFIGURED:
    default:
      return "configured";
    }
}

static const char *
tid_str (StasIoc *self)
{
  return stas_controller_get_tid_string (STAS_CONTROLLER (self));
}

/* ---- StasController vfuncs ------------------------------------------------------------ */

/* [NCC-1] */
static gboolean
stas_ioc_should_retry (StasController *ctl)
{
  StasIoc *self = STAS_IOC (ctl);
  guint attempts = stas_controller_get_connect_attempts (ctl);
  guint limit = stas_ioc_get_ncc (self) ? self->attempts_on_ncc : 0;

  if (limit == 0 || attempts < limit)
    return TRUE;
  if (!self->given_up)
    stas_info ("%s - Giving up after %u connect attempts while the NCC bit is set", tid_str (self),
               attempts);
  self->given_up = TRUE;
  return FALSE;
}

static void
stas_ioc_connected (StasController *ctl)
{
  STAS_IOC (ctl)->given_up = FALSE;
  STAS_IOC (ctl)->quick_adopt_tried = FALSE;
}

static void
stas_ioc_device_changed (StasController *ctl, const StasUevent *event)
{
  StasIoc *self = STAS_IOC (ctl);
  const char *text = event->nvme_aen;
  char *end = NULL;
  guint64 aen;

  if (text == NULL)
    return; /* NVME_EVENT=connected and the like: nothing to do for an IOC */
  errno = 0;
  aen = g_ascii_strtoull (text, &end, 16);
  if (text[0] == '\0' || !g_ascii_isxdigit (text[0]) || end == NULL || *end != '\0' || errno != 0 ||
      aen > G_MAXUINT32)
    {
      stas_debug ("Ignoring malformed NVME_AEN \"%s\"", text);
      return;
    }
  stas_info ("%s | %s - Received AEN: 0x%06" G_GINT64_MODIFIER "x", tid_str (self),
             stas_controller_get_device_or_unknown (ctl), aen);
}

/* spec/system.md §4.3: a connection made meanwhile by someone else (nvme-cli) makes the
 * kernel refuse ours as a duplicate; adopt it now rather than after the retry period. */
static void
on_connect_failed (StasIoc *self, guint attempts, const char *reason, gpointer user_data)
{
  StasController *ctl = STAS_CONTROLLER (self);

  if (stas_controller_get_state (ctl) != STAS_CONTROLLER_IDLE ||
      !stas_controller_is_confirmed (ctl) || self->quick_adopt_tried)
    return;
  if (stas_kernel_find_match (stas_controller_get_kernel (ctl), stas_controller_get_tid (ctl),
                              STAS_CTRL_CLASS_IOC) != NULL)
    {
      stas_debug ("%s - a matching connection appeared meanwhile: adopting it", tid_str (self));
      self->quick_adopt_tried = TRUE;
      stas_controller_connect_now (ctl, FALSE);
    }
}

/* ---- public ---------------------------------------------------------------------------- */

StasIoc *
stas_ioc_new (StasFabrics *fabrics,
              StasKernel *kernel,
              const StasConnectRequest *request,
              guint connect_attempts_on_ncc)
{
  StasIoc *self;

  g_return_val_if_fail (request != NULL && !request->discovery, NULL);
  self =
      g_object_new (STAS_TYPE_IOC, "fabrics", fabrics, "kernel", kernel, "request", request, NULL);
  self->attempts_on_ncc = connect_attempts_on_ncc;
  return self;
}

void
stas_ioc_set_connect_attempts_on_ncc (StasIoc *self, guint limit)
{
  g_return_if_fail (STAS_IS_IOC (self));
  self->attempts_on_ncc = limit;
}

guint
stas_ioc_get_connect_attempts_on_ncc (StasIoc *self)
{
  g_return_val_if_fail (STAS_IS_IOC (self), 0);
  return self->attempts_on_ncc;
}

void
stas_ioc_set_dlpe (StasIoc *self, const StasDlpe *dlpe)
{
  StasController *ctl;
  gboolean had_ncc;

  g_return_if_fail (STAS_IS_IOC (self));
  ctl = STAS_CONTROLLER (self);
  had_ncc = stas_ioc_get_ncc (self);
  self->has_dlpe = dlpe != NULL;
  if (dlpe != NULL)
    self->dlpe = *dlpe;
  else
    memset (&self->dlpe, 0, sizeof self->dlpe);
  if (had_ncc && !stas_ioc_get_ncc (self) &&
      stas_controller_get_state (ctl) == STAS_CONTROLLER_IDLE &&
      !stas_controller_is_disposing (ctl) && stas_controller_is_confirmed (ctl))
    {
      stas_debug ("%s - NCC cleared: connecting now", tid_str (self));
      self->given_up = FALSE;
      stas_controller_connect_now (ctl, TRUE);
    }
}

const StasDlpe *
stas_ioc_get_dlpe (StasIoc *self)
{
  g_return_val_if_fail (STAS_IS_IOC (self), NULL);
  return self->has_dlpe ? &self->dlpe : NULL;
}

gboolean
stas_ioc_get_ncc (StasIoc *self)
{
  g_return_val_if_fail (STAS_IS_IOC (self), FALSE);
  return self->has_dlpe && stas_dlpe_has_ncc (&self->dlpe);
}

void
stas_ioc_set_origin (StasIoc *self, StasIocOrigin origin)
{
  g_return_if_fail (STAS_IS_IOC (self));
  self->origin = origin;
}

StasIocOrigin
stas_ioc_get_origin (StasIoc *self)
{
  g_return_val_if_fail (STAS_IS_IOC (self), STAS_IOC_ORIGIN_CONFIGURED);
  return self->origin;
}

void
stas_ioc_set_sources (StasIoc *self, GPtrArray *sources)
{
  g_return_if_fail (STAS_IS_IOC (self));
  if (sources == self->sources)
    return;
  g_ptr_array_set_size (self->sources, 0);
  for (guint i = 0; sources != NULL && i < sources->len; i++)
    g_ptr_array_add (self->sources, stas_tid_ref (g_ptr_array_index (sources, i)));
}

GPtrArray *
stas_ioc_get_sources (StasIoc *self)
{
  g_return_val_if_fail (STAS_IS_IOC (self), NULL);
  return self->sources;
}

gboolean
stas_ioc_has_given_up (StasIoc *self)
{
  g_return_val_if_fail (STAS_IS_IOC (self), FALSE);
  return self->given_up;
}

void
stas_ioc_kick (StasIoc *self)
{
  StasController *ctl;

  g_return_if_fail (STAS_IS_IOC (self));
  ctl = STAS_CONTROLLER (self);
  if (stas_controller_get_state (ctl) != STAS_CONTROLLER_IDLE ||
      stas_controller_is_disposing (ctl) || !stas_controller_is_confirmed (ctl) ||
      stas_controller_get_retry_timer (ctl, NULL, NULL))
    return;
  self->given_up = FALSE;
  stas_controller_connect_now (ctl, FALSE);
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
stas_ioc_constructed (GObject *object)
{
  G_OBJECT_CLASS (stas_ioc_parent_class)->constructed (object);
  g_signal_connect (object, "connect-failed", G_CALLBACK (on_connect_failed), NULL);
}

static void
stas_ioc_finalize (GObject *object)
{
  StasIoc *self = STAS_IOC (object);

  g_ptr_array_unref (self->sources);
  G_OBJECT_CLASS (stas_ioc_parent_class)->finalize (object);
}

static void
stas_ioc_class_init (StasIocClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  StasControllerClass *ctl_class = STAS_CONTROLLER_CLASS (klass);

  object_class->constructed = stas_ioc_constructed;
  object_class->finalize = stas_ioc_finalize;
  ctl_class->should_retry = stas_ioc_should_retry;
  ctl_class->connected = stas_ioc_connected;
  ctl_class->device_changed = stas_ioc_device_changed;
}

static void
stas_ioc_init (StasIoc *self)
{
  self->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) stas_tid_unref);
}
