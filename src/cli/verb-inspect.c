/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/inventory-text.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/log.h"
#include "shared/string-util.h"
#include "cli-source.h"
#include "verbs.h"

typedef enum OutputFormat {
        OUTPUT_TEXT,
        OUTPUT_JSON,
        _OUTPUT_FORMAT_MAX,
        _OUTPUT_FORMAT_INVALID = -EINVAL,
} OutputFormat;

static const char *const output_format_table[_OUTPUT_FORMAT_MAX] = {
        [OUTPUT_TEXT] = "text",
        [OUTPUT_JSON] = "json",
};

DEFINE_PRIVATE_STRING_TABLE_LOOKUP(output_format, OutputFormat);

void verb_inspect_help(FILE *f)
{
        fputs("Usage: azlmigrate inspect [OPTIONS] SOURCE\n"
              "       azlmigrate inspect [OPTIONS] --root DIR\n"
              "\n"
              "Describe the node on a disk: partitions and filesystems, the OS, packages, boot chain,\n"
              "and the configuration that makes it an AKS node (kubelet, containerd, network, sysctl,\n"
              "certificates, users, systemd units). The source is only ever read.\n"
              "\n"
              "SOURCE is a disk image (raw, fixed or dynamic VHD, VHDX, qcow2) or a block device;\n"
              "its format is recognised from its content. --root DIR inspects a mounted root tree,\n"
              "resolving every path inside DIR.\n"
              "\n"
              "Options:\n"
              "      --format FORMAT   text (a summary, the default) or json (the full inventory,\n"
              "                        schema azlmigrate/inventory/v1, docs/inventory.schema.json)\n"
              "  -o, --output FILE     write to FILE instead of stdout (replaced atomically)\n"
              "      --backend BACKEND auto (default): read raw and fixed-VHD images natively, without\n"
              "                          root, mounts or a VM, and use libguestfs for the rest;\n"
              "                        native: never start libguestfs (fails on what it cannot read);\n"
              "                        guestfs: always read through a libguestfs appliance\n"
              "      --root DIR        inspect the root filesystem mounted at DIR\n"
              "  -h, --help            show this help\n"
              "\n"
              "Findings (odd things seen while reading: a damaged GPT, a truncated image, skipped\n"
              "dpkg entries) are part of the output; the catalogue is docs/findings.md.\n"
              "\n"
              "Exit status: 0 inventory written, 1 the source could not be inspected, 2 usage error.\n"
              "\n"
              "Examples:\n"
              "  azlmigrate inspect node.vhd\n"
              "  azlmigrate inspect --format json -o node.json /dev/sdc\n"
              "  azlmigrate inspect --backend guestfs node.qcow2\n"
              "  azlmigrate inspect --root /mnt/node --format json\n",
              f);
}

static int write_output(json_object *inventory, OutputFormat format, const char *output)
{
        _cleanup_free_ char *text = NULL;
        int r;

        if (format == OUTPUT_JSON) {
                if (output)
                        return json_dump_file(inventory, output);
                return json_dump(inventory, stdout);
        }
        r = inventory_text_render(inventory, &text);
        if (r < 0)
                return r;
        if (output)
                return write_file_atomic(output, text, strlen(text), 0644);
        if (fputs(text, stdout) < 0 || fflush(stdout) != 0)
                return -EIO;
        return 0;
}

int verb_inspect(int argc, char *argv[])
{
        enum { ARG_FORMAT = _CLI_SOURCE_ARG_MAX };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "output", required_argument, NULL, 'o' },
                CLI_OPTION_BACKEND,
                CLI_OPTION_ROOT,
                {},
        };
        _cleanup_json_ json_object *inventory = NULL;
        CliSource src = { .backend = INSPECT_BACKEND_AUTO };
        OutputFormat format = OUTPUT_TEXT;
        const char *output = NULL;
        int c, r;

        opterr = 0;
        optind = 0; /* 0, not 1: makes glibc re-read the option string (main() parsed with "+") */
        while ((c = getopt_long(argc, argv, ":ho:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        verb_inspect_help(stdout);
                        return EXIT_OK;
                case ARG_FORMAT:
                        format = output_format_from_string(optarg);
                        if (format < 0)
                                return usage_error("inspect", "unknown format '%s' (text or json)", optarg);
                        break;
                case 'o':
                        output = optarg;
                        break;
                default:
                        r = cli_source_option(&src, "inspect", c, optarg, argv);
                        if (r != 0)
                                return r;
                }

        if (src.root) {
                if (optind < argc)
                        return usage_error("inspect", "give either SOURCE or --root DIR, not both");
                if (src.backend == INSPECT_BACKEND_GUESTFS)
                        return usage_error("inspect", "--root reads a directory; --backend does not apply");
        } else {
                if (optind >= argc)
                        return usage_error("inspect",
                                           "missing SOURCE (a disk image or block device) or --root DIR");
                if (optind + 1 < argc)
                        return usage_error("inspect", "one SOURCE at a time ('%s' is extra)",
                                           argv[optind + 1]);
                src.image = argv[optind];
        }
        r = cli_source_load(&src, &inventory);
        if (r < 0)
                return EXIT_ERROR;

        r = write_output(inventory, format, output);
        if (r < 0) {
                log_error_errno(r, "writing the inventory to '%s' failed: %m", output ?: "stdout");
                return EXIT_ERROR;
        }
        return EXIT_OK;
}
