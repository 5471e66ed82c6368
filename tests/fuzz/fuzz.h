/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Every fuzz target defines this. Built with -Dfuzzing=true it is linked with libFuzzer;
 * otherwise fuzz-main.c gives it a main() that replays the files and directories named on the
 * command line (the corpus under tests/fuzz/corpus/<target>/), so the corpus runs as a test. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The knowledge directory for targets that need it: $AZLMIGRATE_SRCDIR/plans (the test
 * environment sets it), else ./plans. */
static inline const char *fuzz_plans_dir(void)
{
        static char p[4096];
        const char *src = getenv("AZLMIGRATE_SRCDIR");

        if (!p[0])
                snprintf(p, sizeof(p), "%s/plans", src ? src : ".");
        return p;
}
