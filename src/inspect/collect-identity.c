/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shared/json-util.h"
#include "shared/string-util.h"
#include "collect.h"

#define SMALL_FILE_MAX (4u * 1024u)

/* ELF e_machine values (elf.h) and the names dpkg and rpm use for them. */
static const struct {
        uint16_t machine;
        uint8_t elf_class; /* 1: 32-bit, 2: 64-bit */
        const char *arch;
} machines[] = {
        { 62, 2, "x86_64" }, { 183, 2, "aarch64" }, { 3, 1, "i386" },      { 40, 1, "arm" },
        { 21, 2, "ppc64" },  { 22, 2, "s390x" },    { 243, 2, "riscv64" }, { 258, 2, "loongarch64" },
};

/* Architecture of the guest's userland, from the ELF header of a core binary. */
static int guest_arch(InspectContext *c, const char **ret)
{
        static const char *const probes[] = { "/usr/bin/env", "/bin/sh", "/usr/bin/ls", "/sbin/init" };

        for (size_t i = 0; i < ELEMENTSOF(probes); i++) {
                uint8_t h[20];
                size_t n = 0;
                uint16_t m;
                int r;

                r = guest_pread(c->guest, probes[i], 0, sizeof(h), h, &n);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || n < sizeof(h) ||
                    memcmp(h,
                           "\x7f"
                           "ELF",
                           4) != 0)
                        continue;
                /* e_machine at offset 18, in the byte order EI_DATA (byte 5) names. */
                m = h[5] == 2 ? (uint16_t) (h[18] << 8 | h[19]) : (uint16_t) (h[19] << 8 | h[18]);
                for (size_t j = 0; j < ELEMENTSOF(machines); j++)
                        if (machines[j].machine == m && machines[j].elf_class == h[4]) {
                                *ret = (m == 21 && h[5] == 1) ? "ppc64le" : machines[j].arch;
                                return 1;
                        }
        }
        *ret = NULL;
        return 0;
}

static bool is_hex(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!strchr("0123456789abcdef", s[i]))
                        return false;
        return true;
}

int collect_identity(InspectContext *c)
{
        _cleanup_free_ char *host = NULL, *mid = NULL;
        json_object *os = inventory_section(c->inv, "os");
        const char *arch = NULL, *state;
        char *v;
        int r;

        if (!os)
                return -ENOMEM;

        /* hostname(5): the first line, surrounding blanks removed. */
        r = collect_read_file(c, "/etc/hostname", SMALL_FILE_MAX, &host, NULL);
        if (r < 0)
                return r;
        v = NULL;
        if (r > 0) {
                host[strcspn(host, "\n")] = 0;
                v = strstrip(host);
        }
        if (json_add_str(os, "hostname", isempty(v) ? NULL : v) < 0)
                return -ENOMEM;

        /* machine-id(5): 32 lowercase hex digits; images are shipped with it empty (or
         * "uninitialized") so that each machine gets its own at first boot. */
        r = collect_read_file(c, "/etc/machine-id", SMALL_FILE_MAX, &mid, NULL);
        if (r < 0)
                return r;
        v = NULL;
        if (r == 0)
                state = "missing";
        else {
                v = strstrip(mid);
                if (isempty(v))
                        state = "empty";
                else if (streq(v, "uninitialized"))
                        state = "uninitialized";
                else if (strlen(v) == 32 && is_hex(v, 32))
                        state = "set";
                else
                        state = "invalid";
        }
        if (json_add_str(os, "machine_id", streq(state, "set") ? v : NULL) < 0 ||
            json_add_str(os, "machine_id_state", state) < 0)
                return -ENOMEM;

        r = guest_arch(c, &arch);
        if (r < 0)
                return r;
        return json_add_str(os, "arch", arch);
}
