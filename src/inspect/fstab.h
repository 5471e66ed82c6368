/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "shared/macro.h"

/* /etc/fstab as fstab(5) defines it: whitespace-separated fields, '#' comments, octal escapes
 * (\040 for a space) decoded. Missing trailing fields take their defaults
 * ("defaults", 0, 0). */
typedef struct FstabEntry {
        char *spec; /* UUID=..., LABEL=..., /dev/..., PARTUUID=..., tmpfs, ... */
        char *file; /* mount point, or "none"/"swap" */
        char *vfstype;
        char *options;
        int freq;
        int passno;
        unsigned line;
} FstabEntry;

typedef struct Fstab {
        FstabEntry *entries;
        size_t n_entries;
        size_t n_invalid;
        unsigned first_invalid_line;
} Fstab;

/* Returns 0 or -ENOMEM. */
int fstab_parse(const char *buf, size_t size, Fstab **ret);
Fstab *fstab_free(Fstab *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(Fstab *, fstab_free);

/* True if the comma-separated option list contains opt exactly. */
int fstab_has_option(const char *options, const char *opt);
