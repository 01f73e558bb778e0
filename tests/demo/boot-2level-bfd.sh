#!/bin/bash
# Boot the 2-level-paging demo kernel linked with GNU ld with 1, 2, 4 and 8
# CPUs; each boot must report every CPU started and exit with PASS (33).
. "$top_srcdir/tests/demo/demo-lib.sh"
kernel="$top_builddir/examples/demo-kernel-2level-bfd.elf"
for smp in 1 2 4 8; do
	name="2level-bfd-smp$smp"
	demo_boot "$name" "$kernel" "$smp"
	expect_status "$name" 33 || continue
	expect_line "$name" "^CPUs found $smp, started $smp\$"
	expect_line "$name" "^RESULT: PASS"
	expect_no_line "$name" "^CHECK FAIL"
	echo "ok: $name"
done
exit $demo_fail
