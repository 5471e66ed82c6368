/* SPDX-License-Identifier: MIT */
/* Unit tests for the systemd collector. */
#include <stdlib.h>
#include <string.h>

#include "collect-tree.h"
#include "inspect/conf-files.h"

#define ETC    "/etc/systemd/system"
#define VENDOR "/usr/lib/systemd/system"

/* What AKS provisioning leaves under /etc/systemd/system on Ubuntu (AgentBaker
 * vhdbuilder/packer/packer_source.sh and install-dependencies.sh; see config-differences.md
 * sections 6, 7 and 9), with a vendor unit tree on a merged /usr. */
static void make_tree(const char *root)
{
        tree_dir(root, "/usr/lib/systemd/system");
        tree_link(root, "/lib", "usr/lib");
        tree_file(root, VENDOR "/containerd.service", "[Service]\nExecStart=/usr/bin/containerd\n");
        tree_file(root, VENDOR "/chrony.service", "[Service]\n");
        tree_file(root, VENDOR "/getty@.service", "[Service]\n");
        tree_file(root, VENDOR "/systemd-resolved.service", "[Service]\n");
        tree_file(root, VENDOR "/systemd-timesyncd.service", "[Service]\n");
        tree_file(root, VENDOR "/apt-daily.timer", "[Timer]\n");
        tree_file(root, VENDOR "/multi-user.target", "[Unit]\n");
        tree_link(root, VENDOR "/default.target", "graphical.target");

        tree_file(root, ETC "/kubelet.service", "[Service]\nExecStart=/opt/bin/kubelet\n");
        tree_file(root, ETC "/snapshot-update.timer", "[Timer]\n");
        tree_file(root, ETC "/resolv-uplink-override.service",
                  "[Install]\nRequiredBy=network-online.target\n");
        tree_link(root, ETC "/multi-user.target.wants/kubelet.service", ETC "/kubelet.service");
        tree_link(root, ETC "/multi-user.target.wants/containerd.service",
                  "/lib/systemd/system/containerd.service");
        tree_link(root, ETC "/multi-user.target.wants/chrony.service", "/lib/systemd/system/chrony.service");
        tree_link(root, ETC "/multi-user.target.wants/gone.service", "/lib/systemd/system/gone.service");
        tree_link(root, ETC "/getty.target.wants/getty@tty1.service", "/lib/systemd/system/getty@.service");
        tree_link(root, ETC "/timers.target.wants/snapshot-update.timer", ETC "/snapshot-update.timer");
        tree_link(root, ETC "/network-online.target.requires/resolv-uplink-override.service",
                  "../resolv-uplink-override.service");
        tree_link(root, ETC "/kubelet.service.requires/resolv-uplink-override.service",
                  "../resolv-uplink-override.service");
        tree_link(root, ETC "/apt-daily.timer", "/dev/null");
        tree_file(root, ETC "/apt-daily-upgrade.service", ""); /* empty: masked too */
        tree_link(root, ETC "/systemd-timesyncd.service", "/dev/null");
        tree_link(root, ETC "/dbus-org.freedesktop.resolve1.service",
                  "/lib/systemd/system/systemd-resolved.service");
        tree_link(root, ETC "/default.target", "/lib/systemd/system/multi-user.target");
        tree_file(root, ETC "/containerd.service.d/exec_start.conf",
                  "[Service]\nExecStartPost=/sbin/iptables -P FORWARD ACCEPT\n");
        tree_file(root, ETC "/docker.service.d/clear_mount_propagation_flags.conf",
                  "[Service]\nMountFlags=shared\n");
        tree_file(root, ETC "/kubelet.service.d/10-containerd.conf", "[Service]\n");
        tree_file(root, ETC "/kubelet.service.d/README", "not a drop-in\n");
        tree_file(root, ETC "/kubelet.service.d/nested/20-deep.conf", "[Service]\n");
        tree_file(root, ETC "/multi-user.target.wants/sub/deep.service", "[Service]\n");
        tree_file(root, ETC "/user/ignored.service", "[Service]\n");
        tree_file(root, ETC "/README", "x");
        tree_file(root, ETC "/bad name.service", "x");
}

static Inventory *run_systemd(const char *root)
{
        Guest *g = tree_guest(root);
        Inventory *inv = NULL;
        InspectContext c;

        ASSERT_OK(inventory_new(&inv));
        c = (InspectContext){ .guest = g, .inv = inv, .layout = NULL };
        ASSERT_OK(collect_systemd(&c));
        guest_free(g);
        return inv;
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
        char *root = tree_new();
        Inventory *inv;
        json_object *config, *units, *u;
        const char *detail = NULL;

        make_tree(root);
        inv = run_systemd(root);
        config = json_get(inv->root, "config");
        units = json_get(config, "units");
        ASSERT_EQ(json_len(units), ELEMENTSOF(names));
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                ASSERT_STREQ(json_get_str(json_at(units, i), "name"), names[i]);

        u = json_find(units, "name", "kubelet.service");
        ASSERT_TRUE(json_get_bool(u, "enabled", false));
        ASSERT_FALSE(json_get_bool(u, "masked", true));
        ASSERT_STREQ(json_get_str(u, "path"), ETC "/kubelet.service");
        ASSERT_STREQ(json_get_str(u, "origin"), "etc");
        ASSERT_NULL(json_get(u, "link_target"));
        ASSERT_EQ(json_len(json_get(u, "wanted_by")), 1);
        ASSERT_TRUE(json_strv_has(json_get(u, "wanted_by"), "multi-user.target"));
        ASSERT_EQ(json_len(json_get(u, "dropins")), 1);
        ASSERT_TRUE(json_strv_has(json_get(u, "dropins"), ETC "/kubelet.service.d/10-containerd.conf"));

        u = json_find(units, "name", "containerd.service");
        ASSERT_TRUE(json_get_bool(u, "enabled", false));
        ASSERT_NULL(json_get(u, "path"));
        ASSERT_STREQ(json_get_str(u, "origin"), "vendor");
        ASSERT_STREQ(json_get_str(u, "vendor_path"), VENDOR "/containerd.service");
        ASSERT_TRUE(json_strv_has(json_get(u, "dropins"), ETC "/containerd.service.d/exec_start.conf"));

        u = json_find(units, "name", "getty@tty1.service");
        ASSERT_STREQ(json_get_str(u, "origin"), "vendor"); /* through its template */
        ASSERT_STREQ(json_get_str(u, "vendor_path"), VENDOR "/getty@.service");
        ASSERT_TRUE(json_strv_has(json_get(u, "wanted_by"), "getty.target"));

        u = json_find(units, "name", "resolv-uplink-override.service");
        ASSERT_EQ(json_len(json_get(u, "wanted_by")), 2);
        ASSERT_EQ(json_len(json_get(u, "required_by")), 2);
        ASSERT_STREQ(json_object_get_string(json_at(json_get(u, "required_by"), 0)), "kubelet.service");
        ASSERT_STREQ(json_object_get_string(json_at(json_get(u, "required_by"), 1)),
                     "network-online.target");
        ASSERT_STREQ(json_get_str(u, "origin"), "etc");

        u = json_find(units, "name", "apt-daily.timer");
        ASSERT_TRUE(json_get_bool(u, "masked", false));
        ASSERT_FALSE(json_get_bool(u, "enabled", true));
        ASSERT_STREQ(json_get_str(u, "origin"), "etc");
        ASSERT_STREQ(json_get_str(u, "vendor_path"), VENDOR "/apt-daily.timer");
        u = json_find(units, "name", "apt-daily-upgrade.service");
        ASSERT_TRUE(json_get_bool(u, "masked", false));
        ASSERT_NULL(json_get(u, "vendor_path"));
        ASSERT_TRUE(json_get_bool(json_find(units, "name", "systemd-timesyncd.service"), "masked", false));

        u = json_find(units, "name", "dbus-org.freedesktop.resolve1.service");
        ASSERT_STREQ(json_get_str(u, "path"), ETC "/dbus-org.freedesktop.resolve1.service");
        ASSERT_STREQ(json_get_str(u, "link_target"), VENDOR "/systemd-resolved.service");
        ASSERT_STREQ(json_get_str(u, "origin"), "vendor");
        ASSERT_FALSE(json_get_bool(u, "enabled", true));

        /* A drop-in for a unit that is not installed is inert; an enabled unit without a file is not. */
        u = json_find(units, "name", "docker.service");
        ASSERT_NULL(json_get(u, "origin"));
        ASSERT_FALSE(json_get_bool(u, "enabled", true));
        u = json_find(units, "name", "gone.service");
        ASSERT_NULL(json_get(u, "origin"));
        ASSERT_TRUE(json_get_bool(u, "enabled", false));
        ASSERT_EQ(count_findings(inv, "systemd.unit.dangling", &detail), 1);
        ASSERT_TRUE(strstr(detail, "gone.service") != NULL);

        ASSERT_STREQ(json_get_str(config, "default_target"), "multi-user.target");
        ASSERT_STREQ(json_get_str(config, "default_target_source"), ETC "/default.target");

        inventory_free(inv);
        tree_free(root);
}

static void test_vendor_default_and_empty(void)
{
        char *root = tree_new();
        Inventory *inv;
        json_object *config;

        /* No /etc/systemd/system at all: nothing configured, the vendor default target. */
        tree_link(root, VENDOR "/default.target", "graphical.target");
        inv = run_systemd(root);
        config = json_get(inv->root, "config");
        ASSERT_EQ(json_len(json_get(config, "units")), 0);
        ASSERT_STREQ(json_get_str(config, "default_target"), "graphical.target");
        ASSERT_STREQ(json_get_str(config, "default_target_source"), VENDOR "/default.target");
        ASSERT_EQ(json_len(inv->findings), 0);
        inventory_free(inv);
        tree_free(root);

        root = tree_new();
        tree_dir(root, "/etc");
        inv = run_systemd(root);
        config = json_get(inv->root, "config");
        ASSERT_NULL(json_get(config, "default_target"));
        inventory_free(inv);
        tree_free(root);
}

static void test_hostile(void)
{
        char *root = tree_new();
        Inventory *inv;
        json_object *units;
        char name[64];

        /* A link loop, a link out of the root, and more .wants entries than are read. */
        tree_link(root, ETC "/multi-user.target.wants/loop.service", "loop.service");
        tree_link(root, ETC "/multi-user.target.wants/escape.service", "../../../../../../../etc/passwd");
        for (unsigned i = 0; i < COLLECT_DIR_ITEMS_MAX + 5; i++) {
                snprintf(name, sizeof(name), ETC "/many.target.wants/u%05u.service", i);
                tree_link(root, name, "/nonexistent");
        }
        inv = run_systemd(root);
        units = json_get(json_get(inv->root, "config"), "units");
        ASSERT_EQ(json_len(units), COLLECT_DIR_ITEMS_MAX + 2);
        ASSERT_EQ(count_findings(inv, "inspect.directory.truncated", NULL), 1);
        ASSERT_NULL(json_get(json_find(units, "name", "loop.service"), "origin"));
        /* "../../etc/passwd" stays inside the guest: the guest has no /etc/passwd. */
        ASSERT_NULL(json_get(json_find(units, "name", "escape.service"), "origin"));
        inventory_free(inv);
        tree_free(root);
}

int main(void)
{
        RUN(test_aks);
        RUN(test_vendor_default_and_empty);
        RUN(test_hostile);
        TESTS_DONE();
}
