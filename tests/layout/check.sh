#!/bin/bash
# --check: each problem the issue lists, triggered by a fixture, gives exit
# status 1 and one line "percpu-layout: FILE: message [kind]" naming it, and
# nothing else is reported; a clean kernel with modules passes silently.
. "$top_srcdir/tests/layout/layout-lib.sh"

layout_build_fixtures
o=$layout_tmp/obj c=$layout_tmp/check
mkdir -p "$c"

# expect_problems NAME "KIND..." ARGS...: --check must fail with exactly
# these kinds of problem (each at least once) and well-formed lines.
expect_problems () {
	name=$1 kinds=$2
	shift 2
	layout_run "$c" --check "$@"
	if [ "$layout_status" -ne 1 ]; then
		fail "$name: exit status $layout_status, want 1 ($(cat "$layout_err"))"
		return
	fi
	if [ -s "$layout_out" ]; then
		fail "$name: --check printed a report on stdout"
	fi
	if grep -v -E '^percpu-layout: [^ :]+: .+ \[[a-z-]+\]$' "$layout_err" > "$layout_tmp/bad"; then
		fail "$name: malformed problem line: $(cat "$layout_tmp/bad")"
	fi
	got=$(sed -E 's/.*\[([a-z-]+)\]$/\1/' "$layout_err" | sort -u | tr '\n' ' ')
	want=$(printf '%s\n' $kinds | sort -u | tr '\n' ' ')
	if [ "$got" != "$want" ]; then
		fail "$name: problems [$got], want [$want]:"
		cat "$layout_err" >&2
		return
	fi
	pass "$name: $(head -1 "$layout_err")"
}

# expect_clean NAME ARGS...: --check passes and prints nothing.
expect_clean () {
	name=$1
	shift
	layout_run "$c" --check "$@"
	if [ "$layout_status" -ne 0 ] || [ -s "$layout_err" ] || [ -s "$layout_out" ]; then
		fail "$name: exit $layout_status, want 0 and no output: $(cat "$layout_err")"
	else
		pass "$name: no problem"
	fi
}

cp "$layout_tmp/ld/kernel.elf" "$layout_tmp/ld/net.ko" "$layout_tmp/ld/fs.ko" "$c/"
expect_clean "kernel and modules" kernel.elf net.ko fs.ko

# Data over the stride: one module bigger than the stride ...
# (the plugin refuses a variable larger than the stride: build it without;
# module.lds refuses to link it, so the tool sees the object itself)
layout_cc_plain mod-huge.c "$o/mod-huge.o"
cp "$o/mod-huge.o" "$c/huge.ko"
expect_problems "module larger than the stride" over-stride kernel.elf huge.ko
grep -q 'huge.ko: per-CPU area of 1572864 bytes is larger than the stride (1048576 bytes' \
	"$layout_err" || fail "over-stride message does not give both sizes"
# ... and two modules that each fit, but not both after the kernel.
layout_cc mod-600k.c "$o/big-a.o" -DMOD_NAME=big_a
layout_cc mod-600k.c "$o/big-b.o" -DMOD_NAME=big_b
layout_link_module "$LD_LLD" "$c/big-a.ko" "$o/big-a.o"
layout_link_module "$LD_LLD" "$c/big-b.ko" "$o/big-b.o"
expect_clean "kernel and one 600 KiB module" kernel.elf big-a.ko
expect_problems "second 600 KiB module finds no room" over-stride kernel.elf big-a.ko big-b.ko
grep -q '^percpu-layout: big-b.ko: ' "$layout_err" || fail "the refused module is not big-b.ko"

# ... and dynamic areas: the third does not fit.
expect_problems "dynamic area finds no room" over-stride --dynamic 1000 --dynamic 300000 \
	--dynamic 800000 kernel.elf big-a.ko
grep -q '^percpu-layout: layout: dynamic area 3 (800000 bytes) does not fit' "$layout_err" ||
	fail "the refused dynamic area is not the third"

# Two strides mixed: inside one module, between kernel and module, and
# inside the kernel.
LAYOUT_CONFIG_DIR=$layout_tmp/config16 layout_cc mod-fs.c "$o/mod-fs16.o"
LAYOUT_CONFIG_DIR=$layout_tmp/config16 layout_cc kern-timer.c "$o/kern-timer16.o"
layout_link_module "$GNU_LD" "$c/mixed.ko" "$o/mod-net.o" "$o/mod-fs16.o"
expect_problems "module of two strides" mixed-strides kernel.elf mixed.ko
grep -q 'shift 20 and shift 16' "$layout_err" || fail "mixed module: both shifts not named"
layout_link_module "$LD_LLD" "$c/fs16.ko" "$o/mod-fs16.o"
expect_problems "module built for another stride" mixed-strides kernel.elf fs16.ko
# ... which the loader refuses, so it takes no room: net.ko lands where it would have.
layout_run "$c" kernel.elf net.ko
without=$(grep 'lands at' "$layout_out" | tail -1)
layout_run "$c" kernel.elf fs16.ko net.ko
if grep -q 'lands at: nowhere: the module loader would refuse it (built for another per-CPU stride)' \
	"$layout_out" && [ "$(grep 'lands at' "$layout_out" | tail -1)" = "$without" ]; then
	pass "a module of another stride takes no room"
else
	fail "a module of another stride: $(grep 'lands at' "$layout_out")"
fi
layout_link_kernel "$LD_LLD" "$c/mixed.elf" "$o/kern-main.o" "$o/kern-timer16.o"
expect_problems "kernel of two strides" mixed-strides mixed.elf

# A per-CPU symbol outside its section.
$CC -m32 -c "$LAYOUT_FIXTURES/overhang.s" -o "$o/overhang.o"
layout_link_module "$GNU_LD" "$c/overhang.ko" "$o/overhang.o"
expect_problems "symbol outside its section" outside-section overhang.ko
grep -q 'short_var (64 bytes at +0) lies outside section .data.percpu (4 bytes)' \
	"$layout_err" || fail "outside-section message"

# A symbol name with a control character still gives one line, with '?'.
"$PYTHON3" -c '
n = b"\"bad\x01name\""
open("'"$layout_tmp"'/ctl.s", "wb").write(b"\t.section .data.percpu,\"aw\"\n\t.globl " + n +
    b"\n\t.type " + n + b",@object\n\t.size " + n + b",64\n" + n + b":\n\t.long 1\n")'
$CC -m32 -c "$layout_tmp/ctl.s" -o "$c/ctl.o"
expect_problems "control character in a symbol name" outside-section ctl.o
grep -q 'per-CPU symbol bad?name (64 bytes' "$layout_err" || fail "control character not replaced"

# A stray section in the window (and markers that disagree), from a
# deliberately wrong linker script.
"$GNU_LD" -m elf_i386 -L "$layout_tmp/config" -T "$LAYOUT_FIXTURES/bad-kernel.lds" "$o/kern-main.o" \
	"$o/kern-timer.o" -o "$c/bad.elf"
expect_problems "stray section in the window" "stray-section markers" bad.elf
grep -q "section .data (0xc0200000..0xc0200[0-9a-f]*) lies in the per-CPU window.*CPU 2's copy" \
	"$layout_err" || fail "stray-section message does not name .data and CPU 2"

# A global named `percpu` (-fdata-sections) in an object's per-CPU section,
# and with the plugin's report, a symbol no report declares per-CPU.
# (the plugin warns about `percpu`; keep the warning a warning here)
layout_cc mod-stray.c "$o/mod-stray.o" -fdata-sections -Wno-error 2> "$layout_tmp/warn"
grep -q "'percpu' lands in section '.data.percpu'" "$layout_tmp/warn" ||
	fail "the plugin did not warn about 'percpu'"
# (module.lds refuses to link it, so the tool sees the object itself)
cp "$o/mod-stray.o" "$c/stray.o"
expect_problems "'percpu' stray in an object" stray-section stray.o
expect_problems "stray against the reports" "stray-section not-per-cpu" \
	--reports ../reports/mod-stray.json stray.o
grep -q 'percpu is in section .data.percpu but no plugin report declares it' "$layout_err" ||
	fail "not-per-cpu message"

# A module built without the plugin has no report: checked beside the
# reports of other files, its per-CPU variables are not strays.
layout_cc_plain mod-net.c "$o/net-noplugin.o"
layout_link_module "$GNU_LD" "$c/net-noplugin.ko" "$o/net-noplugin.o"
expect_clean "module built without the plugin, with others' reports" \
	--reports ../reports/kern-main.json --reports ../reports/kern-timer.json \
	kernel.elf net-noplugin.ko
layout_run "$c" --reports ../reports/kern-main.json kernel.elf net-noplugin.ko
grep -q "plugin reports: none declares this file's variables" "$layout_out" ||
	fail "the report does not say the module is not covered by the plugin's reports"

# A stride note of an unknown version.
$CC -m32 -c "$LAYOUT_FIXTURES/note-v2.s" -o "$c/note-v2.o"
expect_problems "unknown note version" bad-note note-v2.o

# A window that runs past the end of the address space: an i386 kernel
# with its window moved to 0xfffff000 (64 CPUs x 1 MiB end at 0x103fff000),
# and a 64-bit object whose window wraps past 2^64.  Windows that end
# exactly at 2^32 and at 2^64 fit.
expect_problems "window past the 32-bit address space" window-overflow --base 0xfffff000 kernel.elf
grep -q -F "kernel.elf: the per-CPU window at 0xfffff000 (64 CPUs x stride 0x100000, base from option) runs past the end of the 32-bit address space: from CPU 0 on, the CPUs' copies do not fit in it" \
	"$layout_err" || fail "window-overflow message (32-bit): $(cat "$layout_err")"
expect_clean "window that ends at 4 GiB" --base 0xfc000000 kernel.elf
printf '\t.section .data.percpu,"aw"\n\t.globl wide\n\t.type wide,@object\n\t.size wide,8\nwide:\n\t.quad 1\n' \
	> "$layout_tmp/x64.s"
$CC -m64 -c "$layout_tmp/x64.s" -o "$c/x64.o"
expect_problems "window past the 64-bit address space" window-overflow \
	--shift 20 --nr-cpus 64 --base 0xfffffffffc100000 x64.o
grep -q "x64.o: the per-CPU window at 0xfffffffffc100000 .* 64-bit address space: from CPU 63 on" \
	"$layout_err" || fail "window-overflow message (64-bit): $(cat "$layout_err")"
expect_clean "window that ends at 2^64" --shift 20 --nr-cpus 64 --base 0xfffffffffc000000 x64.o
layout_run "$c" --json --base 0xfffff000 kernel.elf
if [ "$layout_status" -eq 0 ] && "$PYTHON3" -c '
import json, sys, jsonschema
doc = json.load(open(sys.argv[1]))
jsonschema.validate(doc, json.load(open(sys.argv[2])))
assert [p["kind"] for p in doc["problems"]] == ["window-overflow"], doc["problems"]
' "$layout_out" "$top_srcdir/tests/layout/layout-schema.json"; then
	pass "window-overflow in JSON, valid against the schema"
else
	fail "window-overflow in JSON"
fi

# The problems in JSON, valid against the schema.
layout_run "$c" --json --dynamic 800000 kernel.elf big-a.ko fs16.ko overhang.ko note-v2.o
if [ "$layout_status" -eq 0 ] && "$PYTHON3" -c '
import json, sys, jsonschema
doc = json.load(open(sys.argv[1]))
jsonschema.validate(doc, json.load(open(sys.argv[2])))
kinds = sorted({p["kind"] for p in doc["problems"]})
assert kinds == ["bad-note", "mixed-strides", "outside-section", "over-stride"], kinds
' "$layout_out" "$top_srcdir/tests/layout/layout-schema.json"; then
	pass "problems in JSON, valid against the schema"
else
	fail "problems in JSON"
fi

# Without --check the same problems are listed, and the exit status is 0.
layout_run "$c" kernel.elf big-a.ko big-b.ko
if [ "$layout_status" -ne 0 ] || ! grep -q '^problems: 1$' "$layout_out"; then
	fail "without --check: exit $layout_status, problems not listed"
else
	pass "without --check the problems are listed, exit 0"
fi
finish
