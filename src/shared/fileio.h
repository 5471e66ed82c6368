/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Reads a whole file descriptor into a NUL-terminated buffer. Fails with -EFBIG when the content
 * exceeds max bytes: nothing is ever read past the cap. Returns 0 and the buffer (caller frees)
 * and its size, or -errno. */
int read_full_fd_capped(int fd, size_t max, char **ret, size_t *ret_size);
int read_full_file_capped(const char *path, size_t max, char **ret, size_t *ret_size);

/* Line iteration over an in-memory buffer, with no line-length limit and no copies.
 * Usage: LineIter it = line_iter_init(buf, size); while (line_iter_next(&it, &l, &n)) ...
 * Lines are returned without their "\n" (and without a "\r" before it). */
typedef struct LineIter {
        const char *p;
        const char *end;
} LineIter;

static inline LineIter line_iter_init(const char *buf, size_t size)
{
        return (LineIter){ .p = buf, .end = buf + size };
}

/* Returns true and the next line, or false at the end of the buffer. */
bool line_iter_next(LineIter *it, const char **ret_line, size_t *ret_len);

/* Writes all of data to fd, retrying short writes and EINTR. Returns 0 or -errno. */
int write_full(int fd, const void *data, size_t size);

/* Writes data to path atomically: temporary file in the same directory, fsync, rename, fsync of
 * the directory. Returns 0 or -errno; on failure path is untouched. A path that names a device,
 * fifo or socket (/dev/null, /dev/stdout) is written to directly, never replaced. */
int write_file_atomic(const char *path, const void *data, size_t size, unsigned mode);
