/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "plan/strategy.h"
#include "pool-plan.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "snapshot.h"

#define TARGETS_FILE      "nodepool/targets.json"
#define TARGETS_MAX       (1024u * 1024u)
#define LABEL_POOL        "kubernetes.azure.com/agentpool"
#define LABEL_OS_SKU      "kubernetes.azure.com/os-sku"
#define LABEL_HOSTNAME    "kubernetes.io/hostname"
#define DEFAULT_SKU       "AzureLinux"
#define DRAIN_TIMEOUT_DEF 600
#define SOAK_DEF          300

bool pool_name_is_valid(const char *name)
{
        size_t n = name ? strlen(name) : 0;

        if (n < 1 || n > 12 || !islower((unsigned char) name[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!islower((unsigned char) name[i]) && !isdigit((unsigned char) name[i]))
                        return false;
        return true;
}

int pool_version_compare(const char *a, const char *b)
{
        a = a ?: "";
        b = b ?: "";
        while (*a || *b) {
                unsigned long x = strtoul(a, (char **) &a, 10), y = strtoul(b, (char **) &b, 10);
                if (x != y)
                        return x < y ? -1 : 1;
                while (*a && *a != '.')
                        a++;
                while (*b && *b != '.')
                        b++;
                if (*a == '.')
                        a++;
                if (*b == '.')
                        b++;
        }
        return 0;
}

/* ---- reading the snapshot ------------------------------------------------------------------- */

static const char *label(json_object *obj, const char *key)
{
        return json_get_str(json_get(json_get(obj, "metadata"), "labels"), key);
}

static const char *meta(json_object *obj, const char *key)
{
        return json_get_str(json_get(obj, "metadata"), key);
}

static bool sku_is_azure_linux(const char *sku)
{
        return sku &&
               (startswith(sku, "AzureLinux") || startswith(sku, "CBLMariner") || streq(sku, "Mariner"));
}

/* The names of the nodes of a pool, sorted. */
static int pool_nodes(json_object *snap, const char *pool, char ***ret)
{
        json_object *nodes = json_get(snap, "nodes");
        _cleanup_strv_free_ char **l = NULL;

        for (size_t i = 0; i < json_array_len(nodes); i++) {
                json_object *n = json_object_array_get_idx(nodes, i);
                const char *p = label(n, LABEL_POOL) ?: label(n, "agentpool");
                if (streq_ptr(p, pool) && meta(n, "name") && strv_extend(&l, meta(n, "name")) < 0)
                        return -ENOMEM;
        }
        strv_sort(l);
        *ret = TAKE_PTR(l);
        return 0;
}

static json_object *node_named(json_object *snap, const char *name)
{
        json_object *nodes = json_get(snap, "nodes");

        for (size_t i = 0; i < json_array_len(nodes); i++) {
                json_object *n = json_object_array_get_idx(nodes, i);
                if (streq_ptr(meta(n, "name"), name))
                        return n;
        }
        return NULL;
}

/* "ubuntu-22.04" from "Ubuntu 22.04.5 LTS", "AKSUbuntu-2204gen2containerd-...", "Ubuntu2204". */
static char *ubuntu_release(const char *s)
{
        const char *p;
        char *r = NULL;

        if (!s)
                return NULL;
        if ((p = startswith(s, "Ubuntu ")) && isdigit((unsigned char) p[0]) &&
            isdigit((unsigned char) p[1]) && p[2] == '.' && isdigit((unsigned char) p[3]) &&
            isdigit((unsigned char) p[4])) {
                if (asprintf(&r, "ubuntu-%.5s", p) < 0)
                        return NULL;
                return r;
        }
        if (!(p = startswith(s, "AKSUbuntu-")) && !(p = startswith(s, "Ubuntu")))
                return NULL;
        if (strspn(p, "0123456789") < 4)
                return NULL;
        if (asprintf(&r, "ubuntu-%.2s.%.2s", p, p + 2) < 0)
                return NULL;
        return r;
}

static char *pool_release(json_object *snap, json_object *pool, char *const *nodes)
{
        char *r;

        for (char *const *n = nodes; n && *n; n++) {
                r = ubuntu_release(json_get_str(
                        json_get(json_get(node_named(snap, *n), "status"), "nodeInfo"), "osImage"));
                if (r)
                        return r;
        }
        r = ubuntu_release(json_get_str(pool, "nodeImageVersion"));
        return r ?: ubuntu_release(json_get_str(pool, "osSku"));
}

/* The VM size family letters and features: "Standard_NC6s_v3" → family "NC", features "s". */
static void vm_size_parts(const char *size, char family[8], char features[16])
{
        const char *p = startswith(size ?: "", "Standard_") ?: (size ?: "");
        size_t i = 0, k = 0;

        while (*p && isalpha((unsigned char) *p) && i < 7)
                family[i++] = *p++;
        family[i] = 0;
        while (*p && (isdigit((unsigned char) *p) || *p == '-'))
                p++;
        while (*p && isalpha((unsigned char) *p) && k < 15)
                features[k++] = (char) tolower((unsigned char) *p++);
        features[k] = 0;
}

static bool vm_is_gpu(const char *size)
{
        char f[8], x[16];

        vm_size_parts(size, f, x);
        return f[0] == 'N' && f[1] != 0; /* NC, ND, NV, NG series */
}

static bool vm_is_confidential(const char *size)
{
        char f[8], x[16];

        vm_size_parts(size, f, x);
        return (streq(f, "DC") || streq(f, "EC")) && strchr(x, 'a'); /* AMD SEV-SNP CVM sizes */
}

static bool vm_is_arm64(const char *size)
{
        char f[8], x[16];

        vm_size_parts(size, f, x);
        return strchr(x, 'p') != NULL; /* the "p" feature: Ampere Altra */
}

/* ---- the profile ---------------------------------------------------------------------------- */

static int copy_member(json_object *to, const char *name, json_object *from, const char *key)
{
        json_object *v = json_get(from, key);

        return json_add(to, name, v ? json_object_get(v) : NULL);
}

static int pool_profile(json_object *snap, json_object *pool, char *const *nodes, const char *new_name,
                        json_object **ret)
{
        _cleanup_json_ json_object *p = json_object_new_object();
        json_object *sec = json_get(pool, "securityProfile"), *arr;
        const char *size = json_get_str(pool, "vmSize");

        if (!p)
                return -ENOMEM;
        if (json_add_str(p, "name", json_get_str(pool, "name")) < 0 ||
            json_add_str(p, "os_type", json_get_str(pool, "osType")) < 0 ||
            json_add_str(p, "os_sku", json_get_str(pool, "osSku")) < 0 ||
            json_add_str(p, "vm_size", size) < 0 ||
            json_add_int(p, "count", json_get_int(pool, "count", 0)) < 0 ||
            json_add_str(p, "mode", json_get_str(pool, "mode")) < 0 ||
            copy_member(p, "zones", pool, "availabilityZones") < 0 ||
            copy_member(p, "labels", pool, "nodeLabels") < 0 ||
            copy_member(p, "taints", pool, "nodeTaints") < 0 ||
            copy_member(p, "max_pods", pool, "maxPods") < 0 ||
            copy_member(p, "subnet", pool, "vnetSubnetId") < 0 ||
            copy_member(p, "pod_subnet", pool, "podSubnetId") < 0 ||
            json_add_bool(p, "fips", json_get_bool(pool, "enableFips", false)) < 0 ||
            json_add_bool(p, "gpu", json_get(pool, "gpuProfile") || vm_is_gpu(size)) < 0 ||
            json_add_str(p, "workload_runtime", json_get_str(pool, "workloadRuntime")) < 0 ||
            json_add_bool(p, "secure_boot", json_get_bool(sec, "enableSecureBoot", false)) < 0 ||
            json_add_bool(p, "vtpm", json_get_bool(sec, "enableVtpm", false)) < 0 ||
            json_add_str(p, "kubernetes_version",
                         json_get_str(pool, "currentOrchestratorVersion")
                                 ?: json_get_str(pool, "orchestratorVersion")) < 0 ||
            json_add_str(p, "node_image_version", json_get_str(pool, "nodeImageVersion")) < 0 ||
            json_add_str(p, "arch", vm_is_arm64(size) ? "arm64" : "amd64") < 0 ||
            copy_member(p, "os_disk_size_gb", pool, "osDiskSizeGb") < 0 ||
            copy_member(p, "os_disk_type", pool, "osDiskType") < 0 ||
            copy_member(p, "max_surge", json_get(pool, "upgradeSettings"), "maxSurge") < 0 ||
            json_add_bool(p, "autoscaling", json_get_bool(pool, "enableAutoScaling", false)) < 0 ||
            copy_member(p, "min_count", pool, "minCount") < 0 ||
            copy_member(p, "max_count", pool, "maxCount") < 0 || json_add_str(p, "new_name", new_name) < 0)
                return -ENOMEM;
        arr = json_get_or_add_array(p, "nodes");
        if (!arr)
                return -ENOMEM;
        for (char *const *n = nodes; n && *n; n++)
                if (json_append_str(arr, *n) < 0)
                        return -ENOMEM;
        (void) snap;
        *ret = TAKE_PTR(p);
        return 0;
}

/* A free name for the blue-green pool: the old name's first letters and "azl" (AKS: 12 at most). */
static int new_pool_name(json_object *pools, const char *old, char *const *taken, char **ret)
{
        for (int attempt = 0; attempt < 10; attempt++) {
                char name[16];
                bool used = false;
                size_t keep = attempt == 0 ? 9 : 8;

                snprintf(name, sizeof name, "%.*sazl", (int) keep, old);
                if (attempt > 0)
                        snprintf(name + strlen(name), sizeof name - strlen(name), "%d", attempt + 1);
                for (size_t i = 0; i < json_array_len(pools); i++)
                        used = used ||
                               streq_ptr(json_get_str(json_object_array_get_idx(pools, i), "name"), name);
                if (used || strv_contains(taken, name) || !pool_name_is_valid(name))
                        continue;
                *ret = strdup(name);
                return *ret ? 0 : -ENOMEM;
        }
        return -EEXIST;
}

/* ---- findings ------------------------------------------------------------------------------- */

typedef struct Ctx {
        json_object *snap;
        json_object *findings;
        PoolStrategy strategy;
        json_object *targets; /* targets.json */
        json_object *target;  /* the entry of the target SKU */
        const char *sku;
        char **old_k8s;        /* "pool/NAME" of the pools below the target's Kubernetes range */
        json_object *replicas; /* "NAMESPACE/KIND/NAME" of a ReplicaSet or StatefulSet → its pods */
} Ctx;

static int add_finding(Ctx *c, const char *key, char *const *resources, const char *fmt, ...) _printf_(4, 5);
static int add_finding(Ctx *c, const char *key, char *const *resources, const char *fmt, ...)
{
        _cleanup_free_ char *detail = NULL;
        json_object *f;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&detail, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        f = cluster_finding_new(key, c->strategy, detail, resources);
        if (!f || json_append(c->findings, f) < 0)
                return -ENOMEM;
        return 0;
}

/* Whether a node selector term's expressions or a nodeSelector pin the key to values none of which
 * is accepted by ok() (In), or exclude a value ok() accepts (NotIn). */
static bool expr_pins(json_object *expr, const char *key, bool (*ok)(const char *v))
{
        const char *op = json_get_str(expr, "operator");
        json_object *vals = json_get(expr, "values");
        bool any_ok = false;

        if (!streq_ptr(json_get_str(expr, "key"), key))
                return false;
        for (size_t i = 0; i < json_array_len(vals); i++)
                any_ok = any_ok || ok(json_object_get_string(json_object_array_get_idx(vals, i)));
        if (streq_ptr(op, "In"))
                return !any_ok;
        if (streq_ptr(op, "NotIn"))
                return any_ok;
        return false;
}

/* A pod spec (or a pod template's spec) requires key with values ok() rejects. */
static bool spec_pins(json_object *spec, const char *key, bool (*ok)(const char *v))
{
        json_object *sel = json_get(spec, "nodeSelector"), *terms;
        const char *v = json_get_str(sel, key);
        bool all_terms_pin = true;
        size_t n;

        if (v && !ok(v))
                return true;
        terms = json_get(json_get(json_get(json_get(spec, "affinity"), "nodeAffinity"),
                                  "requiredDuringSchedulingIgnoredDuringExecution"),
                         "nodeSelectorTerms");
        n = json_array_len(terms);
        if (n == 0)
                return false;
        /* The terms are ORed: the pod is pinned only when every term pins it. */
        for (size_t i = 0; i < n; i++) {
                json_object *exprs = json_get(json_object_array_get_idx(terms, i), "matchExpressions");
                bool pins = false;
                for (size_t k = 0; k < json_array_len(exprs); k++)
                        pins = pins || expr_pins(json_object_array_get_idx(exprs, k), key, ok);
                all_terms_pin = all_terms_pin && pins;
        }
        return all_terms_pin;
}

static bool sku_ok(const char *v)
{
        return sku_is_azure_linux(v);
}

static bool never_ok(const char *v)
{
        return false;
}

static bool spec_pins_hostname(json_object *spec)
{
        return spec_pins(spec, LABEL_HOSTNAME, never_ok);
}

static const char *owner_kind(json_object *pod)
{
        json_object *refs = json_get(json_get(pod, "metadata"), "ownerReferences");

        return json_get_str(json_array_at(refs, 0), "kind");
}

static const char *owner_name(json_object *pod)
{
        json_object *refs = json_get(json_get(pod, "metadata"), "ownerReferences");

        return json_get_str(json_array_at(refs, 0), "name");
}

/* The key of a pod's ReplicaSet or StatefulSet in Ctx.replicas, or NULL (none, or OOM). */
static char *owner_key(json_object *pod)
{
        const char *kind = owner_kind(pod);
        char *k = NULL;

        if (!streq_ptr(kind, "ReplicaSet") && !streq_ptr(kind, "StatefulSet"))
                return NULL;
        if (asprintf(&k, "%s/%s/%s", strempty(meta(pod, "namespace")), kind, strempty(owner_name(pod))) < 0)
                return NULL;
        return k;
}

/* Counts the pods of every ReplicaSet and StatefulSet once (a cluster has thousands of pods). */
static int count_replicas(Ctx *c)
{
        json_object *all = json_get(c->snap, "pods");

        if (c->replicas)
                return 0;
        c->replicas = json_object_new_object();
        if (!c->replicas)
                return -ENOMEM;
        for (size_t i = 0; i < json_array_len(all); i++) {
                _cleanup_free_ char *k = owner_key(json_array_at(all, i));
                if (k && json_add_int(c->replicas, k, json_get_int(c->replicas, k, 0) + 1) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int pod_id(json_object *pod, char **ret)
{
        return asprintf(ret, "pod/%s/%s", strempty(meta(pod, "namespace")), strempty(meta(pod, "name"))) < 0
                       ? -ENOMEM
                       : 0;
}

/* The pods running on any of nodes. */
static int pods_on(json_object *snap, char *const *nodes, json_object **ret)
{
        _cleanup_json_ json_object *set = json_object_new_object(), *l = json_object_new_array();
        json_object *pods = json_get(snap, "pods");

        if (!set || !l)
                return -ENOMEM;
        /* A set of the node names: a cluster has thousands of pods and hundreds of nodes. */
        for (char *const *n = nodes; n && *n; n++)
                if (json_add_bool(set, *n, true) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < json_array_len(pods); i++) {
                json_object *p = json_object_array_get_idx(pods, i);
                const char *node = json_get_str(json_get(p, "spec"), "nodeName");
                if (node && json_get(set, node) && json_append(l, json_object_get(p)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* A label selector (matchLabels, matchExpressions) matches a pod's labels. An empty selector
 * matches everything, as in policy/v1. */
static bool selector_matches(json_object *sel, json_object *pod)
{
        json_object *labels = json_get(json_get(pod, "metadata"), "labels"),
                    *exprs = json_get(sel, "matchExpressions");

        json_object *match = json_get(sel, "matchLabels");

        if (json_object_is_type(match, json_type_object)) {
                json_object_object_foreach(match, k, v) {
                        if (!streq_ptr(json_get_str(labels, k), json_object_get_string(v)))
                                return false;
                }
        }
        for (size_t i = 0; i < json_array_len(exprs); i++) {
                json_object *e = json_object_array_get_idx(exprs, i), *vals = json_get(e, "values");
                const char *op = json_get_str(e, "operator"),
                           *have = json_get_str(labels, json_get_str(e, "key"));
                bool in = false;
                for (size_t j = 0; have && j < json_array_len(vals); j++)
                        in = in ||
                             streq_ptr(have, json_object_get_string(json_object_array_get_idx(vals, j)));
                if ((streq_ptr(op, "In") && !in) || (streq_ptr(op, "NotIn") && in) ||
                    (streq_ptr(op, "Exists") && !have) || (streq_ptr(op, "DoesNotExist") && have))
                        return false;
        }
        return true;
}

static bool path_is_ubuntu(Ctx *c, const char *path)
{
        json_object *l = json_get(c->targets, "ubuntu_host_paths");

        for (size_t i = 0; path && i < json_array_len(l); i++) {
                const char *p = json_object_get_string(json_object_array_get_idx(l, i));
                if (p && path_startswith(path, p))
                        return true;
        }
        return false;
}

/* The workload findings of one pool. */
static int workload_findings(Ctx *c, const char *pool, char *const *nodes)
{
        _cleanup_json_ json_object *pods = NULL;
        _cleanup_strv_free_ char **pinned = NULL, **hostname = NULL, **hostpath = NULL, **emptydir = NULL,
                                 **bare = NULL, **single = NULL, **pdbs = NULL;
        json_object *budgets = json_get(c->snap, "pdbs");
        int r;

        r = count_replicas(c);
        if (r < 0)
                return r;
        r = pods_on(c->snap, nodes, &pods);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_array_len(pods); i++) {
                json_object *p = json_object_array_get_idx(pods, i), *spec = json_get(p, "spec"),
                            *vols = json_get(spec, "volumes");
                const char *kind = owner_kind(p);
                _cleanup_free_ char *id = NULL;
                bool daemon = streq_ptr(kind, "DaemonSet"), has_empty = false, has_ubuntu = false;

                if (pod_id(p, &id) < 0)
                        return -ENOMEM;
                if (streq_ptr(kind, "Node")) /* a static pod's mirror: the kubelet runs it */
                        continue;
                if (!daemon && spec_pins(spec, LABEL_OS_SKU, sku_ok) && strv_extend(&pinned, id) < 0)
                        return -ENOMEM;
                if (!daemon && spec_pins_hostname(spec) && strv_extend(&hostname, id) < 0)
                        return -ENOMEM;
                for (size_t k = 0; k < json_array_len(vols); k++) {
                        json_object *v = json_object_array_get_idx(vols, k);
                        has_empty = has_empty || json_get(v, "emptyDir");
                        has_ubuntu = has_ubuntu ||
                                     path_is_ubuntu(c, json_get_str(json_get(v, "hostPath"), "path"));
                }
                if (has_ubuntu && strv_extend(&hostpath, id) < 0)
                        return -ENOMEM;
                if (has_empty && !daemon && strv_extend(&emptydir, id) < 0)
                        return -ENOMEM;
                if (!kind && strv_extend(&bare, id) < 0)
                        return -ENOMEM;
                {
                        _cleanup_free_ char *k = owner_key(p);
                        if (k && json_get_int(c->replicas, k, 0) == 1 && strv_extend(&single, id) < 0)
                                return -ENOMEM;
                }
                for (size_t k = 0; !daemon && k < json_array_len(budgets); k++) {
                        json_object *b = json_object_array_get_idx(budgets, k);
                        _cleanup_free_ char *bid = NULL;
                        if (!streq_ptr(meta(b, "namespace"), meta(p, "namespace")) ||
                            json_get_int(json_get(b, "status"), "disruptionsAllowed", 1) > 0 ||
                            !selector_matches(json_get(json_get(b, "spec"), "selector"), p))
                                continue;
                        if (asprintf(&bid, "pdb/%s/%s", strempty(meta(b, "namespace")),
                                     strempty(meta(b, "name"))) < 0)
                                return -ENOMEM;
                        if (!strv_contains(pdbs, bid) && strv_extend(&pdbs, bid) < 0)
                                return -ENOMEM;
                }
        }
        if (pinned && (r = add_finding(c, "workload.pinned-to-ubuntu", pinned,
                                       "Pool %s: %zu pod(s) require %s Ubuntu.", pool, strv_length(pinned),
                                       LABEL_OS_SKU)) < 0)
                return r;
        if (hostname && (r = add_finding(c, "workload.pinned-to-node", hostname,
                                         "Pool %s: %zu pod(s) select their node by %s.", pool,
                                         strv_length(hostname), LABEL_HOSTNAME)) < 0)
                return r;
        if (hostpath && (r = add_finding(c, "workload.hostpath.ubuntu", hostpath,
                                         "Pool %s: %zu pod(s) mount Ubuntu-specific host paths.", pool,
                                         strv_length(hostpath))) < 0)
                return r;
        if (emptydir && (r = add_finding(c, "workload.emptydir", emptydir,
                                         "Pool %s: %zu pod(s) keep data in emptyDir volumes.", pool,
                                         strv_length(emptydir))) < 0)
                return r;
        if (bare && (r = add_finding(c, "workload.bare-pod", bare, "Pool %s: %zu pod(s) have no controller.",
                                     pool, strv_length(bare))) < 0)
                return r;
        if (single && (r = add_finding(c, "workload.single-replica", single,
                                       "Pool %s: %zu workload(s) run a single replica there.", pool,
                                       strv_length(single))) < 0)
                return r;
        if (pdbs &&
            (r = add_finding(c, "workload.pdb.blocks-drain", pdbs,
                             "Pool %s: %zu PodDisruptionBudget(s) allow no disruption of pods there.", pool,
                             strv_length(pdbs))) < 0)
                return r;
        return 0;
}

static int pool_findings(Ctx *c, json_object *pool, json_object *profile)
{
        const char *name = json_get_str(pool, "name"), *size = json_get_str(pool, "vmSize"),
                   *image = json_get_str(pool, "nodeImageVersion"),
                   *rt = json_get_str(pool, "workloadRuntime"),
                   *k8s = json_get_str(profile, "kubernetes_version"),
                   *min = json_get_str(c->target, "min_kubernetes");
        _cleanup_free_ char *res = NULL;
        char *resources[2] = {};
        int r = 0;

        if (asprintf(&res, "pool/%s", name) < 0)
                return -ENOMEM;
        resources[0] = res;
        if (json_get_bool(profile, "gpu", false))
                r = add_finding(c, "nodepool.gpu", resources, "Pool %s: VM size %s%s.", name, strempty(size),
                                json_get(pool, "gpuProfile") ? ", with a GPU profile" : "");
        if (r >= 0 && vm_is_confidential(size) && image && strstr(image, "2004"))
                r = add_finding(c, "nodepool.confidential-vm", resources,
                                "Pool %s: VM size %s, node image %s.", name, strempty(size), image);
        if (r >= 0 && rt && startswith(rt, "Kata"))
                r = add_finding(c, "nodepool.kata", resources, "Pool %s: workload runtime %s.", name, rt);
        if (r >= 0 && json_get_bool(profile, "fips", false))
                r = add_finding(c, "nodepool.fips", resources, "Pool %s: enableFips is true.", name);
        if (r >= 0 &&
            (json_get_bool(profile, "secure_boot", false) || json_get_bool(profile, "vtpm", false)))
                r = add_finding(c, "nodepool.trusted-launch", resources, "Pool %s: Secure Boot %s, vTPM %s.",
                                name, json_get_bool(profile, "secure_boot", false) ? "on" : "off",
                                json_get_bool(profile, "vtpm", false) ? "on" : "off");
        if (r >= 0 && json_get_bool(c->target, "needs_trusted_launch", false) &&
            !(json_get_bool(profile, "secure_boot", false) && json_get_bool(profile, "vtpm", false)))
                r = add_finding(c, "nodepool.trusted-launch.required", resources,
                                "Pool %s: %s needs Secure Boot and vTPM.", name, c->sku);
        if (r >= 0 && vm_is_arm64(size))
                r = add_finding(c, "nodepool.arch.arm64", resources, "Pool %s: VM size %s.", name,
                                strempty(size));
        if (r >= 0 && min && (!k8s || pool_version_compare(k8s, min) < 0))
                r = strv_extend(&c->old_k8s, res);
        if (r >= 0 && c->strategy == POOL_STRATEGY_BLUEGREEN)
                r = add_finding(c, "nodepool.bluegreen.capacity", resources,
                                "Pool %s: %" PRIi64 " more %s VM(s) until the old pool is deleted.", name,
                                json_get_int(profile, "count", 0), strempty(size));
        return r;
}

/* ---- steps ---------------------------------------------------------------------------------- */

/* Appends a new command (the strings up to NULL) to commands. */
static int argv_json(json_object *commands, const char *first, ...)
{
        json_object *a = json_object_new_array();
        va_list ap;
        int r;

        if (!a || json_append(commands, a) < 0)
                return -ENOMEM;
        va_start(ap, first);
        r = json_append_strv(a, first, ap);
        va_end(ap);
        return r;
}

/* Appends the strings up to NULL to the last command of commands. */
static int argv_more(json_object *commands, const char *first, ...)
{
        va_list ap;
        int r;

        va_start(ap, first);
        r = json_append_strv(json_array_at(commands, json_array_len(commands) - 1), first, ap);
        va_end(ap);
        return r;
}

typedef struct StepEnv {
        const char *rg, *cluster, *sku, *pool, *new_pool;
        json_object *profile;
        char **nodes;
        unsigned drain_timeout, drain_batch, soak;
} StepEnv;

static int add_command(const StepEnv *e, json_object *commands)
{
        json_object *p = e->profile, *zones = json_get(p, "zones"), *labels = json_get(p, "labels"),
                    *taints = json_get(p, "taints");
        char buf[32];
        int r;

        r = argv_json(commands, "az", "aks", "nodepool", "add", "-g", e->rg, "--cluster-name", e->cluster,
                      "-n", e->new_pool, "--os-sku", e->sku, "--node-vm-size", json_get_str(p, "vm_size"),
                      NULL);
        if (r < 0)
                return r;
        snprintf(buf, sizeof buf, "%" PRIi64, json_get_int(p, "count", 1));
        if ((r = argv_more(commands, "--node-count", buf, NULL)) < 0)
                return r;
        if (json_get_str(p, "mode") &&
            (r = argv_more(commands, "--mode", json_get_str(p, "mode"), NULL)) < 0)
                return r;
        if (json_array_len(zones) > 0) {
                if ((r = argv_more(commands, "--zones", NULL)) < 0)
                        return r;
                for (size_t i = 0; i < json_array_len(zones); i++)
                        if ((r = argv_more(commands,
                                           json_object_get_string(json_object_array_get_idx(zones, i)),
                                           NULL)) < 0)
                                return r;
        }
        if (json_object_is_type(labels, json_type_object) && json_object_object_length(labels) > 0) {
                if ((r = argv_more(commands, "--labels", NULL)) < 0)
                        return r;
                json_object_object_foreach(labels, k, v) {
                        _cleanup_free_ char *kv = NULL;
                        if (asprintf(&kv, "%s=%s", k, strempty(json_object_get_string(v))) < 0 ||
                            argv_more(commands, kv, NULL) < 0)
                                return -ENOMEM;
                }
        }
        if (json_array_len(taints) > 0) {
                _cleanup_strv_free_ char **l = NULL;
                _cleanup_free_ char *joined = NULL;
                for (size_t i = 0; i < json_array_len(taints); i++)
                        if (strv_extend(&l, json_object_get_string(json_object_array_get_idx(taints, i))) <
                            0)
                                return -ENOMEM;
                joined = strv_join(l, ",");
                if (!joined || argv_more(commands, "--node-taints", joined, NULL) < 0)
                        return -ENOMEM;
        }
        if (json_get(p, "max_pods")) {
                snprintf(buf, sizeof buf, "%" PRIi64, json_get_int(p, "max_pods", 0));
                if ((r = argv_more(commands, "--max-pods", buf, NULL)) < 0)
                        return r;
        }
        if (json_get_str(p, "subnet") &&
            (r = argv_more(commands, "--vnet-subnet-id", json_get_str(p, "subnet"), NULL)) < 0)
                return r;
        if (json_get_str(p, "pod_subnet") &&
            (r = argv_more(commands, "--pod-subnet-id", json_get_str(p, "pod_subnet"), NULL)) < 0)
                return r;
        if (json_get_bool(p, "fips", false) && (r = argv_more(commands, "--enable-fips-image", NULL)) < 0)
                return r;
        if (json_get_str(p, "workload_runtime") &&
            !streq(json_get_str(p, "workload_runtime"), "OCIContainer") &&
            (r = argv_more(commands, "--workload-runtime",
                           startswith(json_get_str(p, "workload_runtime"), "Kata")
                                   ? "KataVmIsolation"
                                   : json_get_str(p, "workload_runtime"),
                           NULL)) < 0)
                return r;
        if (json_get_bool(p, "secure_boot", false) &&
            (r = argv_more(commands, "--enable-secure-boot", NULL)) < 0)
                return r;
        if (json_get_bool(p, "vtpm", false) && (r = argv_more(commands, "--enable-vtpm", NULL)) < 0)
                return r;
        if (json_get(p, "os_disk_size_gb")) {
                snprintf(buf, sizeof buf, "%" PRIi64, json_get_int(p, "os_disk_size_gb", 0));
                if ((r = argv_more(commands, "--node-osdisk-size", buf, NULL)) < 0)
                        return r;
        }
        if (json_get_str(p, "os_disk_type") &&
            (r = argv_more(commands, "--node-osdisk-type", json_get_str(p, "os_disk_type"), NULL)) < 0)
                return r;
        if (json_get_str(p, "max_surge") &&
            (r = argv_more(commands, "--max-surge", json_get_str(p, "max_surge"), NULL)) < 0)
                return r;
        if (json_get_bool(p, "autoscaling", false)) {
                char lo[32], hi[32];
                snprintf(lo, sizeof lo, "%" PRIi64, json_get_int(p, "min_count", 1));
                snprintf(hi, sizeof hi, "%" PRIi64, json_get_int(p, "max_count", 1));
                if ((r = argv_more(commands, "--enable-cluster-autoscaler", "--min-count", lo, "--max-count",
                                   hi, NULL)) < 0)
                        return r;
        }
        if (json_get_str(p, "kubernetes_version") &&
            (r = argv_more(commands, "--kubernetes-version", json_get_str(p, "kubernetes_version"), NULL)) <
                    0)
                return r;
        return argv_more(commands, "--no-wait", "-o", "json", NULL);
}

static int step_commands(const char *kind, const StepEnv *e, json_object *step)
{
        json_object *c = json_get_or_add_array(step, "commands");
        _cleanup_free_ char *sel_old = NULL, *sel_new = NULL, *timeout = NULL;
        int r = 0;

        if (!c || asprintf(&sel_old, LABEL_POOL "=%s", e->pool) < 0 ||
            asprintf(&sel_new, LABEL_POOL "=%s", e->new_pool ?: e->pool) < 0 ||
            asprintf(&timeout, "--timeout=%us", e->drain_timeout) < 0)
                return -ENOMEM;
        if (streq(kind, "update-os-sku"))
                return argv_json(c, "az", "aks", "nodepool", "update", "-g", e->rg, "--cluster-name",
                                 e->cluster, "-n", e->pool, "--os-sku", e->sku, "--no-wait", "-o", "json",
                                 NULL);
        if (streq(kind, "wait-provisioned") || streq(kind, "wait-ready")) {
                r = argv_json(c, "az", "aks", "nodepool", "show", "-g", e->rg, "--cluster-name", e->cluster,
                              "-n", e->new_pool ?: e->pool, "-o", "json", NULL);
                return r < 0 ? r
                             : argv_json(c, "kubectl", "get", "nodes", "-l", sel_new, "-o", "json", NULL);
        }
        if (streq(kind, "verify-nodes") || streq(kind, "soak")) {
                r = argv_json(c, "kubectl", "get", "nodes", "-l", sel_new, "-o", "json", NULL);
                return r < 0 ? r : argv_json(c, "kubectl", "get", "pods", "-A", "-o", "json", NULL);
        }
        if (streq(kind, "add-pool"))
                return add_command(e, c);
        if (streq(kind, "cordon")) {
                STRV_FOREACH(n, e->nodes)
                        if ((r = argv_json(c, "kubectl", "cordon", *n, NULL)) < 0)
                                return r;
                return 0;
        }
        if (streq(kind, "drain")) {
                json_object *batches = json_get_or_add_array(step, "batches"), *b = NULL;
                size_t i = 0;
                STRV_FOREACH(n, e->nodes) {
                        if (i++ % e->drain_batch == 0) {
                                b = json_object_new_array();
                                if (!b || json_append(batches, b) < 0)
                                        return -ENOMEM;
                        }
                        if (json_append_str(b, *n) < 0 ||
                            argv_json(c, "kubectl", "drain", *n, "--ignore-daemonsets",
                                      "--delete-emptydir-data", timeout, NULL) < 0)
                                return -ENOMEM;
                }
                return batches ? 0 : -ENOMEM;
        }
        if (streq(kind, "delete-pool")) {
                if (json_add_bool(step, "point_of_no_return", true) < 0)
                        return -ENOMEM;
                return argv_json(c, "az", "aks", "nodepool", "delete", "-g", e->rg, "--cluster-name",
                                 e->cluster, "-n", e->pool, "--yes", "--no-wait", NULL);
        }
        if (streq(kind, "check")) {
                r = argv_json(c, "az", "version", "-o", "json", NULL);
                if (r >= 0)
                        r = argv_json(c, "az", "aks", "show", "-g", e->rg, "-n", e->cluster, "-o", "json",
                                      NULL);
                if (r >= 0)
                        r = argv_json(c, "az", "aks", "nodepool", "list", "-g", e->rg, "--cluster-name",
                                      e->cluster, "-o", "json", NULL);
                if (r >= 0)
                        r = argv_json(c, "kubectl", "get", "nodes,pods,pdb,daemonsets", "-A", "-o", "json",
                                      NULL);
                return r;
        }
        return 0;
}

static int expand_rw(char *const *templ, const StepEnv *e, json_object **ret)
{
        _cleanup_json_ json_object *a = json_object_new_array();
        _cleanup_free_ char *s = NULL;

        if (!a)
                return -ENOMEM;
        for (char *const *t = templ; t && *t; t++) {
                s = mfree(s);
                if (streq(*t, "@pool")) {
                        if (asprintf(&s, "pool %s", e->pool) < 0)
                                return -ENOMEM;
                } else if (streq(*t, "@new-pool")) {
                        if (asprintf(&s, "pool %s", e->new_pool ?: e->pool) < 0)
                                return -ENOMEM;
                } else if (streq(*t, "@pool-nodes")) {
                        if (asprintf(&s, "the nodes of pool %s", e->pool) < 0)
                                return -ENOMEM;
                } else if ((*t)[0] == '@')
                        return -EBADMSG;
                else if (!(s = strdup(*t)))
                        return -ENOMEM;
                if (json_append_str(a, s) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(a);
        return 0;
}

/* Adds one step (and its checkpoint) for a template; pool steps get the pool's name appended. */
static int add_step(const StepTemplate *t, const StepEnv *e, bool per_pool, json_object *steps,
                    json_object *checkpoints, char **error)
{
        _cleanup_json_ json_object *reads = NULL, *writes = NULL;
        _cleanup_free_ char *id = NULL, *cp_id = NULL;
        json_object *step, *cp;
        int r;

        if (per_pool ? asprintf(&id, "%s-%s", t->id, e->pool) < 0 : !(id = strdup(t->id)))
                return -ENOMEM;
        r = expand_rw(t->reads, e, &reads);
        if (r >= 0)
                r = expand_rw(t->writes, e, &writes);
        if (r == -EBADMSG)
                return cluster_error(
                        error, r,
                        "step '%s': unknown expansion in \"reads\" or \"writes\" (known: @pool, "
                        "@new-pool, @pool-nodes)",
                        t->id);
        if (r < 0)
                return r;
        if (t->checkpoint && asprintf(&cp_id, "cp-%s", id) < 0)
                return -ENOMEM;
        step = json_object_new_object();
        if (!step || json_append(steps, step) < 0)
                return -ENOMEM;
        if (json_add_str(step, "id", id) < 0 || json_add_str(step, "kind", t->kind) < 0 ||
            json_add_str(step, "description", t->description) < 0 ||
            json_add(step, "reads", TAKE_PTR(reads)) < 0 || json_add(step, "writes", TAKE_PTR(writes)) < 0 ||
            json_add_bool(step, "mutates", t->mutates) < 0 ||
            json_add_str(step, "checkpoint_before", cp_id) < 0 || json_add_str(step, "undo", t->undo) < 0 ||
            (per_pool && json_add_str(step, "pool", e->pool) < 0) ||
            (per_pool && e->new_pool && json_add_str(step, "new_pool", e->new_pool) < 0))
                return -ENOMEM;
        r = step_commands(t->kind, e, step);
        if (r < 0)
                return r;
        if (!t->checkpoint)
                return 0;
        cp = json_object_new_object();
        if (!cp || json_append(checkpoints, cp) < 0 || json_add_str(cp, "id", cp_id) < 0 ||
            json_add_str(cp, "before_step", id) < 0 ||
            json_add_str(cp, "kind", checkpoint_kind_to_string(t->checkpoint_kind)) < 0 ||
            json_add_str(cp, "description",
                         t->checkpoint_kind == CHECKPOINT_NONE && streq(t->kind, "delete-pool")
                                 ? "A journal mark before the point of no return: nothing "
                                   "can be rolled back past it."
                                 : plan_checkpoint_description(
                                           checkpoint_kind_to_string(t->checkpoint_kind))) < 0)
                return -ENOMEM;
        return 0;
}

static bool is_global_step(const StepTemplate *t)
{
        return streq(t->kind, "check");
}

static json_object *target_entry(json_object *targets, const char *sku)
{
        json_object *l = json_get(targets, "targets");

        for (size_t i = 0; i < json_array_len(l); i++)
                if (streq_ptr(json_get_str(json_object_array_get_idx(l, i), "os_sku"), sku))
                        return json_object_array_get_idx(l, i);
        return NULL;
}

static int load_targets(const char *plans_dir, json_object **ret, char **error)
{
        _cleanup_free_ char *path = path_join(plans_dir, TARGETS_FILE);
        _cleanup_json_ json_object *t = NULL;
        int r;

        if (!path)
                return -ENOMEM;
        r = json_parse_file(path, TARGETS_MAX, &t);
        if (r < 0)
                return cluster_error(error, r == -ENOENT ? -ENOENT : -EBADMSG, "cannot read %s: %s", path,
                                     r == -EBADMSG ? "not JSON" : strerror(-r));
        if (!streq_ptr(json_get_str(t, "schema"), "azlmigrate/nodepool-targets/v1") ||
            !json_object_is_type(json_get(t, "targets"), json_type_array))
                return cluster_error(error, -EBADMSG,
                                     "%s is not a node-pool targets file (azlmigrate/nodepool-targets/v1)",
                                     path);
        *ret = TAKE_PTR(t);
        return 0;
}

int pool_plan_build(json_object *snap, const PoolPlanOptions *o, json_object **ret, char **ret_error)
{
        _cleanup_json_ json_object *plan = NULL, *targets = NULL, *findings = NULL, *profiles = NULL,
                                   *steps = NULL, *checkpoints = NULL, *json = NULL;
        _cleanup_(strategy_freep) Strategy *strategy = NULL;
        _cleanup_free_ char *error = NULL, *fingerprint = NULL, *from = NULL;
        _cleanup_strv_free_ char **selected = NULL, **new_names = NULL;
        json_object *pools = json_get(snap, "pools"), *cluster = json_get(snap, "cluster");
        const char *rg = json_get_str(snap, "resource_group"), *cname = json_get_str(snap, "cluster_name");
        const char *sku = o->target_sku ?: DEFAULT_SKU, *az = json_get_str(snap, "az_version");
        unsigned drain_timeout = o->drain_timeout_sec ?: DRAIN_TIMEOUT_DEF, batch = o->drain_batch ?: 1,
                 soak = o->soak_sec ?: SOAK_DEF;
        size_t system_pools = 0, system_selected = 0;
        Ctx c = { .snap = snap };
        int r;

        r = cluster_snapshot_check(snap, &error);
        if (r < 0)
                goto finish;
        c.strategy = pool_strategy_from_string(o->strategy);
        r = strategy_load(o->plans_dir, o->strategy, &strategy, &error);
        if (r >= 0 && (c.strategy < 0 || strategy->subject != STRATEGY_SUBJECT_NODEPOOL))
                r = cluster_error(&error, -ENOENT,
                                  "'%s' is not a node-pool strategy (known: ossku-update, bluegreen)",
                                  o->strategy);
        if (r == -EINVAL || (r == -ENOENT && !error))
                r = cluster_error(&error, -ENOENT, "no strategy '%s' (known: ossku-update, bluegreen)",
                                  strempty(o->strategy));
        if (r < 0)
                goto finish;
        r = load_targets(o->plans_dir, &targets, &error);
        if (r < 0)
                goto finish;
        c.targets = targets;
        c.sku = sku;
        c.target = target_entry(targets, sku);
        if (!c.target) {
                r = cluster_error(&error, -ENOENT, "unknown target OS SKU '%s' (known: those of %s/%s)", sku,
                                  o->plans_dir, TARGETS_FILE);
                goto finish;
        }
        r = -ENOMEM;
        findings = json_object_new_array();
        profiles = json_object_new_array();
        steps = json_object_new_array();
        checkpoints = json_object_new_array();
        if (!findings || !profiles || !steps || !checkpoints)
                goto finish;
        c.findings = findings;

        /* Which pools: the named ones (each must exist), or every Linux pool not on Azure Linux. */
        for (char *const *p = o->pools; p && *p; p++) {
                bool found = false;
                for (size_t i = 0; i < json_array_len(pools); i++)
                        found = found ||
                                streq_ptr(json_get_str(json_object_array_get_idx(pools, i), "name"), *p);
                if (!found) {
                        r = cluster_error(&error, -ENOENT, "the cluster has no node pool '%s'", *p);
                        goto finish;
                }
        }
        for (size_t i = 0; i < json_array_len(pools); i++) {
                json_object *pool = json_object_array_get_idx(pools, i);
                const char *name = json_get_str(pool, "name"), *os = json_get_str(pool, "osType");
                _cleanup_free_ char *res = NULL;
                char *resources[2] = {};
                bool is_system = streq_ptr(json_get_str(pool, "mode"), "System");

                if (is_system)
                        system_pools++;
                if (o->pools && !strv_contains(o->pools, name))
                        continue;
                if (asprintf(&res, "pool/%s", name) < 0)
                        goto finish;
                resources[0] = res;
                if (os && !streq(os, "Linux")) {
                        if ((r = add_finding(&c, "nodepool.not-linux", resources, "Pool %s: osType %s.",
                                             name, os)) < 0)
                                goto finish;
                        r = -ENOMEM;
                        continue;
                }
                if (sku_is_azure_linux(json_get_str(pool, "osSku"))) {
                        if ((r = add_finding(&c, "nodepool.already-azurelinux", resources,
                                             "Pool %s: osSku %s.", name, json_get_str(pool, "osSku"))) < 0)
                                goto finish;
                        r = -ENOMEM;
                        continue;
                }
                if (strv_extend(&selected, name) < 0)
                        goto finish;
                if (is_system)
                        system_selected++;
        }
        if (!selected) {
                r = cluster_error(&error, -ENODATA, "no node pool to migrate: %s",
                                  o->pools ? "the pools named are not Linux pools on Ubuntu"
                                           : "every Linux pool runs Azure Linux already");
                goto finish;
        }

        /* Cluster-wide findings. */
        if (c.strategy == POOL_STRATEGY_OSSKU_UPDATE &&
            (!az ||
             pool_version_compare(az, json_get_str(targets, "ossku_update_min_az_cli") ?: "2.61.0") < 0)) {
                char *res[] = { (char *) "az-cli", NULL };
                if ((r = add_finding(&c, "cluster.az-cli.too-old", res,
                                     az ? "The az CLI is %s; the OS SKU update needs %s or later."
                                        : "%sThe snapshot does not say which az CLI took it; the OS SKU "
                                          "update needs "
                                          "%s or later.",
                                     az ?: "",
                                     json_get_str(targets, "ossku_update_min_az_cli") ?: "2.61.0")) < 0)
                        goto finish;
        }
        if (c.strategy == POOL_STRATEGY_OSSKU_UPDATE && system_pools > 0 &&
            system_selected == system_pools) {
                if ((r = add_finding(&c, "cluster.system-pool.all-updated", selected,
                                     "All %zu System pool(s) are updated in place.", system_pools)) < 0)
                        goto finish;
        }
        {
                json_object *ds = json_get(snap, "daemonsets");
                _cleanup_strv_free_ char **pinned = NULL;
                for (size_t i = 0; i < json_array_len(ds); i++) {
                        json_object *d = json_object_array_get_idx(ds, i);
                        _cleanup_free_ char *id = NULL;
                        if (!spec_pins(json_get(json_get(json_get(d, "spec"), "template"), "spec"),
                                       LABEL_OS_SKU, sku_ok))
                                continue;
                        if (asprintf(&id, "daemonset/%s/%s", strempty(meta(d, "namespace")),
                                     strempty(meta(d, "name"))) < 0 ||
                            strv_extend(&pinned, id) < 0)
                                goto finish;
                }
                if (pinned && (r = add_finding(&c, "workload.daemonset.pinned", pinned,
                                               "%zu DaemonSet(s) select %s Ubuntu nodes only.",
                                               strv_length(pinned), LABEL_OS_SKU)) < 0)
                        goto finish;
        }

        /* The global steps, then each pool's. */
        for (size_t k = 0; k < strategy->n_steps; k++) {
                StepEnv e = { .rg = rg, .cluster = cname, .sku = sku };
                if (is_global_step(&strategy->steps[k]) &&
                    (r = add_step(&strategy->steps[k], &e, false, steps, checkpoints, &error)) < 0)
                        goto finish;
        }
        STRV_FOREACH(name, selected) {
                json_object *pool = NULL, *profile = NULL;
                _cleanup_strv_free_ char **nodes = NULL;
                _cleanup_free_ char *new_name = NULL, *rel = NULL;

                for (size_t i = 0; i < json_array_len(pools); i++)
                        if (streq_ptr(json_get_str(json_object_array_get_idx(pools, i), "name"), *name))
                                pool = json_object_array_get_idx(pools, i);
                if ((r = pool_nodes(snap, *name, &nodes)) < 0)
                        goto finish;
                rel = pool_release(snap, pool, nodes);
                if (!rel) {
                        r = cluster_error(
                                &error, -EBADMSG,
                                "cannot tell which Ubuntu release pool %s runs (neither its nodes' osImage "
                                "nor its "
                                "nodeImageVersion or osSku says)",
                                *name);
                        goto finish;
                }
                if (!from && !(from = strdup(rel))) {
                        r = -ENOMEM;
                        goto finish;
                }
                if (c.strategy == POOL_STRATEGY_BLUEGREEN) {
                        r = new_pool_name(pools, *name, new_names, &new_name);
                        if (r == -EEXIST)
                                r = cluster_error(&error, r, "no free name for the new pool of %s", *name);
                        if (r < 0 || (r = strv_extend(&new_names, new_name)) < 0)
                                goto finish;
                }
                if ((r = pool_profile(snap, pool, nodes, new_name, &profile)) < 0)
                        goto finish;
                if (json_add_str(profile, "release", rel) < 0 || json_append(profiles, profile) < 0) {
                        json_object_put(profile);
                        r = -ENOMEM;
                        goto finish;
                }
                if ((r = pool_findings(&c, pool, profile)) < 0 ||
                    (r = workload_findings(&c, *name, nodes)) < 0)
                        goto finish;
                for (size_t k = 0; k < strategy->n_steps; k++) {
                        StepEnv e = { .rg = rg,
                                      .cluster = cname,
                                      .sku = sku,
                                      .pool = *name,
                                      .new_pool = new_name,
                                      .profile = profile,
                                      .nodes = nodes,
                                      .drain_timeout = drain_timeout,
                                      .drain_batch = batch,
                                      .soak = soak };
                        if (!is_global_step(&strategy->steps[k]) &&
                            (r = add_step(&strategy->steps[k], &e, true, steps, checkpoints, &error)) < 0)
                                goto finish;
                }
        }
        if (c.old_k8s) {
                r = add_finding(&c, "cluster.kubernetes.version-unsupported", c.old_k8s,
                                "%zu pool(s) run a Kubernetes version below %s, the lowest that offers %s.",
                                strv_length(c.old_k8s), json_get_str(c.target, "min_kubernetes"), sku);
                if (r < 0)
                        goto finish;
        }
        plan_sort_findings(findings);

        r = cluster_snapshot_fingerprint(snap, &fingerprint);
        if (r < 0)
                goto finish;
        r = -ENOMEM;
        plan = plan_new(from, json_get_str(c.target, "release"), strategy->name);
        if (!plan || json_add_str(plan, "subject", "nodepool") < 0 ||
            json_add_str(plan, "snapshot_fingerprint", fingerprint) < 0)
                goto finish;
        json = json_object_new_object();
        if (!json || json_add_str(json, "resource_group", rg) < 0 || json_add_str(json, "name", cname) < 0 ||
            json_add_str(json, "location", json_get_str(cluster, "location")) < 0 ||
            json_add_str(json, "kubernetes_version",
                         json_get_str(cluster, "currentKubernetesVersion")
                                 ?: json_get_str(cluster, "kubernetesVersion")) < 0 ||
            json_add_str(json, "az_version", az) < 0 || json_add(plan, "cluster", TAKE_PTR(json)) < 0)
                goto finish;
        json = json_object_new_object();
        if (!json || json_add_str(json, "target_os_sku", sku) < 0 ||
            json_add_int(json, "drain_timeout_sec", drain_timeout) < 0 ||
            json_add_int(json, "drain_batch", batch) < 0 || json_add_int(json, "soak_sec", soak) < 0 ||
            json_add_int(json, "poll_sec", o->poll_given ? o->poll_sec : 15) < 0 ||
            json_add_int(json, "wait_timeout_sec", o->wait_timeout_sec ?: 3600) < 0 ||
            json_add(plan, "parameters", TAKE_PTR(json)) < 0)
                goto finish;
        if (plan_add_verdict(plan, findings) < 0 || json_add(plan, "pools", TAKE_PTR(profiles)) < 0 ||
            json_add(plan, "steps", TAKE_PTR(steps)) < 0 ||
            json_add(plan, "checkpoints", TAKE_PTR(checkpoints)) < 0 ||
            json_add(plan, "findings", TAKE_PTR(findings)) < 0)
                goto finish;
        strv_free(c.old_k8s);
        json_object_put(c.replicas);
        *ret = TAKE_PTR(plan);
        return 0;
finish:
        strv_free(c.old_k8s);
        json_object_put(c.replicas);
        if (ret_error)
                *ret_error = TAKE_PTR(error);
        return r;
}
