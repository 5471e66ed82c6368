/* SPDX-License-Identifier: MIT */
/* The FAT reader on arbitrary filesystem bytes: open, walk every directory (depth-bounded),
 * read every file. */
#include "disk/guest-fat.h"
#include "disk/guest.h"
#include "shared/fd-util.h"
#include "fuzz.h"
#include "fuzz-memfd.h"

static void walk(Guest *g, const char *path, int depth)
{
        GuestDirEntry *e = NULL;
        size_t n = 0;

        if (depth > 6 || guest_read_dir(g, path, &e, &n) < 0)
                return;
        for (size_t i = 0; i < n && i < 256; i++) {
                char child[GUEST_PATH_MAX];
                char *buf = NULL;
                size_t size;

                if ((size_t) snprintf(child, sizeof(child), "%s/%s", path[1] ? path : "", e[i].name) >=
                    sizeof(child))
                        continue;
                if (e[i].type == GUEST_FILE_DIRECTORY)
                        walk(g, child, depth + 1);
                else if (guest_read_file(g, child, 1 << 20, &buf, &size) >= 0)
                        free(buf);
        }
        guest_dir_entries_free(e, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_close_ int fd = fuzz_memfd(data, size);
        Guest *g = NULL;
        GuestFs *fs = NULL;

        if (fd < 0 || guest_fat_open(fd, 0, size, &fs) < 0)
                return 0;
        if (guest_new(&g) < 0) {
                guest_fs_free(fs);
                return 0;
        }
        if (guest_mount(g, "/", fs) >= 0)
                walk(g, "/", 0);
        guest_free(g);
        return 0;
}
