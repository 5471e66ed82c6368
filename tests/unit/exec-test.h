/* SPDX-License-Identifier: MIT */
#pragma once

/* Helpers of the executor's tests: scratch directories, files, a tree hash over everything a
 * rollback must restore (paths, types, content, symlink targets, mode, owner, mtime with
 * nanoseconds, xattrs), child processes, and shell commands (shell.h). Every helper fails the
 * test instead of returning an error. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "exec/exec-fs.h"
#include "shared/macro.h"
#include "shared/string-util.h"
#include "shell.h"
#include "tests.h"

static inline char *scratch_dir(const char *what)
{
        const char *tmp = getenv("TMPDIR");
        char *d = NULL;

        ASSERT_TRUE(asprintf(&d, "%s/azlm-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", what) > 0);
        if (!mkdtemp(d))
                FAIL("mkdtemp: %m");
        return d;
}

static inline void scratch_remove(char *d)
{
        if (!d)
                return;
        ASSERT_OK(rm_rf_at(AT_FDCWD, d));
        free(d);
}

static inline char *pathf(const char *fmt, ...) _printf_(1, 2);
static inline char *pathf(const char *fmt, ...)
{
        va_list ap;
        char *s = NULL;

        va_start(ap, fmt);
        ASSERT_TRUE(vasprintf(&s, fmt, ap) >= 0);
        va_end(ap);
        return s;
}

static inline void write_text(const char *path, const char *text)
{
        FILE *f = fopen(path, "we");

        if (!f)
                FAIL("fopen %s: %m", path);
        ASSERT_TRUE(fputs(text, f) >= 0);
        ASSERT_TRUE(fclose(f) == 0);
}

static inline char *read_text(const char *path)
{
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t n = 0;

        if (!f)
                return NULL;
        ASSERT_TRUE(getdelim(&buf, &n, '\0', f) >= 0 || feof(f));
        fclose(f);
        return buf ?: strdup("");
}

/* Stops the daemons and removes the FUSE exports left in state directories whose path starts
 * with prefix (for atexit() in tests that start exports: a failed assertion must not leave
 * mounts behind). */
static inline void unmount_exports(const char *prefix)
{
        char *cmd = NULL;

        if (!prefix ||
            asprintf(&cmd,
                     "for p in '%s'*/qsd.pid '%s'*/*/qsd.pid; do [ -f \"$p\" ] && kill $(cat \"$p\") "
                     "2>/dev/null; done; sleep 0.2; awk '{print $5}' /proc/self/mountinfo | "
                     "grep -F '%s' | while read m; do fusermount3 -u \"$m\" 2>/dev/null || "
                     "umount -l \"$m\"; done",
                     prefix, prefix, prefix) < 0)
                return;
        (void) !system(cmd);
        free(cmd);
}

/* Waits for the child pid; returns its exit status, or 128 + the signal that killed it (as
 * shell() does). */
static inline int wait_child(pid_t pid)
{
        int status;

        ASSERT_TRUE(waitpid(pid, &status, 0) == pid);
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Tree hash. */

static inline void th_add(EVP_MD_CTX *ctx, const void *p, size_t n)
{
        ASSERT_TRUE(EVP_DigestUpdate(ctx, p, n) == 1);
}

static inline void th_addf(EVP_MD_CTX *ctx, const char *fmt, ...) _printf_(2, 3);
static inline void th_addf(EVP_MD_CTX *ctx, const char *fmt, ...)
{
        va_list ap;
        char *s = NULL;

        va_start(ap, fmt);
        ASSERT_TRUE(vasprintf(&s, fmt, ap) >= 0);
        va_end(ap);
        th_add(ctx, s, strlen(s) + 1);
        free(s);
}

/* Finishes the digest of ctx (freed) as hex (caller frees). */
static inline char *th_hex(EVP_MD_CTX *ctx)
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        char *hex;

        ASSERT_TRUE(EVP_DigestFinal_ex(ctx, md, &len) == 1);
        EVP_MD_CTX_free(ctx);
        hex = malloc(2 * len + 1);
        ASSERT_NOT_NULL(hex);
        for (unsigned i = 0; i < len; i++)
                sprintf(hex + 2 * i, "%02x", md[i]);
        return hex;
}

static int th_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static inline void th_walk(EVP_MD_CTX *ctx, const char *host, const char *rel, bool with_mtimes)
{
        struct stat st;
        char *p = pathf("%s%s", host, rel);
        char list[65536], val[65536];
        ssize_t n;
        char *names[1024];
        size_t nn = 0;

        if (lstat(p, &st) < 0)
                FAIL("lstat %s: %m", p);
        th_addf(ctx, "%s|%o|%u|%u", rel, (unsigned) st.st_mode, (unsigned) st.st_uid, (unsigned) st.st_gid);
        if (with_mtimes)
                th_addf(ctx, "mtime %lld.%09ld", (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        n = llistxattr(p, list, sizeof list);
        ASSERT_TRUE(n >= 0);
        for (ssize_t i = 0; i < n; i += (ssize_t) strlen(list + i) + 1)
                names[nn++] = list + i;
        if (nn > 0)
                qsort(names, nn, sizeof(char *), th_cmp);
        for (size_t i = 0; i < nn; i++) {
                ssize_t k = lgetxattr(p, names[i], val, sizeof val);
                ASSERT_TRUE(k >= 0);
                th_addf(ctx, "xattr %s", names[i]);
                th_add(ctx, val, (size_t) k);
        }
        if (S_ISLNK(st.st_mode)) {
                char t[4096];
                ssize_t k = readlink(p, t, sizeof t - 1);
                ASSERT_TRUE(k >= 0);
                t[k] = 0;
                th_addf(ctx, "-> %s", t);
        } else if (S_ISREG(st.st_mode)) {
                int fd = open(p, O_RDONLY | O_CLOEXEC);
                char buf[65536];
                ssize_t k;
                ASSERT_TRUE(fd >= 0);
                th_addf(ctx, "size %lld", (long long) st.st_size);
                while ((k = read(fd, buf, sizeof buf)) > 0)
                        th_add(ctx, buf, (size_t) k);
                ASSERT_TRUE(k == 0);
                close(fd);
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                th_addf(ctx, "rdev %llu", (unsigned long long) st.st_rdev);
        if (S_ISDIR(st.st_mode)) {
                DIR *d = opendir(p);
                struct dirent *de;
                char **kids = NULL;
                size_t nk = 0;
                ASSERT_NOT_NULL(d);
                while ((de = readdir(d))) {
                        if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                                continue;
                        kids = realloc(kids, (nk + 1) * sizeof(char *));
                        ASSERT_NOT_NULL(kids);
                        kids[nk++] = pathf("%s/%s", rel, de->d_name);
                }
                closedir(d);
                if (nk > 0)
                        qsort(kids, nk, sizeof(char *), th_cmp);
                for (size_t i = 0; i < nk; i++) {
                        th_walk(ctx, host, kids[i], with_mtimes);
                        free(kids[i]);
                }
                free(kids);
        }
        free(p);
}

/* sha256 over the tree at host (hex; caller frees). with_mtimes: mtimes of everything (for
 * rollbacks, which restore them); without: paths, types, content, mode, owner, xattrs (for
 * comparing two runs, which write at different times). */
static inline char *tree_hash(const char *host, bool with_mtimes)
{
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();

        ASSERT_NOT_NULL(ctx);
        ASSERT_TRUE(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1);
        th_walk(ctx, host, "", with_mtimes);
        return th_hex(ctx);
}

/* sha256 of a file's content (hex; caller frees). */
static inline char *file_sha256(const char *path)
{
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        unsigned char buf[1 << 16];
        ssize_t k;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                FAIL("open %s: %m", path);
        ASSERT_NOT_NULL(ctx);
        ASSERT_TRUE(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1);
        while ((k = read(fd, buf, sizeof buf)) > 0)
                th_add(ctx, buf, (size_t) k);
        ASSERT_TRUE(k == 0);
        close(fd);
        return th_hex(ctx);
}
