/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/env-file.h"
#include "shared/fileio.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "kubelet-env.h"

/* Words kept from one line and labels from one --node-labels value; real ones have about 60 and
 * 20. The rest of a longer (hostile) line is ignored. */
#define WORDS_MAX  4096u
#define LABELS_MAX 1024u
/* Variables kept from Environment= lines (env_set() is linear in them: keep the total quadratic
 * cost of hostile unit files bounded). */
#define UNIT_ENV_MAX 1024u

/* A strv that grows in amortised constant time. */
typedef struct Words {
        char **l;
        size_t n, alloc;
} Words;

/* Appends s (taking ownership). Returns 0, or -ENOMEM. */
static int words_push(Words *w, char *s)
{
        if (!s)
                return -ENOMEM;
        if (w->n + 2 > w->alloc) {
                size_t na = MAX(w->alloc * 2, (size_t) 16);
                char **l = reallocarray(w->l, na, sizeof(char *));
                if (!l) {
                        free(s);
                        return -ENOMEM;
                }
                w->l = l;
                w->alloc = na;
        }
        w->l[w->n++] = s;
        w->l[w->n] = NULL;
        return 0;
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r';
}

static bool is_name_start(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
        return is_name_start(c) || (c >= '0' && c <= '9');
}

int kubelet_env_split_words(const char *s, char ***ret)
{
        _cleanup_free_ char *w = malloc(strlen(s) + 1);
        Words words = {};
        const char *p = s;

        if (!w)
                return -ENOMEM;
        while (*p && words.n < WORDS_MAX) {
                char *o = w;

                while (is_blank(*p) || *p == '\n')
                        p++;
                if (!*p)
                        break;
                while (*p && !is_blank(*p) && *p != '\n') {
                        if (*p == '\'') {
                                for (p++; *p && *p != '\''; p++)
                                        *o++ = *p;
                                if (*p)
                                        p++;
                        } else if (*p == '"') {
                                for (p++; *p && *p != '"'; p++) {
                                        if (*p == '\\' && p[1])
                                                p++;
                                        *o++ = *p;
                                }
                                if (*p)
                                        p++;
                        } else {
                                if (*p == '\\' && p[1])
                                        p++;
                                *o++ = *p++;
                        }
                }
                if (words_push(&words, strndup(w, (size_t) (o - w))) < 0) {
                        strv_free(words.l);
                        return -ENOMEM;
                }
        }
        *ret = words.l;
        return 0;
}

int kubelet_env_flag_value(char *const *words, const char *flag, char **ret)
{
        for (size_t i = 0; words && words[i]; i++) {
                const char *rest = startswith(words[i], flag);

                if (!rest)
                        continue;
                if (*rest == '=') {
                        *ret = strdup(rest + 1);
                        return *ret ? 1 : -ENOMEM;
                }
                if (*rest == 0 && words[i + 1] && words[i + 1][0] != '-') {
                        *ret = strdup(words[i + 1]);
                        return *ret ? 1 : -ENOMEM;
                }
        }
        return 0;
}

int kubelet_env_node_labels(const char *s, char ***ret)
{
        Words labels = {};
        const char *p = startswith(s, "--node-labels=") ?: s;

        while (*p && labels.n < LABELS_MAX) {
                size_t n = strcspn(p, ",");
                const char *b = p, *e = p + n, *eq;

                while (b < e && is_blank(*b))
                        b++;
                while (e > b && is_blank(e[-1]))
                        e--;
                eq = memchr(b, '=', (size_t) (e - b));
                if (eq && eq > b && words_push(&labels, strndup(b, (size_t) (e - b))) < 0) {
                        strv_free(labels.l);
                        return -ENOMEM;
                }
                p += n;
                if (*p == ',')
                        p++;
        }
        *ret = labels.l;
        return 0;
}

/* The value of an unquoted systemd EnvironmentFile assignment starting at v: leading and trailing
 * blanks dropped, "\x" gives x, and a backslash at the end of a line continues the value on the
 * next line. */
static int systemd_unquoted_value(const char *v, const char *end, LineIter *it, char **ret)
{
        _cleanup_free_ char *out = NULL;
        size_t n = 0, alloc = 0;

        while (v < end && is_blank(*v))
                v++;
        for (;;) {
                bool cont = false;
                size_t len;

                if (n + (size_t) (end - v) + 1 > alloc) {
                        size_t na = MAX(alloc * 2, n + (size_t) (end - v) + 1);
                        char *o = realloc(out, na);
                        if (!o)
                                return -ENOMEM;
                        out = o;
                        alloc = na;
                }
                for (; v < end; v++) {
                        if (*v == '\\') {
                                if (v + 1 == end) {
                                        cont = true;
                                        break;
                                }
                                v++;
                        }
                        out[n++] = *v;
                }
                if (!cont || !line_iter_next(it, &v, &len))
                        break;
                end = v + len;
                while (end > v && is_blank(end[-1]))
                        end--;
        }
        while (n > 0 && is_blank(out[n - 1]))
                n--;
        if (!out && !(out = malloc(1)))
                return -ENOMEM;
        out[n] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

int kubelet_env_parse_file(const char *buf, size_t size, char ***env)
{
        LineIter it = line_iter_init(buf, size);
        const char *line;
        size_t len;
        int r;

        r = env_file_parse(buf, size, env, NULL);
        if (r < 0)
                return r;

        while (line_iter_next(&it, &line, &len)) {
                _cleanup_free_ char *name = NULL, *value = NULL;
                const char *p = line, *end = line + len, *n0, *v, *e;

                while (p < end && is_blank(*p))
                        p++;
                n0 = p;
                while (p < end && is_name_char(*p))
                        p++;
                if (p == n0 || !is_name_start(*n0) || p >= end || *p != '=')
                        continue;
                v = p + 1;
                while (v < end && is_blank(*v))
                        v++;
                if (v < end && (*v == '"' || *v == '\''))
                        continue; /* quoted: the shell reading stands */
                for (e = end; e > v && is_blank(e[-1]);)
                        e--;
                if (!memchr(v, ' ', (size_t) (e - v)) && !memchr(v, '\t', (size_t) (e - v)) &&
                    (e == v || e[-1] != '\\'))
                        continue; /* one word: the shell reading is the systemd one */
                name = strndup(n0, (size_t) (p - n0));
                if (!name)
                        return -ENOMEM;
                r = systemd_unquoted_value(v, e, &it, &value);
                if (r < 0)
                        return r;
                r = env_set(env, name, value);
                if (r < 0)
                        return r;
        }
        return 0;
}

int kubelet_env_parse_unit(const char *buf, size_t size, const char *prefix, char ***env)
{
        LineIter it = line_iter_init(buf, size);
        const char *line;
        size_t len;
        int r;

        while (line_iter_next(&it, &line, &len)) {
                _cleanup_free_ char *text = NULL;
                _cleanup_strv_free_ char **words = NULL;
                const char *p = line, *end = line + len, *rest;

                while (p < end && is_blank(*p))
                        p++;
                text = strndup(p, (size_t) (end - p));
                if (!text)
                        return -ENOMEM;
                rest = startswith(text, "Environment=");
                if (!rest)
                        continue;
                r = kubelet_env_split_words(rest, &words);
                if (r < 0)
                        return r;
                STRV_FOREACH(w, words) {
                        char *eq = strchr(*w, '=');
                        const char *q;

                        if (!eq || eq == *w || !is_name_start(**w))
                                continue;
                        for (q = *w; q < eq && is_name_char(*q); q++)
                                ;
                        if (q != eq)
                                continue;
                        *eq = 0;
                        if (!startswith(*w, prefix) ||
                            (!env_get(*env, *w) && strv_length(*env) >= UNIT_ENV_MAX))
                                continue;
                        r = env_set(env, *w, eq + 1);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}
