/* SPDX-License-Identifier: MIT */
#pragma once

/* Builds, in memory, minimal ELF files carrying a Go (>= 1.18) ".go.buildinfo" section, laid out as
 * the Go linker lays it out (see src/inspect/go-buildinfo.h), for the reader's and the collectors'
 * tests. tests/fixtures/tools/mk-go-elf.py writes the same kind of file for sample images. */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static const uint8_t info_start[16] = { 0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
                                        0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6 };
static const uint8_t info_end[16] = { 0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
                                      0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2 };

typedef struct Elf {
        uint8_t *data;
        size_t size;
        bool is64, be;
        size_t shoff, bi_off, bi_shdr; /* section header table; the section; its header */
        size_t ehdr_size, shentsize;
} Elf;

static inline void wr(Elf *e, size_t off, uint64_t v, unsigned bytes)
{
        for (unsigned i = 0; i < bytes; i++)
                e->data[off + (e->be ? bytes - 1 - i : i)] = (uint8_t) (v >> (8 * i));
}

static inline size_t put_uvarint(uint8_t *p, uint64_t v)
{
        size_t n = 0;

        while (v >= 0x80) {
                p[n++] = (uint8_t) (v | 0x80);
                v >>= 7;
        }
        p[n++] = (uint8_t) v;
        return n;
}

/* A minimal ELF with .go.buildinfo (flags as given) and .shstrtab, pad bytes after the section. */
static inline Elf make_elf(bool is64, bool be, const char *modinfo, uint8_t flags, size_t pad)
{
        static const char names[] = "\0.go.buildinfo\0.shstrtab\0";
        static const char go_version[] = "go1.24.13";
        Elf e = { .is64 = is64, .be = be, .ehdr_size = is64 ? 64 : 52, .shentsize = is64 ? 64 : 40 };
        size_t mlen = strlen(modinfo) + 32, sec_len, names_off, p;
        uint8_t *sec = calloc(1, 64 + mlen + 32);

        ASSERT_NOT_NULL(sec);
        memcpy(sec, "\xff Go buildinf:", 14);
        sec[14] = is64 ? 8 : 4;
        sec[15] = flags;
        p = 32 + put_uvarint(sec + 32, strlen(go_version));
        memcpy(sec + p, go_version, strlen(go_version));
        p += strlen(go_version);
        p += put_uvarint(sec + p, mlen);
        memcpy(sec + p, info_start, 16);
        memcpy(sec + p + 16, modinfo, strlen(modinfo));
        memcpy(sec + p + 16 + strlen(modinfo), info_end, 16);
        sec_len = p + mlen;

        e.bi_off = 0x100;
        names_off = e.bi_off + sec_len + pad;
        e.shoff = (names_off + sizeof(names) + 7) & ~(size_t) 7;
        e.size = e.shoff + 3 * e.shentsize;
        e.data = calloc(1, e.size);
        ASSERT_NOT_NULL(e.data);
        memcpy(e.data,
               "\x7f"
               "ELF",
               4);
        e.data[4] = is64 ? 2 : 1;
        e.data[5] = be ? 2 : 1;
        e.data[6] = 1;
        wr(&e, 16, 2, 2);  /* ET_EXEC */
        wr(&e, 18, 62, 2); /* EM_X86_64 */
        wr(&e, 20, 1, 4);
        if (is64) {
                wr(&e, 0x28, e.shoff, 8);
                wr(&e, 0x34, 64, 2);
                wr(&e, 0x3A, 64, 2);
                wr(&e, 0x3C, 3, 2);
                wr(&e, 0x3E, 2, 2);
        } else {
                wr(&e, 0x20, e.shoff, 4);
                wr(&e, 0x28, 52, 2);
                wr(&e, 0x2E, 40, 2);
                wr(&e, 0x30, 3, 2);
                wr(&e, 0x32, 2, 2);
        }
        memcpy(e.data + e.bi_off, sec, sec_len);
        memcpy(e.data + names_off, names, sizeof(names));
        free(sec);

        e.bi_shdr = e.shoff + e.shentsize;
        for (unsigned i = 1; i < 3; i++) {
                size_t h = e.shoff + i * e.shentsize;
                size_t off = i == 1 ? e.bi_off : names_off, len = i == 1 ? sec_len : sizeof(names);

                wr(&e, h, i == 1 ? 1 : 15, 4); /* sh_name */
                wr(&e, h + 4, i == 1 ? 1 : 3, 4);
                if (is64) {
                        wr(&e, h + 24, off, 8);
                        wr(&e, h + 32, len, 8);
                } else {
                        wr(&e, h + 16, off, 4);
                        wr(&e, h + 20, len, 4);
                }
        }
        return e;
}
