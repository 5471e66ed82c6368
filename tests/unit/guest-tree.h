/* SPDX-License-Identifier: MIT */
#pragma once

/* Helpers for collector tests: build a guest tree under a temporary directory, open it as a Guest
 * with the directory backend, and give the collectors an empty Inventory. */

#define _XOPEN_SOURCE_EXTENDED 1
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/guest-dir.h"
#include "disk/guest.h"
#include "inspect/collect.h"
#include "inspect/inventory.h"
#include "tests.h"

typedef struct GuestTree {
        char root[64];
        Guest *guest;
        Inventory *inv;
        InspectContext ctx;
} GuestTree;

static inline void tree_mkdirs(const char *path)
{
        char p[PATH_MAX];

        snprintf(p, sizeof(p), "%s", path);
        for (char *s = p + 1; *s; s++)
                if (*s == '/') {
                        *s = 0;
                        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                                FAIL("mkdir %s: %s", p, strerror(errno));
                        *s = '/';
                }
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                FAIL("mkdir %s: %s", p, strerror(errno));
}

static inline void tree_parent(const GuestTree *t, const char *rel, char *p, size_t n)
{
        char *slash;

        snprintf(p, n, "%s/%s", t->root, rel);
        slash = strrchr(p, '/');
        *slash = 0;
        tree_mkdirs(p);
        *slash = '/';
}

static inline void tree_file_n(const GuestTree *t, const char *rel, const void *data, size_t len)
{
        char p[PATH_MAX];
        int fd;

        tree_parent(t, rel, p, sizeof(p));
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                FAIL("open %s: %s", p, strerror(errno));
        ASSERT_EQ(write(fd, data, len), (ssize_t) len);
        close(fd);
}

static inline void tree_file(const GuestTree *t, const char *rel, const char *content)
{
        tree_file_n(t, rel, content, strlen(content));
}

static inline void tree_dir(const GuestTree *t, const char *rel)
{
        char p[PATH_MAX];

        snprintf(p, sizeof(p), "%s/%s", t->root, rel);
        tree_mkdirs(p);
}

static inline void tree_link(const GuestTree *t, const char *rel, const char *target)
{
        char p[PATH_MAX];

        tree_parent(t, rel, p, sizeof(p));
        if (symlink(target, p) < 0)
                FAIL("symlink %s: %s", p, strerror(errno));
}

static inline void tree_host_path(const GuestTree *t, const char *rel, char *p, size_t n)
{
        snprintf(p, n, "%s/%s", t->root, rel);
}

static inline void tree_new(GuestTree *t)
{
        *t = (GuestTree){};
        snprintf(t->root, sizeof(t->root), "/tmp/azlm-collect-XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(t->root));
}

/* Opens the tree as the guest's root and makes an empty inventory. */
static inline void tree_open(GuestTree *t)
{
        GuestFs *fs = NULL;

        ASSERT_OK(guest_dir_open(t->root, &fs));
        ASSERT_OK(guest_new(&t->guest));
        ASSERT_OK(guest_mount(t->guest, "/", fs));
        ASSERT_OK(inventory_new(&t->inv));
        t->ctx = (InspectContext){ .guest = t->guest, .inv = t->inv, .layout = NULL };
}

static inline int tree_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(p) < 0 ? -errno : 0;
}

static inline void tree_free(GuestTree *t)
{
        t->inv = inventory_free(t->inv);
        t->guest = guest_free(t->guest);
        if (t->root[0])
                ASSERT_OK(nftw(t->root, tree_rm_one, 16, FTW_DEPTH | FTW_PHYS));
}

/* A /var/lib/dpkg/status stanza of an installed package. */
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
