#!/bin/bash
# SPDX-License-Identifier: MIT
# convert, apply, status, rollback, commit on the sample Ubuntu AKS node disk with the Azure Linux
# stand-in target (tests/target/):
#   - refusals change nothing and create no state directory: no --yes without a terminal, no
#     --target, a saved inventory, an inhibited plan (exit 3), --output with --root, a state
#     directory inside the root;
#   - --dry-run says what would run and writes nothing;
#   - image mode: the source's sha256 never changes before commit; the converted disk (commit
#     --output) inspects as Azure Linux with the node's identity, data and configuration, a clean
#     ext4 (e2fsck), GRUB's configuration for the root UUID, shim and GRUB on the ESP; rollback
#     deletes the layers;
#   - apply of a plan whose node changed fails at verify-fingerprint with nothing changed;
#   - a hostile target tarball fails stage-target; rollback leaves the source as it was;
#   - a failing pre-hook stops the run (exit 4) and resume finishes it;
#   - root mode: the converted tree, and rollback gives back the very same tree (times too).
# Image mode needs root, /dev/fuse and qemu-storage-daemon; without them only the root-mode
# half runs (and the test says so).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/convert-lib.sh
. "$(dirname "$0")/convert-lib.sh"

# The sample's layout at 640 MiB: hashing the source after each run stays cheap.
node=$WORK/node.raw
mkimage "$node" --size 640M
sha_before=$(sha256sum <"$node")

log "refusals: nothing is created, nothing is touched"
run_azlm "$WORK/r1" convert --target "$TARGET" --state-dir "$WORK/s-r1" "$node" </dev/null
expect_rc "$WORK/r1" 2
grep -q -- "--yes" "$WORK/r1.err" || fail "no --yes without a terminal: the message does not say --yes"
run_azlm "$WORK/r2" convert --yes --state-dir "$WORK/s-r2" "$node"
expect_rc "$WORK/r2" 2
run_azlm "$WORK/r3" convert --yes --target "$TARGET" --state-dir "$WORK/s-r3" --inventory "$WORK/none.json"
expect_rc "$WORK/r3" 2
run_azlm "$WORK/r4" convert --yes --target "$WORK/missing.tar" --state-dir "$WORK/s-r4" "$node"
expect_rc "$WORK/r4" 1
run_azlm "$WORK/r5" convert --yes --target "$TARGET" "$node"
expect_rc "$WORK/r5" 2
for n in 1 2 3 4 5; do
        [ ! -e "$WORK/s-r$n" ] || fail "a refused convert created its state directory (case $n)"
done
[ "$(sha256sum <"$node")" = "$sha_before" ] || fail "a refused convert changed the source"

run_azlm "$WORK/r6" convert --yes --target "$TARGET" --state-dir "$WORK/s-r6" "$WORK/no-such-disk.raw"
expect_rc "$WORK/r6" 1
# A plan made in $WORK names its source "node.raw".
(cd "$WORK" && "$AZLMIGRATE_BIN" plan -o rel-plan.json node.raw >/dev/null 2>&1) || true
[ -s "$WORK/rel-plan.json" ] || fail "plan -o rel-plan.json node.raw wrote nothing"
run_azlm "$WORK/r7" apply --yes --target "$TARGET" --state-dir "$WORK/s-r7" "$WORK/rel-plan.json"
expect_rc "$WORK/r7" 1
grep -q "relative path" "$WORK/r7.err" || fail "apply of a plan with a relative source path: the message does not say so"
for n in 6 7; do
        [ ! -e "$WORK/s-r$n" ] || fail "a refused convert created its state directory (case $n)"
done

log "inhibited plan: exit 3 before anything; apply of a changed node stops at verify-fingerprint"
run_azlm "$WORK/inv" inspect --format json -o "$WORK/inv.json" "$node"
expect_rc "$WORK/inv" 0
"$PY" "$AZLMIGRATE_SRCDIR/tests/integration/check_plan.py" inhibit "$WORK/inv.json" "$WORK/inh-inv.json"
run_azlm "$WORK/inh-plan" plan --inventory "$WORK/inh-inv.json" -o "$WORK/inh-plan.json"
expect_rc "$WORK/inh-plan" 3
run_azlm "$WORK/inh" apply --yes --target "$TARGET" --state-dir "$WORK/s-inh" "$WORK/inh-plan.json" "$node"
expect_rc "$WORK/inh" 3
grep -q "inhibited" "$WORK/inh.err" || fail "an inhibited apply does not say it is inhibited"
grep -q "remediation: Create a FIPS-enabled Azure Linux node pool" "$WORK/inh.err" ||
        fail "an inhibited apply does not give the inhibitor's remediation"
[ ! -e "$WORK/s-inh" ] || fail "an inhibited apply created its state directory"
mapfile -t inhibitors < <("$PY" -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["inhibitors"]))' \
        "$WORK/inh-plan.json")
[ "${#inhibitors[@]}" -gt 0 ] || fail "the inhibited plan lists no inhibitor"

if image_mode_ok; then
        overrides=()
        for k in "${inhibitors[@]}"; do overrides+=(--override "$k"); done
        run_azlm "$WORK/fp" apply --yes --target "$TARGET" --state-dir "$WORK/s-fp" "${overrides[@]}" \
                --progress-fd 3 "$WORK/inh-plan.json" "$node" 3>"$WORK/fp.ndjson"
        expect_rc "$WORK/fp" 1
        for k in "${inhibitors[@]}"; do
                grep '"event":"finding"' "$WORK/fp.ndjson" | grep '"key":"exec.inhibitor.overridden"' |
                        grep -qF "inhibitor $k overridden" || fail "no finding event for the overridden $k"
        done
        [ "$(status_field "$WORK/s-fp" 'j["status"]')" = failed ] || fail "apply of a changed node: status is not failed"
        [ "$(status_field "$WORK/s-fp" '[s["state"] for s in j["steps"] if s["id"]=="verify-fingerprint"][0]')" = failed ] ||
                fail "apply of a changed node did not fail at verify-fingerprint"
        [ "$(status_field "$WORK/s-fp" 'len(j["checkpoints"])')" = 0 ] || fail "apply of a changed node took a checkpoint"
        [ "$(sha256sum <"$node")" = "$sha_before" ] || fail "apply of a changed node changed the source"

        log "dry run: says what would run, writes nothing"
        run_azlm "$WORK/dry" convert --dry-run --target "$TARGET" --state-dir "$WORK/s-dry" "$node"
        expect_rc "$WORK/dry" 0
        grep -q "swap-root" "$WORK/dry.out" || fail "the dry run does not list the steps"
        grep -q "checkpoint cp-stage-target" "$WORK/dry.out" || fail "the dry run does not list the checkpoints"
        [ ! -e "$WORK/s-dry" ] || fail "the dry run created its state directory"

        log "image mode: convert, the source untouched, the result right"
        state=$WORK/s-img
        run_azlm "$WORK/cv" convert --yes --target "$TARGET" --state-dir "$state" --progress-fd 3 "$node" \
                3>"$WORK/progress.ndjson"
        expect_rc "$WORK/cv" 0
        [ "$(sha256sum <"$node")" = "$sha_before" ] || fail "convert wrote the source before commit"
        [ "$(status_field "$state" 'j["status"]')" = done ] || fail "the journal does not say done"
        [ "$(status_field "$state" '",".join(s["state"] for s in j["steps"])')" = \
                "done,done,done,done,done,done,done,done" ] || fail "not every step is done"
        [ "$(status_field "$state" 'len(j["checkpoints"])')" = 5 ] || fail "not 5 checkpoints"
        "$PY" - "$WORK/progress.ndjson" <<'EOF' || fail "the progress events are not right"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
kinds = {e["event"] for e in ev}
assert {"step-start", "step-end", "checkpoint"} <= kinds, kinds
starts = [e["step"] for e in ev if e["event"] == "step-start"]
assert starts[0] == "preflight" and starts[-1] == "verify", starts
EOF
        layer_image "$state" "$WORK/converted.raw"
        run_azlm "$WORK/cinv" inspect --format json -o "$WORK/converted.json" "$WORK/converted.raw"
        expect_rc "$WORK/cinv" 0
        "$PY" - "$WORK/converted.json" "$WORK/inv.json" <<'EOF' || fail "the converted disk does not inspect as the node on Azure Linux"
import json, sys
c, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert c["os"]["id"] == "azurelinux", c["os"]
assert c["os"]["version_id"] == "3.0", c["os"]
assert c["packages"]["manager"] == "rpm" and c["packages"]["count"] == 9, c["packages"]["count"]
assert c["os"]["hostname"] == s["os"]["hostname"], "hostname"
assert c["os"]["machine_id"] == s["os"]["machine_id"], "machine-id"
assert c["aks"]["kubelet"]["version"] == s["aks"]["kubelet"]["version"], "kubelet"
EOF
        e2fsck -fn "$WORK/converted.raw?offset=$ROOT_OFFSET" >"$WORK/fsck.out" 2>&1 ||
                { cat "$WORK/fsck.out" >&2; fail "e2fsck finds errors in the converted root filesystem"; }
        tree=$(mktemp -d "$WORK/conv.XXXXXX")
        debugfs -R "rdump / $tree" "$WORK/converted.raw?offset=$ROOT_OFFSET" >/dev/null 2>&1
        mkdir "$tree/esp" && mcopy -s -n -m -i "$WORK/converted.raw@@$ESP_OFFSET" ::/ "$tree/esp/"
        grep -q '^ID=azurelinux' "$tree/etc/os-release" || fail "/etc/os-release is not Azure Linux's"
        grep -q '^ID=ubuntu' "$tree/.azlmigrate/old/etc/os-release" || fail "the Ubuntu tree is not in /.azlmigrate/old"
        [ -d "$tree/var/lib/kubelet" ] && [ -d "$tree/var/lib/containerd" ] || fail "the node's data was not kept"
        cmp -s "$tree/etc/kubernetes/azure.json" "$tree/.azlmigrate/old/etc/kubernetes/azure.json" ||
                fail "/etc/kubernetes was not carried"
        grep -q "root=UUID=5a3c1f7e-2b8d-4c6a-9e1f-0d2b4a6c8e10" "$tree/boot/grub2/grub.cfg" ||
                fail "grub.cfg does not boot the root filesystem's UUID"
        grep -q "console=ttyS0" "$tree/boot/grub2/grub.cfg" || fail "the node's console= was not carried"
        grep -q "refclock PHC /dev/ptp_hyperv" "$tree/etc/chrony.conf" || fail "chrony.conf was not translated"
        grep -q '^azureuser:' "$tree/etc/passwd" && grep -q '^root:' "$tree/etc/passwd" ||
                fail "the accounts were not merged"
        [ "$(readlink "$tree/etc/systemd/system/multi-user.target.wants/azlmigrate-firstboot.service")" = \
                /etc/systemd/system/azlmigrate-firstboot.service ] || fail "the first-boot unit is not enabled"
        grep -qx nvme-cli "$tree/var/lib/azlmigrate/firstboot-packages" || fail "the first-boot list lacks nvme-cli"
        cmp -s "$tree/esp/EFI/BOOT/BOOTX64.EFI" "$tree/.azlmigrate/displaced/boot/efi/EFI/BOOT/bootx64.efi" ||
                fail "the ESP's BOOTX64.EFI is not the target's shim"
        cmp -s "$tree/esp/EFI/ubuntu/shimx64.efi" "$tree/esp/EFI/BOOT/BOOTX64.EFI" ||
                fail "the Ubuntu boot entry's shimx64.efi is not the target's shim"
        grep -q "search --no-floppy --fs-uuid --set=root 5a3c1f7e" "$tree/esp/EFI/BOOT/grub.cfg" ||
                fail "the ESP's grub.cfg does not find the root"

        log "image mode: commit --output writes the same disk and leaves the source"
        run_azlm "$WORK/co" commit --yes --state-dir "$state" --output "$WORK/out.raw"
        expect_rc "$WORK/co" 0
        [ "$(sha256sum <"$node")" = "$sha_before" ] || fail "commit --output changed the source"
        image_listing "$WORK/converted.raw" "$WORK/l-layer"
        image_listing "$WORK/out.raw" "$WORK/l-out"
        cmp -s "$WORK/l-layer" "$WORK/l-out" || fail "commit --output differs from the run's top layer"
        run_azlm "$WORK/co2" rollback --yes --state-dir "$state"
        expect_rc "$WORK/co2" 1
        run_azlm "$WORK/cost" status --state-dir "$state"
        grep -q "^Next: *nothing: the state directory .* can be removed" "$WORK/cost.out" ||
                fail "status after commit does not say there is nothing left to do"

        log "image mode: rollback discards every layer"
        state=$WORK/s-rb
        run_azlm "$WORK/cv2" convert --yes --target "$TARGET" --state-dir "$state" "$node"
        expect_rc "$WORK/cv2" 0
        run_azlm "$WORK/rb" rollback --yes --state-dir "$state"
        expect_rc "$WORK/rb" 0
        [ "$(status_field "$state" 'j["status"]')" = rolled-back ] || fail "status is not rolled-back"
        [ -z "$(ls -A "$state/layers" 2>/dev/null)" ] || fail "rollback left layers"
        run_azlm "$WORK/rbst" status --state-dir "$state"
        grep -q "^Next: *nothing: the source is as it was" "$WORK/rbst.out" ||
                fail "status after a full rollback does not say the source is as it was"
        [ "$(sha256sum <"$node")" = "$sha_before" ] || fail "the source changed"

        log "a hostile target: stage-target fails, nothing escapes, rollback restores"
        state=$WORK/s-evil
        run_azlm "$WORK/evil" convert --yes --target "$AZLMIGRATE_SRCDIR/tests/fuzz/corpus/target/evil-dotdot.tar" \
                --state-dir "$state" "$node"
        expect_rc "$WORK/evil" 1
        [ "$(status_field "$state" 'j["status"]')" = failed ] || fail "a hostile target: status is not failed"
        [ "$(status_field "$state" '[s["id"] for s in j["steps"] if s["state"]=="failed"][0]')" = stage-target ] ||
                fail "a hostile target did not fail stage-target"
        run_azlm "$WORK/evil-rb" rollback --yes --state-dir "$state"
        expect_rc "$WORK/evil-rb" 0
        [ "$(sha256sum <"$node")" = "$sha_before" ] || fail "the source changed"

        log "a failing pre-hook stops the run at its checkpoint; resume finishes"
        state=$WORK/s-hook
        hooks=$WORK/hooks
        mkdir -p "$hooks/pre-swap-root.d"
        printf '#!/bin/sh\necho "node not drained" >&2\nexit 1\n' >"$hooks/pre-swap-root.d/10-no"
        chmod +x "$hooks/pre-swap-root.d/10-no"
        run_azlm "$WORK/hk" convert --yes --target "$TARGET" --state-dir "$state" --hooks-dir "$hooks" "$node"
        expect_rc "$WORK/hk" 4
        [ "$(status_field "$state" 'j["status"]')" = stopped ] || fail "a failing hook: status is not stopped"
        [ "$(status_field "$state" '[s["state"] for s in j["steps"] if s["id"]=="swap-root"][0]')" != done ] ||
                fail "swap-root ran although its pre-hook failed"
        rm "$hooks/pre-swap-root.d/10-no"
        run_azlm "$WORK/hk2" resume --yes --state-dir "$state" --hooks-dir "$hooks"
        expect_rc "$WORK/hk2" 0
        layer_image "$state" "$WORK/hooked.raw"
        image_listing "$WORK/hooked.raw" "$WORK/l-hooked"
        cmp -s "$WORK/l-layer" "$WORK/l-hooked" || fail "stopped and resumed, the disk differs from an uninterrupted run"
else
        log "image mode NOT tested: needs root, /dev/fuse, qemu-img and qemu-storage-daemon"
fi

log "root mode: convert a mounted root, roll it back to the very same tree"
"$MKIMAGE" --root-tree "$WORK/root" 2>"$WORK/mk.err" || { cat "$WORK/mk.err" >&2; fail "mk-node-image --root-tree failed"; }
tree_listing_times "$WORK/root" "$WORK/root-before"
run_azlm "$WORK/in" convert --yes --target "$TARGET" --state-dir "$WORK/root/var/tmp/state" --root "$WORK/root"
expect_rc "$WORK/in" 1
grep -q "inside the root" "$WORK/in.err" || fail "a state directory inside the root: the message does not say so"
run_azlm "$WORK/ro" convert --yes --target "$TARGET" --state-dir "$WORK/s-root" --output "$WORK/x.raw" --root "$WORK/root"
expect_rc "$WORK/ro" 2
tree_listing_times "$WORK/root" "$WORK/root-refused"
cmp -s "$WORK/root-before" "$WORK/root-refused" || fail "a refused convert --root changed the root"

run_azlm "$WORK/rc" convert --yes --progress json --target "$TARGET" --state-dir "$WORK/s-root" --root "$WORK/root"
expect_rc "$WORK/rc" 0
"$PY" -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert ev and all("event" in e for e in ev), "not JSON events"
assert [e["step"] for e in ev if e["event"] == "step-end"][-1] == "verify"
' "$WORK/rc.out" || fail "--progress json: stdout is not one JSON event per line"
grep -q '^ID=azurelinux' "$WORK/root/etc/os-release" || fail "root mode: /etc/os-release is not Azure Linux's"
grep -q "root=UUID=5a3c1f7e-2b8d-4c6a-9e1f-0d2b4a6c8e10" "$WORK/root/boot/grub2/grub.cfg" ||
        fail "root mode: grub.cfg does not boot the UUID of fstab's root"
[ -f "$WORK/root/boot/efi/EFI/BOOT/BOOTX64.EFI" ] || fail "root mode: no shim in ROOT/boot/efi"
run_azlm "$WORK/rrb1" rollback --yes --to cp-swap-root --state-dir "$WORK/s-root"
expect_rc "$WORK/rrb1" 0
run_azlm "$WORK/rst1" status --state-dir "$WORK/s-root"
grep -q "^Next: *'azlmigrate resume --state-dir .*' runs swap-root again" "$WORK/rst1.out" ||
        fail "status after rollback --to cp-swap-root does not say resume runs swap-root again"
grep -q '^ID=azurelinux' "$WORK/root/etc/os-release" && fail "rollback --to cp-swap-root left the swapped root"
run_azlm "$WORK/rrb" rollback --yes --state-dir "$WORK/s-root"
expect_rc "$WORK/rrb" 0
tree_listing_times "$WORK/root" "$WORK/root-after"
if ! cmp -s "$WORK/root-before" "$WORK/root-after"; then
        diff "$WORK/root-before" "$WORK/root-after" | head -20 >&2
        fail "root mode: rollback did not give back the same tree"
fi

log "root mode: hostile targets are refused with nothing written outside the stage"
mkdir "$WORK/outside"
"$PY" - "$WORK" <<'EOF' || fail "cannot make the hostile tarballs"
import io, sys, tarfile
work = sys.argv[1]
def make(name, members):
    with tarfile.open(f"{work}/{name}.tar", "w") as t:
        for m, data in members:
            t.addfile(m, io.BytesIO(data) if data is not None else None)
def f(name, data=b"x"):
    m = tarfile.TarInfo(name); m.size = len(data); return (m, data)
def link(name, target, kind=tarfile.SYMTYPE):
    m = tarfile.TarInfo(name); m.type = kind; m.linkname = target; return (m, None)
make("dotdot", [f("usr/x"), f("../../escaped")])
make("absolute", [f("usr/x"), f(f"{work}/outside/escaped")])
make("symlink-abs", [link("usr", f"{work}/outside"), f("usr/escaped")])
make("symlink-rel", [link("a", "../../../outside"), f("a/escaped")])
make("hardlink", [f("x"), link("h", "/etc/passwd", tarfile.LNKTYPE)])
EOF
tree_listing_times "$WORK/root" "$WORK/root-clean"
for evil in dotdot absolute symlink-abs symlink-rel hardlink; do
        run_azlm "$WORK/ev-$evil" convert --yes --target "$WORK/$evil.tar" --state-dir "$WORK/s-ev-$evil" --root "$WORK/root"
        expect_rc "$WORK/ev-$evil" 1
        [ "$(status_field "$WORK/s-ev-$evil" '[s["id"] for s in j["steps"] if s["state"]=="failed"][0]')" = stage-target ] ||
                fail "hostile target $evil: stage-target did not fail"
        [ -z "$(ls -A "$WORK/outside")" ] || fail "hostile target $evil wrote outside the root"
        [ ! -e "$WORK/escaped" ] && [ ! -e "$WORK/root/escaped" ] && [ ! -e "$WORK/root/../escaped" ] ||
                fail "hostile target $evil wrote outside the stage"
        "$PY" "$AZLMIGRATE_SRCDIR/tests/integration/tree_listing.py" --times --exclude .azlmigrate "$WORK/root" |
                grep -v '^\. ' >"$WORK/root-evil" || true
        grep -v '^\. ' "$WORK/root-clean" | cmp -s - "$WORK/root-evil" ||
                fail "hostile target $evil changed the root outside /.azlmigrate"
        run_azlm "$WORK/ev-rb-$evil" rollback --yes --state-dir "$WORK/s-ev-$evil"
        expect_rc "$WORK/ev-rb-$evil" 0
        tree_listing_times "$WORK/root" "$WORK/root-back"
        cmp -s "$WORK/root-clean" "$WORK/root-back" || fail "hostile target $evil: rollback did not restore the root"
done

log "root mode: a node without an EFI system partition converts (BIOS boot only)"
"$MKIMAGE" --root-tree "$WORK/bios-root" --customize 'sed -i "/\/boot\/efi/d" "$1/etc/fstab"' 2>"$WORK/mk.err" ||
        { cat "$WORK/mk.err" >&2; fail "mk-node-image --root-tree (no ESP) failed"; }
run_azlm "$WORK/bios" convert --yes --target "$TARGET" --state-dir "$WORK/s-bios" --root "$WORK/bios-root" \
        --progress-fd 3 3>"$WORK/bios.ndjson"
expect_rc "$WORK/bios" 0
grep '"event":"finding"' "$WORK/bios.ndjson" | grep -q '"key":"exec.boot.no-esp"' ||
        fail "no ESP: no exec.boot.no-esp finding event"
[ ! -e "$WORK/bios-root/boot/efi/EFI/azurelinux" ] || fail "no ESP: the UEFI boot chain was written to /boot/efi anyway"
grep -q "configfile" "$WORK/bios-root/boot/grub/grub.cfg" || fail "no ESP: the BIOS GRUB is not pointed at grub2"

log "root mode: a target that runs SELinux gets a relabel at first boot"
mkdir "$WORK/selinux-target"
tar -xzf "$TARGET" -C "$WORK/selinux-target"
mkdir -p "$WORK/selinux-target/etc/selinux"
printf 'SELINUX=enforcing\nSELINUXTYPE=targeted\n' >"$WORK/selinux-target/etc/selinux/config"
tar -czf "$WORK/selinux-target.tar.gz" --numeric-owner -C "$WORK/selinux-target" .
[ ! -e "$WORK/root/.autorelabel" ] || fail "the root has a /.autorelabel before the conversion"
run_azlm "$WORK/se" convert --yes --target "$WORK/selinux-target.tar.gz" --state-dir "$WORK/s-se" --root "$WORK/root"
expect_rc "$WORK/se" 0
[ -f "$WORK/root/.autorelabel" ] || fail "SELinux target: no /.autorelabel"
run_azlm "$WORK/se-rb" rollback --yes --state-dir "$WORK/s-se"
expect_rc "$WORK/se-rb" 0
[ ! -e "$WORK/root/.autorelabel" ] || fail "rollback left /.autorelabel"

log "root mode: commit drops the rollback data and the old tree"
run_azlm "$WORK/rc2" convert --yes --target "$TARGET" --state-dir "$WORK/s-root" --root "$WORK/root"
expect_rc "$WORK/rc2" 0
run_azlm "$WORK/rcm" commit --yes --state-dir "$WORK/s-root"
expect_rc "$WORK/rcm" 0
[ ! -e "$WORK/root/.azlmigrate/old" ] || fail "root mode: commit left /.azlmigrate/old"
[ -z "$(ls -A "$WORK/s-root/undo" 2>/dev/null)" ] || fail "root mode: commit left undo archives"
grep -q '^ID=azurelinux' "$WORK/root/etc/os-release" || fail "root mode: commit undid the conversion"
log "ok"
