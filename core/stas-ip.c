/* stas-ip.c — IP address and identifier syntax helpers (SPEC §4.1, spec/config.md §4). */
#include "config.h"

#include "stas-ip.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

/* Parses @text as an IPv4 or IPv6 literal. An IPv4-mapped IPv6 address is reported as
 * IPv4 (@family 4, @v4 filled) so that it compares equal to its dotted form [D-22]. */
static gboolean
parse_ip (const char *text, int *family, struct in_addr *v4, struct in6_addr *v6)
{
  if (text == NULL || *text == '\0')
    return FALSE;

  if (inet_pton (AF_INET, text, v4) == 1)
    {
      *family = 4;
      return TRUE;
    }

  /* inet_pton() rejects "%scope" suffixes and brackets, as the header promises. */
  if (inet_pton (AF_INET6, text, v6) == 1)
    {
      if (IN6_IS_ADDR_V4MAPPED (v6))
        {
          memcpy (&v4->s_addr, &v6->s6_addr[12], 4);
          *family = 4;
        }
      else
        *family = 6;
      return TRUE;
    }

  return FALSE;
}

gboolean
stas_ip_is_literal (const char *text)
{
  return stas_ip_family (text) != 0;
}

char *
stas_ip_canonical (const char *text)
{
  struct in_addr v4;
  struct in6_addr v6;
  char buf[INET6_ADDRSTRLEN];
  int family = 0;

  if (!parse_ip (text, &family, &v4, &v6))
    return NULL;

  if (family == 4)
    {
      if (inet_ntop (AF_INET, &v4, buf, sizeof buf) == NULL)
        return NULL;
    }
  else if (inet_ntop (AF_INET6, &v6, buf, sizeof buf) == NULL)
    return NULL;

  /* glibc already prints lower-case hex; keep the promise independent of the libc. */
  return g_ascii_strdown (buf, -1);
}

int
stas_ip_family (const char *text)
{
  struct in_addr v4;
  struct in6_addr v6;
  int family = 0;

  if (!parse_ip (text, &family, &v4, &v6))
    return 0;
  return family;
}

gboolean
stas_ip_equal (const char *a, const char *b)
{
  g_autofree char *ca = stas_ip_canonical (a);
  g_autofree char *cb = stas_ip_canonical (b);

  return ca != NULL && cb != NULL && strcmp (ca, cb) == 0;
}

gboolean
stas_hostname_is_valid (const char *text)
{
  gsize len;

  if (text == NULL)
    return FALSE;
  len = strlen (text);
  if (len < 1 || len > 253)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

gboolean
stas_ifname_is_valid (const char *text)
{
  gsize len;

  if (text == NULL)
    return FALSE;
  len = strlen (text);
  if (len < 1 || len > 15)
    return FALSE;
  if (strcmp (text, ".") == 0 || strcmp (text, "..") == 0)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (*p == '/' || *p == ':' || *p == ',' || *p == '=' || g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/* TRUE if the first @n characters of @text are hexadecimal digits (what follows is the
 * caller's business). Stops safely at a NUL. */
static gboolean
is_hex_run (const char *text, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

gboolean
stas_uuid_is_valid (const char *text)
{
  static const gsize groups[] = { 8, 4, 4, 4, 12 };
  const char *p = text;

  if (text == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      if (!is_hex_run (p, groups[i]))
        return FALSE;
      p += groups[i];
      if (i + 1 < G_N_ELEMENTS (groups))
        {
          if (*p != '-')
            return FALSE;
          p++;
        }
    }
  return *p == '\0';
}

gboolean
stas_nqn_is_valid (const char *text)
{
  gsize len;

  if (text == NULL || !g_str_has_prefix (text, "nqn."))
    return FALSE;
  len = strlen (text);
  if (len > 223)
    return FALSE;
  for (const guchar *p = (const guchar *) text; *p; p++)
    if (*p < 0x20 || *p > 0x7e)
      return FALSE;
  return TRUE;
}

gboolean
stas_fc_addr_is_valid (const char *text)
{
  /* nn-0x<16 hex>:pn-0x<16 hex>, 43 characters */
  if (text == NULL || strlen (text) != 43)
    return FALSE;
  return strncmp (text, "nn-0x", 5) == 0 && is_hex_run (text + 5, 16) && text[21] == ':' &&
         strncmp (text + 22, "pn-0x", 5) == 0 && is_hex_run (text + 27, 16);
}

static gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/';
}

gboolean
stas_dhchap_secret_is_valid (const char *text)
{
  const char *p;
  gsize n = 0, pad = 0;

  /* DHHC-1:<2 hex>:<base64>: — the base64 part is at least one character, '=' only as
   * trailing padding (at most two). Its decoded length is left to the kernel. */
  if (text == NULL || !g_str_has_prefix (text, "DHHC-1:"))
    return FALSE;
  p = text + 7;
  if (!is_hex_run (p, 2) || p[2] != ':')
    return FALSE;
  p += 3;
  for (; is_base64_char (*p); p++)
    n++;
  for (; *p == '='; p++)
    pad++;
  return n > 0 && pad <= 2 && p[0] == ':' && p[1] == '\0';
}
