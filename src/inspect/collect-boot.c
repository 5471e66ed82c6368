/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shared/env-file.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "collect.h"
#include "conf-files.h"
#include "kernels.h"

#define ESP_MOUNT          "/boot/efi"
#define GPT_TYPE_ESP       "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
#define GPT_TYPE_BIOS_BOOT "21686148-6449-6e6f-744e-656564454649"
#define MBR_TYPE_ESP       "0xef"

/* What the boot collector learns before it decides anything. */
typedef struct BootFacts {
        const Partition *esp_part;  /* by partition type */
        const Partition *bios_part; /* GPT "BIOS boot" */
        bool mbr_active;            /* a DOS label with an active (bootable) partition */
        bool esp_mounted;
        int64_t esp_number; /* -1: unknown */
        char **loaders;     /* "/EFI/ubuntu/shimx64.efi", sorted */
        bool efi_systemd;   /* an EFI/systemd directory */
        char **platforms;   /* GRUB platform directories present: "i386-pc", "x86_64-efi", ... */
        const char *grub_cfg;
} BootFacts;

static void boot_facts_done(BootFacts *f)
{
        strv_free(f->loaders);
        strv_free(f->platforms);
}

static bool type_is(const char *type, const char *want)
{
        return type && strcasecmp(type, want) == 0;
}

static void scan_partitions(const DiskLayout *d, BootFacts *f)
{
        for (size_t i = 0; d && i < d->n_partitions; i++) {
                const Partition *p = &d->partitions[i];

                if (!f->esp_part && (type_is(p->type, GPT_TYPE_ESP) || type_is(p->type, MBR_TYPE_ESP)))
                        f->esp_part = p;
                if (!f->bios_part && type_is(p->type, GPT_TYPE_BIOS_BOOT))
                        f->bios_part = p;
                if (streq_ptr(d->label, "dos") && p->bootable && !p->container)
                        f->mbr_active = true;
        }
}

/* The partition the inspect core mounted at /boot/efi, from the inventory's mounts; -1 if none. */
static int64_t mounted_partition(Inventory *inv, const char *point, bool *ret_mounted)
{
        json_object *mounts = json_get(inv->root, "mounts");
        size_t n = mounts && json_object_is_type(mounts, json_type_array) ? json_object_array_length(mounts)
                                                                          : 0;

        *ret_mounted = false;
        for (size_t i = 0; i < n; i++) {
                json_object *m = json_object_array_get_idx(mounts, i);
                if (streq_ptr(json_get_str(m, "mountpoint"), point)) {
                        *ret_mounted = true;
                        return json_get_int(m, "partition", -1);
                }
        }
        return -1;
}

static bool is_efi_binary(const char *name)
{
        size_t n = strlen(name);
        return n > 4 && strcasecmp(name + n - 4, ".efi") == 0;
}

/* EFI binaries on the ESP, at most two levels below EFI/: "/EFI/BOOT/BOOTX64.EFI". */
static int scan_esp(InspectContext *c, BootFacts *f)
{
        GuestDirEntry *top = NULL;
        size_t n_top = 0;
        int r;

        r = conf_read_dir_capped(c, ESP_MOUNT "/EFI", &top, &n_top);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < n_top; i++) {
                GuestDirEntry *sub = NULL;
                size_t n_sub = 0;
                char *p;

                if (top[i].type == GUEST_FILE_REGULAR && is_efi_binary(top[i].name)) {
                        if (asprintf(&p, "/EFI/%s", top[i].name) < 0 || strv_consume(&f->loaders, p) < 0)
                                goto oom;
                        continue;
                }
                if (top[i].type != GUEST_FILE_DIRECTORY)
                        continue;
                if (strcasecmp(top[i].name, "systemd") == 0)
                        f->efi_systemd = true;
                {
                        _cleanup_free_ char *dir = path_join(ESP_MOUNT "/EFI", top[i].name);
                        if (!dir)
                                goto oom;
                        r = conf_read_dir_capped(c, dir, &sub, &n_sub);
                }
                if (r < 0) {
                        guest_dir_entries_free(top, n_top);
                        return r;
                }
                for (size_t j = 0; j < n_sub; j++) {
                        if (sub[j].type != GUEST_FILE_REGULAR || !is_efi_binary(sub[j].name))
                                continue;
                        if (asprintf(&p, "/EFI/%s/%s", top[i].name, sub[j].name) < 0 ||
                            strv_consume(&f->loaders, p) < 0) {
                                guest_dir_entries_free(sub, n_sub);
                                goto oom;
                        }
                }
                guest_dir_entries_free(sub, n_sub);
        }
        guest_dir_entries_free(top, n_top);
        strv_sort(f->loaders);
        return 0;
oom:
        guest_dir_entries_free(top, n_top);
        return -ENOMEM;
}

static bool loader_matches(char *const *loaders, const char *prefix)
{
        for (size_t i = 0; loaders && loaders[i]; i++) {
                const char *b = path_basename(loaders[i]);
                if (strncasecmp(b, prefix, strlen(prefix)) == 0)
                        return true;
        }
        return false;
}

static int scan_grub(InspectContext *c, BootFacts *f)
{
        static const char *const cfgs[] = { "/boot/grub/grub.cfg", "/boot/grub2/grub.cfg" };
        static const char *const platforms[] = { "i386-pc", "x86_64-efi", "i386-efi", "arm64-efi" };
        static const char *const dirs[] = { "/boot/grub", "/boot/grub2" };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(cfgs) && !f->grub_cfg; i++) {
                r = guest_is_type(c->guest, cfgs[i], GUEST_FILE_REGULAR);
                if (r < 0)
                        return r;
                if (r > 0)
                        f->grub_cfg = cfgs[i];
        }
        for (size_t i = 0; i < ELEMENTSOF(platforms); i++)
                for (size_t j = 0; j < ELEMENTSOF(dirs); j++) {
                        _cleanup_free_ char *p = path_join(dirs[j], platforms[i]);
                        if (!p)
                                return -ENOMEM;
                        r = guest_is_type(c->guest, p, GUEST_FILE_DIRECTORY);
                        if (r < 0)
                                return r;
                        if (r > 0) {
                                if (strv_extend(&f->platforms, platforms[i]) < 0)
                                        return -ENOMEM;
                                break;
                        }
                }
        return 0;
}

/* Firmware, boot loader and the ESP. */
static int add_firmware(InspectContext *c, json_object *boot, BootFacts *f)
{
        bool uefi, bios, gpt = c->layout && streq_ptr(c->layout->label, "gpt");
        bool grub_efi = strv_contains(f->platforms, "x86_64-efi") ||
                        strv_contains(f->platforms, "i386-efi") || strv_contains(f->platforms, "arm64-efi");
        const char *firmware, *loader = NULL;
        json_object *esp, *l;
        int r;

        if (c->layout) {
                uefi = f->esp_part && f->loaders;
                bios = f->bios_part || (f->mbr_active && strv_contains(f->platforms, "i386-pc"));
        } else {
                uefi = f->loaders || grub_efi;
                bios = strv_contains(f->platforms, "i386-pc");
        }
        firmware = uefi && bios ? "hybrid" : uefi ? "uefi" : bios ? "bios" : "unknown";

        if (f->grub_cfg || loader_matches(f->loaders, "grub"))
                loader = "grub2";
        else if (f->efi_systemd ||
                 guest_is_type(c->guest, ESP_MOUNT "/loader/loader.conf", GUEST_FILE_REGULAR) > 0)
                loader = "systemd-boot";

        esp = json_get_or_add_object(boot, "esp");
        l = conf_strv_json(f->loaders);
        if (!esp || !l || json_add(esp, "loaders", l) < 0)
                return -ENOMEM;
        if (json_add_str(esp, "mounted_at", f->esp_mounted ? ESP_MOUNT : NULL) < 0 ||
            json_add(esp, "partition", f->esp_number > 0 ? json_object_new_int64(f->esp_number) : NULL) <
                    0 ||
            json_add_str(boot, "firmware", firmware) < 0 || json_add_str(boot, "bootloader", loader) < 0 ||
            json_add_bool(boot, "secure_boot_chain", loader_matches(f->loaders, "shim")) < 0 ||
            json_add(boot, "bios_boot_partition",
                     f->bios_part ? json_object_new_int64(f->bios_part->number) : NULL) < 0)
                return -ENOMEM;

        if (c->layout && !f->esp_part && gpt)
                r = inventory_add_finding(
                        c->inv, "boot.esp.missing", NULL,
                        "the GPT disk has no EFI system partition: it cannot boot with UEFI "
                        "firmware (Azure generation 2 VMs)");
        else if (f->esp_part && !f->loaders)
                r = inventory_add_finding(
                        c->inv, "boot.esp.missing", ESP_MOUNT,
                        "partition %u is an EFI system partition, but no EFI binaries could be "
                        "read from it at " ESP_MOUNT "/EFI",
                        f->esp_part->number);
        else if (!c->layout && uefi && !f->loaders)
                r = inventory_add_finding(
                        c->inv, "boot.esp.missing", ESP_MOUNT,
                        "GRUB is installed for EFI, but no EFI binaries are readable under " ESP_MOUNT
                        "/EFI");
        else
                r = 0;
        return r;
}

/* Names of the non-directories in /boot and the directories in /lib/modules. */
static int list_names(InspectContext *c, const char *path, bool dirs, char ***names)
{
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        r = conf_read_dir_capped(c, path, &e, &n);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                if ((e[i].type == GUEST_FILE_DIRECTORY) != dirs || strv_contains(*names, e[i].name))
                        continue;
                if (strv_extend(names, e[i].name) < 0) {
                        guest_dir_entries_free(e, n);
                        return -ENOMEM;
                }
        }
        guest_dir_entries_free(e, n);
        return 0;
}

static int add_kernels(InspectContext *c, json_object *boot)
{
        static const char *const links[] = { "/boot/vmlinuz", "/vmlinuz" };
        _cleanup_strv_free_ char **boot_files = NULL, **module_dirs = NULL;
        _cleanup_(kernel_list_done) KernelList l = {};
        json_object *items = json_get_or_add_array(boot, "kernels");
        const char *def = NULL;
        _cleanup_free_ char *target = NULL;
        size_t with_image = 0;
        int r;

        if (!items)
                return -ENOMEM;
        if ((r = list_names(c, "/boot", false, &boot_files)) < 0 ||
            (r = list_names(c, "/lib/modules", true, &module_dirs)) < 0 ||
            (r = list_names(c, "/usr/lib/modules", true, &module_dirs)) < 0)
                return r;
        r = kernel_list_build(boot_files, module_dirs, &l);
        if (r < 0)
                return r;

        for (size_t i = 0; i < l.n; i++) {
                const Kernel *k = &l.items[i];
                _cleanup_json_ json_object *o = json_object_new_object();

                if (!o || json_add_str(o, "version", k->version) < 0 ||
                    json_add_str(o, "image", k->image) < 0 || json_add_str(o, "initrd", k->initrd) < 0 ||
                    json_add_bool(o, "modules", k->modules) < 0 || json_append(items, TAKE_PTR(o)) < 0)
                        return -ENOMEM;
                if (!k->image)
                        continue;
                with_image++;
                if (!k->initrd &&
                    (r = inventory_add_finding(c->inv, "boot.initrd.missing", k->image,
                                               "kernel %s has no /boot/initrd.img-%s (or initramfs-%s.img)",
                                               k->version, k->version, k->version)) < 0)
                        return r;
        }
        if (with_image == 0) {
                r = inventory_add_finding(
                        c->inv, "boot.kernel.missing", "/boot", "no kernel image (/boot/vmlinuz-*) found%s",
                        l.n > 0 ? "; /lib/modules has modules of kernels that are not installed" : "");
                if (r < 0)
                        return r;
        }

        /* The default kernel: what the /boot/vmlinuz (or /vmlinuz) link points at. */
        for (size_t i = 0; i < ELEMENTSOF(links) && !def; i++) {
                target = mfree(target);
                r = guest_readlink(c->guest, links[i], &target);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0)
                        def = kernel_image_version(path_basename(target));
        }
        return json_add_str(boot, "default_kernel", def);
}

/* GRUB_TIMEOUT as a number; -1 means "wait for ever". */
static json_object *timeout_json(const char *v)
{
        char *end;
        long t;

        if (isempty(v))
                return NULL;
        errno = 0;
        t = strtol(v, &end, 10);
        if (errno != 0 || *end != 0 || t < -1 || t > INT_MAX)
                return NULL;
        return json_object_new_int64(t);
}

/* "${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}" as words separated by one space: fragments
 * written as GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX apparmor=1" leave stray blanks. */
static int add_cmdline(json_object *boot, const char *linux_, const char *linux_default)
{
        _cleanup_strv_free_ char **words = NULL, **more = NULL;
        _cleanup_free_ char *joined = NULL;

        if (strv_split(strempty(linux_), " \t\n", &words) < 0 ||
            strv_split(strempty(linux_default), " \t\n", &more) < 0)
                return -ENOMEM;
        STRV_FOREACH(w, more)
                if (strv_extend(&words, *w) < 0)
                        return -ENOMEM;
        joined = strv_join(words, " ");
        if (!joined)
                return -ENOMEM;
        return json_add_str(boot, "cmdline", joined);
}

/* The kernel command line update-grub builds: /etc/default/grub, then the .cfg files of
 * /etc/default/grub.d in name order, sourced into one shell (later assignments win, $VAR expands). */
static int add_grub(InspectContext *c, json_object *boot, const BootFacts *f)
{
        _cleanup_strv_free_ char **env = NULL, **sources = NULL;
        json_object *grub = json_get_or_add_object(boot, "grub"), *vars, *s, *p;
        const char *linux_, *linux_default;
        GuestDirEntry *e = NULL;
        size_t n = 0, unparsed = 0;
        int r;

        if (!grub)
                return -ENOMEM;
        r = strv_extend(&sources, "/etc/default/grub");
        if (r < 0)
                return r;
        r = conf_read_dir_capped(c, "/etc/default/grub.d", &e, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char *path;
                if (!endswith(e[i].name, ".cfg") || e[i].type == GUEST_FILE_DIRECTORY)
                        continue;
                path = path_join("/etc/default/grub.d", e[i].name);
                if (!path || strv_consume(&sources, path) < 0) {
                        guest_dir_entries_free(e, n);
                        return -ENOMEM;
                }
        }
        guest_dir_entries_free(e, n);

        s = json_object_new_array();
        if (!s || json_add(grub, "sources", s) < 0)
                return -ENOMEM;
        STRV_FOREACH(src, sources) {
                _cleanup_free_ char *buf = NULL;
                size_t size = 0, skipped = 0;

                r = collect_read_file(c, *src, CONFIG_FILE_MAX, &buf, &size);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                r = env_file_parse(buf, size, &env, &skipped);
                if (r < 0)
                        return r;
                unparsed += skipped;
                if (json_append_str(s, *src) < 0)
                        return -ENOMEM;
        }

        linux_ = env_get(env, "GRUB_CMDLINE_LINUX");
        linux_default = env_get(env, "GRUB_CMDLINE_LINUX_DEFAULT");
        vars = json_get_or_add_object(grub, "variables");
        p = conf_strv_json(f->platforms);
        if (!vars || !p || json_add(grub, "platforms", p) < 0)
                return -ENOMEM;
        STRV_FOREACH(v, env) {
                const char *eq = strchr(*v, '=');
                _cleanup_free_ char *k = NULL;

                if (!startswith(*v, "GRUB_") || !eq)
                        continue;
                k = strndup(*v, (size_t) (eq - *v));
                if (!k || json_add_str(vars, k, eq + 1) < 0)
                        return -ENOMEM;
        }
        if (json_add_str(grub, "config", f->grub_cfg) < 0 ||
            json_add_str(grub, "cmdline_linux", linux_) < 0 ||
            json_add_str(grub, "cmdline_linux_default", linux_default) < 0 ||
            json_add(grub, "timeout", timeout_json(env_get(env, "GRUB_TIMEOUT"))) < 0 ||
            json_add_str(grub, "default", env_get(env, "GRUB_DEFAULT")) < 0 ||
            json_add_int(grub, "unparsed", (int64_t) unparsed) < 0)
                return -ENOMEM;

        /* grub-mkconfig's 10_linux passes "${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}". */
        if (json_object_array_length(s) == 0)
                return json_add_str(boot, "cmdline", NULL);
        return add_cmdline(boot, linux_, linux_default);
}

/* boot: firmware (uefi, bios, hybrid, unknown), boot loader, the ESP and its EFI binaries, the
 * installed kernels and the kernel command line GRUB is configured to pass. */
int collect_boot(InspectContext *c)
{
        _cleanup_(boot_facts_done) BootFacts f = { .esp_number = -1 };
        json_object *boot = inventory_section(c->inv, "boot");
        int r;

        if (!boot)
                return -ENOMEM;
        scan_partitions(c->layout, &f);
        if (c->layout) {
                f.esp_number = mounted_partition(c->inv, ESP_MOUNT, &f.esp_mounted);
                if (f.esp_number <= 0 && f.esp_part)
                        f.esp_number = f.esp_part->number;
        } else {
                r = guest_is_type(c->guest, ESP_MOUNT "/EFI", GUEST_FILE_DIRECTORY);
                if (r < 0)
                        return r;
                f.esp_mounted = r > 0;
        }
        if (f.esp_mounted && (r = scan_esp(c, &f)) < 0)
                return r;
        if ((r = scan_grub(c, &f)) < 0 || (r = add_firmware(c, boot, &f)) < 0 ||
            (r = add_kernels(c, boot)) < 0)
                return r;
        return add_grub(c, boot, &f);
}
