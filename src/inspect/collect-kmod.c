/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/string-util.h"
#include "collect.h"
#include "conf-files.h"
#include "modprobe.h"
#include "modules-load.h"

#define ETC_MODULES "/etc/modules"

/* libkmod's and systemd-modules-load's directories, highest priority first (/run is empty in
 * an image). */
static const ConfDir modprobe_dirs[] = {
        { "/etc/modprobe.d", CONF_ORIGIN_ETC },
        { "/usr/local/lib/modprobe.d", CONF_ORIGIN_LOCAL },
        { "/usr/lib/modprobe.d", CONF_ORIGIN_VENDOR },
        { "/lib/modprobe.d", CONF_ORIGIN_VENDOR },
};

static const ConfDir modules_load_dirs[] = {
        { "/etc/modules-load.d", CONF_ORIGIN_ETC },
        { "/usr/local/lib/modules-load.d", CONF_ORIGIN_LOCAL },
        { "/usr/lib/modules-load.d", CONF_ORIGIN_VENDOR },
        { "/lib/modules-load.d", CONF_ORIGIN_VENDOR },
};

static int add_item(json_object *items, const char *path, ConfOrigin origin, const char *kind,
                    const char *directive, const char *module, const char *args, unsigned line)
{
        _cleanup_json_ json_object *o = json_object_new_object();

        if (!o || json_add_str(o, "file", path) < 0 ||
            json_add_str(o, "origin", conf_origin_to_string(origin)) < 0 ||
            json_add_str(o, "kind", kind) < 0 || json_add_str(o, "directive", directive) < 0 ||
            json_add_str(o, "module", module) < 0 || json_add_str(o, "args", args) < 0 ||
            json_add_int(o, "line", line) < 0)
                return -ENOMEM;
        return json_append(items, TAKE_PTR(o));
}

static int invalid_finding(InspectContext *c, const char *path, size_t n, unsigned first)
{
        return inventory_add_finding(
                c->inv, "kernel-modules.line.invalid", path,
                "%zu line(s) of '%s' are not valid and were skipped, the first at line %u", n, path, first);
}

static int parse_modprobe(InspectContext *c, const char *path, ConfOrigin origin, const char *buf,
                          size_t size, json_object *items)
{
        _cleanup_(modprobe_file_freep) ModprobeFile *f = NULL;
        int r;

        r = modprobe_parse(buf, size, &f);
        if (r < 0)
                return r;
        for (size_t i = 0; i < f->n_entries; i++) {
                const ModprobeEntry *e = &f->entries[i];
                r = add_item(items, path, origin, "modprobe", modprobe_directive_to_string(e->directive),
                             e->module, e->args, e->line);
                if (r < 0)
                        return r;
        }
        return f->n_invalid > 0 ? invalid_finding(c, path, f->n_invalid, f->first_invalid_line) : 0;
}

static int parse_modules_load(InspectContext *c, const char *path, ConfOrigin origin, const char *buf,
                              size_t size, json_object *items)
{
        _cleanup_(modules_load_file_freep) ModulesLoadFile *f = NULL;
        int r;

        r = modules_load_parse(buf, size, &f);
        if (r < 0)
                return r;
        for (size_t i = 0; i < f->n_entries; i++) {
                const ModulesLoadEntry *e = &f->entries[i];
                r = add_item(items, path, origin, "load", NULL, e->module, e->args, e->line);
                if (r < 0)
                        return r;
        }
        return f->n_invalid > 0 ? invalid_finding(c, path, f->n_invalid, f->first_invalid_line) : 0;
}

/* config.kernel_modules[]: the directives of modprobe.d(5) files (kind "modprobe") and the
 * modules loaded at boot by modules-load.d(5) files and Debian's /etc/modules (kind "load"),
 * files in the order the tools take them (modprobe.d, then modules-load.d, then /etc/modules),
 * lines in file order; config.kernel_module_files[]: the files. */
int collect_kernel_modules(InspectContext *c)
{
        json_object *config = inventory_section(c->inv, "config"), *items, *files;
        int r;

        if (!config)
                return -ENOMEM;
        items = json_get_or_add_array(config, "kernel_modules");
        files = json_get_or_add_array(config, "kernel_module_files");
        if (!items || !files)
                return -ENOMEM;

        /* Debian links /etc/modules-load.d/modules.conf to ../modules, read on its own. */
        r = conf_files_read(c, modprobe_dirs, ELEMENTSOF(modprobe_dirs), ETC_MODULES, parse_modprobe, items,
                            files);
        if (r < 0)
                return r;
        r = conf_files_read(c, modules_load_dirs, ELEMENTSOF(modules_load_dirs), ETC_MODULES,
                            parse_modules_load, items, files);
        if (r < 0)
                return r;
        return conf_file_read_extra(c, ETC_MODULES, parse_modules_load, items, files);
}
