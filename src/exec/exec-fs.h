/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* Small file-system helpers of the executor. None follows a symlink. */

/* Removes the entry name of the directory open at dir_fd: a file, a symlink, or a directory
 * with everything below it (each level opened with O_NOFOLLOW relative to its parent, so a
 * symlink is removed, never followed). A missing entry is success. Returns 0 or -errno. */
int rm_rf_at(int dir_fd, const char *name);

/* fsync() of the directory open at dir_fd, or of the directory at path. */
int fsync_dir_fd(int dir_fd);
int fsync_dir_path(const char *path);

/* Opens path (relative) below the directory open at root_fd with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS): a symlink anywhere on the way is -ELOOP, nothing
 * leads outside root_fd. O_CLOEXEC is added to flags. Returns the descriptor or -errno. */
int openat_in_root(int root_fd, const char *path, int flags, mode_t mode);

/* Bytes allocated on disk by the file or tree at name below dir_fd (st_blocks * 512), or -errno. */
int64_t disk_usage_at(int dir_fd, const char *name);
