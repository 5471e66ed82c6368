/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/journal.h"
#include "plan/fingerprint.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "snapshot.h"

#include "config.h"

/* Runs one command; on failure, *ret_error says which ("az aks show: ..."). */
static int run_json(const ClusterTools *t, ClusterTool tool, const char *what, const char *const *args,
                    json_object **ret, char **ret_error)
{
        _cleanup_free_ char *err = NULL;
        int r;

        r = cluster_run_json(t, tool, args, ret, &err);
        if (r == -ENOENT)
                return cluster_error(ret_error, r, "%s: the program '%s' was not found", what,
                                     cluster_tool_program(t, tool));
        if (r == -ETIMEDOUT)
                return cluster_error(ret_error, r, "%s timed out", what);
        if (r < 0)
                return cluster_error(ret_error, r, "%s failed: %s", what, err ? err : strerror(-r));
        return 0;
}

/* Splits a kubectl List into the snapshot's arrays by kind. */
static int split_list(json_object *list, json_object *snap, char **ret_error)
{
        static const struct {
                const char *kind, *member;
        } kinds[] = {
                { "Node", "nodes" },
                { "Pod", "pods" },
                { "PodDisruptionBudget", "pdbs" },
                { "DaemonSet", "daemonsets" },
        };
        json_object *items = json_get(list, "items");

        if (!json_object_is_type(items, json_type_array))
                return cluster_error(ret_error, -EBADMSG, "kubectl get printed no List of items");
        for (size_t k = 0; k < ELEMENTSOF(kinds); k++)
                if (!json_get_or_add_array(snap, kinds[k].member))
                        return -ENOMEM;
        for (size_t i = 0; i < json_array_len(items); i++) {
                json_object *it = json_object_array_get_idx(items, i);
                const char *kind = json_get_str(it, "kind");
                size_t k;

                for (k = 0; k < ELEMENTSOF(kinds); k++)
                        if (streq_ptr(kind, kinds[k].kind))
                                break;
                if (k == ELEMENTSOF(kinds))
                        continue; /* a kind we did not ask for */
                if (json_append(json_get(snap, kinds[k].member), json_object_get(it)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int cluster_snapshot_take(const ClusterTools *t, const char *rg, const char *name, json_object **ret,
                          char **ret_error)
{
        _cleanup_json_ json_object *snap = NULL, *version = NULL, *cluster = NULL, *pools = NULL,
                                   *list = NULL;
        _cleanup_free_ char *now = NULL;
        const char *const az_version[] = { "version", "-o", "json", NULL };
        const char *const az_show[] = { "aks", "show", "-g", rg, "-n", name, "-o", "json", NULL };
        const char *const az_pools[] = { "aks", "nodepool", "list", "-g", rg, "--cluster-name",
                                         name,  "-o",       "json", NULL };
        const char *const kubectl_get[] = { "get", "nodes,pods,pdb,daemonsets", "-A", "-o", "json", NULL };
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (isempty(rg) || isempty(name))
                return cluster_error(ret_error, -EINVAL, "a resource group and a cluster name are needed");

        r = run_json(t, CLUSTER_TOOL_AZ, "az version", az_version, &version, ret_error);
        if (r < 0)
                return r;
        r = run_json(t, CLUSTER_TOOL_AZ, "az aks show", az_show, &cluster, ret_error);
        if (r < 0)
                return r;
        r = run_json(t, CLUSTER_TOOL_AZ, "az aks nodepool list", az_pools, &pools, ret_error);
        if (r < 0)
                return r;
        r = run_json(t, CLUSTER_TOOL_KUBECTL, "kubectl get nodes,pods,pdb,daemonsets", kubectl_get, &list,
                     ret_error);
        if (r < 0)
                return r;

        snap = json_object_new_object();
        if (!snap || journal_timestamp(&now) < 0)
                return -ENOMEM;
        if (json_add_str(snap, "schema", CLUSTER_SNAPSHOT_SCHEMA) < 0 ||
            json_add_str(snap, "tool", "azlmigrate " PACKAGE_VERSION) < 0 ||
            json_add_str(snap, "taken", now) < 0 || json_add_str(snap, "resource_group", rg) < 0 ||
            json_add_str(snap, "cluster_name", name) < 0 ||
            json_add_str(snap, "az_version", json_get_str(version, "azure-cli")) < 0 ||
            json_add(snap, "cluster", TAKE_PTR(cluster)) < 0 || json_add(snap, "pools", TAKE_PTR(pools)) < 0)
                return -ENOMEM;
        r = split_list(list, snap, ret_error);
        if (r < 0)
                return r;
        r = cluster_snapshot_check(snap, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(snap);
        return 0;
}

/* Each element of the array member of o is an object with a string at path (a "metadata.name"
 * style member chain of at most two levels). */
static int check_objects(json_object *o, const char *member, const char *a, const char *b, char **ret_error)
{
        json_object *arr = json_get(o, member);

        if (!json_object_is_type(arr, json_type_array))
                return cluster_error(ret_error, -EBADMSG, "the snapshot's \"%s\" is not an array", member);
        for (size_t i = 0; i < json_array_len(arr); i++) {
                json_object *e = json_object_array_get_idx(arr, i), *v = json_get(e, a);
                if (b)
                        v = json_get(v, b);
                if (!json_object_is_type(e, json_type_object) || !json_object_is_type(v, json_type_string))
                        return cluster_error(ret_error, -EBADMSG,
                                             "the snapshot's %s[%zu] has no %s%s%s string", member, i, a,
                                             b ? "." : "", strempty(b));
        }
        return 0;
}

int cluster_snapshot_check(json_object *s, char **ret_error)
{
        static const char *const strings[] = { "resource_group", "cluster_name" };
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (!json_object_is_type(s, json_type_object))
                return cluster_error(ret_error, -EBADMSG, "a snapshot is a JSON object");
        if (!streq_ptr(json_get_str(s, "schema"), CLUSTER_SNAPSHOT_SCHEMA))
                return cluster_error(ret_error, -EBADMSG, "not a cluster snapshot (schema is not %s)",
                                     CLUSTER_SNAPSHOT_SCHEMA);
        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                if (!json_object_is_type(json_get(s, strings[i]), json_type_string))
                        return cluster_error(ret_error, -EBADMSG, "the snapshot has no \"%s\" string",
                                             strings[i]);
        if (!json_object_is_type(json_get(s, "cluster"), json_type_object))
                return cluster_error(ret_error, -EBADMSG, "the snapshot has no \"cluster\" object");
        if ((r = check_objects(s, "pools", "name", NULL, ret_error)) < 0 ||
            (r = check_objects(s, "nodes", "metadata", "name", ret_error)) < 0 ||
            (r = check_objects(s, "pods", "metadata", "name", ret_error)) < 0 ||
            (r = check_objects(s, "pdbs", "metadata", "name", ret_error)) < 0 ||
            (r = check_objects(s, "daemonsets", "metadata", "name", ret_error)) < 0)
                return r;
        return 0;
}

int cluster_snapshot_load(const char *path, json_object **ret, char **ret_error)
{
        _cleanup_json_ json_object *s = NULL;
        int r;

        if (ret_error)
                *ret_error = NULL;
        r = json_parse_file(path, CLUSTER_SNAPSHOT_MAX, &s);
        if (r == -EBADMSG)
                return cluster_error(ret_error, r, "%s is not JSON", path);
        if (r < 0)
                return r;
        r = cluster_snapshot_check(s, ret_error);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int cluster_snapshot_fingerprint(json_object *s, char **ret)
{
        static const char *const skip[] = { "tool", "taken", NULL };

        return fingerprint_document(s, skip, ret);
}
