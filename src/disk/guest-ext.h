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
