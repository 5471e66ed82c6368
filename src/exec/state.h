/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "journal.h"
#include "shared/macro.h"

/* The state directory of a run (--state-dir DIR):
 *   plan.json        the plan being executed (copied in by convert/apply)
 *   journal.json     azlmigrate/journal/v1 (journal.h), replaced atomically
 *   lock             flock(LOCK_EX | LOCK_NB) by the process working on the run, for its life
 *   layers/          image mode: <checkpoint>.qcow2, the overlay chain over the source
 *   undo/            root mode: <checkpoint>/ops.jsonl and preimages.tar
 *   logs/            <step>.log, hook-<phase>-<step>-<name>.log, qemu-*.log
 *   export.raw       image mode, during a step: the FUSE export of the top layer
 *   qsd.pid          image mode, during a step: qemu-storage-daemon's pid
 * Every change to a file in it is crash-safe: written to a temporary file, fsynced, renamed, and
 * the directory fsynced. */

#define STATE_PLAN    "plan.json"
#define STATE_JOURNAL "journal.json"
#define STATE_LOCK    "lock"
#define STATE_LAYERS  "layers"
#define STATE_UNDO    "undo"
#define STATE_RECORDS "records"
#define STATE_LOGS    "logs"
#define STATE_EXPORT  "export.raw"
#define STATE_QSD_PID "qsd.pid"

typedef struct StateDir {
        char *path; /* absolute, canonical */
        int dir_fd;
        int lock_fd;      /* the lock, or -EBADF when opened without it */
        Journal *journal; /* NULL when there is none yet */
} StateDir;

typedef enum StateOpenFlags {
        STATE_OPEN_CREATE = 1 << 0, /* create the directory (0700) and logs/ when missing */
        STATE_OPEN_LOCK = 1 << 1,   /* take the lock: -EBUSY when another process holds it */
} StateOpenFlags;

/* Opens a state directory and loads its journal if there is one. With STATE_OPEN_LOCK, leftover
 * temporary files of an interrupted journal write are removed. Returns 0, -EBUSY (locked by
 * another process), -ENOENT (no such directory and no CREATE), -EBADMSG (the journal is not a
 * valid azlmigrate/journal/v1), or -errno. */
int state_open(const char *path, StateOpenFlags flags, StateDir **ret);
/* Releases the lock and frees. */
StateDir *state_free(StateDir *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(StateDir *, state_free);

/* STATE/rel (caller frees), or NULL on OOM. */
char *state_path(const StateDir *s, const char *rel);
/* Writes s->journal atomically. Requires the lock. */
int state_save(StateDir *s);
int state_write_plan(StateDir *s, json_object *plan);
int state_read_plan(const StateDir *s, json_object **ret);

/* What a run is doing, for `status`, without disturbing it (the lock is not taken):
 * JOURNAL_RUNNING only when a live process holds the lock (its pid in *ret_pid when known, else
 * 0); JOURNAL_INTERRUPTED when the journal says running but nobody holds the lock (a crash);
 * else the journal's status. Returns 0, -ENOENT when there is no journal, or -errno. */
int state_status(const char *path, JournalStatus *ret_status, pid_t *ret_pid, Journal **ret_journal);

/* Whether someone holds the lock file open at dir_fd (from /proc/locks). Returns 1 (its pid in
 * *ret_pid), 0, or -errno. */
int state_lock_holder(int dir_fd, pid_t *ret_pid);

/* Removes a file or a directory tree below the state directory (rel: no "..", not absolute),
 * fsyncing the parent. Missing is success. */
int state_remove(StateDir *s, const char *rel);
