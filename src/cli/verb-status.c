/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec/journal.h"
#include "exec/state.h"
#include "shared/fileio.h"
#include "shared/format-util.h"
#include "shared/json-util.h"
#include "shared/log.h"
#include "cli-exec.h"
#include "verbs.h"

void verb_status_help(FILE *f)
{
        fputs("Usage: azlmigrate status --state-dir DIR [--format text|json] [-o FILE]\n"
              "\n"
              "Show where a conversion stands: its steps, the checkpoints it can roll back to, and\n"
              "where and why it stopped. Only reads the state directory; safe while a run is going on.\n"
              "The status is one of:\n"
              "  running      an azlmigrate process is working on it now (its pid is shown)\n"
              "  interrupted  the process died mid-run (killed, crashed, power lost): 'resume'\n"
              "               reruns the interrupted step from its checkpoint, 'rollback' undoes it\n"
              "  stopped      a hook stopped it at a checkpoint: fix the cause, then 'resume'\n"
              "  failed       a step failed (the error is shown): 'resume' retries it, or 'rollback'\n"
              "  done         every step ran: 'commit' keeps the result, 'rollback' undoes it\n"
              "  rolled-back  returned to a checkpoint ('resume' runs the steps again from there)\n"
              "  committed    the result is permanent; nothing is left to roll back\n"
              "\n"
              "Options:\n" CLI_HELP_STATE_DIR
              "      --format FORMAT   text (default) or json: the journal (schema azlmigrate/journal/v1,\n"
              "                        docs/journal.schema.json) with the status as above and the pid of\n"
              "                        the process working on it (\"pid\", null when none)\n"
              "  -o, --output FILE     write to FILE instead of stdout\n"
              "  -h, --help            show this help\n"
              "\n"
              "Exit status: 0 success, 1 error (no run in DIR), 2 usage error.\n"
              "\n"
              "Examples:\n"
              "  azlmigrate status --state-dir /var/lib/azlmigrate/node1\n"
              "  azlmigrate status --state-dir /var/lib/azlmigrate/node1 --format json | jq .status\n",
              f);
}

/* Seconds between two journal timestamps, or < 0. */
static double seconds_between(const char *a, const char *b)
{
        struct tm ta = {}, tb = {};
        int ma = 0, mb = 0;

        if (!a || !b ||
            sscanf(a, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &ta.tm_year, &ta.tm_mon, &ta.tm_mday, &ta.tm_hour,
                   &ta.tm_min, &ta.tm_sec, &ma) != 7 ||
            sscanf(b, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tb.tm_year, &tb.tm_mon, &tb.tm_mday, &tb.tm_hour,
                   &tb.tm_min, &tb.tm_sec, &mb) != 7)
                return -1;
        ta.tm_year -= 1900;
        tb.tm_year -= 1900;
        ta.tm_mon--;
        tb.tm_mon--;
        return difftime(timegm(&tb), timegm(&ta)) + (mb - ma) / 1000.0;
}

static const char *running_step(const Journal *j)
{
        for (size_t i = 0; i < j->n_steps; i++)
                if (j->steps[i].state == STEP_RUNNING)
                        return j->steps[i].id;
        return NULL;
}

static const char *next_step(const Journal *j)
{
        for (size_t i = 0; i < j->n_steps; i++)
                if (j->steps[i].state != STEP_DONE && j->steps[i].state != STEP_SKIPPED)
                        return j->steps[i].id;
        return NULL;
}

static void print_text(FILE *f, const char *dir, const Journal *j, JournalStatus st, pid_t pid)
{
        const char *rs = running_step(j), *ns = next_step(j);
        char size[32];

        fprintf(f, "State directory: %s\n", dir);
        fprintf(f, "Source:          %s %s%s%s%s\n", source_mode_to_string(j->mode), j->source_path,
                j->source_format ? " (" : "", strempty(j->source_format), j->source_format ? ")" : "");
        fprintf(f, "Target:          %s\n", j->target_path ?: "-");
        if (j->mode == SOURCE_MODE_IMAGE)
                fprintf(f, "Result goes to:  %s\n", j->output ?: "the source itself, on commit");
        fprintf(f, "Status:          %s", journal_status_to_string(st));
        switch (st) {
        case JOURNAL_RUNNING:
                if (pid > 0)
                        fprintf(f, " (pid %d)", (int) pid);
                if (rs)
                        fprintf(f, ", step %s", rs);
                fputc('\n', f);
                break;
        case JOURNAL_INTERRUPTED: {
                const JournalCheckpoint *cp =
                        j->n_checkpoints > 0 ? &j->checkpoints[j->n_checkpoints - 1] : NULL;
                if (j->rolling_back) {
                        fprintf(f, ": the process died while rolling back\n");
                        fprintf(f,
                                "Next:            'azlmigrate rollback --state-dir %s%s%s' finishes the "
                                "rollback\n",
                                dir, isempty(j->rolling_back) ? "" : " --to ", j->rolling_back);
                        break;
                }
                if (rs)
                        fprintf(f, ": the process died during step %s\n", rs);
                else if (cp && cp->seconds < 0)
                        /* A checkpoint without its time was not finished. */
                        fprintf(f, ": the process died while taking checkpoint %s (before step %s)\n",
                                cp->id, cp->before_step);
                else
                        fputs(": the process died between steps\n", f);
                fprintf(f,
                        "Next:            'azlmigrate resume --state-dir %s' reruns %s from its "
                        "checkpoint,\n",
                        dir, rs ?: ns ?: "the rest");
                fprintf(f, "                 'azlmigrate rollback --state-dir %s' undoes the run\n", dir);
                break;
        }
        case JOURNAL_STOPPED:
                fprintf(f, " at %s\n", j->stopped_at ?: "the start (no checkpoint yet)");
                if (ns)
                        fprintf(f,
                                "Next:            fix the cause, then 'azlmigrate resume --state-dir %s' "
                                "(goes on "
                                "with %s)\n",
                                dir, ns);
                else
                        fprintf(f,
                                "Next:            fix the cause, then 'azlmigrate resume --state-dir %s'\n",
                                dir);
                break;
        case JOURNAL_FAILED:
                fputc('\n', f);
                fprintf(f, "Next:            'azlmigrate resume --state-dir %s' retries %s,\n", dir,
                        ns ?: "the failed step");
                fprintf(f, "                 'azlmigrate rollback --state-dir %s' undoes the run\n", dir);
                break;
        case JOURNAL_ROLLED_BACK:
                fputc('\n', f);
                if (j->n_checkpoints > 0) {
                        fprintf(f, "Next:            'azlmigrate resume --state-dir %s' runs %s again,\n",
                                dir, ns ?: "the remaining steps");
                        fprintf(f, "                 'azlmigrate rollback --state-dir %s' undoes the rest\n",
                                dir);
                } else
                        fprintf(f,
                                "Next:            nothing: the source is as it was ('azlmigrate resume "
                                "--state-dir %s' starts over)\n",
                                dir);
                break;
        case JOURNAL_COMMITTED:
                fputc('\n', f);
                fprintf(f, "Next:            nothing: the state directory %s can be removed\n", dir);
                break;
        case JOURNAL_DONE:
                fputc('\n', f);
                fprintf(f,
                        "Next:            'azlmigrate commit --state-dir %s' keeps the result, "
                        "'azlmigrate rollback --state-dir %s' undoes it\n",
                        dir, dir);
                break;
        default:
                fputc('\n', f);
                break;
        }
        if (j->last_error)
                fprintf(f, "Last error:      %s\n", j->last_error);

        fprintf(f, "\n%-22s %-8s %-24s %9s %10s\n", "STEP", "STATE", "STARTED", "SECONDS", "BYTES");
        for (size_t i = 0; i < j->n_steps; i++) {
                const JournalStep *s = &j->steps[i];
                double secs = seconds_between(s->started, s->finished);
                char sec[32] = "-";
                if (secs >= 0)
                        snprintf(sec, sizeof sec, "%.2f", secs);
                if (s->bytes >= 0)
                        format_bytes((unsigned long long) s->bytes, size, sizeof size);
                fprintf(f, "%-22s %-8s %-24s %9s %10s\n", s->id, step_state_to_string(s->state),
                        s->started ?: "-", sec, s->bytes >= 0 ? size : "-");
                if (s->error)
                        fprintf(f, "  error: %s\n", s->error);
        }
        if (j->n_checkpoints == 0) {
                fputs("\nNo checkpoints: the source is as it was.\n", f);
                return;
        }
        fprintf(f, "\n%-22s %-22s %-13s %10s %9s\n", "CHECKPOINT", "BEFORE STEP", "KIND", "SIZE", "SECONDS");
        for (size_t i = 0; i < j->n_checkpoints; i++) {
                const JournalCheckpoint *c = &j->checkpoints[i];
                char sec[32] = "-";
                if (c->seconds >= 0)
                        snprintf(sec, sizeof sec, "%.3f", c->seconds);
                if (c->bytes >= 0)
                        format_bytes((unsigned long long) c->bytes, size, sizeof size);
                fprintf(f, "%-22s %-22s %-13s %10s %9s\n", c->id, c->before_step,
                        checkpoint_type_to_string(c->kind), c->bytes >= 0 ? size : "-", sec);
        }
}

int verb_status(int argc, char *argv[])
{
        enum { ARG_FORMAT = _CLI_EXEC_ARG_MAX };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "output", required_argument, NULL, 'o' },
                { "format", required_argument, NULL, ARG_FORMAT },
                CLI_OPTION_STATE_DIR,
                {},
        };
        CliExec x = CLI_EXEC_INIT;
        _cleanup_(journal_freep) Journal *j = NULL;
        _cleanup_json_ json_object *o = NULL;
        const char *output = NULL, *format = "text";
        JournalStatus st;
        pid_t pid = 0;
        int c, r;

        opterr = 0;
        optind = 1;
        while ((c = getopt_long(argc, argv, ":ho:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        verb_status_help(stdout);
                        return EXIT_OK;
                case 'o':
                        output = optarg;
                        break;
                case ARG_FORMAT:
                        if (!streq(optarg, "text") && !streq(optarg, "json"))
                                return usage_error("status", "--format takes text or json, not '%s'",
                                                   optarg);
                        format = optarg;
                        break;
                default:
                        r = cli_exec_option(&x, "status", c, optarg, argv);
                        if (r != 0)
                                return r;
                }
        r = cli_exec_check_args(&x, "status", argc, argv);
        if (r != 0)
                return r;

        r = state_status(x.state_dir, &st, &pid, &j);
        if (r == -ENOENT) {
                log_error("No run in '%s' (no journal.json there).", x.state_dir);
                return EXIT_ERROR;
        }
        if (r == -EBADMSG) {
                log_error("'%s/journal.json' is not an azlmigrate journal (schema azlmigrate/journal/v1).",
                          x.state_dir);
                return EXIT_ERROR;
        }
        if (r < 0) {
                log_error_errno(r, "Cannot read the run in '%s': %m", x.state_dir);
                return EXIT_ERROR;
        }

        if (streq(format, "json")) {
                j->status = st;
                r = journal_to_json(j, &o);
                if (r < 0)
                        return log_oom();
                if (json_add(o, "pid", pid > 0 ? json_object_new_int(pid) : NULL) < 0)
                        return log_oom();
                r = output ? json_dump_file(o, output) : json_dump(o, stdout);
        } else {
                char *buf = NULL;
                size_t n = 0;
                FILE *m = open_memstream(&buf, &n);
                if (!m)
                        return log_oom();
                print_text(m, x.state_dir, j, st, pid);
                if (fclose(m) != 0) {
                        free(buf);
                        return log_oom();
                }
                if (j->mode == SOURCE_MODE_CLUSTER) {
                        /* A node-pool run goes on with the nodepool verbs. */
                        char *np = strreplace(buf, "'azlmigrate ", "'azlmigrate nodepool ");
                        free(buf);
                        if (!np)
                                return log_oom();
                        buf = np;
                        n = strlen(buf);
                }
                if (output)
                        r = write_file_atomic(output, buf, n, 0644);
                else
                        r = fwrite(buf, 1, n, stdout) == n ? 0 : -EIO;
                free(buf);
        }
        if (r < 0) {
                log_error_errno(r, "Cannot write '%s': %m", output ?: "stdout");
                return EXIT_ERROR;
        }
        return EXIT_OK;
}
