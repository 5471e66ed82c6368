/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "shared/json-util.h"
#include "shared/string-util.h"
#include "fingerprint.h"

#define FINGERPRINT_PREFIX "sha256:"

/* A copy of the mounts array without the members that change while a node runs. */
static json_object *mounts_without_space(json_object *mounts)
{
        _cleanup_json_ json_object *copy = NULL;
        size_t n;

        if (!json_object_is_type(mounts, json_type_array))
                return json_object_get(mounts);
        if (json_object_deep_copy(mounts, &copy, NULL) < 0)
                return NULL;
        n = json_object_array_length(copy);
        for (size_t i = 0; i < n; i++) {
                json_object *m = json_object_array_get_idx(copy, i);
                if (!json_object_is_type(m, json_type_object))
                        continue;
                json_object_object_del(m, "size");
                json_object_object_del(m, "free");
                json_object_object_del(m, "available");
        }
        return TAKE_PTR(copy);
}

/* "sha256:" and the hex SHA-256 of o's compact serialisation. */
static int fingerprint_serialised(json_object *o, char **ret)
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned md_len = 0;
        const char *text;
        size_t text_len;
        char *s;

        text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
                                                 &text_len);
        if (!text)
                return -ENOMEM;
        if (EVP_Digest(text, text_len, md, &md_len, EVP_sha256(), NULL) != 1 || md_len != 32)
                return -EIO;

        s = malloc(strlen(FINGERPRINT_PREFIX) + 2 * md_len + 1);
        if (!s)
                return -ENOMEM;
        strcpy(s, FINGERPRINT_PREFIX);
        for (unsigned i = 0; i < md_len; i++)
                sprintf(s + strlen(FINGERPRINT_PREFIX) + 2 * i, "%02x", md[i]);
        *ret = s;
        return 0;
}

int fingerprint_inventory(json_object *inventory, char **ret)
{
        _cleanup_json_ json_object *copy = NULL;

        if (!json_object_is_type(inventory, json_type_object))
                return -EINVAL;
        /* A shallow copy that shares the members: the caller's document is left alone. */
        copy = json_object_new_object();
        if (!copy)
                return -ENOMEM;
        json_object_object_foreach(inventory, key, value) {
                if (streq(key, "source"))
                        continue;
                if (streq(key, "mounts")) {
                        json_object *m = mounts_without_space(value);
                        if (!m || json_add(copy, key, m) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (json_add(copy, key, json_object_get(value)) < 0)
                        return -ENOMEM;
        }
        return fingerprint_serialised(copy, ret);
}

int fingerprint_document(json_object *doc, const char *const *skip, char **ret)
{
        _cleanup_json_ json_object *copy = NULL;

        if (!json_object_is_type(doc, json_type_object))
                return -EINVAL;
        copy = json_object_new_object();
        if (!copy)
                return -ENOMEM;
        json_object_object_foreach(doc, key, value) {
                bool skipped = false;
                for (size_t i = 0; skip && skip[i]; i++)
                        skipped = skipped || streq(key, skip[i]);
                if (!skipped && json_add(copy, key, json_object_get(value)) < 0)
                        return -ENOMEM;
        }
        return fingerprint_serialised(copy, ret);
}
