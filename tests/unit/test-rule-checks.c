/* SPDX-License-Identifier: MIT */
/* Unit tests for the named checks of the rule engine (src/map/checks.c) and the systemd-networkd
 * rendering of netplan devices (src/map/networkd-render.c), on the shipped tables (plans/) and on
 * broken tables made here. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map/checks.h"
#include "map/networkd-render.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "json-fixture.h"
#include "tests.h"

/* Runs a check on an inventory (JSON text) against the shipped tables. */
static json_object *run(const char *to, const char *inventory, const char *name, const char *args)
{
        _cleanup_json_ json_object *inv = json_parse_ok(inventory), *a = args ? json_parse_ok(args) : NULL;
        _cleanup_(check_cache_freep) CheckCache *cache = NULL;
        _cleanup_free_ char *err = NULL;
        CheckContext ctx = { .plans_dir = tests_plans_dir(), .to = to, .inventory = inv };
        json_object *m = NULL;
        int r;

        ASSERT_OK(check_cache_new(&cache));
        ctx.cache = cache;
        r = checks_validate(name, a, &err);
        if (r < 0)
                FAIL("check %s does not validate: %s", name, strempty(err));
        r = checks_run(&ctx, name, NULL, a, &m, &err);
        if (r < 0)
                FAIL("check %s failed: %s (%s)", name, strerror(-r), strempty(err));
        return m;
}

static void test_version_compare(void)
{
        ASSERT_TRUE(checks_version_compare("1.0.1", "0.104") > 0);
        ASSERT_TRUE(checks_version_compare("0.95", "0.104") < 0);
        ASSERT_TRUE(checks_version_compare("0.95", "0.98") < 0);
        ASSERT_EQ(checks_version_compare("1.0", "1.0"), 0);
        ASSERT_EQ(checks_version_compare("1.0", "1.0.0"), 0);
        ASSERT_TRUE(checks_version_compare("1.0.1", "1.0") > 0);
        ASSERT_TRUE(checks_version_compare("1.1", "1.0.1") > 0);
        ASSERT_EQ(checks_version_compare("", "0"), 0);
        ASSERT_TRUE(checks_version_compare("0.107.1-0ubuntu1", "0.107") > 0);
        ASSERT_TRUE(checks_version_compare(NULL, "0.1") < 0);
        ASSERT_TRUE(checks_version_compare("99999999999999999999", "1") > 0);
}

/* The netplan keys of the AKS Ubuntu 22.04 image's 50-cloud-init.yaml, as the inventory lists them. */
#define SAMPLE_KEYS                                                                             \
        "\"network\", \"network.ethernets\", \"network.ethernets.*.dhcp4\", "                   \
        "\"network.ethernets.*.dhcp4-overrides\", "                                             \
        "\"network.ethernets.*.dhcp4-overrides.route-metric\", \"network.ethernets.*.dhcp6\", " \
        "\"network.ethernets.*.match\", \"network.ethernets.*.match.driver\", "                 \
        "\"network.ethernets.*.match.macaddress\", \"network.ethernets.*.set-name\", \"network.version\""

static void test_netplan_keys(void)
{
        _cleanup_json_ json_object *m = NULL;
        json_object *x;

        m = run("azurelinux-3.0", "{\"config\": {\"network\": {\"keys\": [" SAMPLE_KEYS "]}}}",
                "netplan-unsupported-keys", NULL);
        ASSERT_EQ(json_object_array_length(m), 0);
        json_object_put(m);
        /* The same keys on Azure Linux 2.0 (netplan 0.95): all known before 0.96. */
        m = run("azurelinux-2.0", "{\"config\": {\"network\": {\"keys\": [" SAMPLE_KEYS "]}}}",
                "netplan-unsupported-keys", NULL);
        ASSERT_EQ(json_object_array_length(m), 0);
        json_object_put(m);

        m = run("azurelinux-3.0",
                "{\"config\": {\"network\": {\"keys\": [\"network.ethernets.*.hairpin\","
                " \"network.ethernets.*.dhcp4-overrides.use-domains\", "
                "\"network.ethernets.*.ipv6-address-generation\","
                " \"network.modems\", \"network.modems.*.apn\", \"network.ethernets.*.bogus\", "
                "\"network.bonds.*.parameters.mode\","
                " \"network.wifis.*.access-points.*.password\", \"network.openvswitch.ports\", "
                "\"network.vrfs\","
                " \"network.ethernets.*.routes.to\", \"network.ethernets.*.addresses.*.label\","
                " \"network.bridges.*.parameters.path-cost.*\", \"network.ethernets.*.set-name\"]}}}",
                "netplan-unsupported-keys", NULL);
        ASSERT_NULL(jfind(m, "resource", "network.ethernets.*.hairpin"));
        ASSERT_NULL(jfind(m, "resource", "network.ethernets.*.dhcp4-overrides.use-domains"));
        ASSERT_NULL(jfind(m, "resource", "network.bonds.*.parameters.mode"));
        ASSERT_NULL(jfind(m, "resource", "network.wifis.*.access-points.*.password"));
        ASSERT_NULL(jfind(m, "resource", "network.vrfs"));
        ASSERT_NULL(jfind(m, "resource", "network.ethernets.*.routes.to"));
        ASSERT_NULL(jfind(m, "resource", "network.ethernets.*.addresses.*.label"));
        ASSERT_NULL(jfind(m, "resource", "network.bridges.*.parameters.path-cost.*"));
        ASSERT_NULL(jfind(m, "resource", "network.ethernets.*.set-name"));
        x = jfind(m, "resource", "network.ethernets.*.ipv6-address-generation");
        ASSERT_STREQ(json_get_str(x, "reason"),
                     "needs NetworkManager, which the target image does not have");
        ASSERT_NOT_NULL(jfind(m, "resource", "network.modems"));
        ASSERT_NOT_NULL(jfind(m, "resource", "network.modems.*.apn"));
        x = jfind(m, "resource", "network.ethernets.*.bogus");
        ASSERT_STREQ(json_get_str(x, "reason"), "not a key of netplan 1.0.1");
        x = jfind(m, "resource", "network.openvswitch.ports");
        ASSERT_STREQ(json_get_str(x, "reason"), "needs openvswitch, which the target image does not have");
        ASSERT_EQ(json_object_array_length(m), 5);
        json_object_put(m);

        m = run("azurelinux-2.0",
                "{\"config\": {\"network\": {\"keys\": [\"network.ethernets.*.hairpin\","
                " \"network.ethernets.*.dhcp4-overrides.use-domains\", \"network.dummy-devices\"]}}}",
                "netplan-unsupported-keys", NULL);
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "network.ethernets.*.hairpin"), "reason"),
                     "added in netplan 1.0; the target has 0.95");
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "network.ethernets.*.dhcp4-overrides.use-domains"),
                                  "reason"),
                     "added in netplan 0.98; the target has 0.95");
        ASSERT_NOT_NULL(jfind(m, "resource", "network.dummy-devices"));
        json_object_put(m);

        /* NetworkManager as the renderer, and a truncated key list, cannot be proven supported. */
        m = run("azurelinux-3.0",
                "{\"config\": {\"network\": {\"renderer\": \"NetworkManager\", \"keys_truncated\": true,"
                " \"keys\": [\"network\", \"network.renderer\"]}}}",
                "netplan-unsupported-keys", NULL);
        ASSERT_NOT_NULL(jfind(m, "resource", "network.renderer"));
        ASSERT_NOT_NULL(jfind(m, "resource", "(more keys than were collected)"));
        json_object_put(m);

        /* Hostile shapes: keys not strings, network not an object. */
        m = run("azurelinux-3.0",
                "{\"config\": {\"network\": {\"keys\": [1, null, {}], \"interfaces\": 7}}}",
                "netplan-unsupported-keys", NULL);
        ASSERT_EQ(json_object_array_length(m), 0);
        json_object_put(m);
        m = run("azurelinux-3.0", "{\"config\": {\"network\": \"x\"}}", "netplan-unsupported-keys", NULL);
        ASSERT_EQ(json_object_array_length(m), 0);
}

/* The eth0 definition of the AKS Ubuntu image's 50-cloud-init.yaml, as the inventory has it. */
static const char sample_eth0[] =
        "{\"id\": \"eth0\", \"kind\": \"ethernet\", \"file\": \"/etc/netplan/50-cloud-init.yaml\","
        " \"files\": [\"/etc/netplan/50-cloud-init.yaml\"], \"renderer\": null,"
        " \"match\": {\"macaddress\": \"00:0d:3a:4b:5c:6d\", \"name\": null, \"driver\": \"hv_netvsc\"},"
        " \"set_name\": \"eth0\", \"dhcp4\": true, \"dhcp6\": false, \"dhcp4_overrides\": "
        "{\"route_metric\": 100},"
        " \"dhcp6_overrides\": null, \"addresses\": [], \"gateway4\": null, \"gateway6\": null, \"routes\": "
        "[],"
        " \"nameservers\": null, \"mtu\": null, \"optional\": null, \"interfaces\": [], \"link\": null, "
        "\"vlan_id\": null,"
        " \"keys\": [\"dhcp4\", \"dhcp4-overrides\", \"dhcp4-overrides.route-metric\", \"dhcp6\", \"match\","
        " \"match.driver\", \"match.macaddress\", \"set-name\"]}";

static void test_render_sample(void)
{
        _cleanup_json_ json_object *dev = json_parse_ok(sample_eth0), *files = NULL;
        _cleanup_free_ char *reason = NULL;

        ASSERT_EQ(networkd_render_device(dev, &files, &reason), 1);
        ASSERT_EQ(json_object_array_length(files), 2);
        ASSERT_STREQ(jstr(files, "0.target"), "/etc/systemd/network/10-azlmigrate-eth0.network");
        ASSERT_STREQ(jstr(files, "0.content"),
                     "# Rendered by azlmigrate from the netplan definition \"eth0\" in "
                     "/etc/netplan/50-cloud-init.yaml.\n"
                     "[Match]\n"
                     "MACAddress=00:0d:3a:4b:5c:6d\n"
                     "Driver=hv_netvsc\n"
                     "\n"
                     "[Network]\n"
                     "DHCP=ipv4\n"
                     "\n"
                     "[DHCPv4]\n"
                     "RouteMetric=100\n");
        ASSERT_STREQ(jstr(files, "1.target"), "/etc/systemd/network/10-azlmigrate-eth0.link");
        ASSERT_STREQ(jstr(files, "1.content"),
                     "# Rendered by azlmigrate from the netplan definition \"eth0\" (set-name).\n"
                     "[Match]\n"
                     "MACAddress=00:0d:3a:4b:5c:6d\n"
                     "Driver=hv_netvsc\n"
                     "\n"
                     "[Link]\n"
                     "Name=eth0\n");
}

static void test_render_aks_secondary(void)
{
        /* What AgentBaker's configureSecondaryNICs writes on Ubuntu for NIC 2 with IPv6:
         * /etc/netplan/60-secondary-nic-2.yaml, metric 100 + 2 * 100, use-dns false. */
        _cleanup_json_ json_object
                *dev = json_parse_ok(
                        "{\"id\": \"secondary-nic-2\", \"kind\": \"ethernet\", \"file\": "
                        "\"/etc/netplan/60-secondary-nic-2.yaml\","
                        " \"files\": [\"/etc/netplan/60-secondary-nic-2.yaml\"],"
                        " \"match\": {\"macaddress\": \"7c:ed:8d:8a:4d:ce\", \"name\": null, "
                        "\"driver\": null},"
                        " \"dhcp4\": true, \"dhcp6\": true, \"dhcp4_overrides\": {\"route_metric\": "
                        "300, \"use_dns\": false},"
                        " \"dhcp6_overrides\": {\"route_metric\": 300, \"use_dns\": false},"
                        " \"keys\": [\"dhcp4\", \"dhcp4-overrides\", \"dhcp4-overrides.route-metric\", "
                        "\"dhcp4-overrides.use-dns\","
                        " \"dhcp6\", \"dhcp6-overrides\", \"dhcp6-overrides.route-metric\", "
                        "\"dhcp6-overrides.use-dns\", \"match\","
                        " \"match.macaddress\"]}"),
                *files = NULL;
        _cleanup_free_ char *reason = NULL;

        ASSERT_EQ(networkd_render_device(dev, &files, &reason), 1);
        ASSERT_EQ(json_object_array_length(files), 1);
        ASSERT_STREQ(jstr(files, "0.target"), "/etc/systemd/network/10-secondary-nic-2.network");
        /* AgentBaker's Azure Linux file for the same NIC, plus our header line. */
        ASSERT_STREQ(jstr(files, "0.content"),
                     "# Rendered by azlmigrate from the netplan definition \"secondary-nic-2\" in "
                     "/etc/netplan/60-secondary-nic-2.yaml.\n"
                     "[Match]\n"
                     "MACAddress=7c:ed:8d:8a:4d:ce\n"
                     "\n"
                     "[Network]\n"
                     "DHCP=yes\n"
                     "IPv6AcceptRA=yes\n"
                     "\n"
                     "[DHCPv4]\n"
                     "RouteMetric=2200\n"
                     "UseDNS=false\n"
                     "UseDomains=false\n"
                     "SendRelease=false\n"
                     "\n"
                     "[DHCPv6]\n"
                     "RouteMetric=2200\n"
                     "UseDNS=false\n"
                     "UseDomains=false\n");
        ASSERT_TRUE(strstr(jstr(files, "0.note"), "route metric 2200 instead of "
                                                  "Ubuntu's 300") != NULL);
}

static void test_render_static(void)
{
        _cleanup_json_ json_object
                *dev = json_parse_ok(
                        "{\"id\": \"ens5\", \"kind\": \"ethernet\", \"file\": "
                        "\"/etc/netplan/01-static.yaml\", \"match\": null,"
                        " \"addresses\": [\"10.0.0.5/24\", \"fd00::5/64\"], \"gateway4\": \"10.0.0.1\","
                        " \"routes\": [{\"to\": \"default\", \"via\": \"10.0.0.1\", \"metric\": 50, "
                        "\"table\": null},"
                        "             {\"to\": \"192.168.0.0/16\", \"via\": \"10.0.0.254\", "
                        "\"metric\": null, \"table\": 100}],"
                        " \"nameservers\": {\"addresses\": [\"168.63.129.16\"], \"search\": "
                        "[\"corp.example\", \"example\"]},"
                        " \"mtu\": 1400, \"optional\": true,"
                        " \"keys\": [\"addresses\", \"gateway4\", \"mtu\", \"nameservers\", "
                        "\"nameservers.addresses\","
                        " \"nameservers.search\", \"optional\", \"routes\", \"routes.metric\", "
                        "\"routes.table\", \"routes.to\","
                        " \"routes.via\"]}"),
                *files = NULL;
        _cleanup_free_ char *reason = NULL;

        ASSERT_EQ(networkd_render_device(dev, &files, &reason), 1);
        ASSERT_EQ(json_object_array_length(files), 1);
        ASSERT_STREQ(jstr(files, "0.content"),
                     "# Rendered by azlmigrate from the netplan definition \"ens5\" in "
                     "/etc/netplan/01-static.yaml.\n"
                     "[Match]\n"
                     "Name=ens5\n"
                     "\n"
                     "[Link]\n"
                     "MTUBytes=1400\n"
                     "RequiredForOnline=no\n"
                     "\n"
                     "[Network]\n"
                     "Address=10.0.0.5/24\n"
                     "Address=fd00::5/64\n"
                     "Gateway=10.0.0.1\n"
                     "DNS=168.63.129.16\n"
                     "Domains=corp.example example\n"
                     "\n"
                     "[Route]\n"
                     "Gateway=10.0.0.1\n"
                     "Metric=50\n"
                     "\n"
                     "[Route]\n"
                     "Destination=192.168.0.0/16\n"
                     "Gateway=10.0.0.254\n"
                     "Table=100\n");
}

static void expect_not_rendered(const char *json, const char *want_reason)
{
        _cleanup_json_ json_object *dev = json_parse_ok(json), *files = NULL;
        _cleanup_free_ char *reason = NULL;

        ASSERT_EQ(networkd_render_device(dev, &files, &reason), 0);
        ASSERT_NULL(files);
        if (!reason || !strstr(reason, want_reason))
                FAIL("reason '%s' does not contain '%s'", strempty(reason), want_reason);
}

static void test_render_hostile(void)
{
        /* Guest strings that would inject lines or paths never reach the output. */
        expect_not_rendered(
                "{\"id\": \"eth0\", \"kind\": \"ethernet\", \"match\": {\"macaddress\": "
                "\"00:0d:3a:4b:5c:6d\\n[Network]\\nDHCP=no\"}, \"keys\": [\"match\", \"match.macaddress\"]}",
                "is not a MAC address");
        expect_not_rendered("{\"id\": \"../../etc/x\", \"kind\": \"ethernet\", \"keys\": []}",
                            "cannot name a file");
        expect_not_rendered(
                "{\"id\": \"eth0\", \"kind\": \"ethernet\", \"addresses\": [\"10.0.0.5/24\\nDNS=1.2.3.4\"],"
                " \"keys\": [\"addresses\"]}",
                "cannot be written as a networkd value");
        expect_not_rendered(
                "{\"id\": \"eth0\", \"kind\": \"ethernet\", \"nameservers\": {\"search\": [\"a b\"]},"
                " \"keys\": [\"nameservers\", \"nameservers.search\"]}",
                "search domain");
        expect_not_rendered(
                "{\"id\": \"eth0\", \"kind\": \"ethernet\", \"mtu\": \"1500\", \"keys\": [\"mtu\"]}",
                "mtu that is not a number");
        expect_not_rendered(
                "{\"id\": \"eth0\", \"kind\": \"ethernet\", \"routes\": [{\"via\": \"10.0.0.1\"}],"
                " \"keys\": [\"routes\", \"routes.via\"]}",
                "a route without 'to'");
        expect_not_rendered(
                "{\"id\": \"eth0\", \"kind\": \"ethernet\", \"dhcp4\": true,"
                " \"dhcp4_overrides\": {\"route_metric\": -5}, \"keys\": [\"dhcp4\", \"dhcp4-overrides\","
                " \"dhcp4-overrides.route-metric\"]}",
                "the value of RouteMetric");
        expect_not_rendered("{\"id\": \"eth0\", \"kind\": \"ethernet\", \"dhcp4\": true,"
                            " \"dhcp4_overrides\": {\"use_captive_portal\": true}, \"keys\": [\"dhcp4\"]}",
                            "dhcp override 'use_captive_portal'");
        expect_not_rendered(
                "{\"id\": \"eth0\", \"kind\": \"ethernet\", \"match\": {}, \"keys\": [\"match\"]}",
                "an empty match");
        expect_not_rendered(
                "{\"id\": \"eth0\", \"kind\": \"ethernet\", \"match\": {\"macaddress\": "
                "\"00:0d:3a:4b:5c:6d\"},"
                " \"set_name\": \"eth*\", \"keys\": [\"match\", \"match.macaddress\", \"set-name\"]}",
                "set-name");
        expect_not_rendered("{\"id\": \"bond0\", \"kind\": \"bond\", \"keys\": []}",
                            "bond devices are not rendered");
        expect_not_rendered("{\"id\": \"eth0\", \"kind\": \"ethernet\", \"keys\": [\"wakeonlan\"]}",
                            "key 'wakeonlan' has no networkd rendering");
        expect_not_rendered(
                "{\"id\": \"eth0\", \"kind\": \"ethernet\", \"renderer\": \"NetworkManager\", \"keys\": []}",
                "NetworkManager");
        expect_not_rendered("{\"id\": \"eth0\", \"kind\": \"ethernet\", \"match\": 5, \"keys\": []}",
                            "not a mapping");
        expect_not_rendered("{\"kind\": \"ethernet\"}", "cannot name a file");
        expect_not_rendered("{}", "unknown devices are not rendered");

        ASSERT_TRUE(networkd_key_renderable("ethernet", "dhcp4-overrides.route-metric"));
        ASSERT_FALSE(networkd_key_renderable("bond", "dhcp4"));
        ASSERT_FALSE(networkd_key_renderable("ethernet", NULL));
        ASSERT_TRUE(networkd_global_key_renderable("network.ethernets.*.match.macaddress"));
        ASSERT_FALSE(networkd_global_key_renderable("network.bonds"));
        ASSERT_FALSE(networkd_global_key_renderable("network.ethernets.*.wakeonlan"));
}

static void test_networkd_checks(void)
{
        _cleanup_json_ json_object *m = NULL;
        _cleanup_free_ char *inv = NULL;

        ASSERT_TRUE(asprintf(&inv,
                             "{\"config\": {\"network\": {\"keys\": [\"network\", \"network.ethernets\","
                             " \"network.ethernets.*.dhcp4\", \"network.ethernets.*.wakeonlan\", "
                             "\"network.bonds\","
                             " \"network.bonds.*.interfaces\"],"
                             " \"interfaces\": [%s, {\"id\": \"eth9\", \"kind\": \"ethernet\", \"match\":"
                             " {\"macaddress\": \"zz\"}, \"keys\": [\"match\", \"match.macaddress\"]}]}}}",
                             sample_eth0) > 0);
        m = run("azurelinux-3.0", inv, "networkd-unrenderable", NULL);
        ASSERT_NOT_NULL(jfind(m, "resource", "network.ethernets.*.wakeonlan"));
        ASSERT_NOT_NULL(jfind(m, "resource", "network.bonds"));
        ASSERT_NOT_NULL(jfind(m, "resource", "network.bonds.*.interfaces"));
        ASSERT_NULL(jfind(m, "resource", "network.ethernets.*.dhcp4"));
        ASSERT_TRUE(strstr(json_get_str(jfind(m, "resource", "device eth9"), "reason"),
                           "not a MAC address") != NULL);
        ASSERT_EQ(json_object_array_length(m), 4);
        json_object_put(m);

        m = run("azurelinux-3.0", inv, "networkd-render", NULL);
        ASSERT_EQ(json_object_array_length(m), 2); /* eth0 .network and .link; eth9 not */
        ASSERT_STREQ(jstr(m, "0.source"), "/etc/netplan/50-cloud-init.yaml");
        ASSERT_STREQ(jstr(m, "0.device"), "eth0");
        ASSERT_NOT_NULL(jfind(m, "resource", "/etc/systemd/network/10-azlmigrate-eth0.link"));
}

static void test_accounts(void)
{
        _cleanup_json_ json_object *m = NULL;
        json_object *x;

        m = run("azurelinux-3.0",
                "{\"config\": {\"users\": [{\"name\": \"azureuser\", \"uid\": 1000, \"gid\": 1000},"
                " {\"name\": \"messagebus\", \"uid\": 1001}, {\"name\": \"odd\", \"uid\": 65534},"
                " {\"name\": \"nouid\"}, {\"uid\": 5}, 7]}}",
                "account-clashes", "{\"items\": \"config.users\", \"kind\": \"user\"}");
        ASSERT_EQ(json_object_array_length(m), 2);
        x = jfind(m, "resource", "user:messagebus");
        ASSERT_STREQ(json_get_str(x, "reason"), "the target's user 'messagebus' has uid 18");
        ASSERT_EQ(json_get_int(x, "target_id", -1), 18);
        ASSERT_EQ(json_get_int(x, "id", -1), 1001);
        x = jfind(m, "resource", "user:odd");
        ASSERT_STREQ(json_get_str(x, "reason"), "uid 65534 is the target's user 'nobody'");
        ASSERT_STREQ(json_get_str(x, "target_name"), "nobody");
        json_object_put(m);

        m = run("azurelinux-3.0",
                "{\"config\": {\"groups\": [{\"name\": \"wheel2\", \"gid\": 28}, {\"name\": \"sudo\", "
                "\"gid\": 1500},"
                " {\"name\": \"sudo2\", \"gid\": 1501}]}}",
                "account-clashes", "{\"items\": \"config.groups\", \"kind\": \"group\"}");
        ASSERT_EQ(json_object_array_length(m), 2);
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "group:wheel2"), "reason"),
                     "gid 28 is the target's group 'wheel'");
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "group:sudo"), "reason"),
                     "the target's group 'sudo' has gid 27");
        json_object_put(m);

        /* Ubuntu system accounts: same (root), shifted (messagebus 103 vs 18), unknown to the target. */
        m = run("azurelinux-3.0",
                "{\"config\": {\"system_accounts\": [{\"name\": \"root\", \"uid\": 0}, {\"name\": "
                "\"messagebus\","
                " \"uid\": 103}, {\"name\": \"_chrony\", \"uid\": 112}]}}",
                "account-clashes", "{\"items\": \"config.system_accounts\", \"kind\": \"user\"}");
        ASSERT_EQ(json_object_array_length(m), 1);
        ASSERT_NOT_NULL(jfind(m, "resource", "user:messagebus"));
        json_object_put(m);
        m = run("azurelinux-3.0",
                "{\"config\": {\"system_accounts\": [{\"name\": \"root\", \"uid\": 0}, {\"name\": "
                "\"messagebus\","
                " \"uid\": 103}, {\"name\": \"_chrony\", \"uid\": 112}, {\"name\": \"big\", \"uid\": "
                "4000}]}}",
                "account-clashes",
                "{\"items\": \"config.system_accounts\", \"kind\": \"user\", \"mode\": \"system-range\"}");
        ASSERT_EQ(json_object_array_length(m), 1);
        ASSERT_NOT_NULL(jfind(m, "resource", "user:_chrony"));
}

static void test_kernel_cmdline(void)
{
        _cleanup_json_ json_object *m = NULL;
        const char *inv =
                "{\"boot\": {\"cmdline\": \"BOOT_IMAGE=/vmlinuz-5.15.0-1102-azure root=UUID=5a3c ro "
                "console=ttyS0 quiet splash lsm=landlock,yama,apparmor fips=1 foo=\\\"a b\\\" "
                "lockdown=integrity\"}}";
        json_object *x;

        m = run("azurelinux-3.0", inv, "kernel-cmdline", "{\"mode\": \"params\"}");
        ASSERT_EQ(json_object_array_length(m), 10);
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "BOOT_IMAGE=/vmlinuz-5.15.0-1102-azure"), "action"),
                     "drop");
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "root=UUID=5a3c"), "action"), "drop");
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "console=ttyS0"), "action"), "carry");
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "splash"), "action"), "drop");
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "lsm=landlock,yama,apparmor"), "action"), "flag");
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "fips=1"), "action"), "flag");
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "lockdown=integrity"), "action"), "drop");
        x = jfind(m, "resource", "foo=\"a b\"");
        ASSERT_STREQ(json_get_str(x, "action"), "carry");
        ASSERT_STREQ(json_get_str(x, "name"), "foo");
        ASSERT_STREQ(json_get_str(x, "note"), "not known to azlmigrate: carried unchanged");
        json_object_put(m);

        m = run("azurelinux-3.0", inv, "kernel-cmdline", "{\"mode\": \"summary\"}");
        ASSERT_EQ(json_object_array_length(m), 1);
        x = json_object_array_get_idx(m, 0);
        ASSERT_STREQ(json_get_str(x, "carried"), "console=ttyS0 quiet foo=\"a b\"");
        ASSERT_STREQ(json_get_str(x, "dropped"),
                     "BOOT_IMAGE=/vmlinuz-5.15.0-1102-azure root=UUID=5a3c ro splash "
                     "lockdown=integrity");
        ASSERT_STREQ(json_get_str(x, "flagged"), "lsm=landlock,yama,apparmor fips=1");
        json_object_put(m);

        /* No command line, or not a string: nothing. */
        m = run("azurelinux-3.0", "{\"boot\": {\"cmdline\": null}}", "kernel-cmdline",
                "{\"mode\": \"summary\"}");
        ASSERT_EQ(json_object_array_length(m), 0);
        json_object_put(m);
        m = run("azurelinux-3.0", "{\"boot\": {\"cmdline\": 5}}", "kernel-cmdline",
                "{\"mode\": \"params\"}");
        ASSERT_EQ(json_object_array_length(m), 0);
}

static const char units_inventory[] =
        "{\"config\": {\"units\": ["
        "{\"name\": \"apt-daily.service\", \"enabled\": false, \"masked\": true,"
        " \"path\": \"/etc/systemd/system/apt-daily.service\", \"origin\": \"etc\", \"link_target\": null, "
        "\"dropins\": []},"
        "{\"name\": \"chrony.service\", \"enabled\": true, \"masked\": false, \"path\": null, \"origin\": "
        "\"vendor\","
        " \"vendor_path\": \"/usr/lib/systemd/system/chrony.service\", \"wanted_by\": "
        "[\"multi-user.target\"],"
        " \"dropins\": [\"/etc/systemd/system/chrony.service.d/override.conf\"]},"
        "{\"name\": \"chronyd.service\", \"enabled\": false, \"path\": "
        "\"/etc/systemd/system/chronyd.service\","
        " \"origin\": \"vendor\", \"link_target\": \"/usr/lib/systemd/system/chrony.service\","
        " \"dropins\": [\"/etc/systemd/system/chronyd.service.d/10-chrony-restarts.conf\"]},"
        "{\"name\": \"kubelet.service\", \"enabled\": true, \"path\": "
        "\"/etc/systemd/system/kubelet.service\","
        " \"origin\": \"etc\", \"link_target\": null, \"wanted_by\": [\"multi-user.target\"], "
        "\"required_by\": [\"x/y\"],"
        " \"dropins\": [\"/etc/systemd/system/kubelet.service.d/10-cgroupv2.conf\", "
        "\"/usr/lib/systemd/system/kubelet.service.d/v.conf\"]},"
        "{\"name\": \"ssh.service\", \"enabled\": true, \"path\": \"/etc/systemd/system/ssh.service\", "
        "\"origin\": \"etc\","
        " \"link_target\": null, \"wanted_by\": [\"multi-user.target\"], \"required_by\": "
        "[\"sockets.target\"]},"
        "{\"name\": \"snapshot-update.timer\", \"enabled\": true, \"path\": "
        "\"/etc/systemd/system/snapshot-update.timer\","
        " \"origin\": \"etc\", \"wanted_by\": [\"timers.target\"], \"dropins\": "
        "[\"/etc/systemd/system/snapshot-update.timer.d/a.conf\"]},"
        "{\"name\": \"ua-timer.timer\", \"enabled\": true, \"path\": null, \"origin\": \"vendor\", "
        "\"wanted_by\": [\"timers.target\"]},"
        "{\"name\": \"snapd.service\", \"enabled\": true, \"path\": null, \"origin\": \"vendor\","
        " \"dropins\": [\"/etc/systemd/system/snapd.service.d/x.conf\"]},"
        "{\"enabled\": true}, 5"
        "]}}";

static void test_units(void)
{
        _cleanup_json_ json_object *m = NULL;
        json_object *x;

        m = run("azurelinux-3.0", units_inventory, "units", "{\"mode\": \"carry\"}");
        /* kubelet and ssh (as sshd); not: the apt-daily mask (dropped), the chronyd alias symlink,
         * vendor units, the AKS unit written differently on Azure Linux. */
        ASSERT_EQ(json_object_array_length(m), 2);
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "/etc/systemd/system/kubelet.service"), "target"),
                     "/etc/systemd/system/kubelet.service");
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "/etc/systemd/system/ssh.service"), "target"),
                     "/etc/systemd/system/sshd.service");
        json_object_put(m);

        m = run("azurelinux-3.0", units_inventory, "units", "{\"mode\": \"rename\"}");
        ASSERT_EQ(json_object_array_length(m), 2);
        x = jfind(m, "resource", "chrony.service");
        ASSERT_STREQ(json_get_str(x, "target_name"), "chronyd.service");
        ASSERT_STREQ(json_get_str(x, "source"), "/usr/lib/systemd/system/chrony.service");
        ASSERT_NOT_NULL(jfind(m, "resource", "ssh.service"));
        json_object_put(m);

        m = run("azurelinux-3.0", units_inventory, "units", "{\"mode\": \"drop\"}");
        ASSERT_EQ(json_object_array_length(m), 3);
        ASSERT_NOT_NULL(jfind(m, "resource", "apt-daily.service"));
        ASSERT_NOT_NULL(jfind(m, "resource", "ua-timer.timer"));
        ASSERT_NOT_NULL(jfind(m, "resource", "snapd.service"));
        json_object_put(m);

        m = run("azurelinux-3.0", units_inventory, "units", "{\"mode\": \"replace\"}");
        ASSERT_EQ(json_object_array_length(m), 1);
        ASSERT_TRUE(strstr(json_get_str(jfind(m, "resource", "snapshot-update.timer"), "note"),
                           "package-update") != NULL);
        json_object_put(m);

        m = run("azurelinux-3.0", units_inventory, "units", "{\"mode\": \"dropins\"}");
        ASSERT_EQ(json_object_array_length(m), 3);
        ASSERT_STREQ(json_get_str(jfind(m, "resource", "/etc/systemd/system/chrony.service.d/override.conf"),
                                  "target"),
                     "/etc/systemd/system/chronyd.service.d/override.conf");
        ASSERT_STREQ(json_get_str(jfind(m, "resource",
                                        "/etc/systemd/system/chronyd.service.d/10-chrony-restarts.conf"),
                                  "target"),
                     "/etc/systemd/system/chronyd.service.d/10-chrony-restarts.conf");
        ASSERT_NOT_NULL(jfind(m, "resource", "/etc/systemd/system/kubelet.service.d/10-cgroupv2.conf"));
        json_object_put(m);

        m = run("azurelinux-3.0", units_inventory, "units", "{\"mode\": \"enabled\"}");
        ASSERT_STREQ(json_get_str(jfind(m, "resource",
                                        "/etc/systemd/system/multi-user.target.wants/chrony.service"),
                                  "target"),
                     "/etc/systemd/system/multi-user.target.wants/chronyd.service");
        ASSERT_STREQ(
                json_get_str(jfind(m, "resource", "/etc/systemd/system/sockets.target.requires/ssh.service"),
                             "target"),
                "/etc/systemd/system/sockets.target.requires/sshd.service");
        ASSERT_NOT_NULL(jfind(m, "resource", "/etc/systemd/system/multi-user.target.wants/kubelet.service"));
        ASSERT_NULL(jfind(m, "resource", "/etc/systemd/system/timers.target.wants/ua-timer.timer"));
        ASSERT_NULL(jfind(m, "resource", "/etc/systemd/system/timers.target.wants/snapshot-update.timer"));
        ASSERT_EQ(json_object_array_length(m), 4);
}

static void test_disk(void)
{
        _cleanup_json_ json_object *m = NULL;
        json_object *x;

        m = run("azurelinux-3.0",
                "{\"mounts\": [{\"mountpoint\": \"/\", \"type\": \"ext4\", \"partition\": 1}],"
                " \"disk\": {\"partitions\": [{\"number\": 1, \"filesystem\": {\"type\": \"ext4\"}}]}}",
                "root-filesystem", NULL);
        x = json_object_array_get_idx(m, 0);
        ASSERT_STREQ(json_get_str(x, "resource"), "/ (ext4 on partition 1)");
        ASSERT_TRUE(json_get_bool(x, "found", false));
        ASSERT_FALSE(json_get_bool(x, "on_lvm", true));
        ASSERT_FALSE(json_get_bool(x, "encrypted", true));
        json_object_put(m);

        m = run("azurelinux-3.0",
                "{\"mounts\": [{\"mountpoint\": \"/boot\", \"type\": \"ext4\", \"partition\": 2},"
                " {\"mountpoint\": \"/\", \"type\": \"xfs\", \"volume\": \"/dev/mapper/vg0-root\"}]}",
                "root-filesystem", NULL);
        x = json_object_array_get_idx(m, 0);
        ASSERT_STREQ(json_get_str(x, "type"), "xfs");
        ASSERT_TRUE(json_get_bool(x, "on_lvm", false));
        json_object_put(m);

        m = run("azurelinux-3.0",
                "{\"mounts\": [], \"disk\": {\"partitions\": [{\"number\": 1, \"filesystem\": {\"type\": "
                "\"vfat\"}},"
                " {\"number\": 2, \"filesystem\": {\"type\": \"crypto_LUKS\"}}]}}",
                "root-filesystem", NULL);
        x = json_object_array_get_idx(m, 0);
        ASSERT_STREQ(json_get_str(x, "resource"), "/ (not found)");
        ASSERT_FALSE(json_get_bool(x, "found", true));
        ASSERT_TRUE(json_get_bool(x, "encrypted", false));
        json_object_put(m);

        m = run("azurelinux-3.0", "{\"mounts\": 3, \"disk\": null}", "root-filesystem", NULL);
        ASSERT_FALSE(json_get_bool(json_object_array_get_idx(m, 0), "found", true));
        json_object_put(m);

        m = run("azurelinux-3.0", "{\"mounts\": [{\"mountpoint\": \"/\", \"type\": \"ext4\"}]}",
                "free-space", NULL);
        x = json_object_array_get_idx(m, 0);
        ASSERT_FALSE(json_get_bool(x, "known", true));
        ASSERT_STREQ(json_get_str(x, "reason"), "the inventory records no free-space figure for /");
        json_object_put(m);
        m = run("azurelinux-3.0",
                "{\"mounts\": [{\"mountpoint\": \"/\", \"type\": \"ext4\", \"free\": 1234}]}", "free-space",
                NULL);
        x = json_object_array_get_idx(m, 0);
        ASSERT_TRUE(json_get_bool(x, "known", false));
        ASSERT_EQ(json_get_int(x, "free", 0), 1234);
}

/* ---- Broken tables -------------------------------------------------------------------------- */

static char top[] = "/tmp/azlm-checks-XXXXXX";

static void put(const char *rel, const char *content)
{
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", top, rel);
        ASSERT_OK(write_file_atomic(p, content, strlen(content), 0644));
}

static void expect_table_error(const char *name, const char *args, const char *inventory, const char *want)
{
        _cleanup_json_ json_object *inv = json_parse_ok(inventory), *a = args ? json_parse_ok(args) : NULL,
                                   *m = NULL;
        _cleanup_(check_cache_freep) CheckCache *cache = NULL;
        _cleanup_free_ char *err = NULL;
        CheckContext ctx = { .plans_dir = top, .to = "azl-9", .inventory = inv };

        ASSERT_OK(check_cache_new(&cache));
        ctx.cache = cache;
        ASSERT_ERR(checks_run(&ctx, name, NULL, a, &m, &err), -EBADMSG);
        if (!err || !strstr(err, want))
                FAIL("check %s: message '%s' does not contain '%s'", name, strempty(err), want);
}

static void test_broken_tables(void)
{
        char p[512];
        static const char net[] = "{\"config\": {\"network\": {\"keys\": [\"network\"]}}}";

        ASSERT_NOT_NULL(mkdtemp(top));
        snprintf(p, sizeof(p), "%s/rules", top);
        ASSERT_EQ(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/universe", top);
        ASSERT_EQ(mkdir(p, 0755), 0);

        /* Missing tables name the file. */
        expect_table_error("netplan-unsupported-keys", NULL, net,
                           "rules/netplan-keys.tsv: No such file or directory");
        expect_table_error("account-clashes", "{\"items\": \"config.users\", \"kind\": \"user\"}",
                           "{\"config\": {\"users\": []}}",
                           "universe/azl-9-accounts.tsv: No such file or directory");

        put("rules/netplan-keys.tsv",
            "# scope key since backend note\nall\tdhcp4\t\tany\nall\tmtu\t\tsometimes\n");
        put("universe/azl-9-image.tsv", "netplan\t1.0.1-1\tx86_64\n");
        expect_table_error("netplan-unsupported-keys", NULL, net,
                           "rules/netplan-keys.tsv: line 3: backend must be any, networkd, NetworkManager "
                           "or openvswitch");
        put("rules/netplan-keys.tsv", "all\tdhcp4\t\tany\nall\tdhcp4\t\tany\n");
        expect_table_error("netplan-unsupported-keys", NULL, net,
                           "rules/netplan-keys.tsv: line 2: duplicate key");
        put("rules/netplan-keys.tsv", "all\tdhcp4\tnew\tany\n");
        expect_table_error("netplan-unsupported-keys", NULL, net, "'since' is not a version");
        put("rules/netplan-keys.tsv", "\tdhcp4\t\tany\n");
        expect_table_error("netplan-unsupported-keys", NULL, net, "scope and key are required");

        put("universe/azl-9-accounts.tsv", "user\troot\t0\nuser\troot\t1\n");
        expect_table_error("account-clashes", "{\"items\": \"config.users\", \"kind\": \"user\"}",
                           "{\"config\": {\"users\": []}}",
                           "universe/azl-9-accounts.tsv: line 2: duplicate name");
        put("universe/azl-9-accounts.tsv", "robot\troot\t0\n");
        expect_table_error("account-clashes", "{\"items\": \"config.users\", \"kind\": \"user\"}",
                           "{\"config\": {\"users\": []}}", "line 1: kind must be user or group");
        put("universe/azl-9-accounts.tsv", "user\troot\t-1\n");
        expect_table_error("account-clashes", "{\"items\": \"config.users\", \"kind\": \"user\"}",
                           "{\"config\": {\"users\": []}}", "line 1: invalid id");
        put("universe/azl-9-accounts.tsv", "user\tro ot\t0\n");
        expect_table_error("account-clashes", "{\"items\": \"config.users\", \"kind\": \"user\"}",
                           "{\"config\": {\"users\": []}}", "line 1: invalid name");

        put("rules/kernel-cmdline.tsv", "quiet\tkeep\tx\n");
        expect_table_error("kernel-cmdline", "{\"mode\": \"params\"}",
                           "{\"boot\": {\"cmdline\": \"quiet\"}}",
                           "rules/kernel-cmdline.tsv: line 1: unknown action");
        put("rules/unit-names.tsv", "ssh.service\trename\t-\tno target\n");
        expect_table_error("units", "{\"mode\": \"carry\"}", "{\"config\": {\"units\": []}}",
                           "rules/unit-names.tsv: line 1: rename needs a target");
        put("rules/unit-names.tsv", "ssh service\tdrop\t-\tspace\n");
        expect_table_error("units", "{\"mode\": \"carry\"}", "{\"config\": {\"units\": []}}",
                           "line 1: invalid pattern");

        /* Unknown checks and arguments. */
        {
                _cleanup_free_ char *err = NULL;
                _cleanup_json_ json_object *a = json_parse_ok("{\"mode\": \"carry\"}");
                ASSERT_ERR(checks_validate("nope", NULL, &err), -EBADMSG);
                ASSERT_STREQ(err, "unknown check 'nope'");
                err = mfree(err);
                ASSERT_OK(checks_validate("units", a, &err));
        }
}

static void test_names(void)
{
        size_t n;
        const char *const *names = checks_names(&n);

        ASSERT_EQ(n, 8);
        ASSERT_STREQ(names[0], "account-clashes");
        for (size_t i = 1; i < n; i++)
                ASSERT_TRUE(strcmp(names[i - 1], names[i]) < 0);
}

int main(int argc, char *argv[])
{
        RUN(test_version_compare);
        RUN(test_netplan_keys);
        RUN(test_render_sample);
        RUN(test_render_aks_secondary);
        RUN(test_render_static);
        RUN(test_render_hostile);
        RUN(test_networkd_checks);
        RUN(test_accounts);
        RUN(test_kernel_cmdline);
        RUN(test_units);
        RUN(test_disk);
        RUN(test_broken_tables);
        RUN(test_names);
        TESTS_DONE();
}
