/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdarg.h>

#include "macro.h"

/* Logging. Library code only logs at debug level (through the settable sink); the CLI reports
 * errors once, with context, using log_error_errno(). "%m" in a format expands to the message of
 * the error passed in. Messages go to stderr by default, never to stdout. */

typedef enum LogLevel {
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARNING,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG,
        _LOG_LEVEL_MAX,
        _LOG_LEVEL_INVALID = -EINVAL,
} LogLevel;

typedef void (*LogSink)(LogLevel level, const char *message, void *userdata);

void log_set_max_level(LogLevel level);
LogLevel log_get_max_level(void);
/* Replaces the sink (NULL restores stderr). */
void log_set_sink(LogSink sink, void *userdata);
void log_set_program_name(const char *name);

/* Logs and returns error (a negative errno, or 0 for messages without one). */
int log_internal(LogLevel level, int error, const char *format, ...) _printf_(3, 4);

#define log_error_errno(error, ...)   log_internal(LOG_LEVEL_ERROR, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_internal(LOG_LEVEL_WARNING, (error), __VA_ARGS__)
#define log_debug_errno(error, ...)   log_internal(LOG_LEVEL_DEBUG, (error), __VA_ARGS__)
#define log_error(...)                (void) log_internal(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warning(...)              (void) log_internal(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_info(...)                 (void) log_internal(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...)                (void) log_internal(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
