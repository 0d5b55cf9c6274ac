/* test-paths.c — file locations for the test binaries (stas-fake, unit and dbus tests).
 *
 * Everything lives under a test root: $STAS_TEST_ROOT when set, else the build tree's
 * testroot/. This file is never linked into the shipped binary. */
#include "config.h"

#include "stas-paths.h"

static const char *
test_root (void)
{
  const char *root = g_getenv ("STAS_TEST_ROOT");
  return root != NULL && *root != '\0' ? root : STAS_TEST_DEFAULT_ROOT;
}

static const char *
under_root (const char *sub, char **cache)
{
  /* The root is fixed for the life of a process; tests that change it use subprocesses. */
  if (*cache == NULL)
    *cache = g_build_filename (test_root (), sub, NULL);
  return *cache;
}

const char *
stas_path_sysconfdir (void)
{
  static char *path;
  return under_root ("etc", &path);
}

const char *
stas_path_rundir (void)
{
  static char *path;
  return under_root ("run", &path);
}

const char *
stas_path_datadir (void)
{
  static char *path;
  return under_root ("usr/share", &path);
}

const char *
stas_path_firmware_tables (void)
{
  static char *path;
  return under_root ("sys/firmware/acpi/tables", &path);
}
