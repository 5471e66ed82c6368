/* SPDX-License-Identifier: MIT */
#include "pkgdb/dpkg-status.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        DpkgStatus *s = NULL;

        if (dpkg_status_parse((const char *) data, size, &s) >= 0)
                dpkg_status_free(s);
        return 0;
}
