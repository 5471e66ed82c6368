/* SPDX-License-Identifier: MIT */
/* Unit tests for the systemd collector. */
#include <stdlib.h>
#include <string.h>

#include "guest-tree.h"
#include "inspect/conf-files.h"

#define ETC    "/etc/systemd/system"
#define VENDOR "/usr/lib/systemd/system"

/* What AKS provisioning leaves under /etc/systemd/system on Ubuntu (AgentBaker
 * vhdbuilder/packer/packer_source.sh and install-dependencies.sh; see config-differences.md
 * sections 6, 7 and 9), with a vendor unit tree on a merged /usr. */
static void make_tree(GuestTree *t)
{
        tree_dir(t, "/usr/lib/systemd/system");
        tree_link(t, "/lib", "usr/lib");
        tree_file(t, VENDOR "/containerd.service", "[Service]\nExecStart=/usr/bin/containerd\n");
        tree_file(t, VENDOR "/chrony.service", "[Service]\n");
        tree_file(t, VENDOR "/getty@.service", "[Service]\n");
        tree_file(t, VENDOR "/systemd-resolved.service", "[Service]\n");
        tree_file(t, VENDOR "/systemd-timesyncd.service", "[Service]\n");
        tree_file(t, VENDOR "/apt-daily.timer", "[Timer]\n");
        tree_file(t, VENDOR "/multi-user.target", "[Unit]\n");
        tree_link(t, VENDOR "/default.target", "graphical.target");

        tree_file(t, ETC "/kubelet.service", "[Service]\nExecStart=/opt/bin/kubelet\n");
        tree_file(t, ETC "/snapshot-update.timer", "[Timer]\n");
        tree_file(t, ETC "/resolv-uplink-override.service", "[Install]\nRequiredBy=network-online.target\n");
        tree_link(t, ETC "/multi-user.target.wants/kubelet.service", ETC "/kubelet.service");
        tree_link(t, ETC "/multi-user.target.wants/containerd.service",
                  "/lib/systemd/system/containerd.service");
        tree_link(t, ETC "/multi-user.target.wants/chrony.service", "/lib/systemd/system/chrony.service");
        tree_link(t, ETC "/multi-user.target.wants/gone.service", "/lib/systemd/system/gone.service");
        tree_link(t, ETC "/getty.target.wants/getty@tty1.service", "/lib/systemd/system/getty@.service");
        tree_link(t, ETC "/timers.target.wants/snapshot-update.timer", ETC "/snapshot-update.timer");
        tree_link(t, ETC "/network-online.target.requires/resolv-uplink-override.service",
                  "../resolv-uplink-override.service");
        tree_link(t, ETC "/kubelet.service.requires/resolv-uplink-override.service",
                  "../resolv-uplink-override.service");
        tree_link(t, ETC "/apt-daily.timer", "/dev/null");
        tree_file(t, ETC "/apt-daily-upgrade.service", ""); /* empty: masked too */
        tree_link(t, ETC "/systemd-timesyncd.service", "/dev/null");
        tree_link(t, ETC "/dbus-org.freedesktop.resolve1.service",
                  "/lib/systemd/system/systemd-resolved.service");
        tree_link(t, ETC "/default.target", "/lib/systemd/system/multi-user.target");
        tree_file(t, ETC "/containerd.service.d/exec_start.conf",
                  "[Service]\nExecStartPost=/sbin/iptables -P FORWARD ACCEPT\n");
        tree_file(t, ETC "/docker.service.d/clear_mount_propagation_flags.conf",
                  "[Service]\nMountFlags=shared\n");
        tree_file(t, ETC "/kubelet.service.d/10-containerd.conf", "[Service]\n");
        tree_file(t, ETC "/kubelet.service.d/README", "not a drop-in\n");
        tree_file(t, ETC "/kubelet.service.d/nested/20-deep.conf", "[Service]\n");
        tree_file(t, ETC "/multi-user.target.wants/sub/deep.service", "[Service]\n");
        tree_file(t, ETC "/user/ignored.service", "[Service]\n");
        tree_file(t, ETC "/README", "x");
        tree_file(t, ETC "/bad name.service", "x");
}

static void test_aks(void)
{
        static const char *const names[] = {
                "apt-daily-upgrade.service",
                "apt-daily.timer",
                "chrony.service",
                "containerd.service",
                "dbus-org.freedesktop.resolve1.service",
                "docker.service",
                "getty@tty1.service",
                "gone.service",
                "kubelet.service",
                "resolv-uplink-override.service",
                "snapshot-update.timer",
                "systemd-timesyncd.service",
        };
        GuestTree t;
        Inventory *inv;
        json_object *config, *units, *u;
        const char *detail = NULL;

        tree_new(&t);
        make_tree(&t);
        inv = tree_collect(&t, collect_systemd);
        config = json_get(inv->root, "config");
        units = json_get(config, "units");
        ASSERT_EQ(jlen(units, NULL), ELEMENTSOF(names));
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                ASSERT_STREQ(json_get_str(jat(units, i), "name"), names[i]);

        u = jfind(units, "name", "kubelet.service");
        ASSERT_TRUE(json_get_bool(u, "enabled", false));
        ASSERT_FALSE(json_get_bool(u, "masked", true));
        ASSERT_STREQ(json_get_str(u, "path"), ETC "/kubelet.service");
        ASSERT_STREQ(json_get_str(u, "origin"), "etc");
        ASSERT_NULL(json_get(u, "link_target"));
        ASSERT_EQ(jlen(u, "wanted_by"), 1);
        ASSERT_TRUE(jhas(u, "wanted_by", "multi-user.target"));
        ASSERT_EQ(jlen(u, "dropins"), 1);
        ASSERT_TRUE(jhas(u, "dropins", ETC "/kubelet.service.d/10-containerd.conf"));

        u = jfind(units, "name", "containerd.service");
        ASSERT_TRUE(json_get_bool(u, "enabled", false));
        ASSERT_NULL(json_get(u, "path"));
        ASSERT_STREQ(json_get_str(u, "origin"), "vendor");
        ASSERT_STREQ(json_get_str(u, "vendor_path"), VENDOR "/containerd.service");
        ASSERT_TRUE(jhas(u, "dropins", ETC "/containerd.service.d/exec_start.conf"));

        u = jfind(units, "name", "getty@tty1.service");
        ASSERT_STREQ(json_get_str(u, "origin"), "vendor"); /* through its template */
        ASSERT_STREQ(json_get_str(u, "vendor_path"), VENDOR "/getty@.service");
        ASSERT_TRUE(jhas(u, "wanted_by", "getty.target"));

        u = jfind(units, "name", "resolv-uplink-override.service");
        ASSERT_EQ(jlen(u, "wanted_by"), 2);
        ASSERT_EQ(jlen(u, "required_by"), 2);
        ASSERT_STREQ(jstr(u, "required_by.0"), "kubelet.service");
        ASSERT_STREQ(jstr(u, "required_by.1"), "network-online.target");
        ASSERT_STREQ(json_get_str(u, "origin"), "etc");

        u = jfind(units, "name", "apt-daily.timer");
        ASSERT_TRUE(json_get_bool(u, "masked", false));
        ASSERT_FALSE(json_get_bool(u, "enabled", true));
        ASSERT_STREQ(json_get_str(u, "origin"), "etc");
        ASSERT_STREQ(json_get_str(u, "vendor_path"), VENDOR "/apt-daily.timer");
        u = jfind(units, "name", "apt-daily-upgrade.service");
        ASSERT_TRUE(json_get_bool(u, "masked", false));
        ASSERT_NULL(json_get(u, "vendor_path"));
        ASSERT_TRUE(json_get_bool(jfind(units, "name", "systemd-timesyncd.service"), "masked", false));

        u = jfind(units, "name", "dbus-org.freedesktop.resolve1.service");
        ASSERT_STREQ(json_get_str(u, "path"), ETC "/dbus-org.freedesktop.resolve1.service");
        ASSERT_STREQ(json_get_str(u, "link_target"), VENDOR "/systemd-resolved.service");
        ASSERT_STREQ(json_get_str(u, "origin"), "vendor");
        ASSERT_FALSE(json_get_bool(u, "enabled", true));

        /* A drop-in for a unit that is not installed is inert; an enabled unit without a file is not. */
        u = jfind(units, "name", "docker.service");
        ASSERT_NULL(json_get(u, "origin"));
        ASSERT_FALSE(json_get_bool(u, "enabled", true));
        u = jfind(units, "name", "gone.service");
        ASSERT_NULL(json_get(u, "origin"));
        ASSERT_TRUE(json_get_bool(u, "enabled", false));
        ASSERT_EQ(count_findings(inv, "systemd.unit.dangling"), 1);
        detail = jstr(find_finding(inv, "systemd.unit.dangling"), "detail");
        ASSERT_TRUE(strstr(detail, "gone.service") != NULL);

        ASSERT_STREQ(json_get_str(config, "default_target"), "multi-user.target");
        ASSERT_STREQ(json_get_str(config, "default_target_source"), ETC "/default.target");

        tree_free(&t);
}

static void test_vendor_default_and_empty(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *config;

        tree_new(&t);
        /* No /etc/systemd/system at all: nothing configured, the vendor default target. */
        tree_link(&t, VENDOR "/default.target", "graphical.target");
        inv = tree_collect(&t, collect_systemd);
        config = json_get(inv->root, "config");
        ASSERT_EQ(jlen(config, "units"), 0);
        ASSERT_STREQ(json_get_str(config, "default_target"), "graphical.target");
        ASSERT_STREQ(json_get_str(config, "default_target_source"), VENDOR "/default.target");
        ASSERT_EQ(jlen(inv->findings, NULL), 0);
        tree_free(&t);

        tree_new(&t);
        tree_dir(&t, "/etc");
        inv = tree_collect(&t, collect_systemd);
        config = json_get(inv->root, "config");
        ASSERT_NULL(json_get(config, "default_target"));
        tree_free(&t);
}

static void test_hostile(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *units;
        char name[64];

        tree_new(&t);
        /* A link loop, a link out of the root, and more .wants entries than are read. */
        tree_link(&t, ETC "/multi-user.target.wants/loop.service", "loop.service");
        tree_link(&t, ETC "/multi-user.target.wants/escape.service", "../../../../../../../etc/passwd");
        for (unsigned i = 0; i < COLLECT_DIR_ITEMS_MAX + 5; i++) {
                snprintf(name, sizeof(name), ETC "/many.target.wants/u%05u.service", i);
                tree_link(&t, name, "/nonexistent");
        }
        inv = tree_collect(&t, collect_systemd);
        units = json_get(json_get(inv->root, "config"), "units");
        ASSERT_EQ(jlen(units, NULL), COLLECT_DIR_ITEMS_MAX + 2);
        ASSERT_EQ(count_findings(inv, "inspect.directory.truncated"), 1);
        ASSERT_NULL(json_get(jfind(units, "name", "loop.service"), "origin"));
        /* "../../etc/passwd" stays inside the guest: the guest has no /etc/passwd. */
        ASSERT_NULL(json_get(jfind(units, "name", "escape.service"), "origin"));
        tree_free(&t);
}

int main(void)
{
        RUN(test_aks);
        RUN(test_vendor_default_and_empty);
        RUN(test_hostile);
        TESTS_DONE();
}
