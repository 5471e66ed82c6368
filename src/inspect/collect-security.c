/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "shared/env-file.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "collect.h"

/* Security-relevant layers that a migration must carry over or that block it: LSMs, FIPS, snaps,
 * DKMS modules, NVIDIA drivers, kata, confidential VMs, Secure Boot, Ubuntu Pro. Runs after the
 * boot, packages, kernel-modules and aks collectors and reads their sections. */

#define SMALL_FILE_MAX   (64u * 1024u)
#define STATUS_JSON_MAX  (1024u * 1024u)
#define DIR_ITEMS_MAX    1024u /* entries looked at in one directory (dkms, snaps, modprobe.d) */
#define JSON_SCAN_DEPTH  8u
#define GRUB_D_FILES_MAX 64u /* env_file_parse() is quadratic in assignments: few files */

static bool package_installed(InspectContext *c, const char *name)
{
        return inventory_find_package(c->inv, name) != NULL;
}

static bool matches_any(const char *name, const char *const *patterns, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (fnmatch(patterns[i], name, 0) == 0)
                        return true;
        return false;
}

/* Appends to arr, sorted, the installed packages whose names match one of the patterns. */
static int packages_matching(InspectContext *c, const char *const *patterns, size_t n, json_object *arr)
{
        json_object_object_foreach(c->inv->packages, name, list) {
                (void) list;
                if (matches_any(name, patterns, n) && !json_array_has_str(arr, name) &&
                    json_append_str(arr, name) < 0)
                        return -ENOMEM;
        }
        json_array_sort_strings(arr);
        return 0;
}

/* Appends every string below v (values of objects and arrays, depth-limited) to *out, blank-separated. */
static int gather_strings(json_object *v, unsigned depth, char **out)
{
        if (!v || depth > JSON_SCAN_DEPTH)
                return 0;
        if (json_object_is_type(v, json_type_string)) {
                char *n;
                if (asprintf(&n, "%s%s%s", strempty(*out), *out ? " " : "", json_object_get_string(v)) < 0)
                        return -ENOMEM;
                free(*out);
                *out = n;
                return 0;
        }
        if (json_object_is_type(v, json_type_array)) {
                size_t n = json_object_array_length(v);
                for (size_t i = 0; i < n; i++) {
                        int r = gather_strings(json_object_array_get_idx(v, i), depth + 1, out);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (json_object_is_type(v, json_type_object)) {
                json_object_object_foreach(v, key, val) {
                        int r;
                        (void) key;
                        r = gather_strings(val, depth + 1, out);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* Adds the assignments of the shell-style KEY=value file path (read up to SMALL_FILE_MAX bytes) to *env,
 * later ones overriding earlier ones. Returns 0 (also when there is no such file) or -errno. */
static int read_env_file(InspectContext *c, const char *path, char ***env)
{
        _cleanup_free_ char *buf = NULL;
        size_t size;
        int r;

        r = collect_read_file(c, path, SMALL_FILE_MAX, &buf, &size);
        if (r <= 0)
                return r;
        return env_file_parse(buf, size, env, NULL) < 0 ? -ENOMEM : 0;
}

/* The kernel command line: the boot section's "cmdline" (whatever its shape: a string, a list, or an
 * object of strings), else what /etc/default/grub and /etc/default/grub.d/ *.cfg assemble. */
static int kernel_cmdline(InspectContext *c, char **ret)
{
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *out = NULL;
        json_object *cmd = json_get(json_get(c->inv->root, "boot"), "cmdline");
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        if (cmd) {
                r = gather_strings(cmd, 0, &out);
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(out);
                return 0;
        }
        r = read_env_file(c, "/etc/default/grub", &env);
        if (r < 0)
                return r;
        r = collect_read_dir(c, "/etc/default/grub.d", &e, &n);
        if (r < 0)
                return r;
        for (size_t i = 0, files = 0; i < n && files < GRUB_D_FILES_MAX; i++) {
                _cleanup_free_ char *p = NULL;

                if (!endswith(e[i].name, ".cfg"))
                        continue;
                files++;
                if (asprintf(&p, "/etc/default/grub.d/%s", e[i].name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = read_env_file(c, p, &env);
                if (r < 0)
                        break;
        }
        guest_dir_entries_free(e, n);
        if (r < 0)
                return r;
        if (asprintf(&out, "%s %s", strempty(env_get(env, "GRUB_CMDLINE_LINUX")),
                     strempty(env_get(env, "GRUB_CMDLINE_LINUX_DEFAULT"))) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(out);
        return 0;
}

/* The value of the last "name=value" parameter on the command line, NULL if none. */
static const char *cmdline_param(char *const *words, const char *name)
{
        const char *v = NULL;

        for (size_t i = 0; words && words[i]; i++) {
                const char *p = startswith(words[i], name);
                if (p && *p == '=')
                        v = p + 1;
        }
        return v;
}

static int collect_apparmor(InspectContext *c, char *const *cmdline, json_object *sec)
{
        static const char *const patterns[] = { "*apparmor*" };
        json_object *o = json_get_or_add_object(sec, "apparmor"), *pk;
        const char *aa = cmdline_param(cmdline, "apparmor"), *security = cmdline_param(cmdline, "security"),
                   *lsm = cmdline_param(cmdline, "lsm");
        GuestDirEntry *e = NULL;
        size_t n = 0, profiles = 0;
        bool enabled;
        int r;

        if (!o || !(pk = json_get_or_add_array(o, "packages")))
                return -ENOMEM;
        r = packages_matching(c, patterns, ELEMENTSOF(patterns), pk);
        if (r < 0)
                return r;
        /* The kernel: apparmor=0 disables it; lsm= (a list) takes precedence over security= (one
         * major LSM). */
        enabled = package_installed(c, "apparmor") && !streq_ptr(aa, "0");
        if (enabled && lsm) {
                _cleanup_strv_free_ char **l = NULL;
                if (strv_split(lsm, ",", &l) < 0)
                        return -ENOMEM;
                enabled = strv_contains(l, "apparmor");
        } else if (enabled && security)
                enabled = streq(security, "apparmor");

        r = collect_read_dir(c, "/etc/apparmor.d", &e, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                profiles += e[i].type == GUEST_FILE_REGULAR;
        guest_dir_entries_free(e, n);
        if (json_add_bool(o, "enabled", enabled) < 0 || json_add_int(o, "profiles", (int64_t) profiles) < 0)
                return -ENOMEM;
        return 0;
}

static int collect_selinux(InspectContext *c, json_object *sec)
{
        _cleanup_strv_free_ char **env = NULL;
        json_object *o = json_get_or_add_object(sec, "selinux");
        int r;

        if (!o)
                return -ENOMEM;
        r = read_env_file(c, "/etc/selinux/config", &env);
        if (r < 0)
                return r;
        return json_add_str(o, "config", env_get(env, "SELINUX"));
}

static int exists(InspectContext *c, const char *path)
{
        GuestStat st;
        int r = guest_stat(c->guest, path, &st);

        if (r == -ENOMEM)
                return r;
        return r >= 0;
}

static int collect_fips(InspectContext *c, char *const *cmdline, json_object *sec)
{
        static const char *const patterns[] = { "*fips*" };
        /* Files that say the FIPS service was set up: RHEL-style /etc/system-fips; the Ubuntu Pro
         * client's apt sources for its fips services (AgentBaker removes them after enabling FIPS on
         * its images, so packages and fips=1 are the main evidence there); the old ubuntu-advantage
         * script's grub snippet. */
        static const char *const state_files[] = {
                "/etc/system-fips",
                "/etc/apt/sources.list.d/ubuntu-fips.list",
                "/etc/apt/sources.list.d/ubuntu-fips.sources",
                "/etc/apt/sources.list.d/ubuntu-fips-updates.list",
                "/etc/apt/sources.list.d/ubuntu-fips-updates.sources",
                "/etc/apt/sources.list.d/ubuntu-fips-preview.list",
                "/etc/apt/sources.list.d/ubuntu-fips-preview.sources",
                "/etc/default/grub.d/99-fips.cfg",
        };
        json_object *o = json_get_or_add_object(sec, "fips"), *pk, *ev;
        int r;

        if (!o || !(pk = json_get_or_add_array(o, "packages")) ||
            !(ev = json_get_or_add_array(o, "evidence")))
                return -ENOMEM;
        r = packages_matching(c, patterns, ELEMENTSOF(patterns), pk);
        if (r < 0)
                return r;
        if (streq_ptr(cmdline_param(cmdline, "fips"), "1") && json_append_str(ev, "fips=1") < 0)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(state_files); i++) {
                r = exists(c, state_files[i]);
                if (r < 0)
                        return r;
                if (r > 0 && json_append_str(ev, state_files[i]) < 0)
                        return -ENOMEM;
        }
        return json_add_bool(o, "enabled", json_object_array_length(ev) > 0);
}

static int collect_snaps(InspectContext *c, json_object *sec)
{
        json_object *o = json_get_or_add_object(sec, "snaps"), *arr;
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        if (!o || !(arr = json_get_or_add_array(o, "installed")))
                return -ENOMEM;
        /* /var/lib/snapd/snaps/<name>_<revision>.snap */
        r = collect_read_dir(c, "/var/lib/snapd/snaps", &e, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && i < DIR_ITEMS_MAX; i++) {
                _cleanup_free_ char *name = NULL;
                const char *us;

                if (!endswith(e[i].name, ".snap") || !(us = strrchr(e[i].name, '_')) || us == e[i].name)
                        continue;
                name = strndup(e[i].name, (size_t) (us - e[i].name));
                if (!name || (!json_array_has_str(arr, name) && json_append_str(arr, name) < 0)) {
                        guest_dir_entries_free(e, n);
                        return -ENOMEM;
                }
        }
        guest_dir_entries_free(e, n);
        e = NULL;
        n = 0;
        /* /snap/<name>/ (and /snap/bin, which is not a snap) */
        r = collect_read_dir(c, "/snap", &e, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && i < DIR_ITEMS_MAX; i++)
                if (e[i].type == GUEST_FILE_DIRECTORY && !streq(e[i].name, "bin") &&
                    !json_array_has_str(arr, e[i].name) && json_append_str(arr, e[i].name) < 0) {
                        guest_dir_entries_free(e, n);
                        return -ENOMEM;
                }
        guest_dir_entries_free(e, n);
        json_array_sort_strings(arr);
        return json_add_bool(o, "snapd_installed", package_installed(c, "snapd"));
}

/* /var/lib/dkms/<module>/<version>/<kernel>/<arch>/: a module version built for a kernel. Beside the
 * version directories dkms keeps "kernel-<kver>-<arch>" symlinks, and in each version a "source"
 * symlink and a "build" directory; those are not versions or kernels. */
static int dkms_module(InspectContext *c, const char *module, json_object *arr, bool *ret_nvidia)
{
        _cleanup_free_ char *mdir = NULL;
        GuestDirEntry *v = NULL;
        size_t nv = 0;
        int r;

        if (asprintf(&mdir, "/var/lib/dkms/%s", module) < 0)
                return -ENOMEM;
        r = collect_read_dir(c, mdir, &v, &nv);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < nv && i < DIR_ITEMS_MAX; i++) {
                _cleanup_free_ char *vdir = NULL;
                json_object *m, *built;
                GuestDirEntry *k = NULL;
                size_t nk = 0;

                if (v[i].type != GUEST_FILE_DIRECTORY)
                        continue;
                m = json_object_new_object();
                if (!m || json_append(arr, m) < 0 || json_add_str(m, "name", module) < 0 ||
                    json_add_str(m, "version", v[i].name) < 0 ||
                    !(built = json_get_or_add_array(m, "built_for")) ||
                    asprintf(&vdir, "%s/%s", mdir, v[i].name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                *ret_nvidia = *ret_nvidia || startswith(module, "nvidia");
                r = collect_read_dir(c, vdir, &k, &nk);
                if (r < 0)
                        break;
                for (size_t j = 0; j < nk && j < DIR_ITEMS_MAX; j++) {
                        _cleanup_free_ char *kdir = NULL;
                        GuestDirEntry *a = NULL;
                        size_t na = 0;
                        bool has_arch = false;

                        if (k[j].type != GUEST_FILE_DIRECTORY || streq(k[j].name, "build") ||
                            streq(k[j].name, "source"))
                                continue;
                        if (asprintf(&kdir, "%s/%s", vdir, k[j].name) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                        r = collect_read_dir(c, kdir, &a, &na);
                        if (r < 0)
                                break;
                        for (size_t l = 0; l < na; l++)
                                has_arch = has_arch || a[l].type == GUEST_FILE_DIRECTORY;
                        guest_dir_entries_free(a, na);
                        if (has_arch && json_append_str(built, k[j].name) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                }
                guest_dir_entries_free(k, nk);
                if (r < 0)
                        break;
                json_array_sort_strings(built);
        }
        guest_dir_entries_free(v, nv);
        return r < 0 ? r : 0;
}

static int collect_dkms(InspectContext *c, json_object *sec, bool *ret_nvidia)
{
        json_object *o = json_get_or_add_object(sec, "dkms"), *arr;
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        if (!o || !(arr = json_get_or_add_array(o, "modules")))
                return -ENOMEM;
        r = collect_read_dir(c, "/var/lib/dkms", &e, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && i < DIR_ITEMS_MAX; i++) {
                if (e[i].type != GUEST_FILE_DIRECTORY)
                        continue; /* dkms_dbversion */
                r = dkms_module(c, e[i].name, arr, ret_nvidia);
                if (r < 0)
                        break;
        }
        guest_dir_entries_free(e, n);
        if (r < 0)
                return r;
        return json_add_bool(o, "package_installed", package_installed(c, "dkms"));
}

/* True when text names an NVIDIA module as a word: nvidia, nvidia_uvm, nvidia-peermem, but not
 * nvidiafb, which Ubuntu's own /etc/modprobe.d/blacklist-framebuffer.conf blacklists everywhere. */
static bool mentions_nvidia(const char *text, size_t len)
{
        for (const char *p = text, *end = text + len; p < end; p++) {
                const char *q;

                if ((size_t) (end - p) < 6 || strncasecmp(p, "nvidia", 6) != 0)
                        continue;
                if (p > text && ((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z') ||
                                 (p[-1] >= '0' && p[-1] <= '9')))
                        continue;
                q = p + 6;
                if (q == end ||
                    !((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')))
                        return true;
        }
        return false;
}

/* Like mentions_nvidia(), for a modprobe.d or modules-load.d file: comment lines do not count. */
static bool config_mentions_nvidia(const char *buf, size_t size)
{
        LineIter it = line_iter_init(buf, size);
        const char *line;
        size_t len;

        while (line_iter_next(&it, &line, &len)) {
                size_t i = 0;

                while (i < len && (line[i] == ' ' || line[i] == '\t'))
                        i++;
                if (i < len && (line[i] == '#' || line[i] == ';'))
                        continue;
                if (mentions_nvidia(line + i, len - i))
                        return true;
        }
        return false;
}

/* 1 if a *.conf file of dir names an NVIDIA module (in its name or its content), 0 if not. */
static int dir_mentions_nvidia(InspectContext *c, const char *dir)
{
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        r = collect_read_dir(c, dir, &e, &n);
        if (r <= 0)
                return r;
        r = 0;
        for (size_t i = 0; i < n && i < DIR_ITEMS_MAX && r == 0; i++) {
                _cleanup_free_ char *p = NULL, *buf = NULL;
                size_t size;

                if (!endswith(e[i].name, ".conf"))
                        continue;
                if (mentions_nvidia(e[i].name, strlen(e[i].name))) {
                        r = 1;
                        break;
                }
                if (asprintf(&p, "%s/%s", dir, e[i].name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = collect_read_file(c, p, SMALL_FILE_MAX, &buf, &size);
                if (r > 0)
                        r = config_mentions_nvidia(buf, size);
        }
        guest_dir_entries_free(e, n);
        return r;
}

/* 1 if /etc/modprobe.d, /etc/modules-load.d or /etc/modules name an NVIDIA module, else 0. The
 * kernel-modules collector's directives (config.kernel_modules: {file, directive, module, args, ...})
 * are used when it ran; the files are read only without them. /etc/modules is read either way. */
static int modules_files_mention_nvidia(InspectContext *c)
{
        json_object *km = json_get(json_get(c->inv->root, "config"), "kernel_modules");
        _cleanup_free_ char *buf = NULL;
        size_t size;
        int r;

        if (json_object_is_type(km, json_type_array)) {
                size_t n = json_object_array_length(km);

                for (size_t i = 0; i < n; i++) {
                        json_object *d = json_object_array_get_idx(km, i);
                        const char *module = json_get_str(d, "module"), *args = json_get_str(d, "args");

                        if (!startswith(strempty(json_get_str(d, "file")), "/etc/"))
                                continue; /* packages' own files (/usr/lib/modprobe.d) follow the packages */
                        if ((module && mentions_nvidia(module, strlen(module))) ||
                            (args && mentions_nvidia(args, strlen(args))))
                                return 1;
                }
        } else {
                r = dir_mentions_nvidia(c, "/etc/modprobe.d");
                if (r != 0)
                        return r;
                r = dir_mentions_nvidia(c, "/etc/modules-load.d");
                if (r != 0)
                        return r;
        }
        r = collect_read_file(c, "/etc/modules", SMALL_FILE_MAX, &buf, &size);
        return r <= 0 ? r : config_mentions_nvidia(buf, size);
}

static int collect_nvidia(InspectContext *c, json_object *sec, bool dkms_nvidia)
{
        static const char *const drivers[] = {
                "nvidia-driver-*", "nvidia-dkms-*", "libnvidia-*",
                "nvidia-kernel-*", "cuda-drivers*", "nvidia-container-toolkit*",
        };
        /* Packages that put an NVIDIA kernel driver on the machine (not only user space). */
        static const char *const kernel_drivers[] = {
                "nvidia-driver-*", "nvidia-dkms-*",          "nvidia-kernel-*",
                "cuda-drivers*",   "linux-modules-nvidia-*",
        };
        json_object *o = json_get_or_add_object(sec, "nvidia"), *arr, *aks, *runtimes;
        _cleanup_json_ json_object *kd = json_object_new_array();
        const char *accel, *def;
        bool configured, gpu;
        int r;

        if (!o || !kd || !(arr = json_get_or_add_array(o, "drivers")))
                return -ENOMEM;
        r = packages_matching(c, drivers, ELEMENTSOF(drivers), arr);
        if (r < 0)
                return r;
        r = packages_matching(c, kernel_drivers, ELEMENTSOF(kernel_drivers), kd);
        if (r < 0)
                return r;
        r = modules_files_mention_nvidia(c);
        if (r < 0)
                return r;
        configured = r > 0;

        /* What AKS says: the accelerator node label, the NVIDIA container runtime in containerd. */
        aks = json_get(c->inv->root, "aks");
        accel = json_get_str(json_get(json_get(aks, "kubelet"), "node_labels"),
                             "kubernetes.azure.com/accelerator");
        def = json_get_str(json_get(json_get(aks, "containerd"), "config"), "default_runtime_name");
        runtimes = json_get(json_get(json_get(aks, "containerd"), "config"), "runtimes");
        gpu = json_object_array_length(kd) > 0 || configured || dkms_nvidia || streq_ptr(accel, "nvidia") ||
              streq_ptr(def, "nvidia-container-runtime") ||
              (runtimes && json_array_has_str(runtimes, "nvidia-container-runtime"));
        if (json_add_bool(o, "modules_configured", configured) < 0 || json_add_bool(o, "gpu_node", gpu) < 0)
                return -ENOMEM;
        return 0;
}

static int collect_kata(InspectContext *c, json_object *sec)
{
        static const char *const patterns[] = { "kata-*", "kata" };
        _cleanup_json_ json_object *pk = json_object_new_array();
        json_object *o = json_get_or_add_object(sec, "kata"), *runtimes;
        bool present;
        size_t n;
        int r;

        if (!o || !pk)
                return -ENOMEM;
        r = packages_matching(c, patterns, ELEMENTSOF(patterns), pk);
        if (r < 0)
                return r;
        present = json_object_array_length(pk) > 0;
        r = guest_is_type(c->guest, "/opt/kata", GUEST_FILE_DIRECTORY);
        if (r == -ENOMEM)
                return r;
        present = present || r > 0;
        runtimes = json_get(json_get(json_get(json_get(c->inv->root, "aks"), "containerd"), "config"),
                            "runtimes");
        n = runtimes ? json_object_array_length(runtimes) : 0;
        for (size_t i = 0; i < n; i++)
                present =
                        present ||
                        startswith(strempty(json_object_get_string(json_object_array_get_idx(runtimes, i))),
                                   "kata");
        return json_add_bool(o, "present", present);
}

static int collect_cvm(InspectContext *c, json_object *sec)
{
        /* Ubuntu confidential VM images: the FDE kernel flavour and nullboot (AgentBaker CVM builds
         * install linux-image-azure-fde-lts-<release> and nullboot), "cvm" kernel flavours. */
        static const char *const patterns[] = {
                "linux-image-*fde*", "linux-*-cvm*", "linux-*cvm-*", "nullboot", "azure-cvm*",
        };
        json_object *o = json_get_or_add_object(sec, "confidential_vm"), *pk;
        int r;

        if (!o || !(pk = json_get_or_add_array(o, "packages")))
                return -ENOMEM;
        r = packages_matching(c, patterns, ELEMENTSOF(patterns), pk);
        if (r < 0)
                return r;
        return json_add_bool(o, "present", json_object_array_length(pk) > 0);
}

static bool is_shim_name(const char *s)
{
        const char *base = strrchr(s, '/');

        base = base ? base + 1 : s;
        return strncasecmp(base, "shim", 4) == 0 && strlen(base) > 8 &&
               strcasecmp(base + strlen(base) - 4, ".efi") == 0;
}

static bool json_has_shim(json_object *v, unsigned depth)
{
        if (!v || depth > JSON_SCAN_DEPTH)
                return false;
        if (json_object_is_type(v, json_type_string))
                return is_shim_name(json_object_get_string(v));
        if (json_object_is_type(v, json_type_array)) {
                size_t n = json_object_array_length(v);
                for (size_t i = 0; i < n; i++)
                        if (json_has_shim(json_object_array_get_idx(v, i), depth + 1))
                                return true;
        }
        if (json_object_is_type(v, json_type_object)) {
                json_object_object_foreach(v, key, val) {
                        (void) key;
                        if (json_has_shim(val, depth + 1))
                                return true;
                }
        }
        return false;
}

/* Without the boot section's view of the ESP: /boot/efi/EFI/<vendor>/shim*.efi, where the guest mounts it.
 */
static int esp_has_shim(InspectContext *c)
{
        GuestDirEntry *v = NULL;
        size_t nv = 0;
        int r, found = 0;

        r = collect_read_dir(c, "/boot/efi/EFI", &v, &nv);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < nv && i < DIR_ITEMS_MAX && !found; i++) {
                _cleanup_free_ char *p = NULL;
                GuestDirEntry *f = NULL;
                size_t nf = 0;

                if (v[i].type != GUEST_FILE_DIRECTORY)
                        continue;
                if (asprintf(&p, "/boot/efi/EFI/%s", v[i].name) < 0) {
                        found = -ENOMEM;
                        break;
                }
                r = collect_read_dir(c, p, &f, &nf);
                if (r < 0) {
                        found = r;
                        break;
                }
                for (size_t j = 0; j < nf; j++)
                        found = found || (f[j].type == GUEST_FILE_REGULAR && is_shim_name(f[j].name));
                guest_dir_entries_free(f, nf);
        }
        guest_dir_entries_free(v, nv);
        return found;
}

static int collect_secure_boot(InspectContext *c, json_object *sec)
{
        json_object *o = json_get_or_add_object(sec, "secure_boot");
        json_object *esp = json_get(json_get(c->inv->root, "boot"), "esp");
        GuestDirEntry *e = NULL;
        bool kernel = false;
        size_t n = 0;
        int shim, r;

        if (!o)
                return -ENOMEM;
        shim = esp ? json_has_shim(json_get(esp, "loaders"), 0) : esp_has_shim(c);
        if (shim < 0)
                return shim;
        /* A heuristic: Ubuntu's archive kernels (linux-image-*) are signed for Secure Boot, so a
         * kernel image in /boot counts as signed; the signature itself is not verified. */
        r = collect_read_dir(c, "/boot", &e, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                kernel = kernel || (startswith(e[i].name, "vmlinuz-") && e[i].type == GUEST_FILE_REGULAR);
        guest_dir_entries_free(e, n);
        if (json_add_bool(o, "shim", shim > 0) < 0 || json_add_bool(o, "signed_kernel", kernel) < 0)
                return -ENOMEM;
        return 0;
}

/* Ubuntu Pro: attached when the client holds a machine token (its existence only: the file is a
 * secret and is never opened), or when its status cache says so. From status.json only the keys
 * "attached" and the names of the services whose status is "enabled" are read. */
static int collect_ubuntu_pro(InspectContext *c, json_object *sec)
{
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        _cleanup_json_ json_object *status = NULL;
        _cleanup_free_ char *buf = NULL;
        json_object *o = json_get_or_add_object(sec, "ubuntu_pro"), *arr, *services;
        bool attached;
        size_t size, n;
        int r;

        if (!o || !(arr = json_get_or_add_array(o, "services")))
                return -ENOMEM;
        r = exists(c, "/var/lib/ubuntu-advantage/private/machine-token.json");
        if (r < 0)
                return r;
        attached = r > 0;
        r = collect_read_file(c, "/var/lib/ubuntu-advantage/status.json", STATUS_JSON_MAX, &buf, &size);
        if (r < 0)
                return r;
        if (r > 0 && size <= INT32_MAX) {
                tok = json_tokener_new();
                if (!tok)
                        return -ENOMEM;
                status = json_tokener_parse_ex(tok, buf, (int) size);
                if (json_tokener_get_error(tok) != json_tokener_success) {
                        json_object_put(status);
                        status = NULL; /* damaged: the machine token alone decides */
                }
        }
        attached = attached || json_get_bool(status, "attached", false);
        services = json_get(status, "services");
        n = json_object_is_type(services, json_type_array) ? json_object_array_length(services) : 0;
        for (size_t i = 0; i < n && i < DIR_ITEMS_MAX; i++) {
                json_object *s = json_object_array_get_idx(services, i);
                const char *name = json_get_str(s, "name");

                if (name && streq_ptr(json_get_str(s, "status"), "enabled") &&
                    !json_array_has_str(arr, name) && json_append_str(arr, name) < 0)
                        return -ENOMEM;
        }
        json_array_sort_strings(arr);
        return json_add_bool(o, "attached", attached);
}

int collect_security(InspectContext *c)
{
        _cleanup_strv_free_ char **words = NULL;
        _cleanup_free_ char *cmdline = NULL;
        json_object *sec = inventory_section(c->inv, "security");
        bool dkms_nvidia = false;
        int r;

        if (!sec)
                return -ENOMEM;
        r = kernel_cmdline(c, &cmdline);
        if (r < 0)
                return r;
        if (cmdline && strv_split(cmdline, " \t\n", &words) < 0)
                return -ENOMEM;

        if ((r = collect_apparmor(c, words, sec)) < 0 || (r = collect_selinux(c, sec)) < 0 ||
            (r = collect_fips(c, words, sec)) < 0 || (r = collect_snaps(c, sec)) < 0 ||
            (r = collect_dkms(c, sec, &dkms_nvidia)) < 0 || (r = collect_nvidia(c, sec, dkms_nvidia)) < 0 ||
            (r = collect_kata(c, sec)) < 0 || (r = collect_cvm(c, sec)) < 0 ||
            (r = collect_secure_boot(c, sec)) < 0 || (r = collect_ubuntu_pro(c, sec)) < 0)
                return r;
        return 0;
}
