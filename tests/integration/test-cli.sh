#!/bin/bash
# SPDX-License-Identifier: MIT
# The command line: help, version, usage errors (exit 2) and a missing --root (exit 1, one line).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

failed=0
bad() {
        echo "FAIL [$what] $*" >&2
        sed 's/^/    stdout: /' "$WORK/c.out" | head -5 >&2
        sed 's/^/    stderr: /' "$WORK/c.err" | head -5 >&2
        failed=1
}
# t WHAT WANT_RC ARGS...: run, and check the exit status; stdout/stderr are in $WORK/c.*
t() {
        what=$1 want=$2
        shift 2
        run_azlm "$WORK/c" "$@"
        [ "$RC" -eq "$want" ] || { bad "exit $RC, want $want"; return 1; }
}
out_has() { grep -qE -- "$1" "$WORK/c.out" || bad "stdout lacks /$1/"; }
err_has() { grep -qE -- "$1" "$WORK/c.err" || bad "stderr lacks /$1/"; }
out_empty() { [ ! -s "$WORK/c.out" ] || bad "stdout is not empty"; }
err_empty() { [ ! -s "$WORK/c.err" ] || bad "stderr is not empty"; }
err_lines() { [ "$(wc -l <"$WORK/c.err")" -eq "$1" ] || bad "stderr has $(wc -l <"$WORK/c.err") lines, want $1"; }

if t "--help" 0 --help; then
        out_has '^Usage: azlmigrate'; out_has '^ +inspect '; err_empty
fi
if t "-h" 0 -h; then
        out_has '^Usage: azlmigrate'
fi
if t "inspect --help" 0 inspect --help; then
        out_has '^Usage: azlmigrate inspect'; out_has '--format'; out_has '--backend'; out_has '--root'; err_empty
fi
if t "--version" 0 --version; then
        out_has '^azlmigrate [0-9]+\.[0-9]+'; err_empty
fi
if t "no verb" 2; then
        out_empty; err_has 'Usage: azlmigrate'
fi
if t "unknown verb" 2 inspekt x; then
        out_empty; err_has "unknown verb 'inspekt'"; err_has "did you mean 'inspect'"
fi
if t "unknown verb, far" 2 frobnicate; then
        out_empty; err_has "unknown verb 'frobnicate'"
        grep -q 'did you mean' "$WORK/c.err" && bad "suggests something for a far miss"
fi
if t "unknown global option" 2 --frobnicate; then
        out_empty; err_has '--frobnicate'
fi
if t "inspect without SOURCE" 2 inspect; then
        out_empty; err_has 'SOURCE'
fi
if t "inspect --format yaml" 2 inspect --format yaml x; then
        out_empty; err_has "yaml"
fi
if t "inspect --backend bogus" 2 inspect --backend bogus x; then
        out_empty; err_has "bogus"
fi
if t "inspect --format without value" 2 inspect --format; then
        out_empty; err_has '--format'
fi
if t "inspect SOURCE and --root" 2 inspect --root / x; then
        out_empty
fi
if t "inspect two SOURCEs" 2 inspect a b; then
        out_empty
fi
if t "inspect --root /nonexistent" 1 inspect --root /nonexistent; then
        out_empty; err_lines 1; err_has '/nonexistent'
fi
if t "inspect a missing file" 1 inspect /nonexistent/disk.img; then
        out_empty; err_lines 1; err_has '/nonexistent/disk.img'
fi

what="docs/convert.md lists every execution finding key"
mapfile -t exec_keys < <(grep -rhoE 'exec_finding\([a-z>-]+, "[a-z.-]+"' "$AZLMIGRATE_SRCDIR/src/exec" |
        sed -E 's/.*"(.*)"/\1/' | sort -u)
[ "${#exec_keys[@]}" -ge 6 ] || bad "found ${#exec_keys[@]} exec_finding keys in src/exec, want at least 6"
for k in "${exec_keys[@]}"; do
        grep -qF "| \`$k\` |" "$AZLMIGRATE_SRCDIR/docs/convert.md" || bad "docs/convert.md does not list $k"
done
while read -r k; do
        printf '%s\n' "${exec_keys[@]}" | grep -qxF "$k" || bad "docs/convert.md lists $k, which no step emits"
done < <(grep -oE '^\| `exec\.[a-z.-]+` \|' "$AZLMIGRATE_SRCDIR/docs/convert.md" | sed -E 's/^\| `(.*)` \|/\1/')

[ "$failed" -eq 0 ] || fail "command-line behaviour is wrong (see FAIL lines above)"
