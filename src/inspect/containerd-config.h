/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"

/* What matters for a migration in containerd's /etc/containerd/config.toml (containerd-config.toml(5)).
 * The keys moved between config versions, so every place is tried:
 *   version 1 (no "version" key):  [plugins.cri] sandbox_image, [plugins.cri.containerd] ...
 *   version 2 (containerd 1.x):    [plugins."io.containerd.grpc.v1.cri"] sandbox_image = "..."
 *                                  [plugins."io.containerd.grpc.v1.cri".containerd] default_runtime_name,
 *                                  snapshotter, runtimes.<name>.options.SystemdCgroup
 *   version 3 (containerd 2.x):    [plugins."io.containerd.cri.v1.images"] snapshotter,
 *                                  [plugins."io.containerd.cri.v1.images".pinned_images] sandbox
 *                                  [plugins."io.containerd.cri.v1.runtime".containerd] runtimes...
 * AKS does not keep the version and the plugin names in step: its containerd 2 template writes
 * "version = 2" with the io.containerd.cri.v1.* plugins, and its kata runtimes mix both plugin names
 * in one file (Azure/AgentBaker aks-node-controller/parser/templates/containerd.toml.gtpl and
 * containerd_v2.toml.gtpl). So every place is tried whatever the version, and runtimes are collected
 * from all of them. */

typedef struct ContainerdConfig {
        bool has_version;
        int64_t version;
        char *sandbox_image;
        int systemd_cgroup; /* runc's options.SystemdCgroup: 1, 0, or -1 when not set */
        char *default_runtime_name;
        char **runtimes; /* sorted, unique; NULL when none */
        char *snapshotter;
        char **imports; /* the top-level imports = [...] list, in file order */
} ContainerdConfig;

/* Parses config.toml. Returns 0 and the result; -EBADMSG or -E2BIG when the file is not TOML (or
 * exceeds the reader's limits), with the line in *ret_error_line; or -ENOMEM. */
int containerd_config_parse(const char *buf, size_t size, ContainerdConfig **ret, unsigned *ret_error_line);

ContainerdConfig *containerd_config_free(ContainerdConfig *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ContainerdConfig *, containerd_config_free);
