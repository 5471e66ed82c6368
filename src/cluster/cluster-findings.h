/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "inspect/finding-catalogue.h"

/* The findings a node-pool plan can carry. Keys are a contract like every finding key:
 * docs/findings.md lists them (generated from this table; a test keeps the two equal). */

typedef enum PoolStrategy {
        POOL_STRATEGY_OSSKU_UPDATE, /* az aks nodepool update --os-sku: the pool's nodes are reimaged */
        POOL_STRATEGY_BLUEGREEN,    /* a new Azure Linux pool, drain the old one, delete it */
        _POOL_STRATEGY_MAX,
        _POOL_STRATEGY_INVALID = -EINVAL,
} PoolStrategy;

DECLARE_STRING_TABLE_LOOKUP(pool_strategy, PoolStrategy);

typedef struct ClusterFindingDef {
        const char *key;
        Severity severity;
        bool inhibits[_POOL_STRATEGY_MAX]; /* an inhibitor under that strategy */
        const char *title;
        const char *meaning;        /* for the catalogue */
        const char *remediation[3]; /* texts, NULL-terminated; "$ " starts a command */
        const char *link;           /* documentation, or NULL */
} ClusterFindingDef;

const ClusterFindingDef *cluster_finding_lookup(const char *key);
const ClusterFindingDef *cluster_finding_all(size_t *ret_n);

/* A finding object of the plan/v1 shape for key (which must be catalogued) under strategy s, with
 * detail and resources (NULL-terminated, may be NULL). Returns NULL on OOM or an unknown key. */
json_object *cluster_finding_new(const char *key, PoolStrategy s, const char *detail,
                                 char *const *resources);
