#!/bin/bash
# Without ACPI (qemu -no-acpi) the kernel finds the CPUs in the Intel MP
# tables SeaBIOS still writes, and the whole demo passes on them: both
# i386 paging flavours and the x86-64 kernel (GNU ld), 1 and 4 CPUs, every
# module.  With ACPI the MADT is used and the MP table is not looked at.
#
# SeaBIOS lists one processor entry per package (its first logical CPU),
# so the 4 CPUs are given as 4 sockets: under qemu's default topology
# (-smp 4 = one socket of 4 cores) the MP table names the boot CPU alone.
. "$top_srcdir/tests/demo/demo-lib.sh"

mp_line='^mptable: MP 1\.4 configuration table at 0x[0-9a-f]{8} \(floating pointer at 0x[0-9a-f]{8}, OEM "[^"]*"\): '

for flavour in 2level pae x86_64; do
	demo_use $flavour
	kernel=$(demo_kernel $flavour bfd)
	initrd=$(demo_modules_initrd "$(basename "$(demo_modules_dir $flavour bfd)")")
	for smp in 1 4; do
		name=mptable-$flavour-smp$smp
		iters=20000
		demo_boot "$name" "$kernel" "$smp,sockets=$smp" -no-acpi \
			-initrd "$initrd" -append "iters=$iters rounds=500 loops=20"
		expect_status "$name" 33 || continue
		expect_line "$name" "^acpi: no RSDP found\$"
		expect_line "$name" "$mp_line$smp processors enabled, 0 disabled, boot processor APIC ID 0, local APIC at 0xfee00000\$"
		expect_line "$name" "^CHECK PASS: the MP table's boot processor \\(local APIC ID 0\\) is this CPU \\(local APIC ID 0\\)\$"
		DEMO_CPU_SOURCE="MP table" demo_expect_report $flavour "$name" "$smp" "$iters"
		echo "ok: $name ($(grep '^RESULT' "$demo_log"))"
	done
done

# Processor entries marked disabled (CPUs qemu could hot-add: maxcpus) are
# not started, and maxcpus= caps the CPUs from the MP table as it does those
# from the MADT.
demo_use 2level
kernel=$(demo_kernel 2level bfd)
name=mptable-disabled-maxcpus2
demo_boot "$name" "$kernel" 4,sockets=8,maxcpus=8 -no-acpi \
	-initrd "$top_builddir/examples/modules/bfd/counter_mod.o" -append "iters=1000 rounds=10 loops=1 maxcpus=2"
if expect_status "$name" 33; then
	expect_line "$name" "${mp_line}4 processors enabled, 4 disabled, "
	bound=$((PERCPU_NR_CPUS < 2 ? PERCPU_NR_CPUS : 2))
	DEMO_CPU_SOURCE="MP table" expect_cpus_started "$name" 4 "$bound"
	expect_line "$name" "^summary: $(demo_started 4 "$bound") CPUs; "
	expect_line "$name" "^RESULT: PASS"
	expect_no_line "$name" "^CHECK FAIL"
	echo "ok: $name ($(grep '^RESULT' "$demo_log"))"
fi

# With ACPI the MADT is the source, and the MP table is not consulted.
name=mptable-acpi-first
demo_boot "$name" "$kernel" 4,sockets=4 \
	-initrd "$top_builddir/examples/modules/bfd/counter_mod.o" -append "iters=1000 rounds=10 loops=1"
if expect_status "$name" 33; then
	expect_cpus_started "$name" 4
	expect_no_line "$name" "^(mptable|acpi):"
	expect_line "$name" "^RESULT: PASS"
	expect_no_line "$name" "^CHECK FAIL"
	echo "ok: $name ($(grep '^RESULT' "$demo_log"))"
fi
exit $demo_fail
