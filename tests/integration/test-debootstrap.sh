#!/bin/bash
# SPDX-License-Identifier: MIT
# A real Debian root: debootstrap --variant=minbase bookworm, made into an ext4 image twice
# (a whole-disk filesystem, and a GPT disk with one Linux partition), inspected natively; the
# packages must equal what dpkg-query lists from that root's own database. Needs root and the
# Debian mirror; skipped (77) otherwise. The .debs are cached under CACHE_DIR for fast reruns.
# usage: test-debootstrap.sh CACHE_DIR
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
cache=${1:?usage: $0 CACHE_DIR}

[ "$(id -u)" -eq 0 ] || skip "debootstrap needs root"
command -v debootstrap >/dev/null || skip "debootstrap is not installed"
command -v dpkg-query >/dev/null || skip "dpkg-query is not installed"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
timeout 10 curl -sfI "$mirror/dists/bookworm/Release" >/dev/null ||
        skip "the Debian mirror $mirror is not reachable"

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
root=$WORK/root
umount_root() {
        local m
        # Whatever debootstrap left mounted if it was interrupted, deepest first.
        awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
                while IFS= read -r m; do
                        umount -l "$m" 2>/dev/null || true
                done
}
cleanup_hooks+=(umount_root)

log "debootstrap --variant=minbase bookworm (cache: $cache)"
if ! timeout 700 debootstrap --variant=minbase --cache-dir="$cache" bookworm "$root" "$mirror" \
        >"$WORK/debootstrap.log" 2>&1; then
        tail -n 20 "$WORK/debootstrap.log" >&2
        fail "debootstrap failed"
fi
umount_root

dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Package}\t${Version}\t${Architecture}\t${db:Status-Status}\n' |
        awk -F'\t' '$4 != "not-installed" && $4 != "config-files" { print $1 "\t" $2 "\t" $3 }' \
        >"$WORK/expected.tsv"
log "$(wc -l <"$WORK/expected.tsv") packages in the debootstrapped root"

used_mb=$(du -sm "$root" | cut -f1)
fs_mb=$(( used_mb * 2 + 256 ))

rc=0
# A whole-disk filesystem: no partition table.
truncate -s "${fs_mb}M" "$WORK/plain.img"
mkfs.ext4 -q -F -L debian-root -d "$root" "$WORK/plain.img" || fail "mkfs.ext4 -d failed"
inspect_json "$WORK/plain.json" "$WORK/plain.img"
check packages "$WORK/plain.json" "$WORK/expected.tsv" || rc=1
check finding "$WORK/plain.json" disk.whole-disk-filesystem || rc=1
for kv in os.id=debian os.version_id=12 os.family=debian os.arch=x86_64 source.backend=native; do
        got=$(check get "$WORK/plain.json" "${kv%%=*}" 2>&1) || true
        [ "$got" = "${kv#*=}" ] || { echo "FAIL [plain] ${kv%%=*} is '$got', want '${kv#*=}'"; rc=1; }
done
rm -f "$WORK/plain.img"

# GPT with one Linux filesystem partition from 1 MiB to the end.
truncate -s "$(( fs_mb + 2 ))M" "$WORK/gpt.img"
sectors=$(( $(stat -c %s "$WORK/gpt.img") / 512 - 34 - 2048 + 1 ))
printf 'label: gpt\nunit: sectors\n\nstart=2048, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n' "$sectors" |
        sfdisk --quiet --no-reread --no-tell-kernel "$WORK/gpt.img" >/dev/null || fail "sfdisk failed"
mkfs.ext4 -q -F -L debian-root -E offset=1048576 -d "$root" "$WORK/gpt.img" "$(( sectors / 2 ))k" ||
        fail "mkfs.ext4 -E offset -d failed"
inspect_json "$WORK/gpt.json" "$WORK/gpt.img"
check packages "$WORK/gpt.json" "$WORK/expected.tsv" || rc=1
for kv in disk.label=gpt disk.partitions.0.number=1 disk.partitions.0.filesystem.type=ext4 os.id=debian mounts.0.mountpoint=/; do
        got=$(check get "$WORK/gpt.json" "${kv%%=*}" 2>&1) || true
        [ "$got" = "${kv#*=}" ] || { echo "FAIL [gpt] ${kv%%=*} is '$got', want '${kv#*=}'"; rc=1; }
done
[ "$rc" -eq 0 ] || fail "the debootstrapped root was inspected wrongly"
