/* SPDX-License-Identifier: MIT */
/* Unit tests for the fstab collector. */
#include <stdlib.h>
#include <string.h>

#include "guest-tree.h"

/* /etc/fstab of an AKS Ubuntu node: the cloud image's two lines, cloud-init's resource disk
 * line, and /dev/shm from AKS CIS hardening (AgentBaker cis.sh prepareTmp); then a broken line. */
static const char aks_fstab[] =
        "LABEL=cloudimg-rootfs\t/\t ext4\tdiscard,errors=remount-ro\t0 1\n"
        "LABEL=UEFI\t/boot/efi\tvfat\tumask=0077\t0 1\n"
        "/dev/disk/cloud/azure_resource-part1\t/"
        "mnt\tauto\tdefaults,nofail,x-systemd.requires=cloud-init.service,"
        "_netdev,comment=cloudconfig\t0\t2\n"
        "tmpfs /dev/shm tmpfs nodev,nosuid,noexec\n"
        "# a comment\n"
        "broken\n"
        "PARTUUID=aa8b5c0e-5d43-4e0b-9f3a-1c2d3e4f5a6b /boot/efi2 vfat defaults 0 0\n";

static DiskLayout *aks_layout(void)
{
        DiskLayout *d = calloc(1, sizeof(DiskLayout));
        Partition root = { .number = 1,
                           .fs = { .type = strdup("ext4"), .label = strdup("cloudimg-rootfs") } };
        Partition esp = { .number = 15,
                          .uuid = strdup("aa8b5c0e-5d43-4e0b-9f3a-1c2d3e4f5a6b"),
                          .fs = { .type = strdup("vfat"), .label = strdup("UEFI") } };

        ASSERT_NOT_NULL(d);
        d->label = strdup("gpt");
        ASSERT_OK(disk_layout_add(d, &root));
        ASSERT_OK(disk_layout_add(d, &esp));
        return d;
}

static void test_aks(void)
{
        GuestTree t;
        DiskLayout *d = aks_layout();
        Inventory *inv;
        json_object *items, *e;
        const char *detail = NULL;

        tree_new(&t);
        tree_file(&t, "/etc/fstab", aks_fstab);
        t.layout = d;
        inv = tree_collect(&t, collect_fstab);
        items = json_get(json_get(inv->root, "config"), "fstab");
        ASSERT_EQ(jlen(items, NULL), 5);

        e = jat(items, 0);
        ASSERT_STREQ(json_get_str(e, "spec"), "LABEL=cloudimg-rootfs");
        ASSERT_STREQ(json_get_str(e, "file"), "/");
        ASSERT_STREQ(json_get_str(e, "vfstype"), "ext4");
        ASSERT_STREQ(json_get_str(e, "options"), "discard,errors=remount-ro");
        ASSERT_EQ(json_get_int(e, "freq", -1), 0);
        ASSERT_EQ(json_get_int(e, "passno", -1), 1);
        ASSERT_EQ(json_get_int(e, "line", -1), 1);
        ASSERT_STREQ(json_get_str(e, "source_kind"), "label");
        ASSERT_STREQ(json_get_str(e, "source_value"), "cloudimg-rootfs");
        ASSERT_EQ(json_get_int(e, "matches_partition", -1), 1);

        e = jat(items, 1);
        ASSERT_EQ(json_get_int(e, "matches_partition", -1), 15);

        e = jat(items, 2);
        ASSERT_STREQ(json_get_str(e, "source_kind"), "device");
        ASSERT_TRUE(json_object_is_type(json_get(e, "matches_partition"), json_type_null));
        ASSERT_EQ(json_get_int(e, "passno", -1), 2);

        e = jat(items, 3);
        ASSERT_STREQ(json_get_str(e, "source_kind"), "other");
        ASSERT_STREQ(json_get_str(e, "file"), "/dev/shm");
        ASSERT_NULL(json_get(e, "matches_partition"));

        e = jat(items, 4);
        ASSERT_STREQ(json_get_str(e, "source_kind"), "partuuid");
        ASSERT_EQ(json_get_int(e, "matches_partition", -1), 15);
        ASSERT_EQ(json_get_int(e, "line", -1), 7);

        ASSERT_EQ(count_findings(inv, "fstab.entry.invalid"), 1);
        detail = jstr(find_finding(inv, "fstab.entry.invalid"), "detail");
        ASSERT_TRUE(strstr(detail, "line 6") != NULL);

        /* With --root there is no layout: nothing matches. */
        t.layout = NULL;
        inv = tree_collect(&t, collect_fstab);
        items = json_get(json_get(inv->root, "config"), "fstab");
        ASSERT_EQ(jlen(items, NULL), 5);
        ASSERT_NULL(json_get(jat(items, 0), "matches_partition"));

        disk_layout_free(d);
        tree_free(&t);
}

static void test_missing_and_hostile(void)
{
        GuestTree t;
        Inventory *inv;
        static const char junk[] = "\0\0\0\xff\xfe /x ext4\nUUID=\"unterminated /y\n";

        tree_new(&t);
        tree_dir(&t, "/etc");
        inv = tree_collect(&t, collect_fstab);
        ASSERT_EQ(jlen(inv->root, "config.fstab"), 0);
        ASSERT_EQ(jlen(inv->findings, NULL), 0);

        tree_file_n(&t, "/etc/fstab", junk, sizeof(junk) - 1);
        inv = tree_collect(&t, collect_fstab);
        ASSERT_EQ(jlen(inv->root, "config.fstab"), 2);
        ASSERT_STREQ(jstr(inv->root, "config.fstab.1.source_value"), "\"unterminated");
        tree_free(&t);
}

int main(void)
{
        RUN(test_aks);
        RUN(test_missing_and_hostile);
        TESTS_DONE();
}
