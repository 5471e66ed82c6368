/* SPDX-License-Identifier: MIT */
/* Unit tests for the boot collector, on guest trees built in a temporary directory. */
#include <stdlib.h>
#include <string.h>

#include "guest-tree.h"

/* Ubuntu 22.04's /etc/default/grub (grub2-common), as on AKS images. */
static const char etc_default_grub[] = "# If you change this file, run 'update-grub' afterwards to update\n"
                                       "# /boot/grub/grub.cfg.\n"
                                       "# For full documentation of the options in this file, see:\n"
                                       "#   info -f grub -n 'Simple configuration'\n"
                                       "\n"
                                       "GRUB_DEFAULT=0\n"
                                       "GRUB_TIMEOUT_STYLE=hidden\n"
                                       "GRUB_TIMEOUT=10\n"
                                       "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n"
                                       "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n"
                                       "GRUB_CMDLINE_LINUX=\"\"\n";

/* /etc/default/grub.d/50-cloudimg-settings.cfg of Ubuntu cloud images (livecd-rootfs), as quoted in
 * public image-building scripts and Azure's serial-console GRUB documentation. */
static const char cloudimg_cfg[] =
        "# Cloud Image specific Grub settings for Generic Cloud Images\n"
        "# CLOUD_IMG: This file was created/modified by the Cloud Image build process\n"
        "\n"
        "# Set the recordfail timeout\n"
        "GRUB_RECORDFAIL_TIMEOUT=0\n"
        "\n"
        "# Do not wait on grub prompt\n"
        "GRUB_TIMEOUT=0\n"
        "\n"
        "# Set the default commandline\n"
        "GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 console=ttyS0\"\n"
        "\n"
        "# Set the grub console type\n"
        "GRUB_TERMINAL=console\n";

/* What AKS CIS hardening appends to /etc/default/grub.d/99-aks-cis.cfg: derived from
 * Azure/AgentBaker parts/linux/cloud-init/artifacts/cis.sh configureGrub (commit
 * 037eb146906bd5ca64925c69f5d163218fff7193). */
static const char aks_cis_cfg[] =
        "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX apparmor=1 security=apparmor\"\n";

/* An AKS Ubuntu root: kernels, GRUB for BIOS and EFI, the ESP content at /boot/efi. */
static void make_ubuntu_root(GuestTree *t, bool with_esp)
{
        tree_file(t, "/etc/default/grub", etc_default_grub);
        tree_file(t, "/etc/default/grub.d/40-force-partuuid.cfg",
                  "# Force the root device to be the PARTUUID\n"
                  "GRUB_FORCE_PARTUUID=6f2a6e4c-1b1e-4b59-8f0b-2f3d9f0c1a01\n");
        tree_file(t, "/etc/default/grub.d/50-cloudimg-settings.cfg", cloudimg_cfg);
        tree_file(t, "/etc/default/grub.d/99-aks-cis.cfg", aks_cis_cfg);
        tree_file(t, "/etc/default/grub.d/README", "GRUB_TIMEOUT=99\n"); /* not *.cfg: not sourced */

        tree_file(t, "/boot/vmlinuz-5.15.0-1102-azure", "kernel");
        tree_file(t, "/boot/initrd.img-5.15.0-1102-azure", "initrd");
        tree_file(t, "/boot/vmlinuz-5.15.0-1098-azure", "kernel");
        tree_file(t, "/boot/config-5.15.0-1102-azure", "CONFIG_X=y\n");
        tree_link(t, "/boot/vmlinuz", "vmlinuz-5.15.0-1102-azure");
        tree_link(t, "/boot/vmlinuz.old", "vmlinuz-5.15.0-1098-azure");
        tree_dir(t, "/usr/lib/modules/5.15.0-1102-azure/kernel");
        tree_link(t, "/lib", "usr/lib");
        tree_file(t, "/boot/grub/grub.cfg", "set default=0\n");
        tree_dir(t, "/boot/grub/i386-pc");
        tree_dir(t, "/boot/grub/x86_64-efi");
        tree_dir(t, "/boot/efi");
        if (with_esp)
                tree_dir(t, "/boot/efi/EFI");
}

/* The ESP of an Ubuntu image, in directory dir of t: shim, GRUB, MOK manager and the removable-media
 * fallback. */
static void make_esp(GuestTree *t, const char *dir)
{
        static const char *const files[][2] = {
                { "EFI/ubuntu/shimx64.efi", "MZ" },
                { "EFI/ubuntu/grubx64.efi", "MZ" },
                { "EFI/ubuntu/mmx64.efi", "MZ" },
                { "EFI/ubuntu/grub.cfg", "search.fs_uuid ...\n" },
                { "EFI/BOOT/BOOTX64.EFI", "MZ" },
                { "EFI/BOOT/fbx64.efi", "MZ" },
                { "EFI/BOOT/deeper/notscanned.efi", "MZ" },
        };
        char p[PATH_MAX];

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                ASSERT_TRUE((size_t) snprintf(p, sizeof(p), "%s/%s", dir, files[i][0]) < sizeof(p));
                tree_file(t, p, files[i][1]);
        }
}

static void test_root_ubuntu(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *boot, *esp, *k, *grub;
        const char *detail = NULL;

        tree_new(&t);
        make_ubuntu_root(&t, true);
        /* With --root, the ESP is whatever is mounted at /boot/efi: here, part of the tree. */
        make_esp(&t, "/boot/efi");
        inv = tree_collect(&t, collect_boot);
        boot = json_get(inv->root, "boot");

        ASSERT_STREQ(json_get_str(boot, "firmware"), "hybrid");
        ASSERT_STREQ(json_get_str(boot, "bootloader"), "grub2");
        ASSERT_TRUE(json_get_bool(boot, "secure_boot_chain", false));
        ASSERT_NULL(json_get(boot, "bios_boot_partition"));
        esp = json_get(boot, "esp");
        ASSERT_STREQ(json_get_str(esp, "mounted_at"), "/boot/efi");
        ASSERT_NULL(json_get(esp, "partition"));
        ASSERT_EQ(jlen(esp, "loaders"), 5);
        ASSERT_STREQ(jstr(esp, "loaders.0"), "/EFI/BOOT/BOOTX64.EFI");
        ASSERT_STREQ(jstr(esp, "loaders.1"), "/EFI/BOOT/fbx64.efi");
        ASSERT_STREQ(jstr(esp, "loaders.4"), "/EFI/ubuntu/shimx64.efi");

        ASSERT_EQ(jlen(boot, "kernels"), 2);
        k = jat(json_get(boot, "kernels"), 0);
        ASSERT_STREQ(json_get_str(k, "version"), "5.15.0-1098-azure");
        ASSERT_STREQ(json_get_str(k, "image"), "/boot/vmlinuz-5.15.0-1098-azure");
        ASSERT_NULL(json_get(k, "initrd"));
        ASSERT_FALSE(json_get_bool(k, "modules", true));
        k = jat(json_get(boot, "kernels"), 1);
        ASSERT_STREQ(json_get_str(k, "initrd"), "/boot/initrd.img-5.15.0-1102-azure");
        ASSERT_TRUE(json_get_bool(k, "modules", false));
        ASSERT_STREQ(json_get_str(boot, "default_kernel"), "5.15.0-1102-azure");
        ASSERT_EQ(count_findings(inv, "boot.initrd.missing"), 1);
        detail = jstr(find_finding(inv, "boot.initrd.missing"), "detail");
        ASSERT_TRUE(strstr(detail, "5.15.0-1098-azure") != NULL);
        ASSERT_EQ(count_findings(inv, "boot.kernel.missing"), 0);
        ASSERT_EQ(count_findings(inv, "boot.esp.missing"), 0);

        /* update-grub's order: /etc/default/grub, then grub.d in name order; later wins, $VAR expands. */
        ASSERT_STREQ(json_get_str(boot, "cmdline"),
                     "apparmor=1 security=apparmor console=tty1 console=ttyS0");
        grub = json_get(boot, "grub");
        ASSERT_STREQ(json_get_str(grub, "cmdline_linux"), " apparmor=1 security=apparmor");
        ASSERT_STREQ(json_get_str(grub, "cmdline_linux_default"), "console=tty1 console=ttyS0");
        ASSERT_EQ(json_get_int(grub, "timeout", -5), 0);
        ASSERT_STREQ(json_get_str(grub, "default"), "0");
        ASSERT_STREQ(json_get_str(grub, "config"), "/boot/grub/grub.cfg");
        ASSERT_EQ(json_get_int(grub, "unparsed", -1), 1); /* the GRUB_DISTRIBUTOR command substitution */
        ASSERT_EQ(jlen(grub, "sources"), 4);
        ASSERT_STREQ(jstr(grub, "sources.0"), "/etc/default/grub");
        ASSERT_STREQ(jstr(grub, "sources.3"), "/etc/default/grub.d/99-aks-cis.cfg");
        ASSERT_TRUE(jhas(grub, "platforms", "i386-pc"));
        ASSERT_TRUE(jhas(grub, "platforms", "x86_64-efi"));
        ASSERT_STREQ(json_get_str(json_get(grub, "variables"), "GRUB_FORCE_PARTUUID"),
                     "6f2a6e4c-1b1e-4b59-8f0b-2f3d9f0c1a01");
        ASSERT_STREQ(json_get_str(json_get(grub, "variables"), "GRUB_TERMINAL"), "console");
        ASSERT_NULL(json_get(json_get(grub, "variables"), "GRUB_DISTRIBUTOR"));

        tree_free(&t);
}

/* A GPT disk as AKS gen2 images have it: root 1, BIOS boot 14, ESP 15 mounted at /boot/efi. */
static DiskLayout *gpt_layout(bool with_esp, bool with_bios)
{
        DiskLayout *d = calloc(1, sizeof(DiskLayout));
        Partition root = { .number = 1,
                           .type = strdup("0fc63daf-8483-4772-8e79-3d69d8477de4"),
                           .fs = { .type = strdup("ext4"), .label = strdup("cloudimg-rootfs") } };

        ASSERT_NOT_NULL(d);
        d->label = strdup("gpt");
        ASSERT_OK(disk_layout_add(d, &root));
        if (with_bios) {
                Partition bios = { .number = 14, .type = strdup("21686148-6449-6E6F-744E-656564454649") };
                ASSERT_OK(disk_layout_add(d, &bios));
        }
        if (with_esp) {
                Partition esp = { .number = 15,
                                  .type = strdup("c12a7328-f81f-11d2-ba4b-00a0c93ec93b"),
                                  .fs = { .type = strdup("vfat"), .label = strdup("UEFI") } };
                ASSERT_OK(disk_layout_add(d, &esp));
        }
        return d;
}

static void add_mount(Inventory *inv, const char *point, int partition)
{
        json_object *m = json_get_or_add_array(inv->root, "mounts"), *o = json_object_new_object();

        ASSERT_NOT_NULL(m);
        ASSERT_NOT_NULL(o);
        ASSERT_OK(json_append(m, o));
        ASSERT_OK(json_add_str(o, "mountpoint", point));
        ASSERT_OK(json_add_int(o, "partition", partition));
}

static void test_image_gpt(void)
{
        GuestTree t, esp;
        DiskLayout *d = gpt_layout(true, true);
        Inventory *inv;
        json_object *boot;

        tree_new(&t);
        tree_new(&esp);
        make_ubuntu_root(&t, false);
        make_esp(&esp, "");
        t.layout = d;
        tree_open(&t);
        tree_mount(&t, &esp, "/boot/efi");
        inv = t.inv;
        add_mount(inv, "/", 1);
        add_mount(inv, "/boot/efi", 15);
        ASSERT_OK(collect_boot(&t.ctx));

        boot = json_get(inv->root, "boot");
        ASSERT_STREQ(json_get_str(boot, "firmware"), "hybrid");
        ASSERT_EQ(json_get_int(json_get(boot, "esp"), "partition", -1), 15);
        ASSERT_STREQ(json_get_str(json_get(boot, "esp"), "mounted_at"), "/boot/efi");
        ASSERT_EQ(jlen(boot, "esp.loaders"), 5);
        ASSERT_EQ(json_get_int(boot, "bios_boot_partition", -1), 14);
        ASSERT_EQ(count_findings(inv, "boot.esp.missing"), 0);

        disk_layout_free(d);
        tree_free(&t);
        tree_free(&esp);
}

static void test_image_esp_unmounted(void)
{
        GuestTree t;
        DiskLayout *d = gpt_layout(true, true);
        Inventory *inv;
        json_object *boot;
        const char *detail = NULL;

        tree_new(&t);
        /* fstab does not mount the ESP: nothing on it can be read. */
        make_ubuntu_root(&t, false);
        t.layout = d;
        inv = tree_collect(&t, collect_boot);
        boot = json_get(inv->root, "boot");
        ASSERT_STREQ(json_get_str(boot, "firmware"), "bios");
        ASSERT_NULL(json_get(json_get(boot, "esp"), "mounted_at"));
        ASSERT_EQ(json_get_int(json_get(boot, "esp"), "partition", -1), 15);
        ASSERT_EQ(count_findings(inv, "boot.esp.missing"), 1);
        detail = jstr(find_finding(inv, "boot.esp.missing"), "detail");
        ASSERT_TRUE(strstr(detail, "partition 15") != NULL);

        disk_layout_free(d);
        tree_free(&t);
}

static void test_image_no_esp_no_kernel(void)
{
        GuestTree t;
        DiskLayout *d = gpt_layout(false, true);
        Inventory *inv;
        json_object *boot;

        tree_new(&t);
        tree_dir(&t, "/etc");
        tree_dir(&t, "/boot");
        tree_dir(&t, "/lib/modules/5.15.0-1090-azure");
        t.layout = d;
        inv = tree_collect(&t, collect_boot);
        boot = json_get(inv->root, "boot");
        ASSERT_STREQ(json_get_str(boot, "firmware"), "bios");
        ASSERT_NULL(json_get(boot, "bootloader"));
        ASSERT_FALSE(json_get_bool(boot, "secure_boot_chain", true));
        ASSERT_NULL(json_get(boot, "cmdline"));
        ASSERT_NULL(json_get(boot, "default_kernel"));
        ASSERT_EQ(jlen(boot, "grub.sources"), 0);
        ASSERT_EQ(jlen(boot, "kernels"), 1);
        ASSERT_EQ(count_findings(inv, "boot.esp.missing"), 1);
        ASSERT_EQ(count_findings(inv, "boot.kernel.missing"), 1);
        ASSERT_EQ(count_findings(inv, "boot.initrd.missing"), 0);

        disk_layout_free(d);
        tree_free(&t);
}

static void test_image_mbr(void)
{
        GuestTree t;
        DiskLayout *d = calloc(1, sizeof(DiskLayout));
        Partition p = {
                .number = 1, .type = strdup("0x83"), .bootable = true, .fs = { .type = strdup("ext4") }
        };
        Inventory *inv;

        tree_new(&t);
        ASSERT_NOT_NULL(d);
        d->label = strdup("dos");
        ASSERT_OK(disk_layout_add(d, &p));
        tree_file(&t, "/boot/vmlinuz-4.15.0-1113-azure", "k");
        tree_file(&t, "/boot/initrd.img-4.15.0-1113-azure", "i");
        tree_file(&t, "/boot/grub/grub.cfg", "x");
        tree_dir(&t, "/boot/grub/i386-pc");
        t.layout = d;
        inv = tree_collect(&t, collect_boot);
        ASSERT_STREQ(json_get_str(json_get(inv->root, "boot"), "firmware"), "bios");
        ASSERT_EQ(count_findings(inv, "boot.esp.missing"), 0);
        ASSERT_EQ(count_findings(inv, "boot.kernel.missing"), 0);

        disk_layout_free(d);
        tree_free(&t);
}

static void test_root_systemd_boot(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *boot;

        tree_new(&t);
        tree_file(&t, "/boot/efi/loader/loader.conf", "default arch.conf\n");
        tree_file(&t, "/boot/efi/EFI/systemd/systemd-bootx64.efi", "MZ");
        tree_file(&t, "/boot/vmlinuz-6.6.96.2-2.azl3", "k");
        tree_file(&t, "/boot/initramfs-6.6.96.2-2.azl3.img", "i");
        /* Hostile: a huge, binary /etc/default/grub is too large to read; odd names in /boot. */
        tree_file_filled(&t, "/etc/default/grub", 0, CONFIG_FILE_MAX + 1);
        {
                static const char cfg[] = "GRUB_CMDLINE_LINUX=\"a\0b\" \n\xff\xfe=1\nGRUB_TIMEOUT=abc\n";
                tree_file_n(&t, "/etc/default/grub.d/x.cfg", cfg, sizeof(cfg) - 1);
        }
        tree_file(&t, "/boot/vmlinuz-\xff\xfe", "k");
        inv = tree_collect(&t, collect_boot);
        boot = json_get(inv->root, "boot");
        ASSERT_STREQ(json_get_str(boot, "firmware"), "uefi");
        ASSERT_STREQ(json_get_str(boot, "bootloader"), "systemd-boot");
        ASSERT_FALSE(json_get_bool(boot, "secure_boot_chain", true));
        ASSERT_EQ(jlen(boot, "kernels"), 2);
        ASSERT_STREQ(json_get_str(jat(json_get(boot, "kernels"), 0), "initrd"),
                     "/boot/initramfs-6.6.96.2-2.azl3.img");
        ASSERT_EQ(count_findings(inv, "inspect.file.too-large"), 1);
        ASSERT_EQ(jlen(boot, "grub.sources"), 1);
        ASSERT_NULL(json_get(json_get(boot, "grub"), "timeout"));
        ASSERT_STREQ(json_get_str(boot, "cmdline"), "a");

        tree_free(&t);
}

int main(void)
{
        RUN(test_root_ubuntu);
        RUN(test_image_gpt);
        RUN(test_image_esp_unmounted);
        RUN(test_image_no_esp_no_kernel);
        RUN(test_image_mbr);
        RUN(test_root_systemd_boot);
        TESTS_DONE();
}
