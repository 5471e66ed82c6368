/* SPDX-License-Identifier: MIT */
/* swap-root: the staged target root takes the place of the source's tree on the root filesystem,
 * by renames only (no content is copied, so the step costs metadata, not data).
 *
 * Kept in place: the plan's preserved paths (/var/lib/kubelet, /var/log, /home, ...), the mount
 * points of the node's other filesystems (/boot/efi; the inventory's mounts and fstab's), /boot/grub when
 * the node can boot through BIOS, /.azlmigrate and /lost+found. Every other entry of the source moves to
 * /.azlmigrate/old at the same relative path; every entry of the stage moves to its place. A directory on
 * the way to a kept path (/var, /var/lib, /boot) is not moved but merged: the same rule, one level down, and
 * it takes the target's metadata. What the target has at a kept path itself goes to /.azlmigrate/displaced
 * (install-boot takes the target's EFI binaries from there). Only the writer's own view is read, without
 * following any symlink: a kept path under a symlinked directory is not kept (and said so). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/strv.h"
#include "copy.h"
#include "step-common.h"
#include "steps.h"

/* Bounds the recursion of merge(): kept paths are a few levels deep. */
#define SWAP_DEPTH_MAX 16u

typedef struct Swap {
        StepContext *c;
        GuestWriter *w;
        GuestFs *fs;
        char **kept;      /* kept paths that exist (as real paths) on the root filesystem */
        char **ancestors; /* their proper ancestors other than "/" */
        char **fstab_mounts;
        uint64_t moved_old, moved_new, displaced;
} Swap;

static int lstat_type(GuestFs *fs, const char *path, GuestFileType *ret)
{
        GuestStat st;
        int r = fs->ops->lstat(fs, path, &st);

        if (r < 0)
                return r;
        *ret = st.type;
        return 0;
}

/* Absolute, without empty, "." or ".." components, no trailing '/'. */
static bool path_is_plain(const char *p)
{
        if (p[0] != '/' || strlen(p) > GUEST_PATH_MAX)
                return false;
        for (const char *c = p; *c;) {
                size_t n;
                c++; /* the '/' */
                n = strcspn(c, "/");
                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += n;
        }
        return true;
}

/* A kept path counts if it exists and every directory on the way is a real directory. */
static int add_kept(Swap *s, const char *path)
{
        _cleanup_free_ char *p = NULL;
        GuestFileType t;
        int r;

        if (!path || path[0] != '/' || streq(path, "/"))
                return 0;
        if (!path_is_plain(path)) {
                exec_finding(s->c, "exec.keep.skipped", "medium",
                             "%s is not a plain absolute path: not kept", path);
                return 0;
        }
        if (strv_contains(s->kept, path))
                return 0;
        p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = 0;
                r = lstat_type(s->fs, p, &t);
                if (r == -ENOENT || (r >= 0 && t != GUEST_FILE_DIRECTORY)) {
                        if (r >= 0)
                                exec_finding(s->c, "exec.keep.skipped", "medium",
                                             "%s is not a directory on the root filesystem: %s is not kept",
                                             p, path);
                        return 0;
                }
                if (r < 0)
                        return r;
                *slash = '/';
        }
        r = lstat_type(s->fs, p, &t);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = strv_extend(&s->kept, p);
        if (r < 0)
                return r;
        for (char *slash = strrchr(p, '/'); slash && slash != p; slash = strrchr(p, '/')) {
                *slash = 0;
                if (!strv_contains(s->ancestors, p) && strv_extend(&s->ancestors, p) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int collect_kept(Swap *s)
{
        json_object *preserve = json_get(s->c->plan, "preserve");
        json_object *mounts = json_get(json_get(s->c->plan, "inventory_summary"), "mounts");
        const char *fw;
        int r;

        for (size_t i = 0; i < json_array_len(preserve); i++) {
                r = add_kept(s, json_object_get_string(json_object_array_get_idx(preserve, i)));
                if (r < 0)
                        return r;
        }
        /* Mount points of the node's other filesystems stay, empty, where fstab mounts them. */
        for (size_t i = 0; i < json_array_len(mounts); i++) {
                r = add_kept(s, json_get_str(json_object_array_get_idx(mounts, i), "mountpoint"));
                if (r < 0)
                        return r;
        }
        /* And those of the node's fstab (a mounted root's inventory has no mounts of its own). */
        STRV_FOREACH(m, s->fstab_mounts)
                if ((r = add_kept(s, *m)) < 0)
                        return r;
        /* BIOS boot (Generation 1 VMs): the GRUB in the BIOS boot partition loads its modules and
         * configuration from /boot/grub; install-boot points that configuration at the target's. */
        fw = json_get_str(json_get(json_get(s->c->plan, "inventory_summary"), "boot"), "firmware");
        if (fw && !streq(fw, "uefi") && (r = add_kept(s, STEPS_BIOS_GRUB_DIR)) < 0)
                return r;
        if ((r = add_kept(s, STEPS_WORK_DIR)) < 0 || (r = add_kept(s, "/lost+found")) < 0)
                return r;
        return 0;
}

/* Moves from to to, creating to's parents. */
static int move(Swap *s, const char *from, const char *to)
{
        int r = copy_mkdir_parent(s->w, to);

        if (r >= 0)
                r = guest_writer_rename(s->w, from, to);
        if (r < 0)
                exec_log(s->c, LOG_LEVEL_ERROR, "moving %s to %s failed: %s", from, to, strerror(-r));
        return r;
}

static int list(GuestFs *fs, const char *path, GuestDirEntry **ret, size_t *ret_n)
{
        int r = fs->ops->readdir(fs, path, ret, ret_n);

        if (r == -ENOENT) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        return r;
}

/* Merges the staged directory STAGE+dir into dir (dir "" for the root). */
static int merge(Swap *s, const char *dir, unsigned depth)
{
        _cleanup_free_ char *stage_dir =
                isempty(dir) ? strdup(STEPS_STAGE_DIR) : path_join(STEPS_STAGE_DIR, dir);
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        if (!stage_dir)
                return -ENOMEM;
        if (depth > SWAP_DEPTH_MAX)
                return -ELOOP;

        /* The source's entries: kept, merged, or moved aside. */
        r = list(s->fs, isempty(dir) ? "/" : dir, &e, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *p = path_join(dir, e[i].name),
                                    *staged = path_join(stage_dir, e[i].name);
                GuestFileType t;
                int k;

                if (!p || !staged) {
                        r = -ENOMEM;
                        break;
                }
                k = lstat_type(s->fs, staged, &t);
                if (k < 0 && k != -ENOENT) {
                        r = k;
                        break;
                }
                if (strv_contains(s->kept, p)) {
                        if (k >= 0) {
                                _cleanup_free_ char *to = path_join(STEPS_DISPLACED_DIR, p);
                                r = to ? move(s, staged, to) : -ENOMEM;
                                s->displaced++;
                        }
                } else if (strv_contains(s->ancestors, p)) {
                        if (k >= 0 && t != GUEST_FILE_DIRECTORY) {
                                /* The target has a file where the node has a directory holding
                                 * kept data: the data wins, the target's entry is set aside. */
                                _cleanup_free_ char *to = path_join(STEPS_DISPLACED_DIR, p);
                                r = to ? move(s, staged, to) : -ENOMEM;
                                s->displaced++;
                        }
                        if (r >= 0)
                                r = merge(s, p, depth + 1);
                } else {
                        _cleanup_free_ char *to = path_join(STEPS_OLD_DIR, p);
                        r = to ? move(s, p, to) : -ENOMEM;
                        s->moved_old++;
                }
        }
        guest_dir_entries_free(e, n);
        if (r < 0)
                return r;

        /* The stage's entries not handled above move into place. */
        r = list(s->fs, stage_dir, &e, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *p = path_join(dir, e[i].name),
                                    *staged = path_join(stage_dir, e[i].name);

                if (!p || !staged) {
                        r = -ENOMEM;
                        break;
                }
                if (strv_contains(s->kept, p) || strv_contains(s->ancestors, p))
                        continue; /* a merged directory: emptied by its own merge() */
                r = move(s, staged, p);
                s->moved_new++;
        }
        guest_dir_entries_free(e, n);
        if (r < 0)
                return r;

        /* A merged directory takes the target's mode, owner and time; its staged copy goes. */
        if (!isempty(dir)) {
                GuestStat st;
                r = s->fs->ops->lstat(s->fs, stage_dir, &st);
                if (r == -ENOENT)
                        return 0;
                if (r < 0)
                        return r;
                r = guest_writer_set_meta(s->w, dir, st.mode, st.uid, st.gid, st.mtime);
                if (r >= 0)
                        r = guest_writer_remove(s->w, stage_dir);
        }
        return r;
}

static int step_swap_root(StepContext *c)
{
        _cleanup_strv_free_ char **kept = NULL, **ancestors = NULL, **fstab_mounts = NULL;
        Swap s = { .c = c };
        GuestFileType t;
        int r;

        r = exec_open_root_writer(c, &s.w);
        if (r < 0)
                return exec_step_error(c, r, "cannot write the root filesystem: %s", strerror(-r));
        s.fs = guest_writer_fs(s.w);
        r = lstat_type(s.fs, STEPS_STAGE_DIR, &t);
        if (r < 0 || t != GUEST_FILE_DIRECTORY)
                return exec_step_error(c, r < 0 ? r : -ENOTDIR,
                                       "no staged root at %s (did stage-target run?)", STEPS_STAGE_DIR);
        r = lstat_type(s.fs, STEPS_STAGE_DIR "/usr", &t);
        if (r < 0 || t != GUEST_FILE_DIRECTORY)
                return exec_step_error(
                        c, r < 0 ? r : -ENOTDIR,
                        "the staged root has no /usr: it is not a root filesystem; refusing to swap");
        r = lstat_type(s.fs, STEPS_OLD_DIR, &t);
        if (r >= 0)
                return exec_step_error(
                        c, -EEXIST,
                        "%s exists already: the root filesystem was swapped before (roll back, or "
                        "remove it after checking)",
                        STEPS_OLD_DIR);

        {
                _cleanup_(guest_freep) Guest *view = NULL;
                _cleanup_free_ char *uuid = NULL;
                r = copy_writer_view(s.w, &view);
                if (r >= 0)
                        r = steps_fstab(view, &fstab_mounts, &uuid);
                s.fstab_mounts = fstab_mounts;
        }
        if (r >= 0)
                r = collect_kept(&s);
        kept = s.kept;
        ancestors = s.ancestors;
        if (r < 0)
                return exec_step_error(c, r, "cannot read the root filesystem: %s", strerror(-r));
        STRV_FOREACH(k, s.kept)
                exec_log(c, LOG_LEVEL_INFO, "keeping %s", *k);

        r = copy_mkdir_p(s.w, STEPS_OLD_DIR);
        if (r >= 0)
                r = merge(&s, "", 0);
        if (r >= 0)
                r = guest_writer_remove(s.w, STEPS_STAGE_DIR);
        if (r < 0)
                return exec_step_error(c, r, "swapping the root failed: %s", strerror(-r));
        exec_log(c, LOG_LEVEL_INFO,
                 "moved %llu entries of the source to %s and %llu of the target into place; %llu of the "
                 "target's "
                 "entries displaced by kept paths",
                 (unsigned long long) s.moved_old, STEPS_OLD_DIR, (unsigned long long) s.moved_new,
                 (unsigned long long) s.displaced);
        c->bytes = 0;
        return 0;
}

const ExecStep steps_swap[] = {
        { "swap-root", step_swap_root },
};
const size_t steps_swap_n = ELEMENTSOF(steps_swap);
