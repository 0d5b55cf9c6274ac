/* stas-adm.h — the logic of stasadm (spec/cli.md §5): host NQN and host ID generation
 * [CLI-31], in-place editing of sys.conf and atomic writes [CLI-32] ([D-65], [D-66]). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where the system UUID comes from (spec/cli.md §5.2). The personality passes the real
 * paths; tests point them at fixture files. */
typedef struct
{
  const char *machine_id;     /* /etc/machine-id */
  const char *product_uuid;   /* /sys/class/dmi/id/product_uuid (root only) */
  const char *partition_uuid; /* /proc/device-tree/ibm,partition-uuid (root only) */
  gboolean is_root;           /* the process may read the root-only sources */
} StasAdmSystem;

typedef enum
{
  STAS_ADM_UUID_MACHINE_ID,
  STAS_ADM_UUID_DMI,
  STAS_ADM_UUID_PARTITION,
  STAS_ADM_UUID_RANDOM,
  STAS_ADM_UUID_HOST_NQN, /* host ID only: the UUID of a ...:uuid:<UUID> host NQN */
} StasAdmUuidSource;

#define STAS_ADM_NQN_UUID_PREFIX "nqn.2014-08.org.nvmexpress:uuid:"

/* The message printed as is (no "stasadm: " prefix) when the root-only sources are needed
 * by a process that is not root. Such errors are G_IO_ERROR_PERMISSION_DENIED. */
#define STAS_ADM_NOT_ROOT_MESSAGE "Permission denied. Root privileges required."

/* The application-specific UUID of a machine ID (32 hex characters): HMAC-SHA256 keyed with
 * "$nvmexpress.org$" over the 16 bytes of the ID, first 16 bytes, made a version 4 UUID.
 * NULL if @machine_id is not 32 hex characters. */
char *stas_adm_machine_app_uuid (const char *machine_id);
/* SMBIOS byte order to network order: the first three groups of @dmi_uuid byte-swapped.
 * NULL if @dmi_uuid is not a UUID. */
char *stas_adm_dmi_uuid_swap (const char *dmi_uuid);

/* The system UUID: the first source of spec/cli.md §5.2 that succeeds, random at last.
 * Fails (G_IO_ERROR_PERMISSION_DENIED, STAS_ADM_NOT_ROOT_MESSAGE) only when the machine ID
 * is unusable and the process is not root. @source (nullable) receives the source. */
char *stas_adm_system_uuid (const StasAdmSystem *sys, StasAdmUuidSource *source, GError **error);

/* "nqn.2014-08.org.nvmexpress:uuid:<system UUID>" */
char *stas_adm_host_nqn_new (const StasAdmSystem *sys, GError **error);

/* The host ID [D-66]: the UUID of the current host NQN when it is a ...:uuid:<UUID> NQN,
 * else the system UUID, else a random one. The current host NQN is the [Host] nqn of
 * @conf_file (nullable or "": none) resolved as in spec/config.md §5.2, by default the
 * contents of @hostnqn_file. Fails only when @conf_file exists but cannot be read. */
char *stas_adm_host_id_new (const StasAdmSystem *sys,
                            const char *conf_file,
                            const char *hostnqn_file,
                            StasAdmUuidSource *source,
                            GError **error);

/* Non-empty, valid UTF-8, printable characters only. */
gboolean stas_adm_symname_is_valid (const char *symname);

/* Edits sys.conf contents (@data, @len bytes) in place [D-65]: sets [Host] @key to @value,
 * or removes it when @value is NULL. Every other line is kept byte for byte. Returns the new
 * contents (NUL-terminated, length in @out_len). */
char *stas_adm_edit_host_key (
    const char *data, gsize len, const char *key, const char *value, gsize *out_len);

/* Replaces @path atomically: temporary file in the same directory, fsync, rename. A new
 * file gets mode 0644, an existing one keeps its mode and owner; a symbolic link is
 * followed. Errors: G_FILE_ERROR, "<path>: <reason>". */
gboolean stas_adm_write_file (const char *path, const char *data, gsize len, GError **error);

/* Saves [Host] @key the way of spec/cli.md §5.1: with @file, @value plus a newline goes to
 * @file and the key is set to file://@file; without, the key is set to @value. @value
 * NULL removes the key (no @file then). @conf_file NULL or "" updates no configuration
 * file. Errors: "<path>: <reason>". */
gboolean stas_adm_save (
    const char *conf_file, const char *key, const char *value, const char *file, GError **error);

G_END_DECLS
