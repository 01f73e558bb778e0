#!/bin/bash
# Without a PIT (qemu -machine pc,pit=off) the kernel cannot measure its
# TSC: it must say so, fall back to its conservative rate (delays longer
# than asked, never shorter), and still start every CPU and pass.  (With
# the PIT, every boot test expects the measured rate's line.)
. "$top_srcdir/tests/demo/demo-lib.sh"
kernel="$top_builddir/examples/demo-kernel-2level-lld.elf"
name=no-pit
demo_boot "$name" "$kernel" 4 -machine pc,pit=off -append "iters=1000 rounds=10 loops=1"
if expect_status "$name" 33; then
	expect_line "$name" "^timer: no usable PIT to measure the TSC against; delays assume 4000 TSC ticks per microsecond\$"
	expect_cpus_started "$name" 4
	expect_line "$name" "^RESULT: PASS"
	expect_no_line "$name" "^CHECK FAIL"
	echo "ok: $name"
fi

exit $demo_fail
