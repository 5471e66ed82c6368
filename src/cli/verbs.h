/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

/* Exit codes: a small documented set (docs/azlmigrate.1). Details go into JSON, not here. */
enum {
        EXIT_OK = 0,
        EXIT_ERROR = 1,
        EXIT_USAGE = 2,
        EXIT_INHIBITED = 3,
        EXIT_STOPPED = 4, /* a hook stopped a conversion at a checkpoint */
};

typedef enum VerbFlags {
        VERB_READS_SOURCE = 1 << 0, /* reads a disk or root; never writes it */
        VERB_MUTATES = 1 << 1,      /* changes a source: needs confirmation */
} VerbFlags;

typedef struct Verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
        void (*help)(FILE *f);
        const char *summary;
        VerbFlags flags;
} Verb;

const Verb *verbs_all(size_t *ret_n);
const Verb *verb_find(const char *name);
/* The verb whose name is closest to name (for "did you mean"), or NULL. */
const Verb *verb_suggest(const char *name);

int verb_inspect(int argc, char *argv[]);
void verb_inspect_help(FILE *f);
int verb_map(int argc, char *argv[]);
void verb_map_help(FILE *f);
int verb_plan(int argc, char *argv[]);
void verb_plan_help(FILE *f);
int verb_report(int argc, char *argv[]);
void verb_report_help(FILE *f);
int verb_convert(int argc, char *argv[]);
void verb_convert_help(FILE *f);
int verb_apply(int argc, char *argv[]);
void verb_apply_help(FILE *f);
int verb_resume(int argc, char *argv[]);
void verb_resume_help(FILE *f);
int verb_status(int argc, char *argv[]);
void verb_status_help(FILE *f);
int verb_rollback(int argc, char *argv[]);
void verb_rollback_help(FILE *f);
int verb_commit(int argc, char *argv[]);
void verb_commit_help(FILE *f);
int verb_nodepool(int argc, char *argv[]);
void verb_nodepool_help(FILE *f);

/* Logs "out of memory" and returns EXIT_ERROR. */
int log_oom(void);

/* For getopt_long() with opterr = 0 and an optstring starting with ':': reports the unknown
 * option or missing argument that c ('?' or ':') stands for. Returns EXIT_USAGE. */
int getopt_usage_error(const char *verb, int c, char *argv[]);

/* Prints "azlmigrate VERB: MESSAGE" and "Try 'azlmigrate VERB --help'." and returns EXIT_USAGE. */
int usage_error(const char *verb, const char *format, ...) __attribute__((__format__(printf, 2, 3)));
