#!/bin/bash
# SPDX-License-Identifier: MIT
# azlmigrate nodepool apply, status, resume, rollback, commit against the cluster simulator
# (tests/sim, a test double of az and kubectl):
#   - bluegreen: apply stops at the point of no return without --confirm-delete; rollback from
#     there gives back the cluster exactly (pools, counts, modes, labels, cordon flags, node labels);
#     with --confirm-delete it completes, every command is in the journal, and rollback is refused;
#   - ossku-update: the pool's nodes end on Azure Linux; rollback sets the SKU back;
#   - faults: quota on the new pool, a PodDisruptionBudget that blocks the drain, a node that never
#     gets Ready, throttling: the run fails (or retries) at the right step and rolls back exactly;
#   - kill -9 before, after and while checkpointing every step (AZLMIGRATE_FAULT), then resume:
#     the same cluster as an uninterrupted run.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

SIM=$AZLMIGRATE_SRCDIR/tests/sim
export AZLM_SIM_STATE=$WORK/state.json AZLM_SIM_PROVISION_STEPS=1
export PATH="/usr/bin:$PATH"
tools=(--az "$SIM/az" --kubectl "$SIM/kubectl")
common=(--yes --progress none "${tools[@]}")
jget() { "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# view STATE: what rollback must give back: pools (name, SKU, count, mode, labels, taints) and
# nodes (name, cordoned, labels), sorted.
view() {
        "$PY" - "$1" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
pools = sorted((p["name"], p["osSku"], p["count"], p["mode"], json.dumps(p.get("nodeLabels"), sort_keys=True),
                json.dumps(p.get("nodeTaints"))) for p in s["pools"])
nodes = sorted((n["metadata"]["name"], bool(n.get("spec", {}).get("unschedulable")),
                json.dumps(n["metadata"].get("labels"), sort_keys=True)) for n in s["nodes"])
print(json.dumps({"pools": pools, "nodes": nodes}, indent=1))
PYEOF
}
add_fault() {
        "$PY" -c 'import json,sys; p=sys.argv[1]; s=json.load(open(p)); s.setdefault("faults", []).append(json.loads(sys.argv[2])); json.dump(s, open(p, "w"))' \
                "$AZLM_SIM_STATE" "$1"
}
status_of() { jget "$1/journal.json" 'j["status"]'; }
fresh() { # fresh CLUSTER: the state file, and its view as "before"
        cp "$SIM/clusters/$1.json" "$AZLM_SIM_STATE"
        rm -f "$AZLM_SIM_STATE.lock"
        view "$AZLM_SIM_STATE" >"$WORK/before.view"
}
same_as_before() { # WHAT
        view "$AZLM_SIM_STATE" >"$WORK/after.view"
        if ! cmp -s "$WORK/before.view" "$WORK/after.view"; then
                diff "$WORK/before.view" "$WORK/after.view" | head -20 >&2
                fail "$1: the cluster is not as it was"
        fi
}
plan() { # OUT STRATEGY [ARGS...]
        local out=$1 strategy=$2
        shift 2
        run_azlm "$WORK/plan" nodepool plan -g rg-demo -n aks-demo "${tools[@]}" --pool userpool \
                --strategy "$strategy" --soak 1 --poll-interval 0 --wait-timeout 20 "$@" -o "$out"
        [ "$RC" -eq 0 ] || { cat "$WORK/plan.err" >&2; fail "plan ($strategy) exited $RC"; }
}

log "bluegreen: stops at the point of no return; rollback gives the cluster back exactly"
fresh basic
plan "$WORK/bg.json" bluegreen
run_azlm "$WORK/dry" nodepool apply "$WORK/bg.json" --dry-run
expect_rc "$WORK/dry" 0
grep -q 'az aks nodepool add -g rg-demo --cluster-name aks-demo -n userpoolazl' "$WORK/dry.out" ||
        fail "--dry-run does not print the commands"
run_azlm "$WORK/a1" nodepool apply "$WORK/bg.json" --state-dir "$WORK/s1" "${common[@]}"
expect_rc "$WORK/a1" 1
grep -q "point of no return" "$WORK/a1.err" || fail "apply without --confirm-delete: no word of the point of no return"
[ "$(jget "$WORK/s1/journal.json" '[s["state"] for s in j["steps"]]')" = \
        "['done', 'done', 'done', 'done', 'done', 'done', 'failed']" ] || fail "bluegreen did not stop at the delete"
[ "$(jget "$AZLM_SIM_STATE" 'sorted(p["name"] for p in j["pools"])')" = "['systempool', 'userpool', 'userpoolazl']" ] ||
        fail "bluegreen: the new pool is missing or the old one gone"
run_azlm "$WORK/st1" nodepool status --state-dir "$WORK/s1"
grep -q "'azlmigrate nodepool resume --state-dir" "$WORK/st1.out" || fail "status does not point to nodepool resume"
run_azlm "$WORK/g1" rollback --yes --state-dir "$WORK/s1"
expect_rc "$WORK/g1" 1
grep -q "use 'azlmigrate nodepool rollback'" "$WORK/g1.err" || fail "the disk rollback verb does not send to nodepool rollback"
run_azlm "$WORK/r1" nodepool rollback --state-dir "$WORK/s1" "${common[@]}"
expect_rc "$WORK/r1" 0
same_as_before "bluegreen rollback"
[ "$(status_of "$WORK/s1")" = rolled-back ] || fail "bluegreen rollback: status"

log "an inhibited plan is not applied"
run_azlm "$WORK/ogp" nodepool plan -g rg-demo -n aks-demo "${tools[@]}" --pool userpool --os-sku AzureLinuxOSGuard \
        -o "$WORK/og.json"
expect_rc "$WORK/ogp" 3
run_azlm "$WORK/inh" nodepool apply "$WORK/og.json" --state-dir "$WORK/s-inh" "${common[@]}"
expect_rc "$WORK/inh" 3
grep -q "nodepool.trusted-launch.required" "$WORK/inh.err" || fail "an inhibited apply does not name the inhibitor"
[ ! -e "$WORK/s-inh" ] || fail "an inhibited apply created its state directory"

log "bluegreen with --confirm-delete: completes; commands in the journal; rollback refused"
run_azlm "$WORK/a2" nodepool apply "$WORK/bg.json" --state-dir "$WORK/s1" --confirm-delete "${common[@]}"
expect_rc "$WORK/a2" 0
[ "$(jget "$AZLM_SIM_STATE" 'sorted((p["name"], p["osSku"], p["count"]) for p in j["pools"])')" = \
        "[('systempool', 'Ubuntu', 2), ('userpoolazl', 'AzureLinux', 3)]" ] || fail "bluegreen: wrong pools at the end"
"$PY" "$CHECK" validate "$AZLMIGRATE_SRCDIR/docs/journal.schema.json" "$WORK/s1/journal.json" ||
        fail "the journal does not validate"
"$PY" - "$WORK/s1/journal.json" <<'PYEOF' || fail "the journal does not record the commands"
import json, sys
j = json.load(open(sys.argv[1]))
steps = {s["id"]: s for s in j["steps"]}
add = [c for c in steps["add-pool-userpool"]["commands"] if c["argv"][1:4] == ["aks", "nodepool", "add"]]
assert len(add) == 1 and add[0]["status"] == 0, add
drains = [c for c in steps["drain-userpool"]["commands"] if c["argv"][1] == "drain"]
assert len(drains) == 3 and all(c["status"] == 0 for c in drains), drains
assert any(c["argv"][1:4] == ["aks", "nodepool", "delete"] for c in steps["delete-old-userpool"]["commands"])
PYEOF
run_azlm "$WORK/r2" nodepool rollback --state-dir "$WORK/s1" "${common[@]}"
expect_rc "$WORK/r2" 1
grep -q "point of no return" "$WORK/r2.err" || fail "rollback past the delete: not refused in words"
[ "$(status_of "$WORK/s1")" = "done" ] || fail "a refused rollback changed the run's status"
run_azlm "$WORK/c2" nodepool commit --state-dir "$WORK/s1" "${common[@]}"
expect_rc "$WORK/c2" 0
[ ! -e "$WORK/s1/records" ] || fail "commit left the records"

log "ossku-update: the nodes end on Azure Linux; rollback sets the SKU back"
fresh basic
plan "$WORK/os.json" ossku-update
run_azlm "$WORK/a3" nodepool apply "$WORK/os.json" --state-dir "$WORK/s3" "${common[@]}"
expect_rc "$WORK/a3" 0
[ "$(jget "$AZLM_SIM_STATE" '[p["osSku"] for p in j["pools"] if p["name"] == "userpool"][0]')" = AzureLinux ] ||
        fail "ossku-update: the pool's SKU did not change"
[ "$(jget "$AZLM_SIM_STATE" 'sorted({n["status"]["nodeInfo"]["osImage"] for n in j["nodes"] if n["metadata"]["labels"]["kubernetes.azure.com/agentpool"] == "userpool"})')" != \
        "$(jget "$SIM/clusters/basic.json" 'sorted({n["status"]["nodeInfo"]["osImage"] for n in j["nodes"] if n["metadata"]["labels"]["kubernetes.azure.com/agentpool"] == "userpool"})')" ] ||
        fail "ossku-update: the nodes' osImage did not change"
run_azlm "$WORK/r3" nodepool rollback --state-dir "$WORK/s3" "${common[@]}"
expect_rc "$WORK/r3" 0
[ "$(jget "$AZLM_SIM_STATE" '[p["osSku"] for p in j["pools"] if p["name"] == "userpool"][0]')" = Ubuntu ] ||
        fail "ossku-update rollback: the SKU is not Ubuntu again"

log "faults: quota, a blocking PDB, a node never Ready; each rolls back exactly"
fresh basic
add_fault '{"type": "quota", "on": "nodepool add"}'
run_azlm "$WORK/f1" nodepool apply "$WORK/bg.json" --state-dir "$WORK/f1s" "${common[@]}"
expect_rc "$WORK/f1" 1
grep -q "Step add-pool-userpool failed: 'az aks nodepool add' failed: .*quota" "$WORK/f1.err" ||
        fail "quota: not reported at add-pool"
run_azlm "$WORK/f1r" nodepool rollback --state-dir "$WORK/f1s" "${common[@]}"
expect_rc "$WORK/f1r" 0
same_as_before "quota rollback"
fresh basic
pdb=$(jget "$AZLM_SIM_STATE" '[p["metadata"]["namespace"] + "/" + p["metadata"]["name"] for p in j["pdbs"]][0]')
add_fault "{\"type\": \"pdb-block\", \"pdb\": \"$pdb\"}"
run_azlm "$WORK/f2" nodepool apply "$WORK/bg.json" --state-dir "$WORK/f2s" "${common[@]}"
expect_rc "$WORK/f2" 1
grep -q "Step drain-userpool failed: 'kubectl drain aks-userpool" "$WORK/f2.err" && grep -q "disruption budget" "$WORK/f2.err" ||
        fail "a blocking PDB: not reported at drain"
run_azlm "$WORK/f2r" nodepool rollback --state-dir "$WORK/f2s" "${common[@]}"
expect_rc "$WORK/f2r" 0
same_as_before "blocked drain rollback"
fresh basic
add_fault '{"type": "never-ready", "pool": "userpoolazl"}'
run_azlm "$WORK/f3" nodepool apply "$WORK/bg.json" --state-dir "$WORK/f3s" "${common[@]}"
expect_rc "$WORK/f3" 1
grep -q "Step wait-ready-userpool failed: pool userpoolazl not ready after" "$WORK/f3.err" ||
        fail "a node never Ready: not reported at wait-ready"
run_azlm "$WORK/f3r" nodepool rollback --state-dir "$WORK/f3s" "${common[@]}"
expect_rc "$WORK/f3r" 0
same_as_before "never-ready rollback"
fresh basic
add_fault '{"type": "throttle", "on": "nodepool add", "count": 1}'
run_azlm "$WORK/f4" nodepool apply "$WORK/os.json" --state-dir "$WORK/f4s" "${common[@]}"
expect_rc "$WORK/f4" 0

log "kill -9 at every step, then resume: the same cluster as an uninterrupted run"
fresh basic
run_azlm "$WORK/ref" nodepool apply "$WORK/bg.json" --state-dir "$WORK/ref-s" --confirm-delete "${common[@]}"
expect_rc "$WORK/ref" 0
view "$AZLM_SIM_STATE" | "$PY" -c 'import json,sys; v=json.load(sys.stdin); print(json.dumps(v["pools"]), len(v["nodes"]), sorted(set(n[1] for n in v["nodes"])))' \
        >"$WORK/ref.view"
mapfile -t steps < <(jget "$WORK/bg.json" '"\n".join(s["id"] for s in j["steps"])')
cases=()
for s in "${steps[@]}"; do
        cases+=("kill:before:$s" "kill:after:$s")
        [ "$(jget "$WORK/bg.json" "[x['mutates'] for x in j['steps'] if x['id'] == '$s'][0]")" = True ] &&
                cases+=("kill:checkpoint:$s")
done
[ "${#cases[@]}" -ge 18 ] || fail "only ${#cases[@]} kill cases"
for fault in "${cases[@]}"; do
        fresh basic
        RC=0
        AZLMIGRATE_FAULT=$fault timeout 120 "$AZLMIGRATE_BIN" nodepool apply "$WORK/bg.json" --state-dir "$WORK/k-$fault" \
                --confirm-delete "${common[@]}" >"$WORK/k.out" 2>"$WORK/k.err" || RC=$?
        [ "$RC" -eq 137 ] || { cat "$WORK/k.err" >&2; fail "$fault: apply was not killed (exit $RC)"; }
        run_azlm "$WORK/kst" nodepool status --state-dir "$WORK/k-$fault"
        grep -q "^Status: *interrupted" "$WORK/kst.out" || fail "$fault: status does not say interrupted"
        run_azlm "$WORK/kr" nodepool resume --state-dir "$WORK/k-$fault" --confirm-delete "${common[@]}"
        [ "$RC" -eq 0 ] || { cat "$WORK/kr.err" >&2; fail "$fault: resume exited $RC"; }
        view "$AZLM_SIM_STATE" | "$PY" -c 'import json,sys; v=json.load(sys.stdin); print(json.dumps(v["pools"]), len(v["nodes"]), sorted(set(n[1] for n in v["nodes"])))' \
                >"$WORK/k.view"
        cmp -s "$WORK/ref.view" "$WORK/k.view" || { diff "$WORK/ref.view" "$WORK/k.view" >&2; fail "$fault: resume ended elsewhere"; }
done
log "ok (${#cases[@]} kill cases)"
