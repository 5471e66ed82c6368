#!/usr/bin/env bash
# Conversion speed, checkpoint cost and memory, against the floors and peers in the same run (run on
# demand, not in CI; needs root, /dev/fuse and qemu-storage-daemon for image mode).
#
# Builds a release binary, the sample 4 GiB "Ubuntu 22.04 AKS node" disk, its root tree, and a
# target of about the size of an Azure Linux 3.0 AKS node's root (an estimate: 1.2 GiB and 30,000
# files unpacked): the stand-in tarball (tests/target/) plus a synthetic payload (deterministic,
# incompressible, log-normal file sizes in a directory tree), cached in $AZLM_BENCH_CACHE. Then
# prints, medians of N repetitions:
#   - image mode (a copy of the sample): convert wall time, each step's seconds (from the
#     journal), the checkpoints (count, seconds, layer bytes), peak RSS of azlmigrate and of its
#     qemu-storage-daemon, rollback, commit --output; the source's sha256, asserted unchanged
#     after convert (before commit) and after commit --output
#   - root mode (the sample's root tree): the same, the undo archives' bytes, and rollback
#     (asserted to give back the same tree)
#   - floors: tar -xf of the same target into an empty directory on the same filesystem; a naive
#     full-copy checkpoint (cp --sparse=always --reflink=never, qemu-img convert -O qcow2) of the
#     source and of the converted disk, each followed by a sync
#   - peer: virt-customize --copy-in of the unpacked target into a copy of the sample, once, if
#     virt-customize is installed (never installed here); without KVM only its launch with the
#     stand-in target (the full copy takes minutes under TCG), unless AZLM_BENCH_GUESTFS=full
#   - the ratios
#
# Usage: bench/convert.sh [N repetitions, default 1]
# Environment: AZLM_BENCH_TARGET_MIB (target size unpacked, default 1229 = 1.2 GiB),
#   AZLM_BENCH_TARGET_FILES (regular files, default 30000), AZLM_BENCH_SEED (default 1),
#   AZLM_BENCH_CACHE (default build-bench/cache; holds one target tarball),
#   AZLM_BENCH_GUESTFS (full, launch or no; default full with KVM, launch without)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
. bench/lib.sh
azlm_install_missing "${AZLM_BUILD_PACKAGES[@]}" e2fsprogs fdisk dosfstools mtools python3 qemu-utils \
        qemu-system-common fuse3 rpm openssl time
azlm_guestfs_env

n=${1:-1}
target_mib=${AZLM_BENCH_TARGET_MIB:-1229}
target_files=${AZLM_BENCH_TARGET_FILES:-30000}
seed=${AZLM_BENCH_SEED:-1}
cache=${AZLM_BENCH_CACHE:-build-bench/cache}
kvm=$(grep -qwE 'vmx|svm' /proc/cpuinfo && echo usable || echo 'unusable (TCG)')
guestfs=${AZLM_BENCH_GUESTFS:-$([ "$kvm" = usable ] && echo full || echo launch)}
die() {
        echo "$0: $*" >&2
        exit 1
}
[ "$(id -u)" -eq 0 ] || die "image mode needs root"
[ -c /dev/fuse ] || die "image mode needs /dev/fuse"

bench_setup
# Stops what a failed run can leave behind (its storage daemon, its FUSE export) before the work
# directory goes.
cleanup() {
        local pidfile pid mnt _
        for pidfile in "$work"/*/qsd.pid; do
                if [ ! -f "$pidfile" ] || ! read -r pid <"$pidfile"; then continue; fi
                case $(cat "/proc/$pid/comm" 2>/dev/null) in qemu-storage*) kill "$pid" || true ;; esac
        done
        while read -r _ mnt _; do
                case $mnt in "$work"/*) umount -l "$mnt" 2>/dev/null || true ;; esac
        done </proc/mounts
        rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The target: the stand-in's members, then the payload up to the size and file count asked for.
# File contents are an AES-CTR key stream of the seed (fast, incompressible, the same every run).
tests/target/build-target.sh "$work/standin.tar.gz"
mkdir -p "$cache"
key=v1-$(sha256sum <"$work/standin.tar.gz" | cut -c1-12)-${target_mib}m-${target_files}f-s$seed
target=$cache/target-$key.tar
target_how=cached
if [ ! -f "$target" ]; then
        target_how=built
        rm -f "$cache"/target-*.tar
        keystream=(openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$seed")" -iv 0)
        python3 - "$work/standin.tar.gz" "$target.tmp" "$((target_mib << 20))" "$target_files" "$seed" \
                3< <("${keystream[@]}" </dev/zero 2>/dev/null) <<'EOF'
import math, os, random, sys, tarfile

standin, out = sys.argv[1:3]
total, files, seed = map(int, sys.argv[3:6])
data = os.fdopen(3, "rb")  # the key stream
with tarfile.open(standin) as src, tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as dst:
    made = set()
    for m in src:
        dst.addfile(m, src.extractfile(m) if m.isreg() else None)
        made.add(m.name.rstrip("/"))
        total -= m.size if m.isreg() else 0
        files -= 1 if m.isreg() else 0
    epoch = m.mtime
    rng = random.Random(seed)
    # Most files a few KiB, a long tail of large ones (as under /usr), scaled to the total.
    sizes = [min(rng.lognormvariate(9.0, 2.0), 64 << 20) for _ in range(files)]
    sizes = [int(s * total / sum(sizes)) for s in sizes]
    sizes[-1] += total - sum(sizes)
    leaves = math.ceil(files / 12)
    fan = math.ceil(leaves ** (1 / 3))
    tops = ["usr/lib/azlm-bench", "usr/share/azlm-bench", "usr/libexec/azlm-bench"]

    def add(name, kind, mode=0o644, size=0, link="", fileobj=None):
        t = tarfile.TarInfo(name)
        t.type, t.mode, t.size, t.linkname, t.mtime = kind, mode, size, link, epoch
        dst.addfile(t, fileobj)

    for i, size in enumerate(sizes):
        leaf = i % leaves
        d = "%s/%02d/%02d/%02d" % (tops[leaf % 3], leaf // fan**2 % fan, leaf // fan % fan, leaf % fan)
        parts = d.split("/")
        for p in ("/".join(parts[:k]) for k in range(1, len(parts) + 1)):
            if p not in made:
                made.add(p)
                add(p, tarfile.DIRTYPE, 0o755)
        add("%s/f%05d" % (d, i), tarfile.REGTYPE, 0o755 if i % 7 == 0 else 0o644, size, fileobj=data)
        if i % 20 == 0:
            add("%s/l%05d" % (d, i), tarfile.SYMTYPE, 0o777, link="f%05d" % i)
EOF
        mv "$target.tmp" "$target"
fi
read -r t_bytes t_files t_dirs t_links < <(tar -tvf "$target" | awk '
        /^-/ { b += $3; f++ } /^d/ { d++ } /^l/ { l++ } END { print b, f, d, l }')
tests/mkimage/mk-node-image --root-tree "$work/root" >/dev/null
mkdir "$work/standin" && tar -xzf "$work/standin.tar.gz" -C "$work/standin"
sync

# Runs the command once and sets secs (wall time from the nanosecond clock) and rss (peak RSS in
# KiB from GNU time: the command's and that of the children it waited for).
measure() {
        local start end
        sync
        start=$(date +%s%N)
        /usr/bin/time -f '%M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
                cat "$work/stderr" >&2
                echo "$0: failed: $*" >&2
                return 1
        }
        end=$(date +%s%N)
        secs=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.4f", ns / 1e9 }')
        rss=$(cat "$work/time")
}

# Prints the peak RSS in KiB (VmHWM, sampled every 0.1 s) of the qemu-storage-daemon processes of
# state directory $1 until the file $2 exists (or the work directory is gone): the daemon runs
# detached, GNU time cannot see it.
qsd_peak() {
        local max=0 pid key val _
        while [ ! -e "$2" ] && [ -d "$work" ]; do
                if [ -r "$1/qsd.pid" ] && read -r pid <"$1/qsd.pid" && [ -r "/proc/$pid/status" ]; then
                        while read -r key val _; do
                                if [ "$key" = VmHWM: ] && [ "$val" -gt "$max" ]; then max=$val; fi
                        done <"/proc/$pid/status" || true
                fi
                sleep 0.1
        done
        echo "$max"
}

sha() { openssl dgst -sha256 -r "$1" | cut -d' ' -f1; }
bytes() { du -sB1 "$1" | cut -f1; } # allocated
record() { echo "$1 $2" >>"$work/samples"; }

# Checks that the run in state directory $1 is done and records, under prefix $2, each step's
# seconds, each checkpoint's seconds and bytes, their count and their total bytes.
record_journal() {
        "$bin" status --state-dir "$1" --format json | python3 -c '
import datetime, json, sys
j, p = json.load(sys.stdin), sys.argv[1]
if j["status"] != "done" or any(s["state"] != "done" for s in j["steps"]):
    sys.exit("the run is %s: %s" % (j["status"], j["last_error"]))
t = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
for s in j["steps"]:
    print("%s.step:%s %.3f" % (p, s["id"], t(s["finished"]) - t(s["started"])))
for c in j["checkpoints"]:
    print("%s.cp_s:%s %.4f" % (p, c["id"], c["seconds"]))
    print("%s.cp_b:%s %d" % (p, c["id"], c["bytes"] or 0))
print("%s.cps %d" % (p, len(j["checkpoints"])))' "$2" >>"$work/samples"
}

source=$work/source.raw
cp --sparse=always "$image" "$source"
sha_before=$(sha "$source")
tree_listing() { (cd "$1" && find . -printf '%p %y %m %U:%G %s %T@ %l\n' | LC_ALL=C sort); }
tree_listing "$work/root" >"$work/root.before"

for _ in $(seq "$n"); do
        # Image mode: a run to roll back, a run to commit --output.
        for run in rb co; do
                state=$work/s-$run
                rm -f "$work/stop"
                qsd_peak "$state" "$work/stop" >"$work/qsd" &
                sampler=$!
                measure "$bin" convert --yes --target "$target" --state-dir "$state" "$source"
                touch "$work/stop"
                wait "$sampler"
                record img.convert "$secs"
                record img.rss "$rss"
                record img.qsd_rss "$(cat "$work/qsd")"
                record_journal "$state" img
                record img.layers "$(bytes "$state/layers")"
                if [ $run = rb ]; then
                        measure "$bin" rollback --yes --state-dir "$state"
                        record img.rollback "$secs"
                        [ -z "$(ls -A "$state/layers")" ] || die "rollback left layers"
                        [ "$(sha "$source")" = "$sha_before" ] || die "convert and rollback changed the source"
                else
                        sha_convert=$(sha "$source")
                        [ "$sha_convert" = "$sha_before" ] || die "convert changed the source before commit"
                        rm -f "$work/converted.raw"
                        measure "$bin" commit --yes --state-dir "$state" --output "$work/converted.raw"
                        record img.commit "$secs"
                        record img.output "$(bytes "$work/converted.raw")"
                        sha_commit=$(sha "$source")
                        [ "$sha_commit" = "$sha_before" ] || die "commit --output changed the source"
                fi
                rm -rf "$state"
        done

        # Root mode on the sample's root tree; rollback must give back the same tree.
        state=$work/s-root
        measure "$bin" convert --yes --target "$target" --state-dir "$state" --root "$work/root"
        record root.convert "$secs"
        record root.rss "$rss"
        record_journal "$state" root
        record root.layers "$(bytes "$state/undo")"
        measure "$bin" rollback --yes --state-dir "$state"
        record root.rollback "$secs"
        tree_listing "$work/root" | cmp -s - "$work/root.before" || die "rollback of the root: the tree differs"
        rm -rf "$state"

        # Floors: extracting the target; a full copy of the disk per checkpoint.
        rm -rf "$work/floor" && mkdir "$work/floor"
        measure tar -xf "$target" -C "$work/floor"
        record floor.tar "$secs"
        rm -rf "$work/floor" && mkdir "$work/floor"
        # shellcheck disable=SC2016 # $1 and $2 are the arguments of sh -c, here and below
        measure sh -c 'tar -xf "$1" -C "$2" && sync -f "$2"' sh "$target" "$work/floor"
        record floor.tar_sync "$secs"
        for disk in src:"$source" conv:"$work/converted.raw"; do
                # shellcheck disable=SC2016
                measure sh -c 'cp --sparse=always --reflink=never "$1" "$2" && sync -f "$2"' \
                        sh "${disk#*:}" "$work/copy.raw"
                record "floor.cp_${disk%%:*}_s" "$secs"
                record "floor.cp_${disk%%:*}_b" "$(bytes "$work/copy.raw")"
                rm -f "$work/copy.raw"
                # shellcheck disable=SC2016
                measure sh -c 'qemu-img convert -f raw -O qcow2 "$1" "$2" && sync -f "$2"' \
                        sh "${disk#*:}" "$work/copy.qcow2"
                record "floor.qi_${disk%%:*}_s" "$secs"
                record "floor.qi_${disk%%:*}_b" "$(bytes "$work/copy.qcow2")"
                rm -f "$work/copy.qcow2"
        done
done

# The peer, once: virt-customize puts the unpacked target into a copy of the sample through the
# libguestfs appliance (what stage-target does natively). Under TCG the appliance's launch alone
# takes about as long as a whole convert, the full copy minutes: by default only the launch with
# the stand-in target is measured there.
peer="not installed; not run (this script installs no peer)"
if command -v virt-customize >/dev/null && [ "$guestfs" != no ]; then
        cp --sparse=always "$source" "$work/peer.raw"
        tree=$work/floor peer="--copy-in of the unpacked target ($((t_bytes >> 20)) MiB)"
        if [ "$guestfs" != full ]; then
                tree=$work/standin
                peer="launch + --copy-in of the stand-in target only"
                peer+=" (KVM $kvm; AZLM_BENCH_GUESTFS=full copies all)"
        fi
        measure virt-customize --format raw -a "$work/peer.raw" --no-network \
                --mkdir /azlm-bench --copy-in "$tree:/azlm-bench"
        record peer.vc "$secs"
        rm -f "$work/peer.raw"
elif command -v virt-customize >/dev/null; then
        peer="installed; skipped (AZLM_BENCH_GUESTFS=no)"
fi
v2v="not installed; not run (this script installs no peer)"
if command -v virt-v2v >/dev/null; then
        v2v="installed; not run: it converts no Ubuntu guest to Azure Linux"
fi
rm -rf "$work/floor"

echo "target: $((t_bytes >> 20)) MiB in $t_files files, $t_dirs directories, $t_links symlinks;" \
        "uncompressed tar, $target_how: $target"
echo "sample image: 4 GiB raw; host: $(nproc) cores, KVM $kvm;" \
        "$n repetition(s), medians (image mode: 2 converts each)"
echo "source sha256: $sha_before, unchanged after convert (before commit) and after commit --output"
python3 - "$work/samples" "$guestfs" "$peer" "$v2v" <<'EOF'
import statistics, sys

v = {}
for line in open(sys.argv[1]):
    k, x = line.split()
    v.setdefault(k, []).append(float(x))
m = {k: statistics.median(x) for k, x in v.items()}
guestfs, peer, v2v = sys.argv[2:5]


def size(b):
    return "%.1f MiB" % (b / 2**20) if b >= 2**20 else "%.0f KiB" % (b / 1024)


def sec(k, f="%.3f s"):
    return f % m[k] if k in m else "-"


def row(label, a, b=""):
    print("%-42s %20s %20s" % (label, a, b))


def ratio(a, b):
    return "%.3gx" % (a / b)


steps = [k.split(":", 1)[1] for k in m if k.startswith("img.step:")]
cps = [k.split(":", 1)[1] for k in m if k.startswith("img.cp_s:")]
ours = {p: [m["%s.cp_s:%s" % (p, c)] for c in cps] for p in ("img", "root")}
row("", "image mode", "root mode")
row("convert (wall, planning included)", sec("img.convert"), sec("root.convert"))
for s in steps:
    row("  " + s, sec("img.step:" + s), sec("root.step:" + s))
row("checkpoints: count, all (s)", "%d %10.4f s" % (m["img.cps"], sum(ours["img"])),
    "%d %10.4f s" % (m["root.cps"], sum(ours["root"])))
for c in cps:
    row("  %s (s, bytes)" % c, "%.4f %10s" % (m["img.cp_s:" + c], size(m["img.cp_b:" + c])),
        "%.4f %10s" % (m["root.cp_s:" + c], size(m["root.cp_b:" + c])))
row("layers / undo archives after convert", size(m["img.layers"]), size(m["root.layers"]))
row("peak RSS azlmigrate convert", size(m["img.rss"] * 1024), size(m["root.rss"] * 1024))
row("peak RSS qemu-storage-daemon (sampled)", size(m["img.qsd_rss"] * 1024), "-")
row("rollback (to before the run)", sec("img.rollback"), sec("root.rollback"))
row("commit --output NEW.raw (s, bytes)", "%s %10s" % (sec("img.commit"), size(m["img.output"])), "-")
print()
row("floors (each with its sync unless said)", "seconds", "bytes")
row("tar -xf of the target (no sync)", sec("floor.tar"))
row("tar -xf of the target", sec("floor.tar_sync"))
for d, what in (("src", "source"), ("conv", "converted disk")):
    row("cp --sparse=always of the " + what, sec("floor.cp_%s_s" % d), size(m["floor.cp_%s_b" % d]))
    row("qemu-img convert -O qcow2, " + what, sec("floor.qi_%s_s" % d), size(m["floor.qi_%s_b" % d]))
print("peer virt-customize: %s%s" % (peer, ": %.3f s" % m["peer.vc"] if "peer.vc" in m else ""))
print("peer virt-v2v: " + v2v)
print()
print("ratios, ours / theirs (below 1x: we are faster or smaller)")
floor = m["floor.tar_sync"]
st = m["img.step:stage-target"], m["root.step:stage-target"]
print("  stage-target / tar -xf:   image %s, root %s  (/ tar -xf without sync: %s, %s)" %
      (ratio(st[0], floor), ratio(st[1], floor), ratio(st[0], m["floor.tar"]), ratio(st[1], m["floor.tar"])))
print("  convert / tar -xf:        image %s, root %s" %
      (ratio(m["img.convert"], floor), ratio(m["root.convert"], floor)))
per = statistics.median(ours["img"])
for d, what in (("src", "source"), ("conv", "converted disk")):
    print("  image checkpoint (median) / full copy of the %-15s cp %s, qemu-img convert %s" %
          (what + ":", ratio(per, m["floor.cp_%s_s" % d]), ratio(per, m["floor.qi_%s_s" % d])))
k = int(m["img.cps"])
naive_s = m["floor.cp_src_s"] + (k - 1) * m["floor.cp_conv_s"]
naive_b = m["floor.cp_src_b"] + (k - 1) * m["floor.cp_conv_b"]
print("  %d image checkpoints / %d cp full copies (the source, then the converted disk %d times):" % (k, k, k - 1))
print("    time %.3f s / %.3f s = %s; bytes %s / %s = %s (our layers hold the steps' writes too)" %
      (sum(ours["img"]), naive_s, ratio(sum(ours["img"]), naive_s), size(m["img.layers"]), size(naive_b),
       ratio(m["img.layers"], naive_b)))
if "peer.vc" in m and guestfs == "full":
    print("  stage-target / virt-customize: %s; convert / virt-customize: %s" %
          (ratio(st[0], m["peer.vc"]), ratio(m["img.convert"], m["peer.vc"])))
elif "peer.vc" in m:
    print("  convert / virt-customize launch: %s (its copy of the target not included)" %
          ratio(m["img.convert"], m["peer.vc"]))
EOF
