/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FSTAB_MAX (1024u * 1024u)

#include "inspect/fstab-source.h"
#include "inspect/fstab.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/strv.h"
#include "shared/string-util.h"
#include "step-common.h"
#include "steps.h"

bool steps_translation_writes(json_object *t)
{
        const char *action = json_get_str(t, "action"), *source = json_get_str(t, "source"),
                   *target = json_get_str(t, "target");

        if (!action || !target || target[0] != '/')
                return false;
        if (!streq(action, "carry") && !streq(action, "translate") && !streq(action, "render"))
                return false;
        if (source && !json_get_str(t, "content") &&
            (startswith(source, "/usr/lib/") || startswith(source, "/lib/")))
                return false;
        return true;
}

const char *steps_root_uuid(json_object *plan)
{
        json_object *mounts = json_get(json_get(plan, "inventory_summary"), "mounts");

        for (size_t i = 0; i < json_array_len(mounts); i++) {
                json_object *m = json_object_array_get_idx(mounts, i);
                if (streq_ptr(json_get_str(m, "mountpoint"), "/"))
                        return json_get_str(m, "uuid");
        }
        return NULL;
}

int steps_fstab(Guest *g, char ***ret_mountpoints, char **ret_root_uuid)
{
        _cleanup_(fstab_freep) Fstab *f = NULL;
        _cleanup_free_ char *buf = NULL, *uuid = NULL;
        _cleanup_strv_free_ char **l = NULL;
        size_t size;
        int r;

        r = guest_read_file(g, "/etc/fstab", FSTAB_MAX, &buf, &size);
        if (r == -ENOENT) {
                *ret_mountpoints = NULL;
                *ret_root_uuid = NULL;
                return 0;
        }
        if (r < 0)
                return r;
        r = fstab_parse(buf, size, &f);
        if (r < 0)
                return r;
        for (size_t i = 0; i < f->n_entries; i++) {
                const FstabEntry *e = &f->entries[i];
                if (streq(e->file, "/")) {
                        _cleanup_free_ char *v = NULL;
                        if (!uuid && fstab_source_parse(e->spec, &v) == FSTAB_SOURCE_UUID)
                                uuid = TAKE_PTR(v);
                        continue;
                }
                if (e->file[0] != '/' || streq(e->vfstype, "swap") || strv_contains(l, e->file))
                        continue;
                if (strv_extend(&l, e->file) < 0)
                        return -ENOMEM;
        }
        *ret_mountpoints = TAKE_PTR(l);
        *ret_root_uuid = TAKE_PTR(uuid);
        return 0;
}

int steps_node_has_esp(json_object *plan, Guest *g)
{
        _cleanup_strv_free_ char **mounts = NULL;
        _cleanup_free_ char *uuid = NULL;
        uint64_t off, size;
        int r;

        r = exec_mount_range(plan, "/boot/efi", &off, &size);
        if (r != -ENOENT)
                return 1; /* the inventory places a filesystem there (or it is not on a partition) */
        r = steps_fstab(g, &mounts, &uuid);
        if (r < 0)
                return r;
        return strv_contains(mounts, "/boot/efi");
}

int steps_check_layout(json_object *plan, SourceMode mode, const char **ret_reason)
{
        json_object *mounts = json_get(json_get(plan, "inventory_summary"), "mounts");
        const char *root_type = NULL;
        bool esp = false;
        uint64_t off, size;

        for (size_t i = 0; i < json_array_len(mounts); i++) {
                json_object *m = json_object_array_get_idx(mounts, i);
                const char *mp = json_get_str(m, "mountpoint");
                if (streq_ptr(mp, "/"))
                        root_type = json_get_str(m, "type");
                else if (streq_ptr(mp, "/boot")) {
                        *ret_reason =
                                "/boot is a separate filesystem on this node; the conversion only boots a "
                                "root filesystem that holds /boot";
                        return -EOPNOTSUPP;
                } else if (streq_ptr(mp, "/boot/efi"))
                        esp = true;
        }
        if (mode != SOURCE_MODE_IMAGE)
                return 0;
        if (!root_type || !startswith(root_type, "ext")) {
                *ret_reason =
                        "the root filesystem is not ext2/3/4: a disk image is changed through libext2fs "
                        "only (convert the mounted root with --root instead)";
                return -EOPNOTSUPP;
        }
        if (exec_mount_range(plan, "/", &off, &size) < 0) {
                *ret_reason =
                        "the root filesystem is not on a partition of the disk (LVM?): a disk image is "
                        "changed at the root partition's offset only (convert the mounted root with "
                        "--root instead)";
                return -EOPNOTSUPP;
        }
        if (esp && !find_in_path("mcopy")) {
                *ret_reason = "mtools (mcopy) is missing: the EFI system partition is written with it "
                              "(apt install mtools)";
                return -EOPNOTSUPP;
        }
        return 0;
}

const ExecStep *steps_inplace(size_t *ret_n)
{
        static ExecStep all[16];
        static size_t n = 0;

        if (n == 0) {
                const struct {
                        const ExecStep *steps;
                        size_t n;
                } groups[] = {
                        { steps_check, steps_check_n },
                        { steps_stage, steps_stage_n },
                        { steps_swap, steps_swap_n },
                        { steps_boot, steps_boot_n },
                };
                for (size_t g = 0; g < ELEMENTSOF(groups); g++)
                        for (size_t i = 0; i < groups[g].n && n < ELEMENTSOF(all); i++)
                                all[n++] = groups[g].steps[i];
        }
        *ret_n = n;
        return all;
}
