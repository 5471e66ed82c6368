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

# A TCG appliance now and then never finishes booting on a loaded 2-core machine (the probe above
# launched fine). A run that hangs is retried once; a second hang fails the test. Otherwise as
# inspect_json (lib.sh): a crash, a sanitizer report or a failure fails the test.
inspect_guestfs() {
        local out=$1 backend=$2 attempt
        for attempt in 1 2; do
                RC=0
                timeout 300 "$AZLMIGRATE_BIN" inspect --format json --backend "$backend" "$WORK/sample.qcow2" \
                        >"$out" 2>"$WORK/guestfs.err" || RC=$?
                if [ "$RC" -ne 124 ] || [ "$attempt" -eq 2 ]; then
                        break
                fi
                echo "note: the $backend launch hung for 300 s; retrying once" >&2
        done
        [ "$RC" -ne 124 ] || fail "hang: 'azlmigrate inspect --backend $backend' did not finish within 300 s, twice"
        [ "$RC" -le 128 ] || fail "crash: 'azlmigrate inspect --backend $backend' died with signal $((RC - 128))"
        if grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$WORK/guestfs.err" ||
                [ "$RC" -ne 0 ]; then
                sed 's/^/    stderr: /' "$WORK/guestfs.err" | head -40 >&2
                fail "'azlmigrate inspect --backend $backend' exited $RC or reported a sanitizer error"
        fi
}

rc=0
for backend in guestfs auto; do
        inspect_guestfs "$WORK/$backend.json" "$backend"
        got=$(check get "$WORK/$backend.json" source.backend)
        [ "$got" = guestfs ] || { echo "FAIL [$backend] source.backend is '$got', want guestfs"; rc=1; }
        got=$(check get "$WORK/$backend.json" source.format)
        [ "$got" = qcow2 ] || { echo "FAIL [$backend] source.format is '$got', want qcow2"; rc=1; }
        check same "$WORK/raw.json" "$WORK/$backend.json" | sed "s/^FAIL \[same\]/FAIL [$backend vs native]/" ||
                rc=1
done
[ "$rc" -eq 0 ] || fail "the libguestfs inventories differ from the native one"
