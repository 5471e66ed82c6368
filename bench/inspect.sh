#!/usr/bin/env bash
# Inspection speed and memory, against virt-inspector in the same run (run on demand, not in CI).
#
# Builds a release binary, makes the sample 4 GiB "Ubuntu 22.04 AKS node" disk, then prints:
#   - azlmigrate inspect (native path): best and median wall time of N runs, peak RSS
#   - virt-inspector on the same image: wall time of M runs (TCG forced when KVM is unusable)
#   - the ratio, and azlmigrate inspect --root / on this machine (package count included)
# Targets (issue 2): < 0.25 s and >= 30x faster than virt-inspector on the sample, < 64 MiB RSS;
# --root / of a Debian machine with ~1,200 packages < 0.2 s.
#
# Usage: bench/inspect.sh [N runs of azlmigrate, default 20] [M runs of virt-inspector, default 2]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
. bench/lib.sh
azlm_install_missing "${AZLM_BUILD_PACKAGES[@]}" e2fsprogs fdisk dosfstools mtools python3 libguestfs-tools time
azlm_guestfs_env

n=${1:-20}
m=${2:-2}
bench_setup
sync

# Prints "seconds max_rss_kib" for one run of the command: wall time from the nanosecond clock
# (GNU time's %e has a 10 ms resolution), peak RSS from GNU time.
measure() {
        local start end
        start=$(date +%s%N)
        /usr/bin/time -f '%M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
                cat "$work/stderr" >&2
                return 1
        }
        end=$(date +%s%N)
        printf '%s %s\n' "$(awk -v ns=$((end - start)) 'BEGIN { printf "%.4f", ns / 1e9 }')" "$(cat "$work/time")"
}

stats() { # reads "seconds rss" lines; prints best, median, max rss
        sort -n | awk '{ t[NR] = $1; if ($2 > r) r = $2 } END { printf "%.4f %.4f %d\n", t[1], t[int((NR + 1) / 2)], r }'
}

"$bin" inspect --format json "$image" >/dev/null # warm the page cache like every later run
for _ in $(seq "$n"); do measure "$bin" inspect --format json "$image"; done | stats >"$work/azlm"
read -r az_best az_med az_rss <"$work/azlm"
pkgs=$("$bin" inspect --format json "$image" | python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"]["count"])')

for _ in $(seq "$n"); do measure "$bin" inspect --format json --root /; done | stats >"$work/root"
read -r root_best root_med root_rss <"$work/root"
root_pkgs=$("$bin" inspect --format json --root / | python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"]["count"])')

vi_times=()
for _ in $(seq "$m"); do
        vi_times+=("$(measure virt-inspector --format=raw -a "$image" | cut -d' ' -f1)")
done
vi_best=$(printf '%s\n' "${vi_times[@]}" | sort -n | head -1)

echo "sample image: 4 GiB raw, $pkgs packages; host: $(nproc) cores, KVM $(grep -qwE 'vmx|svm' /proc/cpuinfo && echo usable || echo 'unusable (TCG)')"
printf 'azlmigrate inspect (native):  best %ss  median %ss  peak RSS %s MiB  (%s runs)\n' \
        "$az_best" "$az_med" "$((az_rss / 1024))" "$n"
printf 'virt-inspector:               best %ss  (%s runs: %s)\n' "$vi_best" "$m" "${vi_times[*]}"
python3 -c "print('ratio (virt-inspector best / azlmigrate median): %.0fx' % ($vi_best / max($az_med, 0.001)))"
printf 'azlmigrate inspect --root /:  best %ss  median %ss  peak RSS %s MiB  (%s packages)\n' \
        "$root_best" "$root_med" "$((root_rss / 1024))" "$root_pkgs"
