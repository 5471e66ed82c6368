/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"

/* Parsers for the account databases in files form: passwd(5), group(5), shadow(5).
 *
 *   azureuser:x:1000:1000:Ubuntu:/home/azureuser:/bin/bash           passwd: exactly 7 fields
 *   sudo:x:27:azureuser                                               group: exactly 4 fields
 *   azureuser:!:19800:0:99999:7:::                                    shadow: 9 fields (>= 2 used)
 *
 * As glibc's nss_files does, empty lines and lines starting with '#' are skipped; NIS compat
 * entries ("+", "-" prefixes) are skipped too. Any other line that does not have the expected
 * fields, an empty name, a uid or gid that is not a decimal number below 2^32-1, or a NUL byte
 * is counted as invalid and skipped, as is a group with more than GROUP_MEMBERS_MAX members.
 * Nothing is ever kept of a shadow password hash. */

#define GROUP_MEMBERS_MAX 4096u

typedef struct PasswdEntry {
        char *name;
        uint32_t uid;
        uint32_t gid;
        char *gecos;
        char *home;
        char *shell;
} PasswdEntry;

typedef struct GroupEntry {
        char *name;
        uint32_t gid;
        char **members; /* strv, possibly NULL */
} GroupEntry;

typedef struct ShadowEntry {
        char *name;
        bool password_set; /* a hash is present: not empty and not starting with '!' or '*' */
} ShadowEntry;

/* Entries in file order (duplicates kept: the first one is what glibc returns). */
typedef struct PasswdList {
        PasswdEntry *entries;
        size_t n;
        size_t n_invalid;
        size_t first_invalid_line; /* 1-based, 0 if none */
} PasswdList;

typedef struct GroupList {
        GroupEntry *entries;
        size_t n;
        size_t n_invalid;
        size_t first_invalid_line;
} GroupList;

typedef struct ShadowList {
        ShadowEntry *entries;
        size_t n;
        size_t n_invalid;
        size_t first_invalid_line;
} ShadowList;

/* Each returns 0 with the list filled (caller calls *_done()), or -ENOMEM (list then empty). */
int passwd_parse(const char *buf, size_t size, PasswdList *ret);
int group_parse(const char *buf, size_t size, GroupList *ret);
int shadow_parse(const char *buf, size_t size, ShadowList *ret);

void passwd_list_done(PasswdList *l);
void group_list_done(GroupList *l);
void shadow_list_done(ShadowList *l);

/* Parses a uid or gid: decimal digits only, below 2^32-1 ((uid_t) -1 is "no id").
 * Returns 0 or -EINVAL. */
int passwd_parse_id(const char *s, size_t n, uint32_t *ret);
