/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

#include <json-c/json.h>

/* Inline SVG pictures for the HTML report. Each writes one <svg> element (no xmlns: inside HTML
 * the parser places it in the SVG namespace) with a <title> and <desc> that say in words what it
 * shows, so the picture adds nothing a text reader misses. Everything from the node is escaped;
 * element ids are prefixed "azlm-" and unique per picture. Errors surface through ferror(f). */

/* The source disk's partitions (node = the plan's inventory_summary) as a bar in proportion to
 * their sizes, with a legend; and the target node image's partitions (target_image.partitions,
 * sizes as df -h prints them) with their used space. */
void svg_disk_layout(FILE *f, json_object *node, json_object *target_image);

/* The package dispositions (packages.counts) as a stacked bar with counts. */
void svg_dispositions(FILE *f, json_object *counts);

/* The steps top to bottom, mutating ones marked, each checkpoint as a diamond before its step. */
void svg_steps(FILE *f, json_object *steps, json_object *checkpoints);

/* The colour the report uses for a package disposition (also in the HTML tables). */
const char *svg_disposition_colour(const char *disposition);
