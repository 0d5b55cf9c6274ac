/* test-nbft.c — stas' own NBFT parser (spec/config.md §6 [CFG-30]; spec/bad-input.md §9;
 * departure D-69; SPEC §2.4 [GEN-5]).
 *
 * Tables are built here byte by byte, with correct checksums, following the NVMe Boot
 * Specification 1.0 layout; malformed variants are derived from them. Every parse runs on
 * an exactly sized heap copy so that valgrind / ASan catch any read past the end.
 *
 * `test-nbft --write-fixtures DIR` writes the tables of test/data/nbft/. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "stas-log.h"
#include "stas-names.h"
#include "stas-nbft.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOSTID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define DCNQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"
#define SUBNQN "nqn.2014-08.org.example:boot-subsys"

/* ---- table generator ------------------------------------------------------------------- */

/* Layout the generator uses: header | control | host | HFIs | SSNSs | discoveries | heap */
#define G_CTRL 64
#define G_HOST 128
#define G_HOST_LEN 32
#define G_HFI_LEN 32
#define G_SSNS_LEN 128
#define G_DISC_LEN 32
#define G_TRINFO_LEN 128

typedef struct
{
  guint index;
  guint8 mac[6];
  gboolean no_trinfo;
  guint16 vlan;
  guint8 ip[16];
  const char *host_name;
} HfiSpec;

typedef struct
{
  const char *uri;
  const char *nqn;
  guint hfi_index;
  gboolean invalid; /* "descriptor valid" flag clear */
} DiscSpec;

typedef struct
{
  const char *host_nqn;
  gboolean nqn_configured;
  gboolean zero_host_id;
  gboolean host_invalid;
  HfiSpec hfi[4];
  guint n_hfi;
  DiscSpec disc[4];
  guint n_disc;
  gboolean ssns;
  gboolean nul_in_length; /* heap string lengths count their terminating NUL */
} Spec;

typedef struct
{
  guint8 *data;
  gsize len;
  gsize hfi_off;
  gsize ssns_off;
  gsize disc_off;
  gsize heap_off;
  gsize heap_len;
  gsize first_uri; /* heap offset of the first discovery URI */
} Built;

static void
built_clear (Built *b)
{
  g_free (b->data);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Built, built_clear)

static void
put16 (guint8 *p, guint v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
}

static void
put32 (guint8 *p, guint32 v)
{
  put16 (p, v & 0xffff);
  put16 (p + 2, v >> 16);
}

static void
fix_checksum (guint8 *data, gsize len)
{
  guint8 sum = 0;

  data[9] = 0;
  for (gsize i = 0; i < len; i++)
    sum += data[i];
  data[9] = (guint8) (0x100 - sum);
}

/* Appends @len bytes to the heap and stores the heap object reference at @field. */
static gsize
heap_put (
    GByteArray *heap, gsize heap_off, guint8 *field, const void *bytes, gsize len, gsize obj_len)
{
  gsize off = heap_off + heap->len;

  g_byte_array_append (heap, bytes, len);
  put32 (field, off);
  put16 (field + 4, obj_len);
  return off;
}

static void
heap_str (GByteArray *heap, gsize heap_off, guint8 *field, const char *s, gboolean nul_in_length)
{
  if (s == NULL)
    return;
  heap_put (heap, heap_off, field, s, strlen (s) + 1, strlen (s) + (nul_in_length ? 1 : 0));
}

static void
build (const Spec *spec, Built *b)
{
  gsize n_ssns = spec->ssns ? 1 : 0;
  gsize fixed = G_HOST + G_HOST_LEN + spec->n_hfi * G_HFI_LEN + n_ssns * G_SSNS_LEN +
                spec->n_disc * G_DISC_LEN;
  g_autoptr (GByteArray) heap = g_byte_array_new ();
  guint8 *d = g_malloc0 (fixed);
  guint8 *ctrl = d + G_CTRL;
  guint8 *host = d + G_HOST;
  static const guint8 host_id[16] = { 0x9d, 0x1a, 0x8b, 0x3e, 0x2c, 0x4f, 0x4e, 0x6a,
                                      0x9b, 0x7d, 0x1f, 0x2e, 0x3d, 0x4c, 0x5b, 0x6a };

  b->hfi_off = G_HOST + G_HOST_LEN;
  b->ssns_off = b->hfi_off + spec->n_hfi * G_HFI_LEN;
  b->disc_off = b->ssns_off + n_ssns * G_SSNS_LEN;
  b->heap_off = fixed;
  b->first_uri = 0;

  /* the heap starts with the driver signature (not a string) */
  heap_put (heap, fixed, d + 44, "stas-test", 9, 9);

  ctrl[0] = 1; /* control */
  ctrl[1] = 1;
  put16 (ctrl + 4, 64);
  ctrl[6] = 1; /* valid */
  put32 (ctrl + 8, G_HOST);
  put16 (ctrl + 12, G_HOST_LEN);
  ctrl[14] = 1;

  host[0] = 2;
  host[1] = (spec->host_invalid ? 0 : 1) | (spec->nqn_configured ? 0x04 : 0) | 0x02;
  if (!spec->zero_host_id)
    memcpy (host + 2, host_id, 16);
  heap_str (heap, fixed, host + 18, spec->host_nqn, spec->nul_in_length);

  if (spec->n_hfi > 0)
    {
      put32 (ctrl + 16, b->hfi_off);
      put16 (ctrl + 20, G_HFI_LEN);
      ctrl[22] = 1;
      ctrl[23] = spec->n_hfi;
    }
  for (guint i = 0; i < spec->n_hfi; i++)
    {
      const HfiSpec *h = &spec->hfi[i];
      guint8 *e = d + b->hfi_off + i * G_HFI_LEN;
      guint8 info[G_TRINFO_LEN] = { 0 };

      e[0] = 3;
      e[1] = h->index;
      e[2] = 1;
      e[3] = 3; /* tcp */
      if (h->no_trinfo)
        continue;
      info[0] = 7;
      info[1] = 1;
      info[2] = 3;
      info[3] = 1;
      put16 (info + 4, h->index);
      info[6] = 1;
      memcpy (info + 11, h->mac, 6);
      put16 (info + 17, h->vlan);
      info[19] = 1;
      memcpy (info + 20, h->ip, 16);
      info[36] = 24;
      /* the host name string first: its reference goes inside the transport info */
      heap_str (heap, fixed, info + 104, h->host_name, spec->nul_in_length);
      heap_put (heap, fixed, e + 16, info, sizeof info, sizeof info);
    }

  if (spec->ssns)
    {
      guint8 *e = d + b->ssns_off;
      static const guint8 ip[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 20 };

      put32 (ctrl + 24, b->ssns_off);
      put16 (ctrl + 28, G_SSNS_LEN);
      ctrl[30] = 1;
      ctrl[31] = 1;
      e[0] = 4;
      put16 (e + 1, 1);
      put16 (e + 3, 1);
      e[5] = 3;
      e[8] = 1;
      heap_put (heap, fixed, e + 10, ip, 16, 16);
      heap_str (heap, fixed, e + 16, "4420", spec->nul_in_length);
      put16 (e + 22, 7);
      put32 (e + 24, 1);
      e[46] = 1;
      heap_str (heap, fixed, e + 54, SUBNQN, spec->nul_in_length);
    }

  if (spec->n_disc > 0)
    {
      put32 (ctrl + 40, b->disc_off);
      put16 (ctrl + 44, G_DISC_LEN);
      ctrl[46] = 1;
      ctrl[47] = spec->n_disc;
    }
  for (guint i = 0; i < spec->n_disc; i++)
    {
      const DiscSpec *s = &spec->disc[i];
      guint8 *e = d + b->disc_off + i * G_DISC_LEN;

      e[0] = 6;
      e[1] = s->invalid ? 0 : 1;
      e[2] = i + 1;
      e[3] = s->hfi_index;
      if (i == 0)
        b->first_uri = fixed + heap->len;
      heap_str (heap, fixed, e + 6, s->uri, spec->nul_in_length);
      heap_str (heap, fixed, e + 12, s->nqn, spec->nul_in_length);
    }

  b->heap_len = heap->len;
  b->len = fixed + heap->len;
  b->data = g_realloc (d, b->len);
  memcpy (b->data + fixed, heap->data, heap->len);
  memcpy (b->data, "NBFT", 4);
  put32 (b->data + 4, b->len);
  b->data[8] = 1;
  memcpy (b->data + 10, "STASOE", 6);
  memcpy (b->data + 16, "STASTEST", 8);
  put32 (b->data + 36, fixed);
  put32 (b->data + 40, heap->len);
  b->data[50] = 0;
  fix_checksum (b->data, b->len);
}

/* The standard valid table: host NQN configured, one HFI, one discovery descriptor. */
static const Spec SPEC_ONE = {
  .host_nqn = HOSTNQN,
  .nqn_configured = TRUE,
  .n_hfi = 1,
  .hfi = { { .index = 1,
             .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
             .vlan = 0,
             .ip = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 2 },
             .host_name = "bootclient" } },
  .n_disc = 1,
  .disc = { { .uri = "nvme+tcp://192.168.1.10:4420/", .nqn = DCNQN, .hfi_index = 1 } },
  .ssns = TRUE,
};

static const Spec SPEC_TWO = {
  .host_nqn = HOSTNQN,
  .nqn_configured = TRUE,
  .n_hfi = 2,
  .hfi = { { .index = 1, .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } },
           { .index = 2, .mac = { 0x52, 0x54, 0x00, 0xAB, 0xCD, 0xEF }, .vlan = 100 } },
  .n_disc = 2,
  .disc = { { .uri = "nvme+tcp://192.168.1.10/", .nqn = DCNQN, .hfi_index = 1 },
            { .uri = "nvme+tcp://[fe80::1]:8009/", .nqn = "", .hfi_index = 2 } },
};

/* Parses an exactly sized copy of @len bytes of @data. */
static StasNbft *
parse_copy (const guint8 *data, gsize len, GError **error)
{
  g_autofree guint8 *copy = len > 0 ? g_memdup2 (data, len) : g_malloc (1);

  return stas_nbft_parse (copy, len, error);
}

static StasNbft *
parse_ok (const Built *b)
{
  g_autoptr (GError) error = NULL;
  StasNbft *nbft = parse_copy (b->data, b->len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (nbft);
  return nbft;
}

/* Parses and expects failure with @reason (a substring of the message). */
static void
assert_invalid (const guint8 *data, gsize len, const char *reason)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StasNbft) nbft = parse_copy (data, len, &error);

  g_assert_null (nbft);
  g_assert_error (error, STAS_NBFT_ERROR, STAS_NBFT_ERROR_INVALID);
  if (strstr (error->message, reason) == NULL)
    g_error ("expected \"%s\" in \"%s\"", reason, error->message);
}

static char
level_letter (StasLogLevel level)
{
  switch (level)
    {
    case STAS_LOG_ERROR:
      return 'E';
    case STAS_LOG_WARNING:
      return 'W';
    case STAS_LOG_INFO:
      return 'I';
    case STAS_LOG_DEBUG:
      return 'D';
    default:
      return '?';
    }
}

static void
assert_diags (GPtrArray *diags, const char *const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < diags->len; i++)
    {
      StasDiag *d = g_ptr_array_index (diags, i);
      g_autofree char *got = g_strdup_printf ("%c %s", level_letter (d->level), d->text);
      if (i >= n)
        g_error ("unexpected diagnostic: %s", got);
      g_assert_cmpstr (got, ==, expected[i]);
    }
  g_assert_cmpuint (diags->len, ==, n);
}

#define ASSERT_DIAGS(diags, ...) assert_diags ((diags), (const char *const[]){ __VA_ARGS__, NULL })
#define ASSERT_NO_DIAGS(diags) assert_diags ((diags), (const char *const[]){ NULL })

static GPtrArray *
candidates_of (const Spec *spec, GPtrArray *diags)
{
  g_auto (Built) b = { 0 };
  g_autoptr (StasNbft) nbft = NULL;

  build (spec, &b);
  nbft = parse_ok (&b);
  return stas_nbft_candidates (nbft, "/t/NBFT", diags);
}

static void
assert_candidate (const StasNbftCandidate *c,
                  const char *transport,
                  const char *traddr,
                  const char *trsvcid,
                  const char *subsysnqn,
                  const char *mac,
                  const char *host_nqn,
                  const char *host_id)
{
  g_assert_cmpstr (c->path, ==, "/t/NBFT");
  g_assert_cmpstr (c->transport, ==, transport);
  g_assert_cmpstr (c->traddr, ==, traddr);
  g_assert_cmpstr (c->trsvcid, ==, trsvcid);
  g_assert_cmpstr (c->subsysnqn, ==, subsysnqn);
  g_assert_cmpstr (c->hfi_mac, ==, mac);
  g_assert_cmpstr (c->host_nqn, ==, host_nqn);
  g_assert_cmpstr (c->host_id, ==, host_id);
}

/* ---- valid tables [CFG-30] ------------------------------------------------------------- */

static void
test_valid_one (void)
{
  g_auto (Built) b = { 0 };
  g_autoptr (StasNbft) nbft = NULL;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) cands = NULL;
  const StasNbftHfi *hfi;
  const StasNbftDiscovery *disc;
  const StasNbftSsns *ssns;

  build (&SPEC_ONE, &b);
  nbft = parse_ok (&b);

  g_assert_cmpuint (nbft->major_revision, ==, 1);
  g_assert_cmpstr (nbft->oem_id, ==, "STASOE");
  g_assert_cmpstr (nbft->oem_table_id, ==, "STASTEST");
  g_assert_true (nbft->control_valid);
  g_assert_true (nbft->host.present);
  g_assert_true (nbft->host.valid);
  g_assert_true (nbft->host.host_nqn_configured);
  g_assert_true (nbft->host.host_id_configured);
  g_assert_cmpstr (nbft->host.host_nqn, ==, HOSTNQN);
  g_assert_cmpstr (nbft->host.host_id_text, ==, HOSTID);

  g_assert_cmpuint (nbft->hfis->len, ==, 1);
  hfi = stas_nbft_find_hfi (nbft, 1);
  g_assert_nonnull (hfi);
  g_assert_null (stas_nbft_find_hfi (nbft, 2));
  g_assert_cmpuint (hfi->trtype, ==, 3);
  g_assert_true (hfi->has_tcp_info);
  g_assert_cmpstr (hfi->mac_text, ==, "52:54:00:12:34:56");
  g_assert_cmpuint (hfi->vlan, ==, 0);
  g_assert_cmpstr (hfi->ipaddr, ==, "192.168.1.2");
  g_assert_cmpuint (hfi->prefix, ==, 24);
  g_assert_null (hfi->gateway);
  g_assert_cmpstr (hfi->host_name, ==, "bootclient");

  g_assert_cmpuint (nbft->discoveries->len, ==, 1);
  disc = g_ptr_array_index (nbft->discoveries, 0);
  g_assert_cmpuint (disc->index, ==, 1);
  g_assert_cmpuint (disc->hfi_index, ==, 1);
  g_assert_cmpstr (disc->uri, ==, "nvme+tcp://192.168.1.10:4420/");
  g_assert_cmpstr (disc->nqn, ==, DCNQN);

  /* subsystem namespace descriptors are parsed (not used by the daemons) */
  g_assert_cmpuint (nbft->ssns->len, ==, 1);
  ssns = g_ptr_array_index (nbft->ssns, 0);
  g_assert_cmpuint (ssns->index, ==, 1);
  g_assert_cmpuint (ssns->trtype, ==, 3);
  g_assert_cmpstr (ssns->traddr, ==, "192.168.1.20");
  g_assert_cmpstr (ssns->trsvcid, ==, "4420");
  g_assert_cmpstr (ssns->nqn, ==, SUBNQN);
  g_assert_cmpuint (ssns->port_id, ==, 7);
  g_assert_cmpuint (ssns->nsid, ==, 1);
  g_assert_cmpuint (ssns->primary_discovery_index, ==, 1);
  g_assert_cmpuint (ssns->primary_hfi_index, ==, 1);

  cands = stas_nbft_candidates (nbft, "/t/NBFT", diags);
  ASSERT_NO_DIAGS (diags);
  g_assert_cmpuint (cands->len, ==, 1);
  assert_candidate (g_ptr_array_index (cands, 0), "tcp", "192.168.1.10", "4420", DCNQN,
                    "52:54:00:12:34:56", HOSTNQN, HOSTID);
  g_assert_cmpstr (((StasNbftCandidate *) g_ptr_array_index (cands, 0))->uri, ==,
                   "nvme+tcp://192.168.1.10:4420/");
}

/* Two descriptors on two HFIs; URI without port → 8009 [D-69]; IPv6 literal; empty NQN →
 * well-known NQN. */
static void
test_valid_two (void)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) cands = candidates_of (&SPEC_TWO, diags);

  ASSERT_NO_DIAGS (diags);
  g_assert_cmpuint (cands->len, ==, 2);
  assert_candidate (g_ptr_array_index (cands, 0), "tcp", "192.168.1.10", "8009", DCNQN,
                    "52:54:00:12:34:56", HOSTNQN, HOSTID);
  assert_candidate (g_ptr_array_index (cands, 1), "tcp", "fe80::1", "8009",
                    STAS_WELL_KNOWN_DISC_NQN, "52:54:00:ab:cd:ef", HOSTNQN, HOSTID);
}

/* The heap-string length may also count the terminating NUL. */
static void
test_nul_in_length (void)
{
  Spec spec = SPEC_ONE;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) cands = NULL;

  spec.nul_in_length = TRUE;
  cands = candidates_of (&spec, diags);
  ASSERT_NO_DIAGS (diags);
  g_assert_cmpuint (cands->len, ==, 1);
  assert_candidate (g_ptr_array_index (cands, 0), "tcp", "192.168.1.10", "4420", DCNQN,
                    "52:54:00:12:34:56", HOSTNQN, HOSTID);
}

/* Empty and absent descriptor NQNs both mean the well-known discovery NQN. */
static void
test_empty_nqn (void)
{
  Spec spec = SPEC_ONE;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) cands = NULL;

  spec.n_disc = 2;
  spec.disc[0].nqn = "";
  spec.disc[1] = (DiscSpec){ .uri = "nvme+tcp://192.168.1.11/", .nqn = NULL, .hfi_index = 1 };
  cands = candidates_of (&spec, diags);
  ASSERT_NO_DIAGS (diags);
  g_assert_cmpuint (cands->len, ==, 2);
  assert_candidate (g_ptr_array_index (cands, 0), "tcp", "192.168.1.10", "4420",
                    STAS_WELL_KNOWN_DISC_NQN, "52:54:00:12:34:56", HOSTNQN, HOSTID);
  assert_candidate (g_ptr_array_index (cands, 1), "tcp", "192.168.1.11", "8009",
                    STAS_WELL_KNOWN_DISC_NQN, "52:54:00:12:34:56", HOSTNQN, HOSTID);
}

/* [CFG-30] host NQN/ID only when the table marks the host NQN configured. */
static void
test_host_not_configured (void)
{
  Spec spec = SPEC_ONE;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) cands = NULL;

  spec.nqn_configured = FALSE;
  cands = candidates_of (&spec, diags);
  ASSERT_NO_DIAGS (diags);
  g_assert_cmpuint (cands->len, ==, 1);
  assert_candidate (g_ptr_array_index (cands, 0), "tcp", "192.168.1.10", "4420", DCNQN,
                    "52:54:00:12:34:56", NULL, NULL);
}

/* A host descriptor whose "valid" flag is clear carries no identity. */
static void
test_host_descriptor_invalid (void)
{
  Spec spec = SPEC_ONE;
  g_auto (Built) b = { 0 };
  g_autoptr (StasNbft) nbft = NULL;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) cands = NULL;

  spec.host_invalid = TRUE;
  build (&spec, &b);
  nbft = parse_ok (&b);
  g_assert_true (nbft->host.present);
  g_assert_false (nbft->host.valid);
  g_assert_null (nbft->host.host_nqn);
  cands = stas_nbft_candidates (nbft, "/t/NBFT", diags);
  ASSERT_NO_DIAGS (diags);
  assert_candidate (g_ptr_array_index (cands, 0), "tcp", "192.168.1.10", "4420", DCNQN,
                    "52:54:00:12:34:56", NULL, NULL);
}

/* [D-69] the table's host ID goes with its host NQN; an all-zero host ID is not used. */
static void
test_host_zero_id (void)
{
  Spec spec = SPEC_ONE;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) cands = NULL;

  spec.zero_host_id = TRUE;
  cands = candidates_of (&spec, diags);
  ASSERT_NO_DIAGS (diags);
  assert_candidate (g_ptr_array_index (cands, 0), "tcp", "192.168.1.10", "4420", DCNQN,
                    "52:54:00:12:34:56", HOSTNQN, NULL);
}

/* bad-input §9: host NQN in the table invalid → WARNING, sys.conf identity used. */
static void
test_host_nqn_invalid (void)
{
  static const char *const bad[] = { "not-an-nqn", "nqn.2014-08.org.x:\x01tab", NULL };

  for (guint i = 0; bad[i] != NULL; i++)
    {
      Spec spec = SPEC_ONE;
      g_autoptr (GPtrArray) diags = stas_diags_new ();
      g_autoptr (GPtrArray) cands = NULL;
      g_autofree char *esc = g_strescape (bad[i], NULL);
      g_autofree char *msg = g_strdup_printf (
          "W /t/NBFT: NBFT host NQN \"%s\" is not valid, using the sys.conf host identity", esc);

      spec.host_nqn = bad[i];
      cands = candidates_of (&spec, diags);
      ASSERT_DIAGS (diags, msg);
      g_assert_cmpuint (cands->len, ==, 1);
      assert_candidate (g_ptr_array_index (cands, 0), "tcp", "192.168.1.10", "4420", DCNQN,
                        "52:54:00:12:34:56", NULL, NULL);
    }

  {
    /* configured but absent */
    Spec spec = SPEC_ONE;
    g_autoptr (GPtrArray) diags = stas_diags_new ();
    g_autoptr (GPtrArray) cands = NULL;

    spec.host_nqn = NULL;
    cands = candidates_of (&spec, diags);
    ASSERT_DIAGS (diags,
                  "W /t/NBFT: NBFT host NQN \"\" is not valid, using the sys.conf host identity");
  }
}

/* Descriptors flagged not valid are skipped silently; a control descriptor flagged not
 * valid means an empty table. */
static void
test_invalid_flags (void)
{
  Spec spec = SPEC_TWO;
  g_auto (Built) b = { 0 };
  g_autoptr (StasNbft) nbft = NULL;
  g_autoptr (StasNbft) empty = NULL;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) cands = NULL;

  spec.disc[0].invalid = TRUE;
  build (&spec, &b);
  /* an invalid descriptor may be garbage: its structure ID is not checked */
  b.data[b.disc_off] = 0xee;
  fix_checksum (b.data, b.len);
  nbft = parse_ok (&b);
  g_assert_cmpuint (nbft->discoveries->len, ==, 1);
  cands = stas_nbft_candidates (nbft, "/t/NBFT", diags);
  ASSERT_NO_DIAGS (diags);
  g_assert_cmpuint (cands->len, ==, 1);
  g_assert_cmpstr (((StasNbftCandidate *) g_ptr_array_index (cands, 0))->traddr, ==, "fe80::1");

  b.data[G_CTRL + 6] = 0;
  fix_checksum (b.data, b.len);
  empty = parse_ok (&b);
  g_assert_false (empty->control_valid);
  g_assert_false (empty->host.present);
  g_assert_cmpuint (empty->hfis->len, ==, 0);
  g_assert_cmpuint (empty->discoveries->len, ==, 0);
  g_assert_cmpuint (empty->ssns->len, ==, 0);
}

/* A descriptor whose HFI is missing or has no transport info gets no MAC (WARNING). */
static void
test_hfi_without_mac (void)
{
  Spec spec = SPEC_TWO;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) cands = NULL;

  spec.hfi[1].no_trinfo = TRUE;
  spec.disc[0].hfi_index = 9;
  cands = candidates_of (&spec, diags);
  ASSERT_DIAGS (
      diags,
      "W /t/NBFT: NBFT discovery descriptor 1: no HFI 9 with a MAC address, host-iface not set",
      "W /t/NBFT: NBFT discovery descriptor 2: no HFI 2 with a MAC address, host-iface not set");
  g_assert_cmpuint (cands->len, ==, 2);
  assert_candidate (g_ptr_array_index (cands, 0), "tcp", "192.168.1.10", "8009", DCNQN, NULL,
                    HOSTNQN, HOSTID);
  assert_candidate (g_ptr_array_index (cands, 1), "tcp", "fe80::1", "8009",
                    STAS_WELL_KNOWN_DISC_NQN, NULL, HOSTNQN, HOSTID);
}

/* ---- discovery URIs (bad-input §9 row 2) ----------------------------------------------- */

static void
test_uri_valid (void)
{
  static const struct
  {
    const char *uri, *transport, *traddr, *trsvcid;
  } cases[] = {
    { "nvme+tcp://192.168.1.10:4420/", "tcp", "192.168.1.10", "4420" },
    { "nvme+tcp://192.168.1.10/", "tcp", "192.168.1.10", "8009" },
    { "nvme+tcp://192.168.1.10", "tcp", "192.168.1.10", "8009" },
    { "nvme+tcp://192.168.1.10:/", "tcp", "192.168.1.10", "8009" },
    { "nvme+tcp://192.168.1.10:08009/", "tcp", "192.168.1.10", "8009" },
    { "NVMe+TCP://10.0.0.1:4420/", "tcp", "10.0.0.1", "4420" },
    { "nvme+tcp://[fe80::1]:8009/", "tcp", "fe80::1", "8009" },
    { "nvme+tcp://[fe80::1]/", "tcp", "fe80::1", "8009" },
    { "nvme+tcp://[2001:db8::10]:4420", "tcp", "2001:db8::10", "4420" },
    { "nvme+tcp://dc.example.com:8009/", "tcp", "dc.example.com", "8009" },
    { "nvme+rdma://10.0.0.1:4420/", "rdma", "10.0.0.1", "4420" },
    { "nvme+rdma://10.0.0.1/", "rdma", "10.0.0.1", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *transport = NULL;
      g_autofree char *traddr = NULL;
      g_autofree char *trsvcid = NULL;

      g_test_message ("%s", cases[i].uri);
      g_assert_true (stas_nbft_parse_uri (cases[i].uri, &transport, &traddr, &trsvcid, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (transport, ==, cases[i].transport);
      g_assert_cmpstr (traddr, ==, cases[i].traddr);
      g_assert_cmpstr (trsvcid, ==, cases[i].trsvcid);
    }
}

static void
test_uri_invalid (void)
{
  static const char *const bad[] = {
    "",
    "192.168.1.10",
    "http://192.168.1.10/",
    "nvme://192.168.1.10/",
    "nvme+://192.168.1.10/",
    "nvme+fc://nn-0x1:pn-0x2/",
    "nvme+tcp://",
    "nvme+tcp:///",
    "nvme+tcp://:4420/",
    "nvme+tcp://[fe80::1/",
    "nvme+tcp://[fe80::1]x/",
    "nvme+tcp://[192.168.1.1]/",
    "nvme+tcp://[fe80::1%25eth0]/",
    "nvme+tcp://fe80::1:8009/",
    "nvme+tcp://host_name/",
    "nvme+tcp://10.0.0.1:0/",
    "nvme+tcp://10.0.0.1:65536/",
    "nvme+tcp://10.0.0.1:123456/",
    "nvme+tcp://10.0.0.1:-1/",
    "nvme+tcp://10.0.0.1:44x/",
    "nvme+tcp://user@10.0.0.1/",
    "nvme+tcp://10.0.0.1/path",
    "nvme+tcp://10.0.0.1/?q=1",
    "nvme+tcp://10.0.0.1#frag",
    "nvme+tcp://10.0.0.1//",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *traddr = NULL;

      g_test_message ("%s", bad[i]);
      g_assert_false (stas_nbft_parse_uri (bad[i], NULL, &traddr, NULL, &error));
      g_assert_error (error, STAS_NBFT_ERROR, STAS_NBFT_ERROR_URI);
      g_assert_null (traddr);
    }
  g_assert_false (stas_nbft_parse_uri (NULL, NULL, NULL, NULL, NULL));
}

/* A descriptor with a bad URI, no URI or a bad NQN is skipped with a WARNING; the others
 * are used. */
static void
test_bad_descriptors_skipped (void)
{
  Spec spec = SPEC_ONE;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) cands = NULL;

  spec.n_disc = 4;
  spec.disc[0] = (DiscSpec){ .uri = "http://10.0.0.1/\n", .nqn = DCNQN, .hfi_index = 1 };
  spec.disc[1] = (DiscSpec){ .uri = NULL, .nqn = DCNQN, .hfi_index = 1 };
  spec.disc[2] = (DiscSpec){ .uri = "nvme+tcp://10.0.0.3/", .nqn = "bogus", .hfi_index = 1 };
  spec.disc[3] = (DiscSpec){ .uri = "nvme+tcp://10.0.0.4:4420/", .nqn = DCNQN, .hfi_index = 1 };
  cands = candidates_of (&spec, diags);
  ASSERT_DIAGS (diags,
                "W /t/NBFT: NBFT discovery descriptor 1: invalid URI \"http://10.0.0.1/\\n\" "
                "(scheme is not nvme+<transport>), skipped",
                "W /t/NBFT: NBFT discovery descriptor 2: no URI, skipped",
                "W /t/NBFT: NBFT discovery descriptor 3: invalid NQN \"bogus\", skipped");
  g_assert_cmpuint (cands->len, ==, 1);
  assert_candidate (g_ptr_array_index (cands, 0), "tcp", "10.0.0.4", "4420", DCNQN,
                    "52:54:00:12:34:56", HOSTNQN, HOSTID);
}

/* ---- malformed tables (bad-input §9 row 1) --------------------------------------------- */

static void
test_bad_signature (void)
{
  g_auto (Built) b = { 0 };

  build (&SPEC_ONE, &b);
  memcpy (b.data, "NBFX", 4);
  fix_checksum (b.data, b.len);
  assert_invalid (b.data, b.len, "bad signature");
  memcpy (b.data, "nbft", 4);
  fix_checksum (b.data, b.len);
  assert_invalid (b.data, b.len, "bad signature");
}

static void
test_zero_length (void)
{
  static const guint8 just_sig[] = { 'N', 'B', 'F', 'T' };
  g_auto (Built) b = { 0 };

  assert_invalid (NULL, 0, "table too short (0 bytes)");
  assert_invalid (just_sig, sizeof just_sig, "table too short (4 bytes)");

  build (&SPEC_ONE, &b);
  put32 (b.data + 4, 0);
  fix_checksum (b.data, b.len);
  assert_invalid (b.data, b.len, "table length 0 is too small");
  put32 (b.data + 4, 100);
  assert_invalid (b.data, b.len, "table length 100 is too small");
}

static void
test_truncated (void)
{
  g_auto (Built) b = { 0 };
  g_autofree char *reason = NULL;

  build (&SPEC_ONE, &b);
  reason = g_strdup_printf ("truncated table (length %" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT
                            " bytes read)",
                            b.len, b.len - 1);
  assert_invalid (b.data, b.len - 1, reason);
  assert_invalid (b.data, 64, "truncated table");
  /* a length field larger than the file */
  put32 (b.data + 4, 0xffffffff);
  fix_checksum (b.data, b.len);
  assert_invalid (b.data, b.len, "truncated table");
}

static void
test_bad_checksum (void)
{
  g_auto (Built) b = { 0 };

  build (&SPEC_ONE, &b);
  b.data[9] ^= 0x01;
  assert_invalid (b.data, b.len, "bad checksum");
  b.data[9] ^= 0x01;
  b.data[b.len - 1] ^= 0x80; /* last heap byte */
  assert_invalid (b.data, b.len, "bad checksum");
}

static void
test_bad_revision (void)
{
  g_auto (Built) b = { 0 };

  build (&SPEC_ONE, &b);
  b.data[8] = 2;
  fix_checksum (b.data, b.len);
  assert_invalid (b.data, b.len, "unsupported major revision 2");
}

/* Trailing bytes after the table length are ignored. */
static void
test_trailing_bytes (void)
{
  g_auto (Built) b = { 0 };
  g_autofree guint8 *longer = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (StasNbft) nbft = NULL;

  build (&SPEC_ONE, &b);
  longer = g_malloc0 (b.len + 10);
  memcpy (longer, b.data, b.len);
  nbft = parse_copy (longer, b.len + 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nbft->discoveries->len, ==, 1);
}

typedef void (*Mutator) (Built *b);

static void
mutate_and_expect (const Spec *spec, Mutator mutate, const char *reason)
{
  g_auto (Built) b = { 0 };

  build (spec, &b);
  mutate (&b);
  fix_checksum (b.data, b.len);
  assert_invalid (b.data, b.len, reason);
}

static void
uri_off_past_heap (Built *b)
{
  put32 (b->data + b->disc_off + 6, b->heap_off + b->heap_len);
}

static void
uri_len_past_heap (Built *b)
{
  put16 (b->data + b->disc_off + 10, b->heap_len);
}

static void
uri_before_heap (Built *b)
{
  put32 (b->data + b->disc_off + 6, b->disc_off); /* inside the table, not in the heap */
}

static void
uri_huge_offset (Built *b)
{
  put32 (b->data + b->disc_off + 6, 0xfffffff0);
  put16 (b->data + b->disc_off + 10, 0xffff);
}

static void
heap_past_table (Built *b)
{
  put32 (b->data + 40, b->heap_len + 1);
}

static void
heap_offset_overflow (Built *b)
{
  put32 (b->data + 36, 0xfffffff0);
  put32 (b->data + 40, 0x20);
}

static void
heap_in_header (Built *b)
{
  put32 (b->data + 36, 16);
}

static void
host_nqn_past_heap (Built *b)
{
  put16 (b->data + G_HOST + 22, 0xffff);
}

static void
trinfo_past_heap (Built *b)
{
  put32 (b->data + b->hfi_off + 16, b->heap_off + b->heap_len - 4);
}

static void
ssns_nqn_past_heap (Built *b)
{
  put32 (b->data + b->ssns_off + 54, 0x7fffffff);
}

static void
driver_sig_past_heap (Built *b)
{
  put16 (b->data + 48, 0xffff);
}

/* every heap object reference is checked against the heap */
static void
test_heap_bounds (void)
{
  mutate_and_expect (&SPEC_ONE, uri_off_past_heap,
                     "discovery descriptor 1: URI: heap object (offset");
  mutate_and_expect (&SPEC_ONE, uri_len_past_heap, ") outside the heap");
  mutate_and_expect (&SPEC_ONE, uri_before_heap, "discovery descriptor 1: URI: heap object");
  mutate_and_expect (&SPEC_ONE, uri_huge_offset, "outside the heap");
  mutate_and_expect (&SPEC_ONE, heap_past_table, "heap (offset");
  mutate_and_expect (&SPEC_ONE, heap_offset_overflow, "outside the table");
  mutate_and_expect (&SPEC_ONE, heap_in_header, "outside the table");
  mutate_and_expect (&SPEC_ONE, host_nqn_past_heap, "host descriptor: host NQN: heap object");
  mutate_and_expect (&SPEC_ONE, trinfo_past_heap, "HFI descriptor 1: transport info: heap object");
  mutate_and_expect (&SPEC_ONE, ssns_nqn_past_heap,
                     "subsystem namespace descriptor 1: NQN: heap object");
  mutate_and_expect (&SPEC_ONE, driver_sig_past_heap, "driver signature: heap object");
}

static void
uri_unterminated (Built *b)
{
  gsize n = strlen (SPEC_ONE.disc[0].uri);
  b->data[b->first_uri + n] = 'x'; /* overwrite the NUL after the URI */
}

static void
uri_terminator_outside_heap (Built *b)
{
  /* make the URI the last heap object: the heap ends before its NUL */
  gsize n = strlen (SPEC_ONE.disc[0].uri);
  put32 (b->data + 40, b->first_uri + n - b->heap_off);
  put16 (b->data + b->disc_off + 16, 0); /* the NQN came after it: drop it */
}

static void
test_unterminated (void)
{
  Spec spec = SPEC_ONE;

  mutate_and_expect (&SPEC_ONE, uri_unterminated,
                     "discovery descriptor 1: URI: string not terminated");
  spec.ssns = FALSE; /* its strings would also fall outside the shortened heap */
  spec.disc[0].nqn = NULL;
  mutate_and_expect (&spec, uri_terminator_outside_heap,
                     "discovery descriptor 1: URI: string not terminated");
}

static void
disc_count_255 (Built *b)
{
  b->data[G_CTRL + 47] = 255;
}

static void
disc_len_ffff (Built *b)
{
  put16 (b->data + G_CTRL + 44, 0xffff);
}

static void
hfi_count_255 (Built *b)
{
  b->data[G_CTRL + 23] = 255;
}

static void
hfi_offset_huge (Built *b)
{
  put32 (b->data + G_CTRL + 16, 0xffffffff);
}

static void
ssns_count_255_len_ffff (Built *b)
{
  b->data[G_CTRL + 31] = 255;
  put16 (b->data + G_CTRL + 28, 0xffff);
}

static void
sec_list_outside (Built *b)
{
  put32 (b->data + G_CTRL + 32, 0x1000000);
  put16 (b->data + G_CTRL + 36, 16);
  b->data[G_CTRL + 39] = 3;
}

static void
host_len_huge (Built *b)
{
  put16 (b->data + G_CTRL + 12, 0xffff);
}

static void
host_offset_huge (Built *b)
{
  put32 (b->data + G_CTRL + 8, 0xfffffff0);
}

static void
disc_len_small (Built *b)
{
  put16 (b->data + G_CTRL + 44, 8);
}

static void
hfi_len_small (Built *b)
{
  put16 (b->data + G_CTRL + 20, 1);
}

static void
host_len_small (Built *b)
{
  put16 (b->data + G_CTRL + 12, 4);
}

static void
trinfo_len_small (Built *b)
{
  put16 (b->data + b->hfi_off + 20, 12);
}

static void
ctrl_len_small (Built *b)
{
  put16 (b->data + G_CTRL + 4, 16);
}

static void
ctrl_len_huge (Built *b)
{
  put16 (b->data + G_CTRL + 4, 0xffff);
}

/* huge counts and lengths: descriptor lists that do not fit the table */
static void
test_huge_counts (void)
{
  mutate_and_expect (&SPEC_ONE, disc_count_255, "discovery descriptor list (offset");
  mutate_and_expect (&SPEC_ONE, disc_len_ffff, "discovery descriptor list");
  mutate_and_expect (&SPEC_ONE, hfi_count_255, "HFI descriptor list");
  mutate_and_expect (&SPEC_ONE, hfi_offset_huge, "HFI descriptor list");
  mutate_and_expect (&SPEC_ONE, ssns_count_255_len_ffff, "subsystem namespace descriptor list");
  mutate_and_expect (&SPEC_ONE, sec_list_outside, "security descriptor list");
  mutate_and_expect (&SPEC_ONE, host_len_huge, "host descriptor (offset");
  mutate_and_expect (&SPEC_ONE, host_offset_huge, "host descriptor (offset");
  mutate_and_expect (&SPEC_ONE, ctrl_len_huge, "control descriptor length 65535 is invalid");
}

static void
test_short_elements (void)
{
  mutate_and_expect (&SPEC_ONE, disc_len_small, "discovery descriptor length 8 is too small");
  mutate_and_expect (&SPEC_ONE, hfi_len_small, "HFI descriptor length 1 is too small");
  mutate_and_expect (&SPEC_ONE, host_len_small, "host descriptor length 4 is too small");
  mutate_and_expect (&SPEC_ONE, trinfo_len_small,
                     "HFI descriptor 1: transport info length 12 is too small");
  mutate_and_expect (&SPEC_ONE, ctrl_len_small, "control descriptor length 16 is invalid");
}

static void
ctrl_wrong_id (Built *b)
{
  b->data[G_CTRL] = 2;
}

static void
host_wrong_id (Built *b)
{
  b->data[G_HOST] = 3;
}

static void
hfi_wrong_id (Built *b)
{
  b->data[b->hfi_off] = 6;
}

static void
disc_wrong_id (Built *b)
{
  b->data[b->disc_off] = 9;
}

static void
ssns_wrong_id (Built *b)
{
  b->data[b->ssns_off] = 0;
}

static void
test_structure_ids (void)
{
  mutate_and_expect (&SPEC_ONE, ctrl_wrong_id, "control descriptor: structure ID 2, expected 1");
  mutate_and_expect (&SPEC_ONE, host_wrong_id, "host descriptor: structure ID 3, expected 2");
  mutate_and_expect (&SPEC_ONE, hfi_wrong_id, "HFI descriptor 1: structure ID 6, expected 3");
  mutate_and_expect (&SPEC_ONE, disc_wrong_id,
                     "discovery descriptor 1: structure ID 9, expected 6");
  mutate_and_expect (&SPEC_ONE, ssns_wrong_id,
                     "subsystem namespace descriptor 1: structure ID 0, expected 4");
}

/* Every prefix of a valid table is rejected, and nothing is read past its end. */
static void
test_every_prefix (void)
{
  g_auto (Built) b = { 0 };

  build (&SPEC_ONE, &b);
  for (gsize n = 0; n < b.len; n++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (StasNbft) nbft = parse_copy (b.data, n, &error);
      g_assert_null (nbft);
      g_assert_error (error, STAS_NBFT_ERROR, STAS_NBFT_ERROR_INVALID);
    }
}

/* Random corruption (checksum re-fixed so the structure checks run): never a crash, never
 * an out-of-bounds read (valgrind / ASan), candidates always well formed. */
static void
test_random_corruption (void)
{
  g_auto (Built) b = { 0 };
  g_autoptr (GRand) rng = g_rand_new_with_seed (0x4e424654);
  guint n_ok = 0;

  build (&SPEC_TWO, &b);
  for (guint iter = 0; iter < 20000; iter++)
    {
      g_autofree guint8 *copy = g_memdup2 (b.data, b.len);
      g_autoptr (GError) error = NULL;
      g_autoptr (StasNbft) nbft = NULL;
      guint flips = g_rand_int_range (rng, 1, 5);

      for (guint k = 0; k < flips; k++)
        copy[g_rand_int_range (rng, 10, b.len)] = (guint8) g_rand_int_range (rng, 0, 256);
      fix_checksum (copy, b.len);
      nbft = stas_nbft_parse (copy, b.len, &error);
      if (nbft == NULL)
        {
          g_assert_error (error, STAS_NBFT_ERROR, STAS_NBFT_ERROR_INVALID);
          continue;
        }
      n_ok++;
      {
        g_autoptr (GPtrArray) diags = stas_diags_new ();
        g_autoptr (GPtrArray) cands = stas_nbft_candidates (nbft, "/t/NBFT", diags);
        for (guint i = 0; i < cands->len; i++)
          {
            StasNbftCandidate *c = g_ptr_array_index (cands, i);
            g_assert_nonnull (c->transport);
            g_assert_nonnull (c->traddr);
            g_assert_nonnull (c->trsvcid);
            g_assert_nonnull (c->subsysnqn);
          }
      }
    }
  g_test_message ("%u of 20000 corrupted tables still parsed", n_ok);
  g_assert_cmpuint (n_ok, >, 0);
}

/* ---- HFI MAC → interface (bad-input §9 row 3) ------------------------------------------ */

static void
test_mac_to_iface (void)
{
  static const StasNbftLink links[] = {
    { "lo", "00:00:00:00:00:00", TRUE },    { "eth0", "52:54:00:12:34:56", TRUE },
    { "eth1", "52:54:00:AB:CD:EF", TRUE },  { "ib0", "52:54:00:77:77:77", FALSE },
    { "bond0", "52:54:00:99:99:99", TRUE }, { "eth2", "52:54:00:99:99:99", TRUE },
    { "weird", "not-a-mac", TRUE },
  };
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autofree char *eth0 =
      stas_nbft_mac_to_iface ("52:54:00:12:34:56", links, G_N_ELEMENTS (links), diags);
  g_autofree char *eth1 =
      stas_nbft_mac_to_iface ("52:54:00:ab:cd:ef", links, G_N_ELEMENTS (links), diags);
  g_autofree char *lo =
      stas_nbft_mac_to_iface ("00:00:00:00:00:00", links, G_N_ELEMENTS (links), diags);

  g_assert_cmpstr (eth0, ==, "eth0");
  g_assert_cmpstr (eth1, ==, "eth1");
  g_assert_cmpstr (lo, ==, "lo");
  ASSERT_NO_DIAGS (diags);

  g_assert_null (stas_nbft_mac_to_iface ("52:54:00:00:00:01", links, G_N_ELEMENTS (links), diags));
  g_assert_null (stas_nbft_mac_to_iface ("52:54:00:77:77:77", links, G_N_ELEMENTS (links), diags));
  g_assert_null (stas_nbft_mac_to_iface ("52:54:00:99:99:99", links, G_N_ELEMENTS (links), diags));
  g_assert_null (stas_nbft_mac_to_iface ("52:54:00:12:34:56", NULL, 0, diags));
  g_assert_null (stas_nbft_mac_to_iface ("52-54-00-12-34-56", links, G_N_ELEMENTS (links), diags));
  g_assert_null (stas_nbft_mac_to_iface (NULL, links, G_N_ELEMENTS (links), diags));
  ASSERT_DIAGS (diags, "W NBFT: no interface has MAC address 52:54:00:00:00:01, host-iface not set",
                "W NBFT: no interface has MAC address 52:54:00:77:77:77, host-iface not set",
                "W NBFT: several interfaces (bond0, eth2) have MAC address 52:54:00:99:99:99, "
                "host-iface not set",
                "W NBFT: no interface has MAC address 52:54:00:12:34:56, host-iface not set",
                "W NBFT: invalid MAC address \"52-54-00-12-34-56\", host-iface not set",
                "W NBFT: invalid MAC address \"\", host-iface not set");

  /* diags may be NULL */
  g_assert_null (stas_nbft_mac_to_iface ("52:54:00:00:00:01", links, G_N_ELEMENTS (links), NULL));
}

/* ---- the directory of tables [CFG-30] -------------------------------------------------- */

static void
write_file (const char *dir, const char *name, const guint8 *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, (const char *) data, len, &error));
  g_assert_no_error (error);
}

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
test_load_dir (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("stas-nbft-XXXXXX", &error);
  g_autofree char *missing = NULL;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) cands = NULL;
  g_auto (Built) one = { 0 };
  g_auto (Built) two = { 0 };
  g_autofree char *info = NULL;
  g_autofree char *w_sum = NULL;
  g_autofree char *w_empty = NULL;

  g_assert_no_error (error);

  /* no tables: nothing logged */
  cands = stas_nbft_load_dir (dir, diags);
  g_assert_cmpuint (cands->len, ==, 0);
  ASSERT_NO_DIAGS (diags);
  g_clear_pointer (&cands, g_ptr_array_unref);
  missing = g_build_filename (dir, "missing", NULL);
  cands = stas_nbft_load_dir (missing, diags);
  g_assert_cmpuint (cands->len, ==, 0);
  ASSERT_NO_DIAGS (diags);
  g_clear_pointer (&cands, g_ptr_array_unref);

  build (&SPEC_TWO, &two);
  build (&SPEC_ONE, &one);
  write_file (dir, "NBFT", two.data, two.len);
  one.data[9] ^= 0xff;
  write_file (dir, "NBFT1", one.data, one.len);
  write_file (dir, "NBFT2", (const guint8 *) "", 0);
  write_file (dir, "DSDT", (const guint8 *) "junk", 4); /* not an NBFT: not read */

  cands = stas_nbft_load_dir (dir, diags);
  info = g_strdup_printf ("I NBFT location(s): ['%s/NBFT', '%s/NBFT1', '%s/NBFT2']", dir, dir, dir);
  w_sum = g_strdup_printf ("W %s/NBFT1: cannot parse NBFT: bad checksum", dir);
  w_empty = g_strdup_printf ("W %s/NBFT2: cannot parse NBFT: table too short (0 bytes)", dir);
  ASSERT_DIAGS (diags, info, w_sum, w_empty);
  g_assert_cmpuint (cands->len, ==, 2);
  for (guint i = 0; i < cands->len; i++)
    {
      StasNbftCandidate *c = g_ptr_array_index (cands, i);
      g_autofree char *path = g_build_filename (dir, "NBFT", NULL);
      g_assert_cmpstr (c->path, ==, path);
    }

  rm_rf (dir);
}

/* The committed fixtures of test/data/nbft/, read as a firmware table directory. */
static void
test_fixtures (void)
{
  const char *src = g_getenv ("STAS_SRC_DIR");
  g_autofree char *dir = NULL;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GPtrArray) cands = NULL;
  g_autofree char *info = NULL;
  g_autofree char *w1 = NULL;
  g_autofree char *w2 = NULL;

  g_assert_nonnull (src); /* set by ctest */
  dir = g_build_filename (src, "test", "data", "nbft", NULL);
  cands = stas_nbft_load_dir (dir, diags);
  info = g_strdup_printf ("I NBFT location(s): ['%s/NBFT-bad-checksum', '%s/NBFT-one', "
                          "'%s/NBFT-truncated', '%s/NBFT-two']",
                          dir, dir, dir, dir);
  w1 = g_strdup_printf ("W %s/NBFT-bad-checksum: cannot parse NBFT: bad checksum", dir);
  w2 = g_strdup_printf ("W %s/NBFT-truncated: cannot parse NBFT: truncated table", dir);
  g_assert_cmpuint (diags->len, ==, 3);
  g_assert_cmpstr (((StasDiag *) g_ptr_array_index (diags, 0))->text, ==, info + 2);
  g_assert_cmpstr (((StasDiag *) g_ptr_array_index (diags, 1))->text, ==, w1 + 2);
  g_assert_true (g_str_has_prefix (((StasDiag *) g_ptr_array_index (diags, 2))->text, w2 + 2));
  g_assert_cmpuint (cands->len, ==, 3);
  g_assert_cmpstr (((StasNbftCandidate *) g_ptr_array_index (cands, 0))->traddr, ==,
                   "192.168.1.10");
  g_assert_cmpstr (((StasNbftCandidate *) g_ptr_array_index (cands, 2))->traddr, ==, "fe80::1");
}

static int
write_fixtures (const char *dir)
{
  g_auto (Built) one = { 0 };
  g_auto (Built) two = { 0 };

  g_mkdir_with_parents (dir, 0755);
  build (&SPEC_ONE, &one);
  build (&SPEC_TWO, &two);
  write_file (dir, "NBFT-one", one.data, one.len);
  write_file (dir, "NBFT-two", two.data, two.len);
  write_file (dir, "NBFT-truncated", two.data, two.len / 2);
  two.data[9] ^= 0x5a;
  write_file (dir, "NBFT-bad-checksum", two.data, two.len);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--write-fixtures") == 0)
    return write_fixtures (argv[2]);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/nbft/valid/one", test_valid_one);
  g_test_add_func ("/nbft/valid/two", test_valid_two);
  g_test_add_func ("/nbft/valid/nul-in-length", test_nul_in_length);
  g_test_add_func ("/nbft/valid/empty-nqn", test_empty_nqn);
  g_test_add_func ("/nbft/valid/trailing-bytes", test_trailing_bytes);
  g_test_add_func ("/nbft/host/not-configured", test_host_not_configured);
  g_test_add_func ("/nbft/host/descriptor-invalid", test_host_descriptor_invalid);
  g_test_add_func ("/nbft/host/zero-id", test_host_zero_id);
  g_test_add_func ("/nbft/host/nqn-invalid", test_host_nqn_invalid);
  g_test_add_func ("/nbft/descriptors/invalid-flags", test_invalid_flags);
  g_test_add_func ("/nbft/descriptors/hfi-without-mac", test_hfi_without_mac);
  g_test_add_func ("/nbft/descriptors/bad-skipped", test_bad_descriptors_skipped);
  g_test_add_func ("/nbft/uri/valid", test_uri_valid);
  g_test_add_func ("/nbft/uri/invalid", test_uri_invalid);
  g_test_add_func ("/nbft/bad/signature", test_bad_signature);
  g_test_add_func ("/nbft/bad/zero-length", test_zero_length);
  g_test_add_func ("/nbft/bad/truncated", test_truncated);
  g_test_add_func ("/nbft/bad/checksum", test_bad_checksum);
  g_test_add_func ("/nbft/bad/revision", test_bad_revision);
  g_test_add_func ("/nbft/bad/heap-bounds", test_heap_bounds);
  g_test_add_func ("/nbft/bad/unterminated", test_unterminated);
  g_test_add_func ("/nbft/bad/huge-counts", test_huge_counts);
  g_test_add_func ("/nbft/bad/short-elements", test_short_elements);
  g_test_add_func ("/nbft/bad/structure-ids", test_structure_ids);
  g_test_add_func ("/nbft/robust/every-prefix", test_every_prefix);
  g_test_add_func ("/nbft/robust/random-corruption", test_random_corruption);
  g_test_add_func ("/nbft/mac-to-iface", test_mac_to_iface);
  g_test_add_func ("/nbft/load-dir", test_load_dir);
  g_test_add_func ("/nbft/fixtures", test_fixtures);

  return g_test_run ();
}
