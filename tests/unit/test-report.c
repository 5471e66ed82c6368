/* SPDX-License-Identifier: MIT */
/* Unit tests for src/report: the report built from a plan, and its Markdown and HTML renderings,
 * above all the escaping of hostile strings (tests/fixtures/plan/hostile-plan.json) and the HTML's
 * self-containment (no script, nothing loaded from elsewhere). */
#include <ctype.h>
#include <stdio.h>

#include "plan/plan.h"
#include "report/markup.h"
#include "report/report.h"
#include "shared/json-util.h"
#include "shared/utf8.h"
#include "json-fixture.h"
#include "tests.h"

static const char *const hostile_name = "evil<script>alert(1)</script>&\"'|pkg";

static char *render(json_object *report, bool html)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_NOT_NULL(f);
        ASSERT_OK(html ? report_render_html(report, f) : report_render_markdown(report, f));
        ASSERT_EQ(fclose(f), 0);
        ASSERT_UEQ(strlen(buf), size); /* no NUL inside */
        return buf;
}

static char *escaped(void (*escape)(FILE *f, const char *s), const char *s)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_NOT_NULL(f);
        escape(f, s);
        ASSERT_EQ(fclose(f), 0);
        return buf;
}

/* markup_join() (member NULL) or markup_join_member() of arr, as a string. */
static char *joined(json_object *arr, const char *member, MarkupEscape escape)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_NOT_NULL(f);
        if (member)
                markup_join_member(f, arr, member, "<br>", escape);
        else
                markup_join(f, arr, ", ", escape);
        ASSERT_EQ(fclose(f), 0);
        return buf;
}

static char *or_dash(const char *s, MarkupEscape escape)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_NOT_NULL(f);
        markup_or_dash(f, s, escape);
        ASSERT_EQ(fclose(f), 0);
        return buf;
}

static size_t count(const char *hay, const char *needle)
{
        size_t n = 0;
        for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

static bool contains_ci(const char *hay, const char *needle)
{
        for (const char *p = hay; *p; p++)
                if (strncasecmp(p, needle, strlen(needle)) == 0)
                        return true;
        return false;
}

static void no_raw_controls(const char *s)
{
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < 0x20 && *p != '\n' && *p != '\t')
                        FAIL("control character 0x%02x at offset %zu", (unsigned) *p, (size_t) (p - s));
        ASSERT_TRUE(utf8_is_valid_n(s, strlen(s)));
}

static void test_escape(void)
{
        _cleanup_free_ char *h = escaped(html_escape, "<a href=\"x\">&'</a>"),
                            *m = escaped(md_escape, "a|b*c_d`e\\f<g>[h]&!~"),
                            *c = escaped(html_escape, "bell\x07 esc\x1b tab\t nl\n bad\xff end"),
                            *mc = escaped(md_escape, "line1\nline2\r\x01 bad\xc3 end"),
                            *n = escaped(html_escape, NULL);

        ASSERT_STREQ(h, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
        ASSERT_STREQ(m, "a\\|b\\*c\\_d\\`e\\\\f\\<g\\>\\[h\\]\\&\\!\\~");
        ASSERT_STREQ(c, "bell\xef\xbf\xbd esc\xef\xbf\xbd tab\t nl\n bad\xef\xbf\xbd end");
        ASSERT_STREQ(mc, "line1 line2   bad\xef\xbf\xbd end");
        ASSERT_STREQ(n, "");
}

static void test_join(void)
{
        _cleanup_json_ json_object *strs = json_tokener_parse("[\"a|b\", 1, null, \"<c>\"]"),
                                   *objs = json_tokener_parse(
                                           "[{\"value\": \"x\"}, {}, {\"value\": \"y*\"}]"),
                                   *none = json_tokener_parse("[1, {}]"), *empty = json_object_new_array();
        _cleanup_free_ char *m = joined(strs, NULL, md_escape), *h = joined(strs, NULL, html_escape),
                            *n = joined(none, NULL, md_escape), *z = joined(NULL, NULL, md_escape),
                            *hm = joined(objs, "value", html_escape), *mm = joined(objs, "value", md_escape),
                            *e = joined(empty, "value", html_escape), *d1 = or_dash("", md_escape),
                            *d2 = or_dash(NULL, html_escape), *d3 = or_dash("a*<", md_escape);

        ASSERT_STREQ(m, "a\\|b, \\<c\\>"); /* not-strings skipped */
        ASSERT_STREQ(h, "a|b, &lt;c&gt;");
        ASSERT_STREQ(n, "–");
        ASSERT_STREQ(z, "–");
        ASSERT_STREQ(hm, "x<br><br>y*"); /* a missing member is an empty cell */
        ASSERT_STREQ(mm, "x<br><br>y\\*");
        ASSERT_STREQ(e, "–");
        ASSERT_STREQ(d1, "–");
        ASSERT_STREQ(d2, "–");
        ASSERT_STREQ(d3, "a\\*\\<");
}

static void test_build(void)
{
        _cleanup_json_ json_object *plan = fixture_json("plan/hostile-plan.json"), *rep = NULL;
        json_object *inh, *findings, *fp, *conf;
        struct json_object_iterator it;
        const char *order[3];
        int i = 0;

        ASSERT_OK(plan_check(plan, NULL));
        ASSERT_OK(report_build(plan, &rep));

        /* The verdict leads. */
        it = json_object_iter_begin(rep);
        for (struct json_object_iterator end = json_object_iter_end(rep);
             i < 3 && !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
                order[i++] = json_object_iter_peek_name(&it);
        ASSERT_STREQ(order[0], "schema");
        ASSERT_STREQ(order[2], "verdict");
        ASSERT_STREQ(json_get_str(rep, "schema"), REPORT_SCHEMA);
        ASSERT_STREQ(json_get_str(rep, "verdict"), "inhibited");
        ASSERT_NOT_NULL(strstr(json_get_str(rep, "verdict_title"), "Inhibited"));

        /* Inhibitors with their remediations; all findings: inhibitors, then high, medium, info. */
        inh = json_get(rep, "inhibitors");
        ASSERT_UEQ(json_object_array_length(inh), 1);
        ASSERT_STREQ(jstr(inh, "0.key"), "preflight.fips.enabled");
        ASSERT_UEQ(json_object_array_length(json_get(json_object_array_get_idx(inh, 0), "remediation")), 3);
        findings = json_get(rep, "findings");
        ASSERT_UEQ(json_object_array_length(findings), 4);
        ASSERT_STREQ(jstr(findings, "0.key"), "preflight.fips.enabled");
        ASSERT_STREQ(jstr(findings, "1.key"), "config.high");
        ASSERT_STREQ(jstr(findings, "2.key"), "config.medium");
        ASSERT_STREQ(jstr(findings, "3.key"), "aks.info");
        ASSERT_EQ(json_get_int(json_get(json_get(rep, "summary"), "findings"), "high", -1), 2);
        ASSERT_EQ(json_get_int(json_get(rep, "summary"), "inhibitors", -1), 1);

        /* Packages and configuration as the plan has them. */
        ASSERT_UEQ(json_object_array_length(json_get(json_get(rep, "packages"), "decisions")), 4);
        ASSERT_STREQ(
                json_get_str(json_object_array_get_idx(json_get(json_get(rep, "packages"), "decisions"), 0),
                             "name"),
                hostile_name);
        conf = json_get(rep, "configuration");
        ASSERT_EQ(json_get_int(json_get(conf, "counts"), "render", -1), 1);
        ASSERT_EQ(json_get_int(json_get(conf, "counts"), "carry", -1), 1);
        ASSERT_EQ(json_get_int(json_get(conf, "counts"), "total", -1), 2);

        /* Footprint: after = the image's 390 + the 2 packages it lacks; no invented size. */
        fp = json_get(rep, "footprint");
        ASSERT_EQ(json_get_int(json_get(fp, "before"), "packages", -1), 4);
        ASSERT_EQ(json_get_int(json_get(fp, "before"), "installed_size", -1), 7487112192);
        ASSERT_EQ(json_get_int(json_get(fp, "after"), "packages", -1), 392);
        ASSERT_TRUE(json_object_object_get_ex(json_get(fp, "after"), "installed_size", NULL));
        ASSERT_NULL(json_get(json_get(fp, "after"), "installed_size"));
        ASSERT_STREQ(json_get_str(json_get(fp, "after"), "root_used"), "21G");
        ASSERT_EQ(json_get_int(json_get(fp, "not_carried"), "unknown", -1), 1);
}

static void test_html(void)
{
        _cleanup_json_ json_object *plan = fixture_json("plan/hostile-plan.json"), *rep = NULL;
        _cleanup_free_ char *html = NULL, *again = NULL;
        static const char *const forbidden[] = {
                "<script", "<img",  "<iframe", "<object",     "<embed",         "<link", "<svg onload",
                "src=",    "href=", "@import", "javascript:", "onmouseover=\"", "<b>",   "<i>"
        };

        ASSERT_OK(report_build(plan, &rep));
        html = render(rep, true);
        no_raw_controls(html);
        ASSERT_TRUE(strncmp(html, "<!DOCTYPE html>\n", 16) == 0);
        for (size_t i = 0; i < ELEMENTSOF(forbidden); i++)
                if (contains_ci(html, forbidden[i]))
                        FAIL("the HTML contains \"%s\"", forbidden[i]);

        /* Nothing is loaded from elsewhere: the only "url(" is the arrow marker of the steps, and
         * "http" appears only in the CSP meta tag and in text (the link remediation, shown). */
        ASSERT_UEQ(count(html, "url("), count(html, "url(#azlm-arrow)"));
        for (const char *p = html; (p = strstr(p, "http")); p += 4) {
                if (strncmp(p, "http-equiv=", 11) == 0)
                        continue;
                if (p > html && strchr("\"'=(", p[-1]))
                        FAIL("\"http\" in an attribute or url(): %.40s", p - 1);
        }
        ASSERT_NOT_NULL(strstr(html, "<code>https://example.invalid/doc?a=1&amp;b=&lt;2&gt;</code>"));
        ASSERT_NOT_NULL(strstr(html, "Content-Security-Policy"));

        /* The hostile strings are there, as text. */
        ASSERT_NOT_NULL(strstr(html, "evil&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;|pkg"));
        ASSERT_NOT_NULL(strstr(html, "1.0|&lt;b&gt;bold&lt;/b&gt;"));
        ASSERT_NOT_NULL(strstr(html, "node&lt;script&gt;alert(&#39;h&#39;)&lt;/script&gt;"));
        ASSERT_NOT_NULL(strstr(html, "&lt;svg onload=alert(1)&gt;"));
        ASSERT_NOT_NULL(strstr(html, "/boot/efi&quot;onmouseover=&quot;x"));
        ASSERT_NOT_NULL(strstr(html, "Name=eth0&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
        ASSERT_NOT_NULL(strstr(html, "Use \xef\xbf\xbd"
                                     "bell\xef\xbf\xbd[31m red"));

        /* Three pictures, and the document's structure closes. */
        ASSERT_UEQ(count(html, "<svg "), 3);
        ASSERT_UEQ(count(html, "</svg>"), 3);
        ASSERT_UEQ(count(html, "<section"), count(html, "</section>"));
        ASSERT_UEQ(count(html, "<table>"), count(html, "</table>"));
        ASSERT_UEQ(count(html, "<details>"), count(html, "</details>"));
        ASSERT_UEQ(count(html, "<tr>"), count(html, "</tr>"));
        ASSERT_NOT_NULL(strstr(html, "</html>\n"));
        /* The verdict comes first in the body. */
        ASSERT_TRUE(strstr(html, "id=\"verdict\"") < strstr(html, "id=\"inhibitors\""));
        ASSERT_TRUE(strstr(html, "id=\"inhibitors\"") < strstr(html, "id=\"packages\""));
        ASSERT_NOT_NULL(strstr(html, "checkpoint cp-stage-target (overlay)"));
        /* Under the verdict: the medium and high findings to read first (not the inhibitor, not info). */
        ASSERT_TRUE(strstr(html, "Read first") < strstr(html, "id=\"inhibitors\""));
        ASSERT_TRUE(strstr(html, "<code>config.high</code>") < strstr(html, "id=\"inhibitors\""));
        ASSERT_TRUE(strstr(html, "<code>config.medium</code>") < strstr(html, "id=\"inhibitors\""));
        ASSERT_TRUE(strstr(html, "<code>aks.info</code>") > strstr(html, "id=\"inhibitors\""));

        again = render(rep, true);
        ASSERT_STREQ(html, again);
}

/* Pipes in a Markdown line that are not escaped. */
static size_t table_pipes(const char *line, size_t len)
{
        size_t n = 0;
        for (size_t i = 0; i < len; i++) {
                if (line[i] == '\\') {
                        i++;
                        continue;
                }
                n += line[i] == '|';
        }
        return n;
}

static const char *line_with(const char *md, const char *needle, size_t *ret_len)
{
        const char *p = strstr(md, needle), *start, *end;

        ASSERT_NOT_NULL(p);
        for (start = p; start > md && start[-1] != '\n'; start--)
                ;
        end = strchr(p, '\n');
        *ret_len = end ? (size_t) (end - start) : strlen(start);
        return start;
}

static void test_markdown(void)
{
        _cleanup_json_ json_object *plan = fixture_json("plan/hostile-plan.json"), *rep = NULL;
        _cleanup_free_ char *md = NULL;
        const char *l;
        size_t n;

        ASSERT_OK(report_build(plan, &rep));
        md = render(rep, false);
        no_raw_controls(md);
        ASSERT_TRUE(strncmp(md, "# Migration report: ubuntu-22.04 → azurelinux-3.0", 51) == 0);
        /* Only inside a fenced code block (the rendered file's content), where Markdown shows it. */
        for (const char *q = md; (q = strstr(q, "<script")); q++)
                ASSERT_TRUE(q > md && (q[-1] == '\\' || strncmp(q - 15, "Name=eth0</pre>", 15) == 0));
        ASSERT_NULL(strstr(md, "<b>"));
        ASSERT_NULL(strstr(md, "<svg"));

        /* Every package row keeps its 7 columns, whatever the names hold. */
        l = line_with(md, "evil\\<script\\>alert(1)\\</script\\>\\&\"'\\|pkg", &n);
        ASSERT_UEQ(table_pipes(l, n), 8);
        ASSERT_NOT_NULL(strstr(md, "| 1.0\\|\\<b\\>bold\\</b\\> |"));
        l = line_with(md, "| moby-containerd |", &n);
        ASSERT_UEQ(table_pipes(l, n), 8);
        ASSERT_NOT_NULL(strstr(md, "line one line two \\| with pipe")); /* the newline did not end the row */
        l = line_with(md, "weird\\*\\_\\[md\\]\\_\\`code\\`", &n);
        ASSERT_UEQ(table_pipes(l, n), 8);
        ASSERT_NOT_NULL(strstr(md, "\\!\\[img\\](x) \\~\\~strike\\~\\~"));

        /* The findings row of the inhibitor: 7 columns too; the detail's newline is a space. */
        l = line_with(md, "| high | **yes** | preflight.fips.enabled |", &n);
        ASSERT_UEQ(table_pipes(l, n), 8);
        ASSERT_NOT_NULL(strstr(md, "a \\| b c"));

        /* A command holding a backtick fence gets a longer fence; the rendered file too. */
        ASSERT_NOT_NULL(strstr(md, "````\necho '```' && rm -rf /tmp/x | cat\n````\n"));
        ASSERT_NOT_NULL(
                strstr(md, "````\n[Match]\nName=eth0</pre><script>alert(2)</script>\n```\nfence\n````\n"));
        ASSERT_NOT_NULL(strstr(md, "## Inhibitors"));
        ASSERT_NOT_NULL(strstr(
                md, "Read first:\n\n- high: High (config.high)\n- medium: Medium (config.medium)\n\n"));
        ASSERT_TRUE(strstr(md, "## Inhibitors") < strstr(md, "## Package changes"));
}

static void test_robust(void)
{
        _cleanup_json_ json_object *bare = json_tokener_parse(
                                           "{\"schema\": \"azlmigrate/plan/v1\", \"verdict\": \"ready\","
                                           " \"steps\": 7, \"findings\": {\"x\": 1},"
                                           " \"packages\": [1, 2]}"),
                                   *rep = NULL, *bad = json_tokener_parse("{\"verdict\": \"maybe\"}"),
                                   *none = NULL, *plan = fixture_json("plan/hostile-plan.json"),
                                   *rep2 = NULL;
        _cleanup_free_ char *html = NULL, *md = NULL, *html2 = NULL;
        json_object *decisions, *d;

        /* A plan that lacks or mistypes its members gives empty sections, not a crash. */
        ASSERT_OK(report_build(bare, &rep));
        ASSERT_STREQ(json_get_str(rep, "verdict"), "ready");
        ASSERT_UEQ(json_object_array_length(json_get(rep, "steps")), 0);
        ASSERT_UEQ(json_object_array_length(json_get(rep, "findings")), 0);
        html = render(rep, true);
        md = render(rep, false);
        ASSERT_UEQ(count(html, "<svg "), 3);
        ASSERT_ERR(report_build(bad, &none), -EBADMSG);

        /* Bytes that are not UTF-8 (a plan file is read as it is) come out as U+FFFD. */
        decisions = json_get(json_get(plan, "packages"), "decisions");
        d = json_object_array_get_idx(decisions, 2);
        json_object_object_add(d, "note", json_object_new_string("bad \xff\xfe utf8 \x01 ctl"));
        ASSERT_OK(report_build(plan, &rep2));
        html2 = render(rep2, true);
        no_raw_controls(html2);
        ASSERT_NOT_NULL(strstr(html2, "bad \xef\xbf\xbd\xef\xbf\xbd utf8 \xef\xbf\xbd ctl"));
}

/* A real plan: the sample node's cut-down inventory with the shipped knowledge. */
static void test_from_inventory(void)
{
        _cleanup_json_ json_object *inv = fixture_json("plan/inventory.json"), *plan = NULL, *rep = NULL;
        _cleanup_free_ char *error = NULL, *html = NULL, *md = NULL;
        char *no_dropins[] = { NULL };
        PlanOptions o = { .plans_dir = tests_plans_dir(),
                          .to = "azurelinux-3.0",
                          .strategy = "inplace",
                          .maps_dirs = no_dropins };

        ASSERT_OK(plan_build(inv, &o, &plan, &error));
        ASSERT_OK(report_build(plan, &rep));
        ASSERT_STREQ(json_get_str(rep, "verdict"), json_get_str(plan, "verdict"));
        ASSERT_STREQ(json_get_str(rep, "inventory_fingerprint"),
                     json_get_str(plan, "inventory_fingerprint"));
        html = render(rep, true);
        md = render(rep, false);
        no_raw_controls(html);
        no_raw_controls(md);
        ASSERT_UEQ(count(html, "<svg "), 3);
        ASSERT_UEQ(count(html, "class=\"cp\">checkpoint cp-"), 5); /* the in-place steps' five checkpoints */
        ASSERT_NULL(strstr(html, "<script"));
        ASSERT_NOT_NULL(strstr(html, "evil&lt;script&gt;"));
        ASSERT_NOT_NULL(strstr(html, "15 · EFI System · vfat “UEFI” · mounted at /boot/efi"));
}

int main(void)
{
        RUN(test_escape);
        RUN(test_join);
        RUN(test_build);
        RUN(test_html);
        RUN(test_markdown);
        RUN(test_robust);
        RUN(test_from_inventory);
        TESTS_DONE();
}
