/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "inspect/kubelet-env.h"
#include "shared/env-file.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "tests.h"

/* /etc/default/kubelet of an AKS Ubuntu 22.04 node, as AgentBaker writes it: KUBELET_FLAGS unquoted
 * with blanks (systemd reads the whole line; a shell would not), a trailing blank, empty values.
 * The layout and flags are those of a real node's file quoted in public AKS troubleshooting notes;
 * the labels are those of the AKSUbuntu-2204gen2containerd-202603.30.0 image. */
static const char aks_defaults[] =
        "KUBELET_FLAGS=--address=0.0.0.0 --anonymous-auth=false --authentication-token-webhook=true "
        "--authorization-mode=Webhook --cgroups-per-qos=true --client-ca-file=/etc/kubernetes/certs/ca.crt "
        "--cloud-config=/etc/kubernetes/azure.json --cloud-provider=external --cluster-dns=10.0.0.10 "
        "--cluster-domain=cluster.local --enforce-node-allocatable=pods --event-qps=0 "
        "--eviction-hard=memory.available<750Mi,nodefs.available<10%,nodefs.inodesFree<5% "
        "--image-gc-high-threshold=85 --image-gc-low-threshold=80 --kube-reserved=cpu=100m,memory=1843Mi "
        "--kubeconfig=/var/lib/kubelet/kubeconfig --max-pods=110 --node-status-update-frequency=10s "
        "--pod-infra-container-image=mcr.microsoft.com/oss/kubernetes/pause:3.6 "
        "--pod-manifest-path=/etc/kubernetes/manifests --pod-max-pids=-1 --protect-kernel-defaults=true "
        "--read-only-port=0 --resolv-conf=/run/systemd/resolve/resolv.conf --rotate-certificates=true "
        "--streaming-connection-idle-timeout=4h --tls-cert-file=/etc/kubernetes/certs/kubeletserver.crt "
        "--tls-private-key-file=/etc/kubernetes/certs/kubeletserver.key \n"
        "KUBELET_REGISTER_SCHEDULABLE=true\n"
        "NETWORK_POLICY=\n"
        "\n"
        "KUBELET_NODE_LABELS=kubernetes.azure.com/role=agent,agentpool=nodepool1,"
        "kubernetes.azure.com/agentpool=nodepool1,storageprofile=managed,storagetier=Premium_LRS,"
        "kubernetes.azure.com/storageprofile=managed,kubernetes.azure.com/storagetier=Premium_LRS,"
        "kubernetes.azure.com/os-sku=Ubuntu,kubernetes.azure.com/cluster=MC_rg_aks1_westeurope,"
        "kubernetes.azure.com/kubelet-identity-client-id=,kubernetes.azure.com/mode=system,"
        "kubernetes.azure.com/node-image-version=AKSUbuntu-2204gen2containerd-202603.30.0\n";

/* kubelet.service.d/10-componentconfig.conf (AgentBaker cse_config.sh configureKubeletServing). */
static const char componentconfig_dropin[] =
        "[Service]\n"
        "Environment=\"KUBELET_CONFIG_FILE_FLAGS=--config /etc/default/kubeletconfig.json\"\n";

static void test_aks_defaults(void)
{
        _cleanup_strv_free_ char **env = NULL, **words = NULL, **labels = NULL;
        _cleanup_free_ char *v = NULL;
        const char *flags;

        ASSERT_OK(kubelet_env_parse_file(aks_defaults, strlen(aks_defaults), &env));
        flags = env_get(env, "KUBELET_FLAGS");
        ASSERT_NOT_NULL(flags);
        ASSERT_TRUE(strncmp(flags, "--address=0.0.0.0 --anonymous-auth=false ", 41) == 0);
        ASSERT_TRUE(strlen(flags) > 1000);
        /* the trailing blank is dropped */
        ASSERT_TRUE(endswith(flags, "--tls-private-key-file=/etc/kubernetes/certs/kubeletserver.key"));
        ASSERT_STREQ(env_get(env, "KUBELET_REGISTER_SCHEDULABLE"), "true");
        ASSERT_STREQ(env_get(env, "NETWORK_POLICY"), "");

        ASSERT_OK(kubelet_env_split_words(flags, &words));
        ASSERT_EQ(strv_length(words), 29);
        ASSERT_EQ(kubelet_env_flag_value(words, "--max-pods", &v), 1);
        ASSERT_STREQ(v, "110");
        v = mfree(v);
        ASSERT_EQ(kubelet_env_flag_value(words, "--eviction-hard", &v), 1);
        ASSERT_STREQ(v, "memory.available<750Mi,nodefs.available<10%,nodefs.inodesFree<5%");
        v = mfree(v);
        ASSERT_EQ(kubelet_env_flag_value(words, "--config", &v), 0);

        ASSERT_OK(kubelet_env_node_labels(env_get(env, "KUBELET_NODE_LABELS"), &labels));
        ASSERT_EQ(strv_length(labels), 12);
        ASSERT_STREQ(labels[0], "kubernetes.azure.com/role=agent");
        ASSERT_STREQ(labels[9], "kubernetes.azure.com/kubelet-identity-client-id=");
        ASSERT_STREQ(labels[11],
                     "kubernetes.azure.com/node-image-version=AKSUbuntu-2204gen2containerd-202603.30.0");
}

static void test_dropin(void)
{
        _cleanup_strv_free_ char **env = NULL, **words = NULL;
        _cleanup_free_ char *v = NULL;
        static const char other[] =
                "[Service]\n"
                "Environment=A=1 \"B=two words\" 'C=x' junk =bad 1X=no\n"
                "  Environment=KUBELET_TLS_BOOTSTRAP_FLAGS=--kubeconfig\\ /var/lib/kubelet/kubeconfig\n"
                "ExecStart=\n"
                "# Environment=COMMENTED=1\n";

        ASSERT_OK(kubelet_env_parse_unit(componentconfig_dropin, strlen(componentconfig_dropin), "KUBELET_",
                                         &env));
        ASSERT_STREQ(env_get(env, "KUBELET_CONFIG_FILE_FLAGS"), "--config /etc/default/kubeletconfig.json");
        ASSERT_OK(kubelet_env_split_words(env_get(env, "KUBELET_CONFIG_FILE_FLAGS"), &words));
        ASSERT_EQ(kubelet_env_flag_value(words, "--config", &v), 1);
        ASSERT_STREQ(v, "/etc/default/kubeletconfig.json");

        ASSERT_OK(kubelet_env_parse_unit(other, strlen(other), "", &env));
        ASSERT_STREQ(env_get(env, "A"), "1");
        ASSERT_STREQ(env_get(env, "B"), "two words");
        ASSERT_STREQ(env_get(env, "C"), "x");
        ASSERT_STREQ(env_get(env, "KUBELET_TLS_BOOTSTRAP_FLAGS"),
                     "--kubeconfig /var/lib/kubelet/kubeconfig");
        ASSERT_NULL(env_get(env, "1X"));
        ASSERT_NULL(env_get(env, "COMMENTED"));
}

static void test_dropin_limits(void)
{
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *buf = malloc(5000 * 40);
        size_t len = 0;

        /* only the prefix is kept, and at most 1024 names */
        ASSERT_NOT_NULL(buf);
        for (int i = 0; i < 5000; i++)
                len += (size_t) sprintf(buf + len, "Environment=KUBELET_%d=x OTHER_%d=y\n", i, i);
        ASSERT_OK(kubelet_env_parse_unit(buf, len, "KUBELET_", &env));
        ASSERT_EQ(strv_length(env), 1024);
        ASSERT_STREQ(env_get(env, "KUBELET_0"), "x");
        ASSERT_NULL(env_get(env, "OTHER_0"));
        ASSERT_NULL(env_get(env, "KUBELET_4999"));
}

static void test_file_forms(void)
{
        static const char doc[] = "# comment\n"
                                  "KUBELET_A=\"--x=1 --y=2\"\n"
                                  "KUBELET_B='single quoted'\n"
                                  "KUBELET_C=--p=1 \\\n"
                                  "  --q=2\n"
                                  "KUBELET_D=  leading and trailing   \n"
                                  "KUBELET_E=escaped\\ blank and\\\\backslash\n"
                                  "KUBELET_F=one\n"
                                  "KUBELET_F=two words\n"
                                  "export KUBELET_G=g\n";
        _cleanup_strv_free_ char **env = NULL;

        ASSERT_OK(kubelet_env_parse_file(doc, strlen(doc), &env));
        ASSERT_STREQ(env_get(env, "KUBELET_A"), "--x=1 --y=2");
        ASSERT_STREQ(env_get(env, "KUBELET_B"), "single quoted");
        ASSERT_STREQ(env_get(env, "KUBELET_C"), "--p=1   --q=2");
        ASSERT_STREQ(env_get(env, "KUBELET_D"), "leading and trailing");
        ASSERT_STREQ(env_get(env, "KUBELET_E"), "escaped blank and\\backslash");
        ASSERT_STREQ(env_get(env, "KUBELET_F"), "two words");
        ASSERT_STREQ(env_get(env, "KUBELET_G"), "g");
}

static void test_node_labels(void)
{
        _cleanup_strv_free_ char **l = NULL, **m = NULL, **e = NULL, **h = NULL;
        _cleanup_free_ char *huge = NULL;
        size_t n = 200000;

        ASSERT_OK(kubelet_env_node_labels("--node-labels=a=1, b = 2 ,,novalue,=x,c=", &l));
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[0], "a=1");
        ASSERT_STREQ(l[1], "b = 2");
        ASSERT_STREQ(l[2], "c=");
        ASSERT_OK(kubelet_env_node_labels("", &e));
        ASSERT_NULL(e);
        ASSERT_OK(kubelet_env_node_labels("k=v", &m));
        ASSERT_EQ(strv_length(m), 1);

        /* hostile: 200000 labels are cut at the limit, in linear time */
        huge = malloc(n * 4 + 1);
        ASSERT_NOT_NULL(huge);
        for (size_t i = 0; i < n; i++)
                memcpy(huge + i * 4, "a=b,", 4);
        huge[n * 4] = 0;
        ASSERT_OK(kubelet_env_node_labels(huge, &h));
        ASSERT_EQ(strv_length(h), 1024);
}

static void test_words(void)
{
        _cleanup_strv_free_ char **w = NULL, **u = NULL, **many = NULL;
        _cleanup_free_ char *huge = NULL;
        size_t n = 300000;

        ASSERT_OK(kubelet_env_split_words("  a 'b c' \"d \\\"e\\\"\" f\\ g 'unterminated x", &w));
        ASSERT_EQ(strv_length(w), 5);
        ASSERT_STREQ(w[1], "b c");
        ASSERT_STREQ(w[2], "d \"e\"");
        ASSERT_STREQ(w[3], "f g");
        ASSERT_STREQ(w[4], "unterminated x");
        ASSERT_OK(kubelet_env_split_words(" \t ", &u));
        ASSERT_NULL(u);

        huge = malloc(n * 2 + 1);
        ASSERT_NOT_NULL(huge);
        for (size_t i = 0; i < n; i++)
                memcpy(huge + i * 2, "x ", 2);
        huge[n * 2] = 0;
        ASSERT_OK(kubelet_env_split_words(huge, &many));
        ASSERT_EQ(strv_length(many), 4096);
}

int main(void)
{
        RUN(test_aks_defaults);
        RUN(test_dropin);
        RUN(test_dropin_limits);
        RUN(test_file_forms);
        RUN(test_node_labels);
        RUN(test_words);
        TESTS_DONE();
}
