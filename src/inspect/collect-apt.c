/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "apt-sources.h"
#include "collect.h"

/* APT configuration that a migration has to replace with repositories of the target:
 *   config.apt_sources[]      one item per (type, URI, suite), the lines naming it merged
 *   config.apt_preferences[]  pinning files (apt_preferences(5))
 *   config.apt_keyrings[]     trusted keyrings
 * AKS Ubuntu images have /etc/apt/sources.list.d/microsoft-prod.list (packages.microsoft.com),
 * Azure's mirror azure.archive.ubuntu.com in sources.list (22.04) or ubuntu.sources (24.04), and
 * /etc/apt/preferences from AgentBaker. */

#define SOURCES_LIST       "/etc/apt/sources.list"
#define SOURCES_DIR        "/etc/apt/sources.list.d"
#define PREFERENCES        "/etc/apt/preferences"
#define PREFERENCES_DIR    "/etc/apt/preferences.d"
#define APT_FILES_MAX      256u /* files read from one directory */
#define APT_COMPONENTS_MAX 256u /* components of one merged item */

/* sources.list(5), apt_preferences(5): apt reads only names made of these characters (and
 * ignores other ones with a notice). */
static bool apt_name_ok(const char *name)
{
        return name[0] != '.' && str_in_charset(name, "_-.");
}

/* Merges the entries of one file into items (key "type uri suite" -> item) and arr. */
static int add_entries(const char *file, const AptSourceList *l, json_object *items, json_object *arr)
{
        for (size_t i = 0; i < l->n; i++) {
                const AptSource *s = &l->items[i];
                _cleanup_free_ char *key = NULL;
                size_t ul = strlen(s->uri);
                json_object *o, *comps, *loc, *locs;
                bool ppa;

                /* "http://host/ubuntu" and "http://host/ubuntu/" are one repository. */
                while (ul > 0 && s->uri[ul - 1] == '/')
                        ul--;
                if (asprintf(&key, "%s %.*s %s", s->type, (int) ul, s->uri, s->suite) < 0)
                        return -ENOMEM;
                o = json_get(items, key);
                if (!o) {
                        AptOrigin origin = apt_uri_origin(s->uri);
                        json_object *opts;

                        ppa = origin == APT_ORIGIN_PPA;
                        o = json_object_new_object();
                        if (!o || json_append(arr, o) < 0 || json_add(items, key, json_object_get(o)) < 0)
                                return -ENOMEM;
                        if (json_add_str(o, "file", file) < 0 ||
                            json_add_int(o, "line", (int64_t) s->line) < 0 ||
                            json_add_str(o, "format", apt_source_format_to_string(s->format)) < 0 ||
                            json_add_str(o, "type", s->type) < 0 || json_add_str(o, "uri", s->uri) < 0 ||
                            json_add_bool(o, "uri_had_credentials", s->uri_had_credentials) < 0 ||
                            json_add_str(o, "suite", s->suite) < 0 ||
                            json_add_bool(o, "enabled", s->enabled) < 0 ||
                            json_add_str(o, "origin", apt_origin_to_string(origin)) < 0 ||
                            json_add_bool(o, "ppa", ppa) < 0)
                                return -ENOMEM;
                        opts = json_get_or_add_object(o, "options");
                        if (!opts)
                                return -ENOMEM;
                        STRV_FOREACH(opt, s->options) {
                                const char *eq = strchr(*opt, '=');
                                _cleanup_free_ char *name = strndup(*opt, (size_t) (eq - *opt));

                                if (!name || json_add_str(opts, name, eq + 1) < 0)
                                        return -ENOMEM;
                        }
                } else if (s->enabled && json_add_bool(o, "enabled", true) < 0)
                        return -ENOMEM;

                comps = json_get_or_add_array(o, "components");
                locs = json_get_or_add_array(o, "locations");
                if (!comps || !locs)
                        return -ENOMEM;
                STRV_FOREACH(c, s->components) {
                        size_t n = json_object_array_length(comps);
                        bool have = false;

                        for (size_t j = 0; j < n && !have; j++)
                                have = streq(json_object_get_string(json_object_array_get_idx(comps, j)),
                                             *c);
                        if (!have && n < APT_COMPONENTS_MAX && json_append_str(comps, *c) < 0)
                                return -ENOMEM;
                }
                loc = json_object_new_object();
                if (!loc || json_append(locs, loc) < 0 || json_add_str(loc, "file", file) < 0 ||
                    json_add_int(loc, "line", (int64_t) s->line) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int read_sources_file(InspectContext *c, const char *path, bool deb822, json_object *items,
                             json_object *arr)
{
        _cleanup_free_ char *buf = NULL;
        AptSourceList l = {};
        size_t size;
        int r;

        r = collect_read_file(c, path, CONFIG_FILE_MAX, &buf, &size);
        if (r <= 0)
                return r;
        r = deb822 ? apt_sources_parse_deb822(buf, size, &l) : apt_sources_parse_one_line(buf, size, &l);
        if (r >= 0)
                r = add_entries(path, &l, items, arr);
        if (r >= 0 && l.n_invalid > 0) {
                char first[64] = "";

                if (l.first_invalid_line > 0)
                        snprintf(first, sizeof(first), " (first at line %zu)", l.first_invalid_line);
                r = inventory_add_finding(c->inv, "apt.source.invalid", path,
                                          "%zu %s of '%s' were skipped%s", l.n_invalid,
                                          deb822 ? "stanza(s) or line(s)" : "line(s)", path, first);
        }
        apt_source_list_done(&l);
        return r < 0 ? r : 0;
}

static int collect_sources(InspectContext *c, json_object *arr)
{
        _cleanup_json_ json_object *items = json_object_new_object();
        GuestDirEntry *e = NULL;
        size_t n = 0, used = 0;
        int r;

        if (!items)
                return -ENOMEM;
        r = read_sources_file(c, SOURCES_LIST, false, items, arr);
        if (r < 0)
                return r;
        r = collect_read_dir(c, SOURCES_DIR, &e, &n);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < n && used < APT_FILES_MAX && r >= 0; i++) {
                bool list = endswith(e[i].name, ".list"), sources = endswith(e[i].name, ".sources");
                _cleanup_free_ char *p = NULL;

                if ((!list && !sources) || !apt_name_ok(e[i].name) || e[i].type == GUEST_FILE_DIRECTORY)
                        continue;
                p = path_join(SOURCES_DIR, e[i].name);
                r = p ? read_sources_file(c, p, sources, items, arr) : -ENOMEM;
                used++;
        }
        guest_dir_entries_free(e, n);
        return r < 0 ? r : 0;
}

/* Regular files and symlinks (keyrings). */
static bool is_file(const GuestDirEntry *e, const void *userdata)
{
        return e->type == GUEST_FILE_REGULAR || e->type == GUEST_FILE_SYMLINK;
}

/* ... named as apt_preferences(5) wants: no extension or ".pref". */
static bool is_preferences_file(const GuestDirEntry *e, const void *userdata)
{
        return is_file(e, userdata) && apt_name_ok(e->name) &&
               (!strchr(e->name, '.') || endswith(e->name, ".pref"));
}

static int add_if_file(InspectContext *c, const char *path, json_object *arr)
{
        int r = guest_is_type(c->guest, path, GUEST_FILE_REGULAR);

        if (r == -ENOMEM)
                return r;
        return r > 0 ? json_append_str(arr, path) : 0;
}

int collect_apt(InspectContext *c)
{
        json_object *cfg = inventory_section(c->inv, "config"), *sources, *prefs, *keys;
        int r;

        if (!cfg)
                return -ENOMEM;
        sources = json_get_or_add_array(cfg, "apt_sources");
        prefs = json_get_or_add_array(cfg, "apt_preferences");
        keys = json_get_or_add_array(cfg, "apt_keyrings");
        if (!sources || !prefs || !keys)
                return -ENOMEM;

        r = collect_sources(c, sources);
        if (r < 0)
                return r;

        r = add_if_file(c, PREFERENCES, prefs);
        if (r < 0)
                return r;
        r = collect_list_paths(c, PREFERENCES_DIR, is_preferences_file, NULL, prefs);
        if (r < 0)
                return r;

        /* The legacy single keyring, the fragments apt trusts for every source, and the
         * directory for keyrings named by signed-by. */
        r = add_if_file(c, "/etc/apt/trusted.gpg", keys);
        if (r < 0)
                return r;
        r = collect_list_paths(c, "/etc/apt/trusted.gpg.d", is_file, NULL, keys);
        if (r < 0)
                return r;
        r = collect_list_paths(c, "/etc/apt/keyrings", is_file, NULL, keys);
        if (r < 0)
                return r;
        json_array_sort_strings(keys);
        return 0;
}
