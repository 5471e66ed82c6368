/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#define _cleanup_(f)   __attribute__((__cleanup__(f)))
#define _unused_       __attribute__((__unused__))
#define _printf_(a, b) __attribute__((__format__(printf, a, b)))
#define _sentinel_     __attribute__((__sentinel__))
#define _pure_         __attribute__((__pure__))
#define _noreturn_     __attribute__((__noreturn__))
#define _fallthrough_  __attribute__((__fallthrough__))
#define _likely_(x)    (__builtin_expect(!!(x), 1))
#define _unlikely_(x)  (__builtin_expect(!!(x), 0))

#define ELEMENTSOF(x)  (sizeof(x) / sizeof((x)[0]))
#define MIN(a, b)      ((a) < (b) ? (a) : (b))
#define MAX(a, b)      ((a) > (b) ? (a) : (b))

/* Takes the value out of a variable and leaves NULL behind: hands ownership to the caller. */
#define TAKE_PTR(p)                         \
        ({                                  \
                __typeof__(p) *_pp_ = &(p); \
                __typeof__(p) _p_ = *_pp_;  \
                *_pp_ = NULL;               \
                _p_;                        \
        })

#define TAKE_FD(fd)                 \
        ({                          \
                int *_fdp_ = &(fd); \
                int _fd_ = *_fdp_;  \
                *_fdp_ = -EBADF;    \
                _fd_;               \
        })

/* One line per foreign handle: DEFINE_TRIVIAL_CLEANUP_FUNC(blkid_probe, blkid_free_probe) gives
 * blkid_free_probep() for use with _cleanup_(). The function is called only for non-NULL values. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
        static inline void func##p(type *p)     \
        {                                       \
                if (*p)                         \
                        func(*p);               \
        }

static inline void freep(void *p)
{
        free(*(void **) p);
}

#define _cleanup_free_ _cleanup_(freep)

/* Frees p and returns NULL: "p = mfree(p);" */
static inline void *mfree(void *p)
{
        free(p);
        return NULL;
}

/* Overflow-checked arithmetic: return true on overflow. */
#define ADD_OVERFLOW(a, b, r) __builtin_add_overflow(a, b, r)
#define MUL_OVERFLOW(a, b, r) __builtin_mul_overflow(a, b, r)

/* Normalise a "negative errno or positive errno" value into a negative errno. */
static inline int negative_errno(int e)
{
        return e > 0 ? -e : (e == 0 ? -EIO : e);
}
