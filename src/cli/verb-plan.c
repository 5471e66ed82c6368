/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "shared/json-util.h"
#include "shared/log.h"
#include "cli-plan.h"
#include "verbs.h"

void verb_plan_help(FILE *f)
{
        fputs("Usage: azlmigrate plan [OPTIONS] SOURCE\n"
              "       azlmigrate plan [OPTIONS] --root DIR\n"
              "       azlmigrate plan [OPTIONS] --inventory FILE\n"
              "\n"
              "Plan the migration of a node to Azure Linux, as data: the ordered steps of a strategy, each\n"
              "saying what it reads and writes, whether it changes a disk, the checkpoint taken before it\n"
              "and how it is undone; what becomes of every package; how each piece of configuration is\n"
              "carried, translated or rendered; every finding; and the verdict:\n"
              "  ready                nothing stands in the way\n"
              "  ready-with-warnings  findings of medium or high severity: read them first\n"
              "  inhibited            an inhibiting finding: the migration must not run\n"
              "Planning only reads: the source is inspected (or the saved inventory read), never changed.\n"
              "The plan carries a fingerprint of the inventory; 'apply' refuses a node that has changed.\n"
              "\n"
              "SOURCE is a disk image or block device, as for 'azlmigrate inspect'.\n"
              "\n"
              "Options:\n"
              "      --to TARGET       the target release: azurelinux-3.0 (default)\n"
              "      --strategy NAME   inplace (default): convert the node's own disk, with a checkpoint\n"
              "                          before every step that changes it;\n"
              "                        reimage: write a new disk from the target image and apply the\n"
              "                          node's configuration to it; the source is only read\n"
              "      --inventory FILE  plan from a saved inventory (inspect --format json)\n"
              "      --root DIR        plan from the root filesystem mounted at DIR\n"
              "      --format FORMAT   json (the plan, schema " PLAN_SCHEMA ", docs/plan.schema.json;\n"
              "                        the default) or text (a short summary)\n"
              "  -o, --output FILE     write to FILE instead of stdout (replaced atomically)\n"
              "      --maps-dir DIR    a directory of package entry files (*.tsv) that override the "
              "shipped\n"
              "                        ones; may be repeated (default: " CLI_DEFAULT_MAPS_DIR ")\n"
              "      --plans-dir DIR   the knowledge directory (default: the installed plans)\n"
              "  -h, --help            show this help\n"
              "\n"
              "Exit status: 0 plan written, 1 error, 2 usage error, 3 plan written and the migration is\n"
              "inhibited.\n"
              "\n"
              "Examples:\n"
              "  azlmigrate plan node-disk.vhd -o plan.json\n"
              "  azlmigrate plan --inventory node.json --strategy reimage --format text\n"
              "  azlmigrate report --plan plan.json --format html -o report.html\n",
              f);
}

static int count_where(json_object *arr, const char *member, const char *value)
{
        int n = 0;
        for (size_t i = 0; i < json_array_len(arr); i++)
                if (streq_ptr(json_get_str(json_object_array_get_idx(arr, i), member), value))
                        n++;
        return n;
}

static int render_text(FILE *f, void *userdata)
{
        json_object *plan = userdata, *counts = json_get(json_get(plan, "packages"), "counts"),
                    *findings = json_get(plan, "findings"), *translations = json_get(plan, "translations"),
                    *steps = json_get(plan, "steps"), *cps = json_get(plan, "checkpoints");
        static const char *const severities[] = { "high", "medium", "low", "info" };
        static const char *const actions[] = { "carry", "translate", "render", "drop", "flag" };

        fprintf(f, "Plan: %s -> %s, strategy %s\n", strempty(json_get_str(plan, "from")),
                strempty(json_get_str(plan, "to")), strempty(json_get_str(plan, "strategy")));
        fprintf(f, "Verdict: %s\n", strempty(json_get_str(plan, "verdict")));
        for (size_t i = 0; i < json_array_len(findings); i++) {
                json_object *x = json_object_array_get_idx(findings, i);
                if (json_get_bool(x, "inhibitor", false))
                        fprintf(f, "  inhibitor %s: %s\n", strempty(json_get_str(x, "key")),
                                strempty(json_get_str(x, "title")));
        }
        fprintf(f,
                "Packages: %" PRId64 ": %" PRId64 " map, %" PRId64 " base, %" PRId64 " drop, %" PRId64
                " unavailable, %" PRId64 " unknown; %zu to install beyond the node image's %" PRId64 "\n",
                json_get_int(counts, "total", 0), json_get_int(counts, "map", 0),
                json_get_int(counts, "base", 0), json_get_int(counts, "drop", 0),
                json_get_int(counts, "unavailable", 0), json_get_int(counts, "unknown", 0),
                json_array_len(json_get(counts, "to_install")),
                json_get_int(counts, "target_image_packages", 0));
        fprintf(f, "Configuration: %zu translation%s", json_array_len(translations),
                json_array_len(translations) == 1 ? "" : "s");
        for (size_t i = 0; i < ELEMENTSOF(actions); i++)
                fprintf(f, "%s%d %s", i ? ", " : " (", count_where(translations, "action", actions[i]),
                        actions[i]);
        fputs(")\n", f);
        fprintf(f, "Findings: %zu", json_array_len(findings));
        for (size_t i = 0; i < ELEMENTSOF(severities); i++)
                fprintf(f, "%s%d %s", i ? ", " : " (", count_where(findings, "severity", severities[i]),
                        severities[i]);
        fputs(")\n", f);
        fprintf(f, "Steps (%zu, %zu checkpoints):\n", json_array_len(steps), json_array_len(cps));
        for (size_t i = 0; i < json_array_len(steps); i++) {
                json_object *s = json_object_array_get_idx(steps, i);
                const char *cp = json_get_str(s, "checkpoint_before");

                if (cp) {
                        const char *kind = NULL;
                        for (size_t j = 0; j < json_array_len(cps); j++)
                                if (streq_ptr(json_get_str(json_object_array_get_idx(cps, j), "id"), cp))
                                        kind = json_get_str(json_object_array_get_idx(cps, j), "kind");
                        fprintf(f, "     * checkpoint %s (%s)\n", cp, strempty(kind));
                }
                fprintf(f, "  %2zu %-20s %-10s %s\n", i + 1, strempty(json_get_str(s, "id")),
                        strempty(json_get_str(s, "kind")),
                        json_get_bool(s, "mutates", false) ? "changes a disk" : "");
        }
        fprintf(f, "Inventory: %s\n", strempty(json_get_str(plan, "inventory_fingerprint")));
        return 0;
}

static int render_json(FILE *f, void *userdata)
{
        return json_dump(userdata, f);
}

int verb_plan(int argc, char *argv[])
{
        enum { ARG_FORMAT = _CLI_PLAN_ARG_MAX };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                CLI_OPTION_TO,
                CLI_OPTION_STRATEGY,
                CLI_OPTION_INVENTORY,
                CLI_OPTION_ROOT,
                { "format", required_argument, NULL, ARG_FORMAT },
                { "output", required_argument, NULL, 'o' },
                CLI_OPTION_MAPS_DIR,
                CLI_OPTION_PLANS_DIR,
                {},
        };
        _cleanup_(cli_plan_args_done) CliPlanArgs a = { .source.backend = INSPECT_BACKEND_AUTO };
        _cleanup_json_ json_object *plan = NULL;
        const char *output = NULL;
        bool text = false;
        int c, r;

        opterr = 0;
        optind = 0; /* 0, not 1: a full reset, so that options may follow SOURCE */
        while ((c = getopt_long(argc, argv, ":ho:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        verb_plan_help(stdout);
                        return EXIT_OK;
                case ARG_FORMAT:
                        if (!streq(optarg, "json") && !streq(optarg, "text"))
                                return usage_error("plan", "unknown format '%s' (json or text)", optarg);
                        text = streq(optarg, "text");
                        break;
                case 'o':
                        output = optarg;
                        break;
                default:
                        r = cli_plan_option(&a, "plan", c, optarg, argv);
                        if (r != 0)
                                return r;
                }
        r = cli_source_argument(&a.source, "plan", argc, argv);
        if (r != 0)
                return r;
        if (cli_source_count(&a.source) != 1)
                return usage_error("plan", "give exactly one of SOURCE, --root DIR or --inventory FILE");

        r = cli_plan_make(&a, &plan);
        if (r < 0)
                return EXIT_ERROR;
        r = cli_write_output(output, text ? render_text : render_json, plan);
        if (r < 0)
                return EXIT_ERROR;
        return cli_verdict_exit_status(plan);
}
