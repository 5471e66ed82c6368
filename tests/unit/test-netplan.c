/* SPDX-License-Identifier: MIT */
/* Unit tests for src/inspect/netplan.c: netplan's merge semantics and the JSON description. */
#include <stdlib.h>
#include <string.h>

#include "inspect/netplan.h"
#include "inspect/yaml-tree.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "guest-tree.h"
#include "yaml-load.h"
#include "tests.h"

/* What cloud-init's Azure datasource writes on an AKS Ubuntu 22.04 node
 * (/etc/netplan/50-cloud-init.yaml; MAC address changed). */
static const char cloud_init_yaml[] =
        "# This file is generated from information provided by the datasource.  Changes\n"
        "# to it will not persist across an instance reboot.  To disable cloud-init's\n"
        "# network configuration capabilities, write a file\n"
        "# /etc/cloud/cloud.cfg.d/99-disable-network-config.cfg with the following:\n"
        "# network: {config: disabled}\n"
        "network:\n"
        "    ethernets:\n"
        "        eth0:\n"
        "            dhcp4: true\n"
        "            dhcp4-overrides:\n"
        "                route-metric: 100\n"
        "            dhcp6: false\n"
        "            match:\n"
        "                driver: hv_netvsc\n"
        "                macaddress: 00:0d:3a:1f:2b:3c\n"
        "            set-name: eth0\n"
        "    version: 2\n";

/* Derived from Azure/AgentBaker parts/linux/cloud-init/artifacts/cse_config.sh
 * configureSecondaryNICs (commit 06836ee2301e362039418c3a7ed0fe6004a641fd): the file it writes
 * as /etc/netplan/60-secondary-nic-1.yaml, for a NIC with IPv6 addresses. */
static const char secondary_nic_yaml[] = "network:\n"
                                         "  ethernets:\n"
                                         "    secondary-nic-1:\n"
                                         "      match:\n"
                                         "        macaddress: \"00:0d:3a:44:55:66\"\n"
                                         "      dhcp4: true\n"
                                         "      dhcp4-overrides:\n"
                                         "        route-metric: 200\n"
                                         "        use-dns: false\n"
                                         "      dhcp6: true\n"
                                         "      dhcp6-overrides:\n"
                                         "        route-metric: 200\n"
                                         "        use-dns: false\n";

static void add_ok(Netplan *np, const char *file, const char *yaml)
{
        _cleanup_json_ json_object *tree = yaml_load_ok(yaml);
        char *error = NULL;
        int r = netplan_add(np, file, tree, &error);

        if (r != 1)
                FAIL("netplan_add(%s) returned %d: %s", file, r, error ?: "(no error)");
}

/* Adds and expects a rejection whose text contains want. */
static void add_rejected(Netplan *np, const char *file, const char *yaml, const char *want)
{
        _cleanup_json_ json_object *tree = yaml_load_ok(yaml);
        _cleanup_free_ char *error = NULL;

        ASSERT_EQ(netplan_add(np, file, tree, &error), 0);
        ASSERT_NOT_NULL(error);
        if (!strstr(error, want))
                FAIL("error '%s' does not mention '%s'", error, want);
}

static void assert_sorted_unique(json_object *arr)
{
        size_t n = json_object_array_length(arr);

        for (size_t i = 1; i < n; i++)
                ASSERT_TRUE(strcmp(json_object_get_string(json_object_array_get_idx(arr, i - 1)),
                                   json_object_get_string(json_object_array_get_idx(arr, i))) < 0);
}

static json_object *describe(Netplan *np)
{
        json_object *o = json_object_new_object();

        ASSERT_NOT_NULL(o);
        ASSERT_OK(netplan_to_json(np, o));
        return o;
}

static void test_cloud_init(void)
{
        _cleanup_(netplan_freep) Netplan *np = NULL;
        _cleanup_json_ json_object *o = NULL;

        ASSERT_OK(netplan_new(&np));
        add_ok(np, "/etc/netplan/50-cloud-init.yaml", cloud_init_yaml);
        o = describe(np);

        ASSERT_NULL(jstr(o, "renderer"));
        ASSERT_TRUE(jnull(o, "renderer"));
        ASSERT_EQ(jint(o, "version"), 2);
        ASSERT_EQ(jlen(o, "interfaces"), 1);
        ASSERT_STREQ(jstr(o, "interfaces.0.id"), "eth0");
        ASSERT_STREQ(jstr(o, "interfaces.0.kind"), "ethernet");
        ASSERT_STREQ(jstr(o, "interfaces.0.file"), "/etc/netplan/50-cloud-init.yaml");
        ASSERT_STREQ(jstr(o, "interfaces.0.match.macaddress"), "00:0d:3a:1f:2b:3c");
        ASSERT_STREQ(jstr(o, "interfaces.0.match.driver"), "hv_netvsc");
        ASSERT_TRUE(jnull(o, "interfaces.0.match.name"));
        ASSERT_STREQ(jstr(o, "interfaces.0.set_name"), "eth0");
        ASSERT_TRUE(jbool(o, "interfaces.0.dhcp4"));
        ASSERT_FALSE(jbool(o, "interfaces.0.dhcp6"));
        ASSERT_EQ(jint(o, "interfaces.0.dhcp4_overrides.route_metric"), 100);
        ASSERT_TRUE(jnull(o, "interfaces.0.dhcp6_overrides"));
        ASSERT_TRUE(jnull(o, "interfaces.0.mtu"));
        ASSERT_TRUE(jnull(o, "interfaces.0.optional"));
        ASSERT_TRUE(jnull(o, "interfaces.0.nameservers"));
        ASSERT_EQ(jlen(o, "interfaces.0.addresses"), 0);
        ASSERT_EQ(jlen(o, "interfaces.0.routes"), 0);

        /* Key paths: per device relative and sorted, globally with the id as "*". */
        ASSERT_EQ(jlen(o, "interfaces.0.keys"), 8);
        ASSERT_STREQ(jstr(o, "interfaces.0.keys.0"), "dhcp4");
        ASSERT_STREQ(jstr(o, "interfaces.0.keys.1"), "dhcp4-overrides");
        ASSERT_STREQ(jstr(o, "interfaces.0.keys.2"), "dhcp4-overrides.route-metric");
        ASSERT_STREQ(jstr(o, "interfaces.0.keys.7"), "set-name");
        ASSERT_TRUE(jhas(o, "keys", "network"));
        ASSERT_TRUE(jhas(o, "keys", "network.version"));
        ASSERT_TRUE(jhas(o, "keys", "network.ethernets"));
        ASSERT_TRUE(jhas(o, "keys", "network.ethernets.*.dhcp4-overrides.route-metric"));
        ASSERT_TRUE(jhas(o, "keys", "network.ethernets.*.match.macaddress"));
        ASSERT_FALSE(jhas(o, "keys", "network.ethernets.eth0"));
        ASSERT_EQ(jlen(o, "keys"), 3 + 8);
        ASSERT_FALSE(jbool(o, "keys_truncated"));
        assert_sorted_unique(jpath(o, "keys"));
        assert_sorted_unique(jpath(o, "interfaces.0.keys"));
}

static void test_secondary_nic(void)
{
        _cleanup_(netplan_freep) Netplan *np = NULL;
        _cleanup_json_ json_object *o = NULL;

        ASSERT_OK(netplan_new(&np));
        add_ok(np, "/etc/netplan/50-cloud-init.yaml", cloud_init_yaml);
        add_ok(np, "/etc/netplan/60-secondary-nic-1.yaml", secondary_nic_yaml);
        o = describe(np);
        ASSERT_EQ(jlen(o, "interfaces"), 2);
        ASSERT_STREQ(jstr(o, "interfaces.1.id"), "secondary-nic-1");
        ASSERT_STREQ(jstr(o, "interfaces.1.file"), "/etc/netplan/60-secondary-nic-1.yaml");
        ASSERT_STREQ(jstr(o, "interfaces.1.match.macaddress"), "00:0d:3a:44:55:66");
        ASSERT_TRUE(jnull(o, "interfaces.1.set_name"));
        ASSERT_EQ(jint(o, "interfaces.1.dhcp4_overrides.route_metric"), 200);
        ASSERT_FALSE(jbool(o, "interfaces.1.dhcp4_overrides.use_dns"));
        ASSERT_FALSE(jbool(o, "interfaces.1.dhcp6_overrides.use_dns"));
        ASSERT_TRUE(jbool(o, "interfaces.1.dhcp6"));
        ASSERT_TRUE(jhas(o, "interfaces.1.keys", "dhcp4-overrides.use-dns"));
        ASSERT_TRUE(jhas(o, "keys", "network.ethernets.*.dhcp6-overrides.use-dns"));
        /* The version came from the first file only: still there. */
        ASSERT_EQ(jint(o, "version"), 2);
}

static void test_merge(void)
{
        _cleanup_(netplan_freep) Netplan *np = NULL;
        _cleanup_json_ json_object *o = NULL;

        ASSERT_OK(netplan_new(&np));
        add_ok(np, "/lib/netplan/10-base.yaml",
               "network:\n"
               "  version: 2\n"
               "  renderer: networkd\n"
               "  ethernets:\n"
               "    eth0:\n"
               "      dhcp4: yes\n"
               "      addresses: [10.0.0.4/24]\n"
               "      nameservers: {addresses: [168.63.129.16], search: [internal.cloudapp.net]}\n"
               "      routes:\n"
               "        - to: 10.1.0.0/16\n"
               "          via: 10.0.0.1\n");
        add_ok(np, "/etc/netplan/90-override.yaml",
               "network:\n"
               "  renderer: NetworkManager\n"
               "  ethernets:\n"
               "    eth0:\n"
               "      dhcp4: off\n"
               "      mtu: 1500\n"
               "      optional: true\n"
               "      addresses:\n"
               "        - 10.0.0.5/24\n"
               "        - 10.0.0.4/24\n"
               "        - \"10.0.0.6/24\":\n"
               "            label: eth0:web\n"
               "      routes:\n"
               "        - to: default\n"
               "          via: 10.0.0.1\n"
               "          metric: 50\n"
               "          table: 100\n");
        o = describe(np);
        ASSERT_STREQ(jstr(o, "renderer"), "NetworkManager");
        ASSERT_EQ(jlen(o, "interfaces"), 1);
        ASSERT_FALSE(jbool(o, "interfaces.0.dhcp4"));
        ASSERT_TRUE(jnull(o, "interfaces.0.dhcp6"));
        ASSERT_EQ(jint(o, "interfaces.0.mtu"), 1500);
        ASSERT_TRUE(jbool(o, "interfaces.0.optional"));
        /* Sequences append without repeating equal items. */
        ASSERT_EQ(jlen(o, "interfaces.0.addresses"), 3);
        ASSERT_STREQ(jstr(o, "interfaces.0.addresses.0"), "10.0.0.4/24");
        ASSERT_STREQ(jstr(o, "interfaces.0.addresses.1"), "10.0.0.5/24");
        ASSERT_STREQ(jstr(o, "interfaces.0.addresses.2"), "10.0.0.6/24");
        ASSERT_TRUE(jhas(o, "interfaces.0.keys", "addresses.*.label"));
        ASSERT_EQ(jlen(o, "interfaces.0.routes"), 2);
        ASSERT_STREQ(jstr(o, "interfaces.0.routes.0.to"), "10.1.0.0/16");
        ASSERT_TRUE(jnull(o, "interfaces.0.routes.0.metric"));
        ASSERT_STREQ(jstr(o, "interfaces.0.routes.1.to"), "default");
        ASSERT_EQ(jint(o, "interfaces.0.routes.1.metric"), 50);
        ASSERT_EQ(jint(o, "interfaces.0.routes.1.table"), 100);
        ASSERT_STREQ(jstr(o, "interfaces.0.nameservers.addresses.0"), "168.63.129.16");
        ASSERT_STREQ(jstr(o, "interfaces.0.nameservers.search.0"), "internal.cloudapp.net");
        ASSERT_EQ(jlen(o, "interfaces.0.files"), 2);
        ASSERT_STREQ(jstr(o, "interfaces.0.file"), "/lib/netplan/10-base.yaml");
        ASSERT_STREQ(jstr(o, "interfaces.0.files.1"), "/etc/netplan/90-override.yaml");
}

static void test_virtual_devices(void)
{
        _cleanup_(netplan_freep) Netplan *np = NULL;
        _cleanup_json_ json_object *o = NULL;

        ASSERT_OK(netplan_new(&np));
        add_ok(np, "/etc/netplan/01-netcfg.yaml",
               "network:\n"
               "  version: 2\n"
               "  ethernets:\n"
               "    enp1s0: {}\n"
               "    enp2s0: {}\n"
               "  bonds:\n"
               "    bond0:\n"
               "      interfaces: [enp1s0, enp2s0]\n"
               "      parameters: {mode: 802.3ad, lacp-rate: fast}\n"
               "  bridges:\n"
               "    br0:\n"
               "      interfaces: [bond0]\n"
               "      parameters:\n"
               "        path-cost: {bond0: 50}\n"
               "  vlans:\n"
               "    vlan15:\n"
               "      id: 15\n"
               "      link: br0\n"
               "      addresses: [192.168.15.2/24]\n"
               "  wifis:\n"
               "    wlp3s0:\n"
               "      access-points:\n"
               "        \"home-net\": {password: \"not-a-real-one\"}\n"
               "      match: {driver: [iwlwifi, ath10k_pci]}\n");
        o = describe(np);
        ASSERT_EQ(jlen(o, "interfaces"), 6);
        /* Sorted by id. */
        ASSERT_STREQ(jstr(o, "interfaces.0.id"), "bond0");
        ASSERT_STREQ(jstr(o, "interfaces.0.kind"), "bond");
        ASSERT_EQ(jlen(o, "interfaces.0.interfaces"), 2);
        ASSERT_STREQ(jstr(o, "interfaces.0.interfaces.1"), "enp2s0");
        ASSERT_TRUE(jhas(o, "interfaces.0.keys", "parameters.lacp-rate"));
        ASSERT_STREQ(jstr(o, "interfaces.1.id"), "br0");
        ASSERT_STREQ(jstr(o, "interfaces.1.kind"), "bridge");
        ASSERT_TRUE(jhas(o, "interfaces.1.keys", "parameters.path-cost.*"));
        ASSERT_FALSE(jhas(o, "interfaces.1.keys", "parameters.path-cost.bond0"));
        ASSERT_STREQ(jstr(o, "interfaces.2.id"), "enp1s0");
        ASSERT_TRUE(jnull(o, "interfaces.2.match"));
        ASSERT_EQ(jlen(o, "interfaces.2.keys"), 0);
        ASSERT_STREQ(jstr(o, "interfaces.4.id"), "vlan15");
        ASSERT_STREQ(jstr(o, "interfaces.4.kind"), "vlan");
        ASSERT_EQ(jint(o, "interfaces.4.vlan_id"), 15);
        ASSERT_STREQ(jstr(o, "interfaces.4.link"), "br0");
        ASSERT_STREQ(jstr(o, "interfaces.5.kind"), "wifi");
        ASSERT_EQ(jlen(o, "interfaces.5.match.driver"), 2);
        ASSERT_STREQ(jstr(o, "interfaces.5.match.driver.1"), "ath10k_pci");
        /* The SSID and the password never reach the key list: names become "*". */
        ASSERT_TRUE(jhas(o, "interfaces.5.keys", "access-points.*.password"));
        ASSERT_TRUE(jhas(o, "keys", "network.wifis.*.access-points.*.password"));
        ASSERT_TRUE(jhas(o, "keys", "network.bonds.*.parameters.mode"));
        {
                const char *s = json_object_to_json_string(o);
                ASSERT_NULL(strstr(s, "home-net"));
                ASSERT_NULL(strstr(s, "not-a-real-one"));
        }
}

static void test_rejections(void)
{
        _cleanup_(netplan_freep) Netplan *np = NULL;
        _cleanup_json_ json_object *o = NULL;

        ASSERT_OK(netplan_new(&np));
        add_ok(np, "/etc/netplan/50-cloud-init.yaml", cloud_init_yaml);
        add_rejected(np, "b.yaml", "network:\n  bonds:\n    eth0: {interfaces: [eth1]}\n",
                     "changes device type");
        add_rejected(np, "c.yaml", "network:\n  renderer: systemd\n", "renderer");
        add_rejected(np, "d.yaml", "- just\n- a list\n", "not a mapping");
        add_rejected(np, "e.yaml", "version: 2\nethernets: {}\n", "'network'");
        add_rejected(np, "f.yaml", "network:\n  ethernets: [eth0]\n", "'ethernets'");
        add_rejected(np, "g.yaml", "network:\n  ethernets:\n    eth1: dhcp\n", "eth1");
        add_rejected(np, "h.yaml", "network:\n  ethernets: {x0: {}}\n  vlans: {x0: {id: 1, link: eth0}}\n",
                     "defined as");
        /* A rejected file leaves no trace, even its valid parts. */
        add_rejected(np, "i.yaml", "network:\n  ethernets: {eth9: {}}\n  bonds: {eth0: {}}\n", "changes");
        o = describe(np);
        ASSERT_EQ(jlen(o, "interfaces"), 1);
        ASSERT_STREQ(jstr(o, "interfaces.0.kind"), "ethernet");
        ASSERT_TRUE(jnull(o, "renderer"));
}

static void test_anchors(void)
{
        _cleanup_(netplan_freep) Netplan *np = NULL;
        _cleanup_json_ json_object *o = NULL;

        /* Anchors used as people do: one overrides block for two NICs. */
        ASSERT_OK(netplan_new(&np));
        add_ok(np, "x.yaml",
               "network:\n"
               "  ethernets:\n"
               "    eth1:\n"
               "      dhcp4: true\n"
               "      dhcp4-overrides: &ovr {route-metric: 300, use-dns: false, use-domains: route}\n"
               "    eth2:\n"
               "      dhcp4: true\n"
               "      dhcp4-overrides: *ovr\n");
        o = describe(np);
        ASSERT_EQ(jint(o, "interfaces.0.dhcp4_overrides.route_metric"), 300);
        ASSERT_EQ(jint(o, "interfaces.1.dhcp4_overrides.route_metric"), 300);
        ASSERT_FALSE(jbool(o, "interfaces.1.dhcp4_overrides.use_dns"));
        ASSERT_STREQ(jstr(o, "interfaces.1.dhcp4_overrides.use_domains"), "route");
}

static void test_parse_bool(void)
{
        ASSERT_EQ(netplan_parse_bool("true"), 1);
        ASSERT_EQ(netplan_parse_bool("Yes"), 1);
        ASSERT_EQ(netplan_parse_bool("y"), 1);
        ASSERT_EQ(netplan_parse_bool("ON"), 1);
        ASSERT_EQ(netplan_parse_bool("false"), 0);
        ASSERT_EQ(netplan_parse_bool("No"), 0);
        ASSERT_EQ(netplan_parse_bool("off"), 0);
        ASSERT_ERR(netplan_parse_bool("1"), -EINVAL);
        ASSERT_ERR(netplan_parse_bool(""), -EINVAL);
        ASSERT_ERR(netplan_parse_bool(NULL), -EINVAL);
}

static void test_many_keys(void)
{
        /* Many devices and keys: the key list stays unique and sorted, and is built quickly. */
        size_t size = 200 * 1024, n = 0;
        _cleanup_free_ char *buf = malloc(size);
        _cleanup_(netplan_freep) Netplan *np = NULL;
        _cleanup_json_ json_object *o = NULL;

        ASSERT_NOT_NULL(buf);
        n += (size_t) snprintf(buf + n, size - n, "network:\n  ethernets:\n");
        for (int i = 0; i < 2000; i++)
                n += (size_t) snprintf(buf + n, size - n, "    e%04d: {dhcp4: true, mtu: %d, k%d: 1}\n", i,
                                       1000 + i, i % 10);
        ASSERT_TRUE(n < size);
        ASSERT_OK(netplan_new(&np));
        add_ok(np, "many.yaml", buf);
        o = describe(np);
        ASSERT_EQ(jlen(o, "interfaces"), 2000);
        ASSERT_EQ(jint(o, "interfaces.1999.mtu"), 2999);
        /* network, network.ethernets, dhcp4, mtu, k0..k9 */
        ASSERT_EQ(jlen(o, "keys"), 2 + 2 + 10);
}

int main(void)
{
        RUN(test_cloud_init);
        RUN(test_secondary_nic);
        RUN(test_merge);
        RUN(test_virtual_devices);
        RUN(test_rejections);
        RUN(test_anchors);
        RUN(test_parse_bool);
        RUN(test_many_keys);
        TESTS_DONE();
}
