/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "executor.h"

/* The steps of the in-place strategy (plans/strategies/inplace.json), by the plan's step ids:
 *   preflight           refuses an inhibited plan (unless every inhibitor is overridden by key)
 *                       and a root filesystem without room for the unpacked target
 *   verify-fingerprint  inspects the source again; a node that changed since it was planned is
 *                       not converted
 *   stage-target        extracts the target tarball into /.azlmigrate/stage
 *   carry-config        writes the plan's translations, the node's identity and fstab into the
 *                       staged root (users are merged into the target's account files)
 *   swap-root           moves the source's tree aside into /.azlmigrate/old and the staged tree
 *                       into place, keeping the preserved paths and the mount points of other
 *                       filesystems; what the target had at a kept path goes to
 *                       /.azlmigrate/displaced
 *   install-boot        puts the target's shim and GRUB on the ESP (also under the names the
 *                       firmware's existing boot entries point at) and writes GRUB's
 *                       configuration for the root filesystem's UUID
 *   write-firstboot     the mapped packages the target image lacks and a unit that installs
 *                       them with tdnf at first boot
 *   verify              os-release, the rpmdb (librpm), kernel and initramfs named by the boot
 *                       configuration, fstab UUIDs, carried files, the ESP's loader */
const ExecStep *steps_inplace(size_t *ret_n);

/* What the in-place steps cannot convert, from the plan alone (the CLI asks before it creates a
 * state directory; preflight asks again): image mode needs an ext2/3/4 root filesystem on a
 * partition (or the whole disk) and, with an ESP, mtools; no mode converts a node whose /boot is a
 * separate filesystem. Returns 0, or -EOPNOTSUPP with *ret_reason (static text; a sentence without
 * a final period). */
int steps_check_layout(json_object *plan, SourceMode mode, const char **ret_reason);

/* Room preflight wants free on the root filesystem beyond the unpacked target: filesystem
 * metadata, and the source's own needs until it reboots. */
#define STEPS_STAGING_MARGIN_BYTES (256ull * 1024 * 1024)

/* Where the conversion keeps its work on the source root filesystem. */
#define STEPS_WORK_DIR       "/.azlmigrate"
#define STEPS_STAGE_DIR      "/.azlmigrate/stage"
#define STEPS_OLD_DIR        "/.azlmigrate/old"
#define STEPS_DISPLACED_DIR  "/.azlmigrate/displaced"
#define STEPS_FIRSTBOOT_LIST "/var/lib/azlmigrate/firstboot-packages"
#define STEPS_FIRSTBOOT_UNIT "azlmigrate-firstboot.service"
