/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "shared/string-util.h"

#if FAULT_INJECTION

static const char *fault_spec(const char *prefix)
{
        const char *s = getenv("AZLMIGRATE_FAULT");

        return s ? startswith(s, prefix) : NULL;
}

void fault_point(const char *where)
{
        const char *w = fault_spec("kill:");

        if (w && streq(w, where)) {
                /* Nothing buffered survives SIGKILL, as in a real crash. */
                (void) kill(getpid(), SIGKILL);
                _exit(137); /* not reached */
        }
}

void fault_pointf(const char *a, const char *b, long n)
{
        char buf[512];

        if (!fault_spec("kill:"))
                return;
        if (b && n >= 0)
                (void) snprintf(buf, sizeof buf, "%s:%s:%ld", a, b, n);
        else if (b)
                (void) snprintf(buf, sizeof buf, "%s:%s", a, b);
        else if (n >= 0)
                (void) snprintf(buf, sizeof buf, "%s:%ld", a, n);
        else
                (void) snprintf(buf, sizeof buf, "%s", a);
        fault_point(buf);
}

static int parse_errno(const char *s)
{
        char *end = NULL;
        long v;

        if (isempty(s))
                return -EIO;
        v = strtol(s, &end, 10);
        if (end && !*end && v > 0 && v < 4096)
                return (int) -v;
        for (int e = 1; e < 256; e++) {
                const char *name = strerrorname_np(e);
                if (name && streq(name, s))
                        return -e;
        }
        return -EIO;
}

int fault_fail(const char *op)
{
        const char *w = fault_spec("fail:"), *rest;

        if (!w)
                return 0;
        rest = startswith(w, op);
        if (!rest || *rest != ':')
                return 0;
        return parse_errno(rest + 1);
}

#endif
