#!/bin/bash
# percpu-layout on x86-64: a -mcmodel=kernel image linked in the top 2 GiB
# (fixtures/x86_64-kernel.lds, the window at 0xffffffffc0000000, above
# 2^63) and an `ld -r` module, by GNU ld and by ld.lld:
#   - text and JSON against expected/x86_64.{txt,json} (one file for both
#     linkers), addresses printed in full, the JSON valid against the schema;
#   - the JSON read as a double-keeping reader would (every integer a
#     float) is the same document: integers below 2^53, addresses strings;
#     an address above 2^53 and one above 2^63 come out exact;
#   - every variable's offset and size against nm -S;
#   - --check: clean, then window-overflow, stray-section, mixed-strides
#     and outside-section on x86-64 inputs;
#   - the SVG (check-svg.py);
#   - bad input: a truncated image, one line naming the file.
# The units use their own accessors (tests/plugin/code/x86_64-accessors.h):
# the kernel-glue x86-64 headers are not this test's subject.
. "$top_srcdir/tests/layout/layout-lib.sh"

o=$layout_tmp/obj c=$layout_tmp/check
mkdir -p "$o" "$c" "$layout_tmp/ld" "$layout_tmp/lld"
window_base=0xffffffffc0000000
test_config "$layout_tmp/config64" 20 64 $window_base ||
	{ echo "FAIL: test_config" >&2; exit 1; }

x86_64_cflags="-m64 -mcmodel=kernel -mno-red-zone -fno-pie -fno-pic -ffreestanding \
-fno-asynchronous-unwind-tables -fno-stack-protector -O2 -Wall -Wextra -Werror \
-I$top_srcdir/tests/plugin/code"
# x86_64_cc SRC OBJ SHIFT: a fixture with the plugin, its report beside it.
x86_64_cc () {
	(cd "$LAYOUT_FIXTURES" && $PLUGIN_GCC $x86_64_cflags -DTEST_SHIFT="$3" \
		-fplugin="$LAYOUT_PLUGIN" -fplugin-arg-percpu_plugin-embed-report=no \
		-fplugin-arg-percpu_plugin-report="$layout_tmp/reports/${1%.c}.json" \
		-c "$1" -o "$2")
}
mkdir -p "$layout_tmp/reports"
x86_64_cc x86_64-kern.c "$o/kern.o" 20 &&
x86_64_cc x86_64-mod.c "$o/mod.o" 20 &&
x86_64_cc x86_64-mod.c "$o/mod16.o" 16 || { echo "FAIL: compiling the fixtures" >&2; exit 1; }
for pair in "ld:$GNU_LD" "lld:$LD_LLD"; do
	d=$layout_tmp/${pair%%:*} ld=${pair#*:}
	"$ld" -m elf_x86_64 -L "$layout_tmp/config64" -L "$top_srcdir/ldscripts" \
		-T "$LAYOUT_FIXTURES/x86_64-kernel.lds" "$o/kern.o" -o "$d/kernel.elf" &&
	"$ld" -m elf_x86_64 -r -L "$layout_tmp/config64" -T "$top_srcdir/ldscripts/module.lds" \
		"$o/mod.o" -o "$d/net.ko" &&
	"$ld" -m elf_x86_64 -r -L "$layout_tmp/config64" -T "$top_srcdir/ldscripts/module.lds" \
		"$o/mod16.o" -o "$d/net16.ko" ||
		{ echo "FAIL: linking the fixtures with $ld" >&2; exit 1; }
done

cases="x86_64.txt:kernel.elf net.ko
x86_64.json:--json kernel.elf net.ko
x86_64-reports.txt:--reports ../reports kernel.elf net.ko"
while IFS= read -r case; do
	name=${case%%:*} args=${case#*:}
	for linker in ld lld; do
		# shellcheck disable=SC2086
		layout_run "$layout_tmp/$linker" $args
		if [ "$layout_status" -ne 0 ] || [ -s "$layout_err" ]; then
			fail "$name ($linker): exit $layout_status: $(cat "$layout_err")"
			continue
		fi
		if [ "${LAYOUT_GOLDEN_UPDATE:-}" = 1 ] && [ $linker = ld ]; then
			cp "$layout_out" "$LAYOUT_GOLDEN/$name"
		fi
		layout_golden "$name" "$linker"
	done
done <<< "$cases"

# The JSON: schema, exact for a double-keeping reader, against nm -S.
for linker in ld lld; do
	d=$layout_tmp/$linker
	layout_run "$d" --json kernel.elf net.ko
	$NM -S "$d/kernel.elf" > "$layout_tmp/nm"
	"$PYTHON3" - "$layout_out" "$top_srcdir/tests/layout/layout-schema.json" \
		"$layout_tmp/nm" $window_base <<'PY' && pass "JSON ($linker): schema, doubles, nm -S" || fail "JSON ($linker)"
import json, sys, jsonschema
text = open(sys.argv[1]).read()
layout = json.loads(text)
jsonschema.validate(layout, json.load(open(sys.argv[2])))
# A reader that keeps every number in a double (JavaScript, jq 1.6) reads
# the same values: nothing in the document is an integer of 2^53 or more
# (a page-aligned address would survive a double by luck; the bound is
# what makes every value safe).
assert json.loads(text, parse_int=float) == layout, "a double-keeping reader differs"
def ints(x):
    if isinstance(x, dict): return [i for v in x.values() for i in ints(v)]
    if isinstance(x, list): return [i for v in x for i in ints(v)]
    return [x] if isinstance(x, int) and not isinstance(x, bool) else []
assert all(0 <= i < 2**53 and float(i) == i for i in ints(layout))
syms, marker = set(), {}
for line in open(sys.argv[3]):
    f = line.split()
    if len(f) == 4: syms.add((f[3], int(f[0], 16), int(f[1], 16)))
    elif len(f) == 3: marker[f[2]] = int(f[0], 16)
start = marker["__per_cpu_start"]
assert start == int(sys.argv[4], 16) and start >= 2**63
assert layout["window"]["base"] == "0x%x" % start, layout["window"]["base"]
kernel = layout["files"][0]
assert kernel["area"]["link_address"] == "0x%x" % start
assert kernel["area"]["size"] == marker["__per_cpu_end"] - start
for v in kernel["variables"]:
    assert (v["name"], start + v["offset"], v["size"]) in syms, v
PY
done

# An address above 2^53 (below 2^63) comes out exact too, in text and JSON.
d=$layout_tmp/ld
layout_run "$d" --json --base 0x20000000001000 net.ko
grep -q '"base": "0x20000000001000"' "$layout_out" && pass "--base 2^53 + 4096 exact in JSON" \
	|| fail "--base 2^53 + 4096 in JSON: $(grep -o '"base": [^,]*' "$layout_out")"
layout_run "$d" --base 0x20000000001000 net.ko
grep -q '^base: 0x20000000001000 (from option)' "$layout_out" && pass "--base 2^53 + 4096 exact in text" \
	|| fail "--base 2^53 + 4096 in text: $(grep '^base' "$layout_out")"

# --check on x86-64 inputs: each problem names the file.
cp "$d/kernel.elf" "$d/net.ko" "$d/net16.ko" "$c/"
$CC -m64 -c "$LAYOUT_FIXTURES/overhang.s" -o "$c/overhang.o"
# expect_check NAME STATUS PATTERN ARGS...: --check's status, and its
# problem lines (if any) all match PATTERN.
expect_check () {
	local name=$1 want=$2 pattern=$3
	shift 3
	layout_run "$c" --check "$@"
	if [ "$layout_status" -ne "$want" ] || [ -s "$layout_out" ] ||
	   { [ "$want" = 0 ] && [ -s "$layout_err" ]; } ||
	   { [ "$want" != 0 ] && grep -v -q -E "$pattern" "$layout_err"; }; then
		fail "$name: exit $layout_status, want $want and lines like '$pattern': $(cat "$layout_err")"
	else
		pass "$name: exit $want $(head -1 "$layout_err")"
	fi
}
expect_check "kernel and module" 0 "" kernel.elf net.ko
expect_check "window past 2^64" 1 \
	"^percpu-layout: kernel.elf: the per-CPU window at 0xffffffffc0000000 .* 64-bit address space: from CPU 1024 on, .*\[window-overflow\]$" \
	--nr-cpus 2048 kernel.elf
expect_check "window over the kernel's text" 1 \
	"^percpu-layout: kernel.elf: section [.a-z]+ \(0xffffffff8000[0-9a-f]{4}\.\.0xffffffff8000[0-9a-f]{4}\) lies in the per-CPU window \(0xffffffff80000000\.\.0xffffffff84000000\): CPU 0's copy would overlap it \[stray-section\]$" \
	--base 0xffffffff80000000 kernel.elf
expect_check "a module of another stride" 1 \
	"^percpu-layout: net16.ko: built for shift 16, but kernel.elf for shift 20 \[mixed-strides\]$" \
	kernel.elf net16.ko
expect_check "a symbol past its section" 1 "^percpu-layout: overhang.o: .*\[outside-section\]$" \
	kernel.elf overhang.o

# The picture.
layout_run "$d" --json --svg picture.svg kernel.elf net.ko
if [ "$layout_status" -eq 0 ] &&
   "$PYTHON3" "$top_srcdir/tests/layout/check-svg.py" "$d/picture.svg" "$layout_out"; then
	pass "--svg: every variable and area named"
else
	fail "--svg: exit $layout_status $(cat "$layout_err")"
fi

# Bad input: one line naming the file (and the section), exit 2.
# expect_error FILE PATTERN
expect_error () {
	layout_run "$c" "$1"
	if [ "$layout_status" -eq 2 ] && [ ! -s "$layout_out" ] && [ "$(wc -l < "$layout_err")" -eq 1 ] &&
	   grep -q -E "^percpu-layout: $1: $2" "$layout_err"; then
		pass "$1: $(cat "$layout_err")"
	else
		fail "$1: exit $layout_status, want 2 and '$2': $(cat "$layout_err")"
	fi
}
# corrupt64 SRC DST SECTION FIELD VALUE: an Elf64_Shdr field rewritten.
corrupt64 () {
	"$PYTHON3" - "$@" <<'PY'
import struct, sys
src, dst, section, field, value = sys.argv[1:6]
b = bytearray(open(src, "rb").read())
shoff, = struct.unpack_from("<Q", b, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x3a)
def sh(i): return shoff + i * shentsize
stroff, = struct.unpack_from("<Q", b, sh(shstrndx) + 24)
def name(i):
    n, = struct.unpack_from("<I", b, sh(i))
    return bytes(b[stroff + n:b.index(b"\0", stroff + n)]).decode()
i = [j for j in range(shnum) if name(j) == section][0]
struct.pack_into("<Q", b, sh(i) + {"offset": 24, "size": 32}[field], int(value, 0))
open(dst, "wb").write(b)
PY
}
corrupt64 "$d/net.ko" "$c/data-size.ko" .data.percpu size 0x10000000000
expect_error data-size.ko "section .data.percpu: .*run past the end of the file|truncated or corrupt ELF \(libbfd: has a section extending past end of file\)"
corrupt64 "$d/kernel.elf" "$c/note-size.elf" .note.percpu size 0x8
expect_error note-size.elf "section .note.percpu: .*"
# A truncated image.
head -c 3000 "$d/kernel.elf" > "$c/truncated.elf"
layout_run "$c" truncated.elf
if [ "$layout_status" -eq 2 ] && [ ! -s "$layout_out" ] && [ "$(wc -l < "$layout_err")" -eq 1 ] &&
   grep -q '^percpu-layout: truncated.elf: ' "$layout_err"; then
	pass "truncated image: $(cat "$layout_err")"
else
	fail "truncated image: exit $layout_status: $(cat "$layout_err")"
fi
finish
