/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/string-util.h"
#include "shared/strv.h"
#include "containerd-config.h"
#include "toml.h"

/* The CRI plugin names, newest first; "runtime" is where runtimes live, "images" where the sandbox
 * image and the snapshotter live (the same plugin before containerd 2). */
static const struct {
        const char *runtime, *images;
} cri_plugins[] = {
        { "io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images" },
        { "io.containerd.grpc.v1.cri", "io.containerd.grpc.v1.cri" },
        { "cri", "cri" }, /* version 1: [plugins.cri] */
};

ContainerdConfig *containerd_config_free(ContainerdConfig *c)
{
        if (!c)
                return NULL;
        free(c->sandbox_image);
        free(c->default_runtime_name);
        strv_free(c->runtimes);
        free(c->snapshotter);
        strv_free(c->imports);
        free(c);
        return NULL;
}

/* The first string found at any of the NULL-terminated paths. */
static int first_string(const TomlDoc *d, const char *const *const *paths, size_t n, char **ret)
{
        for (size_t i = 0; i < n; i++) {
                const char *s = toml_get_string(d, paths[i]);
                if (s) {
                        *ret = strdup(s);
                        return *ret ? 0 : -ENOMEM;
                }
        }
        *ret = NULL;
        return 0;
}

/* *into and more are sorted and unique; so is the result. Takes ownership of more's strings. */
static int merge_sorted_unique(char ***into, char **more)
{
        size_t na = strv_length(*into), nb = strv_length(more), i = 0, j = 0, k = 0;
        char **a = *into, **l;

        if (nb == 0)
                return 0;
        l = calloc(na + nb + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        while (i < na || j < nb) {
                int cmp = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i], more[j]);
                if (cmp <= 0)
                        l[k++] = a[i++];
                if (cmp >= 0) {
                        if (cmp == 0)
                                free(more[j]);
                        else
                                l[k++] = more[j];
                        j++;
                }
        }
        free(a);
        more[0] = NULL; /* the strings moved; free only the array */
        *into = l;
        return 0;
}

int containerd_config_parse(const char *buf, size_t size, ContainerdConfig **ret, unsigned *ret_error_line)
{
        _cleanup_(containerd_config_freep) ContainerdConfig *c = NULL;
        _cleanup_(toml_doc_freep) TomlDoc *d = NULL;
        int r;

        r = toml_parse(buf, size, &d, ret_error_line);
        if (r < 0)
                return r;
        c = calloc(1, sizeof(ContainerdConfig));
        if (!c)
                return -ENOMEM;
        c->systemd_cgroup = -1;

        c->has_version = toml_get_int(d, (const char *const[]){ "version", NULL }, &c->version) >= 0;
        if (toml_get_string_array(d, (const char *const[]){ "imports", NULL }, &c->imports) < 0)
                return -ENOMEM;

        for (size_t i = 0; i < ELEMENTSOF(cri_plugins); i++) {
                const char *rt = cri_plugins[i].runtime, *im = cri_plugins[i].images;
                const char *const *sandbox[] = {
                        (const char *const[]){ "plugins", im, "pinned_images", "sandbox", NULL },
                        (const char *const[]){ "plugins", im, "sandbox_image", NULL },
                        (const char *const[]){ "plugins", rt, "sandbox_image", NULL },
                };
                const char *const *snapshotter[] = {
                        (const char *const[]){ "plugins", im, "snapshotter", NULL },
                        (const char *const[]){ "plugins", rt, "containerd", "snapshotter", NULL },
                };
                _cleanup_free_ char **names = NULL; /* its strings move into c->runtimes */
                int b;

                if (!c->sandbox_image &&
                    first_string(d, sandbox, ELEMENTSOF(sandbox), &c->sandbox_image) < 0)
                        return -ENOMEM;
                if (!c->snapshotter &&
                    first_string(d, snapshotter, ELEMENTSOF(snapshotter), &c->snapshotter) < 0)
                        return -ENOMEM;
                if (!c->default_runtime_name) {
                        const char *s =
                                toml_get_string(d, (const char *const[]){ "plugins", rt, "containerd",
                                                                          "default_runtime_name", NULL });
                        if (s && !(c->default_runtime_name = strdup(s)))
                                return -ENOMEM;
                }
                if (toml_list_children(
                            d, (const char *const[]){ "plugins", rt, "containerd", "runtimes", NULL },
                            &names) < 0)
                        return -ENOMEM;
                if (merge_sorted_unique(&c->runtimes, names) < 0) {
                        strv_free(TAKE_PTR(names));
                        return -ENOMEM;
                }
                if (c->systemd_cgroup < 0) {
                        b = toml_get_bool(d,
                                          (const char *const[]){ "plugins", rt, "containerd", "runtimes",
                                                                 "runc", "options", "SystemdCgroup", NULL });
                        if (b >= 0)
                                c->systemd_cgroup = b;
                }
        }
        *ret = TAKE_PTR(c);
        return 0;
}
