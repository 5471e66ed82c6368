#!/bin/bash
# SPDX-License-Identifier: MIT
# The az CLI extension (azext/): built as a wheel, installed with `az extension add --source` into
# Debian's azure-cli (in a private AZURE_CONFIG_DIR), and driven against the cluster simulator
# (tests/sim): its JSON equals azlmigrate's own, az's --output formats work, apply with progress
# completes, the point of no return and rollback behave as with the binary, errors are az errors.
# Skipped (77) when az or the wheel builder is not installed (scripts/check installs both).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

command -v az >/dev/null || skip "az (Debian's azure-cli) is not installed"
"$PY" -c 'import wheel, setuptools' 2>/dev/null || skip "python3-wheel or python3-setuptools is not installed"

SIM=$AZLMIGRATE_SRCDIR/tests/sim
export AZURE_CONFIG_DIR=$WORK/azcfg AZURE_CORE_COLLECT_TELEMETRY=false AZURE_CORE_NO_COLOR=1 \
        AZURE_CORE_ONLY_SHOW_ERRORS=true
export AZLMIGRATE_AZ=$SIM/az AZLMIGRATE_KUBECTL=$SIM/kubectl
export AZLM_SIM_STATE=$WORK/state.json AZLM_SIM_PROVISION_STEPS=1
export PATH="/usr/bin:$PATH"
jget() { "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# azx NAME ARGS...: az aks osmigrate ARGS, stdout to $WORK/NAME.out, stderr to .err, status in RC
azx() {
        local name=$1
        shift
        RC=0
        timeout 300 az aks osmigrate "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || RC=$?
        [ "$RC" -ne 124 ] || fail "az aks osmigrate $* hung"
}

log "build the wheel and install it"
cp -r "$AZLMIGRATE_SRCDIR/azext" "$WORK/azext"
(cd "$WORK/azext" && "$PY" setup.py -q bdist_wheel -d "$WORK/dist" >"$WORK/wheel.log" 2>&1) ||
        { cat "$WORK/wheel.log" >&2; fail "the wheel does not build"; }
wheel=$(echo "$WORK"/dist/aks_osmigrate-*-py3-none-any.whl)
[ -f "$wheel" ] || fail "no wheel was built"
az extension add --source "$wheel" -y >"$WORK/add.log" 2>&1 || { cat "$WORK/add.log" >&2; fail "az extension add failed"; }
az extension show -n aks-osmigrate -o json >"$WORK/ext.json" || fail "the extension is not listed"
azx help --help
for c in analyze plan apply status resume rollback report; do
        grep -qE "^ +$c +:" "$WORK/help.out" || fail "az aks osmigrate --help does not list $c"
done

log "plan and analyze: the same JSON as azlmigrate's"
cp "$SIM/clusters/basic.json" "$AZLM_SIM_STATE"
"$AZLMIGRATE_BIN" nodepool snapshot -g rg-demo -n aks-demo --az "$SIM/az" --kubectl "$SIM/kubectl" \
        -o "$WORK/snap.json" || fail "snapshot failed"
azx plan plan --snapshot "$WORK/snap.json" --nodepool userpool --strategy bluegreen -o json
[ "$RC" -eq 0 ] || { cat "$WORK/plan.err" >&2; fail "az aks osmigrate plan exited $RC"; }
RC=0
"$AZLMIGRATE_BIN" nodepool plan --snapshot "$WORK/snap.json" --pool userpool --strategy bluegreen \
        -o "$WORK/direct.json" || RC=$?
[ "$RC" -eq 0 ] || fail "azlmigrate nodepool plan exited $RC"
"$PY" -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a != b)' \
        "$WORK/plan.out" "$WORK/direct.json" || fail "the extension's plan differs from azlmigrate's"
azx analyze analyze --snapshot "$WORK/snap.json" -o json
[ "$RC" -eq 0 ] || { cat "$WORK/analyze.err" >&2; fail "analyze exited $RC"; }
"$PY" "$CHECK" validate "$AZLMIGRATE_SRCDIR/docs/report.schema.json" "$WORK/analyze.out" ||
        fail "analyze's report does not validate"
azx table analyze --snapshot "$WORK/snap.json" --query '{verdict: verdict, strategy: strategy}' -o tsv
[ "$(cat "$WORK/table.out")" = "ready-with-warnings	ossku-update" ] || fail "az's --query/-o tsv: '$(cat "$WORK/table.out")'"
azx md report --plan "$WORK/direct.json" --format md -f "$WORK/report.md" -o none
[ "$RC" -eq 0 ] && grep -q '^# Node-pool migration report' "$WORK/report.md" || fail "report --format md -f"

log "apply: stops at the point of no return; rollback; then with --confirm-delete to the end"
azx p2 plan -g rg-demo -n aks-demo --nodepool userpool --strategy bluegreen --soak 1 --poll-interval 0 \
        --wait-timeout 20 -f "$WORK/bg.json" -o none
[ "$RC" -eq 0 ] || { cat "$WORK/p2.err" >&2; fail "plan -f exited $RC"; }
azx a1 apply --plan "$WORK/bg.json" --state-dir "$WORK/run1" -o json
[ "$RC" -ne 0 ] || fail "apply without --confirm-delete succeeded"
grep -q "point of no return" "$WORK/a1.err" || fail "apply without --confirm-delete: no word of the point of no return"
azx s1 status --state-dir "$WORK/run1" --query status -o tsv
[ "$(cat "$WORK/s1.out")" = failed ] || fail "status after the stop: '$(cat "$WORK/s1.out")'"
azx r1 rollback --state-dir "$WORK/run1" -o json
[ "$RC" -eq 0 ] || { cat "$WORK/r1.err" >&2; fail "rollback exited $RC"; }
[ "$(jget "$WORK/r1.out" 'j["status"]')" = rolled-back ] || fail "rollback: status"
[ "$(jget "$AZLM_SIM_STATE" 'sorted(p["name"] for p in j["pools"])')" = "['systempool', 'userpool']" ] ||
        fail "rollback did not delete the new pool"
azx a2 apply --plan "$WORK/bg.json" --state-dir "$WORK/run2" --confirm-delete -o json
[ "$RC" -eq 0 ] || { cat "$WORK/a2.err" >&2; fail "apply --confirm-delete exited $RC"; }
[ "$(jget "$WORK/a2.out" '[s["state"] for s in j["steps"]]')" = "['done', 'done', 'done', 'done', 'done', 'done', 'done']" ] ||
        fail "apply: not every step done"
[ "$(jget "$AZLM_SIM_STATE" 'sorted((p["name"], p["osSku"]) for p in j["pools"])')" = \
        "[('systempool', 'Ubuntu'), ('userpoolazl', 'AzureLinux')]" ] || fail "apply: the pools are not migrated"

log "errors are az errors"
azx e1 status --state-dir "$WORK/nonexistent"
[ "$RC" -ne 0 ] && grep -q "No run in" "$WORK/e1.err" || fail "status of a missing state dir: not an error"
AZLMIGRATE_BIN=/nonexistent/azlmigrate azx e2 plan --snapshot "$WORK/snap.json"
[ "$RC" -ne 0 ] || fail "a missing azlmigrate binary is not an error"
azx e3 plan -g rg-demo
[ "$RC" -ne 0 ] && grep -q "give --resource-group and --name" "$WORK/e3.err" || fail "plan without a cluster: no clear error"
log "ok"
