/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "macro.h"

/* Thin helpers over json-c, translating its conventions into -errno returns.
 * Every json_add_*() takes ownership of what it is given, also on failure, so that callers never
 * leak (json_object_object_add() itself does not release the value when it fails). Strings from
 * guests go in through json_add_str()/json_new_str(), which replace invalid UTF-8. */

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(json_tokener *, json_tokener_free);
#define _cleanup_json_ _cleanup_(json_object_putp)

/* New string value from guest bytes (invalid UTF-8 replaced). NULL s gives a JSON null (NULL). */
json_object *json_new_str(const char *s);
json_object *json_new_str_n(const char *s, size_t n);

/* obj[key] = v; v may be NULL (JSON null). Returns 0 or -ENOMEM. */
int json_add(json_object *obj, const char *key, json_object *v);
int json_add_str(json_object *obj, const char *key, const char *s);
int json_add_int(json_object *obj, const char *key, int64_t v);
int json_add_bool(json_object *obj, const char *key, bool v);
/* Appends v to array arr. Returns 0 or -ENOMEM. */
int json_append(json_object *arr, json_object *v);
int json_append_str(json_object *arr, const char *s);
/* Appends the strings of a NULL-terminated list (ap, or the arguments after first) to arr. Returns 0
 * or -ENOMEM. */
int json_append_strv(json_object *arr, const char *first, va_list ap);
int json_append_strs(json_object *arr, const char *first, ...) _sentinel_;

/* json_object_array_length() that is 0 for anything but an array (json-c asserts otherwise). */
size_t json_array_len(json_object *a);
/* Element i of a, or NULL when a is not an array or too short (json-c asserts instead). */
json_object *json_array_at(json_object *a, size_t i);
/* Sorts an array of strings in place by strcmp() (non-strings as ""). */
void json_array_sort_strings(json_object *arr);
/* True if the array holds the string s. */
bool json_array_has_str(json_object *arr, const char *s);

/* A deep copy of o: NULL for NULL (JSON null), and NULL when out of memory. */
json_object *json_deep_copy(json_object *o);

/* Returns obj[key] if it is an object (creating it when missing), NULL on OOM or type clash. */
json_object *json_get_or_add_object(json_object *obj, const char *key);
json_object *json_get_or_add_array(json_object *obj, const char *key);

/* Accessors that return NULL/defaults for missing keys or wrong types. */
json_object *json_get(json_object *obj, const char *key);
const char *json_get_str(json_object *obj, const char *key);
int64_t json_get_int(json_object *obj, const char *key, int64_t def);
bool json_get_bool(json_object *obj, const char *key, bool def);

/* Serialises to f (pretty, with a trailing newline). Returns 0 or -errno. */
int json_dump(json_object *obj, FILE *f);
/* Serialises to path atomically (mode 0644). Returns 0 or -errno. */
int json_dump_file(json_object *obj, const char *path);
/* Parses a file of at most max bytes. Returns 0, -EBADMSG on a syntax error, or -errno. */
int json_parse_file(const char *path, size_t max, json_object **ret);
