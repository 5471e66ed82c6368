/* SPDX-License-Identifier: MIT */
/* Root mode's undo journal on a real directory tree, changed through the real dir writer: every
 * kind of change, then rollback gives a tree identical in paths, types, content, symlink
 * targets, mode (set-id bits included), owner, mtimes (directories' too, to the nanosecond) and
 * xattrs (security.*, trusted.*, user.*). Then crashes: during the changes (at every write) and
 * during the rollback (at every inverse operation, twice in a row), each followed by a rollback
 * that converges. Hostile journals and symlinks are refused without touching anything outside. */
#include <signal.h>
#include <sys/sysmacros.h>
#include <sys/time.h>

#include "config.h"
#include "disk/guest-write.h"
#include "exec/undo.h"
#include "exec-test.h"
#include "shared/fd-util.h"

static bool has_security_xattr = true;

static void mk(const char *root, const char *rel, const char *content, mode_t mode, uid_t uid, gid_t gid,
               time_t sec)
{
        char *p = pathf("%s%s", root, rel);
        struct timespec ts[2] = { { .tv_sec = sec, .tv_nsec = 1 }, { .tv_sec = sec, .tv_nsec = 123456789 } };

        write_text(p, content);
        ASSERT_TRUE(lchown(p, uid, gid) == 0);
        ASSERT_TRUE(chmod(p, mode) == 0);
        ASSERT_TRUE(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW) == 0);
        free(p);
}

static void mkd(const char *root, const char *rel, mode_t mode, uid_t uid, gid_t gid)
{
        char *p = pathf("%s%s", root, rel);

        ASSERT_TRUE(mkdir(p, mode) == 0);
        ASSERT_TRUE(chown(p, uid, gid) == 0);
        ASSERT_TRUE(chmod(p, mode) == 0);
        free(p);
}

static void set_mtime(const char *root, const char *rel, time_t sec, long nsec)
{
        char *p = pathf("%s%s", root, rel);
        struct timespec ts[2] = { { .tv_sec = sec }, { .tv_sec = sec, .tv_nsec = nsec } };

        ASSERT_TRUE(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW) == 0);
        free(p);
}

static void xattr_n(const char *root, const char *rel, const char *name, const char *value, size_t size)
{
        char *p = pathf("%s%s", root, rel);

        if (lsetxattr(p, name, value, size, 0) < 0) {
                if (startswith(name, "security.") && errno == ENOTSUP)
                        has_security_xattr = false;
                else
                        FAIL("setxattr %s %s: %m", p, name);
        }
        free(p);
}

static void xattr(const char *root, const char *rel, const char *name, const char *value)
{
        xattr_n(root, rel, name, value, strlen(value));
}

/* An AKS-node-shaped tree with known metadata everywhere. */
static char *make_tree(void)
{
        char *root = scratch_dir("undo-root");
        char *p;

        ASSERT_TRUE(chmod(root, 0755) == 0);
        mkd(root, "/etc", 0755, 0, 0);
        mkd(root, "/etc/ssl", 0755, 0, 0);
        mkd(root, "/etc/ssl/certs", 0755, 0, 0);
        mkd(root, "/usr", 0755, 0, 0);
        mkd(root, "/usr/bin", 0755, 0, 0);
        mkd(root, "/usr/lib", 0755, 0, 0);
        mkd(root, "/var", 0755, 0, 0);
        mkd(root, "/var/lib", 0755, 0, 0);
        mkd(root, "/var/lib/kubelet", 0700, 0, 0);
        mkd(root, "/opt", 0755, 0, 0);
        mkd(root, "/opt/empty", 0750, 1000, 1000);
        mkd(root, "/boot", 0755, 0, 0);
        mkd(root, "/boot/efi", 0700, 0, 0);
        mkd(root, "/run", 0755, 0, 0);
        mk(root, "/etc/hostname", "aks-nodepool1-12345678-vmss000000\n", 0644, 0, 0, 1700000000);
        mk(root, "/etc/twice", "first\n", 0600, 0, 0, 1700000001);
        mk(root, "/etc/caf\xe9-latin1", "not UTF-8\n", 0644, 0, 0, 1700000001);
        mk(root, "/etc/ssl/certs/ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
           0644, 0, 0, 1700000002);
        mk(root, "/usr/bin/tool", "#!/bin/sh\necho tool\n", 04755, 0, 0, 1700000003);
        mk(root, "/usr/lib/libfoo.so.1", "ELF....", 0644, 0, 0, 1700000004);
        mk(root, "/var/lib/kubelet/config.yaml", "kind: KubeletConfiguration\n", 0600, 0, 0, 1700000005);
        mk(root, "/boot/efi/grubx64.efi", "MZ grub", 0700, 0, 0, 1700000006);
        p = pathf("%s/usr/lib/tool", root);
        ASSERT_TRUE(symlink("../bin/tool", p) == 0);
        ASSERT_TRUE(lchown(p, 1000, 1000) == 0);
        free(p);
        set_mtime(root, "/usr/lib/tool", 1700000007, 7);
        p = pathf("%s/run/fifo", root);
        ASSERT_TRUE(mkfifo(p, 0640) == 0);
        free(p);
        set_mtime(root, "/run/fifo", 1700000008, 8);
        xattr(root, "/etc/hostname", "user.origin", "ubuntu");
        /* cap_net_bind_service=ep (VFS_CAP_REVISION_2) */
        xattr_n(root, "/usr/bin/tool", "security.capability",
                "\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
        xattr(root, "/var/lib/kubelet", "security.selinux", "system_u:object_r:var_lib_t:s0");
        xattr(root, "/var/lib/kubelet", "trusted.azlm", "t");
        xattr(root, "/usr/lib/tool", "trusted.link", "on a symlink");
        /* directories last, deepest first */
        const char *dirs[] = { "/etc/ssl/certs", "/etc/ssl",         "/etc",     "/usr/bin", "/usr/lib",
                               "/usr",           "/var/lib/kubelet", "/var/lib", "/var",     "/opt/empty",
                               "/opt",           "/boot/efi",        "/boot",    "/run",     "" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                set_mtime(root, dirs[i], 1600000000 + (time_t) i, 1000 * (long) i + 1);
        return root;
}

typedef struct Counter {
        Undo *u;
        unsigned n, kill_at; /* kill_at > 0: SIGKILL when change number kill_at is about to be made */
} Counter;

static int observer(void *ud, GuestWriteOp op, const char *path, const char *path2)
{
        Counter *c = ud;
        int r = undo_record(c->u, op, path, path2);

        if (r < 0)
                return r;
        if (++c->n == c->kill_at)
                kill(getpid(), SIGKILL);
        return 0;
}

/* Every kind of change a step makes; returns the number of changes. */
static unsigned apply_changes(const char *root, Undo *u, unsigned kill_at)
{
        _cleanup_(guest_writer_freep) GuestWriter *w = NULL;
        Counter c = { .u = u, .kill_at = kill_at };
        const char *big;
        char *buf;

        ASSERT_OK(guest_writer_open_dir(root, &w));
        guest_writer_set_observer(w, observer, &c);
        ASSERT_OK(guest_writer_write_file(w, "/etc/hostname", "azl-node\n", 9, 0644, 0, 0, 1750000000));
        ASSERT_OK(guest_writer_write_file(w, "/etc/new.conf", "new\n", 4, 0640, 0, 0, 1750000001));
        /* a name that is not UTF-8 is recorded byte for byte */
        ASSERT_OK(guest_writer_write_file(w, "/etc/caf\xe9-latin1", "changed\n", 8, 0600, 0, 0, 1750000001));
        ASSERT_OK(guest_writer_rename(w, "/etc/caf\xe9-latin1", "/etc/caf\xe9-moved"));
        ASSERT_OK(guest_writer_rename(w, "/etc/new.conf", "/etc/new2.conf"));
        ASSERT_OK(guest_writer_mkdir(w, "/.azlmigrate", 0700, 0, 0));
        ASSERT_OK(guest_writer_mkdir(w, "/.azlmigrate/stage", 0755, 0, 0));
        ASSERT_OK(guest_writer_mkdir(w, "/.azlmigrate/stage/etc", 0755, 0, 0));
        /* a larger file: the content is staged in several blocks */
        buf = malloc(300000);
        ASSERT_NOT_NULL(buf);
        for (size_t i = 0; i < 300000; i++)
                buf[i] = (char) ('a' + i % 26);
        big = buf;
        ASSERT_OK(guest_writer_write_file(w, "/.azlmigrate/stage/etc/os-release", big, 300000, 0644, 0, 0,
                                          1750000002));
        free(buf);
        ASSERT_OK(guest_writer_symlink(w, "/.azlmigrate/stage/lib", "usr/lib", 0, 0));
        ASSERT_OK(guest_writer_symlink(w, "/etc/alias", "hostname", 0, 0));
        ASSERT_OK(guest_writer_hardlink(w, "/etc/hostname.link", "/etc/hostname"));
        /* swap-root-like: a directory with content moves aside and back in place of another */
        ASSERT_OK(guest_writer_mkdir(w, "/.azlmigrate/old", 0700, 0, 0));
        ASSERT_OK(guest_writer_rename(w, "/usr/lib", "/.azlmigrate/old/lib"));
        ASSERT_OK(guest_writer_mkdir(w, "/usr/lib", 0755, 0, 0));
        ASSERT_OK(guest_writer_write_file(w, "/usr/lib/libazl.so", "ELF azl", 7, 0644, 0, 0, 1750000003));
        /* removals: a file (pre-imaged), an empty directory; a non-empty one is refused */
        ASSERT_OK(guest_writer_remove(w, "/etc/ssl/certs/ca.pem"));
        ASSERT_OK(guest_writer_remove(w, "/opt/empty"));
        ASSERT_ERR(guest_writer_remove(w, "/var/lib/kubelet"), -ENOTEMPTY);
        /* metadata: set-id bit and capability dropped; xattrs added to a directory */
        ASSERT_OK(guest_writer_set_meta(w, "/usr/bin/tool", 0700, 1000, 1000, 1750000004));
        ASSERT_OK(guest_writer_set_xattr(w, "/var/lib/kubelet", "user.new", "x", 1));
        ASSERT_OK(guest_writer_set_xattr(w, "/var/lib/kubelet", "security.selinux",
                                         "system_u:object_r:container_var_lib_t:s0", 40));
        ASSERT_OK(guest_writer_set_meta(w, "/var/lib/kubelet", 0750, 0, 0, 1750000005));
        /* the same path changed, removed, recreated as a directory */
        ASSERT_OK(guest_writer_write_file(w, "/etc/twice", "second\n", 7, 0644, 0, 0, 1750000006));
        ASSERT_OK(guest_writer_remove(w, "/etc/twice"));
        ASSERT_OK(guest_writer_mkdir(w, "/etc/twice", 0755, 0, 0));
        ASSERT_OK(guest_writer_write_file(w, "/etc/twice/inside", "in\n", 3, 0644, 0, 0, 1750000007));
        /* a fifo replaced by a file, a symlink replaced by a file */
        ASSERT_OK(guest_writer_remove(w, "/run/fifo"));
        ASSERT_OK(guest_writer_write_file(w, "/run/fifo", "not a fifo", 10, 0600, 0, 0, 1750000008));
        ASSERT_OK(guest_writer_remove(w, "/.azlmigrate/old/lib/tool"));
        ASSERT_OK(
                guest_writer_write_file(w, "/.azlmigrate/old/lib/tool", "file", 4, 0600, 0, 0, 1750000009));
        ASSERT_OK(guest_writer_close(TAKE_PTR(w)));
        return c.n;
}

/* Rolls root back with the journal in d (complete or not); whether the tree is then the one
 * tree_hash() gave before. */
static bool replay_restores(const char *d, const char *root, const char *before)
{
        char *h;
        bool same;

        ASSERT_OK(undo_replay(d, root, NULL));
        h = tree_hash(root, true);
        same = streq(h, before);
        free(h);
        return same;
}

static void test_round_trip(void)
{
        char *root = make_tree(), *state = scratch_dir("undo-state"),
             *dir = pathf("%s/cp-stage-target", state);
        char *before = tree_hash(root, true), *after;
        Undo *u = NULL;
        unsigned n;

        ASSERT_OK(undo_begin(dir, root, &u));
        n = apply_changes(root, u, 0);
        ASSERT_TRUE(n >= 20);
        ASSERT_EQ(undo_ops(u), undo_ops(u)); /* (accessor) */
        ASSERT_TRUE(undo_ops(u) < n);        /* nothing recorded below created directories */
        ASSERT_OK(undo_end(u));
        /* a second journal in the same directory is refused */
        ASSERT_ERR(undo_begin(dir, root, &u), -EEXIST);

        after = tree_hash(root, true);
        ASSERT_FALSE(streq(before, after));
        if (!replay_restores(dir, root, before)) {
                shell("ls -laR --time-style=full-iso '%s' >&2", root);
                FAIL("tree after rollback differs");
        }
        /* a second replay changes nothing */
        ASSERT_TRUE(replay_restores(dir, root, before));
        ASSERT_TRUE(has_security_xattr);

        free(before);
        free(after);
        free(dir);
        scratch_remove(root);
        scratch_remove(state);
}

/* How many changes apply_changes() makes to the tree ref, and how many undo records they take
 * (either may be NULL). */
static void count_changes(const char *ref, unsigned *ret_changes, unsigned *ret_ops)
{
        char *st = scratch_dir("undo-count"), *d = pathf("%s/cp", st);
        Undo *u = NULL;
        unsigned n;

        ASSERT_OK(undo_begin(d, ref, &u));
        n = apply_changes(ref, u, 0);
        if (ret_changes)
                *ret_changes = n;
        if (ret_ops)
                *ret_ops = (unsigned) undo_ops(u);
        ASSERT_OK(undo_end(u));
        free(d);
        scratch_remove(st);
}

/* The process dies before change k (its undo record written, the change not made), for every k;
 * the rollback of what was recorded restores the tree. */
static void test_crash_during_changes(void)
{
        char *ref = make_tree(), *before = tree_hash(ref, true);
        unsigned total;

        count_changes(ref, &total, NULL);
        for (unsigned k = 1; k <= total; k++) {
                char *root = make_tree(), *st = scratch_dir("undo-crash"), *d = pathf("%s/cp", st);
                pid_t pid = fork();
                ASSERT_TRUE(pid >= 0);
                if (pid == 0) {
                        Undo *u = NULL;
                        if (undo_begin(d, root, &u) < 0)
                                _exit(3);
                        apply_changes(root, u, k);
                        _exit(4);
                }
                ASSERT_EQ(wait_child(pid), 128 + SIGKILL);
                if (!replay_restores(d, root, before))
                        FAIL("rollback after a crash before change %u of %u differs", k, total);
                free(d);
                scratch_remove(root);
                scratch_remove(st);
        }
        free(before);
        scratch_remove(ref);
}

/* The rollback dies after n inverse operations (and a second one after n + 2): rolling back again
 * converges, for every n. */
static void test_crash_during_rollback(void)
{
        char *ref = make_tree(), *before = tree_hash(ref, true);
        unsigned ops;

        count_changes(ref, NULL, &ops);
        for (unsigned n = 1; n < ops; n++) {
                char *root = make_tree(), *st = scratch_dir("undo-rbcrash"), *d = pathf("%s/cp", st);
                Undo *u = NULL;
                ASSERT_OK(undo_begin(d, root, &u));
                apply_changes(root, u, 0);
                ASSERT_OK(undo_end(u));
                for (unsigned at = n; at <= n + 2 && at < ops; at += 2) {
                        pid_t pid = fork();
                        ASSERT_TRUE(pid >= 0);
                        if (pid == 0) {
                                char spec[64];
                                unsigned counter = 0;
                                snprintf(spec, sizeof spec, "kill:rollback:%u", at - (at == n ? 0 : n));
                                setenv("AZLMIGRATE_FAULT", spec, 1);
                                _exit(undo_replay(d, root, &counter) < 0 ? 3 : 4);
                        }
                        ASSERT_EQ(wait_child(pid), 128 + SIGKILL);
                }
                if (!replay_restores(d, root, before))
                        FAIL("rollback interrupted after %u inverse operations differs", n);
                free(d);
                scratch_remove(root);
                scratch_remove(st);
        }
        free(before);
        scratch_remove(ref);
}

static void test_hostile(void)
{
        char *root = make_tree(), *st = scratch_dir("undo-hostile"), *outside = scratch_dir("undo-outside");
        char *d = pathf("%s/cp", st), *ops = pathf("%s/ops.jsonl", d), *p, *h0, *h1;
        Undo *u = NULL;

        /* capture through a symlinked directory is refused (nothing outside is read) */
        p = pathf("%s/evil", root);
        ASSERT_TRUE(symlink(outside, p) == 0);
        free(p);
        p = pathf("%s/secret", outside);
        write_text(p, "host secret\n");
        free(p);
        ASSERT_OK(undo_begin(d, root, &u));
        ASSERT_ERR(undo_record(u, GUEST_WRITE_REPLACE, "/evil/secret", NULL), -ELOOP);
        ASSERT_ERR(undo_record(u, GUEST_WRITE_REPLACE, "/etc/../evil/secret", NULL), -EINVAL);
        ASSERT_ERR(undo_record(u, GUEST_WRITE_REPLACE, "etc/hostname", NULL), -EINVAL);
        ASSERT_ERR(undo_record(u, GUEST_WRITE_RENAME, "/etc/hostname", NULL), -EINVAL);
        ASSERT_OK(undo_record(u, GUEST_WRITE_REPLACE, "/etc/hostname", NULL));
        ASSERT_OK(undo_end(u));

        /* a torn last line (the process died appending it) is ignored */
        ASSERT_EQ(shell("printf '{\"seq\":2,\"op\":\"remove\",\"path\":\"/etc/hostn' >> '%s'", ops), 0);
        ASSERT_OK(undo_replay(d, root, NULL));
        p = pathf("%s/etc/hostname", root);
        ASSERT_EQ(access(p, F_OK), 0);
        free(p);

        /* a journal whose paths would leave the root, or that goes through a symlink, is refused
         * and changes nothing outside */
        h0 = tree_hash(outside, true);
        ASSERT_EQ(shell("rm -f '%s/replay.log'; printf "
                        "'{\"seq\":1,\"op\":\"remove\",\"path\":\"/evil/secret\",\"parents\":[]}\\n' > '%s'",
                        d, ops),
                  0);
        ASSERT_ERR(undo_replay(d, root, NULL), -ELOOP);
        ASSERT_EQ(shell("rm -f '%s/replay.log'; printf "
                        "'{\"seq\":1,\"op\":\"remove\",\"path\":\"/../secret\",\"parents\":[]}\\n' > '%s'",
                        d, ops),
                  0);
        ASSERT_ERR(undo_replay(d, root, NULL), -EBADMSG);
        ASSERT_EQ(shell("rm -f '%s/replay.log'; printf "
                        "'{\"seq\":1,\"op\":\"rename\",\"from\":\"/etc/hostname\",\"to\":\"/evil/"
                        "x\",\"parents\":[]}\\n' > '%s'",
                        d, ops),
                  0);
        ASSERT_ERR(undo_replay(d, root, NULL), -ELOOP);
        /* a bad line before the last one */
        ASSERT_EQ(shell("rm -f '%s/replay.log'; printf "
                        "'garbage\\n{\"seq\":2,\"op\":\"remove\",\"path\":\"/x\",\"parents\":[]}\\n' > '%s'",
                        d, ops),
                  0);
        ASSERT_ERR(undo_replay(d, root, NULL), -EBADMSG);
        /* an offset that is no tar member */
        ASSERT_EQ(shell("rm -f '%s/replay.log'; printf "
                        "'{\"seq\":1,\"op\":\"restore\",\"path\":\"/etc/"
                        "hostname\",\"at\":7,\"parents\":[]}\\n' > '%s'",
                        d, ops),
                  0);
        ASSERT_ERR(undo_replay(d, root, NULL), -EBADMSG);
        h1 = tree_hash(outside, true);
        ASSERT_STREQ(h0, h1);
        p = pathf("%s/etc/hostname", root);
        ASSERT_EQ(access(p, F_OK), 0);
        free(p);

        /* nothing recorded: nothing to do */
        ASSERT_OK(undo_replay("/nonexistent/azlmigrate/undo", root, NULL));

        free(h0);
        free(h1);
        free(ops);
        free(d);
        scratch_remove(root);
        scratch_remove(st);
        scratch_remove(outside);
}

int main(void)
{
        if (geteuid() != 0)
                SKIP("needs root (owners, security.* xattrs, device nodes)");
        RUN(test_round_trip);
        RUN(test_crash_during_changes);
        if (FAULT_INJECTION)
                RUN(test_crash_during_rollback);
        else
                fprintf(stderr,
                        "built without -Dfault_injection=true: crashes during rollback not tested\n");
        RUN(test_hostile);
        TESTS_DONE();
}
