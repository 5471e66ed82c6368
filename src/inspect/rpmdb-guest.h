/* SPDX-License-Identifier: MIT */
#pragma once

#include "disk/guest.h"

/* Bringing a guest's RPM database to where librpm can read it (pkgdb/rpmdb.h).
 *
 * librpm opens host paths and follows the host's symlinks, so it never reads a guest tree in
 * place: the files of the guest's /var/lib/rpm are copied, through the Guest API (confined to the
 * guest, capped), into <tmp_root>/var/lib/rpm, and rpmdb_read(tmp_root) reads the copy. */

#define RPMDB_COPY_FILES_MAX 256u
#define RPMDB_COPY_FILE_MAX  (512ull * 1024 * 1024)  /* one file (real rpmdb.sqlite: 5-150 MiB) */
#define RPMDB_COPY_TOTAL_MAX (1024ull * 1024 * 1024) /* all of them */

/* Copies the regular files of the guest's /var/lib/rpm (symlinks inside the guest followed, as the
 * guest would) into <tmp_root>/var/lib/rpm, which must not exist yet; tmp_root must (a fresh
 * mkdtemp() directory). Left out: entries that are not regular files, hidden files (".rpm.lock",
 * ".dbenv.lock"), Berkeley DB environment files ("__db.001") and SQLite shared-memory files
 * ("rpmdb.sqlite-shm"): they describe processes of the guest, not its packages. A write-ahead log
 * ("rpmdb.sqlite-wal") is copied: it may hold the last transactions.
 * Returns 1 when copied, 0 when the guest has no /var/lib/rpm directory, -EFBIG when a file or
 * all of them exceed the caps above or there are more than RPMDB_COPY_FILES_MAX files, -errno.
 * On failure what was copied stays for rpmdb_copy_remove(). */
int rpmdb_copy_from_guest(Guest *g, const char *tmp_root);

/* Removes tmp_root and everything in it (the copy and what librpm added: "-shm", locks), without
 * following symlinks or crossing into other filesystems. Returns 0 or the first -errno. */
int rpmdb_copy_remove(const char *tmp_root);
