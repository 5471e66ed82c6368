/* SPDX-License-Identifier: MIT */
/* Unit tests for src/shared: strv, string-util, path-util, utf8, env-file, fileio, json-util,
 * finding. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/env-file.h"
#include "shared/fd-util.h"
#include "shared/fileio.h"
#include "shared/finding.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "shared/utf8.h"
#include "tests.h"

static void test_strv(void)
{
        _cleanup_strv_free_ char **l = NULL, **s = NULL;
        _cleanup_free_ char *j = NULL;

        ASSERT_EQ(strv_length(l), 0);
        ASSERT_OK(strv_extend(&l, "b"));
        ASSERT_OK(strv_extend(&l, "a"));
        ASSERT_OK(strv_consume(&l, strdup("c")));
        ASSERT_EQ(strv_length(l), 3);
        strv_sort(l);
        j = strv_join(l, ",");
        ASSERT_STREQ(j, "a,b,c");
        ASSERT_TRUE(strv_contains(l, "b"));
        ASSERT_FALSE(strv_contains(l, "d"));
        ASSERT_FALSE(strv_contains(l, NULL)); /* e.g. a Pending pod's missing nodeName */

        ASSERT_OK(strv_split("  x  y\tz ", " \t", &s));
        ASSERT_EQ(strv_length(s), 3);
        ASSERT_STREQ(s[2], "z");
        s = strv_free(s);
        ASSERT_OK(strv_split("", " ", &s));
        ASSERT_NOT_NULL(s);
        ASSERT_EQ(strv_length(s), 0);
}

static void test_string_util(void)
{
        char buf[] = "  \t hello world \n";
        char q1[] = "\"quoted\"", q2[] = "'x'", q3[] = "\"unbalanced'";
        static const char *const table[] = { "zero", "one", NULL, "three" };

        ASSERT_STREQ(startswith("prefix-rest", "prefix-"), "rest");
        ASSERT_NULL(startswith("pre", "prefix"));
        ASSERT_STREQ(endswith("file.conf", ".conf"), ".conf");
        ASSERT_NULL(endswith("conf", ".conf"));
        ASSERT_STREQ(strstrip(buf), "hello world");
        ASSERT_STREQ(strunquote(q1), "quoted");
        ASSERT_STREQ(strunquote(q2), "x");
        ASSERT_STREQ(strunquote(q3), "\"unbalanced'");
        ASSERT_TRUE(str_in_charset("abc-1.2", "-."));
        ASSERT_FALSE(str_in_charset("a b", "-"));
        ASSERT_EQ(string_table_lookup(table, 4, "three"), 3);
        ASSERT_ERR(string_table_lookup(table, 4, "two"), -EINVAL);
        ASSERT_ERR(string_table_lookup(table, 4, NULL), -EINVAL);
        ASSERT_TRUE(streq_ptr(NULL, NULL));
        ASSERT_FALSE(streq_ptr("a", NULL));
}

static void test_strreplace(void)
{
        _cleanup_free_ char *a = strreplace("'x run' and 'x go'", "'x ", "'x y "),
                            *b = strreplace("none", "zz", "q"), *c = strreplace("aaa", "a", "");

        ASSERT_STREQ(a, "'x y run' and 'x y go'");
        ASSERT_STREQ(b, "none");
        ASSERT_STREQ(c, "");
}

static void test_path_util(void)
{
        _cleanup_free_ char *a = path_join("/etc/", "/default/grub"), *b = path_join("/", "x");

        ASSERT_STREQ(a, "/etc/default/grub");
        ASSERT_STREQ(b, "/x");
        ASSERT_STREQ(path_startswith("/boot/efi/EFI", "/boot/efi"), "EFI");
        ASSERT_STREQ(path_startswith("/boot/efi", "/boot/efi"), "");
        ASSERT_NULL(path_startswith("/boot/efix", "/boot/efi"));
        ASSERT_STREQ(path_startswith("/etc", "/"), "etc");
        ASSERT_STREQ(path_basename("/a/b/c.conf"), "c.conf");

        /* find_in_path: an executable in a $PATH directory; a missing one; $PATH restored */
        {
                _cleanup_free_ char *saved = strdup(getenv("PATH") ?: "/usr/bin:/bin");
                ASSERT_NOT_NULL(saved);
                ASSERT_EQ(setenv("PATH", "/nonexistent:/bin:/usr/bin", 1), 0);
                ASSERT_TRUE(find_in_path("sh"));
                ASSERT_FALSE(find_in_path("azlmigrate-no-such-program"));
                ASSERT_EQ(setenv("PATH", "/nonexistent", 1), 0);
                ASSERT_FALSE(find_in_path("sh"));
                ASSERT_EQ(setenv("PATH", saved, 1), 0);
        }
}

static void test_utf8(void)
{
        _cleanup_free_ char *s1 = NULL, *s2 = NULL, *s3 = NULL;

        ASSERT_TRUE(utf8_is_valid_n("héllo ✓ 😀", strlen("héllo ✓ 😀")));
        ASSERT_FALSE(utf8_is_valid_n("\xff", 1));
        ASSERT_FALSE(utf8_is_valid_n("\xc0\xaf", 2));         /* overlong '/' */
        ASSERT_FALSE(utf8_is_valid_n("\xed\xa0\x80", 3));     /* surrogate */
        ASSERT_FALSE(utf8_is_valid_n("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
        ASSERT_FALSE(utf8_is_valid_n("a\0b", 3));
        s1 = utf8_sanitize_n("a\xffz", 3);
        ASSERT_STREQ(s1, "a\xef\xbf\xbdz");
        s2 = utf8_sanitize_n("\xe2\x9c", 2); /* truncated sequence */
        ASSERT_STREQ(s2, "\xef\xbf\xbd\xef\xbf\xbd");
        s3 = utf8_sanitize_n("ok", 2);
        ASSERT_STREQ(s3, "ok");
}

static void test_env_file(void)
{
        /* Real os-release and grub fragments, with the shell constructs they use. */
        static const char osr[] = "PRETTY_NAME=\"Ubuntu 22.04.5 LTS\"\n"
                                  "NAME=\"Ubuntu\"\n"
                                  "VERSION_ID=\"22.04\"\n"
                                  "VERSION=\"22.04.5 LTS (Jammy Jellyfish)\"\n"
                                  "VERSION_CODENAME=jammy\n"
                                  "ID=ubuntu\n"
                                  "ID_LIKE=debian\n"
                                  "HOME_URL=\"https://www.ubuntu.com/\"\n";
        static const char grub[] = "# If you change this file, run 'update-grub'\n"
                                   "GRUB_DEFAULT=0\n"
                                   "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n"
                                   "GRUB_CMDLINE_LINUX=\"\"\n"
                                   "if [ -f /etc/foo ]; then\n"
                                   "  echo hi\n"
                                   "fi\n";
        static const char cfg[] =
                "GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 console=ttyS0\"\n"
                "export GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX apparmor=1 ${X}security=apparmor\"\n"
                "GRUB_TIMEOUT=0 # inline comment\n"
                "Q='it'\"'\"'s'\n"
                "ML=\"line1\nline2\"\n"
                "ESC=\"a\\\"b\\$c\"\n"
                "UNTERMINATED=\"oops\n";
        _cleanup_strv_free_ char **env = NULL;
        size_t unparsed = 0;

        ASSERT_OK(env_file_parse(osr, sizeof(osr) - 1, &env, &unparsed));
        ASSERT_EQ(unparsed, 0);
        ASSERT_STREQ(env_get(env, "ID"), "ubuntu");
        ASSERT_STREQ(env_get(env, "VERSION_ID"), "22.04");
        ASSERT_STREQ(env_get(env, "PRETTY_NAME"), "Ubuntu 22.04.5 LTS");
        ASSERT_NULL(env_get(env, "VARIANT_ID"));
        env = strv_free(env);

        ASSERT_OK(env_file_parse(grub, sizeof(grub) - 1, &env, &unparsed));
        ASSERT_EQ(unparsed, 3); /* if, echo, fi */
        ASSERT_OK(env_file_parse(cfg, sizeof(cfg) - 1, &env, &unparsed));
        ASSERT_STREQ(env_get(env, "GRUB_CMDLINE_LINUX_DEFAULT"), "console=tty1 console=ttyS0");
        ASSERT_STREQ(env_get(env, "GRUB_CMDLINE_LINUX"), " apparmor=1 security=apparmor");
        ASSERT_STREQ(env_get(env, "GRUB_TIMEOUT"), "0");
        ASSERT_STREQ(env_get(env, "Q"), "it's");
        ASSERT_STREQ(env_get(env, "ML"), "line1\nline2");
        ASSERT_STREQ(env_get(env, "ESC"), "a\"b$c");
        ASSERT_NULL(env_get(env, "UNTERMINATED"));
        ASSERT_EQ(unparsed, 1);
}

static void test_env_file_hostile(void)
{
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *big = NULL;
        size_t n = 8 * 1024 * 1024, unparsed = 0;

        /* One 8 MiB value, then binary garbage: parsed in full, nothing crashes. */
        big = malloc(n + 64);
        ASSERT_NOT_NULL(big);
        memcpy(big, "K=\"", 3);
        memset(big + 3, 'x', n);
        memcpy(big + 3 + n, "\"\n\x01\x02=\xff\n$", 9);
        ASSERT_OK(env_file_parse(big, n + 12, &env, &unparsed));
        ASSERT_EQ(strlen(env_get(env, "K")), n);
        ASSERT_EQ(unparsed, 2);
}

static void test_line_iter(void)
{
        static const char buf[] = "a\r\n\nlast";
        LineIter it = line_iter_init(buf, sizeof(buf) - 1);
        const char *l;
        size_t n;

        ASSERT_TRUE(line_iter_next(&it, &l, &n));
        ASSERT_EQ(n, 1);
        ASSERT_TRUE(line_iter_next(&it, &l, &n));
        ASSERT_EQ(n, 0);
        ASSERT_TRUE(line_iter_next(&it, &l, &n));
        ASSERT_EQ(n, 4);
        ASSERT_TRUE(strncmp(l, "last", 4) == 0);
        ASSERT_FALSE(line_iter_next(&it, &l, &n));
}

static void test_read_capped_and_atomic(void)
{
        char dir[] = "/tmp/azlm-test-XXXXXX", path[64];
        _cleanup_free_ char *buf = NULL;
        size_t size;

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/f", dir);
        ASSERT_OK(write_file_atomic(path, "0123456789", 10, 0600));
        ASSERT_OK(read_full_file_capped(path, 10, &buf, &size));
        ASSERT_EQ(size, 10);
        ASSERT_STREQ(buf, "0123456789");
        buf = mfree(buf);
        ASSERT_ERR(read_full_file_capped(path, 9, &buf, &size), -EFBIG);
        ASSERT_NULL(buf);
        ASSERT_ERR(read_full_file_capped("/nonexistent/x", 9, &buf, &size), -ENOENT);
        /* A device is written to, not replaced by a regular file. */
        {
                struct stat st;
                ASSERT_OK(write_file_atomic("/dev/null", "x", 1, 0644));
                ASSERT_EQ(stat("/dev/null", &st), 0);
                ASSERT_TRUE(S_ISCHR(st.st_mode));
        }
        unlink(path);
        rmdir(dir);
}

static void test_json_util(void)
{
        _cleanup_json_ json_object *o = json_object_new_object(), *parsed = NULL;
        json_object *a;
        char dir[] = "/tmp/azlm-test-XXXXXX", path[64];

        ASSERT_OK(json_add_str(o, "s", "v\xff"));
        ASSERT_STREQ(json_get_str(o, "s"), "v\xef\xbf\xbd");
        ASSERT_OK(json_add_str(o, "n", NULL));
        ASSERT_TRUE(json_get(o, "n") == NULL);
        ASSERT_OK(json_add_int(o, "i", 42));
        ASSERT_EQ(json_get_int(o, "i", 0), 42);
        ASSERT_EQ(json_get_int(o, "s", -1), -1); /* wrong type gives the default */
        ASSERT_OK(json_add_bool(o, "b", true));
        ASSERT_TRUE(json_get_bool(o, "b", false));
        a = json_get_or_add_array(o, "a");
        ASSERT_NOT_NULL(a);
        ASSERT_TRUE(json_get_or_add_array(o, "a") == a);
        ASSERT_NULL(json_get_or_add_object(o, "a")); /* type clash */
        ASSERT_OK(json_append_str(a, "x"));
        ASSERT_EQ(json_object_array_length(a), 1);
        ASSERT_UEQ(json_array_len(a), 1);
        ASSERT_UEQ(json_array_len(o), 0); /* not an array */
        ASSERT_UEQ(json_array_len(NULL), 0);
        {
                _cleanup_json_ json_object *copy = json_deep_copy(o);

                ASSERT_NOT_NULL(copy);
                ASSERT_TRUE(copy != o);
                ASSERT_TRUE(json_get(copy, "a") != a);
                ASSERT_TRUE(json_object_equal(copy, o));
                ASSERT_NULL(json_deep_copy(NULL));
        }

        ASSERT_NOT_NULL(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/o.json", dir);
        ASSERT_OK(json_dump_file(o, path));
        ASSERT_OK(json_parse_file(path, 1 << 20, &parsed));
        ASSERT_EQ(json_get_int(parsed, "i", 0), 42);
        json_object_put(parsed);
        parsed = NULL;
        {
                _cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
                ASSERT_TRUE(fd >= 0);
                ASSERT_EQ(write(fd, "{\"a\": 1} trailing", 17), 17);
        }
        ASSERT_ERR(json_parse_file(path, 1 << 20, &parsed), -EBADMSG);
        unlink(path);
        rmdir(dir);
}

static void test_finding_list(void)
{
        FindingList a = {}, b = {};

        ASSERT_OK(finding_list_add(&a, "k.one", "detail %d", 1));
        ASSERT_OK(finding_list_add(&b, "k.two", "x"));
        ASSERT_OK(finding_list_move(&a, &b));
        ASSERT_EQ(a.n, 2);
        ASSERT_EQ(b.n, 0);
        ASSERT_STREQ(a.items[0].detail, "detail 1");
        ASSERT_STREQ(a.items[1].key, "k.two");
        finding_list_done(&a);
        finding_list_done(&b);
        ASSERT_EQ(a.n, 0);
}

int main(void)
{
        RUN(test_strv);
        RUN(test_string_util);
        RUN(test_path_util);
        RUN(test_strreplace);
        RUN(test_utf8);
        RUN(test_env_file);
        RUN(test_env_file_hostile);
        RUN(test_line_iter);
        RUN(test_read_capped_and_atomic);
        RUN(test_json_util);
        RUN(test_finding_list);
        TESTS_DONE();
}
