/* SPDX-License-Identifier: MIT */
#include "inspect/fstab.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        Fstab *f = NULL;

        if (fstab_parse((const char *) data, size, &f) >= 0)
                fstab_free(f);
        return 0;
}
