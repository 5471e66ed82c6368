/* SPDX-License-Identifier: MIT */
#pragma once

/* JSON for assertions: parse a literal, load a committed fixture, find the shipped knowledge, and
 * walk to a value by path.
 *
 *   _cleanup_json_ json_object *inv = fixture_json("plan/inventory.json");
 *   ASSERT_STREQ(jstr(inv, "os.id"), "ubuntu");
 *   ASSERT_NOT_NULL(jfind(jpath(inv, "findings"), "key", "boot.kernel.missing"));
 *
 * Every helper fails the test (FAIL/ASSERT_*) instead of returning an error. */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "shared/json-util.h"
#include "shared/string-util.h"
#include "tests.h"

#define FIXTURE_JSON_MAX (16u << 20)

/* The source tree's plans/, the knowledge azlmigrate ships. */
static inline const char *tests_plans_dir(void)
{
        static char p[PATH_MAX];

        snprintf(p, sizeof(p), "%s/plans", tests_srcdir());
        return p;
}

/* Parses JSON text written in a test; fails the test if it does not parse. Caller puts. */
static inline json_object *json_parse_ok(const char *s)
{
        json_object *o = json_tokener_parse(s);

        if (!o)
                FAIL("test JSON does not parse: %s", s);
        return o;
}

/* Loads tests/fixtures/rel (valid JSON of at most FIXTURE_JSON_MAX bytes). Caller puts. */
static inline json_object *fixture_json(const char *rel)
{
        char p[PATH_MAX];
        json_object *o = NULL;

        snprintf(p, sizeof(p), "%s/tests/fixtures/%s", tests_srcdir(), rel);
        ASSERT_OK(json_parse_file(p, FIXTURE_JSON_MAX, &o));
        return o;
}

/* JSON access for assertions: "a.b.2.c" walks objects by key and arrays by index; a NULL path is
 * o itself. Returns NULL when anything on the way is missing (keys with a '.' need json_get()). */
static inline json_object *jpath(json_object *o, const char *path)
{
        char buf[512], *save = NULL;

        if (!path)
                return o;
        ASSERT_TRUE(strlen(path) < sizeof(buf));
        strcpy(buf, path);
        for (char *t = strtok_r(buf, ".", &save); t && o; t = strtok_r(NULL, ".", &save)) {
                if (json_object_is_type(o, json_type_array)) {
                        char *end;
                        long i = strtol(t, &end, 10);
                        o = *end ? NULL : json_object_array_get_idx(o, (size_t) i);
                } else
                        o = json_get(o, t);
        }
        return o;
}

/* The string at path, or NULL if it is missing or not a string. */
static inline const char *jstr(json_object *o, const char *path)
{
        json_object *v = jpath(o, path);
        return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* The integer at path; fails the test if there is none. */
static inline int64_t jint(json_object *o, const char *path)
{
        json_object *v = jpath(o, path);
        if (!json_object_is_type(v, json_type_int))
                FAIL("'%s' is not an integer", path);
        return json_object_get_int64(v);
}

/* The boolean at path; fails the test if there is none. */
static inline bool jbool(json_object *o, const char *path)
{
        json_object *v = jpath(o, path);
        if (!json_object_is_type(v, json_type_boolean))
                FAIL("'%s' is not a boolean", path);
        return json_object_get_boolean(v);
}

/* The length of the array at path; fails the test if there is none. */
static inline size_t jlen(json_object *o, const char *path)
{
        json_object *v = jpath(o, path);
        if (!json_object_is_type(v, json_type_array))
                FAIL("'%s' is not an array", path ?: "(array)");
        return json_object_array_length(v);
}

/* Element i of the array arr; fails the test if there is none. */
static inline json_object *jat(json_object *arr, size_t i)
{
        size_t n = jlen(arr, NULL);

        if (i >= n)
                FAIL("index %zu beyond array of %zu", i, n);
        return json_object_array_get_idx(arr, i);
}

/* True if path exists and is JSON null. */
static inline bool jnull(json_object *o, const char *path)
{
        char parent[512];
        const char *last = strrchr(path, '.');
        json_object *p;

        if (!last)
                return json_object_object_get_ex(o, path, &p) && !p;
        snprintf(parent, sizeof(parent), "%.*s", (int) (last - path), path);
        p = jpath(o, parent);
        if (json_object_is_type(p, json_type_object)) {
                json_object *v;
                return json_object_object_get_ex(p, last + 1, &v) && !v;
        }
        return false;
}

/* True if the array at path holds the string s. */
static inline bool jhas(json_object *o, const char *path, const char *s)
{
        json_object *a = jpath(o, path);
        size_t n;

        if (!json_object_is_type(a, json_type_array))
                return false;
        n = json_object_array_length(a);
        for (size_t i = 0; i < n; i++)
                if (streq_ptr(json_object_get_string(json_object_array_get_idx(a, i)), s))
                        return true;
        return false;
}

/* The first object of the array arr whose key has the string value, or NULL. */
static inline json_object *jfind(json_object *arr, const char *key, const char *value)
{
        size_t n = jlen(arr, NULL);

        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(arr, i);
                if (streq_ptr(json_get_str(e, key), value))
                        return e;
        }
        return NULL;
}

/* The first object of the array arr whose key1 and key2 have the string values, or NULL. */
static inline json_object *jfind2(json_object *arr, const char *key1, const char *value1, const char *key2,
                                  const char *value2)
{
        size_t n = jlen(arr, NULL);

        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(arr, i);
                if (streq_ptr(json_get_str(e, key1), value1) && streq_ptr(json_get_str(e, key2), value2))
                        return e;
        }
        return NULL;
}

/* Number of objects of the array arr whose key has the string value. */
static inline size_t jcount(json_object *arr, const char *key, const char *value)
{
        size_t n = jlen(arr, NULL), c = 0;

        for (size_t i = 0; i < n; i++)
                c += streq_ptr(json_get_str(json_object_array_get_idx(arr, i), key), value);
        return c;
}
