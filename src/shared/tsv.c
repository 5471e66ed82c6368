/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tsv.h"

int tsv_parse_inplace(char *buf, size_t size, size_t min_fields,
                      int (*cb)(const TsvRecord *r, void *userdata), void *userdata)
{
        char *p = buf, *end = buf + size;
        unsigned no = 0;
        int r;

        while (p < end) {
                char *nl = memchr(p, '\n', (size_t) (end - p)), *le = nl ? nl : end, *f;
                TsvRecord rec = { .line = ++no };

                *le = 0; /* le is either the newline or one past the data: callers pass size + NUL */
                if (le > p && le[-1] == '\r')
                        le[-1] = 0;
                if (*p == 0 || *p == '#' || p[strspn(p, " \t")] == 0) {
                        p = le + 1;
                        continue;
                }
                f = p;
                for (;;) {
                        char *tab = strchr(f, '\t');
                        if (rec.n_fields >= TSV_FIELDS_MAX)
                                return -E2BIG;
                        rec.field[rec.n_fields++] = f;
                        if (!tab)
                                break;
                        *tab = 0;
                        f = tab + 1;
                }
                while (rec.n_fields < min_fields && rec.n_fields < TSV_FIELDS_MAX)
                        rec.field[rec.n_fields++] = "";
                r = cb(&rec, userdata);
                if (r < 0)
                        return r;
                p = le + 1;
        }
        return 0;
}

int tsv_parse(const char *buf, size_t size, size_t min_fields, int (*cb)(const TsvRecord *r, void *userdata),
              void *userdata)
{
        _cleanup_free_ char *copy = malloc(size + 1);

        if (!copy)
                return -ENOMEM;
        memcpy(copy, buf, size);
        copy[size] = 0;
        return tsv_parse_inplace(copy, size, min_fields, cb, userdata);
}
