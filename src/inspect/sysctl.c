/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/string-util.h"
#include "conf-lines.h"
#include "sysctl.h"

static void entry_done(void *p)
{
        SysctlEntry *e = p;

        free(e->key);
        free(e->value);
}

SysctlFile *sysctl_file_free(SysctlFile *f)
{
        if (!f)
                return NULL;
        conf_lines_free(f->entries, f->n_entries, sizeof(SysctlEntry), entry_done);
        return mfree(f);
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

        e.key = strndup(k, kn);
        if (has_value)
                e.value = strndup(v, vn);
        if (!e.key || (has_value && !e.value)) {
                entry_done(&e);
                return -ENOMEM;
        }
        sysctl_normalize_key(e.key);
        if (conf_lines_append(&f->entries, &f->n_entries, &e, sizeof(e)) < 0) {
                entry_done(&e);
                return -ENOMEM;
        }
        return 0;
}

static int parse_line(const char *line, size_t len, unsigned no, void *userdata)
{
        const char *eq, *k, *v = NULL;
        size_t kn, vn = 0;
        bool ignore = false;

        trim(&line, &len);
        if (conf_line_is_comment(line, len))
                return 0;
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
        if (!key_is_valid(k, kn) || (!eq && !ignore) || (eq && !value_is_valid(v, vn)))
                return -EINVAL;
        return add_entry(userdata, k, kn, v, vn, eq != NULL, ignore, no);
}

int sysctl_parse(const char *buf, size_t size, SysctlFile **ret)
{
        _cleanup_(sysctl_file_freep) SysctlFile *f = calloc(1, sizeof(SysctlFile));
        int r;

        if (!f)
                return -ENOMEM;
        r = conf_lines_parse(buf, size, 0, parse_line, f, &f->n_invalid, &f->first_invalid_line);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(f);
        return 0;
}
