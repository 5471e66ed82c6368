/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/fileio.h"

/* An iterator over deb822 stanzas (dpkg's status file, apt's extended_states, .sources files):
 * "Field: value" lines, continuation lines starting with a space or tab, stanzas separated by
 * empty lines, '#' comment lines (deb822 allows them; dpkg's status never has any). No copies
 * and no length limit on a line or a field: fields are views into the caller's buffer. */

typedef struct Deb822Field {
        const char *name;
        size_t name_len;
        const char *value; /* after ':' and leading blanks; continuation lines included raw */
        size_t value_len;  /* trailing whitespace excluded */
} Deb822Field;

typedef struct Deb822 {
        LineIter lines;
        Deb822Field *fields;
        size_t n_fields, alloc;
        size_t line_no;     /* of the line last read, 1-based */
        size_t stanza_line; /* first line of the current stanza */
        size_t bad_lines;   /* lines that were neither a field, a continuation nor a comment */
} Deb822;

void deb822_init(Deb822 *d, const char *buf, size_t size);
void deb822_done(Deb822 *d);

/* Reads the next stanza into d->fields. Returns 1 with a stanza, 0 at the end, -ENOMEM. */
int deb822_next(Deb822 *d);

/* Returns the field of the current stanza with that name (case-insensitive), or NULL. */
const Deb822Field *deb822_get(const Deb822 *d, const char *name);

/* Copies a field value with each line's surrounding whitespace removed and the lines joined by
 * single spaces (how dpkg folds Depends, Provides and other list fields). Returns NULL on OOM;
 * NULL field gives NULL. */
char *deb822_value_folded(const Deb822Field *f);
