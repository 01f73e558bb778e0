#!/bin/bash
# Golden outputs: text and JSON of percpu-layout on a kernel linked with
# ldscripts/kernel-i386.lds and modules linked with ldscripts/module.lds,
# by GNU ld and by ld.lld (the same golden file for both), with and without
# the plugin's reports.  Then, independently of the golden files, every
# variable's offset and size are checked against nm -S.
#
# To regenerate after an intended change of the output:
#   LAYOUT_GOLDEN_UPDATE=1 make check TESTS=tests/layout/golden.sh
# and review the diff.
. "$top_srcdir/tests/layout/layout-lib.sh"

layout_build_fixtures

# A Linux-style image (.data..percpu naming, Linux's section order).
for pair in "ld:$GNU_LD" "lld:$LD_LLD"; do
	layout_cc_plain linux-percpu.c "$layout_tmp/obj/linux-percpu.o" &&
	"${pair#*:}" -m elf_i386 -T "$LAYOUT_FIXTURES/linux-vmlinux.lds" \
		"$layout_tmp/obj/linux-percpu.o" -o "$layout_tmp/${pair%%:*}/vmlinux" ||
		fail "linking the Linux-style image with ${pair#*:}"
done

cases="kernel.txt:kernel.elf
linux.txt:--check --text --shift 20 --nr-cpus 64 vmlinux
linux.json:--json --shift 20 --nr-cpus 64 vmlinux
kernel.json:--json kernel.elf
kernel-modules.txt:kernel.elf net.ko fs.ko
kernel-modules.json:--json kernel.elf net.ko fs.ko
modules.txt:--nr-cpus 64 --base 0xc0000000 net.ko fs.ko
dynamic.txt:--dynamic 100 --dynamic 8192:4096 kernel.elf net.ko fs.ko
dynamic.json:--json --dynamic 100 --dynamic 8192:4096 kernel.elf net.ko fs.ko
reports.txt:--reports ../reports kernel.elf net.ko fs.ko
reports.json:--json --reports ../reports kernel.elf net.ko fs.ko"

while IFS= read -r c; do
	name=${c%%:*} args=${c#*:}
	for linker in ld lld; do
		# shellcheck disable=SC2086
		layout_run "$layout_tmp/$linker" $args
		if [ "$layout_status" -ne 0 ] || [ -s "$layout_err" ]; then
			fail "$name ($linker): exit $layout_status: $(cat "$layout_err")"
			continue
		fi
		case $name in *.json)
			# valid JSON, and valid against the documented schema
			"$PYTHON3" -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
' "$layout_out" "$top_srcdir/tests/layout/layout-schema.json" ||
				fail "$name ($linker): not valid against layout-schema.json" ;;
		esac
		if [ "${LAYOUT_GOLDEN_UPDATE:-}" = 1 ] && [ $linker = ld ]; then
			cp "$layout_out" "$LAYOUT_GOLDEN/$name"
		fi
		layout_golden "$name" "$linker"
	done
done <<< "$cases"

# The reports found through a nested directory with a link back to its
# parent (walked once, not in a loop) give the same output.
mkdir -p "$layout_tmp/nested/a/b"
cp "$layout_tmp"/reports/*.json "$layout_tmp/nested/a/b/"
ln -s .. "$layout_tmp/nested/a/b/up"
layout_run "$layout_tmp/ld" --reports ../nested kernel.elf net.ko fs.ko
if [ "$layout_status" -eq 0 ] && diff -q "$LAYOUT_GOLDEN/reports.txt" "$layout_out" > /dev/null; then
	pass "reports from a nested directory with a link loop"
else
	fail "reports from a nested directory: exit $layout_status $(cat "$layout_err")"
fi

# Offsets and sizes against nm -S: address - __per_cpu_start, st_size.
for linker in ld lld; do
	d=$layout_tmp/$linker
	layout_run "$d" --json kernel.elf net.ko fs.ko
	$NM -S "$d/kernel.elf" > "$layout_tmp/nm-kernel"
	"$PYTHON3" - "$layout_out" "$layout_tmp/nm-kernel" <<'PY' || fail "offsets and sizes against nm -S ($linker)"
import json, sys
layout = json.load(open(sys.argv[1]))
syms = set()      # (name, address, size): names repeat (statics of two units)
marker = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) == 4:
        syms.add((f[3], int(f[0], 16), int(f[1], 16)))
    elif len(f) == 3:
        marker[f[2]] = int(f[0], 16)
start = marker["__per_cpu_start"]
end = marker["__per_cpu_end"]
kernel = layout["files"][0]
assert kernel["role"] == "kernel" and kernel["area"]["offset"] == 0
assert int(layout["window"]["base"], 16) == start, (layout["window"]["base"], start)
assert kernel["area"]["size"] == end - start
assert kernel["area"]["init_size"] == marker["__per_cpu_data_end"] - start
listed = set()
for v in kernel["variables"]:
    key = (v["name"], start + v["offset"], v["size"])
    assert key in syms, key
    listed.add(key)
# every nm symbol with a size inside [__per_cpu_start, __per_cpu_end) is listed
for s in syms:
    if start <= s[1] < end:
        assert s in listed, s
names = listed
# modules follow the kernel, each at its alignment, without overlapping
prev_end = kernel["area"]["size"]
for m in layout["files"][1:]:
    a = m["area"]
    assert a["placed"] and a["offset"] >= prev_end and a["offset"] % a["align"] == 0, m
    prev_end = a["offset"] + a["size"]
pages = set()
for f in layout["files"]:
    a = f["area"]
    pages.update(range(a["offset"] // 4096, (a["offset"] + a["size"] - 1) // 4096 + 1))
assert layout["window"]["pages_per_cpu"] == len(pages)
print("nm agrees:", len(names), "kernel variables")
PY
done
finish
