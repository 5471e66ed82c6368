/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include <json-c/json.h>

#include "shared/macro.h"

/* Named checks: what the rule files (plans/rules/<area>.json) cannot express with paths and
 * conditions. A rule refers to a check by name, as a condition ({"check": "name", "args": {...}}:
 * true when it has matches) or as what it iterates over ("foreach": {"check": ...}). A check
 * returns matches: objects with a "resource" and the fields the rule's templates use as {@.field}.
 *
 * The knowledge a check needs is data under the plans directory, read once per evaluation:
 *   rules/netplan-keys.tsv         the netplan YAML keys and the netplan version that added each
 *   universe/<to>-image.tsv        the target image's package versions (its netplan version)
 *   universe/<to>-accounts.tsv     the target's fixed system accounts and groups
 *   rules/kernel-cmdline.tsv       what becomes of each kernel command line parameter
 *   rules/unit-names.tsv           Ubuntu systemd units renamed, dropped or replaced on the target
 * (plans/rules/README.md documents every check and its arguments.) */

typedef struct CheckCache CheckCache;

typedef struct CheckContext {
        const char *plans_dir;
        const char *to;
        json_object *inventory;
        json_object *decisions; /* may be NULL */
        CheckCache *cache;
} CheckContext;

int check_cache_new(CheckCache **ret);
CheckCache *check_cache_free(CheckCache *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(CheckCache *, check_cache_free);

/* Validates a reference from a rule file: a known check, known argument names with values of the
 * right type. Returns 0, or -EBADMSG with *ret_error saying what is wrong (caller frees). */
int checks_validate(const char *name, json_object *args, char **ret_error);

/* Runs a (validated) check. item: the element the rule iterates over, or NULL.
 * Returns 0 and a new array of matches, -EBADMSG when a table the check reads is malformed or
 * missing (*ret_error names the file and line; caller frees), or -ENOMEM. */
int checks_run(const CheckContext *ctx, const char *name, json_object *item, json_object *args,
               json_object **ret_matches, char **ret_error);

/* The names of all checks, for documentation. */
const char *const *checks_names(size_t *ret_n);

/* Compares dotted version numbers ("1.0.1" with "0.104"), numerically per component; anything
 * after the first character that is neither digit nor '.' is ignored. Returns <0, 0, >0. */
int checks_version_compare(const char *a, const char *b);
