#!/bin/bash
# Runs x86-segment-run.c -m32: the i386 this_cpu_*() instructions executed with %fs
# based at each CPU's offset, in a 32-bit user-space program (every op of
# api-ops.h, three tiers, four sizes, checked against plain C), in VM mode
# (CPU 0's copy linked at PERCPU_BASE by percpu-hosted.lds.in filled in with
# the i386 base) and classic mode; both print x86-segment-run.expected.
set -u
. "$top_builddir/tests/test-env.sh"
tmp=${FS_KEEP:-$(mktemp -d)}; [ -n "${FS_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
fail=0
inc="-I$top_builddir/kernel-glue/include -I$top_srcdir/kernel-glue/include -I$top_srcdir/runtime/include"
flags="-m32 -O2 -fno-pie -no-pie -Wall -Wextra -Werror $inc"
srcs="$top_srcdir/tests/hosted/x86-segment-run.c $top_srcdir/kernel-glue/percpu_offsets.c
	$top_srcdir/kernel-glue/percpu_classic.c $top_srcdir/kernel-glue/arch/i386/percpu_cpu.c
	$top_srcdir/runtime/allocator.c $top_srcdir/runtime/mem.c $top_srcdir/runtime/errors.c"
window=$(printf '0x%x' $((PERCPU_NR_CPUS << PERCPU_SHIFT)))
sed -e "s|@PERCPU_HOSTED_BASE@|$PERCPU_BASE|g" -e "s|@PERCPU_WINDOW_SIZE@|$window|g" \
	-e "s|@PERCPU_STRIDE@|$PERCPU_STRIDE|g" "$top_srcdir/ldscripts/percpu-hosted.lds.in" > "$tmp/i386-window.lds"

$CC $flags -DCONFIG_HAS_VM_PERCPU -Wl,-T,"$tmp/i386-window.lds" $srcs -o "$tmp/seg-vm" || { echo "FAIL: VM build"; exit 1; }
$CC $flags -Wl,-T,"$top_srcdir/ldscripts/percpu-hosted-classic.lds" $srcs -o "$tmp/seg-classic" || { echo "FAIL: classic build"; exit 1; }
$NM "$tmp/seg-vm" | grep -qi "^$(printf '%08x' $((PERCPU_BASE)))" || { echo "FAIL: VM build has nothing at PERCPU_BASE"; fail=1; }

. "$top_srcdir/tests/hosted/segment-run-lib.sh"
segment_run %fs incl xadd cmpxchg cmpxchg8b subl andw orb
exit $fail
