/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/guest-dir.h"
#include "disk/guest-ext.h"
#include "disk/guest-fat.h"
#include "exec-fs.h"
#include "executor-internal.h"
#include "fault.h"
#include "shared/fd-util.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"

#define ESP_MOUNTPOINT "/boot/efi"

void executor_log(Executor *e, LogLevel level, const char *step, const char *format, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        if (!e->opts.log)
                return;
        va_start(ap, format);
        r = vasprintf(&msg, format, ap);
        va_end(ap);
        if (r >= 0)
                e->opts.log(level, step, msg, e->opts.log_userdata);
}

static void log_to_file(StepContext *c, LogLevel level, const char *msg)
{
        static const char *const names[] = { "error", "warning", "info", "debug" };
        _cleanup_free_ char *now = NULL, *line = NULL, *rel = NULL;

        if (c->log_fd < 0) {
                if (asprintf(&rel, STATE_LOGS "/%s.log", c->step_id) < 0)
                        return;
                c->log_fd = openat(c->executor->state->dir_fd, rel,
                                   O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (c->log_fd < 0)
                        return;
        }
        if (journal_timestamp(&now) < 0 ||
            asprintf(&line, "%s %s %s\n", now,
                     level >= 0 && level < (int) ELEMENTSOF(names) ? names[level] : "?", msg) < 0)
                return;
        (void) !write(c->log_fd, line, strlen(line));
}

/* A message of the step: to its log file and to the options' log callback. */
static void log_message(StepContext *c, LogLevel level, const char *msg)
{
        log_to_file(c, level, msg);
        if (c->executor->opts.log)
                c->executor->opts.log(level, c->step_id, msg, c->executor->opts.log_userdata);
}

/* A progress event, to the options' progress callback. */
static void emit_progress(StepContext *c, const ProgressEvent *ev)
{
        if (c->executor->opts.progress)
                c->executor->opts.progress(ev, c->executor->opts.progress_userdata);
}

void exec_log(StepContext *c, LogLevel level, const char *format, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&msg, format, ap);
        va_end(ap);
        if (r >= 0)
                log_message(c, level, msg);
}

void exec_progress_bytes(StepContext *c, uint64_t done, uint64_t total)
{
        emit_progress(c, &(ProgressEvent){ .type = PROGRESS_BYTES,
                                           .step = c->step_id,
                                           .done = done,
                                           .total = total,
                                           .seconds = -1 });
}

void exec_finding(StepContext *c, const char *key, const char *severity, const char *format, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&msg, format, ap);
        va_end(ap);
        if (r < 0)
                return;
        log_message(c, LOG_LEVEL_WARNING, msg);
        emit_progress(c, &(ProgressEvent){ .type = PROGRESS_FINDING,
                                           .step = c->step_id,
                                           .key = key,
                                           .severity = severity,
                                           .message = msg,
                                           .seconds = -1 });
}

int exec_step_error(StepContext *c, int error, const char *format, ...)
{
        char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&msg, format, ap);
        va_end(ap);
        if (r >= 0) {
                free(c->error);
                c->error = msg;
                log_to_file(c, LOG_LEVEL_ERROR, msg);
        }
        return error < 0 ? error : -EIO;
}

/* Mount ranges from the plan's inventory_summary. */

int exec_mount_range(json_object *plan, const char *mountpoint, uint64_t *ret_offset, uint64_t *ret_size)
{
        json_object *summary = json_get(plan, "inventory_summary"), *mounts = json_get(summary, "mounts"),
                    *disk = json_get(summary, "disk"), *parts = json_get(disk, "partitions"), *mount = NULL,
                    *pn;

        for (size_t i = 0;
             json_object_is_type(mounts, json_type_array) && i < json_object_array_length(mounts); i++) {
                json_object *m = json_object_array_get_idx(mounts, i);
                if (streq_ptr(json_get_str(m, "mountpoint"), mountpoint)) {
                        mount = m;
                        break;
                }
        }
        if (!mount)
                return -ENOENT;
        pn = json_get(mount, "partition");
        if (!pn) {
                int64_t size = json_get_int(disk, "size", -1);
                /* A filesystem on the whole disk: no partition table. */
                if ((parts && json_object_array_length(parts) > 0) || size <= 0)
                        return -EOPNOTSUPP;
                *ret_offset = 0;
                *ret_size = (uint64_t) size;
                return 0;
        }
        if (!json_object_is_type(pn, json_type_int))
                return -EBADMSG;
        for (size_t i = 0;
             json_object_is_type(parts, json_type_array) && i < json_object_array_length(parts); i++) {
                json_object *p = json_object_array_get_idx(parts, i);
                int64_t start, size;
                if (json_get_int(p, "number", -1) != json_object_get_int64(pn))
                        continue;
                start = json_get_int(p, "start", -1);
                size = json_get_int(p, "size", -1);
                if (start < 0 || size <= 0)
                        return -EBADMSG;
                *ret_offset = (uint64_t) start;
                *ret_size = (uint64_t) size;
                return 0;
        }
        return -EBADMSG;
}

/* The observer every writer of a mutating step gets: the undo record (root mode), then the
 * fault switch's write counter. */

typedef struct Observer {
        StepContext *c;
        const char *prefix; /* root mode: where the writer's filesystem lies in the root */
} Observer;

static int prefixed(const char *prefix, const char *path, char **ret)
{
        if (!path || !prefix) {
                *ret = NULL;
                return 0;
        }
        if (streq(path, "/"))
                *ret = strdup(prefix);
        else if (asprintf(ret, "%s%s", prefix, path) < 0)
                *ret = NULL;
        return *ret ? 0 : -ENOMEM;
}

static int observe(void *userdata, GuestWriteOp op, const char *path, const char *path2)
{
        Observer *o = userdata;
        StepContext *c = o->c;
        int r;

        if (c->executor->undo) {
                _cleanup_free_ char *p = NULL, *p2 = NULL;
                if (prefixed(o->prefix, path, &p) < 0 || prefixed(o->prefix, path2, &p2) < 0)
                        return -ENOMEM;
                r = undo_record(c->executor->undo, op, p ?: path, p2 ?: path2);
                if (r < 0) {
                        exec_log(c, LOG_LEVEL_ERROR, "Cannot record how to undo %s of '%s': %s",
                                 strempty(guest_write_op_to_string(op)), p ?: path, strerror(-r));
                        return r;
                }
        }
        fault_pointf("inside", c->step_id, (long) c->writes);
        c->writes++;
        return 0;
}

/* How a writer is opened in image mode (on the export) and in root mode (on the directory). */
typedef int (*WriterOpen)(StepContext *c, GuestWriter **ret);

/* The step's writer in *slot, opened on first use with the observer (whose filesystem lies at
 * prefix in the root, or NULL) in *observer_slot. A step that does not mutate gets none. */
static int open_writer(StepContext *c, GuestWriter **slot, void **observer_slot, const char *prefix,
                       WriterOpen open_image, WriterOpen open_root, GuestWriter **ret)
{
        _cleanup_(guest_writer_freep) GuestWriter *w = NULL;
        Observer *o;
        int r;

        if (*slot) {
                *ret = *slot;
                return 0;
        }
        if (!c->mutates)
                return -EROFS;
        if (c->mode == SOURCE_MODE_IMAGE) {
                if (!c->export_path)
                        return -ENXIO;
                r = open_image(c, &w);
        } else
                r = open_root(c, &w);
        if (r < 0)
                return r;
        o = calloc(1, sizeof(Observer));
        if (!o)
                return -ENOMEM;
        *o = (Observer){ .c = c, .prefix = prefix };
        free(*observer_slot);
        *observer_slot = o;
        guest_writer_set_observer(w, observe, o);
        *ret = *slot = TAKE_PTR(w);
        return 0;
}

static int open_root_image(StepContext *c, GuestWriter **ret)
{
        _cleanup_free_ char *err = NULL;
        uint64_t off, size;
        int r;

        r = exec_mount_range(c->plan, "/", &off, &size);
        if (r < 0)
                return exec_step_error(c, r, "The plan does not say where the root filesystem is: %s",
                                       strerror(-r));
        r = guest_writer_open_ext(c->export_path, off, ret, &err);
        if (r < 0)
                return exec_step_error(c, r, "Cannot open the root filesystem for writing: %s",
                                       err ?: strerror(-r));
        return 0;
}

static int open_root_dir(StepContext *c, GuestWriter **ret)
{
        int r;

        r = guest_writer_open_dir(c->root, ret);
        if (r < 0)
                return exec_step_error(c, r, "Cannot open '%s' for writing: %s", c->root, strerror(-r));
        return 0;
}

int exec_open_root_writer(StepContext *c, GuestWriter **ret)
{
        return open_writer(c, &c->root_writer, &c->observer_root, /* prefix= */ NULL, open_root_image,
                           open_root_dir, ret);
}

static int open_esp_image(StepContext *c, GuestWriter **ret)
{
        uint64_t off, size;
        int r;

        r = exec_mount_range(c->plan, ESP_MOUNTPOINT, &off, &size);
        if (r == -ENOENT)
                return r;
        if (r < 0)
                return exec_step_error(c, r, "The plan does not say where the ESP is: %s", strerror(-r));
        r = guest_writer_open_fat(c->export_path, off, size, ret);
        if (r < 0)
                return exec_step_error(c, r, "Cannot open the ESP for writing: %s", strerror(-r));
        return 0;
}

static int open_esp_dir(StepContext *c, GuestWriter **ret)
{
        _cleanup_close_ int root_fd = -EBADF, fd = -EBADF;
        char proc[64];
        int r;

        root_fd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return -errno;
        /* Resolved inside the root, no symlink followed: the guest cannot point us away. */
        fd = openat_in_root(root_fd, ESP_MOUNTPOINT + 1, O_PATH | O_DIRECTORY, 0);
        if (fd == -ENOENT || fd == -ENOTDIR)
                return -ENOENT;
        if (fd < 0)
                return exec_step_error(c, fd, "Cannot open %s in '%s': %s", ESP_MOUNTPOINT, c->root,
                                       strerror(-fd));
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        r = guest_writer_open_dir(proc, ret);
        if (r < 0)
                return exec_step_error(c, r, "Cannot open the ESP for writing: %s", strerror(-r));
        return 0;
}

int exec_open_esp_writer(StepContext *c, GuestWriter **ret)
{
        return open_writer(c, &c->esp_writer, &c->observer_esp,
                           c->mode == SOURCE_MODE_ROOT ? ESP_MOUNTPOINT : NULL, open_esp_image, open_esp_dir,
                           ret);
}

int exec_open_guest(StepContext *c, Guest **ret)
{
        _cleanup_(guest_freep) Guest *g = NULL;
        GuestFs *fs = NULL;
        uint64_t off, size;
        int r;

        r = guest_new(&g);
        if (r < 0)
                return r;
        if (c->mode == SOURCE_MODE_ROOT) {
                r = guest_dir_open(c->root, &fs);
                if (r < 0)
                        return r;
                r = guest_mount(g, "/", fs);
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(g);
                return 0;
        }
        if (!c->export_path)
                return -ENXIO;
        if (c->guest_fd < 0) {
                c->guest_fd = open(c->export_path, O_RDONLY | O_CLOEXEC);
                if (c->guest_fd < 0)
                        return -errno;
        }
        r = exec_mount_range(c->plan, "/", &off, &size);
        if (r < 0)
                return r;
        GuestExtInfo info = {};
        r = guest_ext_open(c->guest_fd, off, &fs, &info);
        free(info.error);
        if (r < 0)
                return r;
        r = guest_mount(g, "/", fs);
        if (r < 0)
                return r;
        if (exec_mount_range(c->plan, ESP_MOUNTPOINT, &off, &size) >= 0) {
                r = guest_fat_open(c->guest_fd, off, size, &fs);
                if (r >= 0)
                        r = guest_mount(g, ESP_MOUNTPOINT, fs);
                if (r < 0)
                        exec_log(c, LOG_LEVEL_WARNING, "The ESP cannot be read: %s", strerror(-r));
        }
        *ret = TAKE_PTR(g);
        return 0;
}

int exec_context_close_writers(StepContext *c)
{
        int r = 0, k;

        if (c->esp_writer) {
                k = guest_writer_close(TAKE_PTR(c->esp_writer));
                if (k < 0 && r == 0)
                        r = exec_step_error(c, k, "Writing the ESP failed when it was closed: %s",
                                            strerror(-k));
        }
        if (c->root_writer) {
                k = guest_writer_close(TAKE_PTR(c->root_writer));
                if (k < 0 && r == 0)
                        r = exec_step_error(c, k,
                                            "Writing the root filesystem failed when it was closed: %s",
                                            strerror(-k));
        }
        return r;
}

void exec_context_done(StepContext *c)
{
        c->esp_writer = guest_writer_free(c->esp_writer);
        c->root_writer = guest_writer_free(c->root_writer);
        c->observer_root = mfree(c->observer_root);
        c->observer_esp = mfree(c->observer_esp);
        c->error = mfree(c->error);
        c->log_fd = safe_close(c->log_fd);
        c->guest_fd = safe_close(c->guest_fd);
}

int exec_journal_command(StepContext *c, json_object *entry)
{
        Journal *j = c->executor->state->journal;
        JournalStep *s = j ? journal_find_step(j, c->step_id) : NULL;
        int r;

        if (!s) {
                json_object_put(entry);
                return -ENOENT;
        }
        r = journal_step_add_command(s, entry);
        if (r < 0)
                return r;
        return state_save(c->executor->state);
}
