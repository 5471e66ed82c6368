/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

#include <json-c/json.h>

#include "cli-source.h"

/* What the verbs that use the knowledge under the plans directory share (map, plan, report): their
 * options, making a plan from a node, and writing an output. */

#define CLI_DEFAULT_TARGET   "azurelinux-3.0"
#define CLI_DEFAULT_STRATEGY "inplace"
#define CLI_DEFAULT_MAPS_DIR "/etc/azlmigrate/maps.d"

typedef struct CliPlanArgs {
        CliSource source;
        const char *to;
        const char *strategy;
        char **maps_dirs; /* owned; NULL: CLI_DEFAULT_MAPS_DIR */
        const char *plans_dir;
} CliPlanArgs;

/* Frees what a owns (not a itself). */
void cli_plan_args_done(CliPlanArgs *a);

/* The getopt_long() values of the options cli_plan_option() takes besides the source's. A verb
 * numbers its own options from _CLI_PLAN_ARG_MAX. */
enum {
        CLI_ARG_TO = _CLI_SOURCE_ARG_MAX,
        CLI_ARG_STRATEGY,
        CLI_ARG_MAPS_DIR,
        CLI_ARG_PLANS_DIR,
        _CLI_PLAN_ARG_MAX,
};

/* clang-format off */
#define CLI_OPTION_TO        { "to", required_argument, NULL, CLI_ARG_TO }
#define CLI_OPTION_STRATEGY  { "strategy", required_argument, NULL, CLI_ARG_STRATEGY }
#define CLI_OPTION_MAPS_DIR  { "maps-dir", required_argument, NULL, CLI_ARG_MAPS_DIR }
#define CLI_OPTION_PLANS_DIR { "plans-dir", required_argument, NULL, CLI_ARG_PLANS_DIR }
/* clang-format on */

/* cli_source_option() that also takes --to, --strategy (checked with strategy_name_is_valid()),
 * --maps-dir (repeatable) and --plans-dir into a. Returns 0 if it took c, else EXIT_USAGE, or
 * EXIT_ERROR when out of memory, after printing why. */
int cli_plan_option(CliPlanArgs *a, const char *verb, int c, const char *arg, char *argv[]);

/* The package entry directories to use: --maps-dir, or CLI_DEFAULT_MAPS_DIR. */
char *const *cli_plan_maps_dirs(const CliPlanArgs *a);

/* Finds the knowledge directory (knowledge_plans_dir() of --plans-dir). Returns 0 and the path
 * (caller frees), or a negative errno after logging one line. */
int cli_plans_dir(const char *plans_dir, char **ret);

/* Loads the inventory (inspecting the source if need be) and builds the plan. Returns 0 and the
 * plan (caller puts), or a negative errno after logging one line that says what is wrong. */
int cli_plan_make(const CliPlanArgs *a, json_object **ret);

/* Calls render(f, userdata) on a memory stream and writes the result to output atomically, or to
 * stdout when output is NULL. Returns 0, or a negative errno after logging one line. */
int cli_write_output(const char *output, int (*render)(FILE *f, void *userdata), void *userdata);

/* Reads a plan file (plan --format json) and checks it with plan_check(). Returns 0 and the plan
 * (caller puts), or a negative errno after logging one line. */
int cli_plan_read(const char *path, json_object **ret);

/* Before a run: every inhibitor of the plan must be overridden. Logs each one that is not (key and
 * title), and each override the plan has no inhibitor for. Returns 0, or -EPERM when the run must
 * not start. */
int cli_check_inhibitors(json_object *plan, char *const *overrides);

/* The exit status of a verb that wrote a plan or a report: EXIT_INHIBITED when its verdict is
 * "inhibited", else EXIT_OK. */
int cli_verdict_exit_status(json_object *plan_or_report);
