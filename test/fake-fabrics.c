/* fake-fabrics.c — the scripted fake fabrics linked into stas-fake and the tests.
 *
 * Its script comes from the test: in-process tests set it through fake-fabrics.h, process
 * tests through environment variables read here (never by the shipped binary):
 *   STAS_FAKE_NO_KERNEL=1   the kernel has no fabrics support (/dev/nvme-fabrics missing)
 */
#include "config.h"

#include "fake-fabrics.h"

struct _StasFakeFabrics
{
  GObject parent_instance;
  gboolean kernel_available;
};

static void stas_fake_fabrics_iface_init (StasFabricsInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StasFakeFabrics,
                               stas_fake_fabrics,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (STAS_TYPE_FABRICS,
                                                      stas_fake_fabrics_iface_init))

static gboolean
fake_check_kernel (StasFabrics *fabrics, GError **error)
{
  StasFakeFabrics *self = STAS_FAKE_FABRICS (fabrics);

  if (!self->kernel_available)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "/dev/nvme-fabrics: No such file or directory (fake)");
      return FALSE;
    }
  return TRUE;
}

static char *
fake_get_library_version (StasFabrics *fabrics)
{
  return g_strdup ("fake");
}

static void
stas_fake_fabrics_iface_init (StasFabricsInterface *iface)
{
  iface->check_kernel = fake_check_kernel;
  iface->get_library_version = fake_get_library_version;
}

static void
stas_fake_fabrics_class_init (StasFakeFabricsClass *klass)
{
}

static void
stas_fake_fabrics_init (StasFakeFabrics *self)
{
  self->kernel_available = g_strcmp0 (g_getenv ("STAS_FAKE_NO_KERNEL"), "1") != 0;
}

void
stas_fake_fabrics_set_kernel_available (StasFakeFabrics *self, gboolean available)
{
  self->kernel_available = available;
}

StasFabrics *
stas_fabrics_new_default (void)
{
  return g_object_new (STAS_TYPE_FAKE_FABRICS, NULL);
}
