#!/usr/bin/env bash
# boot-test.sh: boot each built kernel flavour with 1, 2, 4 and 8 CPUs and
# check what its /init and its boot log say (make check-linux).
#
#   boot-test.sh LINUXBUILDDIR FLAVOUR...
#
# LINUXBUILDDIR is <builddir>/linux: the kernels are in FLAVOUR/ there
# (arch/x86/boot/bzImage), the initramfs of their arch in initramfs/ (i386:
# stock, vm) or initramfs-x86_64/ (stock-x86_64, vm-x86_64), booted under
# that arch's qemu (linux/scripts/boot.sh --arch).  For every boot:
#  - /init (linux/initramfs/init.sh) ran to its end and every check it
#    made passed ("percpu-test: end N checks, 0 failed", no FAIL line);
#  - the kernel brought up every CPU qemu gave it ("smp: Brought up 1 node,
#    N CPUs");
#  - nothing went wrong on the way (no Oops, BUG, panic, WARNING or call
#    trace, but for a stock kernel's dump of a module it refuses per-CPU
#    space: expected_traces below).
# Before its boots, the vm kernel's vmlinux must pass `percpu-layout
# --check` (the tool is $PERCPU_LAYOUT) and carry the plugin's stride note
# for the configuration's CONFIG_VM_PERCPU_SHIFT: it was compiled with the
# plugin, for the window it is linked at; and its test modules
# (LINUXBUILDDIR/modules/vm, linux/scripts/build-modules.sh) must pass
# `percpu-layout --check --shift <the configuration's>` together, each
# carrying stride notes of that shift only, while the wrong-stride module
# alone must fail it with the stride mismatch (mixed-strides).
# $LINUX_TEST_CPUS overrides the CPU counts, $LINUX_TEST_APPEND adds kernel
# arguments (e.g. maxcpus=2, which must make the test fail),
# $LINUX_LAYOUT_ARGS adds percpu-layout options (e.g. --shift 21 or
# --base 0xfffff000, which must make the layout check fail).
# Each boot's serial log stays in LINUXBUILDDIR/logs/FLAVOUR-smpN.log; on a
# failure its last lines are shown.
set -uo pipefail

[ $# -ge 2 ] || { echo "usage: $0 LINUXBUILDDIR FLAVOUR..." >&2; exit 2; }
lb=$1
shift
here=$(cd "$(dirname "$0")/../.." && pwd)
boot=$here/linux/scripts/boot.sh
. "$here/linux/scripts/kbuild-flags.sh"	# kernel_flavour: kind, arch, suffix
mkdir -p "$lb/logs"
cpu_counts=${LINUX_TEST_CPUS:-1 2 4 8}

status=0
fail() { echo "FAIL: $*"; status=1; }

# The vm kernel's layout: percpu-layout --check clean, and the plugin's
# stride note with the configuration's shift.
layout_check() { # layout_check FLAVOUR
	local out=$lb/$1 report problems want note listed
	[ -n "${PERCPU_LAYOUT:-}" ] || { fail "$1: PERCPU_LAYOUT (the percpu-layout tool) not set"; return; }
	want=$(sed -n 's/^CONFIG_VM_PERCPU_SHIFT=//p' "$out/.config")
	# shellcheck disable=SC2086 # LINUX_LAYOUT_ARGS is a list of options
	report=$("$PERCPU_LAYOUT" --check --text ${LINUX_LAYOUT_ARGS:-} "$out/vmlinux" 2>&1)
	problems=$?
	note=$(printf '%s\n' "$report" | sed -n 's/^  stride note: .*\(shift [0-9]*\).*/\1/p; s/^  stride note: none/none/p' | paste -sd, -)
	if [ $problems -ne 0 ]; then
		# the problems listed at the end of the text, or the tool's error
		listed=$(printf '%s\n' "$report" | sed -n '/^problems:/,$p' | sed '1d; s/^ *//' | paste -sd';' -)
		fail "$1: percpu-layout --check vmlinux (exit status $problems): ${listed:-$(printf '%s\n' "$report" | tail -1)}"
	elif [ "$note" != "shift $want" ]; then
		fail "$1: vmlinux's stride note is '${note:-missing}', expected 'shift $want' (not built with the plugin?)"
	else
		echo "PASS: $1: percpu-layout --check vmlinux: no problems, stride note shift $want"
	fi
}

# The vm test modules: every one but the wrong-stride module clean and
# built for the configuration's shift; that one reported for its stride.
modules_layout_check() { # modules_layout_check FLAVOUR
	local dir=$lb/modules/$1 want good=() m report rc listed notes wrong=$lb/modules/$1/percpu_wrong_stride.ko
	[ -n "${PERCPU_LAYOUT:-}" ] || return
	want=$(sed -n 's/^CONFIG_VM_PERCPU_SHIFT=//p' "$lb/$1/.config")
	for m in "$dir"/*.ko; do
		[ -f "$m" ] && [ "$m" != "$wrong" ] && good+=("$m")
	done
	if [ ${#good[@]} -eq 0 ] || [ ! -f "$wrong" ]; then
		fail "$1: the test modules are not in $dir (make linux-modules-$1)"
		return
	fi
	report=$("$PERCPU_LAYOUT" --check --text --shift "$want" "${good[@]}" 2>&1)
	rc=$?
	# the files whose stride notes are not all "shift $want", or have none
	notes=$(printf '%s\n' "$report" | awk -v want="shift $want" '
		/^[^ ].*: .*\(relocatable/ { if (f != "" && !ok) print f; f = $1; sub(/:$/, "", f); sub(/.*\//, "", f); ok = 0; bad = 0; next }
		/^  stride note: / { if (index($0, want " (") && !bad) ok = 1; else { ok = 0; bad = 1 } }
		END { if (f != "" && !ok) print f }' | paste -sd' ' -)
	if [ $rc -ne 0 ]; then
		listed=$(printf '%s\n' "$report" | sed -n '/^problems:/,$p' | sed '1d; s/^ *//; s|^[^:]*/||' | head -5 | paste -sd';' -)
		fail "$1: percpu-layout --check --shift $want on ${#good[@]} test modules (exit status $rc): ${listed:-$(printf '%s\n' "$report" | tail -1)}"
	elif [ -n "$notes" ]; then
		fail "$1: test modules without a stride note of shift $want only (not built with the plugin?): $notes"
	else
		echo "PASS: $1: percpu-layout --check --shift $want: ${#good[@]} test modules, no problems, each noted shift $want"
	fi
	report=$("$PERCPU_LAYOUT" --check --shift "$want" "$wrong" 2>&1)
	rc=$?
	listed=$(printf '%s\n' "$report" | grep -m1 'mixed-strides' | sed 's/^ *//; s|^[^:]*/||')
	if [ $rc -eq 1 ] && [ -n "$listed" ]; then
		echo "PASS: $1: percpu-layout --check --shift $want refuses percpu_wrong_stride.ko: $listed"
	else
		fail "$1: percpu-layout --check --shift $want on percpu_wrong_stride.ko: exit status $rc, expected 1 with a mixed-strides problem; got: $(printf '%s\n' "$report" | tail -1 | grep . || echo 'no problems')"
	fi
}

# The serial log without the stack dumps a stock kernel prints, by design,
# when a module's per-CPU data does not fit its reserved chunk (x86-64's
# 8 KiB; mm/percpu.c warns with dump_stack() for the first ten failures):
# /init records those refusals, so they are no sign of a fault.  Each
# dump runs from pcpu_alloc()'s line to the end of its trace; the line is
# matched anywhere, since /init's output can share a line with the
# kernel's.  Other kernels' logs go through unchanged.
expected_traces() { # expected_traces KIND < LOG
	if [ "$1" != stock ]; then
		cat
		return
	fi
	awk '/percpu: allocation failed, size=[0-9]+ align=[0-9]+ atomic=0, alloc from reserved chunk failed$/ { skip = 1 }
	     !skip { print }
	     skip && /<\/TASK>$/ { skip = 0 }'
}

for flavour in "$@"; do
	kernel_flavour "$flavour" || exit 2
	initrd=$lb/initramfs$suffix/initramfs.cpio.gz
	kernel=$lb/$flavour/arch/x86/boot/bzImage
	[ -f "$kernel" ] || { fail "$flavour: $kernel not built (make linux-$flavour)"; continue; }
	if [ "$kind" = vm ]; then
		layout_check "$flavour"
		modules_layout_check "$flavour"
	fi
	for n in $cpu_counts; do
		log=$lb/logs/$flavour-smp$n.log
		start=$(date +%s)
		"$boot" --arch "$arch" "$kernel" "$initrd" "$n" "$log" "percpu_test.flavour=$flavour" ${LINUX_TEST_APPEND:-}
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
		if expected_traces "$kind" < "$log" | grep -Eq 'Oops|BUG:|Kernel panic|WARNING:|Call Trace'; then
			what+=("$(expected_traces "$kind" < "$log" | grep -Em1 'Oops|BUG:|Kernel panic|WARNING:|Call Trace')")
			bad=1
		fi
		checks=$(sed -n 's/^percpu-test: end \([0-9]*\) checks.*/\1/p' "$log")
		# a kernel that refuses modules' per-CPU data: what it took
		refused=$(sed -n 's/^percpu-test: fact mix-modules-refused \([0-9]*\)$/\1/p' "$log")
		[ -z "$refused" ] || refused="; the mix: $(sed -n 's/^percpu-test: fact mix-modules-loaded \([0-9]*\)$/\1/p' "$log") loaded, $refused refused, 5 x 6,000 alone: $(sed -n 's/^percpu-test: fact big-alone-loaded \([0-9]*\)$/\1/p' "$log") loaded"
		if [ $bad -eq 0 ]; then
			echo "PASS: $flavour -smp $n: ${checks} checks in /init, $n CPUs up (${secs} s)$refused"
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
