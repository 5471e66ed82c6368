/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "exec-fs.h"
#include "fault.h"
#include "shared/fd-util.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "undo.h"

#define OPS_SIZE_MAX    (512u * 1024u * 1024u)
#define XATTR_LIST_MAX_ (64u * 1024u)
#define XATTR_VALUE_MAX (64u * 1024u)

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free);

static inline void archive_read_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

typedef enum Level {
        LEVEL_NONE,
        LEVEL_META, /* mode, owner, times, xattrs */
        LEVEL_FULL, /* everything, or "absent" */
} Level;

struct Undo {
        int root_fd;
        int dir_fd;
        int ops_fd;
        int tar_fd;
        struct archive *tar;
        uint64_t tar_offset; /* bytes written to preimages.tar so far */
        int tar_error;
        uint64_t seq;
        json_object *seen;    /* path -> Level captured in this checkpoint (since the last rename) */
        json_object *created; /* directories this checkpoint created (since the last rename) */
};

/* Confined access to the root (openat_in_root()). */

/* A canonical absolute guest path other than "/": no empty, "." or ".." component, no trailing
 * slash. */
static bool path_ok(const char *p)
{
        if (!p || p[0] != '/' || !p[1] || strlen(p) >= PATH_MAX)
                return false;
        for (const char *c = p; *c;) {
                const char *n;
                size_t len;
                c++; /* past '/' */
                n = strchrnul(c, '/');
                len = (size_t) (n - c);
                if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c = n;
        }
        return true;
}

/* Opens the parent directory of path (O_RDONLY: futimens() and fsync() work on it) and returns
 * the last component. */
static int open_parent(int root_fd, const char *path, const char **ret_name)
{
        _cleanup_free_ char *dir = NULL;
        const char *base = path_basename(path);

        if (base == path + 1)
                dir = strdup(".");
        else
                dir = strndup(path + 1, (size_t) (base - path - 2));
        if (!dir)
                return -ENOMEM;
        *ret_name = base;
        return openat_in_root(root_fd, dir, O_RDONLY | O_DIRECTORY, 0);
}

static int parent_of(const char *path, char **ret)
{
        const char *base = path_basename(path);

        *ret = base == path + 1 ? strdup("/") : strndup(path, (size_t) (base - path - 1));
        return *ret ? 0 : -ENOMEM;
}

static void proc_path(char buf[static 4200], int dfd, const char *name)
{
        snprintf(buf, 4200, "/proc/self/fd/%d/%s", dfd, name);
}

/* The xattrs of name in the directory dfd, not following a symlink. */
static int xattrs_read(int dfd, const char *name, struct archive_entry *e)
{
        char p[4200];
        _cleanup_free_ char *list = NULL, *val = NULL;
        ssize_t n;

        proc_path(p, dfd, name);
        list = malloc(XATTR_LIST_MAX_);
        val = malloc(XATTR_VALUE_MAX);
        if (!list || !val)
                return -ENOMEM;
        n = llistxattr(p, list, XATTR_LIST_MAX_);
        if (n < 0)
                return errno == ENOTSUP ? 0 : -errno;
        for (ssize_t i = 0; i < n; i += (ssize_t) strlen(list + i) + 1) {
                ssize_t k = lgetxattr(p, list + i, val, XATTR_VALUE_MAX);
                if (k < 0) {
                        if (errno == ENODATA)
                                continue;
                        return -errno;
                }
                archive_entry_xattr_add_entry(e, list + i, val, (size_t) k);
        }
        return 0;
}

/* Makes the xattrs of name exactly those of e. */
static int xattrs_apply(int dfd, const char *name, struct archive_entry *e)
{
        char p[4200];
        _cleanup_free_ char *list = NULL;
        ssize_t n;
        const char *xn;
        const void *xv;
        size_t xs;

        proc_path(p, dfd, name);
        list = malloc(XATTR_LIST_MAX_);
        if (!list)
                return -ENOMEM;
        n = llistxattr(p, list, XATTR_LIST_MAX_);
        if (n < 0 && errno != ENOTSUP)
                return -errno;
        for (ssize_t i = 0; i < n; i += (ssize_t) strlen(list + i) + 1) {
                bool keep = false;
                archive_entry_xattr_reset(e);
                while (archive_entry_xattr_next(e, &xn, &xv, &xs) == ARCHIVE_OK)
                        if (streq(xn, list + i))
                                keep = true;
                if (!keep && lremovexattr(p, list + i) < 0 && errno != ENODATA)
                        return -errno;
        }
        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &xn, &xv, &xs) == ARCHIVE_OK)
                if (lsetxattr(p, xn, xv, xs, 0) < 0)
                        return -errno;
        return 0;
}

/* Recording. */

static la_ssize_t tar_write_cb(struct archive *a, void *ud, const void *buf, size_t n)
{
        Undo *u = ud;
        int r;

        r = write_full(u->tar_fd, buf, n);
        if (r < 0) {
                u->tar_error = r;
                archive_set_error(a, -r, "write: %m");
                return -1;
        }
        u->tar_offset += n;
        return (ssize_t) n;
}

Undo *undo_free(Undo *u)
{
        if (!u)
                return NULL;
        if (u->tar)
                archive_write_free(u->tar); /* closes: the end-of-archive blocks are written */
        safe_close(u->root_fd);
        safe_close(u->dir_fd);
        safe_close(u->ops_fd);
        safe_close(u->tar_fd);
        json_object_put(u->seen);
        json_object_put(u->created);
        free(u);
        return NULL;
}

int undo_begin(const char *dir, const char *root, Undo **ret)
{
        _cleanup_(undo_freep) Undo *u = NULL;
        _cleanup_free_ char *parent = NULL;
        const char *base;
        int r;

        u = calloc(1, sizeof(Undo));
        if (!u)
                return -ENOMEM;
        u->root_fd = u->dir_fd = u->ops_fd = u->tar_fd = -EBADF;
        u->seen = json_object_new_object();
        u->created = json_object_new_object();
        if (!u->seen || !u->created)
                return -ENOMEM;
        u->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (u->root_fd < 0)
                return -errno;
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        u->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (u->dir_fd < 0)
                return -errno;
        if (faccessat(u->dir_fd, UNDO_OPS, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return -EEXIST;
        (void) unlinkat(u->dir_fd, UNDO_REPLAYED, 0);
        u->tar_fd =
                openat(u->dir_fd, UNDO_ARCHIVE, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (u->tar_fd < 0)
                return -errno;
        u->ops_fd =
                openat(u->dir_fd, UNDO_OPS, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (u->ops_fd < 0)
                return -errno;
        if (fsync(u->tar_fd) < 0 || fsync(u->ops_fd) < 0 || fsync(u->dir_fd) < 0)
                return -errno;
        parent = strdup(dir);
        if (!parent)
                return -ENOMEM;
        base = path_basename(parent);
        if (base != parent) {
                parent[base - parent] = 0;
                r = fsync_dir_path(parent);
                if (r < 0)
                        return r;
        }

        u->tar = archive_write_new();
        if (!u->tar)
                return -ENOMEM;
        /* Full pax (not restricted): nanosecond times in every member. Unblocked: every byte
         * reaches the file when written, so that an fsync after each member makes it durable and
         * its offset is known. */
        if (archive_write_set_format_pax(u->tar) != ARCHIVE_OK ||
            archive_write_add_filter_none(u->tar) != ARCHIVE_OK ||
            archive_write_set_bytes_per_block(u->tar, 0) != ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(u->tar, 1) != ARCHIVE_OK ||
            archive_write_open2(u->tar, u, NULL, tar_write_cb, NULL, NULL) != ARCHIVE_OK)
                return -EIO;
        *ret = TAKE_PTR(u);
        return 0;
}

int undo_end(Undo *u)
{
        int r = 0;

        if (!u)
                return 0;
        if (archive_write_close(u->tar) != ARCHIVE_OK)
                r = u->tar_error ?: -EIO;
        if (r == 0 && fsync(u->tar_fd) < 0)
                r = -errno;
        if (r == 0 && fsync(u->ops_fd) < 0)
                r = -errno;
        undo_free(u);
        return r;
}

uint64_t undo_ops(const Undo *u)
{
        return u ? u->seq : 0;
}

static bool under_created(Undo *u, const char *path)
{
        char buf[PATH_MAX];
        size_t n = strlen(path);

        if (n >= sizeof buf)
                return false;
        memcpy(buf, path, n + 1);
        for (char *s = strrchr(buf, '/'); s && s != buf; s = strrchr(buf, '/')) {
                *s = 0;
                if (json_object_object_get_ex(u->created, buf, NULL))
                        return true;
        }
        return false;
}

static Level seen_level(Undo *u, const char *path)
{
        json_object *v;

        if (!json_object_object_get_ex(u->seen, path, &v))
                return LEVEL_NONE;
        return (Level) json_object_get_int(v);
}

static int set_seen(Undo *u, const char *path, Level l)
{
        return json_add_int(u->seen, path, l);
}

/* [[dir, sec, nsec]] for the parent of path (with the mtime it has now). */
static int add_parent(Undo *u, json_object *parents, const char *path)
{
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *name;
        struct stat st;
        json_object *e;
        int r;

        r = parent_of(path, &dir);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(parents); i++)
                if (streq_ptr(json_object_get_string(
                                      json_object_array_get_idx(json_object_array_get_idx(parents, i), 0)),
                              dir))
                        return 0;
        fd = open_parent(u->root_fd, path, &name);
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return -errno;
        e = json_object_new_array();
        if (json_append(parents, e) < 0 || !e || json_append(e, json_object_new_string(dir)) < 0 ||
            json_append(e, json_object_new_int64(st.st_mtim.tv_sec)) < 0 ||
            json_append(e, json_object_new_int64(st.st_mtim.tv_nsec)) < 0)
                return -ENOMEM;
        return 0;
}

/* Appends rec (numbered u->seq + 1 by new_record()) to ops.jsonl, durably, and counts it. */
static int append_record(Undo *u, json_object *rec)
{
        _cleanup_free_ char *line = NULL;
        const char *s;
        int r;

        s = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s || asprintf(&line, "%s\n", s) < 0)
                return -ENOMEM;
        r = write_full(u->ops_fd, line, strlen(line));
        if (r < 0)
                return r;
        if (fdatasync(u->ops_fd) < 0)
                return -errno;
        u->seq++;
        return 0;
}

/* Paths go into the journal byte for byte (json-c writes and reads bytes that are not UTF-8 as
 * they are): a guest's file names need not be UTF-8, and json_add_str() would change them. */
static int add_path(json_object *rec, const char *key, const char *path)
{
        return json_add(rec, key, json_object_new_string(path));
}

static json_object *new_record(Undo *u, const char *op, GuestWriteOp forward)
{
        json_object *rec = json_object_new_object();

        if (!rec)
                return NULL;
        if (json_add_int(rec, "seq", (int64_t) u->seq + 1) < 0 || json_add_str(rec, "op", op) < 0 ||
            json_add_str(rec, "forward", guest_write_op_to_string(forward)) < 0 ||
            json_add(rec, "parents", json_object_new_array()) < 0) {
                json_object_put(rec);
                return NULL;
        }
        return rec;
}

/* Writes the pre-image of name (in dfd, whose guest path is path) as one member; returns its
 * offset. */
static int write_preimage(Undo *u, int dfd, const char *name, const struct stat *st, Level level,
                          uint64_t *ret_at)
{
        _cleanup_(archive_entry_freep) struct archive_entry *e = NULL;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *member = NULL, *target = NULL;
        uint64_t at = u->tar_offset;
        int r;

        e = archive_entry_new();
        if (!e || asprintf(&member, "preimage-%06" PRIu64, u->seq + 1) < 0)
                return -ENOMEM;
        archive_entry_set_pathname(e, member);
        archive_entry_set_mode(e, st->st_mode);
        archive_entry_set_uid(e, st->st_uid);
        archive_entry_set_gid(e, st->st_gid);
        archive_entry_set_mtime(e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
        archive_entry_set_atime(e, st->st_atim.tv_sec, st->st_atim.tv_nsec);
        archive_entry_set_size(e, 0);
        if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
                archive_entry_set_rdev(e, st->st_rdev);
        if (S_ISLNK(st->st_mode)) {
                target = malloc(PATH_MAX);
                if (!target)
                        return -ENOMEM;
                ssize_t k = readlinkat(dfd, name, target, PATH_MAX - 1);
                if (k < 0)
                        return -errno;
                target[k] = 0;
                archive_entry_set_symlink(e, target);
        }
        if (S_ISREG(st->st_mode) && level == LEVEL_FULL) {
                struct stat st2;
                fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                if (fstat(fd, &st2) < 0)
                        return -errno;
                if (st2.st_ino != st->st_ino || st2.st_dev != st->st_dev)
                        return -ESTALE;
                archive_entry_set_size(e, st2.st_size);
        }
        r = xattrs_read(dfd, name, e);
        if (r < 0)
                return r;

        if (archive_write_header(u->tar, e) != ARCHIVE_OK)
                return u->tar_error ?: -EIO;
        if (fd >= 0) {
                char buf[65536];
                int64_t left = archive_entry_size(e);
                while (left > 0) {
                        ssize_t k = read(fd, buf, (size_t) MIN((int64_t) sizeof buf, left));
                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                return -errno;
                        }
                        if (k == 0)
                                return -ESTALE; /* shrank while read */
                        if (archive_write_data(u->tar, buf, (size_t) k) != k)
                                return u->tar_error ?: -EIO;
                        left -= k;
                }
        }
        if (archive_write_finish_entry(u->tar) != ARCHIVE_OK)
                return u->tar_error ?: -EIO;
        if (fsync(u->tar_fd) < 0)
                return -errno;
        *ret_at = at;
        return 0;
}

static int dir_is_empty(int dfd, const char *name)
{
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d;
        struct dirent *de;
        int r = 1;

        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return -ENOMEM;
        }
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        r = 0;
                        break;
                }
        closedir(d);
        return r;
}

static int record_rename(Undo *u, const char *from, const char *to)
{
        _cleanup_json_ json_object *rec = NULL;
        int r;

        rec = new_record(u, "rename", GUEST_WRITE_RENAME);
        if (!rec || add_path(rec, "from", to) < 0 || add_path(rec, "to", from) < 0)
                return -ENOMEM;
        r = add_parent(u, json_get(rec, "parents"), from);
        if (r >= 0)
                r = add_parent(u, json_get(rec, "parents"), to);
        if (r < 0)
                return r;
        r = append_record(u, rec);
        if (r < 0)
                return r;
        /* What was learnt about paths no longer holds where they moved: start afresh. */
        json_object_put(u->seen);
        json_object_put(u->created);
        u->seen = json_object_new_object();
        u->created = json_object_new_object();
        return u->seen && u->created ? 0 : -ENOMEM;
}

int undo_record(Undo *u, GuestWriteOp op, const char *path, const char *path2)
{
        _cleanup_json_ json_object *rec = NULL;
        _cleanup_close_ int dfd = -EBADF;
        const char *name;
        struct stat st;
        Level level;
        uint64_t at;
        bool exists;
        int r;

        r = fault_fail("undo-record");
        if (r < 0)
                return r;
        if (!u || !path_ok(path) || op < 0 || op >= _GUEST_WRITE_OP_MAX)
                return -EINVAL;
        if (op == GUEST_WRITE_RENAME) {
                if (!path_ok(path2))
                        return -EINVAL;
                return record_rename(u, path, path2);
        }
        if (under_created(u, path))
                return 0;

        level = op == GUEST_WRITE_META || op == GUEST_WRITE_XATTR ? LEVEL_META : LEVEL_FULL;
        if (op != GUEST_WRITE_MKDIR && op != GUEST_WRITE_REMOVE && seen_level(u, path) >= level)
                return 0;

        dfd = open_parent(u->root_fd, path, &name);
        if (dfd < 0)
                return dfd;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT)
                        return -errno;
                exists = false;
        } else
                exists = true;

        if (op == GUEST_WRITE_REMOVE && exists && S_ISDIR(st.st_mode)) {
                r = dir_is_empty(dfd, name);
                if (r < 0)
                        return r;
                if (r == 0)
                        return -ENOTEMPTY;
        }
        if (op == GUEST_WRITE_REMOVE && seen_level(u, path) >= LEVEL_FULL)
                return 0;
        if (op == GUEST_WRITE_MKDIR && exists && seen_level(u, path) >= LEVEL_FULL)
                return 0; /* the writer fails with -EEXIST; nothing to undo */

        if (!exists) {
                rec = new_record(u, "remove", op);
                if (!rec || add_path(rec, "path", path) < 0)
                        return -ENOMEM;
        } else {
                if (S_ISDIR(st.st_mode))
                        level = LEVEL_FULL; /* a directory's pre-image is its metadata */
                r = write_preimage(u, dfd, name, &st, level, &at);
                if (r < 0)
                        return r;
                rec = new_record(u, level == LEVEL_FULL ? "restore" : "restore-meta", op);
                if (!rec || add_path(rec, "path", path) < 0 || json_add_int(rec, "at", (int64_t) at) < 0)
                        return -ENOMEM;
        }
        r = add_parent(u, json_get(rec, "parents"), path);
        if (r < 0)
                return r;
        r = append_record(u, rec);
        if (r < 0)
                return r;
        if (!exists && op == GUEST_WRITE_MKDIR && json_add_int(u->created, path, 1) < 0)
                return -ENOMEM;
        return set_seen(u, path, exists ? level : LEVEL_FULL);
}

/* Replay. */

typedef struct Record {
        uint64_t seq;
        json_object *o; /* borrowed from the parsed array */
} Record;

static int read_member(int tar_fd, uint64_t at, struct archive **ret_a, struct archive_entry **ret_e)
{
        _cleanup_(archive_read_freep) struct archive *a = NULL;
        struct archive_entry *e;
        int fd;

        fd = dup(tar_fd);
        if (fd < 0)
                return -errno;
        (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
        if (lseek(fd, (off_t) at, SEEK_SET) < 0) {
                int r = -errno;
                safe_close(fd);
                return r;
        }
        a = archive_read_new();
        if (!a) {
                safe_close(fd);
                return -ENOMEM;
        }
        if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
            archive_read_support_filter_none(a) != ARCHIVE_OK) {
                safe_close(fd);
                return -EIO;
        }
        /* archive_read_open_fd() does not take the descriptor: it is closed with the archive by
         * the close callback below. */
        if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
                safe_close(fd);
                return -EBADMSG;
        }
        if (archive_read_next_header(a, &e) != ARCHIVE_OK) {
                archive_read_free(TAKE_PTR(a));
                safe_close(fd);
                return -EBADMSG;
        }
        *ret_e = e;
        *ret_a = TAKE_PTR(a);
        return fd; /* the caller closes it after the archive */
}

static int set_times(int dfd, const char *name, struct archive_entry *e)
{
        struct timespec ts[2] = {
                { .tv_sec = archive_entry_atime(e), .tv_nsec = archive_entry_atime_nsec(e) },
                { .tv_sec = archive_entry_mtime(e), .tv_nsec = archive_entry_mtime_nsec(e) },
        };

        return utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/* Owner, mode (not for symlinks), xattrs, times: in that order (chown clears set-id bits and
 * file capabilities). */
static int apply_meta(int dfd, const char *name, struct archive_entry *e)
{
        mode_t mode = archive_entry_mode(e);
        int r;

        if (fchownat(dfd, name, (uid_t) archive_entry_uid(e), (gid_t) archive_entry_gid(e),
                     AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (!S_ISLNK(mode) && fchmodat(dfd, name, mode & 07777, 0) < 0)
                return -errno;
        r = xattrs_apply(dfd, name, e);
        if (r < 0)
                return r;
        return set_times(dfd, name, e);
}

static int restore_object(int dfd, const char *name, uint64_t seq, struct archive *a,
                          struct archive_entry *e, bool meta_only)
{
        char tmp[64];
        mode_t mode = archive_entry_mode(e);
        struct stat st;
        bool exists;
        int r;

        exists = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
        if (!exists && errno != ENOENT)
                return -errno;

        if (meta_only) {
                if (!exists)
                        return -ENOENT;
                if ((st.st_mode & S_IFMT) != (mode & S_IFMT))
                        return -EBADMSG;
                return apply_meta(dfd, name, e);
        }

        if (S_ISDIR(mode)) {
                if (exists && !S_ISDIR(st.st_mode)) {
                        if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
                                return -errno;
                        exists = false;
                }
                if (!exists && mkdirat(dfd, name, 0700) < 0 && errno != EEXIST)
                        return -errno;
                return apply_meta(dfd, name, e);
        }

        /* Everything else is built under a temporary name and renamed over whatever is there. */
        snprintf(tmp, sizeof tmp, ".azlmigrate-undo.%" PRIu64, seq);
        r = rm_rf_at(dfd, tmp);
        if (r < 0)
                return r;
        if (S_ISREG(mode)) {
                _cleanup_close_ int fd =
                        openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                const void *buf;
                size_t size;
                la_int64_t off;
                if (fd < 0)
                        return -errno;
                for (;;) {
                        int k = archive_read_data_block(a, &buf, &size, &off);
                        if (k == ARCHIVE_EOF)
                                break;
                        if (k != ARCHIVE_OK)
                                return -EBADMSG;
                        if (pwrite(fd, buf, size, off) != (ssize_t) size)
                                return errno ? -errno : -EIO;
                }
                if (ftruncate(fd, archive_entry_size(e)) < 0 || fsync(fd) < 0)
                        return -errno;
        } else if (S_ISLNK(mode)) {
                const char *target = archive_entry_symlink(e);
                if (!target)
                        return -EBADMSG;
                if (symlinkat(target, dfd, tmp) < 0)
                        return -errno;
        } else if (S_ISFIFO(mode) || S_ISCHR(mode) || S_ISBLK(mode) || S_ISSOCK(mode)) {
                if (mknodat(dfd, tmp, (mode & S_IFMT) | 0600, archive_entry_rdev(e)) < 0)
                        return -errno;
        } else
                return -EBADMSG;
        r = apply_meta(dfd, tmp, e);
        if (r < 0)
                return r;
        if (exists && S_ISDIR(st.st_mode)) {
                r = rm_rf_at(dfd, name);
                if (r < 0)
                        return r;
        }
        if (renameat(dfd, tmp, dfd, name) < 0)
                return -errno;
        return 0;
}

static int restore_parents(int root_fd, json_object *parents)
{
        for (size_t i = 0; i < json_object_array_length(parents); i++) {
                json_object *p = json_object_array_get_idx(parents, i);
                const char *dir = json_object_get_string(json_object_array_get_idx(p, 0));
                struct timespec ts[2] = {
                        { .tv_nsec = UTIME_OMIT },
                        { .tv_sec = json_object_get_int64(json_object_array_get_idx(p, 1)),
                          .tv_nsec = json_object_get_int64(json_object_array_get_idx(p, 2)) },
                };
                int fd;

                if (!dir || dir[0] != '/' || json_object_array_length(p) != 3 || ts[1].tv_nsec < 0 ||
                    ts[1].tv_nsec >= 1000000000L)
                        return -EBADMSG;
                fd = openat_in_root(root_fd, streq(dir, "/") ? "." : dir + 1, O_RDONLY | O_DIRECTORY, 0);
                if (fd == -ENOENT)
                        continue; /* removed with a tree an earlier inverse removed */
                if (fd < 0)
                        return fd;
                if (futimens(fd, ts) < 0) {
                        int r = -errno;
                        safe_close(fd);
                        return r;
                }
                safe_close(fd);
        }
        return 0;
}

static int apply_inverse(int root_fd, int tar_fd, const Record *rec)
{
        const char *op = json_get_str(rec->o, "op");
        _cleanup_close_ int dfd = -EBADF;
        const char *name;
        int r;

        r = fault_fail("undo-replay");
        if (r < 0)
                return r;
        if (!op)
                return -EBADMSG;
        if (streq(op, "rename")) {
                const char *from = json_get_str(rec->o, "from"), *to = json_get_str(rec->o, "to"), *fn, *tn;
                _cleanup_close_ int ffd = -EBADF, tfd = -EBADF;
                struct stat st;
                bool fe, te;
                if (!path_ok(from) || !path_ok(to))
                        return -EBADMSG;
                ffd = open_parent(root_fd, from, &fn);
                tfd = open_parent(root_fd, to, &tn);
                if (tfd < 0)
                        return tfd;
                fe = ffd >= 0 && fstatat(ffd, fn, &st, AT_SYMLINK_NOFOLLOW) == 0;
                te = fstatat(tfd, tn, &st, AT_SYMLINK_NOFOLLOW) == 0;
                if (fe && !te) {
                        if (renameat(ffd, fn, tfd, tn) < 0)
                                return -errno;
                } else if (!(te && !fe))
                        return fe ? -EEXIST : -ENOENT; /* both, or neither: not ours to guess */
        } else {
                const char *path = json_get_str(rec->o, "path");
                if (!path_ok(path))
                        return -EBADMSG;
                dfd = open_parent(root_fd, path, &name);
                if (dfd < 0)
                        return dfd;
                if (streq(op, "remove")) {
                        r = rm_rf_at(dfd, name);
                        if (r < 0)
                                return r;
                } else if (streq(op, "restore") || streq(op, "restore-meta")) {
                        struct archive *a = NULL;
                        struct archive_entry *e = NULL;
                        int64_t at = json_get_int(rec->o, "at", -1);
                        int afd;
                        if (at < 0)
                                return -EBADMSG;
                        afd = read_member(tar_fd, (uint64_t) at, &a, &e);
                        if (afd < 0)
                                return afd;
                        r = restore_object(dfd, name, rec->seq, a, e, streq(op, "restore-meta"));
                        archive_read_free(a);
                        safe_close(afd);
                        if (r < 0)
                                return r;
                } else
                        return -EBADMSG;
        }
        return restore_parents(root_fd, json_get(rec->o, "parents"));
}

/* Parses ops.jsonl. A torn last line (the process died while appending it, so its change was
 * never made) is dropped; a bad line before the last is an error. */
static int load_records(int dir_fd, json_object **ret_arr)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_json_ json_object *arr = json_object_new_array();
        _cleanup_close_ int fd = -EBADF;
        const char *line;
        size_t size, len;
        uint64_t last = 0;
        int r;

        if (!arr)
                return -ENOMEM;
        fd = openat(dir_fd, UNDO_OPS, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                if (errno != ENOENT)
                        return -errno;
                *ret_arr = TAKE_PTR(arr);
                return 0;
        }
        r = read_full_fd_capped(fd, OPS_SIZE_MAX, &buf, &size);
        if (r < 0)
                return r;
        LineIter it = line_iter_init(buf, size);
        while (line_iter_next(&it, &line, &len)) {
                bool complete = line + len < buf + size; /* a newline follows */
                bool is_last = line + len + (complete ? 1 : 0) >= buf + size;
                json_object *o = complete ? json_tokener_parse(strndupa(line, len)) : NULL;
                int64_t seq = o ? json_get_int(o, "seq", -1) : -1;

                if (!o || seq != (int64_t) last + 1) {
                        json_object_put(o);
                        if (is_last)
                                break;
                        return -EBADMSG;
                }
                last = (uint64_t) seq;
                if (json_append(arr, o) < 0)
                        return -ENOMEM;
        }
        *ret_arr = TAKE_PTR(arr);
        return 0;
}

static int load_replayed(int dir_fd, uint64_t n, bool **ret)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_free_ bool *done = calloc(n + 1, sizeof(bool));
        _cleanup_close_ int fd = -EBADF;
        const char *line;
        size_t size, len;
        int r;

        if (!done)
                return -ENOMEM;
        fd = openat(dir_fd, UNDO_REPLAYED, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
                r = read_full_fd_capped(fd, OPS_SIZE_MAX, &buf, &size);
                if (r < 0)
                        return r;
                LineIter it = line_iter_init(buf, size);
                while (line_iter_next(&it, &line, &len)) {
                        char *end;
                        unsigned long long v;
                        if (line + len >= buf + size)
                                break; /* torn */
                        errno = 0;
                        v = strtoull(strndupa(line, len), &end, 10);
                        if (errno == 0 && *end == 0 && v >= 1 && v <= n)
                                done[v] = true;
                }
        } else if (errno != ENOENT)
                return -errno;
        *ret = TAKE_PTR(done);
        return 0;
}

int undo_replay(const char *dir, const char *root, unsigned *counter)
{
        _cleanup_close_ int dir_fd = -EBADF, root_fd = -EBADF, tar_fd = -EBADF, log_fd = -EBADF;
        _cleanup_json_ json_object *arr = NULL;
        _cleanup_free_ bool *done = NULL;
        size_t n;
        int r;

        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd < 0)
                return errno == ENOENT ? 0 : -errno;
        root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return -errno;
        r = load_records(dir_fd, &arr);
        if (r < 0)
                return r;
        n = json_object_array_length(arr);
        if (n == 0)
                return 0;
        r = load_replayed(dir_fd, n, &done);
        if (r < 0)
                return r;
        tar_fd = openat(dir_fd, UNDO_ARCHIVE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (tar_fd < 0 && errno != ENOENT)
                return -errno;
        log_fd = openat(dir_fd, UNDO_REPLAYED, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (log_fd < 0)
                return -errno;

        for (size_t i = n; i > 0; i--) {
                Record rec = { .seq = i, .o = json_object_array_get_idx(arr, i - 1) };
                char line[32];
                int len;

                if (done[i])
                        continue;
                if (tar_fd < 0 && json_get(rec.o, "at"))
                        return -ENOENT;
                r = apply_inverse(root_fd, tar_fd, &rec);
                if (r < 0)
                        return r;
                len = snprintf(line, sizeof line, "%zu\n", i);
                if (write(log_fd, line, (size_t) len) != len || fdatasync(log_fd) < 0)
                        return errno ? -errno : -EIO;
                if (counter) {
                        (*counter)++;
                        fault_pointf("rollback", NULL, (long) *counter);
                }
        }
        return 0;
}
