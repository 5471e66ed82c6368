/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/executor.h"
#include "exec/overlay.h"
#include "shared/log.h"
#include "shared/path-util.h"
#include "cli-exec.h"
#include "verbs.h"

/* The output path made absolute (the journal keeps absolute paths). */
static char *absolute_path(const char *p)
{
        _cleanup_free_ char *cwd = NULL;

        if (p[0] == '/')
                return strdup(p);
        cwd = getcwd(NULL, 0);
        return cwd ? path_join(cwd, p) : NULL;
}

void verb_commit_help(FILE *f)
{
        fputs("Usage: azlmigrate commit --state-dir DIR [--output NEW] [--yes] [--progress-fd N]\n"
              "\n"
              "Make the result of a finished run (status done) permanent and delete what would roll it\n"
              "back. Afterwards 'rollback' is no longer possible.\n"
              "  disk images and devices: the overlay layers are merged into the source disk\n"
              "    (qemu-img commit), which from then on is the converted disk; or, when the run was\n"
              "    started with --output NEW (or --output is given here), the converted disk is written\n"
              "    to NEW as a new image and the source stays exactly as it was. Never both.\n"
              "  mounted roots (--root): the undo archives and /.azlmigrate/old (the former system,\n"
              "    kept by swap-root) are deleted\n"
              "A commit that is interrupted is simply run again.\n"
              "\n"
              "Options:\n" CLI_HELP_STATE_DIR
              "      --output NEW      write the converted disk to NEW instead of changing the source;\n"
              "                        its format follows the extension: .raw or .img (raw), .vhd (fixed\n"
              "                        VHD, as Azure wants it), .qcow2\n" CLI_HELP_YES CLI_HELP_PROGRESS_FD
              "  -h, --help            show this help\n"
              "\n"
              "Exit status: 0 success, 1 error (the run is not done, another process is working on it,\n"
              "writing failed), 2 usage error (also: stdin is not a terminal and no --yes).\n"
              "\n"
              "Examples:\n"
              "  azlmigrate commit --state-dir /var/lib/azlmigrate/node1 --yes\n"
              "  azlmigrate commit --state-dir /var/lib/azlmigrate/node1 --output node1-azl.vhd\n",
              f);
}

int verb_commit(int argc, char *argv[])
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "output", required_argument, NULL, 'o' },
                CLI_OPTION_STATE_DIR,
                CLI_OPTION_YES,
                CLI_OPTION_PROGRESS_FD,
                {},
        };
        CliExec x = CLI_EXEC_INIT;
        _cleanup_(executor_freep) Executor *e = NULL;
        _cleanup_free_ char *question = NULL, *output = NULL;
        const Journal *j;
        const char *out;
        int c, r;

        opterr = 0;
        optind = 1;
        while ((c = getopt_long(argc, argv, ":ho:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        verb_commit_help(stdout);
                        return EXIT_OK;
                case 'o':
                        free(output);
                        output = absolute_path(optarg);
                        if (!output)
                                return log_oom();
                        break;
                default:
                        r = cli_exec_option(&x, "commit", c, optarg, argv);
                        if (r != 0)
                                return r;
                }
        r = cli_exec_check_args(&x, "commit", argc, argv);
        if (r != 0)
                return r;
        if (output && !overlay_output_format(output, NULL))
                return usage_error(
                        "commit", "--output '%s': the extension must be .raw, .img, .vhd or .qcow2", output);

        r = cli_exec_open(&x, "commit", false, &e);
        if (r != 0)
                return r;
        j = executor_state(e)->journal;
        if (j->mode == SOURCE_MODE_CLUSTER) {
                log_error("The run in '%s' is of AKS node pools: use 'azlmigrate nodepool commit'.",
                          x.state_dir);
                return EXIT_ERROR;
        }
        if (j->status != JOURNAL_DONE && j->status != JOURNAL_COMMITTED) {
                log_error("The run in '%s' is %s: only a finished run (status done) can be committed; see "
                          "'azlmigrate status --state-dir %s'.",
                          x.state_dir, journal_status_to_string(j->status), x.state_dir);
                return EXIT_ERROR;
        }
        if (output && j->output && !streq(output, j->output)) {
                log_error("The run was started with --output %s: commit writes there, not to %s.", j->output,
                          output);
                return EXIT_ERROR;
        }
        if (output && j->mode == SOURCE_MODE_ROOT) {
                log_error("A mounted root is converted in place: there is no disk to write to %s.", output);
                return EXIT_ERROR;
        }
        out = output ?: j->output;
        if (j->status == JOURNAL_COMMITTED)
                r = asprintf(&question, "The run is committed; finish deleting its rollback data?");
        else if (j->mode == SOURCE_MODE_ROOT)
                r = asprintf(&question,
                             "Keep the converted %s for good (its undo data and /.azlmigrate/old are "
                             "deleted)?",
                             j->source_path);
        else if (out)
                r = asprintf(&question, "Write the converted disk to %s (the source %s stays as it was)?",
                             out, j->source_path);
        else
                r = asprintf(&question, "Write the conversion into %s for good?", j->source_path);
        if (r < 0)
                return log_oom();
        r = cli_exec_confirm("commit", x.yes, question);
        if (r != 0)
                return r;

        r = executor_commit(e, output);
        cli_exec_finish(&x);
        if (r < 0) {
                log_error_errno(
                        r,
                        "Commit failed: %m%s%s. The run can still be rolled back; run 'azlmigrate commit' "
                        "again once the cause is fixed.",
                        j->last_error ? ": " : "", strempty(j->last_error));
                return EXIT_ERROR;
        }
        if (j->mode == SOURCE_MODE_ROOT)
                log_info("Committed: %s keeps the conversion; its rollback data is gone.", j->source_path);
        else if (out)
                log_info("Committed: the converted disk is %s; %s is unchanged.", out, j->source_path);
        else
                log_info("Committed: %s is now the converted disk.", j->source_path);
        return EXIT_OK;
}
