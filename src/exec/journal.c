/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fault.h"
#include "journal.h"
#include "shared/json-util.h"
#include "shared/strv.h"

static const char *const source_mode_table[_SOURCE_MODE_MAX] = {
        [SOURCE_MODE_IMAGE] = "image",
        [SOURCE_MODE_ROOT] = "root",
        [SOURCE_MODE_CLUSTER] = "cluster",
};
DEFINE_STRING_TABLE_LOOKUP(source_mode, SourceMode);

static const char *const journal_status_table[_JOURNAL_STATUS_MAX] = {
        [JOURNAL_RUNNING] = "running",     [JOURNAL_INTERRUPTED] = "interrupted",
        [JOURNAL_STOPPED] = "stopped",     [JOURNAL_FAILED] = "failed",
        [JOURNAL_DONE] = "done",           [JOURNAL_ROLLED_BACK] = "rolled-back",
        [JOURNAL_COMMITTED] = "committed",
};
DEFINE_STRING_TABLE_LOOKUP(journal_status, JournalStatus);

static const char *const step_state_table[_STEP_STATE_MAX] = {
        [STEP_PENDING] = "pending", [STEP_RUNNING] = "running", [STEP_DONE] = "done",
        [STEP_FAILED] = "failed",   [STEP_SKIPPED] = "skipped",
};
DEFINE_STRING_TABLE_LOOKUP(step_state, StepState);

static const char *const checkpoint_type_table[_CHECKPOINT_TYPE_MAX] = {
        [CHECKPOINT_OVERLAY] = "overlay",
        [CHECKPOINT_UNDO_ARCHIVE] = "undo-archive",
        [CHECKPOINT_RECORD] = "record",
};
DEFINE_STRING_TABLE_LOOKUP(checkpoint_type, CheckpointType);

bool journal_id_valid(const char *id)
{
        size_t n = id ? strlen(id) : 0;

        if (n == 0 || n > 64 || id[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
                        return false;
        return true;
}

static void step_done(JournalStep *s)
{
        free(s->id);
        free(s->started);
        free(s->finished);
        free(s->error);
        json_object_put(s->commands);
}

static void checkpoint_done(JournalCheckpoint *c)
{
        free(c->id);
        free(c->before_step);
        free(c->path);
        free(c->created);
}

Journal *journal_free(Journal *j)
{
        if (!j)
                return NULL;
        free(j->source_path);
        free(j->source_format);
        free(j->target_path);
        free(j->target_sha256);
        free(j->output);
        for (size_t i = 0; i < j->n_steps; i++)
                step_done(&j->steps[i]);
        free(j->steps);
        for (size_t i = 0; i < j->n_checkpoints; i++)
                checkpoint_done(&j->checkpoints[i]);
        free(j->checkpoints);
        free(j->stopped_at);
        free(j->rolling_back);
        free(j->last_error);
        free(j);
        return NULL;
}

int journal_set_str(char **field, const char *s)
{
        char *c = NULL;

        if (s) {
                c = strdup(s);
                if (!c)
                        return -ENOMEM;
        }
        free(*field);
        *field = c;
        return 0;
}

int journal_timestamp(char **ret)
{
        struct timespec ts;
        struct tm tm;
        char buf[64];

        (void) clock_gettime(CLOCK_REALTIME, &ts);
        if (!gmtime_r(&ts.tv_sec, &tm))
                return -EOVERFLOW;
        (void) snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

int journal_new(SourceMode mode, const char *source_path, const char *source_format, const char *target_path,
                const char *target_sha256, const char *output, char *const *step_ids, Journal **ret)
{
        _cleanup_(journal_freep) Journal *j = NULL;
        size_t n = strv_length(step_ids);

        if (mode < 0 || mode >= _SOURCE_MODE_MAX || !source_path)
                return -EINVAL;
        j = calloc(1, sizeof(Journal));
        if (!j)
                return -ENOMEM;
        j->mode = mode;
        j->status = JOURNAL_RUNNING;
        if (journal_set_str(&j->source_path, source_path) < 0 ||
            journal_set_str(&j->source_format, source_format) < 0 ||
            journal_set_str(&j->target_path, target_path) < 0 ||
            journal_set_str(&j->target_sha256, target_sha256) < 0 || journal_set_str(&j->output, output) < 0)
                return -ENOMEM;
        j->steps = calloc(MAX(n, 1u), sizeof(JournalStep));
        if (!j->steps)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (!journal_id_valid(step_ids[i]))
                        return -EINVAL;
                j->steps[i] = (JournalStep){ .state = STEP_PENDING, .bytes = -1 };
                j->n_steps++;
                if (journal_set_str(&j->steps[i].id, step_ids[i]) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(j);
        return 0;
}

JournalStep *journal_find_step(Journal *j, const char *id)
{
        for (size_t i = 0; i < j->n_steps; i++)
                if (streq(j->steps[i].id, id))
                        return &j->steps[i];
        return NULL;
}

int journal_checkpoint_index(const Journal *j, const char *id)
{
        for (size_t i = 0; i < j->n_checkpoints; i++)
                if (streq(j->checkpoints[i].id, id))
                        return (int) i;
        return -ENOENT;
}

JournalCheckpoint *journal_find_checkpoint(Journal *j, const char *id)
{
        int i = journal_checkpoint_index(j, id);
        return i < 0 ? NULL : &j->checkpoints[i];
}

JournalCheckpoint *journal_add_checkpoint(Journal *j, const char *id, const char *before_step,
                                          CheckpointType kind, const char *path)
{
        JournalCheckpoint *n, *c;

        n = reallocarray(j->checkpoints, j->n_checkpoints + 1, sizeof(JournalCheckpoint));
        if (!n)
                return NULL;
        j->checkpoints = n;
        c = &n[j->n_checkpoints];
        *c = (JournalCheckpoint){ .kind = kind, .bytes = -1, .seconds = -1 };
        if (journal_set_str(&c->id, id) < 0 || journal_set_str(&c->before_step, before_step) < 0 ||
            journal_set_str(&c->path, path) < 0 || journal_timestamp(&c->created) < 0) {
                checkpoint_done(c);
                return NULL;
        }
        j->n_checkpoints++;
        return c;
}

void journal_truncate_checkpoints(Journal *j, size_t i)
{
        while (j->n_checkpoints > i)
                checkpoint_done(&j->checkpoints[--j->n_checkpoints]);
}

int journal_set_error(Journal *j, const char *format, ...)
{
        char *s = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&s, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        free(j->last_error);
        j->last_error = s;
        return 0;
}

int journal_step_begin(JournalStep *s)
{
        char *t = NULL;

        if (journal_timestamp(&t) < 0)
                return -ENOMEM;
        free(s->started);
        s->started = t;
        s->finished = mfree(s->finished);
        s->error = mfree(s->error);
        s->bytes = -1;
        s->state = STEP_RUNNING;
        return 0;
}

int journal_step_end(JournalStep *s, StepState state, const char *error)
{
        char *t = NULL;

        if (journal_timestamp(&t) < 0)
                return -ENOMEM;
        if (journal_set_str(&s->error, error) < 0) {
                free(t);
                return -ENOMEM;
        }
        free(s->finished);
        s->finished = t;
        s->state = state;
        return 0;
}

void journal_step_reset(JournalStep *s)
{
        s->state = STEP_PENDING;
        s->started = mfree(s->started);
        s->finished = mfree(s->finished);
        s->error = mfree(s->error);
        s->bytes = -1;
        json_object_put(s->commands);
        s->commands = NULL;
}

int journal_step_add_command(JournalStep *s, json_object *entry)
{
        if (!entry)
                return -ENOMEM;
        if (!s->commands && !(s->commands = json_object_new_array())) {
                json_object_put(entry);
                return -ENOMEM;
        }
        if (json_object_array_length(s->commands) >= JOURNAL_STEP_COMMANDS_MAX)
                (void) json_object_array_del_idx(s->commands, 0, 1);
        if (json_object_array_add(s->commands, entry) < 0) {
                json_object_put(entry);
                return -ENOMEM;
        }
        return 0;
}

/* Serialisation. */

static int add_int_or_null(json_object *o, const char *key, int64_t v)
{
        return v < 0 ? json_add(o, key, NULL) : json_add_int(o, key, v);
}

int journal_to_json(const Journal *j, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *source, *target, *steps, *cps;

        if (!o)
                return -ENOMEM;
        source = json_object_new_object();
        if (json_add_str(o, "schema", JOURNAL_SCHEMA) < 0 || json_add(o, "source", source) < 0 || !source ||
            json_add_str(source, "mode", source_mode_to_string(j->mode)) < 0 ||
            json_add_str(source, "path", j->source_path) < 0 ||
            json_add_str(source, "format", j->source_format) < 0)
                return -ENOMEM;
        target = json_object_new_object();
        if (json_add(o, "target", target) < 0 || !target ||
            json_add_str(target, "path", j->target_path) < 0 ||
            json_add_str(target, "sha256", j->target_sha256) < 0 ||
            json_add_str(o, "output", j->output) < 0 ||
            json_add_str(o, "status", journal_status_to_string(j->status)) < 0)
                return -ENOMEM;

        steps = json_object_new_array();
        if (json_add(o, "steps", steps) < 0 || !steps)
                return -ENOMEM;
        for (size_t i = 0; i < j->n_steps; i++) {
                const JournalStep *s = &j->steps[i];
                json_object *e = json_object_new_object();
                if (json_append(steps, e) < 0 || !e || json_add_str(e, "id", s->id) < 0 ||
                    json_add_str(e, "state", step_state_to_string(s->state)) < 0 ||
                    json_add_str(e, "started", s->started) < 0 ||
                    json_add_str(e, "finished", s->finished) < 0 || json_add_str(e, "error", s->error) < 0 ||
                    add_int_or_null(e, "bytes", s->bytes) < 0 ||
                    (s->commands && json_add(e, "commands", json_object_get(s->commands)) < 0))
                        return -ENOMEM;
        }

        cps = json_object_new_array();
        if (json_add(o, "checkpoints", cps) < 0 || !cps)
                return -ENOMEM;
        for (size_t i = 0; i < j->n_checkpoints; i++) {
                const JournalCheckpoint *c = &j->checkpoints[i];
                json_object *e = json_object_new_object();
                if (json_append(cps, e) < 0 || !e || json_add_str(e, "id", c->id) < 0 ||
                    json_add_str(e, "before_step", c->before_step) < 0 ||
                    json_add_str(e, "kind", checkpoint_type_to_string(c->kind)) < 0 ||
                    json_add_str(e, "path", c->path) < 0 || json_add_str(e, "created", c->created) < 0 ||
                    add_int_or_null(e, "bytes", c->bytes) < 0 ||
                    json_add(e, "seconds", c->seconds < 0 ? NULL : json_object_new_double(c->seconds)) < 0)
                        return -ENOMEM;
        }
        if (json_add_str(o, "stopped_at", j->stopped_at) < 0 ||
            json_add_str(o, "rolling_back", j->rolling_back) < 0 ||
            json_add_str(o, "last_error", j->last_error) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

int journal_save(const Journal *j, const char *path)
{
        _cleanup_json_ json_object *o = NULL;
        int r;

        r = fault_fail("journal-write");
        if (r < 0)
                return r;
        r = journal_to_json(j, &o);
        if (r < 0)
                return r;
        return json_dump_file(o, path);
}

/* Parsing: strict about what the executor relies on, tolerant of members it does not know. */

static int get_opt_str(json_object *o, const char *key, char **field)
{
        json_object *v = json_get(o, key);

        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;
        return journal_set_str(field, json_object_get_string(v));
}

static int get_req_str(json_object *o, const char *key, char **field)
{
        int r = get_opt_str(o, key, field);

        if (r < 0)
                return r;
        return *field ? 0 : -EBADMSG;
}

static int get_opt_int(json_object *o, const char *key, int64_t *ret)
{
        json_object *v = json_get(o, key);

        *ret = -1;
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
                return -EBADMSG;
        *ret = json_object_get_int64(v);
        return 0;
}

static int get_enum(json_object *o, const char *key, int (*from)(const char *), int *ret)
{
        const char *s = json_get_str(o, key);
        int v;

        if (!s)
                return -EBADMSG;
        v = from(s);
        if (v < 0)
                return -EBADMSG;
        *ret = v;
        return 0;
}

static int status_from(const char *s)
{
        return journal_status_from_string(s);
}
static int mode_from(const char *s)
{
        return source_mode_from_string(s);
}
static int state_from(const char *s)
{
        return step_state_from_string(s);
}
static int ctype_from(const char *s)
{
        return checkpoint_type_from_string(s);
}

int journal_from_json(json_object *o, Journal **ret)
{
        _cleanup_(journal_freep) Journal *j = NULL;
        json_object *source, *target, *steps, *cps;
        int r, v;

        if (!json_object_is_type(o, json_type_object) ||
            !streq_ptr(json_get_str(o, "schema"), JOURNAL_SCHEMA))
                return -EBADMSG;
        j = calloc(1, sizeof(Journal));
        if (!j)
                return -ENOMEM;

        source = json_get(o, "source");
        if (!json_object_is_type(source, json_type_object))
                return -EBADMSG;
        r = get_enum(source, "mode", mode_from, &v);
        if (r < 0)
                return r;
        j->mode = v;
        if ((r = get_req_str(source, "path", &j->source_path)) < 0 ||
            (r = get_opt_str(source, "format", &j->source_format)) < 0)
                return r;
        target = json_get(o, "target");
        if (target && !json_object_is_type(target, json_type_object))
                return -EBADMSG;
        if (target && ((r = get_opt_str(target, "path", &j->target_path)) < 0 ||
                       (r = get_opt_str(target, "sha256", &j->target_sha256)) < 0))
                return r;
        if ((r = get_opt_str(o, "output", &j->output)) < 0 ||
            (r = get_opt_str(o, "stopped_at", &j->stopped_at)) < 0 ||
            (r = get_opt_str(o, "rolling_back", &j->rolling_back)) < 0 ||
            (r = get_opt_str(o, "last_error", &j->last_error)) < 0)
                return r;
        r = get_enum(o, "status", status_from, &v);
        if (r < 0)
                return r;
        j->status = v;

        steps = json_get(o, "steps");
        if (!json_object_is_type(steps, json_type_array))
                return -EBADMSG;
        j->steps = calloc(MAX(json_object_array_length(steps), 1u), sizeof(JournalStep));
        if (!j->steps)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(steps); i++) {
                json_object *e = json_object_array_get_idx(steps, i);
                JournalStep *s = &j->steps[j->n_steps++];
                if (!json_object_is_type(e, json_type_object))
                        return -EBADMSG;
                if ((r = get_req_str(e, "id", &s->id)) < 0 || (r = get_enum(e, "state", state_from, &v)) < 0)
                        return r;
                s->state = v;
                if (!journal_id_valid(s->id))
                        return -EBADMSG;
                if ((r = get_opt_str(e, "started", &s->started)) < 0 ||
                    (r = get_opt_str(e, "finished", &s->finished)) < 0 ||
                    (r = get_opt_str(e, "error", &s->error)) < 0 ||
                    (r = get_opt_int(e, "bytes", &s->bytes)) < 0)
                        return r;
                if (json_get(e, "commands")) {
                        if (!json_object_is_type(json_get(e, "commands"), json_type_array))
                                return -EBADMSG;
                        s->commands = json_object_get(json_get(e, "commands"));
                }
                for (size_t k = 0; k + 1 < j->n_steps; k++)
                        if (streq(j->steps[k].id, s->id))
                                return -EBADMSG;
        }

        cps = json_get(o, "checkpoints");
        if (!json_object_is_type(cps, json_type_array))
                return -EBADMSG;
        j->checkpoints = calloc(MAX(json_object_array_length(cps), 1u), sizeof(JournalCheckpoint));
        if (!j->checkpoints)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(cps); i++) {
                json_object *e = json_object_array_get_idx(cps, i), *sec;
                JournalCheckpoint *c = &j->checkpoints[j->n_checkpoints++];
                if (!json_object_is_type(e, json_type_object))
                        return -EBADMSG;
                if ((r = get_req_str(e, "id", &c->id)) < 0 ||
                    (r = get_req_str(e, "before_step", &c->before_step)) < 0 ||
                    (r = get_enum(e, "kind", ctype_from, &v)) < 0)
                        return r;
                c->kind = v;
                if (!journal_id_valid(c->id))
                        return -EBADMSG;
                if ((r = get_req_str(e, "path", &c->path)) < 0 ||
                    (r = get_opt_str(e, "created", &c->created)) < 0 ||
                    (r = get_opt_int(e, "bytes", &c->bytes)) < 0)
                        return r;
                sec = json_get(e, "seconds");
                c->seconds = -1;
                if (sec) {
                        if (!json_object_is_type(sec, json_type_double) &&
                            !json_object_is_type(sec, json_type_int))
                                return -EBADMSG;
                        c->seconds = json_object_get_double(sec);
                }
                if (!journal_find_step(j, c->before_step))
                        return -EBADMSG;
                for (size_t k = 0; k + 1 < j->n_checkpoints; k++)
                        if (streq(j->checkpoints[k].id, c->id))
                                return -EBADMSG;
        }
        *ret = TAKE_PTR(j);
        return 0;
}

int journal_load(const char *path, Journal **ret)
{
        _cleanup_json_ json_object *o = NULL;
        int r;

        r = json_parse_file(path, JOURNAL_SIZE_MAX, &o);
        if (r < 0)
                return r;
        return journal_from_json(o, ret);
}
