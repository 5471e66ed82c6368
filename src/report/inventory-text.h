/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include <json-c/json.h>

/* Renders the short human summary of an inventory (azlmigrate/inventory/v1): source, OS, disk
 * layout, boot, package count, AKS components, notable findings. Works from the JSON alone, so
 * it shows exactly what the JSON says. Returns 0 and a new string, or -ENOMEM. */
int inventory_text_render(json_object *inv, char **ret);

/* The mount point that an inventory's "mounts" (or a plan's inventory_summary's) records for the
 * partition with that number, or NULL. */
const char *inventory_text_mountpoint(json_object *inv, int64_t number);
