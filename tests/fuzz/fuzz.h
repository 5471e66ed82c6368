/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Every fuzz target defines this. Built with -Dfuzzing=true it is linked with libFuzzer;
 * otherwise fuzz-main.c gives it a main() that replays the files and directories named on the
 * command line (the corpus under tests/fuzz/corpus/<target>/), so the corpus runs as a test. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
