/* SPDX-License-Identifier: MIT */
/* Unit tests for src/disk/image.c (format detection) and partition.c (libfdisk, GPT checks).
 * Images are made here with libfdisk itself: no external tools. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdisk.h>

#include "disk/image.h"
#include "disk/partition.h"
#include "shared/fd-util.h"
#include "tests.h"

static char tmpdir[] = "/tmp/azlm-image-XXXXXX";

static void path_of(char *buf, size_t n, const char *name)
{
        snprintf(buf, n, "%s/%s", tmpdir, name);
}

static void write_at(const char *path, uint64_t off, const void *data, size_t n)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(pwrite(fd, data, n, (off_t) off), (ssize_t) n);
}

static void make_sparse(const char *path, uint64_t size)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(ftruncate(fd, (off_t) size), 0);
}

static int open_format(const char *name, ImageFormat *ret_format)
{
        _cleanup_(image_freep) Image *img = NULL;
        char p[128];
        int r;

        path_of(p, sizeof(p), name);
        r = image_open(p, &img);
        if (r >= 0)
                *ret_format = img->format;
        return r;
}

static void test_refusals(void)
{
        char p[128];
        ImageFormat f;
        static const uint8_t gz[] = { 0x1f, 0x8b, 0x08, 0 }, vmdk[] = "KDMV";

        path_of(p, sizeof(p), "empty");
        make_sparse(p, 0);
        ASSERT_ERR(open_format("empty", &f), -ENODATA);

        path_of(p, sizeof(p), "zeros");
        make_sparse(p, 1 << 20);
        ASSERT_ERR(open_format("zeros", &f), -EMEDIUMTYPE);

        path_of(p, sizeof(p), "text");
        make_sparse(p, 0);
        write_at(p, 0, "hello, I am not a disk\n", 23);
        ASSERT_ERR(open_format("text", &f), -EMEDIUMTYPE);

        path_of(p, sizeof(p), "gz");
        make_sparse(p, 4096);
        write_at(p, 0, gz, sizeof(gz));
        ASSERT_ERR(open_format("gz", &f), -ENOEXEC);

        path_of(p, sizeof(p), "vmdk");
        make_sparse(p, 4096);
        write_at(p, 0, vmdk, 4);
        ASSERT_ERR(open_format("vmdk", &f), -EPROTONOSUPPORT);

        ASSERT_ERR(open_format("", &f), -EISDIR); /* the directory itself */
        ASSERT_ERR(open_format("missing", &f), -ENOENT);
        ASSERT_NOT_NULL(image_strerror(-EMEDIUMTYPE));
        ASSERT_NULL(image_strerror(-ENOENT));
}

static void test_headers(void)
{
        char p[128];
        ImageFormat f;
        uint8_t qcow[72] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };

        /* qcow2: magic, version 3, size 1 GiB at offset 24 (big-endian). */
        qcow[24 + 4] = 0x40;
        path_of(p, sizeof(p), "q.qcow2");
        make_sparse(p, 65536);
        write_at(p, 0, qcow, sizeof(qcow));
        ASSERT_OK(open_format("q.qcow2", &f));
        ASSERT_EQ(f, IMAGE_FORMAT_QCOW2);

        path_of(p, sizeof(p), "v.vhdx");
        make_sparse(p, 65536);
        write_at(p, 0, "vhdxfile", 8);
        ASSERT_OK(open_format("v.vhdx", &f));
        ASSERT_EQ(f, IMAGE_FORMAT_VHDX);
}

/* Builds a VHD footer as the specification lays it out. */
static void make_footer(uint8_t *f, uint32_t type, uint64_t size)
{
        uint32_t sum = 0;

        memset(f, 0, 512);
        memcpy(f, "conectix", 8);
        f[11] = 2;
        f[13] = 1;
        memset(f + 16, 0xff, 8);
        memcpy(f + 28, "azlm", 4);
        memcpy(f + 36, "Wi2k", 4);
        for (int i = 0; i < 8; i++) {
                f[40 + i] = (uint8_t) (size >> (56 - 8 * i));
                f[48 + i] = (uint8_t) (size >> (56 - 8 * i));
        }
        f[63] = (uint8_t) type;
        for (int i = 0; i < 512; i++)
                sum += f[i];
        sum = ~sum;
        f[64] = (uint8_t) (sum >> 24);
        f[65] = (uint8_t) (sum >> 16);
        f[66] = (uint8_t) (sum >> 8);
        f[67] = (uint8_t) sum;
}

static void test_vhd(void)
{
        _cleanup_(image_freep) Image *img = NULL;
        uint8_t footer[512];
        VhdFooter v;
        char p[128];
        ImageFormat f;
        uint64_t size = 2 * 1024 * 1024;

        make_footer(footer, 2, size);
        ASSERT_EQ(vhd_footer_parse(footer, &v), 1);
        ASSERT_EQ(v.type, VHD_TYPE_FIXED);
        ASSERT_TRUE(v.checksum_ok);
        ASSERT_UEQ(v.current_size, size);
        ASSERT_STREQ(v.creator_app, "azlm");

        /* A fixed VHD of an all-zero disk: the footer alone identifies it. */
        path_of(p, sizeof(p), "fixed.vhd");
        make_sparse(p, size + 512);
        write_at(p, size, footer, 512);
        ASSERT_OK(image_open(p, &img));
        ASSERT_EQ(img->format, IMAGE_FORMAT_VHD);
        ASSERT_TRUE(img->native);
        ASSERT_UEQ(img->disk_size, size);
        ASSERT_EQ(img->findings.n, 0);
        img = image_free(img);

        /* A wrong checksum and a size that disagrees are findings, not failures. */
        footer[48 + 7] ^= 1;
        write_at(p, size, footer, 512);
        ASSERT_OK(image_open(p, &img));
        ASSERT_EQ(img->findings.n, 2);
        ASSERT_STREQ(img->findings.items[0].key, "disk.vhd.footer-checksum");
        ASSERT_STREQ(img->findings.items[1].key, "disk.vhd.size-mismatch");
        img = image_free(img);

        /* Dynamic: a footer copy at offset 0; read through libguestfs. */
        make_footer(footer, 3, 1ull << 30);
        path_of(p, sizeof(p), "dyn.vhd");
        make_sparse(p, 8192);
        write_at(p, 0, footer, 512);
        write_at(p, 8192 - 512, footer, 512);
        ASSERT_OK(open_format("dyn.vhd", &f));
        ASSERT_EQ(f, IMAGE_FORMAT_VHD);

        /* Unknown disk type. */
        footer[63] = 9;
        ASSERT_ERR(vhd_footer_parse(footer, &v), -EBADMSG);
        ASSERT_EQ(vhd_footer_parse("not a footer", &v), 0);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct fdisk_context *, fdisk_unref_context);

/* Writes a GPT with three partitions (14 BIOS boot, 15 ESP, 1 Linux) like Ubuntu cloud images. */
static void make_gpt(const char *path, uint64_t size)
{
        _cleanup_(fdisk_unref_contextp) struct fdisk_context *cxt = fdisk_new_context();
        static const struct {
                size_t partno;
                uint64_t start, size;
                const char *type, *name;
        } parts[] = {
                { 13, 2048, 8192, "21686148-6449-6E6F-744E-656564454649", NULL },
                { 14, 10240, 20480, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "esp" },
                { 0, 30720, 0, "0FC63DAF-8483-4772-8E79-3D69D8477DE4", NULL },
        };

        make_sparse(path, size);
        ASSERT_NOT_NULL(cxt);
        ASSERT_OK(fdisk_assign_device(cxt, path, 0));
        ASSERT_OK(fdisk_create_disklabel(cxt, "gpt"));
        ASSERT_OK(fdisk_set_disklabel_id_from_string(cxt, "11111111-2222-3333-4444-555555555555"));
        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                struct fdisk_partition *pa = fdisk_new_partition();
                struct fdisk_label *lb = fdisk_get_label(cxt, NULL);
                struct fdisk_parttype *t = fdisk_label_get_parttype_from_string(lb, parts[i].type);
                ASSERT_OK(fdisk_partition_set_partno(pa, parts[i].partno));
                ASSERT_OK(fdisk_partition_set_start(pa, parts[i].start));
                if (parts[i].size)
                        ASSERT_OK(fdisk_partition_set_size(pa, parts[i].size));
                else
                        ASSERT_OK(fdisk_partition_end_follow_default(pa, 1));
                ASSERT_OK(fdisk_partition_set_type(pa, t));
                if (parts[i].name)
                        ASSERT_OK(fdisk_partition_set_name(pa, parts[i].name));
                ASSERT_OK(fdisk_add_partition(cxt, pa, NULL));
                fdisk_unref_partition(pa);
        }
        ASSERT_OK(fdisk_write_disklabel(cxt));
        ASSERT_OK(fdisk_deassign_device(cxt, 0));
}

static void test_gpt(void)
{
        _cleanup_(image_freep) Image *img = NULL;
        _cleanup_(disk_layout_freep) DiskLayout *d = NULL;
        const Partition *p;
        char p1[128];
        uint8_t junk[16];

        path_of(p1, sizeof(p1), "gpt.img");
        make_gpt(p1, 64ull << 20);
        ASSERT_OK(image_open(p1, &img));
        ASSERT_EQ(img->format, IMAGE_FORMAT_RAW);
        ASSERT_OK(disk_layout_read(img, &d));
        ASSERT_STREQ(d->label, "gpt");
        ASSERT_STREQ(d->id, "11111111-2222-3333-4444-555555555555");
        ASSERT_EQ(d->n_partitions, 3);
        ASSERT_EQ(d->findings.n, 0);
        p = disk_layout_find(d, 1);
        ASSERT_NOT_NULL(p);
        ASSERT_UEQ(p->start, 30720ull * 512);
        ASSERT_STREQ(p->type, "0fc63daf-8483-4772-8e79-3d69d8477de4");
        ASSERT_STREQ(p->type_name, "Linux filesystem");
        ASSERT_NULL(p->fs.type); /* nothing written in it */
        p = disk_layout_find(d, 15);
        ASSERT_NOT_NULL(p);
        ASSERT_STREQ(p->type_name, "EFI System");
        ASSERT_STREQ(p->name, "esp");
        ASSERT_UEQ(p->size, 20480ull * 512);
        p = disk_layout_find(d, 14);
        ASSERT_STREQ(p->type_name, "BIOS boot");
        ASSERT_EQ(d->partitions[0].number, 1); /* sorted by number */
        d = disk_layout_free(d);
        img = image_free(img);

        /* Damage the primary header: the table comes from the backup, with a finding. */
        memset(junk, 0x5a, sizeof(junk));
        write_at(p1, 512 + 16, junk, 4); /* the header CRC */
        ASSERT_OK(image_open(p1, &img));
        ASSERT_OK(disk_layout_read(img, &d));
        ASSERT_EQ(d->n_partitions, 3);
        ASSERT_TRUE(d->findings.n >= 1);
        ASSERT_STREQ(d->findings.items[d->findings.n - 1].key, "disk.gpt.primary-header-corrupt");
        d = disk_layout_free(d);
        img = image_free(img);
}

/* A fixed VHD: libfdisk sees the footer as the disk's last sector. No complaint about that, and
 * a damaged primary header is still recovered from the backup before the footer. */
static void test_gpt_vhd(void)
{
        _cleanup_(image_freep) Image *img = NULL;
        _cleanup_(disk_layout_freep) DiskLayout *d = NULL;
        uint64_t size = 64ull << 20;
        uint8_t footer[512], junk[4] = { 1, 2, 3, 4 };
        char p[128];

        path_of(p, sizeof(p), "gpt.vhd");
        make_gpt(p, size);
        make_footer(footer, 2, size);
        write_at(p, size, footer, sizeof(footer));
        ASSERT_OK(image_open(p, &img));
        ASSERT_EQ(img->format, IMAGE_FORMAT_VHD);
        ASSERT_OK(disk_layout_read(img, &d));
        ASSERT_EQ(d->n_partitions, 3);
        ASSERT_EQ(d->findings.n, 0);
        d = disk_layout_free(d);
        img = image_free(img);

        write_at(p, 512 + 16, junk, sizeof(junk));
        ASSERT_OK(image_open(p, &img));
        ASSERT_OK(disk_layout_read(img, &d));
        ASSERT_STREQ(d->label, "gpt");
        ASSERT_EQ(d->n_partitions, 3);
        ASSERT_STREQ(disk_layout_find(d, 15)->type_name, "EFI System");
        ASSERT_STREQ(d->findings.items[d->findings.n - 1].key, "disk.gpt.primary-header-corrupt");
}

static void test_gpt_truncated(void)
{
        _cleanup_(image_freep) Image *img = NULL;
        _cleanup_(disk_layout_freep) DiskLayout *d = NULL;
        bool beyond = false, backup = false;
        char p[128];

        path_of(p, sizeof(p), "trunc.img");
        make_gpt(p, 64ull << 20);
        ASSERT_EQ(truncate(p, 32ll << 20), 0);
        ASSERT_OK(image_open(p, &img));
        ASSERT_OK(disk_layout_read(img, &d));
        ASSERT_EQ(d->n_partitions, 3);
        for (size_t i = 0; i < d->findings.n; i++) {
                beyond |= streq(d->findings.items[i].key, "disk.partition.beyond-end");
                backup |= streq(d->findings.items[i].key, "disk.gpt.backup-header-corrupt");
        }
        ASSERT_TRUE(beyond);
        ASSERT_TRUE(backup);
}

static void test_partition_type_name(void)
{
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        ASSERT_OK(partition_type_name("gpt", "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", &a));
        ASSERT_STREQ(a, "EFI System");
        ASSERT_OK(partition_type_name("dos", "0x83", &b));
        ASSERT_STREQ(b, "Linux");
        ASSERT_OK(partition_type_name("gpt", "00000000-1111-2222-3333-444444444444", &c));
        ASSERT_STREQ(c, "unknown");
}

int main(void)
{
        ASSERT_NOT_NULL(mkdtemp(tmpdir));
        RUN(test_refusals);
        RUN(test_headers);
        RUN(test_vhd);
        RUN(test_gpt);
        RUN(test_gpt_vhd);
        RUN(test_gpt_truncated);
        RUN(test_partition_type_name);
        {
                char cmd[256];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
                (void) !system(cmd);
        }
        TESTS_DONE();
}
