/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"

/* dpkg's database of package states (/var/lib/dpkg/status, deb822, see dpkg(1) and
 * deb-control(5)). Every stanza is read, with no limit on line or field length; values that
 * are not what dpkg itself would accept (a package name with '/', a version with spaces) make
 * the stanza invalid: it is counted and skipped, never half-used. */

typedef struct DpkgPackage {
        char *name;
        char *version;
        char *arch;
        char *source;         /* "Source:" name, or the package name when absent */
        char *source_version; /* from "Source: name (version)", else NULL */
        char *want;           /* first word of Status: install, hold, deinstall, purge, unknown */
        char *state;          /* third word of Status: installed, config-files, ... */
        char *section;
        char *priority;
        char *multi_arch;
        char **provides; /* package names only (versions and arch qualifiers removed) */
        uint64_t installed_size_kib;
        bool essential;
} DpkgPackage;

typedef struct DpkgStatus {
        DpkgPackage *packages; /* in file order; only packages that are present (see below) */
        size_t n_packages;
        size_t n_stanzas;
        size_t n_absent; /* stanzas in state not-installed or config-files */
        size_t n_invalid;
        char **problems; /* up to DPKG_PROBLEMS_MAX descriptions of invalid stanzas */
        size_t bad_lines;
} DpkgStatus;

#define DPKG_PROBLEMS_MAX 10
#define DPKG_NAME_MAX     256
#define DPKG_VERSION_MAX  256

/* Parses a status file. Packages are "present" when their state is anything but not-installed
 * and config-files, which is what "dpkg-query -W" lists as having files on the system.
 * Returns 0 or -ENOMEM. */
int dpkg_status_parse(const char *buf, size_t size, DpkgStatus **ret);
DpkgStatus *dpkg_status_free(DpkgStatus *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(DpkgStatus *, dpkg_status_free);

/* Validity as dpkg defines it (deb-control(5), deb-version(7)). */
bool dpkg_name_is_valid(const char *s, size_t n) _pure_;
bool dpkg_version_is_valid(const char *s, size_t n) _pure_;
bool dpkg_arch_is_valid(const char *s, size_t n) _pure_;
