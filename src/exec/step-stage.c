/* SPDX-License-Identifier: MIT */
/* stage-target and carry-config: the target root is extracted next to the running system, and
 * the node's configuration is written into it. Nothing outside /.azlmigrate changes here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/passwd.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/strv.h"
#include "copy.h"
#include "step-common.h"
#include "steps.h"
#include "target.h"
#include "translate.h"

#define ACCOUNTS_MAX (4u * 1024u * 1024u)

static void stage_progress(void *userdata, uint64_t done, uint64_t total)
{
        exec_progress_bytes(userdata, done, total);
}

static int step_stage_target(StepContext *c)
{
        _cleanup_free_ char *error = NULL;
        GuestWriter *w = NULL;
        TargetStats st = {};
        int r;

        r = exec_open_root_writer(c, &w);
        if (r < 0)
                return exec_step_error(c, r, "cannot write the root filesystem: %s", strerror(-r));
        /* One sync at the end instead of one per file: a crash reruns the step from its
         * checkpoint anyway. */
        guest_writer_set_sync(w, false);
        r = copy_mkdir_p(w, STEPS_WORK_DIR);
        if (r >= 0)
                r = guest_writer_set_meta(w, STEPS_WORK_DIR, 0700, 0, 0, GUEST_WRITER_KEEP_TIME);
        if (r < 0)
                return exec_step_error(c, r, "cannot create %s: %s", STEPS_WORK_DIR, strerror(-r));
        r = target_extract_with_progress(c->target, w, STEPS_STAGE_DIR, stage_progress, c, &st, &error);
        if (r < 0)
                return exec_step_error(c, r, "extracting %s failed: %s", c->target, error ?: strerror(-r));
        c->bytes = (int64_t) st.bytes;
        exec_log(c, LOG_LEVEL_INFO,
                 "staged %llu files, %llu directories, %llu symlinks, %llu hard links (%llu bytes); %llu "
                 "device "
                 "nodes skipped",
                 (unsigned long long) st.files, (unsigned long long) st.dirs,
                 (unsigned long long) st.symlinks, (unsigned long long) st.hardlinks,
                 (unsigned long long) st.bytes, (unsigned long long) st.skipped_devices);
        return 0;
}

static char *staged(const char *path)
{
        return path_join(STEPS_STAGE_DIR, path);
}

static int guest_lstat_writer(GuestWriter *w, const char *path, GuestStat *ret)
{
        GuestFs *fs = guest_writer_fs(w);
        return fs->ops->lstat(fs, path, ret);
}

/* The target of a carried symlink: a unit enabled under its Ubuntu name
 * (multi-user.target.wants/chrony.service -> /lib/systemd/system/chrony.service) points at the
 * unit's Azure Linux name in /usr/lib (chronyd.service). */
static char *retarget_link(const char *old_target, const char *new_path)
{
        const char *old_base = path_basename(old_target), *new_base = path_basename(new_path);
        _cleanup_free_ char *dir = strndup(old_target, (size_t) (old_base - old_target));
        char *r;

        if (!dir)
                return NULL;
        if (startswith(dir, "/lib/"))
                return asprintf(&r, "/usr%s%s", dir, new_base) < 0 ? NULL : r;
        return asprintf(&r, "%s%s", dir, new_base) < 0 ? NULL : r;
}

static int read_staged(GuestWriter *w, const char *path, char **ret, size_t *ret_size);

/* A translate action whose rule changes the content (translate.h): the source's file or the
 * target's own, translated, written to the staged target. */
static int carry_translated(StepContext *c, Guest *g, GuestWriter *w, json_object *t, const char *to,
                            TranslateInput in)
{
        const char *rule = json_get_str(t, "rule"), *source = json_get_str(t, "source");
        _cleanup_free_ char *text = NULL, *out = NULL;
        size_t size = 0;
        uint32_t mode = 0644;
        GuestStat st;
        int r;

        if (in == TRANSLATE_SOURCE) {
                if (!source)
                        return -EINVAL;
                r = guest_read_file(g, source, ACCOUNTS_MAX, &text, &size);
                if (r == -ENOENT) {
                        exec_finding(c, "exec.carry.source-missing", "medium",
                                     "%s (%s) is gone from the source; not carried", source, strempty(rule));
                        return 0;
                }
                if (r >= 0 && guest_stat(g, source, &st) >= 0)
                        mode = st.mode & 07777;
        } else {
                r = read_staged(w, to, &text, &size);
                if (r == -ENOENT)
                        r = 0;
                if (r >= 0 && guest_lstat_writer(w, to, &st) >= 0)
                        mode = st.mode & 07777;
        }
        if (r < 0)
                return r;
        r = translate_text(rule, json_get_str(t, "value"), text, size, &out);
        if (r == -EINVAL)
                exec_log(c, LOG_LEVEL_ERROR, "the plan's translation %s has a value that is not plain: '%s'",
                         strempty(rule), strempty(json_get_str(t, "value")));
        if (r < 0)
                return r;
        exec_log(c, LOG_LEVEL_INFO, "%s: %s translated", strempty(rule), to + strlen(STEPS_STAGE_DIR));
        return guest_writer_write_file(w, to, out, strlen(out), mode, 0, 0, GUEST_WRITER_KEEP_TIME);
}

static int carry_one(StepContext *c, Guest *g, GuestWriter *w, json_object *t)
{
        const char *source = json_get_str(t, "source"), *target = json_get_str(t, "target"),
                   *content = json_get_str(t, "content");
        _cleanup_free_ char *to = staged(target);
        GuestStat st;
        int64_t n;
        int r;

        if (!to)
                return -ENOMEM;
        r = copy_mkdir_parent(w, to);
        if (r < 0)
                return r;
        if (content) {
                GuestStat src;
                uint32_t mode = source && guest_stat(g, source, &src) >= 0 ? src.mode : 0644;
                return guest_writer_write_file(w, to, content, strlen(content), mode, 0, 0,
                                               GUEST_WRITER_KEEP_TIME);
        }
        if (streq_ptr(json_get_str(t, "action"), "translate")) {
                TranslateInput in = translate_input(json_get_str(t, "rule"));
                if (in != TRANSLATE_NONE)
                        return carry_translated(c, g, w, t, to, in);
        }
        if (!source)
                return 0;
        r = guest_lstat(g, source, &st);
        if (r == -ENOENT) {
                exec_finding(c, "exec.carry.source-missing", "medium",
                             "%s (%s) is gone from the source; not carried", source,
                             strempty(json_get_str(t, "rule")));
                return 0;
        }
        if (r < 0)
                return r;
        if (st.type == GUEST_FILE_SYMLINK && !streq(path_basename(source), path_basename(target))) {
                _cleanup_free_ char *old = NULL, *new_target = NULL;
                r = guest_readlink(g, source, &old);
                if (r < 0)
                        return r;
                new_target = retarget_link(old, target);
                if (!new_target)
                        return -ENOMEM;
                if (copy_exists(w, to) > 0 && (r = guest_writer_remove(w, to)) < 0)
                        return r;
                return guest_writer_symlink(w, to, new_target, st.uid, st.gid);
        }
        n = copy_tree(g, source, w, to);
        return n < 0 ? (int) n : 0;
}

/* Reads a staged text file (the target's own accounts) through the writer's view. */
static int read_staged(GuestWriter *w, const char *path, char **ret, size_t *ret_size)
{
        _cleanup_(guest_freep) Guest *view = NULL;
        int r;

        r = copy_writer_view(w, &view);
        if (r < 0)
                return r;
        return guest_read_file(view, path, ACCOUNTS_MAX, ret, ret_size);
}

/* The name before the first ':' of an account line. */
static char *line_name(const char *line, size_t len)
{
        const char *colon = memchr(line, ':', len);
        return colon ? strndup(line, (size_t) (colon - line)) : NULL;
}

/* Merges accounts into the target's file: the target's own lines stay as they are (its system
 * accounts and groups keep their ids), the node's accounts with an id of 1000 or more (other than
 * nobody/nogroup) are appended when the target has no account of that name. For /etc/group the
 * node's users are also added to the target's groups of the same name they belonged to (sudo,
 * adm, ...). For /etc/shadow the lines of the carried users are appended. */
static int merge_accounts(StepContext *c, Guest *g, GuestWriter *w, const char *file, char **carried_users)
{
        _cleanup_free_ char *src = NULL, *dst = NULL, *path = staged(file);
        _cleanup_strv_free_ char **names = NULL, **out = NULL;
        size_t ssize, dsize;
        bool shadow = streq(file, "/etc/shadow"), group = streq(file, "/etc/group");
        const char *line;
        size_t len;
        LineIter it;
        char *joined;
        int r;

        if (!path)
                return -ENOMEM;
        r = guest_read_file(g, file, ACCOUNTS_MAX, &src, &ssize);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = read_staged(w, path, &dst, &dsize);
        if (r == -ENOENT) {
                dst = strdup("");
                dsize = 0;
                r = dst ? 0 : -ENOMEM;
        }
        if (r < 0)
                return r;

        /* The target's lines, names noted; for groups, members of the node's users added. */
        it = line_iter_init(dst, dsize);
        while (line_iter_next(&it, &line, &len)) {
                _cleanup_free_ char *l = strndup(line, len), *name = line_name(line, len);
                if (!l)
                        return -ENOMEM;
                if (name && strv_extend(&names, name) < 0)
                        return -ENOMEM;
                if (group && name) {
                        /* Find the node's line for this group and carry its carried members. */
                        LineIter sit = line_iter_init(src, ssize);
                        const char *sl;
                        size_t sn;
                        while (line_iter_next(&sit, &sl, &sn)) {
                                _cleanup_free_ char *sname = line_name(sl, sn), *copy = strndup(sl, sn);
                                _cleanup_strv_free_ char **fields = NULL, **members = NULL;
                                if (!copy)
                                        return -ENOMEM;
                                if (!sname || !streq(sname, name))
                                        continue;
                                if (strv_split(copy, ":", &fields) < 0)
                                        return -ENOMEM;
                                if (strv_length(fields) < 4 || strv_split(fields[3], ",", &members) < 0)
                                        break;
                                STRV_FOREACH(m, members) {
                                        char *nl;
                                        if (!strv_contains(carried_users, *m) || strstr(l, *m))
                                                continue;
                                        if (asprintf(&nl, "%s%s%s", l, l[len - 1] == ':' ? "" : ",", *m) < 0)
                                                return -ENOMEM;
                                        free(l);
                                        l = nl;
                                        len = strlen(l);
                                }
                                break;
                        }
                }
                if (strv_consume(&out, TAKE_PTR(l)) < 0)
                        return -ENOMEM;
        }
        /* The node's own accounts. */
        it = line_iter_init(src, ssize);
        while (line_iter_next(&it, &line, &len)) {
                _cleanup_free_ char *name = line_name(line, len);
                if (!name || strv_contains(names, name))
                        continue;
                if (shadow ? !strv_contains(carried_users, name) : true) {
                        if (!shadow) {
                                /* passwd: name:x:uid:gid:...  group: name:x:gid:members */
                                _cleanup_free_ char *copy = strndup(line, len);
                                _cleanup_strv_free_ char **f = NULL;
                                unsigned long id;
                                if (!copy || strv_split(copy, ":", &f) < 0)
                                        return -ENOMEM;
                                if (strv_length(f) < 3)
                                        continue;
                                id = strtoul(f[2], NULL, 10);
                                if (id < 1000 || id == 65534)
                                        continue;
                        } else
                                continue;
                }
                if (strv_consume(&out, strndup(line, len)) < 0)
                        return -ENOMEM;
        }
        joined = strv_join(out, "\n");
        if (!joined)
                return -ENOMEM;
        {
                _cleanup_free_ char *text = NULL;
                if (asprintf(&text, "%s\n", joined) < 0) {
                        free(joined);
                        return -ENOMEM;
                }
                free(joined);
                r = guest_writer_write_file(w, path, text, strlen(text), shadow ? 0000 : 0644, 0, 0,
                                            GUEST_WRITER_KEEP_TIME);
        }
        if (r >= 0)
                exec_log(c, LOG_LEVEL_INFO, "merged the node's accounts into %s", file);
        return r;
}

/* The users (uid >= 1000, not nobody) whose accounts are carried. */
static int carried_users(Guest *g, char ***ret)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_strv_free_ char **users = NULL;
        const char *line;
        size_t size, len;
        LineIter it;
        int r;

        r = guest_read_file(g, "/etc/passwd", ACCOUNTS_MAX, &buf, &size);
        if (r == -ENOENT) {
                *ret = NULL;
                return 0;
        }
        if (r < 0)
                return r;
        it = line_iter_init(buf, size);
        while (line_iter_next(&it, &line, &len)) {
                _cleanup_free_ char *copy = strndup(line, len);
                _cleanup_strv_free_ char **f = NULL;
                unsigned long uid;
                if (!copy || strv_split(copy, ":", &f) < 0)
                        return -ENOMEM;
                if (strv_length(f) < 3)
                        continue;
                uid = strtoul(f[2], NULL, 10);
                if (uid >= 1000 && uid != 65534 && strv_extend(&users, f[0]) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(users);
        return 0;
}

/* Files the rules do not name but that make the node itself: its name and identity, and the
 * fstab, which mounts the same filesystems by the same UUIDs on Azure Linux. */
static const char *const identity_files[] = { "/etc/hostname", "/etc/machine-id", "/etc/fstab" };

static int step_carry_config(StepContext *c)
{
        _cleanup_(guest_freep) Guest *g = NULL;
        _cleanup_strv_free_ char **users = NULL;
        json_object *t = json_get(c->plan, "translations");
        GuestWriter *w = NULL;
        unsigned carried = 0;
        int r;

        r = exec_open_guest(c, &g);
        if (r < 0)
                return exec_step_error(c, r, "cannot read the source: %s", strerror(-r));
        r = exec_open_root_writer(c, &w);
        if (r < 0)
                return exec_step_error(c, r, "cannot write the root filesystem: %s", strerror(-r));
        r = carried_users(g, &users);
        if (r < 0)
                return exec_step_error(c, r, "cannot read the node's accounts: %s", strerror(-r));

        for (size_t i = 0; i < json_array_len(t); i++) {
                json_object *x = json_object_array_get_idx(t, i);
                const char *target = json_get_str(x, "target");

                if (!steps_translation_writes(x))
                        continue;
                /* Account files are merged, never replaced: the target's system accounts stay. */
                if (streq(target, "/etc/passwd") || streq(target, "/etc/group"))
                        continue;
                r = carry_one(c, g, w, x);
                if (r < 0)
                        return exec_step_error(c, r, "carrying %s to %s (%s) failed: %s",
                                               strempty(json_get_str(x, "source")), target,
                                               strempty(json_get_str(x, "rule")), strerror(-r));
                carried++;
        }
        for (size_t i = 0; i < ELEMENTSOF(identity_files); i++) {
                _cleanup_free_ char *to = staged(identity_files[i]);
                int64_t n;

                if (!to)
                        return -ENOMEM;
                if (guest_is_type(g, identity_files[i], GUEST_FILE_REGULAR) <= 0)
                        continue;
                n = copy_tree(g, identity_files[i], w, to);
                if (n < 0)
                        return exec_step_error(c, (int) n, "carrying %s failed: %s", identity_files[i],
                                               strerror((int) -n));
                carried++;
        }
        if ((r = merge_accounts(c, g, w, "/etc/passwd", users)) < 0 ||
            (r = merge_accounts(c, g, w, "/etc/group", users)) < 0 ||
            (r = merge_accounts(c, g, w, "/etc/shadow", users)) < 0)
                return exec_step_error(c, r, "merging the node's accounts failed: %s", strerror(-r));
        exec_log(c, LOG_LEVEL_INFO, "carried %u translations and identity files; %zu users", carried,
                 strv_length(users));
        return 0;
}

const ExecStep steps_stage[] = {
        { "stage-target", step_stage_target },
        { "carry-config", step_carry_config },
};
const size_t steps_stage_n = ELEMENTSOF(steps_stage);
