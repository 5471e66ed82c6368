/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmts.h>

#include "shared/fd-util.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/strv.h"
#include "rpmdb.h"

/* The child's protocol, one JSON object per line on the pipe:
 *   {"name": s, "version": s, "release": s, "epoch": i?, "arch": s?, "sourcerpm": s?,
 *    "vendor": s?, "packager": s?, "size": i, "installtime": i}     one per installed header
 *   {"end": true, "skipped": i, "problems": [s...]}                   last line on success (exit 0)
 *   {"error": s, "problems": [s...]}                                  instead, on failure (exit 1)
 * A run without the "end" line (the child crashed, was killed, or wrote too much) is an error. */

static const char *const rpmdb_backend_table[_RPMDB_BACKEND_MAX] = {
        [RPMDB_BACKEND_SQLITE] = "sqlite",
        [RPMDB_BACKEND_NDB] = "ndb",
        [RPMDB_BACKEND_BDB_RO] = "bdb_ro",
};

DEFINE_STRING_TABLE_LOOKUP(rpmdb_backend, RpmdbBackend);

static const char *const backend_file_table[_RPMDB_BACKEND_MAX] = {
        [RPMDB_BACKEND_SQLITE] = "rpmdb.sqlite",
        [RPMDB_BACKEND_NDB] = "Packages.db",
        [RPMDB_BACKEND_BDB_RO] = "Packages",
};

const char *rpmdb_backend_file(RpmdbBackend b)
{
        if ((int) b < 0 || b >= _RPMDB_BACKEND_MAX)
                return NULL;
        return backend_file_table[b];
}

int rpmdb_detect_backend(const char *root_dir, RpmdbBackend *ret)
{
        _cleanup_free_ char *dir = path_join(root_dir, RPMDB_DIR);
        _cleanup_close_ int fd = -EBADF;

        if (!dir)
                return -ENOMEM;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
        for (RpmdbBackend b = 0; b < _RPMDB_BACKEND_MAX; b++) {
                struct stat st;

                if (fstatat(fd, backend_file_table[b], &st, 0) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                if (!S_ISREG(st.st_mode))
                        continue;
                *ret = b;
                return 1;
        }
        return 0;
}

/* --- the child: everything librpm does happens here --- */

typedef struct ChildState {
        json_object *problems; /* librpm's warnings and errors, up to RPMDB_PROBLEMS_MAX */
} ChildState;

static int child_log(rpmlogRec rec, rpmlogCallbackData data)
{
        ChildState *s = data;
        const char *m = rpmlogRecMessage(rec);
        _cleanup_free_ char *line = NULL;

        if (rpmlogRecPriority(rec) > RPMLOG_WARNING || !m ||
            json_object_array_length(s->problems) >= RPMDB_PROBLEMS_MAX)
                return 0;
        line = strndup(m, 512);
        if (line)
                (void) json_append_str(s->problems, strstrip(line));
        return 0; /* never print */
}

static void child_write(int fd, json_object *o)
{
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        size_t n = strlen(s);

        while (n > 0) {
                ssize_t k = write(fd, s, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        _exit(2); /* the parent went away or stopped reading */
                s += k;
                n -= (size_t) k;
        }
        while (write(fd, "\n", 1) != 1)
                if (errno != EINTR)
                        _exit(2);
}

_noreturn_ static void child_fail(int fd, ChildState *s, const char *msg)
{
        json_object *o = json_object_new_object();

        if (o && json_add_str(o, "error", msg) >= 0 &&
            json_add(o, "problems", json_object_get(s->problems)) >= 0)
                child_write(fd, o);
        _exit(1);
}

static bool field_ok(const char *s)
{
        return !s || strnlen(s, RPMDB_FIELD_MAX + 1) <= RPMDB_FIELD_MAX;
}

/* Returns 1 written, 0 skipped (a missing or oversized field). Exits on OOM. */
static int child_package(int fd, ChildState *s, Header h)
{
        const char *name = headerGetString(h, RPMTAG_NAME), *version = headerGetString(h, RPMTAG_VERSION),
                   *release = headerGetString(h, RPMTAG_RELEASE), *arch = headerGetString(h, RPMTAG_ARCH),
                   *srpm = headerGetString(h, RPMTAG_SOURCERPM), *vendor = headerGetString(h, RPMTAG_VENDOR),
                   *packager = headerGetString(h, RPMTAG_PACKAGER);
        _cleanup_json_ json_object *o = NULL;

        if (isempty(name) || isempty(version) || !release)
                return 0;
        /* rpm gives imported keys (gpg-pubkey) a SOURCERPM of "(none)": a binary package (one
         * without the tag is a source package) that was built from nothing. */
        if (streq_ptr(srpm, "(none)"))
                srpm = NULL;
        if (!field_ok(name) || !field_ok(version) || !field_ok(release) || !field_ok(arch) ||
            !field_ok(srpm) || !field_ok(vendor) || !field_ok(packager))
                return 0;
        o = json_object_new_object();
        if (!o || json_add_str(o, "name", name) < 0 || json_add_str(o, "version", version) < 0 ||
            json_add_str(o, "release", release) < 0 ||
            (headerIsEntry(h, RPMTAG_EPOCH) &&
             json_add_int(o, "epoch", (int64_t) (uint32_t) headerGetNumber(h, RPMTAG_EPOCH)) < 0) ||
            (arch && json_add_str(o, "arch", arch) < 0) ||
            (srpm && json_add_str(o, "sourcerpm", srpm) < 0) ||
            (vendor && json_add_str(o, "vendor", vendor) < 0) ||
            (packager && json_add_str(o, "packager", packager) < 0) ||
            json_add_int(o, "size",
                         (int64_t) MIN(headerGetNumber(h, RPMTAG_LONGSIZE), (uint64_t) INT64_MAX)) < 0 ||
            json_add_int(o, "installtime", (int64_t) (uint32_t) headerGetNumber(h, RPMTAG_INSTALLTIME)) < 0)
                child_fail(fd, s, "out of memory");
        child_write(fd, o);
        return 1;
}

static void child_redirect_stdio(void)
{
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);

        for (int i = 0; i < 3; i++) {
                if (null >= 0)
                        (void) dup2(null, i);
                else
                        (void) close(i);
        }
        if (null > 2)
                (void) close(null);
}

/* Nothing here is freed: the child ends with _exit(), and its memory, librpm's state included, goes
 * with it (no atexit handlers, no leak checks, no stdio buffers of the parent flushed twice). */
_noreturn_ static void child_run(int fd, const char *root_dir, RpmdbBackend backend)
{
        rpmts ts;
        rpmdbMatchIterator mi;
        char *dbpath, *db_backend;
        ChildState s = { .problems = json_object_new_array() };
        json_object *end;
        size_t skipped = 0;
        Header h;

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        child_redirect_stdio();
        if (!s.problems)
                _exit(1);

        rpmlogSetCallback(child_log, &s);
        rpmlogSetMask(RPMLOG_UPTO(RPMLOG_WARNING));

        /* Command-line level, in the CLI context: rpmReadConfigFiles() reloads that context over the
         * macro files, as rpm --dbpath does; a plain push would lose to /usr/lib/rpm/macros and
         * ~/.rpmmacros. */
        rpmPushMacro(rpmCLIMacroContext, "_dbpath", NULL, RPMDB_DIR, RMIL_CMDLINE);
        rpmPushMacro(rpmCLIMacroContext, "_db_backend", NULL, rpmdb_backend_to_string(backend),
                     RMIL_CMDLINE);
        if (rpmReadConfigFiles(NULL, NULL) != 0)
                child_fail(fd, &s, "librpm could not read its configuration");
        dbpath = rpmExpand("%{?_dbpath}", NULL);
        db_backend = rpmExpand("%{?_db_backend}", NULL);
        if (!streq_ptr(dbpath, RPMDB_DIR) || !streq_ptr(db_backend, rpmdb_backend_to_string(backend)))
                child_fail(fd, &s, "librpm did not take the database path and backend it was given");

        ts = rpmtsCreate();
        if (!ts || rpmtsSetRootDir(ts, root_dir) != 0)
                child_fail(fd, &s, "librpm refused the root directory");
        /* Header digests are still checked; signatures would need the guest's keyring. */
        (void) rpmtsSetVSFlags(ts, rpmtsVSFlags(ts) | RPMVSF_MASK_NOSIGNATURES);
        if (rpmtsOpenDB(ts, O_RDONLY) != 0)
                child_fail(fd, &s, "librpm could not open the database");
        mi = rpmtsInitIterator(ts, RPMDBI_PACKAGES, NULL, 0);
        if (!mi && json_object_array_length(s.problems) > 0)
                child_fail(fd, &s, "librpm could not read the database");
        while (mi && (h = rpmdbNextIterator(mi)))
                if (child_package(fd, &s, h) == 0)
                        skipped++;

        end = json_object_new_object();
        if (!end || json_add_bool(end, "end", true) < 0 ||
            json_add_int(end, "skipped", (int64_t) skipped) < 0 ||
            json_add(end, "problems", json_object_get(s.problems)) < 0)
                _exit(1);
        child_write(fd, end);
        _exit(0);
}

/* --- the parent --- */

_printf_(2, 3) static int set_error(char **ret_error, const char *fmt, ...)
{
        va_list ap;

        if (!ret_error)
                return 0;
        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return 0;
}

static int64_t now_msec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for pid until deadline (monotonic ms), then kills it. Returns its wait status. */
static int reap(pid_t pid, int64_t deadline, bool *ret_killed)
{
        int status = 0;

        *ret_killed = false;
        for (;;) {
                pid_t r = waitpid(pid, &status, WNOHANG);
                if (r == pid)
                        return status;
                if (r < 0 && errno != EINTR)
                        return -errno;
                if (now_msec() >= deadline)
                        break;
                (void) nanosleep(&(struct timespec){ .tv_nsec = 2 * 1000 * 1000 }, NULL);
        }
        *ret_killed = true;
        (void) kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return status;
}

typedef enum ChildEnd {
        CHILD_EOF,
        CHILD_TIMEOUT,
        CHILD_TOO_MUCH,
} ChildEnd;

/* Reads the child's output until EOF, the deadline or the cap. */
static int read_output(int fd, int64_t deadline, char **buf, size_t *size, ChildEnd *ret_end)
{
        size_t alloc = 0;

        for (;;) {
                int64_t left = deadline - now_msec();
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t k;
                int r;

                if (left <= 0) {
                        *ret_end = CHILD_TIMEOUT;
                        return 0;
                }
                r = poll(&p, 1, (int) MIN(left, (int64_t) INT_MAX));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r == 0)
                        continue;
                if (*size + 65536 + 1 > alloc) {
                        size_t want = MAX(alloc * 2, (size_t) 256 * 1024);
                        char *n;

                        if (want > RPMDB_OUTPUT_MAX + 65536 + 1)
                                want = RPMDB_OUTPUT_MAX + 65536 + 1;
                        if (*size + 65536 + 1 > want) {
                                *ret_end = CHILD_TOO_MUCH;
                                return 0;
                        }
                        n = realloc(*buf, want);
                        if (!n)
                                return -ENOMEM;
                        *buf = n;
                        alloc = want;
                }
                k = read(fd, *buf + *size, 65536);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0) {
                        (*buf)[*size] = 0;
                        *ret_end = CHILD_EOF;
                        return 0;
                }
                *size += (size_t) k;
                if (*size > RPMDB_OUTPUT_MAX) {
                        *ret_end = CHILD_TOO_MUCH;
                        return 0;
                }
        }
}

static void package_done(RpmdbPackage *p)
{
        free(p->name);
        free(p->version);
        free(p->release);
        free(p->arch);
        free(p->sourcerpm);
        free(p->vendor);
        free(p->packager);
}

void rpmdb_packages_free(RpmdbPackage *p, size_t n)
{
        for (size_t i = 0; p && i < n; i++)
                package_done(&p[i]);
        free(p);
}

Rpmdb *rpmdb_free(Rpmdb *db)
{
        if (!db)
                return NULL;
        rpmdb_packages_free(db->packages, db->n_packages);
        strv_free(db->problems);
        return mfree(db);
}

/* An optional string member: 0 absent, 1 copied, -EBADMSG not a string, -ENOMEM. */
static int take_str(json_object *o, const char *key, bool required, char **ret)
{
        json_object *v = json_get(o, key);

        if (!v)
                return required ? -EBADMSG : 0;
        if (!json_object_is_type(v, json_type_string) ||
            (size_t) json_object_get_string_len(v) > RPMDB_FIELD_MAX)
                return -EBADMSG;
        *ret = strdup(json_object_get_string(v));
        return *ret ? 1 : -ENOMEM;
}

static int take_int(json_object *o, const char *key, int64_t min, int64_t max, bool *ret_has, int64_t *ret)
{
        json_object *v = json_get(o, key);
        int64_t x;

        if (!v) {
                *ret_has = false;
                return 0;
        }
        if (!json_object_is_type(v, json_type_int))
                return -EBADMSG;
        x = json_object_get_int64(v);
        if (x < min || x > max)
                return -EBADMSG;
        *ret_has = true;
        *ret = x;
        return 0;
}

static int package_from_json(json_object *o, RpmdbPackage *p)
{
        int64_t epoch = 0, size = 0, t = 0;
        bool has_size, has_time;
        int r;

        *p = (RpmdbPackage){};
        if ((r = take_str(o, "name", true, &p->name)) < 0 ||
            (r = take_str(o, "version", true, &p->version)) < 0 ||
            (r = take_str(o, "release", true, &p->release)) < 0 ||
            (r = take_str(o, "arch", false, &p->arch)) < 0 ||
            (r = take_str(o, "sourcerpm", false, &p->sourcerpm)) < 0 ||
            (r = take_str(o, "vendor", false, &p->vendor)) < 0 ||
            (r = take_str(o, "packager", false, &p->packager)) < 0 ||
            (r = take_int(o, "epoch", 0, UINT32_MAX, &p->has_epoch, &epoch)) < 0 ||
            (r = take_int(o, "size", 0, INT64_MAX, &has_size, &size)) < 0 ||
            (r = take_int(o, "installtime", 0, UINT32_MAX, &has_time, &t)) < 0)
                return r;
        if (isempty(p->name) || isempty(p->version))
                return -EBADMSG;
        p->epoch = (uint32_t) epoch;
        p->installed_size = (uint64_t) size;
        p->install_time = t;
        return 0;
}

static int strcmp_null(const char *a, const char *b)
{
        if (!a || !b)
                return !!a - !!b;
        return strcmp(a, b);
}

static int package_cmp(const void *x, const void *y)
{
        const RpmdbPackage *a = x, *b = y;
        int c;

        if ((c = strcmp(a->name, b->name)) != 0 || (c = strcmp(a->version, b->version)) != 0 ||
            (c = strcmp(a->release, b->release)) != 0 || (c = strcmp_null(a->arch, b->arch)) != 0)
                return c;
        return a->epoch < b->epoch ? -1 : a->epoch > b->epoch;
}

static int take_problems(json_object *o, char ***problems)
{
        json_object *arr = json_get(o, "problems");
        size_t n;

        if (!arr)
                return 0;
        if (!json_object_is_type(arr, json_type_array))
                return -EBADMSG;
        n = json_object_array_length(arr);
        for (size_t i = 0; i < n && i < RPMDB_PROBLEMS_MAX; i++) {
                json_object *v = json_object_array_get_idx(arr, i);
                if (!json_object_is_type(v, json_type_string))
                        return -EBADMSG;
                if (strv_extend(problems, json_object_get_string(v)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* librpm names host paths: "<root>/var/lib/rpm" becomes the guest's "/var/lib/rpm" again, so
 * that messages do not depend on where a copy was made. Edits s in place. */
static void strip_root(char *s, const char *root)
{
        size_t n = strlen(root);
        char *p;

        if (!s || n <= 1)
                return;
        for (p = s; (p = strstr(p, root));) {
                if (p[n] == '/')
                        memmove(p, p + n, strlen(p + n) + 1);
                else
                        p += n;
        }
}

/* Parses the child's output into db. Returns 0 when it ended with the "end" line; -EBADMSG with
 * the child's message in *ret_error for an "error" line; -EBADMSG for malformed output; -ENODATA
 * when the output stops without either (the caller explains from the wait status). */
static int parse_output(const char *buf, size_t size, Rpmdb *db, char **ret_error)
{
        LineIter it = line_iter_init(buf, size);
        size_t alloc = 0, lineno = 0;
        const char *line;
        bool ended = false;
        size_t len;
        int r;

        while (line_iter_next(&it, &line, &len)) {
                _cleanup_json_ json_object *o = NULL;
                _cleanup_free_ char *copy = NULL;

                lineno++;
                if (len == 0)
                        continue;
                if (ended) {
                        set_error(ret_error, "librpm child wrote more after its last line");
                        return -EBADMSG;
                }
                copy = strndup(line, len);
                if (!copy)
                        return -ENOMEM;
                o = json_tokener_parse(copy);
                if (!o || !json_object_is_type(o, json_type_object)) {
                        set_error(ret_error, "librpm child wrote an unreadable line %zu", lineno);
                        return -EBADMSG;
                }
                if (json_get(o, "error")) {
                        _cleanup_strv_free_ char **problems = NULL;
                        _cleanup_free_ char *joined = NULL;

                        if (take_problems(o, &problems) == -ENOMEM)
                                return -ENOMEM;
                        joined = strv_join(problems, "; ");
                        if (!joined)
                                return -ENOMEM;
                        set_error(ret_error, "%s%s%s", strempty(json_get_str(o, "error")),
                                  isempty(joined) ? "" : ": ", joined);
                        return -EBADMSG;
                }
                if (json_get(o, "end")) {
                        bool has;
                        int64_t skipped = 0;

                        if (take_int(o, "skipped", 0, INT64_MAX, &has, &skipped) < 0 ||
                            (r = take_problems(o, &db->problems)) == -EBADMSG) {
                                set_error(ret_error, "librpm child wrote a malformed last line");
                                return -EBADMSG;
                        }
                        if (r < 0)
                                return r;
                        db->n_skipped = (size_t) skipped;
                        ended = true;
                        continue;
                }
                if (db->n_packages >= alloc) {
                        size_t want = MAX(alloc * 2, (size_t) 64);
                        RpmdbPackage *n = reallocarray(db->packages, want, sizeof(RpmdbPackage));
                        if (!n)
                                return -ENOMEM;
                        db->packages = n;
                        alloc = want;
                }
                r = package_from_json(o, &db->packages[db->n_packages]);
                if (r < 0) {
                        package_done(&db->packages[db->n_packages]);
                        if (r == -EBADMSG)
                                set_error(ret_error, "librpm child wrote a malformed package on line %zu",
                                          lineno);
                        return r;
                }
                db->n_packages++;
        }
        if (!ended)
                return -ENODATA;
        if (db->n_packages > 1)
                qsort(db->packages, db->n_packages, sizeof(RpmdbPackage), package_cmp);
        return 0;
}

int rpmdb_load(const char *root_dir, unsigned timeout_msec, Rpmdb **ret, char **ret_error)
{
        _cleanup_(rpmdb_freep) Rpmdb *db = NULL;
        _cleanup_free_ char *root = NULL, *out = NULL;
        _cleanup_close_ int rfd = -EBADF, wfd = -EBADF;
        int fds[2], status, r;
        RpmdbBackend backend;
        size_t size = 0;
        int64_t deadline;
        ChildEnd end = CHILD_EOF;
        bool killed;
        pid_t pid;

        if (ret_error)
                *ret_error = NULL;
        root = realpath(root_dir, NULL);
        if (!root) {
                r = -errno;
                set_error(ret_error, "'%s': %s", root_dir, strerror(-r));
                return r;
        }
        r = rpmdb_detect_backend(root, &backend);
        if (r < 0) {
                set_error(ret_error, "'%s%s': %s", root, RPMDB_DIR, strerror(-r));
                return r;
        }
        if (r == 0) {
                set_error(ret_error, "no RPM database (rpmdb.sqlite, Packages.db or Packages) in '%s%s'",
                          streq(root, "/") ? "" : root, RPMDB_DIR);
                return -ENOENT;
        }
        db = calloc(1, sizeof(Rpmdb));
        if (!db)
                return -ENOMEM;
        db->backend = backend;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        rfd = fds[0];
        wfd = fds[1];
        deadline = now_msec() + timeout_msec;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                rfd = safe_close(rfd);
                child_run(wfd, root, backend);
        }
        wfd = safe_close(wfd);

        r = read_output(rfd, deadline, &out, &size, &end);
        rfd = safe_close(rfd);
        if (r < 0 || end != CHILD_EOF) {
                (void) kill(pid, SIGKILL);
                deadline = now_msec();
        }
        status = reap(pid, deadline, &killed);
        if (r < 0)
                return r;
        if (status < 0)
                return status;
        if (end == CHILD_TIMEOUT || (killed && end == CHILD_EOF)) {
                set_error(ret_error, "librpm did not finish reading '%s%s' within %u s; it was stopped",
                          streq(root, "/") ? "" : root, RPMDB_DIR, timeout_msec / 1000);
                return -ETIME;
        }
        if (end == CHILD_TOO_MUCH) {
                set_error(ret_error, "librpm's listing of '%s%s' exceeds %u MiB; it was stopped",
                          streq(root, "/") ? "" : root, RPMDB_DIR, RPMDB_OUTPUT_MAX / (1024 * 1024));
                return -EFBIG;
        }

        r = parse_output(out, size, db, ret_error);
        if (ret_error)
                strip_root(*ret_error, root);
        STRV_FOREACH(p, db->problems)
                strip_root(*p, root);
        if (r == -ENODATA || (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))) {
                if (WIFSIGNALED(status))
                        set_error(ret_error, "librpm died of signal %s while reading '%s%s'",
                                  sigabbrev_np(WTERMSIG(status)) ?: "?", streq(root, "/") ? "" : root,
                                  RPMDB_DIR);
                else
                        set_error(ret_error,
                                  "librpm stopped reading '%s%s' without saying why (exit status %d)",
                                  streq(root, "/") ? "" : root, RPMDB_DIR,
                                  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
                return -ECHILD;
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(db);
        return 0;
}

int rpmdb_read(const char *root_dir, RpmdbPackage **ret, size_t *ret_n, char **ret_error)
{
        _cleanup_(rpmdb_freep) Rpmdb *db = NULL;
        int r;

        r = rpmdb_load(root_dir, RPMDB_TIMEOUT_MSEC, &db, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(db->packages);
        *ret_n = db->n_packages;
        db->n_packages = 0;
        return 0;
}

char *rpmdb_package_evr(const RpmdbPackage *p)
{
        char *s;

        if (p->has_epoch ? asprintf(&s, "%" PRIu32 ":%s-%s", p->epoch, p->version, p->release) < 0
                         : asprintf(&s, "%s-%s", p->version, p->release) < 0)
                return NULL;
        return s;
}

int rpmdb_split_sourcerpm(const char *s, char **ret_name, char **ret_version)
{
        const char *end, *rel, *ver;
        _cleanup_free_ char *name = NULL, *version = NULL;

        if (!s)
                return 0;
        end = endswith(s, ".src.rpm");
        if (!end)
                end = endswith(s, ".nosrc.rpm");
        if (!end)
                return 0;
        /* name-version-release: the last two '-' before the suffix; names may contain '-'. */
        rel = memrchr(s, '-', (size_t) (end - s));
        if (!rel || rel == s)
                return 0;
        ver = memrchr(s, '-', (size_t) (rel - s));
        if (!ver || ver == s || ver + 1 == rel || rel + 1 == end)
                return 0;
        name = strndup(s, (size_t) (ver - s));
        version = strndup(ver + 1, (size_t) (end - ver - 1));
        if (!name || !version)
                return -ENOMEM;
        *ret_name = TAKE_PTR(name);
        if (ret_version)
                *ret_version = TAKE_PTR(version);
        return 1;
}
