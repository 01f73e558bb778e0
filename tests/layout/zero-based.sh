#!/bin/bash
# percpu-layout on a zero-based x86-64 image (percpu.lds with
# PERCPU_LAYOUT_ZERO_BASED = 1, Linux 6.1 x86-64's layout: the per-CPU
# section linked at 0, the window in PERCPU_BASE), built from the linker
# tests' kern-zero-based.c with the plugin and kernel-zero-based.lds, by
# GNU ld and by ld.lld:
#   - --check passes (no "linked with PERCPU_BASE ... start at 0");
#   - text and JSON say zero-based, the window base is the image's
#     PERCPU_BASE (from image), offsets and sizes match nm -S (a symbol's
#     value is its offset), link_address 0, the JSON valid to the schema;
#   - without the image's PERCPU_* symbols the image is still zero-based
#     (sections at 0), the window the configured x86-64 one;
#   - bad images: data built for a 1 MiB stride linked with a 2 MiB
#     configuration (over-stride, mixed-strides), objects of two strides
#     (mixed-strides), a section aligned beyond a page (placement), the
#     window over the kernel's code (stray-section).
. "$top_srcdir/tests/layout/layout-lib.sh"

o=$layout_tmp/obj c=$layout_tmp/check
mkdir -p "$o" "$c" "$layout_tmp/ld" "$layout_tmp/lld"
window=$PERCPU_X86_64_BASE
test_config "$layout_tmp/config20" 20 64 0xc0000000 &&
test_config "$layout_tmp/config21" 21 64 0xc0000000 || { echo "FAIL: test_config" >&2; exit 1; }
src=$top_srcdir/tests/linker/kern-zero-based.c
script=$top_srcdir/tests/linker/kernel-zero-based.lds
# zb_cc OBJ [FLAGS...]: kern-zero-based.c with the plugin, shift 20.
zb_cc () {
	local obj=$1
	shift
	$PLUGIN_GCC -m64 -mcmodel=kernel -mno-red-zone -fno-pie -fno-pic -ffreestanding \
		-fno-asynchronous-unwind-tables -fno-stack-protector -O2 -Wall -Wextra -Werror \
		-DCONFIG_HAS_VM_PERCPU -I"$layout_tmp/config20" -I"$top_srcdir/kernel-glue/include" \
		-fplugin="$LAYOUT_PLUGIN" -fplugin-arg-percpu_plugin-embed-report=no \
		"$@" -c "$src" -o "$obj"
}
# zb_link LD CONFIG OUT OBJS...
zb_link () {
	local ld=$1 config=$2 out=$3
	shift 3
	"$ld" -m elf_x86_64 --orphan-handling=error -L "$config" -L "$top_srcdir/ldscripts" \
		-T "$script" "$@" -o "$out"
}
zb_cc "$o/zb.o" &&
zb_cc "$o/zb-big.o" -DZB_BIG_BYTES=$((600 << 10)) || { echo "FAIL: compiling $src" >&2; exit 1; }
# 600 KiB more per-CPU data (no note): with zb-big.o's 600 KiB, more than a
# 1 MiB stride holds (the plugin refuses a single variable that big).
printf '.section .bss.percpu,"aw",@nobits\n.globl zb_more\nzb_more: .skip %d\n.section .note.GNU-stack,"",@progbits\n' $((600 << 10)) > "$o/more.s"
$CC -m64 -c "$o/more.s" -o "$o/more.o" &&
$CC -m64 -DSHIFT=16 -c "$top_srcdir/tests/linker/stride-note.S" -o "$o/note16.o" ||
	{ echo "FAIL: assembling the fixtures" >&2; exit 1; }
for pair in "ld:$GNU_LD" "lld:$LD_LLD"; do
	d=$layout_tmp/${pair%%:*} ld=${pair#*:}
	zb_link "$ld" "$layout_tmp/config20" "$d/zb.elf" "$o/zb.o" &&
	zb_link "$ld" "$layout_tmp/config21" "$d/big.elf" "$o/zb-big.o" "$o/more.o" &&
	zb_link "$ld" "$layout_tmp/config20" "$d/two-strides.elf" "$o/zb.o" "$o/note16.o" ||
		{ echo "FAIL: linking the fixtures with $ld" >&2; exit 1; }
	"$OBJCOPY" $(for s in PERCPU_BASE PERCPU_I386_BASE PERCPU_X86_64_BASE PERCPU_LAYOUT_ZERO_BASED \
		PERCPU_WINDOW_END; do echo "-N $s"; done) "$d/zb.elf" "$d/bare.elf" ||
		{ echo "FAIL: objcopy" >&2; exit 1; }
done

for linker in ld lld; do
	d=$layout_tmp/$linker
	layout_run "$d" --check zb.elf
	if [ "$layout_status" -ne 0 ] || [ -s "$layout_out" ] || [ -s "$layout_err" ]; then
		fail "--check zb.elf ($linker): exit $layout_status: $(cat "$layout_err")"
	else
		pass "--check zb.elf ($linker): no problems"
	fi
	layout_run "$d" zb.elf
	for want in "^  zero-based: per-CPU sections linked at 0x0, a variable's address is its offset" \
		"^base: $window \\(from image\\); CPU n's copy at base \\+ n \\* stride$" \
		"^  lands at: offset 0x0\\.\\.0x[0-9a-f]+ of the stride, CPU 0 address $window$" \
		"^problems: none$"; do
		grep -q -E "$want" "$layout_out" && pass "text ($linker): /$want/" ||
			fail "text ($linker): no line like /$want/ in: $(cat "$layout_out" "$layout_err")"
	done
	for f in zb.elf:image bare.elf:configure; do
		layout_run "$d" --json "${f%%:*}"
		$NM -S "$d/${f%%:*}" > "$layout_tmp/nm"
		"$PYTHON3" - "$layout_out" "$top_srcdir/tests/layout/layout-schema.json" \
			"$layout_tmp/nm" "$window" "${f#*:}" <<'PY' && pass "JSON ${f%%:*} ($linker)" || fail "JSON ${f%%:*} ($linker)"
import json, sys, jsonschema
layout = json.load(open(sys.argv[1]))
jsonschema.validate(layout, json.load(open(sys.argv[2])))
window, source = sys.argv[4], sys.argv[5]
syms, marker = set(), {}
for line in open(sys.argv[3]):
    f = line.split()
    if len(f) == 4: syms.add((f[3], int(f[0], 16), int(f[1], 16)))
    elif len(f) == 3: marker[f[2]] = int(f[0], 16)
assert marker["__per_cpu_start"] == 0, marker
w = layout["window"]
assert (w["base"], w["base_source"]) == ("0x%x" % int(window, 16), source), w
kernel = layout["files"][0]
assert kernel["zero_based"] is True, kernel
assert kernel["area"]["link_address"] == "0x0", kernel["area"]
assert kernel["area"]["offset"] == 0 and kernel["area"]["placed"], kernel["area"]
assert kernel["area"]["size"] == marker["__per_cpu_end"], (kernel["area"], marker)
assert kernel["area"]["init_size"] == marker["__per_cpu_data_end"], (kernel["area"], marker)
names = set()
for v in kernel["variables"]:
    assert (v["name"], v["offset"], v["size"]) in syms, v   # the value is the offset
    names.add(v["name"])
assert {"zb_page", "zb_counter", "zb_array", "zb_zero", "zb_mostly"} <= names, names
assert layout["problems"] == [], layout["problems"]
PY
	done
done

# Bad images (GNU ld's; ld.lld's give the same layouts): each problem.
d=$layout_tmp/ld
cp "$d/zb.elf" "$d/big.elf" "$d/two-strides.elf" "$c/"
# The .data.percpu section header's sh_addralign set to 8192: what a link
# without percpu.lds's alignment check gives.
"$PYTHON3" - "$d/zb.elf" "$c/overaligned.elf" <<'PY' || fail "patching sh_addralign"
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
shoff, = struct.unpack_from("<Q", b, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x3a)
stroff, = struct.unpack_from("<Q", b, shoff + shstrndx * shentsize + 24)
for i in range(shnum):
    sh = shoff + i * shentsize
    n, = struct.unpack_from("<I", b, sh)
    if b[stroff + n:b.index(b"\0", stroff + n)] == b".data.percpu":
        struct.pack_into("<Q", b, sh + 48, 8192)
open(sys.argv[2], "wb").write(b)
PY
# expect_problems NAME "KIND..." PATTERN ARGS...: --check exits 1 with
# exactly these kinds (sorted) and a line matching PATTERN.
expect_problems () {
	local name=$1 kinds=$2 pattern=$3 got
	shift 3
	layout_run "$c" --check "$@"
	got=$(sed -n 's/.*\[\([a-z-]*\)\]$/\1/p' "$layout_err" | sort -u | tr '\n' ' ' | sed 's/ $//')
	if [ "$layout_status" -eq 1 ] && [ "$got" = "$kinds" ] && grep -q -E "$pattern" "$layout_err"; then
		pass "$name: $got"
	else
		fail "$name: exit $layout_status, kinds '$got', want '$kinds' and /$pattern/: $(cat "$layout_err")"
	fi
}
expect_problems "1 MiB-stride data linked for 2 MiB" "mixed-strides over-stride" \
	"^percpu-layout: big.elf: per-CPU area of [0-9]+ bytes is larger than the stride \\(1048576 bytes, shift 20\\) less its 4096-byte guard page \\[over-stride\\]$" \
	big.elf
expect_problems "objects of two strides" "mixed-strides" \
	"^percpu-layout: two-strides.elf: objects built for different strides linked together: stride notes say shift (20 and shift 16|16 and shift 20) \\[mixed-strides\\]$" \
	two-strides.elf
expect_problems "a section aligned beyond a page" "placement" \
	"^percpu-layout: overaligned.elf: section .data.percpu is aligned to 8192 bytes, beyond a page: .*\\[placement\\]$" \
	overaligned.elf
expect_problems "the window over the kernel's code" "stray-section" \
	"^percpu-layout: zb.elf: section .text \\(0xffffffff81000000\\.\\..*CPU 0's copy would overlap it \\[stray-section\\]$" \
	--base 0xffffffff81000000 zb.elf
finish
