/* SPDX-License-Identifier: MIT */
#pragma once

/* Helpers for collector tests: build a small guest tree in a temporary directory, open it as a
 * Guest the way "inspect --root" does, run collectors on it and look at the inventory. */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/guest-dir.h"
#include "disk/guest.h"
#include "inspect/collect.h"
#include "inspect/inventory.h"
#include "shared/json-util.h"
#include "tests.h"

/* Creates every missing directory of the parent of root/path. */
static inline void tree_parents(const char *root, const char *path)
{
        char buf[4096];
        int n = snprintf(buf, sizeof(buf), "%s/%s", root, path[0] == '/' ? path + 1 : path);

        ASSERT_TRUE(n > 0 && (size_t) n < sizeof(buf));
        for (char *p = buf + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = 0;
                if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                        FAIL("mkdir %s: %m", buf);
                *p = '/';
        }
}

static inline void tree_path(const char *root, const char *path, char *buf, size_t size)
{
        int n = snprintf(buf, size, "%s/%s", root, path[0] == '/' ? path + 1 : path);
        ASSERT_TRUE(n > 0 && (size_t) n < size);
}

static inline void tree_file_n(const char *root, const char *path, const void *data, size_t size)
{
        char p[4096];
        FILE *f;

        tree_parents(root, path);
        tree_path(root, path, p, sizeof(p));
        f = fopen(p, "we");
        if (!f)
                FAIL("fopen %s: %m", p);
        ASSERT_EQ(fwrite(data, 1, size, f), size);
        ASSERT_EQ(fclose(f), 0);
}

static inline void tree_file(const char *root, const char *path, const char *content)
{
        tree_file_n(root, path, content, strlen(content));
}

static inline void tree_dir(const char *root, const char *path)
{
        char p[4096];

        tree_parents(root, path);
        tree_path(root, path, p, sizeof(p));
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                FAIL("mkdir %s: %m", p);
}

static inline void tree_link(const char *root, const char *path, const char *target)
{
        char p[4096];

        tree_parents(root, path);
        tree_path(root, path, p, sizeof(p));
        if (symlink(target, p) < 0)
                FAIL("symlink %s: %m", p);
}

static inline char *tree_new(void)
{
        const char *tmp = getenv("TMPDIR");
        char *t;

        ASSERT_TRUE(asprintf(&t, "%s/azlm-test-XXXXXX", tmp && *tmp ? tmp : "/tmp") > 0);
        if (!mkdtemp(t))
                FAIL("mkdtemp: %m");
        return t;
}

static inline int tree_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(p);
}

static inline void tree_free(char *root)
{
        if (root)
                (void) nftw(root, tree_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(root);
}

/* A Guest with root (and optionally more trees) mounted as the guest mounts them. */
static inline Guest *tree_guest(const char *root)
{
        GuestFs *fs = NULL;
        Guest *g = NULL;
        int r;

        r = guest_dir_open(root, &fs);
        if (r == -ENOSYS)
                SKIP("the kernel lacks openat2()");
        ASSERT_OK(r);
        ASSERT_OK(guest_new(&g));
        ASSERT_OK(guest_mount(g, "/", fs));
        return g;
}

static inline void tree_mount(Guest *g, const char *dir, const char *mountpoint)
{
        GuestFs *fs = NULL;

        ASSERT_OK(guest_dir_open(dir, &fs));
        ASSERT_OK(guest_mount(g, mountpoint, fs));
}

/* Returns arr[i] (an array element) or fails. */
static inline json_object *json_at(json_object *arr, size_t i)
{
        ASSERT_NOT_NULL(arr);
        ASSERT_TRUE(json_object_is_type(arr, json_type_array));
        if (i >= json_object_array_length(arr))
                FAIL("index %zu beyond array of %zu", i, json_object_array_length(arr));
        return json_object_array_get_idx(arr, i);
}

static inline size_t json_len(json_object *arr)
{
        ASSERT_NOT_NULL(arr);
        ASSERT_TRUE(json_object_is_type(arr, json_type_array));
        return json_object_array_length(arr);
}

/* The first element of arr whose key has the string value, or NULL. */
static inline json_object *json_find(json_object *arr, const char *key, const char *value)
{
        for (size_t i = 0; i < json_len(arr); i++) {
                json_object *o = json_object_array_get_idx(arr, i);
                const char *v = json_get_str(o, key);
                if (v && strcmp(v, value) == 0)
                        return o;
        }
        return NULL;
}

/* How many findings of key the inventory holds; the detail of the last one in *ret_detail. */
static inline size_t count_findings(Inventory *inv, const char *key, const char **ret_detail)
{
        size_t n = 0;

        for (size_t i = 0; i < json_len(inv->findings); i++) {
                json_object *f = json_object_array_get_idx(inv->findings, i);
                const char *k = json_get_str(f, "key");
                if (k && strcmp(k, key) == 0) {
                        n++;
                        if (ret_detail)
                                *ret_detail = json_get_str(f, "detail");
                }
        }
        return n;
}

/* Whether a JSON array of strings holds s. */
static inline int json_strv_has(json_object *arr, const char *s)
{
        for (size_t i = 0; i < json_len(arr); i++) {
                const char *v = json_object_get_string(json_object_array_get_idx(arr, i));
                if (v && strcmp(v, s) == 0)
                        return 1;
        }
        return 0;
}
