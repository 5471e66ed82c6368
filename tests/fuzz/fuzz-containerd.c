/* SPDX-License-Identifier: MIT */
/* The bounded TOML parser through containerd's config.toml reader. */
#include "inspect/containerd-config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        ContainerdConfig *c = NULL;
        unsigned line = 0;

        if (containerd_config_parse((const char *) data, size, &c, &line) >= 0)
                containerd_config_free(c);
        return 0;
}
