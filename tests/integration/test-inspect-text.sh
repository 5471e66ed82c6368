#!/bin/bash
# SPDX-License-Identifier: MIT
# The text summary (the default format) names the OS, the partitions and the package count.
# usage: test-inspect-text.sh SAMPLE_RAW
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
sample=${1:?usage: $0 SAMPLE_RAW}

run_azlm "$WORK/text" inspect "$sample"
expect_rc "$WORK/text" 0
[ ! -s "$WORK/text.err" ] || { cat "$WORK/text.err" >&2; fail "messages on stderr for a good image"; }
out=$WORK/text.out
rc=0
want() {
        grep -qE "$1" "$out" || { echo "FAIL [text] no line matching /$1/"; rc=1; }
}
want '^OS: .*Ubuntu 22\.04\.5 LTS'
want '^OS: .*x86_64'
want '^OS: .*aks-nodepool1-12345678-vmss000000'
want '^Disk: .*gpt.*3 partitions'
want '^ +1 +Linux filesystem +ext4 +cloudimg-rootfs .* /$'
want '^ +14 +BIOS boot'
want '^ +15 +EFI System +vfat +UEFI .* /boot/efi$'
want '^Packages: +720 \(dpkg\)'
if [ "$rc" -ne 0 ]; then
        sed 's/^/    /' "$out" >&2
        fail "the text summary is incomplete"
fi
