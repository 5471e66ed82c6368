"""simcluster: the shared core of the fake `az` and `kubectl` in tests/sim.

THIS IS A TEST DOUBLE. It never talks to Azure or to a Kubernetes API server:
every invocation loads one JSON state file (path in $AZLM_SIM_STATE), acts on
it, and writes it back atomically under an exclusive flock on STATE.lock.
See README.md beside this file for the state format, the commands and faults.

Exit codes (as the real tools use them): 0 ok; 1 operation failed (az error,
kubectl error, injected fault); 2 usage (unsupported command, $AZLM_SIM_STATE
unset, unreadable state); 3 az resource not found.
"""

import copy
import fcntl
import hashlib
import json
import math
import os
import sys

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
IMAGE_DATE = "202603.30.0"
# The per-OS node facts a reimage or a new node gets: osImage, kernelVersion,
# containerRuntimeVersion.
OS_FACTS = {
    "ubuntu2004": ("Ubuntu 20.04.6 LTS", "5.15.0-1089-azure", "containerd://1.7.28-1"),
    "ubuntu2204": ("Ubuntu 22.04.5 LTS", "5.15.0-1089-azure", "containerd://1.7.28-1"),
    "ubuntu2404": ("Ubuntu 24.04.2 LTS", "6.8.0-1030-azure", "containerd://2.0.5-1"),
    "azurelinux": ("Microsoft Azure Linux 3.0", "6.6.92.2-2.azl3", "containerd://2.0.0"),
    "mariner": ("CBL-Mariner/Linux", "5.15.182.1-1.cm2", "containerd://1.6.26"),
}
OS_SKUS = ("Ubuntu", "Ubuntu2204", "Ubuntu2404", "AzureLinux", "AzureLinux3",
           "CBLMariner", "Mariner")
CONTROLLER_KINDS = ("ReplicaSet", "StatefulSet", "Deployment")


class SimError(Exception):
    """A failure the command reports: `msg` goes to stderr, `rc` is the exit code."""

    def __init__(self, rc, msg):
        super().__init__(msg)
        self.rc = rc
        self.msg = msg


def unsupported(tool, args):
    raise SimError(2, "sim: unsupported command: %s %s" % (tool, " ".join(args)))


def suffix(seed, n=5):
    """A deterministic k8s-like lowercase suffix of n chars derived from seed."""
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    h = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    out = ""
    for _ in range(n):
        h, i = divmod(h, len(alphabet))
        out += alphabet[i]
    return out


# ---------------------------------------------------------------------------
# Pool and node facts

def is_arm64(vm_size):
    """Standard_D4pds_v5 -> True: a 'p' among the letters after the core count."""
    part = vm_size.split("_")[1] if "_" in vm_size else vm_size
    letters = part.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").lstrip("0123456789")
    return "p" in letters


def is_cvm(vm_size):
    """Confidential VM sizes: Standard_DC4as_v5, Standard_EC8ads_v5."""
    part = vm_size.split("_")[1] if "_" in vm_size else ""
    return part[:2] in ("DC", "EC") and "a" in part.lstrip("DCE0123456789")


def os_family(os_sku):
    if os_sku in ("AzureLinux", "AzureLinux3"):
        return "azurelinux"
    if os_sku in ("CBLMariner", "Mariner"):
        return "mariner"
    return "ubuntu"


def pool_image(pool):
    """Returns (nodeImageVersion, os-facts key) for a pool's current osSku."""
    sku, size = pool["osSku"], pool["vmSize"]
    arm = "arm64" if is_arm64(size) else ""
    tl = pool.get("securityProfile") or {}
    tl = "TL" if tl.get("enableSecureBoot") and tl.get("enableVtpm") else ""
    fam = os_family(sku)
    if fam == "azurelinux":
        if pool.get("workloadRuntime", "OCIContainer").startswith("Kata"):
            return "AKSAzureLinux-V3katagen2-" + IMAGE_DATE, fam
        fips = "fips" if pool.get("enableFips") else ""
        return "AKSAzureLinux-V3gen2%s%s%s-%s" % (arm, fips, tl, IMAGE_DATE), fam
    if fam == "mariner":
        return "AKSCBLMariner-V2gen2%s-%s" % (arm, IMAGE_DATE), fam
    if is_cvm(size):
        return "AKSUbuntu-2004cvmcontainerd-" + IMAGE_DATE, "ubuntu2004"
    ver = "2404" if sku == "Ubuntu2404" else "2204"
    if pool.get("enableFips"):
        return "AKSUbuntu-%sfipscontainerd-%s" % (ver, IMAGE_DATE), "ubuntu" + ver
    return "AKSUbuntu-%sgen2%s%scontainerd-%s" % (ver, tl, arm, IMAGE_DATE), "ubuntu" + ver


def os_sku_label(os_sku):
    fam = os_family(os_sku)
    return {"azurelinux": "AzureLinux", "mariner": "CBLMariner"}.get(fam, "Ubuntu")


def parse_taint(text):
    """'sku=gpu:NoSchedule' -> {"key":"sku","value":"gpu","effect":"NoSchedule"}."""
    kv, _, effect = text.partition(":")
    key, _, value = kv.partition("=")
    taint = {"key": key, "effect": effect or "NoSchedule"}
    if value:
        taint["value"] = value
    return taint


def vmss_id(cluster, pool_name):
    return "%08d" % (int(hashlib.sha256((cluster["name"] + pool_name).encode())
                         .hexdigest(), 16) % 10**8)


def node_name(cluster, pool_name, index):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    b36 = ""
    while True:
        index, r = divmod(index, 36)
        b36 = digits[r] + b36
        if not index:
            break
    return "aks-%s-%s-vmss%s" % (pool_name, vmss_id(cluster, pool_name), b36.rjust(6, "0"))


def node_apply_os(node, pool, ready):
    """Sets everything on `node` that comes from its pool's OS and image (a new
    node or a reimage): labels, taints, nodeInfo, readiness, schedulable."""
    image, facts = pool_image(pool)
    os_image, kernel, runtime = OS_FACTS[facts]
    labels = node["metadata"]["labels"]
    labels.update({
        "kubernetes.azure.com/os-sku": os_sku_label(pool["osSku"]),
        "kubernetes.azure.com/os-sku-requested": pool["osSku"],
        "kubernetes.azure.com/node-image-version": image,
    })
    labels.update(pool.get("nodeLabels") or {})
    spec = node["spec"]
    spec.pop("unschedulable", None)
    taints = [parse_taint(t) for t in pool.get("nodeTaints") or []]
    if taints:
        spec["taints"] = taints
    else:
        spec.pop("taints", None)
    info = node["status"]["nodeInfo"]
    info.update({"osImage": os_image, "kernelVersion": kernel,
                 "containerRuntimeVersion": runtime,
                 "kubeletVersion": "v" + pool["currentOrchestratorVersion"]})
    set_node_ready(node, ready)


def set_node_ready(node, ready):
    for c in node["status"]["conditions"]:
        if c["type"] == "Ready":
            c["status"] = "True" if ready else "False"
            c["reason"] = "KubeletReady" if ready else "KubeletNotReady"


def new_node(cluster, pool, index, ready):
    name = node_name(cluster, pool["name"], index)
    zones = pool.get("availabilityZones") or []
    zone = "%s-%s" % (cluster["location"], zones[index % len(zones)]) if zones else "0"
    arch = "arm64" if is_arm64(pool["vmSize"]) else "amd64"
    node = {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "agentpool": pool["name"],
                "kubernetes.azure.com/agentpool": pool["name"],
                "kubernetes.azure.com/cluster": "MC_%s_%s_%s" % (
                    cluster["resourceGroup"], cluster["name"], cluster["location"]),
                "kubernetes.azure.com/mode": pool["mode"].lower(),
                "kubernetes.io/arch": arch,
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": pool["vmSize"],
                "topology.kubernetes.io/region": cluster["location"],
                "topology.kubernetes.io/zone": zone,
            },
        },
        "spec": {"providerID": "azure:///subscriptions/%s/resourceGroups/mc_%s/providers/"
                 "Microsoft.Compute/virtualMachineScaleSets/aks-%s-%s-vmss/virtualMachines/%d"
                 % (SUBSCRIPTION, cluster["resourceGroup"], pool["name"],
                    vmss_id(cluster, pool["name"]), index)},
        "status": {
            "conditions": [
                {"type": "MemoryPressure", "status": "False"},
                {"type": "DiskPressure", "status": "False"},
                {"type": "PIDPressure", "status": "False"},
                {"type": "Ready", "status": "True"},
            ],
            "nodeInfo": {"architecture": arch, "operatingSystem": "linux"},
        },
    }
    node_apply_os(node, pool, ready)
    return node


def new_pool(cluster, name, os_sku, count, vm_size, mode="User", zones=None,
             labels=None, taints=None, max_pods=110, subnet=None, fips=False,
             version=None, gpu=False, runtime="OCIContainer", trusted_launch=False):
    version = version or cluster["kubernetesVersion"]
    pool = {
        "name": name,
        "id": "%s/agentPools/%s" % (cluster["id"], name),
        "resourceGroup": cluster["resourceGroup"],
        "type": "VirtualMachineScaleSets",
        "osType": "Linux",
        "osSku": os_sku,
        "vmSize": vm_size,
        "count": count,
        "mode": mode,
        "availabilityZones": zones or None,
        "nodeLabels": labels or None,
        "nodeTaints": taints or None,
        "maxPods": max_pods,
        "vnetSubnetId": subnet,
        "enableFips": fips,
        "gpuProfile": {"driver": "Install"} if gpu else None,
        "workloadRuntime": runtime,
        "securityProfile": {"enableSecureBoot": trusted_launch,
                            "enableVtpm": trusted_launch, "sshAccess": "LocalUser"},
        "orchestratorVersion": version,
        "currentOrchestratorVersion": version,
        "nodeImageVersion": "",
        "provisioningState": "Succeeded",
        "powerState": {"code": "Running"},
        "osDiskSizeGb": 128,
        "osDiskType": "Ephemeral" if "d" in vm_size.split("_")[1][1:] else "Managed",
        "upgradeSettings": {"maxSurge": "10%"},
    }
    pool["nodeImageVersion"] = pool_image(pool)[0]
    return pool


# ---------------------------------------------------------------------------
# Scheduling: label selectors, node affinity, taints

def expr_matches(expr, labels):
    key, op, values = expr["key"], expr["operator"], expr.get("values") or []
    if op == "In":
        return labels.get(key) in values
    if op == "NotIn":
        return labels.get(key) not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt"):
        try:
            a, b = int(labels[key]), int(values[0])
        except (KeyError, ValueError, IndexError):
            return False
        return a > b if op == "Gt" else a < b
    return False


def selector_matches(selector, labels):
    """A metav1.LabelSelector (matchLabels + matchExpressions) against labels."""
    selector = selector or {}
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    return all(expr_matches(e, labels) for e in selector.get("matchExpressions") or [])


def tolerates(tolerations, taint):
    for t in tolerations or []:
        if t.get("effect") and t["effect"] != taint["effect"]:
            continue
        if t.get("operator") == "Exists":
            if not t.get("key") or t["key"] == taint["key"]:
                return True
        elif t.get("key") == taint["key"] and t.get("value", "") == taint.get("value", ""):
            return True
    return False


def pod_fits(pod_spec, node):
    """True when node labels satisfy pod_spec's nodeSelector and required node
    affinity and pod_spec tolerates the node's NoSchedule/NoExecute taints."""
    labels = node["metadata"].get("labels") or {}
    for k, v in (pod_spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    req = (((pod_spec.get("affinity") or {}).get("nodeAffinity") or {})
           .get("requiredDuringSchedulingIgnoredDuringExecution"))
    if req:
        terms = req.get("nodeSelectorTerms") or []
        if not any(all(expr_matches(e, labels) for e in t.get("matchExpressions") or [])
                   for t in terms):
            return False
    for taint in node["spec"].get("taints") or []:
        if taint["effect"] in ("NoSchedule", "NoExecute") and \
                not tolerates(pod_spec.get("tolerations"), taint):
            return False
    return True


def node_ready(node):
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in node["status"].get("conditions") or [])


def pod_ready(pod):
    return pod["status"].get("phase") == "Running" and any(
        c["type"] == "Ready" and c["status"] == "True"
        for c in pod["status"].get("conditions") or [])


def owner_kind(pod):
    refs = pod["metadata"].get("ownerReferences") or []
    return refs[0]["kind"] if refs else None


def set_pod_running(pod, node_name_, ready=True):
    pod["spec"]["nodeName"] = node_name_
    pod["status"] = {"phase": "Running", "conditions": [
        {"type": "Ready", "status": "True" if ready else "False"}]}


def set_pod_pending(pod):
    pod["spec"]["nodeName"] = None
    pod["status"] = {"phase": "Pending", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"},
        {"type": "Ready", "status": "False"}]}


def scaled(value, total):
    """An IntOrString PDB field: 2 -> 2, "50%" -> ceil(50% of total)."""
    if isinstance(value, str) and value.endswith("%"):
        return int(math.ceil(int(value[:-1]) * total / 100.0))
    return int(value)


# ---------------------------------------------------------------------------
# The simulator: one loaded state plus the effects of one invocation

class Sim:
    def __init__(self, state, steps):
        self.state = state
        self.steps = steps
        self.nodes_changed = False
        for key, default in (("pools", []), ("nodes", []), ("pods", []), ("pdbs", []),
                             ("daemonsets", []), ("faults", []), ("log", []),
                             ("operations", [])):
            state.setdefault(key, default)
        state.setdefault("az_version", "2.61.0")
        state.setdefault("clock", 0)

    @property
    def cluster(self):
        return self.state["cluster"]

    def pool(self, name):
        return next((p for p in self.state["pools"] if p["name"] == name), None)

    def node(self, name):
        return next((n for n in self.state["nodes"] if n["metadata"]["name"] == name), None)

    def pool_nodes(self, pool_name):
        return [n for n in self.state["nodes"]
                if n["metadata"]["labels"].get("kubernetes.azure.com/agentpool") == pool_name]

    # --- faults -----------------------------------------------------------

    def never_ready(self, pool_name, node_name_):
        return any(f.get("type") == "never-ready" and
                   (f.get("pool") == pool_name or f.get("node") == node_name_)
                   for f in self.state["faults"])

    def fire_faults(self, tool, args):
        """Raises SimError for the first consumable fault matching this command
        (quota, throttle, transient), consuming one of its count."""
        for f in list(self.state["faults"]):
            kind = f.get("type")
            if kind not in ("quota", "throttle", "transient"):
                continue
            if f.get("tool") and f["tool"] != tool:
                continue
            if kind == "quota" and tool != "az":
                continue
            on = (f.get("on") or ("nodepool add" if kind == "quota" else "")).split()
            if on and not any(args[i:i + len(on)] == on for i in range(len(args))):
                continue
            f["count"] = f.get("count", 1) - 1
            if f["count"] <= 0:
                self.state["faults"].remove(f)
            raise SimError(1, self.fault_message(kind, tool, f))

    def fault_message(self, kind, tool, f):
        c = self.cluster
        if kind == "quota":
            family = f.get("family", "standardDSv3Family")
            return ("ERROR: (OperationNotAllowed) Preflight validation check for resource(s) "
                    "for container service %s in resource group %s failed. Message: Operation "
                    "could not be completed as it results in exceeding approved %s Cores quota. "
                    "Additional details - Deployment Model: Resource Manager, Location: %s, "
                    "Current Limit: 100, Current Usage: 96, Additional Required: 8, (Minimum) "
                    "New Limit Required: 104. Submit a request for Quota increase at "
                    "https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/"
                    "UsageAndQuota.ReactView. Details: \nCode: OperationNotAllowed"
                    % (c["name"], c["resourceGroup"], family, c["location"]))
        if kind == "throttle":
            if tool == "az":
                return ("ERROR: (TooManyRequests) The request is being throttled as the limit "
                        "has been reached for operation type - Read_ObservationWindow_00:00:05. "
                        "Retry-After: 1\nCode: TooManyRequests")
            return ("Error from server (TooManyRequests): the server has received too many "
                    "requests and has asked us to try again later")
        if tool == "az":
            return ("ERROR: (InternalServerError) An internal error occurred\n"
                    "Code: InternalServerError")
        return "Unable to connect to the server: net/http: TLS handshake timeout"

    # --- time and asynchronous operations ----------------------------------

    def tick(self):
        """One unit of simulated time: clock += 1 and each pending operation
        moves one step closer; those reaching 0 complete now."""
        self.state["clock"] += 1
        for op in list(self.state["operations"]):
            op["remaining"] -= 1
            if op["remaining"] <= 0:
                self.state["operations"].remove(op)
                self.complete(op)

    def start(self, kind, pool_name, wait, **extra):
        op = dict(kind=kind, pool=pool_name, remaining=self.steps,
                  started=self.state["clock"], **extra)
        self.state["operations"].append(op)
        if wait:
            while op in self.state["operations"]:
                self.tick()

    def complete(self, op):
        pool = self.pool(op["pool"])
        if pool is None:
            return
        if op["kind"] == "delete":
            self.remove_pool(pool)
            return
        if op["kind"] == "update":
            pool["osSku"] = op["osSku"]
            pool["nodeImageVersion"] = pool_image(pool)[0]
            for node in self.pool_nodes(pool["name"]):
                name = node["metadata"]["name"]
                node_apply_os(node, pool, not self.never_ready(pool["name"], name))
        elif op["kind"] == "add":
            for i in range(pool["count"]):
                name = node_name(self.cluster, pool["name"], i)
                self.state["nodes"].append(
                    new_node(self.cluster, pool, i, not self.never_ready(pool["name"], name)))
            self.state["nodes"].sort(key=lambda n: n["metadata"]["name"])
        pool["provisioningState"] = "Succeeded"
        self.nodes_changed = True

    def remove_pool(self, pool):
        names = {n["metadata"]["name"] for n in self.pool_nodes(pool["name"])}
        self.state["pools"].remove(pool)
        self.state["nodes"] = [n for n in self.state["nodes"]
                               if n["metadata"]["name"] not in names]
        kept = []
        for pod in self.state["pods"]:
            if pod["spec"].get("nodeName") in names:
                if owner_kind(pod) == "DaemonSet":
                    continue
                set_pod_pending(pod)
            kept.append(pod)
        self.state["pods"] = kept

    # --- pods --------------------------------------------------------------

    def schedule(self, pod, exclude=None):
        """Binds pod to the first (by name) Ready, schedulable node it fits,
        else leaves it Pending. Returns the node name or None."""
        for node in sorted(self.state["nodes"], key=lambda n: n["metadata"]["name"]):
            name = node["metadata"]["name"]
            if name == exclude or node["spec"].get("unschedulable") or not node_ready(node):
                continue
            if pod_fits(pod["spec"], node):
                set_pod_running(pod, name)
                return name
        set_pod_pending(pod)
        return None

    def evict(self, pod, node_name_):
        """Removes pod; a controller-owned one comes back as a replacement,
        scheduled elsewhere or Pending."""
        self.state["pods"].remove(pod)
        if owner_kind(pod) not in CONTROLLER_KINDS:
            return
        new = copy.deepcopy(pod)
        meta = new["metadata"]
        if owner_kind(pod) != "StatefulSet":
            base = meta["name"].rsplit("-", 1)[0]
            meta["name"] = "%s-%s" % (base, suffix("%s/%d" % (meta["name"], self.state["clock"])))
        self.schedule(new, exclude=node_name_)
        self.state["pods"].append(new)

    def pdbs_for(self, pod):
        ns = pod["metadata"].get("namespace", "default")
        return [p for p in self.state["pdbs"]
                if p["metadata"].get("namespace", "default") == ns and
                selector_matches(p["spec"].get("selector"), pod["metadata"].get("labels") or {})]

    # --- derived state, recomputed at the end of every invocation ----------

    def refresh(self):
        if self.nodes_changed:
            for pod in self.state["pods"]:
                if not pod["spec"].get("nodeName") and owner_kind(pod) in CONTROLLER_KINDS:
                    self.schedule(pod)
        self.reconcile_daemonsets()
        for pdb in self.state["pdbs"]:
            self.pdb_status(pdb)
        self.cluster["agentPoolProfiles"] = copy.deepcopy(self.state["pools"])

    def reconcile_daemonsets(self):
        """DaemonSet pods exist exactly on the nodes their template fits (the DS
        controller ignores cordons); Ready follows the node."""
        nodes = {n["metadata"]["name"]: n for n in self.state["nodes"]}
        for ds in self.state["daemonsets"]:
            meta = ds["metadata"]
            ns, dsname = meta.get("namespace", "default"), meta["name"]
            template = ds["spec"]["template"]
            mine = {}
            keep = []
            for pod in self.state["pods"]:
                refs = pod["metadata"].get("ownerReferences") or []
                if refs and refs[0]["kind"] == "DaemonSet" and refs[0]["name"] == dsname and \
                        pod["metadata"].get("namespace") == ns:
                    node = nodes.get(pod["spec"].get("nodeName"))
                    if node is None or not pod_fits(template["spec"], node) or \
                            node["metadata"]["name"] in mine:
                        continue
                    mine[node["metadata"]["name"]] = pod
                keep.append(pod)
            self.state["pods"] = keep
            for name in sorted(nodes):
                node = nodes[name]
                if not pod_fits(template["spec"], node):
                    continue
                pod = mine.get(name)
                if pod is None:
                    pod = {"apiVersion": "v1", "kind": "Pod",
                           "metadata": {"name": "%s-%s" % (dsname, suffix(dsname + name)),
                                        "namespace": ns,
                                        "labels": dict((template.get("metadata") or {})
                                                       .get("labels") or {}),
                                        "ownerReferences": [{"apiVersion": "apps/v1",
                                                             "kind": "DaemonSet",
                                                             "name": dsname,
                                                             "controller": True}]},
                           "spec": copy.deepcopy(template["spec"]), "status": {}}
                    self.state["pods"].append(pod)
                    mine[name] = pod
                set_pod_running(pod, name, ready=node_ready(node))
            ready = sum(1 for p in mine.values() if pod_ready(p))
            ds["status"] = {"currentNumberScheduled": len(mine),
                            "desiredNumberScheduled": len(mine),
                            "numberAvailable": ready, "numberMisscheduled": 0,
                            "numberReady": ready, "updatedNumberScheduled": len(mine),
                            "observedGeneration": 1}

    def pdb_status(self, pdb):
        ns = pdb["metadata"].get("namespace", "default")
        pods = [p for p in self.state["pods"]
                if p["metadata"].get("namespace", "default") == ns and
                p["status"].get("phase") not in ("Succeeded", "Failed") and
                selector_matches(pdb["spec"].get("selector"), p["metadata"].get("labels") or {})]
        expected = len(pods)
        healthy = sum(1 for p in pods if pod_ready(p))
        spec = pdb["spec"]
        if spec.get("minAvailable") is not None:
            desired = scaled(spec["minAvailable"], expected)
        elif spec.get("maxUnavailable") is not None:
            desired = max(0, expected - scaled(spec["maxUnavailable"], expected))
        else:
            desired = 0
        allowed = max(0, healthy - desired)
        key = "%s/%s" % (ns, pdb["metadata"]["name"])
        if any(f.get("type") == "pdb-block" and f.get("pdb") == key
               for f in self.state["faults"]):
            allowed = 0
        pdb["status"] = {"currentHealthy": healthy, "desiredHealthy": desired,
                         "disruptionsAllowed": allowed, "expectedPods": expected,
                         "observedGeneration": 1}


# ---------------------------------------------------------------------------
# Entry point shared by az and kubectl

def load_state(path):
    with open(path, encoding="utf-8") as f:
        state = json.load(f)
    if not isinstance(state, dict) or not isinstance(state.get("cluster"), dict):
        raise ValueError("no \"cluster\" object")
    return state


def save_state(path, state):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state, f, separators=(",", ":"))
    os.replace(tmp, path)


def main(tool, handler, args):
    """Runs one invocation: lock, load, tick, refresh, handler, refresh, log, save,
    then print. handler(sim, args, out) parses args (SimError(2) if
    unsupported), calls sim.fire_faults(), acts, appends ("stdout"|"stderr",
    text) to out and raises SimError on failure. Returns the exit code."""
    path = os.environ.get("AZLM_SIM_STATE")
    if not path:
        sys.stderr.write("sim: AZLM_SIM_STATE is not set: it must name the simulator's "
                         "JSON state file (see tests/sim/README.md)\n")
        return 2
    try:
        steps = max(1, int(os.environ.get("AZLM_SIM_PROVISION_STEPS", "2")))
    except ValueError:
        sys.stderr.write("sim: AZLM_SIM_PROVISION_STEPS must be an integer\n")
        return 2
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = load_state(path)
        except (OSError, ValueError) as e:
            sys.stderr.write("sim: cannot load state '%s': %s\n" % (path, e))
            return 2
        sim = Sim(state, steps)
        sim.tick()
        sim.refresh()  # reads see derived state that matches the faults now in force
        out = []
        rc = 0
        try:
            handler(sim, args, out)
        except SimError as e:
            rc = e.rc
            out.append(("stderr", e.msg))
        sim.refresh()
        state["log"].append({"argv": [tool] + list(args), "rc": rc, "clock": state["clock"]})
        save_state(path, state)
    for stream, text in out:
        f = sys.stdout if stream == "stdout" else sys.stderr
        f.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()
    return rc
