#!/bin/bash
# tests/arch/hosted-demo.sh: the hosted demo runs, its own checks pass, and
# what it prints matches what it did: 4 CPUs with the same mapped pages,
# the module's pages gone after unloading, backend and runtime agreeing.
set -u
. "$top_builddir/tests/test-env.sh"

out=$("$top_builddir/examples/hosted-demo" 2>&1)
rc=$?
fail() { echo "hosted-demo.sh: $*"; echo "$out"; exit 1; }
[ $rc -eq 0 ] || fail "demo exited with $rc"
grep -q '^hosted demo: all checks passed$' <<<"$out" || fail "no pass line"
grep -q "window $PERCPU_HOSTED_BASE\.\." <<<"$out" || fail "window not at PERCPU_HOSTED_BASE"
# Before the unload every CPU has the same 5 pages, after it 3.
[ "$(grep -c ': 5 pages: +0\.\.+0x5000$' <<<"$out")" = 4 ] || fail "expected 5 pages on 4 CPUs"
[ "$(grep -c ': 3 pages: +0\.\.+0x3000$' <<<"$out")" = 4 ] || fail "expected 3 pages on 4 CPUs after unload"
grep -q '5 page offsets x 4 CPUs = 20 pages mapped' <<<"$out" || fail "runtime totals"
grep -q 'backend: 20 data pages allocated, 20 pages mapped' <<<"$out" || fail "backend totals"
grep -q 'backend: 12 data pages allocated, 12 pages mapped' <<<"$out" || fail "backend totals after unload"
for n in 0 1 2 3; do
	grep -q "cpu $n: irq_count $((n + 1)), counters\[0\] $((10 * (n + 1)))" <<<"$out" ||
		fail "cpu $n's copy"
done
grep -q "a second window one stride higher: hosted window .*address range already in use" <<<"$out" ||
	fail "overlapping window not refused clearly"
# A bad base is a clear error, not a crash.
bad=$("$top_builddir/examples/hosted-demo" --base 0x400000000800 2>&1) && fail "unaligned base accepted"
grep -q 'hosted-demo: hosted window: base 0x400000000800 not page aligned' <<<"$bad" ||
	fail "unclear error: $bad"
echo "hosted-demo.sh: ok"
