/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "shared/fileio.h"
#include "modules-load.h"

static void entry_done(ModulesLoadEntry *e)
{
        free(e->module);
        free(e->args);
}

ModulesLoadFile *modules_load_file_free(ModulesLoadFile *f)
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
        return c == ' ' || c == '\t';
}

static bool text_is_valid(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (((unsigned char) s[i] < ' ' && s[i] != '\t') || s[i] == 0x7f)
                        return false;
        return true;
}

int modules_load_parse(const char *buf, size_t size, ModulesLoadFile **ret)
{
        _cleanup_(modules_load_file_freep) ModulesLoadFile *f = calloc(1, sizeof(ModulesLoadFile));
        LineIter it = line_iter_init(buf, size);
        const char *line;
        size_t len;
        unsigned no = 0;

        if (!f)
                return -ENOMEM;
        while (line_iter_next(&it, &line, &len)) {
                ModulesLoadEntry e = { .line = ++no }, *ne;
                size_t mn, an;
                const char *a;

                while (len > 0 && is_blank(*line))
                        line++, len--;
                while (len > 0 && is_blank(line[len - 1]))
                        len--;
                if (len == 0 || line[0] == '#' || line[0] == ';')
                        continue;
                if (!text_is_valid(line, len)) {
                        if (f->n_invalid++ == 0)
                                f->first_invalid_line = no;
                        continue;
                }
                for (mn = 0; mn < len && !is_blank(line[mn]); mn++)
                        ;
                a = line + mn;
                an = len - mn;
                while (an > 0 && is_blank(*a))
                        a++, an--;
                e.module = strndup(line, mn);
                if (an > 0)
                        e.args = strndup(a, an);
                if (!e.module || (an > 0 && !e.args)) {
                        entry_done(&e);
                        return -ENOMEM;
                }
                ne = reallocarray(f->entries, f->n_entries + 1, sizeof(ModulesLoadEntry));
                if (!ne) {
                        entry_done(&e);
                        return -ENOMEM;
                }
                f->entries = ne;
                f->entries[f->n_entries++] = e;
        }
        *ret = TAKE_PTR(f);
        return 0;
}
