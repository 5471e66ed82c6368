/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "fileio.h"
#include "json-util.h"
#include "utf8.h"

json_object *json_new_str_n(const char *s, size_t n)
{
        _cleanup_free_ char *clean = NULL;

        if (!s)
                return NULL;
        if (utf8_is_valid_n(s, n))
                return json_object_new_string_len(s, (int) MIN(n, (size_t) INT32_MAX));
        clean = utf8_sanitize_n(s, n);
        if (!clean)
                return NULL;
        return json_object_new_string(clean);
}

json_object *json_new_str(const char *s)
{
        return s ? json_new_str_n(s, strlen(s)) : NULL;
}

int json_add(json_object *obj, const char *key, json_object *v)
{
        if (json_object_object_add(obj, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int json_add_str(json_object *obj, const char *key, const char *s)
{
        json_object *v = NULL;

        if (s) {
                v = json_new_str(s);
                if (!v)
                        return -ENOMEM;
        }
        return json_add(obj, key, v);
}

int json_add_int(json_object *obj, const char *key, int64_t v)
{
        json_object *o = json_object_new_int64(v);

        if (!o)
                return -ENOMEM;
        return json_add(obj, key, o);
}

int json_add_bool(json_object *obj, const char *key, bool v)
{
        json_object *o = json_object_new_boolean(v);

        if (!o)
                return -ENOMEM;
        return json_add(obj, key, o);
}

int json_append(json_object *arr, json_object *v)
{
        if (json_object_array_add(arr, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int json_append_str(json_object *arr, const char *s)
{
        json_object *v = json_new_str(s);

        if (s && !v)
                return -ENOMEM;
        return json_append(arr, v);
}

static int cmp_json_str(const void *a, const void *b)
{
        const char *x = json_object_get_string(*(json_object *const *) a),
                   *y = json_object_get_string(*(json_object *const *) b);
        return strcmp(x ?: "", y ?: "");
}

void json_array_sort_strings(json_object *arr)
{
        json_object_array_sort(arr, cmp_json_str);
}

size_t json_array_len(json_object *a)
{
        return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

json_object *json_array_at(json_object *a, size_t i)
{
        return i < json_array_len(a) ? json_object_array_get_idx(a, i) : NULL;
}

bool json_array_has_str(json_object *arr, const char *s)
{
        size_t n = json_array_len(arr);

        for (size_t i = 0; i < n; i++) {
                const char *x = json_object_get_string(json_object_array_get_idx(arr, i));
                if (x && s && strcmp(x, s) == 0)
                        return true;
        }
        return false;
}

json_object *json_deep_copy(json_object *o)
{
        json_object *c = NULL;

        if (!o)
                return NULL;
        if (json_object_deep_copy(o, &c, NULL) < 0)
                return NULL;
        return c;
}

static json_object *get_or_add(json_object *obj, const char *key, json_type type)
{
        json_object *v;

        if (json_object_object_get_ex(obj, key, &v))
                return json_object_is_type(v, type) ? v : NULL;
        v = type == json_type_array ? json_object_new_array() : json_object_new_object();
        if (!v)
                return NULL;
        if (json_add(obj, key, v) < 0)
                return NULL;
        return v;
}

json_object *json_get_or_add_object(json_object *obj, const char *key)
{
        return get_or_add(obj, key, json_type_object);
}

json_object *json_get_or_add_array(json_object *obj, const char *key)
{
        return get_or_add(obj, key, json_type_array);
}

json_object *json_get(json_object *obj, const char *key)
{
        json_object *v;

        if (!obj || !json_object_is_type(obj, json_type_object))
                return NULL;
        if (!json_object_object_get_ex(obj, key, &v))
                return NULL;
        return v;
}

const char *json_get_str(json_object *obj, const char *key)
{
        json_object *v = json_get(obj, key);

        return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int64_t json_get_int(json_object *obj, const char *key, int64_t def)
{
        json_object *v = json_get(obj, key);

        return json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : def;
}

bool json_get_bool(json_object *obj, const char *key, bool def)
{
        json_object *v = json_get(obj, key);

        return json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : def;
}

static const char *json_text(json_object *obj)
{
        return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE);
}

int json_dump(json_object *obj, FILE *f)
{
        const char *s = json_text(obj);

        if (!s)
                return -ENOMEM;
        if (fputs(s, f) < 0 || fputc('\n', f) < 0 || fflush(f) != 0)
                return errno > 0 ? -errno : -EIO;
        return 0;
}

int json_dump_file(json_object *obj, const char *path)
{
        _cleanup_free_ char *buf = NULL;
        const char *s = json_text(obj);
        size_t n;

        if (!s)
                return -ENOMEM;
        n = strlen(s);
        buf = malloc(n + 2);
        if (!buf)
                return -ENOMEM;
        memcpy(buf, s, n);
        buf[n] = '\n';
        return write_file_atomic(path, buf, n + 1, 0644);
}

int json_parse_file(const char *path, size_t max, json_object **ret)
{
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        _cleanup_free_ char *buf = NULL;
        json_object *o;
        size_t size;
        int r;

        r = read_full_file_capped(path, max, &buf, &size);
        if (r < 0)
                return r;
        if (size > INT32_MAX)
                return -EFBIG;
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, buf, (int) size);
        if (!o || json_tokener_get_error(tok) != json_tokener_success ||
            buf[json_tokener_get_parse_end(tok) +
                strspn(buf + json_tokener_get_parse_end(tok), " \t\r\n")]) {
                json_object_put(o);
                return -EBADMSG;
        }
        *ret = o;
        return 0;
}

int json_append_strv(json_object *arr, const char *first, va_list ap)
{
        for (const char *s = first; s; s = va_arg(ap, const char *))
                if (json_append_str(arr, s) < 0)
                        return -ENOMEM;
        return 0;
}

int json_append_strs(json_object *arr, const char *first, ...)
{
        va_list ap;
        int r;

        va_start(ap, first);
        r = json_append_strv(arr, first, ap);
        va_end(ap);
        return r;
}
