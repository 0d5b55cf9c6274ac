/* test-dlp.c — Discovery Log Page Entries: the record layout, spec/bad-input.md §6
 * (every row this module handles), the D-Bus dictionary spec/dbus.md §5.4 [DBUS-33] /
 * §5.5 [DBUS-34] against the worked replies of §7, referral/IOC derivation
 * (behaviour §6.3 [REF-1], §7.3 [STAC-3], SPEC §4.3) and the record builder. */
#include "config.h"

#include <string.h>

#include "stas-dlp.h"
#include "stas-log.h"

#define HOST_NQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define HOST_ID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define DELL_NQN "nqn.1988-11.com.dell:SFSS:1:20221122170722e8"
#define ARRAY1 "nqn.2023-01.com.example:array1"
#define ARRAY2 "nqn.2023-01.com.example:array2"
#define DC2_TID "(tcp, 192.168.10.20, 8009, " DELL_NQN ", eth1)"

static const StasTidDefaults stafd_defaults = {
  .kind = STAS_DAEMON_STAFD,
  .host_nqn = HOST_NQN,
  .host_id = HOST_ID,
};

static const StasTidDefaults stacd_defaults = {
  .kind = STAS_DAEMON_STACD,
  .host_nqn = HOST_NQN,
  .host_id = HOST_ID,
};

/* The DLP of DC 2 in spec/dbus.md §7 (scenario, §7.3). */
static const StasDlpeSpec dc2_page[] = {
  { .trtype = 3,
    .adrfam = 1,
    .subtype = 2,
    .treq = 0,
    .portid = 1,
    .cntlid = 65535,
    .asqsz = 32,
    .eflags = 0,
    .trsvcid = "4420",
    .subnqn = ARRAY1,
    .traddr = "192.168.10.31" },
  { .trtype = 3,
    .adrfam = 1,
    .subtype = 2,
    .treq = 0,
    .portid = 2,
    .cntlid = 65535,
    .asqsz = 32,
    .eflags = 4,
    .trsvcid = "4420",
    .subnqn = ARRAY2,
    .traddr = "192.168.10.32" },
  { .trtype = 3,
    .adrfam = 1,
    .subtype = 3,
    .treq = 0,
    .portid = 1,
    .cntlid = 65535,
    .asqsz = 32,
    .eflags = 0,
    .trsvcid = "8009",
    .subnqn = DELL_NQN,
    .traddr = "192.168.10.20" },
};

static StasTid *
dc_tid (const char *transport, const char *traddr, const char *trsvcid, const char *nqn)
{
  g_autoptr (GError) error = NULL;
  StasTidFields f = {
    .transport = transport,
    .traddr = traddr,
    .trsvcid = trsvcid,
    .subsysnqn = nqn,
    .host_traddr = g_strcmp0 (transport, "fc") == 0 ? "nn-0x1:pn-0x2" : "192.168.10.5",
    .host_iface = "eth1",
  };
  StasTid *tid = stas_tid_new (&stafd_defaults, &f, &error);

  g_assert_no_error (error);
  return tid;
}

static void
parse_ok (const StasDlpeSpec *spec, StasDlpe *out)
{
  g_autoptr (GError) error = NULL;
  guint8 record[STAS_DLPE_SIZE];

  stas_dlp_build_entry_into (spec, record);
  g_assert_true (stas_dlpe_parse (record, out, &error));
  g_assert_no_error (error);
}

static void
assert_malformed (const guint8 *record, const char *message)
{
  g_autoptr (GError) error = NULL;
  StasDlpe dlpe;

  g_assert_false (stas_dlpe_parse (record, &dlpe, &error));
  g_assert_error (error, STAS_DLP_ERROR, STAS_DLP_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, message);
}

static char *
dict_text (const StasDlpe *dlpe)
{
  g_autoptr (GVariant) v = g_variant_ref_sink (stas_dlpe_to_variant (dlpe));
  return g_variant_print (v, FALSE);
}

/* ---- the record ------------------------------------------------------------------------ */

/* Every field at its offset, little-endian 16-bit values; tsas and reserved bytes ignored. */
static void
test_record_fields (void)
{
  guint8 tsas[STAS_DLPE_TSAS_LEN];
  StasDlpeSpec spec = {
    .trtype = 3,
    .adrfam = 2,
    .subtype = 1,
    .treq = 2,
    .portid = 0x1234,
    .cntlid = 0xfffe,
    .asqsz = 0x0080,
    .eflags = 0x0105,
    .trsvcid = "8009",
    .subnqn = DELL_NQN,
    .traddr = "fe80::1",
    .tsas = tsas,
  };
  guint8 record[STAS_DLPE_SIZE];
  StasDlpe dlpe;

  memset (tsas, 0xa5, sizeof tsas);
  stas_dlp_build_entry_into (&spec, record);
  g_assert_cmpuint (record[0], ==, 3);
  g_assert_cmpuint (record[1], ==, 2);
  g_assert_cmpuint (record[2], ==, 1);
  g_assert_cmpuint (record[3], ==, 2);
  g_assert_cmpuint (record[4], ==, 0x34);
  g_assert_cmpuint (record[5], ==, 0x12);
  g_assert_cmpuint (record[6], ==, 0xfe);
  g_assert_cmpuint (record[7], ==, 0xff);
  g_assert_cmpuint (record[8], ==, 0x80);
  g_assert_cmpuint (record[10], ==, 0x05);
  g_assert_cmpuint (record[11], ==, 0x01);
  g_assert_cmpmem (record + 32, 4, "8009", 4);
  g_assert_cmpmem (record + 256, strlen (DELL_NQN), DELL_NQN, strlen (DELL_NQN));
  g_assert_cmpmem (record + 512, 7, "fe80::1", 7);
  g_assert_cmpuint (record[768], ==, 0xa5);
  g_assert_cmpuint (record[1023], ==, 0xa5);
  for (guint i = 12; i < 32; i++)
    g_assert_cmpuint (record[i], ==, 0);

  /* garbage in reserved bytes is ignored */
  record[12] = 0xff;
  record[100] = 0x07;
  g_assert_true (stas_dlpe_parse (record, &dlpe, NULL));
  g_assert_cmpuint (dlpe.trtype, ==, 3);
  g_assert_cmpuint (dlpe.adrfam, ==, 2);
  g_assert_cmpuint (dlpe.subtype, ==, 1);
  g_assert_cmpuint (dlpe.treq, ==, 2);
  g_assert_cmpuint (dlpe.portid, ==, 0x1234);
  g_assert_cmpuint (dlpe.cntlid, ==, 0xfffe);
  g_assert_cmpuint (dlpe.asqsz, ==, 0x80);
  g_assert_cmpuint (dlpe.eflags, ==, 0x0105);
  g_assert_cmpstr (dlpe.trsvcid, ==, "8009");
  g_assert_cmpstr (dlpe.subnqn, ==, DELL_NQN);
  g_assert_cmpstr (dlpe.traddr, ==, "fe80::1");
}

/* bad-input §6 "String fields not NUL-terminated": read up to the field size; bytes after
 * the first NUL are ignored (even non-printable ones). */
static void
test_record_unterminated (void)
{
  g_autofree char *addr = g_strnfill (STAS_DLPE_TRADDR_LEN, 'a');
  g_autofree char *nqn = g_strconcat ("nqn.", addr, NULL); /* longer than the field */
  g_autofree char *svc = g_strnfill (STAS_DLPE_TRSVCID_LEN, '1');
  StasDlpeSpec spec = { .trtype = 3, .traddr = addr, .subnqn = nqn, .trsvcid = svc };
  guint8 record[STAS_DLPE_SIZE];
  StasDlpe dlpe;

  stas_dlp_build_entry_into (&spec, record);
  g_assert_cmpuint (record[512 + 255], ==, 'a');
  g_assert_true (stas_dlpe_parse (record, &dlpe, NULL));
  g_assert_cmpuint (strlen (dlpe.traddr), ==, STAS_DLPE_TRADDR_LEN);
  g_assert_cmpuint (strlen (dlpe.subnqn), ==, STAS_DLPE_SUBNQN_LEN);
  g_assert_true (g_str_has_prefix (dlpe.subnqn, "nqn.aaa"));
  g_assert_cmpuint (strlen (dlpe.trsvcid), ==, STAS_DLPE_TRSVCID_LEN);

  /* text after the first NUL */
  spec = (StasDlpeSpec){ .trtype = 3, .traddr = "10.0.0.1", .trsvcid = "4420", .subnqn = ARRAY1 };
  stas_dlp_build_entry_into (&spec, record);
  record[512 + 9] = 0x07;
  record[512 + 10] = 'X';
  record[32 + 20] = 0xff;
  g_assert_true (stas_dlpe_parse (record, &dlpe, NULL));
  g_assert_cmpstr (dlpe.traddr, ==, "10.0.0.1");
  g_assert_cmpstr (dlpe.trsvcid, ==, "4420");
}

/* bad-input §6 "Trailing/leading spaces": stripped (all ASCII whitespace); inner kept. */
static void
test_record_whitespace (void)
{
  StasDlpeSpec spec = {
    .trtype = 3,
    .traddr = "  10.0.0.1\t",
    .trsvcid = " 4420 ",
    .subnqn = "\n" ARRAY1 "  ",
  };
  StasDlpe dlpe;

  parse_ok (&spec, &dlpe);
  g_assert_cmpstr (dlpe.traddr, ==, "10.0.0.1");
  g_assert_cmpstr (dlpe.trsvcid, ==, "4420");
  g_assert_cmpstr (dlpe.subnqn, ==, ARRAY1);

  spec.subnqn = " nqn.a b ";
  parse_ok (&spec, &dlpe);
  g_assert_cmpstr (dlpe.subnqn, ==, "nqn.a b");

  spec.traddr = "      ";
  parse_ok (&spec, &dlpe);
  g_assert_cmpstr (dlpe.traddr, ==, "");
}

/* bad-input §6 "Non-printable bytes in traddr/trsvcid/subnqn" [D-70]: malformed. */
static void
test_record_non_printable (void)
{
  static const struct
  {
    gsize offset;
    guint8 byte;
    const char *message;
  } rows[] = {
    { 512 + 2, 0x07, "non-printable byte 0x07 in traddr" },
    { 512 + 2, 0x7f, "non-printable byte 0x7f in traddr" },
    { 512 + 2, 0xc3, "non-printable byte 0xc3 in traddr" }, /* UTF-8 lead byte */
    { 32 + 1, 0x1b, "non-printable byte 0x1b in trsvcid" },
    { 32 + 1, 0x80, "non-printable byte 0x80 in trsvcid" },
    { 256 + 5, 0x01, "non-printable byte 0x01 in subnqn" },
    { 256 + 5, 0xff, "non-printable byte 0xff in subnqn" },
    { 256 + 5, '\n', "non-printable byte 0x0a in subnqn" }, /* inner whitespace */
  };
  StasDlpeSpec spec = { .trtype = 3, .traddr = "10.0.0.1", .trsvcid = "4420", .subnqn = ARRAY1 };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      guint8 record[STAS_DLPE_SIZE];

      stas_dlp_build_entry_into (&spec, record);
      record[rows[i].offset] = rows[i].byte;
      assert_malformed (record, rows[i].message);
    }
}

/* spec/dbus.md §5.4: every named code value, and unknown ones in decimal (bad-input §6
 * "Unknown trtype/adrfam/subtype/treq codes": published, not dropped). */
static void
test_record_codes (void)
{
  static const struct
  {
    guint8 code;
    const char *trtype, *adrfam, *subtype, *treq;
  } rows[] = {
    { 0, "unspecified", "pci", "0", "not specified" },
    { 1, "rdma", "ipv4", "referral", "required" },
    { 2, "fc", "ipv6", "nvme", "not required" },
    { 3, "tcp", "infiniband", "discovery", "3" },
    { 4, "4", "fc", "4", "disable sqflow" },
    { 5, "5", "5", "5", "5" },
    { 254, "loop", "254", "254", "254" },
    { 255, "255", "255", "255", "255" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      char buf[STAS_DLP_CODE_BUF];
      guint8 back = 0;
      StasDlpeSpec spec = { .trtype = rows[i].code,
                            .adrfam = rows[i].code,
                            .subtype = rows[i].code,
                            .treq = rows[i].code,
                            .traddr = "x" };
      StasDlpe dlpe;
      g_autoptr (GVariant) dict = NULL;
      const char *value;

      g_assert_cmpstr (stas_dlp_trtype_to_string (rows[i].code, buf), ==, rows[i].trtype);
      g_assert_cmpstr (stas_dlp_adrfam_to_string (rows[i].code, buf), ==, rows[i].adrfam);
      g_assert_cmpstr (stas_dlp_subtype_to_string (rows[i].code, buf), ==, rows[i].subtype);
      g_assert_cmpstr (stas_dlp_treq_to_string (rows[i].code, buf), ==, rows[i].treq);
      g_assert_true (stas_dlp_trtype_from_string (rows[i].trtype, &back));
      g_assert_cmpuint (back, ==, rows[i].code);
      g_assert_true (stas_dlp_adrfam_from_string (rows[i].adrfam, &back));
      g_assert_cmpuint (back, ==, rows[i].code);
      g_assert_true (stas_dlp_subtype_from_string (rows[i].subtype, &back));
      g_assert_cmpuint (back, ==, rows[i].code);
      g_assert_true (stas_dlp_treq_from_string (rows[i].treq, &back));
      g_assert_cmpuint (back, ==, rows[i].code);

      parse_ok (&spec, &dlpe);
      dict = g_variant_ref_sink (stas_dlpe_to_variant (&dlpe));
      g_assert_true (g_variant_lookup (dict, "trtype", "&s", &value));
      g_assert_cmpstr (value, ==, rows[i].trtype);
      g_assert_true (g_variant_lookup (dict, "adrfam", "&s", &value));
      g_assert_cmpstr (value, ==, rows[i].adrfam);
      g_assert_true (g_variant_lookup (dict, "subtype", "&s", &value));
      g_assert_cmpstr (value, ==, rows[i].subtype);
      g_assert_true (g_variant_lookup (dict, "treq", "&s", &value));
      g_assert_cmpstr (value, ==, rows[i].treq);
    }

  {
    guint8 code;
    g_assert_false (stas_dlp_trtype_from_string ("TCP", &code));
    g_assert_false (stas_dlp_trtype_from_string ("256", &code));
    g_assert_false (stas_dlp_trtype_from_string ("-1", &code));
    g_assert_false (stas_dlp_trtype_from_string ("+3", &code));
    g_assert_false (stas_dlp_trtype_from_string ("", &code));
    g_assert_false (stas_dlp_treq_from_string ("unrecognized", &code));
  }
}

/* [DBUS-33] / bad-input §6: traddr '', 0.0.0.0 or :: is not published unless loop [D-42]. */
static void
test_unpublished (void)
{
  static const struct
  {
    guint8 trtype;
    const char *traddr;
    gboolean published;
  } rows[] = {
    { 3, "", FALSE },   { 3, "0.0.0.0", FALSE },  { 1, "::", FALSE },
    { 2, "", FALSE },   { 0, "", FALSE },         { 3, " 0.0.0.0 ", FALSE },
    { 254, "", TRUE },  { 254, "0.0.0.0", TRUE }, { 3, "0.0.0.1", TRUE },
    { 3, "::1", TRUE }, { 3, "0:0::0", TRUE }, /* exact texts only, as the reference */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      StasDlpeSpec spec = { .trtype = rows[i].trtype, .traddr = rows[i].traddr };
      StasDlpe dlpe;

      parse_ok (&spec, &dlpe);
      g_assert_cmpint (stas_dlpe_is_published (&dlpe), ==, rows[i].published);
    }
}

/* ---- whole pages ------------------------------------------------------------------------ */

static guint
count_level (GPtrArray *diags, StasLogLevel level)
{
  guint n = 0;

  for (guint i = 0; i < diags->len; i++)
    if (((StasDiag *) g_ptr_array_index (diags, i))->level == level)
      n++;
  return n;
}

static const char *
first_of_level (GPtrArray *diags, StasLogLevel level)
{
  for (guint i = 0; i < diags->len; i++)
    if (((StasDiag *) g_ptr_array_index (diags, i))->level == level)
      return ((StasDiag *) g_ptr_array_index (diags, i))->text;
  return NULL;
}

/* [DC-5] [D-70] published entries in order; malformed ones dropped and counted with one
 * rate-limited WARNING per retrieval; unpublished ones neither published nor counted. */
static void
test_page_mixed (void)
{
  StasDlpeSpec specs[6];
  g_autoptr (StasDlpRaw) raw = NULL;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GArray) entries = NULL;
  guint8 *data;
  guint dropped = 99;

  specs[0] = dc2_page[0];
  specs[1] = dc2_page[1];
  specs[1].subnqn = "nqn.bad\x01";
  specs[2] = dc2_page[1];
  specs[2].traddr = "0.0.0.0";
  specs[3] = dc2_page[1];
  specs[4] = dc2_page[1];
  specs[4].traddr = "10.0.0.\x7f";
  specs[5] = dc2_page[2];
  raw = stas_dlp_build_page (7, specs, G_N_ELEMENTS (specs));
  g_assert_cmpuint (raw->numrec, ==, 6);
  g_assert_cmpuint (raw->genctr, ==, 7);
  g_assert_cmpuint (g_bytes_get_size (raw->entries), ==, 6 * STAS_DLPE_SIZE);
  /* the bad byte sits in the second record's subnqn */
  data = (guint8 *) g_bytes_get_data (raw->entries, NULL);
  g_assert_cmpuint (data[STAS_DLPE_SIZE + 256 + 7], ==, 0x01);

  entries = stas_dlp_parse_page (raw, DC2_TID, "nvme1", &dropped, diags);
  g_assert_cmpuint (entries->len, ==, 3);
  g_assert_cmpstr (g_array_index (entries, StasDlpe, 0).traddr, ==, "192.168.10.31");
  g_assert_cmpstr (g_array_index (entries, StasDlpe, 1).traddr, ==, "192.168.10.32");
  g_assert_cmpuint (g_array_index (entries, StasDlpe, 2).subtype, ==, 3);
  g_assert_cmpuint (dropped, ==, 2);
  g_assert_cmpuint (count_level (diags, STAS_LOG_WARNING), ==, 1);
  g_assert_cmpstr (first_of_level (diags, STAS_LOG_WARNING), ==,
                   DC2_TID " | nvme1 - Dropped 2 malformed discovery log page entries");
  g_assert_cmpuint (count_level (diags, STAS_LOG_DEBUG), ==, 3);
  g_assert_nonnull (strstr (first_of_level (diags, STAS_LOG_DEBUG), "entry 1 dropped"));
}

/* Diagnostics stay bounded for a hostile page: one WARNING, at most 8 detail lines. */
static void
test_page_flood (void)
{
  StasDlpeSpec specs[100];
  g_autoptr (StasDlpRaw) raw = NULL;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  g_autoptr (GArray) entries = NULL;
  guint dropped = 0;

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    specs[i] = (StasDlpeSpec){ .trtype = 3, .traddr = "\x01" };
  raw = stas_dlp_build_page (1, specs, G_N_ELEMENTS (specs));
  entries = stas_dlp_parse_page (raw, "(tcp, 10.0.0.1, 8009)", NULL, &dropped, diags);
  g_assert_cmpuint (entries->len, ==, 0);
  g_assert_cmpuint (dropped, ==, 100);
  g_assert_cmpuint (diags->len, ==, 9);
  g_assert_cmpstr (first_of_level (diags, STAS_LOG_WARNING), ==,
                   "(tcp, 10.0.0.1, 8009) | nvme? - Dropped 100 malformed discovery log page "
                   "entries");
}

/* numrec is honoured: extra bytes are ignored; records announced but absent (short page)
 * count as dropped; empty pages are fine. */
static void
test_page_numrec (void)
{
  g_autoptr (StasDlpRaw) raw = stas_dlp_build_page (1, dc2_page, 3);
  g_autoptr (GArray) two = NULL;
  g_autoptr (GArray) short_page = NULL;
  g_autoptr (GArray) none = NULL;
  g_autoptr (GArray) null_bytes = NULL;
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  StasDlpRaw empty = { 0 };
  guint dropped = 99;

  raw->numrec = 2;
  two = stas_dlp_parse_page (raw, DC2_TID, "nvme1", &dropped, diags);
  g_assert_cmpuint (two->len, ==, 2);
  g_assert_cmpuint (dropped, ==, 0);
  g_assert_cmpuint (diags->len, ==, 0);

  raw->numrec = 5;
  short_page = stas_dlp_parse_page (raw, DC2_TID, "nvme1", &dropped, diags);
  g_assert_cmpuint (short_page->len, ==, 3);
  g_assert_cmpuint (dropped, ==, 2);
  g_assert_cmpstr (first_of_level (diags, STAS_LOG_WARNING), ==,
                   DC2_TID " | nvme1 - Dropped 2 malformed discovery log page entries");

  raw->numrec = 0;
  none = stas_dlp_parse_page (raw, DC2_TID, "nvme1", &dropped, NULL);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (dropped, ==, 0);

  null_bytes = stas_dlp_parse_page (&empty, DC2_TID, "nvme1", NULL, NULL);
  g_assert_cmpuint (null_bytes->len, ==, 0);
}

/* ---- the D-Bus dictionary ---------------------------------------------------------------- */

/* [DBUS-33] spec/dbus.md §7.3 worked reply, byte for byte (GVariant text form). */
static void
test_dict_worked_example (void)
{
  g_autoptr (StasDlpRaw) raw = stas_dlp_build_page (1, dc2_page, G_N_ELEMENTS (dc2_page));
  g_autoptr (GArray) entries = stas_dlp_parse_page (raw, DC2_TID, "nvme1", NULL, NULL);
  g_autoptr (GVariant) reply =
      g_variant_ref_sink (g_variant_new ("(@aa{ss})", stas_dlp_to_variant (entries)));
  g_autofree char *text = g_variant_print (reply, FALSE);

  g_assert_cmpstr (
      text, ==,
      "([{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.168.10.31', 'trsvcid': '4420', "
      "'subnqn': 'nqn.2023-01.com.example:array1', 'subtype': 'nvme', 'treq': 'not specified', "
      "'portid': '1', 'cntlid': '65535', 'asqsz': '32', 'eflags': '0'}, "
      "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.168.10.32', 'trsvcid': '4420', "
      "'subnqn': 'nqn.2023-01.com.example:array2', 'subtype': 'nvme', 'treq': 'not specified', "
      "'portid': '2', 'cntlid': '65535', 'asqsz': '32', 'eflags': '4'}, "
      "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.168.10.20', 'trsvcid': '8009', "
      "'subnqn': 'nqn.1988-11.com.dell:SFSS:1:20221122170722e8', 'subtype': 'discovery', "
      "'treq': 'not specified', 'portid': '1', 'cntlid': '65535', 'asqsz': '32', "
      "'eflags': '0'}],)");
}

/* Empty page → `([],)` (spec/dbus.md §7.3 note) and exactly a{ss}/aa{ss} types. */
static void
test_dict_types (void)
{
  g_autoptr (GVariant) empty = g_variant_ref_sink (stas_dlp_to_variant (NULL));
  g_autoptr (GVariant) one = NULL;
  StasDlpe dlpe;

  g_assert_true (g_variant_is_of_type (empty, G_VARIANT_TYPE ("aa{ss}")));
  g_assert_cmpuint (g_variant_n_children (empty), ==, 0);
  parse_ok (&dc2_page[0], &dlpe);
  one = g_variant_ref_sink (stas_dlpe_to_variant (&dlpe));
  g_assert_true (g_variant_is_of_type (one, G_VARIANT_TYPE ("a{ss}")));
  g_assert_cmpuint (g_variant_n_children (one), ==, 11); /* no tsas key */
}

/* [DBUS-34] Python repr form, spec/dbus.md §7.7 `dlpe` value; quotes and backslashes
 * escaped. */
static void
test_dict_repr (void)
{
  StasDlpe dlpe;
  g_autofree char *repr = NULL;
  g_autofree char *odd = NULL;
  StasDlpeSpec spec = dc2_page[1];

  parse_ok (&spec, &dlpe);
  repr = stas_dlpe_to_repr (&dlpe);
  g_assert_cmpstr (repr, ==,
                   "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.168.10.32', 'trsvcid': "
                   "'4420', 'subnqn': 'nqn.2023-01.com.example:array2', 'subtype': 'nvme', "
                   "'treq': 'not specified', 'portid': '2', 'cntlid': '65535', 'asqsz': '32', "
                   "'eflags': '4'}");

  spec.subnqn = "nqn.it's\\x";
  parse_ok (&spec, &dlpe);
  odd = stas_dlpe_to_repr (&dlpe);
  g_assert_nonnull (strstr (odd, "'subnqn': 'nqn.it\\'s\\\\x'"));
}

/* The dictionary read back (state file, stafd reply) gives the same entry. */
static void
test_dict_round_trip (void)
{
  for (guint code = 0; code < 256; code += 17)
    {
      StasDlpeSpec spec = {
        .trtype = (guint8) code,
        .adrfam = (guint8) (code + 1),
        .subtype = (guint8) (255 - code),
        .treq = (guint8) (code / 3),
        .portid = (guint16) (code * 257),
        .cntlid = 65535,
        .asqsz = 0,
        .eflags = (guint16) code,
        .trsvcid = "4420",
        .subnqn = ARRAY1,
        .traddr = "10.1.2.3",
      };
      g_autoptr (GError) error = NULL;
      g_autoptr (GVariant) dict = NULL;
      StasDlpe dlpe, back;

      parse_ok (&spec, &dlpe);
      dict = g_variant_ref_sink (stas_dlpe_to_variant (&dlpe));
      g_assert_true (stas_dlpe_from_variant (dict, &back, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (&dlpe, sizeof dlpe, &back, sizeof back);
    }
}

static void
assert_dict_malformed (const char *text, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) dict = g_variant_parse (NULL, text, NULL, NULL, &error);
  StasDlpe dlpe;

  g_assert_no_error (error);
  g_assert_false (stas_dlpe_from_variant (dict, &dlpe, &error));
  g_assert_error (error, STAS_DLP_ERROR, STAS_DLP_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, message);
}

#define GOOD_REST                                                                                  \
  "'traddr': '10.0.0.1', 'trsvcid': '4420', 'subnqn': 'nqn.a', 'subtype': 'nvme', "                \
  "'treq': 'not specified', 'portid': '1', 'cntlid': '2', 'asqsz': '32', 'eflags': '0'"

/* Dictionaries that cannot be a published DLPE. */
static void
test_dict_from_variant_invalid (void)
{
  g_autoptr (GVariant) dict = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *long_addr = g_strnfill (257, '1');
  g_autofree char *text = NULL;
  StasDlpe dlpe;

  assert_dict_malformed ("@a{sv} {}", "log page entry has type a{sv}, expected a{ss}");
  assert_dict_malformed ("{'adrfam': 'ipv4', " GOOD_REST "}",
                         "log page entry has no \"trtype\" key");
  assert_dict_malformed ("{'trtype': 'tcpx', 'adrfam': 'ipv4', " GOOD_REST "}",
                         "invalid trtype \"tcpx\"");
  assert_dict_malformed ("{'trtype': 'tcp', 'adrfam': 'IPv4', " GOOD_REST "}",
                         "invalid adrfam \"IPv4\"");
  assert_dict_malformed (
      "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '10.0.0.1', 'trsvcid': '4420', "
      "'subnqn': 'nqn.a', 'subtype': 'nvme', 'treq': 'not specified', 'portid': '65536', "
      "'cntlid': '2', 'asqsz': '32', 'eflags': '0'}",
      "invalid portid \"65536\"");
  assert_dict_malformed (
      "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '10.0.0.1', 'trsvcid': '4420', "
      "'subnqn': 'nqn.a', 'subtype': 'nvme', 'treq': 'not specified', 'portid': '1', "
      "'cntlid': '-2', 'asqsz': '32', 'eflags': '0'}",
      "invalid cntlid \"-2\"");
  assert_dict_malformed (
      "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '10.0.0.1', 'trsvcid': '4420', "
      "'subnqn': 'nqn.a', 'subtype': 'nvme', 'treq': 'sometimes', 'portid': '1', "
      "'cntlid': '2', 'asqsz': '32', 'eflags': '0'}",
      "invalid treq \"sometimes\"");
  assert_dict_malformed (
      "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '10.0.0.1', 'trsvcid': '4420', "
      "'subnqn': 'nqn.a', 'subtype': 'nvme', 'treq': '0', 'portid': '1', "
      "'cntlid': '2', 'asqsz': '', 'eflags': '0'}",
      "invalid asqsz \"\"");
  assert_dict_malformed (
      "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '10.0.0.\\u0007', 'trsvcid': '4420', "
      "'subnqn': 'nqn.a', 'subtype': 'nvme', 'treq': '0', 'portid': '1', "
      "'cntlid': '2', 'asqsz': '1', 'eflags': '0'}",
      "non-printable byte 0x07 in traddr");
  assert_dict_malformed (
      "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '10.0.0.1', 'trsvcid': '4420', "
      "'subnqn': 'nqn.\\u00e9', 'subtype': 'nvme', 'treq': '0', 'portid': '1', "
      "'cntlid': '2', 'asqsz': '1', 'eflags': '0'}",
      "non-printable byte 0xc3 in subnqn");

  text = g_strdup_printf ("{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '%s', 'trsvcid': "
                          "'4420', 'subnqn': 'nqn.a', 'subtype': 'nvme', 'treq': '0', "
                          "'portid': '1', 'cntlid': '2', 'asqsz': '1', 'eflags': '0'}",
                          long_addr);
  assert_dict_malformed (text, "traddr longer than 256 bytes");

  /* numeric codes, surrounding spaces and extra keys are accepted */
  dict = g_variant_parse (NULL,
                          "{'trtype': '17', 'adrfam': '254', 'traddr': ' 10.0.0.1 ', "
                          "'trsvcid': '4420', 'subnqn': 'nqn.a', 'subtype': '9', 'treq': '5', "
                          "'portid': '1', 'cntlid': '2', 'asqsz': '1', 'eflags': '0', "
                          "'tsas': 'x'}",
                          NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (stas_dlpe_from_variant (dict, &dlpe, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dlpe.trtype, ==, 17);
  g_assert_cmpuint (dlpe.adrfam, ==, 254);
  g_assert_cmpuint (dlpe.subtype, ==, 9);
  g_assert_cmpuint (dlpe.treq, ==, 5);
  g_assert_cmpstr (dlpe.traddr, ==, "10.0.0.1");
}

/* ---- what an entry means ----------------------------------------------------------------- */

/* [REF-1] subtypes, [NCC-1] the NCC flag */
static void
test_helpers (void)
{
  StasDlpe ioc, ncc, self, ref;
  StasDlpeSpec spec = dc2_page[0];

  parse_ok (&dc2_page[0], &ioc);
  parse_ok (&dc2_page[1], &ncc);
  parse_ok (&dc2_page[2], &self);
  spec.subtype = 1;
  parse_ok (&spec, &ref);

  g_assert_true (stas_dlpe_is_nvme (&ioc));
  g_assert_false (stas_dlpe_is_referral (&ioc));
  g_assert_false (stas_dlpe_is_discovery (&ioc));
  g_assert_true (stas_dlpe_is_discovery (&self));
  g_assert_false (stas_dlpe_is_nvme (&self));
  g_assert_true (stas_dlpe_is_referral (&ref));
  g_assert_false (stas_dlpe_has_ncc (&ioc));
  g_assert_true (stas_dlpe_has_ncc (&ncc));
  ncc.eflags = 0xfffb;
  g_assert_false (stas_dlpe_has_ncc (&ncc));

  g_assert_cmpstr (stas_dlpe_transport (&ioc), ==, "tcp");
  ioc.trtype = 0;
  g_assert_null (stas_dlpe_transport (&ioc));
  ioc.trtype = 42;
  g_assert_null (stas_dlpe_transport (&ioc));
  ioc.trtype = 254;
  g_assert_cmpstr (stas_dlpe_transport (&ioc), ==, "loop");
}

/* SPEC §4.3 / [REF-1] "TID": entry fields + host fields of the referring DC. */
static void
test_tid_fields (void)
{
  g_autoptr (StasTid) dc = dc_tid ("tcp", "192.168.10.20", "8009", DELL_NQN);
  g_autoptr (StasTid) tid = NULL;
  g_autoptr (StasTid) no_iface = NULL;
  g_autoptr (GError) error = NULL;
  StasTidDefaults ignore = stafd_defaults;
  StasTidFields f;
  StasDlpe dlpe;

  parse_ok (&dc2_page[0], &dlpe);
  stas_dlpe_tid_fields (&dlpe, dc, &f);
  g_assert_cmpstr (f.transport, ==, "tcp");
  g_assert_cmpstr (f.traddr, ==, "192.168.10.31");
  g_assert_cmpstr (f.trsvcid, ==, "4420");
  g_assert_cmpstr (f.subsysnqn, ==, ARRAY1);
  g_assert_cmpstr (f.host_traddr, ==, "192.168.10.5");
  g_assert_cmpstr (f.host_iface, ==, "eth1");
  g_assert_cmpstr (f.host_nqn, ==, HOST_NQN);
  g_assert_cmpstr (f.host_id, ==, HOST_ID);

  tid = stas_dlpe_to_tid (&dlpe, dc, &stacd_defaults, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stas_tid_to_string (tid), ==,
                   "(tcp, 192.168.10.31, 4420, " ARRAY1 ", eth1, 192.168.10.5)");
  g_assert_cmpstr (stas_tid_get_host_id (tid), ==, HOST_ID);

  /* the consumer's ignore-iface applies */
  ignore.ignore_iface = TRUE;
  no_iface = stas_dlpe_to_tid (&dlpe, dc, &ignore, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stas_tid_get_host_iface (no_iface), ==, "");

  /* no transport name → empty transport */
  dlpe.trtype = 9;
  stas_dlpe_tid_fields (&dlpe, dc, &f);
  g_assert_cmpstr (f.transport, ==, "");
}

static void
assert_tid_error (const StasDlpeSpec *spec, const StasTid *dc, StasDlpError code, const char *msg)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StasTid) tid = NULL;
  StasDlpe dlpe;

  parse_ok (spec, &dlpe);
  tid = stas_dlpe_to_tid (&dlpe, dc, &stafd_defaults, &error);
  g_assert_null (tid);
  g_assert_error (error, STAS_DLP_ERROR, (gint) code);
  g_assert_cmpstr (error->message, ==, msg);
}

/* [D-41] cross-transport entries; bad-input §6 "Referral/IOC entry with invalid IP, port
 * or NQN"; pcie/unspecified/numeric trtypes are never used. */
static void
test_tid_invalid (void)
{
  g_autoptr (StasTid) dc = dc_tid ("tcp", "192.168.10.20", "8009", DELL_NQN);
  StasDlpeSpec spec;

  spec = dc2_page[0];
  spec.trtype = 1;
  assert_tid_error (&spec, dc, STAS_DLP_ERROR_CROSS_TRANSPORT,
                    "transport rdma differs from the DC's transport tcp");
  spec.trtype = 0;
  assert_tid_error (&spec, dc, STAS_DLP_ERROR_CROSS_TRANSPORT,
                    "transport unspecified differs from the DC's transport tcp");
  spec.trtype = 77;
  assert_tid_error (&spec, dc, STAS_DLP_ERROR_CROSS_TRANSPORT,
                    "transport 77 differs from the DC's transport tcp");
  spec.trtype = 254;
  assert_tid_error (&spec, dc, STAS_DLP_ERROR_CROSS_TRANSPORT,
                    "transport loop differs from the DC's transport tcp");

  spec = dc2_page[0];
  spec.traddr = "array1.example.com";
  assert_tid_error (&spec, dc, STAS_DLP_ERROR_INVALID,
                    "traddr \"array1.example.com\" is not a valid IP address");
  spec.traddr = "555.555.555.555";
  assert_tid_error (&spec, dc, STAS_DLP_ERROR_INVALID,
                    "traddr \"555.555.555.555\" is not a valid IP address");
  spec = dc2_page[0];
  spec.trsvcid = "";
  assert_tid_error (&spec, dc, STAS_DLP_ERROR_INVALID,
                    "trsvcid \"\" is not a port number 1..65535");
  spec.trsvcid = "0";
  assert_tid_error (&spec, dc, STAS_DLP_ERROR_INVALID,
                    "trsvcid \"0\" is not a port number 1..65535");
  spec.trsvcid = "65536";
  assert_tid_error (&spec, dc, STAS_DLP_ERROR_INVALID,
                    "trsvcid \"65536\" is not a port number 1..65535");
  spec.trsvcid = "http";
  assert_tid_error (&spec, dc, STAS_DLP_ERROR_INVALID,
                    "trsvcid \"http\" is not a port number 1..65535");
  spec = dc2_page[0];
  spec.subnqn = "iqn.2001-04.com.example:disk";
  assert_tid_error (&spec, dc, STAS_DLP_ERROR_INVALID,
                    "subnqn \"iqn.2001-04.com.example:disk\" is not a valid NQN");
  spec.subnqn = "";
  assert_tid_error (&spec, dc, STAS_DLP_ERROR_INVALID, "subnqn \"\" is not a valid NQN");
}

/* fc and loop DCs: no IP/port checks, ports are dropped by the TID rules. */
static void
test_tid_fc_loop (void)
{
  g_autoptr (StasTid) fc_dc =
      dc_tid ("fc", "nn-0x20000090fae0b5f5:pn-0x10000090fae0b5f5", NULL, NULL);
  g_autoptr (StasTid) loop_dc = dc_tid ("loop", "", NULL, NULL);
  g_autoptr (StasTid) fc = NULL;
  g_autoptr (StasTid) loop = NULL;
  g_autoptr (GError) error = NULL;
  StasDlpeSpec spec = { .trtype = 2,
                        .adrfam = 4,
                        .subtype = 2,
                        .subnqn = ARRAY1,
                        .traddr = "NN-0x20000090FAE0B5F6:PN-0x10000090FAE0B5F6",
                        .trsvcid = "none" };
  StasDlpe dlpe;

  parse_ok (&spec, &dlpe);
  fc = stas_dlpe_to_tid (&dlpe, fc_dc, &stacd_defaults, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stas_tid_get_traddr (fc), ==, "nn-0x20000090fae0b5f6:pn-0x10000090fae0b5f6");
  g_assert_cmpstr (stas_tid_get_trsvcid (fc), ==, "");
  g_assert_cmpstr (stas_tid_get_host_iface (fc), ==, "");

  spec = (StasDlpeSpec){ .trtype = 254, .adrfam = 254, .subtype = 2, .subnqn = ARRAY1 };
  parse_ok (&spec, &dlpe);
  g_assert_true (stas_dlpe_is_published (&dlpe));
  loop = stas_dlpe_to_tid (&dlpe, loop_dc, &stacd_defaults, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stas_tid_get_transport (loop), ==, "loop");
  g_assert_cmpstr (stas_tid_get_traddr (loop), ==, "");
}

/* [REF-1] "Self-referral": own transport, IP-equal traddr, same port, own or well-known
 * NQN. */
static void
test_self_referral (void)
{
  g_autoptr (StasTid) dc = dc_tid ("tcp", "fe80::1", "8009", DELL_NQN);
  StasDlpeSpec spec = { .trtype = 3,
                        .adrfam = 2,
                        .subtype = 1,
                        .traddr = "FE80:0::1",
                        .trsvcid = "8009",
                        .subnqn = DELL_NQN };
  StasDlpe dlpe;

  parse_ok (&spec, &dlpe);
  g_assert_true (stas_dlpe_is_self_referral (&dlpe, dc));
  g_strlcpy (dlpe.subnqn, STAS_WELL_KNOWN_DISC_NQN, sizeof dlpe.subnqn);
  g_assert_true (stas_dlpe_is_self_referral (&dlpe, dc));
  g_strlcpy (dlpe.trsvcid, "08009", sizeof dlpe.trsvcid);
  g_assert_true (stas_dlpe_is_self_referral (&dlpe, dc));

  g_strlcpy (dlpe.subnqn, ARRAY1, sizeof dlpe.subnqn);
  g_assert_false (stas_dlpe_is_self_referral (&dlpe, dc));
  g_strlcpy (dlpe.subnqn, DELL_NQN, sizeof dlpe.subnqn);
  g_strlcpy (dlpe.trsvcid, "8010", sizeof dlpe.trsvcid);
  g_assert_false (stas_dlpe_is_self_referral (&dlpe, dc));
  g_strlcpy (dlpe.trsvcid, "8009", sizeof dlpe.trsvcid);
  g_strlcpy (dlpe.traddr, "fe80::2", sizeof dlpe.traddr);
  g_assert_false (stas_dlpe_is_self_referral (&dlpe, dc));
  g_strlcpy (dlpe.traddr, "fe80::1", sizeof dlpe.traddr);
  dlpe.trtype = 1;
  g_assert_false (stas_dlpe_is_self_referral (&dlpe, dc));
}

/* ---- the builder --------------------------------------------------------------------------- */

/* Builder round trip: build → parse → dict gives back the field values. */
static void
test_build_round_trip (void)
{
  g_autoptr (GBytes) bytes = stas_dlp_build_entry (&dc2_page[1]);
  StasDlpe dlpe;
  g_autofree char *text = NULL;
  g_autofree char *nqn = g_strnfill (300, 'n');
  StasDlpeSpec trunc = { .trtype = 3, .subnqn = nqn };
  guint8 record[STAS_DLPE_SIZE];

  g_assert_cmpuint (g_bytes_get_size (bytes), ==, STAS_DLPE_SIZE);
  g_assert_true (stas_dlpe_parse (g_bytes_get_data (bytes, NULL), &dlpe, NULL));
  text = dict_text (&dlpe);
  g_assert_cmpstr (text, ==,
                   "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.168.10.32', 'trsvcid': "
                   "'4420', 'subnqn': 'nqn.2023-01.com.example:array2', 'subtype': 'nvme', "
                   "'treq': 'not specified', 'portid': '2', 'cntlid': '65535', 'asqsz': '32', "
                   "'eflags': '4'}");

  /* too long text is cut at the field size and does not spill into the next field */
  stas_dlp_build_entry_into (&trunc, record);
  g_assert_cmpuint (record[256 + 255], ==, 'n');
  g_assert_cmpuint (record[512], ==, 0);
  g_assert_true (stas_dlpe_parse (record, &dlpe, NULL));
  g_assert_cmpuint (strlen (dlpe.subnqn), ==, 256);
  g_assert_cmpstr (dlpe.traddr, ==, "");

  {
    g_autoptr (StasDlpRaw) empty = stas_dlp_build_page (3, NULL, 0);
    g_assert_cmpuint (empty->numrec, ==, 0);
    g_assert_cmpuint (g_bytes_get_size (empty->entries), ==, 0);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dlp/record/fields", test_record_fields);
  g_test_add_func ("/dlp/record/bad-input-6-unterminated", test_record_unterminated);
  g_test_add_func ("/dlp/record/bad-input-6-whitespace", test_record_whitespace);
  g_test_add_func ("/dlp/record/bad-input-6-non-printable-D-70", test_record_non_printable);
  g_test_add_func ("/dlp/record/bad-input-6-codes-DBUS-33", test_record_codes);
  g_test_add_func ("/dlp/record/bad-input-6-unpublished-D-42", test_unpublished);
  g_test_add_func ("/dlp/page/mixed-DC-5", test_page_mixed);
  g_test_add_func ("/dlp/page/flood", test_page_flood);
  g_test_add_func ("/dlp/page/numrec", test_page_numrec);
  g_test_add_func ("/dlp/dict/worked-example-DBUS-33", test_dict_worked_example);
  g_test_add_func ("/dlp/dict/types", test_dict_types);
  g_test_add_func ("/dlp/dict/repr-DBUS-34", test_dict_repr);
  g_test_add_func ("/dlp/dict/round-trip", test_dict_round_trip);
  g_test_add_func ("/dlp/dict/from-variant-invalid", test_dict_from_variant_invalid);
  g_test_add_func ("/dlp/entry/helpers-REF-1-NCC-1", test_helpers);
  g_test_add_func ("/dlp/entry/tid-fields-TID-1", test_tid_fields);
  g_test_add_func ("/dlp/entry/tid-invalid-D-41", test_tid_invalid);
  g_test_add_func ("/dlp/entry/tid-fc-loop", test_tid_fc_loop);
  g_test_add_func ("/dlp/entry/self-referral-REF-1", test_self_referral);
  g_test_add_func ("/dlp/build/round-trip", test_build_round_trip);

  return g_test_run ();
}
