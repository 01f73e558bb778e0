#!/usr/bin/env python3
"""tests/plugin/validate-report.py SCHEMA REPORT...: validate percpu plugin
reports against report-schema.json.

Implements the part of JSON Schema the schema uses (type, enum, required,
properties, additionalProperties, items, minimum), with no third-party
package.  Prints each violation with its JSON path; exit 1 if any.
"""
import json
import sys

TYPES = {
    'object': lambda v: isinstance(v, dict),
    'array': lambda v: isinstance(v, list),
    'string': lambda v: isinstance(v, str),
    'integer': lambda v: isinstance(v, int) and not isinstance(v, bool),
    'number': lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    'boolean': lambda v: isinstance(v, bool),
    'null': lambda v: v is None,
}
KNOWN = {'type', 'enum', 'required', 'properties', 'additionalProperties',
         'items', 'minimum', '$comment'}


def validate(schema, value, path, errors):
    unknown = set(schema) - KNOWN
    if unknown:
        raise SystemExit('schema at %s uses unsupported keywords %s' % (path, sorted(unknown)))
    if 'type' in schema:
        types = schema['type'] if isinstance(schema['type'], list) else [schema['type']]
        if not any(TYPES[t](value) for t in types):
            errors.append('%s: %r is not of type %s' % (path, value, ' or '.join(types)))
            return
    if 'enum' in schema and value not in schema['enum']:
        errors.append('%s: %r is not one of %r' % (path, value, schema['enum']))
    if 'minimum' in schema and TYPES['number'](value) and value < schema['minimum']:
        errors.append('%s: %r is less than %r' % (path, value, schema['minimum']))
    if isinstance(value, dict):
        for key in schema.get('required', []):
            if key not in value:
                errors.append('%s: missing %r' % (path, key))
        props = schema.get('properties', {})
        for key, sub in value.items():
            if key in props:
                validate(props[key], sub, '%s.%s' % (path, key), errors)
            elif schema.get('additionalProperties', True) is False:
                errors.append('%s: unexpected %r' % (path, key))
    if isinstance(value, list) and 'items' in schema:
        for i, sub in enumerate(value):
            validate(schema['items'], sub, '%s[%d]' % (path, i), errors)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        schema = json.load(f)
    status = 0
    for report in argv[2:]:
        try:
            with open(report) as f:
                value = json.load(f)
        except (OSError, ValueError) as e:
            print('%s: not valid JSON: %s' % (report, e))
            status = 1
            continue
        errors = []
        validate(schema, value, '$', errors)
        for e in errors:
            print('%s: %s' % (report, e))
        if errors:
            status = 1
        else:
            print('%s: valid' % report)
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv))
