/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/executor.h"
#include "shared/log.h"
#include "cli-exec.h"
#include "verbs.h"

void verb_rollback_help(FILE *f)
{
        fputs("Usage: azlmigrate rollback --state-dir DIR [--to CHECKPOINT] [--yes] [OPTIONS]\n"
              "\n"
              "Return the source to a checkpoint of the run, as it was when the checkpoint was taken.\n"
              "Without --to: the first checkpoint, i.e. the source exactly as it was before the run\n"
              "changed anything.\n"
              "  disk images and devices: the overlay layers from that checkpoint on are deleted; the\n"
              "    source itself was never written (its sha256 is what it was)\n"
              "  mounted roots (--root): the undo archives are replayed, newest first: changed paths\n"
              "    get their content, mode, owner, timestamps and xattrs back, created ones go, renamed\n"
              "    ones are renamed back\n"
              "The steps from that checkpoint on are pending again ('resume' runs them anew). A rollback\n"
              "that is interrupted (killed, power lost) is simply run again. Afterwards the\n"
              "post-rollback hooks run. 'azlmigrate status' lists the checkpoints.\n"
              "\n"
              "Options:\n" CLI_HELP_STATE_DIR
              "      --to CHECKPOINT   the checkpoint to return to (e.g. cp-swap-root: undo swap-root and\n"
              "                        every later step, keep what the steps before it did)\n" CLI_HELP_YES
                      CLI_HELP_HOOKS CLI_HELP_PROGRESS_FD "  -h, --help            show this help\n"
              "\n"
              "Exit status: 0 success, 1 error (no such checkpoint, already committed, another process\n"
              "working on the run), 2 usage error (also: stdin is not a terminal and no --yes).\n"
              "\n"
              "Examples:\n"
              "  azlmigrate rollback --state-dir /var/lib/azlmigrate/node1 --yes\n"
              "  azlmigrate rollback --state-dir /var/lib/azlmigrate/node1 --to cp-install-boot\n",
              f);
}

int verb_rollback(int argc, char *argv[])
{
        enum { ARG_TO = _CLI_EXEC_ARG_MAX };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "to", required_argument, NULL, ARG_TO },
                CLI_OPTION_STATE_DIR,
                CLI_OPTION_YES,
                CLI_OPTION_HOOKS_DIR,
                CLI_OPTION_HOOK_TIMEOUT,
                CLI_OPTION_PROGRESS_FD,
                {},
        };
        CliExec x = CLI_EXEC_INIT;
        _cleanup_(executor_freep) Executor *e = NULL;
        _cleanup_free_ char *question = NULL, *before = NULL;
        const char *to = NULL;
        const Journal *j;
        int c, r, idx;

        opterr = 0;
        optind = 1;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        verb_rollback_help(stdout);
                        return EXIT_OK;
                case ARG_TO:
                        to = optarg;
                        break;
                default:
                        r = cli_exec_option(&x, "rollback", c, optarg, argv);
                        if (r != 0)
                                return r;
                }
        r = cli_exec_check_args(&x, "rollback", argc, argv);
        if (r != 0)
                return r;

        r = cli_exec_open(&x, "rollback", false, &e);
        if (r != 0)
                return r;
        j = executor_state(e)->journal;
        if (j->mode == SOURCE_MODE_CLUSTER) {
                log_error("The run in '%s' is of AKS node pools: use 'azlmigrate nodepool rollback'.",
                          x.state_dir);
                return EXIT_ERROR;
        }
        if (j->status == JOURNAL_COMMITTED) {
                log_error("The run in '%s' is committed: there is nothing left to roll back.", x.state_dir);
                return EXIT_ERROR;
        }
        /* (to may be missing from the journal when a rollback to it was interrupted after it was
         * discarded: the executor tells that from a checkpoint the plan does not have.) */
        idx = to ? journal_checkpoint_index(j, to) : 0;
        if (j->n_checkpoints == 0)
                r = asprintf(&question,
                             "Nothing of %s was changed (no checkpoint); mark the run rolled back?",
                             j->source_path);
        else
                r = asprintf(&question, "Roll %s back to %s, discarding %zu checkpoint(s)?", j->source_path,
                             to ?: j->checkpoints[0].id,
                             idx >= 0 ? j->n_checkpoints - (size_t) idx : (size_t) 0);
        if (r < 0)
                return log_oom();
        r = cli_exec_confirm("rollback", x.yes, question);
        if (r != 0)
                return r;

        if (idx >= 0 && (size_t) idx < j->n_checkpoints) {
                before = strdup(j->checkpoints[idx].before_step);
                if (!before)
                        return log_oom();
        }
        r = executor_rollback(e, to);
        cli_exec_finish(&x);
        if (r == -ENOENT && to) {
                log_error("The plan of this run has no checkpoint '%s'. Its checkpoints:", to);
                for (size_t i = 0; i < j->n_checkpoints; i++)
                        log_error("  %s (before %s)", j->checkpoints[i].id, j->checkpoints[i].before_step);
                return EXIT_ERROR;
        }
        if (r == -EALREADY) {
                log_error("The run is committed: there is nothing left to roll back.");
                return EXIT_ERROR;
        }
        if (r < 0) {
                log_error_errno(r,
                                "Rollback failed: %m. Run 'azlmigrate rollback' again; 'azlmigrate status "
                                "--state-dir %s' shows where it is.",
                                x.state_dir);
                return EXIT_ERROR;
        }
        if (j->last_error)
                log_warning("%s", j->last_error);
        if (to && before)
                log_info("Rolled back to %s: %s is as it was before step %s.", to, j->source_path, before);
        else if (to)
                log_info("Rolled back to %s.", to);
        else
                log_info("Rolled back: %s is as it was before the run.", j->source_path);
        return EXIT_OK;
}
