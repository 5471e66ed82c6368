/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "authorized-keys.h"
#include "collect.h"
#include "passwd.h"

/* Accounts from the files databases (Ubuntu keeps all of them there):
 *   config.users[]            uid >= 1000 except nobody (65534): the accounts a migration keeps
 *   config.groups[]           gid >= 1000 except nogroup (65534)
 *   config.system_accounts[]  the others, to detect uid clashes with the target's own accounts
 *   config.system_groups[]    likewise for groups */

#define PASSWD_PATH       "/etc/passwd"
#define GROUP_PATH        "/etc/group"
#define SHADOW_PATH       "/etc/shadow"
#define SUDOERS_PATH      "/etc/sudoers"
#define SUDOERS_DIR       "/etc/sudoers.d"
#define SUDOERS_FILES_MAX 256u
#define ACCOUNT_DB_MAX    (4u * 1024u * 1024u)
#define ID_REGULAR_MIN    1000u
#define ID_NOBODY         65534u

/* Reads a guest file that may be unreadable to us (shadow and sudoers on a --root of the running
 * system when not root). Returns 1 read, 0 absent, -EACCES unreadable, -ENOMEM. Other errors
 * count as unreadable: one bad file must not cost the whole section. */
static int read_private(InspectContext *c, const char *path, size_t max, char **ret, size_t *ret_size)
{
        int r = collect_read_file(c, path, max, ret, ret_size);

        if (r < 0 && r != -ENOMEM)
                return -EACCES;
        return r;
}

static int add_unique(json_object *obj, const char *key, const char *value)
{
        json_object *arr = json_get_or_add_array(obj, key);
        size_t n;

        if (!arr)
                return -ENOMEM;
        n = json_object_array_length(arr);
        for (size_t i = 0; i < n; i++)
                if (streq_ptr(json_object_get_string(json_object_array_get_idx(arr, i)), value))
                        return 0;
        return json_append_str(arr, value);
}

/* sudoers(5) rules begin with a user list: "azureuser ALL=(ALL) NOPASSWD:ALL" (cloud-init's
 * /etc/sudoers.d/90-cloud-init-users), "%sudo ALL=(ALL:ALL) ALL". Records, for every user or
 * %group named first on a line, the files naming it. Directives (#include, @includedir,
 * Defaults, *_Alias) never name a user. */
static int sudoers_scan_file(InspectContext *c, const char *path, json_object *names)
{
        _cleanup_free_ char *buf = NULL;
        LineIter it;
        const char *line;
        size_t size, len;
        int r;

        r = read_private(c, path, CONFIG_FILE_MAX, &buf, &size);
        if (r <= 0)
                return r == -ENOMEM ? r : 0;
        it = line_iter_init(buf, size);
        while (line_iter_next(&it, &line, &len)) {
                const char *p = line, *end = line + len, *e;

                while (p < end && (*p == ' ' || *p == '\t'))
                        p++;
                if (p == end || *p == '#' || *p == '@')
                        continue;
                e = p;
                while (e < end && *e != ' ' && *e != '\t')
                        e++;
                /* "alice,bob ALL=..." names several. */
                while (p < e) {
                        const char *comma = memchr(p, ',', (size_t) (e - p)), *te = comma ?: e;
                        _cleanup_free_ char *name = strndup(p, (size_t) (te - p));

                        if (!name)
                                return -ENOMEM;
                        if (*name && !startswith(name, "Defaults") && !endswith(name, "_Alias") &&
                            add_unique(names, name, path) < 0)
                                return -ENOMEM;
                        p = comma ? comma + 1 : e;
                }
        }
        return 0;
}

static int sudoers_scan(InspectContext *c, json_object *names)
{
        GuestDirEntry *e = NULL;
        size_t n = 0, used = 0;
        int r;

        r = sudoers_scan_file(c, SUDOERS_PATH, names);
        if (r < 0)
                return r;
        r = collect_read_dir(c, SUDOERS_DIR, &e, &n);
        if (r == -ENOMEM)
                return r;
        if (r <= 0)
                return 0;
        /* sudo's @includedir skips names ending in '~' or containing '.'. */
        for (size_t i = 0; i < n && used < SUDOERS_FILES_MAX && r >= 0; i++) {
                _cleanup_free_ char *p = NULL;

                if (strchr(e[i].name, '.') || endswith(e[i].name, "~") ||
                    (e[i].type != GUEST_FILE_REGULAR && e[i].type != GUEST_FILE_SYMLINK))
                        continue;
                p = path_join(SUDOERS_DIR, e[i].name);
                r = p ? sudoers_scan_file(c, p, names) : -ENOMEM;
                used++;
        }
        guest_dir_entries_free(e, n);
        return r < 0 ? r : 0;
}

/* <home>/.ssh/authorized_keys, read through the guest (home is guest data: a symlink there
 * resolves inside the guest). Returns NULL in *ret when there is no such file. */
static int authorized_keys_json(InspectContext *c, const char *home, json_object **ret)
{
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *path = NULL, *buf = NULL;
        json_object *types;
        AuthorizedKeys k;
        GuestStat st;
        size_t size;
        bool symlink;
        int r;

        *ret = NULL;
        if (!home || home[0] != '/')
                return 0;
        path = path_join(home, ".ssh/authorized_keys");
        if (!path)
                return -ENOMEM;
        r = guest_lstat(c->guest, path, &st);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        symlink = st.type == GUEST_FILE_SYMLINK;
        r = read_private(c, path, CONFIG_FILE_MAX, &buf, &size);
        if (r == -ENOMEM)
                return r;
        if (r == 0 && !symlink)
                return 0;

        o = json_object_new_object();
        if (!o || json_add_str(o, "path", path) < 0 || json_add_bool(o, "symlink", symlink) < 0 ||
            json_add_bool(o, "readable", r > 0) < 0)
                return -ENOMEM;
        types = json_get_or_add_array(o, "types");
        if (!types)
                return -ENOMEM;
        if (r <= 0) {
                /* Unreadable, or a symlink to nothing readable. */
                if (json_add(o, "count", NULL) < 0 || json_add(o, "unrecognized", NULL) < 0)
                        return -ENOMEM;
                *ret = TAKE_PTR(o);
                return 0;
        }
        authorized_keys_parse(buf, size, &k);
        if (json_add_int(o, "count", (int64_t) k.count) < 0 ||
            json_add_int(o, "unrecognized", (int64_t) k.unrecognized) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < authorized_keys_n_types(); i++)
                if ((k.types & (1u << i)) && json_append_str(types, authorized_keys_type_name(i)) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

static int cmp_by_name(const void *a, const void *b)
{
        const char *x = json_get_str(*(json_object *const *) a, "name"),
                   *y = json_get_str(*(json_object *const *) b, "name");
        return strcmp(strempty(x), strempty(y));
}

/* Appends the strings of the array files to via["v"], once each. */
static int add_all(json_object *via, json_object *files)
{
        size_t n = files ? json_object_array_length(files) : 0;

        for (size_t i = 0; i < n; i++)
                if (add_unique(via, "v", json_object_get_string(json_object_array_get_idx(files, i))) < 0)
                        return -ENOMEM;
        return 0;
}

/* Why a user may use sudo: membership of sudo or admin (Ubuntu's /etc/sudoers grants both), or
 * a sudoers file naming the user or one of its groups ("%docker"). Collected in via["v"]. */
static int sudo_check(const char *name, const char *primary, json_object *groups, json_object *sudo_names,
                      json_object *via)
{
        size_t n = json_object_array_length(groups);
        char key[512];

        for (size_t i = 0; i <= n; i++) {
                const char *g =
                        i < n ? json_object_get_string(json_object_array_get_idx(groups, i)) : primary;

                if (!g)
                        continue;
                snprintf(key, sizeof(key), "group:%s", g);
                if ((streq(g, "sudo") || streq(g, "admin")) && add_unique(via, "v", key) < 0)
                        return -ENOMEM;
                if (snprintf(key, sizeof(key), "%%%s", g) < (int) sizeof(key) &&
                    add_all(via, json_get(sudo_names, key)) < 0)
                        return -ENOMEM;
        }
        return add_all(via, json_get(sudo_names, name));
}

static int report_invalid(InspectContext *c, const char *path, size_t n_invalid, size_t first)
{
        if (n_invalid == 0)
                return 0;
        return inventory_add_finding(c->inv, "users.passwd.invalid", path,
                                     "%zu line(s) of %s were skipped (first: line %zu)", n_invalid, path,
                                     first);
}

typedef struct Databases {
        PasswdList passwd;
        GroupList group;
        ShadowList shadow;
        bool shadow_known;
        json_object *gid_names;   /* "gid" -> group name (the first one) */
        json_object *memberships; /* user -> { group name: true } */
        json_object *sudo_names;  /* user or "%group" -> [sudoers files] */
} Databases;

static void databases_done(Databases *d)
{
        passwd_list_done(&d->passwd);
        group_list_done(&d->group);
        shadow_list_done(&d->shadow);
        json_object_put(d->gid_names);
        json_object_put(d->memberships);
        json_object_put(d->sudo_names);
}

static int databases_read(InspectContext *c, Databases *d)
{
        _cleanup_free_ char *pw = NULL, *gr = NULL, *sh = NULL;
        size_t pw_size = 0, gr_size = 0, sh_size = 0;
        int r;

        d->gid_names = json_object_new_object();
        d->memberships = json_object_new_object();
        d->sudo_names = json_object_new_object();
        if (!d->gid_names || !d->memberships || !d->sudo_names)
                return -ENOMEM;

        r = collect_read_file(c, PASSWD_PATH, ACCOUNT_DB_MAX, &pw, &pw_size);
        if (r < 0)
                return r;
        if (r > 0 && passwd_parse(pw, pw_size, &d->passwd) < 0)
                return -ENOMEM;
        r = collect_read_file(c, GROUP_PATH, ACCOUNT_DB_MAX, &gr, &gr_size);
        if (r < 0)
                return r;
        if (r > 0 && group_parse(gr, gr_size, &d->group) < 0)
                return -ENOMEM;
        r = read_private(c, SHADOW_PATH, ACCOUNT_DB_MAX, &sh, &sh_size);
        if (r == -ENOMEM)
                return r;
        d->shadow_known = r > 0;
        if (r > 0 && shadow_parse(sh, sh_size, &d->shadow) < 0)
                return -ENOMEM;

        for (size_t i = 0; i < d->group.n; i++) {
                const GroupEntry *g = &d->group.entries[i];
                char gid[16];

                snprintf(gid, sizeof(gid), "%u", g->gid);
                if (!json_get(d->gid_names, gid) && json_add_str(d->gid_names, gid, g->name) < 0)
                        return -ENOMEM;
                STRV_FOREACH(m, g->members) {
                        json_object *set = json_get_or_add_object(d->memberships, *m);
                        if (!set || json_add_bool(set, g->name, true) < 0)
                                return -ENOMEM;
                }
        }
        r = sudoers_scan(c, d->sudo_names);
        if (r < 0)
                return r;
        r = report_invalid(c, PASSWD_PATH, d->passwd.n_invalid, d->passwd.first_invalid_line);
        if (r < 0)
                return r;
        return report_invalid(c, GROUP_PATH, d->group.n_invalid, d->group.first_invalid_line);
}

static int user_json(InspectContext *c, Databases *d, const PasswdEntry *p, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object(), *via = json_object_new_object();
        json_object *groups, *member_of, *keys = NULL, *v;
        const char *primary;
        char gid[16];
        int r;

        if (!o || !via)
                return -ENOMEM;
        snprintf(gid, sizeof(gid), "%u", p->gid);
        primary = json_get_str(d->gid_names, gid);
        if (json_add_str(o, "name", p->name) < 0 || json_add_int(o, "uid", p->uid) < 0 ||
            json_add_int(o, "gid", p->gid) < 0 || json_add_str(o, "group", primary) < 0 ||
            json_add_str(o, "gecos", p->gecos) < 0 || json_add_str(o, "home", p->home) < 0 ||
            json_add_str(o, "shell", p->shell) < 0)
                return -ENOMEM;

        groups = json_get_or_add_array(o, "groups");
        if (!groups)
                return -ENOMEM;
        member_of = json_get(d->memberships, p->name);
        if (member_of) {
                json_object_object_foreach(member_of, g, yes) {
                        (void) yes;
                        if (json_append_str(groups, g) < 0)
                                return -ENOMEM;
                }
        }
        json_array_sort_strings(groups);

        r = authorized_keys_json(c, p->home, &keys);
        if (r < 0)
                return r;
        if (json_add(o, "authorized_keys", keys) < 0)
                return -ENOMEM;

        v = NULL;
        if (d->shadow_known)
                for (size_t i = 0; i < d->shadow.n; i++)
                        if (streq(d->shadow.entries[i].name, p->name)) {
                                v = json_object_new_boolean(d->shadow.entries[i].password_set);
                                if (!v)
                                        return -ENOMEM;
                                break;
                        }
        if (json_add(o, "password_set", v) < 0)
                return -ENOMEM;

        r = sudo_check(p->name, primary, groups, d->sudo_names, via);
        if (r < 0)
                return r;
        v = json_get(via, "v");
        if (json_add_bool(o, "sudo", v != NULL) < 0)
                return -ENOMEM;
        v = v ? json_object_get(v) : json_object_new_array();
        if (!v)
                return -ENOMEM;
        json_array_sort_strings(v);
        if (json_add(o, "sudo_via", v) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

int collect_users(InspectContext *c)
{
        _cleanup_json_ json_object *seen = json_object_new_object();
        json_object *cfg = inventory_section(c->inv, "config"), *users, *groups, *sys_users, *sys_groups;
        Databases d = {};
        int r;

        if (!cfg || !seen)
                return -ENOMEM;
        users = json_get_or_add_array(cfg, "users");
        groups = json_get_or_add_array(cfg, "groups");
        sys_users = json_get_or_add_array(cfg, "system_accounts");
        sys_groups = json_get_or_add_array(cfg, "system_groups");
        if (!users || !groups || !sys_users || !sys_groups)
                return -ENOMEM;

        r = databases_read(c, &d);
        if (r < 0)
                goto finish;

        for (size_t i = 0; i < d.passwd.n; i++) {
                const PasswdEntry *p = &d.passwd.entries[i];
                json_object *o;

                /* glibc returns the first entry of a name; later ones are shadowed. */
                if (json_get(seen, p->name))
                        continue;
                r = json_add_bool(seen, p->name, true);
                if (r < 0)
                        goto finish;
                if (p->uid < ID_REGULAR_MIN || p->uid == ID_NOBODY) {
                        o = json_object_new_object();
                        r = -ENOMEM;
                        if (!o || json_append(sys_users, o) < 0 || json_add_str(o, "name", p->name) < 0 ||
                            json_add_int(o, "uid", p->uid) < 0 || json_add_int(o, "gid", p->gid) < 0)
                                goto finish;
                        continue;
                }
                r = user_json(c, &d, p, &o);
                if (r < 0)
                        goto finish;
                r = json_append(users, o);
                if (r < 0)
                        goto finish;
        }

        json_object_put(seen);
        seen = json_object_new_object();
        r = -ENOMEM;
        if (!seen)
                goto finish;
        for (size_t i = 0; i < d.group.n; i++) {
                const GroupEntry *g = &d.group.entries[i];
                bool regular = g->gid >= ID_REGULAR_MIN && g->gid != ID_NOBODY && !streq(g->name, "nogroup");
                json_object *o, *members;

                if (json_get(seen, g->name))
                        continue;
                o = json_object_new_object();
                if (!o || json_append(regular ? groups : sys_groups, o) < 0 ||
                    json_add_bool(seen, g->name, true) < 0 || json_add_str(o, "name", g->name) < 0 ||
                    json_add_int(o, "gid", g->gid) < 0)
                        goto finish;
                if (!regular)
                        continue;
                members = json_get_or_add_array(o, "members");
                if (!members)
                        goto finish;
                STRV_FOREACH(m, g->members)
                        if (json_append_str(members, *m) < 0)
                                goto finish;
                json_array_sort_strings(members);
        }

        json_object_array_sort(users, cmp_by_name);
        json_object_array_sort(groups, cmp_by_name);
        json_object_array_sort(sys_users, cmp_by_name);
        json_object_array_sort(sys_groups, cmp_by_name);
        r = 0;
finish:
        databases_done(&d);
        return r;
}
