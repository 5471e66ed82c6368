/* SPDX-License-Identifier: MIT */
/* Target extraction on arbitrary bytes as the tarball: extracted into a dir writer on a fresh
 * mkdtemp() tree, which must then hold nothing but the archive, the root and, in the root, the
 * staging directory (anything else means a member got out). The tree is removed each run. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/guest-write.h"
#include "exec/target.h"
#include "shared/fd-util.h"
#include "fuzz.h"

static int make_removable(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        if (flag == FTW_D)
                (void) chmod(path, 0700);
        return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void) remove(path);
        return 0;
}

static void remove_tree(const char *dir)
{
        /* Directories the archive made unreadable first get opened up, top down. */
        (void) nftw(dir, make_removable, 16, FTW_PHYS);
        (void) nftw(dir, remove_one, 16, FTW_PHYS | FTW_DEPTH);
}

/* Names in dir other than those allowed: a member that got out. */
static void only(const char *dir, const char *const *allowed)
{
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                abort();
        while ((de = readdir(d))) {
                bool ok = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");

                for (const char *const *a = allowed; *a && !ok; a++)
                        ok = !strcmp(de->d_name, *a);
                if (!ok) {
                        fprintf(stderr, "unexpected %s/%s after extraction\n", dir, de->d_name);
                        abort();
                }
        }
        closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char dir[] = "/tmp/fuzz-target-XXXXXX", tar[64], root[64];
        GuestWriter *w = NULL;
        char *error = NULL;
        TargetStats st;
        int fd;

        if (!mkdtemp(dir))
                return 0;
        snprintf(tar, sizeof(tar), "%s/in.tar", dir);
        snprintf(root, sizeof(root), "%s/root", dir);
        fd = open(tar, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0 && (size == 0 || write(fd, data, size) == (ssize_t) size) && mkdir(root, 0755) == 0 &&
            guest_writer_open_dir(root, &w) >= 0) {
                guest_writer_set_sync(w, false);
                (void) target_extract(tar, w, "/stage", &st, &error);
                free(error);
                (void) guest_writer_close(w);
                only(dir, (const char *const[]){ "in.tar", "root", NULL });
                only(root, (const char *const[]){ "stage", NULL });
        }
        safe_close(fd);
        remove_tree(dir);
        return 0;
}
