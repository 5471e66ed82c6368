/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdisk.h>
#include <zlib.h>

#include "shared/fd-util.h"
#include "shared/string-util.h"
#include "partition.h"
#include "probe.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct fdisk_context *, fdisk_unref_context);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fdisk_table *, fdisk_unref_table);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fdisk_iter *, fdisk_free_iter);

void fs_info_done(FsInfo *fs)
{
        free(fs->type);
        free(fs->uuid);
        free(fs->label);
        free(fs->version);
        *fs = (FsInfo){};
}

static void partition_done(Partition *p)
{
        free(p->type);
        free(p->type_name);
        free(p->name);
        free(p->uuid);
        free(p->device);
        fs_info_done(&p->fs);
}

DiskLayout *disk_layout_free(DiskLayout *d)
{
        if (!d)
                return NULL;
        for (size_t i = 0; i < d->n_partitions; i++)
                partition_done(&d->partitions[i]);
        free(d->partitions);
        for (size_t i = 0; i < d->n_volumes; i++)
                partition_done(&d->volumes[i]);
        free(d->volumes);
        free(d->label);
        free(d->id);
        finding_list_done(&d->findings);
        free(d);
        return NULL;
}

static int cmp_partition(const void *a, const void *b)
{
        const Partition *x = a, *y = b;
        return x->number < y->number ? -1 : x->number > y->number;
}

int disk_layout_add(DiskLayout *d, Partition *p)
{
        Partition *n = reallocarray(d->partitions, d->n_partitions + 1, sizeof(Partition));

        if (!n) {
                partition_done(p);
                return -ENOMEM;
        }
        d->partitions = n;
        d->partitions[d->n_partitions++] = *p;
        *p = (Partition){};
        qsort(d->partitions, d->n_partitions, sizeof(Partition), cmp_partition);
        return 0;
}

int disk_layout_add_volume(DiskLayout *d, Partition *v)
{
        Partition *n = reallocarray(d->volumes, d->n_volumes + 1, sizeof(Partition));

        if (!n) {
                partition_done(v);
                return -ENOMEM;
        }
        d->volumes = n;
        d->volumes[d->n_volumes++] = *v;
        *v = (Partition){};
        return 0;
}

const Partition *disk_layout_find(const DiskLayout *d, unsigned number)
{
        for (size_t i = 0; i < d->n_partitions; i++)
                if (d->partitions[i].number == number)
                        return &d->partitions[i];
        return NULL;
}

static char *strdup_lower(const char *s)
{
        char *r = s ? strdup(s) : NULL;
        return r ? ascii_strlower(r) : NULL;
}

int partition_type_name(const char *label, const char *type, char **ret)
{
        _cleanup_(fdisk_unref_contextp) struct fdisk_context *cxt = NULL;
        struct fdisk_label *lb;
        struct fdisk_parttype *t = NULL;
        const char *name;

        cxt = fdisk_new_context();
        if (!cxt)
                return -ENOMEM;
        lb = fdisk_get_label(cxt, label);
        if (lb) {
                if (streq(label, "dos"))
                        t = fdisk_label_get_parttype_from_code(lb, (unsigned) strtoul(type, NULL, 16));
                else
                        t = fdisk_label_get_parttype_from_string(lb, type);
        }
        name = t ? fdisk_parttype_get_name(t) : NULL;
        *ret = strdup(isempty(name) ? "unknown" : name);
        /* Types libfdisk does not know are allocated for the caller; known ones are static. */
        if (t && fdisk_parttype_is_unknown(t))
                fdisk_unref_parttype(t);
        return *ret ? 0 : -ENOMEM;
}

typedef struct AskContext {
        FindingList *findings;
        /* libfdisk sizes the disk by the file, which for a fixed VHD includes the footer: its
         * complaints about the disk's end are then about the footer, and check_gpt_headers()
         * checks the same things against the real data size instead. */
        bool vhd_footer;
} AskContext;

/* libfdisk reports what it notices (a corrupt primary GPT, a mismatched backup) through its "ask"
 * interface; record those messages as findings instead of letting them reach a terminal. */
static int ask_cb(struct fdisk_context *cxt _unused_, struct fdisk_ask *ask, void *data)
{
        AskContext *a = data;
        const char *msg;

        switch (fdisk_ask_get_type(ask)) {
        case FDISK_ASKTYPE_WARN:
        case FDISK_ASKTYPE_WARNX:
                msg = fdisk_ask_print_get_mesg(ask);
                if (!msg)
                        return 0;
                if (a->vhd_footer &&
                    (strstr(msg, "PMBR size mismatch") || strstr(msg, "not on the end of the device")))
                        return 0;
                (void) finding_list_add(a->findings, "disk.label.warning", "libfdisk: %s", msg);
                return 0;
        case FDISK_ASKTYPE_INFO:
                return 0;
        default:
                return -EINVAL; /* never answer questions: we only read */
        }
}

static uint64_t le64(const uint8_t *p)
{
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--)
                v = v << 8 | p[i];
        return v;
}

static uint32_t le32(const uint8_t *p)
{
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

/* Checks one GPT header as the UEFI specification defines it (signature, size, header CRC32,
 * own LBA). Returns 1 if valid (and its alternate LBA), 0 if not, -errno on I/O error. */
static int gpt_header_valid(int fd, uint64_t lba, uint64_t ss, uint64_t disk_size, uint64_t *ret_alt)
{
        _cleanup_free_ uint8_t *buf = NULL;
        uint32_t hsize, crc;
        ssize_t n;

        if (lba > disk_size / ss - 1)
                return 0;
        buf = malloc(ss);
        if (!buf)
                return -ENOMEM;
        n = pread_full(fd, buf, ss, lba * ss);
        if (n < 0)
                return (int) n;
        if ((uint64_t) n < ss || memcmp(buf, "EFI PART", 8) != 0)
                return 0;
        hsize = le32(buf + 12);
        if (hsize < 92 || hsize > ss)
                return 0;
        crc = le32(buf + 16);
        memset(buf + 16, 0, 4);
        if ((uint32_t) crc32(0L, buf, hsize) != crc)
                return 0;
        if (le64(buf + 24) != lba)
                return 0;
        if (ret_alt)
                *ret_alt = le64(buf + 32);
        return 1;
}

static int check_gpt_headers(const Image *img, uint64_t ss, FindingList *findings)
{
        uint64_t alt = 0, last = img->disk_size / ss - 1;
        int r;

        r = gpt_header_valid(img->fd, 1, ss, img->disk_size, &alt);
        if (r < 0)
                return r;
        if (r == 0) {
                r = finding_list_add(findings, "disk.gpt.primary-header-corrupt",
                                     "the primary GPT header at LBA 1 is invalid; the partition table was "
                                     "read from the backup header at LBA %" PRIu64,
                                     last);
                return r;
        }
        r = gpt_header_valid(img->fd, alt, ss, img->disk_size, NULL);
        if (r < 0)
                return r;
        if (r == 0)
                return finding_list_add(findings, "disk.gpt.backup-header-corrupt",
                                        "the backup GPT header at LBA %" PRIu64 " is missing or invalid "
                                        "(a truncated or resized image?); the primary header was used",
                                        alt);
        if (img->has_vhd_footer && alt != last)
                return finding_list_add(findings, "disk.label.warning",
                                        "the backup GPT header is at LBA %" PRIu64 ", not at the end of the "
                                        "disk (LBA %" PRIu64 "): the disk was resized",
                                        alt, last);
        return 0;
}

/* GUIDs on disk: the first three fields little-endian, the rest as bytes. */
static void guid_to_string(const uint8_t *g, char buf[37])
{
        snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[3], g[2],
                 g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* libfdisk rejects a GPT whose header describes a disk larger than the image (a truncated
 * download), and one whose primary header is damaged when the backup is not in the last sector
 * of the file (a fixed VHD: its footer is). It then reads the protective MBR instead. For those
 * cases only, read the entries of whichever header is valid ourselves (the primary at LBA 1,
 * else the backup in the disk's last sector), CRCs checked, so that the layout is still reported.
 * Returns 1 when the partitions were read (*ret_lba: the header used, *ret_alt: the other one it
 * names), 0 when neither header is valid. */
static int read_gpt_fallback(const Image *img, uint64_t ss, DiskLayout *d, uint64_t *ret_lba,
                             uint64_t *ret_alt)
{
        _cleanup_free_ uint8_t *hdr = NULL, *ents = NULL;
        uint64_t entries_lba, alt, lba = 1;
        uint32_t n, esize;
        char guid[37];
        ssize_t k;
        int r;

        r = gpt_header_valid(img->fd, lba, ss, img->disk_size, &alt);
        if (r == 0) {
                lba = img->disk_size / ss - 1;
                r = gpt_header_valid(img->fd, lba, ss, img->disk_size, &alt);
        }
        if (r <= 0)
                return r;
        hdr = malloc(ss);
        if (!hdr)
                return -ENOMEM;
        k = pread_full(img->fd, hdr, ss, lba * ss);
        if (k != (ssize_t) ss)
                return k < 0 ? (int) k : -EIO;
        entries_lba = le64(hdr + 72);
        n = le32(hdr + 80);
        esize = le32(hdr + 84);
        if (n == 0 || n > 1024 || esize < 128 || esize > 4096 || esize % 8 != 0 ||
            entries_lba > img->disk_size / ss)
                return 0;
        ents = malloc((size_t) n * esize);
        if (!ents)
                return -ENOMEM;
        k = pread_full(img->fd, ents, (size_t) n * esize, entries_lba * ss);
        if (k != (ssize_t) ((size_t) n * esize))
                return 0;
        if ((uint32_t) crc32(0L, ents, n * esize) != le32(hdr + 88))
                return 0;
        *ret_lba = lba;
        *ret_alt = alt;

        d->label = mfree(d->label);
        d->label = strdup("gpt");
        guid_to_string(hdr + 56, guid);
        free(d->id);
        d->id = strdup(guid);
        if (!d->label || !d->id)
                return -ENOMEM;
        for (uint32_t i = 0; i < n; i++) {
                const uint8_t *e = ents + (size_t) i * esize;
                static const uint8_t zero[16];
                Partition p = { .number = i + 1 };
                char name[72 * 3 + 1];
                size_t o = 0;

                if (memcmp(e, zero, 16) == 0)
                        continue;
                p.start = le64(e + 32) * ss;
                p.size = (le64(e + 40) - le64(e + 32) + 1) * ss;
                if (le64(e + 40) < le64(e + 32))
                        continue;
                p.bootable = le64(e + 48) & (1ull << 2);
                guid_to_string(e, guid);
                p.type = strdup(guid);
                guid_to_string(e + 16, guid);
                p.uuid = strdup(guid);
                /* The name is UTF-16LE; names in practice are ASCII. Others become '?'. */
                for (int j = 0; j < 36; j++) {
                        uint16_t ch = (uint16_t) (e[56 + 2 * j] | e[57 + 2 * j] << 8);
                        if (ch == 0)
                                break;
                        name[o++] = (ch >= 0x20 && ch < 0x7f) ? (char) ch : '?';
                }
                name[o] = 0;
                if (o > 0)
                        p.name = strdup(name);
                if (!p.type || !p.uuid || (o > 0 && !p.name)) {
                        partition_done(&p);
                        return -ENOMEM;
                }
                r = partition_type_name("gpt", p.type, &p.type_name);
                if (r < 0) {
                        partition_done(&p);
                        return r;
                }
                r = disk_layout_add(d, &p);
                if (r < 0)
                        return r;
        }
        return 1;
}

static int read_partition(struct fdisk_partition *pa, const char *label, const char *disk_id, uint64_t ss,
                          Partition *ret)
{
        struct fdisk_parttype *t = fdisk_partition_get_type(pa);
        Partition p = { .number = (unsigned) fdisk_partition_get_partno(pa) + 1 };
        const char *s;
        int r = -ENOMEM;

        p.start = (uint64_t) fdisk_partition_get_start(pa) * ss;
        p.size = (uint64_t) fdisk_partition_get_size(pa) * ss;
        p.container = fdisk_partition_is_container(pa);
        p.bootable = fdisk_partition_is_bootable(pa) > 0;

        if (streq(label, "dos")) {
                if (asprintf(&p.type, "0x%02x", t ? fdisk_parttype_get_code(t) : 0u) < 0) {
                        p.type = NULL;
                        goto fail;
                }
                /* The kernel's PARTUUID for MBR disks: the disk id and the partition number. */
                if (disk_id && startswith(disk_id, "0x") &&
                    asprintf(&p.uuid, "%s-%02x", disk_id + 2, p.number) < 0) {
                        p.uuid = NULL;
                        goto fail;
                }
        } else {
                s = t ? fdisk_parttype_get_string(t) : NULL;
                if (s && !(p.type = strdup_lower(s)))
                        goto fail;
                s = fdisk_partition_get_uuid(pa);
                if (s && !(p.uuid = strdup_lower(s)))
                        goto fail;
                s = fdisk_partition_get_name(pa);
                if (!isempty(s) && !(p.name = strdup(s)))
                        goto fail;
                s = fdisk_partition_get_attrs(pa);
                if (s && strstr(s, "LegacyBIOSBootable"))
                        p.bootable = true;
        }
        s = t ? fdisk_parttype_get_name(t) : NULL;
        p.type_name = strdup(isempty(s) ? "unknown" : s);
        if (!p.type_name)
                goto fail;
        *ret = p;
        return 0;
fail:
        partition_done(&p);
        return r;
}

static int probe_partitions(const Image *img, DiskLayout *d)
{
        int r;

        for (size_t i = 0; i < d->n_partitions; i++) {
                Partition *p = &d->partitions[i];
                uint64_t end;

                if (p->container || p->size == 0)
                        continue;
                if (ADD_OVERFLOW(p->start, p->size, &end) || end > d->size) {
                        r = finding_list_add(&d->findings, "disk.partition.beyond-end",
                                             "partition %u ends at byte %llu, past the end of the %llu-byte "
                                             "disk (a truncated image?)",
                                             p->number, (unsigned long long) end,
                                             (unsigned long long) d->size);
                        if (r < 0)
                                return r;
                        if (p->start >= d->size)
                                continue;
                        end = d->size;
                }
                r = probe_filesystem(img->fd, p->start, end - p->start, &p->fs);
                if (r == -ENOMEM)
                        return r;
                if (r == -EUCLEAN)
                        r = finding_list_add(&d->findings, "disk.filesystem.ambiguous",
                                             "partition %u carries contradicting filesystem signatures; "
                                             "it is not read",
                                             p->number);
                else if (r < 0)
                        r = finding_list_add(&d->findings, "disk.filesystem.probe-failed",
                                             "probing partition %u failed: %s", p->number, strerror(-r));
                if (r < 0)
                        return r;
        }
        return 0;
}

int disk_layout_read(const Image *img, DiskLayout **ret)
{
        _cleanup_(fdisk_unref_contextp) struct fdisk_context *cxt = NULL;
        _cleanup_(fdisk_unref_tablep) struct fdisk_table *tb = NULL;
        _cleanup_(fdisk_free_iterp) struct fdisk_iter *itr = NULL;
        _cleanup_(disk_layout_freep) DiskLayout *d = NULL;
        _cleanup_free_ char *id = NULL;
        struct fdisk_partition *pa = NULL;
        AskContext ask;
        const char *label;
        uint64_t ss;
        int r;

        if (!img->native)
                return -EOPNOTSUPP;
        d = calloc(1, sizeof(DiskLayout));
        if (!d)
                return -ENOMEM;
        d->size = img->disk_size;

        cxt = fdisk_new_context();
        if (!cxt)
                return -ENOMEM;
        ask = (AskContext){ .findings = &d->findings, .vhd_footer = img->has_vhd_footer };
        r = fdisk_set_ask(cxt, ask_cb, &ask);
        if (r < 0)
                return r;
        /* The context borrows img->fd (libfdisk does not close a descriptor it was handed). */
        r = fdisk_assign_device_by_fd(cxt, img->fd, img->path, /* readonly= */ 1);
        if (r < 0)
                return r;
        ss = fdisk_get_sector_size(cxt);
        if (ss < 512)
                ss = 512;
        d->sector_size = ss;

        if (!fdisk_has_label(cxt)) {
                Partition whole = { .number = 0, .start = 0, .size = d->size };

                d->label = strdup("none");
                if (!d->label)
                        return -ENOMEM;
                r = probe_filesystem(img->fd, 0, d->size, &whole.fs);
                if (r < 0)
                        return r;
                if (r == 0)
                        return -EMEDIUMTYPE;
                if (!(whole.type_name = strdup("whole disk")))
                        return -ENOMEM;
                r = disk_layout_add(d, &whole);
                if (r < 0)
                        return r;
                *ret = TAKE_PTR(d);
                return 0;
        }

        label = fdisk_label_get_name(fdisk_get_label(cxt, NULL));
        d->label = strdup(label);
        if (!d->label)
                return -ENOMEM;
        if (fdisk_get_disklabel_id(cxt, &id) == 0 && id) {
                d->id = strdup_lower(id);
                if (!d->id)
                        return -ENOMEM;
        }
        if (streq(label, "gpt")) {
                r = check_gpt_headers(img, ss, &d->findings);
                if (r < 0)
                        return r;
        }

        r = fdisk_get_partitions(cxt, &tb);
        if (r < 0)
                return r;
        itr = fdisk_new_iter(FDISK_ITER_FORWARD);
        if (!itr)
                return -ENOMEM;
        while (fdisk_table_next_partition(tb, itr, &pa) == 0) {
                Partition p;

                if (!fdisk_partition_has_partno(pa) || !fdisk_partition_has_start(pa))
                        continue;
                r = read_partition(pa, label, d->id, ss, &p);
                if (r < 0)
                        return r;
                r = disk_layout_add(d, &p);
                if (r < 0)
                        return r;
        }

        /* Only a protective MBR came through: the GPT behind it was refused. */
        if (streq(label, "dos") && d->n_partitions == 1 && streq_ptr(d->partitions[0].type, "0xee")) {
                _cleanup_(disk_layout_freep) DiskLayout *g = calloc(1, sizeof(DiskLayout));
                uint64_t lba = 0, alt = 0;

                if (!g)
                        return -ENOMEM;
                g->size = d->size;
                g->sector_size = ss;
                r = read_gpt_fallback(img, ss, g, &lba, &alt);
                if (r < 0)
                        return r;
                if (r > 0) {
                        r = finding_list_move(&g->findings, &d->findings);
                        if (r < 0)
                                return r;
                        if (lba == 1)
                                r = finding_list_add(
                                        &g->findings, "disk.gpt.backup-header-corrupt",
                                        "the backup GPT header belongs at LBA %llu, past the end of "
                                        "this %llu-sector image (truncated?); libfdisk refused the "
                                        "table and the primary one was read directly",
                                        (unsigned long long) alt, (unsigned long long) (d->size / ss));
                        else
                                r = finding_list_add(
                                        &g->findings, "disk.gpt.primary-header-corrupt",
                                        "the primary GPT header at LBA 1 is invalid; the partition "
                                        "table was read from the backup header at LBA %llu",
                                        (unsigned long long) lba);
                        if (r < 0)
                                return r;
                        disk_layout_free(d);
                        d = TAKE_PTR(g);
                }
        }
        r = probe_partitions(img, d);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}
