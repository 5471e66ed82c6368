/* SPDX-License-Identifier: MIT */
#pragma once

#include "config.h"

/* The fault switch: a test-only way to make the executor die or an operation fail at a named
 * point, so that the tests can prove resume and rollback. Compiled only with
 * -Dfault_injection=true (FAULT_INJECTION in config.h); in other builds every call below is an
 * empty inline function and AZLMIGRATE_FAULT is ignored.
 *
 * AZLMIGRATE_FAULT holds one fault:
 *   kill:before:<step>        SIGKILL after the journal says <step> is running (its checkpoint
 *                             taken, its pre-hooks run) and before the step's code starts
 *   kill:after:<step>         SIGKILL after the step's code returned successfully and its writers
 *                             were closed (the image export stopped), before the journal says done
 *   kill:inside:<step>:<n>    SIGKILL when the step is about to make its write operation n + 1,
 *                             i.e. after n operations of its writers (counted by the writer
 *                             observer; in root mode the undo record of operation n + 1 is
 *                             already on disk). n = 0: before the first write.
 *   kill:checkpoint:<step>    SIGKILL in the middle of taking the checkpoint before <step>: the
 *                             journal names the checkpoint, its layer or undo directory exists
 *   kill:rollback:<n>         SIGKILL during a rollback, after n inverse operations (root mode)
 *                             or n discarded layers (image mode)
 *   kill:commit               SIGKILL after `commit` merged the layers into the source (or wrote
 *                             the output image) and before the journal says committed
 *   fail:<op>:<errno>         the operation <op> fails with that errno (a number or a name such
 *                             as EIO, ENOSPC), without doing anything
 * Operations for fail: (each the first thing the named function does)
 *   journal-write     journal_save()                 checkpoint-create  taking a checkpoint
 *   export-start      overlay_export_start()         export-stop        overlay_export_stop()
 *   undo-record       the undo observer              undo-replay        each inverse operation
 *   hook-spawn        starting a hook                layer-commit       overlay_commit()/_output()
 *   step-run          a step's run() (as if it failed) */

#if FAULT_INJECTION
/* Dies with SIGKILL if AZLMIGRATE_FAULT is "kill:" followed by where. */
void fault_point(const char *where);
/* The same with where = "<a>:<b>" or "<a>:<b>:<n>" (b may be NULL). */
void fault_pointf(const char *a, const char *b, long n);
/* Returns -errno if AZLMIGRATE_FAULT is "fail:<op>:<errno>", else 0. */
int fault_fail(const char *op);
#else
static inline void fault_point(const char *where)
{
}
static inline void fault_pointf(const char *a, const char *b, long n)
{
}
static inline int fault_fail(const char *op)
{
        return 0;
}
#endif
