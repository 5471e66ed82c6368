/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "string-util.h"

const char *startswith(const char *s, const char *prefix)
{
        size_t l = strlen(prefix);

        if (strncmp(s, prefix, l) != 0)
                return NULL;
        return s + l;
}

const char *endswith(const char *s, const char *suffix)
{
        size_t sl = strlen(s), xl = strlen(suffix);

        if (xl > sl)
                return NULL;
        if (memcmp(s + sl - xl, suffix, xl) != 0)
                return NULL;
        return s + sl - xl;
}

char *strstrip(char *s)
{
        char *e;

        s += strspn(s, WHITESPACE);
        e = s + strlen(s);
        while (e > s && strchr(WHITESPACE, e[-1]))
                e--;
        *e = 0;
        return s;
}

char *strunquote(char *s)
{
        size_t l = strlen(s);

        if (l >= 2 && (s[0] == '"' || s[0] == '\'') && s[l - 1] == s[0]) {
                memmove(s, s + 1, l - 2);
                s[l - 2] = 0;
        }
        return s;
}

char *ascii_strlower(char *s)
{
        for (char *p = s; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char) (*p - 'A' + 'a');
        return s;
}

bool str_in_charset(const char *s, const char *extra)
{
        for (const char *p = s; *p; p++) {
                char c = *p;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                        continue;
                if (extra && strchr(extra, c))
                        continue;
                return false;
        }
        return true;
}

int string_table_lookup(const char *const *table, size_t n, const char *key)
{
        if (!key)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && strcmp(table[i], key) == 0)
                        return (int) i;
        return -EINVAL;
}

char *strreplace(const char *s, const char *from, const char *to)
{
        size_t nf = strlen(from), nt = strlen(to), n = 0;
        const char *p;
        char *r, *w;

        for (p = s; (p = strstr(p, from)); p += nf)
                n++;
        r = malloc(strlen(s) + n * nt + 1);
        if (!r)
                return NULL;
        w = r;
        for (p = s;;) {
                const char *q = strstr(p, from);
                if (!q)
                        break;
                memcpy(w, p, (size_t) (q - p));
                w += q - p;
                memcpy(w, to, nt);
                w += nt;
                p = q + nf;
        }
        strcpy(w, p);
        return r;
}
