/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/string-util.h"
#include "shared/strv.h"
#include "toml.h"

typedef struct Parser {
        const char *p, *end;
        unsigned line;
        TomlDoc *doc;
        size_t alloc_entries;
        char **table; /* path of the current [table] */
        size_t n_table;
        size_t key_bytes; /* bytes of all key paths recorded so far */
} Parser;

/* A growable string with a hard size limit. */
typedef struct Buf {
        char *s;
        size_t n, alloc, max;
} Buf;

static int buf_put(Buf *b, const char *p, size_t n)
{
        if (n > b->max - b->n)
                return -E2BIG;
        if (b->n + n + 1 > b->alloc) {
                size_t na = MAX(MAX(b->alloc * 2, b->n + n + 1), (size_t) 32);
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

/* Hands the string out (an empty one when nothing was put). */
static int buf_take(Buf *b, char **ret)
{
        if (!b->s) {
                b->s = strdup("");
                if (!b->s)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(b->s);
        return 0;
}

static int buf_put_utf8(Buf *b, uint32_t cp)
{
        char u[4];
        size_t n;

        /* TOML escapes must be Unicode scalar values. */
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return -EBADMSG;
        if (cp == 0)
                return -EBADMSG; /* would truncate the C string */
        if (cp < 0x80) {
                u[0] = (char) cp;
                n = 1;
        } else if (cp < 0x800) {
                u[0] = (char) (0xC0 | (cp >> 6));
                u[1] = (char) (0x80 | (cp & 0x3F));
                n = 2;
        } else if (cp < 0x10000) {
                u[0] = (char) (0xE0 | (cp >> 12));
                u[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
                u[2] = (char) (0x80 | (cp & 0x3F));
                n = 3;
        } else {
                u[0] = (char) (0xF0 | (cp >> 18));
                u[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
                u[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
                u[3] = (char) (0x80 | (cp & 0x3F));
                n = 4;
        }
        return buf_put(b, u, n);
}

static void toml_value_done(TomlValue *v)
{
        free(v->str);
        for (size_t i = 0; i < v->n_items; i++)
                toml_value_done(&v->items[i]);
        free(v->items);
        *v = (TomlValue){};
}

TomlDoc *toml_doc_free(TomlDoc *d)
{
        if (!d)
                return NULL;
        for (size_t i = 0; i < d->n_entries; i++) {
                strv_free(d->entries[i].key);
                toml_value_done(&d->entries[i].value);
        }
        free(d->entries);
        free(d);
        return NULL;
}

static bool at_end(const Parser *x)
{
        return x->p >= x->end;
}

/* The current byte, or 0 at the end (the input has no NUL bytes). */
static char cur(const Parser *x)
{
        return x->p < x->end ? *x->p : 0;
}

static char peek_at(const Parser *x, size_t i)
{
        return (size_t) (x->end - x->p) > i ? x->p[i] : 0;
}

static bool is_control(char c)
{
        return (unsigned char) c < 0x20 || c == 0x7F;
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static bool is_bare_key_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-';
}

static void skip_ws(Parser *x)
{
        while (x->p < x->end && (*x->p == ' ' || *x->p == '\t'))
                x->p++;
}

static void skip_comment(Parser *x)
{
        if (cur(x) != '#')
                return;
        while (x->p < x->end && *x->p != '\n')
                x->p++;
}

static bool eat_newline(Parser *x)
{
        if (cur(x) == '\n') {
                x->p++;
        } else if (cur(x) == '\r' && peek_at(x, 1) == '\n') {
                x->p += 2;
        } else
                return false;
        x->line++;
        return true;
}

/* Inside arrays and inline tables: blanks, comments and newlines. */
static void skip_ws_nl(Parser *x)
{
        for (;;) {
                skip_ws(x);
                skip_comment(x);
                if (!eat_newline(x))
                        return;
        }
}

/* After a key/value pair or a table header only blanks and a comment may follow on the line. */
static int expect_eol(Parser *x)
{
        skip_ws(x);
        skip_comment(x);
        if (at_end(x) || eat_newline(x))
                return 0;
        return -EBADMSG;
}

static int hex_value(char c)
{
        if (is_digit(c))
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static int parse_escape(Parser *x, Buf *b)
{
        static const struct {
                char c, v;
        } simple[] = {
                { 'b', '\b' }, { 't', '\t' },   { 'n', '\n' }, { 'f', '\f' },
                { 'r', '\r' }, { 'e', '\x1b' }, { '"', '"' },  { '\\', '\\' },
        };
        char c = cur(x);
        size_t digits = 0;
        uint32_t cp = 0;

        if (at_end(x))
                return -EBADMSG;
        x->p++;
        for (size_t i = 0; i < ELEMENTSOF(simple); i++)
                if (simple[i].c == c)
                        return buf_put(b, &simple[i].v, 1);
        if (c == 'x') /* TOML 1.1 */
                digits = 2;
        else if (c == 'u')
                digits = 4;
        else if (c == 'U')
                digits = 8;
        else
                return -EBADMSG;
        for (size_t i = 0; i < digits; i++) {
                int h = hex_value(cur(x));
                if (h < 0)
                        return -EBADMSG;
                cp = (cp << 4) | (uint32_t) h;
                x->p++;
        }
        return buf_put_utf8(b, cp);
}

/* The body of a string, after its opening quote(s): a "basic" string (quote '"') with escapes, or a
 * 'literal' one (quote '\'') without. */
static int parse_string_body(Parser *x, char quote, bool multiline, Buf *b)
{
        const char quotes[2] = { quote, quote };
        bool basic = quote == '"';
        int r;

        if (multiline)
                (void) eat_newline(x); /* a newline right after """ is not content */
        for (;;) {
                const char *s = x->p;
                char c;

                /* Copy a run of ordinary characters at once. */
                while (x->p < x->end && *x->p != quote && !(basic && *x->p == '\\') &&
                       (!is_control(*x->p) || *x->p == '\t'))
                        x->p++;
                if (x->p > s && (r = buf_put(b, s, (size_t) (x->p - s))) < 0)
                        return r;
                if (at_end(x))
                        return -EBADMSG; /* unterminated */
                c = *x->p;
                if (c == quote) {
                        size_t q = 1;

                        if (!multiline) {
                                x->p++;
                                return 0;
                        }
                        while (q < 5 && peek_at(x, q) == quote)
                                q++;
                        if (q >= 3) {
                                /* """ closes; up to two quotes before it are content: """a""""" */
                                r = buf_put(b, quotes, q - 3);
                                x->p += q;
                                return r;
                        }
                        if ((r = buf_put(b, x->p, q)) < 0)
                                return r;
                        x->p += q;
                } else if (basic && c == '\\') {
                        char n = peek_at(x, 1);

                        if (multiline && (n == ' ' || n == '\t' || n == '\n' || n == '\r')) {
                                /* A line-ending backslash eats all blanks and newlines after it. */
                                x->p++;
                                skip_ws(x);
                                if (!eat_newline(x))
                                        return -EBADMSG;
                                for (;;) {
                                        skip_ws(x);
                                        if (!eat_newline(x))
                                                break;
                                }
                                continue;
                        }
                        x->p++;
                        if ((r = parse_escape(x, b)) < 0)
                                return r;
                } else if (multiline && (c == '\n' || (c == '\r' && peek_at(x, 1) == '\n'))) {
                        (void) eat_newline(x);
                        if ((r = buf_put(b, "\n", 1)) < 0)
                                return r;
                } else
                        return -EBADMSG; /* a newline in a one-line string, or a control character */
        }
}

/* A string value or quoted key at x->p (on its first quote). */
static int parse_string(Parser *x, size_t max, char **ret)
{
        Buf b = { .max = max };
        char quote = cur(x);
        bool multiline = peek_at(x, 1) == quote && peek_at(x, 2) == quote;
        int r;

        x->p += multiline ? 3 : 1;
        r = parse_string_body(x, quote, multiline, &b);
        if (r >= 0)
                r = buf_take(&b, ret);
        free(b.s);
        return r;
}

static int parse_key_component(Parser *x, char **ret)
{
        const char *s = x->p;
        char *k;

        if (cur(x) == '"' || cur(x) == '\'') {
                /* Quoted keys are one line. */
                if (peek_at(x, 1) == cur(x) && peek_at(x, 2) == cur(x))
                        return -EBADMSG;
                return parse_string(x, TOML_KEY_MAX, ret);
        }
        while (x->p < x->end && is_bare_key_char(*x->p)) {
                x->p++;
                if ((size_t) (x->p - s) > TOML_KEY_MAX)
                        return -E2BIG;
        }
        if (x->p == s)
                return -EBADMSG;
        k = strndup(s, (size_t) (x->p - s));
        if (!k)
                return -ENOMEM;
        *ret = k;
        return 0;
}

/* A dotted key: a.b."c.d". Returns a strv of its components. */
static int parse_key(Parser *x, char ***ret, size_t *ret_n)
{
        _cleanup_strv_free_ char **k = NULL;
        size_t n = 0;
        int r;

        for (;;) {
                char *c;

                skip_ws(x);
                if (n >= TOML_PATH_MAX)
                        return -E2BIG;
                r = parse_key_component(x, &c);
                if (r < 0)
                        return r;
                if (strv_consume(&k, c) < 0)
                        return -ENOMEM;
                n++;
                skip_ws(x);
                if (cur(x) != '.')
                        break;
                x->p++;
        }
        *ret = TAKE_PTR(k);
        *ret_n = n;
        return 0;
}

/* Copies the path a + b for an entry. Every entry below a [table] repeats the table's path, so the
 * bytes of all paths together are bounded too: a small document cannot make us allocate gigabytes. */
static int path_join(Parser *x, char *const *a, size_t na, char *const *b, size_t nb, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;

        if (na + nb > TOML_PATH_MAX)
                return -E2BIG;
        for (size_t i = 0; i < na + nb; i++) {
                x->key_bytes += strlen(i < na ? a[i] : b[i - na]) + 1 + sizeof(char *);
                if (x->key_bytes > TOML_KEY_BYTES_MAX)
                        return -E2BIG;
        }
        l = calloc(na + nb + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < na + nb; i++) {
                l[i] = strdup(i < na ? a[i] : b[i - na]);
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* Records an entry; takes ownership of key and of *v (also on failure). */
static int add_entry(Parser *x, char **key, size_t n_key, TomlValue *v, unsigned line)
{
        TomlDoc *d = x->doc;

        if (d->n_entries >= TOML_ENTRIES_MAX) {
                strv_free(key);
                toml_value_done(v);
                return -E2BIG;
        }
        if (d->n_entries >= x->alloc_entries) {
                size_t na = MAX(x->alloc_entries * 2, (size_t) 64);
                TomlEntry *e = reallocarray(d->entries, na, sizeof(TomlEntry));
                if (!e) {
                        strv_free(key);
                        toml_value_done(v);
                        return -ENOMEM;
                }
                d->entries = e;
                x->alloc_entries = na;
        }
        d->entries[d->n_entries++] = (TomlEntry){ .key = key, .n_key = n_key, .value = *v, .line = line };
        *v = (TomlValue){};
        return 0;
}

static bool all_chars_in(const char *s, const char *set)
{
        for (; *s; s++)
                if (!strchr(set, *s))
                        return false;
        return true;
}

/* Integers: decimal with an optional sign, or 0x / 0o / 0b; '_' only between digits. */
static int parse_integer(const char *t, int64_t *ret)
{
        const char *s = t;
        bool neg = false, prev_digit = false;
        unsigned base = 10;
        uint64_t v = 0, limit;
        size_t digits = 0;

        if (*s == '+' || *s == '-') {
                neg = *s == '-';
                s++;
        }
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
                if (s != t)
                        return -EBADMSG; /* no sign on prefixed integers */
                base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
                s += 2;
        }
        limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
        for (; *s; s++) {
                int d;

                if (*s == '_') {
                        if (!prev_digit || !s[1] || s[1] == '_')
                                return -EBADMSG;
                        prev_digit = false;
                        continue;
                }
                d = hex_value(*s);
                if (d < 0 || (unsigned) d >= base)
                        return -EBADMSG;
                if (v > (limit - (uint64_t) d) / base)
                        return -EBADMSG; /* out of range: TOML says reject */
                v = v * base + (uint64_t) d;
                prev_digit = true;
                digits++;
        }
        if (digits == 0)
                return -EBADMSG;
        *ret = neg ? (int64_t) (0 - v) : (int64_t) v;
        return 0;
}

/* Unquoted scalars: booleans, integers, floats, date-times. */
static int parse_scalar(Parser *x, TomlValue *ret)
{
        _cleanup_free_ char *t = NULL;
        const char *s = x->p, *unsigned_part;
        size_t n;

        for (;;) {
                while (x->p < x->end && (is_bare_key_char(*x->p) || strchr(":.+", *x->p)))
                        x->p++;
                n = (size_t) (x->p - s);
                /* "1979-05-27 07:32:00": a date and a time separated by one space */
                if (n == 10 && s[4] == '-' && s[7] == '-' && cur(x) == ' ' && is_digit(peek_at(x, 1)) &&
                    is_digit(peek_at(x, 2)) && peek_at(x, 3) == ':') {
                        x->p++;
                        continue;
                }
                break;
        }
        if (n == 0 || n > 256)
                return -EBADMSG;
        t = strndup(s, n);
        if (!t)
                return -ENOMEM;

        if (streq(t, "true") || streq(t, "false")) {
                *ret = (TomlValue){ .type = TOML_BOOLEAN, .boolean = t[0] == 't' };
                return 0;
        }
        unsigned_part = t + (t[0] == '+' || t[0] == '-');
        if (streq(unsigned_part, "inf") || streq(unsigned_part, "nan")) {
                *ret = (TomlValue){ .type = TOML_FLOAT, .str = TAKE_PTR(t) };
                return 0;
        }
        if ((n >= 5 && is_digit(t[0]) && t[4] == '-') || (n >= 5 && is_digit(t[0]) && t[2] == ':')) {
                if (!all_chars_in(t, "0123456789-:.TtZz+ "))
                        return -EBADMSG;
                *ret = (TomlValue){ .type = TOML_DATETIME, .str = TAKE_PTR(t) };
                return 0;
        }
        if (strpbrk(t, ".eE") && !startswith(t, "0x") && all_chars_in(t, "0123456789_.eE+-")) {
                *ret = (TomlValue){ .type = TOML_FLOAT, .str = TAKE_PTR(t) };
                return 0;
        }
        *ret = (TomlValue){ .type = TOML_INTEGER };
        return parse_integer(t, &ret->integer);
}

static int parse_value(Parser *x, TomlValue *ret, char *const *base, size_t n_base, unsigned depth);

/* After an item of an array or inline table, and blanks, comments and newlines: a ',' (returns 1:
 * more may follow) or the closing character close (returns 0). Either is consumed. */
static int list_separator(Parser *x, char close)
{
        skip_ws_nl(x);
        if (cur(x) == ',') {
                x->p++;
                return 1;
        }
        if (cur(x) == close) {
                x->p++;
                return 0;
        }
        return -EBADMSG;
}

static int parse_array(Parser *x, TomlValue *ret, unsigned depth)
{
        TomlValue a = { .type = TOML_ARRAY };
        size_t alloc = 0;
        int r;

        x->p++; /* [ */
        for (;;) {
                skip_ws_nl(x);
                if (cur(x) == ']') {
                        x->p++;
                        break;
                }
                if (a.n_items >= TOML_ARRAY_MAX) {
                        r = -E2BIG;
                        goto fail;
                }
                if (a.n_items >= alloc) {
                        size_t na = MAX(alloc * 2, (size_t) 8);
                        TomlValue *v = reallocarray(a.items, na, sizeof(TomlValue));
                        if (!v) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        a.items = v;
                        alloc = na;
                }
                a.items[a.n_items] = (TomlValue){};
                r = parse_value(x, &a.items[a.n_items], NULL, 0, depth + 1);
                a.n_items++; /* counted also on failure: toml_value_done() frees what was parsed */
                if (r < 0)
                        goto fail;
                r = list_separator(x, ']');
                if (r < 0)
                        goto fail;
                if (r == 0)
                        break;
        }
        *ret = a;
        return 0;
fail:
        toml_value_done(&a);
        return r;
}

/* "key = value" at x->p (on the key). With record, the value is recorded as an entry below the path
 * base (n_base components, base may be NULL when n_base is 0); without, it is checked and dropped. */
static int parse_assignment(Parser *x, char *const *base, size_t n_base, bool record, unsigned depth)
{
        _cleanup_strv_free_ char **k = NULL;
        char **full = NULL;
        TomlValue v = {};
        unsigned line;
        size_t nk;
        int r;

        r = parse_key(x, &k, &nk);
        if (r < 0)
                return r;
        if (cur(x) != '=')
                return -EBADMSG;
        x->p++;
        skip_ws(x);
        line = x->line;
        if (!record) {
                r = parse_value(x, &v, NULL, 0, depth);
                toml_value_done(&v);
                return r;
        }
        r = path_join(x, base, n_base, k, nk, &full);
        if (r < 0)
                return r;
        r = parse_value(x, &v, full, n_base + nk, depth);
        if (r < 0) {
                strv_free(full);
                toml_value_done(&v);
                return r;
        }
        return add_entry(x, full, n_base + nk, &v, line);
}

/* { k = v, ... }. With base, every key is recorded as an entry below base; without (an inline table
 * inside an array), the content is checked and dropped. Newlines and a trailing comma are accepted
 * (TOML 1.1). */
static int parse_inline_table(Parser *x, TomlValue *ret, char *const *base, size_t n_base, unsigned depth)
{
        int r;

        x->p++; /* { */
        for (;;) {
                skip_ws_nl(x);
                if (cur(x) == '}') {
                        x->p++;
                        break;
                }
                r = parse_assignment(x, base, n_base, base != NULL, depth + 1);
                if (r < 0)
                        return r;
                r = list_separator(x, '}');
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
        }
        *ret = (TomlValue){ .type = TOML_TABLE };
        return 0;
}

static int parse_value(Parser *x, TomlValue *ret, char *const *base, size_t n_base, unsigned depth)
{
        char c = cur(x);

        if (depth >= TOML_NESTING_MAX)
                return -E2BIG;
        if (c == '"' || c == '\'') {
                *ret = (TomlValue){ .type = TOML_STRING };
                return parse_string(x, TOML_STRING_MAX, &ret->str);
        }
        if (c == '[')
                return parse_array(x, ret, depth);
        if (c == '{')
                return parse_inline_table(x, ret, base, n_base, depth);
        return parse_scalar(x, ret);
}

static int parse_table_header(Parser *x)
{
        _cleanup_strv_free_ char **k = NULL;
        char **copy = NULL;
        TomlValue v = { .type = TOML_TABLE };
        bool aot = peek_at(x, 1) == '[';
        unsigned line = x->line;
        size_t nk;
        int r;

        x->p += aot ? 2 : 1;
        r = parse_key(x, &k, &nk);
        if (r < 0)
                return r;
        if (cur(x) != ']' || (aot && peek_at(x, 1) != ']'))
                return -EBADMSG;
        x->p += aot ? 2 : 1;
        r = expect_eol(x);
        if (r < 0)
                return r;
        r = path_join(x, k, nk, NULL, 0, &copy);
        if (r < 0)
                return r;
        r = add_entry(x, copy, nk, &v, line);
        if (r < 0)
                return r;
        strv_free(x->table);
        x->table = TAKE_PTR(k);
        x->n_table = nk;
        return 0;
}

static int parse_key_value(Parser *x)
{
        int r;

        r = parse_assignment(x, x->table, x->n_table, /* record= */ true, 0);
        if (r < 0)
                return r;
        return expect_eol(x);
}

int toml_parse(const char *buf, size_t size, TomlDoc **ret, unsigned *ret_error_line)
{
        _cleanup_(toml_doc_freep) TomlDoc *d = NULL;
        Parser x = { .p = buf, .end = buf + size, .line = 1 };
        int r = 0;

        d = calloc(1, sizeof(TomlDoc));
        if (!d)
                return -ENOMEM;
        x.doc = d;
        if (memchr(buf, 0, size)) {
                /* Binary data is not TOML; find the line for the message. */
                const char *z = memchr(buf, 0, size);
                for (const char *s = buf; s < z; s++)
                        x.line += *s == '\n';
                r = -EBADMSG;
                goto finish;
        }
        if (size >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
                x.p += 3;
        while (!at_end(&x)) {
                skip_ws(&x);
                skip_comment(&x);
                if (at_end(&x) || eat_newline(&x))
                        continue;
                r = cur(&x) == '[' ? parse_table_header(&x) : parse_key_value(&x);
                if (r < 0)
                        break;
        }
finish:
        strv_free(x.table);
        if (r < 0) {
                if (ret_error_line)
                        *ret_error_line = x.line;
                return r;
        }
        *ret = TAKE_PTR(d);
        return 0;
}
