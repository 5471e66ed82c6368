#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the Azure Linux 3.0 stand-in root filesystem tarball (see README.md here): the RPMs of
# specs/*.spec (with files/ as their sources), installed with rpm --root into an empty tree that
# gets an rpmdb (sqlite, /var/lib/rpm) from rpm --initdb, then packed with numeric owners.
#
# usage: build-target.sh [--depfile FILE] OUT.tar|OUT.tar.gz|OUT.tgz|OUT.tar.xz|OUT.tar.zst
#
# No root needed: as another user the files are owned by that user in the tree, and the tarball
# records them all as root (0:0), as in the real image. Deterministic: SOURCE_DATE_EPOCH (default
# below) fixes build times, file times, install times in the rpmdb and the tar headers; the same
# sources and tools give the same bytes. Needs rpmbuild and rpm (Debian: apt install rpm), GNU tar,
# and gzip, xz or zstd for the compressed forms.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
depfile=
if [ "${1:-}" = --depfile ]; then
        depfile=$2
        shift 2
fi
[ $# -eq 1 ] || { echo "usage: $0 [--depfile FILE] OUT.tar[.gz|.xz|.zst]" >&2; exit 2; }
out=$1

case "$out" in
*.tar) compress=(cat) ;;
*.tar.gz | *.tgz) compress=(gzip -n -9) ;;
*.tar.xz) compress=(xz -T1 -6 -c) ;;
*.tar.zst | *.tar.zstd) compress=(zstd -q -19 -T1 -c) ;;
*)
        echo "$0: '$out': the extension must be .tar, .tar.gz, .tgz, .tar.xz or .tar.zst" >&2
        exit 2
        ;;
esac
for tool in rpmbuild rpm tar "${compress[0]}"; do
        command -v "$tool" >/dev/null || { echo "$0: $tool is missing (Debian: apt install rpm tar gzip xz-utils zstd)" >&2; exit 1; }
done

# 2026-03-04 00:00:00 UTC, the date of the image's os-release VERSION 3.0.20260304.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1772582400}
export TZ=UTC LC_ALL=C

tmp=$(mktemp -d "${TMPDIR:-/tmp}/azlm-target.XXXXXX")
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
top=$tmp/rpmbuild
stage=$tmp/root
mkdir -p "$top" "$stage"

# --nodeps: no BuildRequires check, which would also create ~/.rpmdb. bash: the specs use brace
# expansion, as Azure Linux's own do (Debian's /bin/sh is dash). No %__os_install_post: the
# placeholders are no ELF files to strip, and no debuginfo packages.
for spec in "$here"/specs/*.spec; do
        rpmbuild --quiet --nodeps --target x86_64 \
                --define "_topdir $top" \
                --define "_sourcedir $here/files" \
                --define "_buildhost azlmigrate-test" \
                --define "_buildshell /bin/bash" \
                --define "use_source_date_epoch_as_buildtime 1" \
                --define "clamp_mtime_to_source_date_epoch 1" \
                --define "_build_id_links none" \
                --define "debug_package %{nil}" \
                --define "__os_install_post %{nil}" \
                -bb "$spec" >"$tmp/rpmbuild.log" 2>&1 || {
                sed 's/^/    /' "$tmp/rpmbuild.log" >&2
                echo "$0: rpmbuild failed for $spec" >&2
                exit 1
        }
done

rpm --root="$stage" --dbpath=/var/lib/rpm --initdb
# Debian's rpm warns that it should not install packages ("use Alien"): not for a foreign root.
rpm -i --root="$stage" --dbpath=/var/lib/rpm --nodeps --noscripts --ignoreos --ignorearch \
        "$top"/RPMS/*/*.rpm 2>"$tmp/rpm.log" || {
        sed 's/^/    /' "$tmp/rpm.log" >&2
        echo "$0: rpm -i failed" >&2
        exit 1
}
# What rpm leaves beside the database describes its own processes (the lock, SQLite's shared
# memory and the write-ahead log, checkpointed and empty when rpm exits): not part of the image.
rm -f "$stage"/var/lib/rpm/.rpm.lock "$stage"/var/lib/rpm/rpmdb.sqlite-shm
if [ ! -s "$stage"/var/lib/rpm/rpmdb.sqlite-wal ]; then
        rm -f "$stage"/var/lib/rpm/rpmdb.sqlite-wal
fi
[ -s "$stage"/var/lib/rpm/rpmdb.sqlite ] || { echo "$0: rpm made no rpmdb.sqlite" >&2; exit 1; }
# The image enables its services with systemctl preset when it is built; the %post scriptlets
# that would do so here do not run (--noscripts): the same symlinks, made directly.
for unit in chronyd.service containerd.service; do
        ln -s "/usr/lib/systemd/system/$unit" "$stage/etc/systemd/system/multi-user.target.wants/$unit"
done

# Members without a leading "./" (as container exports have them), sorted, numeric root owners,
# times clamped, xattrs kept (none today; the format carries them).
mapfile -t members < <(cd "$stage" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | sort)
tar --create --file=- --directory="$stage" \
        --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
        --sort=name --numeric-owner --owner=0 --group=0 \
        --mtime="@$SOURCE_DATE_EPOCH" --clamp-mtime \
        --xattrs --xattrs-include='*' \
        -- "${members[@]}" | "${compress[@]}" >"$tmp/out"
mv "$tmp/out" "$out"

if [ -n "$depfile" ]; then
        {
                printf '%s:' "$out"
                for f in "$0" "$here"/specs/*.spec "$here"/files/*; do
                        printf ' \\\n %s' "$f"
                done
                printf '\n'
        } >"$depfile"
fi
