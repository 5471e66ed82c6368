/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"
#include "shared/string-util.h"

/* The RPM database of a root filesystem, read with librpm.
 *
 * librpm never runs in the calling process: rpmdb_read() forks a child that configures librpm
 * (macros, root directory, database backend), walks every installed header and writes one JSON
 * object per package to a pipe; the parent reads that with a size cap and a deadline, kills the
 * child when it overstays, and parses what came. Whatever librpm does with a hostile database
 * (crash, hang, global state, a %(shell) macro) stays in the child.
 *
 * The database is always the one at <root_dir>/var/lib/rpm: %_dbpath is set to /var/lib/rpm
 * explicitly (Debian's rpm defaults it to ~/.rpmdb) and %_db_backend to what the files there
 * say. root_dir is a HOST directory: for an image the caller first copies the guest's
 * /var/lib/rpm into a temporary directory (inspect/rpmdb-guest.h); librpm follows the host's
 * view of that tree, so it must not be a guest tree whose symlinks could lead elsewhere. */

typedef enum RpmdbBackend {
        RPMDB_BACKEND_SQLITE, /* rpmdb.sqlite: rpm >= 4.16 default; Azure Linux 3.0, Fedora 33+ */
        RPMDB_BACKEND_NDB,    /* Packages.db: SUSE; Debian's librpm lacks it */
        RPMDB_BACKEND_BDB_RO, /* Packages (Berkeley DB hash): CBL-Mariner 2.0, RHEL <= 8, read-only */
        _RPMDB_BACKEND_MAX,
        _RPMDB_BACKEND_INVALID = -EINVAL,
} RpmdbBackend;

DECLARE_STRING_TABLE_LOOKUP(rpmdb_backend, RpmdbBackend);

/* The file in the database directory that marks each backend. */
const char *rpmdb_backend_file(RpmdbBackend b);

/* One installed package (one header of the database). Strings are as librpm gives them, with
 * invalid UTF-8 replaced; arch and sourcerpm are NULL where the header has none (the
 * "gpg-pubkey" pseudo-packages of imported keys have neither: rpm records their source RPM as
 * "(none)", which is read as none). */
typedef struct RpmdbPackage {
        char *name;
        char *version;
        char *release;
        char *arch;
        char *sourcerpm; /* "glibc-2.38-10.azl3.src.rpm" */
        char *vendor;
        char *packager;
        uint32_t epoch;
        bool has_epoch;
        uint64_t installed_size; /* RPMTAG_LONGSIZE (RPMTAG_SIZE when absent), bytes */
        int64_t install_time;    /* RPMTAG_INSTALLTIME, seconds since the epoch; 0 if absent */
} RpmdbPackage;

/* Database directory, relative to the root, and the child's limits. */
#define RPMDB_DIR          "/var/lib/rpm"
#define RPMDB_TIMEOUT_MSEC (60u * 1000u)
#define RPMDB_OUTPUT_MAX   (256u * 1024u * 1024u) /* the child's JSON lines, all together */
#define RPMDB_FIELD_MAX    4096u                  /* longer header strings: package skipped */
#define RPMDB_PROBLEMS_MAX 8u                     /* librpm messages kept for an explanation */

/* Which backend the files in <root_dir>/var/lib/rpm are: sqlite before ndb before bdb_ro when
 * several are present (what rpm itself prefers). Returns 1 with *ret set, 0 when the directory
 * holds no database file (or does not exist), -errno otherwise. */
int rpmdb_detect_backend(const char *root_dir, RpmdbBackend *ret);

/* A database as read: its packages sorted by name, version, release, arch. */
typedef struct Rpmdb {
        RpmdbBackend backend;
        RpmdbPackage *packages;
        size_t n_packages;
        size_t n_skipped; /* headers skipped: no name or version, or a field longer than
                           * RPMDB_FIELD_MAX */
        char **problems;  /* up to RPMDB_PROBLEMS_MAX warnings and errors librpm logged while
                           * reading (e.g. a damaged header it skipped); NULL when none */
} Rpmdb;

/* Reads every installed package of the database under root_dir (a host directory that contains
 * var/lib/rpm), giving the child timeout_msec to finish. Returns 0 and the database (caller
 * frees), or -errno with, when ret_error is not NULL, a one-line explanation in *ret_error
 * (caller frees): -ENOENT no database, -EBADMSG librpm could not open or read it (a corrupt
 * file, a backend this librpm lacks) or the child's output was malformed, -ETIME the child did
 * not finish in time (it is killed), -EFBIG its output exceeded RPMDB_OUTPUT_MAX, -ECHILD the
 * child died of a signal or exited without saying why. */
int rpmdb_load(const char *root_dir, unsigned timeout_msec, Rpmdb **ret, char **ret_error);
Rpmdb *rpmdb_free(Rpmdb *db);
DEFINE_TRIVIAL_CLEANUP_FUNC(Rpmdb *, rpmdb_free);

/* rpmdb_load() with RPMDB_TIMEOUT_MSEC, handing out the packages only (caller frees with
 * rpmdb_packages_free()). */
int rpmdb_read(const char *root_dir, RpmdbPackage **ret, size_t *ret_n, char **ret_error);

void rpmdb_packages_free(RpmdbPackage *p, size_t n);

/* "[epoch:]version-release", as rpm -q --qf '%{EVR}' writes it. Returns NULL on OOM. */
char *rpmdb_package_evr(const RpmdbPackage *p);

/* Splits a source RPM file name, "glibc-2.38-10.azl3.src.rpm" (also ".nosrc.rpm"), into the
 * source package name "glibc" and its "version-release" "2.38-10.azl3". Returns 1 with both
 * (caller frees; ret_version may be NULL), 0 when s is not of that shape, -ENOMEM. */
int rpmdb_split_sourcerpm(const char *s, char **ret_name, char **ret_version);
