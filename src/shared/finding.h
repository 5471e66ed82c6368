/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "macro.h"

/* Observations made below the inventory layer (disk, guest access), each a catalogued finding
 * key and a detail text. The inventory turns them into findings with severity and title. */
typedef struct Finding {
        char *key;
        char *detail;
} Finding;

typedef struct FindingList {
        Finding *items;
        size_t n;
} FindingList;

/* Appends a finding. Returns 0 or -ENOMEM. */
int finding_list_add(FindingList *l, const char *key, const char *format, ...) _printf_(3, 4);
/* Moves every finding of from to the end of to. Returns 0 or -ENOMEM (from is left intact then). */
int finding_list_move(FindingList *to, FindingList *from);
void finding_list_done(FindingList *l);
