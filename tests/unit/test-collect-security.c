/* SPDX-License-Identifier: MIT */
/* Unit tests for the security collector (src/inspect/collect-security.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest-tree.h"
#include "shared/json-util.h"
#include "shared/string-util.h"
#include "tests.h"

static void write_status(GuestTree *t, const char *const *names, size_t n)
{
        _cleanup_free_ char *s = NULL;

        for (size_t i = 0; i < n; i++)
                status_append(&s, names[i], "1.0-1", "amd64");
        tree_file(t, "var/lib/dpkg/status", s ?: "");
        tree_file(t, "etc/os-release", "ID=ubuntu\nVERSION_ID=\"22.04\"\n");
}

/* Runs the package collector, lets the test fill sections of earlier collectors, then security. */
static json_object *run(GuestTree *t, void (*prepare)(GuestTree *t))
{
        tree_open(t);
        ASSERT_OK(collect_os_release(&t->ctx));
        ASSERT_OK(collect_dpkg(&t->ctx));
        if (prepare)
                prepare(t);
        ASSERT_OK(collect_security(&t->ctx));
        return json_get(t->inv->root, "security");
}

/* The boot collector's view of an AKS Ubuntu 22.04 node: the kernel command line that
 * /etc/default/grub.d/50-cloudimg-settings.cfg and AgentBaker's CIS 99-aks-cis.cfg assemble, and the
 * loaders on the EFI system partition. */
static void prepare_boot(GuestTree *t)
{
        json_object *boot = inventory_section(t->inv, "boot"), *esp, *loaders;

        ASSERT_NOT_NULL(boot);
        ASSERT_OK(json_add_str(
                boot, "cmdline",
                "BOOT_IMAGE=/boot/vmlinuz-5.15.0-1102-azure "
                "root=PARTUUID=2a6e3c0c-6a1e-4e0e-9f5b-1b2f0d8e4c11 "
                "ro console=tty1 console=ttyS0 earlyprintk=ttyS0 apparmor=1 security=apparmor"));
        esp = json_get_or_add_object(boot, "esp");
        loaders = json_get_or_add_array(esp, "loaders");
        ASSERT_OK(json_append_str(loaders, "/EFI/BOOT/BOOTX64.EFI"));
        ASSERT_OK(json_append_str(loaders, "/EFI/ubuntu/shimx64.efi"));
        ASSERT_OK(json_append_str(loaders, "/EFI/ubuntu/grubx64.efi"));
}

static void test_aks_ubuntu(void)
{
        static const char *const pkgs[] = {
                "apparmor",
                "apparmor-utils",
                "dkms",
                "libapparmor1",
                "linux-image-5.15.0-1102-azure",
                "shim-signed",
                "ubuntu-advantage-tools",
                "ubuntu-pro-client",
        };
        GuestTree t;
        json_object *sec, *o;

        tree_new(&t);
        write_status(&t, pkgs, ELEMENTSOF(pkgs));
        tree_dir(&t, "etc/apparmor.d/abstractions");
        tree_dir(&t, "etc/apparmor.d/tunables");
        tree_file(&t, "etc/apparmor.d/lsb_release", "profile lsb_release {}\n");
        tree_file(&t, "etc/apparmor.d/nvidia_modprobe", "profile nvidia_modprobe {}\n");
        tree_file(&t, "etc/apparmor.d/usr.sbin.chronyd", "profile chronyd {}\n");
        tree_file(&t, "etc/apparmor.d/sbin.dhclient", "profile dhclient {}\n");
        /* Ubuntu's kmod package ships this everywhere: nvidiafb is not an NVIDIA GPU module */
        tree_file(&t, "etc/modprobe.d/blacklist-framebuffer.conf",
                  "# Framebuffer drivers are generally buggy and poorly-supported, and cause\n"
                  "blacklist nvidiafb\n"
                  "blacklist rivafb\n");
        tree_file(&t, "etc/modprobe.d/aks.conf",
                  "# the nvidia driver comes from the GPU driver container\n");
        tree_file(&t, "etc/modules-load.d/br_netfilter.conf", "br_netfilter");
        tree_file(&t, "var/lib/dkms/dkms_dbversion", "2.0.0\n");
        tree_file(&t, "boot/vmlinuz-5.15.0-1102-azure", "kernel");
        tree_file(&t, "boot/initrd.img-5.15.0-1102-azure", "initrd");
        tree_file(&t, "var/lib/ubuntu-advantage/status.json",
                  "{\"_schema_version\": \"0.1\", \"attached\": false, \"machine_id\": \"m\", "
                  "\"services\": [{\"name\": \"esm-apps\", \"status\": \"n/a\"}], \"account\": {\"name\": "
                  "\"\"}}");

        sec = run(&t, prepare_boot);
        ASSERT_NOT_NULL(sec);

        o = json_get(sec, "apparmor");
        ASSERT_TRUE(json_get_bool(o, "enabled", false));
        ASSERT_EQ(json_get_int(o, "profiles", -1), 4);
        ASSERT_EQ(jlen(o, "packages"), 3);
        ASSERT_STREQ(jstr(o, "packages.0"), "apparmor");
        ASSERT_STREQ(jstr(o, "packages.2"), "libapparmor1");

        ASSERT_NULL(json_get(json_get(sec, "selinux"), "config"));
        o = json_get(sec, "fips");
        ASSERT_FALSE(json_get_bool(o, "enabled", true));
        ASSERT_EQ(jlen(o, "packages"), 0);
        ASSERT_EQ(jlen(o, "evidence"), 0);
        o = json_get(sec, "snaps");
        ASSERT_EQ(jlen(o, "installed"), 0);
        ASSERT_FALSE(json_get_bool(o, "snapd_installed", true));
        o = json_get(sec, "dkms");
        ASSERT_EQ(jlen(o, "modules"), 0);
        ASSERT_TRUE(json_get_bool(o, "package_installed", false));
        o = json_get(sec, "nvidia");
        ASSERT_EQ(jlen(o, "drivers"), 0);
        ASSERT_FALSE(json_get_bool(o, "modules_configured", true));
        ASSERT_FALSE(json_get_bool(o, "gpu_node", true));
        ASSERT_FALSE(json_get_bool(json_get(sec, "kata"), "present", true));
        ASSERT_FALSE(json_get_bool(json_get(sec, "confidential_vm"), "present", true));
        ASSERT_EQ(jlen(sec, "confidential_vm.packages"), 0);
        o = json_get(sec, "secure_boot");
        ASSERT_TRUE(json_get_bool(o, "shim", false));
        ASSERT_TRUE(json_get_bool(o, "signed_kernel", false));
        o = json_get(sec, "ubuntu_pro");
        ASSERT_FALSE(json_get_bool(o, "attached", true));
        ASSERT_EQ(jlen(o, "services"), 0);
        ASSERT_EQ(json_object_array_length(t.inv->findings), 0);
        tree_free(&t);
}

static void test_fips_gpu_pro(void)
{
        static const char *const pkgs[] = {
                "apparmor",
                "fips-initramfs",
                "libnvidia-compute-535-server",
                "linux-image-6.8.0-1021-azure-fips",
                "linux-image-azure-fde-lts-22.04",
                "nullboot",
                "nvidia-container-toolkit",
                "nvidia-container-toolkit-base",
                "nvidia-driver-535-server",
                "kata-containers",
                "snapd",
                "ubuntu-fips",
        };
        GuestTree t;
        json_object *sec, *o, *m;

        tree_new(&t);
        write_status(&t, pkgs, ELEMENTSOF(pkgs));
        /* no boot section: the command line comes from /etc/default/grub and grub.d */
        tree_file(&t, "etc/default/grub", "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=\"\"\n");
        tree_file(&t, "etc/default/grub.d/50-cloudimg-settings.cfg",
                  "GRUB_CMDLINE_LINUX_DEFAULT=\"console=tty1 console=ttyS0 earlyprintk=ttyS0\"\n");
        tree_file(&t, "etc/default/grub.d/99-fips.cfg",
                  "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT fips=1\"\n");
        tree_file(&t, "etc/default/grub.d/99-zz-noaa.cfg",
                  "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT apparmor=0\"\n");
        tree_file(&t, "etc/selinux/config",
                  "# This file controls the state of SELinux\nSELINUX=disabled\nSELINUXTYPE=default\n");
        /* AgentBaker's GB200 nodes: parts/linux/cloud-init/artifacts/ubuntu/gb/nvidia-peermem.conf */
        tree_file(&t, "etc/modules-load.d/nvidia-peermem.conf",
                  "# Explicitly load nvidia_peermem at boot for GPUDirect RDMA.\nnvidia_peermem\n");
        tree_file(&t, "var/lib/dkms/dkms_dbversion", "2.0.0\n");
        tree_file(&t, "var/lib/dkms/nvidia/535.183.01/5.15.0-1102-azure/x86_64/module/nvidia.ko", "ko");
        tree_file(&t, "var/lib/dkms/nvidia/535.183.01/6.8.0-1021-azure/x86_64/module/nvidia.ko", "ko");
        tree_dir(&t, "var/lib/dkms/nvidia/535.183.01/6.9.0-empty");
        tree_dir(&t, "var/lib/dkms/nvidia/535.183.01/build");
        tree_link(&t, "var/lib/dkms/nvidia/535.183.01/source", "/usr/src/nvidia-535.183.01");
        tree_link(&t, "var/lib/dkms/nvidia/kernel-5.15.0-1102-azure-x86_64",
                  "535.183.01/5.15.0-1102-azure/x86_64");
        tree_file(&t, "var/lib/snapd/snaps/core20_2015.snap", "");
        tree_file(&t, "var/lib/snapd/snaps/lxd_24322.snap", "");
        tree_file(&t, "var/lib/snapd/snaps/lxd_24061.snap", "");
        tree_dir(&t, "var/lib/snapd/snaps/partial");
        tree_dir(&t, "snap/bin");
        tree_dir(&t, "snap/core20/2015");
        tree_file(&t, "snap/README", "snaps live here");
        tree_dir(&t, "opt/kata/bin");
        tree_file(&t, "boot/efi/EFI/ubuntu/shimx64.efi", "MZ");
        tree_file(&t, "boot/efi/EFI/ubuntu/grubx64.efi", "MZ");
        tree_file(&t, "var/lib/ubuntu-advantage/private/machine-token.json",
                  "{\"machineToken\": \"SECRET\"}");
        tree_file(&t, "var/lib/ubuntu-advantage/status.json",
                  "{\"attached\": true, \"services\": ["
                  "{\"name\": \"fips-updates\", \"status\": \"enabled\"},"
                  "{\"name\": \"esm-infra\", \"status\": \"enabled\"},"
                  "{\"name\": \"livepatch\", \"status\": \"disabled\"},"
                  "{\"status\": \"enabled\"}, 42]}");

        sec = run(&t, NULL);

        o = json_get(sec, "apparmor");
        ASSERT_FALSE(json_get_bool(o, "enabled", true)); /* apparmor=0 */
        ASSERT_EQ(json_get_int(o, "profiles", -1), 0);
        ASSERT_STREQ(json_get_str(json_get(sec, "selinux"), "config"), "disabled");

        o = json_get(sec, "fips");
        ASSERT_TRUE(json_get_bool(o, "enabled", false));
        ASSERT_EQ(jlen(o, "packages"), 3);
        ASSERT_STREQ(jstr(o, "packages.0"), "fips-initramfs");
        ASSERT_STREQ(jstr(o, "packages.1"), "linux-image-6.8.0-1021-azure-fips");
        ASSERT_STREQ(jstr(o, "packages.2"), "ubuntu-fips");
        ASSERT_EQ(jlen(o, "evidence"), 2);
        ASSERT_STREQ(jstr(o, "evidence.0"), "fips=1");
        ASSERT_STREQ(jstr(o, "evidence.1"), "/etc/default/grub.d/99-fips.cfg");

        o = json_get(sec, "snaps");
        ASSERT_EQ(jlen(o, "installed"), 2);
        ASSERT_STREQ(jstr(o, "installed.0"), "core20");
        ASSERT_STREQ(jstr(o, "installed.1"), "lxd");
        ASSERT_TRUE(json_get_bool(o, "snapd_installed", false));

        o = json_get(sec, "dkms");
        ASSERT_FALSE(json_get_bool(o, "package_installed", true));
        ASSERT_EQ(jlen(o, "modules"), 1);
        m = json_object_array_get_idx(json_get(o, "modules"), 0);
        ASSERT_STREQ(json_get_str(m, "name"), "nvidia");
        ASSERT_STREQ(json_get_str(m, "version"), "535.183.01");
        ASSERT_EQ(jlen(m, "built_for"), 2);
        ASSERT_STREQ(jstr(m, "built_for.0"), "5.15.0-1102-azure");
        ASSERT_STREQ(jstr(m, "built_for.1"), "6.8.0-1021-azure");

        o = json_get(sec, "nvidia");
        ASSERT_EQ(jlen(o, "drivers"), 4);
        ASSERT_STREQ(jstr(o, "drivers.0"), "libnvidia-compute-535-server");
        ASSERT_STREQ(jstr(o, "drivers.3"), "nvidia-driver-535-server");
        ASSERT_TRUE(json_get_bool(o, "modules_configured", false));
        ASSERT_TRUE(json_get_bool(o, "gpu_node", false));

        ASSERT_TRUE(json_get_bool(json_get(sec, "kata"), "present", false));
        o = json_get(sec, "confidential_vm");
        ASSERT_TRUE(json_get_bool(o, "present", false));
        ASSERT_EQ(jlen(o, "packages"), 2);
        ASSERT_STREQ(jstr(o, "packages.0"), "linux-image-azure-fde-lts-22.04");
        ASSERT_STREQ(jstr(o, "packages.1"), "nullboot");

        o = json_get(sec, "secure_boot");
        ASSERT_TRUE(json_get_bool(o, "shim", false)); /* from the ESP mounted at /boot/efi */
        ASSERT_FALSE(json_get_bool(o, "signed_kernel", true));

        o = json_get(sec, "ubuntu_pro");
        ASSERT_TRUE(json_get_bool(o, "attached", false));
        ASSERT_EQ(jlen(o, "services"), 2);
        ASSERT_STREQ(jstr(o, "services.0"), "esm-infra");
        ASSERT_STREQ(jstr(o, "services.1"), "fips-updates");
        tree_free(&t);
}

/* Earlier sections in other shapes, and what the aks collector found. */
static void prepare_other_shapes(GuestTree *t)
{
        json_object *boot = inventory_section(t->inv, "boot"), *cmd, *aks, *cfg, *rts, *labels, *esp;

        cmd = json_get_or_add_object(boot, "cmdline");
        ASSERT_OK(json_add_str(cmd, "grub_cmdline_linux", "lsm=landlock,lockdown,yama,integrity,bpf"));
        ASSERT_OK(json_add_int(cmd, "count", 2));
        esp = json_get_or_add_object(boot, "esp");
        ASSERT_OK(json_add(esp, "loaders", json_new_str("/EFI/BOOT/BOOTX64.EFI")));
        aks = inventory_section(t->inv, "aks");
        cfg = json_get_or_add_object(json_get_or_add_object(aks, "containerd"), "config");
        rts = json_get_or_add_array(cfg, "runtimes");
        ASSERT_OK(json_append_str(rts, "kata-cc"));
        ASSERT_OK(json_append_str(rts, "runc"));
        labels = json_get_or_add_object(json_get_or_add_object(aks, "kubelet"), "node_labels");
        ASSERT_OK(json_add_str(labels, "kubernetes.azure.com/accelerator", "nvidia"));
}

static void test_other_shapes_and_hostile(void)
{
        static const char *const pkgs[] = { "apparmor" };
        GuestTree t;
        json_object *sec;

        tree_new(&t);
        write_status(&t, pkgs, ELEMENTSOF(pkgs));
        tree_file_filled(&t, "etc/modprobe.d/huge.conf", 'n', 200 * 1024);
        tree_file_n(&t, "var/lib/ubuntu-advantage/status.json", "\x00\x01{\"attached\": tr", 17);
        tree_file(&t, "var/lib/dkms/weird", "not a directory");
        tree_dir(&t, "var/lib/dkms/emptymodule");
        tree_file(&t, "var/lib/snapd/snaps/_1.snap", "");
        tree_file(&t, "var/lib/snapd/snaps/noversion.snap", "");

        sec = run(&t, prepare_other_shapes);
        /* lsm= without apparmor wins over the installed package */
        ASSERT_FALSE(json_get_bool(json_get(sec, "apparmor"), "enabled", true));
        ASSERT_TRUE(json_get_bool(json_get(sec, "kata"), "present", false));
        ASSERT_TRUE(json_get_bool(json_get(sec, "nvidia"), "gpu_node", false));
        ASSERT_FALSE(json_get_bool(json_get(sec, "nvidia"), "modules_configured", true));
        ASSERT_FALSE(json_get_bool(json_get(sec, "secure_boot"), "shim", true));
        ASSERT_FALSE(json_get_bool(json_get(sec, "ubuntu_pro"), "attached", true));
        ASSERT_EQ(jlen(sec, "dkms.modules"), 0);
        ASSERT_EQ(jlen(sec, "snaps.installed"), 0);
        /* the oversized modprobe.d file was reported, not read */
        ASSERT_TRUE(inventory_has_finding(t.inv, "inspect.file.too-large") > 0);
        tree_free(&t);
}

static void add_directive(GuestTree *t, const char *file, const char *directive, const char *module,
                          const char *args)
{
        json_object *cfg = inventory_section(t->inv, "config");
        json_object *km = json_get_or_add_array(cfg, "kernel_modules"), *d = json_object_new_object();

        ASSERT_NOT_NULL(km);
        ASSERT_NOT_NULL(d);
        ASSERT_OK(json_append(km, d));
        ASSERT_OK(json_add_str(d, "file", file));
        ASSERT_OK(json_add_str(d, "origin", startswith(file, "/etc/") ? "etc" : "vendor"));
        ASSERT_OK(json_add_str(d, "kind", "modprobe"));
        ASSERT_OK(json_add_str(d, "directive", directive));
        ASSERT_OK(json_add_str(d, "module", module));
        ASSERT_OK(json_add_str(d, "args", args));
        ASSERT_OK(json_add_int(d, "line", 1));
}

/* The kernel-modules collector's directives of a stock Ubuntu: nvidiafb is blacklisted in /etc and in
 * /usr/lib; the driver packages' own /usr/lib/modprobe.d files do not count. */
static void prepare_stock_modules(GuestTree *t)
{
        add_directive(t, "/etc/modprobe.d/blacklist-framebuffer.conf", "blacklist", "nvidiafb", NULL);
        add_directive(t, "/usr/lib/modprobe.d/fbdev-blacklist.conf", "blacklist", "nvidiafb", NULL);
        add_directive(t, "/usr/lib/modprobe.d/nvidia-graphics-drivers-kms.conf", "options", "nvidia-drm",
                      "modeset=1");
}

/* ... and AgentBaker's GPU configuration on top. */
static void prepare_gpu_modules(GuestTree *t)
{
        prepare_stock_modules(t);
        add_directive(t, "/etc/modprobe.d/mlx.conf", "softdep", "mlx5_ib", "post: nvidia_peermem");
}

static void test_kernel_modules_inventory(void)
{
        static const char *const pkgs[] = { "kmod" };
        GuestTree t;
        json_object *sec;

        /* the inventory decides: the file on disk is not read again */
        tree_new(&t);
        write_status(&t, pkgs, ELEMENTSOF(pkgs));
        tree_file(&t, "etc/modules-load.d/nvidia-peermem.conf", "nvidia_peermem\n");
        sec = run(&t, prepare_stock_modules);
        ASSERT_FALSE(json_get_bool(json_get(sec, "nvidia"), "modules_configured", true));
        ASSERT_FALSE(json_get_bool(json_get(sec, "nvidia"), "gpu_node", true));
        tree_free(&t);

        tree_new(&t);
        write_status(&t, pkgs, ELEMENTSOF(pkgs));
        sec = run(&t, prepare_gpu_modules);
        ASSERT_TRUE(json_get_bool(json_get(sec, "nvidia"), "modules_configured", false));
        ASSERT_TRUE(json_get_bool(json_get(sec, "nvidia"), "gpu_node", false));
        tree_free(&t);

        /* /etc/modules is read either way */
        tree_new(&t);
        write_status(&t, pkgs, ELEMENTSOF(pkgs));
        tree_file(&t, "etc/modules", "# /etc/modules: kernel modules to load at boot time.\nnvidia\n");
        sec = run(&t, prepare_stock_modules);
        ASSERT_TRUE(json_get_bool(json_get(sec, "nvidia"), "modules_configured", false));
        tree_free(&t);
}

static void test_empty_guest(void)
{
        GuestTree t;
        json_object *sec;

        tree_new(&t);
        tree_dir(&t, "etc");
        sec = run(&t, NULL);
        ASSERT_FALSE(json_get_bool(json_get(sec, "apparmor"), "enabled", true));
        ASSERT_EQ(json_get_int(json_get(sec, "apparmor"), "profiles", -1), 0);
        ASSERT_FALSE(json_get_bool(json_get(sec, "fips"), "enabled", true));
        ASSERT_FALSE(json_get_bool(json_get(sec, "secure_boot"), "shim", true));
        ASSERT_FALSE(json_get_bool(json_get(sec, "ubuntu_pro"), "attached", true));
        tree_free(&t);
}

int main(void)
{
        RUN(test_aks_ubuntu);
        RUN(test_fips_gpu_pro);
        RUN(test_other_shapes_and_hostile);
        RUN(test_kernel_modules_inventory);
        RUN(test_empty_guest);
        TESTS_DONE();
}
