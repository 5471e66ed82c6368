/* SPDX-License-Identifier: MIT */
/* Unit tests for the native filesystem readers: guest-ext.c (libext2fs) and guest-fat.c, on
 * images made here with mke2fs -d and mkfs.vfat + mtools at a partition-like offset. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/guest-ext.h"
#include "disk/guest-fat.h"
#include "disk/guest.h"
#include "shared/fd-util.h"
#include "shell.h"
#include "tests.h"

#define OFFSET (1024 * 1024) /* where the filesystem starts in the image */

static char top[] = "/tmp/azlm-fs-XXXXXX";

static Guest *guest_of(GuestFs *fs)
{
        Guest *g = NULL;
        ASSERT_OK(guest_new(&g));
        ASSERT_OK(guest_mount(g, "/", fs));
        return g;
}

static void test_ext(void)
{
        _cleanup_(guest_freep) Guest *g = NULL;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL, *target = NULL;
        char img[256], longtarget[200];
        GuestExtInfo info;
        GuestFs *fs = NULL;
        GuestDirEntry *e = NULL;
        GuestStat st;
        size_t n = 0;
        char tail[4];

        if (!have_tool("mke2fs"))
                SKIP("mke2fs is not installed");
        memset(longtarget, 'a', sizeof(longtarget) - 1);
        longtarget[sizeof(longtarget) - 1] = 0;
        sh("set -e; cd %s; mkdir -p tree/etc tree/usr/lib tree/var/lib/dpkg tree/deep/a/b/c; "
           "printf 'ID=ubuntu\\n' > tree/usr/lib/os-release; ln -s ../usr/lib/os-release "
           "tree/etc/os-release; "
           "ln -s /%s tree/slow-link; head -c 3000000 /dev/zero | tr '\\0' 'x' > tree/var/lib/dpkg/status; "
           "printf END >> tree/var/lib/dpkg/status; for i in $(seq 1 300); do : > tree/deep/f$i; done; "
           "truncate -s 64M ext.img; mke2fs -q -F -t ext4 -L testroot -E offset=%d -d tree ext.img 32768k",
           top, longtarget, OFFSET);
        snprintf(img, sizeof(img), "%s/ext.img", top);
        fd = open(img, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);

        ASSERT_OK(guest_ext_open(fd, OFFSET, &fs, &info));
        ASSERT_FALSE(info.needs_recovery);
        ASSERT_FALSE(info.checksum_errors);
        g = guest_of(fs);

        ASSERT_OK(guest_read_file(g, "/etc/os-release", 4096, &buf, &n));
        ASSERT_STREQ(buf, "ID=ubuntu\n");
        buf = mfree(buf);
        /* A 3 MB file read whole, and its last bytes read alone. */
        ASSERT_OK(guest_read_file(g, "/var/lib/dpkg/status", 8 << 20, &buf, &n));
        ASSERT_EQ(n, 3000003);
        ASSERT_TRUE(memcmp(buf + n - 3, "END", 3) == 0);
        ASSERT_OK(guest_pread(g, "/var/lib/dpkg/status", 3000000, sizeof(tail), tail, &n));
        ASSERT_EQ(n, 3);
        ASSERT_TRUE(memcmp(tail, "END", 3) == 0);
        ASSERT_ERR(guest_read_file(g, "/var/lib/dpkg/status", 1 << 20, &target, &n), -EFBIG);

        /* A target longer than 60 bytes lives in a data block ("slow" symlink). */
        ASSERT_OK(guest_readlink(g, "/slow-link", &target));
        ASSERT_EQ(strlen(target), strlen(longtarget) + 1);
        ASSERT_OK(guest_lstat(g, "/etc/os-release", &st));
        ASSERT_EQ(st.type, GUEST_FILE_SYMLINK);

        ASSERT_OK(guest_read_dir(g, "/deep", &e, &n));
        ASSERT_EQ(n, 301);
        ASSERT_STREQ(e[0].name, "a");
        ASSERT_EQ(e[0].type, GUEST_FILE_DIRECTORY);
        ASSERT_EQ(e[1].type, GUEST_FILE_REGULAR);
        guest_dir_entries_free(e, n);
        ASSERT_EQ(guest_is_type(g, "/deep/a/b/c", GUEST_FILE_DIRECTORY), 1);

        /* A zeroed superblock: a clean refusal with libext2fs's reason. */
        fd = safe_close(fd);
        sh("dd if=/dev/zero of=%s/ext.img bs=1024 seek=%d count=1 conv=notrunc status=none", top,
           OFFSET / 1024 + 1);
        fd = open(img, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        fs = NULL;
        ASSERT_ERR(guest_ext_open(fd, OFFSET, &fs, &info), -EUCLEAN);
        ASSERT_NOT_NULL(info.error);
        ASSERT_NULL(fs);
        free(info.error);
}

static void test_fat(void)
{
        _cleanup_(guest_freep) Guest *g = NULL;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        char img[256];
        GuestFs *fs = NULL;
        GuestDirEntry *e = NULL;
        GuestStat st;
        size_t n = 0;

        if (!have_tool("mkfs.vfat") || !have_tool("mcopy"))
                SKIP("dosfstools or mtools is not installed");
        /* FAT32 like an ESP, with long names, nested directories and a multi-cluster file. */
        sh("set -e; cd %s; truncate -s 80M fat.img; mkfs.vfat -F 32 -n UEFI --offset %d fat.img 65536 "
           ">/dev/null; "
           "printf 'search.fs_uuid 1234 root\\n' > grub.cfg; head -c 100000 /dev/urandom > big.efi; "
           "printf 'x' > 'A long file name with spaces.txt'; "
           "mmd -i fat.img@@%d ::/EFI ::/EFI/BOOT ::/EFI/ubuntu; "
           "mcopy -i fat.img@@%d big.efi ::/EFI/BOOT/BOOTX64.EFI; mcopy -i fat.img@@%d grub.cfg big.efi "
           "'A long file name with spaces.txt' ::/EFI/ubuntu/",
           top, OFFSET / 512, OFFSET, OFFSET, OFFSET);
        snprintf(img, sizeof(img), "%s/fat.img", top);
        fd = open(img, O_RDONLY | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_OK(guest_fat_open(fd, OFFSET, 64 << 20, &fs));
        g = guest_of(fs);

        ASSERT_OK(guest_read_file(g, "/EFI/ubuntu/grub.cfg", 4096, &buf, &n));
        ASSERT_STREQ(buf, "search.fs_uuid 1234 root\n");
        buf = mfree(buf);
        /* Case-insensitive like the kernel's vfat. */
        ASSERT_OK(guest_stat(g, "/efi/Boot/bootx64.efi", &st));
        ASSERT_UEQ(st.size, 100000);
        ASSERT_OK(guest_read_file(g, "/EFI/BOOT/BOOTX64.EFI", 1 << 20, &buf, &n));
        ASSERT_EQ(n, 100000);
        {
                _cleanup_free_ char *ref = NULL;
                char p[300];
                FILE *f;
                snprintf(p, sizeof(p), "%s/big.efi", top);
                f = fopen(p, "re");
                ASSERT_NOT_NULL(f);
                ref = malloc(100000);
                ASSERT_EQ(fread(ref, 1, 100000, f), 100000);
                fclose(f);
                ASSERT_TRUE(memcmp(ref, buf, 100000) == 0);
        }
        ASSERT_OK(guest_read_dir(g, "/EFI/ubuntu", &e, &n));
        ASSERT_EQ(n, 3);
        ASSERT_STREQ(e[0].name, "A long file name with spaces.txt");
        ASSERT_STREQ(e[1].name, "big.efi");
        ASSERT_STREQ(e[2].name, "grub.cfg");
        guest_dir_entries_free(e, n);
        ASSERT_ERR(guest_stat(g, "/EFI/nope", &st), -ENOENT);
        g = guest_free(g);

        /* Not FAT at all, and a boot sector that points past the partition. */
        fs = NULL;
        ASSERT_ERR(guest_fat_open(fd, 0, 64 << 20, &fs), -EUCLEAN);
        ASSERT_ERR(guest_fat_open(fd, OFFSET, 1 << 20, &fs), -EUCLEAN);
}

/* A FAT whose cluster chains loop must give an error, not a hang. */
static void test_fat_loop(void)
{
        _cleanup_(guest_freep) Guest *g = NULL;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        char img[256];
        GuestFs *fs = NULL;
        size_t n = 0;
        uint8_t bs[512];
        uint32_t reserved, root;

        if (!have_tool("mkfs.vfat") || !have_tool("mcopy"))
                SKIP("dosfstools or mtools is not installed");
        sh("set -e; cd %s; truncate -s 40M loop.img; mkfs.vfat -F 32 loop.img >/dev/null; "
           "head -c 20000 /dev/zero > f; mcopy -i loop.img f ::/f",
           top);
        snprintf(img, sizeof(img), "%s/loop.img", top);
        fd = open(img, O_RDWR | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(pread(fd, bs, sizeof(bs), 0), 512);
        reserved = (uint32_t) (bs[14] | bs[15] << 8);
        root = (uint32_t) (bs[44] | bs[45] << 8 | bs[46] << 16 | (uint32_t) bs[47] << 24);
        /* Point every FAT entry after the root's at itself. */
        for (uint32_t c = root + 1; c < root + 64; c++) {
                uint8_t v[4] = { (uint8_t) c, (uint8_t) (c >> 8), (uint8_t) (c >> 16), (uint8_t) (c >> 24) };
                ASSERT_EQ(pwrite(fd, v, 4, (off_t) reserved * 512 + c * 4), 4);
        }
        ASSERT_OK(guest_fat_open(fd, 0, 40 << 20, &fs));
        g = guest_of(fs);
        ASSERT_ERR(guest_read_file(g, "/f", 1 << 20, &buf, &n), -EUCLEAN);
}

int main(void)
{
        ASSERT_NOT_NULL(mkdtemp(top));
        RUN(test_ext);
        RUN(test_fat);
        RUN(test_fat_loop);
        {
                char cmd[512];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
                (void) !system(cmd);
        }
        TESTS_DONE();
}
