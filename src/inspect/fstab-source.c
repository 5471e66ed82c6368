/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fstab-source.h"

static const char *const fstab_source_kind_table[_FSTAB_SOURCE_KIND_MAX] = {
        [FSTAB_SOURCE_UUID] = "uuid",         [FSTAB_SOURCE_LABEL] = "label",
        [FSTAB_SOURCE_PARTUUID] = "partuuid", [FSTAB_SOURCE_PARTLABEL] = "partlabel",
        [FSTAB_SOURCE_DEVICE] = "device",     [FSTAB_SOURCE_OTHER] = "other",
};

DEFINE_STRING_TABLE_LOOKUP(fstab_source_kind, FstabSourceKind);

/* Decodes the \xHH escapes udev uses in /dev/disk/by-* names (NUL is never produced). */
static void unescape_udev(char *s)
{
        char *o = s;

        for (char *p = s; *p; p++) {
                unsigned v;
                if (p[0] == '\\' && p[1] == 'x' && p[2] && p[3] && sscanf(p + 2, "%2x", &v) == 1 && v != 0) {
                        *o++ = (char) v;
                        p += 3;
                } else
                        *o++ = *p;
        }
        *o = 0;
}

int fstab_source_parse(const char *spec, char **ret_value)
{
        static const struct {
                const char *prefix;
                FstabSourceKind kind;
                bool udev;
        } forms[] = {
                { "UUID=", FSTAB_SOURCE_UUID, false },
                { "LABEL=", FSTAB_SOURCE_LABEL, false },
                { "PARTUUID=", FSTAB_SOURCE_PARTUUID, false },
                { "PARTLABEL=", FSTAB_SOURCE_PARTLABEL, false },
                { "/dev/disk/by-uuid/", FSTAB_SOURCE_UUID, true },
                { "/dev/disk/by-label/", FSTAB_SOURCE_LABEL, true },
                { "/dev/disk/by-partuuid/", FSTAB_SOURCE_PARTUUID, true },
                { "/dev/disk/by-partlabel/", FSTAB_SOURCE_PARTLABEL, true },
        };
        char *v;

        for (size_t i = 0; i < ELEMENTSOF(forms); i++) {
                const char *rest = startswith(spec, forms[i].prefix);

                if (!rest)
                        continue;
                v = strdup(rest);
                if (!v)
                        return -ENOMEM;
                if (forms[i].udev)
                        unescape_udev(v);
                else
                        strunquote(v);
                *ret_value = v;
                return forms[i].kind;
        }
        v = strdup(spec);
        if (!v)
                return -ENOMEM;
        *ret_value = v;
        return startswith(spec, "/dev/") ? FSTAB_SOURCE_DEVICE : FSTAB_SOURCE_OTHER;
}

static bool eq_ci(const char *a, const char *b)
{
        return a && b && strcasecmp(a, b) == 0;
}

static const Partition *match_tag(const Partition *p, size_t n, FstabSourceKind kind, const char *value)
{
        for (size_t i = 0; i < n; i++) {
                const Partition *v = &p[i];
                if ((kind == FSTAB_SOURCE_UUID && eq_ci(v->fs.uuid, value)) ||
                    (kind == FSTAB_SOURCE_LABEL && streq_ptr(v->fs.label, value)) ||
                    (kind == FSTAB_SOURCE_PARTUUID && eq_ci(v->uuid, value)) ||
                    (kind == FSTAB_SOURCE_PARTLABEL && streq_ptr(v->name, value)) ||
                    (kind == FSTAB_SOURCE_DEVICE && streq_ptr(v->device, value)))
                        return v;
        }
        return NULL;
}

const Partition *fstab_source_match(const DiskLayout *d, FstabSourceKind kind, const char *value)
{
        static const char *const disks[] = { "/dev/sda", "/dev/vda",      "/dev/xvda",
                                             "/dev/hda", "/dev/nvme0n1p", "/dev/mmcblk0p" };
        const Partition *v;

        if (!d || !value || kind == FSTAB_SOURCE_OTHER)
                return NULL;
        if (kind != FSTAB_SOURCE_DEVICE)
                return match_tag(d->partitions, d->n_partitions, kind, value)
                               ?: match_tag(d->volumes, d->n_volumes, kind, value);
        for (size_t i = 0; i < ELEMENTSOF(disks); i++) {
                const char *rest = startswith(value, disks[i]);
                char *end;
                unsigned long n;

                if (!rest || *rest < '0' || *rest > '9')
                        continue;
                n = strtoul(rest, &end, 10);
                if (*end == 0 && n > 0 && n < 256)
                        return disk_layout_find(d, (unsigned) n);
        }
        v = match_tag(d->volumes, d->n_volumes, FSTAB_SOURCE_DEVICE, value);
        if (v || !startswith(value, "/dev/mapper/"))
                return v;
        /* /dev/mapper/VG-LV names /dev/VG/LV, a '-' inside either name doubled. */
        for (size_t i = 0; i < d->n_volumes; i++) {
                const char *dev = d->volumes[i].device ? startswith(d->volumes[i].device, "/dev/") : NULL;
                const char *m = value + strlen("/dev/mapper/");
                bool same = dev != NULL;

                for (const char *c = dev; same && *c; c++) {
                        if (*c == '-')
                                same = m[0] == '-' && m[1] == '-', m += 2;
                        else if (*c == '/')
                                same = *m++ == '-';
                        else
                                same = *m++ == *c;
                }
                if (same && *m == 0)
                        return &d->volumes[i];
        }
        return NULL;
}
