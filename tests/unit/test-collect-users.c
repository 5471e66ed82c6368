/* SPDX-License-Identifier: MIT */
/* Unit tests for src/inspect/collect-users.c on guest trees built in a temporary directory. */
#include "guest-tree.h"

/* An AKS Ubuntu 22.04 node's account files (abridged), plus a second admin and odd lines. */
static const char passwd[] =
        "root:x:0:0:root:/root:/bin/bash\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "systemd-network:x:100:102:systemd Network Management,,,:/run/systemd:/usr/sbin/nologin\n"
        "syslog:x:104:111::/home/syslog:/usr/sbin/nologin\n"
        "_apt:x:105:65534::/nonexistent:/usr/sbin/nologin\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        "azureuser:x:1000:1000:Ubuntu:/home/azureuser:/bin/bash\n"
        "ops:x:1001:1001:Ops Team,,,:/home/ops:/bin/bash\n"
        "mallory:x:1002:1002::/home/mallory:/bin/sh\n"
        "relhome:x:1003:1003::home/rel:/bin/sh\n"
        "azureuser:x:1500:1500:shadowed duplicate:/home/dup:/bin/sh\n"
        "this:line:has:far:too:many:fields:for:passwd:a:b:c:d:e:f:g:h:i:j:k\n"
        "broken:x:notanumber:1::/:/bin/sh\n";

static const char group[] = "root:x:0:\n"
                            "adm:x:4:syslog,azureuser\n"
                            "sudo:x:27:azureuser\n"
                            "wheel:x:10:\n"
                            "nogroup:x:65534:\n"
                            "azureuser:x:1000:\n"
                            "ops:x:1001:\n"
                            "mallory:x:1002:\n"
                            "docker:x:1100:ops,azureuser\n"
                            "garbage line\n";

static const char shadow[] = "root:*:19800:0:99999:7:::\n"
                             "azureuser:!:19810:0:99999:7:::\n"
                             "ops:$6$abc$def:19811:0:99999:7:::\n";

static void test_users(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *cfg, *u;
        const char *s;

        tree_new(&t);
        tree_file(&t, "etc/passwd", passwd);
        tree_file(&t, "etc/group", group);
        tree_file(&t, "etc/shadow", shadow);
        /* cloud-init's rule for the admin user; sudo ignores names with a '.' or ending in '~'. */
        tree_file(&t, "etc/sudoers.d/90-cloud-init-users",
                  "# Created by cloud-init v. 23.1.2-0ubuntu0~22.04.1\n\n# User rules for azureuser\n"
                  "azureuser ALL=(ALL) NOPASSWD:ALL\n");
        tree_file(&t, "etc/sudoers.d/ops", "Defaults:ops !requiretty\n%docker ALL=(root) /usr/bin/docker\n");
        tree_file(&t, "etc/sudoers.d/mallory.disabled", "mallory ALL=(ALL) ALL\n");
        tree_file(&t, "etc/sudoers.d/mallory~", "mallory ALL=(ALL) ALL\n");
        tree_file(&t, "home/azureuser/.ssh/authorized_keys",
                  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 azureuser@aks\n"
                  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ0p ops@jump\n");
        /* A key file that points at /etc/shadow must be read inside the guest: the guest's
         * shadow file has exactly three lines (the host's has others), none of them a key. */
        tree_dir(&t, "home/mallory/.ssh");
        tree_link(&t, "home/mallory/.ssh/authorized_keys", "/etc/shadow");
        tree_file(&t, "home/ops/.ssh/authorized_keys", "");

        inv = tree_collect(&t, collect_users);
        cfg = jpath(inv->root, "config");

        ASSERT_EQ(jlen(cfg, "users"), 4);
        u = jpath(cfg, "users.0");
        ASSERT_STREQ(jstr(u, "name"), "azureuser");
        ASSERT_EQ(jint(u, "uid"), 1000);
        ASSERT_EQ(jint(u, "gid"), 1000);
        ASSERT_STREQ(jstr(u, "group"), "azureuser");
        ASSERT_STREQ(jstr(u, "gecos"), "Ubuntu");
        ASSERT_STREQ(jstr(u, "home"), "/home/azureuser");
        ASSERT_STREQ(jstr(u, "shell"), "/bin/bash");
        ASSERT_EQ(jlen(u, "groups"), 3);
        ASSERT_STREQ(jstr(u, "groups.0"), "adm");
        ASSERT_STREQ(jstr(u, "groups.1"), "docker");
        ASSERT_STREQ(jstr(u, "groups.2"), "sudo");
        ASSERT_STREQ(jstr(u, "authorized_keys.path"), "/home/azureuser/.ssh/authorized_keys");
        ASSERT_EQ(jint(u, "authorized_keys.count"), 2);
        ASSERT_EQ(jlen(u, "authorized_keys.types"), 2);
        ASSERT_STREQ(jstr(u, "authorized_keys.types.0"), "ssh-ed25519");
        ASSERT_STREQ(jstr(u, "authorized_keys.types.1"), "ssh-rsa");
        ASSERT_FALSE(jbool(u, "authorized_keys.symlink"));
        ASSERT_FALSE(jbool(u, "password_set"));
        ASSERT_TRUE(jbool(u, "sudo"));
        ASSERT_TRUE(jhas(u, "sudo_via", "group:sudo"));
        ASSERT_TRUE(jhas(u, "sudo_via", "/etc/sudoers.d/90-cloud-init-users"));
        ASSERT_TRUE(jhas(u, "sudo_via", "/etc/sudoers.d/ops")); /* %docker */

        u = jpath(cfg, "users.1");
        ASSERT_STREQ(jstr(u, "name"), "mallory");
        ASSERT_TRUE(jbool(u, "authorized_keys.symlink"));
        ASSERT_TRUE(jbool(u, "authorized_keys.readable"));
        ASSERT_EQ(jint(u, "authorized_keys.count"), 0);
        ASSERT_EQ(jint(u, "authorized_keys.unrecognized"), 3);
        ASSERT_FALSE(jbool(u, "sudo"));
        ASSERT_EQ(jlen(u, "sudo_via"), 0);
        ASSERT_TRUE(jnull(u, "password_set")); /* no shadow entry */

        u = jpath(cfg, "users.2");
        ASSERT_STREQ(jstr(u, "name"), "ops");
        ASSERT_STREQ(jstr(u, "gecos"), "Ops Team,,,");
        ASSERT_TRUE(jbool(u, "password_set"));
        ASSERT_EQ(jint(u, "authorized_keys.count"), 0);
        ASSERT_TRUE(jbool(u, "sudo")); /* through %docker */
        ASSERT_EQ(jlen(u, "sudo_via"), 1);

        u = jpath(cfg, "users.3");
        ASSERT_STREQ(jstr(u, "name"), "relhome");
        ASSERT_TRUE(jnull(u, "authorized_keys"));
        ASSERT_TRUE(jnull(u, "group"));

        /* System accounts, nobody among them; sorted by name. */
        ASSERT_EQ(jlen(cfg, "system_accounts"), 6);
        ASSERT_STREQ(jstr(cfg, "system_accounts.0.name"), "_apt");
        ASSERT_STREQ(jstr(cfg, "system_accounts.2.name"), "nobody");
        ASSERT_EQ(jint(cfg, "system_accounts.2.uid"), 65534);
        ASSERT_STREQ(jstr(cfg, "system_accounts.3.name"), "root");
        ASSERT_EQ(jint(cfg, "system_accounts.3.uid"), 0);

        ASSERT_EQ(jlen(cfg, "groups"), 4);
        ASSERT_STREQ(jstr(cfg, "groups.0.name"), "azureuser");
        ASSERT_STREQ(jstr(cfg, "groups.1.name"), "docker");
        ASSERT_EQ(jint(cfg, "groups.1.gid"), 1100);
        ASSERT_EQ(jlen(cfg, "groups.1.members"), 2);
        ASSERT_STREQ(jstr(cfg, "groups.1.members.0"), "azureuser");
        ASSERT_STREQ(jstr(cfg, "groups.1.members.1"), "ops");
        ASSERT_EQ(jlen(cfg, "system_groups"), 5);
        ASSERT_STREQ(jstr(cfg, "system_groups.2.name"), "root");
        ASSERT_STREQ(jstr(cfg, "system_groups.1.name"), "nogroup");

        /* One finding per file, with the count. */
        ASSERT_EQ(count_findings(inv, "users.passwd.invalid"), 2);
        s = jstr(find_finding(inv, "users.passwd.invalid"), "detail");
        ASSERT_TRUE(strstr(s, "2 line(s) of /etc/passwd were skipped (first: line 12)") != NULL);

        /* No hash, no key material in the inventory. */
        s = json_object_to_json_string(inv->root);
        ASSERT_NULL(strstr(s, "$6$"));
        ASSERT_NULL(strstr(s, "AAAA"));

        tree_free(&t);
}

static void test_no_files(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *cfg;

        tree_new(&t);
        inv = tree_collect(&t, collect_users);
        cfg = jpath(inv->root, "config");
        ASSERT_EQ(jlen(cfg, "users"), 0);
        ASSERT_EQ(jlen(cfg, "groups"), 0);
        ASSERT_EQ(jlen(cfg, "system_accounts"), 0);
        ASSERT_EQ(jlen(cfg, "system_groups"), 0);
        ASSERT_EQ(json_object_array_length(inv->findings), 0);
        tree_free(&t);
}

static void test_shadow_missing(void)
{
        GuestTree t;
        Inventory *inv;

        tree_new(&t);
        tree_file(&t, "etc/passwd", "azureuser:x:1000:1000::/home/azureuser:/bin/bash\n");
        /* A home that is a symlink leaving the guest: resolved inside it, so no keys. */
        tree_link(&t, "home/azureuser", "../../../../../../../../root");
        inv = tree_collect(&t, collect_users);
        ASSERT_TRUE(jnull(inv->root, "config.users.0.password_set"));
        ASSERT_TRUE(jnull(inv->root, "config.users.0.authorized_keys"));
        ASSERT_TRUE(jnull(inv->root, "config.users.0.group"));
        tree_free(&t);
}

int main(void)
{
        RUN(test_users);
        RUN(test_no_files);
        RUN(test_shadow_missing);
        TESTS_DONE();
}
