/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/fileio.h"
#include "shared/string-util.h"
#include "sysctl.h"

static void entry_done(SysctlEntry *e)
{
        free(e->key);
        free(e->value);
}

SysctlFile *sysctl_file_free(SysctlFile *f)
{
        if (!f)
                return NULL;
        for (size_t i = 0; i < f->n_entries; i++)
                entry_done(&f->entries[i]);
        free(f->entries);
        free(f);
        return NULL;
}

char *sysctl_normalize_key(char *key)
{
        char *n = strpbrk(key, "/.");

        /* The first separator decides: with a '/', the two swap; with a '.', nothing changes. */
        if (n && *n == '/')
                for (; n; n = strpbrk(n + 1, "/."))
                        *n = *n == '/' ? '.' : '/';
        return key;
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* [s, s+n) without surrounding blanks. */
static void trim(const char **s, size_t *n)
{
        while (*n > 0 && is_blank(**s))
                (*s)++, (*n)--;
        while (*n > 0 && is_blank((*s)[*n - 1]))
                (*n)--;
}

static bool key_is_valid(const char *k, size_t n)
{
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) k[i] <= ' ' || k[i] == 0x7f || k[i] == '=')
                        return false;
        return true;
}

static bool value_is_valid(const char *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (v[i] == 0 || (v[i] != '\t' && (unsigned char) v[i] < ' '))
                        return false;
        return true;
}

static int add_entry(SysctlFile *f, const char *k, size_t kn, const char *v, size_t vn, bool has_value,
                     bool ignore, unsigned line)
{
        SysctlEntry e = { .ignore_errors = ignore, .line = line };
        SysctlEntry *ne;

        e.key = strndup(k, kn);
        if (has_value)
                e.value = strndup(v, vn);
        if (!e.key || (has_value && !e.value)) {
                entry_done(&e);
                return -ENOMEM;
        }
        sysctl_normalize_key(e.key);
        ne = reallocarray(f->entries, f->n_entries + 1, sizeof(SysctlEntry));
        if (!ne) {
                entry_done(&e);
                return -ENOMEM;
        }
        f->entries = ne;
        f->entries[f->n_entries++] = e;
        return 0;
}

int sysctl_parse(const char *buf, size_t size, SysctlFile **ret)
{
        _cleanup_(sysctl_file_freep) SysctlFile *f = calloc(1, sizeof(SysctlFile));
        LineIter it = line_iter_init(buf, size);
        const char *line;
        size_t len;
        unsigned no = 0;
        int r;

        if (!f)
                return -ENOMEM;
        while (line_iter_next(&it, &line, &len)) {
                const char *eq, *k, *v = NULL;
                size_t kn, vn = 0;
                bool ignore = false;

                no++;
                trim(&line, &len);
                if (len == 0 || line[0] == '#' || line[0] == ';')
                        continue;
                if (line[0] == '-') {
                        ignore = true;
                        line++, len--;
                }
                eq = memchr(line, '=', len);
                k = line;
                kn = eq ? (size_t) (eq - line) : len;
                trim(&k, &kn);
                if (eq) {
                        v = eq + 1;
                        vn = (size_t) (line + len - v);
                        trim(&v, &vn);
                }
                /* Without '=', only the "-key" exclusion form is valid. */
                if (!key_is_valid(k, kn) || (!eq && !ignore) || (eq && !value_is_valid(v, vn))) {
                        if (f->n_invalid++ == 0)
                                f->first_invalid_line = no;
                        continue;
                }
                r = add_entry(f, k, kn, v, vn, eq != NULL, ignore, no);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(f);
        return 0;
}
