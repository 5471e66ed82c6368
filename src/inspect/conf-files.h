/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "shared/string-util.h"
#include "collect.h"

/* The most entries of one guest directory a collector looks at. A directory with more gets an
 * inspect.directory.truncated finding and only its first entries (by name) are used. */
#define COLLECT_DIR_ITEMS_MAX 4096u

/* Where a configuration file lives: the administrator's /etc, the local /usr/local/lib, or the
 * vendor's (package manager's) /usr/lib or /lib. */
typedef enum ConfOrigin {
        CONF_ORIGIN_ETC,
        CONF_ORIGIN_LOCAL,
        CONF_ORIGIN_VENDOR,
        _CONF_ORIGIN_MAX,
        _CONF_ORIGIN_INVALID = -EINVAL,
} ConfOrigin;

DECLARE_STRING_TABLE_LOOKUP(conf_origin, ConfOrigin);

typedef struct ConfDir {
        const char *path;
        ConfOrigin origin;
} ConfDir;

typedef struct ConfFile {
        char *name; /* the file name: the key of the override rule */
        char *path; /* guest path of the file that applies (in the first directory having it) */
        ConfOrigin origin;
        bool masked;       /* a symlink to /dev/null: the name is masked, nothing is read */
        char *target;      /* canonical guest path a symlink resolves to; NULL for a regular file */
        char **overridden; /* paths of same-named files in later directories that this one hides */
} ConfFile;

typedef struct ConfFiles {
        ConfFile *files; /* sorted by name */
        size_t n;
} ConfFiles;

/* Lists the regular files whose names end in suffix (".conf") in dirs, highest priority first, as
 * systemd and kmod do for sysctl.d(5), modprobe.d(5) and modules-load.d(5): a file in an earlier
 * directory replaces every same-named file in later ones, and all files are then taken in the
 * lexicographic order of their names, whatever their directory. A directory that resolves to one
 * listed before it (/lib -> usr/lib on merged-/usr systems) is skipped. Symlinks to /dev/null mask
 * the name; dangling symlinks, directories and devices are skipped, as the tools skip them. At most
 * COLLECT_DIR_ITEMS_MAX entries of a directory are looked at (a finding says when there were more).
 * Returns 0 (with possibly no files), or -errno. */
int conf_files_list(InspectContext *c, const ConfDir *dirs, size_t n_dirs, const char *suffix,
                    ConfFiles *ret);
void conf_files_done(ConfFiles *f);

/* Lists a guest directory through collect_read_dir(), keeping at most COLLECT_DIR_ITEMS_MAX
 * entries (the first by name) and adding an inspect.directory.truncated finding when there were
 * more. Returns 1 with the entries, 0 when the directory does not exist, or -errno. */
int conf_read_dir_capped(InspectContext *c, const char *path, GuestDirEntry **ret, size_t *ret_n);

/* Returns 1 if path is a symlink whose target is /dev/null (literally, or resolving to the
 * guest's /dev/null), 0 if not, -ENOMEM. */
int conf_is_masked(InspectContext *c, const char *path);

/* Appends {path, origin, masked, target, overridden[], parsed} to the JSON array files: one
 * configuration file and whether its content was read. Returns 0 or -ENOMEM. */
int conf_file_append_json(json_object *files, const char *path, ConfOrigin origin, bool masked,
                          const char *target, char *const *overridden, bool parsed);

/* Parses the size bytes at buf, the content of the configuration file path, appending what it holds
 * to the JSON array items. Returns 0 or -errno. */
typedef int (*ConfFileParseFn)(InspectContext *c, const char *path, ConfOrigin origin, const char *buf,
                               size_t size, json_object *items);

/* Lists the ".conf" files of dirs with conf_files_list() and, in that order, appends each to the JSON
 * array files (conf_file_append_json()) and reads it (up to CONFIG_FILE_MAX bytes, collect_read_file())
 * for parse_fn, unless it is masked or a symlink to read_elsewhere: a file the caller reads on its own,
 * as Debian links /etc/sysctl.d/99-sysctl.conf to ../sysctl.conf (NULL: none). Returns 0 or -errno. */
int conf_files_read(InspectContext *c, const ConfDir *dirs, size_t n_dirs, const char *read_elsewhere,
                    ConfFileParseFn parse_fn, json_object *items, json_object *files);

/* If path is a regular file of the guest, appends it to files (origin "etc") and reads it for parse_fn
 * as conf_files_read() does. Returns 0 (also when there is no such file) or -errno. */
int conf_file_read_extra(InspectContext *c, const char *path, ConfFileParseFn parse_fn, json_object *items,
                         json_object *files);

/* A new JSON array of the strings of l (guest bytes: invalid UTF-8 is replaced). NULL on OOM. */
json_object *conf_strv_json(char *const *l);
