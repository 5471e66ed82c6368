#!/usr/bin/env bash
# Node-pool planning speed and memory on large clusters (run on demand, not in CI), against a
# release build.
#
# Makes synthetic snapshots from the simulated basic cluster (tests/sim/clusters/basic.json,
# snapshotted through the simulator): its nodes and pods copied until the cluster has P pods on
# P/30 nodes in 5 pools (P = 1,000, 10,000 and 50,000 by default; a ReplicaSet owns 3 pods),
# and prints for each, median of N runs:
#   - azlmigrate nodepool plan --snapshot (ossku-update and bluegreen): wall time, peak RSS
#   - azlmigrate report --plan --format html of the bluegreen plan
#   - the floor: Debian's python3 json.load of the same snapshot (reading it at all), and the
#     ratio plan / floor
# There is no peer: neither az nor AKS plans a node-pool migration ahead (no what-if).
#
# Usage: bench/nodepool.sh [N runs, default 5] [P ...]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
azlm_install_missing "${AZLM_BUILD_PACKAGES[@]}" python3 time bc

n=${1:-5}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 50000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ ! -f build-bench/build.ninja ]; then
        meson setup build-bench -Dbuildtype=release -Dtests=false >/dev/null
fi
ninja -C build-bench >/dev/null
bin=build-bench/src/cli/azlmigrate
cp tests/sim/clusters/basic.json "$work/state.json"
AZLM_SIM_STATE=$work/state.json PATH="/usr/bin:$PATH" "$bin" nodepool snapshot -g rg-demo -n aks-demo \
        --az tests/sim/az --kubectl tests/sim/kubectl -o "$work/basic.json"

# median_of CMD...: the median wall seconds and the peak RSS (KiB) of N runs
median_of() {
        local i secs=() rss=() t0 t1
        for ((i = 0; i < n; i++)); do
                t0=$(date +%s.%N)
                /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>"$work/err" || [ $? -eq 3 ] ||
                        { cat "$work/err" >&2; exit 1; }
                t1=$(date +%s.%N)
                secs+=("$(echo "$t1 - $t0" | bc)")
                rss+=("$(cat "$work/rss")")
        done
        printf '%s %s\n' "$(printf '%s\n' "${secs[@]}" | sort -g | sed -n "$(((n + 1) / 2))p")" \
                "$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)"
}

printf '%8s %8s %10s %12s %12s %10s %12s %10s %8s\n' pods nodes "snap MiB" "ossku s" "bluegreen s" \
        "RSS MiB" "report s" "floor s" "ratio"
for p in "${sizes[@]}"; do
        /usr/bin/python3 - "$work/basic.json" "$p" "$work/snap-$p.json" <<'PYEOF'
import copy, json, sys
s = json.load(open(sys.argv[1]))
want = int(sys.argv[2])
pools = ["systempool", "userpool", "pool3", "pool4", "pool5"]
base_pool = next(x for x in s["pools"] if x["name"] == "userpool")
for name in pools[2:]:
    q = copy.deepcopy(base_pool)
    q["name"] = name
    s["pools"].append(q)
node0, pod0 = s["nodes"][0], next(x for x in s["pods"] if x["metadata"].get("ownerReferences"))
nodes, pods = [], []
for i in range(max(1, want // 30)):
    nd = copy.deepcopy(node0)
    nd["metadata"]["name"] = "aks-node-%06d" % i
    nd["metadata"]["labels"]["kubernetes.azure.com/agentpool"] = pools[i % len(pools)]
    nodes.append(nd)
for i in range(want):
    pd = copy.deepcopy(pod0)
    pd["metadata"]["name"] = "app-%07d" % i
    pd["metadata"]["namespace"] = "ns%03d" % (i % 200)
    pd["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "name": "rs-%06d" % (i // 3)}]
    pd["spec"]["nodeName"] = nodes[i % len(nodes)]["metadata"]["name"]
    pods.append(pd)
s["nodes"], s["pods"] = nodes, pods
json.dump(s, open(sys.argv[3], "w"))
PYEOF
        snap=$work/snap-$p.json
        read -r os rss1 < <(median_of "$bin" nodepool plan --snapshot "$snap" -o "$work/os.json")
        read -r bg rss2 < <(median_of "$bin" nodepool plan --snapshot "$snap" --strategy bluegreen -o "$work/bg.json")
        read -r rep _ < <(median_of "$bin" report --plan "$work/bg.json" --format html -o "$work/r.html")
        read -r floor _ < <(median_of /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$snap")
        peak=$((rss1 > rss2 ? rss1 : rss2))
        printf '%8d %8d %10.1f %12.3f %12.3f %10.1f %12.3f %10.3f %7.2fx\n' "$p" $((p / 30)) \
                "$(echo "$(stat -c %s "$snap") / 1048576" | bc -l)" "$os" "$bg" "$(echo "$peak / 1024" | bc -l)" \
                "$rep" "$floor" "$(echo "$os / $floor" | bc -l)"
done
echo "(median of $n runs; RSS: the larger of the two plans; ratio: ossku-update plan / python3 json.load)"
