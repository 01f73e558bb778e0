#!/bin/bash
# maxcpus=N on the kernel command line, with qemu -smp 4: the kernel starts
# at most N CPUs, never fewer than the boot CPU and never more than the
# NR_CPUS it is configured for, names each CPU it leaves out, and passes
# its checks with the CPUs it started.  The i386 kernel (2-level paging)
# and the x86-64 one, both linked by GNU ld.
. "$top_srcdir/tests/demo/demo-lib.sh"
for flavour in 2level x86_64; do
	demo_use $flavour
	kernel=$(demo_kernel $flavour bfd)
	for max in $(printf "%s\n" 0 1 3 $((PERCPU_NR_CPUS + 1)) | sort -nu); do
		bound=$max
		[ "$bound" -ge 1 ] || bound=1
		[ "$bound" -le "$PERCPU_NR_CPUS" ] || bound=$PERCPU_NR_CPUS
		name=maxcpus-$flavour-$max
		demo_boot "$name" "$kernel" 4 -initrd "$(demo_modules_dir $flavour bfd)/counter_mod.o" \
			-append "iters=1000 rounds=10 loops=1 maxcpus=$max"
		expect_status "$name" 33 || continue
		expect_cpus_started "$name" 4 "$bound"
		started=$(demo_started 4 "$bound")
		expect_line "$name" "^CHECK PASS: module counter_mod.o: loaded, run on $started CPUs"
		expect_line "$name" "^summary: $started CPUs; "
		expect_line "$name" "^RESULT: PASS"
		expect_no_line "$name" "^CHECK FAIL"
		echo "ok: $name: $started of 4 CPUs started ($(grep '^RESULT' "$demo_log"))"
	done
done
exit $demo_fail
