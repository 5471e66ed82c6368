/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/fileio.h"
#include "shared/strv.h"
#include "passwd.h"

/* The fields of one line, as views into the buffer. */
#define FIELDS_MAX 9u

typedef struct Fields {
        const char *p[FIELDS_MAX];
        size_t n[FIELDS_MAX];
        size_t count; /* fields in the line (may exceed FIELDS_MAX; then only the first are kept) */
} Fields;

static void split_fields(const char *line, size_t len, Fields *f)
{
        const char *p = line, *end = line + len;

        f->count = 0;
        for (;;) {
                const char *c = memchr(p, ':', (size_t) (end - p));
                const char *e = c ? c : end;

                if (f->count < FIELDS_MAX) {
                        f->p[f->count] = p;
                        f->n[f->count] = (size_t) (e - p);
                }
                f->count++;
                if (!c)
                        break;
                p = c + 1;
        }
}

/* Returns 1 for a line that should be parsed, 0 for one that holds no entry. */
static int line_wanted(const char *line, size_t len)
{
        size_t i = 0;

        while (i < len && (line[i] == ' ' || line[i] == '\t'))
                i++;
        if (i == len || line[i] == '#')
                return 0;
        if (line[0] == '+' || line[0] == '-') /* NIS compat */
                return 0;
        return 1;
}

int passwd_parse_id(const char *s, size_t n, uint32_t *ret)
{
        uint64_t v = 0;

        if (n == 0 || n > 10)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        if (v >= UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

static void note_invalid(size_t *n_invalid, size_t *first, size_t line_no)
{
        if ((*n_invalid)++ == 0)
                *first = line_no;
}

/* Makes room for one more element in *array. Returns 0 or -ENOMEM (*array left intact). */
static int grow(void **array, size_t n, size_t *alloc, size_t size)
{
        size_t na;
        void *a;

        if (n < *alloc)
                return 0;
        na = *alloc ? *alloc * 2 : 32;
        a = reallocarray(*array, na, size);
        if (!a)
                return -ENOMEM;
        *array = a;
        *alloc = na;
        return 0;
}

static void passwd_entry_done(PasswdEntry *e)
{
        free(e->name);
        free(e->gecos);
        free(e->home);
        free(e->shell);
}

void passwd_list_done(PasswdList *l)
{
        for (size_t i = 0; i < l->n; i++)
                passwd_entry_done(&l->entries[i]);
        free(l->entries);
        *l = (PasswdList){};
}

void group_list_done(GroupList *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->entries[i].name);
                strv_free(l->entries[i].members);
        }
        free(l->entries);
        *l = (GroupList){};
}

void shadow_list_done(ShadowList *l)
{
        for (size_t i = 0; i < l->n; i++)
                free(l->entries[i].name);
        free(l->entries);
        *l = (ShadowList){};
}

int passwd_parse(const char *buf, size_t size, PasswdList *ret)
{
        PasswdList l = {};
        LineIter it = line_iter_init(buf, size);
        size_t alloc = 0, line_no = 0, len;
        const char *line;

        while (line_iter_next(&it, &line, &len)) {
                PasswdEntry e = {};
                Fields f;

                line_no++;
                if (!line_wanted(line, len))
                        continue;
                split_fields(line, len, &f);
                if (f.count != 7 || memchr(line, 0, len) || f.n[0] == 0 ||
                    passwd_parse_id(f.p[2], f.n[2], &e.uid) < 0 ||
                    passwd_parse_id(f.p[3], f.n[3], &e.gid) < 0) {
                        note_invalid(&l.n_invalid, &l.first_invalid_line, line_no);
                        continue;
                }
                e.name = strndup(f.p[0], f.n[0]);
                e.gecos = strndup(f.p[4], f.n[4]);
                e.home = strndup(f.p[5], f.n[5]);
                e.shell = strndup(f.p[6], f.n[6]);
                if (!e.name || !e.gecos || !e.home || !e.shell ||
                    grow((void **) &l.entries, l.n, &alloc, sizeof(PasswdEntry)) < 0) {
                        passwd_entry_done(&e);
                        passwd_list_done(&l);
                        return -ENOMEM;
                }
                l.entries[l.n++] = e;
        }
        *ret = l;
        return 0;
}

/* Splits the comma-separated member list, dropping empty names. Returns 0, -E2BIG beyond
 * GROUP_MEMBERS_MAX names, -ENOMEM. */
static int split_members(const char *s, size_t n, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        const char *p = s, *end = s + n;
        size_t count = 0;

        for (const char *q = s; q < end; q++)
                count += *q == ',';
        if (count + 1 > GROUP_MEMBERS_MAX)
                return -E2BIG;
        l = calloc(count + 2, sizeof(char *));
        if (!l)
                return -ENOMEM;
        count = 0;
        while (p < end) {
                const char *c = memchr(p, ',', (size_t) (end - p)), *e = c ?: end;

                if (e > p) {
                        l[count] = strndup(p, (size_t) (e - p));
                        if (!l[count++])
                                return -ENOMEM;
                }
                p = c ? c + 1 : end;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int group_parse(const char *buf, size_t size, GroupList *ret)
{
        GroupList l = {};
        LineIter it = line_iter_init(buf, size);
        size_t alloc = 0, line_no = 0, len;
        const char *line;
        int r;

        while (line_iter_next(&it, &line, &len)) {
                GroupEntry e = {};
                Fields f;

                line_no++;
                if (!line_wanted(line, len))
                        continue;
                split_fields(line, len, &f);
                if (f.count != 4 || memchr(line, 0, len) || f.n[0] == 0 ||
                    passwd_parse_id(f.p[2], f.n[2], &e.gid) < 0) {
                        note_invalid(&l.n_invalid, &l.first_invalid_line, line_no);
                        continue;
                }
                r = split_members(f.p[3], f.n[3], &e.members);
                if (r == -E2BIG) {
                        note_invalid(&l.n_invalid, &l.first_invalid_line, line_no);
                        continue;
                }
                e.name = strndup(f.p[0], f.n[0]);
                if (r < 0 || !e.name || grow((void **) &l.entries, l.n, &alloc, sizeof(GroupEntry)) < 0) {
                        free(e.name);
                        strv_free(e.members);
                        group_list_done(&l);
                        return -ENOMEM;
                }
                l.entries[l.n++] = e;
        }
        *ret = l;
        return 0;
}

int shadow_parse(const char *buf, size_t size, ShadowList *ret)
{
        ShadowList l = {};
        LineIter it = line_iter_init(buf, size);
        size_t alloc = 0, line_no = 0, len;
        const char *line;

        while (line_iter_next(&it, &line, &len)) {
                ShadowEntry e = {};
                Fields f;

                line_no++;
                if (!line_wanted(line, len))
                        continue;
                split_fields(line, len, &f);
                if (f.count < 2 || memchr(line, 0, len) || f.n[0] == 0) {
                        note_invalid(&l.n_invalid, &l.first_invalid_line, line_no);
                        continue;
                }
                /* Only the verdict is kept: "!" and "*" (and "!$6$..." for a locked password)
                 * mean no usable password, an empty field means none at all. */
                e.password_set = f.n[1] > 0 && f.p[1][0] != '!' && f.p[1][0] != '*';
                e.name = strndup(f.p[0], f.n[0]);
                if (!e.name || grow((void **) &l.entries, l.n, &alloc, sizeof(ShadowEntry)) < 0) {
                        free(e.name);
                        shadow_list_done(&l);
                        return -ENOMEM;
                }
                l.entries[l.n++] = e;
        }
        *ret = l;
        return 0;
}
