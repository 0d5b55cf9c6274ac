/* fuzz-dlp-page.c — a whole discovery log page as the fabrics layer returns it
 * (spec/behaviour.md §5.5 [DC-5], spec/bad-input.md §6), header fields included, so NUMREC
 * and GENCTR may lie about the records that follow.
 *
 * Input: genctr (8 bytes LE), numrec (8 bytes LE), recfmt (2 bytes LE), then the records
 * (any length: a partial record at the end is not a record). */
#include "config.h"

#include "fuzz-common.h"
#include "stas-dlp.h"
#include "stas-json.h"
#include "stas-log.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GArray) entries = NULL;
  g_autoptr (GVariant) published = NULL;
  g_autofree char *json = NULL;
  StasDlpRaw *raw = g_new0 (StasDlpRaw, 1);
  FuzzReader r;
  guint dropped = 0;
  guint64 present;

  fuzz_reader_init (&r, data, size);
  raw->genctr = fuzz_read_u64 (&r);
  raw->numrec = fuzz_read_u64 (&r);
  raw->recfmt = fuzz_read_u16 (&r);
  raw->entries = g_bytes_new (data + r.pos, size - MIN (r.pos, size));
  present = MIN (raw->numrec, g_bytes_get_size (raw->entries) / STAS_DLPE_SIZE);

  entries = stas_dlp_parse_page (raw, "(tcp, 192.168.1.20, 8009, " FUZZ_HOST_NQN ")", "nvme1",
                                 &dropped, diags);
  /* every announced record is published, hidden or counted as dropped */
  g_assert_cmpuint (entries->len, <=, present);
  if (raw->numrec > present)
    g_assert_cmpuint (dropped, >, 0);
  for (guint i = 0; i < entries->len; i++)
    g_assert_true (stas_dlpe_is_published (&g_array_index (entries, StasDlpe, i)));

  published = g_variant_ref_sink (stas_dlp_to_variant (entries));
  g_assert_cmpuint (g_variant_n_children (published), ==, entries->len);
  json = stas_json_compact_from_variant (published);
  g_assert_nonnull (json);

  /* the same page without a device name nor DC, as a short read of a DC leaves it */
  {
    g_autoptr (GArray) again = stas_dlp_parse_page (raw, NULL, NULL, NULL, NULL);
    g_assert_cmpuint (again->len, ==, entries->len);
  }
  stas_dlp_raw_free (raw);
  return 0;
}
