/* SPDX-License-Identifier: MIT */
/* Unit tests for the content translators of carry-config (src/exec/translate.h). */
#include <stdlib.h>
#include <string.h>

#include "exec/translate.h"
#include "tests.h"

static char *tr(const char *rule, const char *value, const char *text)
{
        char *out = NULL;
        ASSERT_OK(translate_text(rule, value, text, text ? strlen(text) : 0, &out));
        return out;
}

static void test_chrony(void)
{
        /* AKS Ubuntu 22.04's chrony.conf (abridged), with indentation, options and comments. */
        const char *in = "# Welcome to the chrony configuration file.\n"
                         "confdir /etc/chrony/conf.d\n"
                         "keyfile /etc/chrony/chrony.keys\n"
                         "driftfile /var/lib/chrony/chrony.drift\n"
                         "refclock PHC /dev/ptp0 poll 3 dpoll -2 offset 0\n"
                         "  refclock PHC /dev/ptp0\n"
                         "# refclock PHC /dev/ptp0 poll 3\n"
                         "refclock PHC /dev/ptp01 poll 3\n"
                         "makestep 1.0 -1";
        const char *want = "# Welcome to the chrony configuration file.\n"
                           "confdir /etc/chrony/conf.d\n"
                           "keyfile /etc/chrony.keys\n"
                           "driftfile /var/lib/chrony/drift\n"
                           "refclock PHC /dev/ptp_hyperv poll 3 dpoll -2 offset 0\n"
                           "  refclock PHC /dev/ptp_hyperv\n"
                           "# refclock PHC /dev/ptp0 poll 3\n"
                           "refclock PHC /dev/ptp01 poll 3\n"
                           "makestep 1.0 -1\n";
        char *out = tr("chrony.translated", NULL, in);

        ASSERT_STREQ(out, want);
        free(out);
        ASSERT_EQ(translate_input("chrony.translated"), TRANSLATE_SOURCE);
}

static void test_cmdline(void)
{
        const char *azl = "GRUB_TIMEOUT=1\n"
                          "GRUB_CMDLINE_LINUX=\"console=ttyS0 lockdown=integrity\"\n"
                          "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX x\"\n"
                          "GRUB_DISABLE_RECOVERY=true\n";
        char *out = tr("kernel.cmdline.written", "apparmor=1 console=tty1 console=ttyS0", azl), *r = NULL;

        /* The first assignment is replaced, a later one (which would append) goes. */
        ASSERT_STREQ(out, "GRUB_TIMEOUT=1\n"
                          "GRUB_CMDLINE_LINUX=\"apparmor=1 console=tty1 console=ttyS0\"\n"
                          "GRUB_DISABLE_RECOVERY=true\n");
        free(out);
        /* The target has no /etc/default/grub: one is written. */
        out = tr("kernel.cmdline.written", "console=ttyS0", NULL);
        ASSERT_STREQ(out, "GRUB_CMDLINE_LINUX=\"console=ttyS0\"\n");
        free(out);
        ASSERT_EQ(translate_input("kernel.cmdline.written"), TRANSLATE_TARGET);

        /* A value the shell would interpret is refused: the plan is input too. */
        ASSERT_ERR(translate_text("kernel.cmdline.written", "x\" ; rm -rf / #", azl, strlen(azl), &r),
                   -EINVAL);
        ASSERT_ERR(translate_text("kernel.cmdline.written", "$(reboot)", azl, strlen(azl), &r), -EINVAL);
        ASSERT_ERR(translate_text("kernel.cmdline.written", "a\nGRUB_X=1", azl, strlen(azl), &r), -EINVAL);
        ASSERT_ERR(translate_text("kernel.cmdline.written", NULL, azl, strlen(azl), &r), -EINVAL);
        ASSERT_TRUE(r == NULL);
}

static void test_others(void)
{
        char *r = NULL;

        /* Rules that only move a file have no translator. */
        ASSERT_EQ(translate_input("kernel-modules.etc-modules.translated"), TRANSLATE_NONE);
        ASSERT_EQ(translate_input(NULL), TRANSLATE_NONE);
        ASSERT_ERR(translate_text("units.enabled.carried", NULL, "x", 1, &r), -ENOENT);
        ASSERT_ERR(translate_text("chrony.translated", NULL, NULL, 0, &r), -EINVAL);
}

int main(void)
{
        RUN(test_chrony);
        RUN(test_cmdline);
        RUN(test_others);
        TESTS_DONE();
}
