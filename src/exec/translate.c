/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/fileio.h"
#include "shared/macro.h"
#include "shared/string-util.h"
#include "translate.h"

#define CHRONY_RULE  "chrony.translated"
#define CMDLINE_RULE "kernel.cmdline.written"

TranslateInput translate_input(const char *rule)
{
        if (streq_ptr(rule, CHRONY_RULE))
                return TRANSLATE_SOURCE;
        if (streq_ptr(rule, CMDLINE_RULE))
                return TRANSLATE_TARGET;
        return TRANSLATE_NONE;
}

/* chrony directives whose argument is renamed: directive, Ubuntu's value, Azure Linux's. */
static const struct {
        const char *directive, *from, *to;
} chrony_renames[] = {
        { "refclock", "PHC /dev/ptp0", "PHC /dev/ptp_hyperv" },
        { "keyfile", "/etc/chrony/chrony.keys", "/etc/chrony.keys" },
        { "driftfile", "/var/lib/chrony/chrony.drift", "/var/lib/chrony/drift" },
};

/* Writes line (len bytes, without its newline) to f, renamed if a rule matches. */
static void chrony_line(FILE *f, const char *line, size_t len)
{
        size_t indent = 0;

        while (indent < len && (line[indent] == ' ' || line[indent] == '\t'))
                indent++;
        for (size_t i = 0; i < ELEMENTSOF(chrony_renames); i++) {
                size_t dl = strlen(chrony_renames[i].directive), fl = strlen(chrony_renames[i].from);
                const char *p = line + indent, *end = line + len, *arg;

                if ((size_t) (end - p) <= dl || strncmp(p, chrony_renames[i].directive, dl) != 0 ||
                    (p[dl] != ' ' && p[dl] != '\t'))
                        continue;
                arg = p + dl;
                while (arg < end && (*arg == ' ' || *arg == '\t'))
                        arg++;
                /* The value, then the end of the line or more options. */
                if ((size_t) (end - arg) < fl || strncmp(arg, chrony_renames[i].from, fl) != 0 ||
                    (arg + fl < end && arg[fl] != ' ' && arg[fl] != '\t'))
                        continue;
                fprintf(f, "%.*s%s%.*s\n", (int) (arg - line), line, chrony_renames[i].to,
                        (int) (end - arg - fl), arg + fl);
                return;
        }
        fprintf(f, "%.*s\n", (int) len, line);
}

/* Plain kernel parameters: nothing the shell that sources /etc/default/grub would interpret. */
static bool cmdline_value_ok(const char *v)
{
        return strlen(v) < 4096 && str_in_charset(v, " =.,:-_/+@");
}

static void cmdline_line(FILE *f, const char *line, size_t len, const char *value, bool *done)
{
        size_t indent = 0;
        const char *p;

        while (indent < len && (line[indent] == ' ' || line[indent] == '\t'))
                indent++;
        p = line + indent;
        if ((size_t) (line + len - p) >= strlen("GRUB_CMDLINE_LINUX=") &&
            startswith(p, "GRUB_CMDLINE_LINUX=")) {
                if (!*done)
                        fprintf(f, "GRUB_CMDLINE_LINUX=\"%s\"\n", value);
                *done = true;
                return;
        }
        fprintf(f, "%.*s\n", (int) len, line);
}

int translate_text(const char *rule, const char *value, const char *text, size_t size, char **ret)
{
        TranslateInput in = translate_input(rule);
        _cleanup_free_ char *out = NULL;
        size_t out_size = 0;
        bool done = false;
        const char *line;
        size_t len;
        LineIter it;
        FILE *f;

        if (in == TRANSLATE_NONE)
                return -ENOENT;
        if (in == TRANSLATE_SOURCE && !text)
                return -EINVAL;
        if (in == TRANSLATE_TARGET && (!value || !cmdline_value_ok(value)))
                return -EINVAL;
        f = open_memstream(&out, &out_size);
        if (!f)
                return -ENOMEM;
        it = line_iter_init(text ?: "", text ? size : 0);
        while (line_iter_next(&it, &line, &len)) {
                if (in == TRANSLATE_SOURCE)
                        chrony_line(f, line, len);
                else
                        cmdline_line(f, line, len, value, &done);
        }
        if (in == TRANSLATE_TARGET && !done)
                fprintf(f, "GRUB_CMDLINE_LINUX=\"%s\"\n", value);
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(out);
        return 0;
}
