/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

/* The migration report (schema azlmigrate/report/v1, docs/report.schema.json), built from a plan
 * alone (the plan embeds what a report needs, so "report --plan FILE" works without the node).
 * Leads with the verdict and the inhibitors with their remediations; then the package changes,
 * the configuration changes, the steps and checkpoints, the footprint and every finding. */

#define REPORT_SCHEMA "azlmigrate/report/v1"

/* Builds the report of a plan that plan_check() accepted. Nothing of the plan is trusted beyond
 * that: missing or mistyped members give empty sections, never a crash.
 * Returns 0 and the report (caller puts), -EBADMSG when the plan has no valid verdict, or
 * -ENOMEM. */
int report_build(json_object *plan, json_object **ret);

/* Whether a report (or plan) is of AKS node pools ("subject": "nodepool"): it has pools, the
 * cluster and the commands of each step instead of packages, configuration and a footprint. */
bool report_is_nodepool(json_object *report_or_plan);

/* Renders a report (as report_build() made it) as Markdown: headings, tables, every string from
 * the node escaped (pipes, markup, newlines). Returns 0 or -errno from writing f. */
int report_render_markdown(json_object *report, FILE *f);

/* Renders a report as one self-contained HTML file: inline CSS and SVG pictures (disk layout,
 * package dispositions, the steps with their checkpoints); no JavaScript, no external resource;
 * every string escaped. Returns 0 or -errno from writing f. */
int report_render_html(json_object *report, FILE *f);
