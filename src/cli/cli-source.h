/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "inspect/inspect.h"

/* Where a verb takes its node from: a disk image or block device (inspected now), a mounted
 * root (--root, inspected now) or a saved inventory (--inventory FILE, as written by
 * "inspect --format json"). Exactly one must be set. */
typedef struct CliSource {
        const char *image;
        const char *root;
        const char *inventory;
        InspectBackend backend;
} CliSource;

/* Returns 0 and the inventory JSON (caller puts), or a negative errno after logging one line
 * that says what is wrong. */
int cli_source_load(const CliSource *s, json_object **ret);

/* Number of the three sources set. */
int cli_source_count(const CliSource *s);

/* True if arg names an existing file or device rather than, say, a package name. */
int cli_arg_is_path(const char *arg);
