/* SPDX-License-Identifier: MIT */
/* Unit tests for src/inspect/collect-apt.c on guest trees built in a temporary directory. */
#include "guest-tree.h"

/* An AKS Ubuntu 22.04 node: cloud-init's sources.list (abridged) and the list
 * packages-microsoft-prod installs (Azure/AgentBaker installDeps, updateAptWithMicrosoftPkg). */
static const char sources_list[] =
        "## Note, this file is written by cloud-init on first boot of an instance\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy main restricted\n"
        "# deb-src http://azure.archive.ubuntu.com/ubuntu/ jammy main restricted\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy-updates main restricted\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy universe\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy-updates universe\n"
        "deb http://azure.archive.ubuntu.com/ubuntu jammy multiverse\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy-security main restricted\n";

static const char microsoft_prod_list[] =
        "deb [arch=amd64,armhf,arm64] https://packages.microsoft.com/ubuntu/22.04/prod jammy main\n";

static void test_aks_jammy(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *cfg, *s;

        tree_new(&t);
        tree_file(&t, "etc/apt/sources.list", sources_list);
        tree_file(&t, "etc/apt/sources.list.d/microsoft-prod.list", microsoft_prod_list);
        tree_file(&t, "etc/apt/sources.list.d/deadsnakes-ubuntu-ppa-jammy.list",
                  "deb https://ppa.launchpadcontent.net/deadsnakes/ppa/ubuntu/ jammy main\n"
                  "deb stable main\n");
        tree_file(&t, "etc/apt/sources.list.d/docker.sources",
                  "Types: deb\nURIs: https://download.docker.com/linux/ubuntu\nSuites: jammy\n"
                  "Components: stable\nSigned-By: /etc/apt/keyrings/docker.asc\nEnabled: no\n");
        /* Names apt ignores. */
        tree_file(&t, "etc/apt/sources.list.d/old.list.save", "deb http://x.example/ a b\n");
        tree_file(&t, "etc/apt/sources.list.d/bad name.list", "deb http://x.example/ a b\n");
        tree_file(&t, "etc/apt/sources.list.d/.hidden.list", "deb http://x.example/ a b\n");
        /* AgentBaker's apt pinning file, and fragments. */
        tree_file(&t, "etc/apt/preferences", "Package: *\nPin: release o=Ubuntu\nPin-Priority: 500\n");
        tree_file(&t, "etc/apt/preferences.d/nvidia.pref", "Package: *\nPin: origin x\nPin-Priority: 600\n");
        tree_file(&t, "etc/apt/preferences.d/nopin", "Package: a\nPin: version 1\nPin-Priority: 1001\n");
        tree_file(&t, "etc/apt/preferences.d/backup.bak", "x\n");
        tree_file(&t, "etc/apt/trusted.gpg.d/microsoft.gpg", "\x99\x01");
        tree_file(&t, "etc/apt/trusted.gpg.d/ubuntu-keyring-2018-archive.gpg", "\x99\x02");
        tree_file(&t, "etc/apt/keyrings/docker.asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n");

        inv = tree_collect(&t, collect_apt);
        cfg = jpath(inv->root, "config");
        ASSERT_EQ(jlen(cfg, "apt_sources"), 6);

        /* jammy main restricted + universe + multiverse, the last one without a trailing '/'. */
        s = jpath(cfg, "apt_sources.0");
        ASSERT_STREQ(jstr(s, "file"), "/etc/apt/sources.list");
        ASSERT_EQ(jint(s, "line"), 2);
        ASSERT_STREQ(jstr(s, "format"), "one-line");
        ASSERT_STREQ(jstr(s, "type"), "deb");
        ASSERT_STREQ(jstr(s, "uri"), "http://azure.archive.ubuntu.com/ubuntu/");
        ASSERT_STREQ(jstr(s, "suite"), "jammy");
        ASSERT_EQ(jlen(s, "components"), 4);
        ASSERT_STREQ(jstr(s, "components.2"), "universe");
        ASSERT_STREQ(jstr(s, "components.3"), "multiverse");
        ASSERT_EQ(jlen(s, "locations"), 3);
        ASSERT_EQ(jint(s, "locations.2.line"), 7);
        ASSERT_TRUE(jbool(s, "enabled"));
        ASSERT_STREQ(jstr(s, "origin"), "ubuntu");
        ASSERT_FALSE(jbool(s, "ppa"));
        ASSERT_EQ(json_object_object_length(jpath(s, "options")), 0);

        ASSERT_STREQ(jstr(cfg, "apt_sources.1.suite"), "jammy-updates");
        ASSERT_EQ(jlen(cfg, "apt_sources.1.components"), 3);
        ASSERT_STREQ(jstr(cfg, "apt_sources.2.suite"), "jammy-security");

        /* sources.list.d in name order: deadsnakes, docker, microsoft-prod. */
        s = jpath(cfg, "apt_sources.3");
        ASSERT_STREQ(jstr(s, "origin"), "ppa");
        ASSERT_TRUE(jbool(s, "ppa"));
        s = jpath(cfg, "apt_sources.4");
        ASSERT_STREQ(jstr(s, "file"), "/etc/apt/sources.list.d/docker.sources");
        ASSERT_STREQ(jstr(s, "format"), "deb822");
        ASSERT_FALSE(jbool(s, "enabled"));
        ASSERT_STREQ(jstr(s, "origin"), "third-party");
        ASSERT_STREQ(jstr(s, "options.signed-by"), "/etc/apt/keyrings/docker.asc");
        s = jpath(cfg, "apt_sources.5");
        ASSERT_STREQ(jstr(s, "file"), "/etc/apt/sources.list.d/microsoft-prod.list");
        ASSERT_STREQ(jstr(s, "uri"), "https://packages.microsoft.com/ubuntu/22.04/prod");
        ASSERT_STREQ(jstr(s, "origin"), "microsoft");
        ASSERT_STREQ(jstr(s, "options.arch"), "amd64,armhf,arm64");

        /* "deb stable main" has no suite. */
        ASSERT_EQ(count_findings(inv, "apt.source.invalid"), 1);
        ASSERT_STREQ(jstr(find_finding(inv, "apt.source.invalid"), "resources.0"),
                     "/etc/apt/sources.list.d/deadsnakes-ubuntu-ppa-jammy.list");
        ASSERT_TRUE(strstr(jstr(find_finding(inv, "apt.source.invalid"), "detail"), "line 2") != NULL);

        ASSERT_EQ(jlen(cfg, "apt_preferences"), 3);
        ASSERT_STREQ(jstr(cfg, "apt_preferences.0"), "/etc/apt/preferences");
        ASSERT_STREQ(jstr(cfg, "apt_preferences.1"), "/etc/apt/preferences.d/nopin");
        ASSERT_STREQ(jstr(cfg, "apt_preferences.2"), "/etc/apt/preferences.d/nvidia.pref");

        ASSERT_EQ(jlen(cfg, "apt_keyrings"), 3);
        ASSERT_STREQ(jstr(cfg, "apt_keyrings.0"), "/etc/apt/keyrings/docker.asc");
        ASSERT_STREQ(jstr(cfg, "apt_keyrings.1"), "/etc/apt/trusted.gpg.d/microsoft.gpg");

        tree_free(&t);
}

static void test_noble(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *cfg;

        tree_new(&t);
        tree_file(&t, "etc/apt/sources.list",
                  "# Ubuntu sources have moved to /etc/apt/sources.list.d/ubuntu.sources\n");
        tree_file(&t, "etc/apt/sources.list.d/ubuntu.sources",
                  "Types: deb\n"
                  "URIs: http://azure.archive.ubuntu.com/ubuntu/\n"
                  "Suites: noble noble-updates noble-backports\n"
                  "Components: main universe restricted multiverse\n"
                  "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n"
                  "\n"
                  "Types: deb\n"
                  "URIs: http://azure.archive.ubuntu.com/ubuntu/\n"
                  "Suites: noble-security\n"
                  "Components: main universe restricted multiverse\n"
                  "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n");
        /* An authenticated private mirror: the password must not reach the inventory. */
        tree_file(&t, "etc/apt/sources.list.d/private.list",
                  "deb https://builder:hunter2@apt.corp.example/ubuntu noble main\n");
        inv = tree_collect(&t, collect_apt);
        cfg = jpath(inv->root, "config");
        ASSERT_EQ(jlen(cfg, "apt_sources"), 5);
        /* Files in name order: private.list, then ubuntu.sources. */
        ASSERT_STREQ(jstr(cfg, "apt_sources.0.uri"), "https://apt.corp.example/ubuntu");
        ASSERT_TRUE(jbool(cfg, "apt_sources.0.uri_had_credentials"));
        ASSERT_STREQ(jstr(cfg, "apt_sources.0.origin"), "third-party");
        ASSERT_STREQ(jstr(cfg, "apt_sources.1.suite"), "noble");
        ASSERT_STREQ(jstr(cfg, "apt_sources.1.format"), "deb822");
        ASSERT_EQ(jint(cfg, "apt_sources.1.line"), 1);
        ASSERT_STREQ(jstr(cfg, "apt_sources.2.suite"), "noble-updates");
        ASSERT_STREQ(jstr(cfg, "apt_sources.3.suite"), "noble-backports");
        ASSERT_EQ(jlen(cfg, "apt_sources.3.components"), 4);
        ASSERT_STREQ(jstr(cfg, "apt_sources.3.options.signed-by"),
                     "/usr/share/keyrings/ubuntu-archive-keyring.gpg");
        ASSERT_STREQ(jstr(cfg, "apt_sources.4.suite"), "noble-security");
        ASSERT_EQ(jint(cfg, "apt_sources.4.line"), 7);
        ASSERT_STREQ(jstr(cfg, "apt_sources.4.origin"), "ubuntu");
        ASSERT_NULL(strstr(json_object_to_json_string(inv->root), "hunter2"));
        ASSERT_EQ(jlen(cfg, "apt_preferences"), 0);
        ASSERT_EQ(jlen(cfg, "apt_keyrings"), 0);
        ASSERT_EQ(json_object_array_length(inv->findings), 0);
        tree_free(&t);
}

int main(void)
{
        RUN(test_aks_jammy);
        RUN(test_noble);
        TESTS_DONE();
}
