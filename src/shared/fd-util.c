/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <unistd.h>

#include "fd-util.h"

int safe_close(int fd)
{
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}

ssize_t pread_full(int fd, void *buf, size_t size, uint64_t offset)
{
        size_t done = 0;

        if (offset > INT64_MAX || size > SSIZE_MAX)
                return -EOVERFLOW;

        while (done < size) {
                ssize_t n = pread(fd, (char *) buf + done, size - done, (off_t) (offset + done));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                done += (size_t) n;
        }
        return (ssize_t) done;
}
