/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

/* Renders the short human summary of an inventory (azlmigrate/inventory/v1): source, OS, disk
 * layout, boot, package count, AKS components, notable findings. Works from the JSON alone, so
 * it shows exactly what the JSON says. Returns 0 and a new string, or -ENOMEM. */
int inventory_text_render(json_object *inv, char **ret);
