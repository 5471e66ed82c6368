/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/log.h"
#include "shared/path-util.h"
#include "shared/strv.h"
#include "conf-files.h"

static const char *const conf_origin_table[_CONF_ORIGIN_MAX] = {
        [CONF_ORIGIN_ETC] = "etc",
        [CONF_ORIGIN_LOCAL] = "local",
        [CONF_ORIGIN_VENDOR] = "vendor",
};

DEFINE_STRING_TABLE_LOOKUP(conf_origin, ConfOrigin);

static void conf_file_done(ConfFile *f)
{
        free(f->name);
        free(f->path);
        free(f->target);
        strv_free(f->overridden);
}

void conf_files_done(ConfFiles *f)
{
        for (size_t i = 0; i < f->n; i++)
                conf_file_done(&f->files[i]);
        free(f->files);
        *f = (ConfFiles){};
}

int conf_read_dir_capped(InspectContext *c, const char *path, GuestDirEntry **ret, size_t *ret_n)
{
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        r = collect_read_dir(c, path, &e, &n);
        if (r <= 0)
                return r;
        if (n > COLLECT_DIR_ITEMS_MAX) {
                r = inventory_add_finding(c->inv, "inspect.directory.truncated", path,
                                          "'%s' has %zu entries; only the first %u were read", path, n,
                                          COLLECT_DIR_ITEMS_MAX);
                /* Entries are sorted by name: keep the first ones, release the rest. */
                for (size_t i = COLLECT_DIR_ITEMS_MAX; i < n; i++)
                        free(e[i].name);
                n = COLLECT_DIR_ITEMS_MAX;
                if (r < 0) {
                        guest_dir_entries_free(e, n);
                        return r;
                }
        }
        *ret = e;
        *ret_n = n;
        return 1;
}

/* "/dev/null", or a relative path that can only mean it ("../../dev/null"). */
static bool target_is_dev_null(const char *t)
{
        while (startswith(t, "../"))
                t += 3;
        while (*t == '/')
                t++;
        return streq(t, "dev/null");
}

int conf_is_masked(InspectContext *c, const char *path)
{
        _cleanup_free_ char *target = NULL, *canon = NULL;
        int r;

        r = guest_readlink(c->guest, path, &target);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        if (target_is_dev_null(target))
                return 1;
        r = guest_resolve(c->guest, path, /* follow= */ true, &canon);
        if (r == -ENOMEM)
                return r;
        return r >= 0 && streq(canon, "/dev/null");
}

static ConfFile *find_name(ConfFiles *l, const char *name)
{
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->files[i].name, name))
                        return &l->files[i];
        return NULL;
}

/* Examines one directory entry. Returns 1 with *ret filled when it is a file that counts, 0 when
 * it is skipped, or -ENOMEM. */
static int examine_entry(InspectContext *c, const ConfDir *d, const GuestDirEntry *e, ConfFile *ret)
{
        _cleanup_free_ char *path = NULL, *canon = NULL;
        GuestStat st;
        int r;

        path = path_join(d->path, e->name);
        if (!path)
                return -ENOMEM;
        if (e->type == GUEST_FILE_SYMLINK) {
                r = conf_is_masked(c, path);
                if (r < 0)
                        return r;
                if (r > 0) {
                        *ret = (ConfFile){ .origin = d->origin, .masked = true };
                        goto done;
                }
                r = guest_resolve(c->guest, path, /* follow= */ true, &canon);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        log_debug("skipping dangling symlink '%s'", path);
                        return 0;
                }
                r = guest_stat(c->guest, canon, &st);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || st.type != GUEST_FILE_REGULAR)
                        return 0;
        } else if (e->type != GUEST_FILE_REGULAR)
                return 0;
        *ret = (ConfFile){ .origin = d->origin, .target = TAKE_PTR(canon) };
done:
        ret->name = strdup(e->name);
        if (!ret->name) {
                conf_file_done(ret);
                return -ENOMEM;
        }
        ret->path = TAKE_PTR(path);
        return 1;
}

static int cmp_conf_file(const void *a, const void *b)
{
        return strcmp(((const ConfFile *) a)->name, ((const ConfFile *) b)->name);
}

int conf_files_list(InspectContext *c, const ConfDir *dirs, size_t n_dirs, const char *suffix,
                    ConfFiles *ret)
{
        _cleanup_(conf_files_done) ConfFiles l = {};
        _cleanup_strv_free_ char **seen_dirs = NULL;
        int r;

        for (size_t i = 0; i < n_dirs; i++) {
                _cleanup_free_ char *canon = NULL;
                GuestDirEntry *e = NULL;
                size_t n = 0;

                r = guest_resolve(c->guest, dirs[i].path, /* follow= */ true, &canon);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue;
                if (strv_contains(seen_dirs, canon))
                        continue;
                r = strv_extend(&seen_dirs, canon);
                if (r < 0)
                        return r;

                r = conf_read_dir_capped(c, dirs[i].path, &e, &n);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < n; j++) {
                        ConfFile f, *have, *nf;

                        if (!endswith(e[j].name, suffix) || e[j].name[0] == '.')
                                continue;
                        have = find_name(&l, e[j].name);
                        if (have) {
                                _cleanup_free_ char *p = path_join(dirs[i].path, e[j].name);
                                if (!p || strv_consume(&have->overridden, TAKE_PTR(p)) < 0) {
                                        guest_dir_entries_free(e, n);
                                        return -ENOMEM;
                                }
                                continue;
                        }
                        r = examine_entry(c, &dirs[i], &e[j], &f);
                        if (r <= 0) {
                                if (r < 0) {
                                        guest_dir_entries_free(e, n);
                                        return r;
                                }
                                continue;
                        }
                        nf = reallocarray(l.files, l.n + 1, sizeof(ConfFile));
                        if (!nf) {
                                conf_file_done(&f);
                                guest_dir_entries_free(e, n);
                                return -ENOMEM;
                        }
                        l.files = nf;
                        l.files[l.n++] = f;
                }
                guest_dir_entries_free(e, n);
        }
        if (l.n > 1)
                qsort(l.files, l.n, sizeof(ConfFile), cmp_conf_file);
        *ret = l;
        l = (ConfFiles){};
        return 0;
}

json_object *conf_strv_json(char *const *l)
{
        json_object *a = json_object_new_array();

        if (!a)
                return NULL;
        for (size_t i = 0; l && l[i]; i++)
                if (json_append_str(a, l[i]) < 0) {
                        json_object_put(a);
                        return NULL;
                }
        return a;
}

int conf_file_append_json(json_object *files, const char *path, ConfOrigin origin, bool masked,
                          const char *target, char *const *overridden, bool parsed)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *ov = conf_strv_json(overridden);

        if (!o || !ov || json_add_str(o, "path", path) < 0 ||
            json_add_str(o, "origin", conf_origin_to_string(origin)) < 0 ||
            json_add_bool(o, "masked", masked) < 0 || json_add_str(o, "target", target) < 0 ||
            json_add(o, "overridden", TAKE_PTR(ov)) < 0 || json_add_bool(o, "parsed", parsed) < 0) {
                json_object_put(ov);
                return -ENOMEM;
        }
        return json_append(files, TAKE_PTR(o));
}

/* Reads path (capped) and hands its content to parse_fn. Returns 0 (also when it cannot be read: absent,
 * or too large, which is a finding) or -errno. */
static int read_and_parse(InspectContext *c, const char *path, ConfOrigin origin, ConfFileParseFn parse_fn,
                          json_object *items)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        int r;

        r = collect_read_file(c, path, CONFIG_FILE_MAX, &buf, &size);
        if (r <= 0)
                return r;
        r = parse_fn(c, path, origin, buf, size, items);
        return r < 0 ? r : 0;
}

int conf_files_read(InspectContext *c, const ConfDir *dirs, size_t n_dirs, const char *read_elsewhere,
                    ConfFileParseFn parse_fn, json_object *items, json_object *files)
{
        _cleanup_(conf_files_done) ConfFiles l = {};
        int r;

        r = conf_files_list(c, dirs, n_dirs, ".conf", &l);
        if (r < 0)
                return r;
        for (size_t i = 0; i < l.n; i++) {
                const ConfFile *f = &l.files[i];
                bool parse = !f->masked && !streq_ptr(f->target, read_elsewhere);

                r = conf_file_append_json(files, f->path, f->origin, f->masked, f->target, f->overridden,
                                          parse);
                if (r < 0)
                        return r;
                if (parse && (r = read_and_parse(c, f->path, f->origin, parse_fn, items)) < 0)
                        return r;
        }
        return 0;
}

int conf_file_read_extra(InspectContext *c, const char *path, ConfFileParseFn parse_fn, json_object *items,
                         json_object *files)
{
        int r;

        r = guest_is_type(c->guest, path, GUEST_FILE_REGULAR);
        if (r <= 0)
                return r;
        r = conf_file_append_json(files, path, CONF_ORIGIN_ETC, false, NULL, NULL, true);
        if (r < 0)
                return r;
        return read_and_parse(c, path, CONF_ORIGIN_ETC, parse_fn, items);
}
