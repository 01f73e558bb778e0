#!/bin/bash
# Without a PIT (qemu -machine pc,pit=off) the kernel cannot measure its
# TSC: it must say so, fall back to its conservative rate (delays longer
# than asked, never shorter), and still start every CPU and pass.  (With
# the PIT, every boot test expects the measured rate's line.)  The i386
# kernel (2-level paging) and the x86-64 one, both linked by ld.lld.
. "$top_srcdir/tests/demo/demo-lib.sh"
for flavour in 2level x86_64; do
	demo_use $flavour
	name=no-pit-$flavour
	demo_boot "$name" "$(demo_kernel $flavour lld)" 4 -machine pc,pit=off \
		-append "iters=1000 rounds=10 loops=1"
	expect_status "$name" 33 || continue
	expect_line "$name" "^timer: no usable PIT to measure the TSC against; delays assume 4000 TSC ticks per microsecond\$"
	expect_cpus_started "$name" 4
	expect_line "$name" "^RESULT: PASS"
	expect_no_line "$name" "^CHECK FAIL"
	echo "ok: $name"
done

exit $demo_fail
