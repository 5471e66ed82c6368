/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/string-util.h"
#include "unit-name.h"

static const char *const unit_suffixes[] = {
        ".service",   ".socket", ".target", ".timer", ".path",   ".mount",
        ".automount", ".swap",   ".slice",  ".scope", ".device",
};

static const char *unit_suffix(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(unit_suffixes); i++) {
                const char *s = endswith(name, unit_suffixes[i]);
                if (s)
                        return s;
        }
        return NULL;
}

static bool is_unit_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
               c == '-' || c == '_' || c == '.' || c == '\\';
}

bool unit_name_is_valid(const char *name)
{
        const char *suffix = unit_suffix(name), *at = NULL;
        size_t n = strlen(name);

        if (!suffix || suffix == name || n > UNIT_NAME_MAX)
                return false;
        for (const char *p = name; p < suffix; p++) {
                if (*p == '@') {
                        if (at || p == name)
                                return false;
                        at = p;
                } else if (!is_unit_char(*p))
                        return false;
        }
        return true;
}

int unit_name_template(const char *name, char **ret)
{
        const char *at = strchr(name, '@'), *suffix = unit_suffix(name);
        char *t;

        if (!at || !suffix || at > suffix || at + 1 == suffix)
                return 0;
        if (asprintf(&t, "%.*s%s", (int) (at + 1 - name), name, suffix) < 0)
                return -ENOMEM;
        *ret = t;
        return 1;
}

int unit_dir_classify(const char *name, char **ret_owner)
{
        static const struct {
                const char *suffix;
                UnitDirKind kind;
        } forms[] = {
                { ".wants", UNIT_DIR_WANTS },
                { ".requires", UNIT_DIR_REQUIRES },
                { ".d", UNIT_DIR_DROPINS },
        };

        for (size_t i = 0; i < ELEMENTSOF(forms); i++) {
                const char *s = endswith(name, forms[i].suffix);
                char *owner;

                if (!s)
                        continue;
                owner = strndup(name, (size_t) (s - name));
                if (!owner)
                        return -ENOMEM;
                if (!unit_name_is_valid(owner)) {
                        free(owner);
                        return -EINVAL;
                }
                *ret_owner = owner;
                return forms[i].kind;
        }
        return -EINVAL;
}
