/* SPDX-License-Identifier: MIT */
/* The steps that only look: preflight, verify-fingerprint, verify. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "inspect/fstab-source.h"
#include "inspect/fstab.h"
#include "inspect/inspect.h"
#include "inspect/rpmdb-guest.h"
#include "pkgdb/rpmdb.h"
#include "plan/fingerprint.h"
#include "shared/env-file.h"
#include "shared/format-util.h"
#include "shared/fileio.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "step-common.h"
#include "steps.h"
#include "target.h"

#define CONFIG_MAX (1024u * 1024u)

/* Room kept free in the state directory beyond the checkpoints' estimate. */
#define STATE_MARGIN_BYTES (64ull * 1024 * 1024)

static int step_preflight(StepContext *c)
{
        _cleanup_(guest_freep) Guest *g = NULL;
        _cleanup_free_ char *error = NULL;
        json_object *inhibitors = json_get(c->plan, "inhibitors");
        _cleanup_strv_free_ char **missing = NULL;
        uint64_t bytes = 0, entries = 0, need;
        char have_s[32], need_s[32];
        const char *reason = NULL;
        struct statvfs vfs;
        uint64_t avail;
        GuestFsSpace sp;
        int r;

        /* An inhibited plan runs only when the user overrode every inhibitor by its key. */
        for (size_t i = 0; i < json_array_len(inhibitors); i++) {
                const char *key = json_object_get_string(json_object_array_get_idx(inhibitors, i));
                if (key && !strv_contains(c->overrides, key) && strv_extend(&missing, key) < 0)
                        return -ENOMEM;
        }
        if (missing) {
                _cleanup_free_ char *list = strv_join(missing, ", ");
                return exec_step_error(c, -EPERM,
                                       "the plan is inhibited by %s; resolve them (see the report) or "
                                       "override each with --override KEY",
                                       strempty(list));
        }
        STRV_FOREACH(o, c->overrides)
                exec_finding(c, "exec.inhibitor.overridden", "high", "inhibitor %s overridden by the user",
                             *o);

        r = steps_check_layout(c->plan, c->mode, &reason);
        if (r < 0)
                return exec_step_error(c, r, "%s", reason);
        if (!c->target)
                return exec_step_error(c, -EINVAL, "no target tarball given");
        r = target_measure(c->target, &bytes, &entries, &error);
        if (r < 0)
                return exec_step_error(c, r, "the target %s cannot be read: %s", c->target, strempty(error));

        r = exec_open_guest(c, &g);
        if (r < 0)
                return exec_step_error(c, r, "cannot read the source: %s", strerror(-r));
        r = guest_space(g, "/", &sp);
        if (r < 0)
                return exec_step_error(c, r, "cannot tell the root filesystem's free space: %s",
                                       strerror(-r));
        need = bytes + STEPS_STAGING_MARGIN_BYTES;
        format_bytes(sp.free, have_s, sizeof(have_s));
        format_bytes(need, need_s, sizeof(need_s));
        exec_log(c, LOG_LEVEL_INFO, "target: %llu members, %llu bytes unpacked; %s free on /, %s needed",
                 (unsigned long long) entries, (unsigned long long) bytes, have_s, need_s);
        if (sp.free < need)
                return exec_step_error(c, -ENOSPC,
                                       "the root filesystem has %s free; staging the target needs %s",
                                       have_s, need_s);

        /* The checkpoints: overlay layers hold what the steps write (about the unpacked target),
         * undo archives what they replace (the carried files). */
        need = (c->mode == SOURCE_MODE_IMAGE ? bytes : 0) + STATE_MARGIN_BYTES;
        if (statvfs(c->state_dir, &vfs) < 0)
                return exec_step_error(c, -errno, "cannot tell the free space of the state directory %s: %m",
                                       c->state_dir);
        avail = (uint64_t) vfs.f_bavail * vfs.f_frsize;
        format_bytes(avail, have_s, sizeof(have_s));
        format_bytes(need, need_s, sizeof(need_s));
        if (avail < need)
                return exec_step_error(c, -ENOSPC,
                                       "the state directory %s has %s available; the checkpoints need %s",
                                       c->state_dir, have_s, need_s);
        return 0;
}

static int step_verify_fingerprint(StepContext *c)
{
        _cleanup_(inventory_freep) Inventory *inv = NULL;
        _cleanup_free_ char *message = NULL, *fp = NULL;
        const char *want = json_get_str(c->plan, "inventory_fingerprint");
        InspectOptions o = { .backend = INSPECT_BACKEND_AUTO };
        int r;

        if (!want)
                return exec_step_error(c, -EBADMSG, "the plan has no inventory fingerprint");
        r = c->mode == SOURCE_MODE_ROOT ? inspect_root(c->root, &inv, &message)
                                        : inspect_image(c->source, &o, &inv, &message);
        if (r < 0)
                return exec_step_error(c, r, "inspecting the source again failed: %s",
                                       message ?: strerror(-r));
        r = fingerprint_inventory(inv->root, &fp);
        if (r < 0)
                return exec_step_error(c, r, "cannot fingerprint the inventory: %s", strerror(-r));
        if (!streq(fp, want))
                return exec_step_error(c, -ESTALE,
                                       "the source changed since it was planned (inventory %s, plan %s): "
                                       "plan it again",
                                       fp, want);
        exec_log(c, LOG_LEVEL_INFO, "the source still matches the plan (%s)", fp);
        return 0;
}

/* Appends a problem to *problems ("; "-separated). */
static int problem(char ***problems, const char *format, ...) _printf_(2, 3);
static int problem(char ***problems, const char *format, ...)
{
        char *m;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&m, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return strv_consume(problems, m);
}

static int verify_os_release(Guest *g, char ***problems)
{
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size;
        int r;

        r = guest_read_file(g, "/etc/os-release", CONFIG_MAX, &buf, &size);
        if (r < 0)
                return problem(problems, "/etc/os-release cannot be read: %s", strerror(-r));
        r = env_file_parse(buf, size, &env, NULL);
        if (r < 0)
                return r;
        if (!streq_ptr(env_get(env, "ID"), "azurelinux"))
                return problem(problems, "/etc/os-release says ID=%s, not azurelinux",
                               strempty(env_get(env, "ID")));
        return 0;
}

static int verify_rpmdb(StepContext *c, Guest *g, char ***problems)
{
        _cleanup_free_ char *tmp = NULL, *error = NULL;
        RpmdbPackage *p = NULL;
        size_t n = 0;
        int r;

        if (asprintf(&tmp, "%s/logs/rpmdb.XXXXXX", c->state_dir) < 0)
                return -ENOMEM;
        if (!mkdtemp(tmp))
                return -errno;
        r = rpmdb_copy_from_guest(g, tmp);
        if (r >= 0)
                r = rpmdb_read(tmp, &p, &n, &error);
        (void) rpmdb_copy_remove(tmp);
        if (r < 0)
                return problem(problems, "the rpm database does not open with librpm: %s",
                               error ?: strerror(-r));
        exec_log(c, LOG_LEVEL_INFO, "the rpm database lists %zu packages", n);
        if (n == 0)
                r = problem(problems, "the rpm database lists no package");
        rpmdb_packages_free(p, n);
        return r;
}

/* The kernel and initramfs the boot configuration names exist. */
static int verify_boot(Guest *g, char ***problems)
{
        _cleanup_free_ char *cfg = NULL;
        LineIter it;
        const char *line;
        size_t size, len;
        unsigned kernels = 0;
        int r;

        r = guest_read_file(g, STEPS_GRUB_CFG, CONFIG_MAX, &cfg, &size);
        if (r < 0)
                return problem(problems, "%s cannot be read: %s", STEPS_GRUB_CFG, strerror(-r));
        it = line_iter_init(cfg, size);
        while (line_iter_next(&it, &line, &len)) {
                _cleanup_free_ char *l = strndup(line, len);
                char *s, *path;

                if (!l)
                        return -ENOMEM;
                s = strstrip(l);
                if (!startswith(s, "linux ") && !startswith(s, "initrd "))
                        continue;
                path = s + strcspn(s, " ");
                path += strspn(path, " ");
                path[strcspn(path, " ")] = 0;
                kernels += startswith(s, "linux ") != NULL;
                r = guest_is_type(g, path, GUEST_FILE_REGULAR);
                if (r < 0)
                        return r;
                if (r == 0 &&
                    (r = problem(problems, "%s names %s, which does not exist", STEPS_GRUB_CFG, path)) < 0)
                        return r;
        }
        if (kernels == 0)
                return problem(problems, "%s names no kernel", STEPS_GRUB_CFG);
        return 0;
}

/* Every UUID= (or other tag) of /etc/fstab names a filesystem of the disk. */
static int verify_fstab(StepContext *c, Guest *g, char ***problems)
{
        _cleanup_(fstab_freep) Fstab *f = NULL;
        _cleanup_free_ char *buf = NULL;
        json_object *parts =
                json_get(json_get(json_get(c->plan, "inventory_summary"), "disk"), "partitions");
        size_t size;
        int r;

        r = guest_read_file(g, "/etc/fstab", CONFIG_MAX, &buf, &size);
        if (r < 0)
                return problem(problems, "/etc/fstab cannot be read: %s", strerror(-r));
        if (json_array_len(parts) == 0) {
                /* A mounted root: the disk is not in the inventory. */
                exec_log(c, LOG_LEVEL_INFO, "/etc/fstab's UUIDs not checked: the inventory has no disk");
                return 0;
        }
        r = fstab_parse(buf, size, &f);
        if (r < 0)
                return r;
        for (size_t i = 0; i < f->n_entries; i++) {
                _cleanup_free_ char *value = NULL;
                bool found = false;
                int kind = fstab_source_parse(f->entries[i].spec, &value);

                if (kind < 0)
                        return kind;
                if (kind != FSTAB_SOURCE_UUID)
                        continue;
                for (size_t j = 0; j < json_array_len(parts) && !found; j++) {
                        const char *uuid = json_get_str(
                                json_get(json_object_array_get_idx(parts, j), "filesystem"), "uuid");
                        found = uuid && strcasecmp(uuid, value) == 0;
                }
                if (!found &&
                    (r = problem(problems, "/etc/fstab mounts UUID=%s, which is on no partition of the disk",
                                 value)) < 0)
                        return r;
        }
        return 0;
}

/* What the plan's translations wrote is in place. */
static int verify_carried(StepContext *c, Guest *g, char ***problems)
{
        json_object *t = json_get(c->plan, "translations");
        int r;

        for (size_t i = 0; i < json_array_len(t); i++) {
                json_object *x = json_object_array_get_idx(t, i);
                const char *target = json_get_str(x, "target");
                GuestStat st;

                if (!steps_translation_writes(x))
                        continue;
                r = guest_lstat(g, target, &st);
                if (r == -ENOENT && (r = problem(problems, "%s (%s) is missing", target,
                                                 strempty(json_get_str(x, "rule")))) < 0)
                        return r;
        }
        return 0;
}

/* The firmware's loader is on the ESP, when the node has one (the inventory's mounts, or fstab for
 * a mounted root). */
static int verify_esp(StepContext *c, Guest *g, char ***problems)
{
        int r;

        r = steps_node_has_esp(c->plan, g);
        if (r < 0)
                return r;
        if (r == 0) {
                exec_log(c, LOG_LEVEL_INFO, "no EFI system partition: its loader not checked");
                return 0;
        }
        if (guest_is_type(g, "/boot/efi/EFI/BOOT/BOOTX64.EFI", GUEST_FILE_REGULAR) <= 0)
                return problem(problems, "the ESP has no /EFI/BOOT/BOOTX64.EFI");
        return 0;
}

static int step_verify(StepContext *c)
{
        _cleanup_(guest_freep) Guest *g = NULL;
        _cleanup_strv_free_ char **problems = NULL;
        int r;

        r = exec_open_guest(c, &g);
        if (r < 0)
                return exec_step_error(c, r, "cannot read the converted disk: %s", strerror(-r));
        if ((r = verify_os_release(g, &problems)) < 0 || (r = verify_rpmdb(c, g, &problems)) < 0 ||
            (r = verify_boot(g, &problems)) < 0 || (r = verify_fstab(c, g, &problems)) < 0 ||
            (r = verify_carried(c, g, &problems)) < 0)
                return exec_step_error(c, r, "verification could not run: %s", strerror(-r));
        if ((r = verify_esp(c, g, &problems)) < 0)
                return exec_step_error(c, r, "verification could not run: %s", strerror(-r));
        if (problems) {
                _cleanup_free_ char *all = strv_join(problems, "; ");
                return exec_step_error(c, -EUCLEAN, "the converted disk is not right: %s", strempty(all));
        }
        exec_log(c, LOG_LEVEL_INFO,
                 "verified: Azure Linux root, rpm database, boot chain, fstab, carried files");
        return 0;
}

const ExecStep steps_check[] = {
        { "preflight", step_preflight },
        { "verify-fingerprint", step_verify_fingerprint },
        { "verify", step_verify },
};
const size_t steps_check_n = ELEMENTSOF(steps_check);
