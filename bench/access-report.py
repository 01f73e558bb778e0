#!/usr/bin/env python3
"""bench/access-report.py: run bench-access's builds under callgrind and
print instructions (Ir) and data reads (Dr) per access.

Usage: access-report.py VALGRIND NR_CPUS CALLS NAME=PROGRAM...

Each program calls each operation of access-ops.c CALLS times, and an
empty function of the same shape as often; an operation's figure is its
own (exclusive) cost minus the empty function's, divided by the accesses it
made (sum_all: CALLS * NR_CPUS; the others: CALLS).  The names classic,
classic-2006, vm and vm-plugin are compared; targets (issue 4): with the
plugin, one data read per remote access and at most 0.7 of the classic
scheme's instructions in the summing loop; one instruction per this_cpu op.
Each target is printed as met or MISSED; only a failed run is an error.
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


def measure(valgrind, program, tmp):
    out = os.path.join(tmp, os.path.basename(program) + '.callgrind')
    proc = subprocess.run([valgrind, '--tool=callgrind', '--cache-sim=yes',
                           '--callgrind-out-file=' + out, program],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    if proc.returncode != 0:
        sys.exit('%s failed under callgrind (exit %d):\n%s%s'
                 % (program, proc.returncode, proc.stdout, proc.stderr))
    return self_costs(out)


def main(argv):
    valgrind, nr_cpus, calls = argv[1], int(argv[2]), int(argv[3])
    builds = [a.split('=', 1) for a in argv[4:]]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, program in builds:
            costs, ncalls = measure(valgrind, program, tmp)
            per = {}
            for op, empty, accesses, _ in OPS:
                if ncalls.get(op, 0) < calls or ncalls.get(empty, 0) < calls:
                    sys.exit('%s: %s or %s called fewer than %d times'
                             % (program, op, empty, calls))
                per[op] = {e: (costs[op][e] / ncalls[op]
                               - costs[empty][e] / ncalls[empty]) / (accesses or nr_cpus)
                           for e in EVENTS}
            results[name] = per

    print('per-CPU access cost on i386 -O2 under callgrind: per access, the '
          'call overhead (an empty function of the same shape) removed; '
          'NR_CPUS=%d, %d calls of each operation' % (nr_cpus, calls))
    print('Ir = instructions, Dr = data reads, Dw = data writes (a read-modify-'
          'write instruction counts as one Dw)')
    print()
    print('%-13s' % 'build' + ''.join('%19s' % t for _, _, _, t in OPS))
    print('%-13s' % '' + ''.join('%19s' % 'Ir / Dr / Dw' for _ in OPS))
    for name, _ in builds:
        r = results[name]
        print('%-13s' % name + ''.join('%19s' % ('%.2f / %.2f / %.2f' % tuple(r[op][e] for e in EVENTS))
                                      for op, _, _, _ in OPS))
    ok = True
    if 'vm-plugin' not in results:
        return 0
    p = results['vm-plugin']
    print()
    print('instructions, vm-plugin / other build:')
    for ref in ('classic', 'classic-2006', 'vm'):
        if ref in results:
            c = results[ref]
            print('  / %-13s' % ref + ''.join('%19s' % ('%.2f' % (p[op]['Ir'] / c[op]['Ir']))
                                             for op, _, _, _ in OPS))
    print()
    print('targets (issue 4), vm-plugin:')
    checks = [
        ('one data read per remote read (the datum)', p['read_remote']['Dr'] == 1),
        ('the datum is all a remote add touches (0 reads, 1 modify)',
         p['add_remote']['Dr'] == 0 and p['add_remote']['Dw'] == 1),
        ('one data read per CPU in the summing loop', p['sum_all']['Dr'] == 1),
        ('one instruction per this_cpu op', p['add_this']['Ir'] == 1),
    ]
    for op in ('sum_all', 'sum_all_unrolled'):
        for ref in ('classic', 'classic-2006'):
            if ref in results:
                ratio = p[op]['Ir'] / results[ref][op]['Ir']
                checks.append(('%s: <= 0.7 of %s instructions (%.2f)' % (op, ref, ratio),
                               ratio <= 0.7))
    for what, met in checks:
        print('  %-7s %s' % ('met' if met else 'MISSED', what))
        ok = ok and met
    if not ok:
        print('(a missed target is reported, not fatal: see docs/plugin.md)')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
