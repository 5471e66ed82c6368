/* SPDX-License-Identifier: MIT */
/* Image mode's checkpoints on a small raw image, with the real qemu-img, qemu-storage-daemon and
 * FUSE: writes through the export go into the top layer and never into the source; a checkpoint
 * is a new empty layer; rolling back discards layers; output writes a new image; commit merges
 * into the source; a daemon left by a crash (ours killed, or the daemon killed) is cleaned up.
 * Exits 77 where /dev/fuse or qemu-storage-daemon cannot be used (not root, no FUSE). */
#include <signal.h>

#include "exec/overlay.h"
#include "exec/state.h"
#include "exec-test.h"
#include "shared/fd-util.h"
#include "shared/fileio.h"

#define MiB (1024u * 1024u)

static char *work;

static void fill(const char *path, uint64_t off, char c, size_t n)
{
        char *buf = malloc(n);
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        ASSERT_NOT_NULL(buf);
        if (fd < 0)
                FAIL("open %s: %m", path);
        memset(buf, c, n);
        ASSERT_TRUE(pwrite(fd, buf, n, (off_t) off) == (ssize_t) n);
        ASSERT_TRUE(fsync(fd) == 0);
        close(fd);
        free(buf);
}

static char byte_at(const char *path, uint64_t off)
{
        char c = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                FAIL("open %s: %m", path);
        ASSERT_TRUE(pread(fd, &c, 1, (off_t) off) == 1);
        close(fd);
        return c;
}

/* A 64 MiB raw image with some content. */
static char *make_source(const char *name)
{
        char *p = pathf("%s/%s", work, name);

        ASSERT_EQ(shell("truncate -s 64M '%s'", p), 0);
        fill(p, 0, 'S', 4096);
        fill(p, 1 * MiB, 'o', 4096);
        fill(p, 2 * MiB, 'u', 4096);
        fill(p, 63 * MiB, 'e', 4096);
        return p;
}

static StateDir *new_state(const char *name, const char *source, const char *format)
{
        char *d = pathf("%s/%s", work, name);
        StateDir *s = NULL;

        ASSERT_OK(state_open(d, STATE_OPEN_CREATE | STATE_OPEN_LOCK, &s));
        ASSERT_OK(journal_new(SOURCE_MODE_IMAGE, source, format, NULL, NULL, NULL,
                              (char *[]){ "a", "b", "c", NULL }, &s->journal));
        ASSERT_OK(state_save(s));
        free(d);
        return s;
}

static void checkpoint(StateDir *s, const char *id, const char *step)
{
        char *rel = pathf("layers/%s.qcow2", id), *err = NULL;
        int64_t bytes = -1;

        ASSERT_NOT_NULL(journal_add_checkpoint(s->journal, id, step, CHECKPOINT_OVERLAY, rel));
        if (overlay_layer_create(s, id, &err) < 0)
                FAIL("layer %s: %s", id, err);
        ASSERT_OK(overlay_layer_bytes(s, id, &bytes));
        ASSERT_TRUE(bytes > 0 && bytes < 1 * MiB); /* an empty layer: metadata only */
        ASSERT_OK(state_save(s));
        free(rel);
}

static char *export(StateDir *s, bool writable)
{
        char *e = NULL, *err = NULL;

        if (overlay_export_start(s, writable, &e, &err) < 0)
                FAIL("export: %s", err ?: "?");
        return e;
}

/* Something is mounted on path (live or with its daemon dead), as /proc/self/mountinfo says. */
static bool mounted(const char *path)
{
        char *t = read_text("/proc/self/mountinfo"), *needle = pathf(" %s ", path);
        bool r;

        ASSERT_NOT_NULL(t);
        r = strstr(t, needle) != NULL;
        free(t);
        free(needle);
        return r;
}

/* The content of path has the sha256 want (file_sha256()). */
static void assert_sha256(const char *path, const char *want)
{
        char *sha = file_sha256(path);

        ASSERT_STREQ(sha, want);
        free(sha);
}

static void test_chain_raw(void)
{
        char *src = make_source("raw-source.raw"), *sha0 = file_sha256(src), *e, *err = NULL;
        char *expect = pathf("%s/expect.raw", work), *out = pathf("%s/out.raw", work);
        char *outvhd = pathf("%s/out.vhd", work), *back = pathf("%s/back.raw", work);
        _cleanup_(state_freep) StateDir *s = new_state("raw-state", src, "raw");
        int64_t bytes = -1;

        /* the export of the source itself, read-only, before any checkpoint */
        e = export(s, false);
        ASSERT_TRUE(mounted(e));
        ASSERT_EQ(byte_at(e, 1 * MiB), 'o');
        ASSERT_OK(overlay_export_stop(s));
        ASSERT_FALSE(mounted(e));
        free(e);

        checkpoint(s, "cp-a", "a");
        e = export(s, true);
        fill(e, 1 * MiB, 'A', 64 * 1024);
        ASSERT_OK(overlay_export_stop(s));
        free(e);
        ASSERT_OK(overlay_layer_bytes(s, "cp-a", &bytes));
        ASSERT_TRUE(bytes >= 64 * 1024 && bytes < 2 * MiB); /* what was written, not the disk's size */
        assert_sha256(src, sha0);

        checkpoint(s, "cp-b", "b");
        e = export(s, true);
        ASSERT_EQ(byte_at(e, 1 * MiB), 'A');
        fill(e, 1 * MiB, 'B', 4096);
        fill(e, 2 * MiB, 'B', 4096);
        ASSERT_OK(overlay_export_stop(s));
        free(e);
        e = export(s, false);
        ASSERT_EQ(byte_at(e, 1 * MiB), 'B');
        ASSERT_EQ(byte_at(e, 2 * MiB), 'B');
        ASSERT_OK(overlay_export_stop(s));
        free(e);
        assert_sha256(src, sha0);

        /* rollback to cp-b: its layer goes; the export shows cp-a's state */
        ASSERT_OK(overlay_layer_discard(s, "cp-b"));
        journal_truncate_checkpoints(s->journal, 1);
        ASSERT_OK(state_save(s));
        e = export(s, false);
        ASSERT_EQ(byte_at(e, 1 * MiB), 'A');
        ASSERT_EQ(byte_at(e, 2 * MiB), 'u');
        ASSERT_EQ(byte_at(e, 63 * MiB), 'e');
        ASSERT_OK(overlay_export_stop(s));
        free(e);
        assert_sha256(src, sha0);

        /* output: a new raw image with the change; the source as it was */
        ASSERT_EQ(shell("cp --sparse=always '%s' '%s'", src, expect), 0);
        fill(expect, 1 * MiB, 'A', 64 * 1024);
        if (overlay_output(s, out, NULL, &err) < 0)
                FAIL("output: %s", err);
        {
                char *want = file_sha256(expect);
                assert_sha256(out, want);
                free(want);
        }
        assert_sha256(src, sha0);
        /* a fixed VHD of exactly the disk's size */
        if (overlay_output(s, outvhd, NULL, &err) < 0)
                FAIL("output vhd: %s", err);
        ASSERT_EQ(shell("test \"$(tail -c 512 '%s' | head -c 8)\" = conectix", outvhd), 0);
        ASSERT_EQ(shell("qemu-img info -f vpc --output=json '%s' | grep -q '\"virtual-size\": 67108864'",
                        outvhd),
                  0);
        ASSERT_EQ(shell("test $(stat -c %%s '%s') -eq $((64*1024*1024 + 512))", outvhd), 0);
        ASSERT_EQ(shell("qemu-img convert -f vpc -O raw '%s' '%s' && cmp -s '%s' '%s'", outvhd, back, back,
                        expect),
                  0);
        /* the output must not be the source; unknown extensions are refused */
        ASSERT_ERR(overlay_output(s, src, NULL, &err), -EINVAL);
        ASSERT_NULL(overlay_output_format("/x/node.vmdk", NULL));
        ASSERT_STREQ(overlay_output_format("/x/NODE.VHD", NULL), "vpc");
        ASSERT_STREQ(overlay_output_format("/x/node", "qcow2"), "qcow2");

        /* commit: the source gets the change */
        if (overlay_commit(s, &err) < 0)
                FAIL("commit: %s", err);
        ASSERT_EQ(shell("cmp -s '%s' '%s'", src, expect), 0);
        /* again (a crash before the journal said committed): same result */
        ASSERT_OK(overlay_commit(s, &err));
        ASSERT_EQ(shell("cmp -s '%s' '%s'", src, expect), 0);

        free(sha0);
        free(src);
        free(expect);
        free(out);
        free(outvhd);
        free(back);
}

static pid_t daemon_pid(StateDir *s)
{
        char *p = state_path(s, STATE_QSD_PID), *t = read_text(p);
        pid_t pid;

        ASSERT_NOT_NULL(t);
        pid = (pid_t) atoi(t);
        free(t);
        free(p);
        ASSERT_TRUE(pid > 1);
        return pid;
}

/* Alive and not a zombie (the daemon is not our child: whoever reaps it may take a while). */
static bool alive(pid_t pid)
{
        char *p = pathf("/proc/%d/stat", (int) pid), *t = read_text(p), *paren;
        bool r = false;

        free(p);
        if (!t)
                return false;
        paren = strrchr(t, ')');
        r = paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
        free(t);
        return r;
}

static void test_stale_daemon(void)
{
        char *src = make_source("stale-source.raw"), *sha0 = file_sha256(src), *e;
        _cleanup_(state_freep) StateDir *s = new_state("stale-state", src, "raw");
        pid_t pid, child;

        checkpoint(s, "cp-a", "a");

        /* the daemon is killed -9: its FUSE mount is left behind, dead */
        e = export(s, true);
        pid = daemon_pid(s);
        ASSERT_TRUE(kill(pid, SIGKILL) == 0);
        for (int i = 0; i < 200 && alive(pid); i++)
                usleep(10000);
        ASSERT_TRUE(mounted(e));
        ASSERT_OK(overlay_export_stop(s));
        ASSERT_FALSE(mounted(e));
        ASSERT_TRUE(access(e, F_OK) < 0);
        free(e);

        /* we are killed -9 while the daemon serves: the next start finds it by the pidfile */
        child = fork();
        ASSERT_TRUE(child >= 0);
        if (child == 0) {
                char *x = NULL, *err = NULL;
                if (overlay_export_start(s, true, &x, &err) < 0)
                        _exit(3);
                fill(x, 5 * MiB, 'K', 4096);
                kill(getpid(), SIGKILL);
        }
        ASSERT_EQ(wait_child(child), 128 + SIGKILL);
        pid = daemon_pid(s);
        ASSERT_TRUE(alive(pid)); /* still serving */
        e = export(s, false);
        ASSERT_FALSE(alive(pid));            /* the stale one was stopped, a new one started */
        ASSERT_EQ(byte_at(e, 5 * MiB), 'K'); /* what it had written was flushed into the layer */
        ASSERT_OK(overlay_export_stop(s));
        free(e);

        /* a pidfile naming some other process is not acted upon */
        {
                char *p = state_path(s, STATE_QSD_PID), *t = pathf("%d\n", (int) getppid());
                ASSERT_OK(write_file_atomic(p, t, strlen(t), 0600));
                ASSERT_OK(overlay_export_stop(s));
                ASSERT_EQ(kill(getppid(), 0), 0);
                ASSERT_TRUE(access(p, F_OK) < 0);
                free(p);
                free(t);
        }
        assert_sha256(src, sha0);
        free(sha0);
        free(src);
}

/* qcow2 and dynamic VHD sources: layers over them, commit into them too. */
static void test_other_formats(void)
{
        static const struct {
                const char *name, *qemu, *inventory, *opts;
        } f[] = {
                { "src.qcow2", "qcow2", "qcow2", "" },
                { "src.vhd", "vpc", "vhd", "-o subformat=dynamic" },
                { "src.vhdx", "vhdx", "vhdx", "" },
        };

        for (size_t i = 0; i < ELEMENTSOF(f); i++) {
                char *raw = make_source("fmt-base.raw"), *src = pathf("%s/%s", work, f[i].name);
                char *st = pathf("fmt-state-%zu", i), *e, *err = NULL,
                     *expect = pathf("%s/fmt-expect.raw", work);
                StateDir *s;

                ASSERT_EQ(
                        shell("qemu-img convert -f raw -O %s %s '%s' '%s'", f[i].qemu, f[i].opts, raw, src),
                        0);
                s = new_state(st, src, f[i].inventory);
                checkpoint(s, "cp-a", "a");
                e = export(s, true);
                ASSERT_EQ(byte_at(e, 2 * MiB), 'u');
                fill(e, 3 * MiB, 'Q', 8192);
                ASSERT_OK(overlay_export_stop(s));
                free(e);
                /* not yet in the source */
                ASSERT_EQ(shell("qemu-img compare -q -f %s -F raw '%s' '%s'", f[i].qemu, src, raw), 0);
                if (overlay_commit(s, &err) < 0)
                        FAIL("commit into %s: %s", f[i].qemu, err);
                ASSERT_EQ(shell("cp '%s' '%s'", raw, expect), 0);
                fill(expect, 3 * MiB, 'Q', 8192);
                ASSERT_EQ(shell("qemu-img compare -q -f %s -F raw '%s' '%s'", f[i].qemu, src, expect), 0);
                state_free(s);
                free(raw);
                free(src);
                free(st);
                free(expect);
        }
        ASSERT_STREQ(overlay_qemu_format("vhd"), "vpc");
        ASSERT_STREQ(overlay_qemu_format("block"), "raw");
        ASSERT_NULL(overlay_qemu_format("vmdk"));
}

static void cleanup(void)
{
        unmount_exports(work);
}

int main(void)
{
        const char *reason = NULL;

        if (geteuid() != 0)
                SKIP("image mode needs root (FUSE mounts)");
        if (overlay_available(&reason) < 0)
                SKIP("%s", reason);
        if (shell("command -v fusermount3 >/dev/null") != 0)
                SKIP("fusermount3 is missing");
        atexit(cleanup);
        work = scratch_dir("overlay");
        RUN(test_chain_raw);
        RUN(test_stale_daemon);
        RUN(test_other_formats);
        scratch_remove(TAKE_PTR(work));
        TESTS_DONE();
}
