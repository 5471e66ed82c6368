/* SPDX-License-Identifier: MIT */
/* Extracting the target root filesystem tarball into a GuestWriter (see target.h).
 *
 * Decompression: gzip, bzip2, xz and zstd, each only if libarchive has it built in (its "all"
 * set would also run external programs such as lrzip or lzop on hostile input); the format: tar
 * (ustar, pax, GNU) only. Every member name is normalised ("./a//b/" is "a/b") and checked before
 * anything is written; the writer then refuses on its own anything that would go through a
 * symlink, so a symlink the archive created earlier cannot redirect a later member. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "shared/path-util.h"
#include "shared/string-util.h"
#include "target.h"

#define NAME_MAX_BYTES   255u
#define READ_BLOCK       (64u * 1024u)
#define PROGRESS_STEP    (1u << 20)
#define ERROR_NAME_BYTES 200u

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free);

/* A directory's metadata, applied at the end (adding entries changes a directory's mtime, and a
 * read-only directory would refuse them without root). */
typedef struct DirMeta {
        char *path;
        size_t seq;
        uint32_t mode, uid, gid;
        int64_t mtime;
} DirMeta;

typedef struct Extract {
        GuestWriter *w;
        const char *prefix;
        struct archive *a;
        TargetStats stats;
        char *error;
        TargetProgress progress;
        void *userdata;
        uint64_t total, reported;
        bool trusted_xattrs;
        uint32_t dir_uid, dir_gid; /* for directories the archive does not list */
        char *last_dir;            /* the last directory known to exist (below the prefix) */
        DirMeta *dirs;
        size_t n_dirs;
} Extract;

/* The member name for a message: escaped (it is hostile), and cut. */
static char *printable(const char *s)
{
        size_t n = 0, cap = ERROR_NAME_BYTES * 4 + 8;
        char *out = malloc(cap);

        if (!out)
                return NULL;
        for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++) {
                if (n >= ERROR_NAME_BYTES * 4) {
                        memcpy(out + n, "...", 3);
                        n += 3;
                        break;
                }
                if (*p < 0x20 || *p == 0x7f || *p == '\\' || *p == '\'')
                        n += (size_t) snprintf(out + n, cap - n, "\\x%02x", *p);
                else
                        out[n++] = (char) *p;
        }
        out[n] = 0;
        return out;
}

static int fail(Extract *x, int r, const char *member, const char *fmt, ...) _printf_(4, 5);
static int fail(Extract *x, int r, const char *member, const char *fmt, ...)
{
        _cleanup_free_ char *name = NULL, *why = NULL;
        va_list ap;

        if (x->error)
                return r;
        va_start(ap, fmt);
        if (vasprintf(&why, fmt, ap) < 0)
                why = NULL;
        va_end(ap);
        if (member) {
                name = printable(member);
                if (asprintf(&x->error, "member '%s': %s", strempty(name), strempty(why)) < 0)
                        x->error = NULL;
        } else
                x->error = TAKE_PTR(why);
        return r;
}

/* Normalises a member name to a path relative to the archive's root ("" for the root itself).
 * Returns 0, or -EINVAL with *why set. */
static int normalise(const char *name, char **ret, const char **why)
{
        _cleanup_free_ char *out = NULL;
        size_t len, n = 0;

        if (!name) {
                *why = "no name, or a name not representable here";
                return -EINVAL;
        }
        len = strlen(name);
        if (len >= PATH_MAX) {
                *why = "name longer than PATH_MAX";
                return -EINVAL;
        }
        if (name[0] == '/') {
                *why = "absolute path";
                return -EINVAL;
        }
        out = malloc(len + 1);
        if (!out)
                return -ENOMEM;
        for (const char *p = name; *p;) {
                size_t c = strcspn(p, "/");

                for (size_t i = 0; i < c; i++)
                        if ((unsigned char) p[i] < 0x20 || p[i] == 0x7f) {
                                *why = "control character in the name";
                                return -EINVAL;
                        }
                if (c == 2 && p[0] == '.' && p[1] == '.') {
                        *why = "'..' in the path";
                        return -EINVAL;
                }
                if (c > NAME_MAX_BYTES) {
                        *why = "path component longer than NAME_MAX";
                        return -EINVAL;
                }
                if (c > 0 && !(c == 1 && p[0] == '.')) {
                        if (n > 0)
                                out[n++] = '/';
                        memcpy(out + n, p, c);
                        n += c;
                }
                p += c + (p[c] == '/');
        }
        out[n] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

/* prefix + "/" + rel, within GUEST_PATH_MAX. */
static int full_path(Extract *x, const char *rel, char **ret)
{
        char *p;

        if (isempty(rel))
                p = strdup(x->prefix);
        else
                p = path_join(x->prefix, rel);
        if (!p)
                return -ENOMEM;
        if (strlen(p) > GUEST_PATH_MAX) {
                free(p);
                return -ENAMETOOLONG;
        }
        *ret = p;
        return 0;
}

/* Writer errors that the archive's content caused are refusals. */
static int refusal(Extract *x, int r, const char *member, const char *what)
{
        switch (r) {
        case -ELOOP:
                return fail(x, -EINVAL, member, "%s goes through a symlink", what);
        case -ENOTDIR:
                return fail(x, -EINVAL, member, "%s goes through something that is not a directory", what);
        default:
                return fail(x, r, member, "cannot write %s: %s", what, strerror(-r));
        }
}

/* Creates the directories of path (a full guest path below the prefix) that do not exist yet. */
static int ensure_parents(Extract *x, const char *path, const char *member)
{
        _cleanup_free_ char *dir = NULL;
        const char *slash = strrchr(path, '/'), *rest;
        int r;

        dir = strndup(path, (size_t) (slash - path));
        if (!dir)
                return -ENOMEM;
        if (x->last_dir && path_startswith(x->last_dir, dir))
                return 0; /* it exists: a directory below it does */
        rest = path_startswith(dir, x->prefix);
        if (!rest)
                return fail(x, -EINVAL, member, "outside the prefix");
        for (const char *p = rest; *p;) {
                _cleanup_free_ char *sub = NULL;
                size_t c = strcspn(p, "/");

                sub = strndup(dir, (size_t) (p + c - dir));
                if (!sub)
                        return -ENOMEM;
                r = guest_writer_mkdir(x->w, sub, 0755, x->dir_uid, x->dir_gid);
                if (r < 0 && r != -EEXIST)
                        return refusal(x, r, member, "its directory");
                p += c + (p[c] == '/');
        }
        free(x->last_dir);
        x->last_dir = TAKE_PTR(dir);
        return 0;
}

static void report(Extract *x, bool final)
{
        int64_t done;

        if (!x->progress)
                return;
        done = archive_filter_bytes(x->a, -1);
        if (done < 0)
                return;
        if (!final && (uint64_t) done < x->reported + PROGRESS_STEP)
                return;
        x->reported = (uint64_t) done;
        x->progress(x->userdata, (uint64_t) done, MAX(x->total, (uint64_t) done));
}

static bool keep_xattr(Extract *x, const char *name, bool symlink)
{
        if (startswith(name, "security."))
                return true;
        if (startswith(name, "user."))
                return !symlink; /* Linux allows user.* on regular files and directories only */
        if (startswith(name, "trusted."))
                return x->trusted_xattrs;
        return false;
}

static int put_xattrs(Extract *x, struct archive_entry *e, const char *path, const char *member,
                      bool symlink)
{
        const char *name;
        const void *value;
        size_t size;
        int r;

        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
                if (!name || !keep_xattr(x, name, symlink))
                        continue;
                r = guest_writer_set_xattr(x->w, path, name, value, size);
                if (r < 0)
                        return fail(x, r, member, "cannot set xattr %s: %s", name, strerror(-r));
        }
        return 0;
}

static int write_zeros(Extract *x, GuestWriterFile *f, uint64_t n)
{
        static const char zeros[READ_BLOCK];
        int r;

        while (n > 0) {
                size_t k = (size_t) MIN(n, (uint64_t) sizeof(zeros));
                r = guest_writer_file_write(f, zeros, k);
                if (r < 0)
                        return r;
                n -= k;
        }
        return 0;
}

static int extract_file(Extract *x, struct archive_entry *e, const char *path, const char *member,
                        uint32_t mode, uint32_t uid, uint32_t gid, int64_t mtime)
{
        GuestWriterFile *f = NULL;
        int64_t pos = 0, size = archive_entry_size(e);
        int r;

        r = guest_writer_file_open(x->w, path, mode, uid, gid, &f);
        if (r == -EISDIR)
                return fail(x, -EINVAL, member, "a file where the archive has a directory already");
        if (r < 0)
                return refusal(x, r, member, "the file");
        for (;;) {
                const void *buf;
                size_t n;
                la_int64_t off;

                r = archive_read_data_block(x->a, &buf, &n, &off);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN) {
                        guest_writer_file_abort(f);
                        return fail(x, -EBADMSG, member, "corrupt archive: %s",
                                    strempty(archive_error_string(x->a)));
                }
                if (off < pos) {
                        guest_writer_file_abort(f);
                        return fail(x, -EBADMSG, member, "corrupt archive: data out of order");
                }
                /* A hole in a sparse file reads as zeros. */
                r = write_zeros(x, f, (uint64_t) (off - pos));
                if (r >= 0)
                        r = guest_writer_file_write(f, buf, n);
                if (r < 0) {
                        guest_writer_file_abort(f);
                        return fail(x, r, member, "cannot write the file: %s", strerror(-r));
                }
                pos = off + (int64_t) n;
                report(x, false);
        }
        if (size > pos) {
                r = write_zeros(x, f, (uint64_t) (size - pos));
                if (r < 0) {
                        guest_writer_file_abort(f);
                        return fail(x, r, member, "cannot write the file: %s", strerror(-r));
                }
                pos = size;
        }
        r = guest_writer_file_close(f, mtime);
        if (r < 0)
                return refusal(x, r, member, "the file");
        x->stats.files++;
        x->stats.bytes += (uint64_t) pos;
        return put_xattrs(x, e, path, member, false);
}

/* Something other than a directory at path is replaced (tar's way); a directory never is. */
static int clear_for(Extract *x, const char *path, const char *member)
{
        GuestFs *fs = guest_writer_fs(x->w);
        GuestStat st;
        int r;

        r = fs->ops->lstat(fs, path, &st);
        if (r < 0)
                return refusal(x, r, member, "the entry");
        if (st.type == GUEST_FILE_DIRECTORY)
                return fail(x, -EINVAL, member, "would replace a directory");
        r = guest_writer_remove(x->w, path);
        if (r < 0)
                return refusal(x, r, member, "the entry");
        return 0;
}

static int record_dir(Extract *x, const char *path, uint32_t mode, uint32_t uid, uint32_t gid, int64_t mtime)
{
        DirMeta *d;
        char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        d = reallocarray(x->dirs, x->n_dirs + 1, sizeof(DirMeta));
        if (!d) {
                free(p);
                return -ENOMEM;
        }
        x->dirs = d;
        d[x->n_dirs] = (DirMeta){
                .path = p, .seq = x->n_dirs, .mode = mode, .uid = uid, .gid = gid, .mtime = mtime
        };
        x->n_dirs++;
        return 0;
}

static int extract_dir(Extract *x, struct archive_entry *e, const char *path, const char *member,
                       uint32_t mode, uint32_t uid, uint32_t gid, int64_t mtime)
{
        int r;

        /* Writable for its owner until the end, when it gets its own mode. */
        r = guest_writer_mkdir(x->w, path, mode | 0700, uid, gid);
        if (r == -EEXIST) {
                GuestFs *fs = guest_writer_fs(x->w);
                GuestStat st;

                r = fs->ops->lstat(fs, path, &st);
                if (r < 0)
                        return refusal(x, r, member, "the directory");
                if (st.type != GUEST_FILE_DIRECTORY)
                        return fail(x, -EINVAL, member, "a directory where the archive has a %s already",
                                    guest_file_type_to_string(st.type));
        } else if (r < 0)
                return refusal(x, r, member, "the directory");
        else
                x->stats.dirs++;
        r = record_dir(x, path, mode, uid, gid, mtime);
        if (r < 0)
                return r;
        return put_xattrs(x, e, path, member, false);
}

static int extract_symlink(Extract *x, struct archive_entry *e, const char *path, const char *member,
                           uint32_t uid, uint32_t gid, int64_t mtime)
{
        const char *target = archive_entry_symlink(e);
        int r;

        if (!target)
                target = archive_entry_symlink_utf8(e);
        if (isempty(target))
                return fail(x, -EINVAL, member, "symlink without a target");
        r = guest_writer_symlink(x->w, path, target, uid, gid);
        if (r == -EEXIST) {
                r = clear_for(x, path, member);
                if (r < 0)
                        return r;
                r = guest_writer_symlink(x->w, path, target, uid, gid);
        }
        if (r == -ENAMETOOLONG)
                return fail(x, -EINVAL, member, "symlink target too long");
        if (r < 0)
                return refusal(x, r, member, "the symlink");
        r = guest_writer_set_meta(x->w, path, GUEST_WRITER_KEEP_ID, GUEST_WRITER_KEEP_ID,
                                  GUEST_WRITER_KEEP_ID, mtime);
        if (r < 0)
                return refusal(x, r, member, "the symlink");
        x->stats.symlinks++;
        return put_xattrs(x, e, path, member, true);
}

static int extract_hardlink(Extract *x, const char *link, const char *path, const char *member)
{
        _cleanup_free_ char *rel = NULL, *target = NULL;
        const char *why = NULL;
        int r;

        r = normalise(link, &rel, &why);
        if (r == -EINVAL)
                return fail(x, r, member, "hard link target: %s", why);
        if (r < 0)
                return r;
        if (isempty(rel))
                return fail(x, -EINVAL, member, "hard link to the archive's root");
        r = full_path(x, rel, &target);
        if (r == -ENAMETOOLONG)
                return fail(x, -EINVAL, member, "hard link target too long");
        if (r < 0)
                return r;
        if (streq(target, path))
                return fail(x, -EINVAL, member, "hard link to itself");
        r = guest_writer_hardlink(x->w, path, target);
        if (r == -EEXIST) {
                r = clear_for(x, path, member);
                if (r < 0)
                        return r;
                r = guest_writer_hardlink(x->w, path, target);
        }
        if (r == -ENOENT)
                return fail(x, -EINVAL, member, "hard link to a file not extracted before it");
        if (r == -EPERM)
                return fail(x, -EINVAL, member, "hard link to a directory");
        if (r < 0)
                return refusal(x, r, member, "the hard link");
        x->stats.hardlinks++;
        return 0;
}

static int extract_entry(Extract *x, struct archive_entry *e)
{
        _cleanup_free_ char *rel = NULL, *path = NULL;
        const char *member = archive_entry_pathname(e), *link, *why = NULL;
        la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
        uint32_t mode = (uint32_t) archive_entry_perm(e) & 07777;
        int64_t mtime = (int64_t) archive_entry_mtime(e);
        unsigned type = archive_entry_filetype(e);
        int r;

        if (!member)
                member = archive_entry_pathname_utf8(e);
        r = normalise(member, &rel, &why);
        if (r == -EINVAL)
                return fail(x, r, member, "%s", why);
        if (r < 0)
                return r;
        if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
                return fail(x, -EINVAL, member, "owner out of range");
        r = full_path(x, rel, &path);
        if (r == -ENAMETOOLONG)
                return fail(x, -EINVAL, member, "path too long below the prefix");
        if (r < 0)
                return r;

        link = archive_entry_hardlink(e);
        if (!link)
                link = archive_entry_hardlink_utf8(e);
        if (isempty(rel)) {
                /* "./": the root of the tree, which is the prefix. */
                if (link || type != AE_IFDIR)
                        return fail(x, -EINVAL, member, "the archive's root is not a directory");
                return record_dir(x, path, mode, (uint32_t) uid, (uint32_t) gid, mtime);
        }
        if (!link && (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO || type == AE_IFSOCK)) {
                x->stats.skipped_devices++;
                return 0;
        }
        r = ensure_parents(x, path, member);
        if (r < 0)
                return r;
        if (link)
                return extract_hardlink(x, link, path, member);
        switch (type) {
        case AE_IFREG:
                return extract_file(x, e, path, member, mode, (uint32_t) uid, (uint32_t) gid, mtime);
        case AE_IFDIR:
                return extract_dir(x, e, path, member, mode, (uint32_t) uid, (uint32_t) gid, mtime);
        case AE_IFLNK:
                return extract_symlink(x, e, path, member, (uint32_t) uid, (uint32_t) gid, mtime);
        default:
                return fail(x, -EINVAL, member, "unsupported member type 0%o", type);
        }
}

static int cmp_dir(const void *a, const void *b)
{
        const DirMeta *x = a, *y = b;
        int c = strcmp(x->path, y->path);

        return c != 0 ? c : (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* Directories get their mode, owner and mtime last, children before parents (in reverse path
 * order, a directory's entries come before it); of a directory listed twice, the later entry. */
static int finish_dirs(Extract *x)
{
        int r;

        if (x->n_dirs > 1)
                qsort(x->dirs, x->n_dirs, sizeof(DirMeta), cmp_dir);
        for (size_t i = x->n_dirs; i > 0; i--) {
                DirMeta *d = &x->dirs[i - 1];

                if (i < x->n_dirs && streq(d->path, x->dirs[i].path))
                        continue; /* superseded by a later entry for the same directory */
                r = guest_writer_set_meta(x->w, d->path, d->mode, d->uid, d->gid, d->mtime);
                if (r < 0)
                        return fail(x, r, NULL, "cannot set the metadata of %s: %s", d->path, strerror(-r));
        }
        return 0;
}

/* Creates the prefix (which must not exist) and its missing parents, owned as the nearest
 * existing ancestor. */
static int make_prefix(Extract *x)
{
        GuestFs *fs = guest_writer_fs(x->w);
        _cleanup_free_ char *anc = strdup(x->prefix);
        GuestStat st;
        int r;

        if (!anc)
                return -ENOMEM;
        for (;;) {
                char *slash;

                r = fs->ops->lstat(fs, anc, &st);
                if (r == 0)
                        break;
                if (r != -ENOENT)
                        return fail(x, r, NULL, "cannot look at %s: %s", anc, strerror(-r));
                slash = strrchr(anc, '/');
                if (slash == anc)
                        anc[1] = 0;
                else
                        *slash = 0;
        }
        if (streq(anc, x->prefix))
                return fail(x, -EEXIST, NULL, "%s exists already (remove it first)", x->prefix);
        if (st.type != GUEST_FILE_DIRECTORY)
                return fail(x, -ENOTDIR, NULL, "%s is not a directory", anc);
        x->dir_uid = st.uid;
        x->dir_gid = st.gid;
        for (const char *p = x->prefix + strlen(anc) + !streq(anc, "/");;) {
                _cleanup_free_ char *sub = NULL;
                size_t c = strcspn(p, "/");

                sub = strndup(x->prefix, (size_t) (p + c - x->prefix));
                if (!sub)
                        return -ENOMEM;
                r = guest_writer_mkdir(x->w, sub, 0755, x->dir_uid, x->dir_gid);
                if (r < 0)
                        return fail(x, r, NULL, "cannot create %s: %s", sub, strerror(-r));
                if (!p[c])
                        break;
                p += c + 1;
        }
        return 0;
}

static int open_archive(Extract *x, const char *tarball)
{
        static const struct {
                const char *name;
                int (*enable)(struct archive *);
        } filters[] = {
                { "gzip", archive_read_support_filter_gzip },
                { "bzip2", archive_read_support_filter_bzip2 },
                { "xz", archive_read_support_filter_xz },
                { "zstd", archive_read_support_filter_zstd },
        };
        struct stat st;

        if (stat(tarball, &st) < 0)
                return fail(x, -errno, NULL, "cannot open %s: %s", tarball, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return fail(x, -EINVAL, NULL, "%s is not a regular file", tarball);
        x->total = (uint64_t) st.st_size;
        x->a = archive_read_new();
        if (!x->a)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(filters); i++)
                /* ARCHIVE_WARN: only through an external program. */
                if (filters[i].enable(x->a) != ARCHIVE_OK)
                        return fail(x, -EOPNOTSUPP, NULL, "libarchive has no built-in %s support",
                                    filters[i].name);
        if (archive_read_support_format_tar(x->a) != ARCHIVE_OK)
                return fail(x, -EOPNOTSUPP, NULL, "libarchive has no tar support");
        if (archive_read_open_filename(x->a, tarball, READ_BLOCK) != ARCHIVE_OK)
                return fail(x, -EBADMSG, NULL, "%s: %s", tarball, strempty(archive_error_string(x->a)));
        return 0;
}

/* The next member: 1 and its header in *ret, 0 at the end of the archive, or -EBADMSG (corrupt). */
static int next_member(Extract *x, struct archive_entry **ret)
{
        for (;;) {
                int r = archive_read_next_header(x->a, ret);

                if (r == ARCHIVE_EOF)
                        return 0;
                if (r == ARCHIVE_RETRY)
                        continue;
                if (r < ARCHIVE_WARN)
                        return fail(x, -EBADMSG, NULL, "corrupt archive: %s",
                                    strempty(archive_error_string(x->a)));
                return 1; /* ARCHIVE_OK or ARCHIVE_WARN: a header, whatever libarchive warned about */
        }
}

/* Frees what x holds; with r < 0, hands its message out in *ret_error (may be NULL). Returns r. */
static int extract_done(Extract *x, int r, char **ret_error)
{
        for (size_t i = 0; i < x->n_dirs; i++)
                free(x->dirs[i].path);
        free(x->dirs);
        free(x->last_dir);
        archive_read_freep(&x->a);
        if (r < 0 && ret_error)
                *ret_error = TAKE_PTR(x->error);
        free(x->error);
        return r;
}

int target_extract_with_progress(const char *tarball, GuestWriter *w, const char *prefix,
                                 TargetProgress progress, void *userdata, TargetStats *ret_stats,
                                 char **ret_error)
{
        Extract x = {
                .w = w,
                .prefix = prefix,
                .progress = progress,
                .userdata = userdata,
                .trusted_xattrs = geteuid() == 0,
        };
        int r;

        if (!tarball || !w || !prefix || prefix[0] != '/' || streq(prefix, "/") || endswith(prefix, "/") ||
            strstr(prefix, "//") || strstr(prefix, "/./") || strstr(prefix, "/../") ||
            endswith(prefix, "/.") || endswith(prefix, "/.."))
                return -EINVAL;

        r = open_archive(&x, tarball);
        if (r >= 0)
                r = make_prefix(&x);
        while (r >= 0) {
                struct archive_entry *e = NULL;

                r = next_member(&x, &e);
                if (r <= 0)
                        break;
                r = extract_entry(&x, e);
                if (r == -ENOMEM)
                        fail(&x, r, NULL, "out of memory");
                report(&x, false);
        }
        if (r >= 0)
                r = finish_dirs(&x);
        if (r >= 0)
                report(&x, true);

        r = extract_done(&x, r, ret_error);
        if (r < 0)
                return r;
        if (ret_stats)
                *ret_stats = x.stats;
        return 0;
}

int target_extract(const char *tarball, GuestWriter *w, const char *prefix, TargetStats *ret_stats,
                   char **ret_error)
{
        return target_extract_with_progress(tarball, w, prefix, NULL, NULL, ret_stats, ret_error);
}

int target_measure(const char *tarball, uint64_t *ret_bytes, uint64_t *ret_entries, char **ret_error)
{
        Extract x = {};
        uint64_t bytes = 0, entries = 0;
        int r;

        r = open_archive(&x, tarball);
        while (r >= 0) {
                struct archive_entry *e = NULL;

                r = next_member(&x, &e);
                if (r <= 0)
                        break;
                entries++;
                if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0)
                        bytes += (uint64_t) archive_entry_size(e);
        }
        r = extract_done(&x, r, ret_error);
        if (r < 0)
                return r;
        *ret_bytes = bytes;
        if (ret_entries)
                *ret_entries = entries;
        return 0;
}
