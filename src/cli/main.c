/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "shared/log.h"
#include "verbs.h"

static void help(FILE *f)
{
        size_t n;
        const Verb *v = verbs_all(&n);

        fputs("Usage: azlmigrate [OPTIONS] VERB [ARGS...]\n"
              "\n"
              "Move Ubuntu-based AKS nodes to Azure Linux: inspect a node disk, map its packages\n"
              "and configuration, plan and carry out the migration with rollback checkpoints.\n"
              "\n"
              "Verbs:\n",
              f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "  %-10s %s\n", v[i].name, v[i].summary);
        fputs("\n"
              "Options:\n"
              "  -h, --help      show this help, or a verb's help with 'azlmigrate VERB --help'\n"
              "      --version   show the version\n"
              "  -v, --verbose   log debug messages to stderr\n"
              "\n"
              "Exit status: 0 success, 1 error, 2 usage error, 3 migration inhibited, 4 a hook stopped a\n"
              "conversion at a checkpoint.\n"
              "Machine output (--format json) goes to stdout or -o FILE; messages go to stderr.\n"
              "\n"
              "Examples:\n"
              "  azlmigrate inspect node-disk.vhd\n"
              "  azlmigrate inspect --format json -o inventory.json node-disk.qcow2\n"
              "  azlmigrate map --from ubuntu-22.04 moby-containerd apt libssl3\n"
              "  azlmigrate plan --inventory inventory.json -o plan.json\n"
              "  azlmigrate report node-disk.vhd --format html -o report.html\n"
              "\n"
              "See azlmigrate(1) for details.\n",
              f);
}

int main(int argc, char *argv[])
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { "verbose", no_argument, NULL, 'v' },
                {},
        };
        const Verb *verb;
        int c;

        setlocale(LC_ALL, "C");
        opterr = 0;
        /* Global options end at the verb: "+" stops getopt at the first non-option. */
        while ((c = getopt_long(argc, argv, "+:hv", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help(stdout);
                        return EXIT_OK;
                case 'V':
                        printf("azlmigrate %s\n", PACKAGE_VERSION);
                        return EXIT_OK;
                case 'v':
                        log_set_max_level(LOG_LEVEL_DEBUG);
                        break;
                default:
                        return getopt_usage_error(NULL, c, argv);
                }

        if (optind >= argc) {
                help(stderr);
                return EXIT_USAGE;
        }
        verb = verb_find(argv[optind]);
        if (!verb) {
                const Verb *s = verb_suggest(argv[optind]);
                if (s)
                        return usage_error(NULL, "unknown verb '%s'; did you mean '%s'?", argv[optind],
                                           s->name);
                return usage_error(NULL, "unknown verb '%s'", argv[optind]);
        }
        argv[optind] = (char *) verb->name;
        return verb->run(argc - optind, argv + optind);
}
