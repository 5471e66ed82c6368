#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Append a fixed-VHD footer to a raw disk image, turning it into a fixed VHD.

usage: vhd-footer.py [--unique-id UUID] [--timestamp UNIX_SECONDS] IMAGE

The footer is the 512-byte big-endian structure of the Virtual Hard Disk Image Format
Specification (Microsoft, version 1.0): cookie "conectix", features 2 (reserved bit set),
format version 1.0, data offset 0xFFFFFFFFFFFFFFFF (fixed disk, no dynamic header), time stamp
in seconds since 2000-01-01 00:00 UTC, creator application "azlm" version 1.0 on "Wi2k",
original and current size, the CHS geometry computed with the specification's algorithm,
disk type 2 (fixed), the one's complement checksum of the footer bytes and a unique id.
The image size must be a multiple of 512 bytes; Azure further wants a multiple of 1 MiB.
Defaults are fixed (unique id, time stamp from SOURCE_DATE_EPOCH or 0) so builds are
reproducible.
"""
import os
import struct
import sys
import uuid

VHD_EPOCH = 946684800  # 2000-01-01T00:00:00Z
DEFAULT_UNIQUE_ID = '6a7a6c6d-0000-4000-8000-415a4c4d5648'


def chs(size):
    """The CHS geometry algorithm of the VHD specification (appendix "CHS calculation")."""
    total = size // 512
    if total > 65535 * 16 * 255:
        total = 65535 * 16 * 255
    if total >= 65535 * 16 * 63:
        spt, heads = 255, 16
        cth = total // spt
    else:
        spt = 17
        cth = total // spt
        heads = (cth + 1023) // 1024
        if heads < 4:
            heads = 4
        if cth >= heads * 1024 or heads > 16:
            spt, heads = 31, 16
            cth = total // spt
        if cth >= heads * 1024:
            spt, heads = 63, 16
            cth = total // spt
    return cth // heads, heads, spt


def footer(size, unique_id, timestamp):
    cyl, heads, spt = chs(size)
    fields = struct.pack(
        '>8sIIQI4sI4sQQHBBII16sB',
        b'conectix',
        0x00000002,              # features: reserved bit, always set
        0x00010000,              # file format version 1.0
        0xFFFFFFFFFFFFFFFF,      # data offset: none for a fixed disk
        max(0, timestamp - VHD_EPOCH) & 0xFFFFFFFF,
        b'azlm',                 # creator application
        0x00010000,              # creator version
        b'Wi2k',                 # creator host OS
        size,                    # original size
        size,                    # current size
        cyl, heads, spt,         # disk geometry
        2,                       # disk type: fixed
        0,                       # checksum, filled in below
        uuid.UUID(unique_id).bytes,
        0)                       # saved state
    data = bytearray(fields + bytes(512 - len(fields)))
    checksum = (~sum(data)) & 0xFFFFFFFF
    struct.pack_into('>I', data, 64, checksum)
    return bytes(data)


def main():
    args = sys.argv[1:]
    unique_id = DEFAULT_UNIQUE_ID
    timestamp = int(os.environ.get('SOURCE_DATE_EPOCH', '0'))
    while len(args) > 1 and args[0].startswith('--'):
        if args[0] == '--unique-id':
            unique_id = args[1]
        elif args[0] == '--timestamp':
            timestamp = int(args[1])
        else:
            sys.exit(f'unknown option {args[0]}')
        args = args[2:]
    if len(args) != 1:
        sys.exit(__doc__.split('\n\n')[1])
    path = args[0]
    size = os.path.getsize(path)
    if size == 0 or size % 512:
        sys.exit(f'{path}: size {size} is not a positive multiple of 512')
    with open(path, 'ab') as f:
        f.write(footer(size, unique_id, timestamp))


if __name__ == '__main__':
    main()
