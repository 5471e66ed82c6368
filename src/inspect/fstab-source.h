/* SPDX-License-Identifier: MIT */
#pragma once

#include "disk/partition.h"
#include "shared/string-util.h"

/* The first field of an fstab(5) line: what to mount.
 *   LABEL=cloudimg-rootfs  UUID=...  PARTUUID=...  PARTLABEL=...     (tags, optionally quoted)
 *   /dev/disk/by-uuid/...  /dev/disk/by-label/...  ...              (the udev links of the tags)
 *   /dev/sda1  /dev/disk/cloud/azure_resource-part1  /dev/mapper/vg-lv  (devices)
 *   tmpfs  proc  none  server:/export                                   (other) */
typedef enum FstabSourceKind {
        FSTAB_SOURCE_UUID,
        FSTAB_SOURCE_LABEL,
        FSTAB_SOURCE_PARTUUID,
        FSTAB_SOURCE_PARTLABEL,
        FSTAB_SOURCE_DEVICE,
        FSTAB_SOURCE_OTHER,
        _FSTAB_SOURCE_KIND_MAX,
        _FSTAB_SOURCE_KIND_INVALID = -EINVAL,
} FstabSourceKind;

DECLARE_STRING_TABLE_LOOKUP(fstab_source_kind, FstabSourceKind);

/* Classifies spec. Returns the kind and, in ret_value, the tag's value unquoted (and with the
 * \xHH escapes of /dev/disk/by-* names decoded), or the spec itself for devices and others
 * (caller frees); -ENOMEM. */
int fstab_source_parse(const char *spec, char **ret_value);

/* Finds the volume of d that a source names: tags against filesystem UUID (case-insensitive),
 * label, partition UUID (case-insensitive) and partition name; kernel names of the first disk
 * (/dev/sda1, /dev/vda1, /dev/xvda1, /dev/nvme0n1p1, /dev/mmcblk0p1) against partition numbers;
 * devices against logical volume device names. Returns the partition or volume, or NULL. */
const Partition *fstab_source_match(const DiskLayout *d, FstabSourceKind kind, const char *value);
