/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "shared/log.h"
#include "shared/macro.h"
#include "verbs.h"

static const Verb verbs[] = {
        { "inspect", verb_inspect, verb_inspect_help,
          "read a disk image, block device or mounted root and describe the node on it", VERB_READS_SOURCE },
        { "map", verb_map, verb_map_help, "decide what becomes of each package on Azure Linux, and why",
          VERB_READS_SOURCE },
        { "plan", verb_plan, verb_plan_help,
          "plan the migration to Azure Linux: steps, checkpoints, package and config changes, verdict",
          VERB_READS_SOURCE },
        { "report", verb_report, verb_report_help,
          "write the dry-run migration report (JSON, Markdown or self-contained HTML)", VERB_READS_SOURCE },
        { "convert", verb_convert, verb_convert_help,
          "convert the node's disk to Azure Linux, with a checkpoint before every change", VERB_MUTATES },
        { "apply", verb_apply, verb_apply_help, "run a saved plan (as convert does)", VERB_MUTATES },
        { "resume", verb_resume, verb_resume_help,
          "go on with an interrupted, failed or stopped conversion from its last checkpoint", VERB_MUTATES },
        { "status", verb_status, verb_status_help,
          "show where a conversion stands: steps, checkpoints, where and why it stopped", 0 },
        { "rollback", verb_rollback, verb_rollback_help,
          "return the source to a checkpoint (by default: exactly as it was)", VERB_MUTATES },
        { "commit", verb_commit, verb_commit_help,
          "make a finished conversion permanent (or write it as a new disk) and drop rollback data",
          VERB_MUTATES },
        { "nodepool", verb_nodepool, verb_nodepool_help,
          "AKS node pools: snapshot a cluster, plan the move of its Ubuntu pools to Azure Linux", 0 },
};

static int startswith_dash2(const char *s)
{
        return s[0] == '-' && s[1] == '-';
}

const Verb *verbs_all(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(verbs);
        return verbs;
}

const Verb *verb_find(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(verbs[i].name, name) == 0)
                        return &verbs[i];
        return NULL;
}

/* Levenshtein distance, for short strings only. */
static size_t distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b), prev[33], cur[33];

        if (la > 32 || lb > 32)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                prev[j] = j;
        for (size_t i = 1; i <= la; i++) {
                cur[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
                        cur[j] = MIN(MIN(prev[j] + 1, cur[j - 1] + 1), sub);
                }
                memcpy(prev, cur, sizeof(size_t) * (lb + 1));
        }
        return prev[lb];
}

const Verb *verb_suggest(const char *name)
{
        const Verb *best = NULL;
        size_t bd = 3; /* suggest only near misses */

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                size_t d = distance(name, verbs[i].name);
                if (d < bd || (strncmp(name, verbs[i].name, strlen(name)) == 0 && strlen(name) >= 2)) {
                        bd = MIN(d, bd);
                        best = &verbs[i];
                }
        }
        return best;
}

int usage_error(const char *verb, const char *format, ...)
{
        va_list ap;

        fprintf(stderr, "azlmigrate%s%s: ", verb ? " " : "", verb ? verb : "");
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'azlmigrate%s%s --help'.\n", verb ? " " : "", verb ? verb : "");
        return EXIT_USAGE;
}

int getopt_usage_error(const char *verb, int c, char *argv[])
{
        const char *opt = argv[optind - 1];

        if (c == ':')
                return usage_error(verb, "option '%s' needs an argument", opt);
        if (optopt && !startswith_dash2(opt))
                return usage_error(verb, "unknown option '-%c'", optopt);
        return usage_error(verb, "unknown option '%s'", opt);
}

int log_oom(void)
{
        log_error("out of memory");
        return EXIT_ERROR;
}
