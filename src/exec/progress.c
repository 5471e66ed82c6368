/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "shared/fileio.h"
#include "journal.h"
#include "progress.h"
#include "shared/format-util.h"
#include "shared/json-util.h"

static const char *const progress_event_type_table[_PROGRESS_EVENT_TYPE_MAX] = {
        [PROGRESS_STEP_START] = "step-start", [PROGRESS_STEP_END] = "step-end", [PROGRESS_BYTES] = "bytes",
        [PROGRESS_CHECKPOINT] = "checkpoint", [PROGRESS_FINDING] = "finding",   [PROGRESS_ERROR] = "error",
};
DEFINE_STRING_TABLE_LOOKUP(progress_event_type, ProgressEventType);

static int add_opt_str(json_object *o, const char *key, const char *v)
{
        return v ? json_add_str(o, key, v) : 0;
}

int progress_event_to_json(const ProgressEvent *ev, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        _cleanup_free_ char *now = NULL;
        const char *type = progress_event_type_to_string(ev->type);

        if (!type)
                return -EINVAL;
        if (!o || journal_timestamp(&now) < 0)
                return -ENOMEM;
        if (json_add_str(o, "event", type) < 0 || json_add_str(o, "time", now) < 0 ||
            add_opt_str(o, "step", ev->step) < 0)
                return -ENOMEM;
        switch (ev->type) {
        case PROGRESS_STEP_START:
        case PROGRESS_STEP_END:
                if (json_add_int(o, "index", ev->index) < 0 || json_add_int(o, "count", ev->count) < 0 ||
                    add_opt_str(o, "state", ev->state) < 0)
                        return -ENOMEM;
                if (ev->type == PROGRESS_STEP_END && ev->seconds >= 0 &&
                    json_add(o, "seconds", json_object_new_double(ev->seconds)) < 0)
                        return -ENOMEM;
                if (add_opt_str(o, "message", ev->message) < 0)
                        return -ENOMEM;
                break;
        case PROGRESS_BYTES:
                if (json_add_int(o, "bytes", (int64_t) ev->done) < 0 ||
                    json_add(o, "total", ev->total ? json_object_new_int64((int64_t) ev->total) : NULL) < 0)
                        return -ENOMEM;
                break;
        case PROGRESS_CHECKPOINT:
                if (add_opt_str(o, "checkpoint", ev->checkpoint) < 0 ||
                    add_opt_str(o, "state", ev->state) < 0 ||
                    json_add_int(o, "bytes", (int64_t) ev->done) < 0 ||
                    (ev->seconds >= 0 && json_add(o, "seconds", json_object_new_double(ev->seconds)) < 0))
                        return -ENOMEM;
                break;
        case PROGRESS_FINDING:
                if (add_opt_str(o, "key", ev->key) < 0 || add_opt_str(o, "severity", ev->severity) < 0 ||
                    add_opt_str(o, "message", ev->message) < 0)
                        return -ENOMEM;
                break;
        case PROGRESS_ERROR:
                if (ev->error != 0 && json_add_str(o, "error", strerrorname_np(-ev->error) ?: "EIO") < 0)
                        return -ENOMEM;
                if (add_opt_str(o, "message", ev->message) < 0)
                        return -ENOMEM;
                break;
        default:
                break;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

void progress_ndjson(const ProgressEvent *ev, void *userdata)
{
        ProgressNdjson *s = userdata;
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *line = NULL;
        const char *j;
        int r;

        if (!s || s->fd < 0)
                return;
        r = progress_event_to_json(ev, &o);
        if (r < 0) {
                s->error = r;
                return;
        }
        j = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!j || asprintf(&line, "%s\n", j) < 0) {
                s->error = -ENOMEM;
                return;
        }
        /* One write per event: readers see whole lines. */
        r = write_full(s->fd, line, strlen(line));
        if (r < 0)
                s->error = r;
}

/* The bar. */

static int64_t now_ms(void)
{
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned bar_width(const ProgressBar *b)
{
        struct winsize ws;

        if (b->width)
                return b->width;
        if (ioctl(b->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
                return ws.ws_col;
        return 80;
}

void progress_bar_format(const ProgressBar *b, char *buf, size_t size)
{
        unsigned width = bar_width(b), cells = 20, pct;
        char head[128], tail[160], done[32], total[32], bar[64];
        size_t n;

        (void) snprintf(head, sizeof head, "[%u/%u] %s", b->index, b->count, b->step);
        if (b->total == 0) {
                if (b->done > 0) {
                        format_bytes(b->done, done, sizeof done);
                        (void) snprintf(buf, size, "%s  %s", head, done);
                } else
                        (void) snprintf(buf, size, "%s", head);
        } else {
                pct = (unsigned) MIN(100u, b->done * 100u / b->total);
                for (unsigned i = 0; i < cells; i++)
                        bar[i] = i < pct * cells / 100u ? '#' : '.';
                bar[cells] = 0;
                format_bytes(b->done, done, sizeof done);
                format_bytes(b->total, total, sizeof total);
                (void) snprintf(tail, sizeof tail, "[%s] %3u%%  %s of %s", bar, pct, done, total);
                (void) snprintf(buf, size, "%-30s %s", head, tail);
        }
        n = strlen(buf);
        if (n >= width && width < size)
                buf[width - 1] = 0;
}

static void bar_draw(ProgressBar *b, bool force)
{
        char line[256], out[300];
        int64_t t = now_ms();

        if (!force && b->drawn && t - b->last_draw_ms < 100)
                return;
        progress_bar_format(b, line, sizeof line);
        (void) snprintf(out, sizeof out, "\r%s\x1b[K", line);
        (void) write_full(b->fd, out, strlen(out));
        b->last_draw_ms = t;
        b->drawn = true;
}

void progress_bar_finish(ProgressBar *b)
{
        if (b && b->drawn) {
                (void) write_full(b->fd, "\n", 1);
                b->drawn = false;
        }
}

static void bar_line(ProgressBar *b, const char *text)
{
        char out[600];

        if (b->drawn)
                (void) write_full(b->fd, "\r\x1b[K", 4);
        b->drawn = false;
        (void) snprintf(out, sizeof out, "%s\n", text);
        (void) write_full(b->fd, out, strlen(out));
}

void progress_bar(const ProgressEvent *ev, void *userdata)
{
        ProgressBar *b = userdata;
        char text[512], size[32];

        if (!b || b->fd < 0)
                return;
        switch (ev->type) {
        case PROGRESS_STEP_START:
                (void) snprintf(b->step, sizeof b->step, "%s", strempty(ev->step));
                b->index = ev->index;
                b->count = ev->count;
                b->done = b->total = 0;
                bar_draw(b, true);
                break;
        case PROGRESS_BYTES:
                b->done = ev->done;
                b->total = ev->total;
                bar_draw(b, false);
                break;
        case PROGRESS_STEP_END:
                (void) snprintf(text, sizeof text, "[%u/%u] %s: %s%s%s (%.1f s)", ev->index, ev->count,
                                strempty(ev->step), strempty(ev->state), ev->message ? ": " : "",
                                strempty(ev->message), ev->seconds < 0 ? 0.0 : ev->seconds);
                bar_line(b, text);
                break;
        case PROGRESS_CHECKPOINT:
                format_bytes(ev->done, size, sizeof size);
                if (ev->seconds >= 0)
                        (void) snprintf(text, sizeof text, "checkpoint %s %s (%s, %.2f s)",
                                        strempty(ev->checkpoint), strempty(ev->state), size, ev->seconds);
                else
                        (void) snprintf(text, sizeof text, "checkpoint %s %s", strempty(ev->checkpoint),
                                        strempty(ev->state));
                bar_line(b, text);
                if (b->step[0])
                        bar_draw(b, true);
                break;
        case PROGRESS_FINDING:
                (void) snprintf(text, sizeof text, "%s: %s (%s)", strempty(ev->severity),
                                strempty(ev->message), strempty(ev->key));
                bar_line(b, text);
                break;
        case PROGRESS_ERROR:
                (void) snprintf(text, sizeof text, "error%s%s: %s", ev->step ? " in " : "",
                                strempty(ev->step), ev->message ?: strerror(-ev->error));
                bar_line(b, text);
                break;
        default:
                break;
        }
}
