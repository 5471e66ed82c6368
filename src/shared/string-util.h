/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "macro.h"

#define WHITESPACE " \t\n\r"

static inline bool streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static inline bool isempty(const char *s)
{
        return !s || !*s;
}

static inline const char *strempty(const char *s)
{
        return s ?: "";
}

/* Returns a pointer just after prefix in s, or NULL when s does not start with prefix. */
const char *startswith(const char *s, const char *prefix) _pure_;

/* A copy of s with every occurrence of from (non-empty) replaced by to. NULL on OOM. */
char *strreplace(const char *s, const char *from, const char *to);
/* Returns a pointer to the suffix inside s, or NULL when s does not end with it. */
const char *endswith(const char *s, const char *suffix) _pure_;

/* Strips leading and trailing whitespace in place; returns s advanced past leading whitespace. */
char *strstrip(char *s);

/* Removes one level of matching single or double quotes around s, in place. */
char *strunquote(char *s);

/* Lowercases ASCII letters in place. */
char *ascii_strlower(char *s);

/* Returns true if every byte of s is in the set [a-zA-Z0-9] or in extra. */
bool str_in_charset(const char *s, const char *extra) _pure_;

/* String tables: static const char *const foo_table[] = { [FOO_A] = "a", ... };
 * DEFINE_STRING_TABLE_LOOKUP(foo, Foo) then gives foo_to_string() and foo_from_string(); the latter
 * returns -EINVAL for unknown strings, matching the enums' _FOO_INVALID = -EINVAL. */
int string_table_lookup(const char *const *table, size_t n, const char *key) _pure_;

#define DEFINE_STRING_TABLE_LOOKUP(name, type)                                                \
        const char *name##_to_string(type i)                                                  \
        {                                                                                     \
                if ((int) i < 0 || (size_t) i >= ELEMENTSOF(name##_table))                    \
                        return NULL;                                                          \
                return name##_table[i];                                                       \
        }                                                                                     \
        type name##_from_string(const char *s)                                                \
        {                                                                                     \
                return (type) string_table_lookup(name##_table, ELEMENTSOF(name##_table), s); \
        }

/* The same for tables used in one file only. */
#define DEFINE_PRIVATE_STRING_TABLE_LOOKUP(name, type)                                        \
        _unused_ static const char *name##_to_string(type i)                                  \
        {                                                                                     \
                if ((int) i < 0 || (size_t) i >= ELEMENTSOF(name##_table))                    \
                        return NULL;                                                          \
                return name##_table[i];                                                       \
        }                                                                                     \
        _unused_ static type name##_from_string(const char *s)                                \
        {                                                                                     \
                return (type) string_table_lookup(name##_table, ELEMENTSOF(name##_table), s); \
        }

#define DECLARE_STRING_TABLE_LOOKUP(name, type) \
        const char *name##_to_string(type i);   \
        type name##_from_string(const char *s)
