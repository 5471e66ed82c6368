/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shared/macro.h"
#include "deb822.h"

void deb822_init(Deb822 *d, const char *buf, size_t size)
{
        *d = (Deb822){ .lines = line_iter_init(buf, size) };
}

void deb822_done(Deb822 *d)
{
        free(d->fields);
        d->fields = NULL;
        d->n_fields = d->alloc = 0;
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t';
}

static int add_field(Deb822 *d, const char *name, size_t nl, const char *value, size_t vl)
{
        if (d->n_fields == d->alloc) {
                size_t na = d->alloc ? d->alloc * 2 : 32;
                Deb822Field *f = reallocarray(d->fields, na, sizeof(Deb822Field));
                if (!f)
                        return -ENOMEM;
                d->fields = f;
                d->alloc = na;
        }
        d->fields[d->n_fields++] = (Deb822Field){ name, nl, value, vl };
        return 0;
}

/* Extends the last field's value to end at e (the end of a continuation line). */
static void extend_field(Deb822 *d, const char *e)
{
        Deb822Field *f = &d->fields[d->n_fields - 1];
        f->value_len = (size_t) (e - f->value);
}

static void trim_values(Deb822 *d)
{
        for (size_t i = 0; i < d->n_fields; i++) {
                Deb822Field *f = &d->fields[i];
                while (f->value_len > 0 && strchr(" \t\r\n", f->value[f->value_len - 1]))
                        f->value_len--;
        }
}

int deb822_next(Deb822 *d)
{
        const char *line;
        size_t len;
        bool in_stanza = false;
        int r;

        d->n_fields = 0;
        while (line_iter_next(&d->lines, &line, &len)) {
                const char *colon;

                d->line_no++;
                if (len == 0) {
                        if (in_stanza)
                                break;
                        continue;
                }
                if (line[0] == '#')
                        continue;
                if (is_blank(line[0])) {
                        if (d->n_fields > 0)
                                extend_field(d, line + len);
                        else
                                d->bad_lines++; /* a continuation with nothing to continue */
                        continue;
                }
                colon = memchr(line, ':', len);
                if (!colon || colon == line) {
                        d->bad_lines++;
                        continue;
                }
                if (!in_stanza) {
                        in_stanza = true;
                        d->stanza_line = d->line_no;
                }
                {
                        const char *v = colon + 1, *e = line + len;
                        while (v < e && is_blank(*v))
                                v++;
                        r = add_field(d, line, (size_t) (colon - line), v, (size_t) (e - v));
                        if (r < 0)
                                return r;
                }
        }
        trim_values(d);
        return d->n_fields > 0 ? 1 : 0;
}

const Deb822Field *deb822_get(const Deb822 *d, const char *name)
{
        size_t nl = strlen(name);

        for (size_t i = 0; i < d->n_fields; i++)
                if (d->fields[i].name_len == nl && strncasecmp(d->fields[i].name, name, nl) == 0)
                        return &d->fields[i];
        return NULL;
}

char *deb822_value_folded(const Deb822Field *f)
{
        const char *p, *end;
        char *r, *o;

        if (!f)
                return NULL;
        r = o = malloc(f->value_len + 1);
        if (!r)
                return NULL;
        p = f->value;
        end = f->value + f->value_len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p)), *le = nl ? nl : end, *s = p;

                while (s < le && strchr(" \t\r", *s))
                        s++;
                while (le > s && strchr(" \t\r", le[-1]))
                        le--;
                if (le > s) {
                        if (o > r)
                                *o++ = ' ';
                        memcpy(o, s, (size_t) (le - s));
                        o += le - s;
                }
                p = nl ? nl + 1 : end;
        }
        *o = 0;
        return r;
}
