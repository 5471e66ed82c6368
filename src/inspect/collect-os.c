/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/env-file.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "collect.h"

#define OS_RELEASE_MAX (64u * 1024u)

/* os-release(5): /etc/os-release, else /usr/lib/os-release. */
int collect_os_release(InspectContext *c)
{
        static const struct {
                const char *var, *key;
        } fields[] = {
                { "ID", "id" },
                { "VERSION_ID", "version_id" },
                { "ID_LIKE", "id_like" },
                { "PRETTY_NAME", "pretty_name" },
                { "NAME", "name" },
                { "VERSION", "version" },
                { "VERSION_CODENAME", "version_codename" },
                { "VARIANT_ID", "variant_id" },
                { "BUILD_ID", "build_id" },
        };
        static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *buf = NULL;
        json_object *os = inventory_section(c->inv, "os");
        const char *path = NULL, *id, *like;
        size_t size = 0;
        int r = 0;

        if (!os)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(paths) && r == 0; i++) {
                r = collect_read_file(c, paths[i], OS_RELEASE_MAX, &buf, &size);
                if (r < 0)
                        return r;
                path = paths[i];
        }
        if (r == 0)
                return inventory_add_finding(
                        c->inv, "os.release.invalid", "/etc/os-release",
                        "neither /etc/os-release nor /usr/lib/os-release could be read");
        r = env_file_parse(buf, size, &env, NULL);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                if (json_add_str(os, fields[i].key, env_get(env, fields[i].var)) < 0)
                        return -ENOMEM;

        id = env_get(env, "ID");
        like = env_get(env, "ID_LIKE");
        if (isempty(id))
                return inventory_add_finding(c->inv, "os.release.invalid", path, "%s has no ID= line", path);

        /* The family decides which package database and conventions apply. */
        {
                _cleanup_strv_free_ char **likes = NULL;
                const char *family = NULL;

                if (like && strv_split(like, " \t", &likes) < 0)
                        return -ENOMEM;
                if (streq(id, "debian") || streq(id, "ubuntu") || strv_contains(likes, "debian") ||
                    strv_contains(likes, "ubuntu"))
                        family = "debian";
                else if (streq(id, "azurelinux") || streq(id, "mariner") || streq(id, "fedora") ||
                         streq(id, "rhel") || streq(id, "centos") || strv_contains(likes, "fedora") ||
                         strv_contains(likes, "rhel") || strv_contains(likes, "suse"))
                        family = "rpm";
                if (json_add_str(os, "family", family) < 0)
                        return -ENOMEM;
        }
        return 0;
}
