/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "inspect/containerd-config.h"
#include "inspect/toml.h"
#include "shared/strv.h"
#include "tests.h"

#define PATH(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* /etc/containerd/config.toml as AKS writes it on Ubuntu 22.04 with containerd 1.7 (version 2),
 * from Azure/AgentBaker aks-node-controller/parser/templates/containerd.toml.gtpl rendered for a
 * non-GPU, non-kata node pool (the same text AgentBaker's own tests expect). */
static const char aks_config_v2[] =
        "version = 2\n"
        "oom_score = -999\n"
        "[plugins.\"io.containerd.grpc.v1.cri\"]\n"
        "  sandbox_image = \"mcr.microsoft.com/oss/kubernetes/pause:3.6\"\n"
        "  [plugins.\"io.containerd.grpc.v1.cri\".containerd]\n"
        "    default_runtime_name = \"runc\"\n"
        "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
        "      runtime_type = \"io.containerd.runc.v2\"\n"
        "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
        "      BinaryName = \"/usr/bin/runc\"\n"
        "      SystemdCgroup = true\n"
        "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.untrusted]\n"
        "      runtime_type = \"io.containerd.runc.v2\"\n"
        "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.untrusted.options]\n"
        "      BinaryName = \"/usr/bin/runc\"\n"
        "  [plugins.\"io.containerd.grpc.v1.cri\".cni]\n"
        "    bin_dir = \"/opt/cni/bin\"\n"
        "    conf_dir = \"/etc/cni/net.d\"\n"
        "    conf_template = \"/etc/containerd/kubenet_template.conf\"\n"
        "  [plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
        "    config_path = \"/etc/containerd/certs.d\"\n"
        "  [plugins.\"io.containerd.grpc.v1.cri\".registry.headers]\n"
        "    X-Meta-Source-Client = [\"azure/aks\"]\n"
        "[metrics]\n"
        "  address = \"0.0.0.0:10257\"\n";

/* containerd 2 on Ubuntu 24.04 (containerd_v2.toml.gtpl, version 4 branch) with kata runtimes and the
 * artifact streaming snapshotter, which mixes plugin names and repeats [proxy_plugins] tables. */
static const char aks_config_v4_kata[] =
        "version = 4\n"
        "oom_score = -999\n"
        "[plugins.\"io.containerd.cri.v1.images\"]\n"
        "  snapshotter = \"overlaybd\"\n"
        "  disable_snapshot_annotations = false\n"
        "  [plugins.\"io.containerd.cri.v1.images\".pinned_images]\n"
        "    sandbox = \"mcr.microsoft.com/oss/v2/kubernetes/pause:3.10.1\"\n"
        "  [plugins.\"io.containerd.cri.v1.images\".registry.headers]\n"
        "    X-Meta-Source-Client = [\"azure/aks\"]\n"
        "[plugins.\"io.containerd.cri.v1.runtime\"]\n"
        "  enable_cdi = true\n"
        "[plugins.\"io.containerd.cri.v1.runtime\".containerd]\n"
        "    default_runtime_name = \"runc\"\n"
        "    [plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.runc]\n"
        "      runtime_type = \"io.containerd.runc.v2\"\n"
        "    [plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.runc.options]\n"
        "      BinaryName = \"/usr/bin/runc\"\n"
        "      SystemdCgroup = false\n"
        "[metrics]\n"
        "  address = \"0.0.0.0:10257\"\n"
        "[proxy_plugins.overlaybd]\n"
        "  type = \"snapshot\"\n"
        "  address = \"/run/overlaybd-snapshotter/overlaybd.sock\"\n"
        "[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.kata]\n"
        "  runtime_type = \"io.containerd.kata.v2\"\n"
        "  privileged_without_host_devices = true\n"
        "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.kata-preview]\n"
        "  runtime_type = \"io.containerd.kata.v2\"\n"
        "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.kata-preview.options]\n"
        "    ConfigPath = \"/usr/share/defaults/kata-containers/configuration-clh-preview.toml\"\n"
        "[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.kata-cc]\n"
        "  snapshotter = \"tardev\"\n"
        "  pod_annotations = [\"io.katacontainers.*\"]\n"
        "[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.katacli.options]\n"
        "  NoPivotRoot = false\n"
        "  IoUid = 0\n"
        "  ShimCgroup = \"\"\n";

static void test_toml_aks_v2(void)
{
        _cleanup_(toml_doc_freep) TomlDoc *d = NULL;
        _cleanup_strv_free_ char **rts = NULL, **hdr = NULL;
        int64_t v = 0;

        ASSERT_OK(toml_parse(aks_config_v2, strlen(aks_config_v2), &d, NULL));
        ASSERT_OK(toml_get_int(d, PATH("version"), &v));
        ASSERT_EQ(v, 2);
        ASSERT_OK(toml_get_int(d, PATH("oom_score"), &v));
        ASSERT_EQ(v, -999);
        ASSERT_STREQ(toml_get_string(d, PATH("plugins", "io.containerd.grpc.v1.cri", "sandbox_image")),
                     "mcr.microsoft.com/oss/kubernetes/pause:3.6");
        ASSERT_EQ(toml_get_bool(d, PATH("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes",
                                        "runc", "options", "SystemdCgroup")),
                  1);
        ASSERT_ERR(toml_get_bool(d, PATH("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes",
                                         "untrusted", "options", "SystemdCgroup")),
                   -ENOENT);
        ASSERT_OK(toml_list_children(
                d, PATH("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes"), &rts));
        ASSERT_EQ(strv_length(rts), 2);
        ASSERT_STREQ(rts[0], "runc");
        ASSERT_STREQ(rts[1], "untrusted");
        ASSERT_EQ(toml_get_string_array(d,
                                        PATH("plugins", "io.containerd.grpc.v1.cri", "registry", "headers",
                                             "X-Meta-Source-Client"),
                                        &hdr),
                  1);
        ASSERT_EQ(strv_length(hdr), 1);
        ASSERT_STREQ(hdr[0], "azure/aks");
        /* a table header is an entry of its own */
        ASSERT_EQ(toml_get(d, PATH("metrics"))->type, TOML_TABLE);
        ASSERT_NULL(toml_get(d, PATH("plugins", "nope")));
        /* a string is not a bool */
        ASSERT_ERR(toml_get_bool(d, PATH("metrics", "address")), -ENOENT);
}

static void test_toml_syntax(void)
{
        static const char doc[] = "\xEF\xBB\xBF# a comment line\n"
                                  "title = 'literal \\n kept'   # trailing comment\r\n"
                                  "esc = \"tab\\there \\\"q\\\" \\u00e9 \\U0001F600 \\\\\"\n"
                                  "ml = \"\"\"\n"
                                  "first\n"
                                  "second \\\n"
                                  "     joined\"\"\"\n"
                                  "lit_ml = '''\n"
                                  "raw \\n 'quoted' ''''\n"
                                  "hex = 0xDEAD_beef\n"
                                  "oct = 0o755\n"
                                  "bin = 0b1010\n"
                                  "big = 9_223_372_036_854_775_807\n"
                                  "neg = -9223372036854775808\n"
                                  "pi = 3.14\n"
                                  "exp = -2e-3\n"
                                  "inf = -inf\n"
                                  "when = 1979-05-27 07:32:00Z\n"
                                  "t = 07:32:00\n"
                                  "no = false\n"
                                  "nested = [ [1, 2], [\"a\", 'b'], ]\n"
                                  "multi = [\n"
                                  "  \"x\", # comment in an array\n"
                                  "  \"y\",\n"
                                  "]\n"
                                  "inl = { a = 1, b.c = \"d\", e = { f = true } }\n"
                                  "objs = [ { name = \"n1\" }, { name = \"n2\" } ]\n"
                                  "\"quoted key\".'lit key' . bare = 1\n"
                                  "empty = \"\"\n"
                                  "[ spaced . table ]\n"
                                  "k = 1\n"
                                  "[[aot]]\n"
                                  "n = 1\n"
                                  "[[aot]]\n"
                                  "n = 2\n"
                                  "[dup]\n"
                                  "x = 1\n"
                                  "x = 2\n";
        _cleanup_(toml_doc_freep) TomlDoc *d = NULL;
        const TomlValue *v;
        int64_t i = 0;

        ASSERT_OK(toml_parse(doc, strlen(doc), &d, NULL));
        ASSERT_STREQ(toml_get_string(d, PATH("title")), "literal \\n kept");
        ASSERT_STREQ(toml_get_string(d, PATH("esc")), "tab\there \"q\" \xc3\xa9 \xf0\x9f\x98\x80 \\");
        ASSERT_STREQ(toml_get_string(d, PATH("ml")), "first\nsecond joined");
        ASSERT_STREQ(toml_get_string(d, PATH("lit_ml")), "raw \\n 'quoted' '");
        ASSERT_OK(toml_get_int(d, PATH("hex"), &i));
        ASSERT_EQ(i, 0xDEADBEEF);
        ASSERT_OK(toml_get_int(d, PATH("oct"), &i));
        ASSERT_EQ(i, 0755);
        ASSERT_OK(toml_get_int(d, PATH("bin"), &i));
        ASSERT_EQ(i, 10);
        ASSERT_OK(toml_get_int(d, PATH("big"), &i));
        ASSERT_EQ(i, INT64_MAX);
        ASSERT_OK(toml_get_int(d, PATH("neg"), &i));
        ASSERT_EQ(i, INT64_MIN);
        v = toml_get(d, PATH("pi"));
        ASSERT_EQ(v->type, TOML_FLOAT);
        ASSERT_STREQ(v->str, "3.14");
        ASSERT_EQ(toml_get(d, PATH("exp"))->type, TOML_FLOAT);
        ASSERT_EQ(toml_get(d, PATH("inf"))->type, TOML_FLOAT);
        v = toml_get(d, PATH("when"));
        ASSERT_EQ(v->type, TOML_DATETIME);
        ASSERT_STREQ(v->str, "1979-05-27 07:32:00Z");
        ASSERT_EQ(toml_get(d, PATH("t"))->type, TOML_DATETIME);
        ASSERT_EQ(toml_get_bool(d, PATH("no")), 0);
        v = toml_get(d, PATH("nested"));
        ASSERT_EQ(v->type, TOML_ARRAY);
        ASSERT_EQ(v->n_items, 2);
        ASSERT_EQ(v->items[0].items[1].integer, 2);
        ASSERT_STREQ(v->items[1].items[1].str, "b");
        v = toml_get(d, PATH("multi"));
        ASSERT_EQ(v->n_items, 2);
        ASSERT_OK(toml_get_int(d, PATH("inl", "a"), &i));
        ASSERT_EQ(i, 1);
        ASSERT_STREQ(toml_get_string(d, PATH("inl", "b", "c")), "d");
        ASSERT_EQ(toml_get_bool(d, PATH("inl", "e", "f")), 1);
        ASSERT_EQ(toml_get(d, PATH("inl"))->type, TOML_TABLE);
        v = toml_get(d, PATH("objs"));
        ASSERT_EQ(v->n_items, 2);
        ASSERT_EQ(v->items[0].type, TOML_TABLE);
        ASSERT_OK(toml_get_int(d, PATH("quoted key", "lit key", "bare"), &i));
        ASSERT_STREQ(toml_get_string(d, PATH("empty")), "");
        ASSERT_OK(toml_get_int(d, PATH("spaced", "table", "k"), &i));
        /* [[aot]] items share a path; the last definition wins, as for duplicate keys */
        ASSERT_OK(toml_get_int(d, PATH("aot", "n"), &i));
        ASSERT_EQ(i, 2);
        ASSERT_OK(toml_get_int(d, PATH("dup", "x"), &i));
        ASSERT_EQ(i, 2);
}

static void expect_reject(const char *doc, size_t size, int err, unsigned line)
{
        _cleanup_(toml_doc_freep) TomlDoc *d = NULL;
        unsigned l = 0;

        ASSERT_ERR(toml_parse(doc, size, &d, &l), err);
        ASSERT_NULL(d);
        if (line > 0)
                ASSERT_EQ(l, line);
}

static void test_toml_invalid(void)
{
        static const char *const bad[] = {
                "a = \"unterminated\n",
                "a = \"unterminated",
                "a = 'unterminated\n",
                "a = \"\"\"never closed\n\n",
                "a = '''never closed",
                "a = \"bad \\q escape\"\n",
                "a = \"\\uD800\"\n",  /* a surrogate */
                "a = \"\\u0000\"\n",  /* NUL would cut the string */
                "a = \"ctl \x01\"\n", /* raw control character */
                "a =\n",
                "a = 1 2\n",
                "= 1\n",
                "a b = 1\n",
                "[unclosed\nk = 1\n",
                "[[aot]\n",
                "[t] junk\n",
                "a = [1, 2\n",
                "a = [1 2]\n",
                "a = { b = 1 \n",
                "a = { b }\n",
                "a = 9223372036854775808\n", /* overflow */
                "a = 1__0\n",
                "a = _1\n",
                "a = +0x10\n",
                "a = 0xZZ\n",
                "a = tru\n",
                "a = 1979-05-27Xjunk!\n",
                "\"\"\"key\"\"\" = 1\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_(toml_doc_freep) TomlDoc *d = NULL;
                int r = toml_parse(bad[i], strlen(bad[i]), &d, NULL);
                if (r != -EBADMSG)
                        FAIL("bad[%zu] \"%s\": r=%d", i, bad[i], r);
        }
        /* the line of the error is reported */
        expect_reject("a = 1\n\n[t]\nb = \"x\nc = 2\n", strlen("a = 1\n\n[t]\nb = \"x\nc = 2\n"), -EBADMSG,
                      4);
        /* binary: a NUL byte */
        expect_reject("a = 1\nb = \"x\0y\"\n", 16, -EBADMSG, 2);
}

static char *repeat(char c, size_t n, const char *prefix, const char *suffix)
{
        size_t lp = strlen(prefix), ls = strlen(suffix);
        char *s = malloc(lp + n + ls + 1);

        ASSERT_NOT_NULL(s);
        memcpy(s, prefix, lp);
        memset(s + lp, c, n);
        memcpy(s + lp + n, suffix, ls + 1);
        return s;
}

static void test_toml_hostile(void)
{
        _cleanup_free_ char *big_string = repeat('x', 5u * 1024u * 1024u, "sandbox_image = \"", "\"\n");
        _cleanup_free_ char *big_literal = repeat('x', 5u * 1024u * 1024u, "a = '", "'\n");
        _cleanup_free_ char *big_key = repeat('k', 1024u * 1024u, "", " = 1\n");
        _cleanup_free_ char *big_qkey = repeat('k', 1024u * 1024u, "[\"", "\"]\n");
        _cleanup_free_ char *deep_array = repeat('[', 100000, "a = ", "");
        _cleanup_free_ char *deep_inline = NULL, *deep_table = NULL, *wide = NULL, *amplify = NULL;
        size_t n;

        expect_reject(big_string, strlen(big_string), -E2BIG, 1);
        expect_reject(big_literal, strlen(big_literal), -E2BIG, 1);
        expect_reject(big_key, strlen(big_key), -E2BIG, 1);
        expect_reject(big_qkey, strlen(big_qkey), -E2BIG, 1);
        expect_reject(deep_array, strlen(deep_array), -E2BIG, 1);

        /* a = { a = { a = ... } } */
        deep_inline = malloc(64 * 8 + 1);
        ASSERT_NOT_NULL(deep_inline);
        deep_inline[0] = 0;
        for (int i = 0; i < 64; i++)
                strcat(deep_inline, "a = { ");
        expect_reject(deep_inline, strlen(deep_inline), -E2BIG, 1);

        /* [a.a.a.a....] with more components than TOML_PATH_MAX */
        deep_table = malloc(2 * 100 + 4);
        ASSERT_NOT_NULL(deep_table);
        strcpy(deep_table, "[a");
        for (int i = 0; i < 99; i++)
                strcat(deep_table, ".a");
        strcat(deep_table, "]\n");
        expect_reject(deep_table, strlen(deep_table), -E2BIG, 1);

        /* an array with more items than TOML_ARRAY_MAX */
        n = TOML_ARRAY_MAX + 10;
        wide = malloc(n * 2 + 8);
        ASSERT_NOT_NULL(wide);
        {
                size_t len = (size_t) sprintf(wide, "a = [");
                for (size_t i = 0; i < n; i++)
                        len += (size_t) sprintf(wide + len, "1,");
                strcpy(wide + len, "]");
        }
        expect_reject(wide, strlen(wide), -E2BIG, 1);

        /* a long table path repeated by many short keys: bounded by TOML_KEY_BYTES_MAX */
        {
                _cleanup_free_ char *comp = repeat('p', 1000, "", "");
                size_t cap = 40000 + 60000 * 8, len = 0;

                amplify = malloc(cap);
                ASSERT_NOT_NULL(amplify);
                len += (size_t) sprintf(amplify + len, "[");
                for (int i = 0; i < 31; i++)
                        len += (size_t) sprintf(amplify + len, "%s%s", i ? "." : "", comp);
                len += (size_t) sprintf(amplify + len, "]\n");
                for (int i = 0; i < 60000 && len + 16 < cap; i++)
                        len += (size_t) sprintf(amplify + len, "k%d=1\n", i % 1000);
                expect_reject(amplify, len, -E2BIG, 0);
        }
}

static void test_containerd_v2(void)
{
        _cleanup_(containerd_config_freep) ContainerdConfig *c = NULL;

        ASSERT_OK(containerd_config_parse(aks_config_v2, strlen(aks_config_v2), &c, NULL));
        ASSERT_TRUE(c->has_version);
        ASSERT_EQ(c->version, 2);
        ASSERT_STREQ(c->sandbox_image, "mcr.microsoft.com/oss/kubernetes/pause:3.6");
        ASSERT_EQ(c->systemd_cgroup, 1);
        ASSERT_STREQ(c->default_runtime_name, "runc");
        ASSERT_EQ(strv_length(c->runtimes), 2);
        ASSERT_STREQ(c->runtimes[0], "runc");
        ASSERT_STREQ(c->runtimes[1], "untrusted");
        ASSERT_NULL(c->snapshotter);
        ASSERT_NULL(c->imports);
}

static void test_containerd_v4_kata(void)
{
        _cleanup_(containerd_config_freep) ContainerdConfig *c = NULL;

        ASSERT_OK(containerd_config_parse(aks_config_v4_kata, strlen(aks_config_v4_kata), &c, NULL));
        ASSERT_EQ(c->version, 4);
        ASSERT_STREQ(c->sandbox_image, "mcr.microsoft.com/oss/v2/kubernetes/pause:3.10.1");
        ASSERT_EQ(c->systemd_cgroup, 0);
        ASSERT_STREQ(c->snapshotter, "overlaybd");
        ASSERT_EQ(strv_length(c->runtimes), 5);
        ASSERT_STREQ(c->runtimes[0], "kata");
        ASSERT_STREQ(c->runtimes[1], "kata-cc");
        ASSERT_STREQ(c->runtimes[2], "kata-preview"); /* from the io.containerd.grpc.v1.cri table */
        ASSERT_STREQ(c->runtimes[3], "katacli");
        ASSERT_STREQ(c->runtimes[4], "runc");
}

static void test_containerd_other(void)
{
        /* containerd 1.x defaults (no version: config version 1), with imports, as kubeadm guides write
         * after "containerd config default" and the imports line some installers prepend */
        static const char v1[] =
                "imports = [\"/etc/containerd/runtime_*.toml\", \"/etc/containerd/conf.d/*.toml\"]\n"
                "[plugins]\n"
                "  [plugins.cri]\n"
                "    sandbox_image = \"registry.k8s.io/pause:3.9\"\n"
                "    [plugins.cri.containerd]\n"
                "      snapshotter = \"overlayfs\"\n"
                "      [plugins.cri.containerd.runtimes.runc]\n"
                "        runtime_type = \"io.containerd.runc.v2\"\n";
        static const char empty[] = "# nothing\n";
        _cleanup_(containerd_config_freep) ContainerdConfig *c = NULL, *e = NULL;
        unsigned line = 0;

        ASSERT_OK(containerd_config_parse(v1, strlen(v1), &c, NULL));
        ASSERT_FALSE(c->has_version);
        ASSERT_STREQ(c->sandbox_image, "registry.k8s.io/pause:3.9");
        ASSERT_STREQ(c->snapshotter, "overlayfs");
        ASSERT_EQ(c->systemd_cgroup, -1);
        ASSERT_NULL(c->default_runtime_name);
        ASSERT_EQ(strv_length(c->imports), 2);
        ASSERT_STREQ(c->imports[1], "/etc/containerd/conf.d/*.toml");
        ASSERT_EQ(strv_length(c->runtimes), 1);

        ASSERT_OK(containerd_config_parse(empty, strlen(empty), &e, NULL));
        ASSERT_FALSE(e->has_version);
        ASSERT_NULL(e->runtimes);

        ASSERT_ERR(containerd_config_parse("version = 2\n[plugins.\"x\n", 22, &c, &line), -EBADMSG);
        ASSERT_EQ(line, 2);
}

int main(void)
{
        RUN(test_toml_aks_v2);
        RUN(test_toml_syntax);
        RUN(test_toml_invalid);
        RUN(test_toml_hostile);
        RUN(test_containerd_v2);
        RUN(test_containerd_v4_kata);
        RUN(test_containerd_other);
        TESTS_DONE();
}
