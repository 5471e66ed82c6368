#!/bin/bash
# SPDX-License-Identifier: MIT
# The fixed-VHD form of the sample (raw + 512-byte footer) gives the same inventory as the raw
# sample apart from source.*, and source describes the VHD footer.
# usage: test-inspect-vhd.sh SAMPLE_RAW
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
sample=${1:?usage: $0 SAMPLE_RAW}
vhd=$WORK/sample.vhd

mkimage "$vhd" --format vhd --size "$(stat -c %s "$sample")"
size=$(stat -c %s "$sample")
[ "$(stat -c %s "$vhd")" -eq $((size + 512)) ] || fail "the VHD is not the raw image plus 512 bytes"

# qemu reads the footer too (creator "azlm" is not one qemu trusts for current_size, so it
# sizes by CHS unless told otherwise: check both).
if command -v qemu-img >/dev/null; then
        info=$(qemu-img info --output=json --image-opts \
                "driver=vpc,force_size_calc=current_size,file.filename=$vhd")
        "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["format"]=="vpc" and d["virtual-size"]==int(sys.argv[2]), d' \
                "$info" "$size" || fail "qemu-img does not read $vhd as a $size-byte vpc image"
        info=$(qemu-img info --output=json -f vpc "$vhd")
        "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert 0 < int(sys.argv[2]) - d["virtual-size"] < 16*255*512, d' \
                "$info" "$size" || fail "qemu-img's CHS size of $vhd is not just below $size"
fi

inspect_json "$WORK/raw.json" "$sample"
inspect_json "$WORK/vhd.json" "$vhd"
rc=0
check same "$WORK/raw.json" "$WORK/vhd.json" || rc=1
for kv in source.format=vhd source.backend=native source.vhd.type=fixed source.vhd.checksum_ok=true \
          "source.vhd.current_size=$size" "source.disk_size=$size" "source.size=$((size + 512))" \
          source.vhd.creator_app=azlm; do
        got=$(check get "$WORK/vhd.json" "${kv%%=*}" 2>&1) || true
        [ "$got" = "${kv#*=}" ] || { echo "FAIL [source] ${kv%%=*} is '$got', want '${kv#*=}'"; rc=1; }
done
[ "$rc" -eq 0 ] || fail "the VHD inventory differs"
