/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* sshd(8) AUTHORIZED_KEYS FILE FORMAT: one key per line, "[options] keytype base64 [comment]":
 *
 *   ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC... azureuser@aks
 *   no-port-forwarding,command="echo \"hi there\"" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... ops
 *
 * Only counted and classified, never copied: the key type is reported when it is one OpenSSH
 * knows (a fixed list, so nothing else of the file can reach the inventory). Empty lines and
 * '#' comments are skipped; anything else is "unrecognized". */

typedef struct AuthorizedKeys {
        size_t count;        /* key lines */
        size_t unrecognized; /* other non-comment lines */
        unsigned types;      /* bit i: authorized_keys_type_name(i) seen */
} AuthorizedKeys;

void authorized_keys_parse(const char *buf, size_t size, AuthorizedKeys *ret);

/* The key types in sorted order: index i for bit i of AuthorizedKeys.types. */
const char *authorized_keys_type_name(size_t i);
size_t authorized_keys_n_types(void);

/* Returns the index of the key type named by the n bytes at s, or -1. */
int authorized_keys_type_index(const char *s, size_t n);
