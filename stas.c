/* stas.c — main(): pick the personality from basename(argv[0]), or from the first argument
 * when invoked as `stas` [GEN-2]. Exact matches only, from one table. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "personalities/personalities.h"
#include "stas-version.h"

typedef struct
{
  const char *name;
  int (*main) (int argc, char **argv);
} Personality;

static const Personality personalities[] = {
  { "stafd", stas_stafd_main },     { "stacd", stas_stacd_main },
  { "stafctl", stas_stafctl_main }, { "stacctl", stas_stacctl_main },
  { "stasadm", stas_stasadm_main },
};

/* The test build (stas-fake) is the same program under another name. */
#ifndef STAS_MULTICALL_NAME
#define STAS_MULTICALL_NAME "stas"
#endif

#define USAGE "Usage: stas {stafd|stacd|stafctl|stacctl|stasadm} [ARGS...]\n"

static const Personality *
lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (personalities); i++)
    if (strcmp (personalities[i].name, name) == 0)
      return &personalities[i];
  return NULL;
}

int
main (int argc, char **argv)
{
  const char *base = argc > 0 && argv[0] != NULL ? strrchr (argv[0], '/') : NULL;
  const Personality *p;

  base = base != NULL ? base + 1 : (argc > 0 && argv[0] != NULL ? argv[0] : "stas");
  p = lookup (base);
  if (p != NULL)
    return p->main (argc, argv);

  /* Only the multi-call name itself takes the personality as first argument; any other
   * basename is not ours. */
  if (strcmp (base, STAS_MULTICALL_NAME) != 0)
    {
      fputs (USAGE, stderr);
      return 2;
    }
  /* `stas <personality> ARGS...`: the personality becomes argv[0] */
  if (argc > 1 && (p = lookup (argv[1])) != NULL)
    return p->main (argc - 1, argv + 1);
  if (argc > 1 && (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0))
    {
      fputs (USAGE, stdout);
      return 0;
    }
  if (argc > 1 && (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-v") == 0))
    {
      printf ("%s\n", stas_version_text ());
      return 0;
    }
  fputs (USAGE, stderr);
  return 2;
}
