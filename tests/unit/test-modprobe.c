/* SPDX-License-Identifier: MIT */
/* Unit tests for the modprobe.d(5) and modules-load.d(5) parsers. */
#include <stdlib.h>
#include <string.h>

#include "inspect/modprobe.h"
#include "inspect/modules-load.h"
#include "tests.h"

/* /etc/modprobe.d/CIS.conf on AKS Ubuntu nodes, verbatim: derived from Azure/AgentBaker
 * parts/linux/cloud-init/artifacts/modprobe-CIS.conf (commit 55356758db3f463c47f7f2eb84d2e75b8ce988eb). */
static const char cis_conf[] =
        "# 3.5.1 Ensure DCCP is disabled\n"
        "install dccp /bin/true\n"
        "# 3.5.2 Ensure SCTP is disabled\n"
        "install sctp /bin/true\n"
        "# 3.5.3 Ensure RDS is disabled\n"
        "install rds /bin/true\n"
        "# 3.5.4 Ensure TIPC is disabled\n"
        "install tipc /bin/true\n"
        "# 1.1.1.1 Ensure mounting of cramfs filesystems is disabled\n"
        "# Mariner AKS CIS Benchmark: Ensure mounting of cramfs filesystems is disabled\n"
        "install cramfs /bin/true\n"
        "blacklist cramfs\n"
        "# 1.1.1.2 Ensure mounting of freevxfs filesystems is disabled\n"
        "install freevxfs /bin/true\n"
        "blacklist freevxfs\n"
        "# 1.1.1.3 Ensure mounting of jffs2 filesystems is disabled\n"
        "install jffs2 /bin/true\n"
        "blacklist jffs2\n"
        "# 1.1.1.4 Ensure mounting of hfs filesystems is disabled\n"
        "install hfs /bin/true\n"
        "blacklist hfs\n"
        "# 1.1.1.5 Ensure mounting of hfsplus filesystems is disabled\n"
        "install hfsplus /bin/true\n"
        "blacklist hfsplus\n"
        "# 1.1.1.9 Ensure usb-storage kernel module is not available\n"
        "install usb-storage /bin/true\n"
        "blacklist usb-storage\n"
        "# CVE-2026-31431 (Copy Fail): Disable algif_aead to mitigate LPE vulnerability\n"
        "# until kernel fix is available. See "
        "https://ubuntu.com/blog/copy-fail-vulnerability-fixes-available\n"
        "install algif_aead /bin/false\n"
        "blacklist algif_aead\n"
        "# DirtyFrag / CopyFail2: Disable xfrm ESP and RxRPC modules to mitigate page-cache\n"
        "# write LPE vulnerabilities. rxrpc path bypasses AppArmor userns restrictions.\n"
        "# AKS platform components do not require kernel IPsec ESP/XFRM or AFS/RxRPC.\n"
        "# Disabling these modules prevents workloads that rely on those protocols from working\n"
        "# on the node. See https://github.com/V4bel/dirtyfrag\n"
        "install esp4 /bin/false\n"
        "blacklist esp4\n"
        "install esp6 /bin/false\n"
        "blacklist esp6\n"
        "install rxrpc /bin/false\n"
        "blacklist rxrpc\n";

static void test_aks_cis(void)
{
        _cleanup_(modprobe_file_freep) ModprobeFile *f = NULL;
        size_t installs = 0, blacklists = 0;

        ASSERT_OK(modprobe_parse(cis_conf, sizeof(cis_conf) - 1, &f));
        ASSERT_EQ(f->n_invalid, 0);
        ASSERT_EQ(f->n_entries, 24);
        for (size_t i = 0; i < f->n_entries; i++) {
                installs += f->entries[i].directive == MODPROBE_INSTALL;
                blacklists += f->entries[i].directive == MODPROBE_BLACKLIST;
        }
        ASSERT_EQ(installs, 14);
        ASSERT_EQ(blacklists, 10);
        ASSERT_EQ(f->entries[0].directive, MODPROBE_INSTALL);
        ASSERT_STREQ(f->entries[0].module, "dccp");
        ASSERT_STREQ(f->entries[0].args, "/bin/true");
        ASSERT_EQ(f->entries[0].line, 2);
        ASSERT_STREQ(f->entries[5].module, "cramfs");
        ASSERT_EQ(f->entries[5].directive, MODPROBE_BLACKLIST);
        ASSERT_NULL(f->entries[5].args);
        ASSERT_EQ(f->entries[5].line, 12);
        ASSERT_STREQ(f->entries[14].module, "usb-storage"); /* as written; libkmod reads it as usb_storage */
        ASSERT_STREQ(f->entries[23].module, "rxrpc");
        ASSERT_STREQ(modprobe_directive_to_string(f->entries[23].directive), "blacklist");
}

static void test_directives(void)
{
        /* Ubuntu's /lib/modprobe.d and /etc/modprobe.d content, and a continued line. */
        static const char buf[] =
                "# /etc/modprobe.d/blacklist.conf\n"
                "alias net-pf-10 off\n"
                "options\tnf_conntrack  hashsize=131072 \n"
                "softdep crc32c pre: crc32c-intel\n"
                "weakdep radeon amdgpu\n"
                "   blacklist\tevbug\n"
                "remove snd-hda-intel /sbin/modprobe -r --ignore-remove snd-hda-intel \\\n"
                "   && echo 'removed  twice'\n"
                "install nvidia /sbin/modprobe --ignore-install nvidia; /usr/bin/nvidia-modprobe\n"
                "options mlx5_core prof_sel=2 \\\n";
        _cleanup_(modprobe_file_freep) ModprobeFile *f = NULL;

        ASSERT_OK(modprobe_parse(buf, sizeof(buf) - 1, &f));
        ASSERT_EQ(f->n_invalid, 0);
        ASSERT_EQ(f->n_entries, 8);
        ASSERT_EQ(f->entries[0].directive, MODPROBE_ALIAS);
        ASSERT_STREQ(f->entries[0].module, "net-pf-10");
        ASSERT_STREQ(f->entries[0].args, "off");
        ASSERT_EQ(f->entries[1].directive, MODPROBE_OPTIONS);
        ASSERT_STREQ(f->entries[1].module, "nf_conntrack");
        ASSERT_STREQ(f->entries[1].args, "hashsize=131072");
        ASSERT_EQ(f->entries[2].directive, MODPROBE_SOFTDEP);
        ASSERT_STREQ(f->entries[2].args, "pre: crc32c-intel");
        ASSERT_EQ(f->entries[3].directive, MODPROBE_WEAKDEP);
        ASSERT_STREQ(f->entries[4].module, "evbug");
        ASSERT_EQ(f->entries[4].line, 6);
        ASSERT_EQ(f->entries[5].directive, MODPROBE_REMOVE);
        ASSERT_EQ(f->entries[5].line, 7);
        ASSERT_STREQ(f->entries[5].args,
                     "/sbin/modprobe -r --ignore-remove snd-hda-intel    && echo 'removed  twice'");
        ASSERT_EQ(f->entries[6].line, 9);
        ASSERT_STREQ(f->entries[6].args, "/sbin/modprobe --ignore-install nvidia; /usr/bin/nvidia-modprobe");
        /* A continuation at the end of the file ends the directive. */
        ASSERT_STREQ(f->entries[7].args, "prof_sel=2");
        ASSERT_EQ(f->entries[7].line, 10);
}

static void test_modprobe_hostile(void)
{
        static const char buf[] = "include /etc/other.conf\n"     /* not a modprobe directive */
                                  "install cramfs\n"              /* no command */
                                  "options e1000\n"               /* no options */
                                  "alias only-one\n"              /* no target */
                                  "blacklist\n"                   /* no module */
                                  "blacklist a\0b\n"              /* NUL */
                                  "install x /bin/\x1b[31mtrue\n" /* control byte */
                                  "blacklistx foo\n"
                                  "blacklist ok\n";
        _cleanup_(modprobe_file_freep) ModprobeFile *f = NULL, *g = NULL;
        size_t big = 10u * 1024u * 1024u;
        _cleanup_free_ char *huge = malloc(big + 64);

        ASSERT_OK(modprobe_parse(buf, sizeof(buf) - 1, &f));
        ASSERT_EQ(f->n_invalid, 8);
        ASSERT_EQ(f->first_invalid_line, 1);
        ASSERT_EQ(f->n_entries, 1);
        ASSERT_STREQ(f->entries[0].module, "ok");
        ASSERT_EQ(f->entries[0].line, 9);

        /* A 10 MiB options line, continued a thousand times. */
        ASSERT_NOT_NULL(huge);
        memcpy(huge, "options big ", 12);
        memset(huge + 12, 'x', big);
        for (size_t i = 1; i <= 1000; i++)
                memcpy(huge + 12 + i * 1000, "\\\n", 2);
        memcpy(huge + 12 + big, "\nblacklist y\n", 13);
        ASSERT_OK(modprobe_parse(huge, big + 25, &g));
        ASSERT_EQ(g->n_invalid, 0);
        ASSERT_EQ(g->n_entries, 2);
        ASSERT_EQ(strlen(g->entries[0].args), big - 2000);
        ASSERT_STREQ(g->entries[1].module, "y");
        ASSERT_EQ(g->entries[1].line, 1002);
}

static void test_modules_load(void)
{
        /* Debian's /etc/modules as shipped by kmod, with additions; Azure Linux's
         * /etc/modules-load.d/contrack.conf holds "nf_conntrack" (AgentBaker
         * vhdbuilder/scripts/linux/mariner/tool_installs_mariner.sh activateNfConntrack). */
        static const char buf[] = "# /etc/modules: kernel modules to load at boot time.\n"
                                  "#\n"
                                  "# This file contains the names of kernel modules that should be loaded\n"
                                  "# at boot time, one per line. Lines beginning with \"#\" are ignored.\n"
                                  "\n"
                                  "nf_conntrack\n"
                                  "  ; comment\n"
                                  "\tloop max_loop=64  \n"
                                  "br_netfilter\r\n"
                                  "bad\0module\n"
                                  "last";
        _cleanup_(modules_load_file_freep) ModulesLoadFile *f = NULL, *g = NULL;
        size_t big = 10u * 1024u * 1024u;
        _cleanup_free_ char *huge = malloc(big);

        ASSERT_OK(modules_load_parse(buf, sizeof(buf) - 1, &f));
        ASSERT_EQ(f->n_entries, 4);
        ASSERT_EQ(f->n_invalid, 1);
        ASSERT_EQ(f->first_invalid_line, 10);
        ASSERT_STREQ(f->entries[0].module, "nf_conntrack");
        ASSERT_EQ(f->entries[0].line, 6);
        ASSERT_NULL(f->entries[0].args);
        ASSERT_STREQ(f->entries[1].module, "loop");
        ASSERT_STREQ(f->entries[1].args, "max_loop=64");
        ASSERT_STREQ(f->entries[2].module, "br_netfilter");
        ASSERT_STREQ(f->entries[3].module, "last");
        ASSERT_EQ(f->entries[3].line, 11);

        ASSERT_NOT_NULL(huge);
        memset(huge, 'm', big);
        ASSERT_OK(modules_load_parse(huge, big, &g));
        ASSERT_EQ(g->n_entries, 1);
        ASSERT_EQ(strlen(g->entries[0].module), big);
}

int main(void)
{
        RUN(test_aks_cis);
        RUN(test_directives);
        RUN(test_modprobe_hostile);
        RUN(test_modules_load);
        TESTS_DONE();
}
