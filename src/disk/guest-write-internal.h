/* SPDX-License-Identifier: MIT */
#pragma once

#include "guest-write.h"

/* What a GuestWriter backend implements. guest-write.c checks paths, classifies the change,
 * calls the observer and then the backend: backends get canonical paths only ("/" where the
 * operation allows it), already checked for existence as the operation requires (with races
 * still possible: they refuse again what they cannot do). */
typedef struct GuestWriterOps {
        const char *name;
        /* Looks at path without following any symlink: a symlink or non-directory among the
         * directory components gives -ELOOP or -ENOTDIR, as the writing operations would. */
        int (*lstat)(GuestWriter *w, const char *path, GuestStat *ret);
        /* Optional: names the backend cannot store (-EINVAL). */
        int (*check_path)(GuestWriter *w, const char *path);
        int (*mkdir)(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid);
        /* Allocates the backend's file object (which starts with GuestWriterFile); the file
         * appears at path only in file_commit, replacing what was there. */
        int (*file_open)(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
                         GuestWriterFile **ret);
        int (*file_write)(GuestWriterFile *f, const void *data, size_t size);
        int (*file_commit)(GuestWriterFile *f, int64_t mtime);
        /* Frees f, discarding the file if it was not committed. */
        void (*file_free)(GuestWriterFile *f);
        /* Optional (NULL: -EOPNOTSUPP). */
        int (*symlink)(GuestWriter *w, const char *path, const char *target, uint32_t uid, uint32_t gid);
        /* Optional (NULL: -EOPNOTSUPP). */
        int (*hardlink)(GuestWriter *w, const char *path, const char *existing);
        int (*rename)(GuestWriter *w, const char *from, const char *to);
        /* st: what lstat found at path. */
        int (*remove)(GuestWriter *w, const char *path, const GuestStat *st);
        /* Fields may be GUEST_WRITER_KEEP_ID / GUEST_WRITER_KEEP_TIME. */
        int (*set_meta)(GuestWriter *w, const char *path, uint32_t mode, uint32_t uid, uint32_t gid,
                        int64_t mtime);
        /* Optional (NULL: -EOPNOTSUPP). */
        int (*set_xattr)(GuestWriter *w, const char *path, const char *name, const void *value, size_t size);
        GuestFs *(*fs)(GuestWriter *w);
        /* Flushes, then frees everything (the writer included); returns the flush's error. */
        int (*close)(GuestWriter *w);
        /* Frees everything without flushing. */
        void (*free)(GuestWriter *w);
} GuestWriterOps;

/* Every backend's writer starts with this. */
struct GuestWriter {
        const GuestWriterOps *ops;
        GuestWriteObserver observer;
        void *observer_userdata;
        bool sync;
};

/* Every backend's streaming file starts with this; guest-write.c fills it in. */
struct GuestWriterFile {
        GuestWriter *writer;
        char *path;
        int error; /* the first failed write: the file is discarded at close */
};

/* Fills in the common part of a new writer. */
static inline void guest_writer_init(GuestWriter *w, const GuestWriterOps *ops)
{
        *w = (GuestWriter){ .ops = ops, .sync = true };
}

/* Splits canonical path (not "/") into its parent (a new string, "/" for top-level names) and a
 * pointer to its last component inside path. */
int guest_write_split(const char *path, char **ret_parent, const char **ret_name);

/* The current time, in seconds since the epoch. */
int64_t guest_write_now(void);
