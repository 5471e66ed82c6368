/* SPDX-License-Identifier: MIT */
/* Unit tests for target extraction (src/exec/target.c): a root tree made here, archived with GNU
 * tar (--xattrs; plain, gzip, xz, zstd, bzip2), extracted into the dir and ext writers gives the
 * same tree as the source (paths, types, modes, owners, mtimes, content, symlink targets,
 * xattrs), with e2fsck clean on the image; hostile archives made with python3's tarfile are
 * refused with nothing written outside the staging directory, neither on the host nor in the
 * image. Needs root (owners), tar, e2fsprogs and python3; skips (77) without them. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "disk/guest-dir.h"
#include "disk/guest-ext.h"
#include "disk/guest-write.h"
#include "disk/guest.h"
#include "exec/target.h"
#include "shared/fd-util.h"
#include "shell.h"
#include "tests.h"
#include "tree-hash.h"

#define OFFSET (1024 * 1024)
#define PREFIX "/.azlmigrate/stage"
#define T0     1600000000

static char top[] = "/tmp/azlm-target-XXXXXX";
static unsigned counter;

/* ---- fixtures ---- */

static void xattr(const char *tree, const char *rel, const char *name, const void *value, size_t size)
{
        char p[512];

        snprintf(p, sizeof(p), "%s/%s", tree, rel);
        if (lsetxattr(p, name, value, size, 0) < 0)
                FAIL("lsetxattr %s %s: %s", p, name, strerror(errno));
}

/* A small Azure-Linux-shaped root: setuid and sticky modes, other owners, relative and absolute
 * symlinks, a hard link, a sparse file, names with spaces and UTF-8, file capabilities, SELinux
 * labels and user xattrs. Every mtime is T0 (directories last). */
static void make_tree(const char *tree)
{
        /* VFS_CAP_REVISION_2 with the effective bit; permitted: CAP_NET_RAW (13). */
        static const uint8_t cap_net_raw[20] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x20 };

        sh("set -e; mkdir -p %s; cd %s; "
           "mkdir -p etc/ssh usr/bin usr/lib/modules/6.6.0 usr/share/doc var/empty tmp home/azureuser boot; "
           "printf 'NAME=\"Microsoft Azure Linux\"\\nVERSION=\"3.0.20240727\"\\nID=azurelinux\\n' > "
           "usr/lib/os-release; ln -s ../usr/lib/os-release etc/os-release; "
           "printf 'root:x:0:0:root:/root:/bin/bash\\n' > etc/passwd; printf 'root:*::\\n' > etc/shadow; "
           "chmod 0000 etc/shadow; printf '#!/bin/sh\\necho tool\\n' > usr/bin/tool; chmod 0755 "
           "usr/bin/tool; "
           "ln usr/bin/tool usr/bin/tool-alias; printf 'su\\n' > usr/bin/su; chmod 4755 usr/bin/su; "
           "printf 'ping\\n' > usr/bin/ping; chmod 0755 usr/bin/ping; ln -s usr/bin bin; ln -s /usr/lib "
           "lib; "
           "seq 1 300000 > usr/lib/modules/6.6.0/big.ko; : > etc/empty; "
           "truncate -s 1M usr/lib/sparse; printf end >> usr/lib/sparse; "
           "printf 'doc' > 'usr/share/doc/a name with spaces'; printf 'u' > usr/share/doc/$(printf "
           "'\\303\\274nic\\303\\266de'); "
           "printf 'x' > boot/vmlinuz-6.6.0; chmod 1777 tmp; chmod 0711 var/empty; "
           "printf 'hi' > home/azureuser/.bashrc; chown -R 1000:1000 home/azureuser; chmod 0700 "
           "home/azureuser; chown 0:5 etc/passwd; ln -s 'dangling target' usr/share/doc/dangling",
           tree, tree);
        xattr(tree, "usr/bin/ping", "security.capability", cap_net_raw, sizeof(cap_net_raw));
        xattr(tree, "etc/passwd", "security.selinux", "system_u:object_r:passwd_file_t:s0", 35);
        xattr(tree, "etc", "security.selinux", "system_u:object_r:etc_t:s0", 27);
        xattr(tree, "usr/share/doc/a name with spaces", "user.comment", "\0binary\xff", 8);
        xattr(tree, "etc/os-release", "security.selinux", "system_u:object_r:etc_t:s0", 27);
        xattr(tree, "var/empty", "trusted.test", "t", 1);
        sh("cd %s && find . -depth -exec touch -h -d @%d {} +", tree, T0);
}

static void make_tar(const char *tree, const char *tar, const char *compress)
{
        sh("tar --xattrs --xattrs-include='*' --numeric-owner --format=posix --sparse %s -C %s -cf %s .",
           compress, tree, tar);
}

static void make_ext_image(const char *img)
{
        sh("set -e; rm -f %s; truncate -s %dM %s; mke2fs -q -F -t ext4 -b 4096 -E offset=%d %s 65536k "
           ">/dev/null 2>&1",
           img, 64 + (OFFSET >> 20), img, OFFSET, img);
}

static char *listing_of_fs(GuestFs *fs, const char *root, unsigned flags)
{
        char *s = NULL;
        ASSERT_OK(tree_hash_fs(fs, root, flags, &s, NULL));
        return s;
}

static char *listing_of_host(const char *dir, unsigned flags)
{
        _cleanup_(guest_fs_freep) GuestFs *fs = NULL;

        ASSERT_OK(guest_dir_open(dir, &fs));
        return listing_of_fs(fs, "/", flags);
}

/* Drops the lines of a listing for stage and what is below it (relative path). */
static char *without(char *s, const char *stage)
{
        size_t len = strlen(stage), o = 0;

        for (char *p = s; *p;) {
                char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t) (nl - p) + 1 : strlen(p);
                bool drop = strncmp(p, stage, len) == 0 && (p[len] == ' ' || p[len] == '/');

                if (!drop) {
                        memmove(s + o, p, n);
                        o += n;
                }
                p += n;
        }
        s[o] = 0;
        return s;
}

typedef struct Progress {
        unsigned calls;
        uint64_t last, total;
} Progress;

static void progress_cb(void *userdata, uint64_t done, uint64_t total)
{
        Progress *p = userdata;

        ASSERT_TRUE(done >= p->last);
        ASSERT_TRUE(done <= total);
        p->calls++;
        p->last = done;
        p->total = total;
}

/* ---- a normal archive into both writers ---- */

static GuestWriter *dir_writer(char *root, size_t size)
{
        GuestWriter *w = NULL;

        snprintf(root, size, "%s/root-%u", top, counter++);
        sh("mkdir -p %s/.azlmigrate && echo keep > %s/canary", root, root);
        ASSERT_OK(guest_writer_open_dir(root, &w));
        return w;
}

static GuestWriter *ext_writer(char *img, size_t size)
{
        GuestWriter *w = NULL;
        char *error = NULL;

        snprintf(img, size, "%s/img-%u.raw", top, counter++);
        make_ext_image(img);
        ASSERT_OK(guest_writer_open_ext(img, OFFSET, &w, &error));
        ASSERT_OK(guest_writer_mkdir(w, "/.azlmigrate", 0700, 0, 0));
        ASSERT_OK(guest_writer_write_file(w, "/canary", "keep\n", 5, 0644, 0, 0, T0));
        return w;
}

static void check_stats(const TargetStats *st)
{
        /* os-release passwd shadow tool su ping big.ko empty sparse, two in doc, vmlinuz, .bashrc */
        ASSERT_UEQ(st->files, 13);
        /* etc etc/ssh usr usr/bin usr/lib usr/lib/modules usr/lib/modules/6.6.0 usr/share
         * usr/share/doc var var/empty tmp home home/azureuser boot */
        ASSERT_UEQ(st->dirs, 15);
        ASSERT_UEQ(st->symlinks, 4);
        ASSERT_UEQ(st->hardlinks, 1);
        ASSERT_UEQ(st->skipped_devices, 0);
        ASSERT_TRUE(st->bytes > 1000000);
}

static void test_extract(void)
{
        _cleanup_free_ char *source = NULL;
        char tree[256], tar[256];
        struct {
                const char *name, *option, *tool;
        } variants[] = {
                { "plain", "", "tar" },       { "gzip", "-z", "gzip" },   { "xz", "-J", "xz" },
                { "zstd", "--zstd", "zstd" }, { "bzip2", "-j", "bzip2" },
        };

        snprintf(tree, sizeof(tree), "%s/tree", top);
        make_tree(tree);
        source = listing_of_host(tree, TREE_HASH_MTIME);
        /* The fixture is what it claims to be. */
        ASSERT_TRUE(strstr(source, "usr/bin/su regular 4755 0:0") != NULL);
        ASSERT_TRUE(strstr(source, "usr/bin/ping regular 0755 0:0 m1600000000 5:") != NULL);
        ASSERT_TRUE(strstr(source, "security.capability=") != NULL);
        ASSERT_TRUE(strstr(source, "home/azureuser directory 0700 1000:1000") != NULL);
        ASSERT_TRUE(strstr(source, "lib symlink 0777 0:0 m1600000000 -> /usr/lib") != NULL);

        for (size_t v = 0; v < ELEMENTSOF(variants); v++) {
                _cleanup_free_ char *error = NULL, *dir_list = NULL, *ext_list = NULL, *after = NULL;
                _cleanup_(guest_writer_freep) GuestWriter *dw = NULL, *ew = NULL;
                _cleanup_close_ int fd = -EBADF;
                char root[256], img[256];
                TargetStats st = {};
                Progress prog = {};
                GuestExtInfo info = {};
                GuestFs *fs = NULL;
                GuestStat gst;

                if (!have_tool(variants[v].tool)) {
                        printf("%s: %s is not installed, skipped\n", variants[v].name, variants[v].tool);
                        continue;
                }
                printf("variant %s\n", variants[v].name);
                snprintf(tar, sizeof(tar), "%s/root-%s.tar", top, variants[v].name);
                make_tar(tree, tar, variants[v].option);

                /* dir */
                dw = dir_writer(root, sizeof(root));
                guest_writer_set_sync(dw, false);
                ASSERT_OK(target_extract_with_progress(tar, dw, PREFIX, progress_cb, &prog, &st, &error));
                check_stats(&st);
                ASSERT_TRUE(prog.calls >= 1);
                ASSERT_TRUE(prog.last > 0);
                dir_list = listing_of_fs(guest_writer_fs(dw), PREFIX, TREE_HASH_MTIME);
                ASSERT_STREQ(dir_list, source);
                /* The archive's root became the prefix. */
                ASSERT_OK(guest_writer_fs(dw)->ops->lstat(guest_writer_fs(dw), PREFIX, &gst));
                ASSERT_EQ(gst.mode, 0755);
                ASSERT_EQ(gst.mtime, T0);
                /* A second extraction over it: refused, the caller removes first. */
                error = mfree(error);
                ASSERT_ERR(target_extract(tar, dw, PREFIX, &st, &error), -EEXIST);
                ASSERT_TRUE(strstr(error, "exists") != NULL);
                error = mfree(error);
                ASSERT_OK(guest_writer_close(TAKE_PTR(dw)));

                /* ext */
                ew = ext_writer(img, sizeof(img));
                memset(&st, 0, sizeof(st));
                ASSERT_OK(target_extract(tar, ew, PREFIX, &st, &error));
                check_stats(&st);
                ext_list = listing_of_fs(guest_writer_fs(ew), PREFIX, TREE_HASH_MTIME);
                ASSERT_STREQ(ext_list, source);
                ASSERT_OK(guest_writer_close(TAKE_PTR(ew)));
                fsck_ext_at(top, img, OFFSET);
                fd = open(img, O_RDONLY | O_CLOEXEC);
                ASSERT_TRUE(fd >= 0);
                ASSERT_OK(guest_ext_open(fd, OFFSET, &fs, &info));
                after = listing_of_fs(fs, PREFIX, TREE_HASH_MTIME);
                guest_fs_free(fs);
                ASSERT_STREQ(after, source);
        }
}

/* ---- skipped members, odd but valid archives ---- */

static bool have_python(void)
{
        return have_tool("python3") && shell("python3 -c 'import tarfile' 2>/dev/null") == 0;
}

/* Runs a python3 snippet with tarfile (t: the archive, open for writing, pax format) and helpers
 * reg(name, data), sym(name, target), lnk(name, target), dir(name), dev(name, type). */
static void make_py_tar(const char *tar, const char *body)
{
        sh("python3 - '%s' <<'EOF'\n"
           "import io, sys, tarfile\n"
           "t = tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT)\n"
           "def add(i, data=b''):\n"
           "    i.mtime = 1600000000\n"
           "    i.size = len(data)\n"
           "    t.addfile(i, io.BytesIO(data))\n"
           "def reg(n, d=b'x'):\n"
           "    add(tarfile.TarInfo(n), d)\n"
           "def sym(n, target):\n"
           "    i = tarfile.TarInfo(n); i.type = tarfile.SYMTYPE; i.linkname = target; add(i)\n"
           "def lnk(n, target):\n"
           "    i = tarfile.TarInfo(n); i.type = tarfile.LNKTYPE; i.linkname = target; add(i)\n"
           "def dir(n, mode=0o755):\n"
           "    i = tarfile.TarInfo(n); i.type = tarfile.DIRTYPE; i.mode = mode; add(i)\n"
           "def dev(n, ty):\n"
           "    i = tarfile.TarInfo(n); i.type = ty; i.devmajor = 1; i.devminor = 3; add(i)\n"
           "%s\n"
           "t.close()\n"
           "EOF",
           tar, body);
}

static void test_odd_but_valid(void)
{
        _cleanup_(guest_writer_freep) GuestWriter *w = NULL;
        _cleanup_(guest_freep) Guest *g = NULL;
        _cleanup_free_ char *error = NULL, *buf = NULL;
        char tar[256], root[256];
        TargetStats st = {};
        GuestStat gst;
        GuestFs *proxy = NULL;
        size_t n = 0;

        snprintf(tar, sizeof(tar), "%s/odd.tar", top);
        /* Devices, fifos and sockets are skipped; missing parents appear; a file listed twice
         * is the later one; a later symlink replaces a file; "./" and "//" are normalised; a
         * read-only directory still gets its content. */
        make_py_tar(tar, "dev('dev/null', tarfile.CHRTYPE)\n"
                         "dev('dev/sda', tarfile.BLKTYPE)\n"
                         "dev('run/fifo', tarfile.FIFOTYPE)\n"
                         "reg('deep/er/file', b'one')\n"
                         "reg('./deep//er/file', b'two')\n"
                         "reg('x', b'file')\n"
                         "sym('x', 'deep')\n"
                         "dir('ro', 0o555)\n"
                         "reg('ro/inside', b'in')\n"
                         "lnk('ro/again', 'ro/inside')\n");
        w = dir_writer(root, sizeof(root));
        ASSERT_OK(target_extract(tar, w, PREFIX, &st, &error));
        ASSERT_UEQ(st.skipped_devices, 3);
        ASSERT_UEQ(st.files, 4);
        ASSERT_UEQ(st.dirs, 1);
        ASSERT_UEQ(st.symlinks, 1);
        ASSERT_UEQ(st.hardlinks, 1);
        ASSERT_OK(guest_new(&g));
        ASSERT_OK(guest_fs_borrow(guest_writer_fs(w), &proxy));
        ASSERT_OK(guest_mount(g, "/", proxy));
        ASSERT_OK(guest_read_file(g, PREFIX "/deep/er/file", 100, &buf, &n));
        ASSERT_STREQ(buf, "two");
        ASSERT_OK(guest_lstat(g, PREFIX "/x", &gst));
        ASSERT_EQ(gst.type, GUEST_FILE_SYMLINK);
        ASSERT_OK(guest_lstat(g, PREFIX "/ro", &gst));
        ASSERT_EQ(gst.mode, 0555);
        ASSERT_OK(guest_lstat(g, PREFIX "/deep", &gst));
        ASSERT_EQ(gst.mode, 0755);
        ASSERT_ERR(guest_lstat(g, PREFIX "/dev/null", &gst), -ENOENT);

        /* Not an archive at all; an archive cut short. */
        g = guest_free(g);
        ASSERT_OK(guest_writer_remove(w, PREFIX "/x"));
        sh("head -c 3000 /dev/urandom > %s/garbage; head -c 700 %s/root-plain.tar > %s/cut.tar", top, top,
           top);
        snprintf(tar, sizeof(tar), "%s/garbage", top);
        error = mfree(error);
        ASSERT_ERR(target_extract(tar, w, "/other", &st, &error), -EBADMSG);
        ASSERT_NOT_NULL(error);
        error = mfree(error);
        snprintf(tar, sizeof(tar), "%s/cut.tar", top);
        ASSERT_TRUE(target_extract(tar, w, "/other2", &st, &error) < 0);
        ASSERT_NOT_NULL(error);
        error = mfree(error);
        ASSERT_ERR(target_extract("/nonexistent.tar", w, "/other3", &st, &error), -ENOENT);
        ASSERT_ERR(target_extract(tar, w, "relative", &st, &error), -EINVAL);
        ASSERT_ERR(target_extract(tar, w, "/", &st, &error), -EINVAL);
        ASSERT_ERR(target_extract(tar, w, "/a/../b", &st, &error), -EINVAL);
}

/* ---- hostile archives ---- */

typedef struct Hostile {
        const char *name;
        const char *body;   /* python, see make_py_tar() */
        const char *member; /* what the error names */
} Hostile;

static void refused_in_dir(const Hostile *h, const char *tar, const char *outside)
{
        _cleanup_(guest_writer_freep) GuestWriter *w = NULL;
        _cleanup_free_ char *error = NULL, *before = NULL, *after = NULL, *outside_before = NULL,
                            *outside_after = NULL;
        char root[256];
        TargetStats st = {};
        int r;

        w = dir_writer(root, sizeof(root));
        before = listing_of_host(root, 0); /* no mtimes: the stage's parent changes */
        outside_before = listing_of_host(outside, TREE_HASH_MTIME);
        r = target_extract(tar, w, PREFIX, &st, &error);
        if (r != -EINVAL)
                FAIL("%s: dir: target_extract() == %d (%s), expected -EINVAL", h->name, r, strempty(error));
        ASSERT_NOT_NULL(error);
        if (!strstr(error, h->member))
                FAIL("%s: the error does not name the member '%s': %s", h->name, h->member, error);
        printf("%s: %s\n", h->name, error);
        ASSERT_OK(guest_writer_close(TAKE_PTR(w)));
        /* Outside the prefix, nothing changed: in the root, beside it, where symlinks pointed. */
        after = listing_of_host(root, 0);
        ASSERT_STREQ(without(after, ".azlmigrate/stage"), without(before, ".azlmigrate/stage"));
        outside_after = listing_of_host(outside, TREE_HASH_MTIME);
        ASSERT_STREQ(outside_after, outside_before);
        sh("test \"$(ls -A %s | grep -v "
           "'^root-\\|^img-\\|\\.tar$\\|^tree$\\|^outside$\\|^fsck\\|^garbage$')\" = \"\"",
           top);
}

static void refused_in_ext(const Hostile *h, const char *tar)
{
        _cleanup_(guest_writer_freep) GuestWriter *w = NULL;
        _cleanup_free_ char *error = NULL, *before = NULL, *after = NULL;
        char img[256];
        TargetStats st = {};
        int r;

        w = ext_writer(img, sizeof(img));
        before = listing_of_fs(guest_writer_fs(w), "/", 0);
        r = target_extract(tar, w, PREFIX, &st, &error);
        if (r != -EINVAL)
                FAIL("%s: ext: target_extract() == %d (%s), expected -EINVAL", h->name, r, strempty(error));
        ASSERT_TRUE(strstr(error, h->member) != NULL);
        after = listing_of_fs(guest_writer_fs(w), "/", 0);
        ASSERT_STREQ(without(after, ".azlmigrate/stage"), without(before, ".azlmigrate/stage"));
        ASSERT_OK(guest_writer_close(TAKE_PTR(w)));
        fsck_ext_at(top, img, OFFSET);
}

/* Copies template to buf with every token replaced by value. */
static void subst(char *buf, size_t size, const char *template, const char *token, const char *value)
{
        size_t o = 0, tl = strlen(token), vl = strlen(value);

        for (const char *p = template; *p;) {
                if (strncmp(p, token, tl) == 0) {
                        ASSERT_TRUE(o + vl < size);
                        memcpy(buf + o, value, vl);
                        o += vl;
                        p += tl;
                } else {
                        ASSERT_TRUE(o + 1 < size);
                        buf[o++] = *p++;
                }
        }
        buf[o] = 0;
}

static void test_hostile(void)
{
        char outside[256], tar[256], body[1024];
        const Hostile cases[] = {
                { "dotdot", "reg('../evil')", "../evil" },
                { "dotdot-inner", "dir('a')\nreg('./a/../../evil')", "./a/../../evil" },
                { "absolute", "reg('/abs')", "/abs" },
                { "symlink-then-file", "sym('a', '/etc')\nreg('a/passwd', b'root::0:0::/:/bin/sh')",
                  "a/passwd" },
                { "symlink-to-host", "sym('b', '@OUTSIDE@')\nreg('b/x')", "b/x" },
                { "symlink-up-then-dir", "sym('c', '../../../../outside')\ndir('c/d')", "c/d" },
                { "symlink-chain", "sym('l', '@OUTSIDE@')\nlnk('l2', 'l')\nreg('l2/x')", "l2/x" },
                { "symlink-deep", "dir('d')\nsym('d/e', '/')\nreg('d/e/f/g')", "d/e/f/g" },
                { "hardlink-up", "reg('x')\nlnk('h', '../../x')", "member 'h'" },
                { "hardlink-absolute", "lnk('h', '@OUTSIDE@/secret')", "member 'h'" },
                { "hardlink-missing", "lnk('h', 'later')\nreg('later')", "member 'h'" },
                { "hardlink-dir", "dir('d')\nlnk('h', 'd')", "member 'h'" },
                { "deep", "reg('/'.join(['a'] * 5000))", "a/a/a/a" },
                { "newline", "reg('bad\\nname')", "bad\\x0aname" },
                { "dir-over-symlink", "sym('s', 'target')\ndir('s')", "member 's/'" },
                { "symlink-over-dir", "dir('d')\nsym('d', '/')", "member 'd'" },
                { "long-component", "reg('n' * 300)", "nnnn" },
        };

        if (!have_python())
                SKIP("python3 with tarfile is not available");
        snprintf(outside, sizeof(outside), "%s/outside", top);
        sh("mkdir -p %s/etc && echo secret > %s/secret && echo host > %s/etc/passwd", outside, outside,
           outside);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                subst(body, sizeof(body), cases[i].body, "@OUTSIDE@", outside);
                snprintf(tar, sizeof(tar), "%s/hostile-%s.tar", top, cases[i].name);
                make_py_tar(tar, body);
                refused_in_dir(&cases[i], tar, outside);
                refused_in_ext(&cases[i], tar);
        }
}

int main(void)
{
        if (geteuid() != 0)
                SKIP("extraction keeps owners: run as root");
        if (!have_tool("tar") || !have_tool("mke2fs") || !have_tool("e2fsck"))
                SKIP("tar or e2fsprogs is not installed");
        ASSERT_NOT_NULL(mkdtemp(top));
        RUN(test_extract);
        RUN(test_odd_but_valid);
        RUN(test_hostile);
        {
                char cmd[512];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
                (void) !system(cmd);
        }
        TESTS_DONE();
}
