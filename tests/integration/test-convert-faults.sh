#!/bin/bash
# SPDX-License-Identifier: MIT
# The crash matrix of convert (needs a build with -Dfault_injection=true; scripts/check has it):
# for every step that changes the disk, the process is killed (SIGKILL, through the fault
# switch of src/exec/fault.h) before the step, after its first write, after the step, and
# while its checkpoint is taken. Each time:
#   - status says interrupted and names the step (or its checkpoint);
#   - resume finishes, and the disk is the same, file by file, as after an uninterrupted run;
#   - rollback then gives back the source exactly (image: the same sha256; root: the same tree,
#     times to the nanosecond).
# Also: a rollback killed half-way and run again, and a commit killed half-way and run again.
# Image mode runs as root with /dev/fuse and qemu-storage-daemon; root mode always.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/convert-lib.sh
. "$(dirname "$0")/convert-lib.sh"

[ "${AZLMIGRATE_FAULT_INJECTION:-0}" = 1 ] ||
        skip "the binary has no fault switch (configure with -Dfault_injection=true, as scripts/check does)"

steps=(stage-target carry-config swap-root install-boot write-firstboot)
faults=()
for s in "${steps[@]}"; do
        faults+=("kill:before:$s" "kill:inside:$s:1" "kill:after:$s" "kill:checkpoint:$s")
done
faults+=("kill:inside:stage-target:40" "kill:inside:swap-root:12")

# killed_run PREFIX FAULT ARGS...: runs azlmigrate with the fault, which must kill it.
killed_run() {
        local prefix=$1 fault=$2
        shift 2
        RC=0
        AZLMIGRATE_FAULT=$fault timeout 120 "$AZLMIGRATE_BIN" "$@" >"$prefix.out" 2>"$prefix.err" || RC=$?
        if [ "$RC" -ne 137 ]; then
                sed 's/^/    stderr: /' "$prefix.err" | head -20 >&2
                fail "$fault: expected the process to be killed (exit 137), got $RC"
        fi
}

# check_interrupted STATE FAULT: status says interrupted, and where.
check_interrupted() {
        local state=$1 fault=$2 step where
        step=$(cut -d: -f3 <<<"$fault")
        [ "$(status_field "$state" 'j["status"]')" = interrupted ] || fail "$fault: status is not interrupted"
        # The running step, or the step whose checkpoint was being taken (no time yet).
        where=$(status_field "$state" '" ".join([s["id"] for s in j["steps"] if s["state"]=="running"] + [c["before_step"] for c in j["checkpoints"] if c["seconds"] is None] + [j["last_error"] or ""])')
        grep -q -- "$step" <<<"$where" || fail "$fault: status does not name $step (it says: $where)"
        run_azlm "$WORK/st-text" status --state-dir "$state"
        expect_rc "$WORK/st-text" 0
        grep -q "interrupted: the process died .*$step" "$WORK/st-text.out" ||
                fail "$fault: status (text) does not say it was interrupted at $step"
}

# matrix MODE: runs every fault in one mode against its reference.
matrix() {
        local mode=$1 fault i=0 state src ref
        for fault in "${faults[@]}"; do
                i=$((i + 1))
                state=$WORK/$mode-s$i
                if [ "$mode" = image ]; then
                        src=$WORK/$mode-$i.raw
                        cp --sparse=always "$WORK/pristine.raw" "$src"
                        killed_run "$WORK/k" "$fault" convert --yes --target "$TARGET" --state-dir "$state" "$src"
                else
                        src=$WORK/$mode-$i
                        cp -a "$WORK/pristine-root" "$src"
                        killed_run "$WORK/k" "$fault" convert --yes --target "$TARGET" --state-dir "$state" --root "$src"
                fi
                check_interrupted "$state" "$fault"
                run_azlm "$WORK/res" resume --yes --state-dir "$state"
                expect_rc "$WORK/res" 0
                if [ "$mode" = image ]; then
                        layer_image "$state" "$WORK/got.raw"
                        image_listing "$WORK/got.raw" "$WORK/got.lst"
                        rm -f "$WORK/got.raw"
                else
                        tree_listing "$src" "$WORK/got.lst"
                fi
                if ! cmp -s "$WORK/$mode-ref.lst" "$WORK/got.lst"; then
                        diff "$WORK/$mode-ref.lst" "$WORK/got.lst" | head -20 >&2
                        fail "$mode, $fault: killed and resumed, the disk differs from an uninterrupted run"
                fi
                run_azlm "$WORK/rb" rollback --yes --state-dir "$state"
                expect_rc "$WORK/rb" 0
                if [ "$mode" = image ]; then
                        [ "$(sha256sum <"$src")" = "$pristine_sha" ] || fail "$mode, $fault: the source changed"
                        rm -f "$src"
                else
                        tree_listing_times "$src" "$WORK/back.lst"
                        # The copy's own top directory time differs from the pristine tree's.
                        if ! cmp -s <(grep -v '^\. ' "$WORK/pristine-root.lst") <(grep -v '^\. ' "$WORK/back.lst"); then
                                diff "$WORK/pristine-root.lst" "$WORK/back.lst" | head -20 >&2
                                fail "$mode, $fault: rollback did not give back the same tree"
                        fi
                        rm -rf "$src"
                fi
                rm -rf "$state"
                log "$mode: $fault: interrupted, resumed identical, rolled back"
        done
}

# The uninterrupted reference of a mode.
reference() {
        local mode=$1 state=$WORK/$1-ref-state
        if [ "$mode" = image ]; then
                cp --sparse=always "$WORK/pristine.raw" "$WORK/ref.raw"
                run_azlm "$WORK/ref" convert --yes --target "$TARGET" --state-dir "$state" "$WORK/ref.raw"
                expect_rc "$WORK/ref" 0
                layer_image "$state" "$WORK/ref-out.raw"
                image_listing "$WORK/ref-out.raw" "$WORK/image-ref.lst"
                rm -f "$WORK/ref-out.raw"
        else
                cp -a "$WORK/pristine-root" "$WORK/ref-root"
                run_azlm "$WORK/ref" convert --yes --target "$TARGET" --state-dir "$state" --root "$WORK/ref-root"
                expect_rc "$WORK/ref" 0
                tree_listing "$WORK/ref-root" "$WORK/root-ref.lst"
                grep -q '^etc/hostname .*xattr user.azlmigrate.test=' "$WORK/root-ref.lst" ||
                        fail "root mode: the carried /etc/hostname lost its extended attribute"
        fi
}

"$MKIMAGE" --root-tree "$WORK/pristine-root" 2>"$WORK/mk.err" || { cat "$WORK/mk.err" >&2; fail "mk-node-image failed"; }
# Extended attributes that rollback must give back and resume must carry: on a carried file, a
# file that moves to /.azlmigrate/old, and (as root) a security.* label.
"$PY" - "$WORK/pristine-root" <<'EOF' || fail "cannot set extended attributes in $WORK"
import os, sys
r = sys.argv[1]
os.setxattr(r + "/etc/hostname", "user.azlmigrate.test", b"carried")
os.setxattr(r + "/etc/os-release", "user.azlmigrate.test", b"moved")
if os.geteuid() == 0:
    os.setxattr(r + "/etc/kubernetes/azure.json", "security.selinux", b"system_u:object_r:etc_t:s0\0")
EOF
tree_listing_times "$WORK/pristine-root" "$WORK/pristine-root.lst"
reference root
matrix root

log "root mode: a rollback killed half-way, then run again"
cp -a "$WORK/pristine-root" "$WORK/rbk"
run_azlm "$WORK/c" convert --yes --target "$TARGET" --state-dir "$WORK/rbk-s" --root "$WORK/rbk"
expect_rc "$WORK/c" 0
killed_run "$WORK/k" kill:rollback:3 rollback --yes --state-dir "$WORK/rbk-s"
run_azlm "$WORK/kst" status --state-dir "$WORK/rbk-s"
grep -q "^Next: *'azlmigrate rollback --state-dir .*' finishes the rollback" "$WORK/kst.out" ||
        fail "root mode: status after a killed rollback does not say to finish it"
# resume would start from a half-undone checkpoint: it refuses and says to finish the rollback
run_azlm "$WORK/rsm" resume --yes --state-dir "$WORK/rbk-s"
expect_rc "$WORK/rsm" 1
grep -q "rollback of the run .* was interrupted: finish it with 'azlmigrate rollback" "$WORK/rsm.err" ||
        fail "root mode: resume after a killed rollback does not say to finish the rollback"
run_azlm "$WORK/rb2" rollback --yes --state-dir "$WORK/rbk-s"
expect_rc "$WORK/rb2" 0
tree_listing_times "$WORK/rbk" "$WORK/rbk.lst"
cmp -s <(grep -v '^\. ' "$WORK/pristine-root.lst") <(grep -v '^\. ' "$WORK/rbk.lst") ||
        fail "root mode: a rollback killed and run again did not give back the same tree"

if image_mode_ok; then
        mkimage "$WORK/pristine.raw" --size 640M
        pristine_sha=$(sha256sum <"$WORK/pristine.raw")
        reference image
        matrix image

        log "image mode: a commit killed half-way, then run again"
        cp --sparse=always "$WORK/pristine.raw" "$WORK/cm.raw"
        run_azlm "$WORK/c" convert --yes --target "$TARGET" --state-dir "$WORK/cm-s" "$WORK/cm.raw"
        expect_rc "$WORK/c" 0
        killed_run "$WORK/k" kill:commit commit --yes --state-dir "$WORK/cm-s"
        run_azlm "$WORK/cm2" commit --yes --state-dir "$WORK/cm-s"
        expect_rc "$WORK/cm2" 0
        [ "$(status_field "$WORK/cm-s" 'j["status"]')" = committed ] || fail "commit run again: not committed"
        image_listing "$WORK/cm.raw" "$WORK/cm.lst"
        cmp -s "$WORK/image-ref.lst" "$WORK/cm.lst" || fail "commit killed and run again: the source is not the converted disk"
else
        log "image mode NOT tested: needs root, /dev/fuse, qemu-img and qemu-storage-daemon"
fi
log "ok"
