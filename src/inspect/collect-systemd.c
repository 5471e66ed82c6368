/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/log.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "collect.h"
#include "conf-files.h"
#include "unit-name.h"

#define ETC_UNITS "/etc/systemd/system"
/* Most units of interest recorded in all (each directory is capped on its own as well). */
#define UNITS_MAX (4u * COLLECT_DIR_ITEMS_MAX)

/* The unit search path below /etc, in systemd's order, with what each location is. */
static const ConfDir unit_dirs[] = {
        { "/usr/local/lib/systemd/system", CONF_ORIGIN_LOCAL },
        { "/usr/lib/systemd/system", CONF_ORIGIN_VENDOR },
        { "/lib/systemd/system", CONF_ORIGIN_VENDOR },
};

typedef struct Unit {
        char *name;
        bool in_etc; /* /etc/systemd/system/<name> exists (file or symlink) */
        bool masked;
        char **wanted_by;   /* owners of .wants and .requires directories linking it */
        char **required_by; /* owners of .requires directories only */
        char **dropins;
        char *link; /* the first .wants/.requires symlink naming it */
} Unit;

typedef struct Units {
        Unit *items;
        size_t n;
        json_object *index; /* name -> position in items */
        bool truncated;
} Units;

static void units_done(Units *u)
{
        for (size_t i = 0; i < u->n; i++) {
                free(u->items[i].name);
                strv_free(u->items[i].wanted_by);
                strv_free(u->items[i].required_by);
                strv_free(u->items[i].dropins);
                free(u->items[i].link);
        }
        free(u->items);
        json_object_put(u->index);
        *u = (Units){};
}

/* Finds the unit called name, adding it when new. Returns 1 with it, 0 when it is new and the cap is
 * reached, or -ENOMEM. */
static int units_get(Units *u, const char *name, Unit **ret)
{
        json_object *pos = json_get(u->index, name);
        Unit *n;

        if (pos) {
                *ret = &u->items[json_object_get_int(pos)];
                return 1;
        }
        if (u->n >= UNITS_MAX) {
                u->truncated = true;
                return 0;
        }
        n = reallocarray(u->items, u->n + 1, sizeof(Unit));
        if (!n)
                return -ENOMEM;
        u->items = n;
        n[u->n] = (Unit){ .name = strdup(name) };
        if (!n[u->n].name)
                return -ENOMEM;
        if (json_add_int(u->index, name, (int64_t) u->n) < 0) {
                free(n[u->n].name);
                return -ENOMEM;
        }
        *ret = &u->items[u->n++];
        return 1;
}

/* Where a canonical guest path lies: "etc", "local", "vendor", or "other". */
static const char *location_of(const char *canon)
{
        if (path_startswith(canon, ETC_UNITS))
                return "etc";
        for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++)
                if (path_startswith(canon, unit_dirs[i].path))
                        return conf_origin_to_string(unit_dirs[i].origin);
        return "other";
}

/* A unit file that systemd treats as masked: a link to /dev/null, or an empty file. */
static int is_masked(InspectContext *c, const char *path, const GuestDirEntry *e)
{
        GuestStat st;
        int r;

        if (e->type == GUEST_FILE_SYMLINK)
                return conf_is_masked(c, path);
        r = guest_stat(c->guest, path, &st);
        if (r == -ENOMEM)
                return r;
        return r >= 0 && st.type == GUEST_FILE_REGULAR && st.size == 0;
}

/* A .wants or .requires directory: every unit it links. */
static int scan_wants(InspectContext *c, Units *u, const char *dir, const char *owner, bool requires)
{
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        r = conf_read_dir_capped(c, dir, &e, &n);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                Unit *x;

                if (!unit_name_is_valid(e[i].name) || e[i].type == GUEST_FILE_DIRECTORY)
                        continue;
                r = units_get(u, e[i].name, &x);
                if (r < 0)
                        break;
                if (r == 0)
                        continue; /* over the cap */
                r = -ENOMEM;
                if (!strv_contains(x->wanted_by, owner) && strv_extend(&x->wanted_by, owner) < 0)
                        break;
                if (requires && !strv_contains(x->required_by, owner) &&
                    strv_extend(&x->required_by, owner) < 0)
                        break;
                if (!x->link && !(x->link = path_join(dir, e[i].name)))
                        break;
                r = 0;
        }
        guest_dir_entries_free(e, n);
        return r;
}

/* A <unit>.d directory: its *.conf drop-ins. */
static int scan_dropins(InspectContext *c, Units *u, const char *dir, const char *owner)
{
        GuestDirEntry *e = NULL;
        size_t n = 0;
        Unit *x = NULL;
        int r;

        r = conf_read_dir_capped(c, dir, &e, &n);
        if (r <= 0)
                return r;
        r = units_get(u, owner, &x);
        for (size_t i = 0; r > 0 && i < n; i++) {
                char *p;

                if (!endswith(e[i].name, ".conf") || e[i].type == GUEST_FILE_DIRECTORY)
                        continue;
                p = path_join(dir, e[i].name);
                if (!p || strv_consume(&x->dropins, p) < 0) {
                        r = -ENOMEM;
                        break;
                }
        }
        guest_dir_entries_free(e, n);
        return r < 0 ? r : 0;
}

static int scan_etc(InspectContext *c, Units *u)
{
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        r = conf_read_dir_capped(c, ETC_UNITS, &e, &n);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *path = path_join(ETC_UNITS, e[i].name), *owner = NULL;
                Unit *x;

                r = -ENOMEM;
                if (!path)
                        break;
                if (e[i].type == GUEST_FILE_DIRECTORY) {
                        /* Only one level: the .wants, .requires and .d directories. */
                        r = unit_dir_classify(e[i].name, &owner);
                        if (r == -ENOMEM)
                                break;
                        if (r == UNIT_DIR_WANTS || r == UNIT_DIR_REQUIRES)
                                r = scan_wants(c, u, path, owner, r == UNIT_DIR_REQUIRES);
                        else if (r == UNIT_DIR_DROPINS)
                                r = scan_dropins(c, u, path, owner);
                        if (r < 0 && r != -EINVAL)
                                break;
                        r = 0;
                        continue;
                }
                r = 0;
                if ((e[i].type != GUEST_FILE_REGULAR && e[i].type != GUEST_FILE_SYMLINK) ||
                    !unit_name_is_valid(e[i].name) || streq(e[i].name, "default.target"))
                        continue;
                r = units_get(u, e[i].name, &x);
                if (r < 0)
                        break;
                if (r == 0)
                        continue; /* over the cap */
                x->in_etc = true;
                r = is_masked(c, path, &e[i]);
                if (r < 0)
                        break;
                x->masked = r > 0;
                r = 0;
        }
        guest_dir_entries_free(e, n);
        return r;
}

/* Finds the regular file that path (or what it links to) is. Returns 1 with its canonical path,
 * 0 when there is none, -ENOMEM. */
static int find_file(InspectContext *c, const char *path, char **ret)
{
        _cleanup_free_ char *canon = NULL;
        int r;

        r = guest_resolve(c->guest, path, /* follow= */ true, &canon);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        r = guest_is_type(c->guest, canon, GUEST_FILE_REGULAR);
        if (r == -ENOMEM)
                return r;
        if (r <= 0)
                return 0;
        *ret = TAKE_PTR(canon);
        return 1;
}

/* The unit's file in the search path below /etc, by its name or, for an instance, its
 * template's. Returns 1 with the path, 0, or -ENOMEM. */
static int find_vendor_file(InspectContext *c, const char *name, char **ret)
{
        _cleanup_free_ char *template = NULL;
        int r;

        r = unit_name_template(name, &template);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++) {
                const char *names[] = { name, template };

                for (size_t j = 0; j < ELEMENTSOF(names) && names[j]; j++) {
                        _cleanup_free_ char *p = path_join(unit_dirs[i].path, names[j]);
                        if (!p)
                                return -ENOMEM;
                        r = find_file(c, p, ret);
                        if (r != 0)
                                return r;
                }
        }
        return 0;
}

static int unit_json(InspectContext *c, Unit *x, json_object **ret)
{
        _cleanup_free_ char *etc_path = NULL, *etc_file = NULL, *vendor = NULL, *linked = NULL, *tmpl = NULL,
                            *tmpl_path = NULL;
        _cleanup_json_ json_object *o = json_object_new_object();
        const char *origin = NULL, *path = NULL, *link_target = NULL;
        json_object *wb, *rb, *di;
        int r;

        if (!o)
                return -ENOMEM;
        etc_path = path_join(ETC_UNITS, x->name);
        if (!etc_path)
                return -ENOMEM;
        r = unit_name_template(x->name, &tmpl);
        if (r < 0)
                return r;
        r = find_vendor_file(c, x->name, &vendor);
        if (r < 0)
                return r;

        if (x->in_etc)
                path = etc_path;
        if (x->masked)
                origin = "etc";
        else {
                if (x->in_etc) {
                        r = find_file(c, etc_path, &etc_file);
                        if (r < 0)
                                return r;
                        /* An alias or a linked unit: the file it stands for. */
                        if (etc_file && !streq(etc_file, etc_path))
                                link_target = etc_file;
                }
                if (!etc_file && tmpl) {
                        /* An instance uses its template's file. */
                        tmpl_path = path_join(ETC_UNITS, tmpl);
                        if (!tmpl_path)
                                return -ENOMEM;
                        r = find_file(c, tmpl_path, &etc_file);
                        if (r < 0)
                                return r;
                        if (r > 0 && !path)
                                path = tmpl_path;
                }
                if (etc_file)
                        origin = location_of(etc_file);
                else if (vendor)
                        origin = location_of(vendor);
                else if (x->link) {
                        /* Linked from outside the search path ("systemctl link"). */
                        r = find_file(c, x->link, &linked);
                        if (r < 0)
                                return r;
                        if (r > 0) {
                                origin = location_of(linked);
                                link_target = linked;
                        }
                }
        }

        wb = conf_strv_json(x->wanted_by);
        if (!wb || json_add(o, "wanted_by", wb) < 0)
                return -ENOMEM;
        rb = conf_strv_json(x->required_by);
        if (!rb || json_add(o, "required_by", rb) < 0)
                return -ENOMEM;
        di = conf_strv_json(x->dropins);
        if (!di || json_add(o, "dropins", di) < 0)
                return -ENOMEM;
        if (json_add_str(o, "name", x->name) < 0 ||
            json_add_bool(o, "enabled", !x->masked && strv_length(x->wanted_by) > 0) < 0 ||
            json_add_bool(o, "masked", x->masked) < 0 || json_add_str(o, "path", path) < 0 ||
            json_add_str(o, "origin", origin) < 0 || json_add_str(o, "link_target", link_target) < 0 ||
            json_add_str(o, "vendor_path", vendor) < 0)
                return -ENOMEM;

        /* Only what points at a unit counts as dangling; a drop-in directory for a unit that is not
         * installed (AKS writes docker.service.d on nodes without docker) is inert. */
        if (!origin && (x->wanted_by || x->in_etc)) {
                r = inventory_add_finding(c->inv, "systemd.unit.dangling", x->name,
                                          "'%s' is %s under " ETC_UNITS " but no unit file for it exists",
                                          x->name, x->wanted_by ? "enabled" : "linked");
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

static int cmp_unit(const void *a, const void *b)
{
        return strcmp(((const Unit *) a)->name, ((const Unit *) b)->name);
}

/* default.target: the /etc link if there is one, else the vendor's. */
static int default_target(InspectContext *c, json_object *config)
{
        static const char *const paths[] = { ETC_UNITS "/default.target",
                                             "/usr/lib/systemd/system/default.target",
                                             "/lib/systemd/system/default.target" };

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_free_ char *target = NULL;
                const char *name;
                GuestStat st;
                int r;

                r = guest_readlink(c->guest, paths[i], &target);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        /* Not a symlink: a unit file of its own, or nothing. */
                        r = guest_lstat(c->guest, paths[i], &st);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0 || st.type != GUEST_FILE_REGULAR)
                                continue;
                        name = "default.target";
                } else
                        name = path_basename(target);
                if (json_add_str(config, "default_target", name) < 0 ||
                    json_add_str(config, "default_target_source", paths[i]) < 0)
                        return -ENOMEM;
                return 0;
        }
        if (json_add_str(config, "default_target", NULL) < 0 ||
            json_add_str(config, "default_target_source", NULL) < 0)
                return -ENOMEM;
        return 0;
}

/* config.units[]: the units the administrator (or image build) changed under
 * /etc/systemd/system: enabled through .wants/.requires links, added or linked unit files,
 * masks, drop-in directories; sorted by name. config.default_target. The walk reads
 * /etc/systemd/system and its .wants, .requires and .d subdirectories, nothing deeper. */
int collect_systemd(InspectContext *c)
{
        _cleanup_(units_done) Units u = {};
        json_object *config = inventory_section(c->inv, "config"), *items;
        int r;

        if (!config)
                return -ENOMEM;
        items = json_get_or_add_array(config, "units");
        u.index = json_object_new_object();
        if (!items || !u.index)
                return -ENOMEM;

        r = scan_etc(c, &u);
        if (r < 0)
                return r;
        if (u.truncated && (r = inventory_add_finding(c->inv, "inspect.directory.truncated", ETC_UNITS,
                                                      "more than %u units are configured under " ETC_UNITS
                                                      "; only the first were read",
                                                      UNITS_MAX)) < 0)
                return r;
        if (u.n > 1)
                qsort(u.items, u.n, sizeof(Unit), cmp_unit);
        for (size_t i = 0; i < u.n; i++) {
                json_object *o = NULL;

                strv_sort(u.items[i].wanted_by);
                strv_sort(u.items[i].required_by);
                strv_sort(u.items[i].dropins);
                r = unit_json(c, &u.items[i], &o);
                if (r < 0)
                        return r;
                if (json_append(items, o) < 0)
                        return -ENOMEM;
        }
        return default_target(c, config);
}
