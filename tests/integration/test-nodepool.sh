#!/bin/bash
# SPDX-License-Identifier: MIT
# azlmigrate nodepool snapshot and plan against the cluster simulator (tests/sim, a test double):
#   - snapshot: the documented schema, what the fake az and kubectl hold, retries of throttled and
#     transient failures (the simulator's log shows the attempts), clear errors for a wrong cluster,
#     a missing program, output that is not JSON, a hostile snapshot file;
#   - plan: one variant of the basic cluster per node-pool finding key (every key of the catalogue
#     in docs/findings.md is covered), the inhibitor flag per strategy and the exit status 3;
#   - the bluegreen plan: new pool names, the add command carries the profile, drain batches, the
#     delete is the point of no return; plans are reproducible; plan and report schemas.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

SIM=$AZLMIGRATE_SRCDIR/tests/sim
VARIANT=$AZLMIGRATE_SRCDIR/tests/integration/np_variant.py
PLAN_SCHEMA=$AZLMIGRATE_SRCDIR/docs/plan.schema.json
SNAP_SCHEMA=$AZLMIGRATE_SRCDIR/docs/cluster-snapshot.schema.json
REPORT_SCHEMA=$AZLMIGRATE_SRCDIR/docs/report.schema.json
export AZLM_SIM_STATE=$WORK/state.json
# The simulator runs under Debian's python3, found first on PATH as "python3" by its #! line.
export PATH="/usr/bin:$PATH"
tools=(--az "$SIM/az" --kubectl "$SIM/kubectl")

validate() { "$PY" "$CHECK" validate "$1" "$2" || fail "$2 does not validate against ${1##*/}"; }
jget() { "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# sim_attempts NEEDLE: how many commands the simulator logged whose argv contains NEEDLE
sim_attempts() {
        "$PY" -c 'import json,sys; print(sum(1 for e in json.load(open(sys.argv[1]))["log"] if sys.argv[2] in " ".join(e["argv"])))' \
                "$AZLM_SIM_STATE" "$1"
}
add_fault() {
        "$PY" -c 'import json,sys; p=sys.argv[1]; s=json.load(open(p)); s.setdefault("faults", []).append(json.loads(sys.argv[2])); json.dump(s, open(p, "w"))' \
                "$AZLM_SIM_STATE" "$1"
}

log "snapshot of the basic cluster"
cp "$SIM/clusters/basic.json" "$AZLM_SIM_STATE"
run_azlm "$WORK/snap" nodepool snapshot -g rg-demo -n aks-demo "${tools[@]}" -o "$WORK/basic.json"
expect_rc "$WORK/snap" 0
validate "$SNAP_SCHEMA" "$WORK/basic.json"
for k in pools nodes pods pdbs daemonsets; do
        sim=$(jget "$AZLM_SIM_STATE" "len(j['$k'])")
        got=$(jget "$WORK/basic.json" "len(j['$k'])")
        [ "$sim" = "$got" ] || fail "snapshot: $got $k, the simulated cluster has $sim"
done
[ "$(jget "$WORK/basic.json" 'j["az_version"]')" = 2.61.0 ] || fail "snapshot: az_version not recorded"

log "snapshot: throttled and transient failures are retried"
add_fault '{"type": "throttle", "on": "aks show", "count": 2}'
add_fault '{"type": "transient", "on": "get", "count": 1}'
before_show=$(sim_attempts "aks show")
before_get=$(sim_attempts "get nodes,pods,pdb,daemonsets")
run_azlm "$WORK/snap2" nodepool snapshot -g rg-demo -n aks-demo "${tools[@]}" -o "$WORK/basic2.json"
expect_rc "$WORK/snap2" 0
[ $(($(sim_attempts "aks show") - before_show)) -eq 3 ] || fail "a twice-throttled az aks show was not tried 3 times"
[ $(($(sim_attempts "get nodes,pods,pdb,daemonsets") - before_get)) -eq 2 ] ||
        fail "a transient kubectl failure was not retried once"
cmp -s <(jget "$WORK/basic.json" 'json.dumps({k: v for k, v in j.items() if k != "taken"}, sort_keys=True)') \
        <(jget "$WORK/basic2.json" 'json.dumps({k: v for k, v in j.items() if k != "taken"}, sort_keys=True)') ||
        fail "a snapshot after retries differs from the first"

log "snapshot: errors say what failed, and write nothing"
run_azlm "$WORK/e1" nodepool snapshot -g rg-other -n aks-demo "${tools[@]}" -o "$WORK/e1.json"
expect_rc "$WORK/e1" 1
grep -q "az aks show failed: .*ResourceNotFound" "$WORK/e1.err" || fail "a wrong resource group: no clear error"
[ ! -e "$WORK/e1.json" ] || fail "a failed snapshot wrote its output"
run_azlm "$WORK/e2" nodepool snapshot -g rg-demo -n aks-demo --az /nonexistent/az --kubectl "$SIM/kubectl"
expect_rc "$WORK/e2" 1
grep -q "the program '/nonexistent/az' was not found" "$WORK/e2.err" || fail "a missing az: no clear error"
printf '#!/bin/sh\necho "Welcome to az, this is not JSON"\n' >"$WORK/textaz"
chmod +x "$WORK/textaz"
run_azlm "$WORK/e3" nodepool snapshot -g rg-demo -n aks-demo --az "$WORK/textaz" --kubectl "$SIM/kubectl"
expect_rc "$WORK/e3" 1
grep -q "printed no JSON" "$WORK/e3.err" || fail "text instead of JSON: no clear error"
add_fault '{"type": "quota", "on": "aks show"}' # not transient: one attempt, then the error
run_azlm "$WORK/e4" nodepool snapshot -g rg-demo -n aks-demo "${tools[@]}"
expect_rc "$WORK/e4" 1
grep -q "OperationNotAllowed" "$WORK/e4.err" || fail "a non-transient az error is not reported"
run_azlm "$WORK/u1" nodepool snapshot -g rg-demo "${tools[@]}"
expect_rc "$WORK/u1" 2
run_azlm "$WORK/u2" nodepool plan --snapshot "$WORK/basic.json" -g rg-demo -n aks-demo
expect_rc "$WORK/u2" 2
run_azlm "$WORK/u3" nodepool plan --snapshot "$WORK/basic.json" --pool Bad_Name
expect_rc "$WORK/u3" 2
run_azlm "$WORK/u4" nodepool frobnicate
expect_rc "$WORK/u4" 2

log "hostile snapshot files are refused with one clear line"
printf '{"schema": "azlmigrate/cluster-snapshot/v1", "resource_group": "r", "cluster_name": "c", "cluster": {}, "pools": {}}' \
        >"$WORK/h1.json"
printf '{"schema": "azlmigrate/cluster-snapshot/v1", "resource_group": "r", "cluster_name": "c", "cluster": {}, "pools": [{"name": 3}], "nodes": [], "pods": [], "pdbs": [], "daemonsets": []}' \
        >"$WORK/h2.json"
head -c 3000 "$WORK/basic.json" >"$WORK/h3.json"
printf '{"schema": "azlmigrate/inventory/v1"}' >"$WORK/h4.json"
for h in h1 h2 h3 h4; do
        run_azlm "$WORK/$h" nodepool plan --snapshot "$WORK/$h.json"
        expect_rc "$WORK/$h" 1
        expect_one_line "$WORK/$h"
done

log "plans: the basic cluster"
run_azlm "$WORK/p0" nodepool plan --snapshot "$WORK/basic.json" --pool userpool -o "$WORK/p0.json"
expect_rc "$WORK/p0" 0
validate "$PLAN_SCHEMA" "$WORK/p0.json"
[ "$(jget "$WORK/p0.json" 'j["verdict"]')" = ready ] || fail "basic userpool: not ready"
[ "$(jget "$WORK/p0.json" '" ".join(s["id"] for s in j["steps"])')" = \
        "preflight update-sku-userpool wait-userpool verify-userpool" ] || fail "ossku-update: wrong steps"
[ "$(jget "$WORK/p0.json" '" ".join(j["steps"][1]["commands"][0])')" = \
        "az aks nodepool update -g rg-demo --cluster-name aks-demo -n userpool --os-sku AzureLinux --no-wait -o json" ] ||
        fail "ossku-update: not the documented az command"
[ "$(jget "$WORK/p0.json" '[c["kind"] for c in j["checkpoints"]]')" = "['record']" ] ||
        fail "ossku-update: the update is not preceded by a record checkpoint"
run_azlm "$WORK/p0b" nodepool plan --snapshot "$WORK/basic.json" --pool userpool -o "$WORK/p0b.json"
cmp -s "$WORK/p0.json" "$WORK/p0b.json" || fail "two plans of one snapshot differ"
cp "$SIM/clusters/basic.json" "$AZLM_SIM_STATE"
run_azlm "$WORK/p0c" nodepool plan -g rg-demo -n aks-demo "${tools[@]}" --pool userpool -o "$WORK/p0c.json"
expect_rc "$WORK/p0c" 0
cmp -s "$WORK/p0.json" "$WORK/p0c.json" || fail "the plan from the live cluster differs from the plan of its snapshot"

log "plans: one variant per node-pool finding"
# A key raised by the variant: present, and inhibiting exactly as the catalogue says for the strategy.
expect_finding() { # PLAN KEY STRATEGY
        local inh
        inh=$(jget "$1" "[f['inhibitor'] for f in j['findings'] if f['key'] == '$2']")
        [ "$inh" != "[]" ] || fail "$2 ($3): not raised; findings: $(jget "$1" '[f["key"] for f in j["findings"]]')"
        want=$(grep -F "| \`$2\` |" "$AZLMIGRATE_SRCDIR/docs/findings.md" | awk -F' [|] ' -v s="$3" \
                '{print (s == "ossku-update" ? $3 : $4)}')
        case "$want:$inh" in
        yes:*False* | no:*True*) fail "$2 ($3): inhibitor $inh, the catalogue says $want" ;;
        esac
}
# shellcheck disable=SC2016 # backticks of Markdown, not a command
mapfile -t doc_keys < <(sed -n '/^## Node-pool findings/,$p' "$AZLMIGRATE_SRCDIR/docs/findings.md" |
        grep -oE '^\| `[a-z0-9.-]+`' | tr -d '|` ')
[ "${#doc_keys[@]}" -ge 20 ] || fail "docs/findings.md lists ${#doc_keys[@]} node-pool keys"
covered=()
while read -r key; do
        for strategy in ossku-update bluegreen; do
                "$PY" "$VARIANT" "$WORK/basic.json" "$key" "$WORK/v.json"
                run_azlm "$WORK/v" nodepool plan --snapshot "$WORK/v.json" --strategy "$strategy" -o "$WORK/v-plan.json"
                if [ "$key" = nodepool.already-azurelinux ] || [ "$key" = nodepool.not-linux ]; then
                        expect_rc "$WORK/v" "$(jget "$WORK/v-plan.json" '3 if j["verdict"] == "inhibited" else 0')"
                else
                        [ "$RC" -eq 0 ] || [ "$RC" -eq 3 ] || fail "$key ($strategy): exit $RC"
                fi
                validate "$PLAN_SCHEMA" "$WORK/v-plan.json"
                if [ "$key" = cluster.az-cli.too-old ] && [ "$strategy" = bluegreen ]; then
                        # blue-green runs no nodepool update --os-sku: the az version does not matter
                        [ "$(jget "$WORK/v-plan.json" "[f for f in j['findings'] if f['key'] == '$key']")" = "[]" ] ||
                                fail "$key raised for bluegreen"
                        continue
                fi
                expect_finding "$WORK/v-plan.json" "$key" "$strategy"
                verdict=$(jget "$WORK/v-plan.json" 'j["verdict"]')
                [ "$verdict" != inhibited ] || [ "$RC" -eq 3 ] || fail "$key ($strategy): inhibited but exit $RC"
        done
        covered+=("$key")
done < <("$PY" "$VARIANT" --keys)
run_azlm "$WORK/s1" nodepool plan --snapshot "$WORK/basic.json" -o "$WORK/s1.json"
expect_finding "$WORK/s1.json" cluster.system-pool.all-updated ossku-update
run_azlm "$WORK/s2" nodepool plan --snapshot "$WORK/basic.json" --strategy bluegreen -o "$WORK/s2.json"
expect_finding "$WORK/s2.json" nodepool.bluegreen.capacity bluegreen
[ "$(jget "$WORK/s2.json" '[f["key"] for f in j["findings"] if f["key"] == "cluster.system-pool.all-updated"]')" = "[]" ] ||
        fail "bluegreen raises cluster.system-pool.all-updated"
run_azlm "$WORK/s3" nodepool plan --snapshot "$WORK/basic.json" --os-sku AzureLinuxOSGuard -o "$WORK/s3.json"
expect_rc "$WORK/s3" 3
expect_finding "$WORK/s3.json" nodepool.trusted-launch.required ossku-update
covered+=(cluster.system-pool.all-updated nodepool.bluegreen.capacity nodepool.trusted-launch.required)
for k in "${doc_keys[@]}"; do
        printf '%s\n' "${covered[@]}" | grep -qxF "$k" || fail "no test variant raises $k"
done
"$PY" "$VARIANT" "$WORK/basic.json" none "$WORK/none.json"
run_azlm "$WORK/n" nodepool plan --snapshot "$WORK/none.json" --pool userpool -o "$WORK/n.json"
[ "$(jget "$WORK/n.json" 'len(j["findings"])')" = 0 ] || fail "the unchanged userpool raised findings"

log "plans: errors"
run_azlm "$WORK/x1" nodepool plan --snapshot "$WORK/basic.json" --pool nosuchpool
expect_rc "$WORK/x1" 1
grep -q "no node pool 'nosuchpool'" "$WORK/x1.err" || fail "an unknown pool: no clear error"
"$PY" "$VARIANT" "$WORK/basic.json" nodepool.already-azurelinux "$WORK/azl.json"
run_azlm "$WORK/x2" nodepool plan --snapshot "$WORK/azl.json" --pool userpool
expect_rc "$WORK/x2" 1
grep -q "no node pool to migrate" "$WORK/x2.err" || fail "nothing to migrate: no clear error"
run_azlm "$WORK/x3" nodepool plan --snapshot "$WORK/basic.json" --os-sku Windows2022
expect_rc "$WORK/x3" 1
grep -q "unknown target OS SKU" "$WORK/x3.err" || fail "an unknown OS SKU: no clear error"
run_azlm "$WORK/x4" plan --inventory "$WORK/basic.json" --strategy bluegreen
expect_rc "$WORK/x4" 1

log "bluegreen: the new pool, the drain batches, the point of no return"
cp "$SIM/clusters/findings.json" "$AZLM_SIM_STATE"
run_azlm "$WORK/fs" nodepool snapshot -g rg-demo -n aks-demo "${tools[@]}" -o "$WORK/findings.json"
expect_rc "$WORK/fs" 0
run_azlm "$WORK/bg" nodepool plan --snapshot "$WORK/findings.json" --strategy bluegreen --drain-batch 2 \
        -o "$WORK/bg.json"
expect_rc "$WORK/bg" 3
validate "$PLAN_SCHEMA" "$WORK/bg.json"
"$PY" - "$WORK/bg.json" "$WORK/findings.json" <<'PYEOF' || fail "bluegreen plan is wrong (see above)"
import json, re, sys
plan, snap = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
old = {p["name"] for p in snap["pools"]}
new = [p["new_name"] for p in plan["pools"]]
assert len(set(new)) == len(new) and not set(new) & old, new
assert all(re.fullmatch(r"[a-z][a-z0-9]{0,11}", n) for n in new), new
steps = {s["id"]: s for s in plan["steps"]}
for p in plan["pools"]:
    n = p["name"]
    order = [s["id"] for s in plan["steps"] if s.get("pool") == n]
    assert order == [f"{k}-{n}" for k in ("add-pool", "wait-ready", "cordon", "drain", "soak", "delete-old")], order
    add = steps[f"add-pool-{n}"]["commands"][0]
    assert add[:4] == ["az", "aks", "nodepool", "add"] and add[add.index("-n") + 1] == p["new_name"], add
    assert add[add.index("--node-count") + 1] == str(p["count"]) and add[add.index("--os-sku") + 1] == "AzureLinux"
    for k, v in (p["labels"] or {}).items():
        assert f"{k}={v}" in add, (k, add)
    if p["fips"]:
        assert "--enable-fips-image" in add
    if p["secure_boot"]:
        assert "--enable-secure-boot" in add
    drain = steps[f"drain-{n}"]
    assert [b for b in drain["batches"]] == [p["nodes"][i:i + 2] for i in range(0, len(p["nodes"]), 2)], drain
    assert all(c[:2] == ["kubectl", "drain"] and "--ignore-daemonsets" in c for c in drain["commands"])
    d = steps[f"delete-old-{n}"]
    assert d["point_of_no_return"] is True and d["commands"][0][:4] == ["az", "aks", "nodepool", "delete"]
    assert steps[f"cordon-{n}"]["commands"] == [["kubectl", "cordon", x] for x in p["nodes"]]
PYEOF

log "report of a node-pool plan: json, md, html"
run_azlm "$WORK/rj" report --plan "$WORK/bg.json" --format json -o "$WORK/r.json"
expect_rc "$WORK/rj" 3
validate "$REPORT_SCHEMA" "$WORK/r.json"
run_azlm "$WORK/rm" report --plan "$WORK/bg.json" --format md -o "$WORK/r.md"
grep -q '^# Node-pool migration report' "$WORK/r.md" || fail "md: not a node-pool report"
grep -q '^## Node pools' "$WORK/r.md" || fail "md: no pools section"
grep -q 'az aks nodepool add -g rg-demo' "$WORK/r.md" || fail "md: the commands are missing"
run_azlm "$WORK/rh" report --plan "$WORK/bg.json" --format html -o "$WORK/r.html"
grep -q 'id="pools"' "$WORK/r.html" || fail "html: no pools section"
grep -q 'Point of no return' "$WORK/r.html" || fail "html: the point of no return is not marked"
! grep -qi '<script' "$WORK/r.html" || fail "html: a script"
log "ok"
