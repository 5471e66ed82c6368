/* SPDX-License-Identifier: MIT */
/* Unit tests for src/inspect/passwd.c (passwd, group, shadow) and authorized-keys.c. */
#include <stdlib.h>
#include <string.h>

#include "inspect/authorized-keys.h"
#include "inspect/passwd.h"
#include "shared/macro.h"
#include "tests.h"

/* Lines of /etc/passwd of an AKS Ubuntu 22.04 node (the image's system accounts and the admin
 * user cloud-init creates). */
static const char passwd_aks[] =
        "root:x:0:0:root:/root:/bin/bash\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        "systemd-network:x:100:102:systemd Network Management,,,:/run/systemd:/usr/sbin/nologin\n"
        "messagebus:x:103:104::/nonexistent:/usr/sbin/nologin\n"
        "syslog:x:104:111::/home/syslog:/usr/sbin/nologin\n"
        "_apt:x:105:65534::/nonexistent:/usr/sbin/nologin\n"
        "_chrony:x:114:121:Chrony daemon,,,:/var/lib/chrony:/usr/sbin/nologin\n"
        "azureuser:x:1000:1000:Ubuntu:/home/azureuser:/bin/bash\n";

static void test_passwd_real(void)
{
        PasswdList l;

        ASSERT_OK(passwd_parse(passwd_aks, strlen(passwd_aks), &l));
        ASSERT_EQ(l.n, 9);
        ASSERT_EQ(l.n_invalid, 0);
        ASSERT_STREQ(l.entries[0].name, "root");
        ASSERT_EQ(l.entries[0].uid, 0);
        ASSERT_STREQ(l.entries[3].gecos, "systemd Network Management,,,");
        ASSERT_EQ(l.entries[2].uid, 65534);
        ASSERT_STREQ(l.entries[4].gecos, "");
        ASSERT_STREQ(l.entries[8].name, "azureuser");
        ASSERT_EQ(l.entries[8].uid, 1000);
        ASSERT_EQ(l.entries[8].gid, 1000);
        ASSERT_STREQ(l.entries[8].home, "/home/azureuser");
        ASSERT_STREQ(l.entries[8].shell, "/bin/bash");
        passwd_list_done(&l);
}

static void test_passwd_hostile(void)
{
        /* 20 fields, 6 fields, a non-numeric uid, a negative gid, 2^32-1, an empty name, a NUL
         * byte, and a line without a newline at the end; comments, blank and NIS lines are not
         * errors. A 100 KiB gecos is fine. */
        static const char head[] = "a:b:c:d:e:f:g:h:i:j:k:l:m:n:o:p:q:r:s:t\n"
                                   "short:x:1001:1001:gecos:/home/short\n"
                                   "bad:x:10o1:1001::/home/bad:/bin/sh\n"
                                   "neg:x:1002:-1::/home/neg:/bin/sh\n"
                                   "max:x:4294967295:1::/:/bin/sh\n"
                                   ":x:1003:1003::/home/x:/bin/sh\n"
                                   "nul:x:1004:1004:a\0b:/home/nul:/bin/sh\n"
                                   "# comment\n"
                                   "\n"
                                   "+@netgroup::::::\n"
                                   "-baduser::::::\n"
                                   "big:x:4294967294:1:";
        static const char tail[] = ":/home/big:/bin/sh\nlast:x:1005:1005::/home/last:/bin/sh";
        size_t gecos = 100 * 1024, size = sizeof(head) - 1 + gecos + sizeof(tail) - 1;
        _cleanup_free_ char *buf = malloc(size);
        PasswdList l;

        ASSERT_NOT_NULL(buf);
        memcpy(buf, head, sizeof(head) - 1);
        memset(buf + sizeof(head) - 1, 'g', gecos);
        memcpy(buf + sizeof(head) - 1 + gecos, tail, sizeof(tail) - 1);
        ASSERT_OK(passwd_parse(buf, size, &l));
        ASSERT_EQ(l.n, 2);
        ASSERT_EQ(l.n_invalid, 7);
        ASSERT_EQ(l.first_invalid_line, 1);
        ASSERT_STREQ(l.entries[0].name, "big");
        ASSERT_EQ(l.entries[0].uid, 4294967294u);
        ASSERT_EQ(strlen(l.entries[0].gecos), gecos);
        ASSERT_STREQ(l.entries[1].name, "last");
        passwd_list_done(&l);

        /* Binary garbage: nothing parses, nothing breaks. */
        {
                unsigned char junk[4096];
                for (size_t i = 0; i < sizeof(junk); i++)
                        junk[i] = (unsigned char) (i * 7919u >> 3);
                ASSERT_OK(passwd_parse((const char *) junk, sizeof(junk), &l));
                ASSERT_EQ(l.n, 0);
                passwd_list_done(&l);
        }
}

static void test_group(void)
{
        static const char group[] = "root:x:0:\n"
                                    "adm:x:4:syslog,azureuser\n"
                                    "sudo:x:27:azureuser\n"
                                    "docker:x:999:azureuser,,ci\n"
                                    "nogroup:x:65534:\n"
                                    "azureuser:x:1000:\n"
                                    "broken:x:1001\n"
                                    "also:broken:x:1002:a\n";
        GroupList l;

        ASSERT_OK(group_parse(group, strlen(group), &l));
        ASSERT_EQ(l.n, 6);
        ASSERT_EQ(l.n_invalid, 2);
        ASSERT_EQ(l.first_invalid_line, 7);
        ASSERT_STREQ(l.entries[1].name, "adm");
        ASSERT_STREQ(l.entries[1].members[0], "syslog");
        ASSERT_STREQ(l.entries[1].members[1], "azureuser");
        ASSERT_NULL(l.entries[1].members[2]);
        ASSERT_NULL(l.entries[0].members[0]);
        /* Empty names in the member list are dropped. */
        ASSERT_STREQ(l.entries[3].members[1], "ci");
        ASSERT_NULL(l.entries[3].members[2]);
        ASSERT_EQ(l.entries[4].gid, 65534);
        group_list_done(&l);

        /* A group with more members than GROUP_MEMBERS_MAX is refused, not parsed slowly. */
        {
                size_t n = GROUP_MEMBERS_MAX + 1, size = 32 + n * 2;
                _cleanup_free_ char *buf = malloc(size);
                char *p;

                ASSERT_NOT_NULL(buf);
                p = buf + sprintf(buf, "huge:x:2000:");
                for (size_t i = 0; i < n; i++) {
                        *p++ = 'u';
                        *p++ = ',';
                }
                *p++ = '\n';
                ASSERT_OK(group_parse(buf, (size_t) (p - buf), &l));
                ASSERT_EQ(l.n, 0);
                ASSERT_EQ(l.n_invalid, 1);
                group_list_done(&l);
        }
}

static void test_shadow(void)
{
        /* Hashes shortened; the parser keeps nothing of them. */
        static const char shadow[] = "root:*:19800:0:99999:7:::\n"
                                     "daemon:*:19800:0:99999:7:::\n"
                                     "azureuser:!:19810:0:99999:7:::\n"
                                     "ops:$6$rounds=4096$salt$hash:19811:0:99999:7:::\n"
                                     "locked:!$6$salt$hash:19811:0:99999:7:::\n"
                                     "empty::19811:0:99999:7:::\n"
                                     "nofields\n";
        ShadowList l;

        ASSERT_OK(shadow_parse(shadow, strlen(shadow), &l));
        ASSERT_EQ(l.n, 6);
        ASSERT_EQ(l.n_invalid, 1);
        ASSERT_FALSE(l.entries[0].password_set);
        ASSERT_FALSE(l.entries[2].password_set);
        ASSERT_STREQ(l.entries[3].name, "ops");
        ASSERT_TRUE(l.entries[3].password_set);
        ASSERT_FALSE(l.entries[4].password_set);
        ASSERT_FALSE(l.entries[5].password_set);
        shadow_list_done(&l);
}

static void test_ids(void)
{
        uint32_t id;

        ASSERT_OK(passwd_parse_id("0", 1, &id));
        ASSERT_EQ(id, 0);
        ASSERT_OK(passwd_parse_id("4294967294", 10, &id));
        ASSERT_EQ(id, 4294967294u);
        ASSERT_ERR(passwd_parse_id("4294967295", 10, &id), -EINVAL);
        ASSERT_ERR(passwd_parse_id("99999999999", 11, &id), -EINVAL);
        ASSERT_ERR(passwd_parse_id("", 0, &id), -EINVAL);
        ASSERT_ERR(passwd_parse_id(" 1", 2, &id), -EINVAL);
        ASSERT_ERR(passwd_parse_id("+1", 2, &id), -EINVAL);
}

static bool has_type(const AuthorizedKeys *k, const char *name)
{
        for (size_t i = 0; i < authorized_keys_n_types(); i++)
                if ((k->types & (1u << i)) && strcmp(authorized_keys_type_name(i), name) == 0)
                        return true;
        return false;
}

static void test_authorized_keys(void)
{
        /* Key material shortened; real lines have the same shape. */
        static const char keys[] =
                "# Keys for azureuser, set by the AKS control plane\n"
                "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7vbqajDhA azureuser@aks-nodepool1\n"
                "\n"
                "  ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ0pLZ3b ops@jumpbox\n"
                "no-port-forwarding,command=\"echo \\\"not allowed\\\" && exit 1\" ssh-rsa AAAAB3NzaC1yc2E= "
                "restricted\n"
                "from=\"10.0.0.0/8\",no-pty ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY=\n"
                "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t yubikey\n"
                "ssh-rsa\n"
                "1024 35 1234567890123456789 old-ssh1-key\n"
                "root:$6$salt$hash:19811:0:99999:7:::\n"
                "ssh-rsa not*base64\n";
        AuthorizedKeys k;

        authorized_keys_parse(keys, strlen(keys), &k);
        ASSERT_EQ(k.count, 5);
        ASSERT_EQ(k.unrecognized, 4);
        ASSERT_TRUE(has_type(&k, "ssh-rsa"));
        ASSERT_TRUE(has_type(&k, "ssh-ed25519"));
        ASSERT_TRUE(has_type(&k, "ecdsa-sha2-nistp256"));
        ASSERT_TRUE(has_type(&k, "sk-ssh-ed25519@openssh.com"));
        ASSERT_FALSE(has_type(&k, "ssh-dss"));

        authorized_keys_parse("", 0, &k);
        ASSERT_EQ(k.count, 0);
        ASSERT_EQ(k.unrecognized, 0);
        ASSERT_EQ(k.types, 0);

        /* An unterminated quote in the options swallows the rest of the line. */
        authorized_keys_parse("command=\"x ssh-rsa AAAA\n", strlen("command=\"x ssh-rsa AAAA\n"), &k);
        ASSERT_EQ(k.count, 0);
        ASSERT_EQ(k.unrecognized, 1);

        /* The type table is sorted and fits the bit mask. */
        ASSERT_TRUE(authorized_keys_n_types() <= 32);
        for (size_t i = 1; i < authorized_keys_n_types(); i++)
                ASSERT_TRUE(strcmp(authorized_keys_type_name(i - 1), authorized_keys_type_name(i)) < 0);
        ASSERT_EQ(authorized_keys_type_index("ssh-rsa", 7), 14);
        ASSERT_EQ(authorized_keys_type_index("ssh-rs", 6), -1);
}

int main(void)
{
        RUN(test_passwd_real);
        RUN(test_passwd_hostile);
        RUN(test_group);
        RUN(test_shadow);
        RUN(test_ids);
        RUN(test_authorized_keys);
        TESTS_DONE();
}
