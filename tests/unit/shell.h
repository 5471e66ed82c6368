/* SPDX-License-Identifier: MIT */
#pragma once

/* Shell commands for tests that build their fixtures with system tools (mke2fs, mtools, tar,
 * qemu-img) and check what was written with them (e2fsck): run one, fail the test unless it
 * succeeds, ask whether a tool is installed. Every helper fails the test (FAIL/ASSERT_*) instead
 * of returning an error. */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "shared/macro.h"
#include "tests.h"

/* Runs the command; returns its exit status (128 + the signal for one a signal killed) and, with
 * ret_cmd, the command (caller frees). */
static inline int shellv(char **ret_cmd, const char *fmt, va_list ap)
{
        char *cmd = NULL;
        int r;

        ASSERT_TRUE(vasprintf(&cmd, fmt, ap) >= 0);
        r = system(cmd);
        ASSERT_TRUE(r != -1);
        if (ret_cmd)
                *ret_cmd = cmd;
        else
                free(cmd);
        return WIFEXITED(r) ? WEXITSTATUS(r) : 128 + WTERMSIG(r);
}

/* Runs a shell command; returns its exit status. */
static inline int shell(const char *fmt, ...) _printf_(1, 2);
static inline int shell(const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = shellv(NULL, fmt, ap);
        va_end(ap);
        return r;
}

/* Runs a shell command that must succeed. */
static inline void sh(const char *fmt, ...) _printf_(1, 2);
static inline void sh(const char *fmt, ...)
{
        char *cmd = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = shellv(&cmd, fmt, ap);
        va_end(ap);
        if (r != 0)
                FAIL("command failed (%d): %s", r, cmd);
        free(cmd);
}

/* Whether tool is installed (in PATH, or in /usr/sbin or /sbin, which PATH may lack). */
static inline bool have_tool(const char *tool)
{
        return shell("command -v %s >/dev/null 2>&1 || test -x /usr/sbin/%s || test -x /sbin/%s", tool, tool,
                     tool) == 0;
}

/* e2fsck -fn on the ext filesystem at byte offset (a multiple of 1 MiB) of img, which is copied
 * out to dir/fsck.img first when the offset is not 0 (e2fsck takes none); its log goes to
 * dir/fsck.log. Fails the test on any problem; prints e2fsck's summary for the log ("fsck.img:
 * 1234/16384 files (...), ... blocks"). */
static inline void fsck_ext_at(const char *dir, const char *img, uint64_t offset)
{
        const char *fsck_img = img;
        int r;

        if (offset > 0) {
                sh("cd %s && dd if=%s of=fsck.img bs=1M skip=%llu status=none", dir, img,
                   (unsigned long long) (offset >> 20));
                fsck_img = "fsck.img";
        }
        r = shell("cd %s && e2fsck -fn %s > fsck.log 2>&1", dir, fsck_img);
        if (r != 0) {
                (void) shell("cat %s/fsck.log >&2", dir);
                FAIL("e2fsck -fn reported problems (exit %d) on %s", r, img);
        }
        (void) shell("tail -n 1 %s/fsck.log", dir);
}
