#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""JSON and HTML assertions of the plan and report integration test (test-plan-report.sh).

usage: check_plan.py COMMAND ARGS...
  plan PLAN INVENTORY STRATEGY CHECKPOINT_KIND RC
                        the plan fits its inventory: fingerprint, package decisions, findings,
                        verdict (and exit status RC), the strategy's steps with a checkpoint of
                        CHECKPOINT_KIND before every mutating step
  report REPORT PLAN    the report says what the plan says, verdict first
  html FILE             well-formed, self-contained HTML with its three SVG pictures
  markdown FILE         the Markdown report's sections and tables
  inhibit IN OUT        writes IN with FIPS enabled and a snap installed, as OUT
  get FILE PATH         print the value at a dotted PATH
Failures are printed one a line as "FAIL [area] message"; the exit status is 1 if any.
"""
import hashlib
import html.parser
import json
import re
import sys

failures = []

STEPS = {
    'inplace': ['preflight', 'verify-fingerprint', 'stage-target', 'carry-config', 'swap-root', 'install-boot',
                'write-firstboot', 'verify'],
    'reimage': ['preflight', 'verify-fingerprint', 'capture-config', 'write-disk', 'apply-config', 'verify'],
}


def fail(area, msg):
    failures.append(f'FAIL [{area}] {msg}')


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def fingerprint(inv):
    """The documented definition: the compact serialisation without "source" and without the
    mounts' space figures (size, free, available)."""
    doc = {k: v for k, v in inv.items() if k != 'source'}
    if isinstance(doc.get('mounts'), list):
        doc['mounts'] = [{k: v for k, v in m.items() if k not in ('size', 'free', 'available')}
                         if isinstance(m, dict) else m for m in doc['mounts']]
    text = json.dumps(doc, separators=(',', ':'), ensure_ascii=False)
    return 'sha256:' + hashlib.sha256(text.encode('utf-8')).hexdigest()


def verdict_of(findings):
    if any(f.get('inhibitor') is True for f in findings):
        return 'inhibited'
    if any(f.get('severity') in ('medium', 'high') for f in findings):
        return 'ready-with-warnings'
    return 'ready'


def cmd_plan(plan_path, inv_path, strategy, cp_kind, rc):
    plan, inv = load(plan_path), load(inv_path)
    if plan.get('schema') != 'azlmigrate/plan/v1':
        fail('plan', f'schema is {plan.get("schema")!r}')
    if plan.get('strategy') != strategy:
        fail('plan', f'strategy is {plan.get("strategy")!r}, want {strategy}')
    if plan.get('created', 'missing') is not None:
        fail('plan', 'created must be null')
    want_from = f'{inv["os"]["id"]}-{inv["os"]["version_id"]}'
    if plan.get('from') != want_from:
        fail('plan', f'from is {plan.get("from")!r}, want {want_from}')
    if plan.get('inventory_fingerprint') != fingerprint(inv):
        fail('fingerprint', f'{plan.get("inventory_fingerprint")} != {fingerprint(inv)} (computed here)')

    items = inv['packages']['items']
    decisions = plan['packages']['decisions']
    if [d['name'] for d in decisions] != [i['name'] for i in items]:
        fail('packages', f'{len(decisions)} decisions for {len(items)} packages, or not in the same order')
    counts = plan['packages']['counts']
    if counts.get('total') != len(items):
        fail('packages', f'counts.total is {counts.get("total")}, want {len(items)}')
    for disp in ('map', 'base', 'drop', 'unavailable', 'unknown'):
        n = sum(1 for d in decisions if d['disposition'] == disp)
        if counts.get(disp) != n:
            fail('packages', f'counts.{disp} is {counts.get(disp)}, the decisions say {n}')

    findings = plan['findings']
    for f in inv.get('findings', []):
        if not any(p['key'] == f['key'] and p.get('detail') == f.get('detail') and p['inhibitor'] is False
                   for p in findings):
            fail('findings', f'the inventory\'s finding {f["key"]} is not in the plan as a non-inhibitor')
    if plan['verdict'] != verdict_of(findings):
        fail('verdict', f'verdict {plan["verdict"]}, the findings say {verdict_of(findings)}')
    inhibitors = sorted({f['key'] for f in findings if f['inhibitor']})
    if plan['inhibitors'] != inhibitors:
        fail('verdict', f'inhibitors {plan["inhibitors"]}, the findings say {inhibitors}')
    want_rc = 3 if plan['verdict'] == 'inhibited' else 0
    if int(rc) != want_rc:
        fail('exit', f'exit status {rc} for verdict {plan["verdict"]}, want {want_rc}')

    ids = [s['id'] for s in plan['steps']]
    if ids != STEPS[strategy]:
        fail('steps', f'steps {ids}, want {STEPS[strategy]}')
    cps = {c['id']: c for c in plan['checkpoints']}
    if len(cps) != len(plan['checkpoints']):
        fail('steps', 'checkpoint ids repeat')
    for s in plan['steps']:
        cp = s['checkpoint_before']
        if s['mutates'] and cp is None:
            fail('steps', f'step {s["id"]} mutates with no checkpoint before it')
        if cp is not None:
            c = cps.get(cp)
            if c is None:
                fail('steps', f'step {s["id"]}: checkpoint {cp} is not in checkpoints')
            elif c['before_step'] != s['id']:
                fail('steps', f'checkpoint {cp} is before {c["before_step"]}, not {s["id"]}')
            elif cp_kind != '-' and c['kind'] != cp_kind and not (strategy == 'reimage' and s['id'] == 'write-disk'):
                fail('steps', f'checkpoint {cp} is {c["kind"]}, want {cp_kind}')
    if strategy == 'inplace' and '/var/lib/kubelet' not in plan['preserve']:
        fail('preserve', f'/var/lib/kubelet is not preserved: {plan["preserve"]}')
    if plan['target_image'].get('root_used') != '21G':
        fail('target', f'target_image.root_used is {plan["target_image"].get("root_used")!r}')


def cmd_report(rep_path, plan_path):
    rep, plan = load(rep_path), load(plan_path)
    keys = list(rep)
    if keys[:3] != ['schema', 'tool', 'verdict']:
        fail('report', f'the report starts with {keys[:3]}, want the verdict third')
    for k in ('verdict', 'from', 'to', 'strategy', 'inventory_fingerprint', 'steps', 'checkpoints', 'preserve'):
        if rep.get(k) != plan.get(k):
            fail('report', f'{k} differs from the plan')
    if rep['packages']['decisions'] != plan['packages']['decisions']:
        fail('report', 'the package table differs from the plan')
    if rep['configuration']['translations'] != plan['translations']:
        fail('report', 'the configuration changes differ from the plan')
    if sorted(json.dumps(f, sort_keys=True) for f in rep['findings']) != \
            sorted(json.dumps(f, sort_keys=True) for f in plan['findings']):
        fail('report', 'the findings differ from the plan')
    if [f['key'] for f in rep['inhibitors']] != sorted(f['key'] for f in plan['findings'] if f['inhibitor']):
        fail('report', 'the inhibitors are not the plan\'s inhibiting findings')
    fp = rep['footprint']
    if fp['before']['packages'] != plan['inventory_summary']['packages']['count']:
        fail('footprint', 'before.packages is not the inventory\'s package count')
    want_after = plan['target_image']['packages'] + len(plan['packages']['counts']['to_install'])
    if fp['after']['packages'] != want_after:
        fail('footprint', f'after.packages is {fp["after"]["packages"]}, want {want_after}')
    if fp['after']['installed_size'] is not None:
        fail('footprint', 'after.installed_size is made up: it must be null')


VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'}
# Elements SVG content uses that may be self-closed (<rect/>); html.parser reports those as startendtag.


class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.count = {}
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        for name, value in attrs:
            if name in ('src', 'href', 'xlink:href', 'action', 'srcset') or name.startswith('on'):
                fail('html', f'<{tag} {name}="{value}">: nothing may be loaded, linked or scripted')
            if value and re.search(r'url\((?!#azlm-)', value):
                fail('html', f'<{tag} {name}="{value}">: url() of something outside the file')
        if tag in ('script', 'iframe', 'object', 'embed', 'link', 'img', 'base', 'form'):
            fail('html', f'<{tag}> in the report')
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        for name, value in attrs:
            if name in ('src', 'href', 'xlink:href') or name.startswith('on'):
                fail('html', f'<{tag} {name}="{value}"/>: nothing may be loaded, linked or scripted')

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack:
            fail('html', f'</{tag}> at {self.getpos()} closes nothing')
            return
        top, pos = self.stack.pop()
        if top != tag:
            fail('html', f'</{tag}> at {self.getpos()} closes <{top}> opened at {pos}')

    def handle_data(self, data):
        self.text.append(data)


def cmd_html(path):
    with open(path, encoding='utf-8') as f:
        doc = f.read()
    if not doc.startswith('<!DOCTYPE html>'):
        fail('html', 'no <!DOCTYPE html>')
    c = Checker()
    c.feed(doc)
    c.close()
    for tag, pos in c.stack[:5]:
        fail('html', f'<{tag}> opened at {pos} is never closed')
    if c.count.get('svg') != 3:
        fail('html', f'{c.count.get("svg", 0)} <svg> pictures, want 3 (disk layout, dispositions, steps)')
    if 'style' not in c.count:
        fail('html', 'no inline <style>')
    if re.search(r'<script', doc, re.I):
        fail('html', '"<script" in the report')
    if re.search(r'@import|@font-face', doc):
        fail('html', 'the CSS loads something')
    for m in re.finditer(r'http', doc):
        before = doc[max(0, m.start() - 1):m.start()]
        if doc.startswith('http-equiv=', m.start()):
            continue
        if before in ('"', "'", '(', '='):
            fail('html', f'"http" in an attribute or url(): {doc[m.start() - 20:m.start() + 40]!r}')
    text = ''.join(c.text)
    for words in ('Verdict:', 'Inhibitors', 'Package changes', 'Configuration changes', 'Steps and checkpoints',
                  'Footprint', 'Findings'):
        if words not in text:
            fail('html', f'the text has no "{words}": unreadable without the pictures')


def cmd_markdown(path):
    with open(path, encoding='utf-8') as f:
        doc = f.read()
    for h in ('# Migration report:', '## Inhibitors', '## Package changes', '## Configuration changes',
              '## Steps and checkpoints', '## Footprint', '## Findings'):
        if h not in doc:
            fail('markdown', f'no "{h}"')
    if doc.index('## Inhibitors') > doc.index('## Package changes'):
        fail('markdown', 'the inhibitors do not come first')
    # Every table row has as many unescaped pipes as its header.
    fence, cols = False, None
    for n, line in enumerate(doc.split('\n'), 1):
        if line.startswith('```'):
            fence = not fence
        if fence or not line.startswith('|'):
            cols = None
            continue
        pipes = len(re.findall(r'(?<!\\)\|', line.replace('\\\\', '')))
        if cols is None:
            cols = pipes
        elif pipes != cols:
            fail('markdown', f'line {n} has {pipes} cells separators, its table {cols}: {line[:100]!r}')


def cmd_inhibit(src, dst):
    inv = load(src)
    inv['security']['fips']['enabled'] = True
    inv['security']['fips'].setdefault('evidence', []).append('/proc/sys/crypto/fips_enabled')
    inv['security']['snaps']['installed'] = ['lxd']
    inv['security']['snaps']['snapd_installed'] = True
    with open(dst, 'w', encoding='utf-8') as f:
        json.dump(inv, f, indent=2, ensure_ascii=False)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'plan' and len(args) == 5:
        cmd_plan(*args)
    elif cmd == 'report' and len(args) == 2:
        cmd_report(*args)
    elif cmd == 'html' and len(args) == 1:
        cmd_html(*args)
    elif cmd == 'markdown' and len(args) == 1:
        cmd_markdown(*args)
    elif cmd == 'inhibit' and len(args) == 2:
        cmd_inhibit(*args)
    elif cmd == 'get' and len(args) == 2:
        v = load(args[0])
        for part in args[1].split('.'):
            v = v[int(part)] if isinstance(v, list) else v[part]
        print(v if isinstance(v, str) else json.dumps(v))
    else:
        sys.exit(__doc__)
    for line in failures:
        print(line)
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
