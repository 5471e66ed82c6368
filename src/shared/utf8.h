/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Returns true if the n bytes at s are valid UTF-8 without NUL bytes. */
bool utf8_is_valid_n(const char *s, size_t n);

/* Returns a new NUL-terminated copy of the n bytes at s in which every invalid UTF-8 sequence
 * and every NUL byte is replaced by U+FFFD, so that guest bytes can be placed in JSON.
 * Returns NULL on OOM. */
char *utf8_sanitize_n(const char *s, size_t n);
