/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "journal.h"
#include "state.h"

/* Image mode: the source (raw, VHD, VHDX, qcow2 or a block device) is never written before
 * commit. Every checkpoint is a qcow2 layer STATE/layers/<checkpoint>.qcow2 over the previous
 * one (the first over the source: an absolute backing path; the others relative, "cp-x.qcow2").
 * A step writes into the top layer through its FUSE export STATE/export.raw, served by
 * qemu-storage-daemon (pid in STATE/qsd.pid); the export is up only while a step runs.
 * Needs qemu-img, qemu-storage-daemon and a usable /dev/fuse (root). */

/* qemu's format name for an inventory source format: raw, vhd (vpc), vhdx, qcow2, block (raw).
 * Returns NULL for anything else. */
const char *overlay_qemu_format(const char *source_format);

/* Checks that the tools and /dev/fuse are there. Returns 0, or -ENOENT/-EACCES with a
 * one-line reason in *ret_reason (static string). */
int overlay_available(const char **ret_reason);

/* Creates the empty layer layers/<id>.qcow2 over the journal's current top (the last checkpoint,
 * or the source): written under a temporary name, fsynced and renamed, so that the layer either
 * exists whole or not at all. Any earlier file of that name is replaced. Returns 0 or -errno
 * (a qemu-img failure: -EPROTO with its message in *ret_error). */
int overlay_layer_create(StateDir *s, const char *id, char **ret_error);
/* Deletes layers/<id>.qcow2 (missing: success) and fsyncs layers/. */
int overlay_layer_discard(StateDir *s, const char *id);
/* The layer's allocated bytes, as qemu-img info --output=json reports them (actual-size). */
int overlay_layer_bytes(StateDir *s, const char *id, int64_t *ret);

/* The image a step works on: the top layer (qcow2) or, with no layer yet, the source in its own
 * format. ret_path is absolute; caller frees. */
int overlay_top(StateDir *s, char **ret_path, const char **ret_format);

/* Starts qemu-storage-daemon exporting the top (see overlay_top()) at STATE/export.raw through
 * FUSE, writable or read-only, after stopping a stale daemon of an earlier run. Returns when the
 * export answers reads. ret_export (caller frees): the export's absolute path. */
int overlay_export_start(StateDir *s, bool writable, char **ret_export, char **ret_error);
/* Stops the daemon (SIGTERM, wait: it flushes the layer and unmounts; then SIGKILL), removes a
 * FUSE mount left behind (fusermount3 -u, umount2 as a fallback), the pidfile and export.raw,
 * and fsyncs the top layer. Also stops a stale daemon of a crashed run found by the pidfile
 * (only if /proc says it is qemu-storage-daemon serving this state directory). Nothing running:
 * success. */
int overlay_export_stop(StateDir *s);

/* Merges every layer into the source (qemu-img commit -b SOURCE TOP: rerunnable after a crash,
 * it writes the same data again) and fsyncs the source. The layers are left for the caller to
 * delete once the journal says committed. */
int overlay_commit(StateDir *s, char **ret_error);

/* The qemu format for an output path: from format ("raw", "vhd"/"vpc", "qcow2") when given,
 * else from the extension (.raw/.img, .vhd, .qcow2). NULL: unknown. */
const char *overlay_output_format(const char *path, const char *format);
/* Writes the top (the converted disk) as a new image at path (qemu-img convert; a VHD is fixed,
 * with the exact size), through a temporary file in the same directory renamed into place.
 * The source and the layers are not changed. */
int overlay_output(StateDir *s, const char *path, const char *format, char **ret_error);
