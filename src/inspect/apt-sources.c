/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pkgdb/deb822.h"
#include "shared/fileio.h"
#include "shared/strv.h"
#include "apt-sources.h"

static const char *const apt_source_format_table[_APT_SOURCE_FORMAT_MAX] = {
        [APT_SOURCE_ONE_LINE] = "one-line",
        [APT_SOURCE_DEB822] = "deb822",
};

DEFINE_STRING_TABLE_LOOKUP(apt_source_format, AptSourceFormat);

static const char *const apt_origin_table[_APT_ORIGIN_MAX] = {
        [APT_ORIGIN_UBUNTU] = "ubuntu",           [APT_ORIGIN_DEBIAN] = "debian",
        [APT_ORIGIN_MICROSOFT] = "microsoft",     [APT_ORIGIN_PPA] = "ppa",
        [APT_ORIGIN_THIRD_PARTY] = "third-party",
};

DEFINE_STRING_TABLE_LOOKUP(apt_origin, AptOrigin);

/* A view of a word of the input. */
typedef struct Word {
        const char *p;
        size_t n;
} Word;

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Splits the n bytes at s at whitespace into at most max words. Returns the number of words
 * there are (may be more than max: then only max were stored). */
static size_t split_words(const char *s, size_t n, Word *w, size_t max)
{
        const char *p = s, *end = s + n;
        size_t count = 0;

        for (;;) {
                const char *b;

                while (p < end && is_space(*p))
                        p++;
                if (p == end)
                        return count;
                b = p;
                while (p < end && !is_space(*p))
                        p++;
                if (count < max)
                        w[count] = (Word){ b, (size_t) (p - b) };
                count++;
        }
}

static bool word_is(Word w, const char *s)
{
        return strlen(s) == w.n && memcmp(w.p, s, w.n) == 0;
}

static void apt_source_done(AptSource *s)
{
        free(s->type);
        free(s->uri);
        free(s->suite);
        strv_free(s->components);
        strv_free(s->options);
}

void apt_source_list_done(AptSourceList *l)
{
        for (size_t i = 0; i < l->n; i++)
                apt_source_done(&l->items[i]);
        free(l->items);
        *l = (AptSourceList){};
}

static void note_invalid(AptSourceList *l, size_t line)
{
        if (l->n_invalid++ == 0)
                l->first_invalid_line = line;
}

char *apt_uri_strip_credentials(const char *uri, size_t n, bool *ret_had)
{
        const char *sep = memmem(uri, n, "://", 3), *auth, *auth_end, *at = NULL;
        char *r;

        if (ret_had)
                *ret_had = false;
        if (!sep)
                return strndup(uri, n);
        auth = sep + 3;
        auth_end = memchr(auth, '/', n - (size_t) (auth - uri)) ?: uri + n;
        for (const char *p = auth; p < auth_end; p++)
                if (*p == '@')
                        at = p;
        if (!at)
                return strndup(uri, n);
        if (ret_had)
                *ret_had = true;
        r = malloc(n + 1);
        if (!r)
                return NULL;
        memcpy(r, uri, (size_t) (auth - uri));
        memcpy(r + (auth - uri), at + 1, (size_t) (uri + n - (at + 1)));
        r[(auth - uri) + (uri + n - (at + 1))] = 0;
        return r;
}

/* Builds a strv from words (copied), or from "name=value" pairs. */
static int words_to_strv(const Word *w, size_t n, char ***ret)
{
        _cleanup_strv_free_ char **l = calloc(n + 1, sizeof(char *));

        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                l[i] = strndup(w[i].p, w[i].n);
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* Appends an entry built from the given parts; the strvs are copied. */
static int list_add(AptSourceList *l, size_t line, AptSourceFormat format, Word type, Word uri, Word suite,
                    char *const *components, char *const *options, bool enabled)
{
        AptSource s = { .line = line, .format = format, .enabled = enabled };
        size_t nc = strv_length(components), no = strv_length(options);

        if (l->n == l->alloc) {
                size_t na = l->alloc ? l->alloc * 2 : 16;
                AptSource *a = reallocarray(l->items, na, sizeof(AptSource));
                if (!a)
                        return -ENOMEM;
                l->items = a;
                l->alloc = na;
        }
        s.type = strndup(type.p, type.n);
        s.uri = apt_uri_strip_credentials(uri.p, uri.n, &s.uri_had_credentials);
        s.suite = strndup(suite.p, suite.n);
        s.components = calloc(nc + 1, sizeof(char *));
        s.options = calloc(no + 1, sizeof(char *));
        if (!s.type || !s.uri || !s.suite || !s.components || !s.options)
                goto oom;
        for (size_t i = 0; i < nc; i++)
                if (!(s.components[i] = strdup(components[i])))
                        goto oom;
        for (size_t i = 0; i < no; i++)
                if (!(s.options[i] = strdup(options[i])))
                        goto oom;
        l->items[l->n++] = s;
        return 0;
oom:
        apt_source_done(&s);
        return -ENOMEM;
}

static bool type_is_valid(Word w)
{
        return word_is(w, "deb") || word_is(w, "deb-src");
}

/* apt picks the acquire method by the URI's scheme ("http:", "mirror+https:", "cdrom:"): a URI
 * without one names nothing apt can fetch. */
static bool uri_is_valid(Word w)
{
        size_t i = 0;

        while (i < w.n &&
               ((w.p[i] >= 'a' && w.p[i] <= 'z') || (w.p[i] >= 'A' && w.p[i] <= 'Z') ||
                (w.p[i] >= '0' && w.p[i] <= '9') || w.p[i] == '+' || w.p[i] == '-' || w.p[i] == '.'))
                i++;
        return i > 0 && i < w.n && w.p[i] == ':';
}

/* One line of the one-line format. Returns 1 added, 0 nothing there, -EINVAL malformed,
 * -ENOMEM. */
static int parse_one_line(AptSourceList *l, size_t line_no, const char *line, size_t len)
{
        _cleanup_strv_free_ char **components = NULL, **options = NULL;
        Word w[2 + APT_SOURCE_WORDS_MAX], ow[APT_SOURCE_WORDS_MAX], type;
        const char *hash = memchr(line, '#', len), *p, *end;
        size_t n, no = 0;
        int r;

        /* apt strips a comment starting anywhere on the line. */
        end = hash ?: line + len;
        p = line;
        while (p < end && is_space(*p))
                p++;
        if (p == end)
                return 0;
        if (memchr(p, 0, (size_t) (end - p)))
                return -EINVAL;
        type.p = p;
        while (p < end && !is_space(*p) && *p != '[')
                p++;
        type.n = (size_t) (p - type.p);
        if (!type_is_valid(type))
                return -EINVAL;
        while (p < end && is_space(*p))
                p++;
        if (p < end && *p == '[') {
                const char *close = memchr(p, ']', (size_t) (end - p));

                if (!close)
                        return -EINVAL;
                no = split_words(p + 1, (size_t) (close - p - 1), ow, ELEMENTSOF(ow));
                if (no > ELEMENTSOF(ow))
                        return -EINVAL;
                for (size_t i = 0; i < no; i++) {
                        const char *eq = memchr(ow[i].p, '=', ow[i].n);
                        if (!eq || eq == ow[i].p)
                                return -EINVAL;
                }
                p = close + 1;
        }
        n = split_words(p, (size_t) (end - p), w, ELEMENTSOF(w));
        if (n < 2 || n > ELEMENTSOF(w) || !uri_is_valid(w[0]))
                return -EINVAL;
        r = words_to_strv(w + 2, n - 2, &components);
        if (r < 0)
                return r;
        r = words_to_strv(ow, no, &options);
        if (r < 0)
                return r;
        r = list_add(l, line_no, APT_SOURCE_ONE_LINE, type, w[0], w[1], components, options, true);
        return r < 0 ? r : 1;
}

int apt_sources_parse_one_line(const char *buf, size_t size, AptSourceList *l)
{
        LineIter it = line_iter_init(buf, size);
        size_t line_no = 0, len;
        const char *line;

        while (line_iter_next(&it, &line, &len)) {
                int r = parse_one_line(l, ++line_no, line, len);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        note_invalid(l, line_no);
        }
        return 0;
}

/* deb822 field names and the one-line option names apt gives them (sources.list(5)). */
static const struct {
        const char *field, *option;
} deb822_options[] = {
        { "Architectures", "arch" },
        { "Languages", "lang" },
        { "Targets", "target" },
        { "PDiffs", "pdiffs" },
        { "By-Hash", "by-hash" },
        { "Allow-Insecure", "allow-insecure" },
        { "Allow-Weak", "allow-weak" },
        { "Allow-Downgrade-To-Insecure", "allow-downgrade-to-insecure" },
        { "Trusted", "trusted" },
        { "Signed-By", "signed-by" },
        { "Check-Valid-Until", "check-valid-until" },
        { "Valid-Until-Min", "valid-until-min" },
        { "Valid-Until-Max", "valid-until-max" },
        { "Check-Date", "check-date" },
        { "Date-Max-Future", "date-max-future" },
        { "InRelease-Path", "inrelease-path" },
        { "Snapshot", "snapshot" },
};

static bool field_is(const Deb822Field *f, const char *name)
{
        return f->name_len == strlen(name) && strncasecmp(f->name, name, f->name_len) == 0;
}

/* "name=value" for a deb822 option field: multi-word values joined by commas as in the
 * one-line format; an embedded Signed-By key is not copied. */
static int deb822_option(const Deb822Field *f, char **ret)
{
        _cleanup_free_ char *name = NULL, *value = NULL;
        char *o;

        for (size_t i = 0; i < ELEMENTSOF(deb822_options) && !name; i++)
                if (field_is(f, deb822_options[i].field))
                        name = strdup(deb822_options[i].option);
        if (!name) {
                name = strndup(f->name, f->name_len);
                if (name)
                        for (char *p = name; *p; p++)
                                if (*p >= 'A' && *p <= 'Z')
                                        *p = (char) (*p - 'A' + 'a');
        }
        if (!name)
                return -ENOMEM;
        if (memmem(f->value, f->value_len, "-----BEGIN PGP", 14))
                value = strdup("(embedded OpenPGP key)");
        else {
                Word w[APT_SOURCE_WORDS_MAX];
                size_t n = split_words(f->value, f->value_len, w, ELEMENTSOF(w)), pos = 0;

                if (n > ELEMENTSOF(w))
                        return -E2BIG;
                value = malloc(f->value_len + 1);
                if (value) {
                        for (size_t i = 0; i < n; i++) {
                                if (i > 0)
                                        value[pos++] = ',';
                                memcpy(value + pos, w[i].p, w[i].n);
                                pos += w[i].n;
                        }
                        value[pos] = 0;
                }
        }
        if (!value)
                return -ENOMEM;
        if (asprintf(&o, "%s=%s", name, value) < 0)
                return -ENOMEM;
        *ret = o;
        return 0;
}

/* apt's StringToBool, for Enabled: */
static bool deb822_enabled(const Deb822Field *f)
{
        static const char *const no[] = { "no", "false", "without", "off", "disable" };

        if (!f)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (f->value_len == strlen(no[i]) && strncasecmp(f->value, no[i], f->value_len) == 0)
                        return false;
        return true;
}

/* One stanza. Returns 1 added, -EINVAL malformed, -ENOMEM. */
static int parse_stanza(AptSourceList *l, const Deb822 *d)
{
        _cleanup_strv_free_ char **components = NULL, **options = NULL;
        const Deb822Field *t = deb822_get(d, "Types"), *u = deb822_get(d, "URIs"),
                          *s = deb822_get(d, "Suites"), *c = deb822_get(d, "Components");
        Word tw[APT_SOURCE_WORDS_MAX], uw[APT_SOURCE_WORDS_MAX], sw[APT_SOURCE_WORDS_MAX],
                cw[APT_SOURCE_WORDS_MAX];
        size_t nt, nu, ns, nc = 0, no = 0;
        bool enabled = deb822_enabled(deb822_get(d, "Enabled"));
        int r;

        if (!t || !u || !s)
                return -EINVAL;
        nt = split_words(t->value, t->value_len, tw, ELEMENTSOF(tw));
        nu = split_words(u->value, u->value_len, uw, ELEMENTSOF(uw));
        ns = split_words(s->value, s->value_len, sw, ELEMENTSOF(sw));
        if (c)
                nc = split_words(c->value, c->value_len, cw, ELEMENTSOF(cw));
        if (nt == 0 || nu == 0 || ns == 0 || nt > ELEMENTSOF(tw) || nu > ELEMENTSOF(uw) ||
            ns > ELEMENTSOF(sw) || nc > ELEMENTSOF(cw) || nt * nu * ns > APT_SOURCE_EXPANSION_MAX)
                return -EINVAL;
        for (size_t i = 0; i < nt; i++)
                if (!type_is_valid(tw[i]))
                        return -EINVAL;
        for (size_t i = 0; i < nu; i++)
                if (!uri_is_valid(uw[i]))
                        return -EINVAL;
        for (size_t i = 0; i < d->n_fields; i++)
                if (memchr(d->fields[i].value, 0, d->fields[i].value_len))
                        return -EINVAL;

        r = words_to_strv(cw, nc, &components);
        if (r < 0)
                return r;
        options = calloc(MIN(d->n_fields, (size_t) APT_SOURCE_WORDS_MAX) + 1, sizeof(char *));
        if (!options)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_fields; i++) {
                const Deb822Field *f = &d->fields[i];

                if (field_is(f, "Types") || field_is(f, "URIs") || field_is(f, "Suites") ||
                    field_is(f, "Components") || field_is(f, "Enabled"))
                        continue;
                if (no >= APT_SOURCE_WORDS_MAX)
                        return -EINVAL;
                r = deb822_option(f, &options[no]);
                if (r == -E2BIG)
                        return -EINVAL;
                if (r < 0)
                        return r;
                no++;
        }

        for (size_t i = 0; i < nt; i++)
                for (size_t j = 0; j < nu; j++)
                        for (size_t k = 0; k < ns; k++) {
                                r = list_add(l, d->stanza_line, APT_SOURCE_DEB822, tw[i], uw[j], sw[k],
                                             components, options, enabled);
                                if (r < 0)
                                        return r;
                        }
        return 1;
}

int apt_sources_parse_deb822(const char *buf, size_t size, AptSourceList *l)
{
        Deb822 d;
        int r;

        deb822_init(&d, buf, size);
        while ((r = deb822_next(&d)) > 0) {
                r = parse_stanza(l, &d);
                if (r == -ENOMEM)
                        break;
                if (r < 0)
                        note_invalid(l, d.stanza_line);
        }
        /* Lines that were neither a field, a continuation nor a comment. */
        for (size_t i = 0; r >= 0 && i < d.bad_lines; i++)
                note_invalid(l, 0);
        deb822_done(&d);
        return r < 0 ? r : 0;
}

/* Hosts, exact or as a suffix when written ".name". */
static const struct {
        const char *host;
        AptOrigin origin;
} origin_hosts[] = {
        { "archive.ubuntu.com", APT_ORIGIN_UBUNTU },
        { ".archive.ubuntu.com", APT_ORIGIN_UBUNTU }, /* azure.archive.ubuntu.com, us.archive..., */
        { "security.ubuntu.com", APT_ORIGIN_UBUNTU },
        { "ports.ubuntu.com", APT_ORIGIN_UBUNTU },
        { "snapshot.ubuntu.com", APT_ORIGIN_UBUNTU },
        { "esm.ubuntu.com", APT_ORIGIN_UBUNTU },
        { "old-releases.ubuntu.com", APT_ORIGIN_UBUNTU },
        { "debian.org", APT_ORIGIN_DEBIAN },
        { ".debian.org", APT_ORIGIN_DEBIAN }, /* deb.debian.org, security.debian.org, ... */
        { "packages.microsoft.com", APT_ORIGIN_MICROSOFT },
        { "ppa.launchpad.net", APT_ORIGIN_PPA },
        { "ppa.launchpadcontent.net", APT_ORIGIN_PPA },
};

AptOrigin apt_uri_origin(const char *uri)
{
        const char *sep = strstr(uri, "://"), *auth, *end, *at, *h, *he;
        char host[256];
        size_t n;

        if (!sep)
                return APT_ORIGIN_THIRD_PARTY; /* file:/, cdrom:[...]/ */
        auth = sep + 3;
        end = auth + strcspn(auth, "/?#");
        at = NULL;
        for (const char *p = auth; p < end; p++)
                if (*p == '@')
                        at = p;
        h = at ? at + 1 : auth;
        if (*h == '[') /* an IPv6 literal */
                return APT_ORIGIN_THIRD_PARTY;
        he = memchr(h, ':', (size_t) (end - h)) ?: end;
        n = (size_t) (he - h);
        while (n > 0 && h[n - 1] == '.')
                n--;
        if (n == 0 || n >= sizeof(host))
                return APT_ORIGIN_THIRD_PARTY;
        for (size_t i = 0; i < n; i++)
                host[i] = (char) ((h[i] >= 'A' && h[i] <= 'Z') ? h[i] - 'A' + 'a' : h[i]);
        host[n] = 0;

        for (size_t i = 0; i < ELEMENTSOF(origin_hosts); i++) {
                const char *o = origin_hosts[i].host;
                if (o[0] == '.' ? (endswith(host, o) != NULL) : streq(host, o))
                        return origin_hosts[i].origin;
        }
        return APT_ORIGIN_THIRD_PARTY;
}
