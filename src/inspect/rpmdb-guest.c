/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/fileio.h"
#include "pkgdb/rpmdb.h"
#include "shared/fd-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "rpmdb-guest.h"

#define COPY_CHUNK (1024u * 1024u)

static bool want_file(const GuestDirEntry *e)
{
        return e->type == GUEST_FILE_REGULAR && e->name[0] != '.' && !startswith(e->name, "__db.") &&
               !endswith(e->name, "-shm");
}

/* mkdir -p <tmp_root>/var/lib/rpm below tmp_root (which exists), each level new. Returns an fd of
 * the last one. */
static int make_dirs(const char *tmp_root)
{
        _cleanup_close_ int fd = open(tmp_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        static const char *const levels[] = { "var", "lib", "rpm" };

        if (fd < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(levels); i++) {
                int next;

                if (mkdirat(fd, levels[i], 0700) < 0 && (errno != EEXIST || i == ELEMENTSOF(levels) - 1))
                        return -errno;
                next = openat(fd, levels[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return -errno;
                safe_close(fd);
                fd = next;
        }
        return TAKE_FD(fd);
}

static int copy_one(Guest *g, const char *path, int dir_fd, const char *name, char *buf, uint64_t *total)
{
        _cleanup_close_ int fd = -EBADF;
        uint64_t off = 0;
        int r;

        fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        for (;;) {
                size_t n = 0;

                r = guest_pread(g, path, off, COPY_CHUNK, buf, &n);
                if (r < 0)
                        return r;
                if (n == 0)
                        break;
                off += n;
                *total += n;
                if (off > RPMDB_COPY_FILE_MAX || *total > RPMDB_COPY_TOTAL_MAX)
                        return -EFBIG;
                r = write_full(fd, buf, n);
                if (r < 0)
                        return r;
                if (n < COPY_CHUNK)
                        break;
        }
        return 0;
}

int rpmdb_copy_from_guest(Guest *g, const char *tmp_root)
{
        _cleanup_close_ int dir_fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        GuestDirEntry *e = NULL;
        size_t n = 0, files = 0;
        uint64_t total = 0;
        int r;

        r = guest_read_dir(g, RPMDB_DIR, &e, &n);
        if (r == -ENOENT || r == -ENOTDIR || r == -ELOOP)
                return 0;
        if (r < 0)
                return r;
        dir_fd = make_dirs(tmp_root);
        if (dir_fd < 0) {
                guest_dir_entries_free(e, n);
                return dir_fd;
        }
        buf = malloc(COPY_CHUNK);
        if (!buf) {
                guest_dir_entries_free(e, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *path = NULL;

                if (!want_file(&e[i]))
                        continue;
                if (++files > RPMDB_COPY_FILES_MAX) {
                        r = -EFBIG;
                        break;
                }
                path = path_join(RPMDB_DIR, e[i].name);
                r = path ? copy_one(g, path, dir_fd, e[i].name, buf, &total) : -ENOMEM;
        }
        guest_dir_entries_free(e, n);
        return r < 0 ? r : 1;
}

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        /* A positive errno stops the walk; nftw() returns it. */
        if (remove(p) < 0 && errno != ENOENT)
                return errno;
        return 0;
}

int rpmdb_copy_remove(const char *tmp_root)
{
        int r;

        if (!tmp_root)
                return 0;
        r = nftw(tmp_root, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
        if (r == -1)
                return errno == ENOENT ? 0 : -errno;
        return -r;
}
