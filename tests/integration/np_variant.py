#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a variant of a cluster snapshot that should raise one node-pool finding.

usage: np_variant.py SNAPSHOT KEY OUT   (KEY: a node-pool finding key, or "none" for a copy)
       np_variant.py --keys             (the keys this script knows, one per line)

Each variant changes the pool "userpool" (or what the key is about) of the basic simulated
cluster (tests/sim/clusters/basic.json, snapshotted), as the real tools would print it.
"""
import copy
import json
import sys


def pool(s, name="userpool"):
    return next(p for p in s["pools"] if p["name"] == name)


def user_pods(s):
    nodes = {n["metadata"]["name"] for n in s["nodes"]
             if n["metadata"].get("labels", {}).get("kubernetes.azure.com/agentpool") == "userpool"}
    return [p for p in s["pods"] if p.get("spec", {}).get("nodeName") in nodes
            and (p["metadata"].get("ownerReferences") or [{}])[0].get("kind") != "DaemonSet"]


def set_pool(**kv):
    def f(s):
        pool(s).update(kv)
    return f


def pod_spec(change):
    def f(s):
        change(user_pods(s)[0]["spec"])
    return f


def k8s(s):
    for p in s["pools"]:
        p["orchestratorVersion"] = p["currentOrchestratorVersion"] = "1.27.9"


def bare(s):
    user_pods(s)[0]["metadata"].pop("ownerReferences", None)


def ds_pinned(s):
    tmpl = s["daemonsets"][0]["spec"].setdefault("template", {}).setdefault("spec", {})
    tmpl.setdefault("nodeSelector", {})["kubernetes.azure.com/os-sku"] = "Ubuntu"


def pdb_zero(s):
    pods = user_pods(s)
    labels = pods[0]["metadata"].get("labels", {})
    s["pdbs"].append({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                      "metadata": {"name": "strict", "namespace": pods[0]["metadata"]["namespace"]},
                      "spec": {"maxUnavailable": 0, "selector": {"matchLabels": labels}},
                      "status": {"currentHealthy": 1, "desiredHealthy": 1, "disruptionsAllowed": 0,
                                 "expectedPods": 1}})


def single(s):
    # one replica: drop the other pods of the first user pod's ReplicaSet
    first = user_pods(s)[0]
    owner = first["metadata"]["ownerReferences"][0]["name"]
    s["pods"] = [p for p in s["pods"] if p is first or
                 (p["metadata"].get("ownerReferences") or [{}])[0].get("name") != owner]


def affinity_ubuntu(spec):
    spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.azure.com/os-sku", "operator": "In", "values": ["Ubuntu"]}]}]}}}


VARIANTS = {
    "none": lambda s: None,
    "cluster.az-cli.too-old": lambda s: s.update(az_version="2.58.0"),
    "cluster.kubernetes.version-unsupported": k8s,
    "nodepool.already-azurelinux": set_pool(osSku="AzureLinux"),
    "nodepool.arch.arm64": set_pool(vmSize="Standard_D4pds_v5"),
    "nodepool.confidential-vm": set_pool(vmSize="Standard_DC4as_v5",
                                         nodeImageVersion="AKSUbuntu-2004cvmcontainerd-202603.30.0"),
    "nodepool.fips": set_pool(enableFips=True),
    "nodepool.gpu": set_pool(vmSize="Standard_NC6s_v3"),
    "nodepool.kata": set_pool(workloadRuntime="KataMshvVmIsolation"),
    "nodepool.not-linux": set_pool(osType="Windows", osSku="Windows2022"),
    "nodepool.trusted-launch": set_pool(securityProfile={"enableSecureBoot": True, "enableVtpm": True}),
    "workload.bare-pod": bare,
    "workload.daemonset.pinned": ds_pinned,
    "workload.emptydir": pod_spec(lambda sp: sp.setdefault("volumes", []).append({"name": "scratch", "emptyDir": {}})),
    "workload.hostpath.ubuntu": pod_spec(lambda sp: sp.setdefault("volumes", []).append(
        {"name": "dpkg", "hostPath": {"path": "/var/lib/dpkg/status", "type": "File"}})),
    "workload.pdb.blocks-drain": pdb_zero,
    "workload.pinned-to-node": pod_spec(lambda sp: sp.setdefault("nodeSelector", {}).update(
        {"kubernetes.io/hostname": sp["nodeName"]})),
    "workload.pinned-to-ubuntu": pod_spec(affinity_ubuntu),
    "workload.single-replica": single,
}

if sys.argv[1:] == ["--keys"]:
    print("\n".join(k for k in VARIANTS if k != "none"))
    sys.exit(0)
src, key, out = sys.argv[1:4]
snap = json.load(open(src))
s = copy.deepcopy(snap)
VARIANTS[key](s)
json.dump(s, open(out, "w"))
