/* stas-sysfs.c — kernel NVMe sysfs readers and kernel capability rules [KT-2] [GEN-4]. */
#include "config.h"

#include "stas-sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* ---- values --------------------------------------------------------------------------- */

char *
stas_sysfs_clean_value (const char *value)
{
  /* model, serial and subsysnqn are bytes of the target's Identify Controller data: they go
   * into TIDs and D-Bus strings, which must be UTF-8 */
  g_autofree char *v = g_strstrip (g_utf8_make_valid (value != NULL ? value : "", -1));

  if (g_ascii_strcasecmp (v, "none") == 0 || strcmp (v, "(efault)") == 0)
    return g_strdup ("");
  return g_steal_pointer (&v);
}

gboolean
stas_sysfs_is_fabrics_transport (const char *transport)
{
  static const char *const fabrics[] = { "tcp", "rdma", "fc", "loop" };

  if (transport == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (fabrics); i++)
    if (strcmp (transport, fabrics[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Parses a run of decimal digits at *p (at least one, no overflow past INT_MAX). */
static gboolean
parse_digits (const char **p, int *value)
{
  gint64 v = 0;
  const char *s = *p;

  if (!g_ascii_isdigit (*s))
    return FALSE;
  while (g_ascii_isdigit (*s))
    {
      v = v * 10 + (*s - '0');
      if (v > G_MAXINT)
        return FALSE;
      s++;
    }
  *p = s;
  *value = (int) v;
  return TRUE;
}

int
stas_sysfs_ctrl_instance (const char *name)
{
  const char *p;
  int n;

  if (name == NULL || !g_str_has_prefix (name, "nvme"))
    return -1;
  p = name + 4;
  if (!parse_digits (&p, &n) || *p != '\0')
    return -1;
  return n;
}

/* "nvme<N>n<M>" or "nvme<X>c<N>n<M>": a namespace (or namespace path) child. */
static gboolean
is_namespace_name (const char *name)
{
  const char *p;
  int n;

  if (!g_str_has_prefix (name, "nvme"))
    return FALSE;
  p = name + 4;
  if (!parse_digits (&p, &n))
    return FALSE;
  if (*p == 'c')
    {
      p++;
      if (!parse_digits (&p, &n))
        return FALSE;
    }
  if (*p != 'n')
    return FALSE;
  p++;
  return parse_digits (&p, &n) && *p == '\0';
}

/* ---- address ---------------------------------------------------------------------------- */

void
stas_sysfs_parse_address (const char *address, StasSysfsAddress *out)
{
  g_auto (GStrv) items = g_strsplit (address != NULL ? address : "", ",", -1);

  memset (out, 0, sizeof (*out));
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *eq = strchr (items[i], '=');
      char **field = NULL;
      g_autofree char *key = NULL;

      if (eq == NULL)
        continue;
      key = g_strstrip (g_strndup (items[i], eq - items[i]));
      if (strcmp (key, "traddr") == 0)
        field = &out->traddr;
      else if (strcmp (key, "trsvcid") == 0)
        field = &out->trsvcid;
      else if (strcmp (key, "host_traddr") == 0)
        field = &out->host_traddr;
      else if (strcmp (key, "host_iface") == 0)
        field = &out->host_iface;
      else if (strcmp (key, "src_addr") == 0)
        field = &out->src_addr;
      if (field == NULL)
        continue;
      g_free (*field);
      *field = stas_sysfs_clean_value (eq + 1);
    }
  if (out->traddr == NULL)
    out->traddr = g_strdup ("");
  if (out->trsvcid == NULL)
    out->trsvcid = g_strdup ("");
  if (out->host_traddr == NULL)
    out->host_traddr = g_strdup ("");
  if (out->host_iface == NULL)
    out->host_iface = g_strdup ("");
  if (out->src_addr == NULL)
    out->src_addr = g_strdup ("");
}

void
stas_sysfs_address_clear (StasSysfsAddress *address)
{
  g_clear_pointer (&address->traddr, g_free);
  g_clear_pointer (&address->trsvcid, g_free);
  g_clear_pointer (&address->host_traddr, g_free);
  g_clear_pointer (&address->host_iface, g_free);
  g_clear_pointer (&address->src_addr, g_free);
}

/* ---- controllers ------------------------------------------------------------------------- */

/* An attribute's raw text (sysfs attributes are at most a page); NULL if unreadable. */
static char *
read_attr_raw (const char *dir, const char *attr)
{
  g_autofree char *path = g_build_filename (dir, attr, NULL);
  char buf[4096];
  gsize len = 0;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  while (len < sizeof (buf) - 1)
    {
      ssize_t n = read (fd, buf + len, sizeof (buf) - 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      len += (gsize) n;
    }
  close (fd);
  buf[len] = '\0';
  return g_strdup (buf);
}

/* The table value of an attribute: cleaned; '' when unreadable. */
static char *
read_attr (const char *dir, const char *attr)
{
  g_autofree char *raw = read_attr_raw (dir, attr);

  return stas_sysfs_clean_value (raw);
}

static gboolean
dir_has_namespaces (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  if (d == NULL)
    return FALSE;
  while ((entry = g_dir_read_name (d)) != NULL)
    if (is_namespace_name (entry))
      return TRUE;
  return FALSE;
}

StasKernelCtrl *
stas_sysfs_read_ctrl (const char *sysfs_root, const char *name)
{
  g_autofree char *dir = NULL;
  g_autofree char *transport = NULL;
  g_autofree char *address = NULL;
  StasSysfsAddress addr;
  StasKernelCtrl *c;
  int instance = stas_sysfs_ctrl_instance (name);

  if (instance < 0)
    return NULL;
  dir = g_build_filename (sysfs_root != NULL ? sysfs_root : STAS_SYSFS_ROOT, "class", "nvme", name,
                          NULL);
  transport = read_attr (dir, "transport");
  if (!stas_sysfs_is_fabrics_transport (transport))
    return NULL; /* also: the device does not exist (no transport attribute) */

  c = g_new0 (StasKernelCtrl, 1);
  c->name = g_strdup (name);
  c->instance = instance;
  c->transport = g_steal_pointer (&transport);
  /* `address` is parsed from its raw text: the clean-up applies to each item */
  address = read_attr_raw (dir, "address");
  stas_sysfs_parse_address (address, &addr);
  c->traddr = g_steal_pointer (&addr.traddr);
  c->trsvcid = g_steal_pointer (&addr.trsvcid);
  c->host_traddr = g_steal_pointer (&addr.host_traddr);
  c->host_iface = g_steal_pointer (&addr.host_iface);
  c->src_addr = g_steal_pointer (&addr.src_addr);
  c->subsysnqn = read_attr (dir, "subsysnqn");
  c->hostnqn = read_attr (dir, "hostnqn");
  c->hostid = read_attr (dir, "hostid");
  c->cntrltype = read_attr (dir, "cntrltype");
  c->dctype = read_attr (dir, "dctype");
  c->state = read_attr (dir, "state");
  c->model = read_attr (dir, "model");
  c->serial = read_attr (dir, "serial");
  c->has_namespaces = dir_has_namespaces (dir);
  return c;
}

static gint
compare_instance (gconstpointer a, gconstpointer b)
{
  const StasKernelCtrl *ca = *(const StasKernelCtrl *const *) a;
  const StasKernelCtrl *cb = *(const StasKernelCtrl *const *) b;

  return (ca->instance > cb->instance) - (ca->instance < cb->instance);
}

GPtrArray *
stas_sysfs_scan (const char *sysfs_root, GError **error)
{
  g_autofree char *dir =
      g_build_filename (sysfs_root != NULL ? sysfs_root : STAS_SYSFS_ROOT, "class", "nvme", NULL);
  g_autoptr (GPtrArray) list =
      g_ptr_array_new_with_free_func ((GDestroyNotify) stas_kernel_ctrl_free);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &local_error);
  const char *entry;

  if (d == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&list); /* no nvme driver loaded: no controllers */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      StasKernelCtrl *c = stas_sysfs_read_ctrl (sysfs_root, entry);

      if (c != NULL)
        g_ptr_array_add (list, c);
    }
  g_ptr_array_sort (list, compare_instance);
  return g_steal_pointer (&list);
}

/* ---- kernel capabilities ------------------------------------------------------------------- */

gboolean
stas_kernel_caps_parse_options (const char *line, StasKernelCaps *caps)
{
  g_auto (GStrv) tokens = NULL;
  gboolean any = FALSE;
  StasKernelCaps found = { 0 };

  if (line == NULL)
    return FALSE;
  tokens = g_strsplit (line, ",", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      char *eq = strchr (tokens[i], '=');

      if (eq != NULL)
        *eq = '\0';
      g_strstrip (tokens[i]);
      if (tokens[i][0] == '\0')
        continue;
      any = TRUE;
      if (strcmp (tokens[i], "host_iface") == 0)
        found.host_iface = TRUE;
      else if (strcmp (tokens[i], "discovery") == 0)
        found.discovery = TRUE;
      else if (strcmp (tokens[i], "dhchap_secret") == 0)
        found.dhchap_secret = TRUE;
      else if (strcmp (tokens[i], "dhchap_ctrl_secret") == 0)
        found.dhchap_ctrl_secret = TRUE;
    }
  if (!any)
    return FALSE;
  caps->host_iface = found.host_iface;
  caps->discovery = found.discovery;
  caps->dhchap_secret = found.dhchap_secret;
  caps->dhchap_ctrl_secret = found.dhchap_ctrl_secret;
  caps->from_options = TRUE;
  return TRUE;
}

/* "6.1.0-18-amd64" → 6, 1; FALSE when it does not start with <major>.<minor>. */
static gboolean
parse_release (const char *release, int *major, int *minor)
{
  const char *p = release;

  if (p == NULL)
    return FALSE;
  while (g_ascii_isspace (*p))
    p++;
  if (!parse_digits (&p, major) || *p != '.')
    return FALSE;
  p++;
  return parse_digits (&p, minor);
}

void
stas_kernel_caps_from_release (const char *release, StasKernelCaps *caps)
{
  int major = 0, minor = 0;

  if (!parse_release (release, &major, &minor))
    major = minor = 0;
#define AT_LEAST(maj, min) (major > (maj) || (major == (maj) && minor >= (min)))
  caps->host_iface = AT_LEAST (5, 14);
  caps->discovery = AT_LEAST (5, 16);
  caps->dhchap_secret = AT_LEAST (6, 0);
  caps->dhchap_ctrl_secret = AT_LEAST (6, 0);
  caps->cntrltype = AT_LEAST (5, 18);
  caps->src_addr = AT_LEAST (6, 1);
#undef AT_LEAST
  caps->from_options = FALSE;
}

void
stas_kernel_caps_detect (const char *options_line, const char *release, StasKernelCaps *caps)
{
  stas_kernel_caps_from_release (release, caps);
  stas_kernel_caps_parse_options (options_line, caps);
}
