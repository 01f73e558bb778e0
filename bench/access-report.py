#!/usr/bin/env python3
"""bench/access-report.py: run bench-access's builds under callgrind and
print instructions (Ir) and data reads (Dr) per access, i386 and x86-64
side by side.

Usage: access-report.py VALGRIND NR_CPUS CALLS ARCH:NAME=PROGRAM...

Each program calls each operation of access-ops.c CALLS times, and an
empty function of the same shape as often; an operation's figure is its
own (exclusive) cost minus the empty function's, divided by the accesses it
made (sum_all: CALLS * NR_CPUS; the others: CALLS).  ARCH is i386 or
x86_64; the names classic, classic-2006, vm and vm-plugin are compared
within an arch, and each build's instructions across the arches.  Targets
(issue 4), checked for each arch: with the plugin, one data read per remote
access and at most 0.7 of the classic schemes' instructions in the summing
loops; one instruction per this_cpu op.  Each target is printed as met or
MISSED; only a failed run is an error.
"""
import os
import re
import subprocess
import sys
import tempfile

OPS = [  # operation, its empty twin, accesses per call (None: NR_CPUS), title
    ('sum_all', 'empty0', None, 'sum loop'),
    ('sum_all_unrolled', 'empty0', None, 'sum, unrolled x4'),
    ('read_remote', 'empty1r', 1, 'remote read'),
    ('add_remote', 'empty2', 1, 'remote add'),
    ('add_this', 'empty1', 1, 'this_cpu_add'),
]
EVENTS = ('Ir', 'Dr', 'Dw')


def self_costs(path):
    """({function: {event: exclusive cost}}, {function: calls}) from a
    callgrind output file."""
    events, names, costs, calls = [], {}, {}, {}
    fn, callee, skip_next = None, None, False
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('events:'):
                events = line.split()[1:]
            elif line.startswith('fn='):
                m = re.match(r'fn=\((\d+)\)(?: (.*))?$', line)
                if m:
                    if m.group(2):
                        names[m.group(1)] = m.group(2)
                    fn = names[m.group(1)]
                else:
                    fn = line[3:]
                costs.setdefault(fn, {e: 0 for e in events})
            elif line.startswith('cfn='):
                # (File names, cfi=/cfl=, have ids of their own.)
                m = re.match(r'cfn=\((\d+)\)(?: (.*))?$', line)
                if m and m.group(2):
                    names[m.group(1)] = m.group(2)
                callee = names.get(m.group(1)) if m else line[4:]
            elif line.startswith('calls='):
                calls[callee] = calls.get(callee, 0) + int(line.split()[0][6:])
                skip_next = True   # the next cost line is the callee's
            elif line and (line[0].isdigit() or line[0] in '+-*') and fn:
                if skip_next:
                    skip_next = False
                    continue
                values = line.split()[1:]
                for e, v in zip(events, values):
                    costs[fn][e] += int(v)
    return costs, calls


def measure(valgrind, program, prefix):
    out = prefix + os.path.basename(program) + '.callgrind'
    proc = subprocess.run([valgrind, '--tool=callgrind', '--cache-sim=yes',
                           '--callgrind-out-file=' + out, program],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    if proc.returncode != 0:
        sys.exit('%s failed under callgrind (exit %d):\n%s%s'
                 % (program, proc.returncode, proc.stdout, proc.stderr))
    return self_costs(out)


ARCH_TITLES = {'i386': 'i386', 'x86_64': 'x86-64'}
REFS = ('classic', 'classic-2006', 'vm')


def parse_builds(args):
    """[(arch, name, program)] from ARCH:NAME=PROGRAM arguments."""
    builds = []
    for a in args:
        m = re.match(r'([^:=]+):([^=]+)=(.+)$', a)
        if not m or m.group(1) not in ARCH_TITLES:
            sys.exit('access-report.py: %r is not ARCH:NAME=PROGRAM with ARCH one of %s'
                     % (a, ', '.join(ARCH_TITLES)))
        builds.append(m.groups())
    return builds


def per_access(program, costs, ncalls, calls, nr_cpus):
    """{op: {event: cost per access, net of the empty function's}}."""
    per = {}
    for op, empty, accesses, _ in OPS:
        if ncalls.get(op, 0) < calls or ncalls.get(empty, 0) < calls:
            sys.exit('%s: %s or %s called fewer than %d times'
                     % (program, op, empty, calls))
        per[op] = {e: (costs[op][e] / ncalls[op]
                       - costs[empty][e] / ncalls[empty]) / (accesses or nr_cpus)
                   for e in EVENTS}
    return per


def ratio(a, b):
    return '%.2f' % (a / b) if b else '-'


def targets(results):
    """[(target, met, figure or '')] for one arch's builds with the plugin."""
    p = results['vm-plugin']
    checks = [
        ('one data read per remote read (the datum)', p['read_remote']['Dr'] == 1, ''),
        ('the datum is all a remote add touches (0 reads, 1 modify)',
         p['add_remote']['Dr'] == 0 and p['add_remote']['Dw'] == 1, ''),
        ('one data read per CPU in the summing loop', p['sum_all']['Dr'] == 1, ''),
        ('one instruction per this_cpu op', p['add_this']['Ir'] == 1, ''),
    ]
    for op in ('sum_all', 'sum_all_unrolled'):
        for ref in ('classic', 'classic-2006'):
            if ref in results:
                r = p[op]['Ir'] / results[ref][op]['Ir']
                checks.append(('%s: <= 0.7 of %s instructions' % (op, ref),
                               r <= 0.7, '%.2f' % r))
    return checks


def main(argv):
    valgrind, nr_cpus, calls = argv[1], int(argv[2]), int(argv[3])
    builds = parse_builds(argv[4:])
    arches = [a for a in ARCH_TITLES if any(b[0] == a for b in builds)]
    names = []
    for _, name, _ in builds:
        if name not in names:
            names.append(name)
    results = {a: {} for a in arches}
    with tempfile.TemporaryDirectory() as tmp:
        for arch, name, program in builds:
            costs, ncalls = measure(valgrind, program, os.path.join(tmp, arch + '-'))
            results[arch][name] = per_access(program, costs, ncalls, calls, nr_cpus)

    print('per-CPU access cost, %s -O2 under callgrind: per access, the call '
          'overhead (an empty function of the same shape) removed; NR_CPUS=%d, '
          '%d calls of each operation'
          % (' and '.join(ARCH_TITLES[a] for a in arches), nr_cpus, calls))
    print('Ir = instructions, Dr = data reads, Dw = data writes (a read-modify-'
          'write instruction counts as one Dw)')
    print()
    print('%-17s' % '' + ''.join('%21s' % ARCH_TITLES[a] for a in arches)
          + ('%17s' % 'Ir x86-64/i386' if len(arches) == 2 else ''))
    print('%-17s' % 'operation, build' + ''.join('%21s' % 'Ir / Dr / Dw' for _ in arches))
    for op, _, _, title in OPS:
        print(title)
        for name in names:
            line = '  %-15s' % name
            for a in arches:
                r = results[a].get(name)
                line += '%21s' % ('%.2f / %.2f / %.2f' % tuple(r[op][e] for e in EVENTS)
                                  if r else '-')
            if len(arches) == 2 and all(name in results[a] for a in arches):
                line += '%17s' % ratio(results[arches[1]][name][op]['Ir'],
                                       results[arches[0]][name][op]['Ir'])
            print(line)

    with_plugin = [a for a in arches if 'vm-plugin' in results[a]]
    if not with_plugin:
        return 0
    print()
    print('instructions, vm-plugin / other build:')
    print('%-24s' % '' + ''.join('%18s' % t for _, _, _, t in OPS))
    for a in with_plugin:
        p = results[a]['vm-plugin']
        for ref in REFS:
            if ref in results[a]:
                c = results[a][ref]
                print('  %-6s / %-13s' % (ARCH_TITLES[a], ref)
                      + ''.join('%18s' % ratio(p[op]['Ir'], c[op]['Ir'])
                                for op, _, _, _ in OPS))
    print()
    print(('%-62s' % 'targets (issue 4), vm-plugin:'
           + ''.join('%-14s' % ARCH_TITLES[a] for a in with_plugin)).rstrip())
    per_arch = {a: targets(results[a]) for a in with_plugin}
    order = []
    for a in with_plugin:
        for what, _, _ in per_arch[a]:
            if what not in order:
                order.append(what)
    missed = False
    for what in order:
        line = '  %-60s' % what
        for a in with_plugin:
            found = [(met, fig) for w, met, fig in per_arch[a] if w == what]
            if not found:
                line += '%-14s' % '-'
                continue
            met, fig = found[0]
            missed = missed or not met
            line += '%-14s' % (('met' if met else 'MISSED') + (' ' + fig if fig else ''))
        print(line.rstrip())
    if missed:
        print('(a missed target is reported, not fatal: see docs/plugin.md)')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
