/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "shared/macro.h"
#include "shared/string-util.h"

/* The journal of a run: STATE/journal.json, schema azlmigrate/journal/v1 (docs/journal.schema.json).
 * It says what the executor is about to do before it does it, and what it did after: it is
 * written (atomically: temporary file, fsync, rename, fsync of the directory) before and after
 * every step and around every checkpoint, so that after a crash at any instant it holds either
 * the state before or the state after the last change, never a mixture. Timestamps are RFC 3339
 * UTC with milliseconds ("2026-03-30T10:20:00.123Z"). */

#define JOURNAL_SCHEMA "azlmigrate/journal/v1"
/* journal.json is never larger than this (a plan has a handful of steps). */
#define JOURNAL_SIZE_MAX (4u * 1024u * 1024u)

typedef enum SourceMode {
        SOURCE_MODE_IMAGE,   /* a disk image or block device: qcow2 overlay layers */
        SOURCE_MODE_ROOT,    /* a mounted root (--root DIR): file-level undo archives */
        SOURCE_MODE_CLUSTER, /* AKS node pools ("RG/CLUSTER"): records of the cloud state */
        _SOURCE_MODE_MAX,
        _SOURCE_MODE_INVALID = -EINVAL,
} SourceMode;

typedef enum JournalStatus {
        JOURNAL_RUNNING,     /* a run is in progress, or was until a crash (then "interrupted") */
        JOURNAL_INTERRUPTED, /* a later process found the run dead (written by it, or computed) */
        JOURNAL_STOPPED,     /* a hook stopped the run at a checkpoint; resume retries */
        JOURNAL_FAILED,      /* a step failed; last_error says why */
        JOURNAL_DONE,        /* every step ran; commit or rollback next */
        JOURNAL_ROLLED_BACK, /* rolled back to a checkpoint */
        JOURNAL_COMMITTED,   /* made permanent; nothing left to roll back */
        _JOURNAL_STATUS_MAX,
        _JOURNAL_STATUS_INVALID = -EINVAL,
} JournalStatus;

typedef enum StepState {
        STEP_PENDING,
        STEP_RUNNING,
        STEP_DONE,
        STEP_FAILED,
        STEP_SKIPPED, /* the step ran and found nothing to do (e.g. no ESP) */
        _STEP_STATE_MAX,
        _STEP_STATE_INVALID = -EINVAL,
} StepState;

typedef enum CheckpointType {
        CHECKPOINT_OVERLAY,      /* layers/<id>.qcow2 */
        CHECKPOINT_UNDO_ARCHIVE, /* undo/<id>/ (ops.jsonl, preimages.tar) */
        CHECKPOINT_RECORD,       /* records/<id>.json: the cloud state rollback restores */
        _CHECKPOINT_TYPE_MAX,
        _CHECKPOINT_TYPE_INVALID = -EINVAL,
} CheckpointType;

DECLARE_STRING_TABLE_LOOKUP(source_mode, SourceMode);
DECLARE_STRING_TABLE_LOOKUP(journal_status, JournalStatus);
DECLARE_STRING_TABLE_LOOKUP(step_state, StepState);
DECLARE_STRING_TABLE_LOOKUP(checkpoint_type, CheckpointType);

typedef struct JournalStep {
        char *id;
        StepState state;
        char *started; /* NULL: not yet */
        char *finished;
        char *error;           /* why it failed, or NULL */
        int64_t bytes;         /* what the step reported writing; -1: unknown (null) */
        json_object *commands; /* cluster mode: the commands the step ran, or NULL (owned) */
} JournalStep;

typedef struct JournalCheckpoint {
        char *id; /* "cp-<step>" from the plan */
        char *before_step;
        CheckpointType kind;
        char *path; /* relative to the state directory */
        char *created;
        int64_t bytes;  /* space it takes (the layer's allocation, the undo files); -1: null */
        double seconds; /* time taken to create it; < 0: null */
} JournalCheckpoint;

typedef struct Journal {
        SourceMode mode;
        char *source_path;   /* absolute */
        char *source_format; /* raw, vhd, vhdx, qcow2, block; NULL in root mode */
        char *target_path;   /* may be NULL */
        char *target_sha256; /* "sha256:<hex>" or NULL */
        char *output;        /* --output NEW, or NULL */
        JournalStatus status;
        JournalStep *steps; /* in plan order */
        size_t n_steps;
        JournalCheckpoint *checkpoints; /* oldest first: the layer chain's order */
        size_t n_checkpoints;
        char *stopped_at;   /* the checkpoint a stopped run waits at, or NULL */
        char *rolling_back; /* a rollback in progress: the checkpoint it goes to ("" the start), or NULL */
        char *last_error;
} Journal;

/* Step and checkpoint ids: [a-z0-9][a-z0-9-]*, at most 64 bytes (they name files). */
bool journal_id_valid(const char *id);

Journal *journal_free(Journal *j);
DEFINE_TRIVIAL_CLEANUP_FUNC(Journal *, journal_free);

/* A new journal (status running, every step pending). step_ids: NULL-terminated. */
int journal_new(SourceMode mode, const char *source_path, const char *source_format, const char *target_path,
                const char *target_sha256, const char *output, char *const *step_ids, Journal **ret);

/* Parses and validates. Returns 0, -EBADMSG when it is not a valid azlmigrate/journal/v1, -errno. */
int journal_from_json(json_object *o, Journal **ret);
int journal_load(const char *path, Journal **ret);
int journal_to_json(const Journal *j, json_object **ret);
/* Writes atomically. Returns 0 or -errno; on failure the file on disk is unchanged. */
int journal_save(const Journal *j, const char *path);

JournalStep *journal_find_step(Journal *j, const char *id);
JournalCheckpoint *journal_find_checkpoint(Journal *j, const char *id);
/* Index of the checkpoint id, or -ENOENT. */
int journal_checkpoint_index(const Journal *j, const char *id);

/* Appends a checkpoint record (created: now, bytes and seconds null). Returns it, or NULL (OOM). */
JournalCheckpoint *journal_add_checkpoint(Journal *j, const char *id, const char *before_step,
                                          CheckpointType kind, const char *path);
/* Drops the checkpoints from index i on (the newest ones). */
/* The most commands a step keeps in the journal; older ones are dropped first. */
#define JOURNAL_STEP_COMMANDS_MAX 200

/* Appends entry (an object: argv, status, seconds, ...; ownership taken) to the step's commands.
 * Returns 0 or -ENOMEM (entry put). */
int journal_step_add_command(JournalStep *s, json_object *entry);

void journal_truncate_checkpoints(Journal *j, size_t i);

/* Sets a string field (copying s; NULL clears). Returns 0 or -ENOMEM. */
int journal_set_str(char **field, const char *s);
/* last_error = formatted message. */
int journal_set_error(Journal *j, const char *format, ...) _printf_(2, 3);
/* Marks a step: running (started = now, finished/error cleared), done/skipped/failed
 * (finished = now). */
int journal_step_begin(JournalStep *s);
int journal_step_end(JournalStep *s, StepState state, const char *error);
/* Back to pending, as if the step had never run (started, finished, error and bytes cleared). */
void journal_step_reset(JournalStep *s);

/* The current time as a journal timestamp. Returns 0 or -ENOMEM. */
int journal_timestamp(char **ret);
