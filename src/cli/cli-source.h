/* SPDX-License-Identifier: MIT */
#pragma once

#include <getopt.h>

#include <json-c/json.h>

#include "inspect/inspect.h"

/* Where a verb takes its node from: a disk image or block device (inspected now), a mounted root
 * (--root, inspected now) or a saved inventory (--inventory FILE, as written by
 * "inspect --format json"). Exactly one must be set. */
typedef struct CliSource {
        const char *image;
        const char *root;
        const char *inventory;
        InspectBackend backend;
} CliSource;

/* The getopt_long() values of the options cli_source_option() takes. A verb numbers its own
 * options from _CLI_SOURCE_ARG_MAX (or from _CLI_PLAN_ARG_MAX, cli-plan.h). */
enum {
        CLI_ARG_INVENTORY = 0x100,
        CLI_ARG_ROOT,
        CLI_ARG_BACKEND,
        _CLI_SOURCE_ARG_MAX,
};

/* Their entries in a verb's option table; a verb lists those it accepts. */
/* clang-format off */
#define CLI_OPTION_INVENTORY { "inventory", required_argument, NULL, CLI_ARG_INVENTORY }
#define CLI_OPTION_ROOT      { "root", required_argument, NULL, CLI_ARG_ROOT }
#define CLI_OPTION_BACKEND   { "backend", required_argument, NULL, CLI_ARG_BACKEND }
/* clang-format on */

/* For the default branch of a verb's getopt_long() loop (opterr = 0, an optstring starting with
 * ':'): takes --inventory, --root or --backend (c, with its argument arg) into s; anything else is
 * an unknown option or a missing argument (getopt_usage_error()). Returns 0 if it took c, else
 * EXIT_USAGE after printing why. */
int cli_source_option(CliSource *s, const char *verb, int c, const char *arg, char *argv[]);

/* For verbs that take at most one SOURCE after their options: sets s->image from argv[optind],
 * if any. Returns 0, or EXIT_USAGE after printing why when more arguments follow. */
int cli_source_argument(CliSource *s, const char *verb, int argc, char *argv[]);

/* Returns 0 and the inventory JSON (caller puts), or a negative errno after logging one line
 * that says what is wrong. */
int cli_source_load(const CliSource *s, json_object **ret);

/* Number of the three sources set. */
int cli_source_count(const CliSource *s);

/* True if arg names an existing file or device rather than, say, a package name. */
int cli_arg_is_path(const char *arg);
