/* fuzz-uevent.c — an nvme uevent as libudev hands it over (spec/behaviour.md §2.1 [KT-1],
 * §2.5 [KT-5], spec/bad-input.md §7): the action, the device name and the property set,
 * NVME_AEN / NVME_EVENT included.
 *
 * Input: NUL-separated strings: the action, the device name, then KEY=VALUE properties (a
 * property without '=' has an empty value). */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "stas-sysfs.h"
#include "stas-udev.h"

#define MAX_PROPS 64

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_auto (GStrv) parts = fuzz_split (data, size, MAX_PROPS + 2);
  GHashTable *props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (StasUevent) event = NULL;
  g_autoptr (StasUevent) copy = NULL;
  const char *action = parts[0];
  const char *name = action != NULL ? parts[1] : NULL;
  guint32 aen;

  for (guint i = 2; action != NULL && name != NULL && parts[i - 1] != NULL && parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      char *key = eq != NULL ? g_strndup (parts[i], (gsize) (eq - parts[i])) : g_strdup (parts[i]);

      g_hash_table_replace (props, key, g_strdup (eq != NULL ? eq + 1 : ""));
      (void) stas_nvme_aen_parse (eq != NULL ? eq + 1 : parts[i], &aen);
    }

  event = stas_uevent_new (action, name, props); /* takes @props */
  if (event == NULL)
    {
      g_assert_true (g_strcmp0 (action, "add") != 0 && g_strcmp0 (action, "remove") != 0 &&
                         g_strcmp0 (action, "change") != 0 ||
                     stas_sysfs_ctrl_instance (name) < 0);
      return 0;
    }
  g_assert_cmpint (stas_sysfs_ctrl_instance (event->name), >=, 0);
  if (event->nvme_aen != NULL && stas_nvme_aen_parse (event->nvme_aen, &aen))
    {
      /* the AEN fields the DC and IOC look at */
      (void) (aen & 0x7);
      (void) ((aen >> 8) & 0xff);
      (void) ((aen >> 16) & 0xff);
    }
  copy = stas_uevent_copy (event);
  g_assert_cmpstr (copy->name, ==, event->name);
  g_assert_cmpstr (copy->nvme_aen, ==, event->nvme_aen);
  g_assert_cmpstr (copy->nvme_event, ==, event->nvme_event);
  return 0;
}
