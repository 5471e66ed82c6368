/* SPDX-License-Identifier: MIT */
/* Unit tests for systemd unit name helpers. */
#include <stdlib.h>
#include <string.h>

#include "inspect/unit-name.h"
#include "tests.h"

static void test_valid(void)
{
        char long_name[300];

        /* Units AKS enables or writes on Ubuntu nodes (AgentBaker packer_source.sh, cse_config.sh). */
        ASSERT_TRUE(unit_name_is_valid("kubelet.service"));
        ASSERT_TRUE(unit_name_is_valid("snapshot-update.timer"));
        ASSERT_TRUE(unit_name_is_valid("update_certs.path"));
        ASSERT_TRUE(unit_name_is_valid("getty@tty1.service"));
        ASSERT_TRUE(unit_name_is_valid("getty@.service"));
        ASSERT_TRUE(unit_name_is_valid("dbus-org.freedesktop.resolve1.service"));
        ASSERT_TRUE(unit_name_is_valid("var-lib-kubelet.mount"));
        ASSERT_TRUE(unit_name_is_valid("dev-disk-by\\x2dlabel-UEFI.device"));
        ASSERT_TRUE(unit_name_is_valid("azure.slice"));

        ASSERT_FALSE(unit_name_is_valid(""));
        ASSERT_FALSE(unit_name_is_valid(".service"));
        ASSERT_FALSE(unit_name_is_valid("kubelet"));
        ASSERT_FALSE(unit_name_is_valid("kubelet.conf"));
        ASSERT_FALSE(unit_name_is_valid("@tty1.service"));
        ASSERT_FALSE(unit_name_is_valid("a@b@c.service"));
        ASSERT_FALSE(unit_name_is_valid("has space.service"));
        ASSERT_FALSE(unit_name_is_valid("nul\x01.service"));
        ASSERT_FALSE(unit_name_is_valid("../../etc/passwd.service"));
        memset(long_name, 'a', sizeof(long_name));
        memcpy(long_name + sizeof(long_name) - 9, ".service", 9);
        ASSERT_FALSE(unit_name_is_valid(long_name));
}

static void test_template(void)
{
        char *t = NULL;

        ASSERT_EQ(unit_name_template("getty@tty1.service", &t), 1);
        ASSERT_STREQ(t, "getty@.service");
        free(t);
        t = NULL;
        ASSERT_EQ(unit_name_template("systemd-fsck@dev-disk-by\\x2dlabel-UEFI.service", &t), 1);
        ASSERT_STREQ(t, "systemd-fsck@.service");
        free(t);
        t = NULL;
        ASSERT_EQ(unit_name_template("getty@.service", &t), 0);
        ASSERT_EQ(unit_name_template("kubelet.service", &t), 0);
        ASSERT_NULL(t);
}

static void test_classify(void)
{
        char *owner = NULL;

        ASSERT_EQ(unit_dir_classify("multi-user.target.wants", &owner), UNIT_DIR_WANTS);
        ASSERT_STREQ(owner, "multi-user.target");
        free(owner);
        ASSERT_EQ(unit_dir_classify("kubelet.service.requires", &owner), UNIT_DIR_REQUIRES);
        ASSERT_STREQ(owner, "kubelet.service");
        free(owner);
        ASSERT_EQ(unit_dir_classify("containerd.service.d", &owner), UNIT_DIR_DROPINS);
        ASSERT_STREQ(owner, "containerd.service");
        free(owner);
        ASSERT_EQ(unit_dir_classify("user@.service.d", &owner), UNIT_DIR_DROPINS);
        ASSERT_STREQ(owner, "user@.service");
        free(owner);
        owner = NULL;
        ASSERT_ERR(unit_dir_classify("service.d", &owner), -EINVAL); /* systemd 246 "all services" */
        ASSERT_ERR(unit_dir_classify("user", &owner), -EINVAL);
        ASSERT_ERR(unit_dir_classify(".wants", &owner), -EINVAL);
        ASSERT_ERR(unit_dir_classify("bad name.service.d", &owner), -EINVAL);
        ASSERT_NULL(owner);
}

int main(void)
{
        RUN(test_valid);
        RUN(test_template);
        RUN(test_classify);
        TESTS_DONE();
}
