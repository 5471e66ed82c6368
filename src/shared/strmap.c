/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include <json-c/linkhash.h>

#include "strmap.h"

struct StrMap {
        struct lh_table *t;
        bool owns_values;
};

static void free_nothing(struct lh_entry *e)
{
}

static void free_value(struct lh_entry *e)
{
        free(lh_entry_v(e));
}

int strmap_new(bool owns_values, StrMap **ret)
{
        StrMap *m = calloc(1, sizeof(StrMap));

        if (!m)
                return -ENOMEM;
        m->owns_values = owns_values;
        m->t = lh_kchar_table_new(256, owns_values ? free_value : free_nothing);
        if (!m->t) {
                free(m);
                return -ENOMEM;
        }
        *ret = m;
        return 0;
}

StrMap *strmap_free(StrMap *m)
{
        if (!m)
                return NULL;
        lh_table_free(m->t);
        free(m);
        return NULL;
}

int strmap_put(StrMap *m, const char *key, void *value)
{
        struct lh_entry *e = lh_table_lookup_entry(m->t, key);

        if (e) {
                lh_entry_set_val(e, value);
                return 0;
        }
        if (lh_table_insert(m->t, key, value) < 0) {
                if (m->owns_values)
                        free(value);
                return -ENOMEM;
        }
        return 0;
}

void *strmap_get(const StrMap *m, const char *key)
{
        struct lh_entry *e = lh_table_lookup_entry((struct lh_table *) m->t, key);
        return e ? lh_entry_v(e) : NULL;
}

size_t strmap_size(const StrMap *m)
{
        return (size_t) lh_table_length((struct lh_table *) m->t);
}

int strmap_list_append(StrMap *m, const char *key, void *item)
{
        PtrList *l = strmap_get(m, key), *n;
        size_t k = l ? l->n : 0;

        n = realloc(l, sizeof(PtrList) + (k + 1) * sizeof(void *));
        if (!n)
                return -ENOMEM; /* l is untouched and still in the map */
        n->item[k] = item;
        n->n = k + 1;
        if (n == l)
                return 0;
        if (!l)
                return strmap_put(m, key, n);
        lh_entry_set_val(lh_table_lookup_entry(m->t, key), n);
        return 0;
}
