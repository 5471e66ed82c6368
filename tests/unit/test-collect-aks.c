/* SPDX-License-Identifier: MIT */
/* Unit tests for the aks collector (src/inspect/collect-aks.c) on guest trees laid out as AgentBaker
 * lays out an Ubuntu 22.04 AKS node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "go-elf.h"
#include "guest-tree.h"
#include "shared/json-util.h"
#include "tests.h"

/* Azure/AgentBaker parts/linux/cloud-init/artifacts/kubelet.service, rendered for containerd. */
static const char kubelet_service[] =
        "[Unit]\n"
        "Description=Kubelet\n"
        "ConditionPathExists=/usr/local/bin/kubelet\n"
        "\n"
        "[Service]\n"
        "Restart=always\n"
        "EnvironmentFile=/etc/default/kubelet\n"
        "SuccessExitStatus=143\n"
        "ExecStartPre=/bin/bash /opt/azure/containers/kubelet.sh\n"
        "ExecStartPre=/bin/mkdir -p /var/lib/kubelet\n"
        "ExecStart=/usr/local/bin/kubelet \\\n"
        "        --enable-server \\\n"
        "        --node-labels=\"${KUBELET_NODE_LABELS}\" \\\n"
        "        --v=2 --container-runtime=remote --runtime-request-timeout=15m "
        "--container-runtime-endpoint=unix:///run/containerd/containerd.sock \\\n"
        "        --volume-plugin-dir=/etc/kubernetes/volumeplugins \\\n"
        "        $KUBELET_FLAGS \\\n"
        "        $KUBELET_REGISTER_NODE $KUBELET_REGISTER_WITH_TAINTS\n"
        "\n"
        "[Install]\n"
        "WantedBy=multi-user.target\n";

/* /etc/default/kubelet (see test-kubelet-env.c for its provenance), shortened. */
static const char kubelet_defaults[] =
        "KUBELET_FLAGS=--address=0.0.0.0 --anonymous-auth=false --authentication-token-webhook=true "
        "--authorization-mode=Webhook --cgroups-per-qos=true --client-ca-file=/etc/kubernetes/certs/ca.crt "
        "--cloud-provider=external --cluster-dns=10.0.0.10 --max-pods=110 "
        "--tls-private-key-file=/etc/kubernetes/certs/kubeletserver.key \n"
        "KUBELET_REGISTER_SCHEDULABLE=true\n"
        "NETWORK_POLICY=\n"
        "\n"
        "KUBELET_NODE_LABELS=kubernetes.azure.com/role=agent,agentpool=nodepool1,"
        "kubernetes.azure.com/agentpool=nodepool1,kubernetes.azure.com/os-sku=Ubuntu,"
        "kubernetes.azure.com/kubelet-identity-client-id=,kubernetes.azure.com/mode=system,"
        "kubernetes.azure.com/node-image-version=AKSUbuntu-2204gen2containerd-202603.30.0\n";

static const char containerd_config[] =
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
        "  [plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
        "    config_path = \"/etc/containerd/certs.d\"\n"
        "[metrics]\n"
        "  address = \"0.0.0.0:10257\"\n";

static void write_kubelet_elf(GuestTree *t, const char *rel, const char *git_version)
{
        char modinfo[512];
        Elf e;

        snprintf(modinfo, sizeof(modinfo),
                 "path\tk8s.io/kubernetes/cmd/kubelet\n"
                 "mod\tk8s.io/kubernetes\t(devel)\t\n"
                 "build\t-ldflags=\"-s -w -X 'k8s.io/component-base/version.gitVersion=%s'\"\n"
                 "build\tGOOS=linux\n",
                 git_version);
        e = make_elf(true, false, modinfo, 0x2, 64 * 1024);
        tree_file_n(t, rel, e.data, e.size);
        free(e.data);
}

/* Real package versions from the AKSUbuntu-2204gen2containerd-202603.30.0 release notes. */
static void write_dpkg_status(GuestTree *t, bool with_kubelet_package)
{
        _cleanup_free_ char *s = NULL;

        status_append(&s, "apparmor", "3.0.4-2ubuntu2.5", "amd64");
        status_append(&s, "blobfuse2", "2.5.2", "amd64");
        status_append(&s, "containernetworking-plugins", "1.9.0-ubuntu22.04u1", "amd64");
        status_append(&s, "ig", "0.49.1-ubuntu22.04u2", "amd64");
        status_append(&s, "kubernetes-cri-tools", "1.34.0-ubuntu22.04u2", "amd64");
        status_append(&s, "moby-containerd", "1.7.30-ubuntu22.04u2", "amd64");
        status_append(&s, "moby-runc", "1.4.0-ubuntu22.04u2", "amd64");
        if (with_kubelet_package)
                status_append(&s, "kubelet", "1.34.10-ubuntu22.04u1", "amd64");
        tree_file(t, "var/lib/dpkg/status", s);
        tree_file(t, "etc/os-release", "ID=ubuntu\nVERSION_ID=\"22.04\"\n");
}

static json_object *run(GuestTree *t)
{
        tree_open(t);
        ASSERT_OK(collect_os_release(&t->ctx));
        ASSERT_OK(collect_dpkg(&t->ctx));
        ASSERT_OK(collect_aks(&t->ctx));
        return json_get(t->inv->root, "aks");
}

static bool has_finding(GuestTree *t, const char *key)
{
        return inventory_has_finding(t->inv, key) > 0;
}

static void test_full_node(void)
{
        GuestTree t;
        json_object *aks, *k, *cd, *cfg, *files, *comp, *cached;

        tree_new(&t);
        write_dpkg_status(&t, false);
        write_kubelet_elf(&t, "usr/local/bin/kubelet", "v1.34.4");
        tree_file(&t, "opt/bin/kubelet-1.34.4", "x");
        tree_file(&t, "opt/bin/kubelet-1.9.2", "x");
        tree_file(&t, "opt/bin/kubelet-1.33.5", "x");
        tree_file(&t, "opt/bin/kubectl-1.34.4", "x");
        tree_file(&t, "opt/bin/kubelet-notaversion", "x");
        tree_file(&t, "etc/systemd/system/kubelet.service", kubelet_service);
        tree_file(&t, "etc/systemd/system/kubelet.service.d/10-tlsbootstrap.conf",
                  "[Service]\nEnvironment=\"KUBELET_TLS_BOOTSTRAP_FLAGS=--kubeconfig "
                  "/var/lib/kubelet/kubeconfig "
                  "--bootstrap-kubeconfig /var/lib/kubelet/bootstrap-kubeconfig\"");
        tree_file(&t, "etc/systemd/system/kubelet.service.d/10-componentconfig.conf",
                  "[Service]\nEnvironment=\"KUBELET_CONFIG_FILE_FLAGS=--config "
                  "/etc/default/kubeletconfig.json\"\n");
        tree_file(&t, "etc/systemd/system/kubelet.service.d/README", "not a drop-in");
        tree_file(&t, "etc/default/kubelet", kubelet_defaults);
        tree_file(&t, "etc/default/kubeletconfig.json", "{\"kind\":\"KubeletConfiguration\"}");
        tree_file(&t, "etc/containerd/config.toml", containerd_config);
        tree_file(&t, "etc/kubernetes/azure.json", "{\"aadClientSecret\":\"SECRET\"}");
        tree_file(&t, "etc/kubernetes/certs/ca.crt", "SECRET");
        tree_file(&t, "etc/kubernetes/certs/client.key", "SECRET");
        tree_dir(&t, "etc/kubernetes/manifests");
        tree_dir(&t, "etc/kubernetes/volumeplugins");
        /* a symlink to a directory elsewhere is listed, not followed */
        tree_file(&t, "srv/elsewhere/not-listed", "x");
        tree_link(&t, "etc/kubernetes/link", "/srv/elsewhere");
        tree_file(&t, "opt/azure/vhd-install.complete",
                  "Starting build on  Mon Mar 30 06:12:01 UTC 2026\n"
                  "Components downloaded in this VHD build (some of the below components might get deleted "
                  "during cluster provisioning if they are not needed):\n"
                  "  - containerd version: 1.7.30-ubuntu22.04u2\n");
        tree_file(&t, "opt/cni/bin/bridge", "x");
        tree_file(&t, "opt/cni/bin/azure-vnet", "x");
        tree_file(&t, "opt/cni/bin/loopback", "x");
        tree_file(&t, "etc/cni/net.d/10-azure.conflist", "{}");

        aks = run(&t);
        ASSERT_NOT_NULL(aks);
        ASSERT_TRUE(json_get_bool(aks, "is_node", false));

        k = json_get(aks, "kubelet");
        ASSERT_STREQ(json_get_str(k, "binary"), "/usr/local/bin/kubelet");
        ASSERT_STREQ(json_get_str(k, "version"), "v1.34.4");
        ASSERT_STREQ(json_get_str(k, "version_source"), "buildinfo");
        ASSERT_STREQ(json_get_str(k, "unit"), "/etc/systemd/system/kubelet.service");
        cached = json_get(k, "cached_versions");
        ASSERT_EQ(json_object_array_length(cached), 3);
        ASSERT_STREQ(jstr(cached, "0"), "1.9.2");
        ASSERT_STREQ(jstr(cached, "1"), "1.33.5");
        ASSERT_STREQ(jstr(cached, "2"), "1.34.4");
        ASSERT_EQ(json_object_array_length(json_get(k, "dropins")), 2);
        ASSERT_STREQ(jstr(k, "dropins.0"), "/etc/systemd/system/kubelet.service.d/10-componentconfig.conf");
        ASSERT_STREQ(json_get_str(json_get(k, "flags"), "KUBELET_REGISTER_SCHEDULABLE"), "true");
        ASSERT_TRUE(
                strstr(json_get_str(json_get(k, "flags"), "KUBELET_FLAGS"), "--max-pods=110 --tls-private"));
        ASSERT_NULL(json_get(json_get(k, "flags"), "NETWORK_POLICY"));
        ASSERT_STREQ(json_get_str(json_get(k, "node_labels"), "kubernetes.azure.com/role"), "agent");
        ASSERT_STREQ(
                json_get_str(json_get(k, "node_labels"), "kubernetes.azure.com/kubelet-identity-client-id"),
                "");
        ASSERT_STREQ(json_get_str(json_get(k, "unit_environment"), "KUBELET_CONFIG_FILE_FLAGS"),
                     "--config /etc/default/kubeletconfig.json");
        ASSERT_STREQ(json_get_str(k, "config_file"), "/etc/default/kubeletconfig.json");
        ASSERT_TRUE(json_get_bool(k, "config_file_exists", false));
        ASSERT_STREQ(json_get_str(aks, "node_image_version"), "AKSUbuntu-2204gen2containerd-202603.30.0");

        cd = json_get(aks, "containerd");
        ASSERT_STREQ(json_get_str(cd, "version"), "1.7.30-ubuntu22.04u2");
        ASSERT_STREQ(json_get_str(cd, "package"), "moby-containerd");
        ASSERT_STREQ(json_get_str(cd, "config_path"), "/etc/containerd/config.toml");
        cfg = json_get(cd, "config");
        ASSERT_EQ(json_get_int(cfg, "version", 0), 2);
        ASSERT_STREQ(json_get_str(cfg, "sandbox_image"), "mcr.microsoft.com/oss/kubernetes/pause:3.6");
        ASSERT_TRUE(json_get_bool(cfg, "systemd_cgroup", false));
        ASSERT_STREQ(json_get_str(cfg, "default_runtime_name"), "runc");
        ASSERT_EQ(json_object_array_length(json_get(cfg, "runtimes")), 2);
        ASSERT_STREQ(jstr(cfg, "runtimes.1"), "untrusted");
        ASSERT_NULL(json_get(cfg, "snapshotter"));
        ASSERT_EQ(json_object_array_length(json_get(cfg, "config_imports")), 0);
        ASSERT_STREQ(json_get_str(json_get(aks, "runc"), "version"), "1.4.0-ubuntu22.04u2");
        ASSERT_STREQ(json_get_str(json_get(aks, "runc"), "package"), "moby-runc");

        files = json_get(aks, "kubernetes_files");
        ASSERT_EQ(json_object_array_length(files), 7);
        ASSERT_STREQ(jstr(files, "0"), "/etc/kubernetes/azure.json");
        ASSERT_STREQ(jstr(files, "1"), "/etc/kubernetes/certs");
        ASSERT_STREQ(jstr(files, "2"), "/etc/kubernetes/certs/ca.crt");
        ASSERT_STREQ(jstr(files, "4"), "/etc/kubernetes/link");
        ASSERT_FALSE(json_get_bool(aks, "kubernetes_files_truncated", true));

        ASSERT_TRUE(json_get_bool(json_get(aks, "vhd_build"), "present", false));
        ASSERT_STREQ(json_get_str(json_get(aks, "vhd_build"), "started"), "Mon Mar 30 06:12:01 UTC 2026");
        ASSERT_EQ(json_object_array_length(json_get(json_get(aks, "cni"), "bin_dir_entries")), 3);
        ASSERT_STREQ(jstr(aks, "cni.bin_dir_entries.0"), "azure-vnet");
        ASSERT_STREQ(jstr(aks, "cni.conf_files.0"), "10-azure.conflist");

        comp = json_get(aks, "components");
        ASSERT_EQ(json_object_array_length(comp), 6);
        ASSERT_STREQ(json_get_str(json_object_array_get_idx(comp, 0), "name"), "blobfuse2");
        ASSERT_STREQ(json_get_str(json_object_array_get_idx(comp, 2), "component"), "inspektor-gadget");
        ASSERT_STREQ(json_get_str(json_object_array_get_idx(comp, 2), "version"), "0.49.1-ubuntu22.04u2");

        ASSERT_FALSE(has_finding(&t, "aks.kubelet.version-unknown"));
        ASSERT_FALSE(has_finding(&t, "aks.containerd.config.invalid"));
        tree_free(&t);
}

static void test_version_from_filename(void)
{
        GuestTree t;
        json_object *k;

        tree_new(&t);
        write_dpkg_status(&t, true);
        tree_file(&t, "opt/bin/kubelet-v1.33.5", "#!/bin/sh\n");
        tree_link(&t, "usr/local/bin/kubelet", "/opt/bin/kubelet-v1.33.5");
        k = json_get(run(&t), "kubelet");
        ASSERT_STREQ(json_get_str(k, "version"), "v1.33.5");
        ASSERT_STREQ(json_get_str(k, "version_source"), "filename");
        ASSERT_NULL(json_get(k, "unit"));
        ASSERT_NULL(json_get(k, "config_file"));
        ASSERT_FALSE(json_get_bool(k, "config_file_exists", true));
        tree_free(&t);
}

static void test_version_from_package(void)
{
        GuestTree t;
        json_object *k;

        tree_new(&t);
        write_dpkg_status(&t, true);
        tree_file(&t, "usr/bin/kubelet", "not an ELF file");
        k = json_get(run(&t), "kubelet");
        ASSERT_STREQ(json_get_str(k, "binary"), "/usr/bin/kubelet");
        ASSERT_STREQ(json_get_str(k, "version"), "v1.34.10");
        ASSERT_STREQ(json_get_str(k, "version_source"), "package");
        tree_free(&t);
}

static void test_version_unknown(void)
{
        GuestTree t;
        json_object *aks, *k;
        Elf e;

        tree_new(&t);
        write_dpkg_status(&t, false);
        /* a truncated kubelet: the ELF header promises section headers past the end */
        e = make_elf(true, false, "build\tGOOS=linux\n", 0x2, 0);
        tree_file_n(&t, "usr/local/bin/kubelet", e.data, e.size / 2);
        free(e.data);
        tree_file(&t, "lib/systemd/system/kubelet.service", kubelet_service);
        aks = run(&t);
        k = json_get(aks, "kubelet");
        ASSERT_STREQ(json_get_str(k, "binary"), "/usr/local/bin/kubelet");
        ASSERT_NULL(json_get(k, "version"));
        ASSERT_NULL(json_get(k, "version_source"));
        ASSERT_STREQ(json_get_str(k, "unit"), "/lib/systemd/system/kubelet.service");
        ASSERT_TRUE(has_finding(&t, "aks.kubelet.version-unknown"));
        ASSERT_TRUE(json_get_bool(aks, "is_node", false));
        tree_free(&t);
}

static void test_not_a_node(void)
{
        GuestTree t;
        json_object *aks, *k;

        tree_new(&t);
        tree_file(&t, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
        tree_file(&t, "var/lib/dpkg/status", "");
        aks = run(&t);
        ASSERT_FALSE(json_get_bool(aks, "is_node", true));
        k = json_get(aks, "kubelet");
        ASSERT_NULL(json_get(k, "binary"));
        ASSERT_NULL(json_get(k, "version"));
        ASSERT_EQ(json_object_array_length(json_get(k, "cached_versions")), 0);
        ASSERT_EQ(json_object_object_length(json_get(k, "flags")), 0);
        ASSERT_NULL(json_get(json_get(aks, "containerd"), "version"));
        ASSERT_NULL(json_get(json_get(aks, "containerd"), "config_path"));
        ASSERT_NULL(json_get(json_get(aks, "containerd"), "config"));
        ASSERT_NULL(json_get(aks, "node_image_version"));
        ASSERT_FALSE(json_get_bool(json_get(aks, "vhd_build"), "present", true));
        ASSERT_NULL(json_get(json_get(aks, "vhd_build"), "started"));
        ASSERT_EQ(json_object_array_length(json_get(aks, "components")), 0);
        ASSERT_EQ(json_object_array_length(json_get(aks, "kubernetes_files")), 0);
        ASSERT_EQ(json_object_array_length(t.inv->findings), 0);
        tree_free(&t);
}

static void test_hostile_containerd(void)
{
        GuestTree t;
        json_object *cd;
        size_t big = 5u * 1024u * 1024u;
        char *s = malloc(big + 32);

        /* larger than the file cap: not read */
        ASSERT_NOT_NULL(s);
        memcpy(s, "sandbox_image = \"", 17);
        memset(s + 17, 'x', big);
        memcpy(s + 17 + big, "\"\n", 2);
        tree_new(&t);
        write_dpkg_status(&t, false);
        tree_file_n(&t, "etc/containerd/config.toml", s, 17 + big + 2);
        cd = json_get(run(&t), "containerd");
        ASSERT_NULL(json_get(cd, "config_path"));
        ASSERT_NULL(json_get(cd, "config"));
        ASSERT_TRUE(has_finding(&t, "inspect.file.too-large"));
        tree_free(&t);

        /* under the file cap, over the string limit */
        tree_new(&t);
        write_dpkg_status(&t, false);
        memcpy(s + 17 + 512 * 1024, "\"\n", 2);
        tree_file_n(&t, "etc/containerd/config.toml", s, 17 + 512 * 1024 + 2);
        cd = json_get(run(&t), "containerd");
        ASSERT_STREQ(json_get_str(cd, "config_path"), "/etc/containerd/config.toml");
        ASSERT_NULL(json_get(cd, "config"));
        ASSERT_TRUE(has_finding(&t, "aks.containerd.config.invalid"));
        tree_free(&t);
        free(s);

        /* unterminated string */
        tree_new(&t);
        write_dpkg_status(&t, false);
        tree_file(&t, "etc/containerd/config.toml",
                  "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = \"mcr\n");
        cd = json_get(run(&t), "containerd");
        ASSERT_NULL(json_get(cd, "config"));
        ASSERT_TRUE(has_finding(&t, "aks.containerd.config.invalid"));
        tree_free(&t);
}

static void test_kubernetes_files_limits(void)
{
        GuestTree t;
        json_object *aks, *files;
        char rel[256];

        /* deeper than 6 levels: the 7th is not listed */
        tree_new(&t);
        tree_file(&t, "etc/kubernetes/1/2/3/4/5/6/7/8/deep", "x");
        aks = run(&t);
        files = json_get(aks, "kubernetes_files");
        ASSERT_EQ(json_object_array_length(files), 6);
        ASSERT_STREQ(jstr(files, "5"), "/etc/kubernetes/1/2/3/4/5/6");
        ASSERT_TRUE(json_get_bool(aks, "is_node", false));
        tree_free(&t);

        /* more than 10000 entries: cut, and said so */
        tree_new(&t);
        for (int i = 0; i < 10050; i++) {
                snprintf(rel, sizeof(rel), "etc/kubernetes/d%d/f%d", i / 1000, i);
                tree_file(&t, rel, "");
        }
        aks = run(&t);
        ASSERT_EQ(json_object_array_length(json_get(aks, "kubernetes_files")), 10000);
        ASSERT_TRUE(json_get_bool(aks, "kubernetes_files_truncated", false));
        tree_free(&t);
}

static void test_hostile_defaults(void)
{
        GuestTree t;
        json_object *k;
        size_t len = 0, cap = 64 * 1024;
        char *s = malloc(cap);
        int i;

        /* as many distinct assignments as fit under the cap, and binary junk */
        ASSERT_NOT_NULL(s);
        for (i = 0; len + 32 < cap - 64; i++)
                len += (size_t) sprintf(s + len, "KUBELET_%d=%d\n", i, i);
        memcpy(s + len, "\x01\x02\0\xff=\"unterminated\n", 18);
        len += 18;
        tree_new(&t);
        tree_file_n(&t, "etc/default/kubelet", s, len);
        tree_file(&t, "etc/systemd/system/kubelet.service.d/10-bad.conf",
                  "Environment=\"KUBELET_X=unterminated\n\x01\x02");
        k = json_get(run(&t), "kubelet");
        ASSERT_EQ(json_object_object_length(json_get(k, "flags")), i);
        ASSERT_STREQ(json_get_str(json_get(k, "unit_environment"), "KUBELET_X"), "unterminated");
        /* a drop-in alone does not make a node */
        ASSERT_FALSE(json_get_bool(json_get(t.inv->root, "aks"), "is_node", true));
        tree_free(&t);
        free(s);

        /* over the cap: not read, reported */
        tree_new(&t);
        tree_file_filled(&t, "etc/default/kubelet", '#', cap + 1);
        k = json_get(run(&t), "kubelet");
        ASSERT_EQ(json_object_object_length(json_get(k, "flags")), 0);
        ASSERT_TRUE(has_finding(&t, "inspect.file.too-large"));
        tree_free(&t);
}

int main(void)
{
        RUN(test_full_node);
        RUN(test_version_from_filename);
        RUN(test_version_from_package);
        RUN(test_version_unknown);
        RUN(test_not_a_node);
        RUN(test_hostile_containerd);
        RUN(test_kubernetes_files_limits);
        RUN(test_hostile_defaults);
        TESTS_DONE();
}
