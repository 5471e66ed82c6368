/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/path-util.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "kernels.h"

static void kernel_done(Kernel *k)
{
        free(k->version);
        free(k->image);
        free(k->initrd);
}

void kernel_list_done(KernelList *l)
{
        for (size_t i = 0; i < l->n; i++)
                kernel_done(&l->items[i]);
        free(l->items);
        *l = (KernelList){};
}

int kernel_version_compare(const char *a, const char *b)
{
        return strverscmp(a, b);
}

/* A version as kernels are named: no '/', no blanks or control bytes, no leftover suffix. */
static bool version_is_valid(const char *v)
{
        static const char *const leftovers[] = { ".old", ".bak", ".efi.signed", "~" };

        if (isempty(v) || strstr(v, ".dpkg-") || streq(v, ".") || streq(v, ".."))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(leftovers); i++)
                if (endswith(v, leftovers[i]))
                        return false;
        for (const char *p = v; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == '/' || *p == 0x7f)
                        return false;
        return true;
}

const char *kernel_image_version(const char *name)
{
        const char *v = startswith(name, "vmlinuz-") ?: startswith(name, "vmlinux-");

        return v && version_is_valid(v) ? v : NULL;
}

static Kernel *find_or_add(KernelList *l, const char *version)
{
        Kernel *n;

        for (size_t i = 0; i < l->n; i++)
                if (streq(l->items[i].version, version))
                        return &l->items[i];
        n = reallocarray(l->items, l->n + 1, sizeof(Kernel));
        if (!n)
                return NULL;
        l->items = n;
        n[l->n] = (Kernel){ .version = strdup(version) };
        if (!n[l->n].version)
                return NULL;
        return &l->items[l->n++];
}

static int cmp_kernel(const void *a, const void *b)
{
        return kernel_version_compare(((const Kernel *) a)->version, ((const Kernel *) b)->version);
}

int kernel_list_build(char *const *boot_files, char *const *module_dirs, KernelList *ret)
{
        KernelList l = {};

        for (size_t i = 0; boot_files && boot_files[i]; i++) {
                const char *v = kernel_image_version(boot_files[i]);
                Kernel *k;

                if (!v)
                        continue;
                k = find_or_add(&l, v);
                if (!k)
                        goto fail;
                if (!k->image && !(k->image = path_join("/boot", boot_files[i])))
                        goto fail;
        }
        for (size_t i = 0; module_dirs && module_dirs[i]; i++) {
                Kernel *k;

                if (!version_is_valid(module_dirs[i]))
                        continue;
                k = find_or_add(&l, module_dirs[i]);
                if (!k)
                        goto fail;
                k->modules = true;
        }
        /* initrds only for kernels found above: an initrd alone is not a kernel. */
        for (size_t i = 0; i < l.n; i++) {
                Kernel *k = &l.items[i];
                _cleanup_free_ char *deb = NULL, *dracut = NULL;

                if (asprintf(&deb, "initrd.img-%s", k->version) < 0) {
                        deb = NULL;
                        goto fail;
                }
                if (asprintf(&dracut, "initramfs-%s.img", k->version) < 0) {
                        dracut = NULL;
                        goto fail;
                }
                if (strv_contains(boot_files, deb))
                        k->initrd = path_join("/boot", deb);
                else if (strv_contains(boot_files, dracut))
                        k->initrd = path_join("/boot", dracut);
                else
                        continue;
                if (!k->initrd)
                        goto fail;
        }
        if (l.n > 1)
                qsort(l.items, l.n, sizeof(Kernel), cmp_kernel);
        *ret = l;
        return 0;
fail:
        kernel_list_done(&l);
        return -ENOMEM;
}
