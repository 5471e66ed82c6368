/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "shared/macro.h"
#include "shared/string-util.h"

/* Progress of a run, as events through a callback (the library never prints). Two sinks for the
 * CLI: NDJSON on a file descriptor (--progress-fd N: one JSON object a line, for machines such
 * as the az CLI extension), and a one-line progress bar for a terminal. */

typedef enum ProgressEventType {
        PROGRESS_STEP_START, /* step, index, count */
        PROGRESS_STEP_END,   /* step, index, count, state, seconds, message (why it failed) */
        PROGRESS_BYTES,      /* step, done, total (0: unknown) */
        PROGRESS_CHECKPOINT, /* checkpoint, step (before which), bytes (done), seconds; state:
                              * "created", "discarded", "rolled-back", "committed" */
        PROGRESS_FINDING,    /* step, key, severity, message */
        PROGRESS_ERROR,      /* step (may be NULL), error, message */
        _PROGRESS_EVENT_TYPE_MAX,
        _PROGRESS_EVENT_TYPE_INVALID = -EINVAL,
} ProgressEventType;

DECLARE_STRING_TABLE_LOOKUP(progress_event_type, ProgressEventType);

typedef struct ProgressEvent {
        ProgressEventType type;
        const char *step;
        unsigned index; /* 1-based position of the step in the plan */
        unsigned count; /* steps in the plan */
        const char *state;
        const char *checkpoint;
        uint64_t done;
        uint64_t total;
        double seconds; /* < 0: not given */
        const char *key;
        const char *severity;
        const char *message;
        int error; /* a negative errno, or 0 */
} ProgressEvent;

typedef void (*ProgressFn)(const ProgressEvent *ev, void *userdata);

/* {"event": "step-start", "time": "<RFC 3339>", "step": ..., ...}: only the members the event
 * type has (see above; "bytes" and "total" for bytes, "bytes" and "seconds" for checkpoints,
 * "error" as the errno name, e.g. "ENOSPC"). */
int progress_event_to_json(const ProgressEvent *ev, json_object **ret);

/* The NDJSON sink: userdata is a ProgressNdjson. Write errors are remembered, not reported (a
 * reader that went away must not stop the conversion). The caller should ignore SIGPIPE. */
typedef struct ProgressNdjson {
        int fd;
        int error;
} ProgressNdjson;
void progress_ndjson(const ProgressEvent *ev, void *userdata);

/* The terminal sink: userdata is a ProgressBar (zero-initialised, fd set). Redraws one line
 * ("[3/8] stage-target  [#####.....]  42%  1.2 GiB of 2.9 GiB") at most every 100 ms; steps,
 * checkpoints, findings and errors that end are left as lines of their own. */
typedef struct ProgressBar {
        int fd;
        unsigned width; /* 0: the terminal's (TIOCGWINSZ), else 80 */
        char step[64];
        unsigned index, count;
        uint64_t done, total;
        int64_t last_draw_ms;
        bool drawn;
} ProgressBar;
void progress_bar(const ProgressEvent *ev, void *userdata);
/* Ends a drawn line (newline) if one is pending. */
void progress_bar_finish(ProgressBar *b);

/* The bar's line for the current state, without control characters (for tests); at most
 * width columns. */
void progress_bar_format(const ProgressBar *b, char *buf, size_t size);
