#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""JSON assertions of the integration tests, on azlmigrate inventories (schema azlmigrate/inventory/v1).

usage: check_inventory.py COMMAND ARGS...
  validate SCHEMA INVENTORY            validate against the JSON Schema (python3-jsonschema)
  sample INVENTORY PACKAGES_TSV [--format F] [--backend B] [--disk-size BYTES]
                                       everything the sample AKS node image must give
  same A B                             A and B are equal apart from "source" and the mounts'
                                       size and available (measured differently per reader)
  packages INVENTORY EXPECTED_TSV      the package items are exactly the rows of EXPECTED_TSV
                                       (name<TAB>version<TAB>arch)
  finding INVENTORY KEY                the inventory holds a finding KEY
  no-finding INVENTORY KEY             ... does not
  get INVENTORY PATH                   print the value at a dotted PATH (list index: a number)
  partitions INVENTORY N...            the partition numbers are exactly N...
Failures are printed one a line as "FAIL [area] message"; the exit status is 1 if any.
"""
import json
import sys

failures = []


def fail(area, msg):
    failures.append(f'FAIL [{area}] {msg}')


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def get(obj, path, default=None):
    cur = obj
    for part in path.split('.'):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return default
    return cur


MISSING = object()


def expect(area, inv, path, want):
    got = get(inv, path, MISSING)
    if got is MISSING:
        fail(area, f'{path} is missing (want {want!r})')
    elif got != want:
        fail(area, f'{path} is {got!r}, want {want!r}')


def as_list(v):
    """A collection that is either a JSON array or an object holding one (entries/items/...)."""
    if isinstance(v, list):
        return v
    if isinstance(v, dict):
        for key in ('entries', 'items', 'accounts', 'users', 'certificates', 'interfaces'):
            if isinstance(v.get(key), list):
                return v[key]
    return None


def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)


def cmd_validate(schema_path, inv_path):
    try:
        import jsonschema
    except ImportError:
        sys.exit('python3-jsonschema is missing (apt install python3-jsonschema)')
    schema = load(schema_path)
    inv = load(inv_path)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(inv), key=lambda e: list(e.absolute_path))
    for e in errors[:50]:
        where = '/'.join(str(p) for p in e.absolute_path) or '(root)'
        fail('schema', f'{where}: {e.message[:300]}')
    if len(errors) > 50:
        fail('schema', f'... and {len(errors) - 50} more errors')


# The sample image's fixed layout (tests/mkimage/mk-node-image).
GPT_LINUX = '0fc63daf-8483-4772-8e79-3d69d8477de4'
GPT_BIOS = '21686148-6449-6e6f-744e-656564454649'
GPT_ESP = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b'
ROOT_FS_UUID = '5a3c1f7e-2b8d-4c6a-9e1f-0d2b4a6c8e10'
ESP_FS_UUID = '5A1B-3C2D'
NODE_IMAGE = 'AKSUbuntu-2204gen2containerd-202603.30.0'
CA_PATH = '/usr/local/share/ca-certificates/certs/aks-custom-ca.crt'
CA_SUBJECT = 'Contoso AKS Custom Root CA'


def check_core(inv, tsv_path, fmt, backend, disk_size):
    expect('source', inv, 'source.format', fmt)
    expect('source', inv, 'source.backend', backend)

    expect('disk', inv, 'disk.label', 'gpt')
    expect('disk', inv, 'disk.id', '8d1b5f2c-7e3a-4c9b-9a61-2f0e4b7c1d55')
    expect('disk', inv, 'disk.sector_size', 512)
    if disk_size is not None:
        expect('disk', inv, 'disk.size', disk_size)
    size = get(inv, 'disk.size')
    last_lba = size // 512 - 34 if isinstance(size, int) else None
    want = {
        14: dict(type=GPT_BIOS, start=2048 * 512, size=8192 * 512, uuid='9a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
                 fs=None),
        15: dict(type=GPT_ESP, start=10240 * 512, size=217088 * 512, uuid='de2daaf2-b55f-4aca-ac16-18549ec4eceb',
                 fs=('vfat', 'UEFI', ESP_FS_UUID)),
        1: dict(type=GPT_LINUX, start=227328 * 512,
                size=(last_lba - 227328 + 1) * 512 if last_lba else None,
                uuid='3f4e7a1b-9c2d-4e5f-8a6b-7c8d9e0f1a2b', fs=('ext4', 'cloudimg-rootfs', ROOT_FS_UUID)),
    }
    parts = get(inv, 'disk.partitions') or []
    by_number = {p.get('number'): p for p in parts if isinstance(p, dict)}
    if sorted(by_number) != [1, 14, 15] or len(parts) != 3:
        fail('disk', f'partition numbers are {sorted(by_number)} ({len(parts)} entries), want [1, 14, 15]')
    for n, w in want.items():
        p = by_number.get(n)
        if p is None:
            continue
        for key in ('type', 'start', 'size', 'uuid'):
            if w[key] is not None and p.get(key) != w[key]:
                fail('disk', f'partition {n}: {key} is {p.get(key)!r}, want {w[key]!r}')
        fs = p.get('filesystem')
        if w['fs'] is None:
            if fs not in (None, {}):
                fail('disk', f'partition {n}: filesystem is {fs!r}, want none (BIOS boot)')
        else:
            t, label, uuid = w['fs']
            if not isinstance(fs, dict):
                fail('disk', f'partition {n}: no filesystem, want {t}')
            else:
                for key, val in (('type', t), ('label', label), ('uuid', uuid)):
                    if fs.get(key) != val:
                        fail('disk', f'partition {n}: filesystem.{key} is {fs.get(key)!r}, want {val!r}')

    mounts = get(inv, 'mounts') or []
    points = {m.get('mountpoint'): m for m in mounts if isinstance(m, dict)}
    for point, number in (('/', 1), ('/boot/efi', 15)):
        if point not in points:
            fail('mounts', f'no mount record for {point} (have {sorted(points)})')
        elif points[point].get('partition') != number:
            fail('mounts', f'{point} is mounted from partition {points[point].get("partition")!r}, want {number}')

    expect('os', inv, 'os.id', 'ubuntu')
    expect('os', inv, 'os.version_id', '22.04')
    expect('os', inv, 'os.version_codename', 'jammy')
    expect('os', inv, 'os.pretty_name', 'Ubuntu 22.04.5 LTS')
    expect('os', inv, 'os.hostname', 'aks-nodepool1-12345678-vmss000000')
    expect('os', inv, 'os.arch', 'x86_64')
    expect('os', inv, 'os.machine_id', '4b8e2f0a9c6d41e7b3a5f1c2d8e97a60')

    rows = []
    with open(tsv_path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                name, version, arch, auto = line.rstrip('\n').split('\t')
                rows.append((name, version, arch, auto == '0'))
    expect('packages', inv, 'packages.manager', 'dpkg')
    expect('packages', inv, 'packages.count', len(rows))
    expect('packages', inv, 'packages.manual_count', sum(1 for r in rows if r[3]))
    items = get(inv, 'packages.items') or []
    have = {}
    for it in items:
        key = (it.get('name'), it.get('arch'))
        if key in have:
            fail('packages', f'package {key[0]}:{key[1]} is listed twice')
        have[key] = it
    if len(items) != len(rows):
        fail('packages', f'{len(items)} package items, want {len(rows)}')
    bad = 0
    for name, version, arch, manual in rows:
        it = have.pop((name, arch), None)
        problem = None
        if it is None:
            problem = f'{name}:{arch} is missing'
        elif it.get('version') != version:
            problem = f'{name}:{arch} has version {it.get("version")!r}, want {version!r}'
        elif it.get('manual') is not manual:
            problem = f'{name}:{arch} has manual {it.get("manual")!r}, want {manual!r}'
        elif it.get('status') != 'installed':
            problem = f'{name}:{arch} has status {it.get("status")!r}'
        if problem:
            bad += 1
            if bad <= 20:
                fail('packages', problem)
    if bad > 20:
        fail('packages', f'... {bad - 20} more package mismatches')
    for name, arch in list(have)[:20]:
        fail('packages', f'unexpected package {name}:{arch}')

    findings = get(inv, 'findings') or []
    for f in findings:
        key = f.get('key', '')
        if key == 'inspect.collector.failed' or key.startswith('disk.') or key.startswith('dpkg.'):
            fail('findings', f'unexpected finding {key}: {f.get("detail")}')


def find_named(coll, name):
    lst = as_list(coll)
    if lst is None and isinstance(coll, dict):
        v = coll.get(name)
        return v if isinstance(v, dict) else None
    for x in lst or []:
        if isinstance(x, dict) and name in (x.get('name'), x.get('id'), x.get('set_name'), x.get('user'),
                                            x.get('username'), x.get('interface')):
            return x
    return None


def check_collectors(inv):
    """The sections the other collectors fill, from the contract given to them."""
    expect('boot', inv, 'boot.firmware', 'hybrid')
    expect('boot', inv, 'boot.kernels.0.version', '5.15.0-1102-azure')

    fstab = get(inv, 'config.fstab', MISSING)
    lst = as_list(fstab) if fstab is not MISSING else None
    if lst is None:
        fail('fstab', f'config.fstab is {"missing" if fstab is MISSING else "not a list of entries"}')
    elif len(lst) != 2:
        fail('fstab', f'config.fstab has {len(lst)} entries, want 2')

    users = get(inv, 'config.users', MISSING)
    u = find_named(users, 'azureuser') if users is not MISSING else None
    if u is None:
        fail('users', 'config.users has no azureuser')
    else:
        expect('users', u, 'authorized_keys.count', 1)

    ca = get(inv, 'config.ca_certs', MISSING)
    if ca is MISSING:
        fail('certs', 'config.ca_certs is missing')
    elif not any(CA_PATH in s or CA_SUBJECT in s for s in strings(ca)):
        fail('certs', f'config.ca_certs does not mention {CA_PATH} or "{CA_SUBJECT}"')

    ifaces = get(inv, 'config.network.interfaces', MISSING)
    eth0 = find_named(ifaces, 'eth0') if ifaces is not MISSING else None
    if eth0 is None:
        fail('network', 'config.network.interfaces has no eth0')
    elif eth0.get('dhcp4') is not True:
        fail('network', f'eth0: dhcp4 is {eth0.get("dhcp4")!r}, want true')

    expect('aks', inv, 'aks.kubelet.version', 'v1.34.4')
    expect('aks', inv, 'aks.node_image_version', NODE_IMAGE)


def cmd_sample(args):
    inv_path, tsv = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    inv = load(inv_path)
    expect('schema', inv, 'schema', 'azlmigrate/inventory/v1')
    check_core(inv, tsv, opts.get('--format', 'raw'), opts.get('--backend', 'native'),
               int(opts['--disk-size']) if '--disk-size' in opts else None)
    check_collectors(inv)


def diff(a, b, path, out):
    if len(out) >= 30:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append(f'{path}.{k}: only in B ({json.dumps(b[k])[:120]})')
            elif k not in b:
                out.append(f'{path}.{k}: only in A ({json.dumps(a[k])[:120]})')
            else:
                diff(a[k], b[k], f'{path}.{k}', out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f'{path}: {len(a)} items in A, {len(b)} in B')
            ja, jb = [json.dumps(x, sort_keys=True) for x in a], [json.dumps(x, sort_keys=True) for x in b]
            for x in [x for x in ja if x not in jb][:5]:
                out.append(f'{path}: only in A: {x[:200]}')
            for x in [x for x in jb if x not in ja][:5]:
                out.append(f'{path}: only in B: {x[:200]}')
            return
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f'{path}[{i}]', out)
    elif a != b or type(a) is not type(b):
        out.append(f'{path}: A {json.dumps(a)[:120]} != B {json.dumps(b)[:120]}')


def cmd_same(a_path, b_path):
    a, b = load(a_path), load(b_path)
    a.pop('source', None)
    b.pop('source', None)
    # A filesystem's size and what is available to users are the reader's measure: the ext4
    # superblock counts every block, statvfs (libguestfs, --root) leaves out the metadata.
    # Free blocks are the same count either way and stay compared.
    for doc in (a, b):
        for m in doc.get('mounts') or []:
            if isinstance(m, dict):
                m.pop('size', None)
                m.pop('available', None)
    out = []
    diff(a, b, '', out)
    for line in out:
        fail('same', line)


def cmd_packages(inv_path, tsv):
    inv = load(inv_path)
    want = set()
    with open(tsv, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                name, version, arch = line.rstrip('\n').split('\t')[:3]
                want.add((name, version, arch))
    items = get(inv, 'packages.items') or []
    have = [(i.get('name'), i.get('version'), i.get('arch')) for i in items]
    if len(have) != len(set(have)):
        fail('packages', 'duplicate package items')
    expect('packages', inv, 'packages.count', len(want))
    for x in sorted(want - set(have))[:20]:
        fail('packages', f'missing from the inventory: {x[0]} {x[1]} {x[2]}')
    for x in sorted(set(have) - want, key=str)[:20]:
        fail('packages', f'not in the package database: {x[0]} {x[1]} {x[2]}')


def cmd_finding(inv_path, key, present):
    keys = [f.get('key') for f in get(load(inv_path), 'findings') or []]
    if present and key not in keys:
        fail('findings', f'no finding {key} (have {sorted(set(k for k in keys if k))})')
    if not present and key in keys:
        fail('findings', f'unexpected finding {key}')


def cmd_partitions(inv_path, numbers):
    parts = get(load(inv_path), 'disk.partitions') or []
    have = sorted(p.get('number') for p in parts)
    want = sorted(int(n) for n in numbers)
    if have != want:
        fail('disk', f'partitions {have}, want {want}')


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'validate' and len(args) == 2:
        cmd_validate(*args)
    elif cmd == 'sample' and len(args) >= 2:
        cmd_sample(args)
    elif cmd == 'same' and len(args) == 2:
        cmd_same(*args)
    elif cmd == 'packages' and len(args) == 2:
        cmd_packages(*args)
    elif cmd in ('finding', 'no-finding') and len(args) == 2:
        cmd_finding(args[0], args[1], cmd == 'finding')
    elif cmd == 'get' and len(args) == 2:
        v = get(load(args[0]), args[1], MISSING)
        if v is MISSING:
            sys.exit(f'{args[1]}: no such value')
        print(v if isinstance(v, str) else json.dumps(v))
    elif cmd == 'partitions' and len(args) >= 2:
        cmd_partitions(args[0], args[1:])
    else:
        sys.exit(__doc__)
    for line in failures:
        print(line)
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
