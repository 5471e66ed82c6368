/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "partition.h"

/* Probes the byte range [offset, offset + size) of fd for a filesystem with libblkid.
 * Returns 1 and fills ret when one is found, 0 when there is none, -EUCLEAN when several
 * signatures contradict each other, or -errno. */
int probe_filesystem(int fd, uint64_t offset, uint64_t size, FsInfo *ret);
