# SPDX-License-Identifier: MIT
# Helpers of the conversion tests (sourced after lib.sh, not run).
#   $1 of the test: the sample disk; $2: the Azure Linux stand-in target tarball (tests/target/).
# shellcheck disable=SC2034 # variables for the sourcing tests

SAMPLE=${1:-}
TARGET=${2:-}
[ -n "$TARGET" ] && [ -f "$TARGET" ] || skip "no target tarball (rpmbuild missing: apt install rpm)"
[ -f "$SAMPLE" ] || fail "the sample disk '$SAMPLE' does not exist"
export AZLM_TIMEOUT=${AZLM_TIMEOUT:-180}

# The sample disk's layout (tests/mkimage/mk-node-image).
ROOT_OFFSET=$((227328 * 512))
ESP_OFFSET=$((10240 * 512))
export MTOOLS_SKIP_CHECK=1

# Image mode needs root, /dev/fuse and qemu-storage-daemon; root mode needs none of them.
image_mode_ok() {
        [ "$(id -u)" -eq 0 ] && [ -c /dev/fuse ] && command -v qemu-storage-daemon >/dev/null &&
                command -v qemu-img >/dev/null
}

# Stops what a killed run can leave behind: its storage daemon and FUSE export.
stop_leftovers() {
        local pidfile
        for pidfile in "$WORK"/*/qsd.pid "$WORK"/*/*/qsd.pid; do
                [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
        done
        grep -o "$WORK[^ ]*export.raw" /proc/mounts 2>/dev/null | while read -r m; do umount -l "$m" 2>/dev/null; done
        return 0
}
cleanup_hooks+=(stop_leftovers)

# tree_listing DIR OUT: every entry of DIR with type, mode, owner, size, link target, the
# sha256 of regular files and the extended attributes (tree_listing.py); no times. Two trees with
# the same listing have the same content.
tree_listing() {
        "$PY" "$AZLMIGRATE_SRCDIR/tests/integration/tree_listing.py" "$1" >"$2" || fail "cannot list $1"
}

# tree_listing_times DIR OUT: tree_listing with the modification times (to the nanosecond),
# for rollbacks of a mounted root, which must give back the very same tree.
tree_listing_times() {
        "$PY" "$AZLMIGRATE_SRCDIR/tests/integration/tree_listing.py" --times "$1" >"$2" || fail "cannot list $1"
}

# image_listing IMG OUT: tree_listing of the root filesystem and of the ESP of a raw image of
# the sample's layout (debugfs and mtools read it; no mount).
image_listing() {
        local img=$1 out=$2 d
        d=$(mktemp -d "$WORK/tree.XXXXXX")
        mkdir "$d/root" "$d/esp"
        debugfs -R "rdump / $d/root" "$img?offset=$ROOT_OFFSET" >/dev/null 2>"$d/debugfs.err" ||
                { cat "$d/debugfs.err" >&2; fail "debugfs cannot read the root filesystem of $img"; }
        mcopy -s -n -m -i "$img@@$ESP_OFFSET" ::/ "$d/esp/" || fail "mtools cannot read the ESP of $img"
        tree_listing "$d" "$out"
        rm -rf "$d"
}

# top_layer STATE: the newest overlay layer of a run (from status --format json).
top_layer() {
        run_azlm "$WORK/top" status --state-dir "$1" --format json
        expect_rc "$WORK/top" 0
        "$PY" -c 'import json,sys; c=json.load(sys.stdin)["checkpoints"]; print(sys.argv[1]+"/"+c[-1]["path"])' \
                "$1" <"$WORK/top.out"
}

# layer_image STATE OUT: the disk as the run's newest layer has it, as a raw image.
layer_image() {
        local top
        top=$(top_layer "$1")
        qemu-img convert -O raw "$top" "$2" || fail "qemu-img cannot read $top"
}

# status_field STATE EXPR: a Python expression over the journal j (status --format json).
status_field() {
        run_azlm "$WORK/sf" status --state-dir "$1" --format json
        expect_rc "$WORK/sf" 0
        "$PY" -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$2" <"$WORK/sf.out"
}
