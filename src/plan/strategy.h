/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/macro.h"
#include "shared/string-util.h"

/* Strategy templates: plans/strategies/<name>.json (format in plans/strategies/README.md). A
 * strategy is an ordered list of step templates plus the paths it preserves; the planner turns it
 * into the plan's steps and checkpoints. */

/* What a checkpoint before a step saves. CHECKPOINT_AUTO exists only in templates: the planner
 * resolves it from the source (a mounted root gets an undo archive, a disk an overlay). */
typedef enum CheckpointKind {
        CHECKPOINT_OVERLAY,      /* a qcow2 overlay layer: later writes go above it */
        CHECKPOINT_UNDO_ARCHIVE, /* pre-images of the paths the step changes (libarchive) */
        CHECKPOINT_NONE,         /* a journal mark: the step only creates what did not exist */
        CHECKPOINT_RECORD,       /* node pools: the recorded cloud and node state rollback restores */
        CHECKPOINT_AUTO,
        _CHECKPOINT_KIND_MAX,
        _CHECKPOINT_KIND_INVALID = -EINVAL,
} CheckpointKind;

DECLARE_STRING_TABLE_LOOKUP(checkpoint_kind, CheckpointKind);

typedef struct StepTemplate {
        char *id;   /* [a-z0-9-]+, unique in the strategy */
        char *kind; /* [a-z0-9-]+: what sort of work (check, verify, stage, carry, ...) */
        char *description;
        char **reads; /* paths or "@name" expansions (see plan.c) */
        char **writes;
        bool mutates;    /* changes a disk: the source, or the new disk a strategy writes */
        bool checkpoint; /* a checkpoint is taken before the step */
        CheckpointKind checkpoint_kind;
        char *undo;
} StepTemplate;

typedef enum StrategySubject {
        STRATEGY_SUBJECT_DISK,     /* a node's disk: plan, convert, apply */
        STRATEGY_SUBJECT_NODEPOOL, /* an AKS node pool: nodepool plan, nodepool apply */
        _STRATEGY_SUBJECT_MAX,
        _STRATEGY_SUBJECT_INVALID = -EINVAL,
} StrategySubject;

DECLARE_STRING_TABLE_LOOKUP(strategy_subject, StrategySubject);

typedef struct Strategy {
        char *name;
        StrategySubject subject; /* "subject" of the file; "disk" when absent */
        char *title;
        char *description;
        char **preserve; /* absolute paths, sorted */
        StepTemplate *steps;
        size_t n_steps;
} Strategy;

Strategy *strategy_free(Strategy *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Strategy *, strategy_free);

/* True for names that may name a strategy file: [a-z0-9-]+, at most 64 bytes. */
bool strategy_name_is_valid(const char *name);

/* Loads plans_dir/strategies/<name>.json and validates it: unique step ids, known checkpoint
 * kinds, a checkpoint before every mutating step, absolute preserve paths.
 * Returns 0; -EINVAL for an invalid name; -ENOENT when there is no such strategy; -EBADMSG for a
 * malformed file, with *ret_error saying what and where (caller frees); or -errno. */
int strategy_load(const char *plans_dir, const char *name, Strategy **ret, char **ret_error);

/* The names of the strategies in plans_dir/strategies, sorted. Returns 0 or -errno. */
int strategy_list(const char *plans_dir, char ***ret);
