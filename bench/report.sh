#!/usr/bin/env bash
# Report and mapping speed (run on demand, not in CI), against a release build.
#
# Prints, best and median of N runs each:
#   - azlmigrate report --format html of the sample 4 GiB "Ubuntu 22.04 AKS node" disk, inspection
#     included (target, issue 3: < 0.5 s)
#   - azlmigrate plan of the same disk (inspection included) and report --plan of a saved plan
#   - azlmigrate map --list of the AKS Ubuntu 22.04 node image's package list
#     (tests/fixtures/aks-ubuntu2204/packages.tsv, its first column; target: < 50 ms)
#
# Usage: bench/report.sh [N runs, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
. bench/lib.sh
azlm_install_missing "${AZLM_BUILD_PACKAGES[@]}" e2fsprogs fdisk dosfstools mtools python3

n=${1:-20}
bench_setup
cut -f1 tests/fixtures/aks-ubuntu2204/packages.tsv >"$work/packages.list"
sync

# Prints the wall time of one run in seconds; plan and report exit 3 for an inhibited node.
measure() {
        local start end rc=0
        start=$(date +%s.%N)
        "$@" >/dev/null 2>"$work/stderr" || rc=$?
        end=$(date +%s.%N)
        if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
                cat "$work/stderr" >&2
                return 1
        fi
        awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f\n", b - a }'
}

# Runs a command N times (after one warm-up run) and prints "best median" in milliseconds.
bench() {
        "$@" >/dev/null 2>&1 || true
        for _ in $(seq "$n"); do measure "$@"; done |
                sort -n | awk '{ t[NR] = $1 } END { printf "%.1f %.1f\n", t[1] * 1000, t[int((NR + 1) / 2)] * 1000 }'
}

"$bin" plan "$image" -o "$work/plan.json" || [ $? -eq 3 ]
read -r html_best html_med < <(bench "$bin" report "$image" --format html -o "$work/report.html")
read -r plan_best plan_med < <(bench "$bin" plan "$image" -o "$work/plan2.json")
read -r rp_best rp_med < <(bench "$bin" report --plan "$work/plan.json" --format html -o "$work/r2.html")
read -r map_best map_med < <(bench "$bin" map --from ubuntu-22.04 --list "$work/packages.list" --format json)
pkgs=$(wc -l <"$work/packages.list")

echo "sample image: 4 GiB raw, $pkgs packages; host: $(nproc) cores; $n runs each (best / median)"
printf 'report --format html of the disk (inspection included): %7.1f ms / %7.1f ms   (target < 500 ms)\n' \
        "$html_best" "$html_med"
printf 'plan of the disk (inspection included):                 %7.1f ms / %7.1f ms\n' "$plan_best" "$plan_med"
printf 'report --plan --format html:                            %7.1f ms / %7.1f ms\n' "$rp_best" "$rp_med"
printf 'map --list of %s packages:                             %7.1f ms / %7.1f ms   (target < 50 ms)\n' \
        "$pkgs" "$map_best" "$map_med"
printf 'HTML report size: %s bytes\n' "$(wc -c <"$work/report.html")"
