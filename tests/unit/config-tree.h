/* SPDX-License-Identifier: MIT */
#pragma once

/* Test helpers for collector tests: build a small guest tree under a mkdtemp() directory, open it
 * as a Guest (directory backend), run a collector on a fresh Inventory and look at the JSON. */

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/guest-dir.h"
#include "disk/guest.h"
#include "inspect/collect.h"
#include "inspect/inventory.h"
#include "shared/json-util.h"
#include "tests.h"

/* mkdir -p root/rel */
static inline void tree_mkdir(const char *root, const char *rel)
{
        char p[4096];
        size_t n = (size_t) snprintf(p, sizeof(p), "%s/%s", root, rel);

        ASSERT_TRUE(n < sizeof(p));
        for (char *s = p + strlen(root) + 1; *s; s++)
                if (*s == '/') {
                        *s = 0;
                        if (mkdir(p, 0755) < 0)
                                ASSERT_EQ(errno, EEXIST);
                        *s = '/';
                }
        if (mkdir(p, 0755) < 0)
                ASSERT_EQ(errno, EEXIST);
}

static inline void tree_parent(const char *root, const char *rel)
{
        char d[4096];
        char *slash;

        snprintf(d, sizeof(d), "%s", rel);
        slash = strrchr(d, '/');
        if (slash) {
                *slash = 0;
                tree_mkdir(root, d);
        }
}

/* Writes size bytes (or strlen(data) when size is (size_t) -1) to root/rel, creating parents. */
static inline void tree_write_n(const char *root, const char *rel, const char *data, size_t size)
{
        char p[4096];
        int fd;

        if (size == (size_t) -1)
                size = strlen(data);
        tree_parent(root, rel);
        snprintf(p, sizeof(p), "%s/%s", root, rel);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, data, size), (ssize_t) size);
        close(fd);
}

static inline void tree_write(const char *root, const char *rel, const char *data)
{
        tree_write_n(root, rel, data, (size_t) -1);
}

static inline void tree_symlink(const char *root, const char *rel, const char *target)
{
        char p[4096];

        tree_parent(root, rel);
        snprintf(p, sizeof(p), "%s/%s", root, rel);
        ASSERT_EQ(symlink(target, p), 0);
}

static inline int tree_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void) st;
        (void) ftw;
        return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static inline void tree_remove(const char *root)
{
        ASSERT_EQ(nftw(root, tree_rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* A fresh temporary root (caller frees with tree_remove()). */
static inline void tree_new(char *buf, size_t size)
{
        snprintf(buf, size, "/tmp/azlm-config-XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(buf));
}

/* Runs fn on the tree at root; returns the inventory (caller frees). */
static inline Inventory *tree_collect(const char *root, CollectorFn fn)
{
        Guest *g = NULL;
        GuestFs *fs = NULL;
        Inventory *inv = NULL;
        InspectContext c;
        int r;

        r = guest_dir_open(root, &fs);
        if (r == -ENOSYS)
                SKIP("openat2() is not available");
        ASSERT_OK(r);
        ASSERT_OK(guest_new(&g));
        ASSERT_OK(guest_mount(g, "/", fs));
        ASSERT_OK(inventory_new(&inv));
        c = (InspectContext){ .guest = g, .inv = inv, .layout = NULL };
        ASSERT_OK(fn(&c));
        guest_free(g);
        return inv;
}

/* JSON access for assertions: "a.b.2.c" walks objects by key and arrays by index. Returns NULL
 * when anything on the way is missing. */
static inline json_object *jpath(json_object *o, const char *path)
{
        char buf[512], *save = NULL;

        snprintf(buf, sizeof(buf), "%s", path);
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

static inline const char *jstr(json_object *o, const char *path)
{
        json_object *v = jpath(o, path);
        return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static inline int64_t jint(json_object *o, const char *path)
{
        json_object *v = jpath(o, path);
        if (!json_object_is_type(v, json_type_int))
                FAIL("'%s' is not an integer", path);
        return json_object_get_int64(v);
}

static inline bool jbool(json_object *o, const char *path)
{
        json_object *v = jpath(o, path);
        if (!json_object_is_type(v, json_type_boolean))
                FAIL("'%s' is not a boolean", path);
        return json_object_get_boolean(v);
}

static inline size_t jlen(json_object *o, const char *path)
{
        json_object *v = jpath(o, path);
        if (!json_object_is_type(v, json_type_array))
                FAIL("'%s' is not an array", path);
        return json_object_array_length(v);
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

/* Number of findings with that key. */
static inline size_t count_findings(Inventory *inv, const char *key)
{
        size_t n = json_object_array_length(inv->findings), c = 0;

        for (size_t i = 0; i < n; i++)
                c += streq_ptr(json_get_str(json_object_array_get_idx(inv->findings, i), "key"), key);
        return c;
}

/* The first finding with that key, or NULL. */
static inline json_object *find_finding(Inventory *inv, const char *key)
{
        size_t n = json_object_array_length(inv->findings);

        for (size_t i = 0; i < n; i++) {
                json_object *f = json_object_array_get_idx(inv->findings, i);
                if (streq_ptr(json_get_str(f, "key"), key))
                        return f;
        }
        return NULL;
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
