#!/usr/bin/env python3
"""bench/compile-report.py: what the plugin costs at compile time.

Usage: compile-report.py GCC PLUGIN VALGRIND TREE -- FLAG...

TREE is a per-CPU-heavy source tree from compile-gen.py.  Three builds:
without the plugin, with it (mode=lower: the offset-table loads go, so
the optimisers have less to do), and with it in mode=check (the same
analysis, code unchanged: the plugin's own overhead).  Two figures, each
as the ratio to the build without the plugin (target: at most 1.03):
  - CPU time (user + system of the compilers) to compile the whole tree,
    the best of ROUNDS rounds, the builds alternating so that load on the
    machine hits them alike (still noisy on a shared machine);
  - instructions cc1 executes for one unit, counted by callgrind (exact,
    immune to load): the target is judged on this one.
"""
import glob
import os
import resource
import subprocess
import sys
import tempfile

ROUNDS = 5


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def compile_tree(gcc, flags, units, outdir):
    start = cpu_seconds()
    for u in units:
        obj = os.path.join(outdir, os.path.basename(u) + '.o')
        subprocess.run([gcc] + flags + ['-c', u, '-o', obj], check=True)
    return cpu_seconds() - start


def cc1_instructions(gcc, flags, valgrind, unit, tmp, tag):
    """Instructions of cc1 alone: -wrapper runs every subprocess (cc1 and
    the assembler) under callgrind, one output file per process."""
    prefix = os.path.join(tmp, tag + '.callgrind.')
    wrapper = '%s,--tool=callgrind,--callgrind-out-file=%s%%p' % (valgrind, prefix)
    subprocess.run([gcc] + flags + ['-wrapper', wrapper, '-c', unit, '-o',
                                    os.path.join(tmp, tag + '.o')],
                   check=True, stderr=subprocess.DEVNULL)
    for out in glob.glob(prefix + '*'):
        total, is_cc1 = None, False
        with open(out) as f:
            for line in f:
                if line.startswith('cmd:') and '/cc1 ' in line:
                    is_cc1 = True
                if line.startswith(('summary:', 'totals:')):
                    total = int(line.split()[1])
        if is_cc1 and total:
            return total
    sys.exit('no callgrind output of cc1 in ' + tmp)


def main(argv):
    sep = argv.index('--')
    gcc, plugin, valgrind, tree = argv[1:sep]
    flags = argv[sep + 1:]
    with_plugin = flags + ['-fplugin=' + plugin]
    units = sorted(glob.glob(os.path.join(tree, '*.c')))
    lines = sum(1 for u in units for _ in open(u))
    builds = [('without', flags), ('with', with_plugin),
              ('check', with_plugin + ['-fplugin-arg-percpu_plugin-mode=check'])]
    best = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(ROUNDS):
            for tag, f in (builds if r % 2 == 0 else builds[::-1]):
                t = compile_tree(gcc, f, units, tmp)
                best[tag] = min(best.get(tag, t), t)
        ins = {tag: cc1_instructions(gcc, f, valgrind, units[0], tmp, tag)
               for tag, f in builds}

    print('compile cost of the plugin: %d units, %d lines, %s %s'
          % (len(units), lines, os.path.basename(gcc), ' '.join(flags)))
    print('  %-26s %14s %10s %24s %8s' % ('build', 'CPU s (best)', 'ratio',
                                          'cc1 instructions', 'ratio'))
    names = {'without': 'without the plugin', 'with': 'with it (mode=lower)',
             'check': 'with it (mode=check)'}
    for tag, _ in builds:
        print('  %-26s %14.2f %10.3f %24d %8.4f'
              % (names[tag], best[tag], best[tag] / best['without'],
                 ins[tag], ins[tag] / ins['without']))
    print('  (CPU time: best of %d rounds over the tree; instructions: cc1 on %s '
          'under callgrind)' % (ROUNDS, os.path.basename(units[0])))
    # The target is judged on the instruction count: exact and repeatable.
    # CPU time is what a user feels, but on a shared machine it moves by
    # several percent from run to run whatever the plugin does.
    for tag in ('with', 'check'):
        ratio = ins[tag] / ins['without']
        print('  %-7s %s: cc1 instructions ratio <= 1.03 (%.3f; CPU time %.3f)'
              % ('met' if ratio <= 1.03 else 'MISSED', names[tag], ratio,
                 best[tag] / best['without']))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
