#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the dpkg and apt state of the sample AKS node image into a root tree.

usage: gen-dpkg-db.py PACKAGES_TSV ROOT [--status-extra FILE]

PACKAGES_TSV is name<TAB>version<TAB>arch<TAB>auto (tests/fixtures/aks-ubuntu2204/packages.tsv).
Writes, under ROOT:
  var/lib/dpkg/status          one "install ok installed" stanza per row, sorted by name as dpkg
                               writes it; name, version and architecture are the real ones, the
                               other fields are synthetic but shaped like real stanzas (Essential,
                               Multi-Arch, Source with and without a version, Provides with
                               versions, Depends, Conffiles including an obsolete one, a
                               multi-line Description with a "." paragraph separator)
  var/lib/dpkg/status-old      a copy, as dpkg leaves it
  var/lib/apt/extended_states  "Auto-Installed: 1" for every row with auto = 1; apt files
                               Architecture: all packages under the native architecture
With --status-extra, FILE is appended to the status file as further stanzas (hostile input).
Standard library only; deterministic output.
"""
import hashlib
import os
import sys

NATIVE_ARCH = 'amd64'
UBUNTU = 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>'
MICROSOFT = 'Microsoft Corporation <linux@microsoft.com>'

ESSENTIAL = {
    'base-files', 'base-passwd', 'bash', 'bsdutils', 'coreutils', 'dash', 'debianutils', 'diffutils',
    'dpkg', 'findutils', 'grep', 'gzip', 'hostname', 'init-system-helpers', 'libc-bin', 'login',
    'ncurses-bin', 'perl-base', 'sed', 'sysvinit-utils', 'tar', 'util-linux',
}
IMPORTANT = {'apt', 'adduser', 'cron', 'iproute2', 'kmod', 'systemd', 'udev', 'sudo', 'rsyslog', 'netplan.io'}

# Source package of a binary, when it differs; "name (version)" when the versions differ too.
SOURCES = {
    'libc6': 'glibc', 'libc-bin': 'glibc', 'libc-dev-bin': 'glibc', 'libc6-dev': 'glibc',
    'libssl3': 'openssl', 'openssh-client': 'openssh', 'openssh-server': 'openssh',
    'openssh-sftp-server': 'openssh', 'libsystemd0': 'systemd', 'libudev1': 'systemd',
    'systemd-sysv': 'systemd', 'udev': 'systemd', 'libpam0g': 'pam', 'libpam-modules': 'pam',
    'libpam-modules-bin': 'pam', 'libpam-runtime': 'pam', 'passwd': 'shadow', 'login': 'shadow',
    'grub-pc': 'grub2', 'grub-pc-bin': 'grub2', 'grub2-common': 'grub2', 'grub-common': 'grub2',
    'grub-efi-amd64-bin': 'grub2-unsigned', 'grub-efi-amd64-signed': 'grub2-signed (1.187.12)',
    'linux-image-5.15.0-1102-azure': 'linux-signed-azure (5.15.0-1102.111)',
    'linux-modules-5.15.0-1102-azure': 'linux-azure', 'linux-modules-extra-5.15.0-1102-azure': 'linux-azure',
    'linux-headers-5.15.0-1102-azure': 'linux-azure', 'linux-tools-5.15.0-1102-azure': 'linux-azure',
    'linux-cloud-tools-5.15.0-1102-azure': 'linux-azure', 'linux-azure-headers-5.15.0-1102': 'linux-azure',
    'linux-tools-common': 'linux', 'linux-cloud-tools-common': 'linux', 'linux-libc-dev': 'linux',
    'python3': 'python3-defaults', 'python3-minimal': 'python3-defaults', 'xxd': 'vim', 'vim-common': 'vim',
    'bind9-dnsutils': 'bind9', 'bind9-host': 'bind9', 'bind9-libs': 'bind9', 'bsdutils': 'util-linux (2.37.2-4ubuntu3.5)',
}
PROVIDES = {
    'mawk': 'awk',
    'netcat-openbsd': 'netcat',
    'rsyslog': 'linux-kernel-log-daemon, system-log-daemon',
    'linux-image-5.15.0-1102-azure': 'fuse-module, linux-image, virtualbox-guest-modules, wireguard-modules (= 1.0.0)',
    'python3': 'python3-profiler',
    'libc6': 'libc6-amd64 (= 2.35-0ubuntu3.13)',
}
DEPENDS = {
    'moby-containerd': 'moby-runc (>= 1.0.2)',
    'kmod': 'libc6 (>= 2.34), libkmod2 (= 29-1ubuntu1), lsb-base',
    'chrony': 'adduser, iproute2, libc6 (>= 2.34), libcap2 (>= 1:2.10), libedit2 (>= 2.11-20080614-4), ucf',
    'openssh-server': 'libpam-modules, libpam-runtime, lsb-base, openssh-client (= 1:8.9p1-3ubuntu0.14), '
                      'openssh-sftp-server, procps, ucf, debconf (>= 0.5) | debconf-2.0',
}


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


CONFFILES = {
    'openssh-server': [('/etc/default/ssh', None), ('/etc/init.d/ssh', None), ('/etc/pam.d/sshd', None),
                       ('/etc/ufw/applications.d/openssh-server', None)],
    'rsyslog': [('/etc/logrotate.d/rsyslog', None), ('/etc/rsyslog.conf', None),
                ('/etc/rsyslog.d/50-default.conf', None), ('/etc/rsyslog.d/20-ufw.conf', 'obsolete')],
    'cron': [('/etc/cron.d/.placeholder', None), ('/etc/crontab', None), ('/etc/default/cron', None),
             ('/etc/init.d/cron', None), ('/etc/pam.d/cron', None)],
    'chrony': [('/etc/apparmor.d/usr.sbin.chronyd', None), ('/etc/default/chrony', None),
               ('/etc/logrotate.d/chrony', None)],
    'walinuxagent': [('/etc/logrotate.d/walinuxagent', None), ('/etc/waagent.conf', None)],
}

MICROSOFT_PACKAGES = {
    'acr-mirror', 'aznfs', 'blobfuse2', 'ig', 'ig-gadgets', 'moby-containerd', 'moby-runc',
    'node-exporter-kubernetes', 'overlaybd', 'overlaybd-snapshotter', 'packages-microsoft-prod',
    'containernetworking-plugins', 'kubernetes-cri-tools', 'azure-acr-credential-provider',
    'aks-secure-tls-bootstrap-client', 'datacenter-gpu-manager-4-core', 'datacenter-gpu-manager-4-proprietary',
}


def section(name):
    if name.startswith('linux-'):
        return 'kernel'
    if name.startswith('python3'):
        return 'python'
    if name.endswith('-perl') or name.startswith('perl'):
        return 'perl'
    if name.startswith('lib'):
        return 'libs'
    return 'admin'


def stanza(name, version, arch):
    h = int(md5(name)[:8], 16)
    out = [f'Package: {name}']
    if name in ESSENTIAL:
        out.append('Essential: yes')
    out.append('Status: install ok installed')
    prio = 'required' if name in ESSENTIAL else 'important' if name in IMPORTANT else 'optional'
    out.append(f'Priority: {prio}')
    out.append(f'Section: {section(name)}')
    out.append(f'Installed-Size: {16 + h % 20000}')
    ms = name in MICROSOFT_PACKAGES or '-ubuntu22.04' in version
    out.append(f'Maintainer: {MICROSOFT if ms else UBUNTU}')
    out.append(f'Architecture: {arch}')
    if name.startswith('lib') and arch != 'all':
        out.append('Multi-Arch: same')
    elif arch == 'all':
        out.append('Multi-Arch: foreign')
    if name in SOURCES:
        out.append(f'Source: {SOURCES[name]}')
    out.append(f'Version: {version}')
    if name in PROVIDES:
        out.append(f'Provides: {PROVIDES[name]}')
    if name in DEPENDS:
        out.append(f'Depends: {DEPENDS[name]}')
    elif arch != 'all' and name not in ('libc6', 'libgcc-s1', 'gcc-12-base'):
        out.append('Depends: libc6 (>= 2.34)')
    if name in CONFFILES:
        out.append('Conffiles:')
        for path, flag in CONFFILES[name]:
            out.append(f' {path} {md5("orig:" + path)}' + (f' {flag}' if flag else ''))
    out.append(f'Description: {name} (AKS Ubuntu 22.04 node image package)')
    out.append(f' Installed on AKSUbuntu-2204gen2containerd-202603.30.0 as {name} {version} ({arch}).')
    out.append(' Name, version and architecture are real; this long description is synthetic.')
    out.append(' .')
    out.append(' azlmigrate test fixture: see tests/fixtures/aks-ubuntu2204/README.md.')
    if not ms:
        out.append('Original-Maintainer: Debian Developers <debian-devel@lists.debian.org>')
    return '\n'.join(out) + '\n'


def main():
    args = sys.argv[1:]
    extra = None
    if '--status-extra' in args:
        i = args.index('--status-extra')
        if i + 1 >= len(args):
            sys.exit('--status-extra needs a FILE')
        extra = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__.split('\n\n')[1])
    tsv, root = args

    rows = []
    with open(tsv, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            fields = line.split('\t')
            if len(fields) != 4 or fields[3] not in ('0', '1'):
                sys.exit(f'{tsv}:{n}: expected name, version, arch, auto (0/1)')
            rows.append(fields)
    rows.sort(key=lambda r: (r[0], r[2]))

    dpkg = os.path.join(root, 'var/lib/dpkg')
    apt = os.path.join(root, 'var/lib/apt')
    for d in (dpkg, os.path.join(dpkg, 'info'), os.path.join(dpkg, 'updates'), apt, os.path.join(apt, 'lists')):
        os.makedirs(d, exist_ok=True)

    status = ''.join(stanza(n, v, a) + '\n' for n, v, a, _ in rows)
    with open(os.path.join(dpkg, 'status'), 'w', encoding='utf-8') as f:
        f.write(status)
        if extra:
            with open(extra, 'rb') as e:
                f.flush()
                while True:
                    chunk = e.read(1 << 20)
                    if not chunk:
                        break
                    f.buffer.write(chunk)
    with open(os.path.join(dpkg, 'status-old'), 'w', encoding='utf-8') as f:
        f.write(status)
    for empty in ('available', 'diversions', 'statoverride'):
        open(os.path.join(dpkg, empty), 'w').close()

    with open(os.path.join(apt, 'extended_states'), 'w', encoding='utf-8') as f:
        for n, v, a, auto in rows:
            if auto == '1':
                f.write(f'Package: {n}\nArchitecture: {NATIVE_ARCH if a == "all" else a}\nAuto-Installed: 1\n\n')


if __name__ == '__main__':
    main()
