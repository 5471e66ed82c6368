/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "format-util.h"
#include "macro.h"

void format_bytes(unsigned long long bytes, char *buf, size_t size)
{
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
        double v = (double) bytes;
        size_t u = 0;

        while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                u++;
        }
        if (u == 0)
                snprintf(buf, size, "%llu B", bytes);
        else
                snprintf(buf, size, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}
