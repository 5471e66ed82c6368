/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "shared/macro.h"

/* modules-load.d(5) files and Debian's /etc/modules: one kernel module name a line, loaded at
 * boot by systemd-modules-load.
 *
 *   # /etc/modules: kernel modules to load at boot time.
 *   nf_conntrack                             (Azure Linux /etc/modules-load.d/contrack.conf)
 *   ; a comment
 *   loop max_loop=64                         (/etc/modules allows parameters after the name)
 *
 * Blank lines and lines whose first non-blank character is '#' or ';' are comments. A line with
 * control bytes (NUL included) is invalid: skipped and counted. */

typedef struct ModulesLoadEntry {
        char *module;
        char *args; /* what follows the name, NULL when nothing does */
        unsigned line;
} ModulesLoadEntry;

typedef struct ModulesLoadFile {
        ModulesLoadEntry *entries; /* in file order */
        size_t n_entries;
        size_t n_invalid;
        unsigned first_invalid_line;
} ModulesLoadFile;

/* Returns 0 or -ENOMEM. */
int modules_load_parse(const char *buf, size_t size, ModulesLoadFile **ret);
ModulesLoadFile *modules_load_file_free(ModulesLoadFile *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(ModulesLoadFile *, modules_load_file_free);
