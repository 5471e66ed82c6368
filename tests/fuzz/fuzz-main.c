/* SPDX-License-Identifier: MIT */
/* Corpus replay driver for fuzz targets built without libFuzzer. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shared/fileio.h"
#include "shared/macro.h"
#include "fuzz.h"

static int replay_file(const char *path, unsigned *count)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        int r;

        r = read_full_file_capped(path, 64u << 20, &buf, &size);
        if (r < 0) {
                fprintf(stderr, "cannot read %s: %s\n", path, strerror(-r));
                return 1;
        }
        (void) LLVMFuzzerTestOneInput((const uint8_t *) buf, size);
        (*count)++;
        return 0;
}

static int replay(const char *path, unsigned *count)
{
        struct stat st;
        struct dirent **names = NULL;
        int n, fail = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "cannot stat %s\n", path);
                return 1;
        }
        if (!S_ISDIR(st.st_mode))
                return replay_file(path, count);
        n = scandir(path, &names, NULL, alphasort);
        if (n < 0)
                return 1;
        for (int i = 0; i < n; i++) {
                if (names[i]->d_name[0] != '.') {
                        char p[4096];
                        snprintf(p, sizeof(p), "%s/%s", path, names[i]->d_name);
                        fail |= replay(p, count);
                }
                free(names[i]);
        }
        free(names);
        return fail;
}

int main(int argc, char *argv[])
{
        unsigned count = 0;
        int fail = 0;

        /* The empty input always runs, so a target with an empty corpus still runs once. */
        (void) LLVMFuzzerTestOneInput((const uint8_t *) "", 0);
        for (int i = 1; i < argc; i++)
                fail |= replay(argv[i], &count);
        printf("%u corpus inputs replayed\n", count);
        return fail;
}
