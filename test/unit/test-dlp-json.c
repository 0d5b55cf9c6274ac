/* test-dlp-json.c — [DBUS-33] [DBUS-36] the directly written JSON of a log page equals the
 * generic rendering of its aa{ss} dictionaries (the form get_all_log_pages replies with). */
#include "config.h"

#include "stas-dlp.h"
#include "stas-json.h"

static GArray *
entries_from_specs (const StasDlpeSpec *specs, gsize n)
{
  g_autoptr (StasDlpRaw) raw = stas_dlp_build_page (7, specs, n);
  guint dropped = 0;
  GArray *entries = stas_dlp_parse_page (raw, "(tcp, 192.168.1.10, 8009)", "nvme0", &dropped, NULL);

  g_assert_cmpuint (dropped, ==, 0);
  return entries;
}

static void
assert_same_json (const GArray *entries)
{
  g_autoptr (GVariant) variant = g_variant_ref_sink (stas_dlp_to_variant (entries));
  g_autoptr (StasJson) tree = stas_json_new_from_variant (variant);
  g_autofree char *generic = stas_json_to_compact (tree);
  g_autoptr (GString) direct = g_string_new (NULL);

  stas_dlp_append_json (direct, entries);
  g_assert_cmpstr (direct->str, ==, generic);
}

static void
test_empty (void)
{
  g_autoptr (GArray) entries = g_array_new (FALSE, TRUE, sizeof (StasDlpe));

  assert_same_json (entries);
}

static void
test_entries (void)
{
  const StasDlpeSpec specs[] = {
    { .trtype = 3,
      .adrfam = 1,
      .subtype = 2,
      .treq = 0,
      .portid = 1,
      .cntlid = 0xffff,
      .asqsz = 32,
      .trsvcid = "4420",
      .subnqn = "nqn.2023-01.com.example:a",
      .traddr = "10.0.0.1" },
    { .trtype = 3,
      .adrfam = 2,
      .subtype = 1,
      .treq = 5,
      .portid = 300,
      .cntlid = 1,
      .asqsz = 128,
      .eflags = 4,
      .trsvcid = "8009",
      .subnqn = "nqn.2014-08.org.nvmexpress.discovery",
      .traddr = "fe80::1" },
    /* quotes and backslashes are printable ASCII and must be escaped alike */
    { .trtype = 3,
      .adrfam = 1,
      .subtype = 2,
      .trsvcid = "4420",
      .subnqn = "nqn.x:\"q\\b\"",
      .traddr = "10.0.0.2" },
    { .trtype = 254,
      .adrfam = 254,
      .subtype = 9,
      .treq = 2,
      .trsvcid = "",
      .subnqn = "nqn.loop",
      .traddr = "" },
  };
  g_autoptr (GArray) entries = entries_from_specs (specs, G_N_ELEMENTS (specs));

  g_assert_cmpuint (entries->len, ==, G_N_ELEMENTS (specs));
  assert_same_json (entries);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dlp-json/empty", test_empty);
  g_test_add_func ("/dlp-json/entries", test_entries);
  return g_test_run ();
}
