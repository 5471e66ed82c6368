/* SPDX-License-Identifier: MIT */
/* Unit tests for src/pkgdb: the deb822 iterator and the dpkg status parser. */
#include "pkgdb/deb822.h"
#include "pkgdb/dpkg-status.h"
#include "shared/strv.h"
#include "tests.h"

/* Stanzas as dpkg writes them on Ubuntu 22.04 (abridged descriptions). */
static const char status[] = "Package: libc6\n"
                             "Status: install ok installed\n"
                             "Priority: optional\n"
                             "Section: libs\n"
                             "Installed-Size: 13592\n"
                             "Maintainer: Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>\n"
                             "Architecture: amd64\n"
                             "Multi-Arch: same\n"
                             "Source: glibc\n"
                             "Version: 2.35-0ubuntu3.8\n"
                             "Replaces: libc6-amd64\n"
                             "Depends: libgcc-s1, libcrypt1 (>= 1:4.4.10-10ubuntu4)\n"
                             "Recommends: libidn2-0 (>= 2.0.5~)\n"
                             "Breaks: hurd (<< 1:0.9.git20170910-1), nscd (<< 2.35)\n"
                             "Conffiles:\n"
                             " /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab\n"
                             "Description: GNU C Library: Shared libraries\n"
                             " Contains the standard libraries that are used by nearly all programs on\n"
                             " the system.\n"
                             " .\n"
                             " This package includes shared versions of the standard C library.\n"
                             "Homepage: https://www.gnu.org/software/libc/libc.html\n"
                             "Original-Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\n"
                             "\n"
                             "Package: bind9-host\n"
                             "Status: install ok installed\n"
                             "Architecture: amd64\n"
                             "Source: bind9 (1:9.18.39-0ubuntu0.22.04.3)\n"
                             "Version: 1:9.18.39-0ubuntu0.22.04.3\n"
                             "Provides: host,\n"
                             " dnsutils (= 1:9.18.39)\n"
                             "Description: DNS Lookup Utility\n"
                             "\n"
                             "Package: walinuxagent\n"
                             "Status: hold ok installed\n"
                             "Architecture: amd64\n"
                             "Version: 2.15.0.1-0ubuntu0.22.04.1\n"
                             "Essential: no\n"
                             "\n"
                             "Package: old-removed\n"
                             "Status: deinstall ok config-files\n"
                             "Architecture: amd64\n"
                             "Version: 1.0\n"
                             "\n"
                             "Package: Bad/Name\n"
                             "Status: install ok installed\n"
                             "Version: 1.0\n"
                             "\n"
                             "Package: noversion\n"
                             "Status: install ok installed\n"
                             "\n"
                             "Package: badstatus\n"
                             "Status: install maybe installed\n"
                             "Version: 1\n"
                             "\r\n"
                             "Package: crlf\r\n"
                             "Status: install ok unpacked\r\n"
                             "Architecture: all\r\n"
                             "Version: 0.1\r\n";

static void test_deb822(void)
{
        static const char src[] = "# comment\n"
                                  "Types: deb\n"
                                  "URIs: http://azure.archive.ubuntu.com/ubuntu/\n"
                                  "Suites: noble noble-updates\n"
                                  " noble-backports\n"
                                  "Components: main restricted\n"
                                  "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n"
                                  "\n\n\n"
                                  " orphan continuation\n"
                                  "Types: deb\n"
                                  "no colon here\n";
        _cleanup_free_ char *folded = NULL;
        const Deb822Field *f;
        Deb822 d;

        deb822_init(&d, src, sizeof(src) - 1);
        ASSERT_EQ(deb822_next(&d), 1);
        ASSERT_EQ(d.n_fields, 5);
        f = deb822_get(&d, "suites");
        ASSERT_NOT_NULL(f);
        folded = deb822_value_folded(f);
        ASSERT_STREQ(folded, "noble noble-updates noble-backports");
        ASSERT_EQ(d.stanza_line, 2);
        ASSERT_EQ(deb822_next(&d), 1);
        ASSERT_EQ(d.n_fields, 1);
        ASSERT_EQ(d.bad_lines, 2);
        ASSERT_EQ(deb822_next(&d), 0);
        deb822_done(&d);
}

static void test_dpkg_status(void)
{
        _cleanup_(dpkg_status_freep) DpkgStatus *s = NULL;
        const DpkgPackage *p;

        ASSERT_OK(dpkg_status_parse(status, sizeof(status) - 1, &s));
        ASSERT_EQ(s->n_stanzas, 8);
        ASSERT_EQ(s->n_packages, 4);
        ASSERT_EQ(s->n_absent, 1);
        ASSERT_EQ(s->n_invalid, 3);
        ASSERT_EQ(strv_length(s->problems), 3);

        p = &s->packages[0];
        ASSERT_STREQ(p->name, "libc6");
        ASSERT_STREQ(p->version, "2.35-0ubuntu3.8");
        ASSERT_STREQ(p->arch, "amd64");
        ASSERT_STREQ(p->source, "glibc");
        ASSERT_NULL(p->source_version);
        ASSERT_STREQ(p->multi_arch, "same");
        ASSERT_UEQ(p->installed_size_kib, 13592);
        ASSERT_STREQ(p->state, "installed");

        p = &s->packages[1];
        ASSERT_STREQ(p->source, "bind9");
        ASSERT_STREQ(p->source_version, "1:9.18.39-0ubuntu0.22.04.3");
        ASSERT_EQ(strv_length(p->provides), 2);
        ASSERT_STREQ(p->provides[0], "host");
        ASSERT_STREQ(p->provides[1], "dnsutils");

        p = &s->packages[2];
        ASSERT_STREQ(p->want, "hold");
        ASSERT_STREQ(p->source, "walinuxagent");
        ASSERT_FALSE(p->essential);

        p = &s->packages[3];
        ASSERT_STREQ(p->name, "crlf");
        ASSERT_STREQ(p->state, "unpacked");
        ASSERT_STREQ(p->arch, "all");
}

/* One endless field (48 MB), no newline at all, and NUL bytes: parsed without limits, bounded in
 * memory by the input, nothing skipped that is valid. */
static void test_dpkg_hostile(void)
{
        _cleanup_(dpkg_status_freep) DpkgStatus *s = NULL;
        _cleanup_free_ char *buf = NULL;
        const char head[] = "Package: big\nStatus: install ok installed\nVersion: 1\nDescription: ";
        const char tail[] = "\n\nPackage: after\nStatus: install ok installed\nVersion: 2\n\n\0\0\0garbage";
        size_t n = 48u << 20, size = sizeof(head) - 1 + n + sizeof(tail) - 1;

        buf = malloc(size);
        ASSERT_NOT_NULL(buf);
        memcpy(buf, head, sizeof(head) - 1);
        memset(buf + sizeof(head) - 1, 'y', n);
        memcpy(buf + sizeof(head) - 1 + n, tail, sizeof(tail) - 1);
        ASSERT_OK(dpkg_status_parse(buf, size, &s));
        ASSERT_EQ(s->n_packages, 2);
        ASSERT_STREQ(s->packages[1].name, "after");
        s = dpkg_status_free(s);

        ASSERT_OK(dpkg_status_parse("", 0, &s));
        ASSERT_EQ(s->n_packages, 0);
        s = dpkg_status_free(s);
        ASSERT_OK(dpkg_status_parse("\xff\xfe\n\n:\n", 6, &s));
        ASSERT_EQ(s->n_packages, 0);
}

static void test_validators(void)
{
        ASSERT_TRUE(dpkg_name_is_valid("libstdc++6", 10));
        ASSERT_FALSE(dpkg_name_is_valid("-lead", 5));
        ASSERT_FALSE(dpkg_name_is_valid("Upper", 5));
        ASSERT_FALSE(dpkg_name_is_valid("", 0));
        ASSERT_FALSE(dpkg_name_is_valid("a\0b", 3));
        ASSERT_FALSE(dpkg_version_is_valid("1\0", 2));
        ASSERT_TRUE(dpkg_version_is_valid("1:2.35-0ubuntu3.8~ppa+1", 23));
        ASSERT_FALSE(dpkg_version_is_valid("1 2", 3));
        ASSERT_TRUE(dpkg_arch_is_valid("linux-any", 9));
        ASSERT_FALSE(dpkg_arch_is_valid("amd64/x", 7));
}

int main(void)
{
        RUN(test_deb822);
        RUN(test_dpkg_status);
        RUN(test_dpkg_hostile);
        RUN(test_validators);
        TESTS_DONE();
}
