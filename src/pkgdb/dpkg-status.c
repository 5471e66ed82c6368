/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/string-util.h"
#include "shared/strv.h"
#include "deb822.h"
#include "dpkg-status.h"

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool dpkg_name_is_valid(const char *s, size_t n)
{
        if (n < 1 || n > DPKG_NAME_MAX || !is_lower_alnum(s[0]))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!is_lower_alnum(s[i]) && (s[i] == 0 || !strchr("+-.", s[i])))
                        return false;
        return true;
}

bool dpkg_version_is_valid(const char *s, size_t n)
{
        if (n < 1 || n > DPKG_VERSION_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      (c != 0 && strchr(".+~:-", c))))
                        return false;
        }
        return true;
}

bool dpkg_arch_is_valid(const char *s, size_t n)
{
        if (n < 1 || n > 64)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_lower_alnum(s[i]) && s[i] != '-')
                        return false;
        return true;
}

static void package_done(DpkgPackage *p)
{
        free(p->name);
        free(p->version);
        free(p->arch);
        free(p->source);
        free(p->source_version);
        free(p->want);
        free(p->state);
        free(p->section);
        free(p->priority);
        free(p->multi_arch);
        strv_free(p->provides);
}

DpkgStatus *dpkg_status_free(DpkgStatus *s)
{
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_packages; i++)
                package_done(&s->packages[i]);
        free(s->packages);
        strv_free(s->problems);
        free(s);
        return NULL;
}

static int dup_field(const Deb822 *d, const char *name, size_t max, char **ret)
{
        const Deb822Field *f = deb822_get(d, name);

        *ret = NULL;
        if (!f)
                return 0;
        if (f->value_len > max)
                return -EINVAL;
        *ret = strndup(f->value, f->value_len);
        return *ret ? 0 : -ENOMEM;
}

/* "Provides: foo, bar (= 1.0), baz:any" gives foo, bar, baz. */
static int parse_provides(const Deb822Field *f, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *v = deb822_value_folded(f);
        char *p;

        if (!v)
                return -ENOMEM;
        p = v;
        while (*p) {
                size_t n;
                char *item;

                p += strspn(p, " ,|");
                n = strcspn(p, ",");
                item = strndup(p, n);
                if (!item)
                        return -ENOMEM;
                item[strcspn(item, " (:")] = 0;
                if (dpkg_name_is_valid(item, strlen(item)) && !strv_contains(l, item)) {
                        if (strv_consume(&l, item) < 0)
                                return -ENOMEM;
                } else
                        free(item);
                p += n;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int add_problem(DpkgStatus *s, const Deb822 *d, const char *what)
{
        char *m;

        s->n_invalid++;
        if (strv_length(s->problems) >= DPKG_PROBLEMS_MAX)
                return 0;
        if (asprintf(&m, "stanza at line %zu: %s", d->stanza_line, what) < 0)
                return -ENOMEM;
        return strv_consume(&s->problems, m);
}

/* Splits "want flag state" and checks each word against dpkg's vocabulary. */
static bool parse_status(const Deb822Field *f, char **ret_want, char **ret_state)
{
        static const char *const wants[] = { "unknown", "install", "hold", "deinstall", "purge" };
        static const char *const flags[] = { "ok", "reinstreq" };
        static const char *const states[] = { "not-installed",    "config-files",    "half-installed",
                                              "unpacked",         "half-configured", "triggers-awaited",
                                              "triggers-pending", "installed" };
        char w[32], fl[32], st[32], extra;

        if (!f || f->value_len >= 96)
                return false;
        {
                char buf[96];
                memcpy(buf, f->value, f->value_len);
                buf[f->value_len] = 0;
                if (sscanf(buf, "%31s %31s %31s %c", w, fl, st, &extra) != 3)
                        return false;
        }
        if (string_table_lookup(wants, ELEMENTSOF(wants), w) < 0 ||
            string_table_lookup(flags, ELEMENTSOF(flags), fl) < 0 ||
            string_table_lookup(states, ELEMENTSOF(states), st) < 0)
                return false;
        *ret_want = strdup(w);
        *ret_state = strdup(st);
        return true;
}

static int parse_stanza(DpkgStatus *s, const Deb822 *d, DpkgPackage *p)
{
        const Deb822Field *name = deb822_get(d, "Package"), *version = deb822_get(d, "Version"),
                          *arch = deb822_get(d, "Architecture"), *status = deb822_get(d, "Status"),
                          *source = deb822_get(d, "Source"), *f;
        int r;

        if (!name || !dpkg_name_is_valid(name->value, name->value_len))
                return add_problem(s, d, name ? "invalid package name" : "no Package field");
        if (!parse_status(status, &p->want, &p->state)) {
                free(p->want);
                free(p->state);
                p->want = p->state = NULL;
                return add_problem(s, d, "missing or invalid Status field");
        }
        if (!p->want || !p->state)
                return -ENOMEM;
        if (streq(p->state, "not-installed") || streq(p->state, "config-files")) {
                s->n_absent++;
                return 0;
        }
        /* Installed packages always have a version; the architecture may be missing on very old
         * databases. */
        if (!version || !dpkg_version_is_valid(version->value, version->value_len))
                return add_problem(s, d, "missing or invalid Version field");
        if (arch && !dpkg_arch_is_valid(arch->value, arch->value_len))
                return add_problem(s, d, "invalid Architecture field");

        if (!(p->name = strndup(name->value, name->value_len)) ||
            !(p->version = strndup(version->value, version->value_len)) ||
            (arch && !(p->arch = strndup(arch->value, arch->value_len))))
                return -ENOMEM;

        if (source) {
                /* "Source: name" or "Source: name (version)" */
                size_t n = 0;

                /* The value is not NUL-terminated: scan within its length only. */
                while (n < source->value_len && source->value[n] != 0 && !strchr(" (\n", source->value[n]))
                        n++;
                if (!dpkg_name_is_valid(source->value, n))
                        return add_problem(s, d, "invalid Source field");
                if (!(p->source = strndup(source->value, n)))
                        return -ENOMEM;
                if (n < source->value_len) {
                        const char *o = memchr(source->value + n, '(', source->value_len - n);
                        const char *c =
                                o ? memchr(o, ')', source->value_len - (size_t) (o - source->value)) : NULL;
                        if (o && c && dpkg_version_is_valid(o + 1, (size_t) (c - o - 1)) &&
                            !(p->source_version = strndup(o + 1, (size_t) (c - o - 1))))
                                return -ENOMEM;
                }
        } else if (!(p->source = strdup(p->name)))
                return -ENOMEM;

        if ((r = dup_field(d, "Section", 128, &p->section)) == -ENOMEM ||
            (r = dup_field(d, "Priority", 64, &p->priority)) == -ENOMEM ||
            (r = dup_field(d, "Multi-Arch", 32, &p->multi_arch)) == -ENOMEM)
                return r;
        f = deb822_get(d, "Installed-Size");
        if (f && f->value_len > 0 && f->value_len < 20) {
                char buf[24], *end;
                unsigned long long v;
                memcpy(buf, f->value, f->value_len);
                buf[f->value_len] = 0;
                v = strtoull(buf, &end, 10);
                if (*end == 0)
                        p->installed_size_kib = v;
        }
        f = deb822_get(d, "Essential");
        p->essential = f && f->value_len == 3 && strncmp(f->value, "yes", 3) == 0;
        f = deb822_get(d, "Provides");
        if (f && (r = parse_provides(f, &p->provides)) < 0)
                return r;
        return 1;
}

int dpkg_status_parse(const char *buf, size_t size, DpkgStatus **ret)
{
        _cleanup_(dpkg_status_freep) DpkgStatus *s = NULL;
        Deb822 d;
        int r;

        s = calloc(1, sizeof(DpkgStatus));
        if (!s)
                return -ENOMEM;
        deb822_init(&d, buf, size);
        while ((r = deb822_next(&d)) > 0) {
                DpkgPackage p = {};
                DpkgPackage *np;

                s->n_stanzas++;
                r = parse_stanza(s, &d, &p);
                if (r <= 0) {
                        package_done(&p);
                        if (r < 0)
                                break;
                        continue;
                }
                np = reallocarray(s->packages, s->n_packages + 1, sizeof(DpkgPackage));
                if (!np) {
                        package_done(&p);
                        r = -ENOMEM;
                        break;
                }
                s->packages = np;
                s->packages[s->n_packages++] = p;
        }
        s->bad_lines = d.bad_lines;
        deb822_done(&d);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}
