/* stas-fabrics-nvme.c — StasFabrics on libnvme: the only file that includes <libnvme.h>. */
#include "config.h"

#include "stas-fabrics.h"

#include <errno.h>
#include <unistd.h>
#include <libnvme.h>

#define STAS_TYPE_NVME_FABRICS (stas_nvme_fabrics_get_type ())
G_DECLARE_FINAL_TYPE (StasNvmeFabrics, stas_nvme_fabrics, STAS, NVME_FABRICS, GObject)

struct _StasNvmeFabrics
{
  GObject parent_instance;
};

static void stas_nvme_fabrics_iface_init (StasFabricsInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StasNvmeFabrics,
                               stas_nvme_fabrics,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (STAS_TYPE_FABRICS,
                                                      stas_nvme_fabrics_iface_init))

static gboolean
nvme_check_kernel (StasFabrics *fabrics, GError **error)
{
  if (access ("/dev/nvme-fabrics", F_OK) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "/dev/nvme-fabrics: %s",
                   g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static char *
nvme_get_library_version (StasFabrics *fabrics)
{
#if HAVE_NVME_GET_VERSION
  return g_strdup (nvme_get_version (NVME_VERSION_PROJECT));
#else
  return g_strdup (NVME_BUILD_VERSION);
#endif
}

static void
stas_nvme_fabrics_iface_init (StasFabricsInterface *iface)
{
  iface->check_kernel = nvme_check_kernel;
  iface->get_library_version = nvme_get_library_version;
}

static void
stas_nvme_fabrics_class_init (StasNvmeFabricsClass *klass)
{
}

static void
stas_nvme_fabrics_init (StasNvmeFabrics *self)
{
}

StasFabrics *
stas_fabrics_new_default (void)
{
  return g_object_new (STAS_TYPE_NVME_FABRICS, NULL);
}
