#!/bin/bash
# SPDX-License-Identifier: MIT
# The native JSON inventory of the sample AKS node image (raw): valid against the schema and
# right in every section (layout, OS, all 720 packages with version and manual flag, and the
# sections of the boot, fstab, users, certs, network and aks collectors).
# usage: test-inspect-sample.sh SAMPLE_RAW
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
sample=${1:?usage: $0 SAMPLE_RAW}

require_schema
inspect_json "$WORK/sample.json" "$sample"
rc=0
check validate "$SCHEMA" "$WORK/sample.json" || rc=1
check sample "$WORK/sample.json" "$PACKAGES_TSV" --format raw --backend native \
        --disk-size "$(stat -c %s "$sample")" || rc=1
[ "$rc" -eq 0 ] || fail "the sample inventory is wrong (see FAIL lines above)"
