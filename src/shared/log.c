/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static LogLevel max_level = LOG_LEVEL_INFO;
static LogSink sink = NULL;
static void *sink_userdata = NULL;
static const char *program_name = "azlmigrate";

void log_set_max_level(LogLevel level)
{
        max_level = level;
}

LogLevel log_get_max_level(void)
{
        return max_level;
}

void log_set_sink(LogSink s, void *userdata)
{
        sink = s;
        sink_userdata = userdata;
}

void log_set_program_name(const char *name)
{
        program_name = name;
}

int log_internal(LogLevel level, int error, const char *format, ...)
{
        char buf[2048];
        va_list ap;
        int saved = errno;

        if (level > max_level)
                return error;

        /* glibc expands %m from errno: point it at the error being reported. */
        errno = error < 0 ? -error : error;
        va_start(ap, format);
        (void) vsnprintf(buf, sizeof(buf), format, ap);
        va_end(ap);
        errno = saved;

        if (sink)
                sink(level, buf, sink_userdata);
        else
                fprintf(stderr, "%s: %s%s\n", program_name, level == LOG_LEVEL_WARNING ? "warning: " : "",
                        buf);
        return error;
}
