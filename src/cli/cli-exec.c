/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/state.h"
#include "shared/log.h"
#include "shared/string-util.h"
#include "cli-exec.h"
#include "verbs.h"

static int parse_uint(const char *s, unsigned max, unsigned *ret)
{
        char *end = NULL;
        unsigned long v;

        if (isempty(s) || s[0] == '-')
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || *end || v > max)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

int cli_exec_option(CliExec *x, const char *verb, int c, const char *arg, char *argv[])
{
        unsigned v;

        switch (c) {
        case CLI_ARG_STATE_DIR:
                x->state_dir = arg;
                return 0;
        case CLI_ARG_YES:
                x->yes = true;
                return 0;
        case CLI_ARG_HOOKS_DIR:
                x->hooks_dir = arg;
                return 0;
        case CLI_ARG_HOOK_TIMEOUT:
                if (parse_uint(arg, 7 * 24 * 3600, &v) < 0 || v == 0)
                        return usage_error(
                                verb, "--hook-timeout takes a number of seconds (1 or more), not '%s'", arg);
                x->hook_timeout = v;
                return 0;
        case CLI_ARG_PROGRESS_FD:
                if (parse_uint(arg, 1u << 20, &v) < 0)
                        return usage_error(verb, "--progress-fd takes a file descriptor number, not '%s'",
                                           arg);
                if (fcntl((int) v, F_GETFL) < 0)
                        return usage_error(verb, "--progress-fd %u: no such open file descriptor", v);
                x->progress_fd = (int) v;
                return 0;
        case CLI_ARG_PROGRESS:
                if (streq(arg, "json"))
                        x->progress = CLI_PROGRESS_JSON;
                else if (streq(arg, "bar"))
                        x->progress = CLI_PROGRESS_BAR;
                else if (streq(arg, "none"))
                        x->progress = CLI_PROGRESS_NONE;
                else
                        return usage_error(verb, "--progress takes json, bar or none, not '%s'", arg);
                return 0;
        default:
                return getopt_usage_error(verb, c, argv);
        }
}

int cli_exec_require_state_dir(const CliExec *x, const char *verb)
{
        if (isempty(x->state_dir))
                return usage_error(verb, "--state-dir DIR is required");
        return 0;
}

int cli_exec_check_args(const CliExec *x, const char *verb, int argc, char *argv[])
{
        if (optind < argc)
                return usage_error(verb, "unexpected argument '%s'", argv[optind]);
        return cli_exec_require_state_dir(x, verb);
}

int cli_exec_confirm(const char *verb, bool yes, const char *question)
{
        char *line = NULL;
        size_t n = 0;
        bool ok;

        if (yes)
                return 0;
        if (!isatty(STDIN_FILENO))
                return usage_error(verb, "stdin is not a terminal: confirm with --yes");
        fprintf(stderr, "%s [y/N] ", question);
        fflush(stderr);
        ok = getline(&line, &n, stdin) > 0 && (line[0] == 'y' || line[0] == 'Y');
        free(line);
        if (!ok) {
                log_error("Not confirmed: nothing was done.");
                return EXIT_ERROR;
        }
        return 0;
}

static void log_cb(LogLevel level, const char *step, const char *message, void *userdata)
{
        CliExec *x = userdata;

        if (level > LOG_LEVEL_INFO && log_get_max_level() < LOG_LEVEL_DEBUG)
                return;
        if (x->use_bar)
                progress_bar_finish(&x->bar);
        if (step)
                (void) log_internal(level, 0, "%s: %s", step, message);
        else
                (void) log_internal(level, 0, "%s", message);
}

void cli_exec_options(CliExec *x, ExecOptions *ret)
{
        CliProgress mode = x->progress;

        *ret = (ExecOptions){
                .hooks_dir = x->hooks_dir,
                .hook_timeout_sec = x->hook_timeout,
                .log = log_cb,
                .log_userdata = x,
                .overrides = x->overrides,
                .userdata = x->userdata,
                .record_ops = x->record_ops,
        };
        if (mode == CLI_PROGRESS_AUTO)
                mode = x->progress_fd >= 0 ? CLI_PROGRESS_JSON : CLI_PROGRESS_BAR;
        if (mode == CLI_PROGRESS_JSON) {
                /* A reader that goes away must not kill the conversion. */
                (void) signal(SIGPIPE, SIG_IGN);
                x->ndjson = (ProgressNdjson){ .fd = x->progress_fd >= 0 ? x->progress_fd : STDOUT_FILENO };
                ret->progress = progress_ndjson;
                ret->progress_userdata = &x->ndjson;
        } else if (mode == CLI_PROGRESS_BAR && isatty(STDERR_FILENO)) {
                x->bar = (ProgressBar){ .fd = STDERR_FILENO };
                x->use_bar = true;
                ret->progress = progress_bar;
                ret->progress_userdata = &x->bar;
        }
}

void cli_exec_finish(CliExec *x)
{
        if (x->use_bar)
                progress_bar_finish(&x->bar);
}

int cli_exec_open(CliExec *x, const char *verb, bool create, Executor **ret)
{
        ExecOptions o;
        int r;

        if (!create && access(x->state_dir, F_OK) < 0) {
                log_error("No run in '%s': the directory does not exist.", x->state_dir);
                return EXIT_ERROR;
        }
        cli_exec_options(x, &o);
        r = executor_open(x->state_dir, &o, ret);
        if (r == -EBUSY) {
                _cleanup_(state_freep) StateDir *s = NULL;
                pid_t pid = 0;
                if (state_open(x->state_dir, 0, &s) >= 0)
                        (void) state_lock_holder(s->dir_fd, &pid);
                if (pid > 0)
                        log_error("Another azlmigrate process (pid %d) is working on '%s'; wait for it "
                                  "('azlmigrate status --state-dir %s').",
                                  (int) pid, x->state_dir, x->state_dir);
                else
                        log_error("Another azlmigrate process is working on '%s'.", x->state_dir);
                return EXIT_ERROR;
        }
        if (r == -EBADMSG) {
                log_error("'%s/journal.json' is not an azlmigrate journal (schema azlmigrate/journal/v1).",
                          x->state_dir);
                return EXIT_ERROR;
        }
        if (r < 0) {
                log_error_errno(r, "Cannot open the state directory '%s': %m", x->state_dir);
                return EXIT_ERROR;
        }
        if (!create && !executor_state(*ret)->journal) {
                log_error("No run in '%s': there is no journal.json.", x->state_dir);
                *ret = executor_free(*ret);
                return EXIT_ERROR;
        }
        return 0;
}
