#!/usr/bin/env python3
"""Derives plans/universe/ from the public Azure Linux and AgentBaker data.

Run by hand when the upstream snapshots change (never by the build or the tests):
    plans/derive/derive-universe.py /path/to/shared/data plans/universe

Writes:
  azurelinux-3.0.tsv        every binary package Azure Linux 3.0 can install, with its Provides
  azurelinux-3.0-image.tsv  the packages of the AKS Azure Linux 3.0 node image
  azurelinux-2.0-image.tsv  the packages of the AKS Azure Linux 2.0 (CBL-Mariner) node image
Each file starts with comment lines giving its sources (repository, path, commit).
"""
import csv
import re
import sys
from pathlib import Path

AZL_COMMIT = "2172d5cf45e4ee08bf8f40f8b76c86fcfde1a834"
AB_COMMIT = "06836ee2301e362039418c3a7ed0fe6004a641fd"
REPO_OF_DIR = {"SPECS": "base", "SPECS-EXTENDED": "extended", "SPECS-SIGNED": "base"}


def provide_names(field, self_name):
    names = []
    for item in field.split(","):
        name = re.split(r"\s*(?:<=|>=|=|<|>)\s*", item.strip(), maxsplit=1)[0].strip()
        if name and name != self_name and name not in names:
            names.append(name)
    return names


def read_image(path):
    rows = []
    for line in Path(path).read_text().splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0]:
            rows.append(parts[:3])
    return rows


def main():
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    packages = {}
    with open(data / "azurelinux3/azurelinux3-specs-detailed.tsv") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            name = row["package"]
            # A few rows keep an unexpanded rpm macro (kernel-64k-signed-%{buildarch}: an aarch64
            # package the x86_64 evaluation cannot name); they are not installable names.
            if name in packages or not re.fullmatch(r"[A-Za-z0-9._+-]+", name):
                continue
            packages[name] = {
                "version": row["epoch:version-release(x86_64 eval)"],
                "spec": row["spec_name"],
                "repo": REPO_OF_DIR.get(row["specs_dir"], row["specs_dir"].lower()),
                "provides": provide_names(row["provides(full, incl. self)"], name),
            }
    # AKS components AgentBaker installs on Azure Linux 3.0 from packages.microsoft.com
    # repositories other than the specs' (the URL names the repository: cloud-native, ms-oss).
    with open(data / "agentbaker-components-pkgnames.tsv") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            name = row["repo_package_name(renovateTag)"]
            if row["os"] != "azurelinux" or row["release"] != "v3.0" or not name or name in packages:
                continue
            m = re.search(r"/azurelinux/3\.0/prod/([^/]+)/", row["repo"] or "")
            packages[name] = {"version": row["latestVersion"], "spec": "",
                              "repo": m.group(1) if m else "microsoft", "provides": []}
    image = read_image(data / "aks-images/aks-azurelinux3-202603.30.0.pkgs")
    # The node image also carries packages built outside the azurelinux specs (the data README
    # lists them); those AgentBaker does not name come from other Microsoft repositories.
    for name, version, _arch in image:
        if name not in packages and name != "gpg-pubkey":
            packages[name] = {"version": version, "spec": "", "repo": "microsoft", "provides": []}

    header = [
        "# azlmigrate package universe: Azure Linux 3.0, x86_64. One row per installable binary package.",
        f"# Source: microsoft/azurelinux, branch 3.0, commit {AZL_COMMIT}: SPECS, SPECS-SIGNED (repo",
        "#   'base') and SPECS-EXTENDED (repo 'extended'), evaluated with rpmspec for x86_64.",
        f"# Plus AKS components from other packages.microsoft.com repositories (repo 'cloud-native', 'ms-oss'):",
        f"#   Azure/AgentBaker, commit {AB_COMMIT}, parts/common/components.json (azurelinux v3.0 rows),",
        f"#   and packages of the AKS node image built outside the specs (repo 'microsoft'): the",
        f"#   vhdbuilder/release-notes entry of AKSAzureLinuxV3 gen2 202603.30.0, same commit.",
        "# Derived by plans/derive/derive-universe.py; do not edit by hand.",
        "# Columns: name, version (epoch:version-release of the spec snapshot), spec, repo, provides",
        "#   (comma-separated names, versions dropped, the package's own name left out).",
    ]
    with open(out / "azurelinux-3.0.tsv", "w") as f:
        f.write("\n".join(header) + "\n")
        for name in sorted(packages):
            p = packages[name]
            f.write(f"{name}\t{p['version']}\t{p['spec']}\t{p['repo']}\t{','.join(p['provides'])}\n")

    for release, fname, img in [
        ("3.0", "aks-azurelinux3-202603.30.0.pkgs", "AKSAzureLinuxV3 gen2 202603.30.0"),
        ("2.0", "aks-azurelinux2-202512.06.0.pkgs", "AKSAzureLinux gen2 202512.06.0"),
    ]:
        rows = read_image(data / "aks-images" / fname)
        with open(out / f"azurelinux-{release}-image.tsv", "w") as f:
            f.write(f"# The packages installed on the AKS Azure Linux {release} node image ({img}), as `rpm -qa` lists them.\n")
            f.write(f"# Source: Azure/AgentBaker, commit {AB_COMMIT}, the vhdbuilder/release-notes entry of {img}.\n")
            f.write("# Derived by plans/derive/derive-universe.py; do not edit by hand.\n")
            f.write("# Columns: name, version-release, arch\n")
            for name, version, arch in sorted(rows):
                if name != "gpg-pubkey":
                    f.write(f"{name}\t{version}\t{arch}\n")
    print(f"{len(packages)} packages in the 3.0 universe", file=sys.stderr)


if __name__ == "__main__":
    main()
