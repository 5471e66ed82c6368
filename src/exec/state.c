/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "exec-fs.h"
#include "shared/fd-util.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "state.h"

/* plan.json: plans are a few MiB at most (rendered translations included). */
#define PLAN_SIZE_MAX (64u * 1024u * 1024u)

StateDir *state_free(StateDir *s)
{
        if (!s)
                return NULL;
        safe_close(s->dir_fd);
        safe_close(s->lock_fd); /* releases the flock */
        journal_free(s->journal);
        free(s->path);
        free(s);
        return NULL;
}

char *state_path(const StateDir *s, const char *rel)
{
        return path_join(s->path, rel);
}

static int mkdir_p(const char *path, mode_t mode)
{
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *c = p + 1; *c; c++) {
                if (*c != '/')
                        continue;
                *c = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *c = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* Leftovers of write_file_atomic() killed between mkostemp() and rename(). */
static void remove_stale_temporaries(int dir_fd)
{
        int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;
        struct dirent *de;

        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return;
        }
        while ((de = readdir(d)))
                if (startswith(de->d_name, STATE_JOURNAL ".tmp.") ||
                    startswith(de->d_name, STATE_PLAN ".tmp."))
                        (void) unlinkat(dir_fd, de->d_name, 0);
        closedir(d);
}

int state_open(const char *path, StateOpenFlags flags, StateDir **ret)
{
        _cleanup_(state_freep) StateDir *s = NULL;
        _cleanup_free_ char *jpath = NULL;
        int r;

        if (isempty(path))
                return -EINVAL;
        if (flags & STATE_OPEN_CREATE) {
                r = mkdir_p(path, 0700);
                if (r < 0)
                        return r;
        }
        s = calloc(1, sizeof(StateDir));
        if (!s)
                return -ENOMEM;
        s->dir_fd = s->lock_fd = -EBADF;
        s->path = realpath(path, NULL);
        if (!s->path)
                return -errno;
        s->dir_fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->dir_fd < 0)
                return -errno;

        if (flags & STATE_OPEN_LOCK) {
                s->lock_fd = openat(s->dir_fd, STATE_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (s->lock_fd < 0)
                        return -errno;
                if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0)
                        return errno == EWOULDBLOCK ? -EBUSY : -errno;
                remove_stale_temporaries(s->dir_fd);
        }
        if (flags & STATE_OPEN_CREATE) {
                if (mkdirat(s->dir_fd, STATE_LOGS, 0700) < 0 && errno != EEXIST)
                        return -errno;
        }

        jpath = state_path(s, STATE_JOURNAL);
        if (!jpath)
                return -ENOMEM;
        r = journal_load(jpath, &s->journal);
        if (r < 0 && r != -ENOENT)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int state_save(StateDir *s)
{
        _cleanup_free_ char *p = NULL;

        if (!s->journal)
                return -EINVAL;
        if (s->lock_fd < 0)
                return -ENOLCK;
        p = state_path(s, STATE_JOURNAL);
        if (!p)
                return -ENOMEM;
        return journal_save(s->journal, p);
}

int state_write_plan(StateDir *s, json_object *plan)
{
        _cleanup_free_ char *p = state_path(s, STATE_PLAN);

        if (!p)
                return -ENOMEM;
        if (s->lock_fd < 0)
                return -ENOLCK;
        return json_dump_file(plan, p);
}

int state_read_plan(const StateDir *s, json_object **ret)
{
        _cleanup_free_ char *p = state_path(s, STATE_PLAN);

        if (!p)
                return -ENOMEM;
        return json_parse_file(p, PLAN_SIZE_MAX, ret);
}

int state_lock_holder(int dir_fd, pid_t *ret_pid)
{
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t size;
        const char *line;
        size_t len;
        int r;

        if (fstatat(dir_fd, STATE_LOCK, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        r = read_full_file_capped("/proc/locks", 64u * 1024u * 1024u, &buf, &size);
        if (r < 0)
                return r;
        /* "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5767 0 EOF"; waiters ("1: -> FLOCK ...") skipped. */
        LineIter it = line_iter_init(buf, size);
        while (line_iter_next(&it, &line, &len)) {
                _cleanup_free_ char *l = strndup(line, len);
                char kind[32], adv[32], rw[32];
                unsigned maj, min;
                unsigned long long ino;
                long pid;

                if (!l)
                        return -ENOMEM;
                if (strstr(l, "->"))
                        continue;
                const char *p = strchr(l, ':');
                if (!p || sscanf(p + 1, "%31s %31s %31s %ld %x:%x:%llu", kind, adv, rw, &pid, &maj, &min,
                                 &ino) != 7)
                        continue;
                if (!streq(kind, "FLOCK") || ino != (unsigned long long) st.st_ino ||
                    makedev(maj, min) != st.st_dev)
                        continue;
                if (ret_pid)
                        *ret_pid = pid > 0 ? (pid_t) pid : 0;
                return 1;
        }
        return 0;
}

int state_status(const char *path, JournalStatus *ret_status, pid_t *ret_pid, Journal **ret_journal)
{
        _cleanup_(state_freep) StateDir *s = NULL;
        pid_t pid = 0;
        JournalStatus st;
        int r;

        r = state_open(path, 0, &s);
        if (r < 0)
                return r;
        if (!s->journal)
                return -ENOENT;
        r = state_lock_holder(s->dir_fd, &pid);
        if (r < 0)
                return r;
        if (r > 0)
                st = JOURNAL_RUNNING;
        else if (s->journal->status == JOURNAL_RUNNING)
                st = JOURNAL_INTERRUPTED;
        else
                st = s->journal->status;
        if (ret_status)
                *ret_status = st;
        if (ret_pid)
                *ret_pid = r > 0 ? pid : 0;
        if (ret_journal)
                *ret_journal = TAKE_PTR(s->journal);
        return 0;
}

int state_remove(StateDir *s, const char *rel)
{
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int dfd = -EBADF;
        const char *base;
        int r;

        if (isempty(rel) || rel[0] == '/' || strstr(rel, ".."))
                return -EINVAL;
        base = path_basename(rel);
        if (base == rel) {
                r = rm_rf_at(s->dir_fd, rel);
                if (r < 0)
                        return r;
                return fsync_dir_fd(s->dir_fd);
        }
        dir = strndup(rel, (size_t) (base - rel));
        if (!dir)
                return -ENOMEM;
        dfd = openat(s->dir_fd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : -errno;
        r = rm_rf_at(dfd, base);
        if (r < 0)
                return r;
        return fsync_dir_fd(dfd);
}
