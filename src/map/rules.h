/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include <json-c/json.h>

#include "shared/macro.h"

/* The config translation and preflight rule engine. Rules are data: plans/rules/<area>.json (the
 * format is documented in plans/rules/README.md), evaluated over an inventory
 * (azlmigrate/inventory/v1) and the package decisions (src/map/pkgmap.h), with named checks
 * (src/map/checks.h) for what data alone cannot say.
 *
 * A finding:     {"key", "severity": "info|low|medium|high", "inhibitor", "title", "detail",
 *                 "remediation": [{"kind": "text|command|link", "value"}], "resources": [...],
 *                 "rule": "plans/rules/<file>.json"}
 * A translation: {"rule": <rule key>, "action": "carry|translate|render|drop|flag",
 *                 "source": string|null, "target": string|null, "content": string|null,
 *                 "note": string|null}
 * Findings are sorted by severity (high first), then key; translations by rule, source, target. */

#define RULES_FILE_MAX        (1024u * 1024u) /* bytes of one rule file */
#define RULES_FILES_MAX       64u             /* rule files in plans/rules */
#define RULES_PER_FILE_MAX    1000u
#define RULES_FOREACH_MAX     10000u         /* elements one rule evaluates; the rest are ignored */
#define RULES_RESOURCES_MAX   1000u          /* resources of one finding */
#define RULES_TEXT_MAX        (16u * 1024u)  /* a rendered title, detail, note, path: truncated */
#define RULES_CONTENT_MAX     (256u * 1024u) /* rendered file content: not rendered beyond */
#define RULES_CONDITION_DEPTH 16u

typedef struct RuleSet RuleSet;

int rule_set_new(RuleSet **ret);
RuleSet *rule_set_free(RuleSet *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(RuleSet *, rule_set_free);

/* Parses one rule file. name: its file name ("network.json"), used in messages and in the
 * findings' "rule" field. Keys must be unique across every file added and must not be keys of the
 * inspection catalogue (src/inspect/finding-catalogue.c). On a malformed file returns -EBADMSG
 * with *ret_error = "name: rule N (key): what is wrong" (N from 1; caller frees); the set is left
 * as it was. Returns 0, -EBADMSG, -E2BIG (too large or too many rules), or -ENOMEM. */
int rule_set_add_buffer(RuleSet *s, const char *name, const char *buf, size_t size, char **ret_error);

/* Adds every *.json file of dir, in name order. Returns 0, -ENOENT when dir does not exist, or
 * an error of rule_set_add_buffer() / reading (*ret_error says which file). */
int rule_set_load_dir(RuleSet *s, const char *dir, char **ret_error);

typedef struct RulesInput {
        const char *plans_dir; /* for the tables checks read */
        const char *to;        /* target release, "azurelinux-3.0" */
        const char *strategy;  /* "inplace", "reimage", or NULL: rules of every strategy */
        json_object *inventory;
        json_object *decisions; /* array of package decisions, or NULL */
} RulesInput;

/* Evaluates every rule. Returns 0 and two new arrays, -EBADMSG when a table a check reads is
 * malformed (*ret_error), or -ENOMEM. Hostile inventory content never fails an evaluation:
 * over-long values are truncated, over-large rendered content is left out (the translation says
 * so in its note). */
int rule_set_evaluate(RuleSet *s, const RulesInput *in, json_object **ret_findings,
                      json_object **ret_translations, char **ret_error);

/* Every finding key of the set: [{"key", "area", "severity", "inhibitor", "title", "meaning",
 * "file"}], sorted by key. Rules with "finding": false produce no finding and are not listed. */
int rule_set_catalogue(RuleSet *s, json_object **ret);

/* The design's entry points (docs: ISSUE3-DESIGN.md). rules_evaluate() evaluates the rules of
 * every strategy; rules_evaluate_strategy() only those for one strategy. */
int rules_evaluate(const char *plans_dir, const char *to, json_object *inventory, json_object *decisions,
                   json_object **ret_findings, json_object **ret_translations, char **ret_error);
int rules_evaluate_strategy(const char *plans_dir, const char *to, const char *strategy,
                            json_object *inventory, json_object *decisions, json_object **ret_findings,
                            json_object **ret_translations, char **ret_error);
int rules_catalogue(const char *plans_dir, json_object **ret);
