/* SPDX-License-Identifier: MIT */
/* The dir backend of GuestWriter: a mounted root (convert --root DIR).
 *
 * Confinement: the parent directory of every path is opened with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) below the root, so a symlink anywhere among the
 * directories is -ELOOP and nothing can lead outside the root; the last component is then
 * handled with *at() calls that do not follow it (AT_SYMLINK_NOFOLLOW, O_NOFOLLOW, unlinkat,
 * renameat2). Extended attributes: regular files and directories are opened O_RDONLY|O_NOFOLLOW
 * below the parent and set with fsetxattr(); symlinks and special files (whose opening would be
 * refused or would open a device) are opened O_PATH|O_NOFOLLOW and set with setxattr() on
 * "/proc/self/fd/N": that magic link leads to exactly the inode the descriptor holds, the
 * symlink's own (lsetxattr() on it would address procfs's link instead).
 *
 * Files are written as anonymous O_TMPFILE inodes in the target directory, fsync()ed, and linked
 * into place (linkat) when new, or linked under a temporary name and renamed over the old one
 * when replacing: a crash never leaves a half-written file at the path. Where O_TMPFILE is not
 * supported, a named temporary file is used. Either way the only trace a crash can leave is a
 * file named ".#azlm-*" in the target directory. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "shared/fileio.h"
#include "shared/fd-util.h"
#include "guest-dir.h"
#include "guest-write-internal.h"

#define TEMP_PREFIX ".#azlm-"

typedef struct DirWriter {
        GuestWriter w;
        int root_fd; /* O_PATH */
        GuestFs *view;
} DirWriter;

typedef struct DirFile {
        GuestWriterFile f;
        int dir_fd; /* O_PATH: the directory the file goes into */
        int fd;
        char *temp; /* the temporary name, without O_TMPFILE */
        uint32_t mode, uid, gid;
} DirFile;

/* Opens canonical directory path below the root without following any symlink. */
static int open_dir(DirWriter *d, const char *path)
{
        /* No O_NOFOLLOW: with RESOLVE_NO_SYMLINKS a symlink as the last component is -ELOOP too,
         * where O_NOFOLLOW would open the link and O_DIRECTORY then say -ENOTDIR. */
        struct open_how how = {
                .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        const char *rel = path + strspn(path, "/");
        long fd;

        fd = syscall(SYS_openat2, d->root_fd, *rel ? rel : ".", &how, sizeof(how));
        if (fd < 0)
                return -errno;
        return (int) fd;
}

/* Opens the parent directory of canonical path (not "/"); *ret_name points into path. */
static int open_parent(DirWriter *d, const char *path, const char **ret_name)
{
        _cleanup_free_ char *parent = NULL;
        int r;

        r = guest_write_split(path, &parent, ret_name);
        if (r < 0)
                return r;
        return open_dir(d, parent);
}

/* fsync()s the directory open (O_PATH) at dir_fd, when the writer syncs. */
static int sync_dir(DirWriter *d, int dir_fd)
{
        _cleanup_close_ int fd = -EBADF;

        if (!d->w.sync)
                return 0;
        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fsync(fd) < 0 ? -errno : 0;
}

/* A fresh temporary name (TEMP_PREFIX and 64 random bits) into *ret, replacing what was there. */
static int temp_name(char **ret)
{
        uint64_t rnd = 0;

        if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
                return -errno;
        free(*ret);
        if (asprintf(ret, TEMP_PREFIX "%016llx", (unsigned long long) rnd) < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

static int dw_lstat(GuestWriter *w, const char *path, GuestStat *ret)
{
        DirWriter *d = (DirWriter *) w;
        _cleanup_close_ int pfd = -EBADF;
        const char *name;
        struct stat st;

        if (streq(path, "/")) {
                if (fstat(d->root_fd, &st) < 0)
                        return -errno;
        } else {
                pfd = open_parent(d, path, &name);
                if (pfd < 0)
                        return pfd;
                if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
        }
        guest_dir_stat_from(&st, ret);
        return 0;
}

static int dw_mkdir(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid)
{
        DirWriter *d = (DirWriter *) w;
        _cleanup_close_ int pfd = -EBADF, fd = -EBADF;
        const char *name;
        int r = 0;

        pfd = open_parent(d, path, &name);
        if (pfd < 0)
                return pfd;
        /* Private until it has its owner and mode: no umask, no window with looser bits. */
        if (mkdirat(pfd, name, 0700) < 0)
                return -errno;
        fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(pfd, name, AT_REMOVEDIR);
                return r;
        }
        return sync_dir(d, pfd);
}

static int dw_file_open(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
                        GuestWriterFile **ret)
{
        DirWriter *d = (DirWriter *) w;
        _cleanup_free_ DirFile *f = NULL;
        _cleanup_close_ int pfd = -EBADF;
        const char *name;

        pfd = open_parent(d, path, &name);
        if (pfd < 0)
                return pfd;
        f = calloc(1, sizeof(DirFile));
        if (!f)
                return -ENOMEM;
        *f = (DirFile){ .dir_fd = -EBADF, .fd = -EBADF, .mode = mode, .uid = uid, .gid = gid };

        f->fd = openat(pfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        if (f->fd < 0) {
                if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
                        return -errno;
                /* No O_TMPFILE here (some FUSE and network filesystems): a named temporary. */
                for (unsigned attempt = 0; f->fd < 0; attempt++) {
                        int r;

                        if (attempt >= 100)
                                return -EEXIST;
                        r = temp_name(&f->temp);
                        if (r < 0)
                                return r;
                        f->fd = openat(pfd, f->temp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                                       0600);
                        if (f->fd < 0 && errno != EEXIST) {
                                int e = errno;
                                f->temp = mfree(f->temp);
                                return -e;
                        }
                }
        }
        /* The path stays valid: guest-write.c keeps its copy in f->f.path. */
        f->dir_fd = TAKE_FD(pfd);
        *ret = &TAKE_PTR(f)->f;
        return 0;
}

static int dw_file_write(GuestWriterFile *gf, const void *data, size_t size)
{
        return write_full(((DirFile *) gf)->fd, data, size);
}

/* Links the anonymous file at name in the directory; -EEXIST when something is there. */
static int link_tmpfile(DirFile *f, const char *name)
{
        char proc[64];

        if (linkat(f->fd, "", f->dir_fd, name, AT_EMPTY_PATH) == 0)
                return 0;
        if (errno != ENOENT && errno != EPERM)
                return -errno;
        /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH: go through our own descriptor's magic link. */
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->fd);
        if (linkat(AT_FDCWD, proc, f->dir_fd, name, AT_SYMLINK_FOLLOW) < 0)
                return -errno;
        return 0;
}

static int dw_file_commit(GuestWriterFile *gf, int64_t mtime)
{
        DirFile *f = (DirFile *) gf;
        DirWriter *d = (DirWriter *) gf->writer;
        const char *name = strrchr(gf->path, '/') + 1;
        int r;

        /* Owner first: chown() clears set-id bits that chmod() then sets. */
        if (fchown(f->fd, f->uid, f->gid) < 0 || fchmod(f->fd, f->mode) < 0)
                return -errno;
        if (mtime != GUEST_WRITER_KEEP_TIME) {
                struct timespec ts[2] = { { .tv_sec = (time_t) mtime }, { .tv_sec = (time_t) mtime } };
                if (futimens(f->fd, ts) < 0)
                        return -errno;
        }
        if (d->w.sync && fsync(f->fd) < 0)
                return -errno;

        if (!f->temp) {
                r = link_tmpfile(f, name);
                if (r == -EEXIST) {
                        /* Replacing: link under a temporary name, then rename over the old file. */
                        for (unsigned attempt = 0;; attempt++) {
                                if (attempt >= 100)
                                        return -EEXIST;
                                r = temp_name(&f->temp);
                                if (r < 0)
                                        return r;
                                r = link_tmpfile(f, f->temp);
                                if (r != -EEXIST)
                                        break;
                                f->temp = mfree(f->temp);
                        }
                        if (r < 0) {
                                f->temp = mfree(f->temp);
                                return r;
                        }
                } else if (r < 0)
                        return r;
        }
        if (f->temp) {
                if (renameat(f->dir_fd, f->temp, f->dir_fd, name) < 0)
                        return -errno; /* file_free removes the temporary */
                f->temp = mfree(f->temp);
        }
        return sync_dir(d, f->dir_fd);
}

static void dw_file_free(GuestWriterFile *gf)
{
        DirFile *f = (DirFile *) gf;

        if (f->temp)
                (void) unlinkat(f->dir_fd, f->temp, 0);
        free(f->temp);
        safe_close(f->fd);
        safe_close(f->dir_fd);
        free(f);
}

static int dw_symlink(GuestWriter *w, const char *path, const char *target, uint32_t uid, uint32_t gid)
{
        DirWriter *d = (DirWriter *) w;
        _cleanup_close_ int pfd = -EBADF;
        const char *name;

        pfd = open_parent(d, path, &name);
        if (pfd < 0)
                return pfd;
        if (symlinkat(target, pfd, name) < 0)
                return -errno;
        if (fchownat(pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
                int e = errno;
                (void) unlinkat(pfd, name, 0);
                return -e;
        }
        return sync_dir(d, pfd);
}

static int dw_hardlink(GuestWriter *w, const char *path, const char *existing)
{
        DirWriter *d = (DirWriter *) w;
        _cleanup_close_ int pfd = -EBADF, efd = -EBADF;
        const char *name, *ename;

        pfd = open_parent(d, path, &name);
        if (pfd < 0)
                return pfd;
        efd = open_parent(d, existing, &ename);
        if (efd < 0)
                return efd;
        /* flags 0: a symlink is linked itself, never its target. */
        if (linkat(efd, ename, pfd, name, 0) < 0)
                return -errno;
        return sync_dir(d, pfd);
}

static int dw_rename(GuestWriter *w, const char *from, const char *to)
{
        DirWriter *d = (DirWriter *) w;
        _cleanup_close_ int ffd = -EBADF, tfd = -EBADF;
        const char *fname, *tname;
        int r;

        ffd = open_parent(d, from, &fname);
        if (ffd < 0)
                return ffd;
        tfd = open_parent(d, to, &tname);
        if (tfd < 0)
                return tfd;
        if (renameat2(ffd, fname, tfd, tname, RENAME_NOREPLACE) < 0) {
                struct stat st;

                if (errno != EINVAL)
                        return -errno;
                /* A filesystem without RENAME_NOREPLACE: check, then rename. */
                if (fstatat(tfd, tname, &st, AT_SYMLINK_NOFOLLOW) == 0)
                        return -EEXIST;
                if (errno != ENOENT)
                        return -errno;
                if (renameat(ffd, fname, tfd, tname) < 0)
                        return -errno;
        }
        r = sync_dir(d, tfd);
        if (r < 0)
                return r;
        return sync_dir(d, ffd);
}

static int dw_remove(GuestWriter *w, const char *path, const GuestStat *st)
{
        DirWriter *d = (DirWriter *) w;
        _cleanup_close_ int pfd = -EBADF;
        const char *name;

        pfd = open_parent(d, path, &name);
        if (pfd < 0)
                return pfd;
        if (unlinkat(pfd, name, st->type == GUEST_FILE_DIRECTORY ? AT_REMOVEDIR : 0) < 0)
                return -errno;
        return sync_dir(d, pfd);
}

static int dw_set_meta(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
                       int64_t mtime)
{
        DirWriter *d = (DirWriter *) w;
        _cleanup_close_ int pfd = -EBADF;
        const char *name = ".";
        struct stat st;

        /* The root itself: its *at() calls go through "." of the root. */
        pfd = streq(path, "/") ? open_dir(d, "/") : open_parent(d, path, &name);
        if (pfd < 0)
                return pfd;
        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if ((uid != GUEST_WRITER_KEEP_ID || gid != GUEST_WRITER_KEEP_ID) &&
            fchownat(pfd, name, uid == GUEST_WRITER_KEEP_ID ? (uid_t) -1 : uid,
                     gid == GUEST_WRITER_KEEP_ID ? (gid_t) -1 : gid, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        /* A symlink's mode means nothing on Linux and cannot be set. */
        if (mode != GUEST_WRITER_KEEP_ID && !S_ISLNK(st.st_mode) &&
            fchmodat(pfd, name, mode, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (mtime != GUEST_WRITER_KEEP_TIME) {
                struct timespec ts[2] = { { .tv_sec = (time_t) mtime }, { .tv_sec = (time_t) mtime } };
                if (utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
        }
        return 0;
}

static int dw_set_xattr(GuestWriter *w, const char *path, const char *xname, const void *value, size_t size)
{
        DirWriter *d = (DirWriter *) w;
        _cleanup_close_ int pfd = -EBADF, fd = -EBADF, rfd = -EBADF;
        const char *name = ".";
        struct stat st, rst;
        char proc[64];

        pfd = streq(path, "/") ? open_dir(d, "/") : open_parent(d, path, &name);
        if (pfd < 0)
                return pfd;
        fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
                rfd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
                if (rfd >= 0) {
                        /* The same inode as looked at, or it changed under us. */
                        if (fstat(rfd, &rst) < 0)
                                return -errno;
                        if (rst.st_dev != st.st_dev || rst.st_ino != st.st_ino)
                                return -ESTALE;
                        return fsetxattr(rfd, xname, value, size, 0) < 0 ? -errno : 0;
                }
                if (errno != EACCES)
                        return -errno;
                /* Unreadable to us (not root): the O_PATH descriptor's magic link below. */
        }
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        return setxattr(proc, xname, value, size, 0) < 0 ? -errno : 0;
}

static GuestFs *dw_fs(GuestWriter *w)
{
        return ((DirWriter *) w)->view;
}

static void dw_free(GuestWriter *w)
{
        DirWriter *d = (DirWriter *) w;

        guest_fs_free(d->view);
        safe_close(d->root_fd);
        free(d);
}

static int dw_close(GuestWriter *w)
{
        DirWriter *d = (DirWriter *) w;
        _cleanup_close_ int fd = openat(d->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r = 0;

        if (fd < 0 || syncfs(fd) < 0)
                r = -errno;
        dw_free(w);
        return r;
}

static const GuestWriterOps dir_writer_ops = {
        .name = "dir",
        .lstat = dw_lstat,
        .mkdir = dw_mkdir,
        .file_open = dw_file_open,
        .file_write = dw_file_write,
        .file_commit = dw_file_commit,
        .file_free = dw_file_free,
        .symlink = dw_symlink,
        .hardlink = dw_hardlink,
        .rename = dw_rename,
        .remove = dw_remove,
        .set_meta = dw_set_meta,
        .set_xattr = dw_set_xattr,
        .fs = dw_fs,
        .close = dw_close,
        .free = dw_free,
};

int guest_writer_open_dir(const char *root, GuestWriter **ret)
{
        _cleanup_close_ int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        DirWriter *d;
        int r;

        if (fd < 0)
                return -errno;
        d = calloc(1, sizeof(DirWriter));
        if (!d)
                return -ENOMEM;
        guest_writer_init(&d->w, &dir_writer_ops);
        d->root_fd = TAKE_FD(fd);
        /* The read view works on its own duplicate of the root; opening it also checks that the
         * kernel has openat2(): without it there is no confinement, and no writer. */
        r = guest_dir_open_fd(d->root_fd, &d->view);
        if (r < 0) {
                dw_free(&d->w);
                return r;
        }
        *ret = &d->w;
        return 0;
}
