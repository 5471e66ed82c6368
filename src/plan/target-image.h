/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Facts about the target's AKS node image, for the plan's "target_image": its package count (from
 * the package knowledge, given by the caller) and what plans_dir/universe/<to>-image-facts.json
 * records with its provenance (disk layout and usage from the image's release note).
 *
 * Returns 0 and {"image", "packages", "root_used", "layout", "partitions": [{"device",
 * "mountpoint", "size", "used", "available"}], "note", "source"} (strings null and partitions
 * empty when there is no facts file); -EBADMSG with *ret_error (caller frees) for a malformed
 * facts file; or -errno. */
int target_image_facts(const char *plans_dir, const char *to, size_t packages, json_object **ret,
                       char **ret_error);

/* Parses a size as df -h prints it ("29G", "3.2M", "452M", "0") into bytes (powers of 1024).
 * Returns 0 and the size, or -EINVAL. */
int target_image_parse_size(const char *s, uint64_t *ret);
