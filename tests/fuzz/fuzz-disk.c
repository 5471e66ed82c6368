/* SPDX-License-Identifier: MIT */
/* Format detection, VHD footers, the partition table (libfdisk and the GPT fallback) and the
 * filesystem probe on arbitrary disk bytes. */
#include <stdio.h>

#include "disk/image.h"
#include "disk/partition.h"
#include "shared/fd-util.h"
#include "fuzz.h"
#include "fuzz-memfd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_close_ int fd = fuzz_memfd(data, size);
        Image *img = NULL;
        DiskLayout *d = NULL;
        char path[64];

        if (fd < 0)
                return 0;
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        if (image_open(path, &img) < 0)
                return 0;
        if (img->native && disk_layout_read(img, &d) >= 0)
                disk_layout_free(d);
        image_free(img);
        return 0;
}
