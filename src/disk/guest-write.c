/* SPDX-License-Identifier: MIT */
/* The GuestWriter interface: path checks, classification of each change, the observer, then the
 * backend (guest-write-dir.c, guest-write-ext.c, guest-write-fat.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shared/path-util.h"
#include "shared/string-util.h"
#include "guest-write-internal.h"

#define NAME_MAX_BYTES       255u
#define XATTR_NAME_MAX_BYTES 255u

static const char *const guest_write_op_table[_GUEST_WRITE_OP_MAX] = {
        [GUEST_WRITE_CREATE] = "create",     [GUEST_WRITE_REPLACE] = "replace",
        [GUEST_WRITE_MKDIR] = "mkdir",       [GUEST_WRITE_SYMLINK] = "symlink",
        [GUEST_WRITE_HARDLINK] = "hardlink", [GUEST_WRITE_RENAME] = "rename",
        [GUEST_WRITE_REMOVE] = "remove",     [GUEST_WRITE_META] = "meta",
        [GUEST_WRITE_XATTR] = "xattr",
};

DEFINE_STRING_TABLE_LOOKUP(guest_write_op, GuestWriteOp);

int64_t guest_write_now(void)
{
        return (int64_t) time(NULL);
}

/* A canonical path: absolute, no empty, "." or ".." components, no trailing "/", components of
 * at most NAME_MAX bytes, at most GUEST_PATH_MAX bytes in all. "/" itself only with allow_root. */
static int check_canonical(const char *path, bool allow_root)
{
        size_t len;

        if (!path || path[0] != '/')
                return -EINVAL;
        len = strlen(path);
        if (len > GUEST_PATH_MAX)
                return -ENAMETOOLONG;
        if (len == 1)
                return allow_root ? 0 : -EBUSY;
        for (const char *p = path + 1;;) {
                size_t n = strcspn(p, "/");

                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return -EINVAL;
                if (n > NAME_MAX_BYTES)
                        return -ENAMETOOLONG;
                if (!p[n])
                        return 0;
                p += n + 1;
        }
}

int guest_write_split(const char *path, char **ret_parent, const char **ret_name)
{
        const char *slash = strrchr(path, '/');
        char *parent;

        if (!slash || !slash[1])
                return -EINVAL;
        parent = slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
        if (!parent)
                return -ENOMEM;
        *ret_parent = parent;
        *ret_name = slash + 1;
        return 0;
}

/* Checks a path an operation is about to change: canonical, not "/", storable by the backend. */
static int check_target(GuestWriter *w, const char *path)
{
        int r = check_canonical(path, false);

        if (r < 0)
                return r;
        return w->ops->check_path ? w->ops->check_path(w, path) : 0;
}

/* The same for a path a new entry is to appear at, where "/" exists already (-EEXIST). */
static int check_new_target(GuestWriter *w, const char *path)
{
        int r = check_target(w, path);

        return r == -EBUSY ? -EEXIST : r;
}

static int observe(GuestWriter *w, GuestWriteOp op, const char *path, const char *path2)
{
        int r;

        if (!w->observer)
                return 0;
        r = w->observer(w->observer_userdata, op, path, path2);
        return r < 0 ? r : 0;
}

/* 0 when path does not exist (its parent does, or the backend finds out later), -EEXIST when it
 * does, another -errno when it cannot be there (a symlink among its directories). */
static int must_not_exist(GuestWriter *w, const char *path)
{
        GuestStat st;
        int r = w->ops->lstat(w, path, &st);

        if (r == -ENOENT)
                return 0;
        return r < 0 ? r : -EEXIST;
}

int guest_writer_close(GuestWriter *w)
{
        if (!w)
                return 0;
        return w->ops->close(w);
}

GuestWriter *guest_writer_free(GuestWriter *w)
{
        if (w)
                w->ops->free(w);
        return NULL;
}

void guest_writer_set_observer(GuestWriter *w, GuestWriteObserver cb, void *userdata)
{
        w->observer = cb;
        w->observer_userdata = userdata;
}

void guest_writer_set_sync(GuestWriter *w, bool sync)
{
        w->sync = sync;
}

GuestFs *guest_writer_fs(GuestWriter *w)
{
        return w->ops->fs(w);
}

int guest_writer_mkdir(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid)
{
        int r;

        r = check_new_target(w, path);
        if (r < 0)
                return r;
        r = must_not_exist(w, path);
        if (r < 0)
                return r;
        r = observe(w, GUEST_WRITE_MKDIR, path, NULL);
        if (r < 0)
                return r;
        return w->ops->mkdir(w, path, mode & 07777, uid, gid);
}

int guest_writer_file_open(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
                           GuestWriterFile **ret)
{
        _cleanup_free_ char *copy = NULL;
        GuestWriterFile *f = NULL;
        GuestWriteOp op;
        GuestStat st;
        int r;

        if (check_canonical(path, true) == 0 && streq(path, "/"))
                return -EISDIR;
        r = check_target(w, path);
        if (r < 0)
                return r;
        r = w->ops->lstat(w, path, &st);
        if (r == -ENOENT)
                op = GUEST_WRITE_CREATE;
        else if (r < 0)
                return r;
        else if (st.type == GUEST_FILE_DIRECTORY)
                return -EISDIR;
        else
                op = GUEST_WRITE_REPLACE; /* a file, or a symlink or device replaced by one */
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        /* The path stays unchanged until the file is committed: the observer hears of it now,
         * so that a veto comes before any content is written. */
        r = observe(w, op, path, NULL);
        if (r < 0)
                return r;
        r = w->ops->file_open(w, path, mode & 07777, uid, gid, &f);
        if (r < 0)
                return r;
        f->writer = w;
        f->path = TAKE_PTR(copy);
        f->error = 0;
        *ret = f;
        return 0;
}

int guest_writer_file_write(GuestWriterFile *f, const void *data, size_t size)
{
        int r;

        if (f->error < 0)
                return f->error;
        if (size == 0)
                return 0;
        r = f->writer->ops->file_write(f, data, size);
        if (r < 0)
                f->error = r;
        return r;
}

static void file_free(GuestWriterFile *f)
{
        char *path = f->path;

        f->writer->ops->file_free(f);
        free(path);
}

int guest_writer_file_close(GuestWriterFile *f, int64_t mtime)
{
        int r;

        if (!f)
                return -EINVAL;
        r = f->error < 0 ? f->error : f->writer->ops->file_commit(f, mtime);
        file_free(f);
        return r;
}

void guest_writer_file_abort(GuestWriterFile *f)
{
        if (f)
                file_free(f);
}

int guest_writer_write_file(GuestWriter *w, const char *path, const void *data, size_t size, uint32_t mode,
                            uint32_t uid, uint32_t gid, int64_t mtime)
{
        GuestWriterFile *f = NULL;
        int r;

        r = guest_writer_file_open(w, path, mode, uid, gid, &f);
        if (r < 0)
                return r;
        r = guest_writer_file_write(f, data, size);
        if (r < 0) {
                guest_writer_file_abort(f);
                return r;
        }
        return guest_writer_file_close(f, mtime);
}

int guest_writer_symlink(GuestWriter *w, const char *path, const char *target, uint32_t uid, uint32_t gid)
{
        int r;

        if (!w->ops->symlink)
                return -EOPNOTSUPP;
        if (isempty(target))
                return -ENOENT; /* as symlink(2) */
        if (strlen(target) >= GUEST_PATH_MAX)
                return -ENAMETOOLONG;
        r = check_new_target(w, path);
        if (r < 0)
                return r;
        r = must_not_exist(w, path);
        if (r < 0)
                return r;
        r = observe(w, GUEST_WRITE_SYMLINK, path, NULL);
        if (r < 0)
                return r;
        return w->ops->symlink(w, path, target, uid, gid);
}

int guest_writer_hardlink(GuestWriter *w, const char *path, const char *existing)
{
        GuestStat st;
        int r;

        if (!w->ops->hardlink)
                return -EOPNOTSUPP;
        r = check_canonical(existing, true);
        if (r == 0 && streq(existing, "/"))
                return -EPERM;
        if (r < 0)
                return r;
        r = check_new_target(w, path);
        if (r < 0)
                return r;
        r = w->ops->lstat(w, existing, &st);
        if (r < 0)
                return r;
        if (st.type == GUEST_FILE_DIRECTORY)
                return -EPERM; /* as link(2) */
        r = must_not_exist(w, path);
        if (r < 0)
                return r;
        r = observe(w, GUEST_WRITE_HARDLINK, path, existing);
        if (r < 0)
                return r;
        return w->ops->hardlink(w, path, existing);
}

int guest_writer_rename(GuestWriter *w, const char *from, const char *to)
{
        GuestStat st;
        int r;

        r = check_canonical(from, false);
        if (r < 0)
                return r;
        r = check_new_target(w, to);
        if (r < 0)
                return r;
        r = w->ops->lstat(w, from, &st);
        if (r < 0)
                return r;
        if (streq(from, to))
                return -EEXIST;
        /* A directory cannot move below itself. */
        if (path_startswith(to, from))
                return -EINVAL;
        r = must_not_exist(w, to);
        if (r < 0)
                return r;
        r = observe(w, GUEST_WRITE_RENAME, from, to);
        if (r < 0)
                return r;
        return w->ops->rename(w, from, to);
}

int guest_writer_remove(GuestWriter *w, const char *path)
{
        GuestStat st;
        int r;

        r = check_canonical(path, false);
        if (r < 0)
                return r;
        r = w->ops->lstat(w, path, &st);
        if (r < 0)
                return r;
        if (st.type == GUEST_FILE_DIRECTORY) {
                GuestFs *fs = w->ops->fs(w);
                GuestDirEntry *e = NULL;
                size_t n = 0;

                r = fs->ops->readdir(fs, path, &e, &n);
                if (r < 0)
                        return r;
                guest_dir_entries_free(e, n);
                if (n > 0)
                        return -ENOTEMPTY;
        }
        r = observe(w, GUEST_WRITE_REMOVE, path, NULL);
        if (r < 0)
                return r;
        return w->ops->remove(w, path, &st);
}

int guest_writer_set_meta(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
                          int64_t mtime)
{
        GuestStat st;
        int r;

        r = check_canonical(path, true);
        if (r < 0)
                return r;
        if (mode != GUEST_WRITER_KEEP_ID)
                mode &= 07777;
        r = w->ops->lstat(w, path, &st);
        if (r < 0)
                return r;
        r = observe(w, GUEST_WRITE_META, path, NULL);
        if (r < 0)
                return r;
        return w->ops->set_meta(w, path, mode, uid, gid, mtime);
}

int guest_writer_set_xattr(GuestWriter *w, const char *path, const char *name, const void *value,
                           size_t size)
{
        GuestStat st;
        int r;

        if (!w->ops->set_xattr)
                return -EOPNOTSUPP;
        r = check_canonical(path, true);
        if (r < 0)
                return r;
        /* "namespace.name", as the kernel wants it. */
        if (isempty(name) || !strchr(name, '.') || name[0] == '.')
                return -EINVAL;
        if (strlen(name) > XATTR_NAME_MAX_BYTES)
                return -ERANGE;
        if (size > GUEST_XATTR_SIZE_MAX)
                return -E2BIG;
        if (size > 0 && !value)
                return -EINVAL;
        r = w->ops->lstat(w, path, &st);
        if (r < 0)
                return r;
        r = observe(w, GUEST_WRITE_XATTR, path, NULL);
        if (r < 0)
                return r;
        return w->ops->set_xattr(w, path, name, value, size);
}
