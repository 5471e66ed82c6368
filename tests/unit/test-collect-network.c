/* SPDX-License-Identifier: MIT */
/* Unit tests for src/inspect/collect-network.c on guest trees built in a temporary directory. */
#include <stdlib.h>

#include "guest-tree.h"

/* Derived from what cloud-init (Azure datasource) and AgentBaker's configureSecondaryNICs
 * (Azure/AgentBaker commit 06836ee2301e362039418c3a7ed0fe6004a641fd) write on AKS Ubuntu. */
static const char cloud_init_yaml[] = "network:\n"
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

static const char secondary_nic_yaml[] = "network:\n"
                                         "  ethernets:\n"
                                         "    secondary-nic-1:\n"
                                         "      match:\n"
                                         "        macaddress: \"00:0d:3a:44:55:66\"\n"
                                         "      dhcp4: true\n"
                                         "      dhcp4-overrides:\n"
                                         "        route-metric: 200\n"
                                         "        use-dns: false\n";

static void test_aks_node(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *n;

        tree_new(&t);
        tree_file(&t, "lib/netplan/00-lib.yaml", "network: {ethernets: {eth9: {dhcp4: true}}}\n");
        /* Shadowed by the file of the same name in /etc/netplan: never read. */
        tree_file(&t, "lib/netplan/50-cloud-init.yaml", "network: {ethernets: {eth0: {mtu: 9000}}}\n");
        tree_file(&t, "etc/netplan/50-cloud-init.yaml", cloud_init_yaml);
        tree_file(&t, "etc/netplan/60-secondary-nic-1.yaml", secondary_nic_yaml);
        tree_file(&t, "run/netplan/70-broken.yaml", "network:\n  ethernets: [\n");
        tree_file(&t, "etc/netplan/80-badtype.yaml", "network: {bonds: {eth0: {interfaces: [eth9]}}}\n");
        tree_file(&t, "etc/netplan-extra/real.yaml",
                  "network: {ethernets: {eth1: {dhcp4: no, mtu: 1400}}}\n");
        tree_link(&t, "etc/netplan/90-link.yaml", "/etc/netplan-extra/real.yaml");
        tree_file(&t, "etc/netplan/95-empty.yaml", "");
        tree_file(&t, "etc/netplan/README", "not yaml\n");
        tree_file(&t, "etc/netplan/.hidden.yaml", "network: {ethernets: {hidden0: {}}}\n");
        tree_dir(&t, "etc/netplan/dir.yaml");
        tree_file(&t, "etc/network/interfaces.d/50-cloud-init.cfg", "auto eth0\niface eth0 inet6 dhcp\n");
        tree_file(&t, "etc/systemd/network/99-dhcp-en.network", "[Match]\nName=eth0\n[Network]\nDHCP=yes\n");
        tree_file(&t, "etc/systemd/network/10-secondary-nic-1.network",
                  "[Match]\nMACAddress=00:0d:3a:44:55:66\n");
        tree_file(&t, "etc/systemd/network/notes.txt", "x\n");

        inv = tree_collect(&t, collect_network);
        n = jpath(inv->root, "config.network");
        ASSERT_NOT_NULL(n);

        ASSERT_EQ(jlen(n, "files"), 7);
        ASSERT_STREQ(jstr(n, "files.0"), "/lib/netplan/00-lib.yaml");
        ASSERT_STREQ(jstr(n, "files.1"), "/etc/netplan/50-cloud-init.yaml");
        ASSERT_STREQ(jstr(n, "files.2"), "/etc/netplan/60-secondary-nic-1.yaml");
        ASSERT_STREQ(jstr(n, "files.3"), "/run/netplan/70-broken.yaml");
        ASSERT_STREQ(jstr(n, "files.4"), "/etc/netplan/80-badtype.yaml");
        ASSERT_STREQ(jstr(n, "files.5"), "/etc/netplan/90-link.yaml");
        ASSERT_STREQ(jstr(n, "files.6"), "/etc/netplan/95-empty.yaml");
        ASSERT_EQ(jlen(n, "invalid_files"), 2);
        ASSERT_STREQ(jstr(n, "invalid_files.0"), "/run/netplan/70-broken.yaml");
        ASSERT_STREQ(jstr(n, "invalid_files.1"), "/etc/netplan/80-badtype.yaml");
        ASSERT_EQ(count_findings(inv, "network.netplan.invalid"), 2);
        ASSERT_STREQ(jstr(find_finding(inv, "network.netplan.invalid"), "resources.0"),
                     "/run/netplan/70-broken.yaml");

        ASSERT_TRUE(jnull(n, "renderer"));
        ASSERT_EQ(jint(n, "version"), 2);
        ASSERT_EQ(jlen(n, "interfaces"), 4);
        ASSERT_STREQ(jstr(n, "interfaces.0.id"), "eth0");
        ASSERT_TRUE(jnull(n, "interfaces.0.mtu")); /* the /lib copy was shadowed */
        ASSERT_STREQ(jstr(n, "interfaces.0.match.macaddress"), "00:0d:3a:1f:2b:3c");
        ASSERT_STREQ(jstr(n, "interfaces.0.set_name"), "eth0");
        ASSERT_EQ(jint(n, "interfaces.0.dhcp4_overrides.route_metric"), 100);
        ASSERT_STREQ(jstr(n, "interfaces.1.id"), "eth1");
        ASSERT_STREQ(jstr(n, "interfaces.1.file"), "/etc/netplan/90-link.yaml");
        ASSERT_FALSE(jbool(n, "interfaces.1.dhcp4"));
        ASSERT_EQ(jint(n, "interfaces.1.mtu"), 1400);
        ASSERT_STREQ(jstr(n, "interfaces.2.id"), "eth9");
        ASSERT_STREQ(jstr(n, "interfaces.2.kind"), "ethernet"); /* the bond redefinition was refused */
        ASSERT_STREQ(jstr(n, "interfaces.3.id"), "secondary-nic-1");
        ASSERT_FALSE(jbool(n, "interfaces.3.dhcp4_overrides.use_dns"));
        ASSERT_EQ(jint(n, "interfaces.3.dhcp4_overrides.route_metric"), 200);
        ASSERT_TRUE(jhas(n, "keys", "network.ethernets.*.dhcp4-overrides.use-dns"));
        ASSERT_FALSE(jhas(n, "keys", "network.bonds"));

        ASSERT_FALSE(jbool(n, "ifupdown"));
        ASSERT_EQ(jlen(n, "ifupdown_files"), 1);
        ASSERT_STREQ(jstr(n, "ifupdown_files.0"), "/etc/network/interfaces.d/50-cloud-init.cfg");
        ASSERT_EQ(jlen(n, "networkd_files"), 2);
        ASSERT_STREQ(jstr(n, "networkd_files.0"), "/etc/systemd/network/10-secondary-nic-1.network");
        ASSERT_STREQ(jstr(n, "networkd_files.1"), "/etc/systemd/network/99-dhcp-en.network");

        tree_free(&t);
}

static void test_empty_guest(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *n;

        tree_new(&t);
        tree_file(&t, "etc/network/interfaces", "auto lo\niface lo inet loopback\n");
        inv = tree_collect(&t, collect_network);
        n = jpath(inv->root, "config.network");
        ASSERT_EQ(jlen(n, "files"), 0);
        ASSERT_EQ(jlen(n, "interfaces"), 0);
        ASSERT_EQ(jlen(n, "keys"), 0);
        ASSERT_TRUE(jnull(n, "renderer"));
        ASSERT_TRUE(jnull(n, "version"));
        ASSERT_TRUE(jbool(n, "ifupdown"));
        ASSERT_STREQ(jstr(n, "ifupdown_files.0"), "/etc/network/interfaces");
        ASSERT_EQ(jlen(n, "networkd_files"), 0);
        ASSERT_EQ(json_object_array_length(inv->findings), 0);
        tree_free(&t);
}

static void test_hostile_files(void)
{
        /* An alias bomb, a file beyond the size cap and a symlink out of the guest do not stop
         * the collector: the good file is still read. */
        static const char bomb[] =
                "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                "network: {ethernets: {eth0: {x: *f}}}\n";
        GuestTree t;
        Inventory *inv;
        json_object *n;

        tree_new(&t);
        tree_file(&t, "etc/netplan/10-bomb.yaml", bomb);
        tree_file_filled(&t, "etc/netplan/20-big.yaml", '#', CONFIG_FILE_MAX + 1);
        tree_link(&t, "etc/netplan/30-escape.yaml", "../../../../../../../../etc/hostname");
        tree_file(&t, "etc/netplan/50-cloud-init.yaml", cloud_init_yaml);

        inv = tree_collect(&t, collect_network);
        n = jpath(inv->root, "config.network");
        ASSERT_EQ(jlen(n, "interfaces"), 1);
        ASSERT_STREQ(jstr(n, "interfaces.0.id"), "eth0");
        ASSERT_EQ(count_findings(inv, "network.netplan.invalid"), 1);
        ASSERT_EQ(count_findings(inv, "inspect.file.too-large"), 1);
        ASSERT_TRUE(strstr(jstr(find_finding(inv, "network.netplan.invalid"), "detail"), "nodes") != NULL);
        /* The escaping link resolves to the guest's /etc/hostname, which does not exist. */
        ASSERT_EQ(jlen(n, "files"), 2);
        tree_free(&t);
}

int main(void)
{
        RUN(test_aks_node);
        RUN(test_empty_guest);
        RUN(test_hostile_files);
        TESTS_DONE();
}
