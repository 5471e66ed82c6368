/* SPDX-License-Identifier: MIT */
/* The fat backend of GuestWriter: the EFI system partition, at a byte offset of an image file,
 * changed with mtools (mmd, mcopy, mmove, mdel, mrd, mattrib on "image@@offset").
 *
 * mtools are started with posix_spawnp() (no shell: no argument is ever interpreted), in a new
 * session (no terminal to prompt on), with stdin and stdout on /dev/null and a fixed
 * environment (TZ=UTC, so that FAT's local times read back as they were written; C.UTF-8 for
 * long names). Guest paths reach mtools as "::/path"; names mtools would take as wildcards and
 * names FAT cannot store (control characters, "*?<>:\"\\|[]", a trailing dot or space) are
 * refused with -EINVAL before anything runs.
 *
 * FAT has no owner, no symlinks, no hard links and no xattrs: symlink, hardlink and set_xattr
 * give -EOPNOTSUPP, owners are ignored. A mode without any write bit sets the read-only
 * attribute (mattrib +r), any other clears it. mtime is kept for regular files (mcopy -m; for
 * set_meta the file is copied out and back in), not for directories. FAT stores times in
 * 2-second steps.
 *
 * The read view is the native FAT reader (guest-fat.c) on the image, opened again after each
 * mtools run (it keeps the FAT in memory); guest_writer_fs() hands out a stable proxy for it. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared/fileio.h"
#include "shared/fd-util.h"
#include "guest-fat.h"
#include "guest-write-internal.h"

typedef struct FatWriter {
        GuestWriter w;
        GuestFs view; /* the proxy guest_writer_fs() returns */
        char *spec;   /* "image@@offset", for mtools' -i */
        uint64_t offset, size;
        int fd;           /* the image, read-only, for the reader */
        GuestFs *current; /* the reader; NULL after a change */
        char *tmpdir;     /* private: file contents on their way in */
} FatWriter;

typedef struct FatFile {
        GuestWriterFile f;
        int fd;
        char *tmp;
        uint32_t mode;
} FatFile;

#define FAT(w)       ((FatWriter *) (w))
#define VIEW_FAT(fs) ((FatWriter *) ((char *) (fs) -offsetof(FatWriter, view)))

static int current(FatWriter *fw, GuestFs **ret)
{
        int r;

        if (!fw->current) {
                r = guest_fat_open(fw->fd, fw->offset, fw->size, &fw->current);
                if (r < 0)
                        return r;
        }
        *ret = fw->current;
        return 0;
}

static void changed(FatWriter *fw)
{
        fw->current = guest_fs_free(fw->current);
}

/* Runs one mtools command; its stderr goes to a file in tmpdir, read to tell a full filesystem
 * from other failures. */
static int run(FatWriter *fw, char *const argv[])
{
        static char *const envp[] = {
                "MTOOLS_SKIP_CHECK=1", "MTOOLSRC=/dev/null",
                "HOME=/nonexistent",   "TZ=UTC",
                "LC_ALL=C.UTF-8",      NULL,
        };
        _cleanup_free_ char *errpath = NULL;
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        char msg[512] = "";
        pid_t pid;
        int r, status = 0;

        if (asprintf(&errpath, "%s/stderr", fw->tmpdir) < 0)
                return -ENOMEM;
        r = posix_spawn_file_actions_init(&fa);
        if (r != 0)
                return -r;
        r = posix_spawnattr_init(&attr);
        if (r != 0) {
                posix_spawn_file_actions_destroy(&fa);
                return -r;
        }
        if ((r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) == 0 &&
            (r = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) == 0 &&
            (r = posix_spawn_file_actions_addopen(&fa, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600)) ==
                    0 &&
            (r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID)) == 0)
                r = posix_spawnp(&pid, argv[0], &fa, &attr, argv, envp);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        changed(fw);
        if (r != 0)
                return r == ENOENT ? -ENOPKG : -r;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        {
                _cleanup_close_ int fd = open(errpath, O_RDONLY | O_CLOEXEC);
                if (fd >= 0) {
                        ssize_t n = read(fd, msg, sizeof(msg) - 1);
                        msg[n > 0 ? n : 0] = 0;
                }
        }
        if (strstr(msg, "Disk full") || strstr(msg, "No directory slots") || strstr(msg, "No free"))
                return -ENOSPC;
        return -EIO;
}

/* "::" + path, as mtools names a file of the image given with -i. */
static char *drive_path(const char *path)
{
        char *s = NULL;

        return asprintf(&s, "::%s", path) < 0 ? NULL : s;
}

static int fw_check_path(GuestWriter *w, const char *path)
{
        for (const char *p = path + 1; *p;) {
                size_t n = strcspn(p, "/");

                for (size_t i = 0; i < n; i++) {
                        unsigned char c = (unsigned char) p[i];
                        if (c < 0x20 || c == 0x7f || strchr("\"*:<>?\\|[]", c))
                                return -EINVAL;
                }
                if (p[n - 1] == '.' || p[n - 1] == ' ')
                        return -EINVAL; /* FAT drops them: another name would be written */
                p += n + (p[n] == '/');
        }
        return 0;
}

static int fw_lstat(GuestWriter *w, const char *path, GuestStat *ret)
{
        GuestFs *fs = NULL;
        int r = current(FAT(w), &fs);

        if (r < 0)
                return r;
        return fs->ops->lstat(fs, path, ret);
}

/* mtools only says that it failed: tell a missing directory from other failures first. */
static int check_parent(FatWriter *fw, const char *path)
{
        _cleanup_free_ char *parent = NULL;
        const char *name;
        GuestStat st;
        int r;

        r = guest_write_split(path, &parent, &name);
        if (r < 0)
                return r;
        r = fw_lstat(&fw->w, parent, &st);
        if (r < 0)
                return r;
        return st.type == GUEST_FILE_DIRECTORY ? 0 : -ENOTDIR;
}

/* Sets or clears the read-only attribute of a regular file. */
static int set_read_only(FatWriter *fw, const char *path, bool read_only)
{
        _cleanup_free_ char *dp = drive_path(path);

        if (!dp)
                return -ENOMEM;
        return run(fw, (char *const[]){ "mattrib", "-i", fw->spec, read_only ? "+r" : "-r", dp, NULL });
}

static bool mode_read_only(uint32_t mode)
{
        return (mode & 0222) == 0;
}

static int fw_mkdir(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid)
{
        FatWriter *fw = FAT(w);
        _cleanup_free_ char *dp = drive_path(path);

        int r;

        if (!dp)
                return -ENOMEM;
        r = check_parent(fw, path);
        if (r < 0)
                return r;
        return run(fw, (char *const[]){ "mmd", "-i", fw->spec, dp, NULL });
}

static int fw_file_open(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
                        GuestWriterFile **ret)
{
        FatWriter *fw = FAT(w);
        FatFile *f;
        int r;

        r = check_parent(fw, path);
        if (r < 0)
                return r;
        f = calloc(1, sizeof(FatFile));
        if (!f)
                return -ENOMEM;
        f->mode = mode;
        if (asprintf(&f->tmp, "%s/file-XXXXXX", fw->tmpdir) < 0) {
                free(f);
                return -ENOMEM;
        }
        f->fd = mkostemp(f->tmp, O_CLOEXEC);
        if (f->fd < 0) {
                int e = errno;
                free(f->tmp);
                free(f);
                return -e;
        }
        *ret = &f->f;
        return 0;
}

static int fw_file_write(GuestWriterFile *gf, const void *data, size_t size)
{
        return write_full(((FatFile *) gf)->fd, data, size);
}

/* Copies host file tmp (whose mtime mcopy -m keeps) to path, replacing it. */
static int copy_in(FatWriter *fw, const char *tmp, const char *path, bool read_only)
{
        _cleanup_free_ char *dp = drive_path(path);
        GuestStat st;
        int r;

        if (!dp)
                return -ENOMEM;
        /* mcopy does not overwrite a read-only file: clear the attribute first. */
        if (fw_lstat(&fw->w, path, &st) == 0 && st.type == GUEST_FILE_REGULAR && mode_read_only(st.mode)) {
                r = set_read_only(fw, path, false);
                if (r < 0)
                        return r;
        }
        r = run(fw, (char *const[]){ "mcopy", "-i", fw->spec, "-o", "-m", (char *) tmp, dp, NULL });
        if (r < 0)
                return r;
        return read_only ? set_read_only(fw, path, true) : 0;
}

static int set_host_mtime(int fd, int64_t mtime)
{
        struct timespec ts[2] = { { .tv_sec = (time_t) mtime }, { .tv_sec = (time_t) mtime } };

        return futimens(fd, ts) < 0 ? -errno : 0;
}

static int fw_file_commit(GuestWriterFile *gf, int64_t mtime)
{
        FatFile *f = (FatFile *) gf;
        int r;

        r = set_host_mtime(f->fd, mtime == GUEST_WRITER_KEEP_TIME ? guest_write_now() : mtime);
        if (r < 0)
                return r;
        return copy_in(FAT(gf->writer), f->tmp, gf->path, mode_read_only(f->mode));
}

static void fw_file_free(GuestWriterFile *gf)
{
        FatFile *f = (FatFile *) gf;

        safe_close(f->fd);
        (void) unlink(f->tmp);
        free(f->tmp);
        free(f);
}

static int fw_rename(GuestWriter *w, const char *from, const char *to)
{
        FatWriter *fw = FAT(w);
        _cleanup_free_ char *df = drive_path(from), *dt = drive_path(to);

        int r;

        if (!df || !dt)
                return -ENOMEM;
        r = check_parent(fw, to);
        if (r < 0)
                return r;
        return run(fw, (char *const[]){ "mmove", "-i", fw->spec, df, dt, NULL });
}

static int fw_remove(GuestWriter *w, const char *path, const GuestStat *st)
{
        FatWriter *fw = FAT(w);
        _cleanup_free_ char *dp = drive_path(path);

        if (!dp)
                return -ENOMEM;
        return run(fw, (char *const[]){ st->type == GUEST_FILE_DIRECTORY ? "mrd" : "mdel", "-i", fw->spec,
                                        dp, NULL });
}

static int fw_set_meta(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
                       int64_t mtime)
{
        FatWriter *fw = FAT(w);
        _cleanup_free_ char *dp = drive_path(path), *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        GuestStat st;
        bool read_only;
        int r;

        if (!dp)
                return -ENOMEM;
        r = fw_lstat(w, path, &st);
        if (r < 0)
                return r;
        if (st.type != GUEST_FILE_REGULAR)
                return 0; /* a directory has neither a meaningful read-only bit nor a settable mtime */
        read_only = mode == GUEST_WRITER_KEEP_ID ? mode_read_only(st.mode) : mode_read_only(mode);
        if (mtime == GUEST_WRITER_KEEP_TIME)
                return read_only == mode_read_only(st.mode) ? 0 : set_read_only(fw, path, read_only);

        /* The mtime: out, touched, back in. */
        if (asprintf(&tmp, "%s/meta-XXXXXX", fw->tmpdir) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        fd = safe_close(fd);
        r = run(fw, (char *const[]){ "mcopy", "-i", fw->spec, "-o", dp, tmp, NULL });
        if (r >= 0) {
                fd = open(tmp, O_RDONLY | O_CLOEXEC);
                r = fd < 0 ? -errno : set_host_mtime(fd, mtime);
        }
        if (r >= 0)
                r = copy_in(fw, tmp, path, read_only);
        (void) unlink(tmp);
        return r;
}

static GuestFs *fw_fs(GuestWriter *w)
{
        return &FAT(w)->view;
}

static int rm_tmpdir(const char *dir)
{
        _cleanup_free_ char *p = NULL;

        if (!dir)
                return 0;
        if (asprintf(&p, "%s/stderr", dir) >= 0)
                (void) unlink(p);
        return rmdir(dir) < 0 ? -errno : 0;
}

static void fw_free(GuestWriter *w)
{
        FatWriter *fw = FAT(w);

        guest_fs_free(fw->current);
        safe_close(fw->fd);
        (void) rm_tmpdir(fw->tmpdir);
        free(fw->tmpdir);
        free(fw->spec);
        free(fw);
}

static int fw_close(GuestWriter *w)
{
        /* Every change was written when its mtools run ended. */
        fw_free(w);
        return 0;
}

static const GuestWriterOps fat_writer_ops = {
        .name = "fat",
        .lstat = fw_lstat,
        .check_path = fw_check_path,
        .mkdir = fw_mkdir,
        .file_open = fw_file_open,
        .file_write = fw_file_write,
        .file_commit = fw_file_commit,
        .file_free = fw_file_free,
        .rename = fw_rename,
        .remove = fw_remove,
        .set_meta = fw_set_meta,
        .fs = fw_fs,
        .close = fw_close,
        .free = fw_free,
};

/* The read view: the current reader, reopened when stale. */
static int view_lstat(GuestFs *fs, const char *path, GuestStat *ret)
{
        GuestFs *c = NULL;
        int r = current(VIEW_FAT(fs), &c);

        return r < 0 ? r : c->ops->lstat(c, path, ret);
}

static int view_readlink(GuestFs *fs, const char *path, char **ret)
{
        return -EINVAL;
}

static int view_pread(GuestFs *fs, const char *path, uint64_t offset, size_t size, void *buf, size_t *ret_n)
{
        GuestFs *c = NULL;
        int r = current(VIEW_FAT(fs), &c);

        return r < 0 ? r : c->ops->pread(c, path, offset, size, buf, ret_n);
}

static int view_readdir(GuestFs *fs, const char *path, GuestDirEntry **ret, size_t *ret_n)
{
        GuestFs *c = NULL;
        int r = current(VIEW_FAT(fs), &c);

        return r < 0 ? r : c->ops->readdir(c, path, ret, ret_n);
}

static int view_space(GuestFs *fs, GuestFsSpace *ret)
{
        GuestFs *c = NULL;
        int r = current(VIEW_FAT(fs), &c);

        return r < 0 ? r : c->ops->space(c, ret);
}

static int view_listxattr(GuestFs *fs, const char *path, GuestXattr **ret, size_t *ret_n)
{
        GuestStat st;
        int r = view_lstat(fs, path, &st);

        if (r < 0)
                return r;
        *ret = NULL; /* FAT has none */
        *ret_n = 0;
        return 0;
}

static void view_free(GuestFs *fs)
{
        /* Owned by the writer. */
}

static const GuestFsOps fat_view_ops = {
        .name = "fat",
        .lstat = view_lstat,
        .readlink = view_readlink,
        .pread = view_pread,
        .readdir = view_readdir,
        .space = view_space,
        .listxattr = view_listxattr,
        .free = view_free,
};

int guest_writer_open_fat(const char *image_path, uint64_t offset, uint64_t size, GuestWriter **ret)
{
        FatWriter *fw;
        const char *tmp = getenv("TMPDIR");
        GuestFs *probe = NULL;
        int r;

        /* mtools splits "image@@offset" at the first "@@". */
        if (isempty(image_path) || strstr(image_path, "@@"))
                return -EINVAL;
        fw = calloc(1, sizeof(FatWriter));
        if (!fw)
                return -ENOMEM;
        guest_writer_init(&fw->w, &fat_writer_ops);
        fw->view.ops = &fat_view_ops;
        fw->offset = offset;
        fw->size = size;
        fw->fd = open(image_path, O_RDONLY | O_CLOEXEC);
        if (fw->fd < 0) {
                r = -errno;
                goto fail;
        }
        /* Only a FAT gets written to. */
        r = current(fw, &probe);
        if (r < 0)
                goto fail;
        if (asprintf(&fw->spec, "%s@@%llu", image_path, (unsigned long long) offset) < 0) {
                fw->spec = NULL;
                r = -ENOMEM;
                goto fail;
        }
        if (asprintf(&fw->tmpdir, "%s/azlm-fat-XXXXXX", isempty(tmp) ? "/tmp" : tmp) < 0) {
                fw->tmpdir = NULL;
                r = -ENOMEM;
                goto fail;
        }
        if (!mkdtemp(fw->tmpdir)) {
                r = -errno;
                fw->tmpdir = mfree(fw->tmpdir);
                goto fail;
        }
        *ret = &fw->w;
        return 0;
fail:
        fw_free(&fw->w);
        return r;
}
