/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/path-util.h"
#include "shared/string-util.h"
#include "copy.h"

#define COPY_CHUNK (1u << 20)

int copy_exists(GuestWriter *w, const char *path)
{
        GuestFs *fs = guest_writer_fs(w);
        GuestStat st;
        int r = fs->ops->lstat(fs, path, &st);

        if (r == -ENOENT)
                return 0;
        return r < 0 ? r : 1;
}

int copy_writer_view(GuestWriter *w, Guest **ret)
{
        _cleanup_(guest_freep) Guest *g = NULL;
        GuestFs *fs = NULL;
        int r;

        r = guest_fs_borrow(guest_writer_fs(w), &fs);
        if (r < 0)
                return r;
        r = guest_new(&g);
        if (r < 0) {
                guest_fs_free(fs);
                return r;
        }
        r = guest_mount(g, "/", fs);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(g);
        return 0;
}

int copy_mkdir_p(GuestWriter *w, const char *path)
{
        GuestFs *fs = guest_writer_fs(w);
        char buf[GUEST_PATH_MAX + 1];
        size_t len = strlen(path);

        if (path[0] != '/' || len > GUEST_PATH_MAX)
                return -EINVAL;
        memcpy(buf, path, len + 1);
        for (char *p = buf + 1;; p++) {
                char c = *p;
                GuestStat st;
                int r;

                if (c != '/' && c != 0)
                        continue;
                *p = 0;
                r = fs->ops->lstat(fs, buf, &st);
                if (r == -ENOENT)
                        r = guest_writer_mkdir(w, buf, 0755, 0, 0);
                else if (r >= 0 && st.type != GUEST_FILE_DIRECTORY)
                        r = -ENOTDIR;
                if (r < 0)
                        return r;
                *p = c;
                if (c == 0)
                        return 0;
        }
}

int copy_mkdir_parent(GuestWriter *w, const char *path)
{
        _cleanup_free_ char *parent = strdup(path);
        char *slash;

        if (!parent)
                return -ENOMEM;
        slash = strrchr(parent, '/');
        if (!slash || slash == parent)
                return 0;
        *slash = 0;
        return copy_mkdir_p(w, parent);
}

int copy_write_text(GuestWriter *w, const char *path, const char *text, uint32_t mode)
{
        int r = copy_mkdir_parent(w, path);

        if (r < 0)
                return r;
        return guest_writer_write_file(w, path, text, strlen(text), mode, 0, 0, GUEST_WRITER_KEEP_TIME);
}

static int copy_xattrs(Guest *g, const char *from, GuestWriter *w, const char *to)
{
        GuestXattr *x = NULL;
        size_t n = 0;
        int r;

        r = guest_lxattrs(g, from, &x, &n);
        if (r == -EOPNOTSUPP)
                return 0;
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                r = guest_writer_set_xattr(w, to, x[i].name, x[i].value, x[i].size);
                if (r == -EOPNOTSUPP) /* FAT: nothing to keep */
                        r = 0;
        }
        guest_xattrs_free(x, n);
        return r;
}

static int copy_file(Guest *g, const char *from, const GuestStat *st, GuestWriter *w, const char *to)
{
        _cleanup_free_ char *buf = NULL;
        GuestWriterFile *f = NULL;
        uint64_t off = 0;
        int r;

        if (st->size > COPY_FILE_MAX)
                return -EFBIG;
        buf = malloc(COPY_CHUNK);
        if (!buf)
                return -ENOMEM;
        r = guest_writer_file_open(w, to, st->mode, st->uid, st->gid, &f);
        if (r < 0)
                return r;
        while (off < st->size) {
                size_t n = 0;
                r = guest_pread(g, from, off, (size_t) MIN((uint64_t) COPY_CHUNK, st->size - off), buf, &n);
                if (r >= 0 && n == 0)
                        r = -EIO; /* shorter than it said */
                if (r >= 0)
                        r = guest_writer_file_write(f, buf, n);
                if (r < 0) {
                        guest_writer_file_abort(f);
                        return r;
                }
                off += n;
        }
        r = guest_writer_file_close(f, st->mtime);
        if (r < 0)
                return r;
        return copy_xattrs(g, from, w, to);
}

static int64_t copy_entry(Guest *g, const char *from, GuestWriter *w, const char *to, unsigned depth,
                          uint64_t *budget)
{
        GuestStat st;
        int64_t total = 1;
        int r;

        if (*budget == 0)
                return -E2BIG;
        (*budget)--;
        r = guest_lstat(g, from, &st);
        if (r < 0)
                return r;
        switch (st.type) {
        case GUEST_FILE_REGULAR:
                r = copy_file(g, from, &st, w, to);
                return r < 0 ? r : 1;
        case GUEST_FILE_SYMLINK: {
                _cleanup_free_ char *target = NULL;
                r = guest_readlink(g, from, &target);
                if (r < 0)
                        return r;
                if (copy_exists(w, to) > 0 && (r = guest_writer_remove(w, to)) < 0)
                        return r;
                r = guest_writer_symlink(w, to, target, st.uid, st.gid);
                return r < 0 ? r : 1;
        }
        case GUEST_FILE_DIRECTORY: {
                GuestDirEntry *e = NULL;
                size_t n = 0;

                if (depth >= COPY_TREE_DEPTH_MAX)
                        return -ELOOP;
                r = copy_exists(w, to);
                if (r == 0)
                        r = guest_writer_mkdir(w, to, st.mode, st.uid, st.gid);
                if (r < 0)
                        return r;
                r = guest_read_dir(g, from, &e, &n);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *cf = path_join(from, e[i].name), *ct = path_join(to, e[i].name);
                        int64_t k;

                        if (!cf || !ct) {
                                guest_dir_entries_free(e, n);
                                return -ENOMEM;
                        }
                        k = copy_entry(g, cf, w, ct, depth + 1, budget);
                        if (k < 0) {
                                guest_dir_entries_free(e, n);
                                return k;
                        }
                        total += k;
                }
                guest_dir_entries_free(e, n);
                /* Metadata last, so that creating the children did not change the mtime. */
                r = guest_writer_set_meta(w, to, st.mode, st.uid, st.gid, st.mtime);
                if (r >= 0)
                        r = copy_xattrs(g, from, w, to);
                return r < 0 ? r : total;
        }
        default:
                return 0; /* devices, fifos, sockets are not configuration */
        }
}

int64_t copy_tree(Guest *g, const char *from, GuestWriter *w, const char *to)
{
        uint64_t budget = COPY_TREE_ENTRIES_MAX;

        return copy_entry(g, from, w, to, 0, &budget);
}
