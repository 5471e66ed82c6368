/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map/knowledge.h"
#include "map/pkgmap.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/log.h"
#include "shared/strv.h"
#include "cli-plan.h"
#include "verbs.h"

#define MAP_SCHEMA    "azlmigrate/map/v1"
#define LIST_FILE_MAX (64u * 1024u * 1024u)

void verb_map_help(FILE *f)
{
        fputs("Usage: azlmigrate map [OPTIONS] --from RELEASE PKG...\n"
              "       azlmigrate map [OPTIONS] --from RELEASE --list FILE\n"
              "       azlmigrate map [OPTIONS] (SOURCE | --root DIR | --inventory FILE)\n"
              "\n"
              "Decide what becomes of each Debian/Ubuntu package on Azure Linux, and say which entry or\n"
              "rule decided:\n"
              "  map          install these Azure Linux packages (renamed, split, merged, or the AKS\n"
              "               component the Azure Linux node image ships under another name)\n"
              "  base         already part of the Azure Linux node image\n"
              "  drop         not needed there, or its function is done another way (the note says how)\n"
              "  unavailable  Azure Linux has no package for it: bring it yourself\n"
              "  unknown      no entry or rule knows it\n"
              "The knowledge is data under the plans directory (plans/maps/README.md explains it):\n"
              "explicit entries first, then general rules that a maintainer can read and test.\n"
              "\n"
              "Options:\n"
              "      --from RELEASE    the source release: ubuntu-18.04, ubuntu-20.04, ubuntu-22.04,\n"
              "                        ubuntu-24.04, debian-11, debian-12 (taken from the inventory when "
              "one\n"
              "                        is given)\n"
              "      --to TARGET       the target: azurelinux-3.0 (default) or azurelinux-2.0 (its node\n"
              "                        image's packages only)\n"
              "      --list FILE       read package names from FILE, one per line; anything after the "
              "first\n"
              "                        whitespace is ignored ('-' reads stdin)\n"
              "      --inventory FILE  decide the packages of a saved inventory (inspect --format json)\n"
              "      --root DIR        decide the packages of the root mounted at DIR\n"
              "      --format FORMAT   text (default) or json (schema " MAP_SCHEMA ")\n"
              "  -o, --output FILE     write to FILE instead of stdout\n"
              "      --maps-dir DIR    a directory of entry files (*.tsv) that override the shipped ones;\n"
              "                        may be repeated (default: " CLI_DEFAULT_MAPS_DIR ")\n"
              "      --plans-dir DIR   the knowledge directory (default: the installed plans)\n"
              "  -h, --help            show this help\n"
              "\n"
              "Exit status: 0 success, 1 error, 2 usage error.\n"
              "\n"
              "Examples:\n"
              "  azlmigrate map --from ubuntu-22.04 moby-containerd apt libssl3\n"
              "  azlmigrate map --from ubuntu-22.04 --list aks-ubuntu2204.pkgs --format json\n"
              "  azlmigrate map node-disk.vhd\n",
              f);
}

static int read_list(const char *path, char ***names)
{
        _cleanup_free_ char *buf = NULL;
        const char *line;
        size_t size, len;
        LineIter it;
        int r;

        r = streq(path, "-") ? read_full_fd_capped(0, LIST_FILE_MAX, &buf, &size)
                             : read_full_file_capped(path, LIST_FILE_MAX, &buf, &size);
        if (r < 0)
                return r;
        it = line_iter_init(buf, size);
        while (line_iter_next(&it, &line, &len)) {
                size_t skip = strspn(line, " \t");
                size_t n = skip < len ? strcspn(line + skip, " \t") : 0;

                n = MIN(n, len - MIN(skip, len));
                if (n == 0 || line[skip] == '#')
                        continue;
                if (strv_consume(names, strndup(line + skip, n)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static void print_text(FILE *f, const char *from, const char *to, json_object *decisions,
                       json_object *counts)
{
        size_t n = json_object_array_length(decisions), w = 4;

        for (size_t i = 0; i < n; i++)
                w = MAX(w, strlen(strempty(json_get_str(json_object_array_get_idx(decisions, i), "name"))));
        w = MIN(w, (size_t) 40);
        fprintf(f, "%-*s  %-11s  %-30s  %s\n", (int) w, "PACKAGE", "DISPOSITION", "TARGETS", "DECIDED BY");
        for (size_t i = 0; i < n; i++) {
                json_object *d = json_object_array_get_idx(decisions, i), *t = json_get(d, "targets");
                _cleanup_free_ char *targets = NULL;
                char *buf = NULL;
                size_t bs = 0;
                FILE *m = open_memstream(&buf, &bs);

                for (size_t j = 0; m && t && j < json_object_array_length(t); j++)
                        fprintf(m, "%s%s", j ? "," : "",
                                json_object_get_string(json_object_array_get_idx(t, j)));
                if (m)
                        fclose(m);
                targets = buf;
                fprintf(f, "%-*s  %-11s  %-30s  %s\n", (int) w, strempty(json_get_str(d, "name")),
                        strempty(json_get_str(d, "disposition")), isempty(targets) ? "-" : targets,
                        strempty(json_get_str(d, "rule")));
        }
        fprintf(f,
                "\n%s -> %s: %lld packages: %lld map, %lld base, %lld drop, %lld unavailable, %lld "
                "unknown\n",
                from, to, (long long) json_get_int(counts, "total", 0),
                (long long) json_get_int(counts, "map", 0), (long long) json_get_int(counts, "base", 0),
                (long long) json_get_int(counts, "drop", 0),
                (long long) json_get_int(counts, "unavailable", 0),
                (long long) json_get_int(counts, "unknown", 0));
}

int verb_map(int argc, char *argv[])
{
        enum { ARG_FROM = _CLI_PLAN_ARG_MAX, ARG_LIST, ARG_FORMAT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "from", required_argument, NULL, ARG_FROM },
                CLI_OPTION_TO,
                { "list", required_argument, NULL, ARG_LIST },
                CLI_OPTION_INVENTORY,
                CLI_OPTION_ROOT,
                { "format", required_argument, NULL, ARG_FORMAT },
                { "output", required_argument, NULL, 'o' },
                CLI_OPTION_MAPS_DIR,
                CLI_OPTION_PLANS_DIR,
                {},
        };
        _cleanup_(cli_plan_args_done) CliPlanArgs a = { .source.backend = INSPECT_BACKEND_AUTO };
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *plans = NULL, *from_inv = NULL, *error = NULL;
        _cleanup_json_ json_object *inventory = NULL, *out = NULL;
        _cleanup_(pkgmap_freep) PkgMap *m = NULL;
        const char *from = NULL, *to, *list = NULL, *format = "text", *output = NULL;
        CliSource *src = &a.source;
        json_object *decisions, *counts;
        int c, r;

        opterr = 0;
        optind = 0; /* 0, not 1: makes glibc re-read the option string (main() parsed with "+") */
        while ((c = getopt_long(argc, argv, ":ho:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        verb_map_help(stdout);
                        return EXIT_OK;
                case ARG_FROM:
                        from = optarg;
                        break;
                case ARG_LIST:
                        list = optarg;
                        break;
                case ARG_FORMAT:
                        if (!streq(optarg, "text") && !streq(optarg, "json"))
                                return usage_error("map", "unknown format '%s' (text or json)", optarg);
                        format = optarg;
                        break;
                case 'o':
                        output = optarg;
                        break;
                default:
                        r = cli_plan_option(&a, "map", c, optarg, argv);
                        if (r != 0)
                                return r;
                }
        to = a.to ?: CLI_DEFAULT_TARGET;

        /* A single positional argument naming a file or device is a SOURCE; others are packages. */
        if (optind + 1 == argc && !list && cli_source_count(src) == 0 && cli_arg_is_path(argv[optind]))
                src->image = argv[optind++];
        for (int i = optind; i < argc; i++)
                if (strv_extend(&names, argv[i]) < 0)
                        return log_oom();
        if (cli_source_count(src) > 1)
                return usage_error("map", "give one of SOURCE, --root DIR or --inventory FILE");
        if (cli_source_count(src) == 1 && (names || list))
                return usage_error("map", "package names and --list do not go with an inventory source");
        if (cli_source_count(src) == 0 && !names && !list)
                return usage_error("map", "nothing to map: give package names, --list FILE or a source");

        if (cli_source_count(src) == 1) {
                json_object *os;
                r = cli_source_load(src, &inventory);
                if (r < 0)
                        return EXIT_ERROR;
                os = json_get(inventory, "os");
                if (!from) {
                        r = knowledge_release_from_os(json_get_str(os, "id"), json_get_str(os, "version_id"),
                                                      &from_inv);
                        if (r < 0) {
                                log_error("the inventory does not say which release it is (os.id, "
                                          "os.version_id); "
                                          "give --from");
                                return EXIT_ERROR;
                        }
                        from = from_inv;
                }
        }
        if (!from)
                return usage_error("map", "--from RELEASE is needed for package names and lists");
        if (!knowledge_release_is_source(from)) {
                log_error("cannot map from '%s': known source releases are %s", from, KNOWLEDGE_SOURCES);
                return cli_source_count(src) ? EXIT_ERROR : EXIT_USAGE;
        }
        if (list) {
                r = read_list(list, &names);
                if (r < 0) {
                        log_error_errno(r, "cannot read package list '%s': %m", list);
                        return EXIT_ERROR;
                }
        }

        r = cli_plans_dir(a.plans_dir, &plans);
        if (r < 0)
                return EXIT_ERROR;
        r = pkgmap_load(plans, cli_plan_maps_dirs(&a), from, to, &m, &error);
        if (r < 0) {
                if (error)
                        log_error("%s", error);
                else
                        log_error_errno(r, "loading the package knowledge from '%s' failed: %m", plans);
                return EXIT_ERROR;
        }

        out = json_object_new_object();
        if (!out || json_add_str(out, "schema", MAP_SCHEMA) < 0 || json_add_str(out, "from", from) < 0 ||
            json_add_str(out, "to", to) < 0)
                return log_oom();
        if (inventory) {
                json_object *res;
                r = pkgmap_decide_inventory(m, inventory, &res);
                if (r < 0)
                        return log_oom();
                decisions = json_object_get(json_get(res, "decisions"));
                counts = json_object_get(json_get(res, "counts"));
                json_object_put(res);
        } else {
                decisions = json_object_new_array();
                if (!decisions)
                        return log_oom();
                STRV_FOREACH(n, names) {
                        json_object *d;
                        if (pkgmap_decide(m, *n, NULL, &d) < 0 || json_append(decisions, d) < 0) {
                                json_object_put(decisions);
                                return log_oom();
                        }
                }
                r = pkgmap_counts(m, decisions, &counts);
                if (r < 0) {
                        json_object_put(decisions);
                        return log_oom();
                }
        }
        if (json_add(out, "decisions", decisions) < 0 || json_add(out, "counts", counts) < 0)
                return log_oom();

        if (streq(format, "json"))
                r = output ? json_dump_file(out, output) : json_dump(out, stdout);
        else {
                FILE *f = output ? fopen(output, "we") : stdout;
                if (!f)
                        r = -errno;
                else {
                        print_text(f, from, to, decisions, counts);
                        r = fflush(f) == 0 ? 0 : -errno;
                        if (output && fclose(f) != 0 && r >= 0)
                                r = -errno;
                }
        }
        if (r < 0) {
                log_error_errno(r, "writing to '%s' failed: %m", output ?: "stdout");
                return EXIT_ERROR;
        }
        return EXIT_OK;
}
