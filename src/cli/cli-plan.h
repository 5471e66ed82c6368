/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

#include <json-c/json.h>

#include "cli-source.h"

/* What the plan and report verbs share: making a plan from a node, and writing an output. */

#define CLI_DEFAULT_TARGET   "azurelinux-3.0"
#define CLI_DEFAULT_STRATEGY "inplace"
#define CLI_DEFAULT_MAPS_DIR "/etc/azlmigrate/maps.d"

typedef struct CliPlanArgs {
        CliSource source;
        const char *to;
        const char *strategy;
        char **maps_dirs; /* NULL: CLI_DEFAULT_MAPS_DIR */
        const char *plans_dir;
} CliPlanArgs;

/* Loads the inventory (inspecting the source if need be) and builds the plan. Returns 0 and the
 * plan (caller puts), or a negative errno after logging one line that says what is wrong. */
int cli_plan_make(const CliPlanArgs *a, json_object **ret);

/* Calls render(f, userdata) on a memory stream and writes the result to output atomically, or to
 * stdout when output is NULL. Returns 0, or a negative errno after logging one line. */
int cli_write_output(const char *output, int (*render)(FILE *f, void *userdata), void *userdata);

/* Reads a plan file (plan --format json) and checks it with plan_check(). Returns 0 and the plan
 * (caller puts), or a negative errno after logging one line. */
int cli_plan_read(const char *path, json_object **ret);
