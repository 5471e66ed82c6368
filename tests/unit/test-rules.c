/* SPDX-License-Identifier: MIT */
/* Unit tests for the rule engine (src/map/rules.c, rule-expr.c): paths, templates, every condition
 * kind, hostile rule files, the shipped plans/rules evaluated over the AKS Ubuntu 22.04 sample
 * inventory (tests/fixtures/rules/) and variants of it, and docs/findings.md, which this binary
 * generates: run it with --print-doc to regenerate the file, or with
 * --dump INVENTORY [DECISIONS [TARGET [STRATEGY]]] to print what the shipped rules make of an inventory. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster/cluster-findings.h"
#include "inspect/finding-catalogue.h"
#include "map/rule-expr.h"
#include "map/rules.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "shared/utf8.h"
#include "json-fixture.h"
#include "tests.h"

static json_object *find_translation(json_object *tr, const char *rule, const char *source)
{
        return jfind2(tr, "rule", rule, "source", source);
}

static json_object *find_translation_target(json_object *tr, const char *rule, const char *target)
{
        return jfind2(tr, "rule", rule, "target", target);
}

/* ---- Paths and templates -------------------------------------------------------------------- */

static void test_paths(void)
{
        _cleanup_json_ json_object
                *inv = json_parse_ok("{\"a\": {\"b\": [10, {\"c\": \"x\"}]}, \"packages\": {\"count\": 3},"
                                     " \"s\": \"str\", \"z\": null}"),
                *dec = json_parse_ok("[{\"name\": \"p\"}]"), *item = json_parse_ok("{\"n\": 5}"),
                *vars = json_parse_ok("{\"to\": \"azl\"}");
        RuleScope s = { .inventory = inv, .decisions = dec, .item = item, .vars = vars };
        char longpath[600];

        ASSERT_TRUE(rule_path_valid("a.b"));
        ASSERT_TRUE(rule_path_valid("@"));
        ASSERT_TRUE(rule_path_valid("@.x.y"));
        ASSERT_TRUE(rule_path_valid("$to"));
        ASSERT_TRUE(rule_path_valid("mounts.0.type"));
        ASSERT_TRUE(rule_path_valid("aks.kubelet.unit_environment.KUBELET_CGROUP_FLAGS"));
        ASSERT_FALSE(rule_path_valid(""));
        ASSERT_FALSE(rule_path_valid(NULL));
        ASSERT_FALSE(rule_path_valid("."));
        ASSERT_FALSE(rule_path_valid("a..b"));
        ASSERT_FALSE(rule_path_valid("a."));
        ASSERT_FALSE(rule_path_valid("@x"));
        ASSERT_FALSE(rule_path_valid("a.@"));
        ASSERT_FALSE(rule_path_valid("$to.x"));
        ASSERT_FALSE(rule_path_valid("$"));
        ASSERT_FALSE(rule_path_valid("a b"));
        ASSERT_FALSE(rule_path_valid("a{b"));
        ASSERT_FALSE(rule_path_valid("x|y"));
        memset(longpath, 'a', sizeof(longpath) - 1);
        longpath[sizeof(longpath) - 1] = 0;
        ASSERT_FALSE(rule_path_valid(longpath));

        ASSERT_STREQ(json_object_get_string(rule_path_get(&s, "a.b.1.c")), "x");
        ASSERT_EQ(json_object_get_int(rule_path_get(&s, "a.b.0")), 10);
        ASSERT_NULL(rule_path_get(&s, "a.b.5"));
        ASSERT_NULL(rule_path_get(&s, "a.b.x"));
        ASSERT_NULL(rule_path_get(&s, "a.b.-1"));
        ASSERT_NULL(rule_path_get(&s, "s.x"));
        ASSERT_NULL(rule_path_get(&s, "z"));
        ASSERT_NULL(rule_path_get(&s, "nope"));
        ASSERT_STREQ(json_object_get_string(rule_path_get(&s, "packages.decisions.0.name")), "p");
        ASSERT_EQ(json_object_get_int(rule_path_get(&s, "packages.count")), 3);
        ASSERT_EQ(json_object_get_int(rule_path_get(&s, "@.n")), 5);
        ASSERT_TRUE(rule_path_get(&s, "@") == item);
        ASSERT_STREQ(json_object_get_string(rule_path_get(&s, "$to")), "azl");
        ASSERT_NULL(rule_path_get(&s, "$strategy"));
        s.item = NULL;
        ASSERT_NULL(rule_path_get(&s, "@.n"));
        ASSERT_NULL(rule_path_get(&s, "@"));
}

static char *render(const char *tmpl, const RuleScope *s)
{
        char *out = NULL;
        int r = rule_template_render(tmpl, s, 4096, true, &out);
        if (r < 0)
                FAIL("rendering '%s' failed: %s", tmpl, strerror(-r));
        return out;
}

#define ASSERT_RENDERS(tmpl, scope, want)                        \
        do {                                                     \
                _cleanup_free_ char *_out = render(tmpl, scope); \
                ASSERT_STREQ(_out, want);                        \
        } while (0)

static void test_templates(void)
{
        _cleanup_json_ json_object
                *inv = json_parse_ok("{\"a\": {\"b\": [10, {\"c\": \"x\"}]}, \"l\": [\"a\", \"b\"],"
                                     " \"t\": true, \"o\": {\"k\": 1}, \"n\": 0}"),
                *item = json_parse_ok(
                        "{\"p\": \"/usr/local/share/ca-certificates/certs/x.crt\", \"q\": \"x\"}"),
                *vars = json_parse_ok("{\"to\": \"azurelinux-3.0\"}");
        RuleScope s = { .inventory = inv, .item = item, .vars = vars, .count = 2, .resources = "a, b" };
        _cleanup_free_ char *err = NULL, *out = NULL;
        char big[201];

        ASSERT_RENDERS("{count} file(s): {resources}", &s, "2 file(s): a, b");
        ASSERT_RENDERS("/etc/pki/ca-trust/source/anchors/{@.p|basename}", &s,
                       "/etc/pki/ca-trust/source/anchors/x.crt");
        ASSERT_RENDERS("{@.p|dirname}", &s, "/usr/local/share/ca-certificates/certs");
        ASSERT_RENDERS("{@.q|dirname}", &s, ".");
        ASSERT_RENDERS("{a.b|json}", &s, "[10,{\"c\":\"x\"}]");
        ASSERT_RENDERS("{a.b|count} {l|count} {nope|count} {t|count}", &s, "2 2 0 1");
        ASSERT_RENDERS("{a.b|first}", &s, "10");
        ASSERT_RENDERS("{l|lines}", &s, "a\nb");
        ASSERT_RENDERS("{l} / {l|join}", &s, "a, b / a, b");
        ASSERT_RENDERS("[{nope}] [{a.b.9}]", &s, "[] []");
        ASSERT_RENDERS("{t} {n} {o}", &s, "true 0 {\"k\":1}");
        ASSERT_RENDERS("{{literal}} a}}b", &s, "{literal} a}b");
        ASSERT_RENDERS("on {$to}", &s, "on azurelinux-3.0");
        ASSERT_RENDERS("", &s, "");
        ASSERT_RENDERS("{nope|json}", &s, "null");

        ASSERT_OK(rule_template_check("plain text", &err));
        ASSERT_OK(rule_template_check(NULL, &err));
        ASSERT_ERR(rule_template_check("{unterminated", &err), -EBADMSG);
        ASSERT_TRUE(strstr(err, "unterminated") != NULL);
        err = mfree(err);
        ASSERT_ERR(rule_template_check("stray } brace", &err), -EBADMSG);
        ASSERT_TRUE(strstr(err, "unmatched") != NULL);
        err = mfree(err);
        ASSERT_ERR(rule_template_check("{}", &err), -EBADMSG);
        err = mfree(err);
        ASSERT_ERR(rule_template_check("{a|nofilter}", &err), -EBADMSG);
        ASSERT_TRUE(strstr(err, "unknown filter 'nofilter'") != NULL);
        err = mfree(err);
        ASSERT_ERR(rule_template_check("{a b}", &err), -EBADMSG);
        ASSERT_TRUE(strstr(err, "invalid path") != NULL);
        err = mfree(err);
        ASSERT_ERR(rule_template_check(
                           "{a|basename|basename|basename|basename|basename|basename|basename|basename|"
                           "basename}",
                           &err),
                   -EBADMSG);
        err = mfree(err);
        ASSERT_ERR(rule_template_render("{a|nofilter}", &s, 100, true, &out), -EBADMSG);

        /* Truncation keeps UTF-8 whole and says so; without truncation it is an error. */
        for (size_t i = 0; i + 2 < sizeof(big); i += 2) {
                big[i] = '\xc3';
                big[i + 1] = '\xa9';
                big[i + 2] = 0;
        }
        {
                _cleanup_json_ json_object *it = json_parse_ok("{}");
                RuleScope s2 = { .inventory = inv, .item = it };
                ASSERT_OK(json_add_str(it, "s", big));
                ASSERT_OK(rule_template_render("{@.s}", &s2, 51, true, &out));
                ASSERT_TRUE(strlen(out) <= 51);
                ASSERT_TRUE(endswith(out, "\xe2\x80\xa6") != NULL);
                ASSERT_TRUE(utf8_is_valid_n(out, strlen(out)));
                out = mfree(out);
                ASSERT_ERR(rule_template_render("{@.s}", &s2, 51, false, &out), -E2BIG);
                ASSERT_NULL(out);
                ASSERT_OK(rule_template_render("{@.s}", &s2, 1000, false, &out));
                ASSERT_STREQ(out, big);
                out = mfree(out);
        }
}

/* ---- Conditions and evaluation -------------------------------------------------------------- */

static const char cond_inventory[] =
        "{\"os\": {\"id\": \"ubuntu\", \"arch\": \"x86_64\", \"tags\": [\"a\", \"b\"]}, \"n\": 0, "
        "\"empty\": \"\","
        " \"list\": [], \"obj\": {}, \"scalar\": \"one\","
        " \"items\": [{\"name\": \"c\", \"v\": 3, \"flag\": true}, {\"name\": \"a\", \"v\": 1},"
        "             {\"name\": \"b\", \"v\": 2}]}";

/* A rule that produces a finding keyed key when cond holds (cond is JSON text). */
static void rule_text(FILE *f, const char *key, const char *cond)
{
        fprintf(f,
                "{\"key\": \"%s\", \"area\": \"test\", \"severity\": \"info\", \"title\": \"t\","
                " \"meaning\": \"a test rule of the condition tests\", \"when\": %s, \"detail\": \"d\"},\n",
                key, cond);
}

static void test_conditions(void)
{
        _cleanup_(rule_set_freep) RuleSet *set = NULL;
        _cleanup_json_ json_object *inv = json_parse_ok(cond_inventory), *findings = NULL, *tr = NULL;
        _cleanup_free_ char *buf = NULL, *err = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        RulesInput in = { .plans_dir = tests_plans_dir(), .to = "azurelinux-3.0", .inventory = inv };
        static const struct {
                const char *key, *cond;
                bool want;
        } cases[] = {
                { "c.equals", "{\"path\": \"os.id\", \"equals\": \"ubuntu\"}", true },
                { "c.equals-no", "{\"path\": \"os.id\", \"equals\": \"debian\"}", false },
                { "c.equals-missing", "{\"path\": \"os.nope\", \"equals\": null}", false },
                { "c.equals-array-any", "{\"path\": \"os.tags\", \"equals\": \"b\"}", true },
                { "c.equals-array-whole", "{\"path\": \"os.tags\", \"equals\": [\"a\", \"b\"]}", true },
                { "c.equals-number", "{\"path\": \"n\", \"equals\": 0}", true },
                { "c.in", "{\"path\": \"os.arch\", \"in\": [\"aarch64\", \"x86_64\"]}", true },
                { "c.in-no", "{\"path\": \"os.arch\", \"in\": [\"aarch64\"]}", false },
                { "c.in-array-any", "{\"path\": \"os.tags\", \"in\": [\"z\", \"a\"]}", true },
                { "c.nonempty-array", "{\"path\": \"os.tags\", \"nonempty\": true}", true },
                { "c.nonempty-empty-array", "{\"path\": \"list\", \"nonempty\": true}", false },
                { "c.nonempty-empty-object", "{\"path\": \"obj\", \"nonempty\": true}", false },
                { "c.nonempty-false-string", "{\"path\": \"empty\", \"nonempty\": false}", true },
                { "c.nonempty-false-missing", "{\"path\": \"nope\", \"nonempty\": false}", true },
                { "c.nonempty-number", "{\"path\": \"n\", \"nonempty\": true}", true },
                { "c.exists", "{\"path\": \"os.arch\", \"exists\": true}", true },
                { "c.exists-missing", "{\"path\": \"os.nope\", \"exists\": true}", false },
                { "c.exists-false", "{\"path\": \"os.nope\", \"exists\": false}", true },
                { "c.matches", "{\"path\": \"os.arch\", \"matches\": \"^x86_(32|64)$\"}", true },
                { "c.matches-array", "{\"path\": \"os.tags\", \"matches\": \"^b$\"}", true },
                { "c.matches-number", "{\"path\": \"n\", \"matches\": \"0\"}", false },
                { "c.matches-no", "{\"path\": \"os.id\", \"matches\": \"^deb\"}", false },
                { "c.all",
                  "{\"all\": [{\"path\": \"os.id\", \"equals\": \"ubuntu\"}, {\"path\": \"n\", \"equals\": "
                  "0}]}",
                  true },
                { "c.all-no",
                  "{\"all\": [{\"path\": \"os.id\", \"equals\": \"ubuntu\"}, {\"path\": \"n\", \"equals\": "
                  "1}]}",
                  false },
                { "c.any",
                  "{\"any\": [{\"path\": \"os.id\", \"equals\": \"x\"}, {\"path\": \"n\", \"equals\": 0}]}",
                  true },
                { "c.any-no",
                  "{\"any\": [{\"path\": \"os.id\", \"equals\": \"x\"}, {\"path\": \"n\", \"equals\": 1}]}",
                  false },
                { "c.not", "{\"not\": {\"path\": \"os.id\", \"equals\": \"debian\"}}", true },
                { "c.not-not", "{\"not\": {\"not\": {\"path\": \"os.id\", \"equals\": \"debian\"}}}",
                  false },
                /* The inventory has no mounts: root-filesystem reports "/ (not found)", free-space
                   "unknown". */
                { "c.check", "{\"check\": \"root-filesystem\"}", true },
                { "c.check-none", "{\"check\": \"units\", \"args\": {\"mode\": \"carry\"}}", false },
                { "c.var", "{\"path\": \"$to\", \"equals\": \"azurelinux-3.0\"}", true },
        };

        ASSERT_OK(rule_set_new(&set));
        fputs("{\"rules\": [\n", f);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                rule_text(f, cases[i].key, cases[i].cond);
        /* foreach: the matching elements count, their resources are sorted and unique. */
        fputs("{\"key\": \"c.foreach\", \"area\": \"test\", \"severity\": \"low\", \"title\": \"t\","
              " \"meaning\": \"a test rule of the condition tests\", \"foreach\": \"items\","
              " \"when\": {\"path\": \"@.v\", \"in\": [1, 3]}, \"resource\": \"{@.name}\","
              " \"detail\": \"{count}: {resources} (first {@.name})\"},\n"
              "{\"key\": \"c.foreach-scalar\", \"area\": \"test\", \"severity\": \"low\", \"title\": \"t\","
              " \"meaning\": \"a test rule of the condition tests\", \"foreach\": \"scalar\", \"resource\": "
              "\"{@}\","
              " \"detail\": \"{count} {resources}\"},\n"
              "{\"key\": \"c.foreach-missing\", \"area\": \"test\", \"severity\": \"low\", \"title\": \"t\","
              " \"meaning\": \"a test rule of the condition tests\", \"foreach\": \"nope\", \"detail\": "
              "\"x\"},\n"
              "{\"key\": \"c.strategy\", \"area\": \"test\", \"severity\": \"high\", \"title\": \"t\","
              " \"meaning\": \"a test rule of the condition tests\", \"strategies\": [\"reimage\"], "
              "\"detail\": \"x\"},\n"
              "{\"key\": \"c.target\", \"area\": \"test\", \"severity\": \"medium\", \"title\": \"t\","
              " \"meaning\": \"a test rule of the condition tests\", \"targets\": [\"azurelinux-2.0\"], "
              "\"detail\": \"x\"},\n"
              "{\"key\": \"c.translation-only\", \"area\": \"test\", \"severity\": \"info\", \"title\": "
              "\"t\","
              " \"meaning\": \"a test rule of the condition tests\", \"finding\": false, \"foreach\": "
              "\"items\","
              " \"translation\": {\"action\": \"render\", \"source\": \"{@.nope}\", \"target\": "
              "\"/t/{@.name}\","
              "   \"content\": \"v={@.v}\\n\", \"note\": \"\"}},\n"
              "{\"key\": \"c.inhibitor\", \"area\": \"test\", \"severity\": \"high\", \"inhibitor\": true, "
              "\"title\": \"t\","
              " \"meaning\": \"a test rule of the condition tests\", \"detail\": \"x\","
              " \"remediation\": [{\"kind\": \"command\", \"value\": \"fix {os.id}\"}, {\"kind\": \"link\", "
              "\"value\": \"https://x\"}]}\n"
              "]}\n",
              f);
        ASSERT_EQ(fclose(f), 0);
        if (rule_set_add_buffer(set, "cond.json", buf, size, &err) < 0)
                FAIL("condition rules do not load: %s", err);

        in.strategy = "inplace";
        ASSERT_OK(rule_set_evaluate(set, &in, &findings, &tr, &err));
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                if ((jfind(findings, "key", cases[i].key) != NULL) != cases[i].want)
                        FAIL("condition %s: expected %s", cases[i].key, cases[i].want ? "true" : "false");

        {
                json_object *fe = jfind(findings, "key", "c.foreach");
                ASSERT_NOT_NULL(fe);
                ASSERT_STREQ(json_get_str(fe, "detail"), "2: a, c (first c)");
                ASSERT_EQ(json_object_array_length(json_get(fe, "resources")), 2);
                ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(json_get(fe, "resources"), 0)),
                             "a");
                ASSERT_STREQ(json_get_str(fe, "rule"), "plans/rules/cond.json");
                ASSERT_FALSE(json_get_bool(fe, "inhibitor", true));
                ASSERT_EQ(json_object_array_length(json_get(fe, "remediation")), 0);
        }
        ASSERT_STREQ(json_get_str(jfind(findings, "key", "c.foreach-scalar"), "detail"), "1 one");
        ASSERT_NULL(jfind(findings, "key", "c.foreach-missing"));
        ASSERT_NULL(jfind(findings, "key", "c.strategy")); /* reimage only */
        ASSERT_NULL(jfind(findings, "key", "c.target"));   /* azurelinux-2.0 only */
        ASSERT_NULL(jfind(findings, "key", "c.translation-only"));
        {
                json_object *inh = jfind(findings, "key", "c.inhibitor"),
                            *rem = json_get(inh, "remediation");
                ASSERT_TRUE(json_get_bool(inh, "inhibitor", false));
                ASSERT_STREQ(json_get_str(json_object_array_get_idx(rem, 0), "kind"), "command");
                ASSERT_STREQ(json_get_str(json_object_array_get_idx(rem, 0), "value"), "fix ubuntu");
                /* Sorted: severity high first, then key. */
                ASSERT_TRUE(json_object_array_get_idx(findings, 0) == inh);
        }
        for (size_t i = 1; i < json_object_array_length(findings); i++) {
                json_object *a = json_object_array_get_idx(findings, i - 1),
                            *b = json_object_array_get_idx(findings, i);
                int sa = severity_from_string(json_get_str(a, "severity")),
                    sb = severity_from_string(json_get_str(b, "severity"));
                ASSERT_TRUE(sa > sb ||
                            (sa == sb && strcmp(json_get_str(a, "key"), json_get_str(b, "key")) < 0));
        }

        /* Translations: one per element, null for what renders empty, sorted by rule then source/target. */
        ASSERT_EQ(jcount(tr, "rule", "c.translation-only"), 3);
        {
                json_object *t = json_object_array_get_idx(tr, 0);
                ASSERT_STREQ(json_get_str(t, "target"), "/t/a");
                ASSERT_STREQ(json_get_str(t, "content"), "v=1\n");
                ASSERT_STREQ(json_get_str(t, "action"), "render");
                ASSERT_TRUE(json_object_object_get_ex(t, "source", NULL) && !json_get(t, "source"));
                ASSERT_TRUE(json_object_object_get_ex(t, "note", NULL) && !json_get(t, "note"));
                ASSERT_STREQ(json_get_str(json_object_array_get_idx(tr, 2), "target"), "/t/c");
        }
        json_object_put(findings);
        json_object_put(tr);
        findings = tr = NULL;

        /* No strategy: the rules of every strategy; another target: its rules. */
        in.strategy = NULL;
        in.to = "azurelinux-2.0";
        ASSERT_OK(rule_set_evaluate(set, &in, &findings, &tr, &err));
        ASSERT_NOT_NULL(jfind(findings, "key", "c.strategy"));
        ASSERT_NOT_NULL(jfind(findings, "key", "c.target"));
        ASSERT_NULL(jfind(findings, "key", "c.var"));
}

static void test_limits(void)
{
        static const char rules[] =
                "{\"rules\": [{\"key\": \"l.many\", \"area\": \"test\", \"severity\": \"low\", \"title\": "
                "\"t\","
                " \"meaning\": \"a rule of the limit tests of the engine\", \"foreach\": \"items\","
                " \"resource\": \"r{@}\", \"detail\": \"{count}: {resources}\"},"
                " {\"key\": \"l.big\", \"area\": \"test\", \"severity\": \"low\", \"title\": \"t\","
                " \"meaning\": \"a rule of the limit tests of the engine\", \"detail\": \"{big}\","
                " \"translation\": {\"action\": \"render\", \"target\": \"/x\", \"content\": \"{big}\","
                " \"note\": \"n\"}}]}";
        _cleanup_(rule_set_freep) RuleSet *set = NULL;
        _cleanup_json_ json_object *inv = json_object_new_object(), *items = json_object_new_array(),
                                   *findings = NULL, *tr = NULL;
        _cleanup_free_ char *err = NULL, *big = malloc(RULES_CONTENT_MAX + 2);
        RulesInput in = { .plans_dir = tests_plans_dir(), .to = "azurelinux-3.0", .inventory = inv };
        json_object *f;

        ASSERT_NOT_NULL(big);
        memset(big, 'x', RULES_CONTENT_MAX + 1);
        big[RULES_CONTENT_MAX + 1] = 0;
        for (int i = 0; i < (int) RULES_FOREACH_MAX + 5; i++)
                ASSERT_OK(json_append(items, json_object_new_int(i)));
        ASSERT_OK(json_add(inv, "items", json_object_get(items)));
        ASSERT_OK(json_add_str(inv, "big", big));
        ASSERT_OK(rule_set_new(&set));
        ASSERT_OK(rule_set_add_buffer(set, "limits.json", rules, strlen(rules), &err));
        ASSERT_OK(rule_set_evaluate(set, &in, &findings, &tr, &err));

        /* At most 10000 elements, 1000 resources, 20 of them in the text. */
        f = jfind(findings, "key", "l.many");
        ASSERT_EQ(json_object_array_length(json_get(f, "resources")), RULES_RESOURCES_MAX);
        ASSERT_TRUE(startswith(json_get_str(f, "detail"), "10000: r0, r1, r10, r100, r101, r102,") != NULL);
        ASSERT_TRUE(strstr(json_get_str(f, "detail"), " and 9980 more (only the first 10000 elements were "
                                                      "evaluated; 5 more were not)") != NULL);
        /* Text is cut, content left out. */
        f = jfind(findings, "key", "l.big");
        ASSERT_EQ(strlen(json_get_str(f, "detail")), RULES_TEXT_MAX);
        ASSERT_EQ(jcount(tr, "rule", "l.big"), 1);
        ASSERT_NULL(json_get(json_object_array_get_idx(tr, 0), "content"));
        ASSERT_STREQ(json_get_str(json_object_array_get_idx(tr, 0), "note"),
                     "content not rendered: larger than 262144 bytes. n");
}

/* ---- Hostile rule files --------------------------------------------------------------------- */

#define RULE_HEAD                                                                           \
        "{\"key\": \"a.b\", \"area\": \"test\", \"severity\": \"info\", \"title\": \"t\", " \
        "\"meaning\": \"a rule of the hostile rule file tests\", "

static void expect_bad(const char *content, int want_r, const char *want_msg)
{
        _cleanup_(rule_set_freep) RuleSet *set = NULL;
        _cleanup_json_ json_object *cat = NULL;
        _cleanup_free_ char *err = NULL;
        int r;

        ASSERT_OK(rule_set_new(&set));
        r = rule_set_add_buffer(set, "bad.json", content, strlen(content), &err);
        if (r != want_r)
                FAIL("rule file %s: returned %d (%s), expected %d", content, r, strempty(err), want_r);
        if (!err || !strstr(err, want_msg))
                FAIL("rule file %s: message '%s' does not contain '%s'", content, strempty(err), want_msg);
        /* A refused file leaves nothing behind. */
        ASSERT_OK(rule_set_catalogue(set, &cat));
        ASSERT_EQ(json_object_array_length(cat), 0);
}

static void test_hostile(void)
{
        _cleanup_(rule_set_freep) RuleSet *set = NULL;
        _cleanup_free_ char *err = NULL, *big = NULL, *deep = NULL, *many = NULL;
        _cleanup_json_ json_object *cat = NULL;
        size_t n;

        expect_bad("not json", -EBADMSG, "bad.json: line 1: not valid JSON");
        expect_bad("{\"rules\": [\n", -EBADMSG, "bad.json: line 2: not valid JSON: unexpected end of file");
        expect_bad("{\"rules\": []} trailing", -EBADMSG, "bad.json: line 1: not valid JSON");
        expect_bad("{\"rules\": []}\n\n{}", -EBADMSG, "bad.json: line 3: ");
        expect_bad("{\"rules\": [], /* comment */}", -EBADMSG, "not valid JSON");
        expect_bad("[]", -EBADMSG, "bad.json: the top level must be an object");
        expect_bad("{\"rules\": {}}", -EBADMSG, "'rules' must be an array");
        expect_bad("{\"rules\": [], \"x\": 1}", -EBADMSG, "unknown top-level field 'x'");
        expect_bad("{\"rules\": [42]}", -EBADMSG, "bad.json: rule 1: a rule must be an object");
        expect_bad("{\"rules\": [{\"area\": \"x\"}]}", -EBADMSG, "bad.json: rule 1: 'key' is required");
        expect_bad("{\"rules\": [{\"key\": 7}]}", -EBADMSG, "'key' must be a string");
        expect_bad("{\"rules\": [{\"key\": \"Net.X\"}]}", -EBADMSG, "invalid key 'Net.X'");
        expect_bad("{\"rules\": [{\"key\": \"a..b\"}]}", -EBADMSG, "invalid key");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"whatever\": 1}]}", -EBADMSG,
                   "bad.json: rule 1 (a.b): unknown field 'whatever' in the rule");
        expect_bad("{\"rules\": [{\"key\": \"boot.kernel.missing\", \"area\": \"boot\"}]}", -EBADMSG,
                   "the key is an inspection finding");
        expect_bad("{\"rules\": [{\"key\": \"a.b\", \"area\": \"test\", \"severity\": \"critical\", "
                   "\"title\": \"t\","
                   " \"meaning\": \"a rule of the hostile rule file tests\", \"detail\": \"d\"}]}",
                   -EBADMSG, "severity must be info, low, medium or high");
        expect_bad("{\"rules\": [{\"key\": \"a.b\", \"area\": \"test\", \"severity\": \"info\", \"title\": "
                   "\"t\","
                   " \"meaning\": \"short\", \"detail\": \"d\"}]}",
                   -EBADMSG, "'meaning' must be one line of at least 20 bytes");
        expect_bad("{\"rules\": [{\"key\": \"a.b\", \"area\": \"test\", \"severity\": \"info\", \"title\": "
                   "\"a|b\","
                   " \"meaning\": \"a rule of the hostile rule file tests\", \"detail\": \"d\"}]}",
                   -EBADMSG, "'title' must be one line");
        expect_bad("{\"rules\": [" RULE_HEAD "\"inhibitor\": true, \"detail\": \"d\"}]}", -EBADMSG,
                   "an inhibitor must have severity high and remediation steps");
        expect_bad("{\"rules\": [" RULE_HEAD "\"inhibitor\": \"yes\", \"detail\": \"d\"}]}", -EBADMSG,
                   "'inhibitor' must be true or false");
        expect_bad("{\"rules\": [" RULE_HEAD "\"area\": \"test\"}]}", -EBADMSG, "'detail' is required");
        expect_bad("{\"rules\": [" RULE_HEAD "\"finding\": false}]}", -EBADMSG,
                   "a rule without a finding must have a translation");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"{unterminated\"}]}", -EBADMSG,
                   "bad.json: rule 1 (a.b): 'detail': unterminated '{' in template");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"{@.x|shout}\"}]}", -EBADMSG,
                   "unknown filter 'shout'");
        expect_bad("{\"rules\": [" RULE_HEAD
                   "\"detail\": \"d\", \"when\": {\"path\": \"a\", \"greater\": 1}}]}",
                   -EBADMSG, "unknown condition 'greater'");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"when\": {\"foo\": 1}}]}", -EBADMSG,
                   "unknown condition 'foo'");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"when\": {}}]}", -EBADMSG,
                   "unknown condition '{}'");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"when\": [1]}]}", -EBADMSG,
                   "a condition must be an object");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"when\": {\"path\": \"a\", \"equals\": 1,"
                   " \"in\": [1]}}]}",
                   -EBADMSG, "exactly one of equals, in, nonempty, exists, matches");
        expect_bad("{\"rules\": [" RULE_HEAD
                   "\"detail\": \"d\", \"when\": {\"path\": \"a..b\", \"equals\": 1}}]}",
                   -EBADMSG, "invalid condition path");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"when\": {\"path\": \"a\", \"in\": 1}}]}",
                   -EBADMSG, "'in' must be an array");
        expect_bad("{\"rules\": [" RULE_HEAD
                   "\"detail\": \"d\", \"when\": {\"path\": \"a\", \"exists\": 1}}]}",
                   -EBADMSG, "'exists' must be true or false");
        expect_bad("{\"rules\": [" RULE_HEAD
                   "\"detail\": \"d\", \"when\": {\"path\": \"a\", \"matches\": \"(\"}}]}",
                   -EBADMSG, "'matches': ");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"when\": {\"all\": []}}]}", -EBADMSG,
                   "must be a non-empty array of conditions");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"when\": {\"all\": [], \"any\": []}}]}",
                   -EBADMSG, "must be the only field");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"when\": {\"check\": \"nope\"}}]}",
                   -EBADMSG, "bad.json: rule 1 (a.b): unknown check 'nope'");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"when\": {\"check\": \"units\"}}]}",
                   -EBADMSG, "check 'units': argument 'mode' is required");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"when\": {\"check\": \"units\", \"args\": "
                   "{\"mode\": \"bogus\"}}}]}",
                   -EBADMSG, "argument 'mode' has an unknown value");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"when\": {\"check\": \"units\", \"args\": "
                   "{\"mode\": 1}}}]}",
                   -EBADMSG, "argument 'mode' has the wrong type");
        expect_bad("{\"rules\": [" RULE_HEAD
                   "\"detail\": \"d\", \"when\": {\"check\": \"free-space\", \"args\": "
                   "{\"x\": 1}}}]}",
                   -EBADMSG, "unknown argument 'x'");
        expect_bad("{\"rules\": [" RULE_HEAD
                   "\"detail\": \"d\", \"when\": {\"check\": \"free-space\", \"args\": 1}}]}",
                   -EBADMSG, "args must be an object");
        expect_bad("{\"rules\": [" RULE_HEAD
                   "\"detail\": \"d\", \"foreach\": {\"check\": \"account-clashes\","
                   " \"args\": {\"kind\": \"user\", \"items\": \"a b\"}}}]}",
                   -EBADMSG, "'items' is not a valid path");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"foreach\": 5}]}", -EBADMSG,
                   "'foreach' must be a path");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"foreach\": \"a..b\"}]}", -EBADMSG,
                   "'foreach' is not a valid path");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"strategies\": [\"sideways\"]}]}",
                   -EBADMSG, "'strategies': unknown value 'sideways'");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"remediation\": [{\"kind\": \"prayer\","
                   " \"value\": \"x\"}]}]}",
                   -EBADMSG, "remediation kind must be text, command or link");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"translation\": {\"action\": \"render\","
                   " \"target\": \"/x\"}}]}",
                   -EBADMSG, "'content' belongs to translations with action render");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"translation\": {\"action\": \"carry\","
                   " \"target\": \"/x\", \"value\": \"v\"}}]}",
                   -EBADMSG, "'value' belongs to translations with action translate");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"translation\": {\"action\": \"move\","
                   " \"target\": \"/x\"}}]}",
                   -EBADMSG, "translation action must be");
        expect_bad("{\"rules\": [" RULE_HEAD
                   "\"detail\": \"d\", \"translation\": {\"action\": \"carry\"}}]}",
                   -EBADMSG, "a translation needs a source or a target");
        expect_bad("{\"rules\": [" RULE_HEAD "\"detail\": \"d\"}, " RULE_HEAD "\"detail\": \"d\"}]}",
                   -EBADMSG, "bad.json: rule 2 (a.b): duplicate key (also rule 1)");

        /* Conditions nested deeper than the limit. */
        {
                FILE *f;
                size_t size = 0;
                f = open_memstream(&deep, &size);
                ASSERT_NOT_NULL(f);
                fputs("{\"rules\": [" RULE_HEAD "\"detail\": \"d\", \"when\": ", f);
                for (int i = 0; i < 20; i++)
                        fputs("{\"not\": ", f);
                fputs("{\"path\": \"a\", \"exists\": true}", f);
                for (int i = 0; i < 20; i++)
                        fputc('}', f);
                fputs("}]}", f);
                ASSERT_EQ(fclose(f), 0);
                expect_bad(deep, -EBADMSG, "conditions nested deeper than 16");
                deep = mfree(deep);
                /* JSON nesting beyond the tokenizer's limit. */
                f = open_memstream(&deep, &size);
                ASSERT_NOT_NULL(f);
                for (int i = 0; i < 200; i++)
                        fputc('[', f);
                ASSERT_EQ(fclose(f), 0);
                expect_bad(deep, -EBADMSG, "not valid JSON");
        }

        /* Binary garbage. */
        {
                static const char bin[] = "{\"rules\": [\"\x01\"]}", utf[] = "{\"rules\": [\"\xff\xfe\"]}";
                expect_bad(bin, -EBADMSG, "bad.json: line 1: a control character");
                expect_bad(utf, -EBADMSG, "bad.json: not valid UTF-8");
        }

        /* Size and count caps. */
        n = RULES_FILE_MAX + 10;
        big = malloc(n + 1);
        ASSERT_NOT_NULL(big);
        memset(big, ' ', n);
        big[n] = 0;
        memcpy(big, "{\"rules\": []}", 13);
        expect_bad(big, -E2BIG, "bad.json: larger than");
        {
                FILE *f;
                size_t size = 0;
                f = open_memstream(&many, &size);
                ASSERT_NOT_NULL(f);
                fputs("{\"rules\": [", f);
                for (unsigned i = 0; i <= RULES_PER_FILE_MAX; i++)
                        fprintf(f, "%s1", i ? "," : "");
                fputs("]}", f);
                ASSERT_EQ(fclose(f), 0);
                expect_bad(many, -E2BIG, "more than 1000 rules");
        }

        /* Keys are unique across files; a refused file leaves the set as it was. */
        ASSERT_OK(rule_set_new(&set));
        ASSERT_OK(rule_set_add_buffer(set, "one.json", "{\"rules\": [" RULE_HEAD "\"detail\": \"d\"}]}",
                                      strlen("{\"rules\": [" RULE_HEAD "\"detail\": \"d\"}]}"), &err));
        {
                const char *two =
                        "{\"about\": \"x\", \"rules\": [{\"key\": \"c.d\", \"area\": \"test\", "
                        "\"severity\": "
                        "\"low\", \"title\": \"t\", \"meaning\": \"a rule of the hostile rule file tests\","
                        " \"detail\": \"d\"}, " RULE_HEAD "\"detail\": \"d\"}]}";
                ASSERT_ERR(rule_set_add_buffer(set, "two.json", two, strlen(two), &err), -EBADMSG);
                ASSERT_STREQ(err, "two.json: rule 2 (a.b): duplicate key (also in one.json)");
        }
        ASSERT_OK(rule_set_catalogue(set, &cat));
        ASSERT_EQ(json_object_array_length(cat), 1);
        ASSERT_STREQ(json_get_str(json_object_array_get_idx(cat, 0), "key"), "a.b");
        ASSERT_STREQ(json_get_str(json_object_array_get_idx(cat, 0), "file"), "one.json");
}

static void test_load_dir(void)
{
        char top[] = "/tmp/azlm-rules-XXXXXX", p[512];
        _cleanup_(rule_set_freep) RuleSet *set = NULL;
        _cleanup_free_ char *err = NULL;
        static const char good[] = "{\"rules\": [" RULE_HEAD "\"detail\": \"d\"}]}";
        static const char bad[] =
                "{\"rules\": [{\"key\": \"x.y\", \"area\": \"test\", \"severity\": \"low\","
                " \"title\": \"t\", \"meaning\": \"a rule of the hostile rule file tests\","
                " \"detail\": \"d\", \"when\": {\"check\": \"no-such-check\"}}]}";

        ASSERT_NOT_NULL(mkdtemp(top));
        snprintf(p, sizeof(p), "%s/10-good.json", top);
        ASSERT_OK(write_file_atomic(p, good, strlen(good), 0644));
        snprintf(p, sizeof(p), "%s/README.md", top);
        ASSERT_OK(write_file_atomic(p, "not a rule file", 15, 0644));
        ASSERT_OK(rule_set_new(&set));
        ASSERT_OK(rule_set_load_dir(set, top, &err));
        snprintf(p, sizeof(p), "%s/20-bad.json", top);
        ASSERT_OK(write_file_atomic(p, bad, strlen(bad), 0644));
        set = rule_set_free(set);
        ASSERT_OK(rule_set_new(&set));
        ASSERT_ERR(rule_set_load_dir(set, top, &err), -EBADMSG);
        ASSERT_STREQ(err, "20-bad.json: rule 1 (x.y): unknown check 'no-such-check'");
        err = mfree(err);
        unlink(p);
        snprintf(p, sizeof(p), "%s/10-good.json", top);
        unlink(p);
        snprintf(p, sizeof(p), "%s/README.md", top);
        unlink(p);
        rmdir(top);
        set = rule_set_free(set);
        ASSERT_OK(rule_set_new(&set));
        ASSERT_ERR(rule_set_load_dir(set, top, &err), -ENOENT);
}

/* ---- The shipped rules over the sample inventory -------------------------------------------- */

static void evaluate(json_object *inv, json_object *dec, const char *to, const char *strategy,
                     json_object **ret_findings, json_object **ret_tr)
{
        _cleanup_free_ char *err = NULL;
        int r = rules_evaluate_strategy(tests_plans_dir(), to, strategy, inv, dec, ret_findings, ret_tr,
                                        &err);
        if (r < 0)
                FAIL("evaluating the shipped rules failed: %s (%s)", strerror(-r), strempty(err));
}

static size_t count_inhibitors(json_object *findings)
{
        size_t n = 0;
        for (size_t i = 0; i < json_object_array_length(findings); i++)
                n += json_get_bool(json_object_array_get_idx(findings, i), "inhibitor", false);
        return n;
}

static void test_sample(void)
{
        _cleanup_json_ json_object *inv = fixture_json("rules/aks-ubuntu2204-inventory.json"),
                                   *dec = fixture_json("rules/aks-ubuntu2204-decisions.json"),
                                   *findings = NULL, *tr = NULL, *f2 = NULL, *tr2 = NULL;
        json_object *f, *t;

        evaluate(inv, dec, "azurelinux-3.0", "inplace", &findings, &tr);
        if (count_inhibitors(findings) != 0)
                FAIL("the plain sample is inhibited: %s",
                     json_object_to_json_string_ext(findings, JSON_C_TO_STRING_PRETTY));

        /* Extra CA certificate -> Azure Linux anchors. */
        f = jfind(findings, "key", "certs.extra-ca.carried");
        ASSERT_NOT_NULL(f);
        ASSERT_TRUE(jhas(f, "resources", "/usr/local/share/ca-certificates/certs/aks-custom-ca.crt"));
        t = find_translation(tr, "certs.extra-ca.carried",
                             "/usr/local/share/ca-certificates/certs/aks-custom-ca.crt");
        ASSERT_NOT_NULL(t);
        ASSERT_STREQ(json_get_str(t, "action"), "carry");
        ASSERT_STREQ(json_get_str(t, "target"), "/etc/pki/ca-trust/source/anchors/aks-custom-ca.crt");

        /* chrony -> chronyd. */
        ASSERT_NOT_NULL(jfind(findings, "key", "chrony.translated"));
        t = find_translation(tr, "chrony.translated", "/etc/chrony/chrony.conf");
        ASSERT_NOT_NULL(t);
        ASSERT_STREQ(json_get_str(t, "target"), "/etc/chrony.conf");
        f = jfind(findings, "key", "units.renamed");
        ASSERT_TRUE(jhas(f, "resources", "chrony.service -> chronyd.service"));
        ASSERT_TRUE(jhas(f, "resources", "ssh.service -> sshd.service"));
        ASSERT_TRUE(jhas(f, "resources", "walinuxagent.service -> waagent.service"));
        ASSERT_TRUE(jhas(f, "resources", "cron.service -> crond.service"));
        t = find_translation(tr, "units.enabled.carried",
                             "/etc/systemd/system/multi-user.target.wants/chrony.service");
        ASSERT_STREQ(json_get_str(t, "target"),
                     "/etc/systemd/system/multi-user.target.wants/chronyd.service");
        t = find_translation(tr, "units.dropins.carried",
                             "/etc/systemd/system/chronyd.service.d/10-chrony-restarts.conf");
        ASSERT_STREQ(json_get_str(t, "target"),
                     "/etc/systemd/system/chronyd.service.d/10-chrony-restarts.conf");

        /* apt-daily dropped (masked on the AKS image), kubelet.service carried. */
        f = jfind(findings, "key", "units.ubuntu-only.dropped");
        ASSERT_TRUE(jhas(f, "resources", "apt-daily.service"));
        ASSERT_TRUE(jhas(f, "resources", "apt-daily-upgrade.service"));
        ASSERT_NOT_NULL(
                find_translation(tr, "units.ubuntu-only.dropped", "/etc/systemd/system/apt-daily.service"));
        ASSERT_NOT_NULL(find_translation(tr, "units.custom.carried", "/etc/systemd/system/kubelet.service"));
        ASSERT_NULL(find_translation(tr, "units.custom.carried", "/etc/systemd/system/apt-daily.service"));
        ASSERT_NULL(find_translation(tr, "units.custom.carried", "/etc/systemd/system/chronyd.service"));

        /* netplan 50-cloud-init.yaml uses only netplan 1.0 keys: carried, nothing rendered. */
        ASSERT_NOT_NULL(find_translation(tr, "network.netplan.carried", "/etc/netplan/50-cloud-init.yaml"));
        ASSERT_NULL(jfind(findings, "key", "network.netplan.unsupported-key"));
        ASSERT_EQ(jcount(tr, "rule", "network.networkd.rendered"), 0);

        /* Kernel configuration. */
        f = jfind(findings, "key", "sysctl.carried");
        ASSERT_EQ(json_object_array_length(json_get(f, "resources")), 3);
        ASSERT_NOT_NULL(find_translation(tr, "kernel-modules.carried", "/etc/modprobe.d/CIS.conf"));
        ASSERT_NULL(find_translation(tr, "kernel-modules.carried", "/etc/modules-load.d/modules.conf"));
        t = find_translation(tr, "kernel-modules.etc-modules.translated", "/etc/modules");
        ASSERT_STREQ(json_get_str(t, "target"), "/etc/modules-load.d/modules.conf");
        f = jfind(findings, "key", "kernel.cmdline.carried");
        ASSERT_TRUE(jhas(f, "resources", "apparmor=1"));
        ASSERT_TRUE(jhas(f, "resources", "console=ttyS0"));
        ASSERT_NULL(jfind(findings, "key", "kernel.cmdline.flagged"));
        t = find_translation(tr, "kernel.cmdline.written", "/etc/default/grub");
        ASSERT_TRUE(
                strstr(json_get_str(t, "note"),
                       "\"apparmor=1 security=apparmor console=tty1 console=ttyS0 earlyprintk=ttyS0\"") !=
                NULL);

        /* Users. */
        ASSERT_TRUE(jhas(jfind(findings, "key", "users.carried"), "resources", "azureuser"));
        ASSERT_NOT_NULL(find_translation(tr, "users.authorized-keys.carried",
                                         "/home/azureuser/.ssh/authorized_keys"));
        ASSERT_NULL(jfind(findings, "key", "users.uid-clash"));
        ASSERT_TRUE(
                jhas(jfind(findings, "key", "users.system-uid.shifted"), "resources", "user:messagebus"));

        /* Kubernetes. */
        ASSERT_NOT_NULL(jfind(findings, "key", "kubelet.config.checked"));
        ASSERT_NOT_NULL(find_translation(tr, "containerd.config.carried", "/etc/containerd/config.toml"));
        ASSERT_NULL(jfind(findings, "key", "containerd.config.runtime-names"));
        ASSERT_NULL(jfind(findings, "key", "containerd.config.cgroup-driver"));

        /* Preflight: warnings, no inhibitor. */
        f = jfind(findings, "key", "preflight.free-space.unknown");
        ASSERT_STREQ(json_get_str(f, "severity"), "medium");
        ASSERT_NOT_NULL(jfind(findings, "key", "preflight.secure-boot.shim-chain"));
        ASSERT_NULL(jfind(findings, "key", "preflight.rootfs.unsupported"));
        ASSERT_NULL(jfind(findings, "key", "preflight.apt.ppa"));
        ASSERT_NOT_NULL(
                find_translation(tr, "apt.sources.replaced", "/etc/apt/sources.list.d/microsoft-prod.list"));

        /* Every finding has the contract's fields; translations are sorted. */
        for (size_t i = 0; i < json_object_array_length(findings); i++) {
                json_object *x = json_object_array_get_idx(findings, i);
                ASSERT_NOT_NULL(json_get_str(x, "key"));
                ASSERT_NOT_NULL(json_get_str(x, "title"));
                ASSERT_NOT_NULL(json_get_str(x, "detail"));
                ASSERT_TRUE(json_object_is_type(json_get(x, "resources"), json_type_array));
                ASSERT_TRUE(json_object_is_type(json_get(x, "remediation"), json_type_array));
                ASSERT_TRUE(startswith(json_get_str(x, "rule"), "plans/rules/") != NULL);
        }
        for (size_t i = 1; i < json_object_array_length(tr); i++) {
                const char *a = json_get_str(json_object_array_get_idx(tr, i - 1), "rule"),
                           *b = json_get_str(json_object_array_get_idx(tr, i), "rule");
                ASSERT_TRUE(strcmp(a, b) <= 0);
        }

        /* Deterministic. */
        evaluate(inv, dec, "azurelinux-3.0", "inplace", &f2, &tr2);
        ASSERT_STREQ(json_object_to_json_string(findings), json_object_to_json_string(f2));
        ASSERT_STREQ(json_object_to_json_string(tr), json_object_to_json_string(tr2));
        json_object_put(f2);
        json_object_put(tr2);
        f2 = tr2 = NULL;

        /* Reimage: the in-place checks do not apply. */
        evaluate(inv, dec, "azurelinux-3.0", "reimage", &f2, &tr2);
        ASSERT_NULL(jfind(f2, "key", "preflight.free-space.unknown"));
}

static json_object *add_object(json_object *arr, const char *text)
{
        json_object *o = json_parse_ok(text);
        ASSERT_OK(json_append(arr, o));
        return o;
}

static void test_sample_inhibited(void)
{
        _cleanup_json_ json_object *inv = fixture_json("rules/aks-ubuntu2204-inventory.json"),
                                   *dec = fixture_json("rules/aks-ubuntu2204-decisions.json"),
                                   *findings = NULL, *tr = NULL;
        json_object *sec = json_get(inv, "security"),
                    *root = json_object_array_get_idx(json_get(inv, "mounts"), 0);
        static const char *const want[] = {
                "preflight.gpu.nvidia-driver",
                "preflight.fips.needs-fips-target",
                "preflight.snaps",
                "preflight.apt.ppa",
                "preflight.rootfs.lvm",
                "preflight.packages.manual-unavailable",
                "preflight.dkms",
        };

        /* A GPU node with FIPS, a snap, a PPA, DKMS, an LVM root and a hand-installed package Azure
         * Linux does not have. */
        ASSERT_OK(json_add_bool(json_get(sec, "nvidia"), "gpu_node", true));
        ASSERT_OK(json_append_str(json_get(json_get(sec, "nvidia"), "drivers"), "nvidia-driver-535"));
        ASSERT_OK(json_add_bool(json_get(sec, "fips"), "enabled", true));
        ASSERT_OK(json_append_str(json_get(json_get(sec, "fips"), "packages"), "linux-image-azure-fips"));
        ASSERT_OK(json_append_str(json_get(json_get(sec, "snaps"), "installed"), "lxd"));
        add_object(json_get(json_get(sec, "dkms"), "modules"),
                   "{\"name\": \"nvidia\", \"version\": \"535.104.05\", \"built_for\": "
                   "[\"5.15.0-1102-azure\"]}");
        add_object(
                json_get(json_get(inv, "config"), "apt_sources"),
                "{\"file\": \"/etc/apt/sources.list.d/deadsnakes-ubuntu-ppa-jammy.list\", \"line\": 1,"
                " \"type\": \"deb\", \"uri\": \"https://ppa.launchpadcontent.net/deadsnakes/ppa/ubuntu/\","
                " \"suite\": \"jammy\", \"enabled\": true, \"origin\": \"ppa\", \"ppa\": true, "
                "\"components\": [\"main\"]}");
        ASSERT_OK(json_add_str(root, "volume", "/dev/mapper/vg0-root"));
        json_object_object_del(root, "partition");
        add_object(json_get(inv, "disk") ? json_get(json_get(inv, "disk"), "logical_volumes") : NULL,
                   "{\"device\": \"/dev/mapper/vg0-root\", \"size\": 4000000000, \"filesystem\": {\"type\": "
                   "\"ext4\","
                   " \"uuid\": null, \"label\": null, \"version\": \"1.0\"}}");
        add_object(dec, "{\"name\": \"python3.12\", \"arch\": \"amd64\", \"version\": \"3.12.1-1+jammy1\","
                        " \"disposition\": \"unavailable\", \"targets\": [], \"rule\": \"rule:test\", "
                        "\"manual\": true}");

        evaluate(inv, dec, "azurelinux-3.0", "inplace", &findings, &tr);
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                json_object *f = jfind(findings, "key", want[i]);
                if (!f)
                        FAIL("no finding %s", want[i]);
                ASSERT_TRUE(json_get_bool(f, "inhibitor", false));
                ASSERT_STREQ(json_get_str(f, "severity"), "high");
                ASSERT_TRUE(json_object_array_length(json_get(f, "remediation")) > 0);
        }
        ASSERT_TRUE(jhas(jfind(findings, "key", "preflight.packages.manual-unavailable"), "resources",
                         "python3.12"));
        ASSERT_TRUE(jhas(jfind(findings, "key", "preflight.snaps"), "resources", "lxd"));
        ASSERT_TRUE(jhas(jfind(findings, "key", "preflight.dkms"), "resources", "nvidia/535.104.05"));
        ASSERT_TRUE(jhas(jfind(findings, "key", "preflight.apt.ppa"), "resources",
                         "https://ppa.launchpadcontent.net/deadsnakes/ppa/ubuntu/ jammy"));
        ASSERT_TRUE(jhas(jfind(findings, "key", "preflight.rootfs.lvm"), "resources",
                         "/ (ext4 on /dev/mapper/vg0-root)"));
        ASSERT_NOT_NULL(find_translation(tr, "preflight.apt.ppa",
                                         "/etc/apt/sources.list.d/deadsnakes-ubuntu-ppa-jammy.list"));
        /* Inhibitors come first. */
        ASSERT_TRUE(json_get_bool(json_object_array_get_idx(findings, 0), "inhibitor", false));
        json_object_put(findings);
        json_object_put(tr);
        findings = tr = NULL;

        /* Reimaging does not care about the LVM root. */
        evaluate(inv, dec, "azurelinux-3.0", "reimage", &findings, &tr);
        ASSERT_NULL(jfind(findings, "key", "preflight.rootfs.lvm"));
        ASSERT_NOT_NULL(jfind(findings, "key", "preflight.gpu.nvidia-driver"));
}

static void test_sample_network(void)
{
        _cleanup_json_ json_object *inv = fixture_json("rules/aks-ubuntu2204-inventory.json"),
                                   *findings = NULL, *tr = NULL;
        json_object *net = json_get(json_get(inv, "config"), "network"),
                    *eth0 = json_object_array_get_idx(json_get(net, "interfaces"), 0);
        json_object *t;

        /* A key of netplan 0.98: fine for Azure Linux 3.0 (netplan 1.0), rendered for 2.0 (netplan 0.95). */
        ASSERT_OK(json_append_str(json_get(net, "keys"), "network.ethernets.*.dhcp4-overrides.use-domains"));
        ASSERT_OK(json_append_str(json_get(eth0, "keys"), "dhcp4-overrides.use-domains"));
        ASSERT_OK(json_add_bool(json_get(eth0, "dhcp4_overrides"), "use_domains", true));
        json_array_sort_strings(json_get(net, "keys"));
        json_array_sort_strings(json_get(eth0, "keys"));

        evaluate(inv, NULL, "azurelinux-3.0", "inplace", &findings, &tr);
        ASSERT_NOT_NULL(find_translation(tr, "network.netplan.carried", "/etc/netplan/50-cloud-init.yaml"));
        json_object_put(findings);
        json_object_put(tr);
        findings = tr = NULL;

        evaluate(inv, NULL, "azurelinux-2.0", "inplace", &findings, &tr);
        ASSERT_TRUE(jhas(jfind(findings, "key", "network.netplan.unsupported-key"), "resources",
                         "network.ethernets.*.dhcp4-overrides.use-domains"));
        ASSERT_NULL(find_translation(tr, "network.netplan.carried", "/etc/netplan/50-cloud-init.yaml"));
        t = find_translation(tr, "network.netplan.replaced", "/etc/netplan/50-cloud-init.yaml");
        ASSERT_STREQ(json_get_str(t, "action"), "drop");
        t = find_translation_target(tr, "network.networkd.rendered",
                                    "/etc/systemd/network/10-azlmigrate-eth0.network");
        ASSERT_NOT_NULL(t);
        ASSERT_STREQ(json_get_str(t, "action"), "render");
        ASSERT_STREQ(json_get_str(t, "source"), "/etc/netplan/50-cloud-init.yaml");
        ASSERT_NOT_NULL(find_translation_target(tr, "network.networkd.rendered",
                                                "/etc/systemd/network/10-azlmigrate-eth0.link"));
        ASSERT_TRUE(strstr(json_get_str(t, "content"), "MACAddress=00:0d:3a:4b:5c:6d\nDriver=hv_netvsc\n") !=
                    NULL);
        ASSERT_TRUE(strstr(json_get_str(t, "content"), "[DHCPv4]\nRouteMetric=100\nUseDomains=true\n") !=
                    NULL);
        ASSERT_NULL(jfind(findings, "key", "network.config.inexpressible"));
        ASSERT_EQ(count_inhibitors(findings), 0);
        json_object_put(findings);
        json_object_put(tr);
        findings = tr = NULL;

        /* A NetworkManager-only key: neither netplan on the target nor the rendering takes it. */
        ASSERT_OK(json_append_str(json_get(net, "keys"), "network.ethernets.*.ipv6-address-generation"));
        ASSERT_OK(json_append_str(json_get(eth0, "keys"), "ipv6-address-generation"));
        evaluate(inv, NULL, "azurelinux-3.0", "inplace", &findings, &tr);
        ASSERT_TRUE(jhas(jfind(findings, "key", "network.netplan.unsupported-key"), "resources",
                         "network.ethernets.*.ipv6-address-generation"));
        {
                json_object *f = jfind(findings, "key", "network.config.inexpressible");
                ASSERT_NOT_NULL(f);
                ASSERT_TRUE(json_get_bool(f, "inhibitor", false));
                ASSERT_TRUE(jhas(f, "resources", "network.ethernets.*.ipv6-address-generation"));
                ASSERT_FALSE(jhas(f, "resources", "network.ethernets.*.dhcp4"));
        }
}

/* ---- The finding catalogue ------------------------------------------------------------------ */

static char *catalogue_doc(void)
{
        _cleanup_json_ json_object *cat = NULL;
        size_t n, size = 0;
        const FindingDef *all = finding_catalogue_all(&n);
        char *buf = NULL;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_NOT_NULL(f);
        ASSERT_OK(rules_catalogue(tests_plans_dir(), &cat));
        fputs("# Finding catalogue\n\n"
              "Every finding azlmigrate can report, by key. Keys are stable: they are never renamed or\n"
              "given another meaning, so automation can rely on them. Severity is one of info, low,\n"
              "medium, high; an inhibitor stops the migration until it is resolved (`plan` and `report`\n"
              "exit 3).\n\n"
              "This file is generated from src/inspect/finding-catalogue.c, the rule files in\n"
              "plans/rules and src/cluster/cluster-findings.c by\n"
              "`build/tests/test-rules --print-doc > docs/findings.md`; unit tests fail when it differs\n"
              "from them.\n\n"
              "## Inspection findings\n\n"
              "Reported by `azlmigrate inspect` (the inventory's `findings`). A plan copies them with\n"
              "`\"inhibitor\": false` and no remediation.\n\n"
              "| Key | Severity | Title | Meaning |\n"
              "|---|---|---|---|\n",
              f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "| `%s` | %s | %s | %s |\n", all[i].key, severity_to_string(all[i].severity),
                        all[i].title, all[i].meaning);
        fputs("\n## Plan findings\n\n"
              "Reported by `azlmigrate plan` and `azlmigrate report`, from the rules in plans/rules\n"
              "(plans/rules/README.md describes the format).\n\n"
              "| Key | Severity | Inhibitor | Title | Meaning | Rule file |\n"
              "|---|---|---|---|---|---|\n",
              f);
        for (size_t i = 0; i < json_object_array_length(cat); i++) {
                json_object *o = json_object_array_get_idx(cat, i);
                fprintf(f, "| `%s` | %s | %s | %s | %s | plans/rules/%s |\n", json_get_str(o, "key"),
                        json_get_str(o, "severity"), json_get_bool(o, "inhibitor", false) ? "yes" : "no",
                        json_get_str(o, "title"), json_get_str(o, "meaning"), json_get_str(o, "file"));
        }
        fputs("\n## Node-pool findings\n\n"
              "Reported by `azlmigrate nodepool plan` (and `report` of such a plan), from a cluster\n"
              "snapshot. Whether a finding inhibits depends on the strategy.\n\n"
              "| Key | Severity | Inhibits ossku-update | Inhibits bluegreen | Title | Meaning |\n"
              "|---|---|---|---|---|---|\n",
              f);
        {
                size_t m;
                const ClusterFindingDef *defs = cluster_finding_all(&m);
                for (size_t i = 0; i < m; i++)
                        fprintf(f, "| `%s` | %s | %s | %s | %s | %s |\n", defs[i].key,
                                severity_to_string(defs[i].severity),
                                defs[i].inhibits[POOL_STRATEGY_OSSKU_UPDATE] ? "yes" : "no",
                                defs[i].inhibits[POOL_STRATEGY_BLUEGREEN] ? "yes" : "no", defs[i].title,
                                defs[i].meaning);
        }
        ASSERT_EQ(fclose(f), 0);
        return buf;
}

static void test_catalogue(void)
{
        _cleanup_json_ json_object *cat = NULL;
        _cleanup_free_ char *want = catalogue_doc(), *have = NULL;
        char path[1024];
        size_t n;
        const FindingDef *all = finding_catalogue_all(&n);

        ASSERT_OK(rules_catalogue(tests_plans_dir(), &cat));
        ASSERT_TRUE(json_object_array_length(cat) >= 50);
        for (size_t i = 0; i < json_object_array_length(cat); i++) {
                json_object *o = json_object_array_get_idx(cat, i);
                const char *key = json_get_str(o, "key");

                /* Sorted, unique, and not an inspection key. */
                if (i > 0 && strcmp(json_get_str(json_object_array_get_idx(cat, i - 1), "key"), key) >= 0)
                        FAIL("rule catalogue not sorted or not unique at '%s'", key);
                ASSERT_NULL(finding_catalogue_lookup(key));
                ASSERT_TRUE(severity_from_string(json_get_str(o, "severity")) >= 0);
                if (json_get_bool(o, "inhibitor", false))
                        ASSERT_STREQ(json_get_str(o, "severity"), "high");
        }
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < json_object_array_length(cat); j++)
                        ASSERT_FALSE(
                                streq(all[i].key, json_get_str(json_object_array_get_idx(cat, j), "key")));

        /* Node-pool keys: sorted, unique, no other catalogue's, inhibitors high, a remediation each
         * (informational ones excepted). */
        {
                size_t m;
                const ClusterFindingDef *defs = cluster_finding_all(&m);
                ASSERT_TRUE(m >= 15);
                for (size_t i = 0; i < m; i++) {
                        if (i > 0 && strcmp(defs[i - 1].key, defs[i].key) >= 0)
                                FAIL("node-pool catalogue not sorted or not unique at '%s'", defs[i].key);
                        ASSERT_NULL(finding_catalogue_lookup(defs[i].key));
                        for (size_t j = 0; j < json_object_array_length(cat); j++)
                                ASSERT_FALSE(streq(defs[i].key,
                                                   json_get_str(json_object_array_get_idx(cat, j), "key")));
                        if (defs[i].inhibits[0] || defs[i].inhibits[1])
                                ASSERT_EQ(defs[i].severity, SEVERITY_HIGH);
                        if (defs[i].severity != SEVERITY_INFO && !defs[i].remediation[0])
                                FAIL("node-pool finding '%s' has no remediation", defs[i].key);
                        ASSERT_TRUE(cluster_finding_lookup(defs[i].key) == &defs[i]);
                }
        }

        snprintf(path, sizeof(path), "%s/docs/findings.md", tests_srcdir());
        ASSERT_OK(read_full_file_capped(path, 1 << 20, &have, NULL));
        if (strcmp(want, have) != 0)
                FAIL("docs/findings.md differs from the catalogues; regenerate it with "
                     "'build/tests/test-rules --print-doc > docs/findings.md'");
}

static int dump(int argc, char *argv[])
{
        _cleanup_json_ json_object *inv = NULL, *dec = NULL, *findings = NULL, *tr = NULL, *out = NULL;

        ASSERT_OK(json_parse_file(argv[2], 64 << 20, &inv));
        if (argc > 3 && !streq(argv[3], "-")) {
                ASSERT_OK(json_parse_file(argv[3], 64 << 20, &dec));
                if (json_object_is_type(dec, json_type_object)) {
                        json_object *d = json_object_get(json_get(dec, "decisions"));
                        json_object_put(dec);
                        dec = d;
                }
        }
        evaluate(inv, dec, argc > 4 ? argv[4] : "azurelinux-3.0", argc > 5 ? argv[5] : NULL, &findings, &tr);
        out = json_object_new_object();
        ASSERT_OK(json_add(out, "findings", TAKE_PTR(findings)));
        ASSERT_OK(json_add(out, "translations", TAKE_PTR(tr)));
        return json_dump(out, stdout) < 0;
}

int main(int argc, char *argv[])
{
        if (argc > 1 && streq(argv[1], "--print-doc")) {
                _cleanup_free_ char *doc = catalogue_doc();
                fputs(doc, stdout);
                return 0;
        }
        if (argc > 2 && streq(argv[1], "--dump"))
                return dump(argc, argv);
        RUN(test_paths);
        RUN(test_templates);
        RUN(test_conditions);
        RUN(test_limits);
        RUN(test_hostile);
        RUN(test_load_dir);
        RUN(test_sample);
        RUN(test_sample_inhibited);
        RUN(test_sample_network);
        RUN(test_catalogue);
        TESTS_DONE();
}
