/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "shared/fileio.h"
#include "shared/string-util.h"
#include "go-buildinfo.h"

#define SHT_NOBITS  8u
#define SHN_XINDEX  0xFFFFu
#define VERSION_MAX 128u

static const char buildinfo_magic[14] = "\xff Go buildinf:";
/* cmd/go/internal/modload infoStart and infoEnd: the frame around the module information. */
static const uint8_t info_start[16] = { 0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
                                        0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6 };
static const uint8_t info_end[16] = { 0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
                                      0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2 };

GoBuildinfo *go_buildinfo_free(GoBuildinfo *b)
{
        if (!b)
                return NULL;
        free(b->go_version);
        free(b->modinfo);
        free(b);
        return NULL;
}

static uint16_t rd16(const uint8_t *p, bool be)
{
        return be ? (uint16_t) (p[0] << 8 | p[1]) : (uint16_t) (p[1] << 8 | p[0]);
}

static uint32_t rd32(const uint8_t *p, bool be)
{
        return be ? (uint32_t) rd16(p, true) << 16 | rd16(p + 2, true)
                  : (uint32_t) rd16(p + 2, false) << 16 | rd16(p, false);
}

static uint64_t rd64(const uint8_t *p, bool be)
{
        return be ? (uint64_t) rd32(p, true) << 32 | rd32(p + 4, true)
                  : (uint64_t) rd32(p + 4, false) << 32 | rd32(p, false);
}

static bool range_ok(uint64_t off, uint64_t size, uint64_t file_size)
{
        return off <= file_size && size <= file_size - off;
}

/* Reads exactly size bytes: a short read means the file is shorter than its headers say. */
static int read_exact(GoBuildinfoReadFn read_fn, void *userdata, uint64_t off, size_t size, void *buf)
{
        size_t n = 0;
        int r = read_fn(userdata, off, size, buf, &n);

        if (r < 0)
                return r;
        return n == size ? 0 : -EBADMSG;
}

typedef struct Section {
        uint32_t name, type, link;
        uint64_t offset, size;
} Section;

static Section section_at(const uint8_t *sh, bool is64, bool be)
{
        if (is64)
                return (Section){ .name = rd32(sh, be),
                                  .type = rd32(sh + 4, be),
                                  .offset = rd64(sh + 24, be),
                                  .size = rd64(sh + 32, be),
                                  .link = rd32(sh + 40, be) };
        return (Section){ .name = rd32(sh, be),
                          .type = rd32(sh + 4, be),
                          .offset = rd32(sh + 16, be),
                          .size = rd32(sh + 20, be),
                          .link = rd32(sh + 24, be) };
}

static int read_uvarint(const uint8_t *d, size_t n, size_t *p, uint64_t *ret)
{
        uint64_t v = 0;

        for (unsigned i = 0, shift = 0; i < 10; i++, shift += 7) {
                uint8_t b;

                if (*p >= n)
                        return -EBADMSG;
                b = d[(*p)++];
                if (i == 9 && b > 1)
                        return -EBADMSG; /* more than 64 bits */
                v |= (uint64_t) (b & 0x7f) << shift;
                if (!(b & 0x80)) {
                        *ret = v;
                        return 0;
                }
        }
        return -EBADMSG;
}

/* A uvarint-length-prefixed string at *p; returns a pointer into d. */
static int read_lstring(const uint8_t *d, size_t n, size_t *p, const uint8_t **ret, size_t *ret_len)
{
        uint64_t len;
        int r = read_uvarint(d, n, p, &len);

        if (r < 0)
                return r;
        if (len > n - *p)
                return -EBADMSG;
        *ret = d + *p;
        *ret_len = (size_t) len;
        *p += (size_t) len;
        return 0;
}

static int parse_section(const uint8_t *d, size_t n, GoBuildinfo **ret)
{
        _cleanup_(go_buildinfo_freep) GoBuildinfo *b = NULL;
        const uint8_t *ver, *mod;
        size_t p = 32, ver_len, mod_len;
        int r;

        if (n < 32 || memcmp(d, buildinfo_magic, sizeof(buildinfo_magic)) != 0)
                return -EBADMSG;
        if (d[14] != 4 && d[14] != 8)
                return -EBADMSG;
        if (!(d[15] & 0x2))
                return 0; /* before Go 1.18: pointers into the data segment, not read */

        r = read_lstring(d, n, &p, &ver, &ver_len);
        if (r < 0)
                return r;
        r = read_lstring(d, n, &p, &mod, &mod_len);
        if (r < 0)
                return r;
        /* As debug/buildinfo does: the frame is there when the text ends with a newline. */
        if (mod_len >= 33 && mod[mod_len - 17] == '\n' && memcmp(mod, info_start, 16) == 0 &&
            memcmp(mod + mod_len - 16, info_end, 16) == 0) {
                mod += 16;
                mod_len -= 32;
        } else
                mod_len = 0;
        if (memchr(ver, 0, ver_len) || memchr(mod, 0, mod_len))
                return -EBADMSG;

        b = calloc(1, sizeof(GoBuildinfo));
        if (!b)
                return -ENOMEM;
        b->go_version = strndup((const char *) ver, ver_len);
        b->modinfo = strndup((const char *) mod, mod_len);
        if (!b->go_version || !b->modinfo)
                return -ENOMEM;
        *ret = TAKE_PTR(b);
        return 1;
}

int go_buildinfo_read(GoBuildinfoReadFn read_fn, void *userdata, uint64_t file_size, GoBuildinfo **ret)
{
        _cleanup_free_ uint8_t *table = NULL, *names = NULL, *data = NULL;
        uint8_t eh[64];
        uint64_t shoff, table_size;
        uint32_t shnum, shstrndx, shentsize;
        size_t n = 0;
        bool is64, be;
        Section strtab;
        int r;

        r = read_fn(userdata, 0, (size_t) MIN(file_size, (uint64_t) sizeof(eh)), eh, &n);
        if (r < 0)
                return r;
        if (n < 4 || memcmp(eh,
                            "\x7f"
                            "ELF",
                            4) != 0)
                return 0;
        if (n < 52 || (eh[4] != 1 && eh[4] != 2) || (eh[5] != 1 && eh[5] != 2))
                return -EBADMSG;
        is64 = eh[4] == 2;
        be = eh[5] == 2;
        if (is64 && n < 64)
                return -EBADMSG;

        shoff = is64 ? rd64(eh + 0x28, be) : rd32(eh + 0x20, be);
        shentsize = rd16(eh + (is64 ? 0x3A : 0x2E), be);
        shnum = rd16(eh + (is64 ? 0x3C : 0x30), be);
        shstrndx = rd16(eh + (is64 ? 0x3E : 0x32), be);
        if (shoff == 0)
                return 0; /* no section headers (stripped to the bone): nothing to find */
        if (shentsize < (is64 ? 64u : 40u) || shentsize > 256u || !range_ok(shoff, shentsize, file_size))
                return -EBADMSG;

        /* Extended numbering: the real counts live in section 0 when they do not fit 16 bits. */
        if (shnum == 0 || shstrndx == SHN_XINDEX) {
                uint8_t sh0[256];
                Section s0;

                r = read_exact(read_fn, userdata, shoff, shentsize, sh0);
                if (r < 0)
                        return r;
                s0 = section_at(sh0, is64, be);
                if (shnum == 0)
                        shnum = s0.size > GO_BUILDINFO_SHNUM_MAX ? GO_BUILDINFO_SHNUM_MAX + 1
                                                                 : (uint32_t) s0.size;
                if (shstrndx == SHN_XINDEX)
                        shstrndx = s0.link;
        }
        if (shnum == 0)
                return 0;
        if (shnum > GO_BUILDINFO_SHNUM_MAX || shstrndx >= shnum)
                return -EBADMSG;
        table_size = (uint64_t) shnum * shentsize;
        if (!range_ok(shoff, table_size, file_size))
                return -EBADMSG;
        table = malloc((size_t) table_size);
        if (!table)
                return -ENOMEM;
        r = read_exact(read_fn, userdata, shoff, (size_t) table_size, table);
        if (r < 0)
                return r;

        strtab = section_at(table + (size_t) shstrndx * shentsize, is64, be);
        if (strtab.type == SHT_NOBITS || strtab.size > GO_BUILDINFO_SHSTRTAB_MAX ||
            !range_ok(strtab.offset, strtab.size, file_size))
                return -EBADMSG;
        names = malloc((size_t) strtab.size + 1);
        if (!names)
                return -ENOMEM;
        r = read_exact(read_fn, userdata, strtab.offset, (size_t) strtab.size, names);
        if (r < 0)
                return r;
        names[strtab.size] = 0; /* every name below ends within the table */

        for (uint32_t i = 0; i < shnum; i++) {
                Section s = section_at(table + (size_t) i * shentsize, is64, be);
                size_t len;

                if (s.name >= strtab.size || !streq((const char *) names + s.name, ".go.buildinfo"))
                        continue;
                if (s.type == SHT_NOBITS || s.size < 32 || !range_ok(s.offset, s.size, file_size))
                        return -EBADMSG;
                len = (size_t) MIN(s.size, (uint64_t) GO_BUILDINFO_SECTION_MAX);
                data = malloc(len);
                if (!data)
                        return -ENOMEM;
                r = read_exact(read_fn, userdata, s.offset, len, data);
                if (r < 0)
                        return r;
                return parse_section(data, len, ret);
        }
        return 0;
}

static bool is_version_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c != 0 && strchr(".+~_-", c));
}

/* Go quotes a build setting value (strconv.Quote) when it holds blanks or quotes; undo it. */
static char *unquote_go(const char *s, size_t n)
{
        char *u, *o;

        if (n < 2 || s[0] != '"' || s[n - 1] != '"')
                return strndup(s, n);
        u = o = malloc(n);
        if (!u)
                return NULL;
        for (size_t i = 1; i + 1 < n; i++) {
                if (s[i] == '\\' && i + 2 < n) {
                        i++;
                        *o++ = s[i] == 't' ? '\t' : s[i] == 'n' ? '\n' : s[i];
                } else
                        *o++ = s[i];
        }
        *o = 0;
        return u;
}

int go_buildinfo_ldflag_value(const char *modinfo, const char *name, char **ret)
{
        LineIter it = line_iter_init(modinfo, strlen(modinfo));
        size_t nl = strlen(name), len;
        const char *line;

        while (line_iter_next(&it, &line, &len)) {
                static const char prefix[] = "build\t-ldflags=";
                _cleanup_free_ char *flags = NULL;

                if (len < sizeof(prefix) - 1 || memcmp(line, prefix, sizeof(prefix) - 1) != 0)
                        continue;
                flags = unquote_go(line + sizeof(prefix) - 1, len - (sizeof(prefix) - 1));
                if (!flags)
                        return -ENOMEM;
                /* -X name=value, -X 'name=value', -X=name=value */
                for (const char *p = strstr(flags, name); p; p = strstr(p + 1, name)) {
                        const char *v = p + nl, *e;

                        if (p > flags && !strchr(" \t'\"=", p[-1]))
                                continue;
                        if (*v != '=')
                                continue;
                        v++;
                        for (e = v; *e && is_version_char(*e); e++)
                                ;
                        if (e == v || (size_t) (e - v) > VERSION_MAX || (*e && !strchr(" \t'\"", *e)))
                                continue;
                        *ret = strndup(v, (size_t) (e - v));
                        return *ret ? 1 : -ENOMEM;
                }
        }
        return 0;
}

int go_buildinfo_kubernetes_version(const GoBuildinfo *b, char **ret)
{
        static const char *const vars[] = {
                "k8s.io/component-base/version.gitVersion",
                "k8s.io/client-go/pkg/version.gitVersion",
        };
        static const char mod_prefix[] = "mod\tk8s.io/kubernetes\t";
        LineIter it;
        const char *line;
        size_t len;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(vars); i++) {
                r = go_buildinfo_ldflag_value(b->modinfo, vars[i], ret);
                if (r != 0)
                        return r;
        }
        it = line_iter_init(b->modinfo, strlen(b->modinfo));
        while (line_iter_next(&it, &line, &len)) {
                const char *v, *e, *end = line + len;

                if (len <= sizeof(mod_prefix) - 1 || memcmp(line, mod_prefix, sizeof(mod_prefix) - 1) != 0)
                        continue;
                v = line + sizeof(mod_prefix) - 1;
                for (e = v; e < end && is_version_char(*e); e++)
                        ;
                if (*v != 'v' || e - v < 2 || (size_t) (e - v) > VERSION_MAX || (e < end && *e != '\t'))
                        return 0;
                *ret = strndup(v, (size_t) (e - v));
                return *ret ? 1 : -ENOMEM;
        }
        return 0;
}
