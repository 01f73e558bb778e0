#!/usr/bin/env python3
"""tests/plugin/check-report.py REPORT SOURCE MODE: the report of
code/report-unit.c says what the unit contains (beyond the schema)."""
import json
import sys

report_path, source, mode = sys.argv[1:4]
with open(report_path) as f:
    report = json.load(f)
lines = open(source).read().splitlines()
problems = []


def line_of(text):
    return next(i + 1 for i, l in enumerate(lines) if text in l)


def expect(cond, what):
    if not cond:
        problems.append(what)


expect(report['mode'] == mode, 'mode %r, want %r' % (report['mode'], mode))
variables = {v['name']: v for v in report['variables']}
# Zero-initialised variables move to .bss.percpu in mode=lower only:
# mode=check changes nothing in the object, and reports where they are.
zero_section = '.bss.percpu' if mode == 'lower' else '.data.percpu'
want_vars = {
    # name: (size, section, defined, global)
    'counter': (4, zero_section, True, True),
    'initialised': (4, '.data.percpu', True, True),
    'big': (64, zero_section, True, True),
    'elsewhere': (4, '.data.percpu', False, True),
    'hidden': (2, zero_section, True, False),
}
for name, (size, section, defined, public) in want_vars.items():
    v = variables.get(name)
    if v is None:
        problems.append('variable %s missing' % name)
        continue
    got = (v['size'], v['section'], v['defined'], v['global'])
    expect(got == (size, section, defined, public),
           '%s: (size, section, defined, global) = %r, want %r' % (name, got, (size, section, defined, public)))
    expect(v['line'] == line_of(' ' + name + ')') and v['file'].endswith('report-unit.c'),
           '%s: at %s:%d' % (name, v['file'], v['line']))
expect(set(variables) == set(want_vars), 'variables %r' % sorted(variables))

lowered = mode == 'lower'
want_sites = [
    # function, kind, variable, cpu, rewritten
    ('remote', 'variable-cpu', 'counter', None, lowered),
    ('constant', 'constant-cpu', 'initialised', 3, lowered),
    ('this_one', 'this-cpu', 'counter', None, False),
    ('dynamic', 'variable-cpu', None, None, lowered),
    ('others', 'variable-cpu', 'big', None, lowered),
    ('others', 'constant-cpu', 'elsewhere', 1, lowered),
    ('others', 'variable-cpu', 'hidden', None, lowered),
    ('bump', 'this-cpu', 'counter', None, False),
    ('add_const', 'constant-cpu', 'initialised', 2, lowered),
    ('pointer_form', 'variable-cpu', 'counter', None, lowered),
    ('hidden_remote', 'variable-cpu', 'counter', None, lowered),
    ('hidden_constant', 'constant-cpu', 'initialised', 4, lowered),
]
got_sites = [(a['function'], a['kind'], a['variable'], a['cpu'], a['rewritten'])
             for a in report['accesses']]
for site in want_sites:
    if site not in got_sites:
        problems.append('access %r missing' % (site,))
    else:
        got_sites.remove(site)
# this_cpu_read on i386 is a switch on the size: the 8-byte case is a
# second asm naming the variable (dead code, removed later), from the same
# place; a site is reported once, so nothing is left over.
expect(not got_sites, 'unexpected accesses %r' % got_sites)
keys = [json.dumps(a, sort_keys=True) for a in report['accesses']]
expect(len(keys) == len(set(keys)), 'an access site is reported twice')
for a in report['accesses']:
    fn_line = line_of(a['function'] + '(')
    expect(a['line'] == fn_line and a['file'].endswith('report-unit.c'),
           '%s access at %s:%d, want line %d' % (a['function'], a['file'], a['line'], fn_line))

for p in problems:
    print('report: ' + p)
sys.exit(1 if problems else 0)
