/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "finding-catalogue.h"
#include "inventory.h"

int inventory_new(Inventory **ret)
{
        _cleanup_(inventory_freep) Inventory *inv = NULL;
        json_object *tool;

        inv = calloc(1, sizeof(Inventory));
        if (!inv)
                return -ENOMEM;
        inv->root = json_object_new_object();
        inv->packages = json_object_new_object();
        if (!inv->root || !inv->packages)
                return -ENOMEM;
        if (json_add_str(inv->root, "schema", INVENTORY_SCHEMA) < 0)
                return -ENOMEM;
        tool = json_get_or_add_object(inv->root, "tool");
        if (!tool || json_add_str(tool, "name", "azlmigrate") < 0 ||
            json_add_str(tool, "version", PACKAGE_VERSION) < 0)
                return -ENOMEM;
        inv->findings = json_get_or_add_array(inv->root, "findings");
        if (!inv->findings)
                return -ENOMEM;
        *ret = TAKE_PTR(inv);
        return 0;
}

Inventory *inventory_free(Inventory *inv)
{
        if (!inv)
                return NULL;
        json_object_put(inv->root);
        json_object_put(inv->packages);
        free(inv);
        return NULL;
}

json_object *inventory_section(Inventory *inv, const char *name)
{
        return json_get_or_add_object(inv->root, name);
}

static int add_finding(Inventory *inv, const char *key, const char *resource, const char *detail)
{
        const FindingDef *def = finding_catalogue_lookup(key);
        json_object *f, *res;

        if (!def)
                return -EINVAL;
        f = json_object_new_object();
        if (!f)
                return -ENOMEM;
        if (json_append(inv->findings, f) < 0)
                return -ENOMEM;
        if (json_add_str(f, "key", def->key) < 0 ||
            json_add_str(f, "severity", severity_to_string(def->severity)) < 0 ||
            json_add_str(f, "title", def->title) < 0 || json_add_str(f, "detail", detail) < 0)
                return -ENOMEM;
        res = json_get_or_add_array(f, "resources");
        if (!res || (resource && json_append_str(res, resource) < 0))
                return -ENOMEM;
        return 0;
}

int inventory_add_finding(Inventory *inv, const char *key, const char *resource, const char *format, ...)
{
        _cleanup_free_ char *detail = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&detail, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return add_finding(inv, key, resource, detail);
}

int inventory_add_findings(Inventory *inv, const FindingList *l)
{
        for (size_t i = 0; i < l->n; i++) {
                int r = add_finding(inv, l->items[i].key, NULL, l->items[i].detail);
                if (r < 0)
                        return r;
        }
        return 0;
}

int inventory_has_finding(Inventory *inv, const char *key)
{
        size_t n = json_object_array_length(inv->findings);

        for (size_t i = 0; i < n; i++)
                if (streq_ptr(json_get_str(json_object_array_get_idx(inv->findings, i), "key"), key))
                        return 1;
        return 0;
}

int inventory_index_package(Inventory *inv, const char *name, json_object *item)
{
        json_object *list = json_get_or_add_array(inv->packages, name);

        if (!list)
                return -ENOMEM;
        return json_append(list, json_object_get(item));
}

json_object *inventory_find_package(Inventory *inv, const char *name)
{
        json_object *list = json_get(inv->packages, name);

        if (!list || json_object_array_length(list) == 0)
                return NULL;
        return json_object_array_get_idx(list, 0);
}
