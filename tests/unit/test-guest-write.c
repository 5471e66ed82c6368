/* SPDX-License-Identifier: MIT */
/* Unit tests for the GuestWriter backends (guest-write*.c): every operation on each backend, the
 * error cases (a path through a symlink, an existing rename target, a non-empty directory, a
 * hard link to a directory), the observer (called before each change, with the right operation,
 * able to veto) and, for ext, e2fsck -fn on the filesystem after a batch of changes. Images are
 * made here with mke2fs, mkfs.vfat and mtools; missing tools skip (77). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "disk/guest-ext.h"
#include "disk/guest-write.h"
#include "disk/guest.h"
#include "shared/fd-util.h"
#include "shell.h"
#include "tests.h"
#include "tree-hash.h"

#define OFFSET (1024 * 1024) /* where the filesystem starts in the image */
#define T0     1600000000    /* 2020-09-13, even: FAT keeps 2-second steps */
#define T1     1700000002

static char top[] = "/tmp/azlm-write-XXXXXX";

static bool is_root(void)
{
        return geteuid() == 0;
}

/* ---- the observer: a log of what it was told, checked against the tree as it is ---- */

typedef struct Log {
        GuestFs *view;
        char buf[16384];
        size_t n;
        int veto; /* < 0: refuse everything with it */
        unsigned calls;
} Log;

static int view_lstat(GuestFs *fs, const char *path, GuestStat *st)
{
        return fs->ops->lstat(fs, path, st);
}

static int log_cb(void *userdata, GuestWriteOp op, const char *path, const char *path2)
{
        Log *l = userdata;
        GuestStat st;
        int k;

        l->calls++;
        k = snprintf(l->buf + l->n, sizeof(l->buf) - l->n, "%s %s%s%s\n", guest_write_op_to_string(op), path,
                     path2 ? " " : "", path2 ? path2 : "");
        ASSERT_TRUE(k > 0 && (size_t) k < sizeof(l->buf) - l->n);
        l->n += (size_t) k;
        /* Before the change: what it is about to create is not there yet, what it changes is. */
        switch (op) {
        case GUEST_WRITE_CREATE:
        case GUEST_WRITE_MKDIR:
        case GUEST_WRITE_SYMLINK:
                ASSERT_ERR(view_lstat(l->view, path, &st), -ENOENT);
                break;
        case GUEST_WRITE_HARDLINK:
                ASSERT_ERR(view_lstat(l->view, path, &st), -ENOENT);
                ASSERT_OK(view_lstat(l->view, path2, &st));
                break;
        case GUEST_WRITE_RENAME:
                ASSERT_OK(view_lstat(l->view, path, &st));
                ASSERT_ERR(view_lstat(l->view, path2, &st), -ENOENT);
                break;
        case GUEST_WRITE_REPLACE:
        case GUEST_WRITE_REMOVE:
        case GUEST_WRITE_META:
        case GUEST_WRITE_XATTR:
                ASSERT_OK(view_lstat(l->view, path, &st));
                break;
        default:
                FAIL("unknown op %d", op);
        }
        return l->veto;
}

static void log_expect(Log *l, const char *expected)
{
        ASSERT_STREQ(l->buf, expected);
        l->n = 0;
        l->buf[0] = 0;
}

/* ---- reading back through the writer's view ---- */

static Guest *guest_of_view(GuestWriter *w)
{
        Guest *g = NULL;
        GuestFs *proxy = NULL;

        ASSERT_OK(guest_new(&g));
        ASSERT_OK(guest_fs_borrow(guest_writer_fs(w), &proxy));
        ASSERT_OK(guest_mount(g, "/", proxy));
        return g;
}

static char *read_back(GuestWriter *w, const char *path)
{
        _cleanup_(guest_freep) Guest *g = guest_of_view(w);
        char *buf = NULL;
        size_t n = 0;

        ASSERT_OK(guest_read_file(g, path, 64 << 20, &buf, &n));
        return buf;
}

static void stat_of(GuestWriter *w, const char *path, GuestStat *st)
{
        GuestFs *fs = guest_writer_fs(w);
        ASSERT_OK(fs->ops->lstat(fs, path, st));
}

static int exists(GuestWriter *w, const char *path)
{
        GuestFs *fs = guest_writer_fs(w);
        GuestStat st;
        return fs->ops->lstat(fs, path, &st);
}

static char *listing(GuestWriter *w, unsigned flags)
{
        char *s = NULL;
        ASSERT_OK(tree_hash_fs(guest_writer_fs(w), "/", flags, &s, NULL));
        return s;
}

typedef struct Caps {
        bool links; /* symlinks and hard links */
        bool xattrs;
        bool owners; /* uid, gid and all mode bits kept */
} Caps;

static char pattern_byte(size_t i)
{
        return (char) ('a' + (i * 7 + i / 4096) % 26);
}

/* The operations every backend has, in the same order on each. */
static void exercise(const char *backend, GuestWriter *w, Caps caps)
{
        Log l = { .view = guest_writer_fs(w) };
        _cleanup_free_ char *s = NULL;
        GuestWriterFile *f = NULL;
        GuestStat st;
        static char chunk[65536];

        printf("exercise: %s\n", backend);
        guest_writer_set_observer(w, log_cb, &l);

        ASSERT_OK(guest_writer_mkdir(w, "/etc", 0755, 0, 0));
        ASSERT_ERR(guest_writer_mkdir(w, "/etc", 0755, 0, 0), -EEXIST);
        ASSERT_ERR(guest_writer_mkdir(w, "/", 0755, 0, 0), -EEXIST);
        ASSERT_ERR(guest_writer_mkdir(w, "/no/such", 0755, 0, 0), -ENOENT);
        ASSERT_OK(guest_writer_mkdir(w, "/etc/sub", 0700, 1000, 1001));
        stat_of(w, "/etc/sub", &st);
        ASSERT_EQ(st.type, GUEST_FILE_DIRECTORY);
        if (caps.owners) {
                ASSERT_EQ(st.mode, 0700);
                ASSERT_EQ(st.uid, 1000);
                ASSERT_EQ(st.gid, 1001);
        }
        log_expect(&l, "mkdir /etc\nmkdir /no/such\nmkdir /etc/sub\n");

        /* Create, then replace. */
        ASSERT_OK(guest_writer_write_file(w, "/etc/hostname", "node1\n", 6, 0644, 0, 0, T0));
        ASSERT_OK(guest_writer_write_file(w, "/etc/hostname", "node2\n", 6, 0640, 0, 42, T1));
        s = read_back(w, "/etc/hostname");
        ASSERT_STREQ(s, "node2\n");
        s = mfree(s);
        stat_of(w, "/etc/hostname", &st);
        ASSERT_EQ(st.type, GUEST_FILE_REGULAR);
        ASSERT_EQ(st.size, 6);
        ASSERT_EQ(st.mtime, T1);
        if (caps.owners) {
                ASSERT_EQ(st.mode, 0640);
                ASSERT_EQ(st.gid, 42);
        }
        ASSERT_ERR(guest_writer_write_file(w, "/etc", "x", 1, 0644, 0, 0, T0), -EISDIR);
        ASSERT_ERR(guest_writer_write_file(w, "/etc/hostname/x", "x", 1, 0644, 0, 0, T0), -ENOTDIR);
        log_expect(&l, "create /etc/hostname\nreplace /etc/hostname\n");

        /* Streaming: the file appears at close, not before; an aborted one never. */
        ASSERT_OK(guest_writer_file_open(w, "/etc/big", 0600, 0, 0, &f));
        for (size_t i = 0, done = 0; i < 48; i++) {
                for (size_t j = 0; j < sizeof(chunk); j++)
                        chunk[j] = pattern_byte(done + j);
                ASSERT_OK(guest_writer_file_write(f, chunk, sizeof(chunk)));
                done += sizeof(chunk);
        }
        ASSERT_ERR(exists(w, "/etc/big"), -ENOENT);
        ASSERT_OK(guest_writer_file_close(f, T0));
        stat_of(w, "/etc/big", &st);
        ASSERT_EQ(st.size, 48 * sizeof(chunk));
        s = read_back(w, "/etc/big");
        for (size_t i = 0; i < 48 * sizeof(chunk); i += 4099)
                ASSERT_EQ(s[i], pattern_byte(i));
        s = mfree(s);
        ASSERT_OK(guest_writer_file_open(w, "/etc/aborted", 0600, 0, 0, &f));
        ASSERT_OK(guest_writer_file_write(f, "partial", 7));
        guest_writer_file_abort(f);
        ASSERT_ERR(exists(w, "/etc/aborted"), -ENOENT);
        ASSERT_OK(guest_writer_write_file(w, "/etc/empty", NULL, 0, 0644, 0, 0, T0));
        stat_of(w, "/etc/empty", &st);
        ASSERT_EQ(st.size, 0);
        log_expect(&l, "create /etc/big\ncreate /etc/aborted\ncreate /etc/empty\n");

        /* Renames: a file, a directory with its content; never onto something, never into itself. */
        ASSERT_OK(guest_writer_rename(w, "/etc/hostname", "/etc/sub/hn"));
        ASSERT_ERR(guest_writer_rename(w, "/etc/big", "/etc/sub/hn"), -EEXIST);
        ASSERT_ERR(guest_writer_rename(w, "/etc/big", "/etc/big"), -EEXIST);
        ASSERT_ERR(guest_writer_rename(w, "/etc/nope", "/etc/x"), -ENOENT);
        ASSERT_OK(guest_writer_mkdir(w, "/var", 0755, 0, 0));
        ASSERT_OK(guest_writer_rename(w, "/etc/sub", "/var/moved"));
        ASSERT_ERR(guest_writer_rename(w, "/var", "/var/moved/inside"), -EINVAL);
        ASSERT_ERR(guest_writer_rename(w, "/", "/x"), -EBUSY);
        s = read_back(w, "/var/moved/hn");
        ASSERT_STREQ(s, "node2\n");
        s = mfree(s);
        ASSERT_ERR(exists(w, "/etc/sub"), -ENOENT);
        log_expect(&l, "rename /etc/hostname /etc/sub/hn\nmkdir /var\nrename /etc/sub /var/moved\n");

        /* Removal: not a non-empty directory, not "/", not what is not there. */
        ASSERT_ERR(guest_writer_remove(w, "/var/moved"), -ENOTEMPTY);
        ASSERT_ERR(guest_writer_remove(w, "/"), -EBUSY);
        ASSERT_ERR(guest_writer_remove(w, "/var/nope"), -ENOENT);
        ASSERT_OK(guest_writer_remove(w, "/var/moved/hn"));
        ASSERT_OK(guest_writer_remove(w, "/var/moved"));
        ASSERT_ERR(exists(w, "/var/moved"), -ENOENT);
        log_expect(&l, "remove /var/moved/hn\nremove /var/moved\n");

        /* Metadata. */
        ASSERT_OK(guest_writer_set_meta(w, "/etc/big", 0444, 7, 8, T1));
        stat_of(w, "/etc/big", &st);
        ASSERT_EQ(st.mode, 0444);
        ASSERT_EQ(st.mtime, T1);
        if (caps.owners) {
                ASSERT_EQ(st.uid, 7);
                ASSERT_EQ(st.gid, 8);
                ASSERT_OK(guest_writer_set_meta(w, "/etc/big", 04755, GUEST_WRITER_KEEP_ID, 9,
                                                GUEST_WRITER_KEEP_TIME));
                stat_of(w, "/etc/big", &st);
                ASSERT_EQ(st.mode, 04755);
                ASSERT_EQ(st.uid, 7);
                ASSERT_EQ(st.gid, 9);
                ASSERT_EQ(st.mtime, T1);
                ASSERT_OK(guest_writer_set_meta(w, "/", 0755, 0, 0, GUEST_WRITER_KEEP_TIME));
                log_expect(&l, "meta /etc/big\nmeta /etc/big\nmeta /\n");
        } else
                log_expect(&l, "meta /etc/big\n");
        ASSERT_ERR(guest_writer_set_meta(w, "/etc/nope", 0644, 0, 0, T0), -ENOENT);

        /* Paths that are not canonical are refused before anything happens. */
        ASSERT_ERR(guest_writer_mkdir(w, "etc2", 0755, 0, 0), -EINVAL);
        ASSERT_ERR(guest_writer_mkdir(w, "/etc/../x", 0755, 0, 0), -EINVAL);
        ASSERT_ERR(guest_writer_mkdir(w, "/etc//x", 0755, 0, 0), -EINVAL);
        ASSERT_ERR(guest_writer_mkdir(w, "/etc/./x", 0755, 0, 0), -EINVAL);
        ASSERT_ERR(guest_writer_mkdir(w, "/etc/x/", 0755, 0, 0), -EINVAL);
        {
                char longname[300];
                memset(longname, 'n', sizeof(longname));
                longname[0] = '/';
                longname[sizeof(longname) - 1] = 0;
                ASSERT_ERR(guest_writer_mkdir(w, longname, 0755, 0, 0), -ENAMETOOLONG);
        }
        log_expect(&l, "");

        if (caps.links) {
                _cleanup_free_ char *target = NULL;
                _cleanup_(guest_freep) Guest *g = NULL;

                ASSERT_OK(guest_writer_symlink(w, "/lnk", "/etc", 0, 0));
                ASSERT_OK(guest_writer_symlink(w, "/etc/rel", "../var", 5, 6));
                ASSERT_ERR(guest_writer_symlink(w, "/lnk", "/x", 0, 0), -EEXIST);
                ASSERT_ERR(guest_writer_symlink(w, "/lnk2", "", 0, 0), -ENOENT);
                /* Never through a symlink, whatever the operation. */
                ASSERT_ERR(guest_writer_write_file(w, "/lnk/x", "x", 1, 0644, 0, 0, T0), -ELOOP);
                ASSERT_ERR(guest_writer_mkdir(w, "/lnk/d", 0755, 0, 0), -ELOOP);
                ASSERT_ERR(guest_writer_mkdir(w, "/etc/rel/d", 0755, 0, 0), -ELOOP);
                ASSERT_ERR(guest_writer_remove(w, "/lnk/big"), -ELOOP);
                ASSERT_ERR(guest_writer_rename(w, "/lnk/big", "/big"), -ELOOP);
                ASSERT_ERR(guest_writer_rename(w, "/etc/empty", "/lnk/empty2"), -ELOOP);
                ASSERT_ERR(guest_writer_set_meta(w, "/lnk/big", 0644, 0, 0, T0), -ELOOP);
                ASSERT_ERR(guest_writer_hardlink(w, "/lnk/h", "/etc/big"), -ELOOP);
                ASSERT_ERR(guest_writer_hardlink(w, "/h", "/lnk/big"), -ELOOP);
                ASSERT_ERR(guest_writer_symlink(w, "/lnk/s", "x", 0, 0), -ELOOP);
                ASSERT_ERR(guest_writer_write_file(w, "/etc/big/x", "x", 1, 0644, 0, 0, T0), -ENOTDIR);
                if (caps.xattrs)
                        ASSERT_ERR(guest_writer_set_xattr(w, "/lnk/big", "user.x", "1", 1), -ELOOP);
                /* The link itself is what set_meta changes. */
                ASSERT_OK(guest_writer_set_meta(w, "/lnk", 0600, 3, 4, T0));
                stat_of(w, "/lnk", &st);
                ASSERT_EQ(st.type, GUEST_FILE_SYMLINK);
                ASSERT_EQ(st.mtime, T0);
                ASSERT_EQ(st.uid, 3);
                stat_of(w, "/etc", &st);
                ASSERT_EQ(st.type, GUEST_FILE_DIRECTORY);
                ASSERT_EQ(st.mode, 0755);
                stat_of(w, "/etc/rel", &st);
                ASSERT_EQ(st.uid, 5);
                ASSERT_EQ(st.gid, 6);

                /* Hard links: to files and symlinks, never to directories. */
                ASSERT_OK(guest_writer_hardlink(w, "/var/big2", "/etc/big"));
                ASSERT_OK(guest_writer_hardlink(w, "/var/lnk2", "/lnk"));
                ASSERT_ERR(guest_writer_hardlink(w, "/var/etc", "/etc"), -EPERM);
                ASSERT_ERR(guest_writer_hardlink(w, "/var/x", "/etc/nope"), -ENOENT);
                ASSERT_ERR(guest_writer_hardlink(w, "/var/big2", "/etc/empty"), -EEXIST);
                stat_of(w, "/var/lnk2", &st);
                ASSERT_EQ(st.type, GUEST_FILE_SYMLINK);
                g = guest_of_view(w);
                ASSERT_OK(guest_readlink(g, "/var/lnk2", &target));
                ASSERT_STREQ(target, "/etc");
                g = guest_free(g);
                /* Replacing a file makes a new one: the other link keeps the old content. */
                ASSERT_OK(guest_writer_write_file(w, "/etc/big", "new", 3, 0644, 0, 0, T0));
                s = read_back(w, "/etc/big");
                ASSERT_STREQ(s, "new");
                s = mfree(s);
                stat_of(w, "/var/big2", &st);
                ASSERT_EQ(st.size, 48 * sizeof(chunk));
                /* A symlink is replaced by a file, not followed. */
                ASSERT_OK(guest_writer_write_file(w, "/var/lnk2", "file", 4, 0644, 0, 0, T0));
                stat_of(w, "/var/lnk2", &st);
                ASSERT_EQ(st.type, GUEST_FILE_REGULAR);
                stat_of(w, "/lnk", &st);
                ASSERT_EQ(st.type, GUEST_FILE_SYMLINK);
                /* Removing and renaming a symlink touch the link only. */
                ASSERT_OK(guest_writer_rename(w, "/lnk", "/var/lnk3"));
                ASSERT_OK(guest_writer_remove(w, "/var/lnk3"));
                stat_of(w, "/etc", &st);
                ASSERT_EQ(st.type, GUEST_FILE_DIRECTORY);
                ASSERT_OK(guest_writer_remove(w, "/var/big2"));
                log_expect(&l, "symlink /lnk\nsymlink /etc/rel\nmeta /lnk\nhardlink /var/big2 /etc/big\n"
                               "hardlink /var/lnk2 /lnk\nreplace /etc/big\nreplace /var/lnk2\n"
                               "rename /lnk /var/lnk3\nremove /var/lnk3\nremove /var/big2\n");
        } else {
                ASSERT_ERR(guest_writer_symlink(w, "/lnk", "/etc", 0, 0), -EOPNOTSUPP);
                ASSERT_ERR(guest_writer_hardlink(w, "/var/big2", "/etc/big"), -EOPNOTSUPP);
                log_expect(&l, "");
        }

        if (caps.xattrs) {
                _cleanup_(guest_freep) Guest *g = NULL;
                GuestXattr *x = NULL;
                size_t n = 0;
                char big[3000];

                memset(big, 'v', sizeof(big));
                ASSERT_OK(guest_writer_set_xattr(w, "/etc/empty", "user.test", "v1", 2));
                ASSERT_OK(guest_writer_set_xattr(w, "/etc/empty", "user.test", "v22", 3));
                ASSERT_OK(guest_writer_set_xattr(w, "/etc/empty", "security.big", big, sizeof(big)));
                ASSERT_OK(guest_writer_set_xattr(w, "/etc", "trusted.dir", "d", 1));
                ASSERT_OK(guest_writer_set_xattr(w, "/etc/rel", "security.link", "l", 1));
                ASSERT_ERR(guest_writer_set_xattr(w, "/etc/empty", "nonamespace", "x", 1), -EINVAL);
                ASSERT_ERR(guest_writer_set_xattr(w, "/etc/nope", "user.x", "x", 1), -ENOENT);
                g = guest_of_view(w);
                ASSERT_OK(guest_lxattrs(g, "/etc/empty", &x, &n));
                ASSERT_EQ(n, 2);
                ASSERT_STREQ(x[0].name, "security.big");
                ASSERT_EQ(x[0].size, sizeof(big));
                ASSERT_TRUE(memcmp(x[0].value, big, sizeof(big)) == 0);
                ASSERT_STREQ(x[1].name, "user.test");
                ASSERT_EQ(x[1].size, 3);
                ASSERT_TRUE(memcmp(x[1].value, "v22", 3) == 0);
                guest_xattrs_free(x, n);
                ASSERT_OK(guest_lxattrs(g, "/etc/rel", &x, &n));
                ASSERT_EQ(n, 1);
                ASSERT_STREQ(x[0].name, "security.link");
                guest_xattrs_free(x, n);
                log_expect(&l, "xattr /etc/empty\nxattr /etc/empty\nxattr /etc/empty\nxattr /etc\n"
                               "xattr /etc/rel\n");
        } else {
                ASSERT_ERR(guest_writer_set_xattr(w, "/etc/empty", "user.test", "v1", 2), -EOPNOTSUPP);
                log_expect(&l, "");
        }

        /* An observer that vetoes: the change does not happen and the veto is the result. */
        {
                _cleanup_free_ char *before = listing(w, TREE_HASH_MTIME), *after = NULL;
                unsigned calls;

                l.veto = -EPERM;
                calls = l.calls;
                ASSERT_ERR(guest_writer_mkdir(w, "/vetoed", 0755, 0, 0), -EPERM);
                ASSERT_ERR(guest_writer_write_file(w, "/etc/empty", "x", 1, 0644, 0, 0, T0), -EPERM);
                ASSERT_ERR(guest_writer_write_file(w, "/etc/new", "x", 1, 0644, 0, 0, T0), -EPERM);
                ASSERT_ERR(guest_writer_file_open(w, "/etc/new", 0644, 0, 0, &f), -EPERM);
                ASSERT_ERR(guest_writer_rename(w, "/etc/empty", "/etc/empty2"), -EPERM);
                ASSERT_ERR(guest_writer_remove(w, "/etc/empty"), -EPERM);
                ASSERT_ERR(guest_writer_set_meta(w, "/etc/empty", 0600, 0, 0, T1), -EPERM);
                if (caps.links) {
                        ASSERT_ERR(guest_writer_symlink(w, "/etc/s", "x", 0, 0), -EPERM);
                        ASSERT_ERR(guest_writer_hardlink(w, "/etc/h", "/etc/empty"), -EPERM);
                }
                if (caps.xattrs)
                        ASSERT_ERR(guest_writer_set_xattr(w, "/etc/empty", "user.v", "x", 1), -EPERM);
                ASSERT_EQ(l.calls - calls, 7 + (caps.links ? 2 : 0) + (caps.xattrs ? 1 : 0));
                after = listing(w, TREE_HASH_MTIME);
                ASSERT_STREQ(after, before);
                l.veto = 0;
                l.n = 0;
                l.buf[0] = 0;
        }
        guest_writer_set_observer(w, NULL, NULL);
}

/* ---- dir ---- */

static void test_dir(void)
{
        _cleanup_(guest_writer_freep) GuestWriter *w = NULL;
        char root[256], outside[256], link[300];
        Caps caps = { .links = true, .xattrs = true, .owners = true }; /* runs as root only */

        snprintf(root, sizeof(root), "%s/dir-root", top);
        snprintf(outside, sizeof(outside), "%s/outside", top);
        ASSERT_TRUE(mkdir(root, 0755) == 0);
        ASSERT_OK(guest_writer_open_dir(root, &w));
        exercise("dir", w, caps);

        /* Confinement: symlinks (absolute to the host, relative out of the root) lead nowhere. */
        ASSERT_TRUE(mkdir(outside, 0755) == 0);
        sh("echo secret > %s/secret", outside);
        ASSERT_TRUE(symlink(outside, (snprintf(link, sizeof(link), "%s/abs", root), link)) == 0);
        ASSERT_TRUE(symlink("../outside", (snprintf(link, sizeof(link), "%s/rel", root), link)) == 0);
        ASSERT_ERR(guest_writer_write_file(w, "/abs/new", "x", 1, 0644, 0, 0, T0), -ELOOP);
        ASSERT_ERR(guest_writer_write_file(w, "/abs/secret", "x", 1, 0644, 0, 0, T0), -ELOOP);
        ASSERT_ERR(guest_writer_mkdir(w, "/rel/d", 0755, 0, 0), -ELOOP);
        ASSERT_ERR(guest_writer_remove(w, "/abs/secret"), -ELOOP);
        ASSERT_ERR(guest_writer_rename(w, "/abs/secret", "/stolen"), -ELOOP);
        ASSERT_ERR(guest_writer_hardlink(w, "/stolen", "/rel/secret"), -ELOOP);
        ASSERT_ERR(guest_writer_set_meta(w, "/abs/secret", 0777, 0, 0, T0), -ELOOP);
        ASSERT_ERR(guest_writer_set_xattr(w, "/rel/secret", "user.x", "1", 1), -ELOOP);
        /* The final symlink is replaced, never written through. */
        ASSERT_OK(guest_writer_write_file(w, "/abs", "replaced", 8, 0644, 0, 0, T0));
        ASSERT_OK(guest_writer_set_meta(w, "/rel", GUEST_WRITER_KEEP_ID, 0, 0, T0));
        ASSERT_OK(guest_writer_remove(w, "/rel"));
        sh("test \"$(ls -A %s)\" = secret && test \"$(cat %s/secret)\" = secret && test -d %s/outside && "
           "test \"$(stat -c %%Y %s)\" != %d",
           outside, outside, top, outside, T0);
        /* No temporary file left anywhere. */
        sh("test -z \"$(find %s -name '.#azlm-*')\"", root);
        ASSERT_OK(guest_writer_close(TAKE_PTR(w)));
}

/* ---- ext ---- */

static void make_ext(const char *img, const char *extra)
{
        sh("set -e; cd %s; rm -f %s; truncate -s %dM %s; mke2fs -q -F %s -E offset=%d %s 65536k >/dev/null "
           "2>&1",
           top, img, 64 + (OFFSET >> 20), img, extra, OFFSET, img);
}

/* Changes that exercise libext2fs's harder paths: directory growth, big files, a block of
 * xattrs, hard links, directory renames across parents, removals that free all of that. */
static void ext_batch(GuestWriter *w)
{
        static char data[1 << 20];
        char p[300], q[300], big[700]; /* in an xattr block, even of 1 KiB */

        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (char) (i * 31 + i / 7);
        memset(big, 'x', sizeof(big));
        ASSERT_OK(guest_writer_mkdir(w, "/many", 0755, 0, 0));
        for (int i = 0; i < 400; i++) {
                snprintf(p, sizeof(p), "/many/a-rather-long-file-name-to-fill-directory-blocks-%04d", i);
                ASSERT_OK(guest_writer_write_file(w, p, p, strlen(p), 0644, (uint32_t) i, 0, T0 + i));
        }
        for (int i = 0; i < 400; i += 3) {
                snprintf(p, sizeof(p), "/many/a-rather-long-file-name-to-fill-directory-blocks-%04d", i);
                ASSERT_OK(guest_writer_remove(w, p));
        }
        ASSERT_OK(guest_writer_mkdir(w, "/tree", 0755, 0, 0));
        ASSERT_OK(guest_writer_mkdir(w, "/tree/a", 0755, 0, 0));
        ASSERT_OK(guest_writer_mkdir(w, "/tree/a/b", 0750, 1, 1));
        ASSERT_OK(guest_writer_mkdir(w, "/tree/a/b/c", 0700, 2, 2));
        ASSERT_OK(guest_writer_write_file(w, "/tree/a/b/c/big", data, sizeof(data), 0644, 0, 0, T0));
        {
                GuestWriterFile *f = NULL;
                ASSERT_OK(guest_writer_file_open(w, "/tree/a/huge", 0600, 0, 0, &f));
                for (int i = 0; i < 9; i++)
                        ASSERT_OK(guest_writer_file_write(f, data, sizeof(data)));
                ASSERT_OK(guest_writer_file_close(f, T1));
        }
        ASSERT_OK(guest_writer_hardlink(w, "/tree/huge-link", "/tree/a/huge"));
        ASSERT_OK(guest_writer_set_xattr(w, "/tree/a/huge", "security.selinux", "system_u:object_r:etc_t:s0",
                                         27));
        ASSERT_OK(guest_writer_set_xattr(w, "/tree/a/huge", "user.big", big, sizeof(big)));
        ASSERT_OK(guest_writer_set_xattr(w, "/tree/a/b", "user.big", big, sizeof(big)));
        ASSERT_OK(guest_writer_symlink(w, "/tree/fast", "a/b", 0, 0));
        memset(q, 'q', 200);
        q[0] = '/';
        q[200] = 0;
        ASSERT_OK(guest_writer_symlink(w, "/tree/slow", q, 0, 0));
        ASSERT_OK(guest_writer_set_xattr(w, "/tree/fast", "security.selinux", "x", 1));
        /* Directory moves: to another parent (".." and two link counts), and within one. */
        ASSERT_OK(guest_writer_mkdir(w, "/other", 0755, 0, 0));
        ASSERT_OK(guest_writer_rename(w, "/tree/a/b", "/other/b"));
        ASSERT_OK(guest_writer_rename(w, "/other/b/c", "/other/b/c2"));
        ASSERT_OK(guest_writer_rename(w, "/tree/a", "/many/a"));
        ASSERT_OK(guest_writer_rename(w, "/many/a-rather-long-file-name-to-fill-directory-blocks-0001",
                                      "/other/f1"));
        /* Replacing and removing: the last link frees the inode, its blocks and its xattr block. */
        ASSERT_OK(guest_writer_write_file(w, "/many/a/huge", "small", 5, 0644, 0, 0, T0));
        ASSERT_OK(guest_writer_remove(w, "/tree/huge-link"));
        ASSERT_OK(guest_writer_remove(w, "/tree/slow"));
        ASSERT_OK(guest_writer_remove(w, "/other/b/c2/big"));
        ASSERT_OK(guest_writer_remove(w, "/other/b/c2"));
        ASSERT_OK(guest_writer_set_meta(w, "/other/b", 0711, 5, 5, T1));
        ASSERT_OK(guest_writer_set_meta(w, "/tree/fast", GUEST_WRITER_KEEP_ID, 9, 9, T1));
        /* A time past 2038 (the epoch bits of large inodes). */
        ASSERT_OK(guest_writer_write_file(w, "/other/future", "y", 1, 0644, 0, 0, 4102444800LL));
}

static void test_ext_variant(const char *name, const char *mkfs_options, bool exercise_all, bool wide_times)
{
        _cleanup_(guest_writer_freep) GuestWriter *w = NULL;
        _cleanup_free_ char *error = NULL, *before = NULL, *after = NULL;
        _cleanup_close_ int fd = -EBADF;
        char img[300];
        GuestExtInfo info = {};
        GuestFs *fs = NULL;
        GuestStat st;

        make_ext(name, mkfs_options);
        snprintf(img, sizeof(img), "%s/%s", top, name);
        ASSERT_OK(guest_writer_open_ext(img, OFFSET, &w, &error));
        if (exercise_all)
                exercise(name, w, (Caps){ .links = true, .xattrs = true, .owners = true });
        ext_batch(w);
        stat_of(w, "/other/future", &st);
        if (wide_times)
                ASSERT_EQ(st.mtime, 4102444800LL);
        before = listing(w, TREE_HASH_MTIME);
        ASSERT_OK(guest_writer_close(TAKE_PTR(w)));
        fsck_ext_at(top, img, OFFSET);

        /* What the writer's view showed is what the filesystem holds, read afresh. */
        fd = open(img, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(guest_ext_open(fd, OFFSET, &fs, &info));
        ASSERT_OK(tree_hash_fs(fs, "/", TREE_HASH_MTIME, &after, NULL));
        guest_fs_free(fs);
        ASSERT_STREQ(after, before);
        ASSERT_TRUE(strstr(after, "other/b directory 0711 5:5") != NULL);
        ASSERT_TRUE(strstr(after, "many/a/huge regular 0644 0:0 m1600000000 5:") != NULL);
}

static void test_ext(void)
{
        if (!have_tool("mke2fs") || !have_tool("e2fsck"))
                SKIP("e2fsprogs is not installed");
        test_ext_variant("ext4.img", "-t ext4 -b 4096", true, true);
        test_ext_variant("inline.img", "-t ext4 -b 4096 -O inline_data,metadata_csum -I 256", true, true);
        /* Block maps instead of extents, 128-byte inodes: no times past 2038. */
        test_ext_variant("ext2-1k.img", "-t ext2 -b 1024 -I 128", false, false);
        /* The write-back cache full over and over (test builds take its size from the
         * environment): the same filesystem, sound. */
        if (streq_ptr(getenv("AZLMIGRATE_FAULT_INJECTION"), "1")) {
                ASSERT_EQ(setenv("AZLMIGRATE_EXT_CACHE_BLOCKS", "3", 1), 0);
                test_ext_variant("small-cache.img", "-t ext4 -b 4096", true, true);
                test_ext_variant("small-cache-1k.img", "-t ext2 -b 1024 -I 128", false, false);
                ASSERT_EQ(unsetenv("AZLMIGRATE_EXT_CACHE_BLOCKS"), 0);
        }
}

/* Big directories as the kernel leaves them: hash-indexed (htree). e2fsck -D indexes the
 * directories of a filesystem made with mke2fs -d; the writer then adds, removes and renames in
 * them, and e2fsck must still find the indexes sound. */
static void test_ext_htree(void)
{
        _cleanup_(guest_writer_freep) GuestWriter *w = NULL;
        _cleanup_free_ char *error = NULL, *s = NULL;
        char img[300], p[300], q[300];

        snprintf(img, sizeof(img), "%s/htree.img", top);
        sh("set -e; cd %s; rm -rf ht; mkdir -p ht/usr/lib ht/etc; for i in $(seq 1 3000); do "
           ": > ht/usr/lib/libsomething-with-a-long-name.so.$i; done; truncate -s 64M htree.img; "
           "mke2fs -q -F -t ext4 -b 4096 -d ht htree.img >/dev/null 2>&1; e2fsck -fyD htree.img >/dev/null "
           "2>&1 "
           "|| test $? -le 1; debugfs -R 'htree /usr/lib' htree.img 2>/dev/null | grep -q 'Number of "
           "entries'",
           top);
        ASSERT_OK(guest_writer_open_ext(img, 0, &w, &error));
        for (int i = 1; i <= 3000; i += 7) {
                snprintf(p, sizeof(p), "/usr/lib/libsomething-with-a-long-name.so.%d", i);
                ASSERT_OK(guest_writer_remove(w, p));
        }
        for (int i = 0; i < 500; i++) {
                snprintf(p, sizeof(p), "/usr/lib/libnew-%d.so", i);
                ASSERT_OK(guest_writer_write_file(w, p, "elf", 3, 0755, 0, 0, T0));
        }
        for (int i = 2; i <= 3000; i += 11) {
                if ((i - 1) % 7 == 0)
                        continue; /* removed above */
                snprintf(p, sizeof(p), "/usr/lib/libsomething-with-a-long-name.so.%d", i);
                snprintf(q, sizeof(q), "/etc/moved-%d", i);
                ASSERT_OK(guest_writer_rename(w, p, q));
        }
        ASSERT_OK(guest_writer_mkdir(w, "/usr/lib/newdir", 0755, 0, 0));
        ASSERT_OK(guest_writer_rename(w, "/usr/lib/newdir", "/etc/newdir"));
        s = read_back(w, "/usr/lib/libnew-499.so");
        ASSERT_STREQ(s, "elf");
        ASSERT_ERR(exists(w, "/usr/lib/libsomething-with-a-long-name.so.8"), -ENOENT);
        ASSERT_OK(exists(w, "/usr/lib/libsomething-with-a-long-name.so.9"));
        ASSERT_OK(guest_writer_close(TAKE_PTR(w)));
        fsck_ext_at(top, img, 0);
}

static void test_ext_refusals(void)
{
        _cleanup_(guest_writer_freep) GuestWriter *w = NULL;
        char *error = NULL;
        char img[300];

        if (!have_tool("mke2fs") || !have_tool("debugfs"))
                SKIP("e2fsprogs is not installed");
        /* Not a filesystem. */
        snprintf(img, sizeof(img), "%s/zero.img", top);
        sh("truncate -s 8M %s", img);
        ASSERT_TRUE(guest_writer_open_ext(img, 0, &w, &error) < 0);
        ASSERT_NOT_NULL(error);
        error = mfree(error);
        /* A journal with transactions to replay: writing would lose them. */
        snprintf(img, sizeof(img), "%s/journal.img", top);
        sh("set -e; truncate -s 16M %s; mke2fs -q -F -t ext4 %s; debugfs -w -R 'feature needs_recovery' %s "
           ">/dev/null 2>&1",
           img, img, img);
        ASSERT_ERR(guest_writer_open_ext(img, 0, &w, &error), -EUCLEAN);
        ASSERT_TRUE(strstr(error, "journal") != NULL);
        free(error);
        ASSERT_ERR(guest_writer_open_ext("/nonexistent/image", 0, &w, NULL), -ENOENT);
}

/* ---- fat ---- */

static void test_fat(void)
{
        _cleanup_(guest_writer_freep) GuestWriter *w = NULL;
        _cleanup_free_ char *s = NULL;
        char img[300];
        GuestStat st;
        int r;

        if (!have_tool("mkfs.vfat") || !have_tool("mcopy") || !have_tool("fsck.vfat"))
                SKIP("dosfstools or mtools is not installed");
        snprintf(img, sizeof(img), "%s/esp.img", top);
        sh("set -e; truncate -s 72M %s; mkfs.vfat -F 32 -n ESP --offset %d %s 65536 >/dev/null 2>&1", img,
           OFFSET / 512, img);
        ASSERT_ERR(guest_writer_open_fat(img, 0, 64 << 20, &w), -EUCLEAN); /* no FAT there */
        ASSERT_ERR(guest_writer_open_fat("/tmp/x@@y", OFFSET, 64 << 20, &w), -EINVAL);
        ASSERT_OK(guest_writer_open_fat(img, OFFSET, 64 << 20, &w));
        exercise("fat", w, (Caps){});

        /* Names FAT cannot hold, or that mtools would take as patterns. */
        ASSERT_ERR(guest_writer_write_file(w, "/a*b", "x", 1, 0644, 0, 0, T0), -EINVAL);
        ASSERT_ERR(guest_writer_mkdir(w, "/q?", 0755, 0, 0), -EINVAL);
        ASSERT_ERR(guest_writer_mkdir(w, "/dot.", 0755, 0, 0), -EINVAL);
        ASSERT_ERR(guest_writer_write_file(w, "/new\nline", "x", 1, 0644, 0, 0, T0), -EINVAL);
        /* An ESP layout; lookups are case-insensitive, as the kernel's. */
        ASSERT_OK(guest_writer_mkdir(w, "/EFI", 0755, 0, 0));
        ASSERT_OK(guest_writer_mkdir(w, "/EFI/BOOT", 0755, 0, 0));
        ASSERT_OK(guest_writer_mkdir(w, "/EFI/azurelinux", 0755, 0, 0));
        ASSERT_OK(guest_writer_write_file(w, "/EFI/BOOT/BOOTX64.EFI", "MZ-shim", 7, 0644, 0, 0, T0));
        ASSERT_OK(guest_writer_write_file(w, "/EFI/azurelinux/grub.cfg", "search --fs-uuid x\n", 19, 0644, 0,
                                          0, T1));
        ASSERT_ERR(guest_writer_mkdir(w, "/efi", 0755, 0, 0), -EEXIST);
        stat_of(w, "/efi/boot/bootx64.efi", &st);
        ASSERT_EQ(st.size, 7);
        ASSERT_EQ(st.mtime, T0);
        s = read_back(w, "/EFI/azurelinux/grub.cfg");
        ASSERT_STREQ(s, "search --fs-uuid x\n");
        /* A read-only file can still be replaced and removed. */
        ASSERT_OK(guest_writer_set_meta(w, "/EFI/BOOT/BOOTX64.EFI", 0444, 0, 0, GUEST_WRITER_KEEP_TIME));
        stat_of(w, "/EFI/BOOT/BOOTX64.EFI", &st);
        ASSERT_EQ(st.mode, 0444);
        ASSERT_OK(guest_writer_write_file(w, "/EFI/BOOT/BOOTX64.EFI", "MZ-shim2", 8, 0644, 0, 0, T1));
        stat_of(w, "/EFI/BOOT/BOOTX64.EFI", &st);
        ASSERT_EQ(st.mode, 0644);
        ASSERT_EQ(st.mtime, T1);
        ASSERT_OK(guest_writer_set_meta(w, "/EFI/BOOT/BOOTX64.EFI", 0444, 0, 0, GUEST_WRITER_KEEP_TIME));
        ASSERT_OK(guest_writer_remove(w, "/EFI/BOOT/BOOTX64.EFI"));
        ASSERT_OK(guest_writer_close(TAKE_PTR(w)));

        sh("cd %s && dd if=%s of=fsck-fat.img bs=1M skip=%d status=none", top, img, OFFSET >> 20);
        r = shell("cd %s && fsck.vfat -n fsck-fat.img > fsck-fat.log 2>&1", top);
        if (r != 0) {
                (void) shell("cat %s/fsck-fat.log >&2", top);
                FAIL("fsck.vfat -n reported problems (exit %d)", r);
        }
}

static void test_borrow(void)
{
        _cleanup_(guest_writer_freep) GuestWriter *w = NULL;
        _cleanup_(guest_freep) Guest *g = NULL;
        char root[256];
        GuestStat st;

        snprintf(root, sizeof(root), "%s/borrow", top);
        ASSERT_TRUE(mkdir(root, 0755) == 0);
        ASSERT_OK(guest_writer_open_dir(root, &w));
        /* The Guest frees its proxy, never the writer's view: the writer stays usable. */
        g = guest_of_view(w);
        g = guest_free(g);
        ASSERT_OK(guest_writer_mkdir(w, "/d", 0755, geteuid(), getegid()));
        g = guest_of_view(w);
        ASSERT_OK(guest_stat(g, "/d", &st));
        ASSERT_EQ(st.type, GUEST_FILE_DIRECTORY);
        /* A Guest caches what it resolved: after a change, it forgets on request. */
        ASSERT_OK(guest_writer_remove(w, "/d"));
        ASSERT_OK(guest_forget_cache(g));
        ASSERT_ERR(guest_stat(g, "/d", &st), -ENOENT);
        ASSERT_STREQ(guest_write_op_to_string(GUEST_WRITE_HARDLINK), "hardlink");
        ASSERT_EQ(guest_write_op_from_string("rename"), GUEST_WRITE_RENAME);
        ASSERT_EQ(guest_write_op_from_string("nope"), -EINVAL);
}

int main(void)
{
        ASSERT_NOT_NULL(mkdtemp(top));
        RUN(test_borrow);
        if (is_root())
                RUN(test_dir);
        else
                printf("not root: the dir backend's owner changes are not tested\n");
        if (have_tool("mke2fs") && have_tool("e2fsck") && have_tool("debugfs")) {
                RUN(test_ext);
                RUN(test_ext_htree);
                RUN(test_ext_refusals);
        } else
                printf("e2fsprogs missing: ext not tested\n");
        if (have_tool("mkfs.vfat") && have_tool("mcopy") && have_tool("fsck.vfat"))
                RUN(test_fat);
        else
                printf("dosfstools or mtools missing: fat not tested\n");
        {
                char cmd[512];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
                (void) !system(cmd);
        }
        TESTS_DONE();
}
