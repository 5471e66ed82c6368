/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "inspect/inventory.h"
#include "shared/json-util.h"
#include "shared/log.h"
#include "shared/string-util.h"
#include "cli-source.h"
#include "verbs.h"

#define INVENTORY_FILE_MAX (256u * 1024u * 1024u)

int cli_source_count(const CliSource *s)
{
        return !!s->image + !!s->root + !!s->inventory;
}

int cli_arg_is_path(const char *arg)
{
        struct stat st;
        return strchr(arg, '/') || stat(arg, &st) == 0;
}

int cli_source_option(CliSource *s, const char *verb, int c, const char *arg, char *argv[])
{
        switch (c) {
        case CLI_ARG_INVENTORY:
                s->inventory = arg;
                return 0;
        case CLI_ARG_ROOT:
                s->root = arg;
                return 0;
        case CLI_ARG_BACKEND:
                s->backend = inspect_backend_from_string(arg);
                if (s->backend < 0)
                        return usage_error(verb, "unknown backend '%s' (auto, native or guestfs)", arg);
                return 0;
        default:
                return getopt_usage_error(verb, c, argv);
        }
}

int cli_source_argument(CliSource *s, const char *verb, int argc, char *argv[])
{
        if (optind < argc)
                s->image = argv[optind++];
        if (optind < argc)
                return usage_error(verb, "unexpected argument '%s'", argv[optind]);
        return 0;
}

int cli_source_load(const CliSource *s, json_object **ret)
{
        _cleanup_(inventory_freep) Inventory *inv = NULL;
        _cleanup_free_ char *message = NULL;
        InspectOptions o = { .backend = s->backend };
        json_object *j = NULL;
        int r;

        if (s->inventory) {
                r = json_parse_file(s->inventory, INVENTORY_FILE_MAX, &j);
                if (r == -EBADMSG)
                        return log_error_errno(r, "'%s' is not valid JSON", s->inventory);
                if (r < 0)
                        return log_error_errno(r, "cannot read inventory '%s': %m", s->inventory);
                if (!streq_ptr(json_get_str(j, "schema"), INVENTORY_SCHEMA)) {
                        json_object_put(j);
                        return log_error_errno(-EBADMSG, "'%s' is not an azlmigrate inventory (schema %s)",
                                               s->inventory, INVENTORY_SCHEMA);
                }
                *ret = j;
                return 0;
        }
        r = s->root ? inspect_root(s->root, &inv, &message) : inspect_image(s->image, &o, &inv, &message);
        if (r < 0) {
                if (message)
                        return log_error_errno(r, "%s", message);
                return log_error_errno(r, "inspecting '%s' failed: %m", s->root ?: s->image);
        }
        *ret = json_object_get(inv->root);
        return 0;
}
