/* SPDX-License-Identifier: MIT */
/* Unit tests for the kernel list built from /boot and /lib/modules. */
#include <stdlib.h>
#include <string.h>

#include "inspect/kernels.h"
#include "shared/strv.h"
#include "tests.h"

static void test_ubuntu(void)
{
        /* /boot of an AKS Ubuntu 22.04 node after a kernel update, with leftovers. */
        char *boot[] = { "System.map-5.15.0-1102-azure",
                         "System.map-5.15.0-1098-azure",
                         "config-5.15.0-1102-azure",
                         "efi",
                         "grub",
                         "initrd.img",
                         "initrd.img-5.15.0-1102-azure",
                         "initrd.img.old",
                         "vmlinuz",
                         "vmlinuz-5.15.0-1102-azure",
                         "vmlinuz-5.15.0-1098-azure",
                         "vmlinuz-5.15.0-99-azure",
                         "vmlinuz.old",
                         "vmlinuz-5.15.0-1098-azure.dpkg-bak",
                         "vmlinuz-4.4.0-21-generic.efi.signed",
                         "initrd.img-9.9.9",
                         NULL };
        char *modules[] = { "5.15.0-1102-azure", "5.15.0-1098-azure", "5.15.0-1090-azure", "..", NULL };
        _cleanup_(kernel_list_done) KernelList l = {};

        ASSERT_OK(kernel_list_build(boot, modules, &l));
        ASSERT_EQ(l.n, 4);
        /* Sorted as versions, not as strings: 99 before 1090. */
        ASSERT_STREQ(l.items[0].version, "5.15.0-99-azure");
        ASSERT_STREQ(l.items[0].image, "/boot/vmlinuz-5.15.0-99-azure");
        ASSERT_NULL(l.items[0].initrd);
        ASSERT_FALSE(l.items[0].modules);
        ASSERT_STREQ(l.items[1].version, "5.15.0-1090-azure");
        ASSERT_NULL(l.items[1].image);
        ASSERT_TRUE(l.items[1].modules);
        ASSERT_STREQ(l.items[2].version, "5.15.0-1098-azure");
        ASSERT_NULL(l.items[2].initrd);
        ASSERT_STREQ(l.items[3].version, "5.15.0-1102-azure");
        ASSERT_STREQ(l.items[3].image, "/boot/vmlinuz-5.15.0-1102-azure");
        ASSERT_STREQ(l.items[3].initrd, "/boot/initrd.img-5.15.0-1102-azure");
        ASSERT_TRUE(l.items[3].modules);
}

static void test_azurelinux(void)
{
        /* dracut names, Azure Linux 3.0 kernel versions. */
        char *boot[] = { "vmlinuz-6.6.96.2-2.azl3", "initramfs-6.6.96.2-2.azl3.img",
                         "config-6.6.96.2-2.azl3", "grub2", NULL };
        char *modules[] = { "6.6.96.2-2.azl3", NULL };
        _cleanup_(kernel_list_done) KernelList l = {};

        ASSERT_OK(kernel_list_build(boot, modules, &l));
        ASSERT_EQ(l.n, 1);
        ASSERT_STREQ(l.items[0].initrd, "/boot/initramfs-6.6.96.2-2.azl3.img");
        ASSERT_TRUE(l.items[0].modules);
}

static void test_names(void)
{
        ASSERT_STREQ(kernel_image_version("vmlinuz-6.8.0-1065-azure"), "6.8.0-1065-azure");
        ASSERT_STREQ(kernel_image_version("vmlinux-6.8.0-1065-azure"), "6.8.0-1065-azure");
        ASSERT_NULL(kernel_image_version("vmlinuz"));
        ASSERT_NULL(kernel_image_version("vmlinuz-"));
        ASSERT_NULL(kernel_image_version("vmlinuz.old"));
        ASSERT_NULL(kernel_image_version("vmlinuz-1.2.old"));
        ASSERT_NULL(kernel_image_version("vmlinuz-1 2"));
        ASSERT_NULL(kernel_image_version("vmlinuz-1\n"));
        ASSERT_NULL(kernel_image_version("initrd.img-1.2"));
        ASSERT_TRUE(kernel_version_compare("6.8.0-1065-azure", "6.8.0-985-azure") > 0);
        ASSERT_TRUE(kernel_version_compare("5.15.0-1102-azure", "6.2.0-1000-azure") < 0);
        ASSERT_EQ(kernel_version_compare("5.4.0", "5.4.0"), 0);
}

static void test_empty(void)
{
        _cleanup_(kernel_list_done) KernelList l = {};
        char *junk[] = { "lost+found", "memtest86+.bin", NULL };

        ASSERT_OK(kernel_list_build(NULL, NULL, &l));
        ASSERT_EQ(l.n, 0);
        ASSERT_OK(kernel_list_build(junk, junk, &l));
        ASSERT_EQ(l.n, 2); /* odd module directory names are still kernels' module trees */
        ASSERT_NULL(l.items[0].image);
}

int main(void)
{
        RUN(test_ubuntu);
        RUN(test_azurelinux);
        RUN(test_names);
        RUN(test_empty);
        TESTS_DONE();
}
