/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env-file.h"
#include "string-util.h"
#include "strv.h"

const char *env_get(char *const *env, const char *key)
{
        size_t kl = strlen(key);

        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], key, kl) == 0 && env[i][kl] == '=')
                        return env[i] + kl + 1;
        return NULL;
}

int env_set(char ***env, const char *key, const char *value)
{
        size_t kl = strlen(key);
        char *e;

        if (asprintf(&e, "%s=%s", key, value) < 0)
                return -ENOMEM;
        for (size_t i = 0; *env && (*env)[i]; i++)
                if (strncmp((*env)[i], key, kl) == 0 && (*env)[i][kl] == '=') {
                        free((*env)[i]);
                        (*env)[i] = e;
                        return 0;
                }
        return strv_consume(env, e);
}

/* A growable output string. */
typedef struct Buf {
        char *s;
        size_t n, alloc;
} Buf;

static int buf_put(Buf *b, const char *p, size_t n)
{
        if (b->n + n + 1 > b->alloc) {
                size_t na = MAX(b->alloc * 2, b->n + n + 1);
                char *s = realloc(b->s, MAX(na, (size_t) 32));
                if (!s)
                        return -ENOMEM;
                b->s = s;
                b->alloc = MAX(na, (size_t) 32);
        }
        memcpy(b->s + b->n, p, n);
        b->n += n;
        b->s[b->n] = 0;
        return 0;
}

static bool is_name_start(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
        return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Expands a $NAME or ${NAME} reference at *p (pointing at '$'). Unknown names expand to "". */
static int expand_var(const char **p, const char *end, char *const *env, Buf *out)
{
        const char *s = *p + 1, *name;
        size_t nl;
        bool braced = false;
        char key[256];
        const char *v;

        if (s < end && *s == '{') {
                braced = true;
                s++;
        }
        name = s;
        while (s < end && is_name_char(*s))
                s++;
        nl = (size_t) (s - name);
        if (nl == 0 || (braced && (s >= end || *s != '}'))) {
                /* Not a reference we understand: keep the '$' literally. */
                *p += 1;
                return buf_put(out, "$", 1);
        }
        if (braced)
                s++;
        *p = s;
        if (nl >= sizeof(key))
                return 0;
        memcpy(key, name, nl);
        key[nl] = 0;
        v = env_get(env, key);
        return v ? buf_put(out, v, strlen(v)) : 0;
}

/* Parses one value starting at *p; stops at unquoted whitespace, newline or end. Returns 0, 1 when
 * the value was malformed (unterminated quote), or -ENOMEM. */
static int parse_value(const char **p, const char *end, char *const *env, Buf *out)
{
        const char *s = *p;
        int r;

        while (s < end && !strchr(" \t\n\r;", *s)) {
                if (*s == '\'') {
                        const char *q = memchr(s + 1, '\'', (size_t) (end - s - 1));
                        if (!q)
                                return *p = end, 1;
                        if ((r = buf_put(out, s + 1, (size_t) (q - s - 1))) < 0)
                                return r;
                        s = q + 1;
                } else if (*s == '"') {
                        s++;
                        while (s < end && *s != '"') {
                                if (*s == '\\' && s + 1 < end && strchr("\"\\$`\n", s[1])) {
                                        if (s[1] != '\n' && (r = buf_put(out, s + 1, 1)) < 0)
                                                return r;
                                        s += 2;
                                } else if (*s == '$') {
                                        if ((r = expand_var(&s, end, env, out)) < 0)
                                                return r;
                                } else {
                                        if ((r = buf_put(out, s, 1)) < 0)
                                                return r;
                                        s++;
                                }
                        }
                        if (s >= end)
                                return *p = end, 1;
                        s++;
                } else if (*s == '\\' && s + 1 < end) {
                        if (s[1] != '\n' && (r = buf_put(out, s + 1, 1)) < 0)
                                return r;
                        s += 2;
                } else if (*s == '$') {
                        if ((r = expand_var(&s, end, env, out)) < 0)
                                return r;
                } else {
                        if ((r = buf_put(out, s, 1)) < 0)
                                return r;
                        s++;
                }
        }
        *p = s;
        return 0;
}

static const char *skip_line(const char *s, const char *end)
{
        const char *nl = memchr(s, '\n', (size_t) (end - s));
        return nl ? nl + 1 : end;
}

int env_file_parse(const char *buf, size_t size, char ***env, size_t *ret_unparsed)
{
        const char *s = buf, *end = buf + size;
        size_t unparsed = 0;
        int r;

        while (s < end) {
                const char *name, *t;
                char key[256];
                size_t nl;
                Buf value = {};

                while (s < end && strchr(" \t\r\n;", *s))
                        s++;
                if (s >= end)
                        break;
                if (*s == '#') {
                        s = skip_line(s, end);
                        continue;
                }
                if ((size_t) (end - s) > 7 && strncmp(s, "export", 6) == 0 &&
                    (s[6] == ' ' || s[6] == '\t')) {
                        s += 7;
                        while (s < end && (*s == ' ' || *s == '\t'))
                                s++;
                }
                name = s;
                while (s < end && is_name_char(*s))
                        s++;
                nl = (size_t) (s - name);
                if (nl == 0 || !is_name_start(*name) || s >= end || *s != '=' || nl >= sizeof(key)) {
                        unparsed++;
                        s = skip_line(s, end);
                        continue;
                }
                memcpy(key, name, nl);
                key[nl] = 0;
                s++;
                r = parse_value(&s, end, *env, &value);
                if (r < 0) {
                        free(value.s);
                        return r;
                }
                if (r > 0) {
                        free(value.s);
                        unparsed++;
                        continue;
                }
                /* Only trailing blanks or a comment may follow an assignment we honour. */
                t = s;
                while (t < end && (*t == ' ' || *t == '\t'))
                        t++;
                if (t < end && *t != '\n' && *t != '#' && *t != ';' && *t != '\r') {
                        free(value.s);
                        unparsed++;
                        s = skip_line(t, end);
                        continue;
                }
                r = env_set(env, key, value.s ?: "");
                free(value.s);
                if (r < 0)
                        return r;
                s = t;
                if (s < end && *s == '#')
                        s = skip_line(s, end);
        }
        if (ret_unparsed)
                *ret_unparsed = unparsed;
        return 0;
}
