/* SPDX-License-Identifier: MIT */
/* The rule engine on hostile input. The first byte chooses what the rest is:
 *   even: a rule file (plans/rules/<area>.json), loaded and, when it loads, evaluated over a small
 *         inventory with the shipped tables;
 *   odd:  an inventory (or anything JSON), evaluated by the shipped rules of plans/rules, with
 *         "packages.decisions" taken from its "decisions" member when there is one.
 * The plans directory is $AZLMIGRATE_SRCDIR/plans (the test environment sets it), else ./plans. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map/rules.h"
#include "shared/json-util.h"
#include "fuzz.h"

static const char small_inventory[] =
        "{\"os\": {\"id\": \"ubuntu\", \"version_id\": \"22.04\", \"arch\": \"x86_64\"},"
        " \"mounts\": [{\"mountpoint\": \"/\", \"type\": \"ext4\", \"partition\": 1}],"
        " \"boot\": {\"cmdline\": \"console=ttyS0 quiet\"},"
        " \"config\": {\"network\": {\"keys\": [\"network\", \"network.ethernets\", "
        "\"network.ethernets.*.dhcp4\"],"
        "   \"interfaces\": [{\"id\": \"eth0\", \"kind\": \"ethernet\", \"dhcp4\": true, \"keys\": "
        "[\"dhcp4\"]}]},"
        "   \"units\": [{\"name\": \"chrony.service\", \"enabled\": true, \"wanted_by\": "
        "[\"multi-user.target\"]}],"
        "   \"users\": [{\"name\": \"azureuser\", \"uid\": 1000}]},"
        " \"items\": [1, \"two\", {\"three\": 3}, null]}";

static void evaluate(RuleSet *set, json_object *inv, json_object *decisions)
{
        json_object *findings = NULL, *tr = NULL;
        char *err = NULL;
        RulesInput in = { .plans_dir = fuzz_plans_dir(),
                          .to = "azurelinux-3.0",
                          .strategy = "inplace",
                          .inventory = inv,
                          .decisions = decisions };

        if (rule_set_evaluate(set, &in, &findings, &tr, &err) >= 0) {
                json_object_put(findings);
                json_object_put(tr);
        }
        free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static RuleSet *shipped = NULL;
        const char *buf = (const char *) data + 1;
        size_t n = size > 0 ? size - 1 : 0;
        RuleSet *set = NULL;
        char *err = NULL;

        if (size == 0 || size > (2u << 20))
                return 0;
        if (data[0] % 2 == 0) {
                json_object *inv;

                if (rule_set_new(&set) < 0)
                        return 0;
                if (rule_set_add_buffer(set, "fuzz.json", buf, n, &err) >= 0) {
                        json_object *cat = NULL;

                        inv = json_tokener_parse(small_inventory);
                        evaluate(set, inv, NULL);
                        json_object_put(inv);
                        if (rule_set_catalogue(set, &cat) >= 0)
                                json_object_put(cat);
                }
                free(err);
                rule_set_free(set);
                return 0;
        }

        if (!shipped) {
                char dir[4200];

                snprintf(dir, sizeof(dir), "%s/rules", fuzz_plans_dir());
                if (rule_set_new(&shipped) < 0 || rule_set_load_dir(shipped, dir, &err) < 0) {
                        fprintf(stderr, "cannot load the shipped rules: %s\n", err ? err : "?");
                        abort();
                }
        }
        {
                json_tokener *tok = json_tokener_new_ex(64);
                json_object *inv;

                if (!tok)
                        return 0;
                inv = json_tokener_parse_ex(tok, buf, (int) n);
                if (inv)
                        evaluate(shipped, inv, json_get(inv, "decisions"));
                json_object_put(inv);
                json_tokener_free(tok);
        }
        return 0;
}
