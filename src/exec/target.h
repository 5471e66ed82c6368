/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "disk/guest-write.h"

/* Extracting the target: an Azure Linux root filesystem as a tar archive (plain, gzip, xz, zstd
 * or bzip2, told apart by their content) is extracted with libarchive into a GuestWriter below a
 * prefix ("/.azlmigrate/stage").
 *
 * The archive is hostile input. Refused, with an error naming the member, and nothing further
 * written: absolute member paths, ".." components, names with control characters (newlines
 * included) or longer than PATH_MAX, a member whose path goes through a symlink (one already in
 * the filesystem or one the archive created earlier: the writer never follows symlinks), hard
 * links whose target is absolute, has "..", or is not an earlier member. Device nodes, fifos and
 * sockets are skipped and counted. Kept: mode (07777), numeric owner, mtime, symlink targets
 * verbatim, hard links, xattrs in the security.* and user.* namespaces (trusted.* only when
 * running as root). Directories get their mode and mtime last, deepest first, as tar does. */

typedef struct TargetStats {
        uint64_t files;
        uint64_t dirs;
        uint64_t symlinks;
        uint64_t hardlinks;
        uint64_t skipped_devices; /* device nodes, fifos, sockets */
        uint64_t bytes;           /* content of regular files */
} TargetStats;

/* Progress: done and total bytes of the (compressed) archive file read so far. */
typedef void (*TargetProgress)(void *userdata, uint64_t done, uint64_t total);

/* Extracts tarball below prefix (a canonical absolute path of w's filesystem that must not exist
 * yet: -EEXIST otherwise; its missing parents are created). On failure *ret_error (optional) gets
 * a message naming the member, and what was extracted so far stays below prefix for the caller
 * to remove. Returns 0 or -errno (-EINVAL for a refused member, -EBADMSG for a corrupt archive). */
int target_extract(const char *tarball, GuestWriter *w, const char *prefix, TargetStats *ret_stats,
                   char **ret_error);
/* The same with a progress callback (may be NULL), called about every megabyte and at the end. */
int target_extract_with_progress(const char *tarball, GuestWriter *w, const char *prefix,
                                 TargetProgress progress, void *userdata, TargetStats *ret_stats,
                                 char **ret_error);

/* Reads only the archive's headers: the bytes of its regular files once unpacked, and its number
 * of members, for checking that the target fits before it is extracted. Returns 0 or -errno (with
 * *ret_error as target_extract() gives it). */
int target_measure(const char *tarball, uint64_t *ret_bytes, uint64_t *ret_entries, char **ret_error);
