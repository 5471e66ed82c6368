/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <blkid.h>

#include "probe.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(blkid_probe, blkid_free_probe);

static int dup_value(blkid_probe pr, const char *name, char **ret)
{
        const char *v = NULL;

        if (blkid_probe_lookup_value(pr, name, &v, NULL) < 0 || !v) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(v);
        return *ret ? 0 : -ENOMEM;
}

int probe_filesystem(int fd, uint64_t offset, uint64_t size, FsInfo *ret)
{
        _cleanup_(blkid_free_probep) blkid_probe pr = NULL;
        FsInfo fs = {};
        int r;

        if (offset > INT64_MAX || size > INT64_MAX)
                return -EOVERFLOW;
        pr = blkid_new_probe();
        if (!pr)
                return -ENOMEM;
        if (blkid_probe_set_device(pr, fd, (blkid_loff_t) offset, (blkid_loff_t) size) < 0)
                return -EIO;
        blkid_probe_enable_partitions(pr, 0);
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID | BLKID_SUBLKS_LABEL |
                                                      BLKID_SUBLKS_VERSION);

        /* libblkid: 0 found, 1 nothing, -2 ambivalent, -1 error. */
        r = blkid_do_safeprobe(pr);
        if (r == 1)
                return 0;
        if (r == -2)
                return -EUCLEAN;
        if (r < 0)
                return -EIO;

        if (dup_value(pr, "TYPE", &fs.type) < 0 || dup_value(pr, "UUID", &fs.uuid) < 0 ||
            dup_value(pr, "LABEL", &fs.label) < 0 || dup_value(pr, "VERSION", &fs.version) < 0) {
                fs_info_done(&fs);
                return -ENOMEM;
        }
        *ret = fs;
        return 1;
}
