/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <guestfs.h>

#include "config.h"
#include "shared/fd-util.h"
#include "shared/fileio.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "guest-guestfs.h"

struct GuestfsSession {
        guestfs_h *g;
        char *device; /* the one disk: "/dev/sda" */
        unsigned n_mounts;
};

typedef struct GuestfsView {
        GuestFs fs;
        GuestfsSession *s; /* borrowed: the session outlives its views */
        char *prefix;      /* the private mount point, "/azlm1" */
} GuestfsView;

/* libguestfs transfers at most a few MiB per call; stay well below. */
#define PREAD_CHUNK (1u << 20)

/* libguestfs is opened with dlopen() when the backend is first needed: it pulls in libvirt and
 * some fifty other libraries, whose loading would otherwise slow down every command (and the
 * native path needs none of it). */
/* clang-format off */
#define GUESTFS_SYMBOLS(X) \
        X(create) \
        X(close) \
        X(shutdown) \
        X(set_error_handler) \
        X(set_backend) \
        X(get_backend_settings) \
        X(set_backend_settings) \
        X(add_drive_opts_argv) \
        X(launch) \
        X(last_error) \
        X(last_errno) \
        X(list_devices) \
        X(blkid) \
        X(blockdev_getsize64) \
        X(blockdev_getss) \
        X(part_get_parttype) \
        X(part_get_disk_guid) \
        X(pread_device) \
        X(part_list) \
        X(part_get_mbr_id) \
        X(part_get_bootable) \
        X(part_get_gpt_type) \
        X(part_get_gpt_guid) \
        X(part_get_gpt_attributes) \
        X(part_get_name) \
        X(lvs) \
        X(lstatns) \
        X(readlink) \
        X(pread) \
        X(readdir) \
        X(mkmountpoint) \
        X(rmmountpoint) \
        X(mount_ro) \
        X(free_statns) \
        X(free_dirent_list) \
        X(free_partition_list) \
        X(statvfs) \
        X(free_statvfs)
/* clang-format on */

#define GUESTFS_DECLARE(n) __typeof__(guestfs_##n) *n;
static struct {
        GUESTFS_SYMBOLS(GUESTFS_DECLARE)
} gf;

/* Loads libguestfs once. Returns 0, or -EOPNOTSUPP when it is not installed or incomplete. */
static int guestfs_dl(void)
{
        static int loaded = 0;
        void *h;

        if (loaded != 0)
                return loaded > 0 ? 0 : -EOPNOTSUPP;
        loaded = -1;
#if GUESTFS_LINKED
        /* Sanitizer builds link libguestfs (see meson.build). */
        (void) h;
#define GUESTFS_LOAD(n) gf.n = guestfs_##n;
#else
        h = dlopen("libguestfs.so.0", RTLD_NOW | RTLD_LOCAL);
        if (!h)
                return -EOPNOTSUPP;
#define GUESTFS_LOAD(n)                                           \
        if (!(gf.n = (__typeof__(gf.n)) dlsym(h, "guestfs_" #n))) \
                return -EOPNOTSUPP;
#endif
        GUESTFS_SYMBOLS(GUESTFS_LOAD)
#undef GUESTFS_LOAD
        loaded = 1;
        return 0;
}

static void free_statnsp(struct guestfs_statns **p)
{
        if (*p)
                gf.free_statns(*p);
}

static void free_dirent_listp(struct guestfs_dirent_list **p)
{
        if (*p)
                gf.free_dirent_list(*p);
}

static void free_partition_listp(struct guestfs_partition_list **p)
{
        if (*p)
                gf.free_partition_list(*p);
}

static char **strv_free_guestfs(char **l)
{
        return strv_free(l); /* libguestfs returns malloc'ed NULL-terminated arrays */
}
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free_guestfs);

bool guestfs_kvm_usable(void)
{
        static int cached = -1;
        _cleanup_free_ char *cpuinfo = NULL;
        _cleanup_close_ int fd = -EBADF;
        int vm;

        if (cached >= 0)
                return cached;
        cached = 0;
        if (read_full_file_capped("/proc/cpuinfo", 16u * 1024u * 1024u, &cpuinfo, NULL) < 0 ||
            (!strstr(cpuinfo, " vmx") && !strstr(cpuinfo, " svm")))
                return false;
        fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (fd < 0 || ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
                return false;
        /* /dev/kvm can exist and still refuse to make a VM (nested virtualisation off). */
        vm = ioctl(fd, KVM_CREATE_VM, 0);
        if (vm < 0)
                return false;
        safe_close(vm);
        cached = 1;
        return true;
}

GuestfsSession *guestfs_session_free(GuestfsSession *s)
{
        if (!s)
                return NULL;
        if (s->g) {
                (void) gf.shutdown(s->g);
                gf.close(s->g);
        }
        free(s->device);
        free(s);
        return NULL;
}

static const char *qemu_format(const Image *img)
{
        switch (img->format) {
        case IMAGE_FORMAT_QCOW2:
                return "qcow2";
        case IMAGE_FORMAT_VHDX:
                return "vhdx";
        case IMAGE_FORMAT_VHD:
                /* qemu's "vpc" driver reads fixed and dynamic VHDs. */
                return "vpc";
        default:
                return "raw";
        }
}

static int force_tcg(guestfs_h *g)
{
        _cleanup_(strv_free_guestfsp) char **settings = gf.get_backend_settings(g);

        if (!settings)
                return -ENOMEM;
        if (strv_contains(settings, "force_tcg"))
                return 0;
        if (strv_extend(&settings, "force_tcg") < 0)
                return -ENOMEM;
        return gf.set_backend_settings(g, settings) < 0 ? -EIO : 0;
}

int guestfs_session_open(const Image *img, GuestfsSession **ret, char **ret_error)
{
        _cleanup_(guestfs_session_freep) GuestfsSession *s = NULL;
        _cleanup_(strv_free_guestfsp) char **devices = NULL;
        struct guestfs_add_drive_opts_argv optargs;
        int r;

        r = guestfs_dl();
        if (r < 0) {
                if (ret_error)
                        *ret_error = strdup("libguestfs is not installed (Debian package libguestfs0)");
                return r;
        }
        s = calloc(1, sizeof(GuestfsSession));
        if (!s)
                return -ENOMEM;
        s->g = gf.create();
        if (!s->g)
                return -ENOMEM;
        /* Errors are returned, not printed: the caller reports them once. */
        gf.set_error_handler(s->g, NULL, NULL);
        if (!getenv("LIBGUESTFS_BACKEND") && gf.set_backend(s->g, "direct") < 0)
                goto fail;
        if (!guestfs_kvm_usable() && force_tcg(s->g) < 0)
                goto fail;
        optargs = (struct guestfs_add_drive_opts_argv){
                .bitmask = GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK | GUESTFS_ADD_DRIVE_OPTS_READONLY_BITMASK,
                .format = qemu_format(img),
                .readonly = 1,
        };
        r = gf.add_drive_opts_argv(s->g, img->path, &optargs);
        if (r < 0)
                goto fail;
        if (gf.launch(s->g) < 0) {
                if (ret_error && gf.last_error(s->g))
                        *ret_error = strdup(gf.last_error(s->g));
                return -EHOSTDOWN;
        }
        devices = gf.list_devices(s->g);
        if (!devices || !devices[0])
                goto fail;
        s->device = strdup(devices[0]);
        if (!s->device)
                return -ENOMEM;
        *ret = TAKE_PTR(s);
        return 0;
fail:
        if (ret_error && gf.last_error(s->g))
                *ret_error = strdup(gf.last_error(s->g));
        return -EIO;
}

static char *lower_dup(const char *s)
{
        char *r = s ? strdup(s) : NULL;
        return r ? ascii_strlower(r) : NULL;
}

/* What blkid says of a device, as the native probe reports it: TYPE, UUID, LABEL, VERSION.
 * A device without a filesystem has no type. */
static int probe_fs(guestfs_h *g, const char *device, FsInfo *ret)
{
        _cleanup_(strv_free_guestfsp) char **kv = gf.blkid(g, device);
        FsInfo fs = {};

        /* A hash list: key, value, key, value, ... */
        for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2) {
                char **slot = streq(kv[i], "TYPE")      ? &fs.type
                              : streq(kv[i], "UUID")    ? &fs.uuid
                              : streq(kv[i], "LABEL")   ? &fs.label
                              : streq(kv[i], "VERSION") ? &fs.version
                                                        : NULL;
                if (!slot || isempty(kv[i + 1]) || *slot)
                        continue;
                *slot = strdup(kv[i + 1]);
                if (!*slot) {
                        fs_info_done(&fs);
                        return -ENOMEM;
                }
        }
        if (!fs.type)
                fs_info_done(&fs); /* a UUID alone (a raid member...) is not a filesystem here */
        *ret = fs;
        return 0;
}

static int read_partition(GuestfsSession *s, const char *label, const char *disk_id,
                          const struct guestfs_partition *gp, Partition *ret)
{
        guestfs_h *g = s->g;
        Partition p = { .number = (unsigned) gp->part_num, .start = gp->part_start, .size = gp->part_size };
        int r;

        if (asprintf(&p.device, "%s%d", s->device, gp->part_num) < 0)
                return -ENOMEM;
        if (streq(label, "dos")) {
                int id = gf.part_get_mbr_id(g, s->device, gp->part_num);
                if (id < 0)
                        id = 0;
                if (asprintf(&p.type, "0x%02x", (unsigned) id) < 0)
                        return -ENOMEM;
                p.container = id == 0x05 || id == 0x0f || id == 0x85;
                p.bootable = gf.part_get_bootable(g, s->device, gp->part_num) > 0;
                if (disk_id && startswith(disk_id, "0x") &&
                    asprintf(&p.uuid, "%s-%02x", disk_id + 2, p.number) < 0)
                        return -ENOMEM;
        } else {
                char *t = gf.part_get_gpt_type(g, s->device, gp->part_num);
                char *u = gf.part_get_gpt_guid(g, s->device, gp->part_num);
                int64_t attrs = gf.part_get_gpt_attributes(g, s->device, gp->part_num);

                p.type = lower_dup(t);
                p.uuid = lower_dup(u);
                free(t);
                free(u);
                p.name = gf.part_get_name(g, s->device, gp->part_num);
                if (p.name && !*p.name)
                        p.name = mfree(p.name);
                p.bootable = attrs > 0 && (attrs & (1 << 2));
        }
        r = partition_type_name(label, strempty(p.type), &p.type_name);
        if (r < 0)
                return r;
        if (!p.container) {
                r = probe_fs(g, p.device, &p.fs);
                if (r < 0)
                        return r;
        }
        *ret = p;
        return 0;
}

int guestfs_session_layout(GuestfsSession *s, DiskLayout **ret)
{
        _cleanup_(disk_layout_freep) DiskLayout *d = NULL;
        _cleanup_(free_partition_listp) struct guestfs_partition_list *parts = NULL;
        _cleanup_(strv_free_guestfsp) char **lvs = NULL;
        _cleanup_free_ char *ptype = NULL;
        guestfs_h *g = s->g;
        int64_t size;
        int ss, r;

        d = calloc(1, sizeof(DiskLayout));
        if (!d)
                return -ENOMEM;
        size = gf.blockdev_getsize64(g, s->device);
        ss = gf.blockdev_getss(g, s->device);
        d->size = size > 0 ? (uint64_t) size : 0;
        d->sector_size = ss > 0 ? (uint64_t) ss : 512;

        ptype = gf.part_get_parttype(g, s->device);
        if (!ptype) {
                Partition whole = { .number = 0, .size = d->size };
                d->label = strdup("none");
                if (!d->label || !(whole.device = strdup(s->device)) ||
                    !(whole.type_name = strdup("whole disk")))
                        return -ENOMEM;
                r = probe_fs(g, s->device, &whole.fs);
                if (r < 0 || (r = disk_layout_add(d, &whole)) < 0)
                        return r;
        } else {
                d->label = strdup(streq(ptype, "msdos") ? "dos" : ptype);
                if (!d->label)
                        return -ENOMEM;
                if (streq(d->label, "gpt")) {
                        _cleanup_free_ char *guid = gf.part_get_disk_guid(g, s->device);
                        d->id = lower_dup(guid);
                } else if (streq(d->label, "dos")) {
                        size_t n = 0;
                        _cleanup_free_ char *b = gf.pread_device(g, s->device, 4, 440, &n);
                        if (b && n == 4 &&
                            asprintf(&d->id, "0x%02x%02x%02x%02x", (uint8_t) b[3], (uint8_t) b[2],
                                     (uint8_t) b[1], (uint8_t) b[0]) < 0)
                                return -ENOMEM;
                }
                parts = gf.part_list(g, s->device);
                for (size_t i = 0; parts && i < parts->len; i++) {
                        Partition p;
                        r = read_partition(s, d->label, d->id, &parts->val[i], &p);
                        if (r < 0 || (r = disk_layout_add(d, &p)) < 0)
                                return r;
                }
        }

        lvs = gf.lvs(g);
        STRV_FOREACH(lv, lvs) {
                Partition v = { .number = 0 };
                int64_t lsize = gf.blockdev_getsize64(g, *lv);

                v.size = lsize > 0 ? (uint64_t) lsize : 0;
                if (!(v.device = strdup(*lv)) || !(v.type_name = strdup("LVM logical volume")))
                        return -ENOMEM;
                r = probe_fs(g, *lv, &v.fs);
                if (r < 0 || (r = disk_layout_add_volume(d, &v)) < 0)
                        return r;
        }
        *ret = TAKE_PTR(d);
        return 0;
}

static int view_path(GuestfsView *v, const char *path, char **ret)
{
        if (streq(path, "/"))
                *ret = strdup(v->prefix);
        else if (asprintf(ret, "%s%s", v->prefix, path) < 0)
                *ret = NULL;
        return *ret ? 0 : -ENOMEM;
}

static int errno_of(guestfs_h *g)
{
        int e = gf.last_errno(g);
        return e > 0 ? -e : -EIO;
}

static GuestFileType mode_to_type(int64_t m)
{
        switch (m & 0170000) {
        case 0100000:
                return GUEST_FILE_REGULAR;
        case 0040000:
                return GUEST_FILE_DIRECTORY;
        case 0120000:
                return GUEST_FILE_SYMLINK;
        default:
                return GUEST_FILE_OTHER;
        }
}

static int view_lstat(GuestFs *fs, const char *path, GuestStat *ret)
{
        GuestfsView *v = (GuestfsView *) fs;
        _cleanup_(free_statnsp) struct guestfs_statns *st = NULL;
        _cleanup_free_ char *p = NULL;

        if (view_path(v, path, &p) < 0)
                return -ENOMEM;
        st = gf.lstatns(v->s->g, p);
        if (!st)
                return errno_of(v->s->g);
        *ret = (GuestStat){
                .type = mode_to_type(st->st_mode),
                .mode = (uint32_t) (st->st_mode & 07777),
                .uid = (uint32_t) st->st_uid,
                .gid = (uint32_t) st->st_gid,
                .size = st->st_size > 0 ? (uint64_t) st->st_size : 0,
                .mtime = st->st_mtime_sec,
        };
        return 0;
}

static int view_readlink(GuestFs *fs, const char *path, char **ret)
{
        GuestfsView *v = (GuestfsView *) fs;
        _cleanup_free_ char *p = NULL;
        char *t;

        if (view_path(v, path, &p) < 0)
                return -ENOMEM;
        t = gf.readlink(v->s->g, p);
        if (!t)
                return errno_of(v->s->g);
        if (strlen(t) > GUEST_PATH_MAX) {
                free(t);
                return -ENAMETOOLONG;
        }
        *ret = t;
        return 0;
}

static int view_pread(GuestFs *fs, const char *path, uint64_t offset, size_t size, void *buf, size_t *ret_n)
{
        GuestfsView *v = (GuestfsView *) fs;
        _cleanup_free_ char *p = NULL;
        size_t done = 0;

        if (view_path(v, path, &p) < 0)
                return -ENOMEM;
        while (done < size) {
                size_t want = MIN(size - done, (size_t) PREAD_CHUNK), got = 0;
                char *chunk = gf.pread(v->s->g, p, (int) want, (int64_t) (offset + done), &got);
                if (!chunk)
                        return errno_of(v->s->g);
                memcpy((char *) buf + done, chunk, MIN(got, want));
                free(chunk);
                if (got == 0)
                        break;
                done += MIN(got, want);
        }
        *ret_n = done;
        return 0;
}

static GuestFileType ftyp_to_type(char c)
{
        switch (c) {
        case 'r':
                return GUEST_FILE_REGULAR;
        case 'd':
                return GUEST_FILE_DIRECTORY;
        case 'l':
                return GUEST_FILE_SYMLINK;
        case 'u':
        case '?':
                return _GUEST_FILE_TYPE_INVALID;
        default:
                return GUEST_FILE_OTHER;
        }
}

static int view_readdir(GuestFs *fs, const char *path, GuestDirEntry **ret, size_t *ret_n)
{
        GuestfsView *v = (GuestfsView *) fs;
        _cleanup_(free_dirent_listp) struct guestfs_dirent_list *l = NULL;
        _cleanup_free_ char *p = NULL;
        GuestDirEntry *e = NULL;
        size_t n = 0;

        if (view_path(v, path, &p) < 0)
                return -ENOMEM;
        l = gf.readdir(v->s->g, p);
        if (!l)
                return errno_of(v->s->g);
        if (l->len > GUEST_DIR_ENTRIES_MAX + 2)
                return -E2BIG;
        e = calloc(l->len ? l->len : 1, sizeof(GuestDirEntry));
        if (!e)
                return -ENOMEM;
        for (uint32_t i = 0; i < l->len; i++) {
                const char *name = l->val[i].name;
                if (streq(name, ".") || streq(name, ".."))
                        continue;
                e[n].name = strdup(name);
                if (!e[n].name) {
                        guest_dir_entries_free(e, n);
                        return -ENOMEM;
                }
                e[n].type = ftyp_to_type(l->val[i].ftyp);
                n++;
        }
        *ret = e;
        *ret_n = n;
        return 0;
}

static int view_space(GuestFs *fs, GuestFsSpace *ret)
{
        GuestfsView *v = (GuestfsView *) fs;
        struct guestfs_statvfs *sv = gf.statvfs(v->s->g, v->prefix);
        uint64_t fr;

        if (!sv)
                return errno_of(v->s->g);
        fr = sv->frsize > 0 ? (uint64_t) sv->frsize : (uint64_t) MAX(sv->bsize, 0);
        *ret = (GuestFsSpace){
                .size = (uint64_t) MAX(sv->blocks, 0) * fr,
                .free = (uint64_t) MAX(sv->bfree, 0) * fr,
                .available = (uint64_t) MAX(sv->bavail, 0) * fr,
        };
        gf.free_statvfs(sv);
        return 0;
}

static void view_free(GuestFs *fs)
{
        GuestfsView *v = (GuestfsView *) fs;

        free(v->prefix);
        free(v);
}

static const GuestFsOps view_ops = {
        .name = "guestfs",
        .lstat = view_lstat,
        .readlink = view_readlink,
        .pread = view_pread,
        .readdir = view_readdir,
        .space = view_space,
        .free = view_free,
};

int guestfs_session_open_fs(GuestfsSession *s, const char *device, GuestFs **ret)
{
        _cleanup_free_ char *prefix = NULL;
        GuestfsView *v;

        if (!device)
                return -EINVAL;
        if (asprintf(&prefix, "/azlm%u", ++s->n_mounts) < 0)
                return -ENOMEM;
        /* Mount points next to each other at the appliance's root: nothing is ever mounted on
         * "/", so every filesystem of the disk can be open at once. */
        if (gf.mkmountpoint(s->g, prefix) < 0)
                return errno_of(s->g);
        if (gf.mount_ro(s->g, device, prefix) < 0) {
                (void) gf.rmmountpoint(s->g, prefix);
                return -EUCLEAN;
        }
        v = calloc(1, sizeof(GuestfsView));
        if (!v)
                return -ENOMEM;
        v->fs.ops = &view_ops;
        v->s = s;
        v->prefix = TAKE_PTR(prefix);
        *ret = &v->fs;
        return 0;
}
