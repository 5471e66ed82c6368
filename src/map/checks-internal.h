/* SPDX-License-Identifier: MIT */
#pragma once

/* What the checks of checks.c and check-network.c share. Not part of the API: include checks.h. */

#include <stdbool.h>

#include <json-c/json.h>

#include "shared/tsv.h"
#include "checks.h"

struct CheckCache {
        /* Each table is loaded on first use; NULL until then. */
        json_object *netplan_keys; /* "scope\tkey" -> {"since", "backend", "note"} */
        json_object *accounts;     /* "user:name" / "group:name" -> id, "uid:N" / "gid:N" -> name */
        json_object *cmdline;      /* array of {"pattern", "action", "note"} in file order */
        json_object *units;        /* array of {"pattern", "action", "target", "note"} */
        char *netplan_version;     /* the target image's netplan version, "" when it has none */
        bool netplan_version_loaded;
};

typedef struct TableLoad {
        const char *name; /* for messages: "rules/netplan-keys.tsv" */
        json_object *obj;
        char *error;
} TableLoad;

/* Sets t->error to "name: line N: what". Returns -EBADMSG (or -ENOMEM). */
int check_table_error(TableLoad *t, unsigned line, const char *what);

/* Reads plans_dir/dir/file with cb; a malformed or missing table is -EBADMSG with *ret_error. */
int check_load_table(const CheckContext *ctx, const char *dir, const char *file, size_t min_fields,
                     int (*cb)(const TsvRecord *r, void *userdata), TableLoad *t, char **ret_error);

/* Appends a new match {"resource": resource} and returns it (owned by matches), NULL on OOM. */
json_object *check_add_match(json_object *matches, const char *resource);

/* The value at path in the inventory (or the decisions), NULL when none. */
json_object *check_path_get(const CheckContext *ctx, const char *path);

/* The network checks (check-network.c). */
int check_netplan_unsupported(const CheckContext *ctx, json_object *item, json_object *args,
                              json_object *matches, char **ret_error);
int check_networkd_unrenderable(const CheckContext *ctx, json_object *item, json_object *args,
                                json_object *matches, char **ret_error);
int check_networkd_render(const CheckContext *ctx, json_object *item, json_object *args,
                          json_object *matches, char **ret_error);
