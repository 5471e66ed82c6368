/* SPDX-License-Identifier: MIT */
/* convert, apply, resume: the verbs that run a conversion. convert plans and runs; apply runs a
 * saved plan; resume goes on with a run that was interrupted, failed, stopped or rolled back to a
 * checkpoint. Everything that can be refused is refused before the state directory is created
 * or the source is touched. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec/executor.h"
#include "exec/overlay.h"
#include "exec/steps.h"
#include "exec/target.h"
#include "plan/plan.h"
#include "shared/format-util.h"
#include "shared/json-util.h"
#include "shared/log.h"
#include "shared/path-util.h"
#include "shared/strv.h"
#include "cli-exec.h"
#include "cli-plan.h"
#include "verbs.h"

#define HELP_RUN_OPTIONS                                                                                 \
        "      --target FILE     the Azure Linux root filesystem tarball (tar, optionally gzip, xz or\n" \
        "                        zstd) made from the target node image\n" CLI_HELP_STATE_DIR             \
        "      --output NEW      disk images: 'commit' writes the converted disk to NEW (raw, .vhd\n"    \
        "                        fixed, .qcow2, by extension) and leaves SOURCE as it is\n"              \
        "      --override KEY    run although the inhibiting finding KEY holds (repeatable; each\n"      \
        "                        inhibitor needs its own; see the report's remediation first)\n"         \
        "      --dry-run         check everything and say what would be done; change nothing and\n"      \
        "                        create no state directory\n" CLI_HELP_YES CLI_HELP_HOOKS                \
                CLI_HELP_PROGRESS_FD

#define HELP_EXIT_STATUS                                                                                 \
        "Exit status: 0 converted (or, with --dry-run, it would run), 1 error (the journal says which\n" \
        "step failed and why; 'status' shows it), 2 usage error (also: stdin is not a terminal and no\n" \
        "--yes), 3 the plan is inhibited and not every inhibitor is overridden, 4 a hook stopped the\n"  \
        "run at a checkpoint ('resume' goes on).\n"

#define HELP_SOURCES                                                                                     \
        "How the source is kept safe:\n"                                                                 \
        "  a disk image or block device is NEVER written before 'commit': every step writes into a\n"    \
        "    qcow2 overlay layer in the state directory (one per checkpoint), exported to the steps\n"   \
        "    through qemu-storage-daemon's FUSE export and changed natively (libext2fs, mtools). This\n" \
        "    needs /dev/fuse (root, or a user allowed to use FUSE), qemu-img, qemu-storage-daemon\n"     \
        "    (package qemu-system-common) and mtools; the root filesystem must be ext2/3/4.\n"           \
        "  a mounted root (--root DIR) is changed in place; before each change the step's undo\n"        \
        "    archive records what was there (content, mode, owner, times, xattrs), so that\n"            \
        "    'rollback' can put it back. Convert a root that no system is running from.\n"

void verb_convert_help(FILE *f)
{
        fputs("Usage: azlmigrate convert [OPTIONS] --target FILE --state-dir DIR SOURCE\n"
              "       azlmigrate convert [OPTIONS] --target FILE --state-dir DIR --root DIR\n"
              "\n"
              "Convert an Ubuntu AKS node's disk to Azure Linux in place: plan (as 'plan' does), then run\n"
              "the plan's steps with a checkpoint before every step that changes the disk:\n"
              "  preflight, verify-fingerprint, stage-target, carry-config, swap-root, install-boot,\n"
              "  write-firstboot, verify\n"
              "The node's configuration (kubelet, containerd, network, sysctl, certificates, users, units)\n"
              "is carried as the plan's translations say; its data (/var/lib/kubelet, /var/lib/containerd,\n"
              "/var/log, /home, /root) stays where it is; the Ubuntu tree is kept in /.azlmigrate/old.\n"
              "If the run stops for any reason (killed, power lost, a step failed, a hook said no),\n"
              "'azlmigrate status' says where, 'resume' goes on, 'rollback' returns to any checkpoint.\n"
              "When it is done, 'commit' makes the result permanent.\n"
              "\n" HELP_SOURCES "\n"
              "SOURCE is a disk image (raw, VHD, VHDX, qcow2) or a block device.\n"
              "\n"
              "Options:\n" HELP_RUN_OPTIONS "      --root DIR        convert the root filesystem mounted at "
              "DIR (the ESP at DIR/boot/efi)\n"
              "      --to TARGET       the target release: azurelinux-3.0 (default)\n"
              "      --strategy NAME   inplace (the default; the only one that runs yet)\n"
              "      --maps-dir DIR    package entry files that override the shipped ones (repeatable)\n"
              "      --plans-dir DIR   the knowledge directory (default: the installed plans)\n"
              "  -h, --help            show this help\n"
              "\n" HELP_EXIT_STATUS "\n"
              "Examples:\n"
              "  azlmigrate convert --dry-run --target azl3-root.tar.zst --state-dir /srv/run1 node.raw\n"
              "  azlmigrate convert --yes --target azl3-root.tar.zst --state-dir /srv/run1 node.raw\n"
              "  azlmigrate commit --state-dir /srv/run1 --output node-azl3.vhd\n",
              f);
}

void verb_apply_help(FILE *f)
{
        fputs("Usage: azlmigrate apply [OPTIONS] --target FILE --state-dir DIR PLAN [SOURCE]\n"
              "       azlmigrate apply [OPTIONS] --target FILE --state-dir DIR --root DIR PLAN\n"
              "\n"
              "Run a saved plan ('azlmigrate plan -o PLAN'): the same as 'convert', but the plan is the\n"
              "one that was reviewed. Without SOURCE or --root, the source is the one the plan was made\n"
              "from. The verify-fingerprint step inspects the source again and refuses a node that\n"
              "changed since it was planned.\n"
              "\n" HELP_SOURCES "\n"
              "Options:\n" HELP_RUN_OPTIONS "      --root DIR        the root filesystem mounted at DIR\n"
              "  -h, --help            show this help\n"
              "\n" HELP_EXIT_STATUS "\n"
              "Examples:\n"
              "  azlmigrate plan node.raw -o plan.json && azlmigrate report --plan plan.json --format html "
              "-o r.html\n"
              "  azlmigrate apply --yes --target azl3-root.tar.zst --state-dir /srv/run1 plan.json\n",
              f);
}

void verb_resume_help(FILE *f)
{
        fputs("Usage: azlmigrate resume --state-dir DIR [--yes] [OPTIONS]\n"
              "\n"
              "Go on with a run that was interrupted (killed, crashed, power lost), failed, stopped by a\n"
              "hook, or rolled back to a checkpoint. Steps that are done are not run again; a step that\n"
              "was cut off is rerun from its checkpoint (what it had done is discarded first), so the\n"
              "result is the same as a run that was never interrupted. The target tarball must be the\n"
              "one the run started with (its sha256 is checked).\n"
              "\n"
              "Options:\n" CLI_HELP_STATE_DIR
              "      --override KEY    run preflight although the inhibiting finding KEY holds\n"
              "                        (repeatable)\n" CLI_HELP_YES CLI_HELP_HOOKS CLI_HELP_PROGRESS_FD
              "  -h, --help            show this help\n"
              "\n"
              "Exit status: 0 converted, 1 error, 2 usage error, 4 a hook stopped the run again.\n"
              "\n"
              "Examples:\n"
              "  azlmigrate status --state-dir /srv/run1 && azlmigrate resume --state-dir /srv/run1 --yes\n",
              f);
}

typedef struct RunArgs {
        CliExec x;
        CliPlanArgs a;
        const char *target, *output, *plan_file;
        char **overrides;
        bool dry_run;
} RunArgs;

static void run_args_done(RunArgs *r)
{
        cli_plan_args_done(&r->a);
        strv_free(r->overrides);
}

enum {
        ARG_TARGET = _CLI_PLAN_ARG_MAX,
        ARG_OUTPUT,
        ARG_OVERRIDE,
        ARG_DRY_RUN,
};

/* Options of convert, apply and resume beyond the plan's and the executor's. Returns 0 if it took
 * c; 1 if c is not one of them; or an exit status. */
static int run_option(RunArgs *ra, const char *verb, int c, const char *arg)
{
        switch (c) {
        case ARG_TARGET:
                ra->target = arg;
                return 0;
        case ARG_OUTPUT:
                ra->output = arg;
                return 0;
        case ARG_OVERRIDE:
                if (isempty(arg) || !str_in_charset(arg, ".-_"))
                        return usage_error(
                                verb,
                                "--override takes a finding key (e.g. boot.secure-boot.shim), not '%s'",
                                arg);
                if (!strv_contains(ra->overrides, arg) && strv_extend(&ra->overrides, arg) < 0)
                        return log_oom();
                return 0;
        case ARG_DRY_RUN:
                ra->dry_run = true;
                return 0;
        default:
                return 1;
        }
}

/* The option loop of convert and apply (options: their table). Returns 0, -1 after printing the
 * help, or an exit status. */
static int parse_run_args(RunArgs *ra, const char *verb, int argc, char *argv[],
                          const struct option *options, void (*help)(FILE *f))
{
        int c, r;

        opterr = 0;
        optind = 0; /* 0, not 1: a full reset, so that options may follow SOURCE */
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                if (c == 'h') {
                        help(stdout);
                        return -1;
                }
                r = run_option(ra, verb, c, optarg);
                if (r == 1 && c >= CLI_ARG_STATE_DIR && c < _CLI_EXEC_ARG_MAX)
                        r = cli_exec_option(&ra->x, verb, c, optarg, argv);
                else if (r == 1)
                        r = cli_plan_option(&ra->a, verb, c, optarg, argv);
                if (r != 0)
                        return r;
        }
        return 0;
}

/* The absolute form of path, which need not exist yet (its parent must). */
static char *absolute(const char *path)
{
        _cleanup_free_ char *copy = strdup(path), *parent = NULL;
        char *r = realpath(path, NULL), *slash;

        if (r || !copy)
                return r;
        slash = strrchr(copy, '/');
        if (!slash)
                parent = realpath(".", NULL);
        else if (slash == copy)
                parent = strdup("/");
        else {
                *slash = 0;
                parent = realpath(copy, NULL);
        }
        return parent ? path_join(parent, slash ? slash + 1 : copy) : NULL;
}

/* The plan's steps all have an implementation here. */
static int check_steps_implemented(json_object *plan)
{
        const ExecStep *impl;
        size_t n;
        json_object *steps = json_get(plan, "steps");

        impl = steps_inplace(&n);
        for (size_t i = 0; i < json_array_len(steps); i++) {
                const char *id = json_get_str(json_object_array_get_idx(steps, i), "id");
                bool found = false;
                for (size_t k = 0; k < n && !found; k++)
                        found = streq_ptr(id, impl[k].id);
                if (!found) {
                        log_error(
                                "The plan's step '%s' (strategy %s) cannot be run by this version: only the "
                                "inplace strategy's steps run yet. Plan with --strategy inplace.",
                                strempty(id), strempty(json_get_str(plan, "strategy")));
                        return -EOPNOTSUPP;
                }
        }
        return 0;
}

/* Inhibitors not overridden are listed and refused (EXIT_INHIBITED); overrides that name no
 * inhibitor are warned about. */
/* The source the plan describes (apply without SOURCE). */
static int source_from_plan(json_object *plan, CliSource *s)
{
        json_object *src = json_get(json_get(plan, "inventory_summary"), "source");
        const char *path = json_get_str(src, "path"), *format = json_get_str(src, "format");

        if (isempty(path)) {
                log_error("The plan does not name its source: give SOURCE or --root DIR.");
                return -EINVAL;
        }
        if (path[0] != '/') {
                log_error("The plan names its source by a relative path (%s), which depends on where it was "
                          "made: give SOURCE or --root DIR.",
                          path);
                return -EINVAL;
        }
        if (streq_ptr(format, "directory"))
                s->root = path;
        else
                s->image = path;
        return 0;
}

static int print_dry_run(const RunArgs *ra, json_object *plan, const ExecSource *src)
{
        json_object *steps = json_get(plan, "steps"),
                    *mounts = json_get(json_get(plan, "inventory_summary"), "mounts");
        _cleanup_free_ char *error = NULL;
        uint64_t bytes = 0, entries = 0;
        char b1[32], b2[32];
        int64_t avail = -1;
        int r;

        r = target_measure(ra->target, &bytes, &entries, &error);
        if (r < 0) {
                log_error("The target '%s' cannot be read: %s", ra->target, error ?: strerror(-r));
                return r;
        }
        for (size_t i = 0; i < json_array_len(mounts); i++) {
                json_object *m = json_object_array_get_idx(mounts, i);
                if (streq_ptr(json_get_str(m, "mountpoint"), "/"))
                        avail = json_get_int(m, "free", -1);
        }
        format_bytes(bytes, b1, sizeof b1);
        format_bytes(avail >= 0 ? (unsigned long long) avail : 0, b2, sizeof b2);
        printf("Dry run: nothing was changed and no state directory was created.\n");
        printf("Source: %s (%s), %s\n", src->path,
               src->mode == SOURCE_MODE_IMAGE ? "disk image: overlay checkpoints"
                                              : "mounted root: undo checkpoints",
               strempty(json_get_str(json_get(json_get(plan, "inventory_summary"), "os"), "pretty_name")));
        printf("Plan: %s -> %s, strategy %s, verdict %s\n", strempty(json_get_str(plan, "from")),
               strempty(json_get_str(plan, "to")), strempty(json_get_str(plan, "strategy")),
               strempty(json_get_str(plan, "verdict")));
        printf("Target: %s: %" PRIu64 " entries, %s unpacked; the root filesystem has %s free\n", ra->target,
               entries, b1, avail >= 0 ? b2 : "an unknown amount");
        printf("Steps:\n");
        for (size_t i = 0; i < json_array_len(steps); i++) {
                json_object *s = json_object_array_get_idx(steps, i);
                const char *cp = json_get_str(s, "checkpoint_before");
                if (cp)
                        printf("     * checkpoint %s\n", cp);
                printf("  %2zu %-20s %s\n", i + 1, strempty(json_get_str(s, "id")),
                       strempty(json_get_str(s, "description")));
        }
        if (ra->output)
                printf("Commit would write the converted disk to %s and leave the source as it is.\n",
                       ra->output);
        return 0;
}

/* Runs (or resumes) and says how it ended. */
static int run_and_report(RunArgs *ra, Executor *e)
{
        const Journal *j;
        int r;

        r = executor_run(e);
        cli_exec_finish(&ra->x);
        j = executor_state(e)->journal;
        if (r == EXEC_RUN_STOPPED) {
                log_error("A hook stopped the run (%s). Nothing after the last checkpoint was changed. Fix "
                          "the cause, "
                          "then 'azlmigrate resume --state-dir %s', or roll back.",
                          j && j->last_error ? j->last_error : "see its log in the state directory",
                          ra->x.state_dir);
                return EXIT_STOPPED;
        }
        if (r == -ESTALE) {
                log_error("The target tarball %s changed since the run started (its sha256 differs); "
                          "put the original back, or roll back and start a new run.",
                          j ? strempty(j->target_path) : "");
                return EXIT_ERROR;
        }
        if (r == -EALREADY) {
                log_error("The run in '%s' is committed already.", ra->x.state_dir);
                return EXIT_ERROR;
        }
        if (r == -EINPROGRESS) {
                log_error(
                        "A rollback of the run in '%s' was interrupted: finish it with 'azlmigrate rollback "
                        "--state-dir %s%s%s' before anything else.",
                        ra->x.state_dir, ra->x.state_dir, j && !isempty(j->rolling_back) ? " --to " : "",
                        j && !isempty(j->rolling_back) ? j->rolling_back : "");
                return EXIT_ERROR;
        }
        if (r < 0) {
                log_error("The conversion stopped: %s", j && j->last_error ? j->last_error : strerror(-r));
                log_error("The disk is at a known state: 'azlmigrate status --state-dir %s' shows it; "
                          "'resume' "
                          "retries the step, 'rollback' returns to a checkpoint.",
                          ra->x.state_dir);
                return EXIT_ERROR;
        }
        if (j && j->mode == SOURCE_MODE_IMAGE)
                log_info(
                        "Converted. %s is unchanged: the result is in the overlay layers of %s. 'azlmigrate "
                        "commit --state-dir %s' writes it (to the source, or to --output), 'rollback' "
                        "discards it.",
                        j->source_path, ra->x.state_dir, ra->x.state_dir);
        else
                log_info("Converted %s. The Ubuntu tree is in %s/.azlmigrate/old. 'azlmigrate commit "
                         "--state-dir %s' "
                         "drops the rollback data; 'rollback' puts everything back.",
                         j ? j->source_path : "", j ? j->source_path : "", ra->x.state_dir);
        return EXIT_OK;
}

/* convert and apply, once the plan is there. */
static int run_plan(RunArgs *ra, const char *verb, json_object *plan)
{
        _cleanup_(executor_freep) Executor *e = NULL;
        _cleanup_free_ char *question = NULL, *state_abs = NULL, *root_abs = NULL;
        const CliSource *s = &ra->a.source;
        ExecSource src = {
                .mode = s->root ? SOURCE_MODE_ROOT : SOURCE_MODE_IMAGE,
                .path = s->root ?: s->image,
                .format = json_get_str(json_get(json_get(plan, "inventory_summary"), "source"), "format"),
        };
        const char *reason = NULL;
        size_t n_impl;
        int r;

        if (!ra->target)
                return usage_error(verb, "--target FILE (the Azure Linux root tarball) is required");
        if (access(ra->target, R_OK) < 0) {
                log_error_errno(-errno, "Cannot read the target '%s': %m", ra->target);
                return EXIT_ERROR;
        }
        if (!ra->dry_run && (r = cli_exec_require_state_dir(&ra->x, verb)) != 0)
                return r;
        if (access(src.path, R_OK) < 0) {
                log_error_errno(-errno, "Cannot read the source '%s': %m", src.path);
                return EXIT_ERROR;
        }
        if (src.mode == SOURCE_MODE_ROOT && ra->output)
                return usage_error(verb,
                                   "--output is for disk images; a mounted root is converted in place");
        if (ra->x.state_dir && src.mode == SOURCE_MODE_ROOT) {
                state_abs = absolute(ra->x.state_dir);
                root_abs = realpath(src.path, NULL);
                if (!state_abs || !root_abs) {
                        log_error_errno(-errno, "Cannot resolve '%s' or '%s': %m", ra->x.state_dir,
                                        src.path);
                        return EXIT_ERROR;
                }
                if (path_startswith(state_abs, root_abs)) {
                        log_error("The state directory %s lies inside the root being converted (%s): it "
                                  "would be "
                                  "swapped away with it. Put it elsewhere.",
                                  state_abs, root_abs);
                        return EXIT_ERROR;
                }
        }
        if (src.mode == SOURCE_MODE_IMAGE && !overlay_qemu_format(src.format)) {
                log_error("Disks in format '%s' cannot be converted (raw, VHD, VHDX, qcow2 and block "
                          "devices can).",
                          strempty(src.format));
                return EXIT_ERROR;
        }
        r = executor_check_mode(src.mode, &reason);
        if (r < 0) {
                log_error("Cannot convert %s here: %s.", src.path, strempty(reason));
                return EXIT_ERROR;
        }
        if (check_steps_implemented(plan) < 0)
                return EXIT_ERROR;
        r = steps_check_layout(plan, src.mode, &reason);
        if (r < 0) {
                log_error("Cannot convert %s: %s.", src.path, reason);
                return EXIT_ERROR;
        }
        if (cli_check_inhibitors(plan, ra->overrides) < 0)
                return EXIT_INHIBITED;
        if (ra->dry_run)
                return print_dry_run(ra, plan, &src) < 0 ? EXIT_ERROR : EXIT_OK;

        if (asprintf(&question,
                     src.mode == SOURCE_MODE_IMAGE
                             ? "Convert %s to %s? It is not written before 'commit'; the work goes to %s."
                             : "Convert the root at %s to %s in place? Every change is recorded in %s for "
                               "rollback.",
                     src.path, strempty(json_get_str(plan, "to")), ra->x.state_dir) < 0)
                return log_oom();
        r = cli_exec_confirm(verb, ra->x.yes, question);
        if (r != 0)
                return r;

        ra->x.overrides = ra->overrides;
        r = cli_exec_open(&ra->x, verb, true, &e);
        if (r != 0)
                return r;
        {
                const ExecStep *impl = steps_inplace(&n_impl);
                r = executor_register_steps(e, impl, n_impl);
                if (r < 0)
                        return log_oom();
        }
        r = executor_init(e, plan, &src, ra->target, ra->output);
        if (r == -EEXIST) {
                log_error("'%s' holds a run that is neither committed nor rolled back: 'azlmigrate status "
                          "--state-dir %s' shows it; resume, roll back or commit it first, or use another "
                          "directory.",
                          ra->x.state_dir, ra->x.state_dir);
                return EXIT_ERROR;
        }
        if (r == -EPROTONOSUPPORT)
                return usage_error(verb, "--output %s: use a name ending in .raw, .img, .vhd or .qcow2",
                                   ra->output);
        if (r < 0) {
                log_error_errno(r, "Cannot start the run in '%s': %m", ra->x.state_dir);
                return EXIT_ERROR;
        }
        return run_and_report(ra, e);
}

int verb_convert(int argc, char *argv[])
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "target", required_argument, NULL, ARG_TARGET },
                { "output", required_argument, NULL, ARG_OUTPUT },
                { "override", required_argument, NULL, ARG_OVERRIDE },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                CLI_OPTION_ROOT,
                CLI_OPTION_TO,
                CLI_OPTION_STRATEGY,
                CLI_OPTION_MAPS_DIR,
                CLI_OPTION_PLANS_DIR,
                CLI_OPTION_STATE_DIR,
                CLI_OPTION_YES,
                CLI_OPTION_HOOKS_DIR,
                CLI_OPTION_HOOK_TIMEOUT,
                CLI_OPTION_PROGRESS_FD,
                {},
        };
        _cleanup_(run_args_done)
                RunArgs ra = { .x = CLI_EXEC_INIT, .a.source.backend = INSPECT_BACKEND_AUTO };
        _cleanup_json_ json_object *plan = NULL;
        int r;

        r = parse_run_args(&ra, "convert", argc, argv, options, verb_convert_help);
        if (r != 0)
                return r == -1 ? EXIT_OK : r;
        r = cli_source_argument(&ra.a.source, "convert", argc, argv);
        if (r != 0)
                return r;
        if (ra.a.source.inventory)
                return usage_error(
                        "convert",
                        "a saved inventory can be planned, not converted: give SOURCE or --root DIR");
        if (cli_source_count(&ra.a.source) != 1)
                return usage_error("convert", "give exactly one of SOURCE or --root DIR");
        if (!ra.target)
                return usage_error("convert", "--target FILE (the Azure Linux root tarball) is required");

        r = cli_plan_make(&ra.a, &plan);
        if (r < 0)
                return EXIT_ERROR;
        return run_plan(&ra, "convert", plan);
}

int verb_apply(int argc, char *argv[])
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "target", required_argument, NULL, ARG_TARGET },
                { "output", required_argument, NULL, ARG_OUTPUT },
                { "override", required_argument, NULL, ARG_OVERRIDE },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                CLI_OPTION_ROOT,
                CLI_OPTION_STATE_DIR,
                CLI_OPTION_YES,
                CLI_OPTION_HOOKS_DIR,
                CLI_OPTION_HOOK_TIMEOUT,
                CLI_OPTION_PROGRESS_FD,
                {},
        };
        _cleanup_(run_args_done)
                RunArgs ra = { .x = CLI_EXEC_INIT, .a.source.backend = INSPECT_BACKEND_AUTO };
        _cleanup_json_ json_object *plan = NULL;
        int r;

        r = parse_run_args(&ra, "apply", argc, argv, options, verb_apply_help);
        if (r != 0)
                return r == -1 ? EXIT_OK : r;
        if (optind >= argc)
                return usage_error("apply", "give the PLAN file (azlmigrate plan -o PLAN)");
        ra.plan_file = argv[optind++];
        r = cli_source_argument(&ra.a.source, "apply", argc, argv);
        if (r != 0)
                return r;
        if (cli_source_count(&ra.a.source) > 1)
                return usage_error("apply", "give at most one of SOURCE or --root DIR");

        r = cli_plan_read(ra.plan_file, &plan);
        if (r < 0)
                return EXIT_ERROR;
        if (cli_source_count(&ra.a.source) == 0 && source_from_plan(plan, &ra.a.source) < 0)
                return EXIT_ERROR;
        return run_plan(&ra, "apply", plan);
}

int verb_resume(int argc, char *argv[])
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "override", required_argument, NULL, ARG_OVERRIDE },
                CLI_OPTION_STATE_DIR,
                CLI_OPTION_YES,
                CLI_OPTION_HOOKS_DIR,
                CLI_OPTION_HOOK_TIMEOUT,
                CLI_OPTION_PROGRESS_FD,
                {},
        };
        _cleanup_(run_args_done) RunArgs ra = { .x = CLI_EXEC_INIT };
        _cleanup_(executor_freep) Executor *e = NULL;
        _cleanup_free_ char *question = NULL;
        const ExecStep *impl;
        const Journal *j;
        size_t n;
        int c, r;

        opterr = 0;
        optind = 1;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0) {
                if (c == 'h') {
                        verb_resume_help(stdout);
                        return EXIT_OK;
                }
                r = run_option(&ra, "resume", c, optarg);
                if (r == 1)
                        r = cli_exec_option(&ra.x, "resume", c, optarg, argv);
                if (r != 0)
                        return r;
        }
        if (optind < argc)
                return usage_error("resume", "unexpected argument '%s'", argv[optind]);
        r = cli_exec_require_state_dir(&ra.x, "resume");
        if (r != 0)
                return r;

        ra.x.overrides = ra.overrides;
        r = cli_exec_open(&ra.x, "resume", false, &e);
        if (r != 0)
                return r;
        j = executor_state(e)->journal;
        if (j->mode == SOURCE_MODE_CLUSTER) {
                log_error("The run in '%s' is of AKS node pools: use 'azlmigrate nodepool resume'.",
                          ra.x.state_dir);
                return EXIT_ERROR;
        }
        if (j->status == JOURNAL_COMMITTED) {
                log_error("The run in '%s' is committed: there is nothing to resume.", ra.x.state_dir);
                return EXIT_ERROR;
        }
        if (j->status == JOURNAL_DONE) {
                log_info("The run in '%s' is done already: commit or roll it back.", ra.x.state_dir);
                return EXIT_OK;
        }
        if (j->mode == SOURCE_MODE_IMAGE) {
                const char *reason = NULL;
                if (executor_check_mode(j->mode, &reason) < 0) {
                        log_error("Cannot resume here: %s.", strempty(reason));
                        return EXIT_ERROR;
                }
        }
        if (asprintf(&question, "Resume the conversion of %s (status %s)?", j->source_path,
                     journal_status_to_string(j->status)) < 0)
                return log_oom();
        r = cli_exec_confirm("resume", ra.x.yes, question);
        if (r != 0)
                return r;
        impl = steps_inplace(&n);
        r = executor_register_steps(e, impl, n);
        if (r < 0)
                return log_oom();
        return run_and_report(&ra, e);
}
