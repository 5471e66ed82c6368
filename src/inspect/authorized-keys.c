/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "shared/fileio.h"
#include "shared/macro.h"
#include "authorized-keys.h"

/* Public key types OpenSSH accepts in authorized_keys (sshkey.c keytypes[]), sorted. */
static const char *const key_types[] = {
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp384-cert-v01@openssh.com",
        "ecdsa-sha2-nistp521",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com",
        "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
        "sk-ssh-ed25519-cert-v01@openssh.com",
        "sk-ssh-ed25519@openssh.com",
        "ssh-dss",
        "ssh-dss-cert-v01@openssh.com",
        "ssh-ed25519",
        "ssh-ed25519-cert-v01@openssh.com",
        "ssh-rsa",
        "ssh-rsa-cert-v01@openssh.com",
        "ssh-xmss-cert-v01@openssh.com",
        "ssh-xmss@openssh.com",
};

const char *authorized_keys_type_name(size_t i)
{
        return i < ELEMENTSOF(key_types) ? key_types[i] : NULL;
}

size_t authorized_keys_n_types(void)
{
        return ELEMENTSOF(key_types);
}

int authorized_keys_type_index(const char *s, size_t n)
{
        for (size_t i = 0; i < ELEMENTSOF(key_types); i++)
                if (strlen(key_types[i]) == n && memcmp(key_types[i], s, n) == 0)
                        return (int) i;
        return -1;
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *p, const char *end)
{
        while (p < end && is_blank(*p))
                p++;
        return p;
}

static const char *token_end(const char *p, const char *end)
{
        while (p < end && !is_blank(*p))
                p++;
        return p;
}

/* The end of an options field: the first blank outside double quotes (sshd's auth_options:
 * '\"' inside quotes is a literal quote). */
static const char *options_end(const char *p, const char *end)
{
        bool quoted = false;

        for (; p < end; p++) {
                if (quoted && *p == '\\' && p + 1 < end && p[1] == '"')
                        p++;
                else if (*p == '"')
                        quoted = !quoted;
                else if (!quoted && is_blank(*p))
                        break;
        }
        return p;
}

static bool is_base64(const char *p, const char *e)
{
        if (p >= e)
                return false;
        for (; p < e; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                      *p == '+' || *p == '/' || *p == '='))
                        return false;
        return true;
}

/* Returns the type index of a "keytype base64" at p, or -1. */
static int key_at(const char *p, const char *end)
{
        const char *te = token_end(p, end), *b, *be;
        int t = authorized_keys_type_index(p, (size_t) (te - p));

        if (t < 0)
                return -1;
        b = skip_blanks(te, end);
        be = token_end(b, end);
        return is_base64(b, be) ? t : -1;
}

void authorized_keys_parse(const char *buf, size_t size, AuthorizedKeys *ret)
{
        AuthorizedKeys k = {};
        LineIter it = line_iter_init(buf, size);
        const char *line;
        size_t len;

        while (line_iter_next(&it, &line, &len)) {
                const char *end = line + len, *p = skip_blanks(line, end);
                int t;

                if (p == end || *p == '#')
                        continue;
                t = key_at(p, end);
                if (t < 0)
                        t = key_at(skip_blanks(options_end(p, end), end), end);
                if (t < 0) {
                        k.unrecognized++;
                        continue;
                }
                k.count++;
                k.types |= 1u << t;
        }
        *ret = k;
}
