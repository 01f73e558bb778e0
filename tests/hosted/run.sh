#!/bin/bash
# The hosted run test: the same program (run-main.c, run-other.c) built in
# VM mode and in classic mode runs on 4 simulated CPUs (fewer when fewer are
# configured) and prints exactly run.expected (run-1cpu.expected,
# run-2cpus.expected, run-3cpus.expected) in both; each exits non-zero if a
# layout check fails.  The VM program is also relinked with ld.lld from the
# same objects.
set -u
. "$top_builddir/tests/test-env.sh"
. "$top_srcdir/tests/hosted/run-expected.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
for mode in vm classic; do
	prog=$top_builddir/tests/hosted/percpu-run-$mode
	if ! "$prog" > "$tmp/$mode.out" 2> "$tmp/$mode.err"; then
		echo "FAIL: $mode mode exited with an error:"; cat "$tmp/$mode.err"; fail=1
	fi
	if ! diff -u "$HOSTED_RUN_EXPECTED" "$tmp/$mode.out"; then
		echo "FAIL: $mode mode output differs from $(basename "$HOSTED_RUN_EXPECTED") (- expected, + got)"; fail=1
	fi
done
# The VM build again, linked by ld.lld from the same objects: the hosted
# script must give the same result with both linkers.
objs=$(ls "$top_builddir"/tests/hosted/percpu_run_vm-*.o "$top_builddir"/kernel-glue/tests_hosted_percpu_run_vm-*.o \
	"$top_builddir"/kernel-glue/arch/hosted/tests_hosted_percpu_run_vm-*.o)
san=; $NM $objs | grep -q ' U __asan_' && san="-fsanitize=address,undefined"
if ! $CC -no-pie -fuse-ld=lld $san -Wl,-T,"$top_builddir/ldscripts/percpu-hosted.lds" $objs \
	"$top_builddir/runtime/.libs/libpercpu-runtime.a" -lpthread -o "$tmp/run-vm-lld"; then
	echo "FAIL: the VM program does not link with ld.lld"; fail=1
elif ! "$tmp/run-vm-lld" > "$tmp/lld.out" 2> "$tmp/lld.err" || ! diff -u "$HOSTED_RUN_EXPECTED" "$tmp/lld.out"; then
	echo "FAIL: the ld.lld-linked VM program failed or printed something else:"; cat "$tmp/lld.err"; fail=1
fi
[ $fail = 0 ] && echo "VM and classic mode both printed the expected $(wc -l < "$tmp/vm.out") lines"
exit $fail
