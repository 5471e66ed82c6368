/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "disk/guest-write.h"
#include "disk/guest.h"
#include "journal.h"
#include "progress.h"
#include "shared/log.h"
#include "shared/macro.h"
#include "state.h"

/* The executor runs a plan's steps (STATE/plan.json) in order, from the journal:
 *   - a step the journal says is done (or skipped) is not run again;
 *   - before a step that mutates, its checkpoint (the plan's checkpoint_before) is taken: a qcow2
 *     layer in image mode, an undo archive in root mode. If the journal already has that
 *     checkpoint (an earlier attempt of the step was interrupted, failed or stopped by a hook),
 *     it is first discarded (the layer deleted, the undo replayed) so that the step reruns on
 *     exactly the state its checkpoint was taken on;
 *   - then the pre-hooks, the step, the post-hooks (hooks.h);
 *   - the journal is written before the step (running) and after it (done, failed, skipped).
 * Steps are functions registered by id; the executor gives them a StepContext and the helpers
 * below, through which they open the writers for the guest's filesystems: the right backend for
 * the mode (ext/fat on the FUSE export of the top layer, or the confined dir writer on the
 * mounted root with the undo journal as observer). A step never creates checkpoints, starts
 * exports or writes the journal itself. */

typedef struct StepContext StepContext;
typedef struct Executor Executor;

/* A step returns 0 when it did its work, EXEC_STEP_SKIPPED when there was nothing to do, or a
 * negative errno (ideally after exec_step_error(), which says why in the journal). */
#define EXEC_STEP_SKIPPED 1
typedef int (*ExecStepFn)(StepContext *c);

typedef struct ExecStep {
        const char *id;
        ExecStepFn run;
} ExecStep;

/* executor_run() returns it when a hook stopped the run (journal status "stopped"). */
#define EXEC_RUN_STOPPED 1

typedef void (*ExecLogFn)(LogLevel level, const char *step, const char *message, void *userdata);

/* Cluster mode: what a "record" checkpoint saves and how rollback restores it (the node-pool
 * code provides them). record() writes, to path, what restore() needs to bring back the state the
 * step (the plan's entry) is about to change; restore() brings it back and must be rerunnable
 * (after a crash in the middle, it runs again). rerun: the step is about to run again (an earlier
 * attempt was interrupted), rather than being rolled back: a step that cannot be undone but
 * can be finished (deleting a pool) may then leave its state as it is. Both return 0 or -errno, with
 * *ret_error saying why (caller frees). */
typedef struct ExecRecordOps {
        int (*record)(void *userdata, json_object *plan, json_object *step, const char *path,
                      char **ret_error);
        int (*restore)(void *userdata, json_object *plan, json_object *step, const char *path, bool rerun,
                       char **ret_error);
        void *userdata;
} ExecRecordOps;

typedef struct ExecOptions {
        const char *hooks_dir;        /* NULL: /etc/azlmigrate/hooks.d */
        unsigned hook_timeout_sec;    /* 0: 300 */
        unsigned hook_kill_after_sec; /* 0: 10 */
        ProgressFn progress;
        void *progress_userdata;
        ExecLogFn log; /* messages of the executor and the steps (also in STATE/logs/<step>.log) */
        void *log_userdata;
        char **overrides; /* finding keys the user overrides (--override KEY), for preflight */
        void *userdata;   /* handed to the steps as StepContext.userdata */
        const ExecRecordOps *record_ops; /* cluster mode: required to run or roll back */
} ExecOptions;

typedef struct ExecSource {
        SourceMode mode;
        const char *path;   /* the image, the device, the mounted root, or "RG/CLUSTER" */
        const char *format; /* image mode: raw, vhd, vhdx, qcow2, block (the inventory's names) */
} ExecSource;

/* What a step sees. Fields are read-only for the step, except bytes. */
struct StepContext {
        const char *step_id;
        unsigned index, count; /* 1-based position in the plan, number of steps */
        json_object *plan;     /* the whole plan */
        json_object *step;     /* the plan's entry for this step */
        const Journal *journal;
        SourceMode mode;
        bool mutates;           /* the plan says the step changes the disk: writers allowed */
        const char *checkpoint; /* the checkpoint taken before it, or NULL */
        const char *state_dir;
        const char *source;      /* the source's path (image, device or root) */
        const char *target;      /* the target tarball, or NULL */
        const char *export_path; /* image mode: the raw FUSE export of the top layer, else NULL */
        const char *root;        /* root mode: the mounted root, else NULL */
        char **overrides;
        void *userdata;
        int64_t bytes; /* set by the step: bytes it wrote (the journal's "bytes"); -1 */

        /* Private to the executor. */
        Executor *executor;
        GuestWriter *root_writer, *esp_writer;
        void *observer_root, *observer_esp;
        uint64_t writes;
        char *error;
        int log_fd;
        int guest_fd;
};

/* Opens (creating) the state directory and takes its lock for the executor's life: -EBUSY when
 * another process holds it. A journal that says running was left by a process that died: it is
 * marked interrupted (last_error names the step). */
int executor_open(const char *state_dir, const ExecOptions *o, Executor **ret);
Executor *executor_free(Executor *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(Executor *, executor_free);

/* The state directory (and through it the journal: NULL before executor_init()). */
StateDir *executor_state(Executor *e);

/* Registers the implementation of a step id (a later registration replaces an earlier one). */
int executor_register_step(Executor *e, const char *id, ExecStepFn run);
int executor_register_steps(Executor *e, const ExecStep *steps, size_t n);

/* Checks that the mode can run here (image mode: qemu-img, qemu-storage-daemon, /dev/fuse).
 * Returns 0 or -errno with a one-line reason (static string). */
int executor_check_mode(SourceMode mode, const char **ret_reason);

/* Starts a run: copies the plan to STATE/plan.json and writes a fresh journal (every step
 * pending; the target's sha256 recorded). Refuses (-EEXIST) when the state directory holds a run
 * that is neither committed nor rolled back to its start. -EBADMSG: the plan has no usable steps
 * (ids, mutates, checkpoint_before). */
int executor_init(Executor *e, json_object *plan, const ExecSource *src, const char *target,
                  const char *output);

/* Runs, or resumes, the run: returns 0 when every step is done, EXEC_RUN_STOPPED when a hook
 * stopped it, or a negative errno when a step failed (journal status failed, last_error says why)
 * or the run could not go on. -EALREADY: committed already. -ESTALE: the target tarball changed
 * since the run started. -EINPROGRESS: a rollback was interrupted (the journal's rolling_back);
 * only executor_rollback() goes on from there. */
int executor_run(Executor *e);

/* Rolls back to checkpoint to (NULL: the first, i.e. the source exactly as it was): discards
 * that checkpoint and every later one (layers deleted; undo archives replayed, newest first),
 * marks the steps from that checkpoint's on pending, status rolled-back, then runs the
 * post-rollback hooks. Rerunnable after a crash at any instant. -ENOENT: no such checkpoint in
 * the plan; -EALREADY: committed already. */
int executor_rollback(Executor *e, const char *to);

/* Makes the result permanent. Image mode: merges the layers into the source, or, with an output
 * (the argument, or the one given to executor_init(): not both, unless equal), writes the
 * converted disk to it as a new image and leaves the source untouched; then the layers are
 * deleted. Root mode: deletes the undo archives and /.azlmigrate/old (an output: -EOPNOTSUPP).
 * Requires status done (-EBUSY otherwise). The journal says committed before anything is
 * deleted; commit again after a crash finishes the cleanup. */
int executor_commit(Executor *e, const char *output);

/* For steps. */

/* The writer for the root filesystem (the mount "/" of the plan's inventory_summary), opened on
 * first use and closed (flushed) by the executor when the step returns; borrowed. -EROFS for a
 * step that does not mutate. Image mode: ext at the root partition's offset of the export; root
 * mode: the dir writer on the root, recording undo. */
int exec_open_root_writer(StepContext *c, GuestWriter **ret);
/* The same for the EFI system partition (the mount at /boot/efi): fat on the export in image mode,
 * the dir writer on ROOT/boot/efi (resolved inside the root) in root mode. -ENOENT: no ESP. */
int exec_open_esp_writer(StepContext *c, GuestWriter **ret);
/* A read-only Guest of the disk as the step starts (image: the export, "/" and /boot/efi
 * mounted; root: the root directory). Caller frees. It does not see what the step's writers
 * change until they are closed: read your own writes through guest_writer_fs(). */
int exec_open_guest(StepContext *c, Guest **ret);

/* Where a mount point of the plan's inventory_summary lies on the disk: the byte range of its
 * partition (disk.partitions[].start/size of mounts[].partition), or the whole disk for a
 * filesystem without a partition table. -ENOENT: no such mount; -EOPNOTSUPP: not on a partition
 * (LVM). */
int exec_mount_range(json_object *plan, const char *mountpoint, uint64_t *ret_offset, uint64_t *ret_size);

/* Logs for the step: STATE/logs/<step>.log and the ExecOptions log callback. */
void exec_log(StepContext *c, LogLevel level, const char *format, ...) _printf_(3, 4);
/* Progress of the step's work in bytes (total 0: unknown). */
void exec_progress_bytes(StepContext *c, uint64_t done, uint64_t total);
/* A finding the step made: logged as a warning and reported as a progress event with its key
 * (the keys are listed in docs/convert.md, "Progress"); the step decides whether it fails. */
void exec_finding(StepContext *c, const char *key, const char *severity, const char *format, ...)
        _printf_(4, 5);
/* Cluster mode: appends a command the step ran (an object as docs/journal.schema.json's
 * steps[].commands; ownership taken) to the step's entry in the journal and saves the journal.
 * Returns 0 or -errno. */
int exec_journal_command(StepContext *c, json_object *entry);
/* Records why the step fails (the journal's error and last_error); returns error (negative). */
int exec_step_error(StepContext *c, int error, const char *format, ...) _printf_(3, 4);
