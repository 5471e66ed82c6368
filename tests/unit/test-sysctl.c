/* SPDX-License-Identifier: MIT */
/* Unit tests for the sysctl.d(5) parser. */
#include <stdlib.h>
#include <string.h>

#include "inspect/sysctl.h"
#include "tests.h"

/* /etc/sysctl.d/60-CIS.conf on AKS nodes, verbatim: derived from Azure/AgentBaker
 * parts/linux/cloud-init/artifacts/sysctl-d-60-CIS.conf (commit 0dd8666788a7e1070121862bf4a200c6abd747e5).
 * Note the trailing blank after "accepted" on line 4. */
static const char cis_conf[] =
        "# 3.1.2 Ensure packet redirect sending is disabled\n"
        "net.ipv4.conf.all.send_redirects = 0\n"
        "net.ipv4.conf.default.send_redirects = 0\n"
        "# 3.2.1 Ensure source routed packets are not accepted \n"
        "net.ipv4.conf.all.accept_source_route = 0\n"
        "net.ipv4.conf.default.accept_source_route = 0\n"
        "# 3.2.2 Ensure ICMP redirects are not accepted\n"
        "net.ipv4.conf.all.accept_redirects = 0\n"
        "net.ipv4.conf.default.accept_redirects = 0\n"
        "# 3.2.3 Ensure secure ICMP redirects are not accepted\n"
        "net.ipv4.conf.all.secure_redirects = 0\n"
        "net.ipv4.conf.default.secure_redirects = 0\n"
        "# 3.2.4 Ensure suspicious packets are logged\n"
        "net.ipv4.conf.all.log_martians = 1\n"
        "net.ipv4.conf.default.log_martians = 1\n"
        "# 3.3.1 Ensure IPv6 router advertisements are not accepted\n"
        "net.ipv6.conf.all.accept_ra = 0\n"
        "net.ipv6.conf.default.accept_ra = 0\n"
        "# 3.3.2 Ensure IPv6 redirects are not accepted\n"
        "net.ipv6.conf.all.accept_redirects = 0\n"
        "net.ipv6.conf.default.accept_redirects = 0\n"
        "# refer to https://github.com/kubernetes/kubernetes/blob/75d45bdfc9eeda15fb550e00da662c12d7d37985/"
        "pkg/kubelet/cm/container_manager_linux.go#L359-L397\n"
        "vm.overcommit_memory = 1\n"
        "kernel.panic = 10\n"
        "kernel.panic_on_oops = 1\n"
        "# to ensure node stability, refer to https://kubernetes.io/docs/concepts/policy/pid-limiting/\n"
        "kernel.pid_max = 4194304\n"
        "# https://github.com/Azure/AKS/issues/772\n"
        "fs.inotify.max_user_watches = 1048576\n";

static void test_aks_cis(void)
{
        _cleanup_(sysctl_file_freep) SysctlFile *f = NULL;

        ASSERT_OK(sysctl_parse(cis_conf, sizeof(cis_conf) - 1, &f));
        ASSERT_EQ(f->n_entries, 19);
        ASSERT_EQ(f->n_invalid, 0);
        ASSERT_STREQ(f->entries[0].key, "net.ipv4.conf.all.send_redirects");
        ASSERT_STREQ(f->entries[0].value, "0");
        ASSERT_EQ(f->entries[0].line, 2);
        ASSERT_FALSE(f->entries[0].ignore_errors);
        ASSERT_STREQ(f->entries[18].key, "fs.inotify.max_user_watches");
        ASSERT_STREQ(f->entries[18].value, "1048576");
        ASSERT_EQ(f->entries[18].line, 29);
}

static void test_aks_runtime_and_forward(void)
{
        /* /etc/sysctl.d/999-sysctl-aks.conf (AgentBaker artifacts/999-sysctl-aks.conf, commit
         * 8506644e2f711559a37e21392454efd3dca18eb3): no blanks around '=', no final newline. */
        static const char aks[] =
                "# This is a partial workaround to this upstream Kubernetes issue:\n"
                "# https://github.com/kubernetes/kubernetes/issues/41916#issuecomment-312428731\n"
                "net.ipv4.tcp_retries2=8\n"
                "net.core.message_burst=80\n"
                "net.core.message_cost=40\n"
                "net.core.somaxconn=16384\n"
                "net.ipv4.tcp_max_syn_backlog=16384\n"
                "net.ipv4.neigh.default.gc_thresh1=4096\n"
                "net.ipv4.neigh.default.gc_thresh2=8192\n"
                "net.ipv4.neigh.default.gc_thresh3=16384";
        /* /etc/sysctl.d/99-force-bridge-forward.conf (artifacts/99-force-bridge-forward.conf,
         * commit 4c3bc0b69546d44c728e4709819b4142233998bd), with CRLF line ends for good measure. */
        static const char fwd[] = "net.ipv4.ip_forward = 1\r\n"
                                  "net.ipv4.conf.all.forwarding = 1\r\n"
                                  "net.ipv6.conf.all.forwarding = 1\r\n"
                                  "net.bridge.bridge-nf-call-iptables = 1";
        _cleanup_(sysctl_file_freep) SysctlFile *a = NULL, *b = NULL;

        ASSERT_OK(sysctl_parse(aks, sizeof(aks) - 1, &a));
        ASSERT_EQ(a->n_entries, 8);
        ASSERT_EQ(a->n_invalid, 0);
        ASSERT_STREQ(a->entries[0].key, "net.ipv4.tcp_retries2");
        ASSERT_STREQ(a->entries[0].value, "8");
        ASSERT_STREQ(a->entries[7].key, "net.ipv4.neigh.default.gc_thresh3");
        ASSERT_STREQ(a->entries[7].value, "16384");
        ASSERT_EQ(a->entries[7].line, 10);

        ASSERT_OK(sysctl_parse(fwd, sizeof(fwd) - 1, &b));
        ASSERT_EQ(b->n_entries, 4);
        ASSERT_STREQ(b->entries[0].value, "1");
        ASSERT_STREQ(b->entries[3].key, "net.bridge.bridge-nf-call-iptables");
        ASSERT_STREQ(b->entries[3].value, "1");
}

static void test_syntax(void)
{
        /* systemd's /usr/lib/sysctl.d/50-default.conf uses globs and "-" exclusions; procps and
         * systemd both accept ';' comments and '/' separators. */
        static const char buf[] =
                "; semicolon comment\n"
                "   # indented comment\n"
                "\n"
                "kernel/yama/ptrace_scope = 1\n"
                "net/ipv4/conf/eth0.100/forwarding=1\n"
                "-net.ipv4.conf.all.rp_filter = 2\n"
                "net.ipv4.conf.*.rp_filter = 2\n"
                "-net.ipv4.conf.all.promote_secondaries\n"
                "net.ipv4.ip_local_port_range = 32768\t60999  \n"
                "kernel.core_pattern = |/usr/share/apport/apport -p%p -s%s -c%c # not a comment\n"
                "fs.empty =\n"
                "- vm.swappiness = 10\n";
        _cleanup_(sysctl_file_freep) SysctlFile *f = NULL;

        ASSERT_OK(sysctl_parse(buf, sizeof(buf) - 1, &f));
        ASSERT_EQ(f->n_invalid, 0);
        ASSERT_EQ(f->n_entries, 9);
        ASSERT_STREQ(f->entries[0].key, "kernel.yama.ptrace_scope");
        ASSERT_STREQ(f->entries[1].key, "net.ipv4.conf.eth0/100.forwarding");
        ASSERT_TRUE(f->entries[2].ignore_errors);
        ASSERT_STREQ(f->entries[2].key, "net.ipv4.conf.all.rp_filter");
        ASSERT_STREQ(f->entries[2].value, "2");
        ASSERT_STREQ(f->entries[3].key, "net.ipv4.conf.*.rp_filter");
        ASSERT_STREQ(f->entries[4].key, "net.ipv4.conf.all.promote_secondaries");
        ASSERT_NULL(f->entries[4].value); /* an exclusion */
        ASSERT_TRUE(f->entries[4].ignore_errors);
        ASSERT_STREQ(f->entries[5].value, "32768\t60999");
        ASSERT_STREQ(f->entries[6].value, "|/usr/share/apport/apport -p%p -s%s -c%c # not a comment");
        ASSERT_STREQ(f->entries[7].key, "fs.empty");
        ASSERT_STREQ(f->entries[7].value, "");
        ASSERT_STREQ(f->entries[8].key, "vm.swappiness");
        ASSERT_TRUE(f->entries[8].ignore_errors);
}

static void test_normalize(void)
{
        char a[] = "net.ipv4.conf.enp3s0/200.forwarding", b[] = "net/ipv4/conf/enp3s0.200/forwarding",
             c[] = "kernel", d[] = "";

        /* The two spellings sysctl.d(5) gives for one key. */
        ASSERT_STREQ(sysctl_normalize_key(a), "net.ipv4.conf.enp3s0/200.forwarding");
        ASSERT_STREQ(sysctl_normalize_key(b), "net.ipv4.conf.enp3s0/200.forwarding");
        ASSERT_STREQ(sysctl_normalize_key(c), "kernel");
        ASSERT_STREQ(sysctl_normalize_key(d), "");
}

static void test_hostile(void)
{
        /* Missing '=', empty key, blanks inside the key, NUL and control bytes, an unterminated last line.
         */
        static const char buf[] = "net.ipv4.ip_forward 1\n"
                                  "= 1\n"
                                  "net ipv4 = 1\n"
                                  "kernel.pa\0nic = 1\n"
                                  "kernel.panic = 1\0 0\n"
                                  "kernel.bell = \x07\n"
                                  "vm.ok = 1\n"
                                  "-\n"
                                  "vm.last = \xff\xfe";
        _cleanup_(sysctl_file_freep) SysctlFile *f = NULL, *g = NULL, *h = NULL;
        size_t big = 10u * 1024u * 1024u;
        _cleanup_free_ char *huge = malloc(big + 32);

        ASSERT_OK(sysctl_parse(buf, sizeof(buf) - 1, &f));
        ASSERT_EQ(f->n_invalid, 7);
        ASSERT_EQ(f->first_invalid_line, 1);
        ASSERT_EQ(f->n_entries, 2);
        ASSERT_STREQ(f->entries[0].key, "vm.ok");
        ASSERT_EQ(f->entries[0].line, 7);
        ASSERT_STREQ(f->entries[1].value, "\xff\xfe"); /* bytes kept; JSON output sanitises them */

        /* A 10 MiB value on one line, then a normal line. */
        ASSERT_NOT_NULL(huge);
        memcpy(huge, "vm.x = ", 7);
        memset(huge + 7, '7', big);
        memcpy(huge + 7 + big, "\nvm.y = 2\n", 10);
        ASSERT_OK(sysctl_parse(huge, big + 17, &g));
        ASSERT_EQ(g->n_entries, 2);
        ASSERT_EQ(strlen(g->entries[0].value), big);
        ASSERT_STREQ(g->entries[1].key, "vm.y");

        /* Nothing at all. */
        ASSERT_OK(sysctl_parse("", 0, &h));
        ASSERT_EQ(h->n_entries, 0);
        ASSERT_EQ(h->n_invalid, 0);
}

int main(void)
{
        RUN(test_aks_cis);
        RUN(test_aks_runtime_and_forward);
        RUN(test_syntax);
        RUN(test_normalize);
        RUN(test_hostile);
        TESTS_DONE();
}
