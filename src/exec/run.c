/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "shared/fd-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"

extern char **environ;

#define CAPTURE_DEFAULT (1024u * 1024u)

typedef struct Capture {
        int fd;
        char *buf;
        size_t n, max;
} Capture;

void run_result_done(RunResult *r)
{
        if (!r)
                return;
        r->out = mfree(r->out);
        r->err = mfree(r->err);
}

static int64_t now_ms(void)
{
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what is available; returns 1 at EOF, 0 otherwise (EAGAIN), -errno. */
static int capture_read(Capture *c)
{
        char tmp[16384];

        for (;;) {
                ssize_t k = read(c->fd, tmp, sizeof tmp);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return -errno;
                }
                if (k == 0)
                        return 1;
                if (c->n < c->max) {
                        size_t take = MIN((size_t) k, c->max - c->n);
                        char *nb = realloc(c->buf, c->n + take + 1);
                        if (!nb)
                                return -ENOMEM;
                        c->buf = nb;
                        memcpy(c->buf + c->n, tmp, take);
                        c->n += take;
                        c->buf[c->n] = 0;
                }
        }
}

/* write() that does not raise SIGPIPE when the reader is gone (a hook that does not read its
 * input): the signal is blocked for the call and, if the write raised it, consumed. */
static ssize_t write_nosigpipe(int fd, const void *p, size_t n)
{
        sigset_t pipe_set, old, pending;
        struct timespec zero = {};
        bool was_pending;
        ssize_t k;
        int saved;

        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        sigemptyset(&pending);
        (void) sigpending(&pending);
        was_pending = sigismember(&pending, SIGPIPE) == 1;
        (void) pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
        k = write(fd, p, n);
        saved = errno;
        if (k < 0 && saved == EPIPE && !was_pending)
                (void) sigtimedwait(&pipe_set, NULL, &zero);
        (void) pthread_sigmask(SIG_SETMASK, &old, NULL);
        errno = saved;
        return k;
}

static int pidfd_open_(pid_t pid)
{
        return (int) syscall(SYS_pidfd_open, pid, 0);
}

static int make_pipe(int p[2])
{
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        return 0;
}

int run_env_build(char **base, char *const *set, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;

        STRV_FOREACH(e, base ?: environ) {
                const char *eq = strchr(*e, '=');
                bool replaced = false;
                if (!eq)
                        continue;
                STRV_FOREACH(s, (char **) set)
                        if (strncmp(*s, *e, (size_t) (eq - *e) + 1) == 0)
                                replaced = true;
                if (!replaced && strv_extend(&l, *e) < 0)
                        return -ENOMEM;
        }
        STRV_FOREACH(s, (char **) set)
                if (strv_extend(&l, *s) < 0)
                        return -ENOMEM;
        if (!l && strv_extend(&l, "PATH=/usr/sbin:/usr/bin:/sbin:/bin") < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

int run_command(char *const argv[], const RunOptions *o, RunResult *ret)
{
        static const RunOptions defaults = { .stdout_fd = -1, .stderr_fd = -1 };
        _cleanup_close_ int in_r = -EBADF, in_w = -EBADF, out_r = -EBADF, out_w = -EBADF, err_r = -EBADF,
                            err_w = -EBADF, null_fd = -EBADF, pidfd = -EBADF;
        Capture out = { .fd = -EBADF }, err = { .fd = -EBADF };
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, defs;
        size_t in_done = 0;
        bool exited = false, termed = false, timed_out = false;
        int64_t deadline = -1, kill_at = -1;
        siginfo_t si = {};
        pid_t pid;
        int r;

        if (!o)
                o = &defaults;
        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null_fd < 0)
                return -errno;
        if (o->stdin_data) {
                int p[2];
                r = make_pipe(p);
                if (r < 0)
                        return r;
                in_r = p[0];
                in_w = p[1];
                (void) fcntl(in_w, F_SETFL, O_NONBLOCK);
                (void) fcntl(in_w, F_SETPIPE_SZ, 1024 * 1024);
        }
        if (o->capture_stdout) {
                int p[2];
                r = make_pipe(p);
                if (r < 0)
                        return r;
                out_r = p[0];
                out_w = p[1];
                (void) fcntl(out_r, F_SETFL, O_NONBLOCK);
        }
        if (o->capture_stderr) {
                int p[2];
                r = make_pipe(p);
                if (r < 0)
                        return r;
                err_r = p[0];
                err_w = p[1];
                (void) fcntl(err_r, F_SETFL, O_NONBLOCK);
        }

        if (posix_spawn_file_actions_init(&fa) != 0)
                return -ENOMEM;
        if (posix_spawnattr_init(&attr) != 0) {
                posix_spawn_file_actions_destroy(&fa);
                return -ENOMEM;
        }
        r = posix_spawn_file_actions_adddup2(&fa, in_r >= 0 ? in_r : null_fd, 0);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa,
                                                     out_w >= 0          ? out_w
                                                     : o->stdout_fd >= 0 ? o->stdout_fd
                                                                         : null_fd,
                                                     1);
        if (r == 0)
                r = posix_spawn_file_actions_adddup2(&fa,
                                                     err_w >= 0          ? err_w
                                                     : o->stderr_fd >= 0 ? o->stderr_fd
                                                                         : null_fd,
                                                     2);
        if (r == 0)
                r = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
        sigemptyset(&none);
        sigemptyset(&defs);
        for (int s = 1; s < 32; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        sigaddset(&defs, s);
        if (r == 0)
                r = posix_spawnattr_setsigmask(&attr, &none);
        if (r == 0)
                r = posix_spawnattr_setsigdefault(&attr, &defs);
        if (r == 0)
                r = posix_spawnattr_setpgroup(&attr, 0);
        if (r == 0)
                r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                                            POSIX_SPAWN_SETPGROUP);
        if (r == 0)
                r = (o->search_path ? posix_spawnp : posix_spawn)(&pid, argv[0], &fa, &attr, argv,
                                                                  o->env ?: environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (r != 0)
                return -r;

        in_r = safe_close(in_r);
        out_w = safe_close(out_w);
        err_w = safe_close(err_w);
        out = (Capture){ .fd = out_r, .max = o->capture_max ?: CAPTURE_DEFAULT };
        err = (Capture){ .fd = err_r, .max = o->capture_max ?: CAPTURE_DEFAULT };

        pidfd = pidfd_open_(pid);
        if (pidfd < 0) {
                r = -errno;
                (void) kill(-pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        if (o->timeout_sec > 0)
                deadline = now_ms() + (int64_t) o->timeout_sec * 1000;

        while (!exited) {
                struct pollfd p[4];
                nfds_t n = 0;
                int timeout = -1, ip = -1, op = -1, ep = -1;
                int64_t now = now_ms();

                p[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
                if (in_w >= 0) {
                        ip = (int) n;
                        p[n++] = (struct pollfd){ .fd = in_w, .events = POLLOUT };
                }
                if (out.fd >= 0) {
                        op = (int) n;
                        p[n++] = (struct pollfd){ .fd = out.fd, .events = POLLIN };
                }
                if (err.fd >= 0) {
                        ep = (int) n;
                        p[n++] = (struct pollfd){ .fd = err.fd, .events = POLLIN };
                }
                if (kill_at >= 0)
                        timeout = (int) MAX(0, kill_at - now);
                else if (deadline >= 0)
                        timeout = (int) MAX(0, deadline - now);

                if (poll(p, n, timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        goto kill_child;
                }
                now = now_ms();
                if (deadline >= 0 && !termed && now >= deadline) {
                        termed = timed_out = true;
                        (void) kill(-pid, SIGTERM);
                        kill_at = now + (int64_t) (o->kill_after_sec ?: 10) * 1000;
                } else if (kill_at >= 0 && now >= kill_at) {
                        (void) kill(-pid, SIGKILL);
                        kill_at = -1;
                        deadline = -1;
                }
                if (ip >= 0 && (p[ip].revents & (POLLOUT | POLLERR | POLLHUP))) {
                        ssize_t k = write_nosigpipe(in_w, o->stdin_data + in_done, o->stdin_size - in_done);
                        if (k < 0 && errno != EAGAIN && errno != EINTR)
                                in_w = safe_close(in_w); /* EPIPE: the child does not read it */
                        else if (k > 0)
                                in_done += (size_t) k;
                        if (in_done >= o->stdin_size)
                                in_w = safe_close(in_w);
                }
                if (op >= 0 && (p[op].revents & (POLLIN | POLLHUP | POLLERR))) {
                        r = capture_read(&out);
                        if (r < 0)
                                goto kill_child;
                        if (r > 0)
                                out.fd = out_r = safe_close(out_r);
                }
                if (ep >= 0 && (p[ep].revents & (POLLIN | POLLHUP | POLLERR))) {
                        r = capture_read(&err);
                        if (r < 0)
                                goto kill_child;
                        if (r > 0)
                                err.fd = err_r = safe_close(err_r);
                }
                if (p[0].revents & POLLIN)
                        exited = true;
        }

        if (waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED) < 0) {
                r = -errno;
                goto fail;
        }
        /* What the child wrote before exiting; a grandchild holding the pipe is not waited for. */
        if (out.fd >= 0 && capture_read(&out) < 0)
                goto fail_oom;
        if (err.fd >= 0 && capture_read(&err) < 0)
                goto fail_oom;

        *ret = (RunResult){
                .status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status,
                .signaled = si.si_code != CLD_EXITED,
                .timed_out = timed_out,
                .out = o->capture_stdout ? (out.buf ?: strdup("")) : NULL,
                .err = o->capture_stderr ? (err.buf ?: strdup("")) : NULL,
        };
        if ((o->capture_stdout && !ret->out) || (o->capture_stderr && !ret->err)) {
                run_result_done(ret);
                return -ENOMEM;
        }
        return 0;

fail_oom:
        r = -ENOMEM;
        goto fail;
kill_child:
        (void) kill(-pid, SIGKILL);
        (void) waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED);
fail:
        free(out.buf);
        free(err.buf);
        return r;
}

int run_simple(char *const argv[], char **ret_stdout, char **ret_error)
{
        RunOptions o = {
                .stdout_fd = -1,
                .stderr_fd = -1,
                .capture_stdout = !!ret_stdout,
                .capture_stderr = true,
                .capture_max = 16u * 1024u * 1024u,
                .search_path = true,
        };
        RunResult res = {};
        int r;

        r = run_command(argv, &o, &res);
        if (r < 0)
                return r;
        if (res.status != 0) {
                if (ret_error) {
                        char *s = strstrip(res.err), *nl = strchr(s, '\n');
                        if (nl)
                                *nl = 0;
                        if (isempty(s))
                                (void) asprintf(ret_error, "%s exited with status %d", argv[0], res.status);
                        else
                                *ret_error = strdup(s);
                }
                run_result_done(&res);
                return -EPROTO;
        }
        if (ret_stdout)
                *ret_stdout = TAKE_PTR(res.out);
        run_result_done(&res);
        return 0;
}
