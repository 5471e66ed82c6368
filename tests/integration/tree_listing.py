#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Prints a listing of a directory tree that two trees share exactly when they hold the same
entries with the same type, mode, owner, size, link target, content (sha256) and extended
attributes (all namespaces this process can read, security.* included); with --times also the
modification times to the nanosecond. Symlinks are never followed.

usage: tree_listing.py [--times] [--exclude REL]... DIR
"""
import hashlib
import os
import stat
import sys


def entry(root, rel, times):
    path = os.path.join(root, rel) if rel else root
    st = os.lstat(path)
    kind = stat.S_IFMT(st.st_mode)
    fields = [rel or ".", "%o" % st.st_mode, "%d:%d" % (st.st_uid, st.st_gid)]
    if stat.S_ISREG(kind):
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        fields += [str(st.st_size), h.hexdigest()]
    elif stat.S_ISLNK(kind):
        fields.append("-> " + os.readlink(path))
    elif stat.S_ISCHR(kind) or stat.S_ISBLK(kind):
        fields.append("dev %d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)))
    try:
        names = sorted(os.listxattr(path, follow_symlinks=False))
    except OSError:
        names = []
    for n in names:
        try:
            v = os.getxattr(path, n, follow_symlinks=False)
        except OSError:
            continue
        fields.append("xattr %s=%s" % (n, v.hex()))
    if times:
        fields.append("mtime %d" % st.st_mtime_ns)
    return " ".join(fields)


def main(argv):
    times = False
    excludes = []
    args = argv[1:]
    while args and args[0].startswith("--"):
        if args[0] == "--times":
            times = True
            args = args[1:]
        elif args[0] == "--exclude" and len(args) > 1:
            excludes.append(args[1].strip("/"))
            args = args[2:]
        else:
            sys.exit(__doc__)
    if len(args) != 1:
        sys.exit(__doc__)
    root = args[0]
    out = [entry(root, "", times)]
    for d, dirs, files in os.walk(root):
        reld = os.path.relpath(d, root)
        reld = "" if reld == "." else reld
        keep = []
        for n in sorted(dirs):
            rel = os.path.join(reld, n)
            if rel in excludes:
                continue
            if os.path.islink(os.path.join(d, n)):
                files.append(n)  # listed, not walked
            else:
                keep.append(n)
        dirs[:] = keep
        for n in sorted(set(files) | set(keep)):
            rel = os.path.join(reld, n)
            if rel not in excludes:
                out.append(entry(root, rel, times))
    sys.stdout.write("\n".join(sorted(out)) + "\n")


if __name__ == "__main__":
    main(sys.argv)
