/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/stat.h>

#include "disk/guest-dir.h"
#include "disk/guest-ext.h"
#include "disk/guest-fat.h"
#include "disk/guest-guestfs.h"
#include "disk/image.h"
#include "disk/partition.h"
#include "shared/json-util.h"
#include "shared/log.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "collect.h"
#include "fstab-source.h"
#include "fstab.h"
#include "inspect.h"

static const char *const inspect_backend_table[_INSPECT_BACKEND_MAX] = {
        [INSPECT_BACKEND_AUTO] = "auto",
        [INSPECT_BACKEND_NATIVE] = "native",
        [INSPECT_BACKEND_GUESTFS] = "guestfs",
};

DEFINE_STRING_TABLE_LOOKUP(inspect_backend, InspectBackend);

/* One inspection of one image: the image, the layout, the backend reading it, and the guest
 * being assembled. */
typedef struct Session {
        Image *img;
        DiskLayout *layout;
        GuestfsSession *gfs; /* NULL on the native path */
        Guest *guest;
        const Partition *root;
        json_object *mounts;  /* what was mounted where, for the inventory */
        FindingList findings; /* gathered before the inventory exists */
        bool want_guestfs;    /* the native path met something only libguestfs reads */
        char *why_guestfs;
        char *failures; /* "; "-joined reasons no root was found */
} Session;

static void session_done(Session *s)
{
        guest_free(s->guest); /* before the guestfs session its filesystems live in */
        guestfs_session_free(s->gfs);
        disk_layout_free(s->layout);
        image_free(s->img);
        json_object_put(s->mounts);
        finding_list_done(&s->findings);
        free(s->why_guestfs);
        free(s->failures);
        *s = (Session){};
}

static int set_message(char **ret_message, const char *format, ...) _printf_(2, 3);
static int set_message(char **ret_message, const char *format, ...)
{
        va_list ap;
        int r;

        if (!ret_message)
                return 0;
        free(*ret_message);
        va_start(ap, format);
        r = vasprintf(ret_message, format, ap);
        va_end(ap);
        if (r < 0)
                *ret_message = NULL;
        return 0;
}

static int append_failure(Session *s, const char *format, ...) _printf_(2, 3);
static int append_failure(Session *s, const char *format, ...)
{
        _cleanup_free_ char *m = NULL;
        char *n;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&m, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (asprintf(&n, "%s%s%s", strempty(s->failures), s->failures ? "; " : "", m) < 0)
                return -ENOMEM;
        free(s->failures);
        s->failures = n;
        return 0;
}

static void describe_volume(const Partition *p, char *buf, size_t size)
{
        if (p->device && p->number == 0)
                snprintf(buf, size, "volume %s", p->device);
        else if (p->number == 0)
                snprintf(buf, size, "the whole disk");
        else
                snprintf(buf, size, "partition %u", p->number);
}

static bool fs_is_ext(const FsInfo *fs)
{
        return fs->type && (streq(fs->type, "ext2") || streq(fs->type, "ext3") || streq(fs->type, "ext4"));
}

static bool fs_is_fat(const FsInfo *fs)
{
        return fs->type && streq(fs->type, "vfat");
}

/* Filesystems that can hold no root and need no look: swap, containers of other volumes. */
static bool fs_never_root(const FsInfo *fs)
{
        static const char *const skip[] = {
                "swap",    "vfat", "LVM2_member", "crypto_LUKS", "linux_raid_member",
                "iso9660", "udf",  "ntfs",        "exfat"
        };
        if (!fs->type)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(skip); i++)
                if (streq(fs->type, skip[i]))
                        return true;
        return false;
}

/* Opens the filesystem of volume p through the session's backend. Returns 0, -EOPNOTSUPP when
 * the native path cannot read it, -EUCLEAN (with a finding) when it is damaged, or -errno. */
static int open_volume(Session *s, const Partition *p, GuestFs **ret)
{
        char what[96];
        int r;

        describe_volume(p, what, sizeof(what));
        if (s->gfs) {
                r = guestfs_session_open_fs(s->gfs, p->device, ret);
                if (r == -EUCLEAN) {
                        int k = finding_list_add(&s->findings, "disk.filesystem.unreadable",
                                                 "%s (%s) could not be mounted by libguestfs", what,
                                                 strempty(p->fs.type));
                        if (k < 0)
                                return k;
                        (void) append_failure(s, "%s (%s): cannot be mounted", what, strempty(p->fs.type));
                }
                return r;
        }
        if (fs_is_ext(&p->fs)) {
                GuestExtInfo info;
                r = guest_ext_open(s->img->fd, p->start, ret, &info);
                if (r < 0) {
                        int k = finding_list_add(&s->findings, "disk.filesystem.unreadable", "%s (%s): %s",
                                                 what, p->fs.type, info.error ?: strerror(-r));
                        if (k >= 0)
                                k = append_failure(s, "%s (%s): %s", what, p->fs.type,
                                                   info.error ?: strerror(-r));
                        free(info.error);
                        return k < 0 ? k : r;
                }
                if (info.checksum_errors &&
                    (r = finding_list_add(&s->findings, "disk.filesystem.checksum-errors",
                                          "%s (%s) was opened ignoring metadata checksum errors", what,
                                          p->fs.type)) < 0)
                        return r;
                if (info.needs_recovery) {
                        if (!s->want_guestfs && !s->why_guestfs &&
                            asprintf(&s->why_guestfs, "%s has an unreplayed journal", what) < 0)
                                return -ENOMEM;
                        r = finding_list_add(&s->findings, "disk.filesystem.needs-recovery",
                                             "%s (%s) has journal transactions that were not replayed", what,
                                             p->fs.type);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (fs_is_fat(&p->fs)) {
                r = guest_fat_open(s->img->fd, p->start, p->size, ret);
                if (r == -EUCLEAN) {
                        int k = finding_list_add(&s->findings, "disk.filesystem.unreadable",
                                                 "%s (vfat): inconsistent FAT boot sector", what);
                        return k < 0 ? k : r;
                }
                return r;
        }
        return -EOPNOTSUPP;
}

static int volume_is_root(Guest *g)
{
        int r;

        r = guest_is_type(g, "/etc/os-release", GUEST_FILE_REGULAR);
        if (r == 0)
                r = guest_is_type(g, "/usr/lib/os-release", GUEST_FILE_REGULAR);
        if (r <= 0)
                return r;
        return guest_is_type(g, "/usr", GUEST_FILE_DIRECTORY);
}

static int try_root(Session *s, const Partition *p, size_t *n_found)
{
        _cleanup_(guest_freep) Guest *g = NULL;
        GuestFs *fs = NULL;
        char what[96];
        int r;

        if (fs_never_root(&p->fs) || p->container)
                return 0;
        describe_volume(p, what, sizeof(what));
        r = open_volume(s, p, &fs);
        if (r == -EOPNOTSUPP) {
                if (!s->why_guestfs && asprintf(&s->why_guestfs, "%s holds %s", what, p->fs.type) < 0)
                        return -ENOMEM;
                s->want_guestfs = true;
                return append_failure(s, "%s (%s): not readable natively", what, p->fs.type);
        }
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* recorded by open_volume */
        r = guest_new(&g);
        if (r < 0) {
                guest_fs_free(fs);
                return r;
        }
        r = guest_mount(g, "/", fs);
        if (r < 0)
                return r;
        r = volume_is_root(g);
        if (r == -ENOMEM)
                return r;
        if (r <= 0)
                return append_failure(s, "%s (%s): no /etc/os-release and /usr", what, p->fs.type);
        if ((*n_found)++ == 0) {
                s->guest = TAKE_PTR(g);
                s->root = p;
                return 0;
        }
        return finding_list_add(&s->findings, "inspect.root.multiple",
                                "%s (%s) also holds a Linux root; it was not inspected", what, p->fs.type);
}

static int find_root(Session *s)
{
        size_t found = 0;
        int r;

        for (size_t i = 0; i < s->layout->n_partitions; i++) {
                r = try_root(s, &s->layout->partitions[i], &found);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < s->layout->n_volumes; i++) {
                r = try_root(s, &s->layout->volumes[i], &found);
                if (r < 0)
                        return r;
        }
        return found > 0;
}

/* Finds the volume an fstab source names (see fstab_source_match()). */
static int layout_match_spec(const DiskLayout *d, const char *spec, const Partition **ret)
{
        _cleanup_free_ char *value = NULL;
        int kind;

        kind = fstab_source_parse(spec, &value);
        if (kind < 0)
                return kind;
        *ret = fstab_source_match(d, (FstabSourceKind) kind, value);
        return 0;
}

/* Adds size, free and available (bytes) of the filesystem mounted at point, when its reader can
 * tell. Returns 0 or -ENOMEM. */
static int add_space(Guest *g, const char *point, json_object *m)
{
        GuestFsSpace sp;

        if (guest_space(g, point, &sp) < 0)
                return 0; /* a reader that cannot tell is not an error */
        if (json_add_int(m, "size", (int64_t) sp.size) < 0 ||
            json_add_int(m, "free", (int64_t) sp.free) < 0 ||
            json_add_int(m, "available", (int64_t) sp.available) < 0)
                return -ENOMEM;
        return 0;
}

static int add_mount_record(Session *s, const char *point, const Partition *p, const char *type)
{
        json_object *m = json_object_new_object();

        if (!m || json_append(s->mounts, m) < 0)
                return -ENOMEM;
        if (json_add_str(m, "mountpoint", point) < 0 || json_add_str(m, "type", type) < 0 ||
            add_space(s->guest, point, m) < 0)
                return -ENOMEM;
        if (p) {
                if ((p->number > 0 && json_add_int(m, "partition", p->number) < 0) ||
                    (p->device && p->number == 0 && json_add_str(m, "volume", p->device) < 0) ||
                    json_add_str(m, "uuid", p->fs.uuid) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Mounts what the guest's /etc/fstab mounts, at the same places. */
static int mount_fstab(Session *s)
{
        _cleanup_(fstab_freep) Fstab *f = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size;
        int r;

        r = guest_read_file(s->guest, "/etc/fstab", CONFIG_FILE_MAX, &buf, &size);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0;
        if (r < 0)
                return 0; /* the fstab collector reports it */
        r = fstab_parse(buf, size, &f);
        if (r < 0)
                return r;
        for (size_t i = 0; i < f->n_entries; i++) {
                const FstabEntry *e = &f->entries[i];
                _cleanup_free_ char *point = NULL;
                const Partition *p;
                GuestFs *fs = NULL;

                if (e->file[0] != '/' || streq(e->file, "/") || fstab_has_option(e->options, "noauto") ||
                    streq(e->vfstype, "swap") || streq(e->vfstype, "tmpfs") || streq(e->vfstype, "proc") ||
                    streq(e->vfstype, "sysfs") || streq(e->vfstype, "devpts") ||
                    fstab_has_option(e->options, "bind"))
                        continue;
                r = layout_match_spec(s->layout, e->spec, &p);
                if (r < 0)
                        return r;
                if (!p) {
                        if (e->spec[0] != '/' && !strchr(e->spec, '='))
                                continue; /* a pseudo filesystem (none, overlay, nfs server:path...) */
                        r = finding_list_add(&s->findings, "inspect.mount.unmatched",
                                             "fstab line %u: '%s' for %s is not on this disk", e->line,
                                             e->spec, e->file);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (p == s->root)
                        continue;
                r = guest_resolve(s->guest, e->file, true, &point);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0)
                        r = guest_is_type(s->guest, point, GUEST_FILE_DIRECTORY);
                if (r <= 0) {
                        r = finding_list_add(&s->findings, "inspect.mount.missing-mountpoint",
                                             "fstab line %u: %s is not a directory in the root filesystem",
                                             e->line, e->file);
                        if (r < 0)
                                return r;
                        continue;
                }
                r = open_volume(s, p, &fs);
                if (r == -ENOMEM)
                        return r;
                if (r == -EOPNOTSUPP && !s->gfs) {
                        s->want_guestfs = true;
                        if (!s->why_guestfs &&
                            asprintf(&s->why_guestfs, "%s is %s", e->file, strempty(p->fs.type)) < 0)
                                return -ENOMEM;
                }
                if (r < 0) {
                        r = finding_list_add(&s->findings, "inspect.mount.unreadable",
                                             "%s (%s) could not be read by the %s backend", e->file,
                                             strempty(p->fs.type), s->gfs ? "guestfs" : "native");
                        if (r < 0)
                                return r;
                        continue;
                }
                r = guest_mount(s->guest, point, fs);
                if (r < 0)
                        return r;
                r = add_mount_record(s, point, p, p->fs.type);
                if (r < 0)
                        return r;
        }
        return 0;
}

static json_object *fs_info_json(const FsInfo *fs)
{
        json_object *o;

        if (!fs->type)
                return NULL;
        o = json_object_new_object();
        if (!o)
                return NULL;
        if (json_add_str(o, "type", fs->type) < 0 || json_add_str(o, "uuid", fs->uuid) < 0 ||
            json_add_str(o, "label", fs->label) < 0 || json_add_str(o, "version", fs->version) < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

static int partition_json(const Partition *p, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *fs;

        if (!o)
                return -ENOMEM;
        if ((p->number > 0 || !p->device) && json_add_int(o, "number", p->number) < 0)
                return -ENOMEM;
        if (json_add_int(o, "start", (int64_t) p->start) < 0 ||
            json_add_int(o, "size", (int64_t) p->size) < 0 || json_add_str(o, "type", p->type) < 0 ||
            json_add_str(o, "type_name", p->type_name) < 0 || json_add_str(o, "name", p->name) < 0 ||
            json_add_str(o, "uuid", p->uuid) < 0 || json_add_bool(o, "bootable", p->bootable) < 0)
                return -ENOMEM;
        if (p->device && p->number == 0 && json_add_str(o, "device", p->device) < 0)
                return -ENOMEM;
        fs = fs_info_json(&p->fs);
        if (p->fs.type && !fs)
                return -ENOMEM;
        if (json_add(o, "filesystem", fs) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

static int add_disk_section(Inventory *inv, const DiskLayout *d)
{
        json_object *disk = inventory_section(inv, "disk"), *parts, *lvs;
        int r;

        if (!disk || json_add_str(disk, "label", d->label) < 0 || json_add_str(disk, "id", d->id) < 0 ||
            json_add_int(disk, "size", (int64_t) d->size) < 0 ||
            json_add_int(disk, "sector_size", (int64_t) d->sector_size) < 0)
                return -ENOMEM;
        parts = json_get_or_add_array(disk, "partitions");
        lvs = json_get_or_add_array(disk, "logical_volumes");
        if (!parts || !lvs)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_partitions; i++) {
                json_object *o;
                r = partition_json(&d->partitions[i], &o);
                if (r < 0 || (r = json_append(parts, o)) < 0)
                        return r;
        }
        for (size_t i = 0; i < d->n_volumes; i++) {
                json_object *o;
                r = partition_json(&d->volumes[i], &o);
                if (r < 0 || (r = json_append(lvs, o)) < 0)
                        return r;
        }
        return 0;
}

static int add_source_section(Inventory *inv, const char *path, const Image *img, const char *backend)
{
        json_object *src = inventory_section(inv, "source");

        if (!src || json_add_str(src, "path", path) < 0 ||
            json_add_str(src, "format", img ? image_format_to_string(img->format) : "directory") < 0 ||
            json_add_str(src, "backend", backend) < 0)
                return -ENOMEM;
        if (!img)
                return 0;
        if (json_add_int(src, "size", (int64_t) img->file_size) < 0 ||
            (img->disk_size > 0 && json_add_int(src, "disk_size", (int64_t) img->disk_size) < 0))
                return -ENOMEM;
        if (img->has_vhd_footer) {
                json_object *v = json_get_or_add_object(src, "vhd");
                if (!v || json_add_str(v, "type", vhd_type_to_string(img->vhd.type)) < 0 ||
                    json_add_int(v, "current_size", (int64_t) img->vhd.current_size) < 0 ||
                    json_add_str(v, "creator_app", img->vhd.creator_app) < 0 ||
                    json_add_str(v, "creator_os", img->vhd.creator_os) < 0 ||
                    json_add_str(v, "unique_id", img->vhd.unique_id) < 0 ||
                    json_add_bool(v, "checksum_ok", img->vhd.checksum_ok) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Runs every collector; a failing one becomes a finding, only running out of memory stops. */
static int run_collectors(InspectContext *c)
{
        const Collector *all;
        size_t n;
        int r;

        all = collectors_all(&n);
        for (size_t i = 0; i < n; i++) {
                r = all[i].run(c);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        r = inventory_add_finding(c->inv, "inspect.collector.failed", NULL,
                                                  "collector '%s' failed: %s", all[i].name, strerror(-r));
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int build_inventory(Session *s, const char *path, const char *backend, Inventory **ret)
{
        _cleanup_(inventory_freep) Inventory *inv = NULL;
        InspectContext c;
        int r;

        r = inventory_new(&inv);
        if (r < 0)
                return r;
        r = add_source_section(inv, path, s->img, backend);
        if (r < 0)
                return r;
        if (s->img->findings.n > 0 && (r = inventory_add_findings(inv, &s->img->findings)) < 0)
                return r;
        r = add_disk_section(inv, s->layout);
        if (r < 0)
                return r;
        if ((r = inventory_add_findings(inv, &s->layout->findings)) < 0 ||
            (r = inventory_add_findings(inv, &s->findings)) < 0)
                return r;
        if (streq(s->layout->label, "none") &&
            (r = inventory_add_finding(inv, "disk.whole-disk-filesystem", NULL,
                                       "the image is one %s filesystem",
                                       strempty(s->layout->partitions[0].fs.type))) < 0)
                return r;
        if (json_add(inv->root, "mounts", json_object_get(s->mounts)) < 0)
                return -ENOMEM;

        c = (InspectContext){ .guest = s->guest, .inv = inv, .layout = s->layout };
        r = run_collectors(&c);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(inv);
        return 0;
}

/* Assembles the guest from the session's layout: root, then fstab mounts. Returns 1 when a
 * root was found, 0 when not, -errno. */
static int assemble_guest(Session *s)
{
        int r;

        s->mounts = json_object_new_array();
        if (!s->mounts)
                return -ENOMEM;
        r = find_root(s);
        if (r <= 0)
                return r;
        r = add_mount_record(s, "/", s->root, s->root->fs.type);
        if (r < 0)
                return r;
        r = mount_fstab(s);
        if (r < 0)
                return r;
        return 1;
}

static int inspect_with_guestfs(Session *s, const char *path, Inventory **ret, char **ret_message)
{
        _cleanup_free_ char *err = NULL;
        int r;

        /* Start again from the image alone: the native attempt's findings no longer apply. */
        guest_free(s->guest);
        s->guest = NULL;
        s->root = NULL;
        disk_layout_free(s->layout);
        s->layout = NULL;
        json_object_put(s->mounts);
        s->mounts = NULL;
        finding_list_done(&s->findings);
        free(s->failures);
        s->failures = NULL;

        r = guestfs_session_open(s->img, &s->gfs, &err);
        if (r < 0)
                return set_message(ret_message, "libguestfs could not open '%s': %s", path,
                                   err ?: strerror(-r)),
                       r;
        r = guestfs_session_layout(s->gfs, &s->layout);
        if (r < 0)
                return set_message(ret_message, "libguestfs could not list the disk of '%s': %s", path,
                                   strerror(-r)),
                       r;
        r = assemble_guest(s);
        if (r < 0)
                return set_message(ret_message, "inspecting '%s' failed: %s", path, strerror(-r)), r;
        if (r == 0)
                return set_message(ret_message, "no Linux root filesystem found on '%s'%s%s", path,
                                   s->failures ? ": " : "", strempty(s->failures)),
                       -ENOENT;
        return build_inventory(s, path, "guestfs", ret);
}

int inspect_image(const char *path, const InspectOptions *o, Inventory **ret, char **ret_message)
{
        _cleanup_(session_done) Session s = {};
        InspectBackend backend = o ? o->backend : INSPECT_BACKEND_AUTO;
        int r;

        r = image_open(path, &s.img);
        if (r < 0) {
                const char *why = image_strerror(r);
                set_message(ret_message, "'%s' %s", path, why ?: strerror(-r));
                return r;
        }

        if (backend == INSPECT_BACKEND_GUESTFS)
                return inspect_with_guestfs(&s, path, ret, ret_message);
        if (!s.img->native) {
                if (backend == INSPECT_BACKEND_NATIVE)
                        return set_message(ret_message,
                                           "'%s' is a %s image, which only the guestfs backend reads "
                                           "(--backend guestfs or auto)",
                                           path, image_format_to_string(s.img->format)),
                               -EOPNOTSUPP;
                return inspect_with_guestfs(&s, path, ret, ret_message);
        }

        r = disk_layout_read(s.img, &s.layout);
        if (r == -EMEDIUMTYPE)
                return set_message(ret_message, "'%s' has neither a partition table nor a filesystem", path),
                       r;
        if (r < 0)
                return set_message(ret_message, "reading the partition table of '%s' failed: %s", path,
                                   strerror(-r)),
                       r;
        r = assemble_guest(&s);
        if (r < 0)
                return set_message(ret_message, "inspecting '%s' failed: %s", path, strerror(-r)), r;
        if (backend == INSPECT_BACKEND_AUTO && (s.want_guestfs || s.why_guestfs)) {
                log_debug("switching to libguestfs: %s", s.why_guestfs ?: "native reader insufficient");
                return inspect_with_guestfs(&s, path, ret, ret_message);
        }
        if (r == 0)
                return set_message(ret_message, "no Linux root filesystem found on '%s'%s%s", path,
                                   s.failures ? ": " : "", strempty(s.failures)),
                       -ENOENT;
        return build_inventory(&s, path, "native", ret);
}

static const char *statfs_type_name(long type)
{
        switch ((unsigned long) type) {
        case 0xEF53:
                return "ext4"; /* ext2/3/4 share the magic; ext4 is what AKS uses */
        case 0x58465342:
                return "xfs";
        case 0x9123683E:
                return "btrfs";
        case 0x01021994:
                return "tmpfs";
        case 0x794c7630:
                return "overlay";
        default:
                return NULL;
        }
}

int inspect_root(const char *dir, Inventory **ret, char **ret_message)
{
        _cleanup_(guest_freep) Guest *g = NULL;
        _cleanup_(inventory_freep) Inventory *inv = NULL;
        json_object *mounts, *m;
        GuestFs *fs = NULL;
        struct statfs sfs;
        InspectContext c;
        int r;

        r = guest_dir_open(dir, &fs);
        if (r == -ENOSYS)
                return set_message(ret_message,
                                   "the kernel lacks openat2(), which --root needs to stay inside '%s'",
                                   dir),
                       r;
        if (r < 0)
                return set_message(ret_message, "cannot open root directory '%s': %s", dir, strerror(-r)), r;
        r = guest_new(&g);
        if (r < 0) {
                guest_fs_free(fs);
                return r;
        }
        r = guest_mount(g, "/", fs);
        if (r < 0)
                return r;
        r = volume_is_root(g);
        if (r < 0)
                return set_message(ret_message, "reading '%s' failed: %s", dir, strerror(-r)), r;
        if (r == 0)
                return set_message(ret_message, "'%s' is not a Linux root: no /etc/os-release and /usr",
                                   dir),
                       -ENOENT;

        r = inventory_new(&inv);
        if (r < 0)
                return r;
        r = add_source_section(inv, dir, NULL, "directory");
        if (r < 0)
                return r;
        if (json_add(inv->root, "disk", NULL) < 0)
                return -ENOMEM;
        mounts = json_get_or_add_array(inv->root, "mounts");
        m = json_object_new_object();
        if (!mounts || !m || json_append(mounts, m) < 0 || json_add_str(m, "mountpoint", "/") < 0 ||
            json_add_str(m, "type", statfs(dir, &sfs) == 0 ? statfs_type_name(sfs.f_type) : NULL) < 0 ||
            add_space(g, "/", m) < 0)
                return -ENOMEM;

        c = (InspectContext){ .guest = g, .inv = inv, .layout = NULL };
        r = run_collectors(&c);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(inv);
        return 0;
}
