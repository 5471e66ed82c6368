/* SPDX-License-Identifier: MIT */
/* Unit tests for src/inspect/collect-rpm.c and rpmdb-guest.c on guest trees built in a temporary
 * directory, with a real rpmdb made by rpmbuild and rpm --root (tests/unit/rpm-build.h).
 * Skips (77) without rpmbuild. */
#include <dirent.h>
#include <sys/stat.h>

#include "inspect/rpmdb-guest.h"
#include "pkgdb/rpmdb.h"
#include "guest-tree.h"
#include "rpm-build.h"

/* /etc/os-release of the AKS Azure Linux 3.0 node image 202603.30.0 (Azure/AgentBaker release
 * notes, commit 06836ee2301e362039418c3a7ed0fe6004a641fd). */
static const char azl3_os_release[] = "NAME=\"Microsoft Azure Linux\"\n"
                                      "VERSION=\"3.0.20260304\"\n"
                                      "ID=azurelinux\n"
                                      "VERSION_ID=\"3.0\"\n"
                                      "PRETTY_NAME=\"Microsoft Azure Linux 3.0\"\n"
                                      "ANSI_COLOR=\"1;34\"\n"
                                      "HOME_URL=\"https://aka.ms/azurelinux\"\n"
                                      "BUG_REPORT_URL=\"https://aka.ms/azurelinux\"\n"
                                      "SUPPORT_URL=\"https://aka.ms/azurelinux\"\n";

static const char ubuntu_os_release[] = "PRETTY_NAME=\"Ubuntu 22.04.5 LTS\"\n"
                                        "NAME=\"Ubuntu\"\n"
                                        "VERSION_ID=\"22.04\"\n"
                                        "ID=ubuntu\n"
                                        "ID_LIKE=debian\n";

/* A root holding the rpmdb of ca-certificates, grub2-efi-binary and Azure Linux's gpg-pubkey, built
 * once. */
static char *db_root;
/* TMPDIR of this test, to prove the collector leaves no copy behind. */
static char *tmp_dir;

static void add_rpmdb(const GuestTree *t, const char *guest_dir)
{
        char host[PATH_MAX], cmd[3 * PATH_MAX];

        tree_dir(t, guest_dir);
        tree_path(t, guest_dir, host, sizeof(host));
        snprintf(cmd, sizeof(cmd), "cp -a '%s/var/lib/rpm/.' '%s/'", db_root, host);
        ASSERT_EQ(system(cmd), 0);
}

/* os-release, dpkg and rpm collectors, in the order inspect runs them. */
static Inventory *collect_packages(GuestTree *t)
{
        tree_open(t);
        ASSERT_OK(collect_os_release(&t->ctx));
        ASSERT_OK(collect_dpkg(&t->ctx));
        ASSERT_OK(collect_rpm(&t->ctx));
        return t->inv;
}

/* Entries of a host directory whose names start with prefix (NULL: all but hidden ones). */
static size_t dir_entries(const char *path, const char *prefix)
{
        DIR *d = opendir(path);
        struct dirent *de;
        size_t n = 0;

        ASSERT_NOT_NULL(d);
        while ((de = readdir(d)))
                n += prefix ? !!startswith(de->d_name, prefix) : de->d_name[0] != '.';
        closedir(d);
        return n;
}

/* The collector's copies left in TMPDIR. */
static size_t copies_left(void)
{
        return dir_entries(tmp_dir, "azlmigrate-rpmdb-");
}

static void test_azurelinux(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *pk, *ca, *key, *grub;
        char host[PATH_MAX];
        size_t before;

        tree_new(&t);
        tree_file(&t, "/etc/os-release", azl3_os_release);
        add_rpmdb(&t, "/var/lib/rpm");
        tree_path(&t, "/var/lib/rpm", host, sizeof(host));
        before = dir_entries(host, NULL);

        inv = collect_packages(&t);
        pk = jpath(inv->root, "packages");
        ASSERT_STREQ(jstr(inv->root, "os.family"), "rpm");
        ASSERT_STREQ(jstr(pk, "manager"), "rpm");
        ASSERT_STREQ(jstr(pk, "database"), "/var/lib/rpm");
        ASSERT_STREQ(jstr(pk, "backend"), "sqlite");
        ASSERT_EQ(jint(pk, "count"), 3);
        ASSERT_EQ(jint(pk, "manual_count"), 3);
        ASSERT_FALSE(jbool(pk, "manual_known"));
        ASSERT_FALSE(jbool(pk, "auto_states_known"));
        ASSERT_EQ(jint(pk, "installed_size"), 16 + 4096);
        ASSERT_EQ(jlen(pk, "held"), 0);
        ASSERT_EQ(jlen(pk, "items"), 3);

        ca = jat(jpath(pk, "items"), 0);
        ASSERT_STREQ(jstr(ca, "name"), "ca-certificates");
        ASSERT_STREQ(jstr(ca, "version"), "1:3.0.0-14.azl3");
        ASSERT_STREQ(jstr(ca, "arch"), "noarch");
        ASSERT_STREQ(jstr(ca, "source"), "ca-certificates");
        ASSERT_STREQ(jstr(ca, "source_version"), "3.0.0-14.azl3");
        ASSERT_STREQ(jstr(ca, "status"), "installed");
        ASSERT_STREQ(jstr(ca, "vendor"), "Microsoft Corporation");
        ASSERT_TRUE(jbool(ca, "manual"));
        ASSERT_FALSE(jbool(ca, "hold"));
        ASSERT_EQ(jlen(ca, "provides"), 0);
        ASSERT_EQ(jint(ca, "installed_size"), 16);
        ASSERT_NULL(jpath(ca, "install_time"));

        /* No architecture, no source RPM: the source is its own name. */
        key = jat(jpath(pk, "items"), 1);
        ASSERT_STREQ(jstr(key, "name"), "gpg-pubkey");
        ASSERT_STREQ(jstr(key, "version"), "3135ce90-5e6fda74");
        ASSERT_TRUE(jnull(key, "arch"));
        ASSERT_STREQ(jstr(key, "source"), "gpg-pubkey");
        ASSERT_TRUE(jnull(key, "source_version"));
        ASSERT_TRUE(jnull(key, "vendor"));
        ASSERT_EQ(jint(key, "installed_size"), 0);

        grub = jat(jpath(pk, "items"), 2);
        ASSERT_STREQ(jstr(grub, "name"), "grub2-efi-binary");
        ASSERT_STREQ(jstr(grub, "version"), "2.06-27.azl3");
        ASSERT_STREQ(jstr(grub, "arch"), "x86_64");
        ASSERT_STREQ(jstr(grub, "source"), "grub2");
        ASSERT_STREQ(jstr(grub, "source_version"), "2.06-27.azl3");

        ASSERT_TRUE(inventory_find_package(inv, "grub2-efi-binary") == grub);
        ASSERT_EQ(jlen(inv->findings, NULL), 0);
        /* Read-only: the guest's database directory is as it was, and no copy is left. */
        ASSERT_UEQ(dir_entries(host, NULL), before);
        ASSERT_UEQ(copies_left(), 0);
        tree_free(&t);
}

/* Fedora 36+ keeps the database in /usr/lib/sysimage/rpm with /var/lib/rpm a relative symlink;
 * the copy follows it inside the guest. An absolute symlink to the host's /var/lib/rpm would
 * resolve inside the guest too. */
static void test_symlinked_dir(void)
{
        GuestTree t;
        Inventory *inv;

        tree_new(&t);
        tree_file(&t, "/etc/os-release", "ID=fedora\nVERSION_ID=40\n");
        add_rpmdb(&t, "/usr/lib/sysimage/rpm");
        tree_link(&t, "/var/lib/rpm", "../../usr/lib/sysimage/rpm");
        inv = collect_packages(&t);
        ASSERT_STREQ(jstr(inv->root, "packages.manager"), "rpm");
        ASSERT_EQ(jint(inv->root, "packages.count"), 3);
        tree_free(&t);

        tree_new(&t);
        tree_file(&t, "/etc/os-release", "ID=fedora\nVERSION_ID=40\n");
        tree_link(&t, "/var/lib/rpm", "/usr/lib/sysimage/rpm"); /* dangling inside the guest */
        inv = collect_packages(&t);
        ASSERT_TRUE(jnull(inv->root, "packages.manager"));
        ASSERT_EQ(count_findings(inv, "rpm.database.missing"), 1);
        tree_free(&t);
}

static void test_missing(void)
{
        GuestTree t;
        Inventory *inv;

        /* Azure Linux without a database: the rpm finding, and not dpkg's. */
        tree_new(&t);
        tree_file(&t, "/etc/os-release", azl3_os_release);
        inv = collect_packages(&t);
        ASSERT_TRUE(jnull(inv->root, "packages.manager"));
        ASSERT_EQ(jint(inv->root, "packages.count"), 0);
        ASSERT_EQ(jlen(inv->root, "packages.items"), 0);
        ASSERT_EQ(count_findings(inv, "rpm.database.missing"), 1);
        ASSERT_EQ(count_findings(inv, "dpkg.status.missing"), 0);

        /* An empty directory is no database either. */
        tree_dir(&t, "/var/lib/rpm");
        inv = collect_packages(&t);
        ASSERT_EQ(count_findings(inv, "rpm.database.missing"), 1);

        /* Not RPM-family and nothing there: silence. */
        tree_file(&t, "/etc/os-release", "ID=alpine\n");
        inv = collect_packages(&t);
        ASSERT_EQ(jlen(inv->findings, NULL), 0);
        ASSERT_UEQ(copies_left(), 0);
        tree_free(&t);
}

static void test_corrupt(void)
{
        GuestTree t;
        Inventory *inv;
        json_object *f;
        char junk[8192];

        for (size_t i = 0; i < sizeof(junk); i++)
                junk[i] = (char) (i * 13 + 1);
        tree_new(&t);
        tree_file(&t, "/etc/os-release", azl3_os_release);
        tree_file_n(&t, "/var/lib/rpm/rpmdb.sqlite", junk, sizeof(junk));
        inv = collect_packages(&t);
        ASSERT_TRUE(jnull(inv->root, "packages.manager"));
        ASSERT_EQ(jint(inv->root, "packages.count"), 0);
        f = find_finding(inv, "rpm.database.unreadable");
        ASSERT_NOT_NULL(f);
        ASSERT_NOT_NULL(strstr(json_get_str(f, "detail"), "file is not a database"));
        /* The detail names the guest's directory, not the host copy. */
        ASSERT_NULL(strstr(json_get_str(f, "detail"), tmp_dir));
        ASSERT_NOT_NULL(strstr(json_get_str(f, "detail"), "/var/lib/rpm"));
        ASSERT_UEQ(copies_left(), 0);
        tree_free(&t);
}

/* A header with a field beyond what the reader takes: skipped, counted in a finding, the other
 * packages listed. */
static void test_skipped_entry(void)
{
        _cleanup_free_ char *spec = rpm_spec_huge_vendor();
        const char *const specs[] = { rpm_spec_ca_certificates, spec, NULL };
        GuestTree t;
        Inventory *inv;
        json_object *f;

        tree_new(&t);
        tree_file(&t, "/etc/os-release", azl3_os_release);
        rpm_install_specs(t.root, specs, NULL);
        inv = collect_packages(&t);
        ASSERT_STREQ(jstr(inv->root, "packages.manager"), "rpm");
        ASSERT_EQ(jint(inv->root, "packages.count"), 1);
        ASSERT_STREQ(jstr(inv->root, "packages.items.0.name"), "ca-certificates");
        f = find_finding(inv, "rpm.database.unreadable");
        ASSERT_NOT_NULL(f);
        ASSERT_NOT_NULL(strstr(json_get_str(f, "detail"), "1 packages read; 1 entries skipped"));
        tree_free(&t);
}

/* More files than the copy takes: a finding, no package list, no copy left behind. */
static void test_too_many_files(void)
{
        GuestTree t;
        Inventory *inv;
        char p[64];

        tree_new(&t);
        tree_file(&t, "/etc/os-release", azl3_os_release);
        for (unsigned i = 0; i <= RPMDB_COPY_FILES_MAX; i++) {
                snprintf(p, sizeof(p), "/var/lib/rpm/__index%04u", i);
                tree_file(&t, p, "x");
        }
        inv = collect_packages(&t);
        ASSERT_TRUE(jnull(inv->root, "packages.manager"));
        ASSERT_NOT_NULL(strstr(json_get_str(find_finding(inv, "rpm.database.unreadable"), "detail"),
                               "larger than azlmigrate copies"));
        ASSERT_UEQ(copies_left(), 0);
        tree_free(&t);
}

/* Debian-family with both databases (Debian's rpm package leaves /var/lib/rpm behind): dpkg's list
 * stands. RPM-family with a stray dpkg status: rpm's list stands. */
static void test_both_databases(void)
{
        _cleanup_free_ char *status = NULL;
        GuestTree t;
        Inventory *inv;

        status_append(&status, "libc6", "2.35-0ubuntu3.8", "amd64");
        tree_new(&t);
        tree_file(&t, "/etc/os-release", ubuntu_os_release);
        tree_file(&t, "/var/lib/dpkg/status", status);
        add_rpmdb(&t, "/var/lib/rpm");
        inv = collect_packages(&t);
        ASSERT_STREQ(jstr(inv->root, "packages.manager"), "dpkg");
        ASSERT_EQ(jint(inv->root, "packages.count"), 1);
        ASSERT_STREQ(jstr(inv->root, "packages.items.0.name"), "libc6");
        ASSERT_NULL(inventory_find_package(inv, "grub2-efi-binary"));
        ASSERT_EQ(jlen(inv->findings, NULL), 0);

        tree_file(&t, "/etc/os-release", azl3_os_release);
        inv = collect_packages(&t);
        ASSERT_STREQ(jstr(inv->root, "packages.manager"), "rpm");
        ASSERT_EQ(jint(inv->root, "packages.count"), 3);
        ASSERT_NULL(inventory_find_package(inv, "libc6"));
        ASSERT_EQ(jlen(inv->findings, NULL), 0);

        /* No os-release at all, no dpkg database: the rpmdb is the package list. */
        tree_free(&t);
        tree_new(&t);
        add_rpmdb(&t, "/var/lib/rpm");
        inv = collect_packages(&t);
        ASSERT_STREQ(jstr(inv->root, "packages.manager"), "rpm");
        ASSERT_EQ(jint(inv->root, "packages.count"), 3);
        tree_free(&t);
}

static bool host_exists(const char *dir, const char *name)
{
        char p[PATH_MAX];
        struct stat st;

        snprintf(p, sizeof(p), "%s/var/lib/rpm/%s", dir, name);
        return lstat(p, &st) == 0;
}

static char *new_tmp_root(void)
{
        char *d;

        ASSERT_TRUE(asprintf(&d, "%s/copy-XXXXXX", tmp_dir) > 0);
        ASSERT_NOT_NULL(mkdtemp(d));
        return d;
}

static void test_copy(void)
{
        _cleanup_free_ char *d = NULL;
        GuestTree t;
        char host[PATH_MAX], p[PATH_MAX + 64];
        struct stat st;

        tree_new(&t);
        tree_file(&t, "/var/lib/rpm/rpmdb.sqlite", "db");
        tree_file(&t, "/var/lib/rpm/rpmdb.sqlite-wal", "wal");
        tree_file(&t, "/var/lib/rpm/rpmdb.sqlite-shm", "shm");
        tree_file(&t, "/var/lib/rpm/.rpm.lock", "");
        tree_file(&t, "/var/lib/rpm/__db.001", "env");
        tree_file(&t, "/var/lib/rpm/Name", "bdb index");
        tree_file(&t, "/etc/shadow", "root:secret:::");
        tree_link(&t, "/var/lib/rpm/evil", "/etc/shadow");
        tree_dir(&t, "/var/lib/rpm/subdir");
        tree_path(&t, "/var/lib/rpm/fifo", host, sizeof(host));
        ASSERT_EQ(mkfifo(host, 0600), 0);
        tree_open(&t);

        d = new_tmp_root();
        ASSERT_EQ(rpmdb_copy_from_guest(t.guest, d), 1);
        ASSERT_TRUE(host_exists(d, "rpmdb.sqlite"));
        ASSERT_TRUE(host_exists(d, "rpmdb.sqlite-wal"));
        ASSERT_TRUE(host_exists(d, "Name"));
        ASSERT_FALSE(host_exists(d, "rpmdb.sqlite-shm"));
        ASSERT_FALSE(host_exists(d, ".rpm.lock"));
        ASSERT_FALSE(host_exists(d, "__db.001"));
        ASSERT_FALSE(host_exists(d, "evil"));
        ASSERT_FALSE(host_exists(d, "subdir"));
        ASSERT_FALSE(host_exists(d, "fifo"));
        snprintf(p, sizeof(p), "%s/var/lib/rpm/rpmdb.sqlite-wal", d);
        ASSERT_EQ(stat(p, &st), 0);
        ASSERT_EQ(st.st_size, 3);
        ASSERT_EQ(st.st_mode & 07777, 0600);
        /* Copying twice into one place is refused, not merged. */
        ASSERT_ERR(rpmdb_copy_from_guest(t.guest, d), -EEXIST);
        ASSERT_OK(rpmdb_copy_remove(d));
        ASSERT_EQ(lstat(d, &st), -1);
        d = mfree(d);

        /* Too many files. */
        for (unsigned i = 0; i <= RPMDB_COPY_FILES_MAX; i++) {
                snprintf(p, sizeof(p), "/var/lib/rpm/f%04u", i);
                tree_file(&t, p, "x");
        }
        tree_open(&t);
        d = new_tmp_root();
        ASSERT_ERR(rpmdb_copy_from_guest(t.guest, d), -EFBIG);
        ASSERT_OK(rpmdb_copy_remove(d));
        d = mfree(d);
        tree_free(&t);

        /* No /var/lib/rpm, or a file there. */
        tree_new(&t);
        tree_open(&t);
        d = new_tmp_root();
        ASSERT_EQ(rpmdb_copy_from_guest(t.guest, d), 0);
        tree_file(&t, "/var/lib/rpm", "not a directory");
        tree_open(&t);
        ASSERT_EQ(rpmdb_copy_from_guest(t.guest, d), 0);
        ASSERT_OK(rpmdb_copy_remove(d));
        ASSERT_OK(rpmdb_copy_remove(d)); /* gone already: fine */
        tree_free(&t);
}

int main(void)
{
        const char *const specs[] = { rpm_spec_ca_certificates, rpm_spec_grub2, NULL };
        const char *tmp = getenv("TMPDIR");

        rpm_require_tools();
        ASSERT_TRUE(asprintf(&db_root, "%s/azlm-rpmdb-XXXXXX", tmp && *tmp ? tmp : "/tmp") > 0);
        ASSERT_NOT_NULL(mkdtemp(db_root));
        ASSERT_TRUE(asprintf(&tmp_dir, "%s/azlm-tmp-XXXXXX", tmp && *tmp ? tmp : "/tmp") > 0);
        ASSERT_NOT_NULL(mkdtemp(tmp_dir));
        rpm_install_specs(db_root, specs, rpm_key_azurelinux);
        /* From here on the collector's temporary copies (and the test's trees) go to tmp_dir. */
        ASSERT_EQ(setenv("TMPDIR", tmp_dir, 1), 0);

        RUN(test_azurelinux);
        RUN(test_symlinked_dir);
        RUN(test_missing);
        RUN(test_corrupt);
        RUN(test_both_databases);
        RUN(test_skipped_entry);
        RUN(test_too_many_files);
        RUN(test_copy);

        rpm_rm_tree(db_root);
        rpm_rm_tree(tmp_dir);
        free(db_root);
        free(tmp_dir);
        TESTS_DONE();
}
