/* fuzz-dlpe.c — one 1024-byte discovery log page entry from the network (spec/bad-input.md
 * §6): parsed, published (D-Bus dictionary, repr), read back as stafd's reply is read by
 * stacd, and turned into the TID of a referral / I/O controller under a few DCs.
 *
 * Input: the record (shorter inputs are padded with zeros, longer ones cut). */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "stas-dlp.h"
#include "stas-json.h"

static StasTid *
dc_tid (const char *transport, const char *traddr, const char *trsvcid, const char *host_iface)
{
  StasTidFields f = {
    .transport = transport,
    .traddr = traddr,
    .trsvcid = trsvcid,
    .host_iface = host_iface,
  };
  StasTid *tid = stas_tid_new (&fuzz_stafd_defaults, &f, NULL);

  g_assert_nonnull (tid);
  return tid;
}

static void
derive (const StasDlpe *dlpe, const StasTid *dc)
{
  const StasTidDefaults *defaults[] = { &fuzz_stafd_defaults, &fuzz_stacd_defaults };
  StasTidFields fields;

  (void) stas_dlpe_same_transport (dlpe, dc);
  (void) stas_dlpe_is_self_referral (dlpe, dc);
  stas_dlpe_tid_fields (dlpe, dc, &fields);
  for (gsize i = 0; i < G_N_ELEMENTS (defaults); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (StasTid) tid = stas_dlpe_to_tid (dlpe, dc, defaults[i], &error);

      if (tid == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (g_error_matches (error, STAS_DLP_ERROR, STAS_DLP_ERROR_CROSS_TRANSPORT) ||
                         g_error_matches (error, STAS_DLP_ERROR, STAS_DLP_ERROR_INVALID));
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpstr (stas_tid_get_transport (tid), ==, stas_tid_get_transport (dc));
      (void) stas_tid_to_string (tid);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  guint8 record[STAS_DLPE_SIZE] = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) dict = NULL;
  g_autofree char *repr = NULL;
  g_autofree char *json = NULL;
  g_autoptr (StasTid) tcp_dc = NULL;
  g_autoptr (StasTid) tcp6_dc = NULL;
  g_autoptr (StasTid) rdma_dc = NULL;
  g_autoptr (StasTid) fc_dc = NULL;
  char buf[STAS_DLP_CODE_BUF];
  StasDlpe dlpe;
  StasDlpe back;

  memcpy (record, data, MIN (size, sizeof record));
  if (!stas_dlpe_parse (record, &dlpe, &error))
    {
      g_assert_true (g_error_matches (error, STAS_DLP_ERROR, STAS_DLP_ERROR_MALFORMED));
      return 0;
    }
  g_assert_no_error (error);

  /* the published form: printable ASCII, no surrounding whitespace */
  for (const char *s = dlpe.traddr; *s != '\0'; s++)
    g_assert_true (*s >= 0x20 && *s <= 0x7e);
  for (const char *s = dlpe.subnqn; *s != '\0'; s++)
    g_assert_true (*s >= 0x20 && *s <= 0x7e);
  for (const char *s = dlpe.trsvcid; *s != '\0'; s++)
    g_assert_true (*s >= 0x20 && *s <= 0x7e);

  (void) stas_dlpe_is_published (&dlpe);
  (void) stas_dlp_trtype_to_string (dlpe.trtype, buf);
  (void) stas_dlp_adrfam_to_string (dlpe.adrfam, buf);
  (void) stas_dlp_subtype_to_string (dlpe.subtype, buf);
  (void) stas_dlp_treq_to_string (dlpe.treq, buf);
  (void) stas_dlpe_transport (&dlpe);
  (void) stas_dlpe_is_referral (&dlpe);
  (void) stas_dlpe_is_nvme (&dlpe);
  (void) stas_dlpe_is_discovery (&dlpe);
  (void) stas_dlpe_has_ncc (&dlpe);

  /* D-Bus dictionary and back (stafd → stacd, state file): the same entry */
  dict = g_variant_ref_sink (stas_dlpe_to_variant (&dlpe));
  g_assert_true (stas_dlpe_from_variant (dict, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpint (memcmp (&dlpe, &back, sizeof dlpe), ==, 0);
  repr = stas_dlpe_to_repr (&dlpe);
  json = stas_json_compact_from_variant (dict);
  g_assert_nonnull (json);

  tcp_dc = dc_tid ("tcp", "192.168.1.20", "8009", "eth1");
  tcp6_dc = dc_tid ("tcp", "fe80::1", "8009", "");
  rdma_dc = dc_tid ("rdma", "10.0.0.1", "4420", "");
  fc_dc = dc_tid ("fc", "nn-0x1000000044001123:pn-0x2000000055001123", "", "");
  derive (&dlpe, tcp_dc);
  derive (&dlpe, tcp6_dc);
  derive (&dlpe, rdma_dc);
  derive (&dlpe, fc_dc);
  return 0;
}
