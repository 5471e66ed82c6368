/* SPDX-License-Identifier: MIT */
#pragma once

/* For the tests of the YAML loader and of what is built on it (netplan). */

#include <string.h>

#include "inspect/yaml-tree.h"
#include "tests.h"

/* Loads yaml, which must be a non-empty document within the default node budget (and use some of
 * it). Returns the tree; the caller frees it. */
static inline json_object *yaml_load_ok(const char *yaml)
{
        json_object *tree = NULL;
        char *error = NULL;
        size_t budget = YAML_TREE_NODES_MAX;
        int r = yaml_tree_load(yaml, strlen(yaml), &budget, &tree, &error);

        if (r != 1)
                FAIL("load returned %d: %s", r, error ?: "(no error)");
        ASSERT_NOT_NULL(tree);
        ASSERT_TRUE(budget < YAML_TREE_NODES_MAX);
        return tree;
}
