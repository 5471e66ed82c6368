/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/* Paths and templates of the rule files (plans/rules/README.md).
 *
 * A path is a dotted walk into JSON: "config.network.keys", "mounts.0.type" (a number indexes an
 * array), "@" (the element a rule iterates over), "@.path", and the variables "$to" (the target
 * release) and "$strategy". "packages.decisions" reaches the package decisions, which are not part
 * of the inventory itself. Segments cannot contain '.', '{', '}', '|' or whitespace.
 *
 * A template is text with {expressions}: "{count} certificate(s): {resources}",
 * "/etc/pki/ca-trust/source/anchors/{@.path|basename}". An expression is a path, or "count" (the
 * number of matching elements) or "resources" (their resources, joined), followed by filters:
 * basename, dirname, join (array -> "a, b"), lines (array -> one per line), first (first element),
 * count (number of elements), json (compact JSON). "{{" and "}}" are literal braces.
 * Values print as: strings as they are, null or absent as "", numbers and booleans as JSON,
 * arrays joined with ", ", objects as compact JSON. */

typedef struct RuleScope {
        json_object *inventory;
        json_object *decisions; /* "packages.decisions", may be NULL */
        json_object *item;      /* "@", NULL outside an iteration */
        json_object *vars;      /* "$name" -> vars[name] ({"to": ..., "strategy": ...}), may be NULL */
        size_t count;           /* {count} */
        const char *resources;  /* {resources}, may be NULL */
} RuleScope;

/* The string of a JSON string, NULL for anything else (json_object_get_string() would print
 * numbers and objects as JSON). */
const char *rule_string(json_object *v);

/* True when path is syntactically valid (see above). */
bool rule_path_valid(const char *path);

/* Resolves path. Returns the value (a reference owned by the scope's objects), or NULL when the
 * path leads nowhere or to a JSON null. */
json_object *rule_path_get(const RuleScope *s, const char *path);

/* Prints a value as templates do. Returns a new string or NULL on OOM. */
char *rule_value_to_string(json_object *v);

/* Checks a template's syntax. Returns 0, or -EBADMSG with *ret_error saying what is wrong
 * (caller frees), or -ENOMEM. */
int rule_template_check(const char *tmpl, char **ret_error);

/* Renders a (checked) template. Output longer than max bytes is cut at a UTF-8 boundary and ends
 * in "…" when truncate is set, and fails with -E2BIG otherwise. Returns 0 and the text (caller
 * frees), -E2BIG, -EBADMSG (template not valid), or -ENOMEM. */
int rule_template_render(const char *tmpl, const RuleScope *s, size_t max, bool truncate, char **ret);
