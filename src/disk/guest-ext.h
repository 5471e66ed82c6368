/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "guest.h"

typedef struct GuestExtInfo {
        bool needs_recovery;  /* the journal holds transactions not yet replayed */
        bool checksum_errors; /* metadata checksums did not verify; opened ignoring them */
        char *error;          /* libext2fs's message when the open failed (caller frees) */
} GuestExtInfo;

/* Opens the ext2/3/4 filesystem at byte offset of the image open at fd (not consumed: the
 * backend works on its own duplicate), read-only, with libext2fs. No root, no mount, no VM.
 * Returns 0, -EUCLEAN for a filesystem libext2fs rejects as corrupt (info->error says why), or
 * -errno. info is filled in either case. */
int guest_ext_open(int fd, uint64_t offset, GuestFs **ret, GuestExtInfo *info);

/* A read view of a filesystem open elsewhere (a GuestWriter's read-write handle); the handle is
 * borrowed: freeing the view leaves it open. */
struct struct_ext2_filsys; /* ext2_filsys, without libext2fs's headers */
int guest_ext_open_handle(struct struct_ext2_filsys *e2fs, GuestFs **ret);
/* Drops the view's directory cache: call after the filesystem changed (renames, removals). */
void guest_ext_forget(GuestFs *fs);

/* The type of an inode's i_mode (LINUX_S_IF*), for the ext backends of the reader and the writer. */
GuestFileType guest_ext_file_type(uint16_t mode);

/* libext2fs returns com_err codes: small values are errnos from the I/O layer, the rest are
 * EXT2_ET_* codes. Maps one to a negative errno (-EUCLEAN for corruption it cannot name). */
int guest_ext_errno(long e);
