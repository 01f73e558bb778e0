#!/bin/bash
# The demo under the plainest command line: qemu's default CPU (qemu32,
# which has no NX) and a bare `-device isa-debug-exit` at its default port
# 0x501.  The PAE kernel must say it cannot check NX instead of failing,
# and the pass/fail status must still reach qemu.
. "$top_srcdir/tests/demo/demo-lib.sh"
DEMO_CPU= DEMO_EXIT_DEVICE=isa-debug-exit demo_boot plain-pae-bfd \
	"$top_builddir/examples/demo-kernel-pae-bfd.elf" 2 \
	-initrd "$(demo_modules_initrd bfd)" -append "iters=1000 rounds=10 loops=5"
name=plain-pae-bfd
if expect_status "$name" 33; then
	expect_line "$name" "^memory: .*paging on \\(PAE\\)\$"
	expect_line "$name" "^security: NX: this CPU has no NX bit"
	expect_cpus_started "$name" 2
	expect_line "$name" "^RESULT: PASS"
	expect_no_line "$name" "^CHECK FAIL"
	echo "ok: $name"
fi
exit $demo_fail
