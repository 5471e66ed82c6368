/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkgdb/rpmdb.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "collect.h"
#include "rpmdb-guest.h"

/* The package list of RPM-based guests (Azure Linux, CBL-Mariner, Fedora, RHEL, SUSE) from the
 * rpmdb, in the item shape the dpkg collector uses, so that everything after inspection reads
 * both alike. It fills the "packages" section when the guest is RPM-family (os.family "rpm"), or
 * when no dpkg database was found and /var/lib/rpm holds one. rpm records no manual/automatic
 * distinction: every item says manual: true, and the section says manual_known: false. */

static int package_json(const RpmdbPackage *p, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        _cleanup_free_ char *evr = rpmdb_package_evr(p), *source = NULL, *source_version = NULL;
        json_object *prov;
        int r;

        if (!o || !evr)
                return -ENOMEM;
        r = rpmdb_split_sourcerpm(p->sourcerpm, &source, &source_version);
        if (r < 0)
                return r;
        /* gpg-pubkey entries and odd headers name no source package: their own name, as dpkg does
         * for binary packages without a Source field. */
        if (json_add_str(o, "name", p->name) < 0 || json_add_str(o, "version", evr) < 0 ||
            json_add_str(o, "arch", p->arch) < 0 ||
            json_add_str(o, "source", r > 0 ? source : p->name) < 0 ||
            json_add_str(o, "source_version", source_version) < 0 || json_add_bool(o, "manual", true) < 0 ||
            json_add_str(o, "status", "installed") < 0 || json_add_bool(o, "hold", false) < 0 ||
            json_add_int(o, "installed_size", (int64_t) p->installed_size) < 0 ||
            json_add_str(o, "vendor", p->vendor) < 0)
                return -ENOMEM;
        prov = json_get_or_add_array(o, "provides");
        if (!prov)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

static int fill_section(InspectContext *c, json_object *pk, const Rpmdb *db)
{
        json_object *items = json_object_new_array();
        uint64_t total = 0;
        int r;

        if (!items || json_add(pk, "items", items) < 0 || !json_get_or_add_array(pk, "held"))
                return -ENOMEM;
        for (size_t i = 0; i < db->n_packages; i++) {
                const RpmdbPackage *p = &db->packages[i];
                json_object *o;

                r = package_json(p, &o);
                if (r < 0)
                        return r;
                if (json_append(items, o) < 0)
                        return -ENOMEM;
                r = inventory_index_package(c->inv, p->name, o);
                if (r < 0)
                        return r;
                total += p->installed_size;
        }
        if (json_add_str(pk, "manager", "rpm") < 0 || json_add_str(pk, "database", RPMDB_DIR) < 0 ||
            json_add_str(pk, "backend", rpmdb_backend_to_string(db->backend)) < 0 ||
            json_add_int(pk, "count", (int64_t) db->n_packages) < 0 ||
            json_add_int(pk, "manual_count", (int64_t) db->n_packages) < 0 ||
            json_add_bool(pk, "manual_known", false) < 0 ||
            json_add_bool(pk, "auto_states_known", false) < 0 ||
            json_add_int(pk, "installed_size", (int64_t) total) < 0)
                return -ENOMEM;

        if (db->n_skipped > 0 || db->problems) {
                _cleanup_free_ char *joined = strv_join(db->problems, "; ");

                if (!joined)
                        return -ENOMEM;
                return inventory_add_finding(
                        c->inv, "rpm.database.unreadable", RPMDB_DIR,
                        "%zu packages read; %zu entries skipped (no name or version, or a "
                        "field over %u bytes)%s%s",
                        db->n_packages, db->n_skipped, RPMDB_FIELD_MAX, db->problems ? "; librpm: " : "",
                        joined);
        }
        return 0;
}

static int database_missing(InspectContext *c, bool rpm_family)
{
        if (!rpm_family)
                return 0;
        return inventory_add_finding(c->inv, "rpm.database.missing", RPMDB_DIR,
                                     "%s holds no RPM database (rpmdb.sqlite, Packages.db or Packages)",
                                     RPMDB_DIR);
}

int collect_rpm(InspectContext *c)
{
        _cleanup_(rpmdb_freep) Rpmdb *db = NULL;
        _cleanup_free_ char *error = NULL, *tmp = NULL;
        json_object *pk = inventory_section(c->inv, "packages"), *os = inventory_section(c->inv, "os");
        const char *tmpdir = getenv("TMPDIR");
        bool rpm_family;
        int r, q;

        if (!pk || !os)
                return -ENOMEM;
        rpm_family = streq_ptr(json_get_str(os, "family"), "rpm");
        /* The dpkg collector ran first; for a Debian-family guest (or any guest with a dpkg database)
         * its list stands, whatever rpm left in /var/lib/rpm. */
        if (!rpm_family && json_get_str(pk, "manager"))
                return 0;

        r = guest_is_type(c->guest, RPMDB_DIR, GUEST_FILE_DIRECTORY);
        if (r == -ENOENT || r == -ENOTDIR || r == -ELOOP || r == -EPERM)
                r = 0;
        if (r < 0)
                return r;
        if (r == 0)
                return database_missing(c, rpm_family);

        if (asprintf(&tmp, "%s/azlmigrate-rpmdb-XXXXXX", isempty(tmpdir) ? "/tmp" : tmpdir) < 0)
                return -ENOMEM;
        if (!mkdtemp(tmp))
                return -errno;
        r = rpmdb_copy_from_guest(c->guest, tmp);
        if (r == 0)
                r = -ENOENT; /* gone since guest_is_type() */
        else if (r > 0)
                r = rpmdb_load(tmp, RPMDB_TIMEOUT_MSEC, &db, &error);
        q = rpmdb_copy_remove(tmp);
        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT)
                return database_missing(c, rpm_family);
        if (r == -EFBIG && !error)
                return inventory_add_finding(c->inv, "rpm.database.unreadable", RPMDB_DIR,
                                             "%s is larger than azlmigrate copies (%u files, %llu MiB)",
                                             RPMDB_DIR, RPMDB_COPY_FILES_MAX,
                                             (unsigned long long) (RPMDB_COPY_TOTAL_MAX >> 20));
        if (r < 0 && !error)
                return r; /* reading the guest or writing the copy failed: the collector fails */
        if (r < 0)
                return inventory_add_finding(c->inv, "rpm.database.unreadable", RPMDB_DIR, "%s", error);
        if (q < 0)
                return q;
        return fill_section(c, pk, db);
}
