/* SPDX-License-Identifier: MIT */
/* The executor with four fake steps the test registers (a check, two mutating steps, a verify),
 * in root mode on a real directory tree and, where FUSE works, in image mode on a small ext4
 * disk image: a clean run; SIGKILL at every fault point (before, inside, after each step, while
 * taking a checkpoint) then status says interrupted, and resume skips what is done, reruns the
 * interrupted step from its checkpoint and ends identical to a clean run; a failing step; a
 * failing pre-hook stops at the checkpoint; rollback (also interrupted) returns the source
 * exactly; commit; the lock; the target changing under a run; progress events. */
#include <signal.h>
#include <stdarg.h>

#include "config.h"
#include "disk/guest-ext.h"
#include "exec/executor.h"
#include "exec/overlay.h"
#include "exec-test.h"
#include "shared/json-util.h"
#include "shared/strv.h"

static char *work;
static char *runlog; /* each step appends its id when it runs */

/* The fake steps. */

static void note(StepContext *c)
{
        char *line = pathf("%s\n", c->step_id);
        int fd = open(runlog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(write(fd, line, strlen(line)) == (ssize_t) strlen(line));
        close(fd);
        free(line);
}

static int step_check(StepContext *c)
{
        GuestWriter *w;
        Guest *g = NULL;
        char *buf = NULL;
        size_t n;
        int r;

        note(c);
        /* a step that does not mutate gets no writer */
        if (exec_open_root_writer(c, &w) != -EROFS)
                return exec_step_error(c, -EINVAL, "got a writer");
        r = exec_open_guest(c, &g);
        if (r < 0)
                return exec_step_error(c, r, "no guest: %s", strerror(-r));
        r = guest_read_file(g, "/etc/hostname", 4096, &buf, &n);
        guest_free(g);
        if (r < 0)
                return exec_step_error(c, r, "no hostname");
        exec_log(c, LOG_LEVEL_INFO, "hostname: %.*s", (int) n - 1, buf);
        free(buf);
        return 0;
}

static int step_write_a(StepContext *c)
{
        GuestWriter *w;
        int r;

        note(c);
        r = exec_open_root_writer(c, &w);
        if (r < 0)
                return r;
        if ((r = guest_writer_write_file(w, "/etc/a", "A\n", 2, 0644, 0, 0, 1750000000)) < 0 ||
            (r = guest_writer_mkdir(w, "/opt/x", 0755, 0, 0)) < 0 ||
            (r = guest_writer_write_file(w, "/opt/x/f", "F\n", 2, 0600, 0, 0, 1750000001)) < 0 ||
            (r = guest_writer_write_file(w, "/etc/hostname", "azl\n", 4, 0644, 0, 0, 1750000002)) < 0)
                return exec_step_error(c, r, "write-a: %s", strerror(-r));
        /* the ESP: FAT on the export in image mode, ROOT/boot/efi in root mode */
        r = exec_open_esp_writer(c, &w);
        if (r < 0)
                return exec_step_error(c, r, "no ESP: %s", strerror(-r));
        if ((r = guest_writer_mkdir(w, "/EFI/azl", 0755, 0, 0)) < 0 ||
            (r = guest_writer_write_file(w, "/EFI/azl/grubx64.efi", "MZ azl", 6, 0755, 0, 0, 1750000002)) <
                    0)
                return exec_step_error(c, r, "write-a ESP: %s", strerror(-r));
        exec_progress_bytes(c, 8, 8);
        c->bytes = 8;
        return 0;
}

static int step_write_b(StepContext *c)
{
        GuestWriter *w;
        int r;

        note(c);
        r = exec_open_root_writer(c, &w);
        if (r < 0)
                return r;
        if ((r = guest_writer_write_file(w, "/etc/b", "B\n", 2, 0644, 0, 0, 1750000003)) < 0 ||
            (r = guest_writer_rename(w, "/etc/a", "/etc/a.moved")) < 0 ||
            (r = guest_writer_set_meta(w, "/etc/hostname", 0600, 0, 0, 1750000004)) < 0 ||
            (r = guest_writer_set_xattr(w, "/etc/b", "user.k", "v", 1)) < 0 ||
            (r = guest_writer_remove(w, "/etc/old")) < 0)
                return exec_step_error(c, r, "write-b: %s", strerror(-r));
        return 0;
}

static int step_verify(StepContext *c)
{
        Guest *g = NULL;
        int r;

        note(c);
        r = exec_open_guest(c, &g);
        if (r < 0)
                return r;
        r = guest_is_type(g, "/etc/b", GUEST_FILE_REGULAR);
        if (r > 0)
                r = guest_is_type(g, "/etc/a.moved", GUEST_FILE_REGULAR);
        guest_free(g);
        if (r <= 0)
                return exec_step_error(c, r < 0 ? r : -ENOENT, "the result is not there");
        exec_finding(c, "exec.verify.demo", "info", "verified %s", "/etc/b");
        return 0;
}

static const ExecStep fake_steps[] = {
        { "check", step_check },
        { "write-a", step_write_a },
        { "write-b", step_write_b },
        { "verify", step_verify },
};

static json_object *make_plan(void)
{
        /* A plan as plan_build() writes it, cut to what the executor reads. The summary places
         * "/" on partition 1 (1 MiB into the disk, 40 MiB) and the ESP on partition 15 (at 42 MiB). */
        json_object *p = json_tokener_parse(
                "{\"schema\":\"azlmigrate/plan/v1\",\"strategy\":\"test\","
                "\"inventory_summary\":{\"os\":{\"hostname\":\"aks-nodepool1-12345678-vmss000000\"},"
                "\"disk\":{\"size\":67108864,\"partitions\":[{\"number\":1,\"start\":1048576,\"size\":"
                "41943040},"
                "{\"number\":15,\"start\":44040192,\"size\":20971520}]},"
                "\"mounts\":[{\"mountpoint\":\"/\",\"type\":\"ext4\",\"partition\":1},"
                "{\"mountpoint\":\"/boot/efi\",\"type\":\"vfat\",\"partition\":15}]},"
                "\"steps\":["
                "{\"id\":\"check\",\"kind\":\"check\",\"mutates\":false,\"checkpoint_before\":null},"
                "{\"id\":\"write-a\",\"kind\":\"stage\",\"mutates\":true,\"checkpoint_before\":\"cp-write-"
                "a\"},"
                "{\"id\":\"write-b\",\"kind\":\"swap\",\"mutates\":true,\"checkpoint_before\":\"cp-write-"
                "b\"},"
                "{\"id\":\"verify\",\"kind\":\"verify\",\"mutates\":false,\"checkpoint_before\":null}]}");
        ASSERT_NOT_NULL(p);
        return p;
}

/* The source: a directory tree, or a raw disk with that tree in an ext4 filesystem at 1 MiB. */
typedef struct Source {
        SourceMode mode;
        char *tree; /* the files */
        char *path; /* what the executor works on */
} Source;

static void make_source(Source *s, SourceMode mode)
{
        char *p;

        s->mode = mode;
        s->tree = scratch_dir("exec-root");
        ASSERT_EQ(shell("cd '%s' && mkdir -p etc opt var/lib boot/efi/EFI/ubuntu && echo aks-node > "
                        "etc/hostname && "
                        "echo old > etc/old && echo MZ > boot/efi/EFI/ubuntu/shimx64.efi && "
                        "touch -d @1700000000 etc/hostname etc/old etc opt var/lib var "
                        "boot/efi/EFI/ubuntu/shimx64.efi "
                        "boot/efi/EFI/ubuntu boot/efi/EFI boot/efi boot . && chmod 755 .",
                        s->tree),
                  0);
        if (mode == SOURCE_MODE_ROOT) {
                s->path = strdup(s->tree);
                return;
        }
        p = pathf("%s/disk-XXXXXX", work);
        ASSERT_TRUE(mkdtemp(p) != NULL);
        s->path = pathf("%s/node.raw", p);
        free(p);
        ASSERT_EQ(shell("truncate -s 64M '%s' && mkfs.ext4 -q -F -E offset=1048576 -d '%s' '%s' 40M && "
                        "mkfs.vfat --offset=86016 '%s' 20480 >/dev/null 2>&1 && "
                        "mmd -i '%s@@44040192' ::/EFI ::/EFI/ubuntu && "
                        "mcopy -i '%s@@44040192' '%s/boot/efi/EFI/ubuntu/shimx64.efi' ::/EFI/ubuntu/",
                        s->path, s->tree, s->path, s->path, s->path, s->path, s->tree),
                  0);
}

static void source_done(Source *s)
{
        scratch_remove(s->tree);
        free(s->path);
}

/* The fingerprint of the source: exact for roots (mtimes too) and images (sha256). */
static char *source_hash(const Source *s, bool with_mtimes)
{
        return s->mode == SOURCE_MODE_ROOT ? tree_hash(s->path, with_mtimes) : file_sha256(s->path);
}

typedef struct Recorder {
        char **events;
} Recorder;

static void record(const ProgressEvent *ev, void *userdata)
{
        Recorder *r = userdata;
        char *s = pathf("%s:%s:%s", progress_event_type_to_string(ev->type),
                        strempty(ev->checkpoint ?: ev->step), strempty(ev->state));
        ASSERT_OK(strv_consume(&r->events, s));
}

static int open_executor(const char *state, Recorder *rec, const char *hooks, Executor **ret)
{
        ExecOptions o = {
                .hooks_dir = hooks ?: "/nonexistent/azlmigrate-test-hooks",
                .progress = rec ? record : NULL,
                .progress_userdata = rec,
        };
        int r = executor_open(state, &o, ret);

        if (r < 0)
                return r;
        return executor_register_steps(*ret, fake_steps, ELEMENTSOF(fake_steps));
}

/* A fresh run in a child, with AZLMIGRATE_FAULT = fault; returns its exit status or 128 + signal. */
static int run_child(const Source *src, const char *state, const char *fault, const char *target)
{
        pid_t pid = fork();

        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                _cleanup_json_ json_object *plan = make_plan();
                Executor *e = NULL;
                ExecSource es = { .mode = src->mode, .path = src->path, .format = "raw" };
                if (fault)
                        setenv("AZLMIGRATE_FAULT", fault, 1);
                if (open_executor(state, NULL, NULL, &e) < 0)
                        _exit(10);
                if (executor_init(e, plan, &es, target, NULL) < 0)
                        _exit(11);
                _exit(executor_run(e) == 0 ? 0 : 12);
        }
        return wait_child(pid);
}

static unsigned ran(const char *step)
{
        char *t = read_text(runlog), *line, *save = NULL;
        unsigned n = 0;

        if (!t)
                return 0;
        for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                n += streq(line, step);
        free(t);
        return n;
}

/* The result as files: for images, the tree read back from the disk the run produced. */
static char *result_hash(const Source *s, Executor *e)
{
        char *d, *h;

        if (s->mode == SOURCE_MODE_ROOT)
                return tree_hash(s->path, false);
        /* image: dump the filesystem of the output through debugfs' rdump, hash that */
        d = scratch_dir("exec-dump");
        {
                char *out = pathf("%s/out.raw", d), *err = NULL;
                StateDir *st = executor_state(e);
                ASSERT_OK(overlay_output(st, out, NULL, &err));
                ASSERT_EQ(shell("mtype -i '%s@@44040192' ::/EFI/azl/grubx64.efi | grep -q 'MZ azl'", out),
                          0);
                ASSERT_EQ(shell("mtype -i '%s@@44040192' ::/EFI/ubuntu/shimx64.efi | grep -q MZ", out), 0);
                ASSERT_EQ(shell("dd if='%s' of='%s/fs.img' bs=1M skip=1 status=none && mkdir '%s/fs' && "
                                "debugfs -R 'rdump / %s/fs' '%s/fs.img' >/dev/null 2>&1",
                                out, d, d, d, d),
                          0);
                free(out);
        }
        {
                /* rdump keeps content, mode and owner (not xattrs): what the hash compares */
                char *fs = pathf("%s/fs", d);
                h = tree_hash(fs, false);
                free(fs);
        }
        scratch_remove(d);
        return h;
}

static void reset_runlog(void)
{
        (void) unlink(runlog);
}

static void test_clean_run(SourceMode mode)
{
        Source src = {};
        char *state = scratch_dir("exec-state"), *h0m, *h1, *h;
        Recorder rec = {};
        _cleanup_json_ json_object *plan = make_plan();
        Executor *e = NULL, *e2 = NULL;
        ExecSource es;
        const Journal *j;

        make_source(&src, mode);
        es = (ExecSource){ .mode = mode, .path = src.path, .format = "raw" };
        h0m = source_hash(&src, true);
        reset_runlog();
        ASSERT_OK(open_executor(state, &rec, NULL, &e));
        /* one run per state directory */
        ASSERT_ERR(open_executor(state, NULL, NULL, &e2), -EBUSY);
        ASSERT_OK(executor_init(e, plan, &es, NULL, NULL));
        ASSERT_ERR(executor_init(e, plan, &es, NULL, NULL), -EEXIST);
        ASSERT_OK(executor_run(e));
        j = executor_state(e)->journal;
        ASSERT_EQ(j->status, JOURNAL_DONE);
        for (size_t i = 0; i < j->n_steps; i++)
                ASSERT_EQ(j->steps[i].state, STEP_DONE);
        ASSERT_EQ(j->steps[1].bytes, 8);
        ASSERT_EQ(j->n_checkpoints, 2);
        ASSERT_STREQ(j->checkpoints[0].id, "cp-write-a");
        ASSERT_EQ(j->checkpoints[0].kind,
                  mode == SOURCE_MODE_ROOT ? CHECKPOINT_UNDO_ARCHIVE : CHECKPOINT_OVERLAY);
        ASSERT_TRUE(j->checkpoints[0].bytes > 0);
        ASSERT_TRUE(j->checkpoints[0].seconds >= 0 && j->checkpoints[0].seconds < 5);
        ASSERT_EQ(ran("check") + ran("write-a") + ran("write-b") + ran("verify"), 4);
        /* the progress events, in order */
        {
                char *all = strv_join(rec.events, " ");
                ASSERT_NOT_NULL(all);
                ASSERT_NOT_NULL(strstr(all,
                                       "step-start:check: step-end:check:done "
                                       "checkpoint:cp-write-a:created step-start:write-a: bytes:write-a: "
                                       "step-end:write-a:done checkpoint:cp-write-b:created "
                                       "step-start:write-b: step-end:write-b:done step-start:verify: "
                                       "finding:verify: step-end:verify:done"));
                free(all);
        }
        /* the source: untouched in image mode, changed in root mode */
        h = source_hash(&src, true);
        if (mode == SOURCE_MODE_IMAGE)
                ASSERT_STREQ(h, h0m);
        else
                ASSERT_FALSE(streq(h, h0m));
        free(h);
        h1 = result_hash(&src, e);
        /* running again does nothing */
        ASSERT_OK(executor_run(e));
        ASSERT_EQ(ran("write-a"), 1);

        /* rollback to the second checkpoint, then all the way */
        ASSERT_OK(executor_rollback(e, "cp-write-b"));
        j = executor_state(e)->journal;
        ASSERT_EQ(j->status, JOURNAL_ROLLED_BACK);
        ASSERT_EQ(j->n_checkpoints, 1);
        ASSERT_EQ(j->steps[1].state, STEP_DONE);
        ASSERT_EQ(j->steps[2].state, STEP_PENDING);
        ASSERT_EQ(j->steps[3].state, STEP_PENDING);
        ASSERT_OK(executor_rollback(e, NULL));
        ASSERT_EQ(j->n_checkpoints, 0);
        ASSERT_EQ(j->steps[0].state, STEP_PENDING);
        h = source_hash(&src, true);
        ASSERT_STREQ(h, h0m);
        free(h);
        ASSERT_ERR(executor_rollback(e, "cp-nonexistent"), -ENOENT);

        /* resume after a rollback runs everything again, to the same result */
        ASSERT_OK(executor_run(e));
        h = result_hash(&src, e);
        ASSERT_STREQ(h, h1);
        free(h);

        /* commit: permanent; nothing left to roll back */
        if (mode == SOURCE_MODE_ROOT)
                ASSERT_ERR(executor_commit(e, "/tmp/x.raw"), -EOPNOTSUPP);
        ASSERT_OK(executor_commit(e, NULL));
        ASSERT_EQ(j->status, JOURNAL_COMMITTED);
        ASSERT_ERR(executor_rollback(e, NULL), -EALREADY);
        ASSERT_ERR(executor_run(e), -EALREADY);
        {
                char *p = pathf("%s/layers", state), *q = pathf("%s/undo", state);
                ASSERT_TRUE(access(p, F_OK) < 0 && access(q, F_OK) < 0);
                free(p);
                free(q);
        }
        if (mode == SOURCE_MODE_IMAGE) {
                /* the source now holds the result */
                GuestFs *fs = NULL;
                GuestExtInfo info = {};
                GuestStat st;
                int fd = open(src.path, O_RDONLY | O_CLOEXEC);
                ASSERT_TRUE(fd >= 0);
                ASSERT_OK(guest_ext_open(fd, 1048576, &fs, &info));
                ASSERT_OK(fs->ops->lstat(fs, "/etc/b", &st));
                ASSERT_EQ(fs->ops->lstat(fs, "/etc/a", &st), -ENOENT);
                guest_fs_free(fs);
                free(info.error);
                close(fd);
        }
        executor_free(e);

        /* a new run may start in a committed state directory */
        ASSERT_OK(open_executor(state, NULL, NULL, &e));
        executor_free(e);

        free(h0m);
        free(h1);
        strv_free(rec.events);
        source_done(&src);
        scratch_remove(state);
}

/* SIGKILL at each fault point; status says interrupted at the right step; resume finishes with
 * the clean run's result, rerunning only the interrupted step; rollback restores the source. */
static void test_faults(SourceMode mode)
{
        static const struct {
                const char *fault;
                const char *running; /* the step the journal says was running, or NULL */
                unsigned reruns[4];  /* how often each step ran in all */
        } cases[] = {
                { "kill:before:check", "check", { 1, 1, 1, 1 } },
                { "kill:before:write-a", "write-a", { 1, 1, 1, 1 } },
                { "kill:inside:write-a:0", "write-a", { 1, 2, 1, 1 } },
                { "kill:inside:write-a:2", "write-a", { 1, 2, 1, 1 } },
                { "kill:after:write-a", "write-a", { 1, 2, 1, 1 } },
                { "kill:checkpoint:write-b", NULL, { 1, 1, 1, 1 } },
                { "kill:before:write-b", "write-b", { 1, 1, 1, 1 } },
                { "kill:inside:write-b:1", "write-b", { 1, 1, 2, 1 } },
                { "kill:inside:write-b:4", "write-b", { 1, 1, 2, 1 } },
                { "kill:after:write-b", "write-b", { 1, 1, 2, 1 } },
                { "kill:before:verify", "verify", { 1, 1, 1, 1 } },
                { "kill:after:verify", "verify", { 1, 1, 1, 2 } },
        };
        Source ref = {};
        char *ref_state = scratch_dir("exec-ref"), *want;
        Executor *e = NULL;

        /* the clean run's result */
        make_source(&ref, mode);
        reset_runlog();
        ASSERT_EQ(run_child(&ref, ref_state, NULL, NULL), 0);
        ASSERT_OK(open_executor(ref_state, NULL, NULL, &e));
        want = result_hash(&ref, e);
        executor_free(e);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Source src = {};
                char *state = scratch_dir("exec-fault"), *h0, *h;
                JournalStatus st;
                Journal *j = NULL;

                make_source(&src, mode);
                h0 = source_hash(&src, true);
                reset_runlog();
                ASSERT_EQ(run_child(&src, state, cases[i].fault, NULL), 128 + SIGKILL);

                ASSERT_OK(state_status(state, &st, NULL, &j));
                ASSERT_EQ(st, JOURNAL_INTERRUPTED);
                {
                        const char *running = NULL;
                        for (size_t k = 0; k < j->n_steps; k++)
                                if (j->steps[k].state == STEP_RUNNING)
                                        running = j->steps[k].id;
                        if (!streq_ptr(running, cases[i].running))
                                FAIL("%s: running step %s, expected %s", cases[i].fault, strempty(running),
                                     strempty(cases[i].running));
                }
                journal_free(j);

                /* resume */
                ASSERT_OK(open_executor(state, NULL, NULL, &e));
                ASSERT_OK(executor_run(e));
                ASSERT_EQ(executor_state(e)->journal->status, JOURNAL_DONE);
                h = result_hash(&src, e);
                if (!streq(h, want))
                        FAIL("%s: the resumed run differs from a clean one", cases[i].fault);
                free(h);
                for (size_t k = 0; k < ELEMENTSOF(fake_steps); k++)
                        if (ran(fake_steps[k].id) != cases[i].reruns[k])
                                FAIL("%s: step %s ran %u times, expected %u", cases[i].fault,
                                     fake_steps[k].id, ran(fake_steps[k].id), cases[i].reruns[k]);

                /* rollback returns the source exactly */
                ASSERT_OK(executor_rollback(e, NULL));
                h = source_hash(&src, true);
                if (!streq(h, h0))
                        FAIL("%s: rollback did not restore the source", cases[i].fault);
                free(h);
                executor_free(e);

                /* and a rollback straight after the crash too (no resume in between) */
                if (i % 3 == 0) {
                        reset_runlog();
                        ASSERT_EQ(run_child(&src, state, cases[i].fault, NULL), 128 + SIGKILL);
                        ASSERT_OK(open_executor(state, NULL, NULL, &e));
                        ASSERT_OK(executor_rollback(e, NULL));
                        h = source_hash(&src, true);
                        if (!streq(h, h0))
                                FAIL("%s: rollback after the crash did not restore the source",
                                     cases[i].fault);
                        free(h);
                        executor_free(e);
                }
                free(h0);
                source_done(&src);
                scratch_remove(state);
        }
        free(want);
        source_done(&ref);
        scratch_remove(ref_state);
}

/* A rollback killed after n discarded layers or inverse operations, then run again. */
static void test_interrupted_rollback(SourceMode mode)
{
        for (unsigned n = 1; n <= 3; n++) {
                Source src = {};
                char *state = scratch_dir("exec-rbkill"), *h0, *h;
                Executor *e = NULL;
                pid_t pid;
                int status;

                make_source(&src, mode);
                h0 = source_hash(&src, true);
                ASSERT_EQ(run_child(&src, state, NULL, NULL), 0);
                pid = fork();
                ASSERT_TRUE(pid >= 0);
                if (pid == 0) {
                        char spec[32];
                        snprintf(spec, sizeof spec, "kill:rollback:%u", n);
                        setenv("AZLMIGRATE_FAULT", spec, 1);
                        if (open_executor(state, NULL, NULL, &e) < 0)
                                _exit(10);
                        _exit(executor_rollback(e, NULL) < 0 ? 11 : 0);
                }
                ASSERT_TRUE(waitpid(pid, &status, 0) == pid);
                /* image mode has two layers: nothing to kill after the second */
                ASSERT_TRUE(WIFSIGNALED(status) || (mode == SOURCE_MODE_IMAGE && n > 1));
                {
                        JournalStatus st;
                        ASSERT_OK(state_status(state, &st, NULL, NULL));
                        ASSERT_TRUE(st == JOURNAL_INTERRUPTED || st == JOURNAL_ROLLED_BACK);
                }
                ASSERT_OK(open_executor(state, NULL, NULL, &e));
                ASSERT_OK(executor_rollback(e, NULL));
                ASSERT_EQ(executor_state(e)->journal->status, JOURNAL_ROLLED_BACK);
                h = source_hash(&src, true);
                ASSERT_STREQ(h, h0);
                free(h);
                executor_free(e);
                free(h0);
                source_done(&src);
                scratch_remove(state);
        }
}

static void test_failures_and_hooks(SourceMode mode)
{
        Source src = {};
        char *state = scratch_dir("exec-fail"), *hooks = scratch_dir("exec-hooks"), *p, *h0, *h;
        char *target = pathf("%s/target.tar", work);
        _cleanup_json_ json_object *plan = make_plan();
        Executor *e = NULL;
        ExecSource es;
        Journal *j;

        make_source(&src, mode);
        h0 = source_hash(&src, true);
        es = (ExecSource){ .mode = mode, .path = src.path, .format = "raw" };
        write_text(target, "not really a tarball\n");

        /* a step fails: status failed, the step's error, last_error */
        reset_runlog();
        setenv("AZLMIGRATE_FAULT", "fail:step-run:ENOSPC", 1);
        ASSERT_OK(open_executor(state, NULL, hooks, &e));
        ASSERT_OK(executor_init(e, plan, &es, target, NULL));
        ASSERT_ERR(executor_run(e), -ENOSPC);
        j = executor_state(e)->journal;
        ASSERT_EQ(j->status, JOURNAL_FAILED);
        ASSERT_EQ(j->steps[0].state, STEP_FAILED);
        ASSERT_STREQ(j->steps[0].error, "No space left on device");
        ASSERT_STREQ(j->last_error, "Step check failed: No space left on device");
        ASSERT_TRUE(startswith(j->target_sha256, "sha256:"));
        unsetenv("AZLMIGRATE_FAULT");

        /* a pre-hook that fails stops the run at the checkpoint it follows */
        p = pathf("%s/pre-write-b.d", hooks);
        ASSERT_TRUE(mkdir(p, 0755) == 0);
        free(p);
        p = pathf("%s/pre-write-b.d/10-maintenance-window", hooks);
        write_text(p, "#!/bin/sh\necho 'outside the maintenance window' >&2\nexit 1\n");
        ASSERT_TRUE(chmod(p, 0755) == 0);
        ASSERT_EQ(executor_run(e), EXEC_RUN_STOPPED);
        ASSERT_EQ(j->status, JOURNAL_STOPPED);
        ASSERT_STREQ(j->stopped_at, "cp-write-b");
        ASSERT_STREQ(j->last_error, "pre-hook '10-maintenance-window' of step write-b failed with status 1");
        ASSERT_EQ(j->steps[1].state, STEP_DONE);
        ASSERT_EQ(j->steps[2].state, STEP_PENDING);
        ASSERT_EQ(ran("write-b"), 0);
        {
                char *log = pathf("%s/logs/hook-pre-write-b-10-maintenance-window.log", state),
                     *t = read_text(log);
                ASSERT_STREQ(t, "outside the maintenance window\n");
                free(t);
                free(log);
        }
        executor_free(e);
        {
                JournalStatus st;
                ASSERT_OK(state_status(state, &st, NULL, NULL));
                ASSERT_EQ(st, JOURNAL_STOPPED);
        }

        /* the target changed since the run started: resume refuses */
        write_text(target, "another tarball\n");
        ASSERT_OK(open_executor(state, NULL, hooks, &e));
        ASSERT_ERR(executor_run(e), -ESTALE);
        write_text(target, "not really a tarball\n");
        /* the hook is gone: resume retries from the checkpoint and finishes */
        ASSERT_TRUE(unlink(p) == 0);
        ASSERT_OK(executor_run(e));
        ASSERT_EQ(ran("write-a"), 1);
        ASSERT_EQ(ran("write-b"), 1);
        j = executor_state(e)->journal;
        ASSERT_EQ(j->status, JOURNAL_DONE);

        /* post-rollback hooks get the discarded checkpoints */
        free(p);
        p = pathf("%s/post-rollback.d", hooks);
        ASSERT_TRUE(mkdir(p, 0755) == 0);
        free(p);
        p = pathf("%s/post-rollback.d/50-notify", hooks);
        write_text(p, "#!/bin/sh\ncat\n");
        ASSERT_TRUE(chmod(p, 0755) == 0);
        ASSERT_OK(executor_rollback(e, NULL));
        {
                char *log = pathf("%s/logs/hook-post-rollback-50-notify.log", state), *t = read_text(log);
                json_object *o = json_tokener_parse(t);
                ASSERT_NOT_NULL(o);
                ASSERT_STREQ(json_get_str(o, "phase"), "post-rollback");
                ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(json_get(o, "discarded"), 0)),
                             "cp-write-b");
                ASSERT_STREQ(json_get_str(json_get(json_get(o, "inventory_summary"), "os"), "hostname"),
                             "aks-nodepool1-12345678-vmss000000");
                json_object_put(o);
                free(t);
                free(log);
        }
        h = source_hash(&src, true);
        ASSERT_STREQ(h, h0);
        free(h);
        executor_free(e);
        free(p);
        free(h0);
        free(target);
        source_done(&src);
        scratch_remove(state);
        scratch_remove(hooks);
}

/* Plans the executor must refuse. */
static void test_bad_plans(void)
{
        static const char *const bad[] = {
                "{\"steps\":[]}",
                "{\"steps\":[{\"id\":\"../x\",\"mutates\":false}]}",
                "{\"steps\":[{\"id\":\"a\",\"mutates\":true,\"checkpoint_before\":null}]}",
                "{\"steps\":[{\"id\":\"a\",\"mutates\":true,\"checkpoint_before\":\"../../etc\"}]}",
                "{\"steps\":[{\"id\":\"a\",\"mutates\":false},{\"id\":\"a\",\"mutates\":false}]}",
                "{\"steps\":[{\"id\":\"a\",\"mutates\":\"yes\"}]}",
        };
        char *state = scratch_dir("exec-bad"), *root = scratch_dir("exec-bad-root");
        ExecSource es = { .mode = SOURCE_MODE_ROOT, .path = root };
        Executor *e = NULL;

        ASSERT_OK(open_executor(state, NULL, NULL, &e));
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                json_object *p = json_tokener_parse(bad[i]);
                ASSERT_NOT_NULL(p);
                ASSERT_ERR(executor_init(e, p, &es, NULL, NULL), -EBADMSG);
                json_object_put(p);
        }
        {
                _cleanup_json_ json_object *plan = make_plan();
                ExecSource img = { .mode = SOURCE_MODE_IMAGE, .path = root, .format = "vmdk" };
                ASSERT_ERR(executor_init(e, plan, &img, NULL, NULL), -EMEDIUMTYPE);
                ASSERT_ERR(executor_init(e, plan, &es, NULL, "/tmp/out.raw"), -EOPNOTSUPP);
        }
        ASSERT_ERR(executor_run(e), -ENOENT);
        /* a step nobody implements fails before anything is done for it */
        {
                json_object *p = json_tokener_parse("{\"steps\":[{\"id\":\"teleport\",\"mutates\":true,"
                                                    "\"checkpoint_before\":\"cp-teleport\"}]}");
                const Journal *j;
                ASSERT_OK(executor_init(e, p, &es, NULL, NULL));
                ASSERT_ERR(executor_run(e), -EOPNOTSUPP);
                j = executor_state(e)->journal;
                ASSERT_EQ(j->status, JOURNAL_FAILED);
                ASSERT_EQ(j->steps[0].state, STEP_FAILED);
                ASSERT_EQ(j->n_checkpoints, 0);
                ASSERT_STREQ(j->last_error, "Step teleport cannot run: no implementation is registered");
                json_object_put(p);
        }
        executor_free(e);
        scratch_remove(state);
        scratch_remove(root);
}

/* The verbs status, rollback and commit on runs the executor made (the built binary, when there). */
static int cli(char **ret_out, const char *fmt, ...) _printf_(2, 3);
static int cli(char **ret_out, const char *fmt, ...)
{
        char *args = NULL, *out = pathf("%s/cli.out", work);
        va_list ap;
        int r;

        va_start(ap, fmt);
        ASSERT_TRUE(vasprintf(&args, fmt, ap) >= 0);
        va_end(ap);
        r = shell("'%s' %s > '%s' 2>&1 < /dev/null", getenv("AZLMIGRATE_BIN"), args, out);
        if (ret_out)
                *ret_out = read_text(out);
        free(args);
        free(out);
        return r;
}

static void test_cli(void)
{
        Source src = {};
        char *state = scratch_dir("exec-cli"), *t, *h0, *h;
        json_object *o;
        pid_t pid;
        int status;

        if (!getenv("AZLMIGRATE_BIN") || access(getenv("AZLMIGRATE_BIN"), X_OK) < 0) {
                fprintf(stderr, "azlmigrate is not built: verbs not tested\n");
                scratch_remove(state);
                return;
        }
        make_source(&src, SOURCE_MODE_ROOT);
        h0 = source_hash(&src, true);

        ASSERT_EQ(cli(&t, "status --state-dir '%s'", state), 1);
        ASSERT_NOT_NULL(strstr(t, "No run in"));
        free(t);
        ASSERT_EQ(cli(NULL, "status"), 2);
        ASSERT_EQ(cli(NULL, "status --state-dir '%s' --format yaml", state), 2);

        /* interrupted inside write-b */
        ASSERT_EQ(run_child(&src, state, "kill:inside:write-b:1", NULL), 128 + SIGKILL);
        ASSERT_EQ(cli(&t, "status --state-dir '%s'", state), 0);
        ASSERT_NOT_NULL(strstr(t, "Status:          interrupted: the process died during step write-b"));
        ASSERT_NOT_NULL(strstr(t, "cp-write-b"));
        free(t);
        ASSERT_EQ(cli(&t, "status --state-dir '%s' --format json", state), 0);
        o = json_tokener_parse(t);
        ASSERT_NOT_NULL(o);
        ASSERT_STREQ(json_get_str(o, "status"), "interrupted");
        ASSERT_TRUE(json_get(o, "pid") == NULL);
        json_object_put(o);
        free(t);

        /* while another process holds the run */
        pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                Executor *e = NULL;
                if (open_executor(state, NULL, NULL, &e) < 0)
                        _exit(1);
                pause();
                _exit(0);
        }
        for (int i = 0; i < 500; i++) {
                JournalStatus st;
                ASSERT_OK(state_status(state, &st, NULL, NULL));
                if (st == JOURNAL_RUNNING)
                        break;
                usleep(10000);
        }
        ASSERT_EQ(cli(&t, "status --state-dir '%s' --format json", state), 0);
        o = json_tokener_parse(t);
        ASSERT_STREQ(json_get_str(o, "status"), "running");
        ASSERT_EQ(json_get_int(o, "pid", -1), pid);
        json_object_put(o);
        free(t);
        ASSERT_EQ(cli(&t, "rollback --state-dir '%s' --yes", state), 1);
        {
                char *want = pathf("Another azlmigrate process (pid %d)", (int) pid);
                ASSERT_NOT_NULL(strstr(t, want));
                free(want);
        }
        free(t);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);

        /* mutating verbs need --yes without a terminal */
        ASSERT_EQ(cli(&t, "rollback --state-dir '%s'", state), 2);
        ASSERT_NOT_NULL(strstr(t, "--yes"));
        free(t);
        ASSERT_EQ(cli(&t, "rollback --state-dir '%s' --to cp-nope --yes", state), 1);
        ASSERT_NOT_NULL(strstr(t, "cp-write-a (before write-a)"));
        free(t);
        ASSERT_EQ(cli(&t, "commit --state-dir '%s' --yes", state), 1);
        ASSERT_NOT_NULL(strstr(t, "is interrupted: only a finished run"));
        free(t);
        ASSERT_EQ(cli(NULL, "rollback --state-dir '%s' --to cp-write-b --yes", state), 0);
        ASSERT_EQ(cli(&t, "status --state-dir '%s' --format json", state), 0);
        o = json_tokener_parse(t);
        ASSERT_STREQ(json_get_str(o, "status"), "rolled-back");
        ASSERT_EQ(json_object_array_length(json_get(o, "checkpoints")), 1);
        json_object_put(o);
        free(t);
        ASSERT_EQ(cli(NULL, "rollback --state-dir '%s' --yes", state), 0);
        h = source_hash(&src, true);
        ASSERT_STREQ(h, h0);
        free(h);

        /* finish, commit */
        {
                Executor *e = NULL;
                ASSERT_OK(open_executor(state, NULL, NULL, &e));
                ASSERT_OK(executor_run(e));
                executor_free(e);
        }
        ASSERT_EQ(cli(&t, "status --state-dir '%s'", state), 0);
        ASSERT_NOT_NULL(strstr(t, "Status:          done"));
        ASSERT_NOT_NULL(strstr(t, "azlmigrate commit --state-dir"));
        free(t);
        ASSERT_EQ(cli(&t, "commit --state-dir '%s' --output /tmp/x.raw --yes", state), 1);
        free(t);
        ASSERT_EQ(cli(NULL, "commit --state-dir '%s' --yes", state), 0);
        ASSERT_EQ(cli(&t, "status --state-dir '%s'", state), 0);
        ASSERT_NOT_NULL(strstr(t, "Status:          committed"));
        free(t);
        ASSERT_EQ(cli(&t, "rollback --state-dir '%s' --yes", state), 1);
        ASSERT_NOT_NULL(strstr(t, "committed"));
        free(t);
        ASSERT_EQ(cli(&t, "rollback --help"), 0);
        ASSERT_NOT_NULL(strstr(t, "--to CHECKPOINT"));
        free(t);

        free(h0);
        source_done(&src);
        scratch_remove(state);
}

/* The fault switch exists only in builds with -Dfault_injection=true. */
#define RUN_MODE(m)                                                                                         \
        do {                                                                                                \
                RUN_ARG(test_clean_run, m);                                                                 \
                if (FAULT_INJECTION) {                                                                      \
                        RUN_ARG(test_faults, m);                                                            \
                        RUN_ARG(test_interrupted_rollback, m);                                              \
                        RUN_ARG(test_failures_and_hooks, m);                                                \
                } else                                                                                      \
                        fprintf(stderr,                                                                     \
                                "built without -Dfault_injection=true: crashes and failures not tested\n"); \
        } while (0)
#define RUN_ARG(fn, m)                                                       \
        do {                                                                 \
                fprintf(stderr, "%s (%s)\n", #fn, source_mode_to_string(m)); \
                fn(m);                                                       \
                tests_run++;                                                 \
        } while (0)

static void cleanup(void)
{
        const char *tmp = getenv("TMPDIR");
        char *prefix = pathf("%s/azlm-exec", tmp && *tmp ? tmp : "/tmp");

        unmount_exports(prefix);
        free(prefix);
}

int main(void)
{
        const char *reason = NULL;
        bool image;

        if (geteuid() != 0)
                SKIP("needs root (file owners in root mode, FUSE in image mode)");
        unsetenv("AZLMIGRATE_FAULT");
        atexit(cleanup);
        work = scratch_dir("exec");
        runlog = pathf("%s/runlog", work);

        RUN(test_bad_plans);
        if (FAULT_INJECTION)
                RUN(test_cli);
        RUN_MODE(SOURCE_MODE_ROOT);

        image = overlay_available(&reason) >= 0 &&
                shell("command -v mkfs.ext4 debugfs mkfs.vfat mmd mcopy mtype >/dev/null") == 0;
        if (image)
                RUN_MODE(SOURCE_MODE_IMAGE);
        else
                fprintf(stderr, "image mode not tested: %s\n", reason ?: "no e2fsprogs");

        free(runlog);
        scratch_remove(TAKE_PTR(work));
        TESTS_DONE();
}
