/* SPDX-License-Identifier: MIT */
/* The line-oriented configuration parsers of the collectors. The first input byte chooses the
 * parser, the rest is the file. */
#include "inspect/apt-sources.h"
#include "inspect/authorized-keys.h"
#include "inspect/kubelet-env.h"
#include "inspect/modprobe.h"
#include "inspect/modules-load.h"
#include "inspect/passwd.h"
#include "inspect/sysctl.h"
#include "shared/strv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *buf = (const char *) data + 1;
        size_t n = size > 0 ? size - 1 : 0;

        if (size == 0)
                return 0;
        switch (data[0] % 10) {
        case 0: {
                SysctlFile *f = NULL;
                if (sysctl_parse(buf, n, &f) >= 0)
                        sysctl_file_free(f);
                break;
        }
        case 1: {
                ModprobeFile *f = NULL;
                if (modprobe_parse(buf, n, &f) >= 0)
                        modprobe_file_free(f);
                break;
        }
        case 2: {
                ModulesLoadFile *f = NULL;
                if (modules_load_parse(buf, n, &f) >= 0)
                        modules_load_file_free(f);
                break;
        }
        case 3: {
                PasswdList l = {};
                (void) passwd_parse(buf, n, &l);
                passwd_list_done(&l);
                break;
        }
        case 4: {
                GroupList l = {};
                (void) group_parse(buf, n, &l);
                group_list_done(&l);
                break;
        }
        case 5: {
                ShadowList l = {};
                (void) shadow_parse(buf, n, &l);
                shadow_list_done(&l);
                break;
        }
        case 6: {
                AptSourceList l = {};
                (void) apt_sources_parse_one_line(buf, n, &l);
                apt_source_list_done(&l);
                break;
        }
        case 7: {
                AptSourceList l = {};
                (void) apt_sources_parse_deb822(buf, n, &l);
                apt_source_list_done(&l);
                break;
        }
        case 8: {
                AuthorizedKeys k = {};
                authorized_keys_parse(buf, n, &k);
                break;
        }
        default: {
                _cleanup_strv_free_ char **env = NULL;
                (void) kubelet_env_parse_file(buf, n, &env);
                break;
        }
        }
        return 0;
}
