/* SPDX-License-Identifier: MIT */
/* Evaluation of parsed rules (rule-set.h) over an inventory and the package decisions. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/finding-catalogue.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "checks.h"
#include "rule-expr.h"
#include "rule-set.h"
#include "rules.h"

#define RESOURCES_IN_TEXT 20 /* {resources} names this many resources, then "and N more" */

/* ---- Evaluation ----------------------------------------------------------------------------- */

typedef struct Eval {
        const RulesInput *in;
        CheckContext check;
        json_object *vars;
        char **error;
} Eval;

static bool value_nonempty(json_object *v)
{
        switch (json_object_get_type(v)) {
        case json_type_null:
                return false;
        case json_type_string:
                return json_object_get_string_len(v) > 0;
        case json_type_array:
                return json_object_array_length(v) > 0;
        case json_type_object:
                return json_object_object_length(v) > 0;
        default:
                return true;
        }
}

/* equals/in/matches against an array value hold when any element satisfies them. */
static bool value_equals(json_object *v, json_object *want)
{
        if (json_object_is_type(v, json_type_array) && !json_object_is_type(want, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(v); i++)
                        if (json_object_equal(json_object_array_get_idx(v, i), want))
                                return true;
                return false;
        }
        return json_object_equal(v, want);
}

static bool value_matches(json_object *v, const regex_t *re)
{
        if (json_object_is_type(v, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(v); i++)
                        if (value_matches(json_object_array_get_idx(v, i), re))
                                return true;
                return false;
        }
        return json_object_is_type(v, json_type_string) &&
               regexec(re, json_object_get_string(v), 0, NULL, 0) == 0;
}

static RuleScope eval_scope(Eval *e, json_object *item)
{
        return (RuleScope){
                .inventory = e->in->inventory, .decisions = e->in->decisions, .item = item, .vars = e->vars
        };
}

static int eval_cond(Eval *e, const Cond *c, json_object *item, bool *ret)
{
        RuleScope s = eval_scope(e, item);
        json_object *v = c->path ? rule_path_get(&s, c->path) : NULL;
        bool b = false;
        int r;

        switch (c->kind) {
        case COND_EQUALS:
                b = v && value_equals(v, c->value);
                break;
        case COND_IN:
                for (size_t i = 0; v && !b && i < json_object_array_length(c->value); i++)
                        b = value_equals(v, json_object_array_get_idx(c->value, i));
                break;
        case COND_NONEMPTY:
                b = value_nonempty(v) == c->flag;
                break;
        case COND_EXISTS:
                b = (v != NULL) == c->flag;
                break;
        case COND_MATCHES:
                b = v && value_matches(v, &c->re);
                break;
        case COND_ALL:
        case COND_ANY:
                b = c->kind == COND_ALL;
                for (size_t i = 0; i < c->n_sub; i++) {
                        bool sb;
                        r = eval_cond(e, c->sub[i], item, &sb);
                        if (r < 0)
                                return r;
                        if (sb != b) {
                                b = sb;
                                break;
                        }
                }
                break;
        case COND_NOT:
                r = eval_cond(e, c->sub[0], item, &b);
                if (r < 0)
                        return r;
                b = !b;
                break;
        case COND_CHECK: {
                _cleanup_json_ json_object *m = NULL;
                r = checks_run(&e->check, c->check, item, c->args, &m, e->error);
                if (r < 0)
                        return r;
                b = json_object_array_length(m) > 0;
                break;
        }
        }
        *ret = b;
        return 0;
}

/* Renders a template of a text field; "" becomes NULL (JSON null). */
static int render_text(const char *tmpl, const RuleScope *s, size_t max, char **ret)
{
        char *t = NULL;
        int r;

        *ret = NULL;
        if (!tmpl)
                return 0;
        r = rule_template_render(tmpl, s, max, true, &t);
        if (r < 0)
                return r;
        if (isempty(t))
                t = mfree(t);
        *ret = t;
        return 0;
}

static int emit_translation(Eval *e, const RuleDef *d, json_object *item, json_object *out)
{
        RuleScope s = eval_scope(e, item);
        _cleanup_free_ char *source = NULL, *target = NULL, *content = NULL, *value = NULL, *note = NULL,
                            *n2 = NULL;
        json_object *o;
        int r;

        if ((r = render_text(d->t_source, &s, RULES_TEXT_MAX, &source)) < 0 ||
            (r = render_text(d->t_target, &s, RULES_TEXT_MAX, &target)) < 0 ||
            (r = render_text(d->t_value, &s, RULES_TEXT_MAX, &value)) < 0 ||
            (r = render_text(d->t_note, &s, RULES_TEXT_MAX, &note)) < 0)
                return r;
        if (d->t_content) {
                r = rule_template_render(d->t_content, &s, RULES_CONTENT_MAX, false, &content);
                if (r == -E2BIG) {
                        if (asprintf(&n2, "content not rendered: larger than %u bytes. %s",
                                     RULES_CONTENT_MAX, strempty(note)) < 0)
                                return -ENOMEM;
                        free(note);
                        note = TAKE_PTR(n2);
                } else if (r < 0)
                        return r;
        }
        o = json_object_new_object();
        if (!o || json_append(out, o) < 0 || json_add_str(o, "rule", d->key) < 0 ||
            json_add_str(o, "action", d->t_action) < 0 || json_add_str(o, "source", source) < 0 ||
            json_add_str(o, "target", target) < 0 || json_add_str(o, "content", content) < 0 ||
            json_add_str(o, "note", note) < 0)
                return -ENOMEM;
        /* Only translators that take a parameter have one: absent elsewhere. */
        if (value && json_add_str(o, "value", value) < 0)
                return -ENOMEM;
        return 0;
}

static int emit_finding(Eval *e, const RuleDef *d, json_object *first_item, size_t count,
                        json_object *resources, size_t resources_dropped, size_t items_dropped,
                        json_object *out)
{
        _cleanup_free_ char *joined = NULL, *detail = NULL, *full = NULL;
        size_t nres = json_object_array_length(resources);
        json_object *o, *rem;
        RuleScope s;
        FILE *f;
        size_t size = 0;
        int r;

        f = open_memstream(&joined, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < nres && i < RESOURCES_IN_TEXT; i++)
                fprintf(f, "%s%s", i > 0 ? ", " : "",
                        json_object_get_string(json_object_array_get_idx(resources, i)));
        if (nres + resources_dropped > RESOURCES_IN_TEXT)
                fprintf(f, " and %zu more",
                        nres + resources_dropped - MIN(nres, (size_t) RESOURCES_IN_TEXT));
        if (fclose(f) != 0)
                return -ENOMEM;

        s = eval_scope(e, first_item);
        s.count = count;
        s.resources = joined;
        r = rule_template_render(d->detail, &s, RULES_TEXT_MAX, true, &detail);
        if (r < 0)
                return r;
        if (items_dropped > 0) {
                if (asprintf(&full, "%s (only the first %u elements were evaluated; %zu more were not)",
                             detail, RULES_FOREACH_MAX, items_dropped) < 0)
                        return -ENOMEM;
                free(detail);
                detail = TAKE_PTR(full);
        }

        o = json_object_new_object();
        if (!o || json_append(out, o) < 0 || json_add_str(o, "key", d->key) < 0 ||
            json_add_str(o, "severity", severity_to_string(d->severity)) < 0 ||
            json_add_bool(o, "inhibitor", d->inhibitor) < 0 || json_add_str(o, "title", d->title) < 0 ||
            json_add_str(o, "detail", detail) < 0)
                return -ENOMEM;
        rem = json_get_or_add_array(o, "remediation");
        if (!rem)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_remedies; i++) {
                _cleanup_free_ char *v = NULL;
                json_object *ro;

                r = rule_template_render(d->remedies[i].value, &s, RULES_TEXT_MAX, true, &v);
                if (r < 0)
                        return r;
                ro = json_object_new_object();
                if (!ro || json_append(rem, ro) < 0 || json_add_str(ro, "kind", d->remedies[i].kind) < 0 ||
                    json_add_str(ro, "value", v) < 0)
                        return -ENOMEM;
        }
        if (json_add(o, "resources", json_object_get(resources)) < 0)
                return -ENOMEM;
        {
                _cleanup_free_ char *rule = NULL;
                if (asprintf(&rule, "plans/rules/%s", d->file) < 0 || json_add_str(o, "rule", rule) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static bool rule_applies(const RuleDef *d, const RulesInput *in)
{
        if (d->strategies && in->strategy && !strv_contains(d->strategies, in->strategy))
                return false;
        if (d->targets && !strv_contains(d->targets, strempty(in->to)))
                return false;
        return true;
}

static int eval_rule(Eval *e, const RuleDef *d, json_object *findings, json_object *translations)
{
        _cleanup_json_ json_object *items = NULL, *resources = NULL, *seen = NULL;
        json_object *first = NULL;
        size_t n_items, matched = 0, dropped = 0, res_dropped = 0;
        bool single = false;
        int r;

        if (!rule_applies(d, e->in))
                return 0;
        if (d->foreach_check) {
                r = checks_run(&e->check, d->foreach_check, NULL, d->foreach_args, &items, e->error);
                if (r < 0)
                        return r;
        } else if (d->foreach_path) {
                RuleScope s = eval_scope(e, NULL);
                json_object *v = rule_path_get(&s, d->foreach_path);

                if (json_object_is_type(v, json_type_array))
                        items = json_object_get(v);
                else {
                        items = json_object_new_array();
                        if (!items || (v && json_append(items, json_object_get(v)) < 0))
                                return -ENOMEM;
                }
        } else
                single = true;

        n_items = single ? 1 : json_object_array_length(items);
        if (n_items > RULES_FOREACH_MAX) {
                dropped = n_items - RULES_FOREACH_MAX;
                n_items = RULES_FOREACH_MAX;
        }
        resources = json_object_new_array();
        seen = json_object_new_object();
        if (!resources || !seen)
                return -ENOMEM;
        for (size_t i = 0; i < n_items; i++) {
                json_object *item = single ? NULL : json_object_array_get_idx(items, i);
                bool ok = true;

                if (d->when) {
                        r = eval_cond(e, d->when, item, &ok);
                        if (r < 0)
                                return r;
                }
                if (!ok)
                        continue;
                if (matched++ == 0)
                        first = item;
                if (d->resource) {
                        RuleScope s = eval_scope(e, item);
                        _cleanup_free_ char *res = NULL;

                        r = render_text(d->resource, &s, RULES_TEXT_MAX, &res);
                        if (r < 0)
                                return r;
                        if (res && !json_object_object_get_ex(seen, res, NULL)) {
                                if (json_object_array_length(resources) >= RULES_RESOURCES_MAX)
                                        res_dropped++;
                                else if (json_add(seen, res, NULL) < 0 ||
                                         json_append_str(resources, res) < 0)
                                        return -ENOMEM;
                        }
                }
                if (d->has_translation) {
                        r = emit_translation(e, d, item, translations);
                        if (r < 0)
                                return r;
                }
        }
        if (matched == 0 || !d->finding)
                return 0;
        json_array_sort_strings(resources);
        return emit_finding(e, d, first, matched, resources, res_dropped, dropped, findings);
}

static int cmp_str_null(const char *a, const char *b)
{
        if (!a || !b)
                return a ? 1 : b ? -1 : 0;
        return strcmp(a, b);
}

static int cmp_finding(const void *a, const void *b)
{
        json_object *x = *(json_object *const *) a, *y = *(json_object *const *) b;
        int sx = severity_from_string(json_get_str(x, "severity")),
            sy = severity_from_string(json_get_str(y, "severity"));

        if (sx != sy)
                return sx > sy ? -1 : 1;
        return cmp_str_null(json_get_str(x, "key"), json_get_str(y, "key"));
}

static int cmp_translation(const void *a, const void *b)
{
        json_object *x = *(json_object *const *) a, *y = *(json_object *const *) b;
        static const char *const fields[] = { "rule", "source", "target", "content", "action", "note" };

        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                int c = cmp_str_null(json_get_str(x, fields[i]), json_get_str(y, fields[i]));
                if (c != 0)
                        return c;
        }
        return 0;
}

int rule_set_evaluate(RuleSet *s, const RulesInput *in, json_object **ret_findings,
                      json_object **ret_translations, char **ret_error)
{
        _cleanup_json_ json_object *findings = json_object_new_array(),
                                   *translations = json_object_new_array(), *vars = json_object_new_object();
        _cleanup_(check_cache_freep) CheckCache *cache = NULL;
        Eval e = { .in = in, .error = ret_error };
        int r;

        if (!findings || !translations || !vars || check_cache_new(&cache) < 0)
                return -ENOMEM;
        if (json_add_str(vars, "to", in->to) < 0 || json_add_str(vars, "strategy", in->strategy) < 0)
                return -ENOMEM;
        e.vars = vars;
        e.check = (CheckContext){ .plans_dir = in->plans_dir,
                                  .to = strempty(in->to),
                                  .inventory = in->inventory,
                                  .decisions = in->decisions,
                                  .cache = cache };
        for (size_t i = 0; i < s->n_rules; i++) {
                r = eval_rule(&e, s->rules[i], findings, translations);
                if (r == -EBADMSG && *ret_error) {
                        _cleanup_free_ char *msg = TAKE_PTR(*ret_error);
                        if (asprintf(ret_error, "%s: rule %u (%s): %s", s->rules[i]->file,
                                     s->rules[i]->index, s->rules[i]->key, msg) < 0)
                                return -ENOMEM;
                }
                if (r < 0)
                        return r;
        }
        json_object_array_sort(findings, cmp_finding);
        json_object_array_sort(translations, cmp_translation);
        *ret_findings = TAKE_PTR(findings);
        *ret_translations = TAKE_PTR(translations);
        return 0;
}
