/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"
#include "shared/string-util.h"

/* Guest file access: one interface, several backends.
 *
 * A GuestFs is one filesystem read through one backend:
 *   dir     a directory on the host (--root DIR), paths confined with openat2(RESOLVE_IN_ROOT)
 *   ext     ext2/3/4 read with libext2fs at a byte offset of an image: no root, no mount, no VM
 *   fat     FAT12/16/32 (the EFI system partition) read directly from the image
 *   guestfs everything else, through libguestfs
 * A Guest is the guest's mount table: GuestFs instances placed at mount points, as /etc/fstab
 * places them. Every path a caller passes is a guest path; the Guest resolves it component by
 * component, following symlinks relative to the guest root (an absolute link target starts
 * again at the guest's "/", ".." never climbs above it), crossing into the filesystem mounted at
 * each point. Backends only ever see canonical paths: absolute within their filesystem, with no
 * ".", "..", empty components or symlinks in directory components. Nothing a guest contains can
 * make a backend touch a host path outside its filesystem. */

typedef enum GuestFileType {
        GUEST_FILE_REGULAR,
        GUEST_FILE_DIRECTORY,
        GUEST_FILE_SYMLINK,
        GUEST_FILE_OTHER, /* devices, fifos, sockets: never read */
        _GUEST_FILE_TYPE_MAX,
        _GUEST_FILE_TYPE_INVALID = -EINVAL,
} GuestFileType;

DECLARE_STRING_TABLE_LOOKUP(guest_file_type, GuestFileType);

typedef struct GuestStat {
        GuestFileType type;
        uint32_t mode; /* permission bits (07777) */
        uint32_t uid;
        uint32_t gid;
        uint64_t size;
        int64_t mtime; /* seconds since the epoch */
} GuestStat;

/* Space of a filesystem, in bytes. available: what unprivileged users may still use. */
typedef struct GuestFsSpace {
        uint64_t size;
        uint64_t free;
        uint64_t available;
} GuestFsSpace;

typedef struct GuestDirEntry {
        char *name;
        GuestFileType type; /* _GUEST_FILE_TYPE_INVALID when the backend cannot tell cheaply */
} GuestDirEntry;

/* Backends never produce more entries than this from one directory (-E2BIG beyond). */
#define GUEST_DIR_ENTRIES_MAX (256u * 1024u)
/* Longest guest path and symlink target handled (-ENAMETOOLONG beyond); symlinks followed per
 * lookup (-ELOOP beyond), as Linux does. */
#define GUEST_PATH_MAX    4096u
#define GUEST_SYMLINK_MAX 40u

/* An extended attribute: its full name ("security.selinux") and raw value. */
typedef struct GuestXattr {
        char *name;
        void *value;
        size_t size;
} GuestXattr;

/* Backends never return more attributes than this for one file (-E2BIG beyond), nor a value
 * larger than the kernel's XATTR_SIZE_MAX. */
#define GUEST_XATTRS_MAX     1024u
#define GUEST_XATTR_SIZE_MAX (64u * 1024u)

typedef struct GuestFs GuestFs;

typedef struct GuestFsOps {
        const char *name;
        /* path: canonical and absolute within this filesystem ("/" is its root). */
        int (*lstat)(GuestFs *fs, const char *path, GuestStat *ret);
        /* Returns the raw target of a symlink (at most GUEST_PATH_MAX bytes). */
        int (*readlink)(GuestFs *fs, const char *path, char **ret);
        /* Reads up to size bytes of a regular file from offset into buf; *ret_n is what was read
         * (less than size only at the end of the file). -EISDIR for directories, -EPERM for
         * anything but a regular file. */
        int (*pread)(GuestFs *fs, const char *path, uint64_t offset, size_t size, void *buf, size_t *ret_n);
        /* Lists a directory without "." and "..", in any order. */
        int (*readdir)(GuestFs *fs, const char *path, GuestDirEntry **ret, size_t *ret_n);
        /* The filesystem's size and free space (from its own metadata). */
        int (*space)(GuestFs *fs, GuestFsSpace *ret);
        /* Lists the extended attributes of path itself (of a symlink, the link's own), in any
         * order. Optional: NULL where the backend cannot read them (guest_lxattrs() then gives
         * -EOPNOTSUPP). Filesystem-internal attributes (ext4's "system.data") are not listed. */
        int (*listxattr)(GuestFs *fs, const char *path, GuestXattr **ret, size_t *ret_n);
        void (*free)(GuestFs *fs);
} GuestFsOps;

/* Every backend's object starts with this. */
struct GuestFs {
        const GuestFsOps *ops;
};

GuestFs *guest_fs_free(GuestFs *fs);
DEFINE_TRIVIAL_CLEANUP_FUNC(GuestFs *, guest_fs_free);

void guest_dir_entries_free(GuestDirEntry *e, size_t n);
void guest_xattrs_free(GuestXattr *x, size_t n);

/* A proxy for fs whose free does nothing: mounts a filesystem owned elsewhere (a GuestWriter's
 * view) in a Guest without the Guest freeing it. fs must outlive the proxy. */
int guest_fs_borrow(GuestFs *fs, GuestFs **ret);

typedef struct Guest Guest;

int guest_new(Guest **ret);
Guest *guest_free(Guest *g);
DEFINE_TRIVIAL_CLEANUP_FUNC(Guest *, guest_free);

/* Places fs at mountpoint (a canonical absolute guest path). Takes ownership of fs, also on
 * failure. The first mount must be "/". Mounting twice at one point: the later one wins, as it
 * would in the guest. Returns 0 or -errno. */
int guest_mount(Guest *g, const char *mountpoint, GuestFs *fs);

/* Resolves path (absolute) to its canonical guest path. With follow, a final symlink is
 * followed too. Returns 0, -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG or -errno. */
int guest_resolve(Guest *g, const char *path, bool follow, char **ret);

int guest_stat(Guest *g, const char *path, GuestStat *ret);  /* follows a final symlink */
int guest_lstat(Guest *g, const char *path, GuestStat *ret); /* does not */
/* Returns the target of the symlink at path (not resolved). */
int guest_readlink(Guest *g, const char *path, char **ret);
/* Reads a regular file (symlinks followed): -EFBIG above max bytes, -EISDIR for a directory,
 * -EPERM for devices, fifos and sockets. */
int guest_read_file(Guest *g, const char *path, size_t max, char **ret, size_t *ret_size);
/* Reads up to size bytes from offset of a regular file (symlinks followed) into buf. */
int guest_pread(Guest *g, const char *path, uint64_t offset, size_t size, void *buf, size_t *ret_n);
/* Lists a directory (symlinks followed), sorted by name, with every entry's type filled in. */
int guest_read_dir(Guest *g, const char *path, GuestDirEntry **ret, size_t *ret_n);

/* Size and free space of the filesystem mounted exactly at mountpoint. Returns 0, -ENOENT when
 * nothing is mounted there, or -errno. */
int guest_space(Guest *g, const char *mountpoint, GuestFsSpace *ret);

/* Lists the extended attributes of path (a final symlink is not followed), sorted by name.
 * -EOPNOTSUPP when the backend cannot read them. */
int guest_lxattrs(Guest *g, const char *path, GuestXattr **ret, size_t *ret_n);

/* Forgets what the Guest cached about its filesystems' directories and symlinks: call it after
 * changing a mounted filesystem through a GuestWriter. */
int guest_forget_cache(Guest *g);

/* Convenience: 1 if path exists (following symlinks) and has that type, 0 if not, -errno on
 * errors other than "does not exist". */
int guest_is_type(Guest *g, const char *path, GuestFileType type);
