/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "checks-internal.h"
#include "checks.h"
#include "knowledge.h"
#include "networkd-render.h"
#include "rule-expr.h"

#define CMDLINE_PARAMS_MAX 256
#define SYSTEM_ID_LIMIT    1000

int check_cache_new(CheckCache **ret)
{
        *ret = calloc(1, sizeof(CheckCache));
        return *ret ? 0 : -ENOMEM;
}

CheckCache *check_cache_free(CheckCache *c)
{
        if (!c)
                return NULL;
        json_object_put(c->netplan_keys);
        json_object_put(c->accounts);
        json_object_put(c->cmdline);
        json_object_put(c->units);
        free(c->netplan_version);
        free(c);
        return NULL;
}

int checks_version_compare(const char *a, const char *b)
{
        a = strempty(a);
        b = strempty(b);
        for (;;) {
                unsigned long x = 0, y = 0;
                bool ha = *a >= '0' && *a <= '9', hb = *b >= '0' && *b <= '9';

                if (!ha && !hb)
                        return 0;
                while (*a >= '0' && *a <= '9' && x < 100000000UL)
                        x = x * 10 + (unsigned long) (*a++ - '0');
                while (*b >= '0' && *b <= '9' && y < 100000000UL)
                        y = y * 10 + (unsigned long) (*b++ - '0');
                if (x != y)
                        return x < y ? -1 : 1;
                a += *a == '.' && a[1] >= '0' && a[1] <= '9';
                b += *b == '.' && b[1] >= '0' && b[1] <= '9';
                if (!(*a >= '0' && *a <= '9'))
                        a += strlen(a);
                if (!(*b >= '0' && *b <= '9'))
                        b += strlen(b);
        }
}

/* ---- Tables --------------------------------------------------------------------------------- */

int check_table_error(TableLoad *t, unsigned line, const char *what)
{
        free(t->error);
        t->error = NULL;
        return asprintf(&t->error, "%s: line %u: %s", t->name, line, what) < 0 ? -ENOMEM : -EBADMSG;
}

int check_load_table(const CheckContext *ctx, const char *dir, const char *file, size_t min_fields,
                     int (*cb)(const TsvRecord *r, void *userdata), TableLoad *t, char **ret_error)
{
        _cleanup_free_ char *d = path_join(ctx->plans_dir, dir);
        int r;

        if (!d)
                return -ENOMEM;
        r = knowledge_read_tsv(d, file, min_fields, cb, t);
        if (r == -EBADMSG && t->error) {
                *ret_error = TAKE_PTR(t->error);
                return r;
        }
        free(t->error);
        t->error = NULL;
        if (r < 0)
                return asprintf(ret_error, "%s: %s", t->name, strerror(-r)) < 0 ? -ENOMEM : -EBADMSG;
        return 0;
}

static int account_cb(const TsvRecord *rec, void *userdata)
{
        TableLoad *t = userdata;
        const char *kind = rec->field[0], *name = rec->field[1], *id = rec->field[2];
        _cleanup_free_ char *by_name = NULL, *by_id = NULL;
        char *end;
        long v;

        if (!streq(kind, "user") && !streq(kind, "group"))
                return check_table_error(t, rec->line, "kind must be user or group");
        if (isempty(name) || !str_in_charset(name, "_.-"))
                return check_table_error(t, rec->line, "invalid name");
        errno = 0;
        v = strtol(id, &end, 10);
        if (isempty(id) || *end || errno || v < 0 || v > 4294967294L)
                return check_table_error(t, rec->line, "invalid id");
        if (asprintf(&by_name, "%s:%s", kind, name) < 0 ||
            asprintf(&by_id, "%s:%ld", streq(kind, "user") ? "uid" : "gid", v) < 0)
                return -ENOMEM;
        if (json_get(t->obj, by_name))
                return check_table_error(t, rec->line, "duplicate name");
        if (json_add_int(t->obj, by_name, v) < 0)
                return -ENOMEM;
        if (!json_get(t->obj, by_id) && json_add_str(t->obj, by_id, name) < 0)
                return -ENOMEM;
        return 0;
}

static int get_accounts(const CheckContext *ctx, json_object **ret, char **ret_error)
{
        _cleanup_free_ char *file = NULL, *name = NULL;
        TableLoad t = {};
        int r;

        if (!ctx->cache->accounts) {
                if (asprintf(&file, "%s-accounts.tsv", ctx->to) < 0 ||
                    asprintf(&name, "universe/%s", file) < 0)
                        return -ENOMEM;
                t.name = name;
                t.obj = json_object_new_object();
                if (!t.obj)
                        return -ENOMEM;
                r = check_load_table(ctx, "universe", file, 3, account_cb, &t, ret_error);
                if (r < 0) {
                        json_object_put(t.obj);
                        return r;
                }
                ctx->cache->accounts = t.obj;
        }
        *ret = ctx->cache->accounts;
        return 0;
}

static bool printable_ascii(const char *s)
{
        for (; *s; s++)
                if (*s < 0x21 || *s > 0x7e)
                        return false;
        return true;
}

static int pattern_row(TableLoad *t, const TsvRecord *rec, const char *const *actions, size_t n_actions,
                       bool with_target)
{
        const char *pattern = rec->field[0], *action = rec->field[1];
        json_object *o;

        if (isempty(pattern) || !printable_ascii(pattern))
                return check_table_error(t, rec->line, "invalid pattern");
        if (string_table_lookup(actions, n_actions, action) < 0)
                return check_table_error(t, rec->line, "unknown action");
        if (with_target && streq(action, "rename") && (isempty(rec->field[2]) || streq(rec->field[2], "-")))
                return check_table_error(t, rec->line, "rename needs a target");
        o = json_object_new_object();
        if (!o || json_append(t->obj, o) < 0 || json_add_str(o, "pattern", pattern) < 0 ||
            json_add_str(o, "action", action) < 0)
                return -ENOMEM;
        if (with_target && json_add_str(o, "target", streq(rec->field[2], "-") ? NULL : rec->field[2]) < 0)
                return -ENOMEM;
        return json_add_str(o, "note", rec->field[with_target ? 3 : 2]);
}

static int cmdline_cb(const TsvRecord *rec, void *userdata)
{
        static const char *const actions[] = { "carry", "drop", "flag" };
        return pattern_row(userdata, rec, actions, ELEMENTSOF(actions), false);
}

static int units_cb(const TsvRecord *rec, void *userdata)
{
        static const char *const actions[] = { "rename", "drop", "replace" };
        return pattern_row(userdata, rec, actions, ELEMENTSOF(actions), true);
}

static int get_list_table(const CheckContext *ctx, json_object **slot, const char *file, size_t min_fields,
                          int (*cb)(const TsvRecord *r, void *userdata), json_object **ret, char **ret_error)
{
        _cleanup_free_ char *name = NULL;
        TableLoad t = {};
        int r;

        if (!*slot) {
                if (asprintf(&name, "rules/%s", file) < 0)
                        return -ENOMEM;
                t.name = name;
                t.obj = json_object_new_array();
                if (!t.obj)
                        return -ENOMEM;
                r = check_load_table(ctx, "rules", file, min_fields, cb, &t, ret_error);
                if (r < 0) {
                        json_object_put(t.obj);
                        return r;
                }
                *slot = t.obj;
        }
        *ret = *slot;
        return 0;
}

/* The first row of a pattern table whose pattern matches s (fnmatch), or NULL. */
static json_object *table_match(json_object *rows, const char *s)
{
        for (size_t i = 0; s && i < json_array_len(rows); i++) {
                json_object *row = json_object_array_get_idx(rows, i);
                if (fnmatch(json_get_str(row, "pattern"), s, 0) == 0)
                        return row;
        }
        return NULL;
}

/* ---- Matches -------------------------------------------------------------------------------- */

/* Appends a new match {"resource": resource} and returns it (owned by matches), NULL on OOM. */
json_object *check_add_match(json_object *matches, const char *resource)
{
        json_object *m = json_object_new_object();

        if (!m || json_append(matches, m) < 0 || json_add_str(m, "resource", resource) < 0)
                return NULL;
        return m;
}

json_object *check_path_get(const CheckContext *ctx, const char *path)
{
        RuleScope s = { .inventory = ctx->inventory, .decisions = ctx->decisions };
        return rule_path_get(&s, path);
}

/* ---- Accounts ------------------------------------------------------------------------------- */

static int run_account_clashes(const CheckContext *ctx, json_object *item, json_object *args,
                               json_object *matches, char **ret_error)
{
        const char *kind = json_get_str(args, "kind"), *mode = json_get_str(args, "mode") ?: "clash";
        bool user = streq(kind, "user");
        const char *idfield = user ? "uid" : "gid";
        json_object *table, *items = check_path_get(ctx, json_get_str(args, "items"));
        int r;

        r = get_accounts(ctx, &table, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_array_len(items); i++) {
                json_object *it = json_object_array_get_idx(items, i), *m, *tid;
                const char *name = json_get_str(it, "name"), *tname;
                int64_t id = json_get_int(it, idfield, -1);
                _cleanup_free_ char *by_name = NULL, *by_id = NULL, *reason = NULL, *res = NULL;

                if (!name || id < 0)
                        continue;
                if (asprintf(&by_name, "%s:%s", kind, name) < 0 ||
                    asprintf(&by_id, "%s:%" PRId64, idfield, id) < 0)
                        return -ENOMEM;
                tid = json_get(table, by_name);
                tname = json_get_str(table, by_id);
                if (streq(mode, "clash")) {
                        if (tid && json_object_get_int64(tid) != id)
                                r = asprintf(&reason, "the target's %s '%s' has %s %" PRId64, kind, name,
                                             idfield, json_object_get_int64(tid));
                        else if (tname && !streq(tname, name))
                                r = asprintf(&reason, "%s %" PRId64 " is the target's %s '%s'", idfield, id,
                                             kind, tname);
                        else
                                continue;
                } else {
                        if (tid || tname || id >= SYSTEM_ID_LIMIT)
                                continue;
                        r = asprintf(&reason,
                                     "%s %" PRId64 " is a system id the target does not reserve: a package "
                                     "may allocate it to another account",
                                     idfield, id);
                }
                if (r < 0 || asprintf(&res, "%s:%s", kind, name) < 0)
                        return -ENOMEM;
                m = check_add_match(matches, res);
                if (!m || json_add_str(m, "name", name) < 0 || json_add_int(m, "id", id) < 0 ||
                    json_add_str(m, "target_name", tname) < 0 ||
                    json_add(m, "target_id",
                             tid ? json_object_new_int64(json_object_get_int64(tid)) : NULL) < 0 ||
                    json_add_str(m, "reason", reason) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* ---- Kernel command line -------------------------------------------------------------------- */

/* Splits a kernel command line as the kernel does: at whitespace outside double quotes. */
static int cmdline_split(const char *s, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0;

        while (s && *s && n < CMDLINE_PARAMS_MAX) {
                const char *start;
                bool quoted = false;

                s += strspn(s, WHITESPACE);
                if (!*s)
                        break;
                start = s;
                while (*s && (quoted || !strchr(WHITESPACE, *s))) {
                        if (*s == '"')
                                quoted = !quoted;
                        s++;
                }
                if (strv_consume(&l, strndup(start, (size_t) (s - start))) < 0)
                        return -ENOMEM;
                n++;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int run_kernel_cmdline(const CheckContext *ctx, json_object *item, json_object *args,
                              json_object *matches, char **ret_error)
{
        const char *mode = json_get_str(args, "mode") ?: "params",
                   *cmdline = json_object_get_string(check_path_get(ctx, "boot.cmdline"));
        _cleanup_strv_free_ char **params = NULL, **carried = NULL, **dropped = NULL, **flagged = NULL;
        json_object *rows;
        int r;

        if (!json_object_is_type(check_path_get(ctx, "boot.cmdline"), json_type_string))
                return 0;
        r = get_list_table(ctx, &ctx->cache->cmdline, "kernel-cmdline.tsv", 3, cmdline_cb, &rows, ret_error);
        if (r < 0)
                return r;
        r = cmdline_split(cmdline, &params);
        if (r < 0)
                return r;
        STRV_FOREACH(p, params) {
                _cleanup_free_ char *name = strndup(*p, strcspn(*p, "="));
                json_object *row, *m;
                const char *action, *note;

                if (!name)
                        return -ENOMEM;
                row = table_match(rows, name);
                action = row ? json_get_str(row, "action") : "carry";
                note = row ? json_get_str(row, "note") : "not known to azlmigrate: carried unchanged";
                r = strv_extend(streq(action, "carry")  ? &carried
                                : streq(action, "drop") ? &dropped
                                                        : &flagged,
                                *p);
                if (r < 0)
                        return r;
                if (!streq(mode, "params"))
                        continue;
                m = check_add_match(matches, *p);
                if (!m || json_add_str(m, "param", *p) < 0 || json_add_str(m, "name", name) < 0 ||
                    json_add_str(m, "action", action) < 0 || json_add_str(m, "note", note) < 0)
                        return -ENOMEM;
        }
        if (streq(mode, "summary") && params && params[0]) {
                _cleanup_free_ char *c = strv_join(carried, " "), *d = strv_join(dropped, " "),
                                    *f = strv_join(flagged, " ");
                json_object *m = check_add_match(matches, "kernel command line");

                if (!c || !d || !f || !m || json_add_str(m, "cmdline", cmdline) < 0 ||
                    json_add_str(m, "carried", c) < 0 || json_add_str(m, "dropped", d) < 0 ||
                    json_add_str(m, "flagged", f) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* ---- systemd units -------------------------------------------------------------------------- */

/* path with its last component (or the "<unit>.d" directory of a drop-in) renamed from name to
 * target: "/etc/systemd/system/ssh.service.d/x.conf" -> ".../sshd.service.d/x.conf". */
static char *rename_unit_path(const char *path, const char *name, const char *target)
{
        _cleanup_free_ char *dir_old = NULL, *dir_new = NULL;
        const char *p;
        char *out;

        if (!target || streq(name, target))
                return strdup(path);
        if (asprintf(&dir_old, "/%s.d/", name) < 0 || asprintf(&dir_new, "/%s.d/", target) < 0)
                return NULL;
        p = strstr(path, dir_old);
        if (p) {
                if (asprintf(&out, "%.*s%s%s", (int) (p - path), path, dir_new, p + strlen(dir_old)) < 0)
                        return NULL;
                return out;
        }
        if (streq(path_basename(path), name)) {
                if (asprintf(&out, "%.*s%s", (int) (path_basename(path) - path), path, target) < 0)
                        return NULL;
                return out;
        }
        return strdup(path);
}

static int unit_match(json_object *matches, const char *resource, json_object *u, json_object *row,
                      const char *source, const char *target)
{
        const char *name = json_get_str(u, "name");
        json_object *m = check_add_match(matches, resource);

        if (!m || json_add_str(m, "name", name) < 0 ||
            json_add_str(m, "target_name", row ? json_get_str(row, "target") ?: name : name) < 0 ||
            json_add_str(m, "note", row ? json_get_str(row, "note") : NULL) < 0 ||
            json_add_str(m, "source", source) < 0 || json_add_str(m, "target", target) < 0 ||
            json_add_bool(m, "masked", json_get_bool(u, "masked", false)) < 0)
                return -ENOMEM;
        return 0;
}

static int run_units(const CheckContext *ctx, json_object *item, json_object *args, json_object *matches,
                     char **ret_error)
{
        const char *mode = json_get_str(args, "mode");
        json_object *rows, *units = check_path_get(ctx, "config.units");
        int r;

        r = get_list_table(ctx, &ctx->cache->units, "unit-names.tsv", 4, units_cb, &rows, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_array_len(units); i++) {
                json_object *u = json_object_array_get_idx(units, i);
                const char *name = json_get_str(u, "name"), *path = json_get_str(u, "path");
                json_object *row = table_match(rows, name);
                const char *action = row ? json_get_str(row, "action") : NULL, *tname;
                bool in_etc = path && path_startswith(path, "/etc");

                if (!name)
                        continue;
                tname = streq_ptr(action, "rename") ? json_get_str(row, "target") : name;
                if (streq(mode, "carry")) {
                        _cleanup_free_ char *target = NULL;
                        if (!in_etc || json_get_str(u, "link_target") ||
                            (action && !streq(action, "rename")))
                                continue;
                        target = rename_unit_path(path, name, tname);
                        if (!target || unit_match(matches, path, u, row, path, target) < 0)
                                return -ENOMEM;
                } else if (streq(mode, "rename")) {
                        const char *src = json_get_str(u, "vendor_path") ?: path;
                        if (!streq_ptr(action, "rename") || !(json_get_bool(u, "enabled", false) || in_etc))
                                continue;
                        if (unit_match(matches, name, u, row, src, NULL) < 0)
                                return -ENOMEM;
                } else if (streq(mode, "drop") || streq(mode, "replace")) {
                        if (!streq_ptr(action, mode) || (streq(mode, "replace") && !in_etc))
                                continue;
                        if (unit_match(matches, name, u, row, path, NULL) < 0)
                                return -ENOMEM;
                } else if (streq(mode, "dropins")) {
                        json_object *dropins = json_get(u, "dropins");
                        if (action && !streq(action, "rename"))
                                continue;
                        for (size_t j = 0; j < json_array_len(dropins); j++) {
                                const char *d = rule_string(json_object_array_get_idx(dropins, j));
                                _cleanup_free_ char *target = NULL;
                                if (!d || !path_startswith(d, "/etc"))
                                        continue;
                                target = rename_unit_path(d, name, tname);
                                if (!target || unit_match(matches, d, u, row, d, target) < 0)
                                        return -ENOMEM;
                        }
                } else if (streq(mode, "enabled")) {
                        static const struct {
                                const char *field, *suffix;
                        } deps[] = { { "wanted_by", "wants" }, { "required_by", "requires" } };
                        if ((action && !streq(action, "rename")) || !json_get_bool(u, "enabled", false))
                                continue;
                        for (size_t d = 0; d < ELEMENTSOF(deps); d++) {
                                json_object *by = json_get(u, deps[d].field);
                                for (size_t j = 0; j < json_array_len(by); j++) {
                                        const char *w = rule_string(json_object_array_get_idx(by, j));
                                        _cleanup_free_ char *src = NULL, *dst = NULL;
                                        if (!w || strchr(w, '/'))
                                                continue;
                                        if (asprintf(&src, "/etc/systemd/system/%s.%s/%s", w, deps[d].suffix,
                                                     name) < 0 ||
                                            asprintf(&dst, "/etc/systemd/system/%s.%s/%s", w, deps[d].suffix,
                                                     tname) < 0 ||
                                            unit_match(matches, src, u, row, src, dst) < 0)
                                                return -ENOMEM;
                                }
                        }
                }
        }
        return 0;
}

/* ---- Disk ----------------------------------------------------------------------------------- */

static json_object *root_mount(const CheckContext *ctx)
{
        json_object *mounts = check_path_get(ctx, "mounts");

        for (size_t i = 0; i < json_array_len(mounts); i++) {
                json_object *m = json_object_array_get_idx(mounts, i);
                if (streq_ptr(json_get_str(m, "mountpoint"), "/"))
                        return m;
        }
        return NULL;
}

static json_object *partition_by_number(const CheckContext *ctx, int64_t number)
{
        json_object *parts = check_path_get(ctx, "disk.partitions");

        for (size_t i = 0; i < json_array_len(parts); i++) {
                json_object *p = json_object_array_get_idx(parts, i);
                if (json_get_int(p, "number", -1) == number)
                        return p;
        }
        return NULL;
}

static int run_root_filesystem(const CheckContext *ctx, json_object *item, json_object *args,
                               json_object *matches, char **ret_error)
{
        json_object *root = root_mount(ctx), *parts = check_path_get(ctx, "disk.partitions"), *part = NULL,
                    *m;
        const char *type = json_get_str(root, "type"), *volume = json_get_str(root, "volume"), *pfs = NULL;
        bool encrypted = false, on_lvm;
        _cleanup_free_ char *res = NULL;

        if (root && json_get(root, "partition")) {
                part = partition_by_number(ctx, json_get_int(root, "partition", -1));
                pfs = json_get_str(json_get(part, "filesystem"), "type");
        }
        on_lvm = volume || streq_ptr(pfs, "LVM2_member");
        encrypted = streq_ptr(pfs, "crypto_LUKS");
        for (size_t i = 0; !root && i < json_array_len(parts); i++)
                encrypted =
                        encrypted ||
                        streq_ptr(json_get_str(json_get(json_object_array_get_idx(parts, i), "filesystem"),
                                               "type"),
                                  "crypto_LUKS");
        if (!root)
                res = strdup("/ (not found)");
        if (root && volume && asprintf(&res, "/ (%s on %s)", strempty(type), volume) < 0)
                return -ENOMEM;
        if (root && !volume &&
            asprintf(&res, "/ (%s on partition %" PRId64 ")", strempty(type),
                     json_get_int(root, "partition", 0)) < 0)
                return -ENOMEM;
        if (!res)
                return -ENOMEM;
        m = check_add_match(matches, res);
        if (!m || json_add_bool(m, "found", root != NULL) < 0 || json_add_str(m, "type", type) < 0 ||
            json_add(m, "partition", json_object_get(json_get(root, "partition"))) < 0 ||
            json_add_str(m, "volume", volume) < 0 || json_add_bool(m, "on_lvm", on_lvm) < 0 ||
            json_add_bool(m, "encrypted", encrypted) < 0)
                return -ENOMEM;
        return 0;
}

static int run_free_space(const CheckContext *ctx, json_object *item, json_object *args,
                          json_object *matches, char **ret_error)
{
        json_object *root = root_mount(ctx), *free_bytes = json_get(root, "free"),
                    *available = json_get(root, "available"), *m;
        bool known = json_object_is_type(free_bytes, json_type_int);

        m = check_add_match(matches, "/");
        if (!m || json_add_bool(m, "known", known) < 0 ||
            json_add(m, "free", known ? json_object_get(free_bytes) : NULL) < 0 ||
            json_add(m, "available",
                     json_object_is_type(available, json_type_int) ? json_object_get(available) : NULL) <
                    0 ||
            json_add_str(m, "reason", known ? NULL : "the inventory records no free-space figure for /") < 0)
                return -ENOMEM;
        return 0;
}

/* ---- Registry ------------------------------------------------------------------------------- */

typedef struct CheckArg {
        const char *name;
        json_type type;
        const char *const *values; /* allowed strings, NULL-terminated, or NULL for any */
        bool required;
} CheckArg;

typedef struct CheckDef {
        const char *name;
        const CheckArg *args; /* terminated by a NULL name */
        int (*run)(const CheckContext *ctx, json_object *item, json_object *args, json_object *matches,
                   char **ret_error);
} CheckDef;

static const char *const account_kinds[] = { "user", "group", NULL };
static const char *const account_modes[] = { "clash", "system-range", NULL };
static const char *const cmdline_modes[] = { "params", "summary", NULL };
static const char *const unit_modes[] = { "carry", "rename", "drop", "replace", "dropins", "enabled", NULL };

static const CheckArg no_args[] = { {} };
static const CheckArg account_args[] = {
        { "items", json_type_string, NULL, true },
        { "kind", json_type_string, account_kinds, true },
        { "mode", json_type_string, account_modes, false },
        {},
};
static const CheckArg cmdline_args[] = { { "mode", json_type_string, cmdline_modes, true }, {} };
static const CheckArg unit_args[] = { { "mode", json_type_string, unit_modes, true }, {} };

static const CheckDef check_defs[] = {
        { "account-clashes", account_args, run_account_clashes },
        { "free-space", no_args, run_free_space },
        { "kernel-cmdline", cmdline_args, run_kernel_cmdline },
        { "netplan-unsupported-keys", no_args, check_netplan_unsupported },
        { "networkd-render", no_args, check_networkd_render },
        { "networkd-unrenderable", no_args, check_networkd_unrenderable },
        { "root-filesystem", no_args, run_root_filesystem },
        { "units", unit_args, run_units },
};

static const CheckDef *check_find(const char *name)
{
        for (size_t i = 0; name && i < ELEMENTSOF(check_defs); i++)
                if (streq(check_defs[i].name, name))
                        return &check_defs[i];
        return NULL;
}

const char *const *checks_names(size_t *ret_n)
{
        static const char *names[ELEMENTSOF(check_defs) + 1];

        for (size_t i = 0; i < ELEMENTSOF(check_defs); i++)
                names[i] = check_defs[i].name;
        *ret_n = ELEMENTSOF(check_defs);
        return names;
}

int checks_validate(const char *name, json_object *args, char **ret_error)
{
        const CheckDef *def = check_find(name);

        if (!def)
                return asprintf(ret_error, "unknown check '%s'", strempty(name)) < 0 ? -ENOMEM : -EBADMSG;
        if (args && !json_object_is_type(args, json_type_object))
                return asprintf(ret_error, "check '%s': args must be an object", name) < 0 ? -ENOMEM
                                                                                           : -EBADMSG;
        if (args) {
                json_object_object_foreach(args, k, v) {
                        const CheckArg *a = def->args;
                        while (a->name && !streq(a->name, k))
                                a++;
                        if (!a->name)
                                return asprintf(ret_error, "check '%s': unknown argument '%s'", name, k) < 0
                                               ? -ENOMEM
                                               : -EBADMSG;
                        if (!json_object_is_type(v, a->type))
                                return asprintf(ret_error, "check '%s': argument '%s' has the wrong type",
                                                name, k) < 0
                                               ? -ENOMEM
                                               : -EBADMSG;
                        if (a->values && string_table_lookup((const char *const *) a->values,
                                                             strv_length((char **) a->values),
                                                             json_object_get_string(v)) < 0)
                                return asprintf(ret_error, "check '%s': argument '%s' has an unknown value",
                                                name, k) < 0
                                               ? -ENOMEM
                                               : -EBADMSG;
                        if (streq(k, "items") && !rule_path_valid(json_object_get_string(v)))
                                return asprintf(ret_error, "check '%s': 'items' is not a valid path", name) <
                                                       0
                                               ? -ENOMEM
                                               : -EBADMSG;
                }
        }
        for (const CheckArg *a = def->args; a->name; a++)
                if (a->required && !json_get(args, a->name))
                        return asprintf(ret_error, "check '%s': argument '%s' is required", name, a->name) <
                                               0
                                       ? -ENOMEM
                                       : -EBADMSG;
        return 0;
}

int checks_run(const CheckContext *ctx, const char *name, json_object *item, json_object *args,
               json_object **ret_matches, char **ret_error)
{
        const CheckDef *def = check_find(name);
        _cleanup_json_ json_object *matches = NULL;
        int r;

        if (!def)
                return asprintf(ret_error, "unknown check '%s'", strempty(name)) < 0 ? -ENOMEM : -EBADMSG;
        matches = json_object_new_array();
        if (!matches)
                return -ENOMEM;
        r = def->run(ctx, item, args, matches, ret_error);
        if (r < 0)
                return r;
        *ret_matches = TAKE_PTR(matches);
        return 0;
}
