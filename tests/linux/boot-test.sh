#!/usr/bin/env bash
# boot-test.sh: boot each built kernel flavour with 1, 2, 4 and 8 CPUs and
# check what its /init and its boot log say (make check-linux).
#
#   boot-test.sh LINUXBUILDDIR FLAVOUR...
#
# LINUXBUILDDIR is <builddir>/linux: the kernels are in FLAVOUR/ there
# (arch/x86/boot/bzImage), the initramfs in initramfs/.  For every boot:
#  - /init (linux/initramfs/init.sh) ran to its end and every check it
#    made passed ("percpu-test: end N checks, 0 failed", no FAIL line);
#  - the kernel brought up every CPU qemu gave it ("smp: Brought up 1 node,
#    N CPUs");
#  - nothing went wrong on the way (no Oops, BUG, panic or WARNING).
# $LINUX_TEST_CPUS overrides the CPU counts, $LINUX_TEST_APPEND adds kernel
# arguments (e.g. maxcpus=2, which must make the test fail).
# Each boot's serial log stays in LINUXBUILDDIR/logs/FLAVOUR-smpN.log; on a
# failure its last lines are shown.
set -uo pipefail

[ $# -ge 2 ] || { echo "usage: $0 LINUXBUILDDIR FLAVOUR..." >&2; exit 2; }
lb=$1
shift
here=$(cd "$(dirname "$0")/../.." && pwd)
boot=$here/linux/scripts/boot.sh
initrd=$lb/initramfs/initramfs.cpio.gz
mkdir -p "$lb/logs"
cpu_counts=${LINUX_TEST_CPUS:-1 2 4 8}

status=0
fail() { echo "FAIL: $*"; status=1; }

for flavour in "$@"; do
	kernel=$lb/$flavour/arch/x86/boot/bzImage
	[ -f "$kernel" ] || { fail "$flavour: $kernel not built (make linux-$flavour)"; continue; }
	for n in $cpu_counts; do
		log=$lb/logs/$flavour-smp$n.log
		start=$(date +%s)
		"$boot" "$kernel" "$initrd" "$n" "$log" "percpu_test.flavour=$flavour" ${LINUX_TEST_APPEND:-}
		rc=$?
		secs=$(( $(date +%s) - start ))
		tr -d '\r' < "$log" > "$log.txt" && mv "$log.txt" "$log"
		bad=0
		what=()
		[ $rc -eq 0 ] || { what+=("qemu exit status $rc$([ $rc -eq 124 ] && echo ' (timeout)')"); bad=1; }
		grep -q '^percpu-test: end [0-9]* checks, 0 failed' "$log" ||
			{ what+=("/init did not end with every check passed"); bad=1; }
		if grep -q '^percpu-test: check FAIL' "$log"; then
			what+=("$(grep '^percpu-test: check FAIL' "$log" | sed 's/^percpu-test: check //' | paste -sd';' -)")
			bad=1
		fi
		cpus_word=CPUs; [ "$n" -eq 1 ] && cpus_word=CPU
		grep -q "smp: Brought up 1 node, $n $cpus_word\$" "$log" ||
			{ what+=("no 'smp: Brought up 1 node, $n $cpus_word'"); bad=1; }
		if grep -Eq 'Oops|BUG:|Kernel panic|WARNING:|Call Trace' "$log"; then
			what+=("$(grep -Em1 'Oops|BUG:|Kernel panic|WARNING:|Call Trace' "$log")")
			bad=1
		fi
		checks=$(sed -n 's/^percpu-test: end \([0-9]*\) checks.*/\1/p' "$log")
		if [ $bad -eq 0 ]; then
			echo "PASS: $flavour -smp $n: ${checks} checks in /init, $n CPUs up (${secs} s)"
		else
			joined=$(printf '%s; ' "${what[@]}")
			fail "$flavour -smp $n: ${joined%; }"
			echo "---- last serial lines of $log"
			tail -25 "$log"
			echo "----"
		fi
	done
done
exit $status
