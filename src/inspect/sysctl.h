/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/macro.h"

/* sysctl.d(5) and sysctl.conf(5) files, as systemd-sysctl and procps read them:
 *
 *   # 3.1.2 Ensure packet redirect sending is disabled        (AKS /etc/sysctl.d/60-CIS.conf)
 *   net.ipv4.conf.all.send_redirects = 0
 *   net.ipv4.tcp_retries2=8                                    (AKS 999-sysctl-aks.conf)
 *   ; a comment
 *   kernel/yama/ptrace_scope = 1                               ('/' separators)
 *   -net.ipv4.conf.all.rp_filter = 2                           ('-': failures are ignored)
 *   net.ipv4.conf.*.rp_filter = 2                              (glob, systemd 50-default.conf)
 *   -net.ipv4.conf.all.rp_filter                               (no '=': excluded from the globs)
 *
 * Blanks around keys and values are removed; a key is normalised to '.' separators (when its
 * first separator is '/', '/' and '.' swap, so "net/ipv4/conf/eth0.100/forwarding" becomes
 * "net.ipv4.conf.eth0/100.forwarding", as systemd does). A line that is not an assignment, has
 * an empty key, or holds bytes no key can hold (NUL, control characters) is invalid: skipped and
 * counted. */

typedef struct SysctlEntry {
        char *key;          /* normalised */
        char *value;        /* NULL for a "-key" exclusion line */
        bool ignore_errors; /* the line started with '-' */
        unsigned line;
} SysctlEntry;

typedef struct SysctlFile {
        SysctlEntry *entries; /* in file order */
        size_t n_entries;
        size_t n_invalid;
        unsigned first_invalid_line;
} SysctlFile;

/* Returns 0 or -ENOMEM. */
int sysctl_parse(const char *buf, size_t size, SysctlFile **ret);
SysctlFile *sysctl_file_free(SysctlFile *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(SysctlFile *, sysctl_file_free);

/* Normalises a key in place ("kernel/yama/ptrace_scope" -> "kernel.yama.ptrace_scope"). */
char *sysctl_normalize_key(char *key);
