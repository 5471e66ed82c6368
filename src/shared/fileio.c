/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"

int read_full_fd_capped(int fd, size_t max, char **ret, size_t *ret_size)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, alloc = 0;

        for (;;) {
                ssize_t n;

                if (size == alloc) {
                        size_t na = alloc ? alloc * 2 : 4096;
                        char *nb;

                        /* One byte beyond the cap tells "exactly max" from "more than max". */
                        if (na > max + 1)
                                na = max + 1;
                        if (na <= alloc)
                                return -EFBIG;
                        nb = realloc(buf, na + 1);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        alloc = na;
                }
                n = read(fd, buf + size, alloc - size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
                if (size > max)
                        return -EFBIG;
        }
        if (!buf) {
                buf = malloc(1);
                if (!buf)
                        return -ENOMEM;
        }
        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int read_full_file_capped(const char *path, size_t max, char **ret, size_t *ret_size)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return -errno;
        return read_full_fd_capped(fd, max, ret, ret_size);
}

bool line_iter_next(LineIter *it, const char **ret_line, size_t *ret_len)
{
        const char *nl;
        size_t n;

        if (it->p >= it->end)
                return false;
        nl = memchr(it->p, '\n', (size_t) (it->end - it->p));
        n = nl ? (size_t) (nl - it->p) : (size_t) (it->end - it->p);
        *ret_line = it->p;
        *ret_len = (n > 0 && it->p[n - 1] == '\r') ? n - 1 : n;
        it->p += n + (nl ? 1 : 0);
        return true;
}

int write_full(int fd, const void *data, size_t size)
{
        const char *p = data;

        while (size > 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                size -= (size_t) n;
        }
        return 0;
}

int write_file_atomic(const char *path, const void *data, size_t size, unsigned mode)
{
        _cleanup_free_ char *tmp = NULL, *dcopy = NULL;
        _cleanup_close_ int fd = -EBADF, dfd = -EBADF;
        const char *p = data;
        size_t left = size;
        struct stat st;

        /* "-o /dev/null", "-o /dev/stdout", a fifo: written to, never replaced by a rename. */
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
                fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return -errno;
                return write_full(fd, data, size);
        }

        if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (write_full(fd, p, left) < 0)
                goto fail;
        if (fchmod(fd, (mode_t) mode) < 0 || fsync(fd) < 0)
                goto fail;
        if (rename(tmp, path) < 0)
                goto fail;
        dcopy = strdup(path);
        if (!dcopy)
                return -ENOMEM;
        dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0)
                (void) fsync(dfd);
        return 0;
fail : {
        int r = -errno;
        (void) unlink(tmp);
        return r;
}
}
