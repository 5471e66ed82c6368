/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/strv.h"
#include "strategy.h"

#define STRATEGY_SCHEMA    "azlmigrate/strategy/v1"
#define STRATEGY_FILE_MAX  (1024u * 1024u)
#define STRATEGY_NAME_MAX  64
#define STRATEGY_STEPS_MAX 64

static const char *const checkpoint_kind_table[_CHECKPOINT_KIND_MAX] = {
        [CHECKPOINT_OVERLAY] = "overlay", [CHECKPOINT_UNDO_ARCHIVE] = "undo-archive",
        [CHECKPOINT_NONE] = "none",       [CHECKPOINT_RECORD] = "record",
        [CHECKPOINT_AUTO] = "auto",
};

DEFINE_STRING_TABLE_LOOKUP(checkpoint_kind, CheckpointKind);

static const char *const strategy_subject_table[_STRATEGY_SUBJECT_MAX] = {
        [STRATEGY_SUBJECT_DISK] = "disk",
        [STRATEGY_SUBJECT_NODEPOOL] = "nodepool",
};

DEFINE_STRING_TABLE_LOOKUP(strategy_subject, StrategySubject);
DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

static void step_template_done(StepTemplate *t)
{
        free(t->id);
        free(t->kind);
        free(t->description);
        strv_free(t->reads);
        strv_free(t->writes);
        free(t->undo);
}

Strategy *strategy_free(Strategy *s)
{
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_steps; i++)
                step_template_done(&s->steps[i]);
        free(s->steps);
        free(s->name);
        free(s->title);
        free(s->description);
        strv_free(s->preserve);
        free(s);
        return NULL;
}

static bool is_ident(const char *s)
{
        return !isempty(s) && strlen(s) <= STRATEGY_NAME_MAX && s[0] != '-' &&
               strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s);
}

bool strategy_name_is_valid(const char *name)
{
        return is_ident(name);
}

/* Sets *error to "FILE: MESSAGE" and returns -EBADMSG (or -ENOMEM). */
static int bad(char **error, const char *path, const char *format, ...) _printf_(3, 4);
static int bad(char **error, const char *path, const char *format, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int n;

        va_start(ap, format);
        n = vasprintf(&msg, format, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        free(*error);
        if (asprintf(error, "%s: %s", path, msg) < 0) {
                *error = NULL;
                return -ENOMEM;
        }
        return -EBADMSG;
}

static int dup_str(json_object *o, const char *key, bool required, char **ret)
{
        json_object *v = json_get(o, key);

        if (!v || json_object_is_type(v, json_type_null)) {
                *ret = NULL;
                return required ? -EBADMSG : 0;
        }
        if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0)
                return -EBADMSG;
        *ret = strdup(json_object_get_string(v));
        return *ret ? 0 : -ENOMEM;
}

/* A JSON array of non-empty strings into a strv. Missing: empty list. */
static int dup_strv(json_object *o, const char *key, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        json_object *a = json_get(o, key);
        size_t n;

        if (!a) {
                *ret = NULL;
                return 0;
        }
        if (!json_object_is_type(a, json_type_array))
                return -EBADMSG;
        n = json_object_array_length(a);
        for (size_t i = 0; i < n; i++) {
                json_object *v = json_object_array_get_idx(a, i);
                if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0)
                        return -EBADMSG;
                if (strv_extend(&l, json_object_get_string(v)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int parse_step(const char *path, json_object *o, size_t index, StepTemplate *t, char **error)
{
        json_object *mutates = json_get(o, "mutates"), *cp = json_get(o, "checkpoint");
        int r;

        if (!json_object_is_type(o, json_type_object))
                return bad(error, path, "steps[%zu] is not an object", index);
        r = dup_str(o, "id", true, &t->id);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || !is_ident(t->id))
                return bad(error, path, "steps[%zu]: \"id\" must be [a-z0-9-]+", index);
        r = dup_str(o, "kind", true, &t->kind);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || !is_ident(t->kind))
                return bad(error, path, "step '%s': \"kind\" must be [a-z0-9-]+", t->id);
        r = dup_str(o, "description", true, &t->description);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return bad(error, path, "step '%s': \"description\" must be a non-empty string", t->id);
        r = dup_str(o, "undo", true, &t->undo);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return bad(error, path, "step '%s': \"undo\" must say how the step is undone", t->id);
        r = dup_strv(o, "reads", &t->reads);
        if (r == -ENOMEM)
                return r;
        if (r >= 0)
                r = dup_strv(o, "writes", &t->writes);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return bad(error, path, "step '%s': \"reads\" and \"writes\" must be arrays of strings",
                           t->id);
        if (!json_object_is_type(mutates, json_type_boolean))
                return bad(error, path, "step '%s': \"mutates\" must be true or false", t->id);
        t->mutates = json_object_get_boolean(mutates);

        if (!cp || json_object_is_type(cp, json_type_null))
                t->checkpoint = false;
        else {
                t->checkpoint_kind = checkpoint_kind_from_string(json_object_get_string(cp));
                if (!json_object_is_type(cp, json_type_string) || t->checkpoint_kind < 0)
                        return bad(error, path,
                                   "step '%s': \"checkpoint\" must be null, \"auto\", \"overlay\", "
                                   "\"undo-archive\" or \"none\"",
                                   t->id);
                t->checkpoint = true;
        }
        if (t->mutates && !t->checkpoint)
                return bad(error, path, "step '%s' mutates but has no checkpoint before it", t->id);
        return 0;
}

int strategy_load(const char *plans_dir, const char *name, Strategy **ret, char **ret_error)
{
        _cleanup_(strategy_freep) Strategy *s = NULL;
        _cleanup_json_ json_object *doc = NULL;
        _cleanup_free_ char *file = NULL, *path = NULL, *error = NULL;
        json_object *steps;
        int r;

        if (!strategy_name_is_valid(name))
                return -EINVAL;
        if (asprintf(&file, "strategies/%s.json", name) < 0)
                return -ENOMEM;
        path = path_join(plans_dir, file);
        if (!path)
                return -ENOMEM;
        r = json_parse_file(path, STRATEGY_FILE_MAX, &doc);
        if (r == -EBADMSG)
                r = bad(&error, path, "not valid JSON");
        if (r < 0)
                goto finish;
        if (!json_object_is_type(doc, json_type_object) ||
            !streq_ptr(json_get_str(doc, "schema"), STRATEGY_SCHEMA)) {
                r = bad(&error, path, "not a strategy file (schema " STRATEGY_SCHEMA ")");
                goto finish;
        }
        if (!streq_ptr(json_get_str(doc, "name"), name)) {
                r = bad(&error, path, "\"name\" must be \"%s\", as the file is named", name);
                goto finish;
        }

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->name = strdup(name);
        if (!s->name)
                return -ENOMEM;
        if (json_get(doc, "subject")) {
                s->subject = strategy_subject_from_string(json_get_str(doc, "subject"));
                if (s->subject < 0) {
                        r = bad(&error, path, "\"subject\" must be \"disk\" or \"nodepool\"");
                        goto finish;
                }
        }
        r = dup_str(doc, "title", true, &s->title);
        if (r >= 0)
                r = dup_str(doc, "description", true, &s->description);
        if (r == -EBADMSG)
                r = bad(&error, path, "\"title\" and \"description\" must be non-empty strings");
        if (r < 0)
                goto finish;
        r = dup_strv(doc, "preserve", &s->preserve);
        if (r == -EBADMSG)
                r = bad(&error, path, "\"preserve\" must be an array of paths");
        if (r < 0)
                goto finish;
        STRV_FOREACH(p, s->preserve)
                if ((*p)[0] != '/' || strstr(*p, "/../") || endswith(*p, "/..")) {
                        r = bad(&error, path, "preserve path '%s' is not absolute and normal", *p);
                        goto finish;
                }
        strv_sort(s->preserve);

        steps = json_get(doc, "steps");
        if (!json_object_is_type(steps, json_type_array) || json_object_array_length(steps) == 0 ||
            json_object_array_length(steps) > STRATEGY_STEPS_MAX) {
                r = bad(&error, path, "\"steps\" must be an array of 1 to %d step templates",
                        STRATEGY_STEPS_MAX);
                goto finish;
        }
        s->steps = calloc(json_object_array_length(steps), sizeof(StepTemplate));
        if (!s->steps)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(steps); i++) {
                r = parse_step(path, json_object_array_get_idx(steps, i), i, &s->steps[i], &error);
                s->n_steps++;
                if (r < 0)
                        goto finish;
                for (size_t j = 0; j < i; j++)
                        if (streq(s->steps[j].id, s->steps[i].id)) {
                                r = bad(&error, path, "step id '%s' is used twice", s->steps[i].id);
                                goto finish;
                        }
        }
        *ret = TAKE_PTR(s);
        return 0;
finish:
        if (r == -EBADMSG && ret_error)
                *ret_error = TAKE_PTR(error);
        return r;
}

int strategy_list(const char *plans_dir, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *dir = path_join(plans_dir, "strategies");
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        if (!dir)
                return -ENOMEM;
        d = opendir(dir);
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                const char *e = endswith(de->d_name, ".json");
                _cleanup_free_ char *n = NULL;

                if (!e)
                        continue;
                n = strndup(de->d_name, (size_t) (e - de->d_name));
                if (!n)
                        return -ENOMEM;
                if (strategy_name_is_valid(n) && strv_consume(&l, TAKE_PTR(n)) < 0)
                        return -ENOMEM;
        }
        strv_sort(l);
        *ret = TAKE_PTR(l);
        return 0;
}
