#!/usr/bin/env python3
"""plugin-figures.py: what the percpu-vm GCC plugin did to a Linux image.

    plugin-figures.py VMLINUX...

For each vmlinux (or module, or object), from the plugin's own records
(section .percpu.report, one JSON document per compiled unit; framing in
docs/plugin.md) and from the code:

  - units with a record, and the access sites they list by kind and by
    whether the plugin rewrote the offset-table load (`rewritten`);
  - instructions of the code that still address __per_cpu_offset
    (`objdump -d`, an absolute or indexed operand inside the table),
    which is what the lowering is meant to remove.

An image built without the plugin has no records; its table references
are the baseline (docs/linux.md, "Measured").  $OBJDUMP, $OBJCOPY and
$NM name the binutils to use (default objdump, objcopy, nm).
"""
import collections
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

MAGIC = b"PCPUREPT"  # the record framing: contract.h, docs/plugin.md
HEADER = struct.Struct("<8sHHI")


def records(path):
    """The JSON documents of path's .percpu.report section, in order."""
    objcopy = os.environ.get("OBJCOPY", "objcopy")
    # --dump-section, not -O binary: the section is not allocated, and a
    # binary image holds only allocated ones.  No section: no records.
    heads = subprocess.run([os.environ.get("OBJDUMP", "objdump"), "-h", path], check=True,
                           capture_output=True, text=True).stdout
    if not re.search(r"\s\.percpu\.report\s", heads):
        return []
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "report")
        subprocess.run([objcopy, "--dump-section", ".percpu.report=" + dump, path,
                        os.path.join(tmp, "copy")], check=True)
        with open(dump, "rb") as f:
            data = f.read()
    docs, pos = [], 0
    while pos < len(data):
        if data[pos] == 0:  # padding a linker may put between records
            pos += 1
            continue
        magic, version, encoding, length = HEADER.unpack_from(data, pos)
        if magic != MAGIC or version != 1 or encoding != 0:
            sys.exit(f"plugin-figures: {path}: section .percpu.report: bad record header at byte {pos}")
        start = pos + HEADER.size
        if start + length > len(data):
            sys.exit(f"plugin-figures: {path}: section .percpu.report: record at byte {pos} runs past the end")
        docs.append(json.loads(data[start:start + length]))
        pos = start + length
    return docs


def table_references(path):
    """Instructions of path's code with an operand inside __per_cpu_offset.

    A linked image has no relocations to name the table, and objdump
    writes an indexed operand's displacement signed
    (`-0x3ee0bae0(,%eax,4)` for 0xc11f4520), so operands are compared
    with the table's address range (nm -S), modulo the address width
    (2^32 for i386, 2^64 for x86-64).  An x86-64 RIP-relative operand
    (`0x65240a(%rip)`) is compared by the address objdump resolves it to
    in its comment (`# ffffffff81666680 <__per_cpu_offset>`)."""
    with open(path, "rb") as f:
        mask = (1 << 64) - 1 if f.read(5)[4:5] == b"\x02" else 0xffffffff
    nm = os.environ.get("NM", "nm")
    objdump = os.environ.get("OBJDUMP", "objdump")
    symbols = subprocess.run([nm, "-S", path], check=True, capture_output=True,
                             text=True).stdout
    table = [line.split() for line in symbols.splitlines()
             if line.split()[-1:] == ["__per_cpu_offset"] and len(line.split()) == 4]
    if not table:
        sys.exit(f"plugin-figures: {path}: no __per_cpu_offset symbol with a size")
    start, size = int(table[0][0], 16), int(table[0][1], 16)
    text = subprocess.run([objdump, "-d", "--no-show-raw-insn", path], check=True,
                          capture_output=True, text=True).stdout
    count = 0
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) < 2 or not re.match(r"^\s*[0-9a-f]+:$", fields[0]):
            continue
        operands, _, comment = fields[1].partition("#")
        values = [(-int(d, 16) if sign else int(d, 16)) & mask
                  for sign, d in re.findall(r"(-?)0x([0-9a-f]+)", operands)]
        values += [int(d, 16) for d in re.findall(r"^\s*([0-9a-f]+) <", comment)]
        for value in values:
            if start <= value < start + size:
                count += 1
                break
    return count


def main(paths):
    if not paths:
        sys.exit("usage: plugin-figures.py VMLINUX...")
    for path in paths:
        docs = records(path)
        sites = collections.Counter()
        for doc in docs:
            for access in doc["accesses"]:
                sites[(access["kind"], access["rewritten"])] += 1
        lowered = sum(n for (_, rewritten), n in sites.items() if rewritten)
        print(f"{path}:")
        print(f"  units with a record: {len(docs)}"
              f" ({sum(1 for d in docs if d['accesses'])} with access sites)")
        print(f"  access sites: {sum(sites.values())}, offset-table loads lowered at {lowered}")
        for (kind, rewritten), n in sorted(sites.items()):
            print(f"    {kind:<13} {'rewritten' if rewritten else 'unchanged':<9} {n}")
        print(f"  instructions addressing __per_cpu_offset: {table_references(path)}")


if __name__ == "__main__":
    main(sys.argv[1:])
