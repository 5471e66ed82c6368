/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include <json-c/json.h>

#include "shared/macro.h"
#include "shared/string-util.h"

/* The package mapping engine: decides, for every package of a Debian-family source release, what
 * becomes of it on an Azure Linux target, and says which entry or rule decided.
 *
 * Knowledge (all under the plans directory, see plans/maps/README.md):
 *   universe/<target>.tsv (+ -extra.tsv)  every package the target can install, with Provides
 *   universe/<target>-image.tsv           the packages of the target's AKS node image
 *   maps/entries/NN-name.tsv              explicit entries, first file (by name) wins
 *   maps/rules.tsv                        general rules, in order
 *   maps/debian-binary-source.tsv         binary -> source, for lists without source names
 *   maps/source-aliases.tsv               Debian source -> Azure Linux spec
 * and drop-in directories of entry files (vendors, users) that take precedence over all of it. */

typedef enum PkgDisposition {
        PKG_MAP,         /* install these target packages */
        PKG_DROP,        /* not needed, or its function is done another way on the target */
        PKG_UNAVAILABLE, /* the target has no package for it: the user must bring it */
        PKG_BASE,        /* already part of the target's node image */
        PKG_UNKNOWN,     /* no entry and no rule decided */
        _PKG_DISPOSITION_MAX,
        _PKG_DISPOSITION_INVALID = -EINVAL,
} PkgDisposition;

DECLARE_STRING_TABLE_LOOKUP(pkg_disposition, PkgDisposition);

typedef struct PkgMap PkgMap;

/* Loads the knowledge for mapping from (e.g. "ubuntu-22.04") to (e.g. "azurelinux-3.0").
 * dropin_dirs: directories of entry files (*.tsv) in decreasing precedence; missing ones are
 * skipped. On a malformed table or an entry naming a target package that does not exist,
 * returns -EBADMSG with *ret_error saying which file and line (caller frees).
 * Returns 0, -EBADMSG, -ENOENT (no universe for that target), or -errno. */
int pkgmap_load(const char *plans_dir, char *const *dropin_dirs, const char *from, const char *to,
                PkgMap **ret, char **ret_error);
PkgMap *pkgmap_free(PkgMap *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(PkgMap *, pkgmap_free);

/* Decides one package. source: its Debian source package when known, else NULL.
 * Returns 0 and a new object {name, disposition, targets[], repos[] (each target's repository:
 * base, extended, cloud-native, ms-oss, microsoft), rule, note, evidence, in_target_image}, or
 * -ENOMEM. */
int pkgmap_decide(PkgMap *m, const char *name, const char *source, json_object **ret);

/* Decides every packages.items[] entry of an inventory. Returns 0 and
 * {"decisions": [...], "counts": {...}} (see plans/maps/README.md), or -ENOMEM. */
int pkgmap_decide_inventory(PkgMap *m, json_object *inventory, json_object **ret);

/* Adds the counts of a decisions array: per disposition, total, distinct targets, what the
 * target image lacks. Returns 0 and a new object, or -ENOMEM. */
int pkgmap_counts(PkgMap *m, json_object *decisions, json_object **ret);

bool pkgmap_target_exists(PkgMap *m, const char *name);
bool pkgmap_target_in_image(PkgMap *m, const char *name);
/* Number of packages in the target's node image list. */
size_t pkgmap_image_size(PkgMap *m);
const char *pkgmap_from(PkgMap *m);
const char *pkgmap_to(PkgMap *m);
