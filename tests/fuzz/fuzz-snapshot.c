/* SPDX-License-Identifier: MIT */
/* Cluster snapshots on hostile input: what az and kubectl print (or a saved snapshot file) is
 * checked, and when it passes, planned with both strategies and rendered as reports, as
 * `nodepool plan` and `report --plan` do. The first byte chooses the strategy and whether pools
 * are named. The plans directory is $AZLMIGRATE_SRCDIR/plans, else ./plans. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/pool-plan.h"
#include "cluster/snapshot.h"
#include "report/report.h"
#include "shared/json-util.h"
#include "fuzz.h"

static void render(json_object *plan)
{
        json_object *rep = NULL;
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (report_build(plan, &rep) < 0)
                return;
        f = open_memstream(&buf, &size);
        if (f) {
                (void) report_render_markdown(rep, f);
                (void) report_render_html(rep, f);
                fclose(f);
        }
        free(buf);
        json_object_put(rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static char *pools[] = { (char *) "userpool", NULL };
        json_tokener *tok;
        json_object *snap, *plan = NULL;
        char *err = NULL;

        if (size == 0 || size > (4u << 20))
                return 0;
        tok = json_tokener_new_ex(64);
        if (!tok)
                return 0;
        snap = json_tokener_parse_ex(tok, (const char *) data + 1, (int) (size - 1));
        json_tokener_free(tok);
        if (!snap)
                return 0;
        if (cluster_snapshot_check(snap, &err) >= 0) {
                PoolPlanOptions o = { .plans_dir = fuzz_plans_dir(),
                                      .strategy = data[0] & 1 ? "bluegreen" : "ossku-update",
                                      .target_sku = data[0] & 4 ? "AzureLinuxOSGuard" : NULL,
                                      .pools = data[0] & 2 ? pools : NULL,
                                      .drain_batch = (unsigned) (data[0] >> 4) };
                char *e2 = NULL;
                if (pool_plan_build(snap, &o, &plan, &e2) >= 0) {
                        render(plan);
                        json_object_put(plan);
                }
                free(e2);
        }
        free(err);
        json_object_put(snap);
        return 0;
}
