/* SPDX-License-Identifier: MIT */
#pragma once

/* A tree listing over a Guest, for tests that compare trees written by different backends (or
 * before and after a conversion, a rollback): one line per entry below a directory, sorted by
 * path:
 *     <relative path> <type> <mode> <uid>:<gid> [m<mtime>] <size>:<crc32 of the content> [-> <target>]
 *     {<xattr name>=<crc32 of the value>/<size>,...}
 * Directories have no size or content; symlinks their target instead of content. The digest is
 * the FNV-1a hash of the listing. Header-only: include it in one test file each. */

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "disk/guest.h"

enum {
        TREE_HASH_MTIME = 1 << 0,    /* include mtimes (directories' too) */
        TREE_HASH_NO_OWNER = 1 << 1, /* leave owners out */
        TREE_HASH_NO_XATTRS = 1 << 2,
};

typedef struct TreeHashBuf {
        char *s;
        size_t n, cap;
} TreeHashBuf;

static inline int tree_hash_append(TreeHashBuf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static inline int tree_hash_append(TreeHashBuf *b, const char *fmt, ...)
{
        for (;;) {
                va_list ap;
                int k;

                va_start(ap, fmt);
                k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
                va_end(ap);
                if (k < 0)
                        return -EINVAL;
                if (b->s && b->n + (size_t) k < b->cap) {
                        b->n += (size_t) k;
                        return 0;
                }
                {
                        size_t cap = (b->cap + (size_t) k + 1) * 2;
                        char *s = realloc(b->s, cap);
                        if (!s)
                                return -ENOMEM;
                        b->s = s;
                        b->cap = cap;
                        if (b->n == 0)
                                s[0] = 0;
                }
        }
}

static inline int tree_hash_content(Guest *g, const char *path, uint64_t size, uint32_t *ret)
{
        static char buf[64 * 1024];
        uLong crc = crc32(0L, Z_NULL, 0);
        uint64_t off = 0;

        while (off < size) {
                size_t n = 0;
                int r = guest_pread(g, path, off, sizeof(buf), buf, &n);
                if (r < 0)
                        return r;
                if (n == 0)
                        return -EIO; /* shorter than its size */
                crc = crc32(crc, (const Bytef *) buf, (uInt) n);
                off += n;
        }
        *ret = (uint32_t) crc;
        return 0;
}

static inline int tree_hash_walk(Guest *g, const char *root, const char *rel, unsigned flags, TreeHashBuf *b,
                                 int depth)
{
        char path[2 * GUEST_PATH_MAX + 2];
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        if (depth > 256)
                return -ELOOP;
        if (!*rel)
                snprintf(path, sizeof(path), "%s", root);
        else
                snprintf(path, sizeof(path), "%s/%s", streq(root, "/") ? "" : root, rel);
        r = guest_read_dir(g, path, &e, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                char child[3 * GUEST_PATH_MAX + 4], crel[2 * GUEST_PATH_MAX + 2];
                GuestXattr *x = NULL;
                size_t nx = 0;
                GuestStat st;

                snprintf(crel, sizeof(crel), "%s%s%s", rel, *rel ? "/" : "", e[i].name);
                snprintf(child, sizeof(child), "%s/%s", streq(root, "/") ? "" : root, crel);
                r = guest_lstat(g, child, &st);
                if (r < 0)
                        break;
                r = tree_hash_append(b, "%s %s %04o", crel, guest_file_type_to_string(st.type), st.mode);
                if (r >= 0 && !(flags & TREE_HASH_NO_OWNER))
                        r = tree_hash_append(b, " %" PRIu32 ":%" PRIu32, st.uid, st.gid);
                if (r >= 0 && (flags & TREE_HASH_MTIME))
                        r = tree_hash_append(b, " m%" PRId64, st.mtime);
                if (r >= 0 && st.type == GUEST_FILE_REGULAR) {
                        uint32_t crc = 0;
                        r = tree_hash_content(g, child, st.size, &crc);
                        if (r >= 0)
                                r = tree_hash_append(b, " %" PRIu64 ":%08" PRIx32, st.size, crc);
                } else if (r >= 0 && st.type == GUEST_FILE_SYMLINK) {
                        char *target = NULL;
                        r = guest_readlink(g, child, &target);
                        if (r >= 0)
                                r = tree_hash_append(b, " -> %s", target);
                        free(target);
                }
                if (r >= 0 && !(flags & TREE_HASH_NO_XATTRS)) {
                        r = guest_lxattrs(g, child, &x, &nx);
                        if (r == -EOPNOTSUPP)
                                r = tree_hash_append(b, " {?}");
                        else if (r >= 0) {
                                r = tree_hash_append(b, " {");
                                for (size_t j = 0; j < nx && r >= 0; j++)
                                        r = tree_hash_append(
                                                b, "%s%s=%08lx/%zu", j ? "," : "", x[j].name,
                                                crc32(0L, (const Bytef *) x[j].value, (uInt) x[j].size),
                                                x[j].size);
                                if (r >= 0)
                                        r = tree_hash_append(b, "}");
                                guest_xattrs_free(x, nx);
                        }
                }
                if (r >= 0)
                        r = tree_hash_append(b, "\n");
                if (r >= 0 && st.type == GUEST_FILE_DIRECTORY)
                        r = tree_hash_walk(g, root, crel, flags, b, depth + 1);
        }
        guest_dir_entries_free(e, n);
        return r;
}

/* Lists the tree below directory root of g (root itself excluded): *ret_listing (optional) gets
 * the text, *ret_digest (optional) its FNV-1a hash. */
static inline int tree_hash(Guest *g, const char *root, unsigned flags, char **ret_listing,
                            uint64_t *ret_digest)
{
        TreeHashBuf b = {};
        uint64_t h = 1469598103934665603ULL;
        int r;

        r = tree_hash_append(&b, "%s", "");
        if (r >= 0)
                r = tree_hash_walk(g, root, "", flags, &b, 0);
        if (r < 0) {
                free(b.s);
                return r;
        }
        for (size_t i = 0; i < b.n; i++) {
                h ^= (unsigned char) b.s[i];
                h *= 1099511628211ULL;
        }
        if (ret_digest)
                *ret_digest = h;
        if (ret_listing)
                *ret_listing = b.s;
        else
                free(b.s);
        return 0;
}

/* The same over a GuestFs (borrowed: it stays the caller's), in a Guest of its own. */
static inline int tree_hash_fs(GuestFs *fs, const char *root, unsigned flags, char **ret_listing,
                               uint64_t *ret_digest)
{
        Guest *g = NULL;
        GuestFs *proxy = NULL;
        int r;

        r = guest_new(&g);
        if (r < 0)
                return r;
        r = guest_fs_borrow(fs, &proxy);
        if (r >= 0)
                r = guest_mount(g, "/", proxy);
        if (r >= 0)
                r = tree_hash(g, root, flags, ret_listing, ret_digest);
        guest_free(g);
        return r;
}
