/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "cluster-run.h"

/* A cluster snapshot (schema azlmigrate/cluster-snapshot/v1, docs/cluster-snapshot.schema.json):
 * what `az aks show`, `az aks nodepool list`, `az version` and `kubectl get
 * nodes,pods,pdb,daemonsets -A` printed, in one document, so that planning works offline. The
 * objects are kept as the tools printed them (Azure's camelCase, Kubernetes' objects). */

#define CLUSTER_SNAPSHOT_SCHEMA "azlmigrate/cluster-snapshot/v1"
#define CLUSTER_SNAPSHOT_MAX    (512u * 1024 * 1024)

/* Takes a snapshot of cluster name in resource group rg. Returns 0 and the snapshot (caller puts),
 * or a negative errno with *ret_error saying which command failed and how (caller frees): -ENOENT
 * (a program is missing), -EPROTO, -ETIMEDOUT, -EBADMSG (output that is not what the tool prints). */
int cluster_snapshot_take(const ClusterTools *t, const char *rg, const char *name, json_object **ret,
                          char **ret_error);

/* Checks a snapshot read from a file: the schema, and the members planning reads, of the right
 * types (a hostile or truncated file gives -EBADMSG and *ret_error, never a crash later). */
int cluster_snapshot_check(json_object *s, char **ret_error);

/* Reads and checks a snapshot file (at most CLUSTER_SNAPSHOT_MAX bytes). Returns 0, -ENOENT,
 * -EBADMSG with *ret_error, -EFBIG, or -errno. */
int cluster_snapshot_load(const char *path, json_object **ret, char **ret_error);

/* The fingerprint of a snapshot: everything but when and by what it was taken. */
int cluster_snapshot_fingerprint(json_object *s, char **ret);
