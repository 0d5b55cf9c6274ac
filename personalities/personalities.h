/* personalities.h — the entry point of each personality of the multi-call binary. */
#pragma once

int stas_stafd_main (int argc, char **argv);
int stas_stacd_main (int argc, char **argv);
int stas_stafctl_main (int argc, char **argv);
int stas_stacctl_main (int argc, char **argv);
int stas_stasadm_main (int argc, char **argv);
