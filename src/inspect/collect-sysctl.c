/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/string-util.h"
#include "collect.h"
#include "conf-files.h"
#include "sysctl.h"

#define SYSCTL_CONF "/etc/sysctl.conf"

/* sysctl.d(5) directories, highest priority first. /run/sysctl.d holds only what a running system
 * generated and is empty in an image. */
static const ConfDir sysctl_dirs[] = {
        { "/etc/sysctl.d", CONF_ORIGIN_ETC },
        { "/usr/local/lib/sysctl.d", CONF_ORIGIN_LOCAL },
        { "/usr/lib/sysctl.d", CONF_ORIGIN_VENDOR },
        { "/lib/sysctl.d", CONF_ORIGIN_VENDOR },
};

/* Parses one file and appends its assignments to items. */
static int parse_one(InspectContext *c, const char *path, ConfOrigin origin, const char *buf, size_t size,
                     json_object *items)
{
        _cleanup_(sysctl_file_freep) SysctlFile *f = NULL;
        int r;

        r = sysctl_parse(buf, size, &f);
        if (r < 0)
                return r;
        for (size_t i = 0; i < f->n_entries; i++) {
                const SysctlEntry *e = &f->entries[i];
                _cleanup_json_ json_object *o = json_object_new_object();

                if (!o || json_add_str(o, "file", path) < 0 ||
                    json_add_str(o, "origin", conf_origin_to_string(origin)) < 0 ||
                    json_add_str(o, "key", e->key) < 0 || json_add_str(o, "value", e->value) < 0 ||
                    json_add_int(o, "line", e->line) < 0 ||
                    json_add_bool(o, "ignore_errors", e->ignore_errors) < 0 ||
                    json_add_bool(o, "effective", false) < 0)
                        return -ENOMEM;
                if (json_append(items, TAKE_PTR(o)) < 0)
                        return -ENOMEM;
        }
        if (f->n_invalid > 0)
                return inventory_add_finding(c->inv, "sysctl.line.invalid", path,
                                             "%zu line(s) of '%s' are not key = value assignments and were "
                                             "skipped, the first at line %u",
                                             f->n_invalid, path, f->first_invalid_line);
        return 0;
}

/* The last assignment of each key, in the order the files are applied, is the one in force. */
static int mark_effective(json_object *items)
{
        _cleanup_json_ json_object *seen = json_object_new_object();
        size_t n = json_object_array_length(items);

        if (!seen)
                return -ENOMEM;
        for (size_t i = n; i > 0; i--) {
                json_object *o = json_object_array_get_idx(items, i - 1);
                const char *key = json_get_str(o, "key");

                if (!key || !json_get_str(o, "value") || json_get(seen, key))
                        continue;
                if (json_add_bool(seen, key, true) < 0 || json_add_bool(o, "effective", true) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* config.sysctl[]: every assignment of the sysctl.d(5) files and /etc/sysctl.conf, in the order
 * they are applied (files by name across the directories, /etc/sysctl.conf last, as
 * "sysctl --system" does), and config.sysctl_files[]: the files in that order. Debian and
 * Ubuntu link /etc/sysctl.d/99-sysctl.conf to ../sysctl.conf: such a link is listed but not
 * parsed, its target being read last. */
int collect_sysctl(InspectContext *c)
{
        json_object *config = inventory_section(c->inv, "config"), *items, *files;
        int r;

        if (!config)
                return -ENOMEM;
        items = json_get_or_add_array(config, "sysctl");
        files = json_get_or_add_array(config, "sysctl_files");
        if (!items || !files)
                return -ENOMEM;

        r = conf_files_read(c, sysctl_dirs, ELEMENTSOF(sysctl_dirs), SYSCTL_CONF, parse_one, items, files);
        if (r < 0)
                return r;
        r = conf_file_read_extra(c, SYSCTL_CONF, parse_one, items, files);
        if (r < 0)
                return r;
        return mark_effective(items);
}
