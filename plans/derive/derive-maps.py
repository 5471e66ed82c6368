#!/usr/bin/env python3
"""Derives the package-mapping tables of plans/maps/ from public data.

Run by hand when the upstream snapshots change (never by the build or the tests):
    plans/derive/derive-maps.py SHARED_DATA_DIR DEBIAN_PACKAGES_DIR plans/

DEBIAN_PACKAGES_DIR holds the Debian archive's main/binary-amd64/Packages.xz of bullseye, bookworm
and trixie, saved as Packages-<codename>.xz (http://deb.debian.org/debian/dists/<codename>/...).

Writes, each with its sources in comment lines:
  maps/debian-binary-source.tsv       Debian binary package -> source package, for the binaries
                                      whose source is packaged by Azure Linux 3.0 (directly or
                                      through maps/source-aliases.tsv)
  maps/entries/20-agentbaker.tsv      AKS components: the Ubuntu and the Azure Linux package name
  maps/entries/30-rosdep.tsv          ROS rosdep's Ubuntu/Debian -> Fedora/RHEL names that exist in
                                      Azure Linux 3.0
  maps/entries/40-diskimage-builder.tsv  diskimage-builder's Debian -> Red Hat family names, same test
"""
import csv
import lzma
import re
import sys
from pathlib import Path

AB_COMMIT = "06836ee2301e362039418c3a7ed0fe6004a641fd"
ROSDEP_COMMIT = "8468e88c"
DIB_COMMIT = "ece6a6e9"
CODENAMES = ["trixie", "bookworm", "bullseye"]  # earlier wins for a binary found in several
UBUNTU_RELEASES = {"r1804": "ubuntu-18.04", "r2004": "ubuntu-20.04", "r2204": "ubuntu-22.04",
                   "r2404": "ubuntu-24.04"}


def load_universe(plans):
    names, provides, specs = set(), {}, set()
    for fn in ["universe/azurelinux-3.0.tsv", "universe/azurelinux-3.0-extra.tsv"]:
        for line in (plans / fn).read_text().splitlines():
            if not line or line.startswith("#"):
                continue
            f = line.split("\t")
            names.add(f[0])
            if f[2]:
                specs.add(f[2])
            for p in (f[4].split(",") if len(f) > 4 and f[4] else []):
                provides.setdefault(p, []).append(f[0])
    return names, provides, specs


def resolve(name, names, provides):
    if name in names:
        return name
    if name in provides:
        return sorted(provides[name])[0]
    return None


def header(out, lines):
    out.write("".join(f"# {l}\n" for l in lines))


def main():
    data, debdir, plans = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    names, provides, specs = load_universe(plans)
    aliases = {}
    for line in (plans / "maps/source-aliases.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            f = line.split("\t")
            aliases[f[0]] = f[1]

    # Debian binary -> source.
    b2s, dates = {}, {}
    for code in CODENAMES:
        path = debdir / f"Packages-{code}.xz"
        cur = {}
        with lzma.open(path, "rt", errors="replace") as f:
            for line in f:
                if line.startswith("Package: "):
                    cur = {"p": line[9:].strip()}
                elif line.startswith("Source: "):
                    cur["s"] = line[8:].split()[0]
                elif line == "\n" and cur:
                    b2s.setdefault(cur["p"], cur.get("s", cur["p"]))
                    cur = {}
    rows = sorted((b, s) for b, s in b2s.items() if s in specs or aliases.get(s) in specs)
    with open(plans / "maps/debian-binary-source.tsv", "w") as out:
        header(out, [
            "Debian binary package -> Debian source package, for the binaries whose source Azure Linux 3.0",
            "packages (the source is an Azure Linux spec name, or maps to one in source-aliases.tsv).",
            "Used when a package list carries no source names (map --list); an inventory has its own.",
            "Source: the Debian archive, dists/{trixie,bookworm,bullseye}/main/binary-amd64/Packages.xz",
            "  (trixie 13.8 of 2026-11-21, bookworm 12.15 of 2026-07-11, bullseye 11.11 of 2025-08-09),",
            "  the first release that has a binary wins. Derived by plans/derive/derive-maps.py.",
            "binary\tsource",
        ])
        for b, s in rows:
            out.write(f"{b}\t{s}\n")

    # AgentBaker components.
    comp = {}
    with open(data / "agentbaker-components-pkgnames.tsv") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            name = row["repo_package_name(renovateTag)"]
            if not name:
                continue
            c = comp.setdefault(row["component"], {"ubuntu": {}, "azl": None})
            if row["os"] == "ubuntu" and row["release"] in UBUNTU_RELEASES:
                c["ubuntu"].setdefault(name, set()).add(UBUNTU_RELEASES[row["release"]])
            elif row["os"] == "azurelinux" and row["release"] == "v3.0":
                c["azl"] = name
    entries = []
    for cname, c in sorted(comp.items()):
        target = c["azl"] and resolve(c["azl"], names, provides)
        for uname, rels in sorted(c["ubuntu"].items()):
            if target:
                entries.append((",".join(sorted(rels)), uname, "map", target,
                                f"AKS component '{cname}': '{uname}' on Ubuntu, '{c['azl']}' on Azure Linux 3.0",
                                f"Azure/AgentBaker {AB_COMMIT[:12]} parts/common/components.json"))
    with open(plans / "maps/entries/20-agentbaker.tsv", "w") as out:
        header(out, [
            "AKS node components: the package AgentBaker installs on Ubuntu and the one it installs on",
            "Azure Linux 3.0 for the same component.",
            f"Source: Azure/AgentBaker, commit {AB_COMMIT}, parts/common/components.json",
            "  (repo_package_name of the ubuntu rN and azurelinux v3.0 rows). Derived by plans/derive/derive-maps.py.",
            "from\tname\tdisposition\ttargets\tnote\tevidence",
        ])
        for e in entries:
            out.write("\t".join(e) + "\n")

    # rosdep: one Debian-side package to Fedora/RHEL packages that all exist in Azure Linux.
    cols = {"ubuntu_jammy": "ubuntu-22.04", "ubuntu_noble": "ubuntu-24.04", "debian_bookworm": "debian-12"}
    found = {}
    with open(data / "mappings/rosdep-deb-rpm-map.tsv") as f:
        reader = csv.DictReader(f, delimiter="\t")
        for row in reader:
            key = row["#rosdep_key"]
            for rpmcol in ["fedora", "rhel9"]:
                rpm = (row.get(rpmcol) or "").split()
                if not rpm or "<null>" in rpm:
                    continue
                targets = [resolve(t, names, provides) for t in rpm]
                if not all(targets):
                    continue
                targets = list(dict.fromkeys(targets))
                for col, rel in cols.items():
                    deb = (row.get(col) or "").split()
                    # Where the same name exists in Azure Linux, the same-name rule decides:
                    # rosdep keys group packages by use, not always by identity.
                    if len(deb) != 1 or deb[0] == "<null>" or deb[0] in names:
                        continue
                    k = (deb[0], ",".join(targets))
                    e = found.setdefault(k, {"rels": set(), "keys": set(), "cols": set()})
                    e["rels"].add(rel)
                    e["keys"].add(key)
                    e["cols"].add(rpmcol)
                break
    with open(plans / "maps/entries/30-rosdep.tsv", "w") as out:
        header(out, [
            "The same software's Ubuntu/Debian and Fedora/RHEL 9 package names, as the ROS rosdep",
            "database records them, kept where every Fedora/RHEL name exists in Azure Linux 3.0.",
            f"Source: ros/rosdistro, commit {ROSDEP_COMMIT}, rosdep/base.yaml and rosdep/python.yaml",
            "  (BSD-3-Clause). Derived by plans/derive/derive-maps.py.",
            "from\tname\tdisposition\ttargets\tnote\tevidence",
        ])
        seen = set()
        for (deb, targets), e in sorted(found.items()):
            if deb in seen:
                continue  # one mapping per name: the first by target name
            seen.add(deb)
            out.write(f"{','.join(sorted(e['rels']))}\t{deb}\tmap\t{targets}\t"
                      f"rosdep key {','.join(sorted(e['keys']))}\t"
                      f"ros/rosdistro {ROSDEP_COMMIT} rosdep ({'/'.join(sorted(e['cols']))})\n")

    # diskimage-builder pkg-map.
    with open(plans / "maps/entries/40-diskimage-builder.tsv", "w") as out:
        header(out, [
            "diskimage-builder's per-element package maps: the Debian/Ubuntu name and the Red Hat",
            "family name of the same package, kept where every Red Hat name exists in Azure Linux 3.0.",
            f"Source: openstack/diskimage-builder, commit {DIB_COMMIT}, elements/*/pkg-map (Apache-2.0).",
            "  Derived by plans/derive/derive-maps.py.",
            "from\tname\tdisposition\ttargets\tnote\tevidence",
        ])
        seen = set()
        with open(data / "mappings/diskimage-builder-pkgmap.tsv") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                elem, key, deb, rh = (line.rstrip("\n").split("\t") + ["", "", "", ""])[:4]
                deb, rh = deb.split(), rh.split()
                # Same reasoning as for rosdep: element pkg-maps list what an element needs, so
                # a name Azure Linux has itself is left to the same-name rule.
                if len(deb) != 1 or not rh or deb[0] in seen or deb[0] in names:
                    continue
                targets = [resolve(t, names, provides) for t in rh]
                if not all(targets):
                    continue
                targets = list(dict.fromkeys(targets))
                seen.add(deb[0])
                out.write(f"*\t{deb[0]}\tmap\t{','.join(targets)}\tdiskimage-builder element '{elem}' key '{key}'\t"
                          f"openstack/diskimage-builder {DIB_COMMIT} pkg-map\n")
    print(f"{len(rows)} binary->source rows, {len(entries)} agentbaker, {len(seen)} dib", file=sys.stderr)


if __name__ == "__main__":
    main()
