/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path-util.h"

char *path_join(const char *a, const char *b)
{
        size_t al = strlen(a);
        char *r;

        while (al > 0 && a[al - 1] == '/')
                al--;
        while (*b == '/')
                b++;
        if (asprintf(&r, "%.*s/%s", (int) al, a, b) < 0)
                return NULL;
        return r;
}

const char *path_startswith(const char *path, const char *prefix)
{
        size_t pl = strlen(prefix);

        if (pl == 1 && prefix[0] == '/')
                return path[0] == '/' ? path + strspn(path, "/") : NULL;
        if (strncmp(path, prefix, pl) != 0)
                return NULL;
        if (path[pl] == 0)
                return path + pl;
        if (path[pl] != '/')
                return NULL;
        return path + pl + strspn(path + pl, "/");
}

const char *path_basename(const char *path)
{
        const char *s = strrchr(path, '/');

        return s ? s + 1 : path;
}

bool find_in_path(const char *prog)
{
        const char *path = getenv("PATH") ?: "/usr/bin:/bin";
        _cleanup_free_ char *copy = strdup(path);

        if (!copy)
                return false;
        for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *p = path_join(d, prog);
                if (p && access(p, X_OK) == 0)
                        return true;
        }
        return false;
}
