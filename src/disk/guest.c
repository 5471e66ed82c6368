/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include "shared/path-util.h"
#include "shared/string-util.h"
#include "guest.h"

static const char *const guest_file_type_table[_GUEST_FILE_TYPE_MAX] = {
        [GUEST_FILE_REGULAR] = "regular",
        [GUEST_FILE_DIRECTORY] = "directory",
        [GUEST_FILE_SYMLINK] = "symlink",
        [GUEST_FILE_OTHER] = "other",
};

DEFINE_STRING_TABLE_LOOKUP(guest_file_type, GuestFileType);

typedef struct Mount {
        char *point; /* canonical guest path */
        GuestFs *fs;
} Mount;

struct Guest {
        Mount *mounts; /* sorted by decreasing length of point: the first match is the deepest */
        size_t n_mounts;
        /* lstat() results of directories and symlinks met while resolving, by canonical guest
         * path. The sources are read-only, so entries never go stale. */
        struct lh_table *cache;
};

GuestFs *guest_fs_free(GuestFs *fs)
{
        if (fs)
                fs->ops->free(fs);
        return NULL;
}

void guest_dir_entries_free(GuestDirEntry *e, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(e[i].name);
        free(e);
}

void guest_xattrs_free(GuestXattr *x, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(x[i].name);
                free(x[i].value);
        }
        free(x);
}

typedef struct BorrowedFs {
        GuestFs fs;
        GuestFs *inner;
} BorrowedFs;

#define INNER(fs) (((BorrowedFs *) (fs))->inner)

static int borrowed_lstat(GuestFs *fs, const char *path, GuestStat *ret)
{
        return INNER(fs)->ops->lstat(INNER(fs), path, ret);
}

static int borrowed_readlink(GuestFs *fs, const char *path, char **ret)
{
        return INNER(fs)->ops->readlink(INNER(fs), path, ret);
}

static int borrowed_pread(GuestFs *fs, const char *path, uint64_t offset, size_t size, void *buf,
                          size_t *ret_n)
{
        return INNER(fs)->ops->pread(INNER(fs), path, offset, size, buf, ret_n);
}

static int borrowed_readdir(GuestFs *fs, const char *path, GuestDirEntry **ret, size_t *ret_n)
{
        return INNER(fs)->ops->readdir(INNER(fs), path, ret, ret_n);
}

static int borrowed_space(GuestFs *fs, GuestFsSpace *ret)
{
        return INNER(fs)->ops->space(INNER(fs), ret);
}

static int borrowed_listxattr(GuestFs *fs, const char *path, GuestXattr **ret, size_t *ret_n)
{
        if (!INNER(fs)->ops->listxattr)
                return -EOPNOTSUPP;
        return INNER(fs)->ops->listxattr(INNER(fs), path, ret, ret_n);
}

static void borrowed_free(GuestFs *fs)
{
        free(fs); /* the proxy only */
}

static const GuestFsOps borrowed_ops = {
        .name = "borrowed",
        .lstat = borrowed_lstat,
        .readlink = borrowed_readlink,
        .pread = borrowed_pread,
        .readdir = borrowed_readdir,
        .space = borrowed_space,
        .listxattr = borrowed_listxattr,
        .free = borrowed_free,
};

int guest_fs_borrow(GuestFs *fs, GuestFs **ret)
{
        BorrowedFs *b;

        if (!fs)
                return -EINVAL;
        b = calloc(1, sizeof(BorrowedFs));
        if (!b)
                return -ENOMEM;
        *b = (BorrowedFs){ .fs.ops = &borrowed_ops, .inner = fs };
        *ret = &b->fs;
        return 0;
}

static void cache_entry_free(struct lh_entry *e)
{
        free((void *) lh_entry_k(e));
        free(lh_entry_v(e));
}

int guest_new(Guest **ret)
{
        Guest *g = calloc(1, sizeof(Guest));

        if (!g)
                return -ENOMEM;
        g->cache = lh_kchar_table_new(1024, cache_entry_free);
        if (!g->cache) {
                free(g);
                return -ENOMEM;
        }
        *ret = g;
        return 0;
}

Guest *guest_free(Guest *g)
{
        if (!g)
                return NULL;
        for (size_t i = 0; i < g->n_mounts; i++) {
                free(g->mounts[i].point);
                guest_fs_free(g->mounts[i].fs);
        }
        free(g->mounts);
        lh_table_free(g->cache);
        free(g);
        return NULL;
}

static int cmp_mount(const void *a, const void *b)
{
        size_t x = strlen(((const Mount *) a)->point), y = strlen(((const Mount *) b)->point);
        return x < y ? 1 : x > y ? -1 : 0;
}

int guest_mount(Guest *g, const char *mountpoint, GuestFs *fs)
{
        _cleanup_(guest_fs_freep) GuestFs *owned = fs;
        char *point;
        Mount *m;

        if (mountpoint[0] != '/' || (g->n_mounts == 0 && !streq(mountpoint, "/")))
                return -EINVAL;
        for (size_t i = 0; i < g->n_mounts; i++)
                if (streq(g->mounts[i].point, mountpoint)) {
                        guest_fs_free(g->mounts[i].fs);
                        g->mounts[i].fs = TAKE_PTR(owned);
                        lh_table_free(g->cache);
                        g->cache = lh_kchar_table_new(1024, cache_entry_free);
                        return g->cache ? 0 : -ENOMEM;
                }
        point = strdup(mountpoint);
        if (!point)
                return -ENOMEM;
        m = reallocarray(g->mounts, g->n_mounts + 1, sizeof(Mount));
        if (!m) {
                free(point);
                return -ENOMEM;
        }
        g->mounts = m;
        g->mounts[g->n_mounts++] = (Mount){ .point = point, .fs = TAKE_PTR(owned) };
        qsort(g->mounts, g->n_mounts, sizeof(Mount), cmp_mount);
        /* What a new mount covers may have been cached from the filesystem below it. */
        lh_table_free(g->cache);
        g->cache = lh_kchar_table_new(1024, cache_entry_free);
        return g->cache ? 0 : -ENOMEM;
}

/* Finds the filesystem holding canonical path and the path within it. */
static GuestFs *find_mount(Guest *g, const char *path, const char **ret_rel)
{
        for (size_t i = 0; i < g->n_mounts; i++) {
                const char *rest = path_startswith(path, g->mounts[i].point);
                if (rest) {
                        /* Backends get "/" + rest; rest points past the separator. */
                        *ret_rel = rest;
                        return g->mounts[i].fs;
                }
        }
        return NULL;
}

/* Runs op on the filesystem that holds canonical guest path. */
#define WITH_FS_PATH(g, path, fs, relpath)                                              \
        const char *_rest_;                                                             \
        GuestFs *fs = find_mount(g, path, &_rest_);                                     \
        char relpath[GUEST_PATH_MAX + 2];                                               \
        if (!fs)                                                                        \
                return -ENOENT;                                                         \
        if (snprintf(relpath, sizeof(relpath), "/%s", _rest_) >= (int) sizeof(relpath)) \
        return -ENAMETOOLONG

static int raw_lstat(Guest *g, const char *path, GuestStat *ret)
{
        struct lh_entry *e;
        GuestStat *copy;
        _cleanup_free_ char *key = NULL;
        int r;

        e = lh_table_lookup_entry(g->cache, path);
        if (e) {
                *ret = *(const GuestStat *) lh_entry_v(e);
                return 0;
        }
        {
                WITH_FS_PATH(g, path, fs, relpath);
                r = fs->ops->lstat(fs, relpath, ret);
                if (r < 0)
                        return r;
        }
        if (ret->type != GUEST_FILE_DIRECTORY && ret->type != GUEST_FILE_SYMLINK)
                return 0;
        key = strdup(path);
        copy = malloc(sizeof(GuestStat));
        if (!key || !copy) {
                free(copy);
                return -ENOMEM;
        }
        *copy = *ret;
        if (lh_table_insert(g->cache, key, copy) < 0) {
                free(copy);
                return -ENOMEM;
        }
        TAKE_PTR(key);
        return 0;
}

static int raw_readlink(Guest *g, const char *path, char **ret)
{
        WITH_FS_PATH(g, path, fs, relpath);
        return fs->ops->readlink(fs, relpath, ret);
}

/* Appends component c (length n) to canonical path buffer cur (of length *len). */
static int push_component(char *cur, size_t *len, const char *c, size_t n)
{
        if (*len + 1 + n > GUEST_PATH_MAX)
                return -ENAMETOOLONG;
        cur[(*len)++] = '/';
        memcpy(cur + *len, c, n);
        *len += n;
        cur[*len] = 0;
        return 0;
}

static void pop_component(char *cur, size_t *len)
{
        while (*len > 0 && cur[*len - 1] != '/')
                (*len)--;
        if (*len > 0)
                (*len)--;
        cur[*len] = 0;
}

int guest_resolve(Guest *g, const char *path, bool follow, char **ret)
{
        _cleanup_free_ char *todo = NULL;
        char cur[GUEST_PATH_MAX + 1] = "";
        size_t len = 0, pos = 0;
        unsigned links = 0;
        int r;

        if (!path || path[0] != '/')
                return -EINVAL;
        if (strlen(path) > GUEST_PATH_MAX)
                return -ENAMETOOLONG;
        todo = strdup(path);
        if (!todo)
                return -ENOMEM;

        for (;;) {
                const char *c;
                size_t n, next;
                bool last;
                GuestStat st;

                pos += strspn(todo + pos, "/");
                if (!todo[pos])
                        break;
                c = todo + pos;
                n = strcspn(c, "/");
                next = pos + n;
                last = todo[next + strspn(todo + next, "/")] == 0;

                if (n == 1 && c[0] == '.') {
                        pos = next;
                        continue;
                }
                if (n == 2 && c[0] == '.' && c[1] == '.') {
                        pop_component(cur, &len); /* ".." of "/" is "/" */
                        pos = next;
                        continue;
                }
                r = push_component(cur, &len, c, n);
                if (r < 0)
                        return r;
                r = raw_lstat(g, cur, &st);
                if (r < 0)
                        return r;
                if (st.type == GUEST_FILE_SYMLINK && (!last || follow)) {
                        _cleanup_free_ char *target = NULL;
                        char *t;

                        if (++links > GUEST_SYMLINK_MAX)
                                return -ELOOP;
                        r = raw_readlink(g, cur, &target);
                        if (r < 0)
                                return r;
                        if (isempty(target))
                                return -ENOENT;
                        /* Replace the link by its target, then go on with what follows it. */
                        if (strlen(target) + strlen(todo + next) + 2 > GUEST_PATH_MAX)
                                return -ENAMETOOLONG;
                        if (asprintf(&t, "%s/%s", target, todo + next) < 0)
                                return -ENOMEM;
                        free(todo);
                        todo = t;
                        pos = 0;
                        if (target[0] == '/')
                                len = 0, cur[0] = 0;
                        else
                                pop_component(cur, &len);
                        continue;
                }
                if (!last && st.type != GUEST_FILE_DIRECTORY)
                        return -ENOTDIR;
                pos = next;
        }
        *ret = strdup(len == 0 ? "/" : cur);
        return *ret ? 0 : -ENOMEM;
}

static int stat_impl(Guest *g, const char *path, bool follow, GuestStat *ret)
{
        _cleanup_free_ char *p = NULL;
        int r;

        r = guest_resolve(g, path, follow, &p);
        if (r < 0)
                return r;
        if (streq(p, "/")) {
                WITH_FS_PATH(g, p, fs, relpath);
                return fs->ops->lstat(fs, relpath, ret);
        }
        return raw_lstat(g, p, ret);
}

int guest_stat(Guest *g, const char *path, GuestStat *ret)
{
        return stat_impl(g, path, true, ret);
}

int guest_lstat(Guest *g, const char *path, GuestStat *ret)
{
        return stat_impl(g, path, false, ret);
}

int guest_readlink(Guest *g, const char *path, char **ret)
{
        _cleanup_free_ char *p = NULL;
        GuestStat st;
        int r;

        r = guest_resolve(g, path, false, &p);
        if (r < 0)
                return r;
        r = raw_lstat(g, p, &st);
        if (r < 0)
                return r;
        if (st.type != GUEST_FILE_SYMLINK)
                return -EINVAL;
        return raw_readlink(g, p, ret);
}

/* Resolves path to a regular file: its canonical path and stat. */
static int resolve_regular(Guest *g, const char *path, char **ret, GuestStat *ret_st)
{
        _cleanup_free_ char *p = NULL;
        int r;

        r = guest_resolve(g, path, true, &p);
        if (r < 0)
                return r;
        r = raw_lstat(g, p, ret_st);
        if (r < 0)
                return r;
        if (ret_st->type == GUEST_FILE_DIRECTORY)
                return -EISDIR;
        if (ret_st->type != GUEST_FILE_REGULAR)
                return -EPERM;
        *ret = TAKE_PTR(p);
        return 0;
}

int guest_pread(Guest *g, const char *path, uint64_t offset, size_t size, void *buf, size_t *ret_n)
{
        _cleanup_free_ char *p = NULL;
        GuestStat st;
        int r;

        r = resolve_regular(g, path, &p, &st);
        if (r < 0)
                return r;
        {
                WITH_FS_PATH(g, p, fs, relpath);
                return fs->ops->pread(fs, relpath, offset, size, buf, ret_n);
        }
}

int guest_read_file(Guest *g, const char *path, size_t max, char **ret, size_t *ret_size)
{
        _cleanup_free_ char *p = NULL, *buf = NULL;
        GuestStat st;
        size_t n = 0;
        int r;

        r = resolve_regular(g, path, &p, &st);
        if (r < 0)
                return r;
        if (st.size > max)
                return -EFBIG;
        buf = malloc((size_t) st.size + 1);
        if (!buf)
                return -ENOMEM;
        {
                WITH_FS_PATH(g, p, fs, relpath);
                r = fs->ops->pread(fs, relpath, 0, (size_t) st.size, buf, &n);
                if (r < 0)
                        return r;
        }
        /* A file that shrank since it was looked at (a live --root) yields what is left. */
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = n;
        return 0;
}

static bool is_mount_point(Guest *g, const char *path)
{
        for (size_t i = 0; i < g->n_mounts; i++)
                if (streq(g->mounts[i].point, path))
                        return true;
        return false;
}

static int cmp_entry(const void *a, const void *b)
{
        return strcmp(((const GuestDirEntry *) a)->name, ((const GuestDirEntry *) b)->name);
}

int guest_read_dir(Guest *g, const char *path, GuestDirEntry **ret, size_t *ret_n)
{
        _cleanup_free_ char *p = NULL;
        GuestDirEntry *e = NULL;
        size_t n = 0;
        GuestStat st;
        int r;

        r = guest_resolve(g, path, true, &p);
        if (r < 0)
                return r;
        r = stat_impl(g, p, false, &st);
        if (r < 0)
                return r;
        if (st.type != GUEST_FILE_DIRECTORY)
                return -ENOTDIR;
        {
                WITH_FS_PATH(g, p, fs, relpath);
                r = fs->ops->readdir(fs, relpath, &e, &n);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *child = NULL;
                GuestStat cst;

                /* A mount point shows the mounted filesystem's root, whatever lies below it. */
                child = path_join(p, e[i].name);
                if (!child) {
                        guest_dir_entries_free(e, n);
                        return -ENOMEM;
                }
                if (e[i].type == _GUEST_FILE_TYPE_INVALID || is_mount_point(g, child)) {
                        r = raw_lstat(g, child, &cst);
                        e[i].type = r < 0 ? GUEST_FILE_OTHER : cst.type;
                }
        }
        if (n > 1)
                qsort(e, n, sizeof(GuestDirEntry), cmp_entry);
        *ret = e;
        *ret_n = n;
        return 0;
}

int guest_space(Guest *g, const char *mountpoint, GuestFsSpace *ret)
{
        for (size_t i = 0; i < g->n_mounts; i++)
                if (streq(g->mounts[i].point, mountpoint))
                        return g->mounts[i].fs->ops->space(g->mounts[i].fs, ret);
        return -ENOENT;
}

static int cmp_xattr(const void *a, const void *b)
{
        return strcmp(((const GuestXattr *) a)->name, ((const GuestXattr *) b)->name);
}

int guest_lxattrs(Guest *g, const char *path, GuestXattr **ret, size_t *ret_n)
{
        _cleanup_free_ char *p = NULL;
        GuestXattr *x = NULL;
        size_t n = 0;
        int r;

        r = guest_resolve(g, path, false, &p);
        if (r < 0)
                return r;
        {
                WITH_FS_PATH(g, p, fs, relpath);
                if (!fs->ops->listxattr)
                        return -EOPNOTSUPP;
                r = fs->ops->listxattr(fs, relpath, &x, &n);
                if (r < 0)
                        return r;
        }
        if (n > 1)
                qsort(x, n, sizeof(GuestXattr), cmp_xattr);
        *ret = x;
        *ret_n = n;
        return 0;
}

int guest_forget_cache(Guest *g)
{
        struct lh_table *t = lh_kchar_table_new(1024, cache_entry_free);

        if (!t)
                return -ENOMEM;
        lh_table_free(g->cache);
        g->cache = t;
        return 0;
}

int guest_is_type(Guest *g, const char *path, GuestFileType type)
{
        GuestStat st;
        int r = guest_stat(g, path, &st);

        if (r == -ENOENT || r == -ENOTDIR || r == -ELOOP)
                return 0;
        if (r < 0)
                return r;
        return st.type == type;
}
