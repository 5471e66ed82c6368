/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "hooks.h"
#include "run.h"
#include "shared/fd-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"

extern char **environ;

void hook_failure_done(HookFailure *f)
{
        if (f)
                f->name = mfree(f->name);
}

static bool hook_name_ok(const char *name)
{
        return name[0] != '.' && !endswith(name, "~");
}

/* The executables of dir, sorted. A missing directory: none. */
static int list_hooks(const char *dir, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        DIR *d;
        struct dirent *de;

        d = opendir(dir);
        if (!d) {
                if (errno == ENOENT || errno == ENOTDIR) {
                        *ret = NULL;
                        return 0;
                }
                return -errno;
        }
        while ((de = readdir(d))) {
                struct stat st;
                if (!hook_name_ok(de->d_name))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode) ||
                    faccessat(dirfd(d), de->d_name, X_OK, AT_EACCESS) < 0)
                        continue;
                if (strv_extend(&l, de->d_name) < 0) {
                        closedir(d);
                        return -ENOMEM;
                }
        }
        closedir(d);
        strv_sort(l);
        *ret = TAKE_PTR(l);
        return 0;
}

static int env_for(const HookOptions *o, const char *phase, const char *step, const char *checkpoint,
                   char ***ret)
{
        _cleanup_strv_free_ char **set = NULL, **base = NULL;
        char *s;

#define PUT(fmt, ...)                                                                \
        do {                                                                         \
                if (asprintf(&s, fmt, __VA_ARGS__) < 0 || strv_consume(&set, s) < 0) \
                        return -ENOMEM;                                              \
        } while (0)
        PUT("AZLMIGRATE_STATE_DIR=%s", strempty(o->state_dir));
        PUT("AZLMIGRATE_STEP=%s", strempty(step));
        PUT("AZLMIGRATE_PHASE=%s", phase);
        PUT("AZLMIGRATE_SOURCE=%s", strempty(o->source));
        PUT("AZLMIGRATE_CHECKPOINT=%s", strempty(checkpoint));
        if (o->guest_root)
                PUT("AZLMIGRATE_GUEST_ROOT=%s", o->guest_root);
#undef PUT
        /* Our environment without any AZLMIGRATE_ variable of our own caller (the fault switch, a
         * stale AZLMIGRATE_GUEST_ROOT, a test's): a hook sees exactly the documented ones. */
        STRV_FOREACH(e, environ) {
                if (startswith(*e, "AZLMIGRATE_"))
                        continue;
                if (strv_extend(&base, *e) < 0)
                        return -ENOMEM;
        }
        if (!base && strv_extend(&base, "PATH=/usr/sbin:/usr/bin:/sbin:/bin") < 0)
                return -ENOMEM;
        return run_env_build(base, set, ret);
}

int hooks_run(const HookOptions *o, const char *phase, const char *step, const char *checkpoint,
              const char *input, unsigned *ret_count, HookFailure *ret_failure)
{
        _cleanup_free_ char *dname = NULL, *dir = NULL;
        _cleanup_strv_free_ char **hooks = NULL, **env = NULL;
        unsigned count = 0;
        int r;

        if (ret_count)
                *ret_count = 0;
        if (streq(phase, "post-rollback")) {
                dname = strdup("post-rollback.d");
                if (!dname)
                        return -ENOMEM;
        } else if ((streq(phase, "pre") || streq(phase, "post")) && step) {
                if (asprintf(&dname, "%s-%s.d", phase, step) < 0)
                        return -ENOMEM;
        } else
                return -EINVAL;
        dir = path_join(o->dir ?: HOOKS_DIR_DEFAULT, dname);
        if (!dir)
                return -ENOMEM;
        r = list_hooks(dir, &hooks);
        if (r < 0)
                return r;
        if (!hooks)
                return 0;
        r = env_for(o, phase, step, checkpoint, &env);
        if (r < 0)
                return r;

        STRV_FOREACH(h, hooks) {
                _cleanup_free_ char *path = path_join(dir, *h), *logname = NULL, *logpath = NULL;
                _cleanup_close_ int logfd = -EBADF;
                RunOptions ro = {
                        .stdin_data = input ?: "{}",
                        .stdin_size = strlen(input ?: "{}"),
                        .stdout_fd = -1,
                        .stderr_fd = -1,
                        .env = env,
                        .timeout_sec = o->timeout_sec ?: HOOKS_TIMEOUT_DEFAULT,
                        .kill_after_sec = o->kill_after_sec,
                };
                RunResult res = {};

                if (!path)
                        return -ENOMEM;
                r = fault_fail("hook-spawn");
                if (r < 0)
                        return r;
                if (step)
                        r = asprintf(&logname, "hook-%s-%s-%s.log", phase, step, *h);
                else
                        r = asprintf(&logname, "hook-%s-%s.log", phase, *h);
                if (r < 0)
                        return -ENOMEM;
                if (o->log_dir) {
                        logpath = path_join(o->log_dir, logname);
                        if (!logpath)
                                return -ENOMEM;
                        logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
                        if (logfd < 0)
                                return -errno;
                        ro.stdout_fd = ro.stderr_fd = logfd;
                }
                r = run_command((char *[]){ path, NULL }, &ro, &res);
                if (r < 0)
                        return r;
                run_result_done(&res);
                count++;
                if (ret_count)
                        *ret_count = count;
                if (res.status != 0 || res.timed_out) {
                        if (ret_failure) {
                                *ret_failure = (HookFailure){
                                        .name = strdup(*h),
                                        .status = res.status,
                                        .timed_out = res.timed_out,
                                };
                                if (!ret_failure->name)
                                        return -ENOMEM;
                        }
                        return 1;
                }
        }
        return 0;
}
