/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "disk/guest-write.h"
#include "disk/guest.h"

/* Copying between guests: what the conversion steps use to carry files from the source system
 * (read through a Guest) into the staged root (written through a GuestWriter). */

/* The most entries copy_tree() copies, and its depth. */
#define COPY_TREE_ENTRIES_MAX 100000u
#define COPY_TREE_DEPTH_MAX   32u
/* The largest file copied (a kubelet binary is ~110 MiB). */
#define COPY_FILE_MAX (1024ull * 1024 * 1024)

/* Creates path and its missing parents in w as directories (mode 0755, root's), like mkdir -p.
 * Existing directories are left as they are. Returns 0 or -errno (-ENOTDIR when a component is
 * not a directory). */
int copy_mkdir_p(GuestWriter *w, const char *path);

/* Copies the entry at from (not following a final symlink) of g to to in w, keeping mode, owner,
 * mtime and extended attributes; directories with everything below them (bounded by
 * COPY_TREE_*). A regular file replaces what is at to; the parents of to must exist. Devices,
 * fifos and sockets are skipped. Returns the number of entries copied, or -errno. */
int64_t copy_tree(Guest *g, const char *from, GuestWriter *w, const char *to);

/* copy_mkdir_p() of the directory path lies in ("/a/b" for "/a/b/c"); nothing for "/x". */
int copy_mkdir_parent(GuestWriter *w, const char *path);

/* Writes data as a new or replaced regular file, creating missing parents. */
int copy_write_text(GuestWriter *w, const char *path, const char *text, uint32_t mode);

/* A read-only Guest over w's own filesystem (mounted at "/"): it sees w's writes. Valid until w
 * is closed; free it before. */
int copy_writer_view(GuestWriter *w, Guest **ret);

/* True if path exists in w's filesystem (not following a final symlink). */
int copy_exists(GuestWriter *w, const char *path);
