/* SPDX-License-Identifier: MIT */
/* Look-ups in a document toml.c parsed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/string-util.h"
#include "shared/strv.h"
#include "toml.h"

static bool key_equal(const TomlEntry *e, const char *const *path)
{
        size_t i;

        for (i = 0; i < e->n_key; i++)
                if (!path[i] || !streq(e->key[i], path[i]))
                        return false;
        return !path[i];
}

const TomlValue *toml_get(const TomlDoc *d, const char *const *path)
{
        if (!d)
                return NULL;
        for (size_t i = d->n_entries; i > 0; i--)
                if (key_equal(&d->entries[i - 1], path))
                        return &d->entries[i - 1].value;
        return NULL;
}

const char *toml_get_string(const TomlDoc *d, const char *const *path)
{
        const TomlValue *v = toml_get(d, path);
        return v && v->type == TOML_STRING ? v->str : NULL;
}

int toml_get_bool(const TomlDoc *d, const char *const *path)
{
        const TomlValue *v = toml_get(d, path);
        if (!v || v->type != TOML_BOOLEAN)
                return -ENOENT;
        return v->boolean;
}

int toml_get_int(const TomlDoc *d, const char *const *path, int64_t *ret)
{
        const TomlValue *v = toml_get(d, path);
        if (!v || v->type != TOML_INTEGER)
                return -ENOENT;
        *ret = v->integer;
        return 0;
}

static int cmp_strp(const void *a, const void *b)
{
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

int toml_list_children(const TomlDoc *d, const char *const *prefix, char ***ret)
{
        _cleanup_free_ const char **names = NULL;
        _cleanup_strv_free_ char **l = NULL;
        size_t np = 0, n = 0, k = 0;

        while (prefix[np])
                np++;
        if (d && d->n_entries > 0) {
                names = calloc(d->n_entries, sizeof(char *));
                if (!names)
                        return -ENOMEM;
        }
        for (size_t i = 0; d && i < d->n_entries; i++) {
                const TomlEntry *e = &d->entries[i];
                bool match = e->n_key > np;

                for (size_t j = 0; match && j < np; j++)
                        match = streq(e->key[j], prefix[j]);
                if (match)
                        names[n++] = e->key[np];
        }
        if (n == 0) {
                *ret = NULL;
                return 0;
        }
        qsort(names, n, sizeof(char *), cmp_strp);
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (k > 0 && streq(l[k - 1], names[i]))
                        continue;
                l[k] = strdup(names[i]);
                if (!l[k])
                        return -ENOMEM;
                k++;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int toml_get_string_array(const TomlDoc *d, const char *const *path, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        const TomlValue *v = toml_get(d, path);
        size_t k = 0;

        if (!v || v->type != TOML_ARRAY)
                return 0;
        if (v->n_items > 0) {
                l = calloc(v->n_items + 1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < v->n_items; i++) {
                if (v->items[i].type != TOML_STRING)
                        continue;
                l[k] = strdup(v->items[i].str);
                if (!l[k])
                        return -ENOMEM;
                k++;
        }
        *ret = TAKE_PTR(l);
        return 1;
}
