/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Puts the fuzz input into an anonymous file, so that readers that take a descriptor or a path
 * see exactly those bytes. Returns the descriptor or -1. */
static inline int fuzz_memfd(const uint8_t *data, size_t size)
{
        int fd = memfd_create("fuzz", MFD_CLOEXEC);

        if (fd < 0)
                return -1;
        if (size > 0 && write(fd, data, size) != (ssize_t) size) {
                close(fd);
                return -1;
        }
        return fd;
}
