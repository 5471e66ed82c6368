/* SPDX-License-Identifier: MIT */
/* The ext backend of GuestWriter: an ext2/3/4 filesystem at a byte offset of an image file,
 * read-write with libext2fs (the image is the FUSE export of a qcow2 overlay layer in
 * production, a plain file in the tests). No kernel mount, no root.
 *
 * Paths are resolved component by component from the root inode; a symlink or non-directory
 * among the directories is -ELOOP / -ENOTDIR, so nothing is written through a symlink.
 * New files are written to a new inode, linked into their directory only when complete; a
 * replaced file's old inode loses that link (and is released with its blocks and xattrs when it
 * was the last), as rename(2) over it would do in the dir backend. Directories are renamed with
 * their ".." entry and both parents' link counts. Times a caller sets (mtime) are also written
 * as atime, ctime and crtime, so that a tree written twice is the same tree; other changes stamp
 * the current time, as the kernel would. New files never use inline data (see ew_file_open());
 * inline directories and symlinks are libext2fs's, and existing inline files are read, replaced
 * and removed like any other.
 *
 * Nothing is final until guest_writer_close() (ext2fs_close: bitmaps, group descriptors and
 * superblock): a crash before it leaves a filesystem e2fsck must repair, which image mode never
 * sees, as it discards the incomplete layer. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <et/com_err.h>
#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>

#include "shared/path-util.h"
#include "guest-ext.h"
#include "config.h"
#include "ext-cache.h"
#include "guest-write-internal.h"

typedef struct ExtWriter {
        GuestWriter w;
        ext2_filsys fs;
        GuestFs *view;
        /* The last directory resolved, and its inode: consecutive operations mostly work in one
         * directory. Dropped by every rename and removal. */
        char *dir_path;
        ext2_ino_t dir_ino;
} ExtWriter;

typedef struct ExtFile {
        GuestWriterFile f;
        ext2_ino_t ino;
        ext2_file_t file;
        bool linked;
} ExtFile;

#define EXT(w) ((ExtWriter *) (w))

static int inode_read(ExtWriter *x, ext2_ino_t ino, struct ext2_inode_large *ret)
{
        memset(ret, 0, sizeof(*ret));
        return guest_ext_errno(ext2fs_read_inode_full(x->fs, ino, (struct ext2_inode *) ret, sizeof(*ret)));
}

static int inode_write(ExtWriter *x, ext2_ino_t ino, struct ext2_inode_large *in)
{
        return guest_ext_errno(ext2fs_write_inode_full(x->fs, ino, (struct ext2_inode *) in, sizeof(*in)));
}

static int64_t now(ExtWriter *x)
{
        return x->fs->now ? (int64_t) x->fs->now : guest_write_now();
}

/* Whether the inode's extra part holds field (large inodes only). */
#define HAS_FIELD(x, in, field)                                        \
        (EXT2_INODE_SIZE((x)->fs->super) > EXT2_GOOD_OLD_INODE_SIZE && \
         EXT2_GOOD_OLD_INODE_SIZE + (size_t) (in)->i_extra_isize >=    \
                 offsetof(struct ext2_inode_large, field) + sizeof((in)->field))

/* Seconds as ext4 stores them: the low 32 bits, and two epoch bits in the extra field (whose
 * nanoseconds are 0). */
static void encode_time(int64_t t, uint32_t *lo, uint32_t *extra)
{
        *lo = (uint32_t) t;
        if (extra)
                *extra = (uint32_t) (((t - (int64_t) (int32_t) *lo) >> 32) & EXT4_EPOCH_MASK);
}

enum {
        TIME_A = 1 << 0,
        TIME_M = 1 << 1,
        TIME_C = 1 << 2,
        TIME_CR = 1 << 3,
        TIME_ALL = TIME_A | TIME_M | TIME_C | TIME_CR,
};

static void set_times(ExtWriter *x, struct ext2_inode_large *in, int64_t t, unsigned which)
{
        if (which & TIME_A)
                encode_time(t, &in->i_atime, HAS_FIELD(x, in, i_atime_extra) ? &in->i_atime_extra : NULL);
        if (which & TIME_M)
                encode_time(t, &in->i_mtime, HAS_FIELD(x, in, i_mtime_extra) ? &in->i_mtime_extra : NULL);
        if (which & TIME_C)
                encode_time(t, &in->i_ctime, HAS_FIELD(x, in, i_ctime_extra) ? &in->i_ctime_extra : NULL);
        if ((which & TIME_CR) && HAS_FIELD(x, in, i_crtime_extra))
                encode_time(t, &in->i_crtime, &in->i_crtime_extra);
}

static void set_owner(struct ext2_inode_large *in, uint32_t uid, uint32_t gid)
{
        if (uid != GUEST_WRITER_KEEP_ID) {
                in->i_uid = (uint16_t) uid;
                ext2fs_set_i_uid_high(*in, uid >> 16);
        }
        if (gid != GUEST_WRITER_KEEP_ID) {
                in->i_gid = (uint16_t) gid;
                ext2fs_set_i_gid_high(*in, gid >> 16);
        }
}

/* The directory entry's file type for an inode's i_mode. */
static int file_type(uint16_t mode)
{
        static const struct {
                uint16_t ifmt;
                int ftype;
        } types[] = {
                { LINUX_S_IFREG, EXT2_FT_REG_FILE }, { LINUX_S_IFDIR, EXT2_FT_DIR },
                { LINUX_S_IFLNK, EXT2_FT_SYMLINK },  { LINUX_S_IFCHR, EXT2_FT_CHRDEV },
                { LINUX_S_IFBLK, EXT2_FT_BLKDEV },   { LINUX_S_IFIFO, EXT2_FT_FIFO },
                { LINUX_S_IFSOCK, EXT2_FT_SOCK },
        };

        for (size_t i = 0; i < ELEMENTSOF(types); i++)
                if ((mode & LINUX_S_IFMT) == types[i].ifmt)
                        return types[i].ftype;
        return EXT2_FT_UNKNOWN;
}

static void forget(ExtWriter *x)
{
        x->dir_path = mfree(x->dir_path);
        x->dir_ino = 0;
        guest_ext_forget(x->view);
}

static int lookup_child(ExtWriter *x, ext2_ino_t dir, const char *name, ext2_ino_t *ret)
{
        return guest_ext_errno(ext2fs_lookup(x->fs, dir, name, (int) strlen(name), NULL, ret));
}

/* Resolves canonical directory path without following symlinks. */
static int resolve_dir(ExtWriter *x, const char *path, ext2_ino_t *ret)
{
        ext2_ino_t ino = EXT2_ROOT_INO;
        const char *p = path;
        char *copy;
        int r;

        if (x->dir_path) {
                const char *rest = path_startswith(path, x->dir_path);

                if (rest) {
                        /* At or below the cached directory: start from there. */
                        if (!*rest) {
                                *ret = x->dir_ino;
                                return 0;
                        }
                        ino = x->dir_ino;
                        p = rest;
                }
        }
        for (;;) {
                struct ext2_inode in;
                char name[EXT2_NAME_LEN + 1];
                size_t n;
                errcode_t e;

                p += strspn(p, "/");
                if (!*p)
                        break;
                n = strcspn(p, "/");
                if (n > EXT2_NAME_LEN)
                        return -ENAMETOOLONG;
                memcpy(name, p, n);
                name[n] = 0;
                r = lookup_child(x, ino, name, &ino);
                if (r < 0)
                        return r;
                e = ext2fs_read_inode(x->fs, ino, &in);
                if (e)
                        return guest_ext_errno(e);
                if (LINUX_S_ISLNK(in.i_mode))
                        return -ELOOP;
                if (!LINUX_S_ISDIR(in.i_mode))
                        return -ENOTDIR;
                p += n;
        }
        copy = strdup(path);
        if (copy) {
                free(x->dir_path);
                x->dir_path = copy;
                x->dir_ino = ino;
        }
        *ret = ino;
        return 0;
}

/* The directory that holds canonical path (not "/") and its last component (inside path). */
static int parent_of(ExtWriter *x, const char *path, ext2_ino_t *ret_dir, const char **ret_name)
{
        _cleanup_free_ char *parent = NULL;
        int r;

        r = guest_write_split(path, &parent, ret_name);
        if (r < 0)
                return r;
        return resolve_dir(x, parent, ret_dir);
}

/* The entry of canonical path (not "/"): the directory that holds it, its name there (inside
 * path), its inode and, unless ret_in is NULL, what the inode holds. */
static int lookup_entry(ExtWriter *x, const char *path, ext2_ino_t *ret_dir, const char **ret_name,
                        ext2_ino_t *ret, struct ext2_inode_large *ret_in)
{
        int r;

        r = parent_of(x, path, ret_dir, ret_name);
        if (r < 0)
                return r;
        r = lookup_child(x, *ret_dir, *ret_name, ret);
        if (r < 0)
                return r;
        return ret_in ? inode_read(x, *ret, ret_in) : 0;
}

/* The inode at canonical path (the last component not followed) and, unless ret_in is NULL, what
 * it holds. */
static int resolve(ExtWriter *x, const char *path, ext2_ino_t *ret, struct ext2_inode_large *ret_in)
{
        const char *name;
        ext2_ino_t dir = 0;

        if (streq(path, "/")) {
                *ret = EXT2_ROOT_INO;
                return ret_in ? inode_read(x, *ret, ret_in) : 0;
        }
        return lookup_entry(x, path, &dir, &name, ret, ret_in);
}

/* Adds a directory entry, growing the directory when it is full. */
static int link_entry(ExtWriter *x, ext2_ino_t dir, const char *name, ext2_ino_t ino, int ftype)
{
        errcode_t e = ext2fs_link(x->fs, dir, name, ino, ftype);

        if (e == EXT2_ET_DIR_NO_SPACE) {
                e = ext2fs_expand_dir(x->fs, dir);
                if (!e)
                        e = ext2fs_link(x->fs, dir, name, ino, ftype);
        }
        return guest_ext_errno(e);
}

/* A directory's link count changes by delta (a subdirectory came or went), and it was modified
 * (mtime, ctime). Past EXT2_LINK_MAX, dir_nlink keeps the count at 1, as the kernel does. */
static int dir_changed(ExtWriter *x, ext2_ino_t dir, int delta)
{
        struct ext2_inode_large in;
        int r;

        r = inode_read(x, dir, &in);
        if (r < 0)
                return r;
        if (delta > 0 && in.i_links_count != 1) {
                if (in.i_links_count + 1 < EXT2_LINK_MAX)
                        in.i_links_count++;
                else if (ext2fs_has_feature_dir_nlink(x->fs->super))
                        in.i_links_count = 1;
                else
                        return -EMLINK;
        } else if (delta < 0 && in.i_links_count > 2)
                in.i_links_count--;
        set_times(x, &in, now(x), TIME_M | TIME_C);
        return inode_write(x, dir, &in);
}

/* Frees an inode no entry points to: its xattrs (and their block), its data blocks, itself. */
static int release_inode(ExtWriter *x, ext2_ino_t ino)
{
        struct ext2_inode_large in;
        bool is_dir;
        errcode_t e;
        int r;

        r = inode_read(x, ino, &in);
        if (r < 0)
                return r;
        is_dir = LINUX_S_ISDIR(in.i_mode);
        if (ext2fs_has_feature_xattr(x->fs->super)) {
                e = ext2fs_free_ext_attr(x->fs, ino, &in);
                if (e)
                        return guest_ext_errno(e);
                r = inode_read(x, ino, &in);
                if (r < 0)
                        return r;
        }
        /* Fast symlinks and inline data keep no blocks: their i_block is not a block map. */
        if (ext2fs_inode_has_valid_blocks2(x->fs, (struct ext2_inode *) &in)) {
                e = ext2fs_punch(x->fs, ino, (struct ext2_inode *) &in, NULL, 0, ~0ULL);
                if (e)
                        return guest_ext_errno(e);
                r = inode_read(x, ino, &in);
                if (r < 0)
                        return r;
        }
        in.i_links_count = 0;
        in.i_dtime = (uint32_t) now(x);
        r = inode_write(x, ino, &in);
        if (r < 0)
                return r;
        ext2fs_inode_alloc_stats2(x->fs, ino, -1, is_dir);
        return 0;
}

/* One directory entry of a non-directory went away. */
static int drop_link(ExtWriter *x, ext2_ino_t ino)
{
        struct ext2_inode_large in;
        int r;

        r = inode_read(x, ino, &in);
        if (r < 0)
                return r;
        if (in.i_links_count > 1) {
                in.i_links_count--;
                set_times(x, &in, now(x), TIME_C);
                return inode_write(x, ino, &in);
        }
        return release_inode(x, ino);
}

static int ew_lstat(GuestWriter *w, const char *path, GuestStat *ret)
{
        ExtWriter *x = EXT(w);
        struct ext2_inode_large in;
        ext2_ino_t ino = 0;
        int r;

        r = resolve(x, path, &ino, &in);
        if (r < 0)
                return r;
        *ret = (GuestStat){
                .type = guest_ext_file_type(in.i_mode),
                .mode = in.i_mode & 07777,
                .uid = inode_uid(in),
                .gid = inode_gid(in),
                .size = EXT2_I_SIZE(&in),
                .mtime = (int64_t) (int32_t) in.i_mtime +
                         (HAS_FIELD(x, &in, i_mtime_extra)
                                  ? (int64_t) (in.i_mtime_extra & EXT4_EPOCH_MASK) << 32
                                  : 0),
        };
        return 0;
}

static errcode_t make_node_once(ExtWriter *x, ext2_ino_t dir, const char *name, const char *target)
{
        return target ? ext2fs_symlink(x->fs, dir, 0, name, target) : ext2fs_mkdir(x->fs, dir, 0, name);
}

/* Makes a directory (target NULL: with mode) or a symlink to target at canonical path, growing
 * its directory when it is full, owned by uid:gid, with the current time. */
static int make_node(ExtWriter *x, const char *path, const char *target, uint32_t mode, uint32_t uid,
                     uint32_t gid)
{
        struct ext2_inode_large in;
        const char *name;
        ext2_ino_t dir = 0, ino = 0;
        errcode_t e;
        int r;

        r = parent_of(x, path, &dir, &name);
        if (r < 0)
                return r;
        e = make_node_once(x, dir, name, target);
        if (e == EXT2_ET_DIR_NO_SPACE) {
                e = ext2fs_expand_dir(x->fs, dir);
                if (!e)
                        e = make_node_once(x, dir, name, target);
        }
        if (e)
                return guest_ext_errno(e);
        r = lookup_child(x, dir, name, &ino);
        if (r < 0)
                return r;
        r = inode_read(x, ino, &in);
        if (r < 0)
                return r;
        if (!target)
                in.i_mode = LINUX_S_IFDIR | (uint16_t) mode;
        set_owner(&in, uid, gid);
        set_times(x, &in, now(x), TIME_ALL);
        r = inode_write(x, ino, &in);
        if (r < 0)
                return r;
        return dir_changed(x, dir, 0); /* ext2fs_mkdir counted a new directory's ".." already */
}

static int ew_mkdir(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid)
{
        return make_node(EXT(w), path, /* target= */ NULL, mode, uid, gid);
}

static int ew_file_open(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
                        GuestWriterFile **ret)
{
        ExtWriter *x = EXT(w);
        struct ext2_inode_large in = {};
        const char *name;
        ext2_ino_t dir = 0, ino = 0;
        ExtFile *f;
        errcode_t e;
        int r;

        r = parent_of(x, path, &dir, &name);
        if (r < 0)
                return r;
        f = calloc(1, sizeof(ExtFile));
        if (!f)
                return -ENOMEM;
        e = ext2fs_new_inode(x->fs, dir, LINUX_S_IFREG | 0600, NULL, &ino);
        if (e) {
                free(f);
                return guest_ext_errno(e);
        }
        in.i_mode = LINUX_S_IFREG | (uint16_t) mode;
        set_owner(&in, uid, gid);
        in.i_links_count = 1;
        /* Never inline data, even where the filesystem has it (the kernel does not need it):
         * libext2fs 1.47.0 writes inline files wrongly beyond their first write (a buffer
         * overflow for writes over three blocks, lost data for writes at an offset). */
        if (ext2fs_has_feature_extents(x->fs->super)) {
                ext2_extent_handle_t handle = NULL;

                /* Writes an empty extent header into i_block (and sets EXT4_EXTENTS_FL). */
                e = ext2fs_extent_open2(x->fs, ino, (struct ext2_inode *) &in, &handle);
                if (e) {
                        free(f);
                        return guest_ext_errno(e);
                }
                ext2fs_extent_free(handle);
        }
        set_times(x, &in, now(x), TIME_A | TIME_M | TIME_C);
        e = ext2fs_write_new_inode(x->fs, ino, (struct ext2_inode *) &in);
        if (e) {
                free(f);
                return guest_ext_errno(e);
        }
        /* Taken now, so that a second file opened before this one is closed gets another. */
        ext2fs_inode_alloc_stats2(x->fs, ino, +1, 0);
        f->ino = ino;
        e = ext2fs_file_open(x->fs, ino, EXT2_FILE_WRITE, &f->file);
        if (e) {
                (void) release_inode(x, ino);
                free(f);
                return guest_ext_errno(e);
        }
        *ret = &f->f;
        return 0;
}

static int ew_file_write(GuestWriterFile *gf, const void *data, size_t size)
{
        ExtFile *f = (ExtFile *) gf;
        const char *p = data;

        while (size > 0) {
                unsigned int want = (unsigned int) MIN(size, (size_t) (1u << 20)), written = 0;
                errcode_t e = ext2fs_file_write(f->file, p, want, &written);

                if (e)
                        return guest_ext_errno(e);
                if (written == 0)
                        return -EIO;
                p += written;
                size -= written;
        }
        return 0;
}

static int ew_file_commit(GuestWriterFile *gf, int64_t mtime)
{
        ExtFile *f = (ExtFile *) gf;
        ExtWriter *x = EXT(gf->writer);
        struct ext2_inode_large in;
        const char *name;
        ext2_ino_t dir = 0, old = 0;
        errcode_t e;
        int r;

        e = ext2fs_file_close(f->file);
        f->file = NULL;
        if (e)
                return guest_ext_errno(e);
        r = inode_read(x, f->ino, &in);
        if (r < 0)
                return r;
        set_times(x, &in, mtime == GUEST_WRITER_KEEP_TIME ? now(x) : mtime, TIME_ALL);
        r = inode_write(x, f->ino, &in);
        if (r < 0)
                return r;

        r = parent_of(x, gf->path, &dir, &name);
        if (r < 0)
                return r;
        r = lookup_child(x, dir, name, &old);
        if (r == -ENOENT) {
                r = link_entry(x, dir, name, f->ino, EXT2_FT_REG_FILE);
                if (r < 0)
                        return r;
        } else if (r < 0)
                return r;
        else {
                struct ext2_inode_large oin;

                r = inode_read(x, old, &oin);
                if (r < 0)
                        return r;
                if (LINUX_S_ISDIR(oin.i_mode))
                        return -EISDIR;
                e = ext2fs_unlink(x->fs, dir, name, old, 0);
                if (e)
                        return guest_ext_errno(e);
                r = link_entry(x, dir, name, f->ino, EXT2_FT_REG_FILE);
                if (r < 0) {
                        /* Put the old file back rather than lose both. */
                        (void) link_entry(x, dir, name, old, file_type(oin.i_mode));
                        return r;
                }
                f->linked = true;
                r = drop_link(x, old);
                if (r < 0)
                        return r;
        }
        f->linked = true; /* from here on, the file is the filesystem's */
        return dir_changed(x, dir, 0);
}

static void ew_file_free(GuestWriterFile *gf)
{
        ExtFile *f = (ExtFile *) gf;
        ExtWriter *x = EXT(gf->writer);

        if (f->file)
                (void) ext2fs_file_close(f->file);
        if (!f->linked)
                (void) release_inode(x, f->ino);
        free(f);
}

static int ew_symlink(GuestWriter *w, const char *path, const char *target, uint32_t uid, uint32_t gid)
{
        ExtWriter *x = EXT(w);

        /* The kernel reads a symlink's target from one block at most. */
        if (strlen(target) >= x->fs->blocksize)
                return -ENAMETOOLONG;
        return make_node(x, path, target, /* mode= */ 0, uid, gid);
}

static int ew_hardlink(GuestWriter *w, const char *path, const char *existing)
{
        ExtWriter *x = EXT(w);
        struct ext2_inode_large in;
        const char *name;
        ext2_ino_t dir = 0, ino = 0;
        int r;

        r = resolve(x, existing, &ino, &in);
        if (r < 0)
                return r;
        if (LINUX_S_ISDIR(in.i_mode))
                return -EPERM;
        if (in.i_links_count >= EXT2_LINK_MAX)
                return -EMLINK;
        r = parent_of(x, path, &dir, &name);
        if (r < 0)
                return r;
        r = link_entry(x, dir, name, ino, file_type(in.i_mode));
        if (r < 0)
                return r;
        in.i_links_count++;
        set_times(x, &in, now(x), TIME_C);
        r = inode_write(x, ino, &in);
        if (r < 0)
                return r;
        return dir_changed(x, dir, 0);
}

typedef struct DotDot {
        ext2_ino_t parent;
        bool done;
} DotDot;

/* By name: for inline directories, libext2fs numbers "." and ".." as ordinary entries. */
static bool is_dot_or_dotdot(const struct ext2_dir_entry *dirent, bool dotdot_only)
{
        int len = ext2fs_dirent_name_len(dirent);

        if (len == 2)
                return dirent->name[0] == '.' && dirent->name[1] == '.';
        return !dotdot_only && len == 1 && dirent->name[0] == '.';
}

static int dotdot_cb(ext2_ino_t dir _unused_, int entry _unused_, struct ext2_dir_entry *dirent,
                     int offset _unused_, int blocksize _unused_, char *buf _unused_, void *priv)
{
        DotDot *d = priv;

        if (dirent->inode == 0 || !is_dot_or_dotdot(dirent, true))
                return 0;
        dirent->inode = d->parent;
        d->done = true;
        return DIRENT_CHANGED | DIRENT_ABORT;
}

static int ew_rename(GuestWriter *w, const char *from, const char *to)
{
        ExtWriter *x = EXT(w);
        struct ext2_inode_large in;
        const char *fname, *tname;
        ext2_ino_t fdir = 0, tdir = 0, ino = 0, exists = 0;
        bool is_dir;
        errcode_t e;
        int r;

        r = lookup_entry(x, from, &fdir, &fname, &ino, &in);
        if (r < 0)
                return r;
        is_dir = LINUX_S_ISDIR(in.i_mode);
        r = parent_of(x, to, &tdir, &tname);
        if (r < 0)
                return r;
        r = lookup_child(x, tdir, tname, &exists);
        if (r == 0)
                return -EEXIST;
        if (r != -ENOENT)
                return r;
        /* guest-write.c refused a directory moving below itself (paths have no symlinks). */
        forget(x);
        r = link_entry(x, tdir, tname, ino, file_type(in.i_mode));
        if (r < 0)
                return r;
        e = ext2fs_unlink(x->fs, fdir, fname, ino, 0);
        if (e)
                return guest_ext_errno(e);
        if (is_dir && fdir != tdir) {
                DotDot d = { .parent = tdir };

                e = ext2fs_dir_iterate2(x->fs, ino, DIRENT_FLAG_INCLUDE_EMPTY, NULL, dotdot_cb, &d);
                if (e)
                        return guest_ext_errno(e);
                if (!d.done)
                        return -EUCLEAN;
                r = dir_changed(x, tdir, +1);
                if (r < 0)
                        return r;
                r = dir_changed(x, fdir, -1);
                if (r < 0)
                        return r;
        } else {
                r = dir_changed(x, tdir, 0);
                if (r < 0)
                        return r;
                if (fdir != tdir) {
                        r = dir_changed(x, fdir, 0);
                        if (r < 0)
                                return r;
                }
        }
        r = inode_read(x, ino, &in);
        if (r < 0)
                return r;
        set_times(x, &in, now(x), TIME_C);
        return inode_write(x, ino, &in);
}

static int count_cb(ext2_ino_t dir _unused_, int entry _unused_, struct ext2_dir_entry *dirent,
                    int offset _unused_, int blocksize _unused_, char *buf _unused_, void *priv)
{
        if (is_dot_or_dotdot(dirent, false))
                return 0;
        (*(unsigned *) priv)++;
        return DIRENT_ABORT;
}

static int ew_remove(GuestWriter *w, const char *path, const GuestStat *st)
{
        ExtWriter *x = EXT(w);
        struct ext2_inode_large in;
        const char *name;
        ext2_ino_t dir = 0, ino = 0;
        errcode_t e;
        int r;

        r = lookup_entry(x, path, &dir, &name, &ino, &in);
        if (r < 0)
                return r;
        if (LINUX_S_ISDIR(in.i_mode)) {
                unsigned n = 0;

                e = ext2fs_dir_iterate2(x->fs, ino, 0, NULL, count_cb, &n);
                if (e)
                        return guest_ext_errno(e);
                if (n > 0)
                        return -ENOTEMPTY;
        }
        forget(x);
        e = ext2fs_unlink(x->fs, dir, name, ino, 0);
        if (e)
                return guest_ext_errno(e);
        if (LINUX_S_ISDIR(in.i_mode)) {
                r = release_inode(x, ino);
                if (r < 0)
                        return r;
                return dir_changed(x, dir, -1);
        }
        r = drop_link(x, ino);
        if (r < 0)
                return r;
        return dir_changed(x, dir, 0);
}

static int ew_set_meta(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
                       int64_t mtime)
{
        ExtWriter *x = EXT(w);
        struct ext2_inode_large in;
        ext2_ino_t ino = 0;
        int r;

        r = resolve(x, path, &ino, &in);
        if (r < 0)
                return r;
        if (mode != GUEST_WRITER_KEEP_ID && !LINUX_S_ISLNK(in.i_mode))
                in.i_mode = (uint16_t) ((in.i_mode & LINUX_S_IFMT) | mode);
        set_owner(&in, uid, gid);
        if (mtime != GUEST_WRITER_KEEP_TIME)
                set_times(x, &in, mtime, TIME_ALL);
        else
                set_times(x, &in, now(x), TIME_C);
        return inode_write(x, ino, &in);
}

static int ew_set_xattr(GuestWriter *w, const char *path, const char *name, const void *value, size_t size)
{
        ExtWriter *x = EXT(w);
        struct ext2_xattr_handle *h = NULL;
        ext2_ino_t ino = 0;
        errcode_t e;
        int r;

        if (streq(name, "system.data"))
                return -EPERM; /* inline data lives there */
        r = resolve(x, path, &ino, /* ret_in= */ NULL);
        if (r < 0)
                return r;
        e = ext2fs_xattrs_open(x->fs, ino, &h);
        if (e)
                return guest_ext_errno(e);
        e = ext2fs_xattrs_read(h);
        if (!e)
                e = ext2fs_xattr_set(h, name, value, size); /* writes the inode's attributes */
        (void) ext2fs_xattrs_close(&h);
        return guest_ext_errno(e);
}

static GuestFs *ew_fs(GuestWriter *w)
{
        return EXT(w)->view;
}

static void ew_release(ExtWriter *x)
{
        guest_fs_free(x->view);
        free(x->dir_path);
        free(x);
}

static int ew_close(GuestWriter *w)
{
        ExtWriter *x = EXT(w);
        errcode_t e = 0;

        if (x->fs)
                e = ext2fs_close_free(&x->fs);
        ew_release(x);
        return guest_ext_errno(e);
}

static void ew_free(GuestWriter *w)
{
        ExtWriter *x = EXT(w);

        /* Even on error paths the bitmaps and counts go out with what was already written (the
         * I/O channel flushes its cache in any case): a consistent filesystem is the lesser
         * surprise. */
        if (x->fs)
                (void) ext2fs_close_free(&x->fs);
        ew_release(x);
}

static const GuestWriterOps ext_writer_ops = {
        .name = "ext",
        .lstat = ew_lstat,
        .mkdir = ew_mkdir,
        .file_open = ew_file_open,
        .file_write = ew_file_write,
        .file_commit = ew_file_commit,
        .file_free = ew_file_free,
        .symlink = ew_symlink,
        .hardlink = ew_hardlink,
        .rename = ew_rename,
        .remove = ew_remove,
        .set_meta = ew_set_meta,
        .set_xattr = ew_set_xattr,
        .fs = ew_fs,
        .close = ew_close,
        .free = ew_free,
};

static int fail(ext2_filsys *fs, char **ret_error, int r, const char *msg)
{
        /* Nothing was changed: no flush. */
        if (*fs)
                ext2fs_free(*fs);
        *fs = NULL;
        if (ret_error)
                *ret_error = strdup(msg);
        return r;
}

int guest_writer_open_ext(const char *image_path, uint64_t offset, GuestWriter **ret, char **ret_error)
{
        ext2_filsys fs = NULL;
        char opts[64];
        ExtWriter *x;
        errcode_t e;
        int r;

        snprintf(opts, sizeof(opts), "offset=%llu", (unsigned long long) offset);
#if FAULT_INJECTION
        /* Test builds: a tiny write-back cache, so that the tests go through it being full. */
        if (getenv("AZLMIGRATE_EXT_CACHE_BLOCKS"))
                snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "&cache_blocks=%.16s",
                         getenv("AZLMIGRATE_EXT_CACHE_BLOCKS"));
#endif
        e = ext2fs_open2(image_path, opts, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0, ext_cache_io_manager, &fs);
        if (e) {
                fs = NULL;
                return fail(&fs, ret_error, guest_ext_errno(e), error_message(e));
        }
        if (ext2fs_has_feature_journal_needs_recovery(fs->super))
                return fail(&fs, ret_error, -EUCLEAN,
                            "the journal holds transactions not yet replayed (run e2fsck first)");
        if (fs->super->s_state & EXT2_ERROR_FS)
                return fail(&fs, ret_error, -EUCLEAN,
                            "the filesystem has errors recorded (run e2fsck first)");
        e = ext2fs_read_bitmaps(fs);
        if (e)
                return fail(&fs, ret_error, guest_ext_errno(e), error_message(e));

        x = calloc(1, sizeof(ExtWriter));
        if (!x)
                return fail(&fs, ret_error, -ENOMEM, "out of memory");
        guest_writer_init(&x->w, &ext_writer_ops);
        r = guest_ext_open_handle(fs, &x->view);
        if (r < 0) {
                free(x);
                return fail(&fs, ret_error, r, "out of memory");
        }
        x->fs = fs;
        *ret = &x->w;
        return 0;
}
