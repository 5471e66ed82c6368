/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "shared/json-util.h"
#include "shared/macro.h"
#include "shared/string-util.h"
#include "shared/utf8.h"
#include "markup.h"

#define REPLACEMENT "\xef\xbf\xbd"

/* s itself when it is valid UTF-8, else a sanitised copy in *copy (NULL on OOM: nothing is
 * written then rather than unchecked bytes). */
static const char *valid_utf8(const char *s, char **copy)
{
        size_t n = strlen(s);

        *copy = NULL;
        if (utf8_is_valid_n(s, n))
                return s;
        *copy = utf8_sanitize_n(s, n);
        return *copy;
}

void html_escape(FILE *f, const char *s)
{
        _cleanup_free_ char *copy = NULL;

        if (!s || !(s = valid_utf8(s, &copy)))
                return;
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;

                switch (c) {
                case '&':
                        fputs("&amp;", f);
                        break;
                case '<':
                        fputs("&lt;", f);
                        break;
                case '>':
                        fputs("&gt;", f);
                        break;
                case '"':
                        fputs("&quot;", f);
                        break;
                case '\'':
                        fputs("&#39;", f);
                        break;
                case '\t':
                case '\n':
                        fputc(c, f);
                        break;
                default:
                        if (c < 0x20 || c == 0x7f)
                                fputs(REPLACEMENT, f);
                        else
                                fputc(c, f);
                }
        }
}

void md_escape(FILE *f, const char *s)
{
        _cleanup_free_ char *copy = NULL;

        if (!s || !(s = valid_utf8(s, &copy)))
                return;
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;

                if (c < 0x20 || c == 0x7f)
                        fputc(' ', f);
                else if (strchr("\\`*_[]<>|&~!", c)) {
                        fputc('\\', f);
                        fputc(c, f);
                } else
                        fputc(c, f);
        }
}

void markup_or_dash(FILE *f, const char *s, MarkupEscape escape)
{
        if (isempty(s))
                fputs("–", f);
        else
                escape(f, s);
}

void markup_join(FILE *f, json_object *arr, const char *sep, MarkupEscape escape)
{
        size_t n = json_array_len(arr), k = 0;

        for (size_t i = 0; i < n; i++) {
                json_object *v = json_object_array_get_idx(arr, i);
                if (!json_object_is_type(v, json_type_string))
                        continue;
                fputs(k++ ? sep : "", f);
                escape(f, json_object_get_string(v));
        }
        if (k == 0)
                fputs("–", f);
}

void markup_join_member(FILE *f, json_object *arr, const char *member, const char *sep, MarkupEscape escape)
{
        size_t n = json_array_len(arr);

        for (size_t i = 0; i < n; i++) {
                fputs(i ? sep : "", f);
                escape(f, json_get_str(json_object_array_get_idx(arr, i), member));
        }
        if (n == 0)
                fputs("–", f);
}
