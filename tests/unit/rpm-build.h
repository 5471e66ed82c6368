/* SPDX-License-Identifier: MIT */
#pragma once

/* Helpers for tests that need a real RPM database: build tiny packages from spec text with
 * rpmbuild and install them into <root>/var/lib/rpm with rpm --root, as tests/target/ does for
 * the Azure Linux stand-in. No root needed (files are owned by whoever runs the test).
 *
 *   rpm_require_tools();                 exit 77 without rpmbuild and rpm
 *   rpm_install_specs(root, specs);      specs: NULL-terminated spec texts
 *
 * Every helper fails the test instead of returning an error. */

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests.h"

/* Two spec files with real Azure Linux 3.0 names and versions (microsoft/azurelinux, 3.0 branch:
 * SPECS/ca-certificates, whose Epoch is 1, and SPECS/grub2, whose grub2-efi-binary subpackage
 * comes from the grub2 source package). Contents are placeholders of known sizes: 11 + 5 bytes
 * and 4096 bytes. */
static const char rpm_spec_ca_certificates[] =
        "Name: ca-certificates\n"
        "Epoch: 1\n"
        "Version: 3.0.0\n"
        "Release: 14.azl3\n"
        "Summary: Certificate Authority certificates\n"
        "License: MPLv2.0\n"
        "Vendor: Microsoft Corporation\n"
        "Packager: Test Packager <test@example.com>\n"
        "BuildArch: noarch\n"
        "%description\n"
        "Test stand-in.\n"
        "%install\n"
        "mkdir -p %{buildroot}/etc/pki/tls/certs\n"
        "printf 'placeholder' > %{buildroot}/etc/pki/tls/certs/ca-bundle.crt\n"
        "printf 'trust' > %{buildroot}/etc/pki/tls/certs/ca-bundle.trust.crt\n"
        "%files\n"
        "/etc/pki/tls/certs/ca-bundle.crt\n"
        "/etc/pki/tls/certs/ca-bundle.trust.crt\n";

static const char rpm_spec_grub2[] = "Name: grub2\n"
                                     "Version: 2.06\n"
                                     "Release: 27.azl3\n"
                                     "Summary: GRand Unified Bootloader\n"
                                     "License: GPLv3+\n"
                                     "Vendor: Microsoft Corporation\n"
                                     "%description\n"
                                     "Test stand-in.\n"
                                     "%package efi-binary\n"
                                     "Summary: GRUB UEFI image\n"
                                     "%description efi-binary\n"
                                     "Test stand-in.\n"
                                     "%install\n"
                                     "mkdir -p %{buildroot}/boot/efi/EFI/BOOT\n"
                                     "head -c 4096 /dev/zero > %{buildroot}/boot/efi/EFI/BOOT/grubx64.efi\n"
                                     "%files efi-binary\n"
                                     "/boot/efi/EFI/BOOT/grubx64.efi\n";

/* The public key Azure Linux and CBL-Mariner sign their RPMs with, as rpm --import takes it
 * (microsoft/azurelinux SPECS/azurelinux-repos/MICROSOFT-RPM-GPG-KEY, commit
 * 6823256d0bd0644ffe64d35c5c6ed2118d242b40). Imported, it is the pseudo-package
 * "gpg-pubkey 3135ce90-5e6fda74" without an architecture or a source RPM, which `rpm -qa` lists on
 * the AKS Azure Linux 3.0 node image 202603.30.0. */
static const char rpm_key_azurelinux[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n"
                                         "Version: BSN Pgp v1.1.0.0\n"
                                         "\n"
                                         "mQENBF5v2nQBCADD+o8FgJQUcV9QTgdOTrYo8VtwHNOtTI1WWki8cUx+pI+aarHo\n"
                                         "zYN3/QQj+a5lALWeWM/w+aT1q/xGBBkmr9Qo5xWaXeiKZaMVv3H+1HIOjVvrWOHX\n"
                                         "zm+FvONB2fwAOclq9p7YaMqWtn4GckxD2YXhkTW0Y4kM+TcMTgSCiGKskjnmTfHw\n"
                                         "G+SI9av/CZvqqfNZkdIuNTS9eSqTTenCKkgLvYRKSpkhZj1OuB/iTu+xK0BuoVns\n"
                                         "jmju/Fw+tBrcdu3Q1sRXDrh8lnZgHxQUxHjwnyMlTM8a9N2qCgnu+SQjNyk3NXgi\n"
                                         "dGSFkdtaF/Z+KNwG10XVs1jzjO/rtsrvrwJvABEBAAG0Ok1hcmluZXIgUlBNIFJl\n"
                                         "bGVhc2UgU2lnbmluZyA8bWFyaW5lcnJwbXByb2RAbWljcm9zb2Z0LmNvbT6JATgE\n"
                                         "EwEIACIFAl5v2nQCGwMGCwkIBwMCBhUIAgkKCwQWAgMBAh4BAheAAAoJEAzZ/tMx\n"
                                         "Nc6QfaMH/iqp4Uyd66rAC2tSILWrH6RLkf05TIE0GZheqQkEO7a/Khy3u/Ej/HgC\n"
                                         "QUlIC7yrJJGfNCyAx44Z/QsnrWz5EqVZOvjgY9MDpmzfve7KqmbnDBjmbSc6g8IH\n"
                                         "HcgUYyfTHEUj69IfgNyJK4Io1vi1WgY/sesAn2ZPpoeT3ihH5FqH7dQkGWeGg1bA\n"
                                         "FIaVXm+gMAssaj+k52g/+CnY4KZUHrSkg48OoRB+2a6FqGS8BLeCa+v+zaJCk2fz\n"
                                         "EI/NeJwL4Asz1F4AwkEu5X9y8eEGArCXoP0OpYpCxIBZ+7MiKKDOoNf0a/0nOhvs\n"
                                         "29LIIOnG+x0/RDfRgFObrF9geKpVTpI=\n"
                                         "=ZhFE\n"
                                         "-----END PGP PUBLIC KEY BLOCK-----\n";

/* A spec whose Vendor is longer than librpm's reader takes (RPMDB_FIELD_MAX): hostile input that
 * rpm itself stores without complaint. Caller frees. */
static inline char *rpm_spec_huge_vendor(void)
{
        char *vendor = malloc(5001), *spec = NULL;

        ASSERT_NOT_NULL(vendor);
        memset(vendor, 'V', 5000);
        vendor[5000] = 0;
        ASSERT_TRUE(asprintf(&spec,
                             "Name: hugevendor\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\n"
                             "Vendor: %s\nBuildArch: noarch\n%%description\nx\n%%files\n",
                             vendor) > 0);
        free(vendor);
        return spec;
}

static inline bool rpm_have_program(const char *name)
{
        char cmd[256];

        snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
        return system(cmd) == 0;
}

static inline void rpm_require_tools(void)
{
        if (!rpm_have_program("rpmbuild") || !rpm_have_program("rpm"))
                SKIP("rpmbuild or rpm is missing (apt install rpm)");
}

static inline int rpm_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(p) < 0 ? -1 : 0;
}

/* rm -rf dir (a directory the test made). */
static inline void rpm_rm_tree(const char *dir)
{
        ASSERT_EQ(nftw(dir, rpm_rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static inline void rpm_run(const char *cmd, const char *log)
{
        int r = system(cmd);

        if (r != 0) {
                char show[1024];
                snprintf(show, sizeof(show), "sed 's/^/    /' '%s' | tail -20 >&2", log);
                (void) system(show);
                FAIL("'%s' failed (status %d)", cmd, r);
        }
}

/* Builds every spec of specs (NULL-terminated) for x86_64 and installs the packages, without
 * dependencies or scripts, into a new database at <root>/var/lib/rpm; then imports key (an
 * armored public key, or NULL). */
static inline void rpm_install_specs(const char *root, const char *const *specs, const char *key)
{
        const char *tmp = getenv("TMPDIR");
        char top[512], path[600], log[600], cmd[4096];

        snprintf(top, sizeof(top), "%s/azlm-rpmbuild-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(top))
                FAIL("mkdtemp: %m");
        snprintf(log, sizeof(log), "%s/log", top);
        for (size_t i = 0; specs[i]; i++) {
                FILE *f;

                snprintf(path, sizeof(path), "%s/%zu.spec", top, i);
                f = fopen(path, "we");
                ASSERT_NOT_NULL(f);
                ASSERT_EQ(fputs(specs[i], f) >= 0, 1);
                ASSERT_EQ(fclose(f), 0);
                snprintf(cmd, sizeof(cmd),
                         /* --nodeps: no BuildRequires check, so no ~/.rpmdb is created either. */
                         "rpmbuild --quiet --nodeps --define '_topdir %s' --target x86_64 -bb '%s' >>'%s' "
                         "2>&1",
                         top, path, log);
                rpm_run(cmd, log);
        }
        snprintf(cmd, sizeof(cmd),
                 "rpm --root='%s' --dbpath=/var/lib/rpm --initdb >>'%s' 2>&1 && "
                 "rpm -i --root='%s' --dbpath=/var/lib/rpm --nodeps --noscripts --ignoreos --ignorearch "
                 "'%s'/RPMS/*/*.rpm >>'%s' 2>&1",
                 root, log, root, top, log);
        rpm_run(cmd, log);
        if (key) {
                FILE *f;

                snprintf(path, sizeof(path), "%s/key.asc", top);
                f = fopen(path, "we");
                ASSERT_NOT_NULL(f);
                ASSERT_EQ(fputs(key, f) >= 0, 1);
                ASSERT_EQ(fclose(f), 0);
                snprintf(cmd, sizeof(cmd), "rpm --root='%s' --dbpath=/var/lib/rpm --import '%s' >>'%s' 2>&1",
                         root, path, log);
                rpm_run(cmd, log);
        }
        rpm_rm_tree(top);
}
