/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* A string-keyed hash map (json-c's linkhash underneath) for tables loaded once and read many
 * times. Keys are borrowed: they must outlive the map (typically they point into a file buffer
 * the owner keeps). Values are borrowed too, or freed with free() when the map was made with
 * owns_values. */
typedef struct StrMap StrMap;

int strmap_new(bool owns_values, StrMap **ret);
StrMap *strmap_free(StrMap *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(StrMap *, strmap_free);

/* Sets key to value. An earlier value is replaced, not freed: the caller decides what becomes of
 * it (a list grown with realloc() is the same allocation). Returns 0 or -ENOMEM (then an owned
 * value is freed). */
int strmap_put(StrMap *m, const char *key, void *value);

/* A growable list of pointers kept as a map value: appends item to the list under key,
 * creating it. The map must own its values. Returns 0 or -ENOMEM. */
typedef struct PtrList {
        size_t n;
        void *item[];
} PtrList;

int strmap_list_append(StrMap *m, const char *key, void *item);
void *strmap_get(const StrMap *m, const char *key);
size_t strmap_size(const StrMap *m);
