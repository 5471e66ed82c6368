/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"

/* A bounded reader for the part of TOML (https://toml.io/en/v1.0.0) that configuration files such
 * as containerd's /etc/containerd/config.toml use:
 *
 *   version = 2                                   # comments
 *   imports = ["/etc/containerd/runtime_*.toml"]
 *   [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
 *     SystemdCgroup = true
 *
 * Handled: [table] and [[array.of.tables]] headers, bare, "basic" and 'literal' keys, dotted keys,
 * basic, literal and multi-line strings with every escape, integers (decimal, 0x, 0o, 0b, with
 * underscores), booleans, arrays (nested, spanning lines, trailing comma), inline tables. Floats
 * and date-times are kept as their text. The document becomes a flat list of entries, each with its
 * full key path (table path + key); every [table] header and inline table is an entry too (type
 * TOML_TABLE), so empty tables are visible. Items of an [[array.of.tables]] share one path, without
 * an index.
 *
 * Debian 12 packages no C TOML library (libtoml11 and tomlplusplus are C++), hence this reader.
 * Guest data is hostile: everything is bounded by the TOML_*_MAX limits below, and a document that
 * is not TOML (unterminated string, bad escape, binary, a key path deeper than the limit) is
 * rejected as a whole. Redefining a key or table, which TOML forbids, is tolerated: toml_get()
 * returns the last definition. */

#define TOML_KEY_MAX       1024u                 /* bytes of one key component */
#define TOML_STRING_MAX    (64u * 1024u)         /* bytes of one string value */
#define TOML_PATH_MAX      32u                   /* components of a full key path */
#define TOML_NESTING_MAX   16u                   /* arrays and inline tables inside each other */
#define TOML_ARRAY_MAX     4096u                 /* items of one array */
#define TOML_ENTRIES_MAX   65536u                /* entries of a document */
#define TOML_KEY_BYTES_MAX (16u * 1024u * 1024u) /* all entries' key paths together */

typedef enum TomlType {
        TOML_TABLE,
        TOML_STRING,
        TOML_INTEGER,
        TOML_BOOLEAN,
        TOML_FLOAT,    /* text in str */
        TOML_DATETIME, /* text in str */
        TOML_ARRAY,
        _TOML_TYPE_MAX,
        _TOML_TYPE_INVALID = -EINVAL,
} TomlType;

typedef struct TomlValue {
        TomlType type;
        char *str;               /* TOML_STRING, TOML_FLOAT, TOML_DATETIME */
        int64_t integer;         /* TOML_INTEGER */
        bool boolean;            /* TOML_BOOLEAN */
        struct TomlValue *items; /* TOML_ARRAY (an inline table inside an array is an empty TOML_TABLE) */
        size_t n_items;
} TomlValue;

typedef struct TomlEntry {
        char **key; /* full path, a strv of n_key components */
        size_t n_key;
        TomlValue value;
        unsigned line; /* where the entry starts, from 1 */
} TomlEntry;

typedef struct TomlDoc {
        TomlEntry *entries; /* in document order */
        size_t n_entries;
} TomlDoc;

/* Parses a document. Returns 0 and the document (caller frees); -EBADMSG when the text is not TOML
 * or -E2BIG when it exceeds a limit, with the offending line in *ret_error_line (if not NULL);
 * or -ENOMEM. */
int toml_parse(const char *buf, size_t size, TomlDoc **ret, unsigned *ret_error_line);

TomlDoc *toml_doc_free(TomlDoc *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(TomlDoc *, toml_doc_free);

/* Returns the value at the NULL-terminated key path, or NULL. */
const TomlValue *toml_get(const TomlDoc *d, const char *const *path);
/* Typed look-ups: NULL/false/-ENOENT when missing or of another type. */
const char *toml_get_string(const TomlDoc *d, const char *const *path);
int toml_get_bool(const TomlDoc *d, const char *const *path); /* 1, 0, or -ENOENT */
int toml_get_int(const TomlDoc *d, const char *const *path, int64_t *ret);

/* Lists, sorted and without duplicates, the names of the keys and tables directly below the
 * NULL-terminated path prefix (e.g. the runtime names below ...containerd.runtimes). Returns 0 with a
 * strv (possibly NULL: empty), or -ENOMEM. */
int toml_list_children(const TomlDoc *d, const char *const *prefix, char ***ret);

/* Returns the strings of an array value as a new strv, skipping items that are not strings.
 * Returns 1 with the strv (possibly NULL: empty), 0 when path is not an array, or -ENOMEM. */
int toml_get_string_array(const TomlDoc *d, const char *const *path, char ***ret);
