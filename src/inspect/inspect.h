/* SPDX-License-Identifier: MIT */
#pragma once

#include "shared/string-util.h"
#include "inventory.h"

typedef enum InspectBackend {
        INSPECT_BACKEND_AUTO,
        INSPECT_BACKEND_NATIVE,
        INSPECT_BACKEND_GUESTFS,
        _INSPECT_BACKEND_MAX,
        _INSPECT_BACKEND_INVALID = -EINVAL,
} InspectBackend;

DECLARE_STRING_TABLE_LOOKUP(inspect_backend, InspectBackend);

typedef struct InspectOptions {
        InspectBackend backend;
} InspectOptions;

/* Inspects a disk image file or block device read-only: format, partition table,
 * filesystems, then the guest's root (the filesystem with os-release and /usr) with the other
 * filesystems mounted where its /etc/fstab puts them, then every collector.
 * The auto backend reads natively (no root, no mount, no VM) whatever it can and switches to
 * libguestfs for the rest (qcow2, VHDX, dynamic VHD, LVM, XFS, btrfs, a journal to replay).
 * Returns 0 and the inventory, or -errno with a one-line explanation in *ret_message (caller
 * frees): the source is unreadable, not a disk, or holds no Linux root. */
int inspect_image(const char *path, const InspectOptions *o, Inventory **ret, char **ret_message);

/* Inspects a mounted root directory (--root DIR): every path is resolved inside it. */
int inspect_root(const char *dir, Inventory **ret, char **ret_message);
