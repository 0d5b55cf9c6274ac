/* fuzz-sysfs.c — what the kernel shows of a controller (spec/behaviour.md §2.2 [KT-2],
 * spec/bad-input.md §7) and of its fabrics capabilities (SPEC §2.3): the sysfs attributes
 * of one device, read into the controller table, classified, matched against TIDs,
 * turned into a TID (as stacd adopts external connections) and shown in the D-Bus
 * controller dictionaries; the `address` attribute and /dev/nvme-fabrics options parsed
 * on their own too.
 *
 * Input: NUL-separated attribute values in the order of `attrs` below; an attribute
 * beyond the input does not exist. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "stas-kernel.h"
#include "stas-payload.h"
#include "stas-sysfs.h"

static const char *const attrs[] = {
  "transport", "address", "subsysnqn", "hostnqn", "hostid",
  "cntrltype", "dctype",  "state",     "model",   "serial",
};

static char *dev_dir;

static void
check_ctrl (const StasKernelCtrl *k)
{
  g_autoptr (StasTid) tid = NULL;
  g_autoptr (StasIfAddrs) addrs = stas_if_addrs_new ();
  g_autoptr (GVariant) details = NULL;
  g_autoptr (GVariant) info = NULL;
  StasTidFields fields = {
    .transport = k->transport,
    .traddr = k->traddr,
    .trsvcid = k->trsvcid,
    .subsysnqn = k->subsysnqn,
    .host_traddr = k->host_traddr,
    .host_iface = k->host_iface,
    .host_nqn = k->hostnqn,
    .host_id = k->hostid,
  };
  StasTidFields dc_fields = {
    .transport = "tcp",
    .traddr = "192.168.1.20",
    .trsvcid = "8009",
    .host_iface = "eth1",
  };
  g_autoptr (StasTid) dc = stas_tid_new (&fuzz_stafd_defaults, &dc_fields, NULL);
  StasCtrlInfo ci = {
    .kind = STAS_DAEMON_STACD,
    .device = k->name,
    .retry_connect_timer = "10.0s [off]",
    .origin = STAS_STATE_ORIGIN_EXTERNAL,
    .hostid = k->hostid,
    .hostnqn = k->hostnqn,
    .model = k->model,
    .serial = k->serial,
    .dctype = k->dctype,
    .cntrltype = k->cntrltype,
  };

  stas_if_addrs_add (addrs, "eth1", "192.168.1.2");
  stas_if_addrs_add (addrs, "eth2", "fe80::2");
  (void) stas_if_addrs_owner (addrs, k->src_addr);
  (void) stas_kernel_ctrl_classify (k);
  (void) stas_kernel_ctrl_matches (k, dc, STAS_CTRL_CLASS_DC, addrs);
  (void) stas_kernel_ctrl_matches (k, dc, STAS_CTRL_CLASS_IOC, NULL);

  tid = stas_tid_new (&fuzz_stacd_defaults, &fields, NULL);
  if (tid == NULL)
    return;
  (void) stas_kernel_ctrl_matches (k, tid, STAS_CTRL_CLASS_IOC, addrs);
  ci.tid = tid;
  details = g_variant_ref_sink (stas_payload_controller_details (&ci));
  info = g_variant_ref_sink (stas_payload_controller_info (&ci));
  g_free (stas_payload_controller_info_json (&ci));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_auto (GStrv) values = fuzz_split (data, size, G_N_ELEMENTS (attrs));
  g_autoptr (StasKernelCtrl) k = NULL;
  StasSysfsAddress address;
  StasKernelCaps caps;
  guint n = g_strv_length (values);

  if (dev_dir == NULL)
    {
      dev_dir = g_build_filename (fuzz_tmpdir (), "class", "nvme", "nvme3", NULL);
      g_assert_cmpint (g_mkdir_with_parents (dev_dir, 0700), ==, 0);
    }
  for (guint i = 0; i < G_N_ELEMENTS (attrs); i++)
    {
      g_autofree char *path = g_build_filename (dev_dir, attrs[i], NULL);

      if (i < n)
        fuzz_write_file (path, values[i], strlen (values[i]));
      else
        (void) unlink (path);
    }

  k = stas_sysfs_read_ctrl (fuzz_tmpdir (), "nvme3");
  if (k != NULL)
    {
      g_assert_true (stas_sysfs_is_fabrics_transport (k->transport));
      g_assert_cmpint (k->instance, ==, 3);
      check_ctrl (k);
    }

  /* the parsers on their own, each value as every input */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *clean = stas_sysfs_clean_value (values[i]);

      g_assert_true (g_utf8_validate (clean, -1, NULL));

      stas_sysfs_parse_address (values[i], &address);
      g_assert_nonnull (address.traddr);
      g_assert_nonnull (address.trsvcid);
      g_assert_nonnull (address.host_traddr);
      g_assert_nonnull (address.host_iface);
      g_assert_nonnull (address.src_addr);
      stas_sysfs_address_clear (&address);
      (void) stas_sysfs_ctrl_instance (values[i]);
      memset (&caps, 0, sizeof caps);
      (void) stas_kernel_caps_parse_options (values[i], &caps);
      stas_kernel_caps_from_release (values[i], &caps);
      stas_kernel_caps_detect (values[i], values[i], &caps);
    }
  return 0;
}
