/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "guest.h"

/* Opens the FAT12/16/32 filesystem (an EFI system partition) in the byte range
 * [offset, offset + size) of the image open at fd, read-only, by reading its structures
 * directly: boot sector, FAT, directories with long (VFAT) names. Lookups are
 * case-insensitive, as the kernel's vfat is. Every read is bounds-checked against the range, and
 * cluster chains are followed at most as far as the filesystem has clusters (a loop is an
 * error, not a hang). fd is borrowed and must outlive the GuestFs.
 * Returns 0, -EUCLEAN for a boot sector that is not FAT or is inconsistent, or -errno. */
int guest_fat_open(int fd, uint64_t offset, uint64_t size, GuestFs **ret);
