/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "exec-fs.h"
#include "fault.h"
#include "overlay.h"
#include "run.h"
#include "shared/fd-util.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"

#define QEMU_IMG       "qemu-img"
#define QSD            "qemu-storage-daemon"
#define FUSERMOUNT     "fusermount3"
#define EXPORT_WAIT_MS 10000
#define STOP_WAIT_MS   60000

const char *overlay_qemu_format(const char *source_format)
{
        static const char *const map[][2] = {
                { "raw", "raw" },     { "vhd", "vpc" },   { "vhdx", "vhdx" },
                { "qcow2", "qcow2" }, { "block", "raw" },
        };

        for (size_t i = 0; source_format && i < ELEMENTSOF(map); i++)
                if (streq(source_format, map[i][0]))
                        return map[i][1];
        return NULL;
}

int overlay_available(const char **ret_reason)
{
        int fd;

        if (!find_in_path(QEMU_IMG)) {
                *ret_reason = "qemu-img is not installed (Debian: qemu-utils)";
                return -ENOENT;
        }
        if (!find_in_path(QSD)) {
                *ret_reason = "qemu-storage-daemon is not installed (Debian: qemu-system-common)";
                return -ENOENT;
        }
        fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                int r = -errno;
                *ret_reason = r == -ENOENT ? "/dev/fuse does not exist (no FUSE in this kernel or container)"
                                           : "/dev/fuse cannot be opened (image mode needs root)";
                return r;
        }
        safe_close(fd);
        return 0;
}

static char *layer_rel(const char *id)
{
        char *s = NULL;
        return asprintf(&s, STATE_LAYERS "/%s.qcow2", id) < 0 ? NULL : s;
}

/* The absolute path of layers/<id>.qcow2, or NULL (out of memory). */
static char *layer_path(StateDir *s, const char *id)
{
        _cleanup_free_ char *rel = layer_rel(id);

        return rel ? state_path(s, rel) : NULL;
}

static const JournalCheckpoint *top_checkpoint(const StateDir *s)
{
        const Journal *j = s->journal;

        for (size_t i = j->n_checkpoints; i > 0; i--)
                if (j->checkpoints[i - 1].kind == CHECKPOINT_OVERLAY)
                        return &j->checkpoints[i - 1];
        return NULL;
}

/* The checkpoint record before the one named id (its backing), or NULL for the source. */
static const JournalCheckpoint *below(const StateDir *s, const char *id)
{
        const JournalCheckpoint *prev = NULL;
        const Journal *j = s->journal;

        for (size_t i = 0; i < j->n_checkpoints; i++) {
                if (streq(j->checkpoints[i].id, id))
                        return prev;
                if (j->checkpoints[i].kind == CHECKPOINT_OVERLAY)
                        prev = &j->checkpoints[i];
        }
        return prev;
}

int overlay_top(StateDir *s, char **ret_path, const char **ret_format)
{
        const JournalCheckpoint *top;
        const char *fmt;

        if (!s->journal || s->journal->mode != SOURCE_MODE_IMAGE)
                return -EINVAL;
        top = top_checkpoint(s);
        if (!top) {
                fmt = overlay_qemu_format(s->journal->source_format);
                if (!fmt)
                        return -EMEDIUMTYPE;
                *ret_path = strdup(s->journal->source_path);
                if (!*ret_path)
                        return -ENOMEM;
                *ret_format = fmt;
                return 0;
        }
        *ret_path = layer_path(s, top->id);
        if (!*ret_path)
                return -ENOMEM;
        *ret_format = "qcow2";
        return 0;
}

static int fsync_path(const char *path)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return -errno;
        return fsync(fd) < 0 ? -errno : 0;
}

/* Finishes the file a qemu-img run (result r) wrote at tmp: made durable and renamed to final in
 * dir, or, on any failure, removed. */
static int tmp_finish(int r, const char *tmp, const char *final, const char *dir)
{
        if (r >= 0)
                r = fsync_path(tmp);
        if (r >= 0 && rename(tmp, final) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlink(tmp);
                return r;
        }
        return fsync_dir_path(dir);
}

int overlay_layer_create(StateDir *s, const char *id, char **ret_error)
{
        _cleanup_free_ char *dir = NULL, *tmp = NULL, *final = NULL, *backing = NULL;
        const JournalCheckpoint *prev;
        const char *fmt;
        int r;

        if (!journal_id_valid(id) || !s->journal || s->journal->mode != SOURCE_MODE_IMAGE)
                return -EINVAL;
        r = fault_fail("checkpoint-create");
        if (r < 0)
                return r;
        dir = state_path(s, STATE_LAYERS);
        if (!dir)
                return -ENOMEM;
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        if (asprintf(&tmp, "%s/.%s.qcow2.tmp", dir, id) < 0 || asprintf(&final, "%s/%s.qcow2", dir, id) < 0)
                return -ENOMEM;

        prev = below(s, id);
        if (prev) {
                if (asprintf(&backing, "%s.qcow2", prev->id) < 0)
                        return -ENOMEM;
                fmt = "qcow2";
        } else {
                fmt = overlay_qemu_format(s->journal->source_format);
                if (!fmt)
                        return -EMEDIUMTYPE;
                backing = strdup(s->journal->source_path);
                if (!backing)
                        return -ENOMEM;
        }
        (void) unlink(tmp);
        r = run_simple((char *[]){ (char *) QEMU_IMG, (char *) "create", (char *) "-q", (char *) "-f",
                                   (char *) "qcow2", (char *) "-b", backing, (char *) "-F", (char *) fmt,
                                   tmp, NULL },
                       NULL, ret_error);
        return tmp_finish(r, tmp, final, dir);
}

int overlay_layer_discard(StateDir *s, const char *id)
{
        _cleanup_free_ char *rel = NULL;

        if (!journal_id_valid(id))
                return -EINVAL;
        rel = layer_rel(id);
        if (!rel)
                return -ENOMEM;
        return state_remove(s, rel);
}

int overlay_layer_bytes(StateDir *s, const char *id, int64_t *ret)
{
        _cleanup_free_ char *path = NULL, *out = NULL;
        _cleanup_json_ json_object *o = NULL;
        json_object *v;
        int r;

        path = layer_path(s, id);
        if (!path)
                return -ENOMEM;
        /* -U: the daemon may hold the image open. */
        r = run_simple((char *[]){ (char *) QEMU_IMG, (char *) "info", (char *) "-U",
                                   (char *) "--output=json", (char *) "-f", (char *) "qcow2", path, NULL },
                       &out, NULL);
        if (r < 0)
                return r;
        o = json_tokener_parse(out);
        v = json_get(o, "actual-size");
        if (!v || !json_object_is_type(v, json_type_int))
                return -EBADMSG;
        *ret = json_object_get_int64(v);
        return 0;
}

/* The export. */

/* qemu's option syntax: a comma inside a value is written twice. */
static char *qemu_escape(const char *s)
{
        size_t n = 0;
        char *r, *p;

        for (const char *c = s; *c; c++)
                n += *c == ',' ? 2 : 1;
        r = p = malloc(n + 1);
        if (!r)
                return NULL;
        for (const char *c = s; *c; c++) {
                *p++ = *c;
                if (*c == ',')
                        *p++ = ',';
        }
        *p = 0;
        return r;
}

static int64_t now_ms(void)
{
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };
        (void) nanosleep(&ts, NULL);
}

/* 1 if something is mounted on the export file (a live or a dead FUSE mount), 0 if not. */
static int export_mounted(StateDir *s)
{
        struct stat st, dst;

        if (fstat(s->dir_fd, &dst) < 0)
                return -errno;
        if (fstatat(s->dir_fd, STATE_EXPORT, &st, 0) < 0) {
                if (errno == ENOENT)
                        return 0;
                return 1; /* ENOTCONN and the like: the daemon died (or is dying), the mount is left */
        }
        return st.st_dev != dst.st_dev;
}

static int export_unmount(StateDir *s)
{
        _cleanup_free_ char *p = state_path(s, STATE_EXPORT);
        int r;

        if (!p)
                return -ENOMEM;
        r = export_mounted(s);
        if (r <= 0)
                return r;
        r = run_simple((char *[]){ (char *) FUSERMOUNT, (char *) "-u", (char *) "-q", p, NULL }, NULL, NULL);
        if (r < 0 || export_mounted(s) > 0) {
                if (umount2(p, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                        return -errno;
        }
        return export_mounted(s) > 0 ? -EBUSY : 0;
}

static int read_pidfile(StateDir *s, pid_t *ret)
{
        _cleanup_free_ char *p = state_path(s, STATE_QSD_PID), *buf = NULL;
        size_t n;
        long v;
        char *end;
        int r;

        if (!p)
                return -ENOMEM;
        r = read_full_file_capped(p, 64, &buf, &n);
        if (r < 0)
                return r;
        errno = 0;
        v = strtol(strstrip(buf), &end, 10);
        if (errno || *end || v <= 1 || v > INT32_MAX)
                return -EBADMSG;
        *ret = (pid_t) v;
        return 0;
}

/* True if pid is a qemu-storage-daemon whose command line names this state directory. */
static bool is_our_daemon(StateDir *s, pid_t pid)
{
        _cleanup_free_ char *path = NULL, *buf = NULL, *pidfile = state_path(s, STATE_QSD_PID);
        bool prog = false, ours = false;
        size_t n;

        if (!pidfile || asprintf(&path, "/proc/%d/cmdline", (int) pid) < 0)
                return false;
        if (read_full_file_capped(path, 1024 * 1024, &buf, &n) < 0)
                return false;
        for (size_t i = 0; i < n; i += strlen(buf + i) + 1) {
                if (i == 0 && streq(path_basename(buf), QSD))
                        prog = true;
                if (streq(buf + i, pidfile))
                        ours = true;
        }
        return prog && ours;
}

static int wait_gone(pid_t pid, int timeout_ms)
{
        _cleanup_close_ int fd = (int) syscall(SYS_pidfd_open, pid, 0);
        struct pollfd p;
        int r;

        if (fd < 0)
                return errno == ESRCH ? 0 : -errno;
        p = (struct pollfd){ .fd = fd, .events = POLLIN };
        do
                r = poll(&p, 1, timeout_ms);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return -errno;
        return r == 0 ? -ETIMEDOUT : 0;
}

int overlay_export_stop(StateDir *s)
{
        _cleanup_free_ char *top = NULL;
        const char *fmt;
        pid_t pid = 0;
        int r;

        r = fault_fail("export-stop");
        if (r < 0)
                return r;
        r = read_pidfile(s, &pid);
        if (r < 0 && r != -ENOENT && r != -EBADMSG)
                return r;
        if (r == 0 && is_our_daemon(s, pid)) {
                if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
                        return -errno;
                r = wait_gone(pid, STOP_WAIT_MS);
                if (r == -ETIMEDOUT) {
                        (void) kill(pid, SIGKILL);
                        r = wait_gone(pid, STOP_WAIT_MS);
                }
                if (r < 0)
                        return r;
        }
        r = export_unmount(s);
        if (r < 0)
                return r;
        if (unlinkat(s->dir_fd, STATE_QSD_PID, 0) < 0 && errno != ENOENT)
                return -errno;
        if (unlinkat(s->dir_fd, STATE_EXPORT, 0) < 0 && errno != ENOENT)
                return -errno;
        r = fsync_dir_fd(s->dir_fd);
        if (r < 0)
                return r;
        /* What the daemon flushed is in the page cache: make it durable before the journal moves on. */
        if (s->journal && s->journal->mode == SOURCE_MODE_IMAGE && overlay_top(s, &top, &fmt) >= 0 &&
            streq(fmt, "qcow2")) {
                r = fsync_path(top);
                if (r < 0 && r != -ENOENT) /* (a rollback interrupted after deleting it) */
                        return r;
        }
        return 0;
}

/* Stops the export (and with it any writing into the top layer), then finds the top (see
 * overlay_top()). */
static int stop_and_find_top(StateDir *s, char **ret_path, const char **ret_format)
{
        int r;

        r = overlay_export_stop(s);
        if (r < 0)
                return r;
        return overlay_top(s, ret_path, ret_format);
}

static char *last_line_of(StateDir *s, const char *rel)
{
        _cleanup_free_ char *p = state_path(s, rel), *buf = NULL;
        const char *line, *last = NULL;
        size_t n, len, lastlen = 0;

        if (!p || read_full_file_capped(p, 4 * 1024 * 1024, &buf, &n) < 0)
                return NULL;
        LineIter it = line_iter_init(buf, n);
        while (line_iter_next(&it, &line, &len))
                if (len > 0) {
                        last = line;
                        lastlen = len;
                }
        return last ? strndup(last, lastlen) : NULL;
}

int overlay_export_start(StateDir *s, bool writable, char **ret_export, char **ret_error)
{
        _cleanup_free_ char *top = NULL, *etop = NULL, *export = NULL, *eexport = NULL, *pidfile = NULL,
                            *file_arg = NULL, *fmt_arg = NULL, *exp_arg = NULL;
        _cleanup_close_ int logfd = -EBADF, efd = -EBADF;
        const char *fmt, *proto = "file";
        RunOptions o = { .stdout_fd = -1, .stderr_fd = -1 };
        RunResult res = {};
        struct stat st;
        int64_t deadline;
        int r;

        r = fault_fail("export-start");
        if (r < 0)
                return r;
        r = stop_and_find_top(s, &top, &fmt);
        if (r < 0)
                return r;
        if (stat(top, &st) < 0)
                return -errno;
        if (S_ISBLK(st.st_mode))
                proto = "host_device";

        export = state_path(s, STATE_EXPORT);
        pidfile = state_path(s, STATE_QSD_PID);
        if (!export || !pidfile)
                return -ENOMEM;
        efd = openat(s->dir_fd, STATE_EXPORT, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (efd < 0)
                return -errno;
        efd = safe_close(efd);

        etop = qemu_escape(top);
        eexport = qemu_escape(export);
        if (!etop || !eexport)
                return -ENOMEM;
        if (asprintf(&file_arg, "driver=%s,node-name=file0,filename=%s%s", proto, etop,
                     writable ? "" : ",read-only=on") < 0 ||
            asprintf(&fmt_arg, "driver=%s,node-name=top,file=file0%s", fmt,
                     writable ? "" : ",read-only=on") < 0 ||
            asprintf(&exp_arg, "type=fuse,id=export0,node-name=top,mountpoint=%s,writable=%s", eexport,
                     writable ? "on" : "off") < 0)
                return -ENOMEM;

        logfd = openat(s->dir_fd, STATE_LOGS "/qsd.log",
                       O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (logfd < 0)
                return -errno;
        o.stderr_fd = o.stdout_fd = logfd;
        o.search_path = true;
        /* --daemonize: the command returns once the export is set up; the daemon is not our
         * child, so that it outlives us when we are killed (the next run finds it by the pidfile). */
        r = run_command((char *[]){ (char *) QSD, (char *) "--blockdev", file_arg, (char *) "--blockdev",
                                    fmt_arg, (char *) "--export", exp_arg, (char *) "--pidfile", pidfile,
                                    (char *) "--daemonize", NULL },
                        &o, &res);
        if (r < 0)
                return r;
        run_result_done(&res);
        if (res.status != 0) {
                if (ret_error)
                        *ret_error = last_line_of(s, STATE_LOGS "/qsd.log");
                (void) overlay_export_stop(s);
                return -EPROTO;
        }

        /* Wait until the export answers a read. */
        deadline = now_ms() + EXPORT_WAIT_MS;
        for (;;) {
                char b;
                if (export_mounted(s) > 0) {
                        _cleanup_close_ int fd = open(export, O_RDONLY | O_CLOEXEC);
                        if (fd >= 0 && pread(fd, &b, 1, 0) == 1)
                                break;
                }
                if (now_ms() > deadline) {
                        (void) overlay_export_stop(s);
                        return -ETIMEDOUT;
                }
                sleep_ms(5);
        }
        *ret_export = TAKE_PTR(export);
        return 0;
}

/* Commit and output. */

int overlay_commit(StateDir *s, char **ret_error)
{
        _cleanup_free_ char *top = NULL;
        const char *fmt;
        int r;

        r = fault_fail("layer-commit");
        if (r < 0)
                return r;
        r = stop_and_find_top(s, &top, &fmt);
        if (r < 0)
                return r;
        if (!streq(fmt, "qcow2"))
                return 0; /* no layer: nothing changed */
        r = run_simple((char *[]){ (char *) QEMU_IMG, (char *) "commit", (char *) "-q", (char *) "-b",
                                   s->journal->source_path, top, NULL },
                       NULL, ret_error);
        if (r < 0)
                return r;
        return fsync_path(s->journal->source_path);
}

const char *overlay_output_format(const char *path, const char *format)
{
        static const char *const map[][2] = {
                { "raw", "raw" }, { "img", "raw" }, { "vhd", "vpc" }, { "vpc", "vpc" }, { "qcow2", "qcow2" },
        };
        const char *ext = NULL;

        if (!format && path) {
                const char *base = path_basename(path), *dot = strrchr(base, '.');
                ext = dot ? dot + 1 : NULL;
        }
        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                if (format && streq(format, map[i][0]))
                        return map[i][1];
                if (ext && strcasecmp(ext, map[i][0]) == 0)
                        return map[i][1];
        }
        return NULL;
}

int overlay_output(StateDir *s, const char *path, const char *format, char **ret_error)
{
        _cleanup_free_ char *top = NULL, *abs = NULL, *dir = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *fmt, *ofmt, *base;
        struct stat a, b;
        int r;

        r = fault_fail("layer-commit");
        if (r < 0)
                return r;
        ofmt = overlay_output_format(path, format);
        if (!ofmt)
                return -EPROTONOSUPPORT;
        if (stat(path, &a) == 0 && stat(s->journal->source_path, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino)
                return -EINVAL; /* the output must not be the source */
        r = stop_and_find_top(s, &top, &fmt);
        if (r < 0)
                return r;

        base = path_basename(path);
        dir = base == path ? strdup(".") : strndup(path, (size_t) (base - path));
        if (!dir || asprintf(&tmp, "%s/.%s.tmp.XXXXXX", dir, base) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        fd = safe_close(fd);
        if (streq(ofmt, "vpc"))
                r = run_simple((char *[]){ (char *) QEMU_IMG, (char *) "convert", (char *) "-f",
                                           (char *) fmt, (char *) "-O", (char *) "vpc", (char *) "-o",
                                           (char *) "subformat=fixed,force_size=on", top, tmp, NULL },
                               NULL, ret_error);
        else
                r = run_simple((char *[]){ (char *) QEMU_IMG, (char *) "convert", (char *) "-f",
                                           (char *) fmt, (char *) "-O", (char *) ofmt, top, tmp, NULL },
                               NULL, ret_error);
        return tmp_finish(r, tmp, path, dir);
}
