/* stas-ip.h — IP address helpers (SPEC §4.1 normalisation, spec/config.md §4.5). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE if @text is an IPv4 or IPv6 literal (IPv6 without brackets; a "%scope" suffix is
 * not accepted). */
gboolean stas_ip_is_literal (const char *text);
/* Canonical text of an IP literal: inet_ntop() form, IPv6 lower-case compressed, an
 * IPv4-mapped IPv6 address becomes dotted IPv4. NULL if @text is not an IP literal. */
char *stas_ip_canonical (const char *text);
/* 4 or 6 for an IP literal (IPv4-mapped IPv6 counts as 4), 0 otherwise. */
int stas_ip_family (const char *text);
/* IP-aware equality: both literals → compare canonical forms; else FALSE. */
gboolean stas_ip_equal (const char *a, const char *b);
/* Host name syntax: 1..253 characters of [A-Za-z0-9.-]. */
gboolean stas_hostname_is_valid (const char *text);
/* Interface name syntax: 1..15 characters, not "." or "..", none of / : , = or whitespace. */
gboolean stas_ifname_is_valid (const char *text);
/* UUID 8-4-4-4-12 hex. */
gboolean stas_uuid_is_valid (const char *text);
/* NQN: "nqn." prefix, at most 223 bytes, printable ASCII. */
gboolean stas_nqn_is_valid (const char *text);
/* fc address: nn-0x<16 hex>:pn-0x<16 hex> */
gboolean stas_fc_addr_is_valid (const char *text);
/* DH-HMAC-CHAP secret: DHHC-1:<2 hex>:<base64>: */
gboolean stas_dhchap_secret_is_valid (const char *text);

G_END_DECLS
