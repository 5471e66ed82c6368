/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ext-cache.h"

#define CACHE_BYTES (64u << 20) /* at most this much cached block data */
#define RUN_BYTES   (1u << 20)  /* one write at most */
#define EMPTY       UINT64_MAX

typedef struct Entry {
        uint64_t block; /* EMPTY: a free slot */
        uint32_t data;  /* index of its data in the pool */
        bool dirty;
} Entry;

typedef struct Cache {
        io_channel inner;
        int blksize;
        size_t cap;     /* blocks */
        size_t cap_set; /* the cache_blocks option, or 0 */
        size_t used;    /* blocks in the cache */
        size_t n_slots; /* hash table size: a power of 2, at least 2 * cap */
        Entry *slots;
        char *pool;      /* cap blocks */
        char *run;       /* RUN_BYTES: a sorted run being written */
        uint64_t *dirty; /* scratch for sorting */
} Cache;

static Cache *cc(io_channel ch)
{
        return ch->private_data;
}

static size_t slot_of(const Cache *c, uint64_t block)
{
        uint64_t h = block * 0x9E3779B97F4A7C15ull;
        size_t i = (size_t) (h >> 20) & (c->n_slots - 1);

        while (c->slots[i].block != EMPTY && c->slots[i].block != block)
                i = (i + 1) & (c->n_slots - 1);
        return i;
}

static Entry *lookup(Cache *c, uint64_t block)
{
        Entry *e = &c->slots[slot_of(c, block)];
        return e->block == block ? e : NULL;
}

static void clear(Cache *c)
{
        for (size_t i = 0; i < c->n_slots; i++)
                c->slots[i].block = EMPTY;
        c->used = 0;
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

/* Writes every dirty block, sorted, adjacent ones together; they stay cached, clean. */
static errcode_t write_dirty(Cache *c)
{
        size_t n = 0, per_run = RUN_BYTES / (size_t) c->blksize;
        errcode_t e;

        for (size_t i = 0; i < c->n_slots; i++)
                if (c->slots[i].block != EMPTY && c->slots[i].dirty)
                        c->dirty[n++] = c->slots[i].block;
        if (n == 0)
                return 0;
        qsort(c->dirty, n, sizeof(uint64_t), cmp_u64);
        for (size_t i = 0; i < n;) {
                size_t k = 0;
                uint64_t start = c->dirty[i];
                while (i < n && k < per_run && c->dirty[i] == start + k) {
                        Entry *en = lookup(c, c->dirty[i]);
                        memcpy(c->run + k * (size_t) c->blksize,
                               c->pool + (size_t) en->data * (size_t) c->blksize, (size_t) c->blksize);
                        en->dirty = false;
                        k++;
                        i++;
                }
                e = io_channel_write_blk64(c->inner, start, (int) k, c->run);
                if (e)
                        return e;
        }
        return 0;
}

/* Makes room for one more block: when full, writes the dirty ones and forgets everything. */
static errcode_t room(Cache *c)
{
        errcode_t e;

        if (c->used < c->cap)
                return 0;
        e = write_dirty(c);
        if (e)
                return e;
        clear(c);
        return 0;
}

/* Puts block's content into the cache (dirty or clean). */
static errcode_t put(Cache *c, uint64_t block, const void *data, bool dirty)
{
        Entry *en = lookup(c, block);
        errcode_t e;

        if (!en) {
                e = room(c);
                if (e)
                        return e;
                en = &c->slots[slot_of(c, block)];
                en->block = block;
                en->data = (uint32_t) c->used++;
                en->dirty = false;
        }
        memcpy(c->pool + (size_t) en->data * (size_t) c->blksize, data, (size_t) c->blksize);
        en->dirty = en->dirty || dirty;
        return 0;
}

/* Before I/O that bypasses the cache over [block, block + n): the dirty blocks written, and the
 * cached copies of the range forgotten (simply: all of them, as this is rare). */
static errcode_t bypass(Cache *c, uint64_t block, uint64_t n, bool writes)
{
        errcode_t e;
        bool any = false;

        for (uint64_t b = block; b < block + n && !any; b++)
                any = lookup(c, b) != NULL;
        if (!any)
                return 0;
        e = write_dirty(c);
        if (e)
                return e;
        if (writes)
                clear(c);
        return 0;
}

static void cache_free(Cache *c)
{
        if (!c)
                return;
        free(c->slots);
        free(c->pool);
        free(c->run);
        free(c->dirty);
        free(c);
}

static errcode_t setup(Cache *c, int blksize)
{
        if (blksize <= 0 || (unsigned) blksize > RUN_BYTES)
                return EXT2_ET_INVALID_ARGUMENT;
        free(c->slots);
        free(c->pool);
        free(c->dirty);
        c->blksize = blksize;
        c->cap = c->cap_set ? c->cap_set : CACHE_BYTES / (unsigned) blksize;
        for (c->n_slots = 1; c->n_slots < 2 * c->cap; c->n_slots <<= 1)
                ;
        c->slots = malloc(c->n_slots * sizeof(Entry));
        c->pool = malloc(c->cap * (size_t) blksize);
        c->dirty = malloc(c->cap * sizeof(uint64_t));
        if (!c->run)
                c->run = malloc(RUN_BYTES);
        if (!c->slots || !c->pool || !c->dirty || !c->run)
                return EXT2_ET_NO_MEMORY;
        clear(c);
        return 0;
}

static errcode_t ec_close(io_channel ch)
{
        Cache *c = cc(ch);
        errcode_t e = 0, e2;

        if (--ch->refcount > 0)
                return 0;
        if (c && c->inner) {
                e = write_dirty(c);
                e2 = io_channel_close(c->inner);
                if (!e)
                        e = e2;
        }
        cache_free(c);
        free(ch->name);
        free(ch);
        return e;
}

static errcode_t ec_open(const char *name, int flags, io_channel *ret)
{
        io_channel ch = calloc(1, sizeof(*ch));
        Cache *c = calloc(1, sizeof(*c));
        errcode_t e;

        if (!ch || !c || !(ch->name = strdup(name))) {
                if (ch)
                        free(ch->name);
                free(ch);
                free(c);
                return EXT2_ET_NO_MEMORY;
        }
        ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
        ch->manager = ext_cache_io_manager;
        ch->private_data = c;
        ch->refcount = 1;
        e = unix_io_manager->open(name, flags, &c->inner);
        if (e) {
                c->inner = NULL;
                (void) ec_close(ch);
                return e;
        }
        ch->block_size = c->inner->block_size;
        ch->flags = c->inner->flags;
        ch->align = c->inner->align;
        e = setup(c, ch->block_size);
        if (e) {
                (void) ec_close(ch);
                return e;
        }
        *ret = ch;
        return 0;
}

static errcode_t ec_set_blksize(io_channel ch, int blksize)
{
        Cache *c = cc(ch);
        errcode_t e = write_dirty(c);

        if (!e)
                e = io_channel_set_blksize(c->inner, blksize);
        if (!e)
                e = setup(c, blksize);
        if (!e)
                ch->block_size = blksize;
        return e;
}

static errcode_t ec_read_blk64(io_channel ch, unsigned long long block, int count, void *data)
{
        Cache *c = cc(ch);
        errcode_t e;

        if (count == 1) {
                Entry *en = lookup(c, block);
                if (en) {
                        memcpy(data, c->pool + (size_t) en->data * (size_t) c->blksize, (size_t) c->blksize);
                        return 0;
                }
                e = io_channel_read_blk64(c->inner, block, 1, data);
                return e ? e : put(c, block, data, false);
        }
        {
                uint64_t bytes = count < 0 ? (uint64_t) -count : (uint64_t) count * (uint64_t) c->blksize;
                e = bypass(c, block, (bytes + (uint64_t) c->blksize - 1) / (uint64_t) c->blksize, false);
        }
        return e ? e : io_channel_read_blk64(c->inner, block, count, data);
}

static errcode_t ec_read_blk(io_channel ch, unsigned long block, int count, void *data)
{
        return ec_read_blk64(ch, block, count, data);
}

static errcode_t ec_write_blk64(io_channel ch, unsigned long long block, int count, const void *data)
{
        Cache *c = cc(ch);
        errcode_t e;

        if (count == 1)
                return put(c, block, data, true);
        {
                uint64_t bytes = count < 0 ? (uint64_t) -count : (uint64_t) count * (uint64_t) c->blksize;
                e = bypass(c, block, (bytes + (uint64_t) c->blksize - 1) / (uint64_t) c->blksize, true);
        }
        return e ? e : io_channel_write_blk64(c->inner, block, count, data);
}

static errcode_t ec_write_blk(io_channel ch, unsigned long block, int count, const void *data)
{
        return ec_write_blk64(ch, block, count, data);
}

static errcode_t ec_flush(io_channel ch)
{
        errcode_t e = write_dirty(cc(ch));

        return e ? e : io_channel_flush(cc(ch)->inner);
}

/* Byte-granular writes (superblock): everything out first, and nothing cached afterwards. */
static errcode_t ec_write_byte(io_channel ch, unsigned long offset, int count, const void *data)
{
        Cache *c = cc(ch);
        errcode_t e = write_dirty(c);

        if (e)
                return e;
        clear(c);
        return io_channel_write_byte(c->inner, offset, count, data);
}

static errcode_t ec_set_option(io_channel ch, const char *option, const char *arg)
{
        Cache *c = cc(ch);
        errcode_t e = write_dirty(c);

        if (e)
                return e;
        clear(c);
        if (option && strcmp(option, "cache_blocks") == 0) {
                char *end;
                unsigned long n = arg ? strtoul(arg, &end, 10) : 0;
                if (!arg || *end || n == 0 || n > CACHE_BYTES / 512)
                        return EXT2_ET_INVALID_ARGUMENT;
                c->cap_set = n;
                return setup(c, c->blksize);
        }
        if (!c->inner->manager->set_option)
                return EXT2_ET_INVALID_ARGUMENT;
        return c->inner->manager->set_option(c->inner, option, arg);
}

static errcode_t ec_get_stats(io_channel ch, io_stats *stats)
{
        io_channel in = cc(ch)->inner;

        if (!in->manager->get_stats)
                return EXT2_ET_OP_NOT_SUPPORTED;
        return in->manager->get_stats(in, stats);
}

static errcode_t ec_discard(io_channel ch, unsigned long long block, unsigned long long count)
{
        errcode_t e = bypass(cc(ch), block, count, true);

        return e ? e : io_channel_discard(cc(ch)->inner, block, count);
}

static errcode_t ec_zeroout(io_channel ch, unsigned long long block, unsigned long long count)
{
        errcode_t e = bypass(cc(ch), block, count, true);

        return e ? e : io_channel_zeroout(cc(ch)->inner, block, count);
}

static struct struct_io_manager cache_manager = {
        .magic = EXT2_ET_MAGIC_IO_MANAGER,
        .name = "azlmigrate write-back cache I/O manager",
        .open = ec_open,
        .close = ec_close,
        .set_blksize = ec_set_blksize,
        .read_blk = ec_read_blk,
        .write_blk = ec_write_blk,
        .flush = ec_flush,
        .write_byte = ec_write_byte,
        .set_option = ec_set_option,
        .get_stats = ec_get_stats,
        .read_blk64 = ec_read_blk64,
        .write_blk64 = ec_write_blk64,
        .discard = ec_discard,
        .zeroout = ec_zeroout,
};

io_manager ext_cache_io_manager = &cache_manager;
