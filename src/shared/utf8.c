/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Returns the length of the valid UTF-8 sequence at s (at most n bytes), or 0 when invalid.
 * Rejects overlong forms, surrogates and code points above U+10FFFF, as RFC 3629 requires. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
        uint32_t cp;
        size_t len;

        if (s[0] == 0)
                return 0;
        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xE0) == 0xC0) {
                len = 2;
                cp = s[0] & 0x1F;
        } else if ((s[0] & 0xF0) == 0xE0) {
                len = 3;
                cp = s[0] & 0x0F;
        } else if ((s[0] & 0xF8) == 0xF0) {
                len = 4;
                cp = s[0] & 0x07;
        } else
                return 0;
        if (len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
                return 0;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;
        return len;
}

bool utf8_is_valid_n(const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *) s;

        while (n > 0) {
                size_t l = utf8_seq_len(p, n);
                if (l == 0)
                        return false;
                p += l;
                n -= l;
        }
        return true;
}

char *utf8_sanitize_n(const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *) s;
        char *r, *o;

        /* Worst case: every byte becomes the 3-byte replacement character. */
        if (n > (SIZE_MAX - 1) / 3)
                return NULL;
        r = o = malloc(n * 3 + 1);
        if (!r)
                return NULL;
        while (n > 0) {
                size_t l = utf8_seq_len(p, n);
                if (l == 0) {
                        memcpy(o, "\xEF\xBF\xBD", 3);
                        o += 3;
                        l = 1;
                } else {
                        memcpy(o, p, l);
                        o += l;
                }
                p += l;
                n -= l;
        }
        *o = 0;
        return r;
}
