/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-exec.h"
#include "cli-plan.h"
#include "cluster/pool-exec.h"
#include "cluster/pool-plan.h"
#include "cluster/snapshot.h"
#include "plan/plan.h"
#include "shared/json-util.h"
#include "shared/log.h"
#include "shared/strv.h"
#include "verbs.h"

void verb_nodepool_help(FILE *f)
{
        fputs("Usage: azlmigrate nodepool snapshot -g RG --cluster NAME [-o FILE]\n"
              "       azlmigrate nodepool plan --snapshot FILE|-g RG --cluster NAME\n"
              "                                [--strategy ossku-update|bluegreen] [--pool P]... [-o FILE]\n"
              "       azlmigrate nodepool apply PLAN --state-dir DIR [--yes] [--confirm-delete] "
              "[--dry-run]\n"
              "       azlmigrate nodepool status|resume|rollback [--to CHECKPOINT]|commit --state-dir DIR\n"
              "\n"
              "Migrate AKS node pools from Ubuntu to Azure Linux.\n"
              "\n"
              "  snapshot  run 'az version', 'az aks show', 'az aks nodepool list' and 'kubectl get\n"
              "            nodes,pods,pdb,daemonsets -A' and store what they print in one JSON document\n"
              "            (schema " CLUSTER_SNAPSHOT_SCHEMA "), so that planning works offline\n"
              "  plan      plan the migration of the Ubuntu pools (schema " PLAN_SCHEMA
              ", \"subject\": \"nodepool\"):\n"
              "            each pool's profile, the findings that AKS's OS SKU rules and the workloads "
              "raise\n"
              "            (pinned pods, blocking PodDisruptionBudgets, Ubuntu host paths, ...), the steps "
              "with\n"
              "            the exact az and kubectl commands, their checkpoints and rollbacks, and the "
              "verdict.\n"
              "            'azlmigrate report --plan FILE' renders it as JSON, Markdown or HTML.\n"
              "  apply     run a node-pool plan (--dry-run: print its steps and commands): preflight takes\n"
              "            a fresh snapshot and refuses when a pool changed since the plan; before every\n"
              "            step that changes the cluster, a record checkpoint (the pool's profile and OS\n"
              "            SKU, whether the new pool existed, the nodes' cordon flags); every az and "
              "kubectl\n"
              "            command goes into the journal. Deleting an old pool (bluegreen) is the point of\n"
              "            no return and runs only with --confirm-delete.\n"
              "  status    where the run stands (as 'azlmigrate status')\n"
              "  resume    go on after a crash, a failure or a stop (the step reruns from its record)\n"
              "  rollback  restore the records newest first (uncordon, delete the new pool, set the OS\n"
              "            SKU back: a reimage); refused past the deletion of an old pool\n"
              "  commit    drop the records of a finished run\n"
              "\n"
              "Strategies:\n"
              "  ossku-update  az aks nodepool update --os-sku AzureLinux: AKS reimages the pool's nodes "
              "in\n"
              "                place (drained first, in surge batches). Rollback sets the SKU back, which\n"
              "                is another reimage of every node.\n"
              "  bluegreen     add an Azure Linux pool with the same profile, wait until it is Ready,\n"
              "                cordon and drain the old nodes (honouring PodDisruptionBudgets), soak and\n"
              "                verify, then delete the old pool. Everything before the delete rolls back\n"
              "                (uncordon, delete the new pool); the delete is the point of no return.\n"
              "\n"
              "Options:\n"
              "  -g, --resource-group RG  the cluster's resource group\n"
              "  -n, --cluster NAME       the cluster's name\n"
              "      --snapshot FILE      plan from a saved snapshot instead of asking the cluster\n"
              "      --strategy NAME      ossku-update (default) or bluegreen\n"
              "      --pool NAME          a pool to migrate; may be repeated (default: every Linux pool\n"
              "                           that does not run Azure Linux)\n"
              "      --os-sku SKU         the target OS SKU: AzureLinux (default) or AzureLinuxOSGuard\n"
              "      --drain-timeout SEC  per node (default 600)\n"
              "      --drain-batch N      nodes drained at a time (default 1)\n"
              "      --soak SEC           blue-green: wait before the old pool is deleted (default 300)\n"
              "      --poll-interval SEC  between two looks at a pool being provisioned (default 15;\n"
              "                           0: no pause, for simulated clusters)\n"
              "      --wait-timeout SEC   give up waiting for a pool after (default 3600)\n"
              "      --az PATH            the az program (default: az from PATH)\n"
              "      --kubectl PATH       the kubectl program (default: kubectl from PATH)\n"
              "      --timeout SEC        per az or kubectl command (default 600); transient failures\n"
              "                           (throttling, server errors, connection trouble) are retried\n"
              "                           with exponential backoff, 5 attempts\n"
              "      --format FORMAT      plan: json (default) or text (a summary with the commands)\n"
              "      --state-dir DIR      apply, status, resume, rollback, commit: the run's directory\n"
              "      --yes                do not ask for confirmation (needed when stdin is not a "
              "terminal)\n"
              "      --confirm-delete     allow the point of no return: deleting the old pools\n"
              "      --override KEY       apply: run although finding KEY inhibits (repeatable)\n"
              "      --hooks-dir DIR, --hook-timeout S, --progress MODE, --progress-fd N\n"
              "                           as for 'azlmigrate convert'\n"
              "  -o, --output FILE        write to FILE instead of stdout (replaced atomically)\n"
              "      --plans-dir DIR      the knowledge directory (default: the installed plans)\n"
              "  -h, --help               show this help\n"
              "\n"
              "Only JSON output of az and kubectl is read, never their text. kubectl uses its current\n"
              "context (KUBECONFIG); 'az aks get-credentials' sets it.\n"
              "\n"
              "Exit status: 0 written, 1 error, 2 usage error, 3 plan written and the migration is "
              "inhibited.\n"
              "\n"
              "Examples:\n"
              "  azlmigrate nodepool snapshot -g rg-prod -n aks-prod -o cluster.json\n"
              "  azlmigrate nodepool plan --snapshot cluster.json --strategy bluegreen -o plan.json\n"
              "  azlmigrate report --plan plan.json --format html -o report.html\n",
              f);
}

typedef struct NodepoolArgs {
        const char *rg, *cluster, *snapshot, *strategy, *sku, *output, *plans_dir;
        char **pools;
        unsigned drain_timeout, drain_batch, soak, poll, wait_timeout;
        bool poll_given;
        bool text;
        ClusterTools tools;
} NodepoolArgs;

static int parse_uint(const char *verb, const char *opt, const char *s, unsigned max, unsigned *ret)
{
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *end || s[0] == '-' || v == 0 || v > max)
                return usage_error(verb, "%s takes a whole number from 1 to %u, not '%s'", opt, max, s);
        *ret = (unsigned) v;
        return 0;
}

static int text_plan(FILE *f, void *userdata)
{
        json_object *plan = userdata, *pools = json_get(plan, "pools"),
                    *findings = json_get(plan, "findings"), *steps = json_get(plan, "steps"),
                    *cl = json_get(plan, "cluster");

        fprintf(f, "Cluster: %s in %s (Kubernetes %s)\n", strempty(json_get_str(cl, "name")),
                strempty(json_get_str(cl, "resource_group")),
                strempty(json_get_str(cl, "kubernetes_version")));
        fprintf(f, "Plan: %s -> %s, strategy %s\n", strempty(json_get_str(plan, "from")),
                strempty(json_get_str(plan, "to")), strempty(json_get_str(plan, "strategy")));
        fprintf(f, "Verdict: %s\n", strempty(json_get_str(plan, "verdict")));
        fprintf(f, "\n%-12s %-10s %-20s %5s %-6s %s\n", "POOL", "OS SKU", "VM SIZE", "COUNT", "MODE",
                "NEW POOL");
        for (size_t i = 0; i < json_array_len(pools); i++) {
                json_object *p = json_object_array_get_idx(pools, i);
                fprintf(f, "%-12s %-10s %-20s %5" PRId64 " %-6s %s\n", strempty(json_get_str(p, "name")),
                        strempty(json_get_str(p, "os_sku")), strempty(json_get_str(p, "vm_size")),
                        json_get_int(p, "count", 0), strempty(json_get_str(p, "mode")),
                        json_get_str(p, "new_name") ?: "-");
        }
        fprintf(f, "\nFindings (%zu):\n", json_array_len(findings));
        for (size_t i = 0; i < json_array_len(findings); i++) {
                json_object *x = json_object_array_get_idx(findings, i);
                fprintf(f, "  %-9s %-6s %s: %s\n", json_get_bool(x, "inhibitor", false) ? "INHIBITOR" : "",
                        strempty(json_get_str(x, "severity")), strempty(json_get_str(x, "key")),
                        strempty(json_get_str(x, "detail")));
        }
        fprintf(f, "\nSteps (%zu):\n", json_array_len(steps));
        for (size_t i = 0; i < json_array_len(steps); i++) {
                json_object *s = json_object_array_get_idx(steps, i), *cmds = json_get(s, "commands");
                if (json_get_str(s, "checkpoint_before"))
                        fprintf(f, "     * checkpoint %s\n", json_get_str(s, "checkpoint_before"));
                fprintf(f, "  %2zu %s%s\n", i + 1, strempty(json_get_str(s, "id")),
                        json_get_bool(s, "point_of_no_return", false)
                                ? "  (point of no return: needs confirmation)"
                                : "");
                for (size_t k = 0; k < json_array_len(cmds); k++) {
                        json_object *argv = json_object_array_get_idx(cmds, k);
                        fputs("       $", f);
                        for (size_t j = 0; j < json_array_len(argv); j++)
                                fprintf(f, " %s",
                                        strempty(
                                                json_object_get_string(json_object_array_get_idx(argv, j))));
                        fputc('\n', f);
                }
        }
        fprintf(f, "\nSnapshot: %s\n", strempty(json_get_str(plan, "snapshot_fingerprint")));
        return 0;
}

static int render_json(FILE *f, void *userdata)
{
        return json_dump(userdata, f);
}

/* The snapshot: --snapshot FILE, or taken now from -g and --cluster. Logs why on failure. */
static int get_snapshot(const NodepoolArgs *a, json_object **ret)
{
        _cleanup_free_ char *error = NULL;
        int r;

        if (a->snapshot) {
                r = cluster_snapshot_load(a->snapshot, ret, &error);
                if (r < 0)
                        return log_error_errno(r, "cannot read the snapshot %s: %s", a->snapshot,
                                               error ?: strerror(-r));
                return 0;
        }
        r = cluster_snapshot_take(&a->tools, a->rg, a->cluster, ret, &error);
        if (r < 0)
                return log_error_errno(r, "cannot take a snapshot of %s/%s: %s", a->rg, a->cluster,
                                       error ?: strerror(-r));
        return 0;
}

static int print_dry_run(json_object *plan)
{
        return text_plan(stdout, plan);
}

/* apply, resume, rollback: the executor in cluster mode, with the node-pool steps. */
static int nodepool_exec(const char *sub, int argc, char *argv[])
{
        enum {
                ARG_CONFIRM_DELETE = _CLI_EXEC_ARG_MAX,
                ARG_OVERRIDE,
                ARG_DRY_RUN,
                ARG_TO,
                ARG_AZ,
                ARG_KUBECTL,
                ARG_TIMEOUT,
                ARG_PLANS_DIR,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                CLI_OPTION_STATE_DIR,
                CLI_OPTION_YES,
                CLI_OPTION_HOOKS_DIR,
                CLI_OPTION_HOOK_TIMEOUT,
                CLI_OPTION_PROGRESS_FD,
                { "confirm-delete", no_argument, NULL, ARG_CONFIRM_DELETE },
                { "override", required_argument, NULL, ARG_OVERRIDE },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                { "to", required_argument, NULL, ARG_TO },
                { "az", required_argument, NULL, ARG_AZ },
                { "kubectl", required_argument, NULL, ARG_KUBECTL },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "plans-dir", required_argument, NULL, ARG_PLANS_DIR },
                {},
        };
        _cleanup_(executor_freep) Executor *e = NULL;
        _cleanup_json_ json_object *plan = NULL;
        _cleanup_strv_free_ char **overrides = NULL;
        _cleanup_free_ char *plans = NULL, *question = NULL;
        CliExec x = CLI_EXEC_INIT;
        PoolExec px = {};
        const char *plans_dir = NULL, *to = NULL, *plan_path = NULL;
        bool apply = streq(sub, "apply"), dry_run = false;
        const Journal *j;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        verb_nodepool_help(stdout);
                        return EXIT_OK;
                case ARG_CONFIRM_DELETE:
                        px.confirm_delete = true;
                        break;
                case ARG_OVERRIDE:
                        if (strv_extend(&overrides, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_DRY_RUN:
                        dry_run = true;
                        break;
                case ARG_TO:
                        to = optarg;
                        break;
                case ARG_AZ:
                        px.tools.az = optarg;
                        break;
                case ARG_KUBECTL:
                        px.tools.kubectl = optarg;
                        break;
                case ARG_TIMEOUT:
                        if ((r = parse_uint("nodepool", "--timeout", optarg, 86400,
                                            &px.tools.timeout_sec)) != 0)
                                return r;
                        break;
                case ARG_PLANS_DIR:
                        plans_dir = optarg;
                        break;
                default:
                        r = cli_exec_option(&x, "nodepool", c, optarg, argv);
                        if (r != 0)
                                return r;
                }
        if (apply) {
                if (optind >= argc)
                        return usage_error("nodepool",
                                           "apply needs the plan: nodepool apply PLAN --state-dir DIR");
                plan_path = argv[optind++];
        }
        if (optind < argc)
                return usage_error("nodepool", "unexpected argument '%s'", argv[optind]);
        if (to && !streq(sub, "rollback"))
                return usage_error("nodepool", "--to is for rollback");
        if (dry_run && !apply)
                return usage_error("nodepool", "--dry-run is for apply");
        if (!dry_run && (r = cli_exec_require_state_dir(&x, "nodepool")) != 0)
                return r;

        if (apply) {
                r = cli_plan_read(plan_path, &plan);
                if (r < 0)
                        return EXIT_ERROR;
                if (!streq_ptr(json_get_str(plan, "subject"), "nodepool"))
                        return usage_error("nodepool",
                                           "%s is not a node-pool plan ('azlmigrate apply' runs disk plans)",
                                           plan_path);
                if (dry_run)
                        return print_dry_run(plan) < 0 ? EXIT_ERROR : EXIT_OK;
                if (cli_check_inhibitors(plan, overrides) < 0)
                        return EXIT_INHIBITED;
        }
        r = cli_plans_dir(plans_dir, &plans);
        if (r < 0)
                return EXIT_ERROR;
        px.plans_dir = plans;
        x.overrides = overrides;
        x.userdata = &px;
        x.record_ops = pool_exec_record_ops(&px);

        if (apply) {
                const char *rg = json_get_str(json_get(plan, "cluster"), "resource_group"),
                           *cl = json_get_str(json_get(plan, "cluster"), "name");
                _cleanup_free_ char *source = NULL;
                if (asprintf(&source, "%s/%s", strempty(rg), strempty(cl)) < 0 ||
                    asprintf(&question, "Migrate the node pools of %s to %s with %s?", source,
                             strempty(json_get_str(plan, "to")),
                             strempty(json_get_str(plan, "strategy"))) < 0)
                        return log_oom();
                r = cli_exec_confirm("nodepool", x.yes, question);
                if (r != 0)
                        return r;
                r = cli_exec_open(&x, "nodepool", true, &e);
                if (r != 0)
                        return r;
                ExecSource src = { .mode = SOURCE_MODE_CLUSTER, .path = source };
                r = executor_init(e, plan, &src, NULL, NULL);
                if (r == -EEXIST) {
                        log_error("'%s' holds a run that is neither committed nor rolled back: 'azlmigrate "
                                  "nodepool "
                                  "status --state-dir %s' shows it.",
                                  x.state_dir, x.state_dir);
                        return EXIT_ERROR;
                }
                if (r < 0) {
                        log_error_errno(r, "Cannot start the run in '%s': %m", x.state_dir);
                        return EXIT_ERROR;
                }
        } else {
                r = cli_exec_open(&x, "nodepool", false, &e);
                if (r != 0)
                        return r;
                j = executor_state(e)->journal;
                if (j->mode != SOURCE_MODE_CLUSTER) {
                        log_error("The run in '%s' is not of node pools: use 'azlmigrate %s'.", x.state_dir,
                                  sub);
                        return EXIT_ERROR;
                }
                if (asprintf(&question, "%s the node-pool migration of %s (status %s)?",
                             streq(sub, "rollback") ? "Roll back"
                             : streq(sub, "commit") ? "Commit"
                                                    : "Resume",
                             j->source_path, journal_status_to_string(j->status)) < 0)
                        return log_oom();
                r = cli_exec_confirm("nodepool", x.yes, question);
                if (r != 0)
                        return r;
                r = state_read_plan(executor_state(e), &plan);
                if (r < 0) {
                        log_error_errno(r, "Cannot read the run's plan: %m");
                        return EXIT_ERROR;
                }
        }

        if (streq(sub, "commit")) {
                r = executor_commit(e, NULL);
                if (r == -EBUSY) {
                        log_error("The run is not done: only a finished migration is committed.");
                        return EXIT_ERROR;
                }
                if (r < 0) {
                        log_error_errno(r, "Cannot commit: %m");
                        return EXIT_ERROR;
                }
                log_info("Committed: the records that rollback needs are deleted.");
                return EXIT_OK;
        }
        if (streq(sub, "rollback")) {
                r = executor_rollback(e, to);
                cli_exec_finish(&x);
                j = executor_state(e)->journal;
                if (r == -ENOENT) {
                        log_error("The plan has no checkpoint '%s'.", strempty(to));
                        return EXIT_ERROR;
                }
                if (r < 0) {
                        log_error("The rollback stopped: %s",
                                  j && j->last_error ? j->last_error : strerror(-r));
                        return EXIT_ERROR;
                }
                log_info("Rolled back%s%s: the cluster is as it was %s.", to ? " to " : "", strempty(to),
                         to ? "when that checkpoint was recorded" : "before the run");
                return EXIT_OK;
        }
        r = pool_exec_register(e, plan);
        if (r < 0) {
                log_error_errno(r, "The plan has a step this version cannot run: %m");
                return EXIT_ERROR;
        }
        r = executor_run(e);
        cli_exec_finish(&x);
        j = executor_state(e)->journal;
        if (r == EXEC_RUN_STOPPED) {
                log_error("A hook stopped the run (%s). Fix the cause, then 'azlmigrate nodepool resume "
                          "--state-dir "
                          "%s', or roll back.",
                          j && j->last_error ? j->last_error : "see its log", x.state_dir);
                return EXIT_STOPPED;
        }
        if (r == -EINPROGRESS) {
                log_error("A rollback was interrupted: finish it with 'azlmigrate nodepool rollback "
                          "--state-dir %s'.",
                          x.state_dir);
                return EXIT_ERROR;
        }
        if (r < 0) {
                log_error("The migration stopped: %s", j && j->last_error ? j->last_error : strerror(-r));
                log_error("'azlmigrate nodepool status --state-dir %s' shows where; 'nodepool resume' "
                          "retries, "
                          "'nodepool rollback' returns to a checkpoint.",
                          x.state_dir);
                return EXIT_ERROR;
        }
        log_info("Migrated. Every step is done; 'azlmigrate nodepool status --state-dir %s' shows them.",
                 x.state_dir);
        return EXIT_OK;
}

int verb_nodepool(int argc, char *argv[])
{
        enum {
                ARG_SNAPSHOT = 0x200,
                ARG_STRATEGY,
                ARG_POOL,
                ARG_OS_SKU,
                ARG_DRAIN_TIMEOUT,
                ARG_DRAIN_BATCH,
                ARG_SOAK,
                ARG_AZ,
                ARG_KUBECTL,
                ARG_TIMEOUT,
                ARG_FORMAT,
                ARG_PLANS_DIR,
                ARG_POLL,
                ARG_WAIT_TIMEOUT,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "poll-interval", required_argument, NULL, ARG_POLL },
                { "wait-timeout", required_argument, NULL, ARG_WAIT_TIMEOUT },
                { "resource-group", required_argument, NULL, 'g' },
                { "cluster", required_argument, NULL, 'n' },
                { "name", required_argument, NULL, 'n' },
                { "snapshot", required_argument, NULL, ARG_SNAPSHOT },
                { "strategy", required_argument, NULL, ARG_STRATEGY },
                { "pool", required_argument, NULL, ARG_POOL },
                { "os-sku", required_argument, NULL, ARG_OS_SKU },
                { "drain-timeout", required_argument, NULL, ARG_DRAIN_TIMEOUT },
                { "drain-batch", required_argument, NULL, ARG_DRAIN_BATCH },
                { "soak", required_argument, NULL, ARG_SOAK },
                { "az", required_argument, NULL, ARG_AZ },
                { "kubectl", required_argument, NULL, ARG_KUBECTL },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "output", required_argument, NULL, 'o' },
                { "plans-dir", required_argument, NULL, ARG_PLANS_DIR },
                {},
        };
        NodepoolArgs a = { .strategy = "ossku-update" };
        _cleanup_strv_free_ char **pools = NULL;
        _cleanup_json_ json_object *snap = NULL, *plan = NULL;
        _cleanup_free_ char *plans = NULL, *error = NULL;
        const char *sub;
        int c, r;

        if (argc >= 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
                verb_nodepool_help(stdout);
                return EXIT_OK;
        }
        if (argc < 2 || argv[1][0] == '-')
                return usage_error("nodepool",
                                   "say what to do: snapshot, plan, apply, status, resume or rollback");
        sub = argv[1];
        argc--;
        argv++;
        if (streq(sub, "status"))
                return verb_status(argc, argv);
        if (streq(sub, "apply") || streq(sub, "resume") || streq(sub, "rollback") || streq(sub, "commit"))
                return nodepool_exec(sub, argc, argv);
        if (!streq(sub, "snapshot") && !streq(sub, "plan"))
                return usage_error(
                        "nodepool",
                        "unknown command '%s' (snapshot, plan, apply, status, resume or rollback)", sub);

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":hg:n:o:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        verb_nodepool_help(stdout);
                        return EXIT_OK;
                case 'g':
                        a.rg = optarg;
                        break;
                case 'n':
                        a.cluster = optarg;
                        break;
                case ARG_SNAPSHOT:
                        a.snapshot = optarg;
                        break;
                case ARG_STRATEGY:
                        if (!streq(optarg, "ossku-update") && !streq(optarg, "bluegreen"))
                                return usage_error("nodepool",
                                                   "unknown strategy '%s' (ossku-update or bluegreen)",
                                                   optarg);
                        a.strategy = optarg;
                        break;
                case ARG_POOL:
                        if (!pool_name_is_valid(optarg))
                                return usage_error("nodepool", "'%s' is not an AKS node pool name", optarg);
                        if (strv_extend(&pools, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_OS_SKU:
                        a.sku = optarg;
                        break;
                case ARG_DRAIN_TIMEOUT:
                        if ((r = parse_uint("nodepool", "--drain-timeout", optarg, 86400,
                                            &a.drain_timeout)) != 0)
                                return r;
                        break;
                case ARG_DRAIN_BATCH:
                        if ((r = parse_uint("nodepool", "--drain-batch", optarg, 1000, &a.drain_batch)) != 0)
                                return r;
                        break;
                case ARG_SOAK:
                        if ((r = parse_uint("nodepool", "--soak", optarg, 86400, &a.soak)) != 0)
                                return r;
                        break;
                case ARG_AZ:
                        a.tools.az = optarg;
                        break;
                case ARG_KUBECTL:
                        a.tools.kubectl = optarg;
                        break;
                case ARG_TIMEOUT:
                        if ((r = parse_uint("nodepool", "--timeout", optarg, 86400, &a.tools.timeout_sec)) !=
                            0)
                                return r;
                        break;
                case ARG_FORMAT:
                        if (!streq(optarg, "json") && !streq(optarg, "text"))
                                return usage_error("nodepool", "unknown format '%s' (json or text)", optarg);
                        a.text = streq(optarg, "text");
                        break;
                case 'o':
                        a.output = optarg;
                        break;
                case ARG_PLANS_DIR:
                        a.plans_dir = optarg;
                        break;
                case ARG_POLL:
                        if (streq(optarg, "0"))
                                a.poll = 0;
                        else if ((r = parse_uint("nodepool", "--poll-interval", optarg, 3600, &a.poll)) != 0)
                                return r;
                        a.poll_given = true;
                        break;
                case ARG_WAIT_TIMEOUT:
                        if ((r = parse_uint("nodepool", "--wait-timeout", optarg, 7 * 86400,
                                            &a.wait_timeout)) != 0)
                                return r;
                        break;
                default:
                        return getopt_usage_error("nodepool", c, argv);
                }
        if (optind < argc)
                return usage_error("nodepool", "unexpected argument '%s'", argv[optind]);
        a.pools = pools;

        if (streq(sub, "snapshot")) {
                if (a.snapshot)
                        return usage_error("nodepool",
                                           "snapshot takes -g RG and --cluster NAME, not --snapshot");
                if (!a.rg || !a.cluster)
                        return usage_error("nodepool", "snapshot needs -g RG and --cluster NAME");
                if (a.text)
                        return usage_error("nodepool", "a snapshot is JSON only");
                if (get_snapshot(&a, &snap) < 0)
                        return EXIT_ERROR;
                return cli_write_output(a.output, render_json, snap) < 0 ? EXIT_ERROR : EXIT_OK;
        }

        if (!!a.snapshot == !!(a.rg || a.cluster))
                return usage_error("nodepool", "give either --snapshot FILE or -g RG and --cluster NAME");
        if (!a.snapshot && (!a.rg || !a.cluster))
                return usage_error("nodepool", "give both -g RG and --cluster NAME");
        r = cli_plans_dir(a.plans_dir, &plans);
        if (r < 0)
                return EXIT_ERROR;
        if (get_snapshot(&a, &snap) < 0)
                return EXIT_ERROR;
        PoolPlanOptions o = { .plans_dir = plans,
                              .strategy = a.strategy,
                              .target_sku = a.sku,
                              .pools = a.pools,
                              .drain_timeout_sec = a.drain_timeout,
                              .drain_batch = a.drain_batch,
                              .soak_sec = a.soak,
                              .poll_sec = a.poll,
                              .poll_given = a.poll_given,
                              .wait_timeout_sec = a.wait_timeout };
        r = pool_plan_build(snap, &o, &plan, &error);
        if (r < 0) {
                log_error("cannot plan: %s", error ?: strerror(-r));
                return EXIT_ERROR;
        }
        if (cli_write_output(a.output, a.text ? text_plan : render_json, plan) < 0)
                return EXIT_ERROR;
        return cli_verdict_exit_status(plan);
}
