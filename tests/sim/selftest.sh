#!/usr/bin/env bash
# Self-test of the cluster simulator (tests/sim/az, tests/sim/kubectl): runs
# every supported command and fault against copies of the sample states and
# checks the results. Exit 0 when all checks pass, 1 otherwise (each failure
# is printed). Runnable from any cwd; leaves nothing behind.
set -u

SIM=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Resolve python3 once: a version-manager shim on PATH can cost 100 ms a call.
PY=$(python3 -c 'import sys; print(sys.executable)') || exit 1
PYDIR=$(dirname "$PY")
export PATH="$SIM:$PYDIR:$PATH"
export AZLM_SIM_STATE="$TMP/state.json"
unset AZLM_SIM_PROVISION_STEPS
FAILS=0
CHECKS=0
RG=(-g rg-demo --cluster-name aks-demo)

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# use NAME: start over from clusters/NAME.json
use() { cp "$SIM/clusters/$1.json" "$AZLM_SIM_STATE"; }

# run CMD...: runs it, keeping stdout in $OUT, stderr in $ERR, status in $RC
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}

# expect_rc N CMD...: runs CMD and checks its exit status
expect_rc() {
	local want=$1
	shift
	CHECKS=$((CHECKS + 1))
	run "$@"
	[ "$RC" = "$want" ] || fail "$* -> rc $RC, want $want; stderr: $ERR"
}

# expect_err TEXT: the last command's stderr contains TEXT
expect_err() {
	CHECKS=$((CHECKS + 1))
	case "$ERR" in *"$1"*) ;; *) fail "stderr lacks '$1': $ERR" ;; esac
}

# expect_out TEXT: the last command's stdout contains TEXT
expect_out() {
	CHECKS=$((CHECKS + 1))
	case "$OUT" in *"$1"*) ;; *) fail "stdout lacks '$1': $OUT" ;; esac
}

# check WHAT PYEXPR: evaluates PYEXPR with d = the last stdout parsed as JSON
# and s = the state file; fails unless it is true.
check() {
	CHECKS=$((CHECKS + 1))
	printf '%s' "$OUT" >"$TMP/last"
	"$PY" - "$TMP/last" "$AZLM_SIM_STATE" "$2" <<'EOF' || fail "$1"
import json, sys
raw = open(sys.argv[1]).read()
try:
    d = json.loads(raw)
except ValueError:
    d = None
s = json.load(open(sys.argv[2]))
nodes = {n["metadata"]["name"]: n for n in s["nodes"]}
pools = {p["name"]: p for p in s["pools"]}
pods = {p["metadata"]["name"]: p for p in s["pods"]}
pdbs = {p["metadata"]["name"]: p for p in s["pdbs"]}
ok = eval(sys.argv[3])
if not ok:
    sys.stderr.write("  expression false: %s\n" % sys.argv[3])
sys.exit(0 if ok else 1)
EOF
}

# pool_nodes POOL: the names of POOL's nodes, one per line
pool_nodes() {
	"$PY" -c 'import json,sys; s=json.load(open(sys.argv[1]))
print("\n".join(n["metadata"]["name"] for n in s["nodes"] if n["metadata"]["labels"]["agentpool"]==sys.argv[2]))' "$AZLM_SIM_STATE" "$1"
}

# --- usage ------------------------------------------------------------------
use basic
( unset AZLM_SIM_STATE; expect_rc 2 az version -o json; expect_err "AZLM_SIM_STATE"; exit "$FAILS" ) || FAILS=$((FAILS + 1))
expect_rc 2 az aks frobnicate -o json
expect_err "sim: unsupported command: az aks frobnicate"
expect_rc 2 kubectl get nodes -o yaml
expect_err "sim: unsupported command"
expect_rc 2 az aks show -g rg-demo -n aks-demo --bogus -o json

# --- read commands -------------------------------------------------------------
expect_rc 0 az version -o json
check "az version" 'd["azure-cli"] == "2.61.0" and d["extensions"] == {}'
expect_rc 0 az aks show -g rg-demo -n aks-demo -o json --only-show-errors
check "aks show" 'd["name"] == "aks-demo" and d["kubernetesVersion"] == "1.30.7" and d["networkProfile"]["networkPlugin"] == "azure" and [p["name"] for p in d["agentPoolProfiles"]] == ["systempool", "userpool"]'
expect_rc 0 az aks show --resource-group rg-demo --name aks-demo --output json
expect_rc 3 az aks show -g rg-other -n aks-demo -o json
expect_err "(ResourceNotFound) The Resource 'Microsoft.ContainerService/managedClusters/aks-demo' under resource group 'rg-other' was not found."
expect_rc 0 az aks nodepool list "${RG[@]}" -o json
check "nodepool list" '[p["name"] for p in d] == ["systempool", "userpool"] and d[0]["mode"] == "System" and d[1]["nodeLabels"] == {"workload": "web"} and d[0]["osSku"] == "Ubuntu" and d[0]["availabilityZones"] == ["1", "2", "3"]'
expect_rc 0 az aks nodepool show "${RG[@]}" -n userpool -o json
check "nodepool show" 'd["name"] == "userpool" and d["count"] == 3 and d["vmSize"] == "Standard_D8ds_v5" and d["nodeImageVersion"].startswith("AKSUbuntu-2204gen2containerd-")'
expect_rc 3 az aks nodepool show "${RG[@]}" -n nopool -o json
expect_rc 0 kubectl get nodes -o json
check "get nodes" 'd["kind"] == "List" and d["apiVersion"] == "v1" and d["metadata"] == {"resourceVersion": ""} and len(d["items"]) == 5 and all(i["kind"] == "Node" and i["status"]["nodeInfo"]["osImage"] == "Ubuntu 22.04.5 LTS" for i in d["items"])'
expect_rc 0 kubectl get nodes,pods,pdb,daemonsets -A -o json --request-timeout=10s --context aks-demo
check "get all kinds" 'set((i["apiVersion"], i["kind"]) for i in d["items"]) == {("v1", "Node"), ("v1", "Pod"), ("policy/v1", "PodDisruptionBudget"), ("apps/v1", "DaemonSet")} and len(d["items"]) == 5 + len(s["pods"]) + 2 + 3'
expect_rc 0 kubectl get pods -A -o json
check "get pods -A" 'len(d["items"]) == 21 and all(i["kind"] == "Pod" for i in d["items"])'
expect_rc 0 kubectl get pods -o json
check "get pods (default ns)" '{i["metadata"]["namespace"] for i in d["items"]} == {"default"} and len(d["items"]) == 3'
U0=$(pool_nodes userpool | sed -n 1p)
U1=$(pool_nodes userpool | sed -n 2p)
U2=$(pool_nodes userpool | sed -n 3p)
S0=$(pool_nodes systempool | sed -n 1p)
expect_rc 0 kubectl get pods -A --field-selector "spec.nodeName=$U0" -o json
check "pods on a node" 'len(d["items"]) == 4 and all(i["spec"]["nodeName"] == "'"$U0"'" for i in d["items"])'
expect_rc 0 kubectl get pdb -A -o json
check "get pdb" 'pdbs["web"]["status"]["disruptionsAllowed"] == 1 and [i["kind"] for i in d["items"]] == ["PodDisruptionBudget"] * 2'
expect_rc 0 kubectl get daemonsets -A -o json
check "get daemonsets" 'all(i["kind"] == "DaemonSet" and i["status"]["desiredNumberScheduled"] == 5 and i["status"]["numberReady"] == 5 for i in d["items"])'
expect_rc 0 kubectl get node "$U0" -o json
check "get node" 'd["kind"] == "Node" and d["metadata"]["name"] == "'"$U0"'" and d["metadata"]["labels"]["kubernetes.azure.com/os-sku"] == "Ubuntu"'
expect_rc 1 kubectl get node aks-nope-1-vmss000000 -o json
expect_err 'Error from server (NotFound): nodes "aks-nope-1-vmss000000" not found'
expect_rc 0 kubectl get nodes -l kubernetes.azure.com/agentpool=systempool -o json
check "get nodes -l" 'len(d["items"]) == 2'
expect_rc 0 kubectl version -o json
check "kubectl version" 'd["serverVersion"]["gitVersion"] == "v1.30.7" and "gitVersion" in d["clientVersion"]'

# --- update --os-sku: asynchronous with --no-wait, synchronous without --------
use basic
expect_rc 0 az aks nodepool update "${RG[@]}" -n userpool --os-sku AzureLinux --no-wait -o json
check "update started" 'pools["userpool"]["provisioningState"] == "Updating" and pools["userpool"]["osSku"] == "Ubuntu"'
expect_rc 1 az aks nodepool update "${RG[@]}" -n userpool --os-sku AzureLinux --no-wait -o json
expect_err "(OperationNotAllowed)"
check "still updating after 1 step" 'pools["userpool"]["provisioningState"] == "Updating"'
expect_rc 0 az aks nodepool show "${RG[@]}" -n userpool -o json
check "update done after 2 steps" 'd["provisioningState"] == "Succeeded" and d["osSku"] == "AzureLinux" and d["nodeImageVersion"].startswith("AKSAzureLinux-V3gen2-") and all(n["status"]["nodeInfo"]["osImage"] == "Microsoft Azure Linux 3.0" and n["metadata"]["labels"]["kubernetes.azure.com/os-sku"] == "AzureLinux" and n["status"]["nodeInfo"]["kernelVersion"].endswith("azl3") for n in nodes.values() if n["metadata"]["labels"]["agentpool"] == "userpool") and "'"$U0"'" in nodes'
expect_rc 0 az aks nodepool update "${RG[@]}" -n systempool --os-sku AzureLinux -o json
check "update without --no-wait" 'd["provisioningState"] == "Succeeded" and d["osSku"] == "AzureLinux" and pools["systempool"]["osSku"] == "AzureLinux" and not s["operations"]'
export AZLM_SIM_PROVISION_STEPS=3
expect_rc 0 az aks nodepool update "${RG[@]}" -n userpool --os-sku Ubuntu --no-wait -o json
expect_rc 0 kubectl get nodes -o json
expect_rc 0 kubectl get nodes -o json
check "3 steps: not yet" 'pools["userpool"]["provisioningState"] == "Updating"'
expect_rc 0 kubectl get nodes -o json
check "3 steps: done" 'pools["userpool"]["osSku"] == "Ubuntu" and pools["userpool"]["provisioningState"] == "Succeeded"'
unset AZLM_SIM_PROVISION_STEPS
expect_rc 2 az aks nodepool update "${RG[@]}" -n userpool --os-sku Debian -o json

# --- add ----------------------------------------------------------------------
use basic
expect_rc 0 az aks nodepool add "${RG[@]}" -n azl --os-sku AzureLinux --node-count 2 --node-vm-size Standard_D8ds_v5 --mode User --zones 1 2 3 --labels workload=web team=a --node-taints dedicated=azl:NoSchedule --max-pods 50 --vnet-subnet-id /sub/x --enable-fips-image --kubernetes-version 1.30.7 -o json
check "add (wait)" 'd["provisioningState"] == "Succeeded" and d["nodeLabels"] == {"workload": "web", "team": "a"} and d["nodeTaints"] == ["dedicated=azl:NoSchedule"] and d["maxPods"] == 50 and d["enableFips"] and d["availabilityZones"] == ["1", "2", "3"] and sorted(n for n in nodes if "-azl-" in n) == [n for n in nodes if n.startswith("aks-azl-") and n.endswith(("vmss000000", "vmss000001"))] and len([n for n in nodes if n.startswith("aks-azl-")]) == 2 and all(nodes[n]["spec"]["taints"][0]["key"] == "dedicated" for n in nodes if n.startswith("aks-azl-"))'
expect_rc 0 kubectl get daemonsets -A -o json
check "daemonsets follow new nodes" 'all(i["status"]["desiredNumberScheduled"] == 7 for i in d["items"])'
expect_rc 0 az aks nodepool add "${RG[@]}" -n later --os-sku AzureLinux --node-count 1 --node-vm-size Standard_D4ds_v5 --no-wait
check "add --no-wait: creating, no nodes" 'pools["later"]["provisioningState"] == "Creating" and not any(n.startswith("aks-later-") for n in nodes)'
expect_rc 0 kubectl get nodes -o json
expect_rc 0 kubectl get nodes -o json
check "add --no-wait: done" 'pools["later"]["provisioningState"] == "Succeeded" and any(n.startswith("aks-later-") and n.endswith("-vmss000000") for n in nodes)'
expect_rc 1 az aks nodepool add "${RG[@]}" -n Bad_Pool --os-sku AzureLinux --node-count 1 --node-vm-size Standard_D4ds_v5 -o json
expect_err "lowercase alphanumeric"
expect_rc 1 az aks nodepool add "${RG[@]}" -n 1pool --os-sku AzureLinux --node-count 1 --node-vm-size Standard_D4ds_v5 -o json
expect_rc 1 az aks nodepool add "${RG[@]}" -n abcdefghijklm --os-sku AzureLinux --node-count 1 --node-vm-size Standard_D4ds_v5 -o json
expect_err "at most 12 characters"
expect_rc 1 az aks nodepool add "${RG[@]}" -n userpool --os-sku AzureLinux --node-count 1 --node-vm-size Standard_D4ds_v5 -o json
expect_err "already exists"
expect_rc 2 az aks nodepool add "${RG[@]}" -n okpool --os-sku AzureLinux -o json
expect_err "the following arguments are required"

# --- faults -------------------------------------------------------------------
fault() { # fault JSON: appends one fault to the state
	"$PY" -c 'import json,sys; s=json.load(open(sys.argv[1])); s["faults"].append(json.loads(sys.argv[2])); json.dump(s, open(sys.argv[1], "w"))' "$AZLM_SIM_STATE" "$1"
}
use basic
fault '{"type": "quota", "on": "nodepool add", "count": 1}'
expect_rc 1 az aks nodepool add "${RG[@]}" -n azl --os-sku AzureLinux --node-count 2 --node-vm-size Standard_D8ds_v5 -o json
expect_err "(OperationNotAllowed) Preflight validation check for resource(s) for container service aks-demo in resource group rg-demo failed."
expect_err "exceeding approved standardDSv3Family Cores quota"
check "quota: no pool, fault consumed" '"azl" not in pools and not s["faults"]'
expect_rc 0 az aks nodepool add "${RG[@]}" -n azl --os-sku AzureLinux --node-count 2 --node-vm-size Standard_D8ds_v5 -o json
fault '{"type": "throttle", "on": "aks show", "count": 2}'
expect_rc 0 az aks nodepool list "${RG[@]}" -o json
expect_rc 1 az aks show -g rg-demo -n aks-demo -o json
expect_err "(TooManyRequests)"
expect_err "Retry-After: 1"
expect_rc 1 az aks show -g rg-demo -n aks-demo -o json
expect_rc 0 az aks show -g rg-demo -n aks-demo -o json
fault '{"type": "throttle", "on": "get", "count": 1}'
expect_rc 1 kubectl get nodes -o json
expect_err "Error from server (TooManyRequests): the server has received too many requests and has asked us to try again later"
expect_rc 0 kubectl get nodes -o json
fault '{"type": "transient", "on": "nodepool list", "count": 2}'
expect_rc 1 az aks nodepool list "${RG[@]}" -o json
expect_err "(InternalServerError) An internal error occurred"
expect_rc 1 az aks nodepool list "${RG[@]}" -o json
expect_rc 0 az aks nodepool list "${RG[@]}" -o json
fault '{"type": "transient", "on": "cordon"}'
expect_rc 1 kubectl cordon "$U0"
expect_err "Unable to connect to the server: net/http: TLS handshake timeout"
check "transient: nothing done, fault consumed" 'not nodes["'"$U0"'"]["spec"].get("unschedulable") and not s["faults"] and s["log"][-1]["rc"] == 1'
fault '{"type": "never-ready", "pool": "slow"}'
expect_rc 0 az aks nodepool add "${RG[@]}" -n slow --os-sku AzureLinux --node-count 1 --node-vm-size Standard_D4ds_v5 -o json
expect_rc 0 kubectl get nodes -l agentpool=slow -o json
check "never-ready pool" 'len(d["items"]) == 1 and [c["status"] for c in d["items"][0]["status"]["conditions"] if c["type"] == "Ready"] == ["False"] and len(s["faults"]) == 1'
fault '{"type": "never-ready", "node": "'"$U1"'"}'
expect_rc 0 az aks nodepool update "${RG[@]}" -n userpool --os-sku AzureLinux -o json
check "never-ready node after reimage" '[c["status"] for c in nodes["'"$U1"'"]["status"]["conditions"] if c["type"] == "Ready"] == ["False"] and [c["status"] for c in nodes["'"$U0"'"]["status"]["conditions"] if c["type"] == "Ready"] == ["True"]'
fault '{"type": "pdb-block", "pdb": "default/web"}'
expect_rc 0 kubectl get pdb -A -o json
check "pdb-block" '[i["status"]["disruptionsAllowed"] for i in d["items"] if i["metadata"]["name"] == "web"] == [0]'

# --- delete -------------------------------------------------------------------
use basic
expect_rc 1 az aks nodepool delete "${RG[@]}" -n systempool --yes
expect_err "There has to be at least one system agent pool"
expect_rc 0 az aks nodepool delete "${RG[@]}" -n userpool --yes
check "delete" '"userpool" not in pools and not any("-userpool-" in n for n in nodes) and all(p["status"]["phase"] == "Pending" and p["spec"]["nodeName"] is None for n, p in pods.items() if n.startswith("web-")) and not any(p["spec"].get("nodeName", "").startswith("aks-userpool") for p in pods.values() if p["spec"].get("nodeName"))'
expect_rc 0 az aks show -g rg-demo -n aks-demo -o json
check "agentPoolProfiles follow" '[p["name"] for p in d["agentPoolProfiles"]] == ["systempool"]'
expect_rc 0 az aks nodepool add "${RG[@]}" -n sys2 --os-sku AzureLinux --node-count 1 --node-vm-size Standard_D4ds_v5 --mode System -o json
expect_rc 0 az aks nodepool delete "${RG[@]}" -n systempool --no-wait
check "delete --no-wait: deleting" 'pools["systempool"]["provisioningState"] == "Deleting"'
expect_rc 0 kubectl get nodes -o json
expect_rc 0 kubectl get nodes -o json
check "delete --no-wait: gone" '"systempool" not in pools and not any("-systempool-" in n for n in nodes)'
expect_rc 3 az aks nodepool delete "${RG[@]}" -n systempool --yes

# --- cordon / uncordon / drain ------------------------------------------------
use basic
expect_rc 0 kubectl cordon "$U0"
expect_out "node/$U0 cordoned"
check "cordon" 'nodes["'"$U0"'"]["spec"]["unschedulable"] is True'
expect_rc 0 kubectl cordon "$U0"
expect_out "already cordoned"
expect_rc 0 kubectl uncordon "$U0"
expect_out "node/$U0 uncordoned"
check "uncordon" 'not nodes["'"$U0"'"]["spec"].get("unschedulable")'
expect_rc 1 kubectl cordon aks-nope-1-vmss000000
expect_err 'nodes "aks-nope-1-vmss000000" not found'
expect_rc 0 kubectl drain "$U0" --ignore-daemonsets --delete-emptydir-data --timeout=60s --grace-period=30
expect_out "node/$U0 drained"
check "drain: web rescheduled, PDB recomputed" 'nodes["'"$U0"'"]["spec"]["unschedulable"] and sum(1 for p in pods.values() if p["metadata"]["name"].startswith("web-") and p["spec"]["nodeName"] == "'"$U1"'") == 2 and "web-7d4b9c8f6d-4kq8z" not in pods and pdbs["web"]["status"]["currentHealthy"] == 3 and all(p["metadata"]["ownerReferences"][0]["kind"] == "DaemonSet" for p in pods.values() if p["spec"]["nodeName"] == "'"$U0"'")'
expect_rc 0 kubectl cordon "$U2"
expect_rc 1 kubectl drain "$U1" --ignore-daemonsets --delete-emptydir-data --timeout=30s
expect_err "error when evicting pods/"
expect_err "Cannot evict pod as it would violate the pod's disruption budget."
expect_err "error: unable to drain node \"$U1\" due to error:"
check "drain blocked: one pod went Pending, one stayed" 'sum(1 for p in pods.values() if p["metadata"]["name"].startswith("web-") and p["status"]["phase"] == "Pending") == 1 and sum(1 for p in pods.values() if p["spec"]["nodeName"] == "'"$U1"'" and p["metadata"]["name"].startswith("web-")) == 1 and pdbs["web"]["status"]["disruptionsAllowed"] == 0'
expect_rc 0 kubectl uncordon "$U0"
check "uncordon schedules the Pending pod" 'all(p["status"]["phase"] == "Running" for p in pods.values())'
expect_rc 0 kubectl drain "$S0" --ignore-daemonsets --delete-emptydir-data
check "drain system node: coredns moved" 'all(p["spec"]["nodeName"] != "'"$S0"'" for p in pods.values() if p["metadata"]["namespace"] == "kube-system" and p["metadata"]["ownerReferences"][0]["kind"] != "DaemonSet")'

use findings
FU1=$(pool_nodes userpool | sed -n 2p)
FU2=$(pool_nodes userpool | sed -n 3p)
FARM=$(pool_nodes armpool | sed -n 1p)
expect_rc 1 kubectl drain "$FU1" --ignore-daemonsets --delete-emptydir-data --timeout=30s
expect_err "error when evicting pods/\"critical-db-0\" -n \"default\" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."
check "maxUnavailable 0 blocks; StatefulSet pod kept" '"critical-db-0" in pods and pods["critical-db-0"]["spec"]["nodeName"] == "'"$FU1"'"'
expect_rc 1 kubectl drain "$FU2" --ignore-daemonsets --timeout=30s
expect_err "cannot delete Pods with local storage (use --delete-emptydir-data to override): default/cache-6d5f8b7c9d-j3l9t"
check "emptyDir refusal evicts nothing" 'pods["cache-6d5f8b7c9d-j3l9t"]["spec"]["nodeName"] == "'"$FU2"'"'
expect_rc 1 kubectl drain "$FARM" --ignore-daemonsets --delete-emptydir-data
expect_err "cannot delete Pods that declare no controller (use --force to override): default/debug-shell"
expect_rc 0 kubectl drain "$FARM" --ignore-daemonsets --delete-emptydir-data --force
check "bare pod deleted with --force" '"debug-shell" not in pods'
expect_rc 1 kubectl drain "$FU2" --delete-emptydir-data
expect_err "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
expect_rc 0 kubectl get daemonsets -A -o json
check "os-sku DaemonSet skips Azure Linux kata pool" '[i["status"]["desiredNumberScheduled"] for i in d["items"] if i["metadata"]["name"] == "ubuntu-hardening"] == [10]'
expect_rc 0 az version -o json
check "findings az version" 'd["azure-cli"] == "2.58.0"'

# --- concurrency: 10 parallel cordons, then 10 parallel uncordons ----------------
mapfile -t ALL < <("$PY" -c 'import json,sys; print("\n".join(sorted(n["metadata"]["name"] for n in json.load(open(sys.argv[1]))["nodes"])[:10]))' "$AZLM_SIM_STATE")
for n in "${ALL[@]}"; do kubectl cordon "$n" >/dev/null 2>&1 & done
wait
OUT=""
check "10 parallel cordons all applied" 'sum(1 for n in nodes.values() if n["spec"].get("unschedulable")) >= 10 and all(nodes[x]["spec"].get("unschedulable") for x in sorted(nodes)[:10])'
for n in "${ALL[@]}"; do kubectl uncordon "$n" >/dev/null 2>&1 & done
wait
check "10 parallel uncordons all applied" 'not any(nodes[x]["spec"].get("unschedulable") for x in sorted(nodes)[:10]) and sum(1 for e in s["log"] if e["argv"][1] in ("cordon", "uncordon")) == 20'

if [ "$FAILS" -ne 0 ]; then
	echo "selftest: $FAILS of $CHECKS checks failed"
	exit 1
fi
echo "selftest: all $CHECKS checks passed"
