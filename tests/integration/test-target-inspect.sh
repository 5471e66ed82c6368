#!/bin/bash
# SPDX-License-Identifier: MIT
# The Azure Linux 3.0 stand-in target (tests/target/, built by meson as azurelinux3-target.tar.gz):
# extracted with tar (no root), `inspect --root` on it reads an Azure Linux guest through the
# rpmdb: os-release fields, family rpm, the nine packages with their versions from librpm, the
# kernel the boot collector finds; the inventory validates against docs/inventory.schema.json.
# usage: test-target-inspect.sh [TARBALL]  (no TARBALL: rpmbuild was missing at configure time)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

tarball=${1:-}
[ -n "$tarball" ] || skip "rpmbuild was missing when meson configured: the stand-in target was not built"
[ -s "$tarball" ] || fail "the target tarball '$tarball' does not exist"
command -v tar >/dev/null || skip "tar is missing"
require_schema

root=$WORK/root
mkdir "$root"
# As any user: owners are whoever extracts (GNU tar keeps them only for root), modes are kept.
tar -xzf "$tarball" -C "$root" 2>"$WORK/tar.err" || { cat "$WORK/tar.err" >&2; fail "tar could not extract '$tarball'"; }
[ -L "$root/etc/os-release" ] || fail "/etc/os-release is not the symlink azurelinux-release makes"
[ -s "$root/var/lib/rpm/rpmdb.sqlite" ] || fail "no /var/lib/rpm/rpmdb.sqlite in the target"

# Nothing in the target tree changes while it is inspected (inspect is read-only).
(cd "$root" && find . -printf '%p %y %m %s %T@\n' | sort) >"$WORK/before.lst"
AZLM_TIMEOUT=120 inspect_json "$WORK/target.json" --root "$root"
(cd "$root" && find . -printf '%p %y %m %s %T@\n' | sort) >"$WORK/after.lst"
diff -u "$WORK/before.lst" "$WORK/after.lst" >&2 || fail "inspect changed the target tree"

check validate "$SCHEMA" "$WORK/target.json" || fail "the inventory does not validate against $SCHEMA"

expect_value() {
        local got
        got=$(check get "$WORK/target.json" "$1") || fail "$1 is missing from the inventory"
        [ "$got" = "$2" ] || fail "$1 is '$got', want '$2'"
}
expect_value os.id azurelinux
expect_value os.family rpm
expect_value os.version_id 3.0
expect_value os.name "Microsoft Azure Linux"
expect_value os.pretty_name "Microsoft Azure Linux 3.0"
expect_value os.version 3.0.20260304
expect_value packages.manager rpm
expect_value packages.database /var/lib/rpm
expect_value packages.backend sqlite
expect_value packages.count 9
expect_value packages.manual_known false
expect_value boot.kernels.0.version 6.6.150.1-1.azl3
expect_value os.arch x86_64

grep -v '^#' "$AZLMIGRATE_SRCDIR/tests/target/packages.tsv" >"$WORK/packages.tsv"
check packages "$WORK/target.json" "$WORK/packages.tsv" ||
        fail "the inventory's packages differ from tests/target/packages.tsv"

# Every item is the dpkg-shaped record the later stages read.
"$PY" - "$WORK/target.json" <<'EOF' || fail "package items are not as collect-rpm.c documents them"
import json, sys
inv = json.load(open(sys.argv[1]))
items = inv['packages']['items']
bad = []
for it in items:
    want = {'manual': True, 'status': 'installed', 'hold': False, 'provides': [],
            'source': it['name'], 'vendor': 'Microsoft Corporation'}
    for k, v in want.items():
        if it.get(k) != v:
            bad.append(f"{it['name']}: {k} is {it.get(k)!r}, want {v!r}")
    if it.get('source_version') != it['version']:
        bad.append(f"{it['name']}: source_version {it.get('source_version')!r} != version {it['version']!r}")
    if not isinstance(it.get('installed_size'), int) or it['installed_size'] < 0:
        bad.append(f"{it['name']}: installed_size {it.get('installed_size')!r}")
if [i['name'] for i in items] != sorted(i['name'] for i in items):
    bad.append('items are not sorted by name')
keys = [f['key'] for f in inv.get('findings', [])]
for k in keys:
    if k.startswith('rpm.') or k.startswith('dpkg.') or k == 'inspect.collector.failed':
        bad.append(f'unexpected finding {k}')
for line in bad:
    print('FAIL [packages]', line)
sys.exit(1 if bad else 0)
EOF
log "inspect --root on the stand-in target: Azure Linux 3.0, 9 rpm packages, schema valid"

# The same tree as a disk image (one ext4 filesystem, read natively with libext2fs): the rpmdb is
# copied out through the Guest API and gives the same package list.
if command -v mkfs.ext4 >/dev/null; then
        truncate -s 64M "$WORK/target.img"
        mkfs.ext4 -q -F -d "$root" -L azl3root "$WORK/target.img" 2>"$WORK/mkfs.err" ||
                { cat "$WORK/mkfs.err" >&2; fail "mkfs.ext4 -d failed"; }
        AZLM_TIMEOUT=120 inspect_json "$WORK/image.json" "$WORK/target.img"
        check validate "$SCHEMA" "$WORK/image.json" || fail "the image's inventory does not validate"
        check packages "$WORK/image.json" "$WORK/packages.tsv" ||
                fail "the image's packages differ from tests/target/packages.tsv"
        [ "$(check get "$WORK/image.json" packages.backend)" = sqlite ] || fail "image: packages.backend is not sqlite"
        check no-finding "$WORK/image.json" rpm.database.unreadable || fail "image: the rpmdb was not read"
        log "inspect of the same tree as an ext4 image: the same 9 packages"
else
        log "mkfs.ext4 is missing: the image variant was not run"
fi
