/* SPDX-License-Identifier: MIT */
/* Unit tests for src/map/pkgmap.c: the engine on a small knowledge tree made here, and the shipped
 * knowledge (plans/) on the real AKS Ubuntu node images' package lists. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map/knowledge.h"
#include "map/pkgmap.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/strv.h"
#include "json-fixture.h"
#include "tests.h"

static char top[] = "/tmp/azlm-pkgmap-XXXXXX";

static void put(const char *rel, const char *content)
{
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", top, rel);
        ASSERT_OK(write_file_atomic(p, content, strlen(content), 0644));
}

static void mkdirs(const char *rel)
{
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", top, rel);
        ASSERT_EQ(mkdir(p, 0755), 0);
}

static void setup(void)
{
        ASSERT_NOT_NULL(mkdtemp(top));
        mkdirs("plans");
        mkdirs("plans/universe");
        mkdirs("plans/maps");
        mkdirs("plans/maps/entries");
        mkdirs("dropin");
        put("plans/universe/azl-9.tsv", "# name version spec repo provides\n"
                                        "containerd2\t2\tcontainerd2\tbase\tcontainerd,moby-containerd\n"
                                        "glibc\t2.38\tglibc\tbase\t\n"
                                        "openssl-libs\t3\topenssl\tbase\tlibssl\n"
                                        "openssl\t3\topenssl\tbase\t\n"
                                        "util-linux\t2\tutil-linux\tbase\t\n"
                                        "util-linux-libs\t2\tutil-linux\tbase\t\n"
                                        "util-linux-devel\t2\tutil-linux\tbase\tlibblkid,libblkid-devel\n"
                                        "perl-JSON\t4\tperl-JSON\textended\t\n"
                                        "tdnf\t3\ttdnf\tbase\t\n"
                                        "kernel\t6.6\tkernel\tbase\t\n"
                                        "zlib-devel\t1\tzlib\tbase\t\n"
                                        "python3-Jinja2\t3\tpython-jinja2\tbase\t\n"
                                        "python3-jinja2-extra\t3\tpython-jinja2\tbase\t\n");
        put("plans/universe/azl-9-image.tsv",
            "glibc\t2.38\tx86_64\nopenssl-libs\t3\tx86_64\nkernel\t6.6\tx86_64\n"
            "util-linux\t2\tx86_64\nutil-linux-libs\t2\tx86_64\n"
            "containerd2\t2\tx86_64\ntdnf\t3\tx86_64\n");
        put("plans/maps/debian-binary-source.tsv",
            "libssl3\topenssl\nlibblkid1\tutil-linux\nfdisk\tutil-linux\n"
            "libc6\tglibc\n");
        put("plans/maps/source-aliases.tsv", "glibc-deb\tglibc\n");
        put("plans/maps/entries/10-curated.tsv", "*\tapt\tdrop\ttdnf\tpackage management is tdnf\tevidence\n"
                                                 "ubuntu-24.04\tfoo\tunavailable\t\tnot on 24.04\tevidence\n"
                                                 "*\tfoo\tmap\topenssl\tfoo elsewhere\tevidence\n");
        put("plans/maps/entries/20-derived.tsv",
            "*\tapt\tmap\topenssl\tthe derived table is overridden\tx\n"
            "ubuntu-*\tmoby-containerd\tmap\tcontainerd2\tAKS component\tx\n");
        put("plans/maps/rules.tsv", "t64\trewrite\t^(lib.+)t64$\t\\1\tt64\n"
                                    "kernel\tbase\t^linux-image-[0-9].*$\tkernel\tthe kernel\n"
                                    "doc\tdrop\t^.+-doc$\t\tdocs\n"
                                    "same\tname\t^(.+)$\t\\1\tsame name\n"
                                    "dev\tname\t^(.+)1g-dev$\t\\1-devel\tdev\n"
                                    "perl\tname\t^lib(.+)-perl$\tperl-\\1\tperl\n"
                                    "py\tname\t^python3-(.+)$\tpython3-\\1\tpython\n"
                                    "soname\tname\t^lib(.*[^0-9.-])[0-9]+$\tlib\\1|\\1-libs\tsoname\n"
                                    "srclib\tsource\t^lib.+$\t%s-libs|%s\tlibrary of the source\n"
                                    "src\tsource\t^.+$\t%b|%s\tsame source\n");
        put("dropin/50-site.tsv", "*\tfoo\tdrop\t\tour site does without foo\tticket 42\n");
}

static PkgMap *load(const char *from, bool with_dropin)
{
        char plans[512], dropin[512];
        char *dirs[] = { dropin, NULL };
        _cleanup_free_ char *error = NULL;
        PkgMap *m = NULL;
        int r;

        snprintf(plans, sizeof(plans), "%s/plans", top);
        snprintf(dropin, sizeof(dropin), "%s/dropin", top);
        r = pkgmap_load(plans, with_dropin ? dirs : NULL, from, "azl-9", &m, &error);
        if (r < 0)
                FAIL("load failed: %s: %s", strerror(-r), error ?: "");
        return m;
}

/* Decides name and checks disposition, targets (comma-joined) and the deciding rule. */
static void expect(PkgMap *m, const char *name, const char *source, const char *disposition,
                   const char *targets, const char *rule)
{
        _cleanup_json_ json_object *d = NULL;
        json_object *t;
        char joined[256] = "";

        ASSERT_OK(pkgmap_decide(m, name, source, &d));
        t = json_get(d, "targets");
        for (size_t i = 0; i < json_object_array_length(t); i++) {
                if (i)
                        strcat(joined, ",");
                strcat(joined, json_object_get_string(json_object_array_get_idx(t, i)));
        }
        if (!streq(json_get_str(d, "disposition"), disposition) || !streq(joined, targets) ||
            !streq_ptr(json_get_str(d, "rule"), rule))
                FAIL("%s: got %s [%s] by %s, expected %s [%s] by %s", name, json_get_str(d, "disposition"),
                     joined, strempty(json_get_str(d, "rule")), disposition, targets, strempty(rule));
}

static void test_engine(void)
{
        _cleanup_(pkgmap_freep) PkgMap *m = load("ubuntu-22.04", false);

        /* Entries: the first file wins; a drop names what takes over. */
        expect(m, "apt", NULL, "drop", "tdnf", "10-curated:apt");
        /* A release-specific entry applies only to its release; "*" to all. */
        expect(m, "foo", NULL, "map", "openssl", "10-curated:foo");
        /* A glob in "from"; a target in the node image makes map into base. */
        expect(m, "moby-containerd", NULL, "base", "containerd2", "20-derived:moby-containerd");
        /* Rules: fixed dispositions, same name, rewrite then soname rules. */
        expect(m, "linux-image-6.8.0-1051-azure", NULL, "base", "kernel", "rule:kernel");
        expect(m, "bash-doc", NULL, "drop", "", "rule:doc");
        expect(m, "openssl", NULL, "map", "openssl", "rule:same");
        expect(m, "zlib1g-dev", NULL, "map", "zlib-devel", "rule:dev");
        expect(m, "libjson-perl", NULL, "map", "perl-JSON", "rule:perl");        /* case-insensitive */
        expect(m, "python3-jinja2", NULL, "map", "python3-Jinja2", "rule:same"); /* case folded */
        expect(m, "python3-jinja2-extra-bits", NULL, "unknown", "", NULL);
        /* Provides: a development package does not stand in for a library... */
        expect(m, "libblkid1", NULL, "base", "util-linux-libs", "rule:srclib");
        /* ...and a provided name resolves to its provider. */
        expect(m, "libssl3t64", NULL, "base", "openssl-libs", "rule:soname");
        /* Source rules: from the inventory's source, the table, or an alias. */
        expect(m, "fdisk", NULL, "base", "util-linux", "rule:src");
        /* A guest names no source when it equals the binary: the table still applies. */
        expect(m, "fdisk", "fdisk", "base", "util-linux", "rule:src");
        expect(m, "libc-bin", "glibc-deb", "base", "glibc", "rule:srclib");
        expect(m, "locales", "glibc-deb", "base", "glibc", "rule:src");
        expect(m, "nothing-like-it", NULL, "unknown", "", NULL);
        expect(m, "nothing-like-it", "no-such-source", "unknown", "", NULL);

        ASSERT_TRUE(pkgmap_target_exists(m, "perl-JSON"));
        ASSERT_FALSE(pkgmap_target_exists(m, "moby-containerd")); /* provided, not a package */
        ASSERT_TRUE(pkgmap_target_in_image(m, "kernel"));
        ASSERT_EQ(pkgmap_image_size(m), 7);
}

static void test_release_and_dropin(void)
{
        _cleanup_(pkgmap_freep) PkgMap *m24 = load("ubuntu-24.04", false),
                                       *site = load("ubuntu-22.04", true), *deb = load("debian-12", false);

        expect(m24, "foo", NULL, "unavailable", "", "10-curated:foo");
        /* A drop-in beats the shipped entries; its rule names the file. */
        {
                _cleanup_json_ json_object *d = NULL;
                ASSERT_OK(pkgmap_decide(site, "foo", NULL, &d));
                ASSERT_STREQ(json_get_str(d, "disposition"), "drop");
                ASSERT_TRUE(strstr(json_get_str(d, "rule"), "/dropin/50-site.tsv:foo") != NULL);
                ASSERT_STREQ(json_get_str(d, "evidence"), "ticket 42");
        }
        /* "ubuntu-*" does not match Debian. */
        expect(deb, "moby-containerd", NULL, "base", "containerd2", "rule:same");
}

static void test_inventory_and_counts(void)
{
        _cleanup_(pkgmap_freep) PkgMap *m = load("ubuntu-22.04", false);
        _cleanup_json_ json_object *inv = NULL, *res = NULL;
        json_object *counts, *install;

        inv = json_tokener_parse(
                "{\"packages\": {\"items\": ["
                "{\"name\": \"libc-bin\", \"source\": \"glibc-deb\", \"arch\": \"amd64\", "
                "\"version\": \"2.35\", \"manual\": false},"
                "{\"name\": \"openssl\", \"arch\": \"amd64\", \"version\": \"3\", \"manual\": true},"
                "{\"name\": \"apt\", \"arch\": \"amd64\", \"version\": \"2.4\", \"manual\": true},"
                "{\"name\": \"weird\", \"arch\": \"amd64\", \"version\": \"1\", \"manual\": true}]}}");
        ASSERT_NOT_NULL(inv);
        ASSERT_OK(pkgmap_decide_inventory(m, inv, &res));
        ASSERT_EQ(json_object_array_length(json_get(res, "decisions")), 4);
        ASSERT_FALSE(
                json_get_bool(json_object_array_get_idx(json_get(res, "decisions"), 0), "manual", true));
        counts = json_get(res, "counts");
        ASSERT_EQ(json_get_int(counts, "base", -1), 1);
        ASSERT_EQ(json_get_int(counts, "map", -1), 1);
        ASSERT_EQ(json_get_int(counts, "drop", -1), 1);
        ASSERT_EQ(json_get_int(counts, "unknown", -1), 1);
        ASSERT_EQ(json_get_int(counts, "total", -1), 4);
        ASSERT_EQ(json_get_int(counts, "target_packages", -1), 2);
        install = json_get(counts, "to_install");
        ASSERT_EQ(json_object_array_length(install), 1);
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(install, 0)), "openssl");
}

static void expect_load_error(const char *file, const char *content, const char *message)
{
        char plans[512];
        _cleanup_free_ char *error = NULL;
        PkgMap *m = NULL;

        put(file, content);
        snprintf(plans, sizeof(plans), "%s/plans", top);
        ASSERT_ERR(pkgmap_load(plans, NULL, "ubuntu-22.04", "azl-9", &m, &error), -EBADMSG);
        ASSERT_NULL(m);
        if (!error || !strstr(error, message))
                FAIL("error '%s' does not say '%s'", strempty(error), message);
}

static void test_load_errors(void)
{
        char plans[512];
        _cleanup_free_ char *error = NULL;
        PkgMap *m = NULL;

        expect_load_error("plans/maps/entries/05-bad.tsv", "*\tx\tmap\tno-such-package\tn\te\n",
                          "05-bad:1: target 'no-such-package' does not exist");
        expect_load_error("plans/maps/entries/05-bad.tsv", "*\tx\tperhaps\t\tn\te\n",
                          "05-bad:1: disposition");
        expect_load_error("plans/maps/entries/05-bad.tsv", "# c\n*\tx\tmap\t\tn\te\n",
                          "05-bad:2: map and base");
        expect_load_error("plans/maps/entries/05-bad.tsv", "*\tx\tunavailable\tglibc\tn\te\n", "05-bad:1:");
        put("plans/maps/entries/05-bad.tsv", "# fixed\n");
        expect_load_error("plans/maps/rules.tsv", "r\tname\t^(unbalanced$\t\\1\tn\n",
                          "rules.tsv:1: invalid regular");
        expect_load_error("plans/maps/rules.tsv", "r\tguess\t^x$\t\\1\tn\n",
                          "rules.tsv:1: unknown rule kind");
        put("plans/maps/rules.tsv", "same\tname\t^(.+)$\t\\1\tsame\n");

        snprintf(plans, sizeof(plans), "%s/plans", top);
        ASSERT_ERR(pkgmap_load(plans, NULL, "ubuntu-22.04", "no-such-target", &m, &error), -ENOENT);
        ASSERT_TRUE(error && strstr(error, "no package universe for target 'no-such-target'"));
}

/* The shipped knowledge on the real AKS node images' package lists: everything it names exists
 * (loading refuses otherwise) and at least 99% of each list is decided. */
static void test_shipped_coverage(const char *list, const char *from)
{
        _cleanup_(pkgmap_freep) PkgMap *m = NULL;
        _cleanup_free_ char *error = NULL, *buf = NULL, *path = NULL;
        size_t size, total = 0, unknown = 0;
        const char *line;
        size_t len;
        LineIter it;

        ASSERT_TRUE(asprintf(&path, "%s/%s", tests_srcdir(), list) > 0);
        if (pkgmap_load(tests_plans_dir(), NULL, from, "azurelinux-3.0", &m, &error) < 0)
                FAIL("loading the shipped knowledge failed: %s", strempty(error));
        ASSERT_OK(read_full_file_capped(path, 1 << 20, &buf, &size));
        it = line_iter_init(buf, size);
        while (line_iter_next(&it, &line, &len)) {
                _cleanup_json_ json_object *d = NULL;
                _cleanup_free_ char *name = strndup(line, strcspn(line, "\t\n"));
                json_object *t;

                ASSERT_OK(pkgmap_decide(m, name, NULL, &d));
                total++;
                if (streq(json_get_str(d, "disposition"), "unknown")) {
                        unknown++;
                        fprintf(stderr, "%s: unknown: %s\n", list, name);
                }
                t = json_get(d, "targets");
                for (size_t i = 0; i < json_object_array_length(t); i++) {
                        const char *x = json_object_get_string(json_object_array_get_idx(t, i));
                        if (!pkgmap_target_exists(m, x))
                                FAIL("%s maps to '%s', which Azure Linux 3.0 does not have", name, x);
                }
        }
        fprintf(stderr, "%s: %zu of %zu decided\n", list, total - unknown, total);
        ASSERT_TRUE(total > 700);
        if (unknown * 100 > total)
                FAIL("%s: %zu of %zu packages undecided (more than 1%%)", list, unknown, total);
}

static void test_shipped(void)
{
        test_shipped_coverage("tests/fixtures/aks-ubuntu2204/packages.tsv", "ubuntu-22.04");
        test_shipped_coverage("tests/fixtures/aks-ubuntu2404/packages.tsv", "ubuntu-24.04");
}

static void test_releases(void)
{
        _cleanup_free_ char *r = NULL;

        ASSERT_OK(knowledge_release_from_os("ubuntu", "22.04", &r));
        ASSERT_STREQ(r, "ubuntu-22.04");
        ASSERT_ERR(knowledge_release_from_os("ubuntu", NULL, &r), -EINVAL);
        ASSERT_ERR(knowledge_release_from_os("../x", "1", &r), -EINVAL);
        ASSERT_TRUE(knowledge_release_is_source("debian-12"));
        ASSERT_FALSE(knowledge_release_is_source("fedora-40"));
}

int main(void)
{
        setup();
        RUN(test_engine);
        RUN(test_release_and_dropin);
        RUN(test_inventory_and_counts);
        RUN(test_load_errors);
        RUN(test_releases);
        RUN(test_shipped);
        {
                char cmd[512];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
                (void) !system(cmd);
        }
        TESTS_DONE();
}
