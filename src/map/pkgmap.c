/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/strmap.h"
#include "shared/strv.h"
#include "knowledge.h"
#include "pkgmap.h"

static const char *const pkg_disposition_table[_PKG_DISPOSITION_MAX] = {
        [PKG_MAP] = "map",   [PKG_DROP] = "drop",       [PKG_UNAVAILABLE] = "unavailable",
        [PKG_BASE] = "base", [PKG_UNKNOWN] = "unknown",
};

DEFINE_STRING_TABLE_LOOKUP(pkg_disposition, PkgDisposition);

typedef struct Entry {
        char *name;  /* the package it decides */
        char **from; /* release names or globs ("*", "ubuntu-*") */
        PkgDisposition disposition;
        char **targets;
        char *note;
        char *evidence;
        char *origin; /* "10-curated" or the drop-in file's path, for the "rule" field */
} Entry;

typedef enum RuleKind {
        RULE_REWRITE,     /* the name is rewritten, then entries and the remaining rules apply */
        RULE_NAME,        /* candidates from the name */
        RULE_SOURCE,      /* candidates from the Azure Linux spec of the Debian source (%s) */
        RULE_DISPOSITION, /* a fixed disposition (drop, unavailable, base, map) for matching names */
} RuleKind;

typedef struct Rule {
        char *id;
        RuleKind kind;
        PkgDisposition disposition; /* RULE_DISPOSITION */
        regex_t re;
        char *candidates; /* "a,b|c": alternatives by '|', targets of one by ',' */
        char *note;
} Rule;

typedef struct UniversePkg {
        const char *spec; /* "" when built outside the specs */
        const char *repo;
} UniversePkg;

struct PkgMap {
        char *from, *to;
        char **buffers;     /* contents of the tables: the maps' keys and values point into them */
        char **folded_keys; /* the folded names the folded map is keyed by */
        size_t n_folded, alloc_folded;
        StrMap *universe; /* name -> UniversePkg (owned) */
        StrMap *provides; /* provided name -> PtrList of package names (owned) */
        StrMap *folded;   /* lowercase, '_' as '-' -> PtrList of package names (owned) */
        StrMap *specs;    /* spec name -> itself */
        StrMap *image;    /* name -> version */
        StrMap *sources;  /* Debian binary -> source */
        StrMap *aliases;  /* Debian source -> spec */
        StrMap *entries;  /* package name -> PtrList of Entry, in precedence order (owned) */
        Entry **entry;    /* every entry, for freeing */
        size_t n_entries;
        Rule *rules;
        size_t n_rules;
        char *error; /* a load error's description */
};

static void entry_done(Entry *e)
{
        free(e->name);
        strv_free(e->from);
        strv_free(e->targets);
        free(e->note);
        free(e->evidence);
        free(e->origin);
}

PkgMap *pkgmap_free(PkgMap *m)
{
        if (!m)
                return NULL;
        free(m->from);
        free(m->to);
        strmap_free(m->universe);
        strmap_free(m->provides);
        strmap_free(m->folded);
        strmap_free(m->specs);
        strmap_free(m->image);
        strmap_free(m->sources);
        strmap_free(m->aliases);
        strmap_free(m->entries);
        for (size_t i = 0; i < m->n_entries; i++) {
                entry_done(m->entry[i]);
                free(m->entry[i]);
        }
        free(m->entry);
        for (size_t i = 0; i < m->n_rules; i++) {
                free(m->rules[i].id);
                regfree(&m->rules[i].re);
                free(m->rules[i].candidates);
                free(m->rules[i].note);
        }
        free(m->rules);
        strv_free(m->buffers);
        for (size_t i = 0; i < m->n_folded; i++)
                free(m->folded_keys[i]);
        free(m->folded_keys);
        free(m->error);
        free(m);
        return NULL;
}

static char *fold(const char *s)
{
        char *r = strdup(s);

        if (!r)
                return NULL;
        ascii_strlower(r);
        for (char *p = r; *p; p++)
                if (*p == '_')
                        *p = '-';
        return r;
}

/* Load context: the map and where we are, for error messages. */
typedef struct Loading {
        PkgMap *m;
        const char *file;
} Loading;

static int load_error(Loading *l, unsigned line, const char *what)
{
        free(l->m->error);
        if (asprintf(&l->m->error, "%s:%u: %s", l->file, line, what) < 0)
                l->m->error = NULL;
        return -EBADMSG;
}

/* universe: name, version, spec, repo, provides (fields point into a kept buffer) */
static int universe_row(const TsvRecord *r, void *userdata)
{
        Loading *l = userdata;
        PkgMap *m = l->m;
        const char *name = r->field[0];
        UniversePkg *u;
        char *f, *p;

        if (isempty(name) || !str_in_charset(name, "-._+"))
                return load_error(l, r->line, "invalid package name");
        u = malloc(sizeof(UniversePkg));
        if (!u)
                return -ENOMEM;
        *u = (UniversePkg){ .spec = r->field[2], .repo = r->field[3] };
        if (strmap_put(m->universe, name, u) < 0)
                return -ENOMEM;
        if (!isempty(r->field[2]) && strmap_put(m->specs, r->field[2], (void *) r->field[2]) < 0)
                return -ENOMEM;
        if (m->n_folded == m->alloc_folded) {
                size_t na = m->alloc_folded ? m->alloc_folded * 2 : 8192;
                char **n = reallocarray(m->folded_keys, na, sizeof(char *));
                if (!n)
                        return -ENOMEM;
                m->folded_keys = n;
                m->alloc_folded = na;
        }
        f = fold(name);
        if (!f)
                return -ENOMEM;
        m->folded_keys[m->n_folded++] = f;
        if (strmap_list_append(m->folded, f, (void *) name) < 0)
                return -ENOMEM;
        /* Provides: comma-separated names, cut in place. */
        p = (char *) r->field[4];
        while (p && *p) {
                char *comma = strchr(p, ',');
                if (comma)
                        *comma = 0;
                if (*p && strmap_list_append(m->provides, p, (void *) name) < 0)
                        return -ENOMEM;
                p = comma ? comma + 1 : NULL;
        }
        return 0;
}

static int image_row(const TsvRecord *r, void *userdata)
{
        Loading *l = userdata;
        return strmap_put(l->m->image, r->field[0], (void *) r->field[1]);
}

static int pair_row(const TsvRecord *r, void *userdata)
{
        StrMap **table = userdata;
        return strmap_put(*table, r->field[0], (void *) r->field[1]);
}

static int entries_row(const TsvRecord *r, void *userdata)
{
        Loading *l = userdata;
        PkgMap *m = l->m;
        _cleanup_free_ Entry *e = NULL;
        Entry **n;

        if (isempty(r->field[0]) || isempty(r->field[1]))
                return load_error(l, r->line, "an entry needs 'from' and 'name'");
        e = calloc(1, sizeof(Entry));
        if (!e)
                return -ENOMEM;
        e->disposition = pkg_disposition_from_string(r->field[2]);
        if (e->disposition < 0 || e->disposition == PKG_UNKNOWN)
                return load_error(l, r->line, "disposition must be map, drop, unavailable or base");
        if (strv_split(r->field[0], ",", &e->from) < 0 || strv_split(r->field[3], ",", &e->targets) < 0)
                goto oom;
        if ((e->disposition == PKG_MAP || e->disposition == PKG_BASE) && strv_length(e->targets) == 0) {
                entry_done(e);
                return load_error(l, r->line, "map and base entries name their target packages");
        }
        if (e->disposition == PKG_UNAVAILABLE && strv_length(e->targets) > 0) {
                entry_done(e);
                return load_error(l, r->line, "unavailable entries name no target");
        }
        STRV_FOREACH(t, e->targets)
                if (!strmap_get(m->universe, *t) && !strmap_get(m->provides, *t)) {
                        _cleanup_free_ char *what = NULL;
                        int q = asprintf(&what, "target '%s' does not exist in %s", *t, m->to);
                        entry_done(e);
                        if (q < 0)
                                return -ENOMEM;
                        return load_error(l, r->line, what);
                }
        e->note = strdup(r->field[4]);
        e->evidence = strdup(r->field[5]);
        e->origin = strdup(l->file);
        e->name = strdup(r->field[1]);
        if (!e->note || !e->evidence || !e->origin || !e->name)
                goto oom;
        n = reallocarray(m->entry, m->n_entries + 1, sizeof(Entry *));
        if (!n)
                goto oom;
        m->entry = n;
        m->entry[m->n_entries++] = e;
        return strmap_list_append(m->entries, TAKE_PTR(e)->name, m->entry[m->n_entries - 1]);
oom:
        entry_done(e);
        return -ENOMEM;
}

static int rules_row(const TsvRecord *r, void *userdata)
{
        static const struct {
                const char *name;
                RuleKind kind;
                PkgDisposition disposition;
        } kinds[] = {
                { "rewrite", RULE_REWRITE, PKG_UNKNOWN },
                { "name", RULE_NAME, PKG_MAP },
                { "source", RULE_SOURCE, PKG_MAP },
                { "drop", RULE_DISPOSITION, PKG_DROP },
                { "unavailable", RULE_DISPOSITION, PKG_UNAVAILABLE },
                { "base", RULE_DISPOSITION, PKG_BASE },
        };
        Loading *l = userdata;
        PkgMap *m = l->m;
        Rule *n, rule = {};
        size_t k;

        for (k = 0; k < ELEMENTSOF(kinds); k++)
                if (streq(r->field[1], kinds[k].name))
                        break;
        if (k == ELEMENTSOF(kinds))
                return load_error(l, r->line, "unknown rule kind");
        if (regcomp(&rule.re, r->field[2], REG_EXTENDED) != 0)
                return load_error(l, r->line, "invalid regular expression");
        rule.kind = kinds[k].kind;
        rule.disposition = kinds[k].disposition;
        rule.id = strdup(r->field[0]);
        rule.candidates = strdup(r->field[3]);
        rule.note = strdup(r->field[4]);
        n = rule.id && rule.candidates && rule.note ? reallocarray(m->rules, m->n_rules + 1, sizeof(Rule))
                                                    : NULL;
        if (!n) {
                regfree(&rule.re);
                free(rule.id);
                free(rule.candidates);
                free(rule.note);
                return -ENOMEM;
        }
        m->rules = n;
        m->rules[m->n_rules++] = rule;
        return 0;
}

/* Reads plans_dir/name and parses it in place; the buffer is kept for the map's lifetime, as the
 * tables point into it. */
static int load_table(PkgMap *m, const char *dir, const char *name, size_t fields,
                      int (*cb)(const TsvRecord *r, void *userdata), void *userdata)
{
        Loading l = { .m = m, .file = name };
        _cleanup_free_ char *buf = NULL;
        size_t size;
        int r;

        r = knowledge_read_file(dir, name, &buf, &size);
        if (r < 0)
                return r;
        r = tsv_parse_inplace(buf, size, fields, cb, userdata ?: &l);
        if (strv_consume(&m->buffers, TAKE_PTR(buf)) < 0)
                return -ENOMEM;
        if (r == -E2BIG) {
                free(m->error);
                if (asprintf(&m->error, "%s: a record has too many fields", name) < 0)
                        m->error = NULL;
                return -EBADMSG;
        }
        return r;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Entry files of a directory, "*.tsv" in name order. Missing directory: none. */
static int list_tsv(const char *dir, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d) {
                *ret = NULL;
                return errno == ENOENT ? 0 : -errno;
        }
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && endswith(de->d_name, ".tsv") &&
                    strv_extend(&l, de->d_name) < 0) {
                        closedir(d);
                        return -ENOMEM;
                }
        closedir(d);
        if (l)
                qsort(l, strv_length(l), sizeof(char *), cmp_str);
        *ret = TAKE_PTR(l);
        return 0;
}

static int load_entry_dir(PkgMap *m, const char *dir, bool dropin)
{
        _cleanup_strv_free_ char **files = NULL;
        int r;

        r = list_tsv(dir, &files);
        if (r < 0)
                return r;
        STRV_FOREACH(f, files) {
                _cleanup_free_ char *label = dropin ? path_join(dir, *f) : strndup(*f, strlen(*f) - 4);
                Loading l = { .m = m, .file = label };

                if (!label)
                        return -ENOMEM;
                r = knowledge_read_tsv(dir, *f, 6, entries_row, &l);
                if (r == -E2BIG)
                        r = load_error(&l, 0, "a record has too many fields");
                if (r < 0)
                        return r;
        }
        return 0;
}

int pkgmap_load(const char *plans_dir, char *const *dropin_dirs, const char *from, const char *to,
                PkgMap **ret, char **ret_error)
{
        _cleanup_(pkgmap_freep) PkgMap *m = NULL;
        _cleanup_free_ char *universe = NULL, *extra = NULL, *image = NULL, *maps = NULL, *entries = NULL;
        int r;

        m = calloc(1, sizeof(PkgMap));
        if (!m)
                return -ENOMEM;
        m->from = strdup(from);
        m->to = strdup(to);
        if (!m->from || !m->to || strmap_new(true, &m->universe) < 0 || strmap_new(true, &m->provides) < 0 ||
            strmap_new(true, &m->folded) < 0 || strmap_new(false, &m->specs) < 0 ||
            strmap_new(false, &m->image) < 0 || strmap_new(false, &m->sources) < 0 ||
            strmap_new(false, &m->aliases) < 0 || strmap_new(true, &m->entries) < 0)
                return -ENOMEM;
        if (asprintf(&universe, "universe/%s.tsv", to) < 0 ||
            asprintf(&extra, "universe/%s-extra.tsv", to) < 0 ||
            asprintf(&image, "universe/%s-image.tsv", to) < 0)
                return -ENOMEM;
        maps = path_join(plans_dir, "maps");
        entries = path_join(plans_dir, "maps/entries");
        if (!maps || !entries)
                return -ENOMEM;

        r = load_table(m, plans_dir, universe, 5, universe_row, NULL);
        if (r == -ENOENT) {
                /* No full universe (Azure Linux 2.0 for now): its node image list stands in. */
                r = load_table(m, plans_dir, image, 5, universe_row, NULL);
                if (r == -ENOENT)
                        goto fail_msg;
        }
        if (r < 0)
                goto fail;
        r = load_table(m, plans_dir, extra, 5, universe_row, NULL);
        if (r < 0 && r != -ENOENT)
                goto fail;
        r = load_table(m, plans_dir, image, 2, image_row, NULL);
        if (r < 0)
                goto fail;
        r = load_table(m, maps, "debian-binary-source.tsv", 2, pair_row, &m->sources);
        if (r < 0)
                goto fail;
        r = load_table(m, maps, "source-aliases.tsv", 2, pair_row, &m->aliases);
        if (r < 0)
                goto fail;
        for (size_t i = 0; dropin_dirs && dropin_dirs[i]; i++) {
                r = load_entry_dir(m, dropin_dirs[i], true);
                if (r < 0)
                        goto fail;
        }
        r = load_entry_dir(m, entries, false);
        if (r < 0)
                goto fail;
        r = load_table(m, maps, "rules.tsv", 5, rules_row, NULL);
        if (r < 0)
                goto fail;
        *ret = TAKE_PTR(m);
        return 0;

fail_msg:
        if (ret_error && asprintf(ret_error, "no package universe for target '%s' in %s (known: %s)", to,
                                  plans_dir, KNOWLEDGE_TARGETS) < 0)
                *ret_error = NULL;
        return r;
fail:
        if (ret_error)
                *ret_error = m->error ? TAKE_PTR(m->error) : NULL;
        return r;
}

bool pkgmap_target_exists(PkgMap *m, const char *name)
{
        return strmap_get(m->universe, name) != NULL;
}

bool pkgmap_target_in_image(PkgMap *m, const char *name)
{
        return strmap_get(m->image, name) != NULL;
}

size_t pkgmap_image_size(PkgMap *m)
{
        return strmap_size(m->image);
}

const char *pkgmap_from(PkgMap *m)
{
        return m->from;
}

const char *pkgmap_to(PkgMap *m)
{
        return m->to;
}

static bool is_devel(const char *name)
{
        return endswith(name, "-devel") || endswith(name, "-static") || endswith(name, "-doc");
}

/* Picks one of several packages offering a name: one in the node image first, then the shortest
 * name, then the first by name, so that the choice is stable. Development packages offer what
 * they link against (util-linux-devel provides "libblkid"): they qualify only when the name asked
 * for is itself a development package's. Returns NULL when none qualifies. */
static const char *pick(PkgMap *m, const PtrList *names, bool want_devel)
{
        const char *best = NULL;

        for (size_t i = 0; i < names->n; i++) {
                const char *c = names->item[i];
                bool ci = pkgmap_target_in_image(m, c), bi = best && pkgmap_target_in_image(m, best);

                if (!want_devel && is_devel(c))
                        continue;
                if (!best || (ci && !bi) ||
                    (ci == bi &&
                     (strlen(c) < strlen(best) || (strlen(c) == strlen(best) && strcmp(c, best) < 0))))
                        best = c;
        }
        return best;
}

/* Resolves a candidate name to a target package: the package of that name, else one that
 * provides it, else the one whose name equals it ignoring case and '_' vs '-'. */
static const char *resolve(PkgMap *m, const char *name)
{
        _cleanup_free_ char *f = NULL;
        const PtrList *v;

        if (strmap_get(m->universe, name))
                return name;
        v = strmap_get(m->provides, name);
        if (v)
                return pick(m, v, is_devel(name));
        f = fold(name);
        v = f ? strmap_get(m->folded, f) : NULL;
        if (v && v->n == 1)
                return v->item[0];
        return NULL;
}

static bool from_matches(char *const *from, const char *release)
{
        for (size_t i = 0; from && from[i]; i++)
                if (fnmatch(from[i], release, 0) == 0)
                        return true;
        return false;
}

static const Entry *find_entry(PkgMap *m, const char *name)
{
        const PtrList *l = strmap_get(m->entries, name);

        for (size_t i = 0; l && i < l->n; i++) {
                const Entry *e = l->item[i];
                if (from_matches(e->from, m->from))
                        return e;
        }
        return NULL;
}

/* The result of deciding, before it becomes JSON. */
typedef struct Decision {
        PkgDisposition disposition;
        char **targets;
        char *rule;
        const char *note;
        const char *evidence;
} Decision;

static void decision_done(Decision *d)
{
        strv_free(d->targets);
        free(d->rule);
}

static int decision_from_entry(PkgMap *m, const Entry *e, const char *name, Decision *d)
{
        d->disposition = e->disposition;
        STRV_FOREACH(t, e->targets) {
                const char *x = resolve(m, *t);
                if (strv_extend(&d->targets, x ?: *t) < 0)
                        return -ENOMEM;
        }
        if (asprintf(&d->rule, "%s:%s", e->origin, name) < 0) {
                d->rule = NULL;
                return -ENOMEM;
        }
        d->note = e->note;
        d->evidence = e->evidence;
        return 1;
}

/* Expands a template: \1..\9 from the match, %s the spec, %b the binary name. */
static int expand(const char *tpl, const char *subject, const regmatch_t *match, const char *spec,
                  char **ret)
{
        size_t cap = strlen(tpl) + 1, n = 0;
        char *out = malloc(cap);

        if (!out)
                return -ENOMEM;
        for (const char *p = tpl; *p; p++) {
                const char *piece = NULL;
                size_t len = 0;

                if (p[0] == '\\' && p[1] >= '1' && p[1] <= '9') {
                        const regmatch_t *g = &match[p[1] - '0'];
                        if (g->rm_so >= 0) {
                                piece = subject + g->rm_so;
                                len = (size_t) (g->rm_eo - g->rm_so);
                        }
                        p++;
                } else if (p[0] == '%' && (p[1] == 's' || p[1] == 'b')) {
                        piece = p[1] == 's' ? spec : subject;
                        len = piece ? strlen(piece) : 0;
                        p++;
                } else {
                        piece = p;
                        len = 1;
                }
                if (n + len + 1 > cap) {
                        char *o = realloc(out, cap = (n + len + 1) * 2);
                        if (!o) {
                                free(out);
                                return -ENOMEM;
                        }
                        out = o;
                }
                if (len)
                        memcpy(out + n, piece, len);
                n += len;
        }
        out[n] = 0;
        *ret = out;
        return 0;
}

/* Tries the '|'-separated alternatives of a rule: the first whose ','-separated targets all
 * resolve wins. Returns 1 with d filled, 0 when none resolves, -ENOMEM. */
static int try_candidates(PkgMap *m, const Rule *rule, const char *subject, const regmatch_t *match,
                          const char *spec, Decision *d)
{
        _cleanup_strv_free_ char **alts = NULL;

        if (strv_split(rule->candidates, "|", &alts) < 0)
                return -ENOMEM;
        STRV_FOREACH(a, alts) {
                _cleanup_strv_free_ char **names = NULL, **resolved = NULL;
                bool ok = true;

                if (strv_split(*a, ",", &names) < 0)
                        return -ENOMEM;
                STRV_FOREACH(n, names) {
                        _cleanup_free_ char *c = NULL;
                        const char *x;
                        if (expand(*n, subject, match, spec, &c) < 0)
                                return -ENOMEM;
                        x = resolve(m, c);
                        if (!x) {
                                ok = false;
                                break;
                        }
                        if (!strv_contains(resolved, x) && strv_extend(&resolved, x) < 0)
                                return -ENOMEM;
                }
                if (!ok || !resolved)
                        continue;
                d->disposition = PKG_MAP;
                d->targets = TAKE_PTR(resolved);
                if (asprintf(&d->rule, "rule:%s", rule->id) < 0) {
                        d->rule = NULL;
                        return -ENOMEM;
                }
                d->note = rule->note;
                return 1;
        }
        return 0;
}

static const char *spec_of_source(PkgMap *m, const char *s)
{
        const char *alias;

        if (!s)
                return NULL;
        if (strmap_get(m->specs, s))
                return s;
        alias = strmap_get(m->aliases, s);
        return alias && strmap_get(m->specs, alias) ? alias : NULL;
}

/* The Azure Linux spec that packages the Debian source of this binary, or NULL: from the source
 * the guest recorded, else from the Debian archive's table (a guest's status names no source when
 * it equals the binary's name, and derivatives may rename sources). */
static const char *spec_of(PkgMap *m, const char *binary, const char *source)
{
        return spec_of_source(m, source) ?: spec_of_source(m, strmap_get(m->sources, binary));
}

static int decide(PkgMap *m, const char *name, const char *source, Decision *d)
{
        _cleanup_free_ char *current = strdup(name);
        const Entry *e;
        int r;

        if (!current)
                return -ENOMEM;
        e = find_entry(m, name);
        if (e)
                return decision_from_entry(m, e, name, d);

        for (size_t i = 0; i < m->n_rules; i++) {
                const Rule *rule = &m->rules[i];
                regmatch_t match[10];
                const char *spec = NULL;

                if (regexec(&rule->re, current, ELEMENTSOF(match), match, 0) != 0)
                        continue;
                switch (rule->kind) {
                case RULE_REWRITE: {
                        char *n;
                        if (expand(rule->candidates, current, match, NULL, &n) < 0)
                                return -ENOMEM;
                        free(current);
                        current = n;
                        e = find_entry(m, current);
                        if (e)
                                return decision_from_entry(m, e, current, d);
                        continue;
                }
                case RULE_DISPOSITION:
                        d->disposition = rule->disposition;
                        if (!isempty(rule->candidates)) {
                                r = try_candidates(m, rule, current, match, NULL, d);
                                if (r <= 0)
                                        return r < 0 ? r : -EBADMSG;
                                d->disposition = rule->disposition;
                                return 1;
                        }
                        d->note = rule->note;
                        return asprintf(&d->rule, "rule:%s", rule->id) < 0 ? -ENOMEM : 1;
                case RULE_SOURCE:
                        spec = spec_of(m, current, source);
                        if (!spec)
                                continue;
                        _fallthrough_;
                case RULE_NAME:
                        r = try_candidates(m, rule, current, match, spec, d);
                        if (r != 0)
                                return r;
                        continue;
                }
        }
        d->disposition = PKG_UNKNOWN;
        return 0;
}

int pkgmap_decide(PkgMap *m, const char *name, const char *source, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *targets, *repos;
        Decision d = {};
        bool in_image = true;
        int r;

        if (!o)
                return -ENOMEM;
        r = decide(m, name, source, &d);
        if (r == -ENOMEM)
                goto fail;
        if (r == -EBADMSG) /* a disposition rule whose targets do not exist: a data bug */
                d.disposition = PKG_UNKNOWN;
        STRV_FOREACH(t, d.targets)
                in_image = in_image && pkgmap_target_in_image(m, *t);
        /* What maps onto packages the node image already has needs no installing. */
        if (d.disposition == PKG_MAP && d.targets && in_image)
                d.disposition = PKG_BASE;
        r = -ENOMEM;
        targets = json_object_new_array();
        if (!targets || json_add(o, "name", json_new_str(name)) < 0 ||
            json_add_str(o, "disposition", pkg_disposition_to_string(d.disposition)) < 0 ||
            json_add(o, "targets", targets) < 0 || json_add_str(o, "rule", d.rule) < 0 ||
            json_add_str(o, "note", isempty(d.note) ? NULL : d.note) < 0 ||
            json_add_str(o, "evidence", isempty(d.evidence) ? NULL : d.evidence) < 0 ||
            json_add_bool(o, "in_target_image", d.targets && in_image) < 0)
                goto fail;
        repos = json_object_new_array();
        if (!repos || json_add(o, "repos", repos) < 0)
                goto fail;
        /* Each target's repository: "extended" and the Microsoft ones are not all configured on
         * AKS nodes, which the planner points out. */
        STRV_FOREACH(t, d.targets)
                if (json_append_str(targets, *t) < 0 ||
                    json_append_str(repos, ((const UniversePkg *) strmap_get(m->universe, *t))->repo) < 0)
                        goto fail;
        decision_done(&d);
        *ret = TAKE_PTR(o);
        return 0;
fail:
        decision_done(&d);
        return r;
}

int pkgmap_counts(PkgMap *m, json_object *decisions, json_object **ret)
{
        _cleanup_json_ json_object *c = json_object_new_object(), *targets = json_object_new_object();
        json_object *install;
        size_t per[_PKG_DISPOSITION_MAX] = {}, n = json_object_array_length(decisions);

        if (!c || !targets)
                return -ENOMEM;
        install = json_get_or_add_array(c, "to_install");
        if (!install)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *d = json_object_array_get_idx(decisions, i), *t = json_get(d, "targets");
                PkgDisposition k = pkg_disposition_from_string(json_get_str(d, "disposition"));
                size_t nt = t ? json_object_array_length(t) : 0;

                if (k >= 0)
                        per[k]++;
                if (k != PKG_MAP && k != PKG_BASE)
                        continue;
                for (size_t j = 0; j < nt; j++) {
                        const char *name = json_object_get_string(json_object_array_get_idx(t, j));
                        if (json_get(targets, name))
                                continue;
                        if (json_add_bool(targets, name, true) < 0)
                                return -ENOMEM;
                        if (!pkgmap_target_in_image(m, name) && json_append_str(install, name) < 0)
                                return -ENOMEM;
                }
        }
        for (int k = 0; k < _PKG_DISPOSITION_MAX; k++)
                if (json_add_int(c, pkg_disposition_to_string(k), (int64_t) per[k]) < 0)
                        return -ENOMEM;
        json_array_sort_strings(install);
        if (json_add_int(c, "total", (int64_t) n) < 0 ||
            json_add_int(c, "target_packages", json_object_object_length(targets)) < 0 ||
            json_add_int(c, "target_image_packages", (int64_t) pkgmap_image_size(m)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(c);
        return 0;
}

int pkgmap_decide_inventory(PkgMap *m, json_object *inventory, json_object **ret)
{
        _cleanup_json_ json_object *out = json_object_new_object();
        json_object *items = json_get(json_get(inventory, "packages"), "items"), *decisions, *counts;
        size_t n = json_array_len(items);
        int r;

        if (!out)
                return -ENOMEM;
        decisions = json_get_or_add_array(out, "decisions");
        if (!decisions)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *p = json_object_array_get_idx(items, i), *d;
                const char *name = json_get_str(p, "name");

                if (!name)
                        continue;
                r = pkgmap_decide(m, name, json_get_str(p, "source"), &d);
                if (r < 0)
                        return r;
                if (json_append(decisions, d) < 0 || json_add_str(d, "arch", json_get_str(p, "arch")) < 0 ||
                    json_add_str(d, "version", json_get_str(p, "version")) < 0 ||
                    json_add_bool(d, "manual", json_get_bool(p, "manual", true)) < 0)
                        return -ENOMEM;
        }
        r = pkgmap_counts(m, decisions, &counts);
        if (r < 0)
                return r;
        if (json_add(out, "counts", counts) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(out);
        return 0;
}
