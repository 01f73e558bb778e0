# demo-lib.sh: shared by the demo boot tests (sourced).  Boots a demo kernel
# under qemu with a timeout and checks what it reports on the serial port.
# shellcheck shell=bash

. "$top_builddir/tests/test-env.sh"

# configure leaves the demo out when the stride is too small for it or the
# window overlaps the demo kernel's own mappings, and says which.
if [ "$PERCPU_DEMO" != yes ]; then
	echo "SKIP: ${PERCPU_DEMO_WHY:-the demo kernel does not fit this configuration}, so configure did not build it"
	exit 77
fi

demo_fail=0
# The stride stride_mod.o is built for (examples/Makefile.inc).
if [ "$PERCPU_SHIFT" -lt 28 ]; then demo_other_shift=$((PERCPU_SHIFT + 1)); else demo_other_shift=$((PERCPU_SHIFT - 1)); fi
demo_logdir="$top_builddir/tests/demo/logs"
mkdir -p "$demo_logdir"

# demo_boot NAME KERNEL SMP [qemu args...]: boot, leave the serial output in
# $demo_log and qemu's exit status in $demo_status.  DEMO_CPU (default
# "-cpu qemu32,+nx"; empty for qemu's default CPU) and DEMO_EXIT_DEVICE
# (default isa-debug-exit at port 0xf4) change the machine; DEMO_QEMU
# (default qemu-system-i386) the emulator.
demo_boot() {
	local name=$1 kernel=$2 smp=$3
	shift 3
	demo_log="$demo_logdir/$name.log"
	demo_status=0
	demo_log_shown=0
	timeout "${DEMO_TIMEOUT:-60}" "${DEMO_QEMU:-$QEMU_I386}" -accel tcg ${DEMO_CPU--cpu qemu32,+nx} -m 128 \
		-display none -serial stdio -no-reboot -monitor none \
		-device "${DEMO_EXIT_DEVICE:-isa-debug-exit,iobase=0xf4,iosize=0x04}" \
		-smp "$smp" -kernel "$kernel" "$@" >"$demo_log" 2>&1 </dev/null || demo_status=$?
	tr -d '\r' <"$demo_log" >"$demo_log.tmp" && mv "$demo_log.tmp" "$demo_log"
	if [ "$demo_status" -eq 124 ]; then
		echo "FAIL: $name: qemu did not finish within ${DEMO_TIMEOUT:-60}s (hang); serial log: $demo_log"
	fi
}

# demo_show_log: the boot's serial log (a report is ~150 lines), once per boot, so a
# failure on a CI machine can be read from the test's own log.
demo_show_log() {
	[ "${demo_log_shown:-0}" -eq 0 ] || return 0
	demo_log_shown=1
	echo "    serial log ($demo_log):"
	head -400 "$demo_log" | sed 's/^/    | /'
	echo "    last serial line: $(tail -1 "$demo_log")"
}

# expect_status NAME CODE
expect_status() {
	if [ "$demo_status" -ne "$2" ]; then
		echo "FAIL: $1: qemu exit status $demo_status, expected $2"
		demo_show_log
		demo_fail=1
		return 1
	fi
	return 0
}

# expect_line NAME REGEX: some line of the report matches (grep -E).
expect_line() {
	if ! grep -Eq -- "$2" "$demo_log"; then
		echo "FAIL: $1: no report line matches /$2/ (log: $demo_log)"
		demo_show_log
		demo_fail=1
		return 1
	fi
	return 0
}

# expect_no_line NAME REGEX
expect_no_line() {
	if grep -Eq -- "$2" "$demo_log"; then
		echo "FAIL: $1: unexpected report line(s) matching /$2/:"
		grep -E -- "$2" "$demo_log" | sed 's/^/    | /' | head -10
		demo_show_log
		demo_fail=1
		return 1
	fi
	return 0
}

# The demo kernels by flavour: 2level and pae are the i386 kernel's paging
# modes, x86_64 the x86-64 kernel; the tests that boot more than one loop
# over flavours with these.
# demo_use FLAVOUR: boot FLAVOUR's kernels from now on (i386 under
# qemu-system-i386 with NX; x86-64 under qemu-system-x86_64, whose qemu64
# CPU has long mode and NX).
demo_use() {
	case $1 in
	x86_64) DEMO_QEMU=$QEMU_X86_64 DEMO_CPU="-cpu qemu64" ;;
	*) DEMO_QEMU=$QEMU_I386 DEMO_CPU="-cpu qemu32,+nx" ;;
	esac
}
# demo_kernel FLAVOUR LINKER: the file qemu boots (x86-64: the flat .bin);
# demo_kernel_elf FLAVOUR LINKER: its ELF, for percpu-layout.
demo_kernel_elf() {
	case $1 in
	x86_64) echo "$top_builddir/examples/demo-kernel-x86_64-$2.elf" ;;
	*) echo "$top_builddir/examples/demo-kernel-$1-$2.elf" ;;
	esac
}
demo_kernel() {
	case $1 in
	x86_64) echo "$top_builddir/examples/demo-kernel-x86_64-$2.bin" ;;
	*) demo_kernel_elf "$1" "$2" ;;
	esac
}
# demo_modules_dir FLAVOUR LINKER: the sample modules built for FLAVOUR's
# kernel and linked by LINKER.
demo_modules_dir() {
	case $1 in
	x86_64) echo "$top_builddir/examples/modules/x86_64-$2" ;;
	*) echo "$top_builddir/examples/modules/$2" ;;
	esac
}

# demo_modules_initrd LINKER: the -initrd argument with the sample modules
# linked by LINKER (bfd|lld, or x86_64-bfd|x86_64-lld for the x86-64 ones); the
# three that must be refused say so.
demo_modules_initrd() {
	local d="$top_builddir/examples/modules/$1"
	echo "$d/counter_mod.o,$d/zero_mod.o,$d/noplugin_mod.o,$d/big_mod.o expect=refuse,$d/stride_mod.o expect=refuse,$d/undef_mod.o expect=refuse"
}

# demo_started SMP [MAX]: how many of qemu's SMP CPUs the kernel starts:
# all of them, or MAX (default: the NR_CPUS it is configured for) when
# there are more.
demo_started() {
	local max=${2:-$PERCPU_NR_CPUS}
	echo $(($1 < max ? $1 : max))
}

# expect_cpus_started NAME SMP [MAX]: the kernel found SMP CPUs in the
# table DEMO_CPU_SOURCE names (default "ACPI MADT"; "MP table" under
# qemu -no-acpi), started demo_started of them and named each one it left
# out.
expect_cpus_started() {
	local name=$1 found=$2 max=${3:-$PERCPU_NR_CPUS} started left_out
	started=$(demo_started "$found" "$max")
	expect_line "$name" "^CPUs found $found \\(${DEMO_CPU_SOURCE:-ACPI MADT}\\), started $started\$"
	left_out=$(grep -Ec "^smp: CPU with APIC ID [0-9]+ not started: the kernel is configured for $max CPUs\$" "$demo_log")
	if [ "$left_out" -ne $((found - started)) ]; then
		echo "FAIL: $name: $left_out CPUs reported not started, want $((found - started)) (log: $demo_log)"
		demo_fail=1
	fi
}

# demo_expect_modules_report NAME SMP: the sample modules (demo_modules_initrd)
# loaded, run on SMP CPUs and unloaded, or refused, and hotplug with them;
# the same lines from the i386 and the x86-64 kernel.
demo_expect_modules_report() {
	local name=$1 smp=$2
	expect_line "$name" "^module counter_mod.o: loaded: .* [1-9][0-9]* relocations \([1-9][0-9]* to per-CPU symbols\)"
	expect_line "$name" "^CHECK PASS: counter_mod: $smp CPUs counted "
	expect_line "$name" "^CHECK PASS: zero_mod: $smp CPUs each filled their own copy"
	local m
	expect_line "$name" "^module noplugin_mod.o: loaded: .* stride note: none\$"
	expect_line "$name" "^CHECK PASS: noplugin_mod: built without the plugin, $smp CPUs counted in their own copies"
	for m in counter_mod zero_mod noplugin_mod; do
		expect_line "$name" "^CHECK PASS: module $m.o: after unload its pages are unmapped and given back"
	done
	expect_line "$name" "^CHECK PASS: module zero_mod.o: after unload every CPU faults on its copy of page offset 0x[0-9a-f]+, and CPU 0 on every CPU's \\(no stale TLB entry\\)"
	expect_line "$name" "^module big_mod.o: per-CPU data of [0-9]+ bytes .* does not fit: .*\(refused\)\$"
	expect_line "$name" "^module stride_mod.o: built for per-CPU stride 2\^$demo_other_shift .* this kernel uses 2\^$PERCPU_SHIFT .*\(refused\)\$"
	expect_line "$name" "^module undef_mod.o: undefined symbol 'demo_not_exported' .*\(refused\)\$"
	for m in big_mod stride_mod undef_mod; do
		expect_line "$name" "^CHECK PASS: module $m.o: refused \(.*\) and nothing leaked"
	done
	if [ "$smp" -gt 1 ]; then
		local last=$((smp - 1))
		expect_line "$name" "^hotplug: CPU $last offline: ok; its slot has 0 pages mapped \\(was [1-9][0-9]*\\)"
		expect_line "$name" "^CHECK PASS: hotplug: offlining CPU $last unmaps its [1-9][0-9]* pages and gives them back"
		expect_line "$name" "^CHECK PASS: hotplug: CPU $last online again: [1-9][0-9]* pages mapped, its kernel per-CPU data fresh from the template"
		expect_line "$name" "^CHECK PASS: counter_mod: every CPU's copy starts from the template"
		expect_line "$name" "^CHECK PASS: hotplug: counter_mod.o initialised, ran and checked on every CPU after CPU $last came back"
		expect_line "$name" "^CHECK PASS: hotplug: afterwards the window and the free pages are as before"
	fi
}

# demo_expect_security_report NAME SMP BASE NX: demo_security.c's report with
# SMP CPUs running and the window at BASE (NX yes: the NX checks too); the
# same lines from the i386 and the x86-64 kernel, whose addresses differ
# only in width.
demo_expect_security_report() {
	local name=$1 smp=$2 base=$3 nx=$4 c past
	expect_line "$name" "^CHECK PASS: ring-3 probe set up \(TSS, user pages at 0x[0-9a-f]+\)\$"
	expect_line "$name" "^CHECK PASS: security: all [0-9]+ per-CPU pages are supervisor-only"
	expect_line "$name" "^CHECK PASS: security: all [0-9]+ per-CPU pages are present and writable"
	expect_line "$name" "^CHECK PASS: security: ring 3 reads its own user page at 0x[0-9a-f]+\$"
	expect_line "$name" "^security: ring 3 reads CPU 0's copy of pcpu_cpu_number at (0x[0-9a-f]+) -> page fault at \1 \(error 0x5: protection, user mode\)"
	expect_line "$name" "^CHECK PASS: security: reading any CPU's per-CPU page from ring 3 faults as a protection violation \($smp of $smp CPUs\)"
	for ((c = 0; c < smp; c++)); do
		expect_line "$name" "^guard: CPU $c: used part ends at 0x[0-9a-f]+; write at (0x[0-9a-f]+) -> page fault at \1 "
		expect_line "$name" "^CHECK PASS: guard: a write just past CPU $c's used area"
	done
	# The stride's guard page: the free tail filled up to it, then one byte
	# past CPU c's full usable part, just below CPU c+1's copy, faults.
	expect_line "$name" "^CHECK PASS: guard: a [1-9][0-9]*-byte dynamic area fills the stride's free tail up to offset $(printf '0x%x' $(( (1 << PERCPU_SHIFT) - 4096 ))) "
	for ((c = 0; c < smp; c++)); do
		past=$(printf '0x%08x' $(( base + ((c + 1) << PERCPU_SHIFT) - 4096 )))
		expect_line "$name" "^guard: CPU $c: usable part full up to 0x[0-9a-f]+; one byte at $past, 4096 bytes below CPU $((c + 1))'s copy -> page fault at $past "
		expect_line "$name" "^CHECK PASS: guard: a byte written past CPU $c's full usable part \\($past, the guard page at the end of its stride\\) faults\$"
	done
	if [ "$nx" = yes ]; then
		expect_line "$name" "^CHECK PASS: security: all [0-9]+ per-CPU pages are non-executable \(NX set\)"
		expect_line "$name" "^CHECK PASS: security: executing per-CPU data at 0x[0-9a-f]+ faults on the fetch \(error 0x11\)"
	fi
}

# demo_expect_full_report NAME SMP ITERS PAGING: what every full boot (all
# modules, ITERS counter iterations) on qemu -smp SMP must report.
demo_expect_full_report() {
	local name=$1 found=$2 iters=$3 paging=$4 smp
	expect_line "$name" "^timer: the TSC counts [1-9][0-9]* ticks per microsecond \(measured against the PIT\)\$"
	expect_cpus_started "$name" "$found"
	smp=$(demo_started "$found")   # the CPUs that run
	expect_line "$name" "^CHECK PASS: each CPU's %fs base = __per_cpu_offset\[cpu\] = cpu << $PERCPU_SHIFT\$"
	local cpus="" c
	for ((c = 0; c < smp; c++)); do cpus="$cpus cpu$c=[0-9]+"; done
	expect_line "$name" "^  pages mapped per CPU:$cpus\$"
	# Page tables: the boot-time allocator gives the one CPU 0's static
	# area needs, the normal one every other page table the APs' slots
	# need (one per 4 MiB under 2-level paging, 2 MiB under PAE).
	local reach=22 tables
	[ "$paging" = pae ] && reach=21
	tables=$(for ((c = 0; c < smp; c++)); do echo $(((PERCPU_BASE + (c << PERCPU_SHIFT)) >> reach)); done | sort -u | wc -l)
	expect_line "$name" "^  pages mapped in total: .*; page-table pages: 1 boot-time, $((tables - 1)) normal\$"
	expect_line "$name" "^CHECK PASS: sum of per_cpu\(demo_counter\) over $smp CPUs = $((smp * iters)) \(expected $((smp * iters))\)\$"
	expect_line "$name" "^CHECK PASS: sum of the 64-bit per-CPU counters = $((3 * smp * iters)) "
	# the Linux ops (xadd, cmpxchg, cmpxchg8b loops, sub/and/or), hammered
	# by every CPU at once on its own copies
	expect_line "$name" "^CHECK PASS: for_each_online_cpu\(\) walks the $smp online CPUs \($smp possible, nr_cpu_ids $smp\)\$"
	expect_line "$name" "^CHECK PASS: every value this_cpu_\{add,inc,dec\}_return, xchg and cmpxchg returned .*: 0 wrong\$"
	expect_line "$name" "^CHECK PASS: sum of the this_cpu_inc_return/add_return counters over $smp CPUs = $((smp * iters)) and $((0x100000001 * iters * smp)) "
	expect_line "$name" "^CHECK PASS: xchg, cmpxchg, sub, and, or left the expected value on every CPU \($smp, $smp, $smp, $smp of $smp\)\$"
	expect_line "$name" "^CHECK PASS: every CPU's copy of an initialised per-CPU variable holds the template value"
	expect_line "$name" "^CHECK PASS: after free_percpu\(\):"
	expect_line "$name" "^CHECK PASS: an allocation that runs out of pages half way fails"
	local nx=no
	[ "$paging" = pae ] && nx=yes
	demo_expect_security_report "$name" "$smp" "$PERCPU_BASE" "$nx"
	if [ "$paging" = 2level ]; then expect_line "$name" "^security: NX: 2-level paging has no NX bit"; fi
	demo_expect_modules_report "$name" "$smp"
	expect_line "$name" "^CHECK PASS: at the end the window is as after boot"
	expect_line "$name" "^summary: $smp CPUs; .* modules: 3 loaded, run and unloaded, 3 refused; [0-9]+ load/unload cycles;"
	expect_line "$name" "^RESULT: PASS"
	expect_no_line "$name" "^CHECK FAIL"
}

# demo_expect_report FLAVOUR NAME SMP ITERS: the full report of FLAVOUR's
# kernel (demo_expect_full_report, or demo_x86_64_expect_report).
demo_expect_report() {
	case $1 in
	x86_64) demo_x86_64_expect_report "$2" "$3" "$4" ;;
	*) demo_expect_full_report "$2" "$3" "$4" "$1" ;;
	esac
}

# demo_boot_matrix PAGING LINKER: boot with 1, 2, 4 and 8 CPUs (a kernel
# configured for fewer starts NR_CPUS of them).
demo_boot_matrix() {
	local paging=$1 linker=$2 smp iters=20000
	local kernel="$top_builddir/examples/demo-kernel-$paging-$linker.elf"
	local initrd
	initrd=$(demo_modules_initrd "$linker")
	for smp in 1 2 4 8; do
		local name="$paging-$linker-smp$smp"
		demo_boot "$name" "$kernel" "$smp" -initrd "$initrd" -append "iters=$iters rounds=500 loops=20"
		expect_status "$name" 33 || continue
		demo_expect_full_report "$name" "$smp" "$iters" "$paging"
		echo "ok: $name ($(grep '^RESULT' "$demo_log"))"
	done
}

. "$top_srcdir/tests/demo/demo-x86_64-lib.sh"
