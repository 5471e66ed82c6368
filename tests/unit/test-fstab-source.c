/* SPDX-License-Identifier: MIT */
/* Unit tests for fstab source classification and matching against a disk layout. */
#include <stdlib.h>
#include <string.h>

#include "inspect/fstab-source.h"
#include "tests.h"

/* The layout of an AKS Ubuntu gen2 OS disk: BIOS boot (14), ESP (15, label UEFI), root (1,
 * label cloudimg-rootfs), plus an LVM volume to cover /dev/mapper names. */
static DiskLayout *aks_layout(void)
{
        DiskLayout *d = calloc(1, sizeof(DiskLayout));
        Partition root = { .number = 1,
                           .type = strdup("0fc63daf-8483-4772-8e79-3d69d8477de4"),
                           .uuid = strdup("6f2a6e4c-1b1e-4b59-8f0b-2f3d9f0c1a01"),
                           .fs = { .type = strdup("ext4"),
                                   .uuid = strdup("2d8b3d54-3b0b-4c4e-9a0e-7d6a4b0c9f11"),
                                   .label = strdup("cloudimg-rootfs") } };
        Partition bios = { .number = 14, .type = strdup("21686148-6449-6e6f-744e-656564454649") };
        Partition esp = {
                .number = 15,
                .type = strdup("c12a7328-f81f-11d2-ba4b-00a0c93ec93b"),
                .uuid = strdup("aa8b5c0e-5d43-4e0b-9f3a-1c2d3e4f5a6b"),
                .name = strdup("EFI System"),
                .fs = { .type = strdup("vfat"), .uuid = strdup("B2C1-7F3A"), .label = strdup("UEFI") }
        };
        Partition lv = { .device = strdup("/dev/data-vg/var-lib"), .fs = { .type = strdup("xfs") } };

        ASSERT_NOT_NULL(d);
        d->label = strdup("gpt");
        ASSERT_OK(disk_layout_add(d, &esp));
        ASSERT_OK(disk_layout_add(d, &root));
        ASSERT_OK(disk_layout_add(d, &bios));
        ASSERT_OK(disk_layout_add_volume(d, &lv));
        return d;
}

static FstabSourceKind kind_of(const char *spec, char **value)
{
        int k = fstab_source_parse(spec, value);
        ASSERT_OK(k);
        return (FstabSourceKind) k;
}

static void test_parse(void)
{
        static const struct {
                const char *spec, *kind, *value;
        } cases[] = {
                { "LABEL=cloudimg-rootfs", "label", "cloudimg-rootfs" },
                { "LABEL=\"My Data\"", "label", "My Data" },
                { "UUID=2d8b3d54-3b0b-4c4e-9a0e-7d6a4b0c9f11", "uuid",
                  "2d8b3d54-3b0b-4c4e-9a0e-7d6a4b0c9f11" },
                { "PARTUUID=aa8b5c0e-5d43-4e0b-9f3a-1c2d3e4f5a6b", "partuuid",
                  "aa8b5c0e-5d43-4e0b-9f3a-1c2d3e4f5a6b" },
                { "PARTLABEL=EFI\\x20System", "partlabel", "EFI\\x20System" },
                { "/dev/disk/by-partlabel/EFI\\x20System", "partlabel", "EFI System" },
                { "/dev/disk/by-uuid/B2C1-7F3A", "uuid", "B2C1-7F3A" },
                { "/dev/disk/by-label/UEFI", "label", "UEFI" },
                { "/dev/disk/by-partuuid/x", "partuuid", "x" },
                /* cloud-init's resource disk line on Azure. */
                { "/dev/disk/cloud/azure_resource-part1", "device", "/dev/disk/cloud/azure_resource-part1" },
                { "/dev/sda1", "device", "/dev/sda1" },
                { "tmpfs", "other", "tmpfs" },
                { "nfs.example:/export", "other", "nfs.example:/export" },
                { "UUID=", "uuid", "" },
                { "/dev/disk/by-label/bad\\x00nul\\x", "label", "bad\\x00nul\\x" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *v = NULL;
                FstabSourceKind k = kind_of(cases[i].spec, &v);
                ASSERT_STREQ(fstab_source_kind_to_string(k), cases[i].kind);
                ASSERT_STREQ(v, cases[i].value);
        }
}

static unsigned match_number(const DiskLayout *d, const char *spec)
{
        _cleanup_free_ char *v = NULL;
        FstabSourceKind k = kind_of(spec, &v);
        const Partition *p = fstab_source_match(d, k, v);
        return p ? (p->number > 0 ? p->number : 1000) : 0;
}

static void test_match(void)
{
        _cleanup_(disk_layout_freep) DiskLayout *d = aks_layout();

        ASSERT_EQ(match_number(d, "LABEL=cloudimg-rootfs"), 1);
        ASSERT_EQ(match_number(d, "LABEL=UEFI"), 15);
        ASSERT_EQ(match_number(d, "LABEL=uefi"), 0); /* labels are case-sensitive */
        ASSERT_EQ(match_number(d, "UUID=2D8B3D54-3B0B-4C4E-9A0E-7D6A4B0C9F11"), 1);
        ASSERT_EQ(match_number(d, "UUID=b2c1-7f3a"), 15);
        ASSERT_EQ(match_number(d, "PARTUUID=AA8B5C0E-5D43-4E0B-9F3A-1C2D3E4F5A6B"), 15);
        ASSERT_EQ(match_number(d, "/dev/disk/by-partlabel/EFI\\x20System"), 15);
        ASSERT_EQ(match_number(d, "PARTLABEL=\"EFI System\""), 15);
        ASSERT_EQ(match_number(d, "/dev/sda14"), 14);
        ASSERT_EQ(match_number(d, "/dev/nvme0n1p15"), 15);
        ASSERT_EQ(match_number(d, "/dev/sda2"), 0);
        ASSERT_EQ(match_number(d, "/dev/sdb1"), 0); /* another disk */
        ASSERT_EQ(match_number(d, "/dev/sda"), 0);
        ASSERT_EQ(match_number(d, "/dev/sda1x"), 0);
        ASSERT_EQ(match_number(d, "/dev/disk/cloud/azure_resource-part1"), 0);
        ASSERT_EQ(match_number(d, "/dev/data-vg/var-lib"), 1000);
        ASSERT_EQ(match_number(d, "/dev/mapper/data--vg-var--lib"), 1000);
        ASSERT_EQ(match_number(d, "/dev/mapper/data-vg-var-lib"), 0);
        ASSERT_EQ(match_number(d, "/dev/mapper/data--vg-var--lib-"), 0);
        ASSERT_EQ(match_number(d, "/dev/mapper/data--"), 0);
        ASSERT_EQ(match_number(d, "tmpfs"), 0);
        ASSERT_EQ(match_number(d, "UUID="), 0);
        ASSERT_NULL(fstab_source_match(NULL, FSTAB_SOURCE_LABEL, "UEFI"));
}

int main(void)
{
        RUN(test_parse);
        RUN(test_match);
        TESTS_DONE();
}
