/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdarg.h>

#include <json-c/json.h>

#include "shared/finding.h"
#include "shared/macro.h"

#define INVENTORY_SCHEMA "azlmigrate/inventory/v1"

/* The inventory: what inspection learned about a source, as the JSON document of schema
 * azlmigrate/inventory/v1 (docs/inventory.schema.json). Collectors write into their sections;
 * findings are added through the catalogue so that every key has a severity and a title. */
typedef struct Inventory {
        json_object *root;
        json_object *findings; /* the root's "findings" array */
        json_object *packages; /* name -> array of package items, for look-ups; not serialised */
} Inventory;

int inventory_new(Inventory **ret);
Inventory *inventory_free(Inventory *inv);
DEFINE_TRIVIAL_CLEANUP_FUNC(Inventory *, inventory_free);

/* Returns the object root[name], creating it when missing; NULL on OOM. */
json_object *inventory_section(Inventory *inv, const char *name);

/* Adds a finding of a catalogued key (-EINVAL for a key the catalogue lacks: a bug).
 * resource (a path, a package or a unit) may be NULL. Returns 0 or -errno. */
int inventory_add_finding(Inventory *inv, const char *key, const char *resource, const char *format, ...)
        _printf_(4, 5);
/* Adds every finding of l. */
int inventory_add_findings(Inventory *inv, const FindingList *l);
/* Returns 1 if the inventory already holds a finding with that key, else 0. */
int inventory_has_finding(Inventory *inv, const char *key);

/* Records a package item for inventory_find_package(). Does not take ownership of item. */
int inventory_index_package(Inventory *inv, const char *name, json_object *item);
/* Returns the first package item called name (any architecture), or NULL. */
json_object *inventory_find_package(Inventory *inv, const char *name);
