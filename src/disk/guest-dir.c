/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "shared/fd-util.h"
#include "guest-dir.h"

typedef struct GuestDir {
        GuestFs fs;
        int root_fd;
} GuestDir;

/* Opens path (canonical, absolute within the root) below the root directory. */
static int open_in_root(GuestDir *d, const char *path, int flags)
{
        struct open_how how = {
                /* openat2() rejects flags that do not apply to O_PATH. */
                .flags = (uint64_t) (flags | O_CLOEXEC | O_NOFOLLOW | ((flags & O_PATH) ? 0 : O_NOCTTY)),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        const char *rel = path + strspn(path, "/");
        long fd;

        fd = syscall(SYS_openat2, d->root_fd, *rel ? rel : ".", &how, sizeof(how));
        if (fd < 0)
                return errno == ELOOP ? -ELOOP : -errno;
        return (int) fd;
}

static GuestFileType mode_to_type(mode_t m)
{
        if (S_ISREG(m))
                return GUEST_FILE_REGULAR;
        if (S_ISDIR(m))
                return GUEST_FILE_DIRECTORY;
        if (S_ISLNK(m))
                return GUEST_FILE_SYMLINK;
        return GUEST_FILE_OTHER;
}

void guest_dir_stat_from(const struct stat *st, GuestStat *ret)
{
        *ret = (GuestStat){
                .type = mode_to_type(st->st_mode),
                .mode = st->st_mode & 07777,
                .uid = st->st_uid,
                .gid = st->st_gid,
                .size = (uint64_t) st->st_size,
                .mtime = st->st_mtim.tv_sec,
        };
}

static int dir_lstat(GuestFs *fs, const char *path, GuestStat *ret)
{
        _cleanup_close_ int fd = open_in_root((GuestDir *) fs, path, O_PATH);
        struct stat st;

        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return -errno;
        guest_dir_stat_from(&st, ret);
        return 0;
}

static int dir_readlink(GuestFs *fs, const char *path, char **ret)
{
        _cleanup_close_ int fd = open_in_root((GuestDir *) fs, path, O_PATH);
        char buf[GUEST_PATH_MAX + 1];
        ssize_t n;

        if (fd < 0)
                return fd;
        n = readlinkat(fd, "", buf, sizeof(buf));
        if (n < 0)
                return errno == ENOENT ? -EINVAL : -errno;
        if ((size_t) n > GUEST_PATH_MAX)
                return -ENAMETOOLONG;
        *ret = strndup(buf, (size_t) n);
        return *ret ? 0 : -ENOMEM;
}

static int dir_pread(GuestFs *fs, const char *path, uint64_t offset, size_t size, void *buf, size_t *ret_n)
{
        /* O_NONBLOCK: opening a fifo must not wait for a writer; it is refused below anyway. */
        _cleanup_close_ int fd = open_in_root((GuestDir *) fs, path, O_RDONLY | O_NONBLOCK);
        struct stat st;
        ssize_t n;

        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EPERM;
        n = pread_full(fd, buf, size, offset);
        if (n < 0)
                return (int) n;
        *ret_n = (size_t) n;
        return 0;
}

static GuestFileType dtype_to_type(unsigned char t)
{
        switch (t) {
        case DT_REG:
                return GUEST_FILE_REGULAR;
        case DT_DIR:
                return GUEST_FILE_DIRECTORY;
        case DT_LNK:
                return GUEST_FILE_SYMLINK;
        case DT_UNKNOWN:
                return _GUEST_FILE_TYPE_INVALID;
        default:
                return GUEST_FILE_OTHER;
        }
}

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

static int dir_readdir(GuestFs *fs, const char *path, GuestDirEntry **ret, size_t *ret_n)
{
        _cleanup_close_ int fd = open_in_root((GuestDir *) fs, path, O_RDONLY | O_DIRECTORY);
        _cleanup_(closedirp) DIR *d = NULL;
        GuestDirEntry *e = NULL;
        size_t n = 0;
        struct dirent *de;

        if (fd < 0)
                return fd;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd);
        for (;;) {
                GuestDirEntry *ne;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0) {
                                guest_dir_entries_free(e, n);
                                return -errno;
                        }
                        break;
                }
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (n >= GUEST_DIR_ENTRIES_MAX) {
                        guest_dir_entries_free(e, n);
                        return -E2BIG;
                }
                ne = reallocarray(e, n + 1, sizeof(GuestDirEntry));
                if (!ne || !(ne[n].name = strdup(de->d_name))) {
                        guest_dir_entries_free(ne ? ne : e, n);
                        return -ENOMEM;
                }
                ne[n].type = dtype_to_type(de->d_type);
                e = ne;
                n++;
        }
        *ret = e;
        *ret_n = n;
        return 0;
}

static int dir_space(GuestFs *fs, GuestFsSpace *ret)
{
        struct statvfs sv;

        if (fstatvfs(((GuestDir *) fs)->root_fd, &sv) < 0)
                return -errno;
        *ret = (GuestFsSpace){
                .size = (uint64_t) sv.f_blocks * sv.f_frsize,
                .free = (uint64_t) sv.f_bfree * sv.f_frsize,
                .available = (uint64_t) sv.f_bavail * sv.f_frsize,
        };
        return 0;
}

/* Lists and reads the extended attributes of the inode open at fd (O_PATH is fine: the calls go
 * through /proc/self/fd/N, which leads to exactly that inode, a symlink's own included). */
int guest_dir_fd_xattrs(int fd, GuestXattr **ret, size_t *ret_n)
{
        char proc[64];
        _cleanup_free_ char *list = NULL;
        GuestXattr *x = NULL;
        size_t n = 0;
        ssize_t len;

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        for (size_t cap = 1024;; cap *= 2) {
                char *nl = realloc(list, cap);
                if (!nl)
                        return -ENOMEM;
                list = nl;
                len = listxattr(proc, list, cap);
                if (len >= 0)
                        break;
                if (errno == ENOTSUP) {
                        len = 0;
                        break;
                }
                if (errno != ERANGE || cap >= (1u << 20))
                        return -errno;
        }
        for (ssize_t i = 0; i < len; i += (ssize_t) strlen(list + i) + 1) {
                const char *name = list + i;
                GuestXattr *nx;
                ssize_t vlen;
                void *nl;

                if (n >= GUEST_XATTRS_MAX) {
                        guest_xattrs_free(x, n);
                        return -E2BIG;
                }
                nx = reallocarray(x, n + 1, sizeof(GuestXattr));
                if (!nx) {
                        guest_xattrs_free(x, n);
                        return -ENOMEM;
                }
                x = nx;
                x[n] = (GuestXattr){ .name = strdup(name), .value = malloc(GUEST_XATTR_SIZE_MAX) };
                n++;
                if (!x[n - 1].name || !x[n - 1].value) {
                        guest_xattrs_free(x, n);
                        return -ENOMEM;
                }
                vlen = getxattr(proc, name, x[n - 1].value, GUEST_XATTR_SIZE_MAX);
                if (vlen < 0) {
                        int e = errno;
                        if (e == ENODATA) { /* removed since it was listed */
                                free(x[n - 1].name);
                                free(x[n - 1].value);
                                n--;
                                continue;
                        }
                        guest_xattrs_free(x, n);
                        return -e;
                }
                x[n - 1].size = (size_t) vlen;
                /* Most values are a few bytes: give the rest of the buffer back. */
                nl = realloc(x[n - 1].value, MAX((size_t) vlen, (size_t) 1));
                if (nl)
                        x[n - 1].value = nl;
        }
        *ret = x;
        *ret_n = n;
        return 0;
}

static int dir_listxattr(GuestFs *fs, const char *path, GuestXattr **ret, size_t *ret_n)
{
        _cleanup_close_ int fd = open_in_root((GuestDir *) fs, path, O_PATH);

        if (fd < 0)
                return fd;
        return guest_dir_fd_xattrs(fd, ret, ret_n);
}

static void dir_free(GuestFs *fs)
{
        GuestDir *d = (GuestDir *) fs;

        safe_close(d->root_fd);
        free(d);
}

static const GuestFsOps dir_ops = {
        .name = "dir",
        .lstat = dir_lstat,
        .readlink = dir_readlink,
        .pread = dir_pread,
        .readdir = dir_readdir,
        .space = dir_space,
        .listxattr = dir_listxattr,
        .free = dir_free,
};

int guest_dir_open(const char *path, GuestFs **ret)
{
        _cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return guest_dir_open_fd(fd, ret);
}

int guest_dir_open_fd(int dir_fd, GuestFs **ret)
{
        _cleanup_close_ int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
        GuestDir *d;
        long probe;

        if (fd < 0)
                return -errno;
        /* Refuse to run without the kernel's confinement rather than fall back to weaker checks. */
        probe = syscall(SYS_openat2, fd, ".", &how, sizeof(how));
        if (probe < 0)
                return -errno;
        safe_close((int) probe);

        d = calloc(1, sizeof(GuestDir));
        if (!d)
                return -ENOMEM;
        d->fs.ops = &dir_ops;
        d->root_fd = TAKE_FD(fd);
        *ret = &d->fs;
        return 0;
}
