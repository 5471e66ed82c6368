/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "map/knowledge.h"
#include "map/pkgmap.h"
#include "map/rules.h"
#include "shared/json-util.h"
#include "shared/strv.h"
#include "fingerprint.h"
#include "plan.h"
#include "strategy.h"
#include "target-image.h"

static const char *const plan_verdict_table[_PLAN_VERDICT_MAX] = {
        [PLAN_READY] = "ready",
        [PLAN_READY_WITH_WARNINGS] = "ready-with-warnings",
        [PLAN_INHIBITED] = "inhibited",
};

DEFINE_STRING_TABLE_LOOKUP(plan_verdict, PlanVerdict);

bool plan_finding_is_warning(json_object *f)
{
        const char *sev = json_get_str(f, "severity");

        return !json_get_bool(f, "inhibitor", false) && (streq_ptr(sev, "medium") || streq_ptr(sev, "high"));
}

PlanVerdict plan_verdict_of(json_object *findings)
{
        size_t n = json_array_len(findings);
        PlanVerdict v = PLAN_READY;

        for (size_t i = 0; i < n; i++) {
                json_object *f = json_object_array_get_idx(findings, i);

                if (json_get_bool(f, "inhibitor", false))
                        return PLAN_INHIBITED;
                if (plan_finding_is_warning(f))
                        v = PLAN_READY_WITH_WARNINGS;
        }
        return v;
}

/* Sets *error from a format (for plan_build's ret_error) and returns r. */
static int fail(int r, char **error, const char *format, ...) _printf_(3, 4);
static int fail(int r, char **error, const char *format, ...)
{
        va_list ap;

        free(*error);
        va_start(ap, format);
        if (vasprintf(error, format, ap) < 0)
                *error = NULL;
        va_end(ap);
        return r;
}

/* Copies src[key] into dst[key] (null when missing). Returns 0 or -ENOMEM. */
static int copy_member(json_object *dst, json_object *src, const char *key, const char *as)
{
        json_object *v = json_get(src, key), *c = json_deep_copy(v);

        if (v && !c)
                return -ENOMEM;
        return json_add(dst, as ?: key, c);
}

static int build_summary(json_object *inventory, json_object **ret)
{
        _cleanup_json_ json_object *s = json_object_new_object();
        json_object *pk = json_get(inventory, "packages"), *aks = json_get(inventory, "aks"),
                    *boot = json_get(inventory, "boot"), *p, *a, *b;

        if (!s || copy_member(s, inventory, "source", NULL) < 0 ||
            copy_member(s, inventory, "os", NULL) < 0 || copy_member(s, inventory, "disk", NULL) < 0 ||
            copy_member(s, inventory, "mounts", NULL) < 0)
                return -ENOMEM;
        p = json_get_or_add_object(s, "packages");
        if (!p || copy_member(p, pk, "manager", NULL) < 0 || copy_member(p, pk, "count", NULL) < 0 ||
            copy_member(p, pk, "installed_size", NULL) < 0 || copy_member(p, pk, "manual_count", NULL) < 0)
                return -ENOMEM;
        a = json_get_or_add_object(s, "aks");
        if (!a || copy_member(a, aks, "is_node", NULL) < 0 ||
            copy_member(a, json_get(aks, "kubelet"), "version", "kubelet_version") < 0 ||
            copy_member(a, json_get(aks, "containerd"), "version", "containerd_version") < 0 ||
            copy_member(a, aks, "node_image_version", NULL) < 0)
                return -ENOMEM;
        b = json_get_or_add_object(s, "boot");
        if (!b || copy_member(b, boot, "firmware", NULL) < 0 ||
            copy_member(b, boot, "bootloader", NULL) < 0 || copy_member(b, boot, "default_kernel", NULL) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(s);
        return 0;
}

static const char *first_string(json_object *arr)
{
        json_object *v = json_array_len(arr) > 0 ? json_object_array_get_idx(arr, 0) : NULL;
        return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

int plan_finding_compare(json_object *x, json_object *y)
{
        int c;

        c = strcmp(strempty(json_get_str(x, "key")), strempty(json_get_str(y, "key")));
        if (c == 0)
                c = strcmp(first_string(json_get(x, "resources")), first_string(json_get(y, "resources")));
        if (c == 0)
                c = strcmp(strempty(json_get_str(x, "detail")), strempty(json_get_str(y, "detail")));
        return c;
}

static int cmp_finding(const void *a, const void *b)
{
        return plan_finding_compare(*(json_object *const *) a, *(json_object *const *) b);
}

json_object *plan_tool_new(void)
{
        json_object *o = json_object_new_object();

        if (o &&
            (json_add_str(o, "name", "azlmigrate") < 0 || json_add_str(o, "version", PACKAGE_VERSION) < 0)) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

void plan_sort_findings(json_object *findings)
{
        json_object_array_sort(findings, cmp_finding);
}

/* The inventory's own findings join the plan's: never inhibitors, with no remediation of their own. */
static int add_inventory_findings(json_object *inventory, json_object *findings)
{
        json_object *inv = json_get(inventory, "findings");
        size_t n = json_array_len(inv);

        for (size_t i = 0; i < n; i++) {
                json_object *f = json_object_array_get_idx(inv, i), *c;

                if (!json_object_is_type(f, json_type_object) || !json_get_str(f, "key"))
                        continue;
                c = json_deep_copy(f);
                if (!c || json_append(findings, c) < 0)
                        return -ENOMEM;
                if (json_add_bool(c, "inhibitor", false) < 0)
                        return -ENOMEM;
                if (!json_get(c, "remediation") && json_add(c, "remediation", json_object_new_array()) < 0)
                        return -ENOMEM;
                if (!json_get(c, "resources") && json_add(c, "resources", json_object_new_array()) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static bool translation_moves_content(json_object *t)
{
        const char *a = json_get_str(t, "action");
        return streq_ptr(a, "carry") || streq_ptr(a, "translate") || streq_ptr(a, "render");
}

/* Appends s to l unless it is there already. */
static int extend_unique(char ***l, const char *s)
{
        if (strv_contains(*l, s))
                return 0;
        return strv_extend(l, s);
}

/* The sorted paths the translations that carry content read ("source") or write ("target"). */
static int translation_paths(json_object *translations, const char *member, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        size_t n = json_object_array_length(translations);

        for (size_t i = 0; i < n; i++) {
                json_object *t = json_object_array_get_idx(translations, i);
                const char *p = json_get_str(t, member);

                if (!translation_moves_content(t) || isempty(p))
                        continue;
                if (extend_unique(&l, p) < 0)
                        return -ENOMEM;
        }
        strv_sort(l);
        *ret = TAKE_PTR(l);
        return 0;
}

typedef struct Expansions {
        char **preserve;
        char **sources;
        char **targets;
        char **esp;
} Expansions;

static void expansions_done(Expansions *e)
{
        strv_free(e->preserve);
        strv_free(e->sources);
        strv_free(e->targets);
        strv_free(e->esp);
}

/* A template's reads or writes with "@name" expanded; duplicates dropped. Returns 0, -EBADMSG
 * for an unknown expansion, or -ENOMEM. */
static int expand_paths(char **template, const Expansions *e, json_object **ret)
{
        _cleanup_json_ json_object *arr = json_object_new_array();
        _cleanup_strv_free_ char **l = NULL;

        if (!arr)
                return -ENOMEM;
        STRV_FOREACH(p, template) {
                char **with = NULL;

                if ((*p)[0] != '@') {
                        if (extend_unique(&l, *p) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (streq(*p, "@preserve"))
                        with = e->preserve;
                else if (streq(*p, "@translation-sources"))
                        with = e->sources;
                else if (streq(*p, "@translation-targets"))
                        with = e->targets;
                else if (streq(*p, "@esp"))
                        with = e->esp;
                else
                        return -EBADMSG;
                STRV_FOREACH(w, with)
                        if (extend_unique(&l, *w) < 0)
                                return -ENOMEM;
        }
        STRV_FOREACH(p, l)
                if (json_append_str(arr, *p) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(arr);
        return 0;
}

static const char *checkpoint_description(CheckpointKind k)
{
        switch (k) {
        case CHECKPOINT_OVERLAY:
                return "A qcow2 overlay layer: this step and every later one write above it, and rolling "
                       "back to "
                       "it discards those layers. The disk below is not written until commit.";
        case CHECKPOINT_UNDO_ARCHIVE:
                return "A file-level undo archive: before this step changes a path, its pre-image (content, "
                       "mode, "
                       "owner, timestamps, xattrs, or \"did not exist\") is archived; rolling back replays "
                       "the "
                       "archives in reverse.";
        case CHECKPOINT_NONE:
                return "A journal mark: the step only creates what did not exist before, so rolling back to "
                       "it "
                       "deletes what the step created.";
        case CHECKPOINT_RECORD:
                return "A record of the cloud and node state the step changes (the pool's profile and OS "
                       "SKU, its nodes' cordon flags and labels): rolling back to it restores that state.";
        default:
                return NULL;
        }
}

const char *plan_checkpoint_description(const char *kind)
{
        CheckpointKind k = checkpoint_kind_from_string(kind);

        return k < 0 ? NULL : checkpoint_description(k);
}

static int build_steps(const Strategy *s, json_object *inventory, const Expansions *e, json_object *plan,
                       char **error)
{
        json_object *steps = json_get_or_add_array(plan, "steps"),
                    *checkpoints = json_get_or_add_array(plan, "checkpoints");
        bool directory = streq_ptr(json_get_str(json_get(inventory, "source"), "format"), "directory");
        int r;

        if (!steps || !checkpoints)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_steps; i++) {
                const StepTemplate *t = &s->steps[i];
                _cleanup_json_ json_object *reads = NULL, *writes = NULL;
                _cleanup_free_ char *cp_id = NULL;
                CheckpointKind kind = t->checkpoint_kind;
                json_object *step, *cp;

                r = expand_paths(t->reads, e, &reads);
                if (r >= 0)
                        r = expand_paths(t->writes, e, &writes);
                if (r == -EBADMSG)
                        return fail(r, error,
                                    "strategy '%s', step '%s': unknown expansion in \"reads\" or \"writes\" "
                                    "(known: @preserve, @translation-sources, @translation-targets, @esp)",
                                    s->name, t->id);
                if (r < 0)
                        return r;
                if (t->checkpoint && asprintf(&cp_id, "cp-%s", t->id) < 0)
                        return -ENOMEM;
                step = json_object_new_object();
                if (!step || json_append(steps, step) < 0)
                        return -ENOMEM;
                if (json_add_str(step, "id", t->id) < 0 || json_add_str(step, "kind", t->kind) < 0 ||
                    json_add_str(step, "description", t->description) < 0 ||
                    json_add(step, "reads", TAKE_PTR(reads)) < 0 ||
                    json_add(step, "writes", TAKE_PTR(writes)) < 0 ||
                    json_add_bool(step, "mutates", t->mutates) < 0 ||
                    json_add_str(step, "checkpoint_before", cp_id) < 0 ||
                    json_add_str(step, "undo", t->undo) < 0)
                        return -ENOMEM;
                if (!t->checkpoint)
                        continue;

                if (kind == CHECKPOINT_AUTO)
                        kind = directory ? CHECKPOINT_UNDO_ARCHIVE : CHECKPOINT_OVERLAY;
                cp = json_object_new_object();
                if (!cp || json_append(checkpoints, cp) < 0 || json_add_str(cp, "id", cp_id) < 0 ||
                    json_add_str(cp, "before_step", t->id) < 0 ||
                    json_add_str(cp, "kind", checkpoint_kind_to_string(kind)) < 0 ||
                    json_add_str(cp, "description", checkpoint_description(kind)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int source_release(json_object *inventory, char **ret, char **error)
{
        json_object *os = json_get(inventory, "os");
        const char *id = json_get_str(os, "id"), *version = json_get_str(os, "version_id");
        _cleanup_free_ char *rel = NULL;
        int r;

        r = knowledge_release_from_os(id, version, &rel);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return fail(-EPROTONOSUPPORT, error,
                            "the inventory does not say which release the node runs "
                            "(os.id, os.version_id)");
        if (!knowledge_release_is_source(rel))
                return fail(-EPROTONOSUPPORT, error, "cannot plan from '%s': known source releases are %s",
                            rel, KNOWLEDGE_SOURCES);
        *ret = TAKE_PTR(rel);
        return 0;
}

/* The names of the disk strategies in plans_dir, joined with ", " (NULL when none or on error). */
static char *disk_strategies(const char *plans_dir)
{
        _cleanup_strv_free_ char **names = NULL, **disk = NULL;

        if (strategy_list(plans_dir, &names) < 0)
                return NULL;
        STRV_FOREACH(n, names) {
                _cleanup_(strategy_freep) Strategy *s = NULL;
                _cleanup_free_ char *e = NULL;
                if (strategy_load(plans_dir, *n, &s, &e) >= 0 && s->subject == STRATEGY_SUBJECT_DISK &&
                    strv_extend(&disk, *n) < 0)
                        return NULL;
        }
        return disk ? strv_join(disk, ", ") : NULL;
}

static int load_strategy(const PlanOptions *o, Strategy **ret, char **error)
{
        _cleanup_free_ char *list = NULL;
        int r;

        r = strategy_load(o->plans_dir, o->strategy, ret, error);
        if (r >= 0 && (*ret)->subject == STRATEGY_SUBJECT_DISK)
                return r;
        if (r >= 0 || r == -ENOENT || r == -EINVAL) {
                bool nodepool = r >= 0;
                *ret = strategy_free(*ret);
                list = disk_strategies(o->plans_dir);
                return fail(
                        -ENOENT, error,
                        nodepool ? "the strategy '%s' is for node pools ('azlmigrate nodepool plan'), not "
                                   "for a disk (disk strategies: %s)"
                                 : "no disk strategy '%s' (known: %s)",
                        o->strategy, isempty(list) ? "none" : list);
        }
        return r;
}

/* The paths kept as they are: the strategy's, and those the config translations keep in place
 * (a "carry" whose source and target are the same directory, written as ".../"). */
static int build_preserve(const Strategy *s, json_object *translations, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        size_t n = json_object_array_length(translations);

        STRV_FOREACH(p, s->preserve)
                if (extend_unique(&l, *p) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *t = json_object_array_get_idx(translations, i);
                const char *src = json_get_str(t, "source"), *dst = json_get_str(t, "target");

                if (streq_ptr(json_get_str(t, "action"), "carry") && src && src[0] == '/' &&
                    streq_ptr(src, dst) && endswith(src, "/") && !streq(src, "/")) {
                        _cleanup_free_ char *d = strndup(src, strlen(src) - 1);
                        if (!d || extend_unique(&l, d) < 0)
                                return -ENOMEM;
                }
        }
        strv_sort(l);
        *ret = TAKE_PTR(l);
        return 0;
}

static int strv_to_json(char **l, json_object **ret)
{
        _cleanup_json_ json_object *arr = json_object_new_array();

        if (!arr)
                return -ENOMEM;
        STRV_FOREACH(p, l)
                if (json_append_str(arr, *p) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(arr);
        return 0;
}

static int inhibitor_keys(json_object *findings, json_object **ret)
{
        _cleanup_strv_free_ char **keys = NULL;
        size_t n = json_object_array_length(findings);

        for (size_t i = 0; i < n; i++) {
                json_object *f = json_object_array_get_idx(findings, i);
                if (json_get_bool(f, "inhibitor", false) && json_get_str(f, "key") &&
                    extend_unique(&keys, json_get_str(f, "key")) < 0)
                        return -ENOMEM;
        }
        strv_sort(keys);
        return strv_to_json(keys, ret);
}

json_object *plan_new(const char *from, const char *to, const char *strategy)
{
        _cleanup_json_ json_object *plan = json_object_new_object(), *tool = plan_tool_new();

        if (!plan || !tool || json_add_str(plan, "schema", PLAN_SCHEMA) < 0 ||
            json_add(plan, "tool", TAKE_PTR(tool)) < 0 || json_add(plan, "created", NULL) < 0 ||
            json_add_str(plan, "from", from) < 0 || json_add_str(plan, "to", to) < 0 ||
            json_add_str(plan, "strategy", strategy) < 0)
                return NULL;
        return TAKE_PTR(plan);
}

int plan_add_verdict(json_object *plan, json_object *findings)
{
        json_object *keys = NULL;

        if (json_add_str(plan, "verdict", plan_verdict_to_string(plan_verdict_of(findings))) < 0 ||
            inhibitor_keys(findings, &keys) < 0)
                return -ENOMEM;
        return json_add(plan, "inhibitors", keys);
}

int plan_build(json_object *inventory, const PlanOptions *o, json_object **ret, char **ret_error)
{
        _cleanup_json_ json_object *plan = NULL, *packages = NULL, *rule_findings = NULL,
                                   *translations = NULL, *findings = NULL, *summary = NULL, *target = NULL,
                                   *json = NULL;
        _cleanup_(strategy_freep) Strategy *strategy = NULL;
        _cleanup_(pkgmap_freep) PkgMap *map = NULL;
        _cleanup_free_ char *from = NULL, *error = NULL, *fingerprint = NULL;
        _cleanup_(expansions_done) Expansions e = {};
        const char *esp;
        size_t n;
        int r;

        if (!json_object_is_type(inventory, json_type_object)) {
                r = fail(-EBADMSG, &error, "the inventory is not a JSON object");
                goto finish;
        }
        if (isempty(o->to) || !str_in_charset(o->to, ".-")) {
                r = fail(-ENOENT, &error, "'%s' is not a target (known: %s)", strempty(o->to),
                         KNOWLEDGE_TARGETS);
                goto finish;
        }
        r = source_release(inventory, &from, &error);
        if (r < 0)
                goto finish;
        r = load_strategy(o, &strategy, &error);
        if (r < 0)
                goto finish;
        r = pkgmap_load(o->plans_dir, o->maps_dirs, from, o->to, &map, &error);
        if (r == -ENOENT && !error)
                r = fail(r, &error, "no package knowledge for the target '%s' (known: %s)", o->to,
                         KNOWLEDGE_TARGETS);
        if (r < 0)
                goto finish;
        r = pkgmap_decide_inventory(map, inventory, &packages);
        if (r < 0)
                goto finish;
        r = rules_evaluate_strategy(o->plans_dir, o->to, strategy->name, inventory,
                                    json_get(packages, "decisions"), &rule_findings, &translations, &error);
        if (r < 0)
                goto finish;
        r = -ENOMEM;

        /* The findings: the inventory's own and the rules', in one stable order. */
        findings = json_object_new_array();
        if (!findings || add_inventory_findings(inventory, findings) < 0)
                goto finish;
        n = json_array_len(rule_findings);
        for (size_t i = 0; i < n; i++)
                if (json_append(findings, json_object_get(json_object_array_get_idx(rule_findings, i))) < 0)
                        goto finish;
        json_object_array_sort(findings, cmp_finding);
        if (!json_object_is_type(translations, json_type_array)) {
                json_object_put(translations);
                translations = json_object_new_array();
                if (!translations)
                        goto finish;
        }

        /* What the step templates' "@name" expansions stand for. */
        esp = json_get_str(json_get(json_get(inventory, "boot"), "esp"), "mounted_at");
        if (build_preserve(strategy, translations, &e.preserve) < 0 ||
            translation_paths(translations, "source", &e.sources) < 0 ||
            translation_paths(translations, "target", &e.targets) < 0 ||
            strv_extend(&e.esp, esp && esp[0] == '/' ? esp : "/boot/efi") < 0)
                goto finish;

        r = fingerprint_inventory(inventory, &fingerprint);
        if (r < 0)
                goto finish;
        r = build_summary(inventory, &summary);
        if (r < 0)
                goto finish;
        r = target_image_facts(o->plans_dir, o->to, pkgmap_image_size(map), &target, &error);
        if (r < 0)
                goto finish;

        r = -ENOMEM;
        plan = plan_new(from, o->to, strategy->name);
        if (!plan || json_add_str(plan, "inventory_fingerprint", fingerprint) < 0 ||
            json_add(plan, "inventory_summary", TAKE_PTR(summary)) < 0 ||
            plan_add_verdict(plan, findings) < 0)
                goto finish;
        r = build_steps(strategy, inventory, &e, plan, &error);
        if (r < 0)
                goto finish;
        r = -ENOMEM;
        if (json_add(plan, "packages", TAKE_PTR(packages)) < 0 ||
            json_add(plan, "translations", TAKE_PTR(translations)) < 0 ||
            json_add(plan, "findings", TAKE_PTR(findings)) < 0 || strv_to_json(e.preserve, &json) < 0 ||
            json_add(plan, "preserve", TAKE_PTR(json)) < 0 ||
            json_add(plan, "target_image", TAKE_PTR(target)) < 0)
                goto finish;
        *ret = TAKE_PTR(plan);
        return 0;
finish:
        if (ret_error)
                *ret_error = TAKE_PTR(error);
        return r;
}

static int check_member(json_object *plan, const char *key, json_type type, char **error)
{
        json_object *v = json_get(plan, key);

        if (json_object_is_type(v, type))
                return 0;
        return fail(-EBADMSG, error, "the plan's \"%s\" is %s, want %s", key,
                    v ? "of the wrong type" : "missing", json_type_to_name(type));
}

int plan_check(json_object *plan, char **ret_error)
{
        static const struct {
                const char *key;
                json_type type;
        } members[] = {
                { "from", json_type_string },
                { "to", json_type_string },
                { "strategy", json_type_string },
                { "inventory_fingerprint", json_type_string },
                { "inventory_summary", json_type_object },
                { "verdict", json_type_string },
                { "inhibitors", json_type_array },
                { "steps", json_type_array },
                { "checkpoints", json_type_array },
                { "packages", json_type_object },
                { "translations", json_type_array },
                { "findings", json_type_array },
                { "preserve", json_type_array },
                { "target_image", json_type_object },
        };
        static const struct {
                const char *key;
                json_type type;
        } nodepool_members[] = {
                { "from", json_type_string },       { "to", json_type_string },
                { "strategy", json_type_string },   { "snapshot_fingerprint", json_type_string },
                { "cluster", json_type_object },    { "parameters", json_type_object },
                { "pools", json_type_array },       { "verdict", json_type_string },
                { "inhibitors", json_type_array },  { "steps", json_type_array },
                { "checkpoints", json_type_array }, { "findings", json_type_array },
        };
        _cleanup_free_ char *error = NULL;
        int r = 0;

        if (!json_object_is_type(plan, json_type_object) ||
            !streq_ptr(json_get_str(plan, "schema"), PLAN_SCHEMA))
                r = fail(-EBADMSG, &error, "not an azlmigrate plan (schema " PLAN_SCHEMA ")");
        if (r >= 0 && streq_ptr(json_get_str(plan, "subject"), "nodepool"))
                for (size_t i = 0; r >= 0 && i < ELEMENTSOF(nodepool_members); i++)
                        r = check_member(plan, nodepool_members[i].key, nodepool_members[i].type, &error);
        else
                for (size_t i = 0; r >= 0 && i < ELEMENTSOF(members); i++)
                        r = check_member(plan, members[i].key, members[i].type, &error);
        if (r >= 0 && plan_verdict_from_string(json_get_str(plan, "verdict")) < 0)
                r = fail(-EBADMSG, &error,
                         "the plan's verdict is not ready, ready-with-warnings or inhibited");
        if (r < 0 && ret_error)
                *ret_error = TAKE_PTR(error);
        return r;
}
