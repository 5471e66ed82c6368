#!/bin/bash
# SPDX-License-Identifier: MIT
# Hostile and broken sources. Each one must give either exit 1 with exactly one line on stderr
# saying what is wrong, or exit 0 with an inventory holding the finding named for the case;
# never a crash (signal, sanitizer report) and never a hang (timeout 60). Guest symlinks must
# never lead to host files.
# usage: test-bad-input.sh SAMPLE_RAW
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
sample=${1:?usage: $0 SAMPLE_RAW}

failed=0
case_fail() {
        echo "FAIL [$case] $*" >&2
        failed=1
}

# outcome CASE_PREFIX ACCEPT...: checks the last run. ACCEPT is "error" (exit 1, one line on
# stderr), "finding:KEY" (exit 0, JSON on stdout with that finding) or "ok" (exit 0, JSON on
# stdout: the case's own checks follow); any one may match.
outcome() {
        local p=$1 a
        shift
        for a in "$@"; do
                case $a in
                error)
                        # Running out of memory on these small inputs is a bug, not a description
                        # of what is wrong with them.
                        if [ "$RC" -eq 1 ] && [ "$(wc -l <"$p.err")" -eq 1 ] && grep -q '[^[:space:]]' "$p.err" &&
                           ! grep -q 'Cannot allocate memory' "$p.err"; then
                                log "$case: exit 1: $(cat "$p.err")"
                                return 0
                        fi
                        ;;
                ok)
                        if [ "$RC" -eq 0 ] && "$PY" -m json.tool "$p.out" >/dev/null 2>&1; then
                                log "$case: exit 0"
                                return 0
                        fi
                        ;;
                finding:*)
                        if [ "$RC" -eq 0 ] && check finding "$p.out" "${a#finding:}" >/dev/null; then
                                log "$case: exit 0 with finding ${a#finding:}"
                                return 0
                        fi
                        ;;
                esac
        done
        case_fail "exit $RC; want one of: $*"
        sed 's/^/    stderr: /' "$p.err" | head -10 >&2
        if [ "$RC" -eq 0 ]; then
                "$PY" -c 'import json,sys; print("    findings:", [f["key"] for f in json.load(open(sys.argv[1])).get("findings", [])])' \
                        "$p.out" >&2 || true
        fi
        return 0
}

# no_marker CASE_PREFIX MARKER: the marker appears neither on stdout nor on stderr.
no_marker() {
        if grep -qF "$2" "$1.out" "$1.err"; then
                case_fail "host data leaked: '$2' is in the output"
        fi
}

inspect_case() {
        local p=$WORK/$case
        run_azlm "$p" inspect --format json "$@"
}

# --- not disk images at all --------------------------------------------------------------------
case=empty-file
: >"$WORK/empty.img"
inspect_case "$WORK/empty.img"
outcome "$WORK/$case" error

case=random-bytes
head -c $((8 * 1048576)) /dev/urandom >"$WORK/random.img"
inspect_case "$WORK/random.img"
outcome "$WORK/$case" error

case=text-file
for i in $(seq 1 2000); do echo "line $i: this is a text file, not a disk image"; done >"$WORK/text.img"
inspect_case "$WORK/text.img"
outcome "$WORK/$case" error

case=directory
mkdir "$WORK/a-directory"
inspect_case "$WORK/a-directory"
outcome "$WORK/$case" error

# --- damaged copies of the sample ----------------------------------------------------------------
case=truncated-1g
cp --sparse=always "$sample" "$WORK/trunc1g.img"
truncate -s 1G "$WORK/trunc1g.img"
inspect_case "$WORK/trunc1g.img"
outcome "$WORK/$case" error finding:disk.partition.beyond-end

case=truncated-50m
truncate -s 50M "$WORK/trunc1g.img"
inspect_case "$WORK/trunc1g.img"
outcome "$WORK/$case" error finding:disk.partition.beyond-end
rm -f "$WORK/trunc1g.img"

root_offset=$((227328 * 512))

case=root-superblock-zeroed
cp --sparse=always "$sample" "$WORK/nosb.img"
dd if=/dev/zero of="$WORK/nosb.img" bs=1024 count=1 seek=$(((root_offset + 1024) / 1024)) conv=notrunc status=none
inspect_case "$WORK/nosb.img"
outcome "$WORK/$case" error finding:disk.filesystem.unreadable
rm -f "$WORK/nosb.img"

case=primary-gpt-corrupt
cp --sparse=always "$sample" "$WORK/gpt.img"
printf 'this is not an EFI PART header' | dd of="$WORK/gpt.img" bs=1 seek=512 conv=notrunc status=none
inspect_case "$WORK/gpt.img"
outcome "$WORK/$case" finding:disk.gpt.primary-header-corrupt
if [ "$RC" -eq 0 ]; then
        check partitions "$WORK/$case.out" 1 14 15 || case_fail "the partitions were not all found from the backup GPT"
        check get "$WORK/$case.out" os.id | grep -qx ubuntu || case_fail "the root was not inspected"
fi
rm -f "$WORK/gpt.img"

# --- symlinks that point out of the guest ---------------------------------------------------------
secret_marker="AZLM-HOST-SECRET-$$-$RANDOM"
mkdir -p "$WORK/host"
printf 'ID=%s\nVERSION_ID="%s"\nPRETTY_NAME="%s"\n' "$secret_marker" "$secret_marker" "$secret_marker" \
        >"$WORK/host/os-release"

case=os-release-absolute-symlink
mkimage "$WORK/osrel.img" --size 256M --customize "ln -sfn '$WORK/host/os-release' \"\$1/etc/os-release\""
inspect_case "$WORK/osrel.img"
no_marker "$WORK/$case" "$secret_marker"
# Inside the guest the link names a file that does not exist; /usr/lib/os-release, the guest's
# own, is the fallback os-release(5) names.
outcome "$WORK/$case" ok
if [ "$RC" -eq 0 ]; then
        id=$(check get "$WORK/$case.out" os.id 2>/dev/null || true)
        [ "$id" = ubuntu ] || case_fail "os.id is '$id', want ubuntu (from the guest's /usr/lib/os-release)"
fi
rm -f "$WORK/osrel.img"

case=os-release-absolute-symlink-root-dir
"$MKIMAGE" --root-tree "$WORK/osrel-tree" \
        --customize "ln -sfn '$WORK/host/os-release' \"\$1/etc/os-release\"" 2>/dev/null ||
        fail "mk-node-image --root-tree failed"
inspect_case --root "$WORK/osrel-tree"
no_marker "$WORK/$case" "$secret_marker"
outcome "$WORK/$case" ok
if [ "$RC" -eq 0 ]; then
        id=$(check get "$WORK/$case.out" os.id 2>/dev/null || true)
        [ "$id" = ubuntu ] || case_fail "os.id is '$id', want ubuntu (from the guest's /usr/lib/os-release)"
fi
rm -rf "$WORK/osrel-tree"

case=dpkg-status-relative-symlink
# shellcheck disable=SC2016 # $1 is expanded by mk-node-image's --customize shell
mkimage "$WORK/dpkgln.img" --size 256M --customize 'ln -sfn ../../../../etc/passwd "$1/var/lib/dpkg/status"'
inspect_case "$WORK/dpkgln.img"
outcome "$WORK/$case" finding:dpkg.stanza.invalid
if [ "$RC" -eq 0 ]; then
        # ../../../../etc/passwd from /var/lib/dpkg is the guest's /etc/passwd: no packages.
        n=$(check get "$WORK/$case.out" packages.count)
        [ "$n" = 0 ] || case_fail "packages.count is $n, want 0 (the guest's /etc/passwd holds no stanza)"
fi
rm -f "$WORK/dpkgln.img"

# --root: the status symlink climbs out of the root. Inside the guest ".." stops at "/", so it
# names the guest's /sib/var/lib/dpkg/status; escaped, it would reach $case_dir/sib/... (and,
# one level less, $case_dir/x/sib/...), where a marker package waits.
case=dpkg-status-escape-root-dir
case_dir=$WORK/escape
mkdir -p "$case_dir/x"
# shellcheck disable=SC2016
"$MKIMAGE" --root-tree "$case_dir/x/root" --customize '
        mkdir -p "$1/sib/var/lib/dpkg"
        cp "$1/var/lib/dpkg/status" "$1/sib/var/lib/dpkg/status"
        printf "Package: azlm-guest-own-status\nStatus: install ok installed\nArchitecture: all\nVersion: 1.0\nDescription: marker\n\n" >>"$1/sib/var/lib/dpkg/status"
        ln -sfn ../../../../../sib/var/lib/dpkg/status "$1/var/lib/dpkg/status"' 2>/dev/null ||
        fail "mk-node-image --root-tree failed"
escape_marker="azlm-escaped-$$-$RANDOM"
for d in "$case_dir/sib/var/lib/dpkg" "$case_dir/x/sib/var/lib/dpkg"; do
        mkdir -p "$d"
        printf 'Package: %s\nStatus: install ok installed\nArchitecture: all\nVersion: 6.6.6\nDescription: %s\n\n' \
                "$escape_marker" "$escape_marker" >"$d/status"
done
# Sanity: the kernel, resolving on the host, would indeed reach a marker.
grep -q "$escape_marker" "$case_dir/x/root/var/lib/dpkg/status" || fail "the escape fixture does not escape"
inspect_case --root "$case_dir/x/root"
no_marker "$WORK/$case" "$escape_marker"
outcome "$WORK/$case" ok
if [ "$RC" -eq 0 ]; then
        n=$(check get "$WORK/$case.out" packages.count)
        [ "$n" = 721 ] || case_fail "packages.count is $n, want 721 (the guest's /sib/var/lib/dpkg/status)"
        "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any(i["name"]=="azlm-guest-own-status" for i in d["packages"]["items"]) else 1)' \
                "$WORK/$case.out" || case_fail "the guest's own status file was not read"
fi
rm -rf "$case_dir"

# --- a huge dpkg status -----------------------------------------------------------------------------
case=huge-status-line
"$PY" - "$WORK/extra-status" <<'PYEOF'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('Package: azlm-huge-description\nStatus: install ok installed\nPriority: optional\n'
            'Section: misc\nInstalled-Size: 1\nMaintainer: Nobody <nobody@example.com>\n'
            'Architecture: all\nVersion: 1.0-1\nDescription: one 48 MB line follows\n ')
    chunk = 'x' * (1 << 20)
    for _ in range(48):
        f.write(chunk)
    f.write('\n')
    # Continuation lines to bring the file to 50 MB.
    line = ' ' + 'y' * 1023 + '\n'
    for _ in range(2 * 1024):
        f.write(line)
    f.write('\n')
PYEOF
mkimage "$WORK/huge.img" --size 256M --status-extra "$WORK/extra-status"
rm -f "$WORK/extra-status"
start=$(date +%s)
inspect_case "$WORK/huge.img"
log "$case: $(($(date +%s) - start)) s"
if [ "$RC" -ne 0 ]; then
        case_fail "exit $RC, want 0"
        sed 's/^/    stderr: /' "$WORK/$case.err" | head -10 >&2
else
        n=$(check get "$WORK/$case.out" packages.count)
        [ "$n" = 720 ] || [ "$n" = 721 ] || case_fail "packages.count is $n, want 720 or 721"
fi
rm -f "$WORK/huge.img"

[ "$failed" -eq 0 ] || fail "some hostile inputs were mishandled (see FAIL lines above)"
