/* SPDX-License-Identifier: MIT */
#pragma once

/* A minimal unit-test harness: each test binary defines test functions and a main() that runs
 * them with RUN(). A failed assertion prints where and why and exits 1; a test binary that
 * finishes prints how many tests ran. Tests that cannot run here call SKIP() (exit 77). */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...)                                                             \
        do {                                                                  \
                fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, __func__); \
                fprintf(stderr, __VA_ARGS__);                                 \
                fputc('\n', stderr);                                          \
                exit(1);                                                      \
        } while (0)

#define ASSERT_TRUE(x)                                    \
        do {                                              \
                if (!(x))                                 \
                        FAIL("assertion failed: %s", #x); \
        } while (0)

#define ASSERT_FALSE(x) ASSERT_TRUE(!(x))

#define ASSERT_EQ(a, b)                                                        \
        do {                                                                   \
                intmax_t _a = (intmax_t) (a), _b = (intmax_t) (b);             \
                if (_a != _b)                                                  \
                        FAIL("%s == %jd, expected %s == %jd", #a, _a, #b, _b); \
        } while (0)

#define ASSERT_UEQ(a, b)                                                       \
        do {                                                                   \
                uintmax_t _a = (uintmax_t) (a), _b = (uintmax_t) (b);          \
                if (_a != _b)                                                  \
                        FAIL("%s == %ju, expected %s == %ju", #a, _a, #b, _b); \
        } while (0)

/* r must be >= 0 (success in the -errno convention). */
#define ASSERT_OK(r)                                                    \
        do {                                                            \
                intmax_t _r = (intmax_t) (r);                           \
                if (_r < 0)                                             \
                        FAIL("%s failed: %s", #r, strerror((int) -_r)); \
        } while (0)

/* r must be exactly the negative errno e. */
#define ASSERT_ERR(r, e)                                                                                 \
        do {                                                                                             \
                intmax_t _r = (intmax_t) (r);                                                            \
                if (_r != (intmax_t) (e))                                                                \
                        FAIL("%s == %jd (%s), expected %s", #r, _r, _r < 0 ? strerror((int) -_r) : "ok", \
                             #e);                                                                        \
        } while (0)

#define ASSERT_STREQ(a, b)                                                                                 \
        do {                                                                                               \
                const char *_a = (a), *_b = (b);                                                           \
                if (!_a || !_b || strcmp(_a, _b) != 0)                                                     \
                        FAIL("%s == \"%s\", expected \"%s\"", #a, _a ? _a : "(null)", _b ? _b : "(null)"); \
        } while (0)

#define ASSERT_NULL(p)                              \
        do {                                        \
                if ((p) != NULL)                    \
                        FAIL("%s is not NULL", #p); \
        } while (0)

#define ASSERT_NOT_NULL(p)                      \
        do {                                    \
                if ((p) == NULL)                \
                        FAIL("%s is NULL", #p); \
        } while (0)

#define SKIP(...)                             \
        do {                                  \
                fprintf(stderr, "skipped: "); \
                fprintf(stderr, __VA_ARGS__); \
                fputc('\n', stderr);          \
                exit(77);                     \
        } while (0)

static unsigned tests_run;

#define RUN(fn)              \
        do {                 \
                fn();        \
                tests_run++; \
        } while (0)

#define TESTS_DONE()                                    \
        do {                                            \
                printf("%u tests passed\n", tests_run); \
                return 0;                               \
        } while (0)

/* The source tree, for fixtures: tests get it from meson as the environment variable. */
static inline const char *tests_srcdir(void)
{
        const char *s = getenv("AZLMIGRATE_SRCDIR");
        return s ? s : ".";
}
