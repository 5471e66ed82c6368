/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include <json-c/json.h>

#include "disk/guest.h"
#include "executor.h"

/* Shared by the step implementations (internal to src/exec). */

#define STEPS_GRUB_CFG "/boot/grub2/grub.cfg"
/* Where the GRUB of a BIOS boot partition (the source's) reads its modules and configuration. */
#define STEPS_BIOS_GRUB_DIR "/boot/grub"

/* True for a plan translation that writes into the target: carry, translate or render, with a
 * target, and not one that only renames a vendor unit (its source under /usr/lib or /lib: the
 * target ships its own). */
bool steps_translation_writes(json_object *translation);

/* The root filesystem's UUID from the plan's inventory summary (mounts "/"), or NULL. */
const char *steps_root_uuid(json_object *plan);

/* The mount points of g's /etc/fstab other than "/" (swap, "none" and relative ones left out),
 * and the UUID its "/" entry names (NULL when it names the root otherwise). A missing fstab
 * gives neither. Returns 0 or -errno. */
int steps_fstab(Guest *g, char ***ret_mountpoints, char **ret_root_uuid);

/* Whether the node has an EFI system partition at /boot/efi: the plan's inventory mounts it, or
 * (a mounted root, whose inventory has no disk) g's /etc/fstab does. Returns 1, 0 or -errno. */
int steps_node_has_esp(json_object *plan, Guest *g);

extern const ExecStep steps_check[];
extern const size_t steps_check_n;
extern const ExecStep steps_stage[]; /* stage-target, carry-config */
extern const size_t steps_stage_n;
extern const ExecStep steps_swap[]; /* swap-root */
extern const size_t steps_swap_n;
extern const ExecStep steps_boot[]; /* install-boot, write-firstboot */
extern const size_t steps_boot_n;
