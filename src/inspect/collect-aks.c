/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/env-file.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "collect.h"
#include "containerd-config.h"
#include "go-buildinfo.h"
#include "kubelet-env.h"

/* The AKS node layer of a guest: kubelet, containerd, runc, CNI, /etc/kubernetes and the AKS
 * component packages, laid out as Azure/AgentBaker provisions Ubuntu nodes. */

#define KUBELET_DEFAULTS_PATH "/etc/default/kubelet"
/* /etc/default/kubelet is about 4 KiB; env_file_parse() is quadratic in assignments, so keep it small. */
#define KUBELET_DEFAULTS_MAX   (64u * 1024u)
#define UNIT_FILE_MAX          (64u * 1024u)
#define CONTAINERD_CONFIG_PATH "/etc/containerd/config.toml"
#define VHD_LOG_PATH           "/opt/azure/vhd-install.complete"
#define VHD_LOG_HEAD           4096u
#define KUBERNETES_DIR         "/etc/kubernetes"
#define KUBERNETES_FILES_MAX   10000u
#define KUBERNETES_DEPTH_MAX   6u
#define VERSION_MAX            128u

static const char *const kubelet_binaries[] = {
        "/usr/local/bin/kubelet", /* where AgentBaker installs it (kubelet.service ExecStart) */
        "/usr/bin/kubelet",       /* distribution packages */
        "/opt/bin/kubelet",
};

/* Where cached kubelet-<version> binaries are kept: /opt/bin by the VHD build (dpkg-deb -x of the
 * kubelet package), /usr/local/bin by older CSE scripts (installKubeletKubectlAndKubeProxy). */
static const char *const kubelet_cache_dirs[] = { "/opt/bin", "/usr/local/bin" };

static const char *const unit_dirs[] = {
        "/etc/systemd/system",
        "/usr/local/lib/systemd/system",
        "/usr/lib/systemd/system",
        "/lib/systemd/system",
};

/* AKS node components and their package names on Ubuntu, derived from Azure/AgentBaker
 * parts/common/components.json at commit 06836ee2301e362039418c3a7ed0fe6004a641fd (the "ubuntu"
 * rows with a renovateTag package name). Sorted by package name. */
static const struct {
        const char *component, *package;
} aks_components[] = {
        { "aks-secure-tls-bootstrap-client", "aks-secure-tls-bootstrap-client" },
        { "azure-acr-credential-provider-pmc", "azure-acr-credential-provider" },
        { "blobfuse", "blobfuse" },
        { "blobfuse2", "blobfuse2" },
        { "containernetworking-plugins", "containernetworking-plugins" },
        { "datacenter-gpu-manager-4-core", "datacenter-gpu-manager-4-core" },
        { "datacenter-gpu-manager-4-proprietary", "datacenter-gpu-manager-4-proprietary" },
        { "dcgm-exporter", "dcgm-exporter" },
        { "dra-driver-nvidia-gpu", "dra-driver-nvidia-gpu" },
        { "inspektor-gadget", "ig" },
        { "kubectl", "kubectl" },
        { "kubelet", "kubelet" },
        { "kubernetes-cri-tools", "kubernetes-cri-tools" },
        { "containerd", "moby-containerd" },
        { "runc", "moby-runc" },
        { "node-exporter", "node-exporter-kubernetes" },
        { "nvidia-device-plugin", "nvidia-device-plugin" },
};

static const char *const containerd_packages[] = { "moby-containerd", "containerd", "containerd.io",
                                                   "containerd2" };
static const char *const runc_packages[] = { "moby-runc", "runc" };

static bool is_version_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c != 0 && strchr(".+~_-", c));
}

/* A version as Kubernetes writes it, with a "v": "1.34.4" and "v1.34.4" give "v1.34.4". For a dpkg
 * version (package), the epoch and the Debian revision are dropped: "1:1.34.10-ubuntu22.04u1" gives
 * "v1.34.10"; a file name keeps a suffix such as "-akslts". NULL when s does not look like a version. */
static char *kubernetes_version_from(const char *s, bool package)
{
        const char *colon = strchr(s, ':'), *e;
        char *v;

        if (colon && package)
                s = colon + 1;
        if (*s == 'v')
                s++;
        if (*s < '0' || *s > '9')
                return NULL;
        for (e = s; *e && (!package || *e != '-'); e++)
                if (!is_version_char(*e))
                        return NULL;
        if ((size_t) (e - s) > VERSION_MAX)
                return NULL;
        if (asprintf(&v, "v%.*s", (int) (e - s), s) < 0)
                return NULL;
        return v;
}

/* The <version> of a "kubelet-<version>" file name, NULL if name is not one. */
static const char *cached_version(const char *name)
{
        const char *v = startswith(name, "kubelet-");

        if (!v || strlen(v) > VERSION_MAX ||
            !((*v >= '0' && *v <= '9') || (*v == 'v' && v[1] >= '0' && v[1] <= '9')))
                return NULL;
        for (const char *p = v; *p; p++)
                if (!is_version_char(*p))
                        return NULL;
        return v;
}

static int cmp_version_json(const void *a, const void *b)
{
        return strverscmp(json_object_get_string(*(json_object *const *) a),
                          json_object_get_string(*(json_object *const *) b));
}

typedef struct GuestReader {
        Guest *guest;
        const char *path;
} GuestReader;

static int guest_reader(void *userdata, uint64_t offset, size_t size, void *buf, size_t *ret_n)
{
        GuestReader *r = userdata;
        return guest_pread(r->guest, r->path, offset, size, buf, ret_n);
}

/* The kubelet version from the binary's Go build information: 1 found, 0 not. */
static int version_from_buildinfo(InspectContext *c, const char *binary, char **ret)
{
        _cleanup_(go_buildinfo_freep) GoBuildinfo *b = NULL;
        GuestReader rd = { .guest = c->guest, .path = binary };
        GuestStat st;
        int r;

        r = guest_stat(c->guest, binary, &st);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        r = go_buildinfo_read(guest_reader, &rd, st.size, &b);
        if (r == -ENOMEM)
                return r;
        if (r <= 0)
                return 0; /* not Go, or damaged: the other sources may still know */
        return go_buildinfo_kubernetes_version(b, ret);
}

/* The version in the name of the file a /usr/local/bin/kubelet symlink leads to
 * (/opt/bin/kubelet-v1.34.4): 1 found, 0 not. */
static int version_from_filename(InspectContext *c, const char *binary, char **ret)
{
        _cleanup_free_ char *canon = NULL;
        const char *base, *v;
        int r;

        r = guest_resolve(c->guest, binary, /* follow= */ true, &canon);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        base = strrchr(canon, '/');
        v = cached_version(base ? base + 1 : canon);
        if (!v)
                return 0;
        *ret = kubernetes_version_from(v, /* package= */ false);
        return *ret ? 1 : 0;
}

static int find_unit(InspectContext *c, const char *name, char **ret)
{
        for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++) {
                _cleanup_free_ char *p = NULL;
                int r;

                if (asprintf(&p, "%s/%s", unit_dirs[i], name) < 0)
                        return -ENOMEM;
                r = guest_is_type(c->guest, p, GUEST_FILE_REGULAR);
                if (r == -ENOMEM)
                        return r;
                if (r > 0) {
                        *ret = TAKE_PTR(p);
                        return 1;
                }
        }
        *ret = NULL;
        return 0;
}

/* Reads the KUBELET_* assignments of Environment= lines of a unit file or drop-in into env. */
static int read_unit_environment(InspectContext *c, const char *path, char ***env)
{
        _cleanup_free_ char *buf = NULL;
        size_t size;
        int r;

        r = collect_read_file(c, path, UNIT_FILE_MAX, &buf, &size);
        if (r <= 0)
                return r;
        return kubelet_env_parse_unit(buf, size, "KUBELET_", env);
}

/* The *.conf files of kubelet.service.d in every unit directory, each directory once. */
static int collect_dropins(InspectContext *c, json_object *dropins, char ***env)
{
        _cleanup_strv_free_ char **seen = NULL;

        for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++) {
                _cleanup_free_ char *dir = NULL, *canon = NULL;
                GuestDirEntry *e = NULL;
                size_t n = 0;
                int r;

                if (asprintf(&dir, "%s/kubelet.service.d", unit_dirs[i]) < 0)
                        return -ENOMEM;
                r = guest_resolve(c->guest, dir, /* follow= */ true, &canon);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || strv_contains(seen, canon))
                        continue;
                if (strv_extend(&seen, canon) < 0)
                        return -ENOMEM;
                r = collect_read_dir(c, dir, &e, &n);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < n; j++) {
                        _cleanup_free_ char *p = NULL;

                        if (!endswith(e[j].name, ".conf") || e[j].type == GUEST_FILE_DIRECTORY)
                                continue;
                        if (asprintf(&p, "%s/%s", dir, e[j].name) < 0 || json_append_str(dropins, p) < 0) {
                                guest_dir_entries_free(e, n);
                                return -ENOMEM;
                        }
                        r = read_unit_environment(c, p, env);
                        if (r < 0) {
                                guest_dir_entries_free(e, n);
                                return r;
                        }
                }
                guest_dir_entries_free(e, n);
        }
        json_array_sort_strings(dropins);
        return 0;
}

static int collect_cached_versions(InspectContext *c, json_object *arr)
{
        for (size_t i = 0; i < ELEMENTSOF(kubelet_cache_dirs); i++) {
                GuestDirEntry *e = NULL;
                size_t n = 0;
                int r = collect_read_dir(c, kubelet_cache_dirs[i], &e, &n);

                if (r < 0)
                        return r;
                for (size_t j = 0; j < n; j++) {
                        const char *v = cached_version(e[j].name);
                        if (v && !json_array_has_str(arr, v) && json_append_str(arr, v) < 0) {
                                guest_dir_entries_free(e, n);
                                return -ENOMEM;
                        }
                }
                guest_dir_entries_free(e, n);
        }
        json_object_array_sort(arr, cmp_version_json);
        return 0;
}

/* Looks for --config in the KUBELET_* variables, the ones holding "FLAGS" first. */
static int find_config_flag(char **env, char **ret)
{
        for (int pass = 0; pass < 2; pass++)
                STRV_FOREACH(e, env) {
                        _cleanup_strv_free_ char **words = NULL;
                        const char *eq = strchr(*e, '=');
                        bool flags = strstr(*e, "FLAGS") && (!eq || strstr(*e, "FLAGS") < eq);
                        int r;

                        if (!eq || !startswith(*e, "KUBELET_") || flags != (pass == 0))
                                continue;
                        r = kubelet_env_split_words(eq + 1, &words);
                        if (r < 0)
                                return r;
                        r = kubelet_env_flag_value(words, "--config", ret);
                        if (r != 0)
                                return r;
                }
        return 0;
}

/* Fills o with the KUBELET_* entries of env. */
static int add_kubelet_env(json_object *o, char **env)
{
        STRV_FOREACH(e, env) {
                _cleanup_free_ char *k = NULL;
                const char *eq = strchr(*e, '=');

                if (!eq || !startswith(*e, "KUBELET_"))
                        continue;
                k = strndup(*e, (size_t) (eq - *e));
                if (!k || json_add_str(o, k, eq + 1) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int node_labels_from(char *const *env, char ***ret)
{
        const char *labels = env_get(env, "KUBELET_NODE_LABELS");
        _cleanup_free_ char *from_flags = NULL;
        int r;

        if (isempty(labels)) {
                _cleanup_strv_free_ char **words = NULL;
                const char *f = env_get(env, "KUBELET_FLAGS");

                if (!f) {
                        *ret = NULL;
                        return 0;
                }
                r = kubelet_env_split_words(f, &words);
                if (r < 0)
                        return r;
                r = kubelet_env_flag_value(words, "--node-labels", &from_flags);
                if (r < 0)
                        return r;
                labels = from_flags;
        }
        if (!labels) {
                *ret = NULL;
                return 0;
        }
        return kubelet_env_node_labels(labels, ret);
}

static int collect_kubelet(InspectContext *c, json_object *aks, bool *ret_present, char **ret_image_version)
{
        _cleanup_strv_free_ char **env = NULL, **unit_env = NULL, **labels = NULL;
        _cleanup_free_ char *unit = NULL, *version = NULL, *config = NULL, *buf = NULL;
        json_object *k, *cached, *dropins, *flags, *node_labels, *unit_environment;
        const char *binary = NULL, *source = NULL;
        size_t size;
        int r;

        k = json_get_or_add_object(aks, "kubelet");
        if (!k)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(kubelet_binaries) && !binary; i++) {
                r = guest_is_type(c->guest, kubelet_binaries[i], GUEST_FILE_REGULAR);
                if (r == -ENOMEM)
                        return r;
                if (r > 0)
                        binary = kubelet_binaries[i];
        }
        r = find_unit(c, "kubelet.service", &unit);
        if (r < 0)
                return r;

        if (binary) {
                r = version_from_buildinfo(c, binary, &version);
                if (r < 0)
                        return r;
                if (r > 0)
                        source = "buildinfo";
        }
        if (binary && !version) {
                r = version_from_filename(c, binary, &version);
                if (r < 0)
                        return r;
                if (r > 0)
                        source = "filename";
        }
        if (!version) {
                json_object *p = inventory_find_package(c->inv, "kubelet");
                const char *pv = json_get_str(p, "version");

                if (pv && (version = kubernetes_version_from(pv, /* package= */ true)))
                        source = "package";
        }

        if (json_add_str(k, "binary", binary) < 0 || json_add_str(k, "version", version) < 0 ||
            json_add_str(k, "version_source", source) < 0 || json_add_str(k, "unit", unit) < 0)
                return -ENOMEM;
        cached = json_get_or_add_array(k, "cached_versions");
        dropins = json_get_or_add_array(k, "dropins");
        flags = json_get_or_add_object(k, "flags");
        node_labels = json_get_or_add_object(k, "node_labels");
        unit_environment = json_get_or_add_object(k, "unit_environment");
        if (!cached || !dropins || !flags || !node_labels || !unit_environment)
                return -ENOMEM;
        r = collect_cached_versions(c, cached);
        if (r < 0)
                return r;
        if (unit) {
                r = read_unit_environment(c, unit, &unit_env);
                if (r < 0)
                        return r;
        }
        r = collect_dropins(c, dropins, &unit_env);
        if (r < 0)
                return r;
        if (add_kubelet_env(unit_environment, unit_env) < 0)
                return -ENOMEM;

        r = collect_read_file(c, KUBELET_DEFAULTS_PATH, KUBELET_DEFAULTS_MAX, &buf, &size);
        if (r < 0)
                return r;
        if (r > 0) {
                r = kubelet_env_parse_file(buf, size, &env);
                if (r < 0)
                        return r;
        }
        if (add_kubelet_env(flags, env) < 0)
                return -ENOMEM;
        r = node_labels_from(env, &labels);
        if (r < 0)
                return r;
        STRV_FOREACH(l, labels) {
                char *eq = strchr(*l, '=');
                *eq = 0;
                if (json_add_str(node_labels, *l, eq + 1) < 0)
                        return -ENOMEM;
                if (streq(*l, "kubernetes.azure.com/node-image-version")) {
                        free(*ret_image_version);
                        *ret_image_version = strdup(eq + 1);
                        if (!*ret_image_version)
                                return -ENOMEM;
                }
        }

        /* --config in /etc/default/kubelet, else in the unit's Environment= lines */
        r = find_config_flag(env, &config);
        if (r == 0)
                r = find_config_flag(unit_env, &config);
        if (r < 0)
                return r;
        r = config ? guest_is_type(c->guest, config, GUEST_FILE_REGULAR) : 0;
        if (r == -ENOMEM)
                return r;
        if (json_add_str(k, "config_file", config) < 0 || json_add_bool(k, "config_file_exists", r > 0) < 0)
                return -ENOMEM;

        if ((binary || unit) && !version) {
                r = inventory_add_finding(c->inv, "aks.kubelet.version-unknown", binary ?: unit,
                                          "kubelet %s has no version in its build information, file name or "
                                          "package",
                                          binary ?: unit);
                if (r < 0)
                        return r;
        }
        *ret_present = binary || unit;
        return 0;
}

static json_object *first_package(InspectContext *c, const char *const *names, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                json_object *p = inventory_find_package(c->inv, names[i]);
                if (p)
                        return p;
        }
        return NULL;
}

static int add_package_version(json_object *o, json_object *pkg)
{
        if (json_add_str(o, "version", json_get_str(pkg, "version")) < 0 ||
            json_add_str(o, "package", json_get_str(pkg, "name")) < 0)
                return -ENOMEM;
        return 0;
}

static int containerd_config_json(const ContainerdConfig *cc, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *rts, *imports;

        if (!o)
                return -ENOMEM;
        if (json_add(o, "version", cc->has_version ? json_object_new_int64(cc->version) : NULL) < 0 ||
            json_add_str(o, "sandbox_image", cc->sandbox_image) < 0 ||
            json_add(o, "systemd_cgroup",
                     cc->systemd_cgroup < 0 ? NULL : json_object_new_boolean(cc->systemd_cgroup)) < 0 ||
            json_add_str(o, "default_runtime_name", cc->default_runtime_name) < 0 ||
            json_add_str(o, "snapshotter", cc->snapshotter) < 0)
                return -ENOMEM;
        rts = json_get_or_add_array(o, "runtimes");
        imports = json_get_or_add_array(o, "config_imports");
        if (!rts || !imports)
                return -ENOMEM;
        STRV_FOREACH(s, cc->runtimes)
                if (json_append_str(rts, *s) < 0)
                        return -ENOMEM;
        STRV_FOREACH(s, cc->imports)
                if (json_append_str(imports, *s) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

static int collect_containerd(InspectContext *c, json_object *aks)
{
        _cleanup_(containerd_config_freep) ContainerdConfig *cc = NULL;
        _cleanup_free_ char *buf = NULL;
        json_object *o, *cfg = NULL, *runc;
        unsigned line = 0;
        size_t size;
        int r;

        o = json_get_or_add_object(aks, "containerd");
        runc = json_get_or_add_object(aks, "runc");
        if (!o || !runc)
                return -ENOMEM;
        if (add_package_version(o, first_package(c, containerd_packages, ELEMENTSOF(containerd_packages))) <
                    0 ||
            add_package_version(runc, first_package(c, runc_packages, ELEMENTSOF(runc_packages))) < 0)
                return -ENOMEM;

        r = collect_read_file(c, CONTAINERD_CONFIG_PATH, CONFIG_FILE_MAX, &buf, &size);
        if (r < 0)
                return r;
        if (json_add_str(o, "config_path", r > 0 ? CONTAINERD_CONFIG_PATH : NULL) < 0)
                return -ENOMEM;
        if (r > 0) {
                r = containerd_config_parse(buf, size, &cc, &line);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        r = inventory_add_finding(
                                c->inv, "aks.containerd.config.invalid", CONTAINERD_CONFIG_PATH,
                                "%s line %u: %s", CONTAINERD_CONFIG_PATH, line,
                                r == -E2BIG ? "exceeds the reader's limits" : "not valid TOML");
                        if (r < 0)
                                return r;
                } else {
                        r = containerd_config_json(cc, &cfg);
                        if (r < 0)
                                return r;
                }
        }
        return json_add(o, "config", cfg);
}

/* Names of everything below /etc/kubernetes. Names only: the files hold private keys and are never
 * opened. Symlinks are listed, not followed. */
static int walk_kubernetes(InspectContext *c, const char *dir, unsigned depth, json_object *arr,
                           bool *truncated)
{
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        r = collect_read_dir(c, dir, &e, &n);
        if (r == -ENOMEM)
                return r;
        if (r <= 0)
                return 0; /* unreadable subdirectory: skip it */
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = NULL;

                if (json_object_array_length(arr) >= KUBERNETES_FILES_MAX) {
                        *truncated = true;
                        break;
                }
                if (asprintf(&p, "%s/%s", dir, e[i].name) < 0 || json_append_str(arr, p) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (e[i].type == GUEST_FILE_DIRECTORY && depth < KUBERNETES_DEPTH_MAX) {
                        r = walk_kubernetes(c, p, depth + 1, arr, truncated);
                        if (r < 0)
                                break;
                }
        }
        guest_dir_entries_free(e, n);
        return r < 0 ? r : 0;
}

static int collect_vhd_build(InspectContext *c, json_object *aks)
{
        json_object *o = json_get_or_add_object(aks, "vhd_build");
        _cleanup_free_ char *started = NULL;
        char head[VHD_LOG_HEAD + 1];
        size_t n = 0;
        int r;

        if (!o)
                return -ENOMEM;
        r = guest_is_type(c->guest, VHD_LOG_PATH, GUEST_FILE_REGULAR);
        if (r == -ENOMEM)
                return r;
        if (r > 0 && guest_pread(c->guest, VHD_LOG_PATH, 0, VHD_LOG_HEAD, head, &n) >= 0) {
                /* AgentBaker: echo "Starting build on " $(date) > /opt/azure/vhd-install.complete */
                const char *s;

                head[n] = 0;
                head[strcspn(head, "\n")] = 0;
                s = startswith(head, "Starting build on");
                if (s) {
                        started = strdup(s);
                        if (!started)
                                return -ENOMEM;
                        if (isempty(strstrip(started)))
                                started = mfree(started);
                }
        }
        if (json_add_bool(o, "present", r > 0) < 0 ||
            json_add_str(o, "started", started ? strstrip(started) : NULL) < 0)
                return -ENOMEM;
        return 0;
}

static int list_names(InspectContext *c, const char *dir, json_object *arr)
{
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r = collect_read_dir(c, dir, &e, &n);

        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (json_append_str(arr, e[i].name) < 0) {
                        guest_dir_entries_free(e, n);
                        return -ENOMEM;
                }
        guest_dir_entries_free(e, n);
        return 0;
}

static int collect_components(InspectContext *c, json_object *aks)
{
        json_object *arr = json_get_or_add_array(aks, "components");

        if (!arr)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(aks_components); i++) {
                json_object *p = inventory_find_package(c->inv, aks_components[i].package), *o;

                if (!p)
                        continue;
                o = json_object_new_object();
                if (!o || json_append(arr, o) < 0)
                        return -ENOMEM;
                if (json_add_str(o, "component", aks_components[i].component) < 0 ||
                    json_add_str(o, "name", aks_components[i].package) < 0 ||
                    json_add_str(o, "version", json_get_str(p, "version")) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int collect_aks(InspectContext *c)
{
        _cleanup_free_ char *image_version = NULL;
        json_object *aks = inventory_section(c->inv, "aks"), *files, *cni, *bins, *confs;
        bool kubelet = false, truncated = false;
        int r, etc_k8s;

        if (!aks)
                return -ENOMEM;
        r = collect_kubelet(c, aks, &kubelet, &image_version);
        if (r < 0)
                return r;
        r = collect_containerd(c, aks);
        if (r < 0)
                return r;

        files = json_get_or_add_array(aks, "kubernetes_files");
        if (!files)
                return -ENOMEM;
        etc_k8s = guest_is_type(c->guest, KUBERNETES_DIR, GUEST_FILE_DIRECTORY);
        if (etc_k8s == -ENOMEM)
                return etc_k8s;
        if (etc_k8s > 0) {
                r = walk_kubernetes(c, KUBERNETES_DIR, 1, files, &truncated);
                if (r < 0)
                        return r;
                json_array_sort_strings(files);
        }
        if (json_add_bool(aks, "kubernetes_files_truncated", truncated) < 0 ||
            json_add_str(aks, "node_image_version", image_version) < 0)
                return -ENOMEM;

        r = collect_vhd_build(c, aks);
        if (r < 0)
                return r;
        cni = json_get_or_add_object(aks, "cni");
        bins = cni ? json_get_or_add_array(cni, "bin_dir_entries") : NULL;
        confs = cni ? json_get_or_add_array(cni, "conf_files") : NULL;
        if (!bins || !confs)
                return -ENOMEM;
        r = list_names(c, "/opt/cni/bin", bins);
        if (r < 0)
                return r;
        r = list_names(c, "/etc/cni/net.d", confs);
        if (r < 0)
                return r;
        r = collect_components(c, aks);
        if (r < 0)
                return r;

        return json_add_bool(aks, "is_node", kubelet || etc_k8s > 0);
}
