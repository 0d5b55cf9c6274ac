/* fuzz-nbft.c — an ACPI NBFT image (spec/config.md §6 [CFG-30], spec/bad-input.md §9):
 * parsed, turned into discovery candidates, HFI MACs matched against interfaces.
 *
 * Input: the table. It is parsed as given, then once more with the header's length set to
 * the input size and the checksum fixed, so that mutations reach past the header checks. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "stas-log.h"
#include "stas-nbft.h"

#define HDR_LENGTH 4
#define HDR_CHECKSUM 9

static const StasNbftLink links[] = {
  { "lo", "00:00:00:00:00:00", TRUE },   { "eth0", "52:54:00:12:34:56", TRUE },
  { "eth1", "52:54:00:12:34:57", TRUE }, { "eth2", "52:54:00:12:34:57", TRUE }, /* duplicate MAC */
  { "wg0", "52:54:00:12:34:58", FALSE },
};

static void
parse (const guint8 *data, gsize size)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (StasNbft) nbft = stas_nbft_parse (data, size, &error);
  g_autoptr (GPtrArray) candidates = NULL;

  if (nbft == NULL)
    {
      g_assert_true (g_error_matches (error, STAS_NBFT_ERROR, STAS_NBFT_ERROR_INVALID));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return;
    }
  g_assert_no_error (error);

  for (guint i = 0; i < nbft->hfis->len; i++)
    {
      const StasNbftHfi *hfi = g_ptr_array_index (nbft->hfis, i);

      g_assert_true (stas_nbft_find_hfi (nbft, hfi->index) != NULL);
      if (hfi->mac_text != NULL)
        g_free (stas_nbft_mac_to_iface (hfi->mac_text, links, G_N_ELEMENTS (links), diags));
    }
  candidates = stas_nbft_candidates (nbft, "/sys/firmware/acpi/tables/NBFT", diags);
  for (guint i = 0; i < candidates->len; i++)
    {
      const StasNbftCandidate *c = g_ptr_array_index (candidates, i);

      g_assert_true (g_strcmp0 (c->transport, "tcp") == 0 || g_strcmp0 (c->transport, "rdma") == 0);
      g_assert_nonnull (c->traddr);
      g_assert_nonnull (c->trsvcid);
      g_assert_nonnull (c->subsysnqn);
      g_assert_true (g_utf8_validate (c->subsysnqn, -1, NULL));
      if (c->hfi_mac != NULL)
        g_free (stas_nbft_mac_to_iface (c->hfi_mac, links, G_N_ELEMENTS (links), diags));
    }
  for (guint i = 0; i < diags->len; i++)
    {
      const StasDiag *d = g_ptr_array_index (diags, i);
      g_assert_true (g_utf8_validate (d->text, -1, NULL));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree guint8 *fixed = NULL;
  guint8 sum = 0;

  parse (data, size);
  if (size < HDR_CHECKSUM + 1 || size > G_MAXUINT32)
    return 0;
  fixed = g_memdup2 (data, size);
  fixed[HDR_LENGTH] = (guint8) size;
  fixed[HDR_LENGTH + 1] = (guint8) (size >> 8);
  fixed[HDR_LENGTH + 2] = (guint8) (size >> 16);
  fixed[HDR_LENGTH + 3] = (guint8) (size >> 24);
  fixed[HDR_CHECKSUM] = 0;
  for (gsize i = 0; i < size; i++)
    sum += fixed[i];
  fixed[HDR_CHECKSUM] = (guint8) (0x100 - sum);
  parse (fixed, size);
  return 0;
}
