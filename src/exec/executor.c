/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "exec-fs.h"
#include "executor-internal.h"
#include "fault.h"
#include "hooks.h"
#include "overlay.h"
#include "shared/fd-util.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"

/* A step of the plan, as the executor needs it (strings borrowed from the plan). */
typedef struct PlanStep {
        const char *id;
        bool mutates;
        const char *checkpoint; /* NULL when the step takes none */
        json_object *json;
} PlanStep;

static double now_s(void)
{
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void emit(Executor *e, const ProgressEvent *ev)
{
        if (e->opts.progress)
                e->opts.progress(ev, e->opts.progress_userdata);
}

int executor_open(const char *state_dir, const ExecOptions *o, Executor **ret)
{
        _cleanup_(executor_freep) Executor *e = NULL;
        Journal *j;
        int r;

        e = calloc(1, sizeof(Executor));
        if (!e)
                return -ENOMEM;
        if (o)
                e->opts = *o;
        r = state_open(state_dir, STATE_OPEN_CREATE | STATE_OPEN_LOCK, &e->state);
        if (r < 0)
                return r;
        j = e->state->journal;
        if (j && j->status == JOURNAL_RUNNING) {
                /* We hold the lock, so the process that wrote "running" is gone: say so. */
                const char *step = NULL;
                for (size_t i = 0; i < j->n_steps; i++)
                        if (j->steps[i].state == STEP_RUNNING)
                                step = j->steps[i].id;
                j->status = JOURNAL_INTERRUPTED;
                if (!j->last_error && (step ? journal_set_error(j, "interrupted during step %s", step)
                                            : journal_set_error(j, "interrupted between steps")) < 0)
                        return -ENOMEM;
                r = state_save(e->state);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(e);
        return 0;
}

Executor *executor_free(Executor *e)
{
        if (!e)
                return NULL;
        undo_free(e->undo);
        free(e->restore_error);
        for (size_t i = 0; i < e->n_steps; i++)
                free((char *) e->steps[i].id);
        free(e->steps);
        state_free(e->state);
        free(e);
        return NULL;
}

StateDir *executor_state(Executor *e)
{
        return e->state;
}

int executor_register_step(Executor *e, const char *id, ExecStepFn run)
{
        ExecStep *n;
        char *copy;

        if (!journal_id_valid(id) || !run)
                return -EINVAL;
        for (size_t i = 0; i < e->n_steps; i++)
                if (streq(e->steps[i].id, id)) {
                        e->steps[i].run = run;
                        return 0;
                }
        copy = strdup(id);
        n = reallocarray(e->steps, e->n_steps + 1, sizeof(ExecStep));
        if (!copy || !n) {
                free(copy);
                if (n)
                        e->steps = n;
                return -ENOMEM;
        }
        e->steps = n;
        e->steps[e->n_steps++] = (ExecStep){ .id = copy, .run = run };
        return 0;
}

int executor_register_steps(Executor *e, const ExecStep *steps, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                int r = executor_register_step(e, steps[i].id, steps[i].run);
                if (r < 0)
                        return r;
        }
        return 0;
}

static ExecStepFn find_impl(Executor *e, const char *id)
{
        for (size_t i = 0; i < e->n_steps; i++)
                if (streq(e->steps[i].id, id))
                        return e->steps[i].run;
        return NULL;
}

int executor_check_mode(SourceMode mode, const char **ret_reason)
{
        if (mode == SOURCE_MODE_ROOT || mode == SOURCE_MODE_CLUSTER)
                return 0;
        if (mode != SOURCE_MODE_IMAGE) {
                *ret_reason = "unknown source mode";
                return -EINVAL;
        }
        return overlay_available(ret_reason);
}

/* The plan's steps. Returns -EBADMSG for a plan the executor cannot run. */
static int plan_steps(json_object *plan, PlanStep **ret, size_t *ret_n)
{
        json_object *steps = json_get(plan, "steps");
        _cleanup_free_ PlanStep *l = NULL;
        size_t n;

        if (!json_object_is_type(steps, json_type_array) || json_object_array_length(steps) == 0)
                return -EBADMSG;
        n = json_object_array_length(steps);
        l = calloc(n, sizeof(PlanStep));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *s = json_object_array_get_idx(steps, i), *m = json_get(s, "mutates");
                l[i] = (PlanStep){ .id = json_get_str(s, "id"),
                                   .checkpoint = json_get_str(s, "checkpoint_before"),
                                   .json = s };
                if (!journal_id_valid(l[i].id) || !json_object_is_type(m, json_type_boolean))
                        return -EBADMSG;
                l[i].mutates = json_object_get_boolean(m);
                if (l[i].mutates && !journal_id_valid(l[i].checkpoint))
                        return -EBADMSG;
                if (!l[i].mutates)
                        l[i].checkpoint = NULL;
                for (size_t k = 0; k < i; k++)
                        if (streq(l[k].id, l[i].id) ||
                            (l[i].checkpoint && streq_ptr(l[k].checkpoint, l[i].checkpoint)))
                                return -EBADMSG;
        }
        *ret = TAKE_PTR(l);
        *ret_n = n;
        return 0;
}

/* The run's plan (plan.json) and its steps, which borrow from it. */
static int read_plan(Executor *e, json_object **ret_plan, PlanStep **ret_steps, size_t *ret_n)
{
        _cleanup_json_ json_object *plan = NULL;
        int r;

        r = state_read_plan(e->state, &plan);
        if (r < 0)
                return r;
        r = plan_steps(plan, ret_steps, ret_n);
        if (r < 0)
                return r;
        *ret_plan = TAKE_PTR(plan);
        return 0;
}

static int sha256_file(const char *path, char **ret)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        unsigned char md[EVP_MAX_MD_SIZE], buf[1 << 16];
        unsigned len = 0;
        EVP_MD_CTX *ctx;
        char *hex;
        int r = 0;

        if (fd < 0)
                return -errno;
        ctx = EVP_MD_CTX_new();
        if (!ctx)
                return -ENOMEM;
        if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
                r = -EIO;
        while (r == 0) {
                ssize_t k = read(fd, buf, sizeof buf);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (k == 0)
                        break;
                if (EVP_DigestUpdate(ctx, buf, (size_t) k) != 1)
                        r = -EIO;
        }
        if (r == 0 && EVP_DigestFinal_ex(ctx, md, &len) != 1)
                r = -EIO;
        EVP_MD_CTX_free(ctx);
        if (r < 0)
                return r;
        hex = malloc(7 + 2 * len + 1);
        if (!hex)
                return -ENOMEM;
        strcpy(hex, "sha256:");
        for (unsigned i = 0; i < len; i++)
                sprintf(hex + 7 + 2 * i, "%02x", md[i]);
        *ret = hex;
        return 0;
}

int executor_init(Executor *e, json_object *plan, const ExecSource *src, const char *target,
                  const char *output)
{
        _cleanup_(journal_freep) Journal *j = NULL;
        _cleanup_free_ PlanStep *steps = NULL;
        _cleanup_free_ char *source = NULL, *sha = NULL, *tabs = NULL, *oabs = NULL;
        _cleanup_strv_free_ char **ids = NULL;
        const Journal *old = e->state->journal;
        size_t n;
        int r;

        if (old && old->status != JOURNAL_COMMITTED &&
            !(old->status == JOURNAL_ROLLED_BACK && old->n_checkpoints == 0))
                return -EEXIST;
        if (!src || !src->path)
                return -EINVAL;
        if (src->mode == SOURCE_MODE_IMAGE && !overlay_qemu_format(src->format))
                return -EMEDIUMTYPE;
        if (src->mode == SOURCE_MODE_ROOT && output)
                return -EOPNOTSUPP;
        r = plan_steps(plan, &steps, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (strv_extend(&ids, steps[i].id) < 0)
                        return -ENOMEM;
        source = src->mode == SOURCE_MODE_CLUSTER ? strdup(src->path) : realpath(src->path, NULL);
        if (!source)
                return -errno;
        if (src->mode == SOURCE_MODE_CLUSTER && output)
                return -EOPNOTSUPP;
        if (target) {
                tabs = realpath(target, NULL);
                if (!tabs)
                        return -errno;
                r = sha256_file(tabs, &sha);
                if (r < 0)
                        return r;
        }
        if (output) {
                /* Absolute, so that commit finds it from any directory. */
                if (output[0] == '/')
                        oabs = strdup(output);
                else {
                        _cleanup_free_ char *cwd = getcwd(NULL, 0);
                        oabs = cwd ? path_join(cwd, output) : NULL;
                }
                if (!oabs)
                        return -ENOMEM;
                if (!overlay_output_format(oabs, NULL))
                        return -EPROTONOSUPPORT;
        }
        r = journal_new(src->mode, source, src->mode == SOURCE_MODE_IMAGE ? src->format : NULL, tabs, sha,
                        oabs, ids, &j);
        if (r < 0)
                return r;

        /* Leftovers of an earlier, finished run. */
        (void) state_remove(e->state, STATE_LAYERS);
        (void) state_remove(e->state, STATE_UNDO);
        (void) state_remove(e->state, STATE_RECORDS);
        r = state_write_plan(e->state, plan);
        if (r < 0)
                return r;
        journal_free(e->state->journal);
        e->state->journal = TAKE_PTR(j);
        return state_save(e->state);
}

/* Checkpoints. */

static int checkpoint_rel(const char *id, CheckpointType kind, char **ret)
{
        if (kind == CHECKPOINT_OVERLAY)
                return asprintf(ret, STATE_LAYERS "/%s.qcow2", id) < 0 ? -ENOMEM : 0;
        if (kind == CHECKPOINT_RECORD)
                return asprintf(ret, STATE_RECORDS "/%s.json", id) < 0 ? -ENOMEM : 0;
        return asprintf(ret, STATE_UNDO "/%s", id) < 0 ? -ENOMEM : 0;
}

static int64_t checkpoint_bytes(Executor *e, const JournalCheckpoint *cp)
{
        int64_t b = -1;

        if (cp->kind == CHECKPOINT_OVERLAY) {
                if (overlay_layer_bytes(e->state, cp->id, &b) < 0)
                        return -1;
                return b;
        }
        return disk_usage_at(e->state->dir_fd, cp->path);
}

static int open_undo_dir(Executor *e)
{
        if (mkdirat(e->state->dir_fd, STATE_UNDO, 0700) < 0 && errno != EEXIST)
                return -errno;
        return fsync_dir_fd(e->state->dir_fd);
}

/* Undoes and removes the newest checkpoint of the journal (layer deleted, or undo replayed) and
 * resets the steps from its step on to pending. The journal is saved after each. */
static int discard_newest(Executor *e, json_object *plan, PlanStep *steps, size_t n, const char *why)
{
        Journal *j = e->state->journal;
        JournalCheckpoint *cp = &j->checkpoints[j->n_checkpoints - 1];
        _cleanup_free_ char *id = strdup(cp->id), *before = strdup(cp->before_step), *dir = NULL,
                            *trash = NULL;
        double t0 = now_s();
        bool reset = false;
        int r;

        if (!id || !before)
                return -ENOMEM;
        if (cp->kind == CHECKPOINT_OVERLAY) {
                r = overlay_layer_discard(e->state, id);
                if (r < 0)
                        return r;
                e->rollback_ops++;
                fault_pointf("rollback", NULL, (long) e->rollback_ops);
        } else if (cp->kind == CHECKPOINT_RECORD) {
                _cleanup_free_ char *err = NULL;
                json_object *step = NULL;
                const ExecRecordOps *ops = e->opts.record_ops;

                for (size_t i = 0; i < n; i++)
                        if (streq(steps[i].id, before))
                                step = steps[i].json;
                if (!ops || !ops->restore)
                        return -EOPNOTSUPP;
                dir = state_path(e->state, cp->path);
                if (!dir)
                        return -ENOMEM;
                /* A record that was never written (a crash while taking it): nothing changed yet. */
                if (access(dir, F_OK) == 0) {
                        r = ops->restore(ops->userdata, plan, step, dir, !streq(why, "rolled-back"), &err);
                        if (r < 0) {
                                executor_log(e, LOG_LEVEL_ERROR, before, "Cannot restore checkpoint %s: %s",
                                             id, err ?: strerror(-r));
                                free(e->restore_error);
                                e->restore_error = TAKE_PTR(err);
                                return r;
                        }
                }
                e->rollback_ops++;
                fault_pointf("rollback", NULL, (long) e->rollback_ops);
                (void) unlinkat(e->state->dir_fd, cp->path, 0);
                dir = mfree(dir);
        } else {
                dir = state_path(e->state, cp->path);
                if (!dir || asprintf(&trash, STATE_UNDO "/.discard-%s", id) < 0)
                        return -ENOMEM;
                r = undo_replay(dir, j->source_path, &e->rollback_ops);
                if (r < 0)
                        return r;
                /* Replayed: move it aside atomically, so that a crash from here on never replays it
                 * again, then forget it. */
                (void) state_remove(e->state, trash);
                if (renameat(e->state->dir_fd, cp->path, e->state->dir_fd, trash) < 0 && errno != ENOENT)
                        return -errno;
                r = open_undo_dir(e);
                if (r < 0)
                        return r;
        }
        journal_truncate_checkpoints(j, j->n_checkpoints - 1);
        for (size_t i = 0; i < n; i++) {
                JournalStep *s = journal_find_step(j, steps[i].id);
                if (streq(steps[i].id, before))
                        reset = true;
                if (reset && s)
                        journal_step_reset(s);
        }
        r = state_save(e->state);
        if (r < 0)
                return r;
        if (trash)
                (void) state_remove(e->state, trash);
        executor_log(e, LOG_LEVEL_INFO, before, "Checkpoint %s %s", id, why);
        emit(e, &(ProgressEvent){ .type = PROGRESS_CHECKPOINT,
                                  .step = before,
                                  .checkpoint = id,
                                  .state = why,
                                  .seconds = now_s() - t0 });
        return 0;
}

static int create_checkpoint(Executor *e, json_object *plan, const PlanStep *ps, char **ret_error)
{
        Journal *j = e->state->journal;
        CheckpointType kind = j->mode == SOURCE_MODE_IMAGE     ? CHECKPOINT_OVERLAY
                              : j->mode == SOURCE_MODE_CLUSTER ? CHECKPOINT_RECORD
                                                               : CHECKPOINT_UNDO_ARCHIVE;
        _cleanup_free_ char *rel = NULL, *dir = NULL;
        JournalCheckpoint *cp;
        double t0 = now_s();
        int r;

        r = fault_fail("checkpoint-create");
        if (r < 0)
                return r;
        r = checkpoint_rel(ps->checkpoint, kind, &rel);
        if (r < 0)
                return r;
        /* The journal names the checkpoint before it exists: after a crash in between, the next
         * run discards whatever part of it was made. */
        if (!journal_add_checkpoint(j, ps->checkpoint, ps->id, kind, rel))
                return -ENOMEM;
        r = state_save(e->state);
        if (r < 0)
                return r;
        if (kind == CHECKPOINT_OVERLAY) {
                r = overlay_layer_create(e->state, ps->checkpoint, ret_error);
                if (r < 0)
                        return r;
                fault_pointf("checkpoint", ps->id, -1);
        } else if (kind == CHECKPOINT_RECORD) {
                const ExecRecordOps *ops = e->opts.record_ops;
                if (!ops || !ops->record)
                        return -EOPNOTSUPP;
                if (mkdirat(e->state->dir_fd, STATE_RECORDS, 0700) < 0 && errno != EEXIST)
                        return -errno;
                dir = state_path(e->state, rel);
                if (!dir)
                        return -ENOMEM;
                r = ops->record(ops->userdata, plan, ps->json, dir, ret_error);
                if (r < 0)
                        return r;
                fault_pointf("checkpoint", ps->id, -1);
        } else {
                r = open_undo_dir(e);
                if (r < 0)
                        return r;
                dir = state_path(e->state, rel);
                if (!dir)
                        return -ENOMEM;
                (void) state_remove(e->state, rel); /* a leftover of a crash before this record */
                r = undo_begin(dir, j->source_path, &e->undo);
                if (r < 0)
                        return r;
                fault_pointf("checkpoint", ps->id, -1);
        }
        cp = journal_find_checkpoint(j, ps->checkpoint);
        cp->seconds = now_s() - t0;
        cp->bytes = checkpoint_bytes(e, cp);
        r = state_save(e->state);
        if (r < 0)
                return r;
        emit(e, &(ProgressEvent){ .type = PROGRESS_CHECKPOINT,
                                  .step = ps->id,
                                  .checkpoint = ps->checkpoint,
                                  .state = "created",
                                  .done = cp->bytes > 0 ? (uint64_t) cp->bytes : 0,
                                  .seconds = cp->seconds });
        return 0;
}

/* Hooks. */

static int hook_input(Executor *e, json_object *plan, const char *phase, json_object *step,
                      const char *checkpoint, json_object *extra, char **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *src;
        const Journal *j = e->state->journal;
        const char *s;

        src = json_object_new_object();
        if (!o || json_add_str(o, "schema", "azlmigrate/hook/v1") < 0 ||
            json_add_str(o, "phase", phase) < 0 ||
            json_add(o, "step", step ? json_object_get(step) : NULL) < 0 ||
            json_add_str(o, "checkpoint", checkpoint) < 0 ||
            json_add_str(o, "state_dir", e->state->path) < 0 || json_add(o, "source", src) < 0 || !src ||
            json_add_str(src, "mode", source_mode_to_string(j->mode)) < 0 ||
            json_add_str(src, "path", j->source_path) < 0 ||
            json_add_str(src, "format", j->source_format) < 0 ||
            json_add_str(o, "target", j->target_path) < 0 ||
            json_add(o, "inventory_summary",
                     plan ? json_object_get(json_get(plan, "inventory_summary")) : NULL) < 0)
                return -ENOMEM;
        if (extra) {
                json_object_object_foreach(extra, k, v) {
                        if (json_add(o, k, json_object_get(v)) < 0)
                                return -ENOMEM;
                }
        }
        s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        *ret = s ? strdup(s) : NULL;
        return *ret ? 0 : -ENOMEM;
}

static int run_hooks(Executor *e, json_object *plan, const char *phase, const PlanStep *ps,
                     const char *checkpoint, json_object *extra, HookFailure *ret_failure)
{
        _cleanup_free_ char *input = NULL, *logs = state_path(e->state, STATE_LOGS);
        const Journal *j = e->state->journal;
        HookOptions ho = {
                .dir = e->opts.hooks_dir,
                .timeout_sec = e->opts.hook_timeout_sec,
                .kill_after_sec = e->opts.hook_kill_after_sec,
                .state_dir = e->state->path,
                .log_dir = logs,
                .source = j->source_path,
                .guest_root = j->mode == SOURCE_MODE_ROOT ? j->source_path : NULL,
        };
        int r;

        if (!logs)
                return -ENOMEM;
        r = hook_input(e, plan, phase, ps ? ps->json : NULL, checkpoint, extra, &input);
        if (r < 0)
                return r;
        return hooks_run(&ho, phase, ps ? ps->id : NULL, checkpoint, input, NULL, ret_failure);
}

static const char *last_checkpoint_id(const Journal *j)
{
        return j->n_checkpoints > 0 ? j->checkpoints[j->n_checkpoints - 1].id : NULL;
}

static int stop_run(Executor *e, const char *phase, const PlanStep *ps, const HookFailure *f)
{
        Journal *j = e->state->journal;
        int r;

        j->status = JOURNAL_STOPPED;
        if (journal_set_str(&j->stopped_at, last_checkpoint_id(j)) < 0 ||
            journal_set_error(j, "%s-hook '%s' of step %s %s %d", phase, f->name, ps->id,
                              f->timed_out ? "timed out; status" : "failed with status", f->status) < 0)
                return -ENOMEM;
        r = state_save(e->state);
        if (r < 0)
                return r;
        executor_log(e, LOG_LEVEL_WARNING, ps->id, "%s", j->last_error);
        emit(e, &(ProgressEvent){
                        .type = PROGRESS_ERROR, .step = ps->id, .message = j->last_error, .seconds = -1 });
        return EXEC_RUN_STOPPED;
}

/* Runs one step: export or undo, the function, closing. Returns the step's result. */
static int run_step(Executor *e, json_object *plan, const PlanStep *ps, unsigned index, unsigned count,
                    StepContext *c)
{
        Journal *j = e->state->journal;
        _cleanup_free_ char *export = NULL, *err = NULL;
        ExecStepFn fn = find_impl(e, ps->id);
        int r, k;

        *c = (StepContext){
                .step_id = ps->id,
                .index = index,
                .count = count,
                .plan = plan,
                .step = ps->json,
                .journal = j,
                .mode = j->mode,
                .mutates = ps->mutates,
                .checkpoint = ps->checkpoint,
                .state_dir = e->state->path,
                .source = j->source_path,
                .target = j->target_path,
                .root = j->mode == SOURCE_MODE_ROOT ? j->source_path : NULL,
                .overrides = e->opts.overrides,
                .userdata = e->opts.userdata,
                .bytes = -1,
                .executor = e,
                .log_fd = -EBADF,
                .guest_fd = -EBADF,
        };
        assert(fn); /* checked by the caller */

        if (j->mode == SOURCE_MODE_IMAGE) {
                r = overlay_export_start(e->state, ps->mutates, &export, &err);
                if (r < 0)
                        return exec_step_error(c, r, "Cannot export the disk through FUSE: %s",
                                               err ?: strerror(-r));
                c->export_path = export;
        }

        r = fault_fail("step-run");
        if (r >= 0)
                r = fn(c);
        if (r < 0 && !c->error)
                (void) exec_step_error(c, r, "%s", strerror(-r));
        k = exec_context_close_writers(c);
        if (k < 0 && r >= 0)
                r = k;
        if (e->undo) {
                k = undo_end(TAKE_PTR(e->undo));
                if (k < 0 && r >= 0)
                        r = exec_step_error(c, k, "Cannot finish the undo archive: %s", strerror(-k));
        }
        if (j->mode == SOURCE_MODE_IMAGE) {
                k = overlay_export_stop(e->state);
                if (k < 0 && r >= 0)
                        r = exec_step_error(c, k, "Cannot stop the export: %s", strerror(-k));
                c->export_path = NULL;
        }
        return r;
}

int executor_run(Executor *e)
{
        _cleanup_json_ json_object *plan = NULL;
        _cleanup_free_ PlanStep *steps = NULL;
        Journal *j = e->state->journal;
        size_t n;
        int r;

        if (!j)
                return -ENOENT;
        if (j->status == JOURNAL_COMMITTED)
                return -EALREADY;
        if (j->status == JOURNAL_DONE)
                return 0;
        if (j->rolling_back)
                return -EINPROGRESS; /* its newest checkpoint may be half undone: finish the rollback */
        r = read_plan(e, &plan, &steps, &n);
        if (r < 0)
                return r;
        if (n != j->n_steps)
                return -EBADMSG;
        for (size_t i = 0; i < n; i++)
                if (!streq(steps[i].id, j->steps[i].id))
                        return -EBADMSG;

        if (j->mode == SOURCE_MODE_IMAGE) {
                /* A daemon left by a crashed run still serves its layer: stop it first. */
                r = overlay_export_stop(e->state);
                if (r < 0)
                        return r;
        }
        if (j->target_path && j->target_sha256) {
                bool pending = false;
                for (size_t i = 0; i < n; i++)
                        pending = pending ||
                                  (j->steps[i].state != STEP_DONE && j->steps[i].state != STEP_SKIPPED);
                if (pending) {
                        _cleanup_free_ char *sha = NULL;
                        r = sha256_file(j->target_path, &sha);
                        if (r < 0)
                                return r;
                        if (!streq(sha, j->target_sha256))
                                return -ESTALE;
                }
        }

        j->status = JOURNAL_RUNNING;
        j->stopped_at = mfree(j->stopped_at);
        j->last_error = mfree(j->last_error);
        r = state_save(e->state);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++) {
                const PlanStep *ps = &steps[i];
                JournalStep *js = &j->steps[i];
                HookFailure hf = {};
                StepContext c = {};
                double t0;
                int idx;

                if (js->state == STEP_DONE || js->state == STEP_SKIPPED)
                        continue;
                if (!find_impl(e, ps->id)) {
                        /* Before any checkpoint or hook: nothing was done for it. */
                        if (journal_step_end(js, STEP_FAILED,
                                             "no implementation of this step is registered") < 0 ||
                            journal_set_error(j, "Step %s cannot run: no implementation is registered",
                                              ps->id) < 0)
                                return -ENOMEM;
                        j->status = JOURNAL_FAILED;
                        r = state_save(e->state);
                        return r < 0 ? r : -EOPNOTSUPP;
                }

                if (ps->mutates) {
                        _cleanup_free_ char *err = NULL;
                        idx = journal_checkpoint_index(j, ps->checkpoint);
                        /* An earlier attempt of this step (or later checkpoints: a journal edited by
                         * hand) left changes: back to the state the checkpoint was taken on. */
                        while (idx >= 0 && j->n_checkpoints > (size_t) idx) {
                                r = discard_newest(e, plan, steps, n, "discarded (incomplete step)");
                                if (r < 0) {
                                        j->status = JOURNAL_FAILED;
                                        (void) journal_set_error(
                                                j, "Cannot go back to checkpoint %s to rerun %s: %s",
                                                ps->checkpoint, ps->id, e->restore_error ?: strerror(-r));
                                        (void) state_save(e->state);
                                        return r;
                                }
                        }
                        r = create_checkpoint(e, plan, ps, &err);
                        if (r < 0) {
                                e->undo = undo_free(e->undo);
                                j->status = JOURNAL_FAILED;
                                (void) journal_set_error(j, "Cannot take checkpoint %s: %s", ps->checkpoint,
                                                         err ?: strerror(-r));
                                (void) state_save(e->state);
                                return r;
                        }
                }

                r = run_hooks(e, plan, "pre", ps, ps->checkpoint, NULL, &hf);
                if (r != 0) {
                        e->undo = undo_free(e->undo);
                        if (r < 0) {
                                j->status = JOURNAL_FAILED;
                                (void) journal_set_error(j, "Cannot run the pre-hooks of %s: %s", ps->id,
                                                         strerror(-r));
                                (void) state_save(e->state);
                                return r;
                        }
                        r = stop_run(e, "pre", ps, &hf);
                        hook_failure_done(&hf);
                        return r;
                }

                r = journal_step_begin(js);
                if (r < 0)
                        return r;
                r = state_save(e->state);
                if (r < 0)
                        return r;
                emit(e, &(ProgressEvent){ .type = PROGRESS_STEP_START,
                                          .step = ps->id,
                                          .index = (unsigned) i + 1,
                                          .count = (unsigned) n,
                                          .seconds = -1 });
                fault_pointf("before", ps->id, -1);

                t0 = now_s();
                r = run_step(e, plan, ps, (unsigned) i + 1, (unsigned) n, &c);
                if (r >= 0)
                        fault_pointf("after", ps->id, -1);

                if (ps->checkpoint) {
                        JournalCheckpoint *cp = journal_find_checkpoint(j, ps->checkpoint);
                        if (cp)
                                cp->bytes = checkpoint_bytes(e, cp);
                }
                js->bytes = c.bytes;
                if (journal_step_end(js,
                                     r < 0                    ? STEP_FAILED
                                     : r == EXEC_STEP_SKIPPED ? STEP_SKIPPED
                                                              : STEP_DONE,
                                     r < 0 ? c.error : NULL) < 0) {
                        exec_context_done(&c);
                        return -ENOMEM;
                }
                if (r < 0) {
                        j->status = JOURNAL_FAILED;
                        (void) journal_set_error(j, "Step %s failed: %s", ps->id, c.error ?: strerror(-r));
                }
                emit(e, &(ProgressEvent){ .type = PROGRESS_STEP_END,
                                          .step = ps->id,
                                          .index = (unsigned) i + 1,
                                          .count = (unsigned) n,
                                          .state = step_state_to_string(js->state),
                                          .message = r < 0 ? c.error : NULL,
                                          .seconds = now_s() - t0 });
                if (r < 0)
                        emit(e, &(ProgressEvent){ .type = PROGRESS_ERROR,
                                                  .step = ps->id,
                                                  .error = r,
                                                  .message = j->last_error,
                                                  .seconds = -1 });
                exec_context_done(&c);
                {
                        int k = state_save(e->state);
                        if (k < 0)
                                return k;
                }
                if (r < 0)
                        return r;

                r = run_hooks(e, plan, "post", ps, ps->checkpoint, NULL, &hf);
                if (r < 0) {
                        j->status = JOURNAL_FAILED;
                        (void) journal_set_error(j, "Cannot run the post-hooks of %s: %s", ps->id,
                                                 strerror(-r));
                        (void) state_save(e->state);
                        return r;
                }
                if (r > 0) {
                        r = stop_run(e, "post", ps, &hf);
                        hook_failure_done(&hf);
                        return r;
                }
        }

        j->status = JOURNAL_DONE;
        return state_save(e->state);
}

int executor_rollback(Executor *e, const char *to)
{
        JournalStatus status_before;
        _cleanup_json_ json_object *plan = NULL, *extra = NULL, *discarded = NULL;
        _cleanup_free_ PlanStep *steps = NULL;
        Journal *j = e->state->journal;
        HookFailure hf = {};
        size_t n;
        int r, idx, plan_pos = -1;

        if (!j)
                return -ENOENT;
        if (j->status == JOURNAL_COMMITTED)
                return -EALREADY;
        r = read_plan(e, &plan, &steps, &n);
        if (r < 0)
                return r;
        if (to) {
                for (size_t i = 0; i < n; i++)
                        if (streq_ptr(steps[i].checkpoint, to))
                                plan_pos = (int) i;
                if (plan_pos < 0)
                        return -ENOENT;
                idx = journal_checkpoint_index(j, to);
                if (idx < 0) {
                        /* Not (or no longer) there: fine if every checkpoint left precedes it (a
                         * rollback to it was interrupted after discarding it). */
                        idx = (int) j->n_checkpoints;
                        for (size_t k = 0; k < j->n_checkpoints; k++)
                                for (size_t i = (size_t) plan_pos; i < n; i++)
                                        if (streq_ptr(steps[i].checkpoint, j->checkpoints[k].id) &&
                                            (int) k < idx)
                                                idx = (int) k;
                }
        } else
                idx = 0;

        if (j->mode == SOURCE_MODE_IMAGE) {
                r = overlay_export_stop(e->state);
                if (r < 0)
                        return r;
        }
        status_before = j->status == JOURNAL_RUNNING ? JOURNAL_INTERRUPTED : j->status;
        j->status = JOURNAL_RUNNING;
        j->stopped_at = mfree(j->stopped_at);
        if (journal_set_str(&j->rolling_back, to ?: "") < 0 ||
            journal_set_error(j, "interrupted while rolling back to %s; run rollback again",
                              to ?: (j->n_checkpoints > 0 ? j->checkpoints[0].id : "the start")) < 0)
                return -ENOMEM;
        r = state_save(e->state);
        if (r < 0)
                return r;

        discarded = json_object_new_array();
        if (!discarded)
                return -ENOMEM;
        while (j->n_checkpoints > (size_t) idx) {
                if (json_append_str(discarded, j->checkpoints[j->n_checkpoints - 1].id) < 0)
                        return -ENOMEM;
                r = discard_newest(e, plan, steps, n, "rolled-back");
                if (r == -EOPNOTSUPP && json_array_len(discarded) == 1) {
                        /* The newest checkpoint cannot be restored (cluster mode: past the point of
                         * no return) and nothing was undone: the run stays as it was. */
                        j->status = status_before;
                        j->rolling_back = mfree(j->rolling_back);
                        (void) journal_set_error(j, "Rollback refused: %s",
                                                 e->restore_error ?: strerror(-r));
                        (void) state_save(e->state);
                        return r;
                }
                if (r < 0) {
                        (void) journal_set_error(j, "Rollback failed: %s; run rollback again",
                                                 e->restore_error ?: strerror(-r));
                        (void) state_save(e->state);
                        return r;
                }
        }
        if (j->n_checkpoints == 0) {
                /* Back at the start: nothing a step did is left. */
                for (size_t i = 0; i < j->n_steps; i++)
                        journal_step_reset(&j->steps[i]);
        }
        j->status = JOURNAL_ROLLED_BACK;
        j->rolling_back = mfree(j->rolling_back);
        j->last_error = mfree(j->last_error);
        r = state_save(e->state);
        if (r < 0)
                return r;

        extra = json_object_new_object();
        if (!extra || json_add(extra, "discarded", json_object_get(discarded)) < 0)
                return -ENOMEM;
        r = run_hooks(e, plan, "post-rollback", NULL, to, extra, &hf);
        if (r > 0) {
                (void) journal_set_error(j, "post-rollback hook '%s' failed with status %d", hf.name,
                                         hf.status);
                (void) state_save(e->state);
                executor_log(e, LOG_LEVEL_WARNING, NULL, "%s", j->last_error);
                hook_failure_done(&hf);
                return 0;
        }
        return r;
}

/* Root mode: /.azlmigrate/old (the source's system, moved aside by swap-root) goes; so do
 * /.azlmigrate/stage and /.azlmigrate when empty. */
static int remove_old_root(const char *root)
{
        _cleanup_close_ int root_fd = -EBADF, fd = -EBADF;
        int r;

        root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return -errno;
        fd = openat_in_root(root_fd, ".azlmigrate", O_RDONLY | O_DIRECTORY, 0);
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return fd;
        r = rm_rf_at(fd, "old");
        if (r < 0)
                return r;
        (void) unlinkat(fd, "stage", AT_REMOVEDIR);
        fd = safe_close(fd);
        fd = openat_in_root(root_fd, ".", O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0)
                return fd;
        (void) unlinkat(fd, ".azlmigrate", AT_REMOVEDIR);
        return fsync_dir_fd(fd);
}

int executor_commit(Executor *e, const char *output)
{
        Journal *j = e->state->journal;
        _cleanup_free_ char *err = NULL;
        const char *out;
        int r;

        if (!j)
                return -ENOENT;
        if (output && j->output && !streq(output, j->output))
                return -EINVAL;
        out = output ?: j->output;
        if (j->status != JOURNAL_COMMITTED) {
                if (j->status != JOURNAL_DONE)
                        return -EBUSY;
                if (j->mode == SOURCE_MODE_ROOT && out)
                        return -EOPNOTSUPP;
                if (j->mode == SOURCE_MODE_IMAGE) {
                        double t0 = now_s();
                        r = out ? overlay_output(e->state, out, NULL, &err) : overlay_commit(e->state, &err);
                        if (r < 0) {
                                (void) journal_set_error(j, "Commit failed: %s", err ?: strerror(-r));
                                (void) state_save(e->state);
                                return r;
                        }
                        emit(e, &(ProgressEvent){ .type = PROGRESS_CHECKPOINT,
                                                  .checkpoint = last_checkpoint_id(j),
                                                  .state = "committed",
                                                  .seconds = now_s() - t0 });
                }
                fault_point("commit");
                if (out && journal_set_str(&j->output, out) < 0)
                        return -ENOMEM;
                j->status = JOURNAL_COMMITTED;
                j->last_error = mfree(j->last_error);
                r = state_save(e->state);
                if (r < 0)
                        return r;
        }
        /* Past the point of no return: rollback data goes. */
        r = state_remove(e->state, STATE_LAYERS);
        if (r < 0)
                return r;
        r = state_remove(e->state, STATE_UNDO);
        if (r < 0)
                return r;
        r = state_remove(e->state, STATE_RECORDS);
        if (r < 0)
                return r;
        if (j->mode == SOURCE_MODE_ROOT) {
                r = remove_old_root(j->source_path);
                if (r < 0)
                        return r;
        }
        return 0;
}
