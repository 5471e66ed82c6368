/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec-fs.h"
#include "shared/fd-util.h"
#include "shared/macro.h"
#include "shared/string-util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

/* The directory open at fd (consumed, also on failure) as a DIR, depth levels below where a
 * walk started: deeper than 4096 is -ELOOP. */
static int open_level(int fd, unsigned depth, DIR **ret)
{
        DIR *d;
        int r;

        if (depth > 4096) {
                safe_close(fd);
                return -ELOOP;
        }
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                safe_close(fd);
                return r;
        }
        *ret = d;
        return 0;
}

/* Removes everything inside the directory open at fd (consumed). */
static int rm_children(int fd, unsigned depth)
{
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r;

        r = open_level(fd, depth, &d);
        if (r < 0)
                return r;
        while ((errno = 0, de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (unlinkat(dirfd(d), de->d_name, 0) == 0 || errno == ENOENT)
                        continue;
                if (errno != EISDIR && errno != EPERM) {
                        r = -errno;
                        break;
                }
                int cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (cfd < 0) {
                        r = -errno;
                        break;
                }
                r = rm_children(cfd, depth + 1);
                if (r < 0)
                        break;
                if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
                        r = -errno;
                        break;
                }
        }
        if (r == 0 && errno != 0)
                r = -errno;
        return r;
}

int rm_rf_at(int dir_fd, const char *name)
{
        int fd, r;

        if (unlinkat(dir_fd, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR && errno != EPERM)
                return -errno;
        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        r = rm_children(fd, 0);
        if (r < 0)
                return r;
        if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int fsync_dir_fd(int dir_fd)
{
        return fsync(dir_fd) < 0 ? -errno : 0;
}

int fsync_dir_path(const char *path)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return fsync_dir_fd(fd);
}

int openat_in_root(int root_fd, const char *path, int flags, mode_t mode)
{
        struct open_how how = {
                .flags = (uint64_t) flags | O_CLOEXEC,
                .mode = mode,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int) syscall(SYS_openat2, root_fd, path, &how, sizeof how);

        return fd < 0 ? -errno : fd;
}

static int64_t usage_children(int fd, unsigned depth)
{
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int64_t sum = 0;
        int r;

        r = open_level(fd, depth, &d);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                int64_t k = disk_usage_at(dirfd(d), de->d_name);
                if (k > 0)
                        sum += k;
        }
        return sum;
}

int64_t disk_usage_at(int dir_fd, const char *name)
{
        struct stat st;
        int64_t sum;

        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        sum = (int64_t) st.st_blocks * 512;
        if (S_ISDIR(st.st_mode)) {
                int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int64_t k;
                if (fd < 0)
                        return -errno;
                k = usage_children(fd, 1);
                if (k > 0)
                        sum += k;
        }
        return sum;
}
