/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest.h"

/* Writing into a guest filesystem: one interface, three backends.
 *   dir  a mounted root (convert --root DIR); every operation is confined to the directory with
 *        openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
 *   ext  an ext2/3/4 filesystem at a byte offset of an image file, read-write with libext2fs
 *        (the image is the FUSE export of a qcow2 overlay layer: the source is never written)
 *   fat  a FAT filesystem (the EFI system partition) at a byte offset of an image file, through
 *        mtools
 * Paths are canonical absolute paths of THAT filesystem ("/etc/hostname"). Writers never follow
 * a symlink: a symlink where a directory is expected gives -ELOOP or -ENOTDIR, and the final
 * component is created, replaced or removed itself, never its target. Every function returns 0
 * or a negative errno; a path that is not canonical is -EINVAL, a component over 255 bytes or a
 * path over GUEST_PATH_MAX -ENAMETOOLONG, changing or removing "/" -EBUSY.
 *
 * Replacing a file (write_file or file_open over an existing non-directory) makes a new file, as
 * rename(2) over it would: other hard links keep the old content; a symlink there is replaced,
 * not followed.
 *
 * Backend specifics (details at the top of each guest-write-*.c):
 *   dir  files are written as O_TMPFILE inodes and linked (or renamed) into place only when
 *        complete, after fsync(); the only trace a crash can leave is a ".#azlm-*" file in the
 *        target directory. xattrs: fsetxattr() on an O_RDONLY|O_NOFOLLOW descriptor for files and
 *        directories, setxattr() on /proc/self/fd/N of an O_PATH|O_NOFOLLOW descriptor for
 *        symlinks and special files. close() is syncfs().
 *   ext  the image holds a consistent filesystem only after close() (ext2fs_close_free writes
 *        bitmaps, group descriptors, superblock); a journal that needs recovery, or recorded
 *        errors, refuse the open. Times that are set (mtime) are also written as atime, ctime and
 *        crtime. New files never use inline data.
 *   fat  no symlinks, hard links or xattrs (-EOPNOTSUPP), owners ignored, a mode without write
 *        bits is the read-only attribute, mtimes of regular files only (2-second steps); names
 *        FAT cannot store or mtools would expand ("*?<>:\"\\|[]", control characters, a trailing
 *        dot or space) are -EINVAL. Each change is one mtools run, final when it ends. */

typedef struct GuestWriter GuestWriter;
typedef struct GuestWriterFile GuestWriterFile;

/* guest_writer_set_meta(): leave this field as it is. As an mtime elsewhere: the current time. */
#define GUEST_WRITER_KEEP_ID   UINT32_MAX /* mode, uid or gid */
#define GUEST_WRITER_KEEP_TIME INT64_MIN

typedef enum GuestWriteOp {
        GUEST_WRITE_CREATE,  /* a new regular file (path did not exist) */
        GUEST_WRITE_REPLACE, /* an existing regular file's content is replaced */
        GUEST_WRITE_MKDIR,
        GUEST_WRITE_SYMLINK,
        GUEST_WRITE_HARDLINK, /* path2: the existing file */
        GUEST_WRITE_RENAME,   /* path -> path2 */
        GUEST_WRITE_REMOVE,
        GUEST_WRITE_META, /* mode, owner or mtime */
        GUEST_WRITE_XATTR,
        _GUEST_WRITE_OP_MAX,
        _GUEST_WRITE_OP_INVALID = -EINVAL,
} GuestWriteOp;

DECLARE_STRING_TABLE_LOOKUP(guest_write_op, GuestWriteOp);

/* Called before every change, with the path as it is still unchanged (the undo journal of root
 * mode records the pre-image here). A negative return vetoes the change and is returned by the
 * operation. Errors the writer can tell beforehand (-EEXIST, -ENOENT of the path itself, -ELOOP,
 * -ENOTEMPTY, -EOPNOTSUPP, invalid paths) come before the observer is called; the change may
 * still fail after it (a missing parent, a full filesystem): record it as "may have happened".
 * A streaming file is observed (CREATE or REPLACE) in guest_writer_file_open(): its path stays
 * unchanged until guest_writer_file_close(). */
typedef int (*GuestWriteObserver)(void *userdata, GuestWriteOp op, const char *path, const char *path2);

int guest_writer_open_dir(const char *root, GuestWriter **ret);
int guest_writer_open_ext(const char *image_path, uint64_t offset, GuestWriter **ret, char **ret_error);
int guest_writer_open_fat(const char *image_path, uint64_t offset, uint64_t size, GuestWriter **ret);

/* Flushes and closes. A read-write ext2 handle is closed explicitly and its error returned;
 * the writer is freed in every case. */
int guest_writer_close(GuestWriter *w);
/* Frees without flushing (error paths); NULL-safe. ext: the handle is still closed properly
 * (ignoring errors), since its I/O channel writes out what it cached anyway and a filesystem with
 * stale bitmaps would be worse. */
GuestWriter *guest_writer_free(GuestWriter *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(GuestWriter *, guest_writer_free);

void guest_writer_set_observer(GuestWriter *w, GuestWriteObserver cb, void *userdata);

/* dir backend: with sync (the default) every file's data is fsync()ed before the file is linked
 * into place and the directory after each change; without, only syncfs() at close. No effect on
 * the other backends (their changes reach the image at close, or when each mtools run ends). */
void guest_writer_set_sync(GuestWriter *w, bool sync);

/* A read view of the same filesystem through the same handle (it sees the writer's changes).
 * Borrowed: valid until the writer is closed. Mount it in a Guest with guest_fs_borrow(). */
GuestFs *guest_writer_fs(GuestWriter *w);

int guest_writer_mkdir(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid);
/* Creates, or replaces, a regular file with content. */
int guest_writer_write_file(GuestWriter *w, const char *path, const void *data, size_t size, uint32_t mode,
                            uint32_t uid, uint32_t gid, int64_t mtime);
/* Streaming variant for large files: the file appears at path only on close. */
int guest_writer_file_open(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
                           GuestWriterFile **ret);
int guest_writer_file_write(GuestWriterFile *f, const void *data, size_t size);
/* Commits the file (mtime set) and frees f, also on failure. */
int guest_writer_file_close(GuestWriterFile *f, int64_t mtime);
/* Discards an unfinished file and frees f. */
void guest_writer_file_abort(GuestWriterFile *f);
int guest_writer_symlink(GuestWriter *w, const char *path, const char *target, uint32_t uid, uint32_t gid);
int guest_writer_hardlink(GuestWriter *w, const char *path, const char *existing);
/* Renames within the filesystem; to must not exist (-EEXIST). Directories move with their tree. */
int guest_writer_rename(GuestWriter *w, const char *from, const char *to);
/* Removes a file, symlink or empty directory. */
int guest_writer_remove(GuestWriter *w, const char *path);
int guest_writer_set_meta(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
                          int64_t mtime);
int guest_writer_set_xattr(GuestWriter *w, const char *path, const char *name, const void *value,
                           size_t size);
