/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "disk/guest-write.h"
#include "shared/macro.h"

/* Root mode (--root DIR): the file-level undo journal of one checkpoint, STATE/undo/<id>/:
 *   ops.jsonl       one inverse operation per line, appended and fsynced BEFORE the change it
 *                   undoes is made (write-ahead), in the order of the changes:
 *                     {"seq":N,"op":"remove","path":P,"forward":F,"parents":[[DIR,SEC,NSEC]...]}
 *                         P did not exist: remove it (a directory with everything below it,
 *                         all of which was created in this checkpoint)
 *                     {"seq":N,"op":"restore","path":P,"at":OFFSET,...}
 *                         put back the pre-image stored at byte OFFSET of preimages.tar
 *                         (type, content or link target, mode, owner, mtime/atime, xattrs)
 *                     {"seq":N,"op":"restore-meta","path":P,"at":OFFSET,...}
 *                         put back only mode, owner, times and xattrs (the change was metadata)
 *                     {"seq":N,"op":"rename","from":B,"to":A,...}
 *                         the change renamed A to B: rename it back (no content copied)
 *                   "parents" are the directories whose entries the change alters, with their
 *                   mtimes before it: set again after the inverse operation, so that a rollback
 *                   restores directory timestamps too.
 *   preimages.tar   pax archive (libarchive) of the pre-images, one member per "restore" record,
 *                   each written and fsynced before its ops.jsonl line
 *   replay.log      rollback progress: the seq of each inverse operation done, one a line
 * A path gets a pre-image before its first change in the checkpoint only; a rename clears that
 * memory (later changes are recorded again). Nothing is recorded below a directory the
 * checkpoint created (its removal covers them). Removing a non-empty directory is refused.
 * Every access to the root goes through openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS) on the
 * root's descriptor, as the dir writer's do: a symlink in a directory component is an error,
 * and the final component is never followed. Hard links are not preserved by a restore (a
 * replaced file with several names comes back as a separate inode). */

#define UNDO_OPS      "ops.jsonl"
#define UNDO_ARCHIVE  "preimages.tar"
#define UNDO_REPLAYED "replay.log"

typedef struct Undo Undo;

/* Starts recording into the directory dir (created, must not hold a journal already: -EEXIST)
 * for the root directory root. */
int undo_begin(const char *dir, const char *root, Undo **ret);
/* Finishes the archive and fsyncs; frees u in every case. */
int undo_end(Undo *u);
Undo *undo_free(Undo *u);
DEFINE_TRIVIAL_CLEANUP_FUNC(Undo *, undo_free);

/* Records the inverse of a change about to be made (paths: canonical absolute guest paths of the
 * root). Returns 0, or -errno: the change must then not be made (as a writer observer, the
 * writer vetoes it). */
int undo_record(Undo *u, GuestWriteOp op, const char *path, const char *path2);

/* Changes recorded and bytes of pre-image content so far. */
uint64_t undo_ops(const Undo *u);

/* Replays the inverse operations of dir on root, newest first. Each is idempotent and its
 * completion is logged in replay.log, so a rollback interrupted at any instant and run again
 * converges to the same tree. A missing dir or an empty journal is success. *counter (may be
 * NULL) counts inverse operations done (for the fault switch "kill:rollback:<n>"). */
int undo_replay(const char *dir, const char *root, unsigned *counter);
