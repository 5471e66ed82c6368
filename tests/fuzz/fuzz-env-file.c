/* SPDX-License-Identifier: MIT */
#include "shared/env-file.h"
#include "shared/strv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_strv_free_ char **env = NULL;
        size_t unparsed;

        (void) env_file_parse((const char *) data, size, &env, &unparsed);
        return 0;
}
