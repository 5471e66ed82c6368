/* SPDX-License-Identifier: MIT */
/* Unit tests for src/inspect/collect-certs.c on guest trees built in a temporary directory. */
#include <stdlib.h>

#include "guest-tree.h"

/* A PEM certificate's shape (body shortened: it is counted, never parsed). */
#define PEM_CERT                                                             \
        "-----BEGIN CERTIFICATE-----\n"                                      \
        "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n" \
        "-----END CERTIFICATE-----\n"

static void test_certs(void)
{
        /* A DER certificate is one SEQUENCE: 30 82 <len16> and exactly len bytes after the header. */
        unsigned char der[4 + 300] = { 0x30, 0x82, 0x01, 0x2c };
        GuestTree t;
        Inventory *inv;
        json_object *cfg, *a;

        tree_new(&t);
        /* What AKS puts there: the HTTP proxy CA and the custom CAs update_certs.sh copies. */
        tree_file(&t, "usr/local/share/ca-certificates/proxyCA.crt", PEM_CERT);
        tree_file(&t, "usr/local/share/ca-certificates/certs/00000000000000cert0.crt", PEM_CERT PEM_CERT);
        tree_file_n(&t, "usr/local/share/ca-certificates/corp-root.crt", der, sizeof(der));
        tree_file(&t, "usr/local/share/ca-certificates/notes.txt", "not a cert\n");
        tree_file(&t, "usr/local/share/ca-certificates/bundle.pem", PEM_CERT);
        tree_file(&t, "usr/local/share/ca-certificates/server.key",
                  "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n");
        tree_file(&t, "usr/local/share/ca-certificates/a/b/c/d/deep.crt", PEM_CERT);
        tree_file(&t, "usr/local/share/ca-certificates/a/b/c/d/e/too-deep.crt", PEM_CERT);
        tree_file(&t, "etc/ssl/extra/linked.crt", PEM_CERT);
        tree_link(&t, "usr/local/share/ca-certificates/linked.crt", "/etc/ssl/extra/linked.crt");
        tree_link(&t, "usr/local/share/ca-certificates/dangling.crt", "/nowhere.crt");
        tree_link(&t, "usr/local/share/ca-certificates/loop", ".");
        tree_file(&t, "opt/certs/00000000000000cert0.crt", PEM_CERT);

        inv = tree_collect(&t, collect_certs);
        cfg = jpath(inv->root, "config");
        a = jpath(cfg, "ca_certs");
        ASSERT_FALSE(jbool(cfg, "ca_certs_truncated"));

        /* Sorted by path; "loop" (a link to its own directory) adds copies down to the depth cap. */
        ASSERT_STREQ(jstr(a, "0.path"), "/opt/certs/00000000000000cert0.crt");
        ASSERT_STREQ(jstr(a, "0.source_dir"), "/opt/certs");
        ASSERT_FALSE(jbool(a, "0.used_by_update_ca_certificates"));
        ASSERT_EQ(jint(a, "0.pem_blocks"), 1);

        ASSERT_STREQ(jstr(a, "1.path"), "/usr/local/share/ca-certificates/a/b/c/d/deep.crt");
        ASSERT_STREQ(jstr(a, "2.path"), "/usr/local/share/ca-certificates/bundle.pem");
        ASSERT_STREQ(jstr(a, "2.format"), "pem");
        ASSERT_FALSE(jbool(a, "2.used_by_update_ca_certificates"));
        ASSERT_STREQ(jstr(a, "3.path"), "/usr/local/share/ca-certificates/certs/00000000000000cert0.crt");
        ASSERT_EQ(jint(a, "3.pem_blocks"), 2);
        ASSERT_TRUE(jbool(a, "3.used_by_update_ca_certificates"));
        ASSERT_STREQ(jstr(a, "4.path"), "/usr/local/share/ca-certificates/corp-root.crt");
        ASSERT_STREQ(jstr(a, "4.format"), "der");
        ASSERT_EQ(jint(a, "4.pem_blocks"), 0);
        ASSERT_EQ(jint(a, "4.size"), (int64_t) sizeof(der));
        ASSERT_STREQ(jstr(a, "5.path"), "/usr/local/share/ca-certificates/linked.crt");
        ASSERT_TRUE(jbool(a, "5.symlink"));
        ASSERT_EQ(jint(a, "5.pem_blocks"), 1);
        /* Then the copies through "loop", one level deeper each (a/b/c/d is too deep there). */
        ASSERT_STREQ(jstr(a, "6.path"), "/usr/local/share/ca-certificates/loop/bundle.pem");

        {
                size_t n = jlen(cfg, "ca_certs");
                bool key_seen = false, txt_seen = false, too_deep = false, proxy = false;

                for (size_t i = 0; i < n; i++) {
                        json_object *o = json_object_array_get_idx(a, i);
                        const char *p = jstr(o, "path");

                        if (strstr(p, "too-deep"))
                                too_deep = true;
                        if (streq(p, "/usr/local/share/ca-certificates/server.key")) {
                                key_seen = true;
                                ASSERT_FALSE(jbool(o, "read"));
                                ASSERT_TRUE(jnull(o, "pem_blocks"));
                                ASSERT_STREQ(jstr(o, "format"), "unknown");
                        }
                        if (streq(p, "/usr/local/share/ca-certificates/notes.txt")) {
                                txt_seen = true;
                                ASSERT_STREQ(jstr(o, "format"), "unknown");
                                ASSERT_FALSE(jbool(o, "used_by_update_ca_certificates"));
                        }
                        if (streq(p, "/usr/local/share/ca-certificates/proxyCA.crt"))
                                proxy = jbool(o, "used_by_update_ca_certificates") &&
                                        jint(o, "pem_blocks") == 1;
                        ASSERT_NULL(strstr(p, "dangling"));
                }
                ASSERT_TRUE(key_seen && txt_seen && proxy);
                ASSERT_FALSE(too_deep);
        }

        /* corp-root.crt is DER, which update-ca-certificates skips (loop/ holds copies of it). */
        ASSERT_TRUE(count_findings(inv, "certs.not-pem") >= 1);
        ASSERT_STREQ(jstr(find_finding(inv, "certs.not-pem"), "resources.0"),
                     "/usr/local/share/ca-certificates/corp-root.crt");
        ASSERT_NULL(strstr(json_object_to_json_string(inv->root), "PRIVATE"));

        tree_free(&t);
}

static void test_none(void)
{
        GuestTree t;
        Inventory *inv;

        tree_new(&t);
        inv = tree_collect(&t, collect_certs);
        ASSERT_EQ(jlen(inv->root, "config.ca_certs"), 0);
        ASSERT_FALSE(jbool(inv->root, "config.ca_certs_truncated"));
        tree_free(&t);
}

static void test_symlink_fanout(void)
{
        /* Eight links to the directory itself: 8^4 paths within the depth cap, each holding the
         * file again. The walk stops at the caps instead of trying them all. */
        GuestTree t;
        Inventory *inv;

        tree_new(&t);
        tree_file(&t, "usr/local/share/ca-certificates/x.crt", PEM_CERT);
        for (int i = 0; i < 8; i++) {
                char n[128];
                snprintf(n, sizeof(n), "usr/local/share/ca-certificates/l%d", i);
                tree_link(&t, n, ".");
        }
        inv = tree_collect(&t, collect_certs);
        ASSERT_EQ(jlen(inv->root, "config.ca_certs"), 1 + 8 + 64 + 512 + 4096);
        ASSERT_FALSE(jbool(inv->root, "config.ca_certs_truncated"));

        /* Twelve links: 12^4 directories. Cut at 100000 entries looked at (13 per directory),
         * before 10000 files, and said so. */
        for (int i = 8; i < 12; i++) {
                char n[128];
                snprintf(n, sizeof(n), "usr/local/share/ca-certificates/l%d", i);
                tree_link(&t, n, ".");
        }
        inv = tree_collect(&t, collect_certs);
        ASSERT_EQ(jlen(inv->root, "config.ca_certs"), 100000 / 13 - 2);
        ASSERT_TRUE(jbool(inv->root, "config.ca_certs_truncated"));
        tree_free(&t);
}

static void test_many_files(void)
{
        GuestTree t;
        Inventory *inv;

        tree_new(&t);
        for (int i = 0; i < 10005; i++) {
                char n[128];
                snprintf(n, sizeof(n), "opt/certs/c%05d.crt", i);
                tree_file(&t, n, "x");
        }
        inv = tree_collect(&t, collect_certs);
        ASSERT_EQ(jlen(inv->root, "config.ca_certs"), 10000);
        ASSERT_TRUE(jbool(inv->root, "config.ca_certs_truncated"));
        ASSERT_STREQ(jstr(inv->root, "config.ca_certs.9999.path"), "/opt/certs/c09999.crt");
        /* Not PEM, but /opt/certs is not what update-ca-certificates reads. */
        ASSERT_EQ(count_findings(inv, "certs.not-pem"), 0);
        tree_free(&t);
}

int main(void)
{
        RUN(test_certs);
        RUN(test_none);
        RUN(test_symlink_fanout);
        RUN(test_many_files);
        TESTS_DONE();
}
