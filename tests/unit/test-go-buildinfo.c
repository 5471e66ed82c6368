/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "go-elf.h"
#include "inspect/go-buildinfo.h"
#include "tests.h"

/* The module information of a real kubelet-like build: "go version -m" output of a Kubernetes
 * binary built by hack/lib/golang.sh, whose -ldflags carry the version variables. */
static const char modinfo_ldflags[] =
        "path\tk8s.io/kubernetes/cmd/kubelet\n"
        "mod\tk8s.io/kubernetes\t(devel)\t\n"
        "dep\tgithub.com/spf13/pflag\tv1.0.6\t\n"
        "build\t-buildmode=exe\n"
        "build\t-compiler=gc\n"
        "build\t-ldflags=\"-s -w -X 'k8s.io/client-go/pkg/version.gitVersion=v1.34.4' "
        "-X 'k8s.io/component-base/version.gitVersion=v1.34.4' "
        "-X 'k8s.io/component-base/version.gitTreeState=clean'\"\n"
        "build\tCGO_ENABLED=0\n"
        "build\tGOARCH=amd64\n"
        "build\tGOOS=linux\n";

/* The tail of the module information of a real binary: /usr/bin/kubectl of the Google Cloud SDK
 * (kubectl 1.33, go1.23.8), built with -trimpath, which makes Go leave -ldflags out: Kubernetes
 * release binaries carry no version in their build information. */
static const char modinfo_trimpath[] = "path\tk8s.io/kubernetes/cmd/kubectl-sdk\n"
                                       "mod\tk8s.io/kubernetes\t(devel)\t\n"
                                       "dep\tgithub.com/MakeNowJust/heredoc\tv1.0.0\t\n"
                                       "dep\tsigs.k8s.io/yaml\tv1.4.0\t\n"
                                       "build\t-buildmode=exe\n"
                                       "build\t-compiler=gc\n"
                                       "build\t-tags=selinux,notest\n"
                                       "build\t-trimpath=true\n"
                                       "build\tDefaultGODEBUG=winsymlink=0\n"
                                       "build\tCGO_ENABLED=0\n"
                                       "build\tGOARCH=amd64\n"
                                       "build\tGOOS=linux\n"
                                       "build\tGOAMD64=v1\n"
                                       "build\tvcs=git\n"
                                       "build\tvcs.revision=4cb5f0764b8d5f425645c6f433394fede34a8a26\n"
                                       "build\tvcs.time=2025-05-15T20:08:10Z\n"
                                       "build\tvcs.modified=true\n";

/* A reader over a memory buffer that counts what it is asked for. */
typedef struct Mem {
        const uint8_t *data;
        size_t size;
        uint64_t bytes_read;
        unsigned calls;
} Mem;

static int mem_read(void *userdata, uint64_t offset, size_t size, void *buf, size_t *ret_n)
{
        Mem *m = userdata;
        size_t n = 0;

        m->calls++;
        if (offset < m->size)
                n = MIN(size, m->size - (size_t) offset);
        memcpy(buf, m->data + offset, n);
        m->bytes_read += n;
        *ret_n = n;
        return 0;
}

/* Parses data claiming file_size bytes. */
static int parse(const uint8_t *data, size_t size, uint64_t file_size, GoBuildinfo **ret, Mem *ret_mem)
{
        Mem m = { .data = data, .size = size };
        int r = go_buildinfo_read(mem_read, &m, file_size, ret);

        if (ret_mem)
                *ret_mem = m;
        return r;
}

static void test_valid(void)
{
        static const bool variants[][2] = {
                { true, false }, { true, true }, { false, false }, { false, true }
        };

        for (size_t i = 0; i < ELEMENTSOF(variants); i++) {
                Elf e = make_elf(variants[i][0], variants[i][1], modinfo_ldflags,
                                 0x2 | (variants[i][1] ? 1 : 0), 0);
                _cleanup_(go_buildinfo_freep) GoBuildinfo *b = NULL;
                _cleanup_free_ char *v = NULL;

                ASSERT_EQ(parse(e.data, e.size, e.size, &b, NULL), 1);
                ASSERT_STREQ(b->go_version, "go1.24.13");
                ASSERT_STREQ(b->modinfo, modinfo_ldflags);
                ASSERT_EQ(go_buildinfo_kubernetes_version(b, &v), 1);
                ASSERT_STREQ(v, "v1.34.4");
                free(e.data);
        }
}

static void test_reads_little(void)
{
        /* A 16 MiB "binary": only headers and the section are read. */
        Elf e = make_elf(true, false, modinfo_ldflags, 0x2, 16u * 1024u * 1024u);
        _cleanup_(go_buildinfo_freep) GoBuildinfo *b = NULL;
        Mem m;

        ASSERT_EQ(parse(e.data, e.size, e.size, &b, &m), 1);
        ASSERT_TRUE(m.bytes_read < 4096);
        ASSERT_TRUE(m.calls <= 5);
        free(e.data);
}

static void test_not_mine(void)
{
        static const char text[] = "#!/bin/sh\nexec /opt/bin/kubelet \"$@\"\n";
        Elf e = make_elf(true, false, modinfo_ldflags, 0x0, 0); /* pre-1.18 layout */
        _cleanup_(go_buildinfo_freep) GoBuildinfo *b = NULL;

        ASSERT_EQ(parse((const uint8_t *) text, strlen(text), strlen(text), &b, NULL), 0);
        ASSERT_EQ(parse((const uint8_t *) "", 0, 0, &b, NULL), 0);
        ASSERT_EQ(parse((const uint8_t *) "\x7f"
                                          "EL",
                        3, 3, &b, NULL),
                  0);
        ASSERT_EQ(parse(e.data, e.size, e.size, &b, NULL), 0);
        ASSERT_NULL(b);

        /* no section header table */
        wr(&e, 0x28, 0, 8);
        ASSERT_EQ(parse(e.data, e.size, e.size, &b, NULL), 0);
        free(e.data);

        /* the section's name points outside the name table: no .go.buildinfo */
        e = make_elf(true, false, modinfo_ldflags, 0x2, 0);
        wr(&e, e.bi_shdr, 0xFFFFFF, 4);
        ASSERT_EQ(parse(e.data, e.size, e.size, &b, NULL), 0);
        free(e.data);
}

static void expect_bad(Elf *e, size_t size)
{
        _cleanup_(go_buildinfo_freep) GoBuildinfo *b = NULL;

        ASSERT_ERR(parse(e->data, size, size, &b, NULL), -EBADMSG);
        ASSERT_NULL(b);
}

static void test_hostile(void)
{
        Elf e = make_elf(true, false, modinfo_ldflags, 0x2, 0);
        uint8_t saved[64];

        /* truncated: in the ELF header, in the section data, in the section header table */
        expect_bad(&e, 40);
        expect_bad(&e, e.bi_off + 40);
        expect_bad(&e, e.size - 10);

        /* the section's offset past the end of the file */
        memcpy(saved, e.data + e.bi_shdr, 64);
        wr(&e, e.bi_shdr + 24, (uint64_t) 1 << 40, 8);
        expect_bad(&e, e.size);
        /* offset + size wraps around */
        wr(&e, e.bi_shdr + 24, e.bi_off, 8);
        wr(&e, e.bi_shdr + 32, UINT64_MAX - 16, 8);
        expect_bad(&e, e.size);
        /* NOBITS */
        memcpy(e.data + e.bi_shdr, saved, 64);
        wr(&e, e.bi_shdr + 4, 8, 4);
        expect_bad(&e, e.size);
        memcpy(e.data + e.bi_shdr, saved, 64);

        /* section header table past the end, too many sections, bad string table index, bad entsize */
        wr(&e, 0x28, (uint64_t) 1 << 50, 8);
        expect_bad(&e, e.size);
        wr(&e, 0x28, e.shoff, 8);
        wr(&e, 0x3C, 0xFFF0, 2);
        expect_bad(&e, e.size);
        wr(&e, 0x3C, 3, 2);
        wr(&e, 0x3E, 7, 2);
        expect_bad(&e, e.size);
        wr(&e, 0x3E, 2, 2);
        wr(&e, 0x3A, 8, 2);
        expect_bad(&e, e.size);
        wr(&e, 0x3A, 64, 2);

        /* bad magic in the section, bad pointer size, string length past the section */
        e.data[e.bi_off + 2] ^= 0xFF;
        expect_bad(&e, e.size);
        e.data[e.bi_off + 2] ^= 0xFF;
        e.data[e.bi_off + 14] = 3;
        expect_bad(&e, e.size);
        e.data[e.bi_off + 14] = 8;
        e.data[e.bi_off + 32] = 0xFF; /* a 10-byte+ varint of 0xFF bytes */
        memset(e.data + e.bi_off + 33, 0xFF, 12);
        expect_bad(&e, e.size);
        free(e.data);

        /* an invalid ELF class */
        e = make_elf(true, false, modinfo_ldflags, 0x2, 0);
        e.data[4] = 9;
        expect_bad(&e, e.size);
        free(e.data);

        /* sanity: the unmodified file still parses */
        e = make_elf(true, false, modinfo_ldflags, 0x2, 0);
        {
                _cleanup_(go_buildinfo_freep) GoBuildinfo *b = NULL;
                ASSERT_EQ(parse(e.data, e.size, e.size, &b, NULL), 1);
        }
        free(e.data);
}

static void test_ldflags(void)
{
        static const struct {
                const char *modinfo, *expect;
        } cases[] = {
                { "build\t-ldflags=\"-X 'k8s.io/component-base/version.gitVersion=v1.34.4'\"\n", "v1.34.4" },
                { "build\t-ldflags=-X=k8s.io/component-base/version.gitVersion=v1.30.100-akslts\n",
                  "v1.30.100-akslts" },
                { "build\t-ldflags=\"-X k8s.io/component-base/version.gitVersion=v1.29.2+azure -s\"\n",
                  "v1.29.2+azure" },
                { "build\t-ldflags=\"-X xk8s.io/component-base/version.gitVersion=v9\"\n", NULL },
                { "build\t-ldflags=\"-X 'k8s.io/component-base/version.gitVersion=v1$(rm -rf /)'\"\n",
                  NULL },
                { "build\t-ldflags=\"-X k8s.io/component-base/version.gitVersion=\"\n", NULL },
                { "build\t-buildmode=exe\n", NULL },
                { "", NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *v = NULL;
                int r = go_buildinfo_ldflag_value(cases[i].modinfo,
                                                  "k8s.io/component-base/version.gitVersion", &v);

                if (cases[i].expect) {
                        ASSERT_EQ(r, 1);
                        ASSERT_STREQ(v, cases[i].expect);
                } else
                        ASSERT_EQ(r, 0);
        }
        {
                /* a value longer than any version */
                _cleanup_free_ char *long_mod = malloc(400), *v = NULL;
                ASSERT_NOT_NULL(long_mod);
                strcpy(long_mod, "build\t-ldflags=-X=k8s.io/component-base/version.gitVersion=v");
                {
                        size_t l = strlen(long_mod);
                        memset(long_mod + l, '1', 200);
                        long_mod[l + 200] = 0;
                }
                ASSERT_EQ(
                        go_buildinfo_ldflag_value(long_mod, "k8s.io/component-base/version.gitVersion", &v),
                        0);
        }
}

static void test_kubernetes_version_fallbacks(void)
{
        GoBuildinfo trimpath = { .go_version = (char *) "go1.23.8", .modinfo = (char *) modinfo_trimpath };
        GoBuildinfo stamped = { .go_version = (char *) "go1.24.13",
                                .modinfo = (char *) "path\tk8s.io/kubernetes/cmd/kubelet\n"
                                                    "mod\tk8s.io/kubernetes\tv1.34.4\th1:abc=\n"
                                                    "build\t-trimpath=true\n" };
        GoBuildinfo other = { .go_version = (char *) "go1.24.13",
                              .modinfo =
                                      (char *) "path\tgithub.com/containerd/containerd/v2/cmd/containerd\n"
                                               "mod\tgithub.com/containerd/containerd/v2\tv2.1.4\t\n" };
        _cleanup_free_ char *v = NULL;

        ASSERT_EQ(go_buildinfo_kubernetes_version(&trimpath, &v), 0);
        ASSERT_EQ(go_buildinfo_kubernetes_version(&stamped, &v), 1);
        ASSERT_STREQ(v, "v1.34.4");
        v = mfree(v);
        ASSERT_EQ(go_buildinfo_kubernetes_version(&other, &v), 0);
}

typedef struct Fd {
        int fd;
} Fd;

static int fd_read(void *userdata, uint64_t offset, size_t size, void *buf, size_t *ret_n)
{
        ssize_t n = pread(((Fd *) userdata)->fd, buf, size, (off_t) offset);

        if (n < 0)
                return -errno;
        *ret_n = (size_t) n;
        return 0;
}

/* The fixture generator used for sample images must produce what the reader understands. */
static void test_generator(void)
{
        char dir[] = "/tmp/test-go-buildinfo-XXXXXX", cmd[8192], out[PATH_MAX];
        _cleanup_(go_buildinfo_freep) GoBuildinfo *b = NULL;
        _cleanup_free_ char *v = NULL;
        struct stat st;
        Fd f;
        int r;

        if (system("command -v python3 >/dev/null 2>&1") != 0) {
                fprintf(stderr, "python3 not found: generator test not run\n");
                return;
        }
        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(out, sizeof(out), "%s/kubelet", dir);
        snprintf(cmd, sizeof(cmd),
                 "python3 '%s/tests/fixtures/tools/mk-go-elf.py' --git-version v1.34.4 --pad 100000 '%s'",
                 tests_srcdir(), out);
        r = system(cmd);
        ASSERT_TRUE(WIFEXITED(r) && WEXITSTATUS(r) == 0);
        f.fd = open(out, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(f.fd >= 0);
        ASSERT_OK(fstat(f.fd, &st) < 0 ? -errno : 0);
        ASSERT_EQ(go_buildinfo_read(fd_read, &f, (uint64_t) st.st_size, &b), 1);
        ASSERT_EQ(go_buildinfo_kubernetes_version(b, &v), 1);
        ASSERT_STREQ(v, "v1.34.4");
        ASSERT_STREQ(b->go_version, "go1.24.13");
        close(f.fd);
        unlink(out);
        rmdir(dir);
}

int main(void)
{
        RUN(test_valid);
        RUN(test_reads_little);
        RUN(test_not_mine);
        RUN(test_hostile);
        RUN(test_ldflags);
        RUN(test_kubernetes_version_fallbacks);
        RUN(test_generator);
        TESTS_DONE();
}
