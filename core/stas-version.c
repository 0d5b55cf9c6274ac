/* stas-version.c */
#include "config.h"

#include "stas-version.h"

#include "stas-names.h"

const char *
stas_version_text (void)
{
  return "stas " PACKAGE_VERSION " (" STAS_COMPAT_TEXT ")";
}
