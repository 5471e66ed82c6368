/* SPDX-License-Identifier: MIT */
/* Unit tests for the inspect core: fstab parser, finding catalogue (every entry must be a row of
 * docs/findings.md, which tests/unit/test-rules.c generates from this catalogue and the rule files:
 * regenerate it with 'build/tests/test-rules --print-doc > docs/findings.md'), inventory. */
#include <stdio.h>

#include "inspect/finding-catalogue.h"
#include "inspect/fstab.h"
#include "inspect/inventory.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "tests.h"

static void test_fstab(void)
{
        /* Ubuntu cloud image fstab, plus odd but valid and broken lines. */
        static const char buf[] = "# /etc/fstab: static file system information.\n"
                                  "LABEL=cloudimg-rootfs\t/\t ext4\tdiscard,errors=remount-ro\t0 1\n"
                                  "LABEL=UEFI\t/boot/efi\tvfat\tumask=0077\t0 1\n"
                                  "/dev/disk/by-label/My\\040Data /mnt/my\\040data ext4 defaults,nofail\n"
                                  "tmpfs /tmp tmpfs\n"
                                  "lonely\n"
                                  "   \t  \n"
                                  "UUID=x /srv xfs noauto 99999999999999999999 x\n";
        _cleanup_(fstab_freep) Fstab *f = NULL;

        ASSERT_OK(fstab_parse(buf, sizeof(buf) - 1, &f));
        ASSERT_EQ(f->n_entries, 5);
        ASSERT_EQ(f->n_invalid, 1);
        ASSERT_EQ(f->first_invalid_line, 6);
        ASSERT_STREQ(f->entries[0].spec, "LABEL=cloudimg-rootfs");
        ASSERT_STREQ(f->entries[0].file, "/");
        ASSERT_STREQ(f->entries[0].options, "discard,errors=remount-ro");
        ASSERT_EQ(f->entries[0].passno, 1);
        ASSERT_EQ(f->entries[0].line, 2);
        ASSERT_STREQ(f->entries[2].spec, "/dev/disk/by-label/My Data");
        ASSERT_STREQ(f->entries[2].file, "/mnt/my data");
        ASSERT_STREQ(f->entries[3].options, "defaults");
        ASSERT_EQ(f->entries[3].freq, 0);
        ASSERT_EQ(f->entries[4].freq, 0); /* out of range counts as 0 */
        ASSERT_TRUE(fstab_has_option(f->entries[2].options, "nofail"));
        ASSERT_FALSE(fstab_has_option(f->entries[2].options, "fail"));
        ASSERT_TRUE(fstab_has_option(f->entries[4].options, "noauto"));
}

static int cmp_def(const void *a, const void *b)
{
        return strcmp(((const FindingDef *) a)->key, ((const FindingDef *) b)->key);
}

static void test_catalogue(void)
{
        size_t n;
        const FindingDef *all = finding_catalogue_all(&n);

        ASSERT_TRUE(n > 10);
        for (size_t i = 0; i < n; i++) {
                /* Sorted and unique: the lookup is a binary search. */
                if (i > 0 && cmp_def(&all[i - 1], &all[i]) >= 0)
                        FAIL("catalogue not sorted at '%s'", all[i].key);
                ASSERT_TRUE(all[i].severity >= 0 && all[i].severity < _SEVERITY_MAX);
                ASSERT_TRUE(strlen(all[i].title) > 0 && strlen(all[i].meaning) > 20);
                ASSERT_TRUE(str_in_charset(all[i].key, ".-"));
                ASSERT_TRUE(finding_catalogue_lookup(all[i].key) == &all[i]);
        }
        ASSERT_NULL(finding_catalogue_lookup("no.such.key"));
        ASSERT_STREQ(severity_to_string(SEVERITY_HIGH), "high");
        ASSERT_EQ(severity_from_string("medium"), SEVERITY_MEDIUM);
}

/* The catalogue's rows as docs/findings.md has them (its "Inspection findings" table). */
static char *catalogue_rows(void)
{
        size_t n, size = 0;
        const FindingDef *all = finding_catalogue_all(&n);
        char *buf = NULL;
        FILE *f = open_memstream(&buf, &size);

        ASSERT_NOT_NULL(f);
        fputs("| Key | Severity | Title | Meaning |\n"
              "|---|---|---|---|\n",
              f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "| `%s` | %s | %s | %s |\n", all[i].key, severity_to_string(all[i].severity),
                        all[i].title, all[i].meaning);
        ASSERT_EQ(fclose(f), 0);
        return buf;
}

static void test_catalogue_doc(void)
{
        _cleanup_free_ char *want = catalogue_rows(), *have = NULL;
        char path[1024];

        snprintf(path, sizeof(path), "%s/docs/findings.md", tests_srcdir());
        ASSERT_OK(read_full_file_capped(path, 1 << 20, &have, NULL));
        if (!strstr(have, want))
                FAIL("docs/findings.md does not list the inspection catalogue as it is; regenerate it with "
                     "'build/tests/test-rules --print-doc > docs/findings.md'");
}

static void test_inventory(void)
{
        _cleanup_(inventory_freep) Inventory *inv = NULL;
        json_object *f, *item = json_object_new_object();

        ASSERT_OK(inventory_new(&inv));
        ASSERT_STREQ(json_get_str(inv->root, "schema"), INVENTORY_SCHEMA);
        ASSERT_OK(inventory_add_finding(inv, "disk.vhd.unaligned-size", "/x", "size %d", 7));
        ASSERT_ERR(inventory_add_finding(inv, "not.in.catalogue", NULL, "x"), -EINVAL);
        ASSERT_EQ(json_object_array_length(inv->findings), 1);
        f = json_object_array_get_idx(inv->findings, 0);
        ASSERT_STREQ(json_get_str(f, "severity"), "low");
        ASSERT_STREQ(json_get_str(f, "detail"), "size 7");
        ASSERT_STREQ(json_object_get_string(json_object_array_get_idx(json_get(f, "resources"), 0)), "/x");
        ASSERT_EQ(inventory_has_finding(inv, "disk.vhd.unaligned-size"), 1);
        ASSERT_EQ(inventory_has_finding(inv, "disk.vhd.size-mismatch"), 0);

        ASSERT_OK(json_add_str(item, "name", "bash"));
        ASSERT_OK(inventory_index_package(inv, "bash", item));
        json_object_put(item); /* the index holds its own reference */
        ASSERT_STREQ(json_get_str(inventory_find_package(inv, "bash"), "name"), "bash");
        ASSERT_NULL(inventory_find_package(inv, "zsh"));
        ASSERT_TRUE(inventory_section(inv, "os") == inventory_section(inv, "os"));
}

int main(int argc, char *argv[])
{
        if (argc > 1 && strcmp(argv[1], "--print-doc") == 0) {
                fputs("docs/findings.md is generated by build/tests/test-rules --print-doc\n", stderr);
                return 2;
        }
        RUN(test_fstab);
        RUN(test_catalogue);
        RUN(test_catalogue_doc);
        RUN(test_inventory);
        TESTS_DONE();
}
