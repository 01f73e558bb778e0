#!/bin/sh
# /init of the test initramfs (linux/scripts/make-initramfs.sh puts it
# there, beside an i386 busybox).  It prints what it can read about the
# per-CPU set-up, one line per check:
#     percpu-test: check PASS|FAIL <name>: <detail>
# then "percpu-test: end <checks> checks, <failed> failed" and reboots:
# qemu runs with -no-reboot, so that ends it (`poweroff -f` would only halt
# an i386 guest).  The host side (tests/linux/boot-test.sh) reads the serial
# log.  The kernel command line says what to expect:
#     percpu_test.cpus=N       CPUs qemu was given (-smp N)
#     percpu_test.flavour=F    stock or vm
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
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

echo "percpu-test: begin $(uname -r) $(uname -m)"
cpus=$(param cpus)
flavour=$(param flavour)

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
if [ "$flavour" = vm ]; then
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

echo "percpu-test: flavour $flavour"
echo "percpu-test: end $checks checks, $failed failed"
reboot -f
