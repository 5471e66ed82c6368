/* SPDX-License-Identifier: MIT */
/* src/cluster: the command driver (retries of transient failures only, timeouts, JSON only),
 * snapshot checks against hostile documents, and the planner's pure helpers and findings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/cluster-run.h"
#include "cluster/pool-plan.h"
#include "cluster/snapshot.h"
#include "shared/json-util.h"
#include "exec-test.h"
#include "json-fixture.h"
#include "tests.h"

static void test_names_versions(void)
{
        ASSERT_TRUE(pool_name_is_valid("userpool"));
        ASSERT_TRUE(pool_name_is_valid("a1"));
        ASSERT_TRUE(pool_name_is_valid("abcdefghijkl"));
        ASSERT_FALSE(pool_name_is_valid("abcdefghijklm")); /* 13 */
        ASSERT_FALSE(pool_name_is_valid("1pool"));
        ASSERT_FALSE(pool_name_is_valid("User"));
        ASSERT_FALSE(pool_name_is_valid("user-pool"));
        ASSERT_FALSE(pool_name_is_valid(""));
        ASSERT_FALSE(pool_name_is_valid(NULL));

        ASSERT_EQ(pool_version_compare("2.61.0", "2.61.0"), 0);
        ASSERT_EQ(pool_version_compare("2.9.0", "2.61.0"), -1);
        ASSERT_EQ(pool_version_compare("2.100", "2.61.0"), 1);
        ASSERT_EQ(pool_version_compare("1.28", "1.28.0"), 0);
        ASSERT_EQ(pool_version_compare("1.27.9", "1.28"), -1);
        ASSERT_EQ(pool_version_compare(NULL, "1"), -1);
}

static void test_transient(void)
{
        ASSERT_TRUE(cluster_error_is_transient("(TooManyRequests) slow down. Retry-After: 1"));
        ASSERT_TRUE(cluster_error_is_transient(
                "Unable to connect to the server: net/http: TLS handshake timeout"));
        ASSERT_TRUE(cluster_error_is_transient("(InternalServerError) An internal error occurred"));
        ASSERT_FALSE(cluster_error_is_transient("(ResourceNotFound) The Resource ... was not found."));
        ASSERT_FALSE(cluster_error_is_transient("(OperationNotAllowed) quota exceeded"));
        ASSERT_FALSE(cluster_error_is_transient(NULL));
}

static unsigned attempts_seen;

static void count_attempt(const ClusterAttempt *a, void *userdata)
{
        attempts_seen++;
        ASSERT_EQ(a->attempt, attempts_seen);
}

/* A fake az: a shell script that fails transiently N times (counted in a file), then prints out. */
static char *fake_tool(const char *dir, const char *name, unsigned fail_times, const char *err,
                       const char *out)
{
        char *path = NULL;
        FILE *f;

        ASSERT_TRUE(asprintf(&path, "%s/%s", dir, name) > 0);
        f = fopen(path, "w");
        ASSERT_NOT_NULL(f);
        fprintf(f,
                "#!/bin/sh\nn=$(cat '%s.count' 2>/dev/null || echo 0)\necho $((n + 1)) > '%s.count'\n"
                "if [ \"$n\" -lt %u ]; then echo '%s' >&2; exit 1; fi\nprintf '%%s' '%s'\n",
                path, path, fail_times, err, out);
        ASSERT_EQ(fclose(f), 0);
        ASSERT_EQ(chmod(path, 0755), 0);
        return path;
}

static void test_run(void)
{
        char *dir = scratch_dir("cluster-run");
        _cleanup_free_ char *err = NULL;
        json_object *o = NULL;
        const char *const args[] = { "version", NULL };
        char *tool;
        ClusterTools t = { .backoff_ms = 1, .record = count_attempt };

        /* throttled twice, then JSON: three attempts, the JSON parsed */
        tool = fake_tool(dir, "az1", 2, "(TooManyRequests) Retry-After: 0", "{\"azure-cli\": \"2.61.0\"}");
        t.az = tool;
        attempts_seen = 0;
        ASSERT_OK(cluster_run_json(&t, CLUSTER_TOOL_AZ, args, &o, &err));
        ASSERT_EQ(attempts_seen, 3);
        ASSERT_STREQ(json_get_str(o, "azure-cli"), "2.61.0");
        json_object_put(o);
        free(tool);

        /* a permanent error: one attempt, its message */
        tool = fake_tool(dir, "az2", 9, "(ResourceNotFound) not here", "{}");
        t.az = tool;
        attempts_seen = 0;
        ASSERT_ERR(cluster_run_json(&t, CLUSTER_TOOL_AZ, args, &o, &err), -EPROTO);
        ASSERT_EQ(attempts_seen, 1);
        ASSERT_NOT_NULL(strstr(err, "ResourceNotFound"));
        err = mfree(err);
        free(tool);

        /* transient forever: gives up after the attempts */
        tool = fake_tool(dir, "az3", 99, "(ServiceUnavailable) busy", "{}");
        t.az = tool;
        t.attempts = 3;
        attempts_seen = 0;
        ASSERT_ERR(cluster_run_json(&t, CLUSTER_TOOL_AZ, args, &o, &err), -EPROTO);
        ASSERT_EQ(attempts_seen, 3);
        err = mfree(err);
        free(tool);

        /* not JSON */
        tool = fake_tool(dir, "az4", 0, "", "hello, this is text");
        t.az = tool;
        attempts_seen = 0;
        ASSERT_ERR(cluster_run_json(&t, CLUSTER_TOOL_AZ, args, &o, &err), -EBADMSG);
        ASSERT_NOT_NULL(strstr(err, "no JSON"));
        err = mfree(err);
        free(tool);

        /* missing program */
        t.az = "/nonexistent/az";
        attempts_seen = 0;
        ASSERT_ERR(cluster_run_json(&t, CLUSTER_TOOL_AZ, args, &o, &err), -ENOENT);

        /* a timeout */
        {
                char *p = NULL;
                FILE *f;
                ASSERT_TRUE(asprintf(&p, "%s/slow", dir) > 0);
                f = fopen(p, "w");
                ASSERT_NOT_NULL(f);
                fputs("#!/bin/sh\nexec sleep 30\n", f);
                ASSERT_EQ(fclose(f), 0);
                ASSERT_EQ(chmod(p, 0755), 0);
                t.az = p;
                t.timeout_sec = 1;
                t.attempts = 1;
                attempts_seen = 0;
                ASSERT_ERR(cluster_run_json(&t, CLUSTER_TOOL_AZ, args, &o, &err), -ETIMEDOUT);
                free(p);
        }
        scratch_remove(dir);
}

static void expect_bad_snapshot(const char *text)
{
        _cleanup_json_ json_object *o = json_tokener_parse(text);
        _cleanup_free_ char *err = NULL;

        ASSERT_ERR(cluster_snapshot_check(o, &err), -EBADMSG);
        ASSERT_NOT_NULL(err);
}

static void test_snapshot_check(void)
{
        expect_bad_snapshot("[]");
        expect_bad_snapshot("{\"schema\": \"azlmigrate/plan/v1\"}");
        expect_bad_snapshot("{\"schema\": \"azlmigrate/cluster-snapshot/v1\", \"resource_group\": 1}");
        expect_bad_snapshot(
                "{\"schema\": \"azlmigrate/cluster-snapshot/v1\", \"resource_group\": \"r\", "
                "\"cluster_name\": \"c\", \"cluster\": {}, \"pools\": [{}], \"nodes\": [], \"pods\": [], "
                "\"pdbs\": [], \"daemonsets\": []}");
        expect_bad_snapshot(
                "{\"schema\": \"azlmigrate/cluster-snapshot/v1\", \"resource_group\": \"r\", "
                "\"cluster_name\": \"c\", \"cluster\": {}, \"pools\": [], \"nodes\": [{\"metadata\": 5}], "
                "\"pods\": [], \"pdbs\": [], \"daemonsets\": []}");
}

/* A minimal snapshot: one Ubuntu pool "p1" with one node and the given pod JSON. */
static json_object *mini_snapshot(const char *pod)
{
        char *text = NULL;
        json_object *o;

        ASSERT_TRUE(
                asprintf(&text,
                         "{\"schema\": \"azlmigrate/cluster-snapshot/v1\", \"resource_group\": \"r\", "
                         "\"cluster_name\": \"c\", \"az_version\": \"2.70.0\", \"cluster\": {\"location\": "
                         "\"x\"}, \"pools\": [{\"name\": \"p1\", \"osType\": \"Linux\", \"osSku\": "
                         "\"Ubuntu\", "
                         "\"mode\": \"User\", \"count\": 1, \"vmSize\": \"Standard_D2s_v5\", "
                         "\"orchestratorVersion\": \"1.31.2\", \"nodeImageVersion\": "
                         "\"AKSUbuntu-2204gen2containerd-202603.30.0\"}], \"nodes\": [{\"metadata\": "
                         "{\"name\": "
                         "\"n1\", \"labels\": {\"kubernetes.azure.com/agentpool\": \"p1\"}}}], \"pods\": "
                         "[%s], "
                         "\"pdbs\": [], \"daemonsets\": []}",
                         pod) > 0);
        o = json_tokener_parse(text);
        ASSERT_NOT_NULL(o);
        free(text);
        return o;
}

static bool has_key(json_object *plan, const char *key)
{
        json_object *f = json_get(plan, "findings");

        for (size_t i = 0; i < json_array_len(f); i++)
                if (streq_ptr(json_get_str(json_array_at(f, i), "key"), key))
                        return true;
        return false;
}

static void test_plan_affinity(void)
{
        char *pools[] = { (char *) "p1", NULL };
        PoolPlanOptions o = { .plans_dir = tests_plans_dir(), .strategy = "ossku-update", .pools = pools };
        static const struct {
                const char *pod;
                bool pinned;
        } cases[] = {
                /* In [Ubuntu]: pinned */
                { "{\"metadata\": {\"name\": \"a\", \"namespace\": \"d\", \"ownerReferences\": [{\"kind\": "
                  "\"ReplicaSet\", \"name\": \"rs\"}]}, \"spec\": {\"nodeName\": \"n1\", \"affinity\": "
                  "{\"nodeAffinity\": {\"requiredDuringSchedulingIgnoredDuringExecution\": "
                  "{\"nodeSelectorTerms\": "
                  "[{\"matchExpressions\": [{\"key\": \"kubernetes.azure.com/os-sku\", \"operator\": "
                  "\"In\", "
                  "\"values\": [\"Ubuntu\"]}]}]}}}}}",
                  true },
                /* In [Ubuntu, AzureLinux]: not pinned */
                { "{\"metadata\": {\"name\": \"a\", \"namespace\": \"d\", \"ownerReferences\": [{\"kind\": "
                  "\"ReplicaSet\", \"name\": \"rs\"}]}, \"spec\": {\"nodeName\": \"n1\", \"affinity\": "
                  "{\"nodeAffinity\": {\"requiredDuringSchedulingIgnoredDuringExecution\": "
                  "{\"nodeSelectorTerms\": "
                  "[{\"matchExpressions\": [{\"key\": \"kubernetes.azure.com/os-sku\", \"operator\": "
                  "\"In\", "
                  "\"values\": [\"Ubuntu\", \"AzureLinux\"]}]}]}}}}}",
                  false },
                /* two ORed terms, one of which allows Azure Linux: not pinned */
                { "{\"metadata\": {\"name\": \"a\", \"namespace\": \"d\", \"ownerReferences\": [{\"kind\": "
                  "\"ReplicaSet\", \"name\": \"rs\"}]}, \"spec\": {\"nodeName\": \"n1\", \"affinity\": "
                  "{\"nodeAffinity\": {\"requiredDuringSchedulingIgnoredDuringExecution\": "
                  "{\"nodeSelectorTerms\": "
                  "[{\"matchExpressions\": [{\"key\": \"kubernetes.azure.com/os-sku\", \"operator\": "
                  "\"In\", "
                  "\"values\": [\"Ubuntu\"]}]}, {\"matchExpressions\": [{\"key\": \"disk\", \"operator\": "
                  "\"Exists\"}]}]}}}}}",
                  false },
                /* NotIn [AzureLinux]: pinned */
                { "{\"metadata\": {\"name\": \"a\", \"namespace\": \"d\", \"ownerReferences\": [{\"kind\": "
                  "\"ReplicaSet\", \"name\": \"rs\"}]}, \"spec\": {\"nodeName\": \"n1\", \"affinity\": "
                  "{\"nodeAffinity\": {\"requiredDuringSchedulingIgnoredDuringExecution\": "
                  "{\"nodeSelectorTerms\": "
                  "[{\"matchExpressions\": [{\"key\": \"kubernetes.azure.com/os-sku\", \"operator\": "
                  "\"NotIn\", "
                  "\"values\": [\"AzureLinux\"]}]}]}}}}}",
                  true },
                /* nodeSelector Ubuntu2204: pinned; hostile types elsewhere do not crash */
                { "{\"metadata\": {\"name\": \"a\", \"namespace\": \"d\", \"ownerReferences\": 7}, "
                  "\"spec\": "
                  "{\"nodeName\": \"n1\", \"nodeSelector\": {\"kubernetes.azure.com/os-sku\": "
                  "\"Ubuntu2204\"}, "
                  "\"volumes\": \"x\", \"affinity\": []}}",
                  true },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_json_ json_object *snap = mini_snapshot(cases[i].pod), *plan = NULL;
                _cleanup_free_ char *err = NULL;

                ASSERT_OK(pool_plan_build(snap, &o, &plan, &err));
                if (has_key(plan, "workload.pinned-to-ubuntu") != cases[i].pinned)
                        FAIL("case %zu: pinned-to-ubuntu %s", i, cases[i].pinned ? "missing" : "raised");
                ASSERT_STREQ(json_get_str(plan, "from"), "ubuntu-22.04");
        }
}

int main(void)
{
        RUN(test_names_versions);
        RUN(test_transient);
        RUN(test_run);
        RUN(test_snapshot_check);
        RUN(test_plan_affinity);
        TESTS_DONE();
}
