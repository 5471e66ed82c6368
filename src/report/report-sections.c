/* SPDX-License-Identifier: MIT */
#include "report-sections.h"

const ReportSection report_sections[_REPORT_SECTION_MAX] = {
        [REPORT_SECTION_INHIBITORS] = { "inhibitors", "Inhibitors",
                                        "None: no finding stops the migration." },
        [REPORT_SECTION_PACKAGES] = { "packages", "Package changes", NULL },
        [REPORT_SECTION_CONFIGURATION] = { "configuration", "Configuration changes", "None." },
        [REPORT_SECTION_STEPS] = { "steps", "Steps and checkpoints", NULL },
        [REPORT_SECTION_FOOTPRINT] = { "footprint", "Footprint", NULL },
        [REPORT_SECTION_FINDINGS] = { "findings", "Findings", "None." },
        [REPORT_SECTION_POOLS] = { "pools", "Node pools", "None." },
};

const ReportColumn report_columns_dispositions[] = {
        { "Disposition" },
        { "Packages", .numeric = true },
        { "Meaning" },
        {},
};

const ReportColumn report_columns_packages[] = {
        { "Package", "name" },    { "Version", "version" },
        { "Arch", "arch" },       { "Disposition", "disposition" },
        { "Targets", "targets" }, { "Decided by", "rule" },
        { "Note", "note" },       {},
};

const ReportColumn report_columns_translations[] = {
        { "Action", "action" }, { "Source", "source" }, { "Target", "target" },
        { "Rule", "rule" },     { "Note", "note" },     {},
};

const ReportColumn report_columns_steps[] = {
        { "#", NULL, true },
        { "Step", "id" },
        { "Kind", "kind" },
        { "Changes a disk", "mutates" },
        { "Checkpoint before", "checkpoint_before" },
        { "Reads", "reads" },
        { "Writes", "writes" },
        { "Undo", "undo" },
        {},
};

const ReportColumn report_columns_checkpoints[] = {
        { "Checkpoint", "id" },
        { "Before step", "before_step" },
        { "Kind", "kind" },
        { "What it keeps", "description" },
        {},
};

const ReportColumn report_columns_findings[] = {
        { "Severity", "severity" },
        { "Inhibitor", "inhibitor" },
        { "Key", "key" },
        { "Title", "title" },
        { "Detail", "detail" },
        { "Resources", "resources" },
        { "Remediation", "remediation" },
        {},
};

const ReportColumn report_columns_pools[] = {
        { "Pool", "name" },
        { "OS SKU", "os_sku" },
        { "Release", "release" },
        { "VM size", "vm_size" },
        { "Nodes", "count", true },
        { "Mode", "mode" },
        { "Kubernetes", "kubernetes_version" },
        { "New pool", "new_name" },
        {},
};

const ReportDisposition report_dispositions[] = {
        { "map", "install these Azure Linux packages" },
        { "base", "already part of the Azure Linux node image" },
        { "drop", "not needed, or done another way on Azure Linux" },
        { "unavailable", "Azure Linux has no package for it: bring it yourself" },
        { "unknown", "no entry or rule knows it" },
        {},
};
