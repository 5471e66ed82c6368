/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "conf-lines.h"
#include "modules-load.h"

static void entry_done(void *p)
{
        ModulesLoadEntry *e = p;

        free(e->module);
        free(e->args);
}

ModulesLoadFile *modules_load_file_free(ModulesLoadFile *f)
{
        if (!f)
                return NULL;
        conf_lines_free(f->entries, f->n_entries, sizeof(ModulesLoadEntry), entry_done);
        return mfree(f);
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t';
}

static int parse_line(const char *line, size_t len, unsigned no, void *userdata)
{
        ModulesLoadFile *f = userdata;
        ModulesLoadEntry e = { .line = no };
        size_t mn, an;
        const char *a;

        while (len > 0 && is_blank(*line))
                line++, len--;
        while (len > 0 && is_blank(line[len - 1]))
                len--;
        if (conf_line_is_comment(line, len))
                return 0;
        if (!conf_text_is_valid(line, len))
                return -EINVAL;
        for (mn = 0; mn < len && !is_blank(line[mn]); mn++)
                ;
        a = line + mn;
        an = len - mn;
        while (an > 0 && is_blank(*a))
                a++, an--;
        e.module = strndup(line, mn);
        if (an > 0)
                e.args = strndup(a, an);
        if (!e.module || (an > 0 && !e.args) ||
            conf_lines_append(&f->entries, &f->n_entries, &e, sizeof(e)) < 0) {
                entry_done(&e);
                return -ENOMEM;
        }
        return 0;
}

int modules_load_parse(const char *buf, size_t size, ModulesLoadFile **ret)
{
        _cleanup_(modules_load_file_freep) ModulesLoadFile *f = calloc(1, sizeof(ModulesLoadFile));
        int r;

        if (!f)
                return -ENOMEM;
        r = conf_lines_parse(buf, size, 0, parse_line, f, &f->n_invalid, &f->first_invalid_line);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(f);
        return 0;
}
