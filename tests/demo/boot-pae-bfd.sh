#!/bin/bash
# Boot the pae-paging demo kernel linked with GNU ld with 1, 2, 4 and 8
# CPUs and every sample module; each boot must exit with PASS (qemu status
# 33) and report each CPU, the exact counter sums, every module loaded or
# refused as expected, the guard faults and nothing left behind.
. "$top_srcdir/tests/demo/demo-lib.sh"
demo_boot_matrix pae bfd
exit $demo_fail
