/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "shared/finding.h"
#include "shared/string-util.h"

/* The container format of a source. Strings are the inventory's source.format values. */
typedef enum ImageFormat {
        IMAGE_FORMAT_RAW,
        IMAGE_FORMAT_VHD,
        IMAGE_FORMAT_VHDX,
        IMAGE_FORMAT_QCOW2,
        IMAGE_FORMAT_BLOCK,
        IMAGE_FORMAT_DIRECTORY,
        _IMAGE_FORMAT_MAX,
        _IMAGE_FORMAT_INVALID = -EINVAL,
} ImageFormat;

DECLARE_STRING_TABLE_LOOKUP(image_format, ImageFormat);

/* VHD sub-types, from the footer's "disk type" field. */
typedef enum VhdType {
        VHD_TYPE_FIXED,
        VHD_TYPE_DYNAMIC,
        VHD_TYPE_DIFFERENCING,
        _VHD_TYPE_MAX,
        _VHD_TYPE_INVALID = -EINVAL,
} VhdType;

DECLARE_STRING_TABLE_LOOKUP(vhd_type, VhdType);

typedef struct VhdFooter {
        VhdType type;
        uint64_t current_size;
        uint64_t original_size;
        char creator_app[5];
        char creator_os[5];
        uint32_t creator_version;
        uint32_t checksum;
        bool checksum_ok;
        char unique_id[37];
} VhdFooter;

typedef struct Image {
        char *path;
        int fd; /* read-only, O_CLOEXEC */
        ImageFormat format;
        uint64_t file_size; /* bytes in the file or block device */
        uint64_t disk_size; /* the virtual disk's size in bytes, 0 when unknown */
        bool native;        /* the disk's bytes lie at [0, disk_size) of fd: raw, fixed VHD, block */
        bool has_vhd_footer;
        VhdFooter vhd;
        FindingList findings; /* odd but readable things seen while opening */
} Image;

/* Opens path read-only and identifies its format from its content, never from its name.
 * Returns 0, or: -EISDIR (a directory: use --root), -ENODATA (empty file), -EMEDIUMTYPE (not a
 * disk image we recognise), -EPROTONOSUPPORT (a disk image format we do not support: VMDK, VDI),
 * -ENOEXEC (a compressed or archive file), -EBADMSG (a corrupt VHD or qcow2 header), -errno. */
int image_open(const char *path, Image **ret);
Image *image_free(Image *img);
DEFINE_TRIVIAL_CLEANUP_FUNC(Image *, image_free);

/* A one-line explanation for the errors image_open() returns, or NULL for other errors. */
const char *image_strerror(int error);

/* Parses a 512-byte VHD footer. Returns 1 if it is one (cookie "conectix"), 0 if not, -EBADMSG if
 * the cookie is there but the disk type is not one we know. */
int vhd_footer_parse(const void *buf, VhdFooter *ret);
