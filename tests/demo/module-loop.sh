#!/bin/bash
# The module load/unload loop: 1000 cycles of loading every loadable sample
# module, running it and unloading it (in alternating orders), on a 2-level
# GNU ld kernel with 4 CPUs, a PAE ld.lld kernel with 2 and the x86-64
# GNU ld kernel with its x86-64 modules and 4 CPUs.  The mapped-page
# count and the free-page count the kernel reports at the end must be back
# where they started, and must have gone up while modules were loaded.
. "$top_srcdir/tests/demo/demo-lib.sh"

# loop_case NAME KERNEL MODULES SMP: MODULES as demo_modules_initrd takes it.
loop_case() {
	local name=$1 kernel=$2 modules=$3 smp=$4 cycles=1000
	demo_boot "$name" "$top_builddir/examples/$kernel" "$smp" \
		-initrd "$(demo_modules_initrd "$modules")" -append "iters=1000 rounds=10 loops=$cycles"
	expect_status "$name" 33 || return
	local line
	line=$(grep -E "^loop: $cycles load/unload cycles of 3 modules; " "$demo_log")
	if [ -z "$line" ]; then
		echo "FAIL: $name: no loop summary for $cycles cycles of 2 modules (log: $demo_log)"
		demo_fail=1
		return
	fi
	# "pages mapped: A at the start, up to B while loaded, C at the end; free pages D -> E"
	local re='pages mapped: ([0-9]+) at the start, up to ([0-9]+) while loaded, ([0-9]+) at the end; free pages ([0-9]+) -> ([0-9]+)'
	if [[ ! $line =~ $re ]]; then
		echo "FAIL: $name: cannot parse: $line"
		demo_fail=1
		return
	fi
	local a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]} c=${BASH_REMATCH[3]} d=${BASH_REMATCH[4]} e=${BASH_REMATCH[5]}
	if [ "$a" -ne "$c" ] || [ "$d" -ne "$e" ] || [ "$b" -le "$a" ]; then
		echo "FAIL: $name: mapped pages $a -> (peak $b) -> $c, free pages $d -> $e: $line"
		demo_fail=1
		return
	fi
	expect_line "$name" "^CHECK PASS: loop: $cycles cycles without a failure"
	expect_line "$name" "^CHECK PASS: loop: the mapped-page count is back where it started"
	expect_line "$name" "^RESULT: PASS"
	expect_no_line "$name" "^CHECK FAIL"
	echo "ok: $name: $cycles cycles, mapped pages $a -> peak $b -> $c, free pages $d -> $e"
}

loop_case loop-2level-bfd-smp4 demo-kernel-2level-bfd.elf bfd 4
loop_case loop-pae-lld-smp2 demo-kernel-pae-lld.elf lld 2
# the x86-64 kernel on its own emulator and CPU model
demo_use x86_64
loop_case loop-x86_64-bfd-smp4 demo-kernel-x86_64-bfd.bin x86_64-bfd 4
exit $demo_fail
