/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/path-util.h"
#include "shared/string-util.h"
#include "collect.h"

/* Extra CA certificates: what update-ca-certificates(8) adds to the system trust store from
 * /usr/local/share/ca-certificates (only names ending in .crt, found with "find -L", so symlinks
 * are followed), and the AKS custom CA drop directory /opt/certs that update_certs.path watches
 * (AgentBaker parts/linux/cloud-init/artifacts/update_certs.path; update_certs.sh copies the files
 * into /usr/local/share/ca-certificates/certs). Files are counted and classified, never parsed
 * as X.509; files named *.key are listed but not read. */

#define CA_LOCAL_DIR "/usr/local/share/ca-certificates"
#define CA_AKS_DIR   "/opt/certs"
#define CA_DEPTH_MAX 4u     /* directory levels below a root that are walked */
#define CA_FILES_MAX 10000u /* files recorded over both roots */
/* Entries looked at over both roots: symlinked directories can make a tree of any fan-out
 * within CA_DEPTH_MAX levels, with no file in it. */
#define CA_ENTRIES_MAX 100000u

#define PEM_CERT_BEGIN "-----BEGIN CERTIFICATE-----"

typedef struct CertWalk {
        InspectContext *c;
        json_object *arr;
        const char *root;
        bool local; /* under CA_LOCAL_DIR: update-ca-certificates reads it */
        size_t files;
        size_t entries;
        bool truncated;
} CertWalk;

static size_t count_pem_certs(const char *buf, size_t size)
{
        const char *p = buf, *end = buf + size;
        size_t n = 0, m = strlen(PEM_CERT_BEGIN);

        while ((p = memmem(p, (size_t) (end - p), PEM_CERT_BEGIN, m))) {
                n++;
                p += m;
        }
        return n;
}

static bool has_pem_marker(const char *buf, size_t size)
{
        return memmem(buf, size, "-----BEGIN ", 11) != NULL;
}

/* A DER certificate is one ASN.1 SEQUENCE whose encoded length is the whole file. */
static bool is_der(const unsigned char *b, size_t size)
{
        size_t len = 0, hdr;

        if (size < 2 || b[0] != 0x30)
                return false;
        if (b[1] < 0x80) {
                hdr = 2;
                len = b[1];
        } else {
                size_t nb = b[1] & 0x7f;
                if (nb == 0 || nb > 3 || size < 2 + nb)
                        return false;
                hdr = 2 + nb;
                for (size_t i = 0; i < nb; i++)
                        len = len << 8 | b[2 + i];
        }
        return hdr + len == size;
}

static int cert_file(CertWalk *w, const char *path, const GuestStat *st, bool symlink)
{
        _cleanup_free_ char *buf = NULL;
        const char *name = path_basename(path), *format = "unknown";
        bool crt = endswith(name, ".crt"), skip = endswith(name, ".key");
        json_object *o;
        size_t size = 0, blocks = 0;
        int r = 0;

        if (!skip) {
                r = collect_read_file(w->c, path, CONFIG_FILE_MAX, &buf, &size);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        r = 0; /* unreadable: listed, not classified */
        }
        if (r > 0) {
                blocks = count_pem_certs(buf, size);
                if (has_pem_marker(buf, size))
                        format = "pem";
                else if (is_der((const unsigned char *) buf, size))
                        format = "der";
        }
        o = json_object_new_object();
        if (!o || json_append(w->arr, o) < 0)
                return -ENOMEM;
        if (json_add_str(o, "path", path) < 0 || json_add_str(o, "source_dir", w->root) < 0 ||
            json_add_int(o, "size", (int64_t) st->size) < 0 || json_add_bool(o, "symlink", symlink) < 0 ||
            json_add_bool(o, "read", r > 0) < 0 || json_add_str(o, "format", format) < 0 ||
            json_add_bool(o, "used_by_update_ca_certificates", w->local && crt) < 0)
                return -ENOMEM;
        r = r > 0 ? json_add_int(o, "pem_blocks", (int64_t) blocks) : json_add(o, "pem_blocks", NULL);
        if (r < 0)
                return r;
        if (w->local && crt && buf && blocks == 0)
                return inventory_add_finding(w->c->inv, "certs.not-pem", path,
                                             "'%s' holds no PEM certificate (format: %s)", path, format);
        return 0;
}

static int cert_walk(CertWalk *w, const char *dir, unsigned depth)
{
        GuestDirEntry *e = NULL;
        size_t n = 0;
        int r;

        r = collect_read_dir(w->c, dir, &e, &n);
        if (r == -ENOMEM)
                return r;
        if (r <= 0)
                return 0; /* absent or unreadable */
        for (size_t i = 0; i < n && r >= 0 && !w->truncated; i++) {
                _cleanup_free_ char *p = path_join(dir, e[i].name);
                bool symlink = e[i].type == GUEST_FILE_SYMLINK;
                GuestStat st;

                if (!p) {
                        r = -ENOMEM;
                        break;
                }
                if (++w->entries > CA_ENTRIES_MAX) {
                        w->truncated = true;
                        break;
                }
                r = guest_stat(w->c->guest, p, &st);
                if (r < 0) {
                        r = r == -ENOMEM ? r : 0; /* a dangling link, a loop */
                        continue;
                }
                if (st.type == GUEST_FILE_DIRECTORY) {
                        if (depth < CA_DEPTH_MAX)
                                r = cert_walk(w, p, depth + 1);
                        continue;
                }
                if (st.type != GUEST_FILE_REGULAR)
                        continue;
                if (w->files >= CA_FILES_MAX) {
                        w->truncated = true;
                        break;
                }
                w->files++;
                r = cert_file(w, p, &st, symlink);
        }
        guest_dir_entries_free(e, n);
        return r < 0 ? r : 0;
}

static int cmp_by_path(const void *a, const void *b)
{
        return strcmp(strempty(json_get_str(*(json_object *const *) a, "path")),
                      strempty(json_get_str(*(json_object *const *) b, "path")));
}

int collect_certs(InspectContext *c)
{
        json_object *cfg = inventory_section(c->inv, "config"), *arr;
        CertWalk w = { .c = c };
        int r;

        if (!cfg)
                return -ENOMEM;
        arr = json_get_or_add_array(cfg, "ca_certs");
        if (!arr)
                return -ENOMEM;
        w.arr = arr;
        w.root = CA_LOCAL_DIR;
        w.local = true;
        r = cert_walk(&w, CA_LOCAL_DIR, 0);
        if (r < 0)
                return r;
        w.root = CA_AKS_DIR;
        w.local = false;
        r = cert_walk(&w, CA_AKS_DIR, 0);
        if (r < 0)
                return r;
        json_object_array_sort(arr, cmp_by_path);
        return json_add_bool(cfg, "ca_certs_truncated", w.truncated);
}
