/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "cluster-findings.h"

/* Node-pool plans: the same plan/v1 model as disk plans ("subject": "nodepool"), built from a
 * cluster snapshot and a strategy of plans/strategies (ossku-update, bluegreen). Pure: the same
 * snapshot and knowledge give the same plan; nothing is run. */

typedef struct PoolPlanOptions {
        const char *plans_dir;      /* the knowledge directory */
        const char *strategy;       /* "ossku-update" or "bluegreen" */
        const char *target_sku;     /* NULL: "AzureLinux" */
        char *const *pools;         /* the pools to migrate; NULL: every Linux pool not on Azure Linux */
        unsigned drain_timeout_sec; /* per node (0: 600) */
        unsigned drain_batch;       /* nodes drained at a time (0: 1) */
        unsigned soak_sec;          /* blue-green soak before the delete (0: 300) */
        unsigned poll_sec;          /* between polls of a wait, when poll_given (else 15) */
        bool poll_given;
        unsigned wait_timeout_sec; /* a wait gives up after (0: 3600) */
} PoolPlanOptions;

/* Builds the plan. Returns 0 and the plan (caller puts), or a negative errno with *ret_error
 * (caller frees): -ENOENT for an unknown strategy, target SKU or pool name; -EBADMSG for malformed
 * knowledge; -ENODATA when no pool is left to migrate (the error says why). */
int pool_plan_build(json_object *snapshot, const PoolPlanOptions *o, json_object **ret, char **ret_error);

/* An AKS Linux pool name: 1 to 12 lowercase letters and digits, starting with a letter. */
bool pool_name_is_valid(const char *name);

/* Compares dotted version strings numerically ("1.9" < "1.10"); missing parts count as 0. */
int pool_version_compare(const char *a, const char *b);
