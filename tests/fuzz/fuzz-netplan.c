/* SPDX-License-Identifier: MIT */
/* The capped YAML loader and netplan's merge and JSON rendering on arbitrary bytes. */
#include <stdlib.h>

#include "inspect/netplan.h"
#include "inspect/yaml-tree.h"
#include "shared/json-util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_json_ json_object *tree = NULL, *out = NULL;
        _cleanup_free_ char *error = NULL;
        size_t budget = YAML_TREE_NODES_MAX;
        Netplan *np = NULL;

        if (yaml_tree_load((const char *) data, size, &budget, &tree, &error) <= 0)
                return 0;
        if (netplan_new(&np) < 0)
                return 0;
        free(error);
        error = NULL;
        if (netplan_add(np, "/etc/netplan/fuzz.yaml", tree, &error) >= 0 && (out = json_object_new_object()))
                (void) netplan_to_json(np, out);
        netplan_free(np);
        return 0;
}
