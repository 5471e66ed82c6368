/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "shared/macro.h"
#include "shared/string-util.h"

/* modprobe.d(5) files, as libkmod reads them:
 *
 *   # 1.1.1.1 Ensure mounting of cramfs filesystems is disabled      (AKS /etc/modprobe.d/CIS.conf)
 *   install cramfs /bin/true
 *   blacklist cramfs
 *   options nf_conntrack hashsize=131072
 *   alias net-pf-10 off
 *   softdep crc32c pre: crc32c-intel
 *   remove foo /sbin/modprobe -r --ignore-remove foo \
 *          && echo done                                              (a '\' continues the line)
 *
 * '#' starts a comment line; fields are separated by blanks. Each directive needs what libkmod
 * requires of it: alias NAME MODULE, options MODULE OPTS, install|remove MODULE COMMAND,
 * blacklist MODULE, softdep|weakdep MODULE DEPS. Anything else (an unknown directive, missing
 * fields, control bytes) is invalid: skipped and counted, as libkmod skips it. */

typedef enum ModprobeDirective {
        MODPROBE_ALIAS,
        MODPROBE_OPTIONS,
        MODPROBE_INSTALL,
        MODPROBE_REMOVE,
        MODPROBE_BLACKLIST,
        MODPROBE_SOFTDEP,
        MODPROBE_WEAKDEP,
        _MODPROBE_DIRECTIVE_MAX,
        _MODPROBE_DIRECTIVE_INVALID = -EINVAL,
} ModprobeDirective;

DECLARE_STRING_TABLE_LOOKUP(modprobe_directive, ModprobeDirective);

typedef struct ModprobeEntry {
        ModprobeDirective directive;
        char *module;  /* the first argument: the module (for alias: the alias name) */
        char *args;    /* the rest, as written minus surrounding blanks (for alias: the module the
                        * alias names); NULL when there is none */
        unsigned line; /* where the directive starts */
} ModprobeEntry;

typedef struct ModprobeFile {
        ModprobeEntry *entries; /* in file order */
        size_t n_entries;
        size_t n_invalid;
        unsigned first_invalid_line;
} ModprobeFile;

/* Returns 0 or -ENOMEM. */
int modprobe_parse(const char *buf, size_t size, ModprobeFile **ret);
ModprobeFile *modprobe_file_free(ModprobeFile *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(ModprobeFile *, modprobe_file_free);
