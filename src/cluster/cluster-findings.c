/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "cluster-findings.h"
#include "shared/json-util.h"
#include "shared/string-util.h"

static const char *const pool_strategy_table[_POOL_STRATEGY_MAX] = {
        [POOL_STRATEGY_OSSKU_UPDATE] = "ossku-update",
        [POOL_STRATEGY_BLUEGREEN] = "bluegreen",
};

DEFINE_STRING_TABLE_LOOKUP(pool_strategy, PoolStrategy);

#define DOC_MIGRATE "https://learn.microsoft.com/azure/azure-linux/tutorial-azure-linux-migration"

/* Sorted by key. */
static const ClusterFindingDef defs[] = {
        { "cluster.az-cli.too-old",
          SEVERITY_HIGH,
          { true, false },
          "the az CLI is older than the OS SKU update needs",
          "The installed az CLI (the snapshot's az_version) is older than 2.61.0, the first version whose "
          "`az aks "
          "nodepool update` takes `--os-sku` for an in-place OS SKU change. Blue-green needs only `nodepool "
          "add` and "
          "is not affected.",
          { "$ az upgrade", "Or install azure-cli 2.61.0 or later, then take the snapshot again.", NULL },
          DOC_MIGRATE },
        { "cluster.kubernetes.version-unsupported",
          SEVERITY_HIGH,
          { true, true },
          "the Kubernetes version is outside the target OS SKU's range",
          "The pool's Kubernetes version (orchestratorVersion) is below the lowest version AKS offers the "
          "target OS "
          "SKU for (plans/nodepool/targets.json): AKS refuses the change or the new pool.",
          { "Upgrade the cluster and the pool to a supported Kubernetes version first (az aks upgrade), "
            "then plan "
            "again.",
            NULL },
          "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions" },
        { "cluster.system-pool.all-updated",
          SEVERITY_MEDIUM,
          { false, false },
          "every System pool is reimaged",
          "The plan updates every System node pool in place. The cluster's system add-ons (CoreDNS, "
          "metrics-server, "
          "konnectivity) run there and move while those nodes are reimaged; with one System pool, AKS "
          "reimages its "
          "nodes in surge batches and the add-ons keep running only if they have enough replicas.",
          { "Migrate the System pool on its own, after the User pools, or add an Azure Linux System pool "
            "first "
            "(bluegreen).",
            NULL },
          NULL },
        { "nodepool.already-azurelinux",
          SEVERITY_INFO,
          { false, false },
          "the pool runs Azure Linux already",
          "The pool's osSku is AzureLinux (or another Azure Linux SKU); it is left out of the plan.",
          { NULL },
          NULL },
        { "nodepool.arch.arm64",
          SEVERITY_INFO,
          { false, false },
          "an Arm64 pool",
          "The pool's VM size is an Arm64 (Ampere) size. Azure Linux 3.0 has Arm64 node images; the "
          "workloads' "
          "images must have linux/arm64 variants, as they do today.",
          { NULL },
          NULL },
        { "nodepool.bluegreen.capacity",
          SEVERITY_LOW,
          { false, false },
          "blue-green needs room for a second pool",
          "Until the old pool is deleted, the new pool's nodes run beside the old ones: the subscription "
          "needs vCPU "
          "quota for both, and the subnet IP addresses for both pools' nodes and pods.",
          { "$ az vm list-usage --location LOCATION -o table",
            "Check the VM family's quota, and the subnet's free addresses, before applying.", NULL },
          "https://learn.microsoft.com/azure/quotas/view-quotas" },
        { "nodepool.confidential-vm",
          SEVERITY_HIGH,
          { true, false },
          "a confidential VM pool on Ubuntu 20.04",
          "The pool runs a confidential VM (CVM) Ubuntu 20.04 node image; AKS does not change the OS SKU of "
          "such pools "
          "in place.",
          { "Use the bluegreen strategy: a new confidential VM pool with --os-sku AzureLinux, then move the "
            "workloads.",
            NULL },
          DOC_MIGRATE },
        { "nodepool.fips",
          SEVERITY_MEDIUM,
          { false, false },
          "a FIPS pool",
          "The pool has FIPS-enabled node images. The migration keeps FIPS (the new image is Azure Linux's "
          "FIPS "
          "image), so the pool's workloads must not depend on Ubuntu's FIPS modules by path.",
          { "Keep --enable-fips-image on the new pool (the plan does).", NULL },
          "https://learn.microsoft.com/azure/aks/enable-fips-nodes" },
        { "nodepool.gpu",
          SEVERITY_HIGH,
          { true, false },
          "a GPU pool",
          "The pool has an NVIDIA GPU VM size or GPU profile. AKS does not change the OS SKU of a GPU pool "
          "in place: "
          "the GPU driver stack differs (Azure Linux installs the drivers as RPMs).",
          { "Use the bluegreen strategy: a new GPU pool with --os-sku AzureLinux and the same VM size, then "
            "move the "
            "workloads.",
            NULL },
          "https://learn.microsoft.com/azure/aks/gpu-cluster" },
        { "nodepool.kata",
          SEVERITY_HIGH,
          { true, false },
          "a pod sandboxing (Kata) pool",
          "The pool's workload runtime is Kata (pod sandboxing). Its OS SKU is not changed in place.",
          { "Use the bluegreen strategy: a new pool with --os-sku AzureLinux --workload-runtime "
            "KataVmIsolation, "
            "then move the sandboxed workloads.",
            NULL },
          "https://learn.microsoft.com/azure/aks/use-pod-sandboxing" },
        { "nodepool.not-linux",
          SEVERITY_INFO,
          { false, false },
          "a Windows pool",
          "The pool's osType is not Linux; it is left out of the plan.",
          { NULL },
          NULL },
        { "nodepool.trusted-launch",
          SEVERITY_INFO,
          { false, false },
          "a Trusted Launch pool",
          "The pool has Secure Boot and/or vTPM enabled. Azure Linux node images support Trusted Launch; "
          "the "
          "settings are carried to the new nodes. Attestation baselines change with the boot chain.",
          { "Renew measured-boot or attestation baselines after the migration.", NULL },
          "https://learn.microsoft.com/azure/aks/use-trusted-launch" },
        { "nodepool.trusted-launch.required",
          SEVERITY_HIGH,
          { true, true },
          "the target OS SKU needs Trusted Launch",
          "The target OS SKU (Azure Linux with OS Guard) needs Secure Boot and vTPM; the pool has them off.",
          { "Use a Trusted Launch VM size and enable Secure Boot and vTPM on a new pool (bluegreen), or "
            "target "
            "AzureLinux.",
            NULL },
          "https://learn.microsoft.com/azure/aks/use-trusted-launch" },
        { "workload.bare-pod",
          SEVERITY_MEDIUM,
          { false, false },
          "pods without a controller",
          "Pods on the pool have no owner (no Deployment, ReplicaSet, StatefulSet, Job or DaemonSet): when "
          "their node "
          "is drained or reimaged they are deleted and nothing recreates them.",
          { "Recreate them under a controller, or write down how to recreate them after the migration.",
            NULL },
          NULL },
        { "workload.daemonset.pinned",
          SEVERITY_HIGH,
          { true, true },
          "a DaemonSet that will not run on Azure Linux nodes",
          "A DaemonSet's node selector or required node affinity asks for kubernetes.azure.com/os-sku "
          "Ubuntu (or "
          "excludes Azure Linux): it will not schedule on the migrated nodes, and what it does (monitoring, "
          "security, storage) silently stops there.",
          { "Widen the DaemonSet's selector to the Azure Linux SKU (check its image supports Azure Linux) "
            "before "
            "migrating.",
            NULL },
          NULL },
        { "workload.emptydir",
          SEVERITY_MEDIUM,
          { false, false },
          "pods with emptyDir data",
          "Pods on the pool have emptyDir volumes: their content is lost when the pod is evicted (the drain "
          "uses "
          "--delete-emptydir-data, as AKS's own upgrade does).",
          { "Move data that must survive to a persistent volume, or accept its loss.", NULL },
          NULL },
        { "workload.hostpath.ubuntu",
          SEVERITY_MEDIUM,
          { false, false },
          "pods mount Ubuntu-specific host paths",
          "Pods on the pool mount host paths that exist only on Ubuntu (apt and dpkg state, netplan, snap, "
          "ufw, "
          "Ubuntu Pro): on Azure Linux they are missing or empty, and the pod fails or misbehaves.",
          { "Change the workload to use what Azure Linux has (rpm/tdnf state, systemd-networkd), or make "
            "the mount "
            "optional (type DirectoryOrCreate).",
            NULL },
          NULL },
        { "workload.pdb.blocks-drain",
          SEVERITY_HIGH,
          { true, true },
          "a PodDisruptionBudget allows no disruption",
          "A PodDisruptionBudget selecting pods on the pool allows 0 disruptions (maxUnavailable 0, "
          "minAvailable "
          "equal to the replicas, or unhealthy pods): draining the pool's nodes would wait forever, in the "
          "OS SKU "
          "update too.",
          { "Scale the workload up or relax the budget for the migration, then plan again.", NULL },
          "https://kubernetes.io/docs/tasks/run-application/configure-pdb/" },
        { "workload.pinned-to-node",
          SEVERITY_HIGH,
          { false, true },
          "pods are pinned to node names",
          "Pods on the pool select their node by kubernetes.io/hostname or spec.nodeName: the blue-green "
          "pool's "
          "nodes have new names and the pods stay Pending.",
          { "Select by a pool label instead of the host name, then plan again.", NULL },
          NULL },
        { "workload.pinned-to-ubuntu",
          SEVERITY_HIGH,
          { true, true },
          "pods are pinned to Ubuntu nodes",
          "Pods on the pool select nodes by kubernetes.azure.com/os-sku Ubuntu (node selector or required "
          "node "
          "affinity): after the migration no node matches and they stay Pending.",
          { "Remove the os-sku constraint (or allow AzureLinux) in the workload's spec before migrating.",
            NULL },
          NULL },
        { "workload.single-replica",
          SEVERITY_MEDIUM,
          { false, false },
          "single-replica workloads",
          "Workloads on the pool run one replica: while it is evicted and rescheduled the service is down.",
          { "Scale to two or more replicas for the migration, or schedule it in a maintenance window.",
            NULL },
          NULL },
};

const ClusterFindingDef *cluster_finding_all(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(defs);
        return defs;
}

const ClusterFindingDef *cluster_finding_lookup(const char *key)
{
        for (size_t i = 0; key && i < ELEMENTSOF(defs); i++)
                if (streq(defs[i].key, key))
                        return &defs[i];
        return NULL;
}

json_object *cluster_finding_new(const char *key, PoolStrategy s, const char *detail, char *const *resources)
{
        const ClusterFindingDef *d = cluster_finding_lookup(key);
        _cleanup_json_ json_object *f = NULL;
        json_object *rem, *res;

        if (!d || s < 0 || s >= _POOL_STRATEGY_MAX)
                return NULL;
        f = json_object_new_object();
        if (!f || json_add_str(f, "key", d->key) < 0 ||
            json_add_str(f, "severity", severity_to_string(d->severity)) < 0 ||
            json_add_bool(f, "inhibitor", d->inhibits[s]) < 0 || json_add_str(f, "title", d->title) < 0 ||
            json_add_str(f, "detail", detail ?: d->meaning) < 0)
                return NULL;
        rem = json_get_or_add_array(f, "remediation");
        res = json_get_or_add_array(f, "resources");
        if (!rem || !res)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(d->remediation) && d->remediation[i]; i++) {
                const char *t = d->remediation[i];
                bool cmd = startswith(t, "$ ");
                json_object *r = json_object_new_object();
                if (!r || json_append(rem, r) < 0 || json_add_str(r, "kind", cmd ? "command" : "text") < 0 ||
                    json_add_str(r, "value", cmd ? t + 2 : t) < 0)
                        return NULL;
        }
        if (d->link) {
                json_object *r = json_object_new_object();
                if (!r || json_append(rem, r) < 0 || json_add_str(r, "kind", "link") < 0 ||
                    json_add_str(r, "value", d->link) < 0)
                        return NULL;
        }
        for (size_t i = 0; resources && resources[i]; i++)
                if (json_append_str(res, resources[i]) < 0)
                        return NULL;
        return TAKE_PTR(f);
}
