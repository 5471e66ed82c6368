/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include <json-c/json.h>

#include "shared/macro.h"
#include "shared/string-util.h"

/* The plan (schema azlmigrate/plan/v1, docs/plan.schema.json): pure data built from an inventory
 * and the knowledge under the plans directory. Building a plan reads nothing of the source: the
 * same inventory and knowledge give a byte-identical plan (no timestamps, sorted arrays). */

#define PLAN_SCHEMA "azlmigrate/plan/v1"

typedef enum PlanVerdict {
        PLAN_READY,               /* no finding of medium or high severity, no inhibitor */
        PLAN_READY_WITH_WARNINGS, /* some finding of medium or high severity, no inhibitor */
        PLAN_INHIBITED,           /* some finding is an inhibitor: the migration must not run */
        _PLAN_VERDICT_MAX,
        _PLAN_VERDICT_INVALID = -EINVAL,
} PlanVerdict;

DECLARE_STRING_TABLE_LOOKUP(plan_verdict, PlanVerdict);

typedef struct PlanOptions {
        const char *plans_dir;  /* the knowledge directory (knowledge_plans_dir()) */
        const char *to;         /* target release, e.g. "azurelinux-3.0" */
        const char *strategy;   /* a file of plans_dir/strategies, e.g. "inplace" */
        char *const *maps_dirs; /* drop-in directories of package entries, in decreasing precedence */
} PlanOptions;

/* What a checkpoint of kind ("overlay", "undo-archive", "none", "record") is, for the plan's
 * checkpoints[].description; NULL for another kind. */
const char *plan_checkpoint_description(const char *kind);

/* True for a finding that makes a plan ready-with-warnings: severity medium or high, and not an
 * inhibitor. */
bool plan_finding_is_warning(json_object *finding);

/* The order of a plan's findings, for sorting: by key, then first resource, then detail (missing
 * strings as ""). Returns <0, 0 or >0 as strcmp() does. */
int plan_finding_compare(json_object *a, json_object *b);

/* {"name": "azlmigrate", "version": PACKAGE_VERSION}: the "tool" member of what azlmigrate writes.
 * NULL on OOM. */
json_object *plan_tool_new(void);

/* The head every plan starts with: schema, tool, created (null), from, to, strategy. NULL on OOM. */
json_object *plan_new(const char *from, const char *to, const char *strategy);

/* Adds the plan's verdict of findings and its inhibitors (the sorted, unique keys of the findings
 * that are inhibitors). Returns 0 or -ENOMEM. */
int plan_add_verdict(json_object *plan, json_object *findings);

/* Sorts an array of findings in plan order (plan_finding_compare()). */
void plan_sort_findings(json_object *findings);

/* The verdict of an array of findings: inhibited if any has "inhibitor": true, ready-with-warnings
 * if any has severity medium or high, else ready. NULL or an empty array is ready. */
PlanVerdict plan_verdict_of(json_object *findings);

/* Builds the plan for an inventory (docs/inventory.schema.json). The source release comes from
 * the inventory's os.id and os.version_id. Returns 0 and the plan (caller puts), or a negative
 * errno with *ret_error (caller frees; may stay NULL for -ENOMEM) saying what went wrong:
 * -EPROTONOSUPPORT when the inventory's release is not one azlmigrate plans from, -ENOENT when the
 * target or the strategy has no knowledge, -EBADMSG for malformed knowledge or inventory. */
int plan_build(json_object *inventory, const PlanOptions *o, json_object **ret, char **ret_error);

/* Checks that a document read from a file is a plan this version can use: schema
 * azlmigrate/plan/v1 and the members a report needs, of the right types (a node-pool plan's, with
 * "subject": "nodepool", or a disk plan's).
 * Returns 0, or -EBADMSG with *ret_error saying what is wrong (caller frees), or -ENOMEM. */
int plan_check(json_object *plan, char **ret_error);
