/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/format-util.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "inventory-text.h"

static const char *str_or(json_object *o, const char *key, const char *def)
{
        const char *s = json_get_str(o, key);
        return isempty(s) ? def : s;
}

const char *inventory_text_mountpoint(json_object *inv, int64_t number)
{
        json_object *mounts = json_get(inv, "mounts");
        size_t n = json_array_len(mounts);

        for (size_t i = 0; i < n; i++) {
                json_object *m = json_object_array_get_idx(mounts, i);
                if (json_get_int(m, "partition", -1) == number)
                        return json_get_str(m, "mountpoint");
        }
        return NULL;
}

static void render_disk(FILE *f, json_object *inv)
{
        json_object *disk = json_get(inv, "disk"), *parts;
        size_t n;

        if (!json_object_is_type(disk, json_type_object))
                return;
        parts = json_get(disk, "partitions");
        n = json_array_len(parts);
        fprintf(f, "Disk:      %s partition table, %zu partition%s\n", str_or(disk, "label", "no"), n,
                n == 1 ? "" : "s");
        for (size_t i = 0; i < n; i++) {
                json_object *p = json_object_array_get_idx(parts, i), *fs = json_get(p, "filesystem");
                char size[32];

                format_bytes((unsigned long long) json_get_int(p, "size", 0), size, sizeof(size));
                fprintf(f, "  %3lld  %-22s %-7s %-16s %9s  %s\n", (long long) json_get_int(p, "number", 0),
                        str_or(p, "type_name", "?"), str_or(fs, "type", "-"), str_or(fs, "label", ""), size,
                        strempty(inventory_text_mountpoint(inv, json_get_int(p, "number", -1))));
        }
}

static void render_findings(FILE *f, json_object *inv)
{
        json_object *fs = json_get(inv, "findings");
        size_t n = json_array_len(fs);

        if (n == 0) {
                fputs("Findings:  none\n", f);
                return;
        }
        fprintf(f, "Findings:  %zu\n", n);
        for (size_t i = 0; i < n; i++) {
                json_object *x = json_object_array_get_idx(fs, i);
                fprintf(f, "  [%s] %s: %s\n", str_or(x, "severity", "?"), str_or(x, "key", "?"),
                        str_or(x, "detail", str_or(x, "title", "")));
        }
}

int inventory_text_render(json_object *inv, char **ret)
{
        json_object *src = json_get(inv, "source"), *os = json_get(inv, "os"),
                    *pk = json_get(inv, "packages"), *boot = json_get(inv, "boot"),
                    *aks = json_get(inv, "aks");
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;

        fprintf(f, "Source:    %s (%s, %s backend)\n", str_or(src, "path", "?"), str_or(src, "format", "?"),
                str_or(src, "backend", "?"));
        fprintf(f, "OS:        %s", str_or(os, "pretty_name", str_or(os, "id", "unknown")));
        if (json_get_str(os, "arch"))
                fprintf(f, ", %s", json_get_str(os, "arch"));
        if (json_get_str(os, "hostname"))
                fprintf(f, ", hostname %s", json_get_str(os, "hostname"));
        fputc('\n', f);
        render_disk(f, inv);
        if (json_object_is_type(boot, json_type_object)) {
                json_object *k = json_get(boot, "kernels");
                size_t nk = json_array_len(k);
                fprintf(f, "Boot:      %s firmware, %s", str_or(boot, "firmware", "unknown"),
                        str_or(boot, "bootloader", "unknown bootloader"));
                for (size_t i = 0; i < nk; i++)
                        fprintf(f, "%s%s", i == 0 ? ", kernel " : ", ",
                                str_or(json_object_array_get_idx(k, i), "version", "?"));
                fputc('\n', f);
        }
        if (json_object_is_type(pk, json_type_object)) {
                fprintf(f, "Packages:  %lld (%s)", (long long) json_get_int(pk, "count", 0),
                        str_or(pk, "manager", "none"));
                if (json_get(pk, "manual_count"))
                        fprintf(f, ", %lld installed by hand",
                                (long long) json_get_int(pk, "manual_count", 0));
                if (json_array_len(json_get(pk, "held")) > 0)
                        fprintf(f, ", %zu held", json_array_len(json_get(pk, "held")));
                fputc('\n', f);
        }
        if (json_object_is_type(aks, json_type_object) && json_get_bool(aks, "is_node", false)) {
                json_object *kl = json_get(aks, "kubelet"), *cd = json_get(aks, "containerd");
                fprintf(f, "AKS node:  kubelet %s, containerd %s",
                        str_or(kl, "version", "(version unknown)"),
                        str_or(cd, "version", "(version unknown)"));
                if (json_get_str(aks, "node_image_version"))
                        fprintf(f, ", image %s", json_get_str(aks, "node_image_version"));
                fputc('\n', f);
        }
        render_findings(f, inv);

        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}
