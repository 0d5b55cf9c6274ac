/* fuzz-mdns.c — what avahi-daemon reports of an mDNS service (spec/behaviour.md §8
 * [ZC-3] [ZC-5], spec/bad-input.md §5): the TXT records, the address, port and interface,
 * the service name; through stas-zeroconf.h (TXT parsing, identification, duplicate
 * addresses, service → TID).
 *
 * Input: byte 0: flags (bit 0 IPv6, bit 1 tp8013, bit 2 interface gone); 2 bytes LE: the
 * port; NUL-terminated strings: the address, the interface name, the service name, the
 * domain; then the TXT records in DNS wire format (a length byte, then the record). */
#include "config.h"

#include <net/if.h>
#include <string.h>

#include "fuzz-common.h"
#include "stas-log.h"
#include "stas-zeroconf.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (StasZcTxt) txt = NULL;
  g_autofree char *address = NULL;
  g_autofree char *ifname = NULL;
  g_autofree char *name = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *txt_text = NULL;
  g_autofree char *service = NULL;
  StasZcIdentity identity = { 0 };
  StasZcIdentity copy = { 0 };
  StasZcResult result;
  FuzzReader r;
  guint8 flags;
  guint port;

  fuzz_reader_init (&r, data, size);
  flags = fuzz_read_u8 (&r);
  port = fuzz_read_u16 (&r);
  address = fuzz_read_string (&r);
  ifname = fuzz_read_string (&r);
  if (strlen (ifname) > IFNAMSIZ - 1)
    ifname[IFNAMSIZ - 1] = '\0'; /* if_indextoname() gives at most IFNAMSIZ - 1 bytes */
  name = fuzz_read_string (&r);
  domain = fuzz_read_string (&r);
  while (r.pos < r.size)
    {
      gsize len = fuzz_read_u8 (&r);

      len = MIN (len, r.size - r.pos);

      g_ptr_array_add (records, g_bytes_new (r.data + r.pos, len));
      r.pos += len;
    }

  txt = stas_zc_txt_parse ((GBytes *const *) records->pdata, records->len, diags);
  txt_text = stas_zc_txt_to_string (txt);
  (void) stas_zc_txt_size (txt);
  (void) stas_zc_transport_from_p (stas_zc_txt_lookup (txt, "p"));
  (void) stas_zc_txt_lookup (txt, "nqn");

  /* names are checked before they are shown */
  if (stas_zc_name_is_valid (name, 63) && stas_zc_name_is_valid (domain, 255) &&
      g_utf8_validate (ifname, -1, NULL))
    service =
        stas_zc_service_string (ifname, (flags & 1) != 0 ? 6 : 4, name, domain, STAS_ZC_STYPE_TCP);

  result.ifname = (flags & 4) != 0 ? NULL : ifname;
  result.family = (flags & 1) != 0 ? 6 : 4;
  result.address = address;
  result.port = port;
  result.txt = txt;
  if (stas_zc_identify (&result, (flags & 2) != 0, &identity, diags))
    {
      g_autoptr (StasTid) tid = NULL;
      StasZcAddrIf entries[3] = {
        { identity.traddr, result.ifname },
        { "192.168.1.20", "eth1" },
        { identity.traddr, "eth9" },
      };

      g_assert_true (g_strcmp0 (identity.transport, "tcp") == 0 ||
                     g_strcmp0 (identity.transport, "rdma") == 0);
      stas_zc_identity_copy (&identity, &copy);
      g_assert_true (stas_zc_identity_equal (&identity, &copy));
      tid = stas_zc_identity_to_tid (&fuzz_stafd_defaults, &identity);
      g_assert_nonnull (tid); /* "never for one stas_zc_identify() built" */
      stas_zc_check_duplicates (entries, G_N_ELEMENTS (entries), diags);
    }
  stas_zc_identity_clear (&identity);
  stas_zc_identity_clear (&copy);
  return 0;
}
