/* SPDX-License-Identifier: MIT */
#pragma once

#include "guest.h"

/* Opens a host directory as a guest filesystem (for --root DIR). Every access is confined to
 * the directory by openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so that even a symlink the
 * resolver did not see (a tree changing under us) cannot lead outside it.
 * Returns 0, -ENOTDIR, -ENOSYS (kernel without openat2) or -errno. */
int guest_dir_open(const char *path, GuestFs **ret);

/* The same on a directory already open at dir_fd (not consumed: the GuestFs has its own
 * duplicate). */
int guest_dir_open_fd(int dir_fd, GuestFs **ret);

/* Lists the extended attributes of the inode open at fd (O_PATH included; a symlink's own), with
 * their values. For the dir backends of the reader and the writer. */
int guest_dir_fd_xattrs(int fd, GuestXattr **ret, size_t *ret_n);

/* The GuestStat of what lstat()/fstat() said (for the dir backends of the reader and the writer). */
struct stat;
void guest_dir_stat_from(const struct stat *st, GuestStat *ret);
