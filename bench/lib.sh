# shellcheck shell=bash
# Shared by the bench scripts: the sample disk and a release build to measure. Sourced, not run,
# from the top of the source tree.

# Makes $work (removed on exit), builds the release binary in build-bench (without tests) as
# $bin, and writes the sample 4 GiB "Ubuntu 22.04 AKS node" disk to $image.
bench_setup() {
        work=$(mktemp -d)
        trap 'rm -rf "$work"' EXIT

        if [ ! -f build-bench/build.ninja ]; then
                meson setup build-bench -Dbuildtype=release -Dtests=false >/dev/null
        fi
        ninja -C build-bench >/dev/null
        # shellcheck disable=SC2034 # bin and image are for the scripts that source this
        bin=build-bench/src/cli/azlmigrate
        image=$work/aks-ubuntu2204-node.img
        tests/mkimage/mk-node-image "$image" >/dev/null
}
