/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "report.h"

static const char *const verdict_title_table[_PLAN_VERDICT_MAX] = {
        [PLAN_READY] = "Ready: nothing found stands in the way of the migration.",
        [PLAN_READY_WITH_WARNINGS] = "Ready with warnings: the migration can run; read the medium and high "
                                     "severity findings first.",
        [PLAN_INHIBITED] = "Inhibited: the migration must not run until every inhibitor below is resolved.",
};

static const char *const severity_table[] = { "info", "low", "medium", "high" };
static const char *const disposition_table[] = { "map", "base", "drop", "unavailable", "unknown" };
static const char *const action_table[] = { "carry", "translate", "render", "drop", "flag" };

/* A copy of plan[key] when it has the wanted type, else an empty value of that type. */
static json_object *copy_or_empty(json_object *o, const char *key, json_type type)
{
        json_object *v = json_get(o, key);

        if (json_object_is_type(v, type))
                return json_deep_copy(v);
        return type == json_type_array ? json_object_new_array() : json_object_new_object();
}

/* rep[as, or key] = copy_or_empty(plan, key, type). Returns 0 or -ENOMEM. */
static int add_copy(json_object *rep, json_object *plan, const char *key, const char *as, json_type type)
{
        json_object *v = copy_or_empty(plan, key, type);

        if (!v)
                return -ENOMEM;
        return json_add(rep, as ?: key, v);
}

static int severity_rank(json_object *f)
{
        int r = string_table_lookup(severity_table, ELEMENTSOF(severity_table), json_get_str(f, "severity"));
        return r < 0 ? -1 : r;
}

/* Inhibitors first, then by severity (high first), then key, first resource and detail. */
static int cmp_finding(const void *a, const void *b)
{
        json_object *x = *(json_object *const *) a, *y = *(json_object *const *) b;
        int c;

        c = (int) json_get_bool(y, "inhibitor", false) - (int) json_get_bool(x, "inhibitor", false);
        if (c == 0)
                c = severity_rank(y) - severity_rank(x);
        if (c == 0)
                c = plan_finding_compare(x, y);
        return c;
}

/* Per-value counts of member over an array, for the values of table (others under "other"). */
static int count_by(json_object *arr, const char *member, const char *const *table, size_t n_table,
                    json_object **ret)
{
        _cleanup_json_ json_object *c = json_object_new_object();
        int64_t counts[8] = {}, other = 0;
        size_t n = json_array_len(arr);

        if (!c)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                int k = string_table_lookup(table, n_table,
                                            json_get_str(json_object_array_get_idx(arr, i), member));
                if (k >= 0)
                        counts[k]++;
                else
                        other++;
        }
        for (size_t k = 0; k < n_table; k++)
                if (json_add_int(c, table[k], counts[k]) < 0)
                        return -ENOMEM;
        if (other > 0 && json_add_int(c, "other", other) < 0)
                return -ENOMEM;
        if (json_add_int(c, "total", (int64_t) n) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

static int build_summary(json_object *findings, json_object *inhibitors, json_object **ret)
{
        _cleanup_json_ json_object *s = NULL;
        json_object *by;

        if (count_by(findings, "severity", severity_table, ELEMENTSOF(severity_table), &by) < 0)
                return -ENOMEM;
        s = json_object_new_object();
        if (!s || json_add(s, "findings", by) < 0 ||
            json_add_int(s, "inhibitors", (int64_t) json_array_len(inhibitors)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(s);
        return 0;
}

static int build_packages(json_object *plan, json_object **ret)
{
        _cleanup_json_ json_object *p = json_object_new_object();
        json_object *pk = json_get(plan, "packages"), *counts = json_get(pk, "counts"), *decisions, *c;

        if (!p)
                return -ENOMEM;
        decisions = copy_or_empty(pk, "decisions", json_type_array);
        if (!decisions || json_add(p, "decisions", decisions) < 0)
                return -ENOMEM;
        /* The counts as the plan has them, or counted here when a hand-made plan lacks them. */
        if (json_object_is_type(counts, json_type_object))
                c = json_deep_copy(counts);
        else if (count_by(decisions, "disposition", disposition_table, ELEMENTSOF(disposition_table), &c) <
                 0)
                c = NULL;
        if (!c || json_add(p, "counts", c) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(p);
        return 0;
}

static int build_configuration(json_object *plan, json_object **ret)
{
        _cleanup_json_ json_object *c = json_object_new_object();
        json_object *t = copy_or_empty(plan, "translations", json_type_array), *counts;

        if (!c || !t || json_add(c, "translations", t) < 0)
                return -ENOMEM;
        if (count_by(t, "action", action_table, ELEMENTSOF(action_table), &counts) < 0 ||
            json_add(c, "counts", counts) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

static json_object *int_or_null(json_object *o, const char *key)
{
        json_object *v = json_get(o, key);
        return json_object_is_type(v, json_type_int) ? json_object_new_int64(json_object_get_int64(v))
                                                     : NULL;
}

/* Package count and installed size before and after. After: the target image's packages plus the
 * mapped packages it lacks (counts.to_install). Azure Linux's installed size per package is not
 * known here, so "after" says so and shows the target image's root usage instead. */
static int build_footprint(json_object *plan, json_object **ret)
{
        _cleanup_json_ json_object *fp = json_object_new_object();
        json_object *summary = json_get(json_get(plan, "inventory_summary"), "packages"),
                    *counts = json_get(json_get(plan, "packages"), "counts"),
                    *image = json_get(plan, "target_image"), *before, *after, *not_carried,
                    *to_install = json_get(counts, "to_install");
        int64_t image_pkgs = json_get_int(image, "packages", -1);
        _cleanup_free_ char *basis = NULL;

        if (!fp)
                return -ENOMEM;
        before = json_get_or_add_object(fp, "before");
        after = json_get_or_add_object(fp, "after");
        not_carried = json_get_or_add_object(fp, "not_carried");
        if (!before || !after || !not_carried)
                return -ENOMEM;
        if (json_add(before, "packages", int_or_null(summary, "count")) < 0 ||
            json_add(before, "installed_size", int_or_null(summary, "installed_size")) < 0 ||
            json_add_str(before, "basis",
                         "the source's package database (dpkg Installed-Size of every package)") < 0)
                return -ENOMEM;

        if (image_pkgs >= 0 && json_object_is_type(to_install, json_type_array)) {
                size_t extra = json_object_array_length(to_install);
                if (asprintf(&basis,
                             "the Azure Linux node image's %lld packages plus the %zu mapped package%s it "
                             "lacks",
                             (long long) image_pkgs, extra, extra == 1 ? "" : "s") < 0)
                        return -ENOMEM;
                if (json_add_int(after, "packages", image_pkgs + (int64_t) extra) < 0)
                        return -ENOMEM;
        } else if (json_add(after, "packages", NULL) < 0)
                return -ENOMEM;
        if (json_add_str(after, "basis",
                         basis ?: "unknown: the plan lacks the target image's package count") < 0 ||
            json_add(after, "installed_size", NULL) < 0 ||
            json_add_str(
                    after, "installed_size_note",
                    "The installed size after the migration is not known: azlmigrate has no installed size "
                    "per "
                    "Azure Linux package; the target node image's root filesystem usage is shown instead") <
                    0 ||
            json_add_str(after, "root_used", json_get_str(image, "root_used")) < 0)
                return -ENOMEM;
        if (json_add(not_carried, "drop", int_or_null(counts, "drop")) < 0 ||
            json_add(not_carried, "unavailable", int_or_null(counts, "unavailable")) < 0 ||
            json_add(not_carried, "unknown", int_or_null(counts, "unknown")) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(fp);
        return 0;
}

static int build_findings(json_object *plan, json_object **ret_findings, json_object **ret_inhibitors)
{
        _cleanup_json_ json_object *all = copy_or_empty(plan, "findings", json_type_array),
                                   *inh = json_object_new_array();
        size_t n;

        if (!all || !inh)
                return -ENOMEM;
        json_object_array_sort(all, cmp_finding);
        n = json_object_array_length(all);
        for (size_t i = 0; i < n; i++) {
                json_object *f = json_object_array_get_idx(all, i);
                if (json_get_bool(f, "inhibitor", false) && json_append(inh, json_object_get(f)) < 0)
                        return -ENOMEM;
        }
        *ret_findings = TAKE_PTR(all);
        *ret_inhibitors = TAKE_PTR(inh);
        return 0;
}

bool report_is_nodepool(json_object *o)
{
        return streq_ptr(json_get_str(o, "subject"), "nodepool");
}

int report_build(json_object *plan, json_object **ret)
{
        _cleanup_json_ json_object *rep = NULL, *findings = NULL, *inhibitors = NULL, *v = NULL;
        PlanVerdict verdict = plan_verdict_from_string(json_get_str(plan, "verdict"));
        static const char *const copied[] = { "from", "to", "strategy", "inventory_fingerprint" };
        bool np = report_is_nodepool(plan);

        if (verdict < 0)
                return -EBADMSG;
        if (build_findings(plan, &findings, &inhibitors) < 0)
                return -ENOMEM;
        rep = json_object_new_object();
        v = plan_tool_new();
        if (!rep || !v)
                return -ENOMEM;
        if (json_add_str(rep, "schema", REPORT_SCHEMA) < 0 || json_add(rep, "tool", TAKE_PTR(v)) < 0 ||
            json_add_str(rep, "verdict", plan_verdict_to_string(verdict)) < 0 ||
            json_add_str(rep, "verdict_title", verdict_title_table[verdict]) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(copied); i++)
                if ((i < 3 || !np) && json_add_str(rep, copied[i], json_get_str(plan, copied[i])) < 0)
                        return -ENOMEM;
        if (build_summary(findings, inhibitors, &v) < 0 || json_add(rep, "summary", TAKE_PTR(v)) < 0 ||
            json_add(rep, "inhibitors", TAKE_PTR(inhibitors)) < 0)
                return -ENOMEM;
        if (!np && (build_packages(plan, &v) < 0 || json_add(rep, "packages", TAKE_PTR(v)) < 0 ||
                    build_configuration(plan, &v) < 0 || json_add(rep, "configuration", TAKE_PTR(v)) < 0))
                return -ENOMEM;
        if (add_copy(rep, plan, "steps", NULL, json_type_array) < 0 ||
            add_copy(rep, plan, "checkpoints", NULL, json_type_array) < 0 ||
            (!np && add_copy(rep, plan, "preserve", NULL, json_type_array) < 0))
                return -ENOMEM;
        if (!np && (build_footprint(plan, &v) < 0 || json_add(rep, "footprint", TAKE_PTR(v)) < 0))
                return -ENOMEM;
        if (!np && (add_copy(rep, plan, "inventory_summary", "node", json_type_object) < 0 ||
                    add_copy(rep, plan, "target_image", NULL, json_type_object) < 0))
                return -ENOMEM;
        if (json_add(rep, "findings", TAKE_PTR(findings)) < 0)
                return -ENOMEM;
        if (report_is_nodepool(plan) &&
            (json_add_str(rep, "subject", "nodepool") < 0 ||
             json_add_str(rep, "snapshot_fingerprint", json_get_str(plan, "snapshot_fingerprint")) < 0 ||
             add_copy(rep, plan, "cluster", NULL, json_type_object) < 0 ||
             add_copy(rep, plan, "parameters", NULL, json_type_object) < 0 ||
             add_copy(rep, plan, "pools", NULL, json_type_array) < 0))
                return -ENOMEM;
        *ret = TAKE_PTR(rep);
        return 0;
}
