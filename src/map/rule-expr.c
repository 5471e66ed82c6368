/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/format-util.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "rule-expr.h"

#define PATH_MAX_LEN      512
#define PATH_MAX_SEGMENTS 32
#define EXPR_MAX_LEN      600

const char *rule_string(json_object *v)
{
        return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool segment_char_ok(char c)
{
        return c != '.' && c != '{' && c != '}' && c != '|' && !strchr(WHITESPACE, c) && c != 0;
}

bool rule_path_valid(const char *path)
{
        size_t len, segments = 1, seglen = 0;

        if (isempty(path))
                return false;
        len = strlen(path);
        if (len > PATH_MAX_LEN)
                return false;
        for (size_t i = 0; i < len; i++) {
                if (path[i] == '.') {
                        if (seglen == 0 || ++segments > PATH_MAX_SEGMENTS)
                                return false;
                        seglen = 0;
                        continue;
                }
                if (!segment_char_ok(path[i]))
                        return false;
                /* "@" and "$name" only as the first segment. */
                if ((path[i] == '@' || path[i] == '$') && (segments > 1 || seglen > 0))
                        return false;
                if (path[i] == '@' && i + 1 < len && path[i + 1] != '.')
                        return false;
                seglen++;
        }
        if (seglen == 0)
                return false;
        return path[0] != '$' || (len > 1 && !strchr(path, '.'));
}

static bool all_digits(const char *s, size_t n)
{
        if (n == 0 || n > 9)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

/* Walks the segments of p (no leading '.') from v. */
static json_object *walk(json_object *v, const char *p)
{
        while (v && *p) {
                size_t n = strcspn(p, ".");
                char seg[PATH_MAX_LEN + 1];

                if (n > PATH_MAX_LEN)
                        return NULL;
                memcpy(seg, p, n);
                seg[n] = 0;
                if (json_object_is_type(v, json_type_object)) {
                        if (!json_object_object_get_ex(v, seg, &v))
                                return NULL;
                } else if (json_object_is_type(v, json_type_array) && all_digits(seg, n)) {
                        long idx = strtol(seg, NULL, 10);
                        if ((size_t) idx >= json_object_array_length(v))
                                return NULL;
                        v = json_object_array_get_idx(v, (size_t) idx);
                } else
                        return NULL;
                p += n;
                if (*p == '.')
                        p++;
        }
        return v;
}

json_object *rule_path_get(const RuleScope *s, const char *path)
{
        const char *rest;

        if (!s || isempty(path))
                return NULL;
        if (streq(path, "@"))
                return s->item;
        rest = startswith(path, "@.");
        if (rest)
                return walk(s->item, rest);
        if (path[0] == '$')
                return json_get(s->vars, path + 1);
        rest = startswith(path, "packages.decisions");
        if (s->decisions && rest && (*rest == 0 || *rest == '.'))
                return walk(s->decisions, *rest ? rest + 1 : rest);
        return walk(s->inventory, path);
}

/* ---- Output buffer -------------------------------------------------------------------------- */

typedef struct Out {
        char *buf;
        size_t len, alloc, max;
        bool over;
} Out;

static int out_add(Out *o, const char *s, size_t n)
{
        if (o->over)
                return 0;
        if (n > o->max - o->len) {
                n = o->max - o->len;
                o->over = true;
        }
        if (o->len + n + 1 > o->alloc) {
                size_t na = MAX(o->alloc * 2, o->len + n + 1);
                char *b;

                na = MAX(na, (size_t) 64);
                b = realloc(o->buf, na);
                if (!b)
                        return -ENOMEM;
                o->buf = b;
                o->alloc = na;
        }
        memcpy(o->buf + o->len, s, n);
        o->len += n;
        o->buf[o->len] = 0;
        return 0;
}

static int out_adds(Out *o, const char *s)
{
        return out_add(o, s, strlen(s));
}

char *rule_value_to_string(json_object *v)
{
        Out o = { .max = SIZE_MAX / 2 };
        size_t n;
        int r = 0;

        switch (json_object_get_type(v)) {
        case json_type_null:
                return strdup("");
        case json_type_string:
                return strdup(json_object_get_string(v));
        case json_type_array:
                n = json_array_len(v);
                r = out_adds(&o, "");
                for (size_t i = 0; r >= 0 && i < n; i++) {
                        _cleanup_free_ char *e = rule_value_to_string(json_object_array_get_idx(v, i));
                        if (!e)
                                r = -ENOMEM;
                        if (r >= 0 && i > 0)
                                r = out_adds(&o, ", ");
                        if (r >= 0)
                                r = out_adds(&o, e);
                }
                if (r < 0) {
                        free(o.buf);
                        return NULL;
                }
                return o.buf;
        default:
                return strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        }
}

/* ---- Templates ------------------------------------------------------------------------------ */

typedef enum Filter {
        FILTER_BASENAME,
        FILTER_DIRNAME,
        FILTER_JOIN,
        FILTER_LINES,
        FILTER_FIRST,
        FILTER_COUNT,
        FILTER_JSON,
        FILTER_BYTES,
        _FILTER_MAX,
        _FILTER_INVALID = -EINVAL,
} Filter;

static const char *const filter_table[_FILTER_MAX] = {
        [FILTER_BASENAME] = "basename", [FILTER_DIRNAME] = "dirname", [FILTER_JOIN] = "join",
        [FILTER_LINES] = "lines",       [FILTER_FIRST] = "first",     [FILTER_COUNT] = "count",
        [FILTER_JSON] = "json",         [FILTER_BYTES] = "bytes",
};

DEFINE_PRIVATE_STRING_TABLE_LOOKUP(filter, Filter);

/* Splits "path|f1|f2" (a copy the caller owns) in place: returns the path and the filters. */
static int expr_parse(char *e, char **ret_path, char *filters[static 8], size_t *ret_n, char **ret_error)
{
        size_t n = 0;
        char *p = e, *bar;

        while ((bar = strchr(p, '|'))) {
                *bar = 0;
                if (n >= 8)
                        return asprintf(ret_error, "more than 8 filters in '{%s}'", e) < 0 ? -ENOMEM
                                                                                           : -EBADMSG;
                filters[n++] = bar + 1;
                p = bar + 1;
        }
        if (!streq(e, "count") && !streq(e, "resources") && !rule_path_valid(e))
                return asprintf(ret_error, "invalid path '%s' in template", e) < 0 ? -ENOMEM : -EBADMSG;
        for (size_t i = 0; i < n; i++)
                if (filter_from_string(filters[i]) < 0)
                        return asprintf(ret_error, "unknown filter '%s' in template", filters[i]) < 0
                                       ? -ENOMEM
                                       : -EBADMSG;
        *ret_path = e;
        *ret_n = n;
        return 0;
}

/* Calls cb for each literal run and each expression of tmpl. */
typedef int (*TemplateCb)(void *userdata, const char *text, size_t n, bool expr);

static int template_walk(const char *tmpl, TemplateCb cb, void *userdata, char **ret_error)
{
        const char *p = tmpl;
        int r;

        while (*p) {
                size_t n = strcspn(p, "{}");

                if (n > 0) {
                        r = cb(userdata, p, n, false);
                        if (r < 0)
                                return r;
                        p += n;
                        continue;
                }
                if (p[0] == p[1]) { /* "{{" or "}}" */
                        r = cb(userdata, p, 1, false);
                        if (r < 0)
                                return r;
                        p += 2;
                        continue;
                }
                if (*p == '}')
                        return asprintf(ret_error, "unmatched '}' in template") < 0 ? -ENOMEM : -EBADMSG;
                n = strcspn(p + 1, "{}");
                if (p[1 + n] != '}')
                        return asprintf(ret_error, "unterminated '{' in template") < 0 ? -ENOMEM : -EBADMSG;
                if (n == 0 || n > EXPR_MAX_LEN)
                        return asprintf(ret_error, "empty or overlong expression in template") < 0
                                       ? -ENOMEM
                                       : -EBADMSG;
                r = cb(userdata, p + 1, n, true);
                if (r < 0)
                        return r;
                p += n + 2;
        }
        return 0;
}

typedef struct CheckState {
        char **error;
} CheckState;

static int check_cb(void *userdata, const char *text, size_t n, bool expr)
{
        CheckState *st = userdata;
        char copy[EXPR_MAX_LEN + 1], *path, *filters[8];
        size_t nf;

        if (!expr)
                return 0;
        memcpy(copy, text, n);
        copy[n] = 0;
        return expr_parse(copy, &path, filters, &nf, st->error);
}

int rule_template_check(const char *tmpl, char **ret_error)
{
        CheckState st = { .error = ret_error };

        if (!tmpl)
                return 0;
        return template_walk(tmpl, check_cb, &st, ret_error);
}

static int apply_filter(Filter f, json_object **v)
{
        json_object *cur = *v, *nv = NULL;
        _cleanup_free_ char *s = NULL;

        switch (f) {
        case FILTER_BYTES: {
                char buf[32];
                /* An integer byte count for people; anything else passes unchanged. */
                if (!json_object_is_type(cur, json_type_int))
                        return 0;
                format_bytes((unsigned long long) MAX(json_object_get_int64(cur), 0), buf, sizeof(buf));
                nv = json_object_new_string(buf);
                break;
        }
        case FILTER_BASENAME:
        case FILTER_DIRNAME: {
                const char *base;

                s = rule_value_to_string(cur);
                if (!s)
                        return -ENOMEM;
                base = path_basename(s);
                if (f == FILTER_BASENAME)
                        nv = json_object_new_string(base);
                else {
                        size_t n = (size_t) (base - s);
                        while (n > 1 && s[n - 1] == '/')
                                n--;
                        nv = n == 0 ? json_object_new_string(".") : json_object_new_string_len(s, (int) n);
                }
                break;
        }
        case FILTER_JOIN:
        case FILTER_LINES:
                if (json_object_is_type(cur, json_type_array) && f == FILTER_LINES) {
                        size_t n = json_array_len(cur);
                        Out o = { .max = SIZE_MAX / 2 };

                        if (out_adds(&o, "") < 0)
                                return -ENOMEM;
                        for (size_t i = 0; i < n; i++) {
                                _cleanup_free_ char *e =
                                        rule_value_to_string(json_object_array_get_idx(cur, i));
                                if (!e || (i > 0 && out_adds(&o, "\n") < 0) || out_adds(&o, e) < 0) {
                                        free(o.buf);
                                        return -ENOMEM;
                                }
                        }
                        nv = json_object_new_string(o.buf);
                        free(o.buf);
                        break;
                }
                s = rule_value_to_string(cur);
                if (!s)
                        return -ENOMEM;
                nv = json_object_new_string(s);
                break;
        case FILTER_FIRST:
                if (json_object_is_type(cur, json_type_array)) {
                        nv = json_object_get(json_object_array_get_idx(cur, 0));
                        json_object_put(cur);
                        *v = nv;
                        return 0;
                }
                return 0;
        case FILTER_COUNT:
                if (!cur)
                        nv = json_object_new_int(0);
                else if (json_object_is_type(cur, json_type_array))
                        nv = json_object_new_int64((int64_t) json_array_len(cur));
                else if (json_object_is_type(cur, json_type_object))
                        nv = json_object_new_int(json_object_object_length(cur));
                else
                        nv = json_object_new_int(1);
                break;
        case FILTER_JSON:
                nv = json_object_new_string(cur ? json_object_to_json_string_ext(cur, JSON_C_TO_STRING_PLAIN)
                                                : "null");
                break;
        default:
                return -EBADMSG;
        }
        if (!nv)
                return -ENOMEM;
        json_object_put(cur);
        *v = nv;
        return 0;
}

typedef struct RenderState {
        const RuleScope *scope;
        Out out;
} RenderState;

static int render_cb(void *userdata, const char *text, size_t n, bool expr)
{
        RenderState *st = userdata;
        char copy[EXPR_MAX_LEN + 1], *path, *filters[8];
        _cleanup_free_ char *err = NULL, *s = NULL;
        json_object *v;
        size_t nf;
        int r;

        if (!expr)
                return out_add(&st->out, text, n);
        memcpy(copy, text, n);
        copy[n] = 0;
        r = expr_parse(copy, &path, filters, &nf, &err);
        if (r < 0)
                return r;
        if (streq(path, "count"))
                v = json_object_new_int64((int64_t) st->scope->count);
        else if (streq(path, "resources"))
                v = json_object_new_string(strempty(st->scope->resources));
        else
                v = json_object_get(rule_path_get(st->scope, path));
        if (!v && (streq(path, "count") || streq(path, "resources")))
                return -ENOMEM;
        for (size_t i = 0; i < nf; i++) {
                r = apply_filter(filter_from_string(filters[i]), &v);
                if (r < 0) {
                        json_object_put(v);
                        return r;
                }
        }
        s = rule_value_to_string(v);
        json_object_put(v);
        if (!s)
                return -ENOMEM;
        return out_adds(&st->out, s);
}

int rule_template_render(const char *tmpl, const RuleScope *s, size_t max, bool truncate, char **ret)
{
        static const char ellipsis[] = "\xe2\x80\xa6"; /* U+2026 */
        RenderState st = { .scope = s, .out = { .max = max } };
        _cleanup_free_ char *err = NULL;
        int r;

        if (max < sizeof(ellipsis))
                return -EINVAL;
        r = out_adds(&st.out, "");
        if (r >= 0)
                r = template_walk(strempty(tmpl), render_cb, &st, &err);
        if (r < 0) {
                free(st.out.buf);
                return r;
        }
        if (st.out.over) {
                size_t n = max - (sizeof(ellipsis) - 1);

                if (!truncate) {
                        free(st.out.buf);
                        return -E2BIG;
                }
                while (n > 0 && ((unsigned char) st.out.buf[n] & 0xC0) == 0x80)
                        n--;
                memcpy(st.out.buf + n, ellipsis, sizeof(ellipsis));
        }
        *ret = st.out.buf;
        return 0;
}
