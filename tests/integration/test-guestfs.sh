#!/bin/bash
# SPDX-License-Identifier: MIT
# The qcow2 form of the sample read through libguestfs (--backend guestfs, and auto, which has
# to pick libguestfs for qcow2) gives the same inventory as the raw sample read natively, apart
# from source.*. Skipped (77) when no libguestfs appliance can be launched here.
# usage: test-guestfs.sh SAMPLE_RAW
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
sample=${1:?usage: $0 SAMPLE_RAW}

command -v qemu-img >/dev/null || skip "qemu-img is missing"
export LIBGUESTFS_BACKEND=${LIBGUESTFS_BACKEND:-direct}
if ! grep -qwE 'vmx|svm' /proc/cpuinfo || [ ! -w /dev/kvm ]; then
        # No usable KVM: force TCG instead of letting qemu hang probing for it.
        export LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg}
fi
if command -v guestfish >/dev/null; then
        timeout 120 guestfish -a /dev/null run >"$WORK/probe.log" 2>&1 ||
                skip "libguestfs cannot launch an appliance here: $(tail -n 1 "$WORK/probe.log")"
elif command -v libguestfs-test-tool >/dev/null; then
        timeout 120 libguestfs-test-tool >"$WORK/probe.log" 2>&1 ||
                skip "libguestfs cannot launch an appliance here: $(tail -n 1 "$WORK/probe.log")"
else
        skip "neither guestfish nor libguestfs-test-tool is installed"
fi

mkimage "$WORK/sample.qcow2" --format qcow2 --size "$(stat -c %s "$sample")"
inspect_json "$WORK/raw.json" "$sample"

rc=0
for backend in guestfs auto; do
        AZLM_TIMEOUT=300 inspect_json "$WORK/$backend.json" --backend "$backend" "$WORK/sample.qcow2"
        got=$(check get "$WORK/$backend.json" source.backend)
        [ "$got" = guestfs ] || { echo "FAIL [$backend] source.backend is '$got', want guestfs"; rc=1; }
        got=$(check get "$WORK/$backend.json" source.format)
        [ "$got" = qcow2 ] || { echo "FAIL [$backend] source.format is '$got', want qcow2"; rc=1; }
        check same "$WORK/raw.json" "$WORK/$backend.json" | sed "s/^FAIL \[same\]/FAIL [$backend vs native]/" ||
                rc=1
done
[ "$rc" -eq 0 ] || fail "the libguestfs inventories differ from the native one"
