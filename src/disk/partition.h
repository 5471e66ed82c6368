/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "shared/finding.h"
#include "image.h"

/* What libblkid says a volume holds. Every field may be NULL. */
typedef struct FsInfo {
        char *type;
        char *uuid;
        char *label;
        char *version;
} FsInfo;

typedef struct Partition {
        unsigned number; /* 1-based as the kernel names them; 0 is the whole disk (no table) */
        uint64_t start;  /* bytes from the start of the disk */
        uint64_t size;   /* bytes */
        char *type;      /* GPT type GUID (lowercase) or MBR code "0x83" */
        char *type_name; /* libfdisk's name for the type, "unknown" when it has none */
        char *name;      /* GPT partition name, NULL on MBR */
        char *uuid;      /* GPT partition GUID (lowercase) or MBR PARTUUID "<disk-id>-<nn>" */
        bool bootable;   /* MBR active flag or GPT "legacy BIOS bootable" attribute */
        bool container;  /* MBR extended partition: holds others, no filesystem */
        char *device;    /* the appliance's device name (guestfs backend only), else NULL */
        FsInfo fs;
} Partition;

typedef struct DiskLayout {
        char *label;   /* "gpt", "dos", or "none" for a bare filesystem */
        char *id;      /* GPT disk GUID (lowercase) or MBR id "0x1234abcd" */
        uint64_t size; /* bytes */
        uint64_t sector_size;
        Partition *partitions; /* sorted by number */
        size_t n_partitions;
        Partition *volumes; /* LVM logical volumes (guestfs backend): number 0, device set */
        size_t n_volumes;
        FindingList findings;
} DiskLayout;

DiskLayout *disk_layout_free(DiskLayout *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(DiskLayout *, disk_layout_free);
void fs_info_done(FsInfo *fs);

/* Reads the partition table of a natively readable image (raw, fixed VHD, block device) with
 * libfdisk and probes each partition's filesystem with libblkid. An image without a partition
 * table but with a filesystem gives label "none" and one partition numbered 0 spanning the disk.
 * A GPT with a damaged primary header is read from its backup and a finding says so.
 * Returns 0, -EMEDIUMTYPE when there is neither table nor filesystem, or -errno. */
int disk_layout_read(const Image *img, DiskLayout **ret);

/* Looks up libfdisk's name for a partition type of a label ("gpt" with a GUID, "dos" with a code
 * like "0x83"). Returns 0 and a new string ("unknown" for types libfdisk does not know), or
 * -errno. Used by backends that read the table some other way, so that names agree. */
int partition_type_name(const char *label, const char *type, char **ret);

/* Adds a partition to d (used by the libguestfs backend). Takes ownership of p's strings. */
int disk_layout_add(DiskLayout *d, Partition *p);

/* Adds a logical volume to d. Takes ownership of v's strings. */
int disk_layout_add_volume(DiskLayout *d, Partition *v);

/* Returns the partition with that number, or NULL. */
const Partition *disk_layout_find(const DiskLayout *d, unsigned number);
