/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

/* The fingerprint of an inventory: "sha256:" and the lowercase hex SHA-256 of the inventory's
 * compact json-c serialisation (no whitespace, members in document order, '/' not escaped) with
 * the top-level "source" member and the space figures of "mounts" (size, free, available) left
 * out, so that the same node gives the same fingerprint whether it was read as an image file, a
 * device or a saved inventory, and whatever its logs or caches did to the free space since. The executor
 * compares it with a fresh inspection before it changes anything. The inventory is not modified. Returns 0
 * and the string (caller frees), -EINVAL when inventory is not an object, or -ENOMEM. */
int fingerprint_inventory(json_object *inventory, char **ret);

/* The fingerprint ("sha256:" and hex) of any JSON object's compact serialisation, leaving out the
 * top-level members named in skip (NULL-terminated; may be NULL). doc is not modified. Returns 0
 * and the string (caller frees), -EINVAL when doc is not an object, or -ENOMEM. */
int fingerprint_document(json_object *doc, const char *const *skip, char **ret);
