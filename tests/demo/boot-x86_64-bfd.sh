#!/bin/bash
# Boot the x86-64 demo kernel linked with GNU ld with 1, 2, 4 and 8 CPUs:
# each boot must exit with PASS (qemu status 33) and report CPU 0's checks
# (%gs, per_cpu addresses, page flags, guard, NX), every CPU started with
# its GS base, the exact concurrent counter sums, the dynamic areas, and
# the sample modules (linked by the same linker) loaded, run and unloaded
# or refused, with hotplug.
. "$top_srcdir/tests/demo/demo-lib.sh"
demo_x86_64_boot_matrix bfd
exit $demo_fail
