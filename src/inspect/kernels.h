/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/macro.h"

/* Installed kernels, from the file names in /boot and the directories in /lib/modules:
 *   /boot/vmlinuz-5.15.0-1102-azure  /boot/initrd.img-5.15.0-1102-azure   (Debian, Ubuntu)
 *   /boot/vmlinuz-6.6.96.2-2.azl3    /boot/initramfs-6.6.96.2-2.azl3.img   (Azure Linux, dracut)
 *   /lib/modules/5.15.0-1102-azure/
 * Backup and package-manager leftovers (".old", ".bak", ".dpkg-*", ".efi.signed") are not
 * kernels. */

typedef struct Kernel {
        char *version;
        char *image;  /* "/boot/vmlinuz-<version>", or NULL */
        char *initrd; /* "/boot/initrd.img-<version>" or "/boot/initramfs-<version>.img", or NULL */
        bool modules; /* /lib/modules/<version> exists */
} Kernel;

typedef struct KernelList {
        Kernel *items; /* sorted by version (kernel_version_compare) */
        size_t n;
} KernelList;

/* Builds the list from the names of /boot's files and of /lib/modules' directories (either may
 * be NULL). Returns 0 or -ENOMEM. */
int kernel_list_build(char *const *boot_files, char *const *module_dirs, KernelList *ret);
void kernel_list_done(KernelList *l);

/* Returns the version an image file name carries ("vmlinuz-5.15.0-1102-azure" ->
 * "5.15.0-1102-azure", pointing into name), or NULL when name is no kernel image. */
const char *kernel_image_version(const char *name) _pure_;

/* Orders versions as people do: "5.15.0-99-azure" < "5.15.0-1102-azure" (strverscmp(3)). */
int kernel_version_compare(const char *a, const char *b) _pure_;
