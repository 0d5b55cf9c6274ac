/* test-sysfs.c — the kernel controller table's sysfs readers (spec/behaviour.md §2.2
 * [KT-2]), kernel capability detection (SPEC §2.3 [GEN-4]) and uevent parsing (§2.1
 * [KT-1], §2.5 [KT-5]), on fake sysfs trees built in a temporary directory. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "stas-sysfs.h"
#include "stas-udev.h"

/* ---- fake sysfs ------------------------------------------------------------------------ */

typedef struct
{
  char *root; /* the fake "/sys" */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->root = g_dir_make_tmp ("stas-sysfs-XXXXXX", &error);
  g_assert_no_error (error);
}

static int
rm_rf (const char *path)
{
  g_autoptr (GDir) d = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_unlink (path);
  d = g_dir_open (path, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      rm_rf (child);
    }
  return g_rmdir (path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  rm_rf (f->root);
  g_free (f->root);
}

/* Creates the device directory <root>/devices/virtual/nvme-fabrics/ctl/<name> and the
 * class link <root>/class/nvme/<name> → it, as the kernel does. */
static char *
fake_ctrl_dir (Fixture *f, const char *name)
{
  g_autofree char *dev =
      g_build_filename (f->root, "devices", "virtual", "nvme-fabrics", "ctl", name, NULL);
  g_autofree char *cls = g_build_filename (f->root, "class", "nvme", NULL);
  g_autofree char *link = g_build_filename (cls, name, NULL);
  g_autofree char *target =
      g_build_filename ("..", "..", "devices", "virtual", "nvme-fabrics", "ctl", name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dev, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (cls, 0755), ==, 0);
  g_assert_cmpint (symlink (target, link), ==, 0);
  return g_steal_pointer (&dev);
}

static void
fake_attr (const char *dir, const char *attr, const char *value)
{
  g_autofree char *path = g_build_filename (dir, attr, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, value, -1, &error);
  g_assert_no_error (error);
}

static void
fake_child (const char *dir, const char *child)
{
  g_autofree char *path = g_build_filename (dir, child, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
}

/* A typical NVMe/TCP I/O controller of kernel 6.1 (attribute values end with \n). */
static char *
fake_tcp_ctrl (Fixture *f, const char *name, const char *address)
{
  char *dir = fake_ctrl_dir (f, name);

  fake_attr (dir, "transport", "tcp\n");
  fake_attr (dir, "address", address);
  fake_attr (dir, "subsysnqn", "nqn.2014-08.io.stas:sub1\n");
  fake_attr (dir, "hostnqn", "nqn.2014-08.org.nvmexpress:uuid:1111\n");
  fake_attr (dir, "hostid", "1b4e28ba-2fa1-11d2-883f-0016d3cca427\n");
  fake_attr (dir, "cntrltype", "io\n");
  fake_attr (dir, "dctype", "none\n");
  fake_attr (dir, "state", "live\n");
  fake_attr (dir, "model", "Linux                                   \n");
  fake_attr (dir, "serial", "  a1b2c3d4e5f6  \n");
  return dir;
}

/* ---- address [KT-2] ---------------------------------------------------------------------- */

/* [KT-2] address items, missing items '', none / (efault) '', trimming */
static void
test_address (void)
{
  static const struct
  {
    const char *in;
    const char *traddr, *trsvcid, *host_traddr, *host_iface, *src_addr;
  } cases[] = {
    { "traddr=192.168.10.31,trsvcid=4420,src_addr=192.168.10.5\n", "192.168.10.31", "4420", "", "",
      "192.168.10.5" },
    { "traddr=10.0.0.1,trsvcid=8009,host_traddr=10.0.0.2,host_iface=eth1", "10.0.0.1", "8009",
      "10.0.0.2", "eth1", "" },
    { "traddr=nn-0x20000090fa8b4d55:pn-0x10000090fa8b4d55,host_traddr=nn-0x1:pn-0x2",
      "nn-0x20000090fa8b4d55:pn-0x10000090fa8b4d55", "", "nn-0x1:pn-0x2", "", "" },
    { "traddr=fe80::1,trsvcid=4420,src_addr=none", "fe80::1", "4420", "", "", "" },
    { "traddr=1.2.3.4,trsvcid=4420,host_traddr=NONE,host_iface=(efault)", "1.2.3.4", "4420", "", "",
      "" },
    { " traddr = 1.2.3.4 , trsvcid= 4420 ", "1.2.3.4", "4420", "", "", "" },
    { "traddr=1.2.3.4,garbage,unknown=7,,trsvcid=9", "1.2.3.4", "9", "", "", "" },
    { "", "", "", "", "", "" },
    { "none\n", "", "", "", "", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      StasSysfsAddress a;

      stas_sysfs_parse_address (cases[i].in, &a);
      g_assert_cmpstr (a.traddr, ==, cases[i].traddr);
      g_assert_cmpstr (a.trsvcid, ==, cases[i].trsvcid);
      g_assert_cmpstr (a.host_traddr, ==, cases[i].host_traddr);
      g_assert_cmpstr (a.host_iface, ==, cases[i].host_iface);
      g_assert_cmpstr (a.src_addr, ==, cases[i].src_addr);
      stas_sysfs_address_clear (&a);
    }
  {
    StasSysfsAddress a;

    stas_sysfs_parse_address (NULL, &a);
    g_assert_cmpstr (a.traddr, ==, "");
    g_assert_cmpstr (a.src_addr, ==, "");
    stas_sysfs_address_clear (&a);
  }
}

/* [KT-2] attribute values: trimmed; none (any case) and (efault) are '' */
static void
test_clean_value (void)
{
  static const char *const cases[][2] = {
    { "live\n", "live" },
    { "  x y  \n", "x y" },
    { "none", "" },
    { "None\n", "" },
    { "NONE", "" },
    { "(efault)\n", "" },
    { "nonexistent", "nonexistent" },
    { "", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *v = stas_sysfs_clean_value (cases[i][0]);
      g_assert_cmpstr (v, ==, cases[i][1]);
    }
  {
    g_autofree char *v = stas_sysfs_clean_value (NULL);
    g_assert_cmpstr (v, ==, "");
  }
}

/* [KT-2] nvme<N> names */
static void
test_instance (void)
{
  g_assert_cmpint (stas_sysfs_ctrl_instance ("nvme0"), ==, 0);
  g_assert_cmpint (stas_sysfs_ctrl_instance ("nvme12"), ==, 12);
  g_assert_cmpint (stas_sysfs_ctrl_instance ("nvme"), ==, -1);
  g_assert_cmpint (stas_sysfs_ctrl_instance ("nvme-fabrics"), ==, -1);
  g_assert_cmpint (stas_sysfs_ctrl_instance ("nvme0n1"), ==, -1);
  g_assert_cmpint (stas_sysfs_ctrl_instance ("nvme1c2n3"), ==, -1);
  g_assert_cmpint (stas_sysfs_ctrl_instance ("nvme99999999999"), ==, -1);
  g_assert_cmpint (stas_sysfs_ctrl_instance ("ng0n1"), ==, -1);
  g_assert_cmpint (stas_sysfs_ctrl_instance (NULL), ==, -1);
}

/* [KT-2] [D-41] only tcp, rdma, fc, loop */
static void
test_transports (void)
{
  g_assert_true (stas_sysfs_is_fabrics_transport ("tcp"));
  g_assert_true (stas_sysfs_is_fabrics_transport ("rdma"));
  g_assert_true (stas_sysfs_is_fabrics_transport ("fc"));
  g_assert_true (stas_sysfs_is_fabrics_transport ("loop"));
  g_assert_false (stas_sysfs_is_fabrics_transport ("pcie"));
  g_assert_false (stas_sysfs_is_fabrics_transport ("apple-nvme"));
  g_assert_false (stas_sysfs_is_fabrics_transport ("TCP"));
  g_assert_false (stas_sysfs_is_fabrics_transport (""));
  g_assert_false (stas_sysfs_is_fabrics_transport (NULL));
}

/* ---- controllers [KT-2] -------------------------------------------------------------------- */

/* [KT-2] every field of one entry */
static void
test_read_ctrl (Fixture *f, gconstpointer data)
{
  g_autofree char *dir =
      fake_tcp_ctrl (f, "nvme3", "traddr=192.168.10.31,trsvcid=4420,src_addr=192.168.10.5\n");
  g_autoptr (StasKernelCtrl) c = NULL;

  fake_child (dir, "power");
  fake_child (dir, "nvme3c3n1");
  c = stas_sysfs_read_ctrl (f->root, "nvme3");
  g_assert_nonnull (c);
  g_assert_cmpstr (c->name, ==, "nvme3");
  g_assert_cmpint (c->instance, ==, 3);
  g_assert_cmpstr (c->transport, ==, "tcp");
  g_assert_cmpstr (c->traddr, ==, "192.168.10.31");
  g_assert_cmpstr (c->trsvcid, ==, "4420");
  g_assert_cmpstr (c->host_traddr, ==, "");
  g_assert_cmpstr (c->host_iface, ==, "");
  g_assert_cmpstr (c->src_addr, ==, "192.168.10.5");
  g_assert_cmpstr (c->subsysnqn, ==, "nqn.2014-08.io.stas:sub1");
  g_assert_cmpstr (c->hostnqn, ==, "nqn.2014-08.org.nvmexpress:uuid:1111");
  g_assert_cmpstr (c->hostid, ==, "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
  g_assert_cmpstr (c->cntrltype, ==, "io");
  g_assert_cmpstr (c->dctype, ==, ""); /* none */
  g_assert_cmpstr (c->state, ==, "live");
  g_assert_cmpstr (c->model, ==, "Linux");
  g_assert_cmpstr (c->serial, ==, "a1b2c3d4e5f6");
  g_assert_true (c->has_namespaces);

  /* a copy is equal */
  {
    g_autoptr (StasKernelCtrl) copy = stas_kernel_ctrl_copy (c);
    g_assert_cmpstr (copy->traddr, ==, c->traddr);
    g_assert_cmpint (copy->instance, ==, 3);
    g_assert_true (copy->has_namespaces);
  }
}

/* [KT-2] kernel < 5.18: no cntrltype/dctype; unreadable attributes are ''; (efault) '' */
static void
test_read_ctrl_old_kernel (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = fake_ctrl_dir (f, "nvme0");
  g_autoptr (StasKernelCtrl) c = NULL;

  fake_attr (dir, "transport", "tcp\n");
  fake_attr (dir, "address", "traddr=10.0.0.9,trsvcid=8009,host_traddr=10.0.0.1\n");
  fake_attr (dir, "subsysnqn", "nqn.2014-08.org.nvmexpress.discovery\n");
  fake_attr (dir, "hostnqn", "(efault)\n");
  fake_attr (dir, "state", "connecting\n");
  c = stas_sysfs_read_ctrl (f->root, "nvme0");
  g_assert_nonnull (c);
  g_assert_cmpstr (c->cntrltype, ==, "");
  g_assert_cmpstr (c->dctype, ==, "");
  g_assert_cmpstr (c->hostnqn, ==, "");
  g_assert_cmpstr (c->hostid, ==, "");
  g_assert_cmpstr (c->model, ==, "");
  g_assert_cmpstr (c->serial, ==, "");
  g_assert_cmpstr (c->host_traddr, ==, "10.0.0.1");
  g_assert_cmpstr (c->src_addr, ==, "");
  g_assert_cmpstr (c->state, ==, "connecting");
  g_assert_false (c->has_namespaces);
}

/* [KT-2] has_namespaces: nvme<N>n<M> and nvme<X>c<N>n<M> children only */
static void
test_namespaces (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *child;
    gboolean ns;
  } cases[] = {
    { "nvme4n1", TRUE },       { "nvme0c4n12", TRUE }, { "nvme4c4", FALSE },
    { "nvme-subsys4", FALSE }, { "ng4n1", FALSE },     { "nvme4n", FALSE },
    { "nvme4n1p1", FALSE },    { "power", FALSE },     { "hwmon2", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("nvme%" G_GSIZE_FORMAT, 20 + i);
      g_autofree char *dir = fake_tcp_ctrl (f, name, "traddr=1.2.3.4,trsvcid=4420\n");
      g_autoptr (StasKernelCtrl) c = NULL;

      fake_child (dir, cases[i].child);
      c = stas_sysfs_read_ctrl (f->root, name);
      g_assert_nonnull (c);
      if (cases[i].ns != c->has_namespaces)
        g_error ("child %s: has_namespaces %d", cases[i].child, c->has_namespaces);
    }
}

/* [KT-2] [D-41] pcie and other transports, missing devices and odd names are not entries */
static void
test_not_entries (Fixture *f, gconstpointer data)
{
  g_autofree char *pcie = fake_ctrl_dir (f, "nvme0");
  g_autofree char *apple = fake_ctrl_dir (f, "nvme1");
  g_autofree char *none = fake_ctrl_dir (f, "nvme2");
  g_autofree char *odd = fake_ctrl_dir (f, "nvme-fabrics");

  fake_attr (pcie, "transport", "pcie\n");
  fake_attr (apple, "transport", "apple-nvme\n");
  fake_attr (odd, "transport", "tcp\n");
  /* nvme2 has no transport attribute at all */
  g_assert_null (stas_sysfs_read_ctrl (f->root, "nvme0"));
  g_assert_null (stas_sysfs_read_ctrl (f->root, "nvme1"));
  g_assert_null (stas_sysfs_read_ctrl (f->root, "nvme2"));
  g_assert_null (stas_sysfs_read_ctrl (f->root, "nvme-fabrics"));
  g_assert_null (stas_sysfs_read_ctrl (f->root, "nvme7")); /* does not exist */
  g_assert_null (stas_sysfs_read_ctrl (f->root, "../nvme0"));
}

/* [KT-2] [KT-4] the full scan: fabrics controllers only, sorted by instance */
static void
test_scan (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *a = fake_tcp_ctrl (f, "nvme10", "traddr=1.1.1.1,trsvcid=4420\n");
  g_autofree char *b = fake_tcp_ctrl (f, "nvme2", "traddr=2.2.2.2,trsvcid=8009\n");
  g_autofree char *c = fake_ctrl_dir (f, "nvme0");
  g_autofree char *d = fake_ctrl_dir (f, "nvme5");

  fake_attr (c, "transport", "pcie\n");
  fake_attr (d, "transport", "rdma\n");
  fake_attr (d, "address", "traddr=5.5.5.5,trsvcid=4420\n");
  list = stas_sysfs_scan (f->root, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (((StasKernelCtrl *) list->pdata[0])->name, ==, "nvme2");
  g_assert_cmpstr (((StasKernelCtrl *) list->pdata[1])->name, ==, "nvme5");
  g_assert_cmpstr (((StasKernelCtrl *) list->pdata[1])->transport, ==, "rdma");
  g_assert_cmpstr (((StasKernelCtrl *) list->pdata[2])->name, ==, "nvme10");
  g_assert_cmpstr (((StasKernelCtrl *) list->pdata[2])->traddr, ==, "1.1.1.1");
}

/* [KT-4] no nvme driver (no class/nvme): an empty table, not an error; a broken tree is */
static void
test_scan_empty (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = stas_sysfs_scan (f->root, &error);
  g_autofree char *cls = g_build_filename (f->root, "class", NULL);
  g_autofree char *nvme = g_build_filename (cls, "nvme", NULL);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, 0);

  g_clear_pointer (&list, g_ptr_array_unref);
  g_assert_cmpint (g_mkdir_with_parents (cls, 0755), ==, 0);
  fake_attr (cls, "nvme", "not a directory");
  list = stas_sysfs_scan (f->root, &error);
  g_assert_null (list);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
}

/* ---- kernel capabilities [GEN-4] ------------------------------------------------------------- */

/* [GEN-4] the option names of the first line of /dev/nvme-fabrics (kernel 6.1) */
static void
test_options_line (void)
{
  /* as printed by Debian's 6.1 kernel */
  static const char line61[] =
      "instance=-1,cntlid=-1,transport=%s,traddr=%s,trsvcid=%s,nqn=%s,queue_size=%d,"
      "nr_io_queues=%d,reconnect_delay=%d,ctrl_loss_tmo=%d,keep_alive_tmo=%d,hostnqn=%s,"
      "host_traddr=%s,host_iface=%s,hostid=%s,duplicate_connect,disable_sqflow,hdr_digest,"
      "data_digest,nr_write_queues=%d,nr_poll_queues=%d,tos=%d,fast_io_fail_tmo=%d,"
      "discovery,dhchap_secret=%s,dhchap_ctrl_secret=%s";
  StasKernelCaps caps = { 0 };

  g_assert_true (stas_kernel_caps_parse_options (line61, &caps));
  g_assert_true (caps.from_options);
  g_assert_true (caps.host_iface);
  g_assert_true (caps.discovery);
  g_assert_true (caps.dhchap_secret);
  g_assert_true (caps.dhchap_ctrl_secret);

  /* a 5.17-like line without discovery/dhchap; names are matched before '=' exactly */
  memset (&caps, 0, sizeof (caps));
  g_assert_true (stas_kernel_caps_parse_options (
      "instance=-1,transport=%s, host_iface=%s ,discoveryx,dhchap_secretx=%s\n", &caps));
  g_assert_true (caps.from_options);
  g_assert_true (caps.host_iface);
  g_assert_false (caps.discovery);
  g_assert_false (caps.dhchap_secret);
  g_assert_false (caps.dhchap_ctrl_secret);

  /* empty or missing: nothing parsed, caps untouched */
  memset (&caps, 0, sizeof (caps));
  caps.cntrltype = TRUE;
  g_assert_false (stas_kernel_caps_parse_options ("", &caps));
  g_assert_false (stas_kernel_caps_parse_options (" , ,\n", &caps));
  g_assert_false (stas_kernel_caps_parse_options (NULL, &caps));
  g_assert_false (caps.from_options);
  g_assert_true (caps.cntrltype);
}

/* [GEN-4] the uname thresholds: host_iface 5.14, discovery 5.16, cntrltype 5.18,
 * dhchap 6.0, src_addr 6.1 */
static void
test_release_thresholds (void)
{
  static const struct
  {
    const char *release;
    gboolean host_iface, discovery, cntrltype, dhchap, src_addr;
  } cases[] = {
    { "4.19.0-21-amd64", 0, 0, 0, 0, 0 },
    { "5.13.19", 0, 0, 0, 0, 0 },
    { "5.14.0-284.el9.x86_64", 1, 0, 0, 0, 0 },
    { "5.15.0-91-generic", 1, 0, 0, 0, 0 },
    { "5.16", 1, 1, 0, 0, 0 },
    { "5.17.15", 1, 1, 0, 0, 0 },
    { "5.18.0", 1, 1, 1, 0, 0 },
    { "5.19.17-1", 1, 1, 1, 0, 0 },
    { "6.0.12", 1, 1, 1, 1, 0 },
    { "6.1.0-18-amd64", 1, 1, 1, 1, 1 },
    { "6.12.9", 1, 1, 1, 1, 1 },
    { "10.0", 1, 1, 1, 1, 1 },
    { "garbage", 0, 0, 0, 0, 0 },
    { "", 0, 0, 0, 0, 0 },
    { "6", 0, 0, 0, 0, 0 },
    { "5.100", 1, 1, 1, 0, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      StasKernelCaps caps;

      memset (&caps, 0xff, sizeof (caps));
      stas_kernel_caps_from_release (cases[i].release, &caps);
      g_test_message ("release %s", cases[i].release);
      g_assert_cmpint (caps.host_iface, ==, cases[i].host_iface);
      g_assert_cmpint (caps.discovery, ==, cases[i].discovery);
      g_assert_cmpint (caps.cntrltype, ==, cases[i].cntrltype);
      g_assert_cmpint (caps.dhchap_secret, ==, cases[i].dhchap);
      g_assert_cmpint (caps.dhchap_ctrl_secret, ==, cases[i].dhchap);
      g_assert_cmpint (caps.src_addr, ==, cases[i].src_addr);
      g_assert_false (caps.from_options);
    }
  {
    StasKernelCaps caps;

    stas_kernel_caps_from_release (NULL, &caps);
    g_assert_false (caps.host_iface);
    g_assert_false (caps.src_addr);
  }
}

/* [GEN-4] the options line wins for the options; the release decides the sysfs features;
 * no options → the thresholds */
static void
test_detect (void)
{
  StasKernelCaps caps;

  /* a back-ported 5.14 kernel that has every option */
  stas_kernel_caps_detect ("host_iface=%s,discovery,dhchap_secret=%s,dhchap_ctrl_secret=%s",
                           "5.14.0-284.el9.x86_64", &caps);
  g_assert_true (caps.from_options);
  g_assert_true (caps.discovery);
  g_assert_true (caps.dhchap_secret);
  g_assert_false (caps.cntrltype);
  g_assert_false (caps.src_addr);

  /* a 6.1 kernel whose line lacks dhchap (built without NVME_AUTH) */
  stas_kernel_caps_detect ("instance=-1,host_iface=%s,discovery", "6.1.0-18-amd64", &caps);
  g_assert_true (caps.from_options);
  g_assert_false (caps.dhchap_secret);
  g_assert_false (caps.dhchap_ctrl_secret);
  g_assert_true (caps.cntrltype);
  g_assert_true (caps.src_addr);

  /* unreadable / empty → thresholds only */
  stas_kernel_caps_detect (NULL, "6.1.0-18-amd64", &caps);
  g_assert_false (caps.from_options);
  g_assert_true (caps.dhchap_secret);
  stas_kernel_caps_detect ("", "5.15.0", &caps);
  g_assert_false (caps.from_options);
  g_assert_true (caps.host_iface);
  g_assert_false (caps.discovery);
}

/* ---- uevents [KT-1] [KT-5] ------------------------------------------------------------------ */

/* [KT-5] NVME_AEN: hexadecimal with or without 0x */
static void
test_aen_parse (void)
{
  static const struct
  {
    const char *text;
    gboolean ok;
    guint32 value;
  } cases[] = {
    { "0x70f002", TRUE, 0x70f002 },
    { "70f002", TRUE, 0x70f002 },
    { "0X70F002", TRUE, 0x70f002 },
    { " 0x70f002\n", TRUE, 0x70f002 },
    { "0x00000000", TRUE, 0 },
    { "ffffffff", TRUE, 0xffffffff },
    { "0x", FALSE, 0 },
    { "", FALSE, 0 },
    { "xyz", FALSE, 0 },
    { "0x70f00g", FALSE, 0 },
    { "0x1ffffffff", FALSE, 0 },
    { "-1", FALSE, 0 },
    { "0x70 f002", FALSE, 0 },
    { "+70f002", FALSE, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint32 v = 0xdead;

      g_test_message ("NVME_AEN=\"%s\"", cases[i].text);
      g_assert_cmpint (stas_nvme_aen_parse (cases[i].text, &v), ==, cases[i].ok);
      if (cases[i].ok)
        g_assert_cmphex (v, ==, cases[i].value);
    }
  g_assert_false (stas_nvme_aen_parse (NULL, NULL));
  g_assert_true (stas_nvme_aen_parse ("70f002", NULL));
  g_assert_cmphex (STAS_DLP_CHANGED_AEN, ==, 0x70f002);
}

static GHashTable *
props_new (const char *first_key, ...)
{
  GHashTable *props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list ap;

  va_start (ap, first_key);
  for (const char *k = first_key; k != NULL; k = va_arg (ap, const char *))
    g_hash_table_insert (props, g_strdup (k), g_strdup (va_arg (ap, const char *)));
  va_end (ap);
  return props;
}

/* [KT-1] add/remove/change are handled, other actions ignored; NVME_AEN / NVME_EVENT */
static void
test_uevent_new (void)
{
  g_autoptr (StasUevent) change = NULL;
  g_autoptr (StasUevent) copy = NULL;
  g_autoptr (StasUevent) add = NULL;
  g_autoptr (StasUevent) remove = NULL;
  static const char *const ignored[] = { "bind", "unbind", "move", "online", "offline", NULL };

  change = stas_uevent_new ("change", "nvme3",
                            props_new ("ACTION", "change", "NVME_AEN", "0x70f002", "NVME_TRTYPE",
                                       "tcp", "NVME_TRADDR", "127.0.0.1", NULL));
  g_assert_nonnull (change);
  g_assert_cmpint (change->action, ==, STAS_UEVENT_CHANGE);
  g_assert_cmpstr (change->name, ==, "nvme3");
  g_assert_cmpstr (change->nvme_aen, ==, "0x70f002");
  g_assert_null (change->nvme_event);
  g_assert_cmpstr (g_hash_table_lookup (change->props, "NVME_TRADDR"), ==, "127.0.0.1");
  copy = stas_uevent_copy (change);
  g_assert_cmpstr (copy->nvme_aen, ==, "0x70f002");
  g_assert_cmpstr (g_hash_table_lookup (copy->props, "NVME_TRTYPE"), ==, "tcp");

  add = stas_uevent_new ("add", "nvme0", props_new ("NVME_EVENT", "connected", NULL));
  g_assert_cmpint (add->action, ==, STAS_UEVENT_ADD);
  g_assert_cmpstr (add->nvme_event, ==, "connected");
  remove = stas_uevent_new ("remove", "nvme0", NULL);
  g_assert_cmpint (remove->action, ==, STAS_UEVENT_REMOVE);
  g_assert_null (remove->props);
  g_assert_null (remove->nvme_aen);

  for (guint i = 0; ignored[i] != NULL; i++)
    g_assert_null (stas_uevent_new (ignored[i], "nvme0", props_new ("A", "b", NULL)));
  g_assert_null (stas_uevent_new (NULL, "nvme0", NULL));
  g_assert_null (stas_uevent_new ("change", "nvme0n1", props_new ("A", "b", NULL)));
  g_assert_null (stas_uevent_new ("change", "nvme-fabrics", NULL));
  g_assert_null (stas_uevent_new ("change", NULL, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sysfs/address", test_address);
  g_test_add_func ("/sysfs/clean-value", test_clean_value);
  g_test_add_func ("/sysfs/instance", test_instance);
  g_test_add_func ("/sysfs/transports", test_transports);
  g_test_add ("/sysfs/read-ctrl", Fixture, NULL, fixture_setup, test_read_ctrl, fixture_teardown);
  g_test_add ("/sysfs/read-ctrl-old-kernel", Fixture, NULL, fixture_setup,
              test_read_ctrl_old_kernel, fixture_teardown);
  g_test_add ("/sysfs/namespaces", Fixture, NULL, fixture_setup, test_namespaces, fixture_teardown);
  g_test_add ("/sysfs/not-entries", Fixture, NULL, fixture_setup, test_not_entries,
              fixture_teardown);
  g_test_add ("/sysfs/scan", Fixture, NULL, fixture_setup, test_scan, fixture_teardown);
  g_test_add ("/sysfs/scan-empty", Fixture, NULL, fixture_setup, test_scan_empty, fixture_teardown);
  g_test_add_func ("/caps/options-line", test_options_line);
  g_test_add_func ("/caps/release-thresholds", test_release_thresholds);
  g_test_add_func ("/caps/detect", test_detect);
  g_test_add_func ("/uevent/aen-parse", test_aen_parse);
  g_test_add_func ("/uevent/new", test_uevent_new);
  return g_test_run ();
}
