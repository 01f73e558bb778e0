#!/bin/sh
# /init of the test initramfs (linux/scripts/make-initramfs.sh puts it
# there, beside a busybox of the kernel's arch).  It prints what it can read about the
# per-CPU set-up, one line per check:
#     percpu-test: check PASS|FAIL <name>: <detail>
# then "percpu-test: end <checks> checks, <failed> failed" and reboots:
# qemu runs with -no-reboot, so that ends it (`poweroff -f` would only halt
# an i386 guest).  The host side (tests/linux/boot-test.sh) reads the serial
# log.  The kernel command line says what to expect:
#     percpu_test.cpus=N       CPUs qemu was given (-smp N)
#     percpu_test.flavour=F    stock or vm (i386), stock-x86_64 or
#                              vm-x86_64: the kind (stock, vm) and the
#                              folder of this kernel's test modules
# Lines a benchmark reads are "percpu-test: fact KEY VALUE", VALUE one word.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
# The boot time to /init, for make bench-linux: the kernel's own clock.
read -r uptime_init _ < /proc/uptime
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

checks=0
failed=0
check() { # check NAME OK DETAIL: OK is 0 for a pass
	checks=$((checks + 1))
	if [ "$2" -eq 0 ]; then
		echo "percpu-test: check PASS $1: $3"
	else
		failed=$((failed + 1))
		echo "percpu-test: check FAIL $1: $3"
	fi
}
param() { # the value of percpu_test.$1= on the command line
	sed -n "s/.*percpu_test\.$1=\([^ ]*\).*/\1/p" /proc/cmdline
}
fact() { # fact KEY VALUE
	echo "percpu-test: fact $1 ${2:-none}"
}

echo "percpu-test: begin $(uname -r) $(uname -m)"
cpus=$(param cpus)
flavour=$(param flavour)
kind=${flavour%-x86_64}
fact uptime-init "$uptime_init"

# Every CPU qemu was given came up: the online mask and /proc/cpuinfo.
online=$(cat /sys/devices/system/cpu/online)
want_online=0
[ "$cpus" -gt 1 ] && want_online="0-$((cpus - 1))"
[ "$online" = "$want_online" ]
check cpus-online $? "online $online, expected $want_online"
procs=$(grep -c '^processor' /proc/cpuinfo)
[ "$procs" = "$cpus" ]
check cpuinfo $? "$procs processors in /proc/cpuinfo, expected $cpus"
possible=$(cat /sys/devices/system/cpu/possible)
echo "percpu-test: fact possible-cpus $possible"

# Where the first chunk is.  Stock: embedded in ordinary memory ("percpu:
# Embedded ..."), no window.  vm: the static data linked at the window
# ("percpu-vm: window ..."), the first chunk there, the same pages mapped
# for every CPU qemu was given and for no other ("percpu-vm: first chunk
# at the window: ... P pages mapped on N CPUs"), nothing embedded.
embedded=$(dmesg | grep -m1 -E '(^|] )percpu: Embedded ')
window=$(dmesg | grep -m1 'percpu-vm: window ')
chunk=$(dmesg | grep -m1 'percpu-vm: first chunk at the window')
if [ "$kind" = vm ]; then
	[ -n "$window" ]
	check vm-window $? "${window:-no 'percpu-vm: window' line}"
	[ -z "$embedded" ]
	check vm-not-embedded $? "${embedded:-no embedded first chunk}"
	pages=$(echo "$chunk" | sed -n 's/.* \([0-9]*\) pages mapped on \([0-9]*\) CPUs.*/\1/p')
	on=$(echo "$chunk" | sed -n 's/.* \([0-9]*\) pages mapped on \([0-9]*\) CPUs.*/\2/p')
	[ -n "$pages" ] && [ "$on" = "$cpus" ] && [ $((pages % cpus)) -eq 0 ]
	check vm-first-chunk $? "${chunk:-no 'percpu-vm: first chunk at the window' line}"
else
	[ -n "$embedded" ]
	check stock-embedded $? "${embedded:-no 'percpu: Embedded' line}"
	[ -z "$window$chunk" ]
	check stock-no-window $? "${window:-no per-CPU window}"
fi

# Each CPU ran something of its own: a per-CPU counter the kernel keeps
# (interrupts per CPU for the local timer) shows one column per CPU.
cols=$(grep -m1 'CPU0' /proc/interrupts | wc -w)
[ "$cols" = "$cpus" ]
check interrupts-columns $? "$cols CPU columns in /proc/interrupts, expected $cpus"

# The test modules (linux/modules, built against this flavour's kernel by
# linux/scripts/build-modules.sh).  Each prints "NAME: ok ..." or
# "NAME: FAIL what" from its init, which fails in the second case.
mods=/lib/modules/percpu-test/$flavour
vmmods=/lib/modules/percpu-test/vm${flavour#stock}	# the vm kernel's of this arch
MIX_MODULES=45	# 40 of 200..6,000 bytes and 5 of 6,000 (build-modules.sh)
modline() { # the last ok or FAIL line module $1 printed, without the time
	dmesg | grep -E "(^|\] )$1: (ok|FAIL)" | tail -1 | sed 's/^\[[^]]*\] //'
}
load() { # load NAME: insmod it; true when it loaded and printed its ok line
	loaded_err=$(insmod "$mods/$1.ko" 2>&1) || { loaded_line=$(modline "$1"); return 1; }
	loaded_line=$(modline "$1")
	[ "${loaded_line#"$1: ok"}" != "$loaded_line" ]
}
loaded() { grep -q "^$1 " /proc/modules; }
unload_matching() { # rmmod every loaded module named by sed pattern $1;
	# $left lists those still loaded, true when none is
	left=""
	for m in $(sed -n "s/^\($1\) .*/\1/p" /proc/modules); do
		rmmod "$m" 2>/dev/null || left="$left $m"
	done
	[ -z "$left" ]
}
percpu_refusal() { # the loader's "no per-CPU space" line for module $1, if any
	dmesg | sed 's/^\[[^]]*\] //' | grep -m1 -E "^$1: Could not allocate [0-9]+ bytes percpu data\$"
}
# Stock Linux gives modules' per-CPU data a reserved chunk when the arch
# asks for one ("percpu: Embedded ... r8192 ..." on x86-64: module code
# reaches it with 32-bit displacements); i386 has none (r0).  Its size, or
# empty.
reserved=$(echo "$embedded" | sed -n 's/.* r\([0-9]*\) .*/\1/p')
[ "$kind" = stock ] && [ "${reserved:-0}" -gt 0 ] || reserved=""
percpu_kb() { sed -n 's/^Percpu: *\([0-9]*\) kB$/\1/p' /proc/meminfo; }
vmstat() { # the value of key $1 in /proc/percpu_vm (interface: "key value")
	sed -n "s/^$1 \([^ ]*\)\$/\1/p" /proc/percpu_vm 2>/dev/null
}
cpu_pages() { # the per-CPU mapped pages of /proc/percpu_vm, CPU 0's first
	sed -n 's/^cpu [0-9]* mapped_pages \([0-9]*\)$/\1/p' /proc/percpu_vm 2>/dev/null | paste -sd, -
}
vm_facts() { # vm_facts WHEN: the window's counts as facts
	fact "vm-mapped-pages-$1" "$(vmstat mapped_pages)"
	fact "vm-live-areas-$1" "$(vmstat live_areas)"
	fact "vm-used-bytes-$1" "$(vmstat used_bytes)"
	fact "vm-cpu-mapped-pages-$1" "$(cpu_pages)"
}

# The probe: kernel per-CPU variables and alloc_percpu() from a module,
# then unloaded, so the mix's baseline below does not count it.
if load percpu_probe && rmmod percpu_probe && ! loaded percpu_probe; then ok=0; else ok=1; fi
check module-probe $ok "${loaded_line:-percpu_probe printed no ok or FAIL line}${loaded_err:+ (insmod: $loaded_err)}"
probe_stride=$(echo "$loaded_line" | sed -n 's/.* ok stride \([0-9]*\),.*/\1/p')
if [ "$kind" = vm ]; then
	# /proc/percpu_vm as the interface says: the window of the boot line,
	# one mapped_pages line per possible CPU adding up to the total
	want_cpus=$(seq 0 $(($(echo "$possible" | sed 's/.*-//'))) | wc -l)
	got_lines=$(cpu_pages | tr , '\n' | grep -c .)
	sum=$(cpu_pages | tr , '\n' | awk '{ s += $1 } END { print s + 0 }')
	# the window of the boot line, which is the arch's default
	# (CONFIG_VM_PERCPU_BASE: linux/patches/0001 and 0011)
	case $(uname -m) in x86_64) want_base=0xffffffffc0000000 ;; *) want_base=0xfe000000 ;; esac
	boot_base=$(echo "$window" | sed -n 's/.*percpu-vm: window \(0x[0-9a-f]*\)-.*/\1/p')
	[ "$(vmstat base)" = "$want_base" ] && [ "$boot_base" = "$want_base" ] &&
		[ "$(vmstat stride)" = $((1 << $(vmstat shift))) ] &&
		[ "$(vmstat cpus)" = "$cpus" ] && [ "$got_lines" = "$want_cpus" ] &&
		[ "$sum" = "$(vmstat mapped_pages)" ] && [ "$probe_stride" = "$(vmstat stride)" ]
	ok=$?
	if [ -r /proc/percpu_vm ]; then
		check vm-proc-percpu-vm $ok "base $(vmstat base) (boot line ${boot_base:-none}, expected $want_base) shift $(vmstat shift) stride $(vmstat stride) cpus $(vmstat cpus), $got_lines CPU lines for $want_cpus possible CPUs adding up to $sum, mapped_pages $(vmstat mapped_pages); the probe's stride $probe_stride"
	else
		check vm-proc-percpu-vm 1 "no /proc/percpu_vm"
	fi
elif [ "$cpus" -gt 1 ]; then
	# stock: the probe measured the distance between CPU 0's and CPU 1's
	# copies, which must be the embedded first chunk's unit ("u<bytes>");
	# with one CPU there is no second copy to measure it by.
	unit=$(echo "$embedded" | sed -n 's/.* u\([0-9]*\)$/\1/p')
	[ -n "$unit" ] && [ "$probe_stride" = "$unit" ]
	check stock-probe-unit $? "copies $probe_stride bytes apart, the embedded chunk's unit ${unit:-not found}"
fi

# The mix, loaded one after another; each module checks its own data on
# every CPU.  Before and after: Percpu: of /proc/meminfo and the window's
# counts.
fact meminfo-percpu-kb-before-mix "$(percpu_kb)"
[ "$kind" = vm ] && vm_facts before-mix
pages_before=$(vmstat mapped_pages)
total=0 passed=0 n_refused=0 failures="" first_failure=""
for m in "$mods"/percpu_mix_*.ko; do
	[ -f "$m" ] || continue
	name=${m##*/}
	name=${name%.ko}
	total=$((total + 1))
	if load "$name"; then
		passed=$((passed + 1))
	elif [ -n "$reserved" ] && ! loaded "$name" && percpu_refusal "$name" >/dev/null; then
		n_refused=$((n_refused + 1))
		echo "percpu-test: refusal $(percpu_refusal "$name")"
	else
		failures="$failures $name"
		[ -n "$first_failure" ] || first_failure="${loaded_line:-$name printed no ok or FAIL line}${loaded_err:+ (insmod: $loaded_err)}"
	fi
done
if [ -n "$reserved" ]; then
	# Stock with a module reserve (x86-64's r8192): a module the allocator
	# refuses is the expected outcome, recorded; any other failure is not.
	[ "$total" -eq "$MIX_MODULES" ] && [ -z "$failures" ]
	check module-mix $? "$passed of $total modules loaded and passed their checks, $n_refused refused by the per-CPU allocator (a reserve of $reserved bytes), $MIX_MODULES expected${failures:+; failed otherwise:$failures; first: $first_failure}"
	fact mix-modules-refused "$n_refused"
else
	[ "$total" -eq "$MIX_MODULES" ] && [ "$passed" -eq "$total" ]
	check module-mix $? "$passed of $total modules loaded and passed their checks, $MIX_MODULES expected${failures:+; failed:$failures; first: $first_failure}"
fi
fact mix-modules-loaded "$passed"
# The benchmark's two sets: percpu_mix_00..39 (200..6,000 bytes) and
# percpu_mix_40..44 (6,000 bytes each), counted in /proc/modules.
fact mix40-loaded "$(grep -c '^percpu_mix_[0-3][0-9] ' /proc/modules)"
fact big-loaded "$(grep -c '^percpu_mix_4[0-4] ' /proc/modules)"
# Kernel address space the per-CPU allocator took beyond the image and the
# direct map: stock's chunks after the first are vmalloc areas made by
# pcpu_get_vm_areas(); the vm kernel makes none, its window is fixed.
# Every vmalloc area, "percpu-test: vmalloc SIZE CALLER": without kallsyms
# the caller is an address, which make bench-linux looks up in System.map.
sed -n 's/^0x[^ ]*-0x[^ ]* *\([0-9]*\) \([^ ]*\).*/percpu-test: vmalloc \1 \2/p' /proc/vmallocinfo
fact meminfo-percpu-kb-with-mix "$(percpu_kb)"
[ "$kind" = vm ] && vm_facts with-mix

# All unloaded.  On vm every page the mix had mapped is given back: the
# window's mapped-page count returns exactly to its baseline.  The stock
# allocator keeps what it populated (mm/percpu.c frees an empty chunk later,
# from a work item, and keeps a reserve of free populated pages), so its
# Percpu: after unloading is reported, not compared.
unload_matching 'percpu_mix_[0-9]*'
check module-mix-unload $? "${left:+still loaded:}${left:-every mix module unloaded}"
fact meminfo-percpu-kb-after-mix "$(percpu_kb)"
if [ -n "$reserved" ]; then
	# The 5 x 6,000-byte set on its own, with the reserve as the boot left
	# it (in the run above the smaller modules had used it up first).
	dmesg -c >/dev/null
	for i in 40 41 42 43 44; do
		load "percpu_mix_$i" || percpu_refusal "percpu_mix_$i" | sed 's/^/percpu-test: refusal /'
	done
	fact big-alone-loaded "$(grep -c '^percpu_mix_4[0-4] ' /proc/modules)"
	unload_matching 'percpu_mix_4[0-4]'
	check module-big-unload $? "${left:+still loaded:}${left:-the 6,000-byte set unloaded}"
fi
if [ "$kind" = vm ]; then
	vm_facts after-mix
	pages_after=$(vmstat mapped_pages)
	[ -n "$pages_before" ] && [ "$pages_after" = "$pages_before" ]
	check vm-mix-pages-returned $? "mapped_pages ${pages_before:-unknown} before the mix, ${pages_after:-unknown} after unloading it"

	# A module built for another stride is refused by the loader, saying
	# so, and maps nothing (last: if the kernel took it, its per_cpu()
	# would reach another CPU's copy, or no page at all).
	kshift=$(vmstat shift)
	if load percpu_wrong_stride; then :; fi
	refused=$(dmesg | sed 's/^\[[^]]*\] //' | grep -m1 "^percpu-vm: percpu_wrong_stride: built for a per-CPU stride of 1 << [0-9]*, this kernel's is 1 << ${kshift:-20}\$")
	pages_now=$(vmstat mapped_pages)
	if loaded percpu_wrong_stride; then
		rmmod percpu_wrong_stride 2>/dev/null
		ok=1
	else
		[ -n "$refused" ] && [ -n "$pages_before" ] && [ "$pages_now" = "$pages_before" ]
		ok=$?
	fi
	check vm-wrong-stride-refused $ok "${loaded_err:+insmod: $loaded_err; }${refused:-no refusal line in dmesg}${loaded_line:+; the module ran: $loaded_line}; mapped_pages ${pages_before:-unknown} before, ${pages_now:-unknown} after"
else
	# The stock kernel has no window: a module compiled with the plugin
	# (the vm flavour's first mix module, which carries the stride note)
	# is refused, saying so.  Last, for the same reason as on vm.
	# (The stock mix's own percpu_mix_00 printed its ok line before: the
	# kernel log is cleared so that line is not taken for this one's.)
	# Run when the initramfs holds the vm modules of this arch (check-linux
	# builds both flavours; the x86-64 vm kernel does not exist yet).
	mods=$vmmods
	dmesg -c >/dev/null
	if [ ! -f "$mods/percpu_mix_00.ko" ]; then
		echo "percpu-test: not run stock-vm-module-refused: no $mods/percpu_mix_00.ko in the initramfs"
	else
		if load percpu_mix_00; then :; fi
		refused=$(dmesg | sed 's/^\[[^]]*\] //' | grep -m1 "^percpu-vm: percpu_mix_00: built for a per-CPU window (stride 1 << [0-9]*), this kernel has none\$")
		if loaded percpu_mix_00; then
			rmmod percpu_mix_00 2>/dev/null
			ok=1
		else
			[ -n "$refused" ]
			ok=$?
		fi
		check stock-vm-module-refused $ok "${loaded_err:+insmod: $loaded_err; }${refused:-no refusal line in dmesg}${loaded_line:+; the module ran: $loaded_line}"
	fi
fi

echo "percpu-test: flavour $flavour"
echo "percpu-test: end $checks checks, $failed failed"
reboot -f
