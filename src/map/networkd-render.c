/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "networkd-render.h"
#include "rule-expr.h"

#define AKS_UBUNTU_METRIC_BASE 100  /* AgentBaker configureSecondaryNICs, isUbuntu */
#define AKS_AZL_METRIC_BASE    2000 /* AgentBaker configureSecondaryNICs, Azure Linux / Mariner */
#define VALUE_MAX              255

/* Device keys (relative, as in interfaces[].keys) whose values the inventory keeps. */
static const char *const renderable_keys[] = {
        "addresses",
        "addresses.*",
        "dhcp4",
        "dhcp4-overrides",
        "dhcp4-overrides.hostname",
        "dhcp4-overrides.route-metric",
        "dhcp4-overrides.send-hostname",
        "dhcp4-overrides.use-dns",
        "dhcp4-overrides.use-domains",
        "dhcp4-overrides.use-hostname",
        "dhcp4-overrides.use-mtu",
        "dhcp4-overrides.use-ntp",
        "dhcp4-overrides.use-routes",
        "dhcp6",
        "dhcp6-overrides",
        "dhcp6-overrides.hostname",
        "dhcp6-overrides.route-metric",
        "dhcp6-overrides.send-hostname",
        "dhcp6-overrides.use-dns",
        "dhcp6-overrides.use-domains",
        "dhcp6-overrides.use-hostname",
        "dhcp6-overrides.use-mtu",
        "dhcp6-overrides.use-ntp",
        "dhcp6-overrides.use-routes",
        "gateway4",
        "gateway6",
        "match",
        "match.driver",
        "match.macaddress",
        "match.name",
        "mtu",
        "nameservers",
        "nameservers.addresses",
        "nameservers.search",
        "optional",
        "renderer",
        "routes",
        "routes.metric",
        "routes.table",
        "routes.to",
        "routes.via",
        "set-name",
};

/* dhcpN-overrides keys (as the inventory writes them, '-' as '_') -> networkd setting. */
static const struct {
        const char *key;
        const char *setting;
} override_settings[] = {
        { "hostname", "Hostname" }, { "route_metric", "RouteMetric" }, { "send_hostname", "SendHostname" },
        { "use_dns", "UseDNS" },    { "use_domains", "UseDomains" },   { "use_hostname", "UseHostname" },
        { "use_mtu", "UseMTU" },    { "use_ntp", "UseNTP" },           { "use_routes", "UseRoutes" },
};

bool networkd_key_renderable(const char *kind, const char *key)
{
        if (!streq_ptr(kind, "ethernet") || !key)
                return false;
        return string_table_lookup(renderable_keys, ELEMENTSOF(renderable_keys), key) >= 0;
}

bool networkd_global_key_renderable(const char *path)
{
        static const char *const globals[] = { "network", "network.ethernets", "network.renderer",
                                               "network.version" };
        const char *rest;

        if (!path)
                return false;
        if (string_table_lookup(globals, ELEMENTSOF(globals), path) >= 0)
                return true;
        rest = startswith(path, "network.ethernets.*.");
        return rest && networkd_key_renderable("ethernet", rest);
}

/* ---- Value checks: only what networkd accepts in each place is written ----------------------- */

static bool chars_ok(const char *s, const char *allowed_extra, bool alnum)
{
        size_t n;

        if (isempty(s))
                return false;
        n = strlen(s);
        if (n > VALUE_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                bool an = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

                if (!(alnum && an) &&
                    !(!alnum &&
                      ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) &&
                    !strchr(allowed_extra, c))
                        return false;
        }
        return true;
}

static bool valid_mac(const char *s)
{
        /* "00:0d:3a:4b:5c:6d", or 20 bytes for InfiniBand: hex pairs separated by ':'. */
        size_t n = s ? strlen(s) : 0;

        if ((n != 17 && n != 59) || !chars_ok(s, ":", false))
                return false;
        for (size_t i = 2; i < n; i += 3)
                if (s[i] != ':')
                        return false;
        return true;
}

static bool valid_name(const char *s)
{
        return chars_ok(s, "_.:-*?[]!", true);
}

static bool valid_address(const char *s)
{
        /* IPv4/IPv6 with optional prefix length. */
        return chars_ok(s, ":./", false) && strlen(s) <= 50;
}

static bool valid_domain(const char *s)
{
        return chars_ok(s, ".-_~", true);
}

static bool valid_file_id(const char *s)
{
        return chars_ok(s, "_.-", true) && s[0] != '.' && strlen(s) <= 64;
}

static bool printable(const char *s)
{
        for (const unsigned char *p = (const unsigned char *) s; p && *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return s != NULL;
}

/* ---- Rendering ------------------------------------------------------------------------------ */

typedef struct Text {
        char *buf;
        size_t size;
        FILE *f;
} Text;

static void text_done(Text *t)
{
        if (t->f)
                fclose(t->f);
        free(t->buf);
        *t = (Text){};
}

static int text_open(Text *t)
{
        t->f = open_memstream(&t->buf, &t->size);
        return t->f ? 0 : -ENOMEM;
}

static int text_close(Text *t, char **ret)
{
        int r = fclose(t->f);

        t->f = NULL;
        if (r != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(t->buf);
        return 0;
}

/* A JSON integer in [0, max], as netplan allows for mtu, metric and table. */
static bool uint_ok(json_object *v, int64_t max)
{
        return json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0 &&
               json_object_get_int64(v) <= max;
}

/* Says why a device is not rendered. Returns 0 ("not rendered") or -ENOMEM. */
_printf_(2, 3) static int fail(char **ret_reason, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(ret_reason, fmt, ap);
        va_end(ap);
        return r < 0 ? -ENOMEM : 0;
}

/* The AKS secondary NIC index N when dev is "secondary-nic-N" of /etc/netplan/60-secondary-nic-N.yaml, else
 * -1. */
static int aks_secondary_index(json_object *dev)
{
        const char *id = json_get_str(dev, "id"), *num = startswith(strempty(id), "secondary-nic-");
        json_object *files = json_get(dev, "files");
        char want[64];
        long n;

        if (!num || !chars_ok(num, "", false) || strlen(num) > 3 || (num[0] == '0' && num[1]))
                return -1;
        n = strtol(num, NULL, 10);
        snprintf(want, sizeof(want), "60-secondary-nic-%ld.yaml", n);
        for (size_t i = 0; i < json_array_len(files); i++)
                if (streq(path_basename(strempty(rule_string(json_object_array_get_idx(files, i)))), want))
                        return (int) n;
        return -1;
}

static int write_overrides(FILE *f, const char *section, json_object *ov, int aks_index, bool v4,
                           char **ret_reason)
{
        if (ov && !json_object_is_type(ov, json_type_object))
                return fail(ret_reason, "%s", "dhcp overrides that are not a mapping");
        if (!ov && aks_index < 0)
                return 1;
        fprintf(f, "\n[%s]\n", section);
        for (size_t i = 0; i < ELEMENTSOF(override_settings); i++) {
                json_object *v = json_get(ov, override_settings[i].key);
                const char *setting = override_settings[i].setting;

                if (aks_index >= 0) {
                        /* The Azure Linux conventions replace what Ubuntu's file said. */
                        if (streq(setting, "RouteMetric")) {
                                fprintf(f, "RouteMetric=%d\n", AKS_AZL_METRIC_BASE + aks_index * 100);
                                continue;
                        }
                        if (streq(setting, "UseDNS") || streq(setting, "UseDomains"))
                                continue;
                }
                if (!v)
                        continue;
                if (json_object_is_type(v, json_type_boolean))
                        fprintf(f, "%s=%s\n", setting, json_object_get_boolean(v) ? "true" : "false");
                else if (streq(setting, "RouteMetric") && uint_ok(v, UINT32_MAX))
                        fprintf(f, "RouteMetric=%" PRId64 "\n", json_object_get_int64(v));
                else if (json_object_is_type(v, json_type_string) && streq(setting, "UseDomains") &&
                         streq(json_object_get_string(v), "route"))
                        fprintf(f, "UseDomains=route\n");
                else if (json_object_is_type(v, json_type_string) && streq(setting, "Hostname") &&
                         valid_domain(json_object_get_string(v)))
                        fprintf(f, "Hostname=%s\n", json_object_get_string(v));
                else
                        return fail(ret_reason, "dhcp overrides: the value of %s cannot be written",
                                    setting);
        }
        if (ov) {
                json_object_object_foreach(ov, k, v) {
                        bool known = false;
                        (void) v;
                        for (size_t i = 0; i < ELEMENTSOF(override_settings); i++)
                                known = known || streq(k, override_settings[i].key);
                        if (!known)
                                return fail(ret_reason, "dhcp override '%s' has no networkd rendering",
                                            printable(k) ? k : "?");
                }
        }
        if (aks_index >= 0) {
                fputs("UseDNS=false\nUseDomains=false\n", f);
                if (v4)
                        fputs("SendRelease=false\n", f);
        }
        return 1;
}

static int write_match(FILE *f, json_object *dev, bool link, char **ret_reason)
{
        json_object *m = json_get(dev, "match"), *drv;

        if (m && !json_object_is_type(m, json_type_object))
                return fail(ret_reason, "%s", "a match that is not a mapping");
        const char *mac = json_get_str(m, "macaddress"), *name = json_get_str(m, "name");

        fputs("[Match]\n", f);
        if (!m) {
                const char *id = json_get_str(dev, "id");
                if (!valid_name(id))
                        return fail(ret_reason, "device id '%s' is not an interface name networkd accepts",
                                    printable(id) ? id : "?");
                fprintf(f, "%s=%s\n", link ? "OriginalName" : "Name", id);
                return 1;
        }
        if (mac) {
                if (!valid_mac(mac))
                        return fail(ret_reason, "match.macaddress '%s' is not a MAC address",
                                    printable(mac) ? mac : "?");
                fprintf(f, "MACAddress=%s\n", mac);
        }
        if (name) {
                if (!valid_name(name))
                        return fail(ret_reason, "match.name '%s' is not a name networkd accepts",
                                    printable(name) ? name : "?");
                fprintf(f, "%s=%s\n", link ? "OriginalName" : "Name", name);
        }
        drv = json_get(m, "driver");
        if (json_object_is_type(drv, json_type_string) || json_object_is_type(drv, json_type_array)) {
                size_t n = json_object_is_type(drv, json_type_array) ? json_array_len(drv) : 1;

                fputs("Driver=", f);
                for (size_t i = 0; i < n; i++) {
                        json_object *d = json_object_is_type(drv, json_type_array)
                                                 ? json_object_array_get_idx(drv, i)
                                                 : drv;
                        const char *s = json_object_get_string(d);
                        if (!json_object_is_type(d, json_type_string) || !valid_name(s))
                                return fail(ret_reason, "match.driver '%s' is not a driver name",
                                            printable(s) ? s : "?");
                        fprintf(f, "%s%s", i > 0 ? " " : "", s);
                }
                fputc('\n', f);
        }
        if (!mac && !name && !drv)
                return fail(ret_reason, "%s", "an empty match: matches every device");
        return 1;
}

static int write_string_list(FILE *f, const char *setting, json_object *arr, bool (*valid)(const char *),
                             char **ret_reason)
{
        for (size_t i = 0; i < json_array_len(arr); i++) {
                const char *s = rule_string(json_object_array_get_idx(arr, i));
                if (!valid(s))
                        return fail(ret_reason, "'%s' cannot be written as a networkd value",
                                    printable(s) ? s : "?");
                fprintf(f, "%s=%s\n", setting, s);
        }
        return 1;
}

static int write_network(FILE *f, json_object *dev, int aks_index, char **ret_reason)
{
        json_object *d4 = json_get(dev, "dhcp4"), *d6 = json_get(dev, "dhcp6"),
                    *ns = json_get(dev, "nameservers");
        bool dhcp4 = json_object_get_boolean(d4), dhcp6 = json_object_get_boolean(d6);
        json_object *mtu = json_get(dev, "mtu"), *routes = json_get(dev, "routes");
        const char *gw[2] = { json_get_str(dev, "gateway4"), json_get_str(dev, "gateway6") };
        int r;

        if (mtu && !uint_ok(mtu, 65535))
                return fail(ret_reason, "%s", "an mtu that is not a number");
        if (mtu || json_object_get_boolean(json_get(dev, "optional"))) {
                fputs("\n[Link]\n", f);
                if (mtu)
                        fprintf(f, "MTUBytes=%" PRId64 "\n", json_object_get_int64(mtu));
                if (json_object_get_boolean(json_get(dev, "optional")))
                        fputs("RequiredForOnline=no\n", f);
        }
        fputs("\n[Network]\n", f);
        if (dhcp4 || dhcp6)
                fprintf(f, "DHCP=%s\n", dhcp4 && dhcp6 ? "yes" : dhcp4 ? "ipv4" : "ipv6");
        if (dhcp6)
                fputs("IPv6AcceptRA=yes\n", f);
        r = write_string_list(f, "Address", json_get(dev, "addresses"), valid_address, ret_reason);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < 2; i++)
                if (gw[i]) {
                        if (!valid_address(gw[i]))
                                return fail(ret_reason, "gateway '%s' is not an address",
                                            printable(gw[i]) ? gw[i] : "?");
                        fprintf(f, "Gateway=%s\n", gw[i]);
                }
        r = write_string_list(f, "DNS", json_get(ns, "addresses"), valid_address, ret_reason);
        if (r <= 0)
                return r;
        if (json_array_len(json_get(ns, "search")) > 0) {
                json_object *search = json_get(ns, "search");
                fputs("Domains=", f);
                for (size_t i = 0; i < json_array_len(search); i++) {
                        const char *s = rule_string(json_object_array_get_idx(search, i));
                        if (!valid_domain(s))
                                return fail(ret_reason, "search domain '%s' cannot be written",
                                            printable(s) ? s : "?");
                        fprintf(f, "%s%s", i > 0 ? " " : "", s);
                }
                fputc('\n', f);
        }
        if (dhcp4) {
                r = write_overrides(f, "DHCPv4", json_get(dev, "dhcp4_overrides"), aks_index, true,
                                    ret_reason);
                if (r <= 0)
                        return r;
        }
        if (dhcp6) {
                r = write_overrides(f, "DHCPv6", json_get(dev, "dhcp6_overrides"), aks_index, false,
                                    ret_reason);
                if (r <= 0)
                        return r;
        }
        for (size_t i = 0; i < json_array_len(routes); i++) {
                json_object *rt = json_object_array_get_idx(routes, i);
                const char *to = json_get_str(rt, "to"), *via = json_get_str(rt, "via");
                json_object *metric = json_get(rt, "metric"), *table = json_get(rt, "table");

                fputs("\n[Route]\n", f);
                if (to && !streq(to, "default") && !streq(to, "0.0.0.0/0") && !streq(to, "::/0")) {
                        if (!valid_address(to))
                                return fail(ret_reason, "route destination '%s' is not an address",
                                            printable(to) ? to : "?");
                        fprintf(f, "Destination=%s\n", to);
                } else if (!to)
                        return fail(ret_reason, "%s", "a route without 'to'");
                if (via) {
                        if (!valid_address(via))
                                return fail(ret_reason, "route gateway '%s' is not an address",
                                            printable(via) ? via : "?");
                        fprintf(f, "Gateway=%s\n", via);
                }
                if ((metric && !uint_ok(metric, UINT32_MAX)) || (table && !uint_ok(table, UINT32_MAX)))
                        return fail(ret_reason, "%s", "a route metric or table that is not a number");
                if (metric)
                        fprintf(f, "Metric=%" PRId64 "\n", json_object_get_int64(metric));
                if (table)
                        fprintf(f, "Table=%" PRId64 "\n", json_object_get_int64(table));
        }
        return 1;
}

static int add_file(json_object *files, const char *target, char *content, const char *note)
{
        json_object *o = json_object_new_object();

        if (!o || json_append(files, o) < 0 || json_add_str(o, "target", target) < 0 ||
            json_add(o, "content", json_object_new_string(content)) < 0 || json_add_str(o, "note", note) < 0)
                return -ENOMEM;
        return 0;
}

int networkd_render_device(json_object *dev, json_object **ret_files, char **ret_reason)
{
        _cleanup_json_ json_object *files = NULL;
        _cleanup_free_ char *network = NULL, *link = NULL, *target = NULL, *note = NULL;
        const char *id = json_get_str(dev, "id"), *kind = json_get_str(dev, "kind"),
                   *file = json_get_str(dev, "file"), *set_name = json_get_str(dev, "set_name");
        json_object *keys = json_get(dev, "keys");
        Text t = {};
        int aks_index, r;

        if (!streq_ptr(kind, "ethernet"))
                return fail(ret_reason, "%s devices are not rendered (they need .netdev files)",
                            printable(kind) ? kind : "unknown");
        if (streq_ptr(json_get_str(dev, "renderer"), "NetworkManager"))
                return fail(ret_reason, "%s", "the device is managed by NetworkManager");
        if (!valid_file_id(id))
                return fail(ret_reason, "device id '%s' cannot name a file", printable(id) ? id : "?");
        for (size_t i = 0; i < json_array_len(keys); i++) {
                const char *k = rule_string(json_object_array_get_idx(keys, i));
                if (!networkd_key_renderable(kind, k))
                        return fail(ret_reason, "key '%s' has no networkd rendering",
                                    printable(k) ? k : "?");
        }
        aks_index = aks_secondary_index(dev);

        r = text_open(&t);
        if (r < 0)
                return r;
        fprintf(t.f, "# Rendered by azlmigrate from the netplan definition \"%s\"%s%s.\n", id,
                printable(file) ? " in " : "", printable(file) ? file : "");
        r = write_match(t.f, dev, false, ret_reason);
        if (r > 0)
                r = write_network(t.f, dev, aks_index, ret_reason);
        if (r <= 0) {
                text_done(&t);
                return r;
        }
        r = text_close(&t, &network);
        if (r < 0)
                return r;

        if (aks_index >= 0) {
                r = asprintf(&target, "/etc/systemd/network/10-secondary-nic-%d.network", aks_index);
                if (r >= 0)
                        r = asprintf(
                                &note,
                                "AKS secondary NIC %d: Azure Linux conventions (route metric %d instead of "
                                "Ubuntu's %d, UseDNS=false, UseDomains=false, SendRelease=false)",
                                aks_index, AKS_AZL_METRIC_BASE + aks_index * 100,
                                AKS_UBUNTU_METRIC_BASE + aks_index * 100);
        } else {
                r = asprintf(&target, "/etc/systemd/network/10-azlmigrate-%s.network", id);
                if (r >= 0)
                        r = asprintf(&note, "netplan device \"%s\" as a systemd-networkd .network file", id);
        }
        if (r < 0)
                return -ENOMEM;
        files = json_object_new_array();
        if (!files || add_file(files, target, network, note) < 0)
                return -ENOMEM;

        if (set_name && json_get(dev, "match")) {
                if (!valid_name(set_name) || strpbrk(set_name, "*?[]!"))
                        return fail(ret_reason, "set-name '%s' is not an interface name",
                                    printable(set_name) ? set_name : "?");
                r = text_open(&t);
                if (r < 0)
                        return r;
                fprintf(t.f, "# Rendered by azlmigrate from the netplan definition \"%s\" (set-name).\n",
                        id);
                r = write_match(t.f, dev, true, ret_reason);
                if (r > 0)
                        fprintf(t.f, "\n[Link]\nName=%s\n", set_name);
                if (r <= 0) {
                        text_done(&t);
                        return r;
                }
                r = text_close(&t, &link);
                if (r < 0)
                        return r;
                free(target);
                target = NULL;
                if (asprintf(&target, "/etc/systemd/network/10-azlmigrate-%s.link", id) < 0 ||
                    add_file(files, target, link, "set-name as a systemd .link file") < 0)
                        return -ENOMEM;
        }
        *ret_files = TAKE_PTR(files);
        return 1;
}
