/* SPDX-License-Identifier: MIT */
/* Unit tests for the kernel-modules collector. */
#include <stdlib.h>
#include <string.h>

#include "guest-tree.h"

static void test_aks(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *config, *items, *files, *o;
        const char *detail = NULL;
        size_t n_cis = 0;

        tree_new(&t);
        tree_link(&t, "/lib", "usr/lib");
        /* AKS /etc/modprobe.d/CIS.conf (AgentBaker artifacts/modprobe-CIS.conf, abridged). */
        tree_file(&t, "/etc/modprobe.d/CIS.conf",
                  "# 3.5.1 Ensure DCCP is disabled\n"
                  "install dccp /bin/true\n"
                  "# 1.1.1.1 Ensure mounting of cramfs filesystems is disabled\n"
                  "install cramfs /bin/true\n"
                  "blacklist cramfs\n"
                  "install usb-storage /bin/true\n"
                  "blacklist usb-storage\n");
        /* systemd's /usr/lib/modprobe.d/systemd.conf (comments abridged). */
        tree_file(&t, "/usr/lib/modprobe.d/systemd.conf",
                  "# When bonding module is loaded, it creates bond0 by default due to max_bonds\n"
                  "options bonding max_bonds=0\n"
                  "\n"
                  "# Do the same for dummy0.\n"
                  "\n"
                  "options dummy numdummies=0\n");
        tree_file(&t, "/usr/lib/modprobe.d/blacklist.conf", "blacklist evbug\n");
        tree_file(&t, "/etc/modprobe.d/blacklist.conf", "blacklist evbug\nblacklist usbmouse\n");
        tree_file(&t, "/etc/modprobe.d/notes.txt", "install everything /bin/false\n");
        tree_file(&t, "/etc/modprobe.d/zz-bad.conf",
                  "include /etc/other.conf\ninstall cramfs\nblacklist ok\n");
        /* GB200 nodes: /etc/modules-load.d/nvidia-peermem.conf (config-differences.md section 8). */
        tree_file(&t, "/etc/modules-load.d/nvidia-peermem.conf", "nvidia-peermem\n");
        tree_file(&t, "/usr/lib/modules-load.d/fwupd-msr.conf", "# load MSR module at boot\nmsr\n");
        /* Debian: modules-load.d/modules.conf links to ../modules, read on its own. */
        tree_link(&t, "/etc/modules-load.d/modules.conf", "../modules");
        tree_file(&t, "/etc/modules",
                  "# /etc/modules: kernel modules to load at boot time.\n"
                  "nf_conntrack\n"
                  "loop max_loop=64\n");

        inv = tree_collect(&t, collect_kernel_modules);
        config = json_get(inv->root, "config");
        items = json_get(config, "kernel_modules");
        files = json_get(config, "kernel_module_files");

        /* modprobe.d by name across directories, then modules-load.d, then /etc/modules. */
        ASSERT_EQ(jlen(files, NULL), 8);
        ASSERT_STREQ(json_get_str(jat(files, 0), "path"), "/etc/modprobe.d/CIS.conf");
        ASSERT_STREQ(json_get_str(jat(files, 1), "path"), "/etc/modprobe.d/blacklist.conf");
        ASSERT_TRUE(jhas(json_get(jat(files, 1), "overridden"), NULL, "/usr/lib/modprobe.d/blacklist.conf"));
        ASSERT_STREQ(json_get_str(jat(files, 2), "path"), "/usr/lib/modprobe.d/systemd.conf");
        ASSERT_STREQ(json_get_str(jat(files, 2), "origin"), "vendor");
        ASSERT_STREQ(json_get_str(jat(files, 3), "path"), "/etc/modprobe.d/zz-bad.conf");
        ASSERT_STREQ(json_get_str(jat(files, 4), "path"), "/usr/lib/modules-load.d/fwupd-msr.conf");
        ASSERT_STREQ(json_get_str(jat(files, 5), "path"), "/etc/modules-load.d/modules.conf");
        ASSERT_FALSE(json_get_bool(jat(files, 5), "parsed", true));
        ASSERT_STREQ(json_get_str(jat(files, 6), "path"), "/etc/modules-load.d/nvidia-peermem.conf");
        ASSERT_STREQ(json_get_str(jat(files, 7), "path"), "/etc/modules");

        /* 5 + 2 + 2 + 1 (modprobe), 1 + 1 + 2 (load). */
        ASSERT_EQ(jlen(items, NULL), 14);
        for (size_t i = 0; i < jlen(items, NULL); i++)
                n_cis += strcmp(json_get_str(jat(items, i), "file"), "/etc/modprobe.d/CIS.conf") == 0;
        ASSERT_EQ(n_cis, 5);
        o = jat(items, 0);
        ASSERT_STREQ(json_get_str(o, "kind"), "modprobe");
        ASSERT_STREQ(json_get_str(o, "directive"), "install");
        ASSERT_STREQ(json_get_str(o, "module"), "dccp");
        ASSERT_STREQ(json_get_str(o, "args"), "/bin/true");
        ASSERT_EQ(json_get_int(o, "line", -1), 2);
        ASSERT_STREQ(json_get_str(o, "origin"), "etc");
        o = jat(items, 2);
        ASSERT_STREQ(json_get_str(o, "directive"), "blacklist");
        ASSERT_NULL(json_get(o, "args"));
        o = jfind(items, "module", "bonding");
        ASSERT_STREQ(json_get_str(o, "args"), "max_bonds=0");
        ASSERT_STREQ(json_get_str(o, "origin"), "vendor");
        o = jfind(items, "module", "msr");
        ASSERT_STREQ(json_get_str(o, "kind"), "load");
        ASSERT_NULL(json_get(o, "directive"));
        ASSERT_EQ(json_get_int(o, "line", -1), 2);
        o = jfind(items, "module", "loop");
        ASSERT_STREQ(json_get_str(o, "file"), "/etc/modules");
        ASSERT_STREQ(json_get_str(o, "args"), "max_loop=64");
        ASSERT_STREQ(json_get_str(jat(items, jlen(items, NULL) - 1), "module"), "loop");
        ASSERT_NOT_NULL(jfind(items, "module", "nvidia-peermem"));
        ASSERT_NULL(jfind(items, "module", "everything"));

        ASSERT_EQ(count_findings(inv, "kernel-modules.line.invalid"), 1);
        detail = jstr(find_finding(inv, "kernel-modules.line.invalid"), "detail");
        ASSERT_TRUE(strstr(detail, "zz-bad.conf") != NULL && strstr(detail, "2 line(s)") != NULL);

        tree_free(&t);
}

static void test_hostile(void)
{
        GuestTree t;
        Inventory *inv;
        static const char bin[] = "\x7f"
                                  "ELF\x02\x01\x01\0\0\0\n\xff\xfe\xfd\nblacklist \xc3\x28\n";
        json_object *items;

        tree_new(&t);
        tree_file_n(&t, "/etc/modprobe.d/binary.conf", bin, sizeof(bin) - 1);
        tree_file_n(&t, "/etc/modules", bin, sizeof(bin) - 1);
        tree_link(&t, "/etc/modules-load.d/masked.conf", "/dev/null");
        inv = tree_collect(&t, collect_kernel_modules);
        items = json_get(json_get(inv->root, "config"), "kernel_modules");
        /* modprobe.d: only the blacklist line; /etc/modules: "\xff\xfe\xfd" and "blacklist" lines. */
        ASSERT_EQ(jlen(items, NULL), 3);
        ASSERT_STREQ(json_get_str(jat(items, 0), "module"), "\xef\xbf\xbd("); /* invalid UTF-8 replaced */
        ASSERT_EQ(count_findings(inv, "kernel-modules.line.invalid"), 2);
        ASSERT_TRUE(json_get_bool(jat(json_get(json_get(inv->root, "config"), "kernel_module_files"), 1),
                                  "masked", false));
        tree_free(&t);
}

int main(void)
{
        RUN(test_aks);
        RUN(test_hostile);
        TESTS_DONE();
}
