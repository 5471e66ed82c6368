/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include <json-c/json.h>

/* A bounded YAML loader for guest files (netplan(5) configuration): libyaml's event parser builds
 * a plain JSON tree. Mappings become objects, sequences arrays, and every scalar a string: no
 * YAML 1.1 typing is applied, because the consumer interprets each key itself (netplan does the
 * same; 00:0d:3a:10:20:30 stays a MAC address and never becomes a sexagesimal number).
 *
 * Guest files are hostile, so the loader bounds the nesting (YAML_TREE_DEPTH_MAX), the number of
 * nodes (the caller's budget, at most YAML_TREE_NODES_MAX per document), the number of anchors
 * and the length of mapping keys, and expands an alias by copying what its anchor stands for,
 * charging the copy against the node budget: an alias bomb ("billion laughs") exhausts the
 * budget after a few thousand nodes instead of exhausting memory. The tree handed out shares no
 * object between two places. */

#define YAML_TREE_DEPTH_MAX   32u
#define YAML_TREE_NODES_MAX   100000u
#define YAML_TREE_ANCHORS_MAX 256u
#define YAML_TREE_KEY_MAX     1024u

/* Loads the first YAML document of buf (netplan reads only the first one). *budget is the number
 * of nodes still allowed; it is decreased by what was built. A repeated mapping key: the later
 * value wins, as netplan's sequential processing makes it. Mapping keys must be scalars.
 * Returns 1 with the tree (caller puts it), 0 for a document that is empty or null (an empty
 * file, only comments, "---", "~"), -EBADMSG for invalid YAML or input beyond a cap (then
 * *ret_error, if given, says what and where; caller frees), -ENOMEM. */
int yaml_tree_load(const char *buf, size_t size, size_t *budget, json_object **ret, char **ret_error);
