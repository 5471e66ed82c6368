# Shared by scripts/check and scripts/demo: the Debian 12 packages the project needs, and a
# function that installs the missing ones. Sourced, not run.

# Build: compiler, meson, and the libraries azlmigrate links.
AZLM_BUILD_PACKAGES=(
        gcc pkg-config meson ninja-build
        libguestfs-dev libfdisk-dev libblkid-dev libext2fs-dev comerr-dev
        libjson-c-dev libyaml-dev zlib1g-dev libssl-dev libarchive-dev librpm-dev
)
# Converting a disk (tests and the demo): the stand-in Azure Linux target is built with rpmbuild
# (rpm, tests/target/); image mode takes its checkpoints with qemu-img (qemu-utils) and exports
# them through FUSE with qemu-storage-daemon (qemu-system-common); the ESP is written with mtools.
AZLM_CONVERT_PACKAGES=(
        rpm qemu-utils qemu-system-common mtools
)
# Tests and the sample disk: image tools (no root needed; mtools and qemu-utils come with the
# list above), JSON Schema validation, libguestfs's appliance (its tools pull in a kernel),
# debootstrap for the Debian image test, Debian's az CLI and what builds the extension's wheel
# (the az extension test), and what converting needs (above; rpm also makes the RPM databases of
# the tests).
AZLM_TEST_PACKAGES=(
        e2fsprogs fdisk dosfstools
        python3 python3-jsonschema
        azure-cli python3-wheel python3-setuptools
        libguestfs-tools
        debootstrap curl
        clang-format
        "${AZLM_CONVERT_PACKAGES[@]}"
)

# Installs the packages of the given arrays that dpkg does not report as installed.
azlm_install_missing() {
        local missing=() p
        for p in "$@"; do
                if ! dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
                        missing+=("$p")
                fi
        done
        [ ${#missing[@]} -eq 0 ] && return 0
        echo "Installing missing packages: ${missing[*]}" >&2
        local sudo=()
        [ "$(id -u)" -eq 0 ] || sudo=(sudo)
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                "${missing[@]}" >&2
}

# libguestfs on a machine without usable KVM: force TCG rather than hang.
azlm_guestfs_env() {
        export LIBGUESTFS_BACKEND=${LIBGUESTFS_BACKEND:-direct}
        if ! grep -qwE 'vmx|svm' /proc/cpuinfo 2>/dev/null; then
                export LIBGUESTFS_BACKEND_SETTINGS=${LIBGUESTFS_BACKEND_SETTINGS:-force_tcg}
        fi
}
