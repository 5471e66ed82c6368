/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* Formats a byte count for people: "4.0 GiB", "106 MiB", "512 B" (binary units). */
void format_bytes(unsigned long long bytes, char *buf, size_t size);
