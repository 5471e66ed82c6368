/* SPDX-License-Identifier: MIT */
/* install-boot and write-firstboot: after swap-root the root filesystem holds the target's tree;
 * these steps make it boot and finish its package set.
 *
 * install-boot
 *   - picks the newest target kernel in /boot that has a dracut initramfs and modules;
 *   - writes /boot/grub2/grub.cfg: one entry, the root found by its filesystem UUID, the kernel
 *     command line of the target's /etc/default/grub (where carry-config put the node's
 *     parameters the plan carries);
 *   - copies the target's shim and GRUB (from /.azlmigrate/displaced/boot/efi/EFI/BOOT, where
 *     swap-root put the target's ESP content, or the root's /boot/efi) to the ESP: the removable
 *     path /EFI/BOOT/BOOTX64.EFI (what Azure's firmware boots), /EFI/azurelinux, and the names
 *     the source's boot entries point at (/EFI/ubuntu/shimx64.efi), each with a grub.cfg that
 *     finds the root by UUID and reads /boot/grub2/grub.cfg; the source's fallback and MOK
 *     manager binaries (fbx64.efi, mmx64.efi) are removed, the target's shim would refuse them;
 *   - BIOS (a kept /boot/grub): the source's GRUB in the BIOS boot partition reads
 *     /boot/grub/grub.cfg, which is replaced by one that reads /boot/grub2/grub.cfg.
 * write-firstboot
 *   - a target that runs SELinux gets /.autorelabel: what the conversion wrote has no labels;
 *   - the plan's packages.counts.to_install (mapped packages the target image lacks) go to
 *     /var/lib/azlmigrate/firstboot-packages, and a oneshot unit installs them with tdnf at the
 *     first boot with network, then renames the list (so it runs once). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inspect/kernels.h"
#include "shared/env-file.h"
#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "copy.h"
#include "step-common.h"
#include "steps.h"

#define CONFIG_MAX   (1024u * 1024u)
#define EFI_FILE_MAX (64u * 1024u * 1024u)
#define CMDLINE_MAX  4096u

static int read_env(Guest *g, const char *path, char ***env)
{
        _cleanup_free_ char *buf = NULL;
        size_t size;
        int r;

        r = guest_read_file(g, path, CONFIG_MAX, &buf, &size);
        if (r == -ENOENT || r == -EISDIR || r == -EPERM)
                return 0;
        if (r < 0)
                return r;
        return env_file_parse(buf, size, env, NULL);
}

/* GRUB_CMDLINE_LINUX and _DEFAULT of a /etc/default/grub and its grub.d/NAME.cfg files, under root. */
static int grub_cmdline(Guest *g, const char *root, char **ret)
{
        _cleanup_free_ char *file = path_join(root, "etc/default/grub"),
                            *dir = path_join(root, "etc/default/grub.d");
        _cleanup_strv_free_ char **env = NULL;
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        if (!file || !dir)
                return -ENOMEM;
        r = read_env(g, file, &env);
        if (r < 0)
                return r;
        r = guest_read_dir(g, dir, &e, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *p = NULL;
                if (!endswith(e[i].name, ".cfg"))
                        continue;
                p = path_join(dir, e[i].name);
                r = p ? read_env(g, p, &env) : -ENOMEM;
        }
        guest_dir_entries_free(e, n);
        if (r < 0 && r != -ENOENT && r != -ENOTDIR)
                return r;
        if (asprintf(ret, "%s %s", strempty(env_get(env, "GRUB_CMDLINE_LINUX")),
                     strempty(env_get(env, "GRUB_CMDLINE_LINUX_DEFAULT"))) < 0)
                return -ENOMEM;
        return 0;
}

/* Safe in a grub.cfg "linux" line: printable, no quoting or expansion characters. */
static bool cmdline_arg_ok(const char *a)
{
        return !isempty(a) && strlen(a) < 256 && str_in_charset(a, "=.,:-_/+@");
}

/* The kernel arguments of the target's /etc/default/grub, which carry-config wrote from the plan
 * (kernel.cmdline.written: the node's parameters the rules carry), without root=, ro and rw. */
static int build_cmdline(StepContext *c, Guest *g, char **ret)
{
        _cleanup_free_ char *target = NULL;
        _cleanup_strv_free_ char **args = NULL, **t = NULL;
        char *joined;
        int r;

        r = grub_cmdline(g, "/", &target);
        if (r < 0)
                return r;
        if (strv_split(target, " \t", &t) < 0)
                return -ENOMEM;
        STRV_FOREACH(a, t) {
                if (startswith(*a, "root=") || streq(*a, "ro") || streq(*a, "rw"))
                        continue;
                if (!cmdline_arg_ok(*a)) {
                        exec_finding(c, "exec.boot.cmdline-arg-dropped", "medium",
                                     "kernel argument '%s' dropped: not a plain parameter", *a);
                        continue;
                }
                if (!strv_contains(args, *a) && strv_extend(&args, *a) < 0)
                        return -ENOMEM;
        }
        joined = strv_join(args, " ");
        if (!joined)
                return -ENOMEM;
        if (strlen(joined) > CMDLINE_MAX) {
                free(joined);
                return -E2BIG;
        }
        *ret = joined;
        return 0;
}

/* The newest kernel of the target with an initramfs and modules. */
static int pick_kernel(Guest *g, char **ret_version, char **ret_image, char **ret_initrd)
{
        _cleanup_strv_free_ char **boot = NULL, **modules = NULL;
        KernelList l = {};
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        r = guest_read_dir(g, "/boot", &e, &n);
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (e[i].type == GUEST_FILE_REGULAR && strv_extend(&boot, e[i].name) < 0)
                        r = -ENOMEM;
        guest_dir_entries_free(e, n);
        if (r < 0)
                return r;
        r = guest_read_dir(g, "/usr/lib/modules", &e, &n);
        if (r == -ENOENT)
                n = 0, r = 0;
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (e[i].type == GUEST_FILE_DIRECTORY && strv_extend(&modules, e[i].name) < 0)
                        r = -ENOMEM;
        guest_dir_entries_free(e, n);
        if (r < 0)
                return r;
        r = kernel_list_build(boot, modules, &l);
        if (r < 0)
                return r;
        r = -ENOENT;
        for (size_t i = l.n; i > 0; i--) {
                Kernel *k = &l.items[i - 1];
                if (!k->image || !k->initrd || !k->modules ||
                    !startswith(path_basename(k->initrd), "initramfs-"))
                        continue;
                *ret_version = strdup(k->version);
                *ret_image = strdup(k->image);
                *ret_initrd = strdup(k->initrd);
                r = *ret_version && *ret_image && *ret_initrd ? 0 : -ENOMEM;
                break;
        }
        kernel_list_done(&l);
        return r;
}

static int write_grub_cfg(StepContext *c, GuestWriter *w, const char *uuid, const char *version,
                          const char *image, const char *initrd, const char *cmdline)
{
        _cleanup_free_ char *cfg = NULL;

        if (asprintf(&cfg,
                     "# Written by azlmigrate (install-boot): boots the converted Azure Linux root.\n"
                     "# To regenerate it on the node: grub2-mkconfig -o /boot/grub2/grub.cfg\n"
                     "set default=0\n"
                     "set timeout=1\n"
                     "insmod part_gpt\n"
                     "insmod ext2\n"
                     "search --no-floppy --fs-uuid --set=root %s\n"
                     "menuentry 'Azure Linux (%s)' {\n"
                     "\tlinux %s root=UUID=%s ro %s\n"
                     "\tinitrd %s\n"
                     "}\n",
                     uuid, version, image, uuid, cmdline, initrd) < 0)
                return -ENOMEM;
        exec_log(c, LOG_LEVEL_INFO, "%s boots %s with: root=UUID=%s ro %s", STEPS_GRUB_CFG, image, uuid,
                 cmdline);
        return copy_write_text(w, STEPS_GRUB_CFG, cfg, 0600);
}

/* The stub an EFI GRUB (or the BIOS one) reads first: find the root, read its configuration. */
static char *stub_cfg(const char *uuid)
{
        char *s;

        if (asprintf(&s,
                     "# Written by azlmigrate (install-boot).\n"
                     "search --no-floppy --fs-uuid --set=root %s\n"
                     "set prefix=($root)/boot/grub2\n"
                     "configfile ($root)" STEPS_GRUB_CFG "\n",
                     uuid) < 0)
                return NULL;
        return s;
}

/* Reads a file of the root filesystem (the target's EFI binaries) whole. */
static int read_root_file(Guest *g, const char *const *candidates, char **ret, size_t *ret_size,
                          const char **ret_path)
{
        for (const char *const *p = candidates; *p; p++) {
                int r = guest_read_file(g, *p, EFI_FILE_MAX, ret, ret_size);
                if (r == -ENOENT || r == -ENOTDIR)
                        continue;
                if (r >= 0)
                        *ret_path = *p;
                return r;
        }
        return -ENOENT;
}

static int esp_write(GuestWriter *esp, const char *path, const void *data, size_t size)
{
        int r = copy_mkdir_parent(esp, path);

        if (r < 0)
                return r;
        return guest_writer_write_file(esp, path, data, size, 0755, 0, 0, GUEST_WRITER_KEEP_TIME);
}

static int esp_remove_if(GuestWriter *esp, const char *path)
{
        int r = copy_exists(esp, path);
        return r <= 0 ? r : guest_writer_remove(esp, path);
}

static int install_esp(StepContext *c, Guest *g, GuestWriter *esp, const char *uuid)
{
        static const char *const shim_paths[] = {
                STEPS_DISPLACED_DIR "/boot/efi/EFI/BOOT/bootx64.efi",
                STEPS_DISPLACED_DIR "/boot/efi/EFI/BOOT/BOOTX64.EFI",
                "/boot/efi/EFI/BOOT/bootx64.efi",
                "/boot/efi/EFI/BOOT/BOOTX64.EFI",
                NULL,
        };
        static const char *const grub_paths[] = {
                STEPS_DISPLACED_DIR "/boot/efi/EFI/BOOT/grubx64.efi",
                STEPS_DISPLACED_DIR "/boot/efi/EFI/BOOT/GRUBX64.EFI",
                "/boot/efi/EFI/BOOT/grubx64.efi",
                "/boot/efi/EFI/BOOT/GRUBX64.EFI",
                NULL,
        };
        /* Where the files go: the removable path, the target's own directory, the names the
         * source's firmware boot entries use. */
        static const struct {
                const char *dir, *shim;
        } dests[] = {
                { "/EFI/BOOT", "BOOTX64.EFI" },
                { "/EFI/azurelinux", "shimx64.efi" },
                { "/EFI/ubuntu", "shimx64.efi" },
        };
        _cleanup_free_ char *shim = NULL, *grub = NULL, *stub = stub_cfg(uuid);
        const char *shim_from = NULL, *grub_from = NULL;
        size_t shim_size = 0, grub_size = 0;
        int r;

        if (!stub)
                return -ENOMEM;
        r = read_root_file(g, shim_paths, &shim, &shim_size, &shim_from);
        if (r < 0)
                return exec_step_error(
                        c, r,
                        "the target has no shim (EFI/BOOT/bootx64.efi of the shim package): %s; a "
                        "target root made from an Azure Linux image has one",
                        strerror(-r));
        r = read_root_file(g, grub_paths, &grub, &grub_size, &grub_from);
        if (r < 0)
                return exec_step_error(
                        c, r, "the target has no EFI GRUB (EFI/BOOT/grubx64.efi of grub2-efi-binary): %s",
                        strerror(-r));
        exec_log(c, LOG_LEVEL_INFO, "shim from %s (%zu bytes), GRUB from %s (%zu bytes)", shim_from,
                 shim_size, grub_from, grub_size);

        for (size_t i = 0; i < ELEMENTSOF(dests); i++) {
                _cleanup_free_ char *s = path_join(dests[i].dir, dests[i].shim),
                                    *gr = path_join(dests[i].dir, "grubx64.efi"),
                                    *cfg = path_join(dests[i].dir, "grub.cfg"),
                                    *fb = path_join(dests[i].dir, "fbx64.efi"),
                                    *mm = path_join(dests[i].dir, "mmx64.efi");
                if (!s || !gr || !cfg || !fb || !mm)
                        return -ENOMEM;
                if ((r = esp_write(esp, s, shim, shim_size)) < 0 ||
                    (r = esp_write(esp, gr, grub, grub_size)) < 0 ||
                    (r = esp_write(esp, cfg, stub, strlen(stub))) < 0 || (r = esp_remove_if(esp, fb)) < 0 ||
                    (r = esp_remove_if(esp, mm)) < 0)
                        return exec_step_error(c, r, "writing the boot loader to the ESP (%s) failed: %s",
                                               dests[i].dir, strerror(-r));
                c->bytes += (int64_t) (shim_size + grub_size);
        }
        /* Where the target's GRUB looks with its built-in prefix. */
        r = esp_write(esp, STEPS_GRUB_CFG, stub, strlen(stub));
        if (r < 0)
                return exec_step_error(c, r, "writing %s to the ESP failed: %s", STEPS_GRUB_CFG,
                                       strerror(-r));
        return 0;
}

static int step_install_boot(StepContext *c)
{
        _cleanup_free_ char *version = NULL, *image = NULL, *initrd = NULL, *cmdline = NULL, *stub = NULL;
        _cleanup_(guest_freep) Guest *g = NULL;
        _cleanup_free_ char *fstab_uuid = NULL;
        _cleanup_strv_free_ char **fstab_mounts = NULL;
        const char *uuid = steps_root_uuid(c->plan);
        GuestWriter *w = NULL, *esp = NULL;
        const char *reason = NULL;
        int r;

        r = steps_check_layout(c->plan, c->mode, &reason);
        if (r < 0)
                return exec_step_error(c, r, "%s", reason);
        r = exec_open_root_writer(c, &w);
        if (r < 0)
                return exec_step_error(c, r, "cannot write the root filesystem: %s", strerror(-r));
        r = copy_writer_view(w, &g);
        if (r < 0)
                return exec_step_error(c, r, "cannot read the root filesystem: %s", strerror(-r));

        /* A mounted root's inventory has no filesystem UUIDs: its fstab names the root. */
        if (!uuid) {
                r = steps_fstab(g, &fstab_mounts, &fstab_uuid);
                if (r < 0)
                        return exec_step_error(c, r, "cannot read /etc/fstab: %s", strerror(-r));
                uuid = fstab_uuid;
        }
        if (!uuid || !str_in_charset(uuid, "-"))
                return exec_step_error(
                        c, -EBADMSG,
                        "neither the plan nor /etc/fstab says the root filesystem's UUID: GRUB "
                        "could not find it");

        r = pick_kernel(g, &version, &image, &initrd);
        if (r < 0)
                return exec_step_error(
                        c, r,
                        "the target has no kernel with an initramfs and modules in /boot and "
                        "/usr/lib/modules (%s); a target root made from an Azure Linux image has them",
                        strerror(-r));
        r = build_cmdline(c, g, &cmdline);
        if (r < 0)
                return exec_step_error(c, r, "cannot build the kernel command line: %s", strerror(-r));
        c->bytes = 0;
        r = write_grub_cfg(c, w, uuid, version, image, initrd, cmdline);
        if (r < 0)
                return exec_step_error(c, r, "writing %s failed: %s", STEPS_GRUB_CFG, strerror(-r));

        /* BIOS: the kept /boot/grub of the source's GRUB now only leads to the target's. */
        if (guest_is_type(g, STEPS_BIOS_GRUB_DIR, GUEST_FILE_DIRECTORY) > 0) {
                stub = stub_cfg(uuid);
                if (!stub)
                        return -ENOMEM;
                r = guest_writer_write_file(w, STEPS_BIOS_GRUB_DIR "/grub.cfg", stub, strlen(stub), 0444, 0,
                                            0, GUEST_WRITER_KEEP_TIME);
                if (r < 0)
                        return exec_step_error(c, r, "writing %s/grub.cfg failed: %s", STEPS_BIOS_GRUB_DIR,
                                               strerror(-r));
                exec_log(c, LOG_LEVEL_INFO, "BIOS boot: %s/grub.cfg reads %s", STEPS_BIOS_GRUB_DIR,
                         STEPS_GRUB_CFG);
        }

        r = steps_node_has_esp(c->plan, g);
        if (r < 0)
                return exec_step_error(c, r, "cannot read /etc/fstab: %s", strerror(-r));
        if (r > 0)
                r = exec_open_esp_writer(c, &esp);
        else
                r = -ENOENT;
        if (r == -ENOENT) {
                exec_finding(c, "exec.boot.no-esp", "medium",
                             "the node has no EFI system partition: UEFI boot not installed");
                return 0;
        }
        if (r < 0)
                return exec_step_error(c, r, "cannot write the EFI system partition: %s", strerror(-r));
        return install_esp(c, g, esp, uuid);
}

/* A package name as tdnf takes it, never an option. */
static bool package_name_ok(const char *n)
{
        if (isempty(n) || strlen(n) >= 128 || !isalnum((unsigned char) n[0]))
                return false;
        return str_in_charset(n, "._+-");
}

#define FIRSTBOOT_UNIT_PATH  "/etc/systemd/system/" STEPS_FIRSTBOOT_UNIT
#define FIRSTBOOT_WANTS_PATH "/etc/systemd/system/multi-user.target.wants/" STEPS_FIRSTBOOT_UNIT

static const char firstboot_unit[] =
        "# Written by azlmigrate (write-firstboot).\n"
        "[Unit]\n"
        "Description=Install the packages azlmigrate mapped that the Azure Linux image lacks\n"
        "Documentation=man:azlmigrate(1)\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n"
        "ConditionPathExists=" STEPS_FIRSTBOOT_LIST "\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        "RemainAfterExit=yes\n"
        "ExecStart=/usr/bin/xargs --no-run-if-empty --arg-file=" STEPS_FIRSTBOOT_LIST
        " /usr/bin/tdnf -y install\n"
        "ExecStartPost=/usr/bin/mv " STEPS_FIRSTBOOT_LIST " " STEPS_FIRSTBOOT_LIST ".done\n"
        "\n"
        "[Install]\n"
        "WantedBy=multi-user.target\n";

/* The target runs SELinux (enforcing or permissive): the files the conversion wrote carry no
 * labels, so the first boot relabels the filesystem (/.autorelabel, as selinux-policy does). */
static int selinux_relabel(StepContext *c, GuestWriter *w)
{
        _cleanup_(guest_freep) Guest *g = NULL;
        _cleanup_strv_free_ char **env = NULL;
        const char *mode;
        int r;

        r = copy_writer_view(w, &g);
        if (r >= 0)
                r = read_env(g, "/etc/selinux/config", &env);
        if (r < 0)
                return r;
        mode = env_get(env, "SELINUX");
        if (!mode || (!streq(mode, "enforcing") && !streq(mode, "permissive")))
                return 0;
        r = guest_writer_write_file(w, "/.autorelabel", "", 0, 0644, 0, 0, GUEST_WRITER_KEEP_TIME);
        if (r >= 0)
                exec_log(c, LOG_LEVEL_INFO, "SELinux is %s on the target: the first boot relabels the files",
                         mode);
        return r < 0 ? r : 1;
}

static int step_write_firstboot(StepContext *c)
{
        json_object *pkgs = json_get(json_get(json_get(c->plan, "packages"), "counts"), "to_install");
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *list = NULL, *text = NULL;
        GuestWriter *w = NULL;
        int r, relabel;

        for (size_t i = 0; i < json_array_len(pkgs); i++) {
                const char *n = json_object_get_string(json_object_array_get_idx(pkgs, i));
                if (!package_name_ok(n)) {
                        exec_finding(c, "exec.firstboot.package-skipped", "medium",
                                     "'%s' is not a package name: not installed at first boot", strempty(n));
                        continue;
                }
                if (!strv_contains(names, n) && strv_extend(&names, n) < 0)
                        return -ENOMEM;
        }

        r = exec_open_root_writer(c, &w);
        if (r < 0)
                return exec_step_error(c, r, "cannot write the root filesystem: %s", strerror(-r));
        relabel = selinux_relabel(c, w);
        if (relabel < 0)
                return exec_step_error(c, relabel, "setting up the SELinux relabel failed: %s",
                                       strerror(-relabel));
        if (!names) {
                exec_log(c, LOG_LEVEL_INFO,
                         "the target image has every mapped package: no first-boot installation");
                return relabel > 0 ? 0 : EXEC_STEP_SKIPPED;
        }
        list = strv_join(names, "\n");
        if (!list || asprintf(&text, "%s\n", list) < 0)
                return -ENOMEM;
        if ((r = copy_write_text(w, STEPS_FIRSTBOOT_LIST, text, 0644)) < 0 ||
            (r = copy_write_text(w, FIRSTBOOT_UNIT_PATH, firstboot_unit, 0644)) < 0 ||
            (r = copy_mkdir_p(w, "/etc/systemd/system/multi-user.target.wants")) < 0 ||
            ((r = copy_exists(w, FIRSTBOOT_WANTS_PATH)) > 0 &&
             (r = guest_writer_remove(w, FIRSTBOOT_WANTS_PATH)) < 0) ||
            (r = guest_writer_symlink(w, FIRSTBOOT_WANTS_PATH, FIRSTBOOT_UNIT_PATH, 0, 0)) < 0)
                return exec_step_error(c, r, "writing the first-boot unit failed: %s", strerror(-r));
        c->bytes = (int64_t) (strlen(text) + sizeof(firstboot_unit) - 1);
        exec_log(c, LOG_LEVEL_INFO, "%zu packages to install at first boot (%s)", strv_length(names),
                 STEPS_FIRSTBOOT_LIST);
        return 0;
}

const ExecStep steps_boot[] = {
        { "install-boot", step_install_boot },
        { "write-firstboot", step_write_firstboot },
};
const size_t steps_boot_n = ELEMENTSOF(steps_boot);
