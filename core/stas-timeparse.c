/* stas-timeparse.c — time-span grammar of spec/config.md §2.5 [CFG-6].
 *
 * A hand-written scanner over the grammar (no regular expressions, no strtod() on the
 * whole text, so "nan", "inf" and exponents can never slip through [D-09]). The result is
 * the exact sum of the parts; unlike pytimeparse it is never truncated to an integer. */
#include "config.h"

#include "stas-timeparse.h"

#include <math.h>
#include <string.h>

enum
{
  UNIT_DAYS,
  UNIT_HOURS,
  UNIT_MINUTES,
  UNIT_SECONDS,
  UNIT_NONE,
};

static const double unit_seconds[] = { 86400.0, 3600.0, 60.0, 1.0 };

static void
skip_ws (const char **pp)
{
  while (g_ascii_isspace (**pp))
    (*pp)++;
}

static gsize
count_digits (const char *p)
{
  gsize n = 0;

  while (g_ascii_isdigit (p[n]))
    n++;
  return n;
}

/* Converts the @len characters at @p (already checked to be digits with at most one '.')
 * to a double, independent of the locale. */
static double
to_double (const char *p, gsize len)
{
  g_autofree char *copy = g_strndup (p, len);

  return g_ascii_strtod (copy, NULL);
}

/* n = digits ["." digits]; advances *pp past it. */
static gboolean
scan_n (const char **pp, double *value)
{
  const char *p = *pp;
  gsize len = count_digits (p);

  if (len == 0)
    return FALSE;
  if (p[len] == '.')
    {
      gsize frac = count_digits (p + len + 1);

      if (frac == 0)
        return FALSE;
      len += 1 + frac;
    }
  *value = to_double (p, len);
  *pp = p + len;
  return TRUE;
}

/* number = digits ["." [digits]] | "." digits — the whole remaining text. */
static gboolean
parse_number (const char *p, double *value)
{
  gsize ip = count_digits (p);
  gsize len = ip;

  if (p[len] == '.')
    {
      gsize frac = count_digits (p + len + 1);

      if (ip == 0 && frac == 0)
        return FALSE;
      len += 1 + frac;
    }
  if (len == 0)
    return FALSE;
  *value = to_double (p, len);
  p += len;
  skip_ws (&p);
  return *p == '\0';
}

static int
unit_from_word (const char *word, gsize len)
{
  static const struct
  {
    const char *word;
    int unit;
  } words[] = {
    { "d", UNIT_DAYS },         { "dy", UNIT_DAYS },         { "dys", UNIT_DAYS },
    { "day", UNIT_DAYS },       { "days", UNIT_DAYS },       { "h", UNIT_HOURS },
    { "hr", UNIT_HOURS },       { "hrs", UNIT_HOURS },       { "hour", UNIT_HOURS },
    { "hours", UNIT_HOURS },    { "m", UNIT_MINUTES },       { "min", UNIT_MINUTES },
    { "mins", UNIT_MINUTES },   { "minute", UNIT_MINUTES },  { "minutes", UNIT_MINUTES },
    { "s", UNIT_SECONDS },      { "sec", UNIT_SECONDS },     { "secs", UNIT_SECONDS },
    { "second", UNIT_SECONDS }, { "seconds", UNIT_SECONDS },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (strlen (words[i].word) == len && g_ascii_strncasecmp (word, words[i].word, len) == 0)
      return words[i].unit;
  return UNIT_NONE;
}

/* One clock token (no whitespace inside), the whole remaining text:
 *   ":" SS | MM ":" SS | H ":" MM ":" SS | D ":" HH ":" MM ":" SS
 * with SS = 2 digits ["." digits], MM of "MM:SS" 1..2 digits, other MM/HH 2 digits.
 * @hms_only: only H ":" MM ":" SS is allowed (after "n D [sep]"). */
static gboolean
parse_clock (const char *p, gboolean hms_only, double *value)
{
  const char *groups[4];
  gsize lens[4];
  gsize n = 0, sec_len, frac = 0;
  double total = 0;

  for (;;)
    {
      if (n == G_N_ELEMENTS (groups))
        return FALSE;
      groups[n] = p;
      lens[n] = count_digits (p);
      p += lens[n];
      n++;
      if (*p != ':')
        break;
      p++;
    }

  /* The last group is SS, optionally with a fraction. */
  sec_len = lens[n - 1];
  if (sec_len != 2)
    return FALSE;
  if (*p == '.')
    {
      frac = count_digits (p + 1);
      if (frac == 0)
        return FALSE;
      p += 1 + frac;
    }
  skip_ws (&p);
  if (*p != '\0')
    return FALSE;

  switch (n)
    {
    case 2: /* ":" SS or MM ":" SS */
      if (hms_only || lens[0] > 2)
        return FALSE;
      if (lens[0] > 0)
        total = to_double (groups[0], lens[0]) * 60.0;
      break;
    case 3: /* H ":" MM ":" SS */
      if (lens[0] == 0 || lens[1] != 2)
        return FALSE;
      total = to_double (groups[0], lens[0]) * 3600.0 + to_double (groups[1], 2) * 60.0;
      break;
    case 4: /* D ":" HH ":" MM ":" SS */
      if (hms_only || lens[0] == 0 || lens[1] != 2 || lens[2] != 2)
        return FALSE;
      total = to_double (groups[0], lens[0]) * 86400.0 + to_double (groups[1], 2) * 3600.0 +
              to_double (groups[2], 2) * 60.0;
      break;
    default:
      return FALSE;
    }

  *value = total + to_double (groups[n - 1], 2 + (frac ? 1 + frac : 0));
  return TRUE;
}

static gboolean
is_sep (char c)
{
  return c == ',' || c == '/';
}

/* units = [n D [sep]] [n H [sep]] [n M [sep]] [n S], at least one part; also the
 * clock form n D [sep] H ":" MM ":" SS. The whole remaining text. */
static gboolean
parse_units (const char *p, double *value)
{
  int next_unit = UNIT_DAYS; /* parts must come in D, H, M, S order, each at most once */
  double total = 0;
  guint parts = 0;

  while (*p != '\0')
    {
      const char *word;
      double n;
      int unit;

      if (parts == 1 && next_unit == UNIT_HOURS && g_ascii_isdigit (*p))
        {
          /* after "n D [sep]": maybe H:MM:SS */
          const char *q = p + count_digits (p);

          if (*q == ':')
            {
              double clock;

              if (!parse_clock (p, TRUE, &clock))
                return FALSE;
              *value = total + clock;
              return TRUE;
            }
        }

      if (!scan_n (&p, &n))
        return FALSE;
      skip_ws (&p);
      word = p;
      while (g_ascii_isalpha (*p))
        p++;
      unit = unit_from_word (word, p - word);
      if (unit == UNIT_NONE || unit < next_unit)
        return FALSE;
      total += n * unit_seconds[unit];
      next_unit = unit + 1;
      parts++;
      skip_ws (&p);
      if (is_sep (*p))
        {
          if (unit == UNIT_SECONDS)
            return FALSE;
          p++;
          skip_ws (&p);
        }
    }

  if (parts == 0)
    return FALSE;
  *value = total;
  return TRUE;
}

gboolean
stas_timeparse (const char *text, double *seconds)
{
  const char *p = text;
  double sign = 1.0, value = 0;

  if (text == NULL)
    return FALSE;

  skip_ws (&p);
  if (*p == '+' || *p == '-')
    {
      if (*p == '-')
        sign = -1.0;
      p++;
      skip_ws (&p);
    }
  if (*p == '\0')
    return FALSE;

  if (!parse_number (p, &value) && !parse_clock (p, FALSE, &value) && !parse_units (p, &value))
    return FALSE;

  /* Digit strings long enough to overflow a double are not a duration. */
  if (!isfinite (value))
    return FALSE;

  if (seconds != NULL)
    *seconds = sign * value;
  return TRUE;
}
