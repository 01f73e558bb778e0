#!/bin/bash
# percpu-layout predicts where each module's per-CPU area lands when the
# modules are loaded in order after the kernel; the demo kernel reports
# where the runtime really put them (first cycle of its loop, all loaded,
# before their init hooks ran).  The two must agree, for GNU ld and ld.lld
# builds, for modules built with the plugin and without (no stride note),
# on i386 (32-bit addresses) and x86-64 (64-bit ones, compared exactly).
. "$top_srcdir/tests/demo/demo-lib.sh"
layout="$top_builddir/tools/percpu-layout"

for variant in 2level-bfd pae-lld x86_64-bfd x86_64-lld; do
	flavour=${variant%-*} linker=${variant#*-}
	demo_use "$flavour"
	kernel=$(demo_kernel_elf "$flavour" "$linker")
	mods=$(demo_modules_dir "$flavour" "$linker")
	name="layout-$variant"
	demo_boot "$name" "$(demo_kernel "$flavour" "$linker")" 2 -initrd "$mods/counter_mod.o,$mods/zero_mod.o,$mods/noplugin_mod.o" \
		-append "iters=100 rounds=1 loops=1"
	expect_status "$name" 33 || continue
	predicted=$("$layout" "$kernel" "$mods/counter_mod.o" "$mods/zero_mod.o" "$mods/noplugin_mod.o") || {
		echo "FAIL: $name: percpu-layout failed"
		demo_fail=1
		continue
	}
	for m in counter_mod zero_mod noplugin_mod; do
		# "lands at: offset 0x28..0x38 of the stride, CPU 0 address 0xc0000028"
		want=$(printf '%s\n' "$predicted" | sed -n "/^$(echo "$mods/$m.o" | sed 's/[\/&.]/\\&/g'):/,/lands at:/p" |
			sed -n 's/.*lands at: .* CPU 0 address \(0x[0-9a-f]*\).*/\1/p')
		got=$(sed -n "s/^loop: all loaded: $m.o per-CPU area at \(0x[0-9a-f]*\) .*/\1/p" "$demo_log")
		# (a 64-bit address wraps in bash's arithmetic, the same way on both sides)
		if [ -z "$want" ] || [ -z "$got" ] || [ $((want)) -ne $((got)) ]; then
			echo "FAIL: $name: $m: percpu-layout predicts '${want}', the kernel put it at '${got}'"
			demo_fail=1
		else
			echo "ok: $name: $m at $got, as percpu-layout predicts"
		fi
	done
done
exit $demo_fail
