/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "config.h"
#include "shared/fileio.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "knowledge.h"

#define KNOWLEDGE_FILE_MAX (16u * 1024u * 1024u)

static bool is_dir(const char *p)
{
        struct stat st;
        return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int knowledge_plans_dir(const char *override, char **ret)
{
        const char *candidates[] = { override, getenv("AZLMIGRATE_PLANS_DIR"), SOURCE_ROOT "/plans",
                                     PKGDATADIR "/plans" };

        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                if (isempty(candidates[i]))
                        continue;
                if (!is_dir(candidates[i])) {
                        if (i < 2) /* what the user named must exist */
                                return -ENOENT;
                        continue;
                }
                *ret = strdup(candidates[i]);
                return *ret ? 0 : -ENOMEM;
        }
        return -ENOENT;
}

int knowledge_read_file(const char *dir, const char *name, char **ret, size_t *ret_size)
{
        _cleanup_free_ char *path = path_join(dir, name);

        if (!path)
                return -ENOMEM;
        return read_full_file_capped(path, KNOWLEDGE_FILE_MAX, ret, ret_size);
}

int knowledge_read_tsv(const char *dir, const char *name, size_t min_fields,
                       int (*cb)(const TsvRecord *r, void *userdata), void *userdata)
{
        _cleanup_free_ char *path = path_join(dir, name), *buf = NULL;
        size_t size;
        int r;

        if (!path)
                return -ENOMEM;
        r = read_full_file_capped(path, KNOWLEDGE_FILE_MAX, &buf, &size);
        if (r < 0)
                return r;
        return tsv_parse(buf, size, min_fields, cb, userdata);
}

int knowledge_release_from_os(const char *id, const char *version_id, char **ret)
{
        if (isempty(id) || isempty(version_id) || !str_in_charset(id, "-_.") ||
            !str_in_charset(version_id, "-_."))
                return -EINVAL;
        return asprintf(ret, "%s-%s", id, version_id) < 0 ? -ENOMEM : 0;
}

bool knowledge_release_is_source(const char *release)
{
        static const char *const known[] = { "ubuntu-18.04", "ubuntu-20.04", "ubuntu-22.04",
                                             "ubuntu-24.04", "debian-11",    "debian-12" };

        return release && string_table_lookup(known, ELEMENTSOF(known), release) >= 0;
}
