/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "shared/json-util.h"
#include "shared/log.h"
#include "cli-plan.h"
#include "verbs.h"

typedef enum ReportFormat {
        REPORT_JSON,
        REPORT_MD,
        REPORT_HTML,
        _REPORT_FORMAT_MAX,
        _REPORT_FORMAT_INVALID = -EINVAL,
} ReportFormat;

static const char *const report_format_table[_REPORT_FORMAT_MAX] = {
        [REPORT_JSON] = "json",
        [REPORT_MD] = "md",
        [REPORT_HTML] = "html",
};

DEFINE_PRIVATE_STRING_TABLE_LOOKUP(report_format, ReportFormat);

void verb_report_help(FILE *f)
{
        fputs("Usage: azlmigrate report [OPTIONS] --format FORMAT SOURCE\n"
              "       azlmigrate report [OPTIONS] --format FORMAT (--root DIR | --inventory FILE)\n"
              "       azlmigrate report --format FORMAT --plan FILE\n"
              "\n"
              "Write the dry-run migration report: what an operator reads before touching a node. It\n"
              "leads with the verdict (ready, ready with warnings, inhibited) and the inhibitors with\n"
              "their remediations; then the package changes (counts per disposition and every package),\n"
              "the configuration changes, the steps and their checkpoints, the footprint before and after,\n"
              "and every finding. Nothing is changed: a SOURCE is only inspected.\n"
              "\n"
              "From a SOURCE, --root or --inventory the plan is made first, as 'azlmigrate plan' makes it;\n"
              "--plan reads a saved plan (plan --format json) and needs nothing else.\n"
              "\n"
              "Options:\n"
              "      --format FORMAT   json (schema " REPORT_SCHEMA ", docs/report.schema.json),\n"
              "                        md (Markdown), or html (one self-contained file: inline CSS and\n"
              "                        SVG pictures, no JavaScript, nothing loaded from elsewhere)\n"
              "  -o, --output FILE     write to FILE instead of stdout (replaced atomically)\n"
              "      --plan FILE       report on a saved plan\n"
              "      --inventory FILE  plan and report from a saved inventory (inspect --format json)\n"
              "      --root DIR        plan and report from the root filesystem mounted at DIR\n"
              "      --to TARGET       the target release: azurelinux-3.0 (default)\n"
              "      --strategy NAME   inplace (default) or reimage; see 'azlmigrate plan --help'\n"
              "      --maps-dir DIR    a directory of package entry files that override the shipped ones;\n"
              "                        may be repeated (default: " CLI_DEFAULT_MAPS_DIR ")\n"
              "      --plans-dir DIR   the knowledge directory (default: the installed plans)\n"
              "  -h, --help            show this help\n"
              "\n"
              "Exit status: 0 report written, 1 error, 2 usage error, 3 report written and the migration\n"
              "is inhibited.\n"
              "\n"
              "Examples:\n"
              "  azlmigrate report node-disk.vhd --format html -o report.html\n"
              "  azlmigrate report --plan plan.json --format md -o report.md\n"
              "  azlmigrate report --inventory node.json --strategy reimage --format json\n",
              f);
}

typedef struct Output {
        json_object *report;
        ReportFormat format;
} Output;

static int render(FILE *f, void *userdata)
{
        Output *o = userdata;

        switch (o->format) {
        case REPORT_JSON:
                return json_dump(o->report, f);
        case REPORT_MD:
                return report_render_markdown(o->report, f);
        case REPORT_HTML:
                return report_render_html(o->report, f);
        default:
                return -EINVAL;
        }
}

int verb_report(int argc, char *argv[])
{
        enum { ARG_PLAN = _CLI_PLAN_ARG_MAX, ARG_FORMAT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                CLI_OPTION_TO,
                CLI_OPTION_STRATEGY,
                CLI_OPTION_INVENTORY,
                CLI_OPTION_ROOT,
                { "plan", required_argument, NULL, ARG_PLAN },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "output", required_argument, NULL, 'o' },
                CLI_OPTION_MAPS_DIR,
                CLI_OPTION_PLANS_DIR,
                {},
        };
        _cleanup_(cli_plan_args_done) CliPlanArgs a = { .source.backend = INSPECT_BACKEND_AUTO };
        _cleanup_json_ json_object *plan = NULL, *report = NULL;
        Output out = { .format = _REPORT_FORMAT_INVALID };
        const char *output = NULL, *plan_file = NULL;
        int c, r;

        opterr = 0;
        optind = 0; /* 0, not 1: a full reset, so that options may follow SOURCE */
        while ((c = getopt_long(argc, argv, ":ho:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        verb_report_help(stdout);
                        return EXIT_OK;
                case ARG_PLAN:
                        plan_file = optarg;
                        break;
                case ARG_FORMAT:
                        out.format = report_format_from_string(optarg);
                        if (out.format < 0)
                                return usage_error("report", "unknown format '%s' (json, md or html)",
                                                   optarg);
                        break;
                case 'o':
                        output = optarg;
                        break;
                default:
                        r = cli_plan_option(&a, "report", c, optarg, argv);
                        if (r != 0)
                                return r;
                }
        r = cli_source_argument(&a.source, "report", argc, argv);
        if (r != 0)
                return r;
        if (cli_source_count(&a.source) + !!plan_file != 1)
                return usage_error(
                        "report", "give exactly one of SOURCE, --root DIR, --inventory FILE or --plan FILE");
        if (plan_file && (a.to || a.strategy || a.maps_dirs || a.plans_dir))
                return usage_error("report",
                                   "--to, --strategy, --maps-dir and --plans-dir make a new plan: they do "
                                   "not go with --plan");
        if (out.format < 0)
                return usage_error("report", "give --format json, md or html");

        r = plan_file ? cli_plan_read(plan_file, &plan) : cli_plan_make(&a, &plan);
        if (r < 0)
                return EXIT_ERROR;
        r = report_build(plan, &report);
        if (r == -EBADMSG) {
                log_error("the plan has no valid verdict");
                return EXIT_ERROR;
        }
        if (r < 0)
                return log_oom();
        out.report = report;
        r = cli_write_output(output, render, &out);
        if (r < 0)
                return EXIT_ERROR;
        return cli_verdict_exit_status(report);
}
