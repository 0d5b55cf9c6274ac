/* fuzz-sysconf.c — sys.conf (spec/config.md §5, spec/bad-input.md §2).
 *
 * Input: the file. It is written to <tmp>/sys.conf; the default host files are
 * <tmp>/nvme/{hostnqn,hostid,hostkey} (valid ones), and the working directory is <tmp>
 * while it is read, so that relative file:// values ("file://nvme/hostnqn") stay there. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "stas-config.h"
#include "stas-log.h"

static char *sysconf_path;
static char *nvme_dir;
static StasSysConf *baseline;

static void
setup (void)
{
  g_autofree char *hostnqn = NULL;
  g_autofree char *hostid = NULL;
  g_autofree char *hostkey = NULL;
  static const char key[] = "DHHC-1:00:ia6zGodOr4SEG0Zzaw398rpY0wqipUWj4jWjUh4HWUz6aQ2n:\n";

  sysconf_path = g_build_filename (fuzz_tmpdir (), "sys.conf", NULL);
  nvme_dir = g_build_filename (fuzz_tmpdir (), "nvme", NULL);
  g_assert_cmpint (g_mkdir_with_parents (nvme_dir, 0700), ==, 0);
  hostnqn = g_build_filename (nvme_dir, "hostnqn", NULL);
  hostid = g_build_filename (nvme_dir, "hostid", NULL);
  hostkey = g_build_filename (nvme_dir, "hostkey", NULL);
  fuzz_write_file (hostnqn, FUZZ_HOST_NQN "\n", sizeof FUZZ_HOST_NQN);
  fuzz_write_file (hostid, FUZZ_HOST_ID "\n", sizeof FUZZ_HOST_ID);
  fuzz_write_file (hostkey, key, sizeof key - 1);
  baseline = stas_sysconf_load (NULL, nvme_dir, NULL, NULL);
  g_assert_nonnull (baseline);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StasSysConf) sc = NULL;
  int cwd;

  if (sysconf_path == NULL)
    setup ();
  fuzz_write_file (sysconf_path, data, size);
  cwd = open (".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (cwd, >=, 0);
  g_assert_cmpint (chdir (fuzz_tmpdir ()), ==, 0);
  sc = stas_sysconf_load (sysconf_path, nvme_dir, diags, &error);
  g_assert_cmpint (fchdir (cwd), ==, 0);
  close (cwd);
  if (sc == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }
  g_assert_no_error (error);
  /* the identity the daemons rely on (spec/config.md §5.3) */
  g_assert_true (g_str_has_prefix (stas_sysconf_get_host_nqn (sc), "nqn."));
  g_assert_cmpuint (strlen (stas_sysconf_get_host_nqn (sc)), <=, STAS_NQN_MAX_LEN);
  g_assert_nonnull (stas_sysconf_get_host_id (sc));
  (void) stas_sysconf_get_host_key (sc);
  if (stas_sysconf_get_symname (sc) != NULL)
    g_assert_true (g_utf8_validate (stas_sysconf_get_symname (sc), -1, NULL));
  (void) stas_sysconf_identity_changed (baseline, sc);
  return 0;
}
