/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* NULL-terminated arrays of owned strings. A NULL strv is an empty list. */

char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char *const *l) _pure_;
bool strv_contains(char *const *l, const char *s) _pure_;

/* Appends a copy of value. Returns 0 or -ENOMEM. */
int strv_extend(char ***l, const char *value);
/* Appends value, taking ownership also on failure. Returns 0 or -ENOMEM. */
int strv_consume(char ***l, char *value);
/* Sorts in place with strcmp(). */
void strv_sort(char **l);
/* Splits s at any of the separator bytes, dropping empty fields. Returns 0 or -ENOMEM. */
int strv_split(const char *s, const char *separators, char ***ret);
/* Joins with sep. Returns NULL on OOM. */
char *strv_join(char *const *l, const char *sep);

#define STRV_FOREACH(s, l) for (char **s = (l); s && *s; s++)
