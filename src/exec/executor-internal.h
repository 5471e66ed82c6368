/* SPDX-License-Identifier: MIT */
#pragma once

#include "executor.h"
#include "undo.h"

/* Shared between executor.c (the run, rollback, commit) and exec-context.c (the helpers steps
 * use). Not for steps. */

typedef struct Executor {
        StateDir *state;
        ExecOptions opts;
        ExecStep *steps; /* registered; ids owned */
        size_t n_steps;
        Undo *undo; /* root mode: the running step's checkpoint, recording */
        unsigned rollback_ops;
        char *restore_error; /* cluster mode: why the last record could not be restored */
} Executor;

/* Closes the writers a step opened (flushing); returns the first error. */
int exec_context_close_writers(StepContext *c);
/* Frees what the context holds (writers unflushed, the log). */
void exec_context_done(StepContext *c);

/* Logs through the options' callback only. */
void executor_log(Executor *e, LogLevel level, const char *step, const char *format, ...) _printf_(4, 5);
