/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* Hooks: executables the administrator puts into the hooks directory (--hooks-dir DIR, default
 * /etc/azlmigrate/hooks.d), one directory per phase and step:
 *   pre-<step>.d/      before the step (after its checkpoint): a failure stops the run there
 *   post-<step>.d/     after the step succeeded
 *   post-rollback.d/   after a rollback
 * Each directory's executables run one after the other in byte order of their names ("10-drain"
 * before "50-notify"); names starting with "." or ending in "~" are ignored, as are files that
 * are not executable. Each hook gets
 *   stdin        the JSON document the caller gives (the executor: the step, see hooks/README.md)
 *   stdout/err   STATE/logs/hook-<phase>-<step>-<name>.log (hook-post-rollback-<name>.log)
 *   environment  ours, plus AZLMIGRATE_STATE_DIR, AZLMIGRATE_STEP, AZLMIGRATE_PHASE
 *                (pre, post, post-rollback), AZLMIGRATE_SOURCE, AZLMIGRATE_CHECKPOINT (the
 *                checkpoint before the step, or rolled back to; empty when none) and in root
 *                mode AZLMIGRATE_GUEST_ROOT; AZLMIGRATE_FAULT removed
 *   a timeout    (default 300 s): then SIGTERM to its process group, SIGKILL 10 s later; a
 *                hook that timed out has failed
 * The first hook that fails (non-zero exit, signal, timeout) ends the phase. */

#define HOOKS_DIR_DEFAULT     "/etc/azlmigrate/hooks.d"
#define HOOKS_TIMEOUT_DEFAULT 300u

typedef struct HookOptions {
        const char *dir;         /* NULL: HOOKS_DIR_DEFAULT */
        unsigned timeout_sec;    /* 0: HOOKS_TIMEOUT_DEFAULT */
        unsigned kill_after_sec; /* 0: 10 */
        const char *state_dir;
        const char *log_dir;    /* where the logs go (STATE/logs) */
        const char *source;     /* the source's path */
        const char *guest_root; /* root mode: the mounted root; else NULL */
} HookOptions;

typedef struct HookFailure {
        char *name; /* the hook's file name (caller frees) */
        int status; /* its exit status, or 128 + signal */
        bool timed_out;
} HookFailure;

void hook_failure_done(HookFailure *f);

/* Runs the hooks of phase ("pre", "post" or "post-rollback") for step (NULL for post-rollback),
 * checkpoint (may be NULL) with input on their stdin. Returns 0 when every hook succeeded (or
 * there is none), 1 when one failed (*ret_failure filled in), or -errno when one could not be
 * started or its log not created. *ret_count (may be NULL): hooks run. */
int hooks_run(const HookOptions *o, const char *phase, const char *step, const char *checkpoint,
              const char *input, unsigned *ret_count, HookFailure *ret_failure);
