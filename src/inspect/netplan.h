/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include <json-c/json.h>

#include "shared/macro.h"

/* netplan(5) configuration: YAML files under /{lib,etc,run}/netplan, each loaded with
 * yaml_tree_load() (yaml-tree.h), merged in netplan's order and described as JSON. */

/* The configuration merged from several files: "lexicographically later files amend (new
 * mapping keys) or override (same mapping keys) previous ones" (netplan(5)). Mappings merge key
 * by key, scalars are replaced, sequences are appended without repeating equal items (netplan
 * appends addresses, routes and nameservers of a device defined again in a later file). */
typedef struct Netplan Netplan;

int netplan_new(Netplan **ret);
Netplan *netplan_free(Netplan *np);
DEFINE_TRIVIAL_CLEANUP_FUNC(Netplan *, netplan_free);

/* Adds the tree of one file, in netplan's order. The tree is checked first and is either used
 * whole or not at all: it must be a mapping with a "network" mapping, device sections
 * (ethernets, bonds, ...) must be mappings of mappings, a device must keep its type across files
 * and "renderer" must be networkd or NetworkManager (netplan rejects all of these too).
 * Does not take ownership of tree. Returns 1 if used, 0 if rejected (*ret_error says why; caller
 * frees), -ENOMEM. */
int netplan_add(Netplan *np, const char *file, json_object *tree, char **ret_error);

/* Writes the merged configuration into obj (the inventory's config.network):
 *   renderer    "networkd" | "NetworkManager" | null
 *   version     integer | null
 *   interfaces  [ one object per device, sorted by id (fields: see device_to_json() in netplan.c) ]
 *   keys        [ every key path used, device ids replaced by "*", sorted, unique ]
 *   keys_truncated  bool (true when the key paths exceeded the collection cap)
 * Returns 0 or -ENOMEM. */
int netplan_to_json(Netplan *np, json_object *obj);

/* netplan's boolean words (parse.c handle_bool): true/on/yes/y and false/off/no/n, any case.
 * Returns 1, 0, or -EINVAL for anything else. */
int netplan_parse_bool(const char *s);
