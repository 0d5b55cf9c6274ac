/* stasadm.c — host NQN / host ID / sys.conf administration (spec/cli.md §5). The
 * sub-commands arrive with the system-integration issue. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "personalities.h"
#include "stas-version.h"

#define USAGE "Usage: stasadm [-h] [-v] [-c FILE] {hostnqn,hostid,set-symname,clear-symname} ...\n"

int
stas_stasadm_main (int argc, char **argv)
{
  static const char *const commands[] = { "hostnqn", "hostid", "set-symname", "clear-symname" };
  int i;

  for (i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      if (strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "--help") == 0)
        {
          fputs (USAGE, stdout);
          printf ("\nAdministration of the host NQN, host ID and /etc/stas/sys.conf.\n");
          return 0;
        }
      if (strcmp (argv[i], "-v") == 0 || strcmp (argv[i], "--version") == 0)
        {
          printf ("%s\n", stas_version_text ());
          return 0;
        }
      if ((strcmp (argv[i], "-c") == 0 || strcmp (argv[i], "--conf-file") == 0) && i + 1 < argc)
        {
          i++;
          continue;
        }
      fprintf (stderr, "stasadm: unrecognized option '%s'\n" USAGE, argv[i]);
      return 2;
    }
  if (i >= argc)
    {
      fputs (USAGE, stderr);
      return 2;
    }
  for (gsize c = 0; c < G_N_ELEMENTS (commands); c++)
    if (strcmp (argv[i], commands[c]) == 0)
      {
        fprintf (stderr, "stasadm: %s: not implemented yet in stas %s\n", argv[i], PACKAGE_VERSION);
        return 1;
      }
  fprintf (stderr, "stasadm: invalid command '%s'\n" USAGE, argv[i]);
  return 2;
}
