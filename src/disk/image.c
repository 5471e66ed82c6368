/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <blkid.h>

#include "shared/fd-util.h"
#include "image.h"

static const char *const image_format_table[_IMAGE_FORMAT_MAX] = {
        [IMAGE_FORMAT_RAW] = "raw",     [IMAGE_FORMAT_VHD] = "vhd",
        [IMAGE_FORMAT_VHDX] = "vhdx",   [IMAGE_FORMAT_QCOW2] = "qcow2",
        [IMAGE_FORMAT_BLOCK] = "block", [IMAGE_FORMAT_DIRECTORY] = "directory",
};

DEFINE_STRING_TABLE_LOOKUP(image_format, ImageFormat);

static const char *const vhd_type_table[_VHD_TYPE_MAX] = {
        [VHD_TYPE_FIXED] = "fixed",
        [VHD_TYPE_DYNAMIC] = "dynamic",
        [VHD_TYPE_DIFFERENCING] = "differencing",
};

DEFINE_STRING_TABLE_LOOKUP(vhd_type, VhdType);

#define HEAD_SIZE 4608 /* enough for an MBR, a GPT header at LBA 1 of 512 or 4096-byte sectors */

static uint32_t be32(const uint8_t *p)
{
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
        return (uint64_t) be32(p) << 32 | be32(p + 4);
}

static void copy_tag(char dst[5], const uint8_t *src)
{
        for (int i = 0; i < 4; i++)
                dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? (char) src[i] : '?';
        dst[4] = 0;
}

/* Footer layout (Microsoft "Virtual Hard Disk Image Format Specification", big-endian):
 * 0 cookie "conectix", 8 features, 12 version, 16 data offset, 24 timestamp, 28 creator app,
 * 32 creator version, 36 creator host OS, 40 original size, 48 current size, 56 geometry,
 * 60 disk type (2 fixed, 3 dynamic, 4 differencing), 64 checksum, 68 unique id, 84 saved state. */
int vhd_footer_parse(const void *buf, VhdFooter *ret)
{
        const uint8_t *f = buf;
        uint32_t sum = 0, type;
        VhdFooter v = {};

        if (memcmp(f, "conectix", 8) != 0)
                return 0;
        type = be32(f + 60);
        switch (type) {
        case 2:
                v.type = VHD_TYPE_FIXED;
                break;
        case 3:
                v.type = VHD_TYPE_DYNAMIC;
                break;
        case 4:
                v.type = VHD_TYPE_DIFFERENCING;
                break;
        default:
                return -EBADMSG;
        }
        for (size_t i = 0; i < 512; i++)
                if (i < 64 || i >= 68)
                        sum += f[i];
        v.checksum = be32(f + 64);
        v.checksum_ok = (uint32_t) ~sum == v.checksum;
        v.original_size = be64(f + 40);
        v.current_size = be64(f + 48);
        v.creator_version = be32(f + 32);
        copy_tag(v.creator_app, f + 28);
        copy_tag(v.creator_os, f + 36);
        snprintf(v.unique_id, sizeof(v.unique_id),
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", f[68], f[69], f[70],
                 f[71], f[72], f[73], f[74], f[75], f[76], f[77], f[78], f[79], f[80], f[81], f[82], f[83]);
        *ret = v;
        return 1;
}

Image *image_free(Image *img)
{
        if (!img)
                return NULL;
        safe_close(img->fd);
        free(img->path);
        finding_list_done(&img->findings);
        free(img);
        return NULL;
}

const char *image_strerror(int error)
{
        switch (error) {
        case -EISDIR:
                return "is a directory; to inspect a mounted root use --root DIR";
        case -ENODATA:
                return "is empty (0 bytes)";
        case -EMEDIUMTYPE:
                return "is not a disk image: no partition table, filesystem or known image header found";
        case -EPROTONOSUPPORT:
                return "is a disk image format azlmigrate does not read (VMDK, VDI); convert it with "
                       "'qemu-img convert -O raw' first";
        case -ENOEXEC:
                return "is a compressed file or an archive, not a disk image; unpack it first";
        case -EBADMSG:
                return "has a corrupt image header";
        case -ENOTBLK:
                return "is neither a regular file nor a block device";
        default:
                return NULL;
        }
}

/* Formats we recognise in order to refuse them with a precise message. */
static int detect_unsupported(const uint8_t *head, size_t n)
{
        static const struct {
                size_t offset;
                const char *magic;
                size_t len;
                int error;
        } table[] = {
                { 0, "KDMV", 4, -EPROTONOSUPPORT },                   /* VMDK sparse extent */
                { 0, "# Disk DescriptorFile", 21, -EPROTONOSUPPORT }, /* VMDK descriptor */
                { 0x40, "\x7f\x10\xda\xbe", 4, -EPROTONOSUPPORT },    /* VDI */
                { 0, "\x1f\x8b", 2, -ENOEXEC },                       /* gzip */
                { 0,
                  "\xfd"
                  "7zXZ\x00",
                  6, -ENOEXEC },                        /* xz */
                { 0, "\x28\xb5\x2f\xfd", 4, -ENOEXEC }, /* zstd */
                { 0, "BZh", 3, -ENOEXEC },              /* bzip2 */
                { 0, "PK\x03\x04", 4, -ENOEXEC },       /* zip */
                { 257, "ustar", 5, -ENOEXEC },          /* tar */
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (n >= table[i].offset + table[i].len &&
                    memcmp(head + table[i].offset, table[i].magic, table[i].len) == 0)
                        return table[i].error;
        return 0;
}

/* True if the first bytes carry an MBR boot signature or a GPT header. */
static bool has_partition_table(const uint8_t *head, size_t n)
{
        if (n >= 512 && head[510] == 0x55 && head[511] == 0xaa)
                return true;
        if (n >= 520 && memcmp(head + 512, "EFI PART", 8) == 0)
                return true;
        if (n >= 4104 && memcmp(head + 4096, "EFI PART", 8) == 0)
                return true;
        return false;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(blkid_probe, blkid_free_probe);

/* True if libblkid finds a filesystem at offset 0 of the first size bytes of fd. */
static bool has_filesystem(int fd, uint64_t size)
{
        _cleanup_(blkid_free_probep) blkid_probe pr = blkid_new_probe();

        if (!pr || blkid_probe_set_device(pr, fd, 0, (blkid_loff_t) size) < 0)
                return false;
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
        blkid_probe_enable_partitions(pr, 0);
        return blkid_do_safeprobe(pr) == 0;
}

static int detect_file(Image *img)
{
        uint8_t head[HEAD_SIZE] = {}, tail[512];
        size_t hn = (size_t) MIN(img->file_size, (uint64_t) HEAD_SIZE);
        ssize_t n;
        int r;

        n = pread_full(img->fd, head, hn, 0);
        if (n < 0)
                return (int) n;
        hn = (size_t) n;

        if (hn >= 4 && memcmp(head, "QFI\xfb", 4) == 0) {
                if (hn < 32)
                        return -EBADMSG;
                img->format = IMAGE_FORMAT_QCOW2;
                img->disk_size = be64(head + 24);
                return 0;
        }
        if (hn >= 8 && memcmp(head, "vhdxfile", 8) == 0) {
                img->format = IMAGE_FORMAT_VHDX;
                return 0; /* virtual size lives in the metadata region; libguestfs reports it */
        }
        if (hn >= 512 && memcmp(head, "conectix", 8) == 0) {
                /* Dynamic and differencing VHDs start with a copy of the footer. */
                r = vhd_footer_parse(head, &img->vhd);
                if (r <= 0)
                        return -EBADMSG;
                if (img->vhd.type == VHD_TYPE_FIXED)
                        return -EBADMSG;
                img->format = IMAGE_FORMAT_VHD;
                img->has_vhd_footer = true;
                img->disk_size = img->vhd.current_size;
                return 0;
        }
        r = detect_unsupported(head, hn);
        if (r < 0)
                return r;

        img->disk_size = img->file_size;
        if (img->file_size >= 1024) {
                n = pread_full(img->fd, tail, sizeof(tail), img->file_size - 512);
                if (n < 0)
                        return (int) n;
                if (n == (ssize_t) sizeof(tail) && memcmp(tail, "conectix", 8) == 0) {
                        r = vhd_footer_parse(tail, &img->vhd);
                        if (r <= 0 || img->vhd.type != VHD_TYPE_FIXED)
                                return -EBADMSG; /* a dynamic VHD has its header copy at offset 0 */
                        img->format = IMAGE_FORMAT_VHD;
                        img->has_vhd_footer = true;
                        img->disk_size = img->file_size - 512;
                        if (!img->vhd.checksum_ok &&
                            (r = finding_list_add(
                                     &img->findings, "disk.vhd.footer-checksum",
                                     "VHD footer checksum is 0x%08x, content sums to another value",
                                     img->vhd.checksum)) < 0)
                                return r;
                        if (img->vhd.current_size != img->disk_size &&
                            (r = finding_list_add(
                                     &img->findings, "disk.vhd.size-mismatch",
                                     "VHD footer says %llu bytes, the file holds %llu bytes of data",
                                     (unsigned long long) img->vhd.current_size,
                                     (unsigned long long) img->disk_size)) < 0)
                                return r;
                        if (img->disk_size % (1024 * 1024) != 0 &&
                            (r = finding_list_add(&img->findings, "disk.vhd.unaligned-size",
                                                  "virtual size %llu is not a whole number of MiB, which "
                                                  "Azure requires of uploaded VHDs",
                                                  (unsigned long long) img->disk_size)) < 0)
                                return r;
                }
        }
        img->native = true;
        if (img->format == IMAGE_FORMAT_VHD)
                return 0; /* the footer identifies it, whatever the disk holds */

        /* A raw image has no header of its own: insist on a partition table or a filesystem. */
        img->format = IMAGE_FORMAT_RAW;
        if (has_partition_table(head, hn) || has_filesystem(img->fd, img->disk_size))
                return 0;
        return -EMEDIUMTYPE;
}

int image_open(const char *path, Image **ret)
{
        _cleanup_(image_freep) Image *img = NULL;
        struct stat st;
        int r;

        img = calloc(1, sizeof(Image));
        if (!img)
                return -ENOMEM;
        img->fd = -EBADF;
        img->path = strdup(path);
        if (!img->path)
                return -ENOMEM;

        img->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (img->fd < 0)
                return -errno;
        if (fstat(img->fd, &st) < 0)
                return -errno;

        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (S_ISBLK(st.st_mode)) {
                uint64_t size = 0;
                if (ioctl(img->fd, BLKGETSIZE64, &size) < 0)
                        return -errno;
                img->format = IMAGE_FORMAT_BLOCK;
                img->file_size = img->disk_size = size;
                img->native = true;
                if (size == 0)
                        return -ENODATA;
        } else if (S_ISREG(st.st_mode)) {
                img->file_size = (uint64_t) st.st_size;
                if (img->file_size == 0)
                        return -ENODATA;
                r = detect_file(img);
                if (r < 0)
                        return r;
        } else
                return -ENOTBLK;

        /* Reads are positional and blocking from here on. */
        r = fcntl(img->fd, F_GETFL);
        if (r >= 0)
                (void) fcntl(img->fd, F_SETFL, r & ~O_NONBLOCK);

        *ret = TAKE_PTR(img);
        return 0;
}
