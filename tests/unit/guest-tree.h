/* SPDX-License-Identifier: MIT */
#pragma once

/* Helpers for collector tests: build a small guest tree under a mkdtemp() directory, open it as a
 * Guest with the directory backend the way "inspect --root" does, run collectors on a fresh
 * Inventory, and query the JSON they produce.
 *
 *   GuestTree t;
 *   tree_new(&t);
 *   tree_file(&t, "/etc/fstab", "...");
 *   inv = tree_collect(&t, collect_fstab);
 *   ASSERT_STREQ(jstr(inv->root, "config.fstab.0.file"), "/");
 *   tree_free(&t);
 *
 * Every helper fails the test (FAIL/ASSERT_*) instead of returning an error. */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
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
#include "shared/string-util.h"
#include "tests.h"

typedef struct GuestTree {
        char *root;               /* the host directory holding the guest's files */
        const DiskLayout *layout; /* what collectors see as the disk; NULL as with "inspect --root" */
        Guest *guest;             /* these three are set by tree_open() */
        Inventory *inv;
        InspectContext ctx;
} GuestTree;

/* Makes an empty tree in a fresh directory under $TMPDIR (or /tmp). */
static inline void tree_new(GuestTree *t)
{
        const char *tmp = getenv("TMPDIR");

        *t = (GuestTree){};
        ASSERT_TRUE(asprintf(&t->root, "%s/azlm-test-XXXXXX", tmp && *tmp ? tmp : "/tmp") > 0);
        if (!mkdtemp(t->root))
                FAIL("mkdtemp: %m");
}

/* The host path of the guest path (with or without a leading '/') into buf. */
static inline void tree_path(const GuestTree *t, const char *path, char *buf, size_t size)
{
        int n;

        while (*path == '/')
                path++;
        n = snprintf(buf, size, "%s/%s", t->root, path);
        ASSERT_TRUE(n > 0 && (size_t) n < size);
}

/* mkdir -p of the host directory p, from below the tree's root on. */
static inline void tree_mkdirs(const GuestTree *t, char *p)
{
        for (char *s = p + strlen(t->root) + 1; (s = strchr(s, '/')); s++) {
                *s = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        FAIL("mkdir %s: %m", p);
                *s = '/';
        }
}

/* The host path of path into buf (PATH_MAX bytes), its parent directories created. */
static inline void tree_prepare(const GuestTree *t, const char *path, char *buf)
{
        tree_path(t, path, buf, PATH_MAX);
        tree_mkdirs(t, buf);
}

/* Writes size bytes of data to path, creating parent directories. */
static inline void tree_file_n(const GuestTree *t, const char *path, const void *data, size_t size)
{
        char p[PATH_MAX];
        int fd;

        tree_prepare(t, path, p);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                FAIL("open %s: %m", p);
        ASSERT_EQ(write(fd, data, size), (ssize_t) size);
        ASSERT_EQ(close(fd), 0);
}

static inline void tree_file(const GuestTree *t, const char *path, const char *content)
{
        tree_file_n(t, path, content, strlen(content));
}

/* Writes size bytes, each of them c, to path: a file beyond a size cap. */
static inline void tree_file_filled(const GuestTree *t, const char *path, char c, size_t size)
{
        char *data = malloc(size);

        ASSERT_NOT_NULL(data);
        memset(data, c, size);
        tree_file_n(t, path, data, size);
        free(data);
}

/* mkdir -p path */
static inline void tree_dir(const GuestTree *t, const char *path)
{
        char p[PATH_MAX];

        tree_prepare(t, path, p);
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                FAIL("mkdir %s: %m", p);
}

/* A symlink at path to target (taken as is: absolute targets are resolved inside the guest). */
static inline void tree_link(const GuestTree *t, const char *path, const char *target)
{
        char p[PATH_MAX];

        tree_prepare(t, path, p);
        if (symlink(target, p) < 0)
                FAIL("symlink %s: %m", p);
}

/* (Re)opens the tree as the guest's root and gives it a fresh, empty inventory; what an earlier
 * call opened is freed. Skips the test where the kernel lacks openat2(). */
static inline void tree_open(GuestTree *t)
{
        GuestFs *fs = NULL;
        int r;

        t->inv = inventory_free(t->inv);
        t->guest = guest_free(t->guest);
        r = guest_dir_open(t->root, &fs);
        if (r == -ENOSYS)
                SKIP("the kernel lacks openat2()");
        ASSERT_OK(r);
        ASSERT_OK(guest_new(&t->guest));
        ASSERT_OK(guest_mount(t->guest, "/", fs));
        ASSERT_OK(inventory_new(&t->inv));
        t->ctx = (InspectContext){ .guest = t->guest, .inv = t->inv, .layout = t->layout };
}

/* Mounts the tree other at mountpoint of t's guest (after tree_open(t)). */
static inline void tree_mount(GuestTree *t, const GuestTree *other, const char *mountpoint)
{
        GuestFs *fs = NULL;

        ASSERT_NOT_NULL(t->guest);
        ASSERT_OK(guest_dir_open(other->root, &fs));
        ASSERT_OK(guest_mount(t->guest, mountpoint, fs));
}

/* tree_open() and runs fn, which must succeed. Returns the inventory (the tree owns it). */
static inline Inventory *tree_collect(GuestTree *t, CollectorFn fn)
{
        tree_open(t);
        ASSERT_OK(fn(&t->ctx));
        return t->inv;
}

static inline int tree_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(p) < 0 ? -errno : 0;
}

/* Frees the guest and the inventory and removes the directory. */
static inline void tree_free(GuestTree *t)
{
        t->inv = inventory_free(t->inv);
        t->guest = guest_free(t->guest);
        if (t->root)
                ASSERT_EQ(nftw(t->root, tree_rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
        t->root = mfree(t->root);
}

/* Appends the /var/lib/dpkg/status stanza of an installed package to *buf. */
static inline void status_append(char **buf, const char *name, const char *version, const char *arch)
{
        char *n;

        ASSERT_TRUE(asprintf(&n,
                             "%sPackage: %s\nStatus: install ok installed\nPriority: optional\n"
                             "Architecture: %s\nVersion: %s\n\n",
                             *buf ? *buf : "", name, arch, version) >= 0);
        free(*buf);
        *buf = n;
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

/* Number of findings with that key. */
static inline size_t count_findings(Inventory *inv, const char *key)
{
        size_t n = jlen(inv->findings, NULL), c = 0;

        for (size_t i = 0; i < n; i++)
                c += streq_ptr(json_get_str(json_object_array_get_idx(inv->findings, i), "key"), key);
        return c;
}

/* The first finding with that key, or NULL. */
static inline json_object *find_finding(Inventory *inv, const char *key)
{
        return jfind(inv->findings, "key", key);
}
