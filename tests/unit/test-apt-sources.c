/* SPDX-License-Identifier: MIT */
/* Unit tests for src/inspect/apt-sources.c. */
#include <stdlib.h>
#include <string.h>

#include "inspect/apt-sources.h"
#include "shared/strv.h"
#include "tests.h"

/* /etc/apt/sources.list as cloud-init writes it on an Azure Ubuntu 22.04 image (most comment
 * lines left out). */
static const char jammy_sources_list[] =
        "## Note, this file is written by cloud-init on first boot of an instance\n"
        "## modifications made here will not survive a re-bundle.\n"
        "\n"
        "# See http://help.ubuntu.com/community/UpgradeNotes for how to upgrade to\n"
        "# newer versions of the distribution.\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy main restricted\n"
        "# deb-src http://azure.archive.ubuntu.com/ubuntu/ jammy main restricted\n"
        "\n"
        "## Major bug fix updates produced after the final release of the\n"
        "## distribution.\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy-updates main restricted\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy universe\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy-updates universe\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy multiverse\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy-updates multiverse\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy-backports main restricted universe multiverse\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy-security main restricted\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy-security universe\n"
        "deb http://azure.archive.ubuntu.com/ubuntu/ jammy-security multiverse\n";

/* /etc/apt/sources.list.d/ubuntu.sources of an Azure Ubuntu 24.04 image. */
static const char noble_ubuntu_sources[] =
        "## Ubuntu distribution repository\n"
        "##\n"
        "## The following settings can be adjusted to configure which packages to use from Ubuntu.\n"
        "Types: deb\n"
        "URIs: http://azure.archive.ubuntu.com/ubuntu/\n"
        "Suites: noble noble-updates noble-backports\n"
        "Components: main universe restricted multiverse\n"
        "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n"
        "\n"
        "## Ubuntu security updates. Aside from URIs and Suites,\n"
        "## this should mirror your choices in the previous section.\n"
        "Types: deb\n"
        "URIs: http://azure.archive.ubuntu.com/ubuntu/\n"
        "Suites: noble-security\n"
        "Components: main universe restricted multiverse\n"
        "Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n";

static void test_jammy(void)
{
        AptSourceList l = {};

        ASSERT_OK(apt_sources_parse_one_line(jammy_sources_list, strlen(jammy_sources_list), &l));
        ASSERT_EQ(l.n, 10);
        ASSERT_EQ(l.n_invalid, 0);
        ASSERT_EQ(l.items[0].line, 6);
        ASSERT_EQ(l.items[0].format, APT_SOURCE_ONE_LINE);
        ASSERT_STREQ(l.items[0].type, "deb");
        ASSERT_STREQ(l.items[0].uri, "http://azure.archive.ubuntu.com/ubuntu/");
        ASSERT_STREQ(l.items[0].suite, "jammy");
        ASSERT_EQ(strv_length(l.items[0].components), 2);
        ASSERT_STREQ(l.items[0].components[1], "restricted");
        ASSERT_EQ(strv_length(l.items[0].options), 0);
        ASSERT_TRUE(l.items[0].enabled);
        ASSERT_STREQ(l.items[6].suite, "jammy-backports");
        ASSERT_EQ(strv_length(l.items[6].components), 4);
        ASSERT_EQ(apt_uri_origin(l.items[0].uri), APT_ORIGIN_UBUNTU);
        apt_source_list_done(&l);
}

static void test_one_line_options(void)
{
        /* packages-microsoft-prod's list on 22.04; NVIDIA's flat repository; a PPA. */
        static const char lists[] =
                "deb [arch=amd64,arm64,armhf signed-by=/usr/share/keyrings/microsoft-prod.gpg] "
                "https://packages.microsoft.com/ubuntu/22.04/prod jammy main\n"
                "deb [ signed-by=/etc/apt/keyrings/nvidia.gpg ] "
                "https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/ /\n"
                "deb-src https://ppa.launchpadcontent.net/deadsnakes/ppa/ubuntu/ jammy main # source too\n"
                "deb[trusted=yes] file:/srv/local-repo ./\n";
        AptSourceList l = {};

        ASSERT_OK(apt_sources_parse_one_line(lists, strlen(lists), &l));
        ASSERT_EQ(l.n, 4);
        ASSERT_EQ(l.n_invalid, 0);
        ASSERT_EQ(strv_length(l.items[0].options), 2);
        ASSERT_STREQ(l.items[0].options[0], "arch=amd64,arm64,armhf");
        ASSERT_STREQ(l.items[0].options[1], "signed-by=/usr/share/keyrings/microsoft-prod.gpg");
        ASSERT_STREQ(l.items[0].uri, "https://packages.microsoft.com/ubuntu/22.04/prod");
        ASSERT_EQ(apt_uri_origin(l.items[0].uri), APT_ORIGIN_MICROSOFT);
        ASSERT_STREQ(l.items[1].suite, "/");
        ASSERT_EQ(strv_length(l.items[1].components), 0);
        ASSERT_EQ(apt_uri_origin(l.items[1].uri), APT_ORIGIN_THIRD_PARTY);
        ASSERT_STREQ(l.items[2].type, "deb-src");
        ASSERT_EQ(strv_length(l.items[2].components), 1); /* the comment is not a component */
        ASSERT_EQ(apt_uri_origin(l.items[2].uri), APT_ORIGIN_PPA);
        ASSERT_STREQ(l.items[3].options[0], "trusted=yes");
        ASSERT_STREQ(l.items[3].uri, "file:/srv/local-repo");
        apt_source_list_done(&l);
}

static void test_noble_deb822(void)
{
        AptSourceList l = {};

        ASSERT_OK(apt_sources_parse_deb822(noble_ubuntu_sources, strlen(noble_ubuntu_sources), &l));
        ASSERT_EQ(l.n, 4);
        ASSERT_EQ(l.n_invalid, 0);
        ASSERT_EQ(l.items[0].format, APT_SOURCE_DEB822);
        ASSERT_EQ(l.items[0].line, 4);
        ASSERT_STREQ(l.items[0].suite, "noble");
        ASSERT_STREQ(l.items[1].suite, "noble-updates");
        ASSERT_STREQ(l.items[2].suite, "noble-backports");
        ASSERT_STREQ(l.items[3].suite, "noble-security");
        ASSERT_EQ(l.items[3].line, 12);
        ASSERT_EQ(strv_length(l.items[3].components), 4);
        ASSERT_STREQ(l.items[3].options[0], "signed-by=/usr/share/keyrings/ubuntu-archive-keyring.gpg");
        apt_source_list_done(&l);
}

static void test_deb822_options(void)
{
        /* microsoft-prod.sources as packages-microsoft-prod ships it for 24.04, disabled, with
         * an embedded key; and a stanza combining types, URIs and suites. */
        static const char sources[] =
                "Types: deb\n"
                "URIs: https://packages.microsoft.com/ubuntu/24.04/prod/\n"
                "Suites: noble\n"
                "Components: main\n"
                "Architectures: amd64 arm64\n"
                "Enabled: no\n"
                "Signed-By:\n"
                " -----BEGIN PGP PUBLIC KEY BLOCK-----\n"
                " .\n"
                " mQENBFYxWIwBCADAKoZhZlJxGNGWzqV+1OG1xiQeoowKhssGAKvd+buXCGISZJwT\n"
                " -----END PGP PUBLIC KEY BLOCK-----\n"
                "\n"
                "# several of each\n"
                "Types: deb deb-src\n"
                "URIs: http://deb.debian.org/debian https://user:s3cret@mirror.example.com/debian\n"
                "Suites: bookworm bookworm-updates\n"
                "Components: main\n"
                "X-Repolib-Name: test\n";
        AptSourceList l = {};

        ASSERT_OK(apt_sources_parse_deb822(sources, strlen(sources), &l));
        ASSERT_EQ(l.n, 1 + 2 * 2 * 2);
        ASSERT_EQ(l.n_invalid, 0);
        ASSERT_FALSE(l.items[0].enabled);
        ASSERT_EQ(strv_length(l.items[0].options), 2);
        ASSERT_STREQ(l.items[0].options[0], "arch=amd64,arm64");
        ASSERT_STREQ(l.items[0].options[1], "signed-by=(embedded OpenPGP key)");
        ASSERT_TRUE(l.items[1].enabled);
        ASSERT_STREQ(l.items[1].type, "deb");
        ASSERT_STREQ(l.items[1].uri, "http://deb.debian.org/debian");
        ASSERT_STREQ(l.items[1].suite, "bookworm");
        ASSERT_STREQ(l.items[2].suite, "bookworm-updates");
        /* The password never gets stored. */
        ASSERT_STREQ(l.items[3].uri, "https://mirror.example.com/debian");
        ASSERT_TRUE(l.items[3].uri_had_credentials);
        ASSERT_FALSE(l.items[1].uri_had_credentials);
        ASSERT_STREQ(l.items[5].type, "deb-src");
        ASSERT_STREQ(l.items[1].options[0], "x-repolib-name=test");
        for (size_t i = 0; i < l.n; i++)
                ASSERT_NULL(strstr(l.items[i].uri, "s3cret"));
        apt_source_list_done(&l);
}

static void test_invalid(void)
{
        static const char lines[] = "deb\n"                                        /* no URI */
                                    "deb http://archive.ubuntu.com/ubuntu\n"       /* no suite */
                                    "rpm http://example.com/ stable main\n"        /* not an apt type */
                                    "deb [arch=amd64 http://example.com/ x main\n" /* unclosed options */
                                    "deb [arch] http://example.com/ x main\n"      /* option without value */
                                    "deb http://archive.ubuntu.com/ubuntu jammy main\n"
                                    "deb http://archive.ubuntu.com/ubuntu jammy \0 main\n"
                                    "deb stable main\n" /* no scheme: not a URI */
                                    "deb :/x jammy main\n";
        static const char stanzas[] =
                "Types: deb\nURIs: http://a/\n\n"            /* no Suites */
                "Types: rpm\nURIs: http://a/\nSuites: x\n\n" /* bad type */
                "this is not deb822\n\n"
                "Types: deb\nURIs: mirror.example.com/ubuntu\nSuites: x\n\n" /* no scheme */
                "Types: deb\nURIs: http://a/\nSuites: x\nComponents: main\n";
        AptSourceList l = {};

        ASSERT_OK(apt_sources_parse_one_line(lines, sizeof(lines) - 1, &l));
        ASSERT_EQ(l.n, 1);
        ASSERT_EQ(l.n_invalid, 8);
        ASSERT_EQ(l.first_invalid_line, 1);
        apt_source_list_done(&l);

        ASSERT_OK(apt_sources_parse_deb822(stanzas, strlen(stanzas), &l));
        ASSERT_EQ(l.n, 1);
        ASSERT_EQ(l.n_invalid, 4);
        ASSERT_EQ(l.first_invalid_line, 1);
        apt_source_list_done(&l);
}

static void test_bounds(void)
{
        /* Too many components on a line; a stanza whose combinations explode. */
        size_t size = 64 * 1024;
        _cleanup_free_ char *buf = malloc(size);
        AptSourceList l = {};
        char *p;

        ASSERT_NOT_NULL(buf);
        p = buf + sprintf(buf, "deb http://example.com/ x");
        for (int i = 0; i < 100; i++)
                p += sprintf(p, " c%d", i);
        p += sprintf(p, "\n");
        ASSERT_OK(apt_sources_parse_one_line(buf, (size_t) (p - buf), &l));
        ASSERT_EQ(l.n, 0);
        ASSERT_EQ(l.n_invalid, 1);
        apt_source_list_done(&l);

        p = buf + sprintf(buf, "Types: deb deb-src\nURIs:");
        for (int i = 0; i < 60; i++)
                p += sprintf(p, " http://m%d.example.com/", i);
        p += sprintf(p, "\nSuites:");
        for (int i = 0; i < 60; i++)
                p += sprintf(p, " s%d", i);
        p += sprintf(p, "\n");
        ASSERT_OK(apt_sources_parse_deb822(buf, (size_t) (p - buf), &l));
        ASSERT_EQ(l.n, 0);
        ASSERT_EQ(l.n_invalid, 1);
        apt_source_list_done(&l);
}

static void test_origin(void)
{
        static const struct {
                const char *uri;
                AptOrigin origin;
        } cases[] = {
                { "http://archive.ubuntu.com/ubuntu", APT_ORIGIN_UBUNTU },
                { "http://azure.archive.ubuntu.com/ubuntu/", APT_ORIGIN_UBUNTU },
                { "http://us.archive.ubuntu.com/ubuntu/", APT_ORIGIN_UBUNTU },
                { "HTTP://Security.Ubuntu.COM./ubuntu", APT_ORIGIN_UBUNTU },
                { "http://ports.ubuntu.com/ubuntu-ports", APT_ORIGIN_UBUNTU },
                { "https://snapshot.ubuntu.com/ubuntu/20260301T000000Z", APT_ORIGIN_UBUNTU },
                { "https://esm.ubuntu.com/infra/ubuntu", APT_ORIGIN_UBUNTU },
                { "http://deb.debian.org/debian", APT_ORIGIN_DEBIAN },
                { "http://security.debian.org/debian-security", APT_ORIGIN_DEBIAN },
                { "http://ftp.de.debian.org/debian", APT_ORIGIN_DEBIAN },
                { "https://packages.microsoft.com/ubuntu/22.04/prod", APT_ORIGIN_MICROSOFT },
                { "https://packages.microsoft.com:443/repos/azure-cli/", APT_ORIGIN_MICROSOFT },
                { "http://ppa.launchpad.net/git-core/ppa/ubuntu", APT_ORIGIN_PPA },
                { "https://ppa.launchpadcontent.net/deadsnakes/ppa/ubuntu/", APT_ORIGIN_PPA },
                { "https://download.docker.com/linux/ubuntu", APT_ORIGIN_THIRD_PARTY },
                { "http://archive.ubuntu.com.evil.example/ubuntu", APT_ORIGIN_THIRD_PARTY },
                { "http://notarchive.ubuntu.com/ubuntu", APT_ORIGIN_THIRD_PARTY },
                { "http://evildebian.org/", APT_ORIGIN_THIRD_PARTY },
                { "https://packages.microsoft.com@evil.example/", APT_ORIGIN_THIRD_PARTY },
                { "http://[2001:db8::1]/ubuntu", APT_ORIGIN_THIRD_PARTY },
                { "file:/var/cache/repo", APT_ORIGIN_THIRD_PARTY },
                { "cdrom:[Ubuntu 22.04 LTS]/", APT_ORIGIN_THIRD_PARTY },
                { "", APT_ORIGIN_THIRD_PARTY },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                if (apt_uri_origin(cases[i].uri) != cases[i].origin)
                        FAIL("origin of '%s' is %s, expected %s", cases[i].uri,
                             apt_origin_to_string(apt_uri_origin(cases[i].uri)),
                             apt_origin_to_string(cases[i].origin));
        ASSERT_STREQ(apt_origin_to_string(APT_ORIGIN_THIRD_PARTY), "third-party");
        ASSERT_STREQ(apt_source_format_to_string(APT_SOURCE_ONE_LINE), "one-line");
}

static void test_strip_credentials(void)
{
        static const char u[] = "https://user:p@ss@host.example:8443/path@x";
        bool had;
        char *s = apt_uri_strip_credentials(u, strlen(u), &had);

        ASSERT_STREQ(s, "https://host.example:8443/path@x");
        ASSERT_TRUE(had);
        free(s);
        s = apt_uri_strip_credentials("http://h/p@q", 12, &had);
        ASSERT_STREQ(s, "http://h/p@q");
        ASSERT_FALSE(had);
        free(s);
}

int main(void)
{
        RUN(test_jammy);
        RUN(test_one_line_options);
        RUN(test_noble_deb822);
        RUN(test_deb822_options);
        RUN(test_invalid);
        RUN(test_bounds);
        RUN(test_origin);
        RUN(test_strip_credentials);
        TESTS_DONE();
}
