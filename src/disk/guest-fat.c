/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shared/fd-util.h"
#include "guest-fat.h"

/* The on-disk format follows Microsoft's "FAT: General Overview of On-Disk Format" (1.03):
 * BIOS parameter block in the boot sector, one or more FATs, a fixed root directory (FAT12/16)
 * or a root cluster chain (FAT32), then the data clusters; the FAT type follows from the
 * cluster count alone. */

#define FAT_TABLE_MAX (64u * 1024u * 1024u) /* a 2 TiB FAT32 has a 2 GiB FAT; ESPs have < 1 MiB */
#define FAT_DIR_MAX   (16u * 1024u * 1024u)

typedef enum FatType {
        FAT12,
        FAT16,
        FAT32,
} FatType;

typedef struct GuestFat {
        GuestFs fs;
        int fd; /* borrowed */
        uint64_t offset, size;
        FatType type;
        uint32_t bytes_per_sector;
        uint32_t cluster_size;
        uint64_t root_dir_offset; /* FAT12/16: byte offset of the fixed root directory */
        uint32_t root_dir_size;
        uint32_t root_cluster; /* FAT32 */
        uint64_t data_offset;  /* byte offset of cluster 2 */
        uint32_t n_clusters;   /* data clusters: valid numbers are 2 .. n_clusters + 1 */
        uint8_t *fat;          /* the first FAT, whole */
        size_t fat_size;
} GuestFat;

/* A directory entry, decoded. */
typedef struct FatEntry {
        char name[1024]; /* UTF-8: 255 UTF-16 units need at most 765 bytes */
        uint8_t attr;
        uint32_t cluster;
        uint32_t size;
        uint16_t mtime, mdate;
} FatEntry;

#define ATTR_READ_ONLY 0x01
#define ATTR_VOLUME_ID 0x08
#define ATTR_DIRECTORY 0x10
#define ATTR_LFN       0x0F

static uint16_t le16(const uint8_t *p)
{
        return (uint16_t) (p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

/* Reads bytes of the filesystem, never outside its range. */
static int fat_pread(GuestFat *f, uint64_t pos, void *buf, size_t n)
{
        ssize_t k;

        if (pos > f->size || n > f->size - pos)
                return -EUCLEAN;
        k = pread_full(f->fd, buf, n, f->offset + pos);
        if (k < 0)
                return (int) k;
        return (size_t) k == n ? 0 : -EIO;
}

/* The FAT entry of cluster c; returns 0xFFFFFFFF for clusters outside the table. */
static uint32_t fat_next(GuestFat *f, uint32_t c)
{
        size_t i;

        switch (f->type) {
        case FAT12:
                i = (size_t) c + c / 2;
                if (i + 1 >= f->fat_size)
                        return UINT32_MAX;
                return (c & 1) ? (uint32_t) (le16(f->fat + i) >> 4) : (uint32_t) (le16(f->fat + i) & 0xFFF);
        case FAT16:
                i = (size_t) c * 2;
                return i + 1 < f->fat_size ? le16(f->fat + i) : UINT32_MAX;
        default:
                i = (size_t) c * 4;
                return i + 3 < f->fat_size ? le32(f->fat + i) & 0x0FFFFFFF : UINT32_MAX;
        }
}

static bool is_end(GuestFat *f, uint32_t v)
{
        switch (f->type) {
        case FAT12:
                return v >= 0xFF8;
        case FAT16:
                return v >= 0xFFF8;
        default:
                return v >= 0x0FFFFFF8;
        }
}

static bool is_data_cluster(GuestFat *f, uint32_t c)
{
        return c >= 2 && c - 2 < f->n_clusters;
}

/* Tracks the clusters of one chain walk: a cluster met twice is a loop. */
typedef struct Visited {
        uint8_t *bits;
} Visited;

static void visited_done(Visited *v)
{
        free(v->bits);
}

static int visited_init(GuestFat *f, Visited *v)
{
        v->bits = calloc((size_t) f->n_clusters / 8 + 1, 1);
        return v->bits ? 0 : -ENOMEM;
}

/* Returns true the second time a cluster is visited. */
static bool visited_test_set(Visited *v, uint32_t data_cluster)
{
        uint8_t m = (uint8_t) (1u << (data_cluster % 8));
        bool seen = v->bits[data_cluster / 8] & m;

        v->bits[data_cluster / 8] |= m;
        return seen;
}

/* Reads up to max bytes of the chain starting at cluster, skipping skip bytes first. A chain
 * that leaves the data area or comes back to a cluster it passed is corrupt: -EUCLEAN. */
static int read_chain(GuestFat *f, uint32_t cluster, uint64_t skip, size_t max, uint8_t *buf, size_t *ret_n)
{
        _cleanup_(visited_done) Visited seen = {};
        size_t done = 0;
        int r;

        r = visited_init(f, &seen);
        if (r < 0)
                return r;
        while (done < max) {
                size_t n;

                if (!is_data_cluster(f, cluster))
                        return -EUCLEAN;
                if (visited_test_set(&seen, cluster - 2))
                        return -EUCLEAN;
                if (skip >= f->cluster_size)
                        skip -= f->cluster_size;
                else {
                        n = MIN((size_t) (f->cluster_size - skip), max - done);
                        r = fat_pread(f, f->data_offset + (uint64_t) (cluster - 2) * f->cluster_size + skip,
                                      buf + done, n);
                        if (r < 0)
                                return r;
                        done += n;
                        skip = 0;
                }
                if (done >= max)
                        break;
                cluster = fat_next(f, cluster);
                if (is_end(f, cluster))
                        break;
        }
        *ret_n = done;
        return 0;
}

/* Reads a whole directory: the fixed root (FAT12/16, cluster 0) or a cluster chain. */
static int read_dir_raw(GuestFat *f, uint32_t cluster, uint8_t **ret, size_t *ret_n)
{
        _cleanup_free_ uint8_t *buf = NULL;
        size_t n = 0;
        int r;

        if (cluster == 0 && f->type != FAT32) {
                buf = malloc(f->root_dir_size ? f->root_dir_size : 1);
                if (!buf)
                        return -ENOMEM;
                r = fat_pread(f, f->root_dir_offset, buf, f->root_dir_size);
                if (r < 0)
                        return r;
                n = f->root_dir_size;
        } else {
                uint64_t cap = MIN((uint64_t) FAT_DIR_MAX, (uint64_t) f->n_clusters * f->cluster_size);
                uint32_t c = cluster == 0 ? f->root_cluster : cluster;
                _cleanup_(visited_done) Visited seen = {};
                size_t chain = 0;

                r = visited_init(f, &seen);
                if (r < 0)
                        return r;
                /* Directory sizes are not recorded: measure the chain first. */
                for (uint32_t x = c; !is_end(f, x); x = fat_next(f, x)) {
                        if (!is_data_cluster(f, x) || visited_test_set(&seen, x - 2))
                                return -EUCLEAN;
                        chain++;
                        if (chain * f->cluster_size > cap)
                                return -E2BIG;
                }
                buf = malloc(chain * f->cluster_size + 1);
                if (!buf)
                        return -ENOMEM;
                r = read_chain(f, c, 0, chain * f->cluster_size, buf, &n);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(buf);
        *ret_n = n;
        return 0;
}

static uint8_t lfn_checksum(const uint8_t *short_name)
{
        uint8_t sum = 0;

        for (int i = 0; i < 11; i++)
                sum = (uint8_t) (((sum & 1) << 7) + (sum >> 1) + short_name[i]);
        return sum;
}

/* Appends one code point as UTF-8; returns false when it does not fit. */
static bool put_utf8(char *out, size_t *len, size_t cap, uint32_t cp)
{
        char b[4];
        size_t n;

        if (cp < 0x80)
                b[0] = (char) cp, n = 1;
        else if (cp < 0x800)
                b[0] = (char) (0xC0 | cp >> 6), b[1] = (char) (0x80 | (cp & 0x3F)), n = 2;
        else if (cp < 0x10000)
                b[0] = (char) (0xE0 | cp >> 12), b[1] = (char) (0x80 | ((cp >> 6) & 0x3F)),
                b[2] = (char) (0x80 | (cp & 0x3F)), n = 3;
        else
                b[0] = (char) (0xF0 | cp >> 18), b[1] = (char) (0x80 | ((cp >> 12) & 0x3F)),
                b[2] = (char) (0x80 | ((cp >> 6) & 0x3F)), b[3] = (char) (0x80 | (cp & 0x3F)), n = 4;
        if (*len + n >= cap)
                return false;
        memcpy(out + *len, b, n);
        *len += n;
        return true;
}

/* Decodes the UTF-16LE long name gathered from LFN entries (up to 20 entries of 13 units). */
static bool lfn_to_utf8(const uint16_t *u, size_t n, char *out, size_t cap)
{
        size_t len = 0;

        for (size_t i = 0; i < n; i++) {
                uint32_t cp = u[i];
                if (cp == 0)
                        break;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (i + 1 >= n || u[i + 1] < 0xDC00 || u[i + 1] > 0xDFFF)
                                return false;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (u[i + 1] - 0xDC00);
                        i++;
                } else if (cp >= 0xDC00 && cp <= 0xDFFF)
                        return false;
                if (cp == '/' || !put_utf8(out, &len, cap, cp))
                        return false;
        }
        out[len] = 0;
        return len > 0;
}

/* "FOO     TXT" to "foo.txt" honouring the NT lowercase flags (0x08 base, 0x10 extension). */
static void short_name(const uint8_t *e, char *out)
{
        size_t o = 0;
        int bl = e[12] & 0x08, el = e[12] & 0x10;

        for (int i = 0; i < 8 && e[i] != ' '; i++) {
                char c = (char) (i == 0 && e[0] == 0x05 ? 0xE5 : e[i]);
                out[o++] = (bl && c >= 'A' && c <= 'Z') ? (char) (c + 32) : c;
        }
        if (e[8] != ' ') {
                out[o++] = '.';
                for (int i = 8; i < 11 && e[i] != ' '; i++)
                        out[o++] = (el && e[i] >= 'A' && e[i] <= 'Z') ? (char) (e[i] + 32) : (char) e[i];
        }
        out[o] = 0;
}

typedef int (*EntryFn)(const FatEntry *e, void *userdata);

/* Calls fn for each live entry of a directory (not ".", "..", the volume label or deleted
 * ones). fn returns 0 to go on, >0 to stop (that value is returned), <0 on error. */
static int dir_foreach(GuestFat *f, uint32_t cluster, EntryFn fn, void *userdata)
{
        _cleanup_free_ uint8_t *buf = NULL;
        uint16_t lfn[20 * 13];
        int lfn_count = 0, lfn_seq = 0;
        uint8_t lfn_sum = 0;
        size_t n;
        int r;

        r = read_dir_raw(f, cluster, &buf, &n);
        if (r < 0)
                return r;
        for (size_t off = 0; off + 32 <= n; off += 32) {
                const uint8_t *e = buf + off;
                FatEntry fe = {};

                if (e[0] == 0x00)
                        break;
                if (e[0] == 0xE5) {
                        lfn_count = 0;
                        continue;
                }
                if ((e[11] & 0x3F) == ATTR_LFN) {
                        int seq = e[0] & 0x1F;
                        if (seq < 1 || seq > 20) {
                                lfn_count = 0;
                                continue;
                        }
                        if (e[0] & 0x40) {
                                lfn_count = seq;
                                lfn_sum = e[13];
                                memset(lfn, 0, sizeof(lfn));
                        } else if (lfn_count == 0 || seq != lfn_seq - 1 || e[13] != lfn_sum) {
                                lfn_count = 0;
                                continue;
                        }
                        lfn_seq = seq;
                        {
                                static const int pos[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
                                for (int i = 0; i < 13; i++)
                                        lfn[(seq - 1) * 13 + i] = le16(e + pos[i]);
                        }
                        continue;
                }
                if (e[11] & ATTR_VOLUME_ID) {
                        lfn_count = 0;
                        continue;
                }
                if (lfn_count > 0 && lfn_seq == 1 && lfn_checksum(e) == lfn_sum &&
                    lfn_to_utf8(lfn, (size_t) lfn_count * 13, fe.name, sizeof(fe.name)))
                        ;
                else
                        short_name(e, fe.name);
                lfn_count = 0;
                if (streq(fe.name, ".") || streq(fe.name, "..") || fe.name[0] == 0)
                        continue;
                fe.attr = e[11];
                fe.cluster =
                        (uint32_t) le16(e + 26) | (f->type == FAT32 ? (uint32_t) le16(e + 20) << 16 : 0);
                fe.size = le32(e + 28);
                fe.mtime = le16(e + 22);
                fe.mdate = le16(e + 24);
                r = fn(&fe, userdata);
                if (r != 0)
                        return r;
        }
        return 0;
}

typedef struct Lookup {
        const char *name;
        size_t len;
        FatEntry found;
} Lookup;

static int lookup_cb(const FatEntry *e, void *userdata)
{
        Lookup *l = userdata;

        if (strlen(e->name) == l->len && strncasecmp(e->name, l->name, l->len) == 0) {
                l->found = *e;
                return 1;
        }
        return 0;
}

/* Finds the entry for a canonical path; the root is a directory with cluster 0. */
static int lookup(GuestFat *f, const char *path, FatEntry *ret)
{
        FatEntry cur = { .attr = ATTR_DIRECTORY, .cluster = 0 };
        const char *p = path;

        while (*p) {
                Lookup l;
                int r;

                p += strspn(p, "/");
                if (!*p)
                        break;
                if (!(cur.attr & ATTR_DIRECTORY))
                        return -ENOTDIR;
                l = (Lookup){ .name = p, .len = strcspn(p, "/") };
                r = dir_foreach(f, cur.cluster, lookup_cb, &l);
                if (r < 0)
                        return r;
                if (r == 0)
                        return -ENOENT;
                cur = l.found;
                if ((cur.attr & ATTR_DIRECTORY) && cur.cluster == 0)
                        return -EUCLEAN; /* only the root may live at cluster 0 */
                p += l.len;
        }
        *ret = cur;
        return 0;
}

/* FAT timestamps are local time without a zone; read as UTC, as mount -o tz=UTC would. */
static int64_t fat_time(uint16_t date, uint16_t time)
{
        int y = 1980 + (date >> 9), m = (date >> 5) & 0xF, d = date & 0x1F;
        int64_t days;

        if (m < 1 || m > 12 || d < 1)
                return 0;
        /* days from civil (Howard Hinnant's algorithm) */
        y -= m <= 2;
        {
                int64_t era = y / 400, yoe = y - era * 400, mp = (m + 9) % 12;
                int64_t doy = (153 * mp + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
                days = era * 146097 + doe - 719468;
        }
        return days * 86400 + (time >> 11) * 3600 + ((time >> 5) & 0x3F) * 60 + (time & 0x1F) * 2;
}

static int fat_lstat(GuestFs *fs, const char *path, GuestStat *ret)
{
        FatEntry e;
        int r = lookup((GuestFat *) fs, path, &e);

        if (r < 0)
                return r;
        *ret = (GuestStat){
                .type = (e.attr & ATTR_DIRECTORY) ? GUEST_FILE_DIRECTORY : GUEST_FILE_REGULAR,
                .mode = (e.attr & ATTR_DIRECTORY) ? 0755 : ((e.attr & ATTR_READ_ONLY) ? 0444 : 0644),
                .size = (e.attr & ATTR_DIRECTORY) ? 0 : e.size,
                .mtime = fat_time(e.mdate, e.mtime),
        };
        return 0;
}

static int fat_readlink(GuestFs *fs, const char *path, char **ret)
{
        return -EINVAL; /* FAT has no symlinks */
}

static int fat_pread_file(GuestFs *fs, const char *path, uint64_t offset, size_t size, void *buf,
                          size_t *ret_n)
{
        GuestFat *f = (GuestFat *) fs;
        FatEntry e;
        int r;

        r = lookup(f, path, &e);
        if (r < 0)
                return r;
        if (e.attr & ATTR_DIRECTORY)
                return -EISDIR;
        if (offset >= e.size || size == 0 || e.cluster == 0) {
                *ret_n = 0;
                return 0;
        }
        size = (size_t) MIN((uint64_t) size, (uint64_t) e.size - offset);
        r = read_chain(f, e.cluster, offset, size, buf, ret_n);
        if (r < 0)
                return r;
        return *ret_n == size ? 0 : -EUCLEAN; /* the chain ended before the recorded size */
}

typedef struct Collect {
        GuestDirEntry *e;
        size_t n;
} Collect;

static int collect_cb(const FatEntry *fe, void *userdata)
{
        Collect *c = userdata;
        GuestDirEntry *ne;

        if (c->n >= GUEST_DIR_ENTRIES_MAX)
                return -E2BIG;
        ne = reallocarray(c->e, c->n + 1, sizeof(GuestDirEntry));
        if (!ne)
                return -ENOMEM;
        c->e = ne;
        ne[c->n].name = strdup(fe->name);
        if (!ne[c->n].name)
                return -ENOMEM;
        ne[c->n].type = (fe->attr & ATTR_DIRECTORY) ? GUEST_FILE_DIRECTORY : GUEST_FILE_REGULAR;
        c->n++;
        return 0;
}

static int fat_readdir(GuestFs *fs, const char *path, GuestDirEntry **ret, size_t *ret_n)
{
        GuestFat *f = (GuestFat *) fs;
        Collect c = {};
        FatEntry e;
        int r;

        r = lookup(f, path, &e);
        if (r < 0)
                return r;
        if (!(e.attr & ATTR_DIRECTORY))
                return -ENOTDIR;
        r = dir_foreach(f, e.cluster, collect_cb, &c);
        if (r < 0) {
                guest_dir_entries_free(c.e, c.n);
                return r;
        }
        *ret = c.e;
        *ret_n = c.n;
        return 0;
}

static int fat_space(GuestFs *fs, GuestFsSpace *ret)
{
        GuestFat *f = (GuestFat *) fs;
        uint64_t free_clusters = 0;

        for (uint32_t c = 2; c - 2 < f->n_clusters; c++)
                if (fat_next(f, c) == 0)
                        free_clusters++;
        *ret = (GuestFsSpace){
                .size = (uint64_t) f->n_clusters * f->cluster_size,
                .free = free_clusters * f->cluster_size,
                .available = free_clusters * f->cluster_size,
        };
        return 0;
}

static void fat_free(GuestFs *fs)
{
        GuestFat *f = (GuestFat *) fs;

        free(f->fat);
        free(f);
}

static const GuestFsOps fat_ops = {
        .name = "fat",
        .lstat = fat_lstat,
        .readlink = fat_readlink,
        .pread = fat_pread_file,
        .readdir = fat_readdir,
        .space = fat_space,
        .free = fat_free,
};

static bool is_pow2(uint32_t v)
{
        return v && !(v & (v - 1));
}

int guest_fat_open(int fd, uint64_t offset, uint64_t size, GuestFs **ret)
{
        _cleanup_free_ GuestFat *f = NULL;
        uint8_t bs[512];
        uint32_t bps, spc, reserved, nfats, root_entries, total, fatsz, root_sectors, data_sectors;
        int r;

        f = calloc(1, sizeof(GuestFat));
        if (!f)
                return -ENOMEM;
        *f = (GuestFat){ .fs.ops = &fat_ops, .fd = fd, .offset = offset, .size = size };
        r = fat_pread(f, 0, bs, sizeof(bs));
        if (r < 0)
                return r == -EIO ? -EUCLEAN : r;

        bps = le16(bs + 11);
        spc = bs[13];
        reserved = le16(bs + 14);
        nfats = bs[16];
        root_entries = le16(bs + 17);
        total = le16(bs + 19) ? le16(bs + 19) : le32(bs + 32);
        fatsz = le16(bs + 22) ? le16(bs + 22) : le32(bs + 36);
        if (bs[510] != 0x55 || bs[511] != 0xAA || !is_pow2(bps) || bps < 512 || bps > 4096 ||
            !is_pow2(spc) || reserved == 0 || nfats == 0 || fatsz == 0 || total == 0)
                return -EUCLEAN;
        if ((uint64_t) total * bps > size)
                return -EUCLEAN;
        root_sectors = (root_entries * 32 + bps - 1) / bps;
        if ((uint64_t) reserved + (uint64_t) nfats * fatsz + root_sectors >= total)
                return -EUCLEAN;
        data_sectors = total - reserved - nfats * fatsz - root_sectors;
        f->n_clusters = data_sectors / spc;
        f->type = f->n_clusters < 4085 ? FAT12 : f->n_clusters < 65525 ? FAT16 : FAT32;
        f->bytes_per_sector = bps;
        f->cluster_size = bps * spc;
        if (f->cluster_size > 256u * 1024u)
                return -EUCLEAN;
        f->root_dir_offset = (uint64_t) (reserved + nfats * fatsz) * bps;
        f->root_dir_size = root_sectors * bps;
        f->data_offset = f->root_dir_offset + f->root_dir_size;
        if (f->type == FAT32) {
                f->root_cluster = le32(bs + 44);
                if (!is_data_cluster(f, f->root_cluster) || root_entries != 0)
                        return -EUCLEAN;
        } else if (root_entries == 0)
                return -EUCLEAN;

        f->fat_size = (size_t) fatsz * bps;
        if (f->fat_size > FAT_TABLE_MAX)
                return -EUCLEAN;
        f->fat = malloc(f->fat_size);
        if (!f->fat)
                return -ENOMEM;
        r = fat_pread(f, (uint64_t) reserved * bps, f->fat, f->fat_size);
        if (r < 0) {
                free(f->fat);
                return r == -EIO ? -EUCLEAN : r;
        }
        *ret = &TAKE_PTR(f)->fs;
        return 0;
}
