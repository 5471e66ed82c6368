/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "shared/macro.h"
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
