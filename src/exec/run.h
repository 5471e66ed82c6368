/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/macro.h"

/* Running a helper program (qemu-img, qemu-storage-daemon, fusermount3, hooks) with
 * posix_spawn(): no shell, no inherited descriptors beyond 0-2, default signal dispositions,
 * its own process group (a timeout kills what it started too). */

typedef struct RunOptions {
        const char *stdin_data; /* written to the child's stdin through a pipe; NULL: /dev/null */
        size_t stdin_size;
        int stdout_fd;       /* >= 0: the child's stdout goes there */
        int stderr_fd;       /* >= 0: the child's stderr goes there */
        bool capture_stdout; /* else (and stdout_fd < 0): /dev/null */
        bool capture_stderr;
        size_t capture_max;      /* bytes kept of each captured stream (0: 1 MiB); the rest is read
                                  * and dropped */
        char **env;              /* NULL: our environment */
        bool search_path;        /* argv[0] looked up in PATH */
        unsigned timeout_sec;    /* 0: none; then SIGTERM to the process group, then SIGKILL */
        unsigned kill_after_sec; /* after SIGTERM (0: 10) */
} RunOptions;

typedef struct RunResult {
        int status; /* exit status, or 128 + signal number */
        bool signaled;
        bool timed_out;
        char *out; /* captured stdout (NUL-terminated), or NULL */
        char *err; /* captured stderr, or NULL */
} RunResult;

void run_result_done(RunResult *r);

/* Runs argv to completion. Returns 0 when the program ran (whatever its exit status: see
 * ret->status), -ENOENT when it does not exist, or -errno. ret is filled in on success only. */
int run_command(char *const argv[], const RunOptions *o, RunResult *ret);

/* Runs argv and captures its output; returns 0 if it exited 0, -EPROTO if it failed (the first
 * line of its stderr in *ret_error, if given: caller frees), or -errno. */
int run_simple(char *const argv[], char **ret_stdout, char **ret_error);

/* An environment: a copy of base (NULL: environ) with each "NAME=value" of set replacing the
 * variable of that name. Returns 0 or -ENOMEM. */
int run_env_build(char **base, char *const *set, char ***ret);
