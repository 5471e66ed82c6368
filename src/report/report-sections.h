/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* What the Markdown and the HTML renderings of a report share, so that the two cannot drift
 * apart: the sections' titles, the columns of their tables and the words for each package
 * disposition. How a heading, a cell or a row is written (escaping, markup) is the renderer's. */

typedef enum ReportSectionId {
        REPORT_SECTION_INHIBITORS,
        REPORT_SECTION_PACKAGES,
        REPORT_SECTION_CONFIGURATION,
        REPORT_SECTION_STEPS,
        REPORT_SECTION_FOOTPRINT,
        REPORT_SECTION_FINDINGS,
        REPORT_SECTION_POOLS, /* node-pool reports, instead of packages, configuration, footprint */
        _REPORT_SECTION_MAX,
} ReportSectionId;

typedef struct ReportSection {
        const char *id;    /* the HTML section's id */
        const char *title; /* its heading */
        const char *none;  /* the sentence instead of the content when there is nothing to show */
} ReportSection;

extern const ReportSection report_sections[_REPORT_SECTION_MAX];

/* A column of a table: its heading, the member of the row objects it shows (NULL when the rows
 * are not objects of the report, or for the row number), and whether it holds numbers (aligned
 * right). Each table's array ends with an entry whose label is NULL. */
typedef struct ReportColumn {
        const char *label;
        const char *member;
        bool numeric;
} ReportColumn;

extern const ReportColumn report_columns_dispositions[]; /* a row per disposition, with its count */
extern const ReportColumn report_columns_packages[];     /* packages.decisions */
extern const ReportColumn report_columns_translations[]; /* configuration.translations */
extern const ReportColumn report_columns_steps[];        /* steps */
extern const ReportColumn report_columns_checkpoints[];  /* checkpoints */
extern const ReportColumn report_columns_findings[];     /* findings */
extern const ReportColumn report_columns_pools[];        /* pools (node-pool reports) */

/* The package dispositions in the order the report lists them, and what each means; the array
 * ends with an entry whose name is NULL. */
typedef struct ReportDisposition {
        const char *name;
        const char *meaning;
} ReportDisposition;

extern const ReportDisposition report_dispositions[];
