/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "plan/plan.h"
#include "shared/format-util.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "inventory-text.h"
#include "markup.h"
#include "report-sections.h"
#include "report.h"
#include "svg.h"

/* Everything the page needs is here: no script, no font, no image, no stylesheet from elsewhere,
 * and a Content-Security-Policy that forbids them should anything slip in. */
static const char style[] =
        "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d1d1f;margin:0 auto;"
        "max-width:1100px;padding:0 24px 48px}\n"
        "h1{font-size:26px;margin:28px 0 4px}h2{font-size:20px;margin:36px 0 10px;border-bottom:1px solid "
        "#ddd;"
        "padding-bottom:4px}h3{font-size:16px;margin:18px 0 6px}\n"
        ".sub{color:#555;margin:0 0 18px}\n"
        ".verdict{border-radius:8px;padding:14px 18px;margin:18px 0;border:2px solid}\n"
        ".verdict h2{border:0;margin:0 0 4px;padding:0}\n"
        ".v-ready{background:#e8f5e9;border-color:#3f9b4f}.v-ready-with-warnings{background:#fff8e1;"
        "border-color:#e0a800}.v-inhibited{background:#fdecea;border-color:#c0392b}\n"
        "table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:13.5px}\n"
        "th,td{border:1px solid #ddd;padding:4px "
        "8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}\n"
        "th{background:#f4f4f6}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
        "code,pre{font:12.5px/1.4 ui-monospace,'SFMono-Regular',Menlo,Consolas,monospace}\n"
        "pre{background:#f6f8fa;border:1px solid #e1e4e8;border-radius:6px;padding:8px 10px;overflow:auto;"
        "white-space:pre-wrap}\n"
        ".finding{border-left:5px solid #c0392b;background:#fafafa;padding:8px 14px;margin:12px 0}\n"
        ".sev{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;color:#fff}\n"
        ".sev-high{background:#c0392b}.sev-medium{background:#e07b20}.sev-low{background:#2b7bba}"
        ".sev-info{background:#888}\n"
        ".dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}\n"
        "svg.pic{max-width:100%;height:auto;display:block;margin:10px 0}\n"
        "svg text{font:12px system-ui,sans-serif;fill:#222}svg text.h{font-weight:600;font-size:13px}\n"
        "svg text.in{fill:#fff;text-anchor:middle;font-weight:600}svg "
        "text.step{font-weight:600;font-size:13px}\n"
        "svg text.small{font-size:11px;fill:#444}svg text.cp{font-size:11px;fill:#6d5600}\n"
        "details{margin:8px 0}summary{cursor:pointer;font-weight:600}\n"
        "footer{margin-top:40px;color:#666;font-size:12px}\n";

static json_object *at(json_object *a, size_t i)
{
        return json_object_array_get_idx(a, i);
}

static void h(FILE *f, const char *s)
{
        html_escape(f, s);
}

static void h_or_dash(FILE *f, const char *s)
{
        markup_or_dash(f, s, html_escape);
}

static void h_code(FILE *f, const char *s)
{
        fputs("<code>", f);
        html_escape(f, s);
        fputs("</code>", f);
}

/* Strings of an array, escaped, joined by sep (markup of ours). */
static void h_list(FILE *f, json_object *arr, const char *sep, bool code)
{
        markup_join(f, arr, sep, code ? h_code : html_escape);
}

/* Opens a section with its heading. Returns false, after the section's "none" sentence and its
 * end, when it has one and items is empty. */
static bool section(FILE *f, ReportSectionId id, json_object *items)
{
        const ReportSection *s = &report_sections[id];

        fprintf(f, "<section id=\"%s\">\n<h2>%s</h2>\n", s->id, s->title);
        if (s->none && json_array_len(items) == 0) {
                fprintf(f, "<p>%s</p>\n</section>\n", s->none);
                return false;
        }
        return true;
}

static void table_head(FILE *f, const ReportColumn *cols)
{
        fputs("<tr>", f);
        for (const ReportColumn *c = cols; c->label; c++)
                fprintf(f, "<th>%s</th>", c->label);
        fputs("</tr>\n", f);
}

static void td(FILE *f, const char *s)
{
        fputs("<td>", f);
        h_or_dash(f, s);
        fputs("</td>", f);
}

/* A table row of x's string members, one per column. */
static void text_row(FILE *f, json_object *x, const ReportColumn *cols)
{
        fputs("<tr>", f);
        for (const ReportColumn *c = cols; c->label; c++)
                td(f, json_get_str(x, c->member));
        fputs("</tr>\n", f);
}

static void td_int(FILE *f, json_object *v)
{
        if (json_object_is_type(v, json_type_int))
                fprintf(f, "<td class=\"n\">%" PRId64 "</td>", json_object_get_int64(v));
        else
                fputs("<td>unknown</td>", f);
}

/* A severity badge; the class comes from a fixed set, never from the data. */
static void severity(FILE *f, const char *sev)
{
        static const char *const known[] = { "info", "low", "medium", "high" };
        const char *cls = string_table_lookup(known, ELEMENTSOF(known), sev) >= 0 ? sev : "info";

        fprintf(f, "<span class=\"sev sev-%s\">", cls);
        h_or_dash(f, sev);
        fputs("</span>", f);
}

static void remediation(FILE *f, json_object *rem)
{
        if (json_array_len(rem) == 0)
                return;
        fputs("<p><strong>Remediation</strong></p>\n<ul>\n", f);
        for (size_t i = 0; i < json_array_len(rem); i++) {
                json_object *r = at(rem, i);
                const char *kind = json_get_str(r, "kind"), *value = json_get_str(r, "value");

                if (!value)
                        continue;
                if (streq_ptr(kind, "command")) {
                        fputs("<li>Run:<pre><code>", f);
                        h(f, value);
                        fputs("</code></pre></li>\n", f);
                } else if (streq_ptr(kind, "link")) {
                        /* Shown, not linked: the report loads and links to nothing. */
                        fputs("<li>See <code>", f);
                        h(f, value);
                        fputs("</code></li>\n", f);
                } else {
                        fputs("<li>", f);
                        h(f, value);
                        fputs("</li>\n", f);
                }
        }
        fputs("</ul>\n", f);
}

static void head(FILE *f, json_object *rep)
{
        fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
              "'unsafe-inline'\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>azlmigrate "
              "report: ",
              f);
        h_or_dash(f, json_get_str(json_get(json_get(rep, "node"), "os"), "hostname"));
        fputs(": ", f);
        h_or_dash(f, json_get_str(rep, "from"));
        fputs(" → ", f);
        h_or_dash(f, json_get_str(rep, "to"));
        fputs(", ", f);
        h_or_dash(f, json_get_str(rep, "verdict"));
        fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
}

/* The findings of medium and high severity that do not inhibit: what "read them first" means. */
static void warnings(FILE *f, json_object *rep)
{
        json_object *all = json_get(rep, "findings");
        size_t k = 0;

        for (size_t i = 0; i < json_array_len(all); i++) {
                json_object *x = at(all, i);
                const char *sev = json_get_str(x, "severity");

                if (!plan_finding_is_warning(x))
                        continue;
                fputs(k++ ? "" : "<p>Read first:</p>\n<ul>\n", f);
                fputs("<li>", f);
                severity(f, sev);
                fputs(" ", f);
                h_or_dash(f, json_get_str(x, "title"));
                fputs(" (<code>", f);
                h(f, json_get_str(x, "key"));
                fputs("</code>)</li>\n", f);
        }
        if (k)
                fputs("</ul>\n", f);
}

static void verdict(FILE *f, json_object *rep)
{
        static const char *const known[] = { "ready", "ready-with-warnings", "inhibited" };
        json_object *node = json_get(rep, "node"), *os = json_get(node, "os"), *aks = json_get(node, "aks"),
                    *sum = json_get(rep, "summary"), *fc = json_get(sum, "findings");
        const char *v = json_get_str(rep, "verdict");

        fputs("<header>\n<h1>Migration report: ", f);
        h_or_dash(f, json_get_str(rep, "from"));
        fputs(" → ", f);
        h_or_dash(f, json_get_str(rep, "to"));
        fputs("</h1>\n<p class=\"sub\">Strategy <strong>", f);
        h_or_dash(f, json_get_str(rep, "strategy"));
        fputs("</strong> · node <strong>", f);
        h_or_dash(f, json_get_str(os, "hostname"));
        fputs("</strong> · ", f);
        h_or_dash(f, json_get_str(os, "pretty_name"));
        fputs(" · AKS node image ", f);
        h_or_dash(f, json_get_str(aks, "node_image_version"));
        fputs("</p>\n</header>\n", f);

        fprintf(f, "<section id=\"verdict\" class=\"verdict v-%s\">\n<h2>Verdict: ",
                string_table_lookup(known, ELEMENTSOF(known), v) >= 0 ? v : "inhibited");
        h_or_dash(f, v);
        fputs("</h2>\n<p>", f);
        h(f, json_get_str(rep, "verdict_title"));
        fprintf(f,
                "</p>\n<p>%" PRId64 " inhibitor%s · %" PRId64 " findings: %" PRId64 " high, %" PRId64
                " medium, %" PRId64 " low, %" PRId64 " info</p>\n",
                json_get_int(sum, "inhibitors", 0), json_get_int(sum, "inhibitors", 0) == 1 ? "" : "s",
                json_get_int(fc, "total", 0), json_get_int(fc, "high", 0), json_get_int(fc, "medium", 0),
                json_get_int(fc, "low", 0), json_get_int(fc, "info", 0));
        warnings(f, rep);
        fputs("</section>\n", f);
}

static void finding_article(FILE *f, json_object *x)
{
        fputs("<article class=\"finding\">\n<h3>", f);
        h_or_dash(f, json_get_str(x, "title"));
        fputs("</h3>\n<p>", f);
        severity(f, json_get_str(x, "severity"));
        fputs(" <code>", f);
        h(f, json_get_str(x, "key"));
        fputs("</code></p>\n<p>", f);
        h(f, json_get_str(x, "detail"));
        fputs("</p>\n<p>Resources: ", f);
        h_list(f, json_get(x, "resources"), ", ", true);
        fputs("</p>\n", f);
        remediation(f, json_get(x, "remediation"));
        fputs("</article>\n", f);
}

static void inhibitors(FILE *f, json_object *rep)
{
        json_object *inh = json_get(rep, "inhibitors");

        if (!section(f, REPORT_SECTION_INHIBITORS, inh))
                return;
        for (size_t i = 0; i < json_array_len(inh); i++)
                finding_article(f, at(inh, i));
        fputs("</section>\n", f);
}

static void node(FILE *f, json_object *rep)
{
        json_object *n = json_get(rep, "node"), *os = json_get(n, "os"), *aks = json_get(n, "aks"),
                    *boot = json_get(n, "boot"), *src = json_get(n, "source"), *pk = json_get(n, "packages");
        char buf[32];

        fputs("<section id=\"node\">\n<h2>The node</h2>\n<table>\n", f);
        fputs("<tr><th>Source</th>", f);
        td(f, json_get_str(src, "path"));
        fputs("</tr>\n<tr><th>Format</th>", f);
        td(f, json_get_str(src, "format"));
        fputs("</tr>\n<tr><th>OS</th><td>", f);
        h_or_dash(f, json_get_str(os, "pretty_name"));
        fputs(", ", f);
        h_or_dash(f, json_get_str(os, "arch"));
        fputs("</td></tr>\n<tr><th>Hostname</th>", f);
        td(f, json_get_str(os, "hostname"));
        fputs("</tr>\n<tr><th>Boot</th><td>", f);
        h_or_dash(f, json_get_str(boot, "firmware"));
        fputs(", ", f);
        h_or_dash(f, json_get_str(boot, "bootloader"));
        fputs(", kernel ", f);
        h_or_dash(f, json_get_str(boot, "default_kernel"));
        fputs("</td></tr>\n<tr><th>kubelet / containerd</th><td>", f);
        h_or_dash(f, json_get_str(aks, "kubelet_version"));
        fputs(" / ", f);
        h_or_dash(f, json_get_str(aks, "containerd_version"));
        fputs("</td></tr>\n<tr><th>AKS node image</th>", f);
        td(f, json_get_str(aks, "node_image_version"));
        format_bytes((unsigned long long) MAX(json_get_int(pk, "installed_size", 0), 0), buf, sizeof(buf));
        fprintf(f, "</tr>\n<tr><th>Packages</th><td>%" PRId64 " (", json_get_int(pk, "count", 0));
        h_or_dash(f, json_get_str(pk, "manager"));
        fprintf(f, "), %" PRId64 " installed by hand, %s installed</td></tr>\n",
                json_get_int(pk, "manual_count", 0), buf);
        fputs("<tr><th>Inventory fingerprint</th><td><code>", f);
        h(f, json_get_str(rep, "inventory_fingerprint"));
        fputs("</code></td></tr>\n</table>\n<h3>Disk layout</h3>\n", f);
        svg_disk_layout(f, n, json_get(rep, "target_image"));
        fputs("</section>\n", f);
}

/* Node-pool reports: the cluster, and the pools, instead of the node. */
static void cluster(FILE *f, json_object *rep)
{
        json_object *cl = json_get(rep, "cluster"), *par = json_get(rep, "parameters"),
                    *p = json_get(rep, "pools");

        fputs("<section id=\"cluster\">\n<h2>The cluster</h2>\n<table>\n<tr><th>Cluster</th>", f);
        td(f, json_get_str(cl, "name"));
        fputs("</tr>\n<tr><th>Resource group</th>", f);
        td(f, json_get_str(cl, "resource_group"));
        fputs("</tr>\n<tr><th>Location</th>", f);
        td(f, json_get_str(cl, "location"));
        fputs("</tr>\n<tr><th>Kubernetes</th>", f);
        td(f, json_get_str(cl, "kubernetes_version"));
        fputs("</tr>\n<tr><th>az CLI</th>", f);
        td(f, json_get_str(cl, "az_version"));
        fputs("</tr>\n<tr><th>Target OS SKU</th>", f);
        td(f, json_get_str(par, "target_os_sku"));
        fprintf(f,
                "</tr>\n<tr><th>Drain</th><td>%" PRId64 " node(s) at a time, %" PRId64
                " s per node</td></tr>\n",
                json_get_int(par, "drain_batch", 0), json_get_int(par, "drain_timeout_sec", 0));
        fputs("<tr><th>Snapshot fingerprint</th><td><code>", f);
        h(f, json_get_str(rep, "snapshot_fingerprint"));
        fputs("</code></td></tr>\n</table>\n</section>\n", f);

        if (!section(f, REPORT_SECTION_POOLS, p))
                return;
        fputs("<table>\n", f);
        table_head(f, report_columns_pools);
        for (size_t i = 0; i < json_array_len(p); i++) {
                json_object *x = at(p, i);
                fputs("<tr>", f);
                for (const ReportColumn *c = report_columns_pools; c->label; c++)
                        if (c->numeric)
                                td_int(f, json_get(x, c->member));
                        else
                                td(f, json_get_str(x, c->member));
                fputs("</tr>\n", f);
        }
        fputs("</table>\n</section>\n", f);
}

/* A step's commands, one per line (node-pool reports). */
static void step_commands(FILE *f, json_object *s)
{
        json_object *cmds = json_get(s, "commands");

        if (json_array_len(cmds) == 0)
                return;
        fputs("<pre>", f);
        for (size_t k = 0; k < json_array_len(cmds); k++) {
                json_object *argv = at(cmds, k);
                for (size_t j = 0; j < json_array_len(argv); j++) {
                        if (j)
                                fputc(' ', f);
                        h(f, json_object_get_string(at(argv, j)));
                }
                fputc('\n', f);
        }
        fputs("</pre>", f);
        if (json_get_bool(s, "point_of_no_return", false))
                fputs("<strong>Point of no return</strong>: runs only with explicit confirmation.", f);
}

static void decision_row(FILE *f, json_object *d)
{
        fputs("<tr>", f);
        td(f, json_get_str(d, "name"));
        td(f, json_get_str(d, "version"));
        td(f, json_get_str(d, "arch"));
        fprintf(f, "<td><span class=\"dot\" style=\"background:%s\"></span>",
                svg_disposition_colour(json_get_str(d, "disposition")));
        h_or_dash(f, json_get_str(d, "disposition"));
        fputs("</td><td>", f);
        h_list(f, json_get(d, "targets"), ", ", false);
        fputs("</td>", f);
        td(f, json_get_str(d, "rule"));
        td(f, json_get_str(d, "note"));
        fputs("</tr>\n", f);
}

static void packages(FILE *f, json_object *rep)
{
        json_object *pk = json_get(rep, "packages"), *counts = json_get(pk, "counts"),
                    *decisions = json_get(pk, "decisions");
        size_t attention = 0;

        section(f, REPORT_SECTION_PACKAGES, NULL);
        svg_dispositions(f, counts);
        fputs("<table>\n", f);
        table_head(f, report_columns_dispositions);
        for (const ReportDisposition *d = report_dispositions; d->name; d++) {
                fprintf(f, "<tr><td><span class=\"dot\" style=\"background:%s\"></span>%s</td>",
                        svg_disposition_colour(d->name), d->name);
                td_int(f, json_get(counts, d->name));
                fprintf(f, "<td>%s</td></tr>\n", d->meaning);
        }
        fputs("<tr><th>total</th>", f);
        td_int(f, json_get(counts, "total"));
        fputs("<td></td></tr>\n</table>\n", f);
        fprintf(f,
                "<p>%" PRId64 " distinct target packages; the Azure Linux node image has %" PRId64
                " packages. To install beyond it (%zu): ",
                json_get_int(counts, "target_packages", 0), json_get_int(counts, "target_image_packages", 0),
                json_array_len(json_get(counts, "to_install")));
        h_list(f, json_get(counts, "to_install"), ", ", true);
        fputs(".</p>\n", f);

        for (size_t i = 0; i < json_array_len(decisions); i++) {
                const char *d = json_get_str(at(decisions, i), "disposition");
                if (streq_ptr(d, "unavailable") || streq_ptr(d, "unknown"))
                        attention++;
        }
        if (attention) {
                fprintf(f, "<h3>Packages that need attention (%zu)</h3>\n<table>\n", attention);
                table_head(f, report_columns_packages);
                for (size_t i = 0; i < json_array_len(decisions); i++) {
                        const char *d = json_get_str(at(decisions, i), "disposition");
                        if (streq_ptr(d, "unavailable") || streq_ptr(d, "unknown"))
                                decision_row(f, at(decisions, i));
                }
                fputs("</table>\n", f);
        }
        fprintf(f, "<details>\n<summary>Every package (%zu)</summary>\n<table>\n",
                json_array_len(decisions));
        table_head(f, report_columns_packages);
        for (size_t i = 0; i < json_array_len(decisions); i++)
                decision_row(f, at(decisions, i));
        fputs("</table>\n</details>\n</section>\n", f);
}

static void configuration(FILE *f, json_object *rep)
{
        json_object *t = json_get(json_get(rep, "configuration"), "translations");

        if (!section(f, REPORT_SECTION_CONFIGURATION, t))
                return;
        fputs("<table>\n", f);
        table_head(f, report_columns_translations);
        for (size_t i = 0; i < json_array_len(t); i++) {
                json_object *x = at(t, i);
                const char *content = json_get_str(x, "content");

                fputs("<tr>", f);
                td(f, json_get_str(x, "action"));
                td(f, json_get_str(x, "source"));
                td(f, json_get_str(x, "target"));
                td(f, json_get_str(x, "rule"));
                fputs("<td>", f);
                h_or_dash(f, json_get_str(x, "note"));
                if (content) {
                        fputs("<details><summary>content</summary><pre>", f);
                        h(f, content);
                        fputs("</pre></details>", f);
                }
                fputs("</td></tr>\n", f);
        }
        fputs("</table>\n</section>\n", f);
}

static void steps(FILE *f, json_object *rep)
{
        json_object *st = json_get(rep, "steps"), *cps = json_get(rep, "checkpoints");

        section(f, REPORT_SECTION_STEPS, NULL);
        svg_steps(f, st, cps);
        fputs("<table>\n", f);
        table_head(f, report_columns_steps);
        for (size_t i = 0; i < json_array_len(st); i++) {
                json_object *s = at(st, i);
                fprintf(f, "<tr><td class=\"n\">%zu</td><td><strong>", i + 1);
                h_or_dash(f, json_get_str(s, "id"));
                fputs("</strong><br>", f);
                h(f, json_get_str(s, "description"));
                step_commands(f, s);
                fputs("</td>", f);
                td(f, json_get_str(s, "kind"));
                fputs(json_get_bool(s, "mutates", false) ? "<td>yes</td>" : "<td>no</td>", f);
                td(f, json_get_str(s, "checkpoint_before"));
                fputs("<td>", f);
                h_list(f, json_get(s, "reads"), "<br>", true);
                fputs("</td><td>", f);
                h_list(f, json_get(s, "writes"), "<br>", true);
                fputs("</td>", f);
                td(f, json_get_str(s, "undo"));
                fputs("</tr>\n", f);
        }
        fputs("</table>\n<table>\n", f);
        table_head(f, report_columns_checkpoints);
        for (size_t i = 0; i < json_array_len(cps); i++)
                text_row(f, at(cps, i), report_columns_checkpoints);
        if (report_is_nodepool(rep)) {
                fputs("</table>\n</section>\n", f);
                return;
        }
        fputs("</table>\n<p>Kept as they are: ", f);
        h_list(f, json_get(rep, "preserve"), ", ", true);
        fputs("</p>\n</section>\n", f);
}

static void footprint(FILE *f, json_object *rep)
{
        json_object *fp = json_get(rep, "footprint"), *before = json_get(fp, "before"),
                    *after = json_get(fp, "after"), *nc = json_get(fp, "not_carried"),
                    *size = json_get(before, "installed_size");
        char buf[32] = "unknown";

        if (json_object_is_type(size, json_type_int))
                format_bytes((unsigned long long) MAX(json_object_get_int64(size), 0), buf, sizeof(buf));
        section(f, REPORT_SECTION_FOOTPRINT, NULL);
        fputs("<table>\n<tr><th></th><th>Before</th><th>After</th></tr>\n<tr><th>Packages</th>", f);
        td_int(f, json_get(before, "packages"));
        td_int(f, json_get(after, "packages"));
        fprintf(f,
                "</tr>\n<tr><th>Installed size</th><td class=\"n\">%s</td><td>not known per package; the "
                "target node image's root filesystem uses ",
                buf);
        h_or_dash(f, json_get_str(after, "root_used"));
        fputs("</td></tr>\n</table>\n<p>Before: ", f);
        h(f, json_get_str(before, "basis"));
        fputs(". After: ", f);
        h(f, json_get_str(after, "basis"));
        fputs(". ", f);
        h(f, json_get_str(after, "installed_size_note"));
        fprintf(f,
                ".</p>\n<p>Not carried over: %" PRId64 " dropped, %" PRId64 " unavailable, %" PRId64
                " unknown.</p>\n",
                json_get_int(nc, "drop", 0), json_get_int(nc, "unavailable", 0),
                json_get_int(nc, "unknown", 0));
        if (json_get_str(json_get(rep, "target_image"), "note")) {
                fputs("<p>About the target image's figures: ", f);
                h(f, json_get_str(json_get(rep, "target_image"), "note"));
                fputs(" Source: ", f);
                h(f, json_get_str(json_get(rep, "target_image"), "source"));
                fputs("</p>\n", f);
        }
        fputs("</section>\n", f);
}

static void findings(FILE *f, json_object *rep)
{
        json_object *all = json_get(rep, "findings");

        if (!section(f, REPORT_SECTION_FINDINGS, all))
                return;
        fputs("<table>\n", f);
        table_head(f, report_columns_findings);
        for (size_t i = 0; i < json_array_len(all); i++) {
                json_object *x = at(all, i), *rem = json_get(x, "remediation");

                fputs("<tr><td>", f);
                severity(f, json_get_str(x, "severity"));
                fputs(json_get_bool(x, "inhibitor", false) ? "</td><td><strong>yes</strong></td><td><code>"
                                                           : "</td><td>no</td><td><code>",
                      f);
                h(f, json_get_str(x, "key"));
                fputs("</code></td>", f);
                td(f, json_get_str(x, "title"));
                td(f, json_get_str(x, "detail"));
                fputs("<td>", f);
                h_list(f, json_get(x, "resources"), "<br>", true);
                fputs("</td><td>", f);
                markup_join_member(f, rem, "value", "<br>", html_escape);
                fputs("</td></tr>\n", f);
        }
        fputs("</table>\n</section>\n", f);
}

int report_render_html(json_object *report, FILE *f)
{
        head(f, report);
        verdict(f, report);
        inhibitors(f, report);
        if (report_is_nodepool(report))
                cluster(f, report);
        else {
                node(f, report);
                packages(f, report);
                configuration(f, report);
        }
        steps(f, report);
        if (!report_is_nodepool(report))
                footprint(f, report);
        findings(f, report);
        fputs("<footer>Written by ", f);
        h(f, json_get_str(json_get(report, "tool"), "name"));
        fputs(" ", f);
        h(f, json_get_str(json_get(report, "tool"), "version"));
        fputs(report_is_nodepool(report) ? " from the plan of cluster snapshot <code>"
                                         : " from the plan of inventory <code>",
              f);
        h(f, json_get_str(report,
                          report_is_nodepool(report) ? "snapshot_fingerprint" : "inventory_fingerprint"));
        fputs("</code> (schema " REPORT_SCHEMA "). This file loads nothing from elsewhere and runs no "
              "script.</footer>\n</body>\n</html>\n",
              f);
        if (fflush(f) != 0 || ferror(f))
                return errno > 0 ? -errno : -EIO;
        return 0;
}
