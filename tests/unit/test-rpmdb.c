/* SPDX-License-Identifier: MIT */
/* Unit tests for src/pkgdb/rpmdb.c: a real rpmdb made with rpmbuild and rpm --root --initdb, read
 * through the forked librpm child; corrupt, truncated and missing databases; a hostile
 * ~/.rpmmacros; the deadline; source RPM names and EVRs. Skips (77) without rpmbuild. */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkgdb/rpmdb.h"
#include "rpm-build.h"
#include "tests.h"

static char *new_dir(void)
{
        const char *tmp = getenv("TMPDIR");
        char *d;

        ASSERT_TRUE(asprintf(&d, "%s/azlm-rpmdb-XXXXXX", tmp && *tmp ? tmp : "/tmp") > 0);
        if (!mkdtemp(d))
                FAIL("mkdtemp: %m");
        return d;
}

/* The database every test copies: ca-certificates, grub2-efi-binary and the gpg-pubkey of Azure
 * Linux's signing key. */
static char *db_root;

static char *copy_of_db(void)
{
        char *d = new_dir(), cmd[2048];

        snprintf(cmd, sizeof(cmd), "cp -a '%s/var' '%s/'", db_root, d);
        ASSERT_EQ(system(cmd), 0);
        return d;
}

static void write_file(const char *dir, const char *rel, const void *data, size_t n)
{
        char p[1024];
        int fd;

        snprintf(p, sizeof(p), "%s/%s", dir, rel);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                FAIL("open %s: %m", p);
        ASSERT_EQ(write(fd, data, n), (ssize_t) n);
        ASSERT_EQ(close(fd), 0);
}

static void no_children_left(void)
{
        ASSERT_EQ(waitpid(-1, NULL, WNOHANG), -1);
        ASSERT_EQ(errno, ECHILD);
}

static void check_packages(const Rpmdb *db)
{
        const RpmdbPackage *ca, *key, *grub;
        char *evr;

        ASSERT_EQ(db->backend, RPMDB_BACKEND_SQLITE);
        ASSERT_UEQ(db->n_packages, 3);
        ASSERT_UEQ(db->n_skipped, 0);
        ASSERT_NULL(db->problems);
        ca = &db->packages[0];
        key = &db->packages[1];
        grub = &db->packages[2];

        ASSERT_STREQ(ca->name, "ca-certificates");
        ASSERT_TRUE(ca->has_epoch);
        ASSERT_EQ(ca->epoch, 1);
        ASSERT_STREQ(ca->version, "3.0.0");
        ASSERT_STREQ(ca->release, "14.azl3");
        ASSERT_STREQ(ca->arch, "noarch");
        ASSERT_STREQ(ca->sourcerpm, "ca-certificates-3.0.0-14.azl3.src.rpm");
        ASSERT_STREQ(ca->vendor, "Microsoft Corporation");
        ASSERT_STREQ(ca->packager, "Test Packager <test@example.com>");
        ASSERT_UEQ(ca->installed_size, 11 + 5);
        ASSERT_TRUE(ca->install_time > 1600000000);
        evr = rpmdb_package_evr(ca);
        ASSERT_STREQ(evr, "1:3.0.0-14.azl3");
        free(evr);

        /* As `rpm -qa` lists it on the AKS Azure Linux 3.0 image: "gpg-pubkey 3135ce90-5e6fda74
         * (none)". */
        ASSERT_STREQ(key->name, "gpg-pubkey");
        ASSERT_STREQ(key->version, "3135ce90");
        ASSERT_STREQ(key->release, "5e6fda74");
        ASSERT_FALSE(key->has_epoch);
        ASSERT_NULL(key->arch);
        ASSERT_NULL(key->sourcerpm);
        ASSERT_UEQ(key->installed_size, 0);

        ASSERT_STREQ(grub->name, "grub2-efi-binary");
        ASSERT_FALSE(grub->has_epoch);
        ASSERT_STREQ(grub->arch, "x86_64");
        ASSERT_STREQ(grub->sourcerpm, "grub2-2.06-27.azl3.src.rpm");
        ASSERT_NULL(grub->packager);
        ASSERT_UEQ(grub->installed_size, 4096);
        evr = rpmdb_package_evr(grub);
        ASSERT_STREQ(evr, "2.06-27.azl3");
        free(evr);
}

static void test_read(void)
{
        _cleanup_(rpmdb_freep) Rpmdb *db = NULL;
        RpmdbPackage *p = NULL;
        char *error = NULL;
        size_t n = 0;
        RpmdbBackend b;

        ASSERT_EQ(rpmdb_detect_backend(db_root, &b), 1);
        ASSERT_EQ(b, RPMDB_BACKEND_SQLITE);
        ASSERT_OK(rpmdb_load(db_root, RPMDB_TIMEOUT_MSEC, &db, &error));
        ASSERT_NULL(error);
        check_packages(db);

        /* The contract's short form. */
        ASSERT_OK(rpmdb_read(db_root, &p, &n, &error));
        ASSERT_UEQ(n, 3);
        ASSERT_STREQ(p[2].name, "grub2-efi-binary");
        rpmdb_packages_free(p, n);
        no_children_left();
}

/* A ~/.rpmmacros that points %_dbpath and %_db_backend elsewhere changes nothing. */
static void test_hostile_macros(void)
{
        _cleanup_(rpmdb_freep) Rpmdb *db = NULL;
        _cleanup_free_ char *home = new_dir();
        char *old = getenv("HOME") ? strdup(getenv("HOME")) : NULL, *error = NULL;
        static const char macros[] = "%_dbpath /nonexistent/db\n%_db_backend bdb_ro\n";

        write_file(home, ".rpmmacros", macros, sizeof(macros) - 1);
        ASSERT_EQ(setenv("HOME", home, 1), 0);
        ASSERT_OK(rpmdb_load(db_root, RPMDB_TIMEOUT_MSEC, &db, &error));
        check_packages(db);
        if (old)
                ASSERT_EQ(setenv("HOME", old, 1), 0);
        else
                ASSERT_EQ(unsetenv("HOME"), 0);
        free(old);
        rpm_rm_tree(home);
}

static void expect_error(const char *root, int want, const char *needle)
{
        _cleanup_(rpmdb_freep) Rpmdb *db = NULL;
        _cleanup_free_ char *error = NULL;

        ASSERT_ERR(rpmdb_load(root, RPMDB_TIMEOUT_MSEC, &db, &error), want);
        ASSERT_NULL(db);
        ASSERT_NOT_NULL(error);
        if (needle && !strstr(error, needle))
                FAIL("error '%s' does not mention '%s'", error, needle);
        ASSERT_NULL(strchr(error, '\n'));
        no_children_left();
}

static void test_corrupt(void)
{
        _cleanup_free_ char *d = copy_of_db();
        char garbage[64 * 1024];
        char p[1024];

        /* Not a database at all: the SQLite header is gone. */
        for (size_t i = 0; i < sizeof(garbage); i++)
                garbage[i] = (char) (i * 7 + 3);
        snprintf(p, sizeof(p), "%s/var/lib/rpm/rpmdb.sqlite-wal", d);
        (void) unlink(p);
        snprintf(p, sizeof(p), "%s/var/lib/rpm/rpmdb.sqlite-shm", d);
        (void) unlink(p);
        write_file(d, "var/lib/rpm/rpmdb.sqlite", garbage, sizeof(garbage));
        expect_error(d, -EBADMSG, "librpm could not");
        {
                _cleanup_(rpmdb_freep) Rpmdb *db = NULL;
                _cleanup_free_ char *error = NULL;

                /* librpm names the database directory; the host copy's path is taken out. */
                ASSERT_ERR(rpmdb_load(d, RPMDB_TIMEOUT_MSEC, &db, &error), -EBADMSG);
                ASSERT_NULL(strstr(error, d));
        }

        /* Binary zeros of the right size class. */
        memset(garbage, 0, sizeof(garbage));
        write_file(d, "var/lib/rpm/rpmdb.sqlite", garbage, sizeof(garbage));
        expect_error(d, -EBADMSG, NULL);

        /* Empty file: sqlite takes it for a new database and rpm refuses to create tables in a
         * read-only open; either way no package list. */
        write_file(d, "var/lib/rpm/rpmdb.sqlite", "", 0);
        {
                _cleanup_(rpmdb_freep) Rpmdb *db = NULL;
                _cleanup_free_ char *error = NULL;
                int r = rpmdb_load(d, RPMDB_TIMEOUT_MSEC, &db, &error);

                ASSERT_TRUE(r == -EBADMSG || (r == 0 && db->n_packages == 0));
        }
        rpm_rm_tree(d);
}

static void test_truncated(void)
{
        _cleanup_free_ char *d = copy_of_db();
        _cleanup_(rpmdb_freep) Rpmdb *db = NULL;
        _cleanup_free_ char *error = NULL;
        char p[1024];
        struct stat st;
        int r;

        snprintf(p, sizeof(p), "%s/var/lib/rpm/rpmdb.sqlite", d);
        ASSERT_EQ(stat(p, &st), 0);
        ASSERT_EQ(truncate(p, st.st_size / 3), 0);
        r = rpmdb_load(d, RPMDB_TIMEOUT_MSEC, &db, &error);
        /* Whatever librpm makes of it, the result says so: an error, or fewer packages with the
         * problems named. */
        if (r == 0) {
                ASSERT_TRUE(db->n_packages < 3);
                ASSERT_NOT_NULL(db->problems);
        } else {
                ASSERT_ERR(r, -EBADMSG);
                ASSERT_NOT_NULL(error);
        }
        no_children_left();
        rpm_rm_tree(d);
}

static void test_missing(void)
{
        _cleanup_free_ char *d = new_dir();
        char p[1024];

        expect_error(d, -ENOENT, "no RPM database");
        snprintf(p, sizeof(p), "%s/var", d);
        ASSERT_EQ(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/var/lib", d);
        ASSERT_EQ(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/var/lib/rpm", d);
        ASSERT_EQ(mkdir(p, 0755), 0);
        expect_error(d, -ENOENT, "no RPM database");
        /* A directory where the database file should be is no database. */
        snprintf(p, sizeof(p), "%s/var/lib/rpm/rpmdb.sqlite", d);
        ASSERT_EQ(mkdir(p, 0755), 0);
        expect_error(d, -ENOENT, NULL);
        expect_error("/nonexistent/azlm-root", -ENOENT, "/nonexistent/azlm-root");
        rpm_rm_tree(d);
}

/* A Berkeley DB "Packages" file that is not one: the bdb_ro backend is chosen and fails cleanly. */
static void test_bad_bdb(void)
{
        _cleanup_free_ char *d = new_dir();
        char p[1024];
        RpmdbBackend b;

        snprintf(p, sizeof(p), "mkdir -p '%s/var/lib/rpm'", d);
        ASSERT_EQ(system(p), 0);
        write_file(d, "var/lib/rpm/Packages", "\x00\x06\x15\x61garbage", 11);
        ASSERT_EQ(rpmdb_detect_backend(d, &b), 1);
        ASSERT_EQ(b, RPMDB_BACKEND_BDB_RO);
        {
                _cleanup_(rpmdb_freep) Rpmdb *db = NULL;
                _cleanup_free_ char *error = NULL;
                int r = rpmdb_load(d, RPMDB_TIMEOUT_MSEC, &db, &error);

                /* rpm's bdb_ro reader may take an unreadable Packages file for an empty one. */
                ASSERT_TRUE(r == -EBADMSG || (r == 0 && db->n_packages == 0));
        }
        /* sqlite wins when both are present, as in rpm. */
        write_file(d, "var/lib/rpm/rpmdb.sqlite", "", 0);
        ASSERT_EQ(rpmdb_detect_backend(d, &b), 1);
        ASSERT_EQ(b, RPMDB_BACKEND_SQLITE);
        no_children_left();
        rpm_rm_tree(d);
}

/* A child that overstays is killed and reaped: 1 ms is far less than librpm needs to start. */
static void test_deadline(void)
{
        _cleanup_(rpmdb_freep) Rpmdb *db = NULL;
        _cleanup_free_ char *error = NULL;

        ASSERT_ERR(rpmdb_load(db_root, 1, &db, &error), -ETIME);
        ASSERT_NOT_NULL(strstr(error, "did not finish"));
        no_children_left();
}

/* A header with a 5000-byte Vendor is skipped and counted, the rest of the database still read. */
static void test_huge_field(void)
{
        _cleanup_free_ char *d = copy_of_db(), *spec = rpm_spec_huge_vendor();
        _cleanup_(rpmdb_freep) Rpmdb *db = NULL;
        const char *const specs[] = { spec, NULL };
        char cmd[2048];

        /* Into a fresh database of its own, then merged: rpm_install_specs() makes a new one. */
        snprintf(cmd, sizeof(cmd), "rm -rf '%s/var'", d);
        ASSERT_EQ(system(cmd), 0);
        rpm_install_specs(d, specs, NULL);
        ASSERT_OK(rpmdb_load(d, RPMDB_TIMEOUT_MSEC, &db, NULL));
        ASSERT_UEQ(db->n_packages, 0);
        ASSERT_UEQ(db->n_skipped, 1);
        no_children_left();
        rpm_rm_tree(d);
}

static void test_sourcerpm(void)
{
        static const struct {
                const char *in, *name, *version;
        } cases[] = {
                { "glibc-2.38-10.azl3.src.rpm", "glibc", "2.38-10.azl3" },
                { "kernel-signed-x64-6.6.126.1-1.azl3.src.rpm", "kernel-signed-x64", "6.6.126.1-1.azl3" },
                { "grub2-2.06-27.azl3.src.rpm", "grub2", "2.06-27.azl3" },
                { "pkg-1-2.nosrc.rpm", "pkg", "1-2" },
                { "foo.src.rpm", NULL, NULL },
                { "foo-1.src.rpm", NULL, NULL },
                { "-1-2.src.rpm", NULL, NULL },
                { "a--2.src.rpm", NULL, NULL },
                { "a-1-.src.rpm", NULL, NULL },
                { "glibc-2.38-10.azl3.x86_64.rpm", NULL, NULL },
                { "", NULL, NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *name = NULL, *version = NULL;
                int r = rpmdb_split_sourcerpm(cases[i].in, &name, &version);

                if (!cases[i].name) {
                        if (r != 0)
                                FAIL("'%s' split into '%s' '%s'", cases[i].in, name, version);
                        continue;
                }
                ASSERT_EQ(r, 1);
                ASSERT_STREQ(name, cases[i].name);
                ASSERT_STREQ(version, cases[i].version);
                free(name);
                free(version);
        }
        ASSERT_EQ(rpmdb_split_sourcerpm(NULL, NULL, NULL), 0);
        ASSERT_STREQ(rpmdb_backend_to_string(RPMDB_BACKEND_BDB_RO), "bdb_ro");
        ASSERT_EQ(rpmdb_backend_from_string("sqlite"), RPMDB_BACKEND_SQLITE);
        ASSERT_STREQ(rpmdb_backend_file(RPMDB_BACKEND_NDB), "Packages.db");
}

int main(void)
{
        const char *const specs[] = { rpm_spec_ca_certificates, rpm_spec_grub2, NULL };

        RUN(test_sourcerpm);
        rpm_require_tools();
        db_root = new_dir();
        rpm_install_specs(db_root, specs, rpm_key_azurelinux);
        RUN(test_read);
        RUN(test_hostile_macros);
        RUN(test_corrupt);
        RUN(test_truncated);
        RUN(test_missing);
        RUN(test_bad_bdb);
        RUN(test_deadline);
        RUN(test_huge_field);
        rpm_rm_tree(db_root);
        free(db_root);
        TESTS_DONE();
}
