/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "target-image.h"

#define FACTS_SCHEMA         "azlmigrate/image-facts/v1"
#define FACTS_FILE_MAX       (1024u * 1024u)
#define FACTS_PARTITIONS_MAX 16

int target_image_parse_size(const char *s, uint64_t *ret)
{
        static const char units[] = "KMGTP";
        size_t digits = s ? strspn(s, "0123456789.") : 0;
        const char *u = NULL;
        char *end;
        double v;

        /* Digits with at most one '.', then nothing or one unit letter: "29G", "3.2M", "0". */
        if (digits == 0 || !strchr("0123456789", s[0]) || strchr(s, '.') != strrchr(s, '.'))
                return -EINVAL;
        if (s[digits] != '\0') {
                u = strchr(units, s[digits]);
                if (!u || s[digits + 1] != '\0')
                        return -EINVAL;
        }
        errno = 0;
        v = strtod(s, &end);
        if (errno != 0 || end != s + digits || !isfinite(v))
                return -EINVAL;
        for (const char *p = units; u && p <= u; p++)
                v *= 1024;
        if (v > 1e18)
                return -EINVAL;
        *ret = (uint64_t) (v + 0.5);
        return 0;
}

static int bad(char **error, const char *path, const char *what)
{
        if (asprintf(error, "%s: %s", path, what) < 0) {
                *error = NULL;
                return -ENOMEM;
        }
        return -EBADMSG;
}

static bool is_size(json_object *o, const char *key)
{
        uint64_t v;
        return target_image_parse_size(json_get_str(o, key), &v) >= 0;
}

static int copy_partitions(json_object *facts, json_object *out, char **error, const char *path)
{
        json_object *parts = json_get(facts, "partitions"), *arr;
        size_t n;

        arr = json_get_or_add_array(out, "partitions");
        if (!arr)
                return -ENOMEM;
        if (!parts)
                return 0;
        if (!json_object_is_type(parts, json_type_array) ||
            json_object_array_length(parts) > FACTS_PARTITIONS_MAX)
                return bad(error, path, "\"partitions\" must be an array of at most 16 objects");
        n = json_object_array_length(parts);
        for (size_t i = 0; i < n; i++) {
                json_object *p = json_object_array_get_idx(parts, i), *q;

                if (!json_get_str(p, "device") || !json_get_str(p, "mountpoint") || !is_size(p, "size") ||
                    !is_size(p, "used") || !is_size(p, "available"))
                        return bad(error, path,
                                   "each partition needs \"device\", \"mountpoint\" and \"size\", "
                                   "\"used\", \"available\" as df -h prints them");
                q = json_object_new_object();
                if (!q || json_append(arr, q) < 0)
                        return -ENOMEM;
                if (json_add_str(q, "device", json_get_str(p, "device")) < 0 ||
                    json_add_str(q, "mountpoint", json_get_str(p, "mountpoint")) < 0 ||
                    json_add_str(q, "size", json_get_str(p, "size")) < 0 ||
                    json_add_str(q, "used", json_get_str(p, "used")) < 0 ||
                    json_add_str(q, "available", json_get_str(p, "available")) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int target_image_facts(const char *plans_dir, const char *to, size_t packages, json_object **ret,
                       char **ret_error)
{
        _cleanup_json_ json_object *out = json_object_new_object(), *facts = NULL;
        _cleanup_free_ char *file = NULL, *path = NULL, *error = NULL;
        static const char *const strings[] = { "image", "root_used", "layout", "note", "source" };
        int r;

        if (!out)
                return -ENOMEM;
        if (asprintf(&file, "universe/%s-image-facts.json", to) < 0)
                return -ENOMEM;
        path = path_join(plans_dir, file);
        if (!path)
                return -ENOMEM;
        r = json_parse_file(path, FACTS_FILE_MAX, &facts);
        if (r == -EBADMSG)
                r = bad(&error, path, "not valid JSON");
        else if (r >= 0 && (!streq_ptr(json_get_str(facts, "schema"), FACTS_SCHEMA) ||
                            !streq_ptr(json_get_str(facts, "target"), to)))
                r = bad(&error, path, "not the image facts of this target (schema " FACTS_SCHEMA ")");
        else if (r >= 0 && json_get(facts, "root_used") && !is_size(facts, "root_used"))
                r = bad(&error, path, "\"root_used\" must be a size as df -h prints it");
        if (r < 0 && r != -ENOENT) {
                if (ret_error)
                        *ret_error = TAKE_PTR(error);
                return r;
        }

        if (json_add_str(out, "image", json_get_str(facts, "image")) < 0 ||
            json_add_int(out, "packages", (int64_t) packages) < 0)
                return -ENOMEM;
        for (size_t i = 1; i < ELEMENTSOF(strings); i++)
                if (json_add_str(out, strings[i], json_get_str(facts, strings[i])) < 0)
                        return -ENOMEM;
        r = copy_partitions(facts, out, &error, path);
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(error);
                return r;
        }
        *ret = TAKE_PTR(out);
        return 0;
}
