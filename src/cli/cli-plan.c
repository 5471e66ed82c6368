/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "map/knowledge.h"
#include "plan/plan.h"
#include "plan/strategy.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/log.h"
#include "shared/strv.h"
#include "cli-plan.h"
#include "verbs.h"

#define PLAN_FILE_MAX (256u * 1024u * 1024u)

void cli_plan_args_done(CliPlanArgs *a)
{
        a->maps_dirs = strv_free(a->maps_dirs);
}

int cli_plan_option(CliPlanArgs *a, const char *verb, int c, const char *arg, char *argv[])
{
        switch (c) {
        case CLI_ARG_TO:
                a->to = arg;
                return 0;
        case CLI_ARG_STRATEGY:
                if (!strategy_name_is_valid(arg))
                        return usage_error(verb, "'%s' is not a strategy name (inplace or reimage)", arg);
                a->strategy = arg;
                return 0;
        case CLI_ARG_MAPS_DIR:
                if (strv_extend(&a->maps_dirs, arg) < 0)
                        return log_oom();
                return 0;
        case CLI_ARG_PLANS_DIR:
                a->plans_dir = arg;
                return 0;
        default:
                return cli_source_option(&a->source, verb, c, arg, argv);
        }
}

char *const *cli_plan_maps_dirs(const CliPlanArgs *a)
{
        static char *const default_maps[] = { (char *) CLI_DEFAULT_MAPS_DIR, NULL };

        return a->maps_dirs ?: default_maps;
}

int cli_plans_dir(const char *plans_dir, char **ret)
{
        int r;

        r = knowledge_plans_dir(plans_dir, ret);
        if (r < 0)
                return log_error_errno(r, "cannot find the plans directory%s%s: %m", plans_dir ? " " : "",
                                       strempty(plans_dir));
        return 0;
}

int cli_plan_make(const CliPlanArgs *a, json_object **ret)
{
        _cleanup_json_ json_object *inventory = NULL;
        _cleanup_free_ char *plans = NULL, *error = NULL;
        PlanOptions o = {
                .to = a->to ?: CLI_DEFAULT_TARGET,
                .strategy = a->strategy ?: CLI_DEFAULT_STRATEGY,
                .maps_dirs = cli_plan_maps_dirs(a),
        };
        int r;

        r = cli_plans_dir(a->plans_dir, &plans);
        if (r < 0)
                return r;
        o.plans_dir = plans;
        r = cli_source_load(&a->source, &inventory);
        if (r < 0)
                return r;
        r = plan_build(inventory, &o, ret, &error);
        if (r < 0) {
                if (error)
                        return log_error_errno(r, "%s", error);
                return log_error_errno(r, "planning failed: %m");
        }
        return 0;
}

int cli_write_output(const char *output, int (*render)(FILE *f, void *userdata), void *userdata)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *m;
        int r;

        m = open_memstream(&buf, &size);
        if (!m)
                return log_error_errno(-ENOMEM, "out of memory");
        r = render(m, userdata);
        if (fclose(m) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return log_error_errno(r, "rendering failed: %m");
        if (output)
                r = write_file_atomic(output, buf, size, 0644);
        else if (fwrite(buf, 1, size, stdout) != size || fflush(stdout) != 0)
                r = errno > 0 ? -errno : -EIO;
        if (r < 0)
                return log_error_errno(r, "writing to '%s' failed: %m", output ?: "stdout");
        return 0;
}

int cli_plan_read(const char *path, json_object **ret)
{
        _cleanup_json_ json_object *plan = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = json_parse_file(path, PLAN_FILE_MAX, &plan);
        if (r == -EBADMSG)
                return log_error_errno(r, "'%s' is not valid JSON", path);
        if (r < 0)
                return log_error_errno(r, "cannot read plan '%s': %m", path);
        r = plan_check(plan, &error);
        if (r < 0)
                return log_error_errno(r, "'%s': %s", path, error ?: "not a usable plan");
        *ret = TAKE_PTR(plan);
        return 0;
}

int cli_verdict_exit_status(json_object *plan_or_report)
{
        return streq_ptr(json_get_str(plan_or_report, "verdict"), "inhibited") ? EXIT_INHIBITED : EXIT_OK;
}

int cli_check_inhibitors(json_object *plan, char *const *overrides)
{
        json_object *inhibitors = json_get(plan, "inhibitors"), *findings = json_get(plan, "findings");
        unsigned missing = 0;

        for (size_t i = 0; i < json_array_len(inhibitors); i++) {
                const char *key = json_object_get_string(json_object_array_get_idx(inhibitors, i));
                if (strv_contains(overrides, key))
                        continue;
                if (missing++ == 0)
                        log_error("The migration is inhibited:");
                for (size_t k = 0; k < json_array_len(findings); k++) {
                        json_object *f = json_object_array_get_idx(findings, k);
                        if (streq_ptr(json_get_str(f, "key"), key)) {
                                log_error("  %s: %s", key, strempty(json_get_str(f, "title")));
                                for (size_t m = 0; m < json_array_len(json_get(f, "remediation")); m++)
                                        log_error("    remediation: %s",
                                                  strempty(json_get_str(
                                                          json_array_at(json_get(f, "remediation"), m),
                                                          "value")));
                                key = NULL;
                                break;
                        }
                }
                if (key)
                        log_error("  %s", key);
        }
        for (char *const *o = overrides; o && *o; o++) {
                bool found = false;
                for (size_t i = 0; i < json_array_len(inhibitors) && !found; i++)
                        found = streq_ptr(json_object_get_string(json_object_array_get_idx(inhibitors, i)),
                                          *o);
                if (!found)
                        log_warning("--override %s: the plan has no such inhibitor.", *o);
        }
        if (missing > 0) {
                log_error("Resolve them, or override each with --override KEY after reading its remediation "
                          "('azlmigrate report' explains them).");
                return -EPERM;
        }
        return 0;
}
