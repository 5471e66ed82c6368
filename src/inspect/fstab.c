/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/string-util.h"
#include "conf-lines.h"
#include "fstab.h"

static void entry_done(void *p)
{
        FstabEntry *e = p;

        free(e->spec);
        free(e->file);
        free(e->vfstype);
        free(e->options);
}

Fstab *fstab_free(Fstab *f)
{
        if (!f)
                return NULL;
        conf_lines_free(f->entries, f->n_entries, sizeof(FstabEntry), entry_done);
        return mfree(f);
}

/* Copies a field, decoding \NNN octal escapes as getmntent(3) does. */
static char *field_dup(const char *s, size_t n)
{
        char *r = malloc(n + 1), *o = r;

        if (!r)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                    s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        char c = (char) ((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
                        if (c != 0)
                                *o++ = c;
                        i += 3;
                } else
                        *o++ = s[i];
        }
        *o = 0;
        return r;
}

/* The dump and pass fields: small non-negative numbers; anything else counts as 0, as mount does. */
static int parse_small_int(const char *s, size_t n)
{
        int v = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9' || v > 100000)
                        return 0;
                v = v * 10 + (s[i] - '0');
        }
        return v;
}

static int parse_line(const char *line, size_t len, unsigned no, void *userdata)
{
        Fstab *f = userdata;
        const char *fields[6] = {};
        size_t flen[6] = {}, nf = 0, i = 0;
        FstabEntry e = { .line = no };

        while (i < len && nf < 6) {
                while (i < len && (line[i] == ' ' || line[i] == '\t'))
                        i++;
                if (i >= len || (nf == 0 && line[i] == '#'))
                        break;
                fields[nf] = line + i;
                while (i < len && line[i] != ' ' && line[i] != '\t')
                        i++;
                flen[nf] = (size_t) (line + i - fields[nf]);
                nf++;
        }
        if (nf == 0)
                return 0;
        if (nf < 2)
                return -EINVAL;
        e.spec = field_dup(fields[0], flen[0]);
        e.file = field_dup(fields[1], flen[1]);
        e.vfstype = nf > 2 ? field_dup(fields[2], flen[2]) : strdup("auto");
        e.options = nf > 3 ? field_dup(fields[3], flen[3]) : strdup("defaults");
        e.freq = nf > 4 ? parse_small_int(fields[4], flen[4]) : 0;
        e.passno = nf > 5 ? parse_small_int(fields[5], flen[5]) : 0;
        if (!e.spec || !e.file || !e.vfstype || !e.options ||
            conf_lines_append(&f->entries, &f->n_entries, &e, sizeof(e)) < 0) {
                entry_done(&e);
                return -ENOMEM;
        }
        return 0;
}

int fstab_parse(const char *buf, size_t size, Fstab **ret)
{
        _cleanup_(fstab_freep) Fstab *f = calloc(1, sizeof(Fstab));
        int r;

        if (!f)
                return -ENOMEM;
        r = conf_lines_parse(buf, size, 0, parse_line, f, &f->n_invalid, &f->first_invalid_line);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(f);
        return 0;
}

int fstab_has_option(const char *options, const char *opt)
{
        size_t ol = strlen(opt);
        const char *p = options;

        while (p && *p) {
                size_t n = strcspn(p, ",");
                if (n == ol && strncmp(p, opt, n) == 0)
                        return 1;
                p += n;
                p += *p == ',';
        }
        return 0;
}
