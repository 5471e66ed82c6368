/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <et/com_err.h>
#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>

#include "shared/fd-util.h"
#include "guest-ext.h"

typedef struct GuestExt {
        GuestFs fs;
        ext2_filsys e2fs;
        bool borrowed; /* e2fs belongs to someone else (a GuestWriter): never closed here */
        /* The parent directory of the last lookup: listing a directory and then looking at its
         * entries one by one is the common pattern, and each lookup would otherwise walk from
         * the root again. */
        char *last_dir;
        ext2_ino_t last_dir_ino;
} GuestExt;

/* libext2fs returns com_err codes: small values are errnos from the I/O layer, the rest are
 * EXT2_ET_* codes. Map the ones callers can act on; everything else is corruption or I/O. */
int guest_ext_errno(long e)
{
        if (e == 0)
                return 0;
        if (e > 0 && e < 256)
                return -(int) e;
        switch (e) {
        case EXT2_ET_NO_MEMORY:
                return -ENOMEM;
        case EXT2_ET_FILE_NOT_FOUND:
                return -ENOENT;
        case EXT2_ET_NO_DIRECTORY:
                return -ENOTDIR;
        case EXT2_ET_SYMLINK_LOOP:
                return -ELOOP;
        case EXT2_ET_FILE_TOO_BIG:
                return -EFBIG;
        case EXT2_ET_SHORT_READ:
        case EXT2_ET_SHORT_WRITE:
                return -EIO;
        case EXT2_ET_DIR_EXISTS:
        case EXT2_ET_FILE_EXISTS:
                return -EEXIST;
        case EXT2_ET_DIR_NO_SPACE:
        case EXT2_ET_BLOCK_ALLOC_FAIL:
        case EXT2_ET_INODE_ALLOC_FAIL:
        case EXT2_ET_EA_NO_SPACE:
        case EXT2_ET_INLINE_DATA_NO_SPACE:
                return -ENOSPC;
        case EXT2_ET_RO_FILSYS:
        case EXT2_ET_RO_UNSUPP_FEATURE:
                return -EROFS;
        case EXT2_ET_MISSING_EA_FEATURE:
                return -EOPNOTSUPP;
        case EXT2_ET_EA_KEY_NOT_FOUND:
                return -ENODATA;
        case EXT2_ET_INVALID_ARGUMENT:
                return -EINVAL;
        default:
                return -EUCLEAN;
        }
}

static int lookup(GuestExt *x, const char *path, ext2_ino_t *ret)
{
        const char *slash, *name;
        ext2_ino_t dir = EXT2_ROOT_INO, ino;
        errcode_t e;

        if (path[0] == '/' && path[1] == 0) {
                *ret = EXT2_ROOT_INO;
                return 0;
        }
        slash = strrchr(path, '/');
        name = slash + 1;
        if (slash != path) {
                size_t dl = (size_t) (slash - path);
                if (x->last_dir && strlen(x->last_dir) == dl && strncmp(x->last_dir, path, dl) == 0)
                        dir = x->last_dir_ino;
                else {
                        _cleanup_free_ char *d = strndup(path, dl);
                        if (!d)
                                return -ENOMEM;
                        /* The path is canonical: every directory component is a real directory,
                         * so namei follows no symlink here. */
                        e = ext2fs_namei(x->e2fs, EXT2_ROOT_INO, EXT2_ROOT_INO, d + 1, &dir);
                        if (e)
                                return guest_ext_errno(e);
                        free(x->last_dir);
                        x->last_dir = TAKE_PTR(d);
                        x->last_dir_ino = dir;
                }
        }
        e = ext2fs_lookup(x->e2fs, dir, name, (int) strlen(name), NULL, &ino);
        if (e)
                return guest_ext_errno(e);
        *ret = ino;
        return 0;
}

static int read_inode(GuestExt *x, const char *path, ext2_ino_t *ret_ino, struct ext2_inode *ret)
{
        ext2_ino_t ino = 0;
        errcode_t e;
        int r;

        r = lookup(x, path, &ino);
        if (r < 0)
                return r;
        e = ext2fs_read_inode(x->e2fs, ino, ret);
        if (e)
                return guest_ext_errno(e);
        if (ret_ino)
                *ret_ino = ino;
        return 0;
}

GuestFileType guest_ext_file_type(uint16_t m)
{
        if (LINUX_S_ISREG(m))
                return GUEST_FILE_REGULAR;
        if (LINUX_S_ISDIR(m))
                return GUEST_FILE_DIRECTORY;
        if (LINUX_S_ISLNK(m))
                return GUEST_FILE_SYMLINK;
        return GUEST_FILE_OTHER;
}

static int ext_lstat(GuestFs *fs, const char *path, GuestStat *ret)
{
        struct ext2_inode inode;
        int r;

        r = read_inode((GuestExt *) fs, path, NULL, &inode);
        if (r < 0)
                return r;
        *ret = (GuestStat){
                .type = guest_ext_file_type(inode.i_mode),
                .mode = inode.i_mode & 07777,
                .uid = inode_uid(inode),
                .gid = inode_gid(inode),
                .size = EXT2_I_SIZE(&inode),
                .mtime = (int64_t) inode.i_mtime,
        };
        return 0;
}

/* Reads up to size bytes of inode's data from offset. */
static int read_data(GuestExt *x, ext2_ino_t ino, struct ext2_inode *inode, uint64_t offset, size_t size,
                     char *buf, size_t *ret_n)
{
        ext2_file_t f = NULL;
        uint64_t isize = EXT2_I_SIZE(inode);
        unsigned int got = 0;
        size_t done = 0;
        errcode_t e;

        if (offset >= isize) {
                *ret_n = 0;
                return 0;
        }
        size = (size_t) MIN((uint64_t) size, isize - offset);
        e = ext2fs_file_open2(x->e2fs, ino, inode, 0, &f);
        if (e)
                return guest_ext_errno(e);
        e = ext2fs_file_llseek(f, offset, EXT2_SEEK_SET, NULL);
        while (!e && done < size) {
                unsigned int want = (unsigned int) MIN(size - done, (size_t) (1u << 20));
                e = ext2fs_file_read(f, buf + done, want, &got);
                if (e || got == 0)
                        break;
                done += got;
        }
        (void) ext2fs_file_close(f);
        if (e)
                return guest_ext_errno(e);
        *ret_n = done;
        return 0;
}

static int ext_readlink(GuestFs *fs, const char *path, char **ret)
{
        GuestExt *x = (GuestExt *) fs;
        struct ext2_inode inode;
        ext2_ino_t ino = 0;
        size_t size;
        int r;

        r = read_inode(x, path, &ino, &inode);
        if (r < 0)
                return r;
        if (!LINUX_S_ISLNK(inode.i_mode))
                return -EINVAL;
        size = (size_t) EXT2_I_SIZE(&inode);
        if (size > GUEST_PATH_MAX)
                return -ENAMETOOLONG;
        if (inode.i_flags & EXT4_INLINE_DATA_FL) {
                char buf[GUEST_PATH_MAX + 1];
                size_t n = sizeof(buf) - 1;
                errcode_t e = ext2fs_inline_data_size(x->e2fs, ino, &n);
                if (e)
                        return guest_ext_errno(e);
                if (n > GUEST_PATH_MAX)
                        return -ENAMETOOLONG;
                e = ext2fs_inline_data_get(x->e2fs, ino, &inode, buf, &n);
                if (e)
                        return guest_ext_errno(e);
                *ret = strndup(buf, MIN(n, size));
                return *ret ? 0 : -ENOMEM;
        }
        if (ext2fs_is_fast_symlink(&inode)) {
                /* The target is stored in place of the block map (at most 60 bytes). */
                *ret = strndup((const char *) inode.i_block, MIN(size, sizeof(inode.i_block)));
                return *ret ? 0 : -ENOMEM;
        }
        {
                char buf[GUEST_PATH_MAX + 1];
                size_t n = 0;
                int k = read_data(x, ino, &inode, 0, size, buf, &n);
                if (k < 0)
                        return k;
                *ret = strndup(buf, n);
                return *ret ? 0 : -ENOMEM;
        }
}

static int ext_pread(GuestFs *fs, const char *path, uint64_t offset, size_t size, void *buf, size_t *ret_n)
{
        GuestExt *x = (GuestExt *) fs;
        struct ext2_inode inode;
        ext2_ino_t ino = 0;
        int r;

        r = read_inode(x, path, &ino, &inode);
        if (r < 0)
                return r;
        if (LINUX_S_ISDIR(inode.i_mode))
                return -EISDIR;
        if (!LINUX_S_ISREG(inode.i_mode))
                return -EPERM;
        return read_data(x, ino, &inode, offset, size, buf, ret_n);
}

typedef struct DirCollect {
        GuestDirEntry *e;
        size_t n;
        int error;
} DirCollect;

static GuestFileType dirent_type(int t)
{
        switch (t) {
        case EXT2_FT_REG_FILE:
                return GUEST_FILE_REGULAR;
        case EXT2_FT_DIR:
                return GUEST_FILE_DIRECTORY;
        case EXT2_FT_SYMLINK:
                return GUEST_FILE_SYMLINK;
        case EXT2_FT_UNKNOWN:
                return _GUEST_FILE_TYPE_INVALID;
        default:
                return GUEST_FILE_OTHER;
        }
}

static int collect_cb(ext2_ino_t dir _unused_, int entry _unused_, struct ext2_dir_entry *dirent,
                      int offset _unused_, int blocksize _unused_, char *buf _unused_, void *priv)
{
        DirCollect *c = priv;
        int len = ext2fs_dirent_name_len(dirent);
        GuestDirEntry *ne;

        if ((len == 1 && dirent->name[0] == '.') ||
            (len == 2 && dirent->name[0] == '.' && dirent->name[1] == '.'))
                return 0;
        if (len == 0 || memchr(dirent->name, '/', (size_t) len) || memchr(dirent->name, 0, (size_t) len))
                return 0; /* not a name a path can reach */
        if (c->n >= GUEST_DIR_ENTRIES_MAX) {
                c->error = -E2BIG;
                return DIRENT_ABORT;
        }
        ne = reallocarray(c->e, c->n + 1, sizeof(GuestDirEntry));
        if (!ne) {
                c->error = -ENOMEM;
                return DIRENT_ABORT;
        }
        c->e = ne;
        ne[c->n].name = strndup(dirent->name, (size_t) len);
        if (!ne[c->n].name) {
                c->error = -ENOMEM;
                return DIRENT_ABORT;
        }
        ne[c->n].type = dirent_type(ext2fs_dirent_file_type(dirent));
        c->n++;
        return 0;
}

static int ext_readdir(GuestFs *fs, const char *path, GuestDirEntry **ret, size_t *ret_n)
{
        GuestExt *x = (GuestExt *) fs;
        DirCollect c = {};
        ext2_ino_t ino = 0;
        errcode_t e;
        int r;

        r = lookup(x, path, &ino);
        if (r < 0)
                return r;
        e = ext2fs_dir_iterate2(x->e2fs, ino, 0, NULL, collect_cb, &c);
        if (c.error < 0 || e) {
                guest_dir_entries_free(c.e, c.n);
                return c.error < 0 ? c.error : guest_ext_errno(e);
        }
        /* Without the "filetype" feature every entry's type is unknown: the Guest stats them. */
        if (!ext2fs_has_feature_filetype(x->e2fs->super))
                for (size_t i = 0; i < c.n; i++)
                        c.e[i].type = _GUEST_FILE_TYPE_INVALID;
        *ret = c.e;
        *ret_n = c.n;
        return 0;
}

static int ext_space(GuestFs *fs, GuestFsSpace *ret)
{
        struct ext2_super_block *sb = ((GuestExt *) fs)->e2fs->super;
        uint64_t bs = EXT2_BLOCK_SIZE(sb), free_blocks = ext2fs_free_blocks_count(sb),
                 reserved = ext2fs_r_blocks_count(sb);

        *ret = (GuestFsSpace){
                .size = ext2fs_blocks_count(sb) * bs,
                .free = free_blocks * bs,
                .available = (free_blocks > reserved ? free_blocks - reserved : 0) * bs,
        };
        return 0;
}

typedef struct XattrCollect {
        GuestXattr *x;
        size_t n;
        int error;
} XattrCollect;

static int xattr_cb(char *name, char *value, size_t value_len, void *data)
{
        XattrCollect *c = data;
        GuestXattr *nx;

        if (streq(name, "system.data"))
                return 0; /* inline data: the filesystem's, not the file's */
        if (c->n >= GUEST_XATTRS_MAX || value_len > GUEST_XATTR_SIZE_MAX) {
                c->error = -E2BIG;
                return XATTR_ABORT;
        }
        nx = reallocarray(c->x, c->n + 1, sizeof(GuestXattr));
        if (!nx) {
                c->error = -ENOMEM;
                return XATTR_ABORT;
        }
        c->x = nx;
        nx[c->n] = (GuestXattr){ .name = strdup(name),
                                 .value = malloc(MAX(value_len, (size_t) 1)),
                                 .size = value_len };
        c->n++;
        if (!nx[c->n - 1].name || !nx[c->n - 1].value) {
                c->error = -ENOMEM;
                return XATTR_ABORT;
        }
        memcpy(nx[c->n - 1].value, value, value_len);
        return 0;
}

static int ext_listxattr(GuestFs *fs, const char *path, GuestXattr **ret, size_t *ret_n)
{
        GuestExt *x = (GuestExt *) fs;
        struct ext2_xattr_handle *h = NULL;
        XattrCollect c = {};
        ext2_ino_t ino = 0;
        errcode_t e;
        int r;

        r = lookup(x, path, &ino);
        if (r < 0)
                return r;
        e = ext2fs_xattrs_open(x->e2fs, ino, &h);
        if (e == EXT2_ET_MISSING_EA_FEATURE) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (e)
                return guest_ext_errno(e);
        e = ext2fs_xattrs_read(h);
        if (!e)
                e = ext2fs_xattrs_iterate(h, xattr_cb, &c);
        (void) ext2fs_xattrs_close(&h);
        if (c.error < 0 || e) {
                guest_xattrs_free(c.x, c.n);
                return c.error < 0 ? c.error : guest_ext_errno(e);
        }
        *ret = c.x;
        *ret_n = c.n;
        return 0;
}

static void ext_free(GuestFs *fs)
{
        GuestExt *x = (GuestExt *) fs;

        if (x->e2fs && !x->borrowed)
                (void) ext2fs_close_free(&x->e2fs); /* read-only: nothing to flush */
        free(x->last_dir);
        free(x);
}

static const GuestFsOps ext_ops = {
        .name = "ext",
        .lstat = ext_lstat,
        .readlink = ext_readlink,
        .pread = ext_pread,
        .readdir = ext_readdir,
        .space = ext_space,
        .listxattr = ext_listxattr,
        .free = ext_free,
};

static errcode_t open_fs(int fd, uint64_t offset, int flags, ext2_filsys *ret)
{
        char name[32], opts[64];
        int dfd;
        errcode_t e;

        /* unixfd_io takes the descriptor as a decimal name and closes it with the filesystem. */
        dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dfd < 0)
                return (errcode_t) errno;
        snprintf(name, sizeof(name), "%d", dfd);
        snprintf(opts, sizeof(opts), "offset=%llu", (unsigned long long) offset);
        e = ext2fs_open2(name, opts, flags, 0, 0, unixfd_io_manager, ret);
        /* A failed open may or may not have closed the channel already. Nothing else opens
         * descriptors in between, so a still-valid dfd is ours. */
        if (e && fcntl(dfd, F_GETFD) >= 0)
                (void) close(dfd);
        return e;
}

int guest_ext_open(int fd, uint64_t offset, GuestFs **ret, GuestExtInfo *info)
{
        int flags = EXT2_FLAG_64BITS;
        ext2_filsys e2fs = NULL;
        GuestExt *x;
        errcode_t e;

        *info = (GuestExtInfo){};
        e = open_fs(fd, offset, flags, &e2fs);
        if (e == EXT2_ET_SB_CSUM_INVALID || e == EXT2_ET_UNKNOWN_CSUM ||
            e == EXT2_ET_BLOCK_BITMAP_CSUM_INVALID || e == EXT2_ET_INODE_BITMAP_CSUM_INVALID) {
                e = open_fs(fd, offset, flags | EXT2_FLAG_IGNORE_CSUM_ERRORS, &e2fs);
                if (!e)
                        info->checksum_errors = true;
        }
        if (e) {
                info->error = strdup(error_message(e));
                return guest_ext_errno(e);
        }
        info->needs_recovery = ext2fs_has_feature_journal_needs_recovery(e2fs->super);

        x = calloc(1, sizeof(GuestExt));
        if (!x) {
                (void) ext2fs_close_free(&e2fs);
                return -ENOMEM;
        }
        x->fs.ops = &ext_ops;
        x->e2fs = e2fs;
        *ret = &x->fs;
        return 0;
}

int guest_ext_open_handle(ext2_filsys e2fs, GuestFs **ret)
{
        GuestExt *x = calloc(1, sizeof(GuestExt));

        if (!x)
                return -ENOMEM;
        x->fs.ops = &ext_ops;
        x->e2fs = e2fs;
        x->borrowed = true;
        *ret = &x->fs;
        return 0;
}

void guest_ext_forget(GuestFs *fs)
{
        GuestExt *x = (GuestExt *) fs;

        x->last_dir = mfree(x->last_dir);
        x->last_dir_ino = 0;
}
