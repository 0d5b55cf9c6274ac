/* stas-fabrics.c — the StasFabrics interface: wrappers, signals, record types. */
#include "config.h"

#include "stas-fabrics.h"

G_DEFINE_QUARK (stas - fabrics - error - quark, stas_fabrics_error)

G_DEFINE_INTERFACE (StasFabrics, stas_fabrics, G_TYPE_OBJECT)

static void
stas_fabrics_default_init (StasFabricsInterface *iface)
{
  /* StasFabrics::uevent (const StasUevent *event): a kernel nvme uevent, main context */
  g_signal_new ("uevent", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* StasFabrics::overflow (): the monitor lost events (ENOBUFS) */
  g_signal_new ("overflow", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 0);
}

StasKernelCtrl *
stas_kernel_ctrl_copy (const StasKernelCtrl *c)
{
  StasKernelCtrl *copy = g_new0 (StasKernelCtrl, 1);

  *copy = *c;
  copy->name = g_strdup (c->name);
  copy->transport = g_strdup (c->transport);
  copy->traddr = g_strdup (c->traddr);
  copy->trsvcid = g_strdup (c->trsvcid);
  copy->host_traddr = g_strdup (c->host_traddr);
  copy->host_iface = g_strdup (c->host_iface);
  copy->src_addr = g_strdup (c->src_addr);
  copy->subsysnqn = g_strdup (c->subsysnqn);
  copy->hostnqn = g_strdup (c->hostnqn);
  copy->hostid = g_strdup (c->hostid);
  copy->cntrltype = g_strdup (c->cntrltype);
  copy->dctype = g_strdup (c->dctype);
  copy->state = g_strdup (c->state);
  copy->model = g_strdup (c->model);
  copy->serial = g_strdup (c->serial);
  return copy;
}

void
stas_kernel_ctrl_free (StasKernelCtrl *c)
{
  if (c == NULL)
    return;
  g_free (c->name);
  g_free (c->transport);
  g_free (c->traddr);
  g_free (c->trsvcid);
  g_free (c->host_traddr);
  g_free (c->host_iface);
  g_free (c->src_addr);
  g_free (c->subsysnqn);
  g_free (c->hostnqn);
  g_free (c->hostid);
  g_free (c->cntrltype);
  g_free (c->dctype);
  g_free (c->state);
  g_free (c->model);
  g_free (c->serial);
  g_free (c);
}

StasUevent *
stas_uevent_copy (const StasUevent *event)
{
  StasUevent *copy = g_new0 (StasUevent, 1);

  copy->action = event->action;
  copy->name = g_strdup (event->name);
  copy->nvme_aen = g_strdup (event->nvme_aen);
  copy->nvme_event = g_strdup (event->nvme_event);
  if (event->props != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      copy->props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_iter_init (&iter, event->props);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy->props, g_strdup (key), g_strdup (value));
    }
  return copy;
}

void
stas_uevent_free (StasUevent *event)
{
  if (event == NULL)
    return;
  g_free (event->name);
  g_free (event->nvme_aen);
  g_free (event->nvme_event);
  g_clear_pointer (&event->props, g_hash_table_unref);
  g_free (event);
}

void
stas_dlp_raw_free (StasDlpRaw *dlp)
{
  if (dlp == NULL)
    return;
  g_clear_pointer (&dlp->entries, g_bytes_unref);
  g_free (dlp);
}

gboolean
stas_fabrics_check_kernel (StasFabrics *self, GError **error)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), FALSE);
  return STAS_FABRICS_GET_IFACE (self)->check_kernel (self, error);
}

char *
stas_fabrics_get_library_version (StasFabrics *self)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), NULL);
  return STAS_FABRICS_GET_IFACE (self)->get_library_version (self);
}

/* ---- wrappers: one per vfunc ---------------------------------------------------------- */

#define IFACE(self) STAS_FABRICS_GET_IFACE (self)

void
stas_fabrics_get_kernel_caps (StasFabrics *self, StasKernelCaps *caps)
{
  g_return_if_fail (STAS_IS_FABRICS (self));
  IFACE (self)->get_kernel_caps (self, caps);
}

GPtrArray *
stas_fabrics_scan_controllers (StasFabrics *self, GError **error)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), NULL);
  return IFACE (self)->scan_controllers (self, error);
}

StasKernelCtrl *
stas_fabrics_read_controller (StasFabrics *self, const char *name)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), NULL);
  return IFACE (self)->read_controller (self, name);
}

gboolean
stas_fabrics_start_monitor (StasFabrics *self, GError **error)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), FALSE);
  return IFACE (self)->start_monitor (self, error);
}

void
stas_fabrics_stop_monitor (StasFabrics *self)
{
  g_return_if_fail (STAS_IS_FABRICS (self));
  IFACE (self)->stop_monitor (self);
}

StasFabricsCtrl *
stas_fabrics_ctrl_new (StasFabrics *self, const StasConnectRequest *request)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), NULL);
  return IFACE (self)->ctrl_new (self, request);
}

void
stas_fabrics_ctrl_free (StasFabrics *self, StasFabricsCtrl *ctrl)
{
  g_return_if_fail (STAS_IS_FABRICS (self));
  if (ctrl != NULL)
    IFACE (self)->ctrl_free (self, ctrl);
}

void
stas_fabrics_set_log_level (StasFabrics *self, StasFabricsCtrl *ctrl, gboolean tron)
{
  g_return_if_fail (STAS_IS_FABRICS (self));
  IFACE (self)->set_log_level (self, ctrl, tron);
}

void
stas_fabrics_connect_async (StasFabrics *self,
                            StasFabricsCtrl *ctrl,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_return_if_fail (STAS_IS_FABRICS (self));
  IFACE (self)->connect_async (self, ctrl, cancellable, callback, user_data);
}

char *
stas_fabrics_connect_finish (StasFabrics *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), NULL);
  return IFACE (self)->connect_finish (self, result, error);
}

void
stas_fabrics_adopt_async (StasFabrics *self,
                          StasFabricsCtrl *ctrl,
                          const char *device,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_return_if_fail (STAS_IS_FABRICS (self));
  IFACE (self)->adopt_async (self, ctrl, device, cancellable, callback, user_data);
}

char *
stas_fabrics_adopt_finish (StasFabrics *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), NULL);
  return IFACE (self)->adopt_finish (self, result, error);
}

void
stas_fabrics_disconnect_async (StasFabrics *self,
                               StasFabricsCtrl *ctrl,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_return_if_fail (STAS_IS_FABRICS (self));
  IFACE (self)->disconnect_async (self, ctrl, cancellable, callback, user_data);
}

gboolean
stas_fabrics_disconnect_finish (StasFabrics *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), FALSE);
  return IFACE (self)->disconnect_finish (self, result, error);
}

void
stas_fabrics_registration_supported_async (StasFabrics *self,
                                           StasFabricsCtrl *ctrl,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data)
{
  g_return_if_fail (STAS_IS_FABRICS (self));
  IFACE (self)->registration_supported_async (self, ctrl, cancellable, callback, user_data);
}

gboolean
stas_fabrics_registration_supported_finish (StasFabrics *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), FALSE);
  return IFACE (self)->registration_supported_finish (self, result, error);
}

void
stas_fabrics_dim_async (StasFabrics *self,
                        StasFabricsCtrl *ctrl,
                        StasDimTas tas,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_return_if_fail (STAS_IS_FABRICS (self));
  IFACE (self)->dim_async (self, ctrl, tas, cancellable, callback, user_data);
}

gboolean
stas_fabrics_dim_finish (StasFabrics *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), FALSE);
  return IFACE (self)->dim_finish (self, result, error);
}

void
stas_fabrics_supported_log_pages_async (StasFabrics *self,
                                        StasFabricsCtrl *ctrl,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  g_return_if_fail (STAS_IS_FABRICS (self));
  IFACE (self)->supported_log_pages_async (self, ctrl, cancellable, callback, user_data);
}

gboolean
stas_fabrics_supported_log_pages_finish (StasFabrics *self,
                                         GAsyncResult *result,
                                         guint32 *options,
                                         GError **error)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), FALSE);
  return IFACE (self)->supported_log_pages_finish (self, result, options, error);
}

void
stas_fabrics_get_discovery_log_async (StasFabrics *self,
                                      StasFabricsCtrl *ctrl,
                                      guint8 lsp,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_return_if_fail (STAS_IS_FABRICS (self));
  IFACE (self)->get_discovery_log_async (self, ctrl, lsp, cancellable, callback, user_data);
}

StasDlpRaw *
stas_fabrics_get_discovery_log_finish (StasFabrics *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (STAS_IS_FABRICS (self), NULL);
  return IFACE (self)->get_discovery_log_finish (self, result, error);
}
