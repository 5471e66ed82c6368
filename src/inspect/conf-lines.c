/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/fileio.h"
#include "shared/macro.h"
#include "conf-lines.h"

static int call(ConfLineFn fn, const char *line, size_t len, unsigned no, void *userdata, size_t *n_invalid,
                unsigned *first_invalid_line)
{
        int r = fn(line, len, no, userdata);

        if (r != -EINVAL)
                return r;
        if ((*n_invalid)++ == 0)
                *first_invalid_line = no;
        return 0;
}

/* A growing copy of a continued line. */
typedef struct Joined {
        char *s;
        size_t n, alloc;
} Joined;

static int joined_append(Joined *b, const char *p, size_t n)
{
        if (b->n + n + 1 > b->alloc) {
                size_t na = MAX(b->alloc * 2, b->n + n + 1);
                char *s = realloc(b->s, na);
                if (!s)
                        return -ENOMEM;
                b->s = s;
                b->alloc = na;
        }
        memcpy(b->s + b->n, p, n);
        b->n += n;
        b->s[b->n] = 0;
        return 0;
}

static int parse_continued(const char *buf, size_t size, ConfLineFn fn, void *userdata, size_t *n_invalid,
                           unsigned *first_invalid_line)
{
        LineIter it = line_iter_init(buf, size);
        Joined joined = {};
        const char *line;
        size_t len;
        unsigned no = 0, start = 0;
        int r = 0;

        for (;;) {
                bool more = line_iter_next(&it, &line, &len), cont;

                if (more) {
                        no++;
                        if (joined.n == 0)
                                start = no;
                        cont = len > 0 && line[len - 1] == '\\';
                        r = joined_append(&joined, line, cont ? len - 1 : len);
                        if (r < 0)
                                break;
                        if (cont)
                                continue;
                } else if (joined.n == 0)
                        break;

                r = call(fn, joined.s, joined.n, start, userdata, n_invalid, first_invalid_line);
                joined.n = 0;
                if (r < 0 || !more)
                        break;
        }
        free(joined.s);
        return r;
}

int conf_lines_parse(const char *buf, size_t size, ConfLinesFlags flags, ConfLineFn fn, void *userdata,
                     size_t *n_invalid, unsigned *first_invalid_line)
{
        LineIter it = line_iter_init(buf, size);
        const char *line;
        size_t len;
        unsigned no = 0;
        int r;

        if (flags & CONF_LINES_CONTINUATION)
                return parse_continued(buf, size, fn, userdata, n_invalid, first_invalid_line);
        while (line_iter_next(&it, &line, &len)) {
                r = call(fn, line, len, ++no, userdata, n_invalid, first_invalid_line);
                if (r < 0)
                        return r;
        }
        return 0;
}

int conf_lines_append(void *array, size_t *n, const void *e, size_t size)
{
        void **a = array;
        char *na = reallocarray(*a, *n + 1, size);

        if (!na)
                return -ENOMEM;
        memcpy(na + *n * size, e, size);
        *a = na;
        (*n)++;
        return 0;
}

void conf_lines_free(void *array, size_t n, size_t size, void (*done)(void *e))
{
        for (size_t i = 0; i < n; i++)
                done((char *) array + i * size);
        free(array);
}

bool conf_line_is_comment(const char *line, size_t len)
{
        return len == 0 || line[0] == '#' || line[0] == ';';
}

bool conf_text_is_valid(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (((unsigned char) s[i] < ' ' && s[i] != '\t') || s[i] == 0x7f)
                        return false;
        return true;
}
