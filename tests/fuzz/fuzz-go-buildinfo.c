/* SPDX-License-Identifier: MIT */
/* The ELF section reader and Go build-information decoder on arbitrary file bytes. */
#include <stdlib.h>
#include <string.h>

#include "inspect/go-buildinfo.h"
#include "fuzz.h"

typedef struct Input {
        const uint8_t *data;
        size_t size;
} Input;

static int read_at(void *userdata, uint64_t offset, size_t size, void *buf, size_t *ret_n)
{
        const Input *in = userdata;
        size_t n = 0;

        if (offset < in->size)
                n = in->size - (size_t) offset < size ? in->size - (size_t) offset : size;
        if (n > 0)
                memcpy(buf, in->data + offset, n);
        *ret_n = n;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        Input in = { data, size };
        GoBuildinfo *b = NULL;
        char *v = NULL;

        if (go_buildinfo_read(read_at, &in, size, &b) <= 0)
                return 0;
        if (go_buildinfo_kubernetes_version(b, &v) > 0)
                free(v);
        go_buildinfo_free(b);
        return 0;
}
