/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* What the line-based configuration parsers (fstab.c, sysctl.c, modprobe.c, modules-load.c) have
 * in common: the walk over the lines of a buffer with their numbers, the count of invalid lines
 * (each parser's result has n_invalid and first_invalid_line), and the growable array of entries. */

typedef enum ConfLinesFlags {
        /* A line ending in '\' is joined with the next one (the '\' dropped), as libkmod's
         * getline_wrapped() does for modprobe.d(5); the joined line has the number of the first
         * line that gave it text. */
        CONF_LINES_CONTINUATION = 1 << 0,
} ConfLinesFlags;

/* Called for each line: len bytes at line, without the newline and not NUL-terminated; no is its
 * 1-based number. Returns 0 for a line taken or skipped (a comment), -EINVAL for an invalid line,
 * which is counted, or another -errno, which stops the walk. */
typedef int (*ConfLineFn)(const char *line, size_t len, unsigned no, void *userdata);

/* Calls fn on each line of buf. Lines fn rejects with -EINVAL are counted in *n_invalid, and the
 * number of the first of them is stored in *first_invalid_line. Returns 0, or the first other
 * error of fn, or -ENOMEM. */
int conf_lines_parse(const char *buf, size_t size, ConfLinesFlags flags, ConfLineFn fn, void *userdata,
                     size_t *n_invalid, unsigned *first_invalid_line);

/* Appends the size bytes at e to the array *(T **) array of *n elements of that size. Returns 0, or
 * -ENOMEM with the array unchanged (e then still belongs to the caller). */
int conf_lines_append(void *array, size_t *n, const void *e, size_t size);

/* Calls done on each of the n elements of size bytes of array, then frees array. */
void conf_lines_free(void *array, size_t n, size_t size, void (*done)(void *e));

/* True for an empty line or a comment: one starting with '#' or ';' (sysctl.d(5), modules-load.d(5)). */
bool conf_line_is_comment(const char *line, size_t len);

/* True if the n bytes at s hold no control character but tabs (no NUL) and no DEL. */
bool conf_text_is_valid(const char *s, size_t n);
