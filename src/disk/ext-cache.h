/* SPDX-License-Identifier: MIT */
#pragma once

#include <ext2fs/ext2fs.h>

/* An io_manager for writing ext filesystems through a slow medium (a FUSE export, where each
 * write is a round trip): a write-back cache of single blocks in front of unix_io_manager.
 * libext2fs rewrites the same metadata blocks (inode tables, bitmaps, directories, extent blocks)
 * many times while files are created, a block at a time; here they stay in memory, and reads of
 * them are served from there. When the cache is full, on flush and on close, the dirty blocks go
 * out sorted, adjacent blocks in one write of up to 1 MiB. Multi-block and byte-granular I/O
 * goes through after the dirty blocks it could overlap are written. The option cache_blocks=N
 * sets the capacity (tests make it tiny, so that a full cache is exercised); the others
 * (offset=N) go to the unix channel underneath. Nothing is written before flush or close that a crash could
 * leave half done in a different order than without the cache: callers do not rely on write order (the
 * executor's checkpoints discard an interrupted step's whole layer). */
extern io_manager ext_cache_io_manager;
