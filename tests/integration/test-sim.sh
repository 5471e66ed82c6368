#!/bin/bash
# SPDX-License-Identifier: MIT
# The cluster simulator (tests/sim, the test double of az and kubectl) behaves as its README says:
# tests/sim/selftest.sh, run under Debian's python3.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
PATH="/usr/bin:$PATH" "$AZLMIGRATE_SRCDIR/tests/sim/selftest.sh" || fail "the simulator's self-test failed"
