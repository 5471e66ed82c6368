/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "macro.h"

/* Joins a and b with exactly one '/' between them. Returns NULL on OOM. */
char *path_join(const char *a, const char *b);

/* If path equals prefix or lies below it (on a component boundary; both absolute, no trailing
 * '/' except for "/"), returns the remainder without leading '/' ("" for equality); else NULL. */
const char *path_startswith(const char *path, const char *prefix) _pure_;

/* Returns the last component of path (pointer into path). */
const char *path_basename(const char *path) _pure_;

/* Whether an executable named prog is in a directory of $PATH (/usr/bin:/bin without one). */
bool find_in_path(const char *prog);
