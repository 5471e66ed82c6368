/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "guest.h"
#include "image.h"
#include "partition.h"

/* The libguestfs backend: for images the native readers cannot open (qcow2, VHDX, dynamic VHD)
 * and filesystems they do not read (XFS, btrfs, LVM). One appliance launch per session; every
 * drive is added read-only. Where KVM is unusable (no vmx/svm CPU flag, or /dev/kvm cannot
 * create a VM) the session forces TCG instead of letting the appliance hang. */

typedef struct GuestfsSession GuestfsSession;

/* Launches an appliance on img read-only. On failure *ret_error (if given) holds libguestfs's
 * last message. Returns 0, -EHOSTDOWN when the appliance could not be launched, or -errno. */
int guestfs_session_open(const Image *img, GuestfsSession **ret, char **ret_error);
GuestfsSession *guestfs_session_free(GuestfsSession *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(GuestfsSession *, guestfs_session_free);

/* The disk as the appliance sees it: partitions numbered and described as the native reader
 * does (libfdisk names for types, lowercase GUIDs, byte offsets), each with its device name
 * ("/dev/sda1") in Partition.device, and logical volumes in DiskLayout.volumes.
 * Returns 0 or -errno. */
int guestfs_session_layout(GuestfsSession *s, DiskLayout **ret);

/* Mounts the filesystem on device (a name from the layout) read-only at a private mount point
 * in the appliance and returns a GuestFs rooted there. Several may be open at once.
 * Returns 0, -EUCLEAN when the filesystem cannot be mounted, or -errno. */
int guestfs_session_open_fs(GuestfsSession *s, const char *device, GuestFs **ret);

/* True if KVM can run guests here (checked once per process). */
bool guestfs_kvm_usable(void);
