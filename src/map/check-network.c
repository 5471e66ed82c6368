/* SPDX-License-Identifier: MIT */
/* The network checks: which netplan keys the target's netplan supports, and the systemd-networkd
 * rendering of what it does not (networkd-render.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "checks-internal.h"
#include "checks.h"
#include "knowledge.h"
#include "networkd-render.h"
#include "rule-expr.h"

static const char *const netplan_scopes[] = { "network", "section", "physical-section", "all", "physical" };
static const char *const netplan_backends[] = { "any", "networkd", "NetworkManager", "openvswitch" };

static int netplan_key_cb(const TsvRecord *rec, void *userdata)
{
        TableLoad *t = userdata;
        const char *scope = rec->field[0], *key = rec->field[1], *since = rec->field[2],
                   *backend = rec->field[3];
        _cleanup_free_ char *id = NULL;
        json_object *o;

        if (isempty(scope) || isempty(key))
                return check_table_error(t, rec->line, "scope and key are required");
        if (string_table_lookup(netplan_scopes, ELEMENTSOF(netplan_scopes), scope) < 0 &&
            !str_in_charset(scope, "-"))
                return check_table_error(t, rec->line, "unknown scope");
        if (!isempty(since) && (strspn(since, "0123456789.") != strlen(since) || since[0] == '.'))
                return check_table_error(t, rec->line, "'since' is not a version");
        if (string_table_lookup(netplan_backends, ELEMENTSOF(netplan_backends), backend) < 0)
                return check_table_error(t, rec->line,
                                         "backend must be any, networkd, NetworkManager or openvswitch");
        if (asprintf(&id, "%s\t%s", scope, key) < 0)
                return -ENOMEM;
        if (json_get(t->obj, id))
                return check_table_error(t, rec->line, "duplicate key");
        o = json_object_new_object();
        if (!o || json_add(t->obj, id, o) < 0 || json_add_str(o, "since", since) < 0 ||
            json_add_str(o, "backend", backend) < 0 || json_add_str(o, "note", rec->field[4]) < 0)
                return -ENOMEM;
        return 0;
}

static int get_netplan_keys(const CheckContext *ctx, json_object **ret, char **ret_error)
{
        TableLoad t = { .name = "rules/netplan-keys.tsv" };
        int r;

        if (!ctx->cache->netplan_keys) {
                t.obj = json_object_new_object();
                if (!t.obj)
                        return -ENOMEM;
                r = check_load_table(ctx, "rules", "netplan-keys.tsv", 5, netplan_key_cb, &t, ret_error);
                if (r < 0) {
                        json_object_put(t.obj);
                        return r;
                }
                ctx->cache->netplan_keys = t.obj;
        }
        *ret = ctx->cache->netplan_keys;
        return 0;
}

typedef struct ImageLoad {
        char *version;
} ImageLoad;

static int image_cb(const TsvRecord *rec, void *userdata)
{
        ImageLoad *l = userdata;

        if (streq(rec->field[0], "netplan") && !l->version) {
                l->version = strdup(rec->field[1]);
                if (!l->version)
                        return -ENOMEM;
        }
        return 0;
}

/* The target image's netplan version ("1.0.1-1.azl3"), or "" when the image has no netplan. */
static int get_netplan_version(const CheckContext *ctx, const char **ret, char **ret_error)
{
        _cleanup_free_ char *dir = NULL, *file = NULL;
        ImageLoad l = {};
        int r;

        if (!ctx->cache->netplan_version_loaded) {
                dir = path_join(ctx->plans_dir, "universe");
                if (!dir || asprintf(&file, "%s-image.tsv", ctx->to) < 0)
                        return -ENOMEM;
                r = knowledge_read_tsv(dir, file, 2, image_cb, &l);
                if (r < 0) {
                        free(l.version);
                        return asprintf(ret_error, "universe/%s: %s", file, strerror(-r)) < 0 ? -ENOMEM
                                                                                              : -EBADMSG;
                }
                ctx->cache->netplan_version = l.version ?: strdup("");
                if (!ctx->cache->netplan_version)
                        return -ENOMEM;
                ctx->cache->netplan_version_loaded = true;
        }
        *ret = ctx->cache->netplan_version;
        return 0;
}

/* ---- netplan: which keys the target's netplan supports -------------------------------------- */

static bool physical_section(json_object *table, const char *section)
{
        _cleanup_free_ char *id = NULL;
        return asprintf(&id, "physical-section\t%s", section) >= 0 && json_get(table, id);
}

/* The table row describing an inventory key path ("network.ethernets.*.dhcp4"), or NULL. */
static json_object *netplan_lookup(json_object *table, const char *path)
{
        const char *rest = startswith(path, "network.");
        _cleanup_free_ char *section = NULL, *id = NULL;
        const char *scopes[4];
        size_t n = 0, sl;

        if (!rest)
                return NULL;
        sl = strcspn(rest, ".");
        section = strndup(rest, sl);
        if (!section)
                return NULL;
        if (rest[sl] == 0) {
                /* "network.ethernets" or "network.version" */
                const char *const kinds[] = { "section", "physical-section", "network" };
                for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
                        json_object *row;
                        free(id);
                        id = NULL;
                        if (asprintf(&id, "%s\t%s", kinds[i], section) < 0)
                                return NULL;
                        row = json_get(table, id);
                        if (row)
                                return row;
                }
                return NULL;
        }
        rest += sl + 1;
        if (!startswith(rest, "*.")) {
                /* A global mapping: "network.openvswitch.ports". */
                if (asprintf(&id, "network\t%s", path + strlen("network.")) < 0)
                        return NULL;
                return json_get(table, id);
        }
        rest += 2;
        scopes[n++] = section;
        scopes[n++] = "all";
        if (physical_section(table, section))
                scopes[n++] = "physical";
        for (size_t i = 0; i < n; i++) {
                json_object *row;
                free(id);
                id = NULL;
                if (asprintf(&id, "%s\t%s", scopes[i], rest) < 0)
                        return NULL;
                row = json_get(table, id);
                if (row)
                        return row;
        }
        return NULL;
}

int check_netplan_unsupported(const CheckContext *ctx, json_object *item, json_object *args,
                              json_object *matches, char **ret_error)
{
        json_object *table, *net = check_path_get(ctx, "config.network"), *keys = json_get(net, "keys"),
                            *ifs = json_get(net, "interfaces");
        _cleanup_free_ char *netplan = NULL;
        const char *version;
        bool nm = streq_ptr(json_get_str(net, "renderer"), "NetworkManager");
        int r;

        r = get_netplan_keys(ctx, &table, ret_error);
        if (r >= 0)
                r = get_netplan_version(ctx, &version, ret_error);
        if (r < 0)
                return r;
        netplan = strndup(version, strcspn(version, "-"));
        if (!netplan)
                return -ENOMEM;

        for (size_t i = 0; i < json_array_len(ifs); i++)
                nm = nm || streq_ptr(json_get_str(json_object_array_get_idx(ifs, i), "renderer"),
                                     "NetworkManager");
        if (nm) {
                json_object *m = check_add_match(matches, "network.renderer");
                if (!m || json_add_str(m, "key", "network.renderer") < 0 ||
                    json_add_str(m, "reason",
                                 "renderer NetworkManager: the target image has no NetworkManager") < 0)
                        return -ENOMEM;
        }
        if (json_get_bool(net, "keys_truncated", false)) {
                json_object *m = check_add_match(matches, "(more keys than were collected)");
                if (!m || json_add_str(m, "key", NULL) < 0 ||
                    json_add_str(m, "reason", "the inventory's key list was truncated") < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < json_array_len(keys); i++) {
                const char *k = rule_string(json_object_array_get_idx(keys, i)), *since, *backend;
                _cleanup_free_ char *reason = NULL;
                json_object *row, *m;

                if (!k || streq(k, "network")) /* the top-level mapping itself */
                        continue;
                row = netplan_lookup(table, k);
                since = json_get_str(row, "since");
                backend = json_get_str(row, "backend");
                if (isempty(netplan))
                        r = asprintf(&reason, "the %s image has no netplan", ctx->to);
                else if (!row)
                        r = asprintf(&reason, "not a key of netplan %s", netplan);
                else if (!isempty(since) && checks_version_compare(since, netplan) > 0)
                        r = asprintf(&reason, "added in netplan %s; the target has %s", since, netplan);
                else if (streq_ptr(backend, "NetworkManager") || streq_ptr(backend, "openvswitch"))
                        r = asprintf(&reason, "needs %s, which the target image does not have", backend);
                else
                        continue;
                if (r < 0)
                        return -ENOMEM;
                m = check_add_match(matches, k);
                if (!m || json_add_str(m, "key", k) < 0 || json_add_str(m, "reason", reason) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int check_networkd_unrenderable(const CheckContext *ctx, json_object *item, json_object *args,
                                json_object *matches, char **ret_error)
{
        json_object *net = check_path_get(ctx, "config.network"), *keys = json_get(net, "keys"),
                    *ifs = json_get(net, "interfaces");

        for (size_t i = 0; i < json_array_len(keys); i++) {
                const char *k = rule_string(json_object_array_get_idx(keys, i));
                json_object *m;

                if (!k || networkd_global_key_renderable(k))
                        continue;
                m = check_add_match(matches, k);
                if (!m || json_add_str(m, "key", k) < 0 ||
                    json_add_str(m, "reason", "no systemd-networkd rendering of this key") < 0)
                        return -ENOMEM;
        }
        if (streq_ptr(json_get_str(net, "renderer"), "NetworkManager")) {
                json_object *m = check_add_match(matches, "network.renderer");
                if (!m || json_add_str(m, "key", "network.renderer") < 0 ||
                    json_add_str(m, "reason", "renderer NetworkManager") < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < json_array_len(ifs); i++) {
                json_object *dev = json_object_array_get_idx(ifs, i), *dk = json_get(dev, "keys"),
                            *files = NULL, *m;
                _cleanup_free_ char *reason = NULL, *res = NULL;
                bool keys_ok = true;
                int r;

                for (size_t j = 0; j < json_array_len(dk); j++)
                        keys_ok = keys_ok &&
                                  networkd_key_renderable(json_get_str(dev, "kind"),
                                                          rule_string(json_object_array_get_idx(dk, j)));
                if (!keys_ok || !streq_ptr(json_get_str(dev, "kind"), "ethernet"))
                        continue; /* reported by key */
                r = networkd_render_device(dev, &files, &reason);
                json_object_put(files);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                if (asprintf(&res, "device %s", strempty(json_get_str(dev, "id"))) < 0)
                        return -ENOMEM;
                m = check_add_match(matches, res);
                if (!m || json_add_str(m, "key", NULL) < 0 || json_add_str(m, "reason", reason) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int check_networkd_render(const CheckContext *ctx, json_object *item, json_object *args,
                          json_object *matches, char **ret_error)
{
        json_object *ifs = check_path_get(ctx, "config.network.interfaces");

        for (size_t i = 0; i < json_array_len(ifs); i++) {
                json_object *dev = json_object_array_get_idx(ifs, i);
                _cleanup_json_ json_object *files = NULL;
                _cleanup_free_ char *reason = NULL;
                int r;

                r = networkd_render_device(dev, &files, &reason);
                if (r < 0)
                        return r;
                for (size_t j = 0; r > 0 && j < json_array_len(files); j++) {
                        json_object *f = json_object_array_get_idx(files, j), *m;

                        m = check_add_match(matches, json_get_str(f, "target"));
                        if (!m || json_add_str(m, "target", json_get_str(f, "target")) < 0 ||
                            json_add_str(m, "source", json_get_str(dev, "file")) < 0 ||
                            json_add_str(m, "device", json_get_str(dev, "id")) < 0 ||
                            json_add_str(m, "content", json_get_str(f, "content")) < 0 ||
                            json_add_str(m, "note", json_get_str(f, "note")) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}
