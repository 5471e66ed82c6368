/* SPDX-License-Identifier: MIT */
#pragma once

#include <getopt.h>
#include <stdbool.h>

#include "exec/executor.h"
#include "exec/progress.h"

/* What the verbs that work on a run (status, rollback, commit; convert, apply, resume) share:
 * the state directory, confirmation, hooks and progress options, and opening the executor with
 * errors said once, in words. */

typedef enum CliProgress {
        CLI_PROGRESS_AUTO, /* JSON lines with --progress-fd, else a bar when stderr is a terminal */
        CLI_PROGRESS_JSON, /* JSON lines on --progress-fd, or stdout */
        CLI_PROGRESS_BAR,  /* a progress line on stderr (only if it is a terminal) */
        CLI_PROGRESS_NONE,
} CliProgress;

typedef struct CliExec {
        const char *state_dir;
        bool yes;
        const char *hooks_dir;
        unsigned hook_timeout; /* 0: the default */
        int progress_fd;       /* -1: not given */
        CliProgress progress;  /* --progress */
        ProgressNdjson ndjson;
        ProgressBar bar;
        bool use_bar;
        char **overrides;                /* finding keys overridden for preflight (borrowed) */
        void *userdata;                  /* handed to the steps (ExecOptions.userdata) */
        const ExecRecordOps *record_ops; /* cluster mode (ExecOptions.record_ops) */
} CliExec;

#define CLI_EXEC_INIT             \
        {                         \
                .progress_fd = -1 \
        }

enum {
        CLI_ARG_STATE_DIR = 0x200,
        CLI_ARG_YES,
        CLI_ARG_HOOKS_DIR,
        CLI_ARG_HOOK_TIMEOUT,
        CLI_ARG_PROGRESS_FD,
        CLI_ARG_PROGRESS,
        _CLI_EXEC_ARG_MAX,
};

/* clang-format off */
#define CLI_OPTION_STATE_DIR    { "state-dir", required_argument, NULL, CLI_ARG_STATE_DIR }
#define CLI_OPTION_YES          { "yes", no_argument, NULL, CLI_ARG_YES }
#define CLI_OPTION_HOOKS_DIR    { "hooks-dir", required_argument, NULL, CLI_ARG_HOOKS_DIR }
#define CLI_OPTION_HOOK_TIMEOUT { "hook-timeout", required_argument, NULL, CLI_ARG_HOOK_TIMEOUT }
#define CLI_OPTION_PROGRESS_FD  { "progress-fd", required_argument, NULL, CLI_ARG_PROGRESS_FD }, \
                                { "progress", required_argument, NULL, CLI_ARG_PROGRESS }
/* clang-format on */

/* Help lines of those options, aligned like the other verbs' (22 columns). */
#define CLI_HELP_STATE_DIR \
        "      --state-dir DIR   the run's state directory (plan, journal, checkpoints, logs)\n"
#define CLI_HELP_YES                                                                          \
        "      --yes             do not ask for confirmation (required when stdin is not a\n" \
        "                        terminal)\n"
#define CLI_HELP_HOOKS                                                                                   \
        "      --hooks-dir DIR   hooks to run (default: /etc/azlmigrate/hooks.d; see hooks/README.md)\n" \
        "      --hook-timeout S  seconds a hook may run before it is stopped (default: 300)\n"
#define CLI_HELP_PROGRESS_FD                                                                    \
        "      --progress MODE   json: one JSON event per line (step-start, step-end, bytes,\n" \
        "                        checkpoint, finding, error) on stdout or --progress-fd;\n"     \
        "                        bar: a progress line on stderr (a terminal); none\n"           \
        "                        (default: json with --progress-fd, else bar on a terminal)\n"  \
        "      --progress-fd N   the file descriptor for --progress json\n"

/* For the default branch of a verb's getopt_long() loop: takes the options above. Returns 0 if
 * it took c, else EXIT_USAGE after printing why. */
int cli_exec_option(CliExec *x, const char *verb, int c, const char *arg, char *argv[]);

/* Checks --state-dir was given; EXIT_USAGE after printing why. */
int cli_exec_require_state_dir(const CliExec *x, const char *verb);
/* After the getopt_long() loop of a verb that takes no arguments: none is left (optind), and
 * --state-dir was given. Returns 0, or EXIT_USAGE after printing why. */
int cli_exec_check_args(const CliExec *x, const char *verb, int argc, char *argv[]);

/* A mutating verb asks before it acts: with --yes, goes on (0); when stdin is not a terminal,
 * refuses (EXIT_USAGE, saying --yes is needed); else asks question on the terminal: 0 for yes,
 * EXIT_ERROR for anything else. */
int cli_exec_confirm(const char *verb, bool yes, const char *question);

/* Executor options with the progress sink (NDJSON on --progress-fd, or the bar on a terminal)
 * and the log callback (stderr). */
void cli_exec_options(CliExec *x, ExecOptions *ret);
/* Ends the progress line, if one is drawn. */
void cli_exec_finish(CliExec *x);

/* Opens the executor on the state directory; logs why not (another process holds the lock: its
 * pid; no such directory; a journal that is not one). Returns 0 or EXIT_ERROR. */
int cli_exec_open(CliExec *x, const char *verb, bool create, Executor **ret);
