/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"

/* The build information the Go linker embeds in every binary (what "go version -m" prints), read
 * from the ELF section ".go.buildinfo" without reading the rest of the file (kubelet binaries are
 * about 100 MB). Since Go 1.18 the section starts with a 32-byte header:
 *
 *   "\xff Go buildinf:"  14 bytes of magic
 *   byte 14              pointer size (4 or 8)
 *   byte 15              flags: 0x1 big-endian, 0x2 strings inline after the header
 *
 * and, with flag 0x2, two uvarint-length-prefixed strings follow: the Go version ("go1.24.13") and
 * the module information, framed by 16-byte sentinels, whose lines are tab-separated:
 *
 *   path   k8s.io/kubernetes/cmd/kubelet
 *   mod    k8s.io/kubernetes  (devel)
 *   build  -ldflags="-X 'k8s.io/component-base/version.gitVersion=v1.34.4' ..."
 *
 * Binaries from before Go 1.18 keep pointers into the data segment instead; they are not read
 * (return 0). Only the ELF header, the section header table, the section name table and the
 * section itself are read, each bounded by the limits below and checked against the file size. */

#define GO_BUILDINFO_SHNUM_MAX    4096u           /* section headers */
#define GO_BUILDINFO_SHSTRTAB_MAX (256u * 1024u)  /* the section name table */
#define GO_BUILDINFO_SECTION_MAX  (1024u * 1024u) /* the .go.buildinfo section */

/* Reads up to size bytes at offset into buf; *ret_n is what was read. Returns 0 or -errno. */
typedef int (*GoBuildinfoReadFn)(void *userdata, uint64_t offset, size_t size, void *buf, size_t *ret_n);

typedef struct GoBuildinfo {
        char *go_version; /* "go1.23.8" */
        char *modinfo;    /* the module information text without its sentinels; "" when absent */
} GoBuildinfo;

/* Reads the build information of the ELF file of file_size bytes behind read_fn.
 * Returns 1 and the information (caller frees); 0 when the file is not ELF, has no .go.buildinfo
 * section, or uses the pre-1.18 layout; -EBADMSG when it is ELF but inconsistent (a truncated file,
 * offsets past its end, a malformed section); or -errno from read_fn, or -ENOMEM. */
int go_buildinfo_read(GoBuildinfoReadFn read_fn, void *userdata, uint64_t file_size, GoBuildinfo **ret);

GoBuildinfo *go_buildinfo_free(GoBuildinfo *b);
DEFINE_TRIVIAL_CLEANUP_FUNC(GoBuildinfo *, go_buildinfo_free);

/* Finds the value a "-X name=value" linker flag gave the variable name (for example
 * "k8s.io/component-base/version.gitVersion") in the "build -ldflags=..." line of modinfo.
 * Values are limited to version-like text ([A-Za-z0-9.+~_-], at most 128 bytes).
 * Returns 1 with the value (caller frees), 0 when absent or not version-like, or -ENOMEM. */
int go_buildinfo_ldflag_value(const char *modinfo, const char *name, char **ret);

/* The Kubernetes version of a Kubernetes binary: the gitVersion that the Kubernetes build sets with
 * -X k8s.io/component-base/version.gitVersion (or k8s.io/client-go/pkg/version.gitVersion), else the
 * version Go stamped on the main module k8s.io/kubernetes when it is not "(devel)".
 * Returns 1 with the version ("v1.34.4", caller frees), 0 when none, or -ENOMEM. */
int go_buildinfo_kubernetes_version(const GoBuildinfo *b, char **ret);
