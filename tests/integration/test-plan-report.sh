#!/bin/bash
# SPDX-License-Identifier: MIT
# plan and report on the sample node disk: the plan (schema, fingerprint, verdict, the strategy's
# steps with a checkpoint before every mutating one), the report in JSON, Markdown and HTML (schema,
# well-formed self-contained HTML with its pictures), "report --plan" equal to the report made from
# the source, an inhibited node (exit 3, output still written), and the usage errors.
# usage: test-plan-report.sh SAMPLE_RAW
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
sample=${1:?usage: $0 SAMPLE_RAW}
PLAN_SCHEMA=$AZLMIGRATE_SRCDIR/docs/plan.schema.json
REPORT_SCHEMA=$AZLMIGRATE_SRCDIR/docs/report.schema.json
CHECK_PLAN=$AZLMIGRATE_SRCDIR/tests/integration/check_plan.py
if [ ! -f "$PLAN_SCHEMA" ] || [ ! -f "$REPORT_SCHEMA" ]; then
        fail "docs/plan.schema.json or docs/report.schema.json is missing"
fi

check_plan() {
        "$PY" "$CHECK_PLAN" "$@" || fail "check_plan.py $1 ${2##*/} failed"
}
validate() {
        check validate "$1" "$2" || fail "${2##*/} does not validate against ${1##*/}"
}
# ok_or_inhibited OUT_PREFIX ARGS...: runs plan or report, which exit 0 or 3 (inhibited); fails otherwise.
ok_or_inhibited() {
        run_azlm "$@"
        if [ "$RC" -ne 0 ] && [ "$RC" -ne 3 ]; then
                sed 's/^/    stderr: /' "$1.err" | head -20 >&2
                fail "'azlmigrate ${*:2}' exited $RC"
        fi
}

inv=$WORK/inventory.json
inspect_json "$inv" "$sample"

log "plan --inventory (in-place)"
ok_or_inhibited "$WORK/plan" plan --inventory "$inv" -o "$WORK/plan.json"
plan_rc=$RC
[ -s "$WORK/plan.json" ] || fail "plan -o wrote nothing"
[ ! -s "$WORK/plan.out" ] || fail "plan -o also wrote to stdout"
validate "$PLAN_SCHEMA" "$WORK/plan.json"
check_plan plan "$WORK/plan.json" "$inv" inplace overlay "$plan_rc"
verdict=$(check_plan get "$WORK/plan.json" verdict)
log "verdict of the sample: $verdict"

# Reproducible: again, and straight from the disk, byte for byte.
ok_or_inhibited "$WORK/plan2" plan --inventory "$inv"
cmp -s "$WORK/plan.json" "$WORK/plan2.out" || fail "two plans of the same inventory differ"
ok_or_inhibited "$WORK/plan3" plan "$sample"
if ! cmp -s "$WORK/plan.json" "$WORK/plan3.out"; then
        diff "$WORK/plan.json" "$WORK/plan3.out" | head -20 >&2 || true
        fail "the plan from the disk differs from the plan from its inventory"
fi

log "plan --format text, --strategy reimage, --root"
ok_or_inhibited "$WORK/text" plan --inventory "$inv" --format text
[ "$RC" -eq "$plan_rc" ] || fail "plan --format text exited $RC, the JSON plan $plan_rc"
grep -q "^Verdict: $verdict\$" "$WORK/text.out" || fail "the text summary does not say 'Verdict: $verdict'"
grep -q "checkpoint cp-stage-target (overlay)" "$WORK/text.out" || fail "the text summary lacks the checkpoints"
ok_or_inhibited "$WORK/reimage" plan --inventory "$inv" --strategy reimage -o "$WORK/reimage.json"
validate "$PLAN_SCHEMA" "$WORK/reimage.json"
check_plan plan "$WORK/reimage.json" "$inv" reimage overlay "$RC"
ok_or_inhibited "$WORK/root" plan --root "$FIXTURE/rootfs" -o "$WORK/root.json"
root_rc=$RC
validate "$PLAN_SCHEMA" "$WORK/root.json"
inspect_json "$WORK/root-inv.json" --root "$FIXTURE/rootfs"
check_plan plan "$WORK/root.json" "$WORK/root-inv.json" inplace undo-archive "$root_rc"

log "report --plan in json, md, html"
for fmt in json md html; do
        ok_or_inhibited "$WORK/report-$fmt" report --plan "$WORK/plan.json" --format "$fmt" -o "$WORK/report.$fmt"
        [ "$RC" -eq "$plan_rc" ] || fail "report --format $fmt exited $RC, plan $plan_rc"
        [ -s "$WORK/report.$fmt" ] || fail "report --format $fmt wrote nothing"
done
validate "$REPORT_SCHEMA" "$WORK/report.json"
check_plan report "$WORK/report.json" "$WORK/plan.json"
check_plan html "$WORK/report.html"
check_plan markdown "$WORK/report.md"

# The report made from the source is the report of the plan.
for fmt in json md html; do
        ok_or_inhibited "$WORK/direct-$fmt" report "$sample" --format "$fmt"
        if ! cmp -s "$WORK/report.$fmt" "$WORK/direct-$fmt.out"; then
                diff "$WORK/report.$fmt" "$WORK/direct-$fmt.out" | head -20 >&2 || true
                fail "report $sample --format $fmt differs from report --plan --format $fmt"
        fi
done

log "an inhibited node: exit 3, and the output is written"
check_plan inhibit "$inv" "$WORK/inhibited-inv.json"
validate "$SCHEMA" "$WORK/inhibited-inv.json"
run_azlm "$WORK/inh-plan" plan --inventory "$WORK/inhibited-inv.json" -o "$WORK/inhibited-plan.json"
expect_rc "$WORK/inh-plan" 3
validate "$PLAN_SCHEMA" "$WORK/inhibited-plan.json"
check_plan plan "$WORK/inhibited-plan.json" "$WORK/inhibited-inv.json" inplace overlay 3
[ "$(check_plan get "$WORK/inhibited-plan.json" verdict)" = inhibited ] || fail "FIPS and snaps do not inhibit"
for fmt in json html md; do
        run_azlm "$WORK/inh-$fmt" report --inventory "$WORK/inhibited-inv.json" --format "$fmt" \
                -o "$WORK/inhibited.$fmt"
        expect_rc "$WORK/inh-$fmt" 3
        [ -s "$WORK/inhibited.$fmt" ] || fail "report --format $fmt of an inhibited node wrote nothing"
done
validate "$REPORT_SCHEMA" "$WORK/inhibited.json"
check_plan html "$WORK/inhibited.html"
grep -q "Verdict: inhibited" "$WORK/inhibited.html" || fail "the HTML report does not lead with the verdict"
run_azlm "$WORK/inh-stdout" report --plan "$WORK/inhibited-plan.json" --format json
expect_rc "$WORK/inh-stdout" 3
cmp -s "$WORK/inhibited.json" "$WORK/inh-stdout.out" || fail "report to stdout differs from report -o"

log "errors: one line, the documented exit status"
run_azlm "$WORK/e1" report --plan "$inv" --format json
expect_rc "$WORK/e1" 1
expect_one_line "$WORK/e1"
grep -q "azlmigrate/plan/v1" "$WORK/e1.err" || fail "a non-plan --plan file: the message does not name the schema"
run_azlm "$WORK/e2" report --plan "$WORK/plan.json"
expect_rc "$WORK/e2" 2
run_azlm "$WORK/e3" report --plan "$WORK/plan.json" --format pdf
expect_rc "$WORK/e3" 2
run_azlm "$WORK/e4" report --plan "$WORK/plan.json" --format json --to azurelinux-2.0
expect_rc "$WORK/e4" 2
run_azlm "$WORK/e5" plan --inventory "$inv" --strategy bluegreen
expect_rc "$WORK/e5" 1
expect_one_line "$WORK/e5"
grep -q "inplace" "$WORK/e5.err" || fail "an unknown strategy: the message does not list the known ones"
run_azlm "$WORK/e6" plan --inventory "$inv" --strategy ../inplace
expect_rc "$WORK/e6" 2
run_azlm "$WORK/e7" plan
expect_rc "$WORK/e7" 2
run_azlm "$WORK/e8" plan --inventory "$inv" --root /
expect_rc "$WORK/e8" 2
run_azlm "$WORK/e9" plan --inventory "$inv" --to fedora-40
expect_rc "$WORK/e9" 1
expect_one_line "$WORK/e9"
echo '{"schema": "azlmigrate/plan/v1", "verdict": "ready"}' >"$WORK/partial.json"
run_azlm "$WORK/e10" report --plan "$WORK/partial.json" --format html
expect_rc "$WORK/e10" 1
expect_one_line "$WORK/e10"
run_azlm "$WORK/help" plan --help
expect_rc "$WORK/help" 0
grep -q -- "--strategy" "$WORK/help.out" || fail "plan --help does not teach --strategy"
run_azlm "$WORK/help" report --help
expect_rc "$WORK/help" 0
grep -q -- "--plan FILE" "$WORK/help.out" || fail "report --help does not teach --plan"
log "ok"
