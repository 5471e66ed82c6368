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
#include "json-fixture.h"
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

/* Number of findings with that key. */
static inline size_t count_findings(Inventory *inv, const char *key)
{
        return jcount(inv->findings, "key", key);
}

/* The first finding with that key, or NULL. */
static inline json_object *find_finding(Inventory *inv, const char *key)
{
        return jfind(inv->findings, "key", key);
}
