#!/bin/bash
# SPDX-License-Identifier: MIT
# `inspect --root /` on the machine running the tests (a Debian system): the package count and
# every package's name, version and architecture equal what dpkg-query lists as present (any
# state but not-installed and config-files).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

command -v dpkg-query >/dev/null || skip "dpkg-query is missing: not a dpkg-based system"
[ -r /var/lib/dpkg/status ] || skip "/var/lib/dpkg/status is not readable"

dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\t${db:Status-Status}\n' |
        awk -F'\t' '$4 != "not-installed" && $4 != "config-files" { print $1 "\t" $2 "\t" $3 }' \
        >"$WORK/dpkg-query.tsv"
[ -s "$WORK/dpkg-query.tsv" ] || skip "dpkg-query lists no installed package"

AZLM_TIMEOUT=120 inspect_json "$WORK/root.json" --root /
check get "$WORK/root.json" source.format | grep -qx directory || fail "source.format is not 'directory'"
check packages "$WORK/root.json" "$WORK/dpkg-query.tsv" ||
        fail "the inventory of / differs from dpkg-query ($(wc -l <"$WORK/dpkg-query.tsv") packages)"
