/* SPDX-License-Identifier: MIT */
/* Unit tests for the sysctl collector: sysctl.d(5) order, overrides, masking, effective values. */
#include <stdlib.h>
#include <string.h>

#include "guest-tree.h"

/* The entry for key in file, or NULL. */
static json_object *entry(json_object *items, const char *file, const char *key)
{
        for (size_t i = 0; i < jlen(items, NULL); i++) {
                json_object *o = jat(items, i);
                if (strcmp(json_get_str(o, "file"), file) == 0 && strcmp(json_get_str(o, "key"), key) == 0)
                        return o;
        }
        return NULL;
}

static void test_aks(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *config, *items, *files, *e;
        const char *detail = NULL;

        tree_new(&t);
        tree_link(&t, "/lib", "usr/lib");
        /* systemd's vendor files (50-default.conf abridged, 50-pid-max.conf verbatim). */
        tree_file(&t, "/usr/lib/sysctl.d/50-default.conf",
                  "# Source route verification\n"
                  "net.ipv4.conf.default.rp_filter = 2\n"
                  "net.ipv4.conf.*.rp_filter = 2\n"
                  "-net.ipv4.conf.all.rp_filter\n"
                  "kernel.core_uses_pid = 1\n");
        tree_file(&t, "/usr/lib/sysctl.d/50-pid-max.conf", "kernel.pid_max = 4194304\n");
        tree_link(&t, "/etc/sysctl.d/50-pid-max.conf", "/dev/null"); /* masked by the admin */
        /* AKS: 60-CIS.conf (abridged), 99-force-bridge-forward.conf, 999-sysctl-aks.conf (abridged). */
        tree_file(&t, "/etc/sysctl.d/60-CIS.conf",
                  "# 3.1.2 Ensure packet redirect sending is disabled\n"
                  "net.ipv4.conf.all.send_redirects = 0\n"
                  "net.ipv4.conf.default.send_redirects = 0\n"
                  "kernel.pid_max = 4194304\n");
        tree_file(&t, "/etc/sysctl.d/99-force-bridge-forward.conf",
                  "net.ipv4.ip_forward = 1\n"
                  "net.ipv4.conf.all.forwarding = 1\n"
                  "net.ipv6.conf.all.forwarding = 1\n"
                  "net.bridge.bridge-nf-call-iptables = 1");
        tree_file(&t, "/etc/sysctl.d/999-sysctl-aks.conf",
                  "net.ipv4.tcp_retries2=8\nnet/core/somaxconn=16384\n");
        /* Debian/Ubuntu: 99-sysctl.conf links to ../sysctl.conf, which is read last. */
        tree_link(&t, "/etc/sysctl.d/99-sysctl.conf", "../sysctl.conf");
        tree_file(&t, "/etc/sysctl.conf", "#net.ipv4.ip_forward=1\nnet.ipv4.ip_forward = 0\n");
        tree_file(&t, "/etc/sysctl.d/README.sysctl", "net.ipv4.ip_forward = 7\n");
        tree_file(&t, "/etc/sysctl.d/zz-bad.conf", "this is not an assignment\nvm.ok = 1\nnor this\n");
        tree_dir(&t, "/etc/sysctl.d/subdir.conf");

        inv = tree_collect(&t, collect_sysctl);
        config = json_get(inv->root, "config");
        items = json_get(config, "sysctl");
        files = json_get(config, "sysctl_files");

        /* Files in application order. */
        ASSERT_EQ(jlen(files, NULL), 8);
        ASSERT_STREQ(json_get_str(jat(files, 0), "path"), "/usr/lib/sysctl.d/50-default.conf");
        ASSERT_STREQ(json_get_str(jat(files, 0), "origin"), "vendor");
        ASSERT_STREQ(json_get_str(jat(files, 1), "path"), "/etc/sysctl.d/50-pid-max.conf");
        ASSERT_TRUE(json_get_bool(jat(files, 1), "masked", false));
        ASSERT_FALSE(json_get_bool(jat(files, 1), "parsed", true));
        ASSERT_TRUE(jhas(json_get(jat(files, 1), "overridden"), NULL, "/usr/lib/sysctl.d/50-pid-max.conf"));
        ASSERT_STREQ(json_get_str(jat(files, 2), "path"), "/etc/sysctl.d/60-CIS.conf");
        ASSERT_STREQ(json_get_str(jat(files, 4), "path"), "/etc/sysctl.d/99-sysctl.conf");
        ASSERT_STREQ(json_get_str(jat(files, 4), "target"), "/etc/sysctl.conf");
        ASSERT_FALSE(json_get_bool(jat(files, 4), "parsed", true));
        ASSERT_STREQ(json_get_str(jat(files, 5), "path"), "/etc/sysctl.d/999-sysctl-aks.conf");
        ASSERT_STREQ(json_get_str(jat(files, 6), "path"), "/etc/sysctl.d/zz-bad.conf");
        ASSERT_STREQ(json_get_str(jat(files, 7), "path"), "/etc/sysctl.conf");

        /* 4 + 3 + 4 + 2 + 1 + 1 assignments. */
        ASSERT_EQ(jlen(items, NULL), 15);
        e = entry(items, "/etc/sysctl.d/60-CIS.conf", "net.ipv4.conf.all.send_redirects");
        ASSERT_NOT_NULL(e);
        ASSERT_STREQ(json_get_str(e, "value"), "0");
        ASSERT_EQ(json_get_int(e, "line", -1), 2);
        ASSERT_STREQ(json_get_str(e, "origin"), "etc");
        ASSERT_TRUE(json_get_bool(e, "effective", false));
        ASSERT_FALSE(json_get_bool(e, "ignore_errors", true));
        /* The masked vendor file contributes nothing: 60-CIS.conf sets pid_max. */
        ASSERT_TRUE(json_get_bool(entry(items, "/etc/sysctl.d/60-CIS.conf", "kernel.pid_max"), "effective",
                                  false));
        ASSERT_NULL(entry(items, "/usr/lib/sysctl.d/50-pid-max.conf", "kernel.pid_max"));
        /* /etc/sysctl.conf comes last and wins over 99-force-bridge-forward.conf. */
        ASSERT_FALSE(json_get_bool(
                entry(items, "/etc/sysctl.d/99-force-bridge-forward.conf", "net.ipv4.ip_forward"),
                "effective", true));
        e = entry(items, "/etc/sysctl.conf", "net.ipv4.ip_forward");
        ASSERT_TRUE(json_get_bool(e, "effective", false));
        ASSERT_STREQ(json_get_str(e, "value"), "0");
        ASSERT_EQ(json_get_int(e, "line", -1), 2);
        /* Slash keys are normalised. */
        ASSERT_TRUE(json_get_bool(entry(items, "/etc/sysctl.d/999-sysctl-aks.conf", "net.core.somaxconn"),
                                  "effective", false));
        /* Exclusions carry no value and are never in effect. */
        e = entry(items, "/usr/lib/sysctl.d/50-default.conf", "net.ipv4.conf.all.rp_filter");
        ASSERT_NOT_NULL(e);
        ASSERT_NULL(json_get(e, "value"));
        ASSERT_TRUE(json_get_bool(e, "ignore_errors", false));
        ASSERT_FALSE(json_get_bool(e, "effective", true));

        ASSERT_EQ(count_findings(inv, "sysctl.line.invalid"), 1);
        detail = jstr(find_finding(inv, "sysctl.line.invalid"), "detail");
        ASSERT_TRUE(strstr(detail, "2 line(s)") != NULL && strstr(detail, "line 1") != NULL);

        tree_free(&t);
}

static void test_none(void)
{
        GuestTree t;
        Inventory *inv;

        tree_new(&t);
        tree_dir(&t, "/etc");
        inv = tree_collect(&t, collect_sysctl);
        ASSERT_EQ(jlen(inv->root, "config.sysctl"), 0);
        ASSERT_EQ(jlen(inv->root, "config.sysctl_files"), 0);
        ASSERT_EQ(jlen(inv->findings, NULL), 0);
        tree_free(&t);
}

static void test_hostile(void)
{
        GuestTree t;
        Inventory *inv;
        static const char bin[] = "kernel.x = \xff\xfe\n\0\0\0\nkernel.y\0 = 1\n";
        json_object *items;

        tree_new(&t);
        tree_file_filled(&t, "/etc/sysctl.d/10-huge.conf", 'a', CONFIG_FILE_MAX + 1);
        tree_file_n(&t, "/etc/sysctl.d/20-binary.conf", bin, sizeof(bin) - 1);
        tree_link(&t, "/etc/sysctl.d/30-dangling.conf", "/nonexistent");
        tree_link(&t, "/etc/sysctl.d/40-loop.conf", "40-loop.conf");
        inv = tree_collect(&t, collect_sysctl);
        items = json_get(json_get(inv->root, "config"), "sysctl");
        ASSERT_EQ(jlen(items, NULL), 1);
        ASSERT_STREQ(json_get_str(jat(items, 0), "value"), "\xef\xbf\xbd\xef\xbf\xbd"); /* U+FFFD twice */
        ASSERT_EQ(count_findings(inv, "inspect.file.too-large"), 1);
        ASSERT_EQ(count_findings(inv, "sysctl.line.invalid"), 1);
        tree_free(&t);
}

int main(void)
{
        RUN(test_aks);
        RUN(test_none);
        RUN(test_hostile);
        TESTS_DONE();
}
