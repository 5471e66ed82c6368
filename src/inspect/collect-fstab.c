/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "shared/json-util.h"
#include "collect.h"
#include "fstab-source.h"
#include "fstab.h"

#define FSTAB_PATH "/etc/fstab"

static int entry_json(const InspectContext *c, const FstabEntry *e, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        _cleanup_free_ char *value = NULL;
        const Partition *p;
        int kind;

        if (!o)
                return -ENOMEM;
        kind = fstab_source_parse(e->spec, &value);
        if (kind < 0)
                return kind;
        p = fstab_source_match(c->layout, kind, value);
        if (json_add_str(o, "spec", e->spec) < 0 || json_add_str(o, "file", e->file) < 0 ||
            json_add_str(o, "vfstype", e->vfstype) < 0 || json_add_str(o, "options", e->options) < 0 ||
            json_add_int(o, "freq", e->freq) < 0 || json_add_int(o, "passno", e->passno) < 0 ||
            json_add_int(o, "line", e->line) < 0 ||
            json_add_str(o, "source_kind", fstab_source_kind_to_string(kind)) < 0 ||
            json_add_str(o, "source_value", value) < 0 ||
            json_add(o, "matches_partition", p && p->number > 0 ? json_object_new_int64(p->number) : NULL) <
                    0 ||
            json_add_str(o, "matches_volume", p && p->number == 0 ? p->device : NULL) < 0)
                return -ENOMEM;
        if (p && p->number > 0 && !json_get(o, "matches_partition"))
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

/* config.fstab[]: the entries of /etc/fstab in file order, each with what kind of source it
 * names and, when the disk layout is known, the partition (or logical volume) it matches. */
int collect_fstab(InspectContext *c)
{
        _cleanup_(fstab_freep) Fstab *f = NULL;
        _cleanup_free_ char *buf = NULL;
        json_object *config = inventory_section(c->inv, "config"), *items;
        size_t size = 0;
        int r;

        if (!config)
                return -ENOMEM;
        items = json_get_or_add_array(config, "fstab");
        if (!items)
                return -ENOMEM;
        r = collect_read_file(c, FSTAB_PATH, CONFIG_FILE_MAX, &buf, &size);
        if (r <= 0)
                return r;
        r = fstab_parse(buf, size, &f);
        if (r < 0)
                return r;
        for (size_t i = 0; i < f->n_entries; i++) {
                json_object *o;

                r = entry_json(c, &f->entries[i], &o);
                if (r < 0)
                        return r;
                if (json_append(items, o) < 0)
                        return -ENOMEM;
        }
        if (f->n_invalid > 0)
                return inventory_add_finding(c->inv, "fstab.entry.invalid", FSTAB_PATH,
                                             "%zu line(s) of " FSTAB_PATH
                                             " have fewer than two fields and were "
                                             "skipped, the first at line %u",
                                             f->n_invalid, f->first_invalid_line);
        return 0;
}
