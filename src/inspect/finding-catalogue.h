/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "shared/string-util.h"

typedef enum Severity {
        SEVERITY_INFO,
        SEVERITY_LOW,
        SEVERITY_MEDIUM,
        SEVERITY_HIGH,
        _SEVERITY_MAX,
        _SEVERITY_INVALID = -EINVAL,
} Severity;

DECLARE_STRING_TABLE_LOOKUP(severity, Severity);

/* One entry per finding key that inspection can produce. Keys are a contract: never renamed,
 * never reused with another meaning (docs/findings.md is generated from this table and a test
 * keeps the two equal). */
typedef struct FindingDef {
        const char *key;
        Severity severity;
        const char *title;
        const char *meaning; /* what it means and what to do, for the catalogue */
} FindingDef;

const FindingDef *finding_catalogue_lookup(const char *key);
const FindingDef *finding_catalogue_all(size_t *ret_n);
