/* SPDX-License-Identifier: MIT */
/* Hooks: which files run and in which order, their environment, the JSON on their stdin, their
 * logs, failure, and the timeout (SIGTERM, then SIGKILL for a hook that ignores it, with what it
 * started). */
#include <time.h>

#include "exec/hooks.h"
#include "exec-test.h"

static char *hooks, *logs;

static void hook(const char *dir, const char *name, mode_t mode, const char *body)
{
        char *d = pathf("%s/%s", hooks, dir), *p = pathf("%s/%s", d, name);

        (void) mkdir(d, 0755);
        write_text(p, body);
        ASSERT_TRUE(chmod(p, mode) == 0);
        free(p);
        free(d);
}

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static HookOptions options(void)
{
        return (HookOptions){
                .dir = hooks,
                .state_dir = "/var/lib/azlmigrate/run1",
                .log_dir = logs,
                .source = "/dev/disk/by-id/node-os",
                .guest_root = NULL,
        };
}

static void test_order_env_stdin(void)
{
        HookOptions o = options();
        HookFailure f = {};
        unsigned n = 0;
        char *out = pathf("%s/out", hooks), *t, *p;
        const char *input = "{\"step\":{\"id\":\"stage-target\",\"mutates\":true},\"note\":\"caf\xc3\xa9\"}";

        hook("pre-stage-target.d", "20-second", 0755, "#!/bin/sh\necho second >> \"$OUT\"\n");
        hook("pre-stage-target.d", "10-first", 0755,
             "#!/bin/sh\necho first >> \"$OUT\"\nenv | grep ^AZLMIGRATE_ | sort >> \"$OUT\"\ncat >> "
             "\"$OUT\"\n"
             "echo; echo to the log; echo to stderr >&2\n");
        hook("pre-stage-target.d", "15-not-executable", 0644, "#!/bin/sh\necho nope >> \"$OUT\"\n");
        hook("pre-stage-target.d", ".hidden", 0755, "#!/bin/sh\necho hidden >> \"$OUT\"\n");
        hook("pre-stage-target.d", "30-backup~", 0755, "#!/bin/sh\necho backup >> \"$OUT\"\n");
        setenv("OUT", out, 1);
        setenv("AZLMIGRATE_FAULT", "kill:before:verify", 1); /* never given to hooks */
        setenv("AZLMIGRATE_GUEST_ROOT", "/stale", 1);

        ASSERT_EQ(hooks_run(&o, "pre", "stage-target", "cp-stage-target", input, &n, &f), 0);
        ASSERT_EQ(n, 2);
        t = read_text(out);
        ASSERT_NOT_NULL(t);
        p = pathf("first\n"
                  "AZLMIGRATE_CHECKPOINT=cp-stage-target\n"
                  "AZLMIGRATE_PHASE=pre\n"
                  "AZLMIGRATE_SOURCE=/dev/disk/by-id/node-os\n"
                  "AZLMIGRATE_STATE_DIR=/var/lib/azlmigrate/run1\n"
                  "AZLMIGRATE_STEP=stage-target\n"
                  "%s"
                  "second\n",
                  input);
        ASSERT_STREQ(t, p);
        free(t);
        free(p);
        p = pathf("%s/hook-pre-stage-target-10-first.log", logs);
        t = read_text(p);
        ASSERT_STREQ(t, "\nto the log\nto stderr\n");
        free(t);
        free(p);

        /* root mode: the guest root; post-rollback has no step */
        unlink(out);
        o.guest_root = "/mnt/node";
        hook("post-rollback.d", "50-env", 0755, "#!/bin/sh\nenv | grep ^AZLMIGRATE_ | sort >> \"$OUT\"\n");
        ASSERT_EQ(hooks_run(&o, "post-rollback", NULL, "cp-stage-target", "{}", &n, &f), 0);
        ASSERT_EQ(n, 1);
        t = read_text(out);
        ASSERT_STREQ(t, "AZLMIGRATE_CHECKPOINT=cp-stage-target\n"
                        "AZLMIGRATE_GUEST_ROOT=/mnt/node\n"
                        "AZLMIGRATE_PHASE=post-rollback\n"
                        "AZLMIGRATE_SOURCE=/dev/disk/by-id/node-os\n"
                        "AZLMIGRATE_STATE_DIR=/var/lib/azlmigrate/run1\n"
                        "AZLMIGRATE_STEP=\n");
        free(t);
        p = pathf("%s/hook-post-rollback-50-env.log", logs);
        ASSERT_EQ(access(p, F_OK), 0);
        free(p);

        /* no directory for the phase: nothing to run */
        ASSERT_EQ(hooks_run(&o, "post", "verify", NULL, "{}", &n, &f), 0);
        ASSERT_EQ(n, 0);
        /* a phase that does not exist */
        ASSERT_ERR(hooks_run(&o, "during", "verify", NULL, "{}", &n, &f), -EINVAL);
        ASSERT_ERR(hooks_run(&o, "pre", NULL, NULL, "{}", &n, &f), -EINVAL);
        unsetenv("AZLMIGRATE_FAULT");
        unsetenv("AZLMIGRATE_GUEST_ROOT");
        free(out);
}

static void test_failure(void)
{
        HookOptions o = options();
        HookFailure f = {};
        unsigned n = 0;
        char *out = pathf("%s/out-fail", hooks), *t;

        setenv("OUT", out, 1);
        hook("pre-swap-root.d", "10-ok", 0755, "#!/bin/sh\necho ok >> \"$OUT\"\n");
        hook("pre-swap-root.d", "20-fail", 0755, "#!/bin/sh\necho fail >> \"$OUT\"\nexit 3\n");
        hook("pre-swap-root.d", "30-never", 0755, "#!/bin/sh\necho never >> \"$OUT\"\n");
        /* a hook that does not read a large input, and exits first */
        hook("pre-install-boot.d", "10-ignores-stdin", 0755, "#!/bin/sh\nexit 0\n");

        ASSERT_EQ(hooks_run(&o, "pre", "swap-root", NULL, "{}", &n, &f), 1);
        ASSERT_EQ(n, 2);
        ASSERT_STREQ(f.name, "20-fail");
        ASSERT_EQ(f.status, 3);
        ASSERT_FALSE(f.timed_out);
        hook_failure_done(&f);
        t = read_text(out);
        ASSERT_STREQ(t, "ok\nfail\n");
        free(t);

        {
                size_t big = 8u * 1024u * 1024u;
                char *in = malloc(big + 1);
                ASSERT_NOT_NULL(in);
                memset(in, ' ', big);
                in[0] = '{';
                in[big - 1] = '}';
                in[big] = 0;
                ASSERT_EQ(hooks_run(&o, "pre", "install-boot", NULL, in, &n, &f), 0);
                free(in);
        }
        free(out);
}

static void test_timeout(void)
{
        HookOptions o = options();
        HookFailure f = {};
        unsigned n = 0;
        double t0;
        char *pidfile = pathf("%s/grandchild.pid", hooks), *t;

        o.timeout_sec = 1;
        o.kill_after_sec = 1;
        /* SIGTERM ends it; what it started in the background goes with its process group */
        hook("pre-verify.d", "10-sleeps", 0755, "#!/bin/sh\nsleep 60 &\necho $! > \"$PIDFILE\"\nsleep 60\n");
        setenv("PIDFILE", pidfile, 1);
        t0 = now();
        ASSERT_EQ(hooks_run(&o, "pre", "verify", NULL, "{}", &n, &f), 1);
        ASSERT_TRUE(now() - t0 < 5);
        ASSERT_TRUE(f.timed_out);
        ASSERT_EQ(f.status, 128 + SIGTERM);
        hook_failure_done(&f);
        t = read_text(pidfile);
        ASSERT_NOT_NULL(t);
        {
                pid_t g = (pid_t) atoi(t);
                for (int i = 0; i < 100 && kill(g, 0) == 0; i++) {
                        char *stat = pathf("/proc/%d/stat", (int) g), *s = read_text(stat);
                        bool zombie = s && strstr(s, ") Z");
                        free(stat);
                        free(s);
                        if (zombie)
                                break;
                        usleep(20000);
                }
                char *stat = pathf("/proc/%d/stat", (int) g), *s = read_text(stat);
                ASSERT_TRUE(!s || strstr(s, ") Z"));
                free(stat);
                free(s);
        }
        free(t);

        /* one that ignores SIGTERM is killed */
        hook("post-verify.d", "10-stubborn", 0755, "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.1; done\n");
        t0 = now();
        ASSERT_EQ(hooks_run(&o, "post", "verify", NULL, "{}", &n, &f), 1);
        ASSERT_TRUE(now() - t0 >= 1.9 && now() - t0 < 6);
        ASSERT_TRUE(f.timed_out);
        ASSERT_EQ(f.status, 128 + SIGKILL);
        hook_failure_done(&f);
        free(pidfile);
}

static void fake_tool(const char *bin, const char *name, const char *body)
{
        char *p = pathf("%s/%s", bin, name);

        write_text(p, body);
        ASSERT_TRUE(chmod(p, 0755) == 0);
        free(p);
}

static void link_tool(const char *bin, const char *name)
{
        char *p = pathf("%s/%s", bin, name), *cmd = pathf("command -v %s >/dev/null", name);

        if (shell("%s", cmd) == 0)
                ASSERT_EQ(shell("ln -s \"$(command -v %s)\" '%s'", name, p), 0);
        free(p);
        free(cmd);
}

/* The examples in the repository's hooks/, with kubectl and logger replaced by recorders. */
static void test_examples(const char *srcdir)
{
        HookOptions o = options();
        HookFailure f = {};
        unsigned n = 0;
        char *bin = scratch_dir("hooks-bin"), *out = pathf("%s/calls", bin),
             *kubeconfig = pathf("%s/kubeconfig", bin);
        char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL, *t, *log;
        const char *input =
                "{\"schema\":\"azlmigrate/hook/v1\",\"phase\":\"pre\",\"step\":{\"id\":\"stage-target\"},"
                "\"inventory_summary\":{\"os\":{\"hostname\":\"aks-nodepool1-12345678-vmss000000\"}}}";

        o.dir = pathf("%s/hooks", srcdir);
        link_tool(bin, "cat");
        link_tool(bin, "jq");
        link_tool(bin, "python3");
        setenv("PATH", bin, 1);
        unsetenv("KUBECONFIG");
        setenv("HOME", bin, 1);

        /* no kubectl here: it explains and lets the run go on */
        ASSERT_EQ(hooks_run(&o, "pre", "stage-target", "cp-stage-target", input, &n, &f), 0);
        ASSERT_EQ(n, 1);
        log = pathf("%s/hook-pre-stage-target-10-drain-node.log", logs);
        t = read_text(log);
        ASSERT_NOT_NULL(
                strstr(t, "kubectl is not installed: not draining node aks-nodepool1-12345678-vmss000000"));
        free(t);

        /* kubectl but no kubeconfig */
        fake_tool(bin, "kubectl", "#!/bin/sh\necho \"kubectl $*\" >> \"$CALLS\"\n");
        setenv("CALLS", out, 1);
        ASSERT_EQ(hooks_run(&o, "pre", "stage-target", NULL, input, &n, &f), 0);
        t = read_text(log);
        ASSERT_NOT_NULL(strstr(t, "no kubeconfig"));
        free(t);
        ASSERT_NULL(read_text(out));

        /* both: cordon and drain the node the inventory names */
        write_text(kubeconfig, "apiVersion: v1\nkind: Config\n");
        setenv("KUBECONFIG", kubeconfig, 1);
        ASSERT_EQ(hooks_run(&o, "pre", "stage-target", NULL, input, &n, &f), 0);
        t = read_text(out);
        {
                char *want = pathf("kubectl --kubeconfig %s cordon aks-nodepool1-12345678-vmss000000\n"
                                   "kubectl --kubeconfig %s drain aks-nodepool1-12345678-vmss000000 "
                                   "--ignore-daemonsets --delete-emptydir-data --timeout=10m\n",
                                   kubeconfig, kubeconfig);
                ASSERT_STREQ(t, want);
                free(want);
        }
        free(t);

        /* a drain that fails stops the run */
        fake_tool(bin, "kubectl", "#!/bin/sh\necho 'error: cannot evict pod' >&2\nexit 1\n");
        ASSERT_EQ(hooks_run(&o, "pre", "stage-target", NULL, input, &n, &f), 1);
        ASSERT_STREQ(f.name, "10-drain-node");
        ASSERT_EQ(f.status, 1);
        hook_failure_done(&f);
        free(log);

        /* notify: one line through logger; without syslog it still succeeds */
        unlink(out);
        fake_tool(bin, "logger", "#!/bin/sh\necho \"logger $*\" >> \"$CALLS\"\n");
        ASSERT_EQ(hooks_run(&o, "post", "verify", NULL, "{}", &n, &f), 0);
        ASSERT_EQ(n, 1);
        t = read_text(out);
        ASSERT_TRUE(startswith(
                t, "logger -t azlmigrate -p user.notice -- azlmigrate: /dev/disk/by-id/node-os converted"));
        free(t);
        fake_tool(bin, "logger",
                  "#!/bin/sh\necho 'logger: socket /dev/log: No such file or directory' >&2\nexit 1\n");
        ASSERT_EQ(hooks_run(&o, "post", "verify", NULL, "{}", &n, &f), 0);

        if (path)
                setenv("PATH", path, 1);
        free(path);
        free((char *) o.dir);
        free(out);
        free(kubeconfig);
        unsetenv("KUBECONFIG");
        scratch_remove(bin);
}

int main(void)
{
        char *srcdir = strdup(tests_srcdir());

        /* meson's; they would show in the hooks' environment */
        unsetenv("AZLMIGRATE_BIN");
        unsetenv("AZLMIGRATE_SRCDIR");
        hooks = scratch_dir("hooks");
        logs = pathf("%s/logs", hooks);
        ASSERT_TRUE(mkdir(logs, 0700) == 0);
        RUN(test_order_env_stdin);
        RUN(test_failure);
        RUN(test_timeout);
        test_examples(srcdir);
        tests_run++;
        free(srcdir);
        free(logs);
        scratch_remove(hooks);
        TESTS_DONE();
}
