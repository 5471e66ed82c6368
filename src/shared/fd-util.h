/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

#include "macro.h"

/* Closes fd if valid, keeping errno; returns -EBADF so that "fd = safe_close(fd);" resets it. */
int safe_close(int fd);

static inline void closep(int *fd)
{
        safe_close(*fd);
}

static inline void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}

#define _cleanup_close_  _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Full pread(): loops over short reads; returns bytes read (< size only at end of file) or -errno. */
ssize_t pread_full(int fd, void *buf, size_t size, uint64_t offset);
