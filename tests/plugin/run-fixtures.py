#!/usr/bin/env python3
"""tests/plugin/run-fixtures.py: compile C fixtures with the percpu plugin
and compare GCC's diagnostics with the ones the fixture expects.

A fixture states what it expects in comments on the line a diagnostic
belongs to:

    per_cpu(x, 64);   /* expect-error: is out of range */
    y = x;            // expect-warning: read directly
    DEFINE_PER_CPU(int, x);  // expect-note: defined here

The text after the colon must occur in the message.  A diagnostic belongs
to the fixture line GCC leads the reader to: its own line when it is in the
fixture, else the outermost "in expansion of macro" note in the fixture
(the per_cpu() the user wrote), else the fixture line that includes the
header it is in.  Errors and warnings are matched strictly (every expected
one present on its line, none extra); so are notes, except the structural
"in expansion of"/"in definition of macro" ones.  A fixture that expects an
error must fail to compile, one that expects none must compile.

Other directives, anywhere in the fixture:
    fixture-flags: FLAGS          extra compiler flags
    fixture-plugin-args: A B      -fplugin-arg-percpu_plugin-A ...
    fixture-opt-levels: -O0 -O2   the levels to compile at (default -O0 -O2)

Usage: run-fixtures.py --gcc GCC --plugin SO [--flag F]... FIXTURE...
Exit 0 when every fixture matches, 1 otherwise.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys

DIAG = re.compile(r'^(.*?):(\d+):(\d+): (fatal error|error|warning|note): (.*)$')
NOLOC = re.compile(r'^(cc1|cc1plus|lto1|gcc[-0-9.]*): (fatal error|error|warning|note): (.*)$')
INCLUDED = re.compile(r'^(?:In file included|\s+) from (.*?):(\d+)[:,]$')
EXPECT = re.compile(r'expect-(error|warning|note):\s*(.*?)\s*(?:\*/|$)')
STRUCTURAL = re.compile(r'^(in expansion of macro|in definition of macro)')


def parse_fixture(path):
    expected, flags, plugin_args, levels = [], [], [], ['-O0', '-O2']
    with open(path, encoding='utf-8') as f:
        for lineno, text in enumerate(f, 1):
            for m in EXPECT.finditer(text):
                expected.append((lineno, m.group(1), m.group(2)))
            m = re.search(r'fixture-flags:\s*(.*?)\s*(?:\*/|$)', text)
            if m:
                flags += shlex.split(m.group(1))
            m = re.search(r'fixture-plugin-args:\s*(.*?)\s*(?:\*/|$)', text)
            if m:
                plugin_args += m.group(1).split()
            m = re.search(r'fixture-opt-levels:\s*(.*?)\s*(?:\*/|$)', text)
            if m:
                levels = m.group(1).split()
    return expected, flags, plugin_args, levels


def same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def parse_output(text, fixture):
    """[(line, kind, message)] with line 0 for unattributable ones."""
    diags = []          # dicts: kind, msg, line, file_line
    include_line = 0    # fixture line including the current header
    current = None      # last error/warning, for its expansion notes
    for raw in text.splitlines():
        m = INCLUDED.match(raw)
        if m:
            if same_file(m.group(1), fixture):
                include_line = int(m.group(2))
            continue
        m = NOLOC.match(raw)
        if m:
            diags.append({'kind': m.group(2).replace('fatal ', ''),
                          'msg': m.group(3), 'line': 0})
            current = None
            continue
        m = DIAG.match(raw)
        if not m:
            continue
        path, line, kind, msg = m.group(1), int(m.group(2)), m.group(4), m.group(5)
        kind = kind.replace('fatal ', '')
        in_fixture = same_file(path, fixture)
        if kind == 'note' and STRUCTURAL.match(msg):
            # Leads the reader from a header line to the user's line:
            # the outermost one in the fixture wins.
            if current is not None and in_fixture:
                current['line'] = line
            continue
        d = {'kind': kind, 'msg': msg,
             'line': line if in_fixture else include_line}
        diags.append(d)
        # Notes carry their own location; only errors and warnings take
        # the expansion notes that follow them.
        current = d if kind != 'note' else None
        if in_fixture:
            include_line = 0
    return [(d['line'], d['kind'], d['msg']) for d in diags]


def match(expected, got):
    """Pair expectations with diagnostics; return (missing, extra)."""
    remaining = list(got)
    missing = []
    for (line, kind, text) in expected:
        for i, (gl, gk, gm) in enumerate(remaining):
            if gl == line and gk == kind and text in gm:
                del remaining[i]
                break
        else:
            missing.append((line, kind, text))
    return missing, remaining


def run_one(args, fixture):
    expected, flags, plugin_args, levels = parse_fixture(fixture)
    want_error = any(k == 'error' for (_, k, _) in expected)
    ok = True
    for level in levels:
        cmd = [args.gcc, '-c', '-o', os.devnull, '-fchecking',
               '-fdiagnostics-color=never', '-fno-diagnostics-show-caret',
               '-Wall', '-Wextra', level, '-fplugin=' + args.plugin]
        cmd += ['-fplugin-arg-percpu_plugin-' + a for a in plugin_args]
        cmd += args.flag + flags + [fixture]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True,
                              env=dict(os.environ, LC_ALL='C'))
        got = parse_output(proc.stdout, fixture)
        missing, extra = match(expected, got)
        problems = []
        for (line, kind, text) in missing:
            problems.append('missing %s on line %d: "%s"' % (kind, line, text))
        for (line, kind, msg) in extra:
            where = 'line %d' % line if line else 'no fixture line'
            problems.append('unexpected %s (%s): %s' % (kind, where, msg))
        if want_error and proc.returncode == 0:
            problems.append('compiled although errors were expected')
        if not want_error and proc.returncode != 0:
            problems.append('failed to compile (exit %d)' % proc.returncode)
        name = '%s %s %s' % (os.path.basename(args.gcc), level,
                             os.path.basename(fixture))
        if problems:
            ok = False
            print('FAIL: %s' % name)
            for p in problems:
                print('    ' + p)
            print('    command: ' + ' '.join(shlex.quote(c) for c in cmd))
            print('    output:\n' + '\n'.join('      ' + l for l in proc.stdout.splitlines()))
        else:
            print('ok: %s (%d diagnostics as expected)' % (name, len(expected)))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--gcc', required=True)
    ap.add_argument('--plugin', required=True)
    ap.add_argument('--flag', action='append', default=[],
                    help='a flag for every compile (repeatable)')
    ap.add_argument('fixtures', nargs='+')
    args = ap.parse_args()
    results = [run_one(args, f) for f in args.fixtures]
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
