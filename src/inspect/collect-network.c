/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "collect.h"
#include "netplan.h"
#include "yaml-tree.h"

/* netplan reads *.yaml from these, a name in a later directory shadowing the same name in an
 * earlier one, and then parses the winners in the lexicographic order of their names whatever
 * their directory (netplan-generate(8), "Handling multiple files"). */
static const char *const netplan_dirs[] = { "/lib/netplan", "/etc/netplan", "/run/netplan" };

/* Real nodes have one to a handful of netplan files. */
#define NETPLAN_FILES_MAX 1024u
/* YAML nodes allowed for all netplan files together (each one: at most YAML_TREE_NODES_MAX). */
#define NETPLAN_TOTAL_NODES_MAX (4u * YAML_TREE_NODES_MAX)

static int cmp_strp(const void *a, const void *b)
{
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Returns a JSON object name -> winning path, and adds a finding when there are too many. */
static int netplan_find_files(InspectContext *c, json_object **ret)
{
        _cleanup_json_ json_object *byname = json_object_new_object();
        bool capped = false;
        int r;

        if (!byname)
                return -ENOMEM;
        for (size_t d = 0; d < ELEMENTSOF(netplan_dirs); d++) {
                GuestDirEntry *e = NULL;
                size_t n = 0;

                r = collect_read_dir(c, netplan_dirs[d], &e, &n);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n && r >= 0; i++) {
                        _cleanup_free_ char *p = NULL;

                        if (e[i].name[0] == '.' || !endswith(e[i].name, ".yaml") ||
                            (e[i].type != GUEST_FILE_REGULAR && e[i].type != GUEST_FILE_SYMLINK))
                                continue;
                        if (!json_get(byname, e[i].name) &&
                            (size_t) json_object_object_length(byname) >= NETPLAN_FILES_MAX) {
                                capped = true;
                                continue;
                        }
                        p = path_join(netplan_dirs[d], e[i].name);
                        r = p ? json_add_str(byname, e[i].name, p) : -ENOMEM;
                }
                guest_dir_entries_free(e, n);
                if (r < 0)
                        return r;
        }
        if (capped) {
                r = inventory_add_finding(c->inv, "network.netplan.invalid", NULL,
                                          "more than %u netplan files; the others were not read",
                                          NETPLAN_FILES_MAX);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(byname);
        return 0;
}

static int netplan_read_all(InspectContext *c, json_object *network)
{
        _cleanup_(netplan_freep) Netplan *np = NULL;
        _cleanup_json_ json_object *byname = NULL;
        _cleanup_free_ const char **names = NULL;
        json_object *files, *invalid;
        size_t budget = NETPLAN_TOTAL_NODES_MAX, n = 0;
        int r;

        r = netplan_new(&np);
        if (r < 0)
                return r;
        r = netplan_find_files(c, &byname);
        if (r < 0)
                return r;
        names = calloc((size_t) json_object_object_length(byname) + 1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        json_object_object_foreach(byname, k, v) {
                (void) v;
                names[n++] = k;
        }
        qsort(names, n, sizeof(char *), cmp_strp);

        files = json_object_new_array();
        invalid = json_object_new_array();
        if (json_add(network, "files", files) < 0 || json_add(network, "invalid_files", invalid) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_json_ json_object *tree = NULL;
                _cleanup_free_ char *buf = NULL, *error = NULL;
                const char *path = json_get_str(byname, names[i]);
                size_t size;

                r = collect_read_file(c, path, CONFIG_FILE_MAX, &buf, &size);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                if (json_append_str(files, path) < 0)
                        return -ENOMEM;
                r = yaml_tree_load(buf, size, &budget, &tree, &error);
                if (r == -ENOMEM)
                        return r;
                if (r > 0)
                        r = netplan_add(np, path, tree, &error);
                if (r < 0 && r != -EBADMSG)
                        return r;
                if (r == 0 && !tree)
                        continue; /* an empty file */
                if (r <= 0) {
                        if (json_append_str(invalid, path) < 0)
                                return -ENOMEM;
                        r = inventory_add_finding(c->inv, "network.netplan.invalid", path,
                                                  "'%s' was not used: %s", path, error ?: "invalid");
                        if (r < 0)
                                return r;
                }
        }
        return netplan_to_json(np, network);
}

/* Anything but a directory whose name ends in one of the NULL-terminated suffixes (NULL: any name). */
static bool is_config_file(const GuestDirEntry *e, const void *userdata)
{
        const char *const *suffixes = userdata;
        bool match = !suffixes;

        for (size_t j = 0; suffixes && suffixes[j] && !match; j++)
                match = endswith(e->name, suffixes[j]);
        return match && e->type != GUEST_FILE_DIRECTORY;
}

int collect_network(InspectContext *c)
{
        static const char *const networkd_suffixes[] = { ".network", ".netdev", ".link", NULL };
        json_object *cfg = inventory_section(c->inv, "config"), *network, *arr;
        int r;

        if (!cfg)
                return -ENOMEM;
        network = json_get_or_add_object(cfg, "network");
        if (!network)
                return -ENOMEM;
        r = netplan_read_all(c, network);
        if (r < 0)
                return r;

        /* Legacy ifupdown configuration, and systemd-networkd files written directly. */
        r = guest_is_type(c->guest, "/etc/network/interfaces", GUEST_FILE_REGULAR);
        if (r == -ENOMEM)
                return r;
        if (json_add_bool(network, "ifupdown", r > 0) < 0)
                return -ENOMEM;
        arr = json_get_or_add_array(network, "ifupdown_files");
        if (!arr)
                return -ENOMEM;
        if (r > 0 && json_append_str(arr, "/etc/network/interfaces") < 0)
                return -ENOMEM;
        r = collect_list_paths(c, "/etc/network/interfaces.d", is_config_file, NULL, arr);
        if (r < 0)
                return r;
        arr = json_get_or_add_array(network, "networkd_files");
        if (!arr)
                return -ENOMEM;
        return collect_list_paths(c, "/etc/systemd/network", is_config_file, networkd_suffixes, arr);
}
