/* fuzz-common.h — shared pieces of the libFuzzer targets (test/fuzz/fuzz-*.c, DESIGN.md §4
 * level `fuzz`, spec/bad-input.md [BAD-0]: no input crashes stas).
 *
 * Every target links fuzz-common.c, which provides LLVMFuzzerInitialize(): log messages
 * are swallowed (the parsers' diagnostics are built, never printed) and GLib criticals and
 * warnings abort, so a parser that breaks a GLib contract (invalid UTF-8 into a GVariant,
 * a NULL where one is not allowed) is a crash the fuzzer reports. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "stas-config.h"
#include "stas-tid.h"

G_BEGIN_DECLS

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define FUZZ_HOST_NQN "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"
#define FUZZ_HOST_ID "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"

/* The daemons' TID defaults (sys.conf identity above; ignore-iface off). */
extern const StasTidDefaults fuzz_stafd_defaults;
extern const StasTidDefaults fuzz_stacd_defaults;

/* Reads the input front to back; past the end every read gives zeros / empty. */
typedef struct
{
  const uint8_t *data;
  size_t size;
  size_t pos;
} FuzzReader;

void fuzz_reader_init (FuzzReader *r, const uint8_t *data, size_t size);
guint8 fuzz_read_u8 (FuzzReader *r);
guint16 fuzz_read_u16 (FuzzReader *r);
guint32 fuzz_read_u32 (FuzzReader *r);
guint64 fuzz_read_u64 (FuzzReader *r);
/* The next string: the bytes up to the next NUL (consumed) or the end; newly allocated. */
char *fuzz_read_string (FuzzReader *r);
/* The same, made valid UTF-8 (invalid sequences become U+FFFD), as strings arrive over
 * D-Bus or from Avahi. */
char *fuzz_read_utf8 (FuzzReader *r);

/* The first @max NUL-separated pieces of @data (the rest is ignored); NULL-terminated,
 * newly allocated. */
char **fuzz_split (const uint8_t *data, size_t size, guint max);

/* A temporary directory created once per process (removed at exit). */
const char *fuzz_tmpdir (void);
/* Writes @len bytes to @path (replacing it); aborts on failure. */
void fuzz_write_file (const char *path, const void *data, gsize len);

/* Calls every accessor of a loaded configuration and renders every entry, the way the
 * daemons and the D-Bus payloads use them. */
void fuzz_exercise_config (const StasConfig *config);

G_END_DECLS
