#!/bin/bash
# The hosted run test: the same program (run-main.c, run-other.c) built in
# VM mode and in classic mode runs on 4 simulated CPUs and prints exactly
# run.expected in both; each exits non-zero if a layout check fails.
set -u
. "$top_builddir/tests/test-env.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
for mode in vm classic; do
	prog=$top_builddir/tests/hosted/percpu-run-$mode
	if ! "$prog" > "$tmp/$mode.out" 2> "$tmp/$mode.err"; then
		echo "FAIL: $mode mode exited with an error:"; cat "$tmp/$mode.err"; fail=1
	fi
	if ! diff -u "$top_srcdir/tests/hosted/run.expected" "$tmp/$mode.out"; then
		echo "FAIL: $mode mode output differs from run.expected (- expected, + got)"; fail=1
	fi
done
[ $fail = 0 ] && echo "VM and classic mode both printed the expected $(wc -l < "$tmp/vm.out") lines"
exit $fail
