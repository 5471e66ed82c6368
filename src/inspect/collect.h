/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "disk/guest.h"
#include "disk/partition.h"
#include "inventory.h"

/* What a collector works from: the guest's files (mounted as the guest mounts them), the disk
 * layout (NULL for a --root directory) and the inventory it writes its section of.
 * Collectors read only through the Guest, cap every read, and turn odd but readable input into
 * findings; they return <0 only for errors that stop their work (the caller records those as an
 * inspect.collector.failed finding and goes on with the next collector), and -ENOMEM. */
typedef struct InspectContext {
        Guest *guest;
        Inventory *inv;
        const DiskLayout *layout;
} InspectContext;

typedef int (*CollectorFn)(InspectContext *c);

typedef struct Collector {
        const char *name;
        CollectorFn run;
} Collector;

/* The collectors, in the order they run (later ones may read earlier sections). */
const Collector *collectors_all(size_t *ret_n);

/* Size caps for guest files. */
#define CONFIG_FILE_MAX (1024u * 1024u)        /* a configuration file */
#define DPKG_STATUS_MAX (128u * 1024u * 1024u) /* /var/lib/dpkg/status (real ones: 1-5 MiB) */

/* Reads a guest file. Returns 1 with its content, 0 when it does not exist (or is not a regular
 * file, or exceeds max: then an inspect.file.too-large finding is added), or -errno. */
int collect_read_file(InspectContext *c, const char *path, size_t max, char **ret, size_t *ret_size);

/* Lists a guest directory. Returns 1 with entries, 0 when it does not exist, or -errno. */
int collect_read_dir(InspectContext *c, const char *path, GuestDirEntry **ret, size_t *ret_n);

/* Appends to the JSON array arr the guest paths of the entries of dir, in name order, that are not
 * hidden (a name starting with '.') and that want accepts (NULL: all). Returns 0 (also when dir does not
 * exist) or -errno. */
int collect_list_paths(InspectContext *c, const char *dir,
                       bool (*want)(const GuestDirEntry *e, const void *userdata), const void *userdata,
                       json_object *arr);

int collect_os_release(InspectContext *c);
int collect_identity(InspectContext *c);
int collect_boot(InspectContext *c);
int collect_dpkg(InspectContext *c);
int collect_rpm(InspectContext *c);
int collect_apt(InspectContext *c);
int collect_fstab(InspectContext *c);
int collect_systemd(InspectContext *c);
int collect_sysctl(InspectContext *c);
int collect_kernel_modules(InspectContext *c);
int collect_network(InspectContext *c);
int collect_users(InspectContext *c);
int collect_certs(InspectContext *c);
int collect_aks(InspectContext *c);
int collect_security(InspectContext *c);
