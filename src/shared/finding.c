/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding.h"

int finding_list_add(FindingList *l, const char *key, const char *format, ...)
{
        _cleanup_free_ char *k = NULL, *d = NULL;
        Finding *items;
        va_list ap;
        int r;

        k = strdup(key);
        if (!k)
                return -ENOMEM;
        va_start(ap, format);
        r = vasprintf(&d, format, ap);
        va_end(ap);
        if (r < 0) {
                d = NULL;
                return -ENOMEM;
        }
        items = reallocarray(l->items, l->n + 1, sizeof(Finding));
        if (!items)
                return -ENOMEM;
        l->items = items;
        l->items[l->n++] = (Finding){ .key = TAKE_PTR(k), .detail = TAKE_PTR(d) };
        return 0;
}

int finding_list_move(FindingList *to, FindingList *from)
{
        Finding *items;

        if (from->n == 0)
                return 0;
        items = reallocarray(to->items, to->n + from->n, sizeof(Finding));
        if (!items)
                return -ENOMEM;
        memcpy(items + to->n, from->items, from->n * sizeof(Finding));
        to->items = items;
        to->n += from->n;
        free(from->items);
        from->items = NULL;
        from->n = 0;
        return 0;
}

void finding_list_done(FindingList *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].key);
                free(l->items[i].detail);
        }
        free(l->items);
        l->items = NULL;
        l->n = 0;
}
