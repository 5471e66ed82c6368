/* SPDX-License-Identifier: MIT */
/* The rule files: parsing them into the model of rule-set.h, loading a directory, the finding
 * catalogue, and the entry points. Evaluation is rule-eval.c. */
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/finding-catalogue.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "shared/utf8.h"
#include "checks.h"
#include "rule-expr.h"
#include "rule-set.h"
#include "rules.h"

#define KEY_MAX        100
#define TITLE_MAX      200
#define REGEX_MAX      1000
#define JSON_DEPTH_MAX 64

/* ---- Model ---------------------------------------------------------------------------------- */

static Cond *cond_free(Cond *c)
{
        if (!c)
                return NULL;
        free(c->path);
        json_object_put(c->value);
        if (c->has_re)
                regfree(&c->re);
        for (size_t i = 0; i < c->n_sub; i++)
                cond_free(c->sub[i]);
        free(c->sub);
        free(c->check);
        json_object_put(c->args);
        free(c);
        return NULL;
}

static RuleDef *rule_def_free(RuleDef *d)
{
        if (!d)
                return NULL;
        free(d->file);
        free(d->key);
        free(d->area);
        free(d->title);
        free(d->meaning);
        strv_free(d->strategies);
        strv_free(d->targets);
        free(d->foreach_path);
        free(d->foreach_check);
        json_object_put(d->foreach_args);
        cond_free(d->when);
        free(d->detail);
        free(d->resource);
        for (size_t i = 0; i < d->n_remedies; i++) {
                free(d->remedies[i].kind);
                free(d->remedies[i].value);
        }
        free(d->remedies);
        free(d->t_action);
        free(d->t_source);
        free(d->t_target);
        free(d->t_content);
        free(d->t_value);
        free(d->t_note);
        free(d);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(RuleDef *, rule_def_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(Cond *, cond_free);

int rule_set_new(RuleSet **ret)
{
        *ret = calloc(1, sizeof(RuleSet));
        return *ret ? 0 : -ENOMEM;
}

RuleSet *rule_set_free(RuleSet *s)
{
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_rules; i++)
                rule_def_free(s->rules[i]);
        free(s->rules);
        free(s);
        return NULL;
}
/* ---- Parsing -------------------------------------------------------------------------------- */

typedef struct Parse {
        const char *file;
        unsigned index; /* 1-based rule number, 0 for the file itself */
        const char *key;
        char **error;
} Parse;

_printf_(2, 3) static int perr(Parse *p, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        free(*p->error);
        *p->error = NULL;
        if (p->index == 0)
                r = asprintf(p->error, "%s: %s", p->file, msg);
        else if (p->key)
                r = asprintf(p->error, "%s: rule %u (%s): %s", p->file, p->index, p->key, msg);
        else
                r = asprintf(p->error, "%s: rule %u: %s", p->file, p->index, msg);
        return r < 0 ? -ENOMEM : -EBADMSG;
}

static bool key_valid(const char *k)
{
        size_t n = strlen(k);

        if (n == 0 || n > KEY_MAX || !((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= '0' && k[0] <= '9')))
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = k[i];
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
                        return false;
        }
        return !strstr(k, "..") && k[n - 1] != '.' && k[n - 1] != '-';
}

/* A string field: required or optional. Returns 1 and a copy, 0 when absent (and not required),
 * or an error. */
static int get_string(Parse *p, json_object *o, const char *field, bool required, char **ret)
{
        json_object *v = json_get(o, field);

        if (!v) {
                if (required)
                        return perr(p, "'%s' is required", field);
                *ret = NULL;
                return 0;
        }
        if (!json_object_is_type(v, json_type_string))
                return perr(p, "'%s' must be a string", field);
        *ret = strdup(json_object_get_string(v));
        return *ret ? 1 : -ENOMEM;
}

static int get_template(Parse *p, json_object *o, const char *field, bool required, char **ret)
{
        _cleanup_free_ char *t = NULL, *err = NULL;
        int r;

        r = get_string(p, o, field, required, &t);
        if (r <= 0)
                return r;
        r = rule_template_check(t, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return perr(p, "'%s': %s", field, err);
        *ret = TAKE_PTR(t);
        return 1;
}

static int get_bool(Parse *p, json_object *o, const char *field, bool def, bool *ret)
{
        json_object *v = json_get(o, field);

        if (!v) {
                *ret = def;
                return 0;
        }
        if (!json_object_is_type(v, json_type_boolean))
                return perr(p, "'%s' must be true or false", field);
        *ret = json_object_get_boolean(v);
        return 0;
}

static int get_names(Parse *p, json_object *o, const char *field, const char *const *allowed,
                     size_t n_allowed, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        json_object *v = json_get(o, field);

        *ret = NULL;
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
                return perr(p, "'%s' must be a non-empty array of strings", field);
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *e = json_object_array_get_idx(v, i);
                const char *s = json_object_get_string(e);

                if (!json_object_is_type(e, json_type_string) || isempty(s) || !str_in_charset(s, ".-_"))
                        return perr(p, "'%s' must be an array of names", field);
                if (allowed && string_table_lookup(allowed, n_allowed, s) < 0)
                        return perr(p, "'%s': unknown value '%s'", field, s);
                if (strv_extend(&l, s) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int check_fields(Parse *p, json_object *o, const char *const *allowed, size_t n, const char *what)
{
        json_object_object_foreach(o, k, v) {
                (void) v;
                if (string_table_lookup(allowed, n, k) < 0)
                        return perr(p, "unknown field '%s' in %s", k, what);
        }
        return 0;
}

static int parse_check_ref(Parse *p, json_object *o, char **ret_name, json_object **ret_args)
{
        _cleanup_free_ char *name = NULL, *err = NULL;
        json_object *args = json_get(o, "args");
        int r;

        r = get_string(p, o, "check", true, &name);
        if (r < 0)
                return r;
        r = checks_validate(name, args, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return perr(p, "%s", err);
        *ret_name = TAKE_PTR(name);
        *ret_args = json_object_get(args);
        return 0;
}

static int parse_cond(Parse *p, json_object *o, unsigned depth, Cond **ret)
{
        static const char *const ops[] = { "equals", "in", "nonempty", "exists", "matches" };
        _cleanup_(cond_freep) Cond *c = NULL;
        size_t n_ops = 0;
        int r;

        if (depth > RULES_CONDITION_DEPTH)
                return perr(p, "conditions nested deeper than %u", RULES_CONDITION_DEPTH);
        if (!json_object_is_type(o, json_type_object))
                return perr(p, "a condition must be an object");
        c = calloc(1, sizeof(Cond));
        if (!c)
                return -ENOMEM;

        if (json_get(o, "all") || json_get(o, "any")) {
                json_object *l = json_get(o, "all") ?: json_get(o, "any");
                c->kind = json_get(o, "all") ? COND_ALL : COND_ANY;
                if (json_object_object_length(o) != 1)
                        return perr(p, "'all'/'any' must be the only field of its condition");
                if (!json_object_is_type(l, json_type_array) || json_object_array_length(l) == 0)
                        return perr(p, "'all'/'any' must be a non-empty array of conditions");
                c->sub = calloc(json_object_array_length(l), sizeof(Cond *));
                if (!c->sub)
                        return -ENOMEM;
                for (size_t i = 0; i < json_object_array_length(l); i++) {
                        r = parse_cond(p, json_object_array_get_idx(l, i), depth + 1, &c->sub[c->n_sub]);
                        if (r < 0)
                                return r;
                        c->n_sub++;
                }
        } else if (json_get(o, "not")) {
                c->kind = COND_NOT;
                if (json_object_object_length(o) != 1)
                        return perr(p, "'not' must be the only field of its condition");
                c->sub = calloc(1, sizeof(Cond *));
                if (!c->sub)
                        return -ENOMEM;
                r = parse_cond(p, json_get(o, "not"), depth + 1, &c->sub[0]);
                if (r < 0)
                        return r;
                c->n_sub = 1;
        } else if (json_get(o, "check")) {
                static const char *const fields[] = { "check", "args" };
                c->kind = COND_CHECK;
                r = check_fields(p, o, fields, ELEMENTSOF(fields), "a check condition");
                if (r < 0)
                        return r;
                r = parse_check_ref(p, o, &c->check, &c->args);
                if (r < 0)
                        return r;
        } else if (json_get(o, "path")) {
                json_object *path = json_get(o, "path");
                const char *op = NULL;

                if (!json_object_is_type(path, json_type_string) ||
                    !rule_path_valid(json_object_get_string(path)))
                        return perr(p, "invalid condition path");
                c->path = strdup(json_object_get_string(path));
                if (!c->path)
                        return -ENOMEM;
                json_object_object_foreach(o, k, v) {
                        (void) v;
                        if (streq(k, "path"))
                                continue;
                        if (string_table_lookup(ops, ELEMENTSOF(ops), k) < 0)
                                return perr(p, "unknown condition '%s'", k);
                        op = k;
                        n_ops++;
                }
                if (n_ops != 1)
                        return perr(p, "a path condition needs exactly one of equals, in, nonempty, exists, "
                                       "matches");
                c->value = json_object_get(json_get(o, op));
                if (streq(op, "equals"))
                        c->kind = COND_EQUALS;
                else if (streq(op, "in")) {
                        c->kind = COND_IN;
                        if (!json_object_is_type(c->value, json_type_array))
                                return perr(p, "'in' must be an array");
                } else if (streq(op, "nonempty") || streq(op, "exists")) {
                        c->kind = streq(op, "exists") ? COND_EXISTS : COND_NONEMPTY;
                        if (!json_object_is_type(c->value, json_type_boolean))
                                return perr(p, "'%s' must be true or false", op);
                        c->flag = json_object_get_boolean(c->value);
                } else {
                        const char *re = json_object_get_string(c->value);
                        char buf[256];

                        c->kind = COND_MATCHES;
                        if (!json_object_is_type(c->value, json_type_string) || strlen(re) > REGEX_MAX)
                                return perr(p, "'matches' must be a regular expression of at most %d bytes",
                                            REGEX_MAX);
                        r = regcomp(&c->re, re, REG_EXTENDED | REG_NOSUB);
                        if (r != 0) {
                                regerror(r, NULL, buf, sizeof(buf));
                                return perr(p, "'matches': %s", buf);
                        }
                        c->has_re = true;
                }
        } else {
                const char *first = NULL;
                json_object_object_foreach(o, k, v) {
                        (void) v;
                        first = k;
                        break;
                }
                return perr(p, "unknown condition '%s'", first ?: "{}");
        }
        *ret = TAKE_PTR(c);
        return 0;
}

static int parse_remediation(Parse *p, json_object *o, RuleDef *d)
{
        static const char *const kinds[] = { "text", "command", "link" };
        static const char *const fields[] = { "kind", "value" };
        json_object *l = json_get(o, "remediation");
        size_t n;
        int r;

        if (!l)
                return 0;
        if (!json_object_is_type(l, json_type_array))
                return perr(p, "'remediation' must be an array");
        n = json_object_array_length(l);
        d->remedies = calloc(n + 1, sizeof(Remedy));
        if (!d->remedies)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(l, i);
                Remedy *rem = &d->remedies[d->n_remedies];

                if (!json_object_is_type(e, json_type_object))
                        return perr(p, "a remediation must be an object {kind, value}");
                r = check_fields(p, e, fields, ELEMENTSOF(fields), "a remediation");
                if (r < 0)
                        return r;
                r = get_string(p, e, "kind", true, &rem->kind);
                if (r >= 0 && string_table_lookup(kinds, ELEMENTSOF(kinds), rem->kind) < 0)
                        r = perr(p, "remediation kind must be text, command or link");
                if (r >= 0)
                        r = get_template(p, e, "value", true, &rem->value);
                d->n_remedies++; /* freed with the rule even when incomplete */
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_translation(Parse *p, json_object *o, RuleDef *d)
{
        static const char *const actions[] = { "carry", "translate", "render", "drop", "flag" };
        static const char *const fields[] = { "action", "source", "target", "content", "value", "note" };
        json_object *t = json_get(o, "translation");
        int r;

        if (!t)
                return 0;
        if (!json_object_is_type(t, json_type_object))
                return perr(p, "'translation' must be an object");
        r = check_fields(p, t, fields, ELEMENTSOF(fields), "the translation");
        if (r < 0)
                return r;
        r = get_string(p, t, "action", true, &d->t_action);
        if (r < 0)
                return r;
        if (string_table_lookup(actions, ELEMENTSOF(actions), d->t_action) < 0)
                return perr(p, "translation action must be carry, translate, render, drop or flag");
        if ((r = get_template(p, t, "source", false, &d->t_source)) < 0 ||
            (r = get_template(p, t, "target", false, &d->t_target)) < 0 ||
            (r = get_template(p, t, "content", false, &d->t_content)) < 0 ||
            (r = get_template(p, t, "value", false, &d->t_value)) < 0 ||
            (r = get_template(p, t, "note", false, &d->t_note)) < 0)
                return r;
        if (!d->t_source && !d->t_target)
                return perr(p, "a translation needs a source or a target");
        if (streq(d->t_action, "render") != (d->t_content != NULL))
                return perr(p, "'content' belongs to translations with action render, and they need it");
        if (d->t_value && !streq(d->t_action, "translate"))
                return perr(p, "'value' belongs to translations with action translate");
        d->has_translation = true;
        return 0;
}

static int parse_rule(Parse *p, json_object *o, RuleDef **ret)
{
        static const char *const fields[] = { "key",      "area",        "severity",    "inhibitor",
                                              "title",    "meaning",     "evidence",    "strategies",
                                              "targets",  "foreach",     "when",        "detail",
                                              "resource", "remediation", "translation", "finding" };
        static const char *const strategies[] = { "inplace", "reimage", "ossku-update", "bluegreen" };
        _cleanup_(rule_def_freep) RuleDef *d = NULL;
        _cleanup_free_ char *severity = NULL;
        json_object *fe, *ev;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return perr(p, "a rule must be an object");
        d = calloc(1, sizeof(RuleDef));
        if (!d)
                return -ENOMEM;
        r = get_string(p, o, "key", true, &d->key);
        if (r < 0)
                return r;
        if (!key_valid(d->key))
                return perr(p, "invalid key '%s' (lowercase letters, digits, '.' and '-')", d->key);
        p->key = d->key;
        r = check_fields(p, o, fields, ELEMENTSOF(fields), "the rule");
        if (r < 0)
                return r;
        if (finding_catalogue_lookup(d->key))
                return perr(p, "the key is an inspection finding (src/inspect/finding-catalogue.c)");
        d->index = p->index;
        d->file = strdup(p->file);
        if (!d->file)
                return -ENOMEM;

        if ((r = get_string(p, o, "area", true, &d->area)) < 0 ||
            (r = get_string(p, o, "title", true, &d->title)) < 0 ||
            (r = get_string(p, o, "meaning", true, &d->meaning)) < 0 ||
            (r = get_string(p, o, "severity", true, &severity)) < 0)
                return r;
        if (isempty(d->area) || !str_in_charset(d->area, "-"))
                return perr(p, "'area' must be a word");
        if (isempty(d->title) || strlen(d->title) > TITLE_MAX || strchr(d->title, '\n') ||
            strchr(d->title, '|'))
                return perr(p, "'title' must be one line of at most %d bytes without '|'", TITLE_MAX);
        if (strlen(d->meaning) < 20 || strchr(d->meaning, '\n') || strchr(d->meaning, '|'))
                return perr(p, "'meaning' must be one line of at least 20 bytes without '|'");
        d->severity = severity_from_string(severity);
        if (d->severity < 0)
                return perr(p, "severity must be info, low, medium or high");
        if ((r = get_bool(p, o, "inhibitor", false, &d->inhibitor)) < 0 ||
            (r = get_bool(p, o, "finding", true, &d->finding)) < 0)
                return r;
        ev = json_get(o, "evidence");
        if (ev && !json_object_is_type(ev, json_type_string) && !json_object_is_type(ev, json_type_array))
                return perr(p, "'evidence' must be a string or an array of strings");
        r = get_names(p, o, "strategies", strategies, ELEMENTSOF(strategies), &d->strategies);
        if (r >= 0)
                r = get_names(p, o, "targets", NULL, 0, &d->targets);
        if (r < 0)
                return r;

        fe = json_get(o, "foreach");
        if (json_object_is_type(fe, json_type_string)) {
                if (!rule_path_valid(json_object_get_string(fe)))
                        return perr(p, "'foreach' is not a valid path");
                d->foreach_path = strdup(json_object_get_string(fe));
                if (!d->foreach_path)
                        return -ENOMEM;
        } else if (json_object_is_type(fe, json_type_object)) {
                static const char *const ffields[] = { "check", "args" };
                r = check_fields(p, fe, ffields, ELEMENTSOF(ffields), "'foreach'");
                if (r >= 0)
                        r = parse_check_ref(p, fe, &d->foreach_check, &d->foreach_args);
                if (r < 0)
                        return r;
        } else if (fe)
                return perr(p, "'foreach' must be a path or {\"check\": ...}");

        if (json_get(o, "when")) {
                r = parse_cond(p, json_get(o, "when"), 1, &d->when);
                if (r < 0)
                        return r;
        }
        if ((r = get_template(p, o, "detail", d->finding, &d->detail)) < 0 ||
            (r = get_template(p, o, "resource", false, &d->resource)) < 0)
                return r;
        r = parse_remediation(p, o, d);
        if (r >= 0)
                r = parse_translation(p, o, d);
        if (r < 0)
                return r;
        if (d->inhibitor && (d->severity != SEVERITY_HIGH || d->n_remedies == 0))
                return perr(p, "an inhibitor must have severity high and remediation steps");
        if (d->inhibitor && !d->finding)
                return perr(p, "an inhibitor must produce a finding");
        if (!d->finding && !d->has_translation)
                return perr(p, "a rule without a finding must have a translation");
        *ret = TAKE_PTR(d);
        return 0;
}

static bool set_has_key(RuleSet *s, const char *key, const char **ret_file)
{
        for (size_t i = 0; i < s->n_rules; i++)
                if (streq(s->rules[i]->key, key)) {
                        *ret_file = s->rules[i]->file;
                        return true;
                }
        return false;
}

static unsigned line_of(const char *buf, size_t off)
{
        unsigned line = 1;
        for (size_t i = 0; i < off; i++)
                line += buf[i] == '\n';
        return line;
}

int rule_set_add_buffer(RuleSet *s, const char *name, const char *buf, size_t size, char **ret_error)
{
        static const char *const top_fields[] = { "about", "rules" };
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        _cleanup_json_ json_object *root = NULL;
        RuleDef **added = NULL;
        size_t n = 0, n_rules;
        Parse p = { .file = name, .error = ret_error };
        json_object *rules;
        size_t end;
        int r;

        if (size > RULES_FILE_MAX)
                return perr(&p, "larger than %u bytes", RULES_FILE_MAX) == -ENOMEM ? -ENOMEM : -E2BIG;
        for (size_t i = 0; i < size; i++)
                if ((unsigned char) buf[i] < 0x20 && !strchr("\t\r\n", buf[i]))
                        return perr(&p, "line %u: a control character", line_of(buf, i));
        if (!utf8_is_valid_n(buf, size))
                return perr(&p, "not valid UTF-8");
        tok = json_tokener_new_ex(JSON_DEPTH_MAX);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        root = json_tokener_parse_ex(tok, buf, (int) size);
        end = json_tokener_get_parse_end(tok);
        if (!root || json_tokener_get_error(tok) != json_tokener_success) {
                enum json_tokener_error e = json_tokener_get_error(tok);
                return perr(&p, "line %u: not valid JSON: %s", line_of(buf, MIN(end, size)),
                            e == json_tokener_continue ? "unexpected end of file"
                                                       : json_tokener_error_desc(e));
        }
        while (end < size && strchr(" \t\r\n", buf[end]))
                end++;
        if (end < size)
                return perr(&p, "line %u: data after the JSON document", line_of(buf, end));
        if (!json_object_is_type(root, json_type_object))
                return perr(&p, "the top level must be an object {\"rules\": [...]}");
        json_object_object_foreach(root, k, v) {
                (void) v;
                if (string_table_lookup(top_fields, ELEMENTSOF(top_fields), k) < 0)
                        return perr(&p, "unknown top-level field '%s'", k);
        }
        rules = json_get(root, "rules");
        if (!json_object_is_type(rules, json_type_array))
                return perr(&p, "'rules' must be an array");
        n_rules = json_object_array_length(rules);
        if (n_rules > RULES_PER_FILE_MAX) {
                r = perr(&p, "more than %u rules", RULES_PER_FILE_MAX);
                return r == -ENOMEM ? r : -E2BIG;
        }
        if (s->n_files >= RULES_FILES_MAX) {
                r = perr(&p, "more than %u rule files", RULES_FILES_MAX);
                return r == -ENOMEM ? r : -E2BIG;
        }

        added = calloc(n_rules + 1, sizeof(RuleDef *));
        if (!added)
                return -ENOMEM;
        for (size_t i = 0; i < n_rules; i++) {
                const char *other = NULL;

                p.index = (unsigned) i + 1;
                p.key = NULL;
                r = parse_rule(&p, json_object_array_get_idx(rules, i), &added[n]);
                if (r < 0)
                        goto fail;
                n++;
                if (set_has_key(s, added[n - 1]->key, &other)) {
                        r = perr(&p, "duplicate key (also in %s)", other);
                        goto fail;
                }
                for (size_t j = 0; j + 1 < n; j++)
                        if (streq(added[j]->key, added[n - 1]->key)) {
                                r = perr(&p, "duplicate key (also rule %u)", added[j]->index);
                                goto fail;
                        }
        }
        {
                RuleDef **nr = reallocarray(s->rules, s->n_rules + n + 1, sizeof(RuleDef *));
                if (!nr) {
                        r = -ENOMEM;
                        goto fail;
                }
                s->rules = nr;
        }
        memcpy(s->rules + s->n_rules, added, n * sizeof(RuleDef *));
        s->n_rules += n;
        s->n_files++;
        free(added);
        return 0;
fail:
        for (size_t i = 0; i < n; i++)
                rule_def_free(added[i]);
        free(added);
        return r;
}

static int cmp_strp(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int rule_set_load_dir(RuleSet *s, const char *dir, char **ret_error)
{
        _cleanup_strv_free_ char **names = NULL;
        DIR *d;
        struct dirent *de;
        size_t n = 0;
        int r = 0;

        d = opendir(dir);
        if (!d)
                return asprintf(ret_error, "%s: %s", dir, strerror(errno)) < 0 ? -ENOMEM : -errno;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.' || !endswith(de->d_name, ".json"))
                        continue;
                if (++n > RULES_FILES_MAX) {
                        closedir(d);
                        return asprintf(ret_error, "%s: more than %u rule files", dir, RULES_FILES_MAX) < 0
                                       ? -ENOMEM
                                       : -E2BIG;
                }
                if (strv_extend(&names, de->d_name) < 0) {
                        closedir(d);
                        return -ENOMEM;
                }
        }
        closedir(d);
        if (names)
                qsort(names, n, sizeof(char *), cmp_strp);
        STRV_FOREACH(name, names) {
                _cleanup_free_ char *path = path_join(dir, *name), *buf = NULL;
                size_t size;

                if (!path)
                        return -ENOMEM;
                r = read_full_file_capped(path, RULES_FILE_MAX, &buf, &size);
                if (r == -EFBIG)
                        return asprintf(ret_error, "%s: larger than %u bytes", *name, RULES_FILE_MAX) < 0
                                       ? -ENOMEM
                                       : -E2BIG;
                if (r < 0)
                        return asprintf(ret_error, "%s: %s", *name, strerror(-r)) < 0 ? -ENOMEM : r;
                r = rule_set_add_buffer(s, *name, buf, size, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- Catalogue ------------------------------------------------------------------------------ */

static int catalogue_strcmp(const char *a, const char *b)
{
        return strcmp(strempty(a), strempty(b));
}

static int cmp_catalogue(const void *a, const void *b)
{
        return catalogue_strcmp(json_get_str(*(json_object *const *) a, "key"),
                                json_get_str(*(json_object *const *) b, "key"));
}

int rule_set_catalogue(RuleSet *s, json_object **ret)
{
        _cleanup_json_ json_object *arr = json_object_new_array();

        if (!arr)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_rules; i++) {
                const RuleDef *d = s->rules[i];
                json_object *o;

                if (!d->finding)
                        continue;
                o = json_object_new_object();
                if (!o || json_append(arr, o) < 0 || json_add_str(o, "key", d->key) < 0 ||
                    json_add_str(o, "area", d->area) < 0 ||
                    json_add_str(o, "severity", severity_to_string(d->severity)) < 0 ||
                    json_add_bool(o, "inhibitor", d->inhibitor) < 0 ||
                    json_add_str(o, "title", d->title) < 0 || json_add_str(o, "meaning", d->meaning) < 0 ||
                    json_add_str(o, "file", d->file) < 0)
                        return -ENOMEM;
        }
        json_object_array_sort(arr, cmp_catalogue);
        *ret = TAKE_PTR(arr);
        return 0;
}
/* ---- Entry points --------------------------------------------------------------------------- */

static int load_plans(const char *plans_dir, RuleSet **ret, char **ret_error)
{
        _cleanup_(rule_set_freep) RuleSet *s = NULL;
        _cleanup_free_ char *dir = path_join(plans_dir, "rules");
        int r;

        if (!dir)
                return -ENOMEM;
        r = rule_set_new(&s);
        if (r < 0)
                return r;
        r = rule_set_load_dir(s, dir, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int rules_evaluate_strategy(const char *plans_dir, const char *to, const char *strategy,
                            json_object *inventory, json_object *decisions, json_object **ret_findings,
                            json_object **ret_translations, char **ret_error)
{
        _cleanup_(rule_set_freep) RuleSet *s = NULL;
        RulesInput in = { .plans_dir = plans_dir,
                          .to = to,
                          .strategy = strategy,
                          .inventory = inventory,
                          .decisions = decisions };
        int r;

        r = load_plans(plans_dir, &s, ret_error);
        if (r < 0)
                return r;
        return rule_set_evaluate(s, &in, ret_findings, ret_translations, ret_error);
}

int rules_evaluate(const char *plans_dir, const char *to, json_object *inventory, json_object *decisions,
                   json_object **ret_findings, json_object **ret_translations, char **ret_error)
{
        return rules_evaluate_strategy(plans_dir, to, NULL, inventory, decisions, ret_findings,
                                       ret_translations, ret_error);
}

int rules_catalogue(const char *plans_dir, json_object **ret)
{
        _cleanup_(rule_set_freep) RuleSet *s = NULL;
        _cleanup_free_ char *err = NULL;
        int r;

        r = load_plans(plans_dir, &s, &err);
        if (r < 0)
                return r;
        return rule_set_catalogue(s, ret);
}
