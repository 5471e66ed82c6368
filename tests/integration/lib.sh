# SPDX-License-Identifier: MIT
# Shared helpers of the integration tests (sourced, not run). Each test is a bash script run by
# meson with the environment of tests/meson.build's test_env:
#   AZLMIGRATE_BIN     the built binary
#   AZLMIGRATE_SRCDIR  the source tree
# Exit status: 0 pass, 1 fail, 77 skip (meson's convention).
# shellcheck disable=SC2034 # variables for the sourcing tests

set -euo pipefail

: "${AZLMIGRATE_BIN:?AZLMIGRATE_BIN is not set (run through meson test)}"
: "${AZLMIGRATE_SRCDIR:?AZLMIGRATE_SRCDIR is not set (run through meson test)}"

# Debian's interpreter, which has python3-jsonschema; not whatever python3 is first on PATH.
PY=/usr/bin/python3
MKIMAGE=$AZLMIGRATE_SRCDIR/tests/mkimage/mk-node-image
CHECK=$AZLMIGRATE_SRCDIR/tests/integration/check_inventory.py
FIXTURE=$AZLMIGRATE_SRCDIR/tests/fixtures/aks-ubuntu2204
PACKAGES_TSV=$FIXTURE/packages.tsv
SCHEMA=$AZLMIGRATE_SRCDIR/docs/inventory.schema.json
TEST_NAME=${0##*/}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/azlm-${TEST_NAME%.sh}.XXXXXX")
cleanup_hooks=()
cleanup() {
        local h
        for h in "${cleanup_hooks[@]}"; do
                eval "$h" || true
        done
        rm -rf "$WORK"
}
trap cleanup EXIT

log() {
        echo "[$TEST_NAME] $*" >&2
}

fail() {
        echo "[$TEST_NAME] FAIL: $*" >&2
        exit 1
}

skip() {
        echo "[$TEST_NAME] SKIP: $*" >&2
        exit 77
}

[ -x "$PY" ] || fail "$PY is missing (Debian's python3 with python3-jsonschema is needed)"
[ -x "$AZLMIGRATE_BIN" ] || fail "$AZLMIGRATE_BIN is not an executable"

# run_azlm OUT_PREFIX [ARGS...]: runs the binary under `timeout 60` (override with
# AZLM_TIMEOUT), stdout to OUT_PREFIX.out, stderr to OUT_PREFIX.err; sets RC. Fails the test on
# a hang, a crash (signal) or a sanitizer report, whatever the exit status.
run_azlm() {
        local prefix=$1
        shift
        RC=0
        timeout "${AZLM_TIMEOUT:-60}" "$AZLMIGRATE_BIN" "$@" >"$prefix.out" 2>"$prefix.err" || RC=$?
        if [ "$RC" -eq 124 ]; then
                fail "hang: 'azlmigrate $*' did not finish within ${AZLM_TIMEOUT:-60} s"
        fi
        if [ "$RC" -gt 128 ]; then
                sed 's/^/    /' "$prefix.err" | head -40 >&2
                fail "crash: 'azlmigrate $*' died with signal $((RC - 128))"
        fi
        if grep -qE 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$prefix.err"; then
                sed 's/^/    /' "$prefix.err" | head -40 >&2
                fail "sanitizer report from 'azlmigrate $*' (exit $RC)"
        fi
}

# expect_rc PREFIX WANT: the last run_azlm exited WANT.
expect_rc() {
        if [ "$RC" -ne "$2" ]; then
                sed 's/^/    stderr: /' "$1.err" | head -20 >&2
                fail "expected exit $2, got $RC"
        fi
}

# expect_one_line PREFIX: stderr is exactly one non-empty line.
expect_one_line() {
        local n
        n=$(wc -l <"$1.err")
        if [ "$n" -ne 1 ] || ! grep -q '[^[:space:]]' "$1.err"; then
                sed 's/^/    stderr: /' "$1.err" | head -20 >&2
                fail "expected exactly one line on stderr, got $n"
        fi
}

# inspect_json OUT_JSON SOURCE [ARGS...]: `inspect --format json`, which must exit 0.
inspect_json() {
        local out=$1
        shift
        run_azlm "$WORK/inspect-json" inspect --format json "$@"
        if [ "$RC" -ne 0 ]; then
                sed 's/^/    stderr: /' "$WORK/inspect-json.err" | head -20 >&2
                fail "'azlmigrate inspect --format json $*' exited $RC"
        fi
        mv "$WORK/inspect-json.out" "$out"
}

# require_schema: the JSON Schema must exist; it is part of the contract, not optional.
require_schema() {
        [ -f "$SCHEMA" ] || fail "docs/inventory.schema.json does not exist yet: cannot validate the inventory"
}

check() {
        "$PY" "$CHECK" "$@"
}

# mkimage OUT [mk-node-image options...]
mkimage() {
        local out=$1
        shift
        "$MKIMAGE" "$@" "$out" 2>"$WORK/mkimage.err" || { cat "$WORK/mkimage.err" >&2; fail "mk-node-image $* failed"; }
}
