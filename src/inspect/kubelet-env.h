/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* How an AKS node passes its kubelet configuration: variables that the kubelet unit expands on its
 * command line (Azure/AgentBaker parts/linux/cloud-init/artifacts/kubelet.service):
 *
 *   EnvironmentFile=/etc/default/kubelet
 *   ExecStart=/usr/local/bin/kubelet --enable-server --node-labels="${KUBELET_NODE_LABELS}" ...
 *           $KUBELET_TLS_BOOTSTRAP_FLAGS $KUBELET_CONFIG_FILE_FLAGS $KUBELET_CONTAINERD_FLAGS $KUBELET_FLAGS
 *
 * with /etc/default/kubelet holding, unquoted,
 *   KUBELET_FLAGS=--address=0.0.0.0 --anonymous-auth=false --authentication-token-webhook=true ...
 *   KUBELET_NODE_LABELS=kubernetes.azure.com/role=agent,agentpool=nodepool1,...
 * and drop-ins such as kubelet.service.d/10-componentconfig.conf holding
 *   Environment="KUBELET_CONFIG_FILE_FLAGS=--config /etc/default/kubeletconfig.json" */

/* Parses an EnvironmentFile such as /etc/default/kubelet into env ("KEY=VALUE" strv, updated in
 * place). Assignments are read by env_file_parse() (shell rules); an unquoted value with blanks
 * inside, which a shell would not take but systemd reads as one value up to the end of the line
 * (systemd.exec(5) EnvironmentFile=), is then taken the systemd way. Returns 0, or -ENOMEM. */
int kubelet_env_parse_file(const char *buf, size_t size, char ***env);

/* Adds the assignments of variables whose names start with prefix ("" for all) of every
 * Environment= line of a unit file or drop-in to env. At most 1024 variables are kept; assignments
 * of further new names are ignored. Returns 0, or -ENOMEM. */
int kubelet_env_parse_unit(const char *buf, size_t size, const char *prefix, char ***env);

/* Splits s into words as systemd splits Environment= and ExecStart= lines: at blanks, with '...'
 * and "..." quoting and backslash escapes (an unterminated quote runs to the end).
 * Returns 0 with a strv (NULL when there are no words), or -ENOMEM. */
int kubelet_env_split_words(const char *s, char ***ret);

/* Finds flag (e.g. "--config") in words, as "--config=VALUE" or "--config VALUE".
 * Returns 1 with the value (caller frees), 0 when absent, or -ENOMEM. */
int kubelet_env_flag_value(char *const *words, const char *flag, char **ret);

/* Parses a --node-labels value "k1=v1,k2=v2" (a leading "--node-labels=" is skipped) into a strv of
 * "key=value" in the order given; items without '=' or with an empty key are skipped, as the
 * kubelet rejects them. Returns 0 with the strv (NULL when empty), or -ENOMEM. */
int kubelet_env_node_labels(const char *s, char ***ret);
