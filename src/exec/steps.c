/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/string-util.h"
#include "step-common.h"
#include "steps.h"

bool steps_translation_writes(json_object *t)
{
        const char *action = json_get_str(t, "action"), *source = json_get_str(t, "source"),
                   *target = json_get_str(t, "target");

        if (!action || !target || target[0] != '/')
                return false;
        if (!streq(action, "carry") && !streq(action, "translate") && !streq(action, "render"))
                return false;
        if (source && !json_get_str(t, "content") &&
            (startswith(source, "/usr/lib/") || startswith(source, "/lib/")))
                return false;
        return true;
}

const char *steps_root_uuid(json_object *plan)
{
        json_object *mounts = json_get(json_get(plan, "inventory_summary"), "mounts");

        for (size_t i = 0; i < json_array_len(mounts); i++) {
                json_object *m = json_object_array_get_idx(mounts, i);
                if (streq_ptr(json_get_str(m, "mountpoint"), "/"))
                        return json_get_str(m, "uuid");
        }
        return NULL;
}

const ExecStep *steps_inplace(size_t *ret_n)
{
        static ExecStep all[16];
        static size_t n = 0;

        if (n == 0) {
                const struct {
                        const ExecStep *steps;
                        size_t n;
                } groups[] = {
                        { steps_check, steps_check_n },
                        { steps_stage, steps_stage_n },
                        { steps_swap, steps_swap_n },
                        { steps_boot, steps_boot_n },
                };
                for (size_t g = 0; g < ELEMENTSOF(groups); g++)
                        for (size_t i = 0; i < groups[g].n && n < ELEMENTSOF(all); i++)
                                all[n++] = groups[g].steps[i];
        }
        *ret_n = n;
        return all;
}
