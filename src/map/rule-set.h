/* SPDX-License-Identifier: MIT */
#pragma once

/* The parsed form of the rule files, shared by the parser (rules.c) and the evaluator
 * (rule-eval.c). Not part of the API: include rules.h. */

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "inspect/finding-catalogue.h"
#include "rules.h"

typedef enum CondKind {
        COND_EQUALS,
        COND_IN,
        COND_NONEMPTY,
        COND_EXISTS,
        COND_MATCHES,
        COND_ALL,
        COND_ANY,
        COND_NOT,
        COND_CHECK,
} CondKind;

typedef struct Cond {
        CondKind kind;
        char *path;
        json_object *value; /* equals: the value; in: the array */
        bool flag;          /* nonempty, exists */
        regex_t re;
        bool has_re;
        struct Cond **sub;
        size_t n_sub;
        char *check;
        json_object *args;
} Cond;

typedef struct Remedy {
        char *kind;
        char *value;
} Remedy;

typedef struct RuleDef {
        char *file;
        unsigned index;
        char *key, *area, *title, *meaning;
        Severity severity;
        bool inhibitor, finding;
        char **strategies, **targets;
        char *foreach_path, *foreach_check;
        json_object *foreach_args;
        Cond *when;
        char *detail, *resource;
        Remedy *remedies;
        size_t n_remedies;
        bool has_translation;
        char *t_action, *t_source, *t_target, *t_content, *t_value, *t_note;
} RuleDef;

struct RuleSet {
        RuleDef **rules;
        size_t n_rules;
        size_t n_files;
};
