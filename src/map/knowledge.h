/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/tsv.h"

/* The knowledge azlmigrate plans with lives as data in a "plans" directory (plans/ in the source
 * tree, installed under the data directory). */

/* Finds the plans directory: override (--plans-dir) if given, else $AZLMIGRATE_PLANS_DIR, else the
 * source tree's plans/ when it exists (running from a build tree), else the installed one.
 * Returns 0 and the path (caller frees), -ENOENT when none exists, or -errno. */
int knowledge_plans_dir(const char *override, char **ret);

/* Reads dir/name (at most 16 MiB), NUL-terminated. Returns 0, -ENOENT or -errno. */
int knowledge_read_file(const char *dir, const char *name, char **ret, size_t *ret_size);

/* Reads the TSV file dir/name (at most 16 MiB) and calls cb for each record, with at least
 * min_fields fields. Returns 0, -ENOENT, or an error from tsv_parse() or cb. */
int knowledge_read_tsv(const char *dir, const char *name, size_t min_fields,
                       int (*cb)(const TsvRecord *r, void *userdata), void *userdata);

/* The release names azlmigrate knows ("ubuntu-22.04", "azurelinux-3.0"). */
int knowledge_release_from_os(const char *id, const char *version_id, char **ret);
#define KNOWLEDGE_TARGETS "azurelinux-3.0, azurelinux-2.0"
#define KNOWLEDGE_SOURCES "ubuntu-18.04, ubuntu-20.04, ubuntu-22.04, ubuntu-24.04, debian-11, debian-12"

/* True for the source releases the package knowledge covers. */
bool knowledge_release_is_source(const char *release);
