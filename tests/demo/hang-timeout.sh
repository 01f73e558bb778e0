#!/bin/bash
# A kernel that never exits must fail the test, not hang it: with the
# isa-debug-exit device moved to a port the kernel does not write (0x600),
# the kernel finishes and halts, and demo_boot's timeout must end qemu with
# status 124, which expect_status reports as a failure.
. "$top_srcdir/tests/demo/demo-lib.sh"
name=hang
DEMO_TIMEOUT=5 DEMO_EXIT_DEVICE=isa-debug-exit,iobase=0x600,iosize=0x04 demo_boot "$name" \
	"$top_builddir/examples/demo-kernel-2level-lld.elf" 1 -append "iters=100 loops=1"
if [ "$demo_status" -ne 124 ]; then
	echo "FAIL: $name: qemu status $demo_status, expected the timeout's 124 (log: $demo_log)"
	exit 1
fi
expect_line "$name" "^RESULT: PASS" || exit 1
# The harness's own verdict on such a boot must be a failure.
if expect_status "$name" 33 >/dev/null; then
	echo "FAIL: $name: expect_status accepted a timed-out boot"
	exit 1
fi
echo "ok: $name: a kernel that cannot exit is stopped after 5 s and the boot counts as failed"
exit 0
