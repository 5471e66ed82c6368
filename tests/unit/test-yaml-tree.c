/* SPDX-License-Identifier: MIT */
/* Unit tests for src/inspect/yaml-tree.c: the bounded YAML loader, with hostile input. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inspect/yaml-tree.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "guest-tree.h"
#include "yaml-load.h"
#include "tests.h"

/* Loads and expects -EBADMSG; returns the error text (caller frees). */
static char *load_bad(const char *yaml, size_t size)
{
        json_object *tree = NULL;
        char *error = NULL;
        size_t budget = YAML_TREE_NODES_MAX;

        ASSERT_ERR(yaml_tree_load(yaml, size, &budget, &tree, &error), -EBADMSG);
        ASSERT_NULL(tree);
        ASSERT_NOT_NULL(error);
        return error;
}

static void test_empty(void)
{
        static const char *const empties[] = { "", "# nothing here\n", "---\n", "--- ~\n", "\n\n" };

        for (size_t i = 0; i < ELEMENTSOF(empties); i++) {
                json_object *tree = NULL;
                size_t budget = 10;
                ASSERT_EQ(yaml_tree_load(empties[i], strlen(empties[i]), &budget, &tree, NULL), 0);
                ASSERT_NULL(tree);
        }
}

static void test_alias_bomb(void)
{
        /* "Billion laughs": 9^9 strings if aliases were expanded without a bound. */
        static const char bomb[] =
                "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
                "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
                "network: {ethernets: {eth0: {x: *i}}}\n";
        _cleanup_free_ char *error = NULL;
        clock_t start = clock();
        json_object *tree = NULL;
        size_t budget = YAML_TREE_NODES_MAX;

        ASSERT_ERR(yaml_tree_load(bomb, strlen(bomb), &budget, &tree, &error), -EBADMSG);
        ASSERT_NULL(tree);
        ASSERT_TRUE(strstr(error, "nodes") != NULL);
        ASSERT_TRUE(budget < YAML_TREE_NODES_MAX); /* what was built before the cap counts */
        ASSERT_TRUE((double) (clock() - start) / CLOCKS_PER_SEC < 5.0);

        /* A smaller budget (what is left of the collector's) stops it earlier. */
        error = mfree(error);
        budget = 50;
        ASSERT_ERR(yaml_tree_load(bomb, strlen(bomb), &budget, &tree, &error), -EBADMSG);
        ASSERT_TRUE(strstr(error, "50 YAML nodes") != NULL);
}

static void test_aliases_hostile(void)
{
        char *e;

        /* An alias of a container that is still open. */
        e = load_bad("a: &a [1, *a]\n", 14);
        ASSERT_TRUE(strstr(e, "no complete anchor") != NULL);
        free(e);
        /* An alias of an anchor that does not exist. */
        e = load_bad("a: *nope\n", 9);
        free(e);
        /* A mapping used as a key. */
        e = load_bad("? {a: 1}\n: b\n", 13);
        ASSERT_TRUE(strstr(e, "not a scalar") != NULL);
        free(e);
        /* More anchors than the loader keeps track of. */
        {
                char buf[16384], *p = buf;
                for (unsigned i = 0; i <= YAML_TREE_ANCHORS_MAX; i++)
                        p += sprintf(p, "k%u: &a%u v\n", i, i);
                e = load_bad(buf, (size_t) (p - buf));
                ASSERT_TRUE(strstr(e, "anchors") != NULL);
                free(e);
        }
        /* Aliases nesting a 30-deep anchor below 30 levels. */
        {
                char buf[1024], *p = buf;
                p += sprintf(p, "x: &deep ");
                for (int i = 0; i < 30; i++)
                        *p++ = '[';
                for (int i = 0; i < 30; i++)
                        *p++ = ']';
                p += sprintf(p, "\ny: ");
                for (int i = 0; i < 29; i++)
                        *p++ = '[';
                p += sprintf(p, "*deep");
                for (int i = 0; i < 29; i++)
                        *p++ = ']';
                *p++ = '\n';
                e = load_bad(buf, (size_t) (p - buf));
                ASSERT_TRUE(strstr(e, "deeper") != NULL);
                free(e);
        }
}

static void test_deep_nesting(void)
{
        char buf[8192], *p = buf;
        char *e;

        /* 200 levels of flow sequences. */
        for (int i = 0; i < 200; i++)
                *p++ = '[';
        for (int i = 0; i < 200; i++)
                *p++ = ']';
        e = load_bad(buf, (size_t) (p - buf));
        ASSERT_TRUE(strstr(e, "nesting deeper than 32") != NULL);
        free(e);

        /* 200 levels of block mappings. */
        p = buf;
        for (int i = 0; i < 200; i++) {
                for (int j = 0; j < i; j++)
                        *p++ = ' ';
                p += sprintf(p, "k%d:\n", i);
                ASSERT_TRUE(p < buf + sizeof(buf) - 512);
                if (p > buf + sizeof(buf) - 1024)
                        break;
        }
        e = load_bad(buf, (size_t) (p - buf));
        ASSERT_TRUE(strstr(e, "nesting") != NULL);
        free(e);

        /* 32 levels are fine. */
        p = buf;
        for (int i = 0; i < 31; i++)
                *p++ = '[';
        for (int i = 0; i < 31; i++)
                *p++ = ']';
        {
                json_object *tree = NULL;
                size_t budget = 1000;
                ASSERT_EQ(yaml_tree_load(buf, (size_t) (p - buf), &budget, &tree, NULL), 1);
                json_object_put(tree);
        }
}

static void test_invalid_input(void)
{
        static const char bad_utf8[] = "network:\n  ethernets:\n    eth0: {set-name: \"e\xff\xfe\"}\n";
        static const char binary[] = "\x7f"
                                     "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
        static const char syntax[] = "network:\n  ethernets: [\n    eth0\n";
        static const char tabs[] = "network:\n\tethernets: {}\n";
        char *e;

        e = load_bad(bad_utf8, sizeof(bad_utf8) - 1);
        ASSERT_TRUE(strstr(e, "byte") != NULL);
        free(e);
        free(load_bad(binary, sizeof(binary) - 1));
        e = load_bad(syntax, sizeof(syntax) - 1);
        ASSERT_TRUE(strstr(e, "line ") != NULL);
        free(e);
        free(load_bad(tabs, sizeof(tabs) - 1));

        /* A NUL written as an escape, and an over-long key. */
        {
                _cleanup_json_ json_object *tree =
                        yaml_load_ok("network: {ethernets: {eth0: {set-name: \"a\\0b\"}}}\n");
                const char *s = jstr(tree, "network.ethernets.eth0.set-name");
                ASSERT_NOT_NULL(s);
                ASSERT_STREQ(s, "a\xef\xbf\xbd"
                                "b");
        }
        {
                /* An explicit key: libyaml itself limits implicit ones to 1024 characters. */
                char buf[4096];
                memcpy(buf, "? ", 2);
                memset(buf + 2, 'k', 2000);
                strcpy(buf + 2002, "\n: 1\n");
                e = load_bad(buf, strlen(buf));
                ASSERT_TRUE(strstr(e, "longer than") != NULL);
                free(e);
        }
}

static void test_first_document_only(void)
{
        _cleanup_json_ json_object *tree =
                yaml_load_ok("network: {version: 2}\n---\nnetwork: {version: 3}\n...\n--- [unclosed\n");

        ASSERT_STREQ(jstr(tree, "network.version"), "2");
}

static void test_scalars_untyped(void)
{
        /* YAML 1.1 would read 1:20 as 80 and 0o17 or 012 as octal: netplan does not, nor do we. */
        _cleanup_json_ json_object *tree = yaml_load_ok("a: 1:20\nb: 012\nc: yes\nd: ~\n");

        ASSERT_STREQ(jstr(tree, "a"), "1:20");
        ASSERT_STREQ(jstr(tree, "b"), "012");
        ASSERT_STREQ(jstr(tree, "c"), "yes");
        ASSERT_STREQ(jstr(tree, "d"), "~");
}

int main(void)
{
        RUN(test_empty);
        RUN(test_alias_bomb);
        RUN(test_aliases_hostile);
        RUN(test_deep_nesting);
        RUN(test_invalid_input);
        RUN(test_first_document_only);
        RUN(test_scalars_untyped);
        TESTS_DONE();
}
