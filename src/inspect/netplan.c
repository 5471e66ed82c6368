/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shared/json-util.h"
#include "shared/string-util.h"
#include "netplan.h"

typedef struct DeviceSection {
        const char *section;
        const char *kind;
} DeviceSection;

/* netplan(5) device types: the section name in the YAML and the kind reported. */
static const DeviceSection device_sections[] = {
        { "ethernets", "ethernet" },
        { "bonds", "bond" },
        { "bridges", "bridge" },
        { "vlans", "vlan" },
        { "wifis", "wifi" },
        { "tunnels", "tunnel" },
        { "modems", "modem" },
        { "vrfs", "vrf" },
        { "dummy-devices", "dummy-device" },
        { "virtual-ethernets", "virtual-ethernet" },
        { "nm-devices", "nm-device" },
};

static const DeviceSection *device_section_find(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(device_sections); i++)
                if (streq(device_sections[i].section, name))
                        return &device_sections[i];
        return NULL;
}

typedef struct NetplanDevice {
        char *id;
        const DeviceSection *section;
        json_object *def;   /* the merged definition */
        json_object *files; /* every file that defined or amended it, in order */
} NetplanDevice;

struct Netplan {
        json_object *globals; /* the merged "network" mapping without the device sections */
        json_object *index;   /* device id -> position in devices */
        NetplanDevice *devices;
        size_t n_devices, alloc;
};

int netplan_new(Netplan **ret)
{
        Netplan *np = calloc(1, sizeof(Netplan));

        if (!np)
                return -ENOMEM;
        np->globals = json_object_new_object();
        np->index = json_object_new_object();
        if (!np->globals || !np->index) {
                netplan_free(np);
                return -ENOMEM;
        }
        *ret = np;
        return 0;
}

Netplan *netplan_free(Netplan *np)
{
        if (!np)
                return NULL;
        for (size_t i = 0; i < np->n_devices; i++) {
                free(np->devices[i].id);
                json_object_put(np->devices[i].def);
                json_object_put(np->devices[i].files);
        }
        free(np->devices);
        json_object_put(np->globals);
        json_object_put(np->index);
        free(np);
        return NULL;
}

int netplan_parse_bool(const char *s)
{
        static const char *const yes[] = { "true", "on", "yes", "y" };
        static const char *const no[] = { "false", "off", "no", "n" };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0)
                        return 1;
                if (strcasecmp(s, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

static int deep_copy(json_object *v, json_object **ret)
{
        *ret = NULL;
        if (!v)
                return 0;
        return json_object_deep_copy(v, ret, NULL) < 0 ? -ENOMEM : 0;
}

/* Comparing every new item with every old one is quadratic: beyond this many comparisons the
 * items are appended without the check (no real file comes near it). */
#define MERGE_COMPARISONS_MAX 1000000u

static int merge_value(json_object *parent, const char *key, json_object *v);

static int merge_array(json_object *into, json_object *from)
{
        size_t n = json_object_array_length(into), m = json_object_array_length(from);
        bool check = n == 0 || m <= MERGE_COMPARISONS_MAX / n;

        for (size_t i = 0; i < m; i++) {
                json_object *item = json_object_array_get_idx(from, i), *copy;
                bool dup = false;
                int r;

                for (size_t j = 0; check && j < n && !dup; j++)
                        dup = json_object_equal(json_object_array_get_idx(into, j), item);
                if (dup)
                        continue;
                r = deep_copy(item, &copy);
                if (r < 0)
                        return r;
                r = json_append(into, copy);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int merge_object(json_object *into, json_object *from)
{
        json_object_object_foreach(from, k, v) {
                int r = merge_value(into, k, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int merge_value(json_object *parent, const char *key, json_object *v)
{
        json_object *cur = json_get(parent, key), *copy;
        int r;

        if (cur && json_object_is_type(cur, json_type_object) && json_object_is_type(v, json_type_object))
                return merge_object(cur, v);
        if (cur && json_object_is_type(cur, json_type_array) && json_object_is_type(v, json_type_array))
                return merge_array(cur, v);
        r = deep_copy(v, &copy);
        if (r < 0)
                return r;
        return json_add(parent, key, copy);
}

static int set_error(char **ret_error, const char *format, ...) _printf_(2, 3);
static int set_error(char **ret_error, const char *format, ...)
{
        va_list ap;
        int r;

        if (!ret_error)
                return 0;
        va_start(ap, format);
        r = vasprintf(ret_error, format, ap);
        va_end(ap);
        if (r < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }
        return 0;
}

static NetplanDevice *device_find(Netplan *np, const char *id)
{
        json_object *i = json_get(np->index, id);

        return i ? &np->devices[json_object_get_int(i)] : NULL;
}

/* Everything netplan would reject before anything of the file is used. */
static int validate(Netplan *np, json_object *tree, char **ret_error)
{
        json_object *net, *renderer;

        if (!json_object_is_type(tree, json_type_object))
                return set_error(ret_error, "the document is not a mapping");
        net = json_get(tree, "network");
        if (!net || !json_object_is_type(net, json_type_object))
                return set_error(ret_error, "no 'network' mapping");
        renderer = json_get(net, "renderer");
        if (renderer && !(json_object_is_type(renderer, json_type_string) &&
                          (streq(json_object_get_string(renderer), "networkd") ||
                           streq(json_object_get_string(renderer), "NetworkManager"))))
                return set_error(ret_error, "renderer is neither networkd nor NetworkManager");

        json_object_object_foreach(net, section, devs) {
                const DeviceSection *s = device_section_find(section);

                if (!s)
                        continue;
                if (!json_object_is_type(devs, json_type_object))
                        return set_error(ret_error, "'%s' is not a mapping", section);
                json_object_object_foreach(devs, id, def) {
                        NetplanDevice *d = device_find(np, id);

                        if (!json_object_is_type(def, json_type_object))
                                return set_error(ret_error, "the definition of '%s' is not a mapping", id);
                        if (d && d->section != s)
                                return set_error(ret_error, "'%s' changes device type from %s to %s", id,
                                                 d->section->kind, s->kind);
                        /* The same id twice in one file in different sections. */
                        for (size_t i = 0; !d && i < ELEMENTSOF(device_sections); i++) {
                                json_object *other = json_get(net, device_sections[i].section);
                                if (&device_sections[i] != s &&
                                    json_object_is_type(other, json_type_object) && json_get(other, id))
                                        return set_error(ret_error, "'%s' is defined as a %s and a %s", id,
                                                         s->kind, device_sections[i].kind);
                        }
                }
        }
        return 1;
}

static int device_add(Netplan *np, const char *id, const DeviceSection *s, NetplanDevice **ret)
{
        NetplanDevice *d;

        if (np->n_devices == np->alloc) {
                size_t na = np->alloc ? np->alloc * 2 : 8;
                NetplanDevice *nd = reallocarray(np->devices, na, sizeof(NetplanDevice));
                if (!nd)
                        return -ENOMEM;
                np->devices = nd;
                np->alloc = na;
        }
        d = &np->devices[np->n_devices];
        *d = (NetplanDevice){ .section = s };
        d->id = strdup(id);
        d->def = json_object_new_object();
        d->files = json_object_new_array();
        if (!d->id || !d->def || !d->files || json_add_int(np->index, id, (int64_t) np->n_devices) < 0) {
                free(d->id);
                json_object_put(d->def);
                json_object_put(d->files);
                return -ENOMEM;
        }
        np->n_devices++;
        *ret = d;
        return 0;
}

int netplan_add(Netplan *np, const char *file, json_object *tree, char **ret_error)
{
        json_object *net;
        int r;

        r = validate(np, tree, ret_error);
        if (r <= 0)
                return r;
        net = json_get(tree, "network");
        json_object_object_foreach(net, key, v) {
                const DeviceSection *s = device_section_find(key);

                if (!s) {
                        r = merge_value(np->globals, key, v);
                        if (r < 0)
                                return r;
                        continue;
                }
                json_object_object_foreach(v, id, def) {
                        NetplanDevice *d = device_find(np, id);
                        size_t nf;

                        if (!d) {
                                r = device_add(np, id, s, &d);
                                if (r < 0)
                                        return r;
                        }
                        r = merge_object(d->def, def);
                        if (r < 0)
                                return r;
                        nf = json_object_array_length(d->files);
                        if ((nf == 0 ||
                             !streq(json_object_get_string(json_object_array_get_idx(d->files, nf - 1)),
                                    file)) &&
                            json_append_str(d->files, file) < 0)
                                return -ENOMEM;
                }
        }
        return 1;
}

/* ---- Key paths ----------------------------------------------------------------------------- */

/* Keys whose children are names the user chose (an SSID, a port, an address), not netplan
 * keywords: their children appear as "*" in key paths. */
static const char *const named_children_keys[] = {
        "access-points", "addresses", "external-ids",  "other-config",
        "passthrough",   "path-cost", "port-priority",
};

static bool has_named_children(const char *key)
{
        for (size_t i = 0; i < ELEMENTSOF(named_children_keys); i++)
                if (streq(named_children_keys[i], key))
                        return true;
        return false;
}

/* Key paths are built in one buffer; the bytes of all paths built are capped, so a hostile
 * file (long keys, deep nesting, many nodes) costs bounded time. */
#define KEY_PATH_BYTES_MAX (16u * 1024u * 1024u)

typedef struct KeyWalk {
        json_object *set; /* path -> null */
        char *buf;
        size_t len, alloc;
        size_t *bytes; /* shared by every walk of one netplan_to_json() */
        bool *truncated;
} KeyWalk;

static int keywalk_push(KeyWalk *w, const char *name)
{
        size_t n = strlen(name), need = w->len + 1 + n + 1;

        if (need > w->alloc) {
                size_t na = MAX(need, w->alloc * 2);
                char *b = realloc(w->buf, na);
                if (!b)
                        return -ENOMEM;
                w->buf = b;
                w->alloc = na;
        }
        if (w->len > 0)
                w->buf[w->len++] = '.';
        memcpy(w->buf + w->len, name, n + 1);
        w->len += n;
        return 0;
}

/* Adds the current path. Returns 1 when added, 0 when the cap is reached, -ENOMEM. */
static int keywalk_add(KeyWalk *w)
{
        if (w->len > KEY_PATH_BYTES_MAX - *w->bytes) {
                *w->truncated = true;
                return 0;
        }
        *w->bytes += w->len;
        if (json_object_object_get_ex(w->set, w->buf, NULL))
                return 1;
        return json_object_object_add(w->set, w->buf, NULL) < 0 ? -ENOMEM : 1;
}

static int keywalk(KeyWalk *w, json_object *node, bool named);

/* Walks node below the current path + "." + name, adding that path first when add is set; the current
 * path is restored afterwards. Once the cap is reached (truncated), nothing more is added. */
static int keywalk_below(KeyWalk *w, const char *name, bool add, json_object *node, bool named)
{
        size_t saved = w->len;
        int r;

        r = keywalk_push(w, name);
        if (r < 0)
                return r;
        if (add)
                r = keywalk_add(w);
        if (r >= 0)
                r = keywalk(w, node, named);
        w->len = saved;
        w->buf[saved] = 0;
        return r < 0 ? r : 0;
}

static int keywalk(KeyWalk *w, json_object *node, bool named)
{
        int r;

        if (json_object_is_type(node, json_type_array)) {
                size_t n = json_object_array_length(node);
                for (size_t i = 0; i < n && !*w->truncated; i++) {
                        r = keywalk(w, json_object_array_get_idx(node, i), named);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (!json_object_is_type(node, json_type_object))
                return 0;
        json_object_object_foreach(node, k, v) {
                if (*w->truncated)
                        break;
                r = keywalk_below(w, named ? "*" : k, /* add= */ true, v, !named && has_named_children(k));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cmp_strp(const void *a, const void *b)
{
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The set's keys as a sorted JSON array. */
static int keyset_to_array(json_object *set, json_object **ret)
{
        _cleanup_json_ json_object *arr = json_object_new_array();
        _cleanup_free_ const char **keys = NULL;
        size_t n = 0;

        if (!arr)
                return -ENOMEM;
        keys = calloc((size_t) json_object_object_length(set) + 1, sizeof(char *));
        if (!keys)
                return -ENOMEM;
        json_object_object_foreach(set, k, v) {
                (void) v;
                keys[n++] = k;
        }
        qsort(keys, n, sizeof(char *), cmp_strp);
        for (size_t i = 0; i < n; i++)
                if (json_append_str(arr, keys[i]) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(arr);
        return 0;
}

/* ---- JSON description ---------------------------------------------------------------------- */

static const char *def_str(json_object *o, const char *key)
{
        json_object *v = json_get(o, key);
        return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool parse_uint(const char *s, int64_t *ret)
{
        uint64_t v = 0;

        if (isempty(s) || strlen(s) > 18)
                return false;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                v = v * 10 + (uint64_t) (*p - '0');
        }
        *ret = (int64_t) v;
        return true;
}

static int add_string(json_object *out, const char *name, json_object *def, const char *key)
{
        return json_add_str(out, name, def_str(def, key));
}

static int add_bool(json_object *out, const char *name, json_object *def, const char *key)
{
        int b = netplan_parse_bool(def_str(def, key));
        return b < 0 ? json_add(out, name, NULL) : json_add_bool(out, name, b);
}

static int add_uint(json_object *out, const char *name, json_object *def, const char *key)
{
        int64_t v;
        return parse_uint(def_str(def, key), &v) ? json_add_int(out, name, v) : json_add(out, name, NULL);
}

/* Sets out[name] to a new object, to describe the mapping def[key] in, and returns 1 with both; when
 * def[key] is not a mapping, sets out[name] to null and returns 0. Or -ENOMEM. */
static int add_mapping(json_object *out, const char *name, json_object *def, const char *key,
                       json_object **ret_from, json_object **ret_to)
{
        json_object *from = json_get(def, key), *to;

        if (!json_object_is_type(from, json_type_object))
                return json_add(out, name, NULL);
        to = json_get_or_add_object(out, name);
        if (!to)
                return -ENOMEM;
        *ret_from = from;
        *ret_to = to;
        return 1;
}

/* A sequence of scalars as an array of strings. Items that are mappings (an address with
 * options: "- 10.0.0.5/24: {label: x}") contribute their key. Anything else: an empty array. */
static int add_string_list(json_object *out, const char *name, json_object *def, const char *key)
{
        json_object *seq = json_get(def, key), *arr = json_get_or_add_array(out, name);
        size_t n;

        if (!arr)
                return -ENOMEM;
        if (!json_object_is_type(seq, json_type_array))
                return 0;
        n = json_object_array_length(seq);
        for (size_t i = 0; i < n; i++) {
                json_object *item = json_object_array_get_idx(seq, i);

                if (json_object_is_type(item, json_type_string)) {
                        if (json_append_str(arr, json_object_get_string(item)) < 0)
                                return -ENOMEM;
                } else if (json_object_is_type(item, json_type_object)) {
                        json_object_object_foreach(item, k, v) {
                                (void) v;
                                if (json_append_str(arr, k) < 0)
                                        return -ENOMEM;
                                break;
                        }
                }
        }
        return 0;
}

static int add_match(json_object *out, json_object *def)
{
        json_object *m, *o, *drv;
        int r;

        r = add_mapping(out, "match", def, "match", &m, &o);
        if (r <= 0)
                return r;
        if (add_string(o, "macaddress", m, "macaddress") < 0 || add_string(o, "name", m, "name") < 0)
                return -ENOMEM;
        /* driver: one name, or (netplan >= 0.104) a list of names. */
        drv = json_get(m, "driver");
        if (json_object_is_type(drv, json_type_array)) {
                r = add_string_list(o, "driver", m, "driver");
                return r;
        }
        return add_string(o, "driver", m, "driver");
}

/* dhcp4-overrides and dhcp6-overrides: every key present, '-' written as '_'; route-metric as a
 * number, hostname as a string, the other (boolean) keys as booleans when they parse. */
static int add_overrides(json_object *out, const char *name, json_object *def, const char *key)
{
        json_object *ov, *o;
        int r;

        r = add_mapping(out, name, def, key, &ov, &o);
        if (r <= 0)
                return r;
        json_object_object_foreach(ov, k, v) {
                _cleanup_free_ char *nk = strdup(k);
                const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
                int64_t n;
                int b;

                if (!nk)
                        return -ENOMEM;
                for (char *p = nk; *p; p++)
                        if (*p == '-')
                                *p = '_';
                if (!s) {
                        json_object *copy;
                        r = deep_copy(v, &copy);
                        if (r < 0 || (r = json_add(o, nk, copy)) < 0)
                                return r;
                        continue;
                }
                b = netplan_parse_bool(s);
                if (streq(k, "route-metric") && parse_uint(s, &n))
                        r = json_add_int(o, nk, n);
                else if (!streq(k, "hostname") && b >= 0)
                        r = json_add_bool(o, nk, b);
                else
                        r = json_add_str(o, nk, s);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_routes(json_object *out, json_object *def)
{
        json_object *seq = json_get(def, "routes"), *arr = json_get_or_add_array(out, "routes");
        size_t n;

        if (!arr)
                return -ENOMEM;
        if (!json_object_is_type(seq, json_type_array))
                return 0;
        n = json_object_array_length(seq);
        for (size_t i = 0; i < n; i++) {
                json_object *r = json_object_array_get_idx(seq, i), *o;

                if (!json_object_is_type(r, json_type_object))
                        continue;
                o = json_object_new_object();
                if (!o || json_append(arr, o) < 0)
                        return -ENOMEM;
                if (add_string(o, "to", r, "to") < 0 || add_string(o, "via", r, "via") < 0 ||
                    add_uint(o, "metric", r, "metric") < 0 || add_uint(o, "table", r, "table") < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int add_nameservers(json_object *out, json_object *def)
{
        json_object *ns, *o;
        int r;

        r = add_mapping(out, "nameservers", def, "nameservers", &ns, &o);
        if (r <= 0)
                return r;
        if (add_string_list(o, "addresses", ns, "addresses") < 0 ||
            add_string_list(o, "search", ns, "search") < 0)
                return -ENOMEM;
        return 0;
}

/* One device:
 *   id, kind ("ethernet", "bond", "bridge", "vlan", "wifi", "tunnel", "modem", "vrf",
 *     "dummy-device", "virtual-ethernet", "nm-device"), file (the first file defining it),
 *   files[] (every file defining or amending it), renderer (string|null),
 *   match {macaddress, name: string|null, driver: string|[string]|null} | null, set_name,
 *   dhcp4, dhcp6 (bool|null), dhcp4_overrides, dhcp6_overrides (object|null: every key present,
 *     '-' written '_'), addresses[] (strings), gateway4, gateway6 (string|null),
 *   routes[] {to, via: string|null, metric, table: integer|null},
 *   nameservers {addresses[], search[]} | null, mtu (integer|null), optional (bool|null),
 *   interfaces[] (members of a bond, bridge or vrf), link (string|null), vlan_id (integer|null),
 *   keys[] (the key paths of the definition, sorted).
 * Values netplan would reject (dhcp4: maybe, mtu: big) are null. */
static int device_to_json(const NetplanDevice *d, KeyWalk *global, size_t *bytes, bool *truncated,
                          json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object(), *set = json_object_new_object(),
                                   *keys = NULL;
        json_object *def = d->def, *files;
        KeyWalk w = { .set = set, .bytes = bytes, .truncated = truncated };
        size_t saved = global->len;
        int r;

        if (!o || !set)
                return -ENOMEM;
        if (json_add_str(o, "id", d->id) < 0 || json_add_str(o, "kind", d->section->kind) < 0 ||
            json_add_str(o, "file", json_object_get_string(json_object_array_get_idx(d->files, 0))) < 0)
                return -ENOMEM;
        files = json_object_get(d->files);
        if (json_add(o, "files", files) < 0 || add_string(o, "renderer", def, "renderer") < 0)
                return -ENOMEM;
        if (add_match(o, def) < 0 || add_string(o, "set_name", def, "set-name") < 0 ||
            add_bool(o, "dhcp4", def, "dhcp4") < 0 || add_bool(o, "dhcp6", def, "dhcp6") < 0 ||
            add_overrides(o, "dhcp4_overrides", def, "dhcp4-overrides") < 0 ||
            add_overrides(o, "dhcp6_overrides", def, "dhcp6-overrides") < 0 ||
            add_string_list(o, "addresses", def, "addresses") < 0 ||
            add_string(o, "gateway4", def, "gateway4") < 0 ||
            add_string(o, "gateway6", def, "gateway6") < 0 || add_routes(o, def) < 0 ||
            add_nameservers(o, def) < 0 || add_uint(o, "mtu", def, "mtu") < 0 ||
            add_bool(o, "optional", def, "optional") < 0 ||
            add_string_list(o, "interfaces", def, "interfaces") < 0 ||
            add_string(o, "link", def, "link") < 0 || add_uint(o, "vlan_id", def, "id") < 0)
                return -ENOMEM;

        r = keywalk(&w, def, false);
        free(w.buf);
        if (r < 0)
                return r;
        r = keyset_to_array(set, &keys);
        if (r < 0)
                return r;
        if (json_add(o, "keys", TAKE_PTR(keys)) < 0)
                return -ENOMEM;

        /* The inventory-wide paths: network.<section>, and network.<section>.*.<key> below it. */
        r = keywalk_push(global, d->section->section);
        if (r < 0)
                return r;
        r = keywalk_add(global);
        if (r >= 0)
                r = keywalk_below(global, "*", /* add= */ false, def, false);
        global->len = saved;
        global->buf[saved] = 0;
        if (r < 0)
                return r;

        *ret = TAKE_PTR(o);
        return 0;
}

static int cmp_device(const void *a, const void *b)
{
        return strcmp((*(const NetplanDevice *const *) a)->id, (*(const NetplanDevice *const *) b)->id);
}

int netplan_to_json(Netplan *np, json_object *obj)
{
        _cleanup_json_ json_object *set = json_object_new_object(), *keys = NULL;
        _cleanup_free_ const NetplanDevice **sorted = NULL;
        json_object *ifs;
        bool truncated = false;
        size_t bytes = 0;
        KeyWalk g = { .set = set, .bytes = &bytes, .truncated = &truncated };
        int64_t version;
        int r;

        if (!set)
                return -ENOMEM;
        if (json_add_str(obj, "renderer", def_str(np->globals, "renderer")) < 0)
                return -ENOMEM;
        r = parse_uint(def_str(np->globals, "version"), &version) ? json_add_int(obj, "version", version)
                                                                  : json_add(obj, "version", NULL);
        if (r < 0)
                return r;

        ifs = json_get_or_add_array(obj, "interfaces");
        if (!ifs)
                return -ENOMEM;
        sorted = calloc(np->n_devices + 1, sizeof(NetplanDevice *));
        if (!sorted)
                return -ENOMEM;
        for (size_t i = 0; i < np->n_devices; i++)
                sorted[i] = &np->devices[i];
        qsort(sorted, np->n_devices, sizeof(NetplanDevice *), cmp_device);

        if (np->n_devices > 0 || json_object_object_length(np->globals) > 0) {
                r = keywalk_push(&g, "network");
                if (r >= 0)
                        r = keywalk_add(&g);
                if (r >= 0)
                        r = keywalk(&g, np->globals, false);
                if (r < 0)
                        goto finish;
        }
        for (size_t i = 0; i < np->n_devices; i++) {
                json_object *o;

                r = device_to_json(sorted[i], &g, &bytes, &truncated, &o);
                if (r < 0)
                        goto finish;
                r = json_append(ifs, o);
                if (r < 0)
                        goto finish;
        }
        r = keyset_to_array(set, &keys);
        if (r < 0)
                goto finish;
        if (json_add(obj, "keys", TAKE_PTR(keys)) < 0 || json_add_bool(obj, "keys_truncated", truncated) < 0)
                r = -ENOMEM;
finish:
        free(g.buf);
        return r < 0 ? r : 0;
}
