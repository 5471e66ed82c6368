/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkgdb/deb822.h"
#include "pkgdb/dpkg-status.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "collect.h"

#define DPKG_STATUS_PATH     "/var/lib/dpkg/status"
#define EXTENDED_STATES_PATH "/var/lib/apt/extended_states"
#define EXTENDED_STATES_MAX  (64u * 1024u * 1024u)

/* apt's extended_states: "Package: x / Architecture: a / Auto-Installed: 1" stanzas. Returns the
 * set of auto-installed "name:arch" (and "name" for stanzas without an architecture). */
static int read_auto_installed(InspectContext *c, json_object **ret, bool *ret_known)
{
        _cleanup_json_ json_object *set = json_object_new_object();
        _cleanup_free_ char *buf = NULL;
        size_t size;
        Deb822 d;
        int r;

        if (!set)
                return -ENOMEM;
        r = collect_read_file(c, EXTENDED_STATES_PATH, EXTENDED_STATES_MAX, &buf, &size);
        if (r < 0)
                return r;
        *ret_known = r > 0;
        if (r == 0) {
                *ret = TAKE_PTR(set);
                return 0;
        }
        deb822_init(&d, buf, size);
        while ((r = deb822_next(&d)) > 0) {
                const Deb822Field *p = deb822_get(&d, "Package"), *a = deb822_get(&d, "Architecture"),
                                  *ai = deb822_get(&d, "Auto-Installed");
                char key[DPKG_NAME_MAX + 66];

                if (!p || !ai || ai->value_len != 1 || ai->value[0] != '1' ||
                    !dpkg_name_is_valid(p->value, p->value_len) ||
                    (a && !dpkg_arch_is_valid(a->value, a->value_len)))
                        continue;
                snprintf(key, sizeof(key), "%.*s%s%.*s", (int) p->value_len, p->value, a ? ":" : "",
                         a ? (int) a->value_len : 0, a ? a->value : "");
                /* Both "name:arch" and the bare name, for is_auto(). */
                if (json_add_bool(set, key, true) < 0) {
                        deb822_done(&d);
                        return -ENOMEM;
                }
                key[p->value_len] = 0;
                if (json_add_bool(set, key, true) < 0) {
                        deb822_done(&d);
                        return -ENOMEM;
                }
        }
        deb822_done(&d);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(set);
        return 0;
}

static bool is_auto(json_object *set, const DpkgPackage *p)
{
        char key[DPKG_NAME_MAX + 66];

        snprintf(key, sizeof(key), "%s:%s", p->name, strempty(p->arch));
        if (json_get(set, key))
                return true;
        /* apt files "Architecture: all" packages under the native architecture. */
        return (!p->arch || streq(p->arch, "all")) && json_get(set, p->name);
}

static int package_json(const DpkgPackage *p, bool manual, json_object **ret)
{
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *prov;

        if (!o)
                return -ENOMEM;
        if (json_add_str(o, "name", p->name) < 0 || json_add_str(o, "version", p->version) < 0 ||
            json_add_str(o, "arch", p->arch) < 0 || json_add_str(o, "source", p->source) < 0 ||
            json_add_str(o, "source_version", p->source_version) < 0 ||
            json_add_bool(o, "manual", manual) < 0 || json_add_str(o, "status", p->state) < 0 ||
            json_add_bool(o, "hold", streq(p->want, "hold")) < 0 ||
            json_add_str(o, "section", p->section) < 0 || json_add_str(o, "priority", p->priority) < 0 ||
            json_add_bool(o, "essential", p->essential) < 0 ||
            json_add_int(o, "installed_size", (int64_t) p->installed_size_kib * 1024) < 0)
                return -ENOMEM;
        prov = json_get_or_add_array(o, "provides");
        if (!prov)
                return -ENOMEM;
        STRV_FOREACH(s, p->provides)
                if (json_append_str(prov, *s) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}

int collect_dpkg(InspectContext *c)
{
        _cleanup_(dpkg_status_freep) DpkgStatus *st = NULL;
        _cleanup_json_ json_object *autoset = NULL;
        _cleanup_free_ char *buf = NULL;
        json_object *pk = inventory_section(c->inv, "packages"), *items, *held, *os;
        const char *family;
        bool known = false;
        uint64_t total = 0;
        size_t size, manual = 0;
        int r;

        if (!pk)
                return -ENOMEM;
        items = json_get_or_add_array(pk, "items");
        held = json_get_or_add_array(pk, "held");
        if (!items || !held)
                return -ENOMEM;

        os = inventory_section(c->inv, "os");
        family = json_get_str(os, "family");
        /* RPM-family guests are the rpm collector's (collect-rpm.c), even with a stray dpkg database. */
        r = streq_ptr(family, "rpm") ? 0
                                     : collect_read_file(c, DPKG_STATUS_PATH, DPKG_STATUS_MAX, &buf, &size);
        if (r < 0)
                return r;
        if (r == 0) {
                if (json_add_str(pk, "manager", NULL) < 0 || json_add_int(pk, "count", 0) < 0)
                        return -ENOMEM;
                if (streq_ptr(family, "debian"))
                        return inventory_add_finding(c->inv, "dpkg.status.missing", DPKG_STATUS_PATH,
                                                     "%s is missing or unreadable", DPKG_STATUS_PATH);
                return 0;
        }
        r = dpkg_status_parse(buf, size, &st);
        if (r < 0)
                return r;
        buf = mfree(buf); /* the status file can be large: release it before building JSON */

        r = read_auto_installed(c, &autoset, &known);
        if (r < 0)
                return r;

        for (size_t i = 0; i < st->n_packages; i++) {
                const DpkgPackage *p = &st->packages[i];
                bool m = !is_auto(autoset, p);
                json_object *o;

                r = package_json(p, m, &o);
                if (r < 0)
                        return r;
                if (json_append(items, o) < 0)
                        return -ENOMEM;
                r = inventory_index_package(c->inv, p->name, o);
                if (r < 0)
                        return r;
                if (streq(p->want, "hold") && json_append_str(held, p->name) < 0)
                        return -ENOMEM;
                manual += m;
                total += p->installed_size_kib * 1024;
        }
        if (json_add_str(pk, "manager", "dpkg") < 0 || json_add_str(pk, "database", DPKG_STATUS_PATH) < 0 ||
            json_add_int(pk, "count", (int64_t) st->n_packages) < 0 ||
            json_add_int(pk, "manual_count", (int64_t) manual) < 0 ||
            json_add_bool(pk, "auto_states_known", known) < 0 ||
            json_add_int(pk, "installed_size", (int64_t) total) < 0 ||
            json_add_int(pk, "absent_count", (int64_t) st->n_absent) < 0)
                return -ENOMEM;

        if (st->n_invalid > 0) {
                _cleanup_free_ char *joined = strv_join(st->problems, "; ");
                if (!joined)
                        return -ENOMEM;
                r = inventory_add_finding(c->inv, "dpkg.stanza.invalid", DPKG_STATUS_PATH,
                                          "%zu of %zu stanzas skipped: %s%s", st->n_invalid, st->n_stanzas,
                                          joined, st->n_invalid > DPKG_PROBLEMS_MAX ? "; ..." : "");
                if (r < 0)
                        return r;
        }
        return 0;
}
