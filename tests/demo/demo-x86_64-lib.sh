# demo-x86_64-lib.sh: what the x86-64 demo kernel reports (sourced by
# demo-lib.sh).  Its boots (demo_use x86_64) run
# examples/demo-kernel-x86_64-LINKER.bin under qemu-system-x86_64 and check
# the serial report line by line.
# shellcheck shell=bash

# demo_x86_64_expect_report NAME SMP ITERS: what every x86-64 boot with
# qemu -smp SMP and ITERS counter iterations must report.
demo_x86_64_expect_report() {
	local name=$1 found=$2 iters=$3 smp base stride guard cpu1
	base=$(printf '0x%016x' "$PERCPU_X86_64_BASE")
	stride=$((1 << PERCPU_SHIFT))
	guard=$(printf '0x%x' $((PERCPU_X86_64_BASE + stride - 4096)))
	expect_line "$name" "^percpu-vm demo kernel \\(x86-64\\): 4-level paging, per-CPU window at $base, stride $(printf '0x%x' $stride) \\(shift $PERCPU_SHIFT\\), NR_CPUS $PERCPU_NR_CPUS\$"
	expect_line "$name" "^memory: [0-9]+ free pages below 0x[0-9a-f]+; long mode, paging on \\(4-level, NX\\)\$"
	expect_line "$name" "^CHECK PASS: before set-up the window is unmapped: a write at $base faults\$"
	expect_line "$name" "^CHECK PASS: CPU 0 reaches its copy through %gs \\(this_cpu_read\\(pcpu_cpu_number\\) == 0\\)\$"
	expect_line "$name" "^CHECK PASS: CPU 0's GS base \\(IA32_GS_BASE\\) = __per_cpu_offset\\[0\\] = 0\$"
	expect_line "$name" "^CHECK PASS: this_cpu_write/add/inc on CPU 0 change the copy at the link address 0xffffffffc[0-9a-f]+ \\(template value read first\\)\$"
	expect_line "$name" "^CHECK PASS: per_cpu\\(var, n\\) == &var \\+ n \\* $(printf '0x%x' $stride) for all $PERCPU_NR_CPUS CPUs \\(and a constant CPU $((PERCPU_NR_CPUS - 1))\\)\$"
	expect_line "$name" "^CHECK PASS: CPU 0's ([1-9][0-9]*) per-CPU pages \\(the static area's \\1\\) are present, writable, supervisor-only and NX in the page tables\$"
	expect_line "$name" "^CHECK PASS: no other CPU's slot has a page mapped before it starts \\(0 found\\)\$"
	expect_line "$name" "^CHECK PASS: guard: a write to CPU 0's guard page at $guard \\(the stride's last page\\) faults as not present\$"
	expect_line "$name" "^CHECK PASS: CPU 1's copy of demo64_word at 0x[0-9a-f]+ faults before CPU 1 is started\$"
	expect_line "$name" "^timer: the TSC counts [1-9][0-9]* ticks per microsecond \\(measured against the PIT\\)\$"
	expect_cpus_started "$name" "$found"
	smp=$(demo_started "$found")
	expect_line "$name" "^CHECK PASS: $smp of $found CPUs started\$"
	expect_line "$name" "^CHECK PASS: each CPU's GS base = __per_cpu_offset\\[cpu\\] = cpu << $PERCPU_SHIFT\$"
	expect_line "$name" "^CHECK PASS: every CPU's %gs reaches its own copy \\(0 of $smp wrong\\)\$"
	local cpus="" c tables
	for ((c = 0; c < smp; c++)); do cpus="$cpus cpu$c=[0-9]+"; done
	expect_line "$name" "^  pages mapped per CPU:$cpus\$"
	# Page tables: the window's GiB has no PD before the runtime maps
	# CPU 0's static area with the boot-time allocator (a PD and a PT);
	# every other PT (one per 2 MiB of the CPUs' slots) is normal.
	tables=$(for ((c = 0; c < smp; c++)); do echo $(((PERCPU_X86_64_BASE + (c << PERCPU_SHIFT)) >> 21)); done | sort -u | wc -l)
	expect_line "$name" "^  pages mapped in total: .*; page-table pages: 2 boot-time, $((tables - 1)) normal\$"
	expect_line "$name" "^CHECK PASS: each CPU's %gs reaches its own copy \\(this_cpu_read\\(pcpu_cpu_number\\) == cpu\\)\$"
	expect_line "$name" "^CHECK PASS: sum of per_cpu\\(demo_counter\\) over $smp CPUs = $((smp * iters)) \\(expected $((smp * iters))\\)\$"
	expect_line "$name" "^CHECK PASS: sum of the 64-bit per-CPU counters = $((3 * smp * iters)) "
	expect_line "$name" "^CHECK PASS: every CPU's copy of an initialised per-CPU variable holds the template value"
	expect_line "$name" "^CHECK PASS: for_each_online_cpu\\(\\) walks the $smp online CPUs \\($smp possible, nr_cpu_ids $smp\\)\$"
	expect_line "$name" "^CHECK PASS: every value this_cpu_\\{add,inc,dec\\}_return, xchg and cmpxchg returned .*: 0 wrong\$"
	expect_line "$name" "^CHECK PASS: sum of the this_cpu_inc_return/add_return counters over $smp CPUs = $((smp * iters)) and $((0x100000001 * iters * smp)) "
	expect_line "$name" "^CHECK PASS: xchg, cmpxchg, sub, and, or left the expected value on every CPU \\($smp, $smp, $smp, $smp of $smp\\)\$"
	# dynamic areas (demo_dynamic.c, shared with i386)
	expect_line "$name" "^CHECK PASS: alloc_percpu\(struct dyn_stat\) = 0xffffffffc[0-9a-f]+\$"
	expect_line "$name" "^CHECK PASS: the new per-CPU area is zero on every online CPU\$"
	expect_line "$name" "^CHECK PASS: each CPU wrote its own copy through this_cpu_ptr\(\); per_cpu_ptr\(\) reads them back\$"
	expect_line "$name" "^CHECK PASS: every CPU's copy of the [0-9]+-byte area is zeroed, writable end to end and its own\$"
	local four=""
	for ((c = 0; c < smp; c++)); do four="$four cpu$c=4"; done
	expect_line "$name" "^  pages mapped per CPU:$four\$"
	expect_line "$name" "^CHECK PASS: dynamic areas live: $((4 * smp)) pages mapped in the window = runtime's $((4 * smp)) = 4 offsets x $smp CPUs\$"
	expect_line "$name" "^CHECK PASS: 100 small __alloc_percpu\(24, 8\) areas, all distinct\$"
	expect_line "$name" "^CHECK PASS: __alloc_percpu\(stride\) is refused"
	expect_line "$name" "^CHECK PASS: free_percpu\(\) of an address never allocated is refused"
	expect_line "$name" "^CHECK PASS: an allocation that runs out of pages half way fails .* and rolls back"
	expect_line "$name" "^CHECK PASS: after free_percpu\(\):"
	# supervisor-only from ring 3, NX, the guards (demo_security.c, shared)
	demo_expect_security_report "$name" "$smp" "$PERCPU_X86_64_BASE" yes
	# the sample modules, built for x86-64 (R_X86_64_64, PC32, PLT32 and
	# 32S relocations), and hotplug with them
	expect_line "$name" "^module counter_mod.o: loaded: image 0xffffffff8[0-9a-f]{7} \([0-9]+ pages\), per-CPU area at 0xffffffffc[0-9a-f]{7} "
	demo_expect_modules_report "$name" "$smp"
	expect_line "$name" "^CHECK PASS: at the end the window is as after boot"
	expect_line "$name" "^summary: $smp CPUs; .* modules: 3 loaded, run and unloaded, 3 refused; [0-9]+ load/unload cycles;"
	expect_line "$name" "^RESULT: PASS"
	expect_no_line "$name" "^CHECK FAIL"
}

# demo_x86_64_boot_matrix LINKER: boot with 1, 2, 4 and 8 CPUs.
demo_x86_64_boot_matrix() {
	local linker=$1 smp iters=20000
	local kernel
	kernel=$(demo_kernel x86_64 "$linker")
	demo_use x86_64
	local initrd
	initrd=$(demo_modules_initrd "x86_64-$linker")
	for smp in 1 2 4 8; do
		local name="x86_64-$linker-smp$smp"
		demo_boot "$name" "$kernel" "$smp" -initrd "$initrd" \
			-append "iters=$iters rounds=500 loops=20"
		expect_status "$name" 33 || continue
		demo_x86_64_expect_report "$name" "$smp" "$iters"
		echo "ok: $name ($(grep '^RESULT' "$demo_log"))"
	done
}
