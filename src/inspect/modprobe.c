/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf-lines.h"
#include "modprobe.h"

static const char *const modprobe_directive_table[_MODPROBE_DIRECTIVE_MAX] = {
        [MODPROBE_ALIAS] = "alias",     [MODPROBE_OPTIONS] = "options",     [MODPROBE_INSTALL] = "install",
        [MODPROBE_REMOVE] = "remove",   [MODPROBE_BLACKLIST] = "blacklist", [MODPROBE_SOFTDEP] = "softdep",
        [MODPROBE_WEAKDEP] = "weakdep",
};

DEFINE_STRING_TABLE_LOOKUP(modprobe_directive, ModprobeDirective);

static void entry_done(void *p)
{
        ModprobeEntry *e = p;

        free(e->module);
        free(e->args);
}

ModprobeFile *modprobe_file_free(ModprobeFile *f)
{
        if (!f)
                return NULL;
        conf_lines_free(f->entries, f->n_entries, sizeof(ModprobeEntry), entry_done);
        return mfree(f);
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
        if (!conf_text_is_valid(line, len) || cn >= sizeof(name))
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

static int add_line(const char *line, size_t len, unsigned no, void *userdata)
{
        ModprobeFile *f = userdata;
        ModprobeEntry e;
        int r;

        r = parse_line(line, len, no, &e);
        if (r <= 0)
                return r;
        if (conf_lines_append(&f->entries, &f->n_entries, &e, sizeof(e)) < 0) {
                entry_done(&e);
                return -ENOMEM;
        }
        return 0;
}

int modprobe_parse(const char *buf, size_t size, ModprobeFile **ret)
{
        _cleanup_(modprobe_file_freep) ModprobeFile *f = calloc(1, sizeof(ModprobeFile));
        int r;

        if (!f)
                return -ENOMEM;
        r = conf_lines_parse(buf, size, CONF_LINES_CONTINUATION, add_line, f, &f->n_invalid,
                             &f->first_invalid_line);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(f);
        return 0;
}
