# Sourced by i386-fs.sh and x86_64-gs.sh after they built $tmp/seg-vm and
# $tmp/seg-classic from x86-segment-run.c: both modes run, print
# x86-segment-run.expected (for 4 CPUs; with fewer they must still agree),
# and the VM build's instructions INSNS are single accesses through SEG.
# segment_run SEG INSNS...
segment_run() {
	local seg=$1 mode insn; shift
	for mode in vm classic; do
		if ! "$tmp/seg-$mode" > "$tmp/$mode.out" 2>&1; then
			echo "FAIL: $mode mode exited with an error:"; cat "$tmp/$mode.out"; fail=1
		elif [ $PERCPU_NR_CPUS -ge 4 ] && ! diff -u "$top_srcdir/tests/hosted/x86-segment-run.expected" "$tmp/$mode.out"; then
			echo "FAIL: $mode mode output differs from x86-segment-run.expected (- expected, + got)"; fail=1
		fi
	done
	diff -u "$tmp/vm.out" "$tmp/classic.out" || { echo "FAIL: VM and classic mode differ (- VM, + classic)"; fail=1; }
	objdump -d "$tmp/seg-vm" > "$tmp/seg-vm.dis"
	for insn in "$@"; do
		grep -Eq "[[:space:]]$insn +[^ ]*$seg:" "$tmp/seg-vm.dis" || { echo "FAIL: no $insn ...$seg: in the VM build"; fail=1; }
	done
}
