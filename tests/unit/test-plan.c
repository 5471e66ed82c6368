/* SPDX-License-Identifier: MIT */
/* Unit tests for src/plan: the inventory fingerprint, the verdict, strategy templates, the target
 * image facts, and plan_build() on a small real inventory (tests/fixtures/plan/inventory.json) with
 * the shipped knowledge under plans/. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/fingerprint.h"
#include "plan/plan.h"
#include "plan/strategy.h"
#include "plan/target-image.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/strv.h"
#include "json-fixture.h"
#include "tests.h"

static const char *plans;

static char *serialise(json_object *o)
{
        char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        ASSERT_NOT_NULL(s);
        return s;
}

static void test_fingerprint(void)
{
        _cleanup_json_ json_object *inv = fixture_json("plan/inventory.json"), *copy = NULL, *tiny = NULL;
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *before = NULL, *after = NULL,
                            *t = NULL;
        json_object *items;

        before = serialise(inv);
        ASSERT_OK(fingerprint_inventory(inv, &a));
        after = serialise(inv);
        ASSERT_STREQ(before, after); /* not modified */
        ASSERT_TRUE(strncmp(a, "sha256:", 7) == 0);
        ASSERT_UEQ(strlen(a), 7 + 64);
        ASSERT_UEQ(strspn(a + 7, "0123456789abcdef"), 64);

        /* The same document read again gives the same fingerprint. */
        copy = json_parse_ok(before);
        ASSERT_OK(fingerprint_inventory(copy, &b));
        ASSERT_STREQ(a, b);

        /* Where the node was read from does not count... */
        ASSERT_OK(json_add_str(json_get(copy, "source"), "path", "/dev/sdc"));
        ASSERT_OK(json_add_str(json_get(copy, "source"), "format", "block"));
        ASSERT_OK(fingerprint_inventory(copy, &c));
        ASSERT_STREQ(a, c);
        json_object_object_del(copy, "source");
        free(c);
        ASSERT_OK(fingerprint_inventory(copy, &c));
        ASSERT_STREQ(a, c);

        /* ...nor does the free space a running node's logs change. */
        {
                json_object *mounts = json_get(copy, "mounts"), *m0;
                _cleanup_free_ char *e = NULL, *f = NULL;

                ASSERT_TRUE(json_object_array_length(mounts) > 0);
                m0 = json_object_array_get_idx(mounts, 0);
                ASSERT_OK(json_add_int(m0, "free", 12345));
                ASSERT_OK(json_add_int(m0, "available", 123));
                ASSERT_OK(fingerprint_inventory(copy, &e));
                ASSERT_STREQ(a, e);
                ASSERT_OK(json_add_str(m0, "type", "xfs"));
                ASSERT_OK(fingerprint_inventory(copy, &f));
                ASSERT_FALSE(streq(a, f));
                ASSERT_OK(json_add_str(
                        m0, "type",
                        json_get_str(json_object_array_get_idx(json_get(inv, "mounts"), 0), "type")));
        }

        /* ... what is on it does. */
        items = json_get(json_get(copy, "packages"), "items");
        ASSERT_OK(json_add_str(json_object_array_get_idx(items, 0), "version", "0.3.1-2"));
        ASSERT_OK(fingerprint_inventory(copy, &d));
        ASSERT_FALSE(streq(a, d));

        /* The definition, checked against an independent computation (Python: json.dumps(doc,
         * separators=(',', ':'), ensure_ascii=False) without "source", then hashlib.sha256). */
        tiny = json_parse_ok("{\"schema\": \"x\", \"source\": {\"a\": 1}, \"b\": \"\xc3\xa9/\"}");
        ASSERT_OK(fingerprint_inventory(tiny, &t));
        ASSERT_STREQ(t, "sha256:ac4c90a887c844279e04e8be1d3a792311a2f8e7b51e31e0f95f9e51f0102a1e");

        ASSERT_ERR(fingerprint_inventory(NULL, &t), -EINVAL);
        {
                _cleanup_json_ json_object *arr = json_object_new_array();
                ASSERT_ERR(fingerprint_inventory(arr, &t), -EINVAL);
        }
}

static PlanVerdict verdict_of(const char *json)
{
        _cleanup_json_ json_object *o = json_parse_ok(json);
        return plan_verdict_of(o);
}

static void test_verdict(void)
{
        ASSERT_EQ(plan_verdict_of(NULL), PLAN_READY);
        ASSERT_EQ(verdict_of("[]"), PLAN_READY);
        ASSERT_EQ(verdict_of("[{\"key\": \"a\", \"severity\": \"info\", \"inhibitor\": false},"
                             " {\"key\": \"b\", \"severity\": \"low\"}]"),
                  PLAN_READY);
        ASSERT_EQ(verdict_of("[{\"key\": \"a\", \"severity\": \"info\"}, {\"key\": \"b\", \"severity\": "
                             "\"medium\"}]"),
                  PLAN_READY_WITH_WARNINGS);
        ASSERT_EQ(verdict_of("[{\"key\": \"a\", \"severity\": \"high\", \"inhibitor\": false}]"),
                  PLAN_READY_WITH_WARNINGS);
        /* An inhibitor inhibits whatever its severity. */
        ASSERT_EQ(verdict_of("[{\"key\": \"a\", \"severity\": \"low\", \"inhibitor\": true}]"),
                  PLAN_INHIBITED);
        ASSERT_EQ(
                verdict_of(
                        "[{\"key\": \"a\", \"severity\": \"high\"}, {\"key\": \"b\", \"severity\": \"info\","
                        " \"inhibitor\": true}]"),
                PLAN_INHIBITED);
        /* Only a JSON true inhibits; unknown severities do not warn. */
        ASSERT_EQ(verdict_of("[{\"key\": \"a\", \"severity\": \"low\", \"inhibitor\": \"true\"},"
                             " {\"key\": \"b\", \"severity\": \"HIGH\"}, 7, null]"),
                  PLAN_READY);
        ASSERT_EQ(verdict_of("{\"severity\": \"high\"}"), PLAN_READY); /* not an array */

        ASSERT_STREQ(plan_verdict_to_string(PLAN_READY_WITH_WARNINGS), "ready-with-warnings");
        ASSERT_EQ(plan_verdict_from_string("inhibited"), PLAN_INHIBITED);
        ASSERT_EQ(plan_verdict_from_string("blocked"), -EINVAL);
}

/* The in-place steps of issue 4, in order. */
static const char *const inplace_steps[] = { "preflight",       "verify-fingerprint",
                                             "stage-target",    "carry-config",
                                             "swap-root",       "install-boot",
                                             "write-firstboot", "verify" };
static const char *const reimage_steps[] = { "preflight",  "verify-fingerprint", "capture-config",
                                             "write-disk", "apply-config",       "verify" };

static void test_strategy_shipped(void)
{
        _cleanup_(strategy_freep) Strategy *in = NULL, *re = NULL;
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *error = NULL;

        ASSERT_OK(strategy_load(plans, "inplace", &in, &error));
        ASSERT_UEQ(in->n_steps, ELEMENTSOF(inplace_steps));
        for (size_t i = 0; i < in->n_steps; i++) {
                ASSERT_STREQ(in->steps[i].id, inplace_steps[i]);
                if (in->steps[i].mutates)
                        ASSERT_TRUE(in->steps[i].checkpoint);
        }
        ASSERT_FALSE(in->steps[0].mutates); /* preflight */
        ASSERT_TRUE(in->steps[2].mutates);  /* stage-target */
        ASSERT_EQ(in->steps[2].checkpoint_kind, CHECKPOINT_AUTO);
        ASSERT_TRUE(strv_contains(in->preserve, "/var/lib/kubelet"));
        ASSERT_TRUE(strv_contains(in->preserve, "/home"));

        ASSERT_OK(strategy_load(plans, "reimage", &re, &error));
        ASSERT_UEQ(re->n_steps, ELEMENTSOF(reimage_steps));
        for (size_t i = 0; i < re->n_steps; i++)
                ASSERT_STREQ(re->steps[i].id, reimage_steps[i]);
        /* The source is only read: capturing the configuration changes nothing. */
        ASSERT_FALSE(re->steps[2].mutates);
        ASSERT_EQ(re->steps[3].checkpoint_kind, CHECKPOINT_NONE);

        ASSERT_OK(strategy_list(plans, &names));
        ASSERT_TRUE(strv_contains(names, "inplace"));
        ASSERT_TRUE(strv_contains(names, "reimage"));
}

static char tmp[] = "/tmp/azlm-plan-XXXXXX";

static int load_text(const char *name, const char *content, char **error)
{
        char p[512];
        Strategy *s = NULL;
        int r;

        snprintf(p, sizeof(p), "%s/strategies/%s.json", tmp, name);
        ASSERT_OK(write_file_atomic(p, content, strlen(content), 0644));
        free(*error);
        *error = NULL;
        r = strategy_load(tmp, name, &s, error);
        strategy_free(s);
        return r;
}

#define STEP(id, mutates, cp)                                                                    \
        "{\"id\": \"" id                                                                         \
        "\", \"kind\": \"stage\", \"description\": \"d\", \"reads\": [], \"writes\": [\"/x\"], " \
        "\"mutates\": " mutates ", \"checkpoint\": " cp ", \"undo\": \"u\"}"
#define DOC(name, steps)                                             \
        "{\"schema\": \"azlmigrate/strategy/v1\", \"name\": \"" name \
        "\", \"title\": \"t\", \"description\": "                    \
        "\"d\", \"preserve\": [\"/home\"], \"steps\": [" steps "]}"

static void test_strategy_invalid(void)
{
        _cleanup_free_ char *error = NULL;
        Strategy *s = NULL;
        char p[512];

        ASSERT_NOT_NULL(mkdtemp(tmp));
        snprintf(p, sizeof(p), "%s/strategies", tmp);
        ASSERT_EQ(mkdir(p, 0755), 0);

        ASSERT_OK(load_text(
                "good", DOC("good", STEP("a", "false", "null") "," STEP("b", "true", "\"auto\"")), &error));
        /* A mutating step without a checkpoint before it is refused, naming the step. */
        ASSERT_ERR(load_text("nocp",
                             DOC("nocp", STEP("a", "false", "null") "," STEP("swap", "true", "null")),
                             &error),
                   -EBADMSG);
        ASSERT_NOT_NULL(error);
        ASSERT_NOT_NULL(strstr(error, "swap"));
        ASSERT_NOT_NULL(strstr(error, "nocp.json"));
        ASSERT_ERR(load_text("dup", DOC("dup", STEP("a", "false", "null") "," STEP("a", "false", "null")),
                             &error),
                   -EBADMSG);
        ASSERT_NOT_NULL(strstr(error, "twice"));
        ASSERT_ERR(load_text("kind", DOC("kind", STEP("a", "true", "\"snapshot\"")), &error), -EBADMSG);
        ASSERT_ERR(load_text("mut", DOC("mut", STEP("a", "\"yes\"", "null")), &error), -EBADMSG);
        ASSERT_ERR(load_text("badid", DOC("badid", STEP("A B", "false", "null")), &error), -EBADMSG);
        ASSERT_ERR(load_text("empty", DOC("empty", ""), &error), -EBADMSG);
        ASSERT_ERR(load_text("other", DOC("not-other", STEP("a", "false", "null")), &error), -EBADMSG);
        ASSERT_ERR(load_text("rel",
                             "{\"schema\": \"azlmigrate/strategy/v1\", \"name\": \"rel\", \"title\": \"t\", "
                             "\"description\": \"d\", \"preserve\": [\"home\"], \"steps\": [" STEP(
                                     "a", "false", "null") "]}",
                             &error),
                   -EBADMSG);
        ASSERT_ERR(load_text("trunc", "{\"schema\": \"azlmigrate/strategy/v1\", \"steps\": [", &error),
                   -EBADMSG);
        ASSERT_ERR(load_text("schema", "{\"schema\": \"azlmigrate/plan/v1\"}", &error), -EBADMSG);
        ASSERT_ERR(load_text("binary",
                             "\x7f"
                             "ELF\x01\x02\x03",
                             &error),
                   -EBADMSG);

        /* Names are file names under strategies/: nothing else is reachable. */
        ASSERT_ERR(strategy_load(tmp, "../strategies/good", &s, &error), -EINVAL);
        ASSERT_ERR(strategy_load(tmp, "", &s, &error), -EINVAL);
        ASSERT_ERR(strategy_load(tmp, "missing", &s, &error), -ENOENT);
        ASSERT_FALSE(strategy_name_is_valid("-x"));
        ASSERT_FALSE(strategy_name_is_valid("Inplace"));
        ASSERT_TRUE(strategy_name_is_valid("blue-green2"));
}

static void test_parse_size(void)
{
        uint64_t v;

        ASSERT_OK(target_image_parse_size("29G", &v));
        ASSERT_UEQ(v, 29ull << 30);
        ASSERT_OK(target_image_parse_size("452M", &v));
        ASSERT_UEQ(v, 452ull << 20);
        ASSERT_OK(target_image_parse_size("3.2M", &v));
        ASSERT_UEQ(v, 3355443);
        ASSERT_OK(target_image_parse_size("0", &v));
        ASSERT_UEQ(v, 0);
        ASSERT_OK(target_image_parse_size("704K", &v));
        ASSERT_UEQ(v, 704ull << 10);
        static const char *const bad[] = { "",     "G",   "-1G", "1X",   "1GG",    "nan",         "inf",
                                           "1e30", " 1G", "1G ", "0x10", "1.2.3M", "99999999999P" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_ERR(target_image_parse_size(bad[i], &v), -EINVAL);
        ASSERT_ERR(target_image_parse_size(NULL, &v), -EINVAL);
}

static void test_target_image(void)
{
        _cleanup_json_ json_object *t = NULL, *none = NULL;
        _cleanup_free_ char *error = NULL;
        json_object *parts;

        ASSERT_OK(target_image_facts(plans, "azurelinux-3.0", 390, &t, &error));
        ASSERT_EQ(json_get_int(t, "packages", -1), 390);
        ASSERT_STREQ(json_get_str(t, "root_used"), "21G");
        ASSERT_NOT_NULL(strstr(json_get_str(t, "source"), "06836ee2301e362039418c3a7ed0fe6004a641fd"));
        parts = json_get(t, "partitions");
        ASSERT_UEQ(json_object_array_length(parts), 3);
        ASSERT_STREQ(json_get_str(json_object_array_get_idx(parts, 0), "mountpoint"), "/boot/efi");
        ASSERT_STREQ(json_get_str(json_object_array_get_idx(parts, 0), "size"), "64M");
        ASSERT_STREQ(json_get_str(json_object_array_get_idx(parts, 1), "size"), "452M");

        /* No facts: the count alone, the rest null. */
        ASSERT_OK(target_image_facts(tmp, "azurelinux-3.0", 7, &none, &error));
        ASSERT_EQ(json_get_int(none, "packages", -1), 7);
        ASSERT_NULL(json_get(none, "root_used"));
        ASSERT_UEQ(json_object_array_length(json_get(none, "partitions")), 0);
}

static json_object *build(json_object *inv, const char *strategy, int want, char **error)
{
        char *no_dropins[] = { NULL };
        PlanOptions o = {
                .plans_dir = plans, .to = "azurelinux-3.0", .strategy = strategy, .maps_dirs = no_dropins
        };
        json_object *plan = NULL;

        free(*error);
        *error = NULL;
        if (want < 0) {
                ASSERT_ERR(plan_build(inv, &o, &plan, error), want);
                return NULL;
        }
        ASSERT_OK(plan_build(inv, &o, &plan, error));
        return plan;
}

static json_object *step_by_id(json_object *plan, const char *id)
{
        json_object *steps = json_get(plan, "steps");
        for (size_t i = 0; i < json_object_array_length(steps); i++)
                if (streq_ptr(json_get_str(json_object_array_get_idx(steps, i), "id"), id))
                        return json_object_array_get_idx(steps, i);
        return NULL;
}

/* Every mutating step has a checkpoint before it, of the wanted kind, and each checkpoint names
 * its step. */
static void check_checkpoints(json_object *plan, const char *kind)
{
        json_object *steps = json_get(plan, "steps"), *cps = json_get(plan, "checkpoints");
        size_t n_cp = 0;

        for (size_t i = 0; i < json_object_array_length(steps); i++) {
                json_object *s = json_object_array_get_idx(steps, i);
                const char *cp = json_get_str(s, "checkpoint_before");
                bool found = false;

                ASSERT_NOT_NULL(json_get_str(s, "undo"));
                ASSERT_TRUE(json_object_is_type(json_get(s, "reads"), json_type_array));
                if (!json_get_bool(s, "mutates", false)) {
                        ASSERT_NULL(cp);
                        continue;
                }
                ASSERT_NOT_NULL(cp);
                n_cp++;
                for (size_t j = 0; j < json_object_array_length(cps); j++) {
                        json_object *c = json_object_array_get_idx(cps, j);
                        if (!streq_ptr(json_get_str(c, "id"), cp))
                                continue;
                        found = true;
                        ASSERT_STREQ(json_get_str(c, "before_step"), json_get_str(s, "id"));
                        if (kind)
                                ASSERT_STREQ(json_get_str(c, "kind"), kind);
                        ASSERT_NOT_NULL(json_get_str(c, "description"));
                }
                ASSERT_TRUE(found);
        }
        ASSERT_UEQ(json_object_array_length(cps), n_cp);
}

static void test_plan_build(void)
{
        _cleanup_json_ json_object *inv = fixture_json("plan/inventory.json"), *plan = NULL, *again = NULL,
                                   *reparsed = NULL, *plan2 = NULL;
        _cleanup_free_ char *error = NULL, *fp = NULL, *before = NULL, *after = NULL, *a = NULL, *b = NULL,
                            *c = NULL;
        json_object *steps, *findings, *decisions, *inh, *counts;
        bool hostile = false, inv_finding = false;

        before = serialise(inv);
        plan = build(inv, "inplace", 0, &error);
        after = serialise(inv);
        ASSERT_STREQ(before, after); /* planning does not touch its input */

        ASSERT_STREQ(json_get_str(plan, "schema"), PLAN_SCHEMA);
        ASSERT_STREQ(json_get_str(plan, "from"), "ubuntu-22.04");
        ASSERT_STREQ(json_get_str(plan, "to"), "azurelinux-3.0");
        ASSERT_STREQ(json_get_str(plan, "strategy"), "inplace");
        ASSERT_TRUE(json_object_object_get_ex(plan, "created", NULL)); /* present, and null */
        ASSERT_NULL(json_get(plan, "created"));
        ASSERT_OK(fingerprint_inventory(inv, &fp));
        ASSERT_STREQ(json_get_str(plan, "inventory_fingerprint"), fp);
        ASSERT_OK(plan_check(plan, &error));

        /* The steps of issue 4, checkpoints before the mutating ones: overlays for a disk image. */
        steps = json_get(plan, "steps");
        ASSERT_UEQ(json_object_array_length(steps), ELEMENTSOF(inplace_steps));
        for (size_t i = 0; i < ELEMENTSOF(inplace_steps); i++)
                ASSERT_STREQ(json_get_str(json_object_array_get_idx(steps, i), "id"), inplace_steps[i]);
        check_checkpoints(plan, "overlay");
        ASSERT_STREQ(json_get_str(step_by_id(plan, "stage-target"), "checkpoint_before"), "cp-stage-target");
        /* "@esp" became the ESP's mount point. */
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(
                             json_get(step_by_id(plan, "install-boot"), "writes"), 0)),
                     "/boot/efi");

        /* Every package decided, the hostile one with its name intact. */
        decisions = json_get(json_get(plan, "packages"), "decisions");
        counts = json_get(json_get(plan, "packages"), "counts");
        ASSERT_UEQ(json_object_array_length(decisions), 15);
        ASSERT_EQ(json_get_int(counts, "total", -1), 15);
        for (size_t i = 0; i < json_object_array_length(decisions); i++)
                if (streq_ptr(json_get_str(json_object_array_get_idx(decisions, i), "name"),
                              "evil<script>alert(1)</script>&\"'|pkg"))
                        hostile = true;
        ASSERT_TRUE(hostile);

        /* Findings: the inventory's own is there, never an inhibitor; all sorted by key. */
        findings = json_get(plan, "findings");
        for (size_t i = 0; i < json_object_array_length(findings); i++) {
                json_object *f = json_object_array_get_idx(findings, i);
                ASSERT_TRUE(json_object_is_type(json_get(f, "inhibitor"), json_type_boolean));
                ASSERT_TRUE(json_object_is_type(json_get(f, "remediation"), json_type_array));
                if (i > 0)
                        ASSERT_TRUE(strcmp(json_get_str(json_object_array_get_idx(findings, i - 1), "key"),
                                           json_get_str(f, "key")) <= 0);
                if (streq_ptr(json_get_str(f, "key"), "dpkg.stanza.invalid")) {
                        inv_finding = true;
                        ASSERT_FALSE(json_get_bool(f, "inhibitor", true));
                        ASSERT_UEQ(json_object_array_length(json_get(f, "remediation")), 0);
                }
        }
        ASSERT_TRUE(inv_finding);
        ASSERT_STREQ(json_get_str(plan, "verdict"), plan_verdict_to_string(plan_verdict_of(findings)));
        inh = json_get(plan, "inhibitors");
        for (size_t i = 0; i < json_object_array_length(inh); i++)
                ASSERT_TRUE(i == 0 || strcmp(json_object_get_string(json_object_array_get_idx(inh, i - 1)),
                                             json_object_get_string(json_object_array_get_idx(inh, i))) < 0);

        ASSERT_EQ(json_get_int(json_get(json_get(plan, "inventory_summary"), "packages"), "count", -1), 15);
        ASSERT_STREQ(json_get_str(json_get(json_get(plan, "inventory_summary"), "aks"), "kubelet_version"),
                     "v1.34.4");
        ASSERT_STREQ(json_get_str(json_get(plan, "target_image"), "root_used"), "21G");
        ASSERT_TRUE(json_get_int(json_get(plan, "target_image"), "packages", 0) > 300);
        {
                json_object *pres = json_get(plan, "preserve");
                bool kubelet = false;
                for (size_t i = 0; i < json_object_array_length(pres); i++)
                        kubelet =
                                kubelet || streq(json_object_get_string(json_object_array_get_idx(pres, i)),
                                                 "/var/lib/kubelet");
                ASSERT_TRUE(kubelet);
        }

        /* Deterministic: again, and from the document read back, byte for byte. */
        again = build(inv, "inplace", 0, &error);
        reparsed = json_parse_ok(before);
        plan2 = build(reparsed, "inplace", 0, &error);
        a = serialise(plan);
        b = serialise(again);
        c = serialise(plan2);
        ASSERT_STREQ(a, b);
        ASSERT_STREQ(a, c);
}

static void test_plan_variants(void)
{
        _cleanup_json_ json_object *inv = fixture_json("plan/inventory.json"), *dir = NULL, *re = NULL,
                                   *fips = NULL;
        _cleanup_free_ char *error = NULL;

        /* A mounted root gets undo archives instead of overlays. */
        ASSERT_OK(json_add_str(json_get(inv, "source"), "format", "directory"));
        dir = build(inv, "inplace", 0, &error);
        check_checkpoints(dir, "undo-archive");

        /* Reimage: the source is only read; the new disk gets the checkpoints. */
        re = build(inv, "reimage", 0, &error);
        ASSERT_UEQ(json_object_array_length(json_get(re, "steps")), ELEMENTSOF(reimage_steps));
        check_checkpoints(re, NULL);
        ASSERT_FALSE(json_get_bool(step_by_id(re, "capture-config"), "mutates", true));
        ASSERT_STREQ(json_get_str(json_object_array_get_idx(json_get(re, "checkpoints"), 0), "kind"),
                     "none");
        ASSERT_STREQ(json_get_str(json_object_array_get_idx(json_get(re, "checkpoints"), 1), "kind"),
                     "overlay");

        /* FIPS needs a FIPS target: an inhibitor (plans/rules). */
        ASSERT_OK(json_add_bool(json_get(json_get(inv, "security"), "fips"), "enabled", true));
        fips = build(inv, "inplace", 0, &error);
        ASSERT_STREQ(json_get_str(fips, "verdict"), "inhibited");
        ASSERT_TRUE(json_object_array_length(json_get(fips, "inhibitors")) > 0);
}

static void test_plan_errors(void)
{
        _cleanup_json_ json_object *inv = fixture_json("plan/inventory.json"),
                                   *arr = json_object_new_array();
        _cleanup_free_ char *error = NULL;
        char *no_dropins[] = { NULL };
        PlanOptions o = {
                .plans_dir = plans, .to = "../../etc", .strategy = "inplace", .maps_dirs = no_dropins
        };
        json_object *plan = NULL;

        ASSERT_TRUE(plan_build(inv, &o, &plan, &error) < 0);
        ASSERT_NOT_NULL(error);
        build(inv, "bluegreen", -ENOENT, &error);
        ASSERT_NOT_NULL(strstr(error, "inplace")); /* says which strategies there are */
        build(inv, "../x", -ENOENT, &error);
        build(arr, "inplace", -EBADMSG, &error);
        ASSERT_OK(json_add_str(json_get(inv, "os"), "id", "fedora"));
        build(inv, "inplace", -EPROTONOSUPPORT, &error);
        ASSERT_NOT_NULL(strstr(error, "fedora-22.04"));
        json_object_object_del(inv, "os");
        build(inv, "inplace", -EPROTONOSUPPORT, &error);
}

static void test_plan_check(void)
{
        _cleanup_json_ json_object *inv = fixture_json("plan/inventory.json"), *plan = NULL, *bad = NULL;
        _cleanup_free_ char *error = NULL, *text = NULL;

        plan = build(inv, "inplace", 0, &error);
        ASSERT_OK(plan_check(plan, &error));
        text = serialise(plan);

        bad = json_parse_ok("{\"schema\": \"azlmigrate/inventory/v1\"}");
        ASSERT_ERR(plan_check(bad, &error), -EBADMSG);
        ASSERT_NOT_NULL(strstr(error, "azlmigrate/plan/v1"));
        json_object_put(bad);

        bad = json_parse_ok(text);
        ASSERT_OK(json_add_str(bad, "verdict", "maybe"));
        free(error);
        error = NULL;
        ASSERT_ERR(plan_check(bad, &error), -EBADMSG);
        ASSERT_NOT_NULL(strstr(error, "verdict"));
        ASSERT_OK(json_add_str(bad, "verdict", "ready"));
        json_object_object_del(bad, "steps");
        free(error);
        error = NULL;
        ASSERT_ERR(plan_check(bad, &error), -EBADMSG);
        ASSERT_NOT_NULL(strstr(error, "steps"));
        free(error);
        error = NULL;
        ASSERT_ERR(plan_check(NULL, &error), -EBADMSG);
}

int main(void)
{
        plans = tests_plans_dir();
        RUN(test_fingerprint);
        RUN(test_verdict);
        RUN(test_strategy_shipped);
        RUN(test_strategy_invalid);
        RUN(test_parse_size);
        RUN(test_target_image);
        RUN(test_plan_build);
        RUN(test_plan_variants);
        RUN(test_plan_errors);
        RUN(test_plan_check);
        {
                char cmd[256];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
                if (system(cmd) != 0)
                        fprintf(stderr, "could not remove %s\n", tmp);
        }
        TESTS_DONE();
}
