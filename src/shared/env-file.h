/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "macro.h"

/* Parser for shell-style assignment files: os-release(5), /etc/default/grub and the .cfg files in grub.d,
 * /etc/default/kubelet. Handles, as the shell would:
 *   KEY=value  KEY="double quoted \"x\" $OTHER ${OTHER}"  KEY='single'  export KEY=v  # comments
 * and double-quoted values that span lines. $VAR references are expanded from the assignments
 * already in *env (so grub.d fragments can say GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX x").
 * Anything else (commands, conditionals) is skipped and counted.
 *
 * env is a strv of "KEY=VALUE" that is updated in place (a later assignment replaces an earlier
 * one). Returns 0 and, in ret_unparsed, how many statements were skipped; or -ENOMEM. */
int env_file_parse(const char *buf, size_t size, char ***env, size_t *ret_unparsed);

/* Returns the value of key in env, or NULL. */
const char *env_get(char *const *env, const char *key) _pure_;

/* Sets key=value in env, replacing an existing entry. Returns 0 or -ENOMEM. */
int env_set(char ***env, const char *key, const char *value);
