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

static const char *const severities[] = { "high", "medium", "low", "info" };

static json_object *at(json_object *a, size_t i)
{
        return json_object_array_get_idx(a, i);
}

/* The escaped strings of an array joined by sep; dash when empty. */
static void md_list(FILE *f, json_object *arr, const char *sep)
{
        markup_join(f, arr, sep, md_escape);
}

static void md_str(FILE *f, const char *s)
{
        markup_or_dash(f, s, md_escape);
}

/* The heading of a section. Returns false, after the section's "none" sentence, when it has one
 * and items is empty: the section ends there. */
static bool md_section(FILE *f, ReportSectionId id, json_object *items)
{
        const ReportSection *s = &report_sections[id];

        fprintf(f, "## %s\n\n", s->title);
        if (s->none && json_array_len(items) == 0) {
                fprintf(f, "%s\n\n", s->none);
                return false;
        }
        return true;
}

static void md_table_head(FILE *f, const ReportColumn *cols)
{
        for (const ReportColumn *c = cols; c->label; c++)
                fprintf(f, "| %s ", c->label);
        fputs("|\n", f);
        for (const ReportColumn *c = cols; c->label; c++)
                fputs(c->numeric ? "|---:" : "|---", f);
        fputs("|\n", f);
}

/* A table row of x's string members, one per column. */
static void md_text_row(FILE *f, json_object *x, const ReportColumn *cols)
{
        for (const ReportColumn *c = cols; c->label; c++) {
                fputs(c == cols ? "| " : " | ", f);
                md_str(f, json_get_str(x, c->member));
        }
        fputs(" |\n", f);
}

/* A fenced code block that no backtick run inside s can close. */
static void md_code_block(FILE *f, const char *s)
{
        size_t run = 0, longest = 0;

        for (const char *p = s; *p; p++) {
                run = *p == '`' ? run + 1 : 0;
                longest = MAX(longest, run);
        }
        for (size_t i = 0; i < MAX(longest + 1, (size_t) 3); i++)
                fputc('`', f);
        fputc('\n', f);
        fputs(s, f);
        if (!endswith(s, "\n"))
                fputc('\n', f);
        for (size_t i = 0; i < MAX(longest + 1, (size_t) 3); i++)
                fputc('`', f);
        fputs("\n\n", f);
}

static void md_bytes(FILE *f, json_object *v)
{
        char buf[32];

        if (!json_object_is_type(v, json_type_int)) {
                fputs("unknown", f);
                return;
        }
        format_bytes((unsigned long long) MAX(json_object_get_int64(v), 0), buf, sizeof(buf));
        fputs(buf, f);
}

static void md_int(FILE *f, json_object *v)
{
        if (json_object_is_type(v, json_type_int))
                fprintf(f, "%" PRId64, json_object_get_int64(v));
        else
                fputs("unknown", f);
}

static void remediation_list(FILE *f, json_object *rem, const char *indent)
{
        size_t n = json_array_len(rem);

        for (size_t i = 0; i < n; i++) {
                json_object *r = at(rem, i);
                const char *kind = json_get_str(r, "kind"), *value = json_get_str(r, "value");

                if (!value)
                        continue;
                if (streq_ptr(kind, "command")) {
                        fprintf(f, "%sRun:\n\n", indent);
                        md_code_block(f, value);
                } else {
                        fprintf(f, "%s- %s", indent, streq_ptr(kind, "link") ? "See: " : "");
                        md_escape(f, value);
                        fputs("\n", f);
                }
        }
        if (n)
                fputs("\n", f);
}

/* The title, the verdict, and the head of the summary table. */
static void title(FILE *f, json_object *rep, const char *what)
{
        fprintf(f, "# %s: ", what);
        md_str(f, json_get_str(rep, "from"));
        fputs(" → ", f);
        md_str(f, json_get_str(rep, "to"));
        fputs(" (strategy ", f);
        md_str(f, json_get_str(rep, "strategy"));
        fputs(")\n\n**Verdict: ", f);
        md_str(f, json_get_str(rep, "verdict"));
        fputs("**. ", f);
        md_str(f, json_get_str(rep, "verdict_title"));
        fputs("\n\n| | |\n|---|---|\n", f);
}

/* The summary table's last row: the findings by severity and the inhibitors. */
static void finding_counts(FILE *f, json_object *rep)
{
        json_object *fc = json_get(json_get(rep, "summary"), "findings");
        int64_t inh = json_get_int(json_get(rep, "summary"), "inhibitors", 0);

        fprintf(f, "| Findings | %" PRId64 ": ", json_get_int(fc, "total", 0));
        for (size_t i = 0; i < ELEMENTSOF(severities); i++)
                fprintf(f, "%s%" PRId64 " %s", i ? ", " : "", json_get_int(fc, severities[i], 0),
                        severities[i]);
        fprintf(f, "; %" PRId64 " inhibitor%s |\n\n", inh, inh == 1 ? "" : "s");
}

static void header(FILE *f, json_object *rep)
{
        json_object *node = json_get(rep, "node"), *os = json_get(node, "os"), *aks = json_get(node, "aks"),
                    *src = json_get(node, "source");

        title(f, rep, "Migration report");
        fputs("| Node | ", f);
        md_str(f, json_get_str(os, "hostname"));
        fputs(" |\n| OS | ", f);
        md_str(f, json_get_str(os, "pretty_name"));
        fputs(", ", f);
        md_str(f, json_get_str(os, "arch"));
        fputs(" |\n| AKS node image | ", f);
        md_str(f, json_get_str(aks, "node_image_version"));
        fputs(" |\n| kubelet / containerd | ", f);
        md_str(f, json_get_str(aks, "kubelet_version"));
        fputs(" / ", f);
        md_str(f, json_get_str(aks, "containerd_version"));
        fputs(" |\n| Source | ", f);
        md_str(f, json_get_str(src, "path"));
        fputs(" (", f);
        md_str(f, json_get_str(src, "format"));
        fputs(") |\n| Inventory fingerprint | ", f);
        md_str(f, json_get_str(rep, "inventory_fingerprint"));
        fputs(" |\n", f);
        finding_counts(f, rep);
}

/* Node-pool reports: the cluster instead of the node. */
static void header_cluster(FILE *f, json_object *rep)
{
        json_object *cl = json_get(rep, "cluster"), *par = json_get(rep, "parameters");

        title(f, rep, "Node-pool migration report");
        fputs("| Cluster | ", f);
        md_str(f, json_get_str(cl, "name"));
        fputs(" (resource group ", f);
        md_str(f, json_get_str(cl, "resource_group"));
        fputs(", ", f);
        md_str(f, json_get_str(cl, "location"));
        fputs(") |\n| Kubernetes | ", f);
        md_str(f, json_get_str(cl, "kubernetes_version"));
        fputs(" |\n| az CLI | ", f);
        md_str(f, json_get_str(cl, "az_version"));
        fputs(" |\n| Target OS SKU | ", f);
        md_str(f, json_get_str(par, "target_os_sku"));
        fprintf(f, " |\n| Drain | %" PRId64 " node(s) at a time, %" PRId64 " s per node |\n",
                json_get_int(par, "drain_batch", 0), json_get_int(par, "drain_timeout_sec", 0));
        fputs("| Snapshot fingerprint | ", f);
        md_str(f, json_get_str(rep, "snapshot_fingerprint"));
        fputs(" |\n", f);
        finding_counts(f, rep);
}

static void pools(FILE *f, json_object *rep)
{
        json_object *p = json_get(rep, "pools");

        if (!md_section(f, REPORT_SECTION_POOLS, p))
                return;
        md_table_head(f, report_columns_pools);
        for (size_t i = 0; i < json_array_len(p); i++) {
                json_object *x = at(p, i);
                for (const ReportColumn *c = report_columns_pools; c->label; c++) {
                        fputs(c == report_columns_pools ? "| " : " | ", f);
                        if (c->numeric)
                                md_int(f, json_get(x, c->member));
                        else
                                md_str(f, json_get_str(x, c->member));
                }
                fputs(" |\n", f);
        }
        fputs("\n", f);
}

/* Node-pool reports: the exact commands of each step (what --dry-run prints). */
static void commands(FILE *f, json_object *rep)
{
        json_object *st = json_get(rep, "steps");

        fputs("### Commands\n\n", f);
        for (size_t i = 0; i < json_array_len(st); i++) {
                json_object *s = at(st, i), *cmds = json_get(s, "commands");
                _cleanup_free_ char *text = NULL;
                size_t size = 0;
                FILE *m = open_memstream(&text, &size);

                if (!m)
                        return;
                for (size_t k = 0; k < json_array_len(cmds); k++) {
                        json_object *argv = at(cmds, k);
                        for (size_t j = 0; j < json_array_len(argv); j++)
                                fprintf(m, "%s%s", j ? " " : "",
                                        strempty(json_object_get_string(at(argv, j))));
                        fputc('\n', m);
                }
                if (fclose(m) != 0)
                        return;
                fprintf(f, "%zu. ", i + 1);
                md_str(f, json_get_str(s, "id"));
                if (json_get_bool(s, "point_of_no_return", false))
                        fputs(" (**point of no return**: runs only with explicit confirmation)", f);
                fputs("\n\n", f);
                if (!isempty(text))
                        md_code_block(f, text);
        }
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
                fputs(k++ ? "" : "Read first:\n\n", f);
                fputs("- ", f);
                md_str(f, sev);
                fputs(": ", f);
                md_str(f, json_get_str(x, "title"));
                fputs(" (", f);
                md_str(f, json_get_str(x, "key"));
                fputs(")\n", f);
        }
        if (k)
                fputs("\n", f);
}

static void inhibitors(FILE *f, json_object *rep)
{
        json_object *inh = json_get(rep, "inhibitors");
        size_t n = json_array_len(inh);

        if (!md_section(f, REPORT_SECTION_INHIBITORS, inh))
                return;
        for (size_t i = 0; i < n; i++) {
                json_object *x = at(inh, i);
                fprintf(f, "### %zu. ", i + 1);
                md_str(f, json_get_str(x, "title"));
                fputs("\n\n- Key: ", f);
                md_str(f, json_get_str(x, "key"));
                fputs("\n- Severity: ", f);
                md_str(f, json_get_str(x, "severity"));
                fputs("\n- Detail: ", f);
                md_str(f, json_get_str(x, "detail"));
                fputs("\n- Resources: ", f);
                md_list(f, json_get(x, "resources"), ", ");
                fputs("\n\n", f);
                if (json_array_len(json_get(x, "remediation"))) {
                        fputs("Remediation:\n\n", f);
                        remediation_list(f, json_get(x, "remediation"), "");
                }
        }
}

static void packages(FILE *f, json_object *rep)
{
        json_object *pk = json_get(rep, "packages"), *counts = json_get(pk, "counts"),
                    *decisions = json_get(pk, "decisions");
        size_t n = json_array_len(decisions);

        md_section(f, REPORT_SECTION_PACKAGES, NULL);
        md_table_head(f, report_columns_dispositions);
        for (const ReportDisposition *d = report_dispositions; d->name; d++)
                fprintf(f, "| %s | %" PRId64 " | %s |\n", d->name, json_get_int(counts, d->name, 0),
                        d->meaning);
        fprintf(f, "| **total** | %" PRId64 " | |\n\n", json_get_int(counts, "total", (int64_t) n));
        fprintf(f,
                "Distinct target packages: %" PRId64 "; the target node image has %" PRId64 " packages; "
                "to install beyond it (%zu): ",
                json_get_int(counts, "target_packages", 0), json_get_int(counts, "target_image_packages", 0),
                json_array_len(json_get(counts, "to_install")));
        md_list(f, json_get(counts, "to_install"), ", ");
        fputs(".\n\n### Every package\n\n", f);
        md_table_head(f, report_columns_packages);
        for (size_t i = 0; i < n; i++) {
                json_object *d = at(decisions, i);
                fputs("| ", f);
                md_str(f, json_get_str(d, "name"));
                fputs(" | ", f);
                md_str(f, json_get_str(d, "version"));
                fputs(" | ", f);
                md_str(f, json_get_str(d, "arch"));
                fputs(" | ", f);
                md_str(f, json_get_str(d, "disposition"));
                fputs(" | ", f);
                md_list(f, json_get(d, "targets"), ", ");
                fputs(" | ", f);
                md_str(f, json_get_str(d, "rule"));
                fputs(" | ", f);
                md_str(f, json_get_str(d, "note"));
                fputs(" |\n", f);
        }
        fputs("\n", f);
}

static void configuration(FILE *f, json_object *rep)
{
        json_object *c = json_get(rep, "configuration"), *t = json_get(c, "translations");
        size_t n = json_array_len(t);

        if (!md_section(f, REPORT_SECTION_CONFIGURATION, t))
                return;
        md_table_head(f, report_columns_translations);
        for (size_t i = 0; i < n; i++)
                md_text_row(f, at(t, i), report_columns_translations);
        fputs("\n", f);
        for (size_t i = 0; i < n; i++) {
                json_object *x = at(t, i);
                if (!json_get_str(x, "content"))
                        continue;
                fputs("#### Rendered: ", f);
                md_str(f, json_get_str(x, "target"));
                fputs("\n\n", f);
                md_code_block(f, json_get_str(x, "content"));
        }
}

static void steps(FILE *f, json_object *rep)
{
        json_object *st = json_get(rep, "steps"), *cps = json_get(rep, "checkpoints");
        size_t n = json_array_len(st);

        md_section(f, REPORT_SECTION_STEPS, NULL);
        md_table_head(f, report_columns_steps);
        for (size_t i = 0; i < n; i++) {
                json_object *s = at(st, i);
                fprintf(f, "| %zu | ", i + 1);
                md_str(f, json_get_str(s, "id"));
                fputs(" | ", f);
                md_str(f, json_get_str(s, "kind"));
                fputs(json_get_bool(s, "mutates", false) ? " | yes | " : " | no | ", f);
                md_str(f, json_get_str(s, "checkpoint_before"));
                fputs(" | ", f);
                md_list(f, json_get(s, "reads"), "<br>");
                fputs(" | ", f);
                md_list(f, json_get(s, "writes"), "<br>");
                fputs(" | ", f);
                md_str(f, json_get_str(s, "undo"));
                fputs(" |\n", f);
        }
        fputs("\n", f);
        md_table_head(f, report_columns_checkpoints);
        for (size_t i = 0; i < json_array_len(cps); i++)
                md_text_row(f, at(cps, i), report_columns_checkpoints);
        if (report_is_nodepool(rep)) {
                fputs("\n", f);
                return;
        }
        fputs("\nKept as they are: ", f);
        md_list(f, json_get(rep, "preserve"), ", ");
        fputs("\n\n", f);
}

static void footprint(FILE *f, json_object *rep)
{
        json_object *fp = json_get(rep, "footprint"), *before = json_get(fp, "before"),
                    *after = json_get(fp, "after"), *nc = json_get(fp, "not_carried");

        md_section(f, REPORT_SECTION_FOOTPRINT, NULL);
        fputs("| | Before | After |\n|---|---|---|\n| Packages | ", f);
        md_int(f, json_get(before, "packages"));
        fputs(" | ", f);
        md_int(f, json_get(after, "packages"));
        fputs(" |\n| Installed size | ", f);
        md_bytes(f, json_get(before, "installed_size"));
        fputs(" | not known per package; the target node image's root filesystem uses ", f);
        md_str(f, json_get_str(after, "root_used"));
        fputs(" |\n\nBefore: ", f);
        md_str(f, json_get_str(before, "basis"));
        fputs(". After: ", f);
        md_str(f, json_get_str(after, "basis"));
        fputs(". ", f);
        md_str(f, json_get_str(after, "installed_size_note"));
        fputs(". Not carried over: ", f);
        md_int(f, json_get(nc, "drop"));
        fputs(" dropped, ", f);
        md_int(f, json_get(nc, "unavailable"));
        fputs(" unavailable, ", f);
        md_int(f, json_get(nc, "unknown"));
        fputs(" unknown.\n\n", f);
}

static void findings(FILE *f, json_object *rep)
{
        json_object *all = json_get(rep, "findings");
        size_t n = json_array_len(all);

        if (!md_section(f, REPORT_SECTION_FINDINGS, all))
                return;
        md_table_head(f, report_columns_findings);
        for (size_t i = 0; i < n; i++) {
                json_object *x = at(all, i), *rem = json_get(x, "remediation");
                fputs("| ", f);
                md_str(f, json_get_str(x, "severity"));
                fputs(json_get_bool(x, "inhibitor", false) ? " | **yes** | " : " | no | ", f);
                md_str(f, json_get_str(x, "key"));
                fputs(" | ", f);
                md_str(f, json_get_str(x, "title"));
                fputs(" | ", f);
                md_str(f, json_get_str(x, "detail"));
                fputs(" | ", f);
                md_list(f, json_get(x, "resources"), ", ");
                fputs(" | ", f);
                markup_join_member(f, rem, "value", "<br>", md_str);
                fputs(" |\n", f);
        }
        fputs("\n", f);
}

int report_render_markdown(json_object *report, FILE *f)
{
        bool np = report_is_nodepool(report);

        if (np)
                header_cluster(f, report);
        else
                header(f, report);
        warnings(f, report);
        inhibitors(f, report);
        if (np)
                pools(f, report);
        else {
                packages(f, report);
                configuration(f, report);
        }
        steps(f, report);
        if (np)
                commands(f, report);
        else
                footprint(f, report);
        findings(f, report);
        fputs("---\n\nWritten by ", f);
        md_str(f, json_get_str(json_get(report, "tool"), "name"));
        fputs(" ", f);
        md_str(f, json_get_str(json_get(report, "tool"), "version"));
        fputs(np ? " from the plan of cluster snapshot " : " from the plan of inventory ", f);
        md_str(f, json_get_str(report, np ? "snapshot_fingerprint" : "inventory_fingerprint"));
        fputs(" (schema " REPORT_SCHEMA ").\n", f);
        if (fflush(f) != 0 || ferror(f))
                return errno > 0 ? -errno : -EIO;
        return 0;
}
