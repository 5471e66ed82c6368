/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "finding-catalogue.h"

static const char *const severity_table[_SEVERITY_MAX] = {
        [SEVERITY_INFO] = "info",
        [SEVERITY_LOW] = "low",
        [SEVERITY_MEDIUM] = "medium",
        [SEVERITY_HIGH] = "high",
};

DEFINE_STRING_TABLE_LOOKUP(severity, Severity);

/* Sorted by key. Keys are stable: add new ones, never rename or repurpose. */
static const FindingDef catalogue[] = {
        { "aks.containerd.config.invalid", SEVERITY_MEDIUM, "containerd configuration could not be read",
          "/etc/containerd/config.toml is not valid TOML (containerd would refuse it too) or exceeds the "
          "limits azlmigrate reads. Its runtimes, sandbox image and cgroup driver are missing from the "
          "inventory; the detail gives the line." },
        { "aks.kubelet.version-unknown", SEVERITY_LOW, "kubelet version could not be determined",
          "A kubelet binary or unit is present but no package, file name or build information gave its "
          "version. Planning assumes nothing about the Kubernetes version." },
        { "apt.source.invalid", SEVERITY_LOW, "unparseable APT source entry",
          "A line of /etc/apt/sources.list or a .list file, or a stanza of a .sources file, is not a source "
          "entry apt understands (unknown type, missing URI or suite, malformed options); it was skipped, "
          "and apt skips or rejects it too." },
        { "boot.esp.missing", SEVERITY_MEDIUM, "no EFI system partition found",
          "The disk has no partition of type EFI System, or it could not be read. A UEFI boot chain cannot "
          "be verified." },
        { "boot.initrd.missing", SEVERITY_MEDIUM, "a kernel has no initramfs",
          "A kernel image in /boot has no matching initrd.img. The guest may not boot that kernel." },
        { "boot.kernel.missing", SEVERITY_HIGH, "no kernel found",
          "Neither /boot nor /lib/modules holds a kernel. The disk is not bootable as it is." },
        { "certs.not-pem", SEVERITY_LOW, "an extra CA certificate is not PEM",
          "A file under /usr/local/share/ca-certificates holds no PEM certificate block; "
          "update-ca-certificates ignores it and so will the migration." },
        { "disk.filesystem.ambiguous", SEVERITY_MEDIUM, "contradicting filesystem signatures",
          "libblkid found more than one filesystem signature on a partition and refused to choose. The "
          "partition is not read. Wipe the stale signature (wipefs) on a copy of the disk." },
        { "disk.filesystem.checksum-errors", SEVERITY_MEDIUM, "filesystem metadata checksums do not verify",
          "The filesystem was opened ignoring metadata checksum errors. What was read may be damaged; run "
          "e2fsck on a copy of the disk." },
        { "disk.filesystem.needs-recovery", SEVERITY_MEDIUM, "filesystem journal not replayed",
          "The ext4 journal holds transactions (the image was taken from a running machine). The native "
          "reader does not replay journals, so recent changes may be missing; the guestfs backend "
          "replays them." },
        { "disk.filesystem.probe-failed", SEVERITY_MEDIUM, "filesystem probe failed",
          "Reading a partition to identify its filesystem failed." },
        { "disk.filesystem.unreadable", SEVERITY_HIGH, "a filesystem could not be opened",
          "A filesystem that the guest mounts could not be opened (for example a corrupt superblock). Its "
          "content is missing from the inventory." },
        { "disk.gpt.backup-header-corrupt", SEVERITY_MEDIUM, "backup GPT header missing or corrupt",
          "The GPT backup header is not where the primary header says it is, or is damaged. This is "
          "typical of a truncated or resized image; sgdisk -e on a copy repairs it." },
        { "disk.gpt.primary-header-corrupt", SEVERITY_HIGH, "primary GPT header corrupt",
          "The primary GPT header is damaged; the partition table was read from the backup header at "
          "the end of the disk. Repair it (sgdisk or gdisk's recovery menu) before converting." },
        { "disk.label.warning", SEVERITY_LOW, "partition table warning",
          "libfdisk reported a problem while reading the partition table; the detail quotes it." },
        { "disk.partition.beyond-end", SEVERITY_HIGH, "partition extends past the end of the disk",
          "A partition ends beyond the last byte of the image: the image is truncated, or the table "
          "was written for a larger disk. Data past the end is missing." },
        { "disk.vhd.footer-checksum", SEVERITY_LOW, "VHD footer checksum mismatch",
          "The fixed VHD footer's checksum does not match its content. The data is read anyway; some "
          "tools (and Azure uploads) reject such files." },
        { "disk.vhd.size-mismatch", SEVERITY_MEDIUM, "VHD footer size differs from the data size",
          "The size recorded in the fixed VHD footer is not the number of data bytes in the file." },
        { "disk.vhd.unaligned-size", SEVERITY_LOW, "VHD size is not a whole number of MiB",
          "Azure accepts only fixed VHDs whose virtual size is a multiple of 1 MiB." },
        { "disk.whole-disk-filesystem", SEVERITY_INFO, "no partition table",
          "The image holds a bare filesystem without a partition table; it cannot boot as a node disk "
          "by itself." },
        { "dpkg.stanza.invalid", SEVERITY_MEDIUM, "invalid entries in the dpkg database",
          "Some stanzas of /var/lib/dpkg/status are not what dpkg writes (bad package name, version or "
          "status) and were skipped; the package list may be incomplete." },
        { "dpkg.status.missing", SEVERITY_HIGH, "no dpkg database",
          "The guest is Debian-family but /var/lib/dpkg/status is missing or unreadable; no package "
          "list could be made." },
        { "fstab.entry.invalid", SEVERITY_LOW, "unparseable /etc/fstab line",
          "A line of /etc/fstab has fewer than two fields or an unknown source form; it was skipped." },
        { "inspect.collector.failed", SEVERITY_MEDIUM, "part of the inventory could not be collected",
          "A collector failed; its section of the inventory is incomplete. The detail says which "
          "collector and why." },
        { "inspect.directory.truncated", SEVERITY_MEDIUM, "a guest directory has too many entries",
          "Configuration directories (sysctl.d, modprobe.d, /etc/systemd/system, ...) are read up to a "
          "fixed number of entries. The entries beyond it were not read, and what they configure is missing "
          "from the inventory." },
        { "inspect.file.too-large", SEVERITY_MEDIUM, "a guest file is larger than azlmigrate reads",
          "Every guest file is read with a size cap. A file above it was not read, and what depends "
          "on it is missing from the inventory." },
        { "inspect.mount.missing-mountpoint", SEVERITY_LOW, "fstab mount point does not exist",
          "/etc/fstab mounts a filesystem on a directory that does not exist in the root filesystem; "
          "the guest would fail to mount it too." },
        { "inspect.mount.unmatched", SEVERITY_MEDIUM, "fstab source matches no filesystem on the disk",
          "An /etc/fstab entry names a UUID, label or device that is not on this disk (a data disk, or "
          "a stale entry). It was not mounted for inspection." },
        { "inspect.mount.unreadable", SEVERITY_MEDIUM, "a mounted filesystem could not be read",
          "A filesystem /etc/fstab mounts is of a type the selected backend cannot read or failed to "
          "open; files under its mount point are missing. Use --backend guestfs." },
        { "inspect.root.multiple", SEVERITY_MEDIUM, "more than one root filesystem",
          "Several filesystems look like a Linux root. The first, by partition number, was inspected." },
        { "kernel-modules.line.invalid", SEVERITY_LOW, "unparseable modprobe.d or modules-load.d line",
          "A line in /etc/modprobe.d or /etc/modules-load.d is not a directive modprobe understands; it "
          "was skipped." },
        { "network.netplan.invalid", SEVERITY_MEDIUM, "netplan file could not be parsed",
          "A file in /etc/netplan is not valid YAML or not a netplan document; its network "
          "configuration is missing from the inventory." },
        { "os.release.invalid", SEVERITY_HIGH, "os-release has no ID",
          "/etc/os-release (or /usr/lib/os-release) exists but has no ID= line; the distribution is not "
          "known." },
        { "rpm.database.missing", SEVERITY_HIGH, "no RPM database",
          "The guest is RPM-family but /var/lib/rpm holds no database (rpmdb.sqlite, Packages.db or "
          "Packages); no package list could be made." },
        { "rpm.database.unreadable", SEVERITY_HIGH, "the RPM database could not be read completely",
          "librpm could not open or read /var/lib/rpm (a corrupt or truncated file, a backend this librpm "
          "lacks, files larger than azlmigrate copies, a read that did not finish in time), or it skipped "
          "damaged entries. The detail quotes librpm; what it could not read is missing from the package "
          "list." },
        { "sysctl.line.invalid", SEVERITY_LOW, "unparseable sysctl.d line",
          "A line of a sysctl.d file is not key = value; systemd-sysctl skips it and so does azlmigrate." },
        { "systemd.unit.dangling", SEVERITY_LOW, "enabled unit has no unit file",
          "A .wants or .requires symlink under /etc/systemd/system points to a unit file that does not "
          "exist; systemd ignores it." },
        { "users.passwd.invalid", SEVERITY_LOW, "unparseable passwd or group line",
          "A line of /etc/passwd or /etc/group does not have the expected fields; it was skipped." },
};

const FindingDef *finding_catalogue_lookup(const char *key)
{
        size_t lo = 0, hi = ELEMENTSOF(catalogue);

        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                int c = strcmp(key, catalogue[mid].key);
                if (c == 0)
                        return &catalogue[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

const FindingDef *finding_catalogue_all(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(catalogue);
        return catalogue;
}
