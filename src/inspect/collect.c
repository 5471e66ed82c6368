/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "shared/json-util.h"
#include "shared/path-util.h"
#include "collect.h"

static const Collector collectors[] = {
        { "os-release", collect_os_release },
        { "identity", collect_identity },
        { "packages", collect_dpkg },
        { "packages-rpm", collect_rpm },
        { "apt", collect_apt },
        { "fstab", collect_fstab },
        { "boot", collect_boot },
        { "systemd", collect_systemd },
        { "sysctl", collect_sysctl },
        { "kernel-modules", collect_kernel_modules },
        { "network", collect_network },
        { "users", collect_users },
        { "certs", collect_certs },
        { "aks", collect_aks },
        { "security", collect_security },
};

const Collector *collectors_all(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(collectors);
        return collectors;
}

static bool is_absent(int r)
{
        return r == -ENOENT || r == -ENOTDIR || r == -ELOOP || r == -EISDIR || r == -EPERM;
}

int collect_read_file(InspectContext *c, const char *path, size_t max, char **ret, size_t *ret_size)
{
        int r = guest_read_file(c->guest, path, max, ret, ret_size);

        if (r == -EFBIG) {
                r = inventory_add_finding(c->inv, "inspect.file.too-large", path,
                                          "'%s' is larger than %zu bytes and was not read", path, max);
                return r < 0 ? r : 0;
        }
        if (is_absent(r))
                return 0;
        return r < 0 ? r : 1;
}

int collect_read_dir(InspectContext *c, const char *path, GuestDirEntry **ret, size_t *ret_n)
{
        int r = guest_read_dir(c->guest, path, ret, ret_n);

        if (is_absent(r))
                return 0;
        return r < 0 ? r : 1;
}

int collect_list_paths(InspectContext *c, const char *dir,
                       bool (*want)(const GuestDirEntry *e, const void *userdata), const void *userdata,
                       json_object *arr)
{
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        r = collect_read_dir(c, dir, &e, &n);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *p = NULL;

                if (e[i].name[0] == '.' || (want && !want(&e[i], userdata)))
                        continue;
                p = path_join(dir, e[i].name);
                r = p ? json_append_str(arr, p) : -ENOMEM;
        }
        guest_dir_entries_free(e, n);
        return r < 0 ? r : 0;
}
