#!/bin/bash
# Runs x86-segment-run.c -m64 with the x86-64 kernel arch part
# (PERCPU_ARCH_X86_64): the this_cpu_*() instructions executed with the GS
# base at each CPU's offset, set by the glue's wrgsbase where Linux enabled
# FSGSBASE, else by arch_prctl(ARCH_SET_GS), in a 64-bit user-space program
# (every op of api-ops.h, three tiers, four sizes, checked against plain
# C), in VM mode (CPU 0's copy linked at the hosted window's base by
# percpu-hosted.lds, -mcmodel=large since that is above 2 GiB) and classic
# mode; both print x86-segment-run.expected, as the i386 build does.
set -u
. "$top_builddir/tests/test-env.sh"
tmp=${GS_KEEP:-$(mktemp -d)}; [ -n "${GS_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
fail=0
inc="-I$top_builddir/kernel-glue/include -I$top_srcdir/kernel-glue/include -I$top_srcdir/runtime/include"
flags="-m64 -O2 -DPERCPU_ARCH_X86_64 -fno-pie -no-pie -Wall -Wextra -Werror $inc"
srcs="$top_srcdir/tests/hosted/x86-segment-run.c $top_srcdir/kernel-glue/percpu_offsets.c
	$top_srcdir/kernel-glue/percpu_classic.c $top_srcdir/kernel-glue/arch/x86_64/percpu_cpu.c
	$top_srcdir/runtime/allocator.c $top_srcdir/runtime/mem.c $top_srcdir/runtime/errors.c"

$CC $flags -mcmodel=large -DCONFIG_HAS_VM_PERCPU -Wl,-T,"$top_builddir/ldscripts/percpu-hosted.lds" $srcs \
	-o "$tmp/seg-vm" || { echo "FAIL: VM build"; exit 1; }
$CC $flags -Wl,-T,"$top_srcdir/ldscripts/percpu-hosted-classic.lds" $srcs -o "$tmp/seg-classic" || { echo "FAIL: classic build"; exit 1; }
$NM "$tmp/seg-vm" | grep -qi "^$(printf '%016x' $((PERCPU_HOSTED_BASE)))" || { echo "FAIL: VM build has nothing at PERCPU_HOSTED_BASE"; fail=1; }

. "$top_srcdir/tests/hosted/segment-run-lib.sh"
segment_run %gs incl xadd cmpxchg subl andw orb incq xadd addq
exit $fail
