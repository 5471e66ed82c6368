/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/fileio.h"
#include "modprobe.h"

static const char *const modprobe_directive_table[_MODPROBE_DIRECTIVE_MAX] = {
        [MODPROBE_ALIAS] = "alias",     [MODPROBE_OPTIONS] = "options",     [MODPROBE_INSTALL] = "install",
        [MODPROBE_REMOVE] = "remove",   [MODPROBE_BLACKLIST] = "blacklist", [MODPROBE_SOFTDEP] = "softdep",
        [MODPROBE_WEAKDEP] = "weakdep",
};

DEFINE_STRING_TABLE_LOOKUP(modprobe_directive, ModprobeDirective);

static void entry_done(ModprobeEntry *e)
{
        free(e->module);
        free(e->args);
}

ModprobeFile *modprobe_file_free(ModprobeFile *f)
{
        if (!f)
                return NULL;
        for (size_t i = 0; i < f->n_entries; i++)
                entry_done(&f->entries[i]);
        free(f->entries);
        free(f);
        return NULL;
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r';
}

/* Splits off the next blank-separated word of [*p, end). Returns its length (0 at the end). */
static size_t next_word(const char **p, const char *end, const char **ret)
{
        const char *s = *p, *w;

        while (s < end && is_blank(*s))
                s++;
        w = s;
        while (s < end && !is_blank(*s))
                s++;
        *ret = w;
        *p = s;
        return (size_t) (s - w);
}

/* No control bytes (NUL included) except tabs. */
static bool text_is_valid(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (((unsigned char) s[i] < ' ' && s[i] != '\t') || s[i] == 0x7f)
                        return false;
        return true;
}

/* Parses one logical line. Returns 1 with *ret filled, 0 for a blank or comment line, -EINVAL for
 * an invalid line, -ENOMEM. */
static int parse_line(const char *line, size_t len, unsigned no, ModprobeEntry *ret)
{
        const char *p = line, *end = line + len, *cmd, *mod, *rest;
        size_t cn, mn, rn;
        char name[16];
        ModprobeDirective d;
        ModprobeEntry e = { .line = no };

        cn = next_word(&p, end, &cmd);
        if (cn == 0 || cmd[0] == '#')
                return 0;
        if (!text_is_valid(line, len) || cn >= sizeof(name))
                return -EINVAL;
        memcpy(name, cmd, cn);
        name[cn] = 0;
        d = modprobe_directive_from_string(name);
        if (d < 0)
                return -EINVAL;
        mn = next_word(&p, end, &mod);
        if (mn == 0)
                return -EINVAL;
        while (p < end && is_blank(*p))
                p++;
        rest = p;
        rn = (size_t) (end - p);
        while (rn > 0 && is_blank(rest[rn - 1]))
                rn--;
        /* Everything but blacklist needs more than the module. */
        if (rn == 0 && d != MODPROBE_BLACKLIST)
                return -EINVAL;

        e.directive = d;
        e.module = strndup(mod, mn);
        if (rn > 0)
                e.args = strndup(rest, rn);
        if (!e.module || (rn > 0 && !e.args)) {
                entry_done(&e);
                return -ENOMEM;
        }
        *ret = e;
        return 1;
}

typedef struct Buf {
        char *s;
        size_t n, alloc;
} Buf;

static int buf_append(Buf *b, const char *p, size_t n)
{
        if (b->n + n + 1 > b->alloc) {
                size_t na = MAX(b->alloc * 2, b->n + n + 1);
                char *s = realloc(b->s, na);
                if (!s)
                        return -ENOMEM;
                b->s = s;
                b->alloc = na;
        }
        memcpy(b->s + b->n, p, n);
        b->n += n;
        b->s[b->n] = 0;
        return 0;
}

static int add_entry(ModprobeFile *f, ModprobeEntry *e)
{
        ModprobeEntry *ne = reallocarray(f->entries, f->n_entries + 1, sizeof(ModprobeEntry));

        if (!ne) {
                entry_done(e);
                return -ENOMEM;
        }
        f->entries = ne;
        f->entries[f->n_entries++] = *e;
        return 0;
}

int modprobe_parse(const char *buf, size_t size, ModprobeFile **ret)
{
        _cleanup_(modprobe_file_freep) ModprobeFile *f = calloc(1, sizeof(ModprobeFile));
        LineIter it = line_iter_init(buf, size);
        Buf logical = {};
        const char *line;
        size_t len;
        unsigned no = 0, start = 0;
        int r = 0;

        if (!f)
                return -ENOMEM;
        for (;;) {
                bool more = line_iter_next(&it, &line, &len), cont;
                ModprobeEntry e;

                if (more) {
                        no++;
                        if (logical.n == 0)
                                start = no;
                        /* A trailing '\' joins the next line, as libkmod's getline_wrapped() does. */
                        cont = len > 0 && line[len - 1] == '\\';
                        r = buf_append(&logical, line, cont ? len - 1 : len);
                        if (r < 0)
                                break;
                        if (cont)
                                continue;
                } else if (logical.n == 0)
                        break;

                r = parse_line(logical.s, logical.n, start, &e);
                logical.n = 0;
                if (r == -ENOMEM)
                        break;
                if (r == -EINVAL) {
                        if (f->n_invalid++ == 0)
                                f->first_invalid_line = start;
                } else if (r > 0 && (r = add_entry(f, &e)) < 0)
                        break;
                r = 0;
                if (!more)
                        break;
        }
        free(logical.s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(f);
        return 0;
}
