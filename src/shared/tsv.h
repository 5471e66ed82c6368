/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "macro.h"

/* Tab-separated tables as the project keeps its knowledge (plans/): one record per line, fields
 * separated by single tabs, '#' starting a comment line, blank lines ignored. */

#define TSV_FIELDS_MAX 16

typedef struct TsvRecord {
        const char *field[TSV_FIELDS_MAX]; /* NUL-terminated copies, valid during the callback */
        size_t n_fields;
        unsigned line; /* 1-based */
} TsvRecord;

/* Like tsv_parse(), but cuts buf in place: the fields point into buf and stay valid as long as
 * it does (for tables kept in memory without copying each field). buf[size] must be writable
 * (a NUL after the data, as read_full_file_capped() leaves). */
int tsv_parse_inplace(char *buf, size_t size, size_t min_fields,
                      int (*cb)(const TsvRecord *r, void *userdata), void *userdata);

/* Calls cb for every record of buf. Missing trailing fields are given as "" up to min_fields.
 * cb returns 0 to go on, <0 to stop with that error. Returns 0, -E2BIG for a record with more
 * than TSV_FIELDS_MAX fields, -ENOMEM, or what cb returned. */
int tsv_parse(const char *buf, size_t size, size_t min_fields, int (*cb)(const TsvRecord *r, void *userdata),
              void *userdata);
