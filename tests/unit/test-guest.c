/* SPDX-License-Identifier: MIT */
/* Unit tests for src/disk/guest.c (path resolution inside the guest, mounts) with the directory
 * backend (guest-dir.c). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk/guest-dir.h"
#include "disk/guest.h"
#include "shared/fd-util.h"
#include "tests.h"

static char top[] = "/tmp/azlm-guest-XXXXXX";
static char root[256], efi[256];

static void mkfile(const char *base, const char *rel, const char *content)
{
        char p[512];
        _cleanup_close_ int fd = -EBADF;

        snprintf(p, sizeof(p), "%s/%s", base, rel);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, content, strlen(content)), (ssize_t) strlen(content));
}

static void mkdirp(const char *base, const char *rel)
{
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", base, rel);
        ASSERT_EQ(mkdir(p, 0755), 0);
}

static void mklink(const char *base, const char *rel, const char *target)
{
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", base, rel);
        ASSERT_EQ(symlink(target, p), 0);
}

static void setup(void)
{
        ASSERT_NOT_NULL(mkdtemp(top));
        snprintf(root, sizeof(root), "%s/root", top);
        snprintf(efi, sizeof(efi), "%s/esp", top);
        ASSERT_EQ(mkdir(root, 0755), 0);
        ASSERT_EQ(mkdir(efi, 0755), 0);
        /* A secret beside the root: reachable only by escaping it. */
        mkdirp(top, "outside");
        mkfile(top, "outside/secret", "HOST-SECRET");

        mkdirp(root, "etc");
        mkdirp(root, "usr");
        mkdirp(root, "usr/lib");
        mkdirp(root, "boot");
        mkdirp(root, "boot/efi");
        mkdirp(root, "var");
        mkfile(root, "usr/lib/os-release", "ID=ubuntu\n");
        mklink(root, "etc/os-release", "../usr/lib/os-release");
        mkfile(root, "etc/hostname", "node\n");
        mklink(root, "abs", "/etc/hostname");
        mklink(root, "esc", "../../../../../outside/secret");
        mklink(root, "esc-abs", "/../../outside/secret");
        mklink(root, "loop-a", "loop-b");
        mklink(root, "loop-b", "loop-a");
        mklink(root, "dirlink", "usr/lib");
        mklink(root, "efi-link", "/boot/efi/EFI/ubuntu/grub.cfg");
        mklink(root, "dangling", "/nope");
        ASSERT_EQ(mkfifo(strcat(strcpy((char[512]){ 0 }, root), "/var/fifo"), 0644), 0);
        /* A chain of 41 links: one more than Linux follows. */
        for (int i = 0; i < 41; i++) {
                char n[32], t[32];
                snprintf(n, sizeof(n), "chain%d", i);
                snprintf(t, sizeof(t), "chain%d", i + 1);
                mklink(root, n, t);
        }
        mkfile(root, "chain41", "end");
        mklink(root, "var/up", "../../../../../..");

        mkdirp(efi, "EFI");
        mkdirp(efi, "EFI/ubuntu");
        mkfile(efi, "EFI/ubuntu/grub.cfg", "search.fs_uuid x root\n");
}

static Guest *make_guest(void)
{
        Guest *g = NULL;
        GuestFs *fs = NULL;

        ASSERT_OK(guest_new(&g));
        ASSERT_OK(guest_dir_open(root, &fs));
        ASSERT_OK(guest_mount(g, "/", fs));
        ASSERT_OK(guest_dir_open(efi, &fs));
        ASSERT_OK(guest_mount(g, "/boot/efi", fs));
        return g;
}

static void assert_resolves(Guest *g, const char *path, bool follow, const char *expect)
{
        _cleanup_free_ char *p = NULL;
        ASSERT_OK(guest_resolve(g, path, follow, &p));
        if (strcmp(p, expect) != 0)
                FAIL("%s resolved to %s, expected %s", path, p, expect);
}

static void test_resolve(void)
{
        _cleanup_(guest_freep) Guest *g = make_guest();
        char *p = NULL;

        assert_resolves(g, "/", true, "/");
        assert_resolves(g, "//etc/./os-release", false, "/etc/os-release");
        assert_resolves(g, "/etc/os-release", true, "/usr/lib/os-release");
        assert_resolves(g, "/abs", true, "/etc/hostname");
        assert_resolves(g, "/dirlink/os-release", true, "/usr/lib/os-release");
        assert_resolves(g, "/../../etc/../etc/hostname", true, "/etc/hostname");
        assert_resolves(g, "/var/up/etc/hostname", true, "/etc/hostname");
        assert_resolves(g, "/efi-link", true, "/boot/efi/EFI/ubuntu/grub.cfg");
        /* Escapes clamp at the guest root: they name the guest's /outside, which is absent. */
        ASSERT_ERR(guest_resolve(g, "/esc", true, &p), -ENOENT);
        ASSERT_ERR(guest_resolve(g, "/esc-abs", true, &p), -ENOENT);
        ASSERT_ERR(guest_resolve(g, "/loop-a", true, &p), -ELOOP);
        ASSERT_ERR(guest_resolve(g, "/chain0", true, &p), -ELOOP);
        assert_resolves(g, "/chain1", true, "/chain41");
        ASSERT_ERR(guest_resolve(g, "/dangling", true, &p), -ENOENT);
        assert_resolves(g, "/dangling", false, "/dangling");
        ASSERT_ERR(guest_resolve(g, "/etc/hostname/x", true, &p), -ENOTDIR);
        ASSERT_ERR(guest_resolve(g, "relative", true, &p), -EINVAL);
        ASSERT_NULL(p);
}

static void test_read(void)
{
        _cleanup_(guest_freep) Guest *g = make_guest();
        _cleanup_free_ char *buf = NULL, *target = NULL;
        char small[8];
        size_t n = 0;
        GuestStat st;

        ASSERT_OK(guest_read_file(g, "/etc/os-release", 1024, &buf, &n));
        ASSERT_STREQ(buf, "ID=ubuntu\n");
        ASSERT_EQ(n, 10);
        buf = mfree(buf);
        ASSERT_ERR(guest_read_file(g, "/etc/os-release", 5, &buf, &n), -EFBIG);
        ASSERT_ERR(guest_read_file(g, "/esc", 1024, &buf, &n), -ENOENT);
        ASSERT_ERR(guest_read_file(g, "/etc", 1024, &buf, &n), -EISDIR);
        ASSERT_ERR(guest_read_file(g, "/var/fifo", 1024, &buf, &n), -EPERM);
        ASSERT_OK(guest_read_file(g, "/efi-link", 1024, &buf, &n));
        ASSERT_STREQ(buf, "search.fs_uuid x root\n");

        ASSERT_OK(guest_pread(g, "/etc/hostname", 1, 3, small, &n));
        ASSERT_EQ(n, 3);
        ASSERT_TRUE(memcmp(small, "ode", 3) == 0);
        ASSERT_OK(guest_pread(g, "/etc/hostname", 100, 3, small, &n));
        ASSERT_EQ(n, 0);

        ASSERT_OK(guest_readlink(g, "/etc/os-release", &target));
        ASSERT_STREQ(target, "../usr/lib/os-release");
        ASSERT_ERR(guest_readlink(g, "/etc/hostname", &target), -EINVAL);

        ASSERT_OK(guest_lstat(g, "/abs", &st));
        ASSERT_EQ(st.type, GUEST_FILE_SYMLINK);
        ASSERT_OK(guest_stat(g, "/abs", &st));
        ASSERT_EQ(st.type, GUEST_FILE_REGULAR);
        ASSERT_UEQ(st.size, 5);
        ASSERT_EQ(guest_is_type(g, "/usr", GUEST_FILE_DIRECTORY), 1);
        ASSERT_EQ(guest_is_type(g, "/nope", GUEST_FILE_DIRECTORY), 0);
        ASSERT_EQ(guest_is_type(g, "/loop-a", GUEST_FILE_REGULAR), 0);
}

static void test_read_dir(void)
{
        _cleanup_(guest_freep) Guest *g = make_guest();
        GuestDirEntry *e = NULL;
        size_t n = 0;

        ASSERT_OK(guest_read_dir(g, "/boot", &e, &n));
        ASSERT_EQ(n, 1);
        ASSERT_STREQ(e[0].name, "efi");
        ASSERT_EQ(e[0].type, GUEST_FILE_DIRECTORY);
        guest_dir_entries_free(e, n);

        /* Listing the mount point shows the mounted filesystem. */
        ASSERT_OK(guest_read_dir(g, "/boot/efi", &e, &n));
        ASSERT_EQ(n, 1);
        ASSERT_STREQ(e[0].name, "EFI");
        guest_dir_entries_free(e, n);

        ASSERT_OK(guest_read_dir(g, "/dirlink", &e, &n));
        ASSERT_EQ(n, 1);
        ASSERT_STREQ(e[0].name, "os-release");
        guest_dir_entries_free(e, n);

        ASSERT_OK(guest_read_dir(g, "/", &e, &n));
        for (size_t i = 1; i < n; i++)
                ASSERT_TRUE(strcmp(e[i - 1].name, e[i].name) < 0);
        guest_dir_entries_free(e, n);
        ASSERT_ERR(guest_read_dir(g, "/etc/hostname", &e, &n), -ENOTDIR);
}

static void test_mount_rules(void)
{
        _cleanup_(guest_freep) Guest *g = NULL;
        GuestFs *fs = NULL;

        ASSERT_OK(guest_new(&g));
        ASSERT_OK(guest_dir_open(efi, &fs));
        ASSERT_ERR(guest_mount(g, "/boot/efi", fs), -EINVAL); /* "/" first */
        ASSERT_ERR(guest_dir_open("/nonexistent-dir", &fs), -ENOENT);
}

int main(void)
{
        setup();
        RUN(test_resolve);
        RUN(test_read);
        RUN(test_read_dir);
        RUN(test_mount_rules);
        {
                char cmd[512];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
                (void) !system(cmd);
        }
        TESTS_DONE();
}
